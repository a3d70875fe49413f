/**
 * Variable bindings and two-sided unification with hyperon's semantics: variables form
 * equality groups, a group may carry one value, `apply` substitutes only valued groups, and
 * bindings whose values refer back to themselves are "loops" that callers drop.
 *
 * Bindings are small (a handful of variables), so they are flat arrays scanned linearly
 * and copied on write; no strings or maps in the hot path.
 */
import { type Atom, Expr as _Expr, Kind as _Kind, type Var, atomEq as _atomEq, varsOf as _varsOf } from './atom.ts';
// Local aliases: module imports are getters under tsx; the hot path reads locals.
const Expr = _Expr;
type Expr = _Expr;
const Kind = _Kind;
type Kind = _Kind;
const atomEq = _atomEq;
const varsOf = _varsOf;

export class Bindings {
  /** vars[i] belongs to group grp[i]; vals[g] is the value of group g (or undefined). */
  private declare vars: Var[];
  private declare grp: number[];
  private declare vals: (Atom | undefined)[];
  private constructor(vars: Var[], grp: number[], vals: (Atom | undefined)[]) {
    this.vars = vars;
    this.grp = grp;
    this.vals = vals;
  }

  static readonly EMPTY = new Bindings([], [], []);

  get isEmpty(): boolean {
    return this.vars.length === 0;
  }

  clone(): Bindings {
    return new Bindings(this.vars.slice(), this.grp.slice(), this.vals.slice());
  }

  private groupOf(v: Var): number {
    const key = v.key;
    const vars = this.vars;
    for (let i = 0; i < vars.length; i++) if (vars[i].key === key) return this.grp[i];
    return -1;
  }

  /**
   * The value bound to `v` with all bindings applied; the group's representative variable when
   * `v` is only equal to other variables (hyperon's `resolve`); undefined when `v` is unknown.
   */
  resolve(v: Var): Atom | undefined {
    const g = this.groupOf(v);
    if (g < 0) return undefined;
    const val = this.vals[g];
    return val === undefined ? this.representative(g) : this.apply(val);
  }

  /**
   * Applies the bindings to `atom`: a variable with a value is replaced by it, one only equal
   * to others by its group's representative (`reps[group]` when given, as `retain` prefers a kept one).
   */
  apply(atom: Atom, depth = 0, reps?: (Var | undefined)[]): Atom {
    if (this.vars.length === 0) return atom;
    if (atom.kind === Kind.Var) {
      const g = this.groupOf(atom);
      if (g < 0) return atom;
      const val = this.vals[g];
      if (val === undefined) return (reps !== undefined ? reps[g] : undefined) ?? this.representative(g);
      if (depth > 256) return atom;
      return this.apply(val, depth + 1, reps);
    }
    if (atom.kind === Kind.Expr) {
      if (varsOf(atom).length === 0) return atom;
      const items = atom.items;
      let out: Atom[] | undefined;
      for (let i = 0; i < items.length; i++) {
        const c = items[i];
        const r = c.kind === Kind.Var || c.kind === Kind.Expr ? this.apply(c, depth, reps) : c;
        if (r !== c && out === undefined) out = items.slice(0, i);
        if (out !== undefined) out.push(r);
      }
      if (out === undefined) return atom;
      const e = new Expr(out);
      return e;
    }
    return atom;
  }

  /** The first variable of a group without value: every member is rewritten to it. */
  private representative(g: number): Var {
    const grp = this.grp;
    for (let i = 0; i < grp.length; i++) if (grp[i] === g) return this.vars[i];
    throw new Error('empty binding group');
  }

  /** Mutating helpers, used on a private copy only. */
  private addVar(v: Var, g: number): void {
    this.vars.push(v);
    this.grp.push(g);
  }

  /** Binds `v` to `value` (unifying with an existing value); false on conflict. */
  bindMut(v: Var, value: Atom): boolean {
    if (value.kind === Kind.Var) return this.equateMut(v, value);
    const g = this.groupOf(v);
    if (g < 0) {
      const ng = this.vals.length;
      this.vals.push(value);
      this.addVar(v, ng);
      return true;
    }
    const old = this.vals[g];
    if (old === undefined) {
      this.vals[g] = value;
      return true;
    }
    if (old === value) return true;
    return unifyMut(old, value, this);
  }

