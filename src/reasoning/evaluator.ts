/**
 * The native MeTTa evaluator: hyperon's `metta` evaluation (interpreter.rs `metta_impl`,
 * `interpret_expression`, `interpret_tuple`, `interpret_function`, `interpret_args`,
 * `metta_call`, `metta_call_return`) and the minimal-MeTTa instructions (`eval`, `chain`,
 * `unify`, `function`/`return`, `collapse-bind`, `superpose-bind`, `cons-atom`, `decons-atom`,
 * `context-space`) written as direct steps over typed continuation frames, instead of the
 * reference machine's instruction atoms (interpreter.ts) that are built, substituted and
 * re-read at every step.
 *
 * The observable semantics are the reference's, step for step where order matters: pending
 * alternatives live on one LIFO plan (a step that yields n alternatives pushes them in order,
 * so the last runs first, depth first), every `metta` of an expression collects all its
 * alternatives (collapse-bind), keeps the successes or else the errors (check_alternatives)
 * and hands them on as alternatives again. Bindings flow with each alternative and are cut
 * back to the variables still in scope where hyperon's frames would cut them.
 * Nothing here recurses on the JS stack per MeTTa call; every step is counted against the
 * run's budget, and the chain of pending continuations against the depth limit.
 */
import {
  type Atom, Expr, ExecError, Gnd, type GroundedOp, Kind, S, Var, atomEq, errorAtom, expr, isError, metaType, sym, varsOf,
} from './atom.ts';
import { Bindings, atomsAreEquivalent, matchAtoms } from './bindings.ts';
import { type Budget, type EvalContext, LimitError, isEmbeddedOp, isVariableOp, spaceAtomOf, spaceOf } from './context.ts';
import { type Space, currentEpoch } from './space.ts';
import { type AtomType, atomTypes, checkApplication, isFunctionType, matchTypes, typeCacheOf } from './types.ts';

/** Variable keys that are still referenced by pending work (hyperon's per-frame `vars`). */
type Scope = readonly number[];
const NO_SCOPE: Scope = [];

function scopeWith(scope: Scope, a: Atom): Scope {
  const vs = varsOf(a);
  if (vs.length === 0) return scope;
  let out: number[] | undefined;
  for (const v of vs) {
    if ((out ?? scope).includes(v.key)) continue;
    out ??= scope.slice();
    out.push(v.key);
  }
  return out ?? scope;
}

function retainTo(b: Bindings, scope: Scope): Bindings {
  if (b.isEmpty) return b;
  return b.retain((v) => scope.includes(v.key));
}

let show: (a: Atom) => string = String;
/** Sets the printer used in error messages (the runner installs `atomToString`). */
export function setEvaluatorPrinter(p: (a: Atom) => string): void {
  show = p;
}

const errorMsg = (atom: Atom, msg: string): Atom => errorAtom(atom, sym(msg));
const X_VAR = new Var('X');

// ---------------------------------------------------------------------------------------
// Continuations

/**
 * What happens to a result: each frame kind's `ret` is one step of the machine. Frame kinds are
 * separate classes, not subclasses: tsx and wrangler build with esbuild's `keepNames`, which
 * redefines each class's `name`, and that puts every `super()` call on V8's slow path (~10x).
 */
interface Frame {
  readonly next: Frame | undefined;
  /** Variables still referenced by pending work (hyperon's frame `vars`). */
  readonly scope: Scope;
  /** Pending continuations up to the top, checked against the depth limit. */
  readonly depth: number;
  ret(m: Machine, a: Atom, b: Bindings): Task | undefined;
  /** Runs once every alternative under this frame is done (collecting frames only). */
  finish(m: Machine): Task | undefined;
}

const depthOf = (next: Frame | undefined): number => (next === undefined ? 1 : next.depth + 1);

/** The end of the evaluation: results in completion order, `Empty` dropped. */
class TopFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly results: Atom[];
  constructor(scope: Scope) {
    this.next = undefined;
    this.scope = scope;
    this.depth = depthOf(undefined);
    this.results = [];
  }
  ret(_m: Machine, a: Atom, b: Bindings): undefined {
    const r = b.isEmpty ? a : b.apply(a);
    if (r !== S.empty) this.results.push(r);
    return undefined;
  }
  finish(): undefined {
    return undefined;
  }
}

/**
 * `metta` of an expression: every alternative is collected, then checked (collapse-bind +
 * check_alternatives). The inside runs from empty bindings over the expression with the outer
 * bindings applied: it can reach no other variable, so its results' bindings, cut to the
 * expression's variables, are merged back into the outer ones here. Same results as carrying
 * everything down, without bindings that grow with the depth of the recursion.
 */
class CollectFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  /** The first result and its bindings; later ones in `more` (most evaluations have one). */
  declare first: Atom | undefined;
  declare firstB: Bindings;
  declare more: [Atom, Bindings][] | undefined;
  /** The expression as `metta` received it (check_alternatives compares results to it). */
  declare readonly orig: Expr;
  /** The bindings outside. */
  declare readonly outer: Bindings;
  constructor(next: Frame, scope: Scope, orig: Expr, outer: Bindings) {
    this.next = next;
    this.scope = scope;
    this.depth = depthOf(next);
    this.first = undefined;
    this.firstB = Bindings.EMPTY;
    this.more = undefined;
    this.orig = orig;
    this.outer = outer;
  }
  ret(_m: Machine, a: Atom, b: Bindings): undefined {
    if (!b.isEmpty) {
      a = b.apply(a);
      b = retainTo(b, this.scope);
    }
    if (a === S.empty) return undefined;
    if (this.first === undefined) {
      this.first = a;
      this.firstB = b;
    } else (this.more ??= []).push([a, b]);
    return undefined;
  }
  finish(m: Machine): Task | undefined {
    const first = this.first;
    if (first === undefined) return undefined;
    if (this.more === undefined) {
      const b = this.firstB.isEmpty ? this.outer : this.outer.merge(this.firstB);
      return b === undefined ? undefined : m.now(this.next!, isError(first) ? first : this.checked(first), b);
    }
    const succ: Task[] = [];
    const errs: Task[] = [];
    const next = this.next!;
    this.more.unshift([first, this.firstB]);
    for (const [a, inner] of this.more) {
      const b = inner.isEmpty ? this.outer : this.outer.merge(inner);
      if (b === undefined) continue;
      if (isError(a)) errs.push(retTask(next, a, b));
      else succ.push(retTask(next, this.checked(a), b));
    }
    return m.split(succ.length > 0 ? succ : errs);
  }
  /** A result equal to the expression itself is marked evaluated (check_alternatives). */
  private checked(a: Atom): Atom {
    if (a.kind !== Kind.Expr || !atomEq(this.orig, a)) return a;
    const r = new Expr(a.items);
    r.evaluated = true;
    return r;
  }
}

/** `interpret_tuple`: each member evaluated in turn; the rebuilt tuple goes to `metta_call`. */
class TupleFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly collect: CollectFrame;
  declare readonly items: Atom[];
  declare readonly idx: number;
  declare readonly built: Atom[];
  declare readonly typ: Atom;
  declare readonly space: Space;
  constructor(collect: CollectFrame, scope: Scope, items: Atom[], idx: number, built: Atom[], typ: Atom, space: Space) {
    this.next = collect;
    this.scope = scope;
    this.depth = depthOf(collect);
    this.collect = collect;
    this.items = items;
    this.idx = idx;
    this.built = built;
    this.typ = typ;
    this.space = space;
  }
  ret(m: Machine, a: Atom, b: Bindings): Task | undefined {
    if (!b.isEmpty) a = b.apply(a);
    const built = this.built.slice();
    return tupleFrom(m, this.collect, this.scope, this.items, this.idx, built, a, this.typ, this.space, b);
  }
  finish(): undefined {
    return undefined;
  }
}

/**
 * interpret_tuple from member `idx`, whose evaluated value is `a`: a symbol, grounded atom or
 * variable evaluates to itself at once, so runs of them are taken here without a step each;
 * an expression member is evaluated by a nested `metta` that returns to a new TupleFrame.
 */
function tupleFrom(m: Machine, c: CollectFrame, scope: Scope, items: Atom[], idx: number, built: Atom[], a: Atom, typ: Atom, space: Space, b: Bindings): Task | undefined {
  for (;;) {
    // return_on_error on each member's value: Empty or an error ends the tuple.
    if (a === S.empty || isError(a)) return m.mettaCall(a, typ, space, b, c);
    built.push(a);
    scope = scopeWith(scope, a);
    const i = ++idx;
    if (i === items.length) break;
    const next = items[i];
    if (next.kind === Kind.Expr) {
      const f = new TupleFrame(c, scope, items, i, built, typ, space);
      return m.metta(next, S.undefined, space, b, f);
    }
    a = next;
  }
  // interpret_tuple recurses on the tail and checks each evaluated tail with return_on_error:
  // a tail whose first member evaluated to the symbol Error is "an error", the innermost wins.
  for (let j = built.length - 1; j >= 1; j--) {
    if (built[j] === S.error) return m.mettaCall(new Expr(built.slice(j)), typ, space, b, c);
  }
  const reduced = new Expr(built);
  return m.mettaCall(b.isEmpty ? reduced : b.apply(reduced), typ, space, b, c);
}

class ArgsFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly collect: CollectFrame;
  declare readonly call: Expr;
  declare readonly opType: Expr;
  /** Index of the next argument in `call` (and of its type in `opType`); 0 for the operation. */
  declare readonly idx: number;
  declare readonly built: Atom[];
  declare readonly typ: Atom;
  declare readonly retType: Atom;
  declare readonly space: Space;
  constructor(collect: CollectFrame, scope: Scope, call: Expr, opType: Expr, idx: number, built: Atom[], typ: Atom, retType: Atom, space: Space) {
    this.next = collect;
    this.scope = scope;
    this.depth = depthOf(collect);
    this.collect = collect;
    this.call = call;
    this.opType = opType;
    this.idx = idx;
    this.built = built;
    this.typ = typ;
    this.retType = retType;
    this.space = space;
  }
  ret(m: Machine, a: Atom, b: Bindings): Task | undefined {
    if (!b.isEmpty) a = b.apply(a);
    if (this.idx === 0) {
      // The operation itself (return_on_error).
      if (a === S.empty || isError(a)) return m.mettaCall(a, this.retType, this.space, b, this.collect);
    } else {
      const arg = this.call.items[this.idx];
      // if-equal: an argument that evaluates to itself is taken as it is, even an Error.
      if (!atomsAreEquivalent(a, b.isEmpty ? arg : b.apply(arg)) && (a === S.empty || isError(a))) {
        return m.mettaCall(a, this.retType, this.space, b, this.collect);
      }
    }
    const built = this.built.slice();
    built.push(a);
    return m.interpretArgs(this.collect, this.call, this.opType, this.typ, this.retType, this.space, this.idx + 1, built, scopeWith(this.scope, a), b);
  }
  finish(): undefined {
    return undefined;
  }
}

/** `metta_call_return`: what evaluating the reduced call returned. */
class CallFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly reduced: Atom;
  declare readonly typ: Atom;
  declare readonly space: Space;
  constructor(next: Frame, reduced: Atom, typ: Atom, space: Space) {
    this.next = next;
    this.scope = next.scope;
    this.depth = depthOf(next);
    this.reduced = reduced;
    this.typ = typ;
    this.space = space;
  }
  ret(m: Machine, a: Atom, b: Bindings): Task | undefined {
    if (!b.isEmpty) a = b.apply(a);
    if (a === S.notReducible) return m.now(this.next!, this.reduced, b);
    if (a === S.empty || isError(a)) return m.now(this.next!, a, b);
    return m.metta(a, this.typ, this.space, b, this.next!);
  }
  finish(): undefined {
    return undefined;
  }
}

/** `(chain <nested> $v <templ>)` once `<nested>` returned. */
class ChainFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly v: Var;
  declare readonly templ: Atom;
  constructor(next: Frame, scope: Scope, v: Var, templ: Atom) {
    this.next = next;
    this.scope = scope;
    this.depth = depthOf(next);
    this.v = v;
    this.templ = templ;
  }
  ret(m: Machine, a: Atom, b: Bindings): Task {
    if (!b.isEmpty) a = b.apply(a);
    return minTask(substitute(this.templ, this.v, a), b, this.next!);
  }
  finish(): undefined {
    return undefined;
  }
}

/** `(function <body>)`: runs until `(return x)`; an instruction returned is run in its place. */
class FunctionFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly culprit: Atom;
  constructor(next: Frame, scope: Scope, culprit: Atom) {
    this.next = next;
    this.scope = scope;
    this.depth = depthOf(next);
    this.culprit = culprit;
  }
  ret(m: Machine, a: Atom, b: Bindings): Task {
    if (!b.isEmpty) a = b.apply(a);
    if (a.kind === Kind.Expr && a.items.length === 2 && a.items[0] === S.return) return m.now(this.next!, a.items[1], b);
    if (isEmbeddedOp(a)) return minTask(a, b, this);
    return m.now(this.next!, errorAtom(this.culprit, S.noReturn), b);
  }
  finish(): undefined {
    return undefined;
  }
}

/** `(collapse-bind <atom>)`: `(<result> <bindings>)` pairs, `Empty` dropped. */
class CollapseBindFrame implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly items: Atom[];
  declare readonly start: Bindings;
  constructor(next: Frame, scope: Scope, start: Bindings) {
    this.next = next;
    this.scope = scope;
    this.depth = depthOf(next);
    this.items = [];
    this.start = start;
  }
  ret(_m: Machine, a: Atom, b: Bindings): undefined {
    if (!b.isEmpty) {
      a = b.apply(a);
      b = retainTo(b, this.scope);
    }
    if (a !== S.empty) this.items.push(expr(a, bindingsAtom(b)));
    return undefined;
  }
  finish(m: Machine): Task {
    return m.now(this.next!, new Expr(this.items), this.start);
  }
}


function bindingsAtom(b: Bindings): Gnd {
  return new Gnd({ t: 'other', v: b, name: b.toString(), type: S.undefined });
}

// ---------------------------------------------------------------------------------------
// Tasks: one pending step

const enum T {
  Ret = 0,
  Metta = 1,
  Min = 2,
  Finish = 3,
  Tuple = 4,
  Function = 5,
}

class Task {
  declare t: T;
  declare k: Frame;
  declare a: Atom;
  declare b: Bindings;
  declare typ: Atom | undefined;
  declare space: Space | undefined;
  constructor(t: T, k: Frame, a: Atom, b: Bindings, typ: Atom | undefined, space: Space | undefined) {
    this.t = t;
    this.k = k;
    this.a = a;
    this.b = b;
    this.typ = typ;
    this.space = space;
  }
}

const retTask = (k: Frame, a: Atom, b: Bindings): Task => new Task(T.Ret, k, a, b, undefined, undefined);
const minTask = (a: Atom, b: Bindings, k: Frame): Task => new Task(T.Min, k, a, b, undefined, undefined);
const DUMMY_ATOM: Atom = S.empty;

