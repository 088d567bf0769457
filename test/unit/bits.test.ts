/**
 * Saturate, bitfield, extend, pack, reverse and CLZ: values worked out by hand from the ARMv7-M ARM pseudocode
 * (SignedSatQ / UnsignedSatQ, ROR then extend, bitfield slices), encodings as llvm-mc gives them.
 */
import { describe, it, expect } from 'vitest';
import { encodeLines } from '../helpers/run.js';
import { createMachine } from '../../src/machine.js';
import { disassemble } from '../../src/disasm/disasm.js';
import { decode } from '../../src/isa/table.js';

type Init = Partial<{ q: number; n: number; z: number; c: number; v: number }>;
/** Run lines from address 0 with registers and flags set first. */
function run(lines: string[], regs: Record<string, number> = {}, init: Init = {}) {
  const m = createMachine();
  m.load(encodeLines(lines), 0);
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  Object.assign(m.state, init);
  const res = m.run({ maxInstructions: lines.length });
  return { m, res };
}
/** r0 after one instruction (and the Q flag). */
function one(line: string, regs: Record<string, number>, init: Init = {}) {
  const { m, res } = run([line], regs, init);
  expect(res.reason, `${line}: ${res.fault?.message ?? ''}`).toBe('limit');
  return { r0: m.reg('r0'), q: m.flags.q, m };
}

describe('SSAT / USAT', () => {
  it.each([
    // [line, r1, result, Q]
    ['ssat r0, #8, r1', 127, 127, 0],
    ['ssat r0, #8, r1', 128, 127, 1],
    ['ssat r0, #8, r1', -128, 0xffffff80, 0],
    ['ssat r0, #8, r1', -129, 0xffffff80, 1],
    ['ssat r0, #8, r1', 0x7fffffff, 127, 1],
    ['ssat r0, #8, r1', 0x80000000, 0xffffff80, 1],
    ['ssat r0, #1, r1', 0, 0, 0],
    ['ssat r0, #1, r1', 1, 0, 1],
    ['ssat r0, #1, r1', -1, 0xffffffff, 0],
    ['ssat r0, #1, r1', -2, 0xffffffff, 1],
    ['ssat r0, #32, r1', 0x80000000, 0x80000000, 0],
    ['ssat r0, #32, r1', 0x7fffffff, 0x7fffffff, 0],
    // shift first: LSL #4 of 0x800 is 0x8000 = 32768 > 32767
    ['ssat r0, #16, r1, lsl #4', 0x800, 0x7fff, 1],
    ['ssat r0, #16, r1, lsl #4', 0x7ff, 0x7ff0, 0],
    // LSL discards the bits shifted out: 0x40000000 << 1 is 0x80000000, negative
    ['ssat r0, #16, r1, lsl #1', 0x40000000, 0xffff8000, 1],
    // ASR #8 of 0x7fffffff is 0x7fffff; of 0x80000000 is -0x800000
    ['ssat r0, #8, r1, asr #8', 0x7fffffff, 127, 1],
    ['ssat r0, #8, r1, asr #8', 0x80000000, 0xffffff80, 1],
    ['ssat r0, #8, r1, asr #31', 0x80000000, 0xffffffff, 0],
    ['usat r0, #8, r1', 255, 255, 0],
    ['usat r0, #8, r1', 256, 255, 1],
    ['usat r0, #8, r1', 0, 0, 0],
    ['usat r0, #8, r1', -1, 0, 1],
    ['usat r0, #0, r1', 0, 0, 0],
    ['usat r0, #0, r1', 1, 0, 1],
    ['usat r0, #31, r1', 0x7fffffff, 0x7fffffff, 0],
    ['usat r0, #31, r1', 0x80000000, 0, 1],
    ['usat r0, #31, r1, lsl #1', 0x40000000, 0, 1],
    ['usat r0, #4, r1, asr #4', 0xf0, 15, 0],
    ['usat r0, #4, r1, asr #4', 0x100, 15, 1],
    ['usat r0, #4, r1, asr #4', 0x80000000, 0, 1],
  ])('%s with r1=%i', (line, r1, want, q) => {
    const r = one(line as string, { r1: r1 as number });
    expect(r.r0).toBe(want);
    expect(r.q).toBe(q);
  });

  it('Q is sticky: a saturation-free SSAT/USAT leaves it set, and NZCV are untouched', () => {
    const { m } = run(['ssat r0, #8, r1', 'usat r2, #8, r1'], { r1: 5 }, { q: 1, n: 1, z: 0, c: 1, v: 1 });
    expect(m.reg('r0')).toBe(5);
    expect(m.reg('r2')).toBe(5);
    expect(m.flags).toMatchObject({ q: 1, n: 1, z: 0, c: 1, v: 1 });
  });

  it.each([
    // [line, r1, result, Q]; halves: top = r1<31:16>, bottom = r1<15:0>, each saturated as a signed 16-bit value
    ['ssat16 r0, #8, r1', 0x0080ff7f, 0x007fff80, 1], // 128 -> 127, -129 -> -128
    ['ssat16 r0, #8, r1', 0x007fff80, 0x007fff80, 0],
    ['ssat16 r0, #8, r1', 0xff800005, 0xff800005, 0],
    ['ssat16 r0, #16, r1', 0x80007fff, 0x80007fff, 0],
    ['ssat16 r0, #1, r1', 0x0001ffff, 0x0000ffff, 1],
    ['ssat16 r0, #1, r1', 0xffff0000, 0xffff0000, 0],
    ['ssat16 r0, #4, r1', 0x00010008, 0x00010007, 1], // only the bottom half saturates
    ['ssat16 r0, #4, r1', 0xfff00003, 0xfff80003, 1], // only the top half saturates: -16 -> -8
    ['usat16 r0, #8, r1', 0x01fffffe, 0x00ff0000, 1], // 511 -> 255, -2 -> 0
    ['usat16 r0, #8, r1', 0x00ff0000, 0x00ff0000, 0],
    ['usat16 r0, #0, r1', 0, 0, 0],
    ['usat16 r0, #0, r1', 0x00010000, 0, 1],
    ['usat16 r0, #15, r1', 0x7fff8000, 0x7fff0000, 1], // 32767 stays, -32768 -> 0
    ['usat16 r0, #15, r1', 0x7fff1234, 0x7fff1234, 0],
  ])('%s with r1=%i', (line, r1, want, q) => {
    const r = one(line as string, { r1: r1 as number });
    expect(r.r0).toBe(want);
    expect(r.q).toBe(q);
  });
});

