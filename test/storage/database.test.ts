import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NotFoundError, OverloadedError } from '../../src/shared/errors.ts';
import {
  createMemoryBackend,
  OptimizedDatabase,
  StorageError,
  type Migration,
  type StorageBackend,
  getSql,
} from '../../src/storage/index.ts';

const CONSENT: Migration[] = [
  { domain: 'consent', version: 1, up: 'CREATE TABLE consent (id INTEGER PRIMARY KEY, patient TEXT NOT NULL, scope TEXT)' },
  { domain: 'consent', version: 2, up: (tx) => tx.run('CREATE INDEX consent_patient ON consent (patient)') },
];
const AUTH: Migration[] = [{ domain: 'auth', version: 1, up: 'CREATE TABLE api_keys (id TEXT PRIMARY KEY, role TEXT NOT NULL)' }];

async function open(backend: StorageBackend = createMemoryBackend(), options = {}) {
  const db = new OptimizedDatabase(backend, { migrations: [...AUTH, ...CONSENT], ...options });
  await db.start();
  return db;
}

async function rejects(p: PromiseLike<unknown>, code: string): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, StorageError);
    assert.is((err as StorageError).code, code, (err as Error).message);
    return err as StorageError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

function throws(fn: () => unknown, code: string): StorageError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, StorageError);
    assert.is((err as StorageError).code, code, (err as Error).message);
    return err as StorageError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

const Start = suite('storage/database: start, migrations, close');

Start('applies every domain\'s migrations in one go and records them per domain', async () => {
  const db = await open();
  assert.equal(db.startReport?.migrated, ['auth@1', 'consent@1', 'consent@2']);
  const rows = db.executeQuery<{ domain: string; version: number }>('SELECT domain, version FROM schema_migrations ORDER BY domain, version').rows;
  assert.equal(rows.map((r) => `${r.domain}@${r.version}`), ['auth@1', 'consent@1', 'consent@2']);
  assert.ok(db.healthCheck().ok);
  await db.close();
  assert.is(db.state, 'closed');
});

Start('a later start applies only what is new, and a newer database refuses to open', async () => {
  const backend = createMemoryBackend();
  const first = new OptimizedDatabase(backend, { migrations: [...AUTH, CONSENT[0]] });
  await first.start();
  await first.close();
  const second = await open(backend);
  assert.equal(second.startReport?.migrated, ['consent@2']);
  await second.close();
  const older = new OptimizedDatabase(backend, { migrations: [...AUTH, CONSENT[0]] });
  const err = await rejects(older.start(), 'schema_too_new');
  assert.match(err.message, /consent schema v2/);
  assert.is(older.state, 'failed');
  const withoutDomain = new OptimizedDatabase(backend, { migrations: AUTH });
  await rejects(withoutDomain.start(), 'schema_too_new');
});

Start('a failing migration leaves nothing applied', async () => {
  const backend = createMemoryBackend();
  const db = new OptimizedDatabase(backend, { migrations: [...AUTH, { domain: 'bad', version: 1, up: 'CREATE TABLE x (a); CREATE TABLE x (a)' }] });
  const err = await rejects(db.start(), 'migration_failed');
  assert.match(err.message, /bad v1/);
  const again = await open(backend);
  assert.equal(again.startReport?.migrated, ['auth@1', 'consent@1', 'consent@2']);
  await again.close();
});

Start('malformed migration lists are refused at construction', () => {
  throws(() => new OptimizedDatabase(':memory:', { migrations: [CONSENT[1], CONSENT[0]] }), 'invalid_migration');
  throws(() => new OptimizedDatabase(':memory:', { migrations: [{ domain: 'x', version: 0, up: '' }] }), 'invalid_migration');
});

Start('nothing runs before start or after close', async () => {
  const db = new OptimizedDatabase(':memory:');
  throws(() => db.executeQuery('SELECT 1'), 'database_unavailable');
  await db.start();
  await db.close();
  throws(() => db.executeQuery('SELECT 1'), 'database_unavailable');
  assert.is(db.healthCheck().ok, false);
});

Start.run();

const Query = suite('storage/database: executeQuery');

