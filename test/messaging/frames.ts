/**
 * Test helpers for the codec: realistic messages, and a byte-level frame builder that can
 * state any field (valid or not) and still give the frame a correct length and CRC, so each
 * rejection can be reached on purpose.
 */
import { crc32cReference } from '../../src/checksum/reference.ts';
import type { WireMessage } from '../../src/messaging/codec-format.ts';

const AGENTS = ['patient_consent_agent', 'data_custodian_agent', 'research_query_agent', 'privacy_agent'];
const TYPES = ['consent_request', 'data_request', 'consent_update'];
const DATA_TYPES = ['demographics', 'lab_results', 'medications', 'vital_signs', 'imaging', 'genomics'];

/** A deterministic v4-shaped UUID. */
export function uuid(i: number): string {
  let h = Math.imul(i + 1, 2654435761) >>> 0;
  let s = '';
  for (let k = 0; k < 32; k++) {
    h = (Math.imul(h ^ (h >>> 15), 2246822519) + k + i) >>> 0;
    s += (h >>> 28).toString(16);
  }
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

/** Message `i` of the envelope (~339 bytes as JSON): consent requests between agents. */
export function envelope(i: number): WireMessage {
  return {
    id: uuid(i),
    sender: AGENTS[i % 2 === 0 ? 0 : 2],
    recipient: AGENTS[1],
    messageType: TYPES[i % 3],
    payload: {
      patient_id: `pt-${String(100000 + ((i * 7919) % 900000)).padStart(6, '0')}`,
      consent: i % 5 !== 0,
      data_types: [0, 1, 2, 3].map((k) => DATA_TYPES[(i + k) % 6]),
    },
    priority: (i % 4) as WireMessage['priority'],
    timeout: 30_000,
    batchKey: `batch-${i % 8}`,
    timestamp: 1_764_380_397_123 + i * 17,
  };
}

/** Unsigned LEB128. */
export function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

export interface FrameParts {
  magic?: number[];
  version?: number;
  kind?: number;
  count?: number;
  strings?: string[];
  /** Overrides the UTF-16 lengths derived from `strings`. */
  lengths?: number[];
  /** Overrides the UTF-8 text derived from `strings`. */
  text?: number[];
  shapes?: number[][];
  base?: number;
  /** Raw bytes of the records section. */
  records?: number[];
  /** Overrides the declared frame length. */
  declared?: number;
  /** Leave the CRC trailer wrong. */
  badCrc?: boolean;
}

/** Assembles a frame from parts; everything not given is valid. */
export function buildFrame(p: FrameParts): Uint8Array {
  const strings = p.strings ?? [];
  const text = p.text ?? [...new TextEncoder().encode(strings.join(''))];
  const body: number[] = [
    ...varint(p.count ?? 1),
    ...varint(p.lengths?.length ?? strings.length),
    ...varint(p.shapes?.length ?? 0),
    ...varint(text.length),
    ...varint(p.base ?? 0),
    ...(p.lengths ?? strings.map((s) => s.length)).flatMap(varint),
    ...text,
    ...(p.shapes ?? []).flatMap((keys) => [...varint(keys.length), ...keys.flatMap(varint)]),
    ...(p.records ?? []),
  ];
  const total = 8 + body.length + 4;
  const bytes = new Uint8Array(total);
  bytes.set(p.magic ?? [0x48, 0x53]);
  bytes[2] = p.version ?? 1;
  bytes[3] = p.kind ?? 1;
  new DataView(bytes.buffer).setUint32(4, p.declared ?? total, true);
  bytes.set(body, 8);
  return p.badCrc ? bytes : withCrc(bytes);
}

/** Recomputes the CRC trailer over everything before it (the declared length decides where). */
export function withCrc(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 12) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(view.getUint32(4, true), bytes.length) - 4;
  if (end < 8) return bytes;
  view.setUint32(end, crc32cReference(bytes.subarray(0, end)), true);
  return bytes;
}

export interface RecordParts {
  flags?: number;
  priority?: number;
  /** 16 bytes (a UUID), or text (UTF-8 length and bytes). */
  id?: number[] | string;
  sender?: number;
  recipient?: number;
  type?: number;
  timeout?: number;
  batchKey?: number;
  correlation?: number[] | string;
  /** Zigzag-encoded timestamp delta, raw. */
  timestamp?: number;
  attempt?: number;
  payload?: number[];
  /** Overrides the payload length. */
  payloadLength?: number;
}

/** One record's bytes; flags follow from the fields given unless stated. */
export function record(r: RecordParts): number[] {
  const id = r.id ?? '';
  const literal = (text: string) => {
    const bytes = [...new TextEncoder().encode(text)];
    return [...varint(bytes.length), ...bytes];
  };
  const flags =
    r.flags ??
    ((Array.isArray(id) ? 0x01 : 0) |
      (r.batchKey !== undefined ? 0x02 : 0) |
      (r.correlation !== undefined ? 0x04 : 0) |
      (Array.isArray(r.correlation) ? 0x08 : 0) |
      (r.timestamp !== undefined ? 0x10 : 0) |
      (r.attempt !== undefined ? 0x20 : 0));
  const payload = r.payload ?? [0xc0];
  return [
    flags,
    r.priority ?? 1,
    ...(Array.isArray(id) ? id : literal(id)),
    ...varint(r.sender ?? 0),
    ...varint(r.recipient ?? 0),
    ...varint(r.type ?? 0),
    ...varint(r.timeout ?? 1000),
    ...(r.batchKey !== undefined ? varint(r.batchKey) : []),
    ...(r.correlation === undefined ? [] : Array.isArray(r.correlation) ? r.correlation : literal(r.correlation)),
    ...(r.timestamp !== undefined ? varint(r.timestamp) : []),
    ...(r.attempt !== undefined ? varint(r.attempt) : []),
    ...varint(r.payloadLength ?? payload.length),
    ...payload,
  ];
}

/** A minimal valid single-message frame around `r` with strings ['a']. */
export function messageFrame(r: RecordParts = {}, parts: FrameParts = {}): Uint8Array {
  return buildFrame({ strings: ['a'], records: record(r), ...parts });
}

export const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
export const fromHex = (text: string) => Uint8Array.from(text.trim().split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));
