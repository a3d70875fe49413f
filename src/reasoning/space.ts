/**
 * The atomspace: a multiset of atoms kept in a trie over each atom's token sequence, as
 * hyperon's `AtomTrie` does: an expression is `START child... END`, symbols and grounded
 * values are exact keys, variables are unification keys. A keyed `match` walks one path, so
 * its cost does not depend on how many atoms the space holds.
 *
 * Result order is hyperon's: at each node the exact-key child first, then stored variables in
 * insertion order; a query variable enumerates stored variables first, then exact keys in
 * insertion order (all expressions share the one START key, so they stay together). Identical
 * atoms are counted, not copied, and come back as duplicates. Each result is narrowed to the
 * query's own variables (`GroundingSpace::single_query`); stored variables are renamed fresh
 * once per query.
 */
import { type Atom, Expr as _Expr, Kind as _Kind, type Var, S as _S, atomEq as _atomEq, hasVars as _hasVars, varsOf as _varsOf } from './atom.ts';
import { Bindings as _Bindings, unifyMut as _unifyMut } from './bindings.ts';
// Local aliases: module imports are getters under tsx; the hot path reads locals.
const Expr = _Expr;
type Expr = _Expr;
const Kind = _Kind;
type Kind = _Kind;
const S = _S;
const atomEq = _atomEq;
const varsOf = _varsOf;
const hasVars = _hasVars;
const Bindings = _Bindings;
type Bindings = _Bindings;
const unifyMut = _unifyMut;

type Key = unknown;
/** Trie keys of expression boundaries (hyperon's `TK_START_EXPR`/`TK_END_EXPR`). */
const START: Key = { start: true };
const END: Key = { end: true };

/** Unpacked sub-atoms of a node are cached only while the list stays this short. */
const MAX_CACHED_UNPACK = 256;

class TNode {
  /** How many copies of the atom ending here are stored. */
  count = 0;
  /** The atom a symbol, grounded or variable key stands for. */
  atom: Atom | undefined = undefined;
  /** Exact-key children in insertion order: one inline, more in a map. */
  k1: Key = undefined;
  c1: TNode | undefined = undefined;
  eq: Map<Key, TNode> | undefined = undefined;
  /** Stored-variable children in insertion order, by variable key. */
  un: Map<number, TNode> | undefined = undefined;
  /** Complete atoms starting here, each with the node it ends in (cache, cleared on change). */
  unpacked: Entry[] | undefined = undefined;

  getEq(k: Key): TNode | undefined {
    if (this.eq !== undefined) return this.eq.get(k);
    return this.k1 === k ? this.c1 : undefined;
  }

  addEq(k: Key, child: TNode): void {
    if (this.eq !== undefined) this.eq.set(k, child);
    else if (this.c1 === undefined) {
      this.k1 = k;
      this.c1 = child;
    } else {
      this.eq = new Map([[this.k1, this.c1]]);
      this.eq.set(k, child);
      this.k1 = undefined;
      this.c1 = undefined;
    }
  }

  deleteEq(k: Key): void {
    if (this.eq !== undefined) this.eq.delete(k);
    else if (this.k1 === k) {
      this.k1 = undefined;
      this.c1 = undefined;
    }
  }

  get isEmpty(): boolean {
    return this.count === 0 && this.c1 === undefined && (this.eq === undefined || this.eq.size === 0) && (this.un === undefined || this.un.size === 0);
  }
}

type Entry = [Atom, TNode];

/** Key of a symbol or grounded atom for exact lookup. */
function exactKey(a: Atom): Key {
  if (a.kind === Kind.Sym) return a;
  if (a.kind === Kind.Gnd) {
    const g = a.g;
    switch (g.t) {
      // Numbers that compare equal (1 and 1.0) share a key; exact doubles are number keys.
      case 'int': {
        const n = Number(g.v);
        return Number.isSafeInteger(n) ? n : `i${g.v}`;
      }
      case 'float':
        if (Number.isSafeInteger(g.v) || !Number.isInteger(g.v)) return Number.isNaN(g.v) ? 'fNaN' : g.v;
        return Math.abs(g.v) < 2 ** 63 ? `i${BigInt(g.v)}` : `f${g.v}`;
      case 'str':
        return `s${g.v}`;
      case 'bool':
        return g.v ? 'bT' : 'bF';
      case 'op':
        return g.v;
      case 'other':
        return g.v;
    }
  }
  throw new Error('exactKey on expression or variable');
}

