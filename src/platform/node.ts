/**
 * The Node host's platform: WASM modules compiled from `wasm/*.wasm` once each, and the
 * Node build of sql.js (which finds its `.wasm` beside itself).
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import initSqlJs from 'sql.js';
import type { Platform, WasmModuleName } from './types.ts';

const WASM_DIR = new URL('../../wasm/', import.meta.url);
const modules = new Map<WasmModuleName, WebAssembly.Module>();

export const platform: Platform = {
  name: 'node',
  wasmModule(name) {
    let module = modules.get(name);
    if (!module) {
      module = new WebAssembly.Module(readFileSync(new URL(`${name}.wasm`, WASM_DIR)));
      modules.set(name, module);
    }
    return module;
  },
  initSqlJs() {
    return initSqlJs();
  },
  processStats() {
    const m = process.memoryUsage();
    const c = process.cpuUsage();
    return {
      memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, heapLimit: getHeapStatistics().heap_size_limit },
      cpuMicros: { user: c.user, system: c.system },
    };
  },
  eventLoopDelay() {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    return {
      read() {
        if (h.count === 0) return undefined;
        const ms = (ns: number) => ns / 1e6;
        const out = { mean: ms(h.mean), p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
        h.reset();
        return out;
      },
      stop() {
        h.disable();
      },
    };
  },
};
