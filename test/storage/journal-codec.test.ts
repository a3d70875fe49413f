import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SqlValue } from '../../src/storage/index.ts';
import { decodeRecord, FRAME_HEADER, RecordBuilder, scanFrames } from '../../src/storage/journal-codec.ts';

const value: fc.Arbitrary<SqlValue> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.double({ noNaN: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ maxLength: 300 }),
  fc.boolean(),
  fc.uint8Array({ maxLength: 50 }),
);

const Codec = suite('storage/journal-codec');

Codec('property: records round-trip (statements, batches, scripts, named parameters, seeds)', () => {
  fc.assert(fc.property(
    fc.nat(1e9), fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined }),
    fc.array(fc.array(value, { maxLength: 5 }), { maxLength: 5 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 3, noNullPrototype: true }),
    (seq, seed, rows, named) => {
      const b = new RecordBuilder();
      b.seed = seed;
      b.run('INSERT INTO t VALUES (?)', 1700000000123, 1, rows[0]);
      b.batch('INSERT INTO t VALUES (?, ?)', 42.5, rows.length, rows);
      b.run('UPDATE t SET a = :a', 7, 3, named);
      b.exec('CREATE TABLE x (a); CREATE TABLE y (b)', 8);
      const entry = b.finish(seq + 1);
      const [payload] = scanFrames(entry.frame, 'test').payloads;
      const record = decodeRecord(payload);
      assert.is(record.seq, seq + 1);
      assert.equal(record.seed, seed);
      assert.equal(record.ops, [
        { kind: 'run', sql: 'INSERT INTO t VALUES (?)', clock: 1700000000123, changes: 1, params: rows[0] },
        { kind: 'batch', sql: 'INSERT INTO t VALUES (?, ?)', clock: 42.5, changes: rows.length, rows },
        { kind: 'run', sql: 'UPDATE t SET a = :a', clock: 7, changes: 3, params: named },
        { kind: 'exec', sql: 'CREATE TABLE x (a); CREATE TABLE y (b)', clock: 8, changes: 0 },
      ].map((op) => (op.kind === 'run' && op.params === undefined ? { ...op, params: undefined } : op)));
    },
  ), { numRuns: 200 });
});

function frames(n: number): Uint8Array {
  const parts = Array.from({ length: n }, (_, i) => {
    const b = new RecordBuilder();
    b.run('SELECT ?', 0, 0, [i]);
    return b.finish(i + 1).frame;
  });
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

Codec('scanFrames: any cut of the last frame is a torn tail at its start', () => {
  const all = frames(3);
  const lastStart = all.length - (all.length / 3);
  for (let cut = lastStart + 1; cut < all.length; cut++) {
    const scan = scanFrames(all.subarray(0, cut), 'j');
    assert.is(scan.payloads.length, 2);
    assert.is(scan.tail?.offset, lastStart);
    assert.is(scan.validLength, lastStart);
  }
});

Codec('scanFrames: a damaged frame followed by a good one is corruption, never a tail', () => {
  const all = frames(4);
  const size = all.length / 4;
  for (const at of [0, 4, 8, FRAME_HEADER + 2, size - 1, size + 5]) {
    const bad = all.slice();
    bad[at] ^= 0x01;
    assert.throws(() => scanFrames(bad, 'journal-x.hsj'), /journal-x\.hsj: corrupt record at byte \d+/);
  }
  const lastDamaged = all.slice();
  lastDamaged[all.length - 2] ^= 1;
  assert.is(scanFrames(lastDamaged, 'j').tail?.reason, 'checksum mismatch');
});

Codec.run();
