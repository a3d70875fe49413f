import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32c, crc32cReference } from '../../src/index.ts';

const Crc = suite('checksum/crc32c');
const ascii = (s: string) => new TextEncoder().encode(s);

Crc('matches the published check values', () => {
  // RFC 3720 B.4 and the standard "123456789" check value.
  assert.is(crc32c(ascii('123456789')), 0xe3069283);
  assert.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.is(crc32c(new Uint8Array(0)), 0);
});

Crc('WASM equals the TypeScript reference on any bytes, at any alignment', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), (bytes, skip) => {
      const view = bytes.subarray(Math.min(skip, bytes.length));
      assert.is(crc32c(view), crc32cReference(view));
    }),
    { numRuns: 300 },
  );
});

Crc('continues across chunks and inputs larger than the scratch slice', () => {
  const big = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 2654435761) >>> 24);
  const whole = crc32c(big);
  assert.is(whole, crc32cReference(big));
  assert.is(crc32c(big.subarray(70_000), crc32c(big.subarray(0, 70_000))), whole);
});

Crc('detects a single flipped bit', () => {
  const bytes = ascii('consent:granted:genomic');
  const before = crc32c(bytes);
  bytes[5] ^= 0x10;
  assert.is.not(crc32c(bytes), before);
});

Crc.run();
