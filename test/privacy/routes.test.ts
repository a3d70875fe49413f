import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../src/app.ts';
import { createServices } from '../../src/services.ts';
import { createMemoryBackend } from '../../src/storage/index.ts';
import { ADMIN_KEY, createTestApp, type TestApp } from '../helpers/app.ts';

const Routes = suite('privacy/routes');
let t: TestApp;

Routes.before(async () => {
  t = await createTestApp();
});
Routes.after(async () => {
  await t.close();
});

const dataset = {
  columns: ['name', 'age', 'zip', 'diagnosis'],
  rows: Array.from({ length: 30 }, (_, i) => [`Person ${i}`, String(20 + (i % 25)), `0213${i % 10}`, ['flu', 'cold', 'covid'][i % 3]]),
};
const config = {
  quasiIdentifiers: { age: { type: 'age' }, zip: { type: 'zip' } },
  identifiers: ['name'],
  k: 3,
  models: [{ type: 'l-diversity', variant: 'distinct', l: 2, attribute: 'diagnosis' }],
  seed: 1,
};

Routes('POST /privacy/anonymize takes JSON or CSV and returns rows and a report', async () => {
  const key = await t.keyFor('agent');
  const res = await t.call('POST', '/privacy/anonymize', { key, json: { dataset, config } });
  assert.is(res.status, 200);
  const body = await res.json();
  assert.equal(body.columns, ['age', 'zip', 'diagnosis']);
  assert.is(body.rows.length, 30);
  assert.ok(Array.isArray(body.report.transformation));
  assert.ok(body.report.achieved.k >= 3);
  assert.ok(typeof body.report.timings.totalMs === 'number');

  const csv = [dataset.columns, ...dataset.rows].map((r) => r.join(',')).join('\n');
  const viaCsv = await t.call('POST', `/privacy/anonymize?config=${encodeURIComponent(JSON.stringify(config))}`, {
    key, body: csv, headers: { 'content-type': 'text/csv' },
  });
  assert.is(viaCsv.status, 200);
  assert.equal((await viaCsv.json()).report.transformation, body.report.transformation);

  const viaField = await t.call('POST', '/privacy/anonymize', { key, json: { csv, config, safeHarbor: { columns: { name: 'name', zip: 'keep', age: 'age' } } } });
  assert.is(viaField.status, 200);
});

Routes('anonymize is for agents and admins; researchers get 403, anonymous callers 401', async () => {
  const researcher = await t.keyFor('researcher');
  assert.is((await t.call('POST', '/privacy/anonymize', { key: researcher, json: { dataset, config } })).status, 403);
  assert.is((await t.call('POST', '/privacy/anonymize', { json: { dataset, config } })).status, 401);
  assert.is((await t.call('POST', '/privacy/anonymize', { key: t.adminKey, json: { dataset, config } })).status, 200);
});

Routes('bad input is a 400 naming the row or column, with no rows', async () => {
  const key = await t.keyFor('agent');
  const bad = { ...dataset, rows: dataset.rows.map((r, i) => (i === 4 ? [r[0], 'forty', r[2], r[3]] : r)) };
  const res = await t.call('POST', '/privacy/anonymize', { key, json: { dataset: bad, config } });
  assert.is(res.status, 400);
  const body = await res.json();
  assert.is(body.error.code, 'invalid_input');
  assert.match(body.error.message, /row 5, column age: "forty" is not a number/);
  assert.is(body.rows, undefined);
  const k = await t.call('POST', '/privacy/anonymize', { key, json: { dataset, config: { ...config, k: 31 } } });
  assert.is(k.status, 400);
  assert.match((await k.json()).error.message, /k=31 is larger than the 30 rows/);
  const none = await t.call('POST', '/privacy/anonymize', { key, json: { config } });
  assert.is(none.status, 400);
  const identity = Array.from({ length: 10 }, (_, i) => [`0213${i}`, `0213${i}`]);
  const noSolution = await t.call('POST', '/privacy/anonymize', { key, json: { dataset, config: { ...config, k: 4, quasiIdentifiers: { zip: identity } } } });
  assert.is(noSolution.status, 422);
  assert.is((await noSolution.json()).error.code, 'no_solution');
  const noConfig = await t.call('POST', '/privacy/anonymize', { key, body: 'a,b\n1,2\n', headers: { 'content-type': 'text/csv' } });
  assert.is(noConfig.status, 400);
  assert.match((await noConfig.json()).error.message, /\?config=/);
});

