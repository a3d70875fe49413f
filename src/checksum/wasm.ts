/**
 * The one loader of `wasm/checksum.wasm`. Bytes are copied into the module's scratch region
 * and checksummed or hashed there; a trap replaces the instance.
 */
import { platform } from '#platform';
import { checkStatus, instantiateWasm, toWasmError, type WasmExports } from '../shared/wasm.ts';

interface ChecksumExports extends WasmExports {
  scratchPtr(len: number): number;
  crc32c(ptr: number, len: number, seed: number): number;
  sha256(ptr: number, len: number, outPtr: number): void;
}

const NAME = 'checksum';
/** Larger inputs are fed through the scratch region in slices of this size. */
const SLICE = 64 * 1024;

let exports: ChecksumExports | undefined;

function load(): ChecksumExports {
  return (exports ??= instantiateWasm<ChecksumExports>(platform.wasmModule(NAME), NAME).exports);
}

/** Computes CRC-32C in WASM; `seed` continues an earlier checksum. */
export function crc32cWasm(bytes: Uint8Array, seed = 0): number {
  const e = load();
  try {
    const ptr = checkStatus(e.scratchPtr(Math.min(bytes.length, SLICE)), NAME, 'scratchPtr');
    let crc = seed >>> 0;
    for (let off = 0; off < bytes.length; off += SLICE) {
      const slice = bytes.subarray(off, off + SLICE);
      new Uint8Array(e.memory.buffer, ptr, slice.length).set(slice);
      crc = e.crc32c(ptr, slice.length, crc) >>> 0;
    }
    return crc;
  } catch (err) {
    exports = undefined;
    throw toWasmError(err, NAME);
  }
}

/** SHA-256 in WASM; the scratch region holds the 32-byte digest, then the input. */
export function sha256Wasm(bytes: Uint8Array): Uint8Array {
  const e = load();
  try {
    const out = checkStatus(e.scratchPtr(32 + bytes.length), NAME, 'scratchPtr');
    new Uint8Array(e.memory.buffer, out + 32, bytes.length).set(bytes);
    e.sha256(out + 32, bytes.length, out);
    return new Uint8Array(e.memory.buffer, out, 32).slice();
  } catch (err) {
    exports = undefined;
    throw toWasmError(err, NAME);
  }
}
