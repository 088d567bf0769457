/**
 * DSP extension instructions: expected values worked out by hand from the ARMv7-M ARM pseudocode (A7.7).
 * Byte lane i of a word is bits 8i+7:8i; GE bit i belongs to byte lane i (halfword forms set two bits per lane).
 */
import { describe, it, expect } from 'vitest';
import { encodeLines } from '../helpers/run.js';
import { createMachine } from '../../src/machine.js';
import { decode } from '../../src/isa/table.js';
import { disassemble } from '../../src/disasm/disasm.js';
import { encodeInstruction } from '../../src/asm/instr.js';

/** Run `lines` with registers and initial Q / GE. */
function run(lines: string[], regs: Record<string, number>, init: { q?: number; ge?: number } = {}) {
  const m = createMachine();
  m.load(encodeLines(lines), 0);
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  m.state.q = init.q ?? 0;
  m.state.ge = init.ge ?? 0;
  const r = m.run({ maxInstructions: lines.length });
  expect(r.reason).toBe('limit');
  return m;
}
/** one instruction `mn r2, r0, r1` with r0 = n, r1 = m: [Rd, GE, Q] */
function op3(mn: string, n: number, m: number, init: { q?: number; ge?: number } = {}): [number, number, number] {
  const mc = run([`${mn} r2, r0, r1`], { r0: n, r1: m }, init);
  return [mc.reg('r2'), mc.state.ge, mc.state.q];
}
const hex = (x: number) => '0x' + (x >>> 0).toString(16).padStart(8, '0');
const h3 = ([rd, ge, q]: [number, number, number]) => [hex(rd), ge, q];

