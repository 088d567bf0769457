/**
 * The ARMv7-M exception model (DDI 0403E B1.5, B3.2-B3.4, C1.8). Register addresses and bit values below are the
 * manual's: ICSR 0xE000ED04 (PENDSVSET bit 28), VTOR 0xE000ED08, AIRCR 0xE000ED0C, CCR 0xE000ED14 (UNALIGN_TRP bit 3,
 * DIV_0_TRP bit 4, STKALIGN bit 9), SHPR3 0xE000ED20, SHCSR 0xE000ED24 (MEMFAULTENA 16, BUSFAULTENA 17, USGFAULTENA 18),
 * CFSR 0xE000ED28, HFSR 0xE000ED2C (FORCED bit 30), BFAR 0xE000ED38, SysTick CSR/RVR/CVR 0xE000E010/14/18,
 * NVIC ISER 0xE000E100, ISPR 0xE000E200, IPR 0xE000E400, STIR 0xE000EF00, DEMCR 0xE000EDFC (TRCENA bit 24),
 * DWT_CTRL 0xE0001000 (CYCCNTENA bit 0), DWT_CYCCNT 0xE0001004.
 */
import { describe, it, expect } from 'vitest';
import { assemble } from '../../src/asm/assembler.js';
import { createMachine } from '../../src/machine.js';
import { TOP, LOG, vectorProgram, boot, readLog, sym } from '../helpers/vectors.js';

/** A vector table at 0 (SP, reset, then exceptions 2..19 by number; missing ones are 0), then the code. */
function program(handlers: Record<number, string>, body: string, opts: { sp?: number } = {}): string {
  const vectors: string[] = [];
  for (let n = 2; n < 20; n++) vectors.push(handlers[n] ?? '0');
  return vectorProgram(vectors, body, opts);
}
const log = readLog;

describe('exception model: reset and vector table', () => {
  it('boots with SP from word 0 and PC from word 1 (bit 0 is EPSR.T)', () => {
    const src = program({}, 'movs r0, #1\n bkpt #0', { sp: 0x20000800 });
    const m = boot(src);
    expect(m.reg('sp')).toBe(0x20000800);
    expect(m.pc).toBe(sym(src, 'reset'));
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r0')).toBe(1);
    expect(m.reg('lr')).toBe(0xffffffff);
  });

  it('a reset vector with bit 0 clear faults INVSTATE on the first instruction (no handler: a report)', () => {
    const src = program({}, 'bkpt #0').replace('.word reset', '.word 0x50'); // reset's address (after 20 words), bit 0 clear
    const m = boot(src);
    const r = m.run();
    expect(r.reason).toBe('fault');
    expect(r.fault).toMatchObject({ kind: 'UsageFault', reason: 'INVSTATE', pc: sym(src, 'reset') });
    expect(r.fault!.status!.cfsr).toBe(1 << 17);
    expect(r.fault!.status!.hfsr).toBe(1 << 30);
  });

  it('VTOR moves the table; AIRCR needs VECTKEY 0x05FA', () => {
    const m = boot(program({}, 'bkpt #0'));
    m.write32(0xe000ed08, 0x00001000);
    expect(m.read32(0xe000ed08)).toBe(0x1000);
    m.write32(0xe000ed0c, 0x00000500);            // no key: ignored
    expect((m.read32(0xe000ed0c) >>> 8) & 7).toBe(0);
    m.write32(0xe000ed0c, 0x05fa0500);
    expect(m.read32(0xe000ed0c)).toBe(0xfa050500);
    expect(m.read32(0xe000ed00)).toBe(0x410fc241); // CPUID Cortex-M4 r0p1
    expect(m.read32(0xe000ed14)).toBe(0x200);      // CCR: STKALIGN
  });
});

