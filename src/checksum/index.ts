/**
 * CRC-32C (Castagnoli) checksums, computed in WASM. Used by the storage journal and the
 * message codec to detect torn or corrupted records.
 */
import { crc32cWasm } from './wasm.ts';

export { crc32cReference } from './reference.ts';

/**
 * CRC-32C of `bytes` (optionally continuing from `seed`), as an unsigned 32-bit number.
 *
 * @example
 * crc32c(new TextEncoder().encode('123456789')) === 0xe3069283
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  return crc32cWasm(bytes, seed);
}
