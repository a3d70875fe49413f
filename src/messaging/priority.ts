/**
 * Message priorities, shared by the wire codec (which range-checks them) and the processor
 * (which orders its queues by them). Higher numbers run first.
 */

/**
 * @example
 * sendMessage({ ...message, priority: MessagePriority.CRITICAL });
 */
export const MessagePriority = { LOW: 0, NORMAL: 1, HIGH: 2, CRITICAL: 3 } as const;

export type MessagePriority = (typeof MessagePriority)[keyof typeof MessagePriority];

/** Lowest and highest valid priority values (inclusive). */
export const MIN_PRIORITY = MessagePriority.LOW;
export const MAX_PRIORITY = MessagePriority.CRITICAL;

/** True when `value` is one of the `MessagePriority` values. */
export function isMessagePriority(value: unknown): value is MessagePriority {
  return Number.isInteger(value) && (value as number) >= MIN_PRIORITY && (value as number) <= MAX_PRIORITY;
}
