/**
 * The message processor: agents' messages in, handlers' results out, with the promises a
 * message bus must keep under load.
 *
 * - Order: one FIFO ring per priority, highest first, aged so LOW is never starved.
 * - Concurrency: at most `maxWorkers` handler calls are running at any moment (a handler that
 *   times out keeps its worker until it really settles; `stuckWorkers` counts those).
 * - Time: each attempt is bounded by the message's `timeout` (`TimeoutError`); retries back off
 *   exponentially with jitter in a delay queue that holds no worker; after `maxRetries` the
 *   message goes to the dead-letter queue (list, replay, purge). One timer serves timeouts,
 *   retries and batch flushes.
 * - Isolation: a circuit breaker per recipient; an open circuit fails fast (`CircuitOpenError`).
 * - Bounds: at most `maxQueueSize` messages are pending (queued, batching, delayed or running);
 *   beyond that `sendMessage` rejects with `OverloadedError` (429 + Retry-After).
 * - Durability (with a `journal`): a message is journaled before it is acknowledged, each attempt
 *   before its handler is called, so after a crash every acknowledged message is processed or
 *   dead-lettered and no handler sees the same attempt twice (see journal.ts).
 *
 * The hot path allocates one entry, one context and the caller's promise per message: no
 * closures, no timers and no awaits of its own.
 */
import { AppError, OverloadedError } from '../shared/errors.ts';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitStats } from './circuit-breaker.ts';
import { DeadLetterQueue, type DeadLetter, type DeadLetterFilter } from './dead-letter-queue.ts';
import { DelayQueue } from './delay-queue.ts';
import {
  HandlerFailedError,
  ProcessorStoppedError,
  TimeoutError,
  UnknownMessageTypeError,
  describeError,
  errorCode,
} from './errors.ts';
import type { JournaledMessage, JournalSettlement, MessageJournal } from './journal.ts';
import { createMessageMeter, type MessageMeter } from './meter.ts';
import { MessagePriority } from './priority.ts';
import { PriorityQueue } from './priority-queue.ts';
import { RingQueue } from './ring-queue.ts';
import type { Handler, HandlerContext, Message, Middleware, Next, ProcessBatchFn, ProcessFn } from './types.ts';
import { DEFAULT_MESSAGE_DEFAULTS, normalizeMessage, type MessageDefaults } from './validate.ts';

export interface ProcessorOptions {
  /** Handler calls running at once. Default 10. */
  maxWorkers?: number;
  /** Messages pending at once (queued, batching, delayed, running). Default 10,000. */
  maxQueueSize?: number;
  /** Timeout (ms) for messages that carry none. Default 30,000. */
  defaultTimeout?: number;
  /** Priority for messages that carry none. Default NORMAL. */
  defaultPriority?: MessagePriority;
  /** Retries after the first attempt before dead-lettering. Default 3. */
  maxRetries?: number;
  /** First retry's backoff (ms) before jitter; doubles per retry. Default 100. */
  retryBaseDelay?: number;
  /** Longest backoff (ms). Default 30,000. */
  retryMaxDelay?: number;
  /** Waiting this long (ms) raises a message's effective priority by one level. Default 1,000. */
  agingInterval?: number;
  /** A batch is handed over when it holds this many messages. Default 100. */
  maxBatchSize?: number;
  /** ... or when its first message has waited this long (ms). Default 10. */
  maxBatchDelay?: number;
  /** Batches filling at once; beyond it the oldest is flushed early. Default 1,000. */
  maxOpenBatches?: number;
  /** Per-recipient circuit breaker settings, or false for none. */
  circuitBreaker?: Omit<CircuitBreakerOptions, 'name'> | false;
  /** Recipients with a circuit at once (closed ones are forgotten first). Default 10,000. */
  maxCircuits?: number;
  /** Dead letters kept (oldest evicted). Default 10,000. */
  deadLetterCapacity?: number;
  /** Recent message statuses kept for `getMessageStatus`. Default 10,000. */
  statusCapacity?: number;
  /** Makes acceptance durable (see journal.ts). */
  journal?: MessageJournal;
  /** Attempts journaled as started ahead of free workers, at most (adapted to rate × journal latency). Default 16,384. */
  leaseWindow?: number;
  /** Journal bytes since the last checkpoint that trigger the next one. Default 4 MiB. */
  checkpointBytes?: number;
  /** Where measurements go. Default `createMessageMeter()` (the performance monitor). */
  meter?: MessageMeter;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
}

export type ProcessorState = 'idle' | 'running' | 'stopping' | 'stopped';

export type MessageStatusName = 'accepting' | 'queued' | 'batching' | 'running' | 'retrying' | 'processed' | 'dead_lettered' | 'abandoned';

export interface MessageStatus {
  id: string;
  status: MessageStatusName;
  messageType: string;
  recipient: string;
  /** Attempt running or next to run; for a finished message, the attempts made. */
  attempt: number;
  result?: unknown;
  error?: { code: string; message: string };
}

export interface AcceptResult {
  accepted: number;
  ids: string[];
}

export interface StopResult {
  /** True when everything pending finished before the deadline. */
  drained: boolean;
  /** Messages still pending at the deadline (journaled ones resume at the next start). */
  abandoned: number;
}

export interface ProcessorStats {
  state: ProcessorState;
  maxWorkers: number;
  activeWorkers: number;
  stuckWorkers: number;
  maxQueueSize: number;
  pending: number;
  queued: { total: number; LOW: number; NORMAL: number; HIGH: number; CRITICAL: number };
  leased: number;
  batching: number;
  /** Recovered messages waiting for a handler of their type to be registered. */
  awaitingHandler: number;
  delayed: number;
  accepted: number;
  processed: number;
  attemptsFailed: number;
  timedOut: number;
  retried: number;
  deadLettered: number;
  abandoned: number;
  rejected: { overloaded: number; unknownType: number; circuitOpen: number; stopped: number };
  deadLetters: { size: number; capacity: number; evicted: number };
  circuits: { total: number; open: number; halfOpen: number };
  /** Finished messages per second over the last full second. */
  throughputPerSec: number;
  /** Acceptance to finish, over every processed message. */
  responseTimeMs: { avg: number; max: number };
  journal: {
    enabled: boolean;
    healthy: boolean;
    lastError?: string;
    bytesSinceCheckpoint: number;
    checkpoints: number;
    /** Attempts journaled as started ahead of free workers, and the START write latency (ms, moving average). */
    leaseAhead: number;
    leaseLatencyMs: number;
  };
}

interface NormalizedHandler {
  process: ProcessFn | undefined;
  processBatch: ProcessBatchFn | undefined;
}

const ACCEPTING = 0;
const QUEUED = 1;
const BATCHING = 2;
const LEASING = 3;
const LEASED = 4;
const RUNNING = 5;
const DELAYED = 6;
const DONE = 7;

/** Runs `fn` after the current event-loop turn's I/O callbacks (setImmediate where the host has it). */
const defer: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/** START writes allowed in flight at once: the storage layer group-commits them. */
const MAX_LEASE_WRITES = 4;

const STATE_NAMES: MessageStatusName[] = ['accepting', 'queued', 'batching', 'queued', 'queued', 'running', 'retrying'];

