/**
 * The benchmark workloads of issue 4 (point 9): two C programs written for the project, `coremark-like` and
 * `embench-like` (sources, build script and the memory layout decisions in programs/bench/, README.md there), built
 * for each benchmark target and committed as ELFs under programs/bench/elf/.
 *
 * Each image runs `iterations` iterations and prints one line through the board's stdout UART,
 *   `coremark-like: checksum 0x00007f85 iterations 10 OK`,
 * then exits through semihosting SYS_EXIT (BKPT 0xAB, r0 = 0x18, r1 = ADP_Stopped_ApplicationExit 0x20026 when the
 * checks passed, ADP_Stopped_RunTimeErrorUnknown 0x20023 when not). Before iteration i it writes i to the simulator's
 * marker register (MCUSIM_BASE + 0, 0xE00F0000); after the last one it writes the END register (+8). So:
 *   - start-up (flash interface, .data/.bss, caches) and the kernels' self-tests run before phase "1";
 *   - phase "i" is iteration i, exactly (from the store that starts it to the store that starts the next);
 *   - printing and exit come after END.
 *
 * Cycles per iteration: with the simulator's phase markers (src/sys/simctl.ts and the usage tracker, once the
 * machine has them), the cycles of phase "i" are iteration i's cycles; the first iteration also warms the caches,
 * the flash accelerator and the branch predictor, so the figure to report is the mean over phases "2".."N"
 * (`cyclesPerIteration` below does this from the marks `runBenchProgram` records; it gives the same numbers as
 * the tracker's phases: end cycle minus start cycle of each phase).
 *
 * Iterations: the count is a word in flash (symbol `bench_iterations`, read through a volatile pointer), so a runner
 * may patch it after loading (`iterations` option) without rebuilding; the checksum does not depend on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../src/load/elf.js';
import { getBoard } from '../src/board/boards.js';
import { createBoardMachine, type BoardMachine, type BoardMachineOptions } from '../src/board/machine.js';
import type { Machine, RunResult } from '../src/machine.js';

export type Workload = 'coremark-like' | 'embench-like';

export interface BenchProgram {
  /** `<workload> <target>`, for tables: `coremark-like stm32h743 caches on` */
  name: string;
  workload: Workload;
  /** the build target (programs/bench/build.sh): m4, stm32f411re, stm32f746g-disco-caches-off, ... */
  target: string;
  /** the board to run it on (boards/<board>.json) */
  board: string;
  /** the ELF, relative to the repository root */
  elf: string;
  /** Cortex-M7 targets: whether the start-up code enables the L1 caches */
  caches?: 'on' | 'off';
  /** the iterations the image runs as built */
  iterations: number;
  /** the checksum every iteration returns (fixed in the program's source; the same on every target) */
  checksum: number;
}

/** The iteration count the committed images are built with (programs/bench/build.sh, ITERATIONS). */
export const BUILT_ITERATIONS = 10;

/** The checksum of one iteration of each workload, as fixed in its source (`bench_expected`). */
export const CHECKSUMS: Readonly<Record<Workload, number>> = { 'coremark-like': 0x00007f85, 'embench-like': 0x2bbe31d0 };

export const WORKLOADS: readonly Workload[] = ['coremark-like', 'embench-like'];

/** The simulator's register block (src/sys/simctl.ts): MARK at +0, MARK_NAME at +4, END at +8, ID at +0xC. */
export const MCUSIM_BASE = 0xe00f0000;

interface Target { target: string; board: string; caches?: 'on' | 'off'; label: string }

/** The benchmark targets of issue 4: M4 at 0 WS, F411 at 100 MHz, F746 and H743 from flash with caches off and on. */
const TARGETS: readonly Target[] = [
  { target: 'm4', board: 'mps2-an386', label: 'm4 (mps2-an386, 0 WS)' },
  { target: 'stm32f411re', board: 'stm32f411re', label: 'stm32f411re' },
  { target: 'stm32f746g-disco-caches-off', board: 'stm32f746g-disco', caches: 'off', label: 'stm32f746g-disco caches off' },
  { target: 'stm32f746g-disco-caches-on', board: 'stm32f746g-disco', caches: 'on', label: 'stm32f746g-disco caches on' },
  { target: 'stm32h743-caches-off', board: 'stm32h743', caches: 'off', label: 'stm32h743 caches off' },
  { target: 'stm32h743-caches-on', board: 'stm32h743', caches: 'on', label: 'stm32h743 caches on' },
];

const program = (workload: Workload, t: Target): BenchProgram => ({
  name: `${workload} ${t.label}`,
  workload,
  target: t.target,
  board: t.board,
  elf: `programs/bench/elf/${workload}.${t.target}.elf`,
  ...(t.caches ? { caches: t.caches } : {}),
  iterations: BUILT_ITERATIONS,
  checksum: CHECKSUMS[workload],
});

/** What `npm run bench` runs: each workload on each target (12 images). */
export const BENCH_PROGRAMS: readonly BenchProgram[] = WORKLOADS.flatMap((w) => TARGETS.map((t) => program(w, t)));

/**
 * The same two programs for QEMU (`qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel <elf>`): built
 * without the marker writes, which would be a bus error there. They print the same line.
 */
export const QEMU_PROGRAMS: readonly BenchProgram[] = WORKLOADS.map((w) =>
  program(w, { target: 'm4-qemu', board: 'mps2-an386', label: 'm4 (QEMU build, no markers)' }));

