/**
 * `npm run bench`: simulated instructions per second of the engine on two workloads (DESIGN.md, decision 2).
 * Prints figures; never passes or fails on time. Host wall-clock time is measured here, outside the simulation.
 */
import { assemble } from '../src/asm/assembler.js';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createMachine } from '../src/machine.js';
import { untimed } from '../src/timing/model.js';
import { getBoard } from '../src/board/boards.js';
import { BENCH_PROGRAMS, runBenchProgram, cyclesPerIteration, expectedLine } from './workloads.js';

interface Workload { name: string; source: string; instructions: number }

const WORKLOADS: Workload[] = [
  {
    name: '(a) SMLAD loop, 4 instructions',
    instructions: 500_000_000,
    source: `
      .syntax unified
      .thumb
      .global _start
    _start:
      ldr   r0, =100000000     @ iterations: 400 M instructions
      ldr   r1, =0x00030002
      ldr   r2, =0xfffe0005
      movs  r3, #0
    1:
      smlad r3, r1, r2, r3
      smlad r3, r2, r1, r3
      subs  r0, r0, #1
      bne   1b
      bkpt  #0
    `,
  },
  {
    name: '(b) load/store loop (memcpy of 16 KiB, word at a time)',
    instructions: 150_000_000,
    source: `
      .syntax unified
      .thumb
      .global _start
    _start:
      ldr   r5, =9000          @ outer iterations
    2:
      ldr   r1, =0x20000000    @ source
      ldr   r2, =0x20100000    @ destination
      ldr   r3, =4096          @ words
    1:
      ldr   r4, [r1], #4
      str   r4, [r2], #4
      subs  r3, r3, #1
      bne   1b
      subs  r5, r5, #1
      bne   2b
      bkpt  #0
    `,
  },
];

function runOnce(w: Workload, timed: boolean): { instr: number; cycles: number; seconds: number; reason: string } {
  const a = assemble(w.source, { fileName: w.name });
  if (!a.ok) throw new Error(a.errors.map((e) => e.message).join('\n'));
  const m = timed ? createMachine() : createMachine({ model: untimed, usage: false });
  m.load({ sections: a.sections.filter((s) => s.kind !== 'bss'), entry: a.entry });
  const t0 = performance.now();
  const r = m.run({ maxInstructions: w.instructions });
  const seconds = (performance.now() - t0) / 1000;
  return { instr: r.instructions, cycles: r.cycles, seconds, reason: r.reason };
}

const best = <T extends { seconds: number }>(runs: T[]) => runs.sort((x, y) => x.seconds - y.seconds)[0]!;

console.log(`mcusim bench: node ${process.version}, ${process.arch}`);
/** `npm run bench -- kernels` runs only the kernel figures; `-- engine` only the engine and program figures. */
const only = process.argv[2];
if (only === undefined || only === 'engine') {
  console.log('\nEngine throughput (simulated instructions per second of host time; best of 3):');
  const ratios: number[] = [];
  for (const w of WORKLOADS) {
    runOnce({ ...w, instructions: 1_000_000 }, true); // warm up the JIT on this workload
    runOnce({ ...w, instructions: 1_000_000 }, false);
    const full = best([runOnce(w, true), runOnce(w, true), runOnce(w, true)]);
    const bare = best([runOnce(w, false), runOnce(w, false), runOnce(w, false)]);
    const mf = full.instr / full.seconds / 1e6, mb = bare.instr / bare.seconds / 1e6;
    ratios.push(mf / mb);
    console.log(`${w.name}: ${mf.toFixed(1)} M instructions/s with the Cortex-M4 model and usage tracking, ${mb.toFixed(1)} M untimed ` +
      `(${(100 * mf / mb).toFixed(0)}%)  [${full.instr} instructions, ${full.cycles} cycles, stop: ${full.reason}]`);
  }

  // The benchmark programs (programs/bench): cycles per iteration on every target, and the simulator's speed on them
  // with the full model (pipeline, memory timing, usage tracking) and without it (untimed, no memory timing): at full
  // speed (steady: the fastest of the runs after the first, in one process) and from cold (the first run).
  console.log('\nBenchmark programs (programs/bench, cycles per iteration: first, then steady = mean of the others;');
  console.log('simulator speed in M simulated instructions/s, steady = fastest of runs 2-6 in a fresh process, cold = run 1):');
  const rows: string[][] = [['program', 'target', 'first', 'steady', 'CPI', 'time/iteration', 'full', 'untimed', 'full/untimed', 'cold full/untimed']];
  /** A program's speed in a fresh process (bench/speed.ts): M simulated instructions per second, steady and cold. */
  function speed(index: number, config: 'full' | 'untimed'): { steady: number; cold: number } {
    const out = execFileSync(process.execPath, [join(import.meta.dirname, 'speed.js'), String(index), config], { encoding: 'utf8' });
    const r = JSON.parse(out) as { instructions: number; cold: number; steady: number };
    return { steady: r.instructions / r.steady / 1e6, cold: r.instructions / r.cold / 1e6 };
  }
  const coldRatios: number[] = [];
  const programRatios: number[] = [];

  BENCH_PROGRAMS.forEach((p, index) => {
    const r = runBenchProgram(p, { bytes: new Uint8Array(readFileSync(p.elf)) });
    if (r.output !== expectedLine(p, p.iterations)) throw new Error(`${p.name}: printed ${JSON.stringify(r.output)}`);
    const c = cyclesPerIteration(r);
    const board = getBoard(p.board);
    const mf = speed(index, 'full'), mb = speed(index, 'untimed');
    ratios.push(mf.steady / mb.steady);
    programRatios.push(mf.steady / mb.steady);
    coldRatios.push(mf.cold / mb.cold);
    rows.push([p.workload, p.target, String(c.first), c.steady.toFixed(0), (r.cycles / r.instructions).toFixed(3),
      `${(1e6 * c.steady / board.clockHz).toFixed(1)} us at ${board.clockHz / 1e6} MHz`, mf.steady.toFixed(1), mb.steady.toFixed(1),
      `${(100 * mf.steady / mb.steady).toFixed(0)}%`, `${(100 * mf.cold / mb.cold).toFixed(0)}%`]);
  });
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  '));
  const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  const line = (what: string, xs: number[]) => `${what}: geometric mean ${(100 * geo(xs)).toFixed(0)}%, lowest ${(100 * Math.min(...xs)).toFixed(0)}%`;
  console.log(`\nspeed with the full model / without it (target: at least 70%):`);
  console.log(`  ${line('steady, engine loops and programs', ratios)}`);
  console.log(`  ${line('steady, programs', programRatios)}`);
  console.log(`  ${line('cold (first run), programs', coldRatios)}`);
}

