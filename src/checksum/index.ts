/**
 * CRC-32C (Castagnoli) checksums and SHA-256 digests, computed in WASM. CRC-32C detects torn or
 * corrupted journal records and frames; SHA-256 looks up API keys by hash synchronously, without
 * an async Web Crypto round trip per request (Web Crypto is the test oracle).
 */
import { toHex } from '../shared/crypto.ts';
import { crc32cWasm, sha256Wasm } from './wasm.ts';

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

/**
 * SHA-256 of `bytes`.
 *
 * @example
 * toHex(sha256(new TextEncoder().encode('abc'))) // 'ba7816bf…'
 */
export function sha256(bytes: Uint8Array): Uint8Array {
  return sha256Wasm(bytes);
}

const ENCODER = new TextEncoder();

/** SHA-256 of a UTF-8 string, as lower-case hex. */
export function sha256Hex(text: string): string {
  return toHex(sha256Wasm(ENCODER.encode(text)));
}
