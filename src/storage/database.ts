/**
 * `OptimizedDatabase`: sql.js made durable, with a statement cache and a query cache.
 *
 * Every statement runs synchronously the moment it is called (sql.js is an in-process,
 * synchronous SQLite). A write is one SQLite transaction in memory plus one journal record;
 * records go through one queue to the backend, which makes each batch durable with one sync
 * (group commit), and a write's promise resolves only then. If the backend fails, every write
 * not yet durable is rejected and the database is rebuilt from the backend's durable state, so
 * memory never keeps what the journal lost.
 */
import { OverloadedError } from '../shared/errors.ts';
import { backendForPath, type RecoveryReport, type StorageBackend } from './backend.ts';
import { CATALOG_SQL, Catalog, FOREIGN_KEYS_SQL, type SchemaRow } from './catalog.ts';
import { Connection, type Row, type SqlParams } from './connection.ts';
import { wallClock } from './determinism.ts';
import { StorageError, toStorageError } from './errors.ts';
import { decodeRecord, frameSeq, RecordBuilder, type JournalEntry, type JournalRecord } from './journal-codec.ts';
import { createLatencyRecorder, type LatencySummary } from './latency.ts';
import { createMemoryBackend } from './memory-backend.ts';
import { checkMigrations, MIGRATIONS_TABLE_SQL, pendingMigrations, type Migration } from './migrations.ts';
import { QueryCache, type CachedQueryOptions, type QueryCacheStats } from './query-cache.ts';
import { getSql } from './sql.ts';
import type { StatementCacheStats } from './statement-cache.ts';
import { insertsRows, noteEffects, TransactionHandle, type Effects, type Transaction } from './transaction.ts';

export interface DatabaseOptions {
  /** Prepared statements kept (an LRU: the statement "pool"); default 64. */
  poolSize?: number;
  /** Query-cache entries; default 1000. */
  cacheSize?: number;
  /** Query-cache bytes (estimated size of cached results); default 16 MiB. */
  cacheBytes?: number;
  /** Default TTL of `executeCachedQuery` entries in ms; default 60 s. */
  cacheTtl?: number;
  /** Every domain's migrations, applied at `start()` in one transaction. */
  migrations?: readonly Migration[];
  /** `PRAGMA foreign_keys`; default true. */
  foreignKeys?: boolean;
  /** Most bytes SQLite's page cache holds (default 8 MiB). */
  pageCacheBytes?: number;
  /** How long a write waits for others to share its sync, in ms; default the backend's (0: writes arriving during a sync share the next one). */
  groupCommitMs?: number;
  /** Writes executed but not yet durable beyond which new writes fail with 429; default 10,000. */
  maxPendingWrites?: number;
  /** Journal growth after which a snapshot is taken (and the journal truncated). */
  snapshotEvery?: { records?: number; bytes?: number };
  /** Take a snapshot at `close()` when the journal is not empty; default true. */
  snapshotOnClose?: boolean;
}

/**
 * A statement's result. Reads are complete when returned. For a write the rows and changes
 * are final too, and awaiting the result waits until the write is durable (rejecting if it
 * could not be made durable, in which case it has been rolled back).
 */
export interface QueryResult<T = Row> extends PromiseLike<SettledResult<T>> {
  readonly rows: T[];
  /** Rows inserted, updated or deleted (0 for reads). */
  readonly changes: number;
  /** For an INSERT or REPLACE that inserted a row: its rowid. */
  readonly lastInsertRowid: number | bigint | undefined;
}

/** What awaiting a `QueryResult` gives: the same fields, once durable. */
export interface SettledResult<T = Row> {
  rows: T[];
  changes: number;
  lastInsertRowid: number | bigint | undefined;
}

/** `executeCachedQuery`'s result: rows are frozen and shared with other callers. */
export interface CachedQueryResult<T = Row> extends PromiseLike<SettledResult<T>> {
  readonly rows: readonly Readonly<T>[];
  readonly changes: 0;
  readonly lastInsertRowid: undefined;
}

