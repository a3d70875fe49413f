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

Monitor.run();
