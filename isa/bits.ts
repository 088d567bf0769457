/**
 * Saturate, bitfield, extend, pack, reverse and CLZ (ARMv7-M ARM A5.3.4 "plain binary immediate" for
 * SSAT/USAT/SBFX/UBFX/BFI/BFC, A5.3.11 for PKHBT/PKHTB, A5.3.12 "data processing (register)" for the extends,
 * A5.3.15 "miscellaneous operations" for REV/REV16/REVSH/RBIT/CLZ), with the instruction pages of A7.7.
 *
 * Where the manual says "if Rn == '1111' then SEE <plain extend>" (SXTAB and friends) or "if sh == '1' &&
 * imm3:imm2 == '00000' then SEE SSAT16" both forms have an entry and the more specific pattern wins.
 * The 16-bit extends and reverses (SXTB T1 ... REVSH T1) are in isa/dp.ts; their semantics are here.
 *
 * Architecture levels (checked with llvm-mc -mcpu=cortex-m3, which rejects them with "requires: dsp"):
 * SSAT16, USAT16, SXTAB, SXTAH, UXTAB, UXTAH, SXTB16, UXTB16, SXTAB16, UXTAB16, PKHBT and PKHTB are ARMv7E-M.
 */
import { e, badReg, unpred } from './util.js';
import type { Fields, IsaEntry } from '../src/isa/types.js';

const rdRn = unpred((f) => badReg(f.Rd) || badReg(f.Rn));
const rdRm = unpred((f) => badReg(f.Rd) || badReg(f.Rm));
/** the accumulating extends: Rn == 15 is the plain extend, Rn == 13 UNPREDICTABLE */
const rdRnRm = unpred((f) => badReg(f.Rd) || f.Rn === 13 || badReg(f.Rm));

/** SBFX/UBFX: BadReg(d) || BadReg(n), and msbit = lsbit + widthminus1 must be <= 31 (UNPREDICTABLE otherwise). */
const bfx = (f: Fields): string | false =>
  badReg(f.Rd) || badReg(f.Rn) ? 'register not allowed (SP or PC)'
    : f.lsb! + f.widthm1! > 31 ? 'lsb + width exceeds 32' : false;
/** BFI/BFC: msbit < lsbit is UNPREDICTABLE. */
const bfMsb = (f: Fields): string | false => (f.msb! < f.lsb! ? 'msb is below lsb' : false);

/**
 * Extends (A5.3.12): first halfword 11111 010 0 op1:3 Rn, second 1111 Rd 1 (0) rotate:2 Rm. op1: 000 SXTAH,
 * 001 UXTAH, 010 SXTAB16, 011 UXTAB16, 100 SXTAB, 101 UXTAB; Rn == 1111 gives the plain extend.
 * [mnemonic suffix, op1 of the signed form (the unsigned one has bit 0 set), is a dual-halfword (ARMv7E-M) form]
 */
const EXTENDS: [string, string, boolean][] = [
  ['h', '000', false], ['b16', '010', true], ['b', '100', false],
];
const ROT = '{, <rotate:ror>}';
const TAIL = '1111 Rd:4 1 (0) rotate:2 Rm:4';

const extend: IsaEntry[] = [];
for (const [sfx, op1s, is16] of EXTENDS) {
  for (const u of [0, 1]) {
    const op1 = op1s.slice(0, 2) + String(u);
    const mn = (u ? 'uxt' : 'sxt') + sfx;
    const amn = (u ? 'uxta' : 'sxta') + sfx;
    const exec = (u ? 'uxt' : 'sxt') + sfx;
    const aexec = (u ? 'uxta' : 'sxta') + sfx;
    // plain form: SXTB/SXTH/UXTB/UXTH are T2 (ARMv7-M), SXTB16/UXTB16 T1 (ARMv7E-M)
    extend.push(e(`${mn.toUpperCase()}_T${is16 ? 1 : 2}`, `11111 010 0 ${op1} 1111 ${TAIL}`, `${mn} <Rd>, <Rm>${ROT}`, exec,
      is16 ? 'dsp' : 'alu', is16 ? 'v7em' : 'v7m', { bad: rdRm }));
    extend.push(e(`${amn.toUpperCase()}_T1`, `11111 010 0 ${op1} Rn:4 ${TAIL}`, `${amn} <Rd>, <Rn>, <Rm>${ROT}`, aexec,
      'dsp', 'v7em', { bad: rdRnRm }));
  }
}

