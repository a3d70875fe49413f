/**
 * Lazy reads over a validated frame. `decodeBatch` returns a `MessageBatch` at once; a field
 * becomes a JS value only when it is read (strings from one decoded text, cached per index;
 * payloads from the frame's bytes on demand), so routing a batch by recipient and type never
 * touches a payload. The batch's index accessors (`batch.recipient(i)`) read the field columns
 * directly; `MessageView`s wrap them per message. The batch owns its tables and stays valid
 * after later decodes.
 */
import {
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
  F_TIMESTAMP,
  KIND_BATCH,
  T_ARRAY,
  T_FALSE,
  T_FLOAT,
  T_NINT,
  T_NULL,
  T_STR,
  T_TRUE,
  T_UINT,
  type WireMessage,
} from './codec-format.ts';
import { decodeFrameWasm, type FrameTables } from './codec-wasm.ts';
import type { MessagePriority } from './priority.ts';

/** Builds one payload object, reading its values from the reader in key order. */
type Build = (reader: FrameReader) => Record<string, unknown>;

/**
 * Object shapes seen often get a compiled builder, `r => ({"k0": r.value(), ...})`: an object
 * literal gets its final hidden class at once, where assigning keys one by one walks a
 * transition per key and, with varying keys, goes through a megamorphic store (together about
 * 10x slower for 3 keys on Node 20). Builders are kept per key list for the whole process, so
 * small frames (one message each) use them too: a key list gets one once a frame holds
 * COMPILE_USES objects of it, or once COMPILE_FRAMES frames have used it. Keys enter the
 * source only through JSON.stringify, which makes each a plain string literal. Where code
 * generation is refused (Cloudflare Workers allow it only at start-up, not while handling a
 * request), the first refusal turns compiling off and objects are built key by key; so is any
 * `__proto__` key.
 */
let codegen = true;
const MAX_BUILDERS = 256;
const MAX_BUILDER_KEYS = 32;
const COMPILE_USES = 8;
const COMPILE_FRAMES = 8;
/** At most this many compilations per frame, whatever a frame holds. */
const COMPILES_PER_FRAME = 4;
interface BuilderEntry {
  keys: string[];
  build: Build | undefined;
  frames: number;
}
const builders = new Map<number, BuilderEntry>();

function compile(keys: string[]): Build | undefined {
  const body = keys.map((k) => `${JSON.stringify(k)}: r.value()`).join(', ');
  try {
    return new Function('r', `return { ${body} };`) as Build;
  } catch {
    codegen = false;
    return undefined;
  }
}

// Field columns (mirrors assembly/codec/format.ts, C_*).
const C_ID = 1;
const C_ID_LENGTH = 2;
const C_SENDER = 3;
const C_RECIPIENT = 4;
const C_TYPE = 5;
const C_TIMEOUT = 6;
const C_BATCH_KEY = 7;
const C_CORRELATION = 8;
const C_CORRELATION_LENGTH = 9;
const C_ATTEMPT = 10;
const C_PAYLOAD = 11;

/** Reads values from one validated frame (so without bounds checks). */
export class FrameReader {
  readonly t: FrameTables;
  readonly i32: Int32Array;
  /** Index in `i32` of the first column, and the distance between two columns. */
  readonly col: number;
  readonly n: number;
  private strings: (string | undefined)[];
  private shapes: (string[] | undefined)[] = [];
  private bytes: Uint8Array;
  private view: DataView | undefined;
  private builds: (Build | null | undefined)[] = [];
  private uses: number[] = [];
  private compiles = 0;
  /** Where the ids' text starts in `t.text`: after all strings. */
  private idsAt: number;
  private f64: Float64Array;
  private timesAt: number;
  private pos = 0;

  constructor(t: FrameTables) {
    this.t = t;
    this.i32 = t.i32;
    this.col = t.columnsAt;
    this.n = t.count;
    // Sparse on purpose: filling costs more than a small frame's whole decode.
    this.strings = new Array<string | undefined>(t.stringCount);
    this.bytes = t.u8;
    this.idsAt = t.i32[t.startsAt + t.stringCount];
    this.f64 = t.f64;
    this.timesAt = t.timesAt;
  }

  string(k: number): string {
    let s = this.strings[k];
    if (s === undefined) {
      const { i32, startsAt, text } = this.t;
      s = this.strings[k] = text.slice(i32[startsAt + k], i32[startsAt + k + 1]);
    }
    return s;
  }

  /** Column `c` of message `i`. */
  field(i: number, c: number): number {
    return this.i32[this.col + c * this.n + i];
  }

