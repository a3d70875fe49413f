/**
 * The one loader of `wasm/metrics.wasm`. One instance per isolate holds every histogram (each
 * a handle into its linear memory). Export references are cached once per instance; a trap
 * marks the instance dead (its histograms then fail with a `WasmError`) and the next
 * histogram gets a fresh instance.
 */
import { platform } from '#platform';
import { checkStatus, instantiateWasm, toWasmError, WasmError, type WasmExports } from '../shared/wasm.ts';

export interface MetricsExports extends WasmExports {
  ioReserve(bytes: number): number;
  create(relativeError: number, maxValue: number): number;
  destroy(h: number): number;
  record(h: number, value: number): number;
  recordCount(h: number, value: number, count: number): number;
  recordBatch(h: number, valuesPtr: number, len: number): number;
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

/** One live instance of the metrics module and its typed-array views. */
export class MetricsInstance {
  /** The module's verbs; swapped for throwing stubs once the instance has trapped. */
  x: MetricsExports;
  #f64: Float64Array;
  #u8: Uint8Array;

  constructor(exports: MetricsExports) {
    this.x = exports;
    this.#f64 = new Float64Array(exports.memory.buffer);
    this.#u8 = new Uint8Array(exports.memory.buffer);
  }

  get alive(): boolean {
    return this.x !== DEAD;
  }

  /** A Float64Array over all of linear memory, rebuilt when memory has grown. */
  f64(): Float64Array {
    if (this.#f64.buffer !== this.x.memory.buffer) this.#f64 = new Float64Array(this.x.memory.buffer);
    return this.#f64;
  }

  u8(): Uint8Array {
    if (this.#u8.buffer !== this.x.memory.buffer) this.#u8 = new Uint8Array(this.x.memory.buffer);
    return this.#u8;
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
