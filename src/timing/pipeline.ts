/**
 * A core's pipeline model: how the engine prices instructions (DESIGN.md decision 3).
 *
 * Static part, at translation time: the engine walks a block's instructions in order and asks the model to price
 * each one given the pipeline state the previous one left (`price`). The state is a small integer the model defines
 * (0 = empty pipeline: after a taken branch, an exception entry or return, a reset). A block is translated once per
 * entry state (the state at its first instruction, CpuState.ps), and each exit stores the state after its last
 * instruction, so a block run whole and the same instructions single-stepped cost the same cycles.
 *
 * Run-time part: statements the model returns for taken and not-taken branches (refill, prediction) and divides,
 * which the engine pastes into the block; they may call the model's runtime object, reached as `tm`. They only add
 * cycles: they never throw and never read the time (clock.now()), so the engine does not record the instruction
 * index (CpuState.ip) before them.
 *
 * Memory costs (wait states, caches, unaligned accesses, write buffers) are not the pipeline's: src/mem/timing.ts.
 */
import type { Decoded } from '../isa/table.js';
import type { Clock, StallCause } from './clock.js';

export interface ExceptionCycles { entry: number; return: number; tailChain: number }

export interface PriceInput {
  d: Decoded;
  /** address of the instruction */
  addr: number;
  /** inside an IT block (executes conditionally) */
  conditional: boolean;
  /** the code comes from a window with wait states (a literal load competes with instruction fetch) */
  slowCode: boolean;
  /** read a halfword of code at translation time (a branch target's width); undefined where nothing is executable */
  fetch16(a: number): number | undefined;
}

export interface Priced {
  /** static cycles of the instruction at this place: base cost plus the static effects of its neighbours */
  cycles: number;
  /** the part of `cycles` that is a stall, by cause */
  stalls?: Partial<Record<StallCause, number>>;
  /** the pipeline state after the instruction, when execution goes on with the next one */
  state: number;
  /**
   * Cortex-M4: the instruction's memory access was priced as pipelined with the previous access; when at run time the
   * two accesses hit different 512 MB blocks of the memory map they do not pipeline and this many cycles are added
   * (STALL.memory)
   */
  pipelinedPenalty?: number;
}

export interface TimingEnv {
  clock: Clock;
  /** instruction fetch of a halfword without side effects (undefined where nothing is executable) */
  fetch16(a: number): number | undefined;
}

export interface PipelineModel {
  readonly name: string;
  readonly exceptions: ExceptionCycles;
  /** extra cycles of unaligned accesses: [halfword on an odd byte, word on a halfword boundary, word on an odd byte] */
  readonly unaligned: readonly [number, number, number];
  /** the same for stores, when they differ (the Cortex-M7's store buffer hides them); default `unaligned` */
  readonly unalignedStores?: readonly [number, number, number];
  /** price one instruction given the state before it */
  price(x: PriceInput, state: number): Priced;
  /**
   * JS statements run when the branch or PC write of `x` is taken, adding its cost (refill, mispredict) to `s.cycles`
   * and `s.stall[...]`. `target` is a JS expression of the target address (bit 0 clear), `known` its value when
   * known at translation time. `loop`: the branch is the back edge of a block that loops inside its function; there
   * the local `iter` counts the passes of this call before the current one, so `iter !== 0` means the branch was
   * taken at the end of the previous pass, with no other branch since.
   */
  taken(x: PriceInput, target: string, known: number | undefined, loop?: boolean): string;
  /** JS statements run when a conditional branch of `x` falls through ('' when that costs nothing dynamic) */
  notTaken(x: PriceInput, known: number | undefined): string;
  /** JS statements adding a divide's data-dependent cycles; `n`, `d` are JS expressions of the operands */
  divide(n: string, d: string, signed: boolean): string;
  /** the object generated code reaches as `tm`, one per machine */
  runtime(env: TimingEnv): unknown;
}
