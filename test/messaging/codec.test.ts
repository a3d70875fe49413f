import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FRAME_CONTENT_TYPE,
  FrameError,
  MessageBatch,
  MessagePriority,
  ValidationError,
  decodeBatch,
  decodeBatchArray,
  decodeBatchReference,
  decodeMessage,
  decodeMessageReference,
  encodeBatch,
  encodeBatchReference,
  encodeMessage,
  encodeMessageReference,
  validateBatch,
  type WireMessage,
} from '../../src/index.ts';
import { buildFrame, envelope, fromHex, hex, messageFrame, record, uuid, withCrc, type RecordParts } from './frames.ts';

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const name = fc.oneof(text, fc.constantFrom('', 'consent_agent', 'custodian_agent', 'données', '患者', '🩺 triage'));
const json: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });
const message: fc.Arbitrary<WireMessage> = fc
  .record(
    {
      id: fc.oneof(fc.uuid(), name),
      sender: name,
      recipient: name,
      messageType: name,
      payload: json,
      priority: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<WireMessage['priority']>,
      timeout: fc.oneof(fc.constantFrom(0, 30_000, 2 ** 32 - 1), fc.nat()),
      batchKey: name,
      correlationId: fc.oneof(fc.uuid(), name),
      timestamp: fc.oneof(fc.constantFrom(0, 1_764_380_397_123, 2 ** 52 - 1), fc.nat()),
      attempt: fc.oneof(fc.constantFrom(0, 2 ** 31 - 1), fc.nat(10)),
    },
    { requiredKeys: ['id', 'sender', 'recipient', 'messageType', 'payload', 'priority', 'timeout'] },
  );

