// The encoded table of one job: quasi-identifier leaf codes with their generalization tables, and
// sensitive codes, reduced to distinct tuples (with multiplicities) so every later pass runs over
// D <= n tuples instead of n rows.
//
// Descriptor (u32 words, written by JS):
//   [0] nRows  [1] nQi  [2] nSens
//   per quasi-identifier (QI_WORDS): rowLeafPtr, leafCount, levels, genPtr, coverPtr, cardPtr
//     rowLeafPtr: u32[nRows] leaf index of each row
//     genPtr:     u32[levels * leafCount] code of each leaf at each level (0 .. card-1)
//     coverPtr:   u32[levels * leafCount] hierarchy leaves covered by that generalized value
//     cardPtr:    u32[levels] distinct codes at each level
//   per sensitive attribute (SENS_WORDS): rowCodePtr (u32[nRows], codes in the attribute's order), m

import { arenaAlloc, arenaAllocZeroed } from './arena';
import { ERR_BAD_ARGUMENT, ERR_OUT_OF_MEMORY } from '../shared/status';

export const MAX_QI: i32 = 64;
export const MAX_SENS: i32 = 8;
const QI_WORDS: usize = 6;
const SENS_WORDS: usize = 2;

export let nRows: i32 = 0;
export let nQi: i32 = 0;
export let nSens: i32 = 0;
/** Distinct tuples. */
export let nTuples: i32 = 0;

// Per quasi-identifier (arrays of pointers/sizes indexed by attribute, in static memory).
export const QI_LEAF_COUNT: usize = memory.data(MAX_QI * 4, 16);
export const QI_LEVELS: usize = memory.data(MAX_QI * 4, 16);
export const QI_GEN: usize = memory.data(MAX_QI * 4, 16);
export const QI_COVER: usize = memory.data(MAX_QI * 4, 16);
export const QI_CARD: usize = memory.data(MAX_QI * 4, 16);
/** u32[nTuples] leaf codes of the distinct tuples, one column per attribute. */
export const QI_TUPLE: usize = memory.data(MAX_QI * 4, 16);
const QI_ROW: usize = memory.data(MAX_QI * 4, 16);

export const SENS_M: usize = memory.data(MAX_SENS * 4, 16);
/** u32[nTuples] sensitive codes of the distinct tuples. */
export const SENS_TUPLE: usize = memory.data(MAX_SENS * 4, 16);
/** f64[m] share of each sensitive value over all rows (the t-closeness reference). */
export const SENS_GLOBAL: usize = memory.data(MAX_SENS * 4, 16);
const SENS_ROW: usize = memory.data(MAX_SENS * 4, 16);

/** Per (attribute, level): pointer to the distinct tuples' codes at that level (u16, or u32 if wide). */
export let levelCol: usize = 0;
/** Per (attribute, level): 1 when that column is u32. */
export let levelWide: usize = 0;
/** Per attribute: index of its level 0 in `levelCol`. */
export const QI_LEVEL_BASE: usize = memory.data(MAX_QI * 4, 16);

/** u32[nTuples] rows per distinct tuple. */
export let tupleWeight: usize = 0;
/** u32[nRows] distinct tuple of each row. */
export let rowTuple: usize = 0;

@inline export function getU32(table: usize, i: i32): u32 {
  return load<u32>(table + (<usize>i << 2));
}

@inline function setU32(table: usize, i: i32, v: u32): void {
  store<u32>(table + (<usize>i << 2), v);
}

@inline function mix(h: u64, v: u32): u64 {
  return (h ^ <u64>v) * 0x100000001b3 + 0x9e3779b97f4a7c15;
}

function rowsEqual(a: i32, b: i32): bool {
  for (let q = 0; q < nQi; q++) {
    const col = getU32(QI_ROW, q);
    if (getU32(col, a) != getU32(col, b)) return false;
  }
  for (let s = 0; s < nSens; s++) {
    const col = getU32(SENS_ROW, s);
    if (getU32(col, a) != getU32(col, b)) return false;
  }
  return true;
}

/** Smallest power of two >= 2n (at least 16): the open-addressing table size for n keys. */
export function tableSize(n: i32): i32 {
  let cap = 16;
  while (cap < n * 2) cap <<= 1;
  return cap;
}

