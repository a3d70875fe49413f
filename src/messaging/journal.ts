/**
 * What durable acceptance needs from storage, as one small interface the processor writes
 * through. The processor assigns every accepted message a sequence number and journals:
 *
 * - `accept`: the messages, before anyone is told they were accepted (202) — and, when they will
 *   run at once, their first attempt as started;
 * - `start`: each (message, attempt) about to be handed to a handler, before it is handed;
 * - `settle`: messages finished (processed or dead-lettered) and dead letters removed;
 * - `checkpoint`: every live message with its attempts so far, replacing all older records.
 *
 * Recovery folds the records: a message accepted and not settled is pending; if an attempt was
 * started and not settled, that attempt counts as failed (the processor retries with the next
 * attempt number or dead-letters), so no handler ever sees the same attempt twice.
 * `createStorageJournal()` (storage-journal.ts) implements it on `OptimizedDatabase`.
 */
import type { DeadLetter } from './dead-letter-queue.ts';
import type { Message } from './types.ts';

/** A message that was accepted and not yet finished when the journal was last written. */
export interface JournaledMessage {
  seq: number;
  message: Message;
  /** Highest attempt journaled as started (0 = never handed to a handler). */
  attemptsStarted: number;
}

export interface RecoveredJournal {
  /** First sequence number not yet used. */
  nextSeq: number;
  /** In acceptance order. */
  pending: JournaledMessage[];
  /** Oldest first. */
  deadLetters: DeadLetter[];
}

export interface JournalSettlement {
  /** Sequence numbers of messages whose handler succeeded. */
  processed: number[];
  /** Messages given up, with the letter to keep. */
  deadLettered: { seq: number; letter: DeadLetter }[];
  /** Ids of dead letters to forget (purged, or evicted because the queue is full). */
  removedDeadLetters: string[];
}

export interface MessageJournal {
  /** Reads what the last run left behind. Called once, by `start()`, before any write. */
  recover(): Promise<RecoveredJournal>;
  /**
   * Durably records `messages` as sequence numbers `firstSeq`, `firstSeq + 1`, ...; resolves only
   * once durable. `frame`, when given, is an `encodeBatch` of exactly these messages, stored as
   * is; `replacesDeadLetter` removes that dead letter in the same write (replay); `started`
   * records attempt 1 of every message as started in the same write (no START record follows).
   */
  accept(firstSeq: number, messages: readonly Message[], options?: { frame?: Uint8Array; replacesDeadLetter?: string; started?: boolean }): Promise<void>;
  /** Durably records attempts about to start: `[seq0, attempt0, seq1, attempt1, ...]`. */
  start(seqAttempts: readonly number[]): Promise<void>;
  /** Records outcomes. */
  settle(settlement: JournalSettlement): Promise<void>;
  /** Replaces every record with one holding the live messages; resolves once durable. */
  checkpoint(nextSeq: number, live: readonly JournaledMessage[]): Promise<void>;
  /** Bytes of records written since the last checkpoint (drives compaction). */
  bytesSinceCheckpoint(): number;
}
