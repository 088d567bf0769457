/**
 * Operand kinds: how a placeholder of an assembler-syntax template maps to and from instruction fields.
 * Each kind formats fields into text (disassembler) and turns a parsed operand into fields (assembler).
 *
 * Facts used (ARMv7-M ARM, DDI 0403E): ThumbExpandImm (A5.3.2), DecodeImmShift (A7.4.2), branch offsets
 * of B/BL T1-T4 (A7.7.12, A7.7.18) where I1 = NOT(J1 XOR S), I2 = NOT(J2 XOR S), and the special-register
 * numbers of MRS/MSR (B5.2.2).
 */
import type { Fields } from './types.js';

export const REG_NAMES = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];
const REG_ALIASES: Record<string, number> = {
  sp: 13, lr: 14, pc: 15, ip: 12, fp: 11, sl: 10, sb: 9, r13: 13, r14: 14, r15: 15,
  a1: 0, a2: 1, a3: 2, a4: 3, v1: 4, v2: 5, v3: 6, v4: 7, v5: 8, v6: 9, v7: 10, v8: 11, tr: 9,
};
export function parseRegName(s: string): number | undefined {
  const l = s.toLowerCase();
  const m = /^r(\d|1[0-5])$/.exec(l);
  if (m) return Number(m[1]);
  return REG_ALIASES[l];
}

export const COND_NAMES = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al'];
export const COND_ALIASES: Record<string, number> = { hs: 2, lo: 3 };
export function parseCond(s: string): number | undefined {
  const i = COND_NAMES.indexOf(s);
  if (i >= 0) return i;
  return COND_ALIASES[s];
}

/** An operand as the assembler's operand tokenizer produces it. */
export type OpTok =
  | { t: 'reg'; r: number; col: number }
  | { t: 'imm'; text: string; col: number }           // `#expr`
  | { t: 'expr'; text: string; word?: string; col: number } // bare expression; `word` when it is one identifier
  | { t: 'regs'; mask: number; col: number; error?: string }
  | { t: 'punct'; p: string; col: number };

/** What a kind needs from the assembler: expression values and the instruction's address. */
export interface ParseCtx {
  address: number;
  /** value of an expression; `known` is false while a forward symbol has no address yet */
  evaluate(text: string, col: number): { value: number; known: boolean };
}
export interface FormatCtx { address: number }

/** Result of a kind's parse: fields set, or an error on this operand. */
export type ParseResult = { ok: true; consumed: number; fields: Fields } | { ok: false; error: string; col: number; hard?: boolean };

export interface Kind {
  /** fields this placeholder sets (name is the placeholder's name) */
  fields(name: string): string[];
  format(f: Fields, name: string, ctx: FormatCtx): string;
  /** Parse tokens starting at toks[i]. `f` holds fields set so far (for kinds that depend on earlier ones). */
  parse(toks: OpTok[], i: number, name: string, f: Fields, ctx: ParseCtx): ParseResult;
  /** the operand's numeric value (immediates, targets), for the semantics */
  value?(f: Fields, name: string, ctx: FormatCtx): number;
  /** field values when an optional group holding this placeholder is absent (undefined: copy the next register) */
  dflt?(name: string): Fields;
  /** is this the default value (so the disassembler may leave the optional group out)? */
  isDefault?(f: Fields, name: string): boolean;
}

const fail = (col: number, error: string, hard = true): ParseResult => ({ ok: false, error, col, hard });
const soft = (col: number, error: string): ParseResult => ({ ok: false, error, col, hard: false });

function tokCol(toks: OpTok[], i: number): number {
  return toks[i]?.col ?? (toks.length ? toks[toks.length - 1]!.col : 0);
}

/** Read `#expr` or a bare expression as a number. */
function readImm(toks: OpTok[], i: number, ctx: ParseCtx, allowBare = true): { v: number; known: boolean; col: number } | undefined {
  const t = toks[i];
  if (!t) return undefined;
  if (t.t === 'imm') { const e = ctx.evaluate(t.text, t.col); return { v: e.value, known: e.known, col: t.col }; }
  if (t.t === 'expr' && allowBare) { const e = ctx.evaluate(t.text, t.col); return { v: e.value, known: e.known, col: t.col }; }
  return undefined;
}

// ---------------------------------------------------------------- registers
const reg: Kind = {
  fields: (n) => [n],
  format: (f, n) => REG_NAMES[f[n]!]!,
  parse(toks, i, n) {
    const t = toks[i];
    if (t?.t !== 'reg') return soft(tokCol(toks, i), 'expected a register');
    return { ok: true, consumed: 1, fields: { [n]: t.r } };
  },
};

// ---------------------------------------------------------------- plain immediates
/** Unsigned immediate: value = field * scale + add. */
function unsigned(scale: number, add = 0): Kind {
  return {
    fields: (n) => [n],
    format: (f, n) => String(f[n]! * scale + add),
    value: (f, n) => f[n]! * scale + add,
    parse(toks, i, n, _f, ctx) {
      const r = readImm(toks, i, ctx);
      if (!r) return soft(tokCol(toks, i), 'expected an immediate');
      if (!r.known) return { ok: true, consumed: 1, fields: { [n]: 0 } };
      const raw = r.v - add;
      if (raw % scale !== 0 || raw < 0) {
        return fail(r.col, scale > 1 ? `immediate ${r.v} must be a multiple of ${scale}${add ? '' : ' and not negative'}` : `immediate ${r.v} out of range`);
      }
      return { ok: true, consumed: 1, fields: { [n]: raw / scale } };
    },
    dflt: (n) => ({ [n]: 0 }),
    isDefault: (f, n) => f[n] === 0,
  };
}

