/**
 * `createHistogram()`: a log-linear histogram in WASM with a guaranteed relative error at
 * every quantile (see `assembly/metrics/histogram.ts` for the layout). Many histograms share
 * one instance through handles; `close()` (or `using`) frees one at once, and a
 * `FinalizationRegistry` frees those that were dropped without it, so their memory is reused.
 *
 * Values are validated here, before they reach WASM: NaN, negative, infinite, non-number and
 * above-maximum values throw a `ValidationError` and record nothing (a bad batch records none
 * of its values).
 */
import { ValidationError } from '../shared/errors.ts';
import { WasmError } from '../shared/wasm.ts';
import { STATUS } from '../shared/status.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { HistogramError, invalidValue } from './errors.ts';
import { loadMetricsWasm, METRICS_WASM, QUEUE_SIZE, type MetricsInstance } from './wasm.ts';

/** One hour in microseconds: the default maximum value. */
export const DEFAULT_MAX_VALUE = 3_600_000_000;
export const DEFAULT_RELATIVE_ERROR = 0.01;
export const MIN_RELATIVE_ERROR = 0.001;
export const MAX_RELATIVE_ERROR = 0.05;
/** Values are copied into WASM in slices of this many (the reference slices the same way). */
export const BATCH_SLICE = 65_536;
/** Single records after which a histogram gets its own buffer (2 KB) instead of the shared queue. */
const BUSY_AFTER = 1024;
const OWN_BUFFER = 256;

export interface HistogramOptions {
  /** Guaranteed relative error of every quantile, in [0.001, 0.05]; default 0.01. */
  relativeError?: number;
  /** Largest value accepted; default one hour in microseconds (3.6e9). */
  maxValue?: number;
}

/** What both the WASM histogram and the pure-TypeScript reference offer. */
export interface Histogram extends Disposable {
  readonly relativeError: number;
  readonly maxValue: number;
  /** Values recorded. */
  readonly count: number;
  /** Smallest and largest value recorded, exactly; NaN when empty. */
  readonly min: number;
  readonly max: number;
  /** Sum, mean and population standard deviation of the values recorded (mean/stddev NaN when empty). */
  readonly sum: number;
  readonly mean: number;
  readonly stddev: number;
  /** Bytes of memory this histogram holds. */
  readonly footprint: number;
  record(value: number): void;
  /** Records `count` copies of `value` (`count` a non-negative safe integer). */
  recordCount(value: number, count: number): void;
  /** Records every value, or none of them if one is invalid. */
  recordBatch(values: Float64Array | ArrayLike<number>): void;
  /** The value at quantile `q` in [0, 1] (the lower nearest rank, floor(q * (count - 1))); NaN when empty. */
  valueAtQuantile(q: number): number;
  /** Values at many quantiles at once, in the order given. */
  quantiles(qs: ArrayLike<number>): Float64Array;
  /**
   * For each ascending boundary, how many values are below it. Exact at bucket boundaries
   * (`bucketBoundaries()`), otherwise the bucket holding the boundary is left out.
   */
  countsBelow(boundaries: ArrayLike<number>): Float64Array;
  /** Adds every value of `other` (same relative error) into this one; exact and order-independent for counts. */
  merge(other: Histogram): this;
  reset(): void;
  /** Compact binary form, readable by `deserializeHistogram`. */
  serialize(): Uint8Array;
  toJSON(): HistogramJson;
  close(): void;
}

/** The JSON form of a histogram: summary figures plus the serialized bytes in base64. */
export interface HistogramJson {
  relativeError: number;
  maxValue: number;
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  data: string;
}

/** Validates options the same way for every implementation. */
export function histogramOptions(options: HistogramOptions = {}): Required<HistogramOptions> {
  const relativeError = options.relativeError ?? DEFAULT_RELATIVE_ERROR;
  const maxValue = options.maxValue ?? DEFAULT_MAX_VALUE;
  if (typeof relativeError !== 'number' || !(relativeError >= MIN_RELATIVE_ERROR && relativeError <= MAX_RELATIVE_ERROR)) {
    throw new ValidationError(`relativeError must be a number in [${MIN_RELATIVE_ERROR}, ${MAX_RELATIVE_ERROR}]`, 'relativeError');
  }
  if (typeof maxValue !== 'number' || !(maxValue >= 2.2250738585072014e-308 && maxValue <= Number.MAX_VALUE)) {
    throw new ValidationError('maxValue must be a positive finite number', 'maxValue');
  }
  return { relativeError, maxValue };
}

