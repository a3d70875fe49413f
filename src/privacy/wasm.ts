/**
 * The one loader of `wasm/privacy.wasm` and the WASM engines built on it. One job owns the
 * instance at a time: creating an engine resets the module's arena, which retires the previous
 * engine (its calls then throw). Inputs are copied into linear memory once; each check passes
 * only a level vector and reads a small result block. A trap replaces the instance.
 */
import { platform } from '#platform';
import { checkStatus, instantiateWasm, toWasmError, type WasmExports } from '../shared/wasm.ts';
import { NoSolutionError } from './errors.ts';
import type { CheckResult, EngineInput, LatticeEngine, MondrianEngine, MondrianInput, MondrianResult } from './engine.ts';
import { STATUS } from '../shared/status.ts';

interface PrivacyExports extends WasmExports {
  reset(): void;
  alloc(bytes: number): number;
  prepare(descPtr: number): number;
  setModels(ptr: number, count: number): number;
  checkNode(levelsPtr: number, k: number, maxSuppressed: number, wantPenalty: number): number;
  rollUp(levelsPtr: number, upToPtr: number, maxClasses: number): number;
  clearRollUp(): void;
  resultsPtr(): number;
  rowTuplePtr(): number;
  tupleClassPtr(): number;
  classOkPtr(): number;
  memoryUsed(): number;
  mondrianPrepare(rankPtr: number, flagsPtr: number): number;
  mondrianRun(k: number, relaxed: number): number;
  mondrianRowsPtr(): number;
  mondrianBoundsPtr(): number;
  mondrianStatsPtr(): number;
}

const NAME = 'privacy';
// Result block layout (assembly/privacy/results.ts).
const R_SUPPRESSED = 0;
const R_CLASSES = 1;
const R_OK_CLASSES = 2;
const R_SUM_SQ = 3;
const R_SUM_SQ_OK = 4;
const R_MIN_OK_SIZE = 5;
const R_MODEL = 8;
const R_PENALTY = 24;
const QI_WORDS = 6;
const SENS_WORDS = 2;
/** Limits of the module's static tables. */
export const WASM_MAX_QI = 64;
export const WASM_MAX_SENSITIVE = 8;
export const WASM_MAX_MODELS = 16;

let instance: PrivacyExports | undefined;
let job = 0;

function load(): PrivacyExports {
  return (instance ??= instantiateWasm<PrivacyExports>(platform.wasmModule(NAME), NAME).exports);
}

/** Runs `fn` against the instance; a trap or abort drops the instance and becomes a `WasmError`. */
function guarded<T>(fn: (e: PrivacyExports) => T, fresh = false): T {
  const e = fresh ? forNewJob() : load();
  try {
    return fn(e);
  } catch (err) {
    instance = undefined;
    job++;
    throw toWasmError(err, NAME);
  }
}

function alloc(e: PrivacyExports, bytes: number): number {
  return checkStatus(e.alloc(Math.max(bytes, 8)), NAME, 'alloc');
}

function copyU32(e: PrivacyExports, values: ArrayLike<number>): number {
  const ptr = alloc(e, values.length * 4);
  new Uint32Array(e.memory.buffer, ptr, values.length).set(values);
  return ptr;
}

/** Linear memory above which a new job starts on a fresh instance (memory never shrinks). */
const RECYCLE_BYTES = 64 * 1024 * 1024;

/** The instance for a new job: a fresh one when the last job left memory grown past the limit. */
function forNewJob(): PrivacyExports {
  if (instance && instance.memory.buffer.byteLength > RECYCLE_BYTES) instance = undefined;
  return load();
}

