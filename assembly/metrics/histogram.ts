// The log-linear histogram. Each power-of-two octave of the positive doubles is cut into S equal
// sub-buckets, S = ceil((1/relativeError - 1) / 2), so a bucket [L, U) has U/L <= 1 + 1/S and its
// representative 2LU/(L+U) is within 1/(2S+1) <= relativeError of every value in it. The index is
// read straight off the float: biasedExponent * S + (mantissa * S >> 52), with no log per value.
// Zero and subnormal values (below 2^-1022) have index < S and are counted apart as "zeros".
//
// A histogram is a 112-byte header plus one counts block covering only the occupied octaves
// [lo, lo + cap). Counters start 16 bits wide and are widened (to 32, then 64 bits) when one fills;
// the total count is checked against 2^64 - 1, and no bucket can exceed the total.
// Mean and stddev come from sums shifted by the first recorded value (K), which keeps the
// variance accurate when the spread is small next to the mean.

import { alloc, blockSize, free } from './alloc';
import {
  ERR_BAD_ARGUMENT,
  ERR_BAD_HANDLE,
  ERR_HISTOGRAM_MISMATCH,
  ERR_HISTOGRAM_OVERFLOW,
  ERR_HISTOGRAM_VALUE,
  ERR_OUT_OF_MEMORY,
  STATUS_OK,
} from '../shared/status';

export const MAGIC: u32 = 0x54534948; // "HIST"
export const HEADER_SIZE: usize = 112;
export const MIN_RELATIVE_ERROR: f64 = 0.001;
export const MAX_RELATIVE_ERROR: f64 = 0.05;
export const MIN_NORMAL: f64 = 2.2250738585072014e-308;
const MANTISSA: u64 = 0x000fffffffffffff;
const U64_MAX: u64 = 0xffffffffffffffff;
const SIGN_BIT: u64 = 0x8000000000000000;

// Header layout (byte offsets).
export const H_MAGIC: usize = 0; //  u32
export const H_SUB: usize = 4; //    i32 S, sub-buckets per octave
export const H_SHIFT: usize = 8; //  u32 log2 of the counter width in bytes (1, 2 or 3)
export const H_COUNTS: usize = 12; // u32 pointer to the counts block (0 when none)
export const H_LO: usize = 16; //    i32 bucket index of counts[0]
export const H_CAP: usize = 20; //   i32 buckets in the counts block
export const H_TOP: usize = 24; //   i32 index of maxValue, the highest index allowed
export const H_CBYTES: usize = 28; // u32 bytes of the counts block
export const H_TOTAL: usize = 32; // u64
export const H_ZEROS: usize = 40; // u64 values below 2^-1022
export const H_MIN: usize = 48; //   f64
export const H_MAX: usize = 56; //   f64
export const H_MAXV: usize = 64; //  f64 configured maximum
export const H_RELERR: usize = 72; // f64 configured relative error
export const H_K: usize = 80; //     f64 shift of the sums (first value recorded)
export const H_S1: usize = 88; //    f64 sum of (v - K)
export const H_S2: usize = 96; //    f64 sum of (v - K)^2

/** Sub-buckets per octave for a relative error. */
export function subBucketsFor(relativeError: f64): i32 {
  return <i32>Math.ceil((1.0 / relativeError - 1.0) / 2.0);
}

/** Bucket index of `v` (>= 0); below S for zero and subnormal values. */
// @ts-ignore: decorator
@inline export function indexOf(v: f64, s: i32): i32 {
  const bits = reinterpret<u64>(v);
  return <i32>(bits >>> 52) * s + <i32>(((bits & MANTISSA) * <u64>s) >>> 52);
}

/** The value reported for bucket `idx` (>= S): 2LU/(L+U), the point nearest in ratio to both ends. */
export function bucketValue(idx: i32, s: i32): f64 {
  const e = idx / s;
  const j = idx - e * s;
  const scale = reinterpret<f64>(<u64>e << 52);
  const a = <f64>j / <f64>s;
  const b = <f64>(j + 1) / <f64>s;
  return scale * ((2.0 * (1.0 + a) * (1.0 + b)) / (2.0 + a + b));
}

