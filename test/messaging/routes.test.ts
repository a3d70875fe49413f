import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MessageProcessor, type Message } from '../../src/index.ts';
import { encodeBatch } from '../../src/messaging/codec.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const FRAME = 'application/x-healthsync-frame';
let counter = 0;
function msg(over: Partial<Message> = {}): Message {
  counter++;
  return {
    id: `h${counter}`,
    sender: 'research-agent',
    recipient: 'consent-agent',
    messageType: 'consent.check',
    payload: { patient_id: `pt-${counter}`, consent: true, data_types: ['labs', 'imaging'] },
    priority: 2,
    timeout: 5000,
    ...over,
  };
}

/** TypeScript's BodyInit wants an ArrayBuffer-backed view; ours are. */
const asBody = (b: Uint8Array | string): BodyInit => b as BodyInit;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  t: TestApp;
  processor: MessageProcessor;
  agent: string;
  handled: string[];
}

/** A real createApp with the messaging routes mounted, an agent key, and handlers. */
async function setup(): Promise<Ctx> {
  const processor = new MessageProcessor({ maxRetries: 0, maxQueueSize: 50_000 });
  const t = await createTestApp({ HEALTHSYNC_RATE_LIMIT: '1000000' }, { messaging: processor });
  const handled: string[] = [];
  processor.registerHandler('consent.check', (m) => {
    handled.push(m.id);
    return { granted: (m.payload as { consent: boolean }).consent };
  });
  processor.registerHandler('fails', () => {
    throw new Error('custodian unreachable');
  });
  await processor.start();
  return { t, processor, agent: await t.keyFor('agent'), handled };
}

async function teardown(ctx: Ctx): Promise<void> {
  await ctx.processor.stop({ timeout: 1000 });
  await ctx.t.close();
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string; field?: string; reason?: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; field?: string; reason?: string } };
  return { status: res.status, ...body.error };
}

const Routes = suite<Ctx>('messaging/routes');
Routes.before(async (ctx) => {
  Object.assign(ctx, await setup());
});
Routes.after(teardown);

Routes('POST /messages answers 202 with the id once accepted; GET /messages/:id follows it', async ({ t, agent, handled }) => {
  const m = msg();
  const res = await t.call('POST', '/messages', { key: agent, json: m });
  assert.is(res.status, 202);
  assert.equal(await res.json(), { id: m.id, status: 'accepted' });
  assert.is(res.headers.get('location'), `/messages/${m.id}`);
  await sleep(5);
  assert.ok(handled.includes(m.id));
  const status = await t.call('GET', `/messages/${m.id}`, { key: agent });
  assert.equal(await status.json(), { id: m.id, status: 'processed', messageType: 'consent.check', recipient: 'consent-agent', attempt: 1, result: { granted: true } });
  assert.is((await t.call('GET', '/messages/nope', { key: agent })).status, 404);
});

Routes('POST /messages?wait=true answers with the handler result, or its failure', async ({ t, agent }) => {
  const ok = await t.call('POST', '/messages?wait=true', { key: agent, json: { ...msg(), id: undefined } });
  assert.is(ok.status, 200);
  const body = (await ok.json()) as { id: string; status: string; result: unknown };
  assert.match(body.id, /^[0-9a-f-]{36}$/);
  assert.equal(body.result, { granted: true });
  const failed = await t.call('POST', '/messages?wait=true', { key: agent, json: msg({ messageType: 'fails' }) });
  const err = await errorOf(failed);
  assert.is(err.status, 502);
  assert.is(err.code, 'handler_failed');
  assert.match(err.message, /custodian unreachable/);
});

