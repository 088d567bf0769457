/** multiply and divide (A5.3.16, A5.3.17) */
import { e, badReg, unpred } from './util.js';
import type { IsaEntry } from '../src/isa/types.js';

void e; void badReg; void unpred;
export const MUL: IsaEntry[] = [];
