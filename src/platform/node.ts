/**
 * The Node host's platform: WASM modules compiled from `wasm/*.wasm` once each, and the
 * Node build of sql.js (which finds its `.wasm` beside itself).
 */
import { readFileSync } from 'node:fs';
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
      memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external },
      cpuMicros: { user: c.user, system: c.system },
    };
  },
};