Query('reads return rows at once; awaited writes resolve once durable', async () => {
  const db = await open();
  const result = db.executeQuery('INSERT INTO consent (patient, scope) VALUES (?, ?)', ['p1', 'genomic']);
  assert.is(result.changes, 1);
  assert.is(result.lastInsertRowid, 1);
  assert.equal(db.executeQuery('SELECT patient FROM consent').rows, [{ patient: 'p1' }]);
  assert.is(db.getPerformanceStats().journal.pending, 1);
  const settled = await result;
  assert.equal(settled, { rows: [], changes: 1, lastInsertRowid: 1 });
  assert.is(db.getPerformanceStats().journal.pending, 0);
  const returning = await db.executeQuery<{ id: number }>('UPDATE consent SET scope = ? WHERE patient = ? RETURNING id', ['all', 'p1']);
  assert.equal(returning.rows, [{ id: 1 }]);
  await db.close();
});

Query('values round-trip with their types, including big integers and blobs', async () => {
  const db = await open();
  await db.transaction((tx) => tx.exec('CREATE TABLE v (a, b, c, d, e, f)'));
  const blob = Uint8Array.from([0, 1, 254, 255]);
  await db.executeQuery('INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)', [2 ** 40, 1.5, 'héllo\u0000x', blob, 9007199254740993n, true]);
  await db.executeQuery('INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)', [null, -0, '', new Uint8Array(0), -(2n ** 63n), false]);
  const rows = db.executeQuery('SELECT a, b, c, d, e, f, typeof(d) AS td FROM v').rows;
  assert.equal(rows[0], { a: 2 ** 40, b: 1.5, c: 'héllo\u0000x', d: blob, e: 9007199254740993n, f: 1, td: 'blob' });
  assert.equal(rows[1], { a: null, b: 0, c: '', d: new Uint8Array(0), e: -(2n ** 63n), f: 0, td: 'blob' });
  await db.close();
});

Query('named parameters bind with or without their prefix', async () => {
  const db = await open();
  await db.executeQuery('INSERT INTO consent (patient, scope) VALUES (:patient, @scope)', { patient: 'p', '@scope': 's' });
  assert.equal(db.executeQuery('SELECT scope FROM consent WHERE patient = $p', { p: 'p' }).rows, [{ scope: 's' }]);
  throws(() => db.executeQuery('SELECT 1 WHERE ? = :x', { x: 1 }), 'invalid_parameters');
  throws(() => db.executeQuery('SELECT :x', { y: 1 }), 'invalid_parameters');
  await db.close();
});

Query('bad parameters fail before anything runs, naming the parameter and never its value', async () => {
  const db = await open();
  const cases: [unknown[], RegExp][] = [
    [['p'], /takes 2 parameter\(s\), 1 given/],
    [['p', 's', 'x'], /3 given/],
    [['p', undefined], /parameter 2 has unsupported type undefined/],
    [['p', { secret: 'p-123' }], /parameter 2 has unsupported type Object/],
    [['p', [1]], /parameter 2 has unsupported type array/],
    [['p', NaN], /parameter 2 is NaN/],
    [['p', 2n ** 64n], /parameter 2 is outside the 64-bit integer range/],
    [['p', new Date()], /unsupported type Date/],
  ];
  for (const [params, message] of cases) {
    const err = throws(() => db.executeQuery('INSERT INTO consent (patient, scope) VALUES (?, ?)', params as never), 'invalid_parameters');
    assert.match(err.message, message);
    assert.not.match(err.message, /p-123/);
  }
  assert.equal(db.executeQuery('SELECT COUNT(*) AS n FROM consent').rows, [{ n: 0 }]);
  assert.is(db.getPerformanceStats().journal.sequence, 1, 'only the migration record');
  await db.close();
});

Query('SQL errors carry SQLite\'s code and message', async () => {
  const db = await open();
  const syntax = throws(() => db.executeQuery('SELEC 1'), 'sql_error');
  assert.is(syntax.sqliteCode, 'SQLITE_ERROR');
  assert.match(syntax.sqliteMessage!, /syntax error/);
  throws(() => db.executeQuery('SELECT * FROM nope'), 'sql_error');
  const unique = throws(() => db.executeQuery('INSERT INTO api_keys VALUES (?, ?), (?, ?)', ['k', 'a', 'k', 'a']), 'constraint_violation');
  assert.is(unique.sqliteCode, 'SQLITE_CONSTRAINT_PRIMARYKEY');
  assert.is(unique.status, 409);
  const notNull = throws(() => db.executeQuery('INSERT INTO consent (patient) VALUES (?)', [null]), 'constraint_violation');
  assert.is(notNull.sqliteCode, 'SQLITE_CONSTRAINT_NOTNULL');
  assert.equal(db.executeQuery('SELECT COUNT(*) AS n FROM api_keys').rows, [{ n: 0 }], 'a failed statement leaves nothing');
  await db.close();
});