/** What a JSON round trip makes of a value: the codec promises the same (-0 becomes 0). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

const RoundTrip = suite('messaging/codec round trips');

RoundTrip('any message survives encodeMessage/decodeMessage, and both codecs write the same bytes', () => {
  fc.assert(
    fc.property(message, (m) => {
      const bytes = encodeMessage(m);
      assert.equal(hex(bytes), hex(encodeMessageReference(m)));
      const back = decodeMessage(bytes);
      assert.equal(back, { ...m, payload: asJson(m.payload) });
      assert.equal(decodeMessageReference(bytes), back);
    }),
    { numRuns: 400 },
  );
});

RoundTrip('any batch survives encodeBatch/decodeBatch, byte for byte equal to the reference', () => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 25 }), (ms) => {
      const bytes = encodeBatch(ms);
      assert.equal(hex(bytes), hex(encodeBatchReference(ms)));
      const expected = ms.map((m) => ({ ...m, payload: asJson(m.payload) }));
      assert.equal(decodeBatch(bytes).toArray(), expected);
      assert.equal(decodeBatchArray(bytes), expected);
      assert.equal(decodeBatchReference(bytes), expected);
      assert.is(validateBatch(bytes), ms.length);
    }),
    { numRuns: 200 },
  );
});

RoundTrip('payload edge values: numbers at every encoding boundary, unicode, odd keys', () => {
  const numbers = [0, 1, 127, 128, 2 ** 28 - 1, 2 ** 28, -1, -16, -17, -(2 ** 28), -(2 ** 28) - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e300, -1e-300, 0.1, Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 32, -(2 ** 31)];
  const payload = {
    numbers,
    strings: ['', 'a', 'é', '€', '😀', 'a😀b', '\u0000', '\ufeffbom first', 'x'.repeat(300)],
    nested: { '': 1, __proto__x: 2, 'key with spaces': [[], {}, [[[]]]], '0': 'integer-like key', 'ü': null },
    flags: [true, false, null],
  };
  const m: WireMessage = { id: 'not-a-uuid', sender: '', recipient: '\ufeff', messageType: 't', payload, priority: 3, timeout: 0 };
  for (const encode of [encodeMessage, encodeMessageReference]) {
    const back = decodeMessage(encode(m));
    assert.equal(back.payload, payload);
    assert.is(back.recipient, '\ufeff');
  }
});

RoundTrip('-0 decodes as 0 and a "__proto__" key stays an own property, as with JSON.parse', () => {
  const payload = JSON.parse('{"__proto__": {"polluted": true}, "z": -0}');
  const back = decodeMessage(encodeMessage({ ...envelope(0), payload })).payload as Record<string, unknown>;
  assert.ok(Object.hasOwn(back, '__proto__'));
  assert.is(Object.getPrototypeOf(back), Object.prototype);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(Object.is(back.z, 0));
  assert.equal(decodeMessageReference(encodeMessage({ ...envelope(0), payload })).payload, back);
});

RoundTrip('lone surrogates become U+FFFD (UTF-8 cannot carry them); lengths stay intact', () => {
  const m = { ...envelope(1), sender: 'a\ud800b', payload: ['\udc00', 'x\ud83d'] };
  const back = decodeMessage(encodeMessage(m));
  assert.is(back.sender, 'a\ufffdb');
  assert.equal(back.payload, ['\ufffd', 'x\ufffd']);
  assert.equal(hex(encodeMessage(m)), hex(encodeMessageReference(m)));
  // A large batch writes its strings and ids apart from each other; halves of a pair split
  // across neighbouring strings or ids must not pair up.
  const many = Array.from({ length: 300 }, (_, i) => ({ ...envelope(i), sender: i % 2 ? 'a\ud83d' : '\ude00b', id: i % 3 ? uuid(i) : `id\ud800${i}`, payload: [`x${i}\udbff`, '\udfff'] }));
  const bytes = encodeBatch(many);
  assert.equal(hex(bytes), hex(encodeBatchReference(many)));
  assert.is(decodeBatch(bytes).message(1).sender, 'a\ufffd');
  assert.is(decodeBatch(bytes).id(0), 'id\ufffd0');
});

RoundTrip('ids that are almost UUIDs (one character off) stay text, in both codecs', () => {
  const nearly = fc.tuple(fc.uuid(), fc.nat(35), fc.constantFrom('0', 'f', 'g', 'A', 'F', '-', ':', '`', '/', 'é'));
  fc.assert(
    fc.property(nearly, ([id, at, c]) => {
      const m = { ...envelope(0), id: id.slice(0, at) + c + id.slice(at + 1), correlationId: id.slice(0, at) };
      assert.equal(hex(encodeMessage(m)), hex(encodeMessageReference(m)));
      assert.equal(decodeMessage(encodeMessage(m)), m);
    }),
    { numRuns: 500 },
  );
});

RoundTrip('UUID ids travel as 16 bytes; other ids (uppercase too) as strings, unchanged', () => {
  const lower = encodeMessage(envelope(2));
  const upper = encodeMessage({ ...envelope(2), id: envelope(2).id.toUpperCase() });
  assert.ok(upper.length > lower.length + 15, `${upper.length} vs ${lower.length}`);
  assert.is(decodeMessage(upper).id, envelope(2).id.toUpperCase());
  assert.is(decodeMessage(lower).id, envelope(2).id);
});

RoundTrip('the issue envelope: a 1,000-message batch fits well under 173 bytes per message', () => {
  const batch = Array.from({ length: 1000 }, (_, i) => envelope(i));
  const json = batch.reduce((n, m) => n + JSON.stringify(m).length, 0) / 1000;
  assert.ok(json > 300, `fixture is realistic (${json} bytes of JSON per message)`);
  const perMessage = encodeBatch(batch).length / 1000;
  assert.ok(perMessage <= 173, `${perMessage} bytes per message`);
  assert.equal(decodeBatch(encodeBatch(batch)).toArray(), batch);
});

RoundTrip('frames of every size decode, and any flipped byte after the header fails the checksum', () => {
  // WASM checksums frames of 2 KiB and more by reducing them modulo a sparse multiple of the
  // CRC-32C polynomial, in chunks of 8 KiB (assembly/shared/crc32c.ts); the frames here carry
  // the reference CRC, so both paths and every chunk boundary are compared with it.
  const sizes = [0, 100, 1400, 2020, 2030, 2040, 2050, 2100, 8850, 8860, 8870, 8880, 17_000, 17_062, 60_000, 250_000];
  for (let k = 0; k < 40; k++) sizes.push(2000 + ((k * 7919) % 40_000));
  for (const size of sizes) {
    const text = Array.from({ length: size }, (_, i) => String.fromCharCode(32 + ((i * 31 + size) % 95))).join('');
    const frame = messageFrame({}, { strings: ['a', text] });
    assert.is(decodeMessage(frame).sender, 'a', `${frame.length} bytes`);
    const at = 8 + ((size * 13) % (frame.length - 12));
    const flipped = frame.slice();
    flipped[at] ^= 1 << (size % 8);
    try {
      decodeMessage(flipped);
      assert.unreachable(`a flip at byte ${at} of ${frame.length} went unnoticed`);
    } catch (err) {
      assert.instance(err, FrameError);
      assert.is((err as FrameError).reason, 'checksum_mismatch', `flip at byte ${at} of ${frame.length}`);
    }
  }
});

RoundTrip.run();

const Views = suite('messaging/codec lazy batch views');

Views('routing fields read without the payload; payload(i), message(i), iteration and toArray agree', () => {
  const ms = [envelope(0), { ...envelope(1), correlationId: uuid(9), attempt: 2 }, { ...envelope(2), batchKey: undefined, timestamp: undefined }];
  delete ms[2].batchKey;
  delete ms[2].timestamp;
  const batch = decodeBatch(encodeBatch(ms));
  assert.instance(batch, MessageBatch);
  assert.is(batch.length, 3);
  const v = batch.get(1);
  assert.is(v.index, 1);
  assert.is(v.id, ms[1].id);
  assert.is(v.sender, ms[1].sender);
  assert.is(v.recipient, ms[1].recipient);
  assert.is(v.messageType, ms[1].messageType);
  assert.is(v.priority, ms[1].priority);
  assert.is(v.timeout, 30_000);
  assert.is(v.batchKey, ms[1].batchKey);
  assert.is(v.correlationId, uuid(9));
  assert.is(v.timestamp, ms[1].timestamp);
  assert.is(v.attempt, 2);
  assert.equal(v.payload, ms[1].payload);
  assert.is(v.payload, v.payload, 'decoded once, then the same object');
  assert.equal(v.toMessage(), ms[1]);
  assert.equal(JSON.parse(JSON.stringify(v)), ms[1]);
  const w = batch.get(2);
  assert.is(w.batchKey, undefined);
  assert.is(w.correlationId, undefined);
  assert.is(w.timestamp, undefined);
  assert.is(w.attempt, undefined);
  assert.equal(batch.payload(0), ms[0].payload);
  assert.equal(batch.message(2), ms[2]);
  assert.equal([...batch].map((x) => x.toMessage()), ms);
  assert.equal(batch.toArray(), ms);
});

Views('index accessors read the routing fields of any batch, at both validation levels, without payloads', () => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 20 }), (ms) => {
      const bytes = encodeBatch(ms);
      for (const batch of [decodeBatch(bytes), decodeBatch(bytes, { validation: 'envelopes' })]) {
        assert.is(batch.length, ms.length);
        for (let i = 0; i < ms.length; i++) {
          assert.is(batch.id(i), ms[i].id);
          assert.is(batch.sender(i), ms[i].sender);
          assert.is(batch.recipient(i), ms[i].recipient);
          assert.is(batch.messageType(i), ms[i].messageType);
          assert.is(batch.priority(i), ms[i].priority);
        }
      }
      const routed = decodeBatch(bytes, { validation: 'envelopes' });
      assert.is(routed.validation, 'envelopes');
      assert.equal(routed.toArray(), ms.map((m) => ({ ...m, payload: asJson(m.payload) })));
      assert.is(routed.validation, 'frame');
      assert.is(decodeBatch(bytes).validation, 'frame');
    }),
    { numRuns: 150 },
  );
  const batch = decodeBatch(encodeBatch([envelope(0)]), { validation: 'envelopes' });
  assert.throws(() => batch.id(1), RangeError);
  assert.throws(() => batch.recipient(-1), RangeError);
  assert.throws(() => batch.priority(0.5), RangeError);
});

/** A batch of three messages (strings a, b, c) whose second payload is the bytes `payload`. */
function batchWithPayload(payload: number[], third: Partial<RecordParts> = {}): Uint8Array {
  return buildFrame({
    kind: 2,
    count: 3,
    strings: ['a', 'b', 'c'],
    records: [
      ...record({ id: 'm-0', sender: 0, recipient: 1, type: 2, priority: 3, payload: [0x80] }),
      ...record({ id: 'm-1', sender: 1, recipient: 2, type: 0, payload }),
      ...record({ id: 'm-2', sender: 2, recipient: 0, type: 1, payload: [0xc2], ...third }),
    ],
  });
}

