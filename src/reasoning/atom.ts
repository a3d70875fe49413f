/**
 * MeTTa atoms: interned symbols, variables, grounded values and expressions, plus the
 * printer that reproduces hyperon's textual form byte for byte (`6.0`, `"hi"`, `$x-12`,
 * `(a (b c))`).
 *
 * Symbols are interned so equality is a pointer compare; variables carry a numeric `key`
 * unique per (name, id) so bindings can index them without strings in the hot path.
 */

export enum Kind {
  Sym = 0,
  Var = 1,
  Expr = 2,
  Gnd = 3,
}

// Fields are assigned in constructors (`declare`d, not class fields): atoms are created in the
// evaluator's hot loop and define-semantics field initialisers cost a measurable share there.

export class Sym {
  declare readonly kind: Kind.Sym;
  declare readonly name: string;
  constructor(name: string) {
    this.kind = Kind.Sym;
    this.name = name;
  }
}

let nextVarId = 1;
let nextNamedKey = -1;
const NAMED_VAR_KEYS = new Map<string, number>();

export class Var {
  declare readonly kind: Kind.Var;
  declare readonly name: string;
  declare readonly id: number;
  /** Unique per (name, id): `id` itself for fresh variables, an interned negative number otherwise. */
  declare readonly key: number;
  constructor(name: string, id = 0) {
    this.kind = Kind.Var;
    this.name = name;
    this.id = id;
    if (id > 0) this.key = id;
    else {
      let k = NAMED_VAR_KEYS.get(name);
      if (k === undefined) {
        // Keys only need to tell names apart within the atoms being unified: a fresh table
        // after many names keeps memory bounded (atoms already built keep their keys).
        if (NAMED_VAR_KEYS.size > 100_000) NAMED_VAR_KEYS.clear();
        k = nextNamedKey--;
        NAMED_VAR_KEYS.set(name, k);
      }
      this.key = k;
    }
  }
  /** A fresh variable with the same name, printed `$name-<id>` like hyperon's `make_unique`. */
  fresh(): Var {
    return new Var(this.name, nextVarId++);
  }
}

const NO_VARS: Var[] = [];

export class Expr {
  declare readonly kind: Kind.Expr;
  declare readonly items: Atom[];
  /** Set by the interpreter when an expression is known to be fully evaluated data. */
  declare evaluated: boolean;
  /** Lazily computed variables of this (immutable) expression; `NO_VARS` when it has none. */
  declare vars: Var[] | undefined;
  constructor(items: Atom[]) {
    this.kind = Kind.Expr;
    this.items = items;
    this.evaluated = false;
    // Ground is known at once from the children (already built), which saves a walk per use.
    let ground = true;
    for (let i = 0; i < items.length; i++) {
      const c = items[i];
      if (c.kind === Kind.Var || (c.kind === Kind.Expr && c.vars !== NO_VARS)) {
        ground = false;
        break;
      }
    }
    this.vars = ground ? NO_VARS : undefined;
  }
}

/** What a grounded operation returns: results, or a failure that becomes an `Error` or `NotReducible`. */
export type ExecResult = Atom[];

export class ExecError extends Error {
  /** `runtime` → `(Error <call> <message>)`; `noReduce` → the call stays as data. */
  constructor(readonly kindOf: 'runtime' | 'noReduce', message = '') {
    super(message);
  }
}

/** Interpreter services a grounded operation may use (see `EvalContext` in interpreter.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OpContext = any;

export interface GroundedOp {
  readonly name: string;
  readonly type: Atom;
  execute(args: Atom[], ctx: OpContext): ExecResult;
  /** Operations returning results with bindings (match); each result carries its own bindings. */
  executeBindings?(args: Atom[], ctx: OpContext): { atom: Atom; bindings: unknown }[];
}

export type GndValue =
  | { t: 'int'; v: bigint }
  | { t: 'float'; v: number }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'op'; v: GroundedOp }
  | { t: 'other'; v: unknown; name: string; type: Atom; eq?: (o: unknown) => boolean };

export class Gnd {
  declare readonly kind: Kind.Gnd;
  declare readonly g: GndValue;
  constructor(g: GndValue) {
    this.kind = Kind.Gnd;
    this.g = g;
  }
}

export type Atom = Sym | Var | Expr | Gnd;

/**
 * Interned symbols, held weakly: a symbol stays interned exactly as long as some atom uses it,
 * so the programs callers send cannot grow this table without bound, and equal names are one
 * object for as long as it matters (pointer comparison stays valid).
 */
const SYMBOLS = new Map<string, WeakRef<Sym>>();
const FORGET = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<string>((name) => {
      if (SYMBOLS.get(name)?.deref() === undefined) SYMBOLS.delete(name);
    })
  : undefined;
