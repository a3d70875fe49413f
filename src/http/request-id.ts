/**
 * Request ids: the caller's `X-Request-Id` when it is a safe token, else a fresh one. The front
 * door (`./front-door.ts`) echoes it on every response, errors included.
 */

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