describe('parallel add/subtract, halfwords', () => {
  // n = 0x7fff8000: lo -32768 / 0x8000, hi 32767 / 0x7fff; m = 0x0001ffff: lo -1 / 0xffff, hi 1
  const n = 0x7fff8000, m = 0x0001ffff;
  it('SADD16: wraps, GE per lane from the sign of the full sum', () => {
    // lo -32769 -> 0x7fff (GE[1:0]=00); hi 32768 -> 0x8000 (>= 0: GE[3:2]=11)
    expect(h3(op3('sadd16', n, m))).toEqual(['0x80007fff', 0b1100, 0]);
  });
  it('QADD16 saturates each lane, leaves GE and Q alone', () => {
    expect(h3(op3('qadd16', n, m, { ge: 0b0101 }))).toEqual(['0x7fff8000', 0b0101, 0]);
  });
  it('SHADD16 halves the full sum (arithmetic)', () => {
    // lo -32769 >> 1 = -16385 = 0xbfff; hi 32768 >> 1 = 0x4000
    expect(h3(op3('shadd16', n, m, { ge: 0b1111 }))).toEqual(['0x4000bfff', 0b1111, 0]);
  });
  it('UADD16: GE is the carry out of each lane', () => {
    // lo 0x8000 + 0xffff = 0x17fff (GE 11); hi 0x7fff + 1 = 0x8000 (GE 00)
    expect(h3(op3('uadd16', n, m))).toEqual(['0x80007fff', 0b0011, 0]);
  });
  it('UQADD16 / UHADD16', () => {
    expect(h3(op3('uqadd16', n, m, { q: 0 }))).toEqual(['0x8000ffff', 0, 0]);
    expect(h3(op3('uhadd16', n, m))).toEqual(['0x4000bfff', 0, 0]);
  });

  // n = 0x00058000 (lo -32768 / 0x8000, hi 5), m = 0x00030001 (lo 1, hi 3) / 0x00070001 (hi 7)
  it('SSUB16: GE set where the difference is >= 0', () => {
    // lo -32769 -> 0x7fff (GE 00); hi 2 (GE 11)
    expect(h3(op3('ssub16', 0x00058000, 0x00030001))).toEqual(['0x00027fff', 0b1100, 0]);
  });
  it('QSUB16 / SHSUB16', () => {
    expect(h3(op3('qsub16', 0x00058000, 0x00030001))).toEqual(['0x00028000', 0, 0]);
    expect(h3(op3('shsub16', 0x00058000, 0x00030001))).toEqual(['0x0001bfff', 0, 0]);
  });
  it('USUB16: GE clear on a borrow', () => {
    // lo 0x8000 - 1 = 0x7fff (GE 11); hi 5 - 7 = -2 -> 0xfffe (GE 00)
    expect(h3(op3('usub16', 0x00058000, 0x00070001))).toEqual(['0xfffe7fff', 0b0011, 0]);
  });
  it('UQSUB16 clamps at 0; UHSUB16 takes bits 16:1 of the signed difference', () => {
    expect(h3(op3('uqsub16', 0x00058000, 0x00070001))).toEqual(['0x00007fff', 0, 0]);
    // lo 0x7fff >> 1 = 0x3fff; hi -2 >> 1 = -1 -> 0xffff
    expect(h3(op3('uhsub16', 0x00058000, 0x00070001))).toEqual(['0xffff3fff', 0, 0]);
  });

  // ASX: lo = n.lo - m.hi, hi = n.hi + m.lo.  n = 0x10000003, m = 0x00057000
  it('SASX / QASX / SHASX', () => {
    // lo 3 - 5 = -2 (GE 00); hi 0x1000 + 0x7000 = 32768 (GE 11)
    expect(h3(op3('sasx', 0x10000003, 0x00057000))).toEqual(['0x8000fffe', 0b1100, 0]);
    expect(h3(op3('qasx', 0x10000003, 0x00057000))).toEqual(['0x7ffffffe', 0, 0]);
    expect(h3(op3('shasx', 0x10000003, 0x00057000))).toEqual(['0x4000ffff', 0, 0]);
    // m.lo = 0xf000 is -4096 signed: hi 0x1000 - 0x1000 = 0 (GE 11)
    expect(h3(op3('sasx', 0x10000003, 0x0005f000))).toEqual(['0x0000fffe', 0b1100, 0]);
  });
  it('UASX / UQASX / UHASX', () => {
    // lo 3 - 5 = -2 (borrow: GE 00); hi 0x1000 + 0xf000 = 0x10000 (carry: GE 11)
    expect(h3(op3('uasx', 0x10000003, 0x0005f000))).toEqual(['0x0000fffe', 0b1100, 0]);
    expect(h3(op3('uqasx', 0x10000003, 0x0005f000))).toEqual(['0xffff0000', 0, 0]);
    expect(h3(op3('uhasx', 0x10000003, 0x0005f000))).toEqual(['0x8000ffff', 0, 0]);
  });
  // SAX: lo = n.lo + m.hi, hi = n.hi - m.lo.  n = 0x80007fff
  it('SSAX / QSAX / SHSAX', () => {
    // lo 32767 + 1 = 32768 (GE 11); hi -32768 - 1 = -32769 -> 0x7fff (GE 00)
    expect(h3(op3('ssax', 0x80007fff, 0x00010001))).toEqual(['0x7fff8000', 0b0011, 0]);
    expect(h3(op3('qsax', 0x80007fff, 0x00010001))).toEqual(['0x80007fff', 0, 0]);
    expect(h3(op3('shsax', 0x80007fff, 0x00010001))).toEqual(['0xbfff4000', 0, 0]);
  });
  it('USAX / UQSAX / UHSAX', () => {
    // lo 0x7fff + 1 = 0x8000 (no carry: GE 00); hi 0x8000 - 1 = 0x7fff (GE 11)
    expect(h3(op3('usax', 0x80007fff, 0x00010001))).toEqual(['0x7fff8000', 0b1100, 0]);
    expect(h3(op3('uhsax', 0x80007fff, 0x00010001))).toEqual(['0x3fff4000', 0, 0]);
    // lo 0x7fff + 0x9000 = 0x10fff (GE 11); hi 0x8000 - 0x9000 < 0 (GE 00)
    expect(h3(op3('usax', 0x80007fff, 0x90009000))).toEqual(['0xf0000fff', 0b0011, 0]);
    expect(h3(op3('uqsax', 0x80007fff, 0x90009000))).toEqual(['0x0000ffff', 0, 0]);
  });
  it('accepts the old names (GNU as): saddsubx is SASX, uhsubaddx is UHSAX', () => {
    expect(h3(op3('saddsubx', 0x10000003, 0x00057000))).toEqual(['0x8000fffe', 0b1100, 0]);
    expect(h3(op3('uhsubaddx', 0x80007fff, 0x00010001))).toEqual(['0x3fff4000', 0, 0]);
  });
});

