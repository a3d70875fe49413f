/**
 * HealthSync Edge: the library entry. Each capability's public API is re-exported here,
 * so users and tests import from one place.
 */
export { AppError, NotFoundError, OverloadedError, ValidationError } from './shared/errors.ts';
export { WasmError } from './shared/wasm.ts';
export { crc32c, crc32cReference } from './checksum/index.ts';
export { getSql } from './storage/sql.ts';
export * from './messaging/index.ts';
export * from './metrics/index.ts';
export * from './reasoning/index.ts';