Routes('aggregate charges the study budget and refuses once it is spent', async () => {
  const researcher = await t.keyFor('researcher');
  await t.call('PUT', '/privacy/budget/study-1', { key: t.adminKey, json: { epsilon: 1, delta: 1e-6 } }).then((r) => assert.is(r.status, 200));
  const ages = dataset.rows.map((r) => Number(r[1]));
  const first = await t.call('POST', '/privacy/aggregate', { key: researcher, json: { study: 'study-1', query: 'mean', values: ages, epsilon: 0.6, lower: 0, upper: 120 } });
  assert.is(first.status, 200);
  const release = await first.json();
  assert.ok(Number.isFinite(release.value));
  assert.is(release.budget.epsilon.spent, 0.6);
  const refused = await t.call('POST', '/privacy/aggregate', { key: researcher, json: { study: 'study-1', query: 'count', values: ages, epsilon: 0.6 } });
  assert.is(refused.status, 403);
  assert.is((await refused.json()).error.code, 'budget_exhausted');
  const status = await (await t.call('GET', '/privacy/budget/study-1', { key: researcher })).json();
  assert.is(status.releases, 1);
  const badEps = await t.call('POST', '/privacy/aggregate', { key: researcher, json: { study: 'study-1', query: 'count', values: ages, epsilon: 0 } });
  assert.is(badEps.status, 400);
  const hist = await t.call('POST', '/privacy/aggregate', { key: researcher, json: { study: 'study-2', query: 'histogram', values: ['flu', 'cold'], bins: ['flu', 'cold', 'covid'], epsilon: 0.1 } });
  assert.is(hist.status, 200);
  assert.is((await t.call('PUT', '/privacy/budget/study-1', { key: researcher, json: { epsilon: 9, delta: 0 } })).status, 403);
});

Routes('verify and safe-harbor are available to agents', async () => {
  const key = await t.keyFor('agent');
  const out = await (await t.call('POST', '/privacy/anonymize', { key, json: { dataset, config } })).json();
  const report = await (await t.call('POST', '/privacy/verify', { key, json: { input: dataset, output: out, config } })).json();
  assert.ok(report.ok, report.violations?.join('; '));
  const sh = await (await t.call('POST', '/privacy/safe-harbor', { key, json: { dataset } })).json();
  assert.equal(sh.columns, ['age', 'zip', 'diagnosis']);
  assert.equal(sh.rows[0].slice(0, 2), ['20', '021']);
});

Routes.run();

const Pseudonyms = suite('privacy/routes: keyed pseudonyms');

Pseudonyms('work out of the box, stable within a study and across a restart, different across studies', async () => {
  const backend = createMemoryBackend();
  const env = { HEALTHSYNC_ADMIN_KEY: ADMIN_KEY };
  const cohort = { columns: ['mrn', 'age', 'diagnosis'], rows: Array.from({ length: 12 }, (_, i) => [`MRN-${i % 6}`, String(30 + (i % 4)), ['flu', 'cold'][i % 2]]) };
  const body = (study: string) => ({
    dataset: cohort,
    config: { quasiIdentifiers: { age: { type: 'age' } }, k: 2, seed: 3 },
    pseudonyms: { columns: ['mrn'], study },
  });
  const pseudonymsOf = async (app: ReturnType<typeof createApp>, study: string): Promise<string[]> => {
    const res = await app.request('/privacy/anonymize', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body(study)),
    });
    assert.is(res.status, 200, await res.clone().text());
    const out = await res.json();
    const column = out.columns.indexOf('mrn');
    return [...new Set<string>(out.rows.map((r: string[]) => r[column]))].sort();
  };
  const first = await createServices({ env, backend, runtime: 'node' });
  let before: string[];
  try {
    const app = createApp(first);
    before = await pseudonymsOf(app, 'study-a');
    assert.is(before.length, 6);
    for (const p of before) assert.not.match(p, /MRN/);
    assert.equal(await pseudonymsOf(app, 'study-a'), before);
    const other = await pseudonymsOf(app, 'study-b');
    assert.is(other.filter((p) => before.includes(p)).length, 0, 'unlinkable across studies');
  } finally {
    await first.close();
  }
  const second = await createServices({ env, backend, runtime: 'node' });
  try {
    assert.equal(await pseudonymsOf(createApp(second), 'study-a'), before, 'the generated secret is durable');
  } finally {
    await second.close();
  }
});

Pseudonyms.run();
