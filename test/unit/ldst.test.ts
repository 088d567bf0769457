/**
 * Loads and stores (isa/ldst.ts, src/cpu/ldst.ts). Expected values are worked out by hand from the ARMv7-M ARM
 * pseudocode: little-endian memory, offset_addr = Rn +/- offset, address = index ? offset_addr : Rn, writeback
 * Rn = offset_addr, literal base Align(PC, 4) with PC = instruction address + 4.
 */
import { describe, it, expect } from 'vitest';
import { encodeLines } from '../helpers/run.js';
import { createMachine, type Machine } from '../../src/machine.js';
import { decode } from '../../src/isa/table.js';
import { disassemble } from '../../src/disasm/disasm.js';

interface Opts { base?: number; mem?: [number, number[]][]; max?: number; setup?: (m: Machine) => void }
function exec(lines: string[], regs: Record<string, number> = {}, opts: Opts = {}) {
  const m = createMachine();
  const base = opts.base ?? 0;
  m.load(encodeLines(lines, base), base);
  for (const [a, bytes] of opts.mem ?? []) m.writeBytes(a, new Uint8Array(bytes));
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  opts.setup?.(m);
  const res = m.run({ maxInstructions: opts.max ?? lines.length });
  return { m, res };
}
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const bytesOf = (line: string) => hex(encodeLines([line]));

const DATA: [number, number[]][] = [[0x1000, [0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x12, 0x34, 0x56, 0x78]]];

describe('single loads: every size and sign, aligned and unaligned', () => {
  it('LDR word (16-bit and 32-bit forms)', () => {
    const { m } = exec(['ldr r0, [r1]', 'ldr r2, [r1, #1]', 'ldr r3, [r1, #3]', 'ldr.w r4, [r1, #8]'], { r1: 0x1000 }, { mem: DATA });
    expect(m.reg('r0')).toBe(0xb4a39281);
    expect(m.reg('r2')).toBe(0xc5b4a392);
    expect(m.reg('r3')).toBe(0xe7d6c5b4);
    expect(m.reg('r4')).toBe(0x78563412);
  });
  it('LDRH zero-extends, LDRSH sign-extends, at even and odd addresses', () => {
    const { m } = exec(['ldrh r0, [r1]', 'ldrh r2, [r1, #1]', 'ldrsh r3, [r1, #3]', 'ldrsh r4, [r1, #8]', 'ldrsh r5, [r1, r6]'], { r1: 0x1000, r6: 0 }, { mem: DATA });
    expect(m.reg('r0')).toBe(0x9281);
    expect(m.reg('r2')).toBe(0xa392);
    expect(m.reg('r3')).toBe(0xffffc5b4);
    expect(m.reg('r4')).toBe(0x3412);
    expect(m.reg('r5')).toBe(0xffff9281);
  });
  it('LDRB zero-extends, LDRSB sign-extends', () => {
    const { m } = exec(['ldrb r0, [r1, #5]', 'ldrsb r2, [r1, #5]', 'ldrsb r3, [r1, #8]', 'ldrsb r4, [r1, r5]', 'ldrb.w r6, [r1, #255]'], { r1: 0x1000, r5: 1 }, { mem: DATA });
    expect(m.reg('r0')).toBe(0xd6);
    expect(m.reg('r2')).toBe(0xffffffd6);
    expect(m.reg('r3')).toBe(0x12);
    expect(m.reg('r4')).toBe(0xffffff92);
    expect(m.reg('r6')).toBe(0);
  });
  it('stores of each size, aligned and unaligned', () => {
    const { m } = exec(['str r0, [r1, #1]', 'strh r0, [r1, #5]', 'strb r0, [r1, #7]', 'strh.w r0, [r1, #9]', 'str r0, [r1, r2, lsl #2]'], { r0: 0x11223344, r1: 0x1000, r2: 3 });
    expect(hex(m.readBytes(0x1000, 16))).toBe('00 44 33 22 11 44 33 44 00 44 33 00 44 33 22 11');
  });
  it('LDR into SP clears bits 1:0; STR may store SP', () => {
    const { m } = exec(['ldr sp, [r0]', 'str sp, [r0, #4]'], { r0: 0x1000 }, { mem: [[0x1000, [0x03, 0x20, 0, 0]]] });
    expect(m.reg('sp')).toBe(0x2000);
    expect(m.read32(0x1004)).toBe(0x2000);
  });
});