/** The smallest value of bucket `idx` (>= S). */
export function bucketLowerBound(idx: i32, s: i32): f64 {
  const e = idx / s;
  const j = idx - e * s;
  return reinterpret<f64>(<u64>e << 52) * (1.0 + <f64>j / <f64>s);
}

// @ts-ignore: decorator
@inline export function isHistogram(h: usize): bool {
  return h != 0 && (h & 15) == 0 && h + HEADER_SIZE <= (<usize>memory.size() << 16) && load<u32>(h, H_MAGIC) == MAGIC;
}

// @ts-ignore: decorator
@inline export function getCount(base: usize, off: i32, shift: u32): u64 {
  const p = base + (<usize>off << shift);
  return shift == 1 ? <u64>load<u16>(p) : shift == 2 ? <u64>load<u32>(p) : load<u64>(p);
}

// @ts-ignore: decorator
@inline function setCount(base: usize, off: i32, shift: u32, c: u64): void {
  const p = base + (<usize>off << shift);
  if (shift == 1) store<u16>(p, <u16>c);
  else if (shift == 2) store<u32>(p, <u32>c);
  else store<u64>(p, c);
}

/** The narrowest counter width (as a shift) that holds `c`. */
export function shiftFor(c: u64): u32 {
  return c <= 0xffff ? 1 : c <= 0xffffffff ? 2 : 3;
}

/** A new empty histogram, or a negative status. */
export function createHistogram(relativeError: f64, maxValue: f64): i32 {
  if (!(relativeError >= MIN_RELATIVE_ERROR && relativeError <= MAX_RELATIVE_ERROR)) return ERR_BAD_ARGUMENT;
  if (!(maxValue >= MIN_NORMAL && maxValue <= f64.MAX_VALUE)) return ERR_BAD_ARGUMENT;
  const h = alloc(HEADER_SIZE);
  if (h == 0) return ERR_OUT_OF_MEMORY;
  memory.fill(h, 0, HEADER_SIZE);
  const s = subBucketsFor(relativeError);
  store<u32>(h, MAGIC, H_MAGIC);
  store<i32>(h, s, H_SUB);
  store<u32>(h, 1, H_SHIFT);
  store<i32>(h, indexOf(maxValue, s), H_TOP);
  store<f64>(h, maxValue, H_MAXV);
  store<f64>(h, relativeError, H_RELERR);
  store<f64>(h, NaN, H_MIN);
  store<f64>(h, NaN, H_MAX);
  return <i32>h;
}

export function destroyHistogram(h: usize): void {
  free(<usize>load<u32>(h, H_COUNTS), <usize>load<u32>(h, H_CBYTES));
  store<u32>(h, 0, H_MAGIC);
  free(h, HEADER_SIZE);
}

/** Bytes this histogram holds in linear memory. */
export function footprint(h: usize): u32 {
  return <u32>blockSize(HEADER_SIZE) + load<u32>(h, H_CBYTES);
}

/** Grows the counts block so it covers indexes [from, to] (both >= S), octave-aligned. */
export function ensureRange(h: usize, from: i32, to: i32): i32 {
  const lo = load<i32>(h, H_LO);
  const cap = load<i32>(h, H_CAP);
  if (cap > 0 && from >= lo && to < lo + cap) return STATUS_OK;
  const s = load<i32>(h, H_SUB);
  let nlo = from - from % s;
  let nhi = to - (to % s) + s;
  if (cap > 0) {
    if (lo < nlo) nlo = lo;
    if (lo + cap > nhi) nhi = lo + cap;
  }
  const limit = load<i32>(h, H_TOP) + 1;
  if (nhi > limit) nhi = limit;
  const shift = load<u32>(h, H_SHIFT);
  const ncap = nhi - nlo;
  const bytes = <usize>ncap << shift;
  const ptr = alloc(bytes);
  if (ptr == 0) return ERR_OUT_OF_MEMORY;
  memory.fill(ptr, 0, blockSize(bytes));
  const old = <usize>load<u32>(h, H_COUNTS);
  if (old != 0) {
    memory.copy(ptr + (<usize>(lo - nlo) << shift), old, <usize>cap << shift);
    free(old, <usize>load<u32>(h, H_CBYTES));
  }
  store<u32>(h, <u32>ptr, H_COUNTS);
  store<i32>(h, nlo, H_LO);
  store<i32>(h, ncap, H_CAP);
  store<u32>(h, <u32>blockSize(bytes), H_CBYTES);
  return STATUS_OK;
}

