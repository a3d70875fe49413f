// Validates a frame completely before anything is built from it, and (when asked) writes what
// JS needs to read it lazily: a field table per message, the payload tape, UTF-16 string
// offsets, shape key lists and the text of binary UUIDs. Every rejection is a status code
// with the frame offset where it was found; nothing past a failure is trusted.

import { crc32cUpdate } from '../shared/crc32c';
import { ensureMemory } from '../shared/memory';
import {
  ERR_FRAME_BOUNDS,
  ERR_FRAME_CHECKSUM,
  ERR_FRAME_COUNT,
  ERR_FRAME_DEPTH,
  ERR_FRAME_FLAGS,
  ERR_FRAME_KIND,
  ERR_FRAME_KIND_MISMATCH,
  ERR_FRAME_LENGTH,
  ERR_FRAME_MAGIC,
  ERR_FRAME_NOT_FINITE,
  ERR_FRAME_OVERSIZED,
  ERR_FRAME_PAYLOAD_LENGTH,
  ERR_FRAME_PRIORITY,
  ERR_FRAME_RANGE,
  ERR_FRAME_SHAPE_REF,
  ERR_FRAME_STRING_REF,
  ERR_FRAME_TAG,
  ERR_FRAME_TEXT_LENGTH,
  ERR_FRAME_TRAILING,
  ERR_FRAME_TRUNCATED,
  ERR_FRAME_UNUSED,
  ERR_FRAME_UTF8,
  ERR_FRAME_VARINT,
  ERR_FRAME_VERSION,
  ERR_OUT_OF_MEMORY,
} from '../shared/status';
import {
  D_COUNT,
  D_DETAIL,
  D_ERROR_AT,
  D_FIELDS,
  D_KEY_COUNT,
  D_KEYS,
  D_KIND,
  D_NUM_COUNT,
  D_NUMS,
  D_SHAPE_INDEX,
  D_SHAPES,
  D_STARTS,
  D_STRINGS,
  D_TAPE,
  D_TAPE_LEN,
  D_TEXT_AT,
  D_TEXT_BYTES,
  D_UUID_COUNT,
  D_UUID_TEXT,
  setWord,
} from './control';
import {
  FIELD_WORDS,
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
  F_CORRELATION_UUID,
  F_ID_UUID,
  F_RESERVED,
  F_TIMESTAMP,
  HEADER_BYTES,
  KIND_BATCH,
  KIND_MESSAGE,
  K_ARRAY,
  K_CONST,
  K_INT,
  K_NUMBER,
  K_OBJECT,
  K_STRING,
  MAGIC_0,
  MAGIC_1,
  MAX_ATTEMPT,
  MAX_BATCH_MESSAGES,
  MAX_DEPTH,
  MAX_FRAME_BYTES,
  MAX_PRIORITY,
  MAX_TIMESTAMP,
  MAX_U32,
  MAX_VARINT,
  MIN_FRAME_BYTES,
  TAPE_INT_LIMIT,
  TRAILER_BYTES,
  T_FALSE,
  T_FLOAT,
  T_NINT,
  T_NULL,
  T_OBJECT,
  T_STR,
  T_TRUE,
  T_UINT,
  T_ARRAY,
  VERSION,
} from './format';
import { findSplitPair, utf16Length, utf8ErrorAt, utf8HasPairs } from './utf8';
import { writeUuidText } from './uuid';

/** Remaining values per open container while walking a payload. */
const STACK: usize = memory.data((MAX_DEPTH + 1) * 4, 16);

let base: usize = 0; // address of the frame's first byte
let pos: usize = 0; // address of the next byte to read
let status: i32 = 0; // first failure (0 = none)
let errorAt: usize = 0; // its frame offset
let detail: f64 = 0; // a number explaining it
let top: usize = 0; // bump pointer for outputs

let stringCount: u64 = 0;
let shapeIndex: usize = 0;
let keys: usize = 0;
let shapeCount: u64 = 0;
let outputs: bool = false;
let tape: usize = 0;
let tapeLen: usize = 0;
let nums: usize = 0;
let numCount: usize = 0;
let uuidText: usize = 0;
let uuidCount: usize = 0;

