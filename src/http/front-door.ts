/**
 * The front door: what every request passes through around Hono's routing — a request id, the
 * body limit, the bearer key, the per-key rate limit, timing, and the `X-Request-Id` and
 * `Server-Timing` response headers.
 *
 * It wraps `app.fetch` instead of being `app.use` middleware: Hono runs middleware through one
 * async frame each, and on Node that chain cost more CPU than serving `/health` itself
 * (`bench/http`). Wrapped, a route whose handler answers synchronously answers synchronously,
 * and Hono routes each request once: the router remembers its last match (read right after the
 * synchronous part of dispatch), which names the route pattern timing is labelled by.
 *
 * Route handlers reach the request's state with `principalOf(c)` and `requestIdOf(c)`
 * (`./request-state.ts`).
 */
import type { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import type { KeyStore } from '../auth/key-store.ts';
import { createRequestTimer, routeLabel, SERVER_TIMING_HEADER, serverTiming, type TimingOptions } from '../metrics/with-timing.ts';
import { AppError } from '../shared/errors.ts';
import { authenticate } from './auth.ts';
import { renderError } from './errors.ts';
import { requestHeader, setResponseHeader } from './host-headers.ts';
import { readBodyWithin } from './read-body.ts';
import { type RequestState, setRequestState } from './request-state.ts';
import type { AppEnv, Principal } from './types.ts';
import { TokenBuckets } from './rate-limit.ts';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.ts';

/** Hono's trie router, remembering the route pattern of its latest match. */
export class RouteCapturingRouter<T> extends TrieRouter<T> {
  #last: string | undefined;

  override match(method: string, path: string): ReturnType<TrieRouter<T>['match']> {
    const result = super.match(method, path);
    const matched = result[0];
    // Each handler is stored as [handler, {path, ...}]; the last one matched is the endpoint.
    const last = matched.length > 0 ? (matched[matched.length - 1][0] as unknown as [unknown, { path?: string }])[1] : undefined;
    this.#last = last?.path;
    return result;
  }

  /** The pattern of the latest match, then forgotten; 'unmatched' when nothing matched. */
  takeRoute(): string {
    const route = this.#last;
    this.#last = undefined;
    return routeLabel(route);
  }
}

export interface FrontDoorOptions {
  keys: KeyStore;
  bodyLimitBytes: number;
  /** Requests per second per key, and the largest burst. */
  rateLimit: { rate: number; burst?: number };
  /**
   * Answer 413 with `Connection: close` without reading the rest of the body (a server that owns
   * the socket: Node). Workers manage connections themselves and drain the body instead.
   */
  closeConnection?: boolean;
  timing?: TimingOptions;
}

/**
 * Puts the front door on `app`, which must route with a `RouteCapturingRouter`.
 *
 * @example
 * const app = new Hono<AppEnv>({ router: new RouteCapturingRouter() });
 * app.get('/health', (c) => c.json({ status: 'ok' }));
 * installFrontDoor(app, { keys, bodyLimitBytes: 1 << 20, rateLimit: { rate: 1000 } });
 */
export function installFrontDoor(app: Hono<AppEnv>, options: FrontDoorOptions): void {
  if (!(app.router instanceof RouteCapturingRouter)) throw new TypeError('installFrontDoor needs an app created with { router: new RouteCapturingRouter() }');
  const router: RouteCapturingRouter<unknown> = app.router;
  const dispatch = app.fetch;
  const timer = createRequestTimer(options.timing);
  const buckets = new TokenBuckets(options.rateLimit);
  const { keys, bodyLimitBytes: limit, closeConnection = false } = options;

  const tooLarge = () =>
    new AppError(413, 'payload_too_large', `request body exceeds the limit of ${limit} bytes`, {
      headers: closeConnection ? { connection: 'close' } : undefined,
    });

  /** Resolves the bearer key and takes a rate-limit token; throws the 401 or 429. */
  function admit(request: Request, env: unknown): Principal | undefined {
    const principal = authenticate(keys, requestHeader(request, env, 'authorization'));
    if (principal !== undefined) buckets.limit(principal.keyId);
    return principal;
  }

  /** Whether the body must be read first to know its size (no Content-Length, or chunked); throws 413 when a declared length is over. */
  function mustBuffer(request: Request, env: unknown): boolean {
    const method = request.method;
    if (method === 'GET' || method === 'HEAD') return false;
    const length = requestHeader(request, env, 'content-length');
    if (length !== undefined && requestHeader(request, env, 'transfer-encoding') === undefined) {
      if (Number(length) > limit) throw tooLarge();
      return false;
    }
    return request.body !== null;
  }

  function finish(res: Response, request: Request, env: unknown, state: RequestState, route: string, t0: number): Response {
    const ms = performance.now() - t0;
    timer.record(route, request.method, res.status, requestHeader(request, env, 'x-agent-id'), ms);
    res = setResponseHeader(res, env, REQUEST_ID_HEADER, state.requestId);
    return setResponseHeader(res, env, SERVER_TIMING_HEADER, serverTiming(ms), { append: true });
  }

  function refuse(err: unknown, request: Request, env: unknown, state: RequestState, t0: number): Response {
    router.match(request.method, new URL(request.url).pathname);
    return finish(renderError(err, state.requestId), request, env, state, router.takeRoute(), t0);
  }

  function enter(request: Request, env: unknown, ctx: unknown, state: RequestState, t0: number): Response | Promise<Response> {
    setRequestState(request, state);
    // Hono turns handler errors into responses; the catches are for an error handler that fails.
    const failed = (err: unknown, route: string) => finish(renderError(err, state.requestId, route, request.method), request, env, state, route, t0);
    let res: Response | Promise<Response>;
    try {
      res = (dispatch as (r: Request, e: unknown, x: unknown) => Response | Promise<Response>)(request, env, ctx);
    } catch (err) {
      return failed(err, router.takeRoute());
    }
    const route = router.takeRoute();
    if (!(res instanceof Promise)) return finish(res, request, env, state, route, t0);
    return res.then((r) => finish(r, request, env, state, route, t0), (err: unknown) => failed(err, route));
  }

  async function buffered(request: Request, env: unknown, ctx: unknown, state: RequestState, t0: number): Promise<Response> {
    const bytes = await readBodyWithin(request.body!, limit, { drain: !closeConnection });
    if (bytes === null) return refuse(tooLarge(), request, env, state, t0);
    return enter(new Request(request, { body: bytes }), env, ctx, state, t0);
  }

  app.fetch = (request: Request, env?: unknown, ctx?: unknown) => {
    const t0 = performance.now();
    const state: RequestState = { requestId: requestIdFor(requestHeader(request, env, 'x-request-id')), principal: undefined };
    try {
      const buffer = mustBuffer(request, env);
      state.principal = admit(request, env);
      if (buffer) return buffered(request, env, ctx, state, t0);
    } catch (err) {
      return refuse(err, request, env, state, t0);
    }
    return enter(request, env, ctx, state, t0);
  };
}
