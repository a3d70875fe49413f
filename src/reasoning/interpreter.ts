/**
 * The reference interpreter: hyperon's minimal-MeTTa stack machine (`eval`, `chain`, `unify`,
 * `function`/`return`, `collapse-bind`, `superpose-bind`, `cons-atom`, `decons-atom`,
 * `metta`, `context-space`, `call-native`) with the `metta` evaluation strategy written as
 * native steps that build, substitute and re-read instruction atoms, as hyperon's
 * interpreter.rs does. Alternatives live on an explicit LIFO plan and every step is counted
 * against the run's budget and deadline.
 *
 * It is the oracle the native evaluator (evaluator.ts) is tested against and the baseline of
 * the benchmarks (`new MeTTa({ engine: 'reference' })`); about 30x slower than it.
 */
import { type Atom, Expr as _Expr, ExecError as _ExecError, Gnd as _Gnd, type GroundedOp, Kind as _Kind, S as _S, type Var, UNIT as _UNIT, atomEq as _atomEq, collectVars as _collectVars, errorAtom as _errorAtom, expr as _expr, isError as _isError, metaType as _metaType, sym as _sym, varsOf as _varsOf, Var as _VarClass } from './atom.ts';
import { Bindings as _Bindings, matchAtoms as _matchAtoms } from './bindings.ts';
import { Space as _Space } from './space.ts';
import { Budget, DEFAULT_LIMITS, type EvalContext, LimitError, type Limits, isEmbeddedOp, isVariableOp, spaceAtomOf, spaceOf } from './context.ts';
import { type AtomType, typeCacheOf, atomTypes as _atomTypes, checkApplication as _checkApplication, isFunctionType as _isFunctionType, matchTypes as _matchTypes } from './types.ts';
// Local aliases: module imports are getters under tsx; the hot path reads locals.
const Expr = _Expr;
type Expr = _Expr;
const ExecError = _ExecError;
type ExecError = _ExecError;
const Gnd = _Gnd;
type Gnd = _Gnd;
const Kind = _Kind;
type Kind = _Kind;
const S = _S;
const UNIT = _UNIT;
const atomEq = _atomEq;
const collectVars = _collectVars;
const errorAtom = _errorAtom;
const expr = _expr;
const isError = _isError;
const metaType = _metaType;
const sym = _sym;
const varsOf = _varsOf;
const VarClass = _VarClass;
type VarClass = _VarClass;
const Bindings = _Bindings;
type Bindings = _Bindings;
const matchAtoms = _matchAtoms;
const Space = _Space;
type Space = _Space;
const atomTypes = _atomTypes;
const checkApplication = _checkApplication;
const isFunctionType = _isFunctionType;
const matchTypes = _matchTypes;

export { Budget, DEFAULT_LIMITS, type EvalContext, LimitError, type Limits, spaceAtomOf };

// ---------------------------------------------------------------------------------------
// Stack frames

const enum Ret {
  None = 0,
  Call = 1,
  Chain = 2,
  Function = 3,
  Collapse = 4,
}

/** Persistent set of variable keys (hyperon's `Variables`). */
type VarSet = readonly number[];
const NO_VARS: VarSet = [];

function addVars(set: VarSet, vars: Var[]): VarSet {
  let out: number[] | undefined;
  for (const v of vars) {
    if ((out ?? set).includes(v.key)) continue;
    out ??= set.slice();
    out.push(v.key);
  }
  return out ?? set;
}

interface Frame {
  prev: Frame | undefined;
  atom: Atom;
  ret: Ret;
  finished: boolean;
  vars: VarSet;
  depth: number;
  /** Collapse-bind accumulator. */
  collected?: Atom[];
  /** The bindings collapse-bind started with. */
  startBindings?: Bindings;
  /** The collapse-bind placeholder that fires when all alternatives are done. */
  dummy?: boolean;
}

interface Alt {
  frame: Frame;
  b: Bindings;
}

