import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CircuitOpenError,
  MessagePriority,
  MessageProcessor,
  OverloadedError,
  ProcessorStoppedError,
  TimeoutError,
  UnknownMessageTypeError,
  ValidationError,
  getMessageProcessor,
  retryDelay,
  type HandlerContext,
  type Message,
  type ProcessorOptions,
} from '../../src/index.ts';

let counter = 0;
function msg(over: Partial<Message> = {}): Message {
  counter++;
  return { id: `m${counter}`, sender: 'research-agent', recipient: 'consent-agent', messageType: 'work', payload: { n: counter }, priority: MessagePriority.NORMAL, timeout: 5000, ...over };
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Runs `fn` with a fresh processor and always stops it. */
async function withProcessor(options: ProcessorOptions, fn: (p: MessageProcessor) => Promise<void>): Promise<void> {
  const p = new MessageProcessor({ retryBaseDelay: 1, ...options });
  try {
    await fn(p);
  } finally {
    await p.stop({ timeout: 1000 });
  }
}

const Order = suite('messaging/processor: order');

Order('serves CRITICAL > HIGH > NORMAL > LOW, FIFO within a priority', () =>
  withProcessor({ maxWorkers: 1 }, async (p) => {
    const seen: string[] = [];
    p.registerHandler('work', (m) => {
      seen.push(m.id);
    });
    const sent = [
      msg({ id: 'low1', priority: MessagePriority.LOW }),
      msg({ id: 'norm1' }),
      msg({ id: 'crit1', priority: MessagePriority.CRITICAL }),
      msg({ id: 'high1', priority: MessagePriority.HIGH }),
      msg({ id: 'low2', priority: MessagePriority.LOW }),
      msg({ id: 'crit2', priority: MessagePriority.CRITICAL }),
      msg({ id: 'norm2' }),
    ];
    // Queued before start, so the whole set competes at once.
    const results = sent.map((m) => p.sendMessage(m));
    await p.start();
    await Promise.all(results);
    assert.equal(seen, ['crit1', 'crit2', 'high1', 'norm1', 'norm2', 'low1', 'low2']);
  }),
);

Order('a LOW message is served under a continuous CRITICAL flood (aging)', () =>
  withProcessor({ maxWorkers: 1, agingInterval: 2, maxQueueSize: 100_000 }, async (p) => {
    let criticalDone = 0;
    let lowDoneAfter = -1;
    let flooding = true;
    p.registerHandler('work', async (m) => {
      await Promise.resolve();
      if (m.priority === MessagePriority.LOW) {
        lowDoneAfter = criticalDone;
        flooding = false;
        return;
      }
      criticalDone++;
      // Every CRITICAL message handled brings two more: the queue never runs dry.
      if (flooding && criticalDone < 1_000_000) for (let i = 0; i < 2; i++) void p.sendMessage(msg({ priority: MessagePriority.CRITICAL })).catch(() => {});
    });
    await p.start();
    for (let i = 0; i < 5; i++) void p.sendMessage(msg({ priority: MessagePriority.CRITICAL }));
    await p.sendMessage(msg({ priority: MessagePriority.LOW }));
    assert.ok(lowDoneAfter >= 0, 'LOW handled');
    assert.ok(lowDoneAfter < 500_000, `LOW waited for ${lowDoneAfter} CRITICAL messages`);
  }),
);

const Workers = suite('messaging/processor: workers and timeouts');

Workers('never runs more than maxWorkers handlers at once, and uses all of them', () =>
  withProcessor({ maxWorkers: 3 }, async (p) => {
    let active = 0;
    let peak = 0;
    p.registerHandler('work', async (m) => {
      active++;
      peak = Math.max(peak, active);
      await sleep(1 + ((m.payload as { n: number }).n % 3));
      active--;
      return (m.payload as { n: number }).n * 2;
    });
    await p.start();
    const messages = Array.from({ length: 40 }, () => msg());
    const results = await Promise.all(messages.map((m) => p.sendMessage(m)));
    assert.equal(results, messages.map((m) => (m.payload as { n: number }).n * 2));
    assert.is(peak, 3);
    assert.is(p.getStats().processed, 40);
  }),
);

Workers('a handler exceeding its timeout fails with TimeoutError, is signalled, and keeps its worker until it settles', () =>
  withProcessor({ maxWorkers: 1, maxRetries: 0 }, async (p) => {
    const aborted = deferred<unknown>();
    const release = deferred();
    p.registerHandler('slow', async (_m, ctx: HandlerContext) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      await release.promise;
    });
    let secondStarted = false;
    p.registerHandler('work', () => {
      secondStarted = true;
    });
    await p.start();
    const err = await rejection(p.sendMessage(msg({ messageType: 'slow', timeout: 15 })));
    assert.instance(err, TimeoutError);
    assert.is((err as TimeoutError).status, 504);
    assert.instance(await aborted.promise, TimeoutError);
    const second = p.sendMessage(msg());
    await sleep(5);
    assert.not.ok(secondStarted, 'the only worker is still held by the timed-out handler');
    assert.is(p.getStats().stuckWorkers, 1);
    release.resolve();
    await second;
    assert.ok(secondStarted);
    const stats = p.getStats();
    assert.is(stats.timedOut, 1);
    assert.is(stats.stuckWorkers, 0);
    assert.is(stats.deadLettered, 1);
    assert.is(p.listDeadLetters()[0].error.code, 'message_timeout');
  }),
);

