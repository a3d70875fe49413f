/**
 * Refuses request bodies over `maxBytes` with 413 before a handler reads them, whether the size
 * is declared (`Content-Length`) or only discovered while streaming (chunked).
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../shared/errors.ts';
import type { AppEnv } from './types.ts';

/**
 * @example
 * app.use(withBodyLimit(1024 * 1024));
 */
export function withBodyLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `request body exceeds the limit of ${maxBytes} bytes`);
    },
  });
}
