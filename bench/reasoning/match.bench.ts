/**
 * Keyed match `(fact <k> $x)` against spaces of 100k and 1M atoms (the trie walks one path,
 * so the cost should not grow with the space). The goal: < 0.1 ms over 1M atoms;
 * hyperon's direct `match` anchor is about 0.3 ms.
 */
import { bench, group, summary } from 'mitata';
import { recordFigure, runBenchmarks } from '../harness.ts';
import { expr, int, sym, Var } from '../../src/reasoning/atom.ts';
import { Space } from '../../src/reasoning/space.ts';

function buildSpace(count: number): Space {
  const s = new Space();
  const fact = sym('fact');
  for (let i = 0; i < count; i++) s.add(expr(fact, int(i), sym(`v${i % 1000}`)));
  return s;
}
const x = new Var('x');
const s100k = buildSpace(100_000);
const tb = performance.now();
const s1m = buildSpace(1_000_000);
recordFigure('build 1M-atom space', performance.now() - tb, 'ms');
for (const [s, n] of [[s100k, 100_000], [s1m, 1_000_000]] as const) {
  const r = s.query(expr(sym('fact'), int(n - 1), x));
  if (r.length !== 1 || r[0].resolve(x) !== sym(`v${(n - 1) % 1000}`)) throw new Error('match is wrong');
}
recordFigure('hyperon anchor (issue): direct match', 0.3, 'ms');

summary(() => {
  group('keyed match', () => {
    let i = 0;
    bench('match (fact <k> $x) over 100k atoms', () => s100k.query(expr(sym('fact'), int((i = (i + 7919) % 100_000)), x)));
    bench('match (fact <k> $x) over 1M atoms', () => s1m.query(expr(sym('fact'), int((i = (i + 7919) % 1_000_000)), x)));
  });
});

await runBenchmarks(import.meta.url);
