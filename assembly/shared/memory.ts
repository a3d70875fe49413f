// Linear-memory helpers shared by the modules (never exported to JS).

/** First byte above static data, 16-byte aligned. */
export function heapStart(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/**
 * Makes sure linear memory reaches `end` bytes, growing it page by page.
 * Returns false when the engine refuses to grow.
 */
export function ensureMemory(end: usize): bool {
  const have = (<usize>memory.size()) << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  return memory.grow(pages) >= 0;
}
