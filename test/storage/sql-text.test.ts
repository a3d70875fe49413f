import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { analyzeSql, tokenize } from '../../src/storage/sql-text.ts';

const Normalize = suite('storage/sql-text: normalization');

Normalize('spellings of one statement share a key; literals, quoted names and operators are kept apart', () => {
  const key = (s: string) => analyzeSql(s).normalized;
  assert.is(key('SELECT *  FROM Consent\n WHERE id=? -- by id'), 'select * from consent where id = ?');
  assert.is(key('select * /* c */ from consent where id = ?;'), key('SELECT * FROM consent WHERE id = ?'));
  assert.is.not(key("SELECT 'A'"), key("SELECT 'a'"));
  assert.is.not(key('SELECT "A"'), key('SELECT "a"'));
  assert.is.not(key('SELECT a<=b'), key('SELECT a< =b'));
  assert.is.not(key('SELECT 1.5'), key('SELECT 1 .5'));
  assert.is.not(key('SELECT a--b\n, c'), key('SELECT a - -b, c'));
  assert.is(key("SELECT 'it''s -- not a comment'"), "select 'it''s -- not a comment'");
  assert.is(key('SELECT ÄB FROM t'), 'select Äb from t', 'SQLite folds ASCII letters only');
  assert.is(key("SELECT X'0A', ?1, :name, @n, $v"), "select x'0A' , ?1 , :name , @n , $v");
});

Normalize('property: whitespace and comments between tokens never change the key', () => {
  const token = fc.constantFrom('select', 'from', 't', '"Q x"', "'s t'", '?', '=', '<=', '1.5e3', '(', ')', ',', 'x', '[b c]');
  const gap = fc.constantFrom(' ', '\n', '\t ', ' /* c */ ', ' -- c\n');
  fc.assert(fc.property(fc.array(fc.tuple(token, gap), { minLength: 1, maxLength: 12 }), (parts) => {
    const tight = parts.map(([t]) => t).join(' ');
    const loose = parts.map(([t, g]) => t + g).join('');
    assert.is(analyzeSql(loose).normalized, analyzeSql(tight).normalized);
  }));
});

Normalize.run();

const Classify = suite('storage/sql-text: statement kinds');

Classify('reads, writes, schema changes, transaction control and the refused', () => {
  const kind = (s: string) => analyzeSql(s).kind;
  assert.is(kind('SELECT 1'), 'read');
  assert.is(kind('VALUES (1)'), 'read');
  assert.is(kind('WITH x AS (SELECT 1) SELECT * FROM x'), 'read');
  assert.is(kind('WITH x AS (SELECT 1) DELETE FROM t WHERE id IN x'), 'write');
  assert.is(kind('WITH RECURSIVE x(n) AS (SELECT 1 UNION SELECT n+1 FROM x WHERE n < 3) INSERT INTO t SELECT n FROM x'), 'write');
  assert.is(kind('insert or replace into t values (1)'), 'write');
  assert.is(kind('REPLACE INTO t VALUES (1)'), 'write');
  assert.is(kind('  /* hi */ UPDATE t SET a = 1'), 'write');
  assert.is(kind('CREATE TABLE t (a)'), 'schema');
  assert.is(kind('DROP INDEX i'), 'schema');
  assert.is(kind('BEGIN IMMEDIATE'), 'transaction');
  assert.is(kind('rollback to x'), 'transaction');
  assert.is(kind('EXPLAIN QUERY PLAN SELECT 1'), 'read');
  assert.is(kind('EXPLAIN DELETE FROM t'), 'read');
  assert.is(kind('EXPLAIN PRAGMA query_only = 0'), 'unsupported');
  assert.is(kind('PRAGMA table_info(t)'), 'read');
  assert.is(kind('PRAGMA main.integrity_check'), 'read');
  assert.is(kind('PRAGMA user_version'), 'read');
  assert.is(kind('PRAGMA user_version = 3'), 'pragma-write');
  assert.is(kind('PRAGMA page_size(1024)'), 'unsupported');
  assert.is(kind('PRAGMA "query_only" = 0'), 'unsupported');
  assert.is(kind('PRAGMA foreign_keys=off'), 'unsupported');
  assert.is(kind('ATTACH DATABASE x AS y'), 'unsupported');
  assert.is(kind('VACUUM'), 'unsupported');
  assert.is(kind('SELEC 1'), 'invalid');
  assert.is(analyzeSql('  -- nothing\n').reason, 'empty statement');
});

Classify('identifiers include quoted names, unquoted and folded', () => {
  const ids = analyzeSql('SELECT a.x FROM "Consent Log" a JOIN [Patients] p JOIN `Audit` WHERE "q""uote" = 1').identifiers;
  for (const id of ['consent log', 'patients', 'audit', 'q"uote', 'a', 'x']) assert.ok(ids.has(id), id);
});

Classify('a trigger body\'s semicolons are one statement; anything else after ; is two', () => {
  assert.not.ok(analyzeSql('CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE u SET n = n + 1; DELETE FROM v; END;').multiple);
  assert.ok(analyzeSql('SELECT 1; SELECT 2').multiple);
  assert.not.ok(analyzeSql("SELECT ';'").multiple);
});

Classify('the lexer survives anything (property)', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
    tokenize(s);
    analyzeSql(s);
  }));
});

Classify.run();