/** Inserts the tokens of `a` below `node` (clearing unpack caches on the way); returns the last node. */
function insert(node: TNode, a: Atom): TNode {
  if (a.kind === Kind.Var) {
    node.un ??= new Map();
    let child = node.un.get(a.key);
    if (child === undefined) {
      child = new TNode();
      child.atom = a;
      node.un.set(a.key, child);
    }
    child.unpacked = undefined;
    return child;
  }
  if (a.kind === Kind.Expr) {
    let cur = child(node, START, undefined);
    const items = a.items;
    for (let i = 0; i < items.length; i++) cur = insert(cur, items[i]);
    return child(cur, END, undefined);
  }
  return child(node, exactKey(a), a);
}

function child(node: TNode, key: Key, a: Atom | undefined): TNode {
  let c = node.getEq(key);
  if (c === undefined) {
    c = new TNode();
    c.atom = a;
    node.addEq(key, c);
  }
  c.unpacked = undefined;
  return c;
}

/** Marks the end of an expression in a flattened query. */
const END_TOKEN: Atom = { kind: Kind.Sym, name: ')' } as Atom;

/** A query flattened into tokens; `ends[i]` is the index after the expression starting at `i`. */
class Tokens {
  readonly tk: Atom[] = [];
  readonly ends: number[] = [];
  /** Number of tokens (the arrays are reused and may be longer). */
  n = 0;
  constructor(a?: Atom) {
    if (a !== undefined) this.push(a);
  }
  /** Flattens `a` into this (reused) buffer. */
  reset(a: Atom): this {
    this.n = 0;
    this.push(a);
    return this;
  }
  private push(a: Atom): void {
    const i = this.n++;
    this.tk[i] = a;
    this.ends[i] = i + 1;
    if (a.kind === Kind.Expr) {
      const items = a.items;
      for (let j = 0; j < items.length; j++) this.push(items[j]);
      const e = this.n++;
      this.tk[e] = END_TOKEN;
      this.ends[e] = 0;
      this.ends[i] = this.n;
    }
  }
}

/** Token buffer of `equations()`: no query runs inside another, so one is enough. */
const EQUATION_TOKENS = new Tokens();

/** Renames stored variables to fresh ones, consistently within one query (hyperon's `CachingMapper`). */
class Renamer {
  private map: Map<number, Var> | undefined;
  rename(a: Atom): Atom {
    if (a.kind === Kind.Var) {
      this.map ??= new Map();
      let v = this.map.get(a.key);
      if (v === undefined) {
        v = a.fresh();
        this.map.set(a.key, v);
      }
      return v;
    }
    if (a.kind === Kind.Expr) {
      if (varsOf(a).length === 0) return a;
      const items = a.items;
      const out = new Array<Atom>(items.length);
      for (let i = 0; i < items.length; i++) {
        const c = items[i];
        out[i] = c.kind === Kind.Var || c.kind === Kind.Expr ? this.rename(c) : c;
      }
      return new Expr(out);
    }
    return a;
  }
}

let nextSpaceId = 1;
let spaceEpoch = 0;
/** Incremented whenever any space changes; caches of derived facts (types) key on it. */
export const currentEpoch = (): number => spaceEpoch;

/**
 * A multiset atomspace with hyperon-ordered queries, optional read-only layers (`deps`)
 * queried after the space's own atoms, and a version bumped on every change.
 * @example
 * const s = new Space(); s.add(parse('(fact 1 a)')); s.query(parse('(fact 1 $x)')).length // 1
 */
export class Space {
  readonly id = nextSpaceId++;
  private root = new TNode();
  private total = 0;
  /** Bumped on every add/remove; caches key on it. */
  version = 0;
  /** Read-only layers consulted after this space (stdlib, knowledge base). */
  deps: Space[] = [];
  /** Set to refuse changes (the shared knowledge base seen through a run). */
  readOnly = false;

  get size(): number {
    return this.total;
  }

  private changed(): void {
    this.version++;
    spaceEpoch++;
  }

  /** Version of this space and its layers, for cache keys. */
  get deepVersion(): string {
    return this.deps.length === 0 ? `${this.id}.${this.version}` : `${this.id}.${this.version}[${this.deps.map((d) => d.deepVersion).join(',')}]`;
  }

