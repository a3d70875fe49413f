// Compact binary form of a histogram (little-endian; varints are unsigned LEB128):
//   u8 'H', u8 version 1, f64 relativeError, f64 maxValue, varint total, varint zeros,
//   then, when total > 0: f64 min, f64 max, f64 K, f64 s1, f64 s2,
//   then, when total > zeros: varint first bucket index, varint bucket count, and per bucket a
//   varint count, where a 0 is followed by a varint of how many more zero buckets follow.
// Decoding validates everything (ranges, sums, min/max against the buckets) before it builds
// anything, so corrupt bytes yield ERR_HISTOGRAM_CORRUPT and never a half-made histogram.

import {
  H_COUNTS,
  H_K,
  H_LO,
  H_MAX,
  H_MAXV,
  H_MIN,
  H_RELERR,
  H_S1,
  H_S2,
  H_SHIFT,
  H_TOTAL,
  H_ZEROS,
  MAX_RELATIVE_ERROR,
  MIN_NORMAL,
  MIN_RELATIVE_ERROR,
  createHistogram,
  destroyHistogram,
  ensureRange,
  getCount,
  indexOf,
  occupiedFirst,
  occupiedLast,
  shiftFor,
  subBucketsFor,
  widen,
} from './histogram';
import { ERR_HISTOGRAM_CORRUPT, STATUS_OK } from '../shared/status';

const TAG: u8 = 0x48;
const VERSION: u8 = 1;

