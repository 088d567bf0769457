/**
 * Running a network firmware (build.ts) on a simulated board with the full timing model (createBoardMachine): load,
 * run to the runner's BKPT, read the output from the arena, compare it with the reference (runNetworkReference), and
 * report the cycles per phase (one per layer, per layer per patch in patch mode), per layer and per patch, the arena's
 * measured high-water mark (a usage watch over the SRAM between the argument block and the stack reserve: the highest
 * offset written + 1), the stack's depth, the flash bytes and the planned peak.
 *
 * A network that does not fit the board runs on the builder's enlarged copy of it (same timing): `fits` is false and
 * `issues` says which memory and by how much.
 *
 * API: runNetworkFirmware(firmware, net, weights, input, options?) -> NetRunResult;
 *      runNetwork(net, weights, input, mode, variant, board, options?) -> NetRunResult (build + run).
 */
import { createBoardMachine } from '../board/machine.js';
import type { Board } from '../board/schema.js';
import { getBoard } from '../board/boards.js';
import { compareInt8 } from '../nn/tensor.js';
import { runNetworkReference, type NetWeights, type Network } from '../net/network.js';
import { buildNetworkFirmware, type NetBuildOptions, type NetFirmware, type NetMode, type NetVariant, type PhaseInfo } from './build.js';
import type { FitIssue } from './board.js';
import type { CheckedOutput } from '../kernels/run.js';

export interface NetRunOptions extends NetBuildOptions {
  /** start the Cortex-M7 L1 caches enabled (as deployed firmware does; default true) */
  cachesOn?: boolean;
  /** run without the timing model (1 cycle an instruction): quick functional checks */
  timing?: boolean;
  /** instruction budget (default: 64 per MAC plus 20 million) */
  maxInstructions?: number;
  /** the expected output (default: runNetworkReference's) */
  expected?: Int8Array;
  /** called every `progressEvery` simulated instructions (default 2 million) and once at the end */
  onProgress?: (p: NetProgress) => void;
  progressEvery?: number;
}

/** Where a run is: the phase open now (its index in the manifest's phases, -1 before the first) and the totals so far. */
export interface NetProgress {
  phase: string;
  phaseIndex: number;
  phases: number;
  /** patch mode: the patch being run (0-based), and the patch count; null outside the patch stage / in whole mode */
  patch: number | null;
  patches: number;
  cycles: number;
  instructions: number;
  done: boolean;
}

export interface PhaseRun extends PhaseInfo {
  cycles: number;
  instructions: number;
}

/** `output` is the network output as the firmware left it in the arena; `expected` runNetworkReference's. */
export interface NetRunResult extends CheckedOutput {
  network: string;
  mode: 'whole' | 'patch';
  variant: NetVariant;
  board: string;
  /** cycles and instructions of all the phases (the input copies and the kernels: the whole inference) */
  cycles: number;
  instructions: number;
  /** cycles of the input copies (phases "input", "p<i>/input") */
  copyCycles: number;
  phases: PhaseRun[];
  /** per layer: cycles summed over its phases (a fused step's cycles go to its first layer, the projection) */
  layerCycles: { index: number; name: string; cycles: number; macs: number }[];
  /** patch mode: cycles per patch (its input copy and its stage steps), row-major; [] in whole mode */
  patchCycles: number[];
  /** MACs the kernels ran, and per cycle */
  macs: number;
  macsPerCycle: number;
  clockHz: number;
  latencyMs: number;
  /** the memory planner's peak (live bytes) and the arena the placement needs */
  plannedPeak: number;
  arenaBytes: number;
  /** measured: highest arena offset written + 1 */
  arenaHighWater: number;
  /** measured: the stack's depth, bytes */
  stackBytes: number;
  /** measured SRAM high-water mark: arena high-water mark + stack */
  measuredPeak: number;
  /** flash bytes of the image, and its parts */
  flash: number;
  flashCode: number;
  flashConstants: number;
  /** fits the given board (SRAM: argument block + arena + stack reserve; flash: the image); else `issues` */
  fits: boolean;
  issues: FitIssue[];
  /** the network ran on an enlarged copy of the board */
  enlarged: boolean;
  firmware: NetFirmware;
}

