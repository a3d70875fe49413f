/**
 * Runtime configuration from environment variables (Node: `process.env`; Workers: vars and
 * secrets). Invalid values fail start-up with a message naming the variable.
 */
import { ValidationError } from './shared/errors.ts';

export interface AppConfig {
  /** Bearer key with the admin role, set by the operator (never stored). */
  adminKey: string | undefined;
  /** Sustained requests per second allowed per API key. */
  rateLimit: number;
  /** Largest burst per API key. */
  rateBurst: number;
  /** Largest request body in bytes. */
  bodyLimitBytes: number;
  /** Where fired and resolved alerts are POSTed (http or https), if anywhere. */
  alertWebhook: string | undefined;
  /** Master secret for keyed pseudonyms; unset: one is generated once and kept in the database. */
  pseudonymSecret: string | undefined;
}

export type EnvVars = Record<string, string | undefined>;

export const DEFAULTS = {
  rateLimit: 1000,
  bodyLimitBytes: 1024 * 1024,
} as const;

function positiveNumber(env: EnvVars, name: string, fallback: number, integer = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ValidationError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`, name);
  }
  return value;
}

/**
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: EnvVars): AppConfig {
  const adminKey = env.HEALTHSYNC_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ValidationError('HEALTHSYNC_ADMIN_KEY must be at least 16 characters', 'HEALTHSYNC_ADMIN_KEY');
  }
  const rateLimit = positiveNumber(env, 'HEALTHSYNC_RATE_LIMIT', DEFAULTS.rateLimit);
  const alertWebhook = env.HEALTHSYNC_ALERT_WEBHOOK || undefined;
  const pseudonymSecret = env.HEALTHSYNC_PSEUDONYM_SECRET || undefined;
  if (pseudonymSecret !== undefined && pseudonymSecret.length < 32) {
    throw new ValidationError('HEALTHSYNC_PSEUDONYM_SECRET must be at least 32 characters', 'HEALTHSYNC_PSEUDONYM_SECRET');
  }
  if (alertWebhook !== undefined && !/^https?:\/\/[^\s/]+/i.test(alertWebhook)) {
    throw new ValidationError('HEALTHSYNC_ALERT_WEBHOOK must be an absolute http(s) URL', 'HEALTHSYNC_ALERT_WEBHOOK');
  }
  return {
    adminKey,
    rateLimit,
    rateBurst: positiveNumber(env, 'HEALTHSYNC_RATE_BURST', Math.max(1, rateLimit)),
    bodyLimitBytes: positiveNumber(env, 'HEALTHSYNC_BODY_LIMIT', DEFAULTS.bodyLimitBytes, true),
    alertWebhook,
    pseudonymSecret,
  };
}
