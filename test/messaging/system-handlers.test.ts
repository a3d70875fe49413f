import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SYSTEM_MESSAGE_TYPES } from '../../src/messaging/system-handlers.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const System = suite<{ t: TestApp; agent: string }>('messaging/system-handlers');

System.before(async (ctx) => {
  ctx.t = await createTestApp();
  ctx.agent = await ctx.t.keyFor('agent');
});
System.after(async (ctx) => {
  await ctx.t.close();
});

const envelope = (id: string, messageType: string, payload: unknown) => ({
  id,
  sender: 'research-query-agent',
  recipient: 'reasoning-agent',
  messageType,
  payload,
  priority: 2,
  timeout: 5000,
});

System('the app registers its own message types on the processor', ({ t }) => {
  for (const type of SYSTEM_MESSAGE_TYPES) assert.ok(t.services.messaging.hasHandler(type), type);
});

System('system.ping answers through POST /messages?wait=true', async ({ t, agent }) => {
  const res = await t.call('POST', '/messages?wait=true', { key: agent, json: envelope('ping-1', 'system.ping', {}) });
  assert.is(res.status, 200);
  const body = await res.json();
  assert.is(body.id, 'ping-1');
  assert.is(body.result.pong, true);
  assert.is(body.result.id, 'ping-1');
});

System('ethics.check reaches the reasoning engine; a durable 202 is processed too', async ({ t, agent }) => {
  const query = { researchCategory: 'public-health', dataTypes: ['genomic'], irbApproval: false, k: 10 };
  const res = await t.call('POST', '/messages?wait=true', { key: agent, json: envelope('eth-1', 'ethics.check', query) });
  assert.is(res.status, 200);
  const { result } = await res.json();
  assert.is(result.decision, 'deny');
  assert.ok(result.reasons.length > 0);
  const direct = await (await t.call('POST', '/metta/ethics-check', { key: agent, json: query })).json();
  assert.equal(result.reasons, direct.reasons, 'the same decision as the HTTP route');

  const accepted = await t.call('POST', '/messages', { key: agent, json: envelope('eth-2', 'ethics.check', query) });
  assert.is(accepted.status, 202);
  for (let i = 0; i < 50 && t.services.messaging.getMessageStatus('eth-2')?.status !== 'processed'; i++) await new Promise((r) => setTimeout(r, 10));
  assert.is(t.services.messaging.getMessageStatus('eth-2')?.status, 'processed');
});

System('an ethics.check payload that does not fit fails naming the field, and is not retried', async ({ t, agent }) => {
  const res = await t.call('POST', '/messages?wait=true', {
    key: agent,
    json: envelope('eth-bad', 'ethics.check', { researchCategory: 'public-health', dataTypes: 'genomic', irbApproval: false, k: 10 }),
  });
  assert.is(res.status, 400);
  const { error } = await res.json();
  assert.is(error.field, 'payload.dataTypes');
  assert.is(t.services.messaging.getStats().retried, 0);
});

System.run();
