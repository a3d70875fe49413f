// Validates a frame before anything is built from it, and (when asked) writes what JS needs
// to read it lazily: columns of fields per message (with each payload's offset), timestamps,
// UTF-16 string offsets, shape key lists, and the strings' text followed by the ids' text
// (UUIDs spelled out). Every rejection is a status code with the frame offset where it was
// found and a number that explains it; nothing past a failure is read.
//
// Levels (docs/wire-format.md, "Validation levels"): LEVEL_FRAME checks everything; LEVEL_ENVELOPES
// checks everything but the inside of each payload (its bounds are checked) and writes only
// the routing columns.
//
// Hot loops keep the cursor in locals: a varint read returns its value and byte count packed
// in one u64 (FAILED after a failure), so the common one-byte case costs a load and a compare.

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
  D_COLUMNS,
  D_COUNT,
  D_CRC,
  D_DETAIL,
  D_ERROR_AT,
  D_ID_TEXT_BYTES,
  D_KEY_COUNT,
  D_KEYS,
  D_KIND,
  D_RECORDS,
  D_SHAPE_INDEX,
  D_SHAPES,
  D_STARTS,
  D_STRINGS,
  D_TEXT,
  D_TEXT_BYTES,
  D_TIMES,
  setWord,
} from './control';
import {
  COLUMNS,
  C_ATTEMPT,
  C_BATCH_KEY,
  C_CORRELATION,
  C_CORRELATION_LENGTH,
  C_ID,
  C_ID_LENGTH,
  C_PAYLOAD,
  C_RECIPIENT,
  C_SENDER,
  C_TIMEOUT,
  C_TYPE,
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
  T_FLOAT,
  T_NINT,
  T_OBJECT,
  T_STR,
  T_TRUE,
  T_UINT,
  VERSION,
} from './format';
import { findSplitPair, utf16Length, utf8ErrorAt, utf8HasPairs } from './utf8';
import { writeUuidText } from './uuid';

/** Validation levels (decodeFrame's `level`). */
export const LEVEL_VALIDATE: u32 = 0; // the whole frame, no outputs
export const LEVEL_FRAME: u32 = 1; // the whole frame, every output
export const LEVEL_ENVELOPES: u32 = 2; // all but the inside of payloads; routing columns only

/** Values still to read per open container while walking a payload. */
const STACK: usize = memory.data((MAX_DEPTH + 1) * 4, 16);
/** What a varint read returns after failing. */
const FAILED: u64 = u64.MAX_VALUE;

let base: usize = 0; // address of the frame's first byte
let status: i32 = 0; // first failure (0 = none)
let errorAt: usize = 0; // its frame offset
let detail: f64 = 0; // a number explaining it
let top: usize = 0; // bump pointer for outputs
let stringCount: u64 = 0;
let shapeCount: u64 = 0;
let shapeIndex: usize = 0;

/** Records the failure `code` at address `at`; returns `code`. */
function fail(code: i32, at: usize, why: f64 = 0): i32 {
  status = code;
  errorAt = at - base;
  detail = why;
  return code;
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

/**
 * The varint at `p`, which must end before `end` (running past it fails with `overrun`), as
 * `value << 4 | bytes`, or FAILED. Up to three bytes are read from one little-endian word: the
 * four bytes from `p` are always readable, since `p <= end` and the 4-byte trailer follows.
 */
@inline function varint(p: usize, end: usize, overrun: i32): u64 {
  const w = load<u32>(p);
  if ((w & 0x80) == 0) {
    if (p < end) return (<u64>w & 0x7f) << 4 | 1;
  } else if ((w & 0x8000) == 0) {
    // The last byte of a multi-byte varint is never 0 (minimal encoding).
    if (end - p >= 2 && (w & 0x7f00) != 0) return <u64>((w & 0x7f) | ((w >> 1) & 0x3f80)) << 4 | 2;
  } else if ((w & 0x80_0000) == 0) {
    if (end - p >= 3 && (w & 0x7f_0000) != 0) return <u64>((w & 0x7f) | ((w >> 1) & 0x3f80) | ((w >> 2) & 0x1f_c000)) << 4 | 3;
  }
  return varintSlow(p, end, overrun);
}

function varintSlow(start: usize, end: usize, overrun: i32): u64 {
  let p = start;
  let value: u64 = 0;
  let shift: u64 = 0;
  while (true) {
    if (p >= end) {
      fail(overrun, start);
      return FAILED;
    }
    if (p - start == 8) {
      fail(ERR_FRAME_VARINT, start);
      return FAILED;
    }
    const b = <u64>load<u8>(p++);
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      if ((b == 0 && p - start > 1) || value > MAX_VARINT) {
        fail(ERR_FRAME_VARINT, start);
        return FAILED;
      }
      return (value << 4) | <u64>(p - start);
    }
    shift += 7;
  }
}

