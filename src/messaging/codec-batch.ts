/**
 * Lazy views over a validated frame. `decodeBatch` returns a `MessageBatch` at once; a field
 * becomes a JS value only when it is read (strings from one decoded text, cached per index;
 * payloads from the tape on demand), so routing a batch by recipient and type never touches a
 * payload. The views own their tables and stay valid after later decodes.
 */
import {
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
  F_CORRELATION_UUID,
  F_ID_UUID,
  F_TIMESTAMP,
  type WireMessage,
} from './codec-format.ts';
import type { FrameTables } from './codec-wasm.ts';
import { FIELD_WORDS, K_ARRAY, K_CONST, K_INT, K_OBJECT, K_STRING, TOKEN_FALSE, TOKEN_TRUE } from './codec-writer.ts';
import type { MessagePriority } from './priority.ts';

/** Reads values from one frame's tables. */
class FrameReader {
  readonly t: FrameTables;
  private strings: (string | undefined)[];
  private shapes: (string[] | undefined)[];
  private pos = 0;

  constructor(t: FrameTables) {
    this.t = t;
    this.strings = new Array<string | undefined>(t.starts.length - 1).fill(undefined);
    this.shapes = new Array<string[] | undefined>(t.shapeIndex.length - 1).fill(undefined);
  }

  string(k: number): string {
    let s = this.strings[k];
    if (s === undefined) s = this.strings[k] = this.t.text.slice(this.t.starts[k], this.t.starts[k + 1]);
    return s;
  }

  uuid(slot: number): string {
    return this.t.uuidText.slice(slot * 36, slot * 36 + 36);
  }

  private shape(s: number): string[] {
    let keys = this.shapes[s];
    if (keys === undefined) {
      const { shapeIndex, keys: all } = this.t;
      keys = [];
      for (let j = shapeIndex[s]; j < shapeIndex[s + 1]; j++) keys.push(this.string(all[j]));
      this.shapes[s] = keys;
    }
    return keys;
  }

  payload(i: number): unknown {
    this.pos = this.t.fields[i * FIELD_WORDS + 9];
    return this.value();
  }

  private value(): unknown {
    const w = this.t.tape[this.pos++];
    switch (w & 7) {
      case K_INT:
        return w >> 3;
      case K_STRING:
        return this.string(w >>> 3);
      case K_ARRAY: {
        const n = w >>> 3;
        const items: unknown[] = [];
        for (let j = 0; j < n; j++) items.push(this.value());
        return items;
      }
      case K_OBJECT: {
        const keys = this.shape(w >>> 3);
        const o: Record<string, unknown> = {};
        for (let j = 0; j < keys.length; j++) {
          const k = keys[j];
          if (k === '__proto__') Object.defineProperty(o, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
          else o[k] = this.value();
        }
        return o;
      }
      case K_CONST:
        return w === TOKEN_TRUE ? true : w === TOKEN_FALSE ? false : null;
      default:
        return this.t.nums[w >>> 3];
    }
  }

  id(i: number): string {
    const f = i * FIELD_WORDS;
    return this.t.fields[f] & F_ID_UUID ? this.uuid(this.t.fields[f + 1]) : this.string(this.t.fields[f + 1]);
  }

  message(i: number): WireMessage {
    const { fields, nums } = this.t;
    const f = i * FIELD_WORDS;
    const flags = fields[f];
    const m: WireMessage = {
      id: flags & F_ID_UUID ? this.uuid(fields[f + 1]) : this.string(fields[f + 1]),
      sender: this.string(fields[f + 2]),
      recipient: this.string(fields[f + 3]),
      messageType: this.string(fields[f + 4]),
      payload: this.payload(i),
      priority: ((flags >> 8) & 0xff) as MessagePriority,
      timeout: fields[f + 5] >>> 0,
    };
    if (flags & F_BATCH_KEY) m.batchKey = this.string(fields[f + 6]);
    if (flags & F_CORRELATION) {
      m.correlationId = flags & F_CORRELATION_UUID ? this.uuid(fields[f + 7]) : this.string(fields[f + 7]);
    }
    if (flags & F_TIMESTAMP) m.timestamp = nums[i];
    if (flags & F_ATTEMPT) m.attempt = fields[f + 8];
    return m;
  }
}

/**
 * One message of a decoded batch, read lazily: routing fields without touching the payload,
 * `payload` decoded when first read.
 */
export class MessageView {
  readonly #r: FrameReader;
  readonly index: number;

  constructor(reader: FrameReader, index: number) {
    this.#r = reader;
    this.index = index;
  }

  get id(): string {
    return this.#r.id(this.index);
  }
  get sender(): string {
    return this.#r.string(this.#r.t.fields[this.index * FIELD_WORDS + 2]);
  }
  get recipient(): string {
    return this.#r.string(this.#r.t.fields[this.index * FIELD_WORDS + 3]);
  }
  get messageType(): string {
    return this.#r.string(this.#r.t.fields[this.index * FIELD_WORDS + 4]);
  }
  get priority(): MessagePriority {
    return ((this.#r.t.fields[this.index * FIELD_WORDS] >> 8) & 0xff) as MessagePriority;
  }
  get timeout(): number {
    return this.#r.t.fields[this.index * FIELD_WORDS + 5] >>> 0;
  }
  get batchKey(): string | undefined {
    const f = this.index * FIELD_WORDS;
    return this.#r.t.fields[f] & F_BATCH_KEY ? this.#r.string(this.#r.t.fields[f + 6]) : undefined;
  }
  get correlationId(): string | undefined {
    const { fields } = this.#r.t;
    const f = this.index * FIELD_WORDS;
    if (!(fields[f] & F_CORRELATION)) return undefined;
    return fields[f] & F_CORRELATION_UUID ? this.#r.uuid(fields[f + 7]) : this.#r.string(fields[f + 7]);
  }
  get timestamp(): number | undefined {
    return this.#r.t.fields[this.index * FIELD_WORDS] & F_TIMESTAMP ? this.#r.t.nums[this.index] : undefined;
  }
  get attempt(): number | undefined {
    const f = this.index * FIELD_WORDS;
    return this.#r.t.fields[f] & F_ATTEMPT ? this.#r.t.fields[f + 8] : undefined;
  }
  /** The payload, decoded on each read (cache it if you read it twice). */
  get payload(): unknown {
    return this.#r.payload(this.index);
  }
  /** The whole message as a plain object. */
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
