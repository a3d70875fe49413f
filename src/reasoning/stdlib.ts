/**
 * The standard library: grounded operations (arithmetic, comparison, spaces, state,
 * printing, assertions, atom utilities) and the prelude of functions that hyperon defines in
 * MeTTa itself (`if`, `let`, `let*`, `case`/`switch`, `collapse`, `assertEqual`, ...), with
 * the same types, so argument evaluation and error shapes match hyperon's.
 */
import {
  type Atom, Expr, ExecError, FALSE, Gnd, type GroundedOp, Kind, S, TRUE, UNIT, UNIT_TYPE, type Var, asNumber,
  atomEq, atomToString, atomToText, bool, collectVars, expr, float, formatFloat, int, isError, metaType, opAtom, str, sym, wrapI64,
} from './atom.ts';
import { Bindings, atomsAreEquivalent } from './bindings.ts';
import { type EvalContext, setIfEqualOp, spaceAtomOf } from './interpreter.ts';
import type { Tokenizer } from './parser.ts';
import { Space } from './space.ts';
import { atomTypes } from './types.ts';

const T = (...items: Atom[]): Expr => expr(S.arrow, ...items);
import { Var as VarC } from './atom.ts';
const tvar = (name: string): Var => new VarC(name);

function op(name: string, type: Atom, execute: (args: Atom[], ctx: EvalContext) => Atom[]): GroundedOp {
  return { name, type, execute };
}

const noReduce = (): never => {
  throw new ExecError('noReduce');
};
const fail = (msg: string): never => {
  throw new ExecError('runtime', msg);
};

type Num = { t: 'int'; v: bigint } | { t: 'float'; v: number };
const toF = (n: Num): number => (n.t === 'int' ? Number(n.v) : n.v);

function numOp(name: string, ret: Atom, fi: (a: bigint, b: bigint) => Atom, ff: (a: number, b: number) => Atom): GroundedOp {
  return op(name, T(S.number, S.number, ret), (args) => {
    const a = args.length === 2 ? asNumber(args[0]) : undefined;
    const b = args.length === 2 ? asNumber(args[1]) : undefined;
    if (a === undefined || b === undefined) return noReduce();
    return [a.t === 'int' && b.t === 'int' ? fi(a.v, b.v) : ff(toF(a), toF(b))];
  });
}

function boolArg(a: Atom | undefined): boolean {
  if (a === undefined || a.kind !== Kind.Gnd || a.g.t !== 'bool') return noReduce();
  return a.g.v;
}

function exprArg(a: Atom | undefined, msg: string): Expr {
  if (a === undefined || a.kind !== Kind.Expr) return fail(msg);
  return a;
}

function spaceArg(a: Atom | undefined, msg: string): Space {
  if (a !== undefined && a.kind === Kind.Gnd && a.g.t === 'other' && a.g.v instanceof Space) return a.g.v;
  return fail(msg);
}

/** State cells print as `(State <value>)`; equality is identity, as in hyperon. */
class StateCell {
  constructor(public value: Atom) {}
}
function stateAtom(cell: StateCell): Gnd {
  return new Gnd({
    t: 'other',
    v: cell,
    get name() {
      return `(State ${atomToString(cell.value)})`;
    },
    type: expr(sym('StateMonad'), tvar('st')),
  } as never);
}
function stateArg(a: Atom | undefined): StateCell {
  if (a !== undefined && a.kind === Kind.Gnd && a.g.t === 'other' && a.g.v instanceof StateCell) return a.g.v;
  return fail('state atom is expected');
}

function mathOp(name: string, f: (x: number) => Atom, argType: Atom = S.number, ret: Atom = S.number): GroundedOp {
  return op(name, T(argType, ret), (args) => {
    const n = args.length === 1 ? asNumber(args[0]) : undefined;
    if (n === undefined) return fail(`${name} expects one argument: number`);
    return [f(toF(n))];
  });
}

function intOrFloat(x: number): Atom {
  return Number.isInteger(x) && Math.abs(x) < 2 ** 63 ? int(BigInt(x)) : float(x);
}