/** The interned symbol for `name`. */
export function sym(name: string): Sym {
  let s = SYMBOLS.get(name)?.deref();
  if (s === undefined) {
    s = new Sym(name);
    SYMBOLS.set(name, new WeakRef(s));
    FORGET?.register(s, name);
  }
  return s;
}

export const expr = (...items: Atom[]): Expr => new Expr(items);
export const EMPTY_EXPR = new Expr([]);

const INT_MIN = -(1n << 63n);
/** Wraps to a signed 64-bit integer, as hyperon's release build does on overflow. */
export const wrapI64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const int = (v: bigint | number): Gnd => new Gnd({ t: 'int', v: typeof v === 'number' ? BigInt(v) : wrapI64(v) });
export const float = (v: number): Gnd => new Gnd({ t: 'float', v });
export const str = (v: string): Gnd => new Gnd({ t: 'str', v });
export const TRUE = new Gnd({ t: 'bool', v: true });
export const FALSE = new Gnd({ t: 'bool', v: false });
export const bool = (v: boolean): Gnd => (v ? TRUE : FALSE);
export const opAtom = (op: GroundedOp): Gnd => new Gnd({ t: 'op', v: op });
export { INT_MIN };

// Well-known symbols.
export const S = {
  eq: sym('='),
  colon: sym(':'),
  arrow: sym('->'),
  error: sym('Error'),
  empty: sym('Empty'),
  notReducible: sym('NotReducible'),
  undefined: sym('%Undefined%'),
  atom: sym('Atom'),
  symbol: sym('Symbol'),
  variable: sym('Variable'),
  expression: sym('Expression'),
  grounded: sym('Grounded'),
  type: sym('Type'),
  number: sym('Number'),
  string: sym('String'),
  boolT: sym('Bool'),
  spaceType: sym('SpaceType'),
  badType: sym('BadType'),
  badArgType: sym('BadArgType'),
  incorrectArgs: sym('IncorrectNumberOfArguments'),
  noReturn: sym('NoReturn'),
  stackOverflow: sym('StackOverflow'),
  eval: sym('eval'),
  evalc: sym('evalc'),
  chain: sym('chain'),
  unify: sym('unify'),
  consAtom: sym('cons-atom'),
  deconsAtom: sym('decons-atom'),
  function: sym('function'),
  return: sym('return'),
  collapseBind: sym('collapse-bind'),
  superposeBind: sym('superpose-bind'),
  metta: sym('metta'),
  contextSpace: sym('context-space'),
  callNative: sym('call-native'),
  ok: sym('Ok'),
  comma: sym(','),
  exec: sym('!'),
  state: sym('State'),
};

/** `()`, hyperon's unit value. */
export const UNIT = EMPTY_EXPR;
/** The unit type `(->)`. */
export const UNIT_TYPE = expr(S.arrow);

export const isExpr = (a: Atom): a is Expr => a.kind === Kind.Expr;
export const isVar = (a: Atom): a is Var => a.kind === Kind.Var;

/** `(Error ...)` check used by the runner and the interpreter. */
export function isError(a: Atom): boolean {
  return a.kind === Kind.Expr && a.items.length > 0 && a.items[0] === S.error;
}

export function errorAtom(culprit: Atom, reason: Atom): Expr {
  return expr(S.error, culprit, reason);
}

/** Number view of a grounded atom, or undefined. */
export function asNumber(a: Atom): { t: 'int'; v: bigint } | { t: 'float'; v: number } | undefined {
  if (a.kind !== Kind.Gnd) return undefined;
  const g = a.g;
  return g.t === 'int' || g.t === 'float' ? g : undefined;
}

/** Structural equality with hyperon's grounded rules (numbers promote: `1 == 1.0`). */
export function atomEq(a: Atom, b: Atom): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case Kind.Sym:
      return false; // interned
    case Kind.Var:
      return a.key === (b as Var).key;
    case Kind.Expr: {
      const x = a.items;
      const y = (b as Expr).items;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (!atomEq(x[i], y[i])) return false;
      return true;
    }
    case Kind.Gnd:
      return gndEq(a.g, (b as Gnd).g);
  }
}

function gndEq(x: GndValue, y: GndValue): boolean {
  if ((x.t === 'int' || x.t === 'float') && (y.t === 'int' || y.t === 'float')) {
    if (x.t === 'int' && y.t === 'int') return x.v === y.v;
    const a = x.t === 'int' ? Number(x.v) : x.v;
    const b = y.t === 'int' ? Number(y.v) : y.v;
    return a === b;
  }
  if (x.t !== y.t) return false;
  if (x.t === 'other') return x.v === y.v || (x.eq !== undefined && x.eq(y.v));
  return x.v === y.v;
}

