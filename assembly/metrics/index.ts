// Boundary of the metrics module: flat exported verbs only (logic in histogram.ts, codec.ts,
// alloc.ts). A histogram is a handle (the address of its header); only numbers cross.
// Batches, quantile lists and serialized bytes travel through one I/O region that JS reserves
// with `ioReserve(bytes)`; reserving may grow memory, so JS rebuilds its views after it.

import { alloc, blockSize, bytesInUse as heapBytesInUse, free, heapTop as heapHighWater } from './alloc';
import { deserialize as decode, serialize as encode, serializedBound } from './codec';
import {
  H_MAX,
  H_MAXV,
  H_MIN,
  H_K,
  H_RELERR,
  H_S1,
  H_S2,
  H_SUB,
  H_TOTAL,
  H_ZEROS,
  createHistogram,
  destroyHistogram,
  footprint as footprintOf,
  isHistogram,
  merge as mergeInto,
  quantilesInPlace,
  record as recordOne,
  recordBatch as recordMany,
  recordQueued as recordPairs,
  recordCount as recordMany1,
  reset as resetHistogram,
  valueAtQuantile as quantileOf,
  countsBelow as countsBelowInPlace,
} from './histogram';
import { ERR_BAD_HANDLE, ERR_OUT_OF_MEMORY, STATUS_OK } from '../shared/status';

let ioPtr: usize = 0;
let ioBytes: usize = 0;

/** Pointer to an I/O region of at least `bytes` bytes (contents not kept), or a negative status. */
export function ioReserve(bytes: u32): i32 {
  if (<usize>bytes > ioBytes || ioPtr == 0) {
    const want = blockSize(bytes > 4096 ? <usize>bytes : 4096);
    const ptr = alloc(want);
    if (ptr == 0) return ERR_OUT_OF_MEMORY;
    free(ioPtr, ioBytes);
    ioPtr = ptr;
    ioBytes = want;
  }
  return <i32>ioPtr;
}

let queuePtr: usize = 0;

/** Pointer to the record queue region of `bytes` bytes, allocated once per instance. */
export function queueReserve(bytes: u32): i32 {
  if (queuePtr == 0) {
    queuePtr = alloc(<usize>bytes);
    if (queuePtr == 0) return ERR_OUT_OF_MEMORY;
  }
  return <i32>queuePtr;
}

/** A new histogram handle for `relativeError` in [0.001, 0.05] and values in [0, maxValue]. */
export function create(relativeError: f64, maxValue: f64): i32 {
  return createHistogram(relativeError, maxValue);
}

export function destroy(h: u32): i32 {
  if (!isHistogram(h)) return ERR_BAD_HANDLE;
  destroyHistogram(h);
  return STATUS_OK;
}

export function record(h: u32, value: f64): i32 {
  if (!isHistogram(h)) return ERR_BAD_HANDLE;
  return recordOne(h, value);
}

export function recordCount(h: u32, value: f64, count: f64): i32 {
  if (!isHistogram(h)) return ERR_BAD_HANDLE;
  return recordMany1(h, value, count);
}

/** Records `len` doubles at `valuesPtr`; any invalid value makes the whole batch record nothing. */
export function recordBatch(h: u32, valuesPtr: u32, len: u32): i32 {
  if (!isHistogram(h)) return ERR_BAD_HANDLE;
  return recordMany(h, valuesPtr, len);
}

/** Records `n` queued (handle, value) pairs: u32 handles at `handlesPtr`, f64 values at `valuesPtr`. */
export function recordQueued(handlesPtr: u32, valuesPtr: u32, n: u32): i32 {
  return recordPairs(handlesPtr, valuesPtr, n);
}

export function reset(h: u32): i32 {
  if (!isHistogram(h)) return ERR_BAD_HANDLE;
  resetHistogram(h);
  return STATUS_OK;
}

