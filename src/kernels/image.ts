/**
 * The image builder: a layer (LayerSpec + data) and a kernel variant for a board -> the complete firmware as
 * assembly text, and that text assembled by the project's assembler.
 *
 * The firmware (layout.ts says where everything goes):
 *   vectors    initial SP = the top of the main SRAM, reset, and 14 fault vectors to `fault` (BKPT #1)
 *   reset      writes the simulator's MARK_NAME register (src/sys/simctl.ts) with the string "layer", calls
 *              `kernel`, writes END, stops at BKPT #0
 *   kernel     the generated function (scalar.ts)
 *   .rodata    the phase name, weights, bias, multipliers, shifts (flash)
 *   .input     the input activations, a data section placed at the SRAM base: the loader writes it there (no
 *              start-up copy)
 *   output     an address (`.equ output`) in SRAM after the input
 * Assembled for cortex-m3 (ARMv7-M: the scalar kernels use no DSP instruction, and the assembler enforces it).
 * An assembly error is a generator bug: it is thrown as an Error with the assembler's file:line:column messages.
 */
import { assemble, type AsmResult } from '../asm/assembler.js';
import type { Board } from '../board/schema.js';
import { planLayer, type LayerPlan, type LayerSpec } from '../nn/spec.js';
import { MCUSIM_BASE, SIMCTL } from '../sys/simctl.js';
import { byteLines, wordLines } from './asm.js';
import { alignUp, ARRAY_ALIGN, checkFits, layoutFor, STACK_BYTES, type KernelLayout } from './layout.js';
import { checkScalarSupport, scalarKernel, type ScalarKernel } from './scalar.js';
import { simdLayerKernel as simdKernel, simdLayerSupport as simdSupport } from './simd-dw.js';    // simd.ts's kernels, and simd-dw.ts's depthwise 3x3
import type { SimdKernel } from './simd.js';
import type { WeightFormat } from './simd8.js';

/**
 * Kernel variants: 'scalar' (ARMv7-M, scalar.ts), 'simd' (ARMv7E-M DSP, simd.ts; assembled for cortex-m4). A layer
 * the simd variant does not run (simdSupport) falls back to the scalar kernel: LayerImage.kernelKind says which ran.
 */
export type KernelVariant = 'scalar' | 'simd';
export const KERNEL_VARIANTS: readonly KernelVariant[] = ['scalar', 'simd'];

/** The name of the phase the kernel runs in. */
export const LAYER_PHASE = 'layer';

/** The data a layer image holds (Int8Arrays, or anything with an Int8Array `data`, as src/nn's tensors). */
export interface KernelData {
  input: Int8Array | { data: Int8Array };
  /** required by every kind the kernels run (null, as randomLayerData gives for kinds without weights, is an error) */
  weights: Int8Array | { data: Int8Array } | null;
}
const dataOf = (d: Int8Array | { data: Int8Array }): Int8Array => (d instanceof Int8Array ? d : d.data);

