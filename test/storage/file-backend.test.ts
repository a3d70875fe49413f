import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OptimizedDatabase, StorageError, type Migration } from '../../src/storage/index.ts';
import { createFileBackend, type FileIo, type FileLike } from '../../src/storage/file-backend.ts';
import { backendContract } from './backend-contract.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'healthsync-file-'));
  dirs.push(dir);
  return dir;
}

const MIGRATIONS: Migration[] = [{ domain: 'f', version: 1, up: 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)' }];

async function openDb(dir: string, io?: FileIo, options = {}) {
  const db = new OptimizedDatabase(createFileBackend(dir, { io }), { migrations: MIGRATIONS, snapshotOnClose: false, ...options });
  await db.start();
  return db;
}

const values = (db: OptimizedDatabase) => db.executeQuery<{ v: string }>('SELECT v FROM t ORDER BY id').rows.map((r) => r.v);
const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.hsj')).sort();

async function code(p: PromiseLike<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, StorageError, String(err));
    return (err as StorageError).code;
  }
  return 'resolved';
}

/** Node's file I/O with failures switched on by the test. */
function faultyIo(faults: { write?: 'enospc' | 'partial'; datasync?: boolean; truncate?: boolean }): FileIo {
  const nodeIo: FileIo = {
    open: (p, flags) => fsp.open(p, flags),
    readFile: async (p) => new Uint8Array(await fsp.readFile(p)),
    readdir: (d) => fsp.readdir(d),
    rename: (a, b) => fsp.rename(a, b),
    unlink: (p) => fsp.unlink(p),
    copyFile: (a, b) => fsp.copyFile(a, b),
  };
  return {
    ...nodeIo,
    async open(p, flags) {
      const file = await nodeIo.open(p, flags);
      if (!p.endsWith('.hsj')) return file;
      const wrapped: FileLike = {
        async write(buffer, offset, length, position) {
          if (faults.write === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          if (faults.write === 'partial') {
            faults.write = 'enospc'; // half goes in, then the disk is full
            return file.write(buffer, offset, Math.max(1, length >> 1), position);
          }
          return file.write(buffer, offset, length, position);
        },
        async datasync() {
          if (faults.datasync) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
          return file.datasync();
        },
        sync: () => file.sync(),
        async truncate(len) {
          if (faults.truncate) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
          return file.truncate(len);
        },
        stat: () => file.stat(),
        close: () => file.close(),
      };
      return wrapped;
    },
  };
}

const File = suite('storage/file-backend');

File.after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

backendContract(File, () => {
  const dir = tempDir();
  return { backend: createFileBackend(dir), reopen: () => createFileBackend(dir) };
});

File('a torn tail is reported, kept aside and cut off; later appends are clean', async () => {
  const dir = tempDir();
  const db = await openDb(dir);
  for (const v of ['a', 'b', 'c']) await db.executeQuery('INSERT INTO t (v) VALUES (?)', [v]);
  await db.close();
  const [segment] = segments(dir);
  const size = statSync(join(dir, segment)).size;
  truncateSync(join(dir, segment), size - 5);
  const again = await openDb(dir);
  const torn = again.startReport!.tornTail!;
  assert.ok(torn, 'torn tail reported');
  assert.is(torn.source, join(dir, segment));
  assert.ok(existsSync(torn.savedTo!), 'torn bytes kept aside');
  assert.equal(values(again), ['a', 'b']);
  await again.executeQuery('INSERT INTO t (v) VALUES (?)', ['d']);
  await again.close();
  const third = await openDb(dir);
  assert.is(third.startReport!.tornTail, undefined);
  assert.equal(values(third), ['a', 'b', 'd']);
  await third.close();
});

File('zeros after the last record (a crash after the file grew) are a torn tail too', async () => {
  const dir = tempDir();
  const db = await openDb(dir);
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['a']);
  await db.close();
  appendFileSync(join(dir, segments(dir)[0]), new Uint8Array(4096));
  const again = await openDb(dir);
  assert.is(again.startReport!.tornTail!.bytes, 4096);
  assert.equal(values(again), ['a']);
  await again.close();
});

File('a corrupt record followed by valid ones refuses to start, naming the file and offset', async () => {
  const dir = tempDir();
  const db = await openDb(dir);
  for (const v of ['a', 'b', 'c']) await db.executeQuery('INSERT INTO t (v) VALUES (?)', [v]);
  await db.close();
  const path = join(dir, segments(dir)[0]);
  const bytes = readFileSync(path);
  const second = bytes.indexOf(Buffer.from('HSJ1'), 4);
  bytes[second + 20] ^= 0x40;
  writeFileSync(path, bytes);
  const err = await code(openDb(dir));
  assert.is(err, 'journal_corrupt');
  try {
    await openDb(dir);
  } catch (e) {
    assert.match((e as Error).message, new RegExp(`${segments(dir)[0]}: corrupt record at byte ${second}`));
  }
});

