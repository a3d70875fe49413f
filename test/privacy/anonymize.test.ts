import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { anonymize, LatticeTooLargeError, NoSolutionError, verify, type AnonymizeConfig, type Dataset, type DatasetInput } from '../../src/index.ts';
import { metricContext } from '../../src/privacy/anonymize.ts';
import { createMetric } from '../../src/privacy/metrics.ts';
import { createReferenceLatticeEngine } from '../../src/privacy/reference.ts';
import { engineInput, prepareTable } from '../../src/privacy/table.ts';
import { ValidationError } from '../../src/shared/errors.ts';
import { loadAdult } from './adult.ts';
import { arbitraryCase, type Case } from './generators.ts';

const adult = loadAdult();

const Arx = suite('privacy/anonymize: ARX 3.9 optima on Adult');

Arx('k=5, no suppression: [0,4,1,1,3,2,2,1,0], loss 0.5731509655590044', () => {
  const config: AnonymizeConfig = { quasiIdentifiers: adult.hierarchies, k: 5, metric: 'loss', seed: 7 };
  const { rows, report, columns } = anonymize(adult.dataset, config);
  assert.equal(report.transformation, [0, 4, 1, 1, 3, 2, 2, 1, 0]);
  assert.ok(Math.abs(report.score - 0.5731509655590044) <= 1e-9 * 0.5731509655590044, `loss ${report.score}`);
  assert.is(report.suppressed, 0);
  assert.is(report.achieved.k, 5 <= (report.achieved.k ?? 0) ? report.achieved.k : -1);
  assert.is(rows.length, 30162);
  const check = verify(adult.dataset, { columns, rows }, config);
  assert.ok(check.ok, check.violations.join('; '));
  assert.is(check.traced, 30162);
});

Arx('k=5, suppression limit 5%: [0,3,0,0,2,1,1,2,0], loss 0.2419323650662908, 1,346 suppressed', () => {
  const config: AnonymizeConfig = { quasiIdentifiers: adult.hierarchies, k: 5, suppressionLimit: 0.05, seed: 7 };
  const { rows, columns, report } = anonymize(adult.dataset, config);
  assert.equal(report.transformation, [0, 3, 0, 0, 2, 1, 1, 2, 0]);
  assert.ok(Math.abs(report.score - 0.2419323650662908) <= 1e-9 * 0.2419323650662908, `loss ${report.score}`);
  assert.is(report.suppressed, 1346);
  assert.is(rows.filter((r) => r.every((c) => c === '*')).length, 1346);
  const check = verify(adult.dataset, { columns, rows }, config);
  assert.ok(check.ok, check.violations.join('; '));
  assert.is(check.suppressed, 1346);
});

Arx('CSV text in gives the same optimum as records', () => {
  const { report } = anonymize(adult.csv, { quasiIdentifiers: adult.hierarchies, k: 5, suppressionLimit: 0.05 });
  assert.equal(report.transformation, [0, 3, 0, 0, 2, 1, 1, 2, 0]);
});

Arx.run();

/** The optimum by enumerating every transformation with the reference engine. */
function exhaustiveOptimum(c: Case): { levels: number[]; score: number } | null {
  const table = prepareTable(c.dataset, c.config);
  const engine = createReferenceLatticeEngine(engineInput(table));
  const metric = createMetric(table.metric, metricContext(table, engine.tuples));
  const heights = table.quasi.map((q) => q.encoded.levels - 1);
  let best: { levels: number[]; score: number; sum: number } | null = null;
  const levels = heights.map(() => 0);
  const visit = (a: number): void => {
    if (a === heights.length) {
      const r = engine.check(levels, table.k, table.maxSuppressed, true);
      if (!r.anonymous) return;
      const score = metric.score(levels, { suppressed: r.suppressed, okClasses: r.okClasses, sumSqOk: r.sumSqOk, penalty: r.penalty });
      const sum = levels.reduce((s, l) => s + l, 0);
      // Lower score, then lower level sum, then the lexicographically smaller vector (visited first).
      if (!best || score < best.score || (score === best.score && sum < best.sum)) best = { levels: [...levels], score, sum };
      return;
    }
    for (let l = 0; l <= heights[a]; l++) {
      levels[a] = l;
      visit(a + 1);
    }
  };
  visit(0);
  return best;
}

const Optimal = suite('privacy/anonymize: optimal search');