Query('statements the database manages itself, several statements, and connection pragmas are refused', async () => {
  const db = await open();
  throws(() => db.executeQuery('BEGIN'), 'transaction_control');
  throws(() => db.executeQuery('SELECT 1; DROP TABLE consent'), 'multiple_statements');
  throws(() => db.executeQuery('PRAGMA foreign_keys = OFF'), 'unsupported_statement');
  throws(() => db.executeQuery('PRAGMA query_only = 0'), 'unsupported_statement');
  throws(() => db.executeQuery("ATTACH 'x' AS y"), 'unsupported_statement');
  throws(() => db.executeQuery(''), 'invalid_sql');
  assert.equal(db.executeQuery('SELECT 1 AS one;  -- trailing comment').rows, [{ one: 1 }]);
  assert.equal(db.executeQuery('PRAGMA foreign_keys').rows, [{ foreign_keys: 1 }]);
  assert.ok(db.executeQuery('PRAGMA table_info(consent)').rows.length === 3);
  await db.executeQuery('PRAGMA user_version = 7');
  assert.equal(db.executeQuery('PRAGMA user_version').rows, [{ user_version: 7 }]);
  await db.close();
});

Query('foreign keys are enforced by default', async () => {
  const db = await open();
  await db.transaction((tx) => tx.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p REFERENCES parent(id))'));
  throws(() => db.executeQuery('INSERT INTO child VALUES (?)', [1]), 'constraint_violation');
  await db.close();
});

Query.run();

const Tx = suite('storage/database: transaction and executeBatch');

Tx('a transaction is all or nothing and resolves with its value once durable', async () => {
  const db = await open();
  const id = await db.transaction((tx) => {
    tx.run('INSERT INTO consent (patient) VALUES (?)', ['a']);
    const [{ n }] = tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM consent');
    return tx.run('INSERT INTO consent (patient, scope) VALUES (?, ?)', ['b', String(n)]).lastInsertRowid;
  });
  assert.is(id, 2);
  await rejects(
    db.transaction((tx) => {
      tx.run('INSERT INTO consent (patient) VALUES (?)', ['c']);
      tx.run('INSERT INTO consent (patient) VALUES (?)', [null]);
    }),
    'constraint_violation',
  );
  const appError = new NotFoundError('no such study');
  try {
    await db.transaction((tx) => {
      tx.run('INSERT INTO consent (patient) VALUES (?)', ['d']);
      throw appError;
    });
    assert.unreachable();
  } catch (err) {
    assert.is(err, appError, 'the callback\'s own error comes back unchanged');
  }
  assert.equal(db.executeQuery('SELECT patient, scope FROM consent ORDER BY id').rows, [{ patient: 'a', scope: null }, { patient: 'b', scope: '1' }]);
  await db.close();
});

Tx('callbacks must be synchronous, cannot nest, and cannot write through the database', async () => {
  const db = await open();
  await rejects(db.transaction(async () => 1), 'async_transaction');
  let leaked: { run(sql: string): unknown } | undefined;
  await rejects(
    db.transaction((tx) => {
      leaked = tx;
      db.executeQuery('INSERT INTO consent (patient) VALUES (?)', ['x']);
    }),
    'nested_transaction',
  );
  throws(() => leaked!.run('DELETE FROM consent'), 'transaction_closed');
  await rejects(db.transaction((tx) => tx.query('DELETE FROM consent')), 'not_a_read');
  await rejects(db.transaction((tx) => tx.run('COMMIT')), 'transaction_control');
  assert.equal(db.executeQuery('SELECT COUNT(*) AS n FROM consent').rows, [{ n: 0 }]);
  await db.close();
});

