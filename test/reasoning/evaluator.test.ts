import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MeTTa } from '../../src/reasoning/runner.ts';

/** Output lines of a program (println! and results), or the error a run threw. */
function runWith(engine: 'native' | 'reference', src: string): string {
  const lines: string[] = [];
  try {
    const m = new MeTTa({ engine, print: (l) => lines.push(l), limits: { maxSteps: 2_000_000 } });
    lines.push(...m.run(src));
  } catch (e) {
    lines.push(`THROW ${(e as Error).name}`);
  }
  // Fresh variables are numbered by a global counter and a group of equal variables may be
  // printed by any member: compare the structure, not the names of variables.
  return lines.join('\n').replace(/\$[^\s()]+/g, '$_');
}

function assertSame(src: string): void {
  const native = runWith('native', src);
  const reference = runWith('reference', src);
  assert.is(native, reference, `program:\n${src}`);
}

/** Programs whose order, duplicates, errors, types and variables are easy to get subtly wrong. */
const CORPUS = [
  '!(+ (superpose (1 2)) (superpose (10 20)))',
  '!((superpose (a b)) (superpose (c d)))',
  '(= (f $x) $x) !(f (superpose (1 2 3)))',
  '(= (color) red) (= (color) green) !(let $c (color) ($c $c))',
  '(= (foo $x) (bar $x)) (= (bar 1) one) !(let $r (foo $y) ($r $y))',
  '!(case (superpose (1 2 3)) ((1 one) (2 two) ($x other)))',
  '!(collapse (let $x (superpose (1 2 3)) (* $x $x)))',
  '(: foo (-> Number Number)) (= (foo $x) $x) !(foo "s")',
  '(: foo (-> Number Number)) (= (foo $x) $x) !(foo 1 2)',
  '!(if (superpose (True False)) yes no)',
  '!(match &self (= (if True $t $e) $r) $r)',
  '!(let* (($x 1) ($y (+ $x 1))) ($x $y))',
  '!(car-atom ()) !(cdr-atom ())',
  '!(chain (eval (+ 1 2)) $x (foo $x)) !(function (return 5)) !(eval (+ 1 2))',
  '!(collapse-bind (superpose (1 2)))',
  '!(foldl-atom (1 2 3) 0 $a $b (+ $a $b)) !(map-atom (1 2 3) $x (* $x 2)) !(filter-atom (1 2 3 4) $x (> $x 2))',
  '!(get-type (+ 1 2)) !(get-type +) !(get-type (a b))',
  '!(assertEqual (+ 1 1) 3)',
  '!(assertEqualToResult (superpose (1 2)) (2 1))',
  '(= (f) (superpose (1 2))) (= (g $x) ($x $x)) !(g (f))',
  '!(unquote (quote (+ 1 2))) !(empty) !(let $x (empty) ok) !((empty) a)',
  '!((Error a b) c) !(x Error y) !(x (y Error)) !(a Error b Error c) !(x Error (superpose (1 2)))',
  '(: bar (-> Expression Atom)) (= (bar $x) $x) !(bar (+ 1 2)) !(bar 1)',
  '!(let $s (new-state 1) (let $_ (change-state! $s 2) (get-state $s)))',
  '(= (p $x) (q $x)) (= (q 1) a) (= (q 2) b) !(p $z)',
  '(= (f $x $x) same) (= (f $x $y) diff) !(f 1 1) !(f 1 2)',
  '!(add-atom &self (= (zz) 1)) !(zz)',
  '!(unique (superpose (a b a c b))) !(union (superpose (a b)) (superpose (b c)))',
  '!(intersection (superpose (a b c)) (superpose (b c d))) !(subtraction (superpose (a b c)) (superpose (b)))',
  '!(capture (+ 1 2)) !(format-args "{} and {}" (a "b")) !(println! (a "b"))',
  '!(if-decons-expr (a b c) $h $t ($h $t) none) !(switch (a b) (((a $x) $x) ($y none)))',
  '(= (dup) x) (= (dup) x) !(collapse (dup))',
  '!(assertIncludes (superpose (1 2 3)) (1 2))',
  '(= (c) (a x)) (= (c) red) (= (c) (b y z)) (= (c) $v) !(c)',
  '(fact a 1) (fact b 2) (fact a 3) !(match &self (fact a $n) $n) !(match &self (, (fact $k 1) (fact $k $m)) ($k $m))',
  '(= (id2 $x) $x) !(id2 $a) (= (f3 $x) (g $x)) !(f3 $a) !(let $x $y ($x $y))',
  '(= (fact-n $n) (if (== $n 0) 1 (* $n (fact-n (- $n 1))))) !(fact-n 6)',
  '(= (len ()) 0) (= (len ($h $t)) (+ 1 (len $t))) !(len (a (b (c ()))))',
  '(: Z Nat) (: S (-> Nat Nat)) (= (add Z $y) $y) (= (add (S $x) $y) (S (add $x $y))) !(add (S (S Z)) (S Z)) !(get-type (S Z)) !(S "x")',
  '!(/ 1 0) !(+ 1 1)',
  '!(% 7 0)',
  '(= (tw) (superpose (1 2))) !(+ (tw) (tw))',
  '!(superpose ((superpose (1 2)) 3))',
  '!(collapse (collapse (superpose (1 2))))',
  '!(let (quote $x) (quote (+ 1 2)) $x)',
  '!(== (+ 1 1) 2) !(== a a) !(== (a $x) (a b))',
  '!(sealed ($x) (foo $x $y))',
  '!(if-error (Error a b) yes no) !(return-on-error (Error a b) ok)',
  '!(new-space) !(let $s (new-space) (let $_ (add-atom $s (x 1)) (match $s (x $v) $v)))',
  '!(get-metatype (a b)) !(get-metatype $x) !(get-metatype 1) !(get-metatype a)',
  '(: T Type) (: t T) !(get-type t) (: g2 (-> T T)) (= (g2 $x) $x) !(g2 t) !(g2 1)',
  '!(and True (== 1 1)) !(or False False) !(not (< 2 1))',
  '!(== (cdr-atom (a)) ()) !(== () (subtraction-atom (a) (a))) !(== (collapse (superpose (1 2))) (1 2)) !(== (size-atom (a)) 1)',
];

