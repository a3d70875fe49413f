// Constants of the HealthSync frame, version 1 (docs/wire-format.md is the specification;
// src/messaging/codec-format.ts mirrors these numbers for TypeScript).

export const MAGIC_0: u8 = 0x48; // 'H'
export const MAGIC_1: u8 = 0x53; // 'S'
export const VERSION: u8 = 1;
export const KIND_MESSAGE: u8 = 1;
export const KIND_BATCH: u8 = 2;

/** Fixed header: magic (2), version (1), kind (1), frame length (u32). */
export const HEADER_BYTES: u32 = 8;
export const TRAILER_BYTES: u32 = 4;
/** Header, five one-byte counts, trailer. */
export const MIN_FRAME_BYTES: u32 = HEADER_BYTES + 5 + TRAILER_BYTES;
export const MAX_FRAME_BYTES: u32 = 8 << 20;
export const MAX_BATCH_MESSAGES: u32 = 65536;
/** Arrays and objects nested deeper than this are rejected. */
export const MAX_DEPTH: i32 = 64;
/** Largest integer a varint may hold: 2^53 - 1. */
export const MAX_VARINT: u64 = 0x1f_ffff_ffff_ffff;
/** Timestamps are whole milliseconds in [0, 2^52). */
export const MAX_TIMESTAMP: i64 = 0xf_ffff_ffff_ffff;
export const MAX_U32: u64 = 0xffff_ffff;
export const MAX_ATTEMPT: u64 = 0x7fff_ffff;
export const MAX_PRIORITY: u32 = 3;

// Record flags.
export const F_ID_UUID: u32 = 0x01;
export const F_BATCH_KEY: u32 = 0x02;
export const F_CORRELATION: u32 = 0x04;
export const F_CORRELATION_UUID: u32 = 0x08;
export const F_TIMESTAMP: u32 = 0x10;
export const F_ATTEMPT: u32 = 0x20;
export const F_RESERVED: u32 = 0xc0;

// Payload value tags.
export const T_FIXINT_MAX: u32 = 0x7f; // 0x00..0x7f: integers 0..127
export const T_STR_SHORT: u32 = 0x80; // 0x80..0xbf: string index 0..63
export const T_NULL: u32 = 0xc0;
export const T_FALSE: u32 = 0xc1;
export const T_TRUE: u32 = 0xc2;
export const T_UINT: u32 = 0xc3; // varint n: the integer n (128 .. 2^53-1)
export const T_NINT: u32 = 0xc4; // varint n: the integer -n (n in 17 .. 2^53-1)
export const T_FLOAT: u32 = 0xc5; // 8 bytes, IEEE 754 binary64, little-endian, finite
export const T_STR: u32 = 0xc6; // varint string index (>= 64)
export const T_ARRAY: u32 = 0xc7; // varint count (>= 16), then the items
export const T_OBJECT: u32 = 0xc8; // varint shape index (>= 16), then the values
export const T_ARRAY_SHORT: u32 = 0xd0; // 0xd0..0xdf: array of 0..15 items
export const T_OBJECT_SHORT: u32 = 0xe0; // 0xe0..0xef: object of shape 0..15
export const T_NEG_SHORT: u32 = 0xf0; // 0xf0..0xff: integers -16..-1 (0xff = -1)

// Tape tokens (how JS hands a payload to the encoder): kind in the low 3 bits, argument above.
export const K_INT: i32 = 0; // argument: the integer, |v| < 2^28
export const K_STRING: i32 = 1; // argument: string index
export const K_ARRAY: i32 = 2; // argument: item count
export const K_OBJECT: i32 = 3; // argument: shape index
export const K_CONST: i32 = 4; // argument: 0 null, 1 false, 2 true
export const K_NUMBER: i32 = 5; // argument: index into the number table (f64)

/** Words per message in the field table JS hands to encodeFrame (row by row). */
export const FIELD_WORDS: u32 = 12;
export const FW_FLAGS: u32 = 0; // flags | priority << 8
export const FW_ID: u32 = 1; // UTF-16 length of the id
export const FW_SENDER: u32 = 2;
export const FW_RECIPIENT: u32 = 3;
export const FW_TYPE: u32 = 4;
export const FW_TIMEOUT: u32 = 5; // u32
export const FW_BATCH_KEY: u32 = 6;
export const FW_CORRELATION: u32 = 7; // UTF-16 length of the correlationId
export const FW_ATTEMPT: u32 = 8;

/** Word `w` of the field record at `f`. */
@inline export function field(f: usize, w: u32): u32 {
  return load<u32>(f + (<usize>w << 2));
}

// Columns decodeFrame writes for JS: column c of message i is the u32 at
// columns + (c * count + i) * 4. The routing columns come first so that JS can copy just them.
export const C_FLAGS: u32 = 0; // flags | priority << 8
export const C_ID: u32 = 1; // UTF-16 offset of the id in the ids' text
export const C_ID_LENGTH: u32 = 2; // its UTF-16 length
export const C_SENDER: u32 = 3;
export const C_RECIPIENT: u32 = 4;
export const C_TYPE: u32 = 5;
/** Columns written at every validation level (routing needs no more). */
export const ROUTING_COLUMNS: u32 = 6;
export const C_TIMEOUT: u32 = 6;
export const C_BATCH_KEY: u32 = 7;
export const C_CORRELATION: u32 = 8; // as C_ID, for the correlationId
export const C_CORRELATION_LENGTH: u32 = 9;
export const C_ATTEMPT: u32 = 10;
export const C_PAYLOAD: u32 = 11; // frame offset of the payload value
export const COLUMNS: u32 = 12;
