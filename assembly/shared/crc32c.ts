// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8.
// The eight 256-entry tables live in a static data segment filled once at start-up.
// Inputs of INTERLEAVE_MIN bytes or more run three independent slicing-by-8 streams over
// three equal chunks (the single stream is latency-bound: each step waits for the last) and
// join them with the GF(2) shift operator, as zlib's crc32_combine does.

const POLY: u32 = 0x82f63b78;
const TABLES: usize = memory.data(8 * 256 * 4, 16);
/** x^(2^n) mod P for n = 0..31, for shifting a CRC past a run of zero bytes. */
const X2N: usize = memory.data(32 * 4, 16);
const INTERLEAVE_MIN: usize = 1536;

function initTables(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    store<u32>(TABLES + (<usize>n << 2), c);
  }
  for (let n: usize = 0; n < 256; n++) {
    let c = load<u32>(TABLES + (n << 2));
    for (let t: usize = 1; t < 8; t++) {
      c = load<u32>(TABLES + ((c & 0xff) << 2)) ^ (c >>> 8);
      store<u32>(TABLES + (t << 10) + (n << 2), c);
    }
  }
  let p: u32 = 1 << 30; // x^1
  for (let n: usize = 0; n < 32; n++) {
    store<u32>(X2N + (n << 2), p);
    p = multModP(p, p);
  }
}

/** a * b modulo P in the reflected representation (x^0 is 0x80000000). */
function multModP(a: u32, b: u32): u32 {
  let m: u32 = 1 << 31;
  let p: u32 = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p;
}

/** x^(8 * bytes) mod P: the operator that appends `bytes` zero bytes to a CRC. */
function shiftOperator(bytes: usize): u32 {
  let p: u32 = 1 << 31;
  let k: usize = 3;
  let n = bytes;
  while (n != 0) {
    if (n & 1) p = multModP(load<u32>(X2N + ((k & 31) << 2)), p);
    n >>= 1;
    k++;
  }
  return p;
}

initTables();

@inline function tab(t: usize, i: u32): u32 {
  return load<u32>(TABLES + (t << 10) + (<usize>(i & 0xff) << 2));
}

@inline function step8(c: u32, p: usize): u32 {
  const lo = load<u32>(p) ^ c;
  const hi = load<u32>(p, 4);
  return tab(7, lo) ^ tab(6, lo >>> 8) ^ tab(5, lo >>> 16) ^ tab(4, lo >>> 24) ^
    tab(3, hi) ^ tab(2, hi >>> 8) ^ tab(1, hi >>> 16) ^ tab(0, hi >>> 24);
}

/** Continues a CRC-32C over `len` bytes at `ptr`; start with `crc = 0`. */
export function crc32cUpdate(crc: u32, ptr: usize, len: usize): u32 {
  let c = ~crc;
  let p = ptr;
  let end = ptr + len;
  while (p < end && (p & 7) != 0) {
    c = tab(0, c ^ <u32>load<u8>(p)) ^ (c >>> 8);
    p++;
  }
  if (end - p >= INTERLEAVE_MIN) {
    const chunk = ((end - p) / 3) & ~(<usize>7);
    let b: u32 = ~0;
    let d: u32 = ~0;
    const stop = p + chunk;
    while (p < stop) {
      c = step8(c, p);
      b = step8(b, p + chunk);
      d = step8(d, p + 2 * chunk);
      p += 8;
    }
    const shift = shiftOperator(chunk);
    c = ~(multModP(shift, multModP(shift, ~c) ^ ~b) ^ ~d);
    p += 2 * chunk;
  }
  const end8 = p + ((end - p) & ~(<usize>7));
  while (p < end8) {
    c = step8(c, p);
    p += 8;
  }
  while (p < end) {
    c = tab(0, c ^ <u32>load<u8>(p)) ^ (c >>> 8);
    p++;
  }
  return ~c;
}
