// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
//
// Table path (any build): slicing-by-16 over sixteen 256-entry tables in a static data segment
// filled once at start-up; inputs of INTERLEAVE_MIN bytes or more run three independent
// slicing-by-8 streams over three equal chunks (one stream is latency-bound) joined with the
// GF(2) shift operator, as zlib's crc32_combine does. Table lookups take their table through
// the load's constant offset, so each costs a shift, a mask and a load.
//
// Sparse path (builds with SIMD, inputs of SPARSE_MIN bytes or more): WASM has no carry-less
// multiply, and table lookups cap out near 1 cycle a byte. Instead the message is first reduced
// modulo a sparse multiple of the polynomial, found by search:
//   Q(y) = y^680 + y^122 + y^80 + y^19 + y^3 + 1,   y = x^8,   P(x) divides Q(x^8).
// Reducing modulo Q only XORs the message with byte-shifted copies of itself: in pull form,
// r[j] = m[j] ^ r[j-558] ^ r[j-600] ^ r[j-661] ^ r[j-677] ^ r[j-680] for the positions that are
// eliminated (all but the last 680 bytes), 16 bytes at a time; the last 680 bytes, plus what
// the eliminated positions fold into them, are M mod Q, whose CRC (tables) is the CRC of the
// message, since M ≡ M mod Q (mod P). The shortest distance (558 bytes, 35 blocks) keeps every
// load clear of the stores still in flight. A CRC register to continue from is XORed into the
// first four bytes, which is what a table-driven CRC does with its register.

const POLY: u32 = 0x82f63b78;
const TABLES: usize = memory.data(16 * 256 * 4, 64);
/** x^(2^n) mod P for n = 0..31, for shifting a CRC past a run of zero bytes. */
const X2N: usize = memory.data(32 * 4, 16);
const INTERLEAVE_MIN: usize = 1536;

/** Inputs from this length take the sparse path (where the build has SIMD). */
const SPARSE_MIN: usize = 2048;
/** Degree of Q in bytes: the length of the remainder. */
const SPARSE_DEGREE: usize = 680;
/** Reduced bytes kept from one chunk to the next (SPARSE_DEGREE rounded up to 16). */
const HISTORY: usize = 688;
const CHUNK: usize = 8192;
/** HISTORY bytes of earlier results, then one chunk of new ones. */
const WINDOW: usize = memory.data(<i32>(HISTORY + CHUNK), 16);
const REMAINDER: usize = memory.data(<i32>SPARSE_DEGREE, 16);