/** Shared, context-free operations. */
function coreOps(): GroundedOp[] {
  const ops: GroundedOp[] = [
    numOp('+', S.number, (a, b) => int(wrapI64(a + b)), (a, b) => float(a + b)),
    numOp('-', S.number, (a, b) => int(wrapI64(a - b)), (a, b) => float(a - b)),
    numOp('*', S.number, (a, b) => int(wrapI64(a * b)), (a, b) => float(a * b)),
    numOp('%', S.number, (a, b) => (b === 0n ? fail('DivisionByZero') : int(a % b)), (a, b) => float(a % b)),
    numOp('<', S.boolT, (a, b) => bool(a < b), (a, b) => bool(a < b)),
    numOp('>', S.boolT, (a, b) => bool(a > b), (a, b) => bool(a > b)),
    numOp('<=', S.boolT, (a, b) => bool(a <= b), (a, b) => bool(a <= b)),
    numOp('>=', S.boolT, (a, b) => bool(a >= b), (a, b) => bool(a >= b)),
    op('/', T(S.number, S.number, S.number), (args) => {
      const a = args.length === 2 ? asNumber(args[0]) : undefined;
      const b = args.length === 2 ? asNumber(args[1]) : undefined;
      if (a === undefined || b === undefined) return fail('Divide expects two numbers: dividend and divisor');
      if (a.t === 'int' && b.t === 'int') {
        if (b.v === 0n) return fail('DivisionByZero');
        return [int(wrapI64(a.v / b.v))];
      }
      return [float(toF(a) / toF(b))];
    }),
    op('and', T(S.boolT, S.boolT, S.boolT), (args) => [bool(boolArg(args[0]) && boolArg(args[1]))]),
    op('or', T(S.boolT, S.boolT, S.boolT), (args) => [bool(boolArg(args[0]) || boolArg(args[1]))]),
    op('xor', T(S.boolT, S.boolT, S.boolT), (args) => [bool(boolArg(args[0]) !== boolArg(args[1]))]),
    op('not', T(S.boolT, S.boolT), (args) => [bool(!boolArg(args[0]))]),
    op('==', T(tvar('t'), tvar('t'), S.boolT), (args) => {
      if (args.length !== 2) return fail('== expects two arguments');
      return [bool(atomEq(args[0], args[1]))];
    }),
    op('=alpha', T(S.atom, S.atom, S.boolT), (args) => [bool(atomsAreEquivalent(args[0], args[1]))]),
    op('nop', S.undefined, () => [UNIT]),
    op('superpose', T(S.expression, S.undefined), (args) => exprArg(args[0], 'superpose expects single expression as an argument').items.slice()),
    op('sealed', T(S.expression, S.atom, S.atom), (args) => {
      if (args.length !== 2) return fail('sealed expects two arguments: var_list to be ignored and expression');
      const ignore = new Set(collectVars(args[0]).map((v) => v.key));
      const map = new Map<number, Var>();
      const seal = (a: Atom): Atom => {
        if (a.kind === Kind.Var) {
          if (ignore.has(a.key)) return a;
          let v = map.get(a.key);
          if (v === undefined) map.set(a.key, (v = a.fresh()));
          return v;
        }
        return a.kind === Kind.Expr ? new Expr(a.items.map(seal)) : a;
      };
      return [seal(args[1])];
    }),
    op('get-metatype', T(S.atom, S.atom), (args) => [metaType(args[0])]),
    op('size-atom', T(S.expression, S.number), (args) => [int(exprArg(args[0], 'size-atom expects an expression as an argument').items.length)]),
    op('index-atom', T(S.expression, S.number, S.atom), (args) => {
      const e = exprArg(args[0], 'index-atom expects an expression and an index as arguments');
      const i = asNumber(args[1]);
      if (i === undefined || i.t !== 'int') return fail('index-atom expects an expression and an index as arguments');
      const idx = Number(i.v);
      if (idx < 0 || idx >= e.items.length) return fail('Index is out of bounds');
      return [e.items[idx]];
    }),
    op('min-atom', T(S.expression, S.number), (args) => [extremum(args[0], 'min-atom', (a, b) => a < b)]),
    op('max-atom', T(S.expression, S.number), (args) => [extremum(args[0], 'max-atom', (a, b) => a > b)]),
    op('unique-atom', T(S.expression, S.expression), (args) => {
      const out: Atom[] = [];
      for (const a of exprArg(args[0], 'unique-atom expects an expression').items) if (!out.some((o) => atomEq(o, a))) out.push(a);
      return [new Expr(out)];
    }),
    op('union-atom', T(S.expression, S.expression, S.expression), (args) => [
      new Expr([...exprArg(args[0], 'union-atom expects expressions').items, ...exprArg(args[1], 'union-atom expects expressions').items]),
    ]),
    op('intersection-atom', T(S.expression, S.expression, S.expression), (args) => {
      const rest = exprArg(args[1], 'intersection-atom expects expressions').items.slice();
      const out: Atom[] = [];
      for (const a of exprArg(args[0], 'intersection-atom expects expressions').items) {
        const i = rest.findIndex((r) => atomEq(r, a));
        if (i >= 0) {
          out.push(a);
          rest.splice(i, 1);
        }
      }
      return [new Expr(out)];
    }),
    op('subtraction-atom', T(S.expression, S.expression, S.expression), (args) => {
      const rest = exprArg(args[1], 'subtraction-atom expects expressions').items.slice();
      const out: Atom[] = [];
      for (const a of exprArg(args[0], 'subtraction-atom expects expressions').items) {
        const i = rest.findIndex((r) => atomEq(r, a));
        if (i >= 0) rest.splice(i, 1);
        else out.push(a);
      }
      return [new Expr(out)];
    }),
    op('if-equal', T(S.atom, S.atom, S.atom, S.atom, S.undefined), (args) => {
      if (args.length !== 4) return fail('if-equal expects <atom> <pattern> <then> <else> as an argument');
      return [atomsAreEquivalent(args[0], args[1]) ? args[2] : args[3]];
    }),
    op('_collapse-results', T(S.expression, S.expression), (args) => {
      const pairs = exprArg(args[0], 'collapse-bind result is expected').items;
      return [
        new Expr(
          pairs.map((p) => {
            const [a, b] = (p as Expr).items;
            return ((b as Gnd).g.v as Bindings).apply(a);
          }),
        ),
      ];
    }),
    assertOp('_assert-results-are-equal', atomEq, false),
    assertOp('_assert-results-are-alpha-equal', atomsAreEquivalent, false),
    assertOp('_assert-results-are-equal-msg', atomEq, true),
    assertOp('_assert-results-are-alpha-equal-msg', atomsAreEquivalent, true),
    op('format-args', T(S.string, S.atom, S.string), (args) => {
      const f = args[0];
      if (f === undefined || f.kind !== Kind.Gnd || f.g.t !== 'str') return fail('format-args expects format string as a first argument and expression as a second argument');
      const items = exprArg(args[1], 'format-args expects format string as a first argument and expression as a second argument').items;
      let i = 0;
      return [str(f.g.v.replace(/\{\}/g, () => (i < items.length ? atomToText(items[i++]) : '{}')))];
    }),
    op('repr', T(S.atom, S.string), (args) => [str(atomToString(args[0]))]),
    op('stringToChars', T(S.string, S.expression), (args) => {
      const s = args[0];
      if (s === undefined || s.kind !== Kind.Gnd || s.g.t !== 'str') return fail('stringToChars expects a string');
      return [new Expr([...s.g.v].map((c) => new Gnd({ t: 'other', v: c, name: `'${c}'`, type: sym('Char'), eq: (o) => o === c })))];
    }),
    op('new-state', T(tvar('tnso'), expr(sym('StateMonad'), tvar('tnso'))), (args) => [stateAtom(new StateCell(args[0]))]),
    op('get-state', T(expr(sym('StateMonad'), tvar('tsgo')), tvar('tsgo')), (args) => [stateArg(args[0]).value]),
    op('change-state!', T(expr(sym('StateMonad'), tvar('tcso')), tvar('tcso'), expr(sym('StateMonad'), tvar('tcso'))), (args) => {
      const cell = stateArg(args[0]);
      cell.value = args[1];
      return [args[0]];
    }),
    mathOp('sqrt-math', (x) => float(Math.sqrt(x))),
    mathOp('abs-math', (x) => intOrFloat(Math.abs(x))),
    mathOp('trunc-math', (x) => intOrFloat(Math.trunc(x))),
    mathOp('ceil-math', (x) => intOrFloat(Math.ceil(x))),
    mathOp('floor-math', (x) => intOrFloat(Math.floor(x))),
    mathOp('round-math', (x) => intOrFloat(Math.sign(x) * Math.round(Math.abs(x)))),
    mathOp('sin-math', (x) => float(Math.sin(x))),
    mathOp('asin-math', (x) => float(Math.asin(x))),
    mathOp('cos-math', (x) => float(Math.cos(x))),
    mathOp('acos-math', (x) => float(Math.acos(x))),
    mathOp('tan-math', (x) => float(Math.tan(x))),
    mathOp('atan-math', (x) => float(Math.atan(x))),
    mathOp('isnan-math', (x) => bool(Number.isNaN(x)), S.number, S.boolT),
    mathOp('isinf-math', (x) => bool(!Number.isFinite(x) && !Number.isNaN(x)), S.number, S.boolT),
    op('pow-math', T(S.number, S.number, S.number), (args) => {
      const a = asNumber(args[0]);
      const b = asNumber(args[1]);
      if (a === undefined || b === undefined) return fail('pow-math expects two arguments: number (base) and number (power)');
      if (a.t === 'int' && b.t === 'int' && b.v >= 0n) return [int(wrapI64(a.v ** b.v))];
      return [float(toF(a) ** toF(b))];
    }),
    op('log-math', T(S.number, S.number, S.number), (args) => {
      const a = asNumber(args[0]);
      const b = asNumber(args[1]);
      if (a === undefined || b === undefined) return fail('log-math expects two arguments: base (number) and input value (number)');
      return [float(Math.log(toF(b)) / Math.log(toF(a)))];
    }),
  ];
  return ops;
}