/** An unsigned offset that refuses `#-0` (loads and stores: `#-0` selects the U=0 encoding). */
function unsignedOffset(scale: number): Kind {
  const k = unsigned(scale);
  return {
    ...k,
    parse(toks, i, n, f, ctx) {
      const t = toks[i];
      if ((t?.t === 'imm' || t?.t === 'expr') && /^-\s*(0x)?0+$/i.test(t.text.trim())) return soft(t.col, '#-0 is a negative offset');
      return k.parse(toks, i, n, f, ctx);
    },
  };
}

/** Signed by the U bit: value = (U ? +1 : -1) * field * scale. `#-0` is kept as U=0. */
function plusMinus(scale: number): Kind {
  return {
    fields: (n) => [n, 'U'],
    format: (f, n) => (f.U ? '' : '-') + String(f[n]! * scale),
    value: (f, n) => (f.U ? 1 : -1) * f[n]! * scale,
    parse(toks, i, n, _f, ctx) {
      const t = toks[i];
      const r = readImm(toks, i, ctx);
      if (!r || !t) return soft(tokCol(toks, i), 'expected an immediate');
      if (!r.known) return { ok: true, consumed: 1, fields: { [n]: 0, U: 1 } };
      const text = t.t === 'imm' || t.t === 'expr' ? t.text.trim() : '';
      const neg = r.v < 0 || (r.v === 0 && /^-/.test(text));
      const mag = Math.abs(r.v);
      if (mag % scale !== 0) return fail(r.col, `offset ${r.v} must be a multiple of ${scale}`);
      return { ok: true, consumed: 1, fields: { [n]: mag / scale, U: neg ? 0 : 1 } };
    },
    dflt: (n) => ({ [n]: 0, U: 1 }),
    isDefault: (f, n) => f[n] === 0 && f.U === 1,
  };
}

// ---------------------------------------------------------------- modified immediate constants
/** ThumbExpandImm (A5.3.2). */
export function thumbExpandImm(imm12: number): number {
  const top = (imm12 >>> 10) & 3;
  const b = imm12 & 0xff;
  if (top === 0) {
    switch ((imm12 >>> 8) & 3) {
      case 0: return b;
      case 1: return (b << 16 | b) >>> 0;
      case 2: return (b << 24 | b << 8) >>> 0;
      default: return (b << 24 | b << 16 | b << 8 | b) >>> 0;
    }
  }
  const unrot = 0x80 | (imm12 & 0x7f);
  const rot = (imm12 >>> 7) & 0x1f;
  return ((unrot >>> rot) | (unrot << (32 - rot))) >>> 0;
}
/** Is the 12-bit field one whose expansion is defined (imm8 == 0 with a replication pattern is UNPREDICTABLE)? */
export function thumbImmValid(imm12: number): boolean {
  return !(((imm12 >>> 10) & 3) === 0 && ((imm12 >>> 8) & 3) !== 0 && (imm12 & 0xff) === 0);
}
/** The encoding GNU as chooses for a 32-bit value, or undefined when none exists. */
export function encodeThumbImm(v: number): number | undefined {
  v >>>= 0;
  const b = v & 0xff;
  if (v <= 0xff) return v;
  if (v === ((b << 16 | b) >>> 0) && b) return 0x100 | b;
  const b1 = (v >>> 8) & 0xff;
  if (v === ((b1 << 24 | b1 << 8) >>> 0) && b1) return 0x200 | b1;
  if (v === ((b << 24 | b << 16 | b << 8 | b) >>> 0)) return 0x300 | b;
  for (let rot = 8; rot < 32; rot++) {
    const unrot = ((v << rot) | (v >>> (32 - rot))) >>> 0;
    if (unrot >= 0x80 && unrot <= 0xff) return (rot << 7) | (unrot & 0x7f);
  }
  return undefined;
}
const constKind: Kind = {
  fields: (n) => [n],
  format: (f, n) => String(thumbExpandImm(f[n]!)),
  value: (f, n) => thumbExpandImm(f[n]!),
  parse(toks, i, n, _f, ctx) {
    const r = readImm(toks, i, ctx);
    if (!r) return soft(tokCol(toks, i), 'expected an immediate');
    if (!r.known) return { ok: true, consumed: 1, fields: { [n]: 0 } };
    if (r.v < -0x80000000 || r.v > 0xffffffff) return fail(r.col, `immediate ${r.v} does not fit in 32 bits`);
    const e = encodeThumbImm(r.v);
    if (e === undefined) return fail(r.col, `immediate 0x${(r.v >>> 0).toString(16)} is not a valid Thumb-2 modified immediate constant`);
    return { ok: true, consumed: 1, fields: { [n]: e } };
  },
};

