import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPerformanceMonitor, MessageProcessor } from '../../src/index.ts';
import { createMonitorMeter, MESSAGE_ERRORS_METRIC, MESSAGE_LATENCY_METRIC } from '../../src/messaging/meter.ts';

const Meter = suite('messaging/meter');

Meter('feeds response time and errors per agent and message type to the monitor', () => {
  const monitor = createPerformanceMonitor();
  const meter = createMonitorMeter(monitor);
  for (let i = 0; i < 10; i++) meter.record('consent-agent', 'consent.check', i, undefined);
  meter.record('consent-agent', 'consent.check', 50, 'message_timeout');
  meter.record('privacy-agent', 'anonymize', 3, 'handler_failed');
  const latency = monitor.getMetrics(MESSAGE_LATENCY_METRIC);
  const consent = latency.find((s) => s.tags.agent === 'consent-agent');
  assert.is(consent?.count, 11);
  assert.is(consent?.errors, 1);
  assert.is(consent?.tags.message_type, 'consent.check');
  assert.is(consent?.max, 50, 'within the histogram error');
  const errors = monitor.getMetrics(MESSAGE_ERRORS_METRIC).map((s) => [s.tags.agent, s.tags.code, s.count]);
  assert.equal(errors.sort(), [
    ['consent-agent', 'message_timeout', 1],
    ['privacy-agent', 'handler_failed', 1],
  ]);
});

Meter('labels the monitor refuses are skipped, never thrown into message handling; series are bounded', () => {
  const monitor = createPerformanceMonitor();
  const meter = createMonitorMeter(monitor, { maxSeries: 3 });
  meter.record('jane.doe@example.com', 't', 1, undefined);
  meter.record('jane.doe@example.com', 't', 1, undefined);
  assert.is(meter.refused, 1);
  for (let i = 0; i < 10; i++) meter.record(`agent-${i}`, 't', 1, undefined);
  const agents = new Set(monitor.getMetrics(MESSAGE_LATENCY_METRIC).map((s) => s.tags.agent));
  assert.equal([...agents].sort(), ['agent-0', 'agent-1', 'other']);
});

Meter('the processor measures every message through the monitor by default', async () => {
  const monitor = createPerformanceMonitor();
  const meter = createMonitorMeter(monitor);
  const p = new MessageProcessor({ meter });
  p.registerHandler('t', () => 1);
  await p.start();
  await Promise.all(Array.from({ length: 5 }, (_, i) => p.sendMessage({ sender: 's', recipient: 'custodian-agent', messageType: 't', payload: i })));
  await p.stop();
  assert.is(monitor.getMetrics(MESSAGE_LATENCY_METRIC)[0].count, 5);
  const stats = monitor.getAgentStats('custodian-agent');
  assert.is(stats?.responseTime.count, 5, "the monitor's agent stats see the messages");
});

Meter.run();