function extremum(a: Atom, name: string, better: (x: number, y: number) => boolean): Atom {
  const items = exprArg(a, `${name} expects one argument: expression`).items;
  if (items.length === 0) return fail('Empty expression');
  let best: Atom | undefined;
  let bv = 0;
  for (const it of items) {
    const n = asNumber(it);
    if (n === undefined) return fail('Only numbers are allowed in expression');
    const v = toF(n);
    if (best === undefined || better(v, bv)) {
      best = it;
      bv = v;
    }
  }
  return float(bv);
}

function assertOp(name: string, eq: (a: Atom, b: Atom) => boolean, withMsg: boolean): GroundedOp {
  const type = withMsg ? T(S.atom, S.atom, S.atom, S.atom, UNIT_TYPE) : T(S.atom, S.atom, S.atom, UNIT_TYPE);
  return op(name, type, (args) => {
    const actual = exprArg(args[0], 'Pair of evaluation results with bindings is expected as an argument').items;
    const expected = exprArg(args[1], 'Pair of evaluation results with bindings is expected as an argument').items;
    const assertion = args[2];
    const missed = expected.slice();
    const excessive: Atom[] = [];
    for (const a of actual) {
      const i = missed.findIndex((m) => eq(a, m));
      if (i >= 0) missed.splice(i, 1);
      else excessive.push(a);
    }
    if (missed.length === 0 && excessive.length === 0) return [UNIT];
    if (withMsg) return [expr(S.error, assertion, args[3])];
    const list = (xs: readonly Atom[]): string => xs.map(atomToString).join(', ');
    let msg = `\nExpected: [${list(expected)}]\nGot: [${list(actual)}]`;
    if (missed.length > 0) msg += `\nMissed results: ${list(missed)}`;
    if (excessive.length > 0) msg += `\nExcessive results: ${list(excessive)}`;
    return [expr(S.error, assertion, sym(msg))];
  });
}