const corpus = suite('native evaluator agrees with the reference machine');
for (const src of CORPUS) corpus(src.slice(0, 70), () => assertSame(src));
corpus.run();

// Random programs: facts, a few non-recursive functions (each may call the ones before it,
// so every program terminates) and executed expressions built from the standard library.
const SYMS = ['a', 'b', 'red', 'Error', 'Empty', 'True', 'False', '()'];
function exprArb(fns: number): fc.Arbitrary<string> {
  const leaf = fc.oneof(
    fc.integer({ min: -2, max: 4 }).map(String),
    fc.constantFrom(...SYMS),
    fc.constantFrom('$x', '$y', '"s"', '1.5'),
  );
  const calls = Array.from({ length: fns }, (_, i) => `f${i}`);
  const build = fc.memo((n: number): fc.Arbitrary<string> => {
    if (n <= 1) return leaf;
    const e = build(n - 1);
    const options: fc.Arbitrary<string>[] = [
      leaf,
      fc.tuple(fc.constantFrom('+', '-', '*', '/', '<', '=='), e, e).map(([o, x, y]) => `(${o} ${x} ${y})`),
      fc.tuple(e, e, e).map(([c, t, f]) => `(if ${c} ${t} ${f})`),
      fc.tuple(e, e).map(([x, y]) => `(superpose (${x} ${y}))`),
      e.map((x) => `(collapse ${x})`),
      fc.tuple(fc.constantFrom('$x', '$y'), e, e).map(([v, x, y]) => `(let ${v} ${x} ${y})`),
      fc.tuple(fc.constantFrom('a', 'b'), e).map(([s, x]) => `(${s} ${x})`),
      fc.tuple(fc.constantFrom('cdr-atom', 'collapse', 'size-atom', 'quote', 'get-type'), e).map(([f, x]) => `(${f} (${x}))`),
      fc.tuple(fc.constantFrom('subtraction-atom', 'union-atom'), e, e).map(([f, x, y]) => `(${f} (${x}) (${y}))`),
      fc.tuple(e, e).map(([x, y]) => `(car-atom (${x} ${y}))`),
      e.map((x) => `(case ${x} ((1 one) (a is-a) ($z other)))`),
      fc.tuple(e, e, e).map(([x, t, f]) => `(unify ${x} (a $x) ${t} ${f})`),
      fc.constant('(match &self (fact $x $y) ($x $y))'),
      fc.constant('(empty)'),
    ];
    if (calls.length > 0) options.push(fc.tuple(fc.constantFrom(...calls), e).map(([f, x]) => `(${f} ${x})`));
    return fc.oneof(...options);
  });
  return build(4);
}

const programArb = fc
  .tuple(
    fc.array(exprArb(0), { minLength: 1, maxLength: 2 }),
    fc.array(exprArb(1), { minLength: 1, maxLength: 2 }),
    fc.boolean(),
    fc.array(exprArb(2), { minLength: 1, maxLength: 3 }),
  )
  .map(([f0, f1, typed, execs]) => {
    const lines = ['(fact a 1)', '(fact b 2)', '(fact a 3)'];
    for (const body of f0) lines.push(`(= (f0 $x) ${body})`);
    if (typed) lines.push('(: f1 (-> Number Number))');
    for (const body of f1) lines.push(`(= (f1 $x) ${body})`);
    for (const e of execs) lines.push(`!${e}`);
    return lines.join('\n');
  });

const random = suite('native evaluator agrees with the reference machine on random programs');
random('results, order, duplicates and errors are identical', () => {
  fc.assert(fc.property(programArb, (src) => assertSame(src)), { numRuns: 300, seed: Number(process.env.METTA_SEED ?? 20260101) });
});
random.run();
