/**
 * The `StorageBackend` contract, written once and run against every backend: what a database
 * writes through a backend comes back, in order, after a restart; snapshots cover and drop
 * journal records; appends made while a snapshot is written survive it.
 */
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import { OptimizedDatabase, type Migration, type StorageBackend } from '../../src/storage/index.ts';
import { RecordBuilder, decodeRecord, frameSeq } from '../../src/storage/journal-codec.ts';

const MIGRATIONS: Migration[] = [{ domain: 'contract', version: 1, up: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB)' }];

function entry(seq: number, text = `r${seq}`) {
  const b = new RecordBuilder();
  b.run('INSERT INTO t (v) VALUES (?)', 1, 1, [text]);
  return b.finish(seq);
}

/** Registers the contract's tests on `test`; `make()` returns a fresh backend and how to reopen it. */
export function backendContract(test: Test, make: () => { backend: StorageBackend; reopen(): StorageBackend }): void {
  test('contract: an empty backend opens empty', async () => {
    const { backend } = make();
    const state = await backend.open();
    assert.is(state.snapshot, null);
    assert.is(state.snapshotSeq, 0);
    assert.equal(state.records, []);
    await backend.close();
  });

  test('contract: appended records come back in order after a reopen', async () => {
    const { backend, reopen } = make();
    await backend.open();
    await backend.append([entry(1), entry(2)]);
    await backend.append([entry(3)]);
    await backend.close();
    const again = reopen();
    const state = await again.open();
    assert.equal(state.records.map(frameSeq), [1, 2, 3]);
    assert.equal(decodeRecord(state.records[2]).ops[0], { kind: 'run', sql: 'INSERT INTO t (v) VALUES (?)', clock: 1, changes: 1, params: ['r3'] });
    await again.close();
  });

  test('contract: a snapshot drops the records it covers and keeps later ones, even appended meanwhile', async () => {
    const { backend, reopen } = make();
    await backend.open();
    await backend.append([entry(1), entry(2), entry(3)]);
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
    await Promise.all([backend.snapshot(bytes, 2), backend.append([entry(4)])]);
    await backend.append([entry(5, 'x'.repeat(400_000))]);
    await backend.close();
    const again = reopen();
    const state = await again.open();
    assert.equal(state.snapshot, bytes);
    assert.is(state.snapshotSeq, 2);
    assert.equal(state.records.map(frameSeq).filter((s) => s > 2), [3, 4, 5]);
    assert.is((decodeRecord(state.records.at(-1)!).ops[0] as unknown as { params: string[] }).params[0].length, 400_000);
    await again.close();
  });

  test('contract: a database on the backend survives restarts with snapshots in between', async () => {
    const { backend, reopen } = make();
    const db = new OptimizedDatabase(backend, { migrations: MIGRATIONS, snapshotEvery: { records: 7 }, snapshotOnClose: false });
    await db.start();
    for (let i = 0; i < 30; i++) await db.executeQuery('INSERT INTO t (v, b) VALUES (?, randomblob(4))', [`v${i}`]);
    await db.executeBatch('INSERT INTO t (v) VALUES (?)', Array.from({ length: 500 }, (_, i) => [`batch${i}`]));
    const before = db.executeQuery('SELECT * FROM t ORDER BY id').rows;
    await db.close();
    const again = new OptimizedDatabase(reopen(), { migrations: MIGRATIONS });
    await again.start();
    assert.equal(again.executeQuery('SELECT * FROM t ORDER BY id').rows, before);
    assert.ok(again.startReport!.replayed < 31, `replayed ${again.startReport!.replayed}: snapshots should have truncated the journal`);
    await again.close();
  });
}
