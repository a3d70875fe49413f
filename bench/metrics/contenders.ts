/**
 * Shared fixtures and contenders of the metrics benchmarks: 1M log-normal latencies in
 * microseconds (median 2 ms, sigma 1.2, integers >= 1 so every contender can take them), and
 * one adapter per histogram: ours (WASM and the TS reference), hdr-histogram-js (WASM and JS),
 * DDSketch and prom-client (Histogram and Summary).
 */
import { DDSketch } from '@datadog/sketches-js';
import * as hdr from 'hdr-histogram-js';
import { Histogram as PromHistogram, Summary as PromSummary } from 'prom-client';
import { createHistogram, createReferenceHistogram, type Histogram } from '../../src/index.ts';

export const N = 1 << 20;
export const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];
/** The quantiles a prom-client Summary is configured to track (it answers no others). */
export const SUMMARY_PERCENTILES = [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999];

function lognormal(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const r = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    out[i] = Math.max(1, Math.round(Math.exp(Math.log(2000) + 1.2 * z)));
  }
  return out;
}

/** The 1M latencies every benchmark records. */
export const VALUES = lognormal(N, 42);
export const SORTED = VALUES.slice().sort();

export function exact(q: number): number {
  return SORTED[Math.floor(q * (SORTED.length - 1))];
}

export interface Sketch {
  record(v: number): void;
  recordBatch(values: Float64Array): void;
  /** One quantile through the contender's own single-quantile call. */
  quantile(q: number): number | Promise<number>;
  quantiles(qs: number[]): number[] | Promise<number[]>;
  merge?(other: Sketch): void;
  /** Bytes the contender says it uses, when it says. */
  reportedBytes?(): number;
  destroy(): void;
}

export interface Contender {
  name: string;
  create(): Sketch;
}

await hdr.initWebAssembly();

const HDR_OPTIONS = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 } as const;

function ours(name: string, make: () => Histogram): Contender {
  return {
    name,
    create() {
      const h = make();
      return {
        record: (v) => h.record(v),
        recordBatch: (values) => h.recordBatch(values),
        quantile: (q) => h.valueAtQuantile(q),
        quantiles: (qs) => Array.from(h.quantiles(qs)),
        merge: (other) => h.merge((other as unknown as { h: Histogram }).h),
        reportedBytes: () => h.footprint,
        destroy: () => h.close(),
        h,
      } as Sketch & { h: Histogram };
    },
  };
}

function hdrContender(name: string, useWebAssembly: boolean): Contender {
  return {
    name,
    create() {
      const h = hdr.build({ ...HDR_OPTIONS, useWebAssembly, bitBucketSize: 32 });
      return {
        record: (v) => h.recordValue(v),
        recordBatch: (values) => {
          for (let i = 0; i < values.length; i++) h.recordValue(values[i]);
        },
        quantile: (q) => h.getValueAtPercentile(q * 100),
        quantiles: (qs) => qs.map((q) => h.getValueAtPercentile(q * 100)),
        merge: (other) => h.add((other as unknown as { h: hdr.Histogram }).h),
        reportedBytes: () => h.estimatedFootprintInBytes,
        destroy: () => h.destroy(),
        h,
      } as Sketch & { h: hdr.Histogram };
    },
  };
}

const dd: Contender = {
  name: 'DDSketch 1%',
  create() {
    const s = new DDSketch({ relativeAccuracy: 0.01 });
    return {
      record: (v) => s.accept(v),
      recordBatch: (values) => {
        for (let i = 0; i < values.length; i++) s.accept(values[i]);
      },
      quantile: (q) => s.getValueAtQuantile(q),
      quantiles: (qs) => qs.map((q) => s.getValueAtQuantile(q)),
      merge: (other) => s.merge((other as unknown as { s: DDSketch }).s),
      destroy: () => {},
      s,
    } as Sketch & { s: DDSketch };
  },
};

let promId = 0;

/** Prometheus' histogram_quantile over cumulative buckets (linear within a bucket). */
export function promQuantile(q: number, buckets: { le: number; count: number }[]): number {
  const total = buckets[buckets.length - 1].count;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1, b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

// prom-client observes seconds (its default buckets are 5 ms .. 10 s): values go in as µs / 1e6
// and quantiles come back in µs.
const promHistogram: Contender = {
  name: 'prom-client Histogram',
  create() {
    const h = new PromHistogram({ name: `bench_h_${promId++}`, help: 'bench', registers: [] });
    return {
      record: (v) => h.observe(v / 1e6),
      recordBatch: (values) => {
        for (let i = 0; i < values.length; i++) h.observe(values[i] / 1e6);
      },
      async quantile(q) {
        return (await this.quantiles([q]))[0];
      },
      async quantiles(qs) {
        const { values } = await h.get();
        const buckets = values
          .filter((v) => v.metricName?.endsWith('_bucket'))
          .map((v) => ({ le: v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), count: v.value }));
        return qs.map((q) => promQuantile(q, buckets) * 1e6);
      },
      destroy: () => {},
    };
  },
};

const promSummary: Contender = {
  name: 'prom-client Summary',
  create() {
    const s = new PromSummary({ name: `bench_s_${promId++}`, help: 'bench', registers: [], percentiles: SUMMARY_PERCENTILES });
    return {
      record: (v) => s.observe(v / 1e6),
      recordBatch: (values) => {
        for (let i = 0; i < values.length; i++) s.observe(values[i] / 1e6);
      },
      async quantile(q) {
        return (await this.quantiles([q]))[0];
      },
      async quantiles(qs) {
        const { values } = await s.get();
        return qs.map((q) => (values.find((v) => v.labels.quantile === q)?.value ?? NaN) * 1e6);
      },
      destroy: () => {},
    };
  },
};

export const OURS = ours('ours (WASM)', () => createHistogram());
export const REFERENCE = ours('ours (TS reference)', () => createReferenceHistogram());
export const HDR_WASM = hdrContender('hdr-histogram-js WASM', true);
export const HDR_JS = hdrContender('hdr-histogram-js JS', false);
export const DDSKETCH = dd;
export const PROM_HISTOGRAM = promHistogram;
export const PROM_SUMMARY = promSummary;

export const ALL: Contender[] = [OURS, REFERENCE, HDR_WASM, HDR_JS, DDSKETCH, PROM_HISTOGRAM, PROM_SUMMARY];

/** Records the fixtures into a fresh sketch and checks its quantiles against the exact ones. */
export async function checkContender(c: Contender, tolerance: number): Promise<void> {
  const s = c.create();
  s.recordBatch(VALUES);
  const got = await s.quantiles([0.5, 0.99]);
  for (const [i, q] of [0.5, 0.99].entries()) {
    const err = Math.abs(got[i] - exact(q)) / exact(q);
    if (!(err <= tolerance)) throw new Error(`${c.name}: q${q} = ${got[i]}, exact ${exact(q)} (error ${err})`);
  }
  s.destroy();
}
