/**
 * The Cortex-M4 pipeline model: the TRM cycle table and its neighbour rules (reference/cortex-m-timing.md,
 * "Cortex-M4"), with every number read from boards/cores/cortex-m4.json (src/timing/cores.ts).
 *
 * Static, per instruction at translation time (`price`):
 * - the class's base cost; LDM/STM/PUSH/POP 1 + N (N registers);
 * - IT folding: an IT costs nothing after a 16-bit instruction (not at a block's first instruction after a branch);
 * - load pipelining: a single load or register-offset store right after a single load overlaps its address phase
 *   with the previous data phase and costs `pipelinedAccessCycles` (1) instead of 2, except when its address
 *   registers use the previous load's destination, when it is a 32-bit load on an odd halfword, or when the previous
 *   access was a store, LDRD/STRD, LDM/STM or an exclusive; whether the two accesses hit the same 512 MB block of the
 *   memory map is known only at run time: the engine adds the difference back when they do not (`pipelinedPenalty`);
 * - a single load right after a store waits `storeThenLoadPenalty` (1) for the store's data phase (STALL.memory);
 * - a literal load (LDR Rt, [PC, #imm]) from code in a window with wait states competes with the instruction fetch:
 *   `literalLoadPenalty` (STALL.memory).
 * Run time: a taken branch costs the refill P: `refill` (1), or `refillWide32OddHalfword` (2) when the target is a
 * 32-bit instruction on an odd halfword (decided at translation time for direct branches, by `tm.refill(t)` for
 * BX / POP PC / LDR PC / MOV PC); a divide the fitted formula (2..12 cycles: rt.divCycles with the json's numbers).
 *
 * The state after an instruction (CpuState.ps between blocks) says what kind of instruction it was, its width and a
 * load's destination register: `kind | wide << 3 | rt << 4`, 0 after a taken branch.
 */
import { is32, operandValue, type Decoded } from '../isa/table.js';
import type { TimingClass } from '../isa/types.js';
import { CORTEX_M4_TIMING, type M4CoreTiming } from './cores.js';
import { STALL } from './clock.js';
import type { PipelineModel, PriceInput, Priced, TimingEnv } from './pipeline.js';

/** the kinds of instruction the next one's cost depends on */
const K = { none: 0, other: 1, load: 2, store: 3, storeReg: 4, multiple: 5 } as const;

