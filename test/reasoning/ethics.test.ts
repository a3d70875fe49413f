import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../src/shared/errors.ts';
import { createEthicsEngine } from '../../src/reasoning/ethics.ts';

const KB = readFileSync(new URL('../../kb/ethics.metta', import.meta.url), 'utf8');
const engine = createEthicsEngine({ kb: KB });
const granted = (dataTypes: string[], categories: string[], extra = {}) => ({ status: 'granted' as const, dataTypes, categories, ...extra });

const t = suite('ethics decisions');
t('low-sensitivity public-health data under waiver is permitted', () => {
  const d = engine.check({ researchCategory: 'public-health', dataTypes: ['demographics', 'lab-results'], irbApproval: false, k: 10 });
  assert.is(d.decision, 'permit');
  assert.equal(d.reasons, []);
  assert.is(d.reasoningPath.length, 2);
});
t('genomic data needs IRB approval and k >= 50', () => {
  const d = engine.check({ researchCategory: 'clinical-trial', dataTypes: ['genomic'], irbApproval: false, k: 10, consent: granted(['genomic'], ['clinical-trial']) });
  assert.is(d.decision, 'deny');
  assert.ok(d.reasons.includes('(irb-approval-required genomic critical)'));
  assert.ok(d.reasons.includes('(k-below-minimum genomic 50 10)'));
});
t('valid consent, IRB and k permit genomic research', () => {
  const d = engine.check({ researchCategory: 'genomics-research', dataTypes: ['genomic'], irbApproval: true, k: 60, consent: granted(['genomic'], ['genomics-research']) });
  assert.is(d.decision, 'permit');
});
t('type not allowed for category', () => {
  const d = engine.check({ researchCategory: 'public-health', dataTypes: ['genomic'], irbApproval: true, k: 60 });
  assert.ok(d.reasons.includes('(type-not-allowed-for-category genomic public-health)'));
});
t('expired, withdrawn, not covering and not granted consent are each reasons', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const d = engine.check({
    researchCategory: 'clinical-trial', dataTypes: ['lab-results'], irbApproval: true, k: 20, now,
    consent: { status: 'pending', dataTypes: ['demographics'], categories: ['epidemiology'], expiresAt: '2025-01-01T00:00:00Z', withdrawn: true },
  });
  assert.is(d.decision, 'deny');
  for (const r of ['(consent-not-granted pending)', '(consent-does-not-cover-type lab-results)', '(consent-does-not-cover-category clinical-trial)', '(consent-withdrawn)']) {
    assert.ok(d.reasons.includes(r), r);
  }
  assert.ok(d.reasons.some((r) => r.startsWith('(consent-expired')));
});
t('missing consent denies unless the category is waived', () => {
  const d = engine.check({ researchCategory: 'epidemiology', dataTypes: ['demographics'], irbApproval: false, k: 10 });
  assert.equal(d.reasons, ['(consent-missing demographics)']);
});
t('unknown category and data type', () => {
  const d = engine.check({ researchCategory: 'astrology', dataTypes: ['horoscope'], irbApproval: true, k: 100 });
  assert.ok(d.reasons.includes('(unknown-research-category astrology)'));
  assert.ok(d.reasons.includes('(unknown-data-type horoscope)'));
});
t('results are cached per query and dropped when the KB changes', () => {
  const e = createEthicsEngine({ kb: KB });
  const q = { researchCategory: 'public-health', dataTypes: ['demographics'], irbApproval: false, k: 10 };
  assert.is(e.check(q).cached, false);
  assert.is(e.check(q).cached, true);
  e.replaceKb(KB.replace('(min-k low 5)', '(min-k low 50)'));
  const d = e.check(q);
  assert.is(d.cached, false);
  assert.is(d.decision, 'deny');
  assert.is(d.kbVersion, 2);
});
t('input is validated, never spliced into MeTTa', () => {
  assert.throws(() => engine.check({ researchCategory: '(evil)', dataTypes: [], irbApproval: true, k: 1 }), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => engine.check({ researchCategory: 'x', dataTypes: ['a'], irbApproval: true, k: -1 }), (e: unknown) => e instanceof ValidationError);
});
t.run();
