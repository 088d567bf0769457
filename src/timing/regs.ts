/**
 * Which registers an instruction reads and writes, from its decoded fields: what the pipeline models need to see a
 * dependency between neighbours (a load's result used by the next instruction, a multiply's result, the flags a
 * conditional branch waits for).
 *
 * Masks: bit n (0-15) is Rn (13 SP, 14 LR, 15 PC); bit 16 (`FLAGS`) is the APSR's N, Z, C, V. The Q and GE bits are
 * not tracked (no instruction's timing depends on them). The PC is read by PC-relative forms (literal loads, ADR)
 * and written by every branch and PC load.
 *
 * Every decoded field has a role in `FIELD_ROLES` (checked over the whole instruction table by
 * test/unit/m7.test.ts); a few instructions need more than their fields say, listed in `regsRead`/`regsWritten`:
 * - BFI, BFC and MOVT keep part of Rd: they read it too;
 * - the accumulating long multiplies (SMLAL, UMLAL, UMAAL, SMLAL<x><y>, SMLALD, SMLSLD) read RdLo and RdHi,
 *   SMULL/UMULL only write them;
 * - Rt is written by loads and read by stores (the timing class says which);
 * - writeback (W = 1, the PUSH/POP and pre/post-indexed forms through their params) writes Rn; 16-bit LDM writes
 *   back when Rn is not in the list (ARMv7-M ARM A7.7.41);
 * - flags: written by S = 1, by the 16-bit `<s>` forms outside an IT block, by CMP/CMN/TST/TEQ and by MSR APSR_nzcvq;
 *   read by B<c> (cond field), by every instruction inside an IT block (it executes conditionally), by ADC/SBC, RRX
 *   (shift type 3 with amount 0) and MRS of an APSR view;
 * - branches (B, B<c>, BL, BX, BLX, CBZ/CBNZ, TBB/TBH) write the PC; BL and BLX also LR; ADR reads the PC;
 *   MRS/MSR of MSP, PSP and CONTROL read / write SP (the active stack pointer may be the one named).
 * Register lists go through the operand's kind (src/isa/table.ts operandValue), so POP {.., pc} includes bit 15.
 */
import { operandValue, type Decoded } from '../isa/table.js';
import type { TimingClass } from '../isa/types.js';

/** bit 16 of a mask: the N, Z, C, V flags */
export const FLAGS = 1 << 16;
export const PC_BIT = 1 << 15;
export const LR_BIT = 1 << 14;
export const SP_BIT = 1 << 13;

/**
 * What a decoded field means for register dependencies.
 * - read / written / readWritten: a register number read, written, or both (Rdn, Rdm);
 * - transfer: the data register of a load (written) or store (read);
 * - longAcc: RdLo/RdHi, written, and read by the accumulating long multiplies;
 * - list: a register list (LDM writes it, STM reads it);
 * - tie: a copy of another field (CLZ and REV hold Rm twice);
 * - setflags: the S bit; writeback: the W bit (writes Rn); condition: B<c>'s condition (reads the flags);
 * - none: an immediate, a shift, an option: no register.
 */
export type FieldRole =
  | 'read' | 'written' | 'readWritten' | 'transfer' | 'longAcc' | 'list' | 'tie'
  | 'setflags' | 'writeback' | 'condition' | 'none';

export const FIELD_ROLES: Readonly<Record<string, FieldRole>> = Object.freeze({
  Rm: 'read', Rn: 'read', Ra: 'read', Rs: 'read',
  Rd: 'written',
  Rdn: 'readWritten', Rdm: 'readWritten',
  Rt: 'transfer', Rt2: 'transfer',
  RdLo: 'longAcc', RdHi: 'longAcc',
  registers: 'list',
  Rm2: 'tie',
  S: 'setflags',
  W: 'writeback',
  cond: 'condition',
  // immediates, shifts and options
  imm: 'none', imm2: 'none', imm8: 'none', imm12: 'none', imm16: 'none', neg: 'none',
  sh: 'none', amt: 'none', rotate: 'none', sat_imm: 'none', lsb: 'none', widthm1: 'none', msb: 'none', tb: 'none',
  // parameters of the semantics: parallel add/sub operation and kind, subtract, doubling, halves, rounding
  op: 'none', kind: 'none', sub: 'none', dbl: 'none', N: 'none', M: 'none', R: 'none',
  // addressing: pre-index and add/subtract (writeback is W)
  P: 'none', U: 'none',
  // branches: target, CBNZ, TBH, IT's condition and mask (IT itself reads no flags: the instructions it covers do)
  label: 'none', nonzero: 'none', H: 'none', firstcond: 'none', mask: 'none',
  // barriers, special registers, CPS
  option: 'none', isb: 'none', SYSm: 'none', im: 'none', I: 'none', F: 'none',
});

