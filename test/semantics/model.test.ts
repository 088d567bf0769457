/**
 * The reference model's building blocks on values worked out by hand from the manual's pseudocode (so the model
 * is checked even where QEMU is not installed; model-qemu.test.ts checks it wholesale).
 */
import { describe, it, expect } from 'vitest';
import * as M from './model.js';

const st = (regs: number[], f: Partial<M.Flags> = {}) =>
  M.ArchState.of(regs, { n: 0, z: 0, c: 0, v: 0, q: 0, ge: 0, ...f });
const R = (s: M.ArchState, i: number) => Number(s.R(i));

describe('model primitives', () => {
  it('AddWithCarry', () => {
    expect(M.AddWithCarry(0x7fffffffn, 1n, 0)).toEqual([0x80000000n, 0, 1]);
    expect(M.AddWithCarry(0xffffffffn, 1n, 0)).toEqual([0n, 1, 0]);
    expect(M.AddWithCarry(0x80000000n, 0x80000000n, 0)).toEqual([0n, 1, 1]);
    // SUB 5 - 5 = AddWithCarry(5, NOT 5, 1): carry set (no borrow)
    expect(M.AddWithCarry(5n, M.NOT(5n), 1)).toEqual([0n, 1, 0]);
    // 0 - 1: borrow, so carry clear
    expect(M.AddWithCarry(0n, M.NOT(1n), 1)).toEqual([0xffffffffn, 0, 0]);
  });
  it('shifts and their carries', () => {
    expect(M.Shift_C(0x80000001n, 'LSL', 1, 0)).toEqual([2n, 1]);
    expect(M.Shift_C(0x80000001n, 'LSL', 32, 0)).toEqual([0n, 1]);
    expect(M.Shift_C(0x80000001n, 'LSL', 33, 1)).toEqual([0n, 0]);
    expect(M.Shift_C(0x80000001n, 'LSR', 32, 0)).toEqual([0n, 1]);
    expect(M.Shift_C(0x80000000n, 'ASR', 32, 0)).toEqual([0xffffffffn, 1]);
    expect(M.Shift_C(0x80000000n, 'ASR', 200, 0)).toEqual([0xffffffffn, 1]);
    expect(M.Shift_C(0x80000001n, 'ROR', 1, 0)).toEqual([0xc0000000n, 1]);
    expect(M.Shift_C(0x80000001n, 'ROR', 32, 0)).toEqual([0x80000001n, 1]);
    expect(M.Shift_C(0x00000001n, 'ROR', 64, 1)).toEqual([1n, 0]);
    expect(M.Shift_C(0x00000003n, 'RRX', 1, 1)).toEqual([0x80000001n, 1]);
    expect(M.Shift_C(0x12345678n, 'LSR', 0, 1)).toEqual([0x12345678n, 1]);
    expect(M.DecodeImmShift(1, 0)).toEqual({ t: 'LSR', n: 32 });
    expect(M.DecodeImmShift(3, 0)).toEqual({ t: 'RRX', n: 1 });
  });
  it('ThumbExpandImm_C', () => {
    expect(M.ThumbExpandImm_C(0x0ab, 1)).toEqual([0xabn, 1]);
    expect(M.ThumbExpandImm_C(0x1ab, 0)).toEqual([0x00ab00abn, 0]);
    expect(M.ThumbExpandImm_C(0x2ab, 1)).toEqual([0xab00ab00n, 1]);
    expect(M.ThumbExpandImm_C(0x3ab, 0)).toEqual([0xababababn, 0]);
    // rotation 8 of '1':0101011 = 0xab -> 0xab000000, carry = bit 31
    expect(M.ThumbExpandImm_C(0x42b, 0)).toEqual([0xab000000n, 1]);
    // rotation 31 of 0x80 -> 0x100, carry 0
    expect(M.ThumbExpandImm_C(0xf80, 1)).toEqual([0x100n, 0]);
    expect(() => M.ThumbExpandImm_C(0x100, 0)).toThrow();
  });
  it('saturation', () => {
    expect(M.SignedSatQ(128n, 8)).toEqual([127n, true]);
    expect(M.SignedSatQ(-129n, 8)).toEqual([-128n, true]);
    expect(M.SignedSatQ(-128n, 8)).toEqual([-128n, false]);
    expect(M.UnsignedSatQ(-1n, 8)).toEqual([0n, true]);
    expect(M.UnsignedSatQ(256n, 8)).toEqual([255n, true]);
    expect(M.UnsignedSatQ(5n, 0)).toEqual([0n, true]);
  });
});

