/**
 * The Workers backend: a Durable Object owns one database and keeps its durable state in its
 * own storage (`ctx.storage`). Values are limited (128 KiB each, 128 keys per call), so:
 *
 * - each journal record is a frame under `hs:j:<seq>`, continued under `hs:j:<seq>:<n>` when
 *   larger than a chunk; all keys of an append are put with no `await` in between, which the
 *   runtime commits atomically, and the output gate holds the response until they are durable;
 * - a snapshot is a new generation of chunks `hs:snap:<gen>:<n>`, then one `hs:meta` put that
 *   switches to it (the commit point), then the old generation and the covered journal keys are
 *   deleted — a crash at any point leaves either the old or the new snapshot whole.
 *
 * Opening reassembles the frames in key order and checks them like the file backend does: a
 * bad final record is a torn tail (reported and deleted), a bad record before good ones an error.
 */
import { crc32c } from '../checksum/index.ts';
import type { BackendStats, RecoveredState, RecoveryReport, StorageBackend } from './backend.ts';
import { StorageError } from './errors.ts';
import { scanFrames, type JournalEntry } from './journal-codec.ts';

/** The part of the Durable Object storage API this backend uses (structurally `DurableObjectStorage`). */
export interface DurableObjectStorageLike {
  get<T = unknown>(key: string): Promise<T | undefined>;
  put<T>(entries: Record<string, T>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options?: { prefix?: string; start?: string; startAfter?: string; end?: string; limit?: number }): Promise<Map<string, T>>;
}

export interface DurableObjectBackendOptions {
  /** Group-commit window in ms (default 0). */
  groupCommitMs?: number;
  /** Bytes per stored value (default 120 KiB, under the 128 KiB limit). */
  chunkBytes?: number;
}

interface Meta {
  format: 1;
  snapshotSeq: number;
  gen: number;
  chunks: number;
  bytes: number;
  crc: number;
}

const META = 'hs:meta';
const JOURNAL = 'hs:j:';
const SNAP = 'hs:snap:';
const MAX_KEYS = 128;
const PAGE = 1000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const journalKey = (seq: number) => `${JOURNAL}${pad(seq, 16)}`;
const snapPrefix = (gen: number) => `${SNAP}${pad(gen, 10)}:`;

/**
 * @example
 * // inside a Durable Object class
 * const db = new OptimizedDatabase(createDurableObjectBackend(this.ctx.storage), { migrations: MIGRATIONS });
 * await this.ctx.blockConcurrencyWhile(() => db.start());
 */
