// The canonical text of a 16-byte UUID: 36 lowercase ASCII characters, 8-4-4-4-12, both ways.

/** The 16 lowercase hex digits, as a vector for `i8x16.swizzle`. */
const DIGITS = i8x16(48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102);

/**
 * Writes the 36-byte text of the UUID at `src` to `dst`: each byte's two nibbles become hex
 * digits through one table lookup per 16 digits, then shuffles put them in 8-4-4-4-12 order.
 * Writes 48 bytes at `dst` (the last 12 are scratch the next id overwrites).
 */
export function writeUuidText(dst: usize, src: usize): void {
  const v = v128.load(src);
  const high = i8x16.swizzle(DIGITS, v128.and(i16x8.shr_u(v, 4), i8x16.splat(15)));
  const low = i8x16.swizzle(DIGITS, v128.and(v, i8x16.splat(15)));
  // Digits 0..15 (bytes 0..7) and 16..31 (bytes 8..15), high nibble first.
  const a = i8x16.shuffle(high, low, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const b = i8x16.shuffle(high, low, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  // Text 0..15: digits 0-7 '-' 8-11 '-' 12-13; text 16..31: digits 14-15 '-' 16-19 '-' 20-27;
  // text 32..35: digits 28-31. Dash slots take any lane and are overwritten below.
  v128.store(dst, i8x16.shuffle(a, a, 0, 1, 2, 3, 4, 5, 6, 7, 0, 8, 9, 10, 11, 0, 12, 13));
  v128.store(dst, i8x16.shuffle(a, b, 14, 15, 0, 16, 17, 18, 19, 0, 20, 21, 22, 23, 24, 25, 26, 27), 16);
  v128.store(dst, i8x16.shuffle(b, b, 12, 13, 14, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 32);
  store<u8>(dst, 45, 8); // '-'
  store<u8>(dst, 45, 13);
  store<u8>(dst, 45, 18);
  store<u8>(dst, 45, 23);
}

/**
 * Whether the `len` bytes at `src` are a canonical UUID text (lowercase hex, 8-4-4-4-12); if
 * so, writes its 16 bytes to `dst`. The 32 digits are gathered into two vectors by shuffles,
 * range-checked and paired into bytes 16 at a time.
 */
export function parseUuidText(src: usize, len: usize, dst: usize): bool {
  if (len != 36) return false;
  if (load<u8>(src, 8) != 45 || load<u8>(src, 13) != 45 || load<u8>(src, 18) != 45 || load<u8>(src, 23) != 45) return false;
  const a = v128.load(src); // text 0..15
  const b = v128.load(src, 16); // text 16..31
  const c = v128.load(src, 20); // text 20..35
  // Digits 0-15: text 0-7, 9-12, 14-17; digits 16-31: text 19-22, 24-35.
  const d0 = i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17);
  const d1 = i8x16.shuffle(b, c, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 28, 29, 30, 31);
  const n0 = nibbles(d0);
  const n1 = nibbles(d1);
  if (!i8x16.all_true(i8x16.lt_u(v128.or(n0, n1), i8x16.splat(16)))) return false;
  // Pairs of nibbles (high first) into bytes: each 16-bit lane holds (high, low).
  const b0 = v128.or(i16x8.shl(v128.and(n0, i16x8.splat(0xff)), 4), i16x8.shr_u(n0, 8));
  const b1 = v128.or(i16x8.shl(v128.and(n1, i16x8.splat(0xff)), 4), i16x8.shr_u(n1, 8));
  v128.store(dst, i8x16.narrow_i16x8_u(b0, b1));
  return true;
}

/** The value of each lowercase hex digit in `d`, and 0xff where a byte is not one. */
@inline function nibbles(d: v128): v128 {
  const digit = i8x16.sub(d, i8x16.splat(48)); // '0'..'9' -> 0..9
  const letter = i8x16.sub(d, i8x16.splat(87)); // 'a'..'f' -> 10..15
  const isDigit = i8x16.lt_u(digit, i8x16.splat(10));
  const isLetter = v128.and(i8x16.ge_u(letter, i8x16.splat(10)), i8x16.lt_u(letter, i8x16.splat(16)));
  return v128.or(v128.or(v128.and(isDigit, digit), v128.and(isLetter, letter)), v128.not(v128.or(isDigit, isLetter)));
}