/** Widens every counter to `shift` (a no-op when they are already that wide). */
export function widen(h: usize, shift: u32): i32 {
  const old = load<u32>(h, H_SHIFT);
  if (shift <= old) return STATUS_OK;
  const cap = load<i32>(h, H_CAP);
  const bytes = <usize>cap << shift;
  const ptr = alloc(bytes);
  if (ptr == 0) return ERR_OUT_OF_MEMORY;
  memory.fill(ptr, 0, blockSize(bytes));
  const src = <usize>load<u32>(h, H_COUNTS);
  for (let i = 0; i < cap; i++) setCount(ptr, i, shift, getCount(src, i, old));
  free(src, <usize>load<u32>(h, H_CBYTES));
  store<u32>(h, <u32>ptr, H_COUNTS);
  store<u32>(h, shift, H_SHIFT);
  store<u32>(h, <u32>blockSize(bytes), H_CBYTES);
  return STATUS_OK;
}

/** Adds `c` to the counter at window offset `off`, widening first when it would not fit. */
function addCount(h: usize, off: i32, c: u64): i32 {
  let shift = load<u32>(h, H_SHIFT);
  const sum = getCount(<usize>load<u32>(h, H_COUNTS), off, shift) + c;
  const need = shiftFor(sum);
  if (need > shift) {
    const st = widen(h, need);
    if (st < 0) return st;
    shift = need;
  }
  setCount(<usize>load<u32>(h, H_COUNTS), off, shift, sum);
  return STATUS_OK;
}

/** Updates count, min, max and the shifted sums for `c` copies of `v`. */
// @ts-ignore: decorator
@inline function addStats(h: usize, v: f64, c: u64): void {
  const n = load<u64>(h, H_TOTAL);
  if (n == 0) {
    store<f64>(h, v, H_MIN);
    store<f64>(h, v, H_MAX);
    store<f64>(h, v, H_K);
  } else {
    if (v < load<f64>(h, H_MIN)) store<f64>(h, v, H_MIN);
    if (v > load<f64>(h, H_MAX)) store<f64>(h, v, H_MAX);
  }
  store<u64>(h, n + c, H_TOTAL);
  const d = v - load<f64>(h, H_K);
  const w = <f64>c;
  store<f64>(h, load<f64>(h, H_S1) + d * w, H_S1);
  store<f64>(h, load<f64>(h, H_S2) + d * d * w, H_S2);
}

/** Records one value. */
export function record(h: usize, v: f64): i32 {
  if (!(v >= 0 && v <= load<f64>(h, H_MAXV))) return ERR_HISTOGRAM_VALUE;
  v = abs<f64>(v); // -0 to +0
  if (load<u64>(h, H_TOTAL) == U64_MAX) return ERR_HISTOGRAM_OVERFLOW;
  const s = load<i32>(h, H_SUB);
  const idx = indexOf(v, s);
  if (idx >= s) {
    let off = idx - load<i32>(h, H_LO);
    if (<u32>off >= <u32>load<i32>(h, H_CAP)) {
      const st = ensureRange(h, idx, idx);
      if (st < 0) return st;
      off = idx - load<i32>(h, H_LO);
    }
    const shift = load<u32>(h, H_SHIFT);
    const p = <usize>load<u32>(h, H_COUNTS) + (<usize>off << shift);
    let full = false;
    if (shift == 1) {
      const c = load<u16>(p);
      if (c != 0xffff) store<u16>(p, c + 1);
      else full = true;
    } else if (shift == 2) {
      const c = load<u32>(p);
      if (c != 0xffffffff) store<u32>(p, c + 1);
      else full = true;
    } else {
      store<u64>(p, load<u64>(p) + 1);
    }
    if (full) {
      const st = addCount(h, off, 1);
      if (st < 0) return st;
    }
  } else {
    store<u64>(h, load<u64>(h, H_ZEROS) + 1, H_ZEROS);
  }
  addStats(h, v, 1);
  return STATUS_OK;
}

