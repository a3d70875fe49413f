/**
 * The seeded generator both the privacy engine (reproducible output order) and storage (replayable
 * `random()`) use: xoshiro128** (Blackman & Vigna) with splitmix32's finalizer to spread seeds.
 * Storage replays journals through it, so its output must never change.
 */

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** splitmix32's finalizer: a well-mixed 32-bit word from `z`. */
export function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * One xoshiro128** step over the state `s` (four words, not all zero; updated in place).
 *
 * @example
 * const s = Uint32Array.of(mix32(1), mix32(2), mix32(3), mix32(4));
 * xoshiro128ss(s); // the next uniform 32-bit word
 */
export function xoshiro128ss(s: Uint32Array): number {
  const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}
