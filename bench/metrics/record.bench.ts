/**
 * Record per value, one call per value and batched, side by side: ours (WASM, TS reference),
 * hdr-histogram-js (WASM, JS), DDSketch and prom-client Histogram/Summary, on 1M log-normal
 * latencies. Each iteration records one value (single) or a batch of 1,024 (batched; divide
 * by 1,024 for ns/value).
 */
import { bench, do_not_optimize, group, summary } from 'mitata';
import { recordFigure, runBenchmarks } from '../harness.ts';
import { ALL, checkContender, DDSKETCH, HDR_JS, HDR_WASM, N, OURS, PROM_HISTOGRAM, PROM_SUMMARY, REFERENCE, VALUES } from './contenders.ts';

const MASK = N - 1;
const BATCH = 1024;

// Correctness first: every contender must hold the fixtures' p50/p99 to its own precision
// (prom-client's default buckets are far coarser: only checked loosely).
for (const c of ALL) await checkContender(c, c === PROM_HISTOGRAM ? 5 : c === PROM_SUMMARY ? 0.2 : 0.011);

// Sustained: 1M single records in a plain loop per contender, best of 7, rounds interleaved so
// machine noise hits every contender alike. This includes everything a record costs over time
// (ours: the queue flushes; others: their resizes).
{
  const sustained = [OURS, HDR_WASM, DDSKETCH, REFERENCE, HDR_JS];
  const best = new Map<string, number>();
  const sketches = new Map(sustained.map((c) => [c.name, c.create()]));
  // One freshly compiled loop per contender, so no call site sees more than one record().
  const loops = new Map(sustained.map((c) => [c.name, new Function('s', 'values', 'n', 'for (let i = 0; i < n; i++) s.record(values[i]);') as (s: unknown, values: Float64Array, n: number) => void]));
  for (let round = 0; round < 7; round++) {
    for (const c of sustained) {
      const s = sketches.get(c.name)!;
      const loop = loops.get(c.name)!;
      const t0 = performance.now();
      loop(s, VALUES, N);
      const ns = ((performance.now() - t0) * 1e6) / N;
      best.set(c.name, Math.min(best.get(c.name) ?? Infinity, ns));
    }
  }
  for (const [name, ns] of best) recordFigure(`sustained single record ns/value / ${name}`, ns, 'ns');
  const ours = best.get(OURS.name)!;
  recordFigure('sustained single record speed-up vs hdr-histogram-js WASM', best.get(HDR_WASM.name)! / ours, 'x');
  recordFigure('sustained single record speed-up vs DDSketch', best.get(DDSKETCH.name)! / ours, 'x');
  const batch = OURS.create();
  let bestBatch = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i += BATCH) batch.recordBatch(VALUES.subarray(i, i + BATCH));
    bestBatch = Math.min(bestBatch, ((performance.now() - t0) * 1e6) / N);
  }
  recordFigure(`sustained batched (${BATCH} per call) ns/value / ${OURS.name}`, bestBatch, 'ns');
}

group('record, one call per value', () => {
  summary(() => {
    for (const c of [OURS, REFERENCE, HDR_WASM, HDR_JS, DDSKETCH, PROM_HISTOGRAM, PROM_SUMMARY]) {
      const s = c.create();
      let i = 0;
      bench(c.name, () => {
        s.record(VALUES[i++ & MASK]);
      });
    }
  });
});

group(`record, batched (${BATCH} values per iteration)`, () => {
  summary(() => {
    for (const c of [OURS, REFERENCE, HDR_WASM, DDSKETCH]) {
      const s = c.create();
      let i = 0;
      bench(c.name, () => {
        const at = (i++ * BATCH) & MASK;
        s.recordBatch(VALUES.subarray(at, at + BATCH));
        do_not_optimize(s);
      });
    }
  });
});

await runBenchmarks(import.meta.url);
