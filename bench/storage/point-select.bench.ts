/**
 * Point select by primary key on the same 100k-row table, side by side:
 * `executeQuery` (statement cache, raw SQLite exports), a raw sql.js prepared statement
 * (bind/step/getAsObject/reset) on a default sql.js database and on one with the pragmas
 * OptimizedDatabase sets (locking_mode EXCLUSIVE, in-memory journal, larger page cache: the
 * like-for-like comparison of our layer's overhead), better-sqlite3@12 (native SQLite), and a
 * cached hit through `executeCachedQuery`. Every contender is checked before timing.
 */
import Database from 'better-sqlite3';
import { bench, do_not_optimize, group, summary } from 'mitata';
import { createMemoryBackend, getSql, OptimizedDatabase } from '../../src/storage/index.ts';
import { runBenchmarks } from '../harness.ts';

const ROWS = 100_000;
const SCHEMA = 'CREATE TABLE consent (id INTEGER PRIMARY KEY, patient TEXT NOT NULL, scope TEXT NOT NULL, granted_at INTEGER NOT NULL, weight REAL)';
const SELECT = 'SELECT * FROM consent WHERE id = ?';
const row = (i: number) => [i, `patient-${i}`, ['genomic', 'lab', 'imaging'][i % 3], 1_700_000_000 + i, i / 7] as const;

// Fixtures, built once.
const db = new OptimizedDatabase(createMemoryBackend(), { migrations: [{ domain: 'bench', version: 1, up: SCHEMA }], cacheSize: 10_000 });
await db.start();
await db.executeBatch('INSERT INTO consent VALUES (?, ?, ?, ?, ?)', Array.from({ length: ROWS }, (_, i) => row(i + 1)));

const SQL = await getSql();
/** A plain sql.js database with the table; `pragmas` = the settings OptimizedDatabase applies. */
function sqlJsFixture(pragmas: string) {
  const raw = new SQL.Database();
  raw.exec(pragmas);
  raw.exec(SCHEMA);
  raw.exec('BEGIN');
  const ins = raw.prepare('INSERT INTO consent VALUES (?, ?, ?, ?, ?)');
  for (let i = 1; i <= ROWS; i++) ins.run([...row(i)]);
  ins.free();
  raw.exec('COMMIT');
  return raw.prepare(SELECT);
}
const rawStmt = sqlJsFixture('');
const tunedStmt = sqlJsFixture('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -8192');
const rawGet = (stmt: typeof rawStmt, id: number) => {
  stmt.bind([id]);
  stmt.step();
  const r = stmt.getAsObject();
  stmt.reset();
  return r;
};

const native = new Database(':memory:');
native.exec(SCHEMA);
const nIns = native.prepare('INSERT INTO consent VALUES (?, ?, ?, ?, ?)');
native.transaction(() => {
  for (let i = 1; i <= ROWS; i++) nIns.run(...row(i));
})();
const nativeStmt = native.prepare(SELECT);

const ids = Array.from({ length: 4096 }, (_, i) => 1 + ((i * 7919 + 13) % ROWS));
const HOT = 1000;
let k = 0;
const next = () => ids[k++ & 4095];
let h = 0;
const nextHot = () => ids[h++ % HOT];

const contenders = {
  executeQuery: (id: number) => db.executeQuery(SELECT, [id]).rows[0],
  'sql.js prepared': (id: number) => rawGet(rawStmt, id),
  'sql.js prepared, same pragmas': (id: number) => rawGet(tunedStmt, id),
  'better-sqlite3': (id: number) => nativeStmt.get(id),
  executeCachedQuery: (id: number) => db.executeCachedQuery(SELECT, [id]).rows[0],
};

// Correctness first: every contender returns the same row.
for (const id of [1, 2, 77_777, ROWS]) {
  const expected = JSON.stringify(contenders['better-sqlite3'](id));
  for (const [name, fn] of Object.entries(contenders)) {
    if (JSON.stringify(fn(id)) !== expected) throw new Error(`${name} returned a different row for id ${id}`);
  }
}
for (let i = 0; i < HOT; i++) contenders.executeCachedQuery(ids[i]); // warm the cache
const before = db.queryCache.getStats().hits;
contenders.executeCachedQuery(ids[0]);
if (db.queryCache.getStats().hits !== before + 1) throw new Error('executeCachedQuery did not hit');

group('point select by primary key (100k rows)', () => {
  summary(() => {
    bench('executeQuery', () => do_not_optimize(contenders.executeQuery(next())));
    bench('sql.js prepared statement', () => do_not_optimize(contenders['sql.js prepared'](next())));
    bench('sql.js prepared, same pragmas as ours', () => do_not_optimize(contenders['sql.js prepared, same pragmas'](next())));
    bench('better-sqlite3@12 .get()', () => do_not_optimize(contenders['better-sqlite3'](next())));
    bench('executeCachedQuery (hit)', () => do_not_optimize(contenders.executeCachedQuery(nextHot())));
  });
});

await runBenchmarks(import.meta.url);

const stats = db.getPerformanceStats();
console.log(`cache hit rate ${stats.cache.hitRate.toFixed(4)}; executeQuery p50 ${stats.readLatency.p50.toFixed(2)} us, p99 ${stats.readLatency.p99.toFixed(2)} us (histogram)`);
await db.close();
