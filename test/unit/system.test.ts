/**
 * System instructions: hints, barriers, CLREX, MRS/MSR (ARMv7-M ARM B5.2.2, B5.2.3), CPS (B5.2.1), SVC, BKPT,
 * UDF. Expected values come from the B5.2 pseudocode: SYSm 0-7 are the xPSR views (bit 0 IPSR, bit 1 EPSR which
 * reads as zero, bit 2 clear: APSR), 8 MSP, 9 PSP, 16 PRIMASK, 17 BASEPRI, 18 BASEPRI_MAX, 19 FAULTMASK,
 * 20 CONTROL; unprivileged code reads 0 from and cannot write the privileged ones.
 */
import { describe, it, expect } from 'vitest';
import { encodeLines } from '../helpers/run.js';
import { createMachine, type Machine } from '../../src/machine.js';

/** A machine with `lines` at 0x1000, SP (MSP) = 0x8000, PSP = 0x6000, registers set. */
function load(lines: string[], regs: Record<string, number> = {}): Machine {
  const m = createMachine();
  m.load(encodeLines(lines, 0x1000), 0x1000);
  m.setReg('sp', 0x8000);
  m.state.psp = 0x6000;
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  return m;
}
/** Run until the first stop that is not the instruction limit. */
const go = (m: Machine) => m.run({ maxInstructions: 1000 });

describe('hints', () => {
  it('NOP, YIELD, DBG and unallocated hints (16- and 32-bit) change nothing but the PC', () => {
    const lines = ['nop', 'yield', 'nop.w', 'yield.w', 'hint #5', 'hint #15', 'hint.w #100', 'hint.w #239', 'dbg #3', 'bkpt #0'];
    const m = load(lines, { r0: 0x12345678 });
    m.state.n = 1; m.state.c = 1;
    const before = m.regs;
    const res = go(m);
    expect(res.reason).toBe('bkpt');
    expect(res.instructions).toBe(9);
    expect(res.pc).toBe(0x1000 + 2 + 2 + 4 + 4 + 2 + 2 + 4 + 4 + 4);
    expect(m.regs.slice(0, 15)).toEqual(before.slice(0, 15));
    expect(m.flags).toMatchObject({ n: 1, z: 0, c: 1, v: 0 });
  });

  it('hint #n is the named hint for n = 0..4, hint #0xf0+o is DBG #o', () => {
    expect(encodeLines(['hint #0', 'hint #1', 'hint #2', 'hint #3', 'hint #4'])).toEqual(encodeLines(['nop', 'yield', 'wfe', 'wfi', 'sev']));
    expect(encodeLines(['hint.w #3', 'hint.w #244'])).toEqual(encodeLines(['wfi.w', 'dbg #4']));
    expect(Array.from(encodeLines(['hint #7']))).toEqual([0x70, 0xbf]);
    expect(Array.from(encodeLines(['hint #100']))).toEqual([0xaf, 0xf3, 0x64, 0x80]);
  });

  it('WFI stops the machine after the WFI (16- and 32-bit)', () => {
    const m = load(['mov.w r0, #1', 'wfi', 'wfi.w', 'mov.w r0, #2']);
    let res = go(m);
    expect(res.reason).toBe('wfi');
    expect(res.pc).toBe(0x1006);
    expect(res.instructions).toBe(2);
    res = go(m);
    expect(res.reason).toBe('wfi');
    expect(res.pc).toBe(0x100a);
    expect(res.instructions).toBe(1);
  });

  it('SEV sets the event register, WFE consumes it, a WFE without an event stops the machine', () => {
    const m = load(['sev', 'wfe', 'mov.w r0, #1', 'wfe.w', 'mov.w r0, #2', 'bkpt #0']);
    let res = go(m);
    expect(res.reason).toBe('wfe');
    expect(res.pc).toBe(0x100c); // after the second WFE
    expect(m.reg('r0')).toBe(1);
    expect(m.state.event).toBe(0);
    res = go(m);
    expect(res.reason).toBe('bkpt');
    expect(m.reg('r0')).toBe(2);
    const s = load(['sev.w', 'bkpt #0']);
    go(s);
    expect(s.state.event).toBe(1);
  });

  it('a WFI whose IT condition fails does not stop', () => {
    const m = load(['it eq', 'wfieq', 'bkpt #1']);
    m.state.z = 0;
    expect(go(m).reason).toBe('bkpt');
  });
});

