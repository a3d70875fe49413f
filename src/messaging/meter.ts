/**
 * The one place the processor reports measurements: every finished attempt goes through
 * `MessageMeter.record(agent, messageType, elapsedMs, errorCode)`.
 *
 * `createMonitorMeter()` (the default) feeds the performance monitor: `message_latency`
 * (ms, labels `agent` and `message_type`, failures flagged as errors — the series the monitor's
 * `getAgentStats` reads for response time, throughput and error rate) and `message_errors`
 * (count, labels `agent`, `message_type`, `code`). Each agent/type pair gets the monitor's
 * bound recorders once, so a message costs two map lookups and one histogram record.
 * Bounded: at most `maxSeries` pairs; the rest share the `agent="other"` series.
 */
import { getPerformanceMonitor, type MetricRecorder, type PerformanceMonitor } from '../metrics/monitor.ts';

/** Receives one call per finished attempt; must be cheap (it is on the hot path). */
export interface MessageMeter {
  /**
   * @param agent the recipient agent that handled (or failed) the message
   * @param elapsedMs from acceptance to the attempt's end, queueing included
   * @param errorCode undefined on success, else the error's stable code
   */
  record(agent: string, messageType: string, elapsedMs: number, errorCode: string | undefined): void;
}

/** A meter that measures nothing. */
export const NOOP_METER: MessageMeter = { record() {} };

export const MESSAGE_LATENCY_METRIC = 'message_latency';
export const MESSAGE_ERRORS_METRIC = 'message_errors';

export interface MonitorMeterOptions {
  /** Agent/type pairs measured separately. Default 1,000. */
  maxSeries?: number;
}

interface MeterSeries {
  readonly latency: MetricRecorder | undefined;
  readonly tags: Record<string, string>;
  readonly errors: Map<string, MetricRecorder | undefined>;
}

const OTHER = 'other';
const MAX_CODES = 64;

/**
 * @example
 * const processor = new MessageProcessor({ meter: createMonitorMeter(getPerformanceMonitor()) });
 */
export function createMonitorMeter(monitor: PerformanceMonitor = getPerformanceMonitor(), options: MonitorMeterOptions = {}): MessageMeter & { refused: number } {
  const maxSeries = options.maxSeries ?? 1_000;
  const byAgent = new Map<string, Map<string, MeterSeries>>();
  let count = 0;

  /** A bound recorder, or undefined when the monitor refuses the labels (e.g. an agent id shaped like an email). */
  function recorder(name: string, tags: Record<string, string>, unit: string): MetricRecorder | undefined {
    try {
      return monitor.recorder(name, { tags, unit });
    } catch {
      meter.refused++;
      return undefined;
    }
  }

  function lookup(agent: string, messageType: string): MeterSeries {
    let types = byAgent.get(agent);
    let series = types?.get(messageType);
    if (series) return series;
    if (count >= maxSeries && agent !== OTHER) return lookup(OTHER, OTHER);
    if (!types) byAgent.set(agent, (types = new Map()));
    const tags = { agent, message_type: messageType };
    series = { latency: recorder(MESSAGE_LATENCY_METRIC, tags, 'ms'), tags, errors: new Map() };
    types.set(messageType, series);
    count++;
    return series;
  }

  const meter = {
    refused: 0,
    record(agent: string, messageType: string, elapsedMs: number, errorCode: string | undefined): void {
      const series = lookup(agent, messageType);
      const ms = elapsedMs > 0 ? elapsedMs : 0;
      try {
        if (errorCode === undefined) {
          series.latency?.record(ms);
          return;
        }
        series.latency?.record(ms, true);
        let errors = series.errors.get(errorCode);
        if (errors === undefined && !series.errors.has(errorCode)) {
          errors = recorder(MESSAGE_ERRORS_METRIC, { ...series.tags, code: series.errors.size < MAX_CODES ? errorCode : OTHER }, 'count');
          if (series.errors.size < MAX_CODES) series.errors.set(errorCode, errors);
        }
        errors?.record(1);
      } catch {
        // Measurement must never break message handling (e.g. a value beyond the monitor's maximum).
      }
    },
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
