/**
 * The atomspace: a multiset of atoms kept in a trie over the atom's token sequence
 * (expression start with arity, head symbol, first argument, ...). A keyed `match` walks
 * one path of the trie, so its cost does not depend on how many atoms the space holds.
 *
 * Result order follows hyperon's AtomTrie: at each node the exact-key child first, then
 * stored variables in insertion order; a query variable enumerates stored variables before
 * exact keys. Identical atoms are counted, not copied, and come back as duplicates.
 */
import { type Atom, Expr as _Expr, Kind as _Kind, type Var, S as _S, atomEq as _atomEq } from './atom.ts';
import { Bindings as _Bindings, matchAtoms as _matchAtoms } from './bindings.ts';
// Local aliases: module imports are getters under tsx; the hot path reads locals.
const Expr = _Expr;
type Expr = _Expr;
const Kind = _Kind;
type Kind = _Kind;
const S = _S;
const atomEq = _atomEq;
const Bindings = _Bindings;
type Bindings = _Bindings;
const matchAtoms = _matchAtoms;

type Key = unknown;

class TNode {
  /** How many copies of the atom ending here are stored. */
  count = 0;
  /** The atom this node stands for (a symbol, grounded value or variable); undefined for expression starts. */
  atom: Atom | undefined;
  /** Arity when this node is an expression start. */
  size = -1;
  /** Exact-key children: one inline, more in a map (insertion ordered, like hyperon's key list). */
  k1: Key = undefined;
  c1: TNode | undefined;
  eq: Map<Key, TNode> | undefined;
  /** Children whose key is a variable (matched by unification). */
  un: Map<number, TNode> | undefined;