function mkFrame(prev: Frame | undefined, atom: Atom, ret: Ret, vars: VarSet): Frame {
  return { prev, atom, ret, finished: false, vars, depth: prev === undefined ? 1 : prev.depth + 1 };
}
const keepVars = (prev: Frame | undefined, atom: Atom, ret: Ret): Frame => mkFrame(prev, atom, ret, prev === undefined ? NO_VARS : prev.vars);
function finished(prev: Frame | undefined, atom: Atom): Frame {
  return { prev, atom, ret: Ret.None, finished: true, vars: NO_VARS, depth: prev === undefined ? 1 : prev.depth + 1 };
}
const done = (prev: Frame | undefined, atom: Atom, b: Bindings): Alt[] => [{ frame: finished(prev, atom), b }];

const errorMsg = (atom: Atom, msg: string): Atom => errorAtom(atom, sym(msg));

// ---------------------------------------------------------------------------------------
// Native (call-native) functions

type Native = (args: Atom, b: Bindings, it: Interpreter) => [Atom, Bindings][];

const nativeAtoms = new Map<Native, Gnd>();
function callNative(name: string, fn: Native, args: Atom): Atom {
  let g = nativeAtoms.get(fn);
  if (g === undefined) {
    g = new Gnd({ t: 'other', v: fn, name, type: S.undefined });
    nativeAtoms.set(fn, g);
  }
  return expr(S.function, expr(S.callNative, symOf(name), g, args));
}
const SYM_CACHE = new Map<string, Atom>();
function symOf(name: string): Atom {
  let s = SYM_CACHE.get(name);
  if (s === undefined) {
    s = sym(name);
    SYM_CACHE.set(name, s);
  }
  return s;
}
const ret = (a: Atom): Atom => expr(S.return, a);
const once = (a: Atom, b: Bindings): [Atom, Bindings][] => [[a, b]];

const V = {
  x: new VarClass('x'),
  res: new VarClass('res'),
  reduced: new VarClass('reduced'),
  result: new VarClass('result'),
  rhead: new VarClass('rhead'),
  rtail: new VarClass('rtail'),
  rop: new VarClass('rop'),
  rargs: new VarClass('rargs'),
  unpacked: new VarClass('unpacked_args'),
  tail: new VarClass('tail'),
  ret: new VarClass('ret'),
  X: new VarClass('X'),
};


function argsOf(a: Atom, n: number): Atom[] | undefined {
  return a.kind === Kind.Expr && a.items.length === n ? a.items : undefined;
}

const IF_EQUAL_REF: { op?: Gnd } = {};

const mettaImpl: Native = (args, b, it) => {
  const a = argsOf(args, 3);
  const space = a && spaceOf(a[2]);
  if (a === undefined || space === undefined) return once(ret(errorMsg(args, `expected args: (atom type space), found: ${String(args)}`)), b);
  const [atom, typ] = a;
  const meta = metaType(atom);
  if (typ === S.atom || typ === meta) return once(ret(atom), b);
  if (meta === S.variable) return once(ret(atom), b);
  if (meta === S.symbol || meta === S.grounded) return typeCast(a[2], space, atom, typ, b, it);
  if ((atom as Expr).evaluated) return once(ret(atom), b);
  const x = V.x.fresh();
  const res = V.res.fresh();
  return once(
    expr(S.chain, expr(S.collapseBind, callNative('interpret_expression', interpretExpression, expr(atom, typ, a[2]))), x,
      expr(S.chain, callNative('check_alternatives', checkAlternatives, expr(atom, x)), res, ret(res))),
    b,
  );
};

function validTypes(ts: AtomType[]): Atom[] {
  const out: Atom[] = [];
  for (const t of ts) if (t.error === undefined) out.push(t.type);
  return out;
}

function typeCast(_spaceAtom: Atom, space: Space, atom: Atom, expected: Atom, b: Bindings, it: Interpreter): [Atom, Bindings][] {
  const meta = metaType(atom);
  if (expected === meta) return once(ret(atom), b);
  const types = validTypes(atomTypes(space, atom, it.typeCache(space)));
  const errors: Atom[] = [];
  for (const t of types) {
    const m = matchTypes(expected, t, b);
    if (m !== undefined) return once(ret(atom), m);
    errors.push(t);
  }
  return errors.map((t) => [ret(errorAtom(atom, expr(S.badType, expected, t))), b] as [Atom, Bindings]);
}

