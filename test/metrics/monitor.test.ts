import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPerformanceMonitor, getPerformanceMonitor, ValidationError } from '../../src/index.ts';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const Monitor = suite('metrics/monitor');

Monitor('getPerformanceMonitor() is one per isolate', () => {
  assert.is(getPerformanceMonitor(), getPerformanceMonitor());
});

Monitor('recordMetric feeds getMetrics with quantiles within 1%', () => {
  const clock = fakeClock();
  const m = createPerformanceMonitor({ clock: clock.now });
  for (let i = 1; i <= 1000; i++) m.recordMetric('db_query', i, { tags: { statement: 'select' } });
  m.recordMetric('db_query', 5, { tags: { statement: 'insert' } });
  const [select, insert] = m.getMetrics('db_query');
  assert.is(select.count, 1000);
  assert.equal(select.tags, { statement: 'select' });
  assert.is(select.unit, 'ms');
  assert.is(select.min, 1);
  assert.is(select.max, 1000);
  assert.ok(Math.abs(select.p50! - 500) <= 5, `p50 ${select.p50}`);
  assert.ok(Math.abs(select.p99! - 990) <= 9.9, `p99 ${select.p99}`);
  assert.is(insert.count, 1);
  assert.is(m.getMetrics().length, 2);
  assert.is(m.getMetrics('nothing').length, 0);
  m.clear();
});

Monitor('windows: the last minute and five minutes come from merged sub-histograms', () => {
  const clock = fakeClock(1_700_000_000_000 - (1_700_000_000_000 % 60_000));
  const m = createPerformanceMonitor({ clock: clock.now });
  // One record every 10 s for 10 minutes, value = minute index + 1.
  for (let s = 0; s < 600; s += 10) {
    m.recordMetric('latency', Math.floor(s / 60) + 1);
    clock.advance(10_000);
  }
  clock.advance(-1); // stay inside the last slot of minute 10
  const now = clock.now();
  const [total] = m.getMetrics('latency');
  assert.is(total.count, 60);
  const [lastMinute] = m.getMetrics('latency', now - 60_000);
  assert.is(lastMinute.count, 6);
  assert.is(lastMinute.min, 10);
  const [last5] = m.getMetrics('latency', now - 300_000);
  assert.is(last5.count, 30);
  assert.is(last5.min, 6);
  assert.ok(last5.from >= now - 300_000);
  m.clear();
});

Monitor('measureTime times sync and async work and counts failures', async () => {
  let t = 0;
  const m = createPerformanceMonitor({ timer: () => t });
  const out = m.measureTime('work', { kind: 'sync' }, () => {
    t += 5;
    return 42;
  });
  assert.is(out, 42);
  const value = await m.measureTime('work', { kind: 'async' }, async () => {
    t += 7;
    return 'done';
  });
  assert.is(value, 'done');
  assert.throws(() =>
    m.measureTime('work', { kind: 'sync' }, () => {
      t += 1;
      throw new Error('boom');
    }),
  );
  await m
    .measureTime('work', { kind: 'async' }, () => Promise.reject(new Error('nope')))
    .then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'nope'));
  const stats = Object.fromEntries(m.getMetrics('work').map((s) => [s.tags.kind, s]));
  assert.is(stats.sync.count, 2);
  assert.is(stats.sync.errors, 1);
  assert.is(stats.sync.max, 5);
  assert.is(stats.async.count, 2);
  assert.is(stats.async.errors, 1);
  assert.is(stats.async.max, 7);
});

Monitor('bad values, names and labels throw ValidationError naming the field and record nothing', () => {
  const m = createPerformanceMonitor();
  const bad = (fn: () => void, field: string) =>
    assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.field === field, field);
  bad(() => m.recordMetric('x', NaN), 'value');
  bad(() => m.recordMetric('x', -1), 'value');
  bad(() => m.recordMetric('x', Infinity), 'value');
  bad(() => m.recordMetric('x', '3' as unknown as number), 'value');
  bad(() => m.recordMetric('x', 4e9), 'value');
  bad(() => m.recordMetric('bad name!', 1), 'name');
  bad(() => m.recordMetric('x', 1, { tags: { patient_id: 'p1' } }), 'tags.patient_id');
  bad(() => m.recordMetric('x', 1, { tags: { route: 'jane@example.org' } }), 'tags.route');
  m.recordMetric('x', 1, { unit: 'ms' });
  bad(() => m.recordMetric('x', 1, { unit: 'bytes' }), 'unit');
  assert.is(m.seriesCount, 1);
  assert.is(m.getMetrics('x')[0].count, 1);
});

Monitor('the series count is bounded; excess records are dropped and counted', () => {
  const m = createPerformanceMonitor({ maxSeries: 3 });
  for (let i = 0; i < 10; i++) m.recordMetric('req', 1, { tags: { route: `/r${i}` } });
  m.recordMetric('req', 1, { tags: { route: '/r0' } });
  assert.is(m.seriesCount, 3);
  assert.is(m.droppedRecords, 7);
  assert.is(m.getMetrics('req').find((s) => s.tags.route === '/r0')!.count, 2);
  m.clear();
});