describe('barriers and CLREX', () => {
  it('DMB, DSB, ISB execute with every option', () => {
    const m = load(['dmb', 'dsb', 'isb', 'dmb ish', 'dsb #7', 'isb sy', 'bkpt #0'], { r1: 5 });
    const res = go(m);
    expect(res.instructions).toBe(6);
    expect(res.pc).toBe(0x1000 + 24);
    expect(m.reg('r1')).toBe(5);
  });
  it('CLREX opens the local monitor', () => {
    const m = load(['clrex', 'bkpt #0']);
    m.state.exclusive = 0x2000;
    go(m);
    expect(m.state.exclusive).toBe(-1);
  });
});

describe('MRS and MSR', () => {
  it('APSR: flags and GE round trip through msr apsr_nzcvq / apsr_g / apsr_nzcvqg', () => {
    const m = load([
      'msr apsr_nzcvq, r0', 'mrs r1, apsr',
      'msr apsr_g, r2', 'mrs r3, apsr',
      'msr apsr_nzcvqg, r4', 'mrs r5, xpsr', 'mrs r6, iapsr', 'mrs r7, eapsr', 'bkpt #0',
    ], { r0: 0xa80f0000, r2: 0x00050000, r4: 0x580a0000 });
    go(m);
    // apsr_nzcvq writes bits 31:27 only (N=1 Z=0 C=1 V=0 Q=1), GE stays 0
    expect(m.reg('r1')).toBe(0xa8000000);
    // apsr_g writes GE[3:0] = bits 19:16 only
    expect(m.reg('r3')).toBe(0xa8050000);
    expect(m.reg('r5')).toBe(0x580a0000);
    expect(m.reg('r6')).toBe(0x580a0000);
    expect(m.reg('r7')).toBe(0x580a0000);
    expect(m.flags).toEqual({ n: 0, z: 1, c: 0, v: 1, q: 1, ge: 0xa });
  });

  it('every APSR view (apsr, iapsr, eapsr, xpsr) writes the flags (_nzcvq) and GE (_g); the IPSR part is not written', () => {
    for (const view of ['apsr', 'iapsr', 'eapsr', 'xpsr']) {
      const m = load([`msr ${view}_nzcvq, r0`, `msr ${view}_g, r1`, `mrs r2, ${view}`, 'bkpt #0'], { r0: 0x300000ff, r1: 0x000c01ff });
      m.state.ipsr = 0;
      go(m);
      // r0<31:27> = 00110: N=0 Z=0 C=1 V=1 Q=0; r1<19:16> = 0xc
      expect(m.flags, view).toEqual({ n: 0, z: 0, c: 1, v: 1, q: 0, ge: 0xc });
      expect(m.reg('r2'), view).toBe(0x300c0000);
    }
  });

  it('IPSR and EPSR: the exception number reads back, EPSR reads as zero, writes to them are ignored', () => {
    const m = load(['mrs r0, ipsr', 'mrs r1, epsr', 'mrs r2, iepsr', 'mrs r3, xpsr', 'msr ipsr, r4', 'msr epsr, r4', 'msr iepsr, r4', 'mrs r5, ipsr', 'bkpt #0'], { r4: 0xffffffff });
    m.state.ipsr = 11; // as in the SVCall handler
    m.state.z = 1;
    go(m);
    expect(m.reg('r0')).toBe(11);
    expect(m.reg('r1')).toBe(0); // T bit and ITSTATE are not visible
    expect(m.reg('r2')).toBe(11);
    expect(m.reg('r3')).toBe(0x4000000b);
    expect(m.reg('r5')).toBe(11);
    expect(m.flags).toMatchObject({ n: 0, z: 1, c: 0, v: 0, q: 0, ge: 0 });
    // inside an IT block EPSR still reads 0
    const t = load(['it eq', 'mrseq r1, epsr', 'bkpt #0'], { r1: 7 });
    t.state.z = 1;
    go(t);
    expect(t.reg('r1')).toBe(0);
  });

  it('MSP and PSP: write and read back, bits 1:0 cleared', () => {
    const m = load(['msr psp, r0', 'mrs r1, psp', 'msr msp, r2', 'mrs r3, msp', 'mov r4, sp', 'bkpt #0'], { r0: 0x7003, r2: 0x9006 });
    go(m);
    expect(m.reg('r1')).toBe(0x7000);
    expect(m.reg('r3')).toBe(0x9004);
    expect(m.reg('r4')).toBe(0x9004); // Thread mode with SPSEL = 0 uses MSP
  });

  it('CONTROL.SPSEL swaps the stack pointer; MRS of MSP/PSP still reads the banked values', () => {
    const m = load(['mov r7, sp', 'msr control, r0', 'mov r1, sp', 'mrs r2, msp', 'mrs r3, psp', 'mrs r4, control',
      'msr control, r5', 'mov r6, sp', 'bkpt #0'], { r0: 2, r5: 0 });
    go(m);
    expect(m.reg('r7')).toBe(0x8000);
    expect(m.reg('r1')).toBe(0x6000); // now on PSP
    expect(m.reg('r2')).toBe(0x8000);
    expect(m.reg('r3')).toBe(0x6000);
    expect(m.reg('r4')).toBe(2);
    expect(m.reg('r6')).toBe(0x8000); // back on MSP
    expect(m.state.control).toBe(0);
  });

  it('PUSH-free SP use after switching: writes to SP go to the active stack pointer', () => {
    const m = load(['msr control, r0', 'sub sp, #16', 'mrs r1, psp', 'mrs r2, msp', 'bkpt #0'], { r0: 2 });
    go(m);
    expect(m.reg('r1')).toBe(0x6000 - 16);
    expect(m.reg('r2')).toBe(0x8000);
  });

  it('PRIMASK, BASEPRI, FAULTMASK round trip; only bit 0 / bits 7:0 are kept', () => {
    const m = load(['msr primask, r0', 'mrs r1, primask', 'msr basepri, r2', 'mrs r3, basepri', 'mrs r4, basepri_max',
      'msr faultmask, r0', 'mrs r5, faultmask', 'bkpt #0'], { r0: 0xffffffff, r2: 0x1234 });
    go(m);
    expect([m.reg('r1'), m.reg('r3'), m.reg('r4'), m.reg('r5')]).toEqual([1, 0x34, 0x34, 1]);
    expect([m.state.primask, m.state.basepri, m.state.faultmask]).toEqual([1, 0x34, 1]);
  });

  it('BASEPRI_MAX only raises the boost: a non-zero value lower than BASEPRI, or any non-zero value when BASEPRI is 0', () => {
    const cases: [number, number, number][] = [
      // [BASEPRI before, value written, BASEPRI after]
      [0, 0x40, 0x40], [0x40, 0x20, 0x20], [0x40, 0x60, 0x40], [0x40, 0, 0x40], [0, 0, 0], [0x40, 0x140, 0x40],
    ];
    for (const [before, v, after] of cases) {
      const m = load(['msr basepri_max, r0', 'bkpt #0'], { r0: v });
      m.state.basepri = before;
      go(m);
      expect(m.state.basepri, `${before} <- ${v}`).toBe(after);
    }
  });

  it('FAULTMASK cannot be set in the HardFault or NMI handler, but can elsewhere (and can be cleared)', () => {
    for (const [ipsr, written] of [[0, 1], [11, 1], [3, 0], [2, 0]] as const) {
      const m = load(['msr faultmask, r0', 'bkpt #0'], { r0: 1 });
      m.state.ipsr = ipsr;
      go(m);
      expect(m.state.faultmask, `ipsr ${ipsr}`).toBe(written);
    }
    const c = load(['msr faultmask, r0', 'bkpt #0'], { r0: 0 });
    c.state.faultmask = 1;
    go(c);
    expect(c.state.faultmask).toBe(0);
  });

  it('unprivileged Thread mode: privileged registers read 0 and ignore writes, APSR still works', () => {
    const m = load([
      'msr control, r0', // nPRIV = 1
      'mrs r1, primask', 'mrs r2, basepri', 'mrs r3, faultmask', 'mrs r4, msp', 'mrs r5, psp', 'mrs r6, control',
      'msr primask, r7', 'msr basepri, r7', 'msr basepri_max, r7', 'msr faultmask, r7', 'msr msp, r7', 'msr psp, r7',
      'msr control, r8', 'msr apsr_nzcvq, r7', 'mrs r9, apsr', 'bkpt #0',
    ], { r0: 1, r7: 0xf8000010, r8: 0 });
    m.state.primask = 1; m.state.basepri = 0x20; m.state.faultmask = 1;
    go(m);
    expect([m.reg('r1'), m.reg('r2'), m.reg('r3'), m.reg('r4'), m.reg('r5')]).toEqual([0, 0, 0, 0, 0]);
    expect(m.reg('r6')).toBe(1); // CONTROL is readable
    expect([m.state.primask, m.state.basepri, m.state.faultmask]).toEqual([1, 0x20, 1]);
    expect([m.state.msp, m.state.psp]).toEqual([0x8000, 0x6000]);
    expect(m.state.control).toBe(1); // cannot get privilege back
    expect(m.reg('r9')).toBe(0xf8000000);
  });

  it('Handler mode: MSR CONTROL writes nPRIV but not SPSEL', () => {
    const m = load(['msr control, r0', 'mrs r1, control', 'mov r2, sp', 'bkpt #0'], { r0: 3 });
    m.state.ipsr = 15;
    go(m);
    expect(m.state.control).toBe(1);
    expect(m.reg('r1')).toBe(1);
    expect(m.reg('r2')).toBe(0x8000); // still MSP
  });

  it('reserved SYSm values and SP/PC operands are UNPREDICTABLE: the assembler refuses them, the core faults', () => {
    expect(() => encodeLines(['mrs sp, apsr'])).toThrow();
    expect(() => encodeLines(['msr apsr_nzcvq, pc'])).toThrow();
    expect(() => encodeLines(['msr primask_g, r0'])).toThrow();
    const m = createMachine();
    m.load(new Uint8Array([0xef, 0xf3, 0x04, 0x80]), 0x100); // mrs r0, SYSm=4
    const res = go(m);
    expect(res.fault?.reason).toBe('UNDEFINSTR');
    expect(res.fault?.message).toMatch(/reserved special register 4/);
  });
});

