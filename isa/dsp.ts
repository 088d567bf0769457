/** DSP extension: parallel add/subtract, SEL, USAD8, packing, saturating arithmetic, signed multiplies (A5.3.13-A5.3.17) */
import { e, badReg, unpred } from './util.js';
import type { IsaEntry } from '../src/isa/types.js';

void e; void badReg; void unpred;
export const DSP: IsaEntry[] = [];
