// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) that
// also counts UTF-16 code units, which is how the frame states string lengths.

/** Where the last `utf16Length` call found invalid UTF-8. */
export let utf8ErrorAt: usize = 0;
/** Whether the last valid text held a character above U+FFFF (a surrogate pair in UTF-16). */
export let utf8HasPairs: bool = false;

@inline function isCont(b: u32): bool {
  return (b & 0xc0) == 0x80;
}

/** UTF-16 length of the UTF-8 bytes at [ptr, ptr + len), or -1 if they are not valid UTF-8. */
export function utf16Length(ptr: usize, len: usize): i64 {
  let p = ptr;
  const end = ptr + len;
  let units: i64 = 0;
  utf8HasPairs = false;
  while (p < end) {
    if (end - p >= 8 && (load<u64>(p) & 0x8080_8080_8080_8080) == 0) {
      p += 8;
      units += 8;
      continue;
    }
    const b0 = <u32>load<u8>(p);
    if (b0 < 0x80) {
      p += 1;
      units += 1;
      continue;
    }
    const left = end - p;
    if (b0 >= 0xc2 && b0 < 0xe0) {
      if (left >= 2 && isCont(<u32>load<u8>(p, 1))) {
        p += 2;
        units += 1;
        continue;
      }
    } else if (b0 >= 0xe0 && b0 < 0xf0) {
      if (left >= 3) {
        const b1 = <u32>load<u8>(p, 1);
        const lo: u32 = b0 == 0xe0 ? 0xa0 : 0x80;
        const hi: u32 = b0 == 0xed ? 0x9f : 0xbf;
        if (b1 >= lo && b1 <= hi && isCont(<u32>load<u8>(p, 2))) {
          p += 3;
          units += 1;
          continue;
        }
      }
    } else if (b0 >= 0xf0 && b0 < 0xf5) {
      if (left >= 4) {
        const b1 = <u32>load<u8>(p, 1);
        const lo: u32 = b0 == 0xf0 ? 0x90 : 0x80;
        const hi: u32 = b0 == 0xf4 ? 0x8f : 0xbf;
        if (b1 >= lo && b1 <= hi && isCont(<u32>load<u8>(p, 2)) && isCont(<u32>load<u8>(p, 3))) {
          p += 4;
          units += 2;
          utf8HasPairs = true;
          continue;
        }
      }
    }
    utf8ErrorAt = p;
    return -1;
  }
  return units;
}

/**
 * Checks that no string boundary falls between the two halves of a surrogate pair: `starts`
 * holds `count + 1` ascending UTF-16 offsets. Returns the byte address of the first
 * four-byte sequence that a boundary splits, or 0. The text is known to be valid UTF-8.
 */
export function findSplitPair(ptr: usize, len: usize, starts: usize, count: usize): usize {
  let p = ptr;
  const end = ptr + len;
  let unit: u32 = 0;
  let k: usize = 0;
  while (p < end) {
    const b0 = <u32>load<u8>(p);
    if (b0 >= 0xf0) {
      // The pair occupies units [unit, unit + 2); a boundary at unit + 1 splits it.
      const mid = unit + 1;
      while (k <= count && load<u32>(starts + (k << 2)) < mid) k++;
      if (k <= count && load<u32>(starts + (k << 2)) == mid) return p;
      p += 4;
      unit += 2;
    } else {
      p += b0 < 0x80 ? 1 : b0 < 0xe0 ? 2 : 3;
      unit += 1;
    }
  }
  return 0;
}

/**
 * Bytes that `units` UTF-16 code units take in the valid UTF-8 at `ptr` (as written by
 * TextEncoder), reading no further than `end`.
 */
export function utf8BytesOf(ptr: usize, units: usize, end: usize): usize {
  let p = ptr;
  let left = units;
  while (left >= 8 && end - p >= 8 && (load<u64>(p) & 0x8080_8080_8080_8080) == 0) {
    p += 8;
    left -= 8;
  }
  while (left > 0 && p < end) {
    const b0 = <u32>load<u8>(p);
    if (b0 < 0x80) {
      p += 1;
      left -= 1;
    } else if (b0 < 0xe0) {
      p += 2;
      left -= 1;
    } else if (b0 < 0xf0) {
      p += 3;
      left -= 1;
    } else {
      p += 4;
      left -= left >= 2 ? 2 : left;
    }
  }
  return (p < end ? p : end) - ptr;
}
