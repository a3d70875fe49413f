// Boundary of the codec module: flat exported verbs only (logic in encode.ts, decode.ts).
// JS and WASM exchange pointers and counts through the control block at `controlPtr()`
// (layout in control.ts); bulk data lives in the arena at `arenaPtr(bytes)`, which JS fills
// before a call. Reserving may grow memory, so JS rebuilds its views after it.

import { ensureMemory, heapStart } from '../shared/memory';
import { ERR_OUT_OF_MEMORY } from '../shared/status';
import { CONTROL_WORDS } from './control';
import { readFrame } from './decode';
import { buildFrame } from './encode';

@inline function control(): usize {
  return heapStart();
}

@inline function arena(): usize {
  return heapStart() + (<usize>CONTROL_WORDS << 2);
}

/** Address of the control block. */
export function controlPtr(): i32 {
  return <i32>control();
}

/** Address of an arena of at least `bytes` bytes (contents not kept), or a negative status. */
export function arenaPtr(bytes: u32): i32 {
  if (!ensureMemory(arena() + <usize>bytes)) return ERR_OUT_OF_MEMORY;
  return <i32>arena();
}

/** Encodes what the control block describes; returns the frame length or a negative status. */
export function encodeFrame(): i32 {
  return buildFrame(control());
}

/**
 * Validates the `len`-byte frame at the arena (JS copies at most the format's size limit) as
 * kind `kind` at validation `level` (decode.ts: 0 whole frame, no outputs; 1 whole frame and
 * every table for lazy reads; 2 all but the inside of payloads, routing tables only).
 * 0 or a negative status.
 */
export function decodeFrame(len: u32, kind: u32, level: u32): i32 {
  return readFrame(control(), arena(), <usize>len, kind, level);
}
