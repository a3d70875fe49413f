import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DeadLetterQueue, type DeadLetter } from '../../src/messaging/dead-letter-queue.ts';

function letter(id: string, messageType = 't', recipient = 'r'): DeadLetter {
  return {
    id,
    message: { id, sender: 's', recipient, messageType, payload: null, priority: 1, timeout: 1000 },
    error: { code: 'boom', message: 'boom' },
    attempts: 4,
    deadLetteredAt: 0,
  };
}

const Dlq = suite('messaging/dead-letter-queue');

Dlq('is bounded: the oldest letter is evicted and counted', () => {
  const q = new DeadLetterQueue(3);
  for (const id of ['a', 'b', 'c']) assert.is(q.add(letter(id)), undefined);
  assert.is(q.add(letter('d'))?.id, 'a');
  assert.is(q.size, 3);
  assert.is(q.evicted, 1);
  assert.equal(q.list().map((l) => l.id), ['b', 'c', 'd']);
});

Dlq('lists with filters and paging, takes and purges', () => {
  const q = new DeadLetterQueue(100);
  for (let i = 0; i < 10; i++) q.add(letter(`m${i}`, i % 2 ? 'odd' : 'even', `r${i % 3}`));
  assert.equal(q.list({ messageType: 'odd', limit: 2, offset: 1 }).map((l) => l.id), ['m3', 'm5']);
  assert.equal(q.list({ recipient: 'r0' }).map((l) => l.id), ['m0', 'm3', 'm6', 'm9']);
  assert.is(q.take('m3')?.id, 'm3');
  assert.is(q.take('m3'), undefined);
  assert.equal(q.purge({ messageType: 'even' }).length, 5);
  assert.equal(q.list().map((l) => l.id), ['m1', 'm5', 'm7', 'm9']);
  assert.is(q.purge().length, 4);
  assert.is(q.size, 0);
});

Dlq.run();