describe('exception model: SVC, PendSV, stacking', () => {
  it('an SVC handler reads its stacked frame and changes the caller\'s r0', () => {
    const src = program({ 11: 'svc_h' }, `
      movs  r0, #5
      movs  r1, #7
    svc_at:
      svc   #42
      bkpt  #0
      .thumb_func
    svc_h:
      push  {lr}
      ldr   r2, [sp, #4 + 24]     @ stacked PC
      ldrb  r0, [r2, #-2]         @ the SVC's immediate
      log   r0
      mov   r0, lr
      log   r0
      ldr   r0, [sp, #4 + 28]     @ stacked xPSR
      log   r0
      ldr   r0, [sp, #4]          @ stacked r0
      ldr   r1, [sp, #4 + 4]      @ stacked r1
      add   r0, r1
      str   r0, [sp, #4]
      mrs   r0, ipsr
      log   r0
      pop   {pc}                  @ EXC_RETURN through POP
    `);
    const m = boot(src);
    const r = m.run();
    expect(r.reason).toBe('bkpt');
    expect(r.pc).toBe(sym(src, 'svc_at') + 2);
    expect(m.reg('r0')).toBe(12);
    const [imm, lr, xpsr, ipsr] = log(m);
    expect(imm).toBe(42);
    expect(lr).toBe(0xfffffff9);
    expect(xpsr! & (1 << 24)).toBe(1 << 24);     // T
    expect(xpsr! & (1 << 9)).toBe(0);            // SP was 8-byte aligned
    expect(ipsr).toBe(11);
    expect(m.reg('sp')).toBe(TOP);
    expect(m.state.ipsr).toBe(0);
  });

  it('entry costs 12 cycles and return 10 (Cortex-M4)', () => {
    const m = boot(program({ 11: 'svc_h' }, `
      bkpt  #1
      svc   #0
      bkpt  #0
      .thumb_func
    svc_h:
      bx    lr
    `));
    m.run();
    m.pc = m.pc + 2;
    const c0 = m.cycles;
    expect(m.run().reason).toBe('bkpt');
    // svc 1, entry 12, bx 1 + refill 1, return 10
    expect(m.cycles - c0).toBe(1 + 12 + 2 + 10);
  });

  it('PendSV set through ICSR is taken right after the store', () => {
    const m = boot(program({ 14: 'pendsv_h' }, `
      ldr   r0, =0xe000ed04
      mov   r1, #1 << 28
      str   r1, [r0]
      ldr   r4, =${LOG + 0x100}
      ldr   r4, [r4]
      bkpt  #0
      .thumb_func
    pendsv_h:
      ldr   r0, =${LOG + 0x100}
      movs  r1, #1
      str   r1, [r0]
      bx    lr
    `));
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r4')).toBe(1);
  });

  it('8-byte stack alignment: a frame below an SP at 4 mod 8 is realigned and xPSR bit 9 records it', () => {
    const m = boot(program({ 11: 'svc_h' }, `
      ldr   r0, =${TOP - 4}
      mov   sp, r0
      svc   #0
      mov   r5, sp
      bkpt  #0
      .thumb_func
    svc_h:
      mov   r0, sp
      log   r0
      ldr   r0, [sp, #28]
      log   r0
      bx    lr
    `));
    expect(m.run().reason).toBe('bkpt');
    const [sp, xpsr] = log(m);
    expect(sp).toBe(((TOP - 4 - 0x20) & ~7) >>> 0);
    expect(xpsr! & (1 << 9)).toBe(1 << 9);
    expect(m.reg('r5')).toBe(TOP - 4);
  });

  it('Thread mode on the PSP (CONTROL.SPSEL): EXC_RETURN 0xFFFFFFFD, the frame on the PSP', () => {
    const m = boot(program({ 11: 'svc_h' }, `
      ldr   r0, =0x20000800
      msr   psp, r0
      movs  r0, #2
      msr   control, r0
      isb
      svc   #0
      mov   r5, sp
      mrs   r6, control
      bkpt  #0
      .thumb_func
    svc_h:
      mov   r0, lr
      log   r0
      mrs   r0, psp
      log   r0
      mov   r0, sp
      log   r0
      mrs   r0, control
      log   r0
      bx    lr
    `));
    expect(m.run().reason).toBe('bkpt');
    expect(log(m)).toEqual([0xfffffffd, 0x20000800 - 0x20, TOP, 0]);
    expect(m.reg('r5')).toBe(0x20000800);
    expect(m.reg('r6')).toBe(2);
    expect(m.state.msp >>> 0).toBe(TOP);
  });
});

