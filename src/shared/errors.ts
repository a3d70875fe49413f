/**
 * The one error type of HealthSync Edge.
 *
 * Every expected failure is an `AppError` (or a subclass) carrying an HTTP status, a stable
 * machine-readable `code` and a human message. The app's error handler turns it into
 * `{error: {code, message}}` through `getResponse()`; anything else becomes a logged 500.
 */

export type ErrorDetails = Record<string, unknown>;

export interface AppErrorOptions {
  cause?: unknown;
  details?: ErrorDetails;
  headers?: Record<string, string>;
}

/**
 * @example
 * throw new AppError(404, 'not_found', `no key with id ${id}`);
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetails | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }

  toJSON(): { error: { code: string; message: string } & ErrorDetails } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }

  getResponse(): Response {
    const headers = new Headers(this.headers);
    headers.set('content-type', 'application/json; charset=utf-8');
    return new Response(JSON.stringify(this.toJSON()), { status: this.status, headers });
  }
}

/** Bad input: names the field (or row/column) that is wrong. HTTP 400. */
export class ValidationError extends AppError {
  readonly field: string | undefined;
  constructor(message: string, field?: string, options: AppErrorOptions = {}) {
    super(400, 'invalid_input', message, {
      ...options,
      details: field === undefined ? options.details : { field, ...options.details },
    });
    this.field = field;
  }
}

/** The thing asked for does not exist. HTTP 404. */
export class NotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(404, 'not_found', message, options);
  }
}

/** The system refuses more work right now; `retryAfterSeconds` says when to come back. HTTP 429. */
export class OverloadedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, code = 'overloaded') {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(429, code, message, { headers: { 'retry-after': String(seconds) } });
    this.retryAfterSeconds = seconds;
  }
}
