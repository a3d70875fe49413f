// Boundary of the checksum module: flat exported verbs only.
// JS writes bytes at `scratchPtr(len)` and calls `crc32c(ptr, len, seed)` or
// `sha256(ptr, len, outPtr)`.

import { crc32cUpdate } from '../shared/crc32c';
import { ensureMemory, heapStart } from '../shared/memory';
import { ERR_OUT_OF_MEMORY } from '../shared/status';
import { sha256Into } from './sha256';

/** Pointer to a scratch region of at least `len` bytes, or a negative status. */
export function scratchPtr(len: u32): i32 {
  const base = heapStart();
  if (!ensureMemory(base + <usize>len)) return ERR_OUT_OF_MEMORY;
  return <i32>base;
}

/** CRC-32C of `len` bytes at `ptr`, continuing from `seed` (0 for a fresh checksum). */
export function crc32c(ptr: u32, len: u32, seed: u32): u32 {
  return crc32cUpdate(seed, <usize>ptr, <usize>len);
}

/** Writes the SHA-256 of `len` bytes at `ptr` to the 32 bytes at `outPtr`. */
export function sha256(ptr: u32, len: u32, outPtr: u32): void {
  sha256Into(<usize>ptr, <usize>len, <usize>outPtr);
}
