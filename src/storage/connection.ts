/**
 * One sql.js database driven through SQLite's C API directly.
 *
 * sql.js's `Statement` methods re-bind through string allocations, copy values through generic
 * helpers and reset twice per call; here a statement is prepared once by sql.js (and kept in the
 * statement cache), then bound, stepped and read with the raw exported `sqlite3_*` functions.
 * Parameters are checked (count and type) before anything runs, and every SQLite failure
 * becomes a `StorageError` with SQLite's code and message.
 */
import type { Database, SqlJsStatic, Statement } from 'sql.js';
import { SqlRandom, withClock } from './determinism.ts';
import { StorageError, sqliteError, toStorageError } from './errors.ts';
import { analyzeSql, tokenize, type SqlInfo } from './sql-text.ts';
import { StatementCache } from './statement-cache.ts';

/** A value SQLite stores. Booleans bind as 0/1; integers beyond 2^53 read back as `bigint`. */
export type SqlValue = null | number | bigint | string | boolean | Uint8Array;
/** Positional (`?`, `?NNN`) or named (`:name`, `@name`, `$name`; the prefix may be omitted). */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;
export type Row = Record<string, SqlValue>;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement (0 for schema changes). */
  changes: number;
  /** Rows produced by the statement (`RETURNING`, or a read run inside a transaction). */
  rows: Row[];
}

/** The raw exports this file calls (present on the object `initSqlJs` resolves to). */
interface SqliteApi {
  _sqlite3_step(stmt: number): number;
  _sqlite3_reset(stmt: number): number;
  _sqlite3_clear_bindings(stmt: number): number;
  _sqlite3_bind_int(stmt: number, i: number, v: number): number;
  _sqlite3_bind_int64(stmt: number, i: number, ...v: (bigint | number)[]): number;
  _sqlite3_bind_double(stmt: number, i: number, v: number): number;
  _sqlite3_bind_text(stmt: number, i: number, ptr: number, len: number, destructor: number): number;
  _sqlite3_bind_blob(stmt: number, i: number, ptr: number, len: number, destructor: number): number;
  _sqlite3_bind_parameter_index(stmt: number, namePtr: number): number;
  _sqlite3_column_count(stmt: number): number;
  _sqlite3_column_name(stmt: number, i: number): number;
  _sqlite3_column_type(stmt: number, i: number): number;
  _sqlite3_column_double(stmt: number, i: number): number;
  _sqlite3_column_text(stmt: number, i: number): number;
  _sqlite3_column_bytes(stmt: number, i: number): number;
  _sqlite3_changes(db: number): number;
  _sqlite3_errmsg(db: number): number;
  _sqlite3_extended_errcode(db: number): number;
  _sqlite3_memory_used(): number | bigint;
  _sqlite3_create_function_v2(db: number, name: number, nArg: number, flags: number, app: number, fn: number, step: number, final: number, destroy: number): number;
  _sqlite3_result_int64(ctx: number, v: bigint | number, hi?: number): void;
  _malloc(n: number): number;
  _free(ptr: number): void;
  stringToNewUTF8(s: string): number;
  lengthBytesUTF8(s: string): number;
  UTF8ToString(ptr: number, maxBytes?: number, ignoreNul?: boolean): string;
  writeArrayToMemory(array: Uint8Array, ptr: number): void;
  addFunction(fn: (...args: number[]) => void, signature: string): number;
  removeFunction(ptr: number): void;
  constants: Record<string, number>;
}

