import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../src/shared/errors.ts';
import { createEthicsEngine, type EthicsQuery } from '../../src/reasoning/ethics.ts';

const KB = readFileSync(new URL('../../kb/ethics.metta', import.meta.url), 'utf8');
const engine = createEthicsEngine({ kb: KB, cacheSize: 0 });
const granted = (dataTypes: string[], categories: string[], extra = {}) => ({ status: 'granted' as const, dataTypes, categories, ...extra });
const NOW = Date.parse('2026-06-01T00:00:00Z');

/** A request that breaks no rule; each test changes one thing. */
const OK: EthicsQuery = {
  researchCategory: 'clinical-trial',
  dataTypes: ['lab-results'],
  irbApproval: false,
  k: 10,
  consent: granted(['lab-results'], ['clinical-trial']),
  now: NOW,
};

function reasons(q: Partial<EthicsQuery>): string[] {
  return [...engine.check({ ...OK, ...q }).reasons].sort();
}

const rules = suite('ethics rules');
rules('a request that breaks no rule is permitted, with one fact record per data type', () => {
  const d = engine.check(OK);
  assert.is(d.decision, 'permit');
  assert.equal(d.reasons, []);
  assert.equal(d.reasoningPath, [
    '(data-type lab-results known True sensitivity moderate min-k 10 irb-required False allowed True k-ok True consent covered)',
  ]);
  assert.is(d.cached, false);
});
rules('unknown research category', () => {
  assert.equal(reasons({ researchCategory: 'astrology', consent: granted(['lab-results'], ['astrology']) }), [
    '(type-not-allowed-for-category lab-results astrology)',
    '(unknown-research-category astrology)',
  ]);
});
rules('unknown data type: only that, and the consent rule, apply to it', () => {
  const d = engine.check({ ...OK, dataTypes: ['horoscope'] });
  assert.equal([...d.reasons].sort(), ['(consent-does-not-cover-type horoscope)', '(unknown-data-type horoscope)']);
  assert.equal(d.reasoningPath, ['(data-type horoscope known False consent not-covered)']);
});
rules('no data types requested', () => {
  assert.equal(reasons({ dataTypes: [] }), ['(no-data-types-requested)']);
});
rules('a type the category does not allow', () => {
  assert.equal(reasons({ researchCategory: 'public-health', dataTypes: ['genomic'], irbApproval: true, k: 60, consent: granted(['genomic'], ['public-health']) }), [
    '(type-not-allowed-for-category genomic public-health)',
  ]);
});
rules('IRB approval is required for high and critical sensitivity only', () => {
  const q = { researchCategory: 'clinical-trial', consent: granted(['genomic', 'diagnoses', 'lab-results', 'demographics'], ['clinical-trial']), k: 60 };
  assert.equal(reasons({ ...q, dataTypes: ['genomic'], irbApproval: false }), ['(irb-approval-required genomic critical)']);
  assert.equal(reasons({ ...q, dataTypes: ['diagnoses'], irbApproval: false }), ['(irb-approval-required diagnoses high)']);
  assert.equal(reasons({ ...q, dataTypes: ['lab-results', 'demographics'], irbApproval: false }), []);
  assert.equal(reasons({ ...q, dataTypes: ['genomic', 'diagnoses'], irbApproval: true }), []);
});
rules('minimum k by sensitivity, at the boundary', () => {
  const cases: [string, number, string][] = [['demographics', 5, 'low'], ['lab-results', 10, 'moderate'], ['diagnoses', 20, 'high'], ['genomic', 50, 'critical']];
  for (const [type, min] of cases) {
    const q = { dataTypes: [type], irbApproval: true, consent: granted([type], ['clinical-trial']) };
    assert.equal(reasons({ ...q, k: min }), [], `${type} k=${min}`);
    assert.equal(reasons({ ...q, k: min - 1 }), [`(k-below-minimum ${type} ${min} ${min - 1})`], `${type} k=${min - 1}`);
  }
});
rules('missing consent denies each data type unless the category is waived', () => {
  assert.equal(reasons({ researchCategory: 'epidemiology', dataTypes: ['demographics', 'lab-results'], consent: undefined }), [
    '(consent-missing demographics)',
    '(consent-missing lab-results)',
  ]);
  const waived = engine.check({ ...OK, researchCategory: 'public-health', dataTypes: ['demographics'], consent: undefined });
  assert.is(waived.decision, 'permit');
  assert.ok(waived.reasoningPath[0].endsWith('consent waived)'));
});
rules('consent must be granted, cover the type and the category, not be expired or withdrawn', () => {
  assert.equal(reasons({ consent: granted(['lab-results'], ['clinical-trial'], { status: 'pending' }) }), ['(consent-not-granted pending)']);
  assert.equal(reasons({ consent: { ...granted(['lab-results'], ['clinical-trial']), status: 'denied' } }), ['(consent-not-granted denied)']);
  assert.equal(reasons({ consent: granted(['demographics'], ['clinical-trial']) }), ['(consent-does-not-cover-type lab-results)']);
  assert.equal(reasons({ consent: granted(['lab-results'], ['epidemiology']) }), ['(consent-does-not-cover-category clinical-trial)']);
  const expired = NOW - 1;
  assert.equal(reasons({ consent: granted(['lab-results'], ['clinical-trial'], { expiresAt: expired }) }), [`(consent-expired ${expired})`]);
  assert.equal(reasons({ consent: granted(['lab-results'], ['clinical-trial'], { expiresAt: NOW }) }), []);
  assert.equal(reasons({ consent: granted(['lab-results'], ['clinical-trial'], { expiresAt: '2027-01-01T00:00:00Z' }) }), []);
  assert.equal(reasons({ consent: granted(['lab-results'], ['clinical-trial'], { withdrawn: true }) }), ['(consent-withdrawn)']);
});
rules('every broken rule is a reason, each once', () => {
  const d = engine.check({
    researchCategory: 'clinical-trial', dataTypes: ['lab-results', 'genomic'], irbApproval: false, k: 9, now: NOW,
    consent: { status: 'pending', dataTypes: ['demographics'], categories: ['epidemiology'], expiresAt: NOW - 5, withdrawn: true },
  });
  assert.is(d.decision, 'deny');
  assert.equal([...d.reasons].sort(), [
    '(consent-does-not-cover-category clinical-trial)',
    '(consent-does-not-cover-type genomic)',
    '(consent-does-not-cover-type lab-results)',
    `(consent-expired ${NOW - 5})`,
    '(consent-not-granted pending)',
    '(consent-withdrawn)',
    '(irb-approval-required genomic critical)',
    '(k-below-minimum genomic 50 9)',
    '(k-below-minimum lab-results 10 9)',
  ]);
  assert.is(d.reasoningPath.length, 2);
});
rules.run();

