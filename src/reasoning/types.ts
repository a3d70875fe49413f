/**
 * MeTTa types as hyperon computes them: declared `(: atom type)` facts, grounded value types,
 * function application types (`->`), and the argument checks that produce `BadArgType`,
 * `BadType` and `IncorrectNumberOfArguments` errors.
 */
import { type Atom, Expr as _Expr, Kind as _Kind, S as _S, Var as _Var, errorAtom as _errorAtom, expr as _expr, gndType as _gndType, int as _int, makeVarsUnique as _makeVarsUnique, metaType as _metaType, varsOf as _varsOf } from './atom.ts';
import { Bindings as _Bindings, matchAtoms as _matchAtoms } from './bindings.ts';
import type { Space } from './space.ts';
// Local aliases: module imports are getters under tsx; the hot path reads locals.
const Expr = _Expr;
type Expr = _Expr;
const Kind = _Kind;
type Kind = _Kind;
const S = _S;
const Var = _Var;
type Var = _Var;
const errorAtom = _errorAtom;
const expr = _expr;
const gndType = _gndType;
const int = _int;
const makeVarsUnique = _makeVarsUnique;
const metaType = _metaType;
const varsOf = _varsOf;
const Bindings = _Bindings;
type Bindings = _Bindings;
const matchAtoms = _matchAtoms;

/** A type of an atom, or the error that explains why the atom has no valid type. */
export interface AtomType {
  type: Atom;
  error?: Atom;
}

const UNDEF: AtomType = { type: S.undefined };
const TYPE_VAR = new Var('t');

export const isFunctionType = (t: Atom): t is Expr => t.kind === Kind.Expr && t.items.length > 0 && t.items[0] === S.arrow;

export const isMetaType = (t: Atom): boolean =>
  t === S.atom || t === S.symbol || t === S.variable || t === S.expression || t === S.grounded;

