import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../../src/app.ts';
import { createServices } from '../../src/services.ts';
import { createMemoryBackend } from '../../src/storage/index.ts';
import { ADMIN_KEY, createTestApp, type TestApp } from '../helpers/app.ts';
import { ETHICS_KB } from '../../src/reasoning/kb.ts';

let t: TestApp;
const keys: Record<string, string> = {};
async function setup(): Promise<void> {
  t = await createTestApp();
  for (const role of ['agent', 'researcher', 'patient'] as const) keys[role] = await t.keyFor(role);
  keys.admin = t.adminKey;
}
async function post(path: string, role: string | undefined, json: unknown): Promise<{ status: number; body: any }> {
  const res = await t.call('POST', path, { key: role === undefined ? undefined : keys[role], json });
  return { status: res.status, body: await res.json() };
}

const CHECK = { researchCategory: 'clinical-trial', dataTypes: ['genomic'], irbApproval: false, k: 10 };

const ethics = suite('POST /metta/ethics-check');
ethics.before(setup);
ethics.after(() => t.close());
ethics('agents, admins and researchers get a decision computed over the knowledge base', async () => {
  for (const role of ['agent', 'admin', 'researcher']) {
    const { status, body } = await post('/metta/ethics-check', role, CHECK);
    assert.is(status, 200, role);
    assert.is(body.decision, 'deny');
    assert.ok(body.reasons.includes('(irb-approval-required genomic critical)'));
    assert.ok(body.reasons.includes('(k-below-minimum genomic 50 10)'));
    assert.is(body.reasoningPath.length, 1);
    assert.is(body.kbVersion, 1);
  }
  const { body } = await post('/metta/ethics-check', 'researcher', { ...CHECK, researchCategory: 'public-health', dataTypes: ['demographics'] });
  assert.equal({ decision: body.decision, reasons: body.reasons }, { decision: 'permit', reasons: [] });
});
ethics('a repeated question is answered from the cache', async () => {
  await post('/metta/ethics-check', 'agent', { ...CHECK, k: 33 });
  const { body } = await post('/metta/ethics-check', 'agent', { ...CHECK, k: 33 });
  assert.is(body.cached, true);
});
ethics('patients may not ask; anonymous callers are refused', async () => {
  assert.is((await post('/metta/ethics-check', 'patient', CHECK)).status, 403);
  assert.is((await post('/metta/ethics-check', undefined, CHECK)).status, 401);
});
ethics('bad input is a 400 naming the field; the caller cannot set the evaluation time', async () => {
  const cases: [unknown, string][] = [
    [{ ...CHECK, researchCategory: '(evil)' }, 'researchCategory'],
    [{ ...CHECK, dataTypes: ['a b'] }, 'dataTypes.0'],
    [{ ...CHECK, k: -1 }, 'k'],
    [{ ...CHECK, k: 1.5 }, 'k'],
    [{ ...CHECK, irbApproval: 'yes' }, 'irbApproval'],
    [{ researchCategory: 'x', dataTypes: [], irbApproval: true }, 'k'],
    [{ ...CHECK, consent: { status: 'maybe', dataTypes: [], categories: [] } }, 'consent.status'],
    [{ ...CHECK, consent: { status: 'granted', dataTypes: [], categories: [], expiresAt: 'soon' } }, 'consent.expiresAt'],
  ];
  for (const [json, field] of cases) {
    const { status, body } = await post('/metta/ethics-check', 'agent', json);
    assert.is(status, 400, field);
    assert.is(body.error.code, 'invalid_input', field);
    assert.ok(body.error.message.startsWith(field), `${field}: ${body.error.message}`);
  }
  assert.is((await post('/metta/ethics-check', 'agent', { ...CHECK, now: 0 })).status, 400);
});
ethics.run();