File('a corrupt snapshot refuses to start, names the file, and is never overwritten', async () => {
  const dir = tempDir();
  const db = await openDb(dir, undefined, { snapshotOnClose: true });
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['a']);
  await db.close();
  const path = join(dir, 'snapshot.hss');
  const bytes = readFileSync(path);
  bytes[bytes.length - 100] ^= 1;
  writeFileSync(path, bytes);
  const db2 = new OptimizedDatabase(createFileBackend(dir), { migrations: MIGRATIONS });
  try {
    await db2.start();
    assert.unreachable();
  } catch (err) {
    assert.is((err as StorageError).code, 'snapshot_corrupt');
    assert.match((err as Error).message, /snapshot\.hss is corrupt \(data checksum mismatch\)/);
  }
  assert.equal(readFileSync(path), bytes, 'left untouched');
});

File('an interrupted snapshot (temp file left behind) is discarded at start', async () => {
  const dir = tempDir();
  const db = await openDb(dir);
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['a']);
  await db.close();
  writeFileSync(join(dir, 'snapshot.hss.tmp'), 'half a snapshot');
  const again = await openDb(dir);
  assert.equal(values(again), ['a']);
  assert.not.ok(existsSync(join(dir, 'snapshot.hss.tmp')));
  await again.close();
});

for (const [name, faults] of [
  ['disk full mid-write', { write: 'partial' }],
  ['a failed fdatasync', { datasync: true }],
] as const) {
  File(`${name}: the write is not acknowledged, memory and file roll back, later writes work`, async () => {
    const dir = tempDir();
    const switches: { write?: 'enospc' | 'partial'; datasync?: boolean } = {};
    const db = await openDb(dir, faultyIo(switches));
    await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['kept']);
    const path = join(dir, segments(dir).at(-1)!);
    const size = statSync(path).size;
    Object.assign(switches, faults);
    assert.is(await code(db.executeQuery('INSERT INTO t (v) VALUES (?)', ['lost'])), 'durability_failed');
    assert.is(statSync(path).size, size, 'segment cut back to its last good record');
    delete switches.write;
    delete switches.datasync;
    while (db.state === 'recovering') await new Promise((r) => setTimeout(r, 1));
    assert.equal(values(db), ['kept']);
    await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['after']);
    await db.close();
    const again = await openDb(dir);
    assert.equal(values(again), ['kept', 'after']);
    await again.close();
  });
}

File('if a failed append cannot even be cut back, the backend refuses all further writes', async () => {
  const dir = tempDir();
  const switches = { write: undefined as 'enospc' | undefined, truncate: false };
  const db = await openDb(dir, faultyIo(switches));
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['kept']);
  Object.assign(switches, { write: 'enospc', truncate: true });
  assert.is(await code(db.executeQuery('INSERT INTO t (v) VALUES (?)', ['lost'])), 'durability_failed');
  while (db.state === 'recovering') await new Promise((r) => setTimeout(r, 1));
  assert.is(db.state, 'failed');
  const health = db.healthCheck();
  assert.is(health.ok, false);
  assert.match(health.problems.join(' '), /could not cut back/);
  await db.close();
  const again = await openDb(dir);
  assert.equal(values(again), ['kept']);
  await again.close();
});

File('one process at a time: a live lock refuses, a dead owner\'s lock is taken over', async () => {
  const dir = tempDir();
  const db = await openDb(dir);
  assert.is(await code(openDb(dir)), 'database_locked');
  await db.close();
  writeFileSync(join(dir, 'LOCK'), '999999999');
  const again = await openDb(dir);
  await again.close();
  writeFileSync(join(dir, 'LOCK'), String(process.ppid));
  assert.is(await code(openDb(dir)), 'database_locked');
});

File('a directory path opens the file backend once it is loaded', async () => {
  const dir = tempDir();
  const db = new OptimizedDatabase(dir, { migrations: MIGRATIONS });
  await db.start();
  await db.executeQuery('INSERT INTO t (v) VALUES (?)', ['p']);
  await db.close();
  assert.ok(existsSync(join(dir, 'snapshot.hss')), 'snapshot on close');
  const again = await openDb(dir);
  assert.equal(values(again), ['p']);
  assert.is(again.startReport!.replayed, 0);
  await again.close();
});

File.run();
