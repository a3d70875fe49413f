/**
 * Metric names and labels, validated once per new series.
 *
 * No patient identifier may become a label: labels are stored for the life of the process,
 * exported to Prometheus and copied into dashboards, so one leaked identifier cannot be
 * taken back. The rule:
 *   - Names: a letter, then letters, digits, `_`, `.`, `:` or `-`; at most 100 characters.
 *     Exported to Prometheus with every other character turned into `_`.
 *   - Label keys: `[a-zA-Z_][a-zA-Z0-9_]*`, at most 64 characters, not starting with `__`,
 *     at most 8 labels per series. A key is refused when, lowercased with `_`/`-` removed, it
 *     contains a word that names a person's identifier: patient, ssn, socialsecurity, mrn,
 *     medicalrecord, email, phone, birth, dob, address, zip, postcode, insurance, firstname,
 *     lastname, fullname, nationalid, passport.
 *   - Label values: printable, at most 128 characters, and not shaped like an identifier:
 *     an email address, a US SSN (123-45-6789 or nine digits), a phone number (10 or more
 *     digits, possibly with + ( ) - . or spaces), or a calendar date (a birth date).
 *     Route patterns (`/agents/:id/stats`) and agent ids are fine; raw paths are not
 *     (they may embed identifiers), which is why request timing labels by route pattern.
 * A refused name or label is a `ValidationError` naming it; it records nothing.
 */
import { ValidationError } from '../shared/errors.ts';

export const MAX_LABELS = 8;
const NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const SENSITIVE_KEY =
  /patient|ssn|socialsecurity|mrn|medicalrecord|email|phone|birth|dob|address|zip|postcode|insurance|firstname|lastname|fullname|nationalid|passport/;
const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const SSN = /(?:^|\D)\d{3}-\d{2}-\d{4}(?:\D|$)|^\d{9}$/;
const PHONE = /^\+?[\d\s().-]{10,}$/;
const DATE = /(?:^|\D)(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?:\D|$)|(?:^|\D)(?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)\d{2}(?:\D|$)/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkMetricName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError(
      `${field} must start with a letter and hold only letters, digits, '_', '.', ':' or '-' (at most 100 characters)`,
      field,
    );
  }
  return name;
}

/** Why a label value looks like a personal identifier, or undefined when it does not. */
export function identifierShape(value: string): string | undefined {
  if (EMAIL.test(value)) return 'an email address';
  if (SSN.test(value)) return 'a social security number';
  if (PHONE.test(value) && value.replace(/\D/g, '').length >= 10) return 'a phone number';
  if (DATE.test(value)) return 'a date';
  return undefined;
}

/** Checks a label set and returns it as a frozen copy with sorted keys. */
export function checkLabels(labels: unknown, field = 'tags'): Readonly<Record<string, string>> {
  if (labels === undefined || labels === null) return EMPTY;
  if (typeof labels !== 'object' || Array.isArray(labels)) throw new ValidationError(`${field} must be an object of strings`, field);
  const keys = Object.keys(labels).sort();
  if (keys.length > MAX_LABELS) throw new ValidationError(`${field} may hold at most ${MAX_LABELS} labels`, field);
  const out: Record<string, string> = {};
  for (const key of keys) {
    const at = `${field}.${key}`;
    if (!KEY.test(key) || key.startsWith('__')) {
      throw new ValidationError(`label key ${JSON.stringify(key)} must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __`, at);
    }
    if (SENSITIVE_KEY.test(key.toLowerCase().replace(/[_-]/g, ''))) {
      throw new ValidationError(`label key ${JSON.stringify(key)} names a personal identifier; identifiers may not be metric labels`, at);
    }
    const value = (labels as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > 128 || CONTROL.test(value)) {
      throw new ValidationError(`label ${key} must be a printable string of 1 to 128 characters`, at);
    }
    const shape = identifierShape(value);
    if (shape) throw new ValidationError(`label ${key} looks like ${shape}; identifiers may not be metric labels`, at);
    out[key] = value;
  }
  return Object.freeze(out);
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** Writes the keys of `labels` into `out` in sorted order (insertion sort: there are few) and returns how many. */
export function sortedLabelKeys(labels: Readonly<Record<string, unknown>>, out: string[]): number {
  let n = 0;
  for (const k in labels) {
    let i = n++;
    while (i > 0 && out[i - 1] > k) {
      out[i] = out[i - 1];
      i--;
    }
    out[i] = k;
  }
  return n;
}

const SORTED: string[] = [];

/** The canonical key of a series: its name and its labels in key order. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return name;
  const n = sortedLabelKeys(labels, SORTED);
  let key = name;
  for (let i = 0; i < n; i++) key += `\u0000${SORTED[i]}\u0001${labels[SORTED[i]]}`;
  return key;
}
