/**
 * The privacy engine: k-anonymity with l-diversity and t-closeness by optimal full-domain
 * generalization (ARX's Loss and other metrics) or Mondrian local recoding, HIPAA Safe Harbor,
 * keyed pseudonyms, differential-privacy aggregates with a per-study budget, and an independent
 * verifier of anonymized output.
 */
export { anonymize } from './anonymize.ts';
export { parseCsvDataset } from './csv.ts';
export { BudgetExceededError, LatticeTooLargeError, NoSolutionError } from './errors.ts';
export type {
  AnonymizeConfig, AnonymizeReport, AnonymizeResult, Cell, Dataset, DateLevel, HierarchySpec, MetricName,
  ModelAchievement, PrivacyModel, TreeSpec,
} from './types.ts';
