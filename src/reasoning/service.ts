/**
 * The reasoning service the app holds: one ethics engine over the shared knowledge base, and
 * MeTTa runs for callers, each in a fresh space layered over that knowledge base (read-only
 * through the run). Runs are bounded for a server: a step budget, a deadline, a size limit on
 * programs and on what they print or return, a few at once, and each hands the event loop
 * back every few milliseconds so one long program does not hold up other requests.
 */
import { OverloadedError } from '../shared/errors.ts';
import { LimitError, type Limits } from './context.ts';
import { createEthicsEngine, type EthicsEngine } from './ethics.ts';
import { ETHICS_KB } from './kb.ts';
import { Parser } from './parser.ts';
import { MeTTa, ProgramTooLargeError, formatResults } from './runner.ts';

/** What a run or query gives back: one line per executed `!`, and what `println!` printed. */
export interface RunResult {
  results: string[];
  output: string[];
}

export interface ReasoningServiceOptions {
  /** Knowledge-base source (default: kb/ethics.metta as embedded). */
  kb?: string;
  /** Limits of one run or query (merged over `HTTP_LIMITS`). */
  limits?: Partial<Limits>;
  /** Largest program or expression, in bytes. */
  maxProgramBytes?: number;
  /** Most characters a run may print and return together. */
  maxOutputChars?: number;
  /** Runs and queries evaluated at once; more are refused (429). */
  maxConcurrentRuns?: number;
  /** Ethics decisions kept in the cache. */
  cacheSize?: number;
}

/** A server's limits for one run or query: at most a second, then it ends with a clear error. */
export const HTTP_LIMITS: Limits = { maxSteps: 2_000_000, timeoutMs: 1_000, maxDepth: 20_000, maxAlternatives: 100_000 };

export interface ReasoningService {
  readonly ethics: EthicsEngine;
  /** Runs a program in a fresh space over the knowledge base. */
  run(program: string): Promise<RunResult>;
  /** Evaluates one expression (no `!` needed) in a fresh space over the knowledge base. */
  query(expression: string): Promise<RunResult>;
  /** Replaces the shared knowledge base (validated first); drops the decision cache. */
  replaceKb(source: string): { kbVersion: number; atoms: number };
  /** The current knowledge base. */
  kb(): { source: string; kbVersion: number; atoms: number };
}

/** A query that is not exactly one atom. */
export class NotOneAtomError extends Error {
  constructor(count: number) {
    super(count === 0 ? 'expression is empty' : `expression must be one atom, found ${count}`);
    this.name = 'NotOneAtomError';
  }
}

/**
 * @example
 * const reasoning = createReasoningService();
 * await reasoning.run('!(+ 1 2)') // { results: ['[3]'], output: [] }
 * reasoning.ethics.check({ researchCategory: 'public-health', dataTypes: ['demographics'], irbApproval: false, k: 10 })
 */
export function createReasoningService(options: ReasoningServiceOptions = {}): ReasoningService {
  const limits: Limits = { ...HTTP_LIMITS, ...options.limits };
  const maxProgramBytes = options.maxProgramBytes ?? 256 * 1024;
  const maxOutputChars = options.maxOutputChars ?? 1024 * 1024;
  const maxRuns = options.maxConcurrentRuns ?? 4;
  const ethics = createEthicsEngine({ kb: options.kb ?? ETHICS_KB, cacheSize: options.cacheSize, limits });
  let running = 0;

  async function bounded(body: (m: MeTTa, output: string[]) => Promise<string[]>): Promise<RunResult> {
    if (running >= maxRuns) throw new OverloadedError(`${maxRuns} MeTTa runs are in progress; retry shortly`, 1, 'metta_busy');
    running++;
    try {
      const output: string[] = [];
      let chars = 0;
      const spend = (n: number): void => {
        chars += n;
        if (chars > maxOutputChars) throw new LimitError('output', `output larger than ${maxOutputChars} characters`);
      };
      const m = new MeTTa({ layers: [ethics.kbSpace], limits, maxProgramBytes, print: (line) => (spend(line.length), output.push(line)) });
      const results = await body(m, output);
      for (const r of results) spend(r.length);
      return { results, output };
    } finally {
      running--;
    }
  }

  return {
    ethics,
    run: (program) => bounded((m) => m.runAsync(program)),
    query: (expression) =>
      bounded(async (m) => {
        const size = new TextEncoder().encode(expression).length;
        if (size > maxProgramBytes) throw new ProgramTooLargeError(size, maxProgramBytes);
        const p = new Parser(expression, m.tokenizer);
        const atoms = [];
        for (let a = p.next(); a !== undefined; a = p.next()) atoms.push(a);
        if (atoms.length !== 1) throw new NotOneAtomError(atoms.length);
        return [formatResults(await m.evaluateAtomAsync(atoms[0]))];
      }),
    replaceKb(source) {
      ethics.replaceKb(source);
      return { kbVersion: ethics.kbVersion, atoms: ethics.kbSpace.size };
    },
    kb: () => ({ source: ethics.kbSource, kbVersion: ethics.kbVersion, atoms: ethics.kbSpace.size }),
  };
}
