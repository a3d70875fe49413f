/**
 * Types shared by the HTTP layer: roles, the authenticated principal, and Hono's env.
 */
export const ROLES = ['admin', 'agent', 'patient', 'researcher'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the bearer key by the front door (`principalOf(c)`). */
export interface Principal {
  keyId: string;
  role: Role;
  name: string;
}

/** Hono's env for the app: the front door keeps per-request state (`./request-state.ts`), so no variables. */
export type AppEnv = { Bindings?: object };
