/**
 * One `GET /health` server for the side-by-side HTTP benchmark, run in its own process:
 *   node --import tsx bench/http/health-server.ts <raw|hono|hono-bare|itty> <port>
 * All do the same work per request (the real health checks and JSON); they differ only in the
 * framework: `hono` is the full app (request ids, timing, body limit, auth, rate limit, errors),
 * `hono-bare` a Hono app with the one route and nothing else. A line "cpu" on stdin answers with this process's CPU time in µs.
 */
import { serve } from '@hono/node-server';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { Hono } from 'hono';
import { AutoRouter } from 'itty-router';
import { createApp } from '../../src/app.ts';
import { healthReport } from '../../src/http/system-routes.ts';
import { createServices } from '../../src/services.ts';
import { createMemoryBackend } from '../../src/storage/index.ts';

const [kind, portArg] = process.argv.slice(2);
const port = Number(portArg);
const deps = await createServices({ env: { HEALTHSYNC_ADMIN_KEY: 'bench-admin-key-0123456789' }, backend: createMemoryBackend(), runtime: 'node' });
let counter = 0;

if (kind === 'raw') {
  createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      const body = JSON.stringify(healthReport(deps));
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `raw-${++counter}` });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  }).listen(port, '127.0.0.1', ready);
} else if (kind === 'hono') {
  serve({ fetch: createApp(deps).fetch, port, hostname: '127.0.0.1' }, ready);
} else if (kind === 'hono-bare') {
  const app = new Hono();
  app.get('/health', (c) => c.json(healthReport(deps), 200, { 'x-request-id': `bare-${++counter}` }));
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, ready);
} else if (kind === 'itty') {
  const router = AutoRouter();
  router.get('/health', () => new Response(JSON.stringify(healthReport(deps)), { headers: { 'content-type': 'application/json', 'x-request-id': `itty-${++counter}` } }));
  serve({ fetch: router.fetch, port, hostname: '127.0.0.1' }, ready);
} else {
  throw new Error(`unknown server kind ${kind}`);
}

function ready(): void {
  process.stdout.write('ready\n');
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
  }
});
