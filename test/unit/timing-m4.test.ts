/**
 * Cortex-M4 model microbenchmarks: one assembled sequence per row of the TRM table and per pipelining rule of
 * shared/reference/cortex-m-timing.md, run at zero wait states (the default machine: code at 0, SRAM at 0x20000000),
 * with the total worked out by hand from the reference in the comment of each row. The run starts with an empty
 * pipeline (as after a branch) and stops at a BKPT, which is not counted.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { assemble } from '../../src/asm/assembler.js';
import { createMachine, type Machine } from '../../src/machine.js';
import { STALL } from '../../src/timing/clock.js';

const SRAM = 0x20000000;

function machine(body: string, regs: Record<string, number> = {}): Machine {
  const src = `.syntax unified\n.thumb\n.global _start\n_start:\n${body}\n  bkpt #0\n.ltorg\n`;
  const a = assemble(src, { fileName: 't.s' });
  if (!a.ok) throw new Error(a.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  const m = createMachine();
  m.load({ sections: a.sections.filter((s) => s.kind !== 'bss'), entry: a.entry });
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  return m;
}
function cycles(body: string, regs: Record<string, number> = {}): number {
  const m = machine(body, regs);
  const r = m.run({ maxInstructions: 100_000 });
  if (r.reason !== 'bkpt') throw new Error(`stopped: ${r.reason} ${r.fault?.message ?? ''}`);
  return r.cycles;
}
const mem = { r1: SRAM, r2: SRAM + 0x40, r3: SRAM + 0x80, r4: SRAM + 0xc0, r5: 4, r6: SRAM + 0x100 };

/** [name, sequence, registers, total cycles, how the total follows from the reference] */
const ROWS: [string, string, Record<string, number>, number, string][] = [
  ['ALU ops', 'movs r0, #1\nadds r0, r0, #2\nlsls r0, r0, #3\nand r0, r0, #0xff\nclz r1, r0\nubfx r2, r0, #1, #3\nssat r3, #8, r0', {}, 7, '7 x 1'],
  ['MOVW/MOVT, ADR', 'movw r0, #0x1234\nmovt r0, #0x5678\nadr r1, lbl\nnop\nlbl:', {}, 4, '1 + 1 + 1 + NOP 1'],
  ['MUL, MLA, MLS, SMULL, UMLAL', 'mul r0, r1, r2\nmla r0, r1, r2, r0\nmls r0, r1, r2, r0\nsmull r3, r4, r1, r2\numlal r3, r4, r1, r2', { r1: 3, r2: 5 }, 5, '5 x 1'],
  ['DSP: SMLAD, SMUAD, QADD, SXTB16, SEL, UADD8', 'smlad r0, r1, r2, r0\nsmuad r3, r1, r2\nqadd r4, r1, r2\nsxtb16 r5, r1\nsel r6, r1, r2\nuadd8 r7, r1, r2', {}, 6, '6 x 1'],
  ['LDR alone', 'ldr r0, [r1]', mem, 2, 'LDR 2'],
  ['LDRB, LDRH, LDRSB, LDRSH alone (ALU between)', 'ldrb r0, [r1]\nnop\nldrh r0, [r1]\nnop\nldrsb r0, [r1]\nnop\nldrsh r0, [r1]', mem, 11, '4 x 2 + 3 x NOP 1'],
  ['neighbouring loads pipeline', 'ldr r0, [r1]\nldr r7, [r2]', mem, 3, 'reference: `LDR R0,[R1]; LDR R1,[R2]` = 3'],
  ['three loads', 'ldr r0, [r1]\nldr r7, [r2]\nldr r6, [r3]', mem, 4, 'reference: three LDRs = 4'],
  ['load then store', 'ldr r0, [r1]\nstr r0, [r3, #20]', mem, 3, 'reference: `LDR; STR R0,[R3,#20]` = 3'],
  ['load whose address uses the previous load', 'ldr r0, [r1]\nldr r7, [r0]', { r1: SRAM, r0: 0 }, 4, 'not pipelined: 2 + 2 (the word at SRAM is 0: reads address 0, code)'],
  ['load after register-offset store', 'str r0, [r1, r5]\nldr r7, [r2]', mem, 5, 'STR reg 2, then LDR 2 + store-then-load 1'],
  ['load after immediate store', 'str r0, [r1]\nldr r7, [r2]', mem, 4, 'STR 1 + LDR 2 + store-then-load 1'],
  ['store after store', 'str r0, [r1]\nstr r0, [r2]', mem, 2, '1 + 1 (write buffer, zero wait states)'],
  ['STR register offset', 'str r0, [r1, r5]', mem, 2, 'STR reg 2'],
  ['LDRD, STRD', 'ldrd r6, r7, [r1]\nstrd r6, r7, [r2]', mem, 6, '3 + 3, no pipelining'],
  ['load after LDRD', 'ldrd r6, r7, [r1]\nldr r0, [r2]', mem, 5, '3 + 2: LDRD does not pipeline with neighbours'],
  ['LDM 3 registers', 'ldm r1, {r5, r6, r7}', mem, 4, '1 + N = 4'],
  ['STM 8 registers', 'stmia r1, {r0, r2, r3, r4, r5, r6, r7, r8}', { r1: SRAM }, 9, 'reference: 8-register STM = 9'],
  ['PUSH/POP', 'push {r4, r5, r6}\npop {r4, r5, r6}', {}, 8, '(1 + 3) x 2'],
  ['load after LDM', 'ldm r1, {r5, r6}\nldr r0, [r2]', mem, 5, '1 + 2 then 2'],
  ['LDREX, STREX, CLREX', 'ldrex r0, [r1]\nstrex r7, r0, [r1]\nclrex', mem, 5, '2 + 2 + CLREX 1'],
  ['B (taken)', 'b 1f\nnop\n1:', {}, 2, '1 + P, P = 1'],
  ['B to a 32-bit instruction on an odd halfword', 'b 1f\nnop\nnop\n1:\nadds.w r0, r0, #1', {}, 4, '1 + P(2) + ADD.W 1; target at offset 6'],
  ['B to a 32-bit instruction on a word boundary', 'b 1f\nnop\n1:\nadds.w r0, r0, #1', {}, 3, '1 + P(1) + ADD.W 1; target at offset 4'],
  ['B<cc> not taken', 'movs r0, #1\nbeq 1f\n1:', {}, 2, 'MOVS 1 + B<cc> not taken 1'],
  ['B<cc> taken', 'movs r0, #0\nbeq 1f\nnop\n1:', {}, 3, 'MOVS 1 + B<cc> taken 1 + P'],
  ['CBZ taken and CBNZ not taken', 'movs r0, #0\ncbz r0, 1f\nnop\n1:\ncbnz r0, 2f\nnop\n2:', {}, 5, 'MOVS 1 + CBZ (1 + P) + CBNZ 1 + NOP 1'],
  ['BL and BX LR', 'bl f\nb 1f\nf:\nbx lr\n1:', {}, 6, 'BL 1+P, BX 1+P, B 1+P'],
  ['MOV PC', 'adr r0, 1f + 1\nmov pc, r0\nnop\n.align 2\n1:', {}, 3, 'ADR 1 + MOV PC 1 + P'],
  ['LDR PC', 'ldr r0, =1f + 1\nstr r0, [r1]\nnop\nldr pc, [r1]\nnop\n1:', mem, 7, 'LDR lit 2, STR 1, NOP 1, LDR PC 2 + P'],
  ['POP with PC', 'adr r0, 1f + 1\npush {r0}\npop {pc}\nnop\n.align 2\n1:', {}, 6, 'ADR 1, PUSH 1+1, POP {pc} 1+1+P'],
  ['TBB', 'movs r0, #1\ntbb [pc, r0]\n.byte 0, 2\nnop\nnop\n1:', {}, 5, 'MOVS 1 + TBB 2 + P + NOP 1: entry 1 (2 halfwords) skips the first NOP'],
  ['IT folded after a 16-bit instruction', 'movs r0, #0\nit eq\nmoveq r1, #1', {}, 2, 'MOVS 1 + IT 0 + MOV 1'],
  ['IT after a 32-bit instruction', 'adds.w r0, r0, #0\nit eq\nmoveq r1, #1', { r0: 0 }, 3, '1 + IT 1 + 1'],
  ['IT first after a branch', 'b 1f\n1:\nit eq\nmoveq r1, #1', {}, 4, 'B 2 + IT 1 (nothing to fold onto) + 1'],
  ['UDIV 100 / 7', 'udiv r0, r1, r2', { r1: 100, r2: 7 }, 6, '5 + (bits(100)=7 - bits(7)=3) / 4 = 6'],
  ['UDIV 0xffffffff / 1', 'udiv r0, r1, r2', { r1: 0xffffffff, r2: 1 }, 12, '5 + (32 - 1) / 4 = 12'],
  ['UDIV 3 / 100', 'udiv r0, r1, r2', { r1: 3, r2: 100 }, 3, 'bits(n) < bits(d): 3'],
  ['SDIV 0 / 5', 'sdiv r0, r1, r2', { r1: 0, r2: 5 }, 2, 'operand 0: 2'],
  ['SDIV -1000 / 10', 'sdiv r0, r1, r2', { r1: -1000 >>> 0, r2: 10 }, 6, '|n| = 1000: bits 10, |d| bits 4: 5 + 6/4 = 6'],
  ['SDIV by zero (no trap)', 'sdiv r0, r1, r2', { r1: 7, r2: 0 }, 2, 'operand 0: 2'],
  ['unaligned word on a halfword', 'ldr r0, [r1]', { r1: SRAM + 2 }, 3, '2 + 1'],
  ['unaligned word on an odd byte', 'ldr r0, [r1]', { r1: SRAM + 1 }, 4, '2 + 2'],
  ['unaligned halfword on an odd byte', 'ldrh r0, [r1]', { r1: SRAM + 1 }, 3, '2 + 1'],
  ['unaligned store', 'str r0, [r1]', { r1: SRAM + 3 }, 3, '1 + 2'],
  ['loads in different memory blocks do not pipeline', 'ldr r0, [r1]\nldr r7, [r2]', { r1: 0x100, r2: SRAM }, 4, 'code then SRAM: 2 + 2'],
  ['loads in one block (code) pipeline', 'ldr r0, [r1]\nldr r7, [r2]', { r1: 0x100, r2: 0x200 }, 3, '2 + 1'],
  ['literal load at zero wait states', 'ldr r0, =0x12345678', {}, 2, 'LDR 2 (the fetch penalty applies only to slow code)'],
  ['MRS, MSR, CPSID, CPSIE', 'mrs r0, apsr\nmsr apsr_nzcvq, r0\ncpsid i\ncpsie i', {}, 4, '4 x 1 (the table says 1 or 2: the model takes 1)'],
  ['counted loop', 'movs r0, #10\n1:\nsubs r0, r0, #1\nbne 1b', {}, 30, 'MOVS 1 + 10 SUBS + 9 taken BNE x 2 + 1 not taken'],
];