const checkAlternatives: Native = (args, b) => {
  const a = argsOf(args, 2);
  if (a === undefined || a[1].kind !== Kind.Expr) return once(ret(errorMsg(args, `expected args: ((: expr Expression)), found: ${String(args)}`)), b);
  const original = a[0];
  const pairs = (a[1] as Expr).items;
  const succ: [Atom, Bindings][] = [];
  const errs: [Atom, Bindings][] = [];
  for (const p of pairs) {
    const [atom, pb] = unpair(p);
    if (isError(atom)) errs.push([ret(atom), pb]);
    else {
      let r = atom;
      if (r.kind === Kind.Expr && atomEq(original, r)) {
        r = new Expr(r.items);
        (r as Expr).evaluated = true;
      }
      succ.push([ret(r), pb]);
    }
  }
  return succ.length > 0 ? succ : errs;
};

function unpair(p: Atom): [Atom, Bindings] {
  const items = (p as Expr).items;
  return [items[0], (items[1] as Gnd).g.v as Bindings];
}

function bindingsAtom(b: Bindings): Gnd {
  return new Gnd({ t: 'other', v: b, name: b.toString(), type: S.undefined });
}

const interpretExpression: Native = (args, b, it) => {
  const a = argsOf(args, 3);
  const space = a && spaceOf(a[2]);
  if (a === undefined || space === undefined) return once(ret(errorMsg(args, `expected args: (atom type space), found: ${String(args)}`)), b);
  const [e, typ, spaceAtom] = a;
  if (e.kind !== Kind.Expr || e.items.length === 0) return typeCast(spaceAtom, space, e, typ, b, it);
  const cache = it.typeCache(space);
  const opTypes = atomTypes(space, e.items[0], cache);
  if (opTypes.every((t) => t.error !== undefined)) return opTypes.map((t) => [ret(t.error!), b] as [Atom, Bindings]);
  const out: [Atom, Bindings][] = [];
  const hasTuple = opTypes.some((t) => (t.error === undefined && !isFunctionType(t.type)) || t.type === S.undefined);
  if (hasTuple) {
    const reduced = V.reduced.fresh();
    const result = V.result.fresh();
    out.push([
      expr(S.chain, callNative('interpret_tuple', interpretTuple, expr(e, spaceAtom)), reduced,
        expr(S.chain, callNative('metta_call', mettaCall, expr(reduced, typ, spaceAtom)), result, ret(result))),
      b,
    ]);
  }
  const fnTypes = opTypes.filter((t) => t.error === undefined && isFunctionType(t.type));
  if (fnTypes.length > 0) {
    const errors: [Atom, Bindings][] = [];
    for (const ft of fnTypes) {
      for (const r of checkApplication(space, e, ft.type as Expr, typ, b, cache)) {
        if (r.error === undefined) {
          let retType = r.ret!;
          if (retType === S.expression) retType = S.undefined;
          const reduced = V.reduced.fresh();
          const result = V.result.fresh();
          out.push([
            expr(S.chain, callNative('interpret_function', interpretFunction, expr(e, ft.type, typ, spaceAtom)), reduced,
              expr(S.chain, callNative('metta_call', mettaCall, expr(reduced, retType, spaceAtom)), result, ret(result))),
            r.bindings,
          ]);
          return out;
        }
        errors.push([ret(r.error), r.bindings]);
      }
    }
    out.push(...errors);
  }
  return out;
};

const interpretTuple: Native = (args, b) => {
  const a = argsOf(args, 2);
  if (a === undefined || a[0].kind !== Kind.Expr || spaceOf(a[1]) === undefined) {
    return once(ret(errorMsg(args, `expected args: ((: expr Expression) space), found: ${String(args)}`)), b);
  }
  const e = a[0] as Expr;
  const spaceAtom = a[1];
  if (e.items.length === 0) return once(ret(e), b);
  const head = e.items[0];
  const tail = new Expr(e.items.slice(1));
  const rhead = V.rhead.fresh();
  const rtail = V.rtail.fresh();
  const result = V.result.fresh();
  const ifEq = IF_EQUAL_REF.op!;
  const consTail = expr(S.chain, expr(S.consAtom, rhead, rtail), result, ret(result));
  const onTail = expr(S.eval, expr(ifEq, rtail, S.empty, ret(S.empty), callNative('return_on_error', returnOnError, expr(rtail, consTail))));
  const tailStep = expr(S.chain, callNative('interpret_tuple', interpretTuple, expr(tail, spaceAtom)), rtail, onTail);
  const onHead = expr(S.eval, expr(ifEq, rhead, S.empty, ret(S.empty), callNative('return_on_error', returnOnError, expr(rhead, tailStep))));
  return once(expr(S.chain, expr(S.metta, head, S.undefined, spaceAtom), rhead, onHead), b);
};

