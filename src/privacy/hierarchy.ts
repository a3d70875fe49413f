/**
 * Generalization hierarchies. Every spec (an ARX-style table, intervals, ages, dates, ZIP codes,
 * categorical trees, plain suppression) becomes one shape: a list of leaf values and, per level,
 * the label of each leaf, checked to form a tree (a label's parent is unique). Values of a column
 * are matched to leaves here, so a bad value is reported with its row and column.
 */
import { ValidationError } from '../shared/errors.ts';
import { parseDelimited } from './csv.ts';
import type { Cell, DateLevel, HierarchySpec, TreeSpec } from './types.ts';

/** Largest materialized integer domain of an interval hierarchy. */
const MAX_INTEGER_LEAVES = 1_000_000;
/** Oldest accepted age. */
export const AGE_MAX = 120;
const DEFAULT_AGE_WIDTHS = [5, 10, 20];

export interface Hierarchy {
  column: string;
  /** Level-0 values; `labels[0]` equals this. */
  leaves: string[];
  /** `labels[level][leaf]`: the generalized value of each leaf at each level. */
  labels: string[][];
  /** Numeric value of each leaf when every leaf is a number (Mondrian splits these by range). */
  numeric: Float64Array | null;
  /** `'date'` hierarchies are ordered by date; Mondrian writes their ranges as `from/to`. */
  kind: 'numeric' | 'date' | 'categorical';
}

/** A hierarchy matched to one column: the leaf of every row. */
export interface BoundHierarchy {
  hierarchy: Hierarchy;
  rowLeaf: Uint32Array;
}

/** The integer tables the engines work with. */
export interface EncodedHierarchy {
  levels: number;
  leafCount: number;
  /** `gen[level * leafCount + leaf]`: code of the leaf's label at that level (0 .. card-1). */
  gen: Uint32Array;
  /** `cover[level * leafCount + leaf]`: leaves sharing that label (ARX's domain share numerator). */
  cover: Uint32Array;
  /** Distinct labels per level. */
  card: Uint32Array;
}

const fail = (column: string, message: string): never => {
  throw new ValidationError(`column ${column}: ${message}`, column);
};

const cellError = (column: string, row: number, message: string): never => {
  throw new ValidationError(`row ${row + 1}, column ${column}: ${message}`, column, { details: { row: row + 1 } });
};

/** Shortened, quoted value for messages. */
export function showValue(v: unknown): string {
  const s = String(v);
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}

export function isMissing(v: Cell): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (typeof v === 'number' && Number.isNaN(v));
}

/**
 * Builds `column`'s hierarchy from `spec` and matches every value of the column to a leaf.
 *
 * @example
 * const { hierarchy, rowLeaf } = bindHierarchy('age', { type: 'age' }, ['34', '71']);
 * hierarchy.labels[1][rowLeaf[0]] === '30-34';
 */
export function bindHierarchy(column: string, spec: HierarchySpec, values: Cell[]): BoundHierarchy {
  if (typeof spec === 'string' || Array.isArray(spec)) return bindTable(column, tableRows(column, spec), values);
  if (spec === null || typeof spec !== 'object') return fail(column, 'hierarchy must be a table or an object with a type');
  switch (spec.type) {
    case 'table':
      return bindTable(column, tableRows(column, spec.rows), values);
    case 'interval':
      return bindInterval(column, spec.min, spec.max, spec.widths, values);
    case 'age': {
      // Safe Harbor output ('90+') top-codes the column even when the spec does not say so.
      const topCode = spec.topCode ?? (values.some((v) => typeof v === 'string' && v.endsWith('+') && /^\s*\d+\+$/.test(v)) ? 90 : undefined);
      return bindInterval(column, 0, AGE_MAX, spec.widths ?? DEFAULT_AGE_WIDTHS, values, topCode);
    }
    case 'date':
      return bindDate(column, spec.levels ?? ['month', 'year', 'decade'], values);
    case 'zip':
      return bindZip(column, values);
    case 'tree':
      return bindTable(column, treeRows(column, spec.tree), values);
    case 'suppress':
      return bindDerived(column, values, (v) => [v, '*'], 'categorical');
    default:
      return fail(column, `unknown hierarchy type ${showValue((spec as { type: unknown }).type)}`);
  }
}

function tableRows(column: string, spec: unknown): string[][] {
  let rows: unknown;
  if (typeof spec === 'string') {
    const delimiter = /;/.test(spec.split(/\r?\n/, 1)[0]) ? ';' : ',';
    rows = parseDelimited(spec, delimiter);
  } else {
    rows = spec;
  }
  if (!Array.isArray(rows) || rows.length === 0) return fail(column, 'hierarchy table is empty');
  return rows.map((row, i) => {
    if (!Array.isArray(row) || row.length === 0) return fail(column, `hierarchy row ${i + 1} is empty`);
    return row.map((cell, j) => {
      if (typeof cell !== 'string' && typeof cell !== 'number') return fail(column, `hierarchy row ${i + 1}, level ${j} is not text`);
      return String(cell);
    });
  });
}

