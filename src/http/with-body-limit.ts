/**
 * Refuses request bodies over `maxBytes` with 413 before a handler reads them, whether the size
 * is declared (`Content-Length`) or only discovered while streaming (chunked).
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../shared/errors.ts';
import type { AppEnv } from './types.ts';

export interface BodyLimitOptions {
  /**
   * Answer 413 with `Connection: close`: the rest of the body is never read, so on a server that
   * owns the socket (Node) the connection cannot carry another request. Workers manage
   * connections themselves and must not be sent hop-by-hop headers.
   */
  closeConnection?: boolean;
}

/**
 * @example
 * app.use(withBodyLimit(1024 * 1024, { closeConnection: true }));
 */
export function withBodyLimit(maxBytes: number, { closeConnection = false }: BodyLimitOptions = {}): MiddlewareHandler<AppEnv> {
  const headers = closeConnection ? { connection: 'close' } : undefined;
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `request body exceeds the limit of ${maxBytes} bytes`, { headers });
    },
  });
}
