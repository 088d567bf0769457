/**
 * Branches, IT, CBZ/CBNZ, TBB/TBH: ARMv7-M ARM A5.2.5 (16-bit miscellaneous), A5.2.6 (conditional branch and
 * supervisor call), A5.3.4 (branches and miscellaneous control), with the pages of A7.7 (B A7.7.12, BL A7.7.18,
 * BLX (register) A7.7.19, BX A7.7.20, CBNZ/CBZ A7.7.21, IT A7.7.38, TBB/TBH A7.7.182).
 *
 * Branch targets are one field, `label`, holding the offset bits in the order the operand kind (src/isa/kinds.ts)
 * expects: b8/b11 the plain imm8/imm11, b20 = S:J2:J1:imm6:imm11 (B T3), b24 = S:J1:J2:imm10:imm11 (B T4, BL),
 * cb = i:imm5 (CBZ/CBNZ).
 */
import { e, badReg, unpred } from './util.js';
import type { IsaEntry } from '../src/isa/types.js';

const popcount4 = (x: number) => (x & 1) + ((x >>> 1) & 1) + ((x >>> 2) & 1) + ((x >>> 3) & 1);

export const BRANCH: IsaEntry[] = [
  // B T1: cond 1110 is UDF T1 and 1111 is SVC T1 (isa/system.ts), more specific entries.
  e('B_T1', '1101 cond:4 label:8', 'b<cond> <label:b8>', 'b', 'bcc', 'v6m', { it: 'outside' }),
  e('B_T2', '11100 label:11', 'b <label:b11>', 'b', 'b', 'v6m', { it: 'last' }),
  // B T3: cond<3:1> == '111' is the rest of "branches and miscellaneous control" (MSR, hints, barriers, MRS, or
  // UNDEFINED); the allocated ones are more specific entries in isa/system.ts.
  e('B_T3', '11110 label[19] cond:4 label[16:11] 10 label[17] 0 label[18] label[10:0]', 'b<cond> <label:b20>', 'b', 'bcc', 'v7m', {
    it: 'outside', bad: unpred((f) => f.cond! >= 14, 'UNDEFINED (cond 111x: branches and miscellaneous control)'),
  }),
  e('B_T4', '11110 label[23] label[20:11] 10 label[22] 1 label[21] label[10:0]', 'b <label:b24>', 'b', 'b', 'v7m', { it: 'last' }),
  e('BL_T1', '11110 label[23] label[20:11] 11 label[22] 1 label[21] label[10:0]', 'bl <label:b24>', 'bl', 'bl', 'v6m', { it: 'last' }),
  e('BX_T1', '010001110 Rm:4 (0) (0) (0)', 'bx <Rm>', 'bx', 'bx', 'v6m', { it: 'last' }),
  e('BLX_reg_T1', '010001111 Rm:4 (0) (0) (0)', 'blx <Rm>', 'blx', 'bx', 'v6m', { it: 'last', bad: unpred((f) => f.Rm === 15, 'Rm is PC') }),
  e('CBZ_T1', '1011 0 0 label[5] 1 label[4:0] Rn:3', 'cbz <Rn>, <label:cb>', 'cbz', 'cbz', 'v7m', { it: 'outside', params: { nonzero: 0 } }),
  e('CBNZ_T1', '1011 1 0 label[5] 1 label[4:0] Rn:3', 'cbnz <Rn>, <label:cb>', 'cbz', 'cbz', 'v7m', { it: 'outside', params: { nonzero: 1 } }),
  e('TBB_T1', '111010001101 Rn:4 (1) (1) (1) (1) (0) (0) (0) (0) 0000 Rm:4', 'tbb [<Rn>, <Rm>]', 'tb', 'tb', 'v7m', {
    it: 'last', params: { H: 0 }, bad: unpred((f) => f.Rn === 13 || badReg(f.Rm)),
  }),
  e('TBH_T1', '111010001101 Rn:4 (1) (1) (1) (1) (0) (0) (0) (0) 0001 Rm:4', 'tbh [<Rn>, <Rm>, <sh:lsl1>]', 'tb', 'tb', 'v7m', {
    it: 'last', params: { H: 1 }, bad: unpred((f) => f.Rn === 13 || badReg(f.Rm)),
  }),
  // IT: mask 0000 is the hint space (NOP, YIELD, ... in isa/system.ts). The engine computes ITSTATE from
  // firstcond and mask itself.
  e('IT_T1', '10111111 firstcond:4 mask:4', 'it<it> <firstcond:cond>', 'it', 'it', 'v7m', {
    it: 'outside',
    bad: (f) => (f.firstcond === 15 ? 'firstcond 1111'
      : f.firstcond === 14 && popcount4(f.mask!) !== 1 ? 'firstcond AL with an else slot (BitCount(mask) != 1)' : false),
  }),
];
