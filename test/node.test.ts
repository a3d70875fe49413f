import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startNodeServer } from '../src/node.ts';
import { freePort } from './helpers/app.ts';

const Node = suite<{ dir: string }>('node host');
const ROOT = new URL('..', import.meta.url).pathname;

Node.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'healthsync-node-'));
});
Node.after.each((ctx) => {
  rmSync(ctx.dir, { recursive: true, force: true });
});

Node('serves /health on a real port and keeps keys across a restart of the same data dir', async ({ dir }) => {
  const first = await startNodeServer({ port: 0, dataDir: dir, env: {} });
  let agentKey: string;
  const adminKey = first.services.bootstrapKey?.key;
  try {
    assert.ok(adminKey, 'fresh data dir bootstraps an admin key');
    const health = await fetch(`${first.url}/health`);
    assert.is(health.status, 200);
    assert.ok(health.headers.get('x-request-id'));
    assert.match(health.headers.get('server-timing') ?? '', /^app;dur=\d+\.\d{3}$/);
    assert.is((await health.json()).status, 'ok');
    const traced = await fetch(`${first.url}/nowhere`, { headers: { 'x-request-id': 'trace-7' } });
    assert.is(traced.status, 404);
    assert.is(traced.headers.get('x-request-id'), 'trace-7', 'set through Node\'s response, errors included');
    assert.is((await traced.json()).error.code, 'not_found');
    const created = await fetch(`${first.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'agent', name: 'custodian' }),
    });
    assert.is(created.status, 201);
    agentKey = (await created.json()).key;
    const big = await fetch(`${first.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    assert.is(big.status, 413);
    assert.is(big.headers.get('connection'), 'close', 'the unread body makes the connection unusable');
    assert.is((await fetch(`${first.url}/health`)).status, 200, 'the next request gets a fresh connection');
  } finally {
    await first.close();
  }
  const second = await startNodeServer({ port: 0, dataDir: dir, env: {} });
  try {
    assert.is(second.services.bootstrapKey, undefined, 'no second bootstrap key');
    const list = await fetch(`${second.url}/admin/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
    assert.is(list.status, 200);
    assert.is((await list.json()).keys.length, 2);
    const denied = await fetch(`${second.url}/admin/keys`, { headers: { authorization: `Bearer ${agentKey}` } });
    assert.is(denied.status, 403, 'the agent key survived the restart with its role');
  } finally {
    await second.close();
  }
});

Node('`healthsync serve` prints the bootstrap key once, listens on --port, and exits cleanly on SIGTERM', async ({ dir }) => {
  const port = await freePort();
  const run = (): Promise<{ out: string; code: number | null; healthStatus: number }> =>
    new Promise((ok, fail) => {
      const child = spawn(process.execPath, ['bin/healthsync.js', 'serve', '--port', String(port), '--data-dir', dir], {
        cwd: ROOT,
        env: { ...process.env, HEALTHSYNC_ADMIN_KEY: '', PORT: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let healthStatus = 0;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`server did not start: ${out}`));
      }, 20_000);
      child.stdout.on('data', async (chunk: Buffer) => {
        out += chunk;
        if (out.includes('listening on') && healthStatus === 0) {
          healthStatus = -1;
          healthStatus = (await fetch(`http://127.0.0.1:${port}/health`)).status;
          child.kill('SIGTERM');
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        ok({ out, code, healthStatus });
      });
    });
  const first = await run();
  assert.is(first.code, 0);
  assert.is(first.healthStatus, 200);
  assert.match(first.out, /hsk_[\w-]{43}/);
  assert.match(first.out, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));
  const second = await run();
  assert.not.match(second.out, /hsk_/, 'the key is printed only on the first start');
});

Node('`healthsync` rejects unknown commands and flags with usage and exit code 2', async () => {
  const exit = (args: string[]) =>
    new Promise<{ code: number | null; err: string }>((ok) => {
      const child = spawn(process.execPath, ['bin/healthsync.js', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c));
      child.on('exit', (code) => ok({ code, err }));
    });
  const a = await exit(['launch']);
  assert.is(a.code, 2);
  assert.match(a.err, /unknown command launch/);
  const b = await exit(['serve', '--prot', '1']);
  assert.is(b.code, 2);
  assert.match(b.err, /unknown argument --prot/);
  const c = await exit(['serve', '--port', '99999']);
  assert.is(c.code, 2);
});

Node.run();
