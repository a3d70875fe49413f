/**
 * The Node file backend (Node-only: never imported by the runtime-agnostic core).
 *
 * A directory holds `snapshot.hss` (the database bytes with a checksummed header) and journal
 * segments `journal-<first seq>.hsj`, append-only files of CRC-32C framed records. An append
 * writes a whole group of records and `fdatasync`s before it resolves; if the write or the sync
 * fails, the segment is cut back to where it was, so nothing unacknowledged is ever replayed
 * (and if even that fails, the backend refuses further appends). A snapshot goes to a temp
 * file, is synced, renamed over the old one and the directory synced; only then are the
 * segments it covers deleted, while new appends already go to a fresh segment.
 *
 * Opening reads the snapshot (a bad one refuses to start, naming the file, and is never
 * touched), then every segment: a torn tail of the last one (an append interrupted by a crash)
 * is copied aside, cut off and reported; a bad record anywhere else is an error.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../checksum/index.ts';
import { registerPathBackend, type BackendStats, type RecoveredState, type RecoveryReport, type StorageBackend } from './backend.ts';
import { StorageError } from './errors.ts';
import { scanFrames, type JournalEntry } from './journal-codec.ts';

/** The file operations the backend uses (tests substitute failing ones). */
export interface FileIo {
  open(path: string, flags: string): Promise<FileLike>;
  readFile(path: string): Promise<Uint8Array>;
  readdir(dir: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
}

export interface FileLike {
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export interface FileBackendOptions {
  /** Group-commit window in ms (default 0: writes arriving during a sync share the next). */
  groupCommitMs?: number;
  /** Sync appends and snapshots to the disk (default true). False acknowledges writes the OS may still lose. */
  sync?: boolean;
  io?: FileIo;
}

export interface FileBackend extends StorageBackend {
  readonly kind: 'file';
  readonly dir: string;
}

const SNAPSHOT = 'snapshot.hss';
const SNAPSHOT_MAGIC = 0x31535348; // "HSS1"
const SNAPSHOT_HEADER = 32;
const SEGMENT = /^journal-(\d{16})\.hsj$/;
const NODE_IO: FileIo = {
  open: (path, flags) => fsp.open(path, flags),
  readFile: async (path) => new Uint8Array(await fsp.readFile(path)),
  readdir: (dir) => fsp.readdir(dir),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  copyFile: (from, to) => fsp.copyFile(from, to),
};
/** Directories opened by this process (a second open of the same one would corrupt it). */
const openDirs = new Set<string>();

interface Segment {
  name: string;
  startSeq: number;
  /** Sequence number of the last record in it (startSeq - 1 while empty). */
  lastSeq: number;
}

const segmentName = (seq: number) => `journal-${String(seq).padStart(16, '0')}.hsj`;

/**
 * @example
 * const db = new OptimizedDatabase(createFileBackend('./data', { groupCommitMs: 1 }), { migrations });
 * await db.start();
 */
export function createFileBackend(dir: string, options: FileBackendOptions = {}): FileBackend {
  const io = options.io ?? NODE_IO;
  const sync = options.sync !== false;
  const stats: BackendStats = { appends: 0, records: 0, bytesAppended: 0, snapshots: 0, lastSnapshotBytes: 0 };
  let segments: Segment[] = [];
  let current: { file: FileLike; segment: Segment; size: number } | undefined;
  let rotate = false;
  let poisoned: string | undefined;
  let locked = false;
  /** Appends and segment switches run one at a time. */
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => {});
    return next;
  };
  const path = (name: string) => join(dir, name);

