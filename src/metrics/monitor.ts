/**
 * The performance monitor: every request, message, query and anonymization is measured
 * through it. Each metric series (name + labels) is a set of WASM histograms over time
 * (`series.ts`), so any quantile is within the configured relative error (1% by default),
 * since start and over the last 1 and 5 minutes.
 *
 * On top of the series: per-agent stats (series labelled `agent`), system metrics (process
 * memory and CPU, event-loop delay on Node, WASM memory), alert rules evaluated on a timer
 * (`start()`), and export as JSON or Prometheus text (`exportMetrics`).
 *
 * One monitor per isolate: `getPerformanceMonitor()`. Tests and embedders may build their
 * own with `createPerformanceMonitor({clock})`.
 */
import { platform } from '#platform';
import type { EventLoopDelayMonitor } from '../platform/types.ts';
import { ValidationError } from '../shared/errors.ts';
import { AlertManager, DEFAULT_ALERT_RULES, type ActiveAlert, type AlertCallback, type AlertEvent, type AlertRule } from './alerts.ts';
import { invalidValue } from './errors.ts';
import { createHistogram, DEFAULT_MAX_VALUE, DEFAULT_RELATIVE_ERROR, histogramMemory, histogramOptions } from './histogram.ts';
import { checkLabels, checkMetricName, seriesKey, sortedLabelKeys } from './labels.ts';
import { Series, type AgentRecord, type Labels, type Window } from './series.ts';
import { statsOf, type MetricStats } from './stats.ts';
import { exportMetrics, type ExportFormat, type JsonExport } from './export.ts';

export { statsOf, type MetricStats };

export type Tags = Record<string, string>;

export interface MonitorOptions {
  /** Wall clock in ms since the epoch (windows and rates); default `Date.now`. */
  clock?: () => number;
  /** High-resolution timer in ms for `measureTime`; default `performance.now`. */
  timer?: () => number;
  /** Most series kept; records for new series beyond it are dropped and counted. Default 1000. */
  maxSeries?: number;
  /** Relative error of every histogram; default 0.01. */
  relativeError?: number;
  /** Largest value a metric accepts; default 3.6e9. */
  maxValue?: number;
  /** Series whose records are an agent's messages (response time, throughput, errors). Default 'message_latency'. */
  agentMetric?: string;
  /** Series of HTTP requests (recorded by the front door or `withTiming`). Default 'http_request_duration'. */
  requestMetric?: string;
  /** Alert rules; default the seed's three (`DEFAULT_ALERT_RULES`). */
  alertRules?: readonly AlertRule[];
  /** How often `start()` samples the system and evaluates alerts, in ms. Default 5000. */
  intervalMs?: number;
}

export interface MetricOptions {
  tags?: Tags;
  /** Unit of the value, e.g. 'ms' (the default), 'us', 's', 'bytes', 'percent', 'count'. */
  unit?: string;
  /** Marks the measured operation as failed (counts toward error rates). */
  error?: boolean;
}

/** A recorder bound to one series (see `PerformanceMonitor.recorder`). */
export interface MetricRecorder {
  record(value: number, error?: boolean): void;
}

export interface SeriesStats extends MetricStats {
  name: string;
  tags: Labels;
  unit: string;
  /** Start and end (ms since the epoch) of the data the figures cover. */
  from: number;
  to: number;
}

/** An agent's figures over one window. Response times in ms. */
export interface AgentWindowStats {
  responseTime: { count: number; avg: number | null; min: number | null; max: number | null; p50: number | null; p90: number | null; p95: number | null; p99: number | null };
  /** Messages per second. */
  throughput: number;
  /** Percent of messages that failed, and that did not. */
  errorRate: number;
  successRate: number;
}

