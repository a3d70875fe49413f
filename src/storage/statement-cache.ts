/**
 * The statement "pool": sql.js is one in-process database, so there are no connections to
 * pool. What is pooled is prepared statements — an LRU of at most `poolSize` statements keyed by
 * SQL text. A hit skips SQLite's parser and planner; an evicted statement is `free()`d at once.
 */

export interface StatementCacheStats {
  /** Statements currently prepared and held. */
  size: number;
  capacity: number;
  hits: number;
  misses: number;
  evictions: number;
}

/**
 * @example
 * const cache = new StatementCache<Prepared>(64, (p) => p.stmt.free());
 * const p = cache.get(sql) ?? cache.set(sql, prepare(sql));
 */
export class StatementCache<T> {
  readonly capacity: number;
  readonly #map = new Map<string, T>();
  readonly #release: (value: T) => void;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(capacity: number, release: (value: T) => void) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('poolSize must be an integer >= 1');
    this.capacity = capacity;
    this.#release = release;
  }

  /** The statement for `sql`, marked most recently used; undefined on a miss. */
  get(sql: string): T | undefined {
    const value = this.#map.get(sql);
    if (value === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    // Map iteration order is insertion order: re-inserting makes this the most recent entry.
    this.#map.delete(sql);
    this.#map.set(sql, value);
    return value;
  }

  /** Holds `value` for `sql`, releasing the least recently used statement beyond capacity. */
  set(sql: string, value: T): T {
    const old = this.#map.get(sql);
    if (old !== undefined && old !== value) this.#release(old);
    this.#map.delete(sql);
    this.#map.set(sql, value);
    while (this.#map.size > this.capacity) {
      const [oldest, victim] = this.#map.entries().next().value as [string, T];
      this.#map.delete(oldest);
      this.#evictions++;
      this.#release(victim);
    }
    return value;
  }

  /** Releases every held statement (after a schema change, or on close). */
  clear(): void {
    const values = [...this.#map.values()];
    this.#map.clear();
    for (const v of values) this.#release(v);
  }

  getStats(): StatementCacheStats {
    return { size: this.#map.size, capacity: this.capacity, hits: this.#hits, misses: this.#misses, evictions: this.#evictions };
  }
}
