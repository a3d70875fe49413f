// Writing unsigned LEB128 varints (the reader lives in decode.ts beside its cursor).

/** Bytes `value` takes as a varint. */
@inline export function varintSize(value: u64): usize {
  let n: usize = 1;
  while (value >= 0x80) {
    value >>= 7;
    n++;
  }
  return n;
}

/** Writes `value` as a varint at `p`; returns the address after it. */
@inline export function writeVarint(p: usize, value: u64): usize {
  while (value >= 0x80) {
    store<u8>(p++, <u8>(value | 0x80));
    value >>= 7;
  }
  store<u8>(p++, <u8>value);
  return p;
}
