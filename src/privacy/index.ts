/**
 * The privacy engine: k-anonymity with l-diversity and t-closeness by optimal full-domain
 * generalization (ARX's Loss and other metrics) or Mondrian local recoding, HIPAA Safe Harbor,
 * keyed pseudonyms, differential-privacy aggregates with a per-study budget, and an independent
 * verifier of anonymized output.
 */
export { anonymize } from './anonymize.ts';
export { createPrivacyBudget, DEFAULT_BUDGET, PRIVACY_MIGRATIONS, type BudgetLimit, type BudgetStatus, type PrivacyBudget } from './budget.ts';
export { parseCsvDataset } from './csv.ts';
export {
  gaussianSigma, noisyCount, noisyHistogram, noisyMean, noisySum,
  type BoundedOptions, type DpOptions, type Mechanism, type NoisyRelease,
} from './dp.ts';
export { BudgetExceededError, LatticeTooLargeError, NoSolutionError } from './errors.ts';
export { createPseudonymizer, pseudonymize, type PseudonymizeOptions, type Pseudonymizer } from './pseudonym.ts';
export { RESTRICTED_ZIP3, safeHarbor, type SafeHarborOptions, type SafeHarborReport, type SafeHarborResult, type SafeHarborRole } from './safe-harbor.ts';
export { verify, type VerifyReport } from './verify.ts';
export type {
  AnonymizeConfig, AnonymizeReport, AnonymizeResult, Cell, Dataset, DatasetInput, DatasetRecord, DateLevel, HierarchySpec, MetricName,
  ModelAchievement, PrivacyModel, TreeSpec,
} from './types.ts';
