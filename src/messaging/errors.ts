/**
 * The processor's typed failures. Each is an `AppError`, so the HTTP layer answers it with the
 * right status and a stable `code`; `OverloadedError` (429 + Retry-After) comes from
 * `src/shared/errors.ts` unchanged.
 */
import { AppError, ValidationError } from '../shared/errors.ts';

/**
 * A handler did not settle within the message's `timeout`. HTTP 504.
 *
 * @example
 * try { await processor.sendMessage(message); } catch (err) { if (err instanceof TimeoutError) retryLater(); }
 */
export class TimeoutError extends AppError {
  readonly timeoutMs: number;
  constructor(messageType: string, timeoutMs: number) {
    super(504, 'message_timeout', `handler for "${messageType}" did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The recipient's circuit is open (or its half-open trial slots are taken): failed fast. HTTP 503
 * with Retry-After.
 *
 * @example
 * if (err instanceof CircuitOpenError) console.log(err.recipient, err.retryAfterMs);
 */
export class CircuitOpenError extends AppError {
  readonly recipient: string;
  readonly retryAfterMs: number;
  constructor(recipient: string, state: string, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      503,
      'circuit_open',
      `circuit for recipient "${recipient}" is ${state.replace('_', '-')}: failing fast, retry in ${Math.ceil(retryAfterMs)} ms`,
      { headers: { 'retry-after': String(seconds) } },
    );
    this.recipient = recipient;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The processor is stopped or stopping and takes no new messages. HTTP 503. */
export class ProcessorStoppedError extends AppError {
  constructor(message = 'message processor is not running') {
    super(503, 'processor_stopped', message);
  }
}

/** No handler is registered for the message's type. HTTP 400. */
export class UnknownMessageTypeError extends ValidationError {
  constructor(messageType: string, field = 'messageType') {
    super(`no handler is registered for message type "${messageType}"`, field);
  }
}

/** A handler threw something that is not an `AppError`; keeps the original as `cause`. HTTP 502. */
export class HandlerFailedError extends AppError {
  constructor(messageType: string, cause: unknown) {
    super(502, 'handler_failed', `handler for "${messageType}" failed: ${describeError(cause)}`, { cause });
  }
}

/** A short, log-safe description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : String(err);
}

/** The stable code of a thrown value: an `AppError`'s code, else the error's name. */
export function errorCode(err: unknown): string {
  if (err instanceof AppError) return err.code;
  if (err instanceof Error) return err.name || 'Error';
  return 'unknown';
}
