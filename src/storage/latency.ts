/**
 * The one place storage records latencies. Values (microseconds) are buffered and summarized
 * on demand, so the hot path is an array store. Until the metrics histogram lands on `main`
 * this summarizes with a small log-bucket histogram (2% relative error); switching to
 * `createHistogram` only changes this file.
 */

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

const GROWTH = Math.log(1.02);
const BUFFER = 1024;

/**
 * @example
 * const reads = createLatencyRecorder();
 * reads.record(12.5);
 * reads.summary().p99;
 */
export function createLatencyRecorder(): LatencyRecorder {
  const counts = new Map<number, number>();
  const buffer = new Float64Array(BUFFER);
  let buffered = 0;
  let count = 0;
  let sum = 0;
  let max = 0;

  const drain = () => {
    for (let i = 0; i < buffered; i++) {
      const v = buffer[i];
      const bucket = v <= 1 ? 0 : Math.ceil(Math.log(v) / GROWTH);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      count++;
      sum += v;
      if (v > max) max = v;
    }
    buffered = 0;
  };

  return {
    record(micros) {
      if (!(micros >= 0)) return;
      buffer[buffered++] = micros;
      if (buffered === BUFFER) drain();
    },
    summary() {
      drain();
      const keys = [...counts.keys()].sort((a, b) => a - b);
      const at = (q: number) => {
        if (count === 0) return NaN;
        const rank = Math.floor(q * (count - 1));
        let seen = 0;
        for (const k of keys) {
          seen += counts.get(k)!;
          if (seen > rank) return Math.min(max, k === 0 ? 1 : Math.exp(k * GROWTH));
        }
        return max;
      };
      return { count, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: count ? max : NaN, mean: count ? sum / count : NaN };
    },
    reset() {
      counts.clear();
      buffered = count = sum = max = 0;
    },
  };
}
