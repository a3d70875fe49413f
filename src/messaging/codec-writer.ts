/**
 * Turns messages into the numbers `wasm/codec.wasm` encodes from: ten field words per message,
 * a payload tape (one i32 token per JSON value, pre-order), a number table, UUID bytes, the
 * interned strings (written later as UTF-8 in one `encodeInto`) and object shapes.
 *
 * Everything that must look at a JS value happens here, once: type checks, string interning
 * (a `Map` hit is cheaper than copying the string into WASM to hash it there), shape lookup
 * through a transition tree, UUID parsing. Numbering follows the specification exactly, so the
 * WASM frame equals the reference codec's byte for byte: strings in order of first use (an
 * object's key just before its value), shapes in the order their objects end.
 */
import {
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
  F_CORRELATION_UUID,
  F_ID_UUID,
  F_TIMESTAMP,
  MAX_ATTEMPT,
  MAX_PAYLOAD_DEPTH,
  MAX_TIMEOUT,
  MAX_TIMESTAMP,
  checkMessage,
  checkPayload,
  isPlainObject,
  wellFormed,
  type WireMessage,
} from './codec-format.ts';

/** Field words per message (mirrors assembly/codec/format.ts). */
export const FIELD_WORDS = 10;
export const K_INT = 0;
export const K_STRING = 1;
export const K_ARRAY = 2;
export const K_OBJECT = 3;
export const K_CONST = 4;
export const K_NUMBER = 5;
export const TOKEN_NULL = K_CONST;
export const TOKEN_FALSE = (1 << 3) | K_CONST;
export const TOKEN_TRUE = (2 << 3) | K_CONST;
const TAPE_INT_LIMIT = 1 << 28;

/** A node of the shape transition tree: the objects whose keys so far are this path. */
interface ShapeNode {
  /** Shape index once an object ended here, else -1. */
  id: number;
  parent: ShapeNode | undefined;
  /** String index of the key that led here, and how many keys the path has. */
  keyIndex: number;
  size: number;
  /** First child inline (most objects in a batch share one shape), the others in a map. */
  key: string | undefined;
  child: ShapeNode | undefined;
  more: Map<string, ShapeNode> | undefined;
}