/** Declared types of `atom` (`(: atom $t)` in the space), variables renamed fresh. */
export function declaredTypes(space: Space, atom: Atom): Atom[] {
  if (atom.kind === Kind.Expr && !space.mayTypeExpressions()) return [];
  const v = TYPE_VAR.fresh();
  const out: Atom[] = [];
  for (const b of space.query(expr(S.colon, atom, v))) {
    const r = b.resolve(v);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** hyperon's `match_types`: `%Undefined%` and `Atom` match anything; otherwise unification. */
export function matchTypes(t1: Atom, t2: Atom, bindings: Bindings): Bindings | undefined {
  if (t1 === S.undefined || t2 === S.undefined || t1 === S.atom || t2 === S.atom) return bindings;
  return matchAtoms(t1, t2, bindings);
}

const NUMBER_TYPES: AtomType[] = [{ type: S.number }];
const STRING_TYPES: AtomType[] = [{ type: S.string }];
const BOOL_TYPES: AtomType[] = [{ type: S.boolT }];
const UNDEF_TYPES: AtomType[] = [UNDEF];

/** All types of `atom` in `space`. Symbols without declarations and untyped expressions are `%Undefined%`. */
export function atomTypes(space: Space, atom: Atom, cache?: Map<Atom, AtomType[]>): AtomType[] {
  switch (atom.kind) {
    case Kind.Var:
      return UNDEF_TYPES;
    case Kind.Gnd: {
      const g = atom.g;
      if (g.t === 'int' || g.t === 'float') return NUMBER_TYPES;
      if (g.t === 'str') return STRING_TYPES;
      if (g.t === 'bool') return BOOL_TYPES;
      if (g.t === 'op') return opTypes(g.v);
      return [{ type: makeVarsUnique(gndType(g)) }];
    }
    case Kind.Sym: {
      const hit = cache?.get(atom);
      if (hit !== undefined) return freshTypes(hit);
      const decl = declaredTypes(space, atom);
      const res = decl.length === 0 ? UNDEF_TYPES : decl.map((type) => ({ type }));
      cache?.set(atom, res);
      return res;
    }
    case Kind.Expr:
      return exprTypes(space, atom, cache);
  }
}

const OP_TYPES = new WeakMap<object, AtomType[]>();
/** A grounded operation's type, renamed fresh only when it has type variables. */
function opTypes(op: object & { type: Atom }): AtomType[] {
  let types = OP_TYPES.get(op);
  if (types === undefined) {
    types = [{ type: op.type }];
    OP_TYPES.set(op, types);
  }
  return freshTypes(types);
}

/** A cached type list with its type variables renamed fresh (shared as is when it has none). */
function freshTypes(types: AtomType[]): AtomType[] {
  if (GROUND_TYPES.has(types)) return types;
  for (const t of types) if (t.type.kind === Kind.Var || (t.type.kind === Kind.Expr && varsOf(t.type).length > 0)) return types.map((x) => ({ type: makeVarsUnique(x.type) }));
  GROUND_TYPES.add(types);
  return types;
}
/** Cached type lists known to have no type variables (shared as they are). */
const GROUND_TYPES = new WeakSet<AtomType[]>();

const typeMemos = new WeakMap<Space, { stamp: number[]; map: Map<Atom, AtomType[]> }>();

function stampOf(space: Space, out: number[] = []): number[] {
  out.push(space.id, space.version);
  for (const d of space.deps) stampOf(d, out);
  return out;
}

function sameStamp(space: Space, stamp: number[], i = 0): number {
  if (stamp[i] !== space.id || stamp[i + 1] !== space.version) return -1;
  i += 2;
  for (const d of space.deps) {
    i = sameStamp(d, stamp, i);
    if (i < 0) return -1;
  }
  return i;
}

/** The symbol-type cache of `space`, valid until it or one of its layers changes. */
export function typeCacheOf(space: Space): Map<Atom, AtomType[]> {
  const memo = typeMemos.get(space);
  if (memo !== undefined && sameStamp(space, memo.stamp) === memo.stamp.length) return memo.map;
  const map = new Map<Atom, AtomType[]>();
  typeMemos.set(space, { stamp: stampOf(space), map });
  return map;
}

function exprTypes(space: Space, e: Expr, cache?: Map<Atom, AtomType[]>): AtomType[] {
  if (e.items.length === 0) return [UNDEF];
  const out: AtomType[] = declaredTypes(space, e).map((type) => ({ type }));
  const op = e.items[0];
  const opTypes = atomTypes(space, op, cache).filter((t) => t.error === undefined);
  const fnTypes = opTypes.filter((t) => isFunctionType(t.type));
  if (fnTypes.length > 0) {
    const apps: AtomType[] = [];
    for (const ft of fnTypes) {
      for (const r of checkApplication(space, e, ft.type as Expr, S.undefined, Bindings.EMPTY, cache)) {
        apps.push(r.error !== undefined ? { type: S.undefined, error: r.error } : { type: r.bindings.apply(r.ret!) });
      }
    }
    const valid = apps.filter((a) => a.error === undefined);
    out.push(...(valid.length > 0 ? valid : apps));
  } else {
    const tuple = tupleType(space, e, cache);
    if (tuple !== undefined) out.push({ type: tuple });
  }
  if (out.length === 0) out.push(UNDEF);
  return out;
}

/** Type of a tuple whose members all have a defined type, e.g. `(A B)`; undefined otherwise. */
function tupleType(space: Space, e: Expr, cache?: Map<Atom, AtomType[]>): Atom | undefined {
  const items: Atom[] = [];
  for (const c of e.items) {
    const ts = atomTypes(space, c, cache).filter((t) => t.error === undefined);
    if (ts.length !== 1 || ts[0].type === S.undefined) return undefined;
    items.push(ts[0].type);
  }
  return new Expr(items);
}

export interface ApplicationCheck {
  /** Set on success: the (possibly variable) return type, to apply `bindings` to. */
  ret?: Atom;
  error?: Atom;
  bindings: Bindings;
}

/**
 * hyperon's `check_if_function_type_is_applicable`: arity, each argument against its formal
 * type (meta-types by meta-type, others by the argument's types), and the return type
 * against `expected`. Yields one result per way the check can succeed or fail.
 */
export function checkApplication(space: Space, e: Expr, fnType: Expr, expected: Atom, bindings: Bindings, cache?: Map<Atom, AtomType[]>): ApplicationCheck[] {
  const out: ApplicationCheck[] = [];
  checkFrom({ space, e, formals: fnType.items, expected, cache, out }, 1, 1, bindings);
  return out;
}

interface Check {
  space: Space;
  e: Expr;
  /** The function type; formals start at index 1 (after `->`), actual arguments at 1 in `e`. */
  formals: Atom[];
  expected: Atom;
  cache: Map<Atom, AtomType[]> | undefined;
  out: ApplicationCheck[];
}

function checkFrom(c: Check, fi: number, ai: number, b: Bindings): void {
  const { e, formals, out } = c;
  const actuals = e.items;
  const remaining = formals.length - fi;
  if (remaining === 0 || (remaining === 1 && ai < actuals.length) || (remaining > 1 && (remaining <= actuals.length - ai || ai >= actuals.length))) {
    out.push({ error: errorAtom(e, S.incorrectArgs), bindings: b });
    return;
  }
  if (remaining === 1) {
    const ret = formals[fi];
    const m = matchTypes(ret, c.expected, b);
    if (m !== undefined) out.push({ ret, bindings: m });
    else out.push({ error: errorAtom(e, expr(S.badType, c.expected, ret)), bindings: b });
    return;
  }
  const formal = formals[fi];
  const actual = actuals[ai];
  const argId = actuals.length - (remaining - 1);
  if (isMetaType(formal)) {
    const meta = metaType(actual);
    if (formal === S.atom || formal === meta) checkFrom(c, fi + 1, ai + 1, b);
    else out.push({ error: errorAtom(e, expr(S.badArgType, int(argId), formal, meta)), bindings: b });
    return;
  }
  for (const at of atomTypes(c.space, actual, c.cache)) {
    if (at.error !== undefined) {
      out.push({ error: at.error, bindings: b });
      continue;
    }
    const m = matchTypes(formal, at.type, b);
    if (m !== undefined) checkFrom(c, fi + 1, ai + 1, m);
    else out.push({ error: errorAtom(e, expr(S.badArgType, int(argId), b.apply(formal), at.type)), bindings: b });
  }
}
