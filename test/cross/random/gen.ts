/**
 * Random straight-line and looping programs over the integer + DSP Thumb ISA (ARMv7E-M), for the differential
 * test against QEMU (../random-programs.test.ts).
 *
 * fast-check generates the *shape* and the entropy of a case: the initial registers (edge-biased words), the flags,
 * the base register, and a list of items (plain instructions, IT blocks, forward branches, counted loops), each
 * plain instruction being a family name and a 32-bit seed. `realize` then turns that into assembly text
 * deterministically, keeping the rules that make a program's behaviour architecturally defined:
 *
 * - only R0-R12 are operands (no SP/PC/LR); the base register (R0-R7) is never written except by writeback,
 *   and a loop counter is never written by its loop's body;
 * - every memory access stays inside the 256-byte scratch buffer whatever path was taken: the base register's
 *   displacement from the buffer's middle is tracked as a range [lo, hi] (writeback in IT blocks and skipped code
 *   widens it), writeback steps are multiples of 4 so LDRD/LDM/LDREX stay word aligned (they fault otherwise);
 * - no UNPREDICTABLE form: RdHi != RdLo, LDRD Rt != Rt2, no writeback with Rn == Rt, LDM/STM lists of at least two
 *   registers without the base when writing back, STREX Rd != Rt and != Rn, BFI/BFC/SBFX/UBFX within 32 bits,
 *   CBZ/CBNZ and IT outside IT blocks, branches only as the last instruction of an IT block;
 * - exclusive pairs (LDREX then STREX to the same address and size) only outside IT blocks and loops, and a lone
 *   STREX only right after CLREX (it must fail): with a local monitor, whether a STREX to another address or after
 *   an ordinary store succeeds is IMPLEMENTATION DEFINED (ARMv7-M ARM A3.4.5), and QEMU compares the value too.
 */
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------------------------
// What fast-check generates

export interface Flags { n: number; z: number; c: number; v: number; q: number; ge: number }
export interface Simple { k: 'op'; fam: string; seed: number }
export interface ItItem { k: 'it'; cond: number; mask: number[]; body: Simple[]; seed: number }
export interface BrItem { k: 'br'; seed: number; body: (Simple | ItItem)[] }
export interface LoopItem { k: 'loop'; seed: number; n: number; body: (Simple | ItItem)[] }
export type Item = Simple | ItItem | BrItem | LoopItem;
export interface RawCase { regs: number[]; flags: Flags; base: number; items: Item[] }

const EDGES = [0, 1, 2, 0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0x80000001, 0x7fff, 0x8000, 0xffff, 0x10000, 0xff, 0x80, 0x7f, 31, 32, 33];
const half = fc.oneof(fc.constantFrom(0, 1, 0x7fff, 0x8000, 0xffff, 0xfffe, 0x8001), fc.integer({ min: 0, max: 0xffff }));
const byte = fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81), fc.integer({ min: 0, max: 0xff }));
export const word: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  { weight: 2, arbitrary: fc.integer({ min: -70, max: 70 }).map((x) => x >>> 0) },
  { weight: 2, arbitrary: fc.tuple(half, half).map(([a, b]) => ((a << 16) | b) >>> 0) },
  { weight: 2, arbitrary: fc.tuple(byte, byte, byte, byte).map(([a, b, c, d]) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0) },
);
const bit = fc.integer({ min: 0, max: 1 });
export const flagsArb: fc.Arbitrary<Flags> = fc.record({ n: bit, z: bit, c: bit, v: bit, q: bit, ge: fc.integer({ min: 0, max: 15 }) });