export function createDurableObjectBackend(storage: DurableObjectStorageLike, options: DurableObjectBackendOptions = {}): StorageBackend {
  const chunk = options.chunkBytes ?? 120 * 1024;
  const stats: BackendStats = { appends: 0, records: 0, bytesAppended: 0, snapshots: 0, lastSnapshotBytes: 0 };
  let meta: Meta | undefined;

  async function listAll<T>(prefix: string, end?: string): Promise<[string, T][]> {
    const out: [string, T][] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await storage.list<T>({ prefix, startAfter, end, limit: PAGE });
      for (const entry of page) out.push(entry);
      if (page.size < PAGE) return out;
      startAfter = out[out.length - 1][0];
    }
  }

  async function deleteKeys(keys: string[]): Promise<void> {
    const pending: Promise<number>[] = [];
    for (let i = 0; i < keys.length; i += MAX_KEYS) pending.push(storage.delete(keys.slice(i, i + MAX_KEYS)));
    await Promise.all(pending);
  }

  async function putAll(entries: [string, Uint8Array][]): Promise<void> {
    // Every put is issued before any await: the runtime coalesces them into one atomic write.
    const pending: Promise<void>[] = [];
    for (let i = 0; i < entries.length; i += MAX_KEYS) pending.push(storage.put(Object.fromEntries(entries.slice(i, i + MAX_KEYS))));
    await Promise.all(pending);
  }

  async function open(): Promise<RecoveredState> {
    const report: RecoveryReport = { backend: 'durable-object', journalSources: [`${JOURNAL}*`] };
    meta = await storage.get<Meta>(META);
    let snapshot: Uint8Array | null = null;
    if (meta) {
      const source = `Durable Object storage ${snapPrefix(meta.gen)}*`;
      report.snapshotSource = source;
      const parts = await listAll<Uint8Array>(snapPrefix(meta.gen));
      const bytes = concat(parts.map(([, v]) => toBytes(v)));
      const why = parts.length !== meta.chunks ? `${parts.length} of ${meta.chunks} chunks present`
        : bytes.length !== meta.bytes ? `${bytes.length} bytes, expected ${meta.bytes}`
        : crc32c(bytes) !== meta.crc ? 'checksum mismatch' : undefined;
      if (why) throw new StorageError('snapshot_corrupt', `snapshot ${source} is corrupt (${why}); refusing to start. It is left untouched.`);
      snapshot = bytes;
    }
    const entries = await listAll<Uint8Array>(JOURNAL);
    const joined = concat(entries.map(([, v]) => toBytes(v)));
    const scan = scanFrames(joined, `Durable Object storage ${JOURNAL}*`);
    if (scan.tail) {
      // Keys from the first one holding bytes of the torn record onwards.
      let offset = 0;
      const torn: string[] = [];
      for (const [key, value] of entries) {
        if (offset + toBytes(value).length > scan.tail.offset) torn.push(key);
        offset += toBytes(value).length;
      }
      report.tornTail = { ...scan.tail, source: torn[0] ?? JOURNAL };
      await deleteKeys(torn);
    }
    return { snapshot, snapshotSeq: meta?.snapshotSeq ?? 0, records: scan.payloads, report };
  }

  async function append(entries: readonly JournalEntry[]): Promise<void> {
    const puts: [string, Uint8Array][] = [];
    let bytes = 0;
    for (const e of entries) {
      const key = journalKey(e.seq);
      bytes += e.frame.length;
      if (e.frame.length <= chunk) {
        puts.push([key, e.frame.byteLength === e.frame.buffer.byteLength ? e.frame : e.frame.slice()]);
        continue;
      }
      for (let off = 0, n = 0; off < e.frame.length; off += chunk, n++) {
        // slice, not subarray: storage clones a view's whole buffer.
        puts.push([n === 0 ? key : `${key}:${pad(n, 6)}`, e.frame.slice(off, off + chunk)]);
      }
    }
    try {
      await putAll(puts);
    } catch (err) {
      stats.lastError = `append failed: ${(err as Error).message}`;
      throw err;
    }
    stats.appends++;
    stats.records += entries.length;
    stats.bytesAppended += bytes;
    stats.lastError = undefined;
  }

  async function snapshot(bytes: Uint8Array, seq: number): Promise<void> {
    const old = meta;
    const gen = (old?.gen ?? 0) + 1;
    const parts: [string, Uint8Array][] = [];
    for (let off = 0, n = 0; off < bytes.length || n === 0; off += chunk, n++) parts.push([`${snapPrefix(gen)}${pad(n, 6)}`, bytes.slice(off, off + chunk)]);
    const next: Meta = { format: 1, snapshotSeq: seq, gen, chunks: parts.length, bytes: bytes.length, crc: crc32c(bytes) };
    try {
      await putAll(parts);
      await storage.put({ [META]: next });
    } catch (err) {
      stats.lastError = `snapshot failed: ${(err as Error).message}`;
      throw err;
    }
    meta = next;
    const stale = old ? (await listAll<Uint8Array>(snapPrefix(old.gen))).map(([k]) => k) : [];
    const covered = (await listAll<Uint8Array>(JOURNAL, journalKey(seq + 1))).map(([k]) => k);
    await deleteKeys([...stale, ...covered]);
    stats.snapshots++;
    stats.lastSnapshotBytes = bytes.length;
  }

  return {
    kind: 'durable-object',
    groupCommitMs: options.groupCommitMs ?? 0,
    open,
    append,
    snapshot,
    close: async () => {},
    stats: () => ({ ...stats }),
  };
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new StorageError('journal_corrupt', 'Durable Object storage holds a value that is not bytes under a storage key');
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
