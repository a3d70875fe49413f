/**
 * The histogram contract, written once and run against every implementation (the WASM
 * histogram and the pure-TypeScript reference), as Hono does for its routers.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HistogramError, ValidationError, type Histogram, type HistogramOptions } from '../../src/index.ts';
import { DISTRIBUTIONS, exactQuantile, QS, relErr, sample } from './oracle.ts';

export interface Implementation {
  name: string;
  create(options?: HistogramOptions): Histogram;
  deserialize(bytes: Uint8Array): Histogram;
}

const SLACK = 1e-12;

export function runHistogramContract(impl: Implementation): void {
  const Contract = suite(`metrics/histogram contract: ${impl.name}`);

  Contract('every quantile is within the relative error of the exact sorted-array quantile', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DISTRIBUTIONS),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer(),
        fc.constantFrom(0.001, 0.005, 0.01, 0.02, 0.05),
        fc.boolean(),
        (dist, n, seed, relativeError, batched) => {
          const values = sample(dist, n, seed);
          using h = impl.create({ relativeError });
          if (batched) h.recordBatch(values);
          else for (const v of values) h.record(v);
          const sorted = values.slice().sort();
          assert.is(h.count, n);
          assert.is(h.min, sorted[0]);
          assert.is(h.max, sorted[n - 1]);
          const got = h.quantiles(QS);
          QS.forEach((q, i) => {
            const exact = exactQuantile(sorted, q);
            const err = relErr(got[i], exact);
            if (err > relativeError + SLACK) assert.unreachable(`${dist} n=${n} q=${q}: ${got[i]} vs ${exact} (error ${err})`);
            assert.is(h.valueAtQuantile(q), got[i]);
          });
          const mean = values.reduce((a, b) => a + b, 0) / n;
          assert.ok(Math.abs(h.mean - mean) <= 1e-9 * Math.max(1, Math.abs(mean)), `mean ${h.mean} vs ${mean}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  Contract('arbitrary doubles (zero included) stay within the bound', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-300, max: 3.6e9, noNaN: true })), { minLength: 1, maxLength: 300 }), (arr) => {
        using h = impl.create();
        h.recordBatch(arr);
        const sorted = Float64Array.from(arr).sort();
        for (const q of QS) {
          const exact = exactQuantile(sorted, q);
          assert.ok(relErr(h.valueAtQuantile(q), exact) <= 0.01 + SLACK, `q=${q}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  Contract('merge(a, b) equals recording everything into one, in any order', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DISTRIBUTIONS), fc.constantFrom(...DISTRIBUTIONS), fc.integer(), fc.nat(2000), fc.nat(2000), (da, db, seed, na, nb) => {
        const a = sample(da, na, seed);
        const b = sample(db, nb, seed + 1);
        using ha = impl.create();
        using hb = impl.create();
        using all = impl.create();
        ha.recordBatch(a);
        hb.recordBatch(b);
        all.recordBatch(a);
        all.recordBatch(b);
        using ab = impl.create();
        ab.merge(ha).merge(hb);
        using ba = impl.create();
        ba.merge(hb).merge(ha);
        for (const m of [ab, ba]) {
          assert.is(m.count, all.count);
          if (all.count === 0) continue;
          assert.is(m.min, all.min);
          assert.is(m.max, all.max);
          assert.equal(Array.from(m.quantiles(QS)), Array.from(all.quantiles(QS)));
          assert.ok(Math.abs(m.sum - all.sum) <= 1e-9 * Math.abs(all.sum) + 1e-9);
        }
      }),
      { numRuns: 100 },
    );
  });

  Contract('recordBatch(values) is bit for bit the same as recording each value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DISTRIBUTIONS), fc.integer(), fc.nat(2000), fc.nat(2000), (dist, seed, n, split) => {
        const values = sample(dist, n, seed);
        using one = impl.create();
        using batched = impl.create();
        for (const v of values) one.record(v);
        batched.recordBatch(values.subarray(0, Math.min(split, n)));
        batched.recordBatch(values.subarray(Math.min(split, n)));
        assert.equal(batched.serialize(), one.serialize());
        assert.is(Object.is(batched.stddev, one.stddev), true);
      }),
      { numRuns: 100 },
    );
  });

  Contract('serialize / deserialize round-trips exactly', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DISTRIBUTIONS), fc.integer(), fc.nat(3000), (dist, seed, n) => {
        using h = impl.create();
        h.recordBatch(sample(dist, n, seed));
        if (n % 3 === 0) h.record(0);
        const bytes = h.serialize();
        using copy = impl.deserialize(bytes);
        assert.equal(copy.serialize(), bytes);
        assert.is(copy.count, h.count);
        if (h.count) assert.equal(Array.from(copy.quantiles(QS)), Array.from(h.quantiles(QS)));
        assert.is(copy.relativeError, h.relativeError);
        assert.is(copy.maxValue, h.maxValue);
      }),
      { numRuns: 100 },
    );
  });

  Contract('corrupt or truncated bytes throw HistogramError and never crash', () => {
    using h = impl.create();
    h.recordBatch(sample('logNormal', 500, 7));
    h.record(0);
    const bytes = h.serialize();
    for (let len = 0; len < bytes.length; len++) {
      assert.throws(() => impl.deserialize(bytes.subarray(0, len)), (e: unknown) => e instanceof HistogramError);
    }
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bad = bytes.slice();
        bad[at] ^= flip;
        try {
          using d = impl.deserialize(bad);
          // Accepted: it must be a consistent histogram that re-serializes to a valid one.
          using again = impl.deserialize(d.serialize());
          assert.is(again.count, d.count);
        } catch (err) {
          if (!(err instanceof HistogramError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });

  Contract('bad values throw ValidationError naming the field and record nothing', () => {
    using h = impl.create({ maxValue: 1000 });
    h.record(5);
    const bad: unknown[] = [NaN, -1, -0.0001, Infinity, -Infinity, 1000.5, '5', null, undefined, {}];
    for (const v of bad) {
      assert.throws(() => h.record(v as number), (e: unknown) => e instanceof ValidationError && e.field === 'value');
      assert.throws(() => h.recordCount(v as number, 1), (e: unknown) => e instanceof ValidationError);
      assert.throws(
        () => h.recordBatch([1, 2, v as number, 3]),
        (e: unknown) => e instanceof ValidationError && e.field === 'values[2]',
      );
    }
    assert.throws(() => h.recordBatch(new Float64Array([1, 2, NaN])), (e: unknown) => e instanceof ValidationError && e.field === 'values[2]');
    assert.throws(() => h.recordCount(1, -1), (e: unknown) => e instanceof ValidationError && e.field === 'count');
    assert.throws(() => h.recordCount(1, 1.5), (e: unknown) => e instanceof ValidationError);
    assert.throws(() => h.valueAtQuantile(1.5), (e: unknown) => e instanceof ValidationError && e.field === 'q');
    assert.throws(() => h.quantiles([0.5, NaN]), (e: unknown) => e instanceof ValidationError && e.field === 'qs[1]');
    assert.is(h.count, 1);
    assert.is(h.max, 5);
    h.record(1000);
    h.record(0);
    assert.is(h.count, 3);
  });

  Contract('options are validated', () => {
    for (const relativeError of [0, 0.0009, 0.051, NaN, -1]) {
      assert.throws(() => impl.create({ relativeError }), (e: unknown) => e instanceof ValidationError && e.field === 'relativeError');
    }
    for (const maxValue of [0, -1, Infinity, NaN]) {
      assert.throws(() => impl.create({ maxValue }), (e: unknown) => e instanceof ValidationError && e.field === 'maxValue');
    }
  });

  Contract('empty histograms answer NaN and serialize', () => {
    using h = impl.create();
    assert.is(h.count, 0);
    assert.ok(Number.isNaN(h.min) && Number.isNaN(h.mean) && Number.isNaN(h.valueAtQuantile(0.5)));
    assert.is(h.sum, 0);
    using copy = impl.deserialize(h.serialize());
    assert.is(copy.count, 0);
  });

  Contract('merging different precisions is refused; larger values than the maximum too', () => {
    using a = impl.create({ relativeError: 0.01 });
    using b = impl.create({ relativeError: 0.02 });
    b.record(3);
    assert.throws(() => a.merge(b), (e: unknown) => e instanceof HistogramError && e.code === 'histogram_mismatch');
    using small = impl.create({ maxValue: 10 });
    using big = impl.create({ maxValue: 100 });
    big.record(50);
    assert.throws(() => small.merge(big), (e: unknown) => e instanceof ValidationError);
    assert.is(a.count, 0);
    assert.is(small.count, 0);
  });

  Contract('counts past 16 and 32 bits stay exact', () => {
    using h = impl.create();
    h.recordCount(10, 70_000);
    h.recordCount(20, 5_000_000_000);
    h.record(30);
    for (let i = 0; i < 70_000; i++) h.record(10);
    assert.is(h.count, 5_000_140_001);
    assert.ok(relErr(h.valueAtQuantile(0.00002), 10) <= 0.01);
    assert.ok(relErr(h.valueAtQuantile(0.5), 20) <= 0.01);
    assert.is(h.valueAtQuantile(1), 30);
    using copy = impl.deserialize(h.serialize());
    assert.is(copy.count, h.count);
  });

  Contract('countsBelow is exact at bucket boundaries and cumulative', () => {
    using h = impl.create();
    const values = sample('logNormal', 2000, 3);
    h.recordBatch(values);
    h.record(0);
    const bounds = [0, 1, 2, 100, 1000, 2048, 1e4, 1e5, Infinity];
    const got = h.countsBelow(bounds);
    // Powers of two are bucket boundaries at every precision.
    const all = [...values, 0];
    for (const [i, b] of bounds.entries()) {
      if (b === 0) assert.is(got[i], 0);
      else if (b === Infinity) assert.is(got[i], all.length);
      else if (Math.log2(b) % 1 === 0) assert.is(got[i], all.filter((v) => v < b).length, `below ${b}`);
      if (i > 0) assert.ok(got[i] >= got[i - 1]);
    }
    assert.throws(() => h.countsBelow([2, 1]), (e: unknown) => e instanceof ValidationError);
  });

  Contract('merging histograms whose counters have different widths is exact', () => {
    using wide = impl.create();
    wide.recordCount(5, 5_000_000_000);
    wide.reset();
    wide.recordBatch([1, 2, 3, 5, 5]);
    using narrow = impl.create();
    narrow.recordBatch([2, 4]);
    narrow.merge(wide);
    using all = impl.create();
    all.recordBatch([2, 4, 1, 2, 3, 5, 5]);
    assert.is(narrow.count, 7);
    assert.equal(Array.from(narrow.quantiles(QS)), Array.from(all.quantiles(QS)));
    using big = impl.create();
    big.recordCount(3, 70_000);
    big.merge(narrow);
    wide.merge(big);
    assert.is(wide.count, 70_012);
    assert.is(wide.valueAtQuantile(0.5), big.valueAtQuantile(0.5));
  });

  Contract('merging a histogram into itself doubles it, widening as needed', () => {
    using h = impl.create();
    h.recordCount(7, 40_000);
    h.record(1);
    h.merge(h);
    assert.is(h.count, 80_002);
    assert.is(h.valueAtQuantile(0), 1);
    assert.ok(relErr(h.valueAtQuantile(0.5), 7) <= 0.01);
    using copy = impl.deserialize(h.serialize());
    assert.is(copy.count, 80_002);
  });

  Contract('reset empties and keeps working', () => {
    using h = impl.create();
    h.recordBatch(sample('pareto', 100, 1));
    h.reset();
    assert.is(h.count, 0);
    h.record(7);
    assert.is(h.valueAtQuantile(0.5), 7);
  });

  Contract.run();
}
