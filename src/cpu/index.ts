/**
 * All semantics generators by `exec` key, grouped like the ARMv7-M ARM's instruction chapters.
 */
import type { GenCtx } from '../exec/gen.js';
import { DP_GEN } from './dp.js';
import { BITS_GEN } from './bits.js';
import { MUL_GEN } from './mul.js';
import { DSP_GEN } from './dsp.js';
import { LDST_GEN } from './ldst.js';
import { BRANCH_GEN } from './branch.js';
import { SYSTEM_GEN } from './system.js';

export type Gen = (g: GenCtx) => string;

export const GENERATORS: Record<string, Gen> = { ...DP_GEN, ...BITS_GEN, ...MUL_GEN, ...DSP_GEN, ...LDST_GEN, ...BRANCH_GEN, ...SYSTEM_GEN };