/** Replaces `v` by `value` in `templ` (chain's substitution). */
function substitute(templ: Atom, v: Var, value: Atom): Atom {
  if (templ.kind === Kind.Var) return templ.key === v.key ? value : templ;
  if (templ.kind !== Kind.Expr || varsOf(templ).length === 0) return templ;
  const items = templ.items;
  let out: Atom[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const c = items[i];
    const r = c.kind === Kind.Var || c.kind === Kind.Expr ? substitute(c, v, value) : c;
    if (r !== c && out === undefined) out = items.slice(0, i);
    if (out !== undefined) out.push(r);
  }
  return out === undefined ? templ : new Expr(out);
}

// ---------------------------------------------------------------------------------------
// The machine

/**
 * One evaluation: the plan of pending alternatives and the steps that advance them.
 * @example
 * new Machine(space, ctx).evaluate(parse('(+ 1 2)')) // [3]
 */
export class Machine {
  private readonly plan: Task[] = [];
  private readonly budget: Budget;
  private readonly maxDepth: number;
  private readonly maxAlternatives: number;
  /** `max-stack-depth` pragma (0: none). */
  private readonly stackDepth: number;
  /** The last space's type cache, reused while no space changed (global epoch). */
  private cacheSpace: Space | undefined;
  private cacheEpoch = -1;
  private cache: Map<Atom, AtomType[]> | undefined;

  constructor(
    /** The interpreter's space: `&self`, `context-space`, `eval`. */
    readonly space: Space,
    readonly ctx: EvalContext,
  ) {
    this.budget = ctx.budget;
    this.maxDepth = ctx.budget.limits.maxDepth;
    this.maxAlternatives = ctx.budget.limits.maxAlternatives;
    const md = ctx.settings.get('max-stack-depth');
    this.stackDepth = md !== undefined && md.kind === Kind.Gnd && md.g.t === 'int' ? Number(md.g.v) : 0;
  }

  /** All results of `(metta atom %Undefined% space)`, in hyperon's order. */
  evaluate(atom: Atom, typ: Atom = S.undefined): Atom[] {
    const top = this.begin(atom, typ);
    this.advance(Infinity);
    return top.results;
  }

  /**
   * Like `evaluate`, but hands the event loop back (`pause()`) about every `sliceMs` of work,
   * so a long evaluation does not hold up other requests. Nested evaluations (`case`,
   * `capture`) run to the end within their slice.
   */
  async evaluateAsync(atom: Atom, sliceMs: number, pause: () => Promise<void>): Promise<Atom[]> {
    const top = this.begin(atom, S.undefined);
    while (!this.advance(sliceMs)) await pause();
    return top.results;
  }

  /** The task to run next; between `advance` calls the evaluation is paused here. */
  private current: Task | undefined;

  private begin(atom: Atom, typ: Atom): TopFrame {
    const top = new TopFrame(scopeWith(NO_SCOPE, atom));
    this.current = new Task(T.Metta, top, atom, Bindings.EMPTY, typ, this.space);
    return top;
  }

  /** Runs for up to `sliceMs`; true when the evaluation is finished. */
  private advance(sliceMs: number): boolean {
    const plan = this.plan;
    const until = sliceMs === Infinity ? Infinity : performance.now() + sliceMs;
    let n = 0;
    let task = this.current;
    for (;;) {
      while (task !== undefined) {
        task = this.step(task);
        if (++n === 512) {
          this.budget.tick(n);
          n = 0;
          if (plan.length > this.maxAlternatives) throw new LimitError('alternatives', `more than ${this.maxAlternatives} pending alternatives`);
          if (until !== Infinity && performance.now() >= until) {
            // The scratch task is reused by the next step: keep a copy while paused.
            this.current = task === this.scratch ? new Task(T.Ret, task.k, task.a, task.b, undefined, undefined) : task;
            return false;
          }
        }
      }
      task = plan.pop();
      if (task === undefined) break;
    }
    this.current = undefined;
    this.budget.tick(n);
    return true;
  }

  private step(task: Task): Task | undefined {
    switch (task.t) {
      case T.Ret:
        return task.k.ret(this, task.a, task.b);
      case T.Metta:
        return this.metta(task.a, task.typ!, task.space!, task.b, task.k);
      case T.Min:
        return this.minimal(task.a, task.b, task.k);
      case T.Finish:
        return task.k.finish(this);
      case T.Tuple: {
        const s = task.k as TupleStart;
        return this.interpretTuple(s.e, s.typ, s.space, task.b, s.collect);
      }
      case T.Function: {
        const s = task.k as FunctionStart;
        return this.interpretFunction(s.e, s.opType, s.typ, s.retType, s.space, task.b, s.collect, s.onlyType);
      }
    }
  }

  private typeCache(space: Space): Map<Atom, AtomType[]> {
    const epoch = currentEpoch();
    if (space !== this.cacheSpace || epoch !== this.cacheEpoch || this.cache === undefined) {
      this.cache = typeCacheOf(space);
      this.cacheSpace = space;
      this.cacheEpoch = epoch;
    }
    return this.cache;
  }

