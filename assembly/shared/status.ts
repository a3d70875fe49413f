// Status codes returned by every WASM module for expected failures.
// Mirrored exactly by src/shared/status.ts (test/shared/status.test.ts compares the two).
// Each domain owns a range; never reuse a number.

export const STATUS_OK: i32 = 0;
// shared: -1 .. -9
export const ERR_OUT_OF_MEMORY: i32 = -1;
export const ERR_BAD_ARGUMENT: i32 = -2;
export const ERR_BAD_HANDLE: i32 = -3;
export const ERR_OUT_OF_RANGE: i32 = -4;
// metrics: -10 .. -29
/** A value is NaN, negative, infinite or above the histogram's maximum. */
export const ERR_HISTOGRAM_VALUE: i32 = -10;
/** Two histograms with different bucket layouts cannot be merged exactly. */
export const ERR_HISTOGRAM_MISMATCH: i32 = -11;
/** Serialized histogram bytes failed validation. */
export const ERR_HISTOGRAM_CORRUPT: i32 = -12;
/** The total count would exceed 2^64 - 1. */
export const ERR_HISTOGRAM_OVERFLOW: i32 = -13;
// codec: -30 .. -59
/** Fewer bytes than the header or the frame's declared length. */
export const ERR_FRAME_TRUNCATED: i32 = -30;
/** The declared frame length is above the format's limit. */
export const ERR_FRAME_OVERSIZED: i32 = -31;
/** The bytes do not start with the frame magic "HS". */
export const ERR_FRAME_MAGIC: i32 = -32;
/** The frame's format version is not supported. */
export const ERR_FRAME_VERSION: i32 = -33;
/** The kind byte is neither message nor batch. */
export const ERR_FRAME_KIND: i32 = -34;
/** A batch frame where a single message was expected, or the reverse. */
export const ERR_FRAME_KIND_MISMATCH: i32 = -35;
/** The declared frame length is below the smallest possible frame. */
export const ERR_FRAME_LENGTH: i32 = -36;
/** Bytes follow the end of the frame. */
export const ERR_FRAME_TRAILING: i32 = -37;
/** The CRC-32C trailer does not match the frame's bytes. */
export const ERR_FRAME_CHECKSUM: i32 = -38;
/** A varint is longer than 8 bytes, above 2^53 - 1, or not minimal. */
export const ERR_FRAME_VARINT: i32 = -39;
/** A field or a count runs past the end of its section. */
export const ERR_FRAME_BOUNDS: i32 = -40;
/** The message count is wrong for the kind or above the batch limit. */
export const ERR_FRAME_COUNT: i32 = -41;
/** A string index is not below the string count. */
export const ERR_FRAME_STRING_REF: i32 = -42;
/** An object shape index is not below the shape count. */
export const ERR_FRAME_SHAPE_REF: i32 = -43;
/** The text section is not valid UTF-8. */
export const ERR_FRAME_UTF8: i32 = -44;
/** The string lengths do not add up to the text, or split a character. */
export const ERR_FRAME_TEXT_LENGTH: i32 = -45;
/** Reserved record flag bits are set, or flags contradict each other. */
export const ERR_FRAME_FLAGS: i32 = -46;
/** A priority outside 0 (LOW) .. 3 (CRITICAL). */
export const ERR_FRAME_PRIORITY: i32 = -47;
/** A timeout, attempt, timestamp or integer outside its range. */
export const ERR_FRAME_RANGE: i32 = -48;
/** A reserved payload value tag. */
export const ERR_FRAME_TAG: i32 = -49;
/** Payload arrays and objects nested deeper than 64 levels. */
export const ERR_FRAME_DEPTH: i32 = -50;
/** A payload value does not end exactly at its declared length. */
export const ERR_FRAME_PAYLOAD_LENGTH: i32 = -51;
/** A payload float is NaN or infinite (not JSON). */
export const ERR_FRAME_NOT_FINITE: i32 = -52;
/** Bytes between the last record and the trailer belong to no section. */
export const ERR_FRAME_UNUSED: i32 = -53;
// privacy: -60 .. -89
/** No partitioning or transformation satisfies k and the privacy models. */
export const ERR_NO_SOLUTION: i32 = -60;
