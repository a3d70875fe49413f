/**
 * Builds the app's dependencies for a host: configuration, the database (with every domain's
 * migrations), the key store, the durable message processor and the reasoning engine. Hosts
 * differ only in the storage backend they pass.
 */
import type { AppDeps } from './app.ts';
import { AUTH_MIGRATIONS, KeyStore, loadOrCreateSecret, type CreatedKey } from './auth/key-store.ts';
import { loadConfig, type EnvVars } from './config.ts';
import { MessageProcessor } from './messaging/processor.ts';
import { getPerformanceMonitor } from './metrics/monitor.ts';
import { createWebhook } from './metrics/webhook.ts';
import { createStorageJournal, MESSAGING_MIGRATIONS } from './messaging/storage-journal.ts';
import { registerSystemHandlers } from './messaging/system-handlers.ts';
import { PRIVACY_MIGRATIONS } from './privacy/budget.ts';
import { loadKb, REASONING_MIGRATIONS } from './reasoning/kb-store.ts';
import { createReasoningService } from './reasoning/service.ts';
import { type Migration, OptimizedDatabase, type StorageBackend } from './storage/index.ts';

/** Every domain's schema, applied at start in one transaction. */
export const MIGRATIONS: Migration[] = [...AUTH_MIGRATIONS, ...PRIVACY_MIGRATIONS, ...MESSAGING_MIGRATIONS, ...REASONING_MIGRATIONS];

/** Messages queued in memory at most; a full queue answers 429 (room for 50 full 1,000-message batches). */
const MAX_QUEUED_MESSAGES = 50_000;

export interface ServicesOptions {
  env: EnvVars;
  backend: StorageBackend;
  runtime: AppDeps['runtime'];
}

export interface Services extends AppDeps {
  messaging: MessageProcessor;
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
  const messaging = new MessageProcessor({ journal: createStorageJournal(db), maxWorkers: 20, maxQueueSize: MAX_QUEUED_MESSAGES });
  try {
    const keys = new KeyStore(db, { adminKey: config.adminKey });
    const bootstrapKey = await keys.bootstrapAdmin();
    const pseudonymSecret = config.pseudonymSecret
      ? new TextEncoder().encode(config.pseudonymSecret)
      : await loadOrCreateSecret(db, 'pseudonym');
    const reasoning = createReasoningService({ kb: loadKb(db) });
    registerSystemHandlers(messaging, { reasoning });
    await messaging.start();
    const unsubscribe = config.alertWebhook
      ? getPerformanceMonitor().addAlertCallback(createWebhook({ url: config.alertWebhook }))
      : () => undefined;
    return {
      config,
      db,
      keys,
      startedAt: Date.now(),
      runtime,
      messaging,
      reasoning,
      pseudonymSecret,
      bootstrapKey,
      async close() {
        unsubscribe();
        await messaging.stop();
        await db.close();
      },
    };
  } catch (err) {
    await messaging.stop().catch(() => undefined);
    await db.close();
    throw err;
  }
}
