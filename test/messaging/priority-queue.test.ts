import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PriorityQueue } from '../../src/messaging/priority-queue.ts';

interface Item {
  priority: number;
  enqueuedAt: number;
  n: number;
}

const Queue = suite('messaging/priority-queue');

Queue('serves the highest level first and FIFO within a level when nothing has aged', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 300 }), (levels) => {
      const q = new PriorityQueue<Item>(4, 1e9);
      levels.forEach((priority, n) => q.push({ priority, enqueuedAt: 0, n }));
      const out: Item[] = [];
      for (let item = q.shift(0); item; item = q.shift(0)) out.push(item);
      const expected = levels.map((priority, n) => ({ priority, enqueuedAt: 0, n })).sort((a, b) => b.priority - a.priority || a.n - b.n);
      assert.equal(out, expected);
      assert.is(q.size, 0);
    }),
    { numRuns: 200 },
  );
});

Queue('a LOW item that waited long enough overtakes fresh CRITICAL items', () => {
  const q = new PriorityQueue<Item>(4, 100);
  q.push({ priority: 0, enqueuedAt: 0, n: 0 });
  q.push({ priority: 3, enqueuedAt: 250, n: 1 });
  // At t=250 LOW's effective priority is 0 + 2 = 2 < 3: CRITICAL first.
  assert.is(q.shift(250)?.n, 1);
  q.push({ priority: 3, enqueuedAt: 310, n: 2 });
  // At t=310 LOW is 0 + 3 = 3, CRITICAL is 3 + 0; the tie goes to the older: LOW.
  assert.is(q.shift(310)?.n, 0);
  assert.is(q.shift(310)?.n, 2);
});

Queue('LOW is never starved by a continuous CRITICAL flood', () => {
  const aging = 10;
  const q = new PriorityQueue<Item>(4, aging);
  q.push({ priority: 0, enqueuedAt: 0, n: -1 });
  let served = -1;
  for (let t = 0; t < 10_000; t++) {
    q.push({ priority: 3, enqueuedAt: t, n: t });
    if (q.shift(t)?.n === -1) {
      served = t;
      break;
    }
  }
  assert.ok(served >= 0, 'LOW was served');
  assert.ok(served <= 3 * aging + 1, `served at ${served}`);
});

Queue('removeWhere and drain keep counts right', () => {
  const q = new PriorityQueue<Item>(4, 1000);
  for (let n = 0; n < 20; n++) q.push({ priority: n % 4, enqueuedAt: 0, n });
  assert.is(q.removeWhere((i) => i.n % 2 === 0), 10);
  assert.is(q.size, 10);
  assert.equal(q.sizes(), [0, 5, 0, 5]);
  assert.equal(q.drain().map((i) => i.n), [3, 7, 11, 15, 19, 1, 5, 9, 13, 17]);
  assert.is(q.shift(0), undefined);
});

Queue.run();
