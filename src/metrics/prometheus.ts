/**
 * Prometheus text exposition format 0.0.4 for histograms and the monitor.
 *
 * A histogram becomes `_bucket{le=…}` (cumulative, ending with `+Inf`), `_sum` and `_count`.
 * The `le` boundaries are the histogram's own bucket boundaries, `bucketsPerOctave` of them per
 * power of two (default 4, so neighbouring `le` differ by at most ~30%) over the octaves the data
 * occupies, so every cumulative count is exact, not re-binned. A value counts toward the first
 * `le` above it; boundaries are chosen off the dyadic grid (never an integer or an x.5 value), so
 * values are never equal to a boundary in practice. Prometheus' `histogram_quantile` interpolates
 * linearly inside one of these buckets, so its answer lies in the same bucket as the true quantile.
 *
 * Names: `healthsync_` + the metric name with every character outside [a-zA-Z0-9_:] turned into
 * `_`, + a base-unit suffix; times are exported in seconds (`ms` and `us` values are scaled).
 */
import type { Histogram } from './histogram.ts';
import { bucketLowerBound, indexOf, subBucketsFor } from './reference.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const PREFIX = 'healthsync_';

/** Base-unit suffix and scale for a recorded unit. */
export function unitOf(unit: string): { suffix: string; scale: number } {
  switch (unit) {
    case 'ms':
      return { suffix: '_seconds', scale: 1e-3 };
    case 'us':
      return { suffix: '_seconds', scale: 1e-6 };
    case 'ns':
      return { suffix: '_seconds', scale: 1e-9 };
    case 's':
      return { suffix: '_seconds', scale: 1 };
    case 'bytes':
      return { suffix: '_bytes', scale: 1 };
    case 'percent':
    case '%':
      return { suffix: '_percent', scale: 1 };
    default:
      return { suffix: '', scale: 1 };
  }
}

/** A metric or label name made valid: [a-zA-Z_:][a-zA-Z0-9_:]*. */
export function sanitizeName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(clean) ? clean : `_${clean}`;
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as Prometheus (Go's ParseFloat) reads it. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

/** `{k="v",…}` for sorted labels plus extra pairs (e.g. le); '' when there are none. */
export function formatLabels(labels: Readonly<Record<string, string>>, extra = ''): string {
  let out = '';
  for (const key of Object.keys(labels)) out += `${out ? ',' : ''}${sanitizeName(key)}="${escapeLabelValue(labels[key])}"`;
  if (extra) out += `${out ? ',' : ''}${extra}`;
  return out ? `{${out}}` : '';
}

const F = new Float64Array(1);
const W = new Uint32Array(F.buffer);

/** Bucket offsets within an octave for the exported boundaries: off the dyadic grid, evenly spread. */
function octaveOffsets(s: number, perOctave: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < perOctave; k++) {
    let j = Math.round(((2 * k + 1) * s) / (2 * perOctave));
    // j/s dyadic (s/gcd a power of two) would put integers and halves on a boundary: step off it.
    const dyadic = (x: number): boolean => {
      let d = s / gcd(x, s);
      while (d % 2 === 0) d /= 2;
      return d === 1;
    };
    if (dyadic(j) && j + 1 < s && !out.includes(j + 1)) j += 1;
    if (!out.includes(j) && j > 0 && j < s) out.push(j);
  }
  return out.sort((a, b) => a - b);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The exported boundaries of one layout (sub-buckets, buckets per octave, scale), per octave,
 * with their `le` strings formatted once: number formatting would otherwise dominate an export.
 */
class BoundaryTable {
  readonly #s: number;
  readonly #offsets: number[];
  readonly #scale: number;
  readonly #values = new Map<number, number[]>();
  readonly #labels = new Map<number, string[]>();

  constructor(s: number, perOctave: number, scale: number) {
    this.#s = s;
    this.#offsets = octaveOffsets(s, perOctave);
    this.#scale = scale;
  }

  values(e: number): number[] {
    let v = this.#values.get(e);
    if (!v) this.#values.set(e, (v = this.#offsets.map((j) => firstDoubleOf(e * this.#s + j, this.#s))));
    return v;
  }

  labels(e: number): string[] {
    let l = this.#labels.get(e);
    // 15 significant digits: the scaled boundary without binary noise (no value sits that close to one).
    if (!l) this.#labels.set(e, (l = this.values(e).map((b) => `le="${formatValue(Number((b * this.#scale).toPrecision(15)))}"`)));
    return l;
  }
}

/**
 * The smallest double in bucket `idx`: "below it" then means exactly "in a lower bucket"
 * (the rounded lower bound alone may fall a hair inside the bucket beneath).
 */
function firstDoubleOf(idx: number, s: number): number {
  let b = bucketLowerBound(idx, s);
  const step = (v: number, d: 1 | -1): number => {
    F[0] = v;
    const lo = W[0] + d;
    W[1] += lo > 0xffffffff ? 1 : lo < 0 ? -1 : 0;
    W[0] = lo >>> 0;
    return F[0];
  };
  while (indexOf(b, s) < idx) b = step(b, 1);
  while (indexOf(step(b, -1), s) >= idx) b = step(b, -1);
  return b;
}

const tables = new Map<string, BoundaryTable>();

function tableFor(relativeError: number, perOctave: number, scale: number): BoundaryTable {
  const s = subBucketsFor(relativeError);
  const key = `${s}/${perOctave}/${scale}`;
  let t = tables.get(key);
  if (!t) {
    if (tables.size > 64) tables.clear();
    tables.set(key, (t = new BoundaryTable(s, perOctave, scale)));
  }
  return t;
}

function biasedExponent(v: number): number {
  F[0] = v;
  return W[1] >>> 20;
}

/**
 * The octaves [lo, hi] (biased exponents) exported for data in [min, max]; when the minimum is
 * zero, ten octaves below the maximum's.
 */
function octaveRange(min: number, max: number): [number, number] {
  const hi = biasedExponent(max);
  const lo = min >= 2.2250738585072014e-308 ? biasedExponent(min) : hi - 10;
  return [Math.max(1, lo), hi];
}

/** The exported `le` boundaries (in recorded units) for data in [min, max]. */
export function exportBoundaries(relativeError: number, min: number, max: number, perOctave = 4): number[] {
  if (!(max > 0)) return [];
  const table = tableFor(relativeError, perOctave, 1);
  const [lo, hi] = octaveRange(min, max);
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) out.push(...table.values(e));
  return out;
}

