/**
 * Messaging over HTTP, side by side in one run.
 *
 * 1. Over the wire (the goal): the real app on `@hono/node-server` in its own process pinned to
 *    CPU 0 (`bench/messaging/http-server.ts`: auth, request ids, body and rate limits, the
 *    messaging routes, a processor with a no-op handler and durable acceptance on the file
 *    backend, so every 202 waits for fdatasync), and autocannon in another process pinned to
 *    CPU 1 (`http-load.ts`) on 127.0.0.1. The machine has 2 cores: one each, nothing else of
 *    ours running. Scenarios, each on a fresh data directory, 2 s warm-up then `SECONDS`:
 *      - POST /messages, one JSON envelope per request, durable and with the journal off (the
 *        issue's anchor: 22-37k requests/s for parse + 202, no durability); a durable single
 *        message waits for a group commit, so its rate is connections / fsync latency
 *      - POST /messages/batch, 1,000-message JSON arrays
 *      - POST /messages/batch, 1,000-message batch frames (goal: >= 200k messages/s accepted)
 *      - the same frames with the journal off (what durability costs)
 *    Figures: messages accepted/s (202s x messages per request / seconds), messages processed/s
 *    (the server's own count), 429s (queue full: acceptance outran processing), server CPU µs
 *    per accepted message, request latency p50/p99.
 * 2. In process (mitata): one 1,000-message POST /messages/batch through `app.request()`, frame
 *    vs JSON array, durable on the memory backend: the server-side CPU cost without the network.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bench, do_not_optimize, group, summary } from 'mitata';
import { createApp } from '../../src/app.ts';
import { KeyStore } from '../../src/auth/key-store.ts';
import { loadConfig } from '../../src/config.ts';
import { createStorageJournal, encodeBatch, MessageProcessor, type Message } from '../../src/index.ts';
import { MIGRATIONS } from '../../src/services.ts';
import { createMemoryBackend, OptimizedDatabase } from '../../src/storage/index.ts';
import { pinned, recordFigure, runBenchmarks } from '../harness.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
const ADMIN_KEY = 'bench-admin-key-0123456789';
const BATCH = 1000;

interface ServerStats {
  cpuMicros: number;
  stats: { accepted: number; processed: number; pending: number; rejected: { overloaded: number } };
}

async function startServer(port: number, dir: string, durability: 'durable' | 'memory'): Promise<{ child: ChildProcess; stats(): Promise<ServerStats> }> {
  const [cmd, args] = pinned(0, [process.execPath, '--import', 'tsx', 'bench/messaging/http-server.ts', String(port), dir, ADMIN_KEY, durability]);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => waiters.shift()?.(line));
  const next = () => new Promise<string>((ok) => waiters.push(ok));
  if ((await next()) !== 'ready') throw new Error('messaging server did not start');
  return {
    child,
    async stats() {
      child.stdin!.write('stats\n');
      return JSON.parse(await next()) as ServerStats;
    },
  };
}

interface LoadResult {
  requests: number;
  status: Record<string, number>;
  seconds: number;
  errors: number;
  latency: { p50: number; p99: number };
  bodyBytes: number;
}

function load(port: number, seconds: number, connections: number, mode: string): LoadResult {
  const [cmd, args] = pinned(1, [process.execPath, '--import', 'tsx', 'bench/messaging/http-load.ts', `http://127.0.0.1:${port}`, ADMIN_KEY, String(seconds), String(connections), mode]);
  return JSON.parse(execFileSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }).toString()) as LoadResult;
}

const scenarios = [
  { name: 'POST /messages, one JSON envelope, durable', mode: 'single', durability: 'durable', connections: 64, perRequest: 1 },
  { name: 'POST /messages, one JSON envelope, journal off', mode: 'single', durability: 'memory', connections: 64, perRequest: 1 },
  { name: 'POST /messages/batch, 1,000-message JSON array, durable', mode: 'json', durability: 'durable', connections: 8, perRequest: BATCH },
  { name: 'POST /messages/batch, 1,000-message frame, durable', mode: 'frame', durability: 'durable', connections: 8, perRequest: BATCH },
  { name: 'POST /messages/batch, 1,000-message frame, journal off', mode: 'frame', durability: 'memory', connections: 8, perRequest: BATCH },
] as const;

for (const [i, s] of scenarios.entries()) {
  const dir = mkdtempSync(join(tmpdir(), 'healthsync-bench-messaging-'));
  const port = 18800 + i;
  const server = await startServer(port, dir, s.durability);
  try {
    load(port, 2, s.connections, s.mode); // warm-up
    const before = await server.stats();
    const run = load(port, SECONDS, s.connections, s.mode);
    const after = await server.stats();
    const accepted = (run.status['202'] ?? 0) * s.perRequest;
    const unexpected = Object.entries(run.status).filter(([code]) => code !== '202' && code !== '429');
    if (unexpected.length > 0 || run.errors > 0) throw new Error(`${s.name}: unexpected responses ${JSON.stringify(run.status)}, ${run.errors} errors`);
    const serverAccepted = after.stats.accepted - before.stats.accepted;
    if (serverAccepted < accepted) throw new Error(`${s.name}: the server counted ${serverAccepted} accepted, the client ${accepted}`);
    recordFigure(`over the wire / ${s.name} / messages accepted per second`, accepted / run.seconds, 'msg/s');
    recordFigure(`over the wire / ${s.name} / messages processed per second`, (after.stats.processed - before.stats.processed) / run.seconds, 'msg/s');
    recordFigure(`over the wire / ${s.name} / requests refused 429 (queue full)`, run.status['429'] ?? 0, 'requests');
    recordFigure(`over the wire / ${s.name} / server CPU per accepted message`, accepted ? (after.cpuMicros - before.cpuMicros) / accepted : NaN, 'µs');
    recordFigure(`over the wire / ${s.name} / request latency p50`, run.latency.p50, 'ms');
    recordFigure(`over the wire / ${s.name} / request latency p99`, run.latency.p99, 'ms');
    recordFigure(`over the wire / ${s.name} / body bytes per request`, run.bodyBytes, 'bytes');
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

// In process: the server-side work of one batch request, durable on the memory backend.
const config = loadConfig({ HEALTHSYNC_ADMIN_KEY: ADMIN_KEY, HEALTHSYNC_RATE_LIMIT: '1000000', HEALTHSYNC_BODY_LIMIT: String(4 * 1024 * 1024) });
const db = new OptimizedDatabase(createMemoryBackend(), { migrations: MIGRATIONS });
await db.start();
const keys = new KeyStore(db, { adminKey: config.adminKey });
const messaging = new MessageProcessor({ journal: createStorageJournal(db), maxWorkers: 20, maxQueueSize: 1_000_000 });
messaging.registerHandler('consent_request', () => undefined);
await messaging.start();
const app = createApp({ config, db, keys, startedAt: Date.now(), runtime: 'node', messaging });
const messages: Message[] = Array.from({ length: BATCH }, (_, i) => ({
  id: crypto.randomUUID(),
  sender: 'consent_agent',
  recipient: `custodian_agent_${i % 4}`,
  messageType: 'consent_request',
  payload: { patient_id: `pt-${100000 + i}`, consent: true, data_types: ['labs', 'imaging', 'genomic', 'notes'] },
  priority: (i % 4) as Message['priority'],
  timeout: 30_000,
}));
const frame = encodeBatch(messages);
const json = JSON.stringify(messages);
const post = (body: BodyInit, type: string) =>
  app.request('/messages/batch', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': type }, body });
for (const [body, type] of [
  [frame, 'application/x-healthsync-frame'],
  [json, 'application/json'],
] as const) {
  const res = await post(body as BodyInit, type);
  const out = (await res.json()) as { accepted: number };
  if (res.status !== 202 || out.accepted !== BATCH) throw new Error(`in-process ${type}: ${res.status}`);
}
group(`in process: POST /messages/batch of ${BATCH.toLocaleString('en')} messages through app.request(), durable (memory backend)`, () => {
  summary(() => {
    bench('batch frame', async () => do_not_optimize(await (await post(frame as BodyInit, 'application/x-healthsync-frame')).arrayBuffer()));
    bench('JSON array', async () => do_not_optimize(await (await post(json, 'application/json')).arrayBuffer())).baseline(true);
  });
});

await runBenchmarks(import.meta.url);
await messaging.stop();
await db.close();