  /** The one result to continue with at once: a reused task, never pushed on the plan. */
  now(k: Frame, a: Atom, b: Bindings): Task {
    const t = this.scratch;
    t.k = k;
    t.a = a;
    t.b = b;
    return t;
  }
  private readonly scratch = new Task(T.Ret, undefined as never, S.empty, Bindings.EMPTY, undefined, undefined);

  /** Continues with the only alternative, or pushes them all (the last runs first). */
  split(tasks: Task[]): Task | undefined {
    if (tasks.length === 1) return tasks[0];
    for (const t of tasks) this.plan.push(t);
    return undefined;
  }

  private checkDepth(k: Frame): void {
    if (k.depth > this.maxDepth) throw new LimitError('depth', `stack depth limit of ${this.maxDepth} exceeded (runaway recursion?)`);
  }

  // -------------------------------------------------------------------------------------
  // metta

  /** hyperon's `metta_impl`: evaluates `atom` expecting `typ`, results to `k`. */
  metta(atom: Atom, typ: Atom, space: Space, b: Bindings, k: Frame): Task | undefined {
    if (typ === S.atom) return this.now(k, atom, b);
    switch (atom.kind) {
      case Kind.Var:
        return this.now(k, atom, b);
      case Kind.Sym:
      case Kind.Gnd:
        // Every atom has at least one type and %Undefined% matches each: no lookup needed.
        if (typ === S.undefined || typ === metaType(atom)) return this.now(k, atom, b);
        return this.typeCast(atom, typ, space, b, k);
      case Kind.Expr: {
        if (typ === S.expression || atom.evaluated) return this.now(k, atom, b);
        this.checkDepth(k);
        if (this.stackDepth > 0 && k.depth >= this.stackDepth) {
          return this.now(k, errorAtom(expr(S.metta, atom, typ, spaceAtomOf(space)), S.stackOverflow), b);
        }
        if (this.isInertData(atom, space)) {
          const r = new Expr(atom.items);
          r.evaluated = true;
          return this.now(k, r, b);
        }
        const e = b.isEmpty ? atom : (b.apply(atom) as Expr);
        const t = b.isEmpty ? typ : b.apply(typ);
        const c = new CollectFrame(k, scopeWith(scopeWith(NO_SCOPE, e), t), atom, b);
        this.plan.push(new Task(T.Finish, c, DUMMY_ATOM, b, undefined, undefined));
        return this.interpretExpression(e, t, space, Bindings.EMPTY, c);
      }
    }
  }

  /**
   * A tuple that evaluates to itself: a symbol head with no declared type, members that are
   * symbols or grounded values (none Empty, no Error after the head) and no equation that
   * matches. The full path (collect, interpret_tuple, metta_call, no match, check_alternatives)
   * returns it unchanged and marked evaluated, so that is done here in one step.
   */
  private isInertData(e: Expr, space: Space): boolean {
    const items = e.items;
    if (items.length === 0 || varsOf(e).length !== 0) return false;
    const head = items[0];
    if (head.kind !== Kind.Sym || head === S.empty) return false;
    for (let i = 1; i < items.length; i++) {
      const a = items[i];
      if (a.kind === Kind.Expr || a === S.empty || a === S.error) return false;
    }
    const types = atomTypes(space, head, this.typeCache(space));
    if (types.length !== 1 || types[0].type !== S.undefined || types[0].error !== undefined) return false;
    const bodies = space.equations(e);
    return bodies !== undefined && bodies.length === 0;
  }

  private typeCast(atom: Atom, typ: Atom, space: Space, b: Bindings, k: Frame): Task | undefined {
    if (typ === metaType(atom)) return this.now(k, atom, b);
    const errors: Task[] = [];
    for (const t of atomTypes(space, atom, this.typeCache(space))) {
      if (t.error !== undefined) continue;
      const m = matchTypes(typ, t.type, b);
      if (m !== undefined) return this.now(k, atom, m);
      errors.push(retTask(k, errorAtom(atom, expr(S.badType, typ, t.type)), b));
    }
    return this.split(errors);
  }

  private interpretExpression(e: Expr, typ: Atom, space: Space, b: Bindings, c: CollectFrame): Task | undefined {
    if (e.items.length === 0) return this.typeCast(e, typ, space, b, c);
    const cache = this.typeCache(space);
    const opTypes = atomTypes(space, e.items[0], cache);
    let allErrors = true;
    let hasTuple = false;
    let hasFn = false;
    let validTypes = 0;
    for (const t of opTypes) {
      if (t.error === undefined) {
        allErrors = false;
        validTypes++;
        if (isFunctionType(t.type)) hasFn = true;
        else hasTuple = true;
      }
      if (t.type === S.undefined) hasTuple = true;
    }
    if (allErrors) return this.split(opTypes.map((t) => retTask(c, t.error!, b)));
    if (!hasFn) return this.interpretTuple(e, typ, space, b, c);
    const out: Task[] = [];
    if (hasTuple) out.push(new Task(T.Tuple, new TupleStart(c, e, typ, space), e, b, undefined, undefined));
    const errors: Task[] = [];
    for (const ft of opTypes) {
      if (ft.error !== undefined || !isFunctionType(ft.type)) continue;
      for (const r of checkApplication(space, e, ft.type, typ, b, cache)) {
        if (r.error === undefined) {
          const retType = r.ret === S.expression ? S.undefined : r.ret!;
          out.push(new Task(T.Function, new FunctionStart(c, e, ft.type, typ, retType, space, validTypes === 1), e, r.bindings, undefined, undefined));
          return this.split(out);
        }
        errors.push(retTask(c, r.error, r.bindings));
      }
    }
    for (const t of errors) out.push(t);
    return this.split(out);
  }