/** Records `count` copies of `v` (`count` an integer in [0, 2^53]). */
export function recordCount(h: usize, v: f64, count: f64): i32 {
  if (!(v >= 0 && v <= load<f64>(h, H_MAXV))) return ERR_HISTOGRAM_VALUE;
  v = abs<f64>(v); // -0 to +0
  if (!(count >= 0 && count <= 9007199254740992.0 && Math.floor(count) == count)) return ERR_BAD_ARGUMENT;
  const c = <u64>count;
  if (c == 0) return STATUS_OK;
  if (c > U64_MAX - load<u64>(h, H_TOTAL)) return ERR_HISTOGRAM_OVERFLOW;
  const s = load<i32>(h, H_SUB);
  const idx = indexOf(v, s);
  if (idx >= s) {
    let st = ensureRange(h, idx, idx);
    if (st < 0) return st;
    st = addCount(h, idx - load<i32>(h, H_LO), c);
    if (st < 0) return st;
  } else {
    store<u64>(h, load<u64>(h, H_ZEROS) + c, H_ZEROS);
  }
  addStats(h, v, c);
  return STATUS_OK;
}

let runZeros: u64 = 0;

/**
 * Counts values [from, len) at `ptr` into counters of type T. Stops at the first value whose
 * bucket is outside the window or whose counter is full, and returns its position (len when
 * done); zero and subnormal values go to `runZeros`.
 */
function countRun<T>(h: usize, s: i32, ptr: usize, from: usize, len: usize): usize {
  const base = <usize>load<u32>(h, H_COUNTS);
  const lo = load<i32>(h, H_LO);
  const cap = <u32>load<i32>(h, H_CAP);
  const shift = <usize>alignof<T>();
  let zeros: u64 = 0;
  let i = from;
  for (; i < len; i++) {
    const bits = load<u64>(ptr + (i << 3));
    const off = <i32>(bits >>> 52) * s + <i32>(((bits & MANTISSA) * <u64>s) >>> 52) - lo;
    if (<u32>off >= cap) {
      if (off + lo < s) {
        zeros++;
        continue;
      }
      break;
    }
    const p = base + (<usize>off << shift);
    const c = load<T>(p);
    if (c == <T>-1) break;
    store<T>(p, c + 1);
  }
  runZeros += zeros;
  return i;
}

/** Takes back the counts of values [0, end) at `ptr` (when growing fails mid-batch). */
function uncount(h: usize, ptr: usize, end: usize): void {
  const s = load<i32>(h, H_SUB);
  const lo = load<i32>(h, H_LO);
  const shift = load<u32>(h, H_SHIFT);
  const base = <usize>load<u32>(h, H_COUNTS);
  for (let i: usize = 0; i < end; i++) {
    const idx = indexOf(load<f64>(ptr + (i << 3)), s);
    if (idx >= s) setCount(base, idx - lo, shift, getCount(base, idx - lo, shift) - 1);
  }
}

/**
 * Records `len` doubles at `ptr`; a batch with any invalid value records nothing. The values
 * may be rewritten in place (-0 becomes +0).
 *
 * Pass 1 takes the extreme bit patterns and the shifted sums: a non-negative double orders like
 * its bits, and a negative, NaN or too-large one has a pattern above maxValue's, so one integer
 * compare after the loop validates the batch. Pass 2 counts, leaving the loop only to grow the
 * window or widen the counters. The sums accumulate onto the header's in order, so a batch is
 * bit for bit the same as recording its values one by one.
 */
