/**
 * What the runtime-agnostic core needs from its host. `#platform` resolves to
 * `./node.ts` on Node and to `./worker.ts` in workerd (package.json `imports` conditions);
 * these two files are the only ones that know where WASM bytes and the sql.js build come from.
 */
import type { SqlJsStatic } from 'sql.js';

/** Names of the modules in `wasm/`, one per `assembly/<domain>/`. */
export type WasmModuleName = 'checksum' | 'codec' | 'metrics' | 'privacy';

export interface ProcessStats {
  /** Resident/heap figures in bytes where the host reports them; heapLimit is the most the heap may grow to. */
  memory: { rss?: number; heapUsed?: number; heapTotal?: number; external?: number; heapLimit?: number };
  /** CPU time consumed by this process since start, in microseconds, where reported. */
  cpuMicros?: { user: number; system: number };
}

export interface Platform {
  readonly name: 'node' | 'workerd';
  /** The compiled module for `wasm/<name>.wasm`, compiled at most once per isolate. */
  wasmModule(name: WasmModuleName): WebAssembly.Module;
  /** Initializes sql.js for this host (call through `getSql()`, which memoizes it). */
  initSqlJs(): Promise<SqlJsStatic>;
  /** Memory and CPU figures the host exposes. */
  processStats(): ProcessStats;
  /**
   * Starts sampling event-loop delay where the host can (Node's `monitorEventLoopDelay`);
   * `read()` gives the delay since the previous read, in ms. Undefined where it cannot (Workers).
   */
  eventLoopDelay(): EventLoopDelayMonitor | undefined;
}

export interface EventLoopDelayMonitor {
  read(): { mean: number; p50: number; p99: number; max: number } | undefined;
  stop(): void;
}
