// The result block one check writes and JS reads (f64 words).

export const R_SUPPRESSED: i32 = 0;
export const R_CLASSES: i32 = 1;
export const R_OK_CLASSES: i32 = 2;
export const R_SUM_SQ: i32 = 3;
export const R_SUM_SQ_OK: i32 = 4;
export const R_MIN_OK_SIZE: i32 = 5;
/** One word per model: what the kept classes achieve. */
export const R_MODEL: i32 = 8;
/** One word per quasi-identifier: Loss penalty of the suppressed rows. */
export const R_PENALTY: i32 = 24;
export const RESULT_WORDS: i32 = R_PENALTY + 64;

export const RESULTS: usize = memory.data(RESULT_WORDS * 8, 16);

@inline export function setResult(i: i32, v: f64): void {
  store<f64>(RESULTS + (<usize>i << 3), v);
}

@inline export function getResult(i: i32): f64 {
  return load<f64>(RESULTS + (<usize>i << 3));
}