const SQLITE_ROW = 100;
const SQLITE_DONE = 101;
const SQLITE_RANGE = 25;
const SQLITE_TRANSIENT = -1;
const SQLITE_UTF8 = 1;
const PRIMARY_CODES = [
  'SQLITE_OK', 'SQLITE_ERROR', 'SQLITE_INTERNAL', 'SQLITE_PERM', 'SQLITE_ABORT', 'SQLITE_BUSY', 'SQLITE_LOCKED',
  'SQLITE_NOMEM', 'SQLITE_READONLY', 'SQLITE_INTERRUPT', 'SQLITE_IOERR', 'SQLITE_CORRUPT', 'SQLITE_NOTFOUND',
  'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL', 'SQLITE_EMPTY', 'SQLITE_SCHEMA', 'SQLITE_TOOBIG',
  'SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_MISUSE', 'SQLITE_NOLFS', 'SQLITE_AUTH', 'SQLITE_FORMAT',
  'SQLITE_RANGE', 'SQLITE_NOTADB', 'SQLITE_NOTICE', 'SQLITE_WARNING',
];
const MAX_PARAMS = 32766;
const textEncoder = new TextEncoder();

/** A statement prepared and held by the statement cache. */
export interface Prepared {
  readonly sql: string;
  readonly info: SqlInfo;
  readonly stmt: Statement;
  readonly ptr: number;
  readonly paramCount: number;
  readonly names: readonly string[];
  /** Named-parameter indexes looked up so far. */
  readonly named: Map<string, number>;
}

export interface ConnectionOptions {
  /** Prepared statements held (the statement "pool"); default 64. */
  poolSize?: number;
  /** `PRAGMA foreign_keys` (default true, as in better-sqlite3). */
  foreignKeys?: boolean;
  /** Most bytes SQLite's page cache may hold (default 8 MiB); pages beyond it are re-read from the in-memory file. */
  pageCacheBytes?: number;
}

/**
 * @example
 * const conn = new Connection(await getSql(), null, { poolSize: 64 });
 * const rows = conn.all(conn.prepare('SELECT * FROM consent WHERE id = ?'), [id]);
 */
export class Connection {
  readonly random = new SqlRandom();
  readonly #sql: SqlJsStatic;
  readonly #api: SqliteApi;
  readonly #db: Database;
  readonly #handle: number;
  readonly #statements: StatementCache<Prepared>;
  readonly #bigint64: boolean;
  readonly #codeNames = new Map<number, string>();
  readonly #functionPtrs: number[] = [];
  readonly #namePtrs: number[] = [];
  readonly #internal = new Map<string, Prepared>();
  /** A WASM-heap region that bound text and blobs are staged in, and its JS-side twin. */
  #scratch: number;
  #scratchSize = 4096;
  #text = new Uint8Array(4096);
  readonly #views: Uint8Array[] = [];
  /** False where the host forbids registering SQL functions (workerd: no WASM code generation). */
  readonly #randomReplayable: boolean;

