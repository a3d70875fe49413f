/**
 * Lazy views over a validated frame. `decodeBatch` returns a `MessageBatch` at once; a field
 * becomes a JS value only when it is read (strings from one decoded text, cached per index;
 * payloads from the frame's bytes on demand), so routing a batch by recipient and type never touches a
 * payload. The views own their tables and stay valid after later decodes.
 */
import {
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
  F_TIMESTAMP,
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
import type { FrameTables } from './codec-wasm.ts';
import { FIELD_WORDS } from './codec-writer.ts';
import type { MessagePriority } from './priority.ts';

/** Builds one payload object, reading its values from the reader in key order. */
type Build = (reader: FrameReader) => Record<string, unknown>;

/**
 * Object shapes seen often get a compiled builder, `r => ({"k0": r.value(), ...})`: an object
 * literal gets its final hidden class at once, where assigning keys one by one walks a transition
 * per key (about 7x slower for 3 keys on Node 20). Keys enter the source only through
 * JSON.stringify, which makes each a plain string literal. Where code generation is refused
 * (Cloudflare Workers allow it only at start-up, not while handling a request), the first
 * refusal turns compiling off and objects are built key by key; so is any `__proto__` key.
 */
let codegen = true;
const MAX_BUILDERS = 256;
const MAX_BUILDER_KEYS = 32;
/** A shape gets a builder once a frame holds this many objects of it. */
const COMPILE_USES = 8;
/** At most this many compilations per frame, whatever a frame holds. */
const COMPILES_PER_FRAME = 4;
const builders = new Map<string, { keys: string[]; build: Build | undefined }>();

function compile(keys: string[]): Build | undefined {
  const body = keys.map((k) => `${JSON.stringify(k)}: r.value()`).join(', ');
  try {
    return new Function('r', `return { ${body} };`) as Build;
  } catch {
    codegen = false;
    return undefined;
  }
}

/** Reads values from one validated frame (so without bounds checks). */
class FrameReader {
  readonly t: FrameTables;
  readonly fields: Int32Array;
  readonly fieldsAt: number;
  private strings: (string | undefined)[];
  private shapes: (string[] | undefined)[];
  private bytes: Uint8Array;
  private view: DataView | undefined;
  private builds: (Build | undefined)[];
  private uses: number[];
  private compiles = 0;
  /** Where the ids' text starts in `t.text`: after all strings. */
  private idsAt: number;
  private pos = 0;

  constructor(t: FrameTables) {
    this.t = t;
    this.fields = t.i32;
    this.fieldsAt = t.fieldsAt;
    // Sparse on purpose: filling costs more than a small frame's whole decode.
    this.strings = new Array<string | undefined>(t.stringCount);
    this.shapes = [];
    this.builds = [];
    this.uses = [];
    this.bytes = t.u8;
    this.idsAt = t.i32[t.startsAt + t.stringCount];
  }

  string(k: number): string {
    let s = this.strings[k];
    if (s === undefined) {
      const { i32, startsAt, text } = this.t;
      s = this.strings[k] = text.slice(i32[startsAt + k], i32[startsAt + k + 1]);
    }
    return s;
  }

  /** The id (`w` = 1) or correlationId (`w` = 7) of message `i`. */
  idText(i: number, w: number): string {
    const f = this.fieldsAt + i * FIELD_WORDS;
    const at = this.idsAt + this.fields[f + w];
    return this.t.text.slice(at, at + this.fields[f + (w === 1 ? 10 : 11)]);
  }

  /** Word `w` of message `i`'s fields. */
  field(i: number, w: number): number {
    return this.fields[this.fieldsAt + i * FIELD_WORDS + w];
  }

  time(i: number): number {
    return this.t.f64[this.t.timesAt + i];
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
    this.pos = this.t.frameAt + this.field(i, 9);
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
    if (build !== undefined) return build(this);
    const keys = this.shape(s);
    const uses = (this.uses[s] = (this.uses[s] ?? 0) + 1);
    if (codegen && uses === COMPILE_USES) {
      build = this.builds[s] = this.builder(keys);
      if (build !== undefined) return build(this);
    }
    const o: Record<string, unknown> = {};
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === '__proto__') Object.defineProperty(o, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
      else o[k] = this.value();
    }
    return o;
  }

  /** The compiled builder for `keys` (a shape common in this frame), compiled once per process. */
  private builder(keys: string[]): Build | undefined {
    if (keys.length === 0 || keys.length > MAX_BUILDER_KEYS || keys.includes('__proto__')) return undefined;
    // A cheap name; two key lists that join the same (keys holding NUL) are told apart below.
    const name = keys.join('\u0000');
    let entry = builders.get(name);
    if (entry === undefined) {
      if (builders.size >= MAX_BUILDERS) builders.clear();
      builders.set(name, (entry = { keys, build: undefined }));
    } else if (entry.keys.length !== keys.length || entry.keys.some((k, j) => k !== keys[j])) {
      return undefined;
    }
    if (entry.build === undefined && this.compiles < COMPILES_PER_FRAME) {
      this.compiles++;
      entry.build = compile(keys);
    }
    return entry.build;
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

  id(i: number): string {
    return this.idText(i, 1);
  }

  batchKey(i: number): string | undefined {
    return this.field(i, 0) & F_BATCH_KEY ? this.string(this.field(i, 6)) : undefined;
  }

  correlationId(i: number): string | undefined {
    return this.field(i, 0) & F_CORRELATION ? this.idText(i, 7) : undefined;
  }

  message(i: number): WireMessage {
    const f = this.fieldsAt + i * FIELD_WORDS;
    const fields = this.fields;
    const flags = fields[f];
    const m: WireMessage = {
      id: this.idText(i, 1),
      sender: this.string(fields[f + 2]),
      recipient: this.string(fields[f + 3]),
      messageType: this.string(fields[f + 4]),
      payload: this.payload(i),
      priority: ((flags >> 8) & 0xff) as MessagePriority,
      timeout: fields[f + 5] >>> 0,
    };
    if (flags & F_BATCH_KEY) m.batchKey = this.string(fields[f + 6]);
    if (flags & F_CORRELATION) m.correlationId = this.idText(i, 7);
    if (flags & F_TIMESTAMP) m.timestamp = this.time(i);
    if (flags & F_ATTEMPT) m.attempt = fields[f + 8];
    return m;
  }
}

const UNREAD = Symbol('unread');

/**
 * One message of a decoded batch, read lazily: routing fields without touching the payload,
 * `payload` decoded when first read.
 */
export class MessageView {
  readonly #r: FrameReader;
  #payload: unknown = UNREAD;
  readonly index: number;

  constructor(reader: FrameReader, index: number) {
    this.#r = reader;
    this.index = index;
  }

  get id(): string {
    return this.#r.id(this.index);
  }
  get sender(): string {
    return this.#r.string(this.#r.field(this.index, 2));
  }
  get recipient(): string {
    return this.#r.string(this.#r.field(this.index, 3));
  }
  get messageType(): string {
    return this.#r.string(this.#r.field(this.index, 4));
  }
  get priority(): MessagePriority {
    return ((this.#r.field(this.index, 0) >> 8) & 0xff) as MessagePriority;
  }
  get timeout(): number {
    return this.#r.field(this.index, 5) >>> 0;
  }
  get batchKey(): string | undefined {
    return this.#r.batchKey(this.index);
  }
  get correlationId(): string | undefined {
    return this.#r.correlationId(this.index);
  }
  get timestamp(): number | undefined {
    return this.#r.field(this.index, 0) & F_TIMESTAMP ? this.#r.time(this.index) : undefined;
  }
  get attempt(): number | undefined {
    return this.#r.field(this.index, 0) & F_ATTEMPT ? this.#r.field(this.index, 8) : undefined;
  }
  /** The payload, decoded on first read. */
  get payload(): unknown {
    if (this.#payload === UNREAD) this.#payload = this.#r.payload(this.index);
    return this.#payload;
  }
  /** The whole message as a plain object (the payload decoded afresh). */
  toMessage(): WireMessage {
    return this.#r.message(this.index);
  }
  toJSON(): WireMessage {
    return this.toMessage();
  }
}

/**
 * A validated batch, read lazily. Iterating yields `MessageView`s; `toArray()` decodes all.
 *
 * @example
 * const batch = decodeBatch(bytes);
 * for (const m of batch) if (m.priority === MessagePriority.CRITICAL) route(m.recipient, m.id);
 * const everything = batch.toArray();
 */
export class MessageBatch implements Iterable<MessageView> {
  readonly #r: FrameReader;
  readonly length: number;

  constructor(tables: FrameTables) {
    this.#r = new FrameReader(tables);
    this.length = tables.count;
  }

  #check(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.length)) {
      throw new RangeError(`message index ${i} out of range 0..${this.length - 1}`);
    }
  }

  /** A lazy view of message `i`. */
  get(i: number): MessageView {
    this.#check(i);
    return new MessageView(this.#r, i);
  }

  /** The payload of message `i`, decoded now. */
  payload(i: number): unknown {
    this.#check(i);
    return this.#r.payload(i);
  }

  /** Message `i` as a plain object, payload included. */
  message(i: number): WireMessage {
    this.#check(i);
    return this.#r.message(i);
  }

  /** Every message as a plain object. */
  toArray(): WireMessage[] {
    const out: WireMessage[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.#r.message(i));
    return out;
  }

  *[Symbol.iterator](): IterableIterator<MessageView> {
    for (let i = 0; i < this.length; i++) yield new MessageView(this.#r, i);
  }
}

/** Reads every message of `tables` at once (for tables that view WASM memory). */
export function readMessages(tables: FrameTables): WireMessage[] {
  const r = new FrameReader(tables);
  const out = new Array<WireMessage>(tables.count);
  for (let i = 0; i < tables.count; i++) out[i] = r.message(i);
  return out;
}