export interface LayerImage {
  plan: LayerPlan;
  layout: KernelLayout;
  variant: KernelVariant;
  /** the complete firmware source */
  text: string;
  /** the assembler's result (ok) */
  asm: AsmResult;
  kernel: ScalarKernel;
  /** the kernel that was generated: the variant's, or 'scalar' when the simd variant falls back */
  kernelKind: 'scalar' | 'simd';
  /** why the simd variant fell back to the scalar kernel (null when it did not) */
  fallbackReason: string | null;
  /** bytes reserved for the stack at the top of the SRAM (STACK_BYTES or the kernel's own need) */
  stackReserve: number;
  /** addresses of the symbols the runner needs */
  symbols: { kernel: number; kernelEnd: number; output: number; done: number };
  /** bytes of the kernel function and its literal pool */
  codeBytes: number;
  /** bytes in flash: vectors, start-up, kernel, constants */
  flashBytes: number;
  /** weights, bias, multipliers, shifts and the kernel's extra tables, bytes (no alignment padding) */
  weightBytes: number;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Options of the image builder beyond the variant. */
export interface LayerImageOptions {
  /**
   * How the simd kernels store their weights in flash (default 'int8': 4 a word, widened at run time; 'int16': widened
   * at generation time, twice the bytes, and on a Cortex-M4 the unrolled pointwise schedule, the fastest). The scalar
   * kernels always read int8 weights.
   */
  weights?: WeightFormat;
}

/** The firmware of a layer as assembly text, with the pieces it was made from. */
export function buildLayerSource(spec: LayerSpec | LayerPlan, data: KernelData, variant: KernelVariant, board: Board, opts: LayerImageOptions = {}): {
  plan: LayerPlan; layout: KernelLayout; kernel: ScalarKernel; text: string; kernelKind: 'scalar' | 'simd'; fallbackReason: string | null;
  /** bytes reserved for the stack at the top of the SRAM: STACK_BYTES, or the kernel's stack when it needs more */
  stackReserve: number;
} {
  if (!(KERNEL_VARIANTS as readonly string[]).includes(variant)) {
    throw new Error(`variant: expected one of ${KERNEL_VARIANTS.join(', ')}, got ${String(variant)}`);
  }
  const plan = 'multipliers' in spec && 'outputShape' in spec ? spec : planLayer(spec);
  checkScalarSupport(plan);
  if (!data.weights) throw new RangeError(`weights: required for ${plan.kind} layers`);
  const input = dataOf(data.input), weights = dataOf(data.weights);
  const inN = plan.inH * plan.inW * plan.inC;
  if (input.length !== inN) throw new RangeError(`input: expected ${inN} values (${plan.inH}x${plan.inW}x${plan.inC}), got ${input.length}`);
  const wN = plan.weightShape ? plan.weightShape.reduce((a, b) => a * b, 1) : 0;
  if (weights.length !== wN) throw new RangeError(`weights: expected ${wN} values (${plan.weightShape?.join('x')}), got ${weights.length}`);
  const fmt = opts.weights ?? 'int8';
  if (fmt !== 'int8' && fmt !== 'int16') throw new Error(`weights: expected int8 or int16, got ${String(fmt)}`);
  const fallbackReason = variant === 'simd' ? simdSupport(plan, fmt) : null;
  const kernelKind = variant === 'simd' && fallbackReason === null ? 'simd' : 'scalar';
  // int16 weights: the unrolled pointwise schedule (constants in literal pools beside the code, tens of KB of code)
  // pays off on a Cortex-M4, flash wait states included (measured, 2 x 4 tiles: 16->96 / 96->24 at 28x28 on the F411
  // 0.613 / 0.743 against the compact schedule's 0.499 / 0.651), not on the M7 boards, where the code outgrows the L1
  // I-cache (0.40 / 0.50 against 0.84 / 1.13 on the H743). int8 weights: the compact schedule everywhere.
  const unrolledPays = board.core === 'cortex-m4';
  const kernel: ScalarKernel & Partial<Pick<SimdKernel, 'omitRawWeights' | 'inlineConstantBytes' | 'quantTables'>> = kernelKind === 'simd'
    ? simdKernel(plan, weights, { schedule: unrolledPays ? 'auto' : 'compact-2x2', weights: fmt, core: board.core })
    : scalarKernel(plan, weights);
  // the simd kernel reads its reordered table (extraTables), not the raw weights and bias; and the multipliers and
  // shifts only when it runs the general requantisation
  const raw = !kernel.omitRawWeights;
  const quant = kernel.quantTables ?? true;
  const layout = layoutFor(plan, board);
  // a kernel whose stack (its frame, e.g. the simd kernels' widened input) needs more than STACK_BYTES reserves more
  const stackReserve = Math.max(STACK_BYTES, (kernel as { stackBytes?: number }).stackBytes ?? 0);
  layout.sramBytes += stackReserve - STACK_BYTES;
  checkFits(layout, board);

  const name = plan.spec.name ? ` "${plan.spec.name.replace(/[^\w .,:=+-]/g, '?')}"` : '';
  const src: string[] = [
    `@ mcusim layer image${name}: ${plan.kind}, ${variant} kernel, board ${board.name} (${board.core})`,
    `@ flash ${layout.flash.name} image at ${hex(layout.imageBase)}; SRAM ${layout.sram.name}: input ${hex(layout.input.address)} ` +
      `(${layout.input.bytes} bytes), output ${hex(layout.output.address)} (${layout.output.bytes} bytes), stack top ${hex(layout.stackTop)}`,
    '  .syntax unified',
    '  .thumb',
    `  .equ output, ${hex(layout.output.address)}`,
    `  .equ stack_top, ${hex(layout.stackTop)}`,
    `  .equ MCUSIM_BASE, ${hex(MCUSIM_BASE)}`,
    '',
    '  .text',
    'vectors:    @ the vector table at the boot address',
    '  .word stack_top',
    '  .word reset',
    '  .rept 14',
    '  .word fault',
    '  .endr',
    '',
    '  .thumb_func',
    'reset:',
    '  ldr r4, =MCUSIM_BASE',
    '  ldr r0, =phase_name',
    `  str r0, [r4, #${SIMCTL.MARK_NAME}]    @ MARK_NAME: the phase "${LAYER_PHASE}" starts`,
    '  bl kernel',
    `  str r0, [r4, #${SIMCTL.END}]    @ END: the phase ends (r4 is callee-saved)`,
    'done:',
    '  bkpt #0',
    '  .thumb_func',
    'fault:',
    '  bkpt #1',
    '  .ltorg',
    '',
    ...kernel.lines,
    '',
    '  .section .rodata, "a"',
    'phase_name:',
    `  .asciz "${LAYER_PHASE}"`,
    ...(raw ? [
      '  .balign 8',
      `weights:    @ ${plan.weightLayout} ${plan.weightShape?.join('x')}, int8`,
      ...byteLines(weights),
      '  .balign 8',
      `bias:    @ int32 x ${plan.outC}${kernel.foldedBias ? ': bias + input offset * sum of the channel\'s weights' : ''}`,
      ...wordLines(kernel.bias),
    ] : []),
    ...kernel.extraTables.flatMap((t) => ['  .balign 8', `${t.name}:    @ int32 x ${t.values.length}: ${t.comment}`, ...wordLines(t.values)]),
    ...(quant ? [
      '  .balign 8',
      `multipliers:    @ int32 x ${plan.outC}`,
      ...wordLines(plan.multipliers),
      '  .balign 8',
      `shifts:    @ int32 x ${plan.outC}`,
      ...wordLines(plan.shifts),
    ] : []),
    '',
    '  .section .input, "aw"',
    `input:    @ NHWC ${plan.inH}x${plan.inW}x${plan.inC}, int8`,
    ...byteLines(input),
    '',
  ];
  // the layout's constants: without the tables the kernel does not read
  const wBytes = plan.weightShape ? plan.weightShape.reduce((x, y) => x * y, 1) : 0;
  const dropped = (raw ? 0 : wBytes + 4 * plan.outC) + (quant ? 0 : 8 * plan.outC);
  const droppedAligned = (raw ? 0 : alignUp(wBytes, ARRAY_ALIGN) + alignUp(4 * plan.outC, ARRAY_ALIGN)) + (quant ? 0 : 2 * alignUp(4 * plan.outC, ARRAY_ALIGN));
  layout.weightBytes -= dropped;
  layout.constantBytes -= droppedAligned;
  return { plan, layout, kernel, text: src.join('\n'), kernelKind, fallbackReason, stackReserve };
}

/** Assemble text with our assembler; errors become a thrown Error with file:line:column messages. */
export function assembleOrThrow(text: string, base: number, sectionAddresses: Record<string, number>, fileName = 'layer.s', cpu = 'cortex-m3'): AsmResult {
  const a = assemble(text, { fileName, base, sectionAddresses, cpu });
  if (!a.ok) {
    const msgs = a.errors.slice(0, 20).map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}${e.sourceLine ? `\n    ${e.sourceLine.trim()}` : ''}`);
    throw new Error(`kernel generator bug: the generated assembly does not assemble (${a.errors.length} errors):\n${msgs.join('\n')}`);
  }
  return a;
}

/** Build and assemble the firmware of a layer. */
export function buildLayerImage(spec: LayerSpec | LayerPlan, data: KernelData, opts: { variant?: KernelVariant; board: Board } & LayerImageOptions): LayerImage {
  const variant = opts.variant ?? 'scalar';
  const { plan, layout, kernel, text, kernelKind, fallbackReason, stackReserve } = buildLayerSource(spec, data, variant, opts.board, { weights: opts.weights ?? 'int8' });
  const asm = assembleOrThrow(text, layout.imageBase, { '.text': layout.imageBase, '.input': layout.input.address }, 'layer.s',
    kernelKind === 'simd' ? 'cortex-m4' : 'cortex-m3');
  const sym = (n: string) => {
    const s = asm.symbols.find((x) => x.name === n);
    if (!s) throw new Error(`kernel generator bug: no symbol ${n}`);
    return s.value;
  };
  const kernelAddr = sym('kernel'), kernelEnd = sym('kernel_end');
  let flashEnd = layout.imageBase;
  for (const s of asm.sections) {
    if (s.kind === 'bss') continue;
    if (s.address >= layout.flash.base && s.address < layout.flash.base + layout.flash.size) flashEnd = Math.max(flashEnd, s.address + s.bytes.length);
  }
  const flashBytes = flashEnd - layout.imageBase;
  checkFits(layout, opts.board, flashBytes - layout.constantBytes);
  return {
    plan, layout, variant, text, asm, kernel, kernelKind, fallbackReason, stackReserve,
    symbols: { kernel: kernelAddr, kernelEnd, output: layout.output.address, done: sym('done') },
    codeBytes: kernelEnd - kernelAddr,
    flashBytes,
    // the tables in the image (buildLayerSource left the ones the kernel does not read out of layout.weightBytes), and
    // the constants the kernel keeps in literal pools inside its code (the unrolled simd schedule)
    weightBytes: layout.weightBytes + ((kernel as { inlineConstantBytes?: number }).inlineConstantBytes ?? 0) + kernel.extraTables.reduce((n, t) => n + 4 * t.values.length, 0),
  };
}
