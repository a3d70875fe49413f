/**
 * Pure-TypeScript reference of the WASM log-linear histogram (`assembly/metrics/histogram.ts`):
 * the same buckets, the same octave-aligned window, the same rank rule, the same arithmetic in
 * the same order, and the same serialized bytes. It is the test oracle for the WASM module and
 * the benchmark baseline that shows what WASM buys. Counts are JS numbers (exact to 2^53).
 */
import { ValidationError } from '../shared/errors.ts';
import { HistogramError, invalidValue } from './errors.ts';
import {
  BATCH_SLICE,
  checkBatch,
  checkCount,
  checkQuantile,
  histogramJson,
  histogramOptions,
  rankOf,
  type Histogram,
  type HistogramJson,
  type HistogramOptions,
} from './histogram.ts';

const MIN_NORMAL = 2.2250738585072014e-308;
const HEADER_SIZE = 112;
const F = new Float64Array(1);
const W = new Uint32Array(F.buffer);

/** Sub-buckets per octave for a relative error: ceil((1/e - 1) / 2). */
export function subBucketsFor(relativeError: number): number {
  return Math.ceil((1.0 / relativeError - 1.0) / 2.0);
}

/** Bucket index of v >= 0: biasedExponent * s + floor(mantissa * s / 2^52), exactly. */
export function indexOf(v: number, s: number): number {
  F[0] = v;
  const hi = W[1];
  const a = (hi & 0xfffff) * s;
  const b = W[0] * s;
  return (hi >>> 20) * s + Math.floor((a + Math.floor(b / 4294967296)) / 1048576);
}

function powerOfTwo(biasedExponent: number): number {
  W[1] = biasedExponent << 20;
  W[0] = 0;
  return F[0];
}

/** The value reported for bucket idx (>= s): 2LU/(L+U). */
export function bucketValue(idx: number, s: number): number {
  const e = Math.floor(idx / s);
  const j = idx - e * s;
  const scale = powerOfTwo(e);
  const a = j / s;
  const b = (j + 1) / s;
  return scale * ((2.0 * (1.0 + a) * (1.0 + b)) / (2.0 + a + b));
}

/** The smallest value in bucket idx (>= s). */
export function bucketLowerBound(idx: number, s: number): number {
  const e = Math.floor(idx / s);
  const j = idx - e * s;
  return powerOfTwo(e) * (1.0 + j / s);
}

/** The reference histogram; see the module doc. */
export class ReferenceHistogram implements Histogram {
  readonly relativeError: number;
  readonly maxValue: number;
  readonly #s: number;
  readonly #top: number;
  #counts = new Float64Array(0);
  #lo = 0;
  #total = 0;
  #zeros = 0;
  #min = NaN;
  #max = NaN;
  #k = 0;
  #s1 = 0;
  #s2 = 0;

  constructor(options: HistogramOptions = {}) {
    const { relativeError, maxValue } = histogramOptions(options);
    this.relativeError = relativeError;
    this.maxValue = maxValue;
    this.#s = subBucketsFor(relativeError);
    this.#top = indexOf(maxValue, this.#s);
  }

  get count(): number {
    return this.#total;
  }
  get min(): number {
    return this.#min;
  }
  get max(): number {
    return this.#max;
  }
  get sum(): number {
    return this.#total === 0 ? 0 : this.#k * this.#total + this.#s1;
  }
  get mean(): number {
    return this.#total === 0 ? NaN : this.#k + this.#s1 / this.#total;
  }
  get stddev(): number {
    const n = this.#total;
    if (n === 0) return NaN;
    const m = this.#s1 / n;
    const v = this.#s2 / n - m * m;
    return v > 0 ? Math.sqrt(v) : 0;
  }
  /** The header the WASM histogram has plus 8 bytes per count in the window. */
  get footprint(): number {
    return HEADER_SIZE + this.#counts.byteLength;
  }

