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
 * - Shortcuts: a model may give the engine a prologue (FetchTiming.prologue) that handles some passes in the block's
 *   own code: lazy passes, whose lines are all known cache hits (the L1 I-cache, the ART), and the L1's uncached
 *   spans.
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
  /**
   * The statement a translated block over [start, end) runs at the start of every pass instead of `call` (the fetch
   * call itself), when the model has shortcuts for some passes: JavaScript over `s` (the clock: s.cycles, s.stall),
   * `ft` (this object) and `fm` (the block's FetchMemo) that handles the passes it can and runs `call` for the others.
   * A shortcut must leave exactly the clock, counters and model state the call would (once the model settles).
   */
  prologue?(start: number, end: number, cycles: number, call: string): string;
}

/**
 * One per translated block, for the fetch model's use: it may remember which cache entries held the block's lines
 * (`e`, lines first .. first + n - 1) and the cache's content version then (`v`), so that a later pass whose lines
 * are all still there (the version unchanged) replays the hits without looking them up, or, from the block's prologue,
 * runs as a lazy pass. The engine only creates it.
 */
export interface FetchMemo {
  v: number; first: number; n: number; e: Int32Array;
  /**
   * Lazy passes (SetAssocCache.pend): passes counted but not yet applied to the cache's replacement stamps and hits,
   * and the replacement clock value the last one's last line took
   */
  lp: number; lt: number;
  /** ART: the memo of the block's lines but the first, for passes that start in the current line (null: none yet) */
  sub: FetchMemo | null;
}
export function newFetchMemo(): FetchMemo {
  return { v: -1, first: -1, n: 0, e: new Int32Array(16), lp: 0, lt: 0, sub: null };
}

/**
 * The statements of a lazy pass of memo `m` (a JavaScript expression naming it) over its `n` lines of cache `c` (an
 * expression): take n replacement stamps and count the pass (SetAssocCache.pend, applied at the cache's next flush).
 */
export function lazyPass(m: string, c: string, n: number): string {
  // right after a lazy pass of the same memo (its stamps the last the cache gave, and still pending) the lines are the
  // n most recent in this order already: new stamps would change no victim, counting the pass is all
  return `{const ic_=${c};if(${m}.lt===ic_.time&&${m}.lp!==0)${m}.lp++;else{${m}.lt=ic_.time+=${n};if(${m}.lp++===0)ic_.pend.push(${m});}}`;
}

/** Timing of one bus window; either part may be absent. */
export interface WindowTiming {
  data?: DataTiming;
  fetch?: FetchTiming;
}

export type { Clock };
