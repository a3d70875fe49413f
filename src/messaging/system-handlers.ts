/**
 * Message types the runtime handles itself, so agents can talk to its services through the
 * processor (and `POST /messages?wait=true`) before any agent registers handlers of its own:
 *
 *   system.ping    -> {pong: true, id, receivedAt}
 *   ethics.check   payload as `POST /metta/ethics-check` -> {decision, reasons, reasoningPath, ...}
 *
 * A payload that does not fit is a 400-class failure, which the processor does not retry.
 */
import { parseWith } from '../http/validate.ts';
import { EthicsCheckSchema } from '../reasoning/routes.ts';
import type { ReasoningService } from '../reasoning/service.ts';
import type { MessageProcessor } from './processor.ts';

export const SYSTEM_MESSAGE_TYPES = ['system.ping', 'ethics.check'] as const;

/**
 * @example
 * registerSystemHandlers(processor, { reasoning });
 */
export function registerSystemHandlers(processor: MessageProcessor, deps: { reasoning: ReasoningService }): void {
  processor.registerHandler('system.ping', (message) => ({ pong: true, id: message.id, receivedAt: new Date().toISOString() }));
  processor.registerHandler('ethics.check', (message) => {
    const query = parseWith(EthicsCheckSchema, message.payload, 'payload');
    return deps.reasoning.ethics.check({ ...query, now: Date.now() });
  });
}
