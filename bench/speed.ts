/**
 * One speed measurement in a fresh process (so earlier runs' JIT state does not favour or penalise it):
 * `node dist/bench/speed.js <program index> <full|untimed>` runs BENCH_PROGRAMS[index] for 400 iterations RUNS times,
 * each on a new machine, and prints {"instructions", "cold", "steady"} as JSON: the seconds of the first run
 * (translation and the JIT's warm-up included: what a short simulation sees) and of the fastest later one (the
 * engine at full speed: what a long simulation sees). Used by bench/run.ts.
 *
 * Why several runs: translated blocks are new functions in every run, and V8 takes a few runs of them (some hundred
 * million simulated instructions) to reach its optimised code; the first runs are up to three times slower than the
 * later ones, and vary from process to process far more.
 */
import { readFileSync } from 'node:fs';
import { BENCH_PROGRAMS, runBenchProgram, expectedLine } from './workloads.js';

const RUNS = 6;
const [index, config] = process.argv.slice(2);
const p = BENCH_PROGRAMS[Number(index)];
if (!p || (config !== 'full' && config !== 'untimed')) throw new Error('usage: speed.js <program index> full|untimed');
const bytes = new Uint8Array(readFileSync(p.elf));
const iterations = 400; // 40-80 M instructions a run
const seconds: number[] = [];
let instructions = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const r = runBenchProgram(p, { bytes, iterations, maxInstructions: 1e9, machine: config === 'full' ? {} : { timing: false, usage: false } });
  seconds.push((performance.now() - t0) / 1000);
  if (r.output !== expectedLine(p, iterations)) throw new Error(`${p.name}: printed ${JSON.stringify(r.output)}`);
  instructions = r.instructions;
}
process.stdout.write(JSON.stringify({ instructions, cold: seconds[0], steady: Math.min(...seconds.slice(1)) }) + '\n');
