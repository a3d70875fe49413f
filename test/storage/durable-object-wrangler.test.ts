/**
 * The Durable Object backend in the real runtime: `wrangler dev` (workerd) runs a small Worker
 * whose objects each own an `OptimizedDatabase` on `ctx.storage`, sharded by key. The test
 * writes concurrently across shards (snapshots included), SIGKILLs wrangler and workerd,
 * restarts them on the same persistence directory, and checks every acknowledged row came back
 * exactly as it was acknowledged. Fresh ports, always stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shardFor } from '../../src/storage/sharding.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = fileURLToPath(new URL('./fixtures/do-worker/wrangler.toml', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  base: string;
}

/** Starts `wrangler dev` on fresh ports (one retry: a loaded machine can make its first start fail). */
async function startWrangler(persistDir: string, attempt = 1): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['node_modules/wrangler/bin/wrangler.js', 'dev', '--config', CONFIG, '--ip', '127.0.0.1', '--port', String(port),
      '--inspector-port', String(await freePort()), '--persist-to', persistDir, '--log-level', 'error'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' } },
  );
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log += c));
  child.stderr?.on('data', (c: Buffer) => (log += c));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child);
      if (attempt < 2) return startWrangler(persistDir, attempt + 1);
      throw new Error(`wrangler dev did not start: ${log}`);
    }
    try {
      if ((await fetch(`${base}/items/probe`)).status === 200) return { child, base };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGKILLs wrangler and everything it started (its process group, even if wrangler itself already exited). */
async function stop(child: ChildProcess): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the whole group is gone
  }
  await exited;
  child.stdout?.destroy();
  child.stderr?.destroy();
}

const Wrangler = suite<{ dir: string; running?: Running }>('storage/durable-object-backend in workerd (wrangler dev)');

Wrangler.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'healthsync-do-'));
});

Wrangler.after(async (ctx) => {
  if (ctx.running) await stop(ctx.running.child);
  rmSync(ctx.dir, { recursive: true, force: true });
});

Wrangler('acknowledged writes survive a SIGKILL of the runtime, byte for byte, on every shard', async (ctx) => {
  ctx.running = await startWrangler(ctx.dir);
  const keys = Array.from({ length: 12 }, (_, i) => `patient-${i}`);
  assert.ok(new Set(keys.map((k) => shardFor(k, 4))).size > 1, 'keys spread over several shards');
  // 12 keys x 6 writes, concurrently per key: more than the 25-record snapshot interval per shard.
  await Promise.all(keys.map(async (key) => {
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${ctx.running!.base}/items/${key}`, { method: 'POST' });
      assert.is(res.status, 200);
      await res.arrayBuffer();
    }
  }));
  const before = new Map<string, unknown>();
  for (const key of keys) before.set(key, (await (await fetch(`${ctx.running.base}/items/${key}`)).json()).rows);
  await stop(ctx.running.child);

  ctx.running = await startWrangler(ctx.dir);
  let replayed = 0;
  for (const key of keys) {
    const body = await (await fetch(`${ctx.running.base}/items/${key}`)).json();
    assert.equal(body.rows, before.get(key), `rows of ${key} after the restart`);
    assert.is((body.rows as unknown[]).length, 6);
    replayed += body.report.replayed;
  }
  assert.ok(replayed > 0, 'some rows came back through journal replay, not only snapshots');
});

Wrangler('writes that call random() are refused in workerd, which cannot replay them', async (ctx) => {
  ctx.running ??= await startWrangler(ctx.dir);
  const res = await fetch(`${ctx.running.base}/items/patient-x/random`, { method: 'POST' });
  assert.is(res.status, 500);
  assert.equal(await res.json(), { error: 'nondeterministic_write' });
});

Wrangler.run();
