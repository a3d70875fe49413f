/**
 * Structured logging: one JSON line per event on stderr. Callers pass only non-identifying
 * fields (request ids, route patterns, codes); never keys, patient ids or bodies.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: LogLevel = 'info';

/** Sets the lowest level that is written. */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/**
 * @example
 * log('error', 'unhandled error', { requestId, route: '/admin/keys', error: err.stack });
 */
export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < ORDER[threshold]) return;
  console.error(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
}