function fail(code: i32, at: usize, why: f64 = 0): void {
  if (status == 0) {
    status = code;
    errorAt = at - base;
    detail = why;
  }
}

/** Reserves `bytes` (8-byte aligned) at the top of memory; 0 after failing. */
function alloc(bytes: usize): usize {
  const p = (top + 7) & ~(<usize>7);
  if (!ensureMemory(p + bytes)) {
    fail(ERR_OUT_OF_MEMORY, base);
    return 0;
  }
  top = p + bytes;
  return p;
}

/** Reads a varint ending before `end`; running past `end` fails with `overrun`. */
@inline function readVarint(end: usize, overrun: i32): u64 {
  const p = pos;
  if (end - p >= 2) {
    const b0 = <u64>load<u8>(p);
    if (b0 < 0x80) {
      pos = p + 1;
      return b0;
    }
    const b1 = <u64>load<u8>(p, 1);
    if (b1 - 1 < 0x7f) {
      // Two bytes, the second neither a continuation nor a redundant zero.
      pos = p + 2;
      return (b0 & 0x7f) | (b1 << 7);
    }
  } else if (p < end) {
    const b0 = <u64>load<u8>(p);
    if (b0 < 0x80) {
      pos = p + 1;
      return b0;
    }
  }
  return readVarintSlow(end, overrun);
}

function readVarintSlow(end: usize, overrun: i32): u64 {
  const start = pos;
  let p = start;
  let value: u64 = 0;
  let shift: u64 = 0;
  while (true) {
    if (p >= end) {
      fail(overrun, start);
      return 0;
    }
    if (p - start == 8) {
      fail(ERR_FRAME_VARINT, start);
      return 0;
    }
    const b = <u64>load<u8>(p++);
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      if (b == 0 || value > MAX_VARINT) {
        fail(ERR_FRAME_VARINT, start);
        return 0;
      }
      pos = p;
      return value;
    }
    shift += 7;
  }
}

/** A string index below the string count. */
@inline function readString(end: usize): u32 {
  const at = pos;
  const v = readVarint(end, ERR_FRAME_BOUNDS);
  if (v >= stringCount) fail(ERR_FRAME_STRING_REF, at, <f64>v);
  return <u32>v;
}

/** 16 UUID bytes; returns the UUID slot whose text was written. */
function readUuid(end: usize): u32 {
  if (end - pos < 16) {
    fail(ERR_FRAME_BOUNDS, pos);
    return 0;
  }
  const slot = uuidCount++;
  if (outputs) writeUuidText(uuidText + slot * 36, pos);
  pos += 16;
  return <u32>slot;
}

@inline function emit(token: i32): void {
  if (outputs) store<i32>(tape + (tapeLen << 2), token);
  tapeLen++;
}

function emitNumber(v: f64): void {
  if (outputs) store<f64>(nums + (numCount << 3), v);
  emit(<i32>(numCount << 3) | K_NUMBER);
  numCount++;
}

@inline function emitInt(v: i64): void {
  if (v >= -TAPE_INT_LIMIT && v < TAPE_INT_LIMIT) emit((<i32>v << 3) | K_INT);
  else emitNumber(<f64>v);
}