describe('bitfields', () => {
  it.each([
    ['sbfx r0, r1, #0, #32', 0x80000001, 0x80000001],
    ['ubfx r0, r1, #0, #32', 0x80000001, 0x80000001],
    ['sbfx r0, r1, #4, #8', 0x00000f80, 0xfffffff8],
    ['ubfx r0, r1, #4, #8', 0x00000f80, 0xf8],
    ['sbfx r0, r1, #4, #8', 0x000007f0, 0x7f],
    ['sbfx r0, r1, #31, #1', 0x80000000, 0xffffffff],
    ['ubfx r0, r1, #31, #1', 0x80000000, 1],
    ['sbfx r0, r1, #31, #1', 0x7fffffff, 0],
    ['sbfx r0, r1, #8, #24', 0x80000000, 0xff800000],
    ['ubfx r0, r1, #8, #24', 0x80000000, 0x00800000],
    ['sbfx r0, r1, #0, #1', 1, 0xffffffff],
    ['ubfx r0, r1, #0, #1', 0xfffffffe, 0],
    ['ubfx r0, r1, #1, #31', 0xffffffff, 0x7fffffff],
    ['sbfx r0, r1, #1, #31', 0xffffffff, 0xffffffff],
  ])('%s with r1=%i', (line, r1, want) => {
    expect(one(line, { r1 }).r0).toBe(want);
  });

  it.each([
    // [line, r0 before, r1, r0 after]
    ['bfi r0, r1, #8, #8', 0xffffffff, 0x12345678, 0xffff78ff],
    ['bfi r0, r1, #0, #32', 0, 0xdeadbeef, 0xdeadbeef],
    ['bfi r0, r1, #31, #1', 0, 1, 0x80000000],
    ['bfi r0, r1, #31, #1', 0xffffffff, 0xfffffffe, 0x7fffffff],
    ['bfi r0, r1, #0, #1', 0xffffffff, 0, 0xfffffffe],
    ['bfi r0, r1, #4, #28', 0x0000000f, 0xfedcba98, 0xedcba98f],
    ['bfc r0, #0, #32', 0xffffffff, 0, 0],
    ['bfc r0, #4, #8', 0xffffffff, 0, 0xfffff00f],
    ['bfc r0, #31, #1', 0xffffffff, 0, 0x7fffffff],
    ['bfc r0, #0, #1', 0x80000001, 0, 0x80000000],
  ])('%s with r0=%i r1=%i', (line, r0, r1, want) => {
    expect(one(line as string, { r0: r0 as number, r1: r1 as number }).r0).toBe(want);
  });

  it('rejects fields past bit 31 and registers SP/PC', () => {
    expect(() => encodeLines(['sbfx r0, r1, #20, #13'])).toThrow();
    expect(() => encodeLines(['ubfx r0, r1, #0, #33'])).toThrow();
    expect(() => encodeLines(['bfi r0, r1, #20, #13'])).toThrow();
    expect(() => encodeLines(['bfc r0, #31, #2'])).toThrow();
    expect(() => encodeLines(['bfi r0, sp, #0, #1'])).toThrow();
    expect(() => encodeLines(['sbfx sp, r1, #0, #1'])).toThrow();
  });

  it('a BFI word with msb < lsb is UNPREDICTABLE', () => {
    // bfi r4, r5, #8, #8 is f365 240f (lsb 8, msb 15); msb 7 instead: f365 2407
    expect(decode(0xf365, 0x240f).entry?.def.id).toBe('BFI_T1');
    expect(decode(0xf365, 0x2407).entry).toBeNull();
    // SBFX with lsb 31, width 2: f341 70c1
    expect(decode(0xf341, 0x70c1).entry).toBeNull();
  });
});

