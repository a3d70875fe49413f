/**
 * The one loader of `wasm/codec.wasm`, and the two calls that cross into it, one per frame:
 *
 * - encode: `FrameInputs` (numbers, built in JS) and the strings' UTF-8 (one `encodeInto`
 *   straight into linear memory) go in; WASM writes the frame and its CRC-32C; JS copies it out.
 * - decode: the frame goes in; WASM validates all of it (checksum, every length, index, flag,
 *   tag and UTF-8 sequence) without building any JS object and writes the tables a reader
 *   needs (fields and payload offset per message, timestamps, string offsets, shapes, and the
 *   strings' and ids' text) right after the frame. For lazy views JS copies frame and tables
 *   out in one piece, so they never alias linear memory; `decodeMessage` reads them in place
 *   and is done before anything else can run.
 *
 * A trap (never expected) becomes a `WasmError` and the instance is replaced; an instance that
 * grew past `RELEASE_BYTES` for a very large frame is dropped after the call to give memory back.
 */
import { platform } from '#platform';
import { checkStatus, instantiateWasm, toWasmError, type WasmExports } from '../shared/wasm.ts';
import { ValidationError } from '../shared/errors.ts';
import { STATUS } from '../shared/status.ts';
import { MAX_BATCH_MESSAGES, MAX_FRAME_BYTES, type WireMessage } from './codec-format.ts';
import { FIELD_WORDS, FrameInputs } from './codec-writer.ts';
import { FrameError, FRAME_STATUS_CODES } from './frame-error.ts';

interface CodecExports extends WasmExports {
  controlPtr(): number;
  arenaPtr(bytes: number): number;
  encodeFrame(): number;
  decodeFrame(len: number, kind: number, outputs: number): number;
}

/** Control block words (mirrors assembly/codec/control.ts). */
const E = { KIND: 0, COUNT: 1, FIELDS: 2, NUMS: 3, TAPE: 4, TAPE_LEN: 5, LENGTHS: 6, STRINGS: 7, TEXT: 8, TEXT_BYTES: 9, SHAPES: 10, SHAPE_COUNT: 11, SHAPE_WORDS: 12, IDS: 13, END: 14, OUT: 15, ID_UNITS: 16 } as const;
const D = { ERROR_AT: 0, DETAIL: 2, KIND: 4, COUNT: 5, STRINGS: 6, SHAPES: 7, TEXT: 8, TEXT_BYTES: 9, STARTS: 10, SHAPE_INDEX: 11, KEYS: 12, KEY_COUNT: 13, COLUMNS: 14, TIMES: 15, ID_TEXT_BYTES: 16, RECORDS: 17, CRC: 18 } as const;

const NAME = 'codec';
/** Memory above this after a call is handed back by dropping the instance. */
const RELEASE_BYTES = 64 << 20;
const CODEC_STATUS = new Set(FRAME_STATUS_CODES);

interface Instance {
  e: CodecExports;
  ctl: number;
  buffer: ArrayBuffer;
  u8: Uint8Array;
  i32: Int32Array;
  f64: Float64Array;
}

let instance: Instance | undefined;

function load(): Instance {
  if (instance) return instance;
  const e = instantiateWasm<CodecExports>(platform.wasmModule(NAME), NAME).exports;
  const buffer = e.memory.buffer;
  return (instance = { e, ctl: e.controlPtr() >> 2, buffer, u8: new Uint8Array(buffer), i32: new Int32Array(buffer), f64: new Float64Array(buffer) });
}

/** Rebuilds the views if memory grew (growing detaches the old buffer, whose views then read as empty). */
function views(w: Instance): void {
  if (w.u8.length !== 0) return;
  const buffer = w.e.memory.buffer;
  w.buffer = buffer;
  w.u8 = new Uint8Array(buffer);
  w.i32 = new Int32Array(buffer);
  w.f64 = new Float64Array(buffer);
}

function release(w: Instance): void {
  if (w.buffer.byteLength > RELEASE_BYTES) instance = undefined;
}