// int8 kernels (issue 5): MAC/cycle of MobileNetV2-like layers per kernel variant and board, measured on the
// simulated boards with the full timing model. A layer too large for a board's SRAM runs at half the resolution
// (said in the row).
if (only === undefined || only === 'kernels') {
  const { runKernel, KERNEL_VARIANTS } = await import('../src/kernels/index.js');
  const { withRealisticQuant, randomLayerData } = await import('../src/nn/tensor.js');
  type G = Parameters<typeof withRealisticQuant>[0];
  const layers: [string, (r: number) => G][] = [
    ['stem 3x3 s2, 3->16', (r) => ({ kind: 'conv2d', input: { h: r * 2, w: r * 2, c: 3 }, kernel: 3, stride: 2, padding: 'same', outChannels: 16, activation: 'relu6' }) as G],
    ['pointwise 16->96', (r) => ({ kind: 'conv2d', input: { h: r, w: r, c: 16 }, kernel: 1, outChannels: 96, activation: 'relu6' }) as G],
    ['depthwise 3x3, 96', (r) => ({ kind: 'depthwise', input: { h: r, w: r, c: 96 }, kernel: 3, padding: 'same', activation: 'relu6' }) as G],
    ['pointwise 96->24', (r) => ({ kind: 'conv2d', input: { h: r, w: r, c: 96 }, kernel: 1, outChannels: 24 }) as G],
  ];
  console.log('\nint8 kernels, MobileNetV2-like layers at 56x56, or the largest power-of-2 fraction that fits (MAC/cycle; bit-exact against the reference):');
  // mps2-an386: the M4 model at zero wait states (the issue's 0.9 target); stm32f411re: an M4 with flash wait states
  for (const board of ['mps2-an386', 'stm32f411re', 'stm32f746g-disco', 'stm32h743']) {
    for (const [name, make] of layers) {
      const cells: string[] = [];
      // simd with int8 weights in flash (the default), and with weights pre-widened to int16 (the unrolled schedule
      // on the Cortex-M4 boards: the issue's 0.9 MAC/cycle target)
      type Config = { variant: (typeof KERNEL_VARIANTS)[number]; weights: 'int8' | 'int16' };
      const configs = KERNEL_VARIANTS.flatMap((variant): Config[] => (variant === 'simd' ? [{ variant, weights: 'int8' }, { variant, weights: 'int16' }] : [{ variant, weights: 'int8' }]));
      for (const { variant, weights } of configs) {
        let res = 56, r;
        for (;;) {
          const spec = withRealisticQuant(make(res), 1);
          const d = randomLayerData(spec, 1);
          try { r = runKernel(spec, { input: d.input, weights: d.weights }, { variant, board, weights }); break; } catch (e) {
            if (!/does not fit/.test((e as Error).message) || res <= 7) { r = undefined; break; }
            res = res / 2;
          }
        }
        const label = variant === 'simd' ? `simd ${weights}` : variant;
        cells.push(r ? `${label}${r.kernel !== variant ? ` (${r.kernel} kernel)` : ''} ${r.macsPerCycle.toFixed(3)}${r.bitExact ? '' : ' NOT BIT-EXACT'}${res !== 56 ? ` (at ${res}x${res})` : ''}` : `${label}: does not fit`);
      }
      console.log(`  ${board.padEnd(17)} ${name.padEnd(20)} ${cells.join('   ')}`);
    }
  }
  // reference/int8-semantics.md, "Published throughput": whole networks on real boards
  console.log('  for comparison, published whole-network figures on real hardware: CMSIS-NN 0.22-0.24 MAC/cycle, TinyEngine 0.38-0.57');
}
