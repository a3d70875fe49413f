/**
 * Items waiting for a moment in time (retry backoffs), kept in a binary min-heap on `dueAt`
 * so the processor needs one timer for all of them: armed for the earliest, re-armed when it
 * fires. Waiting here holds no worker. The processor bounds how many items exist in total.
 */

/** What the heap orders by. */
export interface Delayed {
  /** `performance.now()` value at which the item is due. */
  dueAt: number;
}

/**
 * @example
 * const q = new DelayQueue<Item>();
 * q.push({ dueAt: performance.now() + 100 });
 * q.popDue(performance.now() + 200); // the item
 */
export class DelayQueue<T extends Delayed> {
  readonly #heap: T[] = [];

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest `dueAt`, or Infinity when empty. */
  get nextDueAt(): number {
    return this.#heap.length === 0 ? Infinity : this.#heap[0].dueAt;
  }

  push(item: T): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].dueAt <= item.dueAt) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = item;
  }

  /** Removes and returns the earliest item if it is due at `now`, else undefined. */
  popDue(now: number): T | undefined {
    const heap = this.#heap;
    if (heap.length === 0 || heap[0].dueAt > now) return undefined;
    const top = heap[0];
    const last = heap.pop() as T;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && heap[r].dueAt < heap[l].dueAt ? r : l;
        if (heap[child].dueAt >= last.dueAt) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  /** Removes and returns every item, earliest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.popDue(Infinity); item !== undefined; item = this.popDue(Infinity)) out.push(item);
    return out;
  }
}
