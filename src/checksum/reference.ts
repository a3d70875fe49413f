/**
 * Pure-TypeScript CRC-32C (bytewise table): the test oracle for `wasm/checksum.wasm` and the
 * benchmark baseline that shows what the WASM slicing-by-8 loop buys.
 */
const POLY = 0x82f63b78;
const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLE[n] = c >>> 0;
}

/** CRC-32C of `bytes`, continuing from `seed`. */
export function crc32cReference(bytes: Uint8Array, seed = 0): number {
  let c = ~seed >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
