/**
 * A reproducible mix of ethics-check requests for the benchmarks: 1-4 data types (some
 * unknown), every research category (and an unknown one), IRB on or off, k from 0 to 79,
 * no consent or a consent that may be pending, narrow, expiring or withdrawn.
 */
import type { EthicsQuery } from '../../src/reasoning/ethics.ts';

const CATEGORIES = ['public-health', 'clinical-trial', 'epidemiology', 'genomics-research', 'mental-health-research', 'quality-improvement', 'astrology'];
const TYPES = ['demographics', 'vital-signs', 'lab-results', 'medications', 'imaging', 'diagnoses', 'mental-health', 'substance-use', 'sexual-health', 'genomic', 'horoscope'];
const NOW = 1_800_000_000_000;

/** `count` distinct-enough queries from a linear congruential generator seeded with `seed`. */
export function makeQueries(count: number, seed = 42): EthicsQuery[] {
  let s = seed;
  const rnd = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  const pick = <T>(xs: T[], n: number): T[] => {
    const out: T[] = [];
    while (out.length < n) {
      const x = xs[rnd(xs.length)];
      if (!out.includes(x)) out.push(x);
    }
    return out;
  };
  const queries: EthicsQuery[] = [];
  for (let i = 0; i < count; i++) {
    const q: EthicsQuery = {
      researchCategory: CATEGORIES[rnd(CATEGORIES.length)],
      dataTypes: pick(TYPES, 1 + rnd(4)),
      irbApproval: rnd(2) === 0,
      k: rnd(80),
      now: NOW,
    };
    if (rnd(3) > 0) {
      q.consent = {
        status: (['granted', 'granted', 'pending', 'denied'] as const)[rnd(4)],
        dataTypes: pick(TYPES, 1 + rnd(4)),
        categories: pick(CATEGORIES, 1 + rnd(2)),
        expiresAt: rnd(2) === 0 ? undefined : NOW + (rnd(2) === 0 ? -1 : 1) * 86_400_000,
        withdrawn: rnd(10) === 0,
      };
    }
    queries.push(q);
  }
  return queries;
}
