/**
 * The message codec side by side with the anchors, in one run: JSON.stringify/parse,
 * msgpackr (plain, records, shared structures) and cbor-x (shared structures), on the issue's
 * envelope (~339 bytes as JSON). One envelope and a 1,000-message batch, encode + full decode;
 * validate-only of a batch and reading its routing fields (at both validation levels, with
 * index accessors and with MessageViews); what a JSON or MessagePack payload alone would cost
 * (the payload-encoding choice). Bytes per message go in as figures.
 */
import { Encoder as CborEncoder } from 'cbor-x';
import { bench, do_not_optimize, group, summary } from 'mitata';
import { Packr } from 'msgpackr';
import { isDeepStrictEqual } from 'node:util';
import {
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
import { recordFigure, runBenchmarks } from '../harness.ts';
import { envelope } from '../../test/messaging/frames.ts';

const N = 1000;
/** As a server holds them: parsed from the JSON bodies agents send. */
const asReceived = (m: WireMessage): WireMessage => JSON.parse(JSON.stringify(m));
const BATCH: WireMessage[] = Array.from({ length: N }, (_, i) => asReceived(envelope(i)));
const ONE = asReceived(envelope(7));

interface Contender {
  name: string;
  encode(messages: WireMessage[]): Uint8Array | string;
  decode(bytes: Uint8Array | string): WireMessage[];
  encodeOne(message: WireMessage): Uint8Array | string;
  decodeOne(bytes: Uint8Array | string): WireMessage;
}

const utf8 = new TextEncoder();
const size = (b: Uint8Array | string) => (typeof b === 'string' ? utf8.encode(b).length : b.length);

function packr(name: string, p: Packr | CborEncoder): Contender {
  return {
    name,
    encode: (ms) => p.encode(ms),
    decode: (b) => p.decode(b as Uint8Array),
    encodeOne: (m) => p.encode(m),
    decodeOne: (b) => p.decode(b as Uint8Array),
  };
}

const OURS: Contender = {
  name: 'HealthSync frame (WASM)',
  encode: encodeBatch,
  decode: (b) => decodeBatchArray(b as Uint8Array),
  encodeOne: encodeMessage,
  decodeOne: (b) => decodeMessage(b as Uint8Array),
};
const REFERENCE: Contender = {
  name: 'HealthSync frame (TS reference)',
  encode: encodeBatchReference,
  decode: (b) => decodeBatchReference(b as Uint8Array),
  encodeOne: encodeMessageReference,
  decodeOne: (b) => decodeMessageReference(b as Uint8Array),
};
const JSON_TEXT: Contender = {
  name: 'JSON.stringify/parse',
  encode: (ms) => JSON.stringify(ms),
  decode: (s) => JSON.parse(s as string),
  encodeOne: (m) => JSON.stringify(m),
  decodeOne: (s) => JSON.parse(s as string),
};
const MSGPACK_SHARED = packr('msgpackr shared structures', new Packr({ structures: [] }));
const CONTENDERS: Contender[] = [
  OURS,
  REFERENCE,
  JSON_TEXT,
  packr('msgpackr plain', new Packr({ useRecords: false })),
  packr('msgpackr records', new Packr({ useRecords: true })),
  MSGPACK_SHARED,
  packr('cbor-x shared structures', new CborEncoder({ structures: [] })),
];

// Correctness first: every contender round-trips the fixtures exactly.
for (const c of CONTENDERS) {
  if (!isDeepStrictEqual(c.decode(c.encode(BATCH)), BATCH)) throw new Error(`${c.name} does not round-trip the batch`);
  if (!isDeepStrictEqual(c.decodeOne(c.encodeOne(ONE)), ONE)) throw new Error(`${c.name} does not round-trip one message`);
  recordFigure(`bytes per message, ${N}-message batch / ${c.name}`, size(c.encode(BATCH)) / N, 'bytes');
  recordFigure(`bytes, one envelope / ${c.name}`, size(c.encodeOne(ONE)), 'bytes');
}
recordFigure('JSON bytes of the fixture envelope', utf8.encode(JSON.stringify(ONE)).length, 'bytes');

group('one envelope, encode + decode', () => {
  summary(() => {
    for (const c of CONTENDERS) bench(c.name, () => do_not_optimize(c.decodeOne(c.encodeOne(ONE))));
  });
});

group('one envelope, encode', () => {
  summary(() => {
    for (const c of [OURS, MSGPACK_SHARED]) bench(c.name, () => do_not_optimize(c.encodeOne(ONE)));
  });
});

group('one envelope, decode', () => {
  summary(() => {
    for (const c of [OURS, MSGPACK_SHARED]) {
      const bytes = c.encodeOne(ONE);
      bench(c.name, () => do_not_optimize(c.decodeOne(bytes)));
    }
  });
});

group(`${N}-message batch, encode + full decode`, () => {
  summary(() => {
    for (const c of CONTENDERS) bench(c.name, () => do_not_optimize(c.decode(c.encode(BATCH))));
  });
});

group(`${N}-message batch, encode`, () => {
  summary(() => {
    for (const c of [OURS, JSON_TEXT, MSGPACK_SHARED]) bench(c.name, () => do_not_optimize(c.encode(BATCH)));
  });
});

group(`${N}-message batch, full decode`, () => {
  summary(() => {
    for (const c of [OURS, JSON_TEXT, MSGPACK_SHARED]) {
      const bytes = c.encode(BATCH);
      bench(c.name, () => do_not_optimize(c.decode(bytes)));
    }
    const frame = encodeBatch(BATCH);
    bench('HealthSync decodeBatch(...).toArray() (lazy views, then all)', () => do_not_optimize(decodeBatch(frame).toArray()));
  });
});

// Reading the routing fields of every message of a validated batch, against the anchor's
// full decode (msgpackr has no way to validate or route without decoding everything).
const FRAME = encodeBatch(BATCH);
const MSGPACK_BYTES = MSGPACK_SHARED.encode(BATCH);
for (const validation of ['frame', 'envelopes'] as const) {
  const batch = decodeBatch(FRAME, { validation });
  for (let i = 0; i < N; i++) {
    const m = BATCH[i];
    if (batch.id(i) !== m.id || batch.recipient(i) !== m.recipient || batch.messageType(i) !== m.messageType || batch.priority(i) !== m.priority) {
      throw new Error(`decodeBatch(${validation}) routing fields differ at message ${i}`);
    }
  }
}
let routed = 0;
function route(id: string, recipient: string, type: string, priority: number): void {
  routed += id.length + recipient.length + type.length + priority;
}
group(`${N}-message batch, validate + read routing fields (id, recipient, type, priority)`, () => {
  summary(() => {
    bench("HealthSync decodeBatch(validation: 'envelopes') + index accessors (WASM)", () => {
      const batch = decodeBatch(FRAME, { validation: 'envelopes' });
      for (let i = 0; i < batch.length; i++) route(batch.id(i), batch.recipient(i), batch.messageType(i), batch.priority(i));
    });
    bench('HealthSync decodeBatch (whole frame) + index accessors (WASM)', () => {
      const batch = decodeBatch(FRAME);
      for (let i = 0; i < batch.length; i++) route(batch.id(i), batch.recipient(i), batch.messageType(i), batch.priority(i));
    });
    bench('HealthSync decodeBatch (whole frame) + MessageViews (WASM)', () => {
      const batch = decodeBatch(FRAME);
      for (let i = 0; i < batch.length; i++) {
        const m = batch.get(i);
        route(m.id, m.recipient, m.messageType, m.priority);
      }
    });
    bench('HealthSync validateBatch only, whole frame (WASM)', () => do_not_optimize(validateBatch(FRAME)));
    bench('HealthSync TS reference, full decode', () => {
      for (const m of decodeBatchReference(FRAME)) route(m.id, m.recipient, m.messageType, m.priority);
    });
    bench('msgpackr shared structures, full decode', () => {
      for (const m of MSGPACK_SHARED.decode(MSGPACK_BYTES)) route(m.id, m.recipient, m.messageType, m.priority);
    });
  });
});

// The payload-encoding choice: what JSON text or MessagePack would cost for the payloads alone.
const PAYLOADS = BATCH.map((m) => m.payload);
const text = new TextEncoder();
const fromText = new TextDecoder();
const payloadPackr = new Packr({ useRecords: false });
const payloadRecords = new Packr({ structures: [] });
group(`payload encoding choice: ${N} payloads alone, encode + decode`, () => {
  summary(() => {
    bench('JSON text (stringify + UTF-8 + parse)', () => {
      for (const p of PAYLOADS) do_not_optimize(JSON.parse(fromText.decode(text.encode(JSON.stringify(p)))));
    });
    bench('MessagePack (msgpackr plain)', () => {
      for (const p of PAYLOADS) do_not_optimize(payloadPackr.unpack(payloadPackr.pack(p)));
    });
    bench('MessagePack (msgpackr shared structures)', () => {
      for (const p of PAYLOADS) do_not_optimize(payloadRecords.unpack(payloadRecords.pack(p)));
    });
    bench('whole HealthSync batch, envelopes included (WASM)', () => do_not_optimize(decodeBatchArray(encodeBatch(BATCH))));
  });
});

await runBenchmarks(import.meta.url);
if (routed === 0) throw new Error('routing benchmark did not run');