  interpretTuple(e: Expr, typ: Atom, space: Space, b: Bindings, c: CollectFrame): Task | undefined {
    const head = e.items[0];
    if (head.kind !== Kind.Expr) return tupleFrom(this, c, c.scope, e.items, 0, [], head, typ, space, b);
    const f = new TupleFrame(c, c.scope, e.items, 0, [], typ, space);
    return this.metta(head, S.undefined, space, b, f);
  }

  interpretFunction(e: Expr, opType: Expr, typ: Atom, retType: Atom, space: Space, b: Bindings, c: CollectFrame, onlyType: boolean): Task | undefined {
    const head = e.items[0];
    // `opType` is one of the head's own types, so casting a symbol or grounded head to it
    // succeeds; when it is the only type, or has no variables, the cast binds nothing that is
    // ever read again (only fresh type variables), so the head is taken as it is.
    if (head.kind !== Kind.Expr && head.kind !== Kind.Var && head !== S.empty && (onlyType || varsOf(opType).length === 0)) {
      return this.interpretArgs(c, e, opType, typ, retType, space, 1, [head], c.scope, b);
    }
    const f = new ArgsFrame(c, c.scope, e, opType, 0, [], typ, retType, space);
    return this.metta(head, opType, space, b, f);
  }

  /** `interpret_args` from argument `idx` on; the reduced call (or an error/Empty) goes to `metta_call`. */
  interpretArgs(c: CollectFrame, call: Expr, opType: Expr, typ: Atom, retType: Atom, space: Space, idx: number, built: Atom[], scope: Scope, b: Bindings): Task | undefined {
    const args = call.items;
    const types = opType.items;
    for (;;) {
      if (idx >= types.length) return this.mettaCall(errorAtom(call, S.incorrectArgs), retType, space, b, c);
      if (idx === args.length) {
        if (idx !== types.length - 1) return this.mettaCall(errorAtom(call, S.incorrectArgs), retType, space, b, c);
        const m = matchTypes(types[idx], typ, b);
        if (m === undefined) return this.mettaCall(errorAtom(call, S.badType), retType, space, b, c);
        return this.mettaCall(new Expr(built), retType, space, m, c);
      }
      const arg = args[idx];
      // interpret_args sees its formal types with the bindings so far applied: `(== (cdr-atom (a)) ())`
      // binds `$t` to Expression from the first argument's type, so neither argument is evaluated.
      const formal = b.isEmpty ? types[idx] : b.apply(types[idx]);
      // A variable, symbol or grounded argument evaluates to itself when its type cast succeeds,
      // and is then taken as it is: done here without a step (a failing cast takes the general
      // path below, which yields its errors).
      if (arg.kind !== Kind.Expr) {
        const m = arg.kind === Kind.Var ? b : this.castAtomic(arg, formal, space, b);
        if (m !== undefined) {
          b = m;
          const a = b.isEmpty ? arg : b.apply(arg);
          built.push(a);
          scope = scopeWith(scope, a);
          idx++;
          continue;
        }
      }
      const next = new ArgsFrame(c, scope, call, opType, idx, built, typ, retType, space);
      return this.metta(arg, formal, space, b, next);
    }
  }

  /** The bindings after casting a symbol or grounded atom to `typ` (as `metta` would), or undefined when the cast fails. */
  private castAtomic(atom: Atom, typ: Atom, space: Space, b: Bindings): Bindings | undefined {
    if (typ === S.atom || typ === S.undefined || typ === metaType(atom)) return b;
    for (const t of atomTypes(space, atom, this.typeCache(space))) {
      if (t.error !== undefined) continue;
      const m = matchTypes(typ, t.type, b);
      if (m !== undefined) return m;
    }
    return undefined;
  }

  /** hyperon's `metta_call`: evaluate the reduced call, then the result (metta_call_return). */
  mettaCall(reduced: Atom, typ: Atom, space: Space, b: Bindings, k: Frame): Task | undefined {
    if (isError(reduced)) return this.now(k, reduced, b);
    return this.eval(reduced, space, b, new CallFrame(k, reduced, typ, space));
  }

  // -------------------------------------------------------------------------------------
  // eval: grounded call, embedded instruction or equation query