/** instruction families and their weights */
export const FAMILIES: [string, number][] = [
  ['dp_reg', 8], ['dp_imm', 6], ['dp_imm12', 2], ['dp16', 5], ['mov', 4], ['shift', 4], ['cmp', 3], ['movwt', 2],
  ['mul', 3], ['long', 3], ['div', 2], ['sat', 3], ['bitfield', 3], ['misc1', 3], ['extend', 3], ['extadd', 3],
  ['par', 6], ['qadd', 2], ['selsad', 2], ['smulxy', 3], ['smlad', 3], ['smlal', 2], ['smmul', 2], ['pkh', 2],
  ['msr', 1], ['mrs', 1], ['ld', 6], ['st', 5], ['ldst_reg', 3], ['ldrd', 2], ['ldm', 3], ['ldrt', 1],
  ['excl', 1], ['pushpop', 1], ['nop', 1],
];
const famArb = fc.constantFrom(...FAMILIES.flatMap(([f, w]) => Array<string>(w).fill(f)));
const simpleArb: fc.Arbitrary<Simple> = fc.record({ k: fc.constant('op' as const), fam: famArb, seed: fc.integer({ min: 0, max: 0xffffffff }) });
const itArb: fc.Arbitrary<ItItem> = fc.record({
  k: fc.constant('it' as const),
  cond: fc.integer({ min: 0, max: 13 }),
  mask: fc.array(bit, { minLength: 0, maxLength: 3 }),
  body: fc.array(simpleArb, { minLength: 4, maxLength: 4 }),
  seed: fc.integer({ min: 0, max: 0xffffffff }),
});
const innerArb = fc.array(fc.oneof({ weight: 4, arbitrary: simpleArb as fc.Arbitrary<Simple | ItItem> }, { weight: 1, arbitrary: itArb }), { minLength: 1, maxLength: 3 });
const itemArb: fc.Arbitrary<Item> = fc.oneof(
  { weight: 14, arbitrary: simpleArb },
  { weight: 3, arbitrary: itArb },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('br' as const), seed: fc.integer({ min: 0, max: 0xffffffff }), body: innerArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('loop' as const), seed: fc.integer({ min: 0, max: 0xffffffff }), n: fc.integer({ min: 1, max: 5 }), body: innerArb }) },
);
export const caseArb: fc.Arbitrary<RawCase> = fc.record({
  regs: fc.array(word, { minLength: 13, maxLength: 13 }),
  flags: flagsArb,
  base: fc.integer({ min: 0, max: 7 }),
  items: fc.array(itemArb, { minLength: 1, maxLength: 10 }),
});

// ---------------------------------------------------------------------------------------------------------------
// Realization: raw case -> assembly lines

/** scratch buffer: SCRATCH bytes, the base register starts at its middle */
export const SCRATCH = 256;
const MID = SCRATCH / 2;
/** the base register's displacement stays within +-DRIFT */
const DRIFT = 64;

/** xorshift32 PRNG seeded by a generated word */
class Rng {
  private s: number;
  constructor(seed: number) { this.s = (seed >>> 0) || 0x9e3779b9; this.u32(); }
  u32(): number { let x = this.s; x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; this.s = x >>> 0; return this.s; }
  int(lo: number, hi: number): number { return lo + (this.u32() % (hi - lo + 1)); }
  bool(p = 0.5): boolean { return this.u32() / 4294967296 < p; }
  pick<T>(a: readonly T[]): T { return a[this.u32() % a.length]!; }
}

export const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al'];
const inv = (c: number) => c ^ 1;
const r = (i: number) => `r${i}`;
const hex = (x: number) => '0x' + (x >>> 0).toString(16);
const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** a value ThumbExpandImm can produce (A5.3.2), from each of its forms */
function modImm(g: Rng): number {
  const x = g.bool(0.2) ? g.pick([0, 1, 0x7f, 0x80, 0xff]) : g.int(0, 255);
  switch (g.int(0, 4)) {
    case 0: return x;
    case 1: return ((x << 16) | x) >>> 0;
    case 2: return ((x << 24) | (x << 8)) >>> 0;
    case 3: return ((x << 24) | (x << 16) | (x << 8) | x) >>> 0;
    default: { const v = 0x80 | (x & 0x7f), rot = g.int(8, 31); return ((v >>> rot) | (v << (32 - rot))) >>> 0; }
  }
}
/** an optional immediate shift, `, lsl #n` etc. */
function shiftOpt(g: Rng, none = 0.3): string {
  if (g.bool(none)) return '';
  switch (g.int(0, 4)) {
    case 0: return `, lsl #${g.bool(0.3) ? g.pick([1, 31]) : g.int(1, 31)}`;
    case 1: return `, lsr #${g.bool(0.3) ? g.pick([1, 32]) : g.int(1, 32)}`;
    case 2: return `, asr #${g.bool(0.3) ? g.pick([1, 32]) : g.int(1, 32)}`;
    case 3: return `, ror #${g.int(1, 31)}`;
    default: return ', rrx';
  }
}