/** Validates the one payload value in [pos, end) and appends its tape tokens. */
function walkPayload(end: usize): void {
  let depth: usize = 0; // open containers
  let left: u32 = 1; // values still to read in the innermost one
  while (true) {
    if (left == 0) {
      if (depth == 0) return;
      depth--;
      left = load<u32>(STACK + (depth << 2));
      continue;
    }
    left--;
    const at = pos;
    if (at >= end) return fail(ERR_FRAME_PAYLOAD_LENGTH, at);
    const tag = <u32>load<u8>(at);
    pos = at + 1;
    let children: u64 = 0;
    switch (tag >> 4) {
      case 0x0:
      case 0x1:
      case 0x2:
      case 0x3:
      case 0x4:
      case 0x5:
      case 0x6:
      case 0x7: {
        emit(<i32>(tag << 3) | K_INT);
        continue;
      }
      case 0x8:
      case 0x9:
      case 0xa:
      case 0xb: {
        const idx = <u64>(tag - 0x80);
        if (idx >= stringCount) return fail(ERR_FRAME_STRING_REF, at, <f64>idx);
        emit(<i32>(idx << 3) | K_STRING);
        continue;
      }
      case 0xd: {
        children = <u64>(tag & 15);
        emit(<i32>(children << 3) | K_ARRAY);
        break;
      }
      case 0xe: {
        children = shapeSlot(<u64>(tag & 15), at);
        if (status != 0) return;
        break;
      }
      case 0xf: {
        emit(((<i32>tag - 256) << 3) | K_INT);
        continue;
      }
      default: {
        if (tag == T_NULL) {
          emit(K_CONST);
          continue;
        } else if (tag == T_FALSE) {
          emit((1 << 3) | K_CONST);
          continue;
        } else if (tag == T_TRUE) {
          emit((2 << 3) | K_CONST);
          continue;
        } else if (tag == T_UINT) {
          const v = readVarint(end, ERR_FRAME_PAYLOAD_LENGTH);
          if (status != 0) return;
          emitInt(<i64>v);
          continue;
        } else if (tag == T_NINT) {
          const v = readVarint(end, ERR_FRAME_PAYLOAD_LENGTH);
          if (status != 0) return;
          if (v == 0) return fail(ERR_FRAME_RANGE, at);
          emitInt(-<i64>v);
          continue;
        } else if (tag == T_FLOAT) {
          if (end - pos < 8) return fail(ERR_FRAME_PAYLOAD_LENGTH, at);
          const f = load<f64>(pos);
          if (!isFinite(f)) return fail(ERR_FRAME_NOT_FINITE, at, f);
          pos += 8;
          emitNumber(f);
          continue;
        } else if (tag == T_STR) {
          const v = readVarint(end, ERR_FRAME_PAYLOAD_LENGTH);
          if (status != 0) return;
          if (v >= stringCount) return fail(ERR_FRAME_STRING_REF, at, <f64>v);
          emit(<i32>(v << 3) | K_STRING);
          continue;
        } else if (tag == T_ARRAY) {
          children = readVarint(end, ERR_FRAME_PAYLOAD_LENGTH);
          if (status != 0) return;
          emit(<i32>(children << 3) | K_ARRAY);
        } else if (tag == T_OBJECT) {
          const s = readVarint(end, ERR_FRAME_PAYLOAD_LENGTH);
          if (status != 0) return;
          children = shapeSlot(s, at);
          if (status != 0) return;
        } else {
          return fail(ERR_FRAME_TAG, at, <f64>tag);
        }
      }
    }
    // A container: `children` values follow.
    if (depth + 1 > <usize>MAX_DEPTH) return fail(ERR_FRAME_DEPTH, at);
    // Every child takes at least one byte: a larger count cannot fit.
    if (children > <u64>(end - pos)) return fail(ERR_FRAME_PAYLOAD_LENGTH, at, <f64>children);
    if (children > 0) {
      store<u32>(STACK + (depth << 2), left);
      depth++;
      left = <u32>children;
    }
  }
}

/** Checks shape index `s`, emits its token, returns its key count. */
function shapeSlot(s: u64, at: usize): u64 {
  if (s >= shapeCount) {
    fail(ERR_FRAME_SHAPE_REF, at, <f64>s);
    return 0;
  }
  emit(<i32>(s << 3) | K_OBJECT);
  const idx = shapeIndex + (<usize>s << 2);
  return <u64>(load<u32>(idx + 4) - load<u32>(idx));
}