/** Resets the module and copies the table in; returns the job number that owns the instance. */
function loadTable(e: PrivacyExports, input: EngineInput): { job: number; tuples: number } {
  if (input.quasi.length > WASM_MAX_QI || input.sensitive.length > WASM_MAX_SENSITIVE || input.models.length > WASM_MAX_MODELS) {
    throw new RangeError(`the WASM engine takes at most ${WASM_MAX_QI} quasi-identifiers, ${WASM_MAX_SENSITIVE} sensitive attributes and ${WASM_MAX_MODELS} models`);
  }
  e.reset();
  job++;
  const words = [input.rows, input.quasi.length, input.sensitive.length];
  for (const { hierarchy: h, rowLeaf } of input.quasi) {
    words.push(copyU32(e, rowLeaf), h.leafCount, h.levels, copyU32(e, h.gen), copyU32(e, h.cover), copyU32(e, h.card));
  }
  for (const s of input.sensitive) words.push(copyU32(e, s.codes), s.m);
  if (words.length !== 3 + input.quasi.length * QI_WORDS + input.sensitive.length * SENS_WORDS) throw new Error('descriptor size');
  const desc = copyU32(e, words);
  const tuples = checkStatus(e.prepare(desc), NAME, 'prepare');
  const models = alloc(e, input.models.length * 32);
  const m = new Float64Array(e.memory.buffer, models, input.models.length * 4);
  input.models.forEach((model, j) => m.set([model.type, model.sensitive, model.p1, model.p2], j * 4));
  checkStatus(e.setModels(models, input.models.length), NAME, 'setModels');
  return { job, tuples };
}

/**
 * A lattice engine over `input`, running in WASM.
 *
 * @example
 * const engine = createWasmLatticeEngine(input);
 * engine.check([0, 4, 1], 5, 0, true).anonymous;
 */
export function createWasmLatticeEngine(input: EngineInput): LatticeEngine {
  const q = input.quasi.length;
  const rows = input.rows;
  const models = input.models.length;
  const { job: owner, tuples, levelsPtr, upToPtr } = guarded((e) => {
    const loaded = loadTable(e, input);
    return { ...loaded, levelsPtr: alloc(e, q * 4), upToPtr: alloc(e, q * 4) };
  }, true);
  const own = (): void => {
    if (job !== owner) throw new Error('privacy WASM engine was replaced by a newer job');
  };
  /** The roll-up's level range while checks run over it. */
  let view: number[] | null = null;
  let viewTop: number[] = [];
  let lastOnView = false;
  return {
    name: 'wasm',
    tuples,
    check(levels, k, maxSuppressed, wantPenalty): CheckResult {
      own();
      return guarded((e) => {
        if (view) {
          let above = true;
          for (let a = 0; a < q && above; a++) above = levels[a] >= view[a] && levels[a] <= viewTop[a];
          if (!above) {
            e.clearRollUp();
            view = null;
          }
        }
        lastOnView = view !== null;
        new Uint32Array(e.memory.buffer, levelsPtr, q).set(levels);
        const status = checkStatus(e.checkNode(levelsPtr, k, maxSuppressed, wantPenalty ? 1 : 0), NAME, 'checkNode');
        const r = new Float64Array(e.memory.buffer, e.resultsPtr(), R_PENALTY + q);
        const anonymous = status === 1;
        const achieved: number[] = [];
        for (let j = 0; j < models; j++) achieved.push(Number.isFinite(r[R_MODEL + j]) ? r[R_MODEL + j] : NaN);
        return {
          anonymous,
          suppressed: r[R_SUPPRESSED],
          classes: r[R_CLASSES],
          okClasses: r[R_OK_CLASSES],
          sumSq: r[R_SUM_SQ],
          sumSqOk: r[R_SUM_SQ_OK],
          minOkSize: r[R_MIN_OK_SIZE],
          achieved,
          penalty: wantPenalty && anonymous ? r.slice(R_PENALTY, R_PENALTY + q) : null,
        };
      });
    },
    rollUp(levels, upTo, maxClasses): number {
      own();
      if (models > 0) return -1;
      return guarded((e) => {
        new Uint32Array(e.memory.buffer, levelsPtr, q).set(levels);
        new Uint32Array(e.memory.buffer, upToPtr, q).set(upTo);
        const size = checkStatus(e.rollUp(levelsPtr, upToPtr, Math.min(maxClasses, 0x7fffffff)), NAME, 'rollUp');
        if (size <= maxClasses) {
          view = Array.from(levels);
          viewTop = Array.from(upTo);
        } else {
          view = null;
        }
        return size;
      });
    },
    clearRollUp(): void {
      own();
      guarded((e) => e.clearRollUp());
      view = null;
    },
    rowsKept(): Uint8Array {
      own();
      if (lastOnView) throw new Error('rowsKept needs a check over the whole table (clear the roll-up first)');
      return guarded((e) => {
        const buf = e.memory.buffer;
        const rowTuple = new Uint32Array(buf, e.rowTuplePtr(), rows);
        const tupleClass = new Uint32Array(buf, e.tupleClassPtr(), tuples);
        const ok = new Uint8Array(buf, e.classOkPtr(), tuples);
        const kept = new Uint8Array(rows);
        for (let r = 0; r < rows; r++) kept[r] = ok[tupleClass[rowTuple[r]]];
        return kept;
      });
    },
    rowClasses(): Uint32Array {
      own();
      if (lastOnView) throw new Error('rowClasses needs a check over the whole table (clear the roll-up first)');
      return guarded((e) => {
        const buf = e.memory.buffer;
        const rowTuple = new Uint32Array(buf, e.rowTuplePtr(), rows);
        const tupleClass = new Uint32Array(buf, e.tupleClassPtr(), tuples);
        const classes = new Uint32Array(rows);
        for (let r = 0; r < rows; r++) classes[r] = tupleClass[rowTuple[r]];
        return classes;
      });
    },
  };
}

