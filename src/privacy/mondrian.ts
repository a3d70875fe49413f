/**
 * Mondrian multidimensional local recoding: the engine partitions the rows; this writes each
 * partition's generalized values (ranges `lo-hi` for numbers, `from/to` for dates, the lowest
 * common ancestor in the hierarchy for categories) and measures the result with GCP (Ghinita et
 * al.'s global certainty penalty) and ARX's Loss.
 */
import { achievements, writeRows } from './anonymize.ts';
import type { MondrianEngine } from './engine.ts';
import { aggregateLoss } from './metrics.ts';
import type { PreparedTable } from './table.ts';
import type { AnonymizeReport, AnonymizeResult } from './types.ts';

const DAY_MS = 86_400_000;

interface RunOptions {
  t0: number;
  seed: number | undefined;
  suppressedMode: 'mask' | 'remove';
}

/** A number written without float noise (ranges of whole numbers stay whole). */
function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(12)));
}

/**
 * Runs Mondrian with `engine` over `table` and writes the output.
 *
 * @example
 * runMondrian(table, createWasmMondrianEngine(input), false, { t0, seed: 1, suppressedMode: 'mask' });
 */
export function runMondrian(table: PreparedTable, engine: MondrianEngine, relaxed: boolean, options: RunOptions): AnonymizeResult {
  const t1 = performance.now();
  const result = engine.partition(table.k, relaxed);
  const t2 = performance.now();
  const n = table.rows.length;
  const parts = result.partitions;
  const d = table.quasi.length;
  const partOf = result.partitionOfRow;
  const sizes = new Float64Array(parts);
  for (let r = 0; r < n; r++) sizes[partOf[r]]++;

  // Per partition and attribute: the generalized label, its NCP and the leaves it covers.
  const labels: string[][] = [];
  const ncpSum = new Float64Array(parts);
  const numerators = new Array<number>(d).fill(0);
  for (let a = 0; a < d; a++) {
    const q = table.quasi[a];
    const h = q.bound.hierarchy;
    const leafOf = q.bound.rowLeaf;
    const leafCount = h.leaves.length;
    const out = new Array<string>(parts);
    if (h.kind === 'categorical') {
      const { gen, cover, levels } = q.encoded;
      const first = new Int32Array(parts).fill(-1);
      const lca = new Int32Array(parts);
      for (let r = 0; r < n; r++) {
        const p = partOf[r];
        const leaf = leafOf[r];
        if (first[p] < 0) first[p] = leaf;
        while (lca[p] < levels - 1 && gen[lca[p] * leafCount + leaf] !== gen[lca[p] * leafCount + first[p]]) lca[p]++;
      }
      for (let p = 0; p < parts; p++) {
        const covered = cover[lca[p] * leafCount + first[p]];
        out[p] = h.labels[lca[p]][first[p]];
        ncpSum[p] += covered > 1 ? covered / leafCount : 0;
        numerators[a] += sizes[p] * covered;
      }
    } else {
      const value = h.kind === 'date'
        ? Float64Array.from(h.leaves, (s) => Date.parse(`${s}T00:00:00Z`) / DAY_MS)
        : (h.numeric as Float64Array);
      const lo = new Float64Array(parts).fill(Infinity);
      const hi = new Float64Array(parts).fill(-Infinity);
      const loLeaf = new Int32Array(parts);
      const hiLeaf = new Int32Array(parts);
      let dataLo = Infinity;
      let dataHi = -Infinity;
      for (let r = 0; r < n; r++) {
        const p = partOf[r];
        const x = value[leafOf[r]];
        if (x < lo[p]) {
          lo[p] = x;
          loLeaf[p] = leafOf[r];
        }
        if (x > hi[p]) {
          hi[p] = x;
          hiLeaf[p] = leafOf[r];
        }
        dataLo = Math.min(dataLo, x);
        dataHi = Math.max(dataHi, x);
      }
      const sorted = Float64Array.from(value).sort();
      const below = (x: number, inclusive: boolean): number => {
        let l = 0;
        let u = sorted.length;
        while (l < u) {
          const m = (l + u) >> 1;
          if (sorted[m] < x || (inclusive && sorted[m] === x)) l = m + 1;
          else u = m;
        }
        return l;
      };
      for (let p = 0; p < parts; p++) {
        if (lo[p] === hi[p]) out[p] = h.leaves[loLeaf[p]];
        else if (h.kind === 'date') out[p] = `${h.leaves[loLeaf[p]]}/${h.leaves[hiLeaf[p]]}`;
        else if (h.leaves[hiLeaf[p]].endsWith('+')) out[p] = `${formatNumber(lo[p])}+`;
        else out[p] = `${formatNumber(lo[p])}-${formatNumber(hi[p])}`;
        ncpSum[p] += dataHi > dataLo ? (hi[p] - lo[p]) / (dataHi - dataLo) : 0;
        numerators[a] += sizes[p] * (below(hi[p], true) - below(lo[p], false));
      }
    }
    labels.push(out);
  }
  let gcp = 0;
  let sumSq = 0;
  for (let p = 0; p < parts; p++) {
    gcp += sizes[p] * ncpSum[p];
    sumSq += sizes[p] * sizes[p];
  }
  gcp /= d * n;
  const rowsOut = writeRows(table, options.seed, options.suppressedMode, (r) => {
    const p = partOf[r];
    return labels.map((l) => l[p]);
  });
  const t3 = performance.now();
  const report: AnonymizeReport = {
    algorithm: 'mondrian',
    transformation: null,
    quasiIdentifiers: table.quasi.map((q) => q.column),
    metric: table.metric,
    score: gcp,
    metrics: {
      loss: aggregateLoss(n, table.quasi.map((q) => q.encoded.leafCount), numerators),
      discernibility: sumSq,
      precision: null,
      aecs: n / parts,
      gcp,
    },
    suppressed: 0,
    classes: parts,
    rows: { input: n, output: rowsOut.rows.length },
    achieved: { k: result.minSize, models: achievements(table, result.achieved) },
    search: null,
    timings: { encodeMs: t1 - options.t0, searchMs: t2 - t1, outputMs: t3 - t2, totalMs: t3 - options.t0 },
    engine: engine.name,
  };
  return { columns: rowsOut.columns, rows: rowsOut.rows, report };
}