// ---------------------------------------------------------------- shifts
const SHIFT_NAMES = ['lsl', 'lsr', 'asr', 'ror'];
/** DecodeImmShift over fields sh (type) and amt (imm5). */
const shiftKind: Kind = {
  fields: () => ['sh', 'amt'],
  format(f) {
    const t = f.sh!, a = f.amt!;
    if (t === 3 && a === 0) return 'rrx';
    return `${SHIFT_NAMES[t]} #${(t === 1 || t === 2) && a === 0 ? 32 : a}`;
  },
  parse(toks, i, _n, _f, ctx) {
    const t = toks[i];
    const w = t?.t === 'expr' ? t.word?.toLowerCase() : undefined;
    if (!t || !w) return soft(tokCol(toks, i), 'expected a shift');
    if (w === 'rrx') return { ok: true, consumed: 1, fields: { sh: 3, amt: 0 } };
    const ty = SHIFT_NAMES.indexOf(w === 'asl' ? 'lsl' : w);
    if (ty < 0) return soft(t.col, `expected a shift (lsl, lsr, asr, ror, rrx), found '${w}'`);
    const r = readImm(toks, i + 1, ctx, false);
    if (!r) return fail(tokCol(toks, i + 1), `expected #amount after ${w}`);
    let a = r.known ? r.v : 1;
    const max = ty === 1 || ty === 2 ? 32 : 31;
    const min = ty === 3 ? 1 : ty === 0 ? 0 : 1;
    if (a < min || a > max) return fail(r.col, `shift amount ${a} out of range ${min}-${max} for ${w}`);
    if (a === 32) a = 0;
    return { ok: true, consumed: 2, fields: { sh: ty, amt: a } };
  },
  dflt: () => ({ sh: 0, amt: 0 }),
  isDefault: (f) => f.sh === 0 && f.amt === 0,
};
/** PKHBT takes LSL #0-31, PKHTB takes ASR #1-32 (field tb says which). */
const pkhShiftKind: Kind = {
  fields: () => ['amt'],
  format: (f) => (f.tb ? `asr #${f.amt === 0 ? 32 : f.amt}` : `lsl #${f.amt}`),
  parse(toks, i, _n, f, ctx) {
    const t = toks[i];
    const w = t?.t === 'expr' ? t.word?.toLowerCase() : undefined;
    const want = f.tb ? 'asr' : 'lsl';
    if (!t || w !== want) return soft(tokCol(toks, i), `expected ${want} #amount`);
    const r = readImm(toks, i + 1, ctx, false);
    if (!r) return fail(tokCol(toks, i + 1), `expected #amount after ${w}`);
    const a = r.known ? r.v : 1;
    if (f.tb ? a < 1 || a > 32 : a < 0 || a > 31) return fail(r.col, `shift amount ${a} out of range for ${want}`);
    return { ok: true, consumed: 2, fields: { amt: a & 31 } };
  },
  dflt: () => ({ amt: 0 }),
  isDefault: (f) => f.amt === 0 && !f.tb,
};

// ---------------------------------------------------------------- bitfields
/** BFI/BFC width from msb and lsb fields: width = msb - lsb + 1. */
const bfWidth: Kind = {
  fields: () => ['msb'],
  format: (f) => String(f.msb! - f.lsb! + 1),
  value: (f) => f.msb! - f.lsb! + 1,
  parse(toks, i, _n, f, ctx) {
    const r = readImm(toks, i, ctx);
    if (!r) return soft(tokCol(toks, i), 'expected a width');
    const w = r.known ? r.v : 1;
    if (w < 1 || w > 32 - (f.lsb ?? 0)) return fail(r.col, `bitfield width ${w} out of range 1-${32 - (f.lsb ?? 0)}`);
    return { ok: true, consumed: 1, fields: { msb: (f.lsb ?? 0) + w - 1 } };
  },
};

// ---------------------------------------------------------------- branch targets
/**
 * A PC-relative target. raw field <-> signed byte offset via dec/enc; target = base(addr) + offset, where base is
 * addr+4 for branches and Align(addr+4, 4) for literal loads and ADR.
 */
function target(bits: number, dec: (raw: number) => number, enc: (off: number) => number, opts: { align?: boolean; unsignedOnly?: boolean; step?: number } = {}): Kind {
  const step = opts.step ?? 2;
  const base = (a: number) => (opts.align ? ((a + 4) & ~3) : a + 4) >>> 0;
  return {
    fields: (n) => [n],
    format: (f, n, ctx) => '0x' + ((base(ctx.address) + dec(f[n]!)) >>> 0).toString(16).padStart(8, '0'),
    value: (f, n, ctx) => (base(ctx.address) + dec(f[n]!)) >>> 0,
    parse(toks, i, n, _f, ctx) {
      const t = toks[i];
      if (!t || (t.t !== 'expr' && t.t !== 'imm')) return soft(tokCol(toks, i), 'expected a label or address');
      const e = ctx.evaluate(t.text, t.col);
      if (!e.known) return { ok: true, consumed: 1, fields: { [n]: enc(0) } };
      const off = (e.value >>> 0) - base(ctx.address);
      const offs = off > 0x7fffffff ? off - 0x100000000 : off < -0x80000000 ? off + 0x100000000 : off;
      if (offs % step !== 0) return fail(t.col, `target 0x${(e.value >>> 0).toString(16)} is not ${step === 4 ? 'word' : 'halfword'} aligned for this instruction`);
      const raw = enc(offs);
      if (raw < 0 || raw >= 2 ** bits || dec(raw) !== offs) return fail(t.col, `target out of range (offset ${offs})`);
      return { ok: true, consumed: 1, fields: { [n]: raw } };
    },
  };
}
const sx = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits);
/** B T4 / BL: raw = S:J1:J2:imm10:imm11 (24 bits). */
function decB24(raw: number): number {
  const S = (raw >>> 23) & 1, J1 = (raw >>> 22) & 1, J2 = (raw >>> 21) & 1;
  const I1 = (~(J1 ^ S)) & 1, I2 = (~(J2 ^ S)) & 1;
  return sx((S << 24) | (I1 << 23) | (I2 << 22) | ((raw & 0x1fffff) << 1), 25);
}
function encB24(off: number): number {
  if (off < -(2 ** 24) || off >= 2 ** 24) return -1;
  const S = off < 0 ? 1 : 0, I1 = (off >>> 23) & 1, I2 = (off >>> 22) & 1;
  const J1 = (~I1 ^ S) & 1, J2 = (~I2 ^ S) & 1;
  return (S << 23) | (J1 << 22) | (J2 << 21) | ((off >>> 1) & 0x1fffff);
}
/** B T3: raw = S:J2:J1:imm6:imm11 (20 bits); offset = SignExtend(S:J2:J1:imm6:imm11:0). */
const decB20 = (raw: number) => sx(raw << 1, 21);
const encB20 = (off: number) => (off < -(2 ** 20) || off >= 2 ** 20 ? -1 : (off >>> 1) & 0xfffff);

