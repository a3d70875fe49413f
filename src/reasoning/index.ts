/** Public API of the MeTTa reasoning engine. */
export { MeTTa, formatResults, LimitError, ParseError, ProgramTooLargeError, type MettaOptions } from './runner.ts';
export { DEFAULT_LIMITS, type Limits } from './context.ts';
export { createEthicsEngine, type EthicsEngine, type EthicsQuery, type EthicsDecision, type ConsentInput } from './ethics.ts';
export { createReasoningService, HTTP_LIMITS, type ReasoningService, type ReasoningServiceOptions, type RunResult } from './service.ts';
export { createReasoningRoutes } from './routes.ts';
export { ETHICS_KB } from './kb.ts';
export { mettaCommand } from './cli.ts';
export { Space } from './space.ts';
export { atomToString } from './atom.ts';