/**
 * A Mondrian engine over `input`, running in WASM.
 *
 * @example
 * const parts = createWasmMondrianEngine(input).partition(5, false);
 */
export function createWasmMondrianEngine(input: MondrianInput): MondrianEngine {
  const rows = input.rows;
  const models = input.models.length;
  const { job: owner, tuples } = guarded((e) => {
    const loaded = loadTable(e, input);
    const rankPtrs = input.rank.map((r) => copyU32(e, r));
    const ptrs = copyU32(e, [...rankPtrs, ...input.categorical.map((c) => (c ? 1 : 0))]);
    checkStatus(e.mondrianPrepare(ptrs, input.quasi.length), NAME, 'mondrianPrepare');
    return loaded;
  }, true);
  return {
    name: 'wasm',
    partition(k, relaxed): MondrianResult {
      if (job !== owner) throw new Error('privacy WASM engine was replaced by a newer job');
      return guarded((e) => {
        const count = e.mondrianRun(k, relaxed ? 1 : 0);
        if (count === STATUS.ERR_NO_SOLUTION) throw new NoSolutionError(`the whole table does not satisfy k=${k} and the privacy models`);
        checkStatus(count, NAME, 'mondrianRun');
        const buf = e.memory.buffer;
        const order = new Uint32Array(buf, e.mondrianRowsPtr(), tuples);
        const bounds = new Uint32Array(buf, e.mondrianBoundsPtr(), count + 1);
        const tuplePartition = new Uint32Array(tuples);
        for (let p = 0; p < count; p++) for (let i = bounds[p]; i < bounds[p + 1]; i++) tuplePartition[order[i]] = p;
        const rowTuple = new Uint32Array(buf, e.rowTuplePtr(), rows);
        const partitionOfRow = new Uint32Array(rows);
        for (let r = 0; r < rows; r++) partitionOfRow[r] = tuplePartition[rowTuple[r]];
        const res = new Float64Array(buf, e.resultsPtr(), R_MODEL + models);
        const achieved: number[] = [];
        for (let j = 0; j < models; j++) achieved.push(Number.isFinite(res[R_MODEL + j]) ? res[R_MODEL + j] : NaN);
        const stats = new Uint32Array(buf, e.mondrianStatsPtr(), count * input.quasi.length * 2).slice();
        return { partitions: count, partitionOfRow, achieved, minSize: res[R_MIN_OK_SIZE], stats };
      });
    },
  };
}

/** Bytes of linear memory the privacy module holds (0 before first use). */
export function privacyWasmMemoryBytes(): number {
  return instance ? instance.memory.buffer.byteLength : 0;
}