/**
 * A literal's label: offset = label - Align(PC, 4) held as magnitude/scale with the U bit (LDR literal: scale 1,
 * up to 4095; LDRD literal: scale 4, up to 1020). The `[pc, #+/-imm]` spelling is the template's business.
 */
function literal(scale: number, limit: number): Kind {
  const target = (f: Fields, n: string, a: number) => ((((a + 4) & ~3) + (f.U ? scale : -scale) * f[n]!) >>> 0);
  return {
    fields: (n) => [n, 'U'],
    format: (f, n, ctx) => '0x' + target(f, n, ctx.address).toString(16).padStart(8, '0'),
    value: (f, n, ctx) => target(f, n, ctx.address),
    parse(toks, i, n, _f, ctx) {
      const t = toks[i];
      if (!t || t.t !== 'expr') return soft(tokCol(toks, i), 'expected a label');
      const e = ctx.evaluate(t.text, t.col);
      if (!e.known) return { ok: true, consumed: 1, fields: { [n]: 0, U: 1 } };
      const off = (e.value >>> 0) - (((ctx.address + 4) & ~3) >>> 0);
      if (off % scale !== 0) return fail(t.col, `literal at offset ${off} is not word aligned`);
      if (Math.abs(off) > limit) return fail(t.col, `literal out of range (offset ${off}, limit +/-${limit})`);
      return { ok: true, consumed: 1, fields: { [n]: Math.abs(off) / scale, U: off < 0 ? 0 : 1 } };
    },
  };
}

// ---------------------------------------------------------------- register lists
const regsKind: Kind = {
  fields: (n) => [n],
  format(f, n) {
    const m = f[n]!;
    const parts: string[] = [];
    for (let r = 0; r < 16; r++) if (m & (1 << r)) parts.push(REG_NAMES[r]!);
    return '{' + parts.join(', ') + '}';
  },
  parse(toks, i, n) {
    const t = toks[i];
    if (t?.t !== 'regs') return soft(tokCol(toks, i), 'expected a register list');
    if (t.error) return fail(t.col, t.error);
    return { ok: true, consumed: 1, fields: { [n]: t.mask } };
  },
};