const Retry = suite('messaging/processor: retries and dead letters');

Retry('retries a failing handler with a growing attempt number until it succeeds', () =>
  withProcessor({ maxRetries: 3 }, async (p) => {
    const attempts: number[] = [];
    p.registerHandler('work', (_m, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error('flaky');
      return 'ok';
    });
    await p.start();
    assert.is(await p.sendMessage(msg()), 'ok');
    assert.equal(attempts, [1, 2, 3]);
    assert.is(p.getStats().retried, 2);
  }),
);

Retry('waiting for a retry holds no worker', () =>
  withProcessor({ maxWorkers: 1, maxRetries: 1, retryBaseDelay: 1000, retryMaxDelay: 1000, random: () => 0 }, async (p) => {
    const order: string[] = [];
    p.registerHandler('work', (m, ctx) => {
      order.push(`${m.id}#${ctx.attempt}`);
      if (m.id === 'a' && ctx.attempt === 1) throw new Error('first try fails');
    });
    await p.start();
    const a = p.sendMessage(msg({ id: 'a' }));
    await sleep(5);
    await p.sendMessage(msg({ id: 'b' }));
    await a;
    assert.equal(order, ['a#1', 'b#1', 'a#2']);
  }),
);

Retry('backoff is exponential with equal jitter, capped', () => {
  // Steps 100, 200, 400, ... capped at 1000; each wait within [step/2, step].
  assert.equal([1, 2, 3, 4, 5].map((a) => retryDelay(a, 100, 1000, 0)), [50, 100, 200, 400, 500]);
  assert.equal([1, 2, 3, 4, 5].map((a) => retryDelay(a, 100, 1000, 1)), [100, 200, 400, 800, 1000]);
  assert.is(retryDelay(2, 100, 1000, 0.5), 150);
});

Retry('after maxRetries the message is dead-lettered; replay runs it again from attempt 1; purge empties', () =>
  withProcessor({ maxRetries: 2 }, async (p) => {
    let healthy = false;
    const attempts: number[] = [];
    p.registerHandler('work', (_m, ctx) => {
      attempts.push(ctx.attempt);
      if (!healthy) throw new Error('custodian unreachable');
      return 'done';
    });
    await p.start();
    const m = msg({ id: 'dl-1' });
    const err = await rejection(p.sendMessage(m));
    assert.is((err as Error).message, 'custodian unreachable');
    const [letter] = p.listDeadLetters();
    assert.is(letter.id, 'dl-1');
    assert.is(letter.attempts, 3);
    assert.equal(letter.error, { code: 'Error', message: 'custodian unreachable' });
    assert.equal(attempts, [1, 2, 3]);

    healthy = true;
    assert.equal(await p.replayDeadLetter('dl-1'), { accepted: 1, ids: ['dl-1'] });
    assert.is(await p.replayDeadLetter('nope'), undefined);
    await sleep(5);
    assert.is(p.getMessageStatus('dl-1')?.status, 'processed');
    assert.is(p.getMessageStatus('dl-1')?.result, 'done');
    assert.is(p.listDeadLetters().length, 0);

    healthy = false;
    await rejection(p.sendMessage(msg({ id: 'dl-2' })));
    assert.is(await p.purgeDeadLetters(), 1);
    assert.is(p.listDeadLetters().length, 0);
  }),
);

