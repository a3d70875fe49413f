/**
 * The ethics check: may a study touch these data types for this research category, with
 * this IRB status, k and consent? The decision is evaluated in MeTTa over the knowledge
 * base (`kb/ethics.metta`), never in TypeScript rules, and cached per query and KB version
 * in a bounded LRU that is dropped whenever the knowledge base changes.
 *
 * Query values are turned into atoms directly (symbols checked against a strict pattern),
 * so no caller text is ever spliced into MeTTa source.
 */
import { ValidationError } from '../shared/errors.ts';
import { type Atom, Expr, Kind, S, atomToString, expr, int, sym, TRUE, FALSE } from './atom.ts';
import { Parser } from './parser.ts';
import type { Limits } from './context.ts';
import { MeTTa } from './runner.ts';
import { Space } from './space.ts';

export interface ConsentInput {
  status: 'granted' | 'denied' | 'pending';
  /** Data types the consent covers. */
  dataTypes: string[];
  /** Research categories the consent covers. */
  categories: string[];
  /** Expiry as epoch milliseconds or ISO-8601; absent means it never expires. */
  expiresAt?: number | string;
  withdrawn?: boolean;
}

export interface EthicsQuery {
  researchCategory: string;
  dataTypes: string[];
  irbApproval: boolean;
  k: number;
  consent?: ConsentInput;
  /** Evaluation time in epoch ms (default: now). */
  now?: number;
}

export interface EthicsDecision {
  decision: 'permit' | 'deny';
  /** Each reason as a MeTTa expression, e.g. `(irb-approval-required genomic critical)`. */
  reasons: string[];
  /** The facts the decision rests on, one per data type. */
  reasoningPath: string[];
  kbVersion: number;
  cached: boolean;
}

export interface EthicsEngineOptions {
  /** Knowledge-base MeTTa source (the contents of kb/*.metta). */
  kb: string;
  /** Most decisions kept (LRU); 0 turns the cache off. Default 10,000. */
  cacheSize?: number;
  limits?: Partial<Limits>;
  /** Evaluator (see MettaOptions.engine); the reference machine is for tests and benchmarks. */
  engine?: 'native' | 'reference';
}

export interface EthicsEngine {
  check(query: EthicsQuery): EthicsDecision;
  /** Replaces the knowledge base (admin only at the HTTP layer); drops the cache. */
  replaceKb(source: string): void;
  /** The shared, read-only knowledge-base space runs are layered over. */
  readonly kbSpace: Space;
  readonly kbSource: string;
  readonly kbVersion: number;
  readonly cacheSize: number;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const MAX_TYPES = 64;

function name(v: unknown, field: string): Atom {
  if (typeof v !== 'string' || !NAME.test(v)) throw new ValidationError(`${field} must be an identifier (letters, digits, - and _)`, field);
  return sym(v);
}

function names(v: unknown, field: string): Expr {
  if (!Array.isArray(v) || v.length > MAX_TYPES) throw new ValidationError(`${field} must be a list of at most ${MAX_TYPES} identifiers`, field);
  return new Expr(v.map((x, i) => name(x, `${field}[${i}]`)));
}

function epochMs(v: number | string | undefined, field: string): Atom {
  if (v === undefined) return sym('never');
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) throw new ValidationError(`${field} must be epoch milliseconds or an ISO-8601 date`, field);
  return int(Math.trunc(ms));
}

/** Builds the `(ethics-decision ...)` atom for a validated query. */
export function decisionAtom(q: EthicsQuery, nowMs: number): Atom {
  if (q === null || typeof q !== 'object') throw new ValidationError('query must be an object', 'query');
  if (typeof q.irbApproval !== 'boolean') throw new ValidationError('irbApproval must be a boolean', 'irbApproval');
  if (!Number.isSafeInteger(q.k) || q.k < 0) throw new ValidationError('k must be a non-negative integer', 'k');
  let consent: Atom = sym('no-consent');
  if (q.consent !== undefined) {
    const c = q.consent;
    if (c === null || typeof c !== 'object' || !['granted', 'denied', 'pending'].includes(c.status)) {
      throw new ValidationError('consent.status must be granted, denied or pending', 'consent.status');
    }
    consent = expr(
      sym('consent'),
      sym(c.status),
      names(c.dataTypes, 'consent.dataTypes'),
      names(c.categories, 'consent.categories'),
      epochMs(c.expiresAt, 'consent.expiresAt'),
      c.withdrawn === true ? TRUE : FALSE,
    );
  }
  return expr(
    sym('ethics-decision'),
    name(q.researchCategory, 'researchCategory'),
    names(q.dataTypes, 'dataTypes'),
    q.irbApproval ? TRUE : FALSE,
    int(q.k),
    consent,
    // Time matters only for consent expiry; leaving it out otherwise keeps queries cacheable.
    int(q.consent?.expiresAt === undefined ? 0 : Math.trunc(q.now ?? nowMs)),
  );
}