function initTables(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    store<u32>(TABLES + (<usize>n << 2), c);
  }
  for (let n: usize = 0; n < 256; n++) {
    let c = load<u32>(TABLES + (n << 2));
    for (let t: usize = 1; t < 16; t++) {
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

@inline function byteStep(c: u32, b: u32): u32 {
  return load<u32>(<usize>(((c ^ b) & 0xff) << 2), TABLES) ^ (c >>> 8);
}

/** Eight bytes at `p` through the eight tables; the table sits in each load's constant offset. */
@inline function step8(c: u32, p: usize): u32 {
  const lo = load<u32>(p) ^ c;
  const hi = load<u32>(p, 4);
  return load<u32>(<usize>((lo << 2) & 0x3fc), TABLES + 7168) ^
    load<u32>(<usize>((lo >>> 6) & 0x3fc), TABLES + 6144) ^
    load<u32>(<usize>((lo >>> 14) & 0x3fc), TABLES + 5120) ^
    load<u32>(<usize>((lo >>> 22) & 0x3fc), TABLES + 4096) ^
    load<u32>(<usize>((hi << 2) & 0x3fc), TABLES + 3072) ^
    load<u32>(<usize>((hi >>> 6) & 0x3fc), TABLES + 2048) ^
    load<u32>(<usize>((hi >>> 14) & 0x3fc), TABLES + 1024) ^
    load<u32>(<usize>((hi >>> 22) & 0x3fc), TABLES);
}

/** Sixteen bytes at `p` through the sixteen tables: half the dependent steps of slicing-by-8. */
@inline function step16(c: u32, p: usize): u32 {
  const a = load<u32>(p) ^ c;
  const b = load<u32>(p, 4);
  const d = load<u32>(p, 8);
  const e = load<u32>(p, 12);
  return load<u32>(<usize>((a << 2) & 0x3fc), TABLES + 15360) ^
    load<u32>(<usize>((a >>> 6) & 0x3fc), TABLES + 14336) ^
    load<u32>(<usize>((a >>> 14) & 0x3fc), TABLES + 13312) ^
    load<u32>(<usize>((a >>> 22) & 0x3fc), TABLES + 12288) ^
    load<u32>(<usize>((b << 2) & 0x3fc), TABLES + 11264) ^
    load<u32>(<usize>((b >>> 6) & 0x3fc), TABLES + 10240) ^
    load<u32>(<usize>((b >>> 14) & 0x3fc), TABLES + 9216) ^
    load<u32>(<usize>((b >>> 22) & 0x3fc), TABLES + 8192) ^
    load<u32>(<usize>((d << 2) & 0x3fc), TABLES + 7168) ^
    load<u32>(<usize>((d >>> 6) & 0x3fc), TABLES + 6144) ^
    load<u32>(<usize>((d >>> 14) & 0x3fc), TABLES + 5120) ^
    load<u32>(<usize>((d >>> 22) & 0x3fc), TABLES + 4096) ^
    load<u32>(<usize>((e << 2) & 0x3fc), TABLES + 3072) ^
    load<u32>(<usize>((e >>> 6) & 0x3fc), TABLES + 2048) ^
    load<u32>(<usize>((e >>> 14) & 0x3fc), TABLES + 1024) ^
    load<u32>(<usize>((e >>> 22) & 0x3fc), TABLES);
}

/** Continues the register `c` (not inverted) over `len` bytes at `ptr` with the tables. */
function tableUpdate(c: u32, ptr: usize, len: usize): u32 {
  let p = ptr;
  const end = ptr + len;
  while (p < end && (p & 7) != 0) c = byteStep(c, <u32>load<u8>(p++));
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
  const end16 = p + ((end - p) & ~(<usize>15));
  while (p < end16) {
    c = step16(c, p);
    p += 16;
  }
  if (end - p >= 8) {
    c = step8(c, p);
    p += 8;
  }
  while (p < end) c = byteStep(c, <u32>load<u8>(p++));
  return c;
}

/** XORs the `len` bytes at `src` into those at `dst`. */
@inline function xorInto(dst: usize, src: usize, len: usize): void {
  let j: usize = 0;
  for (; j + 16 <= len; j += 16) v128.store(dst + j, v128.xor(v128.load(dst + j), v128.load(src + j)));
  for (; j < len; j++) store<u8>(dst + j, load<u8>(dst + j) ^ load<u8>(src + j));
}

/** The register `c` (not inverted) continued over `len` >= SPARSE_MIN bytes at `ptr`, via Q. */
function sparseUpdate(c: u32, ptr: usize, len: usize): u32 {
  const eliminated = len - SPARSE_DEGREE;
  memory.fill(WINDOW, 0, HISTORY);
  // Result r[j] of chunk base `base` lives at WINDOW + HISTORY + j - base. The first block takes
  // the register; the ones before it are zero.
  v128.store(WINDOW, v128.xor(v128.load(ptr), i32x4.replace_lane(i32x4.splat(0), 0, c)), HISTORY);
  let base: usize = 0;
  let k: usize = 16;
  for (;;) {
    const left = eliminated - base;
    const stop = left < CHUNK ? left : CHUNK;
    const m = ptr + base;
    // Loads at WINDOW + k + HISTORY - distance: r[j - 680], r[j - 677], r[j - 661], r[j - 600], r[j - 558].
    for (; k < stop; k += 16) {
      const s = WINDOW + k;
      let x = v128.load(m + k);
      x = v128.xor(x, v128.load(s, 8));
      x = v128.xor(x, v128.load(s, 11));
      x = v128.xor(x, v128.load(s, 27));
      x = v128.xor(x, v128.load(s, 88));
      x = v128.xor(x, v128.load(s, 130));
      v128.store(s, x, HISTORY);
    }
    if (left <= CHUNK) break;
    memory.copy(WINDOW, WINDOW + CHUNK, HISTORY);
    base += CHUNK;
    k = 0;
  }
  // The remainder: the last SPARSE_DEGREE bytes, plus each eliminated byte folded in at its
  // distances (r[eliminated - d .. eliminated) lands on the first d bytes).
  memory.copy(REMAINDER, ptr + eliminated, SPARSE_DEGREE);
  const r = WINDOW + HISTORY + eliminated - base;
  xorInto(REMAINDER, r - 680, 680);
  xorInto(REMAINDER, r - 677, 677);
  xorInto(REMAINDER, r - 661, 661);
  xorInto(REMAINDER, r - 600, 600);
  xorInto(REMAINDER, r - 558, 558);
  // The eliminated positions are now zero: a register of 0 stays 0 across them.
  return tableUpdate(0, REMAINDER, SPARSE_DEGREE);
}

/** Continues a CRC-32C over `len` bytes at `ptr`; start with `crc = 0`. */
export function crc32cUpdate(crc: u32, ptr: usize, len: usize): u32 {
  if (ASC_FEATURE_SIMD) {
    if (len >= SPARSE_MIN) return ~sparseUpdate(~crc, ptr, len);
  }
  return ~tableUpdate(~crc, ptr, len);
}
