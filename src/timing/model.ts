/**
 * The pipeline models the engine can price instructions with (src/timing/pipeline.ts), by core name:
 * Cortex-M4 (src/timing/m4.ts) and Cortex-M7 (src/timing/m7.ts), both from their core files in boards/cores/; and
 * `untimed`, one cycle per instruction with no pipeline or memory effects (instruction counting, and the baseline
 * `npm run bench` compares the full model's speed with).
 */
import type { ExceptionCycles, PipelineModel } from './pipeline.js';
import { cortexM4Model } from './m4.js';
import { cortexM7Model } from './m7.js';
import { CORTEX_M4_TIMING } from './cores.js';

export type { ExceptionCycles, PipelineModel };

const ex = CORTEX_M4_TIMING.exceptions;
/** Cortex-M4 without lazy FP stacking (reference/cortex-m-timing.md): entry 12, return 10, tail chain 6. */
export const EXCEPTION_CYCLES_M4: ExceptionCycles = { entry: ex.entry.value, return: ex.return.value, tailChain: ex.tailChain.value };

/** One cycle per instruction, nothing else: the simulator without its timing model. */
export const untimed: PipelineModel = {
  name: 'untimed',
  exceptions: { entry: 0, return: 0, tailChain: 0 },
  unaligned: [0, 0, 0],
  price: () => ({ cycles: 1, state: 0 }),
  taken: () => '',
  notTaken: () => '',
  divide: () => '',
  runtime: () => null,
};

let m4: PipelineModel | undefined;
let m7: PipelineModel | undefined;
/** The Cortex-M4 model with the shipped core file (one shared instance: models hold no run state). */
export function cortexM4(): PipelineModel { return (m4 ??= cortexM4Model()); }
/** The Cortex-M7 model with the shipped core file (its run state, the branch predictor, is per machine: runtime()). */
export function cortexM7(): PipelineModel { return (m7 ??= cortexM7Model()); }
/** The model of a core by name. */
export function modelOf(core: 'cortex-m4' | 'cortex-m7'): PipelineModel { return core === 'cortex-m7' ? cortexM7() : cortexM4(); }
