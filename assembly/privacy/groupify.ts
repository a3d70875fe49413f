// Equivalence classes of one full-domain transformation (a level per quasi-identifier): the hot
// loop of the lattice search. Each distinct tuple's generalized key is built column by column,
// classes are counted in an open-addressing table (cleared by a generation stamp, not by memset),
// then every class is judged against k and the privacy models and the metric sums are taken.

import { arenaAlloc, arenaAllocZeroed } from './arena';
import {
  MODEL_COUNT, evaluateModels, modelAchievedReset, prepareModels,
} from './models';
import {
  QI_CARD, QI_COVER, QI_LEAF_COUNT, QI_LEVELS, QI_LEVEL_BASE, QI_TUPLE,
  getU32, levelCol, levelWide, nQi, nTuples, tableSize, tupleWeight,
} from './table';
import {
  R_CLASSES, R_MIN_OK_SIZE, R_OK_CLASSES, R_PENALTY, R_SUM_SQ, R_SUM_SQ_OK, R_SUPPRESSED, setResult,
} from './results';
import { ERR_BAD_ARGUMENT, ERR_OUT_OF_MEMORY, ERR_OUT_OF_RANGE } from '../shared/status';

/** Per attribute: the current transformation's code column, its width flag and its radix. */
const LEVEL_COL: usize = memory.data(64 * 4, 16);
const LEVEL_WIDE: usize = memory.data(64, 16);
const RADIX: usize = memory.data(64 * 8, 16);

/** Open-addressing slots of 16 bytes: key u64, class + 1 u32 (0 = empty). */
let cap: i32 = 0;
let slots: usize = 0;
let keyBuf: usize = 0;
/** Direct-address table (class + 1 per key) for transformations with at most `directCap` keys. */
let direct: usize = 0;
let directCap: i32 = 0;
/** u32 per class: its slot, cleared after each check instead of clearing the table. */
let classSlot: usize = 0;

/** u32[nTuples] class of each distinct tuple (valid after `checkNode`). */
export let tupleClass: usize = 0;
/** u32 per class: rows, first tuple, tuple count; CSR start and tuple order when models need it. */
export let classCount: usize = 0;
export let classRep: usize = 0;
let classTuples: usize = 0;
export let classStart: usize = 0;
export let classOrder: usize = 0;
/** u8 per class: 1 when the class is kept, 0 when suppressed. */
export let classOk: usize = 0;
export let nClasses: i32 = 0;

// The tuples checks run over: the distinct tuples (base), or a roll-up view of them — the classes
// of a transformation M, each one tuple (its first member's leaves) weighted by its rows. Any
// transformation at or above M groups the view exactly as it groups the base, in fewer steps.
let activeCount: i32 = 0;
let activeWeight: usize = 0;
let activeLevelCol: usize = 0;
let activeLevelWide: usize = 0;
const ACTIVE_LEAF: usize = memory.data(64 * 4, 16);
let viewActive = false;
const VIEW_MEET: usize = memory.data(64 * 4, 16);
const VIEW_TOP: usize = memory.data(64 * 4, 16);
let viewWeight: usize = 0;
let viewLevelCol: usize = 0;
const VIEW_LEAF: usize = memory.data(64 * 4, 16);

@inline function setU32(table: usize, i: i32, v: u32): void {
  store<u32>(table + (<usize>i << 2), v);
}

