/**
 * The one way HealthSync instantiates WebAssembly.
 *
 * Loaders take a compiled `WebAssembly.Module` (Workers cannot compile bytes; Node compiles the
 * file once in `#platform`). The `env.abort` import turns an AssemblyScript `abort()` into a
 * typed `WasmError`, and `toWasmError()` does the same for engine traps, after which the
 * caller must drop the instance (its memory may be half-written) and make a new one.
 */
import { AppError } from './errors.ts';
import { statusName } from './status.ts';

/** A WASM module failed: a trap, an abort, or an unexpected status code. HTTP 500. */
export class WasmError extends AppError {
  readonly module: string;
  readonly trap: boolean;
  constructor(module: string, message: string, options: { trap?: boolean; cause?: unknown } = {}) {
    super(500, options.trap ? 'wasm_trap' : 'wasm_error', `${module}: ${message}`, { cause: options.cause });
    this.module = module;
    this.trap = options.trap ?? false;
  }
}

export interface WasmExports {
  memory: WebAssembly.Memory;
}

/** Reads an AssemblyScript string (UTF-16LE, byte length stored 4 bytes before it). */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/**
 * Instantiates `module` synchronously with the standard imports.
 *
 * @example
 * const { exports } = instantiateWasm<ChecksumExports>(platform.wasmModule('checksum'), 'checksum');
 */
export function instantiateWasm<E extends WasmExports>(
  module: WebAssembly.Module,
  name: string,
): WebAssembly.Instance & { exports: E } {
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(msg: number, file: number, line: number, column: number): never {
        const text = memory ? `${readAsString(memory, msg)} at ${readAsString(memory, file)}:${line}:${column}` : 'abort';
        throw new WasmError(name, `aborted: ${text}`, { trap: true });
      },
    },
  }) as WebAssembly.Instance & { exports: E };
  memory = instance.exports.memory;
  return instance;
}

/** Converts an engine trap (or abort) into a `WasmError`; other errors pass through unchanged. */
export function toWasmError(err: unknown, name: string): unknown {
  if (err instanceof WasmError) return err;
  if (err instanceof WebAssembly.RuntimeError) return new WasmError(name, err.message, { trap: true, cause: err });
  return err;
}

/** Throws a `WasmError` naming the status when `code` is negative; returns it otherwise. */
export function checkStatus(code: number, name: string, what: string): number {
  if (code < 0) throw new WasmError(name, `${what} failed with ${statusName(code)}`);
  return code;
}
