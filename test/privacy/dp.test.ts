import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gaussianSigma, noisyCount, noisyHistogram, noisyMean, noisySum, ValidationError } from '../../src/index.ts';
import { sampleLaplace, sampleStandardNormal, snappedLaplace, snapping, uniformFullPrecision } from '../../src/privacy/dp.ts';
import { createCryptoRandom, createSeededRandom } from '../../src/privacy/random.ts';

const N = 100_000;
/** Kolmogorov-Smirnov critical value at alpha = 1e-4 for N draws. */
const KS_CRITICAL = Math.sqrt(-Math.log(1e-4 / 2) / 2) / Math.sqrt(N);

/** erf (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7): the test's own normal CDF. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const normalCdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
const laplaceCdf = (b: number) => (x: number) => (x < 0 ? 0.5 * Math.exp(x / b) : 1 - 0.5 * Math.exp(-x / b));

function ksStatistic(samples: Float64Array, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(samples).sort();
  let d = 0;
  for (let i = 0; i < sorted.length; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, Math.abs(f - i / sorted.length), Math.abs((i + 1) / sorted.length - f));
  }
  return d;
}

const Noise = suite('privacy/dp: samplers (Web Crypto randomness)');

Noise('Laplace draws pass a KS test on 1e5 draws; a wrong scale fails it', () => {
  const rng = createCryptoRandom();
  const samples = Float64Array.from({ length: N }, () => sampleLaplace(2, rng));
  const d = ksStatistic(samples, laplaceCdf(2));
  assert.ok(d < KS_CRITICAL, `D=${d} >= ${KS_CRITICAL}`);
  assert.ok(ksStatistic(samples, laplaceCdf(2.2)) > KS_CRITICAL, 'the test can tell scale 2 from 2.2');
});

Noise('Gaussian draws pass a KS test on 1e5 draws; a wrong sigma fails it', () => {
  const rng = createCryptoRandom();
  const samples = Float64Array.from({ length: N }, () => sampleStandardNormal(rng));
  assert.ok(ksStatistic(samples, normalCdf) < KS_CRITICAL);
  assert.ok(ksStatistic(samples, (x) => normalCdf(x / 1.1)) > KS_CRITICAL);
});

Noise('snapped Laplace lands on the power-of-two grid, is clamped, and follows the discretized law', () => {
  const rng = createCryptoRandom();
  const epsilon = 1 / 3;
  const { lambda, grid, bound } = snapping(epsilon);
  assert.is(grid, 4);
  assert.ok(lambda > 3 && lambda < 3 * (1 + 1e-5), 'scale is a hair above 1/epsilon');
  const counts = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    const v = snappedLaplace(10, epsilon, rng);
    assert.is(v % grid, 0);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  // KS over the grid points: P(out <= g) = F(g + grid/2 - 10).
  const points = [...counts.keys()].sort((a, b) => a - b);
  let acc = 0;
  let d = 0;
  for (const g of points) {
    acc += (counts.get(g) as number) / N;
    d = Math.max(d, Math.abs(acc - laplaceCdf(lambda)(g + grid / 2 - 10)));
  }
  assert.ok(d < KS_CRITICAL, `D=${d}`);
  assert.ok(snappedLaplace(1e300, 1, rng) <= bound);
});

Noise('uniforms cover (0, 1] at full precision', () => {
  const rng = createSeededRandom(9);
  let min = 1;
  for (let i = 0; i < 10_000; i++) {
    const u = uniformFullPrecision(rng);
    assert.ok(u > 0 && u <= 1);
    min = Math.min(min, u);
  }
  assert.ok(min < 1e-3);
});

Noise('analytic Gaussian sigma meets (epsilon, delta) tightly and beats the classic bound', () => {
  for (const [eps, delta] of [[0.5, 1e-5], [1, 1e-6], [4, 1e-9]]) {
    const sigma = gaussianSigma(eps, delta, 1);
    const profile = (s: number) => normalCdf(1 / (2 * s) - eps * s) - Math.exp(eps) * normalCdf(-1 / (2 * s) - eps * s);
    assert.ok(profile(sigma) <= delta * 1.001, `delta(${sigma}) = ${profile(sigma)}`);
    assert.ok(profile(sigma * 0.97) > delta, 'not much larger than needed');
    if (eps < 1) assert.ok(sigma < Math.sqrt(2 * Math.log(1.25 / delta)) / eps);
  }
});

Noise.run();

const Queries = suite('privacy/dp: noisy aggregates');

Queries('count, sum, mean and histogram are unbiased around the truth', async () => {
  const ages = Array.from({ length: 1000 }, (_, i) => 20 + (i % 50));
  let c = 0;
  let s = 0;
  let m = 0;
  const runs = 200;
  for (let i = 0; i < runs; i++) {
    c += (await noisyCount(ages, { epsilon: 1 })).value;
    s += (await noisySum(ages, { epsilon: 1, lower: 0, upper: 100 })).value;
    m += (await noisyMean(ages, { epsilon: 1, lower: 0, upper: 100, mechanism: 'gaussian', delta: 1e-6 })).value;
  }
  assert.ok(Math.abs(c / runs - 1000) < 1, `count ${c / runs}`);
  assert.ok(Math.abs(s / runs - 44500) < 50, `sum ${s / runs}`);
  assert.ok(Math.abs(m / runs - 44.5) < 1, `mean ${m / runs}`);
  const h = await noisyHistogram(['a', 'b', 'a', 'z'], { bins: ['a', 'b', 'c'], epsilon: 2 });
  assert.equal(h.value.map((b) => b.bin), ['a', 'b', 'c']);
  const e = await noisyHistogram([1, 5, 15, 99], { bins: { edges: [0, 10, 20] }, epsilon: 2 });
  assert.equal(e.value.map((b) => b.bin), ['[0, 10)', '[10, 20)']);
  assert.is(h.epsilon, 2);
});

Queries('bad parameters are typed errors: epsilon <= 0, missing delta, bad bounds and values', async () => {
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => noisyCount(3, { epsilon: 0 }), /epsilon must be a number > 0/],
    [() => noisyCount(3, { epsilon: -1 }), /epsilon/],
    [() => noisyCount(3, { epsilon: Number.NaN }), /epsilon/],
    [() => noisyCount(3, { epsilon: 1, mechanism: 'gaussian' }), /needs delta > 0/],
    [() => noisyCount(3, { epsilon: 1, delta: 0.1 }), /Laplace mechanism takes no delta/],
    [() => noisySum([1, 2], { epsilon: 1, lower: 5, upper: 5 }), /lower < upper/],
    [() => noisySum([1, Number.NaN], { epsilon: 1, lower: 0, upper: 5 }), /values\[1\]/],
    [() => noisyHistogram([1], { epsilon: 1, bins: { edges: [3, 1] } }), /increasing/],
  ];
  for (const [fn, pattern] of cases) {
    try {
      await fn();
      assert.unreachable(`expected ${pattern}`);
    } catch (err) {
      assert.instance(err, ValidationError);
      assert.match((err as Error).message, pattern);
    }
  }
});

Queries.run();