describe('exception model: interrupts', () => {
  it('SysTick interrupts count ticks while the main loop runs: one per RVR + 1 cycles', () => {
    const m = boot(program({ 15: 'tick' }, `
      ldr   r0, =0xe000e010
      ldr   r1, =999
      str   r1, [r0, #4]          @ RVR
      movs  r1, #0
      str   r1, [r0, #8]          @ CVR: clear
      ldr   r4, =${LOG + 0x100}
      str   r1, [r4]
      movs  r1, #7                @ ENABLE | TICKINT | CLKSOURCE
      str   r1, [r0]
      bkpt  #1
    1:
      ldr   r1, [r4]
      cmp   r1, #10
      blo   1b
      bkpt  #2
      .thumb_func
    tick:
      ldr   r0, =${LOG + 0x100}
      ldr   r1, [r0]
      adds  r1, #1
      str   r1, [r0]
      bx    lr
    `));
    expect(m.run()).toMatchObject({ reason: 'bkpt', imm: 1 });
    // devices see the cycle the accessing instruction starts at: the enabling STR (1 cycle) started 1 cycle ago
    const enabledAt = m.cycles - 1;
    m.pc = m.pc + 2;
    expect(m.run()).toMatchObject({ reason: 'bkpt', imm: 2 });
    const elapsed = m.cycles - enabledAt;
    // the 10th tick is at exactly 10 * 1000 cycles; then its handler and a few loop passes until the test sees it
    expect(Math.floor(elapsed / 1000)).toBe(10);
    expect(m.read32(LOG + 0x100)).toBe(10);
    // the counter reloaded at 10000 and has counted down since
    expect(m.read32(0xe000e018)).toBe(elapsed === 10000 ? 0 : 999 - (elapsed - 10000 - 1));
  });

  it('a higher-priority IRQ pended from a handler preempts; an equal one waits and tail-chains', () => {
    const src = program({ 16: 'irq0', 17: 'irq1', 18: 'irq2' }, `
      ldr   r0, =0xe000e400
      ldr   r1, =0x00804080       @ IPR: IRQ0 0x80, IRQ1 0x40, IRQ2 0x80
      str   r1, [r0]
      ldr   r0, =0xe000e100
      movs  r1, #7
      str   r1, [r0]              @ ISER: IRQ0-2
      ldr   r0, =0xe000ef00
      movs  r1, #0
      str   r1, [r0]              @ STIR: IRQ0
      movs  r0, #9
      log   r0
      bkpt  #0
      .thumb_func
    irq0:
      movs  r0, #0x10
      log   r0
      ldr   r0, =0xe000e200
      movs  r1, #2
      str   r1, [r0]              @ ISPR: IRQ1 (higher): preempts now
      ldr   r0, =0xe000ef00
      movs  r1, #2
      str   r1, [r0]              @ STIR: IRQ2 (equal): waits
      movs  r0, #0x11
      log   r0
      bx    lr
      .thumb_func
    irq1:
      movs  r0, #1
      log   r0
      mov   r0, lr
      log   r0
      bx    lr
      .thumb_func
    irq2:
      movs  r0, #2
      log   r0
      mov   r0, lr
      log   r0
      ldr   r0, =0xe000ed04
      ldr   r0, [r0]
      log   r0
      bx    lr
    `);
    const m = boot(src);
    expect(m.run().reason).toBe('bkpt');
    const l = log(m);
    expect(l.slice(0, 6)).toEqual([0x10, 1, 0xfffffff1, 0x11, 2, 0xfffffff9]);
    expect(l[6]! & 0x1ff).toBe(18);      // ICSR.VECTACTIVE
    expect(l[6]! & (1 << 11)).toBe(1 << 11); // RETTOBASE
    expect(l[7]).toBe(9);
  });

  it('a tail chain costs 6 cycles instead of a return (10) and an entry (12)', () => {
    const body = (chain: boolean) => program({ 16: 'irq0', 17: 'irq1' }, `
      ldr   r0, =0xe000e100
      movs  r1, #3
      str   r1, [r0]
      ldr   r0, =0xe000ef00
      movs  r1, #0
      str   r1, [r0]
      bkpt  #0
      .thumb_func
    irq0:
      ${chain ? 'movs r1, #1\n str r1, [r0]' : 'nop\n nop'}
      bx    lr
      .thumb_func
    irq1:
      bx    lr
    `);
    const a = boot(body(true)); const ca = a.cycles; a.run();
    const b = boot(body(false)); const cb = b.cycles; b.run();
    // irq0's movs + str cost what nop + nop cost; the chained IRQ1 adds its tail chain (6) and its bx (1 + refill 1)
    expect((a.cycles - ca) - (b.cycles - cb)).toBe(6 + 2);
  });

  it('PRIMASK and BASEPRI mask an interrupt until cleared', () => {
    const m = boot(program({ 16: 'irq0' }, `
      ldr   r0, =0xe000e400
      movs  r1, #0x80
      str   r1, [r0]
      ldr   r0, =0xe000e100
      movs  r1, #1
      str   r1, [r0]
      ldr   r7, =${LOG + 0x100}
      cpsid i
      ldr   r0, =0xe000e200
      str   r1, [r0]              @ pend IRQ0
      ldr   r4, [r7]              @ masked by PRIMASK
      movs  r0, #0x80
      msr   basepri, r0
      cpsie i
      ldr   r5, [r7]              @ masked by BASEPRI 0x80 (priority 0x80 is not higher)
      movs  r0, #0
      msr   basepri, r0
      ldr   r6, [r7]              @ taken
      bkpt  #0
      .thumb_func
    irq0:
      ldr   r0, =${LOG + 0x100}
      movs  r1, #1
      str   r1, [r0]
      bx    lr
    `));
    expect(m.run().reason).toBe('bkpt');
    expect([m.reg('r4'), m.reg('r5'), m.reg('r6')]).toEqual([0, 0, 1]);
  });

  it('WFI sleeps until SysTick wakes it', () => {
    const m = boot(program({ 15: 'tick' }, `
      ldr   r0, =0xe000e010
      ldr   r1, =4999
      str   r1, [r0, #4]
      movs  r1, #7
      str   r1, [r0]
      wfi
      bkpt  #0
      .thumb_func
    tick:
      movs  r1, #0
      str   r1, [r0]
      bx    lr
    `));
    const c0 = m.cycles;
    expect(m.run().reason).toBe('bkpt');
    expect(m.cycles - c0).toBeGreaterThan(5000);
    // without an interrupt source WFI still stops the run
    const n = boot(program({}, 'wfi\n bkpt #0'));
    expect(n.run().reason).toBe('wfi');
  });

  it('DWT CYCCNT counts the model cycles while TRCENA and CYCCNTENA are set', () => {
    const m = boot(program({}, `
      movs  r0, #100
    1:
      subs  r0, #1
      bne   1b
      bkpt  #0
    `));
    m.write32(0xe0001004, 0);
    m.write32(0xe0001000, 1);
    expect(m.read32(0xe0001004)).toBe(0);          // no TRCENA: not counting
    m.write32(0xe000edfc, 1 << 24);
    const c0 = m.cycles;
    m.run();
    expect(m.read32(0xe0001004)).toBe(m.cycles - c0);
  });
});