Optimal('equals exhaustive enumeration on small random tables (every metric, model, limit)', () => {
  fc.assert(
    fc.property(arbitraryCase(), (c) => {
      const expected = exhaustiveOptimum(c);
      for (const engine of ['wasm', 'reference'] as const) {
        let got;
        try {
          got = anonymize(c.dataset, { ...c.config, engine, seed: 1 }).report;
        } catch (err) {
          assert.instance(err, NoSolutionError);
          assert.is(expected, null, 'search found no solution but one exists');
          continue;
        }
        assert.ok(expected, 'search found a solution the enumeration did not');
        assert.equal(got.transformation, expected!.levels, `${engine}: ${JSON.stringify(c.config)}`);
        assert.is(got.score, expected!.score);
      }
    }),
    { numRuns: 150 },
  );
});

Optimal('every output satisfies its models according to verify', () => {
  fc.assert(
    fc.property(arbitraryCase(), fc.constantFrom('mask' as const, 'remove' as const), (c, suppressed) => {
      let result;
      try {
        result = anonymize(c.dataset, { ...c.config, suppressed });
      } catch (err) {
        if (err instanceof NoSolutionError) return;
        throw err;
      }
      const report = verify(c.dataset, result, c.config);
      assert.ok(report.ok, `${report.violations.join('; ')} for ${JSON.stringify(c.config)}`);
      assert.is(report.traced, result.rows.length);
      if (result.report.suppressed === 0) assert.is(report.suppressed, 0);
    }),
    { numRuns: 120 },
  );
});

