/**
 * Storage: `OptimizedDatabase` — sql.js (SQLite in WASM) with a prepared-statement cache, a
 * query cache, and durability through a `StorageBackend` (memory, file on Node, Durable Object
 * storage in Workers).
 *
 * API decision (stable since milestone 1; code against it):
 *
 * - Every statement runs synchronously when called: sql.js is a synchronous, in-process SQLite,
 *   and a promise per read would cost more than a cache hit (goal: <= 0.5 us).
 * - `executeQuery(sql, params)` returns a `QueryResult` ({rows, changes, lastInsertRowid}) at
 *   once. For reads that is all. For writes the result is also awaitable: `await
 *   db.executeQuery('INSERT ...', [...])` resolves only once the write is durable (journal
 *   synced), and rejects with `StorageError('durability_failed')` if it could not be made
 *   durable — the write is then rolled back. Always await writes whose loss would matter.
 * - `executeCachedQuery(sql, params, {cacheTtl, tags})` reads through the query cache; rows are
 *   frozen and shared.
 * - `executeBatch(sql, rows)` and `transaction(fn)` return promises that resolve once durable.
 *   `fn(tx)` is synchronous (`tx.query`, `tx.run`, `tx.batch`, `tx.exec`) and all or nothing; no
 *   other statement can interleave with it. Do async work (hashing, fetches) before calling.
 * - Reads see every write the moment it has run (read-your-writes), even before it is durable.
 *   A response that must not reveal a write that might still be lost can `await db.sync()`.
 * - Parameters only: there is no API that splices values into SQL. Wrong parameter count or
 *   type fails before anything runs; SQL errors are `StorageError`s carrying SQLite's code.
 * - `start()` and `close()` are async; `healthCheck()` and `getPerformanceStats()` are not.
 * - Migrations: `{domain, version, up}` per domain, all passed in `options.migrations`, applied
 *   at `start()` in one transaction; a database with a newer version of any domain than the
 *   code knows refuses to open.
 *
 * What "pool" and "queue" mean here: sql.js is one in-process database, so there is no
 * connection pool. `poolSize` bounds an LRU of prepared statements (evicted ones are freed).
 * Writes run one at a time by construction (JavaScript is single-threaded and sql.js
 * synchronous); their journal records go through one queue to the backend, which syncs each
 * batch of records once (group commit; `groupCommitMs` widens the window).
 *
 * Hosts: Node — `createFileBackend(dir)` from `./file-backend.ts` (Node-only; importing it also
 * lets `new OptimizedDatabase('/dir')` work). Workers — inside a Durable Object,
 * `new OptimizedDatabase(createDurableObjectBackend(this.ctx.storage), options)` started in
 * `ctx.blockConcurrencyWhile`; `createShardRouter(env.NAMESPACE, {shardCount})` from
 * `./sharding.ts` picks the object owning a key. Workers forbid registering SQL functions, so
 * there writes that would call random()/randomblob() are refused (bind a JS-drawn value).
 */
export { OptimizedDatabase } from './database.ts';
export type {
  BatchResult,
  CachedQueryResult,
  DatabaseOptions,
  DatabaseState,
  HealthReport,
  PerformanceStats,
  QueryResult,
  SettledResult,
  StartReport,
} from './database.ts';
export type { Row, SqlParams, SqlValue } from './connection.ts';
export type { Transaction, RunInfo } from './transaction.ts';
export type { Migration } from './migrations.ts';
export type { StorageBackend, RecoveredState, RecoveryReport, BackendStats } from './backend.ts';
export { registerPathBackend } from './backend.ts';
export { createMemoryBackend, type MemoryBackend } from './memory-backend.ts';
export { StorageError } from './errors.ts';
export { QueryCache, type CachedQueryOptions, type QueryCacheOptions, type QueryCacheStats } from './query-cache.ts';
export type { StatementCacheStats } from './statement-cache.ts';
export type { LatencySummary } from './latency.ts';
export { getSql } from './sql.ts';
export { createDurableObjectBackend, type DurableObjectBackendOptions, type DurableObjectStorageLike } from './durable-object-backend.ts';
export { createShardRouter, shardFor, type DurableObjectNamespaceLike, type ShardRouter } from './sharding.ts';
