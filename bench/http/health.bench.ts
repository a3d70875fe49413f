/**
 * `GET /health` three ways, side by side in one run:
 * 1. over the wire: raw `node:http`, the Hono app on `@hono/node-server`, a bare one-route Hono
 *    app and itty-router on the same adapter, each server pinned to CPU 0 and autocannon pinned to
 *    CPU 1; figures are requests/s and server CPU µs per request, medians of interleaved rounds
 *    (the ratio Hono/raw is the foundation's goal, ≤ 1.3);
 * 2. in process with mitata: `app.request('/health')` against the bare handler work.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { bench, do_not_optimize, group, summary } from 'mitata';
import { createApp } from '../../src/app.ts';
import { healthReport } from '../../src/http/system-routes.ts';
import { createServices } from '../../src/services.ts';
import { createMemoryBackend } from '../../src/storage/index.ts';
import { pinned, recordFigure, runBenchmarks } from '../harness.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
const CONNECTIONS = 32;

async function startServer(kind: string, port: number): Promise<{ child: ChildProcess; cpu(): Promise<number> }> {
  const [cmd, args] = pinned(0, [process.execPath, '--import', 'tsx', 'bench/http/health-server.ts', kind, String(port)]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const next = () => new Promise<string>((ok) => waiters.push(ok));
  if ((await next()) !== 'ready') throw new Error(`${kind} server did not start`);
  return {
    child,
    async cpu() {
      child.stdin!.write('cpu\n');
      return JSON.parse(await next()).cpuMicros as number;
    },
  };
}

function autocannon(url: string, seconds: number): { requests: number; rps: number; non2xx: number } {
  const [cmd, args] = pinned(1, [process.execPath, 'node_modules/autocannon/autocannon.js', '-c', String(CONNECTIONS), '-d', String(seconds), '-j', url]);
  const out = JSON.parse(execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  return { requests: out.requests.total, rps: out.requests.average, non2xx: out.non2xx };
}

// Every server runs for the whole measurement (idle ones cost nothing); rounds interleave the
// kinds so that a slow spell of this shared machine hits them all, and each figure is the median
// of its rounds.
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const kinds = (process.env.BENCH_HTTP_KINDS ?? 'raw,hono,hono-bare,itty').split(',');
const servers = new Map<string, { url: string; server: Awaited<ReturnType<typeof startServer>> }>();
const samples = new Map<string, { rps: number[]; cpuPerReq: number[] }>();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const [i, kind] of kinds.entries()) {
    const url = `http://127.0.0.1:${18700 + i}/health`;
    const server = await startServer(kind, 18700 + i);
    servers.set(kind, { url, server });
    samples.set(kind, { rps: [], cpuPerReq: [] });
    autocannon(url, 2); // warm-up
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of kinds) {
      const { url, server } = servers.get(kind)!;
      const before = await server.cpu();
      const run = autocannon(url, DURATION_S);
      const cpu = (await server.cpu()) - before;
      if (run.non2xx > 0) throw new Error(`${kind}: ${run.non2xx} non-2xx responses`);
      samples.get(kind)!.rps.push(run.rps);
      samples.get(kind)!.cpuPerReq.push(cpu / run.requests);
    }
  }
} finally {
  for (const { server } of servers.values()) server.child.kill('SIGKILL');
}
for (const [kind, s] of samples) {
  recordFigure(`over the wire / ${kind} requests per second`, median(s.rps), 'req/s');
  recordFigure(`over the wire / ${kind} server CPU per request`, median(s.cpuPerReq), 'µs');
  console.log(`  ${kind}: µs per request by round ${s.cpuPerReq.map((x) => x.toFixed(1)).join(', ')}`);
}
const raw = samples.get('raw');
for (const [kind, s] of samples) {
  if (kind !== 'raw' && raw) {
    recordFigure(`over the wire / ${kind} CPU per request ÷ raw node:http`, median(s.cpuPerReq) / median(raw.cpuPerReq), 'x');
    console.log(`  ${kind} ÷ raw by round: ${s.cpuPerReq.map((x, r) => (x / raw.cpuPerReq[r]).toFixed(2)).join(', ')}`);
  }
}

const deps = await createServices({ env: { HEALTHSYNC_ADMIN_KEY: 'bench-admin-key-0123456789' }, backend: createMemoryBackend(), runtime: 'node' });
const app = createApp(deps);
const check = await app.request('/health');
if (check.status !== 200 || (await check.json()).status !== 'ok') throw new Error('app /health is not healthy');

group('in process: GET /health', () => {
  summary(() => {
    bench('bare handler work (healthReport + JSON)', () => do_not_optimize(new Response(JSON.stringify(healthReport(deps)))));
    bench('Hono app.request()', async () => do_not_optimize(await app.request('/health'))).baseline(true);
  });
});

await runBenchmarks(import.meta.url);
await deps.close();
