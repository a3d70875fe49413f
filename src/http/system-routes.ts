/**
 * Public system routes: `GET /health` (200 when every check passes, else 503) and `GET /version`.
 */
import { Hono } from 'hono';
import type { AppDeps } from '../app.ts';
import { crc32c } from '../checksum/index.ts';
import { NAME, VERSION } from '../version.ts';
import type { AppEnv } from './types.ts';

const PROBE = new TextEncoder().encode('123456789');
const PROBE_CRC = 0xe3069283;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  version: string;
  uptimeSeconds: number;
  checks: { wasm: 'ok' | string; database: 'ok' | string };
}

/** Runs one check: `fn` returns true, or a description of what is wrong. */
function check(fn: () => true | string, what: string): 'ok' | string {
  try {
    const result = fn();
    return result === true ? 'ok' : `${what}: ${result}`;
  } catch (err) {
    return `${what} failed: ${(err as Error).message}`;
  }
}

/** Runs the health checks (a real WASM call and a real query). */
export function healthReport(deps: AppDeps): HealthReport {
  const checks = {
    wasm: check(() => crc32c(PROBE) === PROBE_CRC || 'wrong checksum', 'crc32c'),
    database: check(() => {
      const report = deps.db.healthCheck();
      return report.ok || report.problems.join('; ') || report.status;
    }, 'database'),
  };
  return {
    status: checks.wasm === 'ok' && checks.database === 'ok' ? 'ok' : 'unavailable',
    version: VERSION,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
    checks,
  };
}

export function createSystemRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/health', (c) => {
    const report = healthReport(deps);
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });
  app.get('/version', (c) => c.json({ name: NAME, version: VERSION, runtime: deps.runtime }));
  return app;
}
