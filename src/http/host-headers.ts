/**
 * Reading request headers and adding response headers the cheapest way the host allows.
 *
 * On Node, `@hono/node-server` passes Node's own request and response as the bindings
 * `{incoming, outgoing}` and hands the app lightweight Request/Response objects. Reading
 * `request.headers` there builds an undici `Headers` from the raw request, and adding a header to
 * a Response turns the lightweight one into a real one: together about 10 µs per request, half
 * of what serving `/health` costs. Node's `incoming.headers` is already parsed, and a header set
 * on `outgoing` is merged into the one `writeHead` that sends the response, so on Node these
 * go through them. Anywhere else (workerd, `app.request()`) the standard objects are used.
 *
 * The bindings are typed structurally: this module imports nothing runtime-specific.
 */

/** The parts of Node's IncomingMessage and ServerResponse used here. */
interface NodeBindings {
  incoming: { headers: Record<string, string | string[] | undefined> };
  outgoing: {
    headersSent: boolean;
    setHeader(name: string, value: string): unknown;
    getHeader(name: string): unknown;
  };
}

function nodeBindings(env: unknown): NodeBindings | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const node = env as Partial<NodeBindings>;
  return node.incoming !== undefined && node.outgoing !== undefined ? (node as NodeBindings) : undefined;
}

/** A request header by lower-case name (repeated headers joined with ", ", as `Headers.get` does). */
export function requestHeader(request: Request, env: unknown, name: string): string | undefined {
  const node = nodeBindings(env);
  if (node === undefined) return request.headers.get(name) ?? undefined;
  const value = node.incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Sets (or with `append`, adds to) a header of `res` before the host sends it; returns the
 * Response to send (a copy when `res` had immutable headers). On Node a header of the same name
 * that `res` itself carries wins over this one.
 */
export function setResponseHeader(res: Response, env: unknown, name: string, value: string, { append = false } = {}): Response {
  const out = nodeBindings(env)?.outgoing;
  if (out !== undefined && !out.headersSent) {
    const prior = append ? out.getHeader(name) : undefined;
    out.setHeader(name, typeof prior === 'string' ? `${prior}, ${value}` : value);
    return res;
  }
  try {
    if (append) res.headers.append(name, value);
    else res.headers.set(name, value);
    return res;
  } catch {
    // Immutable headers (a Response passed through from fetch): send a copy.
    const copy = new Response(res.body, res);
    if (append) copy.headers.append(name, value);
    else copy.headers.set(name, value);
    return copy;
  }
}
