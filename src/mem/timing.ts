/**
 * Memory timing: the contract between the bus (src/mem/flat.ts), the engine and the models of wait states, the ST
 * flash accelerator (ART), the Cortex-M7 L1 caches and write buffers.
 *
 * Timing attaches to bus windows (Region objects, aliases included: the STM32F7's flash is reached through the ART at
 * 0x00200000 and through the AXI bus and L1 cache at 0x08000000, with different costs). A window with no timing costs
 * nothing beyond the core's own cycles (zero wait states: SRAM, TCM, the mps2 boards).
 *
 * - DataTiming: the bus calls read/write on every data access to the window (after the access rights check, before
 *   the access); the model adds its stall cycles to the clock (clock.cycles and clock.stall[cause]).
 * - FetchTiming: the engine calls fetch(start, end, cycles) at the start of every pass through a translated block
 *   whose instructions come from the window, with the block's byte span [start, end) and the static cycles the core
 *   spends executing it (so a prefetcher can tell how much time it had); the model adds the stall cycles of fetching
 *   those bytes (sequential fetch, prefetch, cache lookups) to the clock. A pass that follows a taken branch starts at
 *   a line the model did not fetch just before: the model tells sequential from branch targets by its own state.
 *
 * - Repeat passes: a block that runs again right after itself (a loop) fetches the same lines again; a model that
 *   exposes an `epoch` (FetchEpoch, the M7 L1 caches) lets the block skip the call when nothing changed since
 *   (FetchMemo.ok / rep).
 *
 * Both get the cycle the access happens at from clock.now().
 */
import type { Clock } from '../timing/clock.js';

export interface DataTiming {
  read(a: number, n: number): void;
  write(a: number, n: number): void;
}

export interface FetchTiming {
  /** `memo`: the block's (the engine always passes one); without it nothing is remembered */
  fetch(start: number, end: number, cycles: number, memo?: FetchMemo): void;
}

/**
 * One per translated block, for the fetch model's use: it may remember which cache entries held the block's lines
 * and the cache's content version then, so that a later pass whose lines are all still there replays the hits (their
 * replacement updates included) without looking them up. The engine only creates it.
 */
export interface FetchMemo {
  v: number; first: number; n: number; e: Int32Array;
  /**
   * Repeat passes (a model with an `epoch`, FetchEpoch): `ok` is the model's epoch right after a pass of this block
   * that hit in every line and changed nothing but hit counts and replacement order. While the model's epoch still
   * equals it (no fetch, fill, invalidation or switch since), another pass of the block is the same again: the
   * translated block counts it in `rep` instead of calling fetch, and the model adds the hits later (before anyone
   * reads its counters).
   */
  ok: number; rep: number;
}
export function newFetchMemo(): FetchMemo { return { v: -1, first: -1, n: 0, e: new Int32Array(16), ok: -1, rep: 0 }; }

/** A FetchTiming whose model keeps an epoch for FetchMemo.ok (the engine then skips the call on repeat passes). */
export interface FetchEpoch { readonly epoch: number }

/** Timing of one bus window; either part may be absent. */
export interface WindowTiming {
  data?: DataTiming;
  fetch?: FetchTiming;
}

export type { Clock };