type Resolve = (value: unknown) => void;
type Reject = (reason: unknown) => void;

// A shared executor instead of a closure per message: it hands the resolvers out through these.
let capturedResolve: Resolve | undefined;
let capturedReject: Reject | undefined;
function capture(resolve: Resolve, reject: Reject): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

class Entry {
  readonly isBatch = false;
  readonly message: Message;
  readonly priority: number;
  readonly acceptedAt: number;
  enqueuedAt = 0;
  dueAt = 0;
  /** The attempt that runs next (or is running). */
  attempt = 1;
  /** Highest attempt journaled as started. */
  startedAttempt = 0;
  seq = -1;
  state = ACCEPTING;
  tracked = false;
  /** Never accepted after all (the journal write failed): invisible to status lookups. */
  refused = false;
  /** How it ended (tracked entries only). */
  outcome: MessageStatusName | undefined = undefined;
  result: unknown = undefined;
  error: { code: string; message: string } | undefined = undefined;
  resolve: Resolve | undefined = undefined;
  reject: Reject | undefined = undefined;

  constructor(message: Message, acceptedAt: number) {
    this.message = message;
    this.priority = message.priority;
    this.acceptedAt = acceptedAt;
  }
}

class Batch {
  readonly isBatch = true;
  readonly key: string;
  readonly messageType: string;
  readonly recipient: string;
  readonly openedAt: number;
  readonly entries: Entry[] = [];
  priority = 0;
  enqueuedAt = 0;
  closed = false;

  constructor(key: string, messageType: string, recipient: string, openedAt: number) {
    this.key = key;
    this.messageType = messageType;
    this.recipient = recipient;
    this.openedAt = openedAt;
  }
}

type Item = Entry | Batch;

class DispatchContext implements HandlerContext {
  readonly messageType: string;
  readonly recipient: string;
  readonly message: Message;
  readonly batch: readonly Message[] | undefined;
  readonly attempt: number;
  readonly deadline: number;
  #controller: AbortController | undefined = undefined;
  #reason: unknown = undefined;

  constructor(messageType: string, recipient: string, message: Message, batch: readonly Message[] | undefined, attempt: number, deadline: number) {
    this.messageType = messageType;
    this.recipient = recipient;
    this.message = message;
    this.batch = batch;
    this.attempt = attempt;
    this.deadline = deadline;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#controller) this.#controller.abort(reason);
    else this.#reason ??= reason;
  }
}

class Slot {
  entry: Entry | undefined = undefined;
  batch: Batch | undefined = undefined;
  context: DispatchContext | undefined = undefined;
  breaker: CircuitBreaker | undefined = undefined;
  deadline = Infinity;
  async = false;
  timedOut = false;
  /** The handler has only processBatch, called with one message: unwrap the first result. */
  unwrap = false;
  readonly onFulfilled: (value: unknown) => void;
  readonly onRejected: (reason: unknown) => void;

  constructor(settle: (slot: Slot, ok: boolean, value: unknown) => void) {
    this.onFulfilled = (value) => settle(this, true, value);
    this.onRejected = (reason) => settle(this, false, reason);
  }
}

function positiveInt(value: number, name: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  return value;
}

