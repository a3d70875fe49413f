import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createMemoryBackend, OptimizedDatabase, QueryCache, type Row } from '../../src/storage/index.ts';

const describe = (sql: string, tables: string[]) => () => ({ normalized: sql, tables: new Set(tables) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const Cache = suite('storage/query-cache: QueryCache');

Cache('hits return the frozen rows; parameters of different types are different keys', () => {
  const cache = new QueryCache();
  const rows = cache.set('q', [1], [{ a: 1 }], {}, describe('q', ['t']));
  assert.ok(Object.isFrozen(rows) && Object.isFrozen(rows[0]));
  assert.is(cache.get('q', [1]), rows);
  assert.is(cache.get('q', ['1']), undefined);
  assert.is(cache.get('q', [1n]), undefined);
  cache.set('q', [1, 'x'], [{ a: 2 }], {}, describe('q', ['t']));
  assert.equal(cache.get('q', [1, 'x']), [{ a: 2 }]);
  assert.is(cache.get('q', ['1', 'x']), undefined);
  assert.is(cache.get('q', [1, 'x', null]), undefined);
  const stats = cache.getStats();
  assert.is(stats.hits, 2);
  assert.is(stats.misses, 4);
  assert.is(stats.entries, 2);
});

Cache('bounded by entries: the least recently used goes first', () => {
  const cache = new QueryCache({ maxEntries: 3 });
  for (const k of [1, 2, 3]) cache.set('q', [k], [{ k }], {}, describe('q', []));
  cache.get('q', [1]);
  cache.set('q', [4], [{ k: 4 }], {}, describe('q', []));
  assert.is(cache.get('q', [2]), undefined, 'LRU evicted');
  assert.ok(cache.get('q', [1]) && cache.get('q', [3]) && cache.get('q', [4]));
  assert.is(cache.getStats().evictions, 1);
});

Cache('bounded by bytes, and a result larger than the whole cache is not kept', () => {
  const cache = new QueryCache({ maxBytes: 10_000 });
  const big = (n: number) => [{ s: 'x'.repeat(n) }];
  cache.set('a', [], big(2000), {}, describe('a', []));
  cache.set('b', [], big(2000), {}, describe('b', []));
  cache.set('c', [], big(2000), {}, describe('c', []));
  const stats = cache.getStats();
  assert.ok(stats.bytes <= 10_000, `${stats.bytes} bytes`);
  assert.is(cache.get('a', []), undefined);
  cache.set('huge', [], big(100_000), {}, describe('huge', []));
  assert.is(cache.get('huge', []), undefined);
  assert.is(cache.getStats().oversized, 1);
});

Cache('TTL: entries expire; a TTL of 0 does not cache', async () => {
  const cache = new QueryCache();
  cache.set('short', [], [{ a: 1 }], { cacheTtl: 1 }, describe('short', []));
  cache.set('long', [], [{ a: 1 }], { cacheTtl: 60_000 }, describe('long', []));
  cache.set('z', [], [{ a: 1 }], { cacheTtl: 0 }, describe('z', []));
  assert.is(cache.get('z', []), undefined);
  await sleep(10);
  assert.is(cache.get('short', []), undefined);
  assert.ok(cache.get('long', []));
  assert.is(cache.getStats().expirations, 1);
});

Cache('invalidation by table (all parameters of every SQL reading it) and by tag', () => {
  const cache = new QueryCache();
  cache.set('a', [1], [], {}, describe('a', ['consent']));
  cache.set('a', [2], [], { tags: ['patient:1'] }, describe('a', ['consent']));
  cache.set('b', [], [], { tags: ['patient:1'] }, describe('b', ['audit']));
  cache.set('c', [], [], {}, describe('c', ['audit', 'keys']));
  assert.is(cache.invalidateTables(['consent']), 2);
  assert.is(cache.get('a', [2]), undefined);
  assert.is(cache.invalidate('patient:1'), 1);
  assert.ok(cache.get('c', []));
  assert.is(cache.invalidate('KEYS'), 1, 'table names are case-insensitive');
  assert.is(cache.getStats().entries, 0);
});

Cache('blobs in cached rows are copied on every hit, so callers cannot change the cache', () => {
  const cache = new QueryCache();
  cache.set('q', [], [{ b: Uint8Array.of(1, 2) }], {}, describe('q', []));
  const first = cache.get('q', [])!;
  (first[0].b as Uint8Array)[0] = 99;
  assert.equal(cache.get('q', [])![0].b, Uint8Array.of(1, 2));
});

Cache('property: never exceeds its bounds and agrees with a model map on what it holds', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(20), fc.nat(300)), { maxLength: 200 }), (ops) => {
    const cache = new QueryCache({ maxEntries: 8, maxBytes: 4000 });
    const model = new Map<number, number>();
    for (const [k, size] of ops) {
      const hit = cache.get('q', [k]);
      if (hit) assert.is((hit[0] as Row).n, model.get(k));
      else {
        cache.set('q', [k], [{ n: size, s: 'x'.repeat(size) }], {}, describe('q', []));
        model.set(k, size);
      }
      const stats = cache.getStats();
      assert.ok(stats.entries <= 8 && stats.bytes <= 4000);
    }
  }));
});

