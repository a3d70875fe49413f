/**
 * One check for every message entering the processor (library call, JSON body or decoded
 * frame): required fields present and typed, priority in range, timeout a positive whole
 * number of milliseconds. Fills `id`, `priority` and `timeout` when absent and fails with a
 * `ValidationError` naming the exact field (`messages[3].priority`) otherwise. A complete,
 * valid message is returned as is, so the hot path copies nothing.
 */
import { ValidationError } from '../shared/errors.ts';
import { MAX_PRIORITY, MIN_PRIORITY, MessagePriority } from './priority.ts';
import type { Message } from './types.ts';

/** Longest `id`, `sender`, `recipient`, `messageType`, `batchKey` or `correlationId`, in characters. */
export const MAX_NAME_LENGTH = 255;
/** Longest per-message timeout: one hour. */
export const MAX_TIMEOUT_MS = 3_600_000;

export interface MessageDefaults {
  priority: MessagePriority;
  timeout: number;
  newId: () => string;
}

export const DEFAULT_MESSAGE_DEFAULTS: MessageDefaults = {
  priority: MessagePriority.NORMAL,
  timeout: 30_000,
  newId: () => crypto.randomUUID(),
};

function fail(path: string, field: string, problem: string): never {
  const name = path ? `${path}.${field}` : field;
  throw new ValidationError(`${name} ${problem}`, name);
}

function requireName(value: unknown, path: string, field: string): void {
  if (typeof value !== 'string') fail(path, field, value === undefined ? 'is required' : 'must be a string');
  if (value.length === 0) fail(path, field, 'must not be empty');
  if (value.length > MAX_NAME_LENGTH) fail(path, field, `must be at most ${MAX_NAME_LENGTH} characters`);
}

function optionalName(value: unknown, path: string, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string') fail(path, field, 'must be a string');
  if (value.length > MAX_NAME_LENGTH) fail(path, field, `must be at most ${MAX_NAME_LENGTH} characters`);
}

/**
 * Checks `input` and returns it as a complete `Message` (a copy only when defaults were filled).
 *
 * @example
 * const message = normalizeMessage(await c.req.json(), DEFAULT_MESSAGE_DEFAULTS);
 */
export function normalizeMessage(input: unknown, defaults: MessageDefaults, path = ''): Message {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(`${path || 'message'} must be an object`, path || 'message');
  }
  const m = input as Record<string, unknown>;
  if (m.id !== undefined) requireName(m.id, path, 'id');
  requireName(m.sender, path, 'sender');
  requireName(m.recipient, path, 'recipient');
  requireName(m.messageType, path, 'messageType');
  // `in` rather than a read: a lazy codec view decodes its payload only when a handler reads it.
  if (!('payload' in m) || (Object.hasOwn(m, 'payload') && m.payload === undefined)) fail(path, 'payload', 'is required');
  const priority = m.priority;
  if (
    priority !== undefined &&
    !(typeof priority === 'number' && Number.isInteger(priority) && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY)
  ) {
    fail(path, 'priority', `must be an integer from ${MIN_PRIORITY} (LOW) to ${MAX_PRIORITY} (CRITICAL), got ${JSON.stringify(priority) ?? String(priority)}`);
  }
  const timeout = m.timeout;
  if (
    timeout !== undefined &&
    !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 && timeout <= MAX_TIMEOUT_MS)
  ) {
    fail(path, 'timeout', `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(timeout) ?? String(timeout)}`);
  }
  optionalName(m.batchKey, path, 'batchKey');
  optionalName(m.correlationId, path, 'correlationId');
  if (m.timestamp !== undefined && !(typeof m.timestamp === 'number' && Number.isFinite(m.timestamp) && m.timestamp >= 0)) {
    fail(path, 'timestamp', 'must be a non-negative number of milliseconds since the epoch');
  }
  if (m.id !== undefined && priority !== undefined && timeout !== undefined) return m as unknown as Message;
  return {
    ...(m as unknown as Message),
    id: (m.id as string | undefined) ?? defaults.newId(),
    priority: (priority as MessagePriority | undefined) ?? defaults.priority,
    timeout: (timeout as number | undefined) ?? defaults.timeout,
  };
}
