/**
 * Pure-TypeScript reference codec of the HealthSync frame (`docs/wire-format.md`): the test
 * oracle for the WASM codec (same bytes out, same rejection code, offset and detail for any
 * input) and the benchmark baseline that shows what WASM buys. Written for clarity, straight
 * from the specification: a growable byte writer, a sequential reader, recursion.
 */
import { crc32cReference } from '../checksum/reference.ts';
import { STATUS } from '../shared/status.ts';
import { ValidationError } from '../shared/errors.ts';
import {
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
  F_CORRELATION_UUID,
  F_ID_UUID,
  F_RESERVED,
  F_TIMESTAMP,
  FRAME_VERSION,
  HEADER_BYTES,
  KIND_BATCH,
  KIND_MESSAGE,
  MAX_ATTEMPT,
  MAX_BATCH_MESSAGES,
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_DEPTH,
  MAX_TIMEOUT,
  MAX_TIMESTAMP,
  MAX_VARINT,
  MIN_FRAME_BYTES,
  TRAILER_BYTES,
  T_ARRAY,
  T_ARRAY_SHORT,
  T_FALSE,
  T_FLOAT,
  T_NINT,
  T_NULL,
  T_OBJECT,
  T_OBJECT_SHORT,
  T_STR,
  T_STR_SHORT,
  T_TRUE,
  T_UINT,
  UUID_PATTERN,
  checkMessage,
  checkPayload,
  isPlainObject,
  wellFormed,
  type WireMessage,
} from './codec-format.ts';
import { FrameError } from './frame-error.ts';

const utf8 = new TextEncoder();