  #ensureRange(from: number, to: number): void {
    const s = this.#s;
    const cap = this.#counts.length;
    if (cap > 0 && from >= this.#lo && to < this.#lo + cap) return;
    let nlo = from - (from % s);
    let nhi = to - (to % s) + s;
    if (cap > 0) {
      nlo = Math.min(nlo, this.#lo);
      nhi = Math.max(nhi, this.#lo + cap);
    }
    nhi = Math.min(nhi, this.#top + 1);
    const next = new Float64Array(nhi - nlo);
    if (cap > 0) next.set(this.#counts, this.#lo - nlo);
    this.#counts = next;
    this.#lo = nlo;
  }

  #addStats(v: number, c: number): void {
    if (this.#total === 0) {
      this.#min = v;
      this.#max = v;
      this.#k = v;
    } else {
      if (v < this.#min) this.#min = v;
      if (v > this.#max) this.#max = v;
    }
    this.#total += c;
    const d = v - this.#k;
    this.#s1 += d * c;
    this.#s2 += d * d * c;
  }

  #add(v: number, c: number): void {
    const idx = indexOf(v, this.#s);
    if (idx >= this.#s) {
      this.#ensureRange(idx, idx);
      this.#counts[idx - this.#lo] += c;
    } else {
      this.#zeros += c;
    }
    this.#addStats(v, c);
  }

  record(value: number): void {
    if (typeof value !== 'number' || !(value >= 0 && value <= this.maxValue)) throw invalidValue(value, this.maxValue);
    this.#add(Math.abs(value), 1);
  }

  recordCount(value: number, count: number): void {
    if (typeof value !== 'number' || !(value >= 0 && value <= this.maxValue)) throw invalidValue(value, this.maxValue);
    if (checkCount(count) > 0) this.#add(Math.abs(value), count);
  }

  recordBatch(values: Float64Array | ArrayLike<number>): void {
    checkBatch(values, this.maxValue);
    for (let off = 0; off < values.length; off += BATCH_SLICE) {
      this.#recordSlice(values, off, Math.min(values.length, off + BATCH_SLICE));
    }
  }

  #recordSlice(values: ArrayLike<number>, from: number, to: number): void {
    const n = to - from;
    const k = this.#total === 0 ? Math.abs(values[from]) : this.#k;
    let lo = Infinity;
    let hi = -Infinity;
    let loPos = Infinity;
    // Accumulated onto the totals in order, so a batch equals recording its values one by one.
    let s1 = this.#s1;
    let s2 = this.#s2;
    for (let i = from; i < to; i++) {
      const v = Math.abs(values[i]);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      if (v >= MIN_NORMAL) loPos = Math.min(loPos, v);
      const d = v - k;
      s1 += d;
      s2 += d * d;
    }
    const s = this.#s;
    if (hi >= MIN_NORMAL) this.#ensureRange(indexOf(loPos, s), indexOf(hi, s));
    const counts = this.#counts;
    const base = this.#lo;
    let zeros = 0;
    for (let i = from; i < to; i++) {
      const idx = indexOf(Math.abs(values[i]), s);
      if (idx < s) zeros++;
      else counts[idx - base]++;
    }
    if (this.#total === 0) {
      this.#min = lo;
      this.#max = hi;
      this.#k = k;
    } else {
      this.#min = Math.min(lo, this.#min);
      this.#max = Math.max(hi, this.#max);
    }
    this.#total += n;
    this.#zeros += zeros;
    this.#s1 = s1;
    this.#s2 = s2;
  }

  #first(): number {
    const from = this.#min >= MIN_NORMAL ? indexOf(this.#min, this.#s) - this.#lo : 0;
    let off = from;
    while (off < this.#counts.length && this.#counts[off] === 0) off++;
    return off;
  }

  #last(): number {
    if (!(this.#max >= MIN_NORMAL)) return -1;
    let off = indexOf(this.#max, this.#s) - this.#lo;
    while (off >= 0 && this.#counts[off] === 0) off--;
    return off;
  }

  #valueAtRank(rank: number): number {
    const n = this.#total;
    const zeros = this.#zeros;
    if (rank < zeros || rank === 0) return this.#min;
    if (rank === n - 1) return this.#max;
    const s = this.#s;
    const lo = this.#lo;
    const counts = this.#counts;
    let off: number;
    if (rank - zeros < Math.floor((n - zeros) / 2)) {
      const from = this.#min >= MIN_NORMAL ? indexOf(this.#min, s) - lo : 0;
      const to = indexOf(this.#max, s) - lo + 1;
      let cum = zeros;
      off = to - 1;
      for (let i = from; i < to; i++) {
        cum += counts[i];
        if (cum > rank) {
          off = i;
          break;
        }
      }
    } else {
      const from = indexOf(this.#max, s) - lo;
      const to = this.#min >= MIN_NORMAL ? indexOf(this.#min, s) - lo - 1 : -1;
      const fromTop = n - 1 - rank;
      let cum = 0;
      off = to + 1;
      for (let i = from; i > to; i--) {
        cum += counts[i];
        if (cum > fromTop) {
          off = i;
          break;
        }
      }
    }
    const v = bucketValue(lo + off, s);
    return v < this.#min ? this.#min : v > this.#max ? this.#max : v;
  }

  valueAtQuantile(q: number): number {
    checkQuantile(q);
    return this.#total === 0 ? NaN : this.#valueAtRank(rankOf(q, this.#total));
  }

  quantiles(qs: ArrayLike<number>): Float64Array {
    const out = new Float64Array(qs.length);
    for (let i = 0; i < qs.length; i++) out[i] = this.valueAtQuantile(checkQuantile(qs[i], `qs[${i}]`));
    return out;
  }

  countsBelow(boundaries: ArrayLike<number>): Float64Array {
    const out = new Float64Array(boundaries.length);
    let off = 0;
    let cum = 0;
    for (let i = 0; i < boundaries.length; i++) {
      const b = boundaries[i];
      if (typeof b !== 'number' || Number.isNaN(b) || (i > 0 && b < boundaries[i - 1])) {
        throw new ValidationError('boundaries must be ascending numbers', `boundaries[${i}]`);
      }
      if (!(b > 0)) continue;
      const end = b >= Number.MAX_VALUE ? this.#counts.length : indexOf(b, this.#s) - this.#lo;
      while (off < end && off < this.#counts.length) cum += this.#counts[off++];
      out[i] = cum + this.#zeros;
    }
    return out;
  }

  merge(other: Histogram): this {
    const src = other instanceof ReferenceHistogram ? other : deserializeReferenceHistogram(other.serialize());
    if (src.#s !== this.#s) throw new HistogramError('histogram_mismatch', 'only histograms with the same relative error can be merged');
    const sn = src.#total;
    if (sn === 0) return this;
    if (src.#max > this.maxValue) throw new ValidationError(`a value is outside [0, ${this.maxValue}]`, 'value');
    const first = src.#first();
    const last = src.#last();
    const sCounts = src.#counts.slice();
    const { sLo, sMin, sMax, sZeros, sK, sS1, sS2 } = {
      sLo: src.#lo, sMin: src.#min, sMax: src.#max, sZeros: src.#zeros, sK: src.#k, sS1: src.#s1, sS2: src.#s2,
    };
    if (first <= last) {
      this.#ensureRange(sLo + first, sLo + last);
      const delta = sLo - this.#lo;
      for (let i = first; i <= last; i++) this.#counts[i + delta] += sCounts[i];
    }
    if (this.#total === 0) {
      this.#min = sMin;
      this.#max = sMax;
      this.#k = sK;
      this.#s1 = sS1;
      this.#s2 = sS2;
    } else {
      this.#min = Math.min(sMin, this.#min);
      this.#max = Math.max(sMax, this.#max);
      const delta = sK - this.#k;
      const w = sn;
      this.#s1 = this.#s1 + sS1 + w * delta;
      this.#s2 = this.#s2 + sS2 + 2.0 * delta * sS1 + w * delta * delta;
    }
    this.#total += sn;
    this.#zeros += sZeros;
    return this;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#zeros = 0;
    this.#min = NaN;
    this.#max = NaN;
    this.#k = 0;
    this.#s1 = 0;
    this.#s2 = 0;
  }

  serialize(): Uint8Array {
    const out = new ByteWriter();
    out.u8(0x48);
    out.u8(1);
    out.f64(this.relativeError);
    out.f64(this.maxValue);
    out.varint(this.#total);
    out.varint(this.#zeros);
    if (this.#total > 0) {
      for (const v of [this.#min, this.#max, this.#k, this.#s1, this.#s2]) out.f64(v);
    }
    if (this.#total > this.#zeros) {
      const first = this.#first();
      const last = this.#last();
      out.varint(this.#lo + first);
      out.varint(last - first + 1);
      let i = first;
      while (i <= last) {
        const c = this.#counts[i++];
        out.varint(c);
        if (c === 0) {
          let run = 0;
          while (this.#counts[i] === 0) {
            run++;
            i++;
          }
          out.varint(run);
        }
      }
    }
    return out.bytes();
  }

  toJSON(): HistogramJson {
    return histogramJson(this);
  }

  close(): void {
    this.#counts = new Float64Array(0);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Fills a fresh reference histogram from validated parts. */
  static fromParts(parts: Parts): ReferenceHistogram {
    const h = new ReferenceHistogram({ relativeError: parts.relativeError, maxValue: parts.maxValue });
    h.#total = parts.total;
    h.#zeros = parts.zeros;
    h.#min = parts.min;
    h.#max = parts.max;
    h.#k = parts.k;
    h.#s1 = parts.s1;
    h.#s2 = parts.s2;
    if (parts.counts.length > 0) {
      h.#ensureRange(parts.first, parts.first + parts.counts.length - 1);
      h.#counts.set(parts.counts, parts.first - h.#lo);
    }
    return h;
  }
}

interface Parts {
  relativeError: number;
  maxValue: number;
  total: number;
  zeros: number;
  min: number;
  max: number;
  k: number;
  s1: number;
  s2: number;
  first: number;
  counts: number[];
}

class ByteWriter {
  #buf = new Uint8Array(64);
  #view = new DataView(this.#buf.buffer);
  #len = 0;
  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf);
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.#room(1);
    this.#buf[this.#len++] = v;
  }
  f64(v: number): void {
    this.#room(8);
    this.#view.setFloat64(this.#len, v, true);
    this.#len += 8;
  }
  varint(v: number): void {
    this.#room(10);
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#len++] = v;
  }
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** A new reference histogram (same options as `createHistogram`). */
export function createReferenceHistogram(options: HistogramOptions = {}): ReferenceHistogram {
  return new ReferenceHistogram(options);
}

/** Decodes `serialize()` bytes of either implementation into a reference histogram. */
export function deserializeReferenceHistogram(bytes: Uint8Array): ReferenceHistogram {
  const corrupt = (): never => {
    throw new HistogramError('invalid_histogram', 'bytes are not a valid serialized histogram');
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const f64 = (): number => {
    if (p + 8 > bytes.length) corrupt();
    const v = view.getFloat64(p, true);
    p += 8;
    return v;
  };
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (p >= bytes.length) corrupt();
      const b = bytes[p++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
    return corrupt();
  };
  if (bytes.length < 2 || bytes[0] !== 0x48 || bytes[1] !== 1) corrupt();
  p = 2;
  const relativeError = f64();
  const maxValue = f64();
  const total = varint();
  const zeros = varint();
  if (!(relativeError >= 0.001 && relativeError <= 0.05) || !(maxValue >= MIN_NORMAL && maxValue <= Number.MAX_VALUE) || zeros > total) corrupt();
  const parts: Parts = { relativeError, maxValue, total, zeros, min: NaN, max: NaN, k: 0, s1: 0, s2: 0, first: 0, counts: [] };
  const s = subBucketsFor(relativeError);
  if (total > 0) {
    parts.min = f64();
    parts.max = f64();
    parts.k = f64();
    parts.s1 = f64();
    parts.s2 = f64();
    if (!(parts.min >= 0 && parts.min <= parts.max && parts.max <= maxValue)) corrupt();
    if (!Number.isFinite(parts.k) || !Number.isFinite(parts.s1) || !(parts.s2 >= 0 && Number.isFinite(parts.s2))) corrupt();
    if (zeros > 0 !== parts.min < MIN_NORMAL || total > zeros !== parts.max >= MIN_NORMAL) corrupt();
  }
  if (total > zeros) {
    parts.first = varint();
    const n = varint();
    if (n === 0 || parts.first < s || parts.first + n - 1 !== indexOf(parts.max, s)) corrupt();
    if (zeros === 0 && parts.first !== indexOf(parts.min, s)) corrupt();
    let sum = 0;
    while (parts.counts.length < n) {
      const c = varint();
      if (parts.counts.length === 0 && c === 0) corrupt();
      parts.counts.push(c);
      sum += c;
      if (c === 0) {
        const run = varint();
        if (run > n - parts.counts.length) corrupt();
        for (let i = 0; i < run; i++) parts.counts.push(0);
      }
    }
    if (parts.counts[n - 1] === 0 || sum !== total - zeros) corrupt();
  }
  if (p !== bytes.length) corrupt();
  return ReferenceHistogram.fromParts(parts);
}