/** Type of a grounded atom as hyperon reports it. */
export function gndType(g: GndValue): Atom {
  switch (g.t) {
    case 'int':
    case 'float':
      return S.number;
    case 'str':
      return S.string;
    case 'bool':
      return S.boolT;
    case 'op':
      return g.v.type;
    case 'other':
      return g.type;
  }
}

/** Rust's `{:?}` for f64: shortest round-trip digits, `.0` on integral values, exponent outside [1e-4, 1e16). */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  if (ax < 1e-4 || ax >= 1e16) {
    const s = x.toExponential();
    const [m, e] = s.split('e');
    return `${m}e${e.startsWith('+') ? e.slice(1) : e}`;
  }
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/** Rust's `{:?}` for str, as hyperon prints String atoms. */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\0':
        out += '\\0';
        break;
      default:
        out += c < 0x20 || c === 0x7f ? `\\u{${c.toString(16)}}` : ch;
    }
  }
  return `${out}"`;
}

function writeAtom(a: Atom, out: string[]): void {
  switch (a.kind) {
    case Kind.Sym:
      out.push(a.name);
      return;
    case Kind.Var:
      out.push(a.id === 0 ? `$${a.name}` : `$${a.name}-${a.id}`);
      return;
    case Kind.Gnd:
      out.push(formatGnd(a.g));
      return;
    case Kind.Expr: {
      out.push('(');
      const items = a.items;
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out.push(' ');
        writeAtom(items[i], out);
      }
      out.push(')');
    }
  }
}

function formatGnd(g: GndValue): string {
  switch (g.t) {
    case 'int':
      return g.v.toString();
    case 'float':
      return formatFloat(g.v);
    case 'str':
      return quoteString(g.v);
    case 'bool':
      return g.v ? 'True' : 'False';
    case 'op':
      return g.v.name;
    case 'other':
      return g.name;
  }
}

/**
 * Prints an atom as hyperon's `Display` does.
 * @example
 * atomToString(expr(sym('foo'), int(1), str('a'))) // '(foo 1 "a")'
 */
export function atomToString(a: Atom): string {
  if (a.kind === Kind.Sym) return a.name;
  const out: string[] = [];
  writeAtom(a, out);
  return out.join('');
}

/** `println!`/`format-args` rendering: strings without quotes, everything else as printed. */
export function atomToText(a: Atom): string {
  if (a.kind === Kind.Gnd && a.g.t === 'str') return a.g.v;
  return atomToString(a);
}

/** Every variable inside `a`, in order of first appearance (cached on expressions; do not mutate). */
export function varsOf(a: Atom): Var[] {
  if (a.kind === Kind.Var) return [a];
  if (a.kind !== Kind.Expr) return NO_VARS;
  let v = a.vars;
  if (v === undefined) {
    v = collectVars(a);
    a.vars = v.length === 0 ? NO_VARS : v;
  }
  return v;
}

/** Every variable inside `a`, in order of first appearance. */
export function collectVars(a: Atom, out: Var[] = []): Var[] {
  if (a.kind === Kind.Var) {
    for (const v of out) if (v.key === a.key) return out;
    out.push(a);
  } else if (a.kind === Kind.Expr) {
    for (const c of a.items) collectVars(c, out);
  }
  return out;
}

export function hasVars(a: Atom): boolean {
  if (a.kind === Kind.Var) return true;
  if (a.kind === Kind.Expr && a.vars !== undefined) return a.vars !== NO_VARS;
  if (a.kind === Kind.Expr) for (const c of a.items) if (hasVars(c)) return true;
  return false;
}

/** Copy of `a` with every variable replaced by a fresh one (consistently within `a`). */
export function makeVarsUnique(a: Atom): Atom {
  if (a.kind === Kind.Var) return a.fresh();
  if (a.kind !== Kind.Expr) return a;
  const vars = varsOf(a);
  if (vars.length === 0) return a;
  return renameVars(a, vars, vars.map((v) => v.fresh()));
}

function renameVars(a: Atom, from: Var[], to: Var[]): Atom {
  if (a.kind === Kind.Var) {
    for (let i = 0; i < from.length; i++) if (from[i].key === a.key) return to[i];
    return a;
  }
  if (a.kind !== Kind.Expr || a.vars === NO_VARS) return a;
  const items = a.items;
  const out = new Array<Atom>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = renameVars(items[i], from, to);
  return new Expr(out);
}

/** Meta-type symbol of an atom. */
export function metaType(a: Atom): Sym {
  switch (a.kind) {
    case Kind.Sym:
      return S.symbol;
    case Kind.Var:
      return S.variable;
    case Kind.Expr:
      return S.expression;
    case Kind.Gnd:
      return S.grounded;
  }
}