  /** Puts `a` and `b` into one group; false on conflicting values. */
  equateMut(a: Var, b: Var): boolean {
    if (a.key === b.key) return true;
    const ga = this.groupOf(a);
    const gb = this.groupOf(b);
    if (ga < 0 && gb < 0) {
      const ng = this.vals.length;
      this.vals.push(undefined);
      this.addVar(a, ng);
      this.addVar(b, ng);
      return true;
    }
    if (ga < 0) {
      this.addVar(a, gb);
      return true;
    }
    if (gb < 0) {
      this.addVar(b, ga);
      return true;
    }
    if (ga === gb) return true;
    const va = this.vals[ga];
    const vb = this.vals[gb];
    for (let i = 0; i < this.grp.length; i++) if (this.grp[i] === gb) this.grp[i] = ga;
    this.vals[gb] = undefined;
    if (va === undefined) {
      this.vals[ga] = vb;
      return true;
    }
    if (vb === undefined) return true;
    return unifyMut(va, vb, this);
  }

  /** Union of two binding sets, or undefined when they contradict. */
  merge(other: Bindings): Bindings | undefined {
    if (other.vars.length === 0) return this;
    if (this.vars.length === 0) return other;
    const out = this.clone();
    return out.mergeMut(other) ? out : undefined;
  }

  mergeMut(other: Bindings): boolean {
    const ov = other.vars;
    const seen: number[] = [];
    for (let i = 0; i < ov.length; i++) {
      const g = other.grp[i];
      if (seen.includes(g)) continue;
      seen.push(g);
      let first: Var | undefined;
      for (let j = i; j < ov.length; j++) {
        if (other.grp[j] !== g) continue;
        if (first === undefined) first = ov[j];
        else if (!this.equateMut(first, ov[j])) return false;
      }
      const val = other.vals[g];
      if (first !== undefined) {
        if (val !== undefined) {
          if (!this.bindMut(first, val)) return false;
        } else if (this.groupOf(first) < 0) {
          const ng = this.vals.length;
          this.vals.push(undefined);
          this.addVar(first, ng);
        }
      }
    }
    return true;
  }

  /** True when some value (transitively) contains its own variable. */
  hasLoops(): boolean {
    const n = this.vals.length;
    for (let g = 0; g < n; g++) {
      const v = this.vals[g];
      if (v === undefined || v.kind !== Kind.Expr) continue;
      if (this.reaches(v, g, 0)) return true;
    }
    return false;
  }

  private reaches(a: Atom, target: number, depth: number): boolean {
    if (depth > 64) return true;
    if (a.kind === Kind.Var) {
      const g = this.groupOf(a);
      if (g < 0) return false;
      if (g === target) return true;
      const v = this.vals[g];
      return v !== undefined && this.reaches(v, target, depth + 1);
    }
    if (a.kind === Kind.Expr) {
      for (const c of a.items) if (this.reaches(c, target, depth)) return true;
    }
    return false;
  }

  /**
   * Keeps only variables accepted by `keep` (hyperon's `apply_and_retain` after applying):
   * values are resolved first so dropping other variables loses nothing.
   */
  retain(keep: (v: Var) => boolean): Bindings {
    if (this.vars.length === 0) return this;
    let all = true;
    for (const v of this.vars) if (!keep(v)) { all = false; break; }
    if (all) return this;
    let none = true;
    for (const v of this.vars) if (keep(v)) { none = false; break; }
    if (none) return Bindings.EMPTY;
    // A group keeps its first kept member as representative, in values too.
    const reps: (Var | undefined)[] = [];
    for (let i = 0; i < this.vars.length; i++) {
      const g = this.grp[i];
      if (reps[g] === undefined && keep(this.vars[i])) reps[g] = this.vars[i];
    }
    const vars: Var[] = [];
    const grp: number[] = [];
    const vals: (Atom | undefined)[] = [];
    const remap: number[] = [];
    for (let i = 0; i < this.vars.length; i++) {
      const v = this.vars[i];
      const g = this.grp[i];
      if (reps[g] === undefined || !keep(v)) continue;
      let ng = remap[g];
      if (ng === undefined) {
        ng = vals.length;
        remap[g] = ng;
        const val = this.vals[g];
        vals.push(val === undefined ? undefined : this.apply(val, 0, reps));
      }
      vars.push(v);
      grp.push(ng);
    }
    return new Bindings(vars, grp, vals);
  }

