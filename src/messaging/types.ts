/**
 * The shapes the message processor works with: the message envelope agents exchange, handlers,
 * middleware and the context a handler receives. No logic lives here.
 */
import type { MessagePriority } from './priority.ts';

/**
 * One message between agents. `payload` is any JSON-compatible value; `timeout` (ms) bounds
 * the handler; `batchKey` groups messages for a handler with `processBatch`.
 */
export interface Message<P = unknown> {
  id: string;
  sender: string;
  recipient: string;
  messageType: string;
  payload: P;
  priority: MessagePriority;
  /** Milliseconds the handler may take for this message, per attempt. */
  timeout: number;
  batchKey?: string | undefined;
  correlationId?: string | undefined;
  /** Milliseconds since the Unix epoch when the sender created it. */
  timestamp?: number | undefined;
}

/** What `sendMessage` accepts: `id`, `priority` and `timeout` get defaults when absent. */
export type MessageInput<P = unknown> = Omit<Message<P>, 'id' | 'priority' | 'timeout'> &
  Partial<Pick<Message<P>, 'id' | 'priority' | 'timeout'>>;

/** What a handler (and every middleware) receives besides the message itself. */
export interface HandlerContext {
  readonly messageType: string;
  readonly recipient: string;
  /** The message for a single-message call; the first message of a batch call. */
  readonly message: Message;
  /** The whole batch when `processBatch` is being called, else undefined. */
  readonly batch: readonly Message[] | undefined;
  /** 1 for the first try, 2 for the first retry, ... */
  readonly attempt: number;
  /** `performance.now()` value after which the attempt counts as timed out. */
  readonly deadline: number;
  /** Aborted when the attempt times out or the processor stops; created on first access. */
  readonly signal: AbortSignal;
}

/** A handler for one message at a time. */
export type ProcessFn<R = unknown> = (message: Message, context: HandlerContext) => R | Promise<R>;

/**
 * A handler for batches. Returns one result per message (same order), or nothing (every
 * message then resolves to `undefined`).
 */
export type ProcessBatchFn<R = unknown> = (
  messages: readonly Message[],
  context: HandlerContext,
) => readonly R[] | void | Promise<readonly R[] | void>;

/** What `registerHandler` accepts. */
export type Handler<R = unknown> =
  | ProcessFn<R>
  | { process?: ProcessFn<R>; processBatch?: ProcessBatchFn<R> };

/** The rest of the chain, called with the (possibly replaced) context. */
export type Next = (context: HandlerContext) => unknown;

/**
 * Wraps every handler invocation (single or batch): may observe, time, transform or refuse it.
 *
 * @example
 * processor.use(async (ctx, next) => {
 *   const started = performance.now();
 *   try { return await next(ctx); } finally { log(ctx.messageType, performance.now() - started); }
 * });
 */
export type Middleware = (context: HandlerContext, next: Next) => unknown;