/** A count at `p` that leaves room for at least one byte per unit before `end`. */
function count(p: usize, end: usize): u64 {
  const r = varint(p, end, ERR_FRAME_BOUNDS);
  if (r == FAILED) return FAILED;
  if ((r >> 4) > <u64>(end - p - <usize>(r & 15))) {
    fail(ERR_FRAME_BOUNDS, p, <f64>(r >> 4));
    return FAILED;
  }
  return r;
}

/** Key count of shape `s` (known to exist). */
@inline function shapeKeys(s: u32): u32 {
  const idx = shapeIndex + (<usize>s << 2);
  return load<u32>(idx, 4) - load<u32>(idx);
}

/** Validates the one payload value starting at `p` that must end exactly at `end`; 0 or a status. */
function walkPayload(p: usize, end: usize): i32 {
  let depth: usize = 0; // open containers
  let left: u32 = 1; // values still to read in the innermost one
  const strings = stringCount;
  const shapes = <u32>shapeCount;
  // Short string tags 0x80.. below this refer to strings that exist.
  const shortStrings: u32 = 0x80 + <u32>(strings < 64 ? strings : 64);
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
    let children: u32;
    if (tag < 0xc0) {
      // Integers 0..127, or a short string reference.
      if (tag >= shortStrings) return fail(ERR_FRAME_STRING_REF, at, <f64>(tag - 0x80));
      continue;
    } else if (tag >= 0xd0) {
      if (tag >= 0xf0) continue; // integers -16..-1
      if (tag < 0xe0) children = tag & 15;
      else {
        const s = tag & 15;
        if (s >= shapes) return fail(ERR_FRAME_SHAPE_REF, at, <f64>s);
        children = shapeKeys(s);
      }
    } else {
      if (tag <= T_TRUE) continue; // null, false, true
      if (tag == T_FLOAT) {
        if (end - p < 8) return fail(ERR_FRAME_PAYLOAD_LENGTH, at);
        const f = load<f64>(p);
        if (!isFinite(f)) return fail(ERR_FRAME_NOT_FINITE, at, f);
        p += 8;
        continue;
      }
      if (tag > T_OBJECT) return fail(ERR_FRAME_TAG, at, <f64>tag);
      const r = varint(p, end, ERR_FRAME_PAYLOAD_LENGTH);
      if (r == FAILED) return status;
      p += <usize>(r & 15);
      const v = r >> 4;
      if (tag == T_UINT) continue;
      if (tag == T_NINT) {
        if (v == 0) return fail(ERR_FRAME_RANGE, at);
        continue;
      }
      if (tag == T_STR) {
        if (v >= strings) return fail(ERR_FRAME_STRING_REF, at, <f64>v);
        continue;
      }
      if (tag == T_OBJECT) {
        if (v >= <u64>shapes) return fail(ERR_FRAME_SHAPE_REF, at, <f64>v);
        children = shapeKeys(<u32>v);
      } else {
        // Every child takes at least one byte: a larger count cannot fit.
        if (v > <u64>(end - p)) {
          if (depth + 1 > <usize>MAX_DEPTH) return fail(ERR_FRAME_DEPTH, at);
          return fail(ERR_FRAME_PAYLOAD_LENGTH, at, <f64>v);
        }
        children = <u32>v;
      }
    }
    // A container: `children` values follow.
    if (depth + 1 > <usize>MAX_DEPTH) return fail(ERR_FRAME_DEPTH, at);
    // Every child takes at least one byte: a larger count cannot fit.
    if (<usize>children > end - p) return fail(ERR_FRAME_PAYLOAD_LENGTH, at, <f64>children);
    if (children > 0) {
      store<u32>(STACK + (depth << 2), left);
      depth++;
      left = children;
    }
  }
  if (p != end) return fail(ERR_FRAME_PAYLOAD_LENGTH, p, <f64>(end - p));
  return 0;
}

