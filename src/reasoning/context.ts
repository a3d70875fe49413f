/**
 * What every evaluation of one run shares, whichever engine runs it: the limits (step budget,
 * deadline, stack depth, pending alternatives), the error that reports going over them, the
 * services grounded operations may use, and the grounded atom that stands for a space.
 */
import { type Atom, Gnd, Kind, S } from './atom.ts';
import { Space } from './space.ts';

/** A run went over its step budget, deadline or memory bound. */
export class LimitError extends Error {
  constructor(readonly code: 'steps' | 'deadline' | 'depth' | 'alternatives' | 'output', message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

export interface Limits {
  /** Evaluation steps per run (all `!` of a program together). */
  maxSteps: number;
  /** Wall-clock budget per run, in milliseconds. */
  timeoutMs: number;
  /** Deepest chain of pending continuations before the run is stopped (runaway recursion). */
  maxDepth: number;
  /** Most pending alternatives at once. */
  maxAlternatives: number;
}

export const DEFAULT_LIMITS: Limits = { maxSteps: 5_000_000, timeoutMs: 5_000, maxDepth: 50_000, maxAlternatives: 200_000 };

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Shared by every evaluation of one run: steps taken, the deadline, nesting of `case`/`capture`. */
export class Budget {
  steps = 0;
  readonly deadline: number;
  nesting = 0;
  constructor(readonly limits: Limits) {
    this.deadline = now() + limits.timeoutMs;
  }
  tick(n: number): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) throw new LimitError('steps', `step budget of ${this.limits.maxSteps} exceeded`);
    if (now() > this.deadline) throw new LimitError('deadline', `deadline of ${this.limits.timeoutMs} ms exceeded`);
  }
}

/** What grounded operations may use while executing. */
export interface EvalContext {
  /** The space the current evaluation runs against (`&self`). */
  space: Space;
  /** Runs a nested evaluation of `(metta atom %Undefined% space)` to completion. */
  interpret(space: Space, atom: Atom): Atom[];
  /** Writes one line of program output (println!). */
  print(line: string): void;
  budget: Budget;
  settings: Map<string, Atom>;
  /** Registers a parser token (bind!). */
  bindToken(name: string, atom: Atom): void;
  /** Loads a knowledge-base module by name into a space (import!). */
  importModule?(name: string, into: Space): void;
  /** The same services against another space. */
  withSpace(space: Space): EvalContext;
}

const spaceAtoms = new WeakMap<Space, Gnd>();
/** The grounded atom standing for `space` (`&self`, `(new-space)`), one per space. */
export function spaceAtomOf(space: Space): Gnd {
  let g = spaceAtoms.get(space);
  if (g === undefined) {
    g = new Gnd({ t: 'other', v: space, name: 'GroundingSpace-top', type: S.spaceType });
    spaceAtoms.set(space, g);
  }
  return g;
}

/** The space a grounded space atom stands for, or undefined. */
export function spaceOf(a: Atom): Space | undefined {
  return a.kind === Kind.Gnd && a.g.t === 'other' && a.g.v instanceof Space ? a.g.v : undefined;
}

/** Instructions of minimal MeTTa that `eval` and `function` run instead of querying for them. */
export function isEmbeddedOp(a: Atom): boolean {
  if (a.kind !== Kind.Expr || a.items.length === 0) return false;
  const op = a.items[0];
  return op === S.eval || op === S.evalc || op === S.chain || op === S.unify || op === S.consAtom || op === S.deconsAtom ||
    op === S.function || op === S.collapseBind || op === S.superposeBind || op === S.metta || op === S.contextSpace || op === S.callNative;
}

/** An expression whose operation (or its operation's operation) is a variable is not queried. */
export function isVariableOp(a: Atom): boolean {
  let cur: Atom = a;
  while (cur.kind === Kind.Expr && cur.items.length > 0) {
    const h = cur.items[0];
    if (h.kind === Kind.Var) return true;
    cur = h;
  }
  return false;
}
