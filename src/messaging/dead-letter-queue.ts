/**
 * Messages that exhausted their retries (or failed in a way retrying cannot fix), kept for a
 * human or a job to list, replay or purge. Bounded: when full, the oldest letter is evicted
 * and counted, so a failing recipient can never grow memory without limit.
 */
import type { Message } from './types.ts';

export interface DeadLetter {
  /** The message's id; replay and purge address letters by it. */
  id: string;
  message: Message;
  error: { code: string; message: string };
  /** Attempts made (or started) before the message was given up. */
  attempts: number;
  /** Milliseconds since the Unix epoch. */
  deadLetteredAt: number;
}

export interface DeadLetterFilter {
  messageType?: string;
  recipient?: string;
}

function matches(letter: DeadLetter, filter: DeadLetterFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.messageType !== undefined && letter.message.messageType !== filter.messageType) return false;
  if (filter.recipient !== undefined && letter.message.recipient !== filter.recipient) return false;
  return true;
}

/**
 * @example
 * const dlq = new DeadLetterQueue(1000);
 * dlq.add({ id: m.id, message: m, error: { code: 'message_timeout', message: '...' }, attempts: 4, deadLetteredAt: Date.now() });
 * dlq.list({ limit: 10 });
 */
export class DeadLetterQueue {
  readonly capacity: number;
  readonly #letters = new Map<string, DeadLetter>();
  #evicted = 0;

  constructor(capacity = 10_000) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
  }

  get size(): number {
    return this.#letters.size;
  }

  /** Letters dropped because the queue was full. */
  get evicted(): number {
    return this.#evicted;
  }

  /** Adds a letter (replacing one with the same id); returns the letter evicted to make room, if any. */
  add(letter: DeadLetter): DeadLetter | undefined {
    this.#letters.delete(letter.id);
    let evicted: DeadLetter | undefined;
    if (this.#letters.size >= this.capacity) {
      const oldest = this.#letters.values().next().value as DeadLetter;
      this.#letters.delete(oldest.id);
      this.#evicted++;
      evicted = oldest;
    }
    this.#letters.set(letter.id, letter);
    return evicted;
  }

  get(id: string): DeadLetter | undefined {
    return this.#letters.get(id);
  }

  /** Removes and returns the letter with `id`. */
  take(id: string): DeadLetter | undefined {
    const letter = this.#letters.get(id);
    if (letter) this.#letters.delete(id);
    return letter;
  }

  /** Oldest first, after `offset` matching letters, at most `limit` of them. */
  list(options: DeadLetterFilter & { limit?: number; offset?: number } = {}): DeadLetter[] {
    const limit = options.limit ?? 100;
    let skip = options.offset ?? 0;
    const out: DeadLetter[] = [];
    for (const letter of this.#letters.values()) {
      if (out.length >= limit) break;
      if (!matches(letter, options)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(letter);
    }
    return out;
  }

  /** Removes every letter matching `filter` (all when absent); returns their ids. */
  purge(filter?: DeadLetterFilter): string[] {
    const ids: string[] = [];
    for (const letter of this.#letters.values()) if (matches(letter, filter)) ids.push(letter.id);
    for (const id of ids) this.#letters.delete(id);
    return ids;
  }
}