describe('CPS', () => {
  it('CPSID/CPSIE i and f set and clear PRIMASK and FAULTMASK', () => {
    const m = load(['cpsid i', 'mrs r0, primask', 'cpsid f', 'mrs r1, faultmask', 'cpsie i', 'mrs r2, primask', 'cpsie f', 'mrs r3, faultmask',
      'cpsid if', 'bkpt #0']);
    go(m);
    expect([m.reg('r0'), m.reg('r1'), m.reg('r2'), m.reg('r3')]).toEqual([1, 1, 0, 0]);
    expect([m.state.primask, m.state.faultmask]).toEqual([1, 1]);
  });
  it('is ignored when unprivileged; CPSID f is ignored in the HardFault handler', () => {
    const m = load(['cpsid if', 'bkpt #0']);
    m.state.control = 1;
    go(m);
    expect([m.state.primask, m.state.faultmask]).toEqual([0, 0]);
    const u = load(['cpsie if', 'bkpt #0']);
    u.state.control = 1; u.state.primask = 1; u.state.faultmask = 1;
    go(u);
    expect([u.state.primask, u.state.faultmask]).toEqual([1, 1]);
    const h = load(['cpsid if', 'bkpt #0']);
    h.state.ipsr = 3;
    go(h);
    expect([h.state.primask, h.state.faultmask]).toEqual([1, 0]);
  });
  it('is not allowed in an IT block', () => {
    expect(() => encodeLines(['it eq', 'cpsideq i'])).toThrow(/IT block/);
  });
});

