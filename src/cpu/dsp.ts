/**
 * DSP extension semantics (ARMv7-M ARM A7.7: the parallel add/subtract instructions, SEL, USAD8, USADA8, QADD,
 * QSUB, QDADD, QDSUB, SMLA<x><y>, SMUL<x><y>, SMLAW<y>, SMULW<y>, SMLAL<x><y>, SMLAD, SMUAD, SMLSD, SMUSD, SMLALD,
 * SMLSLD, SMMUL, SMMLA, SMMLS).
 *
 * Exactness: 16x16 products (at most 2^30 in magnitude) and sums of a few of them are exact in doubles; the 32x16
 * products of SMLAW/SMULW are below 2^47, so x*y + (Ra << 16) stays below 2^53 and is exact; the 32x32 products of
 * SMMUL/SMMLA/SMMLS go through rt.smul64 (exact hi:lo words), and the 64-bit accumulations of SMLAL<x><y>/SMLALD/
 * SMLSLD carry between the words explicitly.
 */
import type { GenCtx } from '../exec/gen.js';
import type { Gen } from './index.js';

/** signed/unsigned halfword h (0 low, 1 high) of an int32 local */
const sh16 = (x: string, h: number) => (h ? `(${x}>>16)` : `(${x}<<16>>16)`);
const uh16 = (x: string, h: number) => (h ? `(${x}>>>16)` : `(${x}&65535)`);
/** signed/unsigned byte b (0..3) of an int32 local */
const sb8 = (x: string, b: number) => (b === 3 ? `(${x}>>24)` : `(${x}<<${24 - 8 * b}>>24)`);
const ub8 = (x: string, b: number) => (b === 3 ? `(${x}>>>24)` : b === 0 ? `(${x}&255)` : `((${x}>>>${8 * b})&255)`);

/** read registers into fresh locals (operands are read before any result is written) */
function locals(g: GenCtx, regs: [string, number][]): [string, string[]] {
  const names = regs.map(([hint]) => g.tmp(hint));
  return [`const ${regs.map(([, n], i) => `${names[i]}=${g.r(n)}`).join(',')};`, names];
}

/**
 * Parallel add/subtract (A7.7: SADD16 ... UHSUB8). op: 0 ADD16, 1 ASX, 2 SAX, 3 SUB16, 4 ADD8, 5 SUB8;
 * kind: 0 S (GE), 1 Q (signed saturating, Q flag untouched), 2 SH (signed halving), 3 U (GE), 4 UQ, 5 UH.
 */
const parallel: Gen = (g) => {
  const { op, kind } = g.f as { op: number; kind: number };
  const signed = kind < 3, mode = kind % 3; // 0 modular + GE, 1 saturate, 2 halve
  const [pre, [n, m]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!]]);
  let code = pre;
  const bytes = op >= 4;
  const w = bytes ? 8 : 16;
  const lanesN = bytes ? 4 : 2;
  const get = bytes ? (signed ? sb8 : ub8) : (signed ? sh16 : uh16);
  // per lane: [Rn lane, Rm lane, is subtraction]
  const lanes: [number, number, boolean][] = [];
  for (let i = 0; i < lanesN; i++) {
    switch (op) {
      case 1: lanes.push(i === 0 ? [0, 1, true] : [1, 0, false]); break;  // ASX: lo = n.lo - m.hi, hi = n.hi + m.lo
      case 2: lanes.push(i === 0 ? [0, 1, false] : [1, 0, true]); break;  // SAX: lo = n.lo + m.hi, hi = n.hi - m.lo
      default: lanes.push([i, i, op === 3 || op === 5]);
    }
  }
  const max = signed ? 2 ** (w - 1) - 1 : 2 ** w - 1, min = signed ? -(2 ** (w - 1)) : 0;
  const mask = 2 ** w - 1;
  const vals: string[] = [];
  const ge: string[] = [];
  lanes.forEach(([a, b, sub], i) => {
    const x = g.tmp('l');
    code += `const ${x}=${get(n, a)}${sub ? '-' : '+'}${get(m, b)};`;
    if (mode === 0) {
      vals.push(x);
      // GE: signed: result >= 0; unsigned add: carry out (>= 2^w); unsigned subtract: no borrow (>= 0)
      const test = signed || sub ? `${x}>=0` : `${x}>=${2 ** w}`;
      ge.push(`(${test}?${bytes ? 1 << i : 3 << (2 * i)}:0)`);
    } else if (mode === 1) {
      const y = g.tmp('q');
      code += `const ${y}=${x}>${max}?${max}:${x}<${min}?${min}:${x};`;
      vals.push(y);
    } else {
      vals.push(`(${x}>>1)`);
    }
  });
  const res = vals.map((v, i) => (i === lanesN - 1 ? `(${v}<<${w * i})` : i === 0 ? `(${v}&${mask})` : `((${v}&${mask})<<${w * i})`)).join('|');
  if (ge.length) code += `s.ge=${ge.join('|')};`;
  return code + g.wr(g.f.Rd!, res);
};

