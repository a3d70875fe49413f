/**
 * The MeTTa runner: reads a program atom by atom, adds plain atoms to the space and
 * evaluates each `!` atom, producing one line per `!` exactly as hyperon's `metta` command
 * prints it (`[3]`, `[]`, `["hi"]`). Like hyperon, the run stops after the first `!` whose
 * results contain an `Error`. Each run has a step budget, a deadline and a size limit.
 */
import { type Atom, ExecError, Kind, S, atomToString, expr, isError } from './atom.ts';
import { Budget, DEFAULT_LIMITS, type EvalContext, type Limits, LimitError, spaceAtomOf } from './context.ts';
import { Machine, setEvaluatorPrinter } from './evaluator.ts';
import { Interpreter, setPrinter } from './interpreter.ts';
import { ParseError, Parser, Tokenizer } from './parser.ts';
import { Space } from './space.ts';
import { PRELUDE, registerStdlib } from './stdlib.ts';
import { atomTypes } from './types.ts';

setPrinter(atomToString);
setEvaluatorPrinter(atomToString);

/** Largest program accepted by default (bytes of source text). */
export const DEFAULT_MAX_PROGRAM_BYTES = 1_000_000;
/** Deepest nesting of `case`/`capture` evaluations (each uses the JS stack). */
const MAX_NESTING = 64;

