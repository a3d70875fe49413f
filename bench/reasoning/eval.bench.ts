/**
 * Evaluation and reading: naive fib 20 on the native evaluator, fib 15 on both engines (the
 * ratio is what evaluating directly buys over hyperon's instruction machine), and the reader's
 * throughput on a 4 MB program.
 */
import { bench, group, summary } from 'mitata';
import { recordFigure, runBenchmarks } from '../harness.ts';
import { parseAll } from '../../src/reasoning/parser.ts';
import { MeTTa } from '../../src/reasoning/runner.ts';

const FIB = '(= (fib $n) (if (< $n 2) $n (+ (fib (- $n 1)) (fib (- $n 2)))))';
const FIBS = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765];

function fib(n: number, engine: 'native' | 'reference'): void {
  const out = new MeTTa({ engine, limits: { maxSteps: 1e9, timeoutMs: 600_000 } }).run(`${FIB}\n!(fib ${n})`);
  if (out[0] !== `[${FIBS[n]}]`) throw new Error(`fib ${n} is wrong: ${out[0]}`);
}

// The native figure first: running the reference machine makes shared functions polymorphic.
fib(10, 'native');
let best = Infinity;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  fib(20, 'native');
  best = Math.min(best, performance.now() - t);
}
recordFigure('naive fib 20 (native, best of 3)', best, 'ms');

summary(() => {
  group('naive fib 15', () => {
    bench('native evaluator', () => fib(15, 'native'));
    bench('reference minimal-MeTTa machine', () => fib(15, 'reference'));
  });
});

const chunk = '(= (rule $x (pair "str\\n" 1.5)) (if (> $x 10) (foo $x -42) bar)) ; comment\n';
const text = chunk.repeat(Math.ceil(4_000_000 / chunk.length));
if (parseAll(text).length < 10_000) throw new Error('reader is wrong');
let readBest = Infinity;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  parseAll(text);
  readBest = Math.min(readBest, performance.now() - t);
}
recordFigure('reader throughput', text.length / 1e6 / (readBest / 1000), 'MB/s');

await runBenchmarks(import.meta.url);
