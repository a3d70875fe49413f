/**
 * Turns messages into the numbers `wasm/codec.wasm` encodes from: field words per message, a
 * payload tape (one i32 token per JSON value, pre-order), a number table, the interned strings
 * and the ids (each written later as UTF-8 in one `encodeInto`) and object shapes.
 *
 * Everything that must look at a JS value happens here, once: type checks, string interning
 * (a `Map` hit is cheaper than copying the string into WASM to hash it there) and shape lookup
 * through a transition tree. Ids are not interned (they rarely repeat): WASM sees which are
 * UUIDs and writes those as 16 bytes. Numbering follows the specification exactly, so the
 * WASM frame equals the reference codec's byte for byte: strings in order of first use (an
 * object's key just before its value), shapes in the order their objects end.
 */
import {
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
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
export const FIELD_WORDS = 12;
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
/** Up to this many strings, interning scans instead of using the map. */
const LINEAR_STRINGS = 24;
const CACHE_MASK = 255;
/** Initial slots of the string table (a power of two; it doubles at half full). */
const TABLE_SLOTS = 1024;
/** Buffers grown past this many items are dropped after the frame. */
const KEEP_WORDS = 1 << 18;

/**
 * A node of the shape transition tree: the objects whose keys so far are this path. The tree
 * outlives frames (rebuilding it per frame costs more than a small message), up to
 * MAX_SHAPE_NODES; `frame` says whether `keyIndex` and `id` belong to the current frame.
 */
interface ShapeNode {
  parent: ShapeNode | undefined;
  /** The key that led here, and how many keys the path has. */
  name: string;
  size: number;
  /** The frame `keyIndex` and `id` were set in. */
  frame: number;
  /** String index of `name` in that frame. */
  keyIndex: number;
  /** Shape index once an object ended here in that frame, else -1. */
  id: number;
  /** First child inline (most objects share one shape), the others in a map. */
  key: string | undefined;
  child: ShapeNode | undefined;
  more: Map<string, ShapeNode> | undefined;
}

function node(parent: ShapeNode | undefined, name: string): ShapeNode {
  return { parent, name, size: parent ? parent.size + 1 : 0, frame: -1, keyIndex: -1, id: -1, key: undefined, child: undefined, more: undefined };
}

/** Past this many tree nodes (objects with ever new key sets), the tree starts over. */
const MAX_SHAPE_NODES = 4096;

/** Any UTF-16 surrogate code unit, paired or not. */
const SURROGATE = /[\ud800-\udfff]/;

/** Thrown inside the payload walk; the caller then names the value with `checkPayload`. */
const NOT_JSON = Symbol('not JSON');

/** FNV-1a over the UTF-16 code units of `s`. */
function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

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
  /** `tape.length`, kept apart: a field load is cheaper than a typed array's length. */
  private tapeCap = 256;
  /** Every id and correlationId, in message order, and its UTF-16 length. */
  ids = '';
  idUnits = 0;
  /** How many strings are interned, the UTF-16 length of each, and all of them joined. */
  stringCount = 0;
  lengths = new Int32Array(64);
  text = '';
  /** Total UTF-16 length of the strings. */
  units = 0;
  shapeWords = new Int32Array(64);
  shapeWordCount = 0;
  shapeCount = 0;
  busy = false;
  /** The strings as given, their hashes, and an open-addressing table over them. */
  private originals: string[] = [];
  private hashes = new Int32Array(64);
  private slotFrame = new Int32Array(TABLE_SLOTS).fill(-1);
  private slotIndex = new Int32Array(TABLE_SLOTS);
  private root = node(undefined, '');
  private nodes = 0;
  private frame = 0;
  private cacheKey = new Array<string>(CACHE_MASK + 1).fill('');
  private cacheIndex = new Int32Array(CACHE_MASK + 1);
  private cacheFrame = new Int32Array(CACHE_MASK + 1).fill(-1);

  /** Starts a frame of `count` messages. */
  begin(count: number): void {
    this.count = count;
    this.fields = grow(this.fields, count * FIELD_WORDS);
    this.nums = grow(this.nums, count + 16);
    this.numCount = count;
    this.tapeLen = 0;
    this.ids = '';
    this.idUnits = 0;
    this.stringCount = 0;
    this.text = '';
    this.units = 0;
    this.shapeWordCount = 0;
    this.shapeCount = 0;
    this.frame++;
    if (this.nodes > MAX_SHAPE_NODES) {
      this.root = node(undefined, '');
      this.nodes = 0;
    }
  }

  /** Lets go of the frame's strings and of buffers a very large frame grew. */
  end(): void {
    this.text = '';
    this.ids = '';
    if (this.stringCount > LINEAR_STRINGS) this.originals = [];
    if (this.tapeCap > KEEP_WORDS) {
      this.tape = new Int32Array(256);
      this.tapeCap = 256;
    }
    if (this.fields.length > KEEP_WORDS) this.fields = new Int32Array(FIELD_WORDS * 16);
    if (this.nums.length > KEEP_WORDS) this.nums = new Float64Array(64);
    if (this.lengths.length > KEEP_WORDS) this.lengths = new Int32Array(64);
    if (this.hashes.length > KEEP_WORDS) this.hashes = new Int32Array(64);
    if (this.slotIndex.length > KEEP_WORDS) {
      this.slotFrame = new Int32Array(TABLE_SLOTS).fill(-1);
      this.slotIndex = new Int32Array(TABLE_SLOTS);
    }
  }

  string(s: string): number {
    // A few strings (one message) are found faster by scanning than by hashing.
    if (this.stringCount < LINEAR_STRINGS) return this.lookup(s);
    // A small cache in front of the table, indexed by a hash of a few characters: repeated
    // strings (agents, types, enum-like values) are found without hashing the whole string.
    const len = s.length;
    const h = len === 0 ? 0 : (len * 7 + s.charCodeAt(0) * 31 + s.charCodeAt(len >> 1) * 13 + s.charCodeAt(len - 1)) & CACHE_MASK;
    if (this.cacheFrame[h] === this.frame && this.cacheKey[h] === s) return this.cacheIndex[h];
    const i = this.lookup(s);
    this.cacheFrame[h] = this.frame;
    this.cacheKey[h] = s;
    this.cacheIndex[h] = i;
    return i;
  }

  private lookup(s: string): number {
    const n = this.stringCount;
    let slot = -1;
    let h = 0;
    if (n <= LINEAR_STRINGS) {
      for (let k = 0; k < n; k++) if (this.originals[k] === s) return k;
      if (n === LINEAR_STRINGS) for (let k = 0; k < n; k++) this.insert(k, hashString(this.originals[k]));
    } else {
      // Open addressing over the strings of this frame (cheaper than a Map for new strings).
      h = hashString(s);
      const { slotFrame, slotIndex, hashes, originals, frame } = this;
      const mask = slotIndex.length - 1;
      for (slot = h & mask; slotFrame[slot] === frame; slot = (slot + 1) & mask) {
        const k = slotIndex[slot];
        if (hashes[k] === h && originals[k] === s) return k;
      }
    }
    this.originals[n] = s;
    if (n >= LINEAR_STRINGS) {
      if (n === LINEAR_STRINGS) h = hashString(s);
      this.insert(n, h, slot);
    }
    if (n === this.lengths.length) this.lengths = grow(this.lengths, n + 1);
    this.lengths[n] = s.length;
    this.text += s;
    this.units += s.length;
    return (this.stringCount = n + 1) - 1;
  }

  /** Puts string `k` (hash `h`) in the table, at `free` if the caller found that slot free. */
  private insert(k: number, h: number, free = -1): void {
    if (k === this.hashes.length) this.hashes = grow(this.hashes, k + 1);
    this.hashes[k] = h;
    if ((k + 1) * 2 > this.slotIndex.length) {
      this.rehash(this.slotIndex.length * 2, k);
      free = -1;
    }
    const { slotFrame, slotIndex, frame } = this;
    const mask = slotIndex.length - 1;
    let slot = free;
    if (slot < 0) for (slot = h & mask; slotFrame[slot] === frame; slot = (slot + 1) & mask);
    slotFrame[slot] = frame;
    slotIndex[slot] = k;
  }

  /** A table of `size` slots holding strings 0 .. k - 1 of this frame. */
  private rehash(size: number, k: number): void {
    this.slotFrame = new Int32Array(size).fill(-1);
    this.slotIndex = new Int32Array(size);
    const mask = size - 1;
    for (let j = 0; j < k; j++) {
      let slot = this.hashes[j] & mask;
      while (this.slotFrame[slot] === this.frame) slot = (slot + 1) & mask;
      this.slotFrame[slot] = this.frame;
      this.slotIndex[slot] = j;
    }
  }

  /** Appends an id's text; returns its UTF-16 length. */
  private id(s: string): number {
    this.ids += s;
    this.idUnits += s.length;
    return s.length;
  }

  /**
   * UTF-8 cannot carry a lone surrogate: a string with one is written with U+FFFD instead (its
   * UTF-16 length stays). The joined text is checked once (the writer does it only when the
   * text is not all ASCII), not each string; but joined, two halves from neighbouring strings
   * could pair up, so any surrogate at all rebuilds the text from well-formed strings. Returns
   * whether it did.
   */
  wellFormStrings(): boolean {
    if (!SURROGATE.test(this.text)) return false;
    let text = '';
    for (let k = 0; k < this.stringCount; k++) text += wellFormed(this.originals[k]);
    this.text = text;
    return true;
  }

  /** As `wellFormStrings`, for the ids' text of `messages`. */
  wellFormIds(messages: readonly WireMessage[]): boolean {
    if (!SURROGATE.test(this.ids)) return false;
    let ids = '';
    for (let i = 0; i < this.count; i++) {
      const m = messages[i];
      ids += wellFormed(m.id);
      if (m.correlationId !== undefined) ids += wellFormed(m.correlationId);
    }
    this.ids = ids;
    return true;
  }

  private push(token: number): void {
    if (this.tapeLen === this.tapeCap) {
      this.tape = grow(this.tape, this.tapeLen + 1);
      this.tapeCap = this.tape.length;
    }
    this.tape[this.tapeLen++] = token;
  }

  private number(v: number): void {
    if (this.numCount === this.nums.length) this.nums = grow(this.nums, this.numCount + 1);
    this.nums[this.numCount] = v;
    this.push((this.numCount++ << 3) | K_NUMBER);
  }

  private next(from: ShapeNode, key: string): ShapeNode {
    let to: ShapeNode | undefined;
    if (from.key === key) to = from.child!;
    else if (from.key === undefined) {
      from.key = key;
      to = from.child = node(from, key);
      this.nodes++;
    } else {
      to = from.more?.get(key);
      if (to === undefined) {
        to = node(from, key);
        (from.more ??= new Map()).set(key, to);
        this.nodes++;
      }
    }
    if (to.frame !== this.frame) {
      // First time this frame: the key is used here (string numbering depends on it).
      to.frame = this.frame;
      to.keyIndex = this.string(key);
      to.id = -1;
    }
    return to;
  }

  private shape(at: ShapeNode): number {
    if (at.frame !== this.frame) {
      at.frame = this.frame; // the root, i.e. the empty object
      at.id = -1;
    }
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

  /** Writes a string, number, boolean or null and returns true; false for anything else. */
  private leaf(v: unknown): boolean {
    if (typeof v === 'string') this.push((this.string(v) << 3) | K_STRING);
    else if (typeof v === 'number') {
      if ((v | 0) === v && v >= -TAPE_INT_LIMIT && v < TAPE_INT_LIMIT) this.push((v << 3) | K_INT);
      else if (Number.isFinite(v)) this.number(v);
      else throw NOT_JSON;
    } else if (typeof v === 'boolean') this.push(v ? TOKEN_TRUE : TOKEN_FALSE);
    else if (v === null) this.push(TOKEN_NULL);
    else return false;
    return true;
  }

  /** Writes any JSON value; leaves inside arrays and objects take the short way. */
  private value(v: unknown, depth: number): void {
    if (this.leaf(v)) return;
    if (typeof v !== 'object' || depth >= MAX_PAYLOAD_DEPTH) throw NOT_JSON;
    if (Array.isArray(v)) {
      const n = v.length;
      this.push((n << 3) | K_ARRAY);
      for (let j = 0; j < n; j++) {
        const item: unknown = v[j];
        if (!this.leaf(item)) this.value(item, depth + 1);
      }
      return;
    }
    if (!isPlainObject(v!)) throw NOT_JSON;
    const slot = this.tapeLen;
    this.push(0);
    let at = this.root;
    for (const key in v) {
      at = this.next(at, key);
      const item = (v as Record<string, unknown>)[key];
      if (!this.leaf(item)) this.value(item, depth + 1);
    }
    this.tape[slot] = (this.shape(at) << 3) | K_OBJECT;
  }

  /**
   * Adds message `i`; throws `ValidationError` naming the field if it cannot (under
   * `messages[i]` unless the frame holds a `single` message).
   */
  add(m: WireMessage, i: number, single: boolean): void {
    if (
      typeof m !== 'object' ||
      m === null ||
      typeof m.id !== 'string' ||
      typeof m.sender !== 'string' ||
      typeof m.recipient !== 'string' ||
      typeof m.messageType !== 'string'
    ) {
      checkMessage(m, single ? '' : `messages[${i}]`);
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
      checkMessage(m, single ? '' : `messages[${i}]`);
    }
    const f = this.fields;
    const w = i * FIELD_WORDS;
    let flags = 0;
    f[w + 1] = this.id(m.id);
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
      f[w + 7] = this.id(correlationId);
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
      if (err === NOT_JSON) checkPayload(m.payload, single ? '' : `messages[${i}]`);
      throw err;
    }
    f[w] = flags | (priority << 8);
  }
}