describe('Cortex-M4 model: TRM rows and pipelining rules at zero wait states', () => {
  it.each(ROWS)('%s', (_name, body, regs, expected) => {
    expect(cycles(body, regs)).toBe(expected);
  });

  it('a 32-bit load on an odd halfword does not pipeline with the load before it', () => {
    // ldr (16-bit) at 0, ldr.w at 2 (odd halfword): 2 + 2; with a NOP before, the ldr.w is at 4: NOP 1 + 2 + 1
    expect(cycles('ldr r0, [r1]\nldr.w r7, [r2]', mem)).toBe(4);
    expect(cycles('nop\nldr r0, [r1]\nldr.w r7, [r2]', mem)).toBe(4);
  });

  it('attributes stalls to their causes', () => {
    const m = machine('movs r0, #0\nbeq 1f\nnop\n1:\nudiv r0, r1, r2\nstr r0, [r3]\nldr r0, [r4]', { ...mem, r1: 100, r2: 7 });
    m.run({ maxInstructions: 100 });
    // one taken branch, to the UDIV (32-bit) at offset 6, an odd halfword: P = 2
    expect(m.state.stall[STALL.branch]).toBe(2);
    expect(m.state.stall[STALL.divide]).toBe(4); // 6 cycles, base cost 2 in the core file
    expect(m.state.stall[STALL.memory]).toBe(1); // store then load
  });

  it('pipelining continues across a block boundary (single-step) exactly as inside a block', () => {
    const body = 'ldr r0, [r1]\nldr r7, [r2]\nmovs r0, #0\nit eq\nmoveq r1, #1\nstr r0, [r3]\nldr r6, [r4]';
    const whole = machine(body, mem), stepped = machine(body, mem);
    whole.run({ maxInstructions: 100 });
    for (let i = 0; i < 100 && stepped.step().reason === 'limit'; i++);
    expect(stepped.cycles).toBe(whole.cycles);
    expect(whole.cycles).toBe(3 + 1 + 0 + 1 + 1 + 3);
  });

  it('property: random straight-line sequences cost the same run whole, single-stepped, and on every repeat', () => {
    const POOL = ['ldr r0, [r1]', 'ldr r7, [r2]', 'ldr.w r6, [r3, #4]', 'ldrb r0, [r4]', 'str r0, [r1]', 'str r7, [r2, r5]',
      'strd r6, r7, [r3]', 'ldm r4, {r0, r7}', 'adds r0, r0, #1', 'add.w r7, r7, #1', 'mul r0, r0, r7', 'it eq\nmoveq r0, #1',
      'udiv r0, r7, r5', 'nop', 'ldr r6, =0x12345678', 'push {r0}\npop {r0}', 'ldr r0, [r1, #3]'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 30 }), (seq) => {
      const body = seq.join('\n');
      const a = machine(body, mem), b = machine(body, mem), c = machine(body, mem);
      a.run({ maxInstructions: 1000 });
      c.run({ maxInstructions: 1000 });
      for (let i = 0; i < 1000 && b.step().reason === 'limit'; i++);
      return a.cycles === b.cycles && a.cycles === c.cycles && a.cycles >= a.instructions - seq.filter((x) => x.startsWith('it')).length;
    }), { numRuns: 200 });
  });
});