export class ProgramTooLargeError extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`program of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.name = 'ProgramTooLargeError';
  }
}

export { LimitError, ParseError };

export interface MettaOptions {
  /** Step budget, deadline, depth and alternatives limits (merged over defaults). */
  limits?: Partial<Limits>;
  maxProgramBytes?: number;
  /** Read-only spaces consulted after this runner's own space (e.g. a knowledge base). */
  layers?: Space[];
  /** Modules `import!` can load, by name, as MeTTa source. */
  modules?: Record<string, string>;
  /** Receives `println!` output lines as they happen (default: kept in `output`). */
  print?: (line: string) => void;
  /**
   * `native` (default): the direct evaluator (evaluator.ts). `reference`: hyperon's minimal-MeTTa
   * machine step by step (interpreter.ts), the oracle the native evaluator is tested against.
   */
  engine?: 'native' | 'reference';
}

let stdlibSpace: Space | undefined;
/** The prelude space shared (read-only) by every runner in this isolate. */
export function stdlib(): Space {
  if (stdlibSpace === undefined) {
    const s = new Space();
    const tok = new Tokenizer();
    registerStdlib(tok, s);
    const p = new Parser(PRELUDE, tok);
    for (let a = p.next(); a !== undefined; a = p.next()) s.add(a);
    s.readOnly = true;
    stdlibSpace = s;
  }
  return stdlibSpace;
}

/**
 * A MeTTa runner with its own space (`&self`) layered over the standard library.
 * @example
 * new MeTTa().run('(= (sq $x) (* $x $x)) !(sq 3) !(+ 1 2.0)') // ['[9]', '[3.0]']
 */
export class MeTTa {
  readonly space = new Space();
  readonly tokenizer = new Tokenizer();
  readonly settings = new Map<string, Atom>();
  /** `println!` lines of the last run when no `print` callback is given. */
  output: string[] = [];
  private readonly limits: Limits;
  private readonly maxBytes: number;

  constructor(private readonly options: MettaOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.maxBytes = options.maxProgramBytes ?? DEFAULT_MAX_PROGRAM_BYTES;
    registerStdlib(this.tokenizer, this.space);
    this.space.deps = [...(options.layers ?? []), stdlib()];
  }

  /**
   * Runs a program; one formatted line per executed `!`.
   * Throws ParseError on malformed text (like hyperon, no results are returned then),
   * LimitError when the budget or deadline is exceeded, ProgramTooLargeError over the size limit.
   */
  run(source: string): string[] {
    return this.runAtoms(source).map(formatResults);
  }

  /** Like `run`, but returns the result atoms of each `!`. */
  runAtoms(source: string): Atom[][] {
    const program = this.start(source);
    for (let atom = program.next(); atom !== undefined; atom = program.next()) {
      if (program.done(program.typeError ?? this.evaluate(atom, program.ctx))) break;
    }
    return program.results;
  }

  /**
   * Like `run`, but each `!` hands the event loop back about every `sliceMs` of work, so a long
   * program does not hold up other requests (the HTTP routes use this).
   * @example
   * await new MeTTa().runAsync('!(+ 1 2)') // ['[3]']
   */
  async runAsync(source: string, sliceMs = 5): Promise<string[]> {
    const program = this.start(source);
    for (let atom = program.next(); atom !== undefined; atom = program.next()) {
      const res = program.typeError ?? (await this.evaluateAsync(atom, program.ctx, sliceMs));
      if (program.done(res)) break;
    }
    return program.results.map(formatResults);
  }

  /** Reads a program atom by atom: plain atoms go into the space, `!` atoms come out to be evaluated. */
  private start(source: string): { ctx: EvalContext; results: Atom[][]; typeError: Atom[] | undefined; next(): Atom | undefined; done(res: Atom[]): boolean } {
    const size = byteLength(source);
    if (size > this.maxBytes) throw new ProgramTooLargeError(size, this.maxBytes);
    this.output = [];
    const ctx = this.context(new Budget(this.limits));
    const parser = new Parser(source, this.tokenizer);
    const results: Atom[][] = [];
    let stopped = false;
    const program = {
      ctx,
      results,
      typeError: undefined as Atom[] | undefined,
      next: (): Atom | undefined => {
        program.typeError = undefined;
        let exec = false;
        while (!stopped) {
          const atom = parser.next();
          if (atom === undefined) return undefined;
          if (atom === S.exec) {
            exec = true;
            continue;
          }
          const err = this.typeCheck(atom);
          if (!exec) {
            if (err !== undefined) {
              results.push([err]);
              stopped = true;
              return undefined;
            }
            this.space.add(atom);
            continue;
          }
          if (err !== undefined) program.typeError = [err];
          return atom;
        }
        return undefined;
      },
      /** Records the results of one `!`; true when they hold an error (the run stops, as hyperon's does). */
      done: (res: Atom[]): boolean => {
        results.push(res);
        stopped = res.some(isError);
        return stopped;
      },
    };
    return program;
  }

  /** Like `evaluateAtom`, handing the event loop back about every `sliceMs` of work. */
  evaluateAtomAsync(atom: Atom, sliceMs = 5): Promise<Atom[]> {
    return this.evaluateAsync(atom, this.context(new Budget(this.limits)), sliceMs);
  }

  /** Evaluates one atom against this runner's space (no `!` needed). */
  evaluateAtom(atom: Atom): Atom[] {
    return this.evaluate(atom, this.context(new Budget(this.limits)));
  }

  private evaluate(atom: Atom, ctx: EvalContext): Atom[] {
    return this.evaluateIn(this.space, atom, ctx);
  }

  private evaluateAsync(atom: Atom, ctx: EvalContext, sliceMs: number): Promise<Atom[]> {
    if (this.options.engine === 'reference') return Promise.resolve(this.evaluate(atom, ctx));
    return new Machine(this.space, ctx).evaluateAsync(atom, sliceMs, pause);
  }

  private evaluateIn(space: Space, atom: Atom, ctx: EvalContext): Atom[] {
    if (this.options.engine === 'reference') return new Interpreter(space, ctx, expr(S.metta, atom, S.undefined, spaceAtomOf(space))).run();
    return new Machine(space, ctx).evaluate(atom);
  }

  private typeCheck(atom: Atom): Atom | undefined {
    const tc = this.settings.get('type-check');
    if (tc === undefined || tc.kind !== Kind.Sym || tc.name !== 'auto' || atom.kind !== Kind.Expr) return undefined;
    const types = atomTypes(this.space, atom);
    if (types.length > 0 && types.every((t) => t.error !== undefined)) return types[0].error;
    return undefined;
  }

  private context(budget: Budget): EvalContext {
    return new RunContext(this, this.space, budget);
  }

  /** @internal Nested evaluation for `case`/`capture`, bounded by MAX_NESTING. */
  nested(space: Space, atom: Atom, ctx: EvalContext): Atom[] {
    const budget = ctx.budget;
    if (budget.nesting >= MAX_NESTING) throw new LimitError('depth', `nested evaluation deeper than ${MAX_NESTING}`);
    budget.nesting++;
    try {
      return this.evaluateIn(space, atom, ctx.withSpace(space));
    } finally {
      budget.nesting--;
    }
  }

  /** @internal `println!` */
  printLine(line: string): void {
    if (this.options.print !== undefined) this.options.print(line);
    else this.output.push(line);
  }

  /** @internal `import!` */
  loadModule(name: string, into: Space): void {
    const src = this.options.modules?.[name];
    if (src === undefined) throw new ExecError('runtime', `module not found: ${name}`);
    const p = new Parser(src, this.tokenizer);
    for (let a = p.next(); a !== undefined; a = p.next()) if (a !== S.exec) into.add(a);
  }
}

/** The services one run offers its grounded operations (a class: no closures made per run). */
class RunContext implements EvalContext {
  constructor(
    private readonly runner: MeTTa,
    readonly space: Space,
    readonly budget: Budget,
  ) {}
  get settings(): Map<string, Atom> {
    return this.runner.settings;
  }
  withSpace(space: Space): EvalContext {
    return space === this.space ? this : new RunContext(this.runner, space, this.budget);
  }
  interpret(space: Space, atom: Atom): Atom[] {
    return this.runner.nested(space, atom, this);
  }
  print(line: string): void {
    this.runner.printLine(line);
  }
  bindToken(name: string, atom: Atom): void {
    this.runner.tokenizer.register(name, () => atom);
  }
  importModule(name: string, into: Space): void {
    this.runner.loadModule(name, into);
  }

}

/** Hands the event loop back for one turn (a macrotask: pending I/O and timers run first). */
function pause(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** `[a, b]` as hyperon's runner prints a result list. */
export function formatResults(atoms: Atom[]): string {
  return `[${atoms.map(atomToString).join(', ')}]`;
}

function byteLength(s: string): number {
  if (s.length * 3 <= 1_000_000_000 && s.length < 1 << 20) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
    }
    return n;
  }
  return new TextEncoder().encode(s).length;
}