function sortedRows(rows: string[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

Optimal('results do not change when the input rows are shuffled', () => {
  fc.assert(
    fc.property(arbitraryCase(), fc.integer({ min: 0, max: 1 << 30 }), (c, shuffleSeed) => {
      const shuffled: Dataset = { columns: c.dataset.columns, rows: fc.sample(fc.shuffledSubarray(c.dataset.rows, { minLength: c.dataset.rows.length }), { seed: shuffleSeed, numRuns: 1 })[0] };
      let a;
      try {
        a = anonymize(c.dataset, c.config);
      } catch (err) {
        assert.throws(() => anonymize(shuffled, c.config), (e: unknown) => e instanceof NoSolutionError);
        return;
      }
      const b = anonymize(shuffled, c.config);
      assert.equal(b.report.transformation, a.report.transformation);
      assert.is(b.report.score, a.report.score);
      assert.is(b.report.suppressed, a.report.suppressed);
      assert.equal(sortedRows(b.rows), sortedRows(a.rows));
    }),
    { numRuns: 80 },
  );
});

Optimal('a fixed seed gives the same output; the order never follows the input', () => {
  fc.assert(
    fc.property(arbitraryCase({ models: false }), (c) => {
      let a;
      try {
        a = anonymize(c.dataset, { ...c.config, seed: 42 });
      } catch {
        return;
      }
      assert.equal(anonymize(c.dataset, { ...c.config, seed: 42 }).rows, a.rows);
      assert.equal(sortedRows(anonymize(c.dataset, { ...c.config, seed: 43 }).rows), sortedRows(a.rows));
      assert.equal(sortedRows(anonymize(c.dataset, c.config).rows), sortedRows(a.rows));
    }),
    { numRuns: 60 },
  );
  const big = { columns: ['x'], rows: Array.from({ length: 200 }, (_, i) => [`v${i % 4}`]) };
  const out = anonymize(big, { quasiIdentifiers: { x: [['v0', '*'], ['v1', '*'], ['v2', '*'], ['v3', '*']] }, k: 2, seed: 3 });
  assert.not.equal(out.rows.map((r) => r[0]), big.rows.map((r) => r[0]), 'rows are shuffled');
});

Optimal('identifiers are removed and suppressed rows are masked or removed', () => {
  const dataset = {
    columns: ['name', 'age', 'sex', 'diagnosis'],
    rows: [
      ['Ann', '34', 'F', 'flu'], ['Bob', '36', 'M', 'flu'], ['Cid', '35', 'M', 'cold'], ['Dee', '33', 'F', 'cold'],
      ['Eve', '31', 'F', 'flu'], ['Fay', '37', 'F', 'cold'], ['Gus', '90', 'M', 'flu'],
    ],
  };
  const config: AnonymizeConfig = {
    quasiIdentifiers: { age: { type: 'age' }, sex: [['F', '*'], ['M', '*']] },
    identifiers: ['name'], sensitive: ['diagnosis'], k: 2, suppressionLimit: 0.2, seed: 1,
  };
  const masked = anonymize(dataset, config);
  assert.equal(masked.columns, ['age', 'sex', 'diagnosis']);
  assert.is(masked.rows.length, 7);
  assert.is(masked.report.suppressed, 1);
  assert.ok(masked.rows.some((r) => r[0] === '*' && r[1] === '*' && r[2] === 'flu'));
  const removed = anonymize(dataset, { ...config, suppressed: 'remove' });
  assert.is(removed.rows.length, 6);
  assert.ok(verify(dataset, removed, config).ok);
});

Optimal('a lattice above the limit is a 422 asking for Mondrian, which handles it', () => {
  const columns = Array.from({ length: 21 }, (_, i) => `c${i}`);
  const rows = Array.from({ length: 20 }, (_, r) => columns.map((_, i) => `v${(r + i) % 2}`));
  const quasiIdentifiers = Object.fromEntries(columns.map((c) => [c, [['v0', '*'], ['v1', '*']]]));
  try {
    anonymize({ columns, rows }, { quasiIdentifiers, k: 2 });
    assert.unreachable('expected LatticeTooLargeError');
  } catch (err) {
    assert.instance(err, LatticeTooLargeError);
    assert.is((err as LatticeTooLargeError).status, 422);
  }
  assert.ok((anonymize({ columns, rows }, { quasiIdentifiers, k: 2, algorithm: 'mondrian' }).report.achieved.k ?? 0) >= 2);
});

Optimal.run();

const Mondrian = suite('privacy/anonymize: Mondrian');

Mondrian('strict and relaxed partitions pass verify, and the engines agree', () => {
  fc.assert(
    fc.property(arbitraryCase(), fc.boolean(), (c, relaxed) => {
      const config: AnonymizeConfig = { ...c.config, algorithm: 'mondrian', mondrian: relaxed ? 'relaxed' : 'strict', seed: 5 };
      let wasm;
      try {
        wasm = anonymize(c.dataset, config);
      } catch (err) {
        assert.instance(err, NoSolutionError);
        assert.throws(() => anonymize(c.dataset, { ...config, engine: 'reference' }), (e: unknown) => e instanceof NoSolutionError);
        return;
      }
      const ref = anonymize(c.dataset, { ...config, engine: 'reference' });
      assert.equal(ref.rows, wasm.rows);
      assert.equal(ref.report.metrics, wasm.report.metrics);
      const report = verify(c.dataset, wasm, config);
      assert.ok(report.ok, report.violations.join('; '));
      assert.ok((wasm.report.achieved.k ?? 0) >= (c.config.k ?? 1));
    }),
    { numRuns: 100 },
  );
});

Mondrian('categories as sets: ranges of the hierarchy\'s leaf order, verified, and engines agree', () => {
  fc.assert(
    fc.property(arbitraryCase({ models: false }), fc.boolean(), (c, relaxed) => {
      const config: AnonymizeConfig = { ...c.config, algorithm: 'mondrian', categories: 'sets', mondrian: relaxed ? 'relaxed' : 'strict', seed: 3 };
      const wasm = anonymize(c.dataset, config);
      const ref = anonymize(c.dataset, { ...config, engine: 'reference' });
      assert.equal(ref.rows, wasm.rows);
      const report = verify(c.dataset, wasm, config);
      assert.ok(report.ok, report.violations.join('; '));
    }),
    { numRuns: 60 },
  );
});

Mondrian('Adult k=5: every class has 5+ rows, categories stay hierarchy labels, GCP is reported', () => {
  const config: AnonymizeConfig = { quasiIdentifiers: adult.hierarchies, k: 5, algorithm: 'mondrian', seed: 1 };
  const result = anonymize(adult.dataset, config);
  assert.ok((result.report.achieved.k ?? 0) >= 5);
  const gcp = result.report.metrics.gcp ?? 1;
  assert.ok(gcp > 0 && gcp < 0.08, `gcp ${gcp}`);
  const labels = new Set(adult.hierarchies['native-country'].flat());
  const col = result.columns.indexOf('native-country');
  assert.ok(result.rows.every((r) => labels.has(r[col])));
  const report = verify(adult.dataset, result, config);
  assert.ok(report.ok, report.violations.join('; '));
});

Mondrian.run();

const BadInput = suite('privacy/anonymize: bad input is a typed error naming the row or column');

const people = {
  columns: ['name', 'age', 'zip', 'diagnosis'],
  rows: [['Ann', '34', '02139', 'flu'], ['Bob', '36', '02140', 'cold'], ['Cid', '35', '02141', 'flu'], ['Dee', '33', '02142', 'cold']],
};
const base: AnonymizeConfig = { quasiIdentifiers: { age: { type: 'age' }, zip: { type: 'zip' } }, identifiers: ['name'], k: 2 };

function rejects(dataset: DatasetInput, config: AnonymizeConfig, pattern: RegExp, field?: string): void {
  try {
    anonymize(dataset, config);
  } catch (err) {
    assert.instance(err, ValidationError);
    assert.match((err as Error).message, pattern);
    if (field !== undefined) assert.is((err as ValidationError).field, field);
    assert.is((err as ValidationError).status, 400);
    return;
  }
  assert.unreachable(`expected ${pattern}`);
}

const withAge = (age: unknown) => ({ ...people, rows: people.rows.map((r, i) => (i === 2 ? [r[0], age as string, r[2], r[3]] : r)) });

BadInput('ages like forty, empty, NaN, -3 and 150 name row 3, column age', () => {
  rejects(withAge('forty'), base, /row 3, column age: "forty" is not a number/, 'age');
  rejects(withAge(''), base, /row 3, column age: missing value/, 'age');
  rejects(withAge(null), base, /row 3, column age: missing value/, 'age');
  rejects(withAge('NaN'), base, /row 3, column age: "NaN" is not a number/, 'age');
  rejects(withAge(Number.NaN), base, /row 3, column age: missing value/, 'age');
  rejects(withAge('-3'), base, /row 3, column age: "-3" is outside \[0, 120\]/, 'age');
  rejects(withAge(150), base, /row 3, column age: "150" is outside \[0, 120\]/, 'age');
  rejects(withAge('34.5'), base, /not a whole number/, 'age');
});

BadInput('missing columns, duplicate headers, ragged rows, an empty dataset', () => {
  rejects(people, { ...base, quasiIdentifiers: { ...base.quasiIdentifiers, weight: { type: 'age' } } }, /no column "weight"/, 'quasiIdentifiers.weight');
  rejects(people, { ...base, identifiers: ['ssn'] }, /identifiers\[0\]: no column "ssn"/, 'identifiers[0]');
  rejects({ columns: ['age', 'age'], rows: [['1', '2']] }, base, /duplicate column "age"/, 'columns');
  rejects({ ...people, rows: [...people.rows, ['Eve', '40']] }, base, /row 5 has 2 values, expected 4/, 'rows');
  rejects({ columns: people.columns, rows: [] }, base, /no rows/, 'rows');
  rejects('name,age,zip,diagnosis\n', base, /no rows/, 'rows');
  rejects('name,age,age\nA,1,2\n', base, /duplicate column/, 'columns');
});

BadInput('k above the rows, k <= 0, fractional k; suppression limit outside [0, 1]', () => {
  rejects(people, { ...base, k: 5 }, /k=5 is larger than the 4 rows/, 'k');
  rejects(people, { ...base, k: 0 }, /k must be a whole number >= 1/, 'k');
  rejects(people, { ...base, k: -2 }, /k must be a whole number >= 1/, 'k');
  rejects(people, { ...base, k: 2.5 }, /k must be a whole number >= 1/, 'k');
  rejects(people, { ...base, suppressionLimit: 1.5 }, /suppressionLimit must be a number in \[0, 1\]/, 'suppressionLimit');
  rejects(people, { ...base, suppressionLimit: -0.1 }, /suppressionLimit/, 'suppressionLimit');
});

BadInput('l above the distinct sensitive values; a value missing from its hierarchy', () => {
  rejects(people, { ...base, models: [{ type: 'l-diversity', variant: 'distinct', l: 3, attribute: 'diagnosis' }] }, /l=3 is above the 2 distinct values of "diagnosis"/, 'models[0].l');
  rejects(people, { ...base, models: [{ type: 't-closeness', t: 2, distance: 'equal', attribute: 'diagnosis' }] }, /t must be a number in \[0, 1\]/, 'models[0].t');
  rejects(people, { ...base, quasiIdentifiers: { zip: [['02139', '*'], ['02140', '*'], ['02141', '*']] } }, /row 4, column zip: value "02142" is not in the hierarchy/, 'zip');
  rejects(people, { ...base, quasiIdentifiers: { zip: [['02139', 'a'], ['02140', 'a'], ['02141', 'b', 'x']] } }, /hierarchy row 3 has 3 levels/, 'zip');
  rejects(people, { ...base, sensitive: ['age'] }, /already a quasi-identifier/);
});

BadInput('nothing is returned half done: a failure leaves the next call unaffected', () => {
  assert.throws(() => anonymize(withAge('forty'), base));
  const ok = anonymize(people, base);
  assert.is(ok.rows.length, 4);
});

BadInput.run();

const Records = suite('privacy/anonymize: JSON records');

Records('records in give the same result as columns and rows; a record missing a key is refused', () => {
  const records = people.rows.map((r) => Object.fromEntries(people.columns.map((c, i) => [c, r[i]])));
  const a = anonymize(records, { ...base, seed: 2 });
  const b = anonymize(people, { ...base, seed: 2 });
  assert.equal(a.rows, b.rows);
  assert.equal(a.columns, b.columns);
  const broken = records.map((r, i) => (i === 2 ? { name: r.name, age: r.age, diagnosis: r.diagnosis } : r));
  rejects(broken, base, /row 3 has no value for column "zip"/, 'rows');
  assert.ok(verify(records, a, base).ok);
});

Records.run();
