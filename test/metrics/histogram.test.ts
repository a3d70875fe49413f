import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createHistogram,
  createReferenceHistogram,
  deserializeHistogram,
  deserializeReferenceHistogram,
  HistogramError,
  histogramMemory,
  type Histogram,
} from '../../src/index.ts';
import { platform } from '#platform';
import { instantiateWasm, WasmError } from '../../src/shared/wasm.ts';
import { WasmHistogram } from '../../src/metrics/histogram.ts';
import { loadMetricsWasm, MetricsInstance, type MetricsExports } from '../../src/metrics/wasm.ts';
import { runHistogramContract } from './histogram.case.ts';
import { DISTRIBUTIONS, QS, sample } from './oracle.ts';

runHistogramContract({ name: 'wasm', create: createHistogram, deserialize: deserializeHistogram });

const Wasm = suite('metrics/histogram (wasm)');

type Op =
  | { kind: 'record'; value: number }
  | { kind: 'count'; value: number; count: number }
  | { kind: 'batch'; dist: (typeof DISTRIBUTIONS)[number]; n: number; seed: number }
  | { kind: 'merge'; dist: (typeof DISTRIBUTIONS)[number]; n: number; seed: number };

const value = fc.oneof(fc.constant(0), fc.double({ min: 1e-9, max: 3.6e9, noNaN: true }), fc.integer({ min: 0, max: 1e6 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('record' as const), value }),
  fc.record({ kind: fc.constant('count' as const), value, count: fc.integer({ min: 0, max: 200_000 }) }),
  fc.record({ kind: fc.constant('batch' as const), dist: fc.constantFrom(...DISTRIBUTIONS), n: fc.nat(500), seed: fc.integer() }),
  fc.record({ kind: fc.constant('merge' as const), dist: fc.constantFrom(...DISTRIBUTIONS), n: fc.nat(300), seed: fc.integer() }),
);

function apply(h: Histogram, o: Op, make: () => Histogram): void {
  if (o.kind === 'record') h.record(o.value);
  else if (o.kind === 'count') h.recordCount(o.value, o.count);
  else if (o.kind === 'batch') h.recordBatch(sample(o.dist, o.n, o.seed));
  else {
    using other = make();
    other.recordBatch(sample(o.dist, o.n, o.seed));
    h.merge(other);
  }
}

Wasm('WASM equals the TypeScript reference bit for bit after any sequence of operations', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.constantFrom(0.001, 0.01, 0.05), (ops, relativeError) => {
      using w = createHistogram({ relativeError });
      const r = createReferenceHistogram({ relativeError });
      for (const o of ops) {
        apply(w, o, () => createHistogram({ relativeError }));
        apply(r, o, () => createReferenceHistogram({ relativeError }));
      }
      assert.equal(w.serialize(), r.serialize());
      for (const k of ['count', 'min', 'max', 'sum', 'mean', 'stddev'] as const) assert.is(Object.is(w[k], r[k]), true, k);
      if (w.count) assert.equal(Array.from(w.quantiles(QS)), Array.from(r.quantiles(QS)));
      // Each reads the other's bytes.
      assert.equal(deserializeReferenceHistogram(w.serialize()).serialize(), r.serialize());
      using back = deserializeHistogram(r.serialize());
      assert.equal(back.serialize(), w.serialize());
    }),
    { numRuns: 150 },
  );
});

Wasm('busy histograms (own buffers) and quiet ones (shared queue) interleave, merge and read exactly', () => {
  using a = createHistogram();
  using b = createHistogram();
  const ra = createReferenceHistogram();
  const rb = createReferenceHistogram();
  const values = sample('logNormal', 5000, 21);
  for (const [i, v] of values.entries()) {
    if (i % 3 === 0) {
      b.record(v);
      rb.record(v);
    } else {
      a.record(v);
      ra.record(v);
    }
    if (i === 2500) {
      a.merge(b);
      ra.merge(rb);
      assert.equal(a.serialize(), ra.serialize());
    }
  }
  a.recordBatch(values.subarray(0, 100));
  ra.recordBatch(values.subarray(0, 100));
  b.merge(a);
  rb.merge(ra);
  assert.equal(a.serialize(), ra.serialize());
  assert.equal(b.serialize(), rb.serialize());
  assert.is(b.count, rb.count);
  a.record(1);
  a.close();
  assert.throws(() => a.record(1), (e: unknown) => e instanceof HistogramError);
});

Wasm('merges across implementations', () => {
  using w = createHistogram();
  const r = createReferenceHistogram();
  r.recordBatch(sample('logNormal', 1000, 5));
  w.merge(r);
  assert.is(w.count, 1000);
  assert.equal(w.serialize(), r.serialize());
});