  flags(i: number): number {
    return this.i32[this.col + i];
  }

  id(i: number): string {
    const at = this.idsAt + this.i32[this.col + this.n + i];
    return this.t.text.slice(at, at + this.i32[this.col + 2 * this.n + i]);
  }

  correlationId(i: number): string | undefined {
    if (!(this.flags(i) & F_CORRELATION)) return undefined;
    const at = this.idsAt + this.field(i, C_CORRELATION);
    return this.t.text.slice(at, at + this.field(i, C_CORRELATION_LENGTH));
  }

  batchKey(i: number): string | undefined {
    return this.flags(i) & F_BATCH_KEY ? this.string(this.field(i, C_BATCH_KEY)) : undefined;
  }

  timestamp(i: number): number | undefined {
    return this.flags(i) & F_TIMESTAMP ? this.f64[this.timesAt + i] : undefined;
  }

  attempt(i: number): number | undefined {
    return this.flags(i) & F_ATTEMPT ? this.field(i, C_ATTEMPT) : undefined;
  }

  private shape(s: number): string[] {
    let keys = this.shapes[s];
    if (keys === undefined) {
      const { i32, shapeIndexAt, keysAt } = this.t;
      keys = [];
      for (let j = i32[shapeIndexAt + s]; j < i32[shapeIndexAt + s + 1]; j++) keys.push(this.string(i32[keysAt + j]));
      this.shapes[s] = keys;
    }
    return keys;
  }

  payload(i: number): unknown {
    this.pos = this.t.frameAt + this.field(i, C_PAYLOAD);
    return this.value();
  }

  private varint(): number {
    const b = this.bytes;
    let p = this.pos;
    let x = b[p++];
    let v = x & 0x7f;
    for (let scale = 0x80; x >= 0x80; scale *= 0x80) {
      x = b[p++];
      v += (x & 0x7f) * scale;
    }
    this.pos = p;
    return v;
  }

  private array(n: number): unknown[] {
    const items = new Array<unknown>(n);
    for (let j = 0; j < n; j++) items[j] = this.value();
    return items;
  }

