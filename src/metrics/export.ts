/**
 * `exportMetrics(monitor, 'prometheus' | 'json')`.
 *
 * Prometheus (text format 0.0.4): per metric, a histogram family since start
 * (`healthsync_<name>_<unit>`), a summary family over the last minute
 * (`healthsync_<name>_recent_<unit>{quantile=…}` with its `_sum` and `_count`), and
 * `healthsync_<name>_errors_total` when any of its series recorded a failure; then the
 * monitor's own gauges and counters (series, dropped records, agents, alerts, process memory
 * and CPU, event-loop delay, WASM memory). Families are sorted; every family has HELP and TYPE.
 *
 * JSON: every series with its figures since start and over the last 1 and 5 minutes and its
 * histogram since start (serialized, base64, mergeable with `deserializeHistogram`), the system
 * metrics and the alerts.
 */
import { toBase64 } from './base64.ts';
import type { PerformanceMonitor, SystemMetrics } from './monitor.ts';
import { statsOf, type MetricStats } from './stats.ts';
import { escapeHelp, formatLabels, formatValue, histogramSamples, PREFIX, sanitizeName, unitOf } from './prometheus.ts';
import type { Series } from './series.ts';

export type ExportFormat = 'json' | 'prometheus';

const SUMMARY_QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];
/** A unit at the end of a metric name ('lookup_ms'): dropped, the base-unit suffix replaces it. */
const UNIT_TAIL = /_(?:ms|msec|millis|milliseconds|us|usec|micros|microseconds|ns|nanos|nanoseconds|s|sec|secs|seconds|b|bytes|pct|percent)$/;

export interface SeriesExport {
  name: string;
  tags: Readonly<Record<string, string>>;
  unit: string;
  total: MetricStats;
  '1m': MetricStats;
  '5m': MetricStats;
  /** The since-start histogram, `serialize()`d and base64-encoded. */
  histogram: string;
}

export interface JsonExport {
  format: 'healthsync-metrics/1';
  timestamp: number;
  startedAt: number;
  relativeError: number;
  series: SeriesExport[];
  system: SystemMetrics;
  alerts: ReturnType<PerformanceMonitor['getAlerts']>;
}

interface Family {
  name: string;
  type: 'histogram' | 'summary' | 'counter' | 'gauge';
  help: string;
  lines: string[];
}

function family(families: Map<string, Family>, name: string, type: Family['type'], help: string): Family {
  let f = families.get(name);
  if (!f) families.set(name, (f = { name, type, help, lines: [] }));
  return f;
}

/** The monitor's data as Prometheus text or as a JSON-ready object. */
export function exportMetrics(monitor: PerformanceMonitor, format: 'prometheus', now?: number): string;
export function exportMetrics(monitor: PerformanceMonitor, format: 'json', now?: number): JsonExport;
export function exportMetrics(monitor: PerformanceMonitor, format: ExportFormat, now?: number): string | JsonExport;
export function exportMetrics(monitor: PerformanceMonitor, format: ExportFormat, now = Date.now()): string | JsonExport {
  if (format === 'json') return exportJson(monitor, now);
  return exportPrometheus(monitor, now);
}

function exportJson(monitor: PerformanceMonitor, now: number): JsonExport {
  const series: SeriesExport[] = [];
  for (const s of monitor.series()) {
    const windows = (['total', '1m', '5m'] as const).map((w) => {
      const snap = s.snapshot(w, now);
      try {
        return { stats: statsOf(snap.h, snap.errors, Math.max(0.001, (now - snap.from) / 1000)), bytes: w === 'total' ? snap.h.serialize() : undefined };
      } finally {
        snap.h.close();
      }
    });
    series.push({ name: s.name, tags: s.labels, unit: s.unit, total: windows[0].stats, '1m': windows[1].stats, '5m': windows[2].stats, histogram: toBase64(windows[0].bytes!) });
  }
  return {
    format: 'healthsync-metrics/1',
    timestamp: now,
    startedAt: monitor.startedAt,
    relativeError: monitor.relativeError,
    series,
    system: monitor.getSystemMetrics(),
    alerts: monitor.getAlerts(),
  };
}

