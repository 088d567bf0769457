/**
 * Multiply and divide: values worked out by hand from the ARMv7-M ARM pseudocode (64-bit products written out as
 * hi:lo words), encodings as llvm-mc gives them.
 */
import { describe, it, expect } from 'vitest';
import { encodeLines } from '../helpers/run.js';
import { createMachine } from '../../src/machine.js';
import { disassemble } from '../../src/disasm/disasm.js';
import { decode } from '../../src/isa/table.js';

type Init = Partial<{ n: number; z: number; c: number; v: number; q: number; divTrap: number }>;
function run(lines: string[], regs: Record<string, number> = {}, init: Init = {}) {
  const m = createMachine();
  m.load(encodeLines(lines), 0);
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  Object.assign(m.state, init);
  const res = m.run({ maxInstructions: lines.length });
  return { m, res };
}
function ok(lines: string[], regs: Record<string, number>, init: Init = {}) {
  const r = run(lines, regs, init);
  expect(r.res.reason, r.res.fault?.message).toBe('limit');
  return r.m;
}

describe('MUL (32-bit), MLA, MLS', () => {
  it.each([
    [0xffffffff, 0xffffffff, 1],
    [0x7fffffff, 2, 0xfffffffe],
    [0x80000000, 0xffffffff, 0x80000000],
    [0x10000, 0x10000, 0],
    [0x12345, 0x10001, 0x23462345], // 0x1_2345_0000 + 0x1_2345 = 0x1_2346_2345
  ])('mul r8, r9, r10: %i * %i', (a, b, want) => {
    const m = ok(['mul r8, r9, r10'], { r9: a, r10: b });
    expect(m.reg('r8')).toBe(want);
  });
  it('keeps the low 32 bits of the product and leaves the flags alone', () => {
    // 0x12345678 * 0x100 = 0x12_3456_7800 -> 0x34567800
    const m = ok(['mul r0, r1, r2'], { r1: 0x12345678, r2: 0x100 }, { n: 1, z: 1, c: 1, v: 1 });
    expect(m.reg('r0')).toBe(0x34567800);
    expect(m.flags).toMatchObject({ n: 1, z: 1, c: 1, v: 1 });
  });
  it('two-operand mul is mul rd, rm, rd (as GNU as and llvm-mc)', () => {
    expect([...encodeLines(['mul r1, r2'])]).toEqual([0x02, 0xfb, 0x01, 0xf1]);
    const m = ok(['mul r9, r10'], { r9: 6, r10: 7 });
    expect(m.reg('r9')).toBe(42);
  });
  it.each([
    // [Rn, Rm, Ra, MLA result, MLS result]
    [3, 4, 5, 17, 0xfffffff9], // 5 - 12 = -7
    [0xffffffff, 0xffffffff, 0xffffffff, 0, 0xfffffffe], // product 1
    [0x10000, 0x10000, 7, 7, 7], // product 2^32 -> 0
    [0x80000000, 2, 1, 1, 1],
    [0x7fffffff, 0x7fffffff, 0, 1, 0xffffffff], // product 0x3fffffff_00000001
    [0, 12345, 0x80000000, 0x80000000, 0x80000000],
  ])('mla/mls with %i * %i and %i', (n, m_, a, wantMla, wantMls) => {
    const m = ok(['mla r0, r1, r2, r3', 'mls r4, r1, r2, r3'], { r1: n, r2: m_, r3: a });
    expect(m.reg('r0')).toBe(wantMla);
    expect(m.reg('r4')).toBe(wantMls);
  });
  it('MLA with Ra = PC is MUL, with Ra = SP UNPREDICTABLE', () => {
    // mla r0, r1, r2, r3 is fb01 3002
    expect(decode(0xfb01, 0x3002).entry?.def.id).toBe('MLA_T1');
    expect(decode(0xfb01, 0xf002).entry?.def.id).toBe('MUL_T2');
    expect(decode(0xfb01, 0xd002).entry).toBeNull();
    expect(() => encodeLines(['mls r0, r1, r2, sp'])).toThrow();
    expect(() => encodeLines(['mul r0, sp, r2'])).toThrow();
  });
  it('Rd may be a source', () => {
    const m = ok(['mla r1, r1, r1, r1'], { r1: 3 });
    expect(m.reg('r1')).toBe(12);
  });
});

