/**
 * DSP extension (ARMv7E-M): parallel addition and subtraction (A5.3.13 signed, A5.3.14 unsigned), SEL,
 * USAD8/USADA8, the saturating QADD/QSUB/QDADD/QDSUB (A5.3.15), and the signed multiplies of A5.3.16 and A5.3.17
 * (SMLA<x><y>, SMUL<x><y>, SMLAW<y>, SMULW<y>, SMLAL<x><y>, SMLAD, SMUAD, SMLSD, SMUSD, SMLALD, SMLSLD, SMMUL,
 * SMMLA, SMMLS). Where the manual says "if Ra == '1111' then SEE <non-accumulating form>", both forms have an
 * entry and the non-accumulating one (Ra fixed to 1111) is the more specific pattern.
 *
 * Parallel add/subtract: first halfword 11111010 1 op1:3 Rn, second 1111 Rd 0 op2:3 Rm where op1 selects the
 * operation (000 ADD8, 001 ADD16, 010 ASX, 100 SUB8, 101 SUB16, 110 SAX) and op2 the prefix
 * (000 S, 001 Q, 010 SH, 100 U, 101 UQ, 110 UH). Checked against llvm-mc.
 */
import { e, badReg, unpred } from './util.js';
import type { Fields, IsaEntry } from '../src/isa/types.js';

/** operations, in the order of the semantics' `op` parameter: [name, op1 bits, old GNU name or ''] */
const PAR_OPS: [string, string, string][] = [
  ['add16', '001', ''], ['asx', '010', 'addsubx'], ['sax', '110', 'subaddx'],
  ['sub16', '101', ''], ['add8', '000', ''], ['sub8', '100', ''],
];
/** prefixes, in the order of the semantics' `kind` parameter: [prefix, op2 bits] */
const PAR_KINDS: [string, string][] = [['s', '000'], ['q', '001'], ['sh', '010'], ['u', '100'], ['uq', '101'], ['uh', '110']];

const r3 = unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm));
/** accumulating forms: Ra == 15 is the other instruction, Ra == 13 is UNPREDICTABLE */
const r4 = unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm) || f.Ra === 13);
const long = (f: Fields): string | false =>
  badReg(f.RdLo) || badReg(f.RdHi) || badReg(f.Rn) || badReg(f.Rm) ? 'register not allowed (SP or PC)'
    : f.RdLo === f.RdHi ? 'RdHi and RdLo are the same register' : false;

const parallel: IsaEntry[] = [];
PAR_KINDS.forEach(([pfx, op2], kind) => {
  PAR_OPS.forEach(([name, op1, old], op) => {
    const mn = pfx + name;
    const syntax = [`${mn} <Rd>, <Rn>, <Rm>`, ...(old ? [`${pfx}${old} <Rd>, <Rn>, <Rm>`] : [])];
    parallel.push(e(`${mn.toUpperCase()}_T1`, `111110101 ${op1} Rn:4 1111 Rd:4 0 ${op2} Rm:4`, syntax, 'dsp_par', 'dsp', 'v7em', {
      params: { op, kind }, bad: r3,
    }));
  });
});

const MULA = '111110110'; // 32-bit multiply, multiply-accumulate, absolute difference (A5.3.16)
const MULL = '111110111'; // long multiply (A5.3.17)