Wasm('footprint is what it holds: <= 4.5 KB for 1 us .. 1 h at 1%', () => {
  using h = createHistogram();
  const empty = h.footprint;
  assert.is(empty, 112);
  h.recordBatch(sample('logUniform', 100_000, 11));
  h.record(1);
  h.record(3.6e9);
  assert.ok(h.footprint <= 4608, `footprint ${h.footprint}`);
  // 31 whole octaves of 50 two-byte counters, and the top one up to 3.6e9's bucket.
  assert.is(h.footprint, 112 + (31 * 50 + 34) * 2);
  const before = histogramMemory().bytesInUse;
  const footprint = h.footprint;
  h.close();
  assert.is(before - histogramMemory().bytesInUse, footprint);
});

Wasm('JSON carries base64 that deserializes', () => {
  using h = createHistogram({ relativeError: 0.02, maxValue: 1e6 });
  h.recordBatch(sample('bimodal', 300, 2).map((v) => Math.min(v, 1e6)));
  const json = JSON.parse(JSON.stringify(h));
  assert.is(json.count, 300);
  assert.is(json.relativeError, 0.02);
  using back = deserializeHistogram(json.data);
  assert.equal(back.serialize(), h.serialize());
  assert.throws(() => deserializeHistogram('not base64!'), (e: unknown) => e instanceof HistogramError);
});

Wasm('close() frees at once, is idempotent, and later use throws', () => {
  const base = histogramMemory().bytesInUse;
  const hs: Histogram[] = [];
  for (let i = 0; i < 1000; i++) {
    const h = createHistogram();
    h.record(i + 1);
    hs.push(h);
  }
  assert.ok(histogramMemory().bytesInUse > base);
  for (const h of hs) h.close();
  hs[0].close();
  assert.is(histogramMemory().bytesInUse, base);
  assert.throws(() => hs[0].record(1), (e: unknown) => e instanceof HistogramError && e.code === 'histogram_closed');
  assert.throws(() => hs[0].count, (e: unknown) => e instanceof HistogramError);
  {
    using scoped = createHistogram();
    scoped.record(1);
  }
  assert.is(histogramMemory().bytesInUse, base);
});

Wasm('the total count never overflows silently', () => {
  using h = createHistogram();
  const big = Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < 2048; i++) h.recordCount(5, big);
  const full = h.count;
  assert.throws(() => h.recordCount(5, big), (e: unknown) => e instanceof HistogramError && e.code === 'histogram_overflow');
  assert.is(h.count, full);
  assert.is(h.valueAtQuantile(0.5), 5);
});

Wasm('subnormal values count as zero and report the exact minimum', () => {
  using h = createHistogram();
  h.record(5e-324);
  h.record(1e-310);
  assert.is(h.valueAtQuantile(0), 5e-324);
  assert.is(h.max, 1e-310);
});

Wasm('a trap kills its instance: that instance\'s histograms throw WasmError from then on', () => {
  // A private instance, so the isolate's shared one (used by other suites) stays alive.
  const inst = new MetricsInstance(instantiateWasm<MetricsExports>(platform.wasmModule('metrics'), 'metrics').exports);
  const h = new WasmHistogram(inst, inst.x.create(0.01, 1e6), 0.01, 1e6);
  h.record(5);
  assert.is(h.count, 1);
  h.record(6);
  const typed = inst.fail(new WebAssembly.RuntimeError('unreachable'));
  assert.ok(typed instanceof WasmError && typed.trap);
  assert.is(inst.alive, false);
  assert.is(inst.queued, 0, 'queued records of a dead instance are dropped');
  assert.throws(() => h.count, (e: unknown) => e instanceof WasmError);
  assert.throws(() => h.serialize(), (e: unknown) => e instanceof WasmError);
  h.close();
  assert.ok(loadMetricsWasm().alive);
  using fresh = createHistogram();
  fresh.record(7);
  assert.is(fresh.valueAtQuantile(0.5), 7);
});

const gc = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

async function settle(target: number): Promise<void> {
  for (let i = 0; i < 100 && histogramMemory().bytesInUse > target; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
  }
}

function churn(n: number): void {
  for (let i = 0; i < n; i++) {
    const h = createHistogram();
    h.record((i % 1000) + 1);
  }
}

Wasm('100,000 histograms dropped without close() grow memory by nothing after warm-up', async () => {
  // Let garbage from earlier suites go first, so the baseline is steady.
  let base = histogramMemory().bytesInUse;
  for (let stable = 0; stable < 3; ) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
    const now = histogramMemory().bytesInUse;
    stable = now === base ? stable + 1 : 0;
    base = now;
  }
  churn(100_000);
  await settle(base);
  assert.ok(histogramMemory().bytesInUse <= base, 'the FinalizationRegistry freed every dropped histogram');
  const warm = histogramMemory();
  churn(100_000);
  await settle(base);
  const after = histogramMemory();
  assert.ok(after.bytesInUse <= base);
  assert.is(after.heapTop, warm.heapTop, 'no new heap');
  assert.is(after.memoryBytes, warm.memoryBytes, 'no new pages');
});

Wasm.run();