const interpretFunction: Native = (args, b) => {
  const a = argsOf(args, 4);
  if (a === undefined || a[0].kind !== Kind.Expr || !isFunctionType(a[1]) || spaceOf(a[3]) === undefined) {
    return once(ret(errorMsg(args, `expected args: ((: atom Expression) (: op_type Expression) ret_type space), found: ${String(args)}`)), b);
  }
  const [e, opType, retType, spaceAtom] = a as [Expr, Expr, Atom, Atom];
  const head = e.items[0];
  const callArgs = new Expr(e.items.slice(1));
  const argTypes = new Expr(opType.items.slice(1));
  const rop = V.rop.fresh();
  const rargs = V.rargs.fresh();
  const result = V.result.fresh();
  const unpacked = V.unpacked.fresh();
  return once(
    expr(S.chain, expr(S.metta, head, opType, spaceAtom), rop,
      callNative('return_on_error', returnOnError, expr(rop,
        expr(S.chain, callNative('interpret_args', interpretArgs, expr(e, callArgs, argTypes, retType, spaceAtom)), rargs,
          expr(S.unify, expr(S.ok, unpacked), rargs,
            expr(S.chain, expr(S.consAtom, rop, unpacked), result, ret(result)),
            ret(rargs)))))),
    b,
  );
};

const interpretArgs: Native = (args, b) => {
  const a = argsOf(args, 5);
  if (a === undefined || a[1].kind !== Kind.Expr || a[2].kind !== Kind.Expr || spaceOf(a[4]) === undefined) {
    return once(ret(errorMsg(args, `expected args: (atom (: args Expression) (: arg_types Expression) ret_type space), found: ${String(args)}`)), b);
  }
  const [atom, argsE, typesE, retType, spaceAtom] = a as [Atom, Expr, Expr, Atom, Atom];
  const types = typesE.items;
  if (types.length === 0) return once(ret(errorAtom(atom, S.incorrectArgs)), b);
  const typesHead = types[0];
  const typesTail = types.slice(1);
  if (argsE.items.length === 0) {
    if (typesTail.length === 0) {
      const m = matchTypes(typesHead, retType, b);
      return m !== undefined ? once(ret(expr(S.ok, argsE)), m) : once(ret(errorAtom(atom, S.badType)), b);
    }
    return once(ret(errorAtom(atom, S.incorrectArgs)), b);
  }
  const argsHead = argsE.items[0];
  const argsTail = new Expr(argsE.items.slice(1));
  const rhead = V.rhead.fresh();
  const rtail = V.rtail.fresh();
  const result = V.result.fresh();
  const tail = V.tail.fresh();
  const recursion = expr(S.chain, callNative('interpret_args', interpretArgs, expr(atom, argsTail, new Expr(typesTail), retType, spaceAtom)), rtail,
    expr(S.unify, expr(S.ok, tail), rtail,
      expr(S.chain, expr(S.consAtom, rhead, tail), result, ret(expr(S.ok, result))),
      ret(rtail)));
  return once(
    expr(S.chain, expr(S.metta, argsHead, typesHead, spaceAtom), rhead,
      expr(S.eval, expr(IF_EQUAL_REF.op!, rhead, argsHead, recursion,
        callNative('return_on_error', returnOnError, expr(rhead, recursion))))),
    b,
  );
};

const returnOnError: Native = (args, b) => {
  const a = argsOf(args, 2);
  if (a === undefined) return once(ret(errorMsg(args, `expected args: (atom then), found: ${String(args)}`)), b);
  const [atom, then] = a;
  if (atom === S.empty) return once(ret(ret(S.empty)), b);
  if (isError(atom)) return once(ret(ret(atom)), b);
  return once(ret(then), b);
};

