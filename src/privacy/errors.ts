/**
 * Errors of the privacy engine. Bad input is a `ValidationError` naming the field, row or column;
 * these add the cases that are not about one field.
 */
import { AppError } from '../shared/errors.ts';

/** No transformation satisfies the privacy models within the suppression limit. HTTP 422. */
export class NoSolutionError extends AppError {
  constructor(message: string) {
    super(422, 'no_solution', message);
  }
}

/** The search space is too large for an optimal search (use Mondrian or coarser hierarchies). HTTP 422. */
export class LatticeTooLargeError extends AppError {
  constructor(nodes: number, limit: number) {
    super(422, 'lattice_too_large', `the generalization lattice has ${nodes} transformations; the optimal search handles up to ${limit} (use algorithm "mondrian" or shorter hierarchies)`);
  }
}

/** A differential-privacy release would exceed the study's (epsilon, delta) budget. HTTP 403. */
export class BudgetExceededError extends AppError {
  constructor(study: string, message: string) {
    super(403, 'budget_exhausted', `study ${study}: ${message}`);
  }
}
