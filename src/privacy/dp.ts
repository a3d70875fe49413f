/**
 * Differential privacy for aggregates: noisy count, sum, mean and histogram under add/remove-one
 * neighbouring, with the Laplace or the Gaussian mechanism, randomness from Web Crypto, and a
 * per-study budget charged before any noise is drawn.
 *
 * Floating point: a textbook Laplace sampler leaks through the gaps of floating-point numbers
 * (Mironov, CCS 2012). Laplace here is Mironov's snapping mechanism, in units of the query's
 * sensitivity: the value is clamped to [-B, B], noise `lambda * ln(U)` is added with U drawn over
 * every double in (0, 1] and a random sign, the result is rounded to a multiple of Lambda (the
 * power of two at or above lambda) and clamped again. That is (1 + 2^-49 B) / lambda-DP, so
 * lambda is set to (1 + 2^-49 B) / epsilon — a hair more noise than 1 / epsilon — and the budget
 * is charged exactly epsilon. B = 2^30 Lambda sensitivities. Gaussian noise is calibrated with the analytic Gaussian mechanism (Balle and
 * Wang, ICML 2018), valid for every epsilon, and drawn by Box-Muller from 53-bit uniforms; its
 * floating-point exposure is not closed (a discrete Gaussian would be): prefer Laplace where it fits.
 */
import { ValidationError } from '../shared/errors.ts';
import type { BudgetStatus, PrivacyBudget } from './budget.ts';
import { createCryptoRandom, uniform53, type RandomSource } from './random.ts';

export type Mechanism = 'laplace' | 'gaussian';

export interface DpOptions {
  epsilon: number;
  /** Required (> 0) for the Gaussian mechanism; must be 0 or absent for Laplace. */
  delta?: number;
  mechanism?: Mechanism;
  /** Charged before the noise is drawn; a refused charge releases nothing. */
  budget?: PrivacyBudget;
  study?: string;
  /** Tests only: a different source of uniform words. Defaults to Web Crypto. */
  random?: RandomSource;
}

export interface BoundedOptions extends DpOptions {
  /** Every value is clamped to [lower, upper]. */
  lower: number;
  upper: number;
}

export interface NoisyRelease<T> {
  value: T;
  mechanism: Mechanism;
  /** Privacy spent. */
  epsilon: number;
  delta: number;
  sensitivity: number;
  /** Laplace scale or Gaussian standard deviation, per noised value. */
  scale: number;
  budget: BudgetStatus | null;
}

/** Largest epsilon accepted for one release. */
export const MAX_EPSILON = 100;
/** Snapping clamp in grid steps: B = 2^30 Lambda (counts up to about 10^9 pass unclamped). */
const SNAP_RANGE = 2 ** 30;

function checkParams(o: DpOptions): { epsilon: number; delta: number; mechanism: Mechanism } {
  const mechanism = o.mechanism ?? 'laplace';
  if (mechanism !== 'laplace' && mechanism !== 'gaussian') throw new ValidationError('mechanism must be laplace or gaussian', 'mechanism');
  const { epsilon } = o;
  if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) throw new ValidationError('epsilon must be a number > 0', 'epsilon');
  if (epsilon > MAX_EPSILON) throw new ValidationError(`epsilon must be at most ${MAX_EPSILON}`, 'epsilon');
  const delta = o.delta ?? 0;
  if (typeof delta !== 'number' || !(delta >= 0 && delta < 1)) throw new ValidationError('delta must be a number in [0, 1)', 'delta');
  if (mechanism === 'gaussian' && delta === 0) throw new ValidationError('the Gaussian mechanism needs delta > 0', 'delta');
  if (mechanism === 'laplace' && delta !== 0) throw new ValidationError('the Laplace mechanism takes no delta', 'delta');
  if (o.budget && (typeof o.study !== 'string' || o.study === '')) throw new ValidationError('a budget needs a study', 'study');
  return { epsilon, delta, mechanism };
}

function checkBounds(o: BoundedOptions): void {
  if (typeof o.lower !== 'number' || typeof o.upper !== 'number' || !Number.isFinite(o.lower) || !Number.isFinite(o.upper) || !(o.lower < o.upper)) {
    throw new ValidationError('lower and upper must be finite numbers with lower < upper', 'lower');
  }
}

function checkValues(values: unknown): number[] {
  if (!Array.isArray(values)) throw new ValidationError('values must be a list of numbers', 'values');
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`values[${i}] must be a finite number`, `values[${i}]`);
  });
  return values as number[];
}

/** A uniform double in (0, 1] drawn over every representable value (geometric exponent, 52-bit mantissa). */
export function uniformFullPrecision(rng: RandomSource): number {
  let exponent = 1;
  for (;;) {
    const word = rng.nextU32();
    if (word !== 0) {
      exponent += Math.clz32(word);
      break;
    }
    exponent += 32;
    if (exponent > 1074) return Number.MIN_VALUE;
  }
  const hi = rng.nextU32() & 0xfffff;
  const lo = rng.nextU32();
  const mantissa = hi * 4294967296 + lo;
  // [1, 2) scaled to the binade [2^-exponent, 2^(1-exponent)); 1 itself when the binade is the top one and the mantissa is 0.
  const u = (1 + mantissa / 4503599627370496) * 2 ** -exponent;
  return u === 0 ? Number.MIN_VALUE : u;
}