/** SEL: byte i from Rn when GE[i] is set, else from Rm. */
const sel: Gen = (g) => {
  const [pre, [n, m]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!]]);
  const k = g.tmp('k');
  return `${pre}const ${k}=(s.ge&1?255:0)|(s.ge&2?65280:0)|(s.ge&4?16711680:0)|(s.ge&8?-16777216:0);` +
    g.wr(g.f.Rd!, `(${n}&${k})|(${m}&~${k})`);
};

/** USAD8 / USADA8: sum of absolute byte differences, plus Ra for USADA8 (modulo 2^32). */
const usad8: Gen = (g) => {
  const acc = g.f.Ra !== undefined;
  const [pre, [n, m, a]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ...(acc ? [['a', g.f.Ra!] as [string, number]] : [])]);
  const terms = [0, 1, 2, 3].map((b) => `Math.abs(${ub8(n, b)}-${ub8(m, b)})`).join('+');
  return pre + g.wr(g.f.Rd!, acc ? `(${terms}+${a})|0` : `${terms}`);
};

/** QADD/QSUB/QDADD/QDSUB: Rd = SignedSatQ(Rm +/- [SignedSatQ(2 * Rn)]); the doubling's saturation sets Q too. */
const qadd: Gen = (g) => {
  const [pre, [m, n]] = locals(g, [['m', g.f.Rm!], ['n', g.f.Rn!]]);
  let code = pre;
  let y = n;
  if (g.f.dbl) { y = g.tmp('d'); code += `const ${y}=rt.ssat(s,2*${n},32);`; }
  return code + g.wr(g.f.Rd!, `rt.ssat(s,${m}${g.f.sub ? '-' : '+'}${y},32)`);
};

/** Q flag when a double `x` does not equal its own low 32 bits as a signed value */
const qOnOverflow = (x: string) => `if(${x}!==(${x}|0))s.q=1;`;

/** SMLA<x><y> (Q on overflow of the addition) and SMUL<x><y> (no Ra: cannot overflow). */
const smlaxy: Gen = (g) => {
  const acc = g.f.Ra !== undefined;
  const [pre, [n, m, a]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ...(acc ? [['a', g.f.Ra!] as [string, number]] : [])]);
  const p = `${sh16(n, g.f.N!)}*${sh16(m, g.f.M!)}`;
  if (!acc) return pre + g.wr(g.f.Rd!, `(${p})|0`);
  const x = g.tmp('x');
  return `${pre}const ${x}=${p}+${a};${qOnOverflow(x)}` + g.wr(g.f.Rd!, `${x}|0`);
};

/** SMLAW<y> / SMULW<y>: (Rn * Rm.half + (Ra << 16)) bits 47:16; Q when that overflows 32 bits. */
const smlawy: Gen = (g) => {
  const acc = g.f.Ra !== undefined;
  const [pre, [n, m, a]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ...(acc ? [['a', g.f.Ra!] as [string, number]] : [])]);
  const x = g.tmp('x');
  let code = `${pre}const ${x}=Math.floor((${n}*${sh16(m, g.f.M!)}${acc ? `+${a}*65536` : ''})/65536);`;
  if (acc) code += qOnOverflow(x);
  return code + g.wr(g.f.Rd!, `${x}|0`);
};

/**
 * SMLAD{X}/SMUAD{X} (Q on overflow), SMLSD{X} (Q on overflow), SMUSD{X} (cannot overflow: no Q).
 * X (field M) swaps Rm's halfwords: n.lo*m.hi and n.hi*m.lo.
 */
