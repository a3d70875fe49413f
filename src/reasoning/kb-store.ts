/**
 * Keeps the shared knowledge base durable: an admin's `PUT /metta/kb` is written to the
 * database before it is acknowledged, and the stored source replaces the built-in one at start.
 */
import type { Migration, OptimizedDatabase } from '../storage/index.ts';

export const REASONING_MIGRATIONS: Migration[] = [
  {
    domain: 'reasoning',
    version: 1,
    up: `CREATE TABLE reasoning_kb (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      source TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
  },
];

/** The knowledge base an admin stored, or `undefined` when the built-in one is in use. */
export function loadKb(db: OptimizedDatabase): string | undefined {
  return db.executeQuery<{ source: string }>('SELECT source FROM reasoning_kb WHERE id = 1').rows[0]?.source;
}

/**
 * Stores `source` as the shared knowledge base; resolves once durable.
 *
 * @example
 * await saveKb(db, source);
 */
export async function saveKb(db: OptimizedDatabase, source: string): Promise<void> {
  await db.executeQuery('INSERT OR REPLACE INTO reasoning_kb (id, source, updated_at) VALUES (1, ?, ?)', [source, new Date().toISOString()]);
}
