import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Var, atomEq, atomToString, expr, sym } from '../../src/reasoning/atom.ts';
import { atomsAreEquivalent, matchAtoms } from '../../src/reasoning/bindings.ts';
import { patternArb } from './arbitrary.ts';

const unify = suite('two-sided unification');
unify('symmetric, and the bindings make both sides equal (property)', () => {
  fc.assert(
    fc.property(patternArb(['a', 'b', 'c']), patternArb(['b', 'c', 'd']), (x, y) => {
      const xy = matchAtoms(x, y);
      const yx = matchAtoms(y, x);
      assert.is(xy === undefined, yx === undefined, `${atomToString(x)} ~ ${atomToString(y)}`);
      for (const m of [xy, yx]) {
        if (m === undefined || m.hasLoops()) continue;
        assert.ok(atomEq(m.apply(x), m.apply(y)), `${atomToString(m.apply(x))} != ${atomToString(m.apply(y))}`);
      }
    }),
    { numRuns: 1000 },
  );
});
unify('variables on both sides, repeated variables, loops', () => {
  const [a, b] = [new Var('a'), new Var('b')];
  const m = matchAtoms(expr(sym('f'), a, sym('B')), expr(sym('f'), sym('A'), b))!;
  assert.is(atomToString(m.apply(expr(a, b))), '(A B)');
  assert.is(matchAtoms(expr(a, a), expr(sym('x'), sym('y'))), undefined);
  assert.ok(matchAtoms(expr(a, a), expr(b, sym('y'))) !== undefined);
  assert.ok(matchAtoms(a, expr(sym('f'), a))!.hasLoops());
});
unify('alpha-equivalence is a consistent renaming', () => {
  const [a, b, c] = [new Var('a'), new Var('b'), new Var('c')];
  assert.ok(atomsAreEquivalent(expr(a, b, a), expr(b, c, b)));
  assert.not.ok(atomsAreEquivalent(expr(a, b), expr(c, c)));
  assert.not.ok(atomsAreEquivalent(expr(a, a), expr(b, c)));
});
unify.run();