Routes("JSON envelopes may use the seed's snake_case fields and priority names", async ({ t, agent, processor }) => {
  const seed = { id: 'seed-1', sender: 'consent_agent', recipient: 'custodian_agent', message_type: 'consent.check', payload: { consent: true }, priority: 'HIGH', timeout: 5000, batch_key: 'b1' };
  assert.is((await t.call('POST', '/messages', { key: agent, json: seed })).status, 202);
  await sleep(5);
  assert.equal(processor.getMessageStatus('seed-1')?.messageType, 'consent.check');
  const clash = await errorOf(await t.call('POST', '/messages', { key: agent, json: { ...seed, messageType: 'other' } }));
  assert.is(clash.field, 'messageType');
  const badName = await errorOf(await t.call('POST', '/messages/batch', { key: agent, json: [{ ...seed, priority: 'URGENT' }] }));
  assert.is(badName.field, 'messages[0].priority');
});

Routes('sending is for agents and admins only', async ({ t }) => {
  assert.is((await t.call('POST', '/messages', { json: msg() })).status, 401);
  assert.is((await t.call('POST', '/messages', { key: await t.keyFor('researcher'), json: msg() })).status, 403);
  assert.is((await t.call('POST', '/messages/batch', { key: await t.keyFor('patient'), json: [msg()] })).status, 403);
  assert.is((await t.call('POST', '/messages', { key: t.adminKey, json: msg() })).status, 202);
});

Routes('bad envelopes are a 400 naming the exact field and reason', async ({ t, agent }) => {
  const cases: [unknown, string, RegExp][] = [
    [{ ...msg(), priority: 4 }, 'priority', /priority must be an integer from 0 \(LOW\) to 3 \(CRITICAL\), got 4/],
    [{ ...msg(), priority: -1 }, 'priority', /got -1/],
    [{ ...msg(), sender: undefined }, 'sender', /sender is required/],
    [{ ...msg(), payload: undefined }, 'payload', /payload is required/],
    [{ ...msg(), messageType: 'nobody.handles.this' }, 'messageType', /no handler is registered for message type "nobody.handles.this"/],
    [{ ...msg(), timeout: 'soon' }, 'timeout', /timeout must be a whole number/],
    [[msg()], 'message', /takes one message object/],
  ];
  for (const [body, field, reason] of cases) {
    const err = await errorOf(await t.call('POST', '/messages', { key: agent, json: body }));
    assert.is(err.status, 400, JSON.stringify(body));
    assert.is(err.field, field);
    assert.match(err.message, reason);
  }
  const malformed = await t.call('POST', '/messages', { key: agent, body: '{"id": ', headers: { 'content-type': 'application/json' } });
  assert.is((await errorOf(malformed)).code, 'invalid_json');
});

Routes('POST /messages/batch takes a frame or a JSON array, all or nothing', async ({ t, agent, processor, handled }) => {
  const framed = Array.from({ length: 50 }, () => msg());
  const res = await t.call('POST', '/messages/batch', { key: agent, body: asBody(encodeBatch(framed)), headers: { 'content-type': FRAME } });
  assert.is(res.status, 202);
  assert.equal(await res.json(), { accepted: 50, ids: framed.map((m) => m.id) });
  const json = Array.from({ length: 20 }, () => msg());
  const res2 = await t.call('POST', '/messages/batch', { key: agent, json });
  assert.equal(await res2.json(), { accepted: 20, ids: json.map((m) => m.id) });
  await sleep(10);
  for (const m of [...framed, ...json]) assert.ok(handled.includes(m.id));

  const before = processor.getStats().accepted;
  const bad = [...Array.from({ length: 5 }, () => msg()), { ...msg(), priority: 9 }];
  const err = await errorOf(await t.call('POST', '/messages/batch', { key: agent, json: bad }));
  assert.is(err.status, 400);
  assert.is(err.field, 'messages[5].priority');
  const unknownInFrame = encodeBatch([msg(), msg({ messageType: 'who.knows' })]);
  const err2 = await errorOf(await t.call('POST', '/messages/batch', { key: agent, body: asBody(unknownInFrame), headers: { 'content-type': FRAME } }));
  assert.is(err2.field, 'messages[1].messageType');
  assert.is(processor.getStats().accepted, before, 'nothing from a refused batch was accepted');
  assert.is((await errorOf(await t.call('POST', '/messages/batch', { key: agent, json: [] }))).field, 'messages');
  assert.is((await errorOf(await t.call('POST', '/messages/batch', { key: agent, json: { not: 'an array' } }))).field, 'messages');
});

