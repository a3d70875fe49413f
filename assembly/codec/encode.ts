// Builds a frame from what JS laid out in memory: per-message field words, the payload tape,
// the interned strings (UTF-16 lengths + UTF-8 text written by TextEncoder.encodeInto), shape
// key lists and the text of the ids (UUIDs among them become 16 bytes here). JS has already checked every value; this side only chooses the
// byte encodings, so the wire format is written in exactly one place on the fast path.

import { crc32cUpdate } from '../shared/crc32c';
import { ensureMemory } from '../shared/memory';
import { ERR_BAD_ARGUMENT, ERR_FRAME_OVERSIZED, ERR_OUT_OF_MEMORY } from '../shared/status';
import {
  E_COUNT,
  E_END,
  E_FIELDS,
  E_KIND,
  E_LENGTHS,
  E_NUMS,
  E_OUT,
  E_SHAPE_COUNT,
  E_SHAPE_WORDS,
  E_SHAPES,
  E_STRINGS,
  E_TAPE,
  E_TAPE_LEN,
  E_TEXT,
  E_TEXT_BYTES,
  E_IDS,
  E_ID_UNITS,
  getWord,
  setWord,
} from './control';
import {
  FIELD_WORDS,
  FW_ATTEMPT,
  FW_BATCH_KEY,
  FW_CORRELATION,
  FW_FLAGS,
  FW_ID,
  FW_RECIPIENT,
  FW_SENDER,
  FW_TIMEOUT,
  FW_TYPE,
  F_ATTEMPT,
  F_BATCH_KEY,
  F_CORRELATION,
  F_CORRELATION_UUID,
  F_ID_UUID,
  F_TIMESTAMP,
  K_ARRAY,
  K_CONST,
  K_INT,
  K_NUMBER,
  K_OBJECT,
  K_STRING,
  MAGIC_0,
  MAGIC_1,
  MAX_FRAME_BYTES,
  MAX_VARINT,
  TRAILER_BYTES,
  T_ARRAY,
  T_ARRAY_SHORT,
  T_FLOAT,
  T_NINT,
  T_NULL,
  T_OBJECT,
  T_OBJECT_SHORT,
  T_STR,
  T_STR_SHORT,
  T_UINT,
  VERSION,
  field,
} from './format';
import { utf8BytesOf } from './utf8';
import { parseUuidText } from './uuid';
import { varintSize, writeVarint } from './varint';

/** Largest bytes one record can take besides its payload and its ids' text. */
const RECORD_OVERHEAD: u64 = 2 + 16 + 5 * 4 + 5 + 16 + 8 + 5 + 8 + 10;

@inline function writeInt(p: usize, v: i64): usize {
  if (v >= 0) {
    if (v < 0x80) {
      store<u8>(p, <u8>v);
      return p + 1;
    }
    store<u8>(p, <u8>T_UINT);
    return writeVarint(p + 1, <u64>v);
  }
  if (v >= -16) {
    store<u8>(p, <u8>(0x100 + v));
    return p + 1;
  }
  store<u8>(p, <u8>T_NINT);
  return writeVarint(p + 1, <u64>-v);
}

@inline function writeRef(p: usize, index: u32, short: u32, limit: u32, long: u32): usize {
  if (index < limit) {
    store<u8>(p, <u8>(short | index));
    return p + 1;
  }
  store<u8>(p, <u8>long);
  return writeVarint(p + 1, <u64>index);
}

/**
 * Encodes the inputs described by the control block at `ctl`. Returns the frame length (the
 * frame's address is written to E_OUT) or a negative status.
 */
