import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPerformanceMonitor, deserializeHistogram, ValidationError } from '../../src/index.ts';
import { sample } from './oracle.ts';
import { promtoolCheck } from './promtool.ts';

const Export = suite('metrics/export');

function busyMonitor() {
  const m = createPerformanceMonitor();
  const values = sample('logNormal', 2000, 9);
  for (const [i, v] of values.entries()) {
    m.recordMetric('http_request_duration', v / 1000, { tags: { route: '/agents/:id/stats', method: 'GET', status: i % 50 ? '200' : '500', agent: 'custodian-1' }, error: i % 50 === 0 });
  }
  m.recordMetric('message_latency', 3, { tags: { agent: 'custodian-1', message_type: 'consent.check' } });
  m.recordMetric('db.query', 0.5, { tags: { statement: 'select "x" \\ y' } });
  m.recordMetric('payload', 1234, { unit: 'bytes' });
  m.recordMetric('zero_only', 0);
  m.recordMetric('queue_depth', 12, { unit: 'count' });
  return m;
}

Export("exportMetrics('prometheus') passes promtool check metrics", () => {
  const m = busyMonitor();
  const text = m.exportMetrics('prometheus');
  const check = promtoolCheck(text);
  assert.ok(check.ok, check.output);
  assert.ok(text.endsWith('\n'));
  assert.match(text, /^# TYPE healthsync_http_request_duration_seconds histogram$/m);
  assert.match(text, /^# TYPE healthsync_http_request_duration_recent_seconds summary$/m);
  assert.match(text, /^healthsync_http_request_duration_recent_seconds\{.*quantile="0.99"\} [\d.e-]+$/m);
  assert.match(text, /^healthsync_http_request_duration_errors_total\{agent="custodian-1",method="GET",route="\/agents\/:id\/stats",status="500"\} 40$/m);
  assert.match(text, /^healthsync_db_query_seconds_bucket\{statement="select \\"x\\" \\\\ y",le="\+Inf"\} 1$/m);
  assert.match(text, /^healthsync_payload_bytes_count 1$/m);
  assert.match(text, /^healthsync_alert_active\{rule="high_error_rate",action="investigate"\} 0$/m);
  // One HELP and one TYPE per family, and families never repeat.
  const types = [...text.matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1]);
  assert.is(new Set(types).size, types.length);
  assert.is([...text.matchAll(/^# HELP /gm)].length, types.length);
});

Export('names that collide once sanitized, or with the monitor\'s own figures, still export valid text', () => {
  const m = createPerformanceMonitor();
  m.recordMetric('queue.wait', 1);
  m.recordMetric('queue_wait', 2);
  m.recordMetric('queue-wait', 3, { tags: { k: 'v' } });
  m.recordMetric('lookup_ms', 4, { unit: 'ms' });
  m.recordMetric('metric_series', 4, { unit: 'count' });
  m.recordMetric('active_agents', 5, { unit: 'count' });
  const text = m.exportMetrics('prometheus');
  const check = promtoolCheck(text);
  assert.ok(check.ok, check.output);
  assert.match(text, /^healthsync_queue_wait_seconds_count 1$/m);
  assert.match(text, /^healthsync_queue_wait_seconds_count\{k="v"\} 1$/m);
  // A unit already in the name is not repeated (promtool frowns on abbreviated units).
  assert.match(text, /^healthsync_lookup_seconds_count 1$/m);
  assert.match(text, /^# TYPE healthsync_metric_series histogram$/m);
});

Export("exportMetrics('json'): figures per window and mergeable histograms", () => {
  const m = busyMonitor();
  const json = m.exportMetrics('json');
  const parsed = JSON.parse(JSON.stringify(json));
  assert.is(parsed.format, 'healthsync-metrics/1');
  const http = parsed.series.filter((s: { name: string }) => s.name === 'http_request_duration');
  assert.is(http.reduce((a: number, s: { total: { count: number } }) => a + s.total.count, 0), 2000);
  for (const s of http) {
    using h = deserializeHistogram(s.histogram);
    assert.is(h.count, s.total.count);
    assert.is(h.valueAtQuantile(0.99), s.total.p99);
    assert.is(s['1m'].count, s.total.count);
  }
  assert.is(parsed.system.totalRequests, 2000);
  assert.ok(Array.isArray(parsed.alerts.rules));
  assert.throws(() => m.exportMetrics('xml' as 'json'), (e: unknown) => e instanceof ValidationError && e.field === 'format');
});

Export.run();
