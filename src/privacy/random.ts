/**
 * Randomness for the privacy engine. Noise and unseeded shuffles draw from Web Crypto
 * (`crypto.getRandomValues`), never `Math.random`; a seeded generator (xoshiro128**) exists only
 * for reproducible output order and for tests.
 */
import { mix32, xoshiro128ss } from '../shared/xoshiro.ts';

/** A source of uniform 32-bit words. */
export interface RandomSource {
  nextU32(): number;
}

const BATCH = 256;

/**
 * Crypto-grade words from `crypto.getRandomValues`, fetched in batches.
 *
 * @example
 * const rng = createCryptoRandom();
 * uniform53(rng); // in [0, 1)
 */
export function createCryptoRandom(): RandomSource {
  const buf = new Uint32Array(BATCH);
  let at = BATCH;
  return {
    nextU32() {
      if (at === BATCH) {
        crypto.getRandomValues(buf);
        at = 0;
      }
      return buf[at++];
    },
  };
}

/**
 * Deterministic xoshiro128** seeded from `seed` through splitmix32. Not for noise.
 *
 * @example
 * createSeededRandom(42).nextU32() === createSeededRandom(42).nextU32();
 */
export function createSeededRandom(seed: number): RandomSource {
  let x = seed >>> 0;
  const split = (): number => mix32((x = (x + 0x9e3779b9) >>> 0));
  const s = Uint32Array.of(split(), split(), split(), split());
  return { nextU32: () => xoshiro128ss(s) };
}

/** Uniform double in [0, 1) with 53 random bits. */
export function uniform53(rng: RandomSource): number {
  const hi = rng.nextU32() >>> 5;
  const lo = rng.nextU32() >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Uniform integer in [0, n) without modulo bias (n <= 2^32). */
export function uniformInt(rng: RandomSource, n: number): number {
  if (n <= 1) return 0;
  const limit = 0x100000000 - (0x100000000 % n);
  for (;;) {
    const v = rng.nextU32();
    if (v < limit) return v % n;
  }
}

/** Fisher-Yates shuffle of `0 .. n-1` (Lemire's multiply-shift draws, unbiased by rejection). */
export function permutation(n: number, rng: RandomSource): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    let m = rng.nextU32() * bound;
    let low = m % 4294967296;
    if (low < bound) {
      const threshold = (4294967296 - bound) % bound;
      while (low < threshold) {
        m = rng.nextU32() * bound;
        low = m % 4294967296;
      }
    }
    const j = Math.floor(m / 4294967296);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
