/**
 * The app's error and not-found handlers: every failure leaves as `{error: {code, message}}`.
 * `AppError`s answer with their own status; Hono's `HTTPException`s keep theirs; anything else
 * is logged (request id and route pattern only) and becomes a 500. An unmatched path that
 * exists under another method is a 405 with `Allow`.
 */
import type { ErrorHandler, Hono, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { TrieRouter } from 'hono/router/trie-router';
import { AppError } from '../shared/errors.ts';
import { log } from '../shared/log.ts';
import { requestIdOf } from './request-state.ts';
import type { AppEnv } from './types.ts';

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** The JSON error body every failure uses. */
export function errorResponse(status: number, code: string, message: string, headers?: HeadersInit): Response {
  return new AppError(status, code, message, { headers: Object.fromEntries(new Headers(headers)) }).getResponse();
}

/**
 * The response for any error: an `AppError` answers with its own status, a Hono
 * `HTTPException` keeps its status, anything else is logged (request id and route only) and
 * becomes a 500.
 */
export function renderError(err: unknown, requestId: string | undefined, route?: string, method?: string): Response {
  if (err instanceof AppError) return err.getResponse();
  if (err instanceof HTTPException) {
    const headers = err.getResponse().headers;
    return errorResponse(err.status, HTTP_CODES[err.status] ?? 'http_error', err.message || `HTTP ${err.status}`, headers);
  }
  log('error', 'unhandled error', {
    requestId,
    method,
    route,
    error: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
  return errorResponse(500, 'internal', 'internal error');
}

export const onError: ErrorHandler<AppEnv> = (err, c) => renderError(err, requestIdOf(c), c.req.routePath, c.req.method);

/** 404 for unknown paths, 405 (with `Allow`) for known paths under another method. */
export function createNotFound(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  let methods: TrieRouter<string[]> | undefined;
  return (c) => {
    if (!methods) {
      const byPath = new Map<string, Set<string>>();
      for (const route of app.routes) {
        if (route.method === 'ALL') continue;
        const set = byPath.get(route.path) ?? new Set<string>();
        set.add(route.method);
        if (route.method === 'GET') set.add('HEAD');
        byPath.set(route.path, set);
      }
      methods = new TrieRouter<string[]>();
      for (const [path, set] of byPath) methods.add('ALL', path, [...set]);
    }
    const allowed = new Set(methods.match('ALL', c.req.path)[0].flatMap(([m]) => m));
    if (allowed.size > 0 && !allowed.has(c.req.method)) {
      const allow = [...allowed].sort().join(', ');
      return errorResponse(405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow}`, {
        allow,
      });
    }
    return errorResponse(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
  };
}