const mettaCall: Native = (args, b) => {
  const a = argsOf(args, 3);
  if (a === undefined || spaceOf(a[2]) === undefined) return once(ret(errorMsg(args, `expected args: (atom type space), found: ${String(args)}`)), b);
  const [atom, typ, spaceAtom] = a;
  if (isError(atom)) return once(ret(atom), b);
  const result = V.result.fresh();
  const r = V.ret.fresh();
  return once(
    expr(S.chain, expr(S.evalc, atom, spaceAtom), result,
      expr(S.chain, callNative('metta_call_return', mettaCallReturn, expr(atom, result, typ, spaceAtom)), r, ret(r))),
    b,
  );
};

const mettaCallReturn: Native = (args, b) => {
  const a = argsOf(args, 4);
  if (a === undefined || spaceOf(a[3]) === undefined) return once(ret(errorMsg(args, `expected args: (atom result type space), found: ${String(args)}`)), b);
  const [atom, result, typ, spaceAtom] = a;
  if (result === S.notReducible) return once(ret(atom), b);
  if (result === S.empty) return once(ret(S.empty), b);
  if (isError(result)) return once(ret(result), b);
  const r = V.ret.fresh();
  return once(expr(S.chain, expr(S.metta, result, typ, spaceAtom), r, ret(r)), b);
};

// ---------------------------------------------------------------------------------------
// The machine

function atomToStack(atom: Atom, prev: Frame | undefined): Frame {
  if (atom.kind === Kind.Expr && atom.items.length > 0) {
    const op = atom.items[0];
    if (op === S.chain) return chainToStack(atom, prev);
    if (op === S.function) return functionToStack(atom, prev);
    if (op === S.unify) {
      if (atom.items.length !== 5) return finished(prev, errorMsg(atom, `expected: (unify <atom> <pattern> <then> <else>), found: ${show(atom)}`));
      return mkFrame(prev, atom, Ret.None, NO_VARS);
    }
  }
  return keepVars(prev, atom, Ret.None);
}

let show: (a: Atom) => string = String;
export function setPrinter(p: (a: Atom) => string): void {
  show = p;
}

const NESTED = sym('%Nested%');

function chainToStack(atom: Expr, prev: Frame | undefined): Frame {
  const it = atom.items;
  if (it.length !== 4 || it[2].kind !== Kind.Var) {
    return finished(prev, errorMsg(atom, `expected: (chain <nested> (: <var> Variable) <templ>), found: ${show(atom)}`));
  }
  const nested = it[1];
  const nv = varsOf(nested);
  const tv = varsOf(it[3]);
  const both = nv.filter((v) => tv.some((w) => w.key === v.key));
  const vars = addVars(prev === undefined ? NO_VARS : prev.vars, both);
  const cur = mkFrame(prev, expr(S.chain, NESTED, it[2], it[3]), Ret.Chain, vars);
  return atomToStack(nested, cur);
}

function functionToStack(atom: Expr, prev: Frame | undefined): Frame {
  if (atom.items.length !== 2 || atom.items[1].kind !== Kind.Expr) {
    return finished(prev, errorMsg(atom, `expected: (function (: <body> Expression)), found: ${show(atom)}`));
  }
  const cur = keepVars(prev, expr(S.function, NESTED), Ret.Function);
  return atomToStack(atom.items[1], cur);
}

function callToStack(call: Atom, vars: VarSet, prev: Frame | undefined): Frame {
  return mkFrame(prev, call, Ret.Call, addVars(vars, varsOf(call)));
}

/**
 * One interpretation: the plan of pending alternatives and the finished results.
 * @example
 * const it = new Interpreter(space, ctx, (metta (+ 1 2) %Undefined% &self)); it.run() // [3]
 */
export class Interpreter {
  private plan: Alt[] = [];
  private results: Atom[] = [];
  private readonly maxDepth: number;

  constructor(
    readonly space: Space,
    readonly ctx: EvalContext,
    atom: Atom,
  ) {
    this.plan.push({ frame: atomToStack(atom, undefined), b: Bindings.EMPTY });
    const md = ctx.settings.get('max-stack-depth');
    const n = md !== undefined && md.kind === Kind.Gnd && md.g.t === 'int' ? Number(md.g.v) : 0;
    this.maxDepth = n;
  }

