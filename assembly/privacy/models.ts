// Privacy models judged per equivalence class on a sensitive attribute: distinct, entropy and
// recursive (c, l)-diversity, and t-closeness with equal or ordered ground distance (EMD against
// the attribute's distribution over all rows). Each model also records what the kept classes
// achieve (smallest l, largest c-ratio, largest distance) for the report.
//
// Model block (f64 words per model, written by JS): type, sensitive index, p1, p2.

import { arenaAlloc, arenaAllocZeroed } from './arena';
import { SENS_GLOBAL, SENS_M, SENS_TUPLE, getU32, nSens, tupleWeight } from './table';
import { ERR_BAD_ARGUMENT, ERR_OUT_OF_MEMORY } from '../shared/status';
import { R_MODEL, getResult, setResult } from './results';

export const MODEL_DISTINCT: i32 = 1;
export const MODEL_ENTROPY: i32 = 2;
export const MODEL_RECURSIVE: i32 = 3;
export const MODEL_T_EQUAL: i32 = 4;
export const MODEL_T_ORDERED: i32 = 5;
export const MAX_MODELS: i32 = 16;
const MODEL_WORDS: usize = 4;
/** Slack for comparisons of computed entropies and distances with their thresholds. */
const EPS: f64 = 1e-10;

export let MODEL_COUNT: i32 = 0;
const MODELS: usize = memory.data(MAX_MODELS * 4 * 8, 16);
const ACHIEVED: usize = memory.data(MAX_MODELS * 8, 16);
/** Per sensitive attribute: f64[m] histogram of the current class, touched-value list, sort buffer. */
const HIST: usize = memory.data(8 * 4, 16);
const TOUCHED: usize = memory.data(8 * 4, 16);
const TOUCHED_N: usize = memory.data(8 * 4, 16);
let sortBuf: usize = 0;

@inline function modelF(j: i32, w: i32): f64 {
  return load<f64>(MODELS + ((<usize>j * MODEL_WORDS + <usize>w) << 3));
}

@inline function setU32(table: usize, i: i32, v: u32): void {
  store<u32>(table + (<usize>i << 2), v);
}

/** Copies `count` models from `ptr` after checking them. */
export function setModels(ptr: usize, count: i32): i32 {
  if (count < 0 || count > MAX_MODELS) return ERR_BAD_ARGUMENT;
  for (let j = 0; j < count; j++) {
    const base = ptr + ((<usize>j * MODEL_WORDS) << 3);
    const type = <i32>load<f64>(base);
    const s = <i32>load<f64>(base, 8);
    if (type < MODEL_DISTINCT || type > MODEL_T_ORDERED || s < 0 || s >= nSens) return ERR_BAD_ARGUMENT;
    for (let w: usize = 0; w < MODEL_WORDS; w++) store<f64>(MODELS + ((<usize>j * MODEL_WORDS + w) << 3), load<f64>(base + (w << 3)));
  }
  MODEL_COUNT = count;
  return 0;
}

/** Allocates the per-class histograms (after the table is prepared). */
export function prepareModels(): i32 {
  MODEL_COUNT = 0;
  let maxM: u32 = 1;
  for (let s = 0; s < nSens; s++) {
    const m = getU32(SENS_M, s);
    if (m > maxM) maxM = m;
    const hist = arenaAllocZeroed(<usize>m << 3);
    const touched = arenaAlloc(<usize>m << 2);
    if (hist == 0 || touched == 0) return ERR_OUT_OF_MEMORY;
    setU32(HIST, s, <u32>hist);
    setU32(TOUCHED, s, <u32>touched);
  }
  sortBuf = arenaAlloc(<usize>maxM << 3);
  return sortBuf == 0 ? ERR_OUT_OF_MEMORY : 0;
}

/** Resets the achieved values before a check. */
export function modelAchievedReset(): void {
  for (let j = 0; j < MODEL_COUNT; j++) {
    const type = <i32>modelF(j, 0);
    setResult(R_MODEL + j, type >= MODEL_T_EQUAL || type == MODEL_RECURSIVE ? -Infinity : Infinity);
  }
}

function fillHistograms(order: usize, n: i32): void {
  for (let s = 0; s < nSens; s++) setU32(TOUCHED_N, s, 0);
  for (let s = 0; s < nSens; s++) {
    const hist = getU32(HIST, s);
    const touched = getU32(TOUCHED, s);
    const col = getU32(SENS_TUPLE, s);
    let nt: i32 = 0;
    for (let i = 0; i < n; i++) {
      const t = <i32>load<u32>(order + (<usize>i << 2));
      const v = getU32(col, t);
      const at = <usize>hist + (<usize>v << 3);
      const h = load<f64>(at);
      if (h == 0) setU32(touched, nt++, v);
      store<f64>(at, h + <f64>getU32(tupleWeight, t));
    }
    setU32(TOUCHED_N, s, nt);
  }
}

