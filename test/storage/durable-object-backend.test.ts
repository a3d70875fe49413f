import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OptimizedDatabase, StorageError, type Migration } from '../../src/storage/index.ts';
import { createDurableObjectBackend } from '../../src/storage/durable-object-backend.ts';
import { RecordBuilder } from '../../src/storage/journal-codec.ts';
import { backendContract } from './backend-contract.ts';
import { FakeDurableObjectStorage } from './fixtures/fake-do-storage.ts';

const DurableObject = suite('storage/durable-object-backend');

backendContract(DurableObject, () => {
  const storage = new FakeDurableObjectStorage();
  return { backend: createDurableObjectBackend(storage), reopen: () => createDurableObjectBackend(storage) };
});

const MIGRATIONS: Migration[] = [{ domain: 'do', version: 1, up: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)' }];

DurableObject('records and snapshots larger than one value are chunked under the 128 KiB limit', async () => {
  const storage = new FakeDurableObjectStorage();
  const db = new OptimizedDatabase(createDurableObjectBackend(storage), { migrations: MIGRATIONS });
  await db.start();
  await db.executeBatch('INSERT INTO t (v) VALUES (?)', Array.from({ length: 20_000 }, (_, i) => [`value-${i}-${'x'.repeat(20)}`]));
  assert.ok([...storage.data.keys()].some((k) => /^hs:j:\d{16}:\d{6}$/.test(k)), 'a continuation chunk');
  await db.snapshot();
  const snapKeys = [...storage.data.keys()].filter((k) => k.startsWith('hs:snap:'));
  assert.ok(snapKeys.length > 1, 'snapshot in several chunks');
  assert.equal([...storage.data.keys()].filter((k) => k.startsWith('hs:j:')), [], 'journal truncated by the snapshot');
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['after']);
  await db.close();
  const again = new OptimizedDatabase(createDurableObjectBackend(storage), { migrations: MIGRATIONS });
  await again.start();
  assert.equal(again.executeQuery('SELECT COUNT(*) AS n FROM t').rows, [{ n: 20_001 }]);
  await again.close();
});

DurableObject('a torn final record is reported and removed; a bad record before good ones refuses to start', async () => {
  const storage = new FakeDurableObjectStorage();
  const backend = createDurableObjectBackend(storage);
  await backend.open();
  const frames = [1, 2, 3].map((seq) => {
    const b = new RecordBuilder();
    b.run('SELECT ?', 0, 0, [seq]);
    return b.finish(seq);
  });
  await backend.append(frames);
  const last = storage.data.get('hs:j:0000000000000003') as Uint8Array;
  storage.data.set('hs:j:0000000000000003', last.slice(0, last.length - 3));
  const state = await createDurableObjectBackend(storage).open();
  assert.is(state.records.length, 2);
  assert.is(state.report.tornTail?.source, 'hs:j:0000000000000003');
  assert.not.ok(storage.data.has('hs:j:0000000000000003'), 'torn record deleted');

  const middle = storage.data.get('hs:j:0000000000000001') as Uint8Array;
  middle[20] ^= 0xff;
  try {
    await createDurableObjectBackend(storage).open();
    assert.unreachable();
  } catch (err) {
    assert.instance(err, StorageError);
    assert.is((err as StorageError).code, 'journal_corrupt');
  }
});

DurableObject('a corrupt snapshot refuses to start and is left untouched', async () => {
  const storage = new FakeDurableObjectStorage();
  const db = new OptimizedDatabase(createDurableObjectBackend(storage), { migrations: MIGRATIONS });
  await db.start();
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['x']);
  await db.close();
  const key = [...storage.data.keys()].find((k) => k.startsWith('hs:snap:'))!;
  const chunk = storage.data.get(key) as Uint8Array;
  chunk[100] ^= 1;
  const again = new OptimizedDatabase(createDurableObjectBackend(storage), { migrations: MIGRATIONS });
  try {
    await again.start();
    assert.unreachable();
  } catch (err) {
    assert.is((err as StorageError).code, 'snapshot_corrupt');
    assert.match((err as Error).message, /hs:snap:0000000001:/);
  }
  assert.is((storage.data.get(key) as Uint8Array)[100], chunk[100]);
});

DurableObject('a storage failure rejects the write and the database recovers to the durable state', async () => {
  const storage = new FakeDurableObjectStorage();
  const db = new OptimizedDatabase(createDurableObjectBackend(storage), { migrations: MIGRATIONS });
  await db.start();
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['kept']);
  storage.failWrites = new Error('storage unavailable');
  try {
    await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['lost']);
    assert.unreachable();
  } catch (err) {
    assert.is((err as StorageError).code, 'durability_failed');
  }
  storage.failWrites = undefined;
  while (db.state === 'recovering') await new Promise((r) => setTimeout(r, 1));
  assert.equal(db.executeQuery('SELECT v FROM t').rows, [{ v: 'kept' }]);
  await db.close();
});

DurableObject.run();
