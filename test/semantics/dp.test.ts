/**
 * Data processing against the independent model: the 16 modified-immediate and shifted-register operations
 * (every S form, every shift type and amount incl. LSR/ASR #32 and RRX), register-controlled shifts (amounts
 * 0..255), ADDW/SUBW/MOVW/MOVT, the SP forms, and the 16-bit encodings (flag-setting outside IT blocks, not
 * flag-setting inside).
 */
import fc from 'fast-check';
import * as M from './model.js';
import { type DpOp, DecodeImmShift, ThumbExpandImm } from './model.js';
import { group, prop, gp, low, regIn, LOW, HIGH, hex, rn, type Case } from './harness.js';

const ALL_OPS: DpOp[] = [...M.DP_LOGICAL, ...M.DP_ARITH];
const isCompare = (op: DpOp) => M.DP_COMPARE.includes(op);
const noRn = (op: DpOp) => M.DP_NO_RN.includes(op);

/** a valid (not UNPREDICTABLE) modified-immediate imm12, biased to the interesting shapes */
const imm12Arb = fc.oneof(
  fc.integer({ min: 0, max: 0xfff }),
  fc.integer({ min: 0, max: 0xff }),
  fc.constantFrom(0x000, 0x0ff, 0x1ff, 0x2ff, 0x3ff, 0x100 | 0x80, 0x400, 0x47f, 0x4ff, 0x7ff, 0x800, 0xfff, 0xf80, 0xc00),
).filter((i) => !((i & 0xc00) === 0 && (i & 0x300) !== 0 && (i & 0xff) === 0));

/** (type, imm5) of a shifted-register operand, biased to the edge encodings */
const shiftArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(fc.constantFrom(0, 1, 31), fc.integer({ min: 0, max: 31 })));

/** the assembler text of a shift (DecodeImmShift of type/imm5), with a leading comma, or '' */
function shiftText(type: number, imm5: number): string {
  const { t, n } = DecodeImmShift(type, imm5);
  if (t === 'RRX') return ', rrx';
  if (t === 'LSL' && n === 0) return '';
  return `, ${t.toLowerCase()} #${n}`;
}

/** 32-bit <op>{s}.w with a modified immediate */
function immCase(op: DpOp): fc.Arbitrary<Case> {
  return fc.record({ d: gp, n: gp, imm12: imm12Arb, s: fc.boolean() }).map(({ d, n, imm12, s }) => {
    const imm = hex(ThumbExpandImm(imm12));
    const sf = isCompare(op) ? '' : s ? 's' : '';
    const text = isCompare(op) ? `${op}.w ${rn(n)}, #${imm}` : noRn(op) ? `${op}${sf}.w ${rn(d)}, #${imm}` : `${op}${sf}.w ${rn(d)}, ${rn(n)}, #${imm}`;
    return { lines: [text], model: (st: M.ArchState) => M.dpImm(st, op, d, n, imm12, s) };
  });
}

/** 32-bit <op>{s}.w with a shifted register (MOV with a shift is written as the shift instruction, as in GNU as) */
function regCase(op: DpOp): fc.Arbitrary<Case> {
  return fc.record({ d: gp, n: gp, m: gp, sh: shiftArb, s: fc.boolean() }).map(({ d, n, m, sh: [type, imm5], s }) => {
    const sf = isCompare(op) ? '' : s ? 's' : '';
    let text: string;
    if (op === 'mov') {
      const { t, n: amt } = DecodeImmShift(type, imm5);
      text = t === 'RRX' ? `rrx${sf} ${rn(d)}, ${rn(m)}`
        : t === 'LSL' && amt === 0 ? `mov${sf}.w ${rn(d)}, ${rn(m)}`
          : `${t.toLowerCase()}${sf}.w ${rn(d)}, ${rn(m)}, #${amt}`;
    } else if (isCompare(op)) text = `${op}.w ${rn(n)}, ${rn(m)}${shiftText(type, imm5)}`;
    else if (noRn(op)) text = `${op}${sf}.w ${rn(d)}, ${rn(m)}${shiftText(type, imm5)}`;
    else text = `${op}${sf}.w ${rn(d)}, ${rn(n)}, ${rn(m)}${shiftText(type, imm5)}`;
    return { lines: [text], model: (st: M.ArchState) => M.dpReg(st, op, d, n, m, type, imm5, s) };
  });
}

