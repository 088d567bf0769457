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
import type { WindowStat } from './waits.js';

export interface DataTiming {
  read(a: number, n: number): void;
  write(a: number, n: number): void;
}

export interface FetchTiming {
  /** `memo`: the block's (the engine always passes one); without it nothing is remembered */
  fetch(start: number, end: number, cycles: number, memo?: FetchMemo): void;
  /**
   * The statement a translated block runs at the start of every pass instead of `call` (the fetch call itself), when
   * the model has shortcuts for some passes: JavaScript over `s` (the clock: s.cycles, s.stall), `ft` (this object)
   * and `fm` (the block's FetchMemo) that handles the passes it can and runs `call` for the others. A shortcut must
   * leave exactly the clock, counters and model state the call would (once the model settles).
   */
  prologue?(call: string): string;
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
   * after which another pass of the same block, with nothing else on the instruction side in between, costs the same
   * and leaves the same state (a fixed point: all hits, or a constant stall). While the model's epoch still equals
   * `ok`, the translated block counts such a pass in `rep` (and the cycle it started at in `t`), adds the constant
   * stall `k` of cause `c` itself, and skips the call; the model adds the rest (hits `h` per pass, the window's stall
   * counters in `w`, its own state as of the last pass) when anything else touches its instruction side or its
   * counters are read (settle).
   */
  ok: number; rep: number; t: number; k: number; c: number; h: number;
  /** the window counters the stall `k` goes to */
  w: WindowStat | null;
  /** ART: the line, numerator and bytes the last pass delivers (-1: none) */
  dl: number; dn: number; db: number;
  /**
   * Lazy passes (SetAssocCache.pend): passes counted but not yet applied to the cache's replacement stamps and hits,
   * and the replacement clock value the last one's last line took
   */
  lp: number; lt: number;
}
export function newFetchMemo(): FetchMemo {
  return { v: -1, first: -1, n: 0, e: new Int32Array(16), ok: -1, rep: 0, t: 0, k: 0, c: 0, h: 0, w: null, dl: -1, dn: 0, db: 1, lp: 0, lt: 0 };
}

/** Make `memo` count repeat passes while `epoch` lasts (see FetchMemo). */
export function armRepeat(memo: FetchMemo, epoch: number, k: number, cause: number, hits: number, w: WindowStat | null): void {
  memo.ok = epoch; memo.rep = 0; memo.k = k; memo.c = cause; memo.h = hits; memo.w = w; memo.dl = -1;
}

export interface FetchEpoch { readonly epoch: number }

/**
 * The prologue (FetchTiming.prologue) of a model with an epoch: a pass that repeats a fixed-point pass of the block
 * (FetchMemo.ok equal to the model's epoch) only counts itself and adds the constant stall; any other runs `call`.
 */
export function repeatPass(call: string): string {
  return `if(fm.ok===ft.epoch){fm.rep++;fm.t=s.cycles;if(fm.k!==0){s.cycles+=fm.k;s.stall[fm.c]+=fm.k;}}else ${call}`;
}

/** Timing of one bus window; either part may be absent. */
export interface WindowTiming {
  data?: DataTiming;
  fetch?: FetchTiming;
}

export type { Clock };
