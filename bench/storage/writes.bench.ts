/**
 * Write-side figures, timed by hand (each operation is far longer than mitata's sweet spot):
 * batch insert of 100k rows, durable single-row writes (fsync per commit with one writer, group
 * commit with 16), snapshot of a 100k-row database, recovery of 100k journaled writes, and
 * memory. Anchors in the same run: sql.js's own prepared insert and better-sqlite3@12.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBackend, getSql, OptimizedDatabase, type Migration } from '../../src/storage/index.ts';
import { createFileBackend } from '../../src/storage/file-backend.ts';
import { recordFigure, runBenchmarks } from '../harness.ts';

const ROWS = 100_000;
const SCHEMA = 'CREATE TABLE consent (id INTEGER PRIMARY KEY, patient TEXT NOT NULL, scope TEXT NOT NULL, granted_at INTEGER NOT NULL, weight REAL)';
const MIGRATIONS: Migration[] = [{ domain: 'bench', version: 1, up: SCHEMA }];
const INSERT = 'INSERT INTO consent VALUES (?, ?, ?, ?, ?)';
const row = (i: number) => [i, `patient-${i}`, ['genomic', 'lab', 'imaging'][i % 3], 1_700_000_000 + i, i / 7];
const rows = Array.from({ length: ROWS }, (_, i) => row(i + 1));
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'healthsync-bench-'));
  dirs.push(d);
  return d;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Median of `runs` timings after unmeasured warm-up runs (JIT tiers, heap and WASM memory growth). */