export function checkQuantile(q: unknown, field = 'q'): number {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new ValidationError(`${field} must be a number in [0, 1]`, field);
  return q;
}

/** Rank used for quantile q among n values: the lower nearest rank. */
export function rankOf(q: number, n: number): number {
  return Math.floor(q * (n - 1));
}

/** Checks a batch, throwing for the first bad value (field `values[i]`). */
export function checkBatch(values: ArrayLike<number>, maxValue: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= maxValue)) throw invalidValue(v, maxValue, `values[${i}]`);
  }
}

export function checkCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new ValidationError('count must be a non-negative safe integer', 'count');
  }
  return count;
}

function jsonOf(h: Histogram): HistogramJson {
  const n = h.count;
  return {
    relativeError: h.relativeError,
    maxValue: h.maxValue,
    count: n,
    min: n ? h.min : null,
    max: n ? h.max : null,
    mean: n ? h.mean : null,
    data: toBase64(h.serialize()),
  };
}

interface Held {
  inst: MetricsInstance;
  h: number;
}

const registry = new FinalizationRegistry<Held>(({ inst, h }) => {
  if (!inst.alive) return;
  try {
    inst.flush();
  } finally {
    inst.x.destroy(h);
  }
});

const DISPOSE: typeof Symbol.dispose = Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/** A histogram living in the metrics WASM instance. */
export class WasmHistogram implements Histogram {
  readonly relativeError: number;
  readonly maxValue: number;
  #inst: MetricsInstance;
  #h: number;
  #held: Held;
  /** Records that went through the shared queue, until the histogram counts as busy. */
  #queuedCount = 0;
  /** A busy histogram's own buffer of values not yet in WASM, and how many it holds. */
  #own: Float64Array | undefined;
  #pending = 0;