const LOADS = new Set<TimingClass>(['ld', 'ldrd', 'ldex', 'ldm']);
const BRANCHES = new Set<TimingClass>(['b', 'bcc', 'bl', 'bx', 'cbz', 'tb']);
/** Rd is only partly written: the old value is read */
const RD_READ = new Set(['bfi', 'bfc', 'movt']);
/** long multiplies that do not accumulate */
const LONG_NO_ACC = new Set(['smull', 'umull']);
const COMPARES = new Set(['cmp', 'cmn', 'tst', 'teq']);

const bit = (r: number | undefined): number => (r === undefined ? 0 : 1 << (r & 15));

/** The full register list of an LDM/STM/PUSH/POP (the PC forms hold bit 15 in the operand's kind). */
export function registerList(d: Decoded): number {
  if (!d.entry || d.f.registers === undefined) return 0;
  return operandValue(d.entry, d.f, 'registers', 0) & 0xffff;
}

/** Does the instruction write back its base register? */
function writesBack(d: Decoded): boolean {
  const f = d.f;
  if (f.W === 1) return true;
  // LDM T1 (16-bit): writeback unless Rn is in the list (A7.7.41)
  return d.entry!.def.id === 'LDM_T1' && ((f.registers! >>> f.Rn!) & 1) === 0;
}

/** Does the instruction set the flags (as the engine decides setflags: the 16-bit `<s>` forms only outside IT)? */
export function setsFlags(d: Decoded, inIT = false): boolean {
  if (!d.entry) return false;
  const exec = d.entry.def.exec;
  if (COMPARES.has(exec)) return true;
  if (exec === 'msr') return d.f.SYSm! < 8 && (d.f.SYSm! & 4) === 0 && (d.f.mask! & 2) !== 0;
  if (d.entry.templates[0]!.itS) return !inIT;
  return d.f.S === 1;
}

/** Registers (and FLAGS) the instruction reads. `inIT`: it stands inside an IT block (so it reads the flags). */
export function regsRead(d: Decoded, inIT = false): number {
  if (!d.entry) return 0;
  const f = d.f;
  const cls = d.entry.def.timing;
  const exec = d.entry.def.exec;
  let m = 0;
  for (const name of Object.keys(f)) {
    switch (FIELD_ROLES[name]) {
      case 'read': case 'readWritten': m |= bit(f[name]); break;
      case 'transfer': if (!LOADS.has(cls)) m |= bit(f[name]); break;
      case 'longAcc': if (!LONG_NO_ACC.has(exec)) m |= bit(f[name]); break;
      case 'list': if (cls === 'stm') m |= registerList(d); break;
      case 'condition': m |= FLAGS; break;
      default: break;
    }
  }
  if (RD_READ.has(exec)) m |= bit(f.Rd);
  if (exec === 'adc' || exec === 'sbc') m |= FLAGS;
  if (f.sh === 3 && f.amt === 0) m |= FLAGS; // RRX: the carry in
  if (exec === 'adr') m |= PC_BIT;
  if (exec === 'mrs') {
    if (f.SYSm! < 8 && (f.SYSm! & 4) === 0) m |= FLAGS;
    if (f.SYSm === 8 || f.SYSm === 9) m |= SP_BIT;
  }
  if (inIT && exec !== 'it' && exec !== 'bkpt') m |= FLAGS;
  return m;
}

/** Registers (and FLAGS) the instruction writes. `inIT`: inside an IT block (the 16-bit `<s>` forms set no flags). */
export function regsWritten(d: Decoded, inIT = false): number {
  if (!d.entry) return 0;
  const f = d.f;
  const cls = d.entry.def.timing;
  const exec = d.entry.def.exec;
  let m = 0;
  for (const name of Object.keys(f)) {
    switch (FIELD_ROLES[name]) {
      case 'written': case 'readWritten': case 'longAcc': m |= bit(f[name]); break;
      case 'transfer': if (LOADS.has(cls)) m |= bit(f[name]); break;
      case 'list': if (cls === 'ldm') m |= registerList(d); break;
      default: break;
    }
  }
  if (f.Rn !== undefined && writesBack(d)) m |= bit(f.Rn);
  if (BRANCHES.has(cls)) m |= PC_BIT;
  if (cls === 'bl' || exec === 'blx') m |= LR_BIT;
  if (exec === 'msr' && (f.SYSm === 8 || f.SYSm === 9 || f.SYSm === 20)) m |= SP_BIT;
  if (setsFlags(d, inIT)) m |= FLAGS;
  return m;
}