describe('addressing modes and writeback', () => {
  it('pre-indexed, post-indexed and negative offset loads', () => {
    const { m } = exec(['ldr r0, [r1, #4]!', 'ldr r2, [r3], #-4', 'ldr r4, [r5, #-4]', 'ldrsh r6, [r7, #-2]!', 'ldrb r8, [r9], #3'],
      { r1: 0x1000, r3: 0x1004, r5: 0x1008, r7: 0x1004, r9: 0x1005 }, { mem: DATA });
    expect([m.reg('r0'), m.reg('r1')]).toEqual([0xf8e7d6c5, 0x1004]);
    expect([m.reg('r2'), m.reg('r3')]).toEqual([0xf8e7d6c5, 0x1000]);
    expect([m.reg('r4'), m.reg('r5')]).toEqual([0xf8e7d6c5, 0x1008]);
    expect([m.reg('r6'), m.reg('r7')]).toEqual([0xffffb4a3, 0x1002]);
    expect([m.reg('r8'), m.reg('r9')]).toEqual([0xd6, 0x1008]);
  });
  it('register offsets with LSL #0-3 (16-bit and 32-bit)', () => {
    const { m } = exec(['ldr r0, [r1, r2, lsl #2]', 'ldrb r3, [r1, r2]', 'ldrh.w r4, [r1, r5, lsl #3]', 'ldr r6, [r1, r7]'], { r1: 0x1000, r2: 1, r5: 1, r7: 8 }, { mem: DATA });
    expect(m.reg('r0')).toBe(0xf8e7d6c5);
    expect(m.reg('r3')).toBe(0x92);
    expect(m.reg('r4')).toBe(0x3412);
    expect(m.reg('r6')).toBe(0x78563412);
  });
  it('stores with writeback, and SP-relative forms', () => {
    const { m } = exec(['str r0, [r1, #-8]!', 'strb r0, [r2], #3', 'strh r0, [r3, #2]!', 'str r0, [sp, #4]', 'ldr r4, [sp, #4]', 'str.w r0, [sp, #-4]'],
      { r0: 0xa1b2c3d4, r1: 0x1010, r2: 0x1020, r3: 0x1030, sp: 0x1040 });
    expect(m.reg('r1')).toBe(0x1008);
    expect(m.read32(0x1008)).toBe(0xa1b2c3d4);
    expect([m.reg('r2'), m.read8(0x1020)]).toEqual([0x1023, 0xd4]);
    expect([m.reg('r3'), m.read16(0x1032)]).toEqual([0x1032, 0xc3d4]);
    expect([m.read32(0x1044), m.reg('r4'), m.read32(0x103c), m.reg('sp')]).toEqual([0xa1b2c3d4, 0xa1b2c3d4, 0xa1b2c3d4, 0x1040]);
  });
  it('LDRD/STRD offset, pre- and post-indexed', () => {
    const { m } = exec(['ldrd r2, r3, [r1, #4]!', 'strd r2, r3, [r4], #-8', 'ldrd r6, r7, [r5, #-8]'], { r1: 0x1000, r4: 0x1100, r5: 0x1108 }, { mem: DATA });
    expect([m.reg('r2'), m.reg('r3'), m.reg('r1')]).toEqual([0xf8e7d6c5, 0x78563412, 0x1004]);
    expect([m.read32(0x1100), m.read32(0x1104), m.reg('r4')]).toEqual([0xf8e7d6c5, 0x78563412, 0x10f8]);
    expect([m.reg('r6'), m.reg('r7'), m.reg('r5')]).toEqual([0xf8e7d6c5, 0x78563412, 0x1108]);
  });
  it('unprivileged forms behave as normal accesses', () => {
    const { m } = exec(['ldrt r0, [r1, #4]', 'ldrsbt r2, [r1, #5]', 'ldrht r3, [r1]', 'ldrsht r4, [r1, #2]', 'ldrbt r5, [r1, #1]', 'strt r0, [r1, #16]', 'strbt r0, [r1, #20]', 'strht r0, [r1, #24]'],
      { r1: 0x1000 }, { mem: DATA });
    expect([m.reg('r0'), m.reg('r2'), m.reg('r3'), m.reg('r4'), m.reg('r5')]).toEqual([0xf8e7d6c5, 0xffffffd6, 0x9281, 0xffffb4a3, 0x92]);
    expect([m.read32(0x1010), m.read32(0x1014), m.read32(0x1018)]).toEqual([0xf8e7d6c5, 0xc5, 0xd6c5]);
  });
});