function refusal(fn: () => unknown): FrameError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FrameError) return err;
    throw err;
  }
  throw new Error('expected a FrameError');
}

Views("'envelopes' accepts a frame whose payload is malformed; reading past the routing fields throws the whole-frame FrameError", () => {
  assert.equal(decodeBatch(batchWithPayload([0xd1, 0x7f])).toArray().map((m) => m.payload), ['a', [127], true]);
  for (const payload of [[0xc9], [0xd2, 0x01], [0xc4, 0x00], [0xef], [0x01, 0x02], [0x83], [0xc5, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f]]) {
    const bytes = batchWithPayload(payload);
    const expected = refusal(() => decodeBatch(bytes));
    assert.is(refusal(() => decodeBatchReference(bytes)).message, expected.message);
    const batch = decodeBatch(bytes, { validation: 'envelopes' });
    assert.is(batch.validation, 'envelopes');
    assert.is(batch.id(1), 'm-1');
    assert.is(batch.sender(1), 'b');
    assert.is(batch.recipient(2), 'a');
    assert.is(batch.priority(0), 3);
    assert.is(batch.get(0).messageType, 'c');
    for (const read of [() => batch.payload(0), () => batch.toArray(), () => batch.message(2), () => batch.get(1).payload, () => batch.get(0).timeout]) {
      const err = refusal(read);
      assert.is(err.message, expected.message, hex(Uint8Array.from(payload)));
      assert.is(err.offset, expected.offset);
    }
    assert.is(batch.id(0), 'm-0', 'routing fields stay readable');
  }
});

