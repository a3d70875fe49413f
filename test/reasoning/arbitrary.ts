/** fast-check generators of MeTTa atoms shared by the reasoning property tests. */
import fc from 'fast-check';
import { type Atom, Expr, FALSE, TRUE, Var, float, int, str, sym } from '../../src/reasoning/atom.ts';

const I64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/** Atoms that print and read back: symbols, variables, numbers, strings, booleans, expressions. */
export function atomArb(vars: string[] = ['x', 'y', 'z'], depth = 3): fc.Arbitrary<Atom> {
  const leaf = fc.oneof(
    fc.constantFrom('a', 'b', 'foo', 'Empty', '->', '+', 'a-b', '=', ':', 'x.y', '%U%').map(sym),
    fc.constantFrom(...vars).map((v) => new Var(v)),
    fc.bigInt(I64).map(int),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(float),
    fc.string({ unit: 'binary', maxLength: 8 }).map(str),
    fc.constantFrom(TRUE, FALSE),
  );
  const tree = fc.letrec<{ atom: Atom }>((tie) => ({
    atom: fc.oneof({ depthSize: 'small', maxDepth: depth }, leaf, fc.array(tie('atom'), { maxLength: 4 }).map((items) => new Expr(items))),
  }));
  return tree.atom;
}

/** Small atoms over a few symbols and variables, so that unification often succeeds. */
export function patternArb(vars: string[]): fc.Arbitrary<Atom> {
  const leaf = fc.oneof(fc.constantFrom('a', 'b', 'c').map(sym), fc.constantFrom(...vars).map((v) => new Var(v)), fc.constantFrom(int(1), int(2)));
  const tree = fc.letrec<{ atom: Atom }>((tie) => ({
    atom: fc.oneof({ depthSize: 'small', maxDepth: 3 }, leaf, leaf, fc.array(tie('atom'), { minLength: 1, maxLength: 3 }).map((items) => new Expr(items))),
  }));
  return tree.atom;
}