/** Operations that need the run (spaces, output, settings, nested evaluation). */
function contextOps(): GroundedOp[] {
  return [
    op('println!', T(S.undefined, UNIT_TYPE), (args, ctx) => {
      if (args.length !== 1) return fail('println! expects single atom as an argument');
      ctx.print(atomToText(args[0]));
      return [UNIT];
    }),
    op('trace!', T(S.undefined, S.atom, S.undefined), (args) => {
      if (args.length !== 2) return fail('trace! expects two atoms as arguments');
      return [args[1]];
    }),
    op('new-space', T(S.spaceType), () => [spaceAtomOf(new Space())]),
    op('add-atom', T(S.spaceType, S.atom, UNIT_TYPE), (args) => {
      const s = spaceArg(args[0], 'add-atom expects two arguments: space and atom');
      if (s.readOnly) return fail('space is read-only');
      s.add(args[1]);
      return [UNIT];
    }),
    op('remove-atom', T(S.spaceType, S.atom, UNIT_TYPE), (args) => {
      const s = spaceArg(args[0], 'remove-atom expects two arguments: space and atom');
      if (s.readOnly) return fail('space is read-only');
      s.remove(args[1]);
      return [UNIT];
    }),
    op('get-atoms', T(S.spaceType, S.atom), (args) => spaceArg(args[0], 'get-atoms expects one argument: space').atoms()),
    {
      name: 'match',
      type: T(S.spaceType, S.atom, S.atom, S.undefined),
      execute: () => [],
      executeBindings(args: Atom[]) {
        if (args.length !== 3) return fail('match expects three arguments: space, pattern and template');
        const s = spaceArg(args[0], 'match expects a space as the first argument');
        return s.query(args[1]).map((b) => ({ atom: args[2], bindings: b }));
      },
    },
    op('get-type', T(S.atom, S.atom), (args, ctx) => typesOf(ctx.space, args[0])),
    op('get-type-space', T(S.spaceType, S.atom, S.atom), (args) => typesOf(spaceArg(args[0], 'get-type-space expects a space'), args[1])),
    op('case', T(S.atom, S.expression, S.undefined), (args, ctx) => {
      if (args.length !== 2) return fail('case expects two arguments: atom and expression of cases');
      const results = ctx.interpret(ctx.space, args[0]);
      const sw = sym('switch');
      if (results.length === 0) return [expr(sw, S.empty, args[1])];
      return results.map((r) => expr(sw, r, args[1]));
    }),
    op('capture', T(S.atom, S.atom), (args, ctx) => ctx.interpret(ctx.space, args[0])),
    op('pragma!', S.undefined, (args, ctx) => {
      const key = args[0];
      if (args.length !== 2) return fail('pragma! expects key and value as arguments');
      if (key.kind !== 0) return fail('pragma! expects symbol atom as a key');
      if (key.name === 'max-stack-depth') {
        const n = asNumber(args[1]);
        if (n === undefined || n.t !== 'int' || n.v < 0n) return fail('UnsignedIntegerIsExpected');
      }
      ctx.settings.set(key.name, args[1]);
      return [UNIT];
    }),
    op('bind!', T(S.symbol, S.undefined, UNIT_TYPE), (args, ctx) => {
      const name = args[0];
      if (name === undefined || name.kind !== Kind.Sym) return fail('bind! expects a symbol as the first argument');
      ctx.bindToken(name.name, args[1]);
      return [UNIT];
    }),
    op('import!', T(S.atom, S.atom, UNIT_TYPE), (args, ctx) => {
      const mod = args[1];
      if (mod === undefined || (mod.kind !== Kind.Sym && !(mod.kind === Kind.Gnd && mod.g.t === 'str'))) return fail('import! expects a module name');
      const name = mod.kind === Kind.Sym ? mod.name : (mod.g as { v: string }).v;
      if (ctx.importModule === undefined) return fail(`module not found: ${name}`);
      const target = args[0];
      const space = target.kind === Kind.Gnd && target.g.t === 'other' && target.g.v instanceof Space ? target.g.v : undefined;
      if (space !== undefined) ctx.importModule(name, space);
      else if (target.kind === Kind.Sym) {
        const s = new Space();
        ctx.importModule(name, s);
        ctx.bindToken(target.name, spaceAtomOf(s));
      } else return fail('import! expects a space or a symbol as the first argument');
      return [UNIT];
    }),
  ];
}