describe('literal loads (base Align(PC, 4))', () => {
  // code at 0x100; data at 0x80..0x8b and 0x204..0x20b
  const lines = [
    'ldr r0, [pc, #0x100]',      // 0x100: Align(0x104, 4) + 0x100 = 0x204
    'ldr r1, [pc, #0x100]',      // 0x102 (2 mod 4): Align(0x106, 4) + 0x100 = 0x204, not 0x206
    'ldr.w r2, [pc, #0xfc]',     // 0x104: 0x108 + 0xfc = 0x204
    'mov r8, r8',                // 0x108
    'ldrh r3, [pc, #0xfa]',      // 0x10a (32-bit, 2 mod 4): Align(0x10e, 4) + 0xfa = 0x206
    'ldrsb r4, [pc, #-143]',     // 0x10e: 0x110 - 0x8f = 0x81
    'ldrd r6, r7, [pc, #-144]',  // 0x112: Align(0x116, 4) - 0x90 = 0x84
    'ldr r5, 0x204',             // 0x116: label form, 16-bit: 0x118 + 0xec
    'ldrb r9, 0x80',             // 0x118: label form, 32-bit with U = 0: 0x11c - 0x9c
    'ldr.w r10, [pc, #-8]',      // 0x11c: 0x120 - 8 = 0x118 (imm12<11:6> = 0: decodes as LDR literal, not LDR register)
    'ldrsh r11, [pc, #-3742]',   // 0x120: 0x124 - 0xe9e (imm12<11:8> = 1110: the LDRSHT pattern), see below
  ];
  const mem: [number, number[]][] = [[0x80, [0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0x11, 0x22, 0x33, 0x44]], [0x204, [1, 2, 3, 4, 5, 6, 7, 8]]];
  it('loads from the word-aligned PC at both instruction alignments', () => {
    const { m, res } = exec(lines.slice(0, 10), {}, { base: 0x100, mem });
    expect(res.reason).toBe('limit');
    expect([m.reg('r0'), m.reg('r1'), m.reg('r2')]).toEqual([0x04030201, 0x04030201, 0x04030201]);
    expect(m.reg('r3')).toBe(0x0403);
    expect(m.reg('r4')).toBe(0xfffffff1);
    expect([m.reg('r6'), m.reg('r7')]).toEqual([0xf7f6f5f4, 0x44332211]);
    expect(m.reg('r5')).toBe(0x04030201);
    expect(m.reg('r9')).toBe(0xf0);
    // the word at 0x118 is the `ldrb r9, 0x80` instruction itself: 0xf81f 0x909c
    expect(m.reg('r10')).toBe(0x909cf81f);
  });
  it('encodes the PC-relative and label forms the same way', () => {
    expect(bytesOf('ldr r0, [pc, #8]')).toBe('02 48');
    expect(bytesOf('ldr r0, [pc]')).toBe('df f8 00 00');
    expect(bytesOf('ldr r0, [pc, #-0]')).toBe('5f f8 00 00');
    expect(hex(encodeLines(['ldr r5, 0x204'], 0x116))).toBe('3b 4d');
    expect(hex(encodeLines(['ldrb r9, 0x80'], 0x118))).toBe('1f f8 9c 90');
    expect(hex(encodeLines(['ldrd r6, r7, 0x84'], 0x112))).toBe('5f e9 24 67');
    expect(hex(encodeLines(['ldrd r6, r7, [pc, #-144]'], 0x112))).toBe('5f e9 24 67');
  });
  it('negative literal offsets that look like other encodings decode as literals (SEE LDR (literal))', () => {
    const d1 = decode(0xf85f, 0x0005); // imm12 = 0x005: bits 11:6 = 000000 (LDR register's pattern)
    const d2 = decode(0xf85f, 0x0e05); // bits 11:8 = 1110 (LDRT's pattern)
    const d3 = decode(0xf81f, 0xfc05); // PLD with bits 11:8 = 1100 (PLD immediate T2's pattern)
    expect([d1.entry?.def.id, d2.entry?.def.id, d3.entry?.def.id]).toEqual(['LDR_lit_T2', 'LDR_lit_T2', 'PLD_lit_T1']);
    expect(disassemble(new Uint8Array([0x5f, 0xf8, 0x05, 0x0e]))[0]!.text).toBe('ldr\tr0, [pc, #-3589]');
    expect(disassemble(new Uint8Array([0x1f, 0xf8, 0x05, 0xfc]))[0]!.text).toBe('pld\t[pc, #-3077]');
    // LDRSH literal at 0x120 with offset -0xe9e reads 0x124 - 0xe9e: outside memory below 0 wraps to 0xfffff286 (unmapped)
    const { res } = exec(lines, {}, { base: 0x100, mem });
    expect(res.fault?.kind).toBe('BusFault');
    expect(res.fault?.address).toBe((0x124 - 0xe9e) >>> 0);
  });
});