describe('extends', () => {
  // x = 0x80f17f80: ROR 8 = 0x8080f17f, ROR 16 = 0x7f8080f1, ROR 24 = 0xf17f8080
  const x = 0x80f17f80;
  it.each([
    ['sxtb r0, r1', 0xffffff80],
    ['sxtb.w r0, r1', 0xffffff80],
    ['sxtb r0, r1, ror #8', 0x7f],
    ['sxtb r0, r1, ror #16', 0xfffffff1],
    ['sxtb r0, r1, ror #24', 0xffffff80],
    ['sxth r0, r1', 0x7f80],
    ['sxth r0, r1, ror #8', 0xfffff17f],
    ['sxth r0, r1, ror #16', 0xffff80f1],
    ['sxth r0, r1, ror #24', 0xffff8080],
    ['uxtb r0, r1', 0x80],
    ['uxtb r0, r1, ror #8', 0x7f],
    ['uxtb r0, r1, ror #16', 0xf1],
    ['uxtb r0, r1, ror #24', 0x80],
    ['uxth r0, r1', 0x7f80],
    ['uxth.w r0, r1', 0x7f80],
    ['uxth r0, r1, ror #8', 0xf17f],
    ['uxth r0, r1, ror #24', 0x8080],
    ['sxtb16 r0, r1', 0xfff1ff80], // bytes 0 (0x80) and 2 (0xf1)
    ['sxtb16 r0, r1, ror #8', 0xff80007f], // bytes 0x7f and 0x80
    ['sxtb16 r0, r1, ror #24', 0x007fff80],
    ['uxtb16 r0, r1', 0x00f10080],
    ['uxtb16 r0, r1, ror #8', 0x0080007f],
    ['uxtb16 r0, r1, ror #16', 0x008000f1],
  ])('%s of 0x80f17f80', (line, want) => {
    expect(one(line, { r1: x }).r0).toBe(want);
  });

  it.each([
    // [line, r2 (Rn), result]; r1 = 0x80f17f80
    ['sxtab r0, r2, r1', 0x100, 0x80], // 0x100 + -128
    ['sxtab r0, r2, r1', 0, 0xffffff80],
    ['sxtab r0, r2, r1, ror #8', 0x7fffffff, 0x8000007e], // + 0x7f, wraps
    ['sxtah r0, r2, r1, ror #16', 1, 0xffff80f2], // 1 + (0x80f1 - 0x10000)
    ['sxtah r0, r2, r1', 0xffffffff, 0x7f7f],
    ['uxtab r0, r2, r1, ror #24', 0xffffff00, 0xffffff80],
    ['uxtab r0, r2, r1', 0xffffffff, 0x7f], // + 0x80, wraps
    ['uxtah r0, r2, r1', 0x10000, 0x17f80],
    ['uxtah r0, r2, r1, ror #8', 0xffff0000, 0xfffff17f],
    // per halfword: bottom 0x0001 + (-128) = 0xff81, top 0x7fff + (-15) = 0x7ff0
    ['sxtab16 r0, r2, r1', 0x7fff0001, 0x7ff0ff81],
    // bottom 0xff90 + 0x80 = 0x10010 -> 0x0010 (no carry into the top), top 0xffff + 0xf1 -> 0x00f0
    ['uxtab16 r0, r2, r1', 0xffffff90, 0x00f00010],
    ['uxtab16 r0, r2, r1, ror #8', 0x00010002, 0x00810081],
  ])('%s with r2=%i', (line, r2, want) => {
    expect(one(line as string, { r1: x, r2: r2 as number }).r0).toBe(want);
  });

  it('Rn = PC is the plain extend, Rn = SP is UNPREDICTABLE', () => {
    // sxtab r6, r7, r8, ror #24 is fa47 f6b8; with Rn = 1111 it is sxtb.w
    expect(decode(0xfa47, 0xf6b8).entry?.def.id).toBe('SXTAB_T1');
    expect(decode(0xfa4f, 0xf6b8).entry?.def.id).toBe('SXTB_T2');
    expect(decode(0xfa4d, 0xf6b8).entry).toBeNull();
    expect(decode(0xfa2f, 0xf293).entry?.def.id).toBe('SXTB16_T1');
    expect(() => encodeLines(['sxtab r0, sp, r1'])).toThrow();
    expect(() => encodeLines(['sxtb r0, r1, ror #4'])).toThrow();
    expect(() => encodeLines(['uxth r0, r1, ror #32'])).toThrow();
  });
});