// ---------------------------------------------------------------- system
export const SYSM_NAMES: Record<number, string> = {
  0: 'apsr', 1: 'iapsr', 2: 'eapsr', 3: 'xpsr', 5: 'ipsr', 6: 'epsr', 7: 'iepsr', 8: 'msp', 9: 'psp',
  16: 'primask', 17: 'basepri', 18: 'basepri_max', 19: 'faultmask', 20: 'control',
};
const SYSM_BY_NAME: Record<string, number> = Object.fromEntries(Object.entries(SYSM_NAMES).map(([k, v]) => [v, Number(k)]));
const sysmKind: Kind = {
  fields: () => ['SYSm'],
  format: (f) => SYSM_NAMES[f.SYSm!] ?? String(f.SYSm),
  parse(toks, i) {
    const t = toks[i];
    const w = t?.t === 'expr' ? t.word?.toLowerCase() : undefined;
    if (!t || w === undefined) return soft(tokCol(toks, i), 'expected a special register');
    const v = SYSM_BY_NAME[w];
    if (v === undefined) return fail(t.col, `unknown special register '${w}'`);
    return { ok: true, consumed: 1, fields: { SYSm: v } };
  },
};
/** MSR: special register plus the APSR write mask (bit 1: nzcvq, bit 0: g). */
const msrKind: Kind = {
  fields: () => ['SYSm', 'mask'],
  format(f) {
    const name = SYSM_NAMES[f.SYSm!] ?? String(f.SYSm);
    if (f.SYSm! > 3) return name;
    return name + '_' + (f.mask === 2 ? 'nzcvq' : f.mask === 1 ? 'g' : f.mask === 3 ? 'nzcvqg' : '');
  },
  parse(toks, i) {
    const t = toks[i];
    const w = t?.t === 'expr' ? t.word?.toLowerCase() : undefined;
    if (!t || w === undefined) return soft(tokCol(toks, i), 'expected a special register');
    const m = /^(apsr|iapsr|eapsr|xpsr)(?:_(nzcvq|g|nzcvqg))?$/.exec(w);
    if (m) {
      const mask = m[2] === 'g' ? 1 : m[2] === 'nzcvqg' ? 3 : 2;
      return { ok: true, consumed: 1, fields: { SYSm: SYSM_BY_NAME[m[1]!]!, mask } };
    }
    const v = SYSM_BY_NAME[w];
    if (v === undefined) return fail(t.col, `unknown special register '${w}'`);
    return { ok: true, consumed: 1, fields: { SYSm: v, mask: 2 } };
  },
};
const iflagsKind: Kind = {
  fields: () => ['I', 'F'],
  format: (f) => (f.I ? 'i' : '') + (f.F ? 'f' : ''),
  parse(toks, i) {
    const t = toks[i];
    const w = t?.t === 'expr' ? t.word?.toLowerCase() : undefined;
    if (!t || !w || !/^(i|f|if|fi)$/.test(w)) return soft(tokCol(toks, i), 'expected i, f or if');
    return { ok: true, consumed: 1, fields: { I: w.includes('i') ? 1 : 0, F: w.includes('f') ? 1 : 0 } };
  },
};
const BARRIER_NAMES: Record<number, string> = { 15: 'sy', 14: 'st', 13: 'ld', 11: 'ish', 10: 'ishst', 9: 'ishld', 7: 'nsh', 6: 'nshst', 5: 'nshld', 3: 'osh', 2: 'oshst', 1: 'oshld' };
const barrierKind: Kind = {
  fields: () => ['option'],
  format: (f) => (f.option === 15 ? 'sy' : `#${f.option}`),
  parse(toks, i, _n, _f, ctx) {
    const t = toks[i];
    if (t?.t === 'expr' && t.word) {
      const e = Object.entries(BARRIER_NAMES).find(([, v]) => v === t.word!.toLowerCase());
      if (e) return { ok: true, consumed: 1, fields: { option: Number(e[0]) } };
      // older ARMv7 names that GNU as and llvm-mc still take
      const alias = ({ sh: 11, shst: 10, un: 7, unst: 6 } as Record<string, number>)[t.word.toLowerCase()];
      if (alias !== undefined) return { ok: true, consumed: 1, fields: { option: alias } };
    }
    const r = readImm(toks, i, ctx, false);
    if (!r) return soft(tokCol(toks, i), 'expected a barrier option');
    if (r.v < 0 || r.v > 15) return fail(r.col, `barrier option ${r.v} out of range 0-15`);
    return { ok: true, consumed: 1, fields: { option: r.v } };
  },
  dflt: () => ({ option: 15 }),
  isDefault: (f) => f.option === 15,
};
const condKind: Kind = {
  fields: (n) => [n],
  format: (f, n) => COND_NAMES[f[n]!] ?? '??',
  parse(toks, i, n) {
    const t = toks[i];
    const w = t?.t === 'expr' ? t.word?.toLowerCase() : undefined;
    const c = w === undefined ? undefined : parseCond(w);
    if (!t || c === undefined) return fail(tokCol(toks, i), 'expected a condition code');
    return { ok: true, consumed: 1, fields: { [n]: c } };
  },
};