  add(atom: Atom): void {
    if (this.readOnly) throw new Error('space is read-only');
    this.root.unpacked = undefined;
    const leaf = insert(this.root, atom);
    leaf.count++;
    this.total++;
    this.changed();
  }

  /** Removes one copy of `atom` (matched by equality); false when absent. */
  remove(atom: Atom): boolean {
    if (this.readOnly) throw new Error('space is read-only');
    const path: [TNode, Key, boolean][] = [];
    let node: TNode | undefined = this.root;
    const step = (key: Key, isVar: boolean): boolean => {
      const child: TNode | undefined = isVar ? node!.un?.get(key as number) : node!.getEq(key);
      if (child === undefined) return false;
      path.push([node!, key, isVar]);
      node = child;
      return true;
    };
    const walk = (a: Atom): boolean => {
      if (a.kind === Kind.Var) return step(a.key, true);
      if (a.kind === Kind.Expr) {
        if (!step(START, false)) return false;
        for (const c of a.items) if (!walk(c)) return false;
        return step(END, false);
      }
      return step(exactKey(a), false);
    };
    if (!walk(atom) || node === undefined || node.count === 0) return false;
    node.count--;
    node.unpacked = undefined;
    let child: TNode = node;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, key, isVar] = path[i];
      parent.unpacked = undefined;
      if (child.isEmpty) {
        if (isVar) parent.un!.delete(key as number);
        else parent.deleteEq(key);
      }
      child = parent;
    }
    this.total--;
    this.changed();
    return true;
  }

  /** All atoms of this space (not its layers), in hyperon's trie order, duplicates repeated. */
  atoms(): Atom[] {
    const out: Atom[] = [];
    for (const [a, leaf] of unpack(this.root)) for (let i = 0; i < leaf.count; i++) out.push(a);
    return out;
  }

  /**
   * Matches `pattern` (a `,` expression is a conjunction) against this space and its layers.
   * Each result binds only the pattern's variables.
   */
  query(pattern: Atom): Bindings[] {
    if (pattern.kind === Kind.Expr && pattern.items.length > 0 && pattern.items[0] === S.comma) {
      let acc: Bindings[] = [Bindings.EMPTY];
      for (let i = 1; i < pattern.items.length && acc.length > 0; i++) {
        const next: Bindings[] = [];
        for (const prev of acc) {
          const p = prev.apply(pattern.items[i]);
          for (const b of this.singleQuery(p)) {
            const m = b.merge(prev);
            if (m !== undefined) next.push(m);
          }
        }
        acc = next;
      }
      return acc;
    }
    return this.singleQuery(pattern);
  }

  /** One pattern, no conjunction: this space's atoms first, then each layer's. */
  singleQuery(pattern: Atom): Bindings[] {
    const out: Bindings[] = [];
    this.collect(pattern, new Tokens(pattern), varsOf(pattern), out);
    return out;
  }

  private collect(pattern: Atom, t: Tokens, keep: Var[], out: Bindings[]): void {
    if (this.total > 0) new Walk(t, keep, out).node(this.root, 0, Bindings.EMPTY);
    for (const d of this.deps) d.collect(pattern, t, keep, out);
  }

  /**
   * The right-hand sides `(= call $X)` yields, in the same order and with the same renaming as
   * `query`, without building bindings: stored variables are bound in a slot list undone on
   * backtracking. Undefined when the general query is needed: when a variable of the call
   * would get a value (a stored constant where the call has a variable, or one stored variable
   * meeting two different atoms with variables), or a stored atom has a variable where `=` or
   * the whole equation would be. The call's variables are never bound otherwise, so the
   * caller's bindings stay as they are.
   * @example
   * space.equations(parse('(fib 5)')) // [(if (< 5 2) 5 (+ (fib (- 5 1)) (fib (- 5 2))))]
   */
  equations(call: Atom): Atom[] | undefined {
    if (call.kind === Kind.Var) return undefined;
    const out: Atom[] = [];
    return this.collectEquations(call, { tokens: undefined }, out) ? out : undefined;
  }

  private collectEquations(call: Atom, flat: { tokens: Tokens | undefined }, out: Atom[]): boolean {
    if (this.total > 0) {
      const roots = this.equationRoots();
      if (roots === undefined) return false;
      const eq = roots.eq;
      if (eq !== undefined && mayHaveEquation(eq, roots.start, call)) {
        flat.tokens ??= EQUATION_TOKENS.reset(call);
        if (!new EquationWalk(flat.tokens).lhs(eq, 0, out)) return false;
      }
    }
    for (const d of this.deps) if (!d.collectEquations(call, flat, out)) return false;
    return true;
  }

  /** The trie nodes after `(=` and `(= (`, kept per version; undefined when a stored variable stands where `=` or a whole equation would. */
  private equationRoots(): { eq: TNode | undefined; start: TNode | undefined } | undefined {
    let r = this.eqRoots;
    if (r === undefined || r.version !== this.version) {
      const root = this.root;
      const start = root.getEq(START);
      const ok = (root.un === undefined || root.un.size === 0) && (start?.un === undefined || start.un.size === 0);
      const eq = start?.getEq(S.eq);
      r = { version: this.version, ok, eq, start: eq?.getEq(START) };
      this.eqRoots = r;
    }
    return r.ok ? r : undefined;
  }
  private eqRoots: { version: number; ok: boolean; eq: TNode | undefined; start: TNode | undefined } | undefined;

  /** True when this space or a layer may declare a type for an expression (`(: (...) T)`). */
  mayTypeExpressions(): boolean {
    const colon = this.root.getEq(START)?.getEq(S.colon);
    if ((this.root.un?.size ?? 0) > 0 || (this.root.getEq(START)?.un?.size ?? 0) > 0) return true;
    if (colon !== undefined && (colon.getEq(START) !== undefined || (colon.un?.size ?? 0) > 0)) return true;
    for (const d of this.deps) if (d.mayTypeExpressions()) return true;
    return false;
  }
}

