/**
 * `npm run bench`: simulated instructions per second of the engine on two workloads (DESIGN.md, decision 2).
 * Prints figures; never passes or fails on time. Host wall-clock time is measured here, outside the simulation.
 */
import { assemble } from '../src/asm/assembler.js';
import { createMachine } from '../src/machine.js';

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

function runOnce(w: Workload): { instr: number; cycles: number; seconds: number; reason: string } {
  const a = assemble(w.source, { fileName: w.name });
  if (!a.ok) throw new Error(a.errors.map((e) => e.message).join('\n'));
  const m = createMachine();
  m.load({ sections: a.sections.filter((s) => s.kind !== 'bss'), entry: a.entry });
  const t0 = performance.now();
  const r = m.run({ maxInstructions: w.instructions });
  const seconds = (performance.now() - t0) / 1000;
  return { instr: r.instructions, cycles: r.cycles, seconds, reason: r.reason };
}

console.log(`mcusim bench: node ${process.version}, ${process.arch}`);
for (const w of WORKLOADS) {
  runOnce({ ...w, instructions: 1_000_000 }); // warm up the JIT on this workload
  const best = [runOnce(w), runOnce(w), runOnce(w)].sort((x, y) => x.seconds - y.seconds)[0]!;
  const mips = best.instr / best.seconds / 1e6;
  console.log(`${w.name}: ${mips.toFixed(1)} M instructions/s  (${best.instr} instructions, ${best.cycles} cycles, ${best.seconds.toFixed(3)} s, stop: ${best.reason})`);
}