describe('parallel add/subtract, bytes', () => {
  // n bytes (lane 0 first): 0xff, 0x01, 0x80, 0x7f; m bytes: 0x01, 0xff, 0x80, 0x01
  const n = 0x7f8001ff, m = 0x0180ff01;
  it('SADD8 / QADD8 / SHADD8', () => {
    // signed sums: 0, 0, -256, 128 -> GE 1,1,0,1
    expect(h3(op3('sadd8', n, m))).toEqual(['0x80000000', 0b1011, 0]);
    expect(h3(op3('qadd8', n, m, { ge: 0b0110 }))).toEqual(['0x7f800000', 0b0110, 0]);
    expect(h3(op3('shadd8', n, m))).toEqual(['0x40800000', 0, 0]);
  });
  it('UADD8 / UQADD8 / UHADD8', () => {
    // unsigned sums: 0x100, 0x100, 0x100, 0x80 -> GE 1,1,1,0
    expect(h3(op3('uadd8', n, m))).toEqual(['0x80000000', 0b0111, 0]);
    expect(h3(op3('uqadd8', n, m))).toEqual(['0x80ffffff', 0, 0]);
    expect(h3(op3('uhadd8', n, m))).toEqual(['0x40808080', 0, 0]);
  });
  it('SSUB8 / SHSUB8', () => {
    // signed differences: -2, 2, 0, 126 -> GE 0,1,1,1
    expect(h3(op3('ssub8', n, m))).toEqual(['0x7e0002fe', 0b1110, 0]);
    expect(h3(op3('shsub8', n, m))).toEqual(['0x3f0001ff', 0, 0]);
  });
  it('QSUB8 saturates both ways without touching Q', () => {
    // lane 2: 127 - (-128) = 255 -> 127; lane 3: -128 - 127 = -255 -> -128
    expect(h3(op3('qsub8', 0x807f0000, 0x7f800000))).toEqual(['0x807f0000', 0, 0]);
    expect(h3(op3('ssub8', 0x807f0000, 0x7f800000))).toEqual(['0x01ff0000', 0b0111, 0]);
  });
  it('USUB8 / UQSUB8 / UHSUB8', () => {
    // unsigned differences: 0xfe, -0xfe, 0, 0x7e -> GE 1,0,1,1
    expect(h3(op3('usub8', n, m))).toEqual(['0x7e0002fe', 0b1101, 0]);
    expect(h3(op3('uqsub8', n, m))).toEqual(['0x7e0000fe', 0, 0]);
    expect(h3(op3('uhsub8', n, m))).toEqual(['0x3f00817f', 0, 0]);
  });
});

describe('SEL, USAD8, USADA8', () => {
  it('SEL takes byte i from Rn when GE[i] is set', () => {
    expect(h3(op3('sel', 0x11223344, 0xaabbccdd, { ge: 0b0101 }))).toEqual(['0xaa22cc44', 0b0101, 0]);
    expect(hex(op3('sel', 0x11223344, 0xaabbccdd, { ge: 0b1111 })[0])).toBe('0x11223344');
    expect(hex(op3('sel', 0x11223344, 0xaabbccdd, { ge: 0 })[0])).toBe('0xaabbccdd');
  });
  it('USUB8 then SEL is a per-byte unsigned maximum', () => {
    const mc = run(['usub8 r2, r0, r1', 'sel r3, r0, r1'], { r0: 0x10f05a00, r1: 0x20e05a01 });
    expect(mc.state.ge).toBe(0b0110);
    expect(hex(mc.reg('r3'))).toBe('0x20f05a01');
  });
  it('USAD8 sums absolute byte differences; USADA8 adds Ra modulo 2^32', () => {
    // |0x10-0x20| + |0x80-0x7f| + |0xff-0x01| + |0x01-0xff| = 16 + 1 + 254 + 254 = 525
    expect(op3('usad8', 0x01ff8010, 0xff017f20)[0]).toBe(525);
    const mc = run(['usada8 r3, r0, r1, r2'], { r0: 0x01ff8010, r1: 0xff017f20, r2: 0xfffffff0 });
    expect(mc.reg('r3')).toBe(509);
  });
});