Retry('client errors (4xx) are not retried', () =>
  withProcessor({ maxRetries: 5 }, async (p) => {
    let calls = 0;
    p.registerHandler('work', () => {
      calls++;
      throw new ValidationError('payload.patient_id is required', 'payload.patient_id');
    });
    await p.start();
    assert.instance(await rejection(p.sendMessage(msg())), ValidationError);
    assert.is(calls, 1);
    assert.is(p.listDeadLetters()[0].error.code, 'invalid_input');
  }),
);

const Batching = suite('messaging/processor: batching');

Batching('flushes by batchKey at maxBatchSize and after maxBatchDelay; results map back per message', () =>
  withProcessor({ maxBatchSize: 5, maxBatchDelay: 20 }, async (p) => {
    const sizes: number[] = [];
    p.registerHandler('work', {
      processBatch(messages) {
        sizes.push(messages.length);
        return messages.map((m) => `${m.id}!`);
      },
    });
    await p.start();
    const messages = Array.from({ length: 12 }, () => msg({ batchKey: 'cohort-7' }));
    const other = msg({ batchKey: 'cohort-8' });
    const results = await Promise.all([...messages, other].map((m) => p.sendMessage(m)));
    assert.equal(results, [...messages, other].map((m) => `${m.id}!`));
    assert.equal(sizes.sort(), [1, 2, 5, 5]);
  }),
);

Batching('a failing batch retries its messages one by one; without processBatch messages go one by one', () =>
  withProcessor({ maxBatchSize: 3, maxBatchDelay: 5, maxRetries: 1 }, async (p) => {
    const calls: number[] = [];
    p.registerHandler('work', {
      processBatch(messages, ctx) {
        calls.push(messages.length);
        if (ctx.attempt === 1) throw new Error('batch failed');
      },
    });
    const single: string[] = [];
    p.registerHandler('plain', (m) => {
      single.push(m.id);
    });
    await p.start();
    const results = await Promise.all(Array.from({ length: 3 }, () => p.sendMessage(msg({ batchKey: 'k' }))));
    assert.equal(results, [undefined, undefined, undefined]);
    assert.equal(calls, [3, 1, 1, 1]);
    await Promise.all([p.sendMessage(msg({ id: 'p1', messageType: 'plain', batchKey: 'k' })), p.sendMessage(msg({ id: 'p2', messageType: 'plain', batchKey: 'k' }))]);
    assert.equal(single, ['p1', 'p2']);
  }),
);

Batching('a batch is bounded by the shortest timeout among its messages', () =>
  withProcessor({ maxBatchSize: 2, maxRetries: 0 }, async (p) => {
    p.registerHandler('work', { processBatch: (_messages, ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve())) });
    await p.start();
    const errs = await Promise.all([rejection(p.sendMessage(msg({ batchKey: 'k', timeout: 5000 }))), rejection(p.sendMessage(msg({ batchKey: 'k', timeout: 10 })))]);
    for (const e of errs) {
      assert.instance(e, TimeoutError);
      assert.is((e as TimeoutError).timeoutMs, 10);
    }
  }),
);

Batching('a processBatch result of the wrong length fails the batch', () =>
  withProcessor({ maxBatchSize: 2, maxRetries: 0 }, async (p) => {
    p.registerHandler('work', { processBatch: () => [1] });
    await p.start();
    const errs = await Promise.all([rejection(p.sendMessage(msg({ batchKey: 'k' }))), rejection(p.sendMessage(msg({ batchKey: 'k' })))]);
    for (const e of errs) assert.match((e as Error).message, /processBatch returned 1 results for 2 messages/);
  }),
);

const Circuits = suite('messaging/processor: circuits, overload, validation');

