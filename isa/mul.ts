/**
 * Multiply and divide (ARMv7-M ARM A5.3.16 "multiply, multiply accumulate and absolute difference" and A5.3.17
 * "long multiply, long multiply accumulate and divide", with the instruction pages of A7.7: MUL, MLA, MLS, SMULL,
 * UMULL, SMLAL, UMLAL, UMAAL, SDIV, UDIV).
 * The 16-bit MUL T1 is in isa/dp.ts; MUL T2 shares its `mul` semantics.
 *
 * A5.3.16: 11111 0110 op1:3 Rn | Ra Rd op2:2 Rm   (MLA with Ra == 1111 is MUL, the more specific entry)
 * A5.3.17: 11111 0111 op1:3 Rn | RdLo RdHi op2:4 Rm
 */
import { e, badReg, unpred } from './util.js';
import type { Fields, IsaEntry } from '../src/isa/types.js';

const r3 = unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm));
/** long multiplies: BadReg on all four, and dHi == dLo UNPREDICTABLE */
const long = (f: Fields): string | false =>
  badReg(f.RdLo) || badReg(f.RdHi) || badReg(f.Rn) || badReg(f.Rm) ? 'register not allowed (SP or PC)'
    : f.RdLo === f.RdHi ? 'RdHi and RdLo are the same register' : false;
const LONG = (op1: string, op2: string) => `11111 0111 ${op1} Rn:4 RdLo:4 RdHi:4 ${op2} Rm:4`;
const LONG_SYN = (mn: string) => `${mn} <RdLo>, <RdHi>, <Rn>, <Rm>`;

export const MUL: IsaEntry[] = [
  // `mul rd, rm` is `mul rd, rm, rd` as GNU as and llvm-mc encode it (second template: the optional first
  // register copies the next one, so two operands give Rm = Rd)
  e('MUL_T2', '11111 0110 000 Rn:4 1111 Rd:4 0000 Rm:4', ['mul <Rd>, <Rn>, <Rm>', 'mul {<Rm>,} <Rd>, <Rn>'], 'mul', 'mul', 'v7m', { bad: r3 }),
  e('MLA_T1', '11111 0110 000 Rn:4 Ra:4 Rd:4 0000 Rm:4', 'mla <Rd>, <Rn>, <Rm>, <Ra>', 'mla', 'mul', 'v7m', {
    bad: unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm) || f.Ra === 13),
  }),
  e('MLS_T1', '11111 0110 000 Rn:4 Ra:4 Rd:4 0001 Rm:4', 'mls <Rd>, <Rn>, <Rm>, <Ra>', 'mls', 'mul', 'v7m', {
    bad: unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm) || badReg(f.Ra)),
  }),
  e('SMULL_T1', LONG('000', '0000'), LONG_SYN('smull'), 'smull', 'mull', 'v7m', { bad: long }),
  e('UMULL_T1', LONG('010', '0000'), LONG_SYN('umull'), 'umull', 'mull', 'v7m', { bad: long }),
  e('SMLAL_T1', LONG('100', '0000'), LONG_SYN('smlal'), 'smlal', 'mull', 'v7m', { bad: long }),
  e('UMLAL_T1', LONG('110', '0000'), LONG_SYN('umlal'), 'umlal', 'mull', 'v7m', { bad: long }),
  e('UMAAL_T1', LONG('110', '0110'), LONG_SYN('umaal'), 'umaal', 'mull', 'v7em', { bad: long }),
  e('SDIV_T1', '11111 0111 001 Rn:4 (1) (1) (1) (1) Rd:4 1111 Rm:4', 'sdiv {<Rd>,} <Rn>, <Rm>', 'sdiv', 'div', 'v7m', { bad: r3 }),
  e('UDIV_T1', '11111 0111 011 Rn:4 (1) (1) (1) (1) Rd:4 1111 Rm:4', 'udiv {<Rd>,} <Rn>, <Rm>', 'udiv', 'div', 'v7m', { bad: r3 }),
];
