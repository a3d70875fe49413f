import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BudgetExceededError, createMemoryBackend, createPrivacyBudget, noisyCount, OptimizedDatabase, PRIVACY_MIGRATIONS, ValidationError,
} from '../../src/index.ts';

const Budget = suite('privacy/budget');

async function open(): Promise<OptimizedDatabase> {
  const db = new OptimizedDatabase(createMemoryBackend(), { migrations: PRIVACY_MIGRATIONS });
  await db.start();
  return db;
}

Budget('charges until spent, then refuses without spending', async () => {
  const db = await open();
  try {
    const budget = createPrivacyBudget(db);
    await budget.setLimit('s1', { epsilon: 1, delta: 1e-6 });
    await budget.charge('s1', { epsilon: 0.6, delta: 0 }, 'count', 'laplace');
    const before = budget.status('s1');
    try {
      await budget.charge('s1', { epsilon: 0.5, delta: 0 }, 'count', 'laplace');
      assert.unreachable('expected a refusal');
    } catch (err) {
      assert.instance(err, BudgetExceededError);
      assert.is((err as BudgetExceededError).status, 403);
    }
    assert.equal(budget.status('s1'), before);
    assert.is(before.releases, 1);
    assert.ok(Math.abs(before.epsilon.remaining - 0.4) < 1e-12);
    const rows = db.executeQuery<{ n: number }>('SELECT COUNT(*) AS n FROM privacy_release WHERE study = ?', ['s1']).rows;
    assert.is(rows[0].n, 1);
    await budget.charge('s1', { epsilon: 0.4, delta: 0 }, 'count', 'laplace');
    assert.is(budget.status('s1').epsilon.remaining, 0);
  } finally {
    await db.close();
  }
});

Budget('concurrent releases cannot overspend', async () => {
  const db = await open();
  try {
    const budget = createPrivacyBudget(db, { epsilon: 1, delta: 0 });
    const attempts = await Promise.allSettled(Array.from({ length: 25 }, () => budget.charge('s2', { epsilon: 0.1, delta: 0 }, 'count', 'laplace')));
    const ok = attempts.filter((a) => a.status === 'fulfilled').length;
    assert.is(ok, 10);
    assert.ok(attempts.filter((a) => a.status === 'rejected').every((a) => (a as PromiseRejectedResult).reason instanceof BudgetExceededError));
    const status = budget.status('s2');
    assert.ok(status.epsilon.spent <= 1 + 1e-12);
    assert.is(status.releases, 10);
  } finally {
    await db.close();
  }
});

Budget('noisy releases charge the study and a refused release returns nothing', async () => {
  const db = await open();
  try {
    const budget = createPrivacyBudget(db, { epsilon: 1, delta: 0 });
    const first = await noisyCount(100, { epsilon: 0.7, budget, study: 's3' });
    assert.is(first.budget?.epsilon.spent, 0.7);
    await noisyCount(100, { epsilon: 0.7, budget, study: 's3' }).then(
      () => assert.unreachable('expected a refusal'),
      (err) => assert.instance(err, BudgetExceededError),
    );
    assert.is(budget.status('s3').releases, 1);
    await noisyCount(100, { epsilon: -1, budget, study: 's3' }).then(
      () => assert.unreachable('expected a validation error'),
      (err) => assert.instance(err, ValidationError),
    );
    assert.is(budget.status('s3').releases, 1);
  } finally {
    await db.close();
  }
});

Budget('releases are charged exactly their epsilon: two of 0.5 fill a budget of 1', async () => {
  const db = await open();
  try {
    const budget = createPrivacyBudget(db, { epsilon: 1, delta: 0 });
    await noisyCount(10, { epsilon: 0.5, budget, study: 's5' });
    await noisyCount(10, { epsilon: 0.5, budget, study: 's5' });
    assert.is(budget.status('s5').epsilon.remaining, 0);
    await noisyCount(10, { epsilon: 0.01, budget, study: 's5' }).then(
      () => assert.unreachable('expected a refusal'),
      (err) => assert.instance(err, BudgetExceededError),
    );
  } finally {
    await db.close();
  }
});

Budget('limits are checked; a limit below what is spent is refused', async () => {
  const db = await open();
  try {
    const budget = createPrivacyBudget(db);
    await budget.setLimit('s4', { epsilon: 0, delta: 0 }).then(
      () => assert.unreachable('expected a validation error'),
      (err) => assert.instance(err, ValidationError),
    );
    await budget.charge('s4', { epsilon: 0.5, delta: 0 }, 'sum', 'laplace');
    await budget.setLimit('s4', { epsilon: 0.4, delta: 0 }).then(
      () => assert.unreachable('expected a refusal'),
      (err) => assert.instance(err, ValidationError),
    );
    assert.is((await budget.setLimit('s4', { epsilon: 2, delta: 0 })).epsilon.remaining, 1.5);
  } finally {
    await db.close();
  }
});

Budget.run();
