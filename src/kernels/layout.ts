/**
 * Where a generated layer image puts everything (issue 5, point 2: "weights and multipliers in flash, activations
 * in SRAM; layouts documented").
 *
 * Flash (the board's flash region holding the boot address; on a board without flash, such as mps2-an386, the
 * code memory that holds the boot address), from its main-window address (bootImageAddress):
 *   vector table   16 words: initial SP (the top of the SRAM below), reset, and 14 fault vectors to a BKPT #1
 *   reset handler  MARK_NAME "layer", BL kernel, END, BKPT #0 (src/sys/simctl.ts: phase markers at 0xE00F0000)
 *   kernel         the generated function (AAPCS: saves r4-r11, lr), its literal pool
 *   .rodata        the phase name; then the constants, each array aligned to 8 bytes (so a kernel may read any of
 *                  them with LDRD):
 *                    weights      int8, OHWI [outC][kh][kw][inC] for conv2d / pointwise / fully connected,
 *                                 1HWC [1][kh][kw][inC * depthMultiplier] for depthwise (TFLite's layouts, as the
 *                                 reference src/nn/ops.ts reads them)
 *                    bias         int32 per output channel (zero when the spec has none). The pointwise / fully
 *                                 connected kernels store the bias with the input offset folded in:
 *                                 bias[oc] + inputOffset * sum(weights[oc]), wrapped to int32, which gives the same
 *                                 accumulator modulo 2^32 (and int32 accumulation wraps on the target and in the
 *                                 reference alike), as CMSIS-NN's kernel sums do; so do the direct kernels of
 *                                 layers without padding (every tap is inside the image)
 *                    bias_folded  (direct kernels of padded layers with an unrolled interior path only) int32 per
 *                                 output channel: the folded bias, read for the pixels whose taps are all inside
 *                                 the image, while `bias` (raw) serves the border pixels
 *                    multipliers  int32 per output channel (QuantizeMultiplier's M, src/nn/quant.ts)
 *                    shifts       int32 per output channel (QuantizeMultiplier's shift, in [-31, 30])
 *                  The DSP-SIMD kernels read their own reordered tables instead of `weights` and `bias` (left out):
 *                    simd_weights (simd.ts, compact pointwise), conv_weights (simd-conv.ts), dw_weights
 *                    (simd-dw.ts): records of int32 bias and requantisation parameters and the weights in the order
 *                    the kernel reads them (each file's header gives the record). The weights are stored
 *                    - int8 (the default, `weights: 'int8'`; simd8.ts): 4 a word, widened with SXTB16 / SXTB16 ROR #8
 *                      in the inner loop; a channel takes its weights (rounded up to whole words) and 12 bytes of
 *                      bias, M and T = 2^(R-1) + zp 2^R (R is T's trailing zeros + 1), 8 with one shift for all;
 *                    - or int16 (`weights: 'int16'`): widened at generation time, twice the bytes, plus the shift word
 *                      (and, for the depthwise kernel, a folded bias per pixel class).
 *                    The `multipliers` and `shifts` tables stay only when the kernel runs the general requantisation
 *                    (requant.ts reads them; SimdKernel.quantTables). The unrolled pointwise kernel (simd.ts,
 *                    'unrolled-OxP', int16 only) has no table: its constants are literal pools inside the kernel's
 *                    code (between its blocks, read PC-relative): per block of O channels 2 x bias, per half-group of
 *                    2 input channels one word per channel (int16 lanes [2 w(4g+h), 2 w(4g+h+2)]), M and
 *                    T = 2^(R-1) + zp 2^R per channel. weightBytes counts every table and pool word.
 *
 * SRAM (the board's main data SRAM, see `mainSram`), from its base:
 *   input    int8 NHWC [1][inH][inW][inC] at the base (aligned to 8: the region base)
 *   output   int8 NHWC [1][outH][outW][outC], right after the input, aligned to 8
 *   stack    at the top of the region, growing down (a scalar kernel pushes 9 registers and keeps a small frame)
 * The input is a data section placed at the SRAM base: the image loader writes every section at its address, so the
 * simulator loads the input straight into SRAM. There is no start-up copy from flash (real firmware would copy it,
 * or a previous layer would have written it there); the "layer" phase covers the kernel alone.
 *
 * Which SRAM: the largest 'ram' region that does not hold the boot image. On stm32f746g-disco that is SRAM1
 * (240 kB at 0x20010000) and on stm32h743 the AXI SRAM (512 kB at 0x24000000): the memories the benchmark programs
 * use (programs/bench/common/*.ld), not the DTCM, because the Cortex-M7 D-cache caches them (the default memory map
 * makes 0x20000000-0x3FFFFFFF write-back write-allocate) and never the TCM, so the cache model takes part, as it
 * does on a deployment whose tensor arena is bigger than the DTCM. On stm32f411re it is the one SRAM (128 kB at
 * 0x20000000), on mps2-an386 SSRAM2&3 (4 MB at 0x20000000; SSRAM1 at 0 holds the code).
 */
import type { Board, BoardRegion } from '../board/schema.js';
import { bootImageAddress } from '../board/machine.js';
import type { LayerPlan } from '../nn/spec.js';

