/**
 * The message journal (journal.ts) on the storage layer: one table of records, one of dead
 * letters, both in domain `messaging` migrations. Each call is one write transaction, so the
 * database's journal makes it durable (and group-commits concurrent ones) before it resolves.
 *
 * Records (`messaging_journal`, in id order):
 *   kind 1 ACCEPT      first_seq, count, body = the messages (format byte + JSON or a codec frame)
 *   kind 5 ACCEPT_STARTED  the same, with attempt 1 of each message started
 *   kind 2 START       body = float64 pairs (seq, attempt)
 *   kind 3 SETTLE      body = float64 seqs finished (processed or dead-lettered)
 *   kind 4 CHECKPOINT  first_seq = next seq, body = JSON [[seq, attemptsStarted, message], ...]
 * A checkpoint deletes every older record in the same transaction, so the table holds at most
 * one checkpoint plus what came after it; the processor checkpoints every few MiB.
 */
import { decodeBatch } from './codec.ts';
import type { DeadLetter } from './dead-letter-queue.ts';
import type { JournaledMessage, JournalSettlement, MessageJournal, RecoveredJournal } from './journal.ts';
import type { Message } from './types.ts';

/** The part of `OptimizedDatabase` the journal uses. */
export interface JournalDatabase {
  transaction<T>(fn: (tx: JournalTransaction) => T): Promise<T>;
}

export interface JournalTransaction {
  query<T>(sql: string, params?: readonly JournalValue[]): T[];
  run(sql: string, params?: readonly JournalValue[]): unknown;
}

/** The SQL values the journal binds. */
export type JournalValue = null | number | string | Uint8Array;

/** Decodes a codec frame stored by `accept({frame})` back into messages. */
export type FrameDecoder = (frame: Uint8Array) => Message[];

const decodeFrame: FrameDecoder = (frame) => decodeBatch(frame).toArray();

export const MESSAGING_MIGRATIONS = [
  {
    domain: 'messaging',
    version: 1,
    up: `CREATE TABLE messaging_journal (
  id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  first_seq INTEGER NOT NULL DEFAULT 0,
  count INTEGER NOT NULL DEFAULT 0,
  body BLOB NOT NULL
);
CREATE TABLE messaging_dead_letters (
  id TEXT PRIMARY KEY,
  dead_lettered_at INTEGER NOT NULL,
  letter TEXT NOT NULL
);`,
  },
] as const;

const ACCEPT = 1;
const START = 2;
const SETTLE = 3;
const CHECKPOINT = 4;
const ACCEPT_STARTED = 5;

const FORMAT_JSON = 1;
const FORMAT_FRAME = 2;

const INSERT = 'INSERT INTO messaging_journal (kind, first_seq, count, body) VALUES (?, ?, ?, ?)';
const INSERT_LETTER = 'INSERT OR REPLACE INTO messaging_dead_letters (id, dead_lettered_at, letter) VALUES (?, ?, ?)';
const DELETE_LETTER = 'DELETE FROM messaging_dead_letters WHERE id = ?';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function float64Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer);
}

function float64s(body: Uint8Array): Float64Array {
  // Copy: the row's bytes need not be 8-byte aligned.
  const copy = new Uint8Array(body.byteLength);
  copy.set(body);
  return new Float64Array(copy.buffer, 0, copy.byteLength >>> 3);
}

function encodeMessages(messages: readonly Message[], frame: Uint8Array | undefined): Uint8Array {
  if (frame) {
    const body = new Uint8Array(frame.byteLength + 1);
    body[0] = FORMAT_FRAME;
    body.set(frame, 1);
    return body;
  }
  const json = encoder.encode(JSON.stringify(messages));
  const body = new Uint8Array(json.byteLength + 1);
  body[0] = FORMAT_JSON;
  body.set(json, 1);
  return body;
}

function decodeMessages(body: Uint8Array, decode: FrameDecoder): Message[] {
  const payload = body.subarray(1);
  if (body[0] === FORMAT_JSON) return JSON.parse(decoder.decode(payload)) as Message[];
  if (body[0] === FORMAT_FRAME) return decode(payload);
  throw new Error(`messaging journal record has unknown format ${body[0]}`);
}

/**
 * @example
 * const db = new OptimizedDatabase(backend, { migrations: [...MESSAGING_MIGRATIONS] });
 * await db.start();
 * const processor = new MessageProcessor({ journal: createStorageJournal(db) });
 */