describe('long multiplies', () => {
  // smull/umull RdLo=r0, RdHi=r1, Rn=r2, Rm=r3
  it.each([
    [0xffffffff, 0xffffffff, 0, 1], // -1 * -1 = 1
    [0x80000000, 0x80000000, 0x40000000, 0], // 2^62
    [0x7fffffff, 0x80000000, 0xc0000000, 0x80000000], // -(2^62 - 2^31) = 0xc0000000_80000000
    [0xffffffff, 1, 0xffffffff, 0xffffffff], // -1
    [0x7fffffff, 0x7fffffff, 0x3fffffff, 1], // 0x3fffffff_00000001
    [0, 0x80000000, 0, 0],
    [0xedcba988, 0x7edcba98, 0xf6fa8b31, 0xcaf978c0], // -0x12345678 * 0x7edcba98
  ])('smull %i * %i', (a, b, hi, lo) => {
    const m = ok(['smull r0, r1, r2, r3'], { r2: a, r3: b });
    expect([m.reg('r1'), m.reg('r0')]).toEqual([hi, lo]);
  });
  it.each([
    [0xffffffff, 0xffffffff, 0xfffffffe, 1],
    [0x80000000, 2, 1, 0],
    [0x80000000, 0x80000000, 0x40000000, 0],
    [0, 0xffffffff, 0, 0],
    [0x12345678, 0x9abcdef0, 0x0b00ea4e, 0x242d2080],
    [0xffffffff, 1, 0, 0xffffffff],
  ])('umull %i * %i', (a, b, hi, lo) => {
    const m = ok(['umull r0, r1, r2, r3'], { r2: a, r3: b });
    expect([m.reg('r1'), m.reg('r0')]).toEqual([hi, lo]);
  });
  it.each([
    // [Rn, Rm, hi before, lo before, hi after, lo after]
    [1, 1, 0, 0xffffffff, 1, 0], // carry from the low word
    [0xffffffff, 1, 0, 0, 0xffffffff, 0xffffffff], // -1
    [1, 1, 0x7fffffff, 0xffffffff, 0x80000000, 0], // wraps at 2^63 (modulo 2^64)
    [0x80000000, 0x80000000, 0xffffffff, 0xffffffff, 0x3fffffff, 0xffffffff], // 2^62 - 1
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0, 0], // 1 + (-1)
    [2, 3, 0x12345678, 0x9abcdef0, 0x12345678, 0x9abcdef6],
  ])('smlal %i * %i + %i:%i', (a, b, hi0, lo0, hi, lo) => {
    const m = ok(['smlal r0, r1, r2, r3'], { r0: lo0, r1: hi0, r2: a, r3: b });
    expect([m.reg('r1'), m.reg('r0')]).toEqual([hi, lo]);
  });
  it.each([
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xfffffffe, 0], // 0xfffffffe_00000001 + 2^64 - 1
    [1, 1, 0, 0xffffffff, 1, 0],
    [0x80000000, 2, 0x7fffffff, 0, 0x80000000, 0],
    [0xffffffff, 1, 0, 1, 1, 0], // 0xffffffff + 1: unsigned, no sign extension of the product
  ])('umlal %i * %i + %i:%i', (a, b, hi0, lo0, hi, lo) => {
    const m = ok(['umlal r0, r1, r2, r3'], { r0: lo0, r1: hi0, r2: a, r3: b });
    expect([m.reg('r1'), m.reg('r0')]).toEqual([hi, lo]);
  });
  it.each([
    // [Rn, Rm, RdHi, RdLo, hi after, lo after]: Rn * Rm + RdHi + RdLo, all unsigned
    [3, 4, 6, 5, 0, 23],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], // the largest: 2^64 - 1
    [0, 0, 0xffffffff, 0xffffffff, 1, 0xfffffffe],
    [0x80000000, 2, 0, 0xffffffff, 1, 0xffffffff],
  ])('umaal %i * %i + %i + %i', (a, b, hi0, lo0, hi, lo) => {
    const m = ok(['umaal r0, r1, r2, r3'], { r0: lo0, r1: hi0, r2: a, r3: b });
    expect([m.reg('r1'), m.reg('r0')]).toEqual([hi, lo]);
  });
  it('sources may overlap the destinations', () => {
    // smull r0, r1, r0, r1: (-2) * 3 = -6
    const m = ok(['smull r0, r1, r0, r1'], { r0: 0xfffffffe, r1: 3 });
    expect([m.reg('r1'), m.reg('r0')]).toEqual([0xffffffff, 0xfffffffa]);
    // umlal r0, r1, r0, r1: 2 * 3 + (3:2)
    const m2 = ok(['umlal r0, r1, r0, r1'], { r0: 2, r1: 3 });
    expect([m2.reg('r1'), m2.reg('r0')]).toEqual([3, 8]);
  });
  it('RdHi == RdLo and SP/PC are UNPREDICTABLE', () => {
    expect(() => encodeLines(['smull r0, r0, r2, r3'])).toThrow();
    expect(() => encodeLines(['umaal r4, r4, r2, r3'])).toThrow();
    expect(() => encodeLines(['umull r0, r1, sp, r3'])).toThrow();
    // smull r0, r0, r2, r3 as GNU as emits it: fb82 0003
    expect(decode(0xfb82, 0x0003).entry).toBeNull();
    const m = createMachine();
    m.load(new Uint8Array([0x82, 0xfb, 0x03, 0x00]), 0);
    const res = m.run({ maxInstructions: 1 });
    expect(res.fault?.reason).toBe('UNDEFINSTR');
  });
});