/** Header, length and checksum; 0 or a status. */
function checkEnvelope(len: usize, expectKind: u32): i32 {
  if (len < 2) return fail(ERR_FRAME_TRUNCATED, base + len);
  if (load<u8>(base) != MAGIC_0 || load<u8>(base, 1) != MAGIC_1) return fail(ERR_FRAME_MAGIC, base);
  if (len < 3) return fail(ERR_FRAME_TRUNCATED, base + len);
  const version = load<u8>(base, 2);
  if (version != VERSION) return fail(ERR_FRAME_VERSION, base + 2, <f64>version);
  if (len < 4) return fail(ERR_FRAME_TRUNCATED, base + len);
  const kind = <u32>load<u8>(base, 3);
  if (kind != KIND_MESSAGE && kind != KIND_BATCH) return fail(ERR_FRAME_KIND, base + 3, <f64>kind);
  if (kind != expectKind) return fail(ERR_FRAME_KIND_MISMATCH, base + 3, <f64>kind);
  if (len < HEADER_BYTES) return fail(ERR_FRAME_TRUNCATED, base + len);
  const declared = <usize>load<u32>(base, 4);
  if (declared > <usize>MAX_FRAME_BYTES) return fail(ERR_FRAME_OVERSIZED, base + 4, <f64>declared);
  if (declared < <usize>MIN_FRAME_BYTES) return fail(ERR_FRAME_LENGTH, base + 4, <f64>declared);
  if (len < declared) return fail(ERR_FRAME_TRUNCATED, base + len, <f64>declared);
  if (len > declared) return fail(ERR_FRAME_TRAILING, base + declared, <f64>(len - declared));
  const body = declared - TRAILER_BYTES;
  const crc = crc32cUpdate(0, base, body);
  if (crc != load<u32>(base + body)) return fail(ERR_FRAME_CHECKSUM, base + body, <f64>crc);
  return 0;
}

/**
 * Validates the `len`-byte frame at `ptr` (of which at most MAX_FRAME_BYTES are in memory)
 * as kind `expectKind` at `level`, writing the outputs the level asks for and their addresses
 * to the control block at `ctl`. Failure details go there too. 0 or a status.
 */
export function readFrame(ctl: usize, ptr: usize, len: usize, expectKind: u32, level: u32): i32 {
  base = ptr;
  status = 0;
  errorAt = 0;
  detail = 0;
  stringCount = 0;
  shapeCount = 0;
  top = ptr + (len < <usize>MAX_FRAME_BYTES ? len : <usize>MAX_FRAME_BYTES);
  if (checkEnvelope(len, expectKind) == 0) readBody(ctl, expectKind, level);
  setWord(ctl, D_ERROR_AT, <i32>errorAt);
  store<f64>(ctl + (<usize>D_DETAIL << 2), detail);
  return status;
}

/** Room a record needs for the fast path to read its fixed part without bounds checks. */
const FAST_RECORD_BYTES: usize = 40;
/** What `fastRecord` returns after a failure inside the payload (the status is set). */
const FAST_FAILED: usize = 1;

/** Per-frame settings of the fast path (a small function keeps its values in registers). */
class FastRecord {
  strings: u32 = 0;
  baseTime: i64 = 0;
  column: usize = 0;
  walk: bool = false;
  outputs: bool = false;
}
const fast = new FastRecord();

/**
 * A one- to three-byte minimal varint at `p` as `value << 2 | bytes`, else 0 (for the fast
 * path, which leaves anything else to the general one). Reads four bytes.
 */
@inline function shortVarint(p: usize): u32 {
  const w = load<u32>(p);
  if ((w & 0x80) == 0) return (w & 0x7f) << 2 | 1;
  if ((w & 0x8000) == 0) return (w & 0x7f00) != 0 ? ((w & 0x7f) | ((w >> 1) & 0x3f80)) << 2 | 2 : 0;
  if ((w & 0x80_0000) == 0) return (w & 0x7f_0000) != 0 ? ((w & 0x7f) | ((w >> 1) & 0x3f80) | ((w >> 2) & 0x1f_c000)) << 2 | 3 : 0;
  return 0;
}

/**
 * The common record at `p` (at least FAST_RECORD_BYTES before `end`): a UUID id, no
 * correlationId, one-byte string indices and attempt, short varints. Writes its columns at `c`,
 * timestamp at `t` and id text at `id` as the general path would, and returns the address after
 * it; 0 if it is not such a record (then the general path reads it, and finds any failure);
 * FAST_FAILED after a failure inside its payload.
 */
