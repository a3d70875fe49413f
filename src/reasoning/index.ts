/** Public API of the MeTTa reasoning engine. */
export { MeTTa, formatResults, LimitError, ParseError, ProgramTooLargeError, type MettaOptions } from './runner.ts';
export { createEthicsEngine, type EthicsEngine, type EthicsQuery, type EthicsDecision, type ConsentInput } from './ethics.ts';
export { mettaCommand } from './cli.ts';
export { Space } from './space.ts';
export { atomToString } from './atom.ts';