export interface BatchResult {
  /** Rows changed across the batch. */
  changes: number;
  /** Parameter sets run. */
  count: number;
}

export interface PerformanceStats {
  /** Statements executed against SQLite (cache hits not included). */
  queries: number;
  reads: number;
  writes: number;
  errors: number;
  /** Read latency (executeQuery and cache misses), microseconds. Cache hits are counted, not timed. */
  readLatency: LatencySummary;
  /** Write latency from call to durable, microseconds. */
  writeLatency: LatencySummary;
  cache: QueryCacheStats;
  statements: StatementCacheStats;
  journal: {
    /** Records executed but not yet durable. */
    pending: number;
    sequence: number;
    durableSequence: number;
    appends: number;
    /** Average records made durable per backend append (group-commit factor). */
    recordsPerAppend: number;
    snapshots: number;
    recordsSinceSnapshot: number;
    lastSnapshotError: string | undefined;
  };
  /** Bytes SQLite holds in the WASM heap (page cache, statements, schema). */
  sqliteMemoryBytes: number;
  /** Size of the database itself (page_count x page_size), held once more by the in-memory file. */
  databaseBytes: number;
}

export interface HealthReport {
  ok: boolean;
  status: DatabaseState;
  /** Present when something is wrong or worth knowing. */
  problems: string[];
  pendingWrites: number;
  /** How long the check query took, in microseconds. */
  checkMicros: number;
}

export type DatabaseState = 'new' | 'starting' | 'ready' | 'recovering' | 'failed' | 'closing' | 'closed';

/** The database's start-up: what the backend found and what replay did. */
export interface StartReport extends RecoveryReport {
  /** Journal records replayed on top of the snapshot. */
  replayed: number;
  /** Records already covered by the snapshot (left over from an interrupted truncation). */
  skipped: number;
  /** Migrations applied by this start, as `domain@version`. */
  migrated: string[];
  millis: number;
}

interface Waiter {
  seq: number;
  start: number;
  resolve(): void;
  reject(err: unknown): void;
}

interface SyncWaiter {
  seq: number;
  resolve(): void;
  reject(err: unknown): void;
}

const RESOLVED = Promise.resolve();
const DEFAULT_SNAPSHOT_RECORDS = 20_000;
const DEFAULT_SNAPSHOT_BYTES = 32 * 1024 * 1024;
const noop = () => {};

class Result<T> implements QueryResult<T> {
  readonly rows: T[];
  readonly changes: number;
  readonly lastInsertRowid: number | bigint | undefined;
  readonly #durable: Promise<void>;

  constructor(rows: T[], changes: number, lastInsertRowid: number | bigint | undefined, durable: Promise<void>) {
    this.rows = rows;
    this.changes = changes;
    this.lastInsertRowid = lastInsertRowid;
    this.#durable = durable;
  }