interface Ctx {
  base: number;
  /** registers that must not be written (the base, loop counters) */
  avoid: Set<number>;
  /** the base's displacement from MID: range over the paths that may have been taken */
  lo: number;
  hi: number;
  /** inside an IT block: the instruction's condition */
  cond: string | null;
  inLoop: boolean;
  out: string[];
}

interface Ins { mn: string; ops: string; s?: boolean }

export function realize(c: RawCase): string[] {
  const ctx: Ctx = { base: c.base, avoid: new Set([c.base]), lo: 0, hi: 0, cond: null, inLoop: false, out: [] };
  // about 1-20 instructions: no new item once 16 lines are out (an IT block or a loop adds up to 6 or 8)
  for (const it of c.items) if (ctx.out.length < 16) item(ctx, it);
  return ctx.out;
}

function emit(ctx: Ctx, i: Ins): void {
  ctx.out.push(`${i.mn}${i.s ? 's' : ''}${ctx.cond ?? ''}${i.ops ? ' ' + i.ops : ''}`);
}

function item(ctx: Ctx, it: Item): void {
  if (it.k === 'op') { simple(ctx, it); return; }
  if (it.k === 'it') { itBlock(ctx, it); return; }
  const g = new Rng(it.seed);
  if (it.k === 'br') {
    const lo = ctx.lo, hi = ctx.hi;
    const lowRegs = ALL.filter((x) => x < 8);
    const kind = g.int(0, 3);
    if (kind === 0) ctx.out.push(`cbz ${r(g.pick(lowRegs))}, 8f`);
    else if (kind === 1) ctx.out.push(`cbnz ${r(g.pick(lowRegs))}, 8f`);
    else ctx.out.push(`b${g.bool(0.15) ? '' : CONDS[g.int(0, 13)]} 8f`);
    for (const b of it.body) item(ctx, b);
    ctx.out.push('8:');
    ctx.lo = Math.min(lo, ctx.lo); ctx.hi = Math.max(hi, ctx.hi);
    return;
  }
  // counted loop: the body runs n times with the counter out of its reach; no writeback inside
  const free = ALL.filter((x) => !ctx.avoid.has(x));
  const counter = g.pick(free);
  ctx.out.push(`mov ${r(counter)}, #${it.n}`, '9:');
  ctx.avoid.add(counter);
  const wasLoop = ctx.inLoop;
  ctx.inLoop = true;
  for (const b of it.body) item(ctx, b);
  ctx.inLoop = wasLoop;
  ctx.avoid.delete(counter);
  ctx.out.push(`subs ${r(counter)}, ${r(counter)}, #1`, 'bne 9b');
}

function itBlock(ctx: Ctx, it: ItItem): void {
  const g = new Rng(it.seed);
  const cond = it.cond;
  // AL takes only 't' slots
  const mask = cond === 14 ? it.mask.map(() => 1) : it.mask;
  const conds = [cond, ...mask.map((m) => (m ? cond : inv(cond)))];
  ctx.out.push(`it${mask.map((m) => (m ? 't' : 'e')).join('')} ${CONDS[cond]}`);
  const lo = ctx.lo, hi = ctx.hi;
  conds.forEach((cc, i) => {
    ctx.cond = CONDS[cc]!;
    const last = i === conds.length - 1;
    // a branch out of the block may be its last instruction (to the next instruction after the block)
    if (last && g.bool(0.1)) ctx.out.push(`b${ctx.cond} 7f`);
    else simple(ctx, it.body[i]!);
  });
  ctx.cond = null;
  if (ctx.out.at(-1)!.endsWith(' 7f')) ctx.out.push('7:');
  ctx.lo = Math.min(lo, ctx.lo); ctx.hi = Math.max(hi, ctx.hi);
}

