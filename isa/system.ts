/**
 * System instructions: hints (NOP, YIELD, WFE, WFI, SEV, DBG and the unallocated hints), barriers (DMB, DSB, ISB),
 * CLREX, MRS/MSR (B5.2.2, B5.2.3), CPS (B5.2.1), SVC, BKPT, UDF. ARMv7-M ARM A5.2.5 (16-bit miscellaneous:
 * If-Then and hints), A5.2.6 (SVC, UDF), A5.3.4 (branches and miscellaneous control: hints, miscellaneous
 * control, MSR, MRS, permanently UNDEFINED).
 *
 * Unallocated hints execute as NOP (A5.2.5 and A5.3.4: "unallocated hint ... executes as NOP"); they are printed
 * `hint #n` (`hint.w #n` for the 32-bit form) as llvm-mc prints them, and every allocated hint is also accepted
 * as `hint #n` with its number (DBG #o is hint 0xf0 + o).
 */
import { e, badReg, unpred } from './util.js';
import type { Fields, IsaEntry } from '../src/isa/types.js';

/** SYSm values MRS and MSR accept (B5.2.2/B5.2.3): APSR..XPSR, IPSR..IEPSR, MSP, PSP, PRIMASK..CONTROL. */
export const validSysm = (s: number): boolean => (s >= 0 && s <= 3) || (s >= 5 && s <= 9) || (s >= 16 && s <= 20);

const H16 = (n: number) => `10111111 ${n.toString(2).padStart(4, '0')} 0000`;
/** 32-bit hint: op1 (hw2[10:8]) must be 000 in ARMv7-M; there is no CPS.W. */
const H32 = (hint: string) => `11110 0 1110 1 0 (1) (1) (1) (1) 10 (0) 0 (0) 000 ${hint}`;
const HINT_NAMES = ['nop', 'yield', 'wfe', 'wfi', 'sev'] as const;
const HINT_EXEC = { nop: 'nop', yield: 'nop', wfe: 'wfe', wfi: 'wfi', sev: 'sev' } as const;
const HINT_TIMING = { nop: 'nop', yield: 'nop', wfe: 'wfx', wfi: 'wfx', sev: 'nop' } as const;

/** Miscellaneous control (A5.3.4): hw1 F3BF, op in hw2[7:4]. */
const MISC = (op: string, option: string) => `11110 0 1110 1 1 (1) (1) (1) (1) 10 (0) 0 (1) (1) (1) (1) ${op} ${option}`;

const msrBad = (f: Fields): string | false => {
  if (f.mask === 0) return 'mask 00';
  if (f.mask !== 2 && f.SYSm! > 3) return 'mask other than nzcvq for a register that is not an APSR view';
  if (badReg(f.Rn)) return 'register not allowed (SP or PC)';
  if (!validSysm(f.SYSm!)) return `reserved special register ${f.SYSm}`;
  return false;
};

export const SYSTEM: IsaEntry[] = [
  // ---- hints, 16-bit (A5.2.5: If-Then and hints, opB == 0000)
  ...HINT_NAMES.map((mn, n) =>
    e(`${mn.toUpperCase()}_T1`, H16(n), [mn, `hint #<${n}:fixed>`], HINT_EXEC[mn], HINT_TIMING[mn], 'v6m')),
  e('HINT_T1', '10111111 imm:4 0000', 'hint #<imm>', 'nop', 'nop', 'v6m'),
  // ---- hints, 32-bit (A5.3.4: change processor state and hints, op1 == 000)
  ...HINT_NAMES.map((mn, n) =>
    e(`${mn.toUpperCase()}_T2`, H32(n.toString(2).padStart(8, '0')), [mn, `hint #<${n}:fixed>`], HINT_EXEC[mn], HINT_TIMING[mn], 'v7m')),
  e('DBG_T1', H32('1111 option:4'), ['dbg #<option>', 'hint #<option:+240>'], 'nop', 'nop', 'v7m'),
  e('HINT_T2', H32('imm:8'), 'hint #<imm>', 'nop', 'nop', 'v7m'),

  // ---- barriers and CLREX (A5.3.4: miscellaneous control instructions)
  e('CLREX_T1', MISC('0010', '(1) (1) (1) (1)'), 'clrex', 'clrex', 'sys', 'v7m'),
  e('DSB_T1', MISC('0100', 'option:4'), 'dsb {<option:barrier>}', 'barrier', 'barrier', 'v6m'),
  e('DMB_T1', MISC('0101', 'option:4'), 'dmb {<option:barrier>}', 'barrier', 'barrier', 'v6m'),
  e('ISB_T1', MISC('0110', 'option:4'), 'isb {<option:barrier>}', 'barrier', 'barrier', 'v6m', { params: { isb: 1 } }),

  // ---- special registers (B5.2.2, B5.2.3) and CPS (B5.2.1)
  e('MRS_T1', '11110 0 1111 1 (0) (1) (1) (1) (1) 10 (0) 0 Rd:4 SYSm:8', 'mrs <Rd>, <spec:sysm>', 'mrs', 'sys', 'v6m', {
    bad: (f) => (badReg(f.Rd) ? 'register not allowed (SP or PC)' : !validSysm(f.SYSm!) ? `reserved special register ${f.SYSm}` : false),
  }),
  e('MSR_T1', '11110 0 1110 0 (0) Rn:4 10 (0) 0 mask:2 (0) (0) SYSm:8', 'msr <spec:msr>, <Rn>', 'msr', 'sys', 'v6m', { bad: msrBad }),
  e('CPS_T1', '1011 0110 011 im (0) (0) I F', 'cps<ie|id:im> <iflags:iflags>', 'cps', 'sys', 'v6m', {
    it: 'outside', bad: unpred((f) => !f.I && !f.F, 'neither I nor F'),
  }),

  // ---- exception-generating (A5.2.5, A5.2.6, A5.3.4)
  e('SVC_T1', '11011111 imm8:8', ['svc #<imm8>', 'swi #<imm8>'], 'svc', 'svc', 'v6m'),
  // BKPT is unconditional, also inside an IT block (A7.7.17).
  e('BKPT_T1', '10111110 imm8:8', 'bkpt {#<imm8>}', 'bkpt', 'bkpt', 'v6m'),
  e('UDF_T1', '11011110 imm8:8', 'udf #<imm8>', 'udf', 'udf', 'v6m'),
  // `udf #imm` above 255 is the 32-bit form without .w, as GNU as takes it (llvm-mc wants `udf.w`)
  e('UDF_T2', '111101111111 imm16[15:12] 1010 imm16[11:0]', 'udf #<imm16>', 'udf', 'udf', 'v7m'),
];