export function recordBatch(h: usize, ptr: usize, len: usize): i32 {
  if (len == 0) return STATUS_OK;
  const n = load<u64>(h, H_TOTAL);
  if (<u64>len > U64_MAX - n) return ERR_HISTOGRAM_OVERFLOW;
  const maxBits = reinterpret<u64>(load<f64>(h, H_MAXV));
  const k = n == 0 ? abs<f64>(load<f64>(ptr)) : load<f64>(h, H_K);
  let loBits: u64 = U64_MAX;
  let hiBits: u64 = 0;
  let s1 = load<f64>(h, H_S1);
  let s2 = load<f64>(h, H_S2);
  for (let i: usize = 0; i < len; i++) {
    const a = load<u64>(ptr + (i << 3));
    loBits = min<u64>(loBits, a);
    hiBits = max<u64>(hiBits, a);
    const d = abs<f64>(reinterpret<f64>(a)) - k;
    s1 += d;
    s2 += d * d;
  }
  if (hiBits > maxBits) {
    // Only -0 (sign bit alone) may be above maxBits and still valid.
    for (let i: usize = 0; i < len; i++) {
      const p = ptr + (i << 3);
      const bits = load<u64>(p);
      if (bits == SIGN_BIT) store<u64>(p, 0);
      else if (bits > maxBits) return ERR_HISTOGRAM_VALUE;
    }
    loBits = 0;
    hiBits = 0;
    for (let i: usize = 0; i < len; i++) hiBits = max<u64>(hiBits, load<u64>(ptr + (i << 3)));
  }
  const s = load<i32>(h, H_SUB);
  const hi = reinterpret<f64>(hiBits);
  if (hi >= MIN_NORMAL) {
    const lo = reinterpret<f64>(loBits);
    const st = ensureRange(h, lo >= MIN_NORMAL ? indexOf(lo, s) : indexOf(hi, s), indexOf(hi, s));
    if (st < 0) return st;
  }
  runZeros = 0;
  let i: usize = 0;
  while (i < len) {
    const shift = load<u32>(h, H_SHIFT);
    if (shift == 1) i = countRun<u16>(h, s, ptr, i, len);
    else if (shift == 2) i = countRun<u32>(h, s, ptr, i, len);
    else i = countRun<u64>(h, s, ptr, i, len);
    if (i == len) break;
    const idx = indexOf(load<f64>(ptr + (i << 3)), s);
    const off = idx - load<i32>(h, H_LO);
    const st = <u32>off >= <u32>load<i32>(h, H_CAP) ? ensureRange(h, idx, idx) : widen(h, shift + 1);
    if (st < 0) {
      uncount(h, ptr, i);
      return st;
    }
  }
  const vlo = reinterpret<f64>(loBits);
  if (n == 0) {
    store<f64>(h, vlo, H_MIN);
    store<f64>(h, hi, H_MAX);
    store<f64>(h, k, H_K);
  } else {
    if (vlo < load<f64>(h, H_MIN)) store<f64>(h, vlo, H_MIN);
    if (hi > load<f64>(h, H_MAX)) store<f64>(h, hi, H_MAX);
  }
  store<u64>(h, n + <u64>len, H_TOTAL);
  store<u64>(h, load<u64>(h, H_ZEROS) + runZeros, H_ZEROS);
  store<f64>(h, s1, H_S1);
  store<f64>(h, s2, H_S2);
  return STATUS_OK;
}

/**
 * Records queued (handle, value) pairs: `n` u32 handles at `handlesPtr` and `n` doubles at
 * `valuesPtr`, each run of one handle as one batch (which equals that many records, sums
 * included). Returns the first failure, having recorded everything else.
 */
export function recordQueued(handlesPtr: usize, valuesPtr: usize, n: usize): i32 {
  let status = STATUS_OK;
  let i: usize = 0;
  while (i < n) {
    const h = <usize>load<u32>(handlesPtr + (i << 2));
    let j = i + 1;
    while (j < n && <usize>load<u32>(handlesPtr + (j << 2)) == h) j++;
    const st = !isHistogram(h)
      ? ERR_BAD_HANDLE
      : j - i == 1
        ? record(h, load<f64>(valuesPtr + (i << 3)))
        : recordBatch(h, valuesPtr + (i << 3), j - i);
    if (st < 0 && status == STATUS_OK) status = st;
    i = j;
  }
  return status;
}

/** Empties the histogram, keeping its counts block for reuse. */
export function reset(h: usize): void {
  memory.fill(<usize>load<u32>(h, H_COUNTS), 0, <usize>load<u32>(h, H_CBYTES));
  store<u64>(h, 0, H_TOTAL);
  store<u64>(h, 0, H_ZEROS);
  store<f64>(h, NaN, H_MIN);
  store<f64>(h, NaN, H_MAX);
  store<f64>(h, 0, H_K);
  store<f64>(h, 0, H_S1);
  store<f64>(h, 0, H_S2);
}

/** First window offset with a nonzero count at or after `from`, or cap. */
function firstNonZero(h: usize, from: i32): i32 {
  const cap = load<i32>(h, H_CAP);
  const base = <usize>load<u32>(h, H_COUNTS);
  const shift = load<u32>(h, H_SHIFT);
  let off = from;
  while (off < cap && getCount(base, off, shift) == 0) off++;
  return off;
}

