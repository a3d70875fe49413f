import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Atom, atomToString, expr, int, makeVarsUnique, sym, Var } from '../../src/reasoning/atom.ts';
import { matchAtoms } from '../../src/reasoning/bindings.ts';
import { parseAll } from '../../src/reasoning/parser.ts';
import { Space } from '../../src/reasoning/space.ts';
import { patternArb } from './arbitrary.ts';

/** What a query yields, printed with variables anonymised, sorted (order is checked separately). */
function answers(results: Atom[]): string[] {
  return results.map((a) => atomToString(a).replace(/\$[^\s()]+/g, '$_')).sort();
}
function viaIndex(space: Space, pattern: Atom): string[] {
  return answers(space.query(pattern).map((b) => b.apply(pattern)));
}
/** The oracle: unify the pattern with every stored atom (its variables renamed) in turn. */
function viaScan(stored: Atom[], pattern: Atom): string[] {
  const out: Atom[] = [];
  for (const s of stored) {
    const m = matchAtoms(pattern, makeVarsUnique(s));
    if (m !== undefined && !m.hasLoops()) out.push(m.apply(pattern));
  }
  return answers(out);
}

const index = suite('atomspace index');
index('a query finds exactly what a linear scan finds, whatever the insertion order (property)', () => {
  fc.assert(
    fc.property(fc.array(patternArb(['s', 't']), { maxLength: 25 }), patternArb(['p', 'q']), fc.integer(), (stored, pattern, seed) => {
      const a = new Space();
      for (const s of stored) a.add(s);
      const shuffled = [...stored].sort((x, y) => ((atomToString(x).length * 31 + seed) % 7) - ((atomToString(y).length * 31 + seed) % 7));
      const b = new Space();
      for (const s of shuffled) b.add(s);
      const want = viaScan(stored, pattern);
      assert.equal(viaIndex(a, pattern), want, atomToString(pattern));
      assert.equal(viaIndex(b, pattern), want);
    }),
    { numRuns: 400 },
  );
});
index('removing atoms: one copy at a time, and queries stop finding them', () => {
  fc.assert(
    fc.property(fc.array(patternArb(['s']), { minLength: 1, maxLength: 20 }), fc.nat(), (stored, pick) => {
      const s = new Space();
      for (const a of stored) s.add(a);
      const victim = stored[pick % stored.length];
      assert.ok(s.remove(victim));
      const rest = [...stored];
      rest.splice(pick % stored.length, 1);
      assert.is(s.size, rest.length);
      assert.equal(answers(s.atoms()), answers(rest));
    }),
    { numRuns: 200 },
  );
});
index("result order is hyperon's trie order: stored variables, then exact keys in insertion order, all expressions under one start key", () => {
  const s = new Space();
  for (const a of parseAll('(= (c) (a x)) (= (c) red) (= (c) (b y z)) (= (c) $v) (f a) (f $x) (f b)')) s.add(a);
  const x = new Var('X');
  assert.equal(s.query(expr(sym('='), expr(sym('c')), x)).map((b) => atomToString(b.resolve(x)!).replace(/-\d+/, '')), ['$X', '(a x)', '(b y z)', 'red']);
  assert.equal(s.query(expr(sym('f'), sym('a'))).length, 2);
  // A stored variable met by a query variable: the result is narrowed to the query's variable.
  assert.equal(s.query(expr(sym('f'), x)).map((b) => atomToString(b.resolve(x)!).replace(/-\d+/, '')), ['$X', 'a', 'b']);
});
index('duplicates are counted and come back as duplicates', () => {
  const s = new Space();
  s.add(expr(sym('d'), int(1)));
  s.add(expr(sym('d'), int(1)));
  assert.is(s.query(expr(sym('d'), new Var('n'))).length, 2);
  s.remove(expr(sym('d'), int(1)));
  assert.is(s.query(expr(sym('d'), new Var('n'))).length, 1);
});
index('a keyed query over 100k atoms walks one path', () => {
  const s = new Space();
  for (let i = 0; i < 100_000; i++) s.add(expr(sym('fact'), int(i), sym(`v${i}`)));
  const v = new Var('v');
  const r = s.query(expr(sym('fact'), int(77_777), v));
  assert.is(r.length, 1);
  assert.is(atomToString(r[0].resolve(v)!), 'v77777');
});
index('equations(): the same right-hand sides as the general query, or a bail-out', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(patternArb(['s', 't']), patternArb(['s', 'u'])), { maxLength: 12 }), patternArb(['p']), (eqs, call) => {
      const s = new Space();
      for (const [lhs, rhs] of eqs) s.add(expr(sym('='), lhs, rhs));
      const fast = s.equations(call);
      if (fast === undefined) return;
      const x = new Var('X');
      const general = s.query(expr(sym('='), call, x)).map((b) => b.resolve(x)!);
      assert.equal(fast.map((a) => atomToString(a).replace(/\$[^\s()]+/g, '$_')), general.map((a) => atomToString(a).replace(/\$[^\s()]+/g, '$_')), atomToString(call));
    }),
    { numRuns: 400 },
  );
});
index.run();
