/**
 * Not a timing: the accuracy table (relative error of p50 .. p99.99 against the exact
 * sorted-array quantiles of 1M log-normal latencies) and memory per histogram, for every
 * contender. Figures go to bench/results.json through recordFigure and print as Markdown.
 */
import { createHistogram, histogramMemory } from '../../src/index.ts';
import { recordFigure } from '../harness.ts';
import { ALL, exact, N, VALUES, type Contender, type Sketch } from './contenders.ts';

const QS = [0.5, 0.9, 0.99, 0.999, 0.9999];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench does)');

console.log('\n## Accuracy: relative error against exact quantiles (1M log-normal latencies, µs)\n');
console.log(`| contender | ${QS.map((q) => `p${q * 100}`).join(' | ')} | worst of 1,000 quantiles |`);
console.log(`|---|${QS.map(() => '---').join('|')}|---|`);
const grid = Array.from({ length: 1000 }, (_, i) => i / 999);
for (const c of ALL) {
  const s = c.create();
  s.recordBatch(VALUES);
  const got = await s.quantiles(QS);
  const errs = QS.map((q, i) => Math.abs(got[i] - exact(q)) / exact(q));
  let worst = NaN;
  if (!c.name.startsWith('prom-client Summary')) {
    const all = await s.quantiles(grid);
    worst = Math.max(...grid.map((q, i) => Math.abs(all[i] - exact(q)) / exact(q)));
  }
  console.log(`| ${c.name} | ${errs.map((e) => (Number.isNaN(e) ? 'n/a' : `${(e * 100).toFixed(3)}%`)).join(' | ')} | ${Number.isNaN(worst) ? 'n/a (fixed quantiles)' : `${(worst * 100).toFixed(3)}%`} |`);
  QS.forEach((q, i) => Number.isNaN(errs[i]) || recordFigure(`error p${q * 100} / ${c.name}`, errs[i] * 100, '%'));
  if (!Number.isNaN(worst)) recordFigure(`error worst of 1000 quantiles / ${c.name}`, worst * 100, '%');
  s.destroy();
}

/** Bytes of JS heap plus external/array-buffer memory (which holds WASM memories). */
function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function perHistogram(c: Contender, k: number, values: Float64Array): Promise<number> {
  const keep: Sketch[] = [];
  const before = used();
  for (let i = 0; i < k; i++) {
    const s = c.create();
    s.recordBatch(values);
    keep.push(s);
  }
  const after = used();
  const per = (after - before) / k;
  for (const s of keep) s.destroy();
  return per;
}

console.log('\n## Memory per histogram\n');
console.log('| contender | measured: JS heap + external (WASM and array buffers) per histogram, 200K log-normal values each | what it reports |');
console.log('|---|---|---|');
const SUBSET = VALUES.subarray(0, 200_000);
{
  // Ours, without the benchmark adapter: WASM bytes from the allocator, JS bytes from the heap.
  const k = 1000;
  const keep = [];
  gc();
  const wasm0 = histogramMemory().bytesInUse;
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < k; i++) {
    const h = createHistogram();
    h.recordBatch(SUBSET.subarray(0, 20_000));
    keep.push(h);
  }
  gc();
  const wasm = (histogramMemory().bytesInUse - wasm0) / k;
  const js = (process.memoryUsage().heapUsed - heap0) / k;
  console.log(`| ours (WASM), no adapter | ${(wasm / 1024).toFixed(2)} KB of WASM memory (allocator) + ${(js / 1024).toFixed(2)} KB of JS objects | ${(keep[0].footprint / 1024).toFixed(2)} KB |`);
  recordFigure('memory per histogram (WASM, allocator) / ours (WASM)', wasm, 'bytes');
  recordFigure('memory per histogram (JS wrapper) / ours (WASM)', js, 'bytes');
  for (const h of keep) h.close();
}
for (const c of ALL) {
  const k = c.name.startsWith('prom-client Summary') ? 20 : 500;
  const per = await perHistogram(c, k, c.name.startsWith('prom-client Summary') ? VALUES.subarray(0, 50_000) : SUBSET);
  const probe = c.create();
  probe.recordBatch(VALUES);
  const reported = probe.reportedBytes?.();
  probe.destroy();
  console.log(`| ${c.name} | ${(per / 1024).toFixed(1)} KB | ${reported === undefined ? '—' : `${(reported / 1024).toFixed(1)} KB`} |`);
  recordFigure(`memory per histogram (measured) / ${c.name}`, per, 'bytes');
  if (reported !== undefined) recordFigure(`memory per histogram (reported) / ${c.name}`, reported, 'bytes');
}

// The goal's case: 1 µs .. 1 h of data at 1%.
{
  const h = createHistogram();
  const logUniform = Float64Array.from({ length: 1_000_000 }, (_, i) => Math.exp(((i * 0.6180339887) % 1) * Math.log(3.6e9)));
  h.recordBatch(logUniform);
  h.record(1);
  h.record(3.6e9);
  console.log(`\nours, 1M values spread log-uniformly over 1 µs .. 1 h at 1%: footprint ${h.footprint} bytes (${(h.footprint / 1024).toFixed(2)} KB)`);
  recordFigure('footprint 1us..1h at 1% / ours (WASM)', h.footprint, 'bytes');
  const before = histogramMemory();
  h.close();
  const after = histogramMemory();
  console.log(`closing it returned ${before.bytesInUse - after.bytesInUse} bytes to the allocator`);
}
console.log(`(N = ${N})`);

// Nothing to time here; write the figures.
const { runBenchmarks } = await import('../harness.ts');
await runBenchmarks(import.meta.url);