const run = suite('POST /metta/run and /metta/query');
run.before(setup);
run.after(() => t.close());
run('a program prints one line per !, over the knowledge base, with println! output', async () => {
  const { status, body } = await post('/metta/run', 'agent', { program: '(= (sq $x) (* $x $x)) !(sq 7) !(println! "hi") !(sensitivity genomic) !(superpose (1 2))' });
  assert.is(status, 200);
  assert.equal(body, { results: ['[49]', '[()]', '[critical]', '[1, 2]'], output: ['hi'] });
});
run('each run has its own space; the shared knowledge base is read-only', async () => {
  await post('/metta/run', 'admin', { program: '!(add-atom &self (= (sensitivity genomic) low))' });
  const { body } = await post('/metta/run', 'agent', { program: '!(sensitivity genomic)' });
  assert.equal(body.results, ['[critical]']);
});
run('MeTTa errors are results and stop the run, as hyperon prints them', async () => {
  const { status, body } = await post('/metta/run', 'agent', { program: '!(+ 1 "a") !(+ 1 1)' });
  assert.is(status, 200);
  assert.equal(body.results, ['[(Error (+ 1 "a") (BadArgType 2 Number String))]']);
  assert.equal((await post('/metta/run', 'agent', { program: '!(/ 1 0)' })).body.results, ['[(Error (/ 1 0) DivisionByZero)]']);
  assert.equal((await post('/metta/run', 'agent', { program: '!(no-such-op 1)' })).body.results, ['[(no-such-op 1)]']);
});
run('malformed programs are 400s that say where', async () => {
  for (const program of ['!(+ 1 2', '(a))', '!(println! "abc)', '!(+ 99999999999999999999 1)']) {
    const { status, body } = await post('/metta/run', 'agent', { program });
    assert.is(status, 400, program);
    assert.is(body.error.code, 'metta_parse_error', program);
    assert.match(body.error.message, /at offset \d+/);
  }
});
run('programs over the size limit are refused', async () => {
  const { status, body } = await post('/metta/run', 'agent', { program: `(a ${'x '.repeat(200_000)})` });
  assert.is(status, 400);
  assert.is(body.error.code, 'metta_program_too_large');
});
run('a runaway program ends with a clear error and does not hold up other requests', async () => {
  let finished = false;
  const slow = post('/metta/run', 'agent', { program: '(= (loop $x) (loop (+ $x 1))) !(loop 0)' }).then((r) => {
    finished = true;
    return r;
  });
  const quick = await post('/metta/query', 'agent', { expression: '(+ 1 2)' });
  assert.equal(quick.body.results, ['[3]']);
  assert.is(finished, false, 'the quick request was answered while the runaway one still ran');
  const { status, body } = await slow;
  assert.is(status, 400);
  assert.is(body.error.code, 'metta_limit_exceeded');
  assert.match(body.error.message, /step budget|deadline|stack depth/);
});
run('a query is exactly one expression', async () => {
  assert.equal((await post('/metta/query', 'agent', { expression: '(min-k (sensitivity genomic))' })).body.results, ['[50]']);
  const two = await post('/metta/query', 'agent', { expression: '(a) (b)' });
  assert.is(two.status, 400);
  assert.equal(two.body.error.code, 'invalid_input');
  assert.is((await post('/metta/query', 'agent', { expression: '(a' })).status, 400);
});
run('only agents and admins may evaluate', async () => {
  for (const role of ['researcher', 'patient']) {
    assert.is((await post('/metta/run', role, { program: '!(+ 1 2)' })).status, 403, role);
    assert.is((await post('/metta/query', role, { expression: '(+ 1 2)' })).status, 403, role);
  }
  assert.is((await post('/metta/run', 'agent', { prog: '!(+ 1 2)' })).status, 400);
});
run.run();

const kb = suite('GET/PUT /metta/kb');
kb.before(setup);
kb.after(() => t.close());
kb('an admin replaces the shared knowledge base; decisions follow and the cache is dropped', async () => {
  const q = { researchCategory: 'public-health', dataTypes: ['demographics'], irbApproval: false, k: 10 };
  assert.is((await post('/metta/ethics-check', 'agent', q)).body.decision, 'permit');
  assert.is((await post('/metta/ethics-check', 'agent', q)).body.cached, true);
  const res = await t.call('PUT', '/metta/kb', { key: keys.admin, json: { source: ETHICS_KB.replace('(= (min-k low) 5)', '(= (min-k low) 50)') } });
  assert.is(res.status, 200);
  const put = await res.json();
  assert.is(put.kbVersion, 2);
  assert.ok(put.atoms > 50);
  const after = (await post('/metta/ethics-check', 'researcher', q)).body;
  assert.equal({ decision: after.decision, cached: after.cached, kbVersion: after.kbVersion }, { decision: 'deny', cached: false, kbVersion: 2 });
  assert.equal((await post('/metta/query', 'agent', { expression: '(min-k low)' })).body.results, ['[50]']);
  const got = await (await t.call('GET', '/metta/kb', { key: keys.admin })).json();
  assert.is(got.kbVersion, 2);
  assert.ok(got.source.includes('(= (min-k low) 50)'));
});
kb('only admins; a malformed knowledge base or one with ! is refused and the old one stays', async () => {
  assert.is((await t.call('PUT', '/metta/kb', { key: keys.agent, json: { source: '(a)' } })).status, 403);
  assert.is((await t.call('GET', '/metta/kb', { key: keys.researcher })).status, 403);
  const bad = await t.call('PUT', '/metta/kb', { key: keys.admin, json: { source: '(= (x) y' } });
  assert.is(bad.status, 400);
  assert.is((await bad.json()).error.code, 'metta_parse_error');
  const bang = await t.call('PUT', '/metta/kb', { key: keys.admin, json: { source: '(a b)\n!(+ 1 2)' } });
  assert.is(bang.status, 400);
  assert.is((await bang.json()).error.code, 'invalid_input');
  const version = (await (await t.call('GET', '/metta/kb', { key: keys.admin })).json()).kbVersion;
  assert.equal((await post('/metta/query', 'agent', { expression: '(sensitivity genomic)' })).body.results, ['[critical]']);
  assert.is(version, (await (await t.call('GET', '/metta/kb', { key: keys.admin })).json()).kbVersion);
});
kb('a replaced knowledge base is durable: it is what a restarted server serves', async () => {
  const backend = createMemoryBackend();
  const env = { HEALTHSYNC_ADMIN_KEY: ADMIN_KEY };
  const first = await createServices({ env, backend, runtime: 'node' });
  const source = ETHICS_KB.replace('(= (min-k low) 5)', '(= (min-k low) 7)');
  const res = await createApp(first).request('/metta/kb', {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  assert.is(res.status, 200);
  await first.close();
  const second = await createServices({ env, backend, runtime: 'node' });
  try {
    assert.is(second.reasoning?.kb().source, source);
    assert.equal((await second.reasoning!.query('(min-k low)')).results, ['[7]']);
  } finally {
    await second.close();
  }
});
kb.run();
