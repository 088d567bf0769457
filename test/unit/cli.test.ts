import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { rmSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cli } from '../helpers/cli.js';
import { assemble } from '../../src/asm/assembler.js';

/** temporary directories of this file, removed when its tests end */
const temps: string[] = [];
function tempDir(prefix: string): string { const d = mkdtempSync(join(tmpdir(), prefix)); temps.push(d); return d; }
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

const FIX = join(import.meta.dirname, '../fixtures/cli');
const EXAMPLE = join(import.meta.dirname, '../../programs/examples/dot-product.s');
const HELLO = join(import.meta.dirname, '../../programs/examples/hello/hello.elf');

afterEach(() => { process.exitCode = 0; });

/** Bytes of an ELF32 LE file's PT_LOAD segments (p_filesz) whose physical address is below `limit`, read by hand. */
function loadBytesBelow(file: string, limit: number): number {
  const b = readFileSync(file);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const phoff = dv.getUint32(28, true), phentsize = dv.getUint16(42, true), phnum = dv.getUint16(44, true);
  let n = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) === 1 && dv.getUint32(o + 12, true) < limit) n += dv.getUint32(o + 16, true);
  }
  return n;
}

describe('mcusim run', () => {
  it('runs the example to its breakpoint: the scalar and SIMD dot products agree', async () => {
    const r = await cli('run', EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/stopped: breakpoint \(bkpt #0\)/);
    // sum(a[i] * b[i]) over the example's vectors, worked out by hand from its .byte lines: -49384
    expect(r.err).toMatch(/r0\s+│ 0xffff3f18 │ -49384/);
    expect(r.err).toMatch(/r1\s+│ 0xffff3f18 │ -49384/);
    expect(r.err).toMatch(/flags: N=0 Z=1/);
    expect(r.err).toMatch(/instructions: \d+ +cycles: \d+/);
  });
  it('--trace prints one line per instruction whose costs add up to the run\'s cycles, the same as without it', async () => {
    const plain = await cli('run', EXAMPLE);
    const dir = tempDir('mcusim-');
    const file = join(dir, 'trace.txt');
    const r = await cli('run', EXAMPLE, '--trace', file);
    const cyc = (t: string) => Number(/instructions: (\d+) +cycles: (\d+)/.exec(t)![2]);
    const n = (t: string) => Number(/instructions: (\d+)/.exec(t)![1]);
    expect(cyc(r.err)).toBe(cyc(plain.err));
    const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
    // the executed instructions, then the BKPT that stops the run (it has a record with cost 0)
    expect(lines.length).toBe(n(r.err) + 1);
    const costs = lines.map((l) => Number(/ \+(\d+)(?: |$)/.exec(l)![1]));
    expect(costs.reduce((a, b) => a + b, 0)).toBe(cyc(r.err));
    // the first instruction of dot-product.s: ldr r4, =a (a literal load), which reads a word of the pool
    expect(lines[0]).toMatch(/^ +0 {2}0x00000000 {2}4c11 +ldr r4, \[pc, #\d+\] +\+2 {2}r4=0x20000000 R4\[0x000000[0-9a-f]{2}\]->0x20000000$/);
    // the cycle column is the running sum of the costs
    let at = 0;
    for (const [i, l] of lines.entries()) { expect(Number(l.trim().split(/\s+/)[0])).toBe(at); at += costs[i]!; }
    expect(lines.at(-1)).toMatch(/bkpt.*stop: bkpt/);
  });
  it('a program that times a loop with DWT CYCCNT prints the cycles the simulator counts between its two reads', async () => {
    const ELF = join(import.meta.dirname, '../../programs/examples/cyccnt/cyccnt.elf');
    const trace = join(tempDir('mcusim-'), 'trace.txt');
    const r = await cli('run', ELF, '--trace', trace);
    expect(r.code).toBe(0);
    const printed = Number(/in (\d+) cycles/.exec(r.out)![1]);
    // the two instructions that read CYCCNT (0xe0001004) and the cycle each started at, from the trace
    const reads = readFileSync(trace, 'utf8').split('\n').filter((l) => /R4\[0xe0001004\]/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(reads.length).toBe(2);
    expect(printed).toBe(reads[1]! - reads[0]!);
    expect(printed).toBeGreaterThan(200 * 5); // 200 iterations of a loop with a load, a store and a divide
    // and without the trace the program prints the same
    expect((await cli('run', ELF)).out).toBe(r.out);
  });
  it('runs a GCC-built ELF with semihosting: its stdout alone on stdout, its exit code as ours', async () => {
    const r = await cli('run', HELLO, '--', 'one', 'two');
    // hello.c prints these lines and returns argc - 1 (QEMU mps2-an386 prints the same, argv[0] aside)
    expect(r.out).toBe(`hello from a simulated Cortex-M4\nargv[0] = ${HELLO}\nargv[1] = one\nargv[2] = two\nint8 dot product: 1423\n`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/program exited with code 2 \(semihosting\)/);
    // newlib's data and heap start at the bottom of the SRAM, the stack (SP 0x20400000 in the vector table) at the top
    expect(r.err).toMatch(/│ ssram23 +│ 0x20000000 │ 4 MB +│ [\d,]+ +│ [\d,]+ +│ [\d.]+ KB written +│ 0x200000[0-9a-f]{2}\.\.0x203fffff, stack \d+ B/);
    // where it stopped, named from the ELF's symbols: newlib's exit path
    expect(r.err).toMatch(/at pc 0x[0-9a-f]{8} \(\w+\+0x[0-9a-f]+\)/);
  });
  it('--board runs an assembly program on a board: its UART output on stdout, unmodelled peripherals reported once', async () => {
    const dir = tempDir('mcusim-');
    const f = join(dir, 'uart.s');
    // STM32F411 USART2 (0x40004400, boards/stm32f411re.json): CR1 (0x0C) UE bit 13 | TE bit 3, then DR (0x04);
    // RCC's APB1ENR (0x40023840) is not modelled: reads 0, the write is ignored
    writeFileSync(f, `
        .syntax unified
        .thumb
    _start:
        ldr   r0, =0x40023840
        ldr   r1, [r0]
        orr   r1, r1, #0x20000
        str   r1, [r0]
        ldr   r0, =0x40004400
        movw  r1, #0x2008
        str   r1, [r0, #0x0c]
        adr   r2, msg
    1:  ldrb  r1, [r2], #1
        cbz   r1, 2f
        str   r1, [r0, #4]
        b     1b
    2:  bkpt  #0
        .align 2
    msg: .asciz "hi F411\\n"
    `);
    const r = await cli('run', f, '--board', 'stm32f411re');
    expect(r.out).toBe('hi F411\n');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/stopped: breakpoint \(bkpt #0\) at pc 0x080000/);
    expect(r.err).toMatch(/unmodelled peripheral addresses \(read as 0, writes ignored\): 1\n  0x40023840 in .+: 1 read, 1 write/);
  });
  it('an unknown --board is a message', async () => {
    const r = await cli('run', HELLO, '--board', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown board 'nope'/);
  });
  it('--stats writes the summary to a file, keeping stderr for the program', async () => {
    const dir = tempDir('mcusim-');
    const stats = join(dir, 'stats.txt');
    const r = await cli('run', HELLO, '--stats', stats);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(readFileSync(stats, 'utf8')).toMatch(/program exited with code 0[\s\S]*instructions: \d+/);
  });
  it('--stats FILE.json writes the run report: counters, stalls, memory by region, the stack, phases', async () => {
    const dir = tempDir('mcusim-');
    const stats = join(dir, 'run.json');
    const r = await cli('run', HELLO, '--stats', stats);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(stats, 'utf8'));
    expect(j.schema).toBe('mcusim-run/1');
    expect(j).toMatchObject({ board: 'mps2-an386', core: 'cortex-m4', model: 'cortex-m4', clockHz: 25_000_000, stop: { reason: 'bkpt', exitCode: 0 } });
    expect(j.cpi).toBeCloseTo(j.cycles / j.instructions, 10);
    expect(j.seconds).toBeCloseTo(j.cycles / 25e6, 12);
    // the stall causes are parts of the cycles
    const stalls = Object.values(j.stalls as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(stalls).toBeGreaterThan(0);
    expect(stalls).toBeLessThan(j.cycles);
    // the image is in the code SRAM, the data and stack in the data SRAM: the stack starts at the initial SP
    // (0x20400000 in hello's vector table) and goes down
    const code = j.regions.find((x: { base: number }) => x.base === 0);
    const data = j.regions.find((x: { base: number }) => x.base === 0x20000000);
    expect(code.imageBytes).toBe(loadBytesBelow(HELLO, 0x400000));
    expect(data.writes).toBeGreaterThan(0);
    expect(data.highest).toBe(0x203fffff);
    expect(j.stack).toMatchObject({ region: data.name, initialSp: 0x20400000 });
    expect(j.stack.lowestSp).toBe(0x20400000 - j.stack.bytesUsed);
    expect(j.stack.bytesUsed).toBeGreaterThan(0);
    expect(data.bytesTouched).toBeGreaterThanOrEqual(j.stack.bytesUsed);
  });
  it('phases marked by the firmware, watched windows and the profile appear in the summary and the report', async () => {
    const BENCH = join(import.meta.dirname, '../../programs/bench/elf/coremark-like.m4.elf');
    const dir = tempDir('mcusim-');
    const stats = join(dir, 'run.json'), flame = join(dir, 'f.json'), folded = join(dir, 'f.txt');
    // `pool` is a 0x200-byte object of the program (its symbol's size); the other window is given as an address span
    const r = await cli('run', BENCH, '--watch', 'pool', '--watch', 'low=0x20000000:0x20000100', '--profile', '5', '--flamegraph', flame, '--stats', stats);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(stats, 'utf8'));
    // the program marks iterations 1..10 and ends the last one
    expect(j.phases.filter((p: { marked: boolean }) => p.marked).map((p: { name: string }) => p.name)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    const sum = j.phases.reduce((a: number, p: { cycles: number }) => a + p.cycles, 0);
    expect(sum).toBe(j.cycles);
    const pool = j.watches.find((w: { name: string }) => w.name === 'pool');
    expect(pool).toMatchObject({ start: 0x20000788, end: 0x20000988, size: 0x200 });
    expect(pool.highestOffset).toBeGreaterThanOrEqual(0);
    expect(pool.highestOffset).toBeLessThan(0x200);
    expect(j.watches.find((w: { name: string }) => w.name === 'low')).toMatchObject({ start: 0x20000000, end: 0x20000100 });
    // profile rows add up to the run
    expect(j.profile.reduce((a: number, x: { exclusive: number }) => a + x.exclusive, 0)).toBe(j.cycles);
    expect(j.profile.find((x: { name: string }) => x.name === 'main').calls).toBe(1);
    const sp = JSON.parse(readFileSync(flame, 'utf8'));
    expect(sp.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    expect(sp.profiles[0].weights.reduce((a: number, b: number) => a + b, 0)).toBe(j.cycles);
    // collapsed stacks for a non-.json file
    const r2 = await cli('run', BENCH, '--flamegraph', folded);
    expect(r2.code).toBe(0);
    const lines = readFileSync(folded, 'utf8').trim().split('\n');
    expect(lines.every((l) => /^\S.* \d+$/.test(l))).toBe(true);
    expect(lines.reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)).toBe(j.cycles);
  });
  it('--caches on starts the Cortex-M7 L1 caches enabled: a program that leaves them off runs in fewer cycles', async () => {
    const ELF = join(import.meta.dirname, '../../programs/bench/elf/embench-like.stm32h743-caches-off.elf');
    const cyc = (t: string) => Number(/instructions: \d+ +cycles: (\d+)/.exec(t)![1]);
    const off = await cli('run', ELF, '--board', 'stm32h743');
    const on = await cli('run', ELF, '--board', 'stm32h743', '--caches', 'on');
    expect(off.code).toBe(0);
    expect(on.code).toBe(0);
    expect(on.out).toBe(off.out);
    expect(cyc(on.err)).toBeLessThan(cyc(off.err) / 2);
    expect(on.err).toMatch(/L1 D-cache: [\d.]+% hits/);
    expect(off.err).not.toMatch(/L1 D-cache/); // unused caches are not listed
    const bad = await cli('run', ELF, '--caches', 'maybe');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/'maybe' is not on or off/);
  });
  it('--watch errors name the problem', async () => {
    const BENCH = join(import.meta.dirname, '../../programs/bench/elf/coremark-like.m4.elf');
    for (const [w, msg] of [['nosuch', /no symbol 'nosuch'/], ['x=0x20000100:0x20000000', /not above the start/], ['y=0x10:zz', /not START:END/]] as const) {
      const r = await cli('run', BENCH, '--watch', w);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/at .*\.js:\d+/); // no stack trace
    }
  });
  it('a bad ELF is a message naming what is wrong', async () => {
    const dir = tempDir('mcusim-');
    const f = join(dir, 'trunc.elf');
    writeFileSync(f, readFileSync(HELLO).subarray(0, 100));
    const r = await cli('run', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^mcusim: .*trunc\.elf: .*(truncated|past the end)/m);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
  it('a binary with a vector table boots from it; a fault its handler cannot fix is reported with the fault status', async () => {
    // UDF with UsageFault not enabled in SHCSR escalates to HardFault (ARMv7-M B1.5.7), whose handler is `b .`
    const a = assemble(`
        .syntax unified
        .thumb
        .word   0x20001000, reset + 1, 0, hard + 1
    reset:
        movs    r0, #42
        udf     #7
    hard:
        b       hard
    `);
    expect(a.ok).toBe(true);
    const dir = tempDir('mcusim-');
    const bin = join(dir, 'fault.bin');
    writeFileSync(bin, a.sections.find((x) => x.name === '.text')!.bytes);
    const r = await cli('run', bin);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/UsageFault UNDEFINSTR/);
    expect(r.err).toMatch(/at pc 0x00000012: udf\s+#7/);
    expect(r.err).toMatch(/taken by the HardFault handler \(escalated\)/);
    // CFSR.UNDEFINSTR is bit 16, HFSR.FORCED bit 30 (B3.2.15, B3.2.16)
    expect(r.err).toMatch(/CFSR 0x00010000  HFSR 0x40000000/);
    expect(r.err).toMatch(/r0=0x0000002a/);
  });
  it('reports a fault with its PC and instruction, exit code 2', async () => {
    const r = await cli('run', join(FIX, 'fault.s'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/BusFault PRECISERR: read of 4 bytes at 0x60000000 outside the memory map/);
    expect(r.err).toMatch(/at pc 0x00000006: ldr\s+r2, \[r1\]/);
    expect(r.err).toMatch(/r0\s+│ 0x00000001/);
  });
  it('stops at the instruction limit with exit code 3', async () => {
    const dir = tempDir('mcusim-');
    const f = join(dir, 'loop.s');
    writeFileSync(f, '.syntax unified\n.thumb\n_start:\n1: adds r0, #1\n b 1b\n');
    const r = await cli('run', f, '--max', '1001');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/instruction limit reached/);
    expect(r.err).toMatch(/r0\s+│ 0x000001f5 │ 501/);
  });
  it('--max-cycles stops a runaway program near the cycle budget, with where it was', async () => {
    const dir = tempDir('mcusim-');
    const f = join(dir, 'spin.s');
    writeFileSync(f, '.syntax unified\n.thumb\n_start:\n1: adds r0, #1\n b 1b\n');
    const r = await cli('run', f, '--max-cycles', '3000');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/stopped: cycle limit reached at pc 0x0000000[02]/);
    // each pass is adds (1 cycle) + a taken branch (1 + refill 1): 3 cycles in the base model
    const cycles = Number(/cycles: (\d+)/.exec(r.err)![1]);
    expect(cycles).toBeGreaterThanOrEqual(3000);
    expect(cycles).toBeLessThan(3003);
  });
  it('--timeout and Ctrl-C stop an endless program with a report', async () => {
    const dir = tempDir('mcusim-');
    const f = join(dir, 'spin.s');
    writeFileSync(f, '.syntax unified\n.thumb\n_start:\n1: adds r0, #1\n b 1b\n');
    const t = await cli('run', f, '--max', '100000000000', '--timeout', '0.2');
    expect(t.code).toBe(3);
    expect(t.err).toMatch(/stopped: timeout: 0\.2 s passed at pc/);
    const timer = setTimeout(() => process.emit('SIGINT'), 150);
    const c = await cli('run', f, '--max', '100000000000');
    clearTimeout(timer);
    expect(c.code).toBe(3);
    expect(c.err).toMatch(/stopped: interrupted \(Ctrl-C\) at pc/);
    expect(Number(/r0\s+│ 0x[0-9a-f]+ │ (\d+)/.exec(c.err)![1])).toBeGreaterThan(1000);
  });
  it('prints every assembly error with file:line:column and exits 1, no stack trace', async () => {
    const r = await cli('run', join(FIX, 'bad.s'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.s:4:\d+: error: .*0x101/);
    expect(r.err).toMatch(/bad\.s:5:\d+: error: .*frob/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
  it('a missing file is a message, not a stack trace', async () => {
    const r = await cli('run', '/nonexistent/x.s');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/mcusim: cannot read \/nonexistent\/x\.s: ENOENT/);
  });
  it('rejects a bad --max', async () => {
    const r = await cli('run', EXAMPLE, '--max', 'lots');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'lots' is not a positive whole number/);
  });
});

describe('mcusim boards', () => {
  it('lists the shipped boards', async () => {
    const r = await cli('boards');
    expect(r.code).toBe(0);
    for (const b of ['mps2-an386', 'mps2-an500', 'stm32f411re', 'stm32f412', 'stm32f746g-disco', 'stm32f767', 'stm32h743']) expect(r.out).toContain(b);
  });
  it('shows one board: the F411 at 100 MHz has 3 flash wait states (shared/reference/boards.md)', async () => {
    const r = await cli('boards', 'stm32f411re');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/clock 100 MHz, flash wait states at this clock: 3/);
    expect(r.out).toMatch(/0x08000000 │ 512 KB/);
  });
  it('an unknown board is a message listing the boards', async () => {
    const r = await cli('boards', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown board 'nope' \(boards: mps2-an386/);
  });
});

describe('mcusim asm / disasm', () => {
  it('assembles to a binary and disassembles it back', async () => {
    const dir = tempDir('mcusim-');
    const src = join(dir, 'k.s'), bin = join(dir, 'k.bin');
    writeFileSync(src, '.syntax unified\n.thumb\n_start:\n smlad r2, r3, r5, r8\n adds r0, r1, #1\n');
    const a = await cli('asm', src, '-o', bin, '--listing');
    expect(a.code).toBe(0);
    // smlad r2, r3, r5, r8 is [0x23,0xfb,0x05,0x82] (shared/reference/oracles.md); adds r0, r1, #1 is 0x1c48
    expect([...readFileSync(bin)]).toEqual([0x23, 0xfb, 0x05, 0x82, 0x48, 0x1c]);
    expect(a.out).toMatch(/smlad r2, r3, r5, r8/);
    const d = await cli('disasm', bin, '--base', '0x1000');
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/1000:\s+fb23 8205\s+smlad\s+r2, r3, r5, r8/);
    expect(d.out).toMatch(/1004:\s+1c48\s+adds\s+r0, r1, #1/);
  });
  it('rejects a bad --base', async () => {
    const r = await cli('disasm', EXAMPLE, '--base', 'zz');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'zz' is not an address/);
  });
});