export interface AgentStats extends AgentWindowStats {
  agentId: string;
  /** Which measurements the top-level figures come from. */
  source: 'messages' | 'requests';
  firstSeen: number;
  lastSeen: number;
  /** Seen within the last 5 minutes. */
  active: boolean;
  windows: { '1m': AgentWindowStats; '5m': AgentWindowStats };
  /** The agent's HTTP requests (by `X-Agent-Id`), when there are any. */
  requests: AgentWindowStats | null;
  /** Last values the agent reported as `agent_memory_bytes` / `agent_cpu_percent`. */
  memoryBytes: number | null;
  cpuPercent: number | null;
}

export interface SystemMetrics {
  runtime: 'node' | 'workerd';
  timestamp: number;
  uptimeSeconds: number;
  memory: { rss: number | null; heapUsed: number | null; heapTotal: number | null; external: number | null; heapLimit: number | null; usagePercent: number | null };
  cpu: { userMicros: number; systemMicros: number; percent: number | null } | null;
  /** Node only (null in Workers), over the last sampling interval. */
  eventLoopDelay: { mean: number; p50: number; p99: number; max: number } | null;
  /** WASM memory of the histograms. */
  histograms: { bytesInUse: number; memoryBytes: number };
  activeAgents: number;
  totalMessages: number;
  totalRequests: number;
  /** Response times of every request and message, in ms. */
  responseTime: { total: MetricStats; '1m': MetricStats; '5m': MetricStats };
  series: { count: number; max: number; droppedRecords: number };
}

export const DEFAULT_MAX_SERIES = 1000;

interface IndexNode {
  series: Series | undefined;
  next: Map<string, IndexNode> | undefined;
}

/** Scratch for sorted label keys (records are synchronous, so one array serves them all). */
const KEYS: string[] = [];
const ACTIVE_MS = 300_000;
const STATS = ['mean', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'p999', 'count', 'rate', 'error_rate'] as const;
const AGENT_MEMORY = 'agent_memory_bytes';
const AGENT_CPU = 'agent_cpu_percent';