Circuits('an open circuit fails fast without calling the handler; other recipients are unaffected', () =>
  withProcessor({ maxRetries: 0, circuitBreaker: { failureThreshold: 2, recoveryTimeout: 60_000 } }, async (p) => {
    let calls = 0;
    p.registerHandler('work', (m) => {
      calls++;
      if (m.recipient === 'broken-agent') throw new Error('down');
      return 'fine';
    });
    await p.start();
    for (let i = 0; i < 2; i++) await rejection(p.sendMessage(msg({ recipient: 'broken-agent' })));
    assert.is(calls, 2);
    const err = await rejection(p.sendMessage(msg({ recipient: 'broken-agent' })));
    assert.instance(err, CircuitOpenError);
    assert.match((err as Error).message, /broken-agent/);
    assert.is(calls, 2);
    assert.is(await p.sendMessage(msg({ recipient: 'healthy-agent' })), 'fine');
    assert.ok(p.getCircuitBreaker('broken-agent')?.isOpen());
    const circuits = p.getCircuits();
    assert.is(circuits[0].name, 'broken-agent');
    assert.is(circuits[0].state, 'open');
    assert.is(p.getStats().rejected.circuitOpen, 1);
    assert.is(p.listDeadLetters().at(-1)?.error.code, 'circuit_open');
  }),
);

Circuits('after the recovery timeout one trial goes through; its success closes the circuit', () =>
  withProcessor({ maxRetries: 0, circuitBreaker: { failureThreshold: 1, recoveryTimeout: 20, halfOpenMaxCalls: 1 } }, async (p) => {
    let healthy = false;
    p.registerHandler('work', () => {
      if (!healthy) throw new Error('down');
      return 'up';
    });
    await p.start();
    await rejection(p.sendMessage(msg({ recipient: 'flaky-agent' })));
    assert.instance(await rejection(p.sendMessage(msg({ recipient: 'flaky-agent' }))), CircuitOpenError);
    await sleep(30);
    assert.is(p.getCircuitBreaker('flaky-agent')?.state, 'half_open');
    healthy = true;
    assert.is(await p.sendMessage(msg({ recipient: 'flaky-agent' })), 'up');
    assert.is(p.getCircuitBreaker('flaky-agent')?.state, 'closed');
  }),
);

Circuits('a full queue rejects with OverloadedError (429, Retry-After) and never grows', () =>
  withProcessor({ maxQueueSize: 3 }, async (p) => {
    p.registerHandler('work', () => 1);
    const accepted = [p.sendMessage(msg()), p.sendMessage(msg()), p.sendMessage(msg())];
    const err = await rejection(p.sendMessage(msg()));
    assert.instance(err, OverloadedError);
    assert.is((err as OverloadedError).status, 429);
    assert.ok(Number((err as OverloadedError).headers?.['retry-after']) >= 1);
    assert.is(p.getStats().pending, 3);
    assert.is(p.getStats().rejected.overloaded, 1);
    assert.not.ok(p.isHealthy());
    await rejection(p.acceptMessages([msg()]));
    await p.start();
    assert.equal(await Promise.all(accepted), [1, 1, 1]);
    assert.ok(p.isHealthy());
  }),
);

Circuits('bad input is refused before it is queued', () =>
  withProcessor({}, async (p) => {
    p.registerHandler('work', () => 1);
    await p.start();
    const unknown = await rejection(p.sendMessage(msg({ messageType: 'nobody-handles-this' })));
    assert.instance(unknown, UnknownMessageTypeError);
    assert.is((unknown as UnknownMessageTypeError).status, 400);
    const bad = await rejection(p.sendMessage({ ...msg(), priority: 9 }));
    assert.instance(bad, ValidationError);
    assert.is((bad as ValidationError).field, 'priority');
    const batch = await rejection(p.acceptMessages([msg(), { ...msg(), sender: undefined }]));
    assert.is((batch as ValidationError).field, 'messages[1].sender');
    assert.is(p.getStats().accepted, 0, 'all or nothing');
    assert.is(p.getStats().pending, 0);
  }),
);

const Lifecycle = suite('messaging/processor: lifecycle, middleware, stats');

