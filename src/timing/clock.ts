/**
 * The clock every timing part adds to: the core's cycle counter and the stall counters by cause.
 *
 * `cycles` is the total; each stall counter holds the part of it spent waiting for one reason, so
 * cycles - sum(stalls) is the cycles the pipeline issued instructions. The CpuState implements Clock.
 *
 * `now()` is the cycle at which the instruction currently executing started, also from inside a translated block
 * (whose static cycles are added at its exit): devices that read the time (DWT CYCCNT, SysTick, the simulator's
 * marker register) and timing models that need a timestamp (a write buffer) use it.
 */
export const STALL = {
  /** waiting for memory with wait states, outside any cache (flash without the accelerator, slow RAM, prefetch not ready) */
  waitStates: 0,
  /** taken-branch pipeline refill (Cortex-M4 P) or a mispredicted branch (Cortex-M7) */
  branch: 1,
  /** an instruction waiting for a load's result (Cortex-M7) */
  loadUse: 2,
  /** divide cycles beyond the first */
  divide: 3,
  /** line fills after a miss in a cache (ST ART, Cortex-M7 L1) */
  cacheMiss: 4,
  /** the extra bus cycles of unaligned accesses */
  unaligned: 5,
  /** a store waiting for the write buffer, a barrier draining it */
  storeBuffer: 6,
  /** exception entry, return and tail-chain */
  exception: 7,
  /** memory accesses that did not pipeline (Cortex-M4: different memory blocks, store then load) */
  memory: 8,
  /** results of multiplies not ready (Cortex-M7 MAC latency), resource conflicts that keep a pair from issuing */
  pipeline: 9,
} as const;
export type StallCause = keyof typeof STALL;
export const STALL_CAUSES = Object.keys(STALL) as StallCause[];
export const NSTALL = STALL_CAUSES.length;

export interface Clock {
  cycles: number;
  /** indexed by STALL */
  readonly stall: Float64Array;
  /** the cycle at which the current instruction started */
  now(): number;
}