/** Bytes reserved for the stack at the top of the SRAM (the scalar kernels use 36 bytes of pushes and a 32-byte frame). */
export const STACK_BYTES = 256;
/** Alignment of every constant array (LDRD-friendly). */
export const ARRAY_ALIGN = 8;

export const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** 1234567 -> "1,234,567" (deterministic, no locale) */
export function groupDigits(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${out}` : out;
}

/** The region holding an address (main window), or null. */
function regionAt(board: Board, a: number): BoardRegion | null {
  for (const r of board.regions) if (r.kind !== 'peripheral' && a >= r.base && a < r.base + r.size) return r;
  return null;
}

/** The memory the image (vectors, code, constants) goes in: the region holding the boot image. */
export function codeRegion(board: Board): BoardRegion {
  const r = regionAt(board, bootImageAddress(board));
  if (!r) throw new Error(`board ${board.name}: no memory at the boot address 0x${(board.bootAddress ?? 0).toString(16)}`);
  return r;
}

/** The SRAM the activations and the stack go in (see the file header). */
export function mainSram(board: Board): BoardRegion {
  const code = codeRegion(board);
  let best: BoardRegion | null = null;
  for (const r of board.regions) {
    if (r.kind !== 'ram' || r === code || !r.access.includes('w')) continue;
    if (!best || r.size > best.size) best = r;
  }
  if (!best) throw new Error(`board ${board.name}: no data SRAM (a writable 'ram' region apart from the code memory)`);
  return best;
}

/** Addresses and sizes of everything a layer image holds (the constants' addresses are the assembler's). */
export interface KernelLayout {
  flash: { name: string; base: number; size: number };
  sram: { name: string; base: number; size: number };
  /** where the vector table goes (main-window address of the boot image) */
  imageBase: number;
  input: { address: number; bytes: number };
  output: { address: number; bytes: number };
  /** initial SP: the top of the SRAM */
  stackTop: number;
  /** bytes of constants in flash: weights, bias, multipliers, shifts (with alignment padding) */
  constantBytes: number;
  /** weights + bias + multipliers + shifts, without padding (the image builder takes out the tables a kernel does not read) */
  weightBytes: number;
  /** SRAM the layer needs: input, output (with alignment) and STACK_BYTES */
  sramBytes: number;
}

/** The layout of a layer on a board (no fit check: see checkFits). */
export function layoutFor(plan: LayerPlan, board: Board): KernelLayout {
  const flash = codeRegion(board);
  const sram = mainSram(board);
  const inBytes = plan.inH * plan.inW * plan.inC;
  const outBytes = plan.outH * plan.outW * plan.outC;
  const wBytes = plan.weightShape ? plan.weightShape.reduce((a, b) => a * b, 1) : 0;
  const outAddr = alignUp(sram.base + inBytes, ARRAY_ALIGN);
  const constantBytes = alignUp(wBytes, ARRAY_ALIGN) + 3 * alignUp(4 * plan.outC, ARRAY_ALIGN);
  return {
    flash: { name: flash.name, base: flash.base, size: flash.size },
    sram: { name: sram.name, base: sram.base, size: sram.size },
    imageBase: bootImageAddress(board),
    input: { address: sram.base, bytes: inBytes },
    output: { address: outAddr, bytes: outBytes },
    stackTop: sram.base + sram.size,
    constantBytes,
    weightBytes: wBytes + 3 * 4 * plan.outC,
    sramBytes: outAddr - sram.base + outBytes + STACK_BYTES,
  };
}

/**
 * Throw when the layer cannot fit: its SRAM (input, output, stack) or its flash (constants, plus `codeBytes` of code
 * when known) exceed the board's regions. The message gives the numbers.
 */
export function checkFits(layout: KernelLayout, board: Board, codeBytes = 0): void {
  if (layout.sramBytes > layout.sram.size) {
    // the activations go in one SRAM region: say so when the board has more SRAM in others
    const ram = board.regions.filter((r) => r.kind === 'ram' || r.kind === 'tcm');
    const total = ram.reduce((n, r) => n + r.size, 0);
    const others = total > layout.sram.size ? `, ${groupDigits(total)} in all its RAM regions (${ram.map((r) => r.name).join(', ')}); the kernels place a layer's activations in one region` : '';
    throw new Error(
      `layer does not fit: needs ${groupDigits(layout.sramBytes)} bytes of SRAM for input (${groupDigits(layout.input.bytes)}), ` +
      `output (${groupDigits(layout.output.bytes)}) and stack (${STACK_BYTES}); ${board.name} has ${groupDigits(layout.sram.size)} (${layout.sram.name})${others}`,
    );
  }
  const flashUsed = layout.imageBase - layout.flash.base;
  const flashNeed = layout.constantBytes + codeBytes;
  const flashHas = layout.flash.size - flashUsed;
  if (flashNeed > flashHas) {
    throw new Error(
      `layer does not fit: needs ${groupDigits(flashNeed)} bytes of flash for weights, bias and multipliers ` +
      `(${groupDigits(layout.constantBytes)})${codeBytes ? ` and code (${groupDigits(codeBytes)})` : ''}; ` +
      `${board.name} has ${groupDigits(flashHas)} (${layout.flash.name})`,
    );
  }
}
