// A small allocator over linear memory for the stub runtime (which never frees).
// Blocks up to 64 KiB come in 16-byte size classes, each with its own free list; larger blocks are
// whole 64 KiB multiples kept on one exact-size list. Callers pass the size back to `free`, so a
// block carries no header: what a histogram reports as its footprint is exactly what it holds.

import { ensureMemory, heapStart } from '../shared/memory';

const GRANULE: usize = 16;
const SMALL_MAX: usize = 65536;
const LARGE_UNIT: usize = 65536;
/** heads[i] is the first free block of i * 16 bytes (i = 1 .. 4096); 0 means empty. */
const HEADS: usize = memory.data(4097 * 4, 16);
/** Highest address linear memory may reach (keeps `top + bytes` from wrapping). */
const LIMIT: usize = 0xffff0000;

let top: usize = 0;
let largeFree: usize = 0; // [next: u32][bytes: u32] at the start of each free large block
let used: usize = 0;

/** The size of the block `alloc(size)` hands out (and `free` must be told). */
export function blockSize(size: usize): usize {
  if (size == 0) return GRANULE;
  if (size <= SMALL_MAX) return (size + GRANULE - 1) & ~(GRANULE - 1);
  return (size + LARGE_UNIT - 1) & ~(LARGE_UNIT - 1);
}

/** A block of `blockSize(size)` bytes with undefined contents, or 0 when memory cannot grow. */
export function alloc(size: usize): usize {
  const bytes = blockSize(size);
  let ptr: usize = 0;
  if (bytes <= SMALL_MAX) {
    const head = HEADS + ((bytes >> 4) << 2);
    ptr = <usize>load<u32>(head);
    if (ptr != 0) store<u32>(head, load<u32>(ptr));
  } else {
    let prev: usize = 0;
    let node = largeFree;
    while (node != 0) {
      const next = <usize>load<u32>(node);
      if (<usize>load<u32>(node, 4) == bytes) {
        if (prev == 0) largeFree = next;
        else store<u32>(prev, <u32>next);
        ptr = node;
        break;
      }
      prev = node;
      node = next;
    }
  }
  if (ptr == 0) {
    if (top == 0) top = heapStart();
    if (bytes > LIMIT - top || !ensureMemory(top + bytes)) return 0;
    ptr = top;
    top += bytes;
  }
  used += bytes;
  return ptr;
}

/** Returns a block from `alloc(size)` (same `size`) to its free list. */
export function free(ptr: usize, size: usize): void {
  if (ptr == 0) return;
  const bytes = blockSize(size);
  if (bytes <= SMALL_MAX) {
    const head = HEADS + ((bytes >> 4) << 2);
    store<u32>(ptr, load<u32>(head));
    store<u32>(head, <u32>ptr);
  } else {
    store<u32>(ptr, <u32>largeFree);
    store<u32>(ptr, <u32>bytes, 4);
    largeFree = ptr;
  }
  used -= bytes;
}

/** Bytes handed out and not yet freed. */
export function bytesInUse(): usize {
  return used;
}

/** The high-water mark of the heap: memory above it has never been handed out. */
export function heapTop(): usize {
  return top == 0 ? heapStart() : top;
}