async function timeRuns(runs: number, fn: () => Promise<number>, warmups = 3): Promise<number> {
  for (let i = 0; i < warmups; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return median(times);
}

async function count(db: OptimizedDatabase): Promise<number> {
  return db.executeQuery<{ n: number }>('SELECT COUNT(*) AS n FROM consent').rows[0].n;
}

// ---- batch insert of 100k rows, each contender on a fresh database ----
const SQL = await getSql();
const batchMemory = await timeRuns(5, async () => {
  const db = new OptimizedDatabase(createMemoryBackend(), { migrations: MIGRATIONS });
  await db.start();
  const t = performance.now();
  await db.executeBatch(INSERT, rows);
  const ms = performance.now() - t;
  if ((await count(db)) !== ROWS) throw new Error('executeBatch lost rows');
  await db.close();
  return ms;
});
const batchFile = await timeRuns(5, async () => {
  const db = new OptimizedDatabase(createFileBackend(tempDir()), { migrations: MIGRATIONS, snapshotOnClose: false });
  await db.start();
  const t = performance.now();
  await db.executeBatch(INSERT, rows);
  const ms = performance.now() - t;
  await db.close();
  return ms;
});
const PRAGMAS = 'PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -8192';
const sqlJsBatch = (pragmas: string) => timeRuns(5, async () => {
  const db = new SQL.Database();
  db.exec(pragmas);
  db.exec(SCHEMA);
  const t = performance.now();
  db.exec('BEGIN');
  const stmt = db.prepare(INSERT);
  for (const r of rows) stmt.run(r);
  stmt.free();
  db.exec('COMMIT');
  const ms = performance.now() - t;
  if (db.exec('SELECT COUNT(*) FROM consent')[0].values[0][0] !== ROWS) throw new Error('sql.js lost rows');
  db.close();
  return ms;
});
const batchSqlJs = await sqlJsBatch('');
const batchSqlJsTuned = await sqlJsBatch(PRAGMAS);
const batchNative = await timeRuns(5, async () => {
  const db = new Database(':memory:');
  db.exec(SCHEMA);
  const stmt = db.prepare(INSERT);
  const t = performance.now();
  db.transaction(() => {
    for (const r of rows) stmt.run(...r);
  })();
  const ms = performance.now() - t;
  db.close();
  return ms;
});
recordFigure('batch insert 100k rows: executeBatch (memory backend)', ROWS / (batchMemory / 1000), 'rows/s');
recordFigure('batch insert 100k rows: executeBatch (file backend, fsync)', ROWS / (batchFile / 1000), 'rows/s');
recordFigure('batch insert 100k rows: sql.js prepared, one transaction', ROWS / (batchSqlJs / 1000), 'rows/s');
recordFigure('batch insert 100k rows: sql.js prepared, same pragmas as ours', ROWS / (batchSqlJsTuned / 1000), 'rows/s');
recordFigure('batch insert 100k rows: better-sqlite3@12, one transaction', ROWS / (batchNative / 1000), 'rows/s');

// ---- durable single-row writes ----
async function durableWrites(writers: number, seconds: number, groupCommitMs = 0): Promise<{ rate: number; perAppend: number; p99: number }> {
  const db = new OptimizedDatabase(createFileBackend(tempDir(), { groupCommitMs }), { migrations: MIGRATIONS, snapshotOnClose: false });
  await db.start();
  let next = 1;
  let acked = 0;
  const end = performance.now() + seconds * 1000;
  const t = performance.now();
  await Promise.all(Array.from({ length: writers }, async () => {
    while (performance.now() < end) {
      await db.executeQuery(INSERT, row(next++));
      acked++;
    }
  }));
  const rate = acked / ((performance.now() - t) / 1000);
  const stats = db.getPerformanceStats();
  if ((await count(db)) !== acked) throw new Error('acknowledged writes missing');
  await db.close();
  return { rate, perAppend: stats.journal.recordsPerAppend, p99: stats.writeLatency.p99 };
}
const single = await durableWrites(1, 2);
const group16 = await durableWrites(16, 3);
recordFigure('durable writes, 1 writer (fsync per commit)', single.rate, 'writes/s');
recordFigure('durable writes, 16 writers (group commit)', group16.rate, 'writes/s');
recordFigure('durable writes, 16 writers: records per fsync', group16.perAppend, 'records');
recordFigure('durable writes, 16 writers: ack latency p99', group16.p99 / 1000, 'ms');
{
  const dir = tempDir();
  const db = new Database(join(dir, 'native.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  const stmt = db.prepare(INSERT);
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < 2000) stmt.run(...row(++n));
  recordFigure('durable writes, better-sqlite3@12 WAL synchronous=FULL, 1 writer', n / ((performance.now() - t) / 1000), 'writes/s');
  db.close();
}

// ---- snapshot of a 100k-row database ----
{
  const dir = tempDir();
  const db = new OptimizedDatabase(createFileBackend(dir), { migrations: MIGRATIONS, snapshotOnClose: false, snapshotEvery: { records: 1e9, bytes: 1e12 } });
  await db.start();
  await db.executeBatch(INSERT, rows);
  const snapMs = await timeRuns(5, async () => {
    const t = performance.now();
    await db.snapshot();
    return performance.now() - t;
  });
  recordFigure('snapshot of 100k rows (export, write, fsync, rename, fsync dir)', snapMs, 'ms');
  recordFigure('snapshot size, 100k rows', statSync(join(dir, 'snapshot.hss')).size, 'bytes');
  const stats = db.getPerformanceStats();
  recordFigure('memory: database size, 100k rows', stats.databaseBytes, 'bytes');
  recordFigure('memory: SQLite heap (page cache etc.) with 100k rows', stats.sqliteMemoryBytes, 'bytes');
  await db.close();
}

// ---- recovery of 100k journaled writes ----
{
  const dir = tempDir();
  // The journal is byte-identical with or without fsync; skipping it only makes the fixture fast.
  const writer = new OptimizedDatabase(createFileBackend(dir, { sync: false }), { migrations: MIGRATIONS, snapshotOnClose: false, snapshotEvery: { records: 1e9, bytes: 1e12 }, maxPendingWrites: 1e9 });
  await writer.start();
  let pending: PromiseLike<unknown>[] = [];
  for (let i = 1; i <= ROWS; i++) {
    pending.push(writer.executeQuery(INSERT, row(i)));
    if (pending.length === 1000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  await writer.close();
  let replayed = 0;
  const recoveryMs = await timeRuns(3, async () => {
    const db = new OptimizedDatabase(createFileBackend(dir), { migrations: MIGRATIONS, snapshotOnClose: false });
    const t = performance.now();
    await db.start();
    const ms = performance.now() - t;
    replayed = db.startReport!.replayed;
    if ((await count(db)) !== ROWS) throw new Error('recovery lost rows');
    await db.close();
    return ms;
  });
  recordFigure(`recovery of ${replayed} journaled single-row writes (start-up)`, recoveryMs, 'ms');
}

// ---- memory of the query cache when full ----
{
  const db = new OptimizedDatabase(createMemoryBackend(), { migrations: MIGRATIONS, cacheSize: 10_000, cacheBytes: 64 << 20 });
  await db.start();
  await db.executeBatch(INSERT, rows.slice(0, 20_000));
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 1; i <= 10_000; i++) db.executeCachedQuery('SELECT * FROM consent WHERE id = ?', [i]);
  globalThis.gc?.();
  const heap = process.memoryUsage().heapUsed - before;
  const stats = db.queryCache.getStats();
  recordFigure('memory: query cache, 10k single-row entries (heap delta)', heap, 'bytes');
  recordFigure('memory: query cache, 10k single-row entries (its own estimate)', stats.bytes, 'bytes');
  await db.close();
}

for (const d of dirs) rmSync(d, { recursive: true, force: true });
await runBenchmarks(import.meta.url);
