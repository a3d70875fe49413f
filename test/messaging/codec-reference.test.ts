import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FrameError,
  decodeBatch,
  decodeBatchReference,
  decodeMessage,
  decodeMessageReference,
  encodeBatch,
  encodeMessage,
  validateBatch,
} from '../../src/index.ts';
import { FRAME_STATUS_CODES } from '../../src/messaging/frame-error.ts';
import { buildFrame, envelope, messageFrame, record, uuid, varint, withCrc } from './frames.ts';

/**
 * Every rejection reason, reached on purpose with an otherwise valid frame. Each case runs
 * through both codecs (WASM and the TypeScript reference) and both must fail the same way:
 * same reason, same offset, same message.
 */
const Reject = suite('messaging/codec rejections (WASM and reference agree)');

type Kind = 'message' | 'batch';

function failure(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FrameError) return err;
    throw new Error(`expected a FrameError, got ${String(err)}`);
  }
  throw new Error('expected a FrameError, but decoding succeeded');
}

const seen = new Set<string>();

function rejects(bytes: Uint8Array, kind: Kind, reason: string, offset: number): FrameError {
  const wasm = failure(() => (kind === 'message' ? decodeMessage(bytes) : decodeBatch(bytes)));
  const ref = failure(() => (kind === 'message' ? decodeMessageReference(bytes) : decodeBatchReference(bytes)));
  assert.is(wasm.reason, reason, `WASM reason: ${wasm.message}`);
  assert.is(wasm.offset, offset, `WASM offset: ${wasm.message}`);
  assert.is(ref.reason, wasm.reason);
  assert.is(ref.offset, wasm.offset);
  assert.is(ref.message, wasm.message);
  if (kind === 'batch') {
    assert.is(failure(() => validateBatch(bytes)).message, wasm.message);
    assert.is(failure(() => decodeBatch(bytes, { validation: 'envelopes' }).toArray()).message, wasm.message);
  }
  assert.is(wasm.status, 400);
  assert.is(wasm.code, 'invalid_frame');
  assert.ok(wasm.message.includes(`at byte ${offset}`), wasm.message);
  seen.add(reason);
  return wasm;
}

const UUID0 = Array.from({ length: 16 }, (_, i) => i * 17);
/** Where `messageFrame`'s record starts: header 8, five counts, one length, text "a". */
const REC = 15;
const valid = encodeMessage(envelope(1));

Reject('truncated: no header, a partial header, fewer bytes than declared', () => {
  rejects(new Uint8Array(0), 'message', 'truncated', 0);
  rejects(Uint8Array.of(0x48), 'message', 'truncated', 1);
  rejects(valid.subarray(0, 7), 'message', 'truncated', 7);
  const cut = rejects(valid.subarray(0, valid.length - 5), 'message', 'truncated', valid.length - 5);
  assert.ok(cut.message.includes(`declares ${valid.length} bytes`), cut.message);
});

Reject('oversized, bad_length and trailing_bytes come from the length field', () => {
  const big = valid.slice();
  new DataView(big.buffer).setUint32(4, 9 << 20, true);
  rejects(big, 'message', 'oversized', 4);
  const small = valid.slice();
  new DataView(small.buffer).setUint32(4, 16, true);
  rejects(small, 'message', 'bad_length', 4);
  const longer = new Uint8Array(valid.length + 3);
  longer.set(valid);
  const err = rejects(longer, 'message', 'trailing_bytes', valid.length);
  assert.ok(err.message.includes('3 trailing bytes'), err.message);
});

Reject('bad_magic, unsupported_version, unknown_kind, kind_mismatch', () => {
  rejects(buildFrame({ magic: [0x48, 0x54], records: record({}), strings: ['a'] }), 'message', 'bad_magic', 0);
  rejects(Uint8Array.of(0x7b, 0x22), 'message', 'bad_magic', 0);
  rejects(messageFrame({}, { version: 2 }), 'message', 'unsupported_version', 2);
  rejects(messageFrame({}, { kind: 3 }), 'message', 'unknown_kind', 3);
  rejects(valid, 'batch', 'kind_mismatch', 3);
  rejects(encodeBatch([envelope(1)]), 'message', 'kind_mismatch', 3);
});

Reject('checksum_mismatch on a single flipped bit anywhere', () => {
  for (const at of [0, 5, 9, 40, valid.length - 6, valid.length - 1]) {
    const bytes = valid.slice();
    bytes[at] ^= 0x10;
    if (at < 8) continue; // header bytes fail earlier, with their own reasons
    rejects(bytes, 'message', 'checksum_mismatch', valid.length - 4);
  }
});

