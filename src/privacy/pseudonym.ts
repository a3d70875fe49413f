/**
 * Keyed pseudonyms: HMAC-SHA-256 (Web Crypto) under a per-study key, so a value maps to the
 * same pseudonym within a study and to unrelated pseudonyms in different studies. The study key
 * is derived from a master secret with HKDF-SHA-256 (info = study), so one secret serves every
 * study and no study key is stored. Never an unkeyed hash: without the secret a pseudonym cannot
 * be recomputed from a guessed identifier.
 */
import { ValidationError } from '../shared/errors.ts';
import { isMissing, showValue } from './hierarchy.ts';
import { readDataset } from './table.ts';
import type { DatasetInput } from './types.ts';

const SALT = new TextEncoder().encode('healthsync-edge/pseudonym/v1');
const MIN_SECRET_BYTES = 16;

export interface Pseudonymizer {
  readonly study: string;
  /** The pseudonym of `value` (hex of the truncated HMAC, `length` characters). */
  pseudonym(value: string): Promise<string>;
}

function checkStudy(study: unknown): string {
  if (typeof study !== 'string' || study.trim() === '' || study.length > 200) {
    throw new ValidationError('study must be a non-empty name of at most 200 characters', 'study');
  }
  return study;
}

/**
 * A pseudonymizer for `study` from a master `secret` (at least 16 bytes).
 *
 * @example
 * const p = await createPseudonymizer(secretBytes, 'study-42');
 * await p.pseudonym('MRN-000123'); // e.g. '9f3c…' (32 hex characters)
 */
export async function createPseudonymizer(secret: Uint8Array, study: string, length = 32): Promise<Pseudonymizer> {
  checkStudy(study);
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new ValidationError(`the pseudonym secret must be at least ${MIN_SECRET_BYTES} bytes`, 'secret');
  }
  if (!Number.isInteger(length) || length < 16 || length > 64) throw new ValidationError('length must be 16 to 64 hex characters', 'length');
  const master = await crypto.subtle.importKey('raw', Uint8Array.from(secret), 'HKDF', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: new TextEncoder().encode(study) },
    master,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
  const encoder = new TextEncoder();
  return {
    study,
    async pseudonym(value: string): Promise<string> {
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(value)));
      let hex = '';
      for (let i = 0; i < length / 2; i++) hex += mac[i].toString(16).padStart(2, '0');
      return hex.slice(0, length);
    },
  };
}

export interface PseudonymizeOptions {
  /** Columns whose values are replaced by pseudonyms. */
  columns: string[];
  secret: Uint8Array;
  study: string;
  /** Hex characters per pseudonym (16-64, default 32 = 128 bits). */
  length?: number;
}

/**
 * Replaces the values of `options.columns` by their pseudonyms for `options.study`; missing
 * values stay empty. Each distinct value is computed once.
 *
 * @example
 * const out = await pseudonymize(dataset, { columns: ['mrn'], secret, study: 'study-42' });
 */
export async function pseudonymize(dataset: DatasetInput, options: PseudonymizeOptions): Promise<{ columns: string[]; rows: string[][] }> {
  const data = readDataset(dataset);
  if (!Array.isArray(options.columns) || options.columns.length === 0) throw new ValidationError('columns must list at least one column', 'columns');
  const targets = options.columns.map((c, j) => {
    const i = data.columns.indexOf(c);
    if (i < 0) throw new ValidationError(`columns[${j}]: no column ${showValue(c)} in the dataset`, `columns[${j}]`);
    return i;
  });
  const p = await createPseudonymizer(options.secret, options.study, options.length);
  const distinct = new Set<string>();
  for (const row of data.rows) for (const i of targets) if (!isMissing(row[i])) distinct.add(String(row[i]));
  const values = [...distinct];
  const mapped = new Map<string, string>();
  const pseudonyms = await Promise.all(values.map((v) => p.pseudonym(v)));
  values.forEach((v, j) => mapped.set(v, pseudonyms[j]));
  const isTarget = new Set(targets);
  return {
    columns: [...data.columns],
    rows: data.rows.map((row) => row.map((v, i) => {
      if (isMissing(v)) return '';
      return isTarget.has(i) ? (mapped.get(String(v)) as string) : String(v);
    })),
  };
}