function clearHistograms(): void {
  for (let s = 0; s < nSens; s++) {
    const hist = getU32(HIST, s);
    const touched = getU32(TOUCHED, s);
    const nt = <i32>getU32(TOUCHED_N, s);
    for (let i = 0; i < nt; i++) store<f64>(<usize>hist + (<usize>getU32(touched, i) << 3), 0);
  }
}

/** Entropy (natural log) of the class's distribution on sensitive attribute `s`. */
function entropy(s: i32, total: f64): f64 {
  const hist = getU32(HIST, s);
  const touched = getU32(TOUCHED, s);
  const nt = <i32>getU32(TOUCHED_N, s);
  let h: f64 = 0;
  for (let i = 0; i < nt; i++) {
    const p = load<f64>(<usize>hist + (<usize>getU32(touched, i) << 3)) / total;
    h -= p * Math.log(p);
  }
  return h;
}

/** r1 / (r_l + ... + r_m) for the class's value counts sorted in descending order (Infinity if < l values). */
function recursiveRatio(s: i32, l: i32): f64 {
  const hist = getU32(HIST, s);
  const touched = getU32(TOUCHED, s);
  const nt = <i32>getU32(TOUCHED_N, s);
  if (nt < l) return Infinity;
  for (let i = 0; i < nt; i++) {
    const v = load<f64>(<usize>hist + (<usize>getU32(touched, i) << 3));
    let j = i;
    while (j > 0 && load<f64>(sortBuf + (<usize>(j - 1) << 3)) < v) {
      store<f64>(sortBuf + (<usize>j << 3), load<f64>(sortBuf + (<usize>(j - 1) << 3)));
      j--;
    }
    store<f64>(sortBuf + (<usize>j << 3), v);
  }
  let tail: f64 = 0;
  for (let i = l - 1; i < nt; i++) tail += load<f64>(sortBuf + (<usize>i << 3));
  return load<f64>(sortBuf) / tail;
}

/** Earth mover's distance to the global distribution with equal ground distance (total variation). */
function distanceEqual(s: i32, total: f64): f64 {
  const hist = getU32(HIST, s);
  const touched = getU32(TOUCHED, s);
  const global = getU32(SENS_GLOBAL, s);
  const nt = <i32>getU32(TOUCHED_N, s);
  let diff: f64 = 0;
  let covered: f64 = 0;
  for (let i = 0; i < nt; i++) {
    const v = <usize>getU32(touched, i) << 3;
    const q = load<f64>(<usize>global + v);
    diff += Math.abs(load<f64>(<usize>hist + v) / total - q);
    covered += q;
  }
  const rest = 1 - covered;
  return (diff + (rest > 0 ? rest : 0)) / 2;
}

/** Earth mover's distance with ordered ground distance |i - j| / (m - 1). */
function distanceOrdered(s: i32, total: f64): f64 {
  const hist = getU32(HIST, s);
  const global = getU32(SENS_GLOBAL, s);
  const m = <i32>getU32(SENS_M, s);
  if (m < 2) return 0;
  let cum: f64 = 0;
  let sum: f64 = 0;
  for (let v = 0; v < m; v++) {
    const at = <usize>v << 3;
    cum += load<f64>(<usize>hist + at) / total - load<f64>(<usize>global + at);
    sum += Math.abs(cum);
  }
  return sum / <f64>(m - 1);
}

/**
 * Judges a class of `count` rows whose `n` tuples are listed at `order` against every model;
 * with `record`, a kept class updates the achieved values.
 */
export function evaluateModels(count: u32, order: usize, n: i32, record: bool): bool {
  fillHistograms(order, n);
  const total = <f64>count;
  let ok = true;
  for (let m = 0; m < MODEL_COUNT && ok; m++) {
    const type = <i32>modelF(m, 0);
    const s = <i32>modelF(m, 1);
    const p1 = modelF(m, 2);
    let achieved: f64 = 0;
    if (type == MODEL_DISTINCT) {
      achieved = <f64>getU32(TOUCHED_N, s);
      ok = achieved >= p1;
    } else if (type == MODEL_ENTROPY) {
      const h = entropy(s, total);
      ok = h >= Math.log(p1) - EPS;
      achieved = Math.exp(h);
    } else if (type == MODEL_RECURSIVE) {
      achieved = recursiveRatio(s, <i32>p1);
      ok = achieved < modelF(m, 3);
    } else {
      achieved = type == MODEL_T_EQUAL ? distanceEqual(s, total) : distanceOrdered(s, total);
      ok = achieved <= p1 + EPS;
    }
    store<f64>(ACHIEVED + (<usize>m << 3), achieved);
  }
  clearHistograms();
  if (!ok || !record) return ok;
  for (let m = 0; m < MODEL_COUNT; m++) {
    const type = <i32>modelF(m, 0);
    const achieved = load<f64>(ACHIEVED + (<usize>m << 3));
    const prev = getResult(R_MODEL + m);
    const worse = type >= MODEL_T_EQUAL || type == MODEL_RECURSIVE ? achieved > prev : achieved < prev;
    if (worse) setResult(R_MODEL + m, achieved);
  }
  return true;
}
