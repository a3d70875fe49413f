import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../src/index.ts';
import type { AlertEvent } from '../../src/metrics/alerts.ts';
import { createWebhook } from '../../src/metrics/webhook.ts';

const Webhook = suite('metrics/webhook');

const EVENT: AlertEvent = { type: 'fired', rule: 'high_error_rate', metric: 'error_rate', action: 'investigate', threshold: 5, value: 12, since: 1, at: 2 };

async function serve(handler: (req: IncomingMessage, body: string) => number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.statusCode = handler(req, body);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

Webhook('posts the event as JSON, retrying a failing endpoint with bounded retries, without blocking', async () => {
  const bodies: unknown[] = [];
  let calls = 0;
  const { server, url } = await serve((req, body) => {
    calls++;
    bodies.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
    return calls < 3 ? 500 : 204;
  });
  try {
    const hook = createWebhook({ url, retries: 3, backoffMs: 5 });
    hook(EVENT);
    assert.is(hook.stats.pending, 1, 'returns before delivery');
    assert.is(calls, 0);
    await hook.drain();
    assert.is(calls, 3);
    assert.equal(hook.stats, { delivered: 1, failed: 0, dropped: 0, attempts: 3, pending: 0 });
    assert.equal(bodies[2], { method: 'POST', type: 'application/json', body: EVENT });
  } finally {
    server.close();
  }
});

Webhook('gives up after the retries, does not retry a 4xx, and bounds what is in flight', async () => {
  let calls = 0;
  const { server, url } = await serve(() => (++calls, 503));
  const gone = await serve(() => 404);
  try {
    const hook = createWebhook({ url, retries: 2, backoffMs: 1, maxPending: 2 });
    hook(EVENT);
    hook(EVENT);
    hook(EVENT);
    assert.is(hook.stats.dropped, 1);
    await hook.drain();
    assert.is(calls, 6);
    assert.is(hook.stats.failed, 2);
    const notFound = createWebhook({ url: gone.url, retries: 3, backoffMs: 1 });
    notFound(EVENT);
    await notFound.drain();
    assert.is(notFound.stats.attempts, 1);
    assert.is(notFound.stats.failed, 1);
  } finally {
    server.close();
    gone.server.close();
  }
});

Webhook('a dead endpoint times out and fails; bad URLs are refused', async () => {
  const hook = createWebhook({ url: 'http://127.0.0.1:9/unreachable', retries: 1, backoffMs: 1, timeoutMs: 200 });
  hook(EVENT);
  await hook.drain();
  assert.is(hook.stats.failed, 1);
  assert.throws(() => createWebhook({ url: 'ftp://x' }), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => createWebhook({ url: 'not a url' }), (e: unknown) => e instanceof ValidationError);
});

Webhook.run();
