/**
 * The benchmark images (programs/bench/, listed in bench/workloads.ts): each committed ELF exists, fits its board,
 * boots from the board's vector table, runs its iterations with a marker write before each and END after the
 * last, prints `<workload>: checksum 0x... iterations N OK` through the board's UART and exits through semihosting
 * SYS_EXIT with ADP_Stopped_ApplicationExit. The checksums are fixed in the C sources (CHECKSUMS) and the same for
 * every target.
 *
 * With the tools installed: QEMU's mps2-an386 prints the same lines for the QEMU builds; build.sh rebuilds an image
 * that the simulator runs; the host build of both workloads computes the same checksums (build.sh host).
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_PROGRAMS, QEMU_PROGRAMS, CHECKSUMS, BUILT_ITERATIONS, MCUSIM_BASE, expectedLine, runBenchProgram,
  cyclesPerIteration, type BenchProgram,
} from '../../bench/workloads.js';
import { parseElf, checkFits } from '../../src/load/elf.js';
import { getBoard } from '../../src/board/boards.js';
import { createBoardMachine, bootImageAddress } from '../../src/board/machine.js';
import { haveTool, haveTools, tool } from '../cross/tools.js';

const ROOT = join(import.meta.dirname, '../..');
const BENCH_DIR = join(ROOT, 'programs/bench');
/** iterations the tests run (patched into the image; the committed images run BUILT_ITERATIONS) */
const N = 3;

describe('bench/workloads.ts: the list', () => {
  it('two workloads on the six targets of issue 4, the M7 boards with caches off and on', () => {
    expect(BENCH_PROGRAMS.map((p) => `${p.workload}@${p.board}${p.caches ? ':' + p.caches : ''}`)).toEqual([
      'coremark-like@mps2-an386', 'coremark-like@stm32f411re',
      'coremark-like@stm32f746g-disco:off', 'coremark-like@stm32f746g-disco:on',
      'coremark-like@stm32h743:off', 'coremark-like@stm32h743:on',
      'embench-like@mps2-an386', 'embench-like@stm32f411re',
      'embench-like@stm32f746g-disco:off', 'embench-like@stm32f746g-disco:on',
      'embench-like@stm32h743:off', 'embench-like@stm32h743:on',
    ]);
    for (const p of BENCH_PROGRAMS) {
      expect(p.checksum).toBe(CHECKSUMS[p.workload]);
      expect(p.iterations).toBe(BUILT_ITERATIONS);
      expect(p.elf).toBe(`programs/bench/elf/${p.workload}.${p.target}.elf`);
    }
  });

  it('expectedLine: the line bench_main.c prints', () => {
    expect(expectedLine({ workload: 'coremark-like', checksum: 0x7f85 }, 10)).toBe('coremark-like: checksum 0x00007f85 iterations 10 OK\n');
    expect(expectedLine({ workload: 'embench-like', checksum: 0x2bbe31d0 }, 1)).toBe('embench-like: checksum 0x2bbe31d0 iterations 1 OK\n');
  });

  it('cyclesPerIteration: differences between consecutive marks; the steady figure leaves out the first', () => {
    const mk = (value: number, cycles: number) => ({ value, cycles, instructions: 0 });
    // marks at 100, 400, 600, 800 and END at 1000: iterations of 300, 200, 200, 200; steady = (200+200+200)/3
    const r = cyclesPerIteration({ marks: [mk(1, 100), mk(2, 400), mk(3, 600), mk(4, 800), mk(-1, 1000)] });
    expect(r).toEqual({ perIteration: [300, 200, 200, 200], first: 300, steady: 200 });
    // one iteration: steady is that iteration
    expect(cyclesPerIteration({ marks: [mk(1, 10), mk(-1, 25)] })).toEqual({ perIteration: [15], first: 15, steady: 15 });
    // marks out of order, or no END: the program did not finish its iterations
    expect(() => cyclesPerIteration({ marks: [mk(2, 0), mk(-1, 5)] })).toThrow(/not 1..N/);
    expect(() => cyclesPerIteration({ marks: [mk(1, 0), mk(2, 5)] })).toThrow(/not 1..N/);
    expect(() => cyclesPerIteration({ marks: [] })).toThrow(/not 1..N/);
  });
});

