/**
 * Input checking and integer encoding. A dataset (records or CSV text) and a configuration become
 * a `PreparedTable`: quasi-identifier leaves per row with their hierarchies' integer tables,
 * sensitive codes in each attribute's order, and the privacy models as the engines see them.
 * Every problem is a `ValidationError` naming the field, row or column; nothing is half done.
 */
import { ValidationError } from '../shared/errors.ts';
import { parseCsvDataset } from './csv.ts';
import {
  MODEL_DISTINCT, MODEL_ENTROPY, MODEL_RECURSIVE, MODEL_T_EQUAL, MODEL_T_ORDERED,
  type EngineInput, type EngineModel,
} from './engine.ts';
import {
  bindHierarchy, encodeHierarchy, notInTable, showValue, tableLookup, tableSpecRows, type BoundHierarchy, type EncodedHierarchy,
} from './hierarchy.ts';
import type { AnonymizeConfig, Cell, Dataset, DatasetInput, MetricName, PrivacyModel } from './types.ts';

export interface PreparedQuasi {
  column: string;
  index: number;
  bound: BoundHierarchy;
  encoded: EncodedHierarchy;
}

export interface PreparedSensitive {
  column: string;
  index: number;
  /** Distinct values in order: numeric when all values are numbers, else by code unit. */
  values: string[];
  codes: Uint32Array;
}

export interface PreparedTable {
  columns: string[];
  rows: Cell[][];
  quasi: PreparedQuasi[];
  sensitive: PreparedSensitive[];
  /** Columns removed from the output. */
  identifiers: number[];
  models: PrivacyModel[];
  engineModels: EngineModel[];
  k: number;
  suppressionLimit: number;
  /** floor(suppressionLimit * rows), as ARX counts it. */
  maxSuppressed: number;
  metric: MetricName;
}

const METRICS: MetricName[] = ['loss', 'discernibility', 'precision', 'aecs'];
/** Most rows one job takes (its working memory stays well inside a Workers isolate). */
export const MAX_ROWS = 1_000_000;

const invalid = (message: string, field: string): never => {
  throw new ValidationError(message, field);
};

/**
 * Reads `dataset` (records or CSV text) into columns and rows, checking the header and row shapes.
 *
 * @example
 * readDataset('age,sex\n34,F\n').rows; // [['34', 'F']]
 */
export function readDataset(dataset: DatasetInput, checkCells = true): Dataset {
  const data = typeof dataset === 'string' ? parseCsvDataset(dataset) : Array.isArray(dataset) ? fromRecords(dataset) : dataset;
  if (data === null || typeof data !== 'object' || !Array.isArray(data.columns) || !Array.isArray(data.rows)) {
    invalid('dataset must be {columns: string[], rows: (string|number)[][]} or CSV text', 'dataset');
  }
  const seen = new Set<string>();
  data.columns.forEach((c, i) => {
    if (typeof c !== 'string' || c.trim() === '') invalid(`column ${i + 1} has no name`, 'columns');
    if (seen.has(c)) invalid(`duplicate column ${showValue(c)}`, 'columns');
    seen.add(c);
  });
  if (data.rows.length === 0) invalid('the dataset has no rows', 'rows');
  if (data.rows.length > MAX_ROWS) invalid(`the dataset has ${data.rows.length} rows; at most ${MAX_ROWS} are taken`, 'rows');
  const width = data.columns.length;
  const rows = data.rows;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) invalid(`row ${r + 1} is not a list of values`, 'rows');
    if (row.length !== width) invalid(`row ${r + 1} has ${row.length} values, expected ${width} (one per column)`, 'rows');
    if (checkCells) for (let c = 0; c < width; c++) checkCell(row[c], r);
  }
  return data;
}

/** A cell must be text, a number or missing. */
function checkCell(cell: unknown, r: number): void {
  if (typeof cell !== 'string' && typeof cell !== 'number' && cell !== null && cell !== undefined) {
    invalid(`row ${r + 1} holds a value that is neither text nor a number`, 'rows');
  }
}

/** JSON records (objects with the same keys) to columns and rows. */
function fromRecords(records: Record<string, Cell>[]): Dataset {
  if (records.length === 0) invalid('the dataset has no rows', 'rows');
  const first = records[0];
  if (first === null || typeof first !== 'object' || Array.isArray(first)) invalid('row 1 is not a record (an object of column values)', 'rows');
  const columns = Object.keys(first);
  const rows = records.map((record, r) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) invalid(`row ${r + 1} is not a record`, 'rows');
    const keys = Object.keys(record);
    if (keys.length !== columns.length) {
      const missing = columns.find((c) => !(c in record));
      invalid(missing ? `row ${r + 1} has no value for column ${showValue(missing)}` : `row ${r + 1} has a column the first row lacks`, 'rows');
    }
    return columns.map((c) => {
      if (!(c in record)) invalid(`row ${r + 1} has no value for column ${showValue(c)}`, 'rows');
      return record[c];
    });
  });
  return { columns, rows };
}

