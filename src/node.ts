/**
 * The Node host: serves `createApp` with `@hono/node-server`, storing data durably under
 * `DATA_DIR` through the file backend. Defaults: 127.0.0.1:8787, ./data.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createApp } from './app.ts';
import type { EnvVars } from './config.ts';
import { getPerformanceMonitor } from './metrics/monitor.ts';
import { createServices, type Services } from './services.ts';
import { createFileBackend } from './storage/file-backend.ts';

export interface NodeServerOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  env?: EnvVars;
}

export interface NodeServer {
  url: string;
  port: number;
  services: Services;
  /** Stops accepting requests, drains open ones and closes the database. */
  close(): Promise<void>;
}

export const NODE_DEFAULTS = { port: 8787, host: '127.0.0.1', dataDir: './data' } as const;

/**
 * @example
 * const server = await startNodeServer({ port: 0, dataDir: tmp });
 * await fetch(`${server.url}/health`);
 * await server.close();
 */
export async function startNodeServer(options: NodeServerOptions = {}): Promise<NodeServer> {
  const env = options.env ?? process.env;
  const host = options.host ?? NODE_DEFAULTS.host;
  const port = options.port ?? NODE_DEFAULTS.port;
  const dataDir = resolve(options.dataDir ?? NODE_DEFAULTS.dataDir);
  const services = await createServices({ env, backend: createFileBackend(dataDir), runtime: 'node' });
  const app = createApp(services);
  try {
    const server = serve({ fetch: app.fetch, port, hostname: host });
    await new Promise<void>((ok, fail) => {
      server.once('listening', ok);
      server.once('error', fail);
    });
    const actual = (server.address() as AddressInfo).port;
    // System sampling (memory, CPU, event-loop delay) and alert rules run while serving.
    const monitor = getPerformanceMonitor().start();
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
      port: actual,
      services,
      close() {
        closing ??= new Promise<void>((ok) => server.close(() => ok())).then(() => {
          monitor.stop();
          return services.close();
        });
        return closing;
      },
    };
  } catch (err) {
    await services.close();
    throw err;
  }
}
