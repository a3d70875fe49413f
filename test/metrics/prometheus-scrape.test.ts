/**
 * A real Prometheus server (Debian's `prometheus`, installed by .ci/run) on loopback scrapes the
 * monitor's /metrics from a small Node server, and its `histogram_quantile(0.99, …)` is compared
 * with the monitor's own p99.
 *
 * Tolerance: the exported buckets are the histogram's own boundaries, so every cumulative count
 * Prometheus reads is exact, and it picks the same bucket [a, b) that holds the true p99; inside
 * it, it interpolates linearly. Its answer therefore lies in [a, b], and the monitor's p99 lies
 * within 1% of a value in [a, b): the two may differ by at most (b - a) + 1% (b/a < 1.3 at 4
 * boundaries per octave). The test asserts exactly that, and prints both.
 *
 * Skipped, with the reason printed, only when no `prometheus` binary is installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPerformanceMonitor, PROMETHEUS_CONTENT_TYPE } from '../../src/index.ts';
import { exportBoundaries } from '../../src/metrics/prometheus.ts';
import { sample } from './oracle.ts';

const Scrape = suite('metrics/prometheus scrape (real server)');
const HAVE_PROMETHEUS = spawnSync('prometheus', ['--version']).status === 0;
const DEADLINE_MS = 45_000;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET without keep-alive (a pooled socket would hold the test process open). */
function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

Scrape('histogram_quantile(0.99) over the scraped buckets agrees with the monitor p99', async () => {
  if (!HAVE_PROMETHEUS) {
    console.log('  skipped: no `prometheus` binary on PATH (Debian package prometheus; .ci/run installs it)');
    return;
  }
  const monitor = createPerformanceMonitor();
  for (const v of sample('logNormal', 50_000, 77)) monitor.recordMetric('scrape_test_latency', v / 1000, { tags: { route: '/health' } });
  const text = monitor.exportMetrics('prometheus');
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
    res.end(req.url === '/metrics' ? text : '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'healthsync-prom-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: healthsync\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  let prom: ChildProcess | undefined;
  let log = '';
  try {
    prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout!.on('data', (d) => (log += d));
    prom.stderr!.on('data', (d) => (log += d));
    const query = 'histogram_quantile(0.99, sum by (le) (healthsync_scrape_test_latency_seconds_bucket))';
    const started = Date.now();
    let promP99: number | undefined;
    while (Date.now() - started < DEADLINE_MS && promP99 === undefined) {
      await sleep(500);
      if (prom.exitCode !== null) break;
      try {
        const body = (await getJson(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`)) as { data: { result: { value: [number, string] }[] } };
        const v = body.data.result[0]?.value[1];
        if (v !== undefined && Number.isFinite(Number(v))) promP99 = Number(v);
      } catch {
        // Not up yet.
      }
    }
    assert.ok(promP99 !== undefined, `Prometheus answered no p99 within ${DEADLINE_MS} ms; its log:\n${log}`);
    const [stats] = monitor.getMetrics('scrape_test_latency');
    const ours = stats.p99! / 1000;
    const bounds = exportBoundaries(monitor.relativeError, stats.min!, stats.max!).map((b) => b / 1000);
    const i = bounds.findIndex((b) => b > ours);
    const [a, b] = [bounds[i - 1], bounds[i]];
    console.log(`  monitor p99 ${ours} s, Prometheus histogram_quantile ${promP99} s, exported bucket [${a}, ${b}]`);
    assert.ok(Math.abs(promP99! - ours) <= b - a + 0.01 * ours, `Prometheus ${promP99} vs monitor ${ours}`);
  } finally {
    if (prom && prom.exitCode === null) {
      prom.kill('SIGTERM');
      await Promise.race([new Promise((r) => prom!.once('exit', r)), sleep(5000)]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    }
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

Scrape.run();
