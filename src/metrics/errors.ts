/**
 * Errors of the metrics domain. Bad values are `ValidationError`s naming the field (400);
 * `HistogramError` covers the rest of what a caller can get wrong with histograms.
 */
import { AppError, ValidationError } from '../shared/errors.ts';

/** Histograms that cannot be merged, or bytes that are not a serialized histogram. HTTP 400. */
export class HistogramError extends AppError {
  constructor(code: 'histogram_mismatch' | 'invalid_histogram' | 'histogram_closed' | 'histogram_overflow', message: string) {
    super(400, code, message);
  }
}

/** The error for a value a histogram cannot hold, naming `field`. */
export function invalidValue(value: unknown, maxValue: number, field = 'value'): ValidationError {
  const shown = typeof value === 'number' ? String(value) : `a ${value === null ? 'null' : typeof value}`;
  const why =
    typeof value !== 'number'
      ? 'is not a number'
      : Number.isNaN(value)
        ? 'is NaN'
        : value < 0
          ? 'is negative'
          : value === Infinity
            ? 'is infinite'
            : `is above the maximum ${maxValue}`;
  return new ValidationError(`${field} ${why} (got ${shown}); values must be finite numbers in [0, ${maxValue}]`, field);
}