/** A continuous Laplace(0, scale) draw (before snapping); exported for statistical tests. */
export function sampleLaplace(scale: number, rng: RandomSource): number {
  const sign = rng.nextU32() & 1 ? 1 : -1;
  return sign * scale * Math.log(uniformFullPrecision(rng));
}

/** A standard normal draw (Box-Muller over 53-bit uniforms in (0, 1]). */
export function sampleStandardNormal(rng: RandomSource): number {
  const u1 = 1 - uniform53(rng);
  const u2 = uniform53(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Snapping parameters for one unit of sensitivity at `epsilon`: scale, grid and clamp bound. */
export function snapping(epsilon: number): { lambda: number; grid: number; bound: number } {
  const grid = 2 ** Math.ceil(Math.log2((1 / epsilon) * (1 + 1e-6)));
  const bound = SNAP_RANGE * grid;
  return { lambda: (1 + 2 ** -49 * bound) / epsilon, grid, bound };
}

/**
 * Mironov's snapping mechanism around `value` (in sensitivity units) with the parameters of
 * `snapping(epsilon)`.
 */
export function snappedLaplace(value: number, epsilon: number, rng: RandomSource): number {
  const { lambda, grid, bound } = snapping(epsilon);
  const clamp = (x: number) => Math.min(bound, Math.max(-bound, x));
  const noisy = clamp(value) + sampleLaplace(lambda, rng);
  return clamp(Math.round(noisy / grid) * grid);
}

/** erfc with fractional error below 1.2e-7 (Chebyshev fit, Numerical Recipes' erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

const phi = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/**
 * Smallest sigma for which the Gaussian mechanism with L2 sensitivity `sensitivity` is
 * (epsilon, delta)-DP (analytic Gaussian mechanism, Balle and Wang 2018, Algorithm 1).
 */
export function gaussianSigma(epsilon: number, delta: number, sensitivity: number): number {
  // Aim slightly below delta to absorb the approximation error of erfc.
  const target = delta * (1 - 1e-5);
  const e = Math.exp(epsilon);
  const delta0 = phi(0) - e * phi(-Math.sqrt(2 * epsilon));
  let alpha: number;
  if (target >= delta0) {
    const b = (v: number) => phi(Math.sqrt(epsilon * v)) - e * phi(-Math.sqrt(epsilon * (v + 2)));
    let hi = 1;
    while (b(hi) <= target) hi *= 2;
    let lo = 0;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (b(mid) <= target) lo = mid;
      else hi = mid;
    }
    alpha = Math.sqrt(1 + lo / 2) - Math.sqrt(lo / 2);
  } else {
    const b = (u: number) => phi(-Math.sqrt(epsilon * u)) - e * phi(-Math.sqrt(epsilon * (u + 2)));
    let hi = 1;
    while (b(hi) > target) hi *= 2;
    let lo = 0;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (b(mid) > target) lo = mid;
      else hi = mid;
    }
    alpha = Math.sqrt(1 + hi / 2) + Math.sqrt(hi / 2);
  }
  return (alpha * sensitivity) / Math.sqrt(2 * epsilon);
}

interface Plan {
  mechanism: Mechanism;
  scale: number;
  epsilon: number;
  delta: number;
  sensitivity: number;
}

/** The noise scale and the privacy a release of one query at (epsilon, delta) spends. */
function plan(o: DpOptions, sensitivity: number, share = 1): Plan {
  const { epsilon: total, delta: totalDelta, mechanism } = checkParams(o);
  const epsilon = total * share;
  const delta = totalDelta * share;
  if (mechanism === 'laplace') {
    return { mechanism, scale: snapping(epsilon).lambda * sensitivity, epsilon, delta: 0, sensitivity };
  }
  return { mechanism, scale: gaussianSigma(epsilon, delta, sensitivity), epsilon, delta, sensitivity };
}

function noise(x: number, p: Plan, rng: RandomSource): number {
  if (p.mechanism === 'gaussian') return x + p.scale * sampleStandardNormal(rng);
  // Snapping works on the value in units of the sensitivity; the result is scaled back.
  return snappedLaplace(x / p.sensitivity, p.epsilon, rng) * p.sensitivity;
}

/** Charges the whole release once (a refusal spends nothing), then draws the noise. */
async function charged(o: DpOptions, plans: Plan[], query: string): Promise<{ rng: RandomSource; status: BudgetStatus | null; epsilon: number; delta: number }> {
  const epsilon = plans.reduce((sum, p) => sum + p.epsilon, 0);
  const delta = plans.reduce((sum, p) => sum + p.delta, 0);
  const status = o.budget ? await o.budget.charge(o.study as string, { epsilon, delta }, query, plans[0].mechanism) : null;
  return { rng: o.random ?? createCryptoRandom(), status, epsilon, delta };
}

