// The canonical text of a 16-byte UUID: 36 lowercase ASCII characters, 8-4-4-4-12, both ways.

const HEX: usize = memory.data(512);

function initHex(): void {
  for (let i: u32 = 0; i < 256; i++) {
    const hi = i >> 4;
    const lo = i & 15;
    store<u8>(HEX + (<usize>i << 1), <u8>(hi < 10 ? 48 + hi : 87 + hi));
    store<u8>(HEX + (<usize>i << 1) + 1, <u8>(lo < 10 ? 48 + lo : 87 + lo));
  }
}
initHex();

/** Writes the 36-byte text of the UUID at `src` to `dst`. */
export function writeUuidText(dst: usize, src: usize): void {
  let d = dst;
  for (let i: usize = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) store<u8>(d++, 45); // '-'
    store<u16>(d, load<u16>(HEX + (<usize>load<u8>(src + i) << 1)));
    d += 2;
  }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/**
 * Eight lowercase hex characters (little-endian in `x`) as four bytes, or -1 if any is not
 * one: SWAR range checks on all eight at once, then nibbles paired into bytes.
 */
@inline function hex8(x: u64): i64 {
  if (x & HIGH) return -1;
  // High bit of each byte: at least '0', above '9', at least 'a', above 'f'.
  const digit = ((x + 0x50 * ONES) & ~(x + 0x46 * ONES)) & HIGH;
  const letter = ((x + 0x1f * ONES) & ~(x + 0x19 * ONES)) & HIGH;
  if ((digit | letter) != HIGH) return -1;
  const v = (x & 0x0f0f_0f0f_0f0f_0f0f) + (letter >> 7) * 9;
  const y = ((v << 4) | (v >> 8)) & 0x00ff_00ff_00ff_00ff;
  const z = y | (y >> 8);
  return <i64>((z & 0xffff) | ((z >> 16) & 0xffff_0000));
}

/** Whether the `len` bytes at `src` are a canonical UUID text; if so, writes its 16 bytes to `dst`. */
export function parseUuidText(src: usize, len: usize, dst: usize): bool {
  if (len != 36) return false;
  if (load<u8>(src, 8) != 45 || load<u8>(src, 13) != 45 || load<u8>(src, 18) != 45 || load<u8>(src, 23) != 45) return false;
  const a = hex8(load<u64>(src));
  const b = hex8(<u64>load<u32>(src, 9) | (<u64>load<u32>(src, 14) << 32));
  const c = hex8(<u64>load<u32>(src, 19) | (<u64>load<u32>(src, 24) << 32));
  const d = hex8(load<u64>(src, 28));
  if ((a | b | c | d) < 0) return false;
  store<u32>(dst, <u32>a);
  store<u32>(dst, <u32>b, 4);
  store<u32>(dst, <u32>c, 8);
  store<u32>(dst, <u32>d, 12);
  return true;
}