  async function syncDir(): Promise<void> {
    if (!sync) return;
    const handle = await io.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  function lock(): void {
    if (openDirs.has(dir)) throw new StorageError('database_locked', `${dir} is already open in this process`);
    mkdirSync(dir, { recursive: true });
    const lockPath = path('LOCK');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lockPath, 'wx');
        writeSync(fd, String(process.pid));
        fsyncSync(fd);
        closeSync(fd);
        openDirs.add(dir);
        locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(lockPath, 'utf8'));
        if (pid > 0 && pid !== process.pid && alive(pid)) {
          throw new StorageError('database_locked', `${dir} is in use by process ${pid}`);
        }
        unlinkSync(lockPath); // left by a process that is gone
      }
    }
    throw new StorageError('database_locked', `could not lock ${dir}`);
  }

  function unlock(): void {
    if (!locked) return;
    locked = false;
    openDirs.delete(dir);
    try {
      unlinkSync(path('LOCK'));
    } catch {
      // already gone
    }
  }

  async function readSnapshot(report: RecoveryReport): Promise<{ bytes: Uint8Array | null; seq: number }> {
    let raw: Uint8Array;
    try {
      raw = await io.readFile(path(SNAPSHOT));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { bytes: null, seq: 0 };
      throw err;
    }
    report.snapshotSource = path(SNAPSHOT);
    const refuse = (why: string) =>
      new StorageError('snapshot_corrupt', `snapshot ${path(SNAPSHOT)} is corrupt (${why}); refusing to start. The file is left untouched: inspect it or restore a backup.`);
    if (raw.length < SNAPSHOT_HEADER) throw refuse('shorter than its header');
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (view.getUint32(0, true) !== SNAPSHOT_MAGIC) throw refuse('bad magic');
    if (view.getUint32(28, true) !== crc32c(raw.subarray(0, 28))) throw refuse('header checksum mismatch');
    const seq = view.getFloat64(8, true);
    const length = view.getFloat64(16, true);
    if (raw.length !== SNAPSHOT_HEADER + length) throw refuse(`holds ${raw.length - SNAPSHOT_HEADER} bytes, header says ${length}`);
    const bytes = raw.subarray(SNAPSHOT_HEADER);
    if (view.getUint32(24, true) !== crc32c(bytes)) throw refuse('data checksum mismatch');
    return { bytes, seq };
  }

  async function open(): Promise<RecoveredState> {
    lock();
    try {
      if (poisoned) throw new StorageError('backend_failed', `${dir}: ${poisoned}`);
      const report: RecoveryReport = { backend: 'file', journalSources: [] };
      const names = await io.readdir(dir);
      if (names.includes(`${SNAPSHOT}.tmp`)) await io.unlink(path(`${SNAPSHOT}.tmp`)); // an interrupted snapshot
      const snapshot = await readSnapshot(report);
      segments = names
        .map((name) => ({ name, m: SEGMENT.exec(name) }))
        .filter((x) => x.m)
        .map(({ name, m }) => ({ name, startSeq: Number(m![1]), lastSeq: Number(m![1]) - 1 }))
        .sort((a, b) => a.startSeq - b.startSeq);
      const records: Uint8Array[] = [];
      for (const [i, segment] of segments.entries()) {
        const source = path(segment.name);
        report.journalSources.push(source);
        const bytes = await io.readFile(source);
        const scan = scanFrames(bytes, source);
        if (scan.tail && i < segments.length - 1) {
          throw new StorageError('journal_corrupt', `${source}: bad record at byte ${scan.tail.offset} (${scan.tail.reason}) in a segment that later segments follow; refusing to skip committed writes`);
        }
        if (scan.tail) {
          // The end of an append a crash interrupted: never acknowledged. Kept aside, then cut off.
          const savedTo = `${source}.torn-${Date.now()}`;
          await fsp.writeFile(savedTo, bytes.subarray(scan.tail.offset));
          const file = await io.open(source, 'r+');
          try {
            await file.truncate(scan.validLength);
            if (sync) await file.datasync();
          } finally {
            await file.close();
          }
          report.tornTail = { ...scan.tail, source, savedTo };
        }
        for (const payload of scan.payloads) records.push(payload);
        if (scan.payloads.length) {
          const last = scan.payloads[scan.payloads.length - 1];
          segment.lastSeq = new DataView(last.buffer, last.byteOffset, last.byteLength).getFloat64(1, true);
        }
      }
      current = undefined;
      rotate = true; // appends after a restart start a new segment: old ones may end torn-and-cut
      return { snapshot: snapshot.bytes, snapshotSeq: snapshot.seq, records, report };
    } catch (err) {
      unlock();
      throw err;
    }
  }

  async function append(entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    return serial(async () => {
      if (poisoned) throw new StorageError('backend_failed', `${dir}: ${poisoned}`);
      if (!current || rotate) {
        if (current) await current.file.close();
        const name = segmentName(entries[0].seq);
        // The name can exist only as a segment whose every record was a torn tail, cut to empty.
        let segment = segments.find((s) => s.name === name);
        if (!segment) {
          segment = { name, startSeq: entries[0].seq, lastSeq: entries[0].seq - 1 };
          segments.push(segment);
        }
        const file = await io.open(path(name), 'a');
        const size = (await file.stat()).size;
        await syncDir();
        current = { file, segment, size };
        rotate = false;
      }
      let total = 0;
      for (const e of entries) total += e.frame.length;
      const buf = new Uint8Array(total);
      let off = 0;
      for (const e of entries) {
        buf.set(e.frame, off);
        off += e.frame.length;
      }
      const { file } = current;
      try {
        for (let written = 0; written < total;) {
          const { bytesWritten } = await file.write(buf, written, total - written, null);
          written += bytesWritten;
        }
        if (sync) await file.datasync();
      } catch (err) {
        stats.lastError = `append failed: ${(err as Error).message}`;
        try {
          await file.truncate(current.size);
        } catch (cut) {
          poisoned = `could not cut back a failed append (${(cut as Error).message}); restart to recover`;
          stats.lastError = poisoned;
        }
        // The cut need not be synced now: the next append's fdatasync persists the size with it.
        if (sync && !poisoned) await file.datasync().catch(() => {});
        throw err;
      }
      current.size += total;
      current.segment.lastSeq = entries[entries.length - 1].seq;
      stats.appends++;
      stats.records += entries.length;
      stats.bytesAppended += total;
      if (!poisoned) stats.lastError = undefined;
    });
  }

  async function snapshot(bytes: Uint8Array, seq: number): Promise<void> {
    // Later appends go to a new segment, so the ones this snapshot covers can be deleted whole.
    const covered = await serial(async () => {
      if (current) await current.file.close();
      current = undefined;
      return segments.filter((s) => s.lastSeq <= seq);
    });
    const header = new Uint8Array(SNAPSHOT_HEADER);
    const view = new DataView(header.buffer);
    view.setUint32(0, SNAPSHOT_MAGIC, true);
    view.setUint32(4, 1, true);
    view.setFloat64(8, seq, true);
    view.setFloat64(16, bytes.length, true);
    view.setUint32(24, crc32c(bytes), true);
    view.setUint32(28, crc32c(header.subarray(0, 28)), true);
    const tmp = path(`${SNAPSHOT}.tmp`);
    try {
      const file = await io.open(tmp, 'w');
      try {
        for (const part of [header, bytes]) {
          for (let written = 0; written < part.length;) {
            written += (await file.write(part, written, part.length - written, null)).bytesWritten;
          }
        }
        if (sync) await file.sync();
      } finally {
        await file.close();
      }
      await io.rename(tmp, path(SNAPSHOT));
      await syncDir();
    } catch (err) {
      stats.lastError = `snapshot failed: ${(err as Error).message}`;
      await io.unlink(tmp).catch(() => {});
      throw err;
    }
    for (const s of covered) {
      await io.unlink(path(s.name)).catch(() => {});
      segments = segments.filter((x) => x !== s);
    }
    await syncDir();
    stats.snapshots++;
    stats.lastSnapshotBytes = bytes.length;
  }

  async function close(): Promise<void> {
    await serial(async () => {
      if (current) await current.file.close().catch(() => {});
      current = undefined;
    });
    unlock();
  }

  return {
    kind: 'file',
    dir,
    groupCommitMs: options.groupCommitMs ?? 0,
    open,
    append,
    snapshot,
    close,
    stats: () => ({ ...stats }),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// `new OptimizedDatabase('/path/to/dir')` works once this module is loaded.
registerPathBackend((dir) => createFileBackend(dir));
