/**
 * The contract between the search algorithms and the two engines that run their hot loops: the
 * WASM engine (`wasm.ts`) and the pure-TypeScript reference (`reference.ts`). Both take the same
 * integer-encoded table and must return identical class statistics.
 */
import type { EncodedHierarchy } from './hierarchy.ts';

export const MODEL_DISTINCT = 1;
export const MODEL_ENTROPY = 2;
export const MODEL_RECURSIVE = 3;
export const MODEL_T_EQUAL = 4;
export const MODEL_T_ORDERED = 5;

/** A privacy model as the engines see it. */
export interface EngineModel {
  type: number;
  /** Index into `EngineInput.sensitive`. */
  sensitive: number;
  /** l, or t. */
  p1: number;
  /** c of recursive (c, l)-diversity. */
  p2: number;
}

/** An integer-encoded table. */
export interface EngineInput {
  rows: number;
  quasi: { hierarchy: EncodedHierarchy; rowLeaf: Uint32Array }[];
  /** Sensitive codes in each attribute's order (0 .. m-1). */
  sensitive: { codes: Uint32Array; m: number }[];
  models: EngineModel[];
}

/** Statistics of one transformation. */
export interface CheckResult {
  anonymous: boolean;
  suppressed: number;
  classes: number;
  okClasses: number;
  sumSq: number;
  sumSqOk: number;
  /** Smallest kept class, NaN when every row is suppressed. */
  minOkSize: number;
  /** Per model: what the kept classes achieve (see `ModelAchievement`). */
  achieved: number[];
  /** Per quasi-identifier Loss penalty of suppressed rows; only when anonymous and asked for. */
  penalty: Float64Array | null;
}

/** Full-domain generalization checks over one prepared table. */
export interface LatticeEngine {
  readonly name: 'wasm' | 'reference';
  /** Distinct tuples (quasi-identifiers and sensitive values) of the table. */
  readonly tuples: number;
  /**
   * Groups the rows under `levels`; kept classes have at least `k` rows and satisfy every model;
   * anonymous when at most `maxSuppressed` rows are suppressed.
   */
  check(levels: ArrayLike<number>, k: number, maxSuppressed: number, wantPenalty: boolean): CheckResult;
  /** After a check over the whole table (no roll-up): 1 for each row that is kept, 0 for each suppressed row. */
  rowsKept(): Uint8Array;
  /** After a check over the whole table: the equivalence class of each row. */
  rowClasses(): Uint32Array;
  /**
   * Optional: groups the table once under `levels`, so later checks between it and `upTo` run
   * over its classes (a check outside goes back to the whole table). With more than
   * `maxClasses` classes nothing changes. Returns the number of classes, or -1 when the engine
   * cannot (e.g. with privacy models).
   */
  rollUp?(levels: ArrayLike<number>, upTo: ArrayLike<number>, maxClasses: number): number;
  /** Optional: checks run over the whole table again. */
  clearRollUp?(): void;
}

/** Mondrian's partitions. */
export interface MondrianResult {
  partitions: number;
  /** Partition of each row (0 .. partitions-1). */
  partitionOfRow: Uint32Array;
  /** Per model: what the partitions achieve (see `ModelAchievement`). */
  achieved: number[];
  /** Rows in the smallest partition. */
  minSize: number;
  /**
   * Per partition and quasi-identifier, two words: the lowest and highest rank (ordered
   * attributes), or the lowest common ancestor's level and one leaf below it (categorical).
   */
  stats: Uint32Array;
}

/** Mondrian's median partitioning over one prepared table. */
export interface MondrianEngine {
  readonly name: 'wasm' | 'reference';
  /**
   * Splits the rows into partitions of at least `k` rows that satisfy every model: ordered
   * attributes near the weighted median (strict: only between different values), categorical
   * attributes between children of the partition's lowest common ancestor.
   */
  partition(k: number, relaxed: boolean): MondrianResult;
}

/** Input of a Mondrian run: per quasi-identifier, the rank of every leaf in split order. */
export interface MondrianInput extends EngineInput {
  /** `rank[a][leaf]`: position of the leaf in the attribute's order (ties share a rank). */
  rank: Uint32Array[];
  /** `categorical[a]`: split along the hierarchy's levels instead of at the median. */
  categorical: boolean[];
}
