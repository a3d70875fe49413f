/**
 * Prometheus text export of 1 and of 100 histograms (1M log-normal latencies each), ours
 * (`formatPrometheusHistogram`, and the whole monitor's `exportMetrics('prometheus')`) against
 * prom-client's `registry.metrics()` for Histograms (default buckets) and Summaries.
 */
import { bench, group, summary } from 'mitata';
import { Histogram as PromHistogram, Registry, Summary as PromSummary } from 'prom-client';
import { createHistogram, createPerformanceMonitor, formatPrometheusHistogram, type Histogram } from '../../src/index.ts';
import { histogramSamples } from '../../src/metrics/prometheus.ts';
import { runBenchmarks } from '../harness.ts';
import { promtoolCheck } from '../../test/metrics/promtool.ts';
import { QUANTILES, VALUES } from './contenders.ts';

const MS = VALUES.map((v) => v / 1000);

function ours(n: number): Histogram[] {
  return Array.from({ length: n }, () => {
    const h = createHistogram();
    h.recordBatch(MS);
    return h;
  });
}

const LABELS = Array.from({ length: 100 }, (_, i) => ({ route: `/r${i}` }));

/** One family: HELP and TYPE once, then each histogram's samples (as exportMetrics does). */
function oursText(hs: Histogram[]): string {
  if (hs.length === 1) return formatPrometheusHistogram(hs[0], { name: 'healthsync_latency_seconds', help: 'Latency', labels: LABELS[0], scale: 1e-3 });
  let out = '# HELP healthsync_latency_seconds Latency\n# TYPE healthsync_latency_seconds histogram\n';
  for (let i = 0; i < hs.length; i++) out += histogramSamples(hs[i], { name: 'healthsync_latency_seconds', labels: LABELS[i], scale: 1e-3 });
  return out;
}

function promRegistry(n: number, kind: 'histogram' | 'summary'): Registry {
  const registry = new Registry();
  const metric =
    kind === 'histogram'
      ? new PromHistogram({ name: 'latency_seconds', help: 'Latency', labelNames: ['route'], registers: [registry] })
      : new PromSummary({ name: 'latency_seconds', help: 'Latency', labelNames: ['route'], percentiles: QUANTILES, registers: [registry] });
  for (let i = 0; i < n; i++) {
    const child = metric.labels(`/r${i}`);
    // Summaries are slow to feed; 100K values per series keep set-up short.
    const limit = kind === 'summary' ? 100_000 : MS.length;
    for (let j = 0; j < limit; j++) child.observe(MS[j] / 1000);
  }
  return registry;
}

const monitor100 = createPerformanceMonitor({ maxSeries: 200 });
for (let i = 0; i < 100; i++) {
  const rec = monitor100.recorder('latency', { tags: { route: `/r${i}` } });
  for (let j = 0; j < 20_000; j++) rec.record(MS[j]);
}

for (const n of [1, 100]) {
  const hs = ours(n);
  const check = promtoolCheck(oursText(hs));
  if (!check.ok) throw new Error(`our export fails promtool: ${check.output}`);
  const hist = promRegistry(n, 'histogram');
  const sum = promRegistry(n, 'summary');
  group(`Prometheus export of ${n} histogram${n > 1 ? 's' : ''}`, () => {
    summary(() => {
      bench('ours (formatPrometheusHistogram)', () => oursText(hs));
      bench('prom-client Histogram (registry.metrics)', async () => await hist.metrics());
      bench('prom-client Summary (registry.metrics)', async () => await sum.metrics());
      if (n === 100) bench('ours: whole monitor exportMetrics (100 series + summaries + gauges)', () => monitor100.exportMetrics('prometheus'));
    });
  });
}

await runBenchmarks(import.meta.url);
