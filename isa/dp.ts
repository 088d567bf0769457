/**
 * Data processing: ARMv7-M ARM A5.2.1-A5.2.3 (16-bit), A5.3.1-A5.3.3 and A5.3.11 (32-bit), with the
 * instruction pages of A7.7. Ids: NAME_form_Tn as the manual numbers the encodings.
 */
import { e, badReg, unpred } from './util.js';
import { thumbImmValid } from '../src/isa/kinds.js';
import type { Fields, IsaEntry } from '../src/isa/types.js';

const SH = '(0) amt[4:2] Rd:4 amt[1:0] sh:2 Rm:4'; // shifted-register tail (Rd form)
const IMM = '0 imm12[10:8] Rd:4 imm12[7:0]';         // modified-immediate tail
const PIMM = '0 imm[10:8] Rd:4 imm[7:0]';            // plain 12-bit immediate tail

/** Two- and three-operand spellings of a 16-bit `op <Rdn>, <Rm>` instruction; `comm` adds `op <Rdn>, <Rm>, <Rdn>`. */
const rdn = (mn: string, comm = false) => [`${mn} <Rdn>, <Rm>`, `${mn} <Rdn>, <Rdn>, <Rm>`, ...(comm ? [`${mn} <Rdn>, <Rm>, <Rdn>`] : [])];

/**
 * 32-bit logical/arithmetic with modified immediate and shifted register (A5.3.1, A5.3.11). `alias`: the
 * complementary instruction's spelling this immediate form also takes (as GNU as does): `sub ... #-n` is
 * `add ... #n` (kind nconst), `bic ... #~n` is `and ... #n` (kind iconst).
 */
function dp32(immId: string, regId: string, op: string, exec: string, kind: 'log' | 'add' | 'plain', alias?: [string, 'nconst' | 'iconst']): IsaEntry[] {
  const rn = (f: Fields) => (kind === 'log' ? badReg(f.Rn) : f.Rn === 15);
  const rd = (f: Fields) => (kind === 'plain' ? badReg(f.Rd) : f.Rd === 13 || (f.Rd === 15 && !f.S));
  const rnP = (f: Fields) => (kind === 'plain' ? badReg(f.Rn) : rn(f));
  return [
    e(immId, `11110 imm12[11] 0 ${op} S Rn:4 ${IMM}`, [`${exec}{s} {<Rd>,} <Rn>, #<imm12:const>`, ...(alias ? [`${alias[0]}{s} {<Rd>,} <Rn>, #<imm12:${alias[1]}>`] : [])], exec, 'alu', 'v7m', { bad: unpred((f) => rd(f) || rnP(f)) }),
    e(regId, `11101 01 ${op} S Rn:4 ${SH}`, `${exec}{s} {<Rd>,} <Rn>, <Rm>{, <shift>}`, exec, 'alu', 'v7m', { bad: unpred((f) => rd(f) || rnP(f) || badReg(f.Rm)) }),
  ];
}

