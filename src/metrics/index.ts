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
  type AgentStats,
  type AgentWindowStats,
  type MetricOptions,
  type MetricStats,
  type MonitorOptions,
  type SeriesStats,
  type SystemMetrics,
  type Tags,
} from './monitor.ts';
export { DEFAULT_ALERT_RULES, type ActiveAlert, type AlertCallback, type AlertEvent, type AlertRule } from './alerts.ts';
export { createWebhook, type Webhook, type WebhookOptions } from './webhook.ts';
export { type ExportFormat, type JsonExport, type SeriesExport } from './export.ts';
export { formatPrometheusHistogram, PROMETHEUS_CONTENT_TYPE } from './prometheus.ts';
export { agentLabel, createRequestTimer, withTiming, type RequestTimer, type TimingOptions } from './with-timing.ts';
