/**
 * The one loader of `wasm/codec.wasm`, and the two calls that cross into it, one per frame:
 *
 * - encode: `FrameInputs` (numbers, built in JS) and the strings' UTF-8 (one `encodeInto`
 *   straight into linear memory) go in; WASM writes the frame and its CRC-32C; JS copies it out.
 * - decode: the frame goes in; WASM validates all of it (checksum, every length, index, flag,
 *   tag and UTF-8 sequence) without building any JS object and writes the tables a lazy reader
 *   needs; JS copies those out, so the result never aliases linear memory.
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
const E = { KIND: 0, COUNT: 1, FIELDS: 2, NUMS: 3, TAPE: 4, TAPE_LEN: 5, LENGTHS: 6, STRINGS: 7, TEXT: 8, TEXT_BYTES: 9, SHAPES: 10, SHAPE_COUNT: 11, SHAPE_WORDS: 12, UUIDS: 13, END: 14, OUT: 15 } as const;
const D = { ERROR_AT: 0, DETAIL: 2, KIND: 4, COUNT: 5, STRINGS: 6, SHAPES: 7, TEXT_AT: 8, TEXT_BYTES: 9, STARTS: 10, SHAPE_INDEX: 11, KEYS: 12, KEY_COUNT: 13, FIELDS: 14, NUMS: 15, NUM_COUNT: 16, TAPE: 17, TAPE_LEN: 18, UUID_TEXT: 19, UUID_COUNT: 20 } as const;

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

/** Rebuilds the views if memory grew (which detaches the old buffer). */
function views(w: Instance): void {
  const buffer = w.e.memory.buffer;
  if (buffer === w.buffer) return;
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
let shared = new FrameInputs();

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Encodes `messages` as one frame of `kind` (1 message, 2 batch). `single` names fields
 * without the `messages[i].` prefix. Throws `ValidationError` for a message it cannot carry.
 */
export function encodeFrameWasm(messages: readonly WireMessage[], kind: number, single: boolean): Uint8Array {
  const count = messages.length;
  if (count > MAX_BATCH_MESSAGES) {
    throw new ValidationError(`a batch holds at most ${MAX_BATCH_MESSAGES} messages, got ${count}`, 'messages');
  }
  const inputs = shared.busy ? new FrameInputs() : shared;
  inputs.busy = true;
  try {
    inputs.begin(count);
    for (let i = 0; i < count; i++) inputs.add(messages[i], i, single ? '' : `messages[${i}]`);
    return writeFrame(inputs, kind);
  } finally {
    inputs.busy = false;
    if (inputs !== shared && !shared.busy) shared = inputs;
  }
}

function writeFrame(inputs: FrameInputs, kind: number): Uint8Array {
  const { count, numCount, tapeLen, uuidCount, shapeWordCount, strings, units } = inputs;
  // Arena layout, all offsets 8-byte aligned.
  const fields = 0;
  const nums = align8(fields + count * FIELD_WORDS * 4);
  const tape = align8(nums + numCount * 8);
  const lengths = align8(tape + tapeLen * 4);
  const shapes = align8(lengths + strings.length * 4);
  const uuids = align8(shapes + shapeWordCount * 4);
  const text = align8(uuids + uuidCount * 16);
  const end = text + units * 3;

  const w = load();
  try {
    const base = checkStatus(w.e.arenaPtr(end), NAME, 'arenaPtr');
    views(w);
    const { u8, i32, f64 } = w;
    i32.set(inputs.fields.subarray(0, count * FIELD_WORDS), (base + fields) >> 2);
    f64.set(inputs.nums.subarray(0, numCount), (base + nums) >> 3);
    i32.set(inputs.tape.subarray(0, tapeLen), (base + tape) >> 2);
    const lengthsAt = (base + lengths) >> 2;
    for (let k = 0; k < strings.length; k++) i32[lengthsAt + k] = strings[k].length;
    i32.set(inputs.shapeWords.subarray(0, shapeWordCount), (base + shapes) >> 2);
    u8.set(inputs.uuids.subarray(0, uuidCount * 16), base + uuids);
    const textBytes = units === 0 ? 0 : encoder.encodeInto(strings.join(''), u8.subarray(base + text, base + end)).written;

    const c = w.ctl;
    i32[c + E.KIND] = kind;
    i32[c + E.COUNT] = count;
    i32[c + E.FIELDS] = base + fields;
    i32[c + E.NUMS] = base + nums;
    i32[c + E.TAPE] = base + tape;
    i32[c + E.TAPE_LEN] = tapeLen;
    i32[c + E.LENGTHS] = base + lengths;
    i32[c + E.STRINGS] = strings.length;
    i32[c + E.TEXT] = base + text;
    i32[c + E.TEXT_BYTES] = textBytes;
    i32[c + E.SHAPES] = base + shapes;
    i32[c + E.SHAPE_COUNT] = inputs.shapeCount;
    i32[c + E.SHAPE_WORDS] = shapeWordCount;
    i32[c + E.UUIDS] = base + uuids;
    i32[c + E.END] = base + end;
    const length = w.e.encodeFrame();
    if (length === STATUS.ERR_FRAME_OVERSIZED) {
      throw new ValidationError(`the messages encode to more than the ${MAX_FRAME_BYTES}-byte frame limit`, 'messages');
    }
    checkStatus(length, NAME, 'encodeFrame');
    views(w);
    const out = w.i32[c + E.OUT];
    const frame = w.u8.slice(out, out + length);
    release(w);
    return frame;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    return fail(err);
  }
}

/** What a lazy reader needs from a validated frame; owns its memory (nothing aliases WASM). */
export interface FrameTables {
  count: number;
  /** FIELD_WORDS words per message. */
  fields: Int32Array;
  /** Timestamps at [0, count), payload numbers after. */
  nums: Float64Array;
  tape: Int32Array;
  /** UTF-16 offsets of each string in `text` (stringCount + 1). */
  starts: Int32Array;
  /** Offsets into `keys` per shape (shapeCount + 1). */
  shapeIndex: Int32Array;
  keys: Int32Array;
  text: string;
  /** 36 characters per UUID slot. */
  uuidText: string;
}

function copy<T extends Int32Array | Float64Array>(view: T, at: number, n: number): T {
  return view.slice(at, at + n) as T;
}

/**
 * Validates `bytes` as a frame of `kind`. Without `tables`, returns only the message count;
 * with it, the tables for lazy reads. Throws `FrameError` with the exact reason and offset.
 */
export function decodeFrameWasm(bytes: Uint8Array, kind: number, tables: true): FrameTables;
export function decodeFrameWasm(bytes: Uint8Array, kind: number, tables: false): number;
export function decodeFrameWasm(bytes: Uint8Array, kind: number, tables: boolean): FrameTables | number {
  const w = load();
  try {
    const n = Math.min(bytes.length, MAX_FRAME_BYTES);
    const base = checkStatus(w.e.arenaPtr(n), NAME, 'arenaPtr');
    views(w);
    w.u8.set(n === bytes.length ? bytes : bytes.subarray(0, n), base);
    const status = w.e.decodeFrame(bytes.length, kind, tables ? 1 : 0);
    views(w);
    const { i32, f64 } = w;
    const c = w.ctl;
    if (status < 0) {
      if (CODEC_STATUS.has(status)) throw new FrameError(status, i32[c + D.ERROR_AT], f64[(c + D.DETAIL) >> 1]);
      checkStatus(status, NAME, 'decodeFrame');
    }
    const count = i32[c + D.COUNT];
    if (!tables) {
      release(w);
      return count;
    }
    const stringCount = i32[c + D.STRINGS];
    const shapeCount = i32[c + D.SHAPES];
    const textAt = i32[c + D.TEXT_AT];
    const uuidAt = i32[c + D.UUID_TEXT];
    const result: FrameTables = {
      count,
      fields: copy(i32, i32[c + D.FIELDS] >> 2, count * FIELD_WORDS),
      nums: copy(f64, i32[c + D.NUMS] >> 3, i32[c + D.NUM_COUNT]),
      tape: copy(i32, i32[c + D.TAPE] >> 2, i32[c + D.TAPE_LEN]),
      starts: copy(i32, i32[c + D.STARTS] >> 2, stringCount + 1),
      shapeIndex: copy(i32, i32[c + D.SHAPE_INDEX] >> 2, shapeCount + 1),
      keys: copy(i32, i32[c + D.KEYS] >> 2, i32[c + D.KEY_COUNT]),
      text: decoder.decode(bytes.subarray(textAt, textAt + i32[c + D.TEXT_BYTES])),
      uuidText: decoder.decode(w.u8.subarray(uuidAt, uuidAt + 36 * i32[c + D.UUID_COUNT])),
    };
    release(w);
    return result;
  } catch (err) {
    if (err instanceof FrameError) throw err;
    return fail(err);
  }
}
