/**
 * Public types of the privacy engine: datasets, hierarchies, privacy models and the
 * configuration and report of `anonymize`.
 */

/** One cell: text or a number; `null`/`undefined`/`''` are missing values. */
export type Cell = string | number | null | undefined;

/** A table with a header. */
export interface Dataset {
  columns: string[];
  rows: Cell[][];
}

/** One row as a JSON record (every record has the same keys). */
export type DatasetRecord = Record<string, Cell>;

/** What the engine reads: a table, JSON records, or CSV text with a header line. */
export type DatasetInput = Dataset | DatasetRecord[] | string;

/** Levels of a date hierarchy, from finest to coarsest (the top `*` is added). */
export type DateLevel = 'month' | 'year' | 'decade';

/** A categorical tree: each key is a node; a leaf list or a subtree below it. */
export interface TreeSpec {
  [label: string]: TreeSpec | string[];
}

/**
 * How a quasi-identifier generalizes. An ARX-style table (one row per leaf value, one column per
 * level, the last usually `*`) as rows or as CSV text, or a built-in.
 */
export type HierarchySpec =
  | string
  | string[][]
  | { type: 'table'; rows: string[][] }
  /** Numbers in [min, max] binned by nested widths (each a multiple of the previous). */
  | { type: 'interval'; min: number; max: number; widths: number[] }
  /**
   * Whole years in [0, 120], binned by `widths` (default 5, 10, 20). With `topCode` (automatic
   * at 90 when values like `90+` are present, as Safe Harbor writes them) older ages are one leaf.
   */
  | { type: 'age'; widths?: number[]; topCode?: number }
  /** ISO dates `YYYY-MM-DD`, generalized to month, year, decade (configurable). */
  | { type: 'date'; levels?: DateLevel[] }
  /** US ZIP codes (5 digits, optionally +4, or Safe Harbor's 3), masked one trailing digit per level. */
  | { type: 'zip' }
  /** A categorical tree, e.g. `{'*': {Europe: ['France', 'Italy'], Asia: ['India']}}`. */
  | { type: 'tree'; tree: TreeSpec }
  /** The value or `*`. */
  | { type: 'suppress' };

/** A privacy model on a sensitive attribute, in addition to k-anonymity. */
export type PrivacyModel =
  | { type: 'l-diversity'; variant: 'distinct' | 'entropy'; l: number; attribute: string }
  | { type: 'l-diversity'; variant: 'recursive'; l: number; c: number; attribute: string }
  | { type: 't-closeness'; t: number; distance: 'equal' | 'ordered'; attribute: string };

export type MetricName = 'loss' | 'discernibility' | 'precision' | 'aecs';

export interface AnonymizeConfig {
  /** Quasi-identifier column -> its hierarchy, in the order of `report.transformation`. */
  quasiIdentifiers: Record<string, HierarchySpec>;
  /** Direct identifiers: removed from the output. */
  identifiers?: string[];
  /** Sensitive columns: kept as they are; the models refer to them. */
  sensitive?: string[];
  /** Columns kept as they are. Columns in no list are kept too. */
  insensitive?: string[];
  /** Every kept equivalence class has at least k rows (default 1). */
  k?: number;
  /** Share of rows [0, 1] that may be suppressed (default 0). */
  suppressionLimit?: number;
  /** Utility metric the optimal search minimizes (default `'loss'`). */
  metric?: MetricName;
  models?: PrivacyModel[];
  algorithm?: 'optimal' | 'mondrian';
  /** Mondrian's partitioning: `'strict'` (default) or `'relaxed'`. */
  mondrian?: 'strict' | 'relaxed';
  /**
   * Mondrian's categorical attributes: `'nodes'` (default) release the partition's lowest common
   * ancestor in the hierarchy; `'sets'` split along the hierarchy's leaf order like numbers and
   * release the leaves of the partition's range as `{a|b|c}` (less loss, not a hierarchy label).
   */
  categories?: 'nodes' | 'sets';
  /**
   * Output row order: with a seed the rows are shuffled deterministically, without one they are
   * shuffled with crypto-grade randomness, so the order never reveals the input order.
   */
  seed?: number;
  /** Suppressed rows: `'mask'` (quasi-identifiers become `*`, as ARX does; default) or `'remove'`. */
  suppressed?: 'mask' | 'remove';
  /** `'wasm'` (default) or the pure-TypeScript `'reference'` engine. */
  engine?: 'wasm' | 'reference';
}

/** What one privacy model achieves over the kept classes. */
export interface ModelAchievement {
  type: PrivacyModel['type'];
  variant?: string;
  attribute: string;
  /** Required threshold (l, or t, or c for recursive). */
  required: number;
  /** Smallest l (distinct count or exp(entropy)), largest c-ratio r1/(r_l+..+r_m), or largest distance. */
  achieved: number | null;
}

export interface AnonymizeReport {
  algorithm: 'optimal' | 'mondrian';
  /** Generalization level per quasi-identifier (optimal search), in `quasiIdentifiers` order. */
  transformation: number[] | null;
  quasiIdentifiers: string[];
  metric: MetricName;
  /** The metric's value for the chosen transformation (lower is better). */
  score: number;
  /** Loss, discernibility, precision and average class size of the output. */
  metrics: { loss: number | null; discernibility: number; precision: number | null; aecs: number; gcp: number | null };
  suppressed: number;
  /** Equivalence classes among the kept rows. */
  classes: number;
  rows: { input: number; output: number };
  achieved: { k: number | null; models: ModelAchievement[] };
  search: { latticeSize: number; checked: number } | null;
  timings: { encodeMs: number; searchMs: number; outputMs: number; totalMs: number };
  engine: 'wasm' | 'reference';
}

export interface AnonymizeResult {
  columns: string[];
  rows: string[][];
  report: AnonymizeReport;
}