/** Allocates the per-check buffers for the prepared table. */
export function prepareGroupify(): i32 {
  const d = <usize>nTuples;
  cap = tableSize(nTuples);
  slots = arenaAllocZeroed(<usize>cap << 4);
  keyBuf = arenaAlloc(d << 3);
  classSlot = arenaAlloc(d << 2);
  directCap = min(1 << 20, max(4096, nTuples << 4));
  direct = arenaAllocZeroed(<usize>directCap << 2);
  tupleClass = arenaAlloc(d << 2);
  classCount = arenaAlloc(d << 2);
  classRep = arenaAlloc(d << 2);
  classTuples = arenaAlloc(d << 2);
  classStart = arenaAlloc((d + 1) << 2);
  classOrder = arenaAlloc(d << 2);
  classOk = arenaAlloc(d);
  nClasses = 0;
  if (
    keyBuf == 0 || slots == 0 || direct == 0 || classSlot == 0 || tupleClass == 0 ||
    classCount == 0 || classRep == 0 || classTuples == 0 || classStart == 0 || classOrder == 0 || classOk == 0
  ) return ERR_OUT_OF_MEMORY;
  // Roll-up view buffers: weights, leaves and every level column, like the base.
  viewWeight = arenaAlloc(d << 2);
  let columns = 0;
  for (let q = 0; q < nQi; q++) {
    const leaves = arenaAlloc(d << 2);
    if (leaves == 0) return ERR_OUT_OF_MEMORY;
    setU32(VIEW_LEAF, q, <u32>leaves);
    columns += <i32>getU32(QI_LEVELS, q);
  }
  viewLevelCol = arenaAlloc(<usize>columns << 2);
  if (viewWeight == 0 || viewLevelCol == 0) return ERR_OUT_OF_MEMORY;
  for (let i = 0; i < columns; i++) {
    const col = arenaAlloc(d << (load<u8>(levelWide + <usize>i) != 0 ? 2 : 1));
    if (col == 0) return ERR_OUT_OF_MEMORY;
    setU32(viewLevelCol, i, <u32>col);
  }
  useBase();
  return prepareModels();
}

@inline function code(q: i32, t: i32): u32 {
  const col = <usize>getU32(LEVEL_COL, q);
  return load<u8>(LEVEL_WIDE + <usize>q) != 0 ? load<u32>(col + (<usize>t << 2)) : <u32>load<u16>(col + (<usize>t << 1));
}

/** True when the tuples' generalized codes are equal on every attribute. */
function sameClass(a: i32, b: i32): bool {
  for (let q = 0; q < nQi; q++) if (code(q, a) != code(q, b)) return false;
  return true;
}

/** keyBuf[t] += column[t] * r over all tuples. */
function addColumn(col: usize, wide: bool, r: u64, d: i32): void {
  if (wide) {
    for (let t = 0; t < d; t++) {
      const at = keyBuf + (<usize>t << 3);
      store<u64>(at, load<u64>(at) + <u64>load<u32>(col + (<usize>t << 2)) * r);
    }
  } else if (r == 1) {
    for (let t = 0; t < d; t++) store<u64>(keyBuf + (<usize>t << 3), <u64>load<u16>(col + (<usize>t << 1)));
  } else {
    for (let t = 0; t < d; t++) {
      const at = keyBuf + (<usize>t << 3);
      store<u64>(at, load<u64>(at) + <u64>load<u16>(col + (<usize>t << 1)) * r);
    }
  }
}

/** keys32[t] = column[t] * r (first) or += (others), four lanes at a time; exact below 2^32. */
function addColumn32(col: usize, wide: bool, r: u32, d: i32, first: bool): void {
  const rv = i32x4.splat(<i32>r);
  let t = 0;
  if (wide) {
    for (; t + 4 <= d; t += 4) {
      const at = keyBuf + (<usize>t << 2);
      const v = i32x4.mul(v128.load(col + (<usize>t << 2)), rv);
      v128.store(at, first ? v : i32x4.add(v128.load(at), v));
    }
    for (; t < d; t++) {
      const at = keyBuf + (<usize>t << 2);
      const v = load<u32>(col + (<usize>t << 2)) * r;
      store<u32>(at, first ? v : load<u32>(at) + v);
    }
    return;
  }
  for (; t + 8 <= d; t += 8) {
    const at = keyBuf + (<usize>t << 2);
    const codes = v128.load(col + (<usize>t << 1));
    const lo = i32x4.mul(i32x4.extend_low_i16x8_u(codes), rv);
    const hi = i32x4.mul(i32x4.extend_high_i16x8_u(codes), rv);
    if (first) {
      v128.store(at, lo);
      v128.store(at, hi, 16);
    } else {
      v128.store(at, i32x4.add(v128.load(at), lo));
      v128.store(at, i32x4.add(v128.load(at, 16), hi), 16);
    }
  }
  for (; t < d; t++) {
    const at = keyBuf + (<usize>t << 2);
    const v = <u32>load<u16>(col + (<usize>t << 1)) * r;
    store<u32>(at, first ? v : load<u32>(at) + v);
  }
}

