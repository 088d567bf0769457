/**
 * One speed measurement in a fresh process (so earlier runs' JIT state does not favour or penalise it):
 * `node dist/bench/speed.js <program index> <full|untimed>` runs BENCH_PROGRAMS[index] for 100 iterations three times
 * and prints {"instructions", "seconds"} of the fastest run as JSON. Used by bench/run.ts.
 */
import { readFileSync } from 'node:fs';
import { BENCH_PROGRAMS, runBenchProgram, expectedLine } from './workloads.js';

const [index, config] = process.argv.slice(2);
const p = BENCH_PROGRAMS[Number(index)];
if (!p || (config !== 'full' && config !== 'untimed')) throw new Error('usage: speed.js <program index> full|untimed');
const bytes = new Uint8Array(readFileSync(p.elf));
const iterations = 400; // 40-80 M instructions: long enough that translation, JIT compilation and start-up do not dominate
let best = Infinity, instructions = 0;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = runBenchProgram(p, { bytes, iterations, maxInstructions: 1e9, machine: config === 'full' ? {} : { timing: false, usage: false } });
  const dt = (performance.now() - t0) / 1000;
  if (r.output !== expectedLine(p, iterations)) throw new Error(`${p.name}: printed ${JSON.stringify(r.output)}`);
  best = Math.min(best, dt);
  instructions = r.instructions;
}
process.stdout.write(JSON.stringify({ instructions, seconds: best }) + '\n');