/** Checks a table (equal lengths, unique leaves, a tree) and turns it into per-level labels. */
export function tableHierarchy(column: string, rows: string[][], kind?: Hierarchy['kind']): Hierarchy {
  const levels = rows[0].length;
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (row.length !== levels) fail(column, `hierarchy row ${i + 1} has ${row.length} levels, expected ${levels}`);
    if (seen.has(row[0])) fail(column, `hierarchy lists the value ${showValue(row[0])} twice`);
    seen.add(row[0]);
  });
  const labels: string[][] = [];
  for (let l = 0; l < levels; l++) labels.push(rows.map((r) => r[l]));
  for (let l = 0; l + 1 < levels; l++) {
    const parent = new Map<string, string>();
    for (let i = 0; i < rows.length; i++) {
      const up = parent.get(labels[l][i]);
      if (up === undefined) parent.set(labels[l][i], labels[l + 1][i]);
      else if (up !== labels[l + 1][i]) {
        fail(column, `hierarchy is not a tree: ${showValue(labels[l][i])} at level ${l} generalizes to both ${showValue(up)} and ${showValue(labels[l + 1][i])}`);
      }
    }
  }
  const leaves = labels[0];
  const nums = leaves.map((v) => (/^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN));
  const numeric = nums.every(Number.isFinite) ? Float64Array.from(nums) : null;
  return { column, leaves, labels, numeric, kind: kind ?? (numeric ? 'numeric' : 'categorical') };
}

function bindTable(column: string, rows: string[][], values: Cell[]): BoundHierarchy {
  const { hierarchy, index } = tableLookup(column, rows);
  const rowLeaf = new Uint32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    const leaf = index[typeof v === 'string' ? v : String(v)];
    if (leaf === undefined) notInTable(column, r, v);
    rowLeaf[r] = leaf as number;
  }
  return { hierarchy, rowLeaf };
}

/** A table hierarchy and its leaf dictionary (null prototype: string lookups beat Map.get by about 2x). */
export function tableLookup(column: string, rows: string[][]): { hierarchy: Hierarchy; index: Record<string, number> } {
  const hierarchy = tableHierarchy(column, rows);
  const index: Record<string, number> = Object.create(null);
  hierarchy.leaves.forEach((v, i) => (index[v] = i));
  return { hierarchy, index };
}

/** The error for a value a table hierarchy does not list. */
export function notInTable(column: string, row: number, v: Cell): never {
  return cellError(column, row, isMissing(v) ? 'missing value' : `value ${showValue(v)} is not in the hierarchy`);
}

/** The rows of a table-like spec (ARX table, CSV text, tree), or null for the built-in kinds. */
export function tableSpecRows(column: string, spec: HierarchySpec): string[][] | null {
  if (typeof spec === 'string' || Array.isArray(spec)) return tableRows(column, spec);
  if (spec !== null && typeof spec === 'object' && spec.type === 'table') return tableRows(column, spec.rows);
  if (spec !== null && typeof spec === 'object' && spec.type === 'tree') return treeRows(column, spec.tree);
  return null;
}

function treeRows(column: string, tree: TreeSpec): string[][] {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return fail(column, 'tree must be an object');
  const roots = Object.keys(tree);
  const root: TreeSpec = roots.length === 1 ? tree : { '*': tree };
  const paths: string[][] = [];
  const walk = (node: TreeSpec | string[], path: string[]): void => {
    if (Array.isArray(node)) {
      for (const leaf of node) {
        if (typeof leaf !== 'string' && typeof leaf !== 'number') fail(column, `tree leaf under ${showValue(path.at(-1))} is not text`);
        paths.push([...path, String(leaf)]);
      }
      return;
    }
    if (node === null || typeof node !== 'object') return fail(column, `tree node under ${showValue(path.at(-1))} must be an object or a list`);
    const keys = Object.keys(node);
    if (keys.length === 0) {
      paths.push(path);
      return;
    }
    for (const key of keys) walk(node[key], [...path, key]);
  };
  walk(root, []);
  if (paths.length === 0) return fail(column, 'tree has no leaves');
  const depth = Math.max(...paths.map((p) => p.length));
  // Shallow leaves repeat themselves on the lowest levels, so every leaf has `depth` labels.
  return paths.map((p) => {
    const row: string[] = [];
    for (let l = 0; l < depth; l++) row.push(l < depth - p.length ? p[p.length - 1] : p[depth - 1 - l]);
    return row;
  });
}

