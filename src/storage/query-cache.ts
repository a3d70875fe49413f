/**
 * The query cache: results of reads, keyed by normalized SQL plus parameters, kept in one LRU
 * bounded both by entries and by bytes, each entry with a TTL and optional tags. Entries of one
 * SQL share a bucket that knows the tables the SQL reads, so a committed write to a table drops
 * every cached read of it at once.
 *
 * The hit path is two `Map` lookups (SQL text as given, then the parameter), a clock read and
 * an LRU splice: results are frozen and shared, never copied (blobs excepted, since a
 * `Uint8Array` cannot be frozen).
 */
import type { Row, SqlParams, SqlValue } from './connection.ts';

export interface QueryCacheOptions {
  /** Most entries held (default 1000). */
  maxEntries?: number;
  /** Most bytes held, by estimate of the results' size in memory (default 16 MiB). */
  maxBytes?: number;
  /** Time to live when a call gives none, in ms (default 60 s). */
  defaultTtlMs?: number;
}

export interface CachedQueryOptions {
  /** Time to live in ms; 0 bypasses the cache for this call. */
  cacheTtl?: number;
  /** Names to drop this entry by, with `invalidateCache(tag)`. */
  tags?: readonly string[];
}

export interface QueryCacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before any lookup. */
  hitRate: number;
  /** Entries dropped to stay within `maxEntries` or `maxBytes`. */
  evictions: number;
  /** Entries found past their TTL. */
  expirations: number;
  /** Entries dropped because a table they read was written, or a tag was invalidated. */
  invalidations: number;
  /** Results not cached because they alone exceed `maxBytes`. */
  oversized: number;
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
}

interface Bucket<V> {
  readonly normalized: string;
  readonly tables: ReadonlySet<string>;
  /** Entries keyed by the single parameter itself (or NO_PARAMS). */
  readonly single: Map<unknown, Entry<V>>;
  /** Entries keyed by an encoding of several parameters. */
  readonly multi: Map<string, Entry<V>>;
}

/** Describes a SQL text seen for the first time: its normalized form and the tables it reads. */
export type DescribeSql = (sql: string) => { normalized: string; tables: ReadonlySet<string> };

interface Entry<V> {
  readonly bucket: Bucket<V>;
  readonly key: unknown;
  readonly multi: boolean;
  readonly rows: readonly Row[];
  /** What a hit returns: `wrap(rows)`, made once. */
  readonly value: V;
  readonly bytes: number;
  readonly expires: number;
  readonly tags: readonly string[] | undefined;
  readonly hasBlob: boolean;
  prev: Entry<V> | null;
  next: Entry<V> | null;
}

const NO_PARAMS = Symbol('no parameters');
const MAX_ALIASES = 4096;
/** Estimated bytes of an entry beyond its values (calibrated against heap growth in bench/storage/writes). */
const ENTRY_OVERHEAD = 300;
const EMPTY: readonly Row[] = Object.freeze([]);

const identity = <V>(rows: readonly Row[]) => rows as unknown as V;

/**
 * Values are `wrap(rows)` (the rows themselves by default), made once per entry so a hit
 * allocates nothing.
 *
 * @example
 * const cache = new QueryCache({ maxEntries: 1000, maxBytes: 8 << 20 });
 * cache.get(sql, [id]) ?? cache.set(sql, [id], rows, {}, (sql) => ({ normalized, tables }));
 */
