/**
 * A backend that keeps the snapshot and journal frames in memory. Nothing survives the
 * process, but the same backend object survives its database: closing one database and
 * opening another on the same backend replays the journal exactly as the durable backends do,
 * which makes it the reference implementation for the `StorageBackend` contract.
 */
import type { BackendStats, RecoveredState, StorageBackend } from './backend.ts';
import { StorageError } from './errors.ts';
import { scanFrames, type JournalEntry } from './journal-codec.ts';

export interface MemoryBackend extends StorageBackend {
  readonly kind: 'memory';
}

/**
 * @example
 * const backend = createMemoryBackend();
 * const db = new OptimizedDatabase(backend);
 */
export function createMemoryBackend(options: { groupCommitMs?: number } = {}): MemoryBackend {
  let snapshot: Uint8Array | null = null;
  let snapshotSeq = 0;
  let frames: JournalEntry[] = [];
  const stats: BackendStats = { appends: 0, records: 0, bytesAppended: 0, snapshots: 0, lastSnapshotBytes: 0 };
  let open = false;
  const check = () => {
    if (!open) throw new StorageError('backend_closed', 'memory backend is not open');
  };

  return {
    kind: 'memory',
    groupCommitMs: options.groupCommitMs ?? 0,
    async open(): Promise<RecoveredState> {
      open = true;
      const joined = new Uint8Array(frames.reduce((n, f) => n + f.frame.length, 0));
      let off = 0;
      for (const f of frames) {
        joined.set(f.frame, off);
        off += f.frame.length;
      }
      const { payloads } = scanFrames(joined, 'memory journal');
      return { snapshot: snapshot && snapshot.slice(), snapshotSeq, records: payloads, report: { backend: 'memory', journalSources: ['memory journal'] } };
    },
    async append(entries) {
      check();
      for (const e of entries) {
        frames.push({ seq: e.seq, frame: e.frame.slice() });
        stats.bytesAppended += e.frame.length;
      }
      stats.appends++;
      stats.records += entries.length;
    },
    async snapshot(bytes, seq) {
      check();
      snapshot = bytes.slice();
      snapshotSeq = seq;
      frames = frames.filter((f) => f.seq > seq);
      stats.snapshots++;
      stats.lastSnapshotBytes = bytes.length;
    },
    async close() {
      open = false;
    },
    stats: () => ({ ...stats }),
  };
}
