/**
 * The Workers host. The module's `fetch` hands each request to a Durable Object
 * (`HealthSyncObject`), which owns a sql.js database made durable in its own storage and
 * serves the same `createApp` as Node. The object is single-threaded, so the app's state
 * (database, rate-limit buckets, caches) is consistent without locks.
 */
import { DurableObject, type DurableObjectNamespace } from 'cloudflare:workers';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import type { EnvVars } from './config.ts';
import type { AppEnv } from './http/types.ts';
import { createServices } from './services.ts';
import { createDurableObjectBackend } from './storage/durable-object-backend.ts';

export type WorkerEnv = EnvVars & {
  HEALTHSYNC: DurableObjectNamespace;
};

/** The Durable Object that owns the primary database and serves the app. */
export class HealthSyncObject extends DurableObject<WorkerEnv> {
  #app: Promise<Hono<AppEnv>> | undefined;

  #load(): Promise<Hono<AppEnv>> {
    this.#app ??= this.ctx
      .blockConcurrencyWhile(async () => {
        const env = Object.fromEntries(Object.entries(this.env).filter(([, v]) => typeof v === 'string')) as EnvVars;
        const services = await createServices({ env, backend: createDurableObjectBackend(this.ctx.storage), runtime: 'workerd' });
        return createApp(services);
      })
      .catch((err: unknown) => {
        this.#app = undefined;
        throw err;
      });
    return this.#app;
  }

  async fetch(request: Request): Promise<Response> {
    return (await this.#load()).fetch(request);
  }
}

export default {
  fetch(request: Request, env: WorkerEnv): Promise<Response> {
    return env.HEALTHSYNC.get(env.HEALTHSYNC.idFromName('primary')).fetch(request);
  },
};
