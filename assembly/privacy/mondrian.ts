// Mondrian multidimensional local recoding over the distinct tuples (with multiplicities).
// A partition is a range of `rows` (tuple ids). It is split on the attribute with the widest
// normalized range, categorical attributes before ordered ones: ordered attributes at the boundary nearest the weighted median (strict: only
// between different values; relaxed: between any two tuples), categorical attributes only between
// children of the partition's lowest common ancestor in the hierarchy. A split is allowed when both
// sides keep at least k rows and satisfy every model (relaxed splits between equal values only
// when no other split is allowed). Sorting is stable (counting sort on ranks,
// merge sort when ranks are sparse), so the result is a pure function of the input.

import { arenaAlloc } from './arena';
import { MODEL_COUNT, evaluateModels, modelAchievedReset } from './models';
import { R_CLASSES, R_MIN_OK_SIZE, setResult } from './results';
import { QI_COVER, QI_GEN, QI_LEAF_COUNT, QI_LEVELS, QI_TUPLE, getU32, nQi, nTuples, tupleWeight } from './table';
import { ERR_BAD_ARGUMENT, ERR_NO_SOLUTION, ERR_OUT_OF_MEMORY } from '../shared/status';

/** At most this many model checks per attempted split. */
const MAX_MODEL_TRIES = 16;

const RANK_COL: usize = memory.data(64 * 4, 16);
const CATEGORICAL: usize = memory.data(64, 16);
const RANGE: usize = memory.data(64 * 4, 16);
const WIDTH: usize = memory.data(64 * 8, 16);
const LCA: usize = memory.data(64 * 4, 16);
const SPAN_MIN: usize = memory.data(64 * 4, 16);
const SPAN_MAX: usize = memory.data(64 * 4, 16);

let rows: usize = 0;
let temp: usize = 0;
let prefix: usize = 0;
let counts: usize = 0;
let stack: usize = 0;
let bounds: usize = 0;
/** Per final partition and attribute, two u32: ordered -> min and max rank; categorical -> LCA level and a leaf. */
let stats: usize = 0;
let parts: i32 = 0;

@inline function setU32(table: usize, i: i32, v: u32): void {
  store<u32>(table + (<usize>i << 2), v);
}

@inline function rankOf(a: i32, t: i32): u32 {
  return getU32(getU32(RANK_COL, a), t);
}

/** Code of tuple `t`'s leaf on attribute `a` at `level`. */
@inline function genOf(a: i32, level: u32, t: i32): u32 {
  const leafCount = getU32(QI_LEAF_COUNT, a);
  return getU32(getU32(QI_GEN, a), <i32>(level * leafCount + getU32(getU32(QI_TUPLE, a), t)));
}

/**
 * Reads per attribute the rank of every leaf (`ptrs[a]`) and whether it is categorical
 * (`ptrs[nQi + a]`), and allocates the work arrays. Call after `prepare`.
 */
export function mondrianPrepare(ptrs: usize, q: i32): i32 {
  if (q != nQi) return ERR_BAD_ARGUMENT;
  const d = nTuples;
  let maxLeaves: u32 = 1;
  for (let a = 0; a < nQi; a++) {
    const ranks = getU32(ptrs, a);
    const leafCount = getU32(QI_LEAF_COUNT, a);
    if (leafCount > maxLeaves) maxLeaves = leafCount;
    store<u8>(CATEGORICAL + <usize>a, getU32(ptrs, nQi + a) != 0 ? 1 : 0);
    const col = arenaAlloc(<usize>d << 2);
    if (col == 0) return ERR_OUT_OF_MEMORY;
    const leaves = getU32(QI_TUPLE, a);
    let lo: u32 = 0xffffffff;
    let hi: u32 = 0;
    for (let t = 0; t < d; t++) {
      const r = getU32(ranks, <i32>getU32(leaves, t));
      if (r >= leafCount) return ERR_BAD_ARGUMENT;
      setU32(col, t, r);
      if (r < lo) lo = r;
      if (r > hi) hi = r;
    }
    setU32(RANK_COL, a, <u32>col);
    setU32(RANGE, a, hi - lo);
  }
  rows = arenaAlloc(<usize>d << 2);
  temp = arenaAlloc(<usize>d << 2);
  prefix = arenaAlloc((<usize>d + 1) << 3);
  counts = arenaAlloc((<usize>maxLeaves + 1) << 2);
  stack = arenaAlloc(<usize>d << 3);
  bounds = arenaAlloc((<usize>d + 1) << 2);
  stats = arenaAlloc((<usize>d * <usize>nQi) << 3);
  if (rows == 0 || temp == 0 || prefix == 0 || counts == 0 || stack == 0 || bounds == 0 || stats == 0) return ERR_OUT_OF_MEMORY;
  return 0;
}