/** a register value whose low byte (a shift amount) is biased to 0, 1, 31, 32, 33 and 255 */
const amountWord = fc.tuple(fc.oneof(fc.constantFrom(0, 1, 2, 31, 32, 33, 64, 255), fc.integer({ min: 0, max: 255 })), fc.integer({ min: 0, max: 0xffffff }), fc.boolean())
  .map(([a, hi, keep]) => (keep ? ((hi << 8) | a) >>> 0 : a));

function shiftRegCase(t: 'LSL' | 'LSR' | 'ASR' | 'ROR', wide: boolean): fc.Arbitrary<Case> {
  const pool = wide ? gp : low;
  return fc.record({ d: pool, n: pool, m: pool, amt: amountWord, s: fc.boolean() }).map(({ d, n, m, amt, s }) => {
    if (!wide) {
      // 16-bit: Rdn, Rm, always flag-setting outside IT
      return { lines: [`${t.toLowerCase()}s.n ${rn(d)}, ${rn(m)}`], set: { [m]: amt }, model: (st: M.ArchState) => M.shiftReg(st, t, d, d, m, true) };
    }
    return {
      lines: [`${t.toLowerCase()}${s ? 's' : ''}.w ${rn(d)}, ${rn(n)}, ${rn(m)}`], set: { [m]: amt },
      model: (st: M.ArchState) => M.shiftReg(st, t, d, n, m, s),
    };
  });
}

group('32-bit data processing, modified immediate', () => {
  for (const op of ALL_OPS) prop(`${op} #const`, isCompare(op) ? `${op}.w r0, #1` : noRn(op) ? `${op}.w r0, #1` : `${op}.w r0, r1, #1`, immCase(op));
});

group('32-bit data processing, shifted register', () => {
  for (const op of ALL_OPS) prop(`${op} shifted register`, op === 'mov' ? 'mov.w r0, r1' : isCompare(op) || noRn(op) ? `${op}.w r0, r1` : `${op}.w r0, r1, r2`, regCase(op));
});

group('register-controlled shifts', () => {
  for (const t of ['LSL', 'LSR', 'ASR', 'ROR'] as const) {
    prop(`${t.toLowerCase()}{s}.w Rd, Rn, Rm`, `${t.toLowerCase()}.w r0, r1, r2`, shiftRegCase(t, true));
    prop(`${t.toLowerCase()}s.n Rdn, Rm`, `${t.toLowerCase()}s.n r0, r1`, shiftRegCase(t, false));
  }
});

group('plain binary immediates', () => {
  prop('addw', 'addw r0, r1, #1', fc.record({ d: gp, n: gp, imm: fc.oneof(fc.constantFrom(0, 1, 0xfff, 0x800), fc.integer({ min: 0, max: 0xfff })) })
    .map(({ d, n, imm }) => ({ lines: [`addw ${rn(d)}, ${rn(n)}, #${imm}`], model: (s: M.ArchState) => M.dpPlainImm(s, 'add', d, n, imm, false) })));
  prop('subw', 'subw r0, r1, #1', fc.record({ d: gp, n: gp, imm: fc.oneof(fc.constantFrom(0, 1, 0xfff, 0x800), fc.integer({ min: 0, max: 0xfff })) })
    .map(({ d, n, imm }) => ({ lines: [`subw ${rn(d)}, ${rn(n)}, #${imm}`], model: (s: M.ArchState) => M.dpPlainImm(s, 'sub', d, n, imm, false) })));
  prop('movw', 'movw r0, #1', fc.record({ d: gp, imm: fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x8000), fc.integer({ min: 0, max: 0xffff })) })
    .map(({ d, imm }) => ({ lines: [`movw ${rn(d)}, #${hex(imm)}`], model: (s: M.ArchState) => M.movw(s, d, imm) })));
  prop('movt', 'movt r0, #1', fc.record({ d: gp, imm: fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x8000), fc.integer({ min: 0, max: 0xffff })) })
    .map(({ d, imm }) => ({ lines: [`movt ${rn(d)}, #${hex(imm)}`], model: (s: M.ArchState) => M.movt(s, d, imm) })));
});