function typesOf(space: Space, atom: Atom): Atom[] {
  const ts = atomTypes(space, atom);
  const out: Atom[] = [];
  for (const t of ts) if (t.error === undefined && !out.some((o) => atomEq(o, t.type))) out.push(t.type);
  return out;
}

/** The prelude hyperon writes in MeTTa; types decide which arguments are evaluated. */
export const PRELUDE = `
(: = (-> $t $t %Undefined%))
(: ErrorType Type)
(: SpaceType Type)
(: Error (-> Atom Atom ErrorType))
(: return (-> $t $t))
(: function (-> Atom Atom))
(: eval (-> Atom Atom))
(: evalc (-> Atom SpaceType Atom))
(: chain (-> Atom Variable Atom %Undefined%))
(: unify (-> Atom Atom Atom Atom %Undefined%))
(: cons-atom (-> Atom Expression Atom))
(: decons-atom (-> Expression Atom))
(: context-space (-> SpaceType))
(: collapse-bind (-> Atom Expression))
(: superpose-bind (-> Expression Atom))
(: metta (-> Atom Type SpaceType Atom))

(: id (-> $t $t))
(= (id $x) $x)
(: noeval (-> Atom Atom))
(= (noeval $x) $x)

(: atom-subst (-> Atom Variable Atom Atom))
(= (atom-subst $atom $var $templ)
   (function (chain (eval (noeval $atom)) $var (return $templ))))

(: if-decons-expr (-> Expression Variable Variable Atom Atom %Undefined%))
(= (if-decons-expr $atom $head $tail $then $else)
   (function (eval (if-equal $atom ()
     (return $else)
     (chain (decons-atom $atom) $list
       (unify $list ($head $tail) (return $then) (return $else)))))))

(: if-error (-> Atom Atom Atom %Undefined%))
(= (if-error $atom $then $else)
   (function (chain (eval (get-metatype $atom)) $meta
     (eval (if-equal $meta Expression
       (eval (if-equal $atom ()
         (return $else)
         (chain (decons-atom $atom) $list
           (unify $list ($head $tail)
             (eval (if-equal $head Error (return $then) (return $else)))
             (return $else)))))
       (return $else))))))

(: return-on-error (-> Atom Atom %Undefined%))
(= (return-on-error $atom $then)
   (function (eval (if-equal $atom Empty (return (return Empty))
     (eval (if-error $atom (return (return $atom))
       (return $then)))))))

(: switch (-> %Undefined% Expression %Undefined%))
(= (switch $atom $cases)
   (function (chain (decons-atom $cases) $list
     (chain (eval (switch-internal $atom $list)) $res
       (chain (eval (if-equal $res NotReducible Empty $res)) $x (return $x))))))
(= (switch-internal $atom (($pattern $template) $tail))
   (function (unify $atom $pattern
     (return $template)
     (chain (eval (switch $atom $tail)) $ret (return $ret)))))

(: is-function (-> Type Bool))
(= (is-function $type)
   (function (chain (eval (get-metatype $type)) $meta
     (eval (switch ($type $meta) (
       (($type Expression)
         (chain (decons-atom $type) $pair
           (unify ($head $_tail) $pair
             (unify $head -> (return True) (return False))
             (return (Error (is-function $type) "is-function non-empty expression as an argument")))))
       (($type $meta) (return False))))))))

(: filter-atom (-> Expression Variable Atom Expression))
(= (filter-atom $list $var $filter)
   (function (chain (decons-atom $list) $ht
     (unify ($head $tail) $ht
       (chain (eval (sealed ($var) $filter)) $sealedfilter
         (chain (eval (filter-atom $tail $var $sealedfilter)) $tail-filtered
           (chain (eval (atom-subst $head $var $sealedfilter)) $filter-expr
             (chain $filter-expr $is-filtered
               (eval (if $is-filtered
                 (chain (cons-atom $head $tail-filtered) $res (return $res))
                 (return $tail-filtered)))))))
       (return ())))))

(: map-atom (-> Expression Variable Atom Expression))
(= (map-atom $list $var $map)
   (function (chain (decons-atom $list) $ht
     (unify ($head $tail) $ht
       (chain (eval (sealed ($var) $map)) $sealedmap
         (chain (eval (map-atom $tail $var $sealedmap)) $tail-mapped
           (chain (eval (atom-subst $head $var $sealedmap)) $map-expr
             (chain $map-expr $head-mapped
               (chain (cons-atom $head-mapped $tail-mapped) $res (return $res))))))
       (return ())))))

(: foldl-atom (-> Expression Atom Variable Variable Atom %Undefined%))
(= (foldl-atom $list $init $a $b $op)
   (function (chain (decons-atom $list) $ht
     (unify ($head $tail) $ht
       (chain (eval (sealed ($a $b) $op)) $op_sealed
         (chain (eval (atom-subst $init $a $op_sealed)) $op-init
           (chain (eval (atom-subst $head $b $op-init)) $op-head
             (chain (context-space) $space
               (chain (metta $op-head %Undefined% $space) $head-folded
                 (chain (eval (foldl-atom $tail $head-folded $a $b $op)) $res (return $res)))))))
       (return $init)))))

(: if (-> Bool Atom Atom $t))
(= (if True $then $else) $then)
(= (if False $then $else) $else)

(: let (-> Atom %Undefined% Atom %Undefined%))
(= (let $pattern $atom $template)
   (unify $atom $pattern $template Empty))

(: let* (-> Expression Atom %Undefined%))
(= (let* $pairs $template)
   (chain (decons-atom $pairs) $ht
     (unify ($head $tail) $ht
       (unify ($pattern $atom) $head
         (let $pattern $atom (let* $tail $template))
         (Error (let* $pairs $template) "List of (<pattern> <atom>) pairs is expected as a second argument"))
       $template)))

(: add-reduct (-> SpaceType %Undefined% (->)))
(= (add-reduct $dst $atom) (add-atom $dst $atom))

(: car-atom (-> Expression %Undefined%))
(= (car-atom $atom)
   (chain (decons-atom $atom) $ht (unify ($head $_) $ht
     $head
     (Error (car-atom $atom) "car-atom expects a non-empty expression as an argument"))))

(: cdr-atom (-> Expression Expression))
(= (cdr-atom $atom)
   (chain (decons-atom $atom) $ht (unify ($_ $tail) $ht
     $tail
     (Error (cdr-atom $atom) "cdr-atom expects a non-empty expression as an argument"))))

(: quote (-> Atom Atom))
(= (quote $atom) NotReducible)
(: unquote (-> %Undefined% %Undefined%))
(= (unquote (quote $atom)) $atom)

(= (empty) Empty)

(: unique (-> Atom %Undefined%))
(= (unique $arg) (let $c (collapse $arg) (let $u (unique-atom $c) (superpose $u))))
(: union (-> Atom Atom %Undefined%))
(= (union $arg1 $arg2)
   (let $c1 (collapse $arg1) (let $c2 (collapse $arg2) (let $u (union-atom $c1 $c2) (superpose $u)))))
(: intersection (-> Atom Atom %Undefined%))
(= (intersection $arg1 $arg2)
   (let $c1 (collapse $arg1) (let $c2 (collapse $arg2) (let $u (intersection-atom $c1 $c2) (superpose $u)))))
(: subtraction (-> Atom Atom %Undefined%))
(= (subtraction $arg1 $arg2)
   (let $c1 (collapse $arg1) (let $c2 (collapse $arg2) (let $u (subtraction-atom $c1 $c2) (superpose $u)))))

(: add-reducts (-> SpaceType %Undefined% (->)))
(= (add-reducts $space $tuple) (foldl-atom $tuple () $a $b (add-atom $space $b)))
(: add-atoms (-> SpaceType Expression (->)))
(= (add-atoms $space $tuple) (foldl-atom $tuple () $a $b (add-atom $space $b)))

(: collapse (-> Atom Atom))
(= (collapse $atom)
   (function (chain (context-space) $space
     (chain (collapse-bind (metta $atom %Undefined% $space)) $eval
       (chain (eval (_collapse-results $eval)) $result (return $result))))))

(: assertEqual (-> Atom Atom (->)))
(= (assertEqual $actual $expected)
   (chain (context-space) $space
     (chain (metta (collapse $actual) %Undefined% $space) $actual-results
       (chain (metta (collapse $expected) %Undefined% $space) $expected-results
         (_assert-results-are-equal $actual-results $expected-results (assertEqual $actual $expected))))))
(: assertEqualMsg (-> Atom Atom Atom (->)))
(= (assertEqualMsg $actual $expected $msg)
   (chain (context-space) $space
     (chain (metta (collapse $actual) %Undefined% $space) $actual-results
       (chain (metta (collapse $expected) %Undefined% $space) $expected-results
         (_assert-results-are-equal-msg $actual-results $expected-results (assertEqualMsg $actual $expected) $msg)))))
(: assertAlphaEqual (-> Atom Atom (->)))
(= (assertAlphaEqual $actual $expected)
   (chain (context-space) $space
     (chain (metta (collapse $actual) %Undefined% $space) $actual-results
       (chain (metta (collapse $expected) %Undefined% $space) $expected-results
         (_assert-results-are-alpha-equal $actual-results $expected-results (assertAlphaEqual $actual $expected))))))
(: assertEqualToResult (-> Atom Atom (->)))
(= (assertEqualToResult $actual $expected-results)
   (chain (context-space) $space
     (chain (metta (collapse $actual) %Undefined% $space) $actual-results
       (_assert-results-are-equal $actual-results $expected-results (assertEqualToResult $actual $expected-results)))))
(: assertEqualToResultMsg (-> Atom Atom Atom (->)))
(= (assertEqualToResultMsg $actual $expected-results $msg)
   (chain (context-space) $space
     (chain (metta (collapse $actual) %Undefined% $space) $actual-results
       (_assert-results-are-equal-msg $actual-results $expected-results (assertEqualToResultMsg $actual $expected-results) $msg))))
(: assertAlphaEqualToResult (-> Atom Atom (->)))
(= (assertAlphaEqualToResult $actual $expected-results)
   (chain (context-space) $space
     (chain (metta (collapse $actual) %Undefined% $space) $actual-results
       (_assert-results-are-alpha-equal $actual-results $expected-results (assertAlphaEqualToResult $actual $expected-results)))))

(: assertIncludes (-> Atom Expression (->)))
(= (assertIncludes $atom $content)
   (let $eval_atom (collapse $atom)
     (let $diff (subtraction-atom $content $eval_atom)
       (if (== $diff ())
         ()
         (Error (assertIncludes $atom $content) (assertIncludes error: $diff not included in result: $eval_atom))))))

(: assert (-> Atom (->)))
(= (assert $atom)
   (chain (context-space) $space
     (chain (metta $atom %Undefined% $space) $eval-atom
       (unify $eval-atom True () (Error (assert $atom) ($atom not True))))))

(: noreduce-eq (-> Atom Atom Bool))
(= (noreduce-eq $a $b) (== (quote $a) (quote $b)))
`;