  getEq(k: Key): TNode | undefined {
    if (this.eq !== undefined) return this.eq.get(k);
    return this.c1 !== undefined && this.k1 === k ? this.c1 : undefined;
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

  eqChildren(): Iterable<TNode> {
    if (this.eq !== undefined) return this.eq.values();
    return this.c1 !== undefined ? [this.c1] : [];
  }

  get isEmpty(): boolean {
    return this.count === 0 && this.c1 === undefined && (this.eq === undefined || this.eq.size === 0) && (this.un === undefined || this.un.size === 0);
  }
}

const START_KEYS: string[] = [];
const startKey = (n: number): string => (START_KEYS[n] ??= `(${n}`);

/** Key of a non-variable, non-expression atom for exact lookup. */
function exactKey(a: Atom): Key {
  if (a.kind === Kind.Sym) return a;
  if (a.kind === Kind.Gnd) {
    const g = a.g;
    switch (g.t) {
      case 'int':
        return `i${g.v}`;
      case 'float':
        return Number.isInteger(g.v) && Math.abs(g.v) < 2 ** 63 ? `i${BigInt(g.v)}` : `f${g.v}`;
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

/** Query token list: the flattened pattern with the end index of each expression start. */
interface Tokens {
  atoms: Atom[];
  ends: number[];
}

function flatten(a: Atom, t: Tokens): void {
  const i = t.atoms.length;
  t.atoms.push(a);
  t.ends.push(i + 1);
  if (a.kind === Kind.Expr) {
    for (const c of a.items) flatten(c, t);
    t.ends[i] = t.atoms.length;
  }
}

/** Renames stored variables to fresh ones, consistently within one query. */
class Renamer {
  private map = new Map<number, Var>();
  rename(a: Atom): Atom {
    if (a.kind === Kind.Var) {
      let v = this.map.get(a.key);
      if (v === undefined) {
        v = a.fresh();
        this.map.set(a.key, v);
      }
      return v;
    }
    if (a.kind === Kind.Expr) {
      let changed = false;
      const items = a.items.map((c) => {
        const r = c.kind === Kind.Var || c.kind === Kind.Expr ? this.rename(c) : c;
        if (r !== c) changed = true;
        return r;
      });
      return changed ? new Expr(items) : a;
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
  /** Observers told about every change (type caches). */
  private listeners: (() => void)[] = [];

  get size(): number {
    return this.total;
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    this.version++;
    spaceEpoch++;
    for (const fn of this.listeners) fn();
  }

  /** Whole version of this space and its layers, for cache keys. */
  get deepVersion(): string {
    return this.deps.length === 0 ? `${this.id}.${this.version}` : `${this.id}.${this.version}[${this.deps.map((d) => d.deepVersion).join(',')}]`;
  }

  add(atom: Atom): void {
    if (this.readOnly) throw new Error('space is read-only');
    let node = this.root;
    const walk = (a: Atom): void => {
      let child: TNode | undefined;
      if (a.kind === Kind.Var) {
        node.un ??= new Map();
        child = node.un.get(a.key);
        if (child === undefined) {
          child = new TNode();
          child.atom = a;
          node.un.set(a.key, child);
        }
        node = child;
      } else if (a.kind === Kind.Expr) {
        const k = startKey(a.items.length);
        child = node.getEq(k);
        if (child === undefined) {
          child = new TNode();
          child.size = a.items.length;
          node.addEq(k, child);
        }
        node = child;
        for (const c of a.items) walk(c);
      } else {
        const k = exactKey(a);
        child = node.getEq(k);
        if (child === undefined) {
          child = new TNode();
          child.atom = a;
          node.addEq(k, child);
        }
        node = child;
      }
    };
    walk(atom);
    node.count++;
    this.total++;
    this.changed();
  }

  /** Removes one copy of `atom` (matched by equality); false when absent. */
  remove(atom: Atom): boolean {
    if (this.readOnly) throw new Error('space is read-only');
    const path: [TNode, Key, boolean][] = [];
    let node: TNode | undefined = this.root;
    const walk = (a: Atom): boolean => {
      if (node === undefined) return false;
      let child: TNode | undefined;
      let key: Key;
      let isVar = false;
      if (a.kind === Kind.Var) {
        key = a.key;
        isVar = true;
        child = node.un?.get(a.key);
      } else if (a.kind === Kind.Expr) {
        key = startKey(a.items.length);
        child = node.getEq(key);
      } else {
        key = exactKey(a);
        child = node.getEq(key);
      }
      if (child === undefined) return false;
      path.push([node, key, isVar]);
      node = child;
      if (a.kind === Kind.Expr) for (const c of a.items) if (!walk(c)) return false;
      return true;
    };
    if (!walk(atom) || node === undefined || node.count === 0) return false;
    node.count--;
    let child: TNode = node;
    for (let i = path.length - 1; i >= 0 && child.isEmpty; i--) {
      const [parent, key, isVar] = path[i];
      if (isVar) parent.un!.delete(key as number);
      else parent.deleteEq(key);
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
   * Each result binds the pattern's variables; stored variables are renamed fresh per query.
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

  private singleQuery(pattern: Atom): Bindings[] {
    const out = this.ownQuery(pattern);
    for (const d of this.deps) for (const b of d.singleQuery(pattern)) out.push(b);
    return out;
  }

  private ownQuery(pattern: Atom): Bindings[] {
    if (this.total === 0) return [];
    const t: Tokens = { atoms: [], ends: [] };
    flatten(pattern, t);
    const out: Bindings[] = [];
    queryNode(this.root, t, 0, new Renamer(), Bindings.EMPTY, out);
    return out;
  }
}

/** Walks the trie for tokens[p..], pushing complete bindings (merged with `acc`) to `out`. */
function queryNode(node: TNode, t: Tokens, p: number, ren: Renamer, acc: Bindings, out: Bindings[]): void {
  if (p === t.atoms.length) {
    for (let i = 0; i < node.count; i++) out.push(acc);
    return;
  }
  const tok = t.atoms[p];
  if (tok.kind === Kind.Var) {
    for (const [entry, child] of unpack(node)) unifyEntry(entry, tok, child, t, p + 1, ren, acc, out);
    return;
  }
  const key = tok.kind === Kind.Expr ? startKey(tok.items.length) : exactKey(tok);
  const child = node.getEq(key);
  if (child !== undefined) queryNode(child, t, p + 1, ren, acc, out);
  if (node.un !== undefined) {
    const tail = t.ends[p];
    for (const vchild of node.un.values()) unifyEntry(vchild.atom!, tok, vchild, t, tail, ren, acc, out);
  }
}

function unifyEntry(entry: Atom, query: Atom, child: TNode, t: Tokens, p: number, ren: Renamer, acc: Bindings, out: Bindings[]): void {
  const e = ren.rename(entry);
  const b = matchAtoms(e, query, acc);
  if (b === undefined) return;
  const start = out.length;
  queryNode(child, t, p, ren, b, out);
  // Drop results whose bindings loop (a variable bound to a term containing itself).
  let w = start;
  for (let r = start; r < out.length; r++) if (!out[r].hasLoops()) out[w++] = out[r];
  out.length = w;
}

/** Complete atoms starting at `node`, each with the node where it ends: stored variables first, then exact keys. */
function* unpack(node: TNode): Generator<[Atom, TNode]> {
  if (node.un !== undefined) for (const c of node.un.values()) yield [c.atom!, c];
  for (const c of node.eqChildren()) {
    if (c.size >= 0) {
      for (const [items, end] of unpackN(c, c.size)) yield [new Expr(items), end];
    } else yield [c.atom!, c];
  }
}

function* unpackN(node: TNode, n: number): Generator<[Atom[], TNode]> {
  if (n === 0) {
    yield [[], node];
    return;
  }
  for (const [a, nd] of unpack(node)) for (const [rest, end] of unpackN(nd, n - 1)) yield [[a, ...rest], end];
}

/** True when `atom` is stored (by equality) in `space` itself. */
export function spaceContains(space: Space, atom: Atom): boolean {
  return space.atoms().some((a) => atomEq(a, atom));
}