function writeVarint(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

/** An upper bound of the serialized size of `h`. */
export function serializedBound(h: usize): u32 {
  const first = occupiedFirst(h);
  const last = occupiedLast(h);
  const buckets = last >= first ? <u32>(last - first + 1) : 0;
  return 2 + 16 + 20 + 40 + 10 + 10 + buckets * 10;
}

/** Writes `h` at `ptr` (at least serializedBound bytes) and returns the length. */
export function serialize(h: usize, ptr: usize): u32 {
  let p = ptr;
  store<u8>(p++, TAG);
  store<u8>(p++, VERSION);
  store<f64>(p, load<f64>(h, H_RELERR));
  store<f64>(p, load<f64>(h, H_MAXV), 8);
  p += 16;
  const total = load<u64>(h, H_TOTAL);
  const zeros = load<u64>(h, H_ZEROS);
  p = writeVarint(p, total);
  p = writeVarint(p, zeros);
  if (total > 0) {
    store<f64>(p, load<f64>(h, H_MIN));
    store<f64>(p, load<f64>(h, H_MAX), 8);
    store<f64>(p, load<f64>(h, H_K), 16);
    store<f64>(p, load<f64>(h, H_S1), 24);
    store<f64>(p, load<f64>(h, H_S2), 32);
    p += 40;
  }
  if (total > zeros) {
    const first = occupiedFirst(h);
    const last = occupiedLast(h);
    const base = <usize>load<u32>(h, H_COUNTS);
    const shift = load<u32>(h, H_SHIFT);
    p = writeVarint(p, <u64>(load<i32>(h, H_LO) + first));
    p = writeVarint(p, <u64>(last - first + 1));
    let i = first;
    while (i <= last) {
      const c = getCount(base, i, shift);
      p = writeVarint(p, c);
      i++;
      if (c == 0) {
        let run: u64 = 0;
        while (getCount(base, i, shift) == 0) {
          run++;
          i++;
        }
        p = writeVarint(p, run);
      }
    }
  }
  return <u32>(p - ptr);
}

// Reader state: position and end of the bytes being decoded; `bad` latches any overrun.
let rp: usize = 0;
let rend: usize = 0;
let bad = false;

function readVarint(): u64 {
  let v: u64 = 0;
  for (let shift: u64 = 0; shift < 70; shift += 7) {
    if (rp >= rend) break;
    const b = <u64>load<u8>(rp++);
    if (shift == 63 && b > 1) break;
    v |= (b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
  bad = true;
  return 0;
}

function readF64(): f64 {
  if (rend - rp < 8) {
    bad = true;
    return 0;
  }
  const v = load<f64>(rp);
  rp += 8;
  return v;
}

function isFinite64(v: f64): bool {
  return v - v == 0;
}

/** Walks the bucket section, checking it; returns the widest count, or 0 with `bad` set. */
function scanBuckets(n: u64, expect: u64): u64 {
  let i: u64 = 0;
  let sum: u64 = 0;
  let widest: u64 = 0;
  let last: u64 = 0;
  while (i < n && !bad) {
    const c = readVarint();
    if (i == 0 && c == 0) bad = true;
    if (c > expect - sum) bad = true;
    sum += c;
    if (c > widest) widest = c;
    last = c;
    i++;
    if (c == 0) {
      const run = readVarint();
      if (run > n - i) bad = true;
      i += run;
    }
  }
  if (last == 0 || sum != expect) bad = true;
  return widest;
}

/** Decodes `len` bytes at `ptr` into a new histogram handle, or a negative status. */
export function deserialize(ptr: usize, len: usize): i32 {
  rp = ptr;
  rend = ptr + len;
  bad = false;
  if (len < 2 || load<u8>(ptr) != TAG || load<u8>(ptr, 1) != VERSION) return ERR_HISTOGRAM_CORRUPT;
  rp += 2;
  const relErr = readF64();
  const maxV = readF64();
  const total = readVarint();
  const zeros = readVarint();
  if (bad || !(relErr >= MIN_RELATIVE_ERROR && relErr <= MAX_RELATIVE_ERROR)) return ERR_HISTOGRAM_CORRUPT;
  if (!(maxV >= MIN_NORMAL && maxV <= f64.MAX_VALUE) || zeros > total) return ERR_HISTOGRAM_CORRUPT;
  const s = subBucketsFor(relErr);
  let vmin: f64 = NaN;
  let vmax: f64 = NaN;
  let k = 0.0;
  let s1 = 0.0;
  let s2 = 0.0;
  if (total > 0) {
    vmin = readF64();
    vmax = readF64();
    k = readF64();
    s1 = readF64();
    s2 = readF64();
    if (bad || !(vmin >= 0 && vmin <= vmax && vmax <= maxV)) return ERR_HISTOGRAM_CORRUPT;
    if (!isFinite64(k) || !isFinite64(s1) || !(s2 >= 0 && isFinite64(s2))) return ERR_HISTOGRAM_CORRUPT;
    if ((zeros > 0) != (vmin < MIN_NORMAL)) return ERR_HISTOGRAM_CORRUPT;
    if ((total > zeros) != (vmax >= MIN_NORMAL)) return ERR_HISTOGRAM_CORRUPT;
  }
  let first: u64 = 0;
  let n: u64 = 0;
  let widest: u64 = 0;
  const bucketsAt = rp;
  if (total > zeros) {
    first = readVarint();
    n = readVarint();
    if (bad || n == 0 || first < <u64>s || first + n - 1 != <u64>indexOf(vmax, s)) return ERR_HISTOGRAM_CORRUPT;
    if (zeros == 0 && first != <u64>indexOf(vmin, s)) return ERR_HISTOGRAM_CORRUPT;
    widest = scanBuckets(n, total - zeros);
  }
  if (bad || rp != rend) return ERR_HISTOGRAM_CORRUPT;

  const h = createHistogram(relErr, maxV);
  if (h < 0) return h;
  if (total > zeros) {
    let st = ensureRange(<usize>h, <i32>first, <i32>(first + n - 1));
    if (st == STATUS_OK) st = widen(<usize>h, shiftFor(widest));
    if (st < 0) {
      destroyHistogram(<usize>h);
      return st;
    }
    rp = bucketsAt;
    readVarint();
    readVarint();
    const base = <usize>load<u32>(<usize>h, H_COUNTS);
    const shift = load<u32>(<usize>h, H_SHIFT);
    let off = <i32>first - load<i32>(<usize>h, H_LO);
    const end = off + <i32>n;
    while (off < end) {
      const c = readVarint();
      const p = base + (<usize>off << shift);
      if (shift == 1) store<u16>(p, <u16>c);
      else if (shift == 2) store<u32>(p, <u32>c);
      else store<u64>(p, c);
      off++;
      if (c == 0) off += <i32>readVarint();
    }
  }
  store<u64>(h, total, H_TOTAL);
  store<u64>(h, zeros, H_ZEROS);
  store<f64>(h, vmin, H_MIN);
  store<f64>(h, vmax, H_MAX);
  store<f64>(h, k, H_K);
  store<f64>(h, s1, H_S1);
  store<f64>(h, s2, H_S2);
  return h;
}