/** Header, length and checksum; returns false after failing. */
function checkEnvelope(len: usize, expectKind: u32): bool {
  if (len < 2) return failed(ERR_FRAME_TRUNCATED, base + len);
  if (load<u8>(base) != MAGIC_0 || load<u8>(base, 1) != MAGIC_1) return failed(ERR_FRAME_MAGIC, base);
  if (len < 3) return failed(ERR_FRAME_TRUNCATED, base + len);
  const version = load<u8>(base, 2);
  if (version != VERSION) return failed(ERR_FRAME_VERSION, base + 2, <f64>version);
  if (len < 4) return failed(ERR_FRAME_TRUNCATED, base + len);
  const kind = <u32>load<u8>(base, 3);
  if (kind != KIND_MESSAGE && kind != KIND_BATCH) return failed(ERR_FRAME_KIND, base + 3, <f64>kind);
  if (kind != expectKind) return failed(ERR_FRAME_KIND_MISMATCH, base + 3, <f64>kind);
  if (len < HEADER_BYTES) return failed(ERR_FRAME_TRUNCATED, base + len);
  const declared = <usize>load<u32>(base, 4);
  if (declared > <usize>MAX_FRAME_BYTES) return failed(ERR_FRAME_OVERSIZED, base + 4, <f64>declared);
  if (declared < <usize>MIN_FRAME_BYTES) return failed(ERR_FRAME_LENGTH, base + 4, <f64>declared);
  if (len < declared) return failed(ERR_FRAME_TRUNCATED, base + len, <f64>declared);
  if (len > declared) return failed(ERR_FRAME_TRAILING, base + declared, <f64>(len - declared));
  const body = declared - TRAILER_BYTES;
  const crc = crc32cUpdate(0, base, body);
  if (crc != load<u32>(base + body)) return failed(ERR_FRAME_CHECKSUM, base + body, <f64>crc);
  return true;
}

function failed(code: i32, at: usize, why: f64 = 0): bool {
  fail(code, at, why);
  return false;
}

/**
 * Validates the `len`-byte frame at `ptr` (of which at most MAX_FRAME_BYTES are in memory)
 * as kind `expectKind`; with `withOutputs`, also writes the lazy-read tables. Results and
 * failure details go to the control block at `ctl`. Returns 0 or a negative status.
 */
export function readFrame(ctl: usize, ptr: usize, len: usize, expectKind: u32, withOutputs: bool): i32 {
  base = ptr;
  pos = ptr + HEADER_BYTES;
  status = 0;
  errorAt = 0;
  detail = 0;
  outputs = withOutputs;
  tapeLen = 0;
  numCount = 0;
  uuidCount = 0;
  stringCount = 0;
  shapeCount = 0;
  top = ptr + (len < <usize>MAX_FRAME_BYTES ? len : <usize>MAX_FRAME_BYTES);
  if (checkEnvelope(len, expectKind)) decodeBody(expectKind);
  if (status == 0) writeResults(ctl);
  setWord(ctl, D_ERROR_AT, <i32>errorAt);
  store<f64>(ctl + (<usize>D_DETAIL << 2), detail);
  return status;
}