group('SP forms', () => {
  const sp = 13;
  const imm8x4 = fc.integer({ min: 0, max: 255 }).map((x) => x * 4);
  const imm7x4 = fc.integer({ min: 0, max: 127 }).map((x) => x * 4);
  prop('add Rd, sp, #imm8*4 (16-bit)', 'add.n r0, sp, #4', fc.record({ d: low, imm: imm8x4 })
    .map(({ d, imm }) => ({ lines: [`add.n ${rn(d)}, sp, #${imm}`], model: (s: M.ArchState) => M.dpPlainImm(s, 'add', d, sp, imm, false) })));
  prop('add sp, sp, #imm7*4 (16-bit)', 'add.n sp, sp, #4', imm7x4
    .map((imm) => ({ lines: [`add.n sp, sp, #${imm}`], model: (s: M.ArchState) => M.dpPlainImm(s, 'add', sp, sp, imm, false) })));
  prop('sub sp, sp, #imm7*4 (16-bit)', 'sub.n sp, sp, #4', imm7x4
    .map((imm) => ({ lines: [`sub.n sp, sp, #${imm}`], model: (s: M.ArchState) => M.dpPlainImm(s, 'sub', sp, sp, imm, false) })));
  prop('add Rdm, sp, Rdm (16-bit T1)', 'add.n r0, sp, r0', low
    .map((d): Case => ({ lines: [`add.n ${rn(d)}, sp, ${rn(d)}`], model: (s) => M.dpReg(s, 'add', d, sp, d, 0, 0, false) })));
  prop('add sp, Rm (16-bit T2; Rm word-aligned)', 'add.n sp, r0', fc.record({ m: regIn([...LOW, ...HIGH]), x: fc.integer({ min: 0, max: 0x3fffffff }) })
    .map(({ m, x }): Case => ({ lines: [`add.n sp, ${rn(m)}`], set: { [m]: x * 4 }, model: (s) => M.dpReg(s, 'add', sp, sp, m, 0, 0, false) })));
  prop('add{s}.w / sub{s}.w Rd, sp, #const', 'add.w r0, sp, #4',
    fc.record({ d: gp, imm12: imm12Arb, s: fc.boolean(), op: fc.constantFrom<DpOp>('add', 'sub') }).map(({ d, imm12, s, op }) => ({
      lines: [`${op}${s ? 's' : ''}.w ${rn(d)}, sp, #${hex(ThumbExpandImm(imm12))}`],
      model: (st: M.ArchState) => M.dpImm(st, op, d, sp, imm12, s),
    })));
  prop('addw / subw Rd, sp, #imm12', 'addw r0, sp, #4',
    fc.record({ d: gp, imm: fc.integer({ min: 0, max: 0xfff }), op: fc.constantFrom<DpOp>('add', 'sub') }).map(({ d, imm, op }) => ({
      lines: [`${op}w ${rn(d)}, sp, #${imm}`], model: (st: M.ArchState) => M.dpPlainImm(st, op, d, sp, imm, false),
    })));
  prop('add{s}.w / sub{s}.w Rd, sp, Rm, shift', 'add.w r0, sp, r1',
    fc.record({ d: gp, m: gp, s: fc.boolean(), op: fc.constantFrom<DpOp>('add', 'sub'), sh: fc.tuple(fc.constantFrom(0), fc.integer({ min: 0, max: 3 })) })
      .map(({ d, m, s, op, sh: [type, imm5] }) => ({
        lines: [`${op}${s ? 's' : ''}.w ${rn(d)}, sp, ${rn(m)}${shiftText(type, imm5)}`],
        model: (st: M.ArchState) => M.dpReg(st, op, d, sp, m, type, imm5, s),
      })));
});

