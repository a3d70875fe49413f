/**
 * Gives every request an id (the caller's `X-Request-Id` when it is a safe token, else a
 * fresh one) and echoes it on every response, errors included.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './types.ts';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Workers forbid random values at global scope, so the prefix is drawn on first use.
let prefix: string | undefined;
let counter = 0;

/** A process-unique id: a random per-isolate prefix and a counter (no randomness per request). */
function nextId(): string {
  prefix ??= crypto.randomUUID().slice(0, 8);
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}-${counter.toString(36)}`;
}

/** The caller's id when it is a safe token, else a fresh one. */
export function requestIdFor(incoming: string | null | undefined): string {
  return incoming != null && SAFE_ID.test(incoming) ? incoming : nextId();
}

/**
 * @example
 * app.use(withRequestId());
 */
export function withRequestId(): MiddlewareHandler<AppEnv> {
  return async function withRequestId(c, next) {
    const id = requestIdFor(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', id);
    await next();
    c.res.headers.set(REQUEST_ID_HEADER, id);
  };
}
