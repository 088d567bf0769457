/**
 * Saturate, bitfield, extend, pack, reverse and CLZ semantics (ARMv7-M ARM A7.7: SSAT, SSAT16, USAT, USAT16,
 * SBFX, UBFX, BFI, BFC, SXTB, SXTH, SXTB16, SXTAB, SXTAH, SXTAB16, UXTB, UXTH, UXTB16, UXTAB, UXTAH, UXTAB16,
 * PKHBT, PKHTB, REV, REV16, REVSH, RBIT, CLZ). None of them sets N, Z, C or V; the saturations set Q.
 * The extends serve both the 16-bit forms (params rotate: 0) and the 32-bit ones (rotation = rotate * 8).
 */
import type { GenCtx } from '../exec/gen.js';
import type { Gen } from './index.js';

/** Read a register into a fresh local: [statement, name]. */
function local(g: GenCtx, n: number, hint: string): [string, string] {
  const t = g.tmp(hint);
  return [`const ${t}=${g.r(n)};`, t];
}

/** ROR(R[m], rotation) into a local (rotation = rotate * 8: 0, 8, 16 or 24). */
function rotated(g: GenCtx): [string, string] {
  const [pre, x] = local(g, g.f.Rm!, 'm');
  const rot = (g.f.rotate ?? 0) * 8;
  if (!rot) return [pre, x];
  const t = g.tmp('rot');
  return [`${pre}const ${t}=(${x}>>>${rot})|(${x}<<${32 - rot});`, t];
}

/** An extend: result expression over the rotated value (and R[n] for the accumulating forms). */
function ext(fn: (m: string, n: string) => string, acc: boolean): Gen {
  return (g) => {
    const [pre, m] = rotated(g);
    let code = pre;
    let n = '';
    if (acc) { const [p, t] = local(g, g.f.Rn!, 'n'); code += p; n = t; }
    return code + g.wr(g.f.Rd!, fn(m, n));
  };
}

/** a register source read once into a local, the result written to Rd */
function unary(fn: (x: string) => string): Gen {
  return (g) => {
    const [pre, x] = local(g, g.f.Rm!, 'x');
    return pre + g.wr(g.f.Rd!, fn(x));
  };
}

/** The shifted operand of SSAT/USAT: LSL #0-31 (sh 0) or ASR #1-31 (sh 1). */
function satOperand(g: GenCtx): string {
  const x = g.r(g.f.Rn!);
  const amt = g.f.amt!;
  if (amt === 0) return x;
  return g.f.sh ? `(${x}>>${amt})` : `(${x}<<${amt})`;
}

/** a constant int32 mask of bits msb..lsb */
const fieldMask = (msb: number, lsb: number) => ((2 ** (msb - lsb + 1) - 1) * 2 ** lsb) | 0;