function normalizeHandler(type: string, handler: Handler): NormalizedHandler {
  if (typeof handler === 'function') return { process: handler, processBatch: undefined };
  if (handler && (typeof handler.process === 'function' || typeof handler.processBatch === 'function')) {
    return { process: handler.process?.bind(handler), processBatch: handler.processBatch?.bind(handler) };
  }
  throw new TypeError(`handler for "${type}" must be a function or an object with process and/or processBatch`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Client errors (4xx other than 408/429) will fail the same way again: no retry. */
function isRetryable(err: unknown): boolean {
  if ((err as { retryable?: unknown } | null)?.retryable === false) return false;
  if (err instanceof AppError) return !(err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429);
  return true;
}

function errorInfo(err: unknown): { code: string; message: string } {
  return { code: errorCode(err), message: describeError(err) };
}

/**
 * The wait before retrying after failed attempt `failedAttempt` (1-based): an exponential step
 * `base * 2^(failedAttempt - 1)` capped at `max`, with equal jitter (half fixed, half random),
 * so retries of many messages that failed together spread out instead of arriving together.
 *
 * @example
 * retryDelay(3, 100, 30_000, Math.random()); // between 200 and 400 ms
 */
export function retryDelay(failedAttempt: number, base: number, max: number, random: number): number {
  const step = Math.min(max, base * 2 ** (failedAttempt - 1));
  return step / 2 + random * (step / 2);
}

/**
 * @example
 * const processor = new MessageProcessor({ maxWorkers: 20 });
 * processor.registerHandler('consent.check', async (message) => checkConsent(message.payload));
 * await processor.start();
 * const result = await processor.sendMessage({ sender: 'research-agent', recipient: 'consent-agent',
 *   messageType: 'consent.check', payload: { patientId: 'p1' }, priority: MessagePriority.HIGH, timeout: 5000 });
 * await processor.stop();
 */
export class MessageProcessor {
  readonly maxWorkers: number;
  readonly maxQueueSize: number;
  readonly maxRetries: number;
  readonly #retryBaseDelay: number;
  readonly #retryMaxDelay: number;
  readonly #maxBatchSize: number;
  readonly #maxBatchDelay: number;
  readonly #maxOpenBatches: number;
  readonly #breakerOptions: Omit<CircuitBreakerOptions, 'name'> | false;
  readonly #maxCircuits: number;
  readonly #leaseWindow: number;
  readonly #checkpointBytes: number;
  readonly #defaults: MessageDefaults;
  readonly #meter: MessageMeter;
  readonly #random: () => number;
  readonly #journal: MessageJournal | undefined;

  readonly #handlers = new Map<string, NormalizedHandler>();
  readonly #middleware: Middleware[] = [];
  #chain: Next | undefined = undefined;
  readonly #queue: PriorityQueue<Item>;
  readonly #delayed = new DelayQueue<Entry>();
  readonly #batches = new Map<string, Batch>();
  readonly #openBatches = new RingQueue<Batch>();
  readonly #slots: Slot[] = [];
  readonly #free: Slot[] = [];
  readonly #circuits = new Map<string, CircuitBreaker>();
  readonly #deadLetters: DeadLetterQueue;
  /**
   * The last `statusCapacity` tracked entries, a ring: tracking costs one store per message and
   * no map churn; a status lookup scans it newest first (rare next to sends).
   */
  readonly #recent: (Entry | undefined)[];
  #recentNext = 0;
  /** Recovered messages whose type has no handler yet, by type; queued when one registers. */
  readonly #parked = new Map<string, Entry[]>();
  #parkedCount = 0;

  #state: ProcessorState = 'idle';
  #pending = 0;
  #batching = 0;
  #busy = 0;
  #stuck = 0;
  #pumpScheduled = false;
  /** The last clock reading on the dispatch path. */
  #clock = 0;
  #pumping = false;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #timerAt = Infinity;
  #drained: (() => void) | undefined = undefined;
  #stopping: Promise<StopResult> | undefined = undefined;

  // Durable mode.
  readonly #live = new Map<number, Entry>();
  readonly #leased = new RingQueue<Item>();
  /** START writes in flight, and the attempts they carry. */
  #leaseWrites = 0;
  #leasingCount = 0;
  #lastRateAt = 0;
  /** Attempts finished per ms (moving average) and START write latency in ms (moving average). */
  #completionRate = 0;
  #leaseLatency = 5;
  #leaseAhead: number;
  /** Attempts finished since the completion rate was last sampled. */
  #completedSinceLease = 0;
  #nextSeq = 0;
  #acceptGroup: Entry[] = [];
  #acceptGroupWrite: Promise<void> | undefined = undefined;
  #acceptGroupDone: { resolve: () => void; reject: (err: unknown) => void } | undefined = undefined;
  #settlement: JournalSettlement = { processed: [], deadLettered: [], removedDeadLetters: [] };
  #settleScheduled = false;
  #journalWrites = new Set<Promise<unknown>>();
  #journalError: string | undefined = undefined;
  #journalRetryAt = 0;
  #checkpointing = false;
  #checkpoints = 0;

  // Counters.
  #accepted = 0;
  #processed = 0;
  #attemptsFailed = 0;
  #timedOut = 0;
  #retried = 0;
  #deadLettered = 0;
  #abandoned = 0;
  #rejectedOverloaded = 0;
  #rejectedUnknown = 0;
  #rejectedCircuit = 0;
  #rejectedStopped = 0;
  #responseSum = 0;
  #responseMax = 0;
  #rateWindowStart = 0;
  #rateWindowCount = 0;
  #rate = 0;

  readonly #pumpBound = (): void => this.#pump();
  readonly #onTimerBound = (): void => this.#onTimer();
  readonly #settleBound = (slot: Slot, ok: boolean, value: unknown): void => this.#settle(slot, ok, value);
  readonly #flushAcceptGroupBound = (): void => {
    void this.#flushAcceptGroup();
  };
  readonly #flushSettlementBound = (): void => {
    void this.#flushSettlement();
  };

  constructor(options: ProcessorOptions = {}) {
    this.maxWorkers = positiveInt(options.maxWorkers ?? 10, 'maxWorkers');
    this.maxQueueSize = positiveInt(options.maxQueueSize ?? 10_000, 'maxQueueSize');
    this.maxRetries = nonNegative(options.maxRetries ?? 3, 'maxRetries');
    this.#retryBaseDelay = nonNegative(options.retryBaseDelay ?? 100, 'retryBaseDelay');
    this.#retryMaxDelay = nonNegative(options.retryMaxDelay ?? 30_000, 'retryMaxDelay');
    this.#maxBatchSize = positiveInt(options.maxBatchSize ?? 100, 'maxBatchSize');
    this.#maxBatchDelay = nonNegative(options.maxBatchDelay ?? 10, 'maxBatchDelay');
    this.#maxOpenBatches = positiveInt(options.maxOpenBatches ?? 1_000, 'maxOpenBatches');
    this.#breakerOptions = options.circuitBreaker ?? {};
    if (this.#breakerOptions) new CircuitBreaker(this.#breakerOptions); // validates the settings now
    this.#maxCircuits = positiveInt(options.maxCircuits ?? 10_000, 'maxCircuits');
    this.#recent = new Array<Entry | undefined>(positiveInt(options.statusCapacity ?? 10_000, 'statusCapacity')).fill(undefined);
    this.#leaseWindow = positiveInt(options.leaseWindow ?? 16_384, 'leaseWindow');
    this.#leaseAhead = this.maxWorkers;
    this.#checkpointBytes = positiveInt(options.checkpointBytes ?? 4 * 1024 * 1024, 'checkpointBytes');
    this.#defaults = {
      ...DEFAULT_MESSAGE_DEFAULTS,
      timeout: positiveInt(options.defaultTimeout ?? DEFAULT_MESSAGE_DEFAULTS.timeout, 'defaultTimeout'),
      priority: options.defaultPriority ?? DEFAULT_MESSAGE_DEFAULTS.priority,
    };
    this.#meter = options.meter ?? createMessageMeter();
    this.#random = options.random ?? Math.random;
    this.#journal = options.journal;
    this.#queue = new PriorityQueue<Item>(4, positiveInt(options.agingInterval ?? 1_000, 'agingInterval'));
    this.#deadLetters = new DeadLetterQueue(options.deadLetterCapacity ?? 10_000);
    for (let i = 0; i < this.maxWorkers; i++) {
      const slot = new Slot(this.#settleBound);
      this.#slots.push(slot);
      this.#free.push(slot);
    }
  }

  get state(): ProcessorState {
    return this.#state;
  }

  /** Whether a journal makes acceptance durable. */
  get durable(): boolean {
    return this.#journal !== undefined;
  }

  /**
   * Registers the handler for `messageType` (replacing any previous one): a function, or an
   * object with `process` and/or `processBatch`.
   */
  registerHandler(messageType: string, handler: Handler): this {
    if (typeof messageType !== 'string' || messageType.length === 0) throw new TypeError('messageType must be a non-empty string');
    this.#handlers.set(messageType, normalizeHandler(messageType, handler));
    const parked = this.#parked.get(messageType);
    if (parked) {
      this.#parked.delete(messageType);
      this.#parkedCount -= parked.length;
      const now = performance.now();
      for (const entry of parked) this.#enqueue(entry, now);
    }
    return this;
  }

  /** Whether a handler is registered for `messageType`. */
  hasHandler(messageType: string): boolean {
    return this.#handlers.has(messageType);
  }

  /** Adds a middleware around every handler call; the first added runs outermost. */
  use(middleware: Middleware): this {
    if (typeof middleware !== 'function') throw new TypeError('middleware must be a function');
    this.#middleware.push(middleware);
    let next: Next = (ctx) => this.#callHandler(ctx);
    for (let i = this.#middleware.length - 1; i >= 0; i--) {
      const mw = this.#middleware[i];
      const inner = next;
      next = (ctx) => mw(ctx, inner);
    }
    this.#chain = next;
    return this;
  }

  /**
   * Starts dispatching. With a journal, first recovers what the last run left: pending messages
   * are queued again (an attempt that was in flight counts as failed), dead letters restored.
   * Register handlers first: a recovered message whose type has no handler waits (counted in
   * `awaitingHandler`) until one is registered.
   */
  async start(): Promise<void> {
    if (this.#state === 'running') return;
    if (this.#state === 'stopping') throw new ProcessorStoppedError('message processor is stopping');
    if (this.#journal) await this.#recover(this.#journal);
    this.#state = 'running';
    this.#rateWindowStart = performance.now();
    this.#schedulePump();
  }

  /**
   * Stops taking messages, lets pending ones finish until `timeout` ms have passed, then gives up
   * on the rest: their promises reject with `ProcessorStoppedError` (journaled ones resume at the
   * next start). Handlers still running are signalled through `context.signal`.
   */
  stop(options: { timeout?: number } = {}): Promise<StopResult> {
    this.#stopping ??= this.#stop(nonNegative(options.timeout ?? 10_000, 'timeout')).finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async #stop(deadline: number): Promise<StopResult> {
    // Acceptances already admitted finish (they are journaled or refused) before anything else.
    await this.#flushAcceptGroup();
    let drained = this.#pending === 0;
    if (this.#state === 'running') {
      this.#state = 'stopping';
      const now = performance.now();
      for (const batch of [...this.#batches.values()]) this.#closeBatch(batch, now);
      this.#schedulePump();
      if (!drained) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        drained = await new Promise<boolean>((resolve) => {
          this.#drained = () => resolve(true);
          timer = setTimeout(() => resolve(false), deadline);
        });
        clearTimeout(timer);
        this.#drained = undefined;
      }
    }
    const abandoned = this.#pending;
    this.#state = 'stopped';
    this.#abandonAll();
    this.#clearTimer();
    void this.#flushSettlement();
    await this.#journalIdle();
    return { drained: drained && abandoned === 0, abandoned };
  }

  /** Checks `input` and fills this processor's defaults (`id`, `priority`, `timeout`), as `sendMessage` will. */
  prepareMessage(input: unknown): Message {
    return normalizeMessage(input, this.#defaults);
  }

  /**
   * Sends one message; resolves with its handler's result, or rejects with the error that made
   * it give up (after retries), `OverloadedError` when the queue is full, `ValidationError` /
   * `UnknownMessageTypeError` for bad input, `CircuitOpenError` when the recipient's circuit is
   * open. With `track`, its status stays visible through `getMessageStatus`.
   */
  sendMessage<R = unknown>(input: unknown, options?: { track?: boolean }): Promise<R> {
    let entry: Entry;
    try {
      entry = this.#admitOne(input);
    } catch (err) {
      return Promise.reject(err);
    }
    const promise = new Promise<R>(capture as (resolve: (value: R) => void, reject: Reject) => void);
    entry.resolve = capturedResolve;
    entry.reject = capturedReject;
    if (options?.track) this.#track(entry);
    if (this.#journal) {
      this.#groupAccept([entry]).catch((err: unknown) => entry.reject?.(err));
    }
    else this.#enqueue(entry, entry.acceptedAt);
    return promise;
  }

  /**
   * Accepts messages for processing without waiting for their results: all or none (any invalid
   * message, unknown type or lack of room rejects the whole call). Resolves once they are
   * journaled (with a journal) or queued; follow them with `getMessageStatus(id)`.
   * `frame`, when given, must be the `encodeBatch` bytes of exactly these messages: the journal
   * stores it as is instead of encoding again.
   */
  async acceptMessages(inputs: readonly unknown[], options: { frame?: Uint8Array } = {}): Promise<AcceptResult> {
    const entries = this.#admitMany(inputs);
    for (const entry of entries) this.#track(entry);
    if (this.#journal) {
      // A frame is already a batch and is stored as is; JSON messages share the turn's group.
      if (options.frame) await this.#journalAccept(entries, options.frame, undefined);
      else await this.#groupAccept(entries);
    }
    else {
      const now = performance.now();
      for (const entry of entries) this.#enqueue(entry, now);
    }
    return { accepted: entries.length, ids: entries.map((e) => e.message.id) };
  }

  /** The status of a message sent with tracking (all accepted ones are), or undefined when unknown or forgotten. */
  getMessageStatus(id: string): MessageStatus | undefined {
    const recent = this.#recent;
    const n = recent.length;
    for (let k = 1; k <= n; k++) {
      const entry = recent[(this.#recentNext - k + n) % n];
      if (entry === undefined) break;
      if (entry.message.id !== id || entry.refused) continue;
      const status: MessageStatus = {
        id,
        status: entry.outcome ?? STATE_NAMES[entry.state] ?? 'queued',
        messageType: entry.message.messageType,
        recipient: entry.message.recipient,
        attempt: entry.attempt,
      };
      if (entry.result !== undefined) status.result = entry.result;
      if (entry.error !== undefined) status.error = entry.error;
      return status;
    }
    return undefined;
  }

  /** Dead letters, oldest first. */
  listDeadLetters(options: DeadLetterFilter & { limit?: number; offset?: number } = {}): DeadLetter[] {
    return this.#deadLetters.list(options);
  }

  getDeadLetter(id: string): DeadLetter | undefined {
    return this.#deadLetters.get(id);
  }

  /**
   * Sends a dead letter's message again from attempt 1 (journaled atomically with removing the
   * letter). Resolves once it is accepted; follow it with `getMessageStatus(id)`.
   * Returns undefined when no letter has that id.
   */
  async replayDeadLetter(id: string): Promise<AcceptResult | undefined> {
    const letter = this.#deadLetters.get(id);
    if (!letter) return undefined;
    const [entry] = this.#admitMany([letter.message]);
    this.#deadLetters.take(id);
    this.#track(entry);
    if (this.#journal) {
      try {
        await this.#journalAccept([entry], undefined, id);
      } catch (err) {
        this.#deadLetters.add(letter);
        throw err;
      }
    } else this.#enqueue(entry, performance.now());
    return { accepted: 1, ids: [entry.message.id] };
  }

  /** Removes dead letters (those matching `filter`, or all); resolves with how many. */
  async purgeDeadLetters(filter?: DeadLetterFilter): Promise<number> {
    const ids = this.#deadLetters.purge(filter);
    if (this.#journal && ids.length > 0) {
      this.#settlement.removedDeadLetters.push(...ids);
      await this.#flushSettlement();
    }
    return ids.length;
  }

  /** The breaker guarding `recipient`, created on first use (undefined when breakers are off). */
  getCircuitBreaker(recipient: string): CircuitBreaker | undefined {
    return this.#breakerFor(recipient);
  }

  /** Every recipient's circuit, open ones first. */
  getCircuits(): CircuitStats[] {
    const order = { open: 0, half_open: 1, closed: 2 };
    return [...this.#circuits.values()].map((b) => b.getStats()).sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name));
  }

  /** Running, accepting, queue below 90% full, some worker not stuck, journal writing. */
  isHealthy(): boolean {
    return (
      (this.#state === 'running' || this.#state === 'idle') &&
      this.#pending < this.maxQueueSize * 0.9 &&
      this.#stuck < this.maxWorkers &&
      this.#journalError === undefined
    );
  }

  getStats(): ProcessorStats {
    const [low, normal, high, critical] = this.#queue.sizes();
    let open = 0;
    let halfOpen = 0;
    for (const b of this.#circuits.values()) {
      const s = b.state;
      if (s === 'open') open++;
      else if (s === 'half_open') halfOpen++;
    }
    this.#rollRate(performance.now());
    return {
      state: this.#state,
      maxWorkers: this.maxWorkers,
      activeWorkers: this.#busy,
      stuckWorkers: this.#stuck,
      maxQueueSize: this.maxQueueSize,
      pending: this.#pending,
      queued: { total: this.#queue.size, LOW: low, NORMAL: normal, HIGH: high, CRITICAL: critical },
      leased: this.#leased.size,
      batching: this.#batching,
      awaitingHandler: this.#parkedCount,
      delayed: this.#delayed.size,
      accepted: this.#accepted,
      processed: this.#processed,
      attemptsFailed: this.#attemptsFailed,
      timedOut: this.#timedOut,
      retried: this.#retried,
      deadLettered: this.#deadLettered,
      abandoned: this.#abandoned,
      rejected: {
        overloaded: this.#rejectedOverloaded,
        unknownType: this.#rejectedUnknown,
        circuitOpen: this.#rejectedCircuit,
        stopped: this.#rejectedStopped,
      },
      deadLetters: { size: this.#deadLetters.size, capacity: this.#deadLetters.capacity, evicted: this.#deadLetters.evicted },
      circuits: { total: this.#circuits.size, open, halfOpen },
      throughputPerSec: Math.round(this.#rate),
      responseTimeMs: { avg: this.#processed ? this.#responseSum / this.#processed : 0, max: this.#responseMax },
      journal: {
        enabled: this.#journal !== undefined,
        healthy: this.#journalError === undefined,
        ...(this.#journalError === undefined ? {} : { lastError: this.#journalError }),
        bytesSinceCheckpoint: this.#journal?.bytesSinceCheckpoint() ?? 0,
        checkpoints: this.#checkpoints,
        leaseAhead: this.#leaseAhead,
        leaseLatencyMs: this.#leaseLatency,
      },
    };
  }

  // ---- admission ------------------------------------------------------------------------

  #checkOpen(): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      this.#rejectedStopped++;
      throw new ProcessorStoppedError(`message processor is ${this.#state}`);
    }
  }

  #overloaded(wanted: number): OverloadedError {
    this.#rejectedOverloaded += wanted;
    const rate = Math.max(this.#rate, 1);
    return new OverloadedError(
      `message queue is full (${this.#pending} of ${this.maxQueueSize} pending); retry later`,
      Math.min(60, (this.#pending + wanted - this.maxQueueSize + 1) / rate),
    );
  }

  #admitOne(input: unknown): Entry {
    this.#checkOpen();
    const message = normalizeMessage(input, this.#defaults);
    if (!this.#handlers.has(message.messageType)) {
      this.#rejectedUnknown++;
      throw new UnknownMessageTypeError(message.messageType);
    }
    if (this.#pending >= this.maxQueueSize) throw this.#overloaded(1);
    this.#pending++;
    this.#accepted++;
    return new Entry(message, performance.now());
  }

  #admitMany(inputs: readonly unknown[]): Entry[] {
    this.#checkOpen();
    if (!Array.isArray(inputs)) throw new TypeError('messages must be an array');
    const messages: Message[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const message = normalizeMessage(inputs[i], this.#defaults, `messages[${i}]`);
      if (!this.#handlers.has(message.messageType)) {
        this.#rejectedUnknown++;
        throw new UnknownMessageTypeError(message.messageType, `messages[${i}].messageType`);
      }
      messages[i] = message;
    }
    if (this.#pending + messages.length > this.maxQueueSize) throw this.#overloaded(messages.length);
    this.#pending += messages.length;
    this.#accepted += messages.length;
    const now = performance.now();
    return messages.map((m) => new Entry(m, now));
  }

  #track(entry: Entry): void {
    entry.tracked = true;
    this.#recent[this.#recentNext] = entry;
    this.#recentNext = (this.#recentNext + 1) % this.#recent.length;
  }

  #enqueue(entry: Entry, now: number): void {
    const batchKey = entry.message.batchKey;
    if (batchKey !== undefined && entry.attempt === 1 && this.#handlers.get(entry.message.messageType)?.processBatch) {
      this.#addToBatch(entry, batchKey, now);
    } else {
      entry.state = QUEUED;
      entry.enqueuedAt = now;
      this.#queue.push(entry);
    }
    this.#schedulePump();
  }

  // ---- batching --------------------------------------------------------------------------

  #addToBatch(entry: Entry, batchKey: string, now: number): void {
    const { messageType, recipient } = entry.message;
    const key = `${messageType}\u0000${recipient}\u0000${batchKey}`;
    let batch = this.#batches.get(key);
    if (!batch) {
      if (this.#batches.size >= this.#maxOpenBatches) {
        let oldest = this.#openBatches.shift();
        while (oldest?.closed) oldest = this.#openBatches.shift();
        if (oldest) this.#closeBatch(oldest, now);
      }
      batch = new Batch(key, messageType, recipient, now);
      this.#batches.set(key, batch);
      this.#openBatches.push(batch);
      this.#armTimer(now + this.#maxBatchDelay);
    }
    entry.state = BATCHING;
    batch.entries.push(entry);
    this.#batching++;
    if (batch.entries.length >= this.#maxBatchSize) this.#closeBatch(batch, now);
  }

  #closeBatch(batch: Batch, now: number): void {
    if (batch.closed) return;
    batch.closed = true;
    this.#batches.delete(batch.key);
    let priority = 0;
    for (const entry of batch.entries) {
      entry.state = QUEUED;
      if (entry.priority > priority) priority = entry.priority;
    }
    this.#batching -= batch.entries.length;
    batch.priority = priority;
    batch.enqueuedAt = now;
    this.#queue.push(batch);
    this.#schedulePump();
  }

  // ---- dispatch --------------------------------------------------------------------------

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#state === 'idle' || this.#state === 'stopped') return;
    this.#pumpScheduled = true;
    queueMicrotask(this.#pumpBound);
  }

  #pump(): void {
    this.#pumpScheduled = false;
    if (this.#pumping || this.#state === 'idle' || this.#state === 'stopped') return;
    this.#pumping = true;
    try {
      if (this.#journal) this.#pumpDurable();
      else {
        const queue = this.#queue;
        const free = this.#free;
        // A synchronous handler's settle reads the clock; the next dispatch reuses that reading.
        this.#clock = performance.now();
        while (free.length > 0 && queue.size > 0) this.#dispatch(queue.shift(this.#clock) as Item, this.#clock);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #pumpDurable(): void {
    const free = this.#free;
    const leased = this.#leased;
    this.#clock = performance.now();
    while (free.length > 0 && leased.size > 0) this.#dispatch(leased.shift() as Item, this.#clock);
    if (this.#leaseWrites >= MAX_LEASE_WRITES || this.#queue.size === 0) return;
    const now = performance.now();
    if (now < this.#journalRetryAt) return;
    const room = this.#leaseRoom(now);
    if (room <= 0) return;
    const items: Item[] = [];
    const seqAttempts: number[] = [];
    while (seqAttempts.length < 2 * room && this.#queue.size > 0) {
      const item = this.#queue.shift(now) as Item;
      items.push(item);
      if (item.isBatch) for (const e of item.entries) this.#markStarting(e, seqAttempts);
      else this.#markStarting(item, seqAttempts);
    }
    const count = seqAttempts.length >>> 1;
    this.#leaseWrites++;
    this.#leasingCount += count;
    const settled = (): void => {
      this.#leaseWrites--;
      this.#leasingCount -= count;
    };
    this.#journalWrite(this.#journal!.start(seqAttempts)).then(
      () => {
        settled();
        this.#noteJournalLatency(performance.now() - now);
        for (const item of items) {
          if (item.isBatch) for (const e of item.entries) e.state = LEASED;
          else item.state = LEASED;
          leased.push(item);
        }
        this.#pump();
      },
      (err: unknown) => {
        settled();
        this.#journalFailed(err);
        const at = performance.now();
        for (const item of items) {
          if (item.isBatch) for (const e of item.entries) e.state = QUEUED;
          else item.state = QUEUED;
          item.enqueuedAt = at;
          this.#queue.push(item);
        }
        this.#journalRetryAt = at + 500;
        this.#armTimer(this.#journalRetryAt);
      },
    );
    // Room left (the queue had more than one write's worth): pipeline another write.
    if (this.#queue.size > 0) this.#schedulePump();
  }

  /**
   * How many more attempts may be journaled as started now. The lease ahead of free workers is
   * what they will get through while a journal write is in flight: twice the completion rate
   * times the write latency, within [maxWorkers, leaseWindow]. Fast handlers grow it
   * geometrically; slow ones keep it small, which bounds priority inversion and the attempts a
   * crash burns.
   */
  #leaseRoom(now: number): number {
    const elapsed = now - this.#lastRateAt;
    if (elapsed >= 1) {
      if (this.#lastRateAt > 0) this.#completionRate = 0.7 * this.#completionRate + 0.3 * (this.#completedSinceLease / elapsed);
      this.#completedSinceLease = 0;
      this.#lastRateAt = now;
    }
    this.#leaseAhead = Math.min(this.#leaseWindow, Math.max(this.maxWorkers, Math.ceil(2 * this.#completionRate * this.#leaseLatency)));
    return this.maxWorkers + this.#leaseAhead - this.#busy - this.#leased.size - this.#leasingCount;
  }

  #noteJournalLatency(ms: number): void {
    this.#leaseLatency = 0.7 * this.#leaseLatency + 0.3 * ms;
  }

  #markStarting(entry: Entry, seqAttempts: number[]): void {
    entry.state = LEASING;
    entry.startedAttempt = entry.attempt;
    seqAttempts.push(entry.seq, entry.attempt);
  }

  #dispatch(item: Item, now: number): void {
    const messageType = item.isBatch ? item.messageType : item.message.messageType;
    const recipient = item.isBatch ? item.recipient : item.message.recipient;
    const handler = this.#handlers.get(messageType);
    if (!handler) {
      this.#failItem(item, new UnknownMessageTypeError(messageType), now);
      return;
    }
    const breaker = this.#breakerOptions ? this.#breakerFor(recipient) : undefined;
    if (breaker && !breaker.tryAcquire()) {
      this.#rejectedCircuit++;
      this.#failItem(item, breaker.openError(), now);
      return;
    }
    const slot = this.#free.pop() as Slot;
    this.#busy++;
    slot.breaker = breaker;
    slot.timedOut = false;
    let context: DispatchContext;
    let result: unknown;
    try {
      if (item.isBatch) {
        const entries = item.entries;
        const messages = new Array<Message>(entries.length);
        let timeout = Infinity;
        let attempt = 1;
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i];
          e.state = RUNNING;
          messages[i] = e.message;
          if (e.message.timeout < timeout) timeout = e.message.timeout;
          if (e.attempt > attempt) attempt = e.attempt;
        }
        slot.batch = item;
        slot.unwrap = false;
        slot.deadline = now + timeout;
        context = new DispatchContext(messageType, recipient, messages[0], messages, attempt, slot.deadline);
        slot.context = context;
        result = this.#chain ? this.#chain(context) : (handler.processBatch as ProcessBatchFn)(messages, context);
      } else {
        const message = item.message;
        item.state = RUNNING;
        slot.entry = item;
        slot.unwrap = handler.process === undefined;
        slot.deadline = now + message.timeout;
        context = new DispatchContext(messageType, recipient, message, undefined, item.attempt, slot.deadline);
        slot.context = context;
        result = this.#chain
          ? this.#chain(context)
          : handler.process
            ? handler.process(message, context)
            : (handler.processBatch as ProcessBatchFn)([message], context);
      }
    } catch (err) {
      this.#settle(slot, false, err);
      return;
    }
    if (isThenable(result)) {
      slot.async = true;
      if (slot.deadline < this.#timerAt) this.#armTimer(slot.deadline);
      result.then(slot.onFulfilled, slot.onRejected);
    } else {
      this.#settle(slot, true, result);
    }
  }

  /** The innermost step of the middleware chain. */
  #callHandler(ctx: HandlerContext): unknown {
    const handler = this.#handlers.get(ctx.messageType);
    if (!handler) throw new UnknownMessageTypeError(ctx.messageType);
    if (ctx.batch) {
      if (handler.processBatch) return handler.processBatch(ctx.batch, ctx);
      throw new TypeError(`handler for "${ctx.messageType}" has no processBatch`);
    }
    return handler.process ? handler.process(ctx.message, ctx) : (handler.processBatch as ProcessBatchFn)([ctx.message], ctx);
  }

  #settle(slot: Slot, ok: boolean, value: unknown): void {
    const now = (this.#clock = performance.now());
    const { entry, batch, breaker, timedOut } = slot;
    slot.entry = undefined;
    slot.batch = undefined;
    slot.context = undefined;
    slot.breaker = undefined;
    slot.async = false;
    slot.timedOut = false;
    this.#free.push(slot);
    this.#busy--;
    this.#completedSinceLease++;
    if (timedOut) {
      this.#stuck--;
    } else if (entry) {
      if (ok) {
        breaker?.recordSuccess();
        this.#succeed(entry, slot.unwrap ? (Array.isArray(value) ? value[0] : undefined) : value, now);
      } else {
        breaker?.recordFailure();
        this.#failAttempt(entry, value, now);
      }
    } else if (batch) {
      const entries = batch.entries;
      if (ok && value !== undefined && !(Array.isArray(value) && value.length === entries.length)) {
        ok = false;
        value = new HandlerFailedError(
          batch.messageType,
          new Error(`processBatch returned ${Array.isArray(value) ? `${value.length} results` : typeof value} for ${entries.length} messages`),
        );
      }
      if (ok) {
        breaker?.recordSuccess();
        const results = value as unknown[] | undefined;
        for (let i = 0; i < entries.length; i++) this.#succeed(entries[i], results?.[i], now);
      } else {
        breaker?.recordFailure();
        for (const e of entries) this.#failAttempt(e, value, now);
      }
    }
    if (!this.#pumping) this.#pump();
  }

  #succeed(entry: Entry, value: unknown, now: number): void {
    const elapsed = now - entry.acceptedAt;
    this.#processed++;
    this.#responseSum += elapsed;
    if (elapsed > this.#responseMax) this.#responseMax = elapsed;
    if (now - this.#rateWindowStart >= 1000) this.#rollRate(now);
    this.#rateWindowCount++;
    this.#meter.record(entry.message.recipient, entry.message.messageType, elapsed, undefined);
    if (this.#journal && this.#state !== 'stopped') {
      this.#settlement.processed.push(entry.seq);
      this.#scheduleSettlement();
    }
    if (entry.tracked) this.#finalStatus(entry, 'processed', value, undefined);
    this.#release(entry);
    entry.resolve?.(value);
  }

  #failAttempt(entry: Entry, err: unknown, now: number): void {
    this.#attemptsFailed++;
    const code = errorCode(err);
    this.#meter.record(entry.message.recipient, entry.message.messageType, now - entry.acceptedAt, code);
    if (this.#state === 'stopped' && this.#journal) {
      // Stopped: the journal still holds it, and the next start retries it.
      this.#release(entry);
      entry.reject?.(err);
    } else if (entry.attempt <= this.maxRetries && this.#state !== 'stopped' && isRetryable(err)) {
      this.#retried++;
      const delay = retryDelay(entry.attempt, this.#retryBaseDelay, this.#retryMaxDelay, this.#random());
      entry.attempt++;
      entry.state = DELAYED;
      entry.dueAt = now + delay;
      this.#delayed.push(entry);
      if (entry.dueAt < this.#timerAt) this.#armTimer(entry.dueAt);
    } else {
      this.#deadLetter(entry, err, entry.attempt);
    }
  }

  /** A failure that is not a handler's: circuit open, no handler. No retry. */
  #failItem(item: Item, err: unknown, now: number): void {
    const entries = item.isBatch ? item.entries : [item];
    for (const entry of entries) {
      this.#attemptsFailed++;
      this.#meter.record(entry.message.recipient, entry.message.messageType, now - entry.acceptedAt, errorCode(err));
      this.#deadLetter(entry, err, entry.attempt);
    }
  }

  #deadLetter(entry: Entry, err: unknown, attempts: number): void {
    const message = entry.message;
    const letter: DeadLetter = { id: message.id, message, error: errorInfo(err), attempts, deadLetteredAt: Date.now() };
    const evicted = this.#deadLetters.add(letter);
    this.#deadLettered++;
    if (this.#journal) {
      this.#settlement.deadLettered.push({ seq: entry.seq, letter });
      if (evicted) this.#settlement.removedDeadLetters.push(evicted.id);
      this.#scheduleSettlement();
    }
    if (entry.tracked) this.#finalStatus(entry, 'dead_lettered', undefined, letter.error);
    this.#release(entry);
    entry.reject?.(err);
  }

  #finalStatus(entry: Entry, status: MessageStatusName, result: unknown, error: { code: string; message: string } | undefined): void {
    entry.outcome = status;
    entry.result = result;
    entry.error = error;
  }

  #release(entry: Entry): void {
    entry.state = DONE;
    if (entry.seq >= 0 && this.#live.get(entry.seq) === entry) this.#live.delete(entry.seq);
    if (--this.#pending === 0 && this.#drained) this.#drained();
  }

  #rollRate(now: number): void {
    const span = now - this.#rateWindowStart;
    if (span >= 1000) {
      this.#rate = span >= 2000 ? 0 : (this.#rateWindowCount * 1000) / span;
      this.#rateWindowStart = now;
      this.#rateWindowCount = 0;
    }
  }

  // ---- circuits --------------------------------------------------------------------------

  #breakerFor(recipient: string): CircuitBreaker | undefined {
    if (!this.#breakerOptions) return undefined;
    let breaker = this.#circuits.get(recipient);
    if (!breaker) {
      if (this.#circuits.size >= this.#maxCircuits) this.#forgetOneCircuit();
      breaker = new CircuitBreaker({ ...this.#breakerOptions, name: recipient });
      this.#circuits.set(recipient, breaker);
    }
    return breaker;
  }

  #forgetOneCircuit(): void {
    let victim: string | undefined;
    for (const [name, breaker] of this.#circuits) {
      victim ??= name;
      if (breaker.state === 'closed') {
        victim = name;
        break;
      }
    }
    if (victim !== undefined) this.#circuits.delete(victim);
  }

  // ---- the one timer ---------------------------------------------------------------------

  #armTimer(at: number): void {
    if (at >= this.#timerAt || this.#state === 'stopped') return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#onTimerBound, Math.max(0, at - performance.now()));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#state === 'stopped') return;
    const now = performance.now();
    let next = Infinity;
    // Timeouts: only running slots can time out, so this scan is O(maxWorkers).
    for (const slot of this.#slots) {
      if (!slot.async || slot.timedOut) continue;
      if (slot.deadline <= now) this.#timeOut(slot, now);
      else if (slot.deadline < next) next = slot.deadline;
    }
    for (let e = this.#delayed.popDue(now); e !== undefined; e = this.#delayed.popDue(now)) {
      e.state = QUEUED;
      e.enqueuedAt = now;
      this.#queue.push(e);
    }
    next = Math.min(next, this.#delayed.nextDueAt);
    for (let b = this.#openBatches.peek(); b !== undefined; b = this.#openBatches.peek()) {
      if (!b.closed && b.openedAt + this.#maxBatchDelay > now) {
        next = Math.min(next, b.openedAt + this.#maxBatchDelay);
        break;
      }
      this.#openBatches.shift();
      this.#closeBatch(b, now);
    }
    if (this.#journalRetryAt > now) next = Math.min(next, this.#journalRetryAt);
    if (next !== Infinity) this.#armTimer(next);
    this.#schedulePump();
  }

  #timeOut(slot: Slot, now: number): void {
    slot.timedOut = true;
    this.#stuck++;
    const entries = slot.batch ? slot.batch.entries : [slot.entry as Entry];
    let timeout = Infinity;
    for (const e of entries) if (e.message.timeout < timeout) timeout = e.message.timeout;
    const err = new TimeoutError(entries[0].message.messageType, timeout);
    slot.context?.abort(err);
    slot.breaker?.recordFailure();
    for (const e of entries) {
      this.#timedOut++;
      this.#failAttempt(e, err, now);
    }
  }

  // ---- stopping --------------------------------------------------------------------------

  #abandonAll(): void {
    const err = new ProcessorStoppedError('message processor stopped before this message finished');
    const abandoned: Entry[] = [];
    for (const item of this.#queue.drain()) abandoned.push(...(item.isBatch ? item.entries : [item]));
    for (const item of this.#leased.drain()) abandoned.push(...(item.isBatch ? item.entries : [item]));
    abandoned.push(...this.#delayed.drain());
    for (const batch of this.#batches.values()) abandoned.push(...batch.entries);
    for (const list of this.#parked.values()) abandoned.push(...list);
    this.#parked.clear();
    this.#parkedCount = 0;
    this.#batches.clear();
    this.#openBatches.drain();
    this.#batching = 0;
    for (const slot of this.#slots) {
      if (!slot.async || slot.timedOut) continue;
      slot.context?.abort(err);
    }
    for (const entry of abandoned) {
      this.#abandoned++;
      if (entry.tracked) this.#finalStatus(entry, 'abandoned', undefined, errorInfo(err));
      entry.state = DONE;
      this.#pending--;
      entry.reject?.(err);
    }
  }

  // ---- durability ------------------------------------------------------------------------

  async #recover(journal: MessageJournal): Promise<void> {
    const recovered = await journal.recover();
    this.#live.clear();
    this.#nextSeq = recovered.nextSeq;
    for (const letter of recovered.deadLetters) this.#deadLetters.add(letter);
    const now = performance.now();
    for (const pending of recovered.pending) {
      const entry = new Entry(pending.message, now);
      entry.seq = pending.seq;
      entry.startedAttempt = pending.attemptsStarted;
      // An attempt that was journaled as started may have reached its handler: it counts as failed.
      entry.attempt = pending.attemptsStarted + 1;
      this.#pending++;
      this.#live.set(entry.seq, entry);
      this.#track(entry);
      if (!this.#handlers.has(pending.message.messageType)) {
        this.#park(entry);
      } else if (entry.attempt > this.maxRetries + 1) {
        const err = new AppError(500, 'interrupted', `attempt ${pending.attemptsStarted} was in flight when the process stopped, and no retries are left`);
        this.#deadLetter(entry, err, pending.attemptsStarted);
      } else {
        this.#enqueue(entry, now);
      }
    }
  }

  #park(entry: Entry): void {
    entry.state = QUEUED;
    const list = this.#parked.get(entry.message.messageType);
    if (list) list.push(entry);
    else this.#parked.set(entry.message.messageType, [entry]);
    this.#parkedCount++;
  }

  /**
   * Adds entries to the acceptance group written at the end of this event-loop turn: every
   * `sendMessage` and JSON `acceptMessages` call handled in the same turn (e.g. concurrent HTTP
   * requests) shares one journal transaction instead of paying one each.
   */
  #groupAccept(entries: Entry[]): Promise<void> {
    for (const entry of entries) this.#acceptGroup.push(entry);
    if (!this.#acceptGroupWrite) {
      this.#acceptGroupWrite = new Promise<void>((resolve, reject) => {
        this.#acceptGroupDone = { resolve, reject };
      });
      defer(this.#flushAcceptGroupBound);
    }
    return this.#acceptGroupWrite;
  }

  #flushAcceptGroup(): Promise<void> {
    const done = this.#acceptGroupDone;
    const entries = this.#acceptGroup;
    if (!done) return Promise.resolve();
    this.#acceptGroup = [];
    this.#acceptGroupWrite = undefined;
    this.#acceptGroupDone = undefined;
    const write = this.#journalAccept(entries, undefined, undefined);
    write.then(done.resolve, done.reject);
    return write.catch(() => {});
  }

  async #journalAccept(entries: Entry[], frame: Uint8Array | undefined, replacesDeadLetter: string | undefined): Promise<void> {
    for (const entry of entries) {
      entry.seq = this.#nextSeq++;
      this.#live.set(entry.seq, entry);
    }
    await this.#writeAccept(entries, frame, replacesDeadLetter);
  }

  /**
   * Journals accepted entries, then queues them; on failure un-admits them and rethrows.
   * When nothing is waiting and the lease has room for the whole group, the first attempt is
   * journaled with the acceptance itself: the messages run as soon as it is durable, with no
   * START write of their own (the common case when processing keeps up).
   */
  async #writeAccept(entries: Entry[], frame: Uint8Array | undefined, replacesDeadLetter: string | undefined): Promise<void> {
    const journal = this.#journal as MessageJournal;
    const startedAt = performance.now();
    const started =
      this.#state === 'running' &&
      this.#queue.size === 0 &&
      this.#leased.size === 0 &&
      startedAt >= this.#journalRetryAt &&
      entries.length <= this.#leaseRoom(startedAt) &&
      this.#batches.size === 0 &&
      entries.every((e) => e.attempt === 1 && !(e.message.batchKey !== undefined && this.#handlers.get(e.message.messageType)?.processBatch));
    const options: { frame?: Uint8Array; replacesDeadLetter?: string; started?: boolean } = {};
    if (frame) options.frame = frame;
    if (replacesDeadLetter !== undefined) options.replacesDeadLetter = replacesDeadLetter;
    if (started) {
      options.started = true;
      for (const entry of entries) {
        entry.state = LEASING;
        entry.startedAttempt = 1;
      }
      this.#leasingCount += entries.length;
    }
    try {
      await this.#journalWrite(
        journal.accept(
          entries[0].seq,
          entries.map((e) => e.message),
          options,
        ),
      );
    } catch (err) {
      if (started) this.#leasingCount -= entries.length;
      for (const entry of entries) {
        entry.refused = true;
        this.#accepted--;
        this.#release(entry);
      }
      // Storage refusing more writes for now is back-pressure (429), not a broken journal.
      if (err instanceof OverloadedError) throw err;
      this.#journalFailed(err);
      throw new AppError(503, 'journal_unavailable', `messages could not be journaled: ${describeError(err)}`, { cause: err });
    }
    const now = performance.now();
    this.#noteJournalLatency(now - startedAt);
    if (this.#state === 'stopped') {
      // Journaled after stop() gave up: the next start() recovers them from the journal.
      if (started) this.#leasingCount -= entries.length;
      for (const entry of entries) {
        if (entry.tracked) entry.outcome = 'abandoned';
        this.#release(entry);
      }
      return;
    }
    if (started) {
      this.#leasingCount -= entries.length;
      // Highest priority first (stable: FIFO within a priority), as the queue would have served them.
      const ordered = entries.length > 1 ? entries.slice().sort((a, b) => b.priority - a.priority) : entries;
      for (const entry of ordered) {
        entry.state = LEASED;
        this.#leased.push(entry);
      }
      this.#schedulePump();
    } else {
      for (const entry of entries) this.#enqueue(entry, now);
    }
    this.#maybeCheckpoint();
  }

  #scheduleSettlement(): void {
    if (this.#settleScheduled) return;
    this.#settleScheduled = true;
    queueMicrotask(this.#flushSettlementBound);
  }

  #flushSettlement(): Promise<void> {
    this.#settleScheduled = false;
    const s = this.#settlement;
    if (!this.#journal || (s.processed.length === 0 && s.deadLettered.length === 0 && s.removedDeadLetters.length === 0)) {
      return Promise.resolve();
    }
    this.#settlement = { processed: [], deadLettered: [], removedDeadLetters: [] };
    // Not awaited by the hot path: a settlement lost in a crash only means a redelivery with
    // the next attempt number, never a loss.
    return this.#journalWrite(this.#journal.settle(s)).catch((err: unknown) => this.#journalFailed(err));
  }

  #maybeCheckpoint(): void {
    const journal = this.#journal;
    if (!journal || this.#checkpointing) return;
    if (journal.bytesSinceCheckpoint() < Math.max(this.#checkpointBytes, this.#live.size * 512)) return;
    this.#checkpointing = true;
    // The snapshot is taken synchronously, so every record written before it is reflected in it.
    this.#flushSettlement();
    const live: JournaledMessage[] = [];
    for (const entry of this.#live.values()) live.push({ seq: entry.seq, message: entry.message, attemptsStarted: entry.startedAttempt });
    this.#journalWrite(journal.checkpoint(this.#nextSeq, live)).then(
      () => {
        this.#checkpoints++;
        this.#checkpointing = false;
      },
      (err: unknown) => {
        this.#checkpointing = false;
        this.#journalFailed(err);
      },
    );
  }

  #journalWrite<T>(write: Promise<T>): Promise<T> {
    this.#journalWrites.add(write);
    const done = (): void => {
      this.#journalWrites.delete(write);
    };
    write.then(done, done);
    return write.then((value) => {
      this.#journalError = undefined;
      return value;
    });
  }

  #journalFailed(err: unknown): void {
    this.#journalError = describeError(err);
  }

  async #journalIdle(): Promise<void> {
    while (this.#journalWrites.size > 0) await Promise.allSettled([...this.#journalWrites]);
  }
}

let instance: MessageProcessor | undefined;

/**
 * The isolate's message processor, created with `options` on the first call (later calls
 * return the same one and ignore `options`). Use `new MessageProcessor()` for an isolated one.
 *
 * @example
 * const processor = getMessageProcessor({ maxWorkers: 20 });
 * await processor.start();
 */
export function getMessageProcessor(options?: ProcessorOptions): MessageProcessor {
  instance ??= new MessageProcessor(options);
  return instance;
}