Cache.run();

const ReadYourWrites = suite('storage/query-cache: through OptimizedDatabase');

const MIGRATIONS = [{
  domain: 'q', version: 1,
  up: `CREATE TABLE consent (id INTEGER PRIMARY KEY, patient TEXT, scope TEXT);
       CREATE TABLE audit (id INTEGER PRIMARY KEY, consent_id INTEGER REFERENCES consent(id) ON DELETE CASCADE, event TEXT);
       CREATE TABLE tally (n INTEGER);
       INSERT INTO tally VALUES (0);
       CREATE TRIGGER count_consent AFTER INSERT ON consent BEGIN UPDATE tally SET n = n + 1; END;
       CREATE VIEW consent_audit AS SELECT c.patient, a.event FROM consent c JOIN audit a ON a.consent_id = c.id;`,
}];

ReadYourWrites('a committed write drops cached reads of its tables: directly, via triggers, cascades and views', async () => {
  const db = new OptimizedDatabase(createMemoryBackend(), { migrations: MIGRATIONS });
  await db.start();
  const tally = () => db.executeCachedQuery<{ n: number }>('SELECT n FROM tally').rows[0].n;
  const audits = () => db.executeCachedQuery('SELECT COUNT(*) AS n FROM audit').rows[0].n;
  const view = () => db.executeCachedQuery('SELECT * FROM consent_audit').rows.length;
  assert.is(tally(), 0);
  db.executeQuery('INSERT INTO consent (patient) VALUES (?)', ['p1']);
  assert.is(tally(), 1, 'trigger-written table invalidated, before the write is even durable');
  db.executeQuery('INSERT INTO audit (consent_id, event) VALUES (?, ?)', [1, 'granted']);
  assert.is(audits(), 1);
  assert.is(view(), 1);
  await db.executeQuery('DELETE FROM consent WHERE id = ?', [1]);
  assert.is(audits(), 0, 'cascade-deleted rows invalidated');
  assert.is(view(), 0, 'reads through a view invalidated');
  await db.close();
});

ReadYourWrites('the cache is bypassed inside a transaction, and rolled-back writes leave it correct', async () => {
  const db = new OptimizedDatabase(createMemoryBackend(), { migrations: MIGRATIONS });
  await db.start();
  const count = () => db.executeCachedQuery<{ n: number }>('SELECT COUNT(*) AS n FROM consent').rows[0].n;
  assert.is(count(), 0);
  try {
    await db.transaction((tx) => {
      tx.run('INSERT INTO consent (patient) VALUES (?)', ['p']);
      assert.is(count(), 1, 'sees its own write, not the cached 0');
      throw new Error('abort');
    });
  } catch {
    // expected
  }
  assert.is(count(), 0);
  assert.is(db.getPerformanceStats().cache.hits, 1);
  await db.close();
});

ReadYourWrites('schema changes clear everything; invalidateCache by tag and stats are reported', async () => {
  const db = new OptimizedDatabase(createMemoryBackend(), { migrations: MIGRATIONS });
  await db.start();
  db.executeCachedQuery('SELECT * FROM consent WHERE patient = ?', ['p'], { tags: ['patient:p'] });
  db.executeCachedQuery('SELECT * FROM consent WHERE patient = ?', ['p']);
  assert.is(db.invalidateCache('patient:p'), 1);
  db.executeCachedQuery('SELECT * FROM audit');
  await db.transaction((tx) => tx.exec('ALTER TABLE audit ADD COLUMN at TEXT'));
  assert.equal(Object.keys(db.executeCachedQuery('SELECT * FROM audit').rows[0] ?? { id: 0, consent_id: 0, event: 0, at: 0 }), ['id', 'consent_id', 'event', 'at']);
  await db.executeQuery('INSERT INTO audit (event, at) VALUES (?, ?)', ['e', 'now']);
  assert.equal(Object.keys(db.executeCachedQuery('SELECT * FROM audit').rows[0]), ['id', 'consent_id', 'event', 'at'], 'column list refreshed after ALTER');
  const stats = db.getPerformanceStats();
  assert.is(stats.cache.hits, 1);
  assert.ok(stats.cache.hitRate > 0 && stats.cache.hitRate < 1);
  assert.ok(stats.statements.size > 0);
  await db.close();
});

ReadYourWrites.run();