/** Digits only (the common case), checked without a regular expression. */
function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function toNumber(column: string, row: number, v: Cell): number {
  if (typeof v === 'string' && isDigits(v)) return Number(v);
  if (isMissing(v)) cellError(column, row, 'missing value');
  const n = typeof v === 'number' ? v : /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v as string) ? Number(v) : NaN;
  if (!Number.isFinite(n)) cellError(column, row, `${showValue(v)} is not a number`);
  return n;
}

function bindInterval(column: string, min: number, max: number, widths: number[], values: Cell[], topCode?: number): BoundHierarchy {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) fail(column, 'interval hierarchy needs finite min < max');
  if (!Array.isArray(widths) || widths.some((w) => !Number.isFinite(w) || w <= 0)) fail(column, 'interval widths must be positive numbers');
  for (let i = 1; i < widths.length; i++) {
    const ratio = widths[i] / widths[i - 1];
    if (!(ratio > 1) || Math.abs(ratio - Math.round(ratio)) > 1e-9) fail(column, `interval width ${widths[i]} is not a multiple of ${widths[i - 1]} (bins must nest)`);
  }
  const integral = Number.isInteger(min) && Number.isInteger(max) && widths.every(Number.isInteger);
  if (topCode !== undefined && (!integral || !Number.isInteger(topCode) || topCode <= min || topCode > max)) {
    fail(column, `topCode must be a whole number in (${min}, ${max}]`);
  }
  const top = topCode === undefined ? undefined : `${topCode}+`;
  const nums = new Float64Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    let n: number;
    if (typeof v === 'string' && isDigits(v)) {
      n = Number(v);
      if (n > max) cellError(column, r, `${showValue(v)} is outside [${min}, ${max}]`);
    } else if (top !== undefined && typeof v === 'string' && v.trim() === top) {
      n = topCode as number;
    } else {
      n = toNumber(column, r, v);
      if (n < min || n > max) cellError(column, r, `${showValue(v)} is outside [${min}, ${max}]`);
      if (integral && !Number.isInteger(n)) cellError(column, r, `${showValue(v)} is not a whole number`);
    }
    if (n < min) cellError(column, r, `${showValue(v)} is outside [${min}, ${max}]`);
    nums[r] = topCode !== undefined && n >= topCode ? topCode : n;
  }
  const bin = (x: number, w: number): string => {
    const lo = min + Math.floor((x - min) / w) * w;
    if (topCode !== undefined && lo + w > topCode) return `${lo}+`;
    return integral ? `${lo}-${Math.min(lo + w - 1, max)}` : `[${lo}, ${lo + w})`;
  };
  if (integral && max - min < MAX_INTEGER_LEAVES) {
    // The whole integer domain is materialized, independent of the data: built once per spec.
    const key = `${column}\u0000${min}\u0000${max}\u0000${widths.join(',')}\u0000${topCode ?? ''}`;
    let hierarchy = INTERVAL_CACHE.get(key);
    if (!hierarchy) {
      const last = topCode ?? max;
      const leafValues = Array.from({ length: last - min + 1 }, (_, i) => min + i);
      hierarchy = intervalHierarchy(column, leafValues, widths, bin, topCode, top);
      if (INTERVAL_CACHE.size >= INTERVAL_CACHE_SIZE) INTERVAL_CACHE.delete(INTERVAL_CACHE.keys().next().value as string);
      INTERVAL_CACHE.set(key, hierarchy);
    }
    const rowLeaf = new Uint32Array(nums.length);
    for (let r = 0; r < nums.length; r++) rowLeaf[r] = nums[r] - min;
    return { hierarchy, rowLeaf };
  }
  const leafValues = [...new Set(nums)].sort((a, b) => a - b);
  const hierarchy = intervalHierarchy(column, leafValues, widths, bin, topCode, top);
  const index = new Map<number, number>();
  leafValues.forEach((x, i) => index.set(x, i));
  return { hierarchy, rowLeaf: Uint32Array.from(nums, (x) => index.get(x) as number) };
}

/** Interval hierarchies of whole-number domains, shared between calls (they never change). */
const INTERVAL_CACHE = new Map<string, Hierarchy>();
const INTERVAL_CACHE_SIZE = 64;

function intervalHierarchy(
  column: string, leafValues: number[], widths: number[], bin: (x: number, w: number) => string, topCode: number | undefined, top: string | undefined,
): Hierarchy {
  const rows = leafValues.map((x) => [x === topCode ? (top as string) : String(x), ...widths.map((w) => bin(x, w)), '*']);
  const hierarchy = tableHierarchy(column, rows, 'numeric');
  if (top !== undefined && hierarchy.numeric === null) {
    // The top-coded leaf is not a number; Mondrian still orders it after every age.
    hierarchy.numeric = Float64Array.from(leafValues);
  }
  return hierarchy;
}

