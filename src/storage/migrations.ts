/**
 * Versioned schema migrations for several independent domains. Each domain (auth, consent,
 * audit, ...) numbers its own migrations; `schema_migrations(domain, version, applied_at)`
 * records what a database has. At start every pending migration runs in one transaction, in
 * the order given (each domain's versions ascending), and a database holding a version the code
 * does not know — a newer deployment wrote it — refuses to open rather than guess.
 */
import { StorageError } from './errors.ts';
import type { Transaction } from './transaction.ts';

/**
 * @example
 * export const CONSENT_MIGRATIONS: Migration[] = [
 *   { domain: 'consent', version: 1, up: 'CREATE TABLE consent (id TEXT PRIMARY KEY, patient TEXT NOT NULL)' },
 *   { domain: 'consent', version: 2, up: (tx) => tx.run('CREATE INDEX consent_patient ON consent (patient)') },
 * ];
 */
export interface Migration {
  domain: string;
  /** Positive integer, ascending within a domain. */
  version: number;
  /** A SQL script, or a function running statements through the transaction. */
  up: string | ((tx: Transaction) => void);
}

export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  domain TEXT NOT NULL,
  version INTEGER NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (domain, version)
)`;

/** Throws unless every migration is well-formed and each domain's versions ascend without repeats. */
export function checkMigrations(migrations: readonly Migration[]): void {
  const last = new Map<string, number>();
  for (const [i, m] of migrations.entries()) {
    if (!m || typeof m.domain !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(m.domain)) {
      throw new StorageError('invalid_migration', `migration ${i}: domain must be a lower-case name (a-z, 0-9, _ or -)`);
    }
    if (!Number.isSafeInteger(m.version) || m.version < 1) {
      throw new StorageError('invalid_migration', `migration ${m.domain} #${i}: version must be a positive integer`);
    }
    if (typeof m.up !== 'string' && typeof m.up !== 'function') {
      throw new StorageError('invalid_migration', `migration ${m.domain} v${m.version}: up must be SQL or a function`);
    }
    const prev = last.get(m.domain) ?? 0;
    if (m.version <= prev) {
      throw new StorageError('invalid_migration', `migration ${m.domain} v${m.version} comes after v${prev}: versions must ascend without repeats`);
    }
    last.set(m.domain, m.version);
  }
}

/**
 * The migrations `applied` (domain -> versions present in the database) still lacks, or a
 * `schema_too_new` error when the database has a version the code does not know.
 */
export function pendingMigrations(migrations: readonly Migration[], applied: ReadonlyMap<string, ReadonlySet<number>>): Migration[] {
  const known = new Map<string, Set<number>>();
  for (const m of migrations) {
    const set = known.get(m.domain) ?? new Set<number>();
    set.add(m.version);
    known.set(m.domain, set);
  }
  for (const [domain, versions] of applied) {
    const max = Math.max(0, ...(known.get(domain) ?? []));
    for (const v of versions) {
      if (!known.get(domain)?.has(v)) {
        throw new StorageError(
          'schema_too_new',
          v > max
            ? `database has ${domain} schema v${v} but this code knows up to v${max}: refusing to open a database written by newer code`
            : `database has ${domain} schema v${v}, which this code does not define: refusing to open`,
        );
      }
    }
  }
  const pending = migrations.filter((m) => !applied.get(m.domain)?.has(m.version));
  for (const m of pending) {
    const newest = Math.max(0, ...(applied.get(m.domain) ?? []));
    if (newest > m.version) {
      throw new StorageError('migration_gap', `database has ${m.domain} v${newest} but not v${m.version}: refusing to apply a migration out of order`);
    }
  }
  return pending;
}