  /** Symbol-type cache for `space`, valid until it or one of its layers changes. */
  typeCache(space: Space): Map<Atom, AtomType[]> {
    return typeCacheOf(space);
  }

  run(): Atom[] {
    const budget = this.ctx.budget;
    const limits = budget.limits;
    let n = 0;
    while (this.plan.length > 0) {
      const alt = this.plan.pop()!;
      const next = this.step(alt.frame, alt.b);
      for (const r of next) {
        if (r.frame.prev === undefined && r.frame.finished) {
          // hyperon's InterpreterState::push: a finished Empty is no result.
          const a = r.b.apply(r.frame.atom);
          if (a !== S.empty) this.results.push(a);
        }
        else this.plan.push(r);
      }
      if (++n === 256) {
        budget.tick(n);
        n = 0;
        if (this.plan.length > limits.maxAlternatives) throw new LimitError('alternatives', `more than ${limits.maxAlternatives} pending alternatives`);
      }
    }
    budget.tick(n);
    return this.results;
  }

  private step(frame: Frame, b: Bindings): Alt[] {
    if (frame.finished) {
      const prev = frame.prev;
      if (prev === undefined) return [{ frame, b }];
      const pv = prev.vars;
      const atom = b.apply(frame.atom);
      const rb = b.retain((v) => pv.includes(v.key));
      return this.returnTo(prev, atom, rb, frame.dummy === true);
    }
    if (frame.depth > this.ctx.budget.limits.maxDepth) {
      throw new LimitError('depth', `stack depth limit of ${this.ctx.budget.limits.maxDepth} exceeded (runaway recursion?)`);
    }
    const atom = frame.atom;
    if (atom.kind !== Kind.Expr || atom.items.length === 0) return done(frame.prev, atom, b);
    const op = atom.items[0];
    if (this.maxDepth > 0 && frame.depth >= this.maxDepth && op === S.metta) {
      return done(frame.prev, errorAtom(atom, S.stackOverflow), b);
    }
    switch (op) {
      case S.eval:
        return this.eval(frame, atom, b);
      case S.evalc:
        return this.evalc(frame, atom, b);
      case S.chain:
        return this.chain(frame, atom, b);
      case S.collapseBind:
        return this.collapseBind(frame, atom, b);
      case S.unify:
        return this.unify(frame, atom, b);
      case S.deconsAtom:
        return this.decons(frame, atom, b);
      case S.consAtom:
        return this.cons(frame, atom, b);
      case S.superposeBind:
        return this.superposeBind(frame, atom, b);
      case S.metta:
        return this.mettaSym(frame, atom, b);
      case S.contextSpace:
        return atom.items.length === 1
          ? done(frame.prev, spaceAtomOf(this.space), b)
          : done(frame.prev, errorMsg(atom, `expected: (context-space), found: ${show(atom)}`), b);
      case S.callNative:
        return this.callNativeSym(frame, atom, b);
      default:
        return done(frame.prev, atom, b);
    }
  }

  private returnTo(prev: Frame, atom: Atom, b: Bindings, fromDummy: boolean): Alt[] {
    switch (prev.ret) {
      case Ret.Call:
        return done(prev.prev, atom, b);
      case Ret.Chain: {
        const it = (prev.atom as Expr).items;
        const f: Frame = { ...prev, atom: expr(S.chain, atom, it[2], it[3]), collected: undefined };
        return [{ frame: f, b }];
      }
      case Ret.Function: {
        if (atom.kind === Kind.Expr && atom.items.length === 2 && atom.items[0] === S.return) return done(prev.prev, atom.items[1], b);
        if (isEmbeddedOp(atom)) return [{ frame: atomToStack(atom, prev), b }];
        const culprit = prev.prev !== undefined ? prev.prev.atom : atom;
        return done(prev.prev, errorAtom(culprit, S.noReturn), b);
      }
      case Ret.Collapse: {
        if (!fromDummy) {
          if (atom !== S.empty) prev.collected!.push(expr(atom, bindingsAtom(b)));
          return [];
        }
        return [{ frame: finished(prev.prev, new Expr(prev.collected!)), b: prev.startBindings! }];
      }
      default:
        throw new Error('Unexpected state: return to a frame without handler');
    }
  }

