import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FrameError,
  decodeBatch,
  decodeBatchArray,
  decodeBatchReference,
  decodeMessage,
  decodeMessageReference,
  encodeBatch,
  encodeMessage,
  validateBatch,
  type WireMessage,
} from '../../src/index.ts';
import { envelope, uuid, withCrc } from './frames.ts';

/**
 * Thousands of random and mutated frames (bit flips, byte edits, truncations, insertions,
 * length-field and varint edits, with and without a repaired CRC so the structural checks are
 * reached too) thrown at the WASM decoder. Each must end in a valid decode or a `FrameError`,
 * never a trap or any other error, and the TypeScript reference must reach the same verdict:
 * the same messages, or the same reason at the same offset.
 */
const Fuzz = suite('messaging/codec fuzz');

/** Deterministic PRNG (mulberry32) so a failure is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Verdict = { ok: true; messages: WireMessage[] } | { ok: false; reason: string; offset: number; message: string };

function verdict(fn: () => WireMessage[]): Verdict {
  try {
    return { ok: true, messages: fn() };
  } catch (err) {
    if (err instanceof FrameError) return { ok: false, reason: err.reason, offset: err.offset, message: err.message };
    throw err;
  }
}

function check(bytes: Uint8Array, label: string): Verdict {
  const batch = bytes.length > 3 && bytes[3] === 2;
  const wasm = verdict(() => (batch ? decodeBatch(bytes).toArray() : [decodeMessage(bytes)]));
  const ref = verdict(() => (batch ? decodeBatchReference(bytes) : [decodeMessageReference(bytes)]));
  assert.equal(wasm, ref, label);
  if (batch) {
    assert.equal(verdict(() => decodeBatchArray(bytes)), wasm, label);
    // Routing level: refuses what the whole frame refuses outside payloads (with the same
    // error), and any payload failure surfaces, the same, once more than routing is read.
    const routed = verdict(() => {
      const view = decodeBatch(bytes, { validation: 'envelopes' });
      const ids = Array.from({ length: view.length }, (_, i) => view.id(i) + view.recipient(i) + view.priority(i));
      if (wasm.ok) assert.equal(ids, wasm.messages.map((m) => m.id + m.recipient + m.priority), label);
      return view.toArray();
    });
    assert.equal(routed, wasm, label);
  }
  if (batch) {
    let count: number | string;
    try {
      count = validateBatch(bytes);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      count = err.reason;
    }
    assert.is(count, wasm.ok ? wasm.messages.length : wasm.reason, label);
  }
  return wasm;
}

function corpus(): Uint8Array[] {
  const unusual: WireMessage = {
    id: 'job/42',
    sender: 'ağent',
    recipient: '',
    messageType: '🧬',
    payload: { n: [0, -1, -17, 128, 2 ** 40, 1.5, -2.25e-8], s: ['', 'é', '😀'], deep: [[[{ a: null, b: true }]]], t: false },
    priority: 0,
    timeout: 2 ** 32 - 1,
    correlationId: uuid(3),
    attempt: 3,
    timestamp: 5,
  };
  return [
    encodeMessage(envelope(0)),
    encodeMessage(unusual),
    encodeBatch([envelope(1), unusual, envelope(2)]),
    encodeBatch(Array.from({ length: 40 }, (_, i) => envelope(i))),
    encodeBatch([]),
  ];
}

function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(r() * n);
  let b = src.slice();
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    switch (pick(7)) {
      case 0: // bit flip
        b[pick(b.length)] ^= 1 << pick(8);
        break;
      case 1: // random byte
        b[pick(b.length)] = pick(256);
        break;
      case 2: // truncate
        b = b.slice(0, pick(b.length + 1));
        break;
      case 3: {
        // insert random bytes
        const at = pick(b.length + 1);
        const extra = Uint8Array.from({ length: 1 + pick(4) }, () => pick(256));
        b = Uint8Array.from([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
        break;
      }
      case 4: {
        // delete bytes
        const at = pick(b.length);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + pick(3))]);
        break;
      }
      case 5: // length-field edit
        if (b.length >= 8) new DataView(b.buffer).setUint32(4, Math.max(0, b.length + pick(9) - 4), true);
        break;
      default: {
        // make a byte a varint continuation, or a very large one
        const at = 8 + pick(Math.max(1, b.length - 8));
        if (at < b.length) b[at] = r() < 0.5 ? b[at] | 0x80 : 0xff;
      }
    }
    if (b.length === 0) break;
  }
  return b;
}

/** Keeps the declared length equal to the byte count and the CRC right, to reach deeper checks. */
function repaired(b: Uint8Array): Uint8Array {
  const c = b.slice();
  if (c.length >= 8) new DataView(c.buffer).setUint32(4, c.length, true);
  return withCrc(c);
}

Fuzz('mutated valid frames: a valid decode or a FrameError, and the reference agrees', () => {
  const base = corpus();
  const r = rng(0x5eed);
  const reasons = new Map<string, number>();
  let decoded = 0;
  for (let i = 0; i < 2500; i++) {
    const src = base[i % base.length];
    const m = mutate(src, r);
    for (const bytes of [m, repaired(m)]) {
      const v = check(bytes, `case ${i}`);
      if (v.ok) decoded++;
      else reasons.set(v.reason, (reasons.get(v.reason) ?? 0) + 1);
    }
  }
  // The repaired frames must reach well past the checksum into the structural checks.
  assert.ok(reasons.size >= 12, `reasons reached: ${[...reasons.keys()].join(', ')}`);
  assert.ok(decoded > 0, 'some mutations still decode (e.g. a changed string byte)');
});

Fuzz('random bytes, with and without a valid header, length and CRC', () => {
  const r = rng(42);
  for (let i = 0; i < 1500; i++) {
    const len = Math.floor(r() * 96);
    const b = Uint8Array.from({ length: len }, () => Math.floor(r() * 256));
    check(b, `random ${i}`);
    if (len >= 12) {
      b.set([0x48, 0x53, 1, 1 + (i % 2)]);
      check(repaired(b), `headed ${i}`);
    }
  }
});

Fuzz('after all that, the codec still encodes and decodes correctly (no state corrupted)', () => {
  const batch = Array.from({ length: 100 }, (_, i) => envelope(i));
  assert.equal(decodeBatch(encodeBatch(batch)).toArray(), batch);
  assert.equal(decodeMessage(encodeMessage(envelope(7))), envelope(7));
});

Fuzz.run();