function simple(ctx: Ctx, s: Simple): void {
  const g = new Rng(s.seed);
  const dests = ALL.filter((x) => !ctx.avoid.has(x));
  const lowDests = dests.filter((x) => x < 8);
  // destinations and sources, biased to a few registers (so operands overlap) and to low ones (16-bit forms)
  const d = () => (g.bool(0.5) && lowDests.length ? g.pick(lowDests.slice(0, 3)) : g.pick(dests));
  const n = () => (g.bool(0.4) ? g.int(0, 3) : g.int(0, 12));
  const inIT = ctx.cond !== null;
  const E = (mn: string, ops: string, sf = false) => emit(ctx, { mn, ops, s: sf });
  switch (s.fam) {
    case 'dp_reg': {
      const op = g.pick(['and', 'orr', 'eor', 'bic', 'orn', 'add', 'adc', 'sub', 'sbc', 'rsb']);
      const rd = d(), sf = g.bool();
      const rn = g.bool(0.3) ? rd : n();
      const two = g.bool(0.2) && rn === rd && op !== 'rsb' && op !== 'orn';
      E(op, two ? `${r(rd)}, ${r(n())}` : `${r(rd)}, ${r(rn)}, ${r(n())}${shiftOpt(g, 0.5)}`, sf);
      return;
    }
    case 'dp_imm': {
      const op = g.pick(['and', 'orr', 'eor', 'bic', 'orn', 'add', 'adc', 'sub', 'sbc', 'rsb']);
      E(op, `${r(d())}, ${r(n())}, #${hex(modImm(g))}`, g.bool());
      return;
    }
    case 'dp_imm12': {
      // GNU as 2.40 does not widen `add<c>`/`sub<c>` with a 12-bit immediate to ADDW/SUBW inside an IT block
      // ("invalid constant after fixup"): there only the explicit spellings
      const op = g.pick(inIT ? ['addw', 'subw'] : ['add', 'sub', 'addw', 'subw']);
      E(op, `${r(d())}, ${r(n())}, #${g.bool(0.2) ? g.pick([0, 4095, 1]) : g.int(0, 4095)}`);
      return;
    }
    case 'dp16': {
      // the forms GNU as assembles to 16-bit encodings outside IT blocks (32-bit inside)
      const lo = lowDests.length ? lowDests : dests;
      const rd = g.pick(lo), rm = g.int(0, 7);
      switch (g.int(0, 8)) {
        case 0: E('add', `${r(rd)}, ${r(rm)}, #${g.int(0, 7)}`, true); return;
        case 1: E('sub', `${r(rd)}, ${r(rm)}, #${g.int(0, 7)}`, true); return;
        case 2: E('add', `${r(rd)}, #${g.int(0, 255)}`, true); return;
        case 3: E('sub', `${r(rd)}, #${g.int(0, 255)}`, true); return;
        case 4: E('mov', `${r(rd)}, #${g.int(0, 255)}`, true); return;
        case 5: E(g.pick(['and', 'eor', 'orr', 'bic', 'adc', 'sbc']), `${r(rd)}, ${r(rm)}`, true); return;
        case 6: E('rsb', `${r(rd)}, ${r(rm)}, #0`, true); return;
        case 7: if (inIT) E('mul', `${r(rd)}, ${r(rm)}, ${r(rd)}`); else E('mul', `${r(rd)}, ${r(rm)}, ${r(rd)}`, true); return;
        default: E(g.pick(['add', 'sub']), `${r(rd)}, ${r(rm)}, ${r(g.int(0, 7))}`, true); return;
      }
    }
    case 'mov': {
      const rd = d();
      switch (g.int(0, 4)) {
        case 0: E(g.pick(['mov', 'mvn']), `${r(rd)}, #${hex(modImm(g))}`, g.bool()); return;
        case 1: E(g.pick(['mov', 'mvn']), `${r(rd)}, ${r(n())}${shiftOpt(g, 0.5)}`, g.bool()); return;
        case 2: E('mov', `${r(rd)}, ${r(n())}`); return;
        case 3: E('mov', `${r(rd)}, #${g.int(0, 0xffff)}`); return;
        default: E('rrx', `${r(rd)}, ${r(n())}`, g.bool()); return;
      }
    }
    case 'shift': {
      const op = g.pick(['lsl', 'lsr', 'asr', 'ror']);
      const rd = d();
      if (g.bool()) {
        const max = op === 'lsl' || op === 'ror' ? 31 : 32;
        E(op, `${r(rd)}, ${r(n())}, #${g.bool(0.3) ? g.pick([1, max]) : g.int(1, max)}`, g.bool(0.6));
      } else {
        E(op, `${r(rd)}, ${g.bool(0.4) ? r(rd) : r(n())}, ${r(n())}`, g.bool(0.6));
      }
      return;
    }
    case 'cmp': {
      const op = g.pick(['cmp', 'cmn', 'tst', 'teq']);
      if (g.bool()) E(op, `${r(n())}, #${hex(g.bool(0.3) ? g.int(0, 255) : modImm(g))}`);
      else E(op, `${r(n())}, ${r(n())}${shiftOpt(g, 0.5)}`);
      return;
    }
    case 'movwt': E(g.pick(['movw', 'movt']), `${r(d())}, #${hex(g.bool(0.2) ? g.pick([0, 0xffff, 0x8000]) : g.int(0, 0xffff))}`); return;
    case 'mul': {
      const op = g.pick(['mul', 'mla', 'mls']);
      E(op, `${r(d())}, ${r(n())}, ${r(n())}${op === 'mul' ? '' : ', ' + r(n())}`);
      return;
    }
    case 'long': {
      const lo = d();
      const hi = g.pick(dests.filter((x) => x !== lo));
      E(g.pick(['umull', 'smull', 'umlal', 'smlal', 'umaal']), `${r(lo)}, ${r(hi)}, ${r(n())}, ${r(n())}`);
      return;
    }
    case 'div': E(g.pick(['sdiv', 'udiv']), `${r(d())}, ${r(n())}, ${r(n())}`); return;
    case 'sat': {
      const rd = d(), rn = n();
      switch (g.int(0, 3)) {
        case 0: E('ssat', `${r(rd)}, #${g.int(1, 32)}, ${r(rn)}${g.bool(0.5) ? '' : g.bool() ? `, lsl #${g.int(0, 31)}` : `, asr #${g.int(1, 31)}`}`); return;
        case 1: E('usat', `${r(rd)}, #${g.int(0, 31)}, ${r(rn)}${g.bool(0.5) ? '' : g.bool() ? `, lsl #${g.int(0, 31)}` : `, asr #${g.int(1, 31)}`}`); return;
        case 2: E('ssat16', `${r(rd)}, #${g.int(1, 16)}, ${r(rn)}`); return;
        default: E('usat16', `${r(rd)}, #${g.int(0, 15)}, ${r(rn)}`); return;
      }
    }
    case 'bitfield': {
      const lsb = g.int(0, 31), w = g.int(1, 32 - lsb);
      switch (g.int(0, 3)) {
        case 0: E('bfi', `${r(d())}, ${r(n())}, #${lsb}, #${w}`); return;
        case 1: E('bfc', `${r(d())}, #${lsb}, #${w}`); return;
        case 2: E('sbfx', `${r(d())}, ${r(n())}, #${lsb}, #${w}`); return;
        default: E('ubfx', `${r(d())}, ${r(n())}, #${lsb}, #${w}`); return;
      }
    }
    case 'misc1': E(g.pick(['clz', 'rbit', 'rev', 'rev16', 'revsh']), `${r(d())}, ${r(n())}`); return;
    case 'extend': {
      const rot = g.pick(['', '', ', ror #8', ', ror #16', ', ror #24']);
      E(g.pick(['sxtb', 'sxth', 'uxtb', 'uxth', 'sxtb16', 'uxtb16']), `${r(d())}, ${r(n())}${rot}`);
      return;
    }
    case 'extadd': {
      const rot = g.pick(['', '', ', ror #8', ', ror #16', ', ror #24']);
      E(g.pick(['sxtab', 'sxtah', 'uxtab', 'uxtah', 'sxtab16', 'uxtab16']), `${r(d())}, ${r(n())}, ${r(n())}${rot}`);
      return;
    }
    case 'par': {
      const mn = g.pick(['s', 'q', 'sh', 'u', 'uq', 'uh']) + g.pick(['add16', 'asx', 'sax', 'sub16', 'add8', 'sub8']);
      E(mn, `${r(d())}, ${r(n())}, ${r(n())}`);
      return;
    }
    case 'qadd': E(g.pick(['qadd', 'qsub', 'qdadd', 'qdsub']), `${r(d())}, ${r(n())}, ${r(n())}`); return;
    case 'selsad': {
      const k = g.int(0, 2);
      if (k === 2) E('usada8', `${r(d())}, ${r(n())}, ${r(n())}, ${r(n())}`);
      else E(k ? 'usad8' : 'sel', `${r(d())}, ${r(n())}, ${r(n())}`);
      return;
    }
    case 'smulxy': {
      const xy = g.pick(['b', 't']) + g.pick(['b', 't']), y = g.pick(['b', 't']);
      switch (g.int(0, 3)) {
        case 0: E('smul' + xy, `${r(d())}, ${r(n())}, ${r(n())}`); return;
        case 1: E('smla' + xy, `${r(d())}, ${r(n())}, ${r(n())}, ${r(n())}`); return;
        case 2: E('smulw' + y, `${r(d())}, ${r(n())}, ${r(n())}`); return;
        default: E('smlaw' + y, `${r(d())}, ${r(n())}, ${r(n())}, ${r(n())}`); return;
      }
    }
    case 'smlad': {
      const x = g.pick(['', 'x']);
      if (g.bool()) E(g.pick(['smuad', 'smusd']) + x, `${r(d())}, ${r(n())}, ${r(n())}`);
      else E(g.pick(['smlad', 'smlsd']) + x, `${r(d())}, ${r(n())}, ${r(n())}, ${r(n())}`);
      return;
    }
    case 'smlal': {
      const lo = d();
      const hi = g.pick(dests.filter((x) => x !== lo));
      const mn = g.bool() ? 'smlal' + g.pick(['b', 't']) + g.pick(['b', 't']) : g.pick(['smlald', 'smlsld']) + g.pick(['', 'x']);
      E(mn, `${r(lo)}, ${r(hi)}, ${r(n())}, ${r(n())}`);
      return;
    }
    case 'smmul': {
      const rr = g.pick(['', 'r']);
      if (g.bool(0.4)) E('smmul' + rr, `${r(d())}, ${r(n())}, ${r(n())}`);
      else E(g.pick(['smmla', 'smmls']) + rr, `${r(d())}, ${r(n())}, ${r(n())}, ${r(n())}`);
      return;
    }
    case 'pkh':
      if (g.bool()) E('pkhbt', `${r(d())}, ${r(n())}, ${r(n())}${g.bool(0.3) ? '' : `, lsl #${g.int(1, 31)}`}`);
      else E('pkhtb', `${r(d())}, ${r(n())}, ${r(n())}, asr #${g.int(1, 32)}`);
      return;
    case 'msr': E('msr', `${g.pick(['apsr_nzcvq', 'apsr_g', 'apsr_nzcvqg'])}, ${r(n())}`); return;
    case 'mrs': E('mrs', `${r(d())}, apsr`); return;
    case 'nop': E('nop', ''); return;
    case 'ld': case 'st': case 'ldrt': case 'ldrd': { memImm(ctx, g, s.fam, d, n); return; }
    case 'ldst_reg': {
      // register offset: the index is made small first (outside IT blocks only: the AND must execute)
      if (inIT) { memImm(ctx, g, 'ld', d, n); return; }
      const sh = g.int(0, 3);
      const sz = g.pick([1, 2, 4]);
      const room = MID - DRIFT - sz;              // bytes available above the base whatever the drift
      const mask = (1 << Math.floor(Math.log2((room >> sh) + 1))) - 1;
      const idx = g.pick(dests);
      E('and', `${r(idx)}, ${r(n())}, #${mask}`);
      const load = g.bool();
      const mn = load ? { 1: g.pick(['ldrb', 'ldrsb']), 2: g.pick(['ldrh', 'ldrsh']), 4: 'ldr' }[sz]! : { 1: 'strb', 2: 'strh', 4: 'str' }[sz]!;
      const rt = load ? d() : n();
      E(mn, `${r(rt)}, [${r(ctx.base)}, ${r(idx)}${sh ? `, lsl #${sh}` : ''}]`);
      return;
    }
    case 'ldm': {
      const load = g.bool();
      const db = g.bool(0.35);
      const wb = !inIT || g.bool(0.5) ? g.bool(0.5) && !ctx.inLoop : false;
      const pool = load ? dests : ALL.filter((x) => !(wb && x === ctx.base));
      const cnt = g.int(2, Math.min(5, pool.length));
      const list = new Set<number>();
      while (list.size < cnt) list.add(g.bool(0.6) ? g.pick(pool.filter((x) => x < 8).length >= cnt ? pool.filter((x) => x < 8) : pool) : g.pick(pool));
      const regs = [...list].sort((a, b) => a - b);
      const bytes = 4 * regs.length;
      // the accessed range [start, start + bytes) relative to the base must fit for every displacement
      const start = db ? -bytes : 0;
      if (MID + ctx.lo + start < 0 || MID + ctx.hi + start + bytes > SCRATCH) { E('nop', ''); return; }
      const delta = wb ? (db ? -bytes : bytes) : 0;
      if (wb && (Math.abs(ctx.lo + delta) > DRIFT || Math.abs(ctx.hi + delta) > DRIFT)) { E(load ? 'ldm' : 'stm', `${r(ctx.base)}, {${regs.map(r).join(', ')}}`); return; }
      E((load ? 'ldm' : 'stm') + (db ? 'db' : ''), `${r(ctx.base)}${wb ? '!' : ''}, {${regs.map(r).join(', ')}}`);
      moved(ctx, delta);
      return;
    }
    case 'excl': {
      if (inIT || ctx.inLoop) { E('clrex', ''); return; }
      const sz = g.pick([1, 2, 4]);
      const suf = { 1: 'b', 2: 'h', 4: '' }[sz]!;
      // an offset (word form only) that is in the buffer and word aligned for every displacement
      let off = 0;
      if (sz === 4) {
        const min = Math.max(0, -MID - ctx.lo), max = SCRATCH - MID - ctx.hi - 4;
        off = 4 * g.int(Math.ceil(min / 4), Math.floor(max / 4));
      }
      const addr = `[${r(ctx.base)}${off ? `, #${off}` : ''}]`;
      if (g.bool(0.15)) {
        // no open monitor: the store must fail (Rd = 1) and leave memory alone
        const rd = d();
        E('clrex', '');
        E('strex' + suf, `${r(rd)}, ${r(g.pick(ALL.filter((x) => x !== rd && x !== ctx.base)))}, ${addr}`);
        return;
      }
      const rt = d();
      E('ldrex' + suf, `${r(rt)}, ${addr}`);
      if (g.bool()) E(g.pick(['add', 'eor', 'sub']), `${r(rt)}, ${r(rt)}, #${g.int(1, 255)}`);
      const rd = g.pick(dests.filter((x) => x !== rt));
      E('strex' + suf, `${r(rd)}, ${r(rt)}, ${addr}`);
      return;
    }
    case 'pushpop': {
      if (inIT) { E('nop', ''); return; }
      const cnt = g.int(1, 4);
      const pick = (pool: number[]) => { const l = new Set<number>(); while (l.size < cnt) l.add(g.pick(pool)); return [...l].sort((a, b) => a - b); };
      const a = pick(ALL), b = pick(dests.length >= cnt ? dests : ALL);
      E('push', `{${a.map(r).join(', ')}}`);
      if (g.bool(0.4)) E(g.pick(['add', 'eor']), `${r(d())}, ${r(n())}, ${r(n())}`);
      E('pop', `{${b.map(r).join(', ')}}`);
      return;
    }
  }
  throw new Error(`unknown family ${s.fam}`);
}

function moved(ctx: Ctx, delta: number): void {
  if (!delta) return;
  if (ctx.cond !== null) { ctx.lo = Math.min(ctx.lo, ctx.lo + delta); ctx.hi = Math.max(ctx.hi, ctx.hi + delta); }
  else { ctx.lo += delta; ctx.hi += delta; }
}

/** immediate-offset loads and stores: offset, pre-indexed and post-indexed forms */
function memImm(ctx: Ctx, g: Rng, fam: string, d: () => number, n: () => number): void {
  const E = (mn: string, ops: string) => emit(ctx, { mn, ops });
  const B = r(ctx.base);
  const dests = ALL.filter((x) => !ctx.avoid.has(x));
  if (fam === 'ldrt') {
    const sz = g.pick([1, 2, 4]);
    const load = g.bool(0.6);
    const mn = load ? { 1: g.pick(['ldrbt', 'ldrsbt']), 2: g.pick(['ldrht', 'ldrsht']), 4: 'ldrt' }[sz]! : { 1: 'strbt', 2: 'strht', 4: 'strt' }[sz]!;
    const off = g.int(0, Math.min(255, SCRATCH - MID - ctx.hi - sz));
    E(mn, `${r(load ? d() : n())}, [${B}, #${off}]`);
    return;
  }
  const load = fam === 'ld' || (fam === 'ldrd' && g.bool());
  const sz = fam === 'ldrd' ? 8 : g.pick([1, 2, 4, 4]);
  const mn = fam === 'ldrd' ? (load ? 'ldrd' : 'strd')
    : load ? { 1: g.pick(['ldrb', 'ldrsb']), 2: g.pick(['ldrh', 'ldrsh']), 4: 'ldr' }[sz]! : { 1: 'strb', 2: 'strh', 4: 'str' }[sz]!;
  // addressing mode: 0 offset, 1 pre-indexed with writeback, 2 post-indexed
  let mode = g.bool(0.65) || ctx.inLoop ? 0 : g.int(1, 2);
  // offsets valid for every displacement in [lo, hi]
  const min = -MID - ctx.lo, max = SCRATCH - MID - ctx.hi - sz;
  const align = fam === 'ldrd' ? 4 : 1;
  const lim = fam === 'ldrd' ? 1020 : mode ? 255 : 4095;
  let off: number;
  let delta = 0;
  if (mode === 0) {
    const lo = Math.max(min, fam === 'ldrd' ? -lim : -255), hi = Math.min(max, lim);
    off = align * g.int(Math.ceil(lo / align), Math.floor(hi / align));
  } else {
    // writeback by a multiple of 4 keeping the drift within DRIFT; post-indexed accesses at the current base
    const lo = Math.max(-DRIFT - ctx.lo, mode === 1 ? min : -lim), hi = Math.min(DRIFT - ctx.hi, mode === 1 ? max : lim);
    off = 4 * g.int(Math.ceil(lo / 4), Math.floor(hi / 4));
    if (mode === 2 && (min > 0 || max < 0)) mode = 0;
    if (off === 0 && mode) mode = 0;
    delta = mode ? off : 0;
  }
  let rt: number, rt2 = -1;
  if (load) {
    rt = d();
    if (sz === 8) rt2 = g.pick(dests.filter((x) => x !== rt));
  } else {
    const pool = mode ? ALL.filter((x) => x !== ctx.base) : ALL;
    rt = g.pick(pool);
    if (sz === 8) rt2 = g.pick(pool);
  }
  const regs = sz === 8 ? `${r(rt)}, ${r(rt2)}` : r(rt);
  const addr = mode === 0 ? `[${B}${off || g.bool(0.7) ? `, #${off}` : ''}]` : mode === 1 ? `[${B}, #${off}]!` : `[${B}], #${off}`;
  E(mn, `${regs}, ${addr}`);
  moved(ctx, delta);
}