describe('the committed benchmark images', () => {
  for (const p of [...BENCH_PROGRAMS, ...QEMU_PROGRAMS]) {
    it(`${p.elf}: fits ${p.board}, its vector table at the board's boot image address`, () => {
      const path = join(ROOT, p.elf);
      expect(existsSync(path), `${p.elf} is missing: run programs/bench/build.sh`).toBe(true);
      const bytes = new Uint8Array(readFileSync(path));
      expect(bytes.length).toBeLessThan(32 * 1024); // small, as committed images should be
      const elf = parseElf(bytes);
      const board = getBoard(p.board);
      const { machine: m } = createBoardMachine(board);
      expect(checkFits(elf, m.bus.windows.map((w) => ({ name: w.name, base: w.base, size: w.size })))).toEqual([]);
      // the image's first LOAD segment starts with the vector table where the board reads it at reset
      const text = elf.segments[0]!;
      expect(text.paddr).toBe(bootImageAddress(board));
      const sp = new DataView(text.bytes.buffer, text.bytes.byteOffset).getUint32(0, true);
      const ram = board.regions.find((r) => sp > r.base && sp <= r.base + r.size)!;
      expect(ram.kind).toBe('ram'); // stack at the top of a RAM region (SRAM1 on the F746, AXI SRAM on the H743)
      expect(sp).toBe(ram.base + ram.size);
      expect(elf.symbols.some((s) => s.name === 'bench_iterations')).toBe(true);
    });
  }

  for (const p of BENCH_PROGRAMS) {
    it(`${p.name}: prints OK with the workload's checksum, marks each iteration, exits through SYS_EXIT`, () => {
      const run = runBenchProgram(p, { root: ROOT, iterations: N, maxInstructions: 5_000_000 });
      expect(run.result.fault, JSON.stringify(run.result.fault)).toBeUndefined();
      expect(run.output).toBe(expectedLine(p, N));
      expect(run.exit).toEqual({ reason: 0x20026, ok: true });
      // MARK 1..N before the iterations, END after them
      expect(run.marks.map((x) => x.value)).toEqual([...Array.from({ length: N }, (_, i) => i + 1), -1]);
      const c = cyclesPerIteration(run);
      expect(c.perIteration).toHaveLength(N);
      for (const x of c.perIteration) expect(x).toBeGreaterThan(0);
      // every iteration runs the same instructions on the same data: the counts between marks agree up to the
      // block granularity of Mark.instructions and the loop's entry and exit paths (a few instructions)
      const instr = run.marks.slice(1).map((x, i) => x.instructions - run.marks[i]!.instructions);
      for (const x of instr) expect(Math.abs(x - instr[0]!)).toBeLessThan(50);
      expect(instr[0]!).toBeGreaterThan(50_000);
      if (p.target === 'm4') {
        // no wait states, no cache, no predictor: every full iteration costs the same cycles
        expect(new Set(c.perIteration.slice(0, -1)).size).toBe(1);
      }
      // and the iterations' cycles cannot exceed the run's
      expect(c.perIteration.reduce((a, b) => a + b, 0)).toBeLessThan(run.cycles);
    });
  }

  it('the iteration count is patchable: the built count when not patched, the patched one otherwise', () => {
    const p = BENCH_PROGRAMS.find((x) => x.workload === 'coremark-like' && x.target === 'm4')!;
    const built = runBenchProgram(p, { root: ROOT });
    expect(built.output).toBe(expectedLine(p, BUILT_ITERATIONS));
    expect(built.marks).toHaveLength(BUILT_ITERATIONS + 1);
    const one = runBenchProgram(p, { root: ROOT, iterations: 1 });
    expect(one.output).toBe(expectedLine(p, 1));
    // zero iterations fail the check: no checksum was computed
    const none = runBenchProgram(p, { root: ROOT, iterations: 0 });
    expect(none.output).toMatch(/^coremark-like: checksum 0x00000000 iterations 0 FAIL/);
    expect(none.exit).toEqual({ reason: 0x20023, ok: false });
  });

  it('cycle counts are the same on a second run of the same image', () => {
    const p = BENCH_PROGRAMS.find((x) => x.workload === 'embench-like' && x.target === 'stm32h743-caches-on')!;
    const a = runBenchProgram(p, { root: ROOT, iterations: 2 });
    const b = runBenchProgram(p, { root: ROOT, iterations: 2 });
    expect([b.cycles, b.instructions]).toEqual([a.cycles, a.instructions]);
    expect(b.marks).toEqual(a.marks);
  });

  it('the marker writes reach the machine\'s device at MCUSIM_BASE when it has one', () => {
    // a stand-in is added only when the machine has no device there; either way the marks are seen
    const p = BENCH_PROGRAMS[0]!;
    const run = runBenchProgram(p, { root: ROOT, iterations: 1 });
    expect(run.board.machine.bus.device(MCUSIM_BASE, 4)).toBeDefined();
    expect(run.marks.map((x) => x.value)).toEqual([1, -1]);
  });
});

