/**
 * Delimited text (RFC 4180 quoting, CRLF or LF) to rows of strings, and a dataset reader that
 * detects `,`, `;` or tab from the header line. A fast path splits lines without quotes.
 */
import { ValidationError } from '../shared/errors.ts';

/**
 * Parses delimited text into rows of fields. Blank lines are skipped.
 *
 * @example
 * parseDelimited('a;b\n1;"x;y"\n', ';'); // [['a', 'b'], ['1', 'x;y']]
 */
export function parseDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  if (!text.includes('"')) {
    for (const line of text.split(/\r?\n/)) if (line !== '') rows.push(line.split(delimiter));
    return rows;
  }
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let line = 1;
  const endRow = () => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRow();
      line++;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new ValidationError(`CSV: unterminated quoted field (line ${line})`, 'csv');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Picks the delimiter of a header line: the most frequent of `,`, `;` and tab. */
export function detectDelimiter(headerLine: string): string {
  let best = ',';
  let most = 0;
  for (const d of [',', ';', '\t']) {
    const n = headerLine.split(d).length - 1;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

/**
 * Reads CSV text with a header line into `{columns, rows}` (cells stay strings).
 *
 * @example
 * parseCsvDataset('age,sex\n34,F\n'); // {columns: ['age', 'sex'], rows: [['34', 'F']]}
 */
export function parseCsvDataset(text: string): { columns: string[]; rows: string[][] } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.split(/\r?\n/, 1)[0] ?? '';
  const all = parseDelimited(body, detectDelimiter(first));
  if (all.length === 0) throw new ValidationError('CSV: no header line', 'csv');
  return { columns: all[0].map((c) => c.trim()), rows: all.slice(1) };
}