function columnIndex(columns: string[], name: unknown, field: string): number {
  if (typeof name !== 'string') return invalid(`${field} must name a column`, field);
  const i = columns.indexOf(name);
  if (i < 0) invalid(`${field}: no column ${showValue(name)} in the dataset`, field);
  return i;
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/**
 * Checks `config` against `dataset` and encodes it for the engines.
 *
 * @example
 * const table = prepareTable(dataset, { quasiIdentifiers: { age: { type: 'age' } }, k: 5 });
 */
export function prepareTable(dataset: DatasetInput, config: AnonymizeConfig): PreparedTable {
  // Cells are checked below, in the same pass that extracts the quasi-identifier columns.
  const data = readDataset(dataset, false);
  if (config === null || typeof config !== 'object') return invalid('config must be an object', 'config');
  const { columns, rows } = data;
  const n = rows.length;

  const k = config.k ?? 1;
  if (!isPositiveInteger(k)) invalid(`k must be a whole number >= 1, got ${showValue(k)}`, 'k');
  if (k > n) invalid(`k=${k} is larger than the ${n} rows of the dataset`, 'k');
  const suppressionLimit = config.suppressionLimit ?? 0;
  if (typeof suppressionLimit !== 'number' || !(suppressionLimit >= 0 && suppressionLimit <= 1)) {
    invalid(`suppressionLimit must be a number in [0, 1], got ${showValue(suppressionLimit)}`, 'suppressionLimit');
  }
  const metric = config.metric ?? 'loss';
  if (!METRICS.includes(metric)) invalid(`metric must be one of ${METRICS.join(', ')}`, 'metric');

  const roles = new Map<number, string>();
  const claim = (index: number, role: string, field: string): void => {
    const had = roles.get(index);
    if (had !== undefined && had !== role) invalid(`${field}: column ${showValue(columns[index])} is already ${had}`, field);
    roles.set(index, role);
  };
  const qiSpec = config.quasiIdentifiers;
  if (qiSpec === null || typeof qiSpec !== 'object' || Array.isArray(qiSpec) || Object.keys(qiSpec).length === 0) {
    invalid('quasiIdentifiers must map at least one column to its hierarchy', 'quasiIdentifiers');
  }
  const qiNames = Object.keys(qiSpec);
  const qiIndexes = qiNames.map((name) => {
    const i = columnIndex(columns, name, `quasiIdentifiers.${name}`);
    claim(i, 'a quasi-identifier', `quasiIdentifiers.${name}`);
    return i;
  });
  const listOf = (value: unknown, field: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return invalid(`${field} must be a list of column names`, field);
    return value as string[];
  };
  const identifiers = listOf(config.identifiers, 'identifiers').map((name, j) => {
    const i = columnIndex(columns, name, `identifiers[${j}]`);
    claim(i, 'an identifier', `identifiers[${j}]`);
    return i;
  });
  const sensitiveNames = listOf(config.sensitive, 'sensitive');
  sensitiveNames.forEach((name, j) => claim(columnIndex(columns, name, `sensitive[${j}]`), 'sensitive', `sensitive[${j}]`));
  listOf(config.insensitive, 'insensitive').forEach((name, j) => {
    claim(columnIndex(columns, name, `insensitive[${j}]`), 'insensitive', `insensitive[${j}]`);
  });

  // One row-major pass (a visit per row object is far kinder to the cache than one per cell):
  // cells are checked, table hierarchies' leaves looked up at once, other quasi-identifier
  // columns gathered for their binders.
  const lookups = qiNames.map((column) => {
    const tableRows = tableSpecRows(column, qiSpec[column]);
    return tableRows ? tableLookup(column, tableRows) : null;
  });
  const leaves = lookups.map((l) => (l ? new Uint32Array(n) : null));
  const gathered = lookups.map((l) => (l ? null : new Array<Cell>(n)));
  const width = columns.length;
  const qiOf = new Int32Array(width).fill(-1);
  qiIndexes.forEach((c, j) => (qiOf[c] = j));
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    for (let c = 0; c < width; c++) {
      const cell = row[c];
      if (typeof cell !== 'string') checkCell(cell, r);
      const j = qiOf[c];
      if (j < 0) continue;
      const lookup = lookups[j];
      if (lookup) {
        const leaf = lookup.index[typeof cell === 'string' ? cell : String(cell)];
        if (leaf === undefined) notInTable(qiNames[j], r, cell);
        (leaves[j] as Uint32Array)[r] = leaf;
      } else {
        (gathered[j] as Cell[])[r] = cell;
      }
    }
  }
  const quasi: PreparedQuasi[] = qiNames.map((column, j) => {
    const index = qiIndexes[j];
    const lookup = lookups[j];
    const bound = lookup
      ? { hierarchy: lookup.hierarchy, rowLeaf: leaves[j] as Uint32Array }
      : bindHierarchy(column, qiSpec[column], gathered[j] as Cell[]);
    return { column, index, bound, encoded: encodeHierarchy(bound.hierarchy) };
  });

  const models = config.models ?? [];
  if (!Array.isArray(models)) invalid('models must be a list', 'models');
  const sensitive: PreparedSensitive[] = [];
  const sensitiveOf = (name: string, field: string): number => {
    const index = columnIndex(columns, name, field);
    claim(index, 'sensitive', field);
    let s = sensitive.findIndex((x) => x.index === index);
    if (s < 0) {
      s = sensitive.length;
      sensitive.push(encodeSensitive(name, index, rows));
    }
    return s;
  };
  const engineModels = models.map((model, j): EngineModel => {
    const field = `models[${j}]`;
    if (model === null || typeof model !== 'object') return invalid(`${field} must be an object`, field);
    const s = sensitiveOf(model.attribute, `${field}.attribute`);
    const distinct = sensitive[s].values.length;
    if (model.type === 'l-diversity') {
      const { l } = model;
      if (typeof l !== 'number' || !Number.isFinite(l) || l < 1) invalid(`${field}.l must be a number >= 1`, `${field}.l`);
      if (model.variant !== 'entropy' && !Number.isInteger(l)) invalid(`${field}.l must be a whole number for ${model.variant} l-diversity`, `${field}.l`);
      if (l > distinct) {
        invalid(`${field}.l: l=${l} is above the ${distinct} distinct values of ${showValue(model.attribute)}`, `${field}.l`);
      }
      if (model.variant === 'distinct') return { type: MODEL_DISTINCT, sensitive: s, p1: l, p2: 0 };
      if (model.variant === 'entropy') return { type: MODEL_ENTROPY, sensitive: s, p1: l, p2: 0 };
      if (model.variant === 'recursive') {
        const { c } = model;
        if (typeof c !== 'number' || !Number.isFinite(c) || c <= 0) invalid(`${field}.c must be a number > 0`, `${field}.c`);
        return { type: MODEL_RECURSIVE, sensitive: s, p1: l, p2: c };
      }
      return invalid(`${field}.variant must be distinct, entropy or recursive`, `${field}.variant`);
    }
    if (model.type === 't-closeness') {
      const { t } = model;
      if (typeof t !== 'number' || !(t >= 0 && t <= 1)) invalid(`${field}.t must be a number in [0, 1]`, `${field}.t`);
      if (model.distance === 'equal') return { type: MODEL_T_EQUAL, sensitive: s, p1: t, p2: 0 };
      if (model.distance === 'ordered') return { type: MODEL_T_ORDERED, sensitive: s, p1: t, p2: 0 };
      return invalid(`${field}.distance must be equal or ordered`, `${field}.distance`);
    }
    return invalid(`${field}.type must be l-diversity or t-closeness`, `${field}.type`);
  });

  return {
    columns, rows, quasi, sensitive, identifiers, models, engineModels, k, suppressionLimit,
    maxSuppressed: Math.floor(suppressionLimit * n), metric,
  };
}

