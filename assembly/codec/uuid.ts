// The canonical text of a 16-byte UUID: 36 lowercase ASCII characters, 8-4-4-4-12.

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
