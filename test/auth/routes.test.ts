import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_KEY, createTestApp, type TestApp } from '../helpers/app.ts';

const Keys = suite<{ t: TestApp }>('auth/routes');

Keys.before.each(async (ctx) => {
  ctx.t = await createTestApp();
});
Keys.after.each(async (ctx) => {
  await ctx.t.close();
});

Keys('POST /admin/keys: 401 without a key, 403 for agent/patient/researcher, 201 for admin', async ({ t }) => {
  const body = { role: 'agent', name: 'consent-agent' };
  assert.is((await t.call('POST', '/admin/keys', { json: body })).status, 401);
  for (const role of ['agent', 'patient', 'researcher'] as const) {
    const res = await t.call('POST', '/admin/keys', { key: await t.keyFor(role), json: body });
    assert.is(res.status, 403, role);
    assert.is((await res.json()).error.code, 'forbidden');
  }
  const res = await t.call('POST', '/admin/keys', { key: ADMIN_KEY, json: body });
  assert.is(res.status, 201);
  const created = await res.json();
  assert.equal(Object.keys(created).sort(), ['createdAt', 'id', 'key', 'name', 'role']);
  assert.match(created.key, /^hsk_[\w-]{43}$/);
  assert.is(created.role, 'agent');
});

Keys('a created key authenticates with its role; the list never shows secrets or hashes', async ({ t }) => {
  const created = await (await t.call('POST', '/admin/keys', { key: ADMIN_KEY, json: { role: 'admin', name: 'ops' } })).json();
  const list = await t.call('GET', '/admin/keys', { key: created.key });
  assert.is(list.status, 200);
  const text = await list.text();
  assert.not.match(text, created.key);
  assert.not.match(text, /hash/i);
  const { keys } = JSON.parse(text);
  assert.equal(keys.map((k: { id: string }) => k.id), [created.id]);
  assert.equal(Object.keys(keys[0]).sort(), ['createdAt', 'id', 'name', 'role']);
});

Keys('the database holds only the SHA-256 of a key', async ({ t }) => {
  const { key } = await t.services.keys.create({ role: 'agent', name: 'a' });
  const rows = t.services.db.executeQuery<Record<string, unknown>>('SELECT * FROM api_keys').rows;
  const dump = JSON.stringify(rows);
  assert.not.ok(dump.includes(key), 'plaintext key not stored');
  const digest = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))).toString('hex');
  assert.ok(dump.includes(digest), 'its hash is');
});

Keys('DELETE /admin/keys/:id revokes at once; unknown ids are 404', async ({ t }) => {
  const created = await t.services.keys.create({ role: 'agent', name: 'temp' });
  assert.is((await t.call('GET', '/admin/keys', { key: created.key })).status, 403);
  const del = await t.call('DELETE', `/admin/keys/${created.id}`, { key: ADMIN_KEY });
  assert.is(del.status, 204);
  assert.is((await t.call('GET', '/admin/keys', { key: created.key })).status, 401);
  const again = await t.call('DELETE', `/admin/keys/${created.id}`, { key: ADMIN_KEY });
  assert.is(again.status, 404);
  assert.is((await again.json()).error.code, 'not_found');
});

Keys('invalid bodies are 400 naming the field, and create nothing', async ({ t }) => {
  const cases: [unknown, string][] = [
    [{ role: 'root', name: 'x' }, 'role'],
    [{ name: 'x' }, 'role'],
    [{ role: 'agent' }, 'name'],
    [{ role: 'agent', name: '' }, 'name'],
    [{ role: 'agent', name: 'x'.repeat(101) }, 'name'],
    [{ role: 'agent', name: 'bad\nname' }, 'name'],
    [[], ''],
  ];
  for (const [json, field] of cases) {
    const res = await t.call('POST', '/admin/keys', { key: ADMIN_KEY, json });
    assert.is(res.status, 400, JSON.stringify(json));
    const { error } = await res.json();
    assert.is(error.code, 'invalid_input');
    if (field) assert.is(error.field, field, JSON.stringify(json));
  }
  const extra = await t.call('POST', '/admin/keys', { key: ADMIN_KEY, json: { role: 'agent', name: 'x', admin: true } });
  assert.is(extra.status, 400);
  assert.equal(t.services.keys.list(), []);
});

Keys('without HEALTHSYNC_ADMIN_KEY the first admin key is bootstrapped once, and the last one cannot be deleted', async () => {
  const t = await createTestApp({ HEALTHSYNC_ADMIN_KEY: '' });
  try {
    const boot = t.services.bootstrapKey;
    assert.ok(boot, 'a bootstrap key was created');
    assert.is(boot.role, 'admin');
    assert.is((await t.call('GET', '/admin/keys', { key: boot.key })).status, 200);
    assert.is((await t.call('GET', '/admin/keys', { key: ADMIN_KEY })).status, 401, 'no env admin key configured');
    assert.is(await t.services.keys.bootstrapAdmin(), undefined, 'never twice');
    const res = await t.call('DELETE', `/admin/keys/${boot.id}`, { key: boot.key });
    assert.is(res.status, 409);
    assert.is((await res.json()).error.code, 'last_admin_key');
  } finally {
    await t.close();
  }
});

Keys.run();