/** Kinds by name. A placeholder `<name:kind>` names its kind; `<name>` uses defaultKind(name). */
export const KINDS: Record<string, Kind> = {
  reg, const: constKind, shift: shiftKind, bfw: bfWidth, regs: regsKind,
  sysm: sysmKind, msr: msrKind, iflags: iflagsKind, barrier: barrierKind, cond: condKind,
  u: unsigned(1), 'u*4': unsigned(4), '+1': unsigned(1, 1),
  sh32: {
    fields: (n) => [n],
    format: (f, n) => String(f[n] === 0 ? 32 : f[n]),
    value: (f, n) => (f[n] === 0 ? 32 : f[n]!),
    parse(toks, i, n, _f, ctx) {
      const r = readImm(toks, i, ctx);
      if (!r) return soft(tokCol(toks, i), 'expected a shift amount');
      const v = r.known ? r.v : 1;
      if (v < 1 || v > 32) return fail(r.col, `shift amount ${v} out of range 1-32`);
      return { ok: true, consumed: 1, fields: { [n]: v & 31 } };
    },
  },
  zero: {
    fields: () => [],
    format: () => '0',
    value: () => 0,
    parse(toks, i, _n, _f, ctx) {
      const r = readImm(toks, i, ctx);
      if (!r) return soft(tokCol(toks, i), 'expected #0');
      if (r.known && r.v !== 0) return fail(r.col, `immediate must be 0`);
      return { ok: true, consumed: 1, fields: {} };
    },
  },
  /** SSAT/USAT shift: field sh (0 LSL, 1 ASR) and amt; LSL #0-31, ASR #1-31 */
  satshift: {
    fields: () => ['sh', 'amt'],
    format: (f) => (f.sh ? `asr #${f.amt}` : `lsl #${f.amt}`),
    parse(toks, i, _n, _f, ctx) {
      const t = toks[i];
      const w = t?.t === 'expr' ? t.word?.toLowerCase() : undefined;
      if (!t || (w !== 'lsl' && w !== 'asr')) return soft(tokCol(toks, i), 'expected lsl #n or asr #n');
      const r = readImm(toks, i + 1, ctx, false);
      if (!r) return fail(tokCol(toks, i + 1), `expected #amount after ${w}`);
      const a = r.known ? r.v : 1;
      if (w === 'lsl' ? a < 0 || a > 31 : a < 1 || a > 31) return fail(r.col, `shift amount ${a} out of range for ${w}`);
      return { ok: true, consumed: 2, fields: { sh: w === 'asr' ? 1 : 0, amt: a } };
    },
    dflt: () => ({ sh: 0, amt: 0 }),
    isDefault: (f) => f.sh === 0 && f.amt === 0,
  },
  /** a register not written, meaning the one after Rt (GNU's `ldrd r0, [r1]` for `ldrd r0, r1, [r1]`); takes no operand */
  next: {
    fields: (n) => [n],
    format: (f, n) => REG_NAMES[f[n]!]!,
    parse(_toks, _i, n, f) {
      if (f.Rt === undefined || f.Rt >= 15) return soft(0, 'no register follows Rt');
      return { ok: true, consumed: 0, fields: { [n]: f.Rt + 1 } };
    },
  },
  pm: plusMinus(1), 'pm*4': plusMinus(4),
  /** The extends' rotation `ror #8|16|24` over a 2-bit field (rotation = field * 8); absent is 0. */
  ror: {
    fields: (n) => [n],
    format: (f, n) => `ror #${f[n]! * 8}`,
    value: (f, n) => f[n]! * 8,
    parse(toks, i, n, _f, ctx) {
      const t = toks[i];
      if (!t || t.t !== 'expr' || t.word?.toLowerCase() !== 'ror') return soft(tokCol(toks, i), 'expected ror #8, #16 or #24');
      const r = readImm(toks, i + 1, ctx, false);
      if (!r) return fail(tokCol(toks, i + 1), 'expected #amount after ror');
      const v = r.known ? r.v : 8;
      if (v !== 0 && v !== 8 && v !== 16 && v !== 24) return fail(r.col, `rotation ${v} must be 0, 8, 16 or 24`);
      return { ok: true, consumed: 2, fields: { [n]: v / 8 } };
    },
    dflt: (n) => ({ [n]: 0 }),
    isDefault: (f, n) => f[n] === 0,
  },
  /**
   * PKHBT/PKHTB's optional `, lsl #n` / `, asr #n`, comma included (it sits right after <Rm>). PKHTB without a
   * shift is not ASR #32: it is the pseudo-instruction PKHBT Rd, Rm, Rn (A7.7 PKHBT, PKHTB), which the `pkhswap`
   * template handles, so here it does not match.
   */
  pkhsh: {
    fields: () => ['amt'],
    format: (f) => (f.tb ? `, asr #${f.amt === 0 ? 32 : f.amt}` : f.amt ? `, lsl #${f.amt}` : ''),
    parse(toks, i, n, f, ctx) {
      if (i >= toks.length) return f.tb ? soft(tokCol(toks, i), 'expected , asr #1-32') : { ok: true, consumed: 0, fields: { amt: 0 } };
      const c = toks[i]!;
      if (c.t !== 'punct' || c.p !== ',') return soft(c.col, "expected ','");
      const r = pkhShiftKind.parse(toks, i + 1, n, f, ctx);
      return r.ok ? { ...r, consumed: r.consumed + 1 } : r;
    },
  },
  /** `pkhtb Rd, Rn, Rm` without a shift: matches nothing and sets tb = 0, amt = 0 (the template swaps Rn, Rm). */
  pkhswap: {
    fields: () => ['amt', 'tb'],
    format: () => '',
    parse: () => ({ ok: true, consumed: 0, fields: { amt: 0, tb: 0 } }),
  },
  b8: target(8, (r) => sx(r, 8) * 2, (o) => (o >> 1) & 0xff),
  b11: target(11, (r) => sx(r, 11) * 2, (o) => (o >> 1) & 0x7ff),
  b20: target(20, decB20, encB20),
  b24: target(24, decB24, encB24),
  cb: target(6, (r) => r * 2, (o) => (o < 0 ? -1 : o >> 1), { unsignedOnly: true }),
  adr8: target(8, (r) => r * 4, (o) => (o < 0 ? -1 : o >> 2), { align: true, step: 4 }),
  lit8: target(8, (r) => r * 4, (o) => (o < 0 ? -1 : o >> 2), { align: true, step: 4 }),
  lit12: literal(1, 4095),
  adr12p: target(12, (r) => r, (o) => (o < 0 ? -1 : o), { align: true, step: 1 }),
  adr12m: target(12, (r) => -r, (o) => (o > 0 ? -1 : -o), { align: true, step: 1 }),
  /**
   * An immediate that must equal the number the placeholder is named by, and sets no field: `hint #<3:fixed>`
   * (WFI as its hint number).
   */
  fixed: {
    fields: () => [],
    format: (_f, n) => n,
    value: (_f, n) => Number(n),
    parse(toks, i, n, _f, ctx) {
      const r = readImm(toks, i, ctx);
      if (!r) return soft(tokCol(toks, i), `expected #${n}`);
      if (r.known && r.v !== Number(n)) return soft(r.col, `immediate must be ${n}`);
      return { ok: true, consumed: 1, fields: {} };
    },
  },
  /** DBG's option as its hint number: `hint #<option:+240>` is DBG #option (hint 0b1111xxxx). */
  '+240': unsigned(1, 240),
  /** TBH's index scaling, `lsl #1`, which sets no field. */
  lsl1: {
    fields: () => [],
    format: () => 'lsl #1',
    parse(toks, i, _n, _f, ctx) {
      const t = toks[i];
      if (!t || t.t !== 'expr' || t.word?.toLowerCase() !== 'lsl') return soft(tokCol(toks, i), 'expected lsl #1');
      const r = readImm(toks, i + 1, ctx, false);
      if (!r) return fail(tokCol(toks, i + 1), 'expected #1 after lsl');
      if (r.known && r.v !== 1) return fail(r.col, 'the shift must be lsl #1');
      return { ok: true, consumed: 2, fields: {} };
    },
  },
  // ---- loads and stores (isa/ldst.ts)
  /** A negative-only offset (the imm8 forms with P=1 U=0 W=0, PLD/PLI T2): `#-n`, `#-0` included; the field holds n. */
  neg: {
    fields: (n) => [n],
    format: (f, n) => '-' + String(f[n]),
    value: (f, n) => -f[n]!,
    parse(toks, i, n, _f, ctx) {
      const t = toks[i];
      const r = readImm(toks, i, ctx);
      if (!r || !t) return soft(tokCol(toks, i), 'expected an immediate');
      const text = t.t === 'imm' || t.t === 'expr' ? t.text.trim() : '';
      if (!r.known || r.v > 0 || (r.v === 0 && !/^-/.test(text))) return soft(r.col, 'expected a negative offset');
      return { ok: true, consumed: 1, fields: { [n]: Math.abs(r.v) } };
    },
  },
  /** The writeback mark of LDM/STM: `!` after the base register sets the field (W). */
  wb: {
    fields: (n) => [n],
    format: (f, n) => (f[n] ? '!' : ''),
    parse(toks, i, n) {
      const t = toks[i];
      if (t?.t === 'punct' && t.p === '!') return { ok: true, consumed: 1, fields: { [n]: 1 } };
      return { ok: true, consumed: 0, fields: { [n]: 0 } };
    },
  },
  /** A register list holding the PC, for the encodings whose PC bit is fixed: the field holds the other registers. */
  regspc: {
    fields: (n) => [n],
    format: (f, n, ctx) => regsKind.format({ ...f, [n]: f[n]! | 0x8000 }, n, ctx),
    value: (f, n) => f[n]! | 0x8000,
    parse(toks, i, n, f, ctx) {
      const r = regsKind.parse(toks, i, n, f, ctx);
      if (!r.ok) return r;
      if (!(r.fields[n]! & 0x8000)) return soft(tokCol(toks, i), 'register list without pc');
      return { ok: true, consumed: 1, fields: { [n]: r.fields[n]! & 0x7fff } };
    },
  },
  /** A register list without the PC (the encodings with the PC bit fixed at 0; the PC forms are other entries). */
  regsnopc: {
    fields: (n) => [n],
    format: (f, n, ctx) => regsKind.format(f, n, ctx),
    parse(toks, i, n, f, ctx) {
      const r = regsKind.parse(toks, i, n, f, ctx);
      if (r.ok && r.fields[n]! & 0x8000) return soft(tokCol(toks, i), 'register list with pc');
      return r;
    },
  },
  /** A list of one register, `{r3}` (PUSH/POP T3): sets the register field. */
  reg1: {
    fields: (n) => [n],
    format: (f, n) => `{${REG_NAMES[f[n]!]}}`,
    parse(toks, i, n) {
      const t = toks[i];
      if (t?.t !== 'regs' || t.error || (t.mask & (t.mask - 1)) !== 0 || t.mask === 0) return soft(tokCol(toks, i), 'expected a list of one register');
      return { ok: true, consumed: 1, fields: { [n]: 31 - Math.clz32(t.mask) } };
    },
  },
  /** Exactly `{pc}`, setting no field (POP T3 with Rt = PC). */
  pc1: {
    fields: () => [],
    format: () => '{pc}',
    parse(toks, i) {
      const t = toks[i];
      if (t?.t !== 'regs' || t.error || t.mask !== 0x8000) return soft(tokCol(toks, i), 'expected {pc}');
      return { ok: true, consumed: 1, fields: {} };
    },
  },
  /**
   * LDM T1's base and list (placeholder Rn): `Rn!, {list}` when Rn is not in the list (writeback), `Rn, {list}` when
   * it is (no writeback). Sets Rn and registers.
   */
  ldm16: {
    fields: () => ['Rn', 'registers'],
    format: (f, _n, ctx) => `${REG_NAMES[f.Rn!]}${(f.registers! >>> f.Rn!) & 1 ? '' : '!'}, ${regsKind.format(f, 'registers', ctx)}`,
    parse(toks, i) {
      const t = toks[i];
      if (t?.t !== 'reg') return soft(tokCol(toks, i), 'expected a register');
      let k = i + 1;
      const b = toks[k];
      const bang = b?.t === 'punct' && b.p === '!';
      if (bang) k++;
      const c = toks[k];
      if (!(c?.t === 'punct' && c.p === ',')) return soft(tokCol(toks, k), "expected ','");
      const l = toks[k + 1];
      if (l?.t !== 'regs') return soft(tokCol(toks, k + 1), 'expected a register list');
      if (l.error) return fail(l.col, l.error);
      const inList = ((l.mask >>> t.r) & 1) === 1;
      if (bang === inList) return soft(t.col, bang ? "writeback '!' with the base register in the list" : "without '!' the base register must be in the list");
      return { ok: true, consumed: k + 2 - i, fields: { Rn: t.r, registers: l.mask } };
    },
  },
  /** Unsigned load/store offsets (scaled): like u, but `#-0` is refused, being the U=0 form of another encoding. */
  off: unsignedOffset(1), 'off*2': unsignedOffset(2), 'off*4': unsignedOffset(4),
  /** The register-offset shift of loads and stores, `lsl #0-3`, in the field (imm2). */
  lslimm: {
    fields: (n) => [n],
    format: (f, n) => `lsl #${f[n]}`,
    value: (f, n) => f[n]!,
    parse(toks, i, n, _f, ctx) {
      const t = toks[i];
      if (!t || t.t !== 'expr' || t.word?.toLowerCase() !== 'lsl') return soft(tokCol(toks, i), 'expected lsl #0-3');
      const r = readImm(toks, i + 1, ctx, false);
      if (!r) return fail(tokCol(toks, i + 1), 'expected #amount after lsl');
      const a = r.known ? r.v : 0;
      if (a < 0 || a > 3) return fail(r.col, `shift amount ${a} out of range 0-3`);
      return { ok: true, consumed: 2, fields: { [n]: a } };
    },
    dflt: (n) => ({ [n]: 0 }),
    isDefault: (f, n) => f[n] === 0,
  },
  /** LDRD (literal)'s label: a word-aligned offset from Align(PC, 4) within +/-1020; sets the field (offset/4) and U. */
  litd: literal(4, 1020),
  // ---- assembler-only aliases (GNU as takes them): the other instruction's immediate, negated or inverted.
  // Each takes only values the plain form cannot (so the plain form keeps its own), failing softly otherwise.
  /** `sub ... #-n` is `add ... #n`: a negative value, stored as its magnitude */
  nimm: aliasImm((v) => (v < 0 ? -v : undefined)),
  /** `add sp, #-8` is `sub sp, #8`: a negative multiple of 4, stored as magnitude / 4 */
  'nimm*4': aliasImm((v) => (v < 0 && -v % 4 === 0 ? -v / 4 : undefined)),
  /** `cmp rn, #-2` is `cmn rn, #2`: a value that is no modified immediate but whose negation is */
  nconst: aliasImm((v) => (encodeThumbImm(v) === undefined ? encodeThumbImm(-v >>> 0) : undefined)),
  /** `mov rd, #-3` is `mvn rd, #2`: a value that is no modified immediate but whose complement is */
  iconst: aliasImm((v) => (encodeThumbImm(v) === undefined ? encodeThumbImm(~v >>> 0) : undefined)),
  /** `mov rd, rn, lsl rm` (and lsr, asr, ror) is `lsl rd, rn, rm`: the shift and its register, which the operand
   * tokenizer hands over as one expression `lsl rm` */
  lslreg: shiftRegAlias('lsl'), lsrreg: shiftRegAlias('lsr'), asrreg: shiftRegAlias('asr'), rorreg: shiftRegAlias('ror'),
  /** ADR's SUB form as GNU objdump prints it (`subw rd, pc, #imm`): the field is imm, the value Align(PC, 4) - imm.
   * (An absolute target cannot tell `subw rd, pc, #0` from `addw rd, pc, #0`.) */
  pcsub: {
    fields: (n) => [n],
    format: (f, n) => String(f[n]),
    value: (f, n, ctx) => ((((ctx.address + 4) & ~3) - f[n]!) >>> 0),
    parse(toks, i, n, _f, ctx) {
      const r = readImm(toks, i, ctx);
      if (!r) return soft(tokCol(toks, i), 'expected an immediate');
      const v = r.known ? r.v : 0;
      if (v < 0) return fail(r.col, `immediate ${v} out of range`);
      return { ok: true, consumed: 1, fields: { [n]: v } };
    },
  },
  /** a field the spelling leaves out, which is 0 (`neg rd, rn` is `rsb rd, rn, #0`); takes no operand */
  is0: {
    fields: (n) => [n],
    format: () => '',
    parse: (_toks, _i, n) => ({ ok: true, consumed: 0, fields: { [n]: 0 } }),
  },
};

