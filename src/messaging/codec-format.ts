/**
 * Numbers of the HealthSync frame, version 1 (`docs/wire-format.md` is the specification;
 * `assembly/codec/format.ts` holds the same numbers for WASM), the message shape the codec
 * carries, and the one check every encoder runs on a message before writing it.
 */
import { ValidationError } from '../shared/errors.ts';
import type { Message } from './types.ts';

/** Media type of a frame on HTTP (`POST /messages/batch`). */
export const FRAME_CONTENT_TYPE = 'application/x-healthsync-frame';

export const FRAME_VERSION = 1;
export const KIND_MESSAGE = 1;
export const KIND_BATCH = 2;
export const HEADER_BYTES = 8;
export const TRAILER_BYTES = 4;
export const MIN_FRAME_BYTES = HEADER_BYTES + 5 + TRAILER_BYTES;
/** Largest frame the format allows (8 MiB); decoders reject larger ones as `oversized`. */
export const MAX_FRAME_BYTES = 8 << 20;
/** Most messages one batch frame may hold. */
export const MAX_BATCH_MESSAGES = 65_536;
/** Payload arrays and objects may nest this deep, no deeper. */
export const MAX_PAYLOAD_DEPTH = 64;
/** Timestamps are whole milliseconds in [0, 2^52). */
export const MAX_TIMESTAMP = 2 ** 52 - 1;
export const MAX_TIMEOUT = 2 ** 32 - 1;
export const MAX_ATTEMPT = 2 ** 31 - 1;
export const MAX_VARINT = Number.MAX_SAFE_INTEGER;

export const F_ID_UUID = 0x01;
export const F_BATCH_KEY = 0x02;
export const F_CORRELATION = 0x04;
export const F_CORRELATION_UUID = 0x08;
export const F_TIMESTAMP = 0x10;
export const F_ATTEMPT = 0x20;
export const F_RESERVED = 0xc0;

export const T_STR_SHORT = 0x80;
export const T_NULL = 0xc0;
export const T_FALSE = 0xc1;
export const T_TRUE = 0xc2;
export const T_UINT = 0xc3;
export const T_NINT = 0xc4;
export const T_FLOAT = 0xc5;
export const T_STR = 0xc6;
export const T_ARRAY = 0xc7;
export const T_OBJECT = 0xc8;
export const T_ARRAY_SHORT = 0xd0;
export const T_OBJECT_SHORT = 0xe0;
export const T_NEG_SHORT = 0xf0;

/**
 * A message as the codec carries it: the processor's `Message` plus the delivery `attempt`
 * (0 or absent for the first). `payload` is any JSON-compatible value.
 */
export type WireMessage<P = unknown> = Message<P> & { attempt?: number | undefined };

/** Canonical UUID text: lowercase hex, 8-4-4-4-12. Such ids travel as 16 bytes. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fail(path: string, field: string, problem: string): never {
  const name = path ? `${path}.${field}` : field;
  throw new ValidationError(`${name} ${problem}`, name);
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  return JSON.stringify(value) ?? String(value);
}

function wholeIn(value: unknown, max: number, path: string, field: string, what: string): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max)) {
    fail(path, field, `must be ${what} from 0 to ${max}, got ${show(value)}`);
  }
}

/**
 * Throws a `ValidationError` naming the first field of `message` that the frame cannot carry
 * (the payload is checked while it is written). `path` prefixes field names, e.g. `messages[3]`.
 */
export function checkMessage(message: unknown, path: string): asserts message is WireMessage {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new ValidationError(`${path || 'message'} must be an object`, path || 'message');
  }
  const m = message as Record<string, unknown>;
  for (const field of ['id', 'sender', 'recipient', 'messageType'] as const) {
    if (typeof m[field] !== 'string') fail(path, field, m[field] === undefined ? 'is required' : 'must be a string');
  }
  wholeIn(m.priority, 3, path, 'priority', 'an integer priority');
  wholeIn(m.timeout, MAX_TIMEOUT, path, 'timeout', 'a whole number of milliseconds');
  for (const field of ['batchKey', 'correlationId'] as const) {
    if (m[field] !== undefined && typeof m[field] !== 'string') fail(path, field, 'must be a string when present');
  }
  if (m.timestamp !== undefined) wholeIn(m.timestamp, MAX_TIMESTAMP, path, 'timestamp', 'whole milliseconds since the epoch');
  if (m.attempt !== undefined) wholeIn(m.attempt, MAX_ATTEMPT, path, 'attempt', 'a whole number');
  if (m.payload === undefined) fail(path, 'payload', 'is required (use null for none)');
}

/**
 * Throws a `ValidationError` naming the first value in `payload` that is not JSON-compatible
 * (undefined, a function, symbol, bigint, non-finite number, a non-plain object) or that nests
 * deeper than `MAX_PAYLOAD_DEPTH`. Called after a fast encoder met something it cannot write.
 */
export function checkPayload(payload: unknown, path: string): void {
  const walk = (value: unknown, at: string, depth: number): void => {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return;
      case 'number':
        if (!Number.isFinite(value)) throw new ValidationError(`${at} must be a finite number, got ${value}`, at);
        return;
      case 'object': {
        if (value === null) return;
        if (depth >= MAX_PAYLOAD_DEPTH) {
          throw new ValidationError(`${at} nests arrays and objects deeper than ${MAX_PAYLOAD_DEPTH} levels (or is circular)`, at);
        }
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) walk(value[i], `${at}[${i}]`, depth + 1);
          return;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new ValidationError(`${at} must be a plain object, array or primitive (JSON), got ${value.constructor?.name ?? 'an object'}`, at);
        }
        for (const key in value) walk((value as Record<string, unknown>)[key], `${at}.${key}`, depth + 1);
        return;
      }
      default:
        throw new ValidationError(`${at} is not JSON-compatible (${typeof value})`, at);
    }
  };
  walk(payload, path ? `${path}.payload` : 'payload', 0);
}

/** Whether `value` is a plain object (JSON object), given it is a non-null non-array object. */
export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `s` with any lone surrogate replaced by U+FFFD, as UTF-8 requires. */
export function wellFormed(s: string): string {
  const t = s as string & { isWellFormed(): boolean; toWellFormed(): string };
  return t.isWellFormed() ? s : t.toWellFormed();
}
