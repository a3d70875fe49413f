import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OverloadedError } from '../../src/shared/errors.ts';
import { LimitError } from '../../src/reasoning/context.ts';
import { NotOneAtomError, createReasoningService } from '../../src/reasoning/service.ts';

/** Resolves to what `p` rejected with; fails when it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new assert.Assertion({ message: 'expected a rejection', operator: 'rejects', generated: true, expects: 'rejection', actual: 'resolved' });
}

const service = suite('reasoning service');
service('runs beyond the concurrency bound are refused with 429, and the bound frees up again', async () => {
  const s = createReasoningService({ maxConcurrentRuns: 1, limits: { timeoutMs: 200, maxSteps: 1e9 } });
  const slow = s.run('(= (loop $x) (loop (+ $x 1))) !(loop 0)');
  const busy = await rejection(s.run('!(+ 1 2)'));
  assert.ok(busy instanceof OverloadedError && busy.status === 429 && busy.code === 'metta_busy');
  assert.ok((await rejection(slow)) instanceof LimitError);
  assert.equal(await s.run('!(+ 1 2)'), { results: ['[3]'], output: [] });
});
service('what a run prints and returns is bounded', async () => {
  const s = createReasoningService({ maxOutputChars: 100 });
  const printed = await rejection(s.run(`!(println! "${'x'.repeat(200)}")`));
  assert.ok(printed instanceof LimitError && printed.code === 'output');
  const many = Array.from({ length: 40 }, (_, i) => i).join(' ');
  const returned = await rejection(s.run(`!(superpose (${many}))`));
  assert.ok(returned instanceof LimitError && returned.code === 'output');
});
service('a query is one atom', async () => {
  const s = createReasoningService();
  assert.equal(await s.query('(+ 1 (min-k high))'), { results: ['[21]'], output: [] });
  assert.ok((await rejection(s.query(''))) instanceof NotOneAtomError);
  assert.ok((await rejection(s.query('1 2'))) instanceof NotOneAtomError);
});
service.run();