function fail(err: unknown): never {
  instance = undefined;
  throw toWasmError(err, NAME);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const shared = new FrameInputs();

const align8 = (n: number) => (n + 7) & ~7;

/** Frames with up to this many UTF-16 units of strings and ids write them in one encodeInto. */
const SMALL_TEXT = 4096;

/** Frames up to this size are cut from a shared slab: a fresh ArrayBuffer costs ~400 ns. */
const POOLED_MAX = 4096;
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(0);
let slabAt = 0;

/** A copy of `length` bytes of `src` at `start` that the caller owns (small ones share a slab, like Node's Buffer pool). */
function copyOut(src: Uint8Array, start: number, length: number): Uint8Array {
  if (length > POOLED_MAX) return src.slice(start, start + length);
  if (slabAt + length > slab.length) {
    slab = new Uint8Array(SLAB_BYTES);
    slabAt = 0;
  }
  const out = slab.subarray(slabAt, slabAt + length);
  out.set(src.subarray(start, start + length));
  slabAt = align8(slabAt + length);
  return out;
}

/** Copies `n` words of `src` into `dst` at `at`; a loop for a few (cheaper than a subarray). */
function putI32(dst: Int32Array, at: number, src: Int32Array, n: number): void {
  if (n > 32) dst.set(src.subarray(0, n), at);
  else for (let k = 0; k < n; k++) dst[at + k] = src[k];
}

function putF64(dst: Float64Array, at: number, src: Float64Array, n: number): void {
  if (n > 32) dst.set(src.subarray(0, n), at);
  else for (let k = 0; k < n; k++) dst[at + k] = src[k];
}

/**
 * Encodes `messages` as one frame of `kind` (1 message, 2 batch). `single` names fields
 * without the `messages[i].` prefix. Throws `ValidationError` for a message it cannot carry.
 */
export function encodeFrameWasm(messages: readonly WireMessage[], kind: number, single: boolean): Uint8Array {
  const count = messages.length;
  if (count > MAX_BATCH_MESSAGES) {
    throw new ValidationError(`a batch holds at most ${MAX_BATCH_MESSAGES} messages, got ${count}`, 'messages');
  }
  // Reentrant calls (a payload getter that encodes) get their own inputs.
  const inputs = shared.busy ? new FrameInputs() : shared;
  inputs.busy = true;
  try {
    inputs.begin(count);
    for (let i = 0; i < count; i++) inputs.add(messages[i], i, single);
    return writeFrame(inputs, kind, messages);
  } finally {
    inputs.end();
    inputs.busy = false;
  }
}

function writeFrame(inputs: FrameInputs, kind: number, messages: readonly WireMessage[]): Uint8Array {
  const { count, numCount, tapeLen, shapeWordCount, stringCount, units, idUnits } = inputs;
  // Arena layout, all offsets 8-byte aligned; the ids' text comes last.
  const fields = 0;
  const nums = align8(fields + count * FIELD_WORDS * 4);
  const tape = align8(nums + numCount * 8);
  const lengths = align8(tape + tapeLen * 4);
  const shapes = align8(lengths + stringCount * 4);
  const text = align8(shapes + shapeWordCount * 4);
  const ids = text + units * 3;
  const end = ids + idUnits * 3;

  const w = load();
  try {
    const base = checkStatus(w.e.arenaPtr(end), NAME, 'arenaPtr');
    views(w);
    const { u8, i32, f64 } = w;
    putI32(i32, (base + fields) >> 2, inputs.fields, count * FIELD_WORDS);
    putF64(f64, (base + nums) >> 3, inputs.nums, numCount);
    putI32(i32, (base + tape) >> 2, inputs.tape, tapeLen);
    putI32(i32, (base + lengths) >> 2, inputs.lengths, stringCount);
    putI32(i32, (base + shapes) >> 2, inputs.shapeWords, shapeWordCount);
    // Small frames write strings and ids in one encodeInto while all ASCII (the usual case:
    // UTF-8 as long as UTF-16, so the ids start after `units` bytes); larger ones write each on
    // its own (joining them would copy both once more). Text that is not all ASCII may hold
    // surrogates: then it is made well-formed (per string) and written again.
    let textBytes = units;
    let idBytes = idUnits;
    let idsAt = base + text + units;
    if (units + idUnits > SMALL_TEXT || encoder.encodeInto(inputs.text + inputs.ids, u8.subarray(base + text, base + end)).written !== units + idUnits) {
      textBytes = encoder.encodeInto(inputs.text, u8.subarray(base + text, base + ids)).written;
      if (textBytes !== units && inputs.wellFormStrings()) textBytes = encoder.encodeInto(inputs.text, u8.subarray(base + text, base + ids)).written;
      idsAt = base + ids;
      idBytes = encoder.encodeInto(inputs.ids, u8.subarray(idsAt, base + end)).written;
      if (idBytes !== idUnits && inputs.wellFormIds(messages)) idBytes = encoder.encodeInto(inputs.ids, u8.subarray(idsAt, base + end)).written;
    }

    const c = w.ctl;
    i32[c + E.KIND] = kind;
    i32[c + E.COUNT] = count;
    i32[c + E.FIELDS] = base + fields;
    i32[c + E.NUMS] = base + nums;
    i32[c + E.TAPE] = base + tape;
    i32[c + E.TAPE_LEN] = tapeLen;
    i32[c + E.LENGTHS] = base + lengths;
    i32[c + E.STRINGS] = stringCount;
    i32[c + E.TEXT] = base + text;
    i32[c + E.TEXT_BYTES] = textBytes;
    i32[c + E.SHAPES] = base + shapes;
    i32[c + E.SHAPE_COUNT] = inputs.shapeCount;
    i32[c + E.SHAPE_WORDS] = shapeWordCount;
    i32[c + E.IDS] = idsAt;
    i32[c + E.END] = idsAt + idBytes;
    i32[c + E.ID_UNITS] = idUnits;
    const length = w.e.encodeFrame();
    if (length === STATUS.ERR_FRAME_OVERSIZED) {
      throw new ValidationError(`the messages encode to more than the ${MAX_FRAME_BYTES}-byte frame limit`, 'messages');
    }
    checkStatus(length, NAME, 'encodeFrame');
    views(w);
    const out = w.i32[c + E.OUT];
    const frame = copyOut(w.u8, out, length);
    release(w);
    return frame;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    return fail(err);
  }
}

/**
 * What a reader needs from a validated frame: the frame's bytes and the tables WASM wrote, as
 * views over one buffer with offsets. A copy owns its buffer; a direct result views WASM memory
 * and is valid only until the next codec call.
 */
export interface FrameTables {
  count: number;
  /** Whether the payloads were validated too (mode `'copy'`/`'direct'`) or not (`'envelopes'`). */
  complete: boolean;
  u8: Uint8Array;
  i32: Int32Array;
  f64: Float64Array;
  /** Byte offset of the frame's start in `u8` (payload offsets are relative to it; meaningless without payloads). */
  frameAt: number;
  /**
   * Index in `i32` of the field columns (assembly/codec/format.ts, `C_*`): column `c` of message
   * `i` is at `columnsAt + c * count + i`. Only the routing columns (0-5) without payloads.
   */
  columnsAt: number;
  /** Index in `f64` of one timestamp per message (0 where absent; none without payloads). */
  timesAt: number;
  /** Index in `i32` of the UTF-16 offsets of each string in `text` (stringCount + 1). */
  startsAt: number;
  stringCount: number;
  /** Index in `i32` of the offsets into the key list per shape (shapeCount + 1). */
  shapeIndexAt: number;
  shapeCount: number;
  /** Index in `i32` of the key list (string indices). */
  keysAt: number;
  /** Every string of the frame, then the text of every id and correlationId. */
  text: string;
  /** The frame's CRC-32C (its trailer). */
  crc: number;
}

/**
 * `'validate'`: count only. `'copy'`: tables that own their memory. `'direct'`: tables viewing
 * WASM memory. `'envelopes'`: everything but the inside of payloads validated, routing tables
 * that own their memory.
 */
export type DecodeMode = 'validate' | 'copy' | 'direct' | 'envelopes';

/** Words per message in the columns, and how many are routing columns (assembly/codec/format.ts). */
export const COLUMNS = 12;
export const ROUTING_COLUMNS = 6;
const LEVEL = { validate: 0, copy: 1, direct: 1, envelopes: 2 } as const;

/**
 * Validates `bytes` as a frame of `kind` and returns its message count (`'validate'`) or its
 * tables. Throws `FrameError` with the exact reason and offset.
 */
export function decodeFrameWasm(bytes: Uint8Array, kind: number, mode: 'validate'): number;
export function decodeFrameWasm(bytes: Uint8Array, kind: number, mode: 'copy' | 'direct' | 'envelopes'): FrameTables;
export function decodeFrameWasm(bytes: Uint8Array, kind: number, mode: DecodeMode): FrameTables | number {
  const w = load();
  try {
    const n = Math.min(bytes.length, MAX_FRAME_BYTES);
    const base = checkStatus(w.e.arenaPtr(n), NAME, 'arenaPtr');
    views(w);
    w.u8.set(n === bytes.length ? bytes : bytes.subarray(0, n), base);
    let status = w.e.decodeFrame(bytes.length, kind, LEVEL[mode]);
    // A refusal names the first failure in byte order, as a whole-frame decode would (it may
    // lie inside an earlier payload); refusals are rare, so the frame is simply read again.
    if (status < 0 && mode === 'envelopes' && CODEC_STATUS.has(status)) status = w.e.decodeFrame(bytes.length, kind, LEVEL.validate);
    views(w);
    const { i32, f64 } = w;
    const c = w.ctl;
    if (status < 0) {
      if (CODEC_STATUS.has(status)) throw new FrameError(status, i32[c + D.ERROR_AT], f64[(c + D.DETAIL) >> 1]);
      checkStatus(status, NAME, 'decodeFrame');
    }
    const count = i32[c + D.COUNT];
    if (mode === 'validate') {
      release(w);
      return count;
    }
    // The frame and every table lie one after another from `base` (string starts, shapes,
    // columns, timestamps), the text (with the ids' text after it) last. Copies keep what
    // they read later, not the text (it becomes a string now): the records (for payloads) and
    // the tables, or just the string starts, shapes and routing columns. Fresh memory is
    // costly (about 0.1 ns a byte and 1 µs a buffer here), so copies are cut tight.
    const textAt = i32[c + D.TEXT];
    const end = textAt + i32[c + D.TEXT_BYTES] + i32[c + D.ID_TEXT_BYTES];
    const text = decoder.decode(w.u8.subarray(textAt, end));
    let u8 = w.u8;
    let at = 0;
    if (mode === 'copy') {
      at = i32[c + D.RECORDS] & ~7;
      u8 = u8.slice(at, textAt);
    } else if (mode === 'envelopes') {
      at = i32[c + D.STARTS];
      u8 = u8.slice(at, i32[c + D.COLUMNS] + ROUTING_COLUMNS * count * 4);
    }
    const owned = mode !== 'direct';
    const tables: FrameTables = {
      count,
      complete: mode !== 'envelopes',
      u8,
      i32: owned ? new Int32Array(u8.buffer, 0, u8.length >> 2) : i32,
      f64: owned ? new Float64Array(u8.buffer, 0, u8.length >> 3) : f64,
      frameAt: base - at,
      columnsAt: (i32[c + D.COLUMNS] - at) >> 2,
      timesAt: (i32[c + D.TIMES] - at) >> 3,
      startsAt: (i32[c + D.STARTS] - at) >> 2,
      stringCount: i32[c + D.STRINGS],
      shapeIndexAt: (i32[c + D.SHAPE_INDEX] - at) >> 2,
      shapeCount: i32[c + D.SHAPES],
      keysAt: (i32[c + D.KEYS] - at) >> 2,
      text,
      crc: i32[c + D.CRC] >>> 0,
    };
    release(w);
    return tables;
  } catch (err) {
    if (err instanceof FrameError) throw err;
    return fail(err);
  }
}