Reject('bad_varint: non-minimal, longer than 8 bytes, above 2^53 - 1', () => {
  rejects(buildFrameRaw([0x81, 0x00, 0, 0, 0, 0]), 'message', 'bad_varint', 8);
  rejects(buildFrameRaw([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 'message', 'bad_varint', 8);
  rejects(buildFrameRaw([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10]), 'message', 'bad_varint', 8);
});

/** A frame whose body is exactly `body` (counts and all), length and CRC made right. */
function buildFrameRaw(body: number[], kind = 1): Uint8Array {
  const bytes = new Uint8Array(8 + body.length + 4);
  bytes.set([0x48, 0x53, 1, kind]);
  new DataView(bytes.buffer).setUint32(4, bytes.length, true);
  bytes.set(body, 8);
  return withCrc(bytes);
}

Reject('out_of_bounds: counts, lengths and fields that run past their section', () => {
  // Five counts take bytes 8..12; a string count of 100 cannot fit in what is left.
  rejects(buildFrameRaw([1, 100, 0, 0, 0]), 'message', 'out_of_bounds', 9);
  rejects(buildFrameRaw([1, 0, 0, 50, 0]), 'message', 'out_of_bounds', 11);
  // A record cut short: the UUID needs 16 bytes.
  const short = buildFrame({ strings: ['a'], records: [0x01, 0x01, ...UUID0.slice(0, 10)] });
  rejects(short, 'message', 'out_of_bounds', short.length - 4 - 10);
  // A payload length beyond the records.
  const recs = record({ payload: [0xc0], payloadLength: 9 });
  const f = buildFrame({ strings: ['a'], records: recs });
  rejects(f, 'message', 'out_of_bounds', f.length - 4 - 2);
  // An id text longer than what is left.
  const h = messageFrame({ id: 'abc' });
  h[REC + 2] = 200;
  rejects(withCrc(h), 'message', 'out_of_bounds', REC + 2);
  // A record with nothing after its flags.
  const g = buildFrame({ strings: ['a'], records: [0x00] });
  rejects(g, 'message', 'out_of_bounds', g.length - 5);
});

Reject('bad_count: a message frame holds exactly one; a batch at most 65,536', () => {
  rejects(buildFrame({ count: 2, strings: ['a'], records: [...record({}), ...record({})] }), 'message', 'bad_count', 8);
  rejects(buildFrame({ count: 0, strings: ['a'] }), 'message', 'bad_count', 8);
  rejects(buildFrameRaw([...varint(65_537), 0, 0, 0, 0], 2), 'batch', 'bad_count', 8);
});

Reject('bad_string_ref and bad_shape_ref', () => {
  rejects(messageFrame({ recipient: 1 }), 'message', 'bad_string_ref', REC + 4);
  const g = messageFrame({ payload: [0x81] });
  rejects(g, 'message', 'bad_string_ref', g.length - 5);
  const h = messageFrame({ payload: [0xe1, 0xc0] }, { shapes: [[0]] });
  rejects(h, 'message', 'bad_shape_ref', h.length - 6);
  const k = buildFrame({ strings: ['a'], shapes: [[0, 3]], records: record({}) });
  rejects(k, 'message', 'bad_string_ref', 8 + 5 + 1 + 1 + 2);
});

Reject('invalid_utf8: stray continuation, overlong, surrogate, cut sequence; in the text or an id', () => {
  for (const text of [[0x61, 0x80], [0x61, 0xc0, 0x80], [0x61, 0xed, 0xa0, 0x80], [0x61, 0xe2, 0x82]]) {
    const f = buildFrame({ strings: ['a'], lengths: [text.length], text, records: record({}) });
    rejects(f, 'message', 'invalid_utf8', 8 + 5 + 1 + 1);
  }
  const g = messageFrame({ id: 'ab' });
  g[REC + 4] = 0xff;
  rejects(withCrc(g), 'message', 'invalid_utf8', REC + 4);
  const h = messageFrame({ correlation: 'xy' });
  h[REC + 9] = 0xc0; // the "x" of the correlationId
  rejects(withCrc(h), 'message', 'invalid_utf8', REC + 9);
});

Reject('bad_text_length: lengths that do not add up, or split a surrogate pair', () => {
  const f = buildFrame({ strings: ['ab'], lengths: [3], text: [0x61, 0x62, 0x63, 0x64], records: record({}) });
  rejects(f, 'message', 'bad_text_length', 8 + 5 + 1);
  const g = buildFrame({ strings: ['ab'], lengths: [1], text: [0x61, 0x62], records: record({}) });
  rejects(g, 'message', 'bad_text_length', 8 + 5 + 1);
  const emoji = [...new TextEncoder().encode('a😀')];
  const h = buildFrame({ strings: ['x', 'y'], lengths: [2, 1], text: emoji, records: record({}) });
  rejects(h, 'message', 'bad_text_length', 8 + 5 + 2 + 1);
});

Reject('bad_flags and priority_out_of_range', () => {
  rejects(messageFrame({ flags: 0x40 }), 'message', 'bad_flags', REC);
  rejects(messageFrame({ flags: 0x08 }), 'message', 'bad_flags', REC);
  const err = rejects(messageFrame({ priority: 4 }), 'message', 'priority_out_of_range', REC + 1);
  assert.ok(err.message.includes('priority 4 out of range'), err.message);
  rejects(messageFrame({ priority: 255 }), 'message', 'priority_out_of_range', REC + 1);
});

Reject('value_out_of_range: timeout, attempt, timestamp, base time, negative zero', () => {
  rejects(messageFrame({ timeout: 2 ** 32 }), 'message', 'value_out_of_range', REC + 6);
  rejects(messageFrame({ attempt: 2 ** 31 }), 'message', 'value_out_of_range', REC + 8);
  // zigzag 1 is -1, before the base time 0
  rejects(messageFrame({ timestamp: 1 }), 'message', 'value_out_of_range', REC + 8);
  rejects(buildFrameRaw([1, 0, 0, 0, ...varint(2 ** 52)]), 'message', 'value_out_of_range', 12);
  const k = messageFrame({ payload: [0xc4, 0x00] });
  rejects(k, 'message', 'value_out_of_range', k.length - 6);
});

Reject('unknown_tag, not_finite and too_deep in payloads', () => {
  for (const tag of [0xc9, 0xcf]) {
    const f = messageFrame({ payload: [tag] });
    rejects(f, 'message', 'unknown_tag', f.length - 5);
  }
  const nan = [0xc5, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f];
  const g = messageFrame({ payload: nan });
  rejects(g, 'message', 'not_finite', g.length - 4 - 9);
  const inf = [0xc5, 0, 0, 0, 0, 0, 0, 0xf0, 0xff];
  rejects(messageFrame({ payload: inf }), 'message', 'not_finite', g.length - 4 - 9);
  const nest = (n: number) => [...Array(n - 1).fill(0xd1), 0xd0];
  assert.equal(decodeMessage(messageFrame({ payload: nest(64) })).payload, JSON.parse('['.repeat(63) + '[]' + ']'.repeat(63)));
  const deep = messageFrame({ payload: nest(65) });
  rejects(deep, 'message', 'too_deep', deep.length - 4 - 1);
});

Reject('payload_length_mismatch: short, long, and counts that cannot fit', () => {
  const f = messageFrame({ payload: [0xc0, 0xc0] });
  rejects(f, 'message', 'payload_length_mismatch', f.length - 5);
  rejects(messageFrame({ payload: [0xd2, 0xc0] }), 'message', 'payload_length_mismatch', REC + 9);
  const h = messageFrame({ payload: [0xc5, 0, 0] });
  rejects(h, 'message', 'payload_length_mismatch', h.length - 4 - 3);
  const k = messageFrame({ payload: [0xc7, ...varint(1000)] });
  rejects(k, 'message', 'payload_length_mismatch', k.length - 4 - 3);
});

Reject('unused_bytes between the last record and the trailer', () => {
  const f = buildFrame({ strings: ['a'], records: [...record({}), 0, 0] });
  const err = rejects(f, 'message', 'unused_bytes', f.length - 6);
  assert.ok(err.message.includes('2 bytes after the last record'), err.message);
});

Reject('every codec status code has a case above', () => {
  const reasons = FRAME_STATUS_CODES.map((code) => new FrameError(code, 0).reason);
  assert.equal([...seen].sort(), [...reasons].sort());
});

Reject('a valid frame with a UUID and every optional field still decodes (the builder is right)', () => {
  const bytes = buildFrame({
    strings: ['s', 'r', 't', 'k', 'key'],
    shapes: [[4]],
    base: 1000,
    records: record({ id: UUID0, sender: 0, recipient: 1, type: 2, batchKey: 3, correlation: 'corr', timestamp: 4, attempt: 2, payload: [0xe0, 0x2a] }),
  });
  assert.equal(decodeMessageReference(bytes), decodeMessage(bytes));
  const m = decodeMessage(bytes);
  assert.is(m.id, '00112233-4455-6677-8899-aabbccddeeff');
  assert.equal(m, { id: m.id, sender: 's', recipient: 'r', messageType: 't', payload: { key: 42 }, priority: 1, timeout: 1000, batchKey: 'k', correlationId: 'corr', timestamp: 1002, attempt: 2 });
  assert.is(uuid(0).length, 36);
});

Reject.run();