  then<A = SettledResult<T>, B = never>(
    onFulfilled?: ((value: SettledResult<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    const settled: SettledResult<T> = { rows: this.rows, changes: this.changes, lastInsertRowid: this.lastInsertRowid };
    return this.#durable.then(() => settled).then(onFulfilled, onRejected);
  }
}

/**
 * @example
 * const db = new OptimizedDatabase(createMemoryBackend(), { migrations: [...AUTH_MIGRATIONS, ...CONSENT_MIGRATIONS] });
 * await db.start();
 * await db.executeQuery('INSERT INTO consent (id, patient) VALUES (?, ?)', [id, patient]);
 * const { rows } = db.executeCachedQuery('SELECT * FROM consent WHERE id = ?', [id], { cacheTtl: 30_000 });
 * await db.close();
 */
export class OptimizedDatabase {
  readonly #backend: StorageBackend;
  readonly #options: DatabaseOptions;
  readonly #cache: QueryCache<Result<Row>>;
  /** For the query cache: a SQL text's normalized form and the tables it reads. */
  readonly #describe = (sql: string) => {
    const { info } = this.#conn!.prepare(sql);
    return { normalized: info.normalized, tables: this.#catalog.readsOf(info.identifiers) };
  };
  readonly #groupCommitMs: number;
  readonly #maxPending: number;
  readonly #reads = createLatencyRecorder();
  readonly #writesLatency = createLatencyRecorder();
  #state: DatabaseState = 'new';
  #conn: Connection | undefined;
  #catalog: Catalog = new Catalog([], []);
  #inTransaction = false;
  #failure: unknown;
  #report: StartReport | undefined;

  #seq = 0;
  #durableSeq = 0;
  #pending: JournalEntry[] = [];
  #waiters: Waiter[] = [];
  #syncWaiters: SyncWaiter[] = [];
  #flushScheduled = false;
  #flushing: Promise<void> | undefined;
  #snapshotting: Promise<void> | undefined;
  #snapshotWanted = false;
  #recordsSinceSnapshot = 0;
  #bytesSinceSnapshot = 0;
  #lastSnapshotError: string | undefined;

  #queries = 0;
  #readCount = 0;
  #writeCount = 0;
  #errors = 0;
  #appends = 0;
  #appendedRecords = 0;
  #snapshots = 0;

  /**
   * @param target a backend, `':memory:'`, or a directory path (needs a host that registered a
   *   file backend: on Node, import `createFileBackend` from `src/storage/file-backend.ts`).
   */
  constructor(target: StorageBackend | string, options: DatabaseOptions = {}) {
    if (typeof target === 'string') {
      const backend = target === ':memory:' ? createMemoryBackend() : backendForPath(target);
      if (!backend) {
        throw new StorageError('no_file_backend', `no file backend on this host for ${target}: pass a StorageBackend (createFileBackend on Node, createDurableObjectBackend in Workers)`);
      }
      this.#backend = backend;
    } else {
      this.#backend = target;
    }
    checkMigrations(options.migrations ?? []);
    this.#options = options;
    this.#cache = new QueryCache(
      { maxEntries: options.cacheSize, maxBytes: options.cacheBytes, defaultTtlMs: options.cacheTtl },
      (rows) => new Result(rows as Row[], 0, undefined, RESOLVED),
    );
    this.#groupCommitMs = options.groupCommitMs ?? this.#backend.groupCommitMs ?? 0;
    this.#maxPending = options.maxPendingWrites ?? 10_000;
  }

  /** The query cache (for `queryCache.getStats()`). */
  get queryCache(): QueryCache<unknown> {
    return this.#cache;
  }

  get state(): DatabaseState {
    return this.#state;
  }

  /** What start-up found and did (undefined before `start()` completes). */
  get startReport(): StartReport | undefined {
    return this.#report;
  }

  /** Opens the backend, restores snapshot plus journal, and applies pending migrations. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new StorageError('already_started', `database is ${this.#state}`);
    this.#state = 'starting';
    const began = wallClock();
    try {
      const report = await this.#load();
      const migrated = this.#migrate();
      await this.sync();
      this.#report = { ...report, migrated, millis: wallClock() - began };
      this.#state = 'ready';
    } catch (err) {
      this.#conn?.close();
      this.#conn = undefined;
      await this.#backend.close().catch(noop);
      this.#state = 'failed';
      this.#failure = err;
      throw toStorageError(err);
    }
  }

  /** Waits for pending writes, snapshots if the journal is not empty, and releases everything. */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing' || this.#state === 'new') {
      this.#state = 'closed';
      return;
    }
    const wasReady = this.#state === 'ready';
    this.#state = 'closing';
    try {
      // Writes already run are made durable (or fail) before anything is released.
      while (this.#pending.length || this.#flushing) {
        if (!this.#flushing) this.#startFlush();
        await this.#flushing;
      }
      await this.#snapshotting;
      if (wasReady && this.#options.snapshotOnClose !== false && this.#recordsSinceSnapshot > 0 && this.#conn) {
        await this.#backend.snapshot(this.#conn.export(), this.#seq).catch(noop);
      }
    } finally {
      this.#conn?.close();
      this.#conn = undefined;
      this.#state = 'closed';
      await this.#backend.close();
    }
  }