/** Stable sort of rows[lo, hi) by rank on attribute `a` (ranks within [mn, mx]). */
function sortByRank(a: i32, lo: i32, hi: i32, mn: u32, mx: u32): void {
  const size = hi - lo;
  const range = <i32>(mx - mn) + 1;
  if (range <= size * 4) {
    memory.fill(counts, 0, (<usize>range + 1) << 2);
    for (let i = lo; i < hi; i++) {
      const at = counts + ((<usize>(rankOf(a, <i32>getU32(rows, i)) - mn) + 1) << 2);
      store<u32>(at, load<u32>(at) + 1);
    }
    for (let r = 1; r <= range; r++) setU32(counts, r, getU32(counts, r) + getU32(counts, r - 1));
    for (let i = lo; i < hi; i++) {
      const t = getU32(rows, i);
      const at = counts + (<usize>(rankOf(a, <i32>t) - mn) << 2);
      const pos = load<u32>(at);
      store<u32>(at, pos + 1);
      setU32(temp, <i32>pos, t);
    }
    memory.copy(rows + (<usize>lo << 2), temp, <usize>size << 2);
    return;
  }
  // Bottom-up merge sort between rows and temp.
  let src = rows + (<usize>lo << 2);
  let dst = temp;
  for (let width = 1; width < size; width <<= 1) {
    for (let left = 0; left < size; left += width << 1) {
      const mid = min(left + width, size);
      const right = min(left + (width << 1), size);
      let i = left;
      let j = mid;
      let o = left;
      while (i < mid && j < right) {
        const ti = load<u32>(src + (<usize>i << 2));
        const tj = load<u32>(src + (<usize>j << 2));
        if (rankOf(a, <i32>tj) < rankOf(a, <i32>ti)) {
          store<u32>(dst + (<usize>o << 2), tj);
          j++;
        } else {
          store<u32>(dst + (<usize>o << 2), ti);
          i++;
        }
        o++;
      }
      for (; i < mid; i++, o++) store<u32>(dst + (<usize>o << 2), load<u32>(src + (<usize>i << 2)));
      for (; j < right; j++, o++) store<u32>(dst + (<usize>o << 2), load<u32>(src + (<usize>j << 2)));
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  if (src != rows + (<usize>lo << 2)) memory.copy(rows + (<usize>lo << 2), src, <usize>size << 2);
}

/** Measures every attribute over rows[lo, hi): rank span or lowest common ancestor, and width. */
function measure(lo: i32, hi: i32): void {
  for (let a = 0; a < nQi; a++) {
    let width: f64 = 0;
    if (load<u8>(CATEGORICAL + <usize>a) != 0) {
      const levels = getU32(QI_LEVELS, a);
      const first = <i32>getU32(rows, lo);
      let lca: u32 = 0;
      for (; lca + 1 < levels; lca++) {
        const code = genOf(a, lca, first);
        let same = true;
        for (let i = lo + 1; i < hi && same; i++) same = genOf(a, lca, <i32>getU32(rows, i)) == code;
        if (same) break;
      }
      setU32(LCA, a, lca);
      if (lca > 0) {
        const leafCount = getU32(QI_LEAF_COUNT, a);
        const leaf = getU32(getU32(QI_TUPLE, a), first);
        // Categorical attributes split first (measured on Adult: lower GCP than plain widths).
        width = 1 + <f64>getU32(getU32(QI_COVER, a), <i32>(lca * leafCount + leaf)) / <f64>leafCount;
      }
    } else {
      let mn: u32 = 0xffffffff;
      let mx: u32 = 0;
      for (let i = lo; i < hi; i++) {
        const r = rankOf(a, <i32>getU32(rows, i));
        if (r < mn) mn = r;
        if (r > mx) mx = r;
      }
      setU32(SPAN_MIN, a, mn);
      setU32(SPAN_MAX, a, mx);
      const range = getU32(RANGE, a);
      if (range > 0) width = <f64>(mx - mn) / <f64>range;
    }
    store<f64>(WIDTH + (<usize>a << 3), width);
  }
}

@inline function weightBefore(i: i32): f64 {
  return load<f64>(prefix + (<usize>i << 3));
}

/** True when a split may fall between positions i - 1 and i. */
@inline function isBoundary(a: i32, i: i32, lca: u32, relaxed: bool, categorical: bool): bool {
  const x = <i32>getU32(rows, i - 1);
  const y = <i32>getU32(rows, i);
  if (categorical) return genOf(a, lca - 1, x) != genOf(a, lca - 1, y);
  return relaxed || rankOf(a, x) != rankOf(a, y);
}

function sideOk(lo: i32, hi: i32): bool {
  if (MODEL_COUNT == 0) return true;
  const count = <u32>(weightBefore(hi) - weightBefore(lo));
  return evaluateModels(count, rows + (<usize>lo << 2), hi - lo, false);
}

/** Splits rows[lo, hi) on attribute `a`; returns the split position or -1. */
function trySplit(a: i32, lo: i32, hi: i32, k: f64, relaxed: bool): i32 {
  if (hi - lo < 2 || weightBefore(hi) - weightBefore(lo) < 2 * k) return -1;
  const categorical = load<u8>(CATEGORICAL + <usize>a) != 0;
  let mn: u32 = 0;
  let mx: u32 = 0;
  if (categorical) {
    mn = 0xffffffff;
    for (let i = lo; i < hi; i++) {
      const r = rankOf(a, <i32>getU32(rows, i));
      if (r < mn) mn = r;
      if (r > mx) mx = r;
    }
  } else {
    mn = getU32(SPAN_MIN, a);
    mx = getU32(SPAN_MAX, a);
  }
  sortByRank(a, lo, hi, mn, mx);
  let acc: f64 = 0;
  for (let i = lo; i < hi; i++) {
    store<f64>(prefix + (<usize>i << 3), acc);
    acc += <f64>getU32(tupleWeight, <i32>getU32(rows, i));
  }
  store<f64>(prefix + (<usize>hi << 3), acc);
  const total = acc - weightBefore(lo);
  const half = weightBefore(lo) + total / 2;
  const lca = getU32(LCA, a);
  // Relaxed splits only where no split between different values works: equal values then go
  // to both sides, which keeps partitions small without widening every later range.
  const p = nearestSplit(a, lo, hi, k, half, lca, false, categorical);
  return p >= 0 || !relaxed || categorical ? p : nearestSplit(a, lo, hi, k, half, lca, true, false);
}

/** The allowed boundary nearest the weighted median (both sides k+ rows and every model), or -1. */
function nearestSplit(a: i32, lo: i32, hi: i32, k: f64, half: f64, lca: u32, relaxed: bool, categorical: bool): i32 {
  // First position whose preceding weight reaches half; candidates spread out from there.
  let mid = lo + 1;
  while (mid < hi - 1 && weightBefore(mid) < half) mid++;
  let left = mid;
  let right = mid + 1;
  let tries = 0;
  while (true) {
    while (left > lo && !isBoundary(a, left, lca, relaxed, categorical)) left--;
    while (right < hi && !isBoundary(a, right, lca, relaxed, categorical)) right++;
    const leftOk = left > lo && weightBefore(left) - weightBefore(lo) >= k;
    const rightOk = right < hi && weightBefore(hi) - weightBefore(right) >= k;
    if (!leftOk && !rightOk) return -1;
    let p: i32;
    if (leftOk && (!rightOk || Math.abs(weightBefore(left) - half) <= Math.abs(weightBefore(right) - half))) {
      p = left--;
    } else {
      p = right++;
    }
    if (weightBefore(p) - weightBefore(lo) < k || weightBefore(hi) - weightBefore(p) < k) continue;
    if (MODEL_COUNT == 0) return p;
    if (sideOk(lo, p) && sideOk(p, hi)) return p;
    if (++tries >= MAX_MODEL_TRIES) return -1;
  }
}

/**
 * Partitions the tuples for `k` (and the installed models). Returns the number of partitions
 * (their tuple ranges are `bounds[p] .. bounds[p + 1]` of `rows`) or a negative status.
 */
export function mondrianRun(k: u32, relaxed: bool): i32 {
  const d = nTuples;
  if (rows == 0 || d == 0) return ERR_BAD_ARGUMENT;
  for (let t = 0; t < d; t++) setU32(rows, t, t);
  let acc: f64 = 0;
  for (let t = 0; t < d; t++) {
    store<f64>(prefix + (<usize>t << 3), acc);
    acc += <f64>getU32(tupleWeight, t);
  }
  store<f64>(prefix + (<usize>d << 3), acc);
  if (acc < <f64>k || !sideOk(0, d)) return ERR_NO_SOLUTION;

  modelAchievedReset();
  let sp = 0;
  setU32(stack, 0, 0);
  setU32(stack, 1, d);
  sp = 1;
  parts = 0;
  let smallest: f64 = Infinity;
  const kf = <f64>k;
  while (sp > 0) {
    sp--;
    const lo = <i32>getU32(stack, sp << 1);
    const hi = <i32>getU32(stack, (sp << 1) + 1);
    measure(lo, hi);
    let split = -1;
    // Attributes by decreasing width (ties: lower index); zero width cannot split.
    let tried: u64 = 0;
    while (split < 0) {
      let pick = -1;
      let widest: f64 = 0;
      for (let a = 0; a < nQi; a++) {
        if ((tried >> <u64>a) & 1) continue;
        const w = load<f64>(WIDTH + (<usize>a << 3));
        if (w > widest) {
          widest = w;
          pick = a;
        }
      }
      if (pick < 0) break;
      tried |= (<u64>1) << <u64>pick;
      split = trySplit(pick, lo, hi, kf, relaxed);
    }
    if (split >= 0) {
      setU32(stack, sp << 1, split);
      setU32(stack, (sp << 1) + 1, hi);
      sp++;
      setU32(stack, sp << 1, lo);
      setU32(stack, (sp << 1) + 1, split);
      sp++;
      continue;
    }
    // Final partition; recompute the weights in its current order for the models.
    let w: f64 = 0;
    for (let i = lo; i < hi; i++) {
      store<f64>(prefix + (<usize>i << 3), w);
      w += <f64>getU32(tupleWeight, <i32>getU32(rows, i));
    }
    store<f64>(prefix + (<usize>hi << 3), w);
    if (MODEL_COUNT > 0) evaluateModels(<u32>w, rows + (<usize>lo << 2), hi - lo, true);
    if (w < smallest) smallest = w;
    // The partition's spans and common ancestors, measured when it was taken off the stack.
    const at = stats + ((<usize>parts * <usize>nQi) << 3);
    for (let a = 0; a < nQi; a++) {
      const categorical = load<u8>(CATEGORICAL + <usize>a) != 0;
      store<u32>(at + (<usize>a << 3), categorical ? getU32(LCA, a) : getU32(SPAN_MIN, a));
      store<u32>(at + (<usize>a << 3), categorical ? getU32(getU32(QI_TUPLE, a), <i32>getU32(rows, lo)) : getU32(SPAN_MAX, a), 4);
    }
    setU32(bounds, parts, lo);
    parts++;
    setU32(bounds, parts, hi);
  }
  setResult(R_CLASSES, <f64>parts);
  setResult(R_MIN_OK_SIZE, smallest);
  return parts;
}

export function mondrianRows(): usize {
  return rows;
}

export function mondrianBounds(): usize {
  return bounds;
}

export function mondrianStats(): usize {
  return stats;
}
