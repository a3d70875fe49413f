/**
 * The performance monitor: every request, message, query and anonymization is measured
 * through it. Each metric series (name + labels) is a set of WASM histograms over time
 * (`series.ts`), so any quantile is within the configured relative error (1% by default),
 * since start and over the last 1 and 5 minutes.
 *
 * One monitor per isolate: `getPerformanceMonitor()`. Tests and embedders may build their
 * own with `createPerformanceMonitor({clock})`.
 */
import { ValidationError } from '../shared/errors.ts';
import { invalidValue } from './errors.ts';
import { DEFAULT_MAX_VALUE, DEFAULT_RELATIVE_ERROR, histogramOptions, type Histogram } from './histogram.ts';
import { checkLabels, checkMetricName, seriesKey } from './labels.ts';
import { Series, type Labels, type Window } from './series.ts';

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
}

export interface MetricOptions {
  tags?: Tags;
  /** Unit of the value, e.g. 'ms' (the default), 'us', 's', 'bytes', 'percent', 'count'. */
  unit?: string;
  /** Marks the measured operation as failed (counts toward error rates). */
  error?: boolean;
}

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

export interface SeriesStats extends MetricStats {
  name: string;
  tags: Labels;
  unit: string;
  /** Start and end (ms since the epoch) of the data the figures cover. */
  from: number;
  to: number;
}

export const DEFAULT_MAX_SERIES = 1000;
const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];

/** Figures of a histogram, with nulls for an empty one (JSON-safe). */
export function statsOf(h: Histogram, errors: number, seconds: number): MetricStats {
  const n = h.count;
  if (n === 0) {
    return {
      count: 0, errors, sum: 0, min: null, max: null, mean: null, stddev: null,
      p50: null, p90: null, p95: null, p99: null, p999: null, ratePerSecond: 0,
    };
  }
  const [p50, p90, p95, p99, p999] = h.quantiles(QUANTILES);
  return {
    count: n, errors, sum: h.sum, min: h.min, max: h.max, mean: h.mean, stddev: h.stddev,
    p50, p90, p95, p99, p999, ratePerSecond: seconds > 0 ? n / seconds : 0,
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** See the module doc. */
export class PerformanceMonitor {
  readonly startedAt: number;
  readonly maxSeries: number;
  readonly relativeError: number;
  readonly maxValue: number;
  /** Records refused because the series limit was reached. */
  droppedRecords = 0;
  protected readonly clock: () => number;
  protected readonly timer: () => number;
  #series = new Map<string, Series>();
  #running = false;

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
    this.startedAt = this.clock();
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts background work (system sampling, alert evaluation). Idempotent. */
  start(): this {
    this.#running = true;
    return this;
  }

  /** Stops background work; recorded data stays. Idempotent. */
  stop(): this {
    this.#running = false;
    return this;
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
    const key = tags ? seriesKey(name, tags) : name;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = this.#open(name, tags, options.unit, key);
      if (series === undefined) return;
    } else if (options.unit !== undefined && options.unit !== series.unit) {
      throw new ValidationError(`metric ${name} is recorded in ${series.unit}, not ${options.unit}`, 'unit');
    }
    const now = this.clock();
    series.record(value, options.error === true, now);
    this.onRecord(series, value, options.error === true, now);
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
      out.push(this.seriesStats(series, window, now));
    }
    return out;
  }

  /** @internal Figures of one series over a window. */
  protected seriesStats(series: Series, window: Window, now: number): SeriesStats {
    const snap = series.snapshot(window, now);
    try {
      const seconds = Math.max(0.001, (now - snap.from) / 1000);
      return { name: series.name, tags: series.labels, unit: series.unit, ...statsOf(snap.h, snap.errors, seconds), from: snap.from, to: now };
    } finally {
      snap.h.close();
    }
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

  /** Hook for subclasses and features that follow each record (agent stats, alerts). */
  protected onRecord(_series: Series, _value: number, _error: boolean, _now: number): void {}

  /** Forgets every series (tests, admin reset). */
  clear(): void {
    for (const s of this.#series.values()) s.close();
    this.#series.clear();
    this.droppedRecords = 0;
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
    const series = new Series(name, labels, unit ?? 'ms', key, this.clock(), {
      relativeError: this.relativeError,
      maxValue: this.maxValue,
    });
    this.#series.set(key, series);
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