export function merge(dst: u32, src: u32): i32 {
  if (!isHistogram(dst) || !isHistogram(src)) return ERR_BAD_HANDLE;
  return mergeInto(dst, src);
}

export function count(h: u32): f64 {
  return isHistogram(h) ? <f64>load<u64>(h, H_TOTAL) : NaN;
}

export function zeroCount(h: u32): f64 {
  return isHistogram(h) ? <f64>load<u64>(h, H_ZEROS) : NaN;
}

export function min(h: u32): f64 {
  return isHistogram(h) ? load<f64>(h, H_MIN) : NaN;
}

export function max(h: u32): f64 {
  return isHistogram(h) ? load<f64>(h, H_MAX) : NaN;
}

export function sum(h: u32): f64 {
  if (!isHistogram(h)) return NaN;
  const n = load<u64>(h, H_TOTAL);
  return n == 0 ? 0 : load<f64>(h, H_K) * <f64>n + load<f64>(h, H_S1);
}

export function mean(h: u32): f64 {
  if (!isHistogram(h)) return NaN;
  const n = <f64>load<u64>(h, H_TOTAL);
  return n == 0 ? NaN : load<f64>(h, H_K) + load<f64>(h, H_S1) / n;
}

/** Population standard deviation. */
export function stddev(h: u32): f64 {
  if (!isHistogram(h)) return NaN;
  const n = <f64>load<u64>(h, H_TOTAL);
  if (n == 0) return NaN;
  const m = load<f64>(h, H_S1) / n;
  const v = load<f64>(h, H_S2) / n - m * m;
  return v > 0 ? Math.sqrt(v) : 0;
}

export function relativeError(h: u32): f64 {
  return isHistogram(h) ? load<f64>(h, H_RELERR) : NaN;
}

export function maxValue(h: u32): f64 {
  return isHistogram(h) ? load<f64>(h, H_MAXV) : NaN;
}

export function subBuckets(h: u32): i32 {
  return isHistogram(h) ? load<i32>(h, H_SUB) : ERR_BAD_HANDLE;
}

export function valueAtQuantile(h: u32, q: f64): f64 {
  return isHistogram(h) ? quantileOf(h, q) : NaN;
}

/** Replaces each of `len` quantiles at `qsPtr` (f64) with its value. */
export function quantiles(h: u32, qsPtr: u32, len: u32): i32 {
  if (!isHistogram(h)) return ERR_BAD_HANDLE;
  quantilesInPlace(h, qsPtr, len);
  return STATUS_OK;
}

/** Replaces each of `len` ascending boundaries at `boundsPtr` (f64) with the count of values below it. */
export function countsBelow(h: u32, boundsPtr: u32, len: u32): i32 {
  if (!isHistogram(h)) return ERR_BAD_HANDLE;
  return countsBelowInPlace(h, boundsPtr, len);
}

/** Bytes the histogram holds in linear memory (header and counts). */
export function footprint(h: u32): i32 {
  return isHistogram(h) ? <i32>footprintOf(h) : ERR_BAD_HANDLE;
}

export function serializeBound(h: u32): i32 {
  return isHistogram(h) ? <i32>serializedBound(h) : ERR_BAD_HANDLE;
}

/** Writes the histogram at `outPtr` (serializeBound bytes available) and returns the length. */
export function serialize(h: u32, outPtr: u32): i32 {
  return isHistogram(h) ? <i32>encode(h, outPtr) : ERR_BAD_HANDLE;
}

/** A new histogram from `len` serialized bytes at `bytesPtr`, or a negative status. */
export function deserialize(bytesPtr: u32, len: u32): i32 {
  return decode(bytesPtr, len);
}

/** Bytes handed out by the allocator and not freed (histograms and the I/O region). */
export function bytesInUse(): i32 {
  return <i32>heapBytesInUse();
}

/** High-water mark of the heap. */
export function heapTop(): i32 {
  return <i32>heapHighWater();
}