/** A decimal number, as sensitive values must be written to be ordered numerically. */
const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function encodeSensitive(column: string, index: number, rows: Cell[][]): PreparedSensitive {
  const n = rows.length;
  const texts = new Array<string>(n);
  const seen: Record<string, true> = Object.create(null);
  const distinct: string[] = [];
  for (let r = 0; r < n; r++) {
    const v = rows[r][index];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || (typeof v === 'string' && v.trim() === '')) {
      throw new ValidationError(`row ${r + 1}, column ${column}: missing sensitive value`, column, { details: { row: r + 1 } });
    }
    const text = typeof v === 'string' ? v : String(v);
    texts[r] = text;
    if (seen[text] === undefined) {
      seen[text] = true;
      distinct.push(text);
    }
  }
  if (distinct.every((v) => DECIMAL.test(v))) distinct.sort((a, b) => Number(a) - Number(b));
  else distinct.sort();
  const code: Record<string, number> = Object.create(null);
  distinct.forEach((v, i) => (code[v] = i));
  const codes = new Uint32Array(n);
  for (let r = 0; r < n; r++) codes[r] = code[texts[r]];
  return { column, index, values: distinct, codes };
}

/** The engines' view of a prepared table. */
export function engineInput(table: PreparedTable): EngineInput {
  return {
    rows: table.rows.length,
    quasi: table.quasi.map((q) => ({ hierarchy: q.encoded, rowLeaf: q.bound.rowLeaf })),
    sensitive: table.sensitive.map((s) => ({ codes: s.codes, m: s.values.length })),
    models: table.engineModels,
  };
}
