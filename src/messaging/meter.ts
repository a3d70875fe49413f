/**
 * The one place the processor reports measurements: every finished attempt goes through
 * `MessageMeter.record(agent, messageType, elapsedMs, errorCode)`.
 *
 * `createMonitorMeter()` (the default) feeds the performance monitor: `message_latency`
 * (ms, labels `agent` and `message_type`, failures flagged as errors, so response time,
 * throughput and error rate exist per agent and type) and `message_errors` (count, labels
 * `agent`, `message_type`, `code`). The hot path only writes into a per-series buffer; the
 * buffer goes to the monitor when full or on a short timer, so a burst of messages costs one
 * lookup and two stores each. Bounded: at most `maxSeries` agent/type pairs are buffered;
 * the rest share the `agent="other"` series.
 */
import { getPerformanceMonitor, type PerformanceMonitor } from '../metrics/index.ts';

/** Receives one call per finished attempt; must be cheap (it is on the hot path). */
export interface MessageMeter {
  /**
   * @param agent the recipient agent that handled (or failed) the message
   * @param elapsedMs from acceptance to the attempt's end, queueing included
   * @param errorCode undefined on success, else the error's stable code
   */
  record(agent: string, messageType: string, elapsedMs: number, errorCode: string | undefined): void;
  /** Pushes anything buffered to its destination. */
  flush?(): void;
}

/** A meter that measures nothing. */
export const NOOP_METER: MessageMeter = { record() {} };

export const MESSAGE_LATENCY_METRIC = 'message_latency';
export const MESSAGE_ERRORS_METRIC = 'message_errors';

export interface MonitorMeterOptions {
  /** Values buffered per series before they are handed over. Default 256. */
  bufferSize?: number;
  /** Longest a value waits in a buffer (ms). Default 100. */
  flushInterval?: number;
  /** Agent/type pairs buffered separately. Default 1,000. */
  maxSeries?: number;
}

interface MeterSeries {
  readonly ok: { tags: Record<string, string>; unit: 'ms' };
  readonly failed: { tags: Record<string, string>; unit: 'ms'; error: true };
  readonly errorTags: Map<string, { tags: Record<string, string>; unit: 'count' }>;
  readonly values: Float64Array;
  /** Error code per buffered value, undefined for a success. */
  readonly codes: (string | undefined)[];
  n: number;
  /** The monitor refused these labels (e.g. an agent id shaped like an email): skip. */
  refused: boolean;
}

const OTHER = 'other';

/**
 * @example
 * const processor = new MessageProcessor({ meter: createMonitorMeter(getPerformanceMonitor()) });
 */
export function createMonitorMeter(monitor: PerformanceMonitor = getPerformanceMonitor(), options: MonitorMeterOptions = {}): MessageMeter & { flush(): void; refused: number } {
  const bufferSize = options.bufferSize ?? 256;
  const flushInterval = options.flushInterval ?? 100;
  const maxSeries = options.maxSeries ?? 1_000;
  const byAgent = new Map<string, Map<string, MeterSeries>>();
  const dirty: MeterSeries[] = [];
  let count = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function open(agent: string, messageType: string): MeterSeries {
    const tags = { agent, message_type: messageType };
    const series: MeterSeries = {
      ok: { tags, unit: 'ms' },
      failed: { tags, unit: 'ms', error: true },
      errorTags: new Map(),
      values: new Float64Array(bufferSize),
      codes: new Array(bufferSize).fill(undefined),
      n: 0,
      refused: false,
    };
    count++;
    return series;
  }

  function lookup(agent: string, messageType: string): MeterSeries {
    let types = byAgent.get(agent);
    let series = types?.get(messageType);
    if (series) return series;
    if (count >= maxSeries) {
      if (agent !== OTHER) return lookup(OTHER, OTHER);
      // The overflow series itself is always allowed.
    }
    if (!types) byAgent.set(agent, (types = new Map()));
    series = open(agent, messageType);
    types.set(messageType, series);
    return series;
  }

  function drain(series: MeterSeries): void {
    const n = series.n;
    series.n = 0;
    if (series.refused) return;
    try {
      for (let i = 0; i < n; i++) {
        const code = series.codes[i];
        if (code === undefined) {
          monitor.recordMetric(MESSAGE_LATENCY_METRIC, series.values[i], series.ok);
        } else {
          series.codes[i] = undefined;
          monitor.recordMetric(MESSAGE_LATENCY_METRIC, series.values[i], series.failed);
          let errorOptions = series.errorTags.get(code);
          if (!errorOptions) {
            errorOptions = { tags: { ...series.ok.tags, code }, unit: 'count' };
            if (series.errorTags.size < 64) series.errorTags.set(code, errorOptions);
          }
          monitor.recordMetric(MESSAGE_ERRORS_METRIC, 1, errorOptions);
        }
      }
    } catch {
      // Labels the monitor refuses (an agent id shaped like a personal identifier) are never
      // retried; measurement must not break message handling.
      series.refused = true;
      meter.refused++;
    }
  }

  function flush(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    for (const series of dirty) drain(series);
    dirty.length = 0;
  }

  const meter = {
    refused: 0,
    record(agent: string, messageType: string, elapsedMs: number, errorCode: string | undefined): void {
      const series = lookup(agent, messageType);
      if (series.n === 0) dirty.push(series);
      series.values[series.n] = elapsedMs > 0 ? elapsedMs : 0;
      series.codes[series.n] = errorCode;
      if (++series.n === bufferSize) {
        drain(series);
        series.n = 0;
        dirty.splice(dirty.indexOf(series), 1);
      }
      if (timer === undefined && dirty.length > 0) timer = setTimeout(flush, flushInterval);
    },
    flush,
  };
  return meter;
}

/**
 * The processor's default meter: the isolate's performance monitor.
 *
 * @example
 * const processor = new MessageProcessor({ meter: createMessageMeter() });
 */
export function createMessageMeter(): MessageMeter {
  return createMonitorMeter(getPerformanceMonitor());
}