function decodeBody(kind: u32): void {
  const end = base + <usize>load<u32>(base, 4) - TRAILER_BYTES;
  // Counts.
  let at = pos;
  const count = readVarint(end, ERR_FRAME_BOUNDS);
  if (status != 0) return;
  if ((kind == KIND_MESSAGE && count != 1) || count > <u64>MAX_BATCH_MESSAGES) return fail(ERR_FRAME_COUNT, at, <f64>count);
  at = pos;
  stringCount = readVarint(end, ERR_FRAME_BOUNDS);
  if (status != 0) return;
  if (stringCount > <u64>(end - pos)) return fail(ERR_FRAME_BOUNDS, at, <f64>stringCount);
  at = pos;
  shapeCount = readVarint(end, ERR_FRAME_BOUNDS);
  if (status != 0) return;
  if (shapeCount > <u64>(end - pos)) return fail(ERR_FRAME_BOUNDS, at, <f64>shapeCount);
  at = pos;
  const textBytes = readVarint(end, ERR_FRAME_BOUNDS);
  if (status != 0) return;
  if (textBytes > <u64>(end - pos)) return fail(ERR_FRAME_BOUNDS, at, <f64>textBytes);
  at = pos;
  const baseTime = readVarint(end, ERR_FRAME_BOUNDS);
  if (status != 0) return;
  if (baseTime > <u64>MAX_TIMESTAMP) return fail(ERR_FRAME_RANGE, at, <f64>baseTime);

  // String lengths (UTF-16 units) become running offsets into the decoded text.
  const starts = alloc(<usize>(stringCount + 1) << 2);
  if (status != 0) return;
  let total: u64 = 0;
  for (let k: usize = 0; k < <usize>stringCount; k++) {
    store<u32>(starts + (k << 2), <u32>total);
    at = pos;
    total += readVarint(end, ERR_FRAME_BOUNDS);
    if (status != 0) return;
    // Each UTF-16 unit takes at least one byte of text.
    if (total > textBytes) return fail(ERR_FRAME_TEXT_LENGTH, at, <f64>total);
  }
  store<u32>(starts + (<usize>stringCount << 2), <u32>total);

  // Text.
  const textAt = pos;
  if (textBytes > <u64>(end - pos)) return fail(ERR_FRAME_BOUNDS, textAt, <f64>textBytes);
  const units = utf16Length(textAt, <usize>textBytes);
  if (units < 0) return fail(ERR_FRAME_UTF8, utf8ErrorAt);
  if (<u64>units != total) return fail(ERR_FRAME_TEXT_LENGTH, textAt, <f64>units);
  if (utf8HasPairs) {
    const split = findSplitPair(textAt, <usize>textBytes, starts, <usize>stringCount);
    if (split != 0) return fail(ERR_FRAME_TEXT_LENGTH, split);
  }
  pos = textAt + <usize>textBytes;

  // Shapes: key lists of string indices.
  shapeIndex = alloc(<usize>(shapeCount + 1) << 2);
  if (status != 0) return;
  keys = (top + 7) & ~(<usize>7);
  let keyCount: usize = 0;
  for (let s: usize = 0; s < <usize>shapeCount; s++) {
    store<u32>(shapeIndex + (s << 2), <u32>keyCount);
    at = pos;
    const n = readVarint(end, ERR_FRAME_BOUNDS);
    if (status != 0) return;
    if (n > <u64>(end - pos)) return fail(ERR_FRAME_BOUNDS, at, <f64>n);
    if (!ensureMemory(keys + ((keyCount + <usize>n) << 2))) return fail(ERR_OUT_OF_MEMORY, at);
    for (let j: usize = 0; j < <usize>n; j++) {
      const key = readString(end);
      if (status != 0) return;
      store<u32>(keys + ((keyCount + j) << 2), key);
    }
    keyCount += <usize>n;
  }
  store<u32>(shapeIndex + (<usize>shapeCount << 2), <u32>keyCount);
  top = keys + (keyCount << 2);

  // Records.
  const recordsAt = pos;
  let fields: usize = 0;
  if (outputs) {
    fields = alloc(<usize>count * FIELD_WORDS * 4);
    uuidText = alloc(<usize>count * 72);
    // A payload number beyond the tape's inline range takes at least 6 bytes.
    nums = alloc((<usize>count + (end - recordsAt) / 6 + 1) << 3);
    tape = (top + 7) & ~(<usize>7);
    if (status != 0) return;
  }
  numCount = <usize>count; // timestamps take the first `count` number slots
  for (let i: usize = 0; i < <usize>count; i++) {
    at = pos;
    if (end - pos < 2) return fail(ERR_FRAME_BOUNDS, at);
    const flags = <u32>load<u8>(pos);
    if ((flags & F_RESERVED) != 0 || (flags & (F_CORRELATION | F_CORRELATION_UUID)) == F_CORRELATION_UUID) {
      return fail(ERR_FRAME_FLAGS, at, <f64>flags);
    }
    const priority = <u32>load<u8>(pos, 1);
    if (priority > MAX_PRIORITY) return fail(ERR_FRAME_PRIORITY, at + 1, <f64>priority);
    pos += 2;
    const id = flags & F_ID_UUID ? readUuid(end) : readString(end);
    if (status != 0) return;
    const sender = readString(end);
    if (status != 0) return;
    const recipient = readString(end);
    if (status != 0) return;
    const type = readString(end);
    if (status != 0) return;
    at = pos;
    const timeout = readVarint(end, ERR_FRAME_BOUNDS);
    if (status != 0) return;
    if (timeout > MAX_U32) return fail(ERR_FRAME_RANGE, at, <f64>timeout);
    let batchKey: u32 = 0;
    if (flags & F_BATCH_KEY) {
      batchKey = readString(end);
      if (status != 0) return;
    }
    let correlation: u32 = 0;
    if (flags & F_CORRELATION) {
      correlation = flags & F_CORRELATION_UUID ? readUuid(end) : readString(end);
      if (status != 0) return;
    }
    if (flags & F_TIMESTAMP) {
      at = pos;
      const z = readVarint(end, ERR_FRAME_BOUNDS);
      if (status != 0) return;
      const t = <i64>baseTime + (<i64>(z >> 1) ^ -<i64>(z & 1));
      if (t < 0 || t > MAX_TIMESTAMP) return fail(ERR_FRAME_RANGE, at, <f64>t);
      if (outputs) store<f64>(nums + (i << 3), <f64>t);
    }
    let attempt: u32 = 0;
    if (flags & F_ATTEMPT) {
      at = pos;
      const a = readVarint(end, ERR_FRAME_BOUNDS);
      if (status != 0) return;
      if (a > MAX_ATTEMPT) return fail(ERR_FRAME_RANGE, at, <f64>a);
      attempt = <u32>a;
    }
    at = pos;
    const payloadBytes = readVarint(end, ERR_FRAME_BOUNDS);
    if (status != 0) return;
    if (payloadBytes > <u64>(end - pos)) return fail(ERR_FRAME_BOUNDS, at, <f64>payloadBytes);
    const payloadEnd = pos + <usize>payloadBytes;
    const tapeStart = tapeLen;
    if (outputs && !ensureMemory(tape + ((tapeLen + <usize>payloadBytes) << 2))) return fail(ERR_OUT_OF_MEMORY, at);
    walkPayload(payloadEnd);
    if (status != 0) return;
    if (pos != payloadEnd) return fail(ERR_FRAME_PAYLOAD_LENGTH, pos, <f64>(payloadEnd - pos));
    if (outputs) {
      const f = fields + i * FIELD_WORDS * 4;
      store<u32>(f, flags | (priority << 8));
      store<u32>(f, id, 4);
      store<u32>(f, sender, 8);
      store<u32>(f, recipient, 12);
      store<u32>(f, type, 16);
      store<u32>(f, <u32>timeout, 20);
      store<u32>(f, batchKey, 24);
      store<u32>(f, correlation, 28);
      store<u32>(f, attempt, 32);
      store<u32>(f, <u32>tapeStart, 36);
    }
  }
  if (pos != end) return fail(ERR_FRAME_UNUSED, pos, <f64>(end - pos));
  lastCount = <u32>count;
  lastStarts = starts;
  lastTextAt = textAt;
  lastTextBytes = <u32>textBytes;
  lastKeyCount = <u32>keyCount;
  lastFields = fields;
}