const QEMU = tool('qemu-system-arm');
if (haveTool(QEMU)) {
  describe('QEMU mps2-an386 runs the QEMU builds to the same line', () => {
    for (const p of QEMU_PROGRAMS) {
      it(p.elf, () => {
        const r = spawnSync('timeout', ['60', QEMU.path!, '-M', 'mps2-an386', '-nographic', '-semihosting', '-monitor', 'none',
          '-kernel', join(ROOT, p.elf)], { encoding: 'latin1', timeout: 70_000 });
        expect(r.stdout).toBe(expectedLine(p, BUILT_ITERATIONS));
        expect(r.status).toBe(0);
      });
    }
  });
}

const GCC = tool('arm-none-eabi-gcc');
if (haveTools(GCC, tool('arm-none-eabi-strip'))) {
  describe('programs/bench/build.sh', () => {
    it('rebuilds an image (m4, 2 iterations) that prints the same checksum on the simulator', () => {
      const out = mkdtempSync(join(tmpdir(), 'mcusim-bench-'));
      try {
        const b = spawnSync('sh', [join(BENCH_DIR, 'build.sh')], {
          encoding: 'utf8', env: { ...process.env, OUT: out, TARGETS: 'm4', ITERATIONS: '2' }, timeout: 60_000,
        });
        expect(b.status, b.stderr).toBe(0);
        for (const w of ['coremark-like', 'embench-like'] as const) {
          const p: BenchProgram = { ...BENCH_PROGRAMS.find((x) => x.workload === w && x.target === 'm4')!, elf: join(out, `${w}.m4.elf`) };
          const run = runBenchProgram(p, { bytes: new Uint8Array(readFileSync(p.elf)) });
          expect(run.output).toBe(expectedLine(p, 2));
        }
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  });
}

const CC = tool('cc');
if (haveTool(CC)) {
  describe('the host build (build.sh host)', () => {
    it('computes the checksums fixed in the sources on the host too', () => {
      const r = spawnSync('sh', [join(BENCH_DIR, 'build.sh'), 'host'], { encoding: 'utf8', env: { ...process.env, ITERATIONS: '2' }, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(expectedLine({ workload: 'coremark-like', checksum: CHECKSUMS['coremark-like'] }, 2) +
        expectedLine({ workload: 'embench-like', checksum: CHECKSUMS['embench-like'] }, 2));
    });
  });
}
