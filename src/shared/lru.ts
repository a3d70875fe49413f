/**
 * A bounded least-recently-used map on top of `Map`'s insertion order. Every cache in the
 * project that has no byte budget of its own uses this, so none grows without bound.
 */

/**
 * @example
 * const cache = new LruMap<string, Principal>(1024);
 * cache.set(hash, principal);
 * cache.get(hash); // refreshes recency
 */
export class LruMap<K, V> {
  readonly #map = new Map<K, V>();
  readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LruMap capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** Inserts or refreshes `key`; returns the evicted entry's key, if one was evicted. */
  set(key: K, value: V): K | undefined {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size <= this.capacity) return undefined;
    const oldest = this.#map.keys().next().value as K;
    this.#map.delete(oldest);
    return oldest;
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }
}