function fastRecord(p: usize, end: usize, c: usize, t: usize, id: usize, idUnits: u32): usize {
  const h = <u32>load<u16>(p);
  // UUID id; no correlationId, no reserved bits; priority <= 3.
  if ((h & 0xfccd) != F_ID_UUID) return 0;
  const w = load<u32>(p, 18);
  if ((w & 0x80_8080) != 0) return 0;
  const strings = fast.strings;
  const sender = w & 0xff;
  const recipient = (w >> 8) & 0xff;
  const type = (w >> 16) & 0xff;
  // One-byte indices are below 128: with as many strings, they all exist.
  if (strings < 128 && (sender >= strings || recipient >= strings || type >= strings)) return 0;
  let q = p + 21;
  const timeout = shortVarint(q);
  if (timeout == 0) return 0;
  q += <usize>(timeout & 3);
  let batchKey: u32 = 0;
  if (h & F_BATCH_KEY) {
    batchKey = <u32>load<u8>(q++);
    if (batchKey >= 0x80 || (strings < 128 && batchKey >= strings)) return 0;
  }
  let time: i64 = 0;
  if (h & F_TIMESTAMP) {
    const z = shortVarint(q);
    if (z == 0) return 0;
    q += <usize>(z & 3);
    const d = z >> 2;
    time = fast.baseTime + (<i64>(d >> 1) ^ -<i64>(d & 1));
    if (time < 0 || time > MAX_TIMESTAMP) return 0;
  }
  let attempt: u32 = 0;
  if (h & F_ATTEMPT) {
    attempt = <u32>load<u8>(q++);
    if (attempt >= 0x80) return 0;
  }
  const length = shortVarint(q);
  if (length == 0) return 0;
  const payloadAt = q + <usize>(length & 3);
  q = payloadAt + <usize>(length >> 2);
  if (q > end) return 0;
  if (fast.walk && walkPayload(payloadAt, q) != 0) return FAST_FAILED;
  if (fast.outputs) {
    const column = fast.column;
    writeUuidText(id, p + 2);
    store<u32>(c, h);
    store<u32>(c + column, idUnits);
    store<u32>(c + column * 2, 36);
    store<u32>(c + column * 3, sender);
    store<u32>(c + column * 4, recipient);
    store<u32>(c + column * 5, type);
    if (fast.walk) {
      store<u32>(c + column * 6, timeout >> 2);
      store<u32>(c + column * 7, batchKey);
      store<u32>(c + column * 8, 0);
      store<u32>(c + column * 9, 0);
      store<u32>(c + column * 10, attempt);
      store<u32>(c + column * 11, <u32>(payloadAt - base));
      store<f64>(t, <f64>time);
    }
  }
  return q;
}

