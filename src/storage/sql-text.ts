/**
 * What the storage layer needs to know about a SQL text without asking SQLite: its normalized
 * form (the query-cache key), what kind of statement it is (read, write, schema change, ...),
 * and every identifier it names (to find the tables a read depends on or a write touches).
 *
 * The lexer follows SQLite's tokenizer: strings, quoted identifiers ("", ``, []), blob literals,
 * numbers, parameters, comments and multi-character operators, so two texts normalize to the
 * same key only when they are the same token sequence. Bare words fold to lower case (SQLite
 * folds ASCII only, so words with other letters keep their case).
 */

export type StatementKind =
  /** SELECT, VALUES, WITH ... SELECT, EXPLAIN, and introspection pragmas. */
  | 'read'
  /** INSERT, UPDATE, DELETE, REPLACE (also behind WITH). */
  | 'write'
  /** CREATE, DROP, ALTER, REINDEX, ANALYZE: changes the schema or its statistics. */
  | 'schema'
  /** PRAGMA user_version/application_id assignments: stored in the database file. */
  | 'pragma-write'
  /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE: the database manages transactions itself. */
  | 'transaction'
  /** ATTACH, DETACH, VACUUM, connection pragmas: not offered. */
  | 'unsupported'
  /** Not a statement SQLite knows: SQLite's own prepare reports the syntax error. */
  | 'invalid';

export interface SqlInfo {
  /** Tokens joined by single spaces, bare words in lower case, comments and trailing `;` dropped. */
  readonly normalized: string;
  readonly kind: StatementKind;
  /** Every identifier named (bare words, unquoted and lower-cased), keywords included. */
  readonly identifiers: ReadonlySet<string>;
  /** A top-level `;` followed by more tokens: the text holds more than one statement. */
  readonly multiple: boolean;
  /** Why a `pragma`/`unsupported` statement is refused, for the error message. */
  readonly reason?: string;
}

/** Pragmas that only report; those marked `true` take a table or index name argument. */
const READ_PRAGMAS = new Map<string, boolean>([
  ['table_info', true], ['table_xinfo', true], ['table_list', true], ['index_list', true],
  ['index_info', true], ['index_xinfo', true], ['foreign_key_list', true], ['foreign_key_check', true],
  ['integrity_check', true], ['quick_check', true], ['database_list', false], ['collation_list', false],
  ['function_list', false], ['module_list', false], ['pragma_list', false], ['compile_options', false],
  ['page_count', false], ['page_size', false], ['freelist_count', false], ['user_version', false],
  ['application_id', false], ['schema_version', false], ['data_version', false], ['encoding', false],
  ['foreign_keys', false],
]);
/** Pragmas whose assignment is stored in the database file (so it is journaled like a write). */
const FILE_PRAGMAS = new Set(['user_version', 'application_id']);

const FIRST_KEYWORD: Record<string, StatementKind> = {
  select: 'read', values: 'read',
  insert: 'write', update: 'write', delete: 'write', replace: 'write',
  create: 'schema', drop: 'schema', alter: 'schema', reindex: 'schema', analyze: 'schema',
  begin: 'transaction', commit: 'transaction', end: 'transaction', rollback: 'transaction',
  savepoint: 'transaction', release: 'transaction',
};
const MAIN_AFTER_WITH = new Set(['select', 'values', 'insert', 'update', 'delete', 'replace']);

interface Token {
  /** The token's text as it goes into the normalized form. */
  text: string;
  /** Lower-cased bare word or unquoted identifier; undefined for other tokens. */
  word?: string;
  /** True for a bare (unquoted) word, i.e. a possible keyword. */
  bare?: boolean;
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || isDigit(c) || c === 36;
const THREE = ['->>'];
const TWO = ['<=', '>=', '!=', '<>', '==', '||', '<<', '>>', '->'];

/** Splits SQL into tokens (comments and whitespace dropped). Unterminated literals end the text. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) { i++; continue; }
    if (c === 45 && sql.charCodeAt(i + 1) === 45) { // -- comment
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) { // /* comment */
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === 39) { // 'string'
      const end = closeQuote(sql, i, "'");
      out.push({ text: sql.slice(i, end) });
      i = end;
      continue;
    }
    if (c === 34 || c === 96 || c === 91) { // "id" `id` [id]
      const close = c === 91 ? ']' : sql[i];
      const end = c === 91 ? (sql.indexOf(']', i + 1) + 1 || n) : closeQuote(sql, i, close);
      const raw = sql.slice(i, end);
      const inner = c === 91 ? raw.slice(1, -1) : raw.slice(1, -1).split(close + close).join(close);
      out.push({ text: raw, word: foldAscii(inner) });
      i = end;
      continue;
    }
    if ((c === 120 || c === 88) && sql.charCodeAt(i + 1) === 39) { // x'blob'
      const end = closeQuote(sql, i + 1, "'");
      out.push({ text: `x${sql.slice(i + 1, end)}` });
      i = end;
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      const word = foldAscii(sql.slice(i, j));
      out.push({ text: word, word, bare: true });
      i = j;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i;
      if (c === 48 && (sql[i + 1] === 'x' || sql[i + 1] === 'X')) {
        j += 2;
        while (j < n && /[0-9a-fA-F_]/.test(sql[j])) j++;
      } else {
        while (j < n && (isDigit(sql.charCodeAt(j)) || sql[j] === '_')) j++;
        if (sql[j] === '.') { j++; while (j < n && (isDigit(sql.charCodeAt(j)) || sql[j] === '_')) j++; }
        if (sql[j] === 'e' || sql[j] === 'E') {
          let k = j + 1;
          if (sql[k] === '+' || sql[k] === '-') k++;
          if (isDigit(sql.charCodeAt(k))) { j = k; while (j < n && isDigit(sql.charCodeAt(j))) j++; }
        }
      }
      out.push({ text: sql.slice(i, j).toLowerCase() });
      i = j;
      continue;
    }
    if (c === 63 || c === 58 || c === 64 || c === 36) { // ?NNN :name @name $name
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      out.push({ text: sql.slice(i, j) });
      i = j;
      continue;
    }
    const three = sql.slice(i, i + 3);
    const two = sql.slice(i, i + 2);
    const op = THREE.includes(three) ? three : TWO.includes(two) ? two : sql[i];
    out.push({ text: op });
    i += op.length;
  }
  return out;
}

