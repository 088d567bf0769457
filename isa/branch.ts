/** branches, IT, CBZ/CBNZ, TBB/TBH (A5.2.5, A5.3.4) */
import { e, badReg, unpred } from './util.js';
import type { IsaEntry } from '../src/isa/types.js';

void e; void badReg; void unpred;
export const BRANCH: IsaEntry[] = [];
