/**
 * Metrics over HTTP (roles agent and admin):
 *
 *   GET  /metrics            Prometheus text format 0.0.4 (scrape with a bearer key)
 *   GET  /metrics.json       every series, the system metrics and the alerts as JSON
 *   POST /metrics            agents push batches: {metrics: [{name, value | values, tags?, unit?, error?}]}
 *                            -> 202 {accepted, dropped}; the whole batch is checked first and a
 *                            bad entry is a 400 naming its field (e.g. metrics.3.values.7), with
 *                            nothing recorded
 *   GET  /agents/:id/stats   an agent's response time, throughput, error and success rates
 *   GET  /system/metrics     process memory and CPU, event-loop delay, agents, response times
 *   GET  /alerts             active alerts, recent history and the rules
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/types.ts';
import { readJson } from '../http/validate.ts';
import { requireRole } from '../http/auth.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { checkLabels, checkMetricName, seriesKey } from './labels.ts';
import { getPerformanceMonitor, type PerformanceMonitor } from './monitor.ts';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.ts';
import { agentLabel } from './with-timing.ts';

export interface MetricsRoutesDeps {
  /** Default: the isolate's monitor. */
  monitor?: PerformanceMonitor;
}

/** Most values one POST /metrics may carry. */
export const MAX_PUSHED_VALUES = 10_000;

function pushSchema(maxValue: number) {
  const value = z.number().nonnegative().max(maxValue);
  const entry = z
    .object({
      name: z.string().min(1).max(100),
      value: value.optional(),
      values: z.array(value).min(1).max(MAX_PUSHED_VALUES).optional(),
      tags: z.record(z.string(), z.string()).optional(),
      unit: z.string().regex(/^[a-z%]{1,16}$/i).optional(),
      error: z.boolean().optional(),
    })
    .strict()
    .refine((e) => (e.value === undefined) !== (e.values === undefined), { message: 'give exactly one of value or values', path: ['value'] });
  return z.object({ metrics: z.array(entry).min(1).max(MAX_PUSHED_VALUES) }).strict();
}

/**
 * @example
 * app.route('/', createMetricsRoutes({ monitor: getPerformanceMonitor() }));
 */
export function createMetricsRoutes(deps: MetricsRoutesDeps = {}): Hono<AppEnv> {
  const monitor = deps.monitor ?? getPerformanceMonitor();
  const schema = pushSchema(monitor.maxValue);
  const app = new Hono<AppEnv>();
  const guard = requireRole('agent', 'admin');

  app.get('/metrics', guard, (c) => c.body(monitor.exportMetrics('prometheus'), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE }));

  app.get('/metrics.json', guard, (c) => c.json(monitor.exportMetrics('json')));

  app.post('/metrics', guard, async (c) => {
    const { metrics } = await readJson(c, schema);
    const agent = agentLabel(c.req.header('x-agent-id'));
    // Check every entry before recording any, so a bad batch records nothing.
    let total = 0;
    const units = new Map<string, string>();
    const entries = metrics.map((m, i) => {
      checkMetricName(m.name, `metrics.${i}.name`);
      const tags = agent !== undefined && m.tags?.agent === undefined ? { ...m.tags, agent } : m.tags;
      const labels = checkLabels(tags, `metrics.${i}.tags`);
      const key = seriesKey(m.name, labels);
      const unit = m.unit ?? units.get(key) ?? monitor.seriesUnit(m.name, labels) ?? 'ms';
      const known = units.get(key) ?? monitor.seriesUnit(m.name, labels);
      if (known !== undefined && known !== unit) throw new ValidationError(`metric ${m.name} is recorded in ${known}, not ${unit}`, `metrics.${i}.unit`);
      units.set(key, unit);
      const values = m.values ?? [m.value!];
      total += values.length;
      if (total > MAX_PUSHED_VALUES) throw new ValidationError(`at most ${MAX_PUSHED_VALUES} values per request`, `metrics.${i}`);
      return { name: m.name, values, options: { tags: labels, unit, error: m.error } };
    });
    const droppedBefore = monitor.droppedRecords;
    for (const e of entries) for (const v of e.values) monitor.recordMetric(e.name, v, e.options);
    return c.json({ accepted: total, dropped: monitor.droppedRecords - droppedBefore }, 202);
  });

  app.get('/agents/:id/stats', guard, (c) => {
    const id = c.req.param('id');
    const stats = monitor.getAgentStats(id);
    if (!stats) throw new NotFoundError('no measurements for this agent');
    return c.json(stats);
  });

  app.get('/system/metrics', guard, (c) => c.json(monitor.getSystemMetrics()));

  app.get('/alerts', guard, (c) => c.json(monitor.getAlerts()));

  return app;
}