function countDirect32(d: i32): i32 {
  let c = 0;
  for (let t = 0; t < d; t++) {
    const at = direct + (<usize>load<u32>(keyBuf + (<usize>t << 2)) << 2);
    let cls = <i32>load<u32>(at) - 1;
    if (cls < 0) {
      cls = c++;
      store<u32>(at, <u32>c);
      newClass(cls, t);
    }
    setU32(tupleClass, t, cls);
    setU32(classCount, cls, getU32(classCount, cls) + getU32(activeWeight, t));
  }
  for (let j = 0; j < c; j++) store<u32>(direct + (<usize>load<u32>(keyBuf + (<usize>getU32(classRep, j) << 2)) << 2), 0);
  return c;
}

/** Hash counting on exact 32-bit keys: 8-byte slots (key, class + 1). */
function countHashed32(d: i32): i32 {
  const mask = cap - 1;
  const shift = 32 - <u32>ctz(cap);
  let c = 0;
  for (let t = 0; t < d; t++) {
    const key = load<u32>(keyBuf + (<usize>t << 2));
    let i = <i32>((key * 0x9e3779b1) >>> shift);
    let cls: i32 = -1;
    while (true) {
      const slot = slots + (<usize>i << 3);
      const tag = load<u32>(slot, 4);
      if (tag == 0) {
        cls = c++;
        store<u32>(slot, key);
        store<u32>(slot, <u32>c, 4);
        setU32(classSlot, cls, i);
        newClass(cls, t);
        break;
      }
      if (load<u32>(slot) == key) {
        cls = <i32>tag - 1;
        break;
      }
      i = (i + 1) & mask;
    }
    setU32(tupleClass, t, cls);
    setU32(classCount, cls, getU32(classCount, cls) + getU32(activeWeight, t));
  }
  for (let j = 0; j < c; j++) store<u32>(slots + (<usize>getU32(classSlot, j) << 3), 0, 4);
  return c;
}

@inline function newClass(c: i32, t: i32): void {
  setU32(classCount, c, 0);
  setU32(classRep, c, t);
}

function countHashed(d: i32, exact: bool): i32 {
  const mask = cap - 1;
  const shift: u64 = 64 - <u64>ctz(cap);
  let c = 0;
  for (let t = 0; t < d; t++) {
    const key = load<u64>(keyBuf + (<usize>t << 3));
    let i = <i32>((key * 0x9e3779b97f4a7c15) >>> shift);
    let cls: i32 = -1;
    while (true) {
      const slot = slots + (<usize>i << 4);
      const tag = load<u32>(slot, 8);
      if (tag == 0) {
        cls = c++;
        store<u64>(slot, key);
        store<u32>(slot, <u32>c, 8);
        setU32(classSlot, cls, i);
        newClass(cls, t);
        break;
      }
      if (load<u64>(slot) == key) {
        const found = <i32>tag - 1;
        if (exact || sameClass(<i32>getU32(classRep, found), t)) {
          cls = found;
          break;
        }
      }
      i = (i + 1) & mask;
    }
    setU32(tupleClass, t, cls);
    setU32(classCount, cls, getU32(classCount, cls) + getU32(activeWeight, t));
  }
  for (let j = 0; j < c; j++) store<u32>(slots + (<usize>getU32(classSlot, j) << 4), 0, 8);
  return c;
}

/** Points the checks at the distinct tuples. */
export function useBase(): void {
  activeCount = nTuples;
  activeWeight = tupleWeight;
  activeLevelCol = levelCol;
  activeLevelWide = levelWide;
  for (let q = 0; q < nQi; q++) setU32(ACTIVE_LEAF, q, getU32(QI_TUPLE, q));
  viewActive = false;
}