describe('QADD, QSUB, QDADD, QDSUB (operands Rd, Rm, Rn)', () => {
  it('QADD saturates and sets Q', () => {
    expect(h3(op3('qadd', 0x7ffffff0, 0x20))).toEqual(['0x7fffffff', 0, 1]);
    expect(h3(op3('qadd', 0x80000000, -1))).toEqual(['0x80000000', 0, 1]);
    expect(h3(op3('qadd', 5, -3))).toEqual(['0x00000002', 0, 0]);
  });
  it('QSUB is Rm - Rn', () => {
    expect(h3(op3('qsub', 10, 3))).toEqual(['0x00000007', 0, 0]);
    expect(h3(op3('qsub', 0x80000000, 1))).toEqual(['0x80000000', 0, 1]);
    expect(h3(op3('qsub', 0x7fffffff, -1))).toEqual(['0x7fffffff', 0, 1]);
  });
  it('Q is sticky: never cleared by a non-saturating operation', () => {
    expect(h3(op3('qadd', 1, 2, { q: 1 }))).toEqual(['0x00000003', 0, 1]);
    expect(h3(op3('qdsub', 1, 2, { q: 1 }))).toEqual(['0xfffffffd', 0, 1]);
  });
  it('QDADD: Rm + sat(2 * Rn); the doubling saturation alone sets Q', () => {
    expect(h3(op3('qdadd', 0x10, 0x100))).toEqual(['0x00000210', 0, 0]);
    // 2 * 0x40000000 = 2^31 -> 0x7fffffff (Q); -5 + 0x7fffffff does not saturate
    expect(h3(op3('qdadd', -5, 0x40000000))).toEqual(['0x7ffffffa', 0, 1]);
    expect(h3(op3('qdadd', 0, 0x40000000))).toEqual(['0x7fffffff', 0, 1]);
    expect(h3(op3('qdadd', 0x7fffffff, 1))).toEqual(['0x7fffffff', 0, 1]);
  });
  it('QDSUB: Rm - sat(2 * Rn)', () => {
    expect(h3(op3('qdsub', 0x10, 0x100))).toEqual(['0xfffffe10', 0, 0]);
    // 2 * -2^30 = -2^31 exactly (no saturation); 0 - (-2^31) = 2^31 saturates
    expect(h3(op3('qdsub', 0, 0xc0000000))).toEqual(['0x7fffffff', 0, 1]);
    // 2 * 0x50000000 saturates to 0x7fffffff; 0x10 - 0x7fffffff = -0x7fffffef
    expect(h3(op3('qdsub', 0x10, 0x50000000))).toEqual(['0x80000011', 0, 1]);
  });
});

/** one instruction `mn r4, r0, r1, r2` (Rd, Rn, Rm, Ra): [Rd, Q] */
function mla(mn: string, n: number, m: number, a: number, q = 0): [string, number] {
  const mc = run([`${mn} r4, r0, r1, r2`], { r0: n, r1: m, r2: a }, { q });
  return [hex(mc.reg('r4')), mc.state.q];
}
function mul(mn: string, n: number, m: number, q = 0): [string, number] {
  const mc = run([`${mn} r4, r0, r1`], { r0: n, r1: m }, { q });
  return [hex(mc.reg('r4')), mc.state.q];
}
/** long form `mn r2, r3, r0, r1` with RdHi:RdLo = hi:lo: [RdHi, RdLo, Q] */
function mlal(mn: string, n: number, m: number, hi: number, lo: number): [string, string, number] {
  const mc = run([`${mn} r2, r3, r0, r1`], { r0: n, r1: m, r2: lo, r3: hi });
  return [hex(mc.reg('r3')), hex(mc.reg('r2')), mc.state.q];
}

