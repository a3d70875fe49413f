/**
 * `createApp(deps)`: the one Hono app both hosts serve. It imports nothing runtime-specific;
 * the hosts (`src/node.ts`, `src/worker.ts`) build the deps and hand requests to `app.fetch`.
 *
 * Every request goes through the front door (`src/http/front-door.ts`): request id (echoed on
 * every response), body limit, bearer key, per-key rate limit, then Hono's routes, then timing.
 * Each non-public route guards itself with `requireRole`; a test asserts that every route but
 * /health and /version refuses anonymous calls.
 */
import { Hono } from 'hono';
import type { KeyStore } from './auth/key-store.ts';
import { createAuthRoutes } from './auth/routes.ts';
import type { AppConfig } from './config.ts';
import { createNotFound, onError } from './http/errors.ts';
import { createSystemRoutes } from './http/system-routes.ts';
import type { AppEnv } from './http/types.ts';
import { installFrontDoor, RouteCapturingRouter } from './http/front-door.ts';
import { createMetricsRoutes } from './metrics/routes.ts';
import { createMessagingRoutes } from './messaging/routes.ts';
import type { MessageProcessor } from './messaging/processor.ts';
import { createReasoningRoutes } from './reasoning/routes.ts';
import type { ReasoningService } from './reasoning/service.ts';
import { createPrivacyRoutes } from './privacy/routes.ts';
import type { OptimizedDatabase } from './storage/index.ts';

/** Everything the app needs, built by a host (see `createServices`). */
export interface AppDeps {
  config: AppConfig;
  db: OptimizedDatabase;
  keys: KeyStore;
  /** When the app started, in ms since the epoch. */
  startedAt: number;
  runtime: 'node' | 'workerd';
  /** The message processor (durable on `db`: `new MessageProcessor({journal: createStorageJournal(db)})`); its routes are mounted when present. */
  messaging?: MessageProcessor;
  /** The MeTTa engine and ethics knowledge base (`createReasoningService()`); its routes are mounted when present. */
  reasoning?: ReasoningService;
  /** Master secret of keyed pseudonyms (per-study keys are derived from it). */
  pseudonymSecret?: Uint8Array;
}

/** Routes anyone may call without a key. */
export const PUBLIC_ROUTES = ['GET /health', 'GET /version'] as const;

/**
 * @example
 * const app = createApp(await createServices({ env: process.env, backend }));
 * const res = await app.request('/health');
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ router: new RouteCapturingRouter() });

  app.route('/', createSystemRoutes(deps));
  app.route('/', createAuthRoutes(deps));
  app.route('/', createMetricsRoutes());
  if (deps.messaging) app.route('/', createMessagingRoutes({ messaging: deps.messaging }));
  app.route('/', createPrivacyRoutes(deps, { pseudonymSecret: deps.pseudonymSecret }));
  if (deps.reasoning) app.route('/', createReasoningRoutes(deps));

  app.onError(onError);
  app.notFound(createNotFound(app));
  installFrontDoor(app, {
    keys: deps.keys,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    rateLimit: { rate: deps.config.rateLimit, burst: deps.config.rateBurst },
    closeConnection: deps.runtime === 'node',
  });
  return app;
}
