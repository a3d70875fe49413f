/**
 * The processor's ready queue: one FIFO ring per priority level, served highest first, with
 * aging so the lowest level is never starved. An item's effective priority is its level plus
 * one for every `agingMs` it has waited; the queue serves the head with the highest effective
 * priority, the older head on a tie. A LOW message therefore overtakes fresh CRITICAL traffic
 * once it has waited about 3 × `agingMs` longer than it, however heavy that traffic is.
 * Only heads are compared, so FIFO order within a level always holds.
 */
import { RingQueue } from './ring-queue.ts';

/** What the queue needs to know about an item. */
export interface Prioritized {
  readonly priority: number;
  /** `performance.now()` when the item (re-)entered the queue. */
  enqueuedAt: number;
}

/**
 * @example
 * const q = new PriorityQueue<Item>(4, 1000);
 * q.push({ priority: 0, enqueuedAt: performance.now() });
 * q.shift(performance.now());
 */
export class PriorityQueue<T extends Prioritized> {
  readonly #levels: RingQueue<T>[];
  readonly #agingMs: number;
  /** Bit i set when level i is non-empty, so the single-level case costs one branch. */
  #nonEmpty = 0;
  #size = 0;

  constructor(levels: number, agingMs: number) {
    if (!(levels >= 1 && levels <= 31)) throw new RangeError('levels must be 1..31');
    if (!(agingMs > 0)) throw new RangeError('agingMs must be > 0');
    this.#levels = Array.from({ length: levels }, () => new RingQueue<T>());
    this.#agingMs = agingMs;
  }

  get size(): number {
    return this.#size;
  }

  /** Items waiting at each level, lowest level first. */
  sizes(): number[] {
    return this.#levels.map((q) => q.size);
  }

  push(item: T): void {
    this.#levels[item.priority].push(item);
    this.#nonEmpty |= 1 << item.priority;
    this.#size++;
  }

  /** Removes and returns the item to serve next at time `now`, or undefined when empty. */
  shift(now: number): T | undefined {
    const mask = this.#nonEmpty;
    if (mask === 0) return undefined;
    const top = 31 - Math.clz32(mask);
    let level = top;
    if ((mask & (mask - 1)) !== 0) {
      // Several levels hold items: compare their heads' effective priorities.
      let best = top + Math.floor((now - (this.#levels[top].peek() as T).enqueuedAt) / this.#agingMs);
      let bestAt = (this.#levels[top].peek() as T).enqueuedAt;
      for (let l = top - 1; l >= 0; l--) {
        if ((mask & (1 << l)) === 0) continue;
        const head = this.#levels[l].peek() as T;
        const effective = l + Math.floor((now - head.enqueuedAt) / this.#agingMs);
        if (effective > best || (effective === best && head.enqueuedAt < bestAt)) {
          best = effective;
          bestAt = head.enqueuedAt;
          level = l;
        }
      }
    }
    const queue = this.#levels[level];
    const item = queue.shift() as T;
    if (queue.size === 0) this.#nonEmpty &= ~(1 << level);
    this.#size--;
    return item;
  }

  /** Removes and returns every item, highest level first, FIFO within a level. */
  drain(): T[] {
    const out: T[] = [];
    for (let l = this.#levels.length - 1; l >= 0; l--) out.push(...this.#levels[l].drain());
    this.#nonEmpty = 0;
    this.#size = 0;
    return out;
  }

  /** Removes every item matching `predicate`; returns how many. */
  removeWhere(predicate: (item: T) => boolean): number {
    let removed = 0;
    for (let l = 0; l < this.#levels.length; l++) {
      removed += this.#levels[l].removeWhere(predicate);
      if (this.#levels[l].size === 0) this.#nonEmpty &= ~(1 << l);
    }
    this.#size -= removed;
    return removed;
  }
}
