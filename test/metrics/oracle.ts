/**
 * Test helpers for the metrics tests: data sets drawn from several distributions by a seeded
 * generator, and the sorted-array oracle that defines the exact quantile (the lower nearest
 * rank, floor(q * (n - 1)), the rule the histograms document).
 */
export type Distribution = 'uniform' | 'logUniform' | 'logNormal' | 'pareto' | 'bimodal' | 'constant' | 'integers';
export const DISTRIBUTIONS: Distribution[] = ['uniform', 'logUniform', 'logNormal', 'pareto', 'bimodal', 'constant', 'integers'];

/** A small seeded PRNG (mulberry32), so a failing fast-check seed reproduces. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sample(dist: Distribution, n: number, seed: number, max = 3.6e9): Float64Array {
  const r = rng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    switch (dist) {
      case 'uniform': v = r() * 1000; break;
      case 'logUniform': v = Math.exp(r() * Math.log(max)); break;
      case 'logNormal': v = Math.exp(Math.log(2000) + 1.2 * normal()); break;
      case 'pareto': v = 10 / Math.pow(1 - r(), 1 / 1.2); break;
      case 'bimodal': v = r() < 0.9 ? 1 + r() * 5 : 1e6 + r() * 1e5; break;
      case 'constant': v = 42.5; break;
      default: v = Math.floor(r() * 100);
    }
    out[i] = Math.min(v, max);
  }
  return out;
}

export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

/** Relative error of `estimate` against `exact` (absolute when exact is 0). */
export function relErr(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
}

export const QS = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1];
