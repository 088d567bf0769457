/**
 * Multiply and divide semantics (ARMv7-M ARM A7.7: MLA, MLS, SMULL, UMULL, SMLAL, UMLAL, UMAAL, SDIV, UDIV;
 * MUL is `mul` in src/cpu/dp.ts). None of the 32-bit encodings sets flags.
 *
 * Exactness: 32-bit products go through Math.imul; 64-bit ones through rt.umul64/rt.smul64 (exact hi:lo words
 * from 16-bit partial products) and rt.add64 (carry between the words). Divides: for |n|, |d| < 2^32 the double
 * quotient n / d is never rounded across an integer (a non-integer quotient is at least 1/|d| away from one, more
 * than its rounding error), so truncating it gives RoundTowardsZero exactly.
 */
import type { GenCtx } from '../exec/gen.js';
import type { Gen } from './index.js';

/** read registers into fresh locals (operands are read before any result is written) */
function locals(g: GenCtx, regs: [string, number][]): [string, string[]] {
  const names = regs.map(([hint]) => g.tmp(hint));
  return [`const ${regs.map(([, n], i) => `${names[i]}=${g.r(n)}`).join(',')};`, names];
}

/** 64-bit result (lo, hi expressions over locals) written to RdLo, RdHi */
function write64(g: GenCtx, lo: string, hi: string): string {
  return g.wr(g.f.RdLo!, lo) + g.wr(g.f.RdHi!, hi);
}

/**
 * Long multiply: product of Rn and Rm, signed or not, plus (accumulate) RdHi:RdLo as a 64-bit value, or (umaal)
 * RdHi and RdLo as two 32-bit unsigned values.
 */
function long(signed: boolean, acc: 'none' | 'acc64' | 'umaal'): Gen {
  return (g) => {
    const [pre, [n, m, lo, hi]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ['lo', g.f.RdLo!], ['hi', g.f.RdHi!]]);
    const p = g.tmp('p');
    let code = `${pre}let ${p}=rt.${signed ? 'smul64' : 'umul64'}(${n},${m});`;
    if (acc === 'acc64') code += `${p}=rt.add64(${p}[0],${p}[1],${lo},${hi});`;
    if (acc === 'umaal') code += `${p}=rt.add64(${p}[0],${p}[1],${lo},0);${p}=rt.add64(${p}[0],${p}[1],${hi},0);`;
    return code + write64(g, `${p}[0]`, `${p}[1]`);
  };
}

/**
 * SDIV/UDIV: a zero divisor gives 0, or a DIVBYZERO UsageFault when CCR.DIV_0_TRP is set; the quotient rounds
 * towards zero (SDIV 0x80000000 / -1 wraps to 0x80000000). The cycles depend on the operands (the core model's divide rule).
 */
function div(signed: boolean): Gen {
  return (g) => {
    const [pre, [n, d]] = locals(g, [['n', g.f.Rn!], ['d', g.f.Rm!]]);
    const q = g.tmp('q');
    const quot = signed ? `(${n}/${d})|0` : `((${n}>>>0)/(${d}>>>0))|0`;
    return `${pre}let ${q}=0;if(${d}===0){if(s.divTrap)throw rt.divByZero();}else ${q}=${quot};` +
      g.divide(n, d, signed) + g.wr(g.f.Rd!, q);
  };
}

export const MUL_GEN: Record<string, Gen> = {
  // R[d] = (R[n] * R[m] + R[a])<31:0>
  mla: (g) => {
    const [pre, [n, m, a]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ['a', g.f.Ra!]]);
    return pre + g.wr(g.f.Rd!, `(Math.imul(${n},${m})+${a})|0`);
  },
  // R[d] = (R[a] - R[n] * R[m])<31:0>
  mls: (g) => {
    const [pre, [n, m, a]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ['a', g.f.Ra!]]);
    return pre + g.wr(g.f.Rd!, `(${a}-Math.imul(${n},${m}))|0`);
  },
  smull: long(true, 'none'),
  umull: long(false, 'none'),
  smlal: long(true, 'acc64'),
  umlal: long(false, 'acc64'),
  umaal: long(false, 'umaal'),
  sdiv: div(true),
  udiv: div(false),
};
