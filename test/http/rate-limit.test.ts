import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenBuckets } from '../../src/http/rate-limit.ts';
import { ADMIN_KEY, createTestApp } from '../helpers/app.ts';

const Buckets = suite('http/rate-limit');

Buckets('a bucket allows its burst, then refills at the rate', () => {
  let now = 0;
  const buckets = new TokenBuckets({ rate: 2, burst: 3, now: () => now });
  assert.equal([buckets.take('a'), buckets.take('a'), buckets.take('a')], [0, 0, 0]);
  assert.is(buckets.take('a'), 0.5);
  assert.is(buckets.take('b'), 0, 'keys are independent');
  now += 500;
  assert.is(buckets.take('a'), 0);
  assert.ok(buckets.take('a') > 0);
  now += 10_000;
  assert.equal([buckets.take('a'), buckets.take('a'), buckets.take('a')], [0, 0, 0], 'never more than the burst');
  assert.ok(buckets.take('a') > 0);
});

Buckets('tracks a bounded number of keys', () => {
  const buckets = new TokenBuckets({ rate: 1, burst: 1, maxKeys: 2, now: () => 0 });
  buckets.take('a');
  buckets.take('b');
  buckets.take('c');
  assert.is(buckets.take('c'), 1, 'c is still limited');
});

Buckets('rejects nonsense settings', () => {
  assert.throws(() => new TokenBuckets({ rate: 0 }), /rate/);
  assert.throws(() => new TokenBuckets({ rate: Number.NaN }), /rate/);
  assert.throws(() => new TokenBuckets({ rate: 1, burst: 0.5 }), /burst/);
});

Buckets('requests beyond HEALTHSYNC_RATE_LIMIT get 429 with Retry-After; other keys and public routes are unaffected', async () => {
  const t = await createTestApp({ HEALTHSYNC_RATE_LIMIT: '3' });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.call('GET', '/admin/keys', { key: ADMIN_KEY })).status);
    assert.equal(statuses, [200, 200, 200, 429, 429]);
    const limited = await t.call('GET', '/admin/keys', { key: ADMIN_KEY });
    assert.is(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.is((await limited.json()).error.code, 'rate_limited');
    assert.is((await t.call('GET', '/admin/keys', { key: await t.keyFor('admin') })).status, 200);
    assert.is((await t.call('GET', '/health')).status, 200);
  } finally {
    await t.close();
  }
});

Buckets.run();
