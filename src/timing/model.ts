/**
 * The cycle model the engine prices instructions with. A model gives each decoded instruction its static cost
 * (summed per block at translation time) and the extra cost of a taken branch; costs that depend on data
 * (divide, wait states) are added at run time by the semantics and the bus.
 *
 * `cortexM4Basic` is the Cortex-M4 TRM table (reference: shared/reference/cortex-m-timing.md) without the
 * pipeline interactions between neighbours; the timing issue replaces it with the full per-core models.
 */
import { operandValue, type Decoded } from '../isa/table.js';
import type { TimingClass } from '../isa/types.js';

export interface CycleModel {
  name: string;
  /** static cycles of one instruction, not counting a taken branch's refill */
  cost(d: Decoded): number;
  /** cycles a taken branch adds (pipeline refill P) */
  taken(d: Decoded): number;
  /** exception entry, return and tail-chain cycles (the exception model); default EXCEPTION_CYCLES_M4 */
  exceptions?: ExceptionCycles;
}

export interface ExceptionCycles { entry: number; return: number; tailChain: number }
/** Cortex-M4 without lazy FP stacking (reference/cortex-m-timing.md): entry 12, return 10, tail chain 6. */
export const EXCEPTION_CYCLES_M4: ExceptionCycles = { entry: 12, return: 10, tailChain: 6 };

function popcount16(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

const M4: Record<TimingClass, number> = {
  alu: 1, mul: 1, mac: 1, mull: 1, div: 0, dsp: 1,
  ld: 2, st: 1, st_reg: 2, ldrd: 3, strd: 3, ldm: 1, stm: 1, ldex: 2, stex: 2, pld: 1,
  b: 1, bcc: 1, bl: 1, bx: 1, cbz: 1, tb: 2, it: 1,
  sys: 1, nop: 1, wfx: 1, barrier: 1, svc: 1, bkpt: 1, udf: 1,
};

export const cortexM4Basic: CycleModel = {
  name: 'cortex-m4 (TRM base costs)',
  cost(d) {
    if (!d.entry) return 1;
    const cls = d.entry.def.timing;
    if ((cls === 'ldm' || cls === 'stm') && d.f.registers !== undefined) {
      // through the operand's kind: the PC forms hold bit 15 in the kind, not the field
      return 1 + popcount16(operandValue(d.entry, d.f, 'registers', 0));
    }
    return M4[cls];
  },
  taken: () => 1,
  exceptions: EXCEPTION_CYCLES_M4,
};