Monitor('agent stats: response time, throughput, error and success rates, windows, resources', () => {
  const clock = fakeClock(1_700_000_000_000 - (1_700_000_000_000 % 60_000));
  const m = createPerformanceMonitor({ clock: clock.now });
  // 10 messages per second for 2 minutes; every 10th fails; latency 1..100 ms.
  for (let s = 0; s < 120; s++) {
    for (let i = 0; i < 10; i++) {
      m.recordMetric('message_latency', (s * 10 + i) % 100 + 1, { tags: { agent: 'custodian-1', message_type: 'query' }, error: i === 0 });
    }
    clock.advance(1000);
  }
  m.recordMetric('agent_memory_bytes', 52_000_000, { tags: { agent: 'custodian-1' }, unit: 'bytes' });
  m.recordMetric('agent_cpu_percent', 12.5, { tags: { agent: 'custodian-1' }, unit: 'percent' });
  m.recordMetric('http_request_duration', 3, { tags: { agent: 'custodian-1', route: '/messages', method: 'POST', status: '202' } });
  const stats = m.getAgentStats('custodian-1')!;
  assert.is(stats.source, 'messages');
  assert.is(stats.responseTime.count, 1200);
  assert.is(stats.responseTime.min, 1);
  assert.is(stats.responseTime.max, 100);
  assert.ok(Math.abs(stats.responseTime.avg! - 50.5) < 1e-9);
  assert.ok(Math.abs(stats.responseTime.p99! - 99) <= 0.99);
  assert.ok(Math.abs(stats.throughput - 10) < 0.01, `throughput ${stats.throughput}`);
  assert.is(stats.errorRate, 10);
  assert.is(stats.successRate, 90);
  assert.ok(stats.windows['1m'].responseTime.count >= 500 && stats.windows['1m'].responseTime.count <= 600);
  assert.ok(Math.abs(stats.windows['1m'].errorRate - 10) < 1e-9);
  assert.ok(stats.active);
  assert.is(stats.memoryBytes, 52_000_000);
  assert.is(stats.cpuPercent, 12.5);
  assert.is(stats.requests!.responseTime.count, 1);
  assert.is(m.getAgentStats('nobody'), undefined);
  clock.advance(301_000);
  assert.is(m.getAgentStats('custodian-1')!.active, false);
  assert.is(m.getAgentStats('custodian-1')!.windows['1m'].responseTime.count, 0);
});

Monitor('agent stats fall back to requests for agents that only call HTTP', () => {
  const m = createPerformanceMonitor();
  m.recordMetric('http_request_duration', 4, { tags: { agent: 'research-2', route: '/consents', method: 'GET', status: '200' } });
  m.recordMetric('http_request_duration', 6, { tags: { agent: 'research-2', route: '/consents', method: 'GET', status: '500' }, error: true });
  const stats = m.getAgentStats('research-2')!;
  assert.is(stats.source, 'requests');
  assert.is(stats.responseTime.count, 2);
  assert.is(stats.errorRate, 50);
  assert.is(stats.requests, null);
});

Monitor('system metrics: process memory and CPU, WASM memory, agents and totals', () => {
  const m = createPerformanceMonitor();
  m.recordMetric('message_latency', 5, { tags: { agent: 'a1' } });
  m.recordMetric('message_latency', 7, { tags: { agent: 'a2' } });
  m.recordMetric('http_request_duration', 2, { tags: { route: '/health' } });
  m.start();
  try {
    const sys = m.getSystemMetrics();
    assert.is(sys.runtime, 'node');
    assert.ok(sys.memory.heapUsed! > 0 && sys.memory.heapLimit! > sys.memory.heapUsed!);
    assert.ok(sys.memory.usagePercent! > 0 && sys.memory.usagePercent! < 100);
    assert.ok(sys.cpu!.userMicros > 0);
    assert.ok(sys.histograms.bytesInUse > 0);
    assert.is(sys.activeAgents, 2);
    assert.is(sys.totalMessages, 2);
    assert.is(sys.totalRequests, 1);
    assert.is(sys.responseTime.total.count, 3);
    assert.is(sys.responseTime.total.max, 7);
    assert.is(sys.series.count, 3);
    assert.ok(m.running);
    assert.ok(JSON.stringify(sys));
  } finally {
    m.stop();
  }
  assert.is(m.running, false);
});

Monitor('signals feed alert rules: built-ins and <metric>:<stat>', () => {
  const clock = fakeClock();
  const m = createPerformanceMonitor({ clock: clock.now });
  assert.is(m.signal('response_time'), undefined);
  for (let i = 1; i <= 100; i++) m.recordMetric('message_latency', i * 10, { tags: { agent: 'a' }, error: i % 4 === 0 });
  assert.ok(Math.abs(m.signal('response_time')! - 505) < 1e-9);
  assert.is(m.signal('error_rate'), 25);
  assert.ok(Math.abs(m.signal('message_latency:p99')! - 990) <= 9.9);
  assert.is(m.signal('message_latency:count'), 100);
  assert.is(m.signal('message_latency:max'), 1000);
  assert.is(m.signal('message_latency:bogus'), undefined);
  assert.is(m.signal('nothing'), undefined);
  assert.ok(m.signal('memory_usage')! > 0);
});

Monitor.run();
