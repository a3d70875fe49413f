import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DelayQueue } from '../../src/messaging/delay-queue.ts';

const Delay = suite('messaging/delay-queue');

Delay('pops exactly the due items, earliest first', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 300 }), fc.integer({ min: 0, max: 1000 }), (dues, now) => {
      const q = new DelayQueue<{ dueAt: number }>();
      for (const dueAt of dues) q.push({ dueAt });
      assert.is(q.nextDueAt, dues.length ? Math.min(...dues) : Infinity);
      const popped: number[] = [];
      for (let item = q.popDue(now); item; item = q.popDue(now)) popped.push(item.dueAt);
      const sorted = [...dues].sort((a, b) => a - b);
      assert.equal(popped, sorted.filter((d) => d <= now));
      assert.equal(q.drain().map((i) => i.dueAt), sorted.filter((d) => d > now));
      assert.is(q.size, 0);
    }),
    { numRuns: 200 },
  );
});

Delay.run();
