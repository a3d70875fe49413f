import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, MessageProcessor, type Message, type MessageJournal, type RecoveredJournal } from '../../src/index.ts';

let counter = 0;
function msg(over: Partial<Message> = {}): Message {
  counter++;
  return { id: `d${counter}`, sender: 'a', recipient: 'b', messageType: 'work', payload: counter, priority: 1, timeout: 5000, ...over };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A journal that logs every durable write in order (the "disk"), folds them like a real one
 * on recover(), and can be made to fail.
 */
function recordingJournal(log: string[], initial?: RecoveredJournal) {
  const state = { fail: false, checkpoints: 0, bytes: 0, accepted: new Map<number, Message>(), started: new Map<number, number>(), settled: new Set<number>() };
  const write = async (line: string) => {
    await Promise.resolve();
    if (state.fail) throw new Error('disk full');
    log.push(line);
  };
  const journal: MessageJournal = {
    async recover() {
      return initial ?? { nextSeq: 0, pending: [], deadLetters: [] };
    },
    async accept(firstSeq, messages, options = {}) {
      await write(`accept ${messages.map((m) => m.id).join(',')}`);
      // Attempt 1 journaled with the acceptance: log it as a start record too.
      if (options.started) log.push(`start ${messages.map((m) => `${m.id}#1`).join(',')}`);
      messages.forEach((m, i) => state.accepted.set(firstSeq + i, m));
      state.bytes += 1000 * messages.length;
    },
    async start(pairs) {
      const ids: string[] = [];
      for (let i = 0; i < pairs.length; i += 2) {
        ids.push(`${state.accepted.get(pairs[i])?.id}#${pairs[i + 1]}`);
        state.started.set(pairs[i], pairs[i + 1]);
      }
      await write(`start ${ids.join(',')}`);
    },
    async settle(s) {
      for (const seq of s.processed) state.settled.add(seq);
      for (const d of s.deadLettered) state.settled.add(d.seq);
      await write(`settle ${s.processed.length + s.deadLettered.length}`);
    },
    async checkpoint(_nextSeq, live) {
      state.checkpoints++;
      state.bytes = 0;
      await write(`checkpoint ${live.length}`);
    },
    bytesSinceCheckpoint: () => state.bytes,
  };
  return { journal, state };
}

const Durable = suite('messaging/processor: durable acceptance');

Durable('a message is journaled before it is acknowledged and each attempt before its handler sees it', async () => {
  const log: string[] = [];
  const { journal } = recordingJournal(log);
  const p = new MessageProcessor({ journal, maxRetries: 1, retryBaseDelay: 1 });
  p.registerHandler('work', (m, ctx) => {
    log.push(`handle ${m.id}#${ctx.attempt}`);
    if (m.id === 'flaky' && ctx.attempt === 1) throw new Error('once');
    return m.payload;
  });
  await p.start();
  const { ids } = await p.acceptMessages([msg({ id: 'x1' }), msg({ id: 'x2' })]);
  assert.equal(ids, ['x1', 'x2']);
  assert.ok(log.includes('accept x1,x2'), 'journaled before the promise resolved');
  assert.is(await p.sendMessage(msg({ id: 'flaky', payload: 7 })), 7);
  await p.stop();
  for (const line of log.filter((l) => l.startsWith('handle '))) {
    const attempt = line.slice('handle '.length);
    const [id] = attempt.split('#');
    const acceptedAt = log.findIndex((l) => l.startsWith('accept ') && l.slice(7).split(',').includes(id));
    const startedAt = log.findIndex((l) => l.startsWith('start ') && l.slice(6).split(',').includes(attempt));
    assert.ok(acceptedAt >= 0 && acceptedAt < log.indexOf(line), `${id} accepted before handled`);
    assert.ok(startedAt >= 0 && startedAt < log.indexOf(line), `${attempt} started before handled`);
  }
  assert.equal(log.filter((l) => l.startsWith('handle flaky')), ['handle flaky#1', 'handle flaky#2']);
  assert.ok(log.some((l) => l.startsWith('settle ')));
});

Durable('recovery: an attempt journaled as started counts as failed; without retries left it is dead-lettered; unknown types wait for a handler', async () => {
  const log: string[] = [];
  const { journal } = recordingJournal(log, {
    nextSeq: 10,
    pending: [
      { seq: 3, message: msg({ id: 'never-started' }), attemptsStarted: 0 },
      { seq: 4, message: msg({ id: 'in-flight' }), attemptsStarted: 1 },
      { seq: 5, message: msg({ id: 'out-of-retries' }), attemptsStarted: 3 },
      { seq: 6, message: msg({ id: 'no-handler', messageType: 'gone' }), attemptsStarted: 0 },
    ],
    deadLetters: [{ id: 'old', message: msg({ id: 'old' }), error: { code: 'x', message: 'x' }, attempts: 4, deadLetteredAt: 1 }],
  });
  const p = new MessageProcessor({ journal, maxRetries: 2 });
  const seen: string[] = [];
  p.registerHandler('work', (m, ctx) => void seen.push(`${m.id}#${ctx.attempt}`));
  await p.start();
  await sleep(10);
  assert.equal(seen.sort(), ['in-flight#2', 'never-started#1']);
  const letters = p.listDeadLetters().map((l) => [l.id, l.error.code, l.attempts]);
  assert.equal(letters, [
    ['old', 'x', 4],
    ['out-of-retries', 'interrupted', 3],
  ]);
  assert.is(p.getStats().awaitingHandler, 1, 'a recovered message waits for its handler');
  p.registerHandler('gone', (m) => void seen.push(`${m.id}#late`));
  await sleep(5);
  assert.ok(seen.includes('no-handler#late'));
  assert.is(p.getStats().awaitingHandler, 0);
  assert.is(p.getMessageStatus('in-flight')?.status, 'processed');
  // New messages continue the sequence after the recovered ones.
  await p.acceptMessages([msg({ id: 'new' })]);
  assert.ok(log.includes('accept new'));
  await p.stop();
});

Durable('a journal that cannot write refuses the acceptance (503) and queues nothing', async () => {
  const log: string[] = [];
  const { journal, state } = recordingJournal(log);
  const p = new MessageProcessor({ journal });
  let handled = 0;
  p.registerHandler('work', () => void handled++);
  await p.start();
  state.fail = true;
  try {
    await p.acceptMessages([msg(), msg()]);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, AppError);
    assert.is((err as AppError).status, 503);
    assert.is((err as AppError).code, 'journal_unavailable');
  }
  try {
    await p.sendMessage(msg());
    assert.unreachable();
  } catch (err) {
    assert.is((err as AppError).code, 'journal_unavailable');
  }
  assert.is(p.getStats().pending, 0);
  assert.is(p.getStats().accepted, 0);
  assert.not.ok(p.isHealthy());
  state.fail = false;
  await p.acceptMessages([msg()]);
  await sleep(5);
  assert.is(handled, 1);
  assert.ok(p.isHealthy());
  await p.stop();
});

Durable('checkpoints once enough has been journaled, carrying only live messages', async () => {
  const log: string[] = [];
  const { journal, state } = recordingJournal(log);
  const p = new MessageProcessor({ journal, checkpointBytes: 5000 });
  p.registerHandler('work', () => 1);
  await p.start();
  for (let i = 0; i < 4; i++) await p.acceptMessages([msg(), msg()]);
  await sleep(5);
  assert.ok(state.checkpoints >= 1);
  await p.stop();
});

Durable('stop leaves journaled messages for the next start instead of failing them', async () => {
  const log: string[] = [];
  const { journal } = recordingJournal(log);
  const p = new MessageProcessor({ journal, maxWorkers: 1 });
  let release!: () => void;
  p.registerHandler('work', () => new Promise<void>((r) => (release = r)));
  await p.start();
  await p.acceptMessages([msg({ id: 's1' }), msg({ id: 's2' })]);
  await sleep(5);
  const result = await p.stop({ timeout: 5 });
  assert.is(result.drained, false);
  assert.is(p.getMessageStatus('s2')?.status, 'abandoned');
  assert.not.ok(log.some((l) => l.startsWith('settle')), 'nothing settled: both stay pending in the journal');
  release();
});

Durable.run();
