// Validates a frame completely before anything is built from it, and (when asked) writes what
// JS needs to read it lazily: a field table per message (with each payload's offset),
// timestamps, UTF-16 string offsets, shape key lists, and the strings' text followed by the
// ids' text (UUIDs spelled out). Every
// rejection is a status code with the frame offset where it was found and a number that
// explains it; nothing past a failure is read.

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
  D_SHAPE_INDEX,
  D_SHAPES,
  D_STARTS,
  D_STRINGS,
  D_RECORDS,
  D_TEXT,
  D_TEXT_BYTES,
  D_TIMES,
  D_ID_TEXT_BYTES,
  setWord,
} from './control';
import {
  FIELD_WORDS,
  FW_ATTEMPT,
  FW_BATCH_KEY,
  FW_CORRELATION,
  FW_CORRELATION_LENGTH,
  FW_FLAGS,
  FW_ID,
  FW_ID_LENGTH,
  FW_PAYLOAD,
  FW_RECIPIENT,
  FW_SENDER,
  FW_TIMEOUT,
  FW_TYPE,
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
  TRAILER_BYTES,
  T_ARRAY,
  T_FALSE,
  T_FLOAT,
  T_NINT,
  T_NULL,
  T_OBJECT,
  T_STR,
  T_TRUE,
  T_UINT,
  VERSION,
  setField,
} from './format';
import { findSplitPair, utf16Length, utf8ErrorAt, utf8HasPairs } from './utf8';
import { writeUuidText } from './uuid';

/** Values still to read per open container while walking a payload. */
const STACK: usize = memory.data((MAX_DEPTH + 1) * 4, 16);

let base: usize = 0; // address of the frame's first byte
let pos: usize = 0; // address of the next byte to read
let status: i32 = 0; // first failure (0 = none)
let errorAt: usize = 0; // its frame offset
let detail: f64 = 0; // a number explaining it
let top: usize = 0; // bump pointer for outputs
let outputs: bool = false;

let stringCount: u64 = 0;
let shapeCount: u64 = 0;
let shapeIndex: usize = 0;
let keys: usize = 0;
/** Where ids' text goes (after a copy of the strings' text), its bytes and UTF-16 units so far. */
let idText: usize = 0;
let idTextBytes: usize = 0;
let idTextUnits: u32 = 0;
/** The last id read: UTF-16 offset in the id text and length. */
let idAt: u32 = 0;
let idUnits: u32 = 0;

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

/**
 * An id or correlationId: 16 UUID bytes (`uuid`), else a varint byte length and UTF-8 text.
 * Appends its text to the id text and leaves its UTF-16 offset and length in `idAt`, `idUnits`.
 */
function readId(end: usize, uuid: bool): void {
  const at = pos;
  idAt = idTextUnits;
  if (uuid) {
    if (end - at < 16) return fail(ERR_FRAME_BOUNDS, at);
    if (outputs) writeUuidText(idText + idTextBytes, at);
    pos = at + 16;
    idUnits = 36;
    idTextBytes += 36;
    idTextUnits += 36;
    return;
  }
  const n = readVarint(end, ERR_FRAME_BOUNDS);
  if (status != 0) return;
  if (n > <u64>(end - pos)) return fail(ERR_FRAME_BOUNDS, at, <f64>n);
  const units = utf16Length(pos, <usize>n);
  if (units < 0) return fail(ERR_FRAME_UTF8, utf8ErrorAt);
  if (outputs) memory.copy(idText + idTextBytes, pos, <usize>n);
  pos += <usize>n;
  idUnits = <u32>units;
  idTextBytes += <usize>n;
  idTextUnits += <u32>units;
}

/** Key count of shape `s`, after checking it exists. */
@inline function shapeKeys(s: u64, at: usize): u64 {
  if (s >= shapeCount) {
    fail(ERR_FRAME_SHAPE_REF, at, <f64>s);
    return 0;
  }
  const idx = shapeIndex + (<usize>s << 2);
  return <u64>(load<u32>(idx, 4) - load<u32>(idx));
}

