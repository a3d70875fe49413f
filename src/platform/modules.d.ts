// Module shapes for imports that bundlers resolve (wrangler turns `.wasm` into a compiled module).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module 'sql.js/dist/sql-wasm-browser.js' {
  import initSqlJs from 'sql.js';
  export default initSqlJs;
}
declare module 'cloudflare:workers' {
  /** The subset of the Workers runtime's Durable Object base class this project uses. */
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
  export interface DurableObjectState {
    readonly id: { toString(): string; readonly name?: string };
    readonly storage: DurableObjectStorageApi;
    blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
    waitUntil(promise: Promise<unknown>): void;
  }
  /** The key-value half of Durable Object storage. */
  export interface DurableObjectStorageApi {
    get<T = unknown>(key: string): Promise<T | undefined>;
    get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
    put<T>(key: string, value: T): Promise<void>;
    put<T>(entries: Record<string, T>): Promise<void>;
    delete(key: string): Promise<boolean>;
    delete(keys: string[]): Promise<number>;
    list<T = unknown>(options?: { prefix?: string; start?: string; end?: string; limit?: number; reverse?: boolean }): Promise<Map<string, T>>;
    transaction<T>(fn: (txn: DurableObjectStorageApi) => Promise<T>): Promise<T>;
    deleteAll(): Promise<void>;
    sync?(): Promise<void>;
  }
  export interface DurableObjectNamespace {
    idFromName(name: string): unknown;
    get(id: unknown): { fetch(request: Request): Promise<Response> };
  }
}