describe('exception model: faults', () => {
  const UFSR_UNDEFINSTR = 1 << 16, UFSR_INVSTATE = 1 << 17, UFSR_UNALIGNED = 1 << 24, UFSR_DIVBYZERO = 1 << 25;
  const BFSR_PRECISERR = 1 << 9, BFSR_BFARVALID = 1 << 15, HFSR_FORCED = 1 << 30;

  /** a handler that logs CFSR and HFSR, clears them, and skips a 16/32-bit instruction at the stacked PC */
  const recover = (name: string, skip: number) => `
      .thumb_func
    ${name}:
      ldr   r1, =0xe000ed28
      ldr   r0, [r1]
      log   r0
      str   r0, [r1]              @ CFSR: write one to clear
      ldr   r0, [r1, #4]
      log   r0
      str   r0, [r1, #4]          @ HFSR
      ldr   r0, [r1, #16]         @ BFAR
      log   r0
      mov   r0, lr
      log   r0
      ldr   r0, [sp, #24]
      adds  r0, #${skip}
      str   r0, [sp, #24]
      bx    lr
  `;
  const enable = (bits: number) => `ldr r0, =0xe000ed24\n ldr r1, =${bits}\n str r1, [r0]`;
  const ccr = (bits: number) => `ldr r0, =0xe000ed14\n ldr r1, =${bits}\n str r1, [r0]`;

  it('UNDEFINSTR as UsageFault when enabled in SHCSR', () => {
    const m = boot(program({ 3: 'hf', 6: 'uf' }, `
      ${enable(1 << 18)}
      movs  r5, #1
      udf   #3
      movs  r5, #2
      bkpt  #0
      ${recover('uf', 2)}
      ${recover('hf', 2)}
    `));
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r5')).toBe(2);
    expect(log(m)).toEqual([UFSR_UNDEFINSTR, 0, 0, 0xfffffff9]);
    expect(m.read32(0xe000ed28)).toBe(0);
  });

  it('escalated to HardFault (HFSR.FORCED) when UsageFault is not enabled; the HardFault handler recovers', () => {
    const m = boot(program({ 3: 'hf', 6: 'uf' }, `
      udf   #3
      movs  r5, #2
      bkpt  #0
      ${recover('uf', 2)}
      ${recover('hf', 2)}
    `));
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r5')).toBe(2);
    expect(log(m)).toEqual([UFSR_UNDEFINSTR, HFSR_FORCED, 0, 0xfffffff9]);
  });

  it('INVSTATE: the handler sets the stacked T bit and the branch target runs', () => {
    const src = program({ 6: 'uf' }, `
      ${enable(1 << 18)}
      adr   r0, target
      bx    r0
      bkpt  #1
      .align 2
    target:
      movs  r5, #7
      bkpt  #0
      .thumb_func
    uf:
      ldr   r1, =0xe000ed28
      ldr   r0, [r1]
      log   r0
      ldr   r0, [sp, #24]
      log   r0
      ldr   r0, [sp, #28]
      orr   r0, #1 << 24
      str   r0, [sp, #28]
      bx    lr
    `);
    const m = boot(src);
    expect(m.run()).toMatchObject({ reason: 'bkpt', imm: 0 });
    expect(m.reg('r5')).toBe(7);
    expect(log(m)).toEqual([UFSR_INVSTATE, sym(src, 'target')]);
  });

  it('UNALIGNED with CCR.UNALIGN_TRP, DIVBYZERO with CCR.DIV_0_TRP', () => {
    const m = boot(program({ 6: 'uf' }, `
      ${enable(1 << 18)}
      ldr   r1, =0x20000401
      ldr   r0, [r1]              @ allowed: UNALIGN_TRP clear
      ${ccr((1 << 3) | (1 << 4) | (1 << 9))}
      ldr   r1, =0x20000401
      ldr.w r0, [r1]              @ UNALIGNED
      movs  r2, #0
      udiv  r0, r1, r2            @ DIVBYZERO
      bkpt  #0
      ${recover('uf', 4)}
    `));
    expect(m.run().reason).toBe('bkpt');
    expect(log(m)).toEqual([UFSR_UNALIGNED, 0, 0, 0xfffffff9, UFSR_DIVBYZERO, 0, 0, 0xfffffff9]);
  });

  it('a load outside the memory map is a BusFault with PRECISERR and BFAR', () => {
    const m = boot(program({ 5: 'bf' }, `
      ${enable(1 << 17)}
      ldr   r1, =0x30000000
      ldr.w r0, [r1, #8]
      bkpt  #0
      ${recover('bf', 4)}
    `));
    expect(m.run().reason).toBe('bkpt');
    expect(log(m)).toEqual([BFSR_PRECISERR | BFSR_BFARVALID, 0, 0x30000008, 0xfffffff9]);
  });

  it('DIV_0_TRP clear: divide by zero gives 0 and no fault', () => {
    const m = boot(program({}, 'movs r1, #5\n movs r2, #0\n udiv r0, r1, r2\n bkpt #0'));
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r0')).toBe(0);
  });

  it('a fault with no handler stops with a report: type, PC, instruction, address, registers', () => {
    const src = program({}, `
      ldr   r1, =0x30000000
      movs  r4, #44
    at:
      str   r4, [r1]
      bkpt  #0
    `);
    const m = boot(src);
    const r = m.run();
    expect(r.reason).toBe('fault');
    expect(r.fault).toMatchObject({ kind: 'BusFault', reason: 'PRECISERR', address: 0x30000000, pc: sym(src, 'at') });
    expect(r.fault!.instruction).toMatch(/^str\s+r4, \[r1\]/);
    expect(r.fault!.registers![4]).toBe(44);
    expect(r.fault!.status).toMatchObject({ cfsr: BFSR_PRECISERR | BFSR_BFARVALID, hfsr: HFSR_FORCED, bfar: 0x30000000 });
    expect(r.fault!.message).toMatch(/no handler for HardFault/);
    expect(m.pc).toBe(sym(src, 'at'));
  });

  it('a stop in a `b .` handler reports the fault that led there', () => {
    const src = program({ 3: 'hf' }, `
      ${ccr((1 << 4) | (1 << 9))}
      movs  r2, #0
    at:
      sdiv  r0, r1, r2
      bkpt  #0
      .thumb_func
    hf:
      b     .
    `);
    const m = boot(src);
    const r = m.run();
    expect(r.reason).toBe('halt');
    expect(r.fault).toMatchObject({ kind: 'UsageFault', reason: 'DIVBYZERO', exception: 'HardFault', escalated: true, pc: sym(src, 'at') });
    expect(m.mode).toBe('HardFault');
  });

  it('a fault inside the HardFault handler locks up', () => {
    const m = boot(program({ 3: 'hf' }, `
      udf   #0
      .thumb_func
    hf:
      udf   #1
    `));
    const r = m.run();
    expect(r.reason).toBe('fault');
    expect(r.fault).toMatchObject({ reason: 'UNDEFINSTR', lockup: true });
  });

  it('an SVC that cannot be taken (PRIMASK set) escalates to HardFault', () => {
    const m = boot(program({ 3: 'hf', 11: 'svc_h' }, `
      cpsid i
      svc   #1
      bkpt  #0
      .thumb_func
    svc_h:
      movs  r5, #1
      bx    lr
      .thumb_func
    hf:
      ldr   r0, =0xe000ed2c
      ldr   r5, [r0]
      bx    lr
    `));
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r5')).toBe(HFSR_FORCED);
  });

  it('the exception model is off by default: faults and SVC stop the run as before', () => {
    const a = assemble('.syntax unified\n.thumb\n_start:\n svc #1\n');
    const m = createMachine();
    m.load({ sections: a.sections, entry: a.entry });
    expect(m.run().reason).toBe('svc');
    expect(() => m.read32(0xe000ed00)).toThrow();
  });
});
