/**
 * Sharding a database across Durable Objects by key (e.g. patient id), so no single object
 * holds everything: `shardFor` maps a key to one of `shardCount` shards with jump consistent
 * hashing (Lamping & Veach 2014) — growing from n to n+1 shards moves only 1/(n+1) of the keys —
 * and `createShardRouter` turns a shard into the Durable Object stub that owns it.
 */

/** FNV-1a (64-bit, as two 32-bit halves) over the UTF-16 code units of `key`. */
function hash64(key: string): [number, number] {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < key.length; i++) {
    lo ^= key.charCodeAt(i);
    // (hi:lo) *= 0x100000001b3
    const l = lo & 0xffff;
    const h = lo >>> 16;
    const mLo = l * 0x1b3;
    const mMid = h * 0x1b3 + (mLo >>> 16);
    const newLo = ((mMid & 0xffff) << 16) | (mLo & 0xffff);
    const carry = Math.floor(mMid / 0x10000);
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) >>> 0;
    lo = newLo >>> 0;
  }
  return [hi >>> 0, lo >>> 0];
}

/**
 * The shard (0 .. shardCount-1) that owns `key`. Stable across processes and runtimes.
 *
 * @example
 * shardFor('patient-42', 16) // the same number on every call, every host
 */
export function shardFor(key: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError('shardCount must be a positive integer');
  if (typeof key !== 'string') throw new TypeError('shard key must be a string');
  let [hi, lo] = hash64(key);
  let b = -1;
  let j = 0;
  while (j < shardCount) {
    b = j;
    // key = key * 2862933555777941757 + 1 (mod 2^64), in 32-bit halves.
    const M_HI = 0x27bb2ee6;
    const M_LO = 0x87b0b0fd;
    const loLo = (lo & 0xffff) * (M_LO & 0xffff);
    const loMid = (lo >>> 16) * (M_LO & 0xffff) + (lo & 0xffff) * (M_LO >>> 16);
    const lowSum = loLo + (loMid % 0x10000) * 0x10000;
    const newLo = lowSum % 0x100000000;
    const carry = Math.floor(lowSum / 0x100000000) + Math.floor(loMid / 0x10000) + (lo >>> 16) * (M_LO >>> 16);
    const newHi = (Math.imul(hi, M_LO) + Math.imul(lo, M_HI) + carry) >>> 0;
    lo = (newLo + 1) >>> 0;
    hi = lo === 0 ? (newHi + 1) >>> 0 : newHi;
    // j = (b + 1) * (2^31 / ((key >>> 33) + 1))
    j = Math.floor((b + 1) * (0x80000000 / ((hi >>> 1) + 1)));
  }
  return b;
}

/** The part of a Durable Object namespace binding the router uses. */
export interface DurableObjectNamespaceLike<Stub> {
  idFromName(name: string): unknown;
  get(id: never): Stub;
}

export interface ShardRouter<Stub> {
  readonly shardCount: number;
  shardFor(key: string): number;
  /** The Durable Object name of shard `shard` (`<prefix>-<shard>`). */
  nameFor(shard: number): string;
  /** The stub of the Durable Object owning `key`. */
  stubFor(key: string): Stub;
  /** Every shard's stub, for the rare query that must visit all of them. */
  all(): Stub[];
}

/**
 * @example
 * const shards = createShardRouter(env.HEALTHSYNC, { shardCount: 16 });
 * return shards.stubFor(patientId).fetch(request);
 */
export function createShardRouter<Stub>(namespace: DurableObjectNamespaceLike<Stub>, options: { shardCount: number; prefix?: string }): ShardRouter<Stub> {
  const { shardCount, prefix = 'shard' } = options;
  shardFor('', shardCount); // validates shardCount
  const nameFor = (shard: number) => `${prefix}-${shard}`;
  const stub = (shard: number) => namespace.get(namespace.idFromName(nameFor(shard)) as never);
  return {
    shardCount,
    shardFor: (key) => shardFor(key, shardCount),
    nameFor,
    stubFor: (key) => stub(shardFor(key, shardCount)),
    all: () => Array.from({ length: shardCount }, (_, i) => stub(i)),
  };
}