export const BITS_GEN: Record<string, Gen> = {
  // SignedSatQ(SInt(operand), saturate_to), saturate_to = sat_imm + 1; Q set on saturation
  ssat: (g) => g.wr(g.f.Rd!, `rt.ssat(s,${satOperand(g)},${g.f.sat_imm! + 1})`),
  // UnsignedSatQ(SInt(operand), saturate_to), saturate_to = sat_imm
  usat: (g) => g.wr(g.f.Rd!, `rt.usat(s,${satOperand(g)},${g.f.sat_imm!})`),
  ssat16: (g) => {
    const [pre, x] = local(g, g.f.Rn!, 'x');
    const n = g.f.sat_imm! + 1;
    const lo = g.tmp('lo');
    // both halves are saturated (either may set Q)
    return `${pre}const ${lo}=rt.ssat(s,${x}<<16>>16,${n})&65535;` + g.wr(g.f.Rd!, `(rt.ssat(s,${x}>>16,${n})<<16)|${lo}`);
  },
  usat16: (g) => {
    const [pre, x] = local(g, g.f.Rn!, 'x');
    const n = g.f.sat_imm!;
    const lo = g.tmp('lo');
    return `${pre}const ${lo}=rt.usat(s,${x}<<16>>16,${n});` + g.wr(g.f.Rd!, `(rt.usat(s,${x}>>16,${n})<<16)|${lo}`);
  },

  // R[d] = SignExtend(R[n]<msbit:lsbit>) / ZeroExtend(...)
  sbfx: (g) => {
    const lsb = g.f.lsb!, width = g.f.widthm1! + 1;
    return g.wr(g.f.Rd!, `(${g.r(g.f.Rn!)}<<${32 - lsb - width})>>${32 - width}`);
  },
  ubfx: (g) => {
    const lsb = g.f.lsb!, width = g.f.widthm1! + 1;
    const x = g.r(g.f.Rn!);
    return g.wr(g.f.Rd!, width === 32 ? x : `(${x}>>>${lsb})&${2 ** width - 1}`);
  },
  // R[d]<msbit:lsbit> = R[n]<(msbit-lsbit):0>
  bfi: (g) => {
    const mask = fieldMask(g.f.msb!, g.f.lsb!);
    return g.wr(g.f.Rd!, `(${g.r(g.f.Rd!)}&${~mask})|((${g.r(g.f.Rn!)}<<${g.f.lsb!})&${mask})`);
  },
  bfc: (g) => g.wr(g.f.Rd!, `${g.r(g.f.Rd!)}&${~fieldMask(g.f.msb!, g.f.lsb!)}`),

  sxtb: ext((m) => `(${m}<<24)>>24`, false),
  sxth: ext((m) => `(${m}<<16)>>16`, false),
  uxtb: ext((m) => `${m}&255`, false),
  uxth: ext((m) => `${m}&65535`, false),
  // R[d]<15:0> = SignExtend(rotated<7:0>, 16); R[d]<31:16> = SignExtend(rotated<23:16>, 16)
  sxtb16: ext((m) => `(((${m}<<8)>>24)<<16)|(((${m}<<24)>>24)&65535)`, false),
  uxtb16: ext((m) => `${m}&16711935`, false),
  sxtab: ext((m, n) => `(${n}+((${m}<<24)>>24))|0`, true),
  sxtah: ext((m, n) => `(${n}+((${m}<<16)>>16))|0`, true),
  uxtab: ext((m, n) => `(${n}+(${m}&255))|0`, true),
  uxtah: ext((m, n) => `(${n}+(${m}&65535))|0`, true),
  // per halfword: R[n] half + extended byte, modulo 2^16
  sxtab16: ext((m, n) => `(((${n}>>16)+((${m}<<8)>>24))<<16)|((${n}+((${m}<<24)>>24))&65535)`, true),
  uxtab16: ext((m, n) => `(((${n}>>>16)+((${m}>>>16)&255))<<16)|((${n}+(${m}&255))&65535)`, true),

  // PKHBT: Rd = op2<31:16> : Rn<15:0> with op2 = Rm LSL amt; PKHTB: Rd = Rn<31:16> : op2<15:0>, op2 = Rm ASR amt (0 = 32)
  pkh: (g) => {
    const m = g.r(g.f.Rm!), n = g.r(g.f.Rn!), amt = g.f.amt!;
    if (g.f.tb) {
      const op2 = amt === 0 ? `(${m}>>31)` : `(${m}>>${amt})`;
      return g.wr(g.f.Rd!, `(${n}&-65536)|(${op2}&65535)`);
    }
    const op2 = amt === 0 ? m : `(${m}<<${amt})`;
    return g.wr(g.f.Rd!, `(${op2}&-65536)|(${n}&65535)`);
  },

  rev: unary((x) => `(${x}<<24)|((${x}&65280)<<8)|((${x}>>>8)&65280)|(${x}>>>24)`),
  rev16: unary((x) => `((${x}<<8)&-16711936)|((${x}>>>8)&16711935)`),
  // result<31:8> = SignExtend(R[m]<7:0>), result<7:0> = R[m]<15:8>
  revsh: unary((x) => `((${x}<<24)>>16)|((${x}>>>8)&255)`),
  rbit: unary((x) => `rt.rbit(${x})`),
  clz: unary((x) => `Math.clz32(${x})`),
};
