/**
 * GROUP BY with a join over 100k + 100k rows (the third anchor row), side by side:
 * `executeQuery`, sql.js (default settings, and with the pragmas OptimizedDatabase sets), and
 * better-sqlite3@12. Results are checked equal before timing.
 */
import Database from 'better-sqlite3';
import { bench, do_not_optimize, group, summary } from 'mitata';
import { createMemoryBackend, getSql, OptimizedDatabase } from '../../src/storage/index.ts';
import { runBenchmarks } from '../harness.ts';

const ROWS = 100_000;
const SCHEMA = `CREATE TABLE consent (id INTEGER PRIMARY KEY, patient TEXT NOT NULL, scope TEXT NOT NULL, weight REAL);
  CREATE TABLE audit (id INTEGER PRIMARY KEY, consent_id INTEGER NOT NULL, event TEXT NOT NULL)`;
const QUERY = `SELECT c.scope, a.event, COUNT(*) AS n, AVG(c.weight) AS w
  FROM audit a JOIN consent c ON c.id = a.consent_id GROUP BY c.scope, a.event ORDER BY c.scope, a.event`;
const consent = (i: number) => [i, `patient-${i}`, ['genomic', 'lab', 'imaging'][i % 3], i / 7];
const audit = (i: number) => [i, 1 + ((i * 7919) % ROWS), ['granted', 'revoked', 'viewed', 'exported'][i % 4]];

const db = new OptimizedDatabase(createMemoryBackend(), { migrations: [{ domain: 'bench', version: 1, up: SCHEMA }] });
await db.start();
await db.executeBatch('INSERT INTO consent VALUES (?, ?, ?, ?)', Array.from({ length: ROWS }, (_, i) => consent(i + 1)));
await db.executeBatch('INSERT INTO audit VALUES (?, ?, ?)', Array.from({ length: ROWS }, (_, i) => audit(i + 1)));

const SQL = await getSql();
function sqlJs(pragmas: string) {
  const raw = new SQL.Database();
  raw.exec(pragmas);
  raw.exec(SCHEMA);
  raw.exec('BEGIN');
  const c = raw.prepare('INSERT INTO consent VALUES (?, ?, ?, ?)');
  for (let i = 1; i <= ROWS; i++) c.run(consent(i));
  const a = raw.prepare('INSERT INTO audit VALUES (?, ?, ?)');
  for (let i = 1; i <= ROWS; i++) a.run(audit(i));
  c.free();
  a.free();
  raw.exec('COMMIT');
  const stmt = raw.prepare(QUERY);
  return () => {
    const out: Record<string, unknown>[] = [];
    while (stmt.step()) out.push(stmt.getAsObject());
    stmt.reset();
    return out;
  };
}
const plain = sqlJs('');
const tuned = sqlJs('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8192');

const native = new Database(':memory:');
native.exec(SCHEMA);
const nc = native.prepare('INSERT INTO consent VALUES (?, ?, ?, ?)');
const na = native.prepare('INSERT INTO audit VALUES (?, ?, ?)');
native.transaction(() => {
  for (let i = 1; i <= ROWS; i++) nc.run(...consent(i));
  for (let i = 1; i <= ROWS; i++) na.run(...audit(i));
})();
const nativeQuery = native.prepare(QUERY);

const contenders = {
  executeQuery: () => db.executeQuery(QUERY).rows,
  'sql.js': plain,
  'sql.js, same pragmas as ours': tuned,
  'better-sqlite3@12': () => nativeQuery.all(),
};
const expected = JSON.stringify(contenders['better-sqlite3@12']());
for (const [name, fn] of Object.entries(contenders)) {
  if (JSON.stringify(fn()) !== expected) throw new Error(`${name} returned a different result`);
}

group('GROUP BY with a join (100k x 100k rows)', () => {
  summary(() => {
    for (const [name, fn] of Object.entries(contenders)) bench(name, () => do_not_optimize(fn()));
  });
});

await runBenchmarks(import.meta.url);
await db.close();
