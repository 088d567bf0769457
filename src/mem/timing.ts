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
export interface FetchMemo { v: number; first: number; n: number; e: Int32Array }
export function newFetchMemo(): FetchMemo { return { v: -1, first: -1, n: 0, e: new Int32Array(16) }; }

/** Timing of one bus window; either part may be absent. */
export interface WindowTiming {
  data?: DataTiming;
  fetch?: FetchTiming;
}

export type { Clock };
