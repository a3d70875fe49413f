/**
 * Queries and merges, side by side: p99 alone, the full quantile set (p50, p90, p95, p99, p99.9)
 * and merging two histograms of 1M/2 log-normal latencies each, for ours (WASM, TS reference),
 * hdr-histogram-js (WASM, JS) and DDSketch. prom-client has no synchronous quantile query (its
 * Histogram has only buckets and its Summary answers through the async `get()`), so it is timed
 * in export.bench.ts instead.
 */
import { bench, do_not_optimize, group, summary } from 'mitata';
import { runBenchmarks } from '../harness.ts';
import { checkContender, DDSKETCH, HDR_JS, HDR_WASM, N, OURS, QUANTILES, REFERENCE, VALUES, type Contender, type Sketch } from './contenders.ts';

const CONTENDERS = [OURS, REFERENCE, HDR_WASM, HDR_JS, DDSKETCH];
for (const c of CONTENDERS) await checkContender(c, 0.011);

function filled(c: Contender, from = 0, to = N): Sketch {
  const s = c.create();
  s.recordBatch(VALUES.subarray(from, to));
  return s;
}

group('p99 of 1M values', () => {
  summary(() => {
    for (const c of CONTENDERS) {
      const s = filled(c);
      bench(c.name, () => do_not_optimize(s.quantile(0.99)));
    }
  });
});

group('quantile set p50/p90/p95/p99/p99.9 of 1M values', () => {
  summary(() => {
    for (const c of CONTENDERS) {
      const s = filled(c);
      bench(c.name, () => do_not_optimize(s.quantiles(QUANTILES)));
    }
  });
});

group('merge a histogram of 512K values into another', () => {
  summary(() => {
    for (const c of CONTENDERS) {
      const a = filled(c, 0, N / 2);
      const b = filled(c, N / 2, N);
      // Merging into a copy of `a` every time would time the copy too; merging b into the same
      // accumulator repeatedly is what a rolling window does, and costs the same per call.
      const acc = c.create();
      acc.merge!(a);
      bench(c.name, () => {
        acc.merge!(b);
      });
    }
  });
});

await runBenchmarks(import.meta.url);