describe('model instructions', () => {
  it('logical S forms take C from the shifter and leave V', () => {
    const s = st([0, 0xffffffff, 0x80000000], { v: 1 });
    M.dpReg(s, 'and', 0, 1, 2, 0, 1, true); // ands r0, r1, r2, lsl #1
    expect([R(s, 0), s.n, s.z, s.c, s.v]).toEqual([0, 0, 1, 1, 1]);
  });
  it('register shift by 0 keeps C; by 32 and more', () => {
    const s = st([0, 0x80000001, 0], { c: 1 });
    M.shiftReg(s, 'LSL', 0, 1, 2, true);
    expect([R(s, 0), s.c]).toEqual([0x80000001, 1]);
    s.r[2] = 0x1_20n; // low byte 0x20 = 32
    M.shiftReg(s, 'LSR', 0, 1, 2, true);
    expect([R(s, 0), s.c, s.z]).toEqual([0, 1, 1]);
  });
  it('MULS leaves C and V', () => {
    const s = st([0, 0x10000, 0x10000], { c: 1, v: 1 });
    M.mul(s, 0, 1, 2, true);
    expect([R(s, 0), s.z, s.c, s.v]).toEqual([0, 1, 1, 1]);
  });
  it('UMAAL, SMLAL', () => {
    const s = st([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    M.umaal(s, 0, 1, 2, 3); // (2^32-1)^2 + 2(2^32-1) = 2^64 - 1
    expect([R(s, 0), R(s, 1)]).toEqual([0xffffffff, 0xffffffff]);
    const t = st([1, 0, 0xffffffff, 1]);
    M.smlal(t, 0, 1, 2, 3); // 1 + (-1 * 1) = 0
    expect([R(t, 0), R(t, 1)]).toEqual([0, 0]);
  });
  it('SDIV/UDIV: truncation, INT_MIN/-1, divide by zero', () => {
    const s = st([0, 0xfffffff9, 2, 0x80000000, 0xffffffff, 0]);
    M.sdiv(s, 0, 1, 2); expect(R(s, 0)).toBe(0xfffffffd); // -7/2 = -3
    M.udiv(s, 0, 1, 2); expect(R(s, 0)).toBe(0x7ffffffc);
    M.sdiv(s, 0, 3, 4); expect(R(s, 0)).toBe(0x80000000);
    M.sdiv(s, 0, 1, 5); expect(R(s, 0)).toBe(0);
    M.udiv(s, 0, 1, 5); expect(R(s, 0)).toBe(0);
  });
  it('SSAT/USAT set Q; SSAT16 per halfword', () => {
    const s = st([0, 0x00000100]);
    M.ssat(s, 0, 8, 1, 'LSL', 0); expect([R(s, 0), s.q]).toEqual([0x7f, 1]);
    const t = st([0, 0xffffff00]);
    M.usat(t, 0, 8, 1, 'ASR', 4); expect([R(t, 0), t.q]).toEqual([0, 1]);
    const u = st([0, 0x8000_7fff]);
    M.ssat16(u, 0, 8, 1); expect([R(u, 0), u.q]).toEqual([0xff80_007f, 1]);
  });
  it('parallel add/subtract and GE', () => {
    const s = st([0, 0x7fff_ffff, 0x0001_0001]);
    M.parallel(s, 's', 'add16', 0, 1, 2); // hi 0x7fff+1 = 0x8000 (>= 0), lo -1+1 = 0
    expect([R(s, 0), s.ge]).toEqual([0x8000_0000, 0b1111]);
    M.parallel(s, 'q', 'add16', 0, 1, 2);
    expect(R(s, 0)).toBe(0x7fff_0000);
    M.parallel(s, 'u', 'add16', 0, 1, 2); // lo 0xffff+1 carries out, hi 0x7fff+1 does not
    expect([R(s, 0), s.ge]).toEqual([0x8000_0000, 0b0011]);
    M.parallel(s, 'uh', 'add16', 0, 1, 2);
    expect(R(s, 0)).toBe(0x4000_8000);
    M.parallel(s, 'u', 'asx', 0, 1, 2); // lo 0xffff-1, hi 0x7fff+1
    expect([R(s, 0), s.ge]).toEqual([0x8000_fffe, 0b0011]);
    M.parallel(s, 'u', 'sub8', 0, 2, 1); // bytes (low first) 01-ff, 00-ff, 01-ff, 00-7f: all borrow
    expect([R(s, 0), s.ge]).toEqual([0x8102_0102, 0]);
  });
  it('QDADD doubles with saturation', () => {
    const s = st([0, 1, 0x40000000]);
    M.qdadd(s, 0, 1, 2); // 2*0x40000000 saturates to 0x7fffffff, +1 saturates again
    expect([R(s, 0), s.q]).toEqual([0x7fffffff, 1]);
  });
  it('SMLAWB, SMUAD overflow, SMMULR rounding', () => {
    const s = st([0, 0x7fffffff, 0x7fff, 0x7fffffff]);
    M.smlawy(s, 0, 1, 2, 3, false); // (0x7fffffff*0x7fff + 0x7fffffff<<16) >> 16 overflows
    expect(s.q).toBe(1);
    const t = st([0, 0x80008000, 0x80008000]);
    M.smuad(t, 0, 1, 2, false); // 2 * 2^30 = 2^31
    expect([R(t, 0), t.q]).toEqual([0x80000000, 1]);
    const u = st([0, 0x40000000, 0x00000003]);
    M.smmul(u, 0, 1, 2, true); // (3*2^30 + 2^31) >> 32 = 1
    expect(R(u, 0)).toBe(1);
    M.smmul(u, 0, 1, 2, false);
    expect(R(u, 0)).toBe(0);
  });
});