  /** Keeps only `vars` (hyperon's `narrow_vars`), their values resolved. */
  narrow(vars: readonly Var[]): Bindings {
    if (this.vars.length === 0) return this;
    if (vars.length === 0) return Bindings.EMPTY;
    return this.retain((v) => {
      for (let i = 0; i < vars.length; i++) if (vars[i].key === v.key) return true;
      return false;
    });
  }

  /** Number of variables bound or equated. */
  get size(): number {
    return this.vars.length;
  }

  /** Variables and their values, for debugging and tests. */
  toString(): string {
    const parts: string[] = [];
    const groups = new Map<number, Var[]>();
    this.vars.forEach((v, i) => {
      const g = this.grp[i];
      groups.set(g, [...(groups.get(g) ?? []), v]);
    });
    for (const [g, vs] of groups) {
      const names = vs.map((v) => (v.id ? `$${v.name}-${v.id}` : `$${v.name}`)).join(' = ');
      const val = this.vals[g];
      parts.push(val === undefined ? names : `${names} = ${String(val.kind)}`);
    }
    return `{ ${parts.join(', ')} }`;
  }
}

/** Unifies `a` with `b` into the mutable bindings `b0`; false when they do not match. */
export function unifyMut(a: Atom, b: Atom, bnd: Bindings): boolean {
  if (a === b) return true;
  if (a.kind === Kind.Var) {
    return b.kind === Kind.Var ? bnd.equateMut(a, b) : bnd.bindMut(a, b);
  }
  if (b.kind === Kind.Var) return bnd.bindMut(b, a);
  if (a.kind === Kind.Expr) {
    if (b.kind !== Kind.Expr) return false;
    const x = a.items;
    const y = b.items;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!unifyMut(x[i], y[i], bnd)) return false;
    return true;
  }
  return atomEq(a, b);
}

/**
 * Two-sided match of `a` and `b` (hyperon's `match_atoms`), starting from `base`.
 * @example
 * matchAtoms(parse('(A $b)'), parse('($a B)')) // { $a = A, $b = B }
 */
export function matchAtoms(a: Atom, b: Atom, base: Bindings = Bindings.EMPTY): Bindings | undefined {
  // Fast path for ground atoms.
  if (a.kind !== Kind.Var && b.kind !== Kind.Var && a.kind !== Kind.Expr) return atomEq(a, b) ? base : undefined;
  const bnd = base.clone();
  return unifyMut(a, b, bnd) ? bnd : undefined;
}

/** hyperon's `atoms_are_equivalent`: equal up to a consistent renaming of variables. */
export function atomsAreEquivalent(a: Atom, b: Atom): boolean {
  if (a === b) return true;
  return equivalent(a, b, [], []);
}

/** `ab[i]` and `ba[i]` pair up the keys of variables seen so far on each side. */
function equivalent(x: Atom, y: Atom, ab: number[], ba: number[]): boolean {
  if (x.kind === Kind.Var && y.kind === Kind.Var) {
    const i = ab.indexOf(x.key);
    const j = ba.indexOf(y.key);
    if (i < 0 && j < 0) {
      ab.push(x.key);
      ba.push(y.key);
      return true;
    }
    return i >= 0 && i === j;
  }
  if (x.kind === Kind.Expr && y.kind === Kind.Expr) {
    if (x.items.length !== y.items.length) return false;
    for (let i = 0; i < x.items.length; i++) if (!equivalent(x.items[i], y.items[i], ab, ba)) return false;
    return true;
  }
  if (x.kind === Kind.Var || y.kind === Kind.Var) return false;
  return atomEq(x, y);
}
