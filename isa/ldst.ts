/** loads and stores (A5.2.4, A5.3.5-A5.3.10) */
import { e, badReg, unpred } from './util.js';
import type { IsaEntry } from '../src/isa/types.js';

void e; void badReg; void unpred;
export const LDST: IsaEntry[] = [];
