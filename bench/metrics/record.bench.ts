/**
 * Record per value, one call per value and batched, side by side: ours (WASM, TS reference),
 * hdr-histogram-js (WASM, JS), DDSketch and prom-client Histogram/Summary, on 1M log-normal
 * latencies. Each iteration records one value (single) or a batch of 1,024 (batched; divide
 * by 1,024 for ns/value).
 */
import { bench, do_not_optimize, group, summary } from 'mitata';
import { runBenchmarks } from '../harness.ts';
import { ALL, checkContender, DDSKETCH, HDR_JS, HDR_WASM, N, OURS, PROM_HISTOGRAM, PROM_SUMMARY, REFERENCE, VALUES } from './contenders.ts';

const MASK = N - 1;
const BATCH = 1024;

// Correctness first: every contender must hold the fixtures' p50/p99 to its own precision
// (prom-client's default buckets are far coarser: only checked loosely).
for (const c of ALL) await checkContender(c, c === PROM_HISTOGRAM ? 5 : c === PROM_SUMMARY ? 0.2 : 0.011);

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
