import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getPerformanceMonitor } from '../../src/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { promtoolCheck } from './promtool.ts';

const Routes = suite('metrics/routes');
let t: TestApp;
let agentKey: string;

Routes.before(async () => {
  t = await createTestApp();
  agentKey = await t.keyFor('agent');
});
Routes.after(async () => {
  await t.close();
});

async function push(json: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return t.call('POST', '/metrics', { key: agentKey, json, headers });
}

Routes('POST /metrics records a batch; GET /agents/:id/stats reports it', async () => {
  const res = await push({
    metrics: [
      { name: 'message_latency', values: [10, 20, 30, 40], tags: { message_type: 'consent.check' } },
      { name: 'message_latency', value: 50, tags: { message_type: 'consent.check' }, error: true },
      { name: 'agent_memory_bytes', value: 64_000_000, unit: 'bytes' },
    ],
  }, { 'x-agent-id': 'routes-agent-1' });
  assert.is(res.status, 202);
  assert.equal(await res.json(), { accepted: 6, dropped: 0 });
  const stats = await (await t.call('GET', '/agents/routes-agent-1/stats', { key: agentKey })).json();
  assert.is(stats.agentId, 'routes-agent-1');
  assert.is(stats.responseTime.count, 5);
  assert.is(stats.responseTime.max, 50);
  assert.is(stats.errorRate, 20);
  assert.is(stats.memoryBytes, 64_000_000);
  const missing = await t.call('GET', '/agents/nobody-here/stats', { key: agentKey });
  assert.is(missing.status, 404);
  assert.is((await missing.json()).error.code, 'not_found');
});

Routes('POST /metrics: 400 naming the field, and nothing recorded', async () => {
  const before = getPerformanceMonitor().getMetrics('routes_bad_input').length;
  const cases: [unknown, string][] = [
    [{ metrics: [{ name: 'routes_bad_input', value: -1 }] }, 'metrics.0.value'],
    [{ metrics: [{ name: 'routes_bad_input', value: 'fast' }] }, 'metrics.0.value'],
    [{ metrics: [{ name: 'routes_bad_input', value: 1 }, { name: 'routes_bad_input', values: [1, 2, 4e9] }] }, 'metrics.1.values.2'],
    [{ metrics: [{ name: 'routes_bad_input', value: null }] }, 'metrics.0.value'],
    [{ metrics: [{ name: 'routes_bad_input' }] }, 'metrics.0.value'],
    [{ metrics: [{ name: 'routes_bad_input', value: 1, tags: { patient_id: 'p-17' } }] }, 'metrics.0.tags.patient_id'],
    [{ metrics: [{ name: 'routes_bad_input', value: 1, tags: { route: 'jane@example.org' } }] }, 'metrics.0.tags.route'],
    [{ metrics: [{ name: 'bad name', value: 1 }] }, 'metrics.0.name'],
    [{ metrics: [] }, 'metrics'],
    [{ metrics: [{ name: 'routes_bad_input', value: 1, unit: 'ms' }, { name: 'routes_bad_input', value: 1, unit: 'bytes' }] }, 'metrics.1.unit'],
  ];
  for (const [json, field] of cases) {
    const res = await push(json);
    assert.is(res.status, 400, JSON.stringify(json));
    const body = await res.json();
    assert.is(body.error.field, field, JSON.stringify(body));
  }
  // Infinity cannot be written in JSON, but 1e999 parses to it.
  const inf = await t.call('POST', '/metrics', { key: agentKey, body: '{"metrics":[{"name":"routes_bad_input","value":1e999}]}', headers: { 'content-type': 'application/json' } });
  assert.is(inf.status, 400);
  assert.is((await inf.json()).error.field, 'metrics.0.value');
  const nan = await t.call('POST', '/metrics', { key: agentKey, body: '{"metrics":[{"name":"x","value":NaN}]}', headers: { 'content-type': 'application/json' } });
  assert.is(nan.status, 400);
  assert.is(getPerformanceMonitor().getMetrics('routes_bad_input').length, before);
});

Routes('GET /metrics is Prometheus text that promtool accepts; GET /metrics.json parses', async () => {
  await push({ metrics: [{ name: 'routes_export', values: [1, 2, 3] }] });
  const res = await t.call('GET', '/metrics', { key: agentKey });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  assert.match(text, /^healthsync_routes_export_seconds_count 3$/m);
  const check = promtoolCheck(text);
  assert.ok(check.ok, check.output);
  const json = await (await t.call('GET', '/metrics.json', { key: agentKey })).json();
  assert.is(json.format, 'healthsync-metrics/1');
});

Routes('GET /system/metrics and GET /alerts', async () => {
  const sys = await (await t.call('GET', '/system/metrics', { key: agentKey })).json();
  assert.is(sys.runtime, 'node');
  assert.ok(sys.memory.heapUsed > 0);
  const alerts = await (await t.call('GET', '/alerts', { key: agentKey })).json();
  assert.equal(alerts.rules.map((r: { name: string }) => r.name).sort(), ['high_error_rate', 'high_memory', 'high_response_time']);
  assert.ok(Array.isArray(alerts.active) && Array.isArray(alerts.history));
});

Routes('every metrics route needs an agent or admin key', async () => {
  const researcher = await t.keyFor('researcher');
  for (const [method, path] of [['GET', '/metrics'], ['GET', '/metrics.json'], ['POST', '/metrics'], ['GET', '/agents/a/stats'], ['GET', '/system/metrics'], ['GET', '/alerts']]) {
    assert.is((await t.call(method, path)).status, 401, `${method} ${path}`);
    assert.is((await t.call(method, path, { key: researcher, json: method === 'POST' ? { metrics: [] } : undefined })).status, 403, `${method} ${path}`);
  }
  assert.is((await t.call('GET', '/metrics', { key: t.adminKey })).status, 200);
});

Routes.run();
