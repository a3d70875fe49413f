/**
 * `anonymize(dataset, config)`: checks and encodes the input, runs the optimal lattice search or
 * Mondrian, and writes the output rows (identifiers removed, quasi-identifiers generalized,
 * suppressed rows masked or removed, rows shuffled) with a report of what was achieved.
 */
import type { LatticeEngine, MondrianEngine } from './engine.ts';
import { searchOptimal } from './lattice.ts';
import { createMetric, generalizationSums, type MetricContext } from './metrics.ts';
import { runMondrian } from './mondrian.ts';
import { createCryptoRandom, createSeededRandom, permutation } from './random.ts';
import { createReferenceLatticeEngine, createReferenceMondrianEngine } from './reference.ts';
import { engineInput, prepareTable, type PreparedTable } from './table.ts';
import type { AnonymizeConfig, AnonymizeReport, AnonymizeResult, Cell, DatasetInput, ModelAchievement } from './types.ts';
import { createWasmLatticeEngine, createWasmMondrianEngine } from './wasm.ts';
import { ValidationError } from '../shared/errors.ts';

const now = (): number => performance.now();

/**
 * Anonymizes `dataset` under `config`.
 *
 * @example
 * const { rows, report } = anonymize(csvText, {
 *   quasiIdentifiers: { age: { type: 'age' }, zip: { type: 'zip' } },
 *   identifiers: ['name'],
 *   k: 5,
 *   suppressionLimit: 0.05,
 * });
 * report.transformation; // e.g. [2, 3]
 */
export function anonymize(dataset: DatasetInput, config: AnonymizeConfig): AnonymizeResult {
  const t0 = now();
  const table = prepareTable(dataset, config);
  const algorithm = config.algorithm ?? 'optimal';
  if (algorithm !== 'optimal' && algorithm !== 'mondrian') throw new ValidationError('algorithm must be optimal or mondrian', 'algorithm');
  const engineName = config.engine ?? 'wasm';
  if (engineName !== 'wasm' && engineName !== 'reference') throw new ValidationError('engine must be wasm or reference', 'engine');
  const suppressedMode = config.suppressed ?? 'mask';
  if (suppressedMode !== 'mask' && suppressedMode !== 'remove') throw new ValidationError('suppressed must be mask or remove', 'suppressed');
  if (config.seed !== undefined && (typeof config.seed !== 'number' || !Number.isFinite(config.seed))) {
    throw new ValidationError('seed must be a number', 'seed');
  }
  if (algorithm === 'mondrian') {
    const mode = config.mondrian ?? 'strict';
    if (mode !== 'strict' && mode !== 'relaxed') throw new ValidationError('mondrian must be strict or relaxed', 'mondrian');
    const categories = config.categories ?? 'nodes';
    if (categories !== 'nodes' && categories !== 'sets') throw new ValidationError('categories must be nodes or sets', 'categories');
    const order = mondrianOrder(table, categories === 'sets');
    const input = { ...engineInput(table), ...order };
    const engine: MondrianEngine = engineName === 'wasm' ? createWasmMondrianEngine(input) : createReferenceMondrianEngine(input);
    return runMondrian(table, engine, mode === 'relaxed', { t0, seed: config.seed, suppressedMode, order });
  }

  const input = engineInput(table);
  const engine: LatticeEngine = engineName === 'wasm' ? createWasmLatticeEngine(input) : createReferenceLatticeEngine(input);
  const ctx = metricContext(table, engine.tuples);
  const metric = createMetric(table.metric, ctx);
  const t1 = now();
  const monotone = table.maxSuppressed === 0 || table.engineModels.every((m) => m.type === 1);
  const heights = table.quasi.map((q) => q.encoded.levels - 1);
  const cards = table.quasi.map((q) => q.encoded.card);
  const found = searchOptimal(engine, heights, metric, { k: table.k, maxSuppressed: table.maxSuppressed, monotone, cards });
  const t2 = now();

  const out = writeRows(table, config.seed, suppressedMode, {
    tables: table.quasi.map((q, a) => q.bound.hierarchy.labels[found.levels[a]]),
    keys: table.quasi.map((q) => q.bound.rowLeaf),
    kept: engine.rowsKept(),
    classes: engine.rowClasses(),
  });
  const r = found.result;
  const stats = { suppressed: r.suppressed, okClasses: r.okClasses, sumSqOk: r.sumSqOk, penalty: r.penalty };
  const t3 = now();
  const report: AnonymizeReport = {
    algorithm: 'optimal',
    transformation: found.levels,
    quasiIdentifiers: table.quasi.map((q) => q.column),
    metric: table.metric,
    score: found.score,
    metrics: {
      loss: createMetric('loss', ctx).score(found.levels, stats),
      discernibility: createMetric('discernibility', ctx).score(found.levels, stats),
      precision: createMetric('precision', ctx).score(found.levels, stats),
      aecs: createMetric('aecs', ctx).score(found.levels, stats),
      gcp: null,
    },
    suppressed: r.suppressed,
    classes: r.okClasses,
    rows: { input: table.rows.length, output: out.rows.length },
    achieved: { k: Number.isNaN(r.minOkSize) ? null : r.minOkSize, models: achievements(table, r.achieved) },
    search: { latticeSize: found.latticeSize, checked: found.checked },
    timings: { encodeMs: t1 - t0, searchMs: t2 - t1, outputMs: t3 - t2, totalMs: t3 - t0 },
    engine: engine.name,
  };
  return { columns: out.columns, rows: out.rows, report };
}