function exportPrometheus(monitor: PerformanceMonitor, now: number): string {
  const families = new Map<string, Family>();
  const pct = `${(monitor.relativeError * 100).toPrecision(2).replace(/\.?0+$/, '')}%`;
  const byName = new Map<string, Series[]>();
  for (const s of monitor.series()) {
    const { suffix } = unitOf(s.unit);
    const base = `${PREFIX}${sanitizeName(s.name).replace(UNIT_TAIL, '')}`;
    const key = `${base}${suffix}`;
    let list = byName.get(key);
    if (!list) byName.set(key, (list = []));
    list.push(s);
  }
  const taken = new Set(byName.keys());
  const emitted = new Set<string>();
  for (const [name, list] of byName) {
    const { suffix, scale } = unitOf(list[0].unit);
    const base = name.slice(0, name.length - suffix.length);
    const hist = family(families, name, 'histogram', `${list[0].name} (${list[0].unit}${scale !== 1 ? ', exported in seconds' : ''}) since start; buckets are exact, quantiles within ${pct}`);
    const recentName = `${base}_recent${suffix}`;
    const recent = taken.has(recentName) ? undefined : family(families, recentName, 'summary', `${list[0].name} over the last minute; quantiles within ${pct}`);
    const errorsName = `${base}_errors_total`;
    const withErrors = !taken.has(errorsName) && list.some((s) => s.errors > 0);
    const errors = withErrors ? family(families, errorsName, 'counter', `${list[0].name} records flagged as failures`) : undefined;
    for (const s of list) {
      // Names that differ only in characters Prometheus cannot carry ('a.b', 'a_b') share a
      // family: the first series with a given label set wins, the others are left out.
      const identity = `${name}${formatLabels(s.labels)}`;
      if (emitted.has(identity)) continue;
      emitted.add(identity);
      const total = s.snapshot('total', now);
      try {
        hist.lines.push(histogramSamples(total.h, { name, labels: s.labels, scale }));
      } finally {
        total.h.close();
      }
      if (recent) {
        const last = s.snapshot('1m', now);
        try {
          const n = last.h.count;
          const qs = n ? last.h.quantiles(SUMMARY_QUANTILES) : undefined;
          let lines = '';
          SUMMARY_QUANTILES.forEach((q, i) => {
            lines += `${recentName}${formatLabels(s.labels, `quantile="${q}"`)} ${formatValue(qs ? qs[i] * scale : NaN)}\n`;
          });
          lines += `${recentName}_sum${formatLabels(s.labels)} ${formatValue(last.h.sum * scale)}\n${recentName}_count${formatLabels(s.labels)} ${n}\n`;
          recent.lines.push(lines);
        } finally {
          last.h.close();
        }
      }
      errors?.lines.push(`${errorsName}${formatLabels(s.labels)} ${s.errors}\n`);
    }
  }

  const gauge = (name: string, help: string, value: number | null | undefined, type: Family['type'] = 'gauge', labels: Record<string, string> = {}): void => {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    // A user metric of the same name keeps it; the monitor's own figure is then left out.
    const existing = families.get(`${PREFIX}${name}`);
    if (existing && existing.type !== type) return;
    family(families, `${PREFIX}${name}`, type, help).lines.push(`${PREFIX}${name}${formatLabels(labels)} ${formatValue(value)}\n`);
  };
  const sys = monitor.getSystemMetrics();
  gauge('metric_series', 'Metric series held by the monitor', sys.series.count);
  gauge('metric_series_max', 'Most metric series the monitor holds', sys.series.max);
  gauge('metric_records_dropped_total', 'Records dropped because the series limit was reached', sys.series.droppedRecords, 'counter');
  gauge('active_agents', 'Agents seen in the last 5 minutes', sys.activeAgents);
  gauge('process_resident_memory_bytes', 'Resident set size', sys.memory.rss);
  gauge('process_heap_used_bytes', 'JavaScript heap in use', sys.memory.heapUsed);
  gauge('process_heap_limit_bytes', 'Most the JavaScript heap may grow to', sys.memory.heapLimit);
  if (sys.cpu) gauge('process_cpu_seconds_total', 'User and system CPU time', (sys.cpu.userMicros + sys.cpu.systemMicros) / 1e6, 'counter');
  gauge('event_loop_delay_p99_seconds', 'p99 event-loop delay over the last sampling interval', sys.eventLoopDelay ? sys.eventLoopDelay.p99 / 1000 : null);
  gauge('metrics_wasm_bytes', 'WASM memory held by the monitor histograms', sys.histograms.bytesInUse);
  const active = new Set(monitor.alerts.active().map((a) => a.rule));
  for (const rule of monitor.alerts.rules()) {
    gauge('alert_active', 'Whether an alert rule is firing (1) or not (0)', active.has(rule.name) ? 1 : 0, 'gauge', { rule: rule.name, action: rule.action });
  }

  let out = '';
  for (const name of [...families.keys()].sort()) {
    const f = families.get(name)!;
    if (f.lines.length === 0) continue;
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n${f.lines.join('')}`;
  }
  return out;
}
