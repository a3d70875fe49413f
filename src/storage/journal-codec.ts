/**
 * The journal's bytes. One committed write transaction is one record: its sequence number,
 * the seed its `random()` calls used (if any), and each statement it ran with the pinned clock,
 * parameters and change count (checked again on replay, so a divergent replay is caught).
 *
 * On a medium a record travels in a frame — magic, length, CRC-32C over length and payload —
 * and `scanFrames` tells a torn tail (a crash mid-append: reported, then cut off) from
 * corruption in the middle (valid frames after a bad one: an error, never skipped).
 */
import { crc32c } from '../checksum/index.ts';
import type { SqlParams, SqlValue } from './connection.ts';
import { StorageError } from './errors.ts';

export type JournalOp =
  | { kind: 'run'; sql: string; clock: number; changes: number; params: SqlParams | undefined }
  | { kind: 'batch'; sql: string; clock: number; changes: number; rows: readonly SqlParams[] }
  | { kind: 'exec'; sql: string; clock: number; changes: number };

export interface JournalRecord {
  seq: number;
  /** 16 bytes, present when a statement called `random()` or `randomblob()`. */
  seed: Uint8Array | undefined;
  ops: JournalOp[];
}

/** A framed record as backends store it. */
export interface JournalEntry {
  seq: number;
  /** The whole frame: header and payload. */
  frame: Uint8Array;
}

const FORMAT = 1;
const OP_CODE = { run: 1, batch: 2, exec: 3 } as const;
const enum Tag { Null, Int32, Float, Int64, Text, Blob, True, False }
const enum Form { None, Positional, Named }

