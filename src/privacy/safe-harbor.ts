/**
 * HIPAA Safe Harbor (45 CFR 164.514(b)(2)) as one call: the 18 identifier kinds are removed,
 * ZIP codes keep their first three digits (`000` for the 17 three-digit areas of 20,000 people
 * or fewer), dates keep their year, ages over 89 become `90+` and birth years that reveal such an
 * age become one category. Column roles come from `options.columns` or are detected from column
 * names and values; free text is scanned for e-mail addresses, phone and social security
 * numbers, URLs, IP addresses and ZIP codes, which are redacted. Names inside free text cannot
 * be found by pattern: declare such columns (`'name'`, or `'remove'`).
 */
import { ValidationError } from '../shared/errors.ts';
import { AGE_MAX, isIsoDate, isMissing, showValue } from './hierarchy.ts';
import { readDataset } from './table.ts';
import type { Cell, DatasetInput } from './types.ts';

/** Three-digit ZIP areas with 20,000 or fewer people (2000 Census), per HHS guidance. */
export const RESTRICTED_ZIP3 = ['036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884', '890', '893'];

/** Identifier kinds of 164.514(b)(2)(i)(A)-(R) that are removed outright. */
export const IDENTIFIER_ROLES = [
  'name', 'address', 'city', 'county', 'phone', 'fax', 'email', 'ssn', 'mrn', 'healthPlan', 'account',
  'license', 'vehicle', 'device', 'url', 'ip', 'biometric', 'photo', 'otherId', 'remove',
] as const;

export type SafeHarborRole =
  | (typeof IDENTIFIER_ROLES)[number]
  /** ZIP code: first three digits, or `000`. */
  | 'zip'
  /** A date of an event about the person: its year. */
  | 'date'
  /** Birth date: its year, or one category when the age would be over 89. */
  | 'birthDate'
  /** Age in years: `90+` above 89. */
  | 'age'
  /** Free text: pattern-detected identifiers are redacted. */
  | 'text'
  /** Kept unchanged. */
  | 'keep';

export interface SafeHarborOptions {
  /** Role per column; other columns are detected from their names and values. */
  columns?: Record<string, SafeHarborRole>;
  /** Detect roles of undeclared columns (default true); otherwise they are kept as text. */
  detect?: boolean;
  /** Year ages are computed against for birth dates (default: the current UTC year). */
  referenceYear?: number;
}

export interface SafeHarborReport {
  /** Column -> role applied. */
  roles: Record<string, SafeHarborRole>;
  removed: string[];
  /** Cells changed per kept column. */
  changed: Record<string, number>;
  /** Identifiers redacted from free text. */
  redacted: number;
}

export interface SafeHarborResult {
  columns: string[];
  rows: string[][];
  report: SafeHarborReport;
}

const NAME_RULES: [RegExp, SafeHarborRole][] = [
  [/^(dob|birth_?date|date_?of_?birth|birth_?day|bdate)$/, 'birthDate'],
  [/^((first|last|given|family|middle|full|patient|maiden)_?)?name$|^surname$/, 'name'],
  [/(^|_)(street|address|addr)(_|$)/, 'address'],
  [/^(city|town|municipality)$/, 'city'],
  [/^county$/, 'county'],
  [/(^|_)(zip|zipcode|zip_code|postal|postcode|postal_code)(_|$)/, 'zip'],
  [/(^|_)fax(_|$)/, 'fax'],
  [/(^|_)(phone|telephone|tel|mobile|cell)(_|$)/, 'phone'],
  [/(^|_)e_?mail(_|$)/, 'email'],
  [/(^|_)(ssn|social_security)(_|$)/, 'ssn'],
  [/(^|_)(mrn|medical_record)(_|$)/, 'mrn'],
  [/(^|_)(health_plan|beneficiary|member_id|insurance_id|policy)(_|$)/, 'healthPlan'],
  [/(^|_)(account|acct|iban)(_|$)/, 'account'],
  [/(^|_)(license|licence|certificate)(_|$)/, 'license'],
  [/(^|_)(vehicle|vin|license_plate|plate)(_|$)/, 'vehicle'],
  [/(^|_)(device|serial|udi)(_|$)/, 'device'],
  [/(^|_)(url|website|web)(_|$)/, 'url'],
  [/(^|_)(ip|ip_address|ipv4|ipv6)(_|$)/, 'ip'],
  [/(^|_)(biometric|fingerprint|voiceprint|retina)(_|$)/, 'biometric'],
  [/(^|_)(photo|image|picture|face)(_|$)/, 'photo'],
  [/^age(_years)?$/, 'age'],
  [/(^|_)(date|dt)$|^date_|(^|_)(admission|admit|discharge|death|dod|visit|procedure|service)(_date)?$/, 'date'],
  [/(^|_)(id|identifier|uuid|guid|number|no)$/, 'otherId'],
];