  private eval(atom: Atom, space: Space, b: Bindings, k: Frame): Task | undefined {
    const toEval = b.isEmpty ? atom : b.apply(atom);
    if (toEval.kind === Kind.Expr && toEval.items.length > 0) {
      const head = toEval.items[0];
      if (head.kind === Kind.Gnd) {
        const g = head.g;
        if (g.t === 'op') return this.execute(g.v, toEval, space, b, k);
        if (g.t !== 'other' || typeof g.v !== 'function') return this.query(space, toEval, b, k);
      }
      if (isEmbeddedOp(toEval)) return minTask(toEval, b, k);
    }
    return this.query(space, toEval, b, k);
  }

  private execute(op: GroundedOp, call: Expr, space: Space, b: Bindings, k: Frame): Task | undefined {
    const args = call.items.slice(1);
    const ctx = this.ctx.space === space ? this.ctx : this.ctx.withSpace(space);
    const out: Task[] = [];
    try {
      if (op.executeBindings !== undefined) {
        for (const r of op.executeBindings(args, ctx)) {
          const m = (r.bindings as Bindings).merge(b);
          if (m === undefined || m.hasLoops()) continue;
          out.push(this.evalResult(m.apply(r.atom), m, call, k));
        }
      } else {
        const rs = op.execute(args, ctx);
        if (rs.length === 1) {
          const r = rs[0];
          return this.evalResult(b.isEmpty ? r : b.apply(r), b, call, k);
        }
        for (const r of rs) out.push(this.evalResult(b.isEmpty ? r : b.apply(r), b, call, k));
      }
    } catch (e) {
      if (e instanceof ExecError) return this.now(k, e.kindOf === 'noReduce' ? S.notReducible : errorMsg(call, e.message), b);
      throw e;
    }
    return out.length === 0 ? this.now(k, S.empty, b) : this.split(out);
  }

  private query(space: Space, toEval: Atom, b: Bindings, k: Frame): Task | undefined {
    if (isVariableOp(toEval)) return this.now(k, S.notReducible, b);
    const bodies = space.equations(toEval);
    if (bodies !== undefined) {
      if (bodies.length === 0) return this.now(k, S.notReducible, b);
      if (bodies.length === 1) return this.evalResult(bodies[0], b, toEval, k);
      return this.split(bodies.map((r) => this.evalResult(r, b, toEval, k)));
    }
    const x = X_VAR.fresh();
    const out: Task[] = [];
    for (const r of space.query(expr(S.eq, toEval, x))) {
      const m = r.merge(b);
      if (m === undefined) continue;
      const res = m.resolve(x);
      if (res === undefined || m.hasLoops()) continue;
      out.push(this.evalResult(res, m.size === 1 ? Bindings.EMPTY : m.retain((v) => v.key !== x.key), toEval, k));
    }
    return out.length === 0 ? retTask(k, S.notReducible, b) : this.split(out);
  }

  /** A call's result: a `(function ...)` body runs as minimal MeTTa, anything else is returned. */
  private evalResult(res: Atom, b: Bindings, call: Atom, k: Frame): Task {
    if (res.kind === Kind.Expr && res.items.length > 0 && res.items[0] === S.function) {
      if (res.items.length !== 2 || res.items[1].kind !== Kind.Expr) {
        return retTask(k, errorMsg(res, `expected: (function (: <body> Expression)), found: ${show(res)}`), b);
      }
      const scope = scopeWith(k.scope, call);
      const f = new FunctionFrame(k, scope, call);
      return minTask(b.isEmpty ? res.items[1] : b.apply(res.items[1]), retainTo(b, scope), f);
    }
    return retTask(k, res, b);
  }

  // -------------------------------------------------------------------------------------
  // minimal MeTTa instructions

