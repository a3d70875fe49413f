/**
 * Test helpers for HTTP: a real `createApp` over a fresh in-memory database, an operator admin
 * key, keys for any role, and `call()` which sends JSON with a bearer key.
 */
import { type AppDeps, createApp } from '../../src/app.ts';
import type { EnvVars } from '../../src/config.ts';
import type { Role } from '../../src/http/types.ts';
import { createServices, type Services } from '../../src/services.ts';
import { createMemoryBackend } from '../../src/storage/index.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  services: Services;
  adminKey: string;
  /** Creates (once per role) and returns a key with `role`. */
  keyFor(role: Role): Promise<string>;
  /** Sends a request; `json` becomes the body, `key` the bearer token. */
  call(method: string, path: string, options?: { key?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * `overrides` replace services in the app's deps (e.g. a processor configured for one test);
 * `services` keeps the originals, which `close()` shuts down.
 */
export async function createTestApp(env: EnvVars = {}, overrides: Partial<AppDeps> = {}): Promise<TestApp> {
  const services = await createServices({
    env: { HEALTHSYNC_ADMIN_KEY: ADMIN_KEY, ...env },
    backend: createMemoryBackend(),
    runtime: 'node',
  });
  const app = createApp({ ...services, ...overrides });
  const keys = new Map<Role, string>();
  return {
    app,
    services,
    adminKey: env.HEALTHSYNC_ADMIN_KEY ?? ADMIN_KEY,
    async keyFor(role) {
      let key = keys.get(role);
      if (!key) {
        key = (await services.keys.create({ role, name: `test-${role}` })).key;
        keys.set(role, key);
      }
      return key;
    },
    async call(method, path, options = {}) {
      const headers = new Headers(options.headers);
      if (options.key) headers.set('authorization', `Bearer ${options.key}`);
      let body = options.body;
      if (options.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(options.json);
      }
      return app.request(path, { method, headers, body });
    },
    close: () => services.close(),
  };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}
