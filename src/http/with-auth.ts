/**
 * Authentication and authorization. `withAuth` resolves a bearer key (if one is sent) to a
 * `Principal`; a key that is sent but unknown is a 401 at once. `requireRole` guards each
 * non-public route: 401 without a key, 403 for a role not in its list.
 */
import type { MiddlewareHandler } from 'hono';
import type { KeyStore } from '../auth/key-store.ts';
import { AppError } from '../shared/errors.ts';
import type { AppEnv, Role } from './types.ts';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

function unauthorized(message: string): AppError {
  return new AppError(401, 'unauthorized', message, { headers: { 'www-authenticate': 'Bearer realm="healthsync"' } });
}

/**
 * @example
 * app.use(withAuth(keys));
 */
export function withAuth(keys: KeyStore): MiddlewareHandler<AppEnv> {
  // Plain (not async) middleware: the common paths return next()'s promise without another await.
  return function withAuth(c, next) {
    const header = c.req.header('authorization');
    if (header === undefined) {
      c.set('principal', undefined);
      return next();
    }
    const match = BEARER.exec(header);
    if (!match) throw unauthorized('Authorization header must be "Bearer <key>"');
    const principal = keys.verify(match[1]);
    if (!principal) throw unauthorized('unknown or revoked API key');
    c.set('principal', principal);
    return next();
  };
}

/**
 * Lets the request through only for a principal holding one of `roles`.
 *
 * @example
 * app.post('/admin/keys', requireRole('admin'), handler);
 */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  const allowed = new Set<Role>(roles);
  const list = roles.join(' or ');
  return function requireRole(c, next) {
    const principal = c.get('principal');
    if (!principal) throw unauthorized('this route needs an API key: send "Authorization: Bearer <key>"');
    if (!allowed.has(principal.role)) {
      throw new AppError(403, 'forbidden', `role ${principal.role} may not ${c.req.method} ${c.req.routePath}; needs ${list}`);
    }
    return next();
  };
}
