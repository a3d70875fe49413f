import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { anonymize, verify, type AnonymizeConfig } from '../../src/index.ts';

const Verify = suite('privacy/verify');

const dataset = {
  columns: ['name', 'age', 'zip', 'diagnosis'],
  rows: Array.from({ length: 40 }, (_, i) => [`Person ${i}`, String(20 + (i % 30)), `0213${i % 10}`, ['flu', 'cold', 'covid'][i % 3]]),
};
const config: AnonymizeConfig = {
  quasiIdentifiers: { age: { type: 'age' }, zip: { type: 'zip' } },
  identifiers: ['name'],
  sensitive: ['diagnosis'],
  k: 4,
  models: [{ type: 'l-diversity', variant: 'distinct', l: 2, attribute: 'diagnosis' }],
  seed: 1,
};

Verify('accepts the anonymizer output and reports what it achieves', () => {
  const out = anonymize(dataset, config);
  const report = verify(dataset, out, config);
  assert.ok(report.ok, report.violations.join('; '));
  assert.ok((report.k ?? 0) >= 4);
  assert.is(report.traced, 40);
  assert.ok((report.models[0].achieved ?? 0) >= 2);
});

Verify('catches a small class, a leaked identifier, a foreign row and an identifier column', () => {
  const out = anonymize(dataset, config);
  const small = { columns: out.columns, rows: out.rows.map((r, i) => (i === 0 ? ['20-24', '02130', r[2]] : r)) };
  assert.match(verify(dataset, small, config).violations.join(';'), /violates k=4/);

  const leaked = { columns: out.columns, rows: out.rows.map((r, i) => (i === 0 ? [r[0], r[1], 'Person 7'] : r)) };
  assert.match(verify(dataset, leaked, config).violations.join(';'), /identifier value/);

  const foreign = { columns: out.columns, rows: out.rows.map((r) => [r[0], r[1], r[2] === 'flu' ? 'measles' : r[2]]) };
  assert.match(verify(dataset, foreign, config).violations.join(';'), /do not trace/);

  const withNames = { columns: ['name', ...out.columns], rows: out.rows.map((r) => ['x', ...r]) };
  assert.match(verify(dataset, withNames, config).violations.join(';'), /identifier column name/);

  const wrongAge = { columns: out.columns, rows: out.rows.map((r) => ['0-4', r[1], r[2]]) };
  const report = verify(dataset, wrongAge, config);
  assert.not.ok(report.ok);
  assert.match(report.violations.join(';'), /do not trace/);
});

Verify('counts suppressed rows against the limit', () => {
  const out = anonymize(dataset, { ...config, k: 5, suppressionLimit: 0.5, models: [] });
  const masked = { columns: out.columns, rows: out.rows.map((r, i) => (i < 30 ? ['*', '*', r[2]] : r)) };
  const report = verify(dataset, masked, { ...config, k: 40, models: [], suppressionLimit: 0.5 });
  assert.not.ok(report.ok);
  assert.match(report.violations.join(';'), /suppressed; the limit allows 20|violates/);
});

Verify('reads CSV text for input and output', () => {
  const out = anonymize(dataset, config);
  const toCsv = (cols: string[], rows: string[][]) => [cols, ...rows].map((r) => r.join(',')).join('\n');
  const report = verify(toCsv(dataset.columns, dataset.rows), toCsv(out.columns, out.rows), config);
  assert.ok(report.ok, report.violations.join('; '));
});

Verify.run();