/** Validates the one payload value in [pos, end). */
function walkPayload(end: usize): void {
  let depth: usize = 0; // open containers
  let left: u32 = 1; // values still to read in the innermost one
  let p = pos;
  while (true) {
    if (left == 0) {
      if (depth == 0) break;
      depth--;
      left = load<u32>(STACK + (depth << 2));
      continue;
    }
    left--;
    const at = p;
    if (at >= end) return fail(ERR_FRAME_PAYLOAD_LENGTH, at);
    const tag = <u32>load<u8>(at);
    p = at + 1;
    let children: u64 = 0;
    switch (tag >> 4) {
      case 0x0:
      case 0x1:
      case 0x2:
      case 0x3:
      case 0x4:
      case 0x5:
      case 0x6:
      case 0x7:
      case 0xf:
        continue; // small integers
      case 0x8:
      case 0x9:
      case 0xa:
      case 0xb: {
        const idx = <u64>(tag - 0x80);
        if (idx >= stringCount) return fail(ERR_FRAME_STRING_REF, at, <f64>idx);
        continue;
      }
      case 0xd: {
        children = <u64>(tag & 15);
        break;
      }
      case 0xe: {
        children = shapeKeys(<u64>(tag & 15), at);
        if (status != 0) return;
        break;
      }
      default: {
        if (tag <= T_TRUE) continue; // null, false, true
        if (tag == T_FLOAT) {
          if (end - p < 8) return fail(ERR_FRAME_PAYLOAD_LENGTH, at);
          const f = load<f64>(p);
          if (!isFinite(f)) return fail(ERR_FRAME_NOT_FINITE, at, f);
          p += 8;
          continue;
        }
        if (tag > T_OBJECT) return fail(ERR_FRAME_TAG, at, <f64>tag);
        pos = p;
        const v = readVarint(end, ERR_FRAME_PAYLOAD_LENGTH);
        if (status != 0) return;
        p = pos;
        if (tag == T_UINT) continue;
        if (tag == T_NINT) {
          if (v == 0) return fail(ERR_FRAME_RANGE, at);
          continue;
        }
        if (tag == T_STR) {
          if (v >= stringCount) return fail(ERR_FRAME_STRING_REF, at, <f64>v);
          continue;
        }
        if (tag == T_ARRAY) {
          children = v;
        } else {
          children = shapeKeys(v, at);
          if (status != 0) return;
        }
      }
    }
    // A container: `children` values follow.
    if (depth + 1 > <usize>MAX_DEPTH) return fail(ERR_FRAME_DEPTH, at);
    // Every child takes at least one byte: a larger count cannot fit.
    if (children > <u64>(end - p)) return fail(ERR_FRAME_PAYLOAD_LENGTH, at, <f64>children);
    if (children > 0) {
      store<u32>(STACK + (depth << 2), left);
      depth++;
      left = <u32>children;
    }
  }
  pos = p;
}

