/**
 * UCI Adult with ARX's nine hierarchies, read from `../shared/data/adult/` (relative to the
 * project root), shared by the privacy tests and benchmarks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/privacy/index.ts';

export const ADULT_DIR = fileURLToPath(new URL('../../../shared/data/adult/', import.meta.url));

/** Attribute order of the ARX benchmark. */
export const ADULT_COLUMNS = ['sex', 'age', 'race', 'marital-status', 'education', 'native-country', 'workclass', 'occupation', 'salary-class'];

function lines(text: string): string[][] {
  return text.split(/\r?\n/).filter((l) => l !== '').map((l) => l.split(';'));
}

/** The dataset and its hierarchies (as ARX tables). */
export function loadAdult(): { dataset: Dataset; hierarchies: Record<string, string[][]>; csv: string } {
  const csv = readFileSync(`${ADULT_DIR}adult.csv`, 'utf8');
  const all = lines(csv);
  const hierarchies: Record<string, string[][]> = {};
  for (const c of ADULT_COLUMNS) hierarchies[c] = lines(readFileSync(`${ADULT_DIR}adult_hierarchy_${c}.csv`, 'utf8'));
  return { dataset: { columns: all[0], rows: all.slice(1) }, hierarchies, csv };
}
