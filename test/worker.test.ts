/**
 * Smoke test of the Workers host: starts `wrangler dev` (real workerd) on a free port with a
 * fresh persistence dir, exercises health, auth, limits and errors, restarts it on the same
 * dir to check that Durable Object storage kept an acknowledged write, and stops it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from './helpers/app.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/** fetch with a deadline, so a stuck request fails the test instead of hanging the suite. */
const http = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
const ADMIN = 'worker-admin-key-0123456789abcdef';

interface Wrangler {
  base: string;
  stop(): Promise<void>;
}

/** Starts `wrangler dev` and resolves once `/health` answers 200 (or rejects with its log). */
async function startWrangler(persistDir: string): Promise<Wrangler> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'node_modules/wrangler/bin/wrangler.js', 'dev', '--ip', '127.0.0.1', '--port', String(port),
      '--inspector-port', String(await freePort()), '--persist-to', persistDir, '--log-level', 'warn',
      '--var', `HEALTHSYNC_ADMIN_KEY:${ADMIN}`, '--var', 'HEALTHSYNC_RATE_LIMIT:4',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' } },
  );
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log += c));
  child.stderr?.on('data', (c: Buffer) => (log += c));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${log}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer in 90 s: ${log}`);
    }
    try {
      if ((await http(`${base}/health`)).status === 200) return { base, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const Worker = suite<{ dir: string; agentKey?: string }>('worker host (wrangler dev)');

Worker.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'healthsync-wrangler-'));
});
Worker.after((ctx) => {
  rmSync(ctx.dir, { recursive: true, force: true });
});

const post = (base: string, path: string, body: string, key?: string) =>
  http(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });

Worker('health, version, auth, limits and errors behave as on Node', async (ctx) => {
  const { base, stop } = await startWrangler(ctx.dir);
  try {
    const health = await http(`${base}/health`);
    assert.is(health.status, 200);
    assert.equal((await health.json()).checks, { wasm: 'ok', database: 'ok' });
    assert.ok(health.headers.get('x-request-id'));
    assert.is((await (await http(`${base}/version`)).json()).runtime, 'workerd');

    assert.is((await post(base, '/admin/keys', '{"role":"agent","name":"a"}')).status, 401);
    const created = await post(base, '/admin/keys', '{"role":"agent","name":"a"}', ADMIN);
    assert.is(created.status, 201, await created.clone().text());
    ctx.agentKey = (await created.json()).key as string;
    assert.is((await post(base, '/admin/keys', '{"role":"agent","name":"b"}', ctx.agentKey)).status, 403);
    const bad = await post(base, '/admin/keys', '{"role":', ADMIN);
    assert.is(bad.status, 400, await bad.clone().text());
    const missing = await http(`${base}/nope`);
    assert.is(missing.status, 404);
    assert.is((await missing.json()).error.code, 'not_found');
    assert.is((await http(`${base}/health`, { method: 'DELETE' })).status, 405);

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await http(`${base}/admin/keys`, { headers: { authorization: `Bearer ${ctx.agentKey}` } })).status);
    assert.ok(statuses.includes(429), `rate limit applies: ${statuses}`);
    const limited = await http(`${base}/admin/keys`, { headers: { authorization: `Bearer ${ctx.agentKey}` } });
    assert.is(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);

    const big = await post(base, '/admin/keys', 'x'.repeat(2 * 1024 * 1024), ADMIN);
    assert.is(big.status, 413);
    assert.ok(big.headers.get('x-request-id'));
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(new Uint8Array(512 * 1024));
        controller.close();
      },
    });
    const streamed = await http(`${base}/admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    assert.is(streamed.status, 413);
    assert.is((await http(`${base}/health`)).status, 200, 'the object survived refusing large bodies');
  } finally {
    await stop();
  }
});

Worker('an acknowledged write survives a restart of workerd (Durable Object storage)', async (ctx) => {
  assert.ok(ctx.agentKey, 'the first test created a key');
  const { base, stop } = await startWrangler(ctx.dir);
  try {
    const res = await http(`${base}/admin/keys`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.is(res.status, 200);
    assert.equal((await res.json()).keys.map((k: { name: string }) => k.name), ['a']);
    const agent = await http(`${base}/admin/keys`, { headers: { authorization: `Bearer ${ctx.agentKey}` } });
    assert.is(agent.status, 403, 'the agent key still authenticates, with its role');
  } finally {
    await stop();
  }
});

Worker.run();