export class QueryCache<V = readonly Row[]> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly defaultTtlMs: number;
  readonly #wrap: (rows: readonly Row[]) => V;
  readonly #aliases = new Map<string, Bucket<V>>();
  readonly #buckets = new Map<string, Bucket<V>>();
  readonly #byTable = new Map<string, Set<Bucket<V>>>();
  readonly #byTag = new Map<string, Set<Entry<V>>>();
  #head: Entry<V> | null = null;
  #tail: Entry<V> | null = null;
  #entries = 0;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;
  #invalidations = 0;
  #oversized = 0;

  constructor(options: QueryCacheOptions = {}, wrap: (rows: readonly Row[]) => V = identity) {
    this.#wrap = wrap;
    this.maxEntries = options.maxEntries ?? 1000;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.defaultTtlMs = options.defaultTtlMs ?? 60_000;
    if (!(this.maxEntries >= 0) || !(this.maxBytes >= 0)) throw new RangeError('cache bounds must be >= 0');
  }

  /**
   * The cached value of `sql` with `params`, if present and fresh. `describe` (called only for
   * a SQL text not seen before) lets another spelling of a cached SQL find its entries.
   */
  get(sql: string, params: SqlParams | undefined, describe?: DescribeSql): V | undefined {
    let bucket = this.#aliases.get(sql);
    if (bucket === undefined && describe !== undefined && this.#buckets.size > 0) {
      bucket = this.#buckets.get(describe(sql).normalized);
      if (bucket !== undefined) {
        if (this.#aliases.size >= MAX_ALIASES) this.#pruneAliases();
        this.#aliases.set(sql, bucket);
      }
    }
    let entry: Entry<V> | undefined;
    if (bucket !== undefined) {
      if (params === undefined || (params as readonly SqlValue[]).length === 0) entry = bucket.single.get(NO_PARAMS);
      else if (Array.isArray(params) && params.length === 1 && !(params[0] instanceof Uint8Array)) entry = bucket.single.get(params[0]);
      else entry = bucket.multi.get(multiKey(params));
    }
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    if (entry.expires <= Date.now()) {
      this.#remove(entry);
      this.#expirations++;
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    if (entry !== this.#head) {
      this.#unlink(entry);
      this.#pushFront(entry);
    }
    return entry.hasBlob ? this.#wrap(copyBlobs(entry.rows)) : entry.value;
  }

  /**
   * Caches `rows` for `sql` with `params` and returns them frozen. `describe` is called the
   * first time `sql` is seen, for its normalized form and the tables it reads.
   */
  set(sql: string, params: SqlParams | undefined, rows: Row[], options: CachedQueryOptions | undefined, describe: DescribeSql): V {
    const ttl = options?.cacheTtl ?? this.defaultTtlMs;
    let hasBlob = false;
    let bytes = ENTRY_OVERHEAD + sql.length * 2;
    for (const row of rows) {
      bytes += 48;
      for (const k in row) {
        const v = row[k];
        bytes += 16 + k.length;
        if (typeof v === 'string') bytes += v.length * 2;
        else if (v instanceof Uint8Array) {
          bytes += v.byteLength;
          hasBlob = true;
        }
      }
      Object.freeze(row);
    }
    const frozen = rows.length === 0 ? EMPTY : Object.freeze(rows);
    const value = this.#wrap(frozen);
    if (!(ttl > 0) || this.maxEntries === 0) return hasBlob ? this.#wrap(copyBlobs(frozen)) : value;
    if (bytes > this.maxBytes) {
      this.#oversized++;
      return hasBlob ? this.#wrap(copyBlobs(frozen)) : value;
    }
    const bucket = this.#bucket(sql, describe);
    let key: unknown;
    let multi = false;
    if (params === undefined || (params as readonly SqlValue[]).length === 0) key = NO_PARAMS;
    else if (Array.isArray(params) && params.length === 1 && !(params[0] instanceof Uint8Array)) key = params[0];
    else {
      key = multiKey(params);
      multi = true;
    }
    const old = multi ? bucket.multi.get(key as string) : bucket.single.get(key);
    if (old) this.#remove(old);
    const entry: Entry<V> = {
      bucket, key, multi, rows: frozen, value, bytes, expires: Date.now() + ttl, hasBlob,
      tags: options?.tags && options.tags.length ? [...options.tags] : undefined, prev: null, next: null,
    };
    if (multi) bucket.multi.set(key as string, entry);
    else bucket.single.set(key, entry);
    if (entry.tags) {
      for (const tag of entry.tags) {
        let set = this.#byTag.get(tag);
        if (!set) this.#byTag.set(tag, (set = new Set()));
        set.add(entry);
      }
    }
    this.#pushFront(entry);
    this.#entries++;
    this.#bytes += bytes;
    while ((this.#entries > this.maxEntries || this.#bytes > this.maxBytes) && this.#tail) {
      this.#remove(this.#tail);
      this.#evictions++;
    }
    return hasBlob ? this.#wrap(copyBlobs(frozen)) : value;
  }

  /** Drops every entry that reads any of `tables` (lower-case names). Returns how many. */
  invalidateTables(tables: Iterable<string>): number {
    let dropped = 0;
    for (const table of tables) {
      for (const bucket of this.#byTable.get(table) ?? []) {
        for (const e of [...bucket.single.values(), ...bucket.multi.values()]) {
          this.#remove(e);
          dropped++;
        }
      }
    }
    this.#invalidations += dropped;
    return dropped;
  }

  /** Drops the entries tagged `tagOrTable` and those reading a table of that name. */
  invalidate(tagOrTable: string): number {
    let dropped = 0;
    for (const e of [...(this.#byTag.get(tagOrTable) ?? [])]) {
      this.#remove(e);
      dropped++;
    }
    this.#invalidations += dropped;
    return dropped + this.invalidateTables([tagOrTable.toLowerCase()]);
  }

  /** Drops everything, including what is known about each SQL text (after a schema change). */
  clear(): void {
    const dropped = this.#entries;
    this.#aliases.clear();
    this.#buckets.clear();
    this.#byTable.clear();
    this.#byTag.clear();
    this.#head = this.#tail = null;
    this.#entries = 0;
    this.#bytes = 0;
    this.#invalidations += dropped;
  }

  getStats(): QueryCacheStats {
    const lookups = this.#hits + this.#misses;
    return {
      hits: this.#hits, misses: this.#misses, hitRate: lookups ? this.#hits / lookups : 0,
      evictions: this.#evictions, expirations: this.#expirations, invalidations: this.#invalidations,
      oversized: this.#oversized, entries: this.#entries, bytes: this.#bytes,
      maxEntries: this.maxEntries, maxBytes: this.maxBytes,
    };
  }

  #bucket(sql: string, describe: DescribeSql): Bucket<V> {
    let bucket = this.#aliases.get(sql);
    if (bucket) return bucket;
    if (this.#aliases.size >= MAX_ALIASES) this.#pruneAliases();
    const { normalized, tables } = describe(sql);
    bucket = this.#buckets.get(normalized);
    if (!bucket) {
      bucket = { normalized, tables, single: new Map(), multi: new Map() };
      this.#buckets.set(normalized, bucket);
      for (const t of tables) {
        let set = this.#byTable.get(t);
        if (!set) this.#byTable.set(t, (set = new Set()));
        set.add(bucket);
      }
    }
    this.#aliases.set(sql, bucket);
    return bucket;
  }

  /** Bounds the per-SQL bookkeeping: forgets SQL texts whose buckets are empty. */
  #pruneAliases(): void {
    for (const [sql, bucket] of this.#aliases) {
      if (bucket.single.size === 0 && bucket.multi.size === 0) {
        this.#aliases.delete(sql);
        if (this.#buckets.get(bucket.normalized) === bucket) this.#buckets.delete(bucket.normalized);
        for (const t of bucket.tables) this.#byTable.get(t)?.delete(bucket);
      }
    }
    if (this.#aliases.size >= MAX_ALIASES) this.clear();
  }

  #remove(e: Entry<V>): void {
    if (e.multi) e.bucket.multi.delete(e.key as string);
    else e.bucket.single.delete(e.key);
    if (e.tags) for (const tag of e.tags) {
      const set = this.#byTag.get(tag);
      set?.delete(e);
      if (set?.size === 0) this.#byTag.delete(tag);
    }
    this.#unlink(e);
    this.#entries--;
    this.#bytes -= e.bytes;
  }

  #unlink(e: Entry<V>): void {
    if (e.prev) e.prev.next = e.next;
    else this.#head = e.next;
    if (e.next) e.next.prev = e.prev;
    else this.#tail = e.prev;
    e.prev = e.next = null;
  }

  #pushFront(e: Entry<V>): void {
    e.next = this.#head;
    if (this.#head) this.#head.prev = e;
    this.#head = e;
    if (!this.#tail) this.#tail = e;
  }
}

/** An unambiguous string key for several parameters (type tag, length-prefixed text). */
function multiKey(params: SqlParams): string {
  let key = '';
  if (Array.isArray(params)) {
    for (let i = 0; i < params.length; i++) key += valueKey(params[i]);
  } else {
    for (const k of Object.keys(params).sort()) key += `${k.length}:${k}${valueKey((params as Record<string, SqlValue>)[k])}`;
  }
  return key;
}

function valueKey(v: SqlValue): string {
  switch (typeof v) {
    case 'number': return `n${v};`;
    case 'bigint': return `i${v};`;
    case 'boolean': return v ? 't' : 'f';
    case 'string': return `s${v.length}:${v}`;
    default:
      if (v === null) return 'z';
      if (v instanceof Uint8Array) {
        let hex = '';
        for (let i = 0; i < v.length; i++) hex += (v[i] < 16 ? '0' : '') + v[i].toString(16);
        return `b${v.length}:${hex}`;
      }
      return `?${String(v)};`;
  }
}

/** Rows with their blobs copied, so a caller cannot change the cached bytes. */
function copyBlobs(rows: readonly Row[]): readonly Row[] {
  return rows.map((row) => {
    const out: Row = {};
    for (const k in row) {
      const v = row[k];
      out[k] = v instanceof Uint8Array ? v.slice() : v;
    }
    return Object.freeze(out);
  });
}
