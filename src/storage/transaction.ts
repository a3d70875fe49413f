/**
 * The handle a `transaction(fn)` callback (and a migration) writes through. Every statement
 * runs at once against the open SQLite transaction, is checked for what it is allowed to be,
 * and is recorded — SQL, parameters, pinned clock, change count — into the journal record that
 * makes the whole transaction durable as one unit.
 */
import { callsRandom, type Catalog } from './catalog.ts';
import type { Connection, Prepared, Row, SqlParams } from './connection.ts';
import { wallClock } from './determinism.ts';
import { StorageError } from './errors.ts';
import type { RecordBuilder } from './journal-codec.ts';
import type { SqlInfo } from './sql-text.ts';

export interface RunInfo {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /** The rowid of the last row inserted, for INSERT and REPLACE statements that inserted one. */
  lastInsertRowid: number | bigint | undefined;
  /** Rows the statement returned (`RETURNING`). */
  rows: Row[];
}

/**
 * @example
 * await db.transaction((tx) => {
 *   const [{ n }] = tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM consent WHERE patient = ?', [p]);
 *   tx.run('INSERT INTO audit (patient, event) VALUES (?, ?)', [p, `consents:${n}`]);
 * });
 */
export interface Transaction {
  /** Runs a read and returns its rows (seeing this transaction's own writes). */
  query<T = Row>(sql: string, params?: SqlParams): T[];
  /** Runs one statement that writes (or changes the schema). */
  run(sql: string, params?: SqlParams): RunInfo;
  /** Runs one write statement once per parameter set. */
  batch(sql: string, rows: readonly SqlParams[]): { changes: number };
  /** Runs a script of statements without parameters (schema changes, migrations). */
  exec(script: string): void;
}

/** What a transaction changed: the tables to invalidate, or the whole schema. */
export interface Effects {
  tables: Set<string>;
  schema: boolean;
}

/**
 * Refuses statements a write unit must not run, and notes what the others change. Where
 * random() cannot be made replayable (`replayableRandom` false: the host forbids registering SQL
 * functions), writes that would call it — in their text, or through a table's defaults or
 * triggers — are refused too, since replay would write different values.
 */
export function noteEffects(info: SqlInfo, sql: string, catalog: Catalog, effects: Effects, replayableRandom = true): void {
  switch (info.kind) {
    case 'read':
      return;
    case 'write': {
      const tables = catalog.writesOf(info.identifiers);
      if (!replayableRandom && (callsRandom(info.identifiers) || [...tables].some((t) => catalog.random.has(t)))) throw nondeterministic();
      for (const t of tables) effects.tables.add(t);
      return;
    }
    case 'schema':
    case 'pragma-write':
      if (!replayableRandom && callsRandom(info.identifiers)) throw nondeterministic();
      effects.schema = true;
      return;
    case 'transaction':
      throw new StorageError('transaction_control', 'BEGIN/COMMIT/ROLLBACK/SAVEPOINT are managed by the database: use transaction(fn)');
    default:
      throw new StorageError('unsupported_statement', `${info.reason ?? 'statement not supported'} (in: ${sql.slice(0, 60)})`);
  }
}

function nondeterministic(): StorageError {
  return new StorageError(
    'nondeterministic_write',
    'random()/randomblob() in a write cannot be journaled on this host (it forbids registering SQL functions, e.g. workerd): draw the value in JS and pass it as a parameter',
  );
}

/** True when an INSERT or REPLACE produced a rowid worth reporting. */
export function insertsRows(info: SqlInfo): boolean {
  return info.kind === 'write' && (info.identifiers.has('insert') || info.identifiers.has('replace'));
}

/** The live transaction given to `transaction(fn)` callbacks; closed when fn returns. */
export class TransactionHandle implements Transaction {
  readonly #conn: Connection;
  readonly #catalog: Catalog;
  readonly #record: RecordBuilder;
  readonly #effects: Effects;
  #open = true;

  constructor(conn: Connection, catalog: Catalog, record: RecordBuilder, effects: Effects) {
    this.#conn = conn;
    this.#catalog = catalog;
    this.#record = record;
    this.#effects = effects;
  }

  close(): void {
    this.#open = false;
  }

  query<T = Row>(sql: string, params?: SqlParams): T[] {
    const p = this.#prepare(sql);
    if (p.info.kind !== 'read') throw new StorageError('not_a_read', 'tx.query runs reads: use tx.run for statements that write');
    return this.#conn.all(p, params) as T[];
  }

  run(sql: string, params?: SqlParams): RunInfo {
    const p = this.#prepare(sql);
    noteEffects(p.info, sql, this.#catalog, this.#effects, this.#conn.randomReplayable);
    if (p.info.kind === 'read') return { changes: 0, lastInsertRowid: undefined, rows: this.#conn.all(p, params) };
    const clock = wallClock();
    const { changes, rows } = this.#seeded(() => this.#conn.run(p, params, clock));
    this.#record.run(sql, clock, changes, params);
    const lastInsertRowid = changes > 0 && insertsRows(p.info) ? this.#conn.lastInsertRowid() : undefined;
    return { changes, lastInsertRowid, rows };
  }

  batch(sql: string, rows: readonly SqlParams[]): { changes: number } {
    const p = this.#prepare(sql);
    if (!Array.isArray(rows)) throw new StorageError('invalid_parameters', 'batch rows must be an array of parameter sets');
    if (p.info.kind !== 'write') throw new StorageError('not_a_write', 'batch runs one INSERT, UPDATE, DELETE or REPLACE statement per row');
    for (let i = 0; i < rows.length; i++) this.#conn.checkParams(p, rows[i], i);
    noteEffects(p.info, sql, this.#catalog, this.#effects, this.#conn.randomReplayable);
    if (rows.length === 0) return { changes: 0 };
    const clock = wallClock();
    const changes = this.#seeded(() => this.#conn.runMany(p, rows, clock));
    this.#record.batch(sql, clock, changes, rows);
    return { changes };
  }

  exec(script: string): void {
    this.#check();
    if (typeof script !== 'string') throw new StorageError('invalid_sql', 'script must be a string');
    const clock = wallClock();
    this.#seeded(() => this.#conn.exec(script, clock, (info, sql) => noteEffects(info, sql, this.#catalog, this.#effects, this.#conn.randomReplayable)));
    this.#record.exec(script, clock);
  }

  #prepare(sql: string): Prepared {
    this.#check();
    return this.#conn.prepare(sql);
  }

  #check(): void {
    if (!this.#open) throw new StorageError('transaction_closed', 'this transaction has ended: its callback must do all its work before returning');
  }

  /** Runs `fn` with random() drawing from this record's seed and the statement's index. */
  #seeded<T>(fn: () => T): T {
    const record = this.#record;
    this.#conn.random.begin(() => (record.seed ??= crypto.getRandomValues(new Uint8Array(16))), record.count);
    try {
      return fn();
    } finally {
      this.#conn.random.end();
    }
  }
}