  private object(s: number): Record<string, unknown> {
    let build = this.builds[s];
    if (build === undefined) build = this.builds[s] = this.builder(s, false);
    if (build !== null) return build(this);
    const keys = this.shape(s);
    if (codegen && (this.uses[s] = (this.uses[s] ?? 0) + 1) === COMPILE_USES) {
      build = this.builds[s] = this.builder(s, true);
      if (build !== null) return build(this);
    }
    const o: Record<string, unknown> = {};
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === '__proto__') Object.defineProperty(o, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
      else o[k] = this.value();
    }
    return o;
  }

  /**
   * The process-wide builder of shape `s`'s key list, compiling it if this frame holds many
   * objects of it (`often`) or enough frames have used it; null while there is none. Found by
   * a hash of the keys' text and checked against it in place, so a known list costs no
   * allocation.
   */
  private builder(s: number, often: boolean): Build | null {
    if (!codegen) return null;
    const { i32, shapeIndexAt, keysAt, startsAt, text } = this.t;
    const from = i32[shapeIndexAt + s];
    const to = i32[shapeIndexAt + s + 1];
    if (to === from || to - from > MAX_BUILDER_KEYS) return null;
    let h = 0x811c9dc5 | 0;
    for (let j = from; j < to; j++) {
      const k = i32[keysAt + j];
      const end = i32[startsAt + k + 1];
      for (let p = i32[startsAt + k]; p < end; p++) h = Math.imul(h ^ text.charCodeAt(p), 0x01000193);
      h = Math.imul(h ^ 0xffff, 0x01000193); // end of a key
    }
    let entry = builders.get(h);
    if (entry === undefined) {
      const keys = this.shape(s);
      if (keys.includes('__proto__')) return null;
      if (builders.size >= MAX_BUILDERS) builders.clear();
      builders.set(h, (entry = { keys, build: undefined, frames: 0 }));
    } else {
      const keys = entry.keys;
      if (keys.length !== to - from) return null;
      for (let j = from; j < to; j++) {
        const k = i32[keysAt + j];
        const start = i32[startsAt + k];
        const key = keys[j - from];
        if (key.length !== i32[startsAt + k + 1] - start || !text.startsWith(key, start)) return null;
      }
    }
    if (entry.build === undefined && !often) entry.frames++;
    if (entry.build === undefined && (often || entry.frames >= COMPILE_FRAMES) && this.compiles < COMPILES_PER_FRAME) {
      this.compiles++;
      entry.build = compile(entry.keys);
    }
    return entry.build ?? null;
  }

  /** The next payload value (the tags are in docs/wire-format.md). */
  value(): unknown {
    const tag = this.bytes[this.pos++];
    if (tag < 0x80) return tag;
    if (tag < 0xc0) return this.string(tag - 0x80);
    if (tag >= 0xf0) return tag - 0x100;
    if (tag >= 0xe0) return this.object(tag & 15);
    if (tag >= 0xd0) return this.array(tag & 15);
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_FLOAT: {
        const b = this.bytes;
        this.view ??= new DataView(b.buffer, b.byteOffset, b.byteLength);
        const f = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return f;
      }
      case T_UINT:
        return this.varint();
      case T_NINT:
        return -this.varint();
      case T_STR:
        return this.string(this.varint());
      case T_ARRAY:
        return this.array(this.varint());
      default:
        return this.object(this.varint());
    }
  }

  message(i: number): WireMessage {
    const { i32, n } = this;
    const c = this.col + i;
    const flags = i32[c];
    const id = this.id(i);
    const sender = this.string(i32[c + C_SENDER * n]);
    const recipient = this.string(i32[c + C_RECIPIENT * n]);
    const messageType = this.string(i32[c + C_TYPE * n]);
    const payload = this.payload(i);
    const priority = ((flags >> 8) & 0xff) as MessagePriority;
    const timeout = i32[c + C_TIMEOUT * n] >>> 0;
    // Whole literals for the common field sets: adding properties one by one costs a hidden
    // class transition each.
    switch (flags & (F_BATCH_KEY | F_CORRELATION | F_TIMESTAMP | F_ATTEMPT)) {
      case 0:
        return { id, sender, recipient, messageType, payload, priority, timeout };
      case F_TIMESTAMP:
        return { id, sender, recipient, messageType, payload, priority, timeout, timestamp: this.f64[this.timesAt + i] };
      case F_BATCH_KEY | F_TIMESTAMP: {
        const batchKey = this.string(i32[c + C_BATCH_KEY * n]);
        return { id, sender, recipient, messageType, payload, priority, timeout, batchKey, timestamp: this.f64[this.timesAt + i] };
      }
    }
    const m: WireMessage = { id, sender, recipient, messageType, payload, priority, timeout };
    if (flags & F_BATCH_KEY) m.batchKey = this.string(i32[c + C_BATCH_KEY * n]);
    if (flags & F_CORRELATION) m.correlationId = this.correlationId(i);
    if (flags & F_TIMESTAMP) m.timestamp = this.f64[this.timesAt + i];
    if (flags & F_ATTEMPT) m.attempt = i32[c + C_ATTEMPT * n];
    return m;
  }
}

const UNREAD = Symbol('unread');

function outOfRange(i: number, length: number): never {
  throw new RangeError(`message index ${i} out of range 0..${length - 1}`);
}

/**
 * One message of a decoded batch, read lazily: routing fields without touching the payload,
 * `payload` decoded when first read.
 */
export class MessageView {
  readonly #b: MessageBatch;
  #payload: unknown = UNREAD;
  readonly index: number;

  constructor(batch: MessageBatch, index: number) {
    this.#b = batch;
    this.index = index;
  }

  get id(): string {
    return this.#b.id(this.index);
  }
  get sender(): string {
    return this.#b.sender(this.index);
  }
  get recipient(): string {
    return this.#b.recipient(this.index);
  }
  get messageType(): string {
    return this.#b.messageType(this.index);
  }
  get priority(): MessagePriority {
    return this.#b.priority(this.index);
  }
  get timeout(): number {
    return this.#b.full().field(this.index, C_TIMEOUT) >>> 0;
  }
  get batchKey(): string | undefined {
    return this.#b.full().batchKey(this.index);
  }
  get correlationId(): string | undefined {
    return this.#b.full().correlationId(this.index);
  }
  get timestamp(): number | undefined {
    return this.#b.full().timestamp(this.index);
  }
  get attempt(): number | undefined {
    return this.#b.full().attempt(this.index);
  }
  /** The payload, decoded on first read. */
  get payload(): unknown {
    if (this.#payload === UNREAD) this.#payload = this.#b.full().payload(this.index);
    return this.#payload;
  }
  /** The whole message as a plain object (the payload decoded afresh). */
  toMessage(): WireMessage {
    return this.#b.full().message(this.index);
  }
  toJSON(): WireMessage {
    return this.toMessage();
  }
}

/** How much of a batch frame `decodeBatch` checks before it returns (docs/wire-format.md). */
export type BatchValidation = 'frame' | 'envelopes';

/**
 * A validated batch, read lazily. Index accessors (`id(i)`, `recipient(i)`, ...) read one field
 * without building anything else; `get(i)` and iteration yield `MessageView`s; `toArray()`
 * decodes all.
 *
 * A batch decoded with `validation: 'envelopes'` has checked everything but the inside of the
 * payloads and reads the routing fields (id, sender, recipient, messageType, priority) from
 * its own copy. Anything else (another field, a payload, `message(i)`) first validates the
 * whole frame from the caller's bytes, checksum included, exactly as a `'frame'` decode would:
 * a malformed payload then throws that decode's `FrameError`, and keeps throwing it.
 *
 * @example
 * const batch = decodeBatch(bytes);
 * for (let i = 0; i < batch.length; i++) {
 *   if (batch.priority(i) === MessagePriority.CRITICAL) route(batch.recipient(i), batch.id(i));
 * }
 * const everything = batch.toArray();
 */
export class MessageBatch implements Iterable<MessageView> {
  #r: FrameReader;
  /** The caller's frame, until the payloads are validated (`'envelopes'` only). */
  #bytes: Uint8Array | undefined;
  #error: unknown;
  readonly length: number;