export function buildFrame(ctl: usize): i32 {
  const kind = getWord(ctl, E_KIND);
  const count = <usize>getWord(ctl, E_COUNT);
  const fields = <usize>getWord(ctl, E_FIELDS);
  const nums = <usize>getWord(ctl, E_NUMS);
  const tape = <usize>getWord(ctl, E_TAPE);
  const tapeLen = <usize>getWord(ctl, E_TAPE_LEN);
  const lengths = <usize>getWord(ctl, E_LENGTHS);
  const strings = <usize>getWord(ctl, E_STRINGS);
  const text = <usize>getWord(ctl, E_TEXT);
  const textBytes = <usize>getWord(ctl, E_TEXT_BYTES);
  const shapes = <usize>getWord(ctl, E_SHAPES);
  const shapeCount = <usize>getWord(ctl, E_SHAPE_COUNT);
  const shapeWords = <usize>getWord(ctl, E_SHAPE_WORDS);
  let ids = <usize>getWord(ctl, E_IDS);
  const idsEnd = <usize>getWord(ctl, E_END);
  // All-ASCII ids (the usual case): every id's byte length is its UTF-16 length.
  const ascii = idsEnd - ids == <usize>getWord(ctl, E_ID_UNITS);

  const bound: u64 =
    8 + 5 * 8 + <u64>strings * 5 + <u64>textBytes + <u64>shapeWords * 5 + <u64>(idsEnd - ids) +
    <u64>count * RECORD_OVERHEAD + <u64>tapeLen * 9 + 4;
  const out = (<usize>getWord(ctl, E_END) + 7) & ~(<usize>7);
  const keyCounts = (out + <usize>bound + 7) & ~(<usize>7);
  if (bound > 0x7fff_0000 || !ensureMemory(keyCounts + (shapeCount << 2))) return ERR_OUT_OF_MEMORY;

  let baseTime: i64 = 0;
  for (let i: usize = 0; i < count; i++) {
    if (field(fields + i * FIELD_WORDS * 4, FW_FLAGS) & F_TIMESTAMP) {
      baseTime = <i64>load<f64>(nums + (i << 3));
      break;
    }
  }

  store<u8>(out, MAGIC_0);
  store<u8>(out, MAGIC_1, 1);
  store<u8>(out, VERSION, 2);
  store<u8>(out, <u8>kind, 3);
  let p = out + 8;
  p = writeVarint(p, <u64>count);
  p = writeVarint(p, <u64>strings);
  p = writeVarint(p, <u64>shapeCount);
  p = writeVarint(p, <u64>textBytes);
  p = writeVarint(p, <u64>baseTime);
  for (let k: usize = 0; k < strings; k++) p = writeVarint(p, <u64>load<u32>(lengths + (k << 2)));
  memory.copy(p, text, textBytes);
  p += textBytes;

  let w = shapes;
  const shapesEnd = shapes + (shapeWords << 2);
  for (let s: usize = 0; s < shapeCount; s++) {
    if (w >= shapesEnd) return ERR_BAD_ARGUMENT;
    const n = <usize>load<u32>(w);
    w += 4;
    if (w + (n << 2) > shapesEnd) return ERR_BAD_ARGUMENT;
    store<u32>(keyCounts + (s << 2), <u32>n);
    p = writeVarint(p, <u64>n);
    for (let j: usize = 0; j < n; j++) p = writeVarint(p, <u64>load<u32>(w + (j << 2)));
    w += n << 2;
  }

  let t: usize = 0;
  for (let i: usize = 0; i < count; i++) {
    const f = fields + i * FIELD_WORDS * 4;
    const word = field(f, FW_FLAGS);
    const flagsAt = p;
    let flags = word & 0xff;
    store<u8>(p, <u8>(word >> 8), 1);
    p += 2;
    // Ids: 16 bytes when the text is a canonical UUID, else the text itself.
    let len = ascii ? <usize>field(f, FW_ID) : utf8BytesOf(ids, <usize>field(f, FW_ID), idsEnd);
    if (parseUuidText(ids, len, p)) {
      flags |= F_ID_UUID;
      p += 16;
    } else {
      p = writeVarint(p, <u64>len);
      memory.copy(p, ids, len);
      p += len;
    }
    ids += len;
    p = writeVarint(p, <u64>field(f, FW_SENDER));
    p = writeVarint(p, <u64>field(f, FW_RECIPIENT));
    p = writeVarint(p, <u64>field(f, FW_TYPE));
    p = writeVarint(p, <u64>field(f, FW_TIMEOUT));
    if (flags & F_BATCH_KEY) p = writeVarint(p, <u64>field(f, FW_BATCH_KEY));
    if (flags & F_CORRELATION) {
      len = ascii ? <usize>field(f, FW_CORRELATION) : utf8BytesOf(ids, <usize>field(f, FW_CORRELATION), idsEnd);
      if (parseUuidText(ids, len, p)) {
        flags |= F_CORRELATION_UUID;
        p += 16;
      } else {
        p = writeVarint(p, <u64>len);
        memory.copy(p, ids, len);
        p += len;
      }
      ids += len;
    }
    store<u8>(flagsAt, <u8>flags);
    if (flags & F_TIMESTAMP) {
      const delta = <i64>load<f64>(nums + (i << 3)) - baseTime;
      p = writeVarint(p, <u64>((delta << 1) ^ (delta >> 63)));
    }
    if (flags & F_ATTEMPT) p = writeVarint(p, <u64>field(f, FW_ATTEMPT));

    // The payload goes after a one-byte length; a longer length moves it up afterwards.
    const start = p + 1;
    let q = start;
    let remaining: usize = 1;
    while (remaining > 0) {
      if (t >= tapeLen) return ERR_BAD_ARGUMENT;
      const token = load<i32>(tape + (t << 2));
      t++;
      remaining--;
      const arg = <u32>token >>> 3;
      switch (token & 7) {
        case K_INT: {
          q = writeInt(q, <i64>(token >> 3));
          break;
        }
        case K_STRING: {
          q = writeRef(q, arg, T_STR_SHORT, 64, T_STR);
          break;
        }
        case K_ARRAY: {
          q = writeRef(q, arg, T_ARRAY_SHORT, 16, T_ARRAY);
          remaining += <usize>arg;
          break;
        }
        case K_OBJECT: {
          if (<usize>arg >= shapeCount) return ERR_BAD_ARGUMENT;
          q = writeRef(q, arg, T_OBJECT_SHORT, 16, T_OBJECT);
          remaining += <usize>load<u32>(keyCounts + (<usize>arg << 2));
          break;
        }
        case K_CONST: {
          store<u8>(q, <u8>(T_NULL + (arg < 3 ? arg : 0)));
          q++;
          break;
        }
        case K_NUMBER: {
          const v = load<f64>(nums + (<usize>arg << 3));
          if (Math.trunc(v) == v && Math.abs(v) <= <f64>MAX_VARINT) {
            q = writeInt(q, <i64>v);
          } else {
            store<u8>(q, <u8>T_FLOAT);
            store<f64>(q + 1, v);
            q += 9;
          }
          break;
        }
        default:
          return ERR_BAD_ARGUMENT;
      }
    }
    const payloadBytes = q - start;
    const size = varintSize(<u64>payloadBytes);
    if (size > 1) memory.copy(start + size - 1, start, payloadBytes);
    p = writeVarint(p, <u64>payloadBytes) + payloadBytes;
  }
  if (t != tapeLen) return ERR_BAD_ARGUMENT;

  const total = p - out + TRAILER_BYTES;
  if (total > <usize>MAX_FRAME_BYTES) return ERR_FRAME_OVERSIZED;
  store<u32>(out, <u32>total, 4);
  store<u32>(p, crc32cUpdate(0, out, p - out));
  setWord(ctl, E_OUT, <i32>out);
  return <i32>total;
}
