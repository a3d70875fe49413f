import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPerformanceMonitor, ValidationError } from '../../src/index.ts';
import { AlertManager, DEFAULT_ALERT_RULES, type AlertEvent } from '../../src/metrics/alerts.ts';

const Alerts = suite('metrics/alerts');

Alerts("the seed's three rules ship as defaults", () => {
  const m = createPerformanceMonitor();
  const rules = Object.fromEntries(m.getAlerts().rules.map((r) => [r.name, r]));
  assert.equal(
    { ...rules.high_response_time },
    { name: 'high_response_time', metric: 'response_time', threshold: 2000, duration: 300, action: 'scale_up', comparison: 'above' },
  );
  assert.equal([rules.high_error_rate.metric, rules.high_error_rate.threshold, rules.high_error_rate.duration, rules.high_error_rate.action], ['error_rate', 5, 60, 'investigate']);
  assert.equal([rules.high_memory.metric, rules.high_memory.threshold, rules.high_memory.duration, rules.high_memory.action], ['memory_usage', 85, 180, 'restart_agents']);
  assert.is(DEFAULT_ALERT_RULES.length, 3);
});

Alerts('a rule fires once after holding for its whole duration and resolves once', () => {
  let value: number | undefined = 10;
  let now = 0;
  const alerts = new AlertManager([{ name: 'slow', metric: 'x', threshold: 100, duration: 60, action: 'scale_up' }]);
  const seen: AlertEvent[] = [];
  alerts.addCallback((e) => void seen.push(e));
  const step = (v: number | undefined, dt = 10_000) => {
    value = v;
    now += dt;
    return alerts.evaluate(() => value, now);
  };
  step(10);
  step(150); // starts holding at t=20s
  for (let i = 0; i < 5; i++) assert.is(step(150).length, 0); // t=70s: 50 s held
  step(50); // interrupted: the clock restarts
  for (let i = 0; i < 6; i++) step(200); // t=90..140: held 50 s
  assert.is(seen.length, 0);
  const fired = step(200); // t=150: held 60 s
  assert.is(fired.length, 1);
  assert.is(fired[0].type, 'fired');
  assert.is(fired[0].since, 90_000);
  assert.is(fired[0].value, 200);
  assert.is(step(300).length, 0, 'fires once');
  assert.is(alerts.active()[0].value, 300);
  assert.is(step(undefined).length, 1, 'no data resolves');
  assert.equal(seen.map((e) => e.type), ['fired', 'resolved']);
  assert.equal(alerts.history().map((e) => e.type), ['fired', 'resolved']);
  assert.is(alerts.active().length, 0);
});

Alerts("comparison 'below', duration 0, and throwing callbacks are counted, not fatal", async () => {
  const alerts = new AlertManager([]);
  alerts.addRule({ name: 'low_throughput', metric: 't', threshold: 5, duration: 0, action: 'page', comparison: 'below' });
  alerts.addCallback(() => {
    throw new Error('bad callback');
  });
  alerts.addCallback(() => Promise.reject(new Error('bad async callback')));
  let got = 0;
  alerts.addCallback(() => void got++);
  assert.is(alerts.evaluate(() => 3, 1).length, 1);
  assert.is(got, 1);
  await new Promise((r) => setTimeout(r, 0));
  assert.is(alerts.callbackErrors, 2);
});

Alerts('setAlertThreshold and rules are validated', () => {
  const clock = { t: 1_700_000_000_000 };
  const m = createPerformanceMonitor({ clock: () => clock.t, alertRules: [] });
  m.setAlertThreshold('db_query:p99', 50);
  const events: AlertEvent[] = [];
  m.addAlertCallback((e) => void events.push(e));
  m.recordMetric('db_query', 10);
  assert.is(m.evaluateAlerts().length, 0);
  for (let i = 0; i < 100; i++) m.recordMetric('db_query', 80);
  assert.equal(m.evaluateAlerts().map((e) => e.rule), ['db_query:p99_threshold']);
  assert.is(m.getAlerts().active.length, 1);
  assert.is(events.length, 1);
  m.setAlertThreshold('db_query:p99', 500);
  assert.is(m.getAlerts().rules.length, 1);
  for (const bad of [{}, { name: 'x', metric: 'm', threshold: NaN, duration: 1, action: 'a' }, { name: 'x', metric: 'm', threshold: 1, duration: -1, action: 'a' }]) {
    assert.throws(() => m.addAlertRule(bad as never), (e: unknown) => e instanceof ValidationError);
  }
});

Alerts('the default error-rate rule fires from recorded failures', () => {
  const clock = { t: 1_700_000_000_000 };
  const m = createPerformanceMonitor({ clock: () => clock.t });
  const fired: string[] = [];
  m.addAlertCallback((e) => void (e.type === 'fired' && fired.push(e.action)));
  for (let s = 0; s <= 70; s += 5) {
    for (let i = 0; i < 10; i++) m.recordMetric('message_latency', 5, { tags: { agent: 'a' }, error: i < 2 });
    m.evaluateAlerts();
    clock.t += 5000;
  }
  assert.equal(fired, ['investigate']);
});

Alerts.run();
