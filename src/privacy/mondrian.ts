/**
 * Mondrian multidimensional local recoding: the engine partitions the rows; this writes each
 * partition's generalized values (ranges `lo-hi` for numbers, `from/to` for dates, the lowest
 * common ancestor in the hierarchy for categories, or with `categories: 'sets'` the set `{a|b}`
 * of leaves in the partition's range of the hierarchy's leaf order) and measures the result with
 * GCP (Ghinita et al.'s global certainty penalty: a category covering c of |A| leaves costs
 * c/|A|, a single value 0) and ARX's Loss.
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
  /** The split order the engine used (`categorical[a]` false: attribute a split by rank). */
  order: { rank: Uint32Array[]; categorical: boolean[] };
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
  const stats = result.stats;
  const sizes = new Float64Array(parts);
  for (let r = 0; r < n; r++) sizes[partOf[r]]++;
  const { rank, categorical } = options.order;

  // Per partition and attribute: the generalized label, its NCP and the leaves it covers.
  const labels: string[][] = [];
  const ncpSum = new Float64Array(parts);
  const numerators = new Array<number>(d).fill(0);
  for (let a = 0; a < d; a++) {
    const q = table.quasi[a];
    const h = q.bound.hierarchy;
    const leafCount = h.leaves.length;
    const out = new Array<string>(parts);
    if (h.kind === 'categorical' && !categorical[a]) {
      // Released as the set of leaves in the partition's range of the hierarchy's leaf order.
      const leafOfRank = new Uint32Array(leafCount);
      rank[a].forEach((r, leaf) => (leafOfRank[r] = leaf));
      for (let p = 0; p < parts; p++) {
        const loRank = stats[(p * d + a) * 2];
        const hiRank = stats[(p * d + a) * 2 + 1];
        const members: string[] = [];
        for (let r = loRank; r <= hiRank; r++) members.push(h.leaves[leafOfRank[r]]);
        const covered = hiRank - loRank + 1;
        out[p] = covered === 1 ? members[0] : `{${members.join('|')}}`;
        ncpSum[p] += covered > 1 ? covered / leafCount : 0;
        numerators[a] += sizes[p] * covered;
      }
    } else if (h.kind === 'categorical') {
      const { cover } = q.encoded;
      for (let p = 0; p < parts; p++) {
        const level = stats[(p * d + a) * 2];
        const leaf = stats[(p * d + a) * 2 + 1];
        const covered = cover[level * leafCount + leaf];
        out[p] = h.labels[level][leaf];
        ncpSum[p] += covered > 1 ? covered / leafCount : 0;
        numerators[a] += sizes[p] * covered;
      }
    } else {
      const leafOfRank = new Uint32Array(leafCount);
      rank[a].forEach((r, leaf) => (leafOfRank[r] = leaf));
      const value = h.kind === 'date'
        ? Float64Array.from(h.leaves, (s) => Date.parse(`${s}T00:00:00Z`) / DAY_MS)
        : (h.numeric as Float64Array);
      let dataLo = Infinity;
      let dataHi = -Infinity;
      for (let p = 0; p < parts; p++) {
        dataLo = Math.min(dataLo, value[leafOfRank[stats[(p * d + a) * 2]]]);
        dataHi = Math.max(dataHi, value[leafOfRank[stats[(p * d + a) * 2 + 1]]]);
      }
      for (let p = 0; p < parts; p++) {
        const loRank = stats[(p * d + a) * 2];
        const hiRank = stats[(p * d + a) * 2 + 1];
        const loLeaf = leafOfRank[loRank];
        const hiLeaf = leafOfRank[hiRank];
        const lo = value[loLeaf];
        const hi = value[hiLeaf];
        if (loRank === hiRank) out[p] = h.leaves[loLeaf];
        else if (h.kind === 'date') out[p] = `${h.leaves[loLeaf]}/${h.leaves[hiLeaf]}`;
        else if (h.leaves[hiLeaf].endsWith('+')) out[p] = `${formatNumber(lo)}+`;
        else out[p] = `${formatNumber(lo)}-${formatNumber(hi)}`;
        ncpSum[p] += dataHi > dataLo ? (hi - lo) / (dataHi - dataLo) : 0;
        // Ranks are dense over the hierarchy's leaves: the range covers hiRank - loRank + 1 of them.
        numerators[a] += sizes[p] * (hiRank - loRank + 1);
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
  const rowsOut = writeRows(table, options.seed, options.suppressedMode, { tables: labels, keys: labels.map(() => partOf), kept: null, classes: partOf });
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