/** Builds a hierarchy whose leaves are the column's distinct values, labelled by `levelsOf`. */
function bindDerived(column: string, values: Cell[], levelsOf: (v: string, row: number) => string[], kind: Hierarchy['kind']): BoundHierarchy {
  const index: Record<string, number> = Object.create(null);
  const rows: string[][] = [];
  const rowLeaf = new Uint32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    const s = typeof v === 'string' ? v : String(v);
    let leaf = index[s];
    if (leaf === undefined) {
      if (isMissing(v)) cellError(column, r, 'missing value');
      leaf = rows.length;
      index[s] = leaf;
      rows.push(levelsOf(s, r));
    }
    rowLeaf[r] = leaf;
  }
  const hierarchy = tableHierarchy(column, rows, kind);
  return { hierarchy, rowLeaf };
}


const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  let y = 0;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    y = y * 10 + c;
  }
  const m1 = s.charCodeAt(5) - 48;
  const m2 = s.charCodeAt(6) - 48;
  const d1 = s.charCodeAt(8) - 48;
  const d2 = s.charCodeAt(9) - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
  const mo = m1 * 10 + m2;
  const d = d1 * 10 + d2;
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]);
}

function bindDate(column: string, levels: DateLevel[], values: Cell[]): BoundHierarchy {
  const order: DateLevel[] = ['month', 'year', 'decade'];
  if (!Array.isArray(levels) || levels.some((l) => !order.includes(l))) fail(column, 'date levels must be among month, year, decade');
  for (let i = 1; i < levels.length; i++) {
    if (order.indexOf(levels[i]) <= order.indexOf(levels[i - 1])) fail(column, 'date levels must go from finer to coarser');
  }
  const label = (s: string, level: DateLevel): string => {
    if (level === 'month') return s.slice(0, 7);
    if (level === 'year') return s.slice(0, 4);
    const decade = Math.floor(Number(s.slice(0, 4)) / 10) * 10;
    return `${decade}-${decade + 9}`;
  };
  const bound = bindDerived(column, values, (v, r) => {
    const s = v.trim();
    if (!isIsoDate(s) || s !== v) cellError(column, r, `${showValue(v)} is not a date (YYYY-MM-DD)`);
    return [s, ...levels.map((l) => label(s, l)), '*'];
  }, 'date');
  return bound;
}

function bindZip(column: string, values: Cell[]): BoundHierarchy {
  const plus4 = values.some((v) => typeof v === 'string' && v.length > 5);
  const first = values.find((v) => !isMissing(v));
  const digits = typeof first === 'string' && /^\d{3}$/.test(first) ? 3 : 5;
  return bindDerived(column, values, (v, r) => {
    const ok = digits === 3 ? /^\d{3}$/.test(v) : /^\d{5}(-\d{4})?$/.test(v);
    if (!ok) cellError(column, r, `${showValue(v)} is not a ${digits === 3 ? '3-digit ZIP prefix like the other values' : 'ZIP code (5 digits)'}`);
    const zip = v.slice(0, digits);
    // With ZIP+4 values in the column, level 1 is the 5-digit ZIP (plain ZIPs repeat themselves).
    const levels = plus4 ? [v, zip] : [v];
    for (let masked = 1; masked <= digits; masked++) levels.push(zip.slice(0, digits - masked) + '*'.repeat(masked));
    return levels;
  }, 'categorical');
}

/**
 * The integer tables of a hierarchy: label codes per level, the number of leaves each label
 * covers, and the distinct labels per level.
 */
export function encodeHierarchy(h: Hierarchy): EncodedHierarchy {
  let encoded = ENCODED.get(h);
  if (!encoded) {
    encoded = encode(h);
    ENCODED.set(h, encoded);
  }
  return encoded;
}

/** Encodings of hierarchies that are shared between calls (interval domains); read-only. */
const ENCODED = new WeakMap<Hierarchy, EncodedHierarchy>();

function encode(h: Hierarchy): EncodedHierarchy {
  const levels = h.labels.length;
  const leafCount = h.leaves.length;
  const gen = new Uint32Array(levels * leafCount);
  const cover = new Uint32Array(levels * leafCount);
  const card = new Uint32Array(levels);
  for (let l = 0; l < levels; l++) {
    const ids = new Map<string, number>();
    const counts: number[] = [];
    const row = h.labels[l];
    for (let v = 0; v < leafCount; v++) {
      let id = ids.get(row[v]);
      if (id === undefined) {
        id = ids.size;
        ids.set(row[v], id);
        counts.push(0);
      }
      counts[id]++;
      gen[l * leafCount + v] = id;
    }
    for (let v = 0; v < leafCount; v++) cover[l * leafCount + v] = counts[gen[l * leafCount + v]];
    card[l] = ids.size;
  }
  return { levels, leafCount, gen, cover, card };
}