/**
 * Reads the descriptor, checks every code against its bounds and reduces the rows to distinct
 * tuples. Returns the number of distinct tuples or a negative status.
 */
export function prepareTable(desc: usize): i32 {
  nRows = <i32>load<u32>(desc);
  nQi = <i32>load<u32>(desc, 4);
  nSens = <i32>load<u32>(desc, 8);
  if (nRows <= 0 || nQi < 0 || nQi > MAX_QI || nSens < 0 || nSens > MAX_SENS) return ERR_BAD_ARGUMENT;
  let p = desc + 12;
  for (let q = 0; q < nQi; q++) {
    const rowPtr = load<u32>(p);
    const leafCount = load<u32>(p, 4);
    const levels = load<u32>(p, 8);
    if (leafCount == 0 || levels == 0) return ERR_BAD_ARGUMENT;
    setU32(QI_ROW, q, rowPtr);
    setU32(QI_LEAF_COUNT, q, leafCount);
    setU32(QI_LEVELS, q, levels);
    setU32(QI_GEN, q, load<u32>(p, 12));
    setU32(QI_COVER, q, load<u32>(p, 16));
    setU32(QI_CARD, q, load<u32>(p, 20));
    for (let r = 0; r < nRows; r++) if (getU32(rowPtr, r) >= leafCount) return ERR_BAD_ARGUMENT;
    const gen = load<u32>(p, 12);
    const card = load<u32>(p, 20);
    for (let l: u32 = 0; l < levels; l++) {
      const c = getU32(card, <i32>l);
      for (let v: u32 = 0; v < leafCount; v++) if (getU32(gen, <i32>(l * leafCount + v)) >= c) return ERR_BAD_ARGUMENT;
    }
    p += QI_WORDS << 2;
  }
  for (let s = 0; s < nSens; s++) {
    const rowPtr = load<u32>(p);
    const m = load<u32>(p, 4);
    if (m == 0) return ERR_BAD_ARGUMENT;
    setU32(SENS_ROW, s, rowPtr);
    setU32(SENS_M, s, m);
    for (let r = 0; r < nRows; r++) if (getU32(rowPtr, r) >= m) return ERR_BAD_ARGUMENT;
    p += SENS_WORDS << 2;
  }
  const d = dedupe();
  if (d < 0) return d;
  return buildLevelColumns() < 0 ? ERR_OUT_OF_MEMORY : d;
}

/** Materializes every attribute's codes at every level for the distinct tuples. */
function buildLevelColumns(): i32 {
  let total = 0;
  for (let q = 0; q < nQi; q++) {
    setU32(QI_LEVEL_BASE, q, total);
    total += <i32>getU32(QI_LEVELS, q);
  }
  levelCol = arenaAlloc(<usize>total << 2);
  levelWide = arenaAlloc(<usize>total);
  if (levelCol == 0 || levelWide == 0) return ERR_OUT_OF_MEMORY;
  const d = nTuples;
  for (let q = 0; q < nQi; q++) {
    const levels = <i32>getU32(QI_LEVELS, q);
    const leafCount = getU32(QI_LEAF_COUNT, q);
    const leaves = getU32(QI_TUPLE, q);
    for (let l = 0; l < levels; l++) {
      const gen = getU32(QI_GEN, q) + ((<u32>l * leafCount) << 2);
      const wide = getU32(getU32(QI_CARD, q), l) > 0xffff;
      const col = arenaAlloc(<usize>d << (wide ? 2 : 1));
      if (col == 0) return ERR_OUT_OF_MEMORY;
      const at = <i32>getU32(QI_LEVEL_BASE, q) + l;
      setU32(levelCol, at, <u32>col);
      store<u8>(levelWide + <usize>at, wide ? 1 : 0);
      if (wide) {
        for (let t = 0; t < d; t++) setU32(col, t, getU32(gen, <i32>getU32(leaves, t)));
      } else {
        for (let t = 0; t < d; t++) store<u16>(col + (<usize>t << 1), <u16>getU32(gen, <i32>getU32(leaves, t)));
      }
    }
  }
  return 0;
}

