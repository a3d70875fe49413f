/**
 * Fixtures of the privacy benchmarks, built once and seeded: UCI Adult with ARX's hierarchies, a
 * random 1,000-row subset of it, a generated 1,000-row patient table (identifiers, ZIP, dates,
 * age, sex, diagnosis) for the Safe Harbor + k + l pipeline, and 100,000 rows resampled from Adult
 * with jittered ages.
 */
import type { AnonymizeConfig, Dataset } from '../../src/index.ts';
import { createSeededRandom, uniformInt } from '../../src/privacy/random.ts';
import { loadAdult } from '../../test/privacy/adult.ts';

export const adult = loadAdult();

export const ADULT_CONFIG: AnonymizeConfig = { quasiIdentifiers: adult.hierarchies, k: 5, seed: 1 };

/** `n` Adult rows drawn with replacement; ages moved by up to two years (within 17..90). */
export function resampledAdult(n: number, seed: number): Dataset {
  const rng = createSeededRandom(seed);
  const ageAt = adult.dataset.columns.indexOf('age');
  const rows = Array.from({ length: n }, () => {
    const row = [...adult.dataset.rows[uniformInt(rng, adult.dataset.rows.length)]] as string[];
    const age = Math.min(90, Math.max(17, Number(row[ageAt]) + uniformInt(rng, 5) - 2));
    row[ageAt] = String(age);
    return row;
  });
  return { columns: adult.dataset.columns, rows };
}

/** A random subset of `n` distinct Adult rows. */
export function adultSubset(n: number, seed: number): Dataset {
  const rng = createSeededRandom(seed);
  const all = adult.dataset.rows.map((_, i) => i);
  for (let i = all.length - 1; i > 0; i--) {
    const j = uniformInt(rng, i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return { columns: adult.dataset.columns, rows: all.slice(0, n).map((i) => adult.dataset.rows[i]) };
}

const FIRST = ['Ann', 'Bob', 'Cara', 'Dan', 'Eve', 'Finn', 'Gia', 'Hal', 'Ivy', 'Jon', 'Kai', 'Lia', 'Max', 'Nia', 'Oli', 'Pam'];
const LAST = ['Lee', 'Roy', 'Diaz', 'Khan', 'Ng', 'Moss', 'Park', 'Shaw', 'Vega', 'Ward', 'Yu', 'Zane'];
const ZIP3 = ['021', '022', '024', '100', '101', '112', '606', '607', '900', '902', '941', '945', '036', '059', '750', '770'];
const DIAGNOSES = ['asthma', 'diabetes', 'flu', 'hypertension', 'migraine', 'covid', 'fracture', 'anemia'];

/** A generated patient table: direct identifiers, quasi-identifiers and a diagnosis. */
export function patients(n: number, seed: number): Dataset {
  const rng = createSeededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[uniformInt(rng, xs.length)];
  const pad = (x: number, w: number) => String(x).padStart(w, '0');
  const rows = Array.from({ length: n }, (_, i) => {
    const birthYear = 1925 + uniformInt(rng, 80);
    const dob = `${birthYear}-${pad(1 + uniformInt(rng, 12), 2)}-${pad(1 + uniformInt(rng, 28), 2)}`;
    const admitted = `${2020 + uniformInt(rng, 5)}-${pad(1 + uniformInt(rng, 12), 2)}-${pad(1 + uniformInt(rng, 28), 2)}`;
    const age = 2025 - birthYear;
    return [
      `${pick(FIRST)} ${pick(LAST)}`,
      `${pad(100 + uniformInt(rng, 800), 3)}-${pad(uniformInt(rng, 100), 2)}-${pad(uniformInt(rng, 10000), 4)}`,
      `patient${i}@example.org`,
      `${pick(ZIP3)}${pad(uniformInt(rng, 100), 2)}`,
      dob,
      admitted,
      String(age),
      pick(['F', 'M']),
      pick(DIAGNOSES),
    ];
  });
  return { columns: ['name', 'ssn', 'email', 'zip', 'dob', 'admission_date', 'age', 'sex', 'diagnosis'], rows };
}

/** Safe Harbor step: birth dates go (age carries the same information), the rest by detection. */
export const PATIENT_SAFE_HARBOR = { columns: { dob: 'remove' as const }, referenceYear: 2025 };

/** Configuration of the anonymization step after Safe Harbor (k=5, distinct 2-diversity). */
export const PATIENT_CONFIG: AnonymizeConfig = {
  quasiIdentifiers: {
    zip: { type: 'zip' },
    admission_date: { type: 'interval', min: 1900, max: 2030, widths: [2, 10] },
    age: { type: 'age', widths: [5, 10, 20] },
    sex: [['F', '*'], ['M', '*']],
  },
  sensitive: ['diagnosis'],
  k: 5,
  suppressionLimit: 0.05,
  models: [{ type: 'l-diversity', variant: 'distinct', l: 2, attribute: 'diagnosis' }],
  seed: 1,
};