describe('SMLA<x><y>, SMUL<x><y>', () => {
  // n = 0x0003fffe: bottom -2, top 3; m = 0x80000005: bottom 5, top -32768
  const n = 0x0003fffe, m = 0x80000005;
  it('picks the halves by the B/T letters (first: Rn, second: Rm)', () => {
    expect(mla('smlabb', n, m, 100)).toEqual(['0x0000005a', 0]); // -10 + 100
    expect(mla('smlabt', n, m, 100)).toEqual(['0x00010064', 0]); // 65536 + 100
    expect(mla('smlatb', n, m, 100)).toEqual(['0x00000073', 0]); // 15 + 100
    expect(mla('smlatt', n, m, 100)).toEqual(['0xfffe8064', 0]); // -98304 + 100
    expect(mul('smulbb', n, m)).toEqual(['0xfffffff6', 0]);
    expect(mul('smulbt', n, m)).toEqual(['0x00010000', 0]);
    expect(mul('smultb', n, m)).toEqual(['0x0000000f', 0]);
    expect(mul('smultt', n, m)).toEqual(['0xfffe8000', 0]);
  });
  it('SMLA sets Q when the addition overflows; SMUL of -32768 * -32768 does not', () => {
    expect(mla('smlabb', 0x8000, 0x8000, 0x40000000)).toEqual(['0x80000000', 1]);
    expect(mla('smlatt', 0x80000000, 0x80000000, 0xc0000000)).toEqual(['0x00000000', 0]); // 2^30 - 2^30
    expect(mul('smultt', 0x80000000, 0x80000000)).toEqual(['0x40000000', 0]);
    expect(mla('smlabb', 1, 1, 0, 1)).toEqual(['0x00000001', 1]); // sticky
  });
});

describe('SMLAW<y>, SMULW<y>: bits 47:16 of Rn * half + (Ra << 16)', () => {
  it('SMULWB / SMULWT', () => {
    // -2^31 * -32768 = 2^46 -> 2^30;  -2^31 * 1 = -2^31 -> -32768
    expect(mul('smulwb', 0x80000000, 0x00018000)).toEqual(['0x40000000', 0]);
    expect(mul('smulwt', 0x80000000, 0x00018000)).toEqual(['0xffff8000', 0]);
    // 0x12345678 * 0x1000 = 0x12345678000 -> 0x1234567 (the fraction is dropped)
    expect(mul('smulwb', 0x12345678, 0x1000)).toEqual(['0x01234567', 0]);
    // -1 * 1 = -1 -> bits 47:16 are all ones (floor, not truncation toward zero)
    expect(mul('smulwt', 0xffffffff, 0x00010000)).toEqual(['0xffffffff', 0]);
  });
  it('SMLAWB / SMLAWT accumulate Ra << 16 before taking the bits', () => {
    expect(mla('smlawb', 0x12345678, 0x1000, 0x10)).toEqual(['0x01234577', 0]);
    // 0x0000ffff * 1 + (1 << 16) = 0x1ffff -> 1 (the low product bits carry in before the shift)
    expect(mla('smlawt', 0x0000ffff, 0x00010000, 1)).toEqual(['0x00000001', 0]);
    expect(mla('smlawt', 0x00010000, 0x00010000, 0xffffffff)).toEqual(['0x00000000', 0]);
  });
  it('SMLAW sets Q when bits 47:16 do not fit 32 bits', () => {
    // 2^46 + 2^30 * 2^16 = 2^47 -> 2^31 overflows
    expect(mla('smlawb', 0x80000000, 0x00018000, 0x40000000)).toEqual(['0x80000000', 1]);
    expect(mla('smlawb', 0x80000000, 0x00018000, 0x3fffffff)).toEqual(['0x7fffffff', 0]);
  });
});

