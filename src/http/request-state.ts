/**
 * What the front door (`./front-door.ts`) learned about a request, for the route handlers:
 * its id and who is calling. Kept on the Request object under a private symbol, so it goes when
 * the request goes (a symbol property costs a fifth of a WeakMap entry per request).
 */
import type { Context } from 'hono';
import type { Principal } from './types.ts';

export interface RequestState {
  requestId: string;
  principal: Principal | undefined;
}

const STATE = Symbol('healthsync.requestState');

type WithState = Request & { [STATE]?: RequestState };

export function setRequestState(request: Request, state: RequestState): void {
  (request as WithState)[STATE] = state;
}

/** Who is calling, resolved from the bearer key; undefined for anonymous calls. */
export function principalOf(c: Context): Principal | undefined {
  return (c.req.raw as WithState)[STATE]?.principal;
}

/** The request id echoed in `X-Request-Id` (undefined outside the front door). */
export function requestIdOf(c: Context): string | undefined {
  return (c.req.raw as WithState)[STATE]?.requestId;
}