export interface PrometheusHistogramOptions {
  /** Full family name (already sanitized, with unit suffix). */
  name: string;
  labels?: Readonly<Record<string, string>>;
  /** Multiplies `le` and `_sum` (e.g. 1e-3 for ms exported as seconds). */
  scale?: number;
  bucketsPerOctave?: number;
}

/** Bucket boundaries and line prefixes of recent exports, reused while a series' range holds. */
interface Layout {
  bounds: Float64Array;
  prefixes: string[];
}
const MAX_LAYOUTS = 512;
const layouts = new Map<string, Layout>();

function layoutFor(table: BoundaryTable, tableKey: string, open: string, lo: number, hi: number): Layout {
  const key = `${tableKey}\u0000${lo}\u0000${hi}\u0000${open}`;
  let layout = layouts.get(key);
  if (!layout) {
    const bounds: number[] = [];
    const prefixes: string[] = [];
    for (let e = lo; e <= hi; e++) {
      bounds.push(...table.values(e));
      for (const le of table.labels(e)) prefixes.push(`${open}${le}} `);
    }
    if (layouts.size >= MAX_LAYOUTS) layouts.clear();
    layouts.set(key, (layout = { bounds: Float64Array.from(bounds), prefixes }));
  }
  return layout;
}

/** The sample lines (no HELP/TYPE) of one histogram series. */
export function histogramSamples(h: Histogram, options: PrometheusHistogramOptions): string {
  const { name, labels = {}, scale = 1, bucketsPerOctave = 4 } = options;
  const n = h.count;
  const inner = formatLabels(labels).slice(1, -1);
  const open = `${name}_bucket{${inner ? `${inner},` : ''}`;
  let out = '';
  const max = h.max;
  if (n > 0 && max > 0) {
    const s = subBucketsFor(h.relativeError);
    const tableKey = `${s}/${bucketsPerOctave}/${scale}`;
    const [lo, hi] = octaveRange(h.min, max);
    const { bounds, prefixes } = layoutFor(tableFor(h.relativeError, bucketsPerOctave, scale), tableKey, open, lo, hi);
    const counts = h.countsBelow(bounds);
    for (let i = 0; i < prefixes.length; i++) {
      const c = counts[i];
      // Small integers print much faster as int32 than as doubles.
      out += prefixes[i] + (c < 2147483648 ? c | 0 : c) + '\n';
    }
  }
  const plain = inner ? `{${inner}}` : '';
  out += `${open}le="+Inf"} ${n}\n${name}_sum${plain} ${formatValue(h.sum * scale)}\n${name}_count${plain} ${n}\n`;
  return out;
}

/**
 * One histogram as a complete family (HELP, TYPE and samples).
 *
 * @example
 * formatPrometheusHistogram(h, { name: 'healthsync_db_query_seconds', help: 'Query time', scale: 1e-3 });
 */
export function formatPrometheusHistogram(h: Histogram, options: PrometheusHistogramOptions & { help: string }): string {
  return `# HELP ${options.name} ${escapeHelp(options.help)}\n# TYPE ${options.name} histogram\n${histogramSamples(h, options)}`;
}