describe('SMLAD, SMUAD, SMLSD, SMUSD (X swaps the halves of Rm)', () => {
  // n = 0x0003fffe: lo -2, hi 3; m = 0x00040005: lo 5, hi 4
  const n = 0x0003fffe, m = 0x00040005;
  it('dual multiply add/subtract', () => {
    expect(mla('smlad', n, m, 100)).toEqual(['0x00000066', 0]);   // -10 + 12 + 100
    expect(mla('smladx', n, m, 100)).toEqual(['0x0000006b', 0]);  // -8 + 15 + 100
    expect(mul('smuad', n, m)).toEqual(['0x00000002', 0]);
    expect(mul('smuadx', n, m)).toEqual(['0x00000007', 0]);
    expect(mla('smlsd', n, m, 100)).toEqual(['0x0000004e', 0]);   // -10 - 12 + 100
    expect(mla('smlsdx', n, m, 100)).toEqual(['0x0000004d', 0]);  // -8 - 15 + 100
    expect(mul('smusd', n, m)).toEqual(['0xffffffea', 0]);        // -22
    expect(mul('smusdx', n, m)).toEqual(['0xffffffe9', 0]);       // -23
  });
  it('Q on overflow of the exact sum', () => {
    // (-32768)^2 * 2 = 2^31
    expect(mul('smuad', 0x80008000, 0x80008000)).toEqual(['0x80000000', 1]);
    expect(mla('smlad', 0x00010001, 0x00010001, 0x7fffffff)).toEqual(['0x80000001', 1]);
    // 2^31 - 1 fits: the intermediate 2^31 does not count
    expect(mla('smlad', 0x80008000, 0x80008000, 0xffffffff)).toEqual(['0x7fffffff', 0]);
    // 2^30 - 0 + 2^30
    expect(mla('smlsd', 0x00008000, 0x00008000, 0x40000000)).toEqual(['0x80000000', 1]);
    expect(mla('smlsdx', 0x00008000, 0x80000000, 0x40000000)).toEqual(['0x80000000', 1]);
  });
  it('SMUSD cannot overflow and leaves Q alone', () => {
    // -32768 * 32767 - (-32768)^2 = -2147450880
    expect(mul('smusd', 0x80008000, 0x80007fff)).toEqual(['0x80008000', 0]);
  });
});

describe('SMLAL<x><y>, SMLALD, SMLSLD: 64-bit accumulate, no Q', () => {
  const n = 0x0003fffe, m = 0x80000005;
  it('SMLAL<x><y>', () => {
    expect(mlal('smlalbb', n, m, 0, 5)).toEqual(['0xffffffff', '0xfffffffb', 0]);          // 5 - 10
    expect(mlal('smlaltt', n, m, 1, 0)).toEqual(['0x00000000', '0xfffe8000', 0]);          // 2^32 - 98304
    expect(mlal('smlalbt', n, m, 0x7fffffff, 0xffff0000)).toEqual(['0x80000000', '0x00000000', 0]); // wraps, no Q
    expect(mlal('smlaltb', n, m, 0xffffffff, 0xfffffff0)).toEqual(['0xffffffff', '0xffffffff', 0]); // -16 + 15
  });
  it('SMLALD{X}', () => {
    // (-32768)^2 * 2 = 2^31 does not overflow 64 bits
    expect(mlal('smlald', 0x80008000, 0x80008000, 0, 0)).toEqual(['0x00000000', '0x80000000', 0]);
    expect(mlal('smlald', 0x80008000, 0x80008000, 0xffffffff, 0x80000000)).toEqual(['0x00000000', '0x00000000', 0]);
    expect(mlal('smlaldx', 0x0003fffe, 0x00040005, 0, 0xfffffffe)).toEqual(['0x00000001', '0x00000005', 0]); // + 7
  });
  it('SMLSLD{X}', () => {
    expect(mlal('smlsld', 0x0003fffe, 0x00040005, 0, 0)).toEqual(['0xffffffff', '0xffffffea', 0]);  // -22
    expect(mlal('smlsldx', 0x0003fffe, 0x00040005, 1, 0)).toEqual(['0x00000000', '0xffffffe9', 0]); // 2^32 - 23
    // 2^30 - 32767^2 = 65535 carries out of the low word
    expect(mlal('smlsld', 0x7fff8000, 0x7fff8000, 0x7fffffff, 0xffff0001)).toEqual(['0x80000000', '0x00000000', 0]);
  });
});

