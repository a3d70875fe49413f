/**
 * The message codec: HealthSync frames (`docs/wire-format.md`) for one message or a batch,
 * encoded and validated in WASM (`wasm/codec.wasm`), read lazily in JS. A frame carries the
 * envelope and a JSON-compatible payload in a compact binary form (interned strings, object
 * shapes, varints, 16-byte UUIDs) under a CRC-32C. Every rejection is a `FrameError` (HTTP 400)
 * with an exact reason and byte offset; a message the frame cannot carry is a `ValidationError`.
 *
 * Encoded frames up to 4 KiB are cut from a shared 64 KiB slab (as Node's Buffer pool does):
 * use the array itself, or `slice()` it before handing its `.buffer` to anything.
 */
import { KIND_BATCH, KIND_MESSAGE, type WireMessage } from './codec-format.ts';
import { MessageBatch, readMessages, type BatchValidation } from './codec-batch.ts';
import { decodeFrameWasm, encodeFrameWasm } from './codec-wasm.ts';

/**
 * Encodes one message as a single-message frame.
 *
 * @example
 * const bytes = encodeMessage({
 *   id: crypto.randomUUID(), sender: 'consent_agent', recipient: 'custodian_agent',
 *   messageType: 'consent_request', payload: { patient_id: 'pt-1', consent: true },
 *   priority: MessagePriority.HIGH, timeout: 30_000,
 * });
 */
export function encodeMessage(message: WireMessage): Uint8Array {
  return encodeFrameWasm([message], KIND_MESSAGE, true);
}

/**
 * Decodes a single-message frame into a plain message.
 *
 * @example
 * const message = decodeMessage(bytes); // throws FrameError on anything but a valid frame
 */
export function decodeMessage(bytes: Uint8Array): WireMessage {
  return readMessages(decodeFrameWasm(bytes, KIND_MESSAGE, 'direct'))[0];
}

/**
 * Encodes messages as one batch frame (at most `MAX_BATCH_MESSAGES`, `MAX_FRAME_BYTES`).
 * Strings repeated across the batch (agents, types, keys, enum-like values) are stored once.
 *
 * @example
 * const body = encodeBatch(messages);
 * await fetch(url, { method: 'POST', headers: { 'content-type': FRAME_CONTENT_TYPE }, body });
 */
export function encodeBatch(messages: readonly WireMessage[]): Uint8Array {
  return encodeFrameWasm(messages, KIND_BATCH, false);
}

/** Options of `decodeBatch`. */
export interface DecodeBatchOptions {
  /**
   * `'frame'` (the default): every byte is validated before `decodeBatch` returns, and the
   * batch owns a copy of what it reads. `'envelopes'`: the checksum, header, tables, every
   * envelope field and each payload's bounds are validated now, not the inside of the payloads;
   * the routing fields (id, sender, recipient, messageType, priority) are read at once, and
   * anything else first validates the whole frame from `bytes` (which must stay unchanged
   * while the batch is in use), throwing the `FrameError` a `'frame'` decode would have thrown.
   */
  validation?: BatchValidation;
}

/**
 * Validates a batch frame, then returns a lazy batch over its messages.
 *
 * @example
 * const batch = decodeBatch(bytes);
 * for (let i = 0; i < batch.length; i++) queueFor(batch.recipient(i)).push(batch.id(i), batch.priority(i));
 * const first = batch.message(0); // a plain message, payload decoded
 *
 * // A router that never reads payloads can leave them for later:
 * const routed = decodeBatch(bytes, { validation: 'envelopes' });
 */
export function decodeBatch(bytes: Uint8Array, options?: DecodeBatchOptions): MessageBatch {
  if (options?.validation === 'envelopes') return new MessageBatch(decodeFrameWasm(bytes, KIND_BATCH, 'envelopes'), bytes);
  return new MessageBatch(decodeFrameWasm(bytes, KIND_BATCH, 'copy'));
}

/**
 * Validates a whole batch frame, then decodes every message into a plain object, reading the
 * tables in place (no copy, unlike the lazy `decodeBatch`): the fastest full decode.
 *
 * @example
 * for (const message of decodeBatchArray(bytes)) await processor.sendMessage(message);
 */
export function decodeBatchArray(bytes: Uint8Array): WireMessage[] {
  return readMessages(decodeFrameWasm(bytes, KIND_BATCH, 'direct'));
}

/**
 * Validates a batch frame completely (checksum, structure, every field) without building any
 * JS object, and returns its message count.
 *
 * @example
 * const count = validateBatch(bytes); // throws FrameError with reason and offset
 */
export function validateBatch(bytes: Uint8Array): number {
  return decodeFrameWasm(bytes, KIND_BATCH, 'validate');
}