let cachedOps: GroundedOp[] | undefined;
/** Every grounded operation, created once per isolate. */
export function allOps(): GroundedOp[] {
  if (cachedOps === undefined) {
    cachedOps = [...coreOps(), ...contextOps()];
    const ifEq = cachedOps.find((o) => o.name === 'if-equal')!;
    setIfEqualOp(opAtom(ifEq));
  }
  return cachedOps;
}

const opAtoms = new Map<string, Gnd>();
/** Registers every operation name (and `&self`) in `tokenizer`. */
export function registerStdlib(tokenizer: Tokenizer, self: Space): void {
  for (const o of allOps()) {
    let g = opAtoms.get(o.name);
    if (g === undefined) {
      g = o.name === 'if-equal' ? (opAtomIfEqual ??= opAtom(o)) : opAtom(o);
      opAtoms.set(o.name, g);
    }
    const atom = g;
    tokenizer.register(o.name, () => atom);
  }
  const selfAtom = spaceAtomOf(self);
  tokenizer.register('&self', () => selfAtom);
  tokenizer.register('PI', () => float(Math.PI));
  tokenizer.register('EXP', () => float(Math.E));
}
let opAtomIfEqual: Gnd | undefined;

export { TRUE, FALSE, formatFloat, isError, Bindings };