function node(parent: ShapeNode | undefined, keyIndex: number): ShapeNode {
  return { id: -1, parent, keyIndex, size: parent ? parent.size + 1 : 0, key: undefined, child: undefined, more: undefined };
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;
/** Where each of the 16 bytes' two hex digits sit in the 36-character text. */
const UUID_HEX_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** Thrown inside the payload walk; the caller then names the value with `checkPayload`. */
const NOT_JSON = Symbol('not JSON');

function grow<T extends Int32Array | Float64Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/** The encoder's inputs for one frame. Reused between frames; not reentrant. */
export class FrameInputs {
  count = 0;
  fields = new Int32Array(FIELD_WORDS * 16);
  nums = new Float64Array(64);
  numCount = 0;
  tape = new Int32Array(256);
  tapeLen = 0;
  uuids = new Uint8Array(16 * 32);
  uuidCount = 0;
  strings: string[] = [];
  /** Total UTF-16 length of `strings`. */
  units = 0;
  shapeWords = new Int32Array(64);
  shapeWordCount = 0;
  shapeCount = 0;
  busy = false;
  private index = new Map<string, number>();
  private root = node(undefined, -1);

  /** Starts a frame of `count` messages. */
  begin(count: number): void {
    this.count = count;
    this.fields = grow(this.fields, count * FIELD_WORDS);
    this.nums = grow(this.nums, count + 16);
    this.numCount = count;
    this.tapeLen = 0;
    this.uuidCount = 0;
    this.strings = [];
    this.units = 0;
    this.shapeWordCount = 0;
    this.shapeCount = 0;
    this.index = new Map();
    this.root = node(undefined, -1);
  }

  string(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      const w = wellFormed(s);
      this.strings.push(w);
      this.units += w.length;
      this.index.set(s, i);
    }
    return i;
  }

  /** Parses a canonical UUID into the next slot; -1 when `s` is not one. */
  private uuid(s: string): number {
    if (
      s.length !== 36 ||
      s.charCodeAt(8) !== 45 ||
      s.charCodeAt(13) !== 45 ||
      s.charCodeAt(18) !== 45 ||
      s.charCodeAt(23) !== 45
    ) {
      return -1;
    }
    this.uuids = grow(this.uuids, (this.uuidCount + 1) * 16);
    const out = this.uuids;
    const at = this.uuidCount * 16;
    for (let j = 0; j < 16; j++) {
      const p = UUID_HEX_AT[j];
      const hi = s.charCodeAt(p);
      const lo = s.charCodeAt(p + 1);
      const h = hi < 128 ? HEX[hi] : -1;
      const l = lo < 128 ? HEX[lo] : -1;
      if ((h | l) < 0) return -1;
      out[at + j] = (h << 4) | l;
    }
    return this.uuidCount++;
  }

  private push(token: number): void {
    if (this.tapeLen === this.tape.length) this.tape = grow(this.tape, this.tapeLen + 1);
    this.tape[this.tapeLen++] = token;
  }

  private number(v: number): void {
    if (this.numCount === this.nums.length) this.nums = grow(this.nums, this.numCount + 1);
    this.nums[this.numCount] = v;
    this.push((this.numCount++ << 3) | K_NUMBER);
  }

  private next(from: ShapeNode, key: string): ShapeNode {
    if (from.key === key) return from.child!;
    if (from.key === undefined) {
      from.key = key;
      return (from.child = node(from, this.string(key)));
    }
    let to = from.more?.get(key);
    if (to === undefined) {
      to = node(from, this.string(key));
      (from.more ??= new Map()).set(key, to);
    }
    return to;
  }

  private shape(at: ShapeNode): number {
    if (at.id >= 0) return at.id;
    const n = at.size;
    this.shapeWords = grow(this.shapeWords, this.shapeWordCount + n + 1);
    const w = this.shapeWords;
    w[this.shapeWordCount] = n;
    let p: ShapeNode = at;
    for (let j = n; j > 0; j--, p = p.parent!) w[this.shapeWordCount + j] = p.keyIndex;
    this.shapeWordCount += n + 1;
    return (at.id = this.shapeCount++);
  }

  private value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.push((this.string(v) << 3) | K_STRING);
        return;
      case 'number':
        if ((v | 0) === v && v >= -TAPE_INT_LIMIT && v < TAPE_INT_LIMIT) this.push((v << 3) | K_INT);
        else if (Number.isFinite(v)) this.number(v);
        else throw NOT_JSON;
        return;
      case 'boolean':
        this.push(v ? TOKEN_TRUE : TOKEN_FALSE);
        return;
      case 'object': {
        if (v === null) {
          this.push(TOKEN_NULL);
          return;
        }
        if (depth >= MAX_PAYLOAD_DEPTH) throw NOT_JSON;
        if (Array.isArray(v)) {
          const n = v.length;
          this.push((n << 3) | K_ARRAY);
          for (let j = 0; j < n; j++) this.value(v[j], depth + 1);
          return;
        }
        if (!isPlainObject(v)) throw NOT_JSON;
        const slot = this.tapeLen;
        this.push(0);
        let at = this.root;
        for (const key in v) {
          at = this.next(at, key);
          this.value((v as Record<string, unknown>)[key], depth + 1);
        }
        this.tape[slot] = (this.shape(at) << 3) | K_OBJECT;
        return;
      }
      default:
        throw NOT_JSON;
    }
  }

  /** Adds message `i`; throws `ValidationError` naming the field under `path` if it cannot. */
  add(m: WireMessage, i: number, path: string): void {
    if (
      typeof m !== 'object' ||
      m === null ||
      typeof m.id !== 'string' ||
      typeof m.sender !== 'string' ||
      typeof m.recipient !== 'string' ||
      typeof m.messageType !== 'string'
    ) {
      checkMessage(m, path);
    }
    const { priority, timeout, batchKey, correlationId, timestamp, attempt } = m;
    if (
      !(typeof priority === 'number' && (priority === 0 || priority === 1 || priority === 2 || priority === 3)) ||
      !(typeof timeout === 'number' && timeout >= 0 && timeout <= MAX_TIMEOUT && Math.floor(timeout) === timeout) ||
      (batchKey !== undefined && typeof batchKey !== 'string') ||
      (correlationId !== undefined && typeof correlationId !== 'string') ||
      (timestamp !== undefined &&
        !(typeof timestamp === 'number' && timestamp >= 0 && timestamp <= MAX_TIMESTAMP && Math.floor(timestamp) === timestamp)) ||
      (attempt !== undefined && !(typeof attempt === 'number' && attempt >= 0 && attempt <= MAX_ATTEMPT && Math.floor(attempt) === attempt)) ||
      m.payload === undefined
    ) {
      checkMessage(m, path);
    }
    const f = this.fields;
    const w = i * FIELD_WORDS;
    let flags = 0;
    let slot = this.uuid(m.id);
    if (slot >= 0) {
      flags |= F_ID_UUID;
      f[w + 1] = slot;
    } else {
      f[w + 1] = this.string(m.id);
    }
    f[w + 2] = this.string(m.sender);
    f[w + 3] = this.string(m.recipient);
    f[w + 4] = this.string(m.messageType);
    f[w + 5] = timeout | 0;
    if (batchKey !== undefined) {
      flags |= F_BATCH_KEY;
      f[w + 6] = this.string(batchKey);
    }
    if (correlationId !== undefined) {
      flags |= F_CORRELATION;
      slot = this.uuid(correlationId);
      if (slot >= 0) {
        flags |= F_CORRELATION_UUID;
        f[w + 7] = slot;
      } else {
        f[w + 7] = this.string(correlationId);
      }
    }
    if (timestamp !== undefined) {
      flags |= F_TIMESTAMP;
      this.nums[i] = timestamp;
    }
    if (attempt !== undefined) {
      flags |= F_ATTEMPT;
      f[w + 8] = attempt;
    }
    f[w + 9] = this.tapeLen;
    try {
      this.value(m.payload, 0);
    } catch (err) {
      if (err === NOT_JSON) checkPayload(m.payload, path);
      throw err;
    }
    f[w] = flags | (priority << 8);
  }
}
