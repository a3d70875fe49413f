/**
 * What `withTiming` adds to a request, in process: a Hono app answering GET /health (and a
 * parameterised route) with and without the middleware, through `app.request`.
 */
import { Hono } from 'hono';
import { bench, do_not_optimize, group, summary } from 'mitata';
import { createPerformanceMonitor } from '../../src/index.ts';
import { withTiming } from '../../src/metrics/with-timing.ts';
import { runBenchmarks } from '../harness.ts';

function app(timed: boolean): Hono {
  const a = new Hono();
  if (timed) a.use(withTiming({ monitor: createPerformanceMonitor() }));
  a.get('/health', (c) => c.json({ status: 'ok' }));
  a.get('/agents/:id/stats', (c) => c.json({ id: c.req.param('id') }));
  return a;
}

const plain = app(false);
const timed = app(true);
for (const a of [plain, timed]) {
  const res = await a.request('/health', { headers: { 'x-agent-id': 'agent-1' } });
  if (res.status !== 200) throw new Error('health failed');
}
if (!(await timed.request('/health')).headers.get('server-timing')) throw new Error('no Server-Timing');

group('GET /health in process', () => {
  summary(() => {
    bench('Hono, no timing', async () => do_not_optimize(await plain.request('/health', { headers: { 'x-agent-id': 'agent-1' } })));
    bench('Hono + withTiming', async () => do_not_optimize(await timed.request('/health', { headers: { 'x-agent-id': 'agent-1' } })));
  });
});

group('GET /agents/:id/stats in process', () => {
  summary(() => {
    bench('Hono, no timing', async () => do_not_optimize(await plain.request('/agents/a-7/stats')));
    bench('Hono + withTiming', async () => do_not_optimize(await timed.request('/agents/a-7/stats')));
  });
});

await runBenchmarks(import.meta.url);