Routes('broken frames are a 400 with the exact reason', async ({ t, agent }) => {
  const good = encodeBatch([msg(), msg()]);
  const post = async (body: Uint8Array) => errorOf(await t.call('POST', '/messages/batch', { key: agent, body: asBody(body), headers: { 'content-type': FRAME } }));
  const truncated = await post(good.subarray(0, good.length - 7));
  assert.is(truncated.status, 400);
  assert.is(truncated.code, 'invalid_frame');
  assert.is(truncated.reason, 'truncated');
  const flipped = good.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0x40;
  assert.is((await post(flipped)).reason, 'checksum_mismatch');
  const version = good.slice();
  version[2] = 9;
  assert.is((await post(version)).reason, 'unsupported_version');
  assert.is((await post(new Uint8Array([1, 2, 3]))).status, 400);
  const empty = await t.call('POST', '/messages/batch', { key: agent, body: new Uint8Array(0), headers: { 'content-type': FRAME } });
  assert.is(empty.status, 400);
  const big = await t.call('POST', '/messages/batch', { key: agent, body: new Uint8Array(2 * 1024 * 1024), headers: { 'content-type': FRAME } });
  assert.is(big.status, 413);
});

Routes('dead letters: list, replay, purge; stats and circuits', async ({ t, agent, processor }) => {
  const m = msg({ messageType: 'fails', id: 'dead-1' });
  assert.is((await t.call('POST', '/messages', { key: agent, json: m })).status, 202);
  await sleep(5);
  const list = (await (await t.call('GET', '/messages/dead-letters?limit=10&messageType=fails', { key: agent })).json()) as { deadLetters: { id: string; error: { code: string; message: string } }[] };
  const letter = list.deadLetters.find((l) => l.id === 'dead-1');
  assert.equal(letter?.error, { code: 'Error', message: 'custodian unreachable' });
  assert.is((await errorOf(await t.call('GET', '/messages/dead-letters?limit=abc', { key: agent }))).field, 'limit');
  processor.registerHandler('fails', () => 'recovered');
  const replay = await t.call('POST', '/messages/dead-letters/dead-1/replay', { key: agent });
  assert.is(replay.status, 202);
  await sleep(5);
  assert.is(((await (await t.call('GET', '/messages/dead-1', { key: agent })).json()) as { status: string }).status, 'processed');
  assert.is((await t.call('POST', '/messages/dead-letters/dead-1/replay', { key: agent })).status, 404);
  processor.registerHandler('fails', () => {
    throw new Error('again');
  });
  await t.call('POST', '/messages', { key: agent, json: msg({ messageType: 'fails' }) });
  await sleep(5);
  assert.is((await t.call('DELETE', '/messages/dead-letters', { key: agent })).status, 403);
  const before = processor.listDeadLetters().length;
  assert.ok(before >= 1);
  assert.equal(await (await t.call('DELETE', '/messages/dead-letters?messageType=fails', { key: t.adminKey })).json(), { purged: before });
  assert.is(processor.listDeadLetters().length, 0);
  const stats = (await (await t.call('GET', '/messages/stats', { key: agent })).json()) as { healthy: boolean; processed: number; deadLettered: number };
  assert.ok(stats.healthy);
  assert.ok(stats.processed > 0);
  assert.is(stats.deadLettered, before + 1, 'dead-1 counted too, before its replay');
  const circuits = (await (await t.call('GET', '/circuits', { key: agent })).json()) as { circuits: { name: string; state: string }[] };
  assert.ok(circuits.circuits.some((c) => c.name === 'consent-agent' && c.state === 'closed'));
});

