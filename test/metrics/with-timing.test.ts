import { Hono } from 'hono';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPerformanceMonitor, getPerformanceMonitor } from '../../src/index.ts';
import { agentLabel, withTiming } from '../../src/metrics/with-timing.ts';
import { createTestApp } from '../helpers/app.ts';

const Timing = suite('metrics/with-timing');

function appWith(monitor = createPerformanceMonitor()) {
  const app = new Hono();
  app.use(withTiming({ monitor }));
  app.get('/patients/:id/consents', (c) => c.json({ id: c.req.param('id') }));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.onError((_err, c) => c.json({ error: { code: 'internal' } }, 500));
  return { app, monitor };
}

Timing('records by route pattern (never the raw path), method, status and agent; sets Server-Timing', async () => {
  const { app, monitor } = appWith();
  const res = await app.request('/patients/123-45-6789/consents', { headers: { 'x-agent-id': 'custodian-9' } });
  assert.is(res.status, 200);
  assert.match(res.headers.get('server-timing')!, /^app;dur=\d+\.\d{3}$/);
  await app.request('/patients/jane@example.org/consents');
  const series = monitor.getMetrics('http_request_duration');
  assert.equal(series.map((s) => s.tags).sort((a, b) => (a.agent ?? '').localeCompare(b.agent ?? '')), [
    { method: 'GET', route: '/patients/:id/consents', status: '200' },
    { agent: 'custodian-9', method: 'GET', route: '/patients/:id/consents', status: '200' },
  ]);
  const text = monitor.exportMetrics('prometheus');
  assert.not.match(text, /123-45-6789|jane@example/);
  assert.is(monitor.getAgentStats('custodian-9')!.responseTime.count, 1);
});

Timing('errors and unmatched routes are recorded too; 5xx count as errors', async () => {
  const { app, monitor } = appWith();
  assert.is((await app.request('/boom')).status, 500);
  assert.is((await app.request('/nowhere/at/all')).status, 404);
  const byRoute = Object.fromEntries(monitor.getMetrics('http_request_duration').map((s) => [s.tags.route, s]));
  assert.is(byRoute['/boom'].errors, 1);
  assert.is(byRoute['/boom'].tags.status, '500');
  assert.is(byRoute.unmatched.count, 1);
  assert.is(byRoute.unmatched.errors, 0);
});

Timing('X-Agent-Id that is malformed or identifier-shaped becomes "invalid"', () => {
  assert.is(agentLabel(undefined), undefined);
  assert.is(agentLabel('research-query-2'), 'research-query-2');
  assert.is(agentLabel('jane@example.org'), 'invalid');
  assert.is(agentLabel('123-45-6789'), 'invalid');
  assert.is(agentLabel('x'.repeat(65)), 'invalid');
  assert.is(agentLabel('a b'), 'invalid');
});

Timing('the real app times every request, with route patterns', async () => {
  const t = await createTestApp();
  try {
    const before = getPerformanceMonitor().getMetrics('http_request_duration').find((s) => s.tags.route === '/health' && s.tags.status === '200')?.count ?? 0;
    const res = await t.call('GET', '/health');
    assert.ok(res.headers.get('server-timing'));
    assert.ok(res.headers.get('x-request-id'));
    const after = getPerformanceMonitor().getMetrics('http_request_duration').find((s) => s.tags.route === '/health' && s.tags.status === '200')!.count;
    assert.is(after, before + 1);
    await t.call('GET', '/agents/some-agent/stats');
    assert.ok(getPerformanceMonitor().getMetrics('http_request_duration').some((s) => s.tags.route === '/agents/:id/stats' && s.tags.status === '401'));
  } finally {
    await t.close();
  }
});

Timing.run();