function agentWindow(s: MetricStats): AgentWindowStats {
  const n = s.count;
  return {
    responseTime: { count: n, avg: s.mean, min: s.min, max: s.max, p50: s.p50, p90: s.p90, p95: s.p95, p99: s.p99 },
    throughput: s.ratePerSecond,
    errorRate: n ? (100 * s.errors) / n : 0,
    successRate: n ? (100 * (n - s.errors)) / n : 100,
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}


interface SystemSample {
  at: number;
  cpuMicros: number | undefined;
  cpuPercent: number | null;
  eventLoopDelay: SystemMetrics['eventLoopDelay'];
}

/** See the module doc. */
export class PerformanceMonitor {
  readonly startedAt: number;
  readonly maxSeries: number;
  readonly relativeError: number;
  readonly maxValue: number;
  readonly agentMetric: string;
  readonly requestMetric: string;
  readonly intervalMs: number;
  /** Records refused because the series limit was reached. */
  droppedRecords = 0;
  readonly alerts: AlertManager;
  protected readonly clock: () => number;
  protected readonly timer: () => number;
  #series = new Map<string, Series>();
  /**
   * The same series as a tree of maps: name, then each label key and value in key order. Finding
   * a series walks the caller's own strings (whose hashes V8 caches) instead of building and
   * hashing a joined key on every record.
   */
  #index = new Map<string, IndexNode>();
  #agents = new Map<string, AgentRecord>();
  #interval: ReturnType<typeof setInterval> | undefined;
  #eventLoop: EventLoopDelayMonitor | undefined;
  #sample: SystemSample | undefined;
  /** Bumped by `clear()`, so recorders drop the series they hold. */
  #generation = 0;

  constructor(options: MonitorOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.timer = options.timer ?? (() => performance.now());
    const { relativeError, maxValue } = histogramOptions({
      relativeError: options.relativeError ?? DEFAULT_RELATIVE_ERROR,
      maxValue: options.maxValue ?? DEFAULT_MAX_VALUE,
    });
    this.relativeError = relativeError;
    this.maxValue = maxValue;
    const maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    if (!Number.isSafeInteger(maxSeries) || maxSeries < 1) throw new ValidationError('maxSeries must be a positive integer', 'maxSeries');
    this.maxSeries = maxSeries;
    this.agentMetric = checkMetricName(options.agentMetric ?? 'message_latency', 'agentMetric');
    this.requestMetric = checkMetricName(options.requestMetric ?? 'http_request_duration', 'requestMetric');
    const intervalMs = options.intervalMs ?? 5000;
    if (!(intervalMs >= 10)) throw new ValidationError('intervalMs must be at least 10', 'intervalMs');
    this.intervalMs = intervalMs;
    this.alerts = new AlertManager(options.alertRules ?? DEFAULT_ALERT_RULES);
    this.startedAt = this.clock();
  }

  get running(): boolean {
    return this.#interval !== undefined;
  }

  /**
   * Samples the system and evaluates alerts every `intervalMs` until `stop()`. The timer does
   * not keep a Node process alive. Idempotent.
   */
  start(): this {
    if (this.#interval !== undefined) return this;
    this.#eventLoop = platform.eventLoopDelay();
    this.sampleSystem();
    this.#interval = setInterval(() => this.tick(), this.intervalMs);
    (this.#interval as { unref?: () => void }).unref?.();
    return this;
  }

  /** Stops the timer; recorded data stays. Idempotent. */
  stop(): this {
    if (this.#interval !== undefined) clearInterval(this.#interval);
    this.#interval = undefined;
    this.#eventLoop?.stop();
    this.#eventLoop = undefined;
    return this;
  }

  /** One timer step: sample the system, then evaluate alerts. Returns the alert events. */
  tick(): AlertEvent[] {
    this.sampleSystem();
    return this.evaluateAlerts();
  }

  /**
   * Records one measurement. Throws `ValidationError` for a bad name, label or value (naming
   * it) and records nothing; a new series beyond `maxSeries` is dropped and counted.
   *
   * @example
   * monitor.recordMetric('db_query', 1.7, { tags: { statement: 'select_consent' }, unit: 'ms' });
   */
  recordMetric(name: string, value: number, options: MetricOptions = {}): void {
    if (typeof value !== 'number' || !(value >= 0 && value <= this.maxValue)) throw invalidValue(value, this.maxValue);
    const tags = options.tags;
    let series = this.#find(name, tags);
    if (series === undefined) {
      series = this.#open(name, tags, options.unit, tags ? seriesKey(name, tags) : name);
      if (series === undefined) return;
    } else if (options.unit !== undefined && options.unit !== series.unit) {
      throw new ValidationError(`metric ${name} is recorded in ${series.unit}, not ${options.unit}`, 'unit');
    }
    const now = this.clock();
    const error = options.error === true;
    series.record(value, error, now);
    if (series.agent !== undefined) this.#touchAgent(series, value, now);
  }

  /**
   * A recorder bound to one series: `record(value, error?)` skips the name and label handling
   * of `recordMetric` (for hot paths such as per-request timing). Labels are checked now; the
   * series is created on the first record (and counted as dropped if the series limit is hit).
   *
   * @example
   * const rec = monitor.recorder('db_query', { tags: { statement: 'select_consent' } });
   * rec.record(1.2);
   */
  recorder(name: string, options: Omit<MetricOptions, 'error'> = {}): MetricRecorder {
    checkMetricName(name);
    const tags = checkLabels(options.tags);
    const unit = options.unit;
    const key = seriesKey(name, tags);
    let series: Series | undefined;
    let generation = -1;
    return {
      record: (value: number, error = false): void => {
        if (typeof value !== 'number' || !(value >= 0 && value <= this.maxValue)) throw invalidValue(value, this.maxValue);
        if (generation !== this.#generation || series === undefined) {
          series = this.#series.get(key) ?? this.#open(name, tags, unit, key);
          if (series === undefined) return;
          if (unit !== undefined && unit !== series.unit) throw new ValidationError(`metric ${name} is recorded in ${series.unit}, not ${unit}`, 'unit');
          generation = this.#generation;
        }
        const now = this.clock();
        series.record(value, error, now);
        if (series.agent !== undefined) this.#touchAgent(series, value, now);
      },
    };
  }

  /**
   * Times `fn` (sync or async) in milliseconds under `name`; a throw or rejection is recorded
   * as an error and passed on. Returns what `fn` returns.
   *
   * @example
   * const rows = await monitor.measureTime('db_query', { statement: 'list_consents' }, () => db.all(sql));
   */
  measureTime<T>(name: string, tags: Tags | undefined, fn: () => T): T {
    const t0 = this.timer();
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.recordMetric(name, Math.max(0, this.timer() - t0), { tags, unit: 'ms', error: true });
      throw err;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => {
          this.recordMetric(name, Math.max(0, this.timer() - t0), { tags, unit: 'ms' });
          return value;
        },
        (err: unknown) => {
          this.recordMetric(name, Math.max(0, this.timer() - t0), { tags, unit: 'ms', error: true });
          throw err;
        },
      ) as T;
    }
    this.recordMetric(name, Math.max(0, this.timer() - t0), { tags, unit: 'ms' });
    return result;
  }

  /**
   * Figures of every series named `name` (all series when omitted) over the data since
   * `since` (ms since the epoch; default: since start). Resolution: 10 s within the last
   * minute, 1 min within the last 5 minutes; older `since` values cover the whole run.
   * Each entry's `from` says where its data really starts.
   */
  getMetrics(name?: string, since?: number): SeriesStats[] {
    if (name !== undefined) checkMetricName(name);
    if (since !== undefined && (typeof since !== 'number' || !Number.isFinite(since))) {
      throw new ValidationError('since must be a time in ms since the epoch', 'since');
    }
    const now = this.clock();
    const window = windowFor(since, now);
    const out: SeriesStats[] = [];
    for (const series of this.#series.values()) {
      if (name !== undefined && series.name !== name) continue;
      const snap = series.snapshot(window, now);
      try {
        const stats = statsOf(snap.h, snap.errors, Math.max(0.001, (now - snap.from) / 1000));
        out.push({ name: series.name, tags: series.labels, unit: series.unit, ...stats, from: snap.from, to: now });
      } finally {
        snap.h.close();
      }
    }
    return out;
  }

  /** Stats of the union of `series` over `window` (one merged histogram). */
  #merged(series: Iterable<Series>, window: Window, now: number): MetricStats {
    using h = createHistogram({ relativeError: this.relativeError, maxValue: this.maxValue });
    let errors = 0;
    let from = now;
    for (const s of series) {
      const snap = s.snapshot(window, now);
      h.merge(snap.h);
      snap.h.close();
      errors += snap.errors;
      from = Math.min(from, snap.from);
    }
    const seconds = window === '1m' ? Math.min(60, (now - this.startedAt) / 1000) : window === '5m' ? Math.min(300, (now - this.startedAt) / 1000) : (now - from) / 1000;
    return statsOf(h, errors, Math.max(0.001, seconds));
  }

  #named(name: string): Series[] {
    return [...this.#series.values()].filter((s) => s.name === name);
  }

  /**
   * An agent's response time, throughput, error and success rates (since start and over the
   * last 1 and 5 minutes), from its `agentMetric` series (messages it handled) or, when it has
   * none, its requests; plus memory and CPU when the agent reports them. Undefined for an
   * agent never seen.
   *
   * @example
   * monitor.getAgentStats('custodian-1')?.responseTime.p99;
   */
  getAgentStats(agentId: string): AgentStats | undefined {
    const agent = this.#agents.get(agentId);
    if (!agent) return undefined;
    const now = this.clock();
    const messages = agent.series.filter((s) => s.name === this.agentMetric);
    const requests = agent.series.filter((s) => s.name === this.requestMetric);
    const useMessages = messages.some((s) => s.count > 0) || !requests.some((s) => s.count > 0);
    const source = useMessages ? messages : requests;
    const total = agentWindow(this.#merged(source, 'total', now));
    // Throughput since start counts from when the agent was first seen.
    const totalSeconds = Math.max(0.001, (now - agent.firstSeen) / 1000);
    total.throughput = total.responseTime.count / totalSeconds;
    return {
      agentId,
      source: useMessages ? 'messages' : 'requests',
      ...total,
      firstSeen: agent.firstSeen,
      lastSeen: agent.lastSeen,
      active: now - agent.lastSeen <= ACTIVE_MS,
      windows: { '1m': agentWindow(this.#merged(source, '1m', now)), '5m': agentWindow(this.#merged(source, '5m', now)) },
      requests: requests.length && useMessages ? agentWindow(this.#merged(requests, 'total', now)) : null,
      memoryBytes: agent.memoryBytes,
      cpuPercent: agent.cpuPercent,
    };
  }

  /** Ids of the agents seen (most recently seen first). */
  agentIds(): string[] {
    return [...this.#agents.entries()].sort((a, b) => b[1].lastSeen - a[1].lastSeen).map(([id]) => id);
  }

  /** Takes a system sample now (the timer does this every `intervalMs`). */
  sampleSystem(): void {
    const now = this.clock();
    const stats = platform.processStats();
    const cpu = stats.cpuMicros ? stats.cpuMicros.user + stats.cpuMicros.system : undefined;
    const prev = this.#sample;
    let cpuPercent: number | null = null;
    if (prev && cpu !== undefined && prev.cpuMicros !== undefined && now > prev.at) {
      cpuPercent = (100 * (cpu - prev.cpuMicros)) / ((now - prev.at) * 1000);
    }
    const eventLoopDelay = this.#eventLoop?.read() ?? prev?.eventLoopDelay ?? null;
    this.#sample = { at: now, cpuMicros: cpu, cpuPercent, eventLoopDelay };
  }

  /**
   * Process memory and CPU, event-loop delay (Node), WASM memory, active agents, totals, and
   * system-wide response times (every request and message).
   */
  getSystemMetrics(): SystemMetrics {
    if (!this.#sample) this.sampleSystem();
    const now = this.clock();
    const stats = platform.processStats();
    const m = stats.memory;
    const sample = this.#sample!;
    const responses = [...this.#series.values()].filter((s) => s.name === this.agentMetric || s.name === this.requestMetric);
    let totalMessages = 0;
    let totalRequests = 0;
    for (const s of responses) {
      if (s.name === this.agentMetric) totalMessages += s.count;
      else totalRequests += s.count;
    }
    let activeAgents = 0;
    for (const a of this.#agents.values()) if (now - a.lastSeen <= ACTIVE_MS) activeAgents++;
    const wasm = histogramMemory();
    return {
      runtime: platform.name,
      timestamp: now,
      uptimeSeconds: (now - this.startedAt) / 1000,
      memory: {
        rss: m.rss ?? null,
        heapUsed: m.heapUsed ?? null,
        heapTotal: m.heapTotal ?? null,
        external: m.external ?? null,
        heapLimit: m.heapLimit ?? null,
        usagePercent: m.heapUsed !== undefined && m.heapLimit ? (100 * m.heapUsed) / m.heapLimit : null,
      },
      cpu: stats.cpuMicros ? { userMicros: stats.cpuMicros.user, systemMicros: stats.cpuMicros.system, percent: sample.cpuPercent } : null,
      eventLoopDelay: sample.eventLoopDelay,
      histograms: { bytesInUse: wasm.bytesInUse, memoryBytes: wasm.memoryBytes },
      activeAgents,
      totalMessages,
      totalRequests,
      responseTime: { total: this.#merged(responses, 'total', now), '1m': this.#merged(responses, '1m', now), '5m': this.#merged(responses, '5m', now) },
      series: { count: this.#series.size, max: this.maxSeries, droppedRecords: this.droppedRecords },
    };
  }

  /**
   * The current value of an alert signal, or undefined when there is no data:
   *   response_time / response_time_p99: mean / p99 of every request and message, last minute (ms)
   *   error_rate: percent of requests and messages that failed, last minute
   *   memory_usage: heap used as a percent of the heap limit (Node)
   *   cpu_usage: CPU percent over the last sampling interval
   *   event_loop_delay: p99 event-loop delay over the last interval (ms, Node)
   *   <metric> or <metric>:<stat>: a series' mean (or min, max, p50, p90, p95, p99, p999,
   *   count, rate, error_rate) over the last minute, all its label sets merged.
   */
  signal(metric: string): number | undefined {
    const now = this.clock();
    const sample = this.#sample;
    switch (metric) {
      case 'response_time':
      case 'response_time_p99':
      case 'error_rate': {
        const s = this.#merged([...this.#named(this.agentMetric), ...this.#named(this.requestMetric)], '1m', now);
        if (s.count === 0) return undefined;
        return metric === 'error_rate' ? (100 * s.errors) / s.count : metric === 'response_time' ? s.mean! : s.p99!;
      }
      case 'memory_usage': {
        const m = platform.processStats().memory;
        return m.heapUsed !== undefined && m.heapLimit ? (100 * m.heapUsed) / m.heapLimit : undefined;
      }
      case 'cpu_usage':
        return sample?.cpuPercent ?? undefined;
      case 'event_loop_delay':
        return sample?.eventLoopDelay?.p99;
    }
    const [name, stat = 'mean'] = metric.split(':');
    if (!(STATS as readonly string[]).includes(stat)) return undefined;
    const series = this.#named(name);
    if (series.length === 0) return undefined;
    const s = this.#merged(series, '1m', now);
    if (s.count === 0) return stat === 'count' || stat === 'rate' ? 0 : undefined;
    switch (stat as (typeof STATS)[number]) {
      case 'count':
        return s.count;
      case 'rate':
        return s.ratePerSecond;
      case 'error_rate':
        return (100 * s.errors) / s.count;
      default:
        return s[stat as 'mean'] ?? undefined;
    }
  }

  /** Evaluates every alert rule now; returns the events raised (also sent to callbacks). */
  evaluateAlerts(): AlertEvent[] {
    return this.alerts.evaluate((metric) => this.signal(metric), this.clock());
  }

  /**
   * Adds a rule that fires as soon as `metric` exceeds `value` (duration 0, action 'notify'),
   * named `<metric>_threshold`; calling it again replaces the threshold.
   */
  setAlertThreshold(metric: string, value: number): AlertRule {
    return this.alerts.addRule({ name: `${metric.replace(/[^A-Za-z0-9_.:-]/g, '_')}_threshold`, metric, threshold: value, duration: 0, action: 'notify' });
  }

  /** Adds (or replaces, by name) a rule `{name, metric, threshold, duration, action}`. */
  addAlertRule(rule: AlertRule): AlertRule {
    return this.alerts.addRule(rule);
  }

  /** Calls `fn` with every fired and resolved alert; returns a function that removes it. */
  addAlertCallback(fn: AlertCallback): () => void {
    return this.alerts.addCallback(fn);
  }

  /** Active alerts, the recent history and the rules. */
  getAlerts(): { active: ActiveAlert[]; history: AlertEvent[]; rules: AlertRule[] } {
    return { active: this.alerts.active(), history: this.alerts.history(), rules: this.alerts.rules() };
  }

  /**
   * Everything the monitor holds, as Prometheus text (format 0.0.4) or as a JSON-ready object
   * (see `export.ts`).
   *
   * @example
   * return new Response(monitor.exportMetrics('prometheus'), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } });
   */
  exportMetrics(format: 'prometheus'): string;
  exportMetrics(format: 'json'): JsonExport;
  exportMetrics(format: ExportFormat): string | JsonExport {
    if (format !== 'json' && format !== 'prometheus') throw new ValidationError("format must be 'json' or 'prometheus'", 'format');
    return exportMetrics(this, format, this.clock());
  }

  /** The unit of the series `name` + `tags`, if it exists. */
  seriesUnit(name: string, tags?: Tags): string | undefined {
    return this.#find(name, tags)?.unit;
  }

  /** Every series, for exporters. */
  series(): IterableIterator<Series> {
    return this.#series.values();
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  /** Bytes held by every series' histograms. */
  get footprint(): number {
    let bytes = 0;
    for (const s of this.#series.values()) bytes += s.footprint;
    return bytes;
  }

  /** Forgets every series and agent (tests, admin reset); rules and callbacks stay. */
  clear(): void {
    for (const s of this.#series.values()) s.close();
    this.#series.clear();
    this.#index.clear();
    this.#agents.clear();
    this.droppedRecords = 0;
    this.#generation++;
  }

  #find(name: string, tags: Tags | undefined): Series | undefined {
    let node = this.#index.get(name);
    if (node === undefined || tags === undefined) return node?.series;
    const n = sortedLabelKeys(tags, KEYS);
    for (let i = 0; i < n && node !== undefined; i++) {
      const k = KEYS[i];
      node = node.next?.get(k)?.next?.get(tags[k]);
    }
    return node?.series;
  }

  #insert(series: Series): void {
    let node = this.#index.get(series.name);
    if (!node) this.#index.set(series.name, (node = { series: undefined, next: undefined }));
    for (const k of Object.keys(series.labels)) {
      for (const token of [k, series.labels[k]]) {
        node.next ??= new Map();
        let child = node.next.get(token);
        if (!child) node.next.set(token, (child = { series: undefined, next: undefined }));
        node = child;
      }
    }
    node.series = series;
  }

  #touchAgent(series: Series, value: number, now: number): void {
    const agent = series.agentRecord;
    if (!agent) return;
    agent.lastSeen = now;
    if (series.name === AGENT_MEMORY) agent.memoryBytes = value;
    else if (series.name === AGENT_CPU) agent.cpuPercent = value;
  }

  #open(name: string, tags: Tags | undefined, unit: string | undefined, key: string): Series | undefined {
    checkMetricName(name);
    const labels = checkLabels(tags);
    if (unit !== undefined && (typeof unit !== 'string' || !/^[a-z%]{1,16}$/i.test(unit))) {
      throw new ValidationError('unit must be 1 to 16 letters (e.g. ms, bytes)', 'unit');
    }
    if (this.#series.size >= this.maxSeries) {
      this.droppedRecords++;
      return undefined;
    }
    const now = this.clock();
    const series = new Series(name, labels, unit ?? 'ms', key, now, { relativeError: this.relativeError, maxValue: this.maxValue });
    this.#series.set(key, series);
    this.#insert(series);
    if (series.agent !== undefined) {
      let agent = this.#agents.get(series.agent);
      if (!agent) this.#agents.set(series.agent, (agent = { firstSeen: now, lastSeen: now, series: [], memoryBytes: null, cpuPercent: null }));
      agent.series.push(series);
      series.agentRecord = agent;
    }
    return series;
  }
}

/** The window that answers "since `since`" at time `now`. */
export function windowFor(since: number | undefined, now: number): Window {
  if (since === undefined) return 'total';
  const age = now - since;
  if (age <= 60_000) return '1m';
  if (age <= 300_000) return '5m';
  return 'total';
}

/**
 * A monitor of your own (tests, embedders); most code wants `getPerformanceMonitor()`.
 *
 * @example
 * const monitor = createPerformanceMonitor({ clock: () => fakeNow });
 */
export function createPerformanceMonitor(options: MonitorOptions = {}): PerformanceMonitor {
  return new PerformanceMonitor(options);
}

let shared: PerformanceMonitor | undefined;

/**
 * The isolate's monitor, created on first use.
 *
 * @example
 * getPerformanceMonitor().recordMetric('message_latency', 3.2, { tags: { agent: 'custodian-1' } });
 */
export function getPerformanceMonitor(): PerformanceMonitor {
  return (shared ??= new PerformanceMonitor());
}
