// The control block: 32 i32 words at a fixed address through which JS and WASM exchange
// pointers and counts (src/messaging/codec-wasm.ts mirrors these indices).

// encodeFrame inputs (written by JS)
export const E_KIND: u32 = 0;
export const E_COUNT: u32 = 1;
export const E_FIELDS: u32 = 2; // ptr: COUNT * FIELD_WORDS i32
export const E_NUMS: u32 = 3; // ptr: f64 (timestamps at [0, COUNT), payload numbers after)
export const E_TAPE: u32 = 4; // ptr: i32 tokens
export const E_TAPE_LEN: u32 = 5;
export const E_LENGTHS: u32 = 6; // ptr: STRINGS i32 UTF-16 lengths
export const E_STRINGS: u32 = 7;
export const E_TEXT: u32 = 8; // ptr: UTF-8 text of all strings
export const E_TEXT_BYTES: u32 = 9;
export const E_SHAPES: u32 = 10; // ptr: i32 words, per shape: key count, then key string indices
export const E_SHAPE_COUNT: u32 = 11;
export const E_SHAPE_WORDS: u32 = 12;
export const E_IDS: u32 = 13; // ptr: UTF-8 text of every id and correlationId, in message order
export const E_END: u32 = 14; // first free byte after the inputs
export const E_ID_UNITS: u32 = 16; // UTF-16 length of all the ids' text (equal to its bytes when ASCII)
// encodeFrame outputs
export const E_OUT: u32 = 15; // ptr of the frame; its length is the return value

// decodeFrame outputs (read by JS)
export const D_ERROR_AT: u32 = 0; // frame offset of the failure
export const D_DETAIL: u32 = 2; // f64 (words 2-3): a number that explains the failure
export const D_KIND: u32 = 4;
export const D_COUNT: u32 = 5;
export const D_STRINGS: u32 = 6;
export const D_SHAPES: u32 = 7;
export const D_TEXT: u32 = 8; // ptr: a copy of the strings' text, followed by the ids' text
export const D_TEXT_BYTES: u32 = 9;
export const D_STARTS: u32 = 10; // ptr: STRINGS + 1 UTF-16 offsets into the text
export const D_SHAPE_INDEX: u32 = 11; // ptr: SHAPES + 1 offsets into the key list
export const D_KEYS: u32 = 12; // ptr: key string indices
export const D_KEY_COUNT: u32 = 13;
export const D_COLUMNS: u32 = 14; // ptr: COLUMNS * COUNT u32, column by column (format.ts)
export const D_TIMES: u32 = 15; // ptr: COUNT f64 timestamps (0 where absent)
export const D_ID_TEXT_BYTES: u32 = 16;
export const D_RECORDS: u32 = 17; // ptr: the first record (payloads lie between it and the tables)
export const D_CRC: u32 = 18; // the frame's CRC-32C

export const CONTROL_WORDS: u32 = 32;

@inline export function setWord(ctl: usize, word: u32, value: i32): void {
  store<i32>(ctl + (<usize>word << 2), value);
}

@inline export function getWord(ctl: usize, word: u32): i32 {
  return load<i32>(ctl + (<usize>word << 2));
}