describe('LDM, STM, PUSH, POP', () => {
  it('PUSH stores the lowest register at the lowest address; POP loads in the same order', () => {
    const { m } = exec(['push {r0, r4, lr}', 'pop {r1, r2, r3}', 'push {r8, r9}', 'pop {r10, r11}'], { sp: 0x2000, r0: 1, r4: 4, lr: 0xe, r8: 8, r9: 9 });
    expect([m.reg('r1'), m.reg('r2'), m.reg('r3')]).toEqual([1, 4, 0xe]);
    expect([m.reg('r10'), m.reg('r11'), m.reg('sp')]).toEqual([8, 9, 0x2000]);
    // the second push overwrote the top two words of the first
    expect([m.read32(0x1ff4), m.read32(0x1ff8), m.read32(0x1ffc)]).toEqual([1, 8, 9]);
  });
  it('single-register PUSH/POP (T3: STR/LDR with SP writeback) and their spellings', () => {
    expect(bytesOf('push {r8}')).toBe('4d f8 04 8d');
    expect(bytesOf('pop.w {r3}')).toBe('5d f8 04 3b');
    // GNU as 2.40 makes `ldmia sp!, {low registers}` the 16-bit POP (objdump: bc10 pop {r4}); llvm-mc picks T3
    expect(bytesOf('ldmia sp!, {r4}')).toBe('10 bc');
    expect(bytesOf('ldmia.w sp!, {r4}')).toBe('5d f8 04 4b');
    const { m } = exec(['push {r8}', 'str r9, [sp, #-4]!', 'pop {r0}', 'ldr r1, [sp], #4'], { sp: 0x2000, r8: 0x88, r9: 0x99 });
    expect([m.reg('r0'), m.reg('r1'), m.reg('sp'), m.read32(0x1ffc), m.read32(0x1ff8)]).toEqual([0x99, 0x88, 0x2000, 0x88, 0x99]);
  });
  it('STMDB/LDMDB and STM/LDM with and without writeback', () => {
    const { m } = exec(['stmdb r0!, {r1-r3}', 'ldmdb r5, {r6-r8}', 'stm r5!, {r1, r2}', 'ldm.w r9, {r10, r11}', 'ldmia r9!, {r4, r12}'],
      { r0: 0x3000, r1: 0x11, r2: 0x22, r3: 0x33, r5: 0x3000, r9: 0x2ff4 });
    expect(m.reg('r0')).toBe(0x2ff4);
    expect([m.read32(0x2ff4), m.read32(0x2ff8), m.read32(0x2ffc)]).toEqual([0x11, 0x22, 0x33]);
    expect([m.reg('r6'), m.reg('r7'), m.reg('r8')]).toEqual([0x11, 0x22, 0x33]);
    expect([m.reg('r5'), m.read32(0x3000), m.read32(0x3004)]).toEqual([0x3008, 0x11, 0x22]);
    expect([m.reg('r10'), m.reg('r11')]).toEqual([0x11, 0x22]);
    expect([m.reg('r4'), m.reg('r12'), m.reg('r9')]).toEqual([0x11, 0x22, 0x2ffc]);
  });
  it('16-bit LDM writes back only when Rn is not in the list; 16-bit STM stores the original lowest Rn', () => {
    const a = exec(['ldm r0, {r0, r1}'], { r0: 0x1000 }, { mem: DATA }).m;
    expect([a.reg('r0'), a.reg('r1')]).toEqual([0xb4a39281, 0xf8e7d6c5]);
    const b = exec(['ldm r0!, {r1, r2}'], { r0: 0x1000 }, { mem: DATA }).m;
    expect([b.reg('r0'), b.reg('r1'), b.reg('r2')]).toEqual([0x1008, 0xb4a39281, 0xf8e7d6c5]);
    const c = exec(['stm r1!, {r1, r2}'], { r1: 0x1100, r2: 7 }).m;
    expect([c.read32(0x1100), c.read32(0x1104), c.reg('r1')]).toEqual([0x1100, 7, 0x1108]);
    expect(bytesOf('ldm r0, {r0, r2}')).toBe('05 c8');
    expect(bytesOf('ldm r0, {r1, r2}')).toBe('90 e8 06 00');
    expect(() => encodeLines(['ldm r0!, {r0, r2}'])).toThrow(/writeback with Rn in the list/);
  });
  it('POP and LDM into the PC interwork (LoadWritePC)', () => {
    const a = exec(['pop {r4, pc}'], { sp: 0x2000 }, { mem: [[0x2000, [4, 0, 0, 0, 0x01, 0x04, 0, 0]]] });
    expect([a.m.pc, a.m.reg('r4'), a.m.reg('sp'), a.m.state.t]).toEqual([0x400, 4, 0x2008, 1]);
    const b = exec(['ldm r0!, {r1, pc}'], { r0: 0x1000 }, { mem: [[0x1000, [1, 0, 0, 0, 0x00, 0x04, 0, 0]]], max: 2 });
    expect(b.res.reason).toBe('fault');
    expect(b.res.fault?.reason).toBe('INVSTATE');
    expect([b.m.reg('r1'), b.m.reg('r0'), b.m.pc]).toEqual([1, 0x1008, 0x400]);
    const c = exec(['ldr pc, [sp], #4'], { sp: 0x2000 }, { mem: [[0x2000, [0x41, 0x03, 0, 0]]] });
    expect([c.m.pc, c.m.reg('sp')]).toEqual([0x340, 0x2004]);
    const d = exec(['ldr pc, [r0, #4]'], { r0: 0x1000 }, { mem: [[0x1004, [0x81, 0x05, 0, 0]]] });
    expect(d.m.pc).toBe(0x580);
  });
});