/** Classes of the active tuples under `levels`: fills tupleClass, classCount, classRep. */
function group(levels: usize): i32 {
  const d = activeCount;
  if (nQi == 0) return ERR_BAD_ARGUMENT;
  // Per-attribute columns and mixed-radix strides; exact keys when the product fits 64 bits.
  let bits: f64 = 0;
  let radix: u64 = 1;
  for (let q = 0; q < nQi; q++) {
    const level = getU32(levels, q);
    if (level >= getU32(QI_LEVELS, q)) return ERR_BAD_ARGUMENT;
    const at = <i32>(getU32(QI_LEVEL_BASE, q) + level);
    setU32(LEVEL_COL, q, getU32(activeLevelCol, at));
    store<u8>(LEVEL_WIDE + <usize>q, load<u8>(activeLevelWide + <usize>at));
    const card = getU32(getU32(QI_CARD, q), <i32>level);
    store<u64>(RADIX + (<usize>q << 3), radix);
    radix *= <u64>card;
    bits += Math.log2(<f64>card);
  }
  const exact = bits < 63.5;

  // Keys, column by column (sequential reads of narrow columns), then class counting: a
  // direct-address table when the key space is small, hashing otherwise.
  let c: i32;
  if (bits < 60 && radix <= 0xffffffff) {
    for (let q = 0; q < nQi; q++) {
      addColumn32(<usize>getU32(LEVEL_COL, q), load<u8>(LEVEL_WIDE + <usize>q) != 0, <u32>load<u64>(RADIX + (<usize>q << 3)), d, q == 0);
    }
    c = radix <= <u64>directCap ? countDirect32(d) : countHashed32(d);
  } else {
    memory.fill(keyBuf, 0, <usize>d << 3);
    for (let q = 0; q < nQi; q++) {
      addColumn(<usize>getU32(LEVEL_COL, q), load<u8>(LEVEL_WIDE + <usize>q) != 0, load<u64>(RADIX + (<usize>q << 3)), d);
    }
    c = countHashed(d, exact);
  }
  nClasses = c;
  return c;
}

/**
 * Rolls the distinct tuples up to the transformation `levels` (u32[nQi]): later checks between
 * it and `upTo` (u32[nQi]) run over its classes. Only without models (they need every tuple's
 * sensitive value). With more than `maxClasses` classes the view is not built and checks stay on
 * the tuples. Returns the number of classes or a negative status.
 */
export function rollUp(levels: usize, upTo: usize, maxClasses: i32): i32 {
  if (MODEL_COUNT > 0) return ERR_BAD_ARGUMENT;
  useBase();
  const c = group(levels);
  if (c < 0 || c > maxClasses) return c;
  for (let j = 0; j < c; j++) setU32(viewWeight, j, getU32(classCount, j));
  for (let q = 0; q < nQi; q++) {
    const level = getU32(levels, q);
    const top = getU32(upTo, q);
    if (top < level || top >= getU32(QI_LEVELS, q)) {
      useBase();
      return ERR_BAD_ARGUMENT;
    }
    setU32(VIEW_MEET, q, level);
    setU32(VIEW_TOP, q, top);
    const leaves = getU32(QI_TUPLE, q);
    const viewLeaves = getU32(VIEW_LEAF, q);
    for (let j = 0; j < c; j++) setU32(viewLeaves, j, getU32(leaves, <i32>getU32(classRep, j)));
    // Only the levels the coming checks use.
    for (let l = <i32>level; l <= <i32>top; l++) {
      const at = <i32>getU32(QI_LEVEL_BASE, q) + l;
      const src = <usize>getU32(levelCol, at);
      const dst = <usize>getU32(viewLevelCol, at);
      if (load<u8>(levelWide + <usize>at) != 0) {
        for (let j = 0; j < c; j++) store<u32>(dst + (<usize>j << 2), load<u32>(src + (<usize>getU32(classRep, j) << 2)));
      } else {
        for (let j = 0; j < c; j++) store<u16>(dst + (<usize>j << 1), load<u16>(src + (<usize>getU32(classRep, j) << 1)));
      }
    }
  }
  activeCount = c;
  activeWeight = viewWeight;
  activeLevelCol = viewLevelCol;
  for (let q = 0; q < nQi; q++) setU32(ACTIVE_LEAF, q, getU32(VIEW_LEAF, q));
  viewActive = true;
  return c;
}

