/**
 * Messaging over HTTP. Sending is for agents and admins; every body is checked at the edge and
 * refused whole with a 400 naming the exact field or frame fault, so bad input never reaches
 * the queue. JSON envelopes may use the seed's snake_case names and priority names.
 *
 *   POST /messages                        one JSON envelope; 202 {id} once durably accepted,
 *                                         or with ?wait=true 200 {id, result} after the handler
 *   POST /messages/batch                  a batch frame (application/x-healthsync-frame) or a
 *                                         JSON array; 202 {accepted, ids}, all or nothing
 *   GET  /messages/stats                  the processor's figures
 *   GET  /messages/dead-letters           ?limit&offset&messageType&recipient
 *   POST /messages/dead-letters/:id/replay
 *   DELETE /messages/dead-letters         purge (admin), ?messageType&recipient
 *   GET  /messages/:id                    status (and result) of an accepted message
 *   GET  /circuits                        every recipient's circuit breaker
 */
import { Hono, type Context } from 'hono';
import { readJsonBody } from '../http/validate.ts';
import type { AppEnv } from '../http/types.ts';
import { requireRole } from '../http/auth.ts';
import { AppError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { MessageView } from './codec-batch.ts';
import { decodeBatch } from './codec.ts';
import { FRAME_CONTENT_TYPE, MAX_BATCH_MESSAGES } from './codec-format.ts';
import { HandlerFailedError, UnknownMessageTypeError } from './errors.ts';
import { MessagePriority } from './priority.ts';
import type { MessageProcessor } from './processor.ts';

/** What the routes need: the app's message processor. */
export interface MessagingDeps {
  messaging: MessageProcessor;
}

const MAX_LIST = 1000;

function intParam(c: Context, name: string, fallback: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > max) throw new ValidationError(`${name} must be a whole number from 0 to ${max}`, name);
  return value;
}

function filterParams(c: Context): { messageType?: string; recipient?: string } {
  const filter: { messageType?: string; recipient?: string } = {};
  const messageType = c.req.query('messageType');
  const recipient = c.req.query('recipient');
  if (messageType !== undefined) filter.messageType = messageType;
  if (recipient !== undefined) filter.recipient = recipient;
  return filter;
}

function isFrame(c: Context): boolean {
  const type = c.req.header('content-type');
  return type !== undefined && type.split(';')[0].trim().toLowerCase() === FRAME_CONTENT_TYPE;
}

const SNAKE_CASE: readonly (readonly [string, string])[] = [
  ['message_type', 'messageType'],
  ['batch_key', 'batchKey'],
  ['correlation_id', 'correlationId'],
];

/**
 * A JSON envelope as agents send it: the camelCase fields of `Message`, or the seed's snake_case
 * (`message_type`, `batch_key`, `correlation_id`), and a priority as its number or its name
 * (`"HIGH"`). Anything else is left for validation to name.
 */
function fromJson(value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  let m = value as Record<string, unknown>;
  for (const [snake, camel] of SNAKE_CASE) {
    if (!(snake in m)) continue;
    if (camel in m && m[camel] !== m[snake]) {
      throw new ValidationError(`${path ? `${path}.` : ''}${snake} and ${camel} disagree; send one of them`, `${path ? `${path}.` : ''}${camel}`);
    }
    m = { ...m, [camel]: m[snake] };
    delete m[snake];
  }
  if (typeof m.priority === 'string' && m.priority.toUpperCase() in MessagePriority) {
    m = { ...m, priority: MessagePriority[m.priority.toUpperCase() as keyof typeof MessagePriority] };
  }
  return m;
}

/** A handler's result as JSON, or a 502 when it cannot be one. */
function resultJson(result: unknown): string {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch (err) {
    throw new AppError(502, 'result_not_json', `the handler's result cannot be sent as JSON: ${(err as Error).message}`);
  }
}

/**
 * @example
 * app.route('/', createMessagingRoutes({ messaging: processor }));
 */