describe('exclusives', () => {
  it('LDREX then STREX to the same address stores and writes 0; the monitor is then clear', () => {
    const { m } = exec(['ldrex r0, [r1]', 'add r0, r0, #1', 'strex r2, r0, [r1]', 'strex r3, r0, [r1]'], { r1: 0x1008, r3: 7 }, { mem: DATA });
    expect(m.read32(0x1008)).toBe(0x78563413);
    expect([m.reg('r2'), m.reg('r3'), m.state.exclusive]).toEqual([0, 1, -1]);
  });
  it('STREX without a tag, or to another address, writes 1 and does not store', () => {
    const a = exec(['strex r2, r0, [r1]'], { r0: 5, r1: 0x1000 }).m;
    expect([a.reg('r2'), a.read32(0x1000)]).toEqual([1, 0]);
    const b = exec(['ldrex r0, [r1, #4]', 'strex r2, r0, [r1]', 'strex r3, r0, [r1, #4]'], { r1: 0x1000 }, { mem: DATA }).m;
    expect([b.reg('r2'), b.reg('r3'), b.read32(0x1000)]).toEqual([1, 1, 0xb4a39281]);
  });
  it('byte and halfword exclusives', () => {
    const { m } = exec(['ldrexb r0, [r1]', 'strexb r2, r3, [r1]', 'ldrexh r4, [r6]', 'strexh r7, r3, [r6]'], { r1: 0x1001, r3: 0xabcdef, r6: 0x1006 }, { mem: DATA });
    expect([m.reg('r0'), m.reg('r2'), m.read8(0x1001)]).toEqual([0x92, 0, 0xef]);
    expect([m.reg('r4'), m.reg('r7'), m.read16(0x1006), m.read8(0x1008)]).toEqual([0xf8e7, 0, 0xcdef, 0x12]);
  });
});

