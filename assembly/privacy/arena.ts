// A bump arena over linear memory for one privacy job. `arenaReset()` forgets everything; the JS
// side rebuilds its typed-array views after any call that allocates (memory may have grown).

import { ensureMemory, heapStart } from '../shared/memory';

let top: usize = 0;

/** Forgets every allocation. */
export function arenaReset(): void {
  top = heapStart();
}

/** `bytes` of 16-byte-aligned memory (contents unspecified), or 0 when memory cannot grow. */
export function arenaAlloc(bytes: usize): usize {
  if (top == 0) top = heapStart();
  const ptr = (top + 15) & ~(<usize>15);
  const end = ptr + bytes;
  if (end < ptr || !ensureMemory(end)) return 0;
  top = end;
  return ptr;
}

/** Like `arenaAlloc`, zero-filled. */
export function arenaAllocZeroed(bytes: usize): usize {
  const ptr = arenaAlloc(bytes);
  if (ptr != 0) memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Bytes of linear memory in use by the arena. */
export function arenaUsed(): usize {
  return top == 0 ? 0 : top - heapStart();
}
