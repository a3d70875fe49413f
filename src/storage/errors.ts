/**
 * `StorageError`: every expected storage failure, carrying SQLite's own result-code name and
 * message when SQLite produced it. `toStorageError()` is the one place that turns a thrown
 * sql.js value (an `Error` with `code`, or a bare string) into one.
 */
import { AppError, type AppErrorOptions } from '../shared/errors.ts';

export interface StorageErrorOptions extends AppErrorOptions {
  /** SQLite's extended result-code name, e.g. `SQLITE_CONSTRAINT_UNIQUE`. */
  sqliteCode?: string;
  /** SQLite's message, verbatim. */
  sqliteMessage?: string;
  /** HTTP status; 500 unless the failure says otherwise. */
  status?: number;
}

/**
 * @example
 * try { await db.execute('INSERT INTO consent (id) VALUES (?)', [id]); }
 * catch (err) { if (err instanceof StorageError && err.sqliteCode === 'SQLITE_CONSTRAINT_PRIMARYKEY') ... }
 */
export class StorageError extends AppError {
  readonly sqliteCode: string | undefined;
  readonly sqliteMessage: string | undefined;

  constructor(code: string, message: string, options: StorageErrorOptions = {}) {
    const { status = 500, sqliteCode, sqliteMessage, ...rest } = options;
    const details = sqliteCode === undefined ? rest.details : { sqliteCode, ...rest.details };
    super(status, code, message, { ...rest, details });
    this.sqliteCode = sqliteCode;
    this.sqliteMessage = sqliteMessage;
  }
}

/** Maps a SQLite result-code name to this project's error code and HTTP status. */
function classify(sqliteCode: string): { code: string; status: number } {
  if (sqliteCode.startsWith('SQLITE_CONSTRAINT')) return { code: 'constraint_violation', status: 409 };
  if (sqliteCode.startsWith('SQLITE_FULL') || sqliteCode.startsWith('SQLITE_NOMEM')) return { code: 'storage_full', status: 507 };
  if (sqliteCode.startsWith('SQLITE_TOOBIG')) return { code: 'value_too_big', status: 413 };
  if (sqliteCode.startsWith('SQLITE_READONLY')) return { code: 'read_only', status: 500 };
  return { code: 'sql_error', status: 500 };
}

/** Wraps whatever sql.js threw while running `sql` into a `StorageError` (passes one through). */
export function toStorageError(err: unknown, sql?: string): StorageError {
  if (err instanceof StorageError) return err;
  if (err instanceof Error && typeof (err as { code?: unknown }).code === 'string') {
    return sqliteError((err as Error & { code: string }).code, err.message, sql, err);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StorageError('sql_error', sql ? `${message} (in: ${clip(sql)})` : message, { cause: err });
}

/** Builds the `StorageError` for a SQLite failure with result-code name `sqliteCode`. */
export function sqliteError(sqliteCode: string, sqliteMessage: string, sql?: string, cause?: unknown): StorageError {
  const { code, status } = classify(sqliteCode);
  const where = sql ? ` (in: ${clip(sql)})` : '';
  return new StorageError(code, `${sqliteCode}: ${sqliteMessage}${where}`, { status, sqliteCode, sqliteMessage, cause });
}

/** SQL quoted in messages is clipped: statements can be long, and messages end up in logs. */
function clip(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
