import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/asm/assembler.js';
import { createMachine, type Machine } from '../../src/machine.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../../programs/examples/dot-product.s'), 'utf8');

function load(src: string): Machine {
  const a = assemble(src, { fileName: 't.s' });
  if (!a.ok) throw new Error(a.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  const m = createMachine();
  m.load({ sections: a.sections.filter((s) => s.kind !== 'bss'), entry: a.entry });
  return m;
}
const snapshot = (m: Machine) => ({ regs: m.regs, flags: m.flags, icount: m.instructions, cycles: m.cycles, it: m.state.itstate });

describe('engine', () => {
  it('single-stepping gives the same state, instruction count and cycles as running', () => {
    const a = load(EXAMPLE), b = load(EXAMPLE);
    const ra = a.run();
    expect(ra.reason).toBe('bkpt');
    let rb;
    for (let i = 0; i < 10_000; i++) { rb = b.step(); if (rb.reason !== 'limit') break; }
    expect(rb!.reason).toBe('bkpt');
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('stops after exactly N instructions wherever N falls inside a block or a loop', () => {
    const full = load(EXAMPLE);
    const total = full.run().instructions;
    for (const n of [1, 2, 3, 7, 50, 101, total - 1]) {
      const a = load(EXAMPLE), b = load(EXAMPLE);
      const r = a.run({ maxInstructions: n });
      expect(r.instructions).toBe(n);
      for (let i = 0; i < n; i++) b.step();
      expect(snapshot(a)).toEqual(snapshot(b));
      // and the rest of the program completes the same way
      expect(a.run().reason).toBe('bkpt');
      expect(a.instructions).toBe(total);
    }
  });

  it('is deterministic: the same program gives the same cycles on every run', () => {
    const c = [1, 2, 3].map(() => { const m = load(EXAMPLE); m.run(); return m.cycles; });
    expect(new Set(c).size).toBe(1);
  });

  it('sees code written by the program itself (the block cache is dropped on writes to code pages)', () => {
    // The loop body's "adds r0, #1" is patched to "adds r0, #2" (0x3002) by the program after the first pass.
    const m = load(`
        .syntax unified
        .thumb
    _start:
        movs  r0, #0
        movs  r2, #2
        adr   r3, body
        ldr   r4, =0x3002
    body:
        adds  r0, #1
        strh  r4, [r3]
        subs  r2, #1
        bne   body
        bkpt  #0
    `);
    const r = m.run();
    expect(r.reason).toBe('bkpt');
    expect(m.reg('r0')).toBe(1 + 2);
  });

  it('a store into a later instruction of the running block takes effect at once', () => {
    // The loop's first instruction patches the second ("adds r0, #1" -> "adds r0, #2", 0x3002) on every pass;
    // both passes must run the patched instruction: r0 = 2 + 2.
    const m = load(`
        .syntax unified
        .thumb
    _start:
        movs  r0, #0
        movs  r2, #2
        adr   r3, patch
        ldr   r4, =0x3002
    body:
        strh  r4, [r3]
    patch:
        adds  r0, #1
        subs  r2, #1
        bne   body
        bkpt  #0
        .ltorg
    `);
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r0')).toBe(4);
  });

  it('a fault inside a hot loop reports the faulting instruction, with the loop state as it was', () => {
    const m = load(`
        .syntax unified
        .thumb
    _start:
        ldr   r1, =0x203ffff0   @ 16 bytes below the end of SRAM
        movs  r0, #0
    1:  ldr   r2, [r1], #4
        adds  r0, #1
        b     1b
    `);
    const r = m.run();
    expect(r.reason).toBe('fault');
    expect(r.fault!.reason).toBe('PRECISERR');
    expect(r.fault!.address).toBe(0x20400000);
    expect(r.fault!.instruction).toMatch(/^ldr\s+r2, \[r1\], #4/);
    expect(m.reg('r0')).toBe(4);
    expect(m.reg('r1')).toBe(0x20400000);
    // two setup instructions (ldr is a literal load, movs), then four full passes of three
    expect(r.instructions).toBe(2 + 4 * 3);
  });

  it('a branch to itself is a halt, not a spin', () => {
    const m = load('.syntax unified\n.thumb\n_start:\n movs r0, #7\n b .\n');
    const r = m.run({ maxInstructions: 1_000_000 });
    expect(r.reason).toBe('halt');
    // movs, then the branch once (it ends the first block); the next block is the bare `b .`: a halt
    expect(r.instructions).toBe(2);
    expect(r.pc).toBe(2);
    expect(m.reg('r0')).toBe(7);
  });
});