const smlad: Gen = (g) => {
  const acc = g.f.Ra !== undefined;
  const [pre, [n, m, a]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ...(acc ? [['a', g.f.Ra!] as [string, number]] : [])]);
  const x = g.tmp('x');
  const sw = g.f.M ? 1 : 0;
  const p1 = `${sh16(n, 0)}*${sh16(m, sw)}`, p2 = `${sh16(n, 1)}*${sh16(m, 1 - sw)}`;
  let code = `${pre}const ${x}=${p1}${g.f.sub ? '-' : '+'}${p2}${acc ? `+${a}` : ''};`;
  if (acc || !g.f.sub) code += qOnOverflow(x);
  return code + g.wr(g.f.Rd!, `${x}|0`);
};

/** 64-bit accumulate of an exact integer `p` (|p| < 2^32) into RdHi:RdLo. */
function acc64(g: GenCtx, p: string, lo: string, hi: string): string {
  const u = g.tmp('u');
  return `const ${u}=(${lo}>>>0)+(${p}>>>0);` + g.wr(g.f.RdLo!, `${u}|0`) +
    g.wr(g.f.RdHi!, `(${hi}+(${p}<0?-1:0)+(${u}>4294967295?1:0))|0`);
}

/** SMLAL<x><y>: RdHi:RdLo += Rn.half * Rm.half (no Q). */
const smlalxy: Gen = (g) => {
  const [pre, [n, m, lo, hi]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ['lo', g.f.RdLo!], ['hi', g.f.RdHi!]]);
  const p = g.tmp('p');
  return `${pre}const ${p}=${sh16(n, g.f.N!)}*${sh16(m, g.f.M!)};` + acc64(g, p, lo, hi);
};

/** SMLALD{X} / SMLSLD{X}: RdHi:RdLo += n.lo*m.lo +/- n.hi*m.hi (halves of Rm swapped for X); no Q. */
const smlald: Gen = (g) => {
  const [pre, [n, m, lo, hi]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ['lo', g.f.RdLo!], ['hi', g.f.RdHi!]]);
  const p = g.tmp('p');
  const sw = g.f.M ? 1 : 0;
  return `${pre}const ${p}=${sh16(n, 0)}*${sh16(m, sw)}${g.f.sub ? '-' : '+'}${sh16(n, 1)}*${sh16(m, 1 - sw)};` + acc64(g, p, lo, hi);
};

/**
 * SMMUL{R}, SMMLA{R}, SMMLS{R}: the top word of (Ra << 32) +/- Rn * Rm, plus 0x80000000 before taking it when R.
 * Adding 0x80000000 to the 64-bit value carries into the top word exactly when bit 31 of the low word is set.
 */
const smmla: Gen = (g) => {
  const acc = g.f.Ra !== undefined;
  const [pre, [n, m, a]] = locals(g, [['n', g.f.Rn!], ['m', g.f.Rm!], ...(acc ? [['a', g.f.Ra!] as [string, number]] : [])]);
  const pr = g.tmp('pr');
  let code = `${pre}const ${pr}=rt.smul64(${n},${m});`;
  if (!g.f.sub) {
    return code + g.wr(g.f.Rd!, `(${pr}[1]${acc ? `+${a}` : ''}${g.f.R ? `+(${pr}[0]>>>31)` : ''})|0`);
  }
  // (a:0) - (hi:lo): low word = -lo, borrow from the top word when lo != 0
  // rounding: bit 31 of that low word
  return code + g.wr(g.f.Rd!, `(${a}-${pr}[1]-(${pr}[0]!==0?1:0)${g.f.R ? `+((-${pr}[0]>>>0)>>>31)` : ''})|0`);
};

export const DSP_GEN: Record<string, Gen> = {
  dsp_par: parallel,
  dsp_sel: sel,
  dsp_usad8: usad8,
  dsp_qadd: qadd,
  dsp_smlaxy: smlaxy,
  dsp_smlawy: smlawy,
  dsp_smlad: smlad,
  dsp_smlalxy: smlalxy,
  dsp_smlald: smlald,
  dsp_smmla: smmla,
};