Views("'envelopes' refusals name the first failure in byte order, as a whole-frame decode does", () => {
  // A malformed second payload, then a recipient index out of range in the third record.
  const bytes = batchWithPayload([0xc9], { recipient: 9 });
  const whole = refusal(() => decodeBatch(bytes));
  assert.is(whole.reason, 'unknown_tag');
  const routed = refusal(() => decodeBatch(bytes, { validation: 'envelopes' }));
  assert.is(routed.message, whole.message);
  assert.is(routed.offset, whole.offset);
  const envelopeOnly = batchWithPayload([0xc2], { recipient: 9 });
  assert.is(refusal(() => decodeBatch(envelopeOnly, { validation: 'envelopes' })).message, refusal(() => decodeBatch(envelopeOnly)).message);
  assert.is(refusal(() => decodeBatch(envelopeOnly, { validation: 'envelopes' })).reason, 'bad_string_ref');
});

Views("'envelopes' reads the caller's bytes later: changed bytes fail the checksum, or are refused when re-sealed", () => {
  const bytes = encodeBatch([envelope(0), envelope(1)]);
  const batch = decodeBatch(bytes, { validation: 'envelopes' });
  bytes[bytes.length - 6] ^= 1;
  try {
    batch.toArray();
    assert.unreachable();
  } catch (err) {
    assert.instance(err, FrameError);
    assert.is((err as FrameError).reason, 'checksum_mismatch');
  }
  const other = encodeBatch([envelope(0), envelope(1)]);
  const resealed = decodeBatch(other, { validation: 'envelopes' });
  const replaced = encodeBatch([envelope(0), { ...envelope(1), priority: 2 }]);
  assert.is(replaced.length, other.length);
  other.set(replaced);
  assert.throws(() => resealed.payload(0), /changed while its batch was in use/);
  // The default level copies what it needs: changing the bytes afterwards changes nothing.
  const copy = encodeBatch([envelope(3)]);
  const owned = decodeBatch(copy);
  copy.fill(0);
  assert.equal(owned.toArray(), [envelope(3)]);
});