describe('SMMUL, SMMLA, SMMLS: most significant word, R rounds', () => {
  it('SMMUL{R}', () => {
    // 0x40000000 * 6 = 0x1_80000000
    expect(mul('smmul', 0x40000000, 6)).toEqual(['0x00000001', 0]);
    expect(mul('smmulr', 0x40000000, 6)).toEqual(['0x00000002', 0]);
    // -0x40000000 * 6 = -0x1_80000000 = 0xfffffffe_80000000: -1.5 words rounds to -1
    expect(mul('smmul', 0xc0000000, 6)).toEqual(['0xfffffffe', 0]);
    expect(mul('smmulr', 0xc0000000, 6)).toEqual(['0xffffffff', 0]);
    // (2^31 - 1)^2 = 0x3fffffff_00000001
    expect(mul('smmul', 0x7fffffff, 0x7fffffff)).toEqual(['0x3fffffff', 0]);
    expect(mul('smmulr', 0x7fffffff, 0x7fffffff)).toEqual(['0x3fffffff', 0]);
    expect(mul('smmul', 0x80000000, 0x80000000)).toEqual(['0x40000000', 0]);
    // 0x12345678 * -0x65432110 = -0x07336c29_dbd2df80 = 0xf8cc93d6_242d2080 (low word bit 31 clear)
    expect(mul('smmul', 0x12345678, 0x9abcdef0)).toEqual(['0xf8cc93d6', 0]);
    expect(mul('smmulr', 0x12345678, 0x9abcdef0)).toEqual(['0xf8cc93d6', 0]);
  });
  it('SMMLA{R}: (Ra << 32) + product, full 64-bit before the top word', () => {
    expect(mla('smmla', 0x40000000, 6, 5)).toEqual(['0x00000006', 0]);
    expect(mla('smmlar', 0x40000000, 6, 5)).toEqual(['0x00000007', 0]);
    expect(mla('smmla', 0x40000000, 6, 0x7fffffff)).toEqual(['0x80000000', 0]); // wraps, no Q
    expect(mla('smmlar', 0xc0000000, 6, 3)).toEqual(['0x00000002', 0]);        // 3 - 1.5 = 1.5 -> 2
  });
  it('SMMLS{R}: (Ra << 32) - product', () => {
    // 5 * 2^32 - 1.5 * 2^32 = 3.5 * 2^32
    expect(mla('smmls', 0x40000000, 6, 5)).toEqual(['0x00000003', 0]);
    expect(mla('smmlsr', 0x40000000, 6, 5)).toEqual(['0x00000004', 0]);
    // 0 - 1 = 0xffffffff_ffffffff: top word -1, rounded up to 0
    expect(mla('smmls', 1, 1, 0)).toEqual(['0xffffffff', 0]);
    expect(mla('smmlsr', 1, 1, 0)).toEqual(['0x00000000', 0]);
    // product 0: no borrow
    expect(mla('smmls', 0, 0x12345678, 7)).toEqual(['0x00000007', 0]);
    // 2^32 - 2^31 = 0x00000000_80000000
    expect(mla('smmls', 0x8000, 0x10000, 1)).toEqual(['0x00000000', 0]);
    expect(mla('smmlsr', 0x8000, 0x10000, 1)).toEqual(['0x00000001', 0]);
  });
  it('operands are read before Rd is written (Rd = Rn = Ra)', () => {
    const mc = run(['smmla r0, r0, r1, r0'], { r0: 0x40000000, r1: 8 });
    expect(mc.reg('r0')).toBe(0x40000002); // (0x40000000 << 32) + 2 << 32
  });
});

