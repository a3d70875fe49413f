import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createShardRouter, shardFor } from '../../src/storage/sharding.ts';

/** Jump consistent hash over FNV-1a 64, with BigInt: the oracle for the 32-bit-halves version. */
function reference(key: string, n: number): number {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < key.length; i++) h = ((h ^ BigInt(key.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  let b = -1;
  let j = 0;
  while (j < n) {
    b = j;
    h = (h * 2862933555777941757n + 1n) & 0xffffffffffffffffn;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(h >> 33n) + 1)));
  }
  return b;
}

const Shard = suite('storage/sharding');

Shard('matches the BigInt reference for any key and shard count', () => {
  fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 5000 }), (key, n) => {
    assert.is(shardFor(key, n), reference(key, n));
  }), { numRuns: 2000 });
});

Shard('spreads keys evenly and moves only ~1/(n+1) of them when a shard is added', () => {
  const counts = new Array(8).fill(0);
  for (let i = 0; i < 80_000; i++) counts[shardFor(`patient-${i}`, 8)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `shard holds ${c}`);
  let moved = 0;
  for (let i = 0; i < 50_000; i++) {
    const before = shardFor(`patient-${i}`, 8);
    const after = shardFor(`patient-${i}`, 9);
    if (before !== after) {
      moved++;
      assert.is(after, 8, 'a key only ever moves to the new shard');
    }
  }
  assert.ok(Math.abs(moved / 50_000 - 1 / 9) < 0.01, `moved ${moved}`);
});

Shard('rejects bad shard counts', () => {
  assert.throws(() => shardFor('k', 0), RangeError);
  assert.throws(() => shardFor('k', 1.5), RangeError);
});

Shard('the router names shards and hands out the owning stub', () => {
  const seen: string[] = [];
  const namespace = {
    idFromName: (name: string) => ({ name }),
    get: (id: never) => {
      seen.push((id as { name: string }).name);
      return { name: (id as { name: string }).name };
    },
  };
  const router = createShardRouter(namespace, { shardCount: 4, prefix: 'consent' });
  const stub = router.stubFor('patient-7');
  assert.is(stub.name, `consent-${shardFor('patient-7', 4)}`);
  assert.equal(router.all().map((s) => s.name), ['consent-0', 'consent-1', 'consent-2', 'consent-3']);
});

Shard.run();
