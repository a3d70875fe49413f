import { Hono } from 'hono';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { installFrontDoor, RouteCapturingRouter } from '../../src/http/front-door.ts';
import { setResponseHeader } from '../../src/http/host-headers.ts';
import { principalOf } from '../../src/http/request-state.ts';
import { createPerformanceMonitor } from '../../src/index.ts';
import { ADMIN_KEY, createTestApp } from '../helpers/app.ts';

const Door = suite('http/front-door');

Door('a synchronous handler answers synchronously: no promise, no async frame per request', async () => {
  const t = await createTestApp();
  try {
    const res = t.app.fetch(new Request('http://localhost/health'));
    assert.ok(res instanceof Response, 'app.fetch returned the Response itself');
    assert.is(res.status, 200);
    assert.ok(res.headers.get('x-request-id'));
    assert.match(res.headers.get('server-timing') ?? '', /^app;dur=\d+\.\d{3}$/);
  } finally {
    await t.close();
  }
});

Door('timing is labelled by route pattern for answered, refused and unmatched requests', async () => {
  const t = await createTestApp();
  const monitor = createPerformanceMonitor();
  const app = new Hono({ router: new RouteCapturingRouter() });
  app.get('/patients/:id', (c) => c.json({ caller: principalOf(c)?.role ?? null }));
  app.post('/patients/:id', (c) => c.body(null, 204));
  installFrontDoor(app, { keys: t.services.keys, bodyLimitBytes: 16, rateLimit: { rate: 100 }, timing: { monitor } });
  try {
    const ok = await app.request('/patients/123-45-6789', { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    assert.equal(await ok.json(), { caller: 'admin' }, 'the handler sees the principal');
    assert.is((await app.request('/patients/jane', { headers: { authorization: 'Bearer nope' } })).status, 401);
    const big = await app.request('/patients/1', { method: 'POST', body: 'x'.repeat(17), headers: { 'content-length': '17' } });
    assert.is(big.status, 413);
    assert.ok(big.headers.get('x-request-id'), 'refusals carry the request id too');
    assert.is((await app.request('/nowhere')).status, 404);
    const seen = monitor
      .getMetrics('http_request_duration')
      .map((s) => `${s.tags.method} ${s.tags.route} ${s.tags.status}`)
      .sort();
    assert.equal(seen, ['GET /patients/:id 200', 'GET /patients/:id 401', 'GET unmatched 404', 'POST /patients/:id 413']);
    assert.not.match(monitor.exportMetrics('prometheus'), /123-45-6789|jane/);
  } finally {
    await t.close();
  }
});

Door('a chunked body is read within the limit; over it is a 413 and the handler never runs', async () => {
  const t = await createTestApp();
  let ran = 0;
  const app = new Hono({ router: new RouteCapturingRouter() });
  app.post('/echo', async (c) => {
    ran++;
    return c.text(await c.req.text());
  });
  installFrontDoor(app, { keys: t.services.keys, bodyLimitBytes: 8, rateLimit: { rate: 100 } });
  const stream = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const ch of text) controller.enqueue(new TextEncoder().encode(ch));
        controller.close();
      },
    });
  try {
    const small = await app.request('/echo', { method: 'POST', body: stream('12345678'), duplex: 'half' } as RequestInit);
    assert.is(await small.text(), '12345678');
    const big = await app.request('/echo', { method: 'POST', body: stream('123456789'), duplex: 'half' } as RequestInit);
    assert.is(big.status, 413);
    assert.is((await big.json()).error.code, 'payload_too_large');
    assert.is(ran, 1);
  } finally {
    await t.close();
  }
});

Door('an error handler that fails still gets a JSON 500 with the request id, sync or async', async () => {
  const t = await createTestApp();
  const app = new Hono({ router: new RouteCapturingRouter() });
  app.get('/sync', () => {
    throw new Error('boom');
  });
  app.get('/async', async () => {
    throw new Error('boom');
  });
  app.onError(() => {
    throw new Error('the error handler broke too');
  });
  installFrontDoor(app, { keys: t.services.keys, bodyLimitBytes: 16, rateLimit: { rate: 100 } });
  const quiet = console.error;
  console.error = () => {};
  try {
    for (const path of ['/sync', '/async']) {
      const res = await app.request(path, { headers: { 'x-request-id': `req-${path.slice(1)}` } });
      assert.is(res.status, 500, path);
      assert.is(res.headers.get('x-request-id'), `req-${path.slice(1)}`);
      assert.equal(await res.json(), { error: { code: 'internal', message: 'internal error' } });
    }
  } finally {
    console.error = quiet;
    await t.close();
  }
});

Door('needs the capturing router', async () => {
  const t = await createTestApp();
  try {
    assert.throws(() => installFrontDoor(new Hono(), { keys: t.services.keys, bodyLimitBytes: 1, rateLimit: { rate: 1 } }), /RouteCapturingRouter/);
  } finally {
    await t.close();
  }
});

Door('a Response with immutable headers is copied to take a header; a mutable one is changed in place', () => {
  const redirect = Response.redirect('http://localhost/elsewhere', 302);
  assert.throws(() => redirect.headers.set('x-a', '1'));
  const copy = setResponseHeader(redirect, undefined, 'X-Request-Id', 'r-1');
  assert.is.not(copy, redirect);
  assert.is(copy.status, 302);
  assert.is(copy.headers.get('location'), 'http://localhost/elsewhere');
  assert.is(copy.headers.get('x-request-id'), 'r-1');
  const plain = new Response('x', { headers: { 'server-timing': 'db;dur=1' } });
  assert.is(setResponseHeader(plain, undefined, 'Server-Timing', 'app;dur=2', { append: true }), plain);
  assert.is(plain.headers.get('server-timing'), 'db;dur=1, app;dur=2');
});

Door.run();