  constructor(tables: FrameTables, bytes?: Uint8Array) {
    this.#r = new FrameReader(tables);
    this.#bytes = tables.complete ? undefined : bytes;
    this.length = tables.count;
  }

  /** `'frame'` once every byte has been validated, else `'envelopes'`. */
  get validation(): BatchValidation {
    return this.#bytes === undefined ? 'frame' : 'envelopes';
  }

  /** The reader with payloads, after validating the whole frame if that has not happened yet. */
  full(): FrameReader {
    if (this.#bytes === undefined) return this.#r;
    if (this.#error !== undefined) throw this.#error;
    try {
      const tables = decodeFrameWasm(this.#bytes, KIND_BATCH, 'copy');
      if (tables.crc !== this.#r.t.crc || tables.count !== this.length) {
        throw new Error('the frame given to decodeBatch changed while its batch was in use');
      }
      this.#r = new FrameReader(tables);
      this.#bytes = undefined;
      return this.#r;
    } catch (err) {
      this.#error = err;
      throw err;
    }
  }

  #check(i: number): void {
    if (!(i >>> 0 === i && i < this.length)) outOfRange(i, this.length);
  }

  /** Id of message `i`. */
  id(i: number): string {
    if (!(i >>> 0 === i && i < this.length)) outOfRange(i, this.length);
    return this.#r.id(i);
  }

  /** Sender of message `i`. */
  sender(i: number): string {
    if (!(i >>> 0 === i && i < this.length)) outOfRange(i, this.length);
    const r = this.#r;
    return r.string(r.i32[r.col + C_SENDER * r.n + i]);
  }

  /** Recipient of message `i`. */
  recipient(i: number): string {
    if (!(i >>> 0 === i && i < this.length)) outOfRange(i, this.length);
    const r = this.#r;
    return r.string(r.i32[r.col + C_RECIPIENT * r.n + i]);
  }

  /** Message type of message `i`. */
  messageType(i: number): string {
    if (!(i >>> 0 === i && i < this.length)) outOfRange(i, this.length);
    const r = this.#r;
    return r.string(r.i32[r.col + C_TYPE * r.n + i]);
  }

  /** Priority of message `i`. */
  priority(i: number): MessagePriority {
    if (!(i >>> 0 === i && i < this.length)) outOfRange(i, this.length);
    const r = this.#r;
    return ((r.i32[r.col + i] >> 8) & 0xff) as MessagePriority;
  }

  /** A lazy view of message `i`. */
  get(i: number): MessageView {
    this.#check(i);
    return new MessageView(this, i);
  }

  /** The payload of message `i`, decoded now. */
  payload(i: number): unknown {
    this.#check(i);
    return this.full().payload(i);
  }

  /** Message `i` as a plain object, payload included. */
  message(i: number): WireMessage {
    this.#check(i);
    return this.full().message(i);
  }

  /** Every message as a plain object. */
  toArray(): WireMessage[] {
    const r = this.full();
    const out = new Array<WireMessage>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = r.message(i);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<MessageView> {
    for (let i = 0; i < this.length; i++) yield new MessageView(this, i);
  }
}

/** Reads every message of `tables` at once (for tables that view WASM memory). */
export function readMessages(tables: FrameTables): WireMessage[] {
  const r = new FrameReader(tables);
  const out = new Array<WireMessage>(tables.count);
  for (let i = 0; i < tables.count; i++) out[i] = r.message(i);
  return out;
}
