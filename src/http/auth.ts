/**
 * Authentication and authorization. `authenticate` resolves a bearer key (if one is sent) to a
 * `Principal`; a key that is sent but malformed or unknown is a 401 at once (the front door calls
 * it for every request). `requireRole` guards each non-public route: 401 without a key, 403 for
 * a role not in its list.
 */
import type { MiddlewareHandler } from 'hono';
import type { KeyStore } from '../auth/key-store.ts';
import { AppError } from '../shared/errors.ts';
import { principalOf } from './request-state.ts';
import type { AppEnv, Principal, Role } from './types.ts';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

function unauthorized(message: string): AppError {
  return new AppError(401, 'unauthorized', message, { headers: { 'www-authenticate': 'Bearer realm="healthsync"' } });
}

/**
 * The principal of an `Authorization` header value: undefined without one, a 401 `AppError`
 * when it is not "Bearer <key>" or the key is unknown or revoked.
 *
 * @example
 * const principal = authenticate(keys, request.headers.get('authorization') ?? undefined);
 */
export function authenticate(keys: KeyStore, authorization: string | undefined): Principal | undefined {
  if (authorization === undefined) return undefined;
  const match = BEARER.exec(authorization);
  if (!match) throw unauthorized('Authorization header must be "Bearer <key>"');
  const principal = keys.verify(match[1]);
  if (!principal) throw unauthorized('unknown or revoked API key');
  return principal;
}

/**
 * Lets the request through only for the given roles.
 *
 * @example
 * app.post('/admin/keys', requireRole('admin'), handler);
 */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set<Role>(roles);
  const list = roles.join(' or ');
  return function requireRole(c, next) {
    const principal = principalOf(c);
    if (!principal) throw unauthorized('this route needs an API key: send "Authorization: Bearer <key>"');
    if (!allowed.has(principal.role)) {
      throw new AppError(403, 'forbidden', `role ${principal.role} may not ${c.req.method} ${c.req.routePath}; needs ${list}`);
    }
    return next();
  };
}