function readBody(ctl: usize, kind: u32, level: u32): i32 {
  const end = base + <usize>load<u32>(base, 4) - TRAILER_BYTES;
  let p = base + HEADER_BYTES;

  // Counts.
  let r = varint(p, end, ERR_FRAME_BOUNDS);
  if (r == FAILED) return status;
  const n = r >> 4;
  if ((kind == KIND_MESSAGE && n != 1) || n > <u64>MAX_BATCH_MESSAGES) return fail(ERR_FRAME_COUNT, p, <f64>n);
  p += <usize>(r & 15);
  r = count(p, end);
  if (r == FAILED) return status;
  stringCount = r >> 4;
  p += <usize>(r & 15);
  r = count(p, end);
  if (r == FAILED) return status;
  shapeCount = r >> 4;
  p += <usize>(r & 15);
  r = count(p, end);
  if (r == FAILED) return status;
  const textBytes = r >> 4;
  p += <usize>(r & 15);
  r = varint(p, end, ERR_FRAME_BOUNDS);
  if (r == FAILED) return status;
  const baseTime = r >> 4;
  if (baseTime > <u64>MAX_TIMESTAMP) return fail(ERR_FRAME_RANGE, p, <f64>baseTime);
  p += <usize>(r & 15);

  // String lengths (UTF-16 units) become running offsets into the decoded text.
  const strings = stringCount;
  const starts = alloc(<usize>(strings + 1) << 2);
  if (status != 0) return status;
  // Lengths below 128 (one byte) take the short way; each UTF-16 unit takes at least one byte
  // of text, so the running total may not pass textBytes (below 2^23: it fits the frame).
  let total: u32 = 0;
  const limit = <u32>textBytes;
  for (let k: usize = 0; k < <usize>strings; k++) {
    store<u32>(starts + (k << 2), total);
    const b = <u32>load<u8>(p);
    if ((b < 0x80) & (p < end)) {
      total += b;
      if (total > limit) return fail(ERR_FRAME_TEXT_LENGTH, p, <f64>total);
      p++;
      continue;
    }
    r = varint(p, end, ERR_FRAME_BOUNDS);
    if (r == FAILED) return status;
    const sum = <u64>total + (r >> 4);
    if (sum > textBytes) return fail(ERR_FRAME_TEXT_LENGTH, p, <f64>sum);
    total = <u32>sum;
    p += <usize>(r & 15);
  }
  store<u32>(starts + (<usize>strings << 2), total);

  // Text.
  const textAt = p;
  if (textBytes > <u64>(end - p)) return fail(ERR_FRAME_BOUNDS, textAt, <f64>textBytes);
  const units = utf16Length(textAt, <usize>textBytes);
  if (units < 0) return fail(ERR_FRAME_UTF8, utf8ErrorAt);
  if (<u64>units != total) return fail(ERR_FRAME_TEXT_LENGTH, textAt, <f64>units);
  if (utf8HasPairs) {
    const split = findSplitPair(textAt, <usize>textBytes, starts, <usize>strings);
    if (split != 0) return fail(ERR_FRAME_TEXT_LENGTH, split);
  }
  p = textAt + <usize>textBytes;

  // Shapes: key lists of string indices.
  shapeIndex = alloc(<usize>(shapeCount + 1) << 2);
  if (status != 0) return status;
  const keys = (top + 7) & ~(<usize>7);
  let keyCount: usize = 0;
  for (let s: usize = 0; s < <usize>shapeCount; s++) {
    store<u32>(shapeIndex + (s << 2), <u32>keyCount);
    r = count(p, end);
    if (r == FAILED) return status;
    const m = <usize>(r >> 4);
    p += <usize>(r & 15);
    if (!ensureMemory(keys + ((keyCount + m) << 2))) return fail(ERR_OUT_OF_MEMORY, p);
    for (let j: usize = 0; j < m; j++) {
      r = varint(p, end, ERR_FRAME_BOUNDS);
      if (r == FAILED) return status;
      if ((r >> 4) >= strings) return fail(ERR_FRAME_STRING_REF, p, <f64>(r >> 4));
      store<u32>(keys + ((keyCount + j) << 2), <u32>(r >> 4));
      p += <usize>(r & 15);
    }
    keyCount += m;
  }
  store<u32>(shapeIndex + (<usize>shapeCount << 2), <u32>keyCount);
  top = keys + (keyCount << 2);

  // Records.
  const messages = <usize>n;
  const recordsAt = p;
  const outputs = level != LEVEL_VALIDATE;
  const walk = level != LEVEL_ENVELOPES;
  let columns: usize = 0;
  let times: usize = 0;
  let textCopy: usize = 0;
  let idText: usize = 0;
  if (outputs) {
    columns = alloc(messages * COLUMNS * 4);
    times = alloc(messages << 3);
    // The text is copied here with the ids' text right after it, for one TextDecoder call. An
    // id takes at most 36 bytes of text (a UUID, written 48 at a time) or its bytes in the records.
    textCopy = alloc(<usize>textBytes + messages * 72 + (end - p) + 16);
    if (status != 0) return status;
    idText = textCopy + <usize>textBytes;
  }
  // Byte offsets of each column from the first (columns are `messages` u32s apart).
  const column = messages << 2;
  const oId = column * <usize>C_ID;
  const oIdLength = column * <usize>C_ID_LENGTH;
  const oSender = column * <usize>C_SENDER;
  const oRecipient = column * <usize>C_RECIPIENT;
  const oType = column * <usize>C_TYPE;
  const oTimeout = column * <usize>C_TIMEOUT;
  const oBatchKey = column * <usize>C_BATCH_KEY;
  const oCorrelation = column * <usize>C_CORRELATION;
  const oCorrelationLength = column * <usize>C_CORRELATION_LENGTH;
  const oAttempt = column * <usize>C_ATTEMPT;
  const oPayload = column * <usize>C_PAYLOAD;
  fast.strings = <u32>strings;
  fast.baseTime = <i64>baseTime;
  fast.column = column;
  fast.walk = walk;
  fast.outputs = outputs;
  let idBytes: usize = 0;
  let idUnits: u32 = 0;
  for (let i: usize = 0; i < messages; i++) {
    // Fast path for the common record; anything else (or anything wrong) goes the general way
    // below, which finds the exact failure.
    if (end - p >= FAST_RECORD_BYTES) {
      const q = fastRecord(p, end, columns + (i << 2), times + (i << 3), idText + idBytes, idUnits);
      if (q == FAST_FAILED) return status;
      if (q != 0) {
        p = q;
        idBytes += 36;
        idUnits += 36;
        continue;
      }
    }

    const at = p;
    if (end - p < 2) return fail(ERR_FRAME_BOUNDS, at);
    const flags = <u32>load<u8>(p);
    if ((flags & F_RESERVED) != 0 || (flags & (F_CORRELATION | F_CORRELATION_UUID)) == F_CORRELATION_UUID) {
      return fail(ERR_FRAME_FLAGS, at, <f64>flags);
    }
    const priority = <u32>load<u8>(p, 1);
    if (priority > MAX_PRIORITY) return fail(ERR_FRAME_PRIORITY, at + 1, <f64>priority);
    p += 2;
    const c = columns + (i << 2);

    // Id: 16 UUID bytes, else a byte length and UTF-8 text.
    if (flags & F_ID_UUID) {
      if (end - p < 16) return fail(ERR_FRAME_BOUNDS, p);
      if (outputs) {
        writeUuidText(idText + idBytes, p);
        store<u32>(c + oId, idUnits);
        store<u32>(c + oIdLength, 36);
      }
      p += 16;
      idBytes += 36;
      idUnits += 36;
    } else {
      const id = readTextId(p, end);
      if (id < 0) return status;
      const bytes = <usize>(id >> 32);
      const start = p + <usize>(id & 0xf);
      if (outputs) {
        memory.copy(idText + idBytes, start, bytes);
        store<u32>(c + oId, idUnits);
        store<u32>(c + oIdLength, <u32>((id >> 4) & 0xfff_ffff));
      }
      p = start + bytes;
      idBytes += bytes;
      idUnits += <u32>((id >> 4) & 0xfff_ffff);
    }

    // Sender, recipient, type: string indices.
    r = varint(p, end, ERR_FRAME_BOUNDS);
    if (r == FAILED) return status;
    if ((r >> 4) >= strings) return fail(ERR_FRAME_STRING_REF, p, <f64>(r >> 4));
    const sender = <u32>(r >> 4);
    p += <usize>(r & 15);
    r = varint(p, end, ERR_FRAME_BOUNDS);
    if (r == FAILED) return status;
    if ((r >> 4) >= strings) return fail(ERR_FRAME_STRING_REF, p, <f64>(r >> 4));
    const recipient = <u32>(r >> 4);
    p += <usize>(r & 15);
    r = varint(p, end, ERR_FRAME_BOUNDS);
    if (r == FAILED) return status;
    if ((r >> 4) >= strings) return fail(ERR_FRAME_STRING_REF, p, <f64>(r >> 4));
    const type = <u32>(r >> 4);
    p += <usize>(r & 15);

    r = varint(p, end, ERR_FRAME_BOUNDS);
    if (r == FAILED) return status;
    if ((r >> 4) > MAX_U32) return fail(ERR_FRAME_RANGE, p, <f64>(r >> 4));
    const timeout = <u32>(r >> 4);
    p += <usize>(r & 15);

    let batchKey: u32 = 0;
    if (flags & F_BATCH_KEY) {
      r = varint(p, end, ERR_FRAME_BOUNDS);
      if (r == FAILED) return status;
      if ((r >> 4) >= strings) return fail(ERR_FRAME_STRING_REF, p, <f64>(r >> 4));
      batchKey = <u32>(r >> 4);
      p += <usize>(r & 15);
    }
    let correlation: u32 = 0;
    let correlationLength: u32 = 0;
    if (flags & F_CORRELATION) {
      correlation = idUnits;
      if (flags & F_CORRELATION_UUID) {
        if (end - p < 16) return fail(ERR_FRAME_BOUNDS, p);
        if (outputs) writeUuidText(idText + idBytes, p);
        p += 16;
        idBytes += 36;
        correlationLength = 36;
      } else {
        const id = readTextId(p, end);
        if (id < 0) return status;
        const bytes = <usize>(id >> 32);
        const start = p + <usize>(id & 0xf);
        if (outputs) memory.copy(idText + idBytes, start, bytes);
        p = start + bytes;
        idBytes += bytes;
        correlationLength = <u32>((id >> 4) & 0xfff_ffff);
      }
      idUnits += correlationLength;
    }
    let time: i64 = 0;
    if (flags & F_TIMESTAMP) {
      r = varint(p, end, ERR_FRAME_BOUNDS);
      if (r == FAILED) return status;
      const z = r >> 4;
      time = <i64>baseTime + (<i64>(z >> 1) ^ -<i64>(z & 1));
      if (time < 0 || time > MAX_TIMESTAMP) return fail(ERR_FRAME_RANGE, p, <f64>time);
      p += <usize>(r & 15);
    }
    let attempt: u32 = 0;
    if (flags & F_ATTEMPT) {
      r = varint(p, end, ERR_FRAME_BOUNDS);
      if (r == FAILED) return status;
      if ((r >> 4) > MAX_ATTEMPT) return fail(ERR_FRAME_RANGE, p, <f64>(r >> 4));
      attempt = <u32>(r >> 4);
      p += <usize>(r & 15);
    }
    r = varint(p, end, ERR_FRAME_BOUNDS);
    if (r == FAILED) return status;
    const payloadBytes = r >> 4;
    if (payloadBytes > <u64>(end - p - <usize>(r & 15))) return fail(ERR_FRAME_BOUNDS, p, <f64>payloadBytes);
    p += <usize>(r & 15);
    const payloadAt = p;
    p += <usize>payloadBytes;
    if (walk && walkPayload(payloadAt, p) != 0) return status;

    if (outputs) {
      store<u32>(c, flags | (priority << 8));
      store<u32>(c + oSender, sender);
      store<u32>(c + oRecipient, recipient);
      store<u32>(c + oType, type);
      if (walk) {
        store<u32>(c + oTimeout, timeout);
        store<u32>(c + oBatchKey, batchKey);
        store<u32>(c + oCorrelation, correlation);
        store<u32>(c + oCorrelationLength, correlationLength);
        store<u32>(c + oAttempt, attempt);
        store<u32>(c + oPayload, <u32>(payloadAt - base));
        store<f64>(times + (i << 3), <f64>time);
      }
    }
  }
  if (p != end) return fail(ERR_FRAME_UNUSED, p, <f64>(end - p));
  if (outputs) memory.copy(textCopy, textAt, <usize>textBytes);

  setWord(ctl, D_KIND, <i32>load<u8>(base, 3));
  setWord(ctl, D_COUNT, <i32>n);
  setWord(ctl, D_STRINGS, <i32>strings);
  setWord(ctl, D_SHAPES, <i32>shapeCount);
  setWord(ctl, D_TEXT, <i32>textCopy);
  setWord(ctl, D_RECORDS, <i32>recordsAt);
  setWord(ctl, D_TEXT_BYTES, <i32>textBytes);
  setWord(ctl, D_STARTS, <i32>starts);
  setWord(ctl, D_SHAPE_INDEX, <i32>shapeIndex);
  setWord(ctl, D_KEYS, <i32>keys);
  setWord(ctl, D_KEY_COUNT, <i32>keyCount);
  setWord(ctl, D_COLUMNS, <i32>columns);
  setWord(ctl, D_TIMES, <i32>times);
  setWord(ctl, D_ID_TEXT_BYTES, <i32>idBytes);
  setWord(ctl, D_CRC, <i32>load<u32>(end));
  return 0;
}

/**
 * A text id at `p`: a varint byte length, then that many bytes of UTF-8. Returns
 * `bytes << 32 | units << 4 | varint bytes`, or -1 after failing.
 */
function readTextId(p: usize, end: usize): i64 {
  const r = varint(p, end, ERR_FRAME_BOUNDS);
  if (r == FAILED) return -1;
  const n = r >> 4;
  const start = p + <usize>(r & 15);
  if (n > <u64>(end - start)) {
    fail(ERR_FRAME_BOUNDS, p, <f64>n);
    return -1;
  }
  const units = utf16Length(start, <usize>n);
  if (units < 0) {
    fail(ERR_FRAME_UTF8, utf8ErrorAt);
    return -1;
  }
  return <i64>((n << 32) | (<u64>units << 4) | (r & 15));
}
