import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHistogram, formatPrometheusHistogram } from '../../src/index.ts';
import { escapeLabelValue, exportBoundaries, formatLabels, formatValue, sanitizeName, unitOf } from '../../src/metrics/prometheus.ts';
import { DISTRIBUTIONS, sample } from './oracle.ts';
import { promtoolCheck } from './promtool.ts';

const Prom = suite('metrics/prometheus');

function parse(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`bad line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
      return { name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) };
    });
}

Prom('a histogram family: HELP, TYPE, cumulative buckets ending in +Inf, _sum, _count; promtool agrees', () => {
  fc.assert(
    fc.property(fc.constantFrom(...DISTRIBUTIONS), fc.integer(), fc.integer({ min: 1, max: 3000 }), (dist, seed, n) => {
      using h = createHistogram();
      const values = sample(dist, n, seed);
      h.recordBatch(values);
      const text = formatPrometheusHistogram(h, { name: 'healthsync_latency_seconds', help: 'Latency\nwith a \\ backslash', labels: { route: '/a"b' }, scale: 1e-3 });
      const lines = text.split('\n');
      assert.is(lines[0], '# HELP healthsync_latency_seconds Latency\\nwith a \\\\ backslash');
      assert.is(lines[1], '# TYPE healthsync_latency_seconds histogram');
      const samples = parse(text);
      const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
      assert.is(buckets.at(-1)!.labels.le, '+Inf');
      assert.is(buckets.at(-1)!.value, n);
      const bounds = exportBoundaries(h.relativeError, h.min, h.max);
      assert.is(buckets.length, bounds.length + 1);
      let prevLe = -Infinity;
      let prevCount = 0;
      for (const [i, b] of buckets.slice(0, -1).entries()) {
        const le = Number(b.labels.le);
        assert.ok(le > prevLe && b.value >= prevCount);
        assert.ok(Math.abs(le - bounds[i] / 1e3) <= 1e-14 * le);
        // Exact: the count of recorded values below the boundary (in ms).
        assert.is(b.value, values.filter((v) => v < bounds[i]).length);
        assert.is(b.labels.route, '/a\\"b');
        prevLe = le;
        prevCount = b.value;
      }
      assert.is(samples.find((s) => s.name.endsWith('_count'))!.value, n);
      const sum = values.reduce((a, b) => a + b, 0) / 1e3;
      assert.ok(Math.abs(samples.find((s) => s.name.endsWith('_sum'))!.value - sum) <= 1e-9 * sum + 1e-12);
    }),
    { numRuns: 60 },
  );
  using h = createHistogram();
  h.recordBatch(sample('logNormal', 5000, 1));
  const check = promtoolCheck(formatPrometheusHistogram(h, { name: 'healthsync_latency_seconds', help: 'Latency', scale: 1e-3 }));
  assert.ok(check.ok, check.output);
});

Prom('boundaries are exact bucket bounds, never integers or halves, at most ~30% apart', () => {
  for (const relativeError of [0.001, 0.005, 0.01, 0.02, 0.05]) {
    const bounds = exportBoundaries(relativeError, 1, 3.6e9);
    assert.ok(bounds.length >= 32 * 4 - 4);
    for (let i = 0; i < bounds.length; i++) {
      assert.ok(!Number.isInteger(bounds[i] * 2), `${bounds[i]} is on the dyadic grid`);
      if (i > 0) assert.ok(bounds[i] / bounds[i - 1] < 1.35 && bounds[i] > bounds[i - 1], `${bounds[i - 1]} -> ${bounds[i]}`);
    }
  }
});

Prom('names, labels and values are formatted per the text format', () => {
  assert.is(sanitizeName('db.query-time'), 'db_query_time');
  assert.is(sanitizeName('9x'), '_9x');
  assert.is(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.is(formatLabels({ a: '1', b: 'x"y' }, 'le="0.5"'), '{a="1",b="x\\"y",le="0.5"}');
  assert.is(formatLabels({}), '');
  assert.equal([formatValue(Infinity), formatValue(-Infinity), formatValue(NaN), formatValue(1e-7), formatValue(42)], ['+Inf', '-Inf', 'NaN', '1e-7', '42']);
  assert.equal(unitOf('ms'), { suffix: '_seconds', scale: 1e-3 });
  assert.equal(unitOf('bytes'), { suffix: '_bytes', scale: 1 });
  assert.equal(unitOf('count'), { suffix: '', scale: 1 });
});

Prom.run();