let lastCount: u32 = 0;
let lastStarts: usize = 0;
let lastTextAt: usize = 0;
let lastTextBytes: u32 = 0;
let lastKeyCount: u32 = 0;
let lastFields: usize = 0;

/** Writes where the outputs of a successful decode are into the control block. */
function writeResults(ctl: usize): void {
  setWord(ctl, D_KIND, <i32>load<u8>(base, 3));
  setWord(ctl, D_COUNT, <i32>lastCount);
  setWord(ctl, D_STRINGS, <i32>stringCount);
  setWord(ctl, D_SHAPES, <i32>shapeCount);
  setWord(ctl, D_TEXT_AT, <i32>(lastTextAt - base));
  setWord(ctl, D_TEXT_BYTES, <i32>lastTextBytes);
  setWord(ctl, D_STARTS, <i32>lastStarts);
  setWord(ctl, D_SHAPE_INDEX, <i32>shapeIndex);
  setWord(ctl, D_KEYS, <i32>keys);
  setWord(ctl, D_KEY_COUNT, <i32>lastKeyCount);
  setWord(ctl, D_FIELDS, <i32>lastFields);
  setWord(ctl, D_NUMS, <i32>nums);
  setWord(ctl, D_NUM_COUNT, <i32>numCount);
  setWord(ctl, D_TAPE, <i32>tape);
  setWord(ctl, D_TAPE_LEN, <i32>tapeLen);
  setWord(ctl, D_UUID_TEXT, <i32>uuidText);
  setWord(ctl, D_UUID_COUNT, <i32>uuidCount);
}