const LIST: IsaEntry[] = [
  // ---- 16-bit: shift (immediate), add, subtract, move, compare (A5.2.1)
  e('MOV_reg_T2', '0000000000 Rm:3 Rd:3', ['movs <Rd>, <Rm>', 'lsls <Rd>, <Rm>, #<amt:zero>'], 'mov', 'alu', 'v6m', { params: { sh: 0, amt: 0, S: 1 }, it: 'outside' }),
  e('LSL_imm_T1', '00000 amt:5 Rm:3 Rd:3', ['lsl<s> {<Rd>,} <Rm>, #<amt>', 'mov<s> <Rd>, <Rm>, lsl #<amt>'], 'mov', 'alu', 'v6m', { params: { sh: 0 } }),
  e('LSR_imm_T1', '00001 amt:5 Rm:3 Rd:3', ['lsr<s> {<Rd>,} <Rm>, #<amt:sh32>', 'mov<s> <Rd>, <Rm>, lsr #<amt:sh32>'], 'mov', 'alu', 'v6m', { params: { sh: 1 } }),
  e('ASR_imm_T1', '00010 amt:5 Rm:3 Rd:3', ['asr<s> {<Rd>,} <Rm>, #<amt:sh32>', 'mov<s> <Rd>, <Rm>, asr #<amt:sh32>'], 'mov', 'alu', 'v6m', { params: { sh: 2 } }),
  e('ADD_reg_T1', '0001100 Rm:3 Rn:3 Rd:3', ['add<s> {<Rd>,} <Rn>, <Rm>'], 'add', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('SUB_reg_T1', '0001101 Rm:3 Rn:3 Rd:3', 'sub<s> {<Rd>,} <Rn>, <Rm>', 'sub', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  // T2 before T1: for ADDS/SUBS Rd, Rd, #imm3 GNU as chooses T2 (the assembler tries entries in table order)
  e('ADD_imm_T2', '00110 Rdn:3 imm:8', ['add<s> <Rdn>, #<imm>', 'add<s> <Rdn>, <Rdn>, #<imm>', 'sub<s> <Rdn>, #<imm:nimm>', 'sub<s> <Rdn>, <Rdn>, #<imm:nimm>'], 'add', 'alu', 'v6m'),
  e('SUB_imm_T2', '00111 Rdn:3 imm:8', ['sub<s> <Rdn>, #<imm>', 'sub<s> <Rdn>, <Rdn>, #<imm>', 'add<s> <Rdn>, #<imm:nimm>', 'add<s> <Rdn>, <Rdn>, #<imm:nimm>'], 'sub', 'alu', 'v6m'),
  e('ADD_imm_T1', '0001110 imm:3 Rn:3 Rd:3', ['add<s> <Rd>, <Rn>, #<imm>', 'sub<s> <Rd>, <Rn>, #<imm:nimm>'], 'add', 'alu', 'v6m'),
  e('SUB_imm_T1', '0001111 imm:3 Rn:3 Rd:3', ['sub<s> <Rd>, <Rn>, #<imm>', 'add<s> <Rd>, <Rn>, #<imm:nimm>'], 'sub', 'alu', 'v6m'),
  e('MOV_imm_T1', '00100 Rd:3 imm:8', 'mov<s> <Rd>, #<imm>', 'mov', 'alu', 'v6m'),
  e('CMP_imm_T1', '00101 Rn:3 imm:8', 'cmp <Rn>, #<imm>', 'cmp', 'alu', 'v6m'),

  // ---- 16-bit data processing (A5.2.2)
  e('AND_reg_T1', '0100000000 Rm:3 Rdn:3', rdn('and<s>', true), 'and', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('EOR_reg_T1', '0100000001 Rm:3 Rdn:3', rdn('eor<s>', true), 'eor', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('LSL_reg_T1', '0100000010 Rm:3 Rdn:3', [...rdn('lsl<s>'), 'mov<s> <Rdn>, <Rdn>, <Rm:lslreg>'], 'shreg', 'alu', 'v6m', { params: { sh: 0 } }),
  e('LSR_reg_T1', '0100000011 Rm:3 Rdn:3', [...rdn('lsr<s>'), 'mov<s> <Rdn>, <Rdn>, <Rm:lsrreg>'], 'shreg', 'alu', 'v6m', { params: { sh: 1 } }),
  e('ASR_reg_T1', '0100000100 Rm:3 Rdn:3', [...rdn('asr<s>'), 'mov<s> <Rdn>, <Rdn>, <Rm:asrreg>'], 'shreg', 'alu', 'v6m', { params: { sh: 2 } }),
  e('ADC_reg_T1', '0100000101 Rm:3 Rdn:3', rdn('adc<s>', true), 'adc', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('SBC_reg_T1', '0100000110 Rm:3 Rdn:3', rdn('sbc<s>'), 'sbc', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('ROR_reg_T1', '0100000111 Rm:3 Rdn:3', [...rdn('ror<s>'), 'mov<s> <Rdn>, <Rdn>, <Rm:rorreg>'], 'shreg', 'alu', 'v6m', { params: { sh: 3 } }),
  e('TST_reg_T1', '0100001000 Rm:3 Rn:3', 'tst <Rn>, <Rm>', 'tst', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('RSB_imm_T1', '0100001001 Rn:3 Rd:3', ['rsb<s> <Rd>, <Rn>, #<imm:zero>', 'neg<s> <Rd>, <Rn>'], 'rsb', 'alu', 'v6m'),
  e('CMP_reg_T1', '0100001010 Rm:3 Rn:3', 'cmp <Rn>, <Rm>', 'cmp', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('CMN_reg_T1', '0100001011 Rm:3 Rn:3', 'cmn <Rn>, <Rm>', 'cmn', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('ORR_reg_T1', '0100001100 Rm:3 Rdn:3', rdn('orr<s>', true), 'orr', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('MUL_T1', '0100001101 Rn:3 Rdm:3', ['mul<s> <Rdm>, <Rn>, <Rdm>', 'mul<s> <Rdm>, <Rn>', 'mul<s> <Rdm>, <Rdm>, <Rn>'], 'mul', 'mul', 'v6m'),
  e('BIC_reg_T1', '0100001110 Rm:3 Rdn:3', rdn('bic<s>'), 'bic', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),
  e('MVN_reg_T1', '0100001111 Rm:3 Rd:3', 'mvn<s> <Rd>, <Rm>', 'mvn', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),

  // ---- 16-bit special data processing (A5.2.3)
  e('ADD_reg_T2', '01000100 Rdn[3] Rm:4 Rdn[2:0]', ['add <Rdn>, <Rm>', 'add <Rdn>, <Rdn>, <Rm>', 'add <Rdn>, <Rm>, <Rdn>'], 'add', 'alu', 'v6m', {
    params: { sh: 0, amt: 0 }, bad: unpred((f) => f.Rdn === 15 && f.Rm === 15, 'both operands PC'),
  }),
  e('ADD_SP_reg_T1', '01000100 Rdm[3] 1101 Rdm[2:0]', ['add <Rdm>, sp, <Rdm>', 'add <Rdm>, sp', 'add <Rdm>, <Rdm>, sp'], 'add', 'alu', 'v6m', { params: { Rn: 13, sh: 0, amt: 0 } }),
  // "if Rm == '1101' then SEE encoding T1" (A7.7.6): 0x44ED is T1's `add sp, sp, sp`
  { ...e('ADD_SP_reg_T2', '01000100 1 Rm:4 101', ['add sp, <Rm>', 'add sp, sp, <Rm>'], 'add', 'alu', 'v6m', { params: { Rd: 13, Rn: 13, sh: 0, amt: 0 } }), see: (f: Fields) => f.Rm === 13 },
  e('CMP_reg_T2', '01000101 Rn[3] Rm:4 Rn[2:0]', 'cmp <Rn>, <Rm>', 'cmp', 'alu', 'v6m', {
    params: { sh: 0, amt: 0 }, bad: unpred((f) => (f.Rn! < 8 && f.Rm! < 8) || f.Rn === 15 || f.Rm === 15),
  }),
  e('MOV_reg_T1', '01000110 Rd[3] Rm:4 Rd[2:0]', 'mov <Rd>, <Rm>', 'mov', 'alu', 'v6m', { params: { sh: 0, amt: 0 } }),

  // ---- 16-bit: PC- and SP-relative addresses, SP adjust, extend, reverse (A5.2.5)
  e('ADR_T1', '10100 Rd:3 imm:8', ['adr <Rd>, <imm:adr8>', 'add <Rd>, pc, #<imm:u*4>'], 'adr', 'alu', 'v6m'),
  e('ADD_SP_imm_T1', '10101 Rd:3 imm:8', ['add <Rd>, sp, #<imm:u*4>'], 'add', 'alu', 'v6m', { params: { Rn: 13 } }),
  e('ADD_SP_imm_T2', '101100000 imm:7', ['add sp, #<imm:u*4>', 'add sp, sp, #<imm:u*4>', 'sub sp, #<imm:nimm*4>', 'sub sp, sp, #<imm:nimm*4>'], 'add', 'alu', 'v6m', { params: { Rd: 13, Rn: 13 } }),
  e('SUB_SP_imm_T1', '101100001 imm:7', ['sub sp, #<imm:u*4>', 'sub sp, sp, #<imm:u*4>', 'add sp, #<imm:nimm*4>', 'add sp, sp, #<imm:nimm*4>'], 'sub', 'alu', 'v6m', { params: { Rd: 13, Rn: 13 } }),
  e('SXTH_T1', '1011001000 Rm:3 Rd:3', ['sxth <Rd>, <Rm>', 'sxth <Rd>, <Rm>, ror #<rotate:zero>'], 'sxth', 'alu', 'v6m', { params: { rotate: 0 } }),
  e('SXTB_T1', '1011001001 Rm:3 Rd:3', ['sxtb <Rd>, <Rm>', 'sxtb <Rd>, <Rm>, ror #<rotate:zero>'], 'sxtb', 'alu', 'v6m', { params: { rotate: 0 } }),
  e('UXTH_T1', '1011001010 Rm:3 Rd:3', ['uxth <Rd>, <Rm>', 'uxth <Rd>, <Rm>, ror #<rotate:zero>'], 'uxth', 'alu', 'v6m', { params: { rotate: 0 } }),
  e('UXTB_T1', '1011001011 Rm:3 Rd:3', ['uxtb <Rd>, <Rm>', 'uxtb <Rd>, <Rm>, ror #<rotate:zero>'], 'uxtb', 'alu', 'v6m', { params: { rotate: 0 } }),
  e('REV_T1', '1011101000 Rm:3 Rd:3', 'rev <Rd>, <Rm>', 'rev', 'alu', 'v6m'),
  e('REV16_T1', '1011101001 Rm:3 Rd:3', 'rev16 <Rd>, <Rm>', 'rev16', 'alu', 'v6m'),
  e('REVSH_T1', '1011101011 Rm:3 Rd:3', 'revsh <Rd>, <Rm>', 'revsh', 'alu', 'v6m'),

  // ---- 32-bit, modified immediate and shifted register (A5.3.1, A5.3.11)
  ...dp32('AND_imm_T1', 'AND_reg_T2', '0000', 'and', 'log', ['bic', 'iconst']),
  ...dp32('BIC_imm_T1', 'BIC_reg_T2', '0001', 'bic', 'plain', ['and', 'iconst']),
  ...dp32('EOR_imm_T1', 'EOR_reg_T2', '0100', 'eor', 'log'),
  ...dp32('ADD_imm_T3', 'ADD_reg_T3', '1000', 'add', 'add', ['sub', 'nconst']),
  ...dp32('ADC_imm_T1', 'ADC_reg_T2', '1010', 'adc', 'plain', ['sbc', 'iconst']),
  ...dp32('SBC_imm_T1', 'SBC_reg_T2', '1011', 'sbc', 'plain', ['adc', 'iconst']),
  ...dp32('SUB_imm_T3', 'SUB_reg_T2', '1101', 'sub', 'add', ['add', 'nconst']),
  ...dp32('RSB_imm_T2', 'RSB_reg_T1', '1110', 'rsb', 'plain').map((x) => (x.id === 'RSB_imm_T2' ? { ...x, syntax: [...(x.syntax as string[]), 'neg{s} <Rd>, <Rn><imm12:is0>'] } : x)),
  e('ORR_imm_T1', `11110 imm12[11] 0 0010 S Rn:4 ${IMM}`, ['orr{s} {<Rd>,} <Rn>, #<imm12:const>', 'orn{s} {<Rd>,} <Rn>, #<imm12:iconst>'], 'orr', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd) || f.Rn === 13) }),
  e('ORR_reg_T2', `11101 01 0010 S Rn:4 ${SH}`, 'orr{s} {<Rd>,} <Rn>, <Rm>{, <shift>}', 'orr', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd) || f.Rn === 13 || badReg(f.Rm)) }),
  e('ORN_imm_T1', `11110 imm12[11] 0 0011 S Rn:4 ${IMM}`, ['orn{s} {<Rd>,} <Rn>, #<imm12:const>', 'orr{s} {<Rd>,} <Rn>, #<imm12:iconst>'], 'orn', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd) || f.Rn === 13) }),
  e('ORN_reg_T1', `11101 01 0011 S Rn:4 ${SH}`, 'orn{s} {<Rd>,} <Rn>, <Rm>{, <shift>}', 'orn', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd) || f.Rn === 13 || badReg(f.Rm)) }),
  e('MOV_imm_T2', `11110 imm12[11] 0 0010 S 1111 ${IMM}`, ['mov{s} <Rd>, #<imm12:const>', 'mvn{s} <Rd>, #<imm12:iconst>'], 'mov', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd)) }),
  e('MVN_imm_T1', `11110 imm12[11] 0 0011 S 1111 ${IMM}`, ['mvn{s} <Rd>, #<imm12:const>', 'mov{s} <Rd>, #<imm12:iconst>'], 'mvn', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd)) }),
  e('MVN_reg_T2', `11101 01 0011 S 1111 ${SH}`, 'mvn{s} <Rd>, <Rm>{, <shift>}', 'mvn', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd) || badReg(f.Rm)) }),
  e('TST_imm_T1', `11110 imm12[11] 0 0000 1 Rn:4 0 imm12[10:8] 1111 imm12[7:0]`, 'tst <Rn>, #<imm12:const>', 'tst', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rn)) }),
  e('TST_reg_T2', '11101 01 0000 1 Rn:4 (0) amt[4:2] 1111 amt[1:0] sh:2 Rm:4', 'tst <Rn>, <Rm>{, <shift>}', 'tst', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rn) || badReg(f.Rm)) }),
  e('TEQ_imm_T1', `11110 imm12[11] 0 0100 1 Rn:4 0 imm12[10:8] 1111 imm12[7:0]`, 'teq <Rn>, #<imm12:const>', 'teq', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rn)) }),
  e('TEQ_reg_T1', '11101 01 0100 1 Rn:4 (0) amt[4:2] 1111 amt[1:0] sh:2 Rm:4', 'teq <Rn>, <Rm>{, <shift>}', 'teq', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rn) || badReg(f.Rm)) }),
  e('CMN_imm_T1', `11110 imm12[11] 0 1000 1 Rn:4 0 imm12[10:8] 1111 imm12[7:0]`, ['cmn <Rn>, #<imm12:const>', 'cmp <Rn>, #<imm12:nconst>'], 'cmn', 'alu', 'v7m', { bad: unpred((f) => f.Rn === 15) }),
  e('CMN_reg_T2', '11101 01 1000 1 Rn:4 (0) amt[4:2] 1111 amt[1:0] sh:2 Rm:4', 'cmn <Rn>, <Rm>{, <shift>}', 'cmn', 'alu', 'v7m', { bad: unpred((f) => f.Rn === 15 || badReg(f.Rm)) }),
  e('CMP_imm_T2', `11110 imm12[11] 0 1101 1 Rn:4 0 imm12[10:8] 1111 imm12[7:0]`, ['cmp <Rn>, #<imm12:const>', 'cmn <Rn>, #<imm12:nconst>'], 'cmp', 'alu', 'v7m', { bad: unpred((f) => f.Rn === 15) }),
  e('CMP_reg_T3', '11101 01 1101 1 Rn:4 (0) amt[4:2] 1111 amt[1:0] sh:2 Rm:4', 'cmp <Rn>, <Rm>{, <shift>}', 'cmp', 'alu', 'v7m', { bad: unpred((f) => f.Rn === 15 || badReg(f.Rm)) }),
  e('ADD_SP_imm_T3', `11110 imm12[11] 0 1000 S 1101 ${IMM}`, ['add{s} {<Rd>,} sp, #<imm12:const>', 'sub{s} {<Rd>,} sp, #<imm12:nconst>'], 'add', 'alu', 'v7m', { params: { Rn: 13 }, bad: unpred((f) => f.Rd === 15 && !f.S) }),
  e('SUB_SP_imm_T2', `11110 imm12[11] 0 1101 S 1101 ${IMM}`, ['sub{s} {<Rd>,} sp, #<imm12:const>', 'add{s} {<Rd>,} sp, #<imm12:nconst>'], 'sub', 'alu', 'v7m', { params: { Rn: 13 }, bad: unpred((f) => f.Rd === 15 && !f.S) }),
  e('ADD_SP_reg_T3', `11101 01 1000 S 1101 ${SH}`, 'add{s} {<Rd>,} sp, <Rm>{, <shift>}', 'add', 'alu', 'v7m', {
    params: { Rn: 13 }, bad: unpred((f) => (f.Rd === 13 && (f.sh !== 0 || f.amt! > 3)) || (f.Rd === 15 && !f.S) || badReg(f.Rm)),
  }),
  e('SUB_SP_reg_T1', `11101 01 1101 S 1101 ${SH}`, 'sub{s} {<Rd>,} sp, <Rm>{, <shift>}', 'sub', 'alu', 'v7m', {
    params: { Rn: 13 }, bad: unpred((f) => (f.Rd === 13 && (f.sh !== 0 || f.amt! > 3)) || (f.Rd === 15 && !f.S) || badReg(f.Rm)),
  }),
  // MOV (register) and the shifts by immediate (A5.3.11, "Move register and immediate shifts")
  e('MOV_reg_T3', '11101 01 0010 S 1111 (0) 000 Rd:4 0000 Rm:4', ['mov{s} <Rd>, <Rm>', 'lsl{s} <Rd>, <Rm>, #<amt:zero>'], 'mov', 'alu', 'v7m', {
    params: { sh: 0, amt: 0 }, bad: unpred((f) => (f.S ? badReg(f.Rd) || badReg(f.Rm) : f.Rd === 15 || f.Rm === 15 || (f.Rd === 13 && f.Rm === 13))),
  }),
  e('LSL_imm_T2', '11101 01 0010 S 1111 (0) amt[4:2] Rd:4 amt[1:0] 00 Rm:4', ['lsl{s} {<Rd>,} <Rm>, #<amt>', 'mov{s} <Rd>, <Rm>, lsl #<amt>'], 'mov', 'alu', 'v7m', { params: { sh: 0 }, bad: unpred((f) => badReg(f.Rd) || badReg(f.Rm)) }),
  e('LSR_imm_T2', '11101 01 0010 S 1111 (0) amt[4:2] Rd:4 amt[1:0] 01 Rm:4', ['lsr{s} {<Rd>,} <Rm>, #<amt:sh32>', 'mov{s} <Rd>, <Rm>, lsr #<amt:sh32>'], 'mov', 'alu', 'v7m', { params: { sh: 1 }, bad: unpred((f) => badReg(f.Rd) || badReg(f.Rm)) }),
  e('ASR_imm_T2', '11101 01 0010 S 1111 (0) amt[4:2] Rd:4 amt[1:0] 10 Rm:4', ['asr{s} {<Rd>,} <Rm>, #<amt:sh32>', 'mov{s} <Rd>, <Rm>, asr #<amt:sh32>'], 'mov', 'alu', 'v7m', { params: { sh: 2 }, bad: unpred((f) => badReg(f.Rd) || badReg(f.Rm)) }),
  e('ROR_imm_T1', '11101 01 0010 S 1111 (0) amt[4:2] Rd:4 amt[1:0] 11 Rm:4', ['ror{s} {<Rd>,} <Rm>, #<amt>', 'mov{s} <Rd>, <Rm>, ror #<amt>'], 'mov', 'alu', 'v7m', { params: { sh: 3 }, bad: unpred((f) => badReg(f.Rd) || badReg(f.Rm)) }),
  e('RRX_T1', '11101 01 0010 S 1111 (0) 000 Rd:4 00 11 Rm:4', ['rrx{s} <Rd>, <Rm>', 'mov{s} <Rd>, <Rm>, rrx'], 'mov', 'alu', 'v7m', { params: { sh: 3, amt: 0 }, bad: unpred((f) => badReg(f.Rd) || badReg(f.Rm)) }),
  // shifts by register (A5.3.12)
  ...(['lsl', 'lsr', 'asr', 'ror'] as const).map((mn, sh) =>
    e(`${mn.toUpperCase()}_reg_T2`, `11111 010 0 ${sh.toString(2).padStart(2, '0')} S Rn:4 1111 Rd:4 0000 Rm:4`, [`${mn}{s} {<Rd>,} <Rn>, <Rm>`, `mov{s} <Rd>, <Rn>, <Rm:${mn}reg>`], 'shreg', 'alu', 'v7m', {
      params: { sh }, bad: unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm)),
    })),
  // plain binary immediate (A5.3.3)
  e('ADD_imm_T4', `11110 imm[11] 1 0000 0 Rn:4 ${PIMM}`, ['addw {<Rd>,} <Rn>, #<imm>', 'add {<Rd>,} <Rn>, #<imm>', 'subw {<Rd>,} <Rn>, #<imm:nimm>', 'sub {<Rd>,} <Rn>, #<imm:nimm>'], 'add', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd)) }),
  e('SUB_imm_T4', `11110 imm[11] 1 0101 0 Rn:4 ${PIMM}`, ['subw {<Rd>,} <Rn>, #<imm>', 'sub {<Rd>,} <Rn>, #<imm>', 'addw {<Rd>,} <Rn>, #<imm:nimm>', 'add {<Rd>,} <Rn>, #<imm:nimm>'], 'sub', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd)) }),
  e('ADD_SP_imm_T4', `11110 imm[11] 1 0000 0 1101 ${PIMM}`, ['addw {<Rd>,} sp, #<imm>', 'add {<Rd>,} sp, #<imm>', 'subw {<Rd>,} sp, #<imm:nimm>', 'sub {<Rd>,} sp, #<imm:nimm>'], 'add', 'alu', 'v7m', { params: { Rn: 13 }, bad: unpred((f) => f.Rd === 15) }),
  e('SUB_SP_imm_T3', `11110 imm[11] 1 0101 0 1101 ${PIMM}`, ['subw {<Rd>,} sp, #<imm>', 'sub {<Rd>,} sp, #<imm>', 'addw {<Rd>,} sp, #<imm:nimm>', 'add {<Rd>,} sp, #<imm:nimm>'], 'sub', 'alu', 'v7m', { params: { Rn: 13 }, bad: unpred((f) => f.Rd === 15) }),
  e('ADR_T3', `11110 imm[11] 1 0000 0 1111 ${PIMM}`, ['adr <Rd>, <imm:adr12p>', 'addw <Rd>, pc, #<imm>', 'add <Rd>, pc, #<imm>'], 'adr', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd)) }),
  // T2 prints as GNU objdump does (`subw rd, pc, #imm`): an absolute target cannot tell `subw rd, pc, #0` from T3's
  // `addw rd, pc, #0`, so `adr` text would not round-trip; `adr` with a target below the PC still assembles to it
  e('ADR_T2', `11110 imm[11] 1 0101 0 1111 ${PIMM}`, ['subw <Rd>, pc, #<imm:pcsub>', 'adr <Rd>, <imm:adr12m>', 'sub <Rd>, pc, #<imm>'], 'adr', 'alu', 'v7m', { params: { neg: 1 }, bad: unpred((f) => badReg(f.Rd)) }),
  e('MOVW_T3', '11110 imm16[11] 1 0010 0 imm16[15:12] 0 imm16[10:8] Rd:4 imm16[7:0]', ['movw <Rd>, #<imm16>', 'mov <Rd>, #<imm16>'], 'movw', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd)) }),
  e('MOVT_T1', '11110 imm16[11] 1 0110 0 imm16[15:12] 0 imm16[10:8] Rd:4 imm16[7:0]', 'movt <Rd>, #<imm16>', 'movt', 'alu', 'v7m', { bad: unpred((f) => badReg(f.Rd)) }),
];

/**
 * ThumbExpandImm (A5.3.2): a replicated pattern (imm12<11:10> = 00, imm12<9:8> != 00) with imm8 = 0 is
 * UNPREDICTABLE, in every encoding with a modified immediate.
 */
const constBad = (f: Fields): string | false => (!thumbImmValid(f.imm12!) ? 'modified immediate with imm8 = 0 in a replicated pattern' : false);
export const DP: IsaEntry[] = LIST.map((x) => (/imm12\[11\]/.test(x.pattern) && /:const>/.test(String(x.syntax))
  ? { ...x, bad: (f: Fields) => constBad(f) || (x.bad ? x.bad(f) : false) }
  : x));