describe('encoding and decoding', () => {
  const enc = (line: string) => [...encodeLines([line])];
  it('matches llvm-mc bytes for representative forms', () => {
    // from llvm-mc -triple=thumbv7em -show-encoding
    expect(enc('uqadd16 r1, r2, r3')).toEqual([0x92, 0xfa, 0x53, 0xf1]);
    expect(enc('qadd r1, r2, r3')).toEqual([0x83, 0xfa, 0x82, 0xf1]);
    expect(enc('smlatb r1, r2, r3, r4')).toEqual([0x12, 0xfb, 0x23, 0x41]);
    expect(enc('smlalbt r1, r2, r3, r4')).toEqual([0xc3, 0xfb, 0x94, 0x12]);
    expect(enc('smlsldx r1, r2, r3, r4')).toEqual([0xd3, 0xfb, 0xd4, 0x12]);
    expect(enc('smmlsr r1, r2, r3, r4')).toEqual([0x62, 0xfb, 0x13, 0x41]);
    expect(enc('usada8 r1, r2, r3, r4')).toEqual([0x72, 0xfb, 0x03, 0x41]);
  });
  it('Ra = 1111 decodes as the non-accumulating form', () => {
    const id = (b: number[]) => decode(b[1]! << 8 | b[0]!, b[3]! << 8 | b[2]!).entry?.def.id;
    expect(id([0x12, 0xfb, 0x03, 0xf1])).toBe('SMULxy_T1');
    expect(id([0x22, 0xfb, 0x13, 0xf1])).toBe('SMUAD_T1');
    expect(id([0x32, 0xfb, 0x13, 0xf1])).toBe('SMULWy_T1');
    expect(id([0x42, 0xfb, 0x03, 0xf1])).toBe('SMUSD_T1');
    expect(id([0x52, 0xfb, 0x13, 0xf1])).toBe('SMMUL_T1');
    expect(id([0x72, 0xfb, 0x03, 0xf1])).toBe('USAD8_T1');
    expect(disassemble(new Uint8Array([0x52, 0xfb, 0x13, 0xf1]))[0]!.text).toBe('smmulr\tr1, r2, r3');
    expect(disassemble(new Uint8Array([0xc3, 0xfb, 0x94, 0x12]))[0]!.text).toBe('smlalbt\tr1, r2, r3, r4');
  });
  it('UNPREDICTABLE register uses are rejected', () => {
    const d = decode(0xfb62, 0xf103); // smmls r1, r2, r3, pc: BadReg(Ra)
    expect(d.entry).toBeNull();
    const ctx = { address: 0, it: { inIT: false, cond: 14, last: false }, evaluate: (t: string) => ({ value: Number(t), known: true }) };
    expect(encodeInstruction('smlalbb', 'r1, r1, r2, r3', ctx).ok).toBe(false);
    expect(encodeInstruction('sadd16', 'r1, sp, r2', ctx).ok).toBe(false);
    expect(encodeInstruction('smlabb', 'r1, r2, r3, sp', ctx).ok).toBe(false);
  });
  it('runs conditionally inside an IT block', () => {
    const mc = run(['ite eq', 'sadd16eq r2, r0, r1', 'uadd8ne r3, r0, r1'], { r0: 0x7fff8000, r1: 0x0001ffff }, { ge: 0b1010 });
    // Z = 0: the SADD16 is skipped, the UADD8 runs: bytes 0x00+0xff, 0x80+0xff, 0xff+0x01, 0x7f+0x00
    // = 0xff (no carry), 0x7f (carry), 0x00 (carry), 0x7f (no carry)
    expect(mc.reg('r2')).toBe(0);
    expect(hex(mc.reg('r3'))).toBe('0x7f007fff');
    expect(mc.state.ge).toBe(0b0110);
  });
});