describe('PKHBT / PKHTB', () => {
  it.each([
    // r1 = 0x11112222, r2 = 0x33334444
    ['pkhbt r0, r1, r2, lsl #16', 0x33334444, 0x44442222],
    ['pkhbt r0, r1, r2', 0x33334444, 0x33332222],
    ['pkhbt r0, r1, r2, lsl #31', 1, 0x80002222],
    ['pkhbt r0, r1, r2, lsl #8', 0x33334444, 0x33442222],
    ['pkhtb r0, r1, r2, asr #16', 0x33334444, 0x11113333],
    ['pkhtb r0, r1, r2, asr #1', 0x0000fffe, 0x11117fff],
    ['pkhtb r0, r1, r2, asr #32', 0x80000000, 0x1111ffff],
    ['pkhtb r0, r1, r2, asr #32', 0x7fffffff, 0x11110000],
    ['pkhtb r0, r1, r2, asr #20', 0x80000000, 0x1111f800],
  ])('%s with r2=%i', (line, r2, want) => {
    expect(one(line as string, { r1: 0x11112222, r2: r2 as number }).r0).toBe(want);
  });
  it('pkhtb without a shift is pkhbt with Rn and Rm swapped (not ASR #32)', () => {
    // 'pkhtb r2, r2, r3' assembles as 'pkhbt r2, r3, r2' (llvm-mc: c3 ea 02 02)
    expect([...encodeLines(['pkhtb r2, r2, r3'])]).toEqual([0xc3, 0xea, 0x02, 0x02]);
    // result: top half from r1, bottom half from r2, unshifted
    expect(one('pkhtb r0, r1, r2', { r1: 0x11112222, r2: 0x33334444 }).r0).toBe(0x11114444);
  });
  it('prints PKHTB with its shift, also ASR #32', () => {
    expect(disassemble(new Uint8Array([0xc4, 0xea, 0x25, 0x03]))[0]!.text).toBe('pkhtb\tr3, r4, r5, asr #32');
    expect(disassemble(new Uint8Array([0xc7, 0xea, 0x08, 0x06]))[0]!.text).toBe('pkhbt\tr6, r7, r8');
  });
});

describe('reverse and CLZ', () => {
  it.each([
    ['rev r0, r1', 0x12345678, 0x78563412],
    ['rev.w r0, r1', 0x12345678, 0x78563412],
    ['rev16 r0, r1', 0x12345678, 0x34127856],
    ['rev16.w r0, r1', 0xff0000ff, 0x00ffff00],
    ['revsh r0, r1', 0x12345678, 0x00007856],
    ['revsh r0, r1', 0x000080ff, 0xffffff80], // <31:8> = SignExtend(0xff), <7:0> = 0x80
    ['revsh.w r0, r1', 0x12340080, 0xffff8000],
    ['rbit r0, r1', 1, 0x80000000],
    ['rbit r0, r1', 0x12345678, 0x1e6a2c48],
    ['rbit r0, r1', 0xffff0000, 0x0000ffff],
    ['clz r0, r1', 0, 32],
    ['clz r0, r1', 1, 31],
    ['clz r0, r1', 0x80000000, 0],
    ['clz r0, r1', 0x00010000, 15],
    ['clz r0, r1', 0xffffffff, 0],
  ])('%s of %i', (line, r1, want) => {
    expect(one(line, { r1 }).r0).toBe(want);
  });
  it('high registers use the 32-bit forms', () => {
    const { m } = run(['rev r8, r9', 'rev16 r10, r11', 'revsh r12, lr'], { r9: 0xaabbccdd, r11: 0xaabbccdd, lr: 0x1234 });
    expect(m.reg('r8')).toBe(0xddccbbaa);
    expect(m.reg('r10')).toBe(0xbbaaddcc);
    expect(m.reg('r12')).toBe(0x3412);
  });
  it('the two copies of Rm must agree', () => {
    // clz r2, r3 is fab3 f283; Rm in the first halfword changed to r4
    expect(decode(0xfab3, 0xf283).entry?.def.id).toBe('CLZ_T1');
    expect(decode(0xfab4, 0xf283).entry).toBeNull();
    const m = createMachine();
    m.load(new Uint8Array([0xb4, 0xfa, 0x83, 0xf2]), 0);
    const res = m.run({ maxInstructions: 1 });
    expect(res.reason).toBe('fault');
    expect(res.fault?.reason).toBe('UNDEFINSTR');
  });
});