/** Index just past the quote that closes the one at `start` (doubled quotes escape). */
function closeQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const end = sql.indexOf(quote, i);
    if (end < 0) return sql.length;
    if (sql[end + 1] === quote) { i = end + 2; continue; }
    return end + 1;
  }
}

/** Lower-cases ASCII letters only, as SQLite does for identifiers and keywords. */
function foldAscii(s: string): string {
  return /[^\x00-\x7f]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase();
}

/**
 * Normalizes and classifies one SQL text.
 *
 * @example
 * analyzeSql('SELECT *  FROM Consent WHERE id = ?').normalized === 'select * from consent where id = ?'
 */
export function analyzeSql(sql: string): SqlInfo {
  const tokens = tokenize(sql);
  const identifiers = new Set<string>();
  let end = tokens.length;
  while (end > 0 && tokens[end - 1].text === ';') end--;
  let multiple = false;
  const isTrigger = tokens.length > 2 && tokens[0].word === 'create' && tokens.slice(1, 4).some((t) => t.word === 'trigger');
  for (let i = 0; i < end; i++) {
    const t = tokens[i];
    if (t.word !== undefined) identifiers.add(t.word);
    // A trigger body holds `;` between BEGIN and END; anything else after a `;` is a second statement.
    if (t.text === ';' && !isTrigger) multiple = true;
  }
  const normalized = tokens.slice(0, end).map((t) => t.text).join(' ');
  const { kind, reason } = classify(tokens, end);
  return { normalized, kind, identifiers, multiple, reason };
}

function classify(tokens: Token[], end: number): { kind: StatementKind; reason?: string } {
  const first = tokens[0]?.bare ? tokens[0].word! : '';
  if (first === 'with') {
    let depth = 0;
    for (let i = 1; i < end; i++) {
      const t = tokens[i];
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
      else if (depth === 0 && t.bare && MAIN_AFTER_WITH.has(t.word!)) return { kind: FIRST_KEYWORD[t.word!] };
    }
    return { kind: 'unsupported', reason: 'WITH without a main statement' };
  }
  if (first === 'pragma') return classifyPragma(tokens, end);
  if (first === 'explain') {
    // EXPLAIN [QUERY PLAN] stmt runs nothing, but SQLite still prepares stmt (pragmas act then).
    const skip = tokens[1]?.word === 'query' && tokens[2]?.word === 'plan' ? 3 : 1;
    const inner = classify(tokens.slice(skip), end - skip);
    return inner.kind === 'read' || inner.kind === 'write' || inner.kind === 'schema' ? { kind: 'read' } : inner;
  }
  const kind = FIRST_KEYWORD[first];
  if (kind) return { kind };
  if (first === '' && tokens.length === 0) return { kind: 'unsupported', reason: 'empty statement' };
  if (first === 'attach' || first === 'detach' || first === 'vacuum') {
    return { kind: 'unsupported', reason: `${first.toUpperCase()} is not offered by the storage layer` };
  }
  return { kind: 'invalid' };
}

function classifyPragma(tokens: Token[], end: number): { kind: StatementKind; reason?: string } {
  // PRAGMA [schema.]name [= value | (value)]
  let i = 1;
  if (tokens[i + 1]?.text === '.') i += 2;
  const name = tokens[i]?.word ?? '';
  const next = tokens[i + 1]?.text;
  const assigns = next === '=';
  const hasArg = next === '(';
  if (!assigns && (!hasArg || READ_PRAGMAS.get(name))) {
    if (READ_PRAGMAS.has(name)) return { kind: 'read' };
  }
  if ((assigns || hasArg) && FILE_PRAGMAS.has(name) && i + 2 < end) return { kind: 'pragma-write' };
  return {
    kind: 'unsupported',
    reason: `PRAGMA ${name}${assigns || hasArg ? ' with a value' : ''} is not offered: connection settings are database options`,
  };
}
