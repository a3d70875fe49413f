/**
 * The one loader of `wasm/metrics.wasm`. One instance per isolate holds every histogram (each
 * a handle into its linear memory). Export references are cached once per instance; a trap
 * marks the instance dead (its histograms then fail with a `WasmError`) and the next
 * histogram gets a fresh instance.
 */
import { platform } from '#platform';
import { statusName } from '../shared/status.ts';
import { checkStatus, instantiateWasm, toWasmError, WasmError, type WasmExports } from '../shared/wasm.ts';

export interface MetricsExports extends WasmExports {
  ioReserve(bytes: number): number;
  queueReserve(bytes: number): number;
  create(relativeError: number, maxValue: number): number;
  destroy(h: number): number;
  record(h: number, value: number): number;
  recordCount(h: number, value: number, count: number): number;
  recordBatch(h: number, valuesPtr: number, len: number): number;
  recordQueued(handlesPtr: number, valuesPtr: number, n: number): number;
  reset(h: number): number;
  merge(dst: number, src: number): number;
  count(h: number): number;
  zeroCount(h: number): number;
  min(h: number): number;
  max(h: number): number;
  sum(h: number): number;
  mean(h: number): number;
  stddev(h: number): number;
  relativeError(h: number): number;
  maxValue(h: number): number;
  subBuckets(h: number): number;
  valueAtQuantile(h: number, q: number): number;
  quantiles(h: number, qsPtr: number, len: number): number;
  countsBelow(h: number, boundsPtr: number, len: number): number;
  footprint(h: number): number;
  serializeBound(h: number): number;
  serialize(h: number, outPtr: number): number;
  deserialize(bytesPtr: number, len: number): number;
  bytesInUse(): number;
  heapTop(): number;
}

export const METRICS_WASM = 'metrics';

/** Single records wait in a JS-side queue of this many (handle, value) pairs. */
export const QUEUE_SIZE = 512;

/**
 * One live instance of the metrics module, its typed-array views, and the record queue.
 *
 * `record(v)` on any histogram appends (handle, value) to the queue, and the queue is sent to
 * WASM in one `recordQueued` call when it is full or before any other call (every read and
 * write flushes first), so a single record costs a few stores instead of a JS-to-WASM call, and
 * no caller can observe the delay. Values are validated before they are queued.
 */
export class MetricsInstance {
  /** The module's verbs; swapped for throwing stubs once the instance has trapped. */
  x: MetricsExports;
  readonly queuedHandles = new Int32Array(QUEUE_SIZE);
  readonly queuedValues = new Float64Array(QUEUE_SIZE);
  queued = 0;
  #f64: Float64Array;
  #u8: Uint8Array;
  readonly #queuePtr: number;
  #wasmHandles: Int32Array;
  #wasmValues: Float64Array;

  constructor(exports: MetricsExports) {
    this.x = exports;
    this.#queuePtr = checkStatus(exports.queueReserve(QUEUE_SIZE * 12), METRICS_WASM, 'queueReserve');
    this.#f64 = new Float64Array(exports.memory.buffer);
    this.#u8 = new Uint8Array(exports.memory.buffer);
    this.#wasmHandles = new Int32Array(exports.memory.buffer, this.#queuePtr, QUEUE_SIZE);
    this.#wasmValues = new Float64Array(exports.memory.buffer, this.#queuePtr + QUEUE_SIZE * 4, QUEUE_SIZE);
  }

  /** Set once the instance has trapped: its histograms refuse everything from then on. */
  dead = false;

  get alive(): boolean {
    return !this.dead;
  }

  /** A Float64Array over all of linear memory, rebuilt when memory has grown. */
  f64(): Float64Array {
    // Growing memory detaches the old buffer, so a view of length 0 is stale (reading
    // memory.buffer each time would cost more than the calls it serves).
    if (this.#f64.length === 0) this.#f64 = new Float64Array(this.x.memory.buffer);
    return this.#f64;
  }

  u8(): Uint8Array {
    if (this.#u8.length === 0) this.#u8 = new Uint8Array(this.x.memory.buffer);
    return this.#u8;
  }

  /** Sends queued records to WASM; call before anything else that touches histograms. */
  flush(): void {
    const n = this.queued;
    if (n === 0) return;
    this.queued = 0;
    let st: number;
    try {
      this.#queueViews();
      this.#wasmHandles.set(n === QUEUE_SIZE ? this.queuedHandles : this.queuedHandles.subarray(0, n));
      this.#wasmValues.set(n === QUEUE_SIZE ? this.queuedValues : this.queuedValues.subarray(0, n));
      st = this.x.recordQueued(this.#queuePtr, this.#queuePtr + QUEUE_SIZE * 4, n);
    } catch (err) {
      throw this.fail(err);
    }
    if (st < 0) throw new WasmError(METRICS_WASM, `queued records failed with ${statusName(st)}`);
  }

  /**
   * A region of `n` doubles for a query's input and output, valid until the next WASM call that
   * records: the queue's value area when it fits (always empty right after a flush, which every
   * query does first), else the I/O region. Returns its f64 index in `f64()`.
   */
  scratch(n: number): number {
    if (n <= QUEUE_SIZE) {
      this.#queueViews();
      return (this.#queuePtr + QUEUE_SIZE * 4) >>> 3;
    }
    return this.io(n * 8) >>> 3;
  }

  #queueViews(): void {
    if (this.#wasmValues.length !== 0) return;
    const buffer = this.x.memory.buffer;
    this.#wasmHandles = new Int32Array(buffer, this.#queuePtr, QUEUE_SIZE);
    this.#wasmValues = new Float64Array(buffer, this.#queuePtr + QUEUE_SIZE * 4, QUEUE_SIZE);
  }

  /** Reserves the I/O region for `bytes` bytes and returns its address. */
  io(bytes: number): number {
    return checkStatus(this.x.ioReserve(bytes), METRICS_WASM, 'ioReserve');
  }

  /** Converts a failure into a typed error; a trap kills this instance for good. */
  fail(err: unknown): unknown {
    const typed = toWasmError(err, METRICS_WASM);
    if (typed instanceof WasmError && typed.trap && this.alive) {
      this.x = DEAD;
      this.dead = true;
      this.queued = 0;
      if (current === this) current = undefined;
    }
    return typed;
  }
}

function dead(): never {
  throw new WasmError(METRICS_WASM, 'this histogram belonged to an instance that trapped and was replaced');
}

const DEAD = new Proxy({} as MetricsExports, { get: (_t, key) => (key === 'memory' ? new WebAssembly.Memory({ initial: 0 }) : dead) });

let current: MetricsInstance | undefined;

/**
 * The isolate's metrics instance, instantiated on first use.
 *
 * @example
 * const inst = loadMetricsWasm();
 * const h = inst.x.create(0.01, 3.6e9);
 */
export function loadMetricsWasm(): MetricsInstance {
  if (current) return current;
  try {
    current = new MetricsInstance(instantiateWasm<MetricsExports>(platform.wasmModule(METRICS_WASM), METRICS_WASM).exports);
  } catch (err) {
    throw toWasmError(err, METRICS_WASM);
  }
  return current;
}