describe('encodings (bytes from llvm-mc)', () => {
  it.each([
    ['ssat r0, #3, r1, asr #3', [0x21, 0xf3, 0xc2, 0x00]],
    ['ssat r8, #32, r9, lsl #31', [0x09, 0xf3, 0xdf, 0x78]],
    ['usat r10, #0, r11', [0x8b, 0xf3, 0x00, 0x0a]],
    ['ssat16 r2, #16, r3', [0x23, 0xf3, 0x0f, 0x02]],
    ['usat16 r4, #15, r5', [0xa5, 0xf3, 0x0f, 0x04]],
    ['sbfx r0, r1, #0, #32', [0x41, 0xf3, 0x1f, 0x00]],
    ['ubfx r2, r3, #31, #1', [0xc3, 0xf3, 0xc0, 0x72]],
    ['bfi r4, r5, #8, #8', [0x65, 0xf3, 0x0f, 0x24]],
    ['bfc r6, #0, #32', [0x6f, 0xf3, 0x1f, 0x06]],
    ['sxtb.w r0, r1, ror #8', [0x4f, 0xfa, 0x91, 0xf0]],
    ['sxth r8, r9, ror #24', [0x0f, 0xfa, 0xb9, 0xf8]],
    ['uxtb r10, r11, ror #16', [0x5f, 0xfa, 0xab, 0xfa]],
    ['uxth.w r0, r1', [0x1f, 0xfa, 0x81, 0xf0]],
    ['sxtb16 r2, r3, ror #8', [0x2f, 0xfa, 0x93, 0xf2]],
    ['uxtb16 r4, r5', [0x3f, 0xfa, 0x85, 0xf4]],
    ['sxtab r6, r7, r8, ror #24', [0x47, 0xfa, 0xb8, 0xf6]],
    ['sxtah r0, r1, r2', [0x01, 0xfa, 0x82, 0xf0]],
    ['uxtab r3, r4, r5, ror #8', [0x54, 0xfa, 0x95, 0xf3]],
    ['uxtah r6, r7, r8, ror #16', [0x17, 0xfa, 0xa8, 0xf6]],
    ['sxtab16 r9, r10, r11', [0x2a, 0xfa, 0x8b, 0xf9]],
    ['uxtab16 r12, lr, r0, ror #24', [0x3e, 0xfa, 0xb0, 0xfc]],
    ['pkhbt r0, r1, r2, lsl #16', [0xc1, 0xea, 0x02, 0x40]],
    ['pkhtb r3, r4, r5, asr #32', [0xc4, 0xea, 0x25, 0x03]],
    ['pkhbt r6, r7, r8', [0xc7, 0xea, 0x08, 0x06]],
    ['rev.w r0, r1', [0x91, 0xfa, 0x81, 0xf0]],
    ['rev r8, r9', [0x99, 0xfa, 0x89, 0xf8]],
    ['rev16 r10, r11', [0x9b, 0xfa, 0x9b, 0xfa]],
    ['revsh r12, lr', [0x9e, 0xfa, 0xbe, 0xfc]],
    ['rbit r0, r1', [0x91, 0xfa, 0xa1, 0xf0]],
    ['clz r2, r3', [0xb3, 0xfa, 0x83, 0xf2]],
  ])('%s', (line, bytes) => {
    const enc = encodeLines([line as string]);
    expect([...enc]).toEqual(bytes);
    // the disassembler's text encodes back to the same bytes
    const text = disassemble(enc)[0]!.text;
    expect([...encodeLines([text.replace('\t', ' ')])]).toEqual(bytes);
  });
});
