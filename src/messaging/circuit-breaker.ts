/**
 * A circuit breaker per recipient: closed → open after `failureThreshold` failures inside a
 * rolling window → half-open after `recoveryTimeout` with at most `halfOpenMaxCalls` trial
 * calls → closed on a trial's success, open again on a trial's failure. While open (or while
 * the trial slots are taken) calls fail fast with `CircuitOpenError`.
 *
 * The rolling window is exact and O(1): the times of the last `failureThreshold` failures live
 * in a ring; the circuit opens when the oldest of them is still inside the window.
 */
import { CircuitOpenError } from './errors.ts';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Failures inside `rollingWindow` that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Milliseconds the circuit stays open before allowing trial calls. Default 30,000. */
  recoveryTimeout?: number;
  /** Concurrent trial calls allowed while half-open. Default 1. */
  halfOpenMaxCalls?: number;
  /** Milliseconds over which failures are counted. Default 60,000. */
  rollingWindow?: number;
  /** Name shown in errors and stats (the recipient). */
  name?: string;
  /** Clock in milliseconds; injectable for tests. Default `performance.now`. */
  now?: () => number;
}

export interface CircuitStats {
  name: string;
  state: CircuitState;
  failuresInWindow: number;
  successes: number;
  failures: number;
  rejected: number;
  opened: number;
  /** Milliseconds until trial calls are allowed (0 unless open). */
  retryAfterMs: number;
}

const defaultNow = (): number => performance.now();

function positive(value: number, name: string, integer: boolean): number {
  if (!(Number.isFinite(value) && value > 0) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
  return value;
}

/**
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 3, recoveryTimeout: 10_000, halfOpenMaxCalls: 1 });
 * const data = await breaker.execute(() => fetchFromCustodian());
 */
export class CircuitBreaker {
  readonly name: string;
  readonly failureThreshold: number;
  readonly recoveryTimeout: number;
  readonly halfOpenMaxCalls: number;
  readonly rollingWindow: number;
  readonly #now: () => number;
  readonly #failureTimes: Float64Array;
  #failureIndex = 0;
  #failureCount = 0;
  #state: CircuitState = 'closed';
  #openedAt = 0;
  #trialsInFlight = 0;
  #successes = 0;
  #failures = 0;
  #rejected = 0;
  #opened = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = positive(options.failureThreshold ?? 5, 'failureThreshold', true);
    this.recoveryTimeout = positive(options.recoveryTimeout ?? 30_000, 'recoveryTimeout', false);
    this.halfOpenMaxCalls = positive(options.halfOpenMaxCalls ?? 1, 'halfOpenMaxCalls', true);
    this.rollingWindow = positive(options.rollingWindow ?? 60_000, 'rollingWindow', false);
    this.name = options.name ?? 'circuit';
    this.#now = options.now ?? defaultNow;
    this.#failureTimes = new Float64Array(this.failureThreshold);
  }

  /** The current state; an open circuit whose recovery timeout has passed reads as half-open. */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.recoveryTimeout) {
      this.#state = 'half_open';
      this.#trialsInFlight = 0;
    }
    return this.#state;
  }

  /** True while calls are refused outright (open and the recovery timeout not yet over). */
  isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Asks to make one call: true when allowed (closed, or a free half-open trial slot, which the
   * caller then owns until it records the outcome); false means fail fast.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half_open' && this.#trialsInFlight < this.halfOpenMaxCalls) {
      this.#trialsInFlight++;
      return true;
    }
    this.#rejected++;
    return false;
  }

  /** The error a refused call fails with. */
  openError(): CircuitOpenError {
    return new CircuitOpenError(this.name, this.state, this.retryAfterMs());
  }

  /** Milliseconds until trial calls are allowed; 0 unless open. */
  retryAfterMs(): number {
    return this.state === 'open' ? Math.max(0, this.#openedAt + this.recoveryTimeout - this.#now()) : 0;
  }

  recordSuccess(): void {
    this.#successes++;
    if (this.state === 'half_open') this.#close();
  }

  recordFailure(): void {
    this.#failures++;
    const state = this.state;
    const now = this.#now();
    if (state === 'half_open') {
      this.#open(now);
      return;
    }
    if (state === 'open') return;
    this.#failureTimes[this.#failureIndex] = now;
    this.#failureIndex = (this.#failureIndex + 1) % this.failureThreshold;
    if (this.#failureCount < this.failureThreshold) this.#failureCount++;
    // After the write, #failureIndex points at the oldest of the last `failureThreshold` failures.
    if (this.#failureCount === this.failureThreshold && now - this.#failureTimes[this.#failureIndex] <= this.rollingWindow) {
      this.#open(now);
    }
  }

  /**
   * Runs `fn` through the breaker: fails fast with `CircuitOpenError` when refused, records
   * the outcome otherwise and passes the result or error through.
   */
  async execute<T>(fn: () => T | Promise<T>): Promise<T> {
    if (!this.tryAcquire()) throw this.openError();
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      this.recordFailure();
      throw err;
    }
    this.recordSuccess();
    return result;
  }

  /** Back to closed with a clean window. */
  reset(): void {
    this.#close();
  }

  getStats(): CircuitStats {
    const state = this.state;
    const now = this.#now();
    let inWindow = 0;
    for (let i = 0; i < this.#failureCount; i++) if (now - this.#failureTimes[i] <= this.rollingWindow) inWindow++;
    return {
      name: this.name,
      state,
      failuresInWindow: inWindow,
      successes: this.#successes,
      failures: this.#failures,
      rejected: this.#rejected,
      opened: this.#opened,
      retryAfterMs: Math.ceil(this.retryAfterMs()),
    };
  }

  #open(now: number): void {
    this.#state = 'open';
    this.#openedAt = now;
    this.#trialsInFlight = 0;
    this.#opened++;
  }

  #close(): void {
    this.#state = 'closed';
    this.#trialsInFlight = 0;
    this.#failureCount = 0;
    this.#failureIndex = 0;
  }
}
