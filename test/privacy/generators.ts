/**
 * Random small tables with hierarchies for the privacy property tests (fast-check arbitraries).
 */
import fc from 'fast-check';
import type { AnonymizeConfig, Dataset, MetricName, PrivacyModel } from '../../src/privacy/index.ts';

export interface Case {
  dataset: Dataset;
  config: AnonymizeConfig;
}

/** A table hierarchy over `leaves` values with `levels` levels (the last is `*`). */
export function tableHierarchy(leaves: number, levels: number, prefix: string): string[][] {
  return Array.from({ length: leaves }, (_, v) => {
    const row = [`${prefix}${v}`];
    let group = v;
    for (let l = 1; l < levels - 1; l++) {
      group = Math.floor(group / 2);
      row.push(`${prefix}L${l}g${group}`);
    }
    row.push('*');
    return row;
  });
}

const model = (attribute: string, distinct: number): fc.Arbitrary<PrivacyModel> =>
  fc.oneof(
    fc.record({ type: fc.constant('l-diversity' as const), variant: fc.constant('distinct' as const), l: fc.integer({ min: 1, max: Math.min(3, distinct) }), attribute: fc.constant(attribute) }),
    fc.record({ type: fc.constant('l-diversity' as const), variant: fc.constant('entropy' as const), l: fc.double({ min: 1, max: Math.min(2.5, distinct), noNaN: true }), attribute: fc.constant(attribute) }),
    fc.record({ type: fc.constant('l-diversity' as const), variant: fc.constant('recursive' as const), l: fc.integer({ min: 1, max: Math.min(2, distinct) }), c: fc.double({ min: 0.5, max: 4, noNaN: true }), attribute: fc.constant(attribute) }),
    fc.record({ type: fc.constant('t-closeness' as const), t: fc.double({ min: 0.05, max: 1, noNaN: true }), distance: fc.constantFrom('equal' as const, 'ordered' as const), attribute: fc.constant(attribute) }),
  );

/**
 * A random table of 8-50 rows: 1-3 quasi-identifiers with table hierarchies (2-4 levels), one
 * identifier, one sensitive attribute, and a configuration with k, a suppression limit, a metric
 * and up to two models.
 */
export function arbitraryCase(options: { models?: boolean } = {}): fc.Arbitrary<Case> {
  return fc
    .record({
      qis: fc.array(fc.record({ leaves: fc.integer({ min: 2, max: 6 }), levels: fc.integer({ min: 2, max: 4 }) }), { minLength: 1, maxLength: 3 }),
      rows: fc.integer({ min: 8, max: 50 }),
      sensitiveValues: fc.integer({ min: 2, max: 4 }),
      seed: fc.integer({ min: 0, max: 1 << 30 }),
    })
    .chain(({ qis, rows, sensitiveValues, seed }) => {
      const cells = fc.array(
        fc.tuple(...qis.map((q) => fc.integer({ min: 0, max: q.leaves - 1 })), fc.integer({ min: 0, max: sensitiveValues - 1 })),
        { minLength: rows, maxLength: rows },
      );
      const models: fc.Arbitrary<PrivacyModel[]> = options.models === false ? fc.constant([]) : fc.array(model('diagnosis', sensitiveValues), { maxLength: 2 });
      return fc.record({
        cells,
        k: fc.integer({ min: 1, max: Math.min(5, rows) }),
        suppressionLimit: fc.constantFrom(0, 0.05, 0.1, 0.25),
        metric: fc.constantFrom<MetricName>('loss', 'discernibility', 'precision', 'aecs'),
        models,
      }).map(({ cells: data, k, suppressionLimit, metric, models: ms }) => {
        const columns = ['id', ...qis.map((_, i) => `q${i}`), 'diagnosis'];
        const quasiIdentifiers: Record<string, string[][]> = {};
        qis.forEach((q, i) => (quasiIdentifiers[`q${i}`] = tableHierarchy(q.leaves, q.levels, `q${i}v`)));
        const datasetRows = data.map((t, r) => [`P${seed}-${r}`, ...qis.map((_, i) => `q${i}v${t[i]}`), `d${t[qis.length]}`]);
        // Every model's l must fit the sensitive values actually present.
        const present = new Set(data.map((t) => t[qis.length])).size;
        const fitting = ms.filter((m) => m.type !== 'l-diversity' || m.l <= present);
        const config: AnonymizeConfig = {
          quasiIdentifiers, identifiers: ['id'], sensitive: ['diagnosis'], k, suppressionLimit, metric, models: fitting,
        };
        return { dataset: { columns, rows: datasetRows }, config };
      });
    });
}
