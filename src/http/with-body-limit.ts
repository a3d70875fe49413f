/**
 * Refuses request bodies over `maxBytes` with 413 before a handler reads them, whether the size
 * is declared (`Content-Length`) or only discovered while reading (chunked). Requests without a
 * body pay one header lookup: `c.req.raw.body` is touched only for chunked uploads, since on
 * Node it makes the adapter build a full `Request`.
 */
import type { Context, MiddlewareHandler, Next } from 'hono';
import { AppError } from '../shared/errors.ts';
import { readBodyWithin } from './read-body.ts';
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
  const tooLarge = () =>
    new AppError(413, 'payload_too_large', `request body exceeds the limit of ${maxBytes} bytes`, {
      headers: closeConnection ? { connection: 'close' } : undefined,
    });
  async function buffered(c: Context<AppEnv>, next: Next, body: ReadableStream<Uint8Array>): Promise<void> {
    const bytes = await readBodyWithin(body, maxBytes, { drain: !closeConnection });
    if (bytes === null) throw tooLarge();
    c.req.raw = new Request(c.req.raw, { body: bytes });
    return next();
  }
  return function withBodyLimit(c, next) {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBytes) throw tooLarge();
      return next();
    }
    const body = c.req.raw.body;
    return body ? buffered(c, next, body) : next();
  };
}
