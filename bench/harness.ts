/**
 * Shared mitata harness. A bench file defines its `group`/`summary`/`bench` blocks (contenders
 * checked for correctness first), then calls `runBenchmarks(import.meta.url)`, which prints
 * mitata's report and merges every timing into `bench/results.json`
 * (name, ops/s, p50/p99, date, Node version, commit). Figures that are not timings
 * (bytes per message, error %, memory) go in with `recordFigure()`.
 */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'mitata';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BenchRecord {
  name: string;
  opsPerSec?: number;
  avgNs?: number;
  p50Ns?: number;
  p99Ns?: number;
  value?: number;
  unit?: string;
  date: string;
  node: string;
  commit: string;
}

const figures: BenchRecord[] = [];

function commit(): string {
  try {
    const sha = execSync('git rev-parse --short HEAD', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain', { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

function stamp(): Pick<BenchRecord, 'date' | 'node' | 'commit'> {
  return { date: new Date().toISOString(), node: process.version, commit: commit() };
}

/**
 * `args` (a command and its arguments) run pinned to CPU `cpu` with `taskset` where it exists,
 * so a server and its load generator each get a core of their own.
 *
 * @example
 * const [cmd, argv] = pinned(1, [process.execPath, 'load.js']);
 */
export function pinned(cpu: number, args: string[]): [string, string[]] {
  try {
    execFileSync('taskset', ['-c', String(cpu), 'true']);
    return ['taskset', ['-c', String(cpu), ...args]];
  } catch {
    return [args[0], args.slice(1)];
  }
}

/** Records a non-timing figure (e.g. bytes per message) under `name`. */
export function recordFigure(name: string, value: number, unit: string): void {
  figures.push({ name, value, unit, ...stamp() });
  console.log(`figure ${name}: ${Number.isInteger(value) ? value : value.toPrecision(4)} ${unit}`);
}

/** Runs everything defined so far with mitata and merges the results into bench/results.json. */
export async function runBenchmarks(fileUrl: string): Promise<void> {
  const prefix = relative(ROOT, fileURLToPath(fileUrl)).replace(/^bench\//, '').replace(/\.bench\.ts$/, '');
  const result = await run();
  const meta = stamp();
  const records: BenchRecord[] = [];
  // mitata's typings omit `layout` and `trial.group`, both present at run time.
  const { layout } = result as unknown as { layout: { name: string | null }[] };
  for (const b of result.benchmarks) {
    const group = layout[(b as unknown as { group: number }).group]?.name;
    for (const r of b.runs) {
      if (!r.stats) continue;
      records.push({
        name: [prefix, group, r.name].filter(Boolean).join(' / '),
        opsPerSec: 1e9 / r.stats.avg,
        avgNs: r.stats.avg,
        p50Ns: r.stats.p50,
        p99Ns: r.stats.p99,
        ...meta,
      });
    }
  }
  for (const f of figures) records.push({ ...f, name: `${prefix} / ${f.name}` });
  const existing: Record<string, BenchRecord> = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
  for (const r of records) existing[r.name] = r;
  const sorted = Object.fromEntries(Object.entries(existing).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
}