/** The line a program prints when its checks pass. */
export function expectedLine(p: Pick<BenchProgram, 'workload' | 'checksum'>, iterations: number): string {
  return `${p.workload}: checksum 0x${p.checksum.toString(16).padStart(8, '0')} iterations ${iterations} OK\n`;
}

/**
 * A write to the marker register: the mark (iteration number, or -1 for END), the cycle the storing instruction
 * started at (CpuState.now), and the instruction count (counted at block exits, so this is the count at the start of
 * the translated block holding the store: exact to a few instructions).
 */
export interface Mark { value: number; cycles: number; instructions: number }

export interface BenchRun {
  /** what the program printed */
  output: string;
  /** the last stop (the exit's BKPT 0xAB when it exited) */
  result: RunResult;
  /** set when the program exited through SYS_EXIT: its reason code and whether it is ApplicationExit */
  exit?: { reason: number; ok: boolean };
  /** the marker writes, in order (MARK values, END as -1) */
  marks: Mark[];
  /** whole-run totals */
  cycles: number;
  instructions: number;
  /** the machine, for reports (counters, caches, high-water marks) */
  board: BoardMachine;
}

export interface BenchRunOptions {
  /** the repository root the ELF path is relative to; default the current directory */
  root?: string;
  /** patch `bench_iterations` in the loaded image to run this many iterations instead of the built count */
  iterations?: number;
  /** instruction budget; default 50 M */
  maxInstructions?: number;
  /** the ELF's bytes, when the caller has them (skips reading `elf` from `root`) */
  bytes?: Uint8Array;
  /** board machine options (e.g. `{ timing: false, usage: false }`: the simulator without its models, for speed figures) */
  machine?: BoardMachineOptions;
}

const SYS_EXIT = 0x18;
const ADP_Stopped_ApplicationExit = 0x20026;

/**
 * The marker writes of a run, from the machine's phases (src/mem/usage.ts): each MARK i starts phase "i" at the
 * cycle its store started (CpuState.now) after the exact number of instructions before it; END closes the last.
 */
function marksOf(m: Machine): Mark[] {
  const u = m.usage;
  if (!u) throw new Error('the machine tracks no usage: no phases to read the marks from');
  u.finish(m.state.now(), m.instructions);
  const marks: Mark[] = [];
  for (const p of u.report().phases) {
    if (!p.marked) continue;
    marks.push({ value: Number(p.name), cycles: p.startCycle, instructions: p.startInstructions });
    const last = p;
    marks.push({ value: -1, cycles: last.endCycle, instructions: last.endInstructions });
  }
  // END marks between consecutive phases are the next MARK: keep only the final one
  return marks.filter((x, i) => x.value !== -1 || i === marks.length - 1);
}

/** Load a benchmark image on its board and run it to its exit (or the budget, or a fault). */
export function runBenchProgram(p: BenchProgram, opts: BenchRunOptions = {}): BenchRun {
  const bytes = opts.bytes ?? new Uint8Array(readFileSync(join(opts.root ?? '.', p.elf)));
  const elf = parseElf(bytes);
  const out: number[] = [];
  const bm = createBoardMachine(getBoard(p.board), { ...opts.machine, stdout: (b) => out.push(b) });
  const m = bm.machine;
  m.load(elf.loadable());
  if (opts.iterations !== undefined) {
    const sym = elf.symbols.find((s) => s.name === 'bench_iterations');
    if (!sym) throw new Error(`${p.elf}: no bench_iterations symbol to patch`);
    const word = new Uint8Array(4);
    new DataView(word.buffer).setUint32(0, opts.iterations >>> 0, true);
    m.bus.load(sym.value, word);
  }
  const result = m.run({ maxInstructions: opts.maxInstructions ?? 50_000_000 });
  const marks = m.usage ? marksOf(m) : [];
  const exited = result.reason === 'bkpt' && result.imm === 0xab && m.reg('r0') === SYS_EXIT;
  const reason = m.reg('r1') >>> 0;
  return {
    output: String.fromCharCode(...out),
    result,
    ...(exited ? { exit: { reason, ok: reason === ADP_Stopped_ApplicationExit } } : {}),
    marks,
    cycles: m.cycles,
    instructions: m.instructions,
    board: bm,
  };
}

export interface IterationCycles {
  /** cycles of each iteration, in order: from its MARK write to the next MARK (or END) write */
  perIteration: number[];
  /** the first iteration (cold caches, accelerator and predictor) */
  first: number;
  /** the mean of iterations 2..N (the first alone when there is one): the figure to report */
  steady: number;
}

/**
 * Cycles per iteration from a run's marks (MARK i before iteration i, END after the last). Throws when the marks
 * are not 1..N followed by END, which means the program did not run its iterations to the end.
 */
export function cyclesPerIteration(run: Pick<BenchRun, 'marks'>): IterationCycles {
  const marks = run.marks;
  const n = marks.length - 1;
  if (n < 1 || marks[n]!.value !== -1 || marks.slice(0, n).some((x, i) => x.value !== i + 1)) {
    throw new Error(`marks are not 1..N then END: ${marks.map((x) => x.value).join(',')}`);
  }
  const perIteration = marks.slice(0, n).map((x, i) => marks[i + 1]!.cycles - x.cycles);
  const rest = perIteration.length > 1 ? perIteration.slice(1) : perIteration;
  return { perIteration, first: perIteration[0]!, steady: rest.reduce((a, b) => a + b, 0) / rest.length };
}
