/**
 * The Workers host. The module's `fetch` hands each request to a Durable Object
 * (`HealthSyncObject`), which owns a sql.js database made durable in its own storage and
 * serves the same `createApp` as Node. The object is single-threaded, so the app's state
 * (database, rate-limit buckets, caches) is consistent without locks.
 *
 * The front `fetch` buffers each body (within the body limit) before forwarding it: a body
 * streamed into the object and left unread when it answers early (413, 401) makes workerd
 * fail the stream after the response and restart the object.
 */
import { DurableObject, type DurableObjectNamespace } from 'cloudflare:workers';
import type { Hono } from 'hono';
import { createApp } from './app.ts';
import { type AppConfig, type EnvVars, loadConfig } from './config.ts';
import { errorResponse } from './http/errors.ts';
import { readBodyWithin } from './http/read-body.ts';
import { REQUEST_ID_HEADER, requestIdFor } from './http/request-id.ts';
import type { AppEnv } from './http/types.ts';
import { getPerformanceMonitor } from './metrics/monitor.ts';
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
        getPerformanceMonitor().start();
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

let config: AppConfig | undefined;

function tooLarge(request: Request, limit: number): Response {
  return errorResponse(413, 'payload_too_large', `request body exceeds the limit of ${limit} bytes`, {
    [REQUEST_ID_HEADER]: requestIdFor(request.headers.get(REQUEST_ID_HEADER)),
  });
}

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    config ??= loadConfig(env);
    const limit = config.bodyLimitBytes;
    let forwarded = request;
    if (request.body) {
      if (Number(request.headers.get('content-length') ?? 0) > limit) return tooLarge(request, limit);
      const body = await readBodyWithin(request.body, limit);
      if (body === null) return tooLarge(request, limit);
      forwarded = new Request(request, { body });
    }
    return env.HEALTHSYNC.get(env.HEALTHSYNC.idFromName('primary')).fetch(forwarded);
  },
};