describe('alignment faults and faulting accesses', () => {
  const faultOf = (lines: string[], regs: Record<string, number>, opts: Opts = {}) => {
    const { m, res } = exec(lines, regs, { mem: DATA, ...opts });
    return { m, res, reason: res.reason, why: res.fault?.reason };
  };
  it('LDM/STM, LDRD/STRD and LDREX/STREX need word alignment (UsageFault UNALIGNED), registers unchanged', () => {
    for (const [line, regs] of [
      ['ldm r0!, {r1, r2}', { r0: 0x1002 }], ['stm r0!, {r1, r2}', { r0: 0x1001 }], ['ldmdb r0!, {r1, r2}', { r0: 0x1006 }],
      ['stmdb r0, {r1, r2}', { r0: 0x100a }], ['ldrd r1, r2, [r0, #4]!', { r0: 0x1002 }], ['strd r1, r2, [r0]', { r0: 0x1003 }],
      ['ldrex r1, [r0]', { r0: 0x1002 }], ['strex r1, r2, [r0]', { r0: 0x1001 }], ['ldrexh r1, [r0]', { r0: 0x1001 }], ['strexh r1, r2, [r0]', { r0: 0x1003 }],
    ] as [string, Record<string, number>][]) {
      const { m, res, reason, why } = faultOf([line], { ...regs, r1: 0x5a, r2: 0xa5 });
      expect([line, reason, why, res.fault?.kind, res.pc]).toEqual([line, 'fault', 'UNALIGNED', 'UsageFault', 0]);
      expect([m.reg('r0'), m.reg('r1'), m.reg('r2')]).toEqual([regs.r0, 0x5a, 0xa5]);
      expect(hex(m.readBytes(0x1000, 12))).toBe('81 92 a3 b4 c5 d6 e7 f8 12 34 56 78');
    }
    expect(faultOf(['ldrexb r1, [r0]'], { r0: 0x1001 }).reason).toBe('limit');
  });
  it('LDR/STR/LDRH/STRH at unaligned addresses fault only with CCR.UNALIGN_TRP', () => {
    const trap = (mm: Machine) => { mm.state.unalignTrap = 1; };
    expect(faultOf(['ldr r1, [r0]'], { r0: 0x1001 }).reason).toBe('limit');
    for (const line of ['ldr r1, [r0, #1]', 'ldrh r1, [r0, #1]', 'ldrsh r1, [r0, #3]', 'str r1, [r0, #2]', 'strh r1, [r0, #1]']) {
      const { m, why } = faultOf([line], { r0: 0x1000, r1: 0x5a }, { setup: trap });
      expect([line, why, m.reg('r1')]).toEqual([line, 'UNALIGNED', 0x5a]);
    }
    expect(faultOf(['ldrb r1, [r0, #1]', 'ldrh r2, [r0, #2]'], { r0: 0x1000 }, { setup: trap }).reason).toBe('limit');
  });
  it('a faulting load leaves its destination and base unchanged', () => {
    const top = 0x400000; // end of the default 4 MiB code memory at 0
    const a = faultOf(['ldr r0, [r1, #4]!'], { r0: 1, r1: top - 4 });
    expect([a.res.fault?.kind, a.m.reg('r0'), a.m.reg('r1')]).toEqual(['BusFault', 1, top - 4]);
    const b = faultOf(['ldm r1!, {r2-r4}'], { r1: top - 8, r2: 2, r3: 3, r4: 4 });
    expect([b.res.fault?.kind, b.res.fault?.address, b.m.reg('r1'), b.m.reg('r2'), b.m.reg('r3')]).toEqual(['BusFault', top, top - 8, 2, 3]);
    const c = faultOf(['pop {r4, r5}'], { sp: top - 4, r4: 4 });
    expect([c.res.fault?.kind, c.m.reg('r4'), c.m.reg('sp')]).toEqual(['BusFault', 4, top - 4]);
    const d = faultOf(['ldrd r2, r3, [r1], #8'], { r1: top - 4, r2: 2 });
    expect([d.res.fault?.kind, d.m.reg('r2'), d.m.reg('r1')]).toEqual(['BusFault', 2, top - 4]);
  });
  it('a PC load from an unaligned address faults (UNPREDICTABLE)', () => {
    expect(faultOf(['ldr pc, [r0]'], { r0: 0x1002 }).why).toBe('UNALIGNED');
  });
});

