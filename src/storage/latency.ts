/**
 * The one place storage records latencies: the metrics histogram (`createHistogram`, 1%
 * relative error at every quantile), in microseconds. Its single records are queued on the JS
 * side and flushed into WASM in batches, so recording costs an array store.
 */
import { createHistogram, type Histogram } from '../metrics/histogram.ts';

export interface LatencySummary {
  count: number;
  /** Microseconds. NaN when nothing was recorded. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface LatencyRecorder {
  record(micros: number): void;
  summary(): LatencySummary;
  reset(): void;
}

const QUANTILES = [0.5, 0.9, 0.99, 0.999];

/**
 * @example
 * const reads = createLatencyRecorder();
 * reads.record(12.5);
 * reads.summary().p99;
 */
export function createLatencyRecorder(): LatencyRecorder {
  let histogram: Histogram | undefined;
  const h = () => (histogram ??= createHistogram({ relativeError: 0.01 }));
  return {
    record(micros) {
      if (!(micros >= 0)) return;
      const hist = h();
      hist.record(Math.min(micros, hist.maxValue));
    },
    summary() {
      const hist = h();
      if (hist.count === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
      const [p50, p90, p99, p999] = hist.quantiles(QUANTILES);
      return { count: hist.count, p50, p90, p99, p999, max: hist.max, mean: hist.mean };
    },
    reset() {
      histogram?.reset();
    },
  };
}
