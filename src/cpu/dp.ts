/**
 * Data-processing semantics (ARMv7-M ARM A7.7: AND, BIC, ORR, ORN, EOR, TST, TEQ, MOV, MVN, ADD, ADC, SUB, SBC,
 * RSB, CMP, CMN, the shifts, MUL, ADR, MOVW, MOVT). One generator serves every encoding of an instruction:
 * the second operand is a modified immediate (imm12), a plain immediate (imm) or a register shifted by
 * (sh, amt), whichever the encoding has.
 */
import { addWithCarry, nz, shiftImmC, type GenCtx } from '../exec/gen.js';
import type { Gen } from './index.js';

const dst = (g: GenCtx) => (g.f.Rd ?? g.f.Rdn ?? g.f.Rdm)!;
const src = (g: GenCtx) => (g.f.Rn ?? g.f.Rdn ?? g.f.Rdm)!;

/** The second operand: [statements, int32 value expression, carry expression or null (carry unchanged)]. */
export function operand2(g: GenCtx): [string, string, string | null] {
  const f = g.f;
  const m = f.Rm ?? f.Rdm;
  if (m === undefined) {
    if (f.imm12 !== undefined) {
      const v = g.val('imm12') >>> 0;
      return ['', String(v | 0), (f.imm12 >>> 10) === 0 ? null : String(v >>> 31)];
    }
    return ['', String(g.val(f.imm16 !== undefined ? 'imm16' : 'imm') | 0), null];
  }
  return shiftImmC(g, g.r(m), f.sh ?? 0, f.amt ?? 0);
}

function logical(op: (a: string, b: string) => string, write: boolean): Gen {
  return (g) => {
    const [pre, v, c] = operand2(g);
    const res = g.tmp('res');
    let code = `${pre}const ${res}=${op(g.r(src(g)), v)};`;
    if (g.setflags || !write) code += nz(res) + (c !== null ? `s.c=${c};` : '');
    if (write) code += g.wr(dst(g), res);
    return code;
  };
}

/** Arithmetic through AddWithCarry: x + y + carry, with x/y possibly inverted per instruction. */
function arith(kind: 'add' | 'adc' | 'sub' | 'sbc' | 'rsb', write: boolean): Gen {
  return (g) => {
    const [pre, v] = operand2(g);
    const n = g.r(src(g));
    const res = g.tmp('res');
    const setflags = write ? g.setflags : true;
    const [a, b, c] = kind === 'add' ? [n, v, '0'] : kind === 'adc' ? [n, v, 's.c'] : kind === 'sub' ? [n, `~${v}`, '1']
      : kind === 'sbc' ? [n, `~${v}`, 's.c'] : [`~${n}`, v, '1'];
    let code = pre + addWithCarry(g, res, a, b, c, setflags && !(write && dst(g) === 15));
    if (write) code += g.wr(dst(g), res);
    return code;
  };
}

export const DP_GEN: Record<string, Gen> = {
  and: logical((a, b) => `${a}&${b}`, true),
  bic: logical((a, b) => `${a}&~${b}`, true),
  orr: logical((a, b) => `${a}|${b}`, true),
  orn: logical((a, b) => `${a}|~${b}`, true),
  eor: logical((a, b) => `${a}^${b}`, true),
  tst: logical((a, b) => `${a}&${b}`, false),
  teq: logical((a, b) => `${a}^${b}`, false),
  mov: (g) => {
    const [pre, v, c] = operand2(g);
    const res = g.tmp('res');
    let code = `${pre}const ${res}=${v};`;
    if (g.setflags) code += nz(res) + (c !== null ? `s.c=${c};` : '');
    return code + g.wr(dst(g), res);
  },
  mvn: (g) => {
    const [pre, v, c] = operand2(g);
    const res = g.tmp('res');
    let code = `${pre}const ${res}=~${v};`;
    if (g.setflags) code += nz(res) + (c !== null ? `s.c=${c};` : '');
    return code + g.wr(dst(g), res);
  },
  add: arith('add', true),
  adc: arith('adc', true),
  sub: arith('sub', true),
  sbc: arith('sbc', true),
  rsb: arith('rsb', true),
  cmp: arith('sub', false),
  cmn: arith('add', false),
  /** shift by register: amount is the bottom byte of Rm (A7.4.2 Shift_C) */
  shreg: (g) => {
    const d = dst(g), n = src(g), m = g.f.Rm!;
    const res = g.tmp('res');
    return `const ${res}=rt.shiftReg(s,${g.f.sh},${g.r(n)},${g.r(m)}&255,${g.setflags ? 1 : 0});` + (g.setflags ? nz(res) : '') + g.wr(d, res);
  },
  mul: (g) => {
    const d = dst(g);
    const res = g.tmp('res');
    return `const ${res}=Math.imul(${g.r(g.f.Rn!)},${g.r((g.f.Rm ?? g.f.Rdm)!)});` + (g.setflags ? nz(res) : '') + g.wr(d, res);
  },
  adr: (g) => g.wr(g.f.Rd!, String(g.val('imm') | 0)),
  movw: (g) => g.wr(g.f.Rd!, String(g.f.imm16! | 0)),
  movt: (g) => g.wr(g.f.Rd!, `(${g.r(g.f.Rd!)}&65535)|${(g.f.imm16! << 16) | 0}`),
};
