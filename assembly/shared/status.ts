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
// privacy: -60 .. -89
