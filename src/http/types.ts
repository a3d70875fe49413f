/**
 * Types shared by the HTTP layer: roles, the authenticated principal, and Hono's env.
 */
export const ROLES = ['admin', 'agent', 'patient', 'researcher'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the bearer key by `withAuth`. */
export interface Principal {
  keyId: string;
  role: Role;
  name: string;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    principal: Principal | undefined;
  };
};
