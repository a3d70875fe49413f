import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createReferenceLatticeEngine } from '../../src/privacy/reference.ts';
import { engineInput, prepareTable } from '../../src/privacy/table.ts';
import { createWasmLatticeEngine } from '../../src/privacy/wasm.ts';
import { arbitraryCase } from './generators.ts';

const Wasm = suite('privacy/wasm');

Wasm('the WASM lattice engine equals the TypeScript reference on every transformation', () => {
  fc.assert(
    fc.property(arbitraryCase(), (c) => {
      const table = prepareTable(c.dataset, c.config);
      const input = engineInput(table);
      const ref = createReferenceLatticeEngine(input);
      const wasm = createWasmLatticeEngine(input);
      assert.is(wasm.tuples, ref.tuples);
      const heights = table.quasi.map((q) => q.encoded.levels - 1);
      const levels = heights.map(() => 0);
      const visit = (a: number): void => {
        if (a === heights.length) {
          const x = wasm.check(levels, table.k, table.maxSuppressed, true);
          const y = ref.check(levels, table.k, table.maxSuppressed, true);
          assert.equal({ ...x, achieved: x.achieved.map((v) => (Number.isNaN(v) ? null : Number(v.toPrecision(12)))) }, { ...y, achieved: y.achieved.map((v) => (Number.isNaN(v) ? null : Number(v.toPrecision(12)))) });
          assert.equal(wasm.rowsKept(), ref.rowsKept());
          return;
        }
        for (let l = 0; l <= heights[a]; l++) {
          levels[a] = l;
          visit(a + 1);
        }
      };
      visit(0);
    }),
    { numRuns: 80 },
  );
});

Wasm('checks over a roll-up equal checks over the whole table, and fall back below it', () => {
  fc.assert(
    fc.property(arbitraryCase({ models: false }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (c, picks) => {
      const table = prepareTable(c.dataset, c.config);
      const input = engineInput(table);
      const heights = table.quasi.map((q) => q.encoded.levels - 1);
      const meet = heights.map((h, a) => picks[a % 3] % (h + 1));
      const base = createReferenceLatticeEngine(input);
      const wasm = createWasmLatticeEngine(input);
      const classes = wasm.rollUp!(meet, heights, Infinity);
      assert.is(classes, base.check(meet, 1, 0, false).classes);
      const nodes = [meet, heights, heights.map(() => 0), meet.map((l, a) => Math.min(heights[a], l + 1))];
      for (const levels of nodes) {
        const x = wasm.check(levels, table.k, table.maxSuppressed, true);
        const y = base.check(levels, table.k, table.maxSuppressed, true);
        assert.equal(x, y);
      }
      wasm.clearRollUp!();
      wasm.check(meet, table.k, table.maxSuppressed, false);
      assert.equal(wasm.rowsKept(), (base.check(meet, table.k, table.maxSuppressed, false), base.rowsKept()));
    }),
    { numRuns: 60 },
  );
});

Wasm('a newer job retires the previous engine', () => {
  const c = fc.sample(arbitraryCase({ models: false }), { seed: 1, numRuns: 1 })[0];
  const input = engineInput(prepareTable(c.dataset, c.config));
  const first = createWasmLatticeEngine(input);
  createWasmLatticeEngine(input);
  assert.throws(() => first.check(input.quasi.map(() => 0), 1, 0, false), /replaced by a newer job/);
});

Wasm('wide tables take the verified-hash path (keys beyond 64 bits) and agree', () => {
  const columns = Array.from({ length: 12 }, (_, i) => `c${i}`);
  const rows = Array.from({ length: 300 }, (_, r) => columns.map((_, i) => `v${(r * (i + 3) + i * i) % 97}`));
  const quasiIdentifiers = Object.fromEntries(columns.map((c) => [c, Array.from({ length: 97 }, (_, v) => [`v${v}`, `g${v % 5}`, '*'])]));
  const table = prepareTable({ columns, rows }, { quasiIdentifiers, k: 2 });
  const input = engineInput(table);
  const ref = createReferenceLatticeEngine(input);
  const wasm = createWasmLatticeEngine(input);
  for (const levels of [columns.map(() => 0), columns.map((_, i) => i % 2), columns.map(() => 1)]) {
    const x = wasm.check(levels, 2, 10, true);
    const y = ref.check(levels, 2, 10, true);
    assert.equal(x, y);
  }
});

Wasm.run();
