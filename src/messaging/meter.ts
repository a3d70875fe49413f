/**
 * The one place the processor reports measurements: every finished attempt goes through
 * `MessageMeter.record(agent, messageType, elapsedMs, errorCode)`. `createMessageMeter()` is
 * the switch to the performance monitor; tests and benchmarks can pass their own meter.
 */

/** Receives one call per finished attempt; must be cheap (it is on the hot path). */
export interface MessageMeter {
  /**
   * @param agent the recipient agent that handled (or failed) the message
   * @param elapsedMs from acceptance to the attempt's end, queueing included
   * @param errorCode undefined on success, else the error's stable code
   */
  record(agent: string, messageType: string, elapsedMs: number, errorCode: string | undefined): void;
  /** Pushes anything buffered to its destination. */
  flush?(): void;
}

/** A meter that measures nothing. */
export const NOOP_METER: MessageMeter = { record() {} };

/**
 * The processor's default meter.
 *
 * @example
 * const processor = new MessageProcessor({ meter: createMessageMeter() });
 */
export function createMessageMeter(): MessageMeter {
  return NOOP_METER;
}