describe('hints and IT rules', () => {
  it('PLD/PLI compute an address and do nothing else, even outside memory', () => {
    const { m, res } = exec(['pld [r0]', 'pld [r0, #-4]', 'pld [r0, r1, lsl #2]', 'pld [pc, #-8]', 'pli [r0, #4095]', 'pli [r0, r1]', 'pli [pc, #8]'], { r0: 0xfffffff0, r1: 3 });
    expect(res.reason).toBe('limit');
    expect([m.reg('r0'), m.reg('r1'), m.pc]).toEqual([0xfffffff0, 3, 28]);
  });
  it('a load into the PC is allowed in an IT block only as the last instruction', () => {
    expect(() => encodeLines(['it eq', 'ldreq pc, [r0]'])).not.toThrow();
    expect(() => encodeLines(['itt eq', 'ldreq pc, [r0]', 'moveq r1, r2'])).toThrow();
    expect(() => encodeLines(['itt eq', 'popeq {r0, pc}', 'moveq r1, r2'])).toThrow(/last/);
    expect(() => encodeLines(['itt eq', 'moveq r1, r2', 'popeq {r0, pc}'])).not.toThrow();
    const run = (z: number) => exec(['it eq', 'ldreq pc, [r0]'], { r0: 0x1000 }, { mem: [[0x1000, [0x01, 0x03, 0, 0]]], setup: (mm) => { mm.state.z = z; } }).m.pc;
    expect([run(1), run(0)]).toEqual([0x300, 6]);
    // executing such a word in the middle of an IT block is UNPREDICTABLE: UsageFault UNDEFINSTR
    const m = createMachine();
    m.load(new Uint8Array([...encodeLines(['itt eq']), ...encodeLines(['ldr.w pc, [r0]']), ...encodeLines(['mov r1, r2'])]), 0);
    m.state.z = 1;
    const res = m.run({ maxInstructions: 3 });
    expect([res.reason, res.fault?.reason, res.pc]).toEqual(['fault', 'UNDEFINSTR', 2]);
  });
});

describe('encodings (bytes as llvm-mc gives them)', () => {
  it('a sample of every group', () => {
    const cases: [string, string][] = [
      ['ldr r0, [r1, #-4]', '51 f8 04 0c'], ['ldr r0, [r1, #-0]', '51 f8 00 0c'], ['ldrb r0, [r1], #-4', '11 f8 04 09'],
      ['ldr r0, [r1, #4]!', '51 f8 04 0f'], ['ldrsb r0, [r1, #-4]', '11 f9 04 0c'], ['ldrh r0, [r1, #64]', 'b1 f8 40 00'],
      ['ldrh r0, [r1, #62]', 'c8 8f'], ['ldr.w r0, [r1, r2]', '51 f8 02 00'], ['pld [r0, r1, lsl #2]', '10 f8 21 f0'],
      ['pli [pc, #100]', '9f f9 64 f0'], ['ldrt r0, [r1, #4]', '51 f8 04 0e'], ['strd r0, r1, [r2], #-1020', '62 e8 ff 01'],
      ['ldrd r0, r1, [pc, #-8]', '5f e9 02 01'], ['ldrex r0, [r1, #4]', '51 e8 01 0f'], ['strex r2, r0, [r1, #8]', '41 e8 02 02'],
      ['ldrexb r0, [r1]', 'd1 e8 4f 0f'], ['strexh r2, r0, [r1]', 'c1 e8 52 0f'], ['stmdb sp!, {r4, lr}', '2d e9 10 40'],
      ['ldmia sp!, {r4, pc}', 'bd e8 10 80'], ['pop {r0, pc}', '01 bd'], ['push {r0-r3, lr}', '0f b5'], ['ldm.w r0!, {r1, r2}', 'b0 e8 06 00'],
      ['ldmea r0, {r1, r2}', '10 e9 06 00'], ['stmea r0!, {r1, r2}', '06 c0'], ['ldr pc, [r0]', 'd0 f8 00 f0'], ['pop.w {pc}', '5d f8 04 fb'],
      ['str.w r0, [sp, #1024]', 'cd f8 00 04'], ['str r0, [sp]', '00 90'],
    ];
    for (const [line, want] of cases) expect([line, bytesOf(line)]).toEqual([line, want]);
  });
});