// ---------------------------------------------------------------------------------------------------------------
// 16-bit encodings

/** the flag-setting 16-bit forms (outside an IT block), each as text builder + model; `s` = '' inside IT */
interface Form16 { name: string; sample: string; arb: (s: boolean, suffix: string) => fc.Arbitrary<Case> }

const imm3 = fc.integer({ min: 0, max: 7 });
const imm8 = fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 }));
const imm5Lsl = fc.oneof(fc.constantFrom(1, 31), fc.integer({ min: 1, max: 31 }));
const imm5Sr = fc.oneof(fc.constantFrom(1, 31, 32), fc.integer({ min: 1, max: 32 }));

/** cc: condition suffix inside an IT block ('' outside); s: the S of the mnemonic (true outside IT) */
const forms16: Form16[] = [
  {
    name: 'lsls Rd, Rm, #imm', sample: 'lsls.n r0, r1, #1', arb: (s, cc) => fc.record({ d: low, m: low, k: imm5Lsl })
      .map(({ d, m, k }) => ({ lines: [`lsl${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(m)}, #${k}`], model: (st) => M.dpReg(st, 'mov', d, 0, m, 0, k, s) })),
  },
  {
    name: 'lsrs/asrs Rd, Rm, #imm', sample: 'lsrs.n r0, r1, #1', arb: (s, cc) => fc.record({ d: low, m: low, k: imm5Sr, t: fc.constantFrom(1, 2) })
      .map(({ d, m, k, t }) => ({
        lines: [`${t === 1 ? 'lsr' : 'asr'}${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(m)}, #${k}`], model: (st) => M.dpReg(st, 'mov', d, 0, m, t, k & 31, s),
      })),
  },
  {
    name: 'movs Rd, Rm (T2)', sample: 'movs.n r0, r1', arb: (s, cc) => fc.record({ d: low, m: low })
      // outside IT: MOVS Rd, Rm (T2, = LSLS #0: C unchanged); inside IT: MOV<c> Rd, Rm (T1, no flags)
      .map(({ d, m }) => ({ lines: [s ? `movs.n ${rn(d)}, ${rn(m)}` : `mov${cc}.n ${rn(d)}, ${rn(m)}`], model: (st) => M.dpReg(st, 'mov', d, 0, m, 0, 0, s) })),
  },
  {
    name: 'adds/subs Rd, Rn, Rm', sample: 'adds.n r0, r1, r2', arb: (s, cc) => fc.record({ d: low, n: low, m: low, op: fc.constantFrom<DpOp>('add', 'sub') })
      .map(({ d, n, m, op }) => ({ lines: [`${op}${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(n)}, ${rn(m)}`], model: (st) => M.dpReg(st, op, d, n, m, 0, 0, s) })),
  },
  {
    name: 'adds/subs Rd, Rn, #imm3', sample: 'adds.n r0, r1, #1', arb: (s, cc) => fc.record({ d: low, n: low, k: imm3, op: fc.constantFrom<DpOp>('add', 'sub') })
      .map(({ d, n, k, op }) => ({ lines: [`${op}${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(n)}, #${k}`], model: (st) => M.dpPlainImm(st, op, d, n, k, s) })),
  },
  {
    name: 'adds/subs Rdn, #imm8', sample: 'adds.n r0, #1', arb: (s, cc) => fc.record({ d: low, k: imm8, op: fc.constantFrom<DpOp>('add', 'sub') })
      .map(({ d, k, op }) => ({ lines: [`${op}${s ? 's' : ''}${cc}.n ${rn(d)}, #${k}`], model: (st) => M.dpPlainImm(st, op, d, d, k, s) })),
  },
  {
    name: 'movs Rd, #imm8', sample: 'movs.n r0, #1', arb: (s, cc) => fc.record({ d: low, k: imm8 })
      .map(({ d, k }) => ({ lines: [`mov${s ? 's' : ''}${cc}.n ${rn(d)}, #${k}`], model: (st) => M.dpPlainImm(st, 'mov', d, 0, k, s) })),
  },
  {
    name: 'cmp Rn, #imm8', sample: 'cmp.n r0, #1', arb: (_s, cc) => fc.record({ n: low, k: imm8 })
      .map(({ n, k }) => ({ lines: [`cmp${cc}.n ${rn(n)}, #${k}`], model: (st) => M.dpPlainImm(st, 'cmp', 0, n, k, true) })),
  },
  ...(['and', 'eor', 'adc', 'sbc', 'orr', 'bic'] as DpOp[]).map((op): Form16 => ({
    name: `${op}s Rdn, Rm`, sample: `${op}s.n r0, r1`, arb: (s, cc) => fc.record({ d: low, m: low })
      .map(({ d, m }) => ({ lines: [`${op}${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(m)}`], model: (st) => M.dpReg(st, op, d, d, m, 0, 0, s) })),
  })),
  {
    name: 'mvns Rd, Rm', sample: 'mvns.n r0, r1', arb: (s, cc) => fc.record({ d: low, m: low })
      .map(({ d, m }) => ({ lines: [`mvn${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(m)}`], model: (st) => M.dpReg(st, 'mvn', d, 0, m, 0, 0, s) })),
  },
  {
    name: 'rsbs Rd, Rn, #0', sample: 'rsbs.n r0, r1, #0', arb: (s, cc) => fc.record({ d: low, n: low })
      .map(({ d, n }) => ({ lines: [`rsb${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(n)}, #0`], model: (st) => M.dpPlainImm(st, 'rsb', d, n, 0, s) })),
  },
  ...(['tst', 'cmp', 'cmn'] as DpOp[]).map((op): Form16 => ({
    name: `${op} Rn, Rm (low)`, sample: `${op}.n r0, r1`, arb: (_s, cc) => fc.record({ n: low, m: low })
      .map(({ n, m }) => ({ lines: [`${op}${cc}.n ${rn(n)}, ${rn(m)}`], model: (st) => M.dpReg(st, op, 0, n, m, 0, 0, true) })),
  })),
  {
    name: 'muls Rdm, Rn, Rdm', sample: 'muls.n r0, r1, r0', arb: (s, cc) => fc.record({ d: low, n: low })
      .map(({ d, n }) => ({ lines: [`mul${s ? 's' : ''}${cc}.n ${rn(d)}, ${rn(n)}, ${rn(d)}`], model: (st) => M.mul(st, d, n, d, s) })),
  },
];

