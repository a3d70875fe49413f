/**
 * `withTiming()`: times every request and records it in the performance monitor as
 * `http_request_duration` (ms) labelled by the Hono route pattern (never the raw path, which
 * may hold identifiers), method, status and, when the caller sends a well-formed one,
 * `X-Agent-Id`; 5xx responses count as errors. Adds `Server-Timing: app;dur=<ms>`.
 *
 * Cheap by design: one recorder per label set is kept (bounded), so a request costs two clock
 * reads, one map lookup and one queued histogram record.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { requestHeader, setResponseHeader } from '../http/host-headers.ts';
import { identifierShape } from './labels.ts';
import { getPerformanceMonitor, type MetricRecorder, type PerformanceMonitor } from './monitor.ts';

export interface TimingOptions {
  monitor?: PerformanceMonitor;
  /** Metric name; default the monitor's `requestMetric` ('http_request_duration'). */
  metric?: string;
  /** Label sets kept at most (route x method x status x agent); default 2000. */
  maxRecorders?: number;
}

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** The agent label for an `X-Agent-Id` header: the id when well-formed and not an identifier. */
export function agentLabel(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return AGENT_ID.test(header) && identifierShape(header) === undefined ? header : 'invalid';
}

export const SERVER_TIMING_HEADER = 'Server-Timing';

/** The `Server-Timing` entry for `ms` of application time. */
export function serverTiming(ms: number): string {
  return `app;dur=${ms.toFixed(3)}`;
}

/** The label of a route pattern: the pattern, or 'unmatched' when no route (only a catch-all) matched. */
export function routeLabel(pattern: string | undefined): string {
  return pattern === undefined || pattern === '*' || pattern === '/*' || pattern === '' ? 'unmatched' : pattern;
}

/** Records finished requests, keeping one recorder per label set (bounded). */
export interface RequestTimer {
  /** `route` is the route pattern ('unmatched' for none); `agentHeader` the raw `X-Agent-Id`. */
  record(route: string, method: string, status: number, agentHeader: string | undefined, ms: number): void;
}

export function createRequestTimer(options: TimingOptions = {}): RequestTimer {
  const monitor = options.monitor ?? getPerformanceMonitor();
  const metric = options.metric ?? monitor.requestMetric;
  const maxRecorders = options.maxRecorders ?? 2000;
  const recorders = new Map<string, MetricRecorder | null>();

  /** Keyed by the raw header, so a known caller costs no label checks. */
  function recorderFor(route: string, method: string, status: number, agentHeader: string | undefined): MetricRecorder | null {
    const key = `${method} ${status} ${agentHeader ?? ''} ${route}`;
    let rec = recorders.get(key);
    if (rec === undefined) {
      if (recorders.size >= maxRecorders) recorders.clear();
      const agent = agentLabel(agentHeader);
      const tags: Record<string, string> = { route, method, status: String(status) };
      if (agent !== undefined) tags.agent = agent;
      try {
        rec = monitor.recorder(metric, { tags, unit: 'ms' });
      } catch {
        // A label the monitor refuses (a route pattern it finds identifier-shaped): not timed.
        rec = null;
      }
      recorders.set(key, rec);
    }
    return rec;
  }

  return {
    record(route, method, status, agentHeader, ms) {
      recorderFor(route, method, status, agentHeader)?.record(ms, status >= 500);
    },
  };
}

/**
 * The same timing as Hono middleware, for apps of your own (HealthSync's app times requests in
 * its front door, `src/http/front-door.ts`, which shares `createRequestTimer`).
 *
 * @example
 * app.use(withTiming());
 */
export function withTiming(options: TimingOptions = {}): MiddlewareHandler {
  const timer = createRequestTimer(options);
  return async function withTiming(c, next) {
    const t0 = performance.now();
    await next();
    const ms = performance.now() - t0;
    timer.record(routeLabel(routePath(c, -1)), c.req.method, c.res.status, requestHeader(c.req.raw, c.env, 'x-agent-id'), ms);
    const res = setResponseHeader(c.res, c.env, SERVER_TIMING_HEADER, serverTiming(ms), { append: true });
    if (res !== c.res) c.res = res;
  };
}