export const DSP: IsaEntry[] = [
  ...parallel,
  e('SEL_T1', '111110101 010 Rn:4 1111 Rd:4 1000 Rm:4', 'sel <Rd>, <Rn>, <Rm>', 'dsp_sel', 'dsp', 'v7em', { bad: r3 }),
  e('USAD8_T1', `${MULA} 111 Rn:4 1111 Rd:4 0000 Rm:4`, 'usad8 <Rd>, <Rn>, <Rm>', 'dsp_usad8', 'dsp', 'v7em', { bad: r3 }),
  e('USADA8_T1', `${MULA} 111 Rn:4 Ra:4 Rd:4 0000 Rm:4`, 'usada8 <Rd>, <Rn>, <Rm>, <Ra>', 'dsp_usad8', 'dsp', 'v7em', { bad: r4 }),

  // ---- saturating add/subtract (A5.3.15, op1 = 00): operands in the order Rd, Rm, Rn
  e('QADD_T1', '111110101 000 Rn:4 1111 Rd:4 1000 Rm:4', 'qadd <Rd>, <Rm>, <Rn>', 'dsp_qadd', 'dsp', 'v7em', { params: { sub: 0, dbl: 0 }, bad: r3 }),
  e('QDADD_T1', '111110101 000 Rn:4 1111 Rd:4 1001 Rm:4', 'qdadd <Rd>, <Rm>, <Rn>', 'dsp_qadd', 'dsp', 'v7em', { params: { sub: 0, dbl: 1 }, bad: r3 }),
  e('QSUB_T1', '111110101 000 Rn:4 1111 Rd:4 1010 Rm:4', 'qsub <Rd>, <Rm>, <Rn>', 'dsp_qadd', 'dsp', 'v7em', { params: { sub: 1, dbl: 0 }, bad: r3 }),
  e('QDSUB_T1', '111110101 000 Rn:4 1111 Rd:4 1011 Rm:4', 'qdsub <Rd>, <Rm>, <Rn>', 'dsp_qadd', 'dsp', 'v7em', { params: { sub: 1, dbl: 1 }, bad: r3 }),

  // ---- signed multiplies, 32-bit result (A5.3.16)
  e('SMLAxy_T1', `${MULA} 001 Rn:4 Ra:4 Rd:4 00 N M Rm:4`, 'smla<b|t:N><b|t:M> <Rd>, <Rn>, <Rm>, <Ra>', 'dsp_smlaxy', 'dsp', 'v7em', { bad: r4 }),
  e('SMULxy_T1', `${MULA} 001 Rn:4 1111 Rd:4 00 N M Rm:4`, 'smul<b|t:N><b|t:M> <Rd>, <Rn>, <Rm>', 'dsp_smlaxy', 'dsp', 'v7em', { bad: r3 }),
  e('SMLAD_T1', `${MULA} 010 Rn:4 Ra:4 Rd:4 000 M Rm:4`, 'smlad<|x:M> <Rd>, <Rn>, <Rm>, <Ra>', 'dsp_smlad', 'dsp', 'v7em', { params: { sub: 0 }, bad: r4 }),
  e('SMUAD_T1', `${MULA} 010 Rn:4 1111 Rd:4 000 M Rm:4`, 'smuad<|x:M> <Rd>, <Rn>, <Rm>', 'dsp_smlad', 'dsp', 'v7em', { params: { sub: 0 }, bad: r3 }),
  e('SMLAWy_T1', `${MULA} 011 Rn:4 Ra:4 Rd:4 000 M Rm:4`, 'smlaw<b|t:M> <Rd>, <Rn>, <Rm>, <Ra>', 'dsp_smlawy', 'dsp', 'v7em', { bad: r4 }),
  e('SMULWy_T1', `${MULA} 011 Rn:4 1111 Rd:4 000 M Rm:4`, 'smulw<b|t:M> <Rd>, <Rn>, <Rm>', 'dsp_smlawy', 'dsp', 'v7em', { bad: r3 }),
  e('SMLSD_T1', `${MULA} 100 Rn:4 Ra:4 Rd:4 000 M Rm:4`, 'smlsd<|x:M> <Rd>, <Rn>, <Rm>, <Ra>', 'dsp_smlad', 'dsp', 'v7em', { params: { sub: 1 }, bad: r4 }),
  e('SMUSD_T1', `${MULA} 100 Rn:4 1111 Rd:4 000 M Rm:4`, 'smusd<|x:M> <Rd>, <Rn>, <Rm>', 'dsp_smlad', 'dsp', 'v7em', { params: { sub: 1 }, bad: r3 }),
  e('SMMLA_T1', `${MULA} 101 Rn:4 Ra:4 Rd:4 000 R Rm:4`, 'smmla<|r:R> <Rd>, <Rn>, <Rm>, <Ra>', 'dsp_smmla', 'dsp', 'v7em', { params: { sub: 0 }, bad: r4 }),
  e('SMMUL_T1', `${MULA} 101 Rn:4 1111 Rd:4 000 R Rm:4`, 'smmul<|r:R> <Rd>, <Rn>, <Rm>', 'dsp_smmla', 'dsp', 'v7em', { params: { sub: 0 }, bad: r3 }),
  // SMMLS has no Ra == 1111 form: BadReg(a) is UNPREDICTABLE
  e('SMMLS_T1', `${MULA} 110 Rn:4 Ra:4 Rd:4 000 R Rm:4`, 'smmls<|r:R> <Rd>, <Rn>, <Rm>, <Ra>', 'dsp_smmla', 'dsp', 'v7em', {
    params: { sub: 1 }, bad: unpred((f) => badReg(f.Rd) || badReg(f.Rn) || badReg(f.Rm) || badReg(f.Ra)),
  }),

  // ---- signed multiplies, 64-bit accumulate (A5.3.17)
  e('SMLALxy_T1', `${MULL} 100 Rn:4 RdLo:4 RdHi:4 10 N M Rm:4`, 'smlal<b|t:N><b|t:M> <RdLo>, <RdHi>, <Rn>, <Rm>', 'dsp_smlalxy', 'dsp', 'v7em', { bad: long }),
  e('SMLALD_T1', `${MULL} 100 Rn:4 RdLo:4 RdHi:4 110 M Rm:4`, 'smlald<|x:M> <RdLo>, <RdHi>, <Rn>, <Rm>', 'dsp_smlald', 'dsp', 'v7em', { params: { sub: 0 }, bad: long }),
  e('SMLSLD_T1', `${MULL} 101 Rn:4 RdLo:4 RdHi:4 110 M Rm:4`, 'smlsld<|x:M> <RdLo>, <RdHi>, <Rn>, <Rm>', 'dsp_smlald', 'dsp', 'v7em', { params: { sub: 1 }, bad: long }),
];
