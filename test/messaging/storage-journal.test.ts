import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeBatch, MessageProcessor, type Message } from '../../src/index.ts';
import { createStorageJournal, MESSAGING_MIGRATIONS } from '../../src/messaging/storage-journal.ts';
import { createMemoryBackend, OptimizedDatabase, type StorageBackend } from '../../src/storage/index.ts';

let counter = 0;
function msg(over: Partial<Message> = {}): Message {
  counter++;
  return { id: `s${counter}`, sender: 'a', recipient: 'b', messageType: 'work', payload: { n: counter, tags: ['x'] }, priority: 1, timeout: 5000, ...over };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openDb(backend: StorageBackend): Promise<OptimizedDatabase> {
  const db = new OptimizedDatabase(backend, { migrations: [...MESSAGING_MIGRATIONS] });
  await db.start();
  return db;
}

const Journal = suite('messaging/storage-journal');

Journal('folds accept, start, settle and checkpoint records back into pending messages and attempts', async () => {
  const backend = createMemoryBackend();
  const db = await openDb(backend);
  const journal = createStorageJournal(db);
  assert.equal(await journal.recover(), { nextSeq: 0, pending: [], deadLetters: [] });
  const [a, b, c, d] = [msg(), msg(), msg(), msg()];
  await journal.accept(0, [a, b, c]);
  await journal.start([0, 1, 1, 1]);
  await journal.start([1, 2]);
  await journal.settle({ processed: [0], deadLettered: [], removedDeadLetters: [] });
  await journal.accept(3, [d]);
  const letter = { id: c.id, message: c, error: { code: 'boom', message: 'boom' }, attempts: 1, deadLetteredAt: 5 };
  await journal.settle({ processed: [], deadLettered: [{ seq: 2, letter }], removedDeadLetters: [] });
  assert.ok(journal.bytesSinceCheckpoint() > 0);
  const recovered = await journal.recover();
  assert.is(recovered.nextSeq, 4);
  assert.equal(recovered.pending, [
    { seq: 1, message: b, attemptsStarted: 2 },
    { seq: 3, message: d, attemptsStarted: 0 },
  ]);
  assert.equal(recovered.deadLetters, [letter]);

  await journal.checkpoint(4, recovered.pending);
  assert.is(journal.bytesSinceCheckpoint(), 0);
  await journal.settle({ processed: [3], deadLettered: [], removedDeadLetters: [c.id] });
  const after = await journal.recover();
  assert.equal(after, { nextSeq: 4, pending: [{ seq: 1, message: b, attemptsStarted: 2 }], deadLetters: [] });
  const [{ n }] = db.executeQuery<{ n: number }>('SELECT COUNT(*) AS n FROM messaging_journal').rows;
  assert.is(n, 2, 'the checkpoint deleted everything older');
  await db.close();
});

Journal('a processor on the storage journal survives a restart: pending messages run, the in-flight attempt counts as failed', async () => {
  const backend = createMemoryBackend();
  const db = await openDb(backend);
  const first = new MessageProcessor({ journal: createStorageJournal(db), maxWorkers: 1 });
  const hold = new Promise<never>(() => {});
  const seen1: string[] = [];
  first.registerHandler('work', (m, ctx) => {
    seen1.push(`${m.id}#${ctx.attempt}`);
    return hold; // the "crash" happens while the first message is in its handler
  });
  await first.start();
  const messages = [msg({ id: 'r1' }), msg({ id: 'r2' }), msg({ id: 'r3' })];
  await first.acceptMessages(messages);
  await sleep(10);
  assert.equal(seen1, ['r1#1']);
  // Simulate the crash: a second database over the same durable state, a new processor.
  const db2 = await openDb(backend);
  const second = new MessageProcessor({ journal: createStorageJournal(db2) });
  const seen2: string[] = [];
  second.registerHandler('work', (m, ctx) => void seen2.push(`${m.id}#${ctx.attempt}`));
  await second.start();
  await sleep(10);
  // r1's attempt 1 may have run: it gets attempt 2. r2 and r3 were leased (journaled as
  // starting) behind it, so they, too, go on with the next attempt: never the same one twice.
  assert.ok(seen2.includes('r1#2'));
  for (const id of ['r2', 'r3']) assert.ok(seen2.some((s) => s.startsWith(`${id}#`)));
  assert.is(new Set(seen2.map((s) => s.split('#')[0])).size, 3);
  await second.stop();
  await first.stop({ timeout: 0 });
  const db3 = await openDb(backend);
  assert.equal((await createStorageJournal(db3).recover()).pending, [], 'everything settled');
  await db3.close();
  await db2.close();
});

Journal('accepted batch frames are stored as is and decoded on recovery', async () => {
  const db = await openDb(createMemoryBackend());
  const journal = createStorageJournal(db);
  const messages = [msg({ id: 'f1', batchKey: 'k', correlationId: 'c1', timestamp: 1_700_000_000_000 }), msg({ id: 'f2', priority: 3 })];
  await journal.accept(0, messages, { frame: encodeBatch(messages) });
  const { pending } = await journal.recover();
  assert.equal(pending.map((p) => p.message), messages);
  assert.equal(pending.map((p) => p.attemptsStarted), [0, 0]);
  // Accepted with attempt 1 already started: recovery must count it.
  await journal.accept(2, [msg({ id: 'f3' })], { started: true });
  assert.equal((await journal.recover()).pending.map((p) => [p.message.id, p.attemptsStarted]), [['f1', 0], ['f2', 0], ['f3', 1]]);
  await db.close();
});

Journal.run();
