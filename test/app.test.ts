import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PUBLIC_ROUTES } from '../src/app.ts';
import { VERSION } from '../src/version.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';

const App = suite<{ t: TestApp }>('app');

App.before.each(async (ctx) => {
  ctx.t = await createTestApp();
});
App.after.each(async (ctx) => {
  await ctx.t.close();
});

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.type(body.error.code, 'string');
  assert.type(body.error.message, 'string');
  return body.error;
}

App('GET /health reports status, version, uptime and both checks', async ({ t }) => {
  const res = await t.call('GET', '/health');
  assert.is(res.status, 200);
  const body = await res.json();
  assert.equal(Object.keys(body).sort(), ['checks', 'status', 'uptimeSeconds', 'version']);
  assert.is(body.status, 'ok');
  assert.is(body.version, VERSION);
  assert.type(body.uptimeSeconds, 'number');
  assert.equal(body.checks, { wasm: 'ok', database: 'ok' });
});

App('GET /health is 503 naming the failing check when the database is gone', async ({ t }) => {
  await t.services.db.close();
  const res = await t.call('GET', '/health');
  assert.is(res.status, 503);
  const body = await res.json();
  assert.is(body.status, 'unavailable');
  assert.is(body.checks.wasm, 'ok');
  assert.match(body.checks.database, /database/);
});

App('GET /version is public', async ({ t }) => {
  const res = await t.call('GET', '/version');
  assert.is(res.status, 200);
  assert.equal(await res.json(), { name: 'healthsync-edge', version: VERSION, runtime: 'node' });
});

App('every response carries X-Request-Id; a safe incoming id is echoed, an unsafe one replaced', async ({ t }) => {
  const ok = await t.call('GET', '/health');
  const missing = await t.call('GET', '/nope');
  const denied = await t.call('GET', '/admin/keys');
  const ids = [ok, missing, denied].map((r) => r.headers.get('x-request-id'));
  for (const id of ids) assert.match(id ?? '', /^[\w.:-]+$/);
  assert.is(new Set(ids).size, 3);
  const echoed = await t.call('GET', '/health', { headers: { 'x-request-id': 'trace-42.a' } });
  assert.is(echoed.headers.get('x-request-id'), 'trace-42.a');
  const replaced = await t.call('GET', '/health', { headers: { 'x-request-id': 'bad id\u00e9<script>' } });
  assert.is.not(replaced.headers.get('x-request-id'), 'bad id\u00e9<script>');
});

App('unknown route -> 404 JSON, with or without a key', async ({ t }) => {
  const anon = await t.call('GET', '/no/such/route');
  assert.is(anon.status, 404);
  assert.is((await errorOf(anon)).code, 'not_found');
  const authed = await t.call('POST', '/no/such/route', { key: t.adminKey, json: {} });
  assert.is(authed.status, 404);
});

App('wrong method -> 405 JSON with Allow', async ({ t }) => {
  const res = await t.call('PUT', '/health');
  assert.is(res.status, 405);
  assert.is(res.headers.get('allow'), 'GET, HEAD');
  assert.is((await errorOf(res)).code, 'method_not_allowed');
  const del = await t.call('GET', '/admin/keys/key_1', { key: t.adminKey });
  assert.is(del.status, 405);
  assert.is(del.headers.get('allow'), 'DELETE');
});

App('malformed JSON -> 400 invalid_json; wrong media type -> 415', async ({ t }) => {
  const res = await t.call('POST', '/admin/keys', { key: t.adminKey, body: '{"role": "agent",', headers: { 'content-type': 'application/json' } });
  assert.is(res.status, 400);
  assert.is((await errorOf(res)).code, 'invalid_json');
  const empty = await t.call('POST', '/admin/keys', { key: t.adminKey, body: '', headers: { 'content-type': 'application/json' } });
  assert.is(empty.status, 400);
  const xml = await t.call('POST', '/admin/keys', { key: t.adminKey, body: '<a/>', headers: { 'content-type': 'application/xml' } });
  assert.is(xml.status, 415);
});

App('a body over the limit -> 413 whether declared or streamed', async ({ t }) => {
  const big = 'x'.repeat(2 * 1024 * 1024);
  const declared = await t.call('POST', '/admin/keys', { key: t.adminKey, body: big, headers: { 'content-type': 'application/json' } });
  assert.is(declared.status, 413);
  assert.is((await errorOf(declared)).code, 'payload_too_large');
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 3; i++) controller.enqueue(new Uint8Array(512 * 1024));
      controller.close();
    },
  });
  const streamed = await t.app.request('/admin/keys', {
    method: 'POST',
    body: stream,
    headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
    duplex: 'half',
  } as RequestInit);
  assert.is(streamed.status, 413);
  assert.is((await t.call('GET', '/admin/keys', { key: t.adminKey })).status, 200);
});

App('every route except the public ones refuses an anonymous caller with 401', async ({ t }) => {
  const routes = t.app.routes.filter((r) => r.method !== 'ALL');
  assert.ok(routes.length >= 5, 'the app has routes');
  const checked: string[] = [];
  for (const route of routes) {
    const name = `${route.method} ${route.path}`;
    const path = route.path.replace(/:(\w+)(\{[^}]*\})?/g, 'x1').replace(/\*$/, 'x');
    const res = await t.call(route.method, path, route.method === 'GET' || route.method === 'HEAD' ? {} : { json: {} });
    if ((PUBLIC_ROUTES as readonly string[]).includes(name)) {
      assert.is.not(res.status, 401, `${name} is public`);
      continue;
    }
    assert.is(res.status, 401, `${name} must need a key`);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    checked.push(name);
  }
  assert.ok(checked.includes('POST /admin/keys'));
});

App('a malformed, unknown or wrong-scheme bearer key is 401', async ({ t }) => {
  for (const header of ['Basic abc', 'Bearer', 'Bearer hsk_not-a-real-key', `Bearer ${t.adminKey}x`]) {
    const res = await t.call('GET', '/admin/keys', { headers: { authorization: header } });
    assert.is(res.status, 401, header);
    assert.is((await errorOf(res)).code, 'unauthorized');
  }
});

App.run();
