/**
 * Run a layer's generated kernel on a simulated board: build the image (image.ts), load it on createBoardMachine,
 * run to the BKPT, read the output from SRAM, compare it with the reference (src/nn runLayer), and report the
 * cycles and instructions of the marked phase "layer", the sizes, and the SRAM high-water mark.
 */
import { createBoardMachine } from '../board/machine.js';
import type { Board } from '../board/schema.js';
import { getBoard } from '../board/boards.js';
import { runLayer } from '../nn/ops.js';
import { planLayer, type LayerPlan, type LayerSpec } from '../nn/spec.js';
import { compareInt8 } from '../nn/tensor.js';
import { buildLayerImage, LAYER_PHASE, type KernelData, type KernelVariant } from './image.js';
import type { WeightFormat } from './simd8.js';

export interface RunKernelOptions {
  variant?: KernelVariant;
  /** a board, or its name (boards/*.json) */
  board: Board | string;
  /**
   * Start the Cortex-M7 L1 caches enabled (as deployed firmware does; default true). No effect on a Cortex-M4.
   * The flash interface starts as the board's start-up code leaves it (wait states, prefetch, ART: BoardMachine).
   */
  cachesOn?: boolean;
  /** run without the timing model (1 cycle an instruction): for quick functional checks */
  timing?: boolean;
  /** instruction budget (default: 64 per MAC plus a million) */
  maxInstructions?: number;
  /**
   * How the simd kernels store their weights in flash: 'int8' (default: 4 weights a word, widened with SXTB16 in the
   * inner loop; about the weights' own bytes) or 'int16' (widened at generation time: twice the flash, a little
   * faster, and on a Cortex-M4 the unrolled pointwise schedule). No effect on the scalar variant.
   */
  weights?: WeightFormat;
}

/** A simulated output checked against the reference (a layer's, a network's). */
export interface CheckedOutput {
  output: Int8Array;
  /** the reference output (src/nn) */
  expected: Int8Array;
  /** output equals the reference bit for bit */
  bitExact: boolean;
  mismatches: number;
}

export interface KernelRunResult extends CheckedOutput {
  /** cycles of the phase "layer" (the kernel call, from the MARK_NAME store to the END store) */
  cycles: number;
  /** instructions of the phase "layer" */
  instructions: number;
  macs: number;
  macsPerCycle: number;
  /** bytes of the kernel function and its literal pool */
  codeBytes: number;
  /**
   * the constants in flash, bytes: weights, bias and requantisation parameters as the kernel stores them (the scalar
   * kernels: int8 weights, bias, multipliers, shifts, and the folded bias of interior pixels where the kernel has one;
   * the simd kernels: their records, and `multipliers` / `shifts` only when they run the general requantisation)
   */
  weightBytes: number;
  /** how the weights are stored in flash: 'int8' (the scalar kernels, and the simd ones by default) or 'int16' */
  weightFormat: WeightFormat;
  /** bytes of flash the image takes: vectors, start-up, kernel, constants */
  flashBytes: number;
  /**
   * SRAM the layer needs, in bytes: from the SRAM base to the end of the activations (the input as loaded, the
   * output up to the highest byte the kernel wrote) plus the stack's depth (the stack sits at the top of the SRAM;
   * this is the high-water mark it would have right after the activations)
   */
  sramHighWater: number;
  /** the stack's depth during the run, bytes */
  stackBytes: number;
  /** the core clock of the board, Hz, and the layer's time at it, seconds */
  clockHz: number;
  seconds: number;
  board: string;
  variant: KernelVariant;
  /**
   * the kernel that ran: the variant's, or 'scalar' when variant 'simd' does not handle the layer (it falls back
   * to the scalar kernel for that layer; `fallbackReason` names the parameter)
   */
  kernel: 'scalar' | 'simd';
  fallbackReason: string | null;
  /** the firmware source */
  assembly: string;
  plan: LayerPlan;
}

/** Build, run and check a layer's kernel on a board. */
export function runKernel(spec: LayerSpec | LayerPlan, data: KernelData, opts: RunKernelOptions): KernelRunResult {
  const board = typeof opts.board === 'string' ? getBoard(opts.board) : opts.board;
  const variant = opts.variant ?? 'scalar';
  const plan = 'multipliers' in spec && 'outputShape' in spec ? spec : planLayer(spec);
  const img = buildLayerImage(plan, data, { variant, board, weights: opts.weights ?? 'int8' });
  const timed = opts.timing !== false;
  const bm = createBoardMachine(board, { timing: timed, memory: { cachesOn: opts.cachesOn ?? true } });
  const m = bm.machine;
  m.load({ sections: img.asm.sections.filter((s) => s.kind !== 'bss'), entry: img.asm.entry });
  // the activations' window: everything below the stack's reserve (the stack's own writes are counted by its depth)
  m.usage?.watch('activations', img.layout.sram.base, img.layout.stackTop - img.stackReserve);
  const budget = opts.maxInstructions ?? plan.macs * 64 + 1_000_000;
  const r = m.run({ maxInstructions: budget });
  if (r.reason !== 'bkpt' || r.pc !== img.symbols.done) {
    const why = r.reason === 'fault' ? `a fault (${r.fault?.message ?? '?'})` : r.reason === 'limit' ? `the instruction limit (${budget})` : `${r.reason} at 0x${r.pc.toString(16)}`;
    throw new Error(`kernel generator bug: the ${variant} kernel of this ${plan.kind} layer stopped on ${why}, not at its BKPT`);
  }
  const output = Uint8Array.from(m.bus.peek(img.symbols.output, img.layout.output.bytes));
  const out = new Int8Array(output.buffer);
  const expected = runLayer(plan, { input: data.input, weights: data.weights });
  const cmp = compareInt8(expected, out);

  const usage = m.usage;
  let cycles = r.cycles, instructions = r.instructions, stackBytes = 0, outHighest = -1;
  if (usage) {
    usage.finish(m.cycles, m.instructions);
    const rep = usage.report();
    const ph = rep.phases.find((p) => p.name === LAYER_PHASE);
    if (ph) { cycles = ph.cycles; instructions = ph.instructions; }
    stackBytes = rep.stack?.bytesUsed ?? 0;
    const w = rep.watches.find((x) => x.name === 'activations');
    if (w && w.highestOffset >= 0) outHighest = w.start + w.highestOffset;
  }
  const actEnd = Math.max(img.layout.input.address + img.layout.input.bytes, outHighest + 1);
  const sramHighWater = actEnd - img.layout.sram.base + stackBytes;
  return {
    output: out,
    expected,
    bitExact: cmp.equal,
    mismatches: cmp.mismatches,
    cycles,
    instructions,
    macs: plan.macs,
    macsPerCycle: cycles > 0 ? plan.macs / cycles : 0,
    codeBytes: img.codeBytes,
    weightBytes: img.weightBytes,
    weightFormat: img.kernelKind === 'simd' ? (img.kernel as { weightFormat?: WeightFormat }).weightFormat ?? 'int16' : 'int8',
    flashBytes: img.flashBytes,
    sramHighWater,
    stackBytes,
    clockHz: board.clockHz,
    seconds: cycles / board.clockHz,
    board: board.name,
    variant,
    kernel: img.kernelKind,
    fallbackReason: img.fallbackReason,
    assembly: img.text,
    plan,
  };
}