/** Frame magic "HSJ1" (little-endian u32). */
export const FRAME_MAGIC = 0x314a5348;
export const FRAME_HEADER = 12;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Appends typed values to a growable buffer. */
export class ByteWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#room(1);
    this.#buf[this.length++] = v;
  }

  u32(v: number): void {
    this.#room(4);
    this.#view.setUint32(this.length, v, true);
    this.length += 4;
  }

  /** A tag byte and an int32, with one bounds check. */
  tagged32(tag: number, v: number): void {
    this.#room(5);
    this.#buf[this.length] = tag;
    this.#view.setInt32(this.length + 1, v, true);
    this.length += 5;
  }

  /** A tag byte and a float64, with one bounds check. */
  tagged64(tag: number, v: number): void {
    this.#room(9);
    this.#buf[this.length] = tag;
    this.#view.setFloat64(this.length + 1, v, true);
    this.length += 9;
  }

  /** Makes room for at least `n` more bytes up front (batches know roughly how much they need). */
  reserve(n: number): void {
    this.#room(n);
  }

  i32(v: number): void {
    this.#room(4);
    this.#view.setInt32(this.length, v, true);
    this.length += 4;
  }

  f64(v: number): void {
    this.#room(8);
    this.#view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  i64(v: bigint): void {
    this.#room(8);
    this.#view.setBigInt64(this.length, v, true);
    this.length += 8;
  }

  varint(v: number): void {
    while (v >= 0x80) {
      this.u8((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.u8(v);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.#room(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }

  /** A tag byte then `text(s)`. */
  taggedText(tag: number, s: string): void {
    this.#room(s.length * 3 + 6);
    this.#buf[this.length++] = tag;
    this.text(s);
  }

  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; write in place, then the varint length before it.
    const max = s.length * 3;
    this.#room(max + 5);
    if (max < 128) {
      const buf = this.#buf;
      const at = this.length + 1;
      let n = 0;
      for (; n < s.length; n++) {
        const c = s.charCodeAt(n);
        if (c >= 0x80) break;
        buf[at + n] = c;
      }
      if (n < s.length) n += textEncoder.encodeInto(s.slice(n), buf.subarray(at + n, at + max)).written;
      buf[this.length] = n;
      this.length = at + n;
      return;
    }
    this.bytes(textEncoder.encode(s));
  }

  raw(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }

  /** The bytes written so far (a view: copy before writing more). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.length);
  }
}

class ByteReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  pos = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  #need(n: number): void {
    if (this.pos + n > this.#buf.length) throw new RangeError('journal record truncated');
  }

  u8(): number {
    this.#need(1);
    return this.#buf[this.pos++];
  }

  i32(): number {
    this.#need(4);
    const v = this.#view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.#need(8);
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64(): bigint {
    this.#need(8);
    const v = this.#view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
  }

  bytes(): Uint8Array {
    const n = this.varint();
    this.#need(n);
    const out = this.#buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  text(): string {
    const n = this.varint();
    this.#need(n);
    const s = textDecoder.decode(this.#buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  get done(): boolean {
    return this.pos === this.#buf.length;
  }
}

function writeValue(w: ByteWriter, v: SqlValue): void {
  switch (typeof v) {
    case 'number':
      if (v === (v | 0)) w.tagged32(Tag.Int32, v);
      else w.tagged64(Tag.Float, v);
      return;
    case 'string':
      w.taggedText(Tag.Text, v);
      return;
    case 'bigint':
      w.u8(Tag.Int64);
      w.i64(v);
      return;
    case 'boolean':
      w.u8(v ? Tag.True : Tag.False);
      return;
    default:
      if (v === null) {
        w.u8(Tag.Null);
      } else {
        w.u8(Tag.Blob);
        w.bytes(v);
      }
  }
}

function readValue(r: ByteReader): SqlValue {
  const tag = r.u8();
  switch (tag) {
    case Tag.Null: return null;
    case Tag.Int32: return r.i32();
    case Tag.Float: return r.f64();
    case Tag.Int64: return r.i64();
    case Tag.Text: return r.text();
    case Tag.Blob: return r.bytes();
    case Tag.True: return true;
    case Tag.False: return false;
    default: throw new RangeError(`unknown value tag ${tag}`);
  }
}

function writeParams(w: ByteWriter, params: SqlParams | undefined): void {
  if (params == null) {
    w.u8(Form.None);
  } else if (Array.isArray(params)) {
    w.u8(Form.Positional);
    w.varint(params.length);
    for (let i = 0; i < params.length; i++) writeValue(w, params[i]);
  } else {
    const keys = Object.keys(params);
    w.u8(Form.Named);
    w.varint(keys.length);
    for (const k of keys) {
      w.text(k);
      writeValue(w, (params as Record<string, SqlValue>)[k]);
    }
  }
}

function readParams(r: ByteReader): SqlParams | undefined {
  const form = r.u8();
  if (form === Form.None) return undefined;
  const n = r.varint();
  if (form === Form.Positional) {
    const out: SqlValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = readValue(r);
    return out;
  }
  if (form !== Form.Named) throw new RangeError(`unknown parameter form ${form}`);
  const out: Record<string, SqlValue> = {};
  for (let i = 0; i < n; i++) {
    const k = r.text();
    // defineProperty, not assignment: a key named __proto__ must stay a key.
    Object.defineProperty(out, k, { value: readValue(r), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Encodes a transaction's operations as they run, so caller-owned parameter arrays are copied
 * at once; `finish()` adds the header and frames the record.
 */
export class RecordBuilder {
  readonly #ops = new ByteWriter();
  count = 0;
  seed: Uint8Array | undefined;

  run(sql: string, clock: number, changes: number, params: SqlParams | undefined): void {
    this.#op('run', sql, clock, changes);
    writeParams(this.#ops, params);
  }

  batch(sql: string, clock: number, changes: number, rows: readonly SqlParams[]): void {
    this.#op('batch', sql, clock, changes);
    this.#ops.reserve(rows.length * 32);
    this.#ops.varint(rows.length);
    for (let i = 0; i < rows.length; i++) writeParams(this.#ops, rows[i]);
  }

  exec(sql: string, clock: number): void {
    this.#op('exec', sql, clock, 0);
  }

  #op(kind: keyof typeof OP_CODE, sql: string, clock: number, changes: number): void {
    this.count++;
    this.#ops.u8(OP_CODE[kind]);
    this.#ops.f64(clock);
    this.#ops.text(sql);
    this.#ops.varint(changes);
  }

  /** The framed record with sequence number `seq`. */
  finish(seq: number): JournalEntry {
    const w = new ByteWriter();
    w.u32(FRAME_MAGIC);
    w.u32(0);
    w.u32(0);
    w.u8(FORMAT);
    w.f64(seq);
    w.u8(this.seed ? 1 : 0);
    if (this.seed) w.raw(this.seed);
    w.varint(this.count);
    w.raw(this.#ops.view());
    const frame = w.view().slice();
    sealFrame(frame);
    return { seq, frame };
  }
}

/** Writes length and CRC into a frame whose payload is in place. */
function sealFrame(frame: Uint8Array): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  view.setUint32(4, frame.length - FRAME_HEADER, true);
  view.setUint32(8, frameCrc(frame, FRAME_HEADER, frame.length), true);
}

/** CRC-32C over a frame's length field and payload. */
function frameCrc(buf: Uint8Array, payloadStart: number, payloadEnd: number): number {
  return crc32c(buf.subarray(payloadStart, payloadEnd), crc32c(buf.subarray(payloadStart - 8, payloadStart - 4)));
}

/** Decodes a frame's payload (already CRC-checked) into a record. */
export function decodeRecord(payload: Uint8Array): JournalRecord {
  const r = new ByteReader(payload);
  const format = r.u8();
  if (format !== FORMAT) throw new RangeError(`unknown journal record format ${format}`);
  const seq = r.f64();
  const seed = r.u8() & 1 ? (() => { const s = new Uint8Array(16); for (let i = 0; i < 16; i++) s[i] = r.u8(); return s; })() : undefined;
  const n = r.varint();
  const ops: JournalOp[] = [];
  for (let i = 0; i < n; i++) {
    const code = r.u8();
    const clock = r.f64();
    const sql = r.text();
    const changes = r.varint();
    if (code === OP_CODE.run) {
      ops.push({ kind: 'run', sql, clock, changes, params: readParams(r) });
    } else if (code === OP_CODE.batch) {
      const count = r.varint();
      const rows: SqlParams[] = new Array(count);
      for (let k = 0; k < count; k++) rows[k] = readParams(r) ?? [];
      ops.push({ kind: 'batch', sql, clock, changes, rows });
    } else if (code === OP_CODE.exec) {
      ops.push({ kind: 'exec', sql, clock, changes });
    } else {
      throw new RangeError(`unknown journal op ${code}`);
    }
  }
  if (!r.done) throw new RangeError('trailing bytes in journal record');
  return { seq, seed, ops };
}

/** The sequence number of a frame's record, read without decoding the rest. */
export function frameSeq(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getFloat64(1, true);
}

export interface TornTail {
  /** Byte offset where the unreadable tail starts. */
  offset: number;
  /** Bytes from there to the end. */
  bytes: number;
  reason: string;
}

export interface ScanResult {
  /** Payloads of the valid frames, in order (views into the scanned bytes). */
  payloads: Uint8Array[];
  /** Bytes covered by valid frames (where the next append belongs). */
  validLength: number;
  tail: TornTail | undefined;
}

/** Checks the frame at `off`; returns its end offset, or a reason it is not a valid frame. */
function checkFrame(buf: Uint8Array, view: DataView, off: number): number | string {
  if (buf.length - off < FRAME_HEADER) return 'partial frame header';
  if (view.getUint32(off, true) !== FRAME_MAGIC) return 'bad frame magic';
  const len = view.getUint32(off + 4, true);
  const end = off + FRAME_HEADER + len;
  if (end > buf.length) return `frame length ${len} runs past the end`;
  if (view.getUint32(off + 8, true) !== frameCrc(buf, off + FRAME_HEADER, end)) return 'checksum mismatch';
  return end;
}

/**
 * Splits `buf` into frames. A bad frame with no valid frame anywhere after it is the torn tail
 * of an interrupted append (returned, for the caller to report and cut off); a bad frame
 * followed by a valid one is corruption, and throws naming `source` and the offset.
 *
 * @example
 * const { payloads, tail } = scanFrames(bytes, 'journal-0000000000000001.hsj');
 */
export function scanFrames(buf: Uint8Array, source: string): ScanResult {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const payloads: Uint8Array[] = [];
  let off = 0;
  while (off < buf.length) {
    const end = checkFrame(buf, view, off);
    if (typeof end === 'string') {
      const later = findValidFrame(buf, view, off + 1);
      if (later >= 0) {
        throw new StorageError(
          'journal_corrupt',
          `${source}: corrupt record at byte ${off} (${end}) followed by a valid record at byte ${later}; refusing to skip committed writes`,
        );
      }
      return { payloads, validLength: off, tail: { offset: off, bytes: buf.length - off, reason: end } };
    }
    payloads.push(buf.subarray(off + FRAME_HEADER, end));
    off = end;
  }
  return { payloads, validLength: off, tail: undefined };
}

function findValidFrame(buf: Uint8Array, view: DataView, from: number): number {
  const first = FRAME_MAGIC & 0xff;
  for (let i = buf.indexOf(first, from); i >= 0; i = buf.indexOf(first, i + 1)) {
    if (typeof checkFrame(buf, view, i) === 'number') return i;
  }
  return -1;
}

/** Checks one stored frame (a Durable Object value) and returns its payload, or why not. */
export function openFrame(frame: Uint8Array): Uint8Array | string {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const end = checkFrame(frame, view, 0);
  if (typeof end === 'string') return end;
  if (end !== frame.length) return 'trailing bytes after frame';
  return frame.subarray(FRAME_HEADER, end);
}