  constructor(sqlJs: SqlJsStatic, bytes: Uint8Array | null, options: ConnectionOptions = {}) {
    this.#sql = sqlJs;
    this.#api = sqlJs as unknown as SqliteApi;
    this.#bigint64 = typeof this.#api._sqlite3_memory_used() === 'bigint';
    try {
      this.#db = bytes ? new sqlJs.Database(bytes) : new sqlJs.Database();
    } catch (err) {
      throw toStorageError(err);
    }
    this.#handle = (this.#db as unknown as { db: number }).db;
    if (typeof this.#handle !== 'number' || this.#handle === 0) throw new StorageError('sqljs_incompatible', 'sql.js database handle not found');
    this.#statements = new StatementCache<Prepared>(options.poolSize ?? 64, (p) => p.stmt.free());
    this.#scratch = this.#api._malloc(this.#scratchSize);
    this.#randomReplayable = this.#registerRandom();
    // The database file lives in emscripten's in-memory file system and has one connection:
    // - locking_mode EXCLUSIVE keeps the lock, so SQLite stops probing the file system for a hot
    //   journal and a changed file before every statement (4x faster point selects);
    // - the rollback journal and temp files only need to live in memory, and syncs are no-ops
    //   here (durability is the storage journal's job);
    // - a page cache larger than SQLite's 2 MB default saves copying pages out of the file.
    const cacheKiB = Math.max(64, Math.round((options.pageCacheBytes ?? 8 * 1024 * 1024) / 1024));
    this.#db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;
      PRAGMA temp_store = MEMORY; PRAGMA cache_size = -${cacheKiB};
      PRAGMA foreign_keys = ${options.foreignKeys === false ? 'OFF' : 'ON'}; PRAGMA query_only = ON`);
  }

  /** The statement for `sql`, from the cache or freshly prepared (one statement only). */
  prepare(sql: string): Prepared {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) return cached;
    if (typeof sql !== 'string') throw new StorageError('invalid_sql', 'SQL must be a string');
    const info = analyzeSql(sql);
    // Refused before SQLite sees them: some pragmas (foreign_keys, query_only) act while being
    // prepared. Text that is no statement at all goes to SQLite for its own syntax error.
    if (info.kind !== 'invalid') refuse(info, sql);
    let stmt: Statement;
    try {
      stmt = this.#db.prepare(sql);
    } catch (err) {
      throw toStorageError(err, sql);
    }
    // sqlite3_sql() is the text SQLite consumed: anything but `;` after it is a second statement.
    if (info.kind === 'invalid') {
      stmt.free();
      refuse(info, sql);
    }
    const rest = sql.slice(stmt.getSQL().length);
    if (tokenize(rest).some((t) => t.text !== ';')) {
      stmt.free();
      throw new StorageError('multiple_statements', 'one statement per call: use exec() for scripts of several statements');
    }
    const ptr = this.#pointerOf(stmt, sql);
    const count = this.#api._sqlite3_column_count(ptr);
    const names: string[] = [];
    for (let i = 0; i < count; i++) names.push(this.#api.UTF8ToString(this.#api._sqlite3_column_name(ptr, i)));
    const prepared: Prepared = { sql, info, stmt, ptr, paramCount: this.#countParams(ptr), names, named: new Map() };
    return this.#statements.set(sql, prepared);
  }

  /** Runs a prepared statement to completion and returns its rows. */
  all(p: Prepared, params: SqlParams | undefined): Row[] {
    this.#bind(p, params);
    return this.#collect(p);
  }

  /** Runs a prepared statement with `Date.now()` pinned to `clock`, returning changes and rows. */
  run(p: Prepared, params: SqlParams | undefined, clock: number): RunResult {
    this.#bind(p, params);
    return withClock(clock, () => {
      const rows = this.#collect(p);
      return { changes: p.info.kind === 'write' ? this.#api._sqlite3_changes(this.#handle) : 0, rows };
    });
  }

  /**
   * Runs `p` once per row of `rows` (already validated with `checkParams`), returning the
   * total number of changes. The caller holds the transaction.
   */
  runMany(p: Prepared, rows: readonly SqlParams[], clock: number): number {
    return withClock(clock, () => {
      let changes = 0;
      const api = this.#api;
      for (let r = 0; r < rows.length; r++) {
        this.#bind(p, rows[r], true);
        const rc = api._sqlite3_step(p.ptr);
        if (rc !== SQLITE_DONE && rc !== SQLITE_ROW) this.#fail(p, rc, r);
        api._sqlite3_reset(p.ptr);
        if (p.info.kind === 'write') changes += api._sqlite3_changes(this.#handle);
      }
      api._sqlite3_clear_bindings(p.ptr);
      return changes;
    });
  }

  /**
   * Runs a script of statements without parameters. Each statement is checked by `check`
   * before SQLite prepares it (with the identifiers of the rest of the script: erring wide).
   */
  exec(script: string, clock: number, check: (info: SqlInfo, sql: string) => void): void {
    let rest = script;
    withClock(clock, () => {
      while (tokenize(rest).some((t) => t.text !== ';')) {
        const info = analyzeSql(rest.replace(/^[\s;]+/, ''));
        refuse(info, rest);
        check(info, rest);
        let stmt: Statement;
        try {
          stmt = this.#db.prepare(rest);
        } catch (err) {
          throw toStorageError(err, rest);
        }
        try {
          const text = stmt.getSQL();
          const ptr = this.#pointerOf(stmt, text);
          for (;;) {
            const rc = this.#api._sqlite3_step(ptr);
            if (rc === SQLITE_DONE) break;
            if (rc !== SQLITE_ROW) throw this.#error(rc, text);
          }
          rest = rest.slice(text.length);
        } finally {
          stmt.free();
        }
      }
    });
  }

  /**
   * Runs one of the database's own statements (transaction control, catalog queries), held
   * apart from the statement cache so user statements never evict them.
   */
  internal(sql: string): Row[] {
    let p = this.#internal.get(sql);
    if (p === undefined) {
      let stmt: Statement;
      try {
        stmt = this.#db.prepare(sql);
      } catch (err) {
        throw toStorageError(err, sql);
      }
      const ptr = this.#pointerOf(stmt, sql);
      const names: string[] = [];
      for (let i = 0; i < this.#api._sqlite3_column_count(ptr); i++) names.push(this.#api.UTF8ToString(this.#api._sqlite3_column_name(ptr, i)));
      p = { sql, info: analyzeSql(sql), stmt, ptr, paramCount: 0, names, named: new Map() };
      this.#internal.set(sql, p);
    }
    return this.#collect(p);
  }

  /** `last_insert_rowid()` of the connection. */
  lastInsertRowid(): number | bigint {
    return this.internal('SELECT last_insert_rowid() AS id')[0].id as number | bigint;
  }

  /** Checks one parameter set against `p` without binding it (batches check every row first). */
  checkParams(p: Prepared, params: SqlParams | undefined, row?: number): void {
    const where = row === undefined ? '' : `row ${row}: `;
    if (params === undefined || params === null) {
      if (p.paramCount !== 0) throw paramError(`${where}statement takes ${p.paramCount} parameter(s), none given`);
      return;
    }
    if (Array.isArray(params)) {
      if (params.length !== p.paramCount) {
        throw paramError(`${where}statement takes ${p.paramCount} parameter(s), ${params.length} given`);
      }
      for (let i = 0; i < params.length; i++) checkValue(params[i], `${where}parameter ${i + 1}`);
      return;
    }
    if (typeof params !== 'object') throw paramError(`${where}parameters must be an array or an object`);
    const seen = new Set<number>();
    for (const key of Object.keys(params)) {
      const index = this.#namedIndex(p, key);
      if (index === 0) throw paramError(`${where}statement has no parameter named ${key}`);
      seen.add(index);
      checkValue((params as Record<string, SqlValue>)[key], `${where}parameter ${key}`);
    }
    if (seen.size !== p.paramCount) {
      throw paramError(`${where}statement takes ${p.paramCount} parameter(s), ${seen.size} given by name`);
    }
  }

  /** Whether random()/randomblob() draw from `this.random` (false where SQL functions cannot be registered). */
  get randomReplayable(): boolean {
    return this.#randomReplayable;
  }

  /** Serializes the whole database (sql.js's backup-based export: statements stay valid). */
  export(): Uint8Array {
    try {
      return this.#db.export();
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /** Frees every cached statement (after a schema change their column lists may be stale). */
  clearStatements(): void {
    this.#statements.clear();
    for (const p of this.#internal.values()) p.stmt.free();
    this.#internal.clear();
  }

  statementStats() {
    return this.#statements.getStats();
  }

  /** Bytes SQLite has allocated (the database pages and caches). */
  memoryUsed(): number {
    return Number(this.#api._sqlite3_memory_used());
  }

  close(): void {
    this.clearStatements();
    this.#db.close();
    for (const ptr of this.#functionPtrs) this.#api.removeFunction(ptr);
    for (const ptr of this.#namePtrs) this.#api._free(ptr);
    this.#api._free(this.#scratch);
    this.#scratch = 0;
    this.#functionPtrs.length = 0;
  }

  /** Binds `params` (checked first unless the caller already did) to `p`. */
  #bind(p: Prepared, params: SqlParams | undefined, checked = false): void {
    if (!checked) this.checkParams(p, params);
    if (params == null) return;
    if (Array.isArray(params)) {
      for (let i = 0; i < params.length; i++) this.#bindValue(p, i + 1, params[i]);
    } else {
      for (const key of Object.keys(params)) this.#bindValue(p, this.#namedIndex(p, key), (params as Record<string, SqlValue>)[key]);
    }
  }

  #bindValue(p: Prepared, i: number, v: SqlValue): void {
    const api = this.#api;
    let rc: number;
    switch (typeof v) {
      case 'number':
        rc = v === (v | 0) ? api._sqlite3_bind_int(p.ptr, i, v) : Number.isSafeInteger(v) ? this.#bindInt64(p.ptr, i, BigInt(v)) : api._sqlite3_bind_double(p.ptr, i, v);
        break;
      case 'string': {
        const len = this.#stage(v);
        rc = api._sqlite3_bind_text(p.ptr, i, this.#scratch, len, SQLITE_TRANSIENT);
        break;
      }
      case 'bigint':
        rc = this.#bindInt64(p.ptr, i, v);
        break;
      case 'boolean':
        rc = api._sqlite3_bind_int(p.ptr, i, v ? 1 : 0);
        break;
      default:
        if (v === null) {
          rc = api._sqlite3_bind_blob(p.ptr, i, 0, 0, SQLITE_TRANSIENT);
        } else {
          const bytes = v as Uint8Array;
          // The scratch pointer is never null, so a zero-length blob binds as a blob, not NULL.
          this.#reserve(bytes.length);
          api.writeArrayToMemory(bytes, this.#scratch);
          rc = api._sqlite3_bind_blob(p.ptr, i, this.#scratch, bytes.length, SQLITE_TRANSIENT);
        }
    }
    if (rc !== 0) {
      api._sqlite3_clear_bindings(p.ptr);
      throw this.#error(rc, p.sql);
    }
  }

  /**
   * Copies `s` as UTF-8 into the scratch region in WASM memory and returns its length. SQLite
   * copies bound values (SQLITE_TRANSIENT), so one region serves every bind.
   */
  #stage(s: string): number {
    const max = s.length * 3;
    this.#reserve(max);
    if (this.#text.length < max) {
      this.#text = new Uint8Array(Math.max(max, this.#text.length * 2));
      this.#views.length = 0;
    }
    const buf = this.#text;
    let n = 0;
    for (; n < s.length; n++) {
      const c = s.charCodeAt(n);
      if (c >= 0x80) break;
      buf[n] = c;
    }
    if (n < s.length) n += textEncoder.encodeInto(s.slice(n), buf.subarray(n)).written;
    // Short strings reuse a view per length: one fewer allocation per bound value.
    const view = n < 256 ? (this.#views[n] ??= buf.subarray(0, n)) : buf.subarray(0, n);
    this.#api.writeArrayToMemory(view, this.#scratch);
    return n;
  }

  /** Grows the scratch region to at least `bytes`. */
  #reserve(bytes: number): void {
    if (bytes <= this.#scratchSize) return;
    const size = Math.max(bytes, this.#scratchSize * 2);
    const ptr = this.#api._malloc(size);
    if (ptr === 0) throw new StorageError('storage_full', `cannot allocate ${size} bytes in the SQLite heap`, { status: 507 });
    this.#api._free(this.#scratch);
    this.#scratch = ptr;
    this.#scratchSize = size;
  }

  #bindInt64(ptr: number, i: number, v: bigint): number {
    if (this.#bigint64) return this.#api._sqlite3_bind_int64(ptr, i, v);
    return this.#api._sqlite3_bind_int64(ptr, i, Number(BigInt.asIntN(32, v)), Number(v >> 32n));
  }

  /** Steps `p` to the end, reading every row, then resets it (always, even on failure). */
  #collect(p: Prepared): Row[] {
    const api = this.#api;
    const ptr = p.ptr;
    const names = p.names;
    const rows: Row[] = [];
    for (;;) {
      const rc = api._sqlite3_step(ptr);
      if (rc === SQLITE_DONE) break;
      if (rc !== SQLITE_ROW) this.#fail(p, rc);
      const row: Row = {};
      for (let c = 0; c < names.length; c++) {
        switch (api._sqlite3_column_type(ptr, c)) {
          case 1: {
            const v = api._sqlite3_column_double(ptr, c);
            row[names[c]] = Number.isSafeInteger(v) ? v : BigInt(api.UTF8ToString(api._sqlite3_column_text(ptr, c)));
            break;
          }
          case 2:
            row[names[c]] = api._sqlite3_column_double(ptr, c);
            break;
          case 3:
            row[names[c]] = api.UTF8ToString(api._sqlite3_column_text(ptr, c), api._sqlite3_column_bytes(ptr, c), true);
            break;
          case 4:
            row[names[c]] = (p.stmt as unknown as { getBlob(i: number): Uint8Array }).getBlob(c);
            break;
          default:
            row[names[c]] = null;
        }
      }
      rows.push(row);
    }
    api._sqlite3_reset(ptr);
    api._sqlite3_clear_bindings(ptr);
    return rows;
  }

  /** Resets `p` after a failed step and throws SQLite's error. */
  #fail(p: Prepared, rc: number, row?: number): never {
    const err = this.#error(rc, p.sql, row);
    this.#api._sqlite3_reset(p.ptr);
    this.#api._sqlite3_clear_bindings(p.ptr);
    throw err;
  }

  #error(rc: number, sql: string, row?: number): StorageError {
    const api = this.#api;
    let code = api._sqlite3_extended_errcode(this.#handle);
    if ((code & 0xff) !== (rc & 0xff)) code = rc;
    const message = api.UTF8ToString(api._sqlite3_errmsg(this.#handle));
    const err = sqliteError(this.#codeName(code), row === undefined ? message : `${message} (batch row ${row})`, sql);
    return err;
  }

  #codeName(code: number): string {
    let name = this.#codeNames.get(code);
    if (name === undefined) {
      const primary = PRIMARY_CODES[code & 0xff] ?? `SQLITE_${code & 0xff}`;
      name = code === (code & 0xff) ? primary : Object.keys(this.#api.constants).find((k) => this.#api.constants[k] === code && k.startsWith(`${primary}_`)) ?? primary;
      this.#codeNames.set(code, name);
    }
    return name;
  }

  /** The `sqlite3_stmt*` behind a sql.js `Statement`, verified through `sqlite3_sql()`. */
  #pointerOf(stmt: Statement, sql: string): number {
    const fields = stmt as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const v = fields[key];
      if (typeof v === 'number' && v > 1) {
        const text = this.#sql as unknown as SqliteApi;
        const sqlPtr = (this.#sql as unknown as { _sqlite3_sql(p: number): number })._sqlite3_sql(v);
        if (sqlPtr !== 0 && sql.startsWith(text.UTF8ToString(sqlPtr))) return v;
      }
    }
    stmt.free();
    throw new StorageError('sqljs_incompatible', 'sql.js statement handle not found');
  }

  /** Highest parameter index, found by probing (sql.js does not export the count). */
  #countParams(ptr: number): number {
    const api = this.#api;
    const ok = (i: number) => api._sqlite3_bind_blob(ptr, i, 0, 0, SQLITE_TRANSIENT) !== SQLITE_RANGE;
    let lo = 0;
    let hi = 1;
    while (hi <= MAX_PARAMS && ok(hi)) {
      lo = hi;
      hi *= 2;
    }
    hi = Math.min(hi, MAX_PARAMS + 1);
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (ok(mid)) lo = mid;
      else hi = mid;
    }
    api._sqlite3_clear_bindings(ptr);
    return lo;
  }

  #namedIndex(p: Prepared, key: string): number {
    let index = p.named.get(key);
    if (index === undefined) {
      index = 0;
      const candidates = /^[:@$]/.test(key) ? [key] : [`:${key}`, `@${key}`, `$${key}`];
      for (const name of candidates) {
        const mem = this.#api.stringToNewUTF8(name);
        index = this.#api._sqlite3_bind_parameter_index(p.ptr, mem);
        this.#api._free(mem);
        if (index !== 0) break;
      }
      p.named.set(key, index);
    }
    return index;
  }

  /**
   * `random()` as a 64-bit integer from `this.random` (sql.js's own UDFs can only return REAL).
   * Returns false when the host cannot register functions: emscripten's `addFunction` compiles a
   * tiny WASM module, which workerd forbids; writes that would call random() are then refused
   * (`noteEffects`).
   */
  #registerRandom(): boolean {
    const api = this.#api;
    let fn: number;
    try {
      fn = api.addFunction((ctx: number) => {
        const v = this.random.int64();
        if (this.#bigint64) api._sqlite3_result_int64(ctx, v);
        else api._sqlite3_result_int64(ctx, Number(BigInt.asIntN(32, v)), Number(v >> 32n));
      }, 'viii');
    } catch (err) {
      if (err instanceof WebAssembly.CompileError || /code generation disallowed/i.test(String(err))) return false;
      throw err;
    }
    const name = api.stringToNewUTF8('random');
    this.#functionPtrs.push(fn);
    this.#namePtrs.push(name);
    const rc = api._sqlite3_create_function_v2(this.#handle, name, 0, SQLITE_UTF8, 0, fn, 0, 0, 0);
    if (rc !== 0) throw this.#error(rc, 'random()');
    this.#db.create_function('randomblob', (n: number) => this.random.bytes(Number(n)));
    return true;
  }
}

/** Throws for statements the storage layer never lets SQLite prepare. */
function refuse(info: SqlInfo, sql: string): void {
  if (info.kind === 'transaction') {
    throw new StorageError('transaction_control', 'BEGIN/COMMIT/ROLLBACK/SAVEPOINT are managed by the database: use transaction(fn)');
  }
  if (info.kind === 'invalid') {
    throw new StorageError('sql_error', `SQLITE_ERROR: not a SQL statement (in: ${sql.trim().slice(0, 60)})`, { sqliteCode: 'SQLITE_ERROR', sqliteMessage: 'not a SQL statement' });
  }
  if (info.kind === 'unsupported') {
    if (info.reason === 'empty statement') throw new StorageError('invalid_sql', 'empty SQL statement');
    throw new StorageError('unsupported_statement', `${info.reason ?? 'statement not supported'} (in: ${sql.trim().slice(0, 60)})`);
  }
}

function paramError(message: string): StorageError {
  return new StorageError('invalid_parameters', message);
}

/** Throws (naming the parameter, never its value) unless `v` is a bindable value. */
function checkValue(v: unknown, where: string): void {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isNaN(v)) throw paramError(`${where} is NaN`);
      return;
    case 'bigint':
      if (BigInt.asIntN(64, v) !== v) throw paramError(`${where} is outside the 64-bit integer range`);
      return;
    case 'object':
      if (v === null || v instanceof Uint8Array) return;
      throw paramError(`${where} has unsupported type ${Array.isArray(v) ? 'array' : (v.constructor?.name ?? 'object')} (use string, number, bigint, boolean, null or Uint8Array)`);
    default:
      throw paramError(`${where} has unsupported type ${typeof v}`);
  }
}
