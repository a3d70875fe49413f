import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32c, crc32cReference, sha256, sha256Hex } from '../../src/index.ts';
import { toHex } from '../../src/shared/crypto.ts';

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

const Sha = suite('checksum/sha256');

Sha('matches the FIPS 180-4 examples', () => {
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.is(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
  assert.is(toHex(sha256(new Uint8Array(1_000_000).fill(0x61))), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
});

Sha('equals Web Crypto on any bytes, across every padding boundary', async () => {
  for (let len = 0; len <= 200; len++) {
    const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 0xff);
    const expected = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
    assert.is(toHex(sha256(bytes)), expected, `length ${len}`);
  }
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), async (bytes) => {
      assert.is(toHex(sha256(bytes)), toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))));
    }),
    { numRuns: 200 },
  );
});

Sha.run();