describe('SVC, BKPT, UDF', () => {
  it('SVC stops with reason svc, its immediate, and the PC after it', () => {
    for (const imm of [0, 1, 0xab, 255]) {
      const m = load(['mov.w r0, #3', `svc #${imm}`, 'mov.w r0, #4']);
      const res = go(m);
      expect(res).toMatchObject({ reason: 'svc', imm, pc: 0x1006, instructions: 2 });
      expect(m.reg('r0')).toBe(3);
    }
  });
  it('BKPT stops with reason bkpt, its immediate and the PC of the BKPT (not executed)', () => {
    for (const imm of [0, 0xab, 255]) {
      const m = load(['mov.w r0, #3', `bkpt #${imm}`]);
      expect(go(m)).toMatchObject({ reason: 'bkpt', imm, pc: 0x1004, instructions: 1 });
    }
  });
  it('BKPT inside an IT block stops even when the condition fails; SVC does not', () => {
    const m = load(['it eq', 'bkpt #7', 'bkpt #8']);
    m.state.z = 0;
    expect(go(m)).toMatchObject({ reason: 'bkpt', imm: 7, pc: 0x1002 });
    const s = load(['it eq', 'svceq #7', 'bkpt #8']);
    s.state.z = 0;
    expect(go(s)).toMatchObject({ reason: 'bkpt', imm: 8 });
    s.pc = 0x1000; s.state.z = 1;
    expect(go(s)).toMatchObject({ reason: 'svc', imm: 7, pc: 0x1004 });
  });
  it('UDF T1 and T2 fault UsageFault UNDEFINSTR at the UDF', () => {
    for (const [line, pc] of [['udf #0', 0x1004], ['udf #255', 0x1004], ['udf.w #1', 0x1004], ['udf.w #65535', 0x1004], ['udf #300', 0x1004]] as const) {
      const m = load(['mov.w r0, #1', line]);
      const res = go(m);
      expect(res.reason).toBe('fault');
      expect(res.fault).toMatchObject({ kind: 'UsageFault', reason: 'UNDEFINSTR', pc });
      expect(res.fault?.message).toMatch(/UDF #\d+/);
      expect(res.instructions).toBe(1);
    }
    expect(Array.from(encodeLines(['udf #300']))).toEqual([0xf0, 0xf7, 0x2c, 0xa1]);
  });
});
