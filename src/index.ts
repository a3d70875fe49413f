/**
 * HealthSync Edge: the library entry. Each capability's public API is re-exported here,
 * so users and tests import from one place.
 */
export { AppError, NotFoundError, OverloadedError, ValidationError } from './shared/errors.ts';
export { WasmError } from './shared/wasm.ts';
export { crc32c, crc32cReference, sha256, sha256Hex } from './checksum/index.ts';
export { createApp, PUBLIC_ROUTES, type AppDeps } from './app.ts';
export { createServices, MIGRATIONS, type Services, type ServicesOptions } from './services.ts';
export { loadConfig, type AppConfig } from './config.ts';
export { KeyStore, type ApiKeyInfo, type CreatedKey } from './auth/key-store.ts';
export { authenticate, requireRole } from './http/auth.ts';
export { installFrontDoor, RouteCapturingRouter, type FrontDoorOptions } from './http/front-door.ts';
export { principalOf, requestIdOf } from './http/request-state.ts';
export { TokenBuckets } from './http/rate-limit.ts';
export { ROLES, type AppEnv, type Principal, type Role } from './http/types.ts';
export { VERSION } from './version.ts';
export * from './messaging/index.ts';
export * from './metrics/index.ts';
export * from './privacy/index.ts';
export * from './reasoning/index.ts';
export * from './storage/index.ts';