/** Run a built firmware on its board. */
export function runNetworkFirmware(fw: NetFirmware, net: Network, weights: NetWeights, input: Int8Array, opts: NetRunOptions = {}): NetRunResult {
  const board = fw.board;
  const man = fw.manifest;
  const timed = opts.timing !== false;
  const bm = createBoardMachine(board, { timing: timed, memory: { cachesOn: opts.cachesOn ?? true } });
  const m = bm.machine;
  m.load({ sections: fw.sections.map((s) => ({ address: s.address, bytes: s.bytes })), entry: fw.symbols.runner });
  const arenaBase = man.arena.base;
  const watchEnd = man.stack.top - man.stack.reserve;
  m.usage?.watch('arena', arenaBase, Math.max(arenaBase + 1, watchEnd));
  const budget = opts.maxInstructions ?? man.macs * 64 + 20_000_000;
  // in chunks when someone watches the progress: the same run (a stop at an instruction limit resumes exactly)
  const every = opts.onProgress ? Math.max(1, opts.progressEvery ?? 2_000_000) : budget;
  const phaseIndex = new Map(man.phases.map((p, i) => [p.name, i]));
  const patches = man.phases.reduce((n, p) => (p.patch !== null ? Math.max(n, p.patch + 1) : n), 0);
  const progress = (done: boolean): void => {
    const name = m.usage?.phase ?? '';
    const i = phaseIndex.get(name) ?? -1;
    opts.onProgress!({ phase: name, phaseIndex: i, phases: man.phases.length, patch: i >= 0 ? man.phases[i]!.patch : null, patches, cycles: m.cycles, instructions: m.instructions, done });
  };
  let r = m.run({ maxInstructions: Math.min(every, budget) });
  for (let left = budget - r.instructions; r.reason === 'limit' && left > 0; left -= r.instructions) {
    progress(false);
    r = m.run({ maxInstructions: Math.min(every, left) });
  }
  if (opts.onProgress) progress(true);
  if (r.reason !== 'bkpt' || r.pc !== fw.symbols.done) {
    const why = r.reason === 'fault' ? `a fault (${r.fault?.message ?? '?'})` : r.reason === 'limit' ? `the instruction limit (${budget})`
      : `${r.reason} at 0x${r.pc.toString(16)}${r.pc === fw.symbols.fault ? ' (the fault handler)' : ''}`;
    throw new Error(`firmware generator bug: the ${man.mode} ${man.variant} firmware of ${net.name} stopped on ${why}, not at its BKPT`);
  }
  const output = new Int8Array(Uint8Array.from(m.bus.peek(man.output.address, man.output.bytes)).buffer);
  const expected = opts.expected ?? runNetworkReference(net, weights, input).output;
  const cmp = compareInt8(expected, output);

  const phases: PhaseRun[] = [];
  let arenaHighWater = 0, stackBytes = 0;
  const usage = m.usage;
  if (usage) {
    usage.finish(m.cycles, m.instructions);
    const rep = usage.report();
    const byName = new Map(rep.phases.filter((p) => p.marked).map((p) => [p.name, p]));
    for (const ph of man.phases) {
      const p = byName.get(ph.name);
      phases.push({ ...ph, cycles: p?.cycles ?? 0, instructions: p?.instructions ?? 0 });
    }
    stackBytes = rep.stack?.bytesUsed ?? 0;
    const w = rep.watches.find((x) => x.name === 'arena');
    arenaHighWater = w && w.highestOffset >= 0 ? w.highestOffset + 1 : 0;
  }
  if (stackBytes > man.stack.reserve) {
    throw new Error(`firmware generator bug: the stack went ${stackBytes} bytes deep, more than the ${man.stack.reserve} reserved for it`);
  }
  const cycles = phases.reduce((n, p) => n + p.cycles, 0);
  const instructions = phases.reduce((n, p) => n + p.instructions, 0);
  const copyCycles = phases.filter((p) => p.layers.length === 0).reduce((n, p) => n + p.cycles, 0);
  const layerCycles = net.layers.map((l) => ({ index: l.index, name: l.name, cycles: 0, macs: 0 }));
  for (const p of phases) {
    if (!p.layers.length) continue;
    layerCycles[p.layers[0]!]!.cycles += p.cycles;
    layerCycles[p.layers[0]!]!.macs += p.macs;
  }
  const patchCycles: number[] = [];
  for (const p of phases) if (p.patch !== null) patchCycles[p.patch] = (patchCycles[p.patch] ?? 0) + p.cycles;
  return {
    network: net.name, mode: man.mode, variant: man.variant, board: fw.targetBoard.name,
    output, expected, bitExact: cmp.equal, mismatches: cmp.mismatches,
    cycles, instructions, copyCycles, phases, layerCycles, patchCycles,
    macs: man.macs, macsPerCycle: cycles > 0 ? man.macs / cycles : 0,
    clockHz: board.clockHz, latencyMs: (cycles / board.clockHz) * 1000,
    plannedPeak: man.arena.plannedPeak, arenaBytes: man.arena.size,
    arenaHighWater, stackBytes, measuredPeak: arenaHighWater + stackBytes,
    flash: man.flash.total, flashCode: man.flash.code, flashConstants: man.flash.constants,
    fits: fw.fits, issues: fw.issues, enlarged: fw.board !== fw.targetBoard,
    firmware: fw,
  };
}

/** Build a network's firmware for a mode, variant and board, run it, check it. */
export function runNetwork(
  net: Network, weights: NetWeights, input: Int8Array, mode: NetMode, variant: NetVariant, board: Board | string, opts: NetRunOptions = {},
): NetRunResult {
  const b = typeof board === 'string' ? getBoard(board) : board;
  const fw = buildNetworkFirmware(net, weights, input, mode, variant, b, opts);
  return runNetworkFirmware(fw, net, weights, input, opts);
}