/** Last window offset with a nonzero count at or before `from`, or -1. */
function lastNonZero(h: usize, from: i32): i32 {
  const base = <usize>load<u32>(h, H_COUNTS);
  const shift = load<u32>(h, H_SHIFT);
  let off = from;
  while (off >= 0 && getCount(base, off, shift) == 0) off--;
  return off;
}

/** The occupied bucket range [first, last] as window offsets; first > last when none. */
export function occupiedFirst(h: usize): i32 {
  const min = load<f64>(h, H_MIN);
  const s = load<i32>(h, H_SUB);
  const from = min >= MIN_NORMAL ? indexOf(min, s) - load<i32>(h, H_LO) : 0;
  return firstNonZero(h, from);
}

export function occupiedLast(h: usize): i32 {
  const max = load<f64>(h, H_MAX);
  const s = load<i32>(h, H_SUB);
  if (!(max >= MIN_NORMAL)) return -1;
  return lastNonZero(h, indexOf(max, s) - load<i32>(h, H_LO));
}

/**
 * dst[i + delta] += src[i] for i from `from` to `last`; stops at the first sum that does not fit
 * D and returns its position (last + 1 when done). A u64 sum always fits (no bucket exceeds the
 * total, which is checked).
 */
function addRun<S, D>(sBase: usize, dBase: usize, from: i32, last: i32, delta: i32): i32 {
  const ss = <usize>alignof<S>();
  const ds = <usize>alignof<D>();
  for (let i = from; i <= last; i++) {
    const dp = dBase + (<usize>(i + delta) << ds);
    const sum = <u64>load<D>(dp) + <u64>load<S>(sBase + (<usize>i << ss));
    if (sizeof<D>() < 8 && sum > <u64>(<D>-1)) return i;
    store<D>(dp, <D>sum);
  }
  return last + 1;
}

/** Adds `src` into `dst`; both must share relative error. Exact: counts, min, max add up. */
export function merge(dst: usize, src: usize): i32 {
  const s = load<i32>(dst, H_SUB);
  if (load<i32>(src, H_SUB) != s) return ERR_HISTOGRAM_MISMATCH;
  const sn = load<u64>(src, H_TOTAL);
  if (sn == 0) return STATUS_OK;
  if (load<f64>(src, H_MAX) > load<f64>(dst, H_MAXV)) return ERR_HISTOGRAM_VALUE;
  const dn = load<u64>(dst, H_TOTAL);
  if (sn > U64_MAX - dn) return ERR_HISTOGRAM_OVERFLOW;
  const first = occupiedFirst(src);
  const last = occupiedLast(src);
  // Read everything from src before dst changes (src may be dst).
  const sLo = load<i32>(src, H_LO);
  const sMin = load<f64>(src, H_MIN);
  const sMax = load<f64>(src, H_MAX);
  const sZeros = load<u64>(src, H_ZEROS);
  const sK = load<f64>(src, H_K);
  const sS1 = load<f64>(src, H_S1);
  const sS2 = load<f64>(src, H_S2);
  if (first <= last) {
    let st = ensureRange(dst, sLo + first, sLo + last);
    // Counters as wide as src's (counts only widen, so src may be wide after a reset).
    if (st == STATUS_OK) st = widen(dst, load<u32>(src, H_SHIFT));
    if (st < 0) return st;
    const sBase = <usize>load<u32>(src, H_COUNTS);
    const sShift = load<u32>(src, H_SHIFT);
    let i = first;
    while (i <= last) {
      const dBase = <usize>load<u32>(dst, H_COUNTS);
      const dShift = load<u32>(dst, H_SHIFT);
      const delta = sLo - load<i32>(dst, H_LO);
      if (dShift == 1) i = addRun<u16, u16>(sBase, dBase, i, last, delta);
      else if (dShift == 2) i = sShift == 1 ? addRun<u16, u32>(sBase, dBase, i, last, delta) : addRun<u32, u32>(sBase, dBase, i, last, delta);
      else if (sShift == 1) i = addRun<u16, u64>(sBase, dBase, i, last, delta);
      else if (sShift == 2) i = addRun<u32, u64>(sBase, dBase, i, last, delta);
      else i = addRun<u64, u64>(sBase, dBase, i, last, delta);
      if (i <= last) {
        // A sum does not fit: widen and go on from that bucket (or take back what was added).
        st = widen(dst, dShift + 1);
        if (st < 0) {
          const base = <usize>load<u32>(dst, H_COUNTS);
          for (let j = first; j < i; j++) setCount(base, j + delta, dShift, getCount(base, j + delta, dShift) - getCount(sBase, j, sShift));
          return st;
        }
      }
    }
  }
  if (dn == 0) {
    store<f64>(dst, sMin, H_MIN);
    store<f64>(dst, sMax, H_MAX);
    store<f64>(dst, sK, H_K);
    store<f64>(dst, sS1, H_S1);
    store<f64>(dst, sS2, H_S2);
  } else {
    store<f64>(dst, min(sMin, load<f64>(dst, H_MIN)), H_MIN);
    store<f64>(dst, max(sMax, load<f64>(dst, H_MAX)), H_MAX);
    // Re-shift src's sums onto dst's K: sum(v - K) and sum((v - K)^2) for K = dst's.
    const delta = sK - load<f64>(dst, H_K);
    const w = <f64>sn;
    store<f64>(dst, load<f64>(dst, H_S1) + sS1 + w * delta, H_S1);
    store<f64>(dst, load<f64>(dst, H_S2) + sS2 + 2.0 * delta * sS1 + w * delta * delta, H_S2);
  }
  store<u64>(dst, dn + sn, H_TOTAL);
  store<u64>(dst, load<u64>(dst, H_ZEROS) + sZeros, H_ZEROS);
  return STATUS_OK;
}

