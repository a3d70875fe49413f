/**
 * Figures of a histogram over a window, as the monitor reports them (JSON-safe: nulls, never
 * NaN, for an empty window).
 */
import type { Histogram } from './histogram.ts';

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];

/** Figures of one series over one window. Quantiles are within the relative error. */
export interface MetricStats {
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  /** Records per second over the window. */
  ratePerSecond: number;
}

/** Figures of a histogram, with nulls for an empty one (JSON-safe). */
export function statsOf(h: Histogram, errors: number, seconds: number): MetricStats {
  const n = h.count;
  if (n === 0) {
    return { count: 0, errors, sum: 0, min: null, max: null, mean: null, stddev: null, p50: null, p90: null, p95: null, p99: null, p999: null, ratePerSecond: 0 };
  }
  const [p50, p90, p95, p99, p999] = h.quantiles(QUANTILES);
  return { count: n, errors, sum: h.sum, min: h.min, max: h.max, mean: h.mean, stddev: h.stddev, p50, p90, p95, p99, p999, ratePerSecond: seconds > 0 ? n / seconds : 0 };
}