/**
 * Groups the distinct tuples under the transformation `levels` (u32[nQi]) and judges every class.
 * A class is kept when it has at least `k` rows and satisfies every model; the transformation is
 * anonymous when at most `maxSuppressed` rows fall in other classes. With `wantPenalty`, the
 * per-attribute Loss penalty of the suppressed rows is summed too. Returns 1 (anonymous),
 * 0 (not anonymous) or a negative status.
 */
export function checkNode(levels: usize, k: u32, maxSuppressed: f64, wantPenalty: bool): i32 {
  if (viewActive) {
    for (let q = 0; q < nQi; q++) {
      const level = getU32(levels, q);
      if (level < getU32(VIEW_MEET, q) || level > getU32(VIEW_TOP, q)) return ERR_OUT_OF_RANGE;
    }
  }
  const c = group(levels);
  if (c < 0) return c;
  const d = activeCount;
  // Tuples grouped by class (counting sort, stable in tuple order) when models look inside classes.
  if (MODEL_COUNT > 0) {
    for (let j = 0; j < c; j++) setU32(classTuples, j, 0);
    for (let t = 0; t < d; t++) {
      const j = <i32>getU32(tupleClass, t);
      setU32(classTuples, j, getU32(classTuples, j) + 1);
    }
    let acc: u32 = 0;
    for (let j = 0; j < c; j++) {
      setU32(classStart, j, acc);
      acc += getU32(classTuples, j);
    }
    setU32(classStart, c, acc);
    for (let t = 0; t < d; t++) {
      const j = <i32>getU32(tupleClass, t);
      const at = getU32(classStart, j);
      setU32(classOrder, <i32>at, t);
      setU32(classStart, j, at + 1);
    }
    for (let j = c; j > 0; j--) setU32(classStart, j, getU32(classStart, j - 1));
    setU32(classStart, 0, 0);
  }

  // Judge classes; metric sums.
  modelAchievedReset();
  let suppressed: f64 = 0;
  let okClasses = 0;
  let sumSq: f64 = 0;
  let sumSqOk: f64 = 0;
  let minOk: f64 = Infinity;
  for (let j = 0; j < c; j++) {
    const count = getU32(classCount, j);
    let ok = count >= k;
    if (ok && MODEL_COUNT > 0) {
      ok = evaluateModels(count, classOrder + (<usize>getU32(classStart, j) << 2), <i32>getU32(classTuples, j), true);
    }
    store<u8>(classOk + <usize>j, ok ? 1 : 0);
    const cf = <f64>count;
    sumSq += cf * cf;
    if (ok) {
      okClasses++;
      sumSqOk += cf * cf;
      if (cf < minOk) minOk = cf;
    } else {
      suppressed += cf;
    }
  }
  setResult(R_SUPPRESSED, suppressed);
  setResult(R_CLASSES, <f64>c);
  setResult(R_OK_CLASSES, <f64>okClasses);
  setResult(R_SUM_SQ, sumSq);
  setResult(R_SUM_SQ_OK, sumSqOk);
  setResult(R_MIN_OK_SIZE, okClasses > 0 ? minOk : NaN);
  const anonymous = suppressed <= maxSuppressed;

  // Loss penalty of suppressed rows: each counts as fully generalized.
  if (wantPenalty && anonymous) {
    for (let q = 0; q < nQi; q++) setResult(R_PENALTY + q, 0);
    if (suppressed > 0) {
      for (let q = 0; q < nQi; q++) {
        const leafCount = getU32(QI_LEAF_COUNT, q);
        const cover = getU32(QI_COVER, q) + ((getU32(levels, q) * leafCount) << 2);
        const col = getU32(ACTIVE_LEAF, q);
        let pen: f64 = 0;
        for (let j = 0; j < c; j++) {
          if (load<u8>(classOk + <usize>j) != 0) continue;
          const leaf = getU32(col, <i32>getU32(classRep, j));
          pen += <f64>getU32(classCount, j) * <f64>(leafCount - getU32(cover, <i32>leaf));
        }
        setResult(R_PENALTY + q, pen);
      }
    }
  }
  return anonymous ? 1 : 0;
}