Tx('executeBatch checks every row before running any, then runs all or none', async () => {
  const db = await open();
  const rows = Array.from({ length: 1000 }, (_, i) => [`p${i}`, i % 2 ? 'a' : null]);
  assert.equal(await db.executeBatch('INSERT INTO consent (patient, scope) VALUES (?, ?)', rows), { changes: 1000, count: 1000 });
  const bad = [...rows.slice(0, 10), ['only-one']];
  const err = await rejects(db.executeBatch('INSERT INTO consent (patient, scope) VALUES (?, ?)', bad), 'invalid_parameters');
  assert.match(err.message, /row 10/);
  const conflict = [['x', null], ['y', null]].map(([p], i) => [i + 1, p]);
  await rejects(db.executeBatch('INSERT INTO consent (id, patient) VALUES (?, ?)', conflict), 'constraint_violation');
  await rejects(db.executeBatch('SELECT ?', [[1]]), 'not_a_write');
  const sequence = db.getPerformanceStats().journal.sequence;
  assert.equal(await db.executeBatch('INSERT INTO consent (patient) VALUES (?)', []), { changes: 0, count: 0 });
  assert.is(db.getPerformanceStats().journal.sequence, sequence, 'an empty batch journals nothing');
  assert.equal(db.executeQuery('SELECT COUNT(*) AS n FROM consent').rows, [{ n: 1000 }]);
  await db.close();
});

Tx.run();

const Durable = suite('storage/database: journal, replay and durability failures');



Durable('a restart replays the journal exactly, time and randomness included', async () => {
  const backend = createMemoryBackend();
  const migrations: Migration[] = [{
    domain: 'd', version: 1,
    up: "CREATE TABLE e (id INTEGER PRIMARY KEY, at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')), tok BLOB DEFAULT (randomblob(16)), r INTEGER DEFAULT (random()), note TEXT)",
  }];
  const db = new OptimizedDatabase(backend, { migrations, snapshotOnClose: false });
  await db.start();
  for (let i = 0; i < 20; i++) await db.executeQuery('INSERT INTO e (note) VALUES (?)', [`n${i}`]);
  await db.transaction((tx) => {
    tx.run('UPDATE e SET tok = randomblob(4), r = random() WHERE id % 3 = 0');
    tx.exec("INSERT INTO e (note) VALUES ('script'); DELETE FROM e WHERE id = 2");
  });
  await db.executeBatch('INSERT INTO e (note, r) VALUES (?, random())', [['b1'], ['b2']]);
  const before = db.executeQuery('SELECT * FROM e ORDER BY id').rows;
  await db.close();
  const again = new OptimizedDatabase(backend, { migrations });
  await again.start();
  assert.is(again.startReport?.replayed, 23);
  assert.equal(again.executeQuery('SELECT * FROM e ORDER BY id').rows, before);
  await again.close();
});

Durable('group commit: concurrent writers share backend appends', async () => {
  const backend = createMemoryBackend();
  const db = await open(backend);
  await Promise.all(Array.from({ length: 50 }, (_, i) => db.executeQuery('INSERT INTO consent (patient) VALUES (?)', [`p${i}`])));
  const stats = db.getPerformanceStats();
  assert.ok(stats.journal.recordsPerAppend > 1, `records per append ${stats.journal.recordsPerAppend}`);
  assert.is(stats.writeLatency.count, 51);
  assert.ok(stats.writeLatency.p50 > 0 && stats.writeLatency.p99 >= stats.writeLatency.p50, 'percentiles from the metrics histogram');
  db.executeQuery('SELECT * FROM consent WHERE id = ?', [1]);
  const reads = db.getPerformanceStats().readLatency;
  assert.ok(reads.count >= 1 && reads.max >= reads.p50 && reads.p50 > 0);
  await db.close();
});

/** A memory backend whose appends fail while `failing` is set. */
function flakyBackend() {
  const inner = createMemoryBackend();
  const control = { failing: false };
  const backend: StorageBackend = {
    ...inner,
    kind: 'flaky',
    async append(entries) {
      if (control.failing) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return inner.append(entries);
    },
  };
  return { backend, control };
}

Durable('a failed append is not acknowledged and is rolled back in memory', async () => {
  const { backend, control } = flakyBackend();
  const db = await open(backend);
  await db.executeQuery('INSERT INTO consent (patient) VALUES (?)', ['kept']);
  db.executeCachedQuery('SELECT patient FROM consent ORDER BY id');
  control.failing = true;
  const lost = db.executeQuery('INSERT INTO consent (patient) VALUES (?)', ['lost']);
  const alsoLost = db.transaction((tx) => tx.run('DELETE FROM consent WHERE patient = ?', ['kept']));
  const err = await rejects(lost, 'durability_failed');
  assert.is(err.status, 503);
  await rejects(alsoLost, 'durability_failed');
  control.failing = false;
  while (db.state === 'recovering') await new Promise((r) => setTimeout(r, 1));
  assert.is(db.state, 'ready');
  assert.equal(db.executeCachedQuery('SELECT patient FROM consent ORDER BY id').rows, [{ patient: 'kept' }]);
  await db.executeQuery('INSERT INTO consent (patient) VALUES (?)', ['after']);
  await db.close();
  const again = await open(backend);
  assert.equal(again.executeQuery('SELECT patient FROM consent ORDER BY id').rows, [{ patient: 'kept' }, { patient: 'after' }]);
  await again.close();
});

