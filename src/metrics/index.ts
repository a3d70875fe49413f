/**
 * Metrics: a log-linear histogram in WASM with a guaranteed relative error at every quantile
 * (`createHistogram`), its pure-TypeScript reference, and the isolate's performance monitor
 * (`getPerformanceMonitor`).
 */
export {
  createHistogram,
  deserializeHistogram,
  histogramMemory,
  DEFAULT_MAX_VALUE,
  DEFAULT_RELATIVE_ERROR,
  type Histogram,
  type HistogramJson,
  type HistogramOptions,
} from './histogram.ts';
export { HistogramError } from './errors.ts';
export { createReferenceHistogram, deserializeReferenceHistogram, ReferenceHistogram } from './reference.ts';
export {
  createPerformanceMonitor,
  getPerformanceMonitor,
  PerformanceMonitor,
  type MetricOptions,
  type MetricStats,
  type MonitorOptions,
  type SeriesStats,
  type Tags,
} from './monitor.ts';