const engineSuite = suite('ethics engine');
engineSuite('results are cached per query and KB version; replacing the KB drops the cache', () => {
  const e = createEthicsEngine({ kb: KB });
  const q = { researchCategory: 'public-health', dataTypes: ['demographics'], irbApproval: false, k: 10 };
  assert.is(e.check(q).cached, false);
  assert.is(e.check(q).cached, true);
  assert.is(e.cacheSize, 1);
  e.replaceKb(KB.replace('(= (min-k low) 5)', '(= (min-k low) 50)'));
  assert.is(e.cacheSize, 0);
  const d = e.check(q);
  assert.is(d.cached, false);
  assert.is(d.decision, 'deny');
  assert.equal(d.reasons, ['(k-below-minimum demographics 50 10)']);
  assert.is(d.kbVersion, 2);
});
engineSuite('decisions are computed by the knowledge base: a new data type works without code', () => {
  const e = createEthicsEngine({ kb: `${KB}\n(= (sensitivity wearables) moderate)\n(= (allows public-health wearables) True)\n` });
  const d = e.check({ researchCategory: 'public-health', dataTypes: ['wearables'], irbApproval: false, k: 10 });
  assert.is(d.decision, 'permit');
  assert.equal(d.reasoningPath, ['(data-type wearables known True sensitivity moderate min-k 10 irb-required False allowed True k-ok True consent waived)']);
});
engineSuite('the cache is bounded', () => {
  const e = createEthicsEngine({ kb: KB, cacheSize: 3 });
  for (let k = 0; k < 10; k++) e.check({ ...OK, k });
  assert.is(e.cacheSize, 3);
});
engineSuite('input is validated, never spliced into MeTTa', () => {
  const bad: [Partial<EthicsQuery>, string][] = [
    [{ researchCategory: '(evil)' }, 'researchCategory'],
    [{ dataTypes: ['a b'] }, 'dataTypes[0]'],
    [{ dataTypes: 'genomic' as never }, 'dataTypes'],
    [{ k: -1 }, 'k'],
    [{ k: 1.5 }, 'k'],
    [{ irbApproval: 'yes' as never }, 'irbApproval'],
    [{ consent: { ...granted([], []), status: 'maybe' as never } }, 'consent.status'],
    [{ consent: granted([], [], { expiresAt: 'not a date' }) }, 'consent.expiresAt'],
  ];
  for (const [q, field] of bad) {
    assert.throws(() => engine.check({ ...OK, ...q }), (e: unknown) => e instanceof ValidationError && e.field === field, field);
  }
});
engineSuite('a knowledge base with ! expressions is refused', () => {
  assert.throws(() => createEthicsEngine({ kb: `${KB}\n!(+ 1 2)` }), (e: unknown) => e instanceof ValidationError);
});
engineSuite.run();
