/**
 * Alert webhooks: an `AlertCallback` that POSTs each event as JSON to a URL, off the request
 * path. The callback returns at once; delivery runs in the background with a per-attempt
 * timeout and a bounded number of retries (exponential backoff; 4xx other than 408/429 is not
 * retried). At most `maxPending` deliveries are in flight; beyond that events are dropped and
 * counted, so a dead endpoint can never pile up memory.
 */
import { ValidationError } from '../shared/errors.ts';
import type { AlertCallback, AlertEvent } from './alerts.ts';

export interface WebhookOptions {
  url: string;
  /** Retries after the first attempt; default 3. */
  retries?: number;
  /** Per-attempt timeout in ms; default 5000. */
  timeoutMs?: number;
  /** First backoff in ms, doubled per retry; default 500. */
  backoffMs?: number;
  /** Deliveries in flight at most; default 100. */
  maxPending?: number;
  headers?: Record<string, string>;
  /** The fetch to use (tests); default the global fetch. */
  fetch?: typeof fetch;
}

export interface WebhookStats {
  delivered: number;
  failed: number;
  dropped: number;
  attempts: number;
  pending: number;
}

export interface Webhook extends AlertCallback {
  readonly url: string;
  readonly stats: WebhookStats;
  /** Resolves when every delivery in flight has finished. */
  drain(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * monitor.addAlertCallback(createWebhook({ url: 'https://ops.example/hooks/healthsync' }));
 */
export function createWebhook(options: WebhookOptions): Webhook {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ValidationError('webhook url must be an absolute http(s) URL', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('webhook url must be http(s)', 'url');
  const retries = options.retries ?? 3;
  const timeoutMs = options.timeoutMs ?? 5000;
  const backoffMs = options.backoffMs ?? 500;
  const maxPending = options.maxPending ?? 100;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new ValidationError('retries must be an integer in [0, 10]', 'retries');
  const doFetch = options.fetch ?? fetch;
  const stats: WebhookStats = { delivered: 0, failed: 0, dropped: 0, attempts: 0, pending: 0 };
  const inFlight = new Set<Promise<void>>();

  async function deliver(event: AlertEvent): Promise<void> {
    const body = JSON.stringify(event);
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
      stats.attempts++;
      try {
        const res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.body?.cancel();
        if (res.ok) {
          stats.delivered++;
          return;
        }
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) break;
      } catch {
        // Network error or timeout: retried below.
      }
    }
    stats.failed++;
  }

  const webhook = ((event: AlertEvent): void => {
    if (inFlight.size >= maxPending) {
      stats.dropped++;
      return;
    }
    const p = deliver(event).finally(() => {
      inFlight.delete(p);
      stats.pending = inFlight.size;
    });
    inFlight.add(p);
    stats.pending = inFlight.size;
  }) as Webhook;
  Object.defineProperties(webhook, {
    url: { value: url.href, enumerable: true },
    stats: { value: stats, enumerable: true },
    drain: { value: async () => void (await Promise.all([...inFlight])) },
  });
  return webhook;
}
