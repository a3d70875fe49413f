/**
 * The workerd host's platform: every `wasm/*.wasm` is imported as a compiled
 * `WebAssembly.Module` (wrangler's CompiledWasm rule), and sql.js runs from its browser build
 * with an `instantiateWasm` hook, because Workers cannot compile WASM from bytes.
 */
import initSqlJs from 'sql.js/dist/sql-wasm-browser.js';
import SQL_WASM from 'sql.js/dist/sql-wasm-browser.wasm';
import CHECKSUM_WASM from '../../wasm/checksum.wasm';
import CODEC_WASM from '../../wasm/codec.wasm';
import METRICS_WASM from '../../wasm/metrics.wasm';
import PRIVACY_WASM from '../../wasm/privacy.wasm';
import type { Platform, WasmModuleName } from './types.ts';

const MODULES: Record<WasmModuleName, WebAssembly.Module> = {
  checksum: CHECKSUM_WASM,
  codec: CODEC_WASM,
  metrics: METRICS_WASM,
  privacy: PRIVACY_WASM,
};

export const platform: Platform = {
  name: 'workerd',
  wasmModule(name) {
    return MODULES[name];
  },
  initSqlJs() {
    // The browser build reads self.location.href while it sets itself up.
    const g = globalThis as { location?: unknown };
    g.location ??= { href: 'https://healthsync.invalid/' };
    return initSqlJs({
      instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
        const instance = new WebAssembly.Instance(SQL_WASM, imports);
        receive(instance);
        return instance.exports;
      },
    });
  },
  processStats() {
    // Workers expose no process memory or CPU counters to the isolate.
    return { memory: {} };
  },
  eventLoopDelay() {
    return undefined;
  },
};
