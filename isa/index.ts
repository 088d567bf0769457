/**
 * The instruction set as data: every ARMv7-M / ARMv7E-M Thumb encoding this simulator knows, except floating
 * point and coprocessor ones. One file per group of the ARMv7-M ARM's Thumb encoding chapter (A5).
 */
import type { IsaEntry } from '../src/isa/types.js';
import { DP } from './dp.js';
import { BITS } from './bits.js';
import { MUL } from './mul.js';
import { DSP } from './dsp.js';
import { LDST } from './ldst.js';
import { BRANCH } from './branch.js';
import { SYSTEM } from './system.js';

export const ENTRIES: IsaEntry[] = [...DP, ...BITS, ...MUL, ...DSP, ...LDST, ...BRANCH, ...SYSTEM];