/** The sum of the counters packed in one 64-bit word: four u16 or two u32 (SWAR). */
// @ts-ignore: decorator
@inline function wordSum<T>(x: u64): u64 {
  if (sizeof<T>() == 2) x = (x & 0x0000ffff0000ffff) + ((x >> 16) & 0x0000ffff0000ffff);
  return (x & 0xffffffff) + (x >> 32);
}

/** The sum of counters [from, to), a 64-bit word at a time where it can. */
function sumRun<T>(base: usize, from: i32, to: i32): u64 {
  const shift = <usize>alignof<T>();
  let sum: u64 = 0;
  let i = from;
  if (sizeof<T>() < 8) {
    const per = 8 >> <i32>shift;
    for (; i + per <= to; i += per) sum += wordSum<T>(load<u64>(base + (<usize>i << shift)));
  }
  for (; i < to; i++) sum += <u64>load<T>(base + (<usize>i << shift));
  return sum;
}

/**
 * The first window offset in [from, to) where the running count (starting at cumBefore) passes
 * `rank`. Narrow counters are skipped a 64-bit word at a time while the whole word stays below.
 */
function scanUp<T>(base: usize, from: i32, to: i32, cumBefore: u64, rank: u64): i32 {
  let cum = cumBefore;
  const shift = <usize>alignof<T>();
  let i = from;
  if (sizeof<T>() < 8) {
    const per = 8 >> <i32>shift;
    while (i + per <= to) {
      const w = wordSum<T>(load<u64>(base + (<usize>i << shift)));
      if (cum + w > rank) break;
      cum += w;
      i += per;
    }
  }
  for (; i < to; i++) {
    cum += <u64>load<T>(base + (<usize>i << shift));
    if (cum > rank) return i;
  }
  return to - 1;
}

/** The same from the top: the first offset going down from `from` (to `to`, exclusive) past rankFromTop. */
function scanDown<T>(base: usize, from: i32, to: i32, rankFromTop: u64): i32 {
  let cum: u64 = 0;
  const shift = <usize>alignof<T>();
  let i = from;
  if (sizeof<T>() < 8) {
    const per = 8 >> <i32>shift;
    while (i - per >= to) {
      const w = wordSum<T>(load<u64>(base + (<usize>(i - per + 1) << shift)));
      if (cum + w > rankFromTop) break;
      cum += w;
      i -= per;
    }
  }
  for (; i > to; i--) {
    cum += <u64>load<T>(base + (<usize>i << shift));
    if (cum > rankFromTop) return i;
  }
  return to + 1;
}

/**
 * The value at 0-based rank `rank` of the sorted values (rank < total), from the nearer end:
 * within the relative error of the exact value, and clamped to [min, max].
 */
