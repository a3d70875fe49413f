/**
 * MeTTa engine figures: ethics decisions (cached query mix and uncached), keyed match over
 * 100k and 1M atoms, naive fib 20, reader throughput. Hyperon's anchors (issue #7, measured
 * by the issue author with hyperon-experimental v0.2.10) are recorded beside ours.
 */
import { readFileSync } from 'node:fs';
import { bench, group, summary } from 'mitata';
import { recordFigure, runBenchmarks } from '../harness.ts';
import { createEthicsEngine, type EthicsQuery } from '../../src/reasoning/ethics.ts';
import { MeTTa } from '../../src/reasoning/runner.ts';
import { Space } from '../../src/reasoning/space.ts';
import { expr, int, sym, Var } from '../../src/reasoning/atom.ts';
import { parseAll } from '../../src/reasoning/parser.ts';

const KB = readFileSync(new URL('../../kb/ethics.metta', import.meta.url), 'utf8');
const CATS = ['public-health', 'clinical-trial', 'epidemiology', 'genomics-research', 'mental-health-research'];
const TYPES = ['demographics', 'lab-results', 'genomic', 'diagnoses', 'mental-health', 'vital-signs'];
const queries: EthicsQuery[] = [];
for (let i = 0; i < 200; i++) {
  queries.push({ researchCategory: CATS[i % CATS.length], dataTypes: [TYPES[i % TYPES.length], TYPES[(i * 7) % TYPES.length]], irbApproval: i % 3 === 0, k: 5 + (i % 60) });
}

// Correctness before timing.
const engine = createEthicsEngine({ kb: KB, cacheSize: 10_000 });
const d = engine.check({ researchCategory: 'clinical-trial', dataTypes: ['genomic'], irbApproval: false, k: 10 });
if (d.decision !== 'deny' || !d.reasons.includes('(irb-approval-required genomic critical)')) throw new Error('ethics engine is wrong');

// Uncached latency distribution (fresh cache miss each time).
const uncached = createEthicsEngine({ kb: KB, cacheSize: 0 });
const lat: number[] = [];
for (let i = 0; i < 100; i++) {
  const t = performance.now();
  uncached.check(queries[i % queries.length]);
  lat.push(performance.now() - t);
}
lat.sort((a, b) => a - b);
recordFigure('ethics uncached p50', lat[50], 'ms');
recordFigure('ethics uncached p99', lat[98], 'ms');

// Cached mix: 200 distinct queries, repeated (warm cache), per-call latency.
for (const q of queries) engine.check(q);
const clat: number[] = [];
const t0 = performance.now();
for (let i = 0; i < 200_000; i++) {
  const s = performance.now();
  engine.check(queries[i % queries.length]);
  clat.push(performance.now() - s);
}
const cachedRate = 200_000 / ((performance.now() - t0) / 1000);
clat.sort((a, b) => a - b);
recordFigure('ethics cached decisions/s', cachedRate, 'ops/s');
recordFigure('ethics cached p99', clat[Math.floor(clat.length * 0.99)], 'ms');
recordFigure('hyperon anchor (issue): ethics decisions/s', 80, 'ops/s');

// Keyed match spaces.
function buildSpace(n: number): Space {
  const s = new Space();
  const fact = sym('fact');
  for (let i = 0; i < n; i++) s.add(expr(fact, int(i), sym(`v${i % 1000}`)));
  return s;
}
const x = new Var('x');
const s100k = buildSpace(100_000);
const s1m = buildSpace(1_000_000);
if (s1m.query(expr(sym('fact'), int(777_777), x))[0]?.resolve(x) !== sym('v777')) throw new Error('match is wrong');

summary(() => {
  group('keyed match', () => {
    let i = 0;
    bench('match (fact <k> $x) over 100k atoms', () => s100k.query(expr(sym('fact'), int((i = (i + 7919) % 100_000)), x)));
    bench('match (fact <k> $x) over 1M atoms', () => s1m.query(expr(sym('fact'), int((i = (i + 7919) % 1_000_000)), x)));
  });
});

// fib 20, naive, through the full hyperon-compatible interpreter.
const fibSrc = '(= (fib $n) (if (< $n 2) $n (+ (fib (- $n 1)) (fib (- $n 2)))))\n!(fib 20)';
const tf = performance.now();
const fibOut = new MeTTa({ limits: { maxSteps: 1e9, timeoutMs: 600_000 } }).run(fibSrc);
if (fibOut[0] !== '[6765]') throw new Error(`fib is wrong: ${fibOut[0]}`);
recordFigure('naive fib 20', performance.now() - tf, 'ms');

// Reader throughput.
const chunk = '(= (rule $x (pair "str\\n" 1.5)) (if (> $x 10) (foo $x -42) bar)) ; comment\n';
const text = chunk.repeat(Math.ceil(4_000_000 / chunk.length));
const tr = performance.now();
const atoms = parseAll(text);
const secs = (performance.now() - tr) / 1000;
recordFigure('reader throughput', text.length / 1e6 / secs, 'MB/s');
if (atoms.length < 10_000) throw new Error('reader is wrong');

await runBenchmarks(import.meta.url);
