/**
 * Makes journal replay reproduce exactly what a write did. The journal records statements and
 * their parameters, so everything SQLite computes by itself during a write must come out the
 * same when the statement runs again at start-up:
 *
 * - time (`datetime('now')`, `CURRENT_TIMESTAMP`, defaults using them): sql.js asks
 *   `Date.now()` (emscripten's clock), so the clock is pinned to a recorded millisecond while a
 *   write statement runs, and pinned to the same value on replay;
 * - `random()` and `randomblob(n)`: replaced by a xoshiro128** generator that, during a write,
 *   starts from a per-transaction 128-bit seed (drawn from `crypto` on first use and journaled)
 *   mixed with the statement's index.
 */

import { mix32, xoshiro128ss } from '../shared/xoshiro.ts';

const realNow = Date.now;

/**
 * Runs `fn` with `Date.now()` pinned to `ms`. Only SQLite runs inside (synchronously), so
 * nothing else observes the pinned clock.
 */
export function withClock<T>(ms: number, fn: () => T): T {
  Date.now = () => ms;
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

/** The real wall clock, whatever `withClock` is doing. */
export function wallClock(): number {
  return realNow();
}

/** Supplies a write's 16-byte seed (creating and journaling it on first use), or throws. */
export type SeedSource = () => Uint8Array;

/** The generator behind the database's `random()` and `randomblob()`. */
export class SqlRandom {
  readonly #s = new Uint32Array(4);
  #source: SeedSource | undefined;
  #op = 0;
  #seeded = false;

  constructor() {
    crypto.getRandomValues(this.#s);
  }

  /** Subsequent draws (until `end()`) derive from `source()` and `op`, the statement index. */
  begin(source: SeedSource, op: number): void {
    this.#source = source;
    this.#op = op;
    this.#seeded = false;
  }

  /** Back to crypto-seeded draws for reads. */
  end(): void {
    // A write's draws are recorded; continuing from its state would make reads predictable.
    if (this.#seeded) crypto.getRandomValues(this.#s);
    this.#source = undefined;
    this.#seeded = false;
  }

  /** A uniformly distributed signed 64-bit integer, like SQLite's `random()`. */
  int64(): bigint {
    const hi = this.#next();
    const lo = this.#next();
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  /** `n` random bytes, like SQLite's `randomblob(n)` (n < 1 gives one byte, as SQLite does). */
  bytes(n: number): Uint8Array {
    const len = Math.max(1, Math.floor(n) || 0);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i += 4) {
      const v = this.#next();
      for (let k = 0; k < 4 && i + k < len; k++) out[i + k] = v >>> (k * 8);
    }
    return out;
  }

  #next(): number {
    if (this.#source && !this.#seeded) this.#seed(this.#source(), this.#op);
    return xoshiro128ss(this.#s);
  }

  #seed(seed: Uint8Array, op: number): void {
    const view = new DataView(seed.buffer, seed.byteOffset, 16);
    // splitmix32 over the seed words, with the statement index folded into the first.
    let x = (view.getUint32(0, true) ^ Math.imul(op + 1, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9 + (i ? view.getUint32(i * 4, true) : 0)) >>> 0;
      this.#s[i] = mix32(x);
    }
    if ((this.#s[0] | this.#s[1] | this.#s[2] | this.#s[3]) === 0) this.#s[0] = 1;
    this.#seeded = true;
  }
}