export function valueAtRank(h: usize, rank: u64): f64 {
  const n = load<u64>(h, H_TOTAL);
  const zeros = load<u64>(h, H_ZEROS);
  const vmin = load<f64>(h, H_MIN);
  const vmax = load<f64>(h, H_MAX);
  if (rank < zeros || rank == 0) return vmin;
  if (rank == n - 1) return vmax;
  const s = load<i32>(h, H_SUB);
  const lo = load<i32>(h, H_LO);
  const base = <usize>load<u32>(h, H_COUNTS);
  const shift = load<u32>(h, H_SHIFT);
  let off: i32;
  if (rank - zeros < (n - zeros) >> 1) {
    const from = vmin >= MIN_NORMAL ? indexOf(vmin, s) - lo : 0;
    const to = indexOf(vmax, s) - lo + 1;
    if (shift == 1) off = scanUp<u16>(base, from, to, zeros, rank);
    else if (shift == 2) off = scanUp<u32>(base, from, to, zeros, rank);
    else off = scanUp<u64>(base, from, to, zeros, rank);
  } else {
    const from = indexOf(vmax, s) - lo;
    const to = vmin >= MIN_NORMAL ? indexOf(vmin, s) - lo - 1 : -1;
    const fromTop = n - 1 - rank;
    if (shift == 1) off = scanDown<u16>(base, from, to, fromTop);
    else if (shift == 2) off = scanDown<u32>(base, from, to, fromTop);
    else off = scanDown<u64>(base, from, to, fromTop);
  }
  const v = bucketValue(lo + off, s);
  return v < vmin ? vmin : v > vmax ? vmax : v;
}

/** Rank used for quantile q: floor(q * (n - 1)), the lower nearest rank. */
// @ts-ignore: decorator
@inline export function rankOf(q: f64, n: u64): u64 {
  return <u64>Math.floor(q * <f64>(n - 1));
}

/** The value at quantile q in [0, 1]; NaN when empty or q is out of range. */
export function valueAtQuantile(h: usize, q: f64): f64 {
  const n = load<u64>(h, H_TOTAL);
  if (n == 0 || !(q >= 0 && q <= 1)) return NaN;
  return valueAtRank(h, rankOf(q, n));
}

/** Replaces each of `len` quantiles at `ptr` with its value. */
export function quantilesInPlace(h: usize, ptr: usize, len: usize): void {
  for (let i: usize = 0; i < len; i++) {
    const p = ptr + (i << 3);
    store<f64>(p, valueAtQuantile(h, load<f64>(p)));
  }
}

/**
 * Replaces each of `len` ascending boundaries at `ptr` with the count of values below it.
 * Exact when a boundary is a bucket's lower bound (see bucketLowerBound); otherwise the bucket
 * holding the boundary is left out. Returns ERR_BAD_ARGUMENT if boundaries are not ascending.
 */
export function countsBelow(h: usize, ptr: usize, len: usize): i32 {
  let prev = -Infinity;
  for (let i: usize = 0; i < len; i++) {
    const b = load<f64>(ptr + (i << 3));
    if (!(b >= prev)) return ERR_BAD_ARGUMENT;
    prev = b;
  }
  const s = load<i32>(h, H_SUB);
  const lo = load<i32>(h, H_LO);
  const cap = load<i32>(h, H_CAP);
  const base = <usize>load<u32>(h, H_COUNTS);
  const shift = load<u32>(h, H_SHIFT);
  const zeros = load<u64>(h, H_ZEROS);
  let off: i32 = 0;
  let cum: u64 = 0;
  for (let i: usize = 0; i < len; i++) {
    const p = ptr + (i << 3);
    const b = load<f64>(p);
    if (!(b > 0)) {
      store<f64>(p, 0);
      continue;
    }
    let end = b >= f64.MAX_VALUE ? cap : indexOf(b, s) - lo;
    if (end > cap) end = cap;
    if (off < end) {
      if (shift == 1) cum += sumRun<u16>(base, off, end);
      else if (shift == 2) cum += sumRun<u32>(base, off, end);
      else cum += sumRun<u64>(base, off, end);
      off = end;
    }
    store<f64>(p, <f64>(cum + zeros));
  }
  return STATUS_OK;
}
