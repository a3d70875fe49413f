/**
 * Which tables a statement depends on, from the schema: a read depends on every table it names
 * and every table behind the views it names; a write may change every table it names, every
 * table its triggers name, and every table whose foreign keys cascade from them. Over-reaching
 * only costs a few extra cache invalidations; missing a table would serve stale reads, so
 * every rule errs wide.
 */
import { analyzeSql } from './sql-text.ts';

export interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** The SQL that lists the schema in the shape `Catalog` takes. */
export const CATALOG_SQL = `SELECT type, name, tbl_name, sql FROM sqlite_schema
  UNION ALL SELECT type, name, tbl_name, sql FROM sqlite_temp_schema`;
/** Foreign keys as (child, parent) pairs. */
export const FOREIGN_KEYS_SQL = `SELECT m.name AS child, f."table" AS parent
  FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`;

const lower = (s: string) => s.toLowerCase();

/** Whether SQL naming `identifiers` may call random() or randomblob(). */
export function callsRandom(identifiers: ReadonlySet<string>): boolean {
  return identifiers.has('random') || identifiers.has('randomblob');
}

/**
 * @example
 * const catalog = new Catalog(schemaRows, fkRows);
 * catalog.readsOf(analyzeSql('SELECT * FROM consent_view').identifiers) // Set { 'consent' }
 */
export class Catalog {
  readonly tables = new Set<string>();
  /** Tables whose defaults, generated columns or triggers call random() or randomblob(). */
  readonly random = new Set<string>();
  readonly #views = new Map<string, ReadonlySet<string>>();
  readonly #triggers = new Map<string, ReadonlySet<string>[]>();
  readonly #children = new Map<string, Set<string>>();

  constructor(schema: readonly SchemaRow[], foreignKeys: readonly { child: string; parent: string }[]) {
    for (const row of schema) {
      if (row.type === 'table') this.tables.add(lower(row.name));
    }
    for (const row of schema) {
      if (!row.sql) continue;
      if ((row.type === 'table' || row.type === 'trigger') && callsRandom(analyzeSql(row.sql).identifiers)) this.random.add(lower(row.tbl_name));
      if (row.type === 'view') this.#views.set(lower(row.name), analyzeSql(row.sql).identifiers);
      if (row.type === 'trigger') {
        const on = lower(row.tbl_name);
        const list = this.#triggers.get(on) ?? [];
        list.push(analyzeSql(row.sql).identifiers);
        this.#triggers.set(on, list);
      }
    }
    for (const { child, parent } of foreignKeys) {
      const set = this.#children.get(lower(parent)) ?? new Set<string>();
      set.add(lower(child));
      this.#children.set(lower(parent), set);
    }
  }

  /** Tables a read naming `identifiers` depends on (views expanded). */
  readsOf(identifiers: ReadonlySet<string>, out = new Set<string>(), seen = new Set<string>()): Set<string> {
    for (const id of identifiers) {
      if (this.tables.has(id)) out.add(id);
      const view = this.#views.get(id);
      if (view && !seen.has(id)) {
        seen.add(id);
        this.readsOf(view, out, seen);
      }
    }
    return out;
  }

  /** Tables a write naming `identifiers` may change (triggers and cascading foreign keys followed). */
  writesOf(identifiers: ReadonlySet<string>, out = new Set<string>()): Set<string> {
    const pending = [...identifiers];
    while (pending.length) {
      const id = pending.pop()!;
      if (out.has(id)) continue;
      const isTable = this.tables.has(id);
      // A view is written through its INSTEAD OF triggers.
      if (!isTable && !this.#views.has(id)) continue;
      out.add(id);
      for (const body of this.#triggers.get(id) ?? []) pending.push(...body);
      for (const child of this.#children.get(id) ?? []) pending.push(child);
    }
    for (const id of out) if (!this.tables.has(id)) out.delete(id);
    return out;
  }
}
