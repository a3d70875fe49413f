/**
 * The server of the `POST /messages/batch` benchmark, run in its own process (pinned to one
 * core by the bench): the real app (auth, request ids, body limit, rate limit, error handling)
 * on `@hono/node-server`, the messaging routes, and a processor with durable acceptance on a
 * file-backed database in `dir` (every 202 waits for the journal's fdatasync, group-committed),
 * or with `memory` a processor without a journal (to show what durability costs).
 * The handler is a no-op, so the figure is the cost of accepting, journaling and dispatching.
 *
 *   node --import tsx bench/messaging/http-server.ts <port> <dir> <adminKey> [durable|memory]
 *
 * Prints `ready` when listening; a line `stats` on stdin answers with the processor's stats and
 * this process's CPU time (µs) as JSON; `exit` ends it.
 */
import { serve } from '@hono/node-server';
import { createInterface } from 'node:readline';
import { createApp } from '../../src/app.ts';
import { KeyStore } from '../../src/auth/key-store.ts';
import { loadConfig } from '../../src/config.ts';
import { createStorageJournal, MessageProcessor } from '../../src/index.ts';
import { createMessagingRoutes } from '../../src/messaging/routes.ts';
import { MIGRATIONS } from '../../src/services.ts';
import { OptimizedDatabase } from '../../src/storage/index.ts';
import { createFileBackend } from '../../src/storage/file-backend.ts';

const [portArg, dir, adminKey, durability = 'durable'] = process.argv.slice(2);
const config = loadConfig({ HEALTHSYNC_ADMIN_KEY: adminKey, HEALTHSYNC_RATE_LIMIT: '1000000', HEALTHSYNC_BODY_LIMIT: String(4 * 1024 * 1024) });
const db = new OptimizedDatabase(createFileBackend(dir), { migrations: MIGRATIONS });
await db.start();
const keys = new KeyStore(db, { adminKey: config.adminKey });
const messaging = new MessageProcessor({
  ...(durability === 'durable' ? { journal: createStorageJournal(db) } : {}),
  maxWorkers: 20,
  maxQueueSize: 50_000,
});
messaging.registerHandler('consent_request', () => undefined);
await messaging.start();
const app = createApp({ config, db, keys, startedAt: Date.now(), runtime: 'node' });
app.route('/', createMessagingRoutes({ messaging }));
serve({ fetch: app.fetch, port: Number(portArg), hostname: '127.0.0.1' }, () => process.stdout.write('ready\n'));

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'exit') process.exit(0);
  if (line !== 'stats') return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: user + system, stats: messaging.getStats() })}\n`);
});