function shiftRegAlias(shift: string): Kind {
  return {
    fields: (n) => [n],
    format: (f, n) => `${shift} ${REG_NAMES[f[n]!]}`,
    parse(toks, i, n) {
      const t = toks[i];
      const m = t?.t === 'expr' ? /^(\w+)\s+(\w+)$/.exec(t.text.trim()) : null;
      const r = m && m[1]!.toLowerCase() === shift ? parseRegName(m[2]!) : undefined;
      if (!t || r === undefined) return soft(tokCol(toks, i), `expected ${shift} <register>`);
      return { ok: true, consumed: 1, fields: { [n]: r } };
    },
  };
}

/** An alias immediate: `conv` gives the field for a value, or undefined when this spelling does not take it. */
function aliasImm(conv: (v: number) => number | undefined): Kind {
  return {
    fields: (n) => [n],
    format: (f, n) => String(f[n]),
    parse(toks, i, n, _f, ctx) {
      const r = readImm(toks, i, ctx);
      if (!r) return soft(tokCol(toks, i), 'expected an immediate');
      if (!r.known || r.v < -0x80000000 || r.v > 0xffffffff) return soft(r.col, 'not an alias immediate');
      const v = conv(r.v);
      if (v === undefined) return soft(r.col, 'not an alias immediate');
      return { ok: true, consumed: 1, fields: { [n]: v } };
    },
  };
}

export function defaultKind(name: string): string {
  if (/^R/.test(name)) return 'reg';
  if (name === 'registers') return 'regs';
  if (name === 'shift') return 'shift';
  return 'u';
}
