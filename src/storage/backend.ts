/**
 * `StorageBackend`: where a database's durable state lives — a snapshot (the whole database
 * as bytes) plus the journal of write transactions committed after it. The database decides
 * what to write and when; a backend only has to make `append` durable before it resolves and
 * give everything back, in order, from `open`. Implementations: memory (tests, caches), file
 * (Node), Durable Object storage (Workers).
 */
import type { JournalEntry, TornTail } from './journal-codec.ts';

/** What a backend found when it opened: the durable state and anything it had to cut off. */
export interface RecoveredState {
  /** The last good snapshot's bytes, or null for a new database. */
  snapshot: Uint8Array | null;
  /** Sequence number of the last record included in the snapshot (0 without one). */
  snapshotSeq: number;
  /** Record payloads in journal order (frames already checked); may start at or before `snapshotSeq`. */
  records: Uint8Array[];
  report: RecoveryReport;
}

export interface RecoveryReport {
  backend: string;
  /** Where the snapshot came from (file or key), if there was one. */
  snapshotSource?: string;
  /** A torn tail the backend cut off: the end of an append interrupted by a crash (never acknowledged). */
  tornTail?: TornTail & { source: string; savedTo?: string };
  /** Journal segments or key ranges read. */
  journalSources: string[];
}

export interface BackendStats {
  appends: number;
  records: number;
  bytesAppended: number;
  snapshots: number;
  lastSnapshotBytes: number;
  /** The last append or snapshot failure, if the backend is still degraded by it. */
  lastError?: string;
}

/**
 * @example
 * const backend: StorageBackend = createMemoryBackend();
 * const db = new OptimizedDatabase(backend, { migrations });
 */
export interface StorageBackend {
  readonly kind: 'memory' | 'file' | 'durable-object' | (string & {});
  /** Group-commit window in ms: how long a write waits for others to share its sync (default 0). */
  readonly groupCommitMs?: number;
  /** Reads the durable state. Called once, before any other method. */
  open(): Promise<RecoveredState>;
  /** Makes `entries` durable, in order, as one unit of I/O; rejects (having written nothing that will be replayed) on failure. */
  append(entries: readonly JournalEntry[]): Promise<void>;
  /**
   * Stores `bytes` as the snapshot covering every record up to `seq`, then drops those records.
   * `append` may be called while this runs; those records must survive.
   */
  snapshot(bytes: Uint8Array, seq: number): Promise<void>;
  /** Releases files, locks or handles. */
  close(): Promise<void>;
  stats(): BackendStats;
}

type PathBackendFactory = (path: string) => StorageBackend;
let pathBackend: PathBackendFactory | undefined;

/**
 * Lets `new OptimizedDatabase('/some/dir')` work on a host with a file system: the Node file
 * backend registers itself when imported. The runtime-agnostic core never imports it.
 */
export function registerPathBackend(factory: PathBackendFactory): void {
  pathBackend = factory;
}

/** The backend for a path given to `OptimizedDatabase`, if a host registered one. */
export function backendForPath(path: string): StorageBackend | undefined {
  return pathBackend?.(path);
}
