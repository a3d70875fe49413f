/**
 * Ethics decisions: uncached over a varied query mix (throughput and per-decision latency on
 * one core, the native evaluator beside the reference minimal-MeTTa machine), and cached.
 * hyperon-experimental v0.2.10's figures (issue #7, measured on this machine by the issue's
 * author) are recorded as anchors; hyperon itself is not installed here.
 */
import { readFileSync } from 'node:fs';
import { bench, group, summary } from 'mitata';
import { recordFigure, runBenchmarks } from '../harness.ts';
import { createEthicsEngine, type EthicsDecision } from '../../src/reasoning/ethics.ts';
import { makeQueries } from './queries.ts';

const KB = readFileSync(new URL('../../kb/ethics.metta', import.meta.url), 'utf8');
const QUERIES = makeQueries(5_000);

// Correctness first: known decisions. (The engines' agreement is checked below, after the
// native figures: running the reference machine first makes functions both engines share
// polymorphic, which slows the native evaluator by about a third in the same process.)
const native = createEthicsEngine({ kb: KB, cacheSize: 0 });
const d = native.check({ researchCategory: 'clinical-trial', dataTypes: ['genomic'], irbApproval: false, k: 10 });
if (d.decision !== 'deny' || !d.reasons.includes('(irb-approval-required genomic critical)')) throw new Error('ethics engine is wrong');
const ok = native.check({ researchCategory: 'public-health', dataTypes: ['demographics'], irbApproval: false, k: 10 });
if (ok.decision !== 'permit') throw new Error('ethics engine is wrong');

// Uncached: every call is evaluated (cache off), each query of the mix in turn; each call
// timed, garbage collection included.
for (let i = 0; i < 10_000; i++) native.check(QUERIES[i % QUERIES.length]);
const ROUNDS = 4;
const lat = new Float64Array(ROUNDS * QUERIES.length);
let n = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const q of QUERIES) {
    const s = performance.now();
    native.check(q);
    lat[n++] = performance.now() - s;
  }
}
const rate = n / ((performance.now() - t0) / 1000);
const cpu = process.cpuUsage(cpu0);
lat.sort();
const pct = (p: number): number => lat[Math.min(n - 1, Math.floor(n * p))];
recordFigure('uncached decisions/s (one core, varied mix)', rate, 'ops/s');
// CPU time of the process (GC threads included): what a dedicated core would take.
recordFigure('uncached decisions per CPU second', n / ((cpu.user + cpu.system) / 1e6), 'ops/s');
recordFigure('uncached p50', pct(0.5), 'ms');
recordFigure('uncached p99', pct(0.99), 'ms');
recordFigure('uncached p99.9', pct(0.999), 'ms');
recordFigure('uncached max', lat[n - 1], 'ms');

// Cached: 200 distinct queries repeated (warm cache).
const cached = createEthicsEngine({ kb: KB, cacheSize: 10_000 });
const hot = QUERIES.slice(0, 200);
for (const q of hot) cached.check(q);
const tc = performance.now();
for (let i = 0; i < 200_000; i++) cached.check(hot[i % hot.length]);
recordFigure('cached decisions/s (200 queries repeated)', 200_000 / ((performance.now() - tc) / 1000), 'ops/s');

// Both engines agree on a sample of the mix.
const reference = createEthicsEngine({ kb: KB, cacheSize: 0, engine: 'reference' });
const canon = (x: EthicsDecision): string => JSON.stringify([x.decision, [...x.reasons].sort(), [...x.reasoningPath].sort()]);
for (const q of QUERIES.slice(0, 200)) {
  if (canon(native.check(q)) !== canon(reference.check(q))) throw new Error(`engines disagree on ${JSON.stringify(q)}`);
}
const tr = performance.now();
for (const q of QUERIES.slice(200, 400)) reference.check(q);
recordFigure('reference machine: one uncached decision (mean of 200)', (performance.now() - tr) / 200, 'ms');

recordFigure('hyperon anchor (issue): decisions/s', 80, 'ops/s');
recordFigure('hyperon anchor (issue): one decision', 12, 'ms');

let qi = 0;
summary(() => {
  group('ethics decision, uncached, varied queries', () => {
    bench('native evaluator', () => native.check(QUERIES[(qi = (qi + 1) % QUERIES.length)]));
    bench('reference minimal-MeTTa machine', () => reference.check(QUERIES[(qi = (qi + 1) % QUERIES.length)]));
  });
});

await runBenchmarks(import.meta.url);
