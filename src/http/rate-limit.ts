/**
 * Per-key token buckets: each authenticated key may make `rate` requests per second on average
 * with bursts up to `burst`. Over the limit -> 429 `rate_limited` with `Retry-After`.
 * Buckets live in a bounded LRU, so a flood of keys cannot grow memory.
 */
import { OverloadedError } from '../shared/errors.ts';
import { LruMap } from '../shared/lru.ts';

export interface RateLimitOptions {
  /** Sustained requests per second per key. */
  rate: number;
  /** Bucket size (largest burst); defaults to one second of `rate`. */
  burst?: number;
  /** Most keys tracked at once. */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** A token-bucket limiter, usable outside HTTP too. */
export class TokenBuckets {
  readonly rate: number;
  readonly burst: number;
  readonly #buckets: LruMap<string, Bucket>;
  readonly #now: () => number;

  constructor({ rate, burst = Math.max(1, rate), maxKeys = 10_000, now = Date.now }: RateLimitOptions) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive number, got ${rate}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    this.rate = rate;
    this.burst = burst;
    this.#buckets = new LruMap(maxKeys);
    this.#now = now;
  }

  /** Takes one token for `key`; returns 0 when allowed, else the seconds until a token is due. */
  take(key: string): number {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedMs: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.rate);
      bucket.updatedMs = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.rate;
  }

  /** Takes one token for `key`, or throws the 429 `rate_limited` error (with `Retry-After`). */
  limit(key: string): void {
    const wait = this.take(key);
    if (wait > 0) throw new OverloadedError(`rate limit of ${this.rate} requests/s exceeded for this key`, wait, 'rate_limited');
  }
}