function popcount16(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/** the registers in an LDM/STM/PUSH/POP list, through the operand's kind (the PC forms hold bit 15 in the kind) */
export function registerCount(d: Decoded): number {
  return popcount16(operandValue(d.entry!, d.f, 'registers', 0));
}

/** LDM/STM forms priced as multiples even when their list has one register (LDR/STR Rt, [sp], #4 forms are ld/st) */
const MULTIPLE: ReadonlySet<TimingClass> = new Set(['ldrd', 'strd', 'ldm', 'stm', 'ldex', 'stex']);

export interface M4Runtime {
  /** the refill P of a taken branch to `t` (bit 0 clear) */
  refill(t: number): number;
}

export function cortexM4Model(core: M4CoreTiming = CORTEX_M4_TIMING): PipelineModel {
  const p = core.pipeline;
  const cost = (c: TimingClass) => core.costs[c].cycles;
  const P = p.refill.value, Pwide = p.refillWide32OddHalfword.value;
  const pipelined = p.pipelinedAccessCycles.value;
  const refillAt = (fetch16: (a: number) => number | undefined, t: number): number => {
    if ((t & 2) === 0) return P;
    const hw = fetch16(t);
    return hw !== undefined && is32(hw) ? Pwide : P;
  };
  const ex = core.exceptions;
  const dz = p.divideZero.value, ds = p.divideShort.value, db = p.divideBase.value, dbits = p.divideBitsPerCycle.value;
  const dmin = p.divideMin.value, dmax = p.divideMax.value;
  return {
    name: 'cortex-m4',
    exceptions: { entry: ex.entry.value, return: ex.return.value, tailChain: ex.tailChain.value },
    unaligned: [p.unalignedHalfwordOddByte.value, p.unalignedWordHalfword.value, p.unalignedWordOddByte.value],

    price(x: PriceInput, state: number): Priced {
      const d = x.d, e = d.entry!;
      const cls = e.def.timing;
      const prevKind = state & 7, prevWide = (state >>> 3) & 1, prevRt = (state >>> 4) & 15;
      const wide = d.size === 4 ? 1 : 0;
      let cycles = cost(cls);
      let kind: number = K.other;
      let rt = 0;
      const stalls: Priced['stalls'] = {};
      let pipelinedPenalty: number | undefined;
      if (cls === 'ldm' || cls === 'stm') {
        cycles = p.ldmStmBase.value + p.ldmStmPerRegister.value * registerCount(d);
      }
      if (MULTIPLE.has(cls)) kind = K.multiple;
      else if (cls === 'it') {
        // folded onto a preceding 16-bit instruction (not after a taken branch: nothing precedes it in the pipeline)
        const folds = p.itFolding.value && prevKind !== K.none && (!p.itFoldsOnlyAfter16Bit.value || prevWide === 0);
        if (folds) cycles = p.itFoldedCycles.value;
      } else if (cls === 'ld' || cls === 'st' || cls === 'st_reg') {
        const f = d.f;
        const addrRegs = (1 << (f.Rn ?? 15)) | (f.Rm !== undefined ? 1 << f.Rm : 0);
        if (cls === 'ld') { kind = K.load; rt = f.Rt ?? 0; } else kind = cls === 'st' ? K.store : K.storeReg;
        if (prevKind === K.load && p.neighbouringLoadsPipeline.value) {
          const dependent = p.noPipelineWhenAddressUsesLoadResult.value && (addrRegs & (1 << prevRt)) !== 0;
          const oddWide = cls === 'ld' && wide === 1 && (x.addr & 2) !== 0 && p.wide32LoadOnOddHalfwordMayNotPipeline.value;
          if (!dependent && !oddWide && cycles > pipelined) {
            pipelinedPenalty = cycles - pipelined;
            cycles = pipelined;
          }
        } else if (cls === 'ld' && (prevKind === K.store || prevKind === K.storeReg)) {
          const n = p.storeThenLoadPenalty.value;
          cycles += n; stalls.memory = n;
        }
        if (cls === 'ld' && f.Rn === 15 && x.slowCode) {
          const n = p.literalLoadPenalty.value;
          cycles += n; stalls.memory = (stalls.memory ?? 0) + n;
        }
      }
      const out: Priced = { cycles, state: kind | (wide << 3) | (rt << 4) };
      if (stalls.memory !== undefined) out.stalls = stalls;
      if (pipelinedPenalty !== undefined) out.pipelinedPenalty = pipelinedPenalty;
      return out;
    },

    taken(x: PriceInput, target: string, known: number | undefined): string {
      if (known !== undefined) {
        const n = refillAt(x.fetch16, known >>> 0);
        return `s.cycles+=${n};s.stall[${STALL.branch}]+=${n};`;
      }
      return `{const P=tm.refill(${target});s.cycles+=P;s.stall[${STALL.branch}]+=P;}`;
    },
    notTaken: () => '',
    divide(n: string, d: string, signed: boolean): string {
      // the class's base cost is static; the rest is the divider's
      return `{const dc=rt.divCycles(${n},${d},${signed},${dz},${ds},${db},${dbits},${dmin},${dmax})-${cost('div')};s.cycles+=dc;s.stall[${STALL.divide}]+=dc;}`;
    },
    runtime(env: TimingEnv): M4Runtime {
      return { refill: (t: number) => refillAt(env.fetch16, t >>> 0) };
    },
  };
}