/** A5.3.15: 11111 010 1 0 op1:2 Rm | 1111 Rd 1 0 op2:2 Rm (Rm twice: Rm2 is the first-halfword copy). */
const misc = (id: string, op1: string, op2: string, mn: string): IsaEntry =>
  e(id, `11111 010 10 ${op1} Rm2:4 1111 Rd:4 10 ${op2} Rm:4`, `${mn} <Rd>, <Rm>`, mn, 'alu', 'v7m', { tie: { Rm2: 'Rm' }, bad: rdRm });

export const BITS: IsaEntry[] = [
  // ---- saturate (SSAT, SSAT16, USAT, USAT16)
  e('SSAT_T1', '11110 (0) 11 00 sh 0 Rn:4 0 amt[4:2] Rd:4 amt[1:0] (0) sat_imm:5',
    'ssat <Rd>, #<sat_imm:+1>, <Rn>{, <shift:satshift>}', 'ssat', 'alu', 'v7m', { bad: rdRn }),
  e('SSAT16_T1', '11110 (0) 11 00 1 0 Rn:4 0 000 Rd:4 00 (0) (0) sat_imm:4',
    'ssat16 <Rd>, #<sat_imm:+1>, <Rn>', 'ssat16', 'dsp', 'v7em', { bad: rdRn }),
  e('USAT_T1', '11110 (0) 11 10 sh 0 Rn:4 0 amt[4:2] Rd:4 amt[1:0] (0) sat_imm:5',
    'usat <Rd>, #<sat_imm>, <Rn>{, <shift:satshift>}', 'usat', 'alu', 'v7m', { bad: rdRn }),
  e('USAT16_T1', '11110 (0) 11 10 1 0 Rn:4 0 000 Rd:4 00 (0) (0) sat_imm:4',
    'usat16 <Rd>, #<sat_imm>, <Rn>', 'usat16', 'dsp', 'v7em', { bad: rdRn }),

  // ---- bitfields (SBFX, UBFX, BFI, BFC)
  e('SBFX_T1', '11110 (0) 11 0100 Rn:4 0 lsb[4:2] Rd:4 lsb[1:0] (0) widthm1:5',
    'sbfx <Rd>, <Rn>, #<lsb>, #<widthm1:+1>', 'sbfx', 'alu', 'v7m', { bad: bfx }),
  e('UBFX_T1', '11110 (0) 11 1100 Rn:4 0 lsb[4:2] Rd:4 lsb[1:0] (0) widthm1:5',
    'ubfx <Rd>, <Rn>, #<lsb>, #<widthm1:+1>', 'ubfx', 'alu', 'v7m', { bad: bfx }),
  e('BFI_T1', '11110 (0) 11 0110 Rn:4 0 lsb[4:2] Rd:4 lsb[1:0] (0) msb:5',
    'bfi <Rd>, <Rn>, #<lsb>, #<msb:bfw>', 'bfi', 'alu', 'v7m', {
      bad: (f) => (badReg(f.Rd) || f.Rn === 13 ? 'register not allowed (SP or PC)' : bfMsb(f)),
    }),
  e('BFC_T1', '11110 (0) 11 0110 1111 0 lsb[4:2] Rd:4 lsb[1:0] (0) msb:5',
    'bfc <Rd>, #<lsb>, #<msb:bfw>', 'bfc', 'alu', 'v7m', {
      bad: (f) => (badReg(f.Rd) ? 'register not allowed (SP or PC)' : bfMsb(f)),
    }),

  // ---- extends (SXTB, SXTH, SXTB16, SXTAB, SXTAH, SXTAB16 and the UXT* ones)
  ...extend,

  // ---- pack halfword: PKHBT LSL #0-31, PKHTB ASR #1-32 (amt 0 is ASR #32). `pkhtb Rd, Rn, Rm` without a shift
  // is the pseudo-instruction `pkhbt Rd, Rm, Rn` (second template; GNU as and llvm-mc do the same).
  e('PKHBT_T1', '11101 01 0110 0 Rn:4 (0) amt[4:2] Rd:4 amt[1:0] tb 0 Rm:4',
    ['pkh<bt|tb:tb> {<Rd>,} <Rn>, <Rm><amt:pkhsh>', 'pkhtb {<Rd>,} <Rm>, <Rn><amt:pkhswap>'], 'pkh', 'dsp', 'v7em', {
      bad: unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm)),
    }),

  // ---- reverse, CLZ
  misc('REV_T2', '01', '00', 'rev'),
  misc('REV16_T2', '01', '01', 'rev16'),
  misc('RBIT_T1', '01', '10', 'rbit'),
  misc('REVSH_T2', '01', '11', 'revsh'),
  misc('CLZ_T1', '11', '00', 'clz'),
];
