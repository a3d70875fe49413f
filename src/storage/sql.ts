/**
 * One memoized sql.js per isolate. `getSql()` initializes the host's build on first use;
 * a failed initialization is not cached, so the next call tries again.
 */
import { platform } from '#platform';
import type { SqlJsStatic } from 'sql.js';

let sql: Promise<SqlJsStatic> | undefined;

/**
 * @example
 * const SQL = await getSql();
 * const db = new SQL.Database();
 */
export function getSql(): Promise<SqlJsStatic> {
  sql ??= platform.initSqlJs().catch((err: unknown) => {
    sql = undefined;
    throw err;
  });
  return sql;
}