  private eval(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    if (atom.items.length !== 2) return done(frame.prev, errorMsg(atom, `expected: (eval <atom>), found: ${show(atom)}`), b);
    return this.evalImpl(atom.items[1], this.space, frame, b);
  }

  private evalc(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    const space = atom.items.length === 3 ? spaceOf(atom.items[2]) : undefined;
    if (space === undefined) return done(frame.prev, errorMsg(atom, `expected: (evalc <atom> <space>), found: ${show(atom)}`), b);
    return this.evalImpl(atom.items[1], space, frame, b);
  }

  private evalImpl(toEval0: Atom, space: Space, frame: Frame, b: Bindings): Alt[] {
    const prev = frame.prev;
    const toEval = b.apply(toEval0);
    if (toEval.kind === Kind.Expr && toEval.items.length > 0) {
      const head = toEval.items[0];
      if (head.kind === Kind.Gnd) {
        const g = head.g;
        if (g.t === 'op') return this.execute(g.v, toEval, space, frame, b);
        if (g.t !== 'other' || typeof g.v !== 'function') return this.query(space, prev, toEval, b, frame.vars);
      }
      if (isEmbeddedOp(toEval)) return [{ frame: atomToStack(toEval, prev), b }];
    }
    return this.query(space, prev, toEval, b, frame.vars);
  }

  private execute(op: GroundedOp, call: Expr, space: Space, frame: Frame, b: Bindings): Alt[] {
    const prev = frame.prev;
    const args = call.items.slice(1);
    const ctx = this.ctx.space === space ? this.ctx : this.ctx.withSpace(space);
    let results: Alt[];
    try {
      const callFrame = callToStack(call, frame.vars, prev);
      if (op.executeBindings !== undefined) {
        results = [];
        for (const r of op.executeBindings(args, ctx)) {
          const m = (r.bindings as Bindings).merge(b);
          if (m === undefined || m.hasLoops()) continue;
          results.push(evalResult(prev, m.apply(r.atom), callFrame, m));
        }
      } else {
        results = op.execute(args, ctx).map((r) => evalResult(prev, b.apply(r), callFrame, b));
      }
    } catch (e) {
      if (e instanceof ExecError) {
        if (e.kindOf === 'noReduce') return done(prev, S.notReducible, b);
        return done(prev, errorMsg(call, e.message), b);
      }
      throw e;
    }
    return results.length === 0 ? done(prev, S.empty, b) : results;
  }

  private query(space: Space, prev: Frame | undefined, toEval: Atom, b: Bindings, vars: VarSet): Alt[] {
    if (isVariableOp(toEval)) return done(prev, S.notReducible, b);
    const x = V.X.fresh();
    const found = space.query(expr(S.eq, toEval, x));
    if (found.length === 0) return done(prev, S.notReducible, b);
    const callFrame = callToStack(toEval, vars, prev);
    const out: Alt[] = [];
    for (const r of found) {
      const m = r.merge(b);
      if (m === undefined) continue;
      const res = m.resolve(x);
      if (res === undefined || m.hasLoops()) continue;
      out.push(evalResult(prev, res, callFrame, m));
    }
    return out.length === 0 ? done(prev, S.notReducible, b) : out;
  }

  private chain(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    const [, nested, v, templ] = atom.items;
    const sub = matchAtoms(v, nested) ?? Bindings.EMPTY;
    const t = substitute(templ, v as Var, nested, sub);
    const stack = atomToStack(t, frame.prev);
    if (stack.prev !== undefined && frame.vars.length > 0) stack.prev.vars = addVarKeys(stack.prev.vars, frame.vars);
    return [{ frame: stack, b }];
  }

  private collapseBind(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    if (atom.items.length !== 2) return done(frame.prev, errorMsg(atom, `expected: (collapse-bind <atom>), found: ${show(atom)}`), b);
    const cf = mkFrame(frame.prev, atom, Ret.Collapse, frame.vars);
    cf.collected = [];
    cf.startBindings = b;
    const cur = atomToStack(atom.items[1], cf);
    const dummy = finished(cf, S.empty);
    dummy.dummy = true;
    return [{ frame: dummy, b }, { frame: cur, b }];
  }

