/**
 * Crash test: a child process writes through the file backend (8 concurrent writers, single
 * inserts, 3-statement transactions and 5-row batches, snapshots every 150 records) and prints
 * each acknowledgement; it is SIGKILLed at a random moment, several times over the same
 * directory. After every kill the database must open, hold every acknowledged write, keep every
 * transaction and batch whole, and pass SQLite's integrity check.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OptimizedDatabase } from '../../src/storage/index.ts';
import { createFileBackend } from '../../src/storage/file-backend.ts';
import { CRASH_MIGRATIONS } from './fixtures/crash-schema.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const RUNS = 5;

interface Acks {
  one: number[];
  pair: number[];
  batch: number[];
}

/** Runs the writer until `killAfterMs` past its first ack, SIGKILLs it, and returns the acks it printed. */
function runAndKill(dir: string, killAfterMs: number): Promise<{ acks: Acks; ready: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, '8', '150'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Acks = { one: [], pair: [], batch: [] };
    let ready = false;
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // an incomplete line is no acknowledgement
      for (const line of lines) {
        const [word, kind, id] = line.split(' ');
        if (word === 'ready') ready = true;
        if (word === 'ack') {
          acks[kind as keyof Acks].push(Number(id));
          timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
      else resolve({ acks, ready });
    });
  });
}

const Crash = suite('storage/crash: SIGKILL at random points loses no acknowledged write');

Crash('every acknowledged write survives, transactions and batches stay whole, integrity holds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'healthsync-crash-'));
  const all: Acks = { one: [], pair: [], batch: [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      const killAfter = 20 + Math.floor(Math.random() * 400);
      const { acks, ready } = await runAndKill(dir, killAfter);
      assert.ok(ready, `run ${run}: writer never became ready`);
      for (const k of ['one', 'pair', 'batch'] as const) all[k].push(...acks[k]);

      const db = new OptimizedDatabase(createFileBackend(dir), { migrations: CRASH_MIGRATIONS, snapshotOnClose: false });
      await db.start();
      try {
        const q = <T>(sql: string, params?: unknown[]) => db.executeQuery<T>(sql, params as never).rows;
        const context = `run ${run} (killed ${killAfter} ms after the first ack; ${acks.one.length + acks.pair.length + acks.batch.length} acks)`;
        assert.equal(q('PRAGMA integrity_check'), [{ integrity_check: 'ok' }], context);
        assert.equal(q('PRAGMA foreign_key_check'), [], context);
        const kinds = new Map(q<{ id: number; kind: string }>('SELECT id, kind FROM item').map((r) => [r.id, r.kind]));
        for (const id of all.one) assert.is(kinds.get(id), 'one', `${context}: acknowledged insert ${id} missing`);
        for (const id of all.pair) assert.is(kinds.get(id), 'pair', `${context}: acknowledged transaction ${id} missing`);
        for (const id of all.batch) {
          for (let k = 0; k < 5; k++) assert.is(kinds.get(id + k), 'batch', `${context}: acknowledged batch ${id} missing row ${k}`);
        }
        // Atomicity, acknowledged or not: a transaction's three statements, a batch's five rows.
        const pairs = q<{ id: number }>("SELECT id FROM item WHERE kind = 'pair' ORDER BY id").map((r) => r.id);
        const halves = q<{ item_id: number }>('SELECT item_id FROM pair_half ORDER BY item_id').map((r) => r.item_id);
        assert.equal(halves, pairs, `${context}: half a transaction survived`);
        assert.equal(q('SELECT n FROM counter'), [{ n: pairs.length }], context);
        const batchIds = q<{ id: number }>("SELECT id FROM item WHERE kind = 'batch' ORDER BY id").map((r) => r.id);
        assert.is(batchIds.length % 5, 0, `${context}: a batch survived in part`);
      } finally {
        await db.close();
      }
    }
    assert.ok(all.one.length + all.pair.length + all.batch.length >= RUNS, 'the writer acknowledged too little to test anything');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Crash.run();