/** Whole-value patterns that make an undeclared column an identifier or a date. */
const VALUE_RULES: [RegExp, SafeHarborRole][] = [
  [/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'email'],
  [/^\d{3}-\d{2}-\d{4}$/, 'ssn'],
  [/^(?:\d{1,3}\.){3}\d{1,3}$/, 'ip'],
  [/^(?:https?:\/\/|www\.)\S+$/i, 'url'],
  [/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, 'date'],
  [/^(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}$/, 'phone'],
];

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const SSN = /\b\d{3}-\d{2}-\d{4}\b/g;
const PHONE = /(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]?\d{4}\b/g;
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s]+/gi;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const ZIP_TEXT = /\b\d{5}(?:-\d{4})?\b/g;
const REDACTED = '[REDACTED]';

function normalizeName(column: string): string {
  return column.trim().replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** The role a column's name and values suggest. */
export function detectRole(column: string, values: Cell[]): SafeHarborRole {
  const name = normalizeName(column);
  for (const [re, role] of NAME_RULES) if (re.test(name)) return role;
  const texts = values.filter((v) => !isMissing(v)).map((v) => String(v).trim());
  if (texts.length === 0) return 'keep';
  for (const [re, role] of VALUE_RULES) if (texts.every((t) => re.test(t))) return role;
  return 'text';
}

const RESTRICTED = new Set(RESTRICTED_ZIP3);

/** ZIP code to its Safe Harbor form: the first three digits, or `000` for restricted areas. */
export function zip3(zip: string): string {
  const head = zip.slice(0, 3);
  return RESTRICTED.has(head) ? '000' : head;
}

/** Text that none of the patterns can match: no digit, no `@`, no `www.`. */
const PLAIN = /^[^\d@]*$/;

function redact(text: string): { text: string; count: number } {
  if (PLAIN.test(text) && !/www\./i.test(text)) return { text, count: 0 };
  let count = 0;
  let out = text;
  for (const re of [EMAIL, URL_RE, SSN, PHONE, IPV4, ZIP_TEXT]) {
    out = out.replace(re, () => {
      count++;
      return REDACTED;
    });
  }
  return { text: out, count };
}

const KEEP = 0;
const ZIP = 1;
const DATE = 2;
const BIRTH_DATE = 3;
const AGE = 4;
const TEXT = 5;
const KIND: Partial<Record<SafeHarborRole, number>> = { zip: ZIP, date: DATE, birthDate: BIRTH_DATE, age: AGE, text: TEXT, keep: KEEP };

function cellError(column: string, r: number, what: string): never {
  throw new ValidationError(`row ${r + 1}, column ${column}: ${what}`, column, { details: { row: r + 1 } });
}

function allDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** ZIP (5 digits, +4 allowed, or an already cut 3-digit prefix) to its Safe Harbor 3 digits. */
function safeZip(s: string, column: string, r: number): string {
  const ok = (s.length === 5 && allDigits(s, 0, 5))
    || (s.length === 10 && s.charCodeAt(5) === 45 && allDigits(s, 0, 5) && allDigits(s, 6, 10))
    || (s.length === 3 && allDigits(s, 0, 3));
  if (!ok) cellError(column, r, `${showValue(s)} is not a ZIP code`);
  return zip3(s);
}

/** A date's year; years at or before `oldest` (birth dates of people over 89) become one category. */
function safeYear(s: string, column: string, r: number, oldest: number): string {
  const day = s.length > 10 ? s.slice(0, 10) : s;
  if (!isIsoDate(day) || (s.length > 10 && !/^T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.test(s.slice(10)))) {
    cellError(column, r, `${showValue(s)} is not a date (YYYY-MM-DD)`);
  }
  const year = Number(s.slice(0, 4));
  return year <= oldest ? `<=${oldest}` : String(year);
}

function safeAge(v: Cell, s: string, column: string, r: number): string {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (allDigits(s, 0, s.length)) n = Number(s);
  else if (s === '90+') n = 90;
  else n = /^[-+]?\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n)) cellError(column, r, `${showValue(v)} is not an age`);
  if (n < 0 || n > AGE_MAX) cellError(column, r, `${showValue(v)} is outside [0, ${AGE_MAX}]`);
  return n > 89 ? '90+' : s;
}