/** False when no stored equation can match `call` by its head (checked before flattening it). */
function mayHaveEquation(eq: TNode, start: TNode | undefined, call: Atom): boolean {
  if (eq.un !== undefined && eq.un.size > 0) return true;
  if (call.kind !== Kind.Expr) return eq.getEq(exactKey(call)) !== undefined;
  if (start === undefined) return false;
  if (call.items.length === 0 || (start.un !== undefined && start.un.size > 0)) return true;
  const head = call.items[0];
  return head.kind === Kind.Var || head.kind === Kind.Expr || start.getEq(exactKey(head)) !== undefined;
}

/** `equations()` over one trie: the call's tokens, stored-variable slots, renaming. */
class EquationWalk {
  private readonly t: Tokens;
  /** Stored variable keys and the call's atoms they are bound to; entries from `top` on are stale. */
  private readonly keys: number[] = [];
  private readonly vals: Atom[] = [];
  private top = 0;
  /** Fresh variables for stored variables left unbound, one per key for the whole query. */
  private fresh: Map<number, Var> | undefined;

  constructor(tokens: Tokens) {
    this.t = tokens;
  }

  /** Walks the call's tokens from `node`; at their end, every stored right-hand side. False: bail out. */
  lhs(node: TNode, p: number, out: Atom[]): boolean {
    const tk = this.t.tk;
    if (p === this.t.n) {
      for (const [body, end] of unpack(node)) {
        const leaf = end.getEq(END);
        if (leaf === undefined || leaf.count === 0) continue;
        const r = this.instantiate(body);
        for (let i = 0; i < leaf.count; i++) out.push(r);
      }
      return true;
    }
    const tok = tk[p];
    if (tok === END_TOKEN) {
      const child = node.getEq(END);
      return child === undefined || this.lhs(child, p + 1, out);
    }
    if (tok.kind === Kind.Var) {
      // A stored constant here would give the call's variable a value.
      if (node.c1 !== undefined || (node.eq !== undefined && node.eq.size > 0)) return false;
    } else {
      const child = node.getEq(tok.kind === Kind.Expr ? START : exactKey(tok));
      if (child !== undefined && !this.lhs(child, p + 1, out)) return false;
    }
    if (node.un !== undefined) {
      const next = this.t.ends[p];
      for (const vchild of node.un.values()) {
        const mark = this.top;
        const bound = this.bind((vchild.atom as Var).key, tok);
        if (bound === undefined) return false;
        const ok = !bound || this.lhs(vchild, next, out);
        this.top = mark;
        if (!ok) return false;
      }
    }
    return true;
  }

  /** Binds a stored variable; false: no match; undefined: needs real unification. */
  private bind(key: number, value: Atom): boolean | undefined {
    const keys = this.keys;
    const top = this.top;
    for (let i = 0; i < top; i++) {
      if (keys[i] !== key) continue;
      const old = this.vals[i];
      if (atomEq(old, value)) return true;
      return hasVars(old) || hasVars(value) ? undefined : false;
    }
    keys[top] = key;
    this.vals[top] = value;
    this.top = top + 1;
    return true;
  }

