/** saturate, bitfield, extend, reverse, CLZ (A5.3.4 bitfield/saturate, A5.3.12 extends, A5.3.15 misc) */
import { e, badReg, unpred } from './util.js';
import type { IsaEntry } from '../src/isa/types.js';

void e; void badReg; void unpred;
export const BITS: IsaEntry[] = [];