export function createStorageJournal(db: JournalDatabase, options: { decodeFrame?: FrameDecoder } = {}): MessageJournal {
  let bytes = 0;

  function append(tx: JournalTransaction, kind: number, firstSeq: number, count: number, body: Uint8Array): void {
    tx.run(INSERT, [kind, firstSeq, count, body]);
    bytes += body.byteLength;
  }

  return {
    async recover(): Promise<RecoveredJournal> {
      const { rows, letters } = await db.transaction((tx) => ({
        rows: tx.query<{ kind: number; first_seq: number; count: number; body: Uint8Array }>(
          'SELECT kind, first_seq, count, body FROM messaging_journal ORDER BY id',
        ),
        letters: tx.query<{ letter: string }>('SELECT letter FROM messaging_dead_letters ORDER BY dead_lettered_at, rowid'),
      }));
      const live = new Map<number, JournaledMessage>();
      let nextSeq = 0;
      bytes = 0;
      for (const row of rows) {
        bytes += row.body.byteLength;
        if (row.kind === ACCEPT || row.kind === ACCEPT_STARTED) {
          const messages = decodeMessages(row.body, options.decodeFrame ?? decodeFrame);
          const attemptsStarted = row.kind === ACCEPT_STARTED ? 1 : 0;
          for (let i = 0; i < messages.length; i++) live.set(row.first_seq + i, { seq: row.first_seq + i, message: messages[i], attemptsStarted });
          nextSeq = Math.max(nextSeq, row.first_seq + messages.length);
        } else if (row.kind === START) {
          const pairs = float64s(row.body);
          for (let i = 0; i + 1 < pairs.length; i += 2) {
            const entry = live.get(pairs[i]);
            if (entry && pairs[i + 1] > entry.attemptsStarted) entry.attemptsStarted = pairs[i + 1];
          }
        } else if (row.kind === SETTLE) {
          for (const seq of float64s(row.body)) live.delete(seq);
        } else if (row.kind === CHECKPOINT) {
          live.clear();
          const entries = JSON.parse(decoder.decode(row.body)) as [number, number, Message][];
          for (const [seq, attemptsStarted, message] of entries) live.set(seq, { seq, message, attemptsStarted });
          nextSeq = Math.max(nextSeq, row.first_seq);
        } else {
          throw new Error(`messaging journal record has unknown kind ${row.kind}`);
        }
      }
      const pending = [...live.values()].sort((a, b) => a.seq - b.seq);
      return { nextSeq, pending, deadLetters: letters.map((l) => JSON.parse(l.letter) as DeadLetter) };
    },

    accept(firstSeq, messages, acceptOptions = {}) {
      const body = encodeMessages(messages, acceptOptions.frame);
      return db.transaction((tx) => {
        append(tx, acceptOptions.started ? ACCEPT_STARTED : ACCEPT, firstSeq, messages.length, body);
        if (acceptOptions.replacesDeadLetter !== undefined) tx.run(DELETE_LETTER, [acceptOptions.replacesDeadLetter]);
      });
    },

    start(seqAttempts) {
      const body = float64Bytes(seqAttempts);
      return db.transaction((tx) => append(tx, START, 0, seqAttempts.length >>> 1, body));
    },

    settle(settlement: JournalSettlement) {
      const seqs = settlement.processed.concat(settlement.deadLettered.map((d) => d.seq));
      const body = float64Bytes(seqs);
      return db.transaction((tx) => {
        for (const { letter } of settlement.deadLettered) tx.run(INSERT_LETTER, [letter.id, letter.deadLetteredAt, JSON.stringify(letter)]);
        for (const id of settlement.removedDeadLetters) tx.run(DELETE_LETTER, [id]);
        if (seqs.length > 0) append(tx, SETTLE, 0, seqs.length, body);
      });
    },

    checkpoint(nextSeq, live) {
      const body = encoder.encode(JSON.stringify(live.map((e) => [e.seq, e.attemptsStarted, e.message])));
      return db.transaction((tx) => {
        tx.run('DELETE FROM messaging_journal');
        bytes = 0;
        append(tx, CHECKPOINT, nextSeq, live.length, body);
        bytes = 0;
      });
    },

    bytesSinceCheckpoint() {
      return bytes;
    },
  };
}
