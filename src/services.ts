/**
 * Builds the app's dependencies for a host: configuration, the database (with every domain's
 * migrations) and the key store. Hosts differ only in the storage backend they pass.
 */
import type { AppDeps } from './app.ts';
import { AUTH_MIGRATIONS, KeyStore, type CreatedKey } from './auth/key-store.ts';
import { loadConfig, type EnvVars } from './config.ts';
import { PRIVACY_MIGRATIONS } from './privacy/budget.ts';
import { createReasoningService } from './reasoning/service.ts';
import { type Migration, OptimizedDatabase, type StorageBackend } from './storage/index.ts';

/** Every domain's schema, applied at start in one transaction. */
export const MIGRATIONS: Migration[] = [...AUTH_MIGRATIONS, ...PRIVACY_MIGRATIONS];

export interface ServicesOptions {
  env: EnvVars;
  backend: StorageBackend;
  runtime: AppDeps['runtime'];
}

export interface Services extends AppDeps {
  /** The first admin key, when this start created it (print once, never log). */
  bootstrapKey: CreatedKey | undefined;
  close(): Promise<void>;
}

/**
 * @example
 * const services = await createServices({ env: process.env, backend, runtime: 'node' });
 * const app = createApp(services);
 */
export async function createServices({ env, backend, runtime }: ServicesOptions): Promise<Services> {
  const config = loadConfig(env);
  const db = new OptimizedDatabase(backend, { migrations: MIGRATIONS });
  await db.start();
  try {
    const keys = new KeyStore(db, { adminKey: config.adminKey });
    await keys.init();
    const bootstrapKey = await keys.bootstrapAdmin();
    return {
      config,
      db,
      keys,
      startedAt: Date.now(),
      runtime,
      reasoning: createReasoningService(),
      bootstrapKey,
      close: () => db.close(),
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