Durable('close() makes every write already run durable first, even inside a group-commit window', async () => {
  const backend = createMemoryBackend();
  const db = await open(backend, { snapshotOnClose: false, groupCommitMs: 20 });
  const writes = [1, 2, 3].map((i) => db.executeQuery('INSERT INTO consent (patient) VALUES (?)', [`p${i}`]));
  await db.close();
  for (const w of writes) await w;
  const again = await open(backend);
  assert.equal(again.executeQuery('SELECT COUNT(*) AS n FROM consent').rows, [{ n: 3 }]);
  await again.close();
});

Durable('writes beyond the durability backlog are refused with 429 before running', async () => {
  const db = await open(createMemoryBackend(), { maxPendingWrites: 3 });
  const writes = [1, 2, 3].map((i) => db.executeQuery('INSERT INTO consent (patient) VALUES (?)', [`p${i}`]));
  try {
    db.executeQuery('INSERT INTO consent (patient) VALUES (?)', ['p4']);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, OverloadedError);
  }
  await Promise.all(writes);
  assert.equal(db.executeQuery('SELECT COUNT(*) AS n FROM consent').rows, [{ n: 3 }]);
  await db.close();
});

Durable('snapshots truncate the journal; start-up = snapshot + the records after it', async () => {
  const backend = createMemoryBackend();
  const db = await open(backend, { snapshotEvery: { records: 10 }, snapshotOnClose: false });
  for (let i = 0; i < 25; i++) await db.executeQuery('INSERT INTO consent (patient) VALUES (?)', [`p${i}`]);
  await db.snapshot();
  await db.executeQuery('INSERT INTO consent (patient) VALUES (?)', ['last']);
  assert.ok(db.getPerformanceStats().journal.snapshots >= 2);
  await db.close();
  const again = await open(backend);
  assert.is(again.startReport?.replayed, 1);
  assert.equal(again.executeQuery('SELECT COUNT(*) AS n FROM consent').rows, [{ n: 26 }]);
  await again.close();
});

Durable('where SQL functions cannot be registered (workerd), writes that would call random() are refused', async () => {
  const migrations: Migration[] = [{ domain: 'r', version: 1, up: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB); CREATE TABLE w (a, b DEFAULT (randomblob(2)))' }];
  const backend = createMemoryBackend();
  const snapshotted = createMemoryBackend();
  for (const [b, snapshotOnClose] of [[backend, false], [snapshotted, true]] as const) {
    const first = new OptimizedDatabase(b, { migrations, snapshotOnClose });
    await first.start();
    await first.executeQuery('INSERT INTO w (a) VALUES (?)', [1]);
    await first.close();
  }
  const SQL = (await getSql()) as unknown as { addFunction: unknown };
  const original = SQL.addFunction;
  SQL.addFunction = () => {
    throw new WebAssembly.CompileError('WebAssembly.Module(): Wasm code generation disallowed by embedder');
  };
  try {
    await rejects(new OptimizedDatabase(backend, { migrations }).start(), 'replay_diverged');
    await rejects(new OptimizedDatabase(createMemoryBackend(), { migrations }).start(), 'migration_failed');
    const db = new OptimizedDatabase(snapshotted, { migrations });
    await db.start();
    throws(() => db.executeQuery('INSERT INTO t (v) VALUES (randomblob(4))'), 'nondeterministic_write');
    throws(() => db.executeQuery('INSERT INTO w (a) VALUES (?)', [2]), 'nondeterministic_write');
    await rejects(db.transaction((tx) => tx.exec('CREATE TABLE u (a DEFAULT (random()))')), 'nondeterministic_write');
    assert.equal(db.executeQuery('SELECT typeof(random()) AS t').rows, [{ t: 'integer' }], 'reads keep SQLite\'s own random()');
    await db.executeQuery('INSERT INTO t (v) VALUES (?)', [Uint8Array.of(1, 2)]);
    await db.close();
  } finally {
    SQL.addFunction = original;
  }
});

Durable.run();