function failed(code: i32, at: usize, why: f64 = 0): bool {
  fail(code, at, why);
  return false;
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

/** A count that leaves room for at least one byte per unit before `end`. */
@inline function readCount(end: usize): u64 {
  const at = pos;
  const n = readVarint(end, ERR_FRAME_BOUNDS);
  if (status == 0 && n > <u64>(end - pos)) fail(ERR_FRAME_BOUNDS, at, <f64>n);
  return n;
}

/**
 * Validates the `len`-byte frame at `ptr` (of which at most MAX_FRAME_BYTES are in memory)
 * as kind `expectKind`; with `withOutputs`, also writes the tables for lazy reads and their
 * addresses to the control block at `ctl`. Failure details go there too. 0 or a status.
 */
export function readFrame(ctl: usize, ptr: usize, len: usize, expectKind: u32, withOutputs: bool): i32 {
  base = ptr;
  pos = ptr + HEADER_BYTES;
  status = 0;
  errorAt = 0;
  detail = 0;
  outputs = withOutputs;
  idTextBytes = 0;
  idTextUnits = 0;
  stringCount = 0;
  shapeCount = 0;
  top = ptr + (len < <usize>MAX_FRAME_BYTES ? len : <usize>MAX_FRAME_BYTES);
  if (checkEnvelope(len, expectKind)) readBody(ctl, expectKind);
  setWord(ctl, D_ERROR_AT, <i32>errorAt);
  store<f64>(ctl + (<usize>D_DETAIL << 2), detail);
  return status;
}

function readBody(ctl: usize, kind: u32): void {
  const end = base + <usize>load<u32>(base, 4) - TRAILER_BYTES;

  // Counts.
  let at = pos;
  const count = readVarint(end, ERR_FRAME_BOUNDS);
  if (status != 0) return;
  if ((kind == KIND_MESSAGE && count != 1) || count > <u64>MAX_BATCH_MESSAGES) return fail(ERR_FRAME_COUNT, at, <f64>count);
  stringCount = readCount(end);
  if (status != 0) return;
  shapeCount = readCount(end);
  if (status != 0) return;
  const textBytes = readCount(end);
  if (status != 0) return;
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
    const n = readCount(end);
    if (status != 0) return;
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
  let times: usize = 0;
  let textCopy: usize = 0;
  if (outputs) {
    fields = alloc(<usize>count * FIELD_WORDS * 4);
    times = alloc(<usize>count << 3);
    // The text is copied here with the ids' text right after it, for one TextDecoder call. An
    // id takes at most 36 bytes of text (a UUID) or its bytes in the records.
    textCopy = alloc(<usize>textBytes + <usize>count * 72 + (end - pos));
    idText = textCopy + <usize>textBytes;
    if (status != 0) return;
  }
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
    readId(end, (flags & F_ID_UUID) != 0);
    if (status != 0) return;
    const id = idAt;
    const idLength = idUnits;
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
    let correlationLength: u32 = 0;
    if (flags & F_CORRELATION) {
      readId(end, (flags & F_CORRELATION_UUID) != 0);
      if (status != 0) return;
      correlation = idAt;
      correlationLength = idUnits;
    }
    let time: i64 = 0;
    if (flags & F_TIMESTAMP) {
      at = pos;
      const z = readVarint(end, ERR_FRAME_BOUNDS);
      if (status != 0) return;
      time = <i64>baseTime + (<i64>(z >> 1) ^ -<i64>(z & 1));
      if (time < 0 || time > MAX_TIMESTAMP) return fail(ERR_FRAME_RANGE, at, <f64>time);
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
    const payloadAt = pos;
    const payloadEnd = pos + <usize>payloadBytes;
    walkPayload(payloadEnd);
    if (status != 0) return;
    if (pos != payloadEnd) return fail(ERR_FRAME_PAYLOAD_LENGTH, pos, <f64>(payloadEnd - pos));
    if (outputs) {
      const f = fields + i * FIELD_WORDS * 4;
      setField(f, FW_FLAGS, flags | (priority << 8));
      setField(f, FW_ID, id);
      setField(f, FW_SENDER, sender);
      setField(f, FW_RECIPIENT, recipient);
      setField(f, FW_TYPE, type);
      setField(f, FW_TIMEOUT, <u32>timeout);
      setField(f, FW_BATCH_KEY, batchKey);
      setField(f, FW_CORRELATION, correlation);
      setField(f, FW_ATTEMPT, attempt);
      setField(f, FW_PAYLOAD, <u32>(payloadAt - base));
      setField(f, FW_ID_LENGTH, idLength);
      setField(f, FW_CORRELATION_LENGTH, correlationLength);
      store<f64>(times + (i << 3), <f64>time);
    }
  }
  if (pos != end) return fail(ERR_FRAME_UNUSED, pos, <f64>(end - pos));
  if (outputs) memory.copy(textCopy, textAt, <usize>textBytes);

  setWord(ctl, D_KIND, <i32>load<u8>(base, 3));
  setWord(ctl, D_COUNT, <i32>count);
  setWord(ctl, D_STRINGS, <i32>stringCount);
  setWord(ctl, D_SHAPES, <i32>shapeCount);
  setWord(ctl, D_TEXT, <i32>textCopy);
  setWord(ctl, D_RECORDS, <i32>recordsAt);
  setWord(ctl, D_TEXT_BYTES, <i32>textBytes);
  setWord(ctl, D_STARTS, <i32>starts);
  setWord(ctl, D_SHAPE_INDEX, <i32>shapeIndex);
  setWord(ctl, D_KEYS, <i32>keys);
  setWord(ctl, D_KEY_COUNT, <i32>keyCount);
  setWord(ctl, D_FIELDS, <i32>fields);
  setWord(ctl, D_TIMES, <i32>times);
  setWord(ctl, D_ID_TEXT_BYTES, <i32>idTextBytes);
}