  /**
   * Runs one statement with its parameters. Reads return their rows at once; a write has run
   * when this returns, and `await`ing the result waits until it is durable.
   *
   * @example
   * const { rows } = db.executeQuery<{ id: string }>('SELECT id FROM consent WHERE patient = ?', [patient]);
   * const { changes } = await db.executeQuery('DELETE FROM consent WHERE id = ?', [id]);
   */
  executeQuery<T = Row>(sql: string, params?: SqlParams): QueryResult<T> {
    const conn = this.#ready();
    let p;
    try {
      p = conn.prepare(sql);
    } catch (err) {
      this.#errors++;
      throw err;
    }
    if (p.info.kind === 'read') {
      const start = performance.now();
      let rows: Row[];
      try {
        rows = conn.all(p, params);
      } catch (err) {
        this.#errors++;
        throw err;
      }
      this.#reads.record((performance.now() - start) * 1000);
      this.#queries++;
      this.#readCount++;
      return new Result(rows as T[], 0, undefined, RESOLVED);
    }
    let info: { changes: number; lastInsertRowid: number | bigint | undefined; rows: Row[] } | undefined;
    const durable = this.#write((tx) => {
      info = tx.run(sql, params);
    });
    durable.catch(noop);
    return new Result(info!.rows as T[], info!.changes, info!.lastInsertRowid, durable);
  }

  /**
   * A read served from the query cache when a fresh entry exists, else run and cached. The
   * entry is dropped when a table it reads is written (committed through this database), when
   * its TTL passes, or by `invalidateCache(tag)`.
   *
   * @example
   * const { rows } = db.executeCachedQuery('SELECT * FROM consent WHERE id = ?', [id], { cacheTtl: 30_000, tags: [`patient:${p}`] });
   */
  executeCachedQuery<T = Row>(sql: string, params?: SqlParams, options?: CachedQueryOptions): CachedQueryResult<T> {
    if (this.#state !== 'ready') this.#ready();
    // Inside a transaction the cache is bypassed both ways: it must neither hide the
    // transaction's own writes nor keep results that may yet roll back.
    if (this.#inTransaction) return this.executeQuery<T>(sql, params) as unknown as CachedQueryResult<T>;
    if (options?.cacheTtl !== 0) {
      const hit = this.#cache.get(sql, params, this.#describe);
      if (hit !== undefined) return hit as unknown as CachedQueryResult<T>;
    }
    if (this.#conn!.prepare(sql).info.kind !== 'read') {
      throw new StorageError('not_a_read', 'executeCachedQuery caches reads only: use executeQuery for writes');
    }
    const result = this.executeQuery<T>(sql, params);
    return this.#cache.set(sql, params, result.rows as Row[], options, this.#describe) as unknown as CachedQueryResult<T>;
  }

  /**
   * Runs one write statement once per parameter set, all or nothing, as one durable unit. Every
   * parameter set is checked before anything runs.
   *
   * @example
   * await db.executeBatch('INSERT INTO audit (at, event) VALUES (?, ?)', events.map((e) => [e.at, e.kind]));
   */
  executeBatch(sql: string, rows: readonly SqlParams[]): Promise<BatchResult> {
    try {
      let changes = 0;
      const durable = this.#write((tx) => {
        changes = tx.batch(sql, rows).changes;
      });
      return durable.then(() => ({ changes, count: rows.length }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Runs `fn` as one all-or-nothing transaction and resolves with its return value once the
   * transaction is durable. `fn` is synchronous: it runs to completion before anything else
   * touches the database, so no other statement ever sees half of it.
   *
   * @example
   * const id = await db.transaction((tx) => {
   *   tx.run('UPDATE budget SET spent = spent + ? WHERE study = ?', [epsilon, study]);
   *   return tx.run('INSERT INTO release (study) VALUES (?)', [study]).lastInsertRowid;
   * });
   */
  transaction<T>(fn: (tx: Transaction) => T): Promise<T> {
    try {
      let value: T;
      const durable = this.#write((tx) => {
        value = fn(tx);
        const maybe = value as unknown as PromiseLike<unknown> | undefined;
        if (maybe && typeof maybe.then === 'function') {
          maybe.then(noop, noop);
          throw new StorageError('async_transaction', 'transaction callbacks must be synchronous: compute async inputs first');
        }
      });
      return durable.then(() => value);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Drops cached reads by tag or by table name, or everything when called without one. Returns entries dropped. */
  invalidateCache(tagOrTable?: string): number {
    if (tagOrTable === undefined) {
      const n = this.#cache.getStats().entries;
      this.#cache.clear();
      return n;
    }
    return this.#cache.invalidate(tagOrTable);
  }

  /** Resolves once every write executed so far is durable. */
  sync(): Promise<void> {
    if (this.#durableSeq >= this.#seq) return RESOLVED;
    return new Promise((resolve, reject) => this.#syncWaiters.push({ seq: this.#seq, resolve, reject }));
  }

  /** Takes a snapshot now (the journal is truncated once it is durable). */
  async snapshot(): Promise<void> {
    this.#ready();
    await this.#snapshotting;
    this.#snapshotWanted = true;
    this.#maybeSnapshot();
    await this.#snapshotting;
    if (this.#lastSnapshotError) throw new StorageError('snapshot_failed', this.#lastSnapshotError);
  }

  getPerformanceStats(): PerformanceStats {
    return {
      queries: this.#queries,
      reads: this.#readCount,
      writes: this.#writeCount,
      errors: this.#errors,
      readLatency: this.#reads.summary(),
      writeLatency: this.#writesLatency.summary(),
      cache: this.#cache.getStats(),
      statements: this.#conn?.statementStats() ?? { size: 0, capacity: this.#options.poolSize ?? 64, hits: 0, misses: 0, evictions: 0 },
      journal: {
        pending: this.#seq - this.#durableSeq,
        sequence: this.#seq,
        durableSequence: this.#durableSeq,
        appends: this.#appends,
        recordsPerAppend: this.#appends ? this.#appendedRecords / this.#appends : 0,
        snapshots: this.#snapshots,
        recordsSinceSnapshot: this.#recordsSinceSnapshot,
        lastSnapshotError: this.#lastSnapshotError,
      },
      sqliteMemoryBytes: this.#conn?.memoryUsed() ?? 0,
      databaseBytes: this.#conn ? Number(this.#conn.internal('SELECT page_count * page_size AS n FROM pragma_page_count, pragma_page_size')[0].n) : 0,
    };
  }

  /** Whether the database answers and can make writes durable, and what is wrong if not. */
  healthCheck(): HealthReport {
    const problems: string[] = [];
    let checkMicros = NaN;
    if (this.#state === 'ready' && this.#conn) {
      const start = performance.now();
      try {
        this.#conn.internal('SELECT 1');
      } catch (err) {
        problems.push(`query failed: ${toStorageError(err).message}`);
      }
      checkMicros = (performance.now() - start) * 1000;
    } else {
      problems.push(`database is ${this.#state}${this.#failure ? `: ${toStorageError(this.#failure).message}` : ''}`);
    }
    const backend = this.#backend.stats();
    if (backend.lastError) problems.push(`backend: ${backend.lastError}`);
    if (this.#lastSnapshotError) problems.push(`last snapshot failed: ${this.#lastSnapshotError}`);
    const pendingWrites = this.#seq - this.#durableSeq;
    if (pendingWrites >= this.#maxPending) problems.push('write backlog full');
    return { ok: this.#state === 'ready' && problems.length === 0, status: this.#state, problems, pendingWrites, checkMicros };
  }

  // ---- internals ----

  #ready(): Connection {
    if (this.#state !== 'ready' && !(this.#state === 'starting' && this.#conn)) {
      throw new StorageError('database_unavailable', `database is ${this.#state}`, { status: 503 });
    }
    return this.#conn!;
  }

  /**
   * Runs `body` as one SQLite transaction and queues its journal record. Returns the promise
   * of durability; throws (having rolled back) if `body` fails.
   */
  #write(body: (tx: TransactionHandle) => void): Promise<void> {
    const conn = this.#ready();
    if (this.#inTransaction) {
      throw new StorageError('nested_transaction', 'inside transaction(fn), write through its tx argument');
    }
    if (this.#seq - this.#durableSeq >= this.#maxPending) {
      throw new OverloadedError('too many writes waiting to become durable', 1, 'storage_overloaded');
    }
    const record = new RecordBuilder();
    const effects: Effects = { tables: new Set(), schema: false };
    const tx = new TransactionHandle(conn, this.#catalog, record, effects);
    const start = performance.now();
    this.#inTransaction = true;
    conn.internal('PRAGMA query_only = OFF');
    try {
      conn.internal('BEGIN IMMEDIATE');
      body(tx);
      conn.internal('COMMIT');
    } catch (err) {
      this.#errors++;
      try {
        conn.internal('ROLLBACK');
      } catch {
        // SQLite already rolled back (e.g. an OR ROLLBACK conflict).
      }
      if (effects.schema) this.#schemaChanged(conn);
      // SQLite failures are already StorageErrors; the callback's own errors pass through as thrown.
      throw err;
    } finally {
      tx.close();
      conn.internal('PRAGMA query_only = ON');
      this.#inTransaction = false;
    }
    this.#queries += record.count;
    this.#writeCount++;
    if (effects.schema) this.#schemaChanged(conn);
    else if (effects.tables.size) this.#cache.invalidateTables(effects.tables);
    if (record.count === 0) return RESOLVED;
    const entry = record.finish(++this.#seq);
    return this.#enqueue(entry, start);
  }

  #schemaChanged(conn: Connection): void {
    conn.clearStatements();
    this.#cache.clear();
    this.#catalog = new Catalog(conn.internal(CATALOG_SQL) as unknown as SchemaRow[], conn.internal(FOREIGN_KEYS_SQL) as { child: string; parent: string }[]);
  }

  #enqueue(entry: JournalEntry, start: number): Promise<void> {
    this.#pending.push(entry);
    const promise = new Promise<void>((resolve, reject) => this.#waiters.push({ seq: entry.seq, start, resolve, reject }));
    if (!this.#flushScheduled && !this.#flushing) {
      this.#flushScheduled = true;
      if (this.#groupCommitMs > 0) setTimeout(() => this.#startFlush(), this.#groupCommitMs);
      else queueMicrotask(() => this.#startFlush());
    }
    return promise;
  }

  #startFlush(): void {
    this.#flushScheduled = false;
    if (this.#flushing) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = undefined;
      // Writes queued after the loop's last check (e.g. right after a rebuild) still need a flush.
      if (this.#pending.length) this.#startFlush();
    });
  }

  /** Appends queued records, one backend append per batch, until the queue is empty. */
  async #flush(): Promise<void> {
    while (this.#pending.length) {
      const batch = this.#pending;
      const waiters = this.#waiters;
      this.#pending = [];
      this.#waiters = [];
      try {
        await this.#backend.append(batch);
      } catch (err) {
        await this.#durabilityFailed(err, waiters);
        return;
      }
      this.#appends++;
      this.#appendedRecords += batch.length;
      this.#durableSeq = batch[batch.length - 1].seq;
      this.#recordsSinceSnapshot += batch.length;
      for (const e of batch) this.#bytesSinceSnapshot += e.frame.length;
      const now = performance.now();
      for (const w of waiters) {
        this.#writesLatency.record((now - w.start) * 1000);
        w.resolve();
      }
      this.#settleSyncWaiters();
      this.#maybeSnapshot();
    }
  }

  #settleSyncWaiters(err?: unknown): void {
    if (!this.#syncWaiters.length) return;
    const keep: SyncWaiter[] = [];
    for (const w of this.#syncWaiters) {
      if (err) w.reject(err);
      else if (w.seq <= this.#durableSeq) w.resolve();
      else keep.push(w);
    }
    this.#syncWaiters = keep;
  }

  /**
   * The backend could not make a batch durable. Every write not yet durable is rejected, and
   * memory is rebuilt from what the backend holds, so the database matches the journal again.
   */
  async #durabilityFailed(cause: unknown, waiters: Waiter[]): Promise<void> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new StorageError('durability_failed', `write not durable (${reason}); it was rolled back`, { status: 503, cause });
    const all = [...waiters, ...this.#waiters];
    this.#pending = [];
    this.#waiters = [];
    this.#errors += all.length;
    for (const w of all) w.reject(error);
    this.#settleSyncWaiters(error);
    // While starting or closing there is nothing to rebuild for: the caller sees the error.
    if (this.#state !== 'ready') return;
    this.#state = 'recovering';
    this.#cache.clear();
    await this.#snapshotting;
    try {
      this.#conn?.close();
      this.#conn = undefined;
      await this.#backend.close();
      await this.#load();
      if (this.#state === 'recovering') this.#state = 'ready';
    } catch (err) {
      if (this.#state === 'recovering') this.#state = 'failed';
      this.#failure = err;
    }
  }

  #maybeSnapshot(): void {
    if (this.#snapshotting || !this.#conn || (this.#state !== 'ready' && this.#state !== 'starting')) return;
    const every = this.#options.snapshotEvery ?? {};
    const due = this.#snapshotWanted
      || this.#recordsSinceSnapshot >= (every.records ?? DEFAULT_SNAPSHOT_RECORDS)
      || this.#bytesSinceSnapshot >= (every.bytes ?? DEFAULT_SNAPSHOT_BYTES);
    if (!due) return;
    this.#snapshotWanted = false;
    // Captured now, written once every record it covers is durable (never ahead of the journal).
    const seq = this.#seq;
    const bytes = this.#conn.export();
    const records = this.#recordsSinceSnapshot;
    const journalBytes = this.#bytesSinceSnapshot;
    this.#snapshotting = (async () => {
      try {
        await this.sync();
        await this.#backend.snapshot(bytes, seq);
        this.#snapshots++;
        this.#recordsSinceSnapshot = Math.max(0, this.#recordsSinceSnapshot - records);
        this.#bytesSinceSnapshot = Math.max(0, this.#bytesSinceSnapshot - journalBytes);
        this.#lastSnapshotError = undefined;
      } catch (err) {
        this.#lastSnapshotError = err instanceof Error ? err.message : String(err);
      } finally {
        this.#snapshotting = undefined;
      }
    })();
  }

  /** Opens the backend and rebuilds memory: snapshot, then every journal record after it. */
  async #load(): Promise<Omit<StartReport, 'migrated' | 'millis'>> {
    const state = await this.#backend.open();
    const SQL = await getSql();
    const conn = new Connection(SQL, state.snapshot, { poolSize: this.#options.poolSize, foreignKeys: this.#options.foreignKeys, pageCacheBytes: this.#options.pageCacheBytes });
    try {
      if (state.snapshot) {
        try {
          conn.internal('SELECT COUNT(*) FROM sqlite_schema');
        } catch (err) {
          throw new StorageError('snapshot_corrupt', `snapshot ${state.report.snapshotSource ?? ''} is not a readable database (${toStorageError(err).message}); refusing to start`);
        }
      }
      let expected = state.snapshotSeq + 1;
      let replayed = 0;
      let skipped = 0;
      const source = state.report.journalSources.join(', ');
      conn.internal('PRAGMA query_only = OFF');
      conn.internal('BEGIN IMMEDIATE');
      let catalog = this.#loadCatalog(conn);
      for (const payload of state.records) {
        const seq = frameSeq(payload);
        if (seq < expected) {
          skipped++;
          continue;
        }
        if (seq !== expected) {
          throw new StorageError('journal_gap', `${source}: journal jumps from record ${expected - 1} to ${seq}; refusing to start with writes missing`);
        }
        let record: JournalRecord;
        try {
          record = decodeRecord(payload);
        } catch (err) {
          throw new StorageError('journal_corrupt', `${source}: record ${seq} is unreadable (${(err as Error).message})`);
        }
        if (this.#replay(conn, catalog, record)) catalog = this.#loadCatalog(conn);
        expected++;
        replayed++;
      }
      conn.internal('COMMIT');
      conn.internal('PRAGMA query_only = ON');
      this.#conn = conn;
      this.#catalog = catalog;
      this.#seq = this.#durableSeq = expected - 1;
      this.#recordsSinceSnapshot = replayed;
      this.#bytesSinceSnapshot = 0;
      return { ...state.report, replayed, skipped };
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  #loadCatalog(conn: Connection): Catalog {
    return new Catalog(conn.internal(CATALOG_SQL) as unknown as SchemaRow[], conn.internal(FOREIGN_KEYS_SQL) as { child: string; parent: string }[]);
  }

  /** Applies one journal record exactly as it first ran; returns whether it changed the schema. */
  #replay(conn: Connection, catalog: Catalog, record: JournalRecord): boolean {
    const effects: Effects = { tables: new Set(), schema: false };
    if (record.seed && !conn.randomReplayable) {
      throw new StorageError('replay_diverged', `journal record ${record.seq} used random(), which this host cannot replay (it forbids registering SQL functions); refusing to start`);
    }
    const seed = () => {
      if (!record.seed) throw new StorageError('replay_diverged', `journal record ${record.seq}: random() used on replay but not when written`);
      return record.seed;
    };
    record.ops.forEach((op, i) => {
      conn.random.begin(seed, i);
      try {
        let changes: number;
        if (op.kind === 'exec') {
          conn.exec(op.sql, op.clock, (info, sql) => noteEffects(info, sql, catalog, effects));
          changes = 0;
        } else {
          const p = conn.prepare(op.sql);
          noteEffects(p.info, op.sql, catalog, effects);
          changes = op.kind === 'run' ? conn.run(p, op.params, op.clock).changes : conn.runMany(p, op.rows, op.clock);
        }
        if (changes !== op.changes) {
          throw new StorageError('replay_diverged', `changed ${changes} rows where the original changed ${op.changes}`);
        }
      } catch (err) {
        const e = toStorageError(err);
        throw new StorageError(e.code === 'replay_diverged' ? e.code : 'replay_failed', `journal record ${record.seq}, statement ${i + 1}: ${e.message}; refusing to start`, { cause: err });
      } finally {
        conn.random.end();
      }
      if (effects.schema) conn.clearStatements();
    });
    return effects.schema;
  }

  /** Applies pending migrations in one transaction; returns `domain@version` of each. */
  #migrate(): string[] {
    const migrations = this.#options.migrations ?? [];
    const conn = this.#conn!;
    const applied = new Map<string, Set<number>>();
    const hasTable = conn.internal("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").length > 0;
    if (hasTable) {
      for (const row of conn.internal('SELECT domain, version FROM schema_migrations')) {
        const set = applied.get(row.domain as string) ?? new Set<number>();
        set.add(Number(row.version));
        applied.set(row.domain as string, set);
      }
    }
    const pending = pendingMigrations(migrations, applied);
    if (pending.length === 0 && hasTable) return [];
    if (pending.length === 0 && migrations.length === 0) return [];
    const now = new Date(wallClock()).toISOString();
    void this.#write((tx) => {
      tx.exec(MIGRATIONS_TABLE_SQL);
      for (const m of pending) {
        try {
          if (typeof m.up === 'string') tx.exec(m.up);
          else m.up(tx);
        } catch (err) {
          const e = toStorageError(err);
          throw new StorageError('migration_failed', `migration ${m.domain} v${m.version} failed: ${e.message}`, { cause: err, sqliteCode: e.sqliteCode, sqliteMessage: e.sqliteMessage });
        }
        tx.run('INSERT INTO schema_migrations (domain, version, applied_at) VALUES (?, ?, ?)', [m.domain, m.version, now]);
      }
    }).catch(noop);
    return pending.map((m) => `${m.domain}@${m.version}`);
  }
}