function dedupe(): i32 {
  const cap = tableSize(nRows);
  const mask = cap - 1;
  const slots = arenaAlloc(<usize>cap << 2);
  const reps = arenaAlloc(<usize>nRows << 2);
  const weights = arenaAllocZeroed(<usize>nRows << 2);
  rowTuple = arenaAlloc(<usize>nRows << 2);
  if (slots == 0 || reps == 0 || weights == 0 || rowTuple == 0) return ERR_OUT_OF_MEMORY;
  memory.fill(slots, 0xff, <usize>cap << 2);
  // When every code fits a mixed-radix 64-bit key, rows are equal exactly when keys are:
  // the keys are built column by column and no row comparison is needed.
  let bits: f64 = 0;
  for (let q = 0; q < nQi; q++) bits += Math.log2(<f64>getU32(QI_LEAF_COUNT, q));
  for (let s = 0; s < nSens; s++) bits += Math.log2(<f64>getU32(SENS_M, s));
  const keyed = bits < 63;
  const keys = keyed ? arenaAlloc(<usize>nRows << 3) : 0;
  if (keyed && keys == 0) return ERR_OUT_OF_MEMORY;
  if (keyed) {
    memory.fill(keys, 0, <usize>nRows << 3);
    let radix: u64 = 1;
    for (let c = 0; c < nQi + nSens; c++) {
      const col = c < nQi ? getU32(QI_ROW, c) : getU32(SENS_ROW, c - nQi);
      for (let r = 0; r < nRows; r++) {
        const at = keys + (<usize>r << 3);
        store<u64>(at, load<u64>(at) + <u64>getU32(col, r) * radix);
      }
      radix *= <u64>(c < nQi ? getU32(QI_LEAF_COUNT, c) : getU32(SENS_M, c - nQi));
    }
  }
  let d = 0;
  for (let r = 0; r < nRows; r++) {
    let h: u64;
    if (keyed) {
      h = load<u64>(keys + (<usize>r << 3)) * 0x9e3779b97f4a7c15;
    } else {
      h = 0xcbf29ce484222325;
      for (let q = 0; q < nQi; q++) h = mix(h, getU32(getU32(QI_ROW, q), r));
      for (let s = 0; s < nSens; s++) h = mix(h, getU32(getU32(SENS_ROW, s), r));
    }
    let i = <i32>(h >>> 32) & mask;
    let t: i32 = -1;
    while (true) {
      const slot = <i32>getU32(slots, i);
      if (slot < 0) {
        t = d++;
        setU32(slots, i, t);
        setU32(reps, t, r);
        break;
      }
      const other = <i32>getU32(reps, slot);
      if (keyed ? load<u64>(keys + (<usize>other << 3)) == load<u64>(keys + (<usize>r << 3)) : rowsEqual(other, r)) {
        t = slot;
        break;
      }
      i = (i + 1) & mask;
    }
    setU32(rowTuple, r, t);
    setU32(weights, t, getU32(weights, t) + 1);
  }
  nTuples = d;
  tupleWeight = weights;
  for (let q = 0; q < nQi; q++) {
    const col = arenaAlloc(<usize>d << 2);
    if (col == 0) return ERR_OUT_OF_MEMORY;
    const src = getU32(QI_ROW, q);
    for (let t = 0; t < d; t++) setU32(col, t, getU32(src, <i32>getU32(reps, t)));
    setU32(QI_TUPLE, q, <u32>col);
  }
  for (let s = 0; s < nSens; s++) {
    const col = arenaAlloc(<usize>d << 2);
    const m = <i32>getU32(SENS_M, s);
    const global = arenaAllocZeroed(<usize>m << 3);
    if (col == 0 || global == 0) return ERR_OUT_OF_MEMORY;
    const src = getU32(SENS_ROW, s);
    for (let t = 0; t < d; t++) setU32(col, t, getU32(src, <i32>getU32(reps, t)));
    for (let r = 0; r < nRows; r++) {
      const at = global + (<usize>getU32(src, r) << 3);
      store<f64>(at, load<f64>(at) + 1);
    }
    for (let v = 0; v < m; v++) {
      const at = global + (<usize>v << 3);
      store<f64>(at, load<f64>(at) / <f64>nRows);
    }
    setU32(SENS_TUPLE, s, <u32>col);
    setU32(SENS_GLOBAL, s, <u32>global);
  }
  return d;
}