class ByteWriter {
  bytes = new Uint8Array(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(b: number): void {
    this.room(1);
    this.bytes[this.length++] = b;
  }

  varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  float(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.raw(b);
  }

  /** Index < `limit`: one byte `short | index`; else `long` and a varint. */
  ref(index: number, short: number, limit: number, long: number): void {
    if (index < limit) this.byte(short | index);
    else {
      this.byte(long);
      this.varint(index);
    }
  }

  int(v: number): void {
    if (v >= 0 && v < 0x80) this.byte(v);
    else if (v >= 0) {
      this.byte(T_UINT);
      this.varint(v);
    } else if (v >= -16) this.byte(0x100 + v);
    else {
      this.byte(T_NINT);
      this.varint(-v);
    }
  }

  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function uuidBytes(id: string): Uint8Array {
  const hex = id.replaceAll('-', '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

function uuidText(b: Uint8Array): string {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Strings and shapes of one frame, numbered in order of first use. */
class Tables {
  strings: string[] = [];
  private index = new Map<string, number>();
  shapes: number[][] = [];
  private shapeIndex = new Map<string, number>();

  string(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(wellFormed(s));
      this.index.set(s, i);
    }
    return i;
  }

  shape(keys: string[]): number {
    const name = JSON.stringify(keys);
    let i = this.shapeIndex.get(name);
    if (i === undefined) {
      i = this.shapes.length;
      this.shapes.push(keys.map((k) => this.string(k)));
      this.shapeIndex.set(name, i);
    }
    return i;
  }
}

/** Thrown inside the payload walk; the caller names the exact value with `checkPayload`. */
const NOT_JSON = Symbol('not JSON');

function writeValue(v: unknown, depth: number, out: ByteWriter, t: Tables): void {
  switch (typeof v) {
    case 'string':
      out.ref(t.string(v), T_STR_SHORT, 64, T_STR);
      return;
    case 'boolean':
      out.byte(v ? T_TRUE : T_FALSE);
      return;
    case 'number':
      if (!Number.isFinite(v)) throw NOT_JSON;
      if (Number.isInteger(v) && Math.abs(v) <= MAX_VARINT) out.int(v === 0 ? 0 : v);
      else {
        out.byte(T_FLOAT);
        out.float(v);
      }
      return;
    case 'object': {
      if (v === null) {
        out.byte(T_NULL);
        return;
      }
      if (depth >= MAX_PAYLOAD_DEPTH) throw NOT_JSON;
      if (Array.isArray(v)) {
        out.ref(v.length, T_ARRAY_SHORT, 16, T_ARRAY);
        for (const item of v) writeValue(item, depth + 1, out, t);
        return;
      }
      if (!isPlainObject(v)) throw NOT_JSON;
      // Keys are numbered before their values; the shape once all its values are written.
      const keys = Object.keys(v);
      const values = new ByteWriter();
      for (const k of keys) {
        t.string(k);
        writeValue((v as Record<string, unknown>)[k], depth + 1, values, t);
      }
      out.ref(t.shape(keys), T_OBJECT_SHORT, 16, T_OBJECT);
      out.raw(values.done());
      return;
    }
    default:
      throw NOT_JSON;
  }
}

/** An id: 16 bytes if it is a canonical UUID, else its UTF-8 length and bytes. */
function writeId(id: string, uuid: boolean, out: ByteWriter): void {
  if (uuid) {
    out.raw(uuidBytes(id));
    return;
  }
  const bytes = utf8.encode(wellFormed(id));
  out.varint(bytes.length);
  out.raw(bytes);
}

function writeRecord(m: WireMessage, base: number, out: ByteWriter, t: Tables, path: string): void {
  checkMessage(m, path);
  const idUuid = UUID_PATTERN.test(m.id);
  const hasCorrelation = m.correlationId !== undefined;
  const correlationUuid = hasCorrelation && UUID_PATTERN.test(m.correlationId!);
  const flags =
    (idUuid ? F_ID_UUID : 0) |
    (m.batchKey !== undefined ? F_BATCH_KEY : 0) |
    (hasCorrelation ? F_CORRELATION : 0) |
    (correlationUuid ? F_CORRELATION_UUID : 0) |
    (m.timestamp !== undefined ? F_TIMESTAMP : 0) |
    (m.attempt !== undefined ? F_ATTEMPT : 0);
  out.byte(flags);
  out.byte(m.priority);
  writeId(m.id, idUuid, out);
  out.varint(t.string(m.sender));
  out.varint(t.string(m.recipient));
  out.varint(t.string(m.messageType));
  out.varint(m.timeout);
  if (m.batchKey !== undefined) out.varint(t.string(m.batchKey));
  if (hasCorrelation) writeId(m.correlationId!, correlationUuid, out);
  if (m.timestamp !== undefined) {
    const delta = m.timestamp - base;
    out.varint(delta >= 0 ? delta * 2 : -delta * 2 - 1);
  }
  if (m.attempt !== undefined) out.varint(m.attempt);
  const payload = new ByteWriter();
  try {
    writeValue(m.payload, 0, payload, t);
  } catch (err) {
    if (err === NOT_JSON) checkPayload(m.payload, path);
    throw err;
  }
  out.varint(payload.length);
  out.raw(payload.done());
}

function encodeFrame(messages: readonly WireMessage[], kind: number, single: boolean): Uint8Array {
  if (messages.length > MAX_BATCH_MESSAGES) {
    throw new ValidationError(`a batch holds at most ${MAX_BATCH_MESSAGES} messages, got ${messages.length}`, 'messages');
  }
  const t = new Tables();
  const records = new ByteWriter();
  const base = messages.find((m) => m?.timestamp !== undefined)?.timestamp ?? 0;
  messages.forEach((m, i) => writeRecord(m, base, records, t, single ? '' : `messages[${i}]`));

  const out = new ByteWriter();
  out.raw(Uint8Array.of(0x48, 0x53, FRAME_VERSION, kind, 0, 0, 0, 0));
  const text = utf8.encode(t.strings.join(''));
  out.varint(messages.length);
  out.varint(t.strings.length);
  out.varint(t.shapes.length);
  out.varint(text.length);
  out.varint(base);
  for (const s of t.strings) out.varint(s.length);
  out.raw(text);
  for (const keys of t.shapes) {
    out.varint(keys.length);
    for (const k of keys) out.varint(k);
  }
  out.raw(records.done());
  const total = out.length + TRAILER_BYTES;
  if (total > MAX_FRAME_BYTES) {
    throw new ValidationError(`the messages encode to ${total} bytes, above the ${MAX_FRAME_BYTES}-byte frame limit`, 'messages');
  }
  const frame = new Uint8Array(total);
  frame.set(out.bytes.subarray(0, out.length));
  const view = new DataView(frame.buffer);
  view.setUint32(4, total, true);
  view.setUint32(total - TRAILER_BYTES, crc32cReference(frame.subarray(0, total - TRAILER_BYTES)), true);
  return frame;
}

/**
 * Encodes one message as a single-message frame.
 *
 * @example
 * const bytes = encodeMessageReference({ id, sender: 'a', recipient: 'b', messageType: 't', payload: {}, priority: 1, timeout: 1000 });
 */
export function encodeMessageReference(message: WireMessage): Uint8Array {
  return encodeFrame([message], KIND_MESSAGE, true);
}

/** Encodes messages as one batch frame. */
export function encodeBatchReference(messages: readonly WireMessage[]): Uint8Array {
  return encodeFrame(messages, KIND_BATCH, false);
}

const S = STATUS;
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** A sequential reader over one frame; every failure throws a `FrameError`. */
class FrameReader {
  pos = HEADER_BYTES;
  strings: string[] = [];
  shapes: string[][] = [];
  private view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(code: number, at: number, detail = 0): never {
    throw new FrameError(code, at, detail);
  }

  varint(end: number, overrun: number): number {
    const start = this.pos;
    let value = 0;
    for (let i = 0; ; i++) {
      const p = start + i;
      if (p >= end) this.fail(overrun, start);
      if (i === 8) this.fail(S.ERR_FRAME_VARINT, start);
      const b = this.bytes[p];
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if ((b === 0 && i > 0) || value > MAX_VARINT) this.fail(S.ERR_FRAME_VARINT, start);
        this.pos = p + 1;
        return value;
      }
    }
  }

  /** A count or length that must leave room for at least one byte per unit. */
  bounded(end: number): number {
    const at = this.pos;
    const n = this.varint(end, S.ERR_FRAME_BOUNDS);
    if (n > end - this.pos) this.fail(S.ERR_FRAME_BOUNDS, at, n);
    return n;
  }

  string(end: number): string {
    const at = this.pos;
    const i = this.varint(end, S.ERR_FRAME_BOUNDS);
    if (i >= this.strings.length) this.fail(S.ERR_FRAME_STRING_REF, at, i);
    return this.strings[i];
  }

  /** An id: 16 UUID bytes, else a UTF-8 byte length and the text. */
  id(end: number, uuid: boolean): string {
    const at = this.pos;
    if (uuid) {
      if (end - at < 16) this.fail(S.ERR_FRAME_BOUNDS, at);
      this.pos = at + 16;
      return uuidText(this.bytes.subarray(at, at + 16));
    }
    const n = this.varint(end, S.ERR_FRAME_BOUNDS);
    if (n > end - this.pos) this.fail(S.ERR_FRAME_BOUNDS, at, n);
    const from = this.pos;
    const { errorAt } = checkUtf8(this.bytes, from, from + n);
    if (errorAt >= 0) this.fail(S.ERR_FRAME_UTF8, errorAt);
    this.pos = from + n;
    return decoder.decode(this.bytes.subarray(from, from + n));
  }

  ranged(end: number, max: number): number {
    const at = this.pos;
    const v = this.varint(end, S.ERR_FRAME_BOUNDS);
    if (v > max) this.fail(S.ERR_FRAME_RANGE, at, v);
    return v;
  }

  value(end: number, depth: number): unknown {
    const at = this.pos;
    if (at >= end) this.fail(S.ERR_FRAME_PAYLOAD_LENGTH, at);
    const tag = this.bytes[at];
    this.pos = at + 1;
    if (tag < 0x80) return tag;
    if (tag < 0xc0) return this.stringRef(tag - T_STR_SHORT, at);
    if (tag >= 0xf0) return tag - 0x100;
    if (tag >= T_OBJECT_SHORT) return this.object(tag & 15, at, end, depth);
    if (tag >= T_ARRAY_SHORT) return this.array(tag & 15, at, end, depth);
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_UINT:
        return this.varint(end, S.ERR_FRAME_PAYLOAD_LENGTH);
      case T_NINT: {
        const n = this.varint(end, S.ERR_FRAME_PAYLOAD_LENGTH);
        if (n === 0) this.fail(S.ERR_FRAME_RANGE, at);
        return -n;
      }
      case T_FLOAT: {
        if (end - this.pos < 8) this.fail(S.ERR_FRAME_PAYLOAD_LENGTH, at);
        const f = this.view.getFloat64(this.pos, true);
        if (!Number.isFinite(f)) this.fail(S.ERR_FRAME_NOT_FINITE, at, f);
        this.pos += 8;
        return f;
      }
      case T_STR:
        return this.stringRef(this.varint(end, S.ERR_FRAME_PAYLOAD_LENGTH), at);
      case T_ARRAY:
        return this.array(this.varint(end, S.ERR_FRAME_PAYLOAD_LENGTH), at, end, depth);
      case T_OBJECT:
        return this.object(this.varint(end, S.ERR_FRAME_PAYLOAD_LENGTH), at, end, depth);
      default:
        return this.fail(S.ERR_FRAME_TAG, at, tag);
    }
  }

  stringRef(i: number, at: number): string {
    if (i >= this.strings.length) this.fail(S.ERR_FRAME_STRING_REF, at, i);
    return this.strings[i];
  }

  children(n: number, at: number, end: number, depth: number): void {
    if (depth + 1 > MAX_PAYLOAD_DEPTH) this.fail(S.ERR_FRAME_DEPTH, at);
    if (n > end - this.pos) this.fail(S.ERR_FRAME_PAYLOAD_LENGTH, at, n);
  }

  array(n: number, at: number, end: number, depth: number): unknown[] {
    this.children(n, at, end, depth);
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) items.push(this.value(end, depth + 1));
    return items;
  }

  object(s: number, at: number, end: number, depth: number): Record<string, unknown> {
    if (s >= this.shapes.length) this.fail(S.ERR_FRAME_SHAPE_REF, at, s);
    const keys = this.shapes[s];
    this.children(keys.length, at, end, depth);
    const o: Record<string, unknown> = {};
    for (const k of keys) {
      const v = this.value(end, depth + 1);
      if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
    }
    return o;
  }
}

/** The first UTF-8 error in `bytes[from, to)` (an offset), or -1; and its UTF-16 length. */
function checkUtf8(bytes: Uint8Array, from: number, to: number): { errorAt: number; units: number } {
  let units = 0;
  for (let p = from; p < to; ) {
    const b0 = bytes[p];
    const left = to - p;
    const cont = (k: number) => (bytes[p + k] & 0xc0) === 0x80;
    if (b0 < 0x80) {
      p += 1;
      units += 1;
    } else if (b0 >= 0xc2 && b0 < 0xe0 && left >= 2 && cont(1)) {
      p += 2;
      units += 1;
    } else if (
      b0 >= 0xe0 && b0 < 0xf0 && left >= 3 &&
      bytes[p + 1] >= (b0 === 0xe0 ? 0xa0 : 0x80) && bytes[p + 1] <= (b0 === 0xed ? 0x9f : 0xbf) && cont(2)
    ) {
      p += 3;
      units += 1;
    } else if (
      b0 >= 0xf0 && b0 < 0xf5 && left >= 4 &&
      bytes[p + 1] >= (b0 === 0xf0 ? 0x90 : 0x80) && bytes[p + 1] <= (b0 === 0xf4 ? 0x8f : 0xbf) && cont(2) && cont(3)
    ) {
      p += 4;
      units += 2;
    } else {
      return { errorAt: p, units };
    }
  }
  return { errorAt: -1, units };
}

function decodeFrame(bytes: Uint8Array, expectKind: number): WireMessage[] {
  const r = new FrameReader(bytes);
  const len = bytes.length;
  const fail = (code: number, at: number, detail = 0) => r.fail(code, at, detail);
  if (len < 2) fail(S.ERR_FRAME_TRUNCATED, len);
  if (bytes[0] !== 0x48 || bytes[1] !== 0x53) fail(S.ERR_FRAME_MAGIC, 0);
  if (len < 3) fail(S.ERR_FRAME_TRUNCATED, len);
  if (bytes[2] !== FRAME_VERSION) fail(S.ERR_FRAME_VERSION, 2, bytes[2]);
  if (len < 4) fail(S.ERR_FRAME_TRUNCATED, len);
  const kind = bytes[3];
  if (kind !== KIND_MESSAGE && kind !== KIND_BATCH) fail(S.ERR_FRAME_KIND, 3, kind);
  if (kind !== expectKind) fail(S.ERR_FRAME_KIND_MISMATCH, 3, kind);
  if (len < HEADER_BYTES) fail(S.ERR_FRAME_TRUNCATED, len);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getUint32(4, true);
  if (declared > MAX_FRAME_BYTES) fail(S.ERR_FRAME_OVERSIZED, 4, declared);
  if (declared < MIN_FRAME_BYTES) fail(S.ERR_FRAME_LENGTH, 4, declared);
  if (len < declared) fail(S.ERR_FRAME_TRUNCATED, len, declared);
  if (len > declared) fail(S.ERR_FRAME_TRAILING, declared, len - declared);
  const end = declared - TRAILER_BYTES;
  const crc = crc32cReference(bytes.subarray(0, end));
  if (crc !== view.getUint32(end, true)) fail(S.ERR_FRAME_CHECKSUM, end, crc);

  let at = r.pos;
  const count = r.varint(end, S.ERR_FRAME_BOUNDS);
  if ((kind === KIND_MESSAGE && count !== 1) || count > MAX_BATCH_MESSAGES) fail(S.ERR_FRAME_COUNT, at, count);
  const stringCount = r.bounded(end);
  const shapeCount = r.bounded(end);
  const textBytes = r.bounded(end);
  at = r.pos;
  const base = r.varint(end, S.ERR_FRAME_BOUNDS);
  if (base > MAX_TIMESTAMP) fail(S.ERR_FRAME_RANGE, at, base);

  const starts = [0];
  let total = 0;
  for (let k = 0; k < stringCount; k++) {
    at = r.pos;
    total += r.varint(end, S.ERR_FRAME_BOUNDS);
    if (total > textBytes) fail(S.ERR_FRAME_TEXT_LENGTH, at, total);
    starts.push(total);
  }
  const textAt = r.pos;
  if (textBytes > end - textAt) fail(S.ERR_FRAME_BOUNDS, textAt, textBytes);
  const { errorAt, units } = checkUtf8(bytes, textAt, textAt + textBytes);
  if (errorAt >= 0) fail(S.ERR_FRAME_UTF8, errorAt);
  if (units !== total) fail(S.ERR_FRAME_TEXT_LENGTH, textAt, units);
  const text = decoder.decode(bytes.subarray(textAt, textAt + textBytes));
  const boundaries = new Set(starts);
  for (let u = 0, p = textAt; u < text.length; ) {
    const c = text.codePointAt(u)!;
    if (c > 0xffff && boundaries.has(u + 1)) fail(S.ERR_FRAME_TEXT_LENGTH, p);
    u += c > 0xffff ? 2 : 1;
    p += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  r.strings = starts.slice(0, -1).map((s, k) => text.slice(s, starts[k + 1]));
  r.pos = textAt + textBytes;

  for (let s = 0; s < shapeCount; s++) {
    const n = r.bounded(end);
    const keys: string[] = [];
    for (let j = 0; j < n; j++) keys.push(r.string(end));
    r.shapes.push(keys);
  }

  const messages: WireMessage[] = [];
  for (let i = 0; i < count; i++) {
    at = r.pos;
    if (end - r.pos < 2) fail(S.ERR_FRAME_BOUNDS, at);
    const flags = bytes[r.pos];
    if ((flags & F_RESERVED) !== 0 || (flags & (F_CORRELATION | F_CORRELATION_UUID)) === F_CORRELATION_UUID) {
      fail(S.ERR_FRAME_FLAGS, at, flags);
    }
    const priority = bytes[r.pos + 1];
    if (priority > 3) fail(S.ERR_FRAME_PRIORITY, at + 1, priority);
    r.pos += 2;
    const id = r.id(end, (flags & F_ID_UUID) !== 0);
    const sender = r.string(end);
    const recipient = r.string(end);
    const messageType = r.string(end);
    const timeout = r.ranged(end, MAX_TIMEOUT);
    const batchKey = flags & F_BATCH_KEY ? r.string(end) : undefined;
    const correlationId = flags & F_CORRELATION ? r.id(end, (flags & F_CORRELATION_UUID) !== 0) : undefined;
    let timestamp: number | undefined;
    if (flags & F_TIMESTAMP) {
      at = r.pos;
      const z = r.varint(end, S.ERR_FRAME_BOUNDS);
      timestamp = base + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
      if (timestamp < 0 || timestamp > MAX_TIMESTAMP) fail(S.ERR_FRAME_RANGE, at, timestamp);
    }
    const attempt = flags & F_ATTEMPT ? r.ranged(end, MAX_ATTEMPT) : undefined;
    at = r.pos;
    const payloadBytes = r.varint(end, S.ERR_FRAME_BOUNDS);
    if (payloadBytes > end - r.pos) fail(S.ERR_FRAME_BOUNDS, at, payloadBytes);
    const payloadEnd = r.pos + payloadBytes;
    const payload = r.value(payloadEnd, 0);
    if (r.pos !== payloadEnd) fail(S.ERR_FRAME_PAYLOAD_LENGTH, r.pos, payloadEnd - r.pos);
    const m: WireMessage = { id, sender, recipient, messageType, payload, priority: priority as WireMessage['priority'], timeout };
    if (batchKey !== undefined) m.batchKey = batchKey;
    if (correlationId !== undefined) m.correlationId = correlationId;
    if (timestamp !== undefined) m.timestamp = timestamp;
    if (attempt !== undefined) m.attempt = attempt;
    messages.push(m);
  }
  if (r.pos !== end) fail(S.ERR_FRAME_UNUSED, r.pos, end - r.pos);
  return messages;
}

/** Decodes a single-message frame; throws `FrameError` with the exact reason. */
export function decodeMessageReference(bytes: Uint8Array): WireMessage {
  return decodeFrame(bytes, KIND_MESSAGE)[0];
}

/** Decodes a batch frame into plain messages; throws `FrameError` with the exact reason. */
export function decodeBatchReference(bytes: Uint8Array): WireMessage[] {
  return decodeFrame(bytes, KIND_BATCH);
}
