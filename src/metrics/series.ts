/**
 * One metric series (a name plus a label set) kept as histograms over time: the open 10-second
 * slot, the last six closed slots, per-minute merges of the last five minutes, and the total
 * since start. Only the open slot takes records; a slot is merged upward when the clock moves
 * past it, so recording costs one histogram call and windows are merged sub-histograms:
 *   - last minute:    the slots of the last 60 s (50 to 60 s of data, 10 s resolution)
 *   - last 5 minutes: the minutes of the last 5 (4 to 5 minutes of data, 1 min resolution)
 *   - since start:    the total plus the open slot.
 */
import { WasmError } from '../shared/wasm.ts';
import { createHistogram, type Histogram, type HistogramOptions } from './histogram.ts';

export const SLOT_MS = 10_000;
export const MINUTE_MS = 60_000;
const SLOTS_PER_MINUTE = MINUTE_MS / SLOT_MS;
const RECENT_SLOTS = SLOTS_PER_MINUTE;
const RECENT_MINUTES = 5;

export type Labels = Readonly<Record<string, string>>;

/** What the monitor knows of an agent; series labelled `agent` point to theirs. */
export interface AgentRecord {
  firstSeen: number;
  lastSeen: number;
  series: Series[];
  memoryBytes: number | null;
  cpuPercent: number | null;
}

/** A histogram and an error count covering one span of time. */
export interface Slot {
  readonly id: number;
  readonly h: Histogram;
  errors: number;
}

/** Which span of data a query covers. */
export type Window = 'total' | '1m' | '5m';

export class Series {
  readonly name: string;
  readonly labels: Labels;
  readonly unit: string;
  readonly key: string;
  readonly startedAt: number;
  #options: HistogramOptions;
  #open: Slot | undefined;
  #recent: Slot[] = [];
  #minutes: Slot[] = [];
  #total: Slot;
  lastRecordAt = 0;
  /** Records and errors since start (cheap totals, without merging). */
  count = 0;
  errors = 0;
  /** The `agent` label, when there is one, and the monitor's record of that agent. */
  readonly agent: string | undefined;
  agentRecord: AgentRecord | undefined;

  constructor(name: string, labels: Labels, unit: string, key: string, now: number, options: HistogramOptions) {
    this.name = name;
    this.labels = labels;
    this.unit = unit;
    this.key = key;
    this.startedAt = now;
    this.#options = options;
    this.agent = labels.agent;
    this.#total = { id: 0, h: createHistogram(options), errors: 0 };
  }

  /** The histogram of the open slot at time `now`, rotating older slots out first. */
  slot(now: number): Slot {
    const id = Math.floor(now / SLOT_MS);
    const open = this.#open;
    if (open && open.id === id) return open;
    if (open) this.#close(open);
    const fresh = { id, h: createHistogram(this.#options), errors: 0 };
    this.#open = fresh;
    return fresh;
  }

  record(value: number, error: boolean, now: number): void {
    let slot: Slot;
    try {
      slot = this.slot(now);
      slot.h.record(value);
    } catch (err) {
      if (!this.#recover(err)) throw err;
      slot = this.slot(now);
      slot.h.record(value);
    }
    this.count++;
    if (error) {
      slot.errors++;
      this.errors++;
    }
    this.lastRecordAt = now;
  }

  #close(slot: Slot): void {
    this.#total.h.merge(slot.h);
    this.#total.errors += slot.errors;
    const minuteId = Math.floor(slot.id / SLOTS_PER_MINUTE);
    let minute = this.#minutes.at(-1);
    if (!minute || minute.id !== minuteId) {
      minute = { id: minuteId, h: createHistogram(this.#options), errors: 0 };
      this.#minutes.push(minute);
      if (this.#minutes.length > RECENT_MINUTES) this.#minutes.shift()!.h.close();
    }
    minute.h.merge(slot.h);
    minute.errors += slot.errors;
    this.#recent.push(slot);
    if (this.#recent.length > RECENT_SLOTS) this.#recent.shift()!.h.close();
  }

  /**
   * A new histogram (the caller closes it) merging the data of `window` at time `now`, its error
   * count, and the time its data starts from.
   */
  snapshot(window: Window, now: number): { h: Histogram; errors: number; from: number } {
    try {
      return this.#snapshot(window, now);
    } catch (err) {
      if (!this.#recover(err)) throw err;
      return this.#snapshot(window, now);
    }
  }

  /**
   * After a WASM trap the instance holding this series' histograms is gone: start over with
   * empty histograms (the data is lost, the series keeps working). False for other errors.
   */
  #recover(err: unknown): boolean {
    if (!(err instanceof WasmError)) return false;
    this.close();
    this.#total = { id: 0, h: createHistogram(this.#options), errors: 0 };
    return true;
  }

  #snapshot(window: Window, now: number): { h: Histogram; errors: number; from: number } {
    const out = createHistogram(this.#options);
    let errors = 0;
    const add = (slot: Slot | undefined): void => {
      if (!slot) return;
      out.merge(slot.h);
      errors += slot.errors;
    };
    const slotNow = Math.floor(now / SLOT_MS);
    let from: number;
    if (window === 'total') {
      add(this.#total);
      add(this.#open);
      from = this.startedAt;
    } else if (window === '1m') {
      const oldest = slotNow - (RECENT_SLOTS - 1);
      for (const slot of this.#recent) if (slot.id >= oldest) add(slot);
      if (this.#open && this.#open.id >= oldest) add(this.#open);
      from = Math.max(this.startedAt, oldest * SLOT_MS);
    } else {
      const oldest = Math.floor(slotNow / SLOTS_PER_MINUTE) - (RECENT_MINUTES - 1);
      for (const minute of this.#minutes) if (minute.id >= oldest) add(minute);
      if (this.#open && Math.floor(this.#open.id / SLOTS_PER_MINUTE) >= oldest) add(this.#open);
      from = Math.max(this.startedAt, oldest * MINUTE_MS);
    }
    return { h: out, errors, from };
  }

  /** Bytes held by this series' histograms. */
  get footprint(): number {
    let bytes = this.#total.h.footprint + (this.#open?.h.footprint ?? 0);
    for (const s of this.#recent) bytes += s.h.footprint;
    for (const s of this.#minutes) bytes += s.h.footprint;
    return bytes;
  }

  /** Frees every histogram of this series. */
  close(): void {
    this.#total.h.close();
    this.#open?.h.close();
    for (const s of this.#recent) s.h.close();
    for (const s of this.#minutes) s.h.close();
    this.#open = undefined;
    this.#recent = [];
    this.#minutes = [];
  }
}
