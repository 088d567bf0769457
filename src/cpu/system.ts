/**
 * System semantics: hints, barriers, CLREX, MRS/MSR (ARMv7-M ARM B5.2.2, B5.2.3), CPS (B5.2.1), SVC, BKPT, UDF.
 *
 * Special registers are read and written as the B5.2 pseudocode says: unprivileged code reads 0 from MSP, PSP,
 * PRIMASK, BASEPRI and FAULTMASK and cannot write them or CONTROL; EPSR reads as zero and is never written;
 * APSR's GE bits are read and written because the Cortex-M4 and M7 have the DSP extension. SYSm is known when
 * translating, so each MRS/MSR becomes straight-line code for its one register. MSR and CPS end the block: what
 * they change (masks, the active stack pointer, privilege) matters to what follows.
 *
 * Not modelled: CONTROL.FPCA (no floating point), the number of implemented priority bits (BASEPRI keeps all 8).
 */
import type { GenCtx } from '../exec/gen.js';
import type { Gen } from './index.js';

/** The value MRS reads for SYSm, as an int32 expression. */
function mrsValue(sysm: number): string {
  if (sysm < 8) {
    const parts: string[] = [];
    if (sysm & 1) parts.push('(s.ipsr&511)');      // IPSR<8:0>
    // SYSm<1>: EPSR reads as zero
    if (!(sysm & 4)) parts.push('(s.apsr&0xf80f0000)'); // APSR<31:27> and GE[3:0]
    return parts.length ? `(${parts.join('|')})` : '0';
  }
  switch (sysm) {
    case 8: return '(s.privileged?s.msp:0)';
    case 9: return '(s.privileged?s.psp:0)';
    case 16: return '(s.privileged?s.primask&1:0)';
    case 17: case 18: return '(s.privileged?s.basepri&255:0)';
    case 19: return '(s.privileged?s.faultmask&1:0)';
    case 20: return '(s.control&3)';
    default: throw new Error(`internal: MRS with reserved SYSm ${sysm}`);
  }
}

/** The statements MSR executes for SYSm and mask with the source value in local `v`. */
function msrCode(sysm: number, mask: number, v: string): string {
  if (sysm < 8) {
    if (sysm & 4) return ''; // IPSR and EPSR ignore writes
    let c = '';
    if (mask & 1) c += `s.ge=(${v}>>>16)&15;`;
    if (mask & 2) c += `s.n=(${v}>>>31)&1;s.z=(${v}>>>30)&1;s.c=(${v}>>>29)&1;s.v=(${v}>>>28)&1;s.q=(${v}>>>27)&1;`;
    return c;
  }
  switch (sysm) {
    case 8: return `if(s.privileged)s.msp=${v};`;
    case 9: return `if(s.privileged)s.psp=${v};`;
    case 16: return `if(s.privileged)s.primask=${v}&1;`;
    case 17: return `if(s.privileged)s.basepri=${v}&255;`;
    // BASEPRI_MAX: only raises the priority boost (a smaller non-zero value), never lowers it
    case 18: return `if(s.privileged&&(${v}&255)!==0&&((${v}&255)<s.basepri||s.basepri===0))s.basepri=${v}&255;`;
    case 19: return `if(s.privileged&&rt.faultmaskWritable(s))s.faultmask=${v}&1;`;
    // CONTROL: nPRIV always (when privileged), SPSEL only in Thread mode; setControl swaps SP when SPSEL changes
    case 20: return `if(s.privileged)s.setControl(s.handlerMode?(${v}&1)|(s.control&2):${v}&3);`;
    default: throw new Error(`internal: MSR with reserved SYSm ${sysm}`);
  }
}

const trap = (kind: string, imm: number) => `throw rt.trap('${kind}',${imm});`;

export const SYSTEM_GEN: Record<string, Gen> = {
  /** NOP, YIELD, DBG and the unallocated hints (which execute as NOP). */
  nop: () => '',
  /** WFI: stop the machine (no interrupt can wake it yet). */
  wfi: () => trap('wfi', 0),
  /** WFE: consume a pending event, else stop the machine. */
  wfe: () => `if(s.event===1){s.event=0;}else{${trap('wfe', 0)}}`,
  sev: () => 's.event=1;',
  /** DMB, DSB: no reordering to order in this model. ISB ends the block (context synchronization). */
  barrier: (g: GenCtx) => { if (g.f.isb) g.endBlock(); return ''; },
  clrex: () => 's.exclusive=-1;',
  mrs: (g) => g.wr(g.f.Rd!, `${mrsValue(g.f.SYSm!)}|0`),
  msr: (g) => {
    g.endBlock();
    const v = g.tmp('v');
    return `const ${v}=${g.r(g.f.Rn!)};` + msrCode(g.f.SYSm!, g.f.mask!, v);
  },
  /** CPSIE/CPSID: ignored when unprivileged; setting FAULTMASK needs ExecutionPriority() > -1. */
  cps: (g) => {
    g.endBlock();
    let c = '';
    if (g.f.im) {
      if (g.f.I) c += 's.primask=1;';
      if (g.f.F) c += 'if(rt.faultmaskWritable(s))s.faultmask=1;';
    } else {
      if (g.f.I) c += 's.primask=0;';
      if (g.f.F) c += 's.faultmask=0;';
    }
    return `if(s.privileged){${c}}`;
  },
  svc: (g) => trap('svc', g.f.imm8!),
  bkpt: (g) => trap('bkpt', g.f.imm8!),
  udf: (g) => {
    const imm = g.f.imm8 ?? g.f.imm16!;
    return `throw rt.undef(${JSON.stringify(`UDF #${imm}: permanently undefined instruction`)});`;
  },
};