function parseDecision(results: Atom[]): Omit<EthicsDecision, 'kbVersion' | 'cached'> {
  const r = results.find((a) => a.kind === Kind.Expr && a.items[0] === sym('decision'));
  if (r === undefined || r.kind !== Kind.Expr || r.items.length !== 4) {
    throw new Error(`knowledge base returned no decision: [${results.map(atomToString).join(', ')}]`);
  }
  const [, d, reasons, path] = r.items;
  const list = (a: Atom): string[] => (a.kind === Kind.Expr ? a.items.map(atomToString) : []);
  return { decision: d === sym('permit') ? 'permit' : 'deny', reasons: list(reasons), reasoningPath: list(path) };
}

/** Most bytes of knowledge-base source accepted. */
export const MAX_KB_BYTES = 4_000_000;

/**
 * Reads knowledge-base source into a fresh read-only space: plain atoms only (a `!` is refused
 * before anything runs); ParseError for malformed text.
 */
export function loadKb(source: string): Space {
  if (source.length > MAX_KB_BYTES) throw new ValidationError(`knowledge base larger than ${MAX_KB_BYTES} bytes`, 'source');
  const m = new MeTTa();
  const atoms: Atom[] = [];
  const p = new Parser(source, m.tokenizer);
  for (let a = p.next(); a !== undefined; a = p.next()) {
    if (a === S.exec) throw new ValidationError('knowledge base must not contain ! expressions', 'source');
    atoms.push(a);
  }
  for (const a of atoms) m.space.add(a);
  // Runs layer the KB over their own stdlib; keeping it here too would duplicate every match.
  m.space.deps = [];
  m.space.readOnly = true;
  return m.space;
}

/**
 * @example
 * const engine = createEthicsEngine({ kb: readFileSync('kb/ethics.metta', 'utf8') });
 * engine.check({ researchCategory: 'clinical-trial', dataTypes: ['genomic'], irbApproval: true, k: 60 })
 * // { decision: 'deny', reasons: ['(consent-missing genomic)'], ... }
 */
export function createEthicsEngine(options: EthicsEngineOptions): EthicsEngine {
  const cacheSize = Math.max(0, options.cacheSize ?? 10_000);
  let kbSource = options.kb;
  let kbSpace = loadKb(kbSource);
  let kbVersion = 1;
  const cache = new Map<string, Omit<EthicsDecision, 'kbVersion' | 'cached'>>();
  const runnerFor = (space: Space): MeTTa => new MeTTa({ layers: [space], limits: options.limits, engine: options.engine });
  let runner = runnerFor(kbSpace);

  return {
    get kbSpace() {
      return kbSpace;
    },
    get kbSource() {
      return kbSource;
    },
    get kbVersion() {
      return kbVersion;
    },
    get cacheSize() {
      return cache.size;
    },
    replaceKb(source: string) {
      const space = loadKb(source);
      kbSource = source;
      kbSpace = space;
      kbVersion++;
      cache.clear();
      runner = runnerFor(kbSpace);
    },
    check(query: EthicsQuery): EthicsDecision {
      const atom = decisionAtom(query, Date.now());
      if (cacheSize === 0) return { ...parseDecision(runner.evaluateAtom(atom)), kbVersion, cached: false };
      const key = `${kbVersion}|${atomToString(atom)}`;
      const hit = cache.get(key);
      if (hit !== undefined) {
        cache.delete(key);
        cache.set(key, hit);
        return { ...hit, kbVersion, cached: true };
      }
      const result = parseDecision(runner.evaluateAtom(atom));
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(key, result);
      return { ...result, kbVersion, cached: false };
    },
  };
}