async function release(exact: number[], sensitivity: number, o: DpOptions, query: string): Promise<NoisyRelease<number[]>> {
  const p = plan(o, sensitivity);
  const { rng, status, epsilon, delta } = await charged(o, [p], query);
  return { value: exact.map((x) => noise(x, p, rng)), mechanism: p.mechanism, epsilon, delta, sensitivity, scale: p.scale, budget: status };
}

function one(r: NoisyRelease<number[]>): NoisyRelease<number> {
  return { ...r, value: r.value[0] };
}

/**
 * A noisy count of `data` (a list, or its length).
 *
 * @example
 * const { value } = await noisyCount(rows, { epsilon: 0.5, budget, study: 'study-42' });
 */
export async function noisyCount(data: ArrayLike<unknown> | number, o: DpOptions): Promise<NoisyRelease<number>> {
  const n = typeof data === 'number' ? data : data?.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ValidationError('data must be a list or a count', 'values');
  return one(await release([n], 1, o, 'count'));
}

/**
 * A noisy sum of `values`, each clamped to [lower, upper].
 *
 * @example
 * await noisySum(ages, { epsilon: 1, lower: 0, upper: 120 });
 */
export async function noisySum(values: number[], o: BoundedOptions): Promise<NoisyRelease<number>> {
  checkParams(o);
  checkBounds(o);
  const xs = checkValues(values);
  let sum = 0;
  for (const x of xs) sum += Math.min(o.upper, Math.max(o.lower, x));
  return one(await release([sum], Math.max(Math.abs(o.lower), Math.abs(o.upper)), o, 'sum'));
}

/**
 * A noisy mean of `values` in [lower, upper]: half the budget on the sum, half on the count.
 *
 * @example
 * await noisyMean(ages, { epsilon: 1, lower: 0, upper: 120, budget, study });
 */
export async function noisyMean(values: number[], o: BoundedOptions): Promise<NoisyRelease<number>> {
  checkParams(o);
  checkBounds(o);
  const xs = checkValues(values);
  // Values shifted to [0, upper - lower], so the count's noise does not bias the sum's offset.
  let sum = 0;
  for (const x of xs) sum += Math.min(o.upper, Math.max(o.lower, x)) - o.lower;
  const width = o.upper - o.lower;
  const sumPlan = plan(o, width, 0.5);
  const countPlan = plan(o, 1, 0.5);
  const { rng, status, epsilon, delta } = await charged(o, [sumPlan, countPlan], 'mean');
  const count = Math.max(1, noise(xs.length, countPlan, rng));
  const mean = Math.min(o.upper, Math.max(o.lower, noise(sum, sumPlan, rng) / count + o.lower));
  return { value: mean, mechanism: sumPlan.mechanism, epsilon, delta, sensitivity: width, scale: sumPlan.scale, budget: status };
}

/**
 * Noisy counts of `values` per bin: categories, or numeric bins `[edges[i], edges[i + 1])`.
 * Bins must be chosen without looking at the data; values in no bin are not counted. Each record
 * falls in one bin, so the whole histogram costs one epsilon.
 *
 * @example
 * await noisyHistogram(diagnoses, { bins: ['flu', 'covid', 'other'], epsilon: 1 });
 */
export async function noisyHistogram(
  values: (string | number)[],
  o: DpOptions & { bins: string[] | { edges: number[] } },
): Promise<NoisyRelease<{ bin: string; count: number }[]>> {
  checkParams(o);
  if (!Array.isArray(values)) throw new ValidationError('values must be a list', 'values');
  let labels: string[];
  let binOf: (v: string | number) => number;
  if (Array.isArray(o.bins)) {
    if (o.bins.length === 0 || new Set(o.bins).size !== o.bins.length) throw new ValidationError('bins must be distinct categories', 'bins');
    labels = o.bins.map(String);
    const index = new Map(labels.map((b, i) => [b, i]));
    binOf = (v) => index.get(String(v)) ?? -1;
  } else {
    const edges = o.bins?.edges;
    if (!Array.isArray(edges) || edges.length < 2 || edges.some((e, i) => !Number.isFinite(e) || (i > 0 && !(e > edges[i - 1])))) {
      throw new ValidationError('bins.edges must be at least two increasing numbers', 'bins');
    }
    labels = edges.slice(0, -1).map((e, i) => `[${e}, ${edges[i + 1]})`);
    binOf = (v) => {
      const x = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(x) || x < edges[0] || x >= edges[edges.length - 1]) return -1;
      let lo = 0;
      let hi = edges.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (x >= edges[mid]) lo = mid;
        else hi = mid;
      }
      return lo;
    };
  }
  const counts = new Array<number>(labels.length).fill(0);
  for (const v of values) {
    const b = binOf(v);
    if (b >= 0) counts[b]++;
  }
  const r = await release(counts, 1, o, 'histogram');
  return { ...r, value: labels.map((bin, i) => ({ bin, count: r.value[i] })) };
}