group('16-bit data processing outside IT blocks (flag-setting)', () => {
  for (const f of forms16) prop(f.name, f.sample, f.arb(true, ''));
  prop('add Rdn, Rm (T2, any registers, no flags)', 'add.n r8, r1', fc.record({ d: regIn([...LOW, ...HIGH]), m: regIn([...HIGH, ...LOW]) })
    .map(({ d, m }) => ({ lines: [`add.n ${rn(d)}, ${rn(m)}`], model: (st: M.ArchState) => M.dpReg(st, 'add', d, d, m, 0, 0, false) })));
  prop('mov Rd, Rm (T1, any registers, no flags)', 'mov.n r8, r1', fc.record({ d: regIn([...LOW, ...HIGH]), m: regIn([...HIGH, ...LOW]) })
    .map(({ d, m }) => ({ lines: [`mov.n ${rn(d)}, ${rn(m)}`], model: (st: M.ArchState) => M.dpReg(st, 'mov', d, 0, m, 0, 0, false) })));
  prop('cmp Rn, Rm (T2, a high register)', 'cmp.n r8, r1',
    fc.record({ n: regIn([...HIGH, ...LOW]), m: regIn([...HIGH, ...LOW]) }).filter(({ n, m }) => n >= 8 || m >= 8)
      .map(({ n, m }) => ({ lines: [`cmp.n ${rn(n)}, ${rn(m)}`], model: (st: M.ArchState) => M.dpReg(st, 'cmp', 0, n, m, 0, 0, true) })));
});

const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];