describe('DWT CYCCNT counts the model cycles', () => {
  it('a program that times a loop with CYCCNT gets the cycles the simulator counts between the two reads', async () => {
    const { vectorProgram, boot } = await import('../helpers/vectors.js');
    const src = vectorProgram([], `
      ldr   r0, =0xe000edfc      @ DEMCR: TRCENA
      ldr   r1, =0x01000000
      str   r1, [r0]
      ldr   r0, =0xe0001000      @ DWT_CTRL: CYCCNTENA
      movs  r1, #1
      str   r1, [r0]
      ldr   r4, =0x20000100
      movs  r2, #25
    t0: ldr   r5, [r0, #4]        @ CYCCNT before
    1:
      ldr   r3, [r4]
      adds  r3, r3, r2
      str   r3, [r4], #4
      udiv  r6, r3, r2
      subs  r2, r2, #1
      bne   1b
    t1: ldr   r7, [r0, #4]        @ CYCCNT after
      subs  r0, r7, r5
      bkpt  #0
    `);
    const m = boot(src);
    const at: number[] = [];
    // single-step, noting the cycle count when each CYCCNT-reading LDR starts (t0 and t1: the two 'ldr rX, [r0, #4]')
    for (let i = 0; i < 10_000; i++) {
      const { record, result } = m.traceStep();
      if (/^ldr\s+r[57], \[r0, #4\]/.test(record.text)) at.push(record.cycle);
      if (result.reason !== 'limit') break;
    }
    expect(at.length).toBe(2);
    expect(m.reg('r0')).toBe(at[1]! - at[0]!);
    // and the same program run at full speed reads the same difference
    const fast = boot(src);
    fast.run();
    expect(fast.reg('r0')).toBe(at[1]! - at[0]!);
  });
});