  /** @internal Use `createHistogram` or `deserializeHistogram`. */
  constructor(inst: MetricsInstance, handle: number, relativeError: number, maxValue: number) {
    this.#inst = inst;
    this.#h = handle;
    this.relativeError = relativeError;
    this.maxValue = maxValue;
    this.#held = { inst, h: handle };
    registry.register(this, this.#held, this.#held);
  }

  get count(): number {
    return this.#inst.x.count(this.#live());
  }
  get min(): number {
    return this.#inst.x.min(this.#live());
  }
  get max(): number {
    return this.#inst.x.max(this.#live());
  }
  get sum(): number {
    return this.#inst.x.sum(this.#live());
  }
  get mean(): number {
    return this.#inst.x.mean(this.#live());
  }
  get stddev(): number {
    return this.#inst.x.stddev(this.#live());
  }
  get footprint(): number {
    return this.#inst.x.footprint(this.#live());
  }

  record(value: number): void {
    const h = this.#h;
    const inst = this.#inst;
    if (typeof value !== 'number' || !(value >= 0 && value <= this.maxValue) || h === 0 || inst.dead) return this.#refuse(value);
    // A busy histogram buffers its own values; the others share the instance's queue (see
    // MetricsInstance). Every other call flushes both first, so nobody sees the delay.
    const own = this.#own;
    if (own !== undefined) {
      const n = this.#pending;
      own[n] = value;
      if ((this.#pending = n + 1) === OWN_BUFFER) this.#flushOwn();
      return;
    }
    const i = inst.queued;
    inst.queuedHandles[i] = h;
    inst.queuedValues[i] = value;
    if ((inst.queued = i + 1) === QUEUE_SIZE) inst.flush();
    if (++this.#queuedCount === BUSY_AFTER) this.#own = new Float64Array(OWN_BUFFER);
  }

  /** Kept out of `record` so that it stays small enough to inline. */
  #refuse(value: unknown): never {
    if (this.#h === 0) this.#live();
    if (this.#inst.dead) throw new WasmError(METRICS_WASM, 'this histogram belonged to an instance that trapped and was replaced');
    throw invalidValue(value, this.maxValue);
  }

  /** Records this histogram's own buffered values (after the shared queue, which is older). */
  #flushOwn(): void {
    const n = this.#pending;
    if (n === 0) return;
    this.#pending = 0;
    const inst = this.#inst;
    inst.flush();
    let st: number;
    try {
      const at = inst.scratch(n);
      inst.f64().set(n === OWN_BUFFER ? this.#own! : this.#own!.subarray(0, n), at);
      st = inst.x.recordBatch(this.#h, at << 3, n);
    } catch (err) {
      throw inst.fail(err);
    }
    if (st !== 0) this.#raise(st, 'record');
  }


  recordCount(value: number, count: number): void {
    if (typeof value !== 'number' || !(value >= 0 && value <= this.maxValue)) throw invalidValue(value, this.maxValue);
    checkCount(count);
    this.#check(this.#call((x) => x.recordCount(this.#h, value, count)), 'recordCount');
  }

  recordBatch(values: Float64Array | ArrayLike<number>): void {
    const n = values.length;
    if (n === 0) return;
    const typed = values instanceof Float64Array;
    // A batch that needs several slices, or is not a Float64Array, is checked whole first so
    // that a bad value anywhere records nothing; one typed slice is checked inside WASM.
    if (!typed || n > BATCH_SLICE) checkBatch(values, this.maxValue);
    this.#live();
    const inst = this.#inst;
    for (let off = 0; off < n; off += BATCH_SLICE) {
      const len = Math.min(BATCH_SLICE, n - off);
      let st: number;
      try {
        const ptr = inst.io(len * 8);
        const view = inst.f64();
        if (typed) view.set(off === 0 && len === n ? values : values.subarray(off, off + len), ptr >>> 3);
        else for (let i = 0; i < len; i++) view[(ptr >>> 3) + i] = (values as ArrayLike<number>)[off + i];
        st = inst.x.recordBatch(this.#h, ptr, len);
      } catch (err) {
        throw inst.fail(err);
      }
      if (st === STATUS.ERR_HISTOGRAM_VALUE) checkBatch(values, this.maxValue);
      if (st !== 0) this.#raise(st, 'recordBatch');
    }
  }

  valueAtQuantile(q: number): number {
    checkQuantile(q);
    return this.#inst.x.valueAtQuantile(this.#live(), q);
  }

  quantiles(qs: ArrayLike<number>): Float64Array {
    for (let i = 0; i < qs.length; i++) checkQuantile(qs[i], `qs[${i}]`);
    return this.#inPlace(qs, 'quantiles');
  }

  countsBelow(boundaries: ArrayLike<number>): Float64Array {
    for (let i = 0; i < boundaries.length; i++) {
      const b = boundaries[i];
      if (typeof b !== 'number' || Number.isNaN(b) || (i > 0 && b < boundaries[i - 1])) {
        throw new ValidationError('boundaries must be ascending numbers', `boundaries[${i}]`);
      }
    }
    return this.#inPlace(boundaries, 'countsBelow');
  }

  merge(other: Histogram): this {
    const h = this.#live();
    if (other instanceof WasmHistogram && other.#inst === this.#inst && other.#h !== 0) {
      if (other.#pending !== 0) other.#flushOwn();
      let st: number;
      try {
        st = this.#inst.x.merge(h, other.#h);
      } catch (err) {
        throw this.#inst.fail(err);
      }
      this.#check(st, 'merge');
      return this;
    }
    // Another instance or implementation: go through the serialized form.
    using copy = deserializeHistogram(other.serialize());
    return this.merge(copy);
  }

  reset(): void {
    this.#check(this.#call((x) => x.reset(this.#h)), 'reset');
  }

  serialize(): Uint8Array {
    const inst = this.#inst;
    return this.#call((x) => {
      const bound = x.serializeBound(this.#live());
      const ptr = inst.io(bound);
      const len = x.serialize(this.#h, ptr);
      return inst.u8().slice(ptr, ptr + len);
    });
  }

  toJSON(): HistogramJson {
    return jsonOf(this);
  }

  /** Frees the histogram's memory now; later calls throw. Idempotent. */
  close(): void {
    if (this.#h === 0) return;
    registry.unregister(this.#held);
    if (this.#inst.alive) {
      this.#inst.flush();
      this.#inst.x.destroy(this.#h);
    }
    this.#h = 0;
  }

  [DISPOSE](): void {
    this.close();
  }

  /** The handle, after flushing queued records; throws once closed. */
  #live(): number {
    if (this.#h === 0) throw new HistogramError('histogram_closed', 'this histogram was closed');
    this.#inst.flush();
    if (this.#pending !== 0) this.#flushOwn();
    return this.#h;
  }

  #call<T>(fn: (x: MetricsInstance['x']) => T): T {
    this.#live();
    try {
      return fn(this.#inst.x);
    } catch (err) {
      throw this.#inst.fail(err);
    }
  }

  /** Copies `input` into scratch memory, runs `verb` on it in place, and returns the result. */
  #inPlace(input: ArrayLike<number>, verb: 'quantiles' | 'countsBelow'): Float64Array {
    const h = this.#live();
    const inst = this.#inst;
    const n = input.length;
    let st: number;
    let at: number;
    try {
      at = inst.scratch(n);
      const view = inst.f64();
      for (let i = 0; i < n; i++) view[at + i] = input[i];
      st = inst.x[verb](h, at << 3, n);
    } catch (err) {
      throw inst.fail(err);
    }
    this.#check(st, verb);
    return inst.f64().slice(at, at + n);
  }

  #check(st: number, what: string): void {
    if (st < 0) this.#raise(st, what);
  }

  #raise(st: number, what: string): never {
    if (this.#h === 0 || st === STATUS.ERR_BAD_HANDLE) throw new HistogramError('histogram_closed', 'this histogram was closed');
    if (st === STATUS.ERR_HISTOGRAM_MISMATCH) {
      throw new HistogramError('histogram_mismatch', 'only histograms with the same relative error can be merged');
    }
    if (st === STATUS.ERR_HISTOGRAM_VALUE) throw new ValidationError(`a value is outside [0, ${this.maxValue}]`, 'value');
    if (st === STATUS.ERR_HISTOGRAM_OVERFLOW) throw new HistogramError('histogram_overflow', 'the total count would exceed 2^64 - 1');
    throw new WasmError(METRICS_WASM, `${what} failed with status ${st}`);
  }
}

/**
 * A new, empty histogram.
 *
 * @example
 * using h = createHistogram({ relativeError: 0.01 });
 * h.record(1234);
 * h.valueAtQuantile(0.99); // within 1% of the exact p99
 */
export function createHistogram(options: HistogramOptions = {}): Histogram {
  const { relativeError, maxValue } = histogramOptions(options);
  const inst = loadMetricsWasm();
  let h: number;
  try {
    h = inst.x.create(relativeError, maxValue);
  } catch (err) {
    throw inst.fail(err);
  }
  if (h < 0) throw new WasmError(METRICS_WASM, `create failed with status ${h}`);
  return new WasmHistogram(inst, h, relativeError, maxValue);
}

/**
 * Rebuilds a histogram from `serialize()` bytes (or their base64, as in `toJSON().data`).
 * Corrupt input throws `HistogramError` ('invalid_histogram') and builds nothing.
 *
 * @example
 * const copy = deserializeHistogram(h.serialize());
 */
export function deserializeHistogram(bytes: Uint8Array | string): Histogram {
  let data: Uint8Array;
  try {
    data = typeof bytes === 'string' ? fromBase64(bytes) : bytes;
  } catch {
    throw new HistogramError('invalid_histogram', 'histogram data is not valid base64');
  }
  if (!(data instanceof Uint8Array)) throw new HistogramError('invalid_histogram', 'histogram data must be a Uint8Array');
  const inst = loadMetricsWasm();
  let h: number;
  try {
    const ptr = inst.io(data.length);
    inst.u8().set(data, ptr);
    h = inst.x.deserialize(ptr, data.length);
  } catch (err) {
    throw inst.fail(err);
  }
  if (h === STATUS.ERR_HISTOGRAM_CORRUPT) throw new HistogramError('invalid_histogram', 'bytes are not a valid serialized histogram');
  if (h < 0) throw new WasmError(METRICS_WASM, `deserialize failed with status ${h}`);
  return new WasmHistogram(inst, h, inst.x.relativeError(h), inst.x.maxValue(h));
}

/** Memory figures of the isolate's metrics instance (for leak checks and dashboards). */
export function histogramMemory(): { bytesInUse: number; heapTop: number; memoryBytes: number } {
  const inst = loadMetricsWasm();
  inst.flush();
  return { bytesInUse: inst.x.bytesInUse(), heapTop: inst.x.heapTop(), memoryBytes: inst.x.memory.buffer.byteLength };
}

export { jsonOf as histogramJson };