Routes('a full queue answers 429 with Retry-After', async () => {
  const small = new MessageProcessor({ maxQueueSize: 2 });
  small.registerHandler('consent.check', () => 1);
  // Not started: accepted messages wait, so the third finds the queue full.
  const other = await createTestApp({ HEALTHSYNC_RATE_LIMIT: '1000000' }, { messaging: small });
  try {
    assert.is((await other.call('POST', '/messages/batch', { key: other.adminKey, json: [msg(), msg()] })).status, 202);
    const full = await other.call('POST', '/messages/batch', { key: other.adminKey, json: [msg()] });
    assert.is(full.status, 429);
    assert.ok(Number(full.headers.get('retry-after')) >= 1);
    assert.is((await errorOf(full)).code, 'overloaded');
  } finally {
    await small.stop({ timeout: 0 });
    await other.close();
  }
});

const Fuzz = suite<Ctx>('messaging/routes: fuzz');
Fuzz.before(async (ctx) => {
  Object.assign(ctx, await setup());
});
Fuzz.after(teardown);

Fuzz('thousands of random and mutated bodies: never a 500, and the processor stays consistent', async ({ t, agent, processor }) => {
  const valid = encodeBatch(Array.from({ length: 8 }, () => msg()));
  const validJson = JSON.stringify([msg(), msg()]);
  const seen = new Map<number, number>();
  const accepted = { count: 0 };
  const send = async (body: Uint8Array | string, frame: boolean, path = '/messages/batch') => {
    const res = await t.app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent}`, 'content-type': frame ? FRAME : 'application/json' },
      body: asBody(body),
    });
    seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
    if (res.status >= 500) assert.unreachable(`${res.status}: ${await res.text()}`);
    if (res.status === 202) accepted.count += ((await res.json()) as { accepted?: number }).accepted ?? 1;
    else await res.arrayBuffer();
  };
  const mutation = fc.record({
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'overwrite'),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
      let b = valid.slice();
      for (const { at, bytes, kind } of mutations) {
        const i = at % Math.max(1, b.length);
        if (kind === 'flip') b[i] ^= bytes[0] || 1;
        else if (kind === 'insert') b = Uint8Array.from([...b.subarray(0, i), ...bytes, ...b.subarray(i)]);
        else if (kind === 'delete') b = Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + bytes.length)]);
        else if (kind === 'truncate') b = b.subarray(0, i);
        else b.set(bytes.subarray(0, b.length - i), i);
      }
      await send(b, true);
    }),
    { numRuns: 1500 },
  );
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), (bytes) => send(bytes, true)), { numRuns: 500 });
  await fc.assert(
    fc.asyncProperty(fc.nat(validJson.length), fc.string({ maxLength: 6 }), (at, s) => send(validJson.slice(0, at) + s + validJson.slice(at + s.length), false)),
    { numRuns: 500 },
  );
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), (value) => send(JSON.stringify(value), false, '/messages')),
    { numRuns: 500 },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.record({ sender: fc.oneof(fc.string(), fc.integer()), recipient: fc.string(), messageType: fc.constantFrom('consent.check', 'x', ''), priority: fc.integer({ min: -2, max: 6 }), timeout: fc.oneof(fc.integer(), fc.double()), payload: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
      (value) => send(JSON.stringify(value), false, '/messages'),
    ),
    { numRuns: 500 },
  );
  await sleep(20);
  const stats = processor.getStats();
  assert.is(stats.accepted, accepted.count, 'every 202 was counted once, nothing else');
  assert.is(stats.processed + stats.deadLettered + stats.pending, stats.accepted);
  assert.is(stats.pending, 0);
  assert.ok((seen.get(400) ?? 0) > 1000, 'most fuzzed bodies are refused with 400');
  // Still works afterwards.
  assert.is((await t.call('POST', '/messages', { key: agent, json: msg() })).status, 202);
});

Routes.run();
Fuzz.run();