  private minimal(atom: Atom, b: Bindings, k: Frame): Task | undefined {
    if (atom.kind !== Kind.Expr || atom.items.length === 0) return this.now(k, atom, b);
    const it = atom.items;
    switch (it[0]) {
      case S.chain: {
        if (it.length !== 4 || it[2].kind !== Kind.Var) {
          return this.now(k, errorMsg(atom, `expected: (chain <nested> (: <var> Variable) <templ>), found: ${show(atom)}`), b);
        }
        this.checkDepth(k);
        const nested = it[1];
        const both = varsOf(nested).filter((v) => varsOf(it[3]).some((w) => w.key === v.key));
        let scope = k.scope;
        for (const v of both) scope = scopeWith(scope, v);
        return minTask(nested, b, new ChainFrame(k, scope, it[2] as Var, it[3]));
      }
      case S.function: {
        if (it.length !== 2 || it[1].kind !== Kind.Expr) {
          return this.now(k, errorMsg(atom, `expected: (function (: <body> Expression)), found: ${show(atom)}`), b);
        }
        this.checkDepth(k);
        return minTask(it[1], b, new FunctionFrame(k, k.scope, atom));
      }
      case S.eval:
        if (it.length !== 2) return this.now(k, errorMsg(atom, `expected: (eval <atom>), found: ${show(atom)}`), b);
        return this.eval(it[1], this.space, b, k);
      case S.evalc: {
        const space = it.length === 3 ? spaceOf(it[2]) : undefined;
        if (space === undefined) return this.now(k, errorMsg(atom, `expected: (evalc <atom> <space>), found: ${show(atom)}`), b);
        return this.eval(it[1], space, b, k);
      }
      case S.unify: {
        if (it.length !== 5) return this.now(k, errorMsg(atom, `expected: (unify <atom> <pattern> <then> <else>), found: ${show(atom)}`), b);
        const m = matchAtoms(it[1], it[2], b);
        if (m === undefined || m.hasLoops()) return this.now(k, it[4], b);
        return this.now(k, m.apply(it[3]), m);
      }
      case S.collapseBind: {
        if (it.length !== 2) return this.now(k, errorMsg(atom, `expected: (collapse-bind <atom>), found: ${show(atom)}`), b);
        this.checkDepth(k);
        const c = new CollapseBindFrame(k, k.scope, b);
        this.plan.push(new Task(T.Finish, c, DUMMY_ATOM, b, undefined, undefined));
        return minTask(it[1], b, c);
      }
      case S.superposeBind: {
        const c = it[1];
        if (it.length !== 2 || c.kind !== Kind.Expr) {
          return this.now(k, errorMsg(atom, `expected: (superpose-bind (: <collapsed> Expression)), found: ${show(atom)}`), b);
        }
        const out: Task[] = [];
        for (const p of c.items) {
          const pair = unpair(p);
          if (pair === undefined) return this.now(k, errorMsg(atom, `(Atom Bindings) pair is expected, ${show(p)} was received`), b);
          const m = pair[1].merge(b);
          if (m === undefined || m.hasLoops()) continue;
          out.push(retTask(k, pair[0], m));
        }
        return this.split(out);
      }
      case S.deconsAtom: {
        const e = it[1];
        if (it.length !== 2 || e.kind !== Kind.Expr || e.items.length === 0) {
          return this.now(k, errorMsg(atom, `expected: (decons-atom (: <expr> Expression)), found: ${show(atom)}`), b);
        }
        return this.now(k, expr(e.items[0], new Expr(e.items.slice(1))), b);
      }
      case S.consAtom: {
        const t = it[2];
        if (it.length !== 3 || t.kind !== Kind.Expr) {
          return this.now(k, errorMsg(atom, `expected: (cons-atom <head> (: <tail> Expression)), found: ${show(atom)}`), b);
        }
        return this.now(k, new Expr([it[1], ...t.items]), b);
      }
      case S.metta: {
        const space = it.length === 4 ? spaceOf(it[3]) : undefined;
        if (space === undefined) return this.now(k, errorMsg(atom, `expected: (metta atom type space), found: ${show(atom)}`), b);
        return this.metta(it[1], it[2], space, b, k);
      }
      case S.contextSpace:
        if (it.length !== 1) return this.now(k, errorMsg(atom, `expected: (context-space), found: ${show(atom)}`), b);
        return this.now(k, spaceAtomOf(this.space), b);
      case S.callNative:
        return this.now(k, errorMsg(atom, `expected: (call-native func args), found: ${show(atom)}`), b);
      default:
        return this.now(k, atom, b);
    }
  }
}

/** Tuple interpretation as a pending alternative of `interpret_expression`. */
class TupleStart implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly collect: CollectFrame;
  declare readonly e: Expr;
  declare readonly typ: Atom;
  declare readonly space: Space;
  constructor(collect: CollectFrame, e: Expr, typ: Atom, space: Space) {
    this.next = collect;
    this.scope = collect.scope;
    this.depth = depthOf(collect);
    this.collect = collect;
    this.e = e;
    this.typ = typ;
    this.space = space;
  }
  ret(): undefined {
    return undefined;
  }
  finish(): undefined {
    return undefined;
  }
}

/** Function interpretation as a pending alternative of `interpret_expression`. */
class FunctionStart implements Frame {
  declare readonly next: Frame | undefined;
  declare readonly scope: Scope;
  declare readonly depth: number;
  declare readonly collect: CollectFrame;
  declare readonly e: Expr;
  declare readonly opType: Expr;
  declare readonly typ: Atom;
  declare readonly retType: Atom;
  declare readonly space: Space;
  /** The head has no other valid type. */
  declare readonly onlyType: boolean;
  constructor(collect: CollectFrame, e: Expr, opType: Expr, typ: Atom, retType: Atom, space: Space, onlyType: boolean) {
    this.onlyType = onlyType;
    this.next = collect;
    this.scope = collect.scope;
    this.depth = depthOf(collect);
    this.collect = collect;
    this.e = e;
    this.opType = opType;
    this.typ = typ;
    this.retType = retType;
    this.space = space;
  }
  ret(): undefined {
    return undefined;
  }
  finish(): undefined {
    return undefined;
  }
}

function unpair(p: Atom): [Atom, Bindings] | undefined {
  if (p.kind !== Kind.Expr || p.items.length !== 2) return undefined;
  const g = p.items[1];
  if (g.kind !== Kind.Gnd || g.g.t !== 'other' || !(g.g.v instanceof Bindings)) return undefined;
  return [p.items[0], g.g.v];
}