/**
 * Applies HIPAA Safe Harbor to `dataset`.
 *
 * @example
 * const { rows, report } = safeHarbor(
 *   { columns: ['name', 'zip', 'dob', 'age'], rows: [['Ann Lee', '03601', '1931-05-02', 93]] },
 *   { referenceYear: 2025 },
 * );
 * rows[0]; // ['000', '<=1935', '90+']
 */
export function safeHarbor(dataset: DatasetInput, options: SafeHarborOptions = {}): SafeHarborResult {
  const data = readDataset(dataset);
  const referenceYear = options.referenceYear ?? new Date().getUTCFullYear();
  if (!Number.isInteger(referenceYear)) throw new ValidationError('referenceYear must be a whole year', 'referenceYear');
  const declared = options.columns ?? {};
  for (const [column, role] of Object.entries(declared)) {
    if (!data.columns.includes(column)) throw new ValidationError(`columns: no column ${showValue(column)} in the dataset`, `columns.${column}`);
    if (!ROLES.has(role)) throw new ValidationError(`columns.${column}: unknown role ${showValue(role)}`, `columns.${column}`);
  }
  const detect = options.detect ?? true;
  const roles: Record<string, SafeHarborRole> = {};
  data.columns.forEach((column, i) => {
    roles[column] = declared[column] ?? (detect ? detectRole(column, data.rows.map((r) => r[i])) : 'text');
  });
  const removedSet = new Set<string>(IDENTIFIER_ROLES);
  const kept = data.columns.map((_, i) => i).filter((i) => !removedSet.has(roles[data.columns[i]]));
  const oldestYear = referenceYear - 90;
  const kinds = kept.map((i) => KIND[roles[data.columns[i]]] ?? KEEP);
  const changedCounts = new Int32Array(kept.length);
  let redacted = 0;
  const width = kept.length;
  const rows: string[][] = new Array(data.rows.length);
  for (let r = 0; r < data.rows.length; r++) {
    const row = data.rows[r];
    const out = new Array<string>(width);
    for (let j = 0; j < width; j++) {
      const v = row[kept[j]];
      const text = typeof v === 'string' ? v : v === null || v === undefined || Number.isNaN(v) ? '' : String(v);
      let result: string;
      if (text === '' || (text.charCodeAt(0) <= 32 && text.trim() === '')) result = '';
      else {
        switch (kinds[j]) {
          case ZIP:
            result = safeZip(text.trim(), data.columns[kept[j]], r);
            break;
          case DATE:
            result = safeYear(text.trim(), data.columns[kept[j]], r, -Infinity);
            break;
          case BIRTH_DATE:
            result = safeYear(text.trim(), data.columns[kept[j]], r, oldestYear);
            break;
          case AGE:
            result = safeAge(v, text.trim(), data.columns[kept[j]], r);
            break;
          case TEXT: {
            const redaction = redact(text);
            redacted += redaction.count;
            result = redaction.text;
            break;
          }
          default:
            result = text;
        }
      }
      if (result !== text) changedCounts[j]++;
      out[j] = result;
    }
    rows[r] = out;
  }
  const changed: Record<string, number> = {};
  kept.forEach((i, j) => (changed[data.columns[i]] = changedCounts[j]));
  return {
    columns: kept.map((i) => data.columns[i]),
    rows,
    report: { roles, removed: data.columns.filter((c) => removedSet.has(roles[c])), changed, redacted },
  };
}

const ROLES = new Set<string>([...IDENTIFIER_ROLES, 'zip', 'date', 'birthDate', 'age', 'text', 'keep']);
