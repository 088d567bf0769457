/**
 * The profiler wired into the run loop: a GCC-built program (programs/examples/hello) run with semihosting, its
 * functions from the ELF's symbols. The figures are checked against laws of the run, not against the profiler itself.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../../src/load/elf.js';
import { createBoardMachine } from '../../src/board/machine.js';
import { getBoard } from '../../src/board/boards.js';
import { Semihosting, runWithSemihosting } from '../../src/semihost/semihost.js';
import { NodeHost } from '../../src/cli/host.js';
import { Profiler } from '../../src/prof/profile.js';

const HELLO = join(import.meta.dirname, '../../programs/examples/hello/hello.elf');

function profiledRun() {
  const img = parseElf(new Uint8Array(readFileSync(HELLO)));
  const { machine: m } = createBoardMachine(getBoard('mps2-an386'));
  m.load(img.loadable());
  const syms = img.symbols.filter((s) => s.type === 'func' && s.section !== 0 && s.section < 0xff00)
    .map((s) => ({ name: s.name, address: s.value, size: s.size, weak: s.bind === 'weak' }));
  const prof = new Profiler(syms);
  m.profiler = prof;
  const out: number[] = [];
  const sh = new Semihosting(new NodeHost({ stdout: (b) => out.push(...b), stderr: () => {}, cmdline: 'hello' }));
  const c0 = m.cycles;
  const r = runWithSemihosting(m, sh, { maxInstructions: 10_000_000 });
  prof.finish(m.cycles);
  return { m, r, prof, cycles: m.cycles - c0, out: Buffer.from(out).toString() };
}

describe('per-function profile of a run', () => {
  it('accounts for every cycle: exclusive cycles add up to the run, the root is inclusive of all of it', () => {
    const { r, prof, cycles, out } = profiledRun();
    expect(r.exitCode).toBe(0);
    expect(out).toMatch(/int8 dot product: 1423/);
    const rows = prof.functions();
    expect(rows.reduce((a, x) => a + x.exclusive, 0)).toBe(cycles);
    expect(Math.max(...rows.map((x) => x.inclusive))).toBe(cycles);
    for (const x of rows) expect(x.inclusive).toBeGreaterThanOrEqual(x.exclusive);
    const main = rows.find((x) => x.name === 'main')!;
    expect(main.calls).toBe(1);
    // hello.c prints three lines, each through printf or puts (GCC turns a plain printf("...\n") into puts)
    const printing = rows.filter((x) => x.name === 'printf' || x.name === 'puts').reduce((a, x) => a + x.calls, 0);
    expect(printing).toBe(3);
    // main calls the printing functions: its inclusive time covers theirs
    const printf = rows.find((x) => x.name === 'printf')!;
    expect(main.inclusive).toBeGreaterThan(printf.inclusive);
    // the collapsed stacks add up to the same total and pass through main
    const lines = prof.collapsed().trim().split('\n');
    expect(lines.reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)).toBe(cycles);
    expect(lines.some((l) => /;main;printf/.test(l))).toBe(true);
  });

  it('profiling does not change the cycles', () => {
    const a = profiledRun();
    const img = parseElf(new Uint8Array(readFileSync(HELLO)));
    const { machine: m } = createBoardMachine(getBoard('mps2-an386'));
    m.load(img.loadable());
    const sh = new Semihosting(new NodeHost({ stdout: () => {}, stderr: () => {}, cmdline: 'hello' }));
    runWithSemihosting(m, sh, { maxInstructions: 10_000_000 });
    expect(m.cycles).toBe(a.m.cycles);
  });
});