Views('views stay valid after other frames are decoded (they own their tables)', () => {
  const first = decodeBatch(encodeBatch([envelope(10), envelope(11)]));
  const firstId = envelope(11).id;
  for (let i = 0; i < 5; i++) decodeBatch(encodeBatch(Array.from({ length: 200 }, (_, k) => envelope(100 + k))));
  assert.is(first.get(1).id, firstId);
  assert.equal(first.toArray(), [envelope(10), envelope(11)]);
});

Views('the input bytes may be reused after decodeBatch returns', () => {
  const bytes = encodeBatch([envelope(3)]);
  const batch = decodeBatch(bytes);
  bytes.fill(0);
  assert.equal(batch.message(0), envelope(3));
});

Views('out-of-range indices throw RangeError; an empty batch is valid', () => {
  const batch = decodeBatch(encodeBatch([envelope(0)]));
  assert.throws(() => batch.get(1), RangeError);
  assert.throws(() => batch.payload(-1), RangeError);
  assert.throws(() => batch.message(0.5), RangeError);
  const empty = decodeBatch(encodeBatch([]));
  assert.is(empty.length, 0);
  assert.equal(empty.toArray(), []);
  assert.is(validateBatch(encodeBatch([])), 0);
});

Views('decoding a frame held in a larger buffer at an odd offset', () => {
  const frame = encodeBatch([envelope(4), envelope(5)]);
  const big = new Uint8Array(frame.length + 7);
  big.set(frame, 3);
  assert.equal(decodeBatch(big.subarray(3, 3 + frame.length)).toArray(), [envelope(4), envelope(5)]);
});

Views('where code generation is disallowed (Cloudflare Workers), objects are built key by key, same results', () => {
  const script = new URL('./codec-check.ts', import.meta.url).pathname;
  const run = (flags: string[], args: string[] = []) =>
    execFileSync(process.execPath, [...flags, '--import', 'tsx', script, ...args], { encoding: 'utf8' }).trim();
  assert.is(run(['--disallow-code-generation-from-strings']), 'ok key-by-key');
  assert.is(run([], ['refuse-later']), 'ok key-by-key');
  assert.is(run([]), 'ok compiled');
});

Views.run();

const Encode = suite('messaging/codec encode errors');

function invalid(fn: () => unknown, field: string, includes: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ValidationError);
    assert.is((err as ValidationError).field, field, (err as Error).message);
    assert.ok((err as Error).message.includes(includes), (err as Error).message);
    assert.is((err as ValidationError).status, 400);
    return;
  }
  assert.unreachable('expected a ValidationError');
}

Encode('every envelope field is checked and named, with the batch index', () => {
  const m = envelope(0);
  invalid(() => encodeMessage({ ...m, priority: 4 as MessagePriority }), 'priority', 'got 4');
  invalid(() => encodeMessage({ ...m, priority: 1.5 as MessagePriority }), 'priority', 'integer priority');
  invalid(() => encodeBatch([m, { ...m, timeout: -1 }]), 'messages[1].timeout', 'got -1');
  invalid(() => encodeBatch([m, m, { ...m, timeout: 2 ** 32 }]), 'messages[2].timeout', 'milliseconds');
  invalid(() => encodeMessage({ ...m, id: 7 as unknown as string }), 'id', 'must be a string');
  invalid(() => encodeMessage({ ...m, sender: undefined as unknown as string }), 'sender', 'is required');
  invalid(() => encodeMessage({ ...m, batchKey: null as unknown as string }), 'batchKey', 'must be a string');
  invalid(() => encodeMessage({ ...m, timestamp: 1.5 }), 'timestamp', 'whole milliseconds');
  invalid(() => encodeMessage({ ...m, timestamp: 2 ** 52 }), 'timestamp', 'whole milliseconds');
  invalid(() => encodeMessage({ ...m, attempt: -1 }), 'attempt', 'whole number');
  invalid(() => encodeMessage({ ...m, payload: undefined }), 'payload', 'is required');
  invalid(() => encodeBatch([m, null as unknown as WireMessage]), 'messages[1]', 'must be an object');
});