  private unify(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    const [, a, p, then, els] = atom.items;
    const m = matchAtoms(a, p, b);
    if (m === undefined || m.hasLoops()) return done(frame.prev, els, b);
    return done(frame.prev, m.apply(then), m);
  }

  private decons(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    const e = atom.items[1];
    if (atom.items.length !== 2 || e.kind !== Kind.Expr || e.items.length === 0) {
      return done(frame.prev, errorMsg(atom, `expected: (decons-atom (: <expr> Expression)), found: ${show(atom)}`), b);
    }
    return done(frame.prev, expr(e.items[0], new Expr(e.items.slice(1))), b);
  }

  private cons(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    const t = atom.items[2];
    if (atom.items.length !== 3 || t.kind !== Kind.Expr) {
      return done(frame.prev, errorMsg(atom, `expected: (cons-atom <head> (: <tail> Expression)), found: ${show(atom)}`), b);
    }
    return done(frame.prev, new Expr([atom.items[1], ...t.items]), b);
  }

  private superposeBind(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    const c = atom.items[1];
    if (atom.items.length !== 2 || c.kind !== Kind.Expr) {
      return done(frame.prev, errorMsg(atom, `expected: (superpose-bind (: <collapsed> Expression)), found: ${show(atom)}`), b);
    }
    const out: Alt[] = [];
    for (const p of c.items) {
      const [a, pb] = unpair(p);
      const m = pb.merge(b);
      if (m === undefined || m.hasLoops()) continue;
      out.push({ frame: finished(frame.prev, a), b: m });
    }
    return out;
  }

  private mettaSym(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    if (atom.items.length !== 4 || spaceOf(atom.items[3]) === undefined) {
      return done(frame.prev, errorMsg(atom, `expected: (metta atom type space), found: ${show(atom)}`), b);
    }
    return [{ frame: atomToStack(callNative('metta_impl', mettaImpl, new Expr(atom.items.slice(1))), frame.prev), b }];
  }

  private callNativeSym(frame: Frame, atom: Expr, b: Bindings): Alt[] {
    const [, name, fn, args] = atom.items;
    if (atom.items.length !== 4 || fn.kind !== Kind.Gnd || fn.g.t !== 'other' || typeof fn.g.v !== 'function') {
      return done(frame.prev, errorMsg(atom, `expected: (call-native func args), found: ${show(atom)}`), b);
    }
    const callFrame = callToStack(expr(name, args), frame.vars, frame.prev);
    return (fn.g.v as Native)(args, b, this).map(([a, nb]) => ({ frame: atomToStack(a, callFrame), b: nb }));
  }
}

function addVarKeys(set: VarSet, keys: VarSet): VarSet {
  let out: number[] | undefined;
  for (const k of keys) {
    if ((out ?? set).includes(k)) continue;
    out ??= set.slice();
    out.push(k);
  }
  return out ?? set;
}

function evalResult(prev: Frame | undefined, res: Atom, callFrame: Frame, b: Bindings): Alt {
  if (res.kind === Kind.Expr && res.items.length > 0 && res.items[0] === S.function) {
    const stack = functionToStack(res, callFrame);
    const cv = callFrame.vars;
    const nb = b.retain((v) => cv.includes(v.key));
    stack.atom = b.apply(stack.atom);
    return { frame: stack, b: nb };
  }
  return { frame: finished(prev, res), b };
}

/** Replaces `v` by `value` in `templ` (chain's substitution). */
function substitute(templ: Atom, v: Var, value: Atom, _sub: Bindings): Atom {
  if (templ.kind === Kind.Var) return templ.key === v.key ? value : templ;
  if (templ.kind !== Kind.Expr) return templ;
  let out: Atom[] | undefined;
  const items = templ.items;
  for (let i = 0; i < items.length; i++) {
    const c = items[i];
    const r = c.kind === Kind.Var || c.kind === Kind.Expr ? substitute(c, v, value, _sub) : c;
    if (r !== c && out === undefined) out = items.slice(0, i);
    if (out !== undefined) out.push(r);
  }
  return out === undefined ? templ : new Expr(out);
}

/** Installs the `if-equal` operation used inside the native strategy. */
export function setIfEqualOp(op: Gnd): void {
  IF_EQUAL_REF.op = op;
}

export { UNIT };
