/**
 * Reads a request body into one buffer, refusing to hold more than `maxBytes`.
 */

/**
 * The whole body, or `null` as soon as it proves longer than `maxBytes` (the rest is cancelled,
 * never buffered).
 *
 * @example
 * const bytes = await readBodyWithin(request.body, 1024 * 1024);
 * if (bytes === null) return tooLarge();
 */
export async function readBodyWithin(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
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
