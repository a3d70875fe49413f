/**
 * Utility metrics of a full-domain transformation, defined as ARX defines them (gs-factor 0.5,
 * equal attribute weights), each with a lower bound that needs no data pass:
 * - Loss: per attribute, the mean domain share of the generalized values (a suppressed row counts
 *   as fully generalized), normalized to [0, 1] against the ungeneralized table and cut to 10
 *   decimals; aggregated by ARX's geometric mean (prod(v + 1)^(1/d) - 1).
 * - Precision: per attribute, level / height for kept rows and 1 for suppressed rows; mean.
 * - Discernibility: sum of squared sizes of kept classes plus n per suppressed row.
 * - AECS: n / (kept classes, plus one when any row is suppressed).
 */
import type { MetricName } from './types.ts';

/** What a metric needs to know about the table. */
export interface MetricContext {
  rows: number;
  /** Leaves (hierarchy rows) per quasi-identifier: ARX's domain size. */
  domainSizes: number[];
  /** Highest level per quasi-identifier. */
  heights: number[];
  /** `genSums[a][level]`: sum over rows of the leaves their generalized value covers. */
  genSums: number[][];
  /** Largest number of classes a transformation can have at each node (bounded by distinct tuples). */
  distinctTuples: number;
  /** `cards[a][level]`: distinct labels per level. */
  cards: number[][];
}

/** Class statistics of one checked transformation. */
export interface ClassStats {
  suppressed: number;
  okClasses: number;
  sumSqOk: number;
  /** Per quasi-identifier Loss penalty of suppressed rows (`null` when none were suppressed). */
  penalty: ArrayLike<number> | null;
}

export interface Metric {
  name: MetricName;
  /** A value the metric cannot go below at `levels`, whatever is suppressed. */
  lowerBound(levels: ArrayLike<number>): number;
  score(levels: ArrayLike<number>, stats: ClassStats): number;
  /** True when the score equals the lower bound whenever nothing is suppressed. */
  exactWithoutSuppression: boolean;
  /** True when the score needs the per-attribute penalty of suppressed rows. */
  needsPenalty: boolean;
}

const FACTOR = 1e10;

function lossOf(ctx: MetricContext, levels: ArrayLike<number>, penalty: ArrayLike<number> | null): number {
  const numerators = new Array<number>(levels.length);
  for (let a = 0; a < levels.length; a++) numerators[a] = ctx.genSums[a][levels[a]] + (penalty ? penalty[a] : 0);
  return aggregateLoss(ctx.rows, ctx.domainSizes, numerators);
}

/**
 * ARX's Loss from per-attribute numerators (sum over rows of the leaves each output value
 * covers; a suppressed row covers all of them): normalize, cut to 10 decimals, geometric mean.
 */
export function aggregateLoss(n: number, domainSizes: number[], numerators: number[]): number {
  const d = numerators.length;
  let result = 1;
  for (let a = 0; a < d; a++) {
    const size = domainSizes[a];
    const min = n / size;
    let v = n === min ? 0 : (numerators[a] / size - min) / (n - min);
    v = v >= 0 ? v : 0;
    v = Math.floor(v * FACTOR) / FACTOR;
    result *= Math.pow(v + 1, 1 / d);
  }
  return result - 1;
}

function precisionOf(ctx: MetricContext, levels: ArrayLike<number>, suppressed: number): number {
  const d = levels.length;
  const n = ctx.rows;
  let result = 0;
  for (let a = 0; a < d; a++) {
    const h = ctx.heights[a];
    const value = h === 0 ? 0 : levels[a] / h;
    result += (((n - suppressed) * value + suppressed) / n) / d;
  }
  return result;
}

/** Most classes `levels` can produce: distinct tuples, and the product of label counts. */
function maxClasses(ctx: MetricContext, levels: ArrayLike<number>): number {
  let product = 1;
  for (let a = 0; a < levels.length && product < ctx.distinctTuples; a++) product *= ctx.cards[a][levels[a]];
  return Math.min(product, ctx.distinctTuples);
}

/**
 * The metric called `name` over `ctx`.
 *
 * @example
 * const m = createMetric('loss', ctx);
 * m.score([0, 4, 1], { suppressed: 0, okClasses: 24, sumSqOk: 0, penalty: null });
 */
export function createMetric(name: MetricName, ctx: MetricContext): Metric {
  const n = ctx.rows;
  switch (name) {
    case 'loss': {
      // Per-attribute factors of the geometric mean without suppression: the bound is their
      // product, taken in the same order as `aggregateLoss` takes it (so it is bit-identical).
      const d = ctx.heights.length;
      const factors = ctx.genSums.map((sums, a) => sums.map((numerator) => {
        const size = ctx.domainSizes[a];
        const min = n / size;
        let v = n === min ? 0 : (numerator / size - min) / (n - min);
        v = v >= 0 ? v : 0;
        v = Math.floor(v * FACTOR) / FACTOR;
        return Math.pow(v + 1, 1 / d);
      }));
      return {
        name,
        lowerBound: (levels) => {
          let result = 1;
          for (let a = 0; a < d; a++) result *= factors[a][levels[a]];
          return result - 1;
        },
        score: (levels, s) => lossOf(ctx, levels, s.suppressed > 0 ? s.penalty : null),
        exactWithoutSuppression: true,
        needsPenalty: true,
      };
    }
    case 'precision':
      return {
        name,
        lowerBound: (levels) => precisionOf(ctx, levels, 0),
        score: (levels, s) => precisionOf(ctx, levels, s.suppressed),
        exactWithoutSuppression: true,
        needsPenalty: false,
      };
    case 'discernibility':
      return {
        name,
        // Sum of squares over c classes is at least n^2 / c.
        lowerBound: (levels) => (n * n) / maxClasses(ctx, levels),
        score: (_levels, s) => s.sumSqOk + s.suppressed * n,
        exactWithoutSuppression: false,
        needsPenalty: false,
      };
    case 'aecs':
      return {
        name,
        lowerBound: (levels) => n / maxClasses(ctx, levels),
        score: (_levels, s) => n / (s.okClasses + (s.suppressed > 0 ? 1 : 0)),
        exactWithoutSuppression: false,
        needsPenalty: false,
      };
  }
}

/** Sums over rows of the leaves covered at each level: the data-dependent part of the Loss metric. */
export function generalizationSums(rowLeaf: Uint32Array, levels: number, leafCount: number, cover: Uint32Array): number[] {
  const histogram = new Float64Array(leafCount);
  for (let r = 0; r < rowLeaf.length; r++) histogram[rowLeaf[r]]++;
  const sums: number[] = [];
  for (let l = 0; l < levels; l++) {
    let s = 0;
    for (let v = 0; v < leafCount; v++) if (histogram[v] > 0) s += histogram[v] * cover[l * leafCount + v];
    sums.push(s);
  }
  return sums;
}