/** The data-dependent constants of the metrics. */
export function metricContext(table: PreparedTable, distinctTuples: number): MetricContext {
  return {
    rows: table.rows.length,
    domainSizes: table.quasi.map((q) => q.encoded.leafCount),
    heights: table.quasi.map((q) => q.encoded.levels - 1),
    genSums: table.quasi.map((q) => generalizationSums(q.bound.rowLeaf, q.encoded.levels, q.encoded.leafCount, q.encoded.cover)),
    distinctTuples,
    cards: table.quasi.map((q) => Array.from(q.encoded.card)),
  };
}

export function achievements(table: PreparedTable, achieved: number[]): ModelAchievement[] {
  return table.models.map((m, j) => ({
    type: m.type,
    variant: m.type === 'l-diversity' ? m.variant : m.distance,
    attribute: m.attribute,
    required: m.type === 'l-diversity' ? (m.variant === 'recursive' ? m.c : m.l) : m.t,
    achieved: Number.isFinite(achieved[j]) ? achieved[j] : null,
  }));
}

function cellText(v: Cell): string {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
}

const EMPTY: string[] = [];
const NO_KEYS = new Uint32Array(0);

/**
 * How the output writes quasi-identifiers: the label of attribute `a` for row `r` is
 * `tables[a][keys[a][r]]`; rows with `kept[r] === 0` are suppressed.
 */
export interface OutputLabels {
  tables: string[][];
  keys: Uint32Array[];
  kept: Uint8Array | null;
  /** The class of each row: rows of one class share one (frozen) output row when nothing else varies. */
  classes: Uint32Array | null;
}

/**
 * The output table: identifiers dropped, quasi-identifiers generalized (`*` for a suppressed
 * row, or the row left out), other columns as they are, rows in shuffled order. When every kept
 * column is a quasi-identifier, rows of one class are one frozen array (rows are read-only).
 */
export function writeRows(
  table: PreparedTable,
  seed: number | undefined,
  suppressedMode: 'mask' | 'remove',
  labels: OutputLabels,
): { columns: string[]; rows: string[][] } {
  const dropped = new Set(table.identifiers);
  const keptColumns = table.columns.map((_, i) => i).filter((i) => !dropped.has(i));
  const slot = new Int32Array(table.columns.length).fill(-1);
  table.quasi.forEach((q, a) => (slot[q.index] = a));
  const width = keptColumns.length;
  // Per output column: its quasi-identifier's label table and keys, or its source column.
  const tables = keptColumns.map((c) => (slot[c] >= 0 ? labels.tables[slot[c]] : EMPTY));
  const keys = keptColumns.map((c) => (slot[c] >= 0 ? labels.keys[slot[c]] : NO_KEYS));
  const passthrough = keptColumns.some((c) => slot[c] < 0);
  const { kept } = labels;
  const n = table.rows.length;
  const order = permutation(n, seed === undefined ? createCryptoRandom() : createSeededRandom(seed));
  const rows: string[][] = [];
  // Without pass-through columns a row is its class's labels: one frozen array per class.
  const shared = !passthrough && labels.classes !== null ? new Map<number, string[]>() : null;
  let starRow: string[] | null = null;
  for (let i = 0; i < n; i++) {
    const r = order[i];
    const suppressed = kept !== null && kept[r] === 0;
    if (suppressed && suppressedMode === 'remove') continue;
    if (shared !== null) {
      let row: string[] | null | undefined = suppressed ? starRow : shared.get((labels.classes as Uint32Array)[r]);
      if (!row) {
        row = Object.freeze(suppressed ? new Array<string>(width).fill('*') : keys.map((k, j) => tables[j][k[r]])) as string[];
        if (suppressed) starRow = row;
        else shared.set((labels.classes as Uint32Array)[r], row);
      }
      rows.push(row);
      continue;
    }
    const out = new Array<string>(width);
    if (suppressed) {
      for (let j = 0; j < width; j++) out[j] = '*';
    } else {
      for (let j = 0; j < width; j++) out[j] = tables[j][keys[j][r]];
    }
    if (passthrough) {
      const source = table.rows[r];
      for (let j = 0; j < width; j++) {
        if (tables[j] !== EMPTY) continue;
        const v = source[keptColumns[j]];
        out[j] = typeof v === 'string' ? v : cellText(v);
      }
    }
    rows.push(out);
  }
  return { columns: keptColumns.map((i) => table.columns[i]), rows };
}

/**
 * Mondrian's split order per quasi-identifier: numbers and dates by value, categories by their
 * hierarchy's leaf order; `categorical[a]` says whether attribute a splits between hierarchy
 * nodes (false for categories released as sets).
 */
export function mondrianOrder(table: PreparedTable, sets = false): { rank: Uint32Array[]; categorical: boolean[] } {
  const rank: Uint32Array[] = [];
  const categorical: boolean[] = [];
  for (const q of table.quasi) {
    const h = q.bound.hierarchy;
    const leaves = h.leaves.map((_, i) => i);
    if (h.kind === 'numeric' && h.numeric) {
      const num = h.numeric;
      leaves.sort((a, b) => num[a] - num[b]);
    } else if (h.kind === 'date') {
      leaves.sort((a, b) => (h.leaves[a] < h.leaves[b] ? -1 : h.leaves[a] > h.leaves[b] ? 1 : 0));
    } else {
      // Depth-first order of the tree: compare label paths from the top level down.
      const top = h.labels.length - 1;
      leaves.sort((a, b) => {
        for (let l = top; l >= 0; l--) {
          const x = h.labels[l][a];
          const y = h.labels[l][b];
          if (x !== y) return x < y ? -1 : 1;
        }
        return 0;
      });
    }
    const r = new Uint32Array(h.leaves.length);
    leaves.forEach((leaf, i) => (r[leaf] = i));
    rank.push(r);
    categorical.push(h.kind === 'categorical' && !sets);
  }
  return { rank, categorical };
}
