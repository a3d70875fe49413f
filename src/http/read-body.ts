/**
 * Reads a request body into one buffer, refusing to hold more than `maxBytes`.
 */

/** Most bytes of a refused body read and thrown away so the connection stays usable. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads and drops what is left of a refused body: a client that is still sending it (and a proxy
 * in between) waits for it to be consumed before the connection can carry the next request.
 * Past `DRAIN_LIMIT` the stream is cancelled instead.
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, seen: number): Promise<void> {
  let total = seen;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.length;
      if (total > DRAIN_LIMIT) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away; nothing left to drain.
  }
}

/**
 * The whole body, or `null` as soon as it proves longer than `maxBytes`. The rest is drained
 * (never buffered), or with `drain: false` cancelled, for a server that closes the connection.
 *
 * @example
 * const bytes = await readBodyWithin(request.body, 1024 * 1024);
 * if (bytes === null) return tooLarge();
 */
export async function readBodyWithin(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  { drain = true }: { drain?: boolean } = {},
): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      if (drain) await discardRest(reader, size);
      else await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
