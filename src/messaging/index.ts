/**
 * Messaging: the message processor (priorities, workers, timeouts, retries, dead letters,
 * batching, circuit breakers, durable acceptance) and the types agents exchange.
 */
export { MessagePriority, isMessagePriority } from './priority.ts';
export type { Handler, HandlerContext, Message, MessageInput, Middleware, Next, ProcessBatchFn, ProcessFn } from './types.ts';
export {
  MessageProcessor,
  getMessageProcessor,
  retryDelay,
  type AcceptResult,
  type MessageStatus,
  type MessageStatusName,
  type ProcessorOptions,
  type ProcessorState,
  type ProcessorStats,
  type StopResult,
} from './processor.ts';
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState, type CircuitStats } from './circuit-breaker.ts';
export { DeadLetterQueue, type DeadLetter, type DeadLetterFilter } from './dead-letter-queue.ts';
export { CircuitOpenError, HandlerFailedError, ProcessorStoppedError, TimeoutError, UnknownMessageTypeError } from './errors.ts';
export type { JournaledMessage, JournalSettlement, MessageJournal, RecoveredJournal } from './journal.ts';
export { NOOP_METER, type MessageMeter } from './meter.ts';
export { MAX_NAME_LENGTH, MAX_TIMEOUT_MS, normalizeMessage } from './validate.ts';
export { createStorageJournal, MESSAGING_MIGRATIONS, type FrameDecoder, type JournalDatabase } from './storage-journal.ts';
export { createMonitorMeter, MESSAGE_ERRORS_METRIC, MESSAGE_LATENCY_METRIC, type MonitorMeterOptions } from './meter.ts';
export { decodeBatch, decodeBatchArray, decodeMessage, encodeBatch, encodeMessage, validateBatch, type DecodeBatchOptions } from './codec.ts';
export { MessageBatch, MessageView, type BatchValidation } from './codec-batch.ts';
export { FRAME_CONTENT_TYPE, MAX_BATCH_MESSAGES, MAX_FRAME_BYTES, type WireMessage } from './codec-format.ts';
export { decodeBatchReference, decodeMessageReference, encodeBatchReference, encodeMessageReference } from './codec-reference.ts';
export { FrameError, type FrameErrorReason } from './frame-error.ts';
