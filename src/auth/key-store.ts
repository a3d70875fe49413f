/**
 * API keys. A key is `hsk_` + 32 random bytes (base64url), shown once when created; storage
 * holds only its SHA-256 (keys are high-entropy, so a fast hash is enough and a slow KDF would
 * only cost every request). Hashing runs in WASM, so verifying a key is synchronous.
 * `HEALTHSYNC_ADMIN_KEY`, when set, is one more admin key that is never stored. Verified keys
 * are cached by hash in a bounded LRU, cleared on revocation.
 */
import type { Principal, Role } from '../http/types.ts';
import { ROLES } from '../http/types.ts';
import { AppError, NotFoundError } from '../shared/errors.ts';
import { sha256Hex } from '../checksum/index.ts';
import { randomBytes, toBase64Url, toHex } from '../shared/crypto.ts';
import { LruMap } from '../shared/lru.ts';
import type { Migration, OptimizedDatabase } from '../storage/index.ts';

export const AUTH_MIGRATIONS: Migration[] = [
  {
    domain: 'auth',
    version: 1,
    up: `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN (${ROLES.map((r) => `'${r}'`).join(', ')})),
      key_hash TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    )`,
  },
  {
    domain: 'auth',
    version: 2,
    up: `CREATE TABLE server_secrets (
      name TEXT PRIMARY KEY,
      value BLOB NOT NULL,
      created_at TEXT NOT NULL
    )`,
  },
];

/**
 * A named random secret generated once (32 bytes) and kept in the database, for servers whose
 * operator did not supply one. Resolves once the new secret is durable.
 */
export async function loadOrCreateSecret(db: OptimizedDatabase, name: string): Promise<Uint8Array> {
  const row = db.executeQuery<{ value: Uint8Array }>('SELECT value FROM server_secrets WHERE name = ?', [name]).rows[0];
  if (row) return row.value;
  const value = randomBytes(32);
  await db.executeQuery('INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)', [name, value, new Date().toISOString()]);
  return value;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface CreatedKey extends ApiKeyInfo {
  /** The secret: returned once, never stored. */
  key: string;
}

const ENV_ADMIN: Omit<Principal, 'keyId'> & { keyId: string } = { keyId: 'env-admin', role: 'admin', name: 'HEALTHSYNC_ADMIN_KEY' };
const KEY_PATTERN = /^hsk_[A-Za-z0-9_-]{43}$/;

interface KeyRow {
  id: string;
  name: string;
  role: Role;
  created_at: string;
}

/**
 * @example
 * const keys = new KeyStore(db, { adminKey: process.env.HEALTHSYNC_ADMIN_KEY });
 * const { id, key } = await keys.create({ role: 'agent', name: 'consent-agent' });
 * keys.verify(key)?.role === 'agent';
 */
export class KeyStore {
  readonly #db: OptimizedDatabase;
  readonly #adminKey: string | undefined;
  readonly #adminHash: string | undefined;
  readonly #cache = new LruMap<string, Principal>(4096);

  constructor(db: OptimizedDatabase, options: { adminKey?: string } = {}) {
    this.#db = db;
    this.#adminKey = options.adminKey;
    this.#adminHash = options.adminKey === undefined ? undefined : sha256Hex(options.adminKey);
  }

  /** Whether an operator-supplied admin key is configured. */
  get hasEnvAdmin(): boolean {
    return this.#adminKey !== undefined;
  }

  /** Resolves a presented key to its principal, or `undefined` when unknown or revoked. */
  verify(key: string): Principal | undefined {
    const hash = sha256Hex(key);
    if (hash === this.#adminHash) return ENV_ADMIN;
    const cached = this.#cache.get(hash);
    if (cached) return cached;
    if (!KEY_PATTERN.test(key)) return undefined;
    const row = this.#db.executeQuery<KeyRow>('SELECT id, name, role FROM api_keys WHERE key_hash = ?', [hash]).rows[0];
    if (!row) return undefined;
    const principal: Principal = { keyId: row.id, role: row.role, name: row.name };
    this.#cache.set(hash, principal);
    return principal;
  }

  /** Creates a key; the returned `key` is the only copy of the secret. */
  async create(input: { role: Role; name: string }): Promise<CreatedKey> {
    const key = `hsk_${toBase64Url(randomBytes(32))}`;
    const info: ApiKeyInfo = {
      id: `key_${toHex(randomBytes(8))}`,
      name: input.name,
      role: input.role,
      createdAt: new Date().toISOString(),
    };
    await this.#db.executeQuery('INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES (?, ?, ?, ?, ?)', [
      info.id,
      info.name,
      info.role,
      sha256Hex(key),
      info.createdAt,
    ]);
    return { ...info, key };
  }

  list(): ApiKeyInfo[] {
    return this.#db
      .executeQuery<KeyRow>('SELECT id, name, role, created_at FROM api_keys ORDER BY created_at, id')
      .rows.map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at }));
  }

  /** Number of stored admin keys. */
  adminCount(): number {
    return this.#db.executeQuery<{ n: number }>("SELECT COUNT(*) AS n FROM api_keys WHERE role = 'admin'").rows[0].n;
  }

  /**
   * Deletes a key. Refuses to delete the last admin key when no `HEALTHSYNC_ADMIN_KEY` is set,
   * since nobody could administer the system afterwards.
   */
  async revoke(id: string): Promise<void> {
    const row = this.#db.executeQuery<KeyRow>('SELECT id, role FROM api_keys WHERE id = ?', [id]).rows[0];
    if (!row) throw new NotFoundError(`no API key with id ${id}`);
    if (row.role === 'admin' && !this.hasEnvAdmin && this.adminCount() === 1) {
      throw new AppError(409, 'last_admin_key', 'refusing to delete the last admin key (set HEALTHSYNC_ADMIN_KEY or create another admin key first)');
    }
    await this.#db.executeQuery('DELETE FROM api_keys WHERE id = ?', [id]);
    this.#cache.clear();
  }

  /**
   * On a fresh system with no operator key, creates the first admin key and returns it (to be
   * printed once); otherwise returns `undefined`.
   */
  async bootstrapAdmin(): Promise<CreatedKey | undefined> {
    if (this.hasEnvAdmin || this.adminCount() > 0) return undefined;
    return this.create({ role: 'admin', name: 'bootstrap-admin' });
  }
}