Lifecycle('stop drains pending work, then refuses new messages', () =>
  withProcessor({ maxWorkers: 2 }, async (p) => {
    p.registerHandler('work', async () => {
      await sleep(2);
      return 'x';
    });
    await p.start();
    const results = Array.from({ length: 10 }, () => p.sendMessage(msg()));
    const stopped = await p.stop({ timeout: 5000 });
    assert.equal(stopped, { drained: true, abandoned: 0 });
    assert.equal(await Promise.all(results), Array(10).fill('x'));
    assert.instance(await rejection(p.sendMessage(msg())), ProcessorStoppedError);
    assert.is(p.state, 'stopped');
  }),
);

Lifecycle('stop gives up at its deadline: queued messages reject, running handlers are signalled', () =>
  withProcessor({ maxWorkers: 1 }, async (p) => {
    const release = deferred();
    let signalled = false;
    p.registerHandler('work', async (_m, ctx) => {
      ctx.signal.addEventListener('abort', () => (signalled = true));
      await release.promise;
    });
    await p.start();
    const running = p.sendMessage(msg());
    const queued = p.sendMessage(msg());
    await sleep(1);
    const stopped = await p.stop({ timeout: 10 });
    assert.equal(stopped, { drained: false, abandoned: 2 });
    assert.instance(await rejection(queued), ProcessorStoppedError);
    assert.ok(signalled);
    release.resolve();
    await running;
  }),
);

Lifecycle('stop before start abandons what was queued; concurrent stops share one result', async () => {
  const p = new MessageProcessor();
  p.registerHandler('work', () => 1);
  const queued = p.sendMessage(msg());
  const [a, b] = await Promise.all([p.stop(), p.stop()]);
  assert.equal(a, { drained: false, abandoned: 1 });
  assert.is(a, b);
  assert.instance(await rejection(queued), ProcessorStoppedError);
});

Lifecycle('middleware wraps every call, outermost first, and may change the result', () =>
  withProcessor({}, async (p) => {
    const log: string[] = [];
    p.use(async (ctx, next) => {
      log.push(`a>${ctx.messageType}`);
      const r = await next(ctx);
      log.push('a<');
      return `${r as string}+a`;
    });
    p.use((ctx, next) => {
      log.push(`b>${ctx.attempt}`);
      return next(ctx);
    });
    p.registerHandler('work', () => 'h');
    await p.start();
    assert.is(await p.sendMessage(msg()), 'h+a');
    assert.equal(log, ['a>work', 'b>1', 'a<']);
  }),
);

Lifecycle('stats, statuses and the isolate singleton', () =>
  withProcessor({ maxWorkers: 4 }, async (p) => {
    p.registerHandler('work', (m) => (m.payload as { n: number }).n);
    await p.start();
    const { ids } = await p.acceptMessages([msg({ id: 'acc-1' }), msg({ id: 'acc-2' })]);
    assert.equal(ids, ['acc-1', 'acc-2']);
    await sleep(1);
    assert.is(p.getMessageStatus('acc-1')?.status, 'processed');
    assert.is(p.getMessageStatus('missing'), undefined);
    const stats = p.getStats();
    assert.is(stats.accepted, 2);
    assert.is(stats.processed, 2);
    assert.is(stats.pending, 0);
    assert.is(stats.maxWorkers, 4);
    assert.ok(p.isHealthy());
    assert.is(getMessageProcessor({ maxWorkers: 7 }), getMessageProcessor());
    assert.is(getMessageProcessor().maxWorkers, 7);
  }),
);

Lifecycle('every finished attempt is measured with agent, type and error code', () => {
  const records: [string, string, number, string | undefined][] = [];
  return withProcessor({ maxRetries: 1, meter: { record: (...args) => void records.push(args) } }, async (p) => {
    p.registerHandler('work', (_m, ctx) => {
      if (ctx.attempt === 1) throw new TimeoutError('work', 1);
    });
    await p.start();
    await p.sendMessage(msg({ recipient: 'privacy-agent' }));
    assert.equal(records.map(([agent, type, , code]) => [agent, type, code]), [
      ['privacy-agent', 'work', 'message_timeout'],
      ['privacy-agent', 'work', undefined],
    ]);
    assert.ok(records.every(([, , ms]) => ms >= 0));
  });
});

Order.run();
Workers.run();
Retry.run();
Batching.run();
Circuits.run();
Lifecycle.run();