Encode('payloads must be JSON: the exact value is named', () => {
  const m = envelope(0);
  invalid(() => encodeMessage({ ...m, payload: { a: [1, undefined] } }), 'payload.a[1]', 'not JSON-compatible');
  invalid(() => encodeMessage({ ...m, payload: { a: { b: () => 1 } } }), 'payload.a.b', 'function');
  invalid(() => encodeBatch([m, { ...m, payload: [NaN] }]), 'messages[1].payload[0]', 'finite');
  invalid(() => encodeMessage({ ...m, payload: { n: Infinity } }), 'payload.n', 'finite');
  invalid(() => encodeMessage({ ...m, payload: { big: 1n } }), 'payload.big', 'bigint');
  invalid(() => encodeMessage({ ...m, payload: { when: new Date(0) } }), 'payload.when', 'plain object');
  invalid(() => encodeMessage({ ...m, payload: new Map() }), 'payload', 'plain object');
  let deep: unknown = [];
  for (let i = 0; i < 64; i++) deep = [deep];
  invalid(() => encodeMessage({ ...m, payload: deep }), `payload${'[0]'.repeat(64)}`, 'deeper than 64');
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  invalid(() => encodeMessage({ ...m, payload: circular }), `payload${'.self'.repeat(64)}`, 'circular');
  // Both codecs refuse the same way, and the fast path recovers for the next call.
  invalid(() => encodeMessageReference({ ...m, payload: { a: [1, undefined] } }), 'payload.a[1]', 'not JSON-compatible');
  assert.equal(decodeMessage(encodeMessage(m)), m);
});

Encode('limits: at most 65,536 messages, at most 8 MiB', () => {
  invalid(() => encodeBatch(new Array(65_537).fill(envelope(0))), 'messages', 'at most 65536');
  const huge = { ...envelope(0), payload: 'x'.repeat(9 << 20) };
  invalid(() => encodeMessage(huge), 'messages', 'frame limit');
  invalid(() => encodeMessageReference(huge), 'messages', 'frame limit');
  assert.equal(decodeMessage(encodeMessage(envelope(1))), envelope(1));
});

Encode('content type and FrameError are exported for the HTTP layer', () => {
  assert.is(FRAME_CONTENT_TYPE, 'application/x-healthsync-frame');
  const err = new FrameError(-38, 12, 0xdeadbeef);
  assert.equal(err.toJSON(), { error: { code: 'invalid_frame', message: err.message, reason: 'checksum_mismatch', offset: 12 } });
  assert.ok(err.message.includes('0xdeadbeef'));
});

Encode.run();

const Vectors = suite('messaging/codec test vectors (docs/wire-format.md)');

interface Vector {
  title: string;
  kind: 'message' | 'batch';
  input: WireMessage | WireMessage[];
  bytes: Uint8Array;
}

function vectors(): Vector[] {
  const doc = readFileSync(new URL('../../docs/wire-format.md', import.meta.url), 'utf8');
  const found: Vector[] = [];
  const re = /<!-- vector: (message|batch) -->\s*#+\s*(.+?)\n[\s\S]*?```json\n([\s\S]*?)```[\s\S]*?```hex\n([\s\S]*?)```/g;
  for (const [, kind, title, input, bytes] of doc.matchAll(re)) {
    found.push({ kind: kind as Vector['kind'], title, input: JSON.parse(input), bytes: fromHex(bytes) });
  }
  return found;
}

Vectors('both codecs encode each vector to its exact bytes and decode it back', () => {
  const all = vectors();
  assert.ok(all.length >= 3, `found ${all.length} vectors`);
  for (const v of all) {
    if (v.kind === 'message') {
      const m = v.input as WireMessage;
      assert.is(hex(encodeMessage(m)), hex(v.bytes), v.title);
      assert.is(hex(encodeMessageReference(m)), hex(v.bytes), v.title);
      assert.equal(decodeMessage(v.bytes), m, v.title);
      assert.equal(decodeMessageReference(v.bytes), m, v.title);
    } else {
      const ms = v.input as WireMessage[];
      assert.is(hex(encodeBatch(ms)), hex(v.bytes), v.title);
      assert.is(hex(encodeBatchReference(ms)), hex(v.bytes), v.title);
      assert.equal(decodeBatch(v.bytes).toArray(), ms, v.title);
      assert.equal(decodeBatchReference(v.bytes), ms, v.title);
    }
  }
});

Vectors.run();