  /** A stored right-hand side with bound stored variables replaced, the others renamed fresh. */
  private instantiate(a: Atom): Atom {
    if (a.kind === Kind.Var) {
      const keys = this.keys;
      for (let i = 0; i < this.top; i++) if (keys[i] === a.key) return this.vals[i];
      this.fresh ??= new Map();
      let v = this.fresh.get(a.key);
      if (v === undefined) {
        v = a.fresh();
        this.fresh.set(a.key, v);
      }
      return v;
    }
    if (a.kind !== Kind.Expr || varsOf(a).length === 0) return a;
    const items = a.items;
    const out = new Array<Atom>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = this.instantiate(items[i]);
    return new Expr(out);
  }
}

/** One query over one trie: tokens, the variables to keep, renaming, results. */
class Walk {
  private readonly ren = new Renamer();
  constructor(
    private readonly t: Tokens,
    private readonly keep: Var[],
    private readonly out: Bindings[],
  ) {}

  node(node: TNode, p: number, acc: Bindings): void {
    const tk = this.t.tk;
    if (p === this.t.n) {
      if (node.count === 0 || acc.hasLoops()) return;
      const r = acc.narrow(this.keep);
      for (let i = 0; i < node.count; i++) this.out.push(r);
      return;
    }
    const tok = tk[p];
    if (tok === END_TOKEN) {
      const child = node.getEq(END);
      if (child !== undefined) this.node(child, p + 1, acc);
      return;
    }
    if (tok.kind === Kind.Var) {
      for (const [entry, end] of unpack(node)) this.entry(entry, tok, end, p + 1, acc);
      return;
    }
    const child = node.getEq(tok.kind === Kind.Expr ? START : exactKey(tok));
    if (child !== undefined) this.node(child, p + 1, acc);
    if (node.un !== undefined) {
      const tail = this.t.ends[p];
      for (const vchild of node.un.values()) this.entry(vchild.atom!, tok, vchild, tail, acc);
    }
  }

  /** Unifies a stored entry (renamed) with the query atom, then walks on from `child`. */
  private entry(stored: Atom, query: Atom, child: TNode, p: number, acc: Bindings): void {
    const e = this.ren.rename(stored);
    const b = acc.clone();
    if (unifyMut(e, query, b)) this.node(child, p, b);
  }
}

/** Complete atoms starting at `node`, each with the node where it ends: stored variables first, then exact keys. */
function unpack(node: TNode): Entry[] {
  const cached = node.unpacked;
  if (cached !== undefined) return cached;
  const out: Entry[] = [];
  if (node.un !== undefined) for (const c of node.un.values()) out.push([c.atom!, c]);
  forEachEq(node, (key, c) => {
    if (key === START) for (const [items, end] of unpackSeq(c)) out.push([new Expr(items), end]);
    else if (key !== END) out.push([c.atom!, c]);
  });
  if (out.length <= MAX_CACHED_UNPACK) node.unpacked = out;
  return out;
}

/** The child sequences of expressions whose START led to `node`, each with the node after its END. */
function unpackSeq(node: TNode): [Atom[], TNode][] {
  const out: [Atom[], TNode][] = [];
  const visit = (key: Key, c: TNode): void => {
    if (key === END) out.push([[], c]);
    else if (key === START) {
      for (const [items, end] of unpackSeq(c)) for (const [rest, fin] of unpackSeq(end)) out.push([[new Expr(items), ...rest], fin]);
    } else for (const [rest, fin] of unpackSeq(c)) out.push([[c.atom!, ...rest], fin]);
  };
  if (node.un !== undefined) {
    for (const c of node.un.values()) for (const [rest, fin] of unpackSeq(c)) out.push([[c.atom!, ...rest], fin]);
  }
  forEachEq(node, visit);
  return out;
}

function forEachEq(node: TNode, fn: (key: Key, child: TNode) => void): void {
  if (node.eq !== undefined) for (const [k, c] of node.eq) fn(k, c);
  else if (node.c1 !== undefined) fn(node.k1, node.c1);
}

/** True when `atom` is stored (by equality) in `space` itself. */
export function spaceContains(space: Space, atom: Atom): boolean {
  return space.atoms().some((a) => atomEq(a, atom));
}