describe('SDIV / UDIV', () => {
  it.each([
    [7, 2, 3],
    [-7, 2, -3 >>> 0], // rounds towards zero
    [7, -2, -3 >>> 0],
    [-7, -2, 3],
    [0x80000000, 0xffffffff, 0x80000000], // -2^31 / -1 overflows to -2^31
    [0x80000000, 1, 0x80000000],
    [0x80000000, 2, 0xc0000000],
    [1, 0x7fffffff, 0],
    [0x7fffffff, 0x7fffffff, 1],
    [0x7fffffff, 0xffffffff, 0x80000001],
    [0, -5 >>> 0, 0],
    [5, 0, 0], // divide by zero gives 0
    [0x80000000, 0, 0],
  ])('sdiv %i / %i', (n, d, want) => {
    const m = ok(['sdiv r0, r1, r2'], { r0: 0x55555555, r1: n, r2: d });
    expect(m.reg('r0')).toBe(want);
  });
  it.each([
    [0xffffffff, 1, 0xffffffff],
    [0xffffffff, 0xffffffff, 1],
    [0x80000000, 2, 0x40000000],
    [0xfffffffe, 0x7fffffff, 2],
    [0x7fffffff, 0x80000000, 0],
    [7, 2, 3],
    [7, 0, 0],
    [0, 0, 0],
  ])('udiv %i / %i', (n, d, want) => {
    const m = ok(['udiv r0, r1, r2'], { r0: 0x55555555, r1: n, r2: d });
    expect(m.reg('r0')).toBe(want);
  });
  it('two-operand form divides Rd in place', () => {
    expect([...encodeLines(['sdiv r1, r2'])]).toEqual([...encodeLines(['sdiv r1, r1, r2'])]);
    const m = ok(['udiv r9, r10'], { r9: 100, r10: 7 });
    expect(m.reg('r9')).toBe(14);
  });
  it('divide by zero faults DIVBYZERO when CCR.DIV_0_TRP is set, leaving Rd', () => {
    for (const mn of ['sdiv', 'udiv']) {
      const { m, res } = run(['movs r3, #0', `${mn} r0, r1, r2`], { r0: 0x1234, r1: 10, r2: 0 }, { divTrap: 1 });
      expect(res.reason).toBe('fault');
      expect(res.fault).toMatchObject({ kind: 'UsageFault', reason: 'DIVBYZERO', pc: 2 });
      expect(m.reg('r0')).toBe(0x1234);
      expect(m.instructions).toBe(1);
    }
    // a non-zero divisor does not trap
    const m = ok(['sdiv r0, r1, r2'], { r1: 10, r2: 3 }, { divTrap: 1 });
    expect(m.reg('r0')).toBe(3);
  });
  it('a divide whose IT condition fails does not trap', () => {
    const m = ok(['it eq', 'sdiveq r0, r1, r2'], { r0: 9, r1: 10, r2: 0 }, { z: 0, divTrap: 1 });
    expect(m.reg('r0')).toBe(9);
  });
  it('costs data-dependent cycles (timing class div has no base cost)', () => {
    // rt.divCycles: 2 with a zero operand, 3 when the dividend has fewer significant bits than the divisor,
    // else 5 + (bits(n) - bits(d)) / 4
    const cyc = (line: string, regs: Record<string, number>) => ok([line], regs).cycles;
    expect(cyc('udiv r0, r1, r2', { r1: 5, r2: 0 })).toBe(2);
    expect(cyc('udiv r0, r1, r2', { r1: 1, r2: 0x100 })).toBe(3);
    expect(cyc('udiv r0, r1, r2', { r1: 0x80000000, r2: 2 })).toBe(12);
    expect(cyc('sdiv r0, r1, r2', { r1: -0x100, r2: -2 })).toBe(6); // |n| 9 bits, |d| 2 bits
  });
});

describe('encodings (bytes from llvm-mc)', () => {
  it.each([
    ['mul r8, r9, r10', [0x09, 0xfb, 0x0a, 0xf8]],
    ['mla r0, r1, r2, r3', [0x01, 0xfb, 0x02, 0x30]],
    ['mls r4, r5, r6, r7', [0x05, 0xfb, 0x16, 0x74]],
    ['smull r0, r1, r2, r3', [0x82, 0xfb, 0x03, 0x01]],
    ['umull r4, r5, r6, r7', [0xa6, 0xfb, 0x07, 0x45]],
    ['smlal r8, r9, r10, r11', [0xca, 0xfb, 0x0b, 0x89]],
    ['umlal r12, lr, r0, r1', [0xe0, 0xfb, 0x01, 0xce]],
    ['umaal r2, r3, r4, r5', [0xe4, 0xfb, 0x65, 0x23]],
    ['sdiv r6, r7, r8', [0x97, 0xfb, 0xf8, 0xf6]],
    ['udiv r9, r10, r11', [0xba, 0xfb, 0xfb, 0xf9]],
  ])('%s', (line, bytes) => {
    const enc = encodeLines([line as string]);
    expect([...enc]).toEqual(bytes);
    expect(disassemble(enc)[0]!.text).toBe((line as string).replace(' ', '\t'));
  });
  it('32-bit mul of low registers prints .w only when a 16-bit form would be chosen', () => {
    // mul r0, r1, r0 outside an IT block cannot be the flag-setting 16-bit MULS
    expect(disassemble(encodeLines(['mul r0, r1, r0']))[0]!.text).toBe('mul\tr0, r1, r0');
  });
});
