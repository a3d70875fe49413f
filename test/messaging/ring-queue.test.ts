import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RingQueue } from '../../src/messaging/ring-queue.ts';

const Ring = suite('messaging/ring-queue');

Ring('behaves like an array used as a FIFO under any mix of operations', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 500 }), (ops) => {
      const q = new RingQueue<number>(2);
      const model: number[] = [];
      for (const op of ops) {
        if (op === null) assert.is(q.shift(), model.shift());
        else {
          q.push(op);
          model.push(op);
        }
        assert.is(q.size, model.length);
        assert.is(q.peek(), model[0]);
      }
      assert.equal([...q], model);
      assert.equal(q.drain(), model);
      assert.is(q.size, 0);
      assert.is(q.shift(), undefined);
    }),
    { numRuns: 200 },
  );
});

Ring('removeWhere keeps the order of the rest', () => {
  const q = new RingQueue<number>();
  for (let i = 0; i < 40; i++) q.push(i);
  for (let i = 0; i < 10; i++) q.shift();
  assert.is(q.removeWhere((x) => x % 3 === 0), 10);
  assert.equal(q.drain(), Array.from({ length: 30 }, (_, i) => i + 10).filter((x) => x % 3 !== 0));
});

Ring.run();