group('16-bit data processing inside an IT block (no flags unless a compare; skipped when the condition fails)', () => {
  for (const f of forms16) {
    const arb = fc.integer({ min: 0, max: 13 }).chain((cond) =>
      f.arb(false, CONDS[cond]!).map((c): Case => ({
        lines: [`it ${CONDS[cond]}`, ...c.lines],
        model: (st) => { if (M.ConditionPassed(cond, st.flags)) c.model(st); },
      })));
    prop(`IT: ${f.name}`, f.sample, arb);
  }
  prop('IT: lsl/lsr/asr/ror Rdn, Rm', 'lsls.n r0, r1', fc.record({ cond: fc.integer({ min: 0, max: 13 }), d: low, m: low, amt: amountWord, t: fc.constantFrom('LSL', 'LSR', 'ASR', 'ROR') as fc.Arbitrary<'LSL' | 'LSR' | 'ASR' | 'ROR'> })
    .map(({ cond, d, m, amt, t }) => ({
      lines: [`it ${CONDS[cond]}`, `${t.toLowerCase()}${CONDS[cond]}.n ${rn(d)}, ${rn(m)}`], set: { [m]: amt },
      model: (st: M.ArchState) => { if (M.ConditionPassed(cond, st.flags)) M.shiftReg(st, t, d, d, m, false); },
    })));
});

group('PC-relative (ADR; ADD/SUB Rd, PC, #imm; ADD/MOV reading the PC)', () => {
  /** 0-3 16-bit no-ops (MOV r8, r8) before the instruction, so its address varies in alignment */
  const pad = fc.integer({ min: 0, max: 3 });
  const padLines = (k: number) => new Array<string>(k).fill('mov.n r8, r8');
  const at = (k: number) => (s: M.ArchState) => { s.r[15] = BigInt(2 * k + 4); };
  prop('add.n Rd, pc, #imm8*4 (ADR T1)', 'add.n r0, pc, #8', fc.record({ k: pad, d: low, imm: fc.integer({ min: 0, max: 255 }).map((x) => x * 4) })
    .map(({ k, d, imm }): Case => ({ lines: [...padLines(k), `add.n ${rn(d)}, pc, #${imm}`], pcRelative: true, model: (s) => { at(k)(s); M.adr(s, d, imm, true); } })));
  prop('addw/subw Rd, pc, #imm12 (ADR T3/T2)', 'addw r0, pc, #8', fc.record({ k: pad, d: gp, imm: fc.integer({ min: 0, max: 0xfff }), add: fc.boolean() })
    .map(({ k, d, imm, add }): Case => ({ lines: [...padLines(k), `${add ? 'add' : 'sub'}w ${rn(d)}, pc, #${imm}`], pcRelative: true, model: (s) => { at(k)(s); M.adr(s, d, imm, add); } })));
  prop('adr.w Rd, <target>', 'adr.w r0, 0x40', fc.record({ k: pad, d: gp, imm: fc.integer({ min: 0, max: 0xfff }), add: fc.boolean() })
    .map(({ k, d, imm, add }): Case => {
      const target = ((2 * k + 4) & ~3) + (add ? imm : -imm);
      return { lines: [...padLines(k), `adr.w ${rn(d)}, ${target}`], pcRelative: true, model: (s) => { at(k)(s); M.adr(s, d, imm, add); } };
    }));
  prop('add.n Rdn, pc (T2)', 'add.n r0, pc', fc.record({ k: pad, d: regIn([...LOW, ...HIGH]) })
    .map(({ k, d }): Case => ({ lines: [...padLines(k), `add.n ${rn(d)}, pc`], pcRelative: true, model: (s) => { at(k)(s); M.dpReg(s, 'add', d, d, 15, 0, 0, false); } })));
  prop('mov.n Rd, pc (T1)', 'mov.n r0, pc', fc.record({ k: pad, d: regIn([...LOW, ...HIGH]) })
    .map(({ k, d }): Case => ({ lines: [...padLines(k), `mov.n ${rn(d)}, pc`], pcRelative: true, model: (s) => { at(k)(s); M.dpReg(s, 'mov', d, 0, 15, 0, 0, false); } })));
});
