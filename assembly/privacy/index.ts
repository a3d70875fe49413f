// Boundary of the privacy module: flat exported verbs only (logic in table.ts, groupify.ts,
// models.ts, mondrian.ts). One job at a time: `reset()`, `alloc()` the input regions, fill them
// from JS, `prepare()`, then `checkNode()` per transformation. Any call that allocates may grow
// memory, so JS rebuilds its typed-array views after it.

import { arenaAlloc, arenaReset, arenaUsed } from './arena';
import { checkNode as check, classCount, classOk, classRep, nClasses, prepareGroupify, rollUp as roll, tupleClass, useBase } from './groupify';
import { setModels as storeModels } from './models';
import { mondrianBounds, mondrianPrepare as prepareMondrian, mondrianRows, mondrianRun as runMondrian, mondrianStats } from './mondrian';
import { RESULTS } from './results';
import { nTuples, prepareTable, rowTuple, tupleWeight } from './table';
import { ERR_OUT_OF_MEMORY } from '../shared/status';

/** Forgets the previous job. */
export function reset(): void {
  arenaReset();
}

/** Pointer to `bytes` of job memory, or a negative status. */
export function alloc(bytes: u32): i32 {
  const ptr = arenaAlloc(<usize>bytes);
  return ptr == 0 ? ERR_OUT_OF_MEMORY : <i32>ptr;
}

/** Reads the table descriptor at `descPtr`; returns the number of distinct tuples or a negative status. */
export function prepare(descPtr: u32): i32 {
  const d = prepareTable(<usize>descPtr);
  if (d < 0) return d;
  const status = prepareGroupify();
  return status < 0 ? status : d;
}

/** Installs `count` privacy models (4 f64 words each) read from `ptr`. */
export function setModels(ptr: u32, count: i32): i32 {
  return storeModels(<usize>ptr, count);
}

/** Checks the transformation at `levelsPtr` (u32 per quasi-identifier): 1 anonymous, 0 not, or a negative status. */
export function checkNode(levelsPtr: u32, k: u32, maxSuppressed: f64, wantPenalty: i32): i32 {
  return check(<usize>levelsPtr, k, maxSuppressed, wantPenalty != 0);
}

/**
 * Rolls the table up to the transformation at `levelsPtr`: later checks between it and `upToPtr`
 * run over its classes (not built past `maxClasses`). Returns the number of classes, or a
 * negative status (refused with models).
 */
export function rollUp(levelsPtr: u32, upToPtr: u32, maxClasses: i32): i32 {
  return roll(<usize>levelsPtr, <usize>upToPtr, maxClasses);
}

/** Checks run over the distinct tuples again. */
export function clearRollUp(): void {
  useBase();
}

export function resultsPtr(): i32 {
  return <i32>RESULTS;
}

export function classCountValue(): i32 {
  return nClasses;
}

export function tupleCount(): i32 {
  return nTuples;
}

export function rowTuplePtr(): i32 {
  return <i32>rowTuple;
}

export function tupleWeightPtr(): i32 {
  return <i32>tupleWeight;
}

export function tupleClassPtr(): i32 {
  return <i32>tupleClass;
}

export function classOkPtr(): i32 {
  return <i32>classOk;
}

export function classCountsPtr(): i32 {
  return <i32>classCount;
}

export function classRepPtr(): i32 {
  return <i32>classRep;
}

/** Reads per quasi-identifier leaf ranks and categorical flags (`ptrs`: nQi rank pointers, then nQi flags). */
export function mondrianPrepare(ptrsPtr: u32, nQi: i32): i32 {
  return prepareMondrian(<usize>ptrsPtr, nQi);
}

/** Partitions the prepared table; returns the partition count or a negative status. */
export function mondrianRun(k: u32, relaxed: i32): i32 {
  return runMondrian(k, relaxed != 0);
}

/** u32[nTuples]: tuple ids, partition by partition. */
export function mondrianRowsPtr(): i32 {
  return <i32>mondrianRows();
}

/** u32[partitions + 1]: start of each partition in `mondrianRowsPtr`, then the end. */
export function mondrianBoundsPtr(): i32 {
  return <i32>mondrianBounds();
}

/** u32[partitions * nQi * 2]: per partition and attribute, min and max rank (ordered) or LCA level and a leaf (categorical). */
export function mondrianStatsPtr(): i32 {
  return <i32>mondrianStats();
}

/** Bytes of linear memory the current job uses. */
export function memoryUsed(): i32 {
  return <i32>arenaUsed();
}