export function createMessagingRoutes(deps: MessagingDeps): Hono<AppEnv> {
  const processor = deps.messaging;
  const app = new Hono<AppEnv>();
  const senders = requireRole('agent', 'admin');

  app.post('/messages', senders, async (c) => {
    const body = fromJson(await readJsonBody(c), '');
    if (Array.isArray(body)) throw new ValidationError('POST /messages takes one message object; send arrays to /messages/batch', 'message');
    const wait = c.req.query('wait');
    if (wait !== undefined && wait !== 'true' && wait !== 'false') throw new ValidationError('wait must be true or false', 'wait');
    if (wait === 'true') {
      const message = processor.prepareMessage(body);
      let result: unknown;
      try {
        result = await processor.sendMessage(message, { track: true });
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new HandlerFailedError(message.messageType, err);
      }
      return c.body(`{"id":${JSON.stringify(message.id)},"status":"processed","result":${resultJson(result)}}`, 200, {
        'content-type': 'application/json; charset=utf-8',
      });
    }
    const message = processor.prepareMessage(body);
    if (!processor.hasHandler(message.messageType)) throw new UnknownMessageTypeError(message.messageType);
    const { ids } = await processor.acceptMessages([message]);
    return c.json({ id: ids[0], status: 'accepted' }, 202, { location: `/messages/${encodeURIComponent(ids[0])}` });
  });

  app.post('/messages/batch', senders, async (c) => {
    let accepted: { accepted: number; ids: string[] };
    if (isFrame(c)) {
      const frame = new Uint8Array(await c.req.arrayBuffer());
      if (frame.byteLength === 0) throw new ValidationError('request body is empty; expected a batch frame', 'body');
      const batch = decodeBatch(frame); // FrameError (400) with the exact reason and offset
      const views = new Array<MessageView>(batch.length);
      for (let i = 0; i < views.length; i++) views[i] = batch.get(i);
      accepted = await processor.acceptMessages(views, { frame });
    } else {
      const body = await readJsonBody(c);
      if (!Array.isArray(body)) throw new ValidationError('the body must be a JSON array of messages (or a batch frame)', 'messages');
      if (body.length > MAX_BATCH_MESSAGES) throw new ValidationError(`a batch holds at most ${MAX_BATCH_MESSAGES} messages, got ${body.length}`, 'messages');
      accepted = await processor.acceptMessages(body.map((m, i) => fromJson(m, `messages[${i}]`)));
    }
    if (accepted.accepted === 0) throw new ValidationError('the batch holds no messages', 'messages');
    return c.json(accepted, 202);
  });

  app.get('/messages/stats', senders, (c) => c.json({ healthy: processor.isHealthy(), ...processor.getStats() }));

  app.get('/messages/dead-letters', senders, (c) => {
    const limit = intParam(c, 'limit', 100, MAX_LIST);
    const offset = intParam(c, 'offset', 0, Number.MAX_SAFE_INTEGER);
    const letters = processor.listDeadLetters({ ...filterParams(c), limit, offset });
    return c.json({ deadLetters: letters, count: letters.length, limit, offset });
  });

  app.post('/messages/dead-letters/:id/replay', senders, async (c) => {
    const id = c.req.param('id');
    const replayed = await processor.replayDeadLetter(id);
    if (!replayed) throw new NotFoundError(`no dead letter with id ${JSON.stringify(id)}`);
    return c.json({ id, status: 'accepted' }, 202, { location: `/messages/${encodeURIComponent(id)}` });
  });

  app.delete('/messages/dead-letters', requireRole('admin'), async (c) => {
    const purged = await processor.purgeDeadLetters(filterParams(c));
    return c.json({ purged });
  });

  app.get('/messages/:id', senders, (c) => {
    const id = c.req.param('id');
    const status = processor.getMessageStatus(id);
    if (!status) throw new NotFoundError(`no message with id ${JSON.stringify(id)} is known (unknown, or finished long enough ago to be forgotten)`);
    return c.body(JSON.stringify(status, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)), 200, {
      'content-type': 'application/json; charset=utf-8',
    });
  });

  app.get('/circuits', senders, (c) => c.json({ circuits: processor.getCircuits() }));

  return app;
}
