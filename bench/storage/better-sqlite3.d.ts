// The slice of better-sqlite3's API the storage benchmarks use (the package ships no types).
declare module 'better-sqlite3' {
  interface Statement {
    get(...params: unknown[]): unknown;
    run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
    all(...params: unknown[]): unknown[];
  }
  class Database {
    constructor(path: string, options?: Record<string, unknown>);
    exec(sql: string): this;
    prepare(sql: string): Statement;
    pragma(sql: string, options?: { simple?: boolean }): unknown;
    transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
    close(): void;
  }
  export default Database;
}
