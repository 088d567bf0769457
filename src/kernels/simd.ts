/**
 * DSP-SIMD kernels (ARMv7E-M: SXTAB16, SADD16, SMLAD, SMMLAR, SMMULR, SSAT; the image is assembled for cortex-m4),
 * generated per layer: pointwise (1x1, stride 1, no padding) and fully connected (each of the h*w input pixels a
 * row) here; depthwise 3x3 in simd-dw.ts, every other conv2d in simd-conv.ts (im2col, reusing this file's compact
 * matrix kernel: recordLayout, packRecords, matrixBlock, channelLoop). A layer none of them runs takes the scalar
 * kernel: runKernel reports `kernel: 'scalar'` and `fallbackReason` (the message names the parameter).
 *
 * Weight storage (SimdOptions.weights). 'int8', the default: simd8.ts's compact kernel, the weights 4 a word in flash
 * and widened in the inner loop, any input channel count up to SIMD8_MAX_IN_CHANNELS (a looped reduction). 'int16':
 * this file's kernels below, the weights widened at generation time (twice the flash), up to SIMD_MAX_IN_CHANNELS
 * input channels; the unrolled schedule (the fastest on a Cortex-M4, 0.90 MAC/cycle for 96->24) is int16 only.
 * What follows describes the int16 kernels.
 *
 * Two schedules. The unrolled one (end of this file, 'unrolled-OxP': tiles of 2 channels x 4 pixels, weights as
 * literal constants in the code) runs the right-shift requantisation modes on a Cortex-M4 (image.ts); the compact
 * one (below, 'compact-2x2') every other mode, and the Cortex-M7 boards, whose L1 I-cache the unrolled code outgrows.
 *
 * Compact matrix kernel. Output pixels in pairs (the odd last pixel alone), output channels in pairs (the odd last
 * channel alone): a block of O x P (O, P in {1, 2}) int32 accumulators
 *   r3 = (oc, px), r4 = (oc+1, px), r6 = (oc, px+1), r7 = (oc+1, px+1).
 * 1. Per pixel pair, a widening pass puts the pair's inputs in a buffer on the stack as int16 lanes:
 *    SXTAB16(offset x 2 lanes, x) = [x0+off, x2+off] and SXTAB16(.., x ROR 8) = [x1+off, x3+off]
 *    (reference/int8-semantics.md, "How CMSIS-NN uses the DSP extension": that lane order 0,2 / 1,3, so no PKHBT),
 *    doubled by SADD16 in the fast requantisation modes (below). inC not a multiple of 4: the last word reads up to
 *    3 bytes past the pixel (the next pixel or the SRAM after the input), which meet zero weights. The pass costs
 *    about 6 cycles per 4 inputs per pixel, once for all the output channels.
 * 2. Per channel pair, the reduction is unrolled entirely (every register is in use: no loop counter), 4 input
 *    channels a step ("group"): LDR x 4 (the buffer, SP-relative), LDR w x 4 (flash), SMLAD x 8 = 16 MACs.
 *    On the M4 model: loads 2+1+1+1 (pipelined) + 2+1+1+1 (the first flash load after SRAM ones is in another
 *    512 MB block and does not pipeline) + 8 SMLAD = 18 cycles. Every instruction up to the last SMLAD is 32-bit
 *    and each block starts word-aligned (.balign 4), so no 32-bit load sits on an odd halfword (which would not
 *    pipeline, reference/cortex-m-timing.md). The channel-pair loop is unrolled twice (loop overhead 3 a block).
 *
 * Weights in flash, reordered at generation time into the order the kernel reads them and widened to int16 (twice
 * the bytes of int8 weights: the price of not widening them in the inner loop; weightBytes reports it): table
 * `simd_weights`, one record per block of O output channels (channel pairs 0-1, 2-3, ..., then the odd last one):
 *   int32 bias[O]          the bias (x 2 in the fast modes): the accumulators' start (the input offset is in the buffer)
 *   int32 params[O][k]     the channel's requantisation parameters (k words, RequantMode)
 *   int16 w[G][O][2][2]    group g (input channels 4g..4g+3, zero past inC), channel j: [w0, w2], [w1, w3]
 * so the kernel walks the whole table with one pointer (r2) and immediate offsets; no channel index is needed.
 * The raw `weights` and `bias` tables are left out of the image; `multipliers` and `shifts` stay (the general mode).
 *
 * Requantisation, bit-exact with src/nn/quant.ts (reference/int8-semantics.md). Double rounding with shifts all
 * <= -1 or all >= 0, when the generator proves |acc| * 2^(left+1) < 2^31 for every channel (|acc| <= |bias +
 * inputOffset * sum w| + 128 * sum |w|: weights and bias are constants here), takes a fast path on a = 2 acc:
 *   SRDHM(acc, M) = SMMULR(a, M) = (2 acc M + 2^31) >> 32, exactly (no overflow: |a| < 2^31)
 *   right shift R >= 1: SMMLAR(a, M, t) with t = 2^(R-1) - (acc < 0)  [ADD t, half, a, ASR #31]
 *                       = SRDHM + 2^(R-1) - (x < 0), then ASR R: RDBPOT's round half away from zero (the sign of
 *                       acc is the sign of SRDHM, or SRDHM = 0, which rounds to 0 either way)
 *   left shift L >= 0:  SMMULR(a << L, M)
 *   + output zero point (folded into t as zp * 2^R in 'right-zp' when it cannot overflow), SSAT #8, the activation
 *   clamp, STRB: 5 cycles an output in 'right-zp' and 'right-uniform' (4 in the unrolled kernel: SSAT shifts).
 * Otherwise (single rounding, mixed-sign shifts, accumulators that could overflow) the accumulator is not doubled,
 * the record holds the channel index, and requant.ts's general code runs.
 *
 * Throughput (the M4 model, zero wait states, mps2-an386; MobileNetV2's layers at 56x56, seed 1): the unrolled 2 x 4
 * kernel 16->96 0.748 MAC/cycle, 96->24 0.901 (the unrolled 4 x 2 kernel before it: 0.681, 0.875; the compact
 * kernel: 0.580, 0.759). A 2 x 4 block is 16 cycles per half-group (8 SMLAD, 4 + 2 loads in two bursts), 4 cycles
 * an output to requantise, and per block 2 (bias) + 6 (output pointer, M, T) + ~1 (its share of a pool branch).
 * 96->24: 48 half-groups x 16 / 8 = 96 cycles an output + 4 + 1.1 + the widening (31 cycles per 6 input words:
 * 124 a pixel over 24 outputs, 5.2) = ~106.5 cycles for 96 MACs: 0.90.
 * Why 16->96 cannot reach 0.9 with SMLAD on this model: an output of 16 MACs needs 8 SMLAD (8 cycles). Each SMLAD
 * reads an input word and a weight word; with 14 registers a tile of O channels x P pixels holds O P accumulators and
 * O + P operands (O P + O + P <= 14), so at best 8 SMLAD per 6 loaded words (2 x 4 or 4 x 2), and the inputs (SRAM)
 * and the weights (flash) are two bursts (loads pipeline only within one 512 MB block): 2+1+1+1 + 2+1 = 8 load
 * cycles per 8 SMLAD, 16 cycles per output. Requantising an output takes >= 4 (the sign term of the rounding, SMMLAR,
 * SSAT with the shift, STRB). 20 cycles for 16 MACs: 0.80 at most (0.84 with every operand in one memory), before the
 * bias, the parameter loads and the widening; 0.9 needs <= 17.8. Measured 0.748 (21.4 cycles an output).
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, movSmall, Asm } from './asm.js';
import { requantAsm, uniformShift } from './requant.js';
import { isPointwise, type ScalarKernel } from './scalar.js';
import { compactKernel8, SIMD8_MAX_IN_CHANNELS, type SimdCore, type WeightFormat } from './simd8.js';

/** Largest input channel count the fully unrolled reduction of the int16 compact kernel takes (the loads' offsets and the code size). */
export const SIMD_MAX_IN_CHANNELS = 256;

/** A generated DSP-SIMD kernel: as ScalarKernel, and the raw weights table is not read (its flash can be left out). */
export interface SimdKernel extends ScalarKernel {
  omitRawWeights: true;
  /** bytes of stack the kernel uses: 9 pushed registers and its frame (the widened input buffer is in it) */
  stackBytes: number;
  requantMode: RequantMode;
  /**
   * 'unrolled-OxP' (the fast path: tiles of O channels x P pixels, e.g. 'unrolled-2x4', weights in literal pools
   * inside the code) or 'compact-2x2' (a loop over channel pairs, weights in the `simd_weights` table)
   */
  schedule?: `unrolled-${number}x${number}` | 'compact-2x2';
  /** bytes of constants (weights, bias, requantisation parameters) inside the code (codeBytes counts them too) */
  inlineConstantBytes?: number;
  /** how the weights are stored in flash: int8 (4 a word, widened in the inner loop; simd8.ts) or int16 pairs */
  weightFormat: WeightFormat;
  /** the kernel reads the `multipliers` and `shifts` tables (the general requantisation); else they are left out */
  quantTables: boolean;
}

/** Options of the simd kernels' generators. */
export interface SimdOptions {
  /** the pointwise schedule (int16 weights only): 'auto' (unrolled where it applies) or 'compact-2x2' */
  schedule?: 'auto' | 'compact-2x2';
  /** weight storage: 'int8' (default: 4 a word in flash, widened at run time) or 'int16' (widened at generation time) */
  weights?: WeightFormat;
  /** the core the int8 kernels' instruction order is tuned for (default 'cortex-m4'; any order runs anywhere) */
  core?: SimdCore;
}

/**
 * How the kernel requantises (see the file header): 'right-uniform' / 'right' (every shift <= -1, one for all or
 * per channel), 'left-uniform' / 'left' (every shift >= 0), 'general' (requant.ts).
 */
export type RequantMode = 'right-uniform' | 'right' | 'right-zp' | 'left-uniform' | 'left' | 'general';

/** Why the simd variant does not run a layer with weights stored as `weights` (null: it does). */
export function simdSupport(plan: LayerPlan, weights: WeightFormat = 'int8'): string | null {
  if (!isPointwise(plan)) return `kind: the simd kernels run pointwise (1x1, no padding) and fully connected layers, not this ${plan.kind} layer`;
  if (plan.kind !== 'fully_connected' && (plan.sh !== 1 || plan.sw !== 1)) return `stride: the simd pointwise kernel runs stride 1, not ${plan.sh}x${plan.sw}`;
  if (weights === 'int16' && plan.inC > SIMD_MAX_IN_CHANNELS) return `input.c: the simd pointwise kernel with int16 weights unrolls up to ${SIMD_MAX_IN_CHANNELS} input channels, not ${plan.inC}`;
  if (plan.inC > SIMD8_MAX_IN_CHANNELS) return `input.c: the simd pointwise kernel takes up to ${SIMD8_MAX_IN_CHANNELS} input channels, not ${plan.inC}`;
  if (plan.outC + 1 > 4095) return `outChannels: the simd pointwise kernel stores at immediate offsets up to 4095, ${plan.outC} channels are too many`;
  return null;
}

/**
 * The requantisation mode of a layer (file header). The fast modes need |2 acc| * 2^left < 2^31:
 * |acc| <= |bias + inputOffset * sum w| + 128 * sum |w| for every channel (weights and bias are constants here).
 */
export function requantMode(plan: LayerPlan, weights: Int8Array): RequantMode {
  if (plan.rounding !== 'double') return 'general';
  const shifts = Array.from(plan.shifts);
  const right = shifts.every((s) => s <= -1), left = shifts.every((s) => s >= 0);
  if (!right && !left) return 'general';
  const n = plan.inC;
  for (let oc = 0; oc < plan.outC; oc++) {
    let s = 0, sa = 0;
    for (let i = 0; i < n; i++) { const w = weights[oc * n + i]!; s += w; sa += Math.abs(w); }
    const maxAbs = Math.abs((plan.bias ? plan.bias[oc]! : 0) + plan.inputOffset * s) + 128 * sa;
    const l = Math.max(shifts[oc]!, 0);
    if (maxAbs * 2 ** (l + 1) >= 2 ** 31) return 'general';
  }
  const uniform = uniformShift(plan) !== null;
  if (right && !uniform && zpFoldable(plan, weights)) return 'right-zp';
  return right ? (uniform ? 'right-uniform' : 'right') : (uniform ? 'left-uniform' : 'left');
}

/** |acc| bound of every channel: |bias + inputOffset * sum w| + 128 * sum |w| */
function accBounds(plan: LayerPlan, weights: Int8Array): number[] {
  const n = plan.inC, out: number[] = [];
  for (let oc = 0; oc < plan.outC; oc++) {
    let s = 0, sa = 0;
    for (let i = 0; i < n; i++) { const w = weights[oc * n + i]!; s += w; sa += Math.abs(w); }
    out.push(Math.abs((plan.bias ? plan.bias[oc]! : 0) + plan.inputOffset * s) + 128 * sa);
  }
  return out;
}

/**
 * Can the output zero point join the rounding term ('right-zp')? (x + 2^(R-1) - c) >> R + zp =
 * (x + 2^(R-1) + zp * 2^R - c) >> R exactly (a multiple of 2^R added before the floor), when the sum cannot
 * overflow: |SRDHM| <= |acc| bound, so bound + 2^(R-1) + |zp| * 2^R + 1 < 2^31 for every channel.
 */
export function zpFoldable(plan: LayerPlan, weights: Int8Array): boolean {
  const b = accBounds(plan, weights);
  return b.every((m, oc) => { const R = -plan.shifts[oc]!; return m + 2 ** (R - 1) + Math.abs(plan.outputOffset) * 2 ** R + 1 < 2 ** 31; });
}

/** Words of requantisation parameters per channel in a record. */
export const paramWords = (mode: RequantMode): number => ({ 'right-uniform': 1, right: 3, 'right-zp': 3, 'left-uniform': 1, left: 2, general: 1 })[mode];

/** A channel's requantisation parameter words in its record (file header). Shared with simd-conv.ts. */
export function channelParams(plan: LayerPlan, mode: RequantMode, oc: number): number[] {
  const M = plan.multipliers[oc]!, s = plan.shifts[oc]!;
  switch (mode) {
    case 'right-uniform': case 'left-uniform': return [M];
    case 'right': return [M, 2 ** (-s - 1), -s];
    case 'right-zp': return [M, 2 ** (-s - 1) + plan.outputOffset * 2 ** -s, -s];
    case 'left': return [M, s];
    case 'general': return [oc];
  }
}

/**
 * The record layout of a block of O channels with k parameter words a channel, over G groups of 4 reduction values
 * (the compact matrix kernel's: simd.ts pointwise, simd-conv.ts im2col).
 */
export function recordLayout(G: number, O: number, k: number) {
  const wBase = 4 * O * (1 + k);
  return {
    G, O,
    bias: (j: number) => 4 * j,
    param: (j: number, i: number) => 4 * O + 4 * (j * k + i),
    /** word h (0: lanes [w0, w2], 1: [w1, w3]) of group g, channel j */
    w: (g: number, j: number, h: number) => wBase + 8 * (g * O + j) + 4 * h,
    size: wBase + 8 * G * O,
  };
}
export type RecordLayout = ReturnType<typeof recordLayout>;

/** Is the accumulator doubled (inputs and bias x 2, for the fast requantisation's SMMULR / SMMLAR)? */
export const doubled = (mode: RequantMode) => mode !== 'general';

/**
 * The records of every output channel (pairs 0-1, 2-3, ..., then the odd last one) as little-endian int32 words:
 * bias x `x2`, the channel's parameter words, the int16 weight pairs of G groups; `w(oc, r)` is the weight of
 * reduction value r of channel oc (x `x2` too). Shared with simd-conv.ts.
 */
export function packRecords(outC: number, G: number, params: (oc: number) => number[], k: number, x2: number,
  bias: (oc: number) => number, w: (oc: number, r: number) => number): Int32Array {
  const blocks: [number, number][] = [];
  for (let oc = 0; oc + 1 < outC; oc += 2) blocks.push([oc, 2]);
  if (outC % 2) blocks.push([outC - 1, 1]);
  const total = blocks.reduce((n, [, O]) => n + recordLayout(G, O, k).size, 0);
  const dv = new DataView(new ArrayBuffer(total));
  let at = 0;
  for (const [c0, O] of blocks) {
    const L = recordLayout(G, O, k);
    for (let j = 0; j < O; j++) {
      const oc = c0 + j;
      dv.setInt32(at + L.bias(j), Math.imul(bias(oc), x2), true);
      params(oc).forEach((v, i) => dv.setInt32(at + L.param(j, i), v | 0, true));
      for (let g = 0; g < G; g++) {
        for (let h = 0; h < 2; h++) {
          dv.setInt16(at + L.w(g, j, h), x2 * w(oc, 4 * g + h), true);
          dv.setInt16(at + L.w(g, j, h) + 2, x2 * w(oc, 4 * g + h + 2), true);
        }
      }
    }
    at += L.size;
  }
  return new Int32Array(dv.buffer);
}

/** The reordered weight stream (file header) as little-endian int32 words. */
export function simdWeightStream(plan: LayerPlan, weights: Int8Array, mode: RequantMode): Int32Array {
  const { inC } = plan;
  // the pointwise kernel doubles the inputs (SADD16), not the weights
  return packRecords(plan.outC, Math.ceil(inC / 4), (oc) => channelParams(plan, mode, oc), paramWords(mode), 1,
    (oc) => (plan.bias ? plan.bias[oc]! : 0) * (doubled(mode) ? 2 : 1), (oc, i) => (i < inC ? weights[oc * inC + i]! : 0));
}


/** accumulator of (channel j, pixel p) (the compact 2x2 schedule, shared with simd-conv.ts) */
export const ACC = [['r3', 'r6'], ['r4', 'r7']] as const;
/** widened input words of pixel p, half h; weight words of channel j, half h */
export const XR = [['r8', 'r9'], ['r10', 'r11']] as const, WR = [['r12', 'lr'], ['r1', 'r5']] as const;
/**
 * A block's outputs through requant.ts's general code (any shift, either rounding): the channel index from the
 * block's record (at `paramOff(j)` from r2), then each accumulator, stored by `store`.
 */
export function generalRequant(a: Asm, plan: LayerPlan, paramOff: (j: number) => number, js: readonly number[], ps: readonly number[],
  id: string | number, store: (acc: string, j: number, p: number) => void): void {
  for (const j of js) {
    a.i(`ldr lr, [r2, #${paramOff(j)}]    @ channel index`);
    for (const p of ps) {
      const acc = ACC[j]![p]!;
      a.lines.push(...requantAsm(plan, { acc, ch: 'lr', t: ['r1', 'r8', 'r9', 'r10', 'r11', 'r12'], label: `rq_${id}_${j}_${p}` }));
      store(acc, j, p);
    }
  }
}

/** registers the requantisation parameters are loaded into (all free once the MACs are done) */
const PREG = ['r8', 'r9', 'r10', 'r11', 'r12', 'lr'] as const;
/** stack frame: [sp] pixel pairs left, #4 the input pointer, #8 simd_weights, #12 the end of the pairs' records; then the buffer */
const FR = { PAIRS: 0, XPTR: 4, WSTART: 8, WPAIRS_END: 12, BUF: 16 } as const;
/** offset from sp of word h of group g of pixel p in the widened input buffer */
const bufOff = (G: number, p: number, g: number, h: number) => FR.BUF + 8 * (p * G + g) + 4 * h;

/**
 * One block of the compact matrix kernel (simd.ts pointwise and simd-conv.ts im2col): O = L.O output channels x P
 * pixels, r2 at its record (layout L), r0 at (pixel, channel) of the output, the widened inputs at `buf(p, g, h)`
 * from sp. Per group: LDR x 4 (inputs), LDR x 4 (weights), SMLAD x 8; then the requantisation of `mode`, r2 and r0
 * stepped to the next block. `strb`: the stores' encoding (the assembler's choice, or 32-bit: the code after them, and
 * so the next loads' alignment, moves with it; each caller keeps the one measured best for it, the pointwise kernel
 * 'strb', the im2col kernel 'strb.w').
 */
export function matrixBlock(a: Asm, plan: LayerPlan, mode: RequantMode, L: RecordLayout, P: 1 | 2,
  buf: (p: number, g: number, h: number) => number, id: string, strb: 'strb' | 'strb.w' = 'strb'): void {
  const { outC } = plan;
  const O = L.O, k = paramWords(mode);
  const js = O === 2 ? [0, 1] : [0], ps = P === 2 ? [0, 1] : [0];
  a.c(`block ${O} channel(s) x ${P} pixel(s): accumulators = bias${doubled(mode) ? ' x 2' : ''}`);
  // every instruction up to the last SMLAD is 32-bit (.w) and the block starts word-aligned: so is every load
  // (a 32-bit load on an odd halfword does not pipeline on the M4, reference/cortex-m-timing.md)
  for (const j of js) a.i(`ldr.w ${ACC[j]![0]}, [r2, #${L.bias(j)}]`);
  if (P === 2) for (const j of js) a.i(`mov.w ${ACC[j]![1]}, ${ACC[j]![0]}`);
  for (let g = 0; g < L.G; g++) {
    a.c(`reduction values ${4 * g}..${4 * g + 3}: ${4 * O * P} MACs (the loads grouped: they pipeline)`);
    for (const p of ps) for (const h of [0, 1]) a.i(`ldr.w ${XR[p]![h]}, [sp, #${buf(p, g, h)}]`);
    for (const j of js) for (const h of [0, 1]) a.i(`ldr.w ${WR[j]![h]}, [r2, #${L.w(g, j, h)}]`);
    for (const h of [0, 1]) for (const j of js) for (const p of ps) a.i(`smlad ${ACC[j]![p]}, ${XR[p]![h]}, ${WR[j]![h]}, ${ACC[j]![p]}`);
  }

  // requantisation
  const zp = plan.outputOffset;
  const us = uniformShift(plan);
  // 'right-zp' with one shift for every channel (the im2col kernel's; the pointwise kernel takes 'right-uniform'
  // then): the shift is SSAT's immediate and the shift word is not loaded
  const ssatShift = mode === 'right-zp' && us !== null;
  const store = (acc: string, j: number, p: number) => a.i(`${strb} ${acc}, [r0, #${p * outC + j}]`);
  const clampAndStore = (acc: string, j: number, p: number) => {
    a.i(`ssat ${acc}, #8, ${acc}${ssatShift ? `, asr #${-us!}    @ >> R (the output zero point came in with 2^(R-1) + zp * 2^R)` : ''}`);
    if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, 'r12'), 'it lt', movSmall(acc, plan.actMin, 'lt'));
    if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, 'r12'), 'it gt', movSmall(acc, plan.actMax, 'gt'));
    store(acc, j, p);
  };
  if (mode === 'general') {
    generalRequant(a, plan, (j) => L.param(j, 0), js, ps, id, store);
  } else {
    a.c(`requantise (${mode}): the parameters of the block's channels`);
    const preg = (j: number, i: number) => PREG[j * k + i]!;
    for (const j of js) for (let i = 0; i < (ssatShift ? 2 : k); i++) a.i(`ldr ${preg(j, i)}, [r2, #${L.param(j, i)}]`);
    const s0 = plan.shifts[0]!;
    if (mode === 'right-uniform') {
      a.i(...movImm('r1', 2 ** (-s0 - 1)).map((l) => `${l}    @ 2^(R-1)`));
      if (zp !== 0) a.i(...movImm('r5', zp).map((l) => `${l}    @ output zero point`));
    }
    for (const j of js) {
      for (const p of ps) {
        const acc = ACC[j]![p]!;
        a.c(`channel +${j}, pixel +${p}: ${acc} holds 2 x the accumulator`);
        if (mode === 'right-uniform' || mode === 'right' || mode === 'right-zp') {
          const half = mode === 'right-uniform' ? 'r1' : preg(j, 1);
          // the scratch: r12 is free once the channel's parameters are in (r12 is a parameter only of channel 1's
          // third word in 'right' mode, PREG[5] = lr; PREG[4] = r12 is channel 1's half): use r1 / r5 then
          const t = mode === 'right-uniform' ? 'r12' : 'r5';
          a.i(`add.w ${t}, ${half}, ${acc}, asr #31    @ 2^(R-1) - (acc < 0)`);
          a.i(`smmlar ${acc}, ${acc}, ${preg(j, 0)}, ${t}    @ (2acc * M + 2^31) >> 32 = SRDHM(acc, M); + 2^(R-1) - (acc < 0)`);
          if (mode === 'right-uniform') {
            const R = -s0;
            a.i(zp !== 0 ? `add.w ${acc}, r5, ${acc}, asr #${R}    @ >> ${R}, + output zero point` : `asr ${acc}, ${acc}, #${R}`);
          } else if (ssatShift) {
            // SSAT shifts
          } else if (mode === 'right') {
            a.i(`asr.w ${acc}, ${acc}, ${preg(j, 2)}    @ >> R`, ...addImm(acc, acc, zp, 'r1'));
          } else {
            a.i(`asr.w ${acc}, ${acc}, ${preg(j, 2)}    @ >> R (the output zero point came in with 2^(R-1) + zp * 2^R)`);
          }
        } else {
          if (mode === 'left-uniform') { if (s0 > 0) a.i(`lsl ${acc}, ${acc}, #${s0}`); }
          else a.i(`lsl.w ${acc}, ${acc}, ${preg(j, 1)}    @ << left`);
          a.i(`smmulr ${acc}, ${acc}, ${preg(j, 0)}    @ (2acc << left) * M + 2^31 >> 32 = SRDHM(acc << left, M)`, ...addImm(acc, acc, zp, 'r1'));
        }
        clampAndStore(acc, j, p);
      }
    }
  }
  a.i(...addImm('r2', 'r2', L.size, 'r1').map((l) => `${l}    @ next record`));
  a.i(`add r0, r0, #${O}`);
  if (mode === 'general') {
    // requant.ts loads its tables' addresses from a literal pool: keep one within LDR's reach of every block
    a.i(`b ${id}_pool_end`, '.ltorg');
    a.label(`${id}_pool_end`);
  }
}

/**
 * The compact kernel's walk over the output channels for one set of P pixels, r2 at the first record: the odd pair
 * of an odd count of pairs first, then a loop of two pairs a pass (until r2 reaches the end of the pairs' records,
 * held at [sp, #pairsEnd]), then the odd last channel. `block(O, id)` emits one block (matrixBlock).
 */
export function channelLoop(a: Asm, outC: number, pairsEnd: number, id: string, block: (O: 1 | 2, id: string) => void, twice = true): void {
  const np = Math.floor(outC / 2);
  if (twice && np % 2) {
    a.c('an odd count of channel pairs: the first pair before the loop');
    a.i('.balign 4');
    block(2, `${id}2a`);
  }
  if (!twice && np >= 1) {
    a.i('.balign 4');
    a.label(`${id}_oc_loop`, `output channel pairs: ${np}, one a pass`);
    block(2, `${id}2b`);
    a.i(`ldr r1, [sp, #${pairsEnd}]`, 'cmp r2, r1', `bne ${id}_oc_loop`);
  } else if (np >= 2) {
    a.i('.balign 4');
    a.label(`${id}_oc_loop`, `output channel pairs: ${np - (np % 2)}, two a pass`);
    block(2, `${id}2b`);
    a.i('.balign 4');
    block(2, `${id}2c`);
    a.i(`ldr r1, [sp, #${pairsEnd}]`, 'cmp r2, r1', `bne ${id}_oc_loop`);
  }
  if (outC % 2) { a.c('the odd last output channel'); a.i('.balign 4'); block(1, `${id}1`); }
}

/** The widening pass of P pixels: input (r5) -> the stack buffer, int16 lanes [x0, x2], [x1, x3] (+ offset, x 2). */
function widen(a: Asm, plan: LayerPlan, mode: RequantMode, P: 1 | 2): void {
  const G = Math.ceil(plan.inC / 4);
  a.c(`widen ${P} pixel(s) into the buffer: SXTAB16 with the input offset in both lanes (r1)${doubled(mode) ? ', SADD16 doubles' : ''}`);
  for (let p = 0; p < P; p++) {
    for (let g = 0; g < G; g++) {
      a.i(`ldr r8, [r5, #${p * plan.inC + 4 * g}]${4 * g + 4 > plan.inC ? '    @ the bytes past the pixel meet zero weights' : ''}`);
      a.i('sxtab16 r9, r1, r8    @ [x0, x2] + offset', 'sxtab16 r10, r1, r8, ror #8    @ [x1, x3] + offset');
      if (doubled(mode)) a.i('sadd16 r9, r9, r9', 'sadd16 r10, r10, r10');
      a.i(`str r9, [sp, #${bufOff(G, p, g, 0)}]`, `str r10, [sp, #${bufOff(G, p, g, 1)}]`);
    }
  }
}

/** The pointwise / fully connected DSP-SIMD kernel of a layer (throws naming the parameter when unsupported). */
export function simdKernel(plan: LayerPlan, weights: Int8Array, opts: SimdOptions = {}): SimdKernel {
  const fmt = opts.weights ?? 'int8';
  const why = simdSupport(plan, fmt);
  if (why) throw new Error(why);
  const { inC, outC } = plan;
  const mode = requantMode(plan, weights);
  if (fmt === 'int8') return compactKernel8(plan, weights, mode, opts.core);
  if (opts.schedule !== 'compact-2x2' && unrolledSupport(plan, weights, mode) === null) return unrolledKernel(plan, weights, mode);
  const stream = simdWeightStream(plan, weights, mode);
  const k = paramWords(mode);
  const G = Math.ceil(inC / 4);
  const L2 = recordLayout(G, 2, k), L1 = recordLayout(G, 1, k);
  const pairBytes = Math.floor(outC / 2) * L2.size;
  const npx = plan.outH * plan.outW;
  const pairs = Math.floor(npx / 2);
  const frame = FR.BUF + 16 * G;
  const off = plan.inputOffset & 0xffff;
  const a = new Asm();
  a.c(`${plan.kind === 'fully_connected' ? 'fully connected' : 'pointwise 1x1'} DSP-SIMD: ${npx} pixels x ${inC} -> ${outC} channels; ` +
    `blocks of 2 channels x 2 pixels; requantisation ${mode}`);
  a.c(`frame: [sp] pixel pairs left, [sp, #4] input pointer, [sp, #8] simd_weights, [sp, #12] end of the channel pairs' records, [sp, #16] widened input, ${16 * G} bytes`);
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r1', frame), 'sub sp, sp, r1']));
  a.i('ldr r0, =output', 'ldr r5, =input', 'ldr r1, =simd_weights', `str r1, [sp, #${FR.WSTART}]`);
  a.i(...addImm('r1', 'r1', pairBytes, 'r2'), `str r1, [sp, #${FR.WPAIRS_END}]`);
  a.i('b kernel_body', '.ltorg    @ the start-up literals, within reach whatever the size of the code');
  a.label('kernel_body');
  const channels = (P: 1 | 2, id: string) => {
    a.i(...movImm('r1', (off | (off << 16)) | 0).map((l) => `${l}    @ input offset ${plan.inputOffset} in both lanes`));
    widen(a, plan, mode, P);
    a.i(`str r5, [sp, #${FR.XPTR}]`, `ldr r2, [sp, #${FR.WSTART}]    @ simd_weights: the records, in order through all output channels`);
    channelLoop(a, outC, FR.WPAIRS_END, id, (O, bid) => matrixBlock(a, plan, mode, O === 2 ? L2 : L1, P, (p, g, h) => bufOff(G, p, g, h), bid));
    a.i(`ldr r5, [sp, #${FR.XPTR}]`);
  };
  if (pairs) {
    a.i(...movImm('r1', pairs), `str r1, [sp, #${FR.PAIRS}]`);
    a.label('pair_loop', `pixel pairs: ${pairs}`);
    channels(2, 'pp');
    a.c('next pixel pair (r0 is at the second pixel\'s output)');
    a.i(...addImm('r0', 'r0', outC, 'r1'), ...addImm('r5', 'r5', 2 * inC, 'r1'));
    a.i(`ldr r1, [sp, #${FR.PAIRS}]`, 'subs r1, r1, #1', `str r1, [sp, #${FR.PAIRS}]`, 'bne pair_loop');
  }
  if (npx % 2) { a.c('the odd last pixel'); channels(1, 'px'); }
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r1', frame), 'add sp, sp, r1']), 'pop {r4-r11, pc}');
  const lines = ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...a.lines, '  .ltorg', 'kernel_end:'];
  return {
    lines, bias: Int32Array.from(plan.bias ?? new Int32Array(outC)), foldedBias: false, path: 'pointwise', omitRawWeights: true, requantMode: mode,
    stackBytes: 36 + frame, schedule: 'compact-2x2', inlineConstantBytes: 0, weightFormat: 'int16', quantTables: mode === 'general',
    extraTables: [{ name: 'simd_weights', comment: 'records per output channel pair: bias, requantisation parameters, int16 weight pairs by groups of 4 input channels (simd.ts)', values: stream }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The unrolled kernel (schedule 'unrolled-OxP'), the fast path of the right-shift modes on a Cortex-M4 whose code
// memory has no wait states.
//
// Tiles of O output channels x P pixels (unrolledTile: 2 x 4 when the layer has 4 pixels or more; 2 x 3, 4 x 2,
// 6 x 1 for 3, 2, 1 pixels): O x P accumulators, P widened input words, O weight words: at most 14 registers, no
// pointer. The whole output-channel loop is unrolled and the weights are constants in literal pools between the
// blocks' code, read PC-relative (LDR.W Rt, label). One half-group (2 input channels) is one load burst,
// x0..x(P-1) (SRAM, SP-relative) then w0..w(O-1) (flash, PC-relative), then O x P SMLAD:
//   M4 model, 2 x 4: 2+1+1+1 (SRAM) + 2+1 (the first flash load follows an SRAM one in another 512 MB block: no
//   pipelining) + 8 SMLAD = 16 cycles for 16 MACs: 1 MAC/cycle; every reduction instruction is 32-bit and the code
//   stays word-aligned, so no load sits on an odd halfword. (With 14 registers no tile reads fewer words per SMLAD:
//   O x P + O + P <= 14 gives at best 6 words for 8 SMLAD, and the two memories cost one burst start each.)
// The first half-group loads the bias (2 x bias) into the accumulators of pixel 0 in the same flash burst and SMLADs
// it into the other pixels' accumulators (SMLAD Ra = the pixel-0 accumulator): no MOVs.
// Half-groups whose lanes are all past inC (inC % 4 = 1: the last group's odd half) are left out.
// Weights doubled (int16 2w: the accumulator is 2 acc, as SMMLAR wants), so the widening is SXTAB16 alone.
//
// Widening, once a pass for the P pixels: LDM of up to 6 input words (when inC % 4 = 0 the P pixels' inputs are one
// contiguous run; else LDR.W bursts at the pixels' offsets), SXTAB16 x 2 and STR x 2 a word: 31 cycles per 6 words.
// Buffer word (half-group hg, pixel p) at sp + 16 + 4 (hg P + p).
//
// Requantisation per block: the output pointer (frame) and the channels' M and T = 2^(R-1) + zp 2^R (literal pool;
// channels that share T load it once: the blocks take the channels in order of T, so the two channels of a 2 x 4
// block mostly share it) into the registers the reduction frees; then per output
//   ADD t, T, acc, ASR #31; SMMLAR acc, acc, M, t; SSAT acc, #8, acc, ASR #R; [clamps]; STRB: 4 cycles.
//
// Literal pools: each block's constants (2 x bias, weight words, M, T) go in a pool shared by a run of consecutive
// blocks and placed between two of them (loads before it read forwards, after it backwards), so every load is within
// LDR's 4095 bytes and a pass branches over as few pools as possible (2 cycles each); the last run's pool sits after
// the pass loop's closing branch (free). Blocks longer than a pool's reach are split into segments.
// Odd counts reuse the tile: the last block of channels takes channels of the first block again, and the last pass
// of pixels starts at npx - P (both recompute, and rewrite with the same values, a few outputs).
// Taken when every shift is in [-31, -1], double rounding, the zero point folds (zpFoldable), a tile fits, P outC <=
// 4096 (STRB offsets), and the code fits UNROLLED_MAX_CODE_BYTES; else the compact kernel runs.
// ---------------------------------------------------------------------------------------------------------------

/** Largest code (with its inline weight pools) the unrolled kernel may take; larger layers run the compact kernel. */
export const UNROLLED_MAX_CODE_BYTES = 96 * 1024;
/** Reach of a PC-relative LDR (4095) less a margin for alignment. */
const POOL_REACH = 4000;
/** Bytes of reduction code in one segment of a block at most (a segment and its pool words must fit the reach). */
const SEGMENT_BYTES = 1800;

/** The tile of the unrolled kernel: O output channels x P pixels (null: no tile fits the layer). */
export function unrolledTile(plan: LayerPlan): { O: number; P: number } | null {
  const npx = plan.outH * plan.outW;
  const P = Math.min(4, npx);
  const O = Math.min(P >= 3 ? 2 : P === 2 ? 4 : 6, plan.outC);
  // the requantisation needs the output pointer, a scratch register, M and T in the O + P registers the reduction frees
  return O + P >= 4 ? { O, P } : null;
}

/** The half-groups (2 input channels: hg = 2 g + h, lanes 4g+h and 4g+h+2) with a lane below inC. */
const liveHalves = (inC: number): number[] => Array.from({ length: 2 * Math.ceil(inC / 4) }, (_, hg) => hg).filter((hg) => 4 * (hg >> 1) + (hg & 1) < inC);

/** The code bytes of the unrolled kernel (an upper-bound estimate, for the choice; the assembler has the real size). */
export function unrolledCodeEstimate(plan: LayerPlan): number {
  const t = unrolledTile(plan) ?? { O: 2, P: 2 };
  const { O, P } = t;
  const halves = liveHalves(plan.inC).length;
  const blocks = Math.ceil(plan.outC / O);
  const clamps = (plan.actMin > -128 ? 1 : 0) + (plan.actMax < 127 ? 1 : 0);
  // per half-group P + O + O P instructions and O pool words; per block bias, requantisation, M and T, a branch
  const perBlock = halves * (4 * (P + O + O * P) + 4 * O) + 12 * O + O * P * (16 + 12 * clamps) + 4 * (1 + 2 * O) + 8 * O + 12;
  return blocks * perBlock + 24 * P * Math.ceil(plan.inC / 4) + 400;
}

/** Why the unrolled kernel does not run a layer the simd variant runs (null: it does). */
export function unrolledSupport(plan: LayerPlan, weights: Int8Array, mode: RequantMode = requantMode(plan, weights)): string | null {
  if (mode !== 'right-uniform' && mode !== 'right-zp') return `requantisation ${mode}`;
  if (!zpFoldable(plan, weights)) return 'the output zero point does not fold into the rounding term';
  if (Array.from(plan.shifts).some((s) => s < -31)) return 'a shift below -31';
  const t = unrolledTile(plan);
  if (!t) return `no tile for ${plan.outH * plan.outW} pixel(s) x ${plan.outC} channel(s)`;
  if (t.P * plan.outC > 4096) return `more than ${Math.floor(4096 / t.P)} output channels`;
  if (unrolledCodeEstimate(plan) > UNROLLED_MAX_CODE_BYTES) return `code over ${UNROLLED_MAX_CODE_BYTES} bytes`;
  return null;
}

/** frame: [sp] passes left, #4 the input pointer, #8 the output pointer, #16 the widened inputs of the pass */
const UFR = { PASSES: 0, XPTR: 4, OUT: 8, BUF: 16 } as const;
/** registers of a tile: the accumulators first, then the inputs, then the weights */
const UREGS = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'lr', 'r0'] as const;

/** A run of code with the literal-pool words its loads read. */
interface Unit { lines: string[]; bytes: number; pool: { label: string; value: number; comment?: string }[] }

/** Upper bound of the bytes of generated lines: 4 a line that is an instruction (IT, 16-bit forms: fewer), 2 for .balign. */
function codeBytes(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) {
    const t = l.trim();
    if (t === '' || t.startsWith('@') || /^[\w.]+:/.test(t)) continue;
    n += t.startsWith('.balign') ? 2 : 4;
  }
  return n;
}

/**
 * Group units into runs that share one pool, placed after unit `at` of the run: every load of the run must reach it
 * (the run's code before the pool plus the pool, or the pool plus the code after it, within POOL_REACH). Greedy.
 */
function placePools(units: readonly Unit[], tailBytes: number): { first: number; last: number; at: number; end: boolean }[] {
  const runs: { first: number; last: number; at: number; end: boolean }[] = [];
  const q = units.map((u) => 4 * u.pool.length + 4);
  const c = units.map((u) => u.bytes);
  const sum = (a: number[], i: number, j: number) => { let s = 0; for (let k = i; k <= j; k++) s += a[k]!; return s; };
  let i = 0;
  while (i < units.length) {
    let best: { last: number; at: number; end: boolean } | null = null;
    for (let j = i; j < units.length; j++) {
      const Q = sum(q, i, j);
      // the last run may put its pool after the pass loop's closing branch (no branch over it)
      if (j === units.length - 1 && sum(c, i, j) + tailBytes + Q <= POOL_REACH) { best = { last: j, at: j, end: true }; break; }
      let at = -1, worst = Infinity;
      for (let m = i; m <= j; m++) {
        const w = Math.max(sum(c, i, m) + 4 + Q, Q + sum(c, m + 1, j));
        if (w <= POOL_REACH && w < worst) { worst = w; at = m; }
      }
      if (at < 0) break;
      best = { last: j, at, end: false };
    }
    if (!best) throw new Error(`kernel generator bug: unit ${i} of the unrolled kernel (${c[i]} bytes, ${q[i]} of constants) does not fit a pool's reach`);
    runs.push({ first: i, ...best });
    i = best.last + 1;
  }
  return runs;
}

/** The unrolled kernel (see above); call when unrolledSupport is null. */
export function unrolledKernel(plan: LayerPlan, weights: Int8Array, mode: RequantMode): SimdKernel {
  const { inC, outC } = plan;
  const { O, P } = unrolledTile(plan)!;
  const G = Math.ceil(inC / 4);
  const halves = liveHalves(inC);
  const npx = plan.outH * plan.outW;
  const rem = npx % P, passes = Math.ceil(npx / P);
  const frame = UFR.BUF + 8 * G * P;
  const off = plan.inputOffset & 0xffff;
  const zp = plan.outputOffset;
  const ACCR = (j: number, p: number) => UREGS[j * P + p]!;
  const XR_ = (p: number) => UREGS[O * P + p]!;
  const WR_ = (j: number) => UREGS[O * P + P + j]!;
  const xoff = (hg: number, p: number) => UFR.BUF + 4 * (hg * P + p);
  const w = (oc: number, i: number) => (i < inC ? weights[oc * inC + i]! : 0);
  /** the weight word of half-group hg (group hg >> 1, half hg & 1) of channel oc: int16 lanes [2w_a, 2w_b] */
  const wword = (oc: number, hg: number) => {
    const g = hg >> 1, h = hg & 1;
    return ((2 * w(oc, 4 * g + h)) & 0xffff) | ((2 * w(oc, 4 * g + h + 2)) << 16);
  };
  const R = (oc: number) => -plan.shifts[oc]!;
  const T = (oc: number) => (2 ** (R(oc) - 1) + zp * 2 ** R(oc)) | 0;
  // blocks of O channels, in order of T (channels that share T share its load); the last block filled up with
  // channels from the first (recomputed, rewritten with the same values)
  const order = Array.from({ length: outC }, (_, c) => c).sort((a, b) => T(a) - T(b) || a - b);
  const blocks: number[][] = [];
  for (let b = 0; b * O < outC; b++) {
    const chs = order.slice(b * O, b * O + O);
    for (let k = 0; chs.length < O; k++) if (!chs.includes(order[k]!)) chs.push(order[k]!);
    blocks.push(chs);
  }

  // the blocks as units of code: segments of at most SEGMENT_BYTES, the requantisation in the last one
  const hgBytes = 4 * (P + O + O * P);
  const perSeg = Math.max(1, Math.floor(SEGMENT_BYTES / hgBytes));
  const units: Unit[] = [];
  blocks.forEach((chs, b) => {
    const id = `b${b}`;
    const nseg = Math.ceil(halves.length / perSeg);
    for (let s = 0; s < nseg; s++) {
      const a = new Asm();
      const pool: Unit['pool'] = [];
      const hs = halves.slice(s * perSeg, (s + 1) * perSeg);
      if (s === 0) a.label(id, `output channels ${chs.join(', ')} x ${P} pixel(s)${b === blocks.length - 1 && outC % O ? ' (filled up with channels of the first block)' : ''}`);
      hs.forEach((hg, k) => {
        const first = s === 0 && k === 0;
        const g = hg >> 1, h = hg & 1;
        a.c(`input channels ${4 * g + h}, ${4 * g + h + 2}: ${2 * O * P} MACs${first ? '; the bias (2 x) into pixel 0\'s accumulators, SMLADed into the others\'' : ''}`);
        for (let p = 0; p < P; p++) a.i(`ldr.w ${XR_(p)}, [sp, #${xoff(hg, p)}]`);
        for (let j = 0; j < O; j++) {
          a.i(`ldr.w ${WR_(j)}, ${id}_w${hg}_${j}`);
          pool.push({ label: `${id}_w${hg}_${j}`, value: wword(chs[j]!, hg) });
        }
        if (first) {
          for (let j = 0; j < O; j++) {
            a.i(`ldr.w ${ACCR(j, 0)}, ${id}_bias${j}`);
            pool.push({ label: `${id}_bias${j}`, value: Math.imul(plan.bias ? plan.bias[chs[j]!]! : 0, 2), comment: `2 x bias of channel ${chs[j]}` });
          }
          for (let j = 0; j < O; j++) for (let p = P - 1; p >= 0; p--) a.i(`smlad ${ACCR(j, p)}, ${XR_(p)}, ${WR_(j)}, ${ACCR(j, 0)}`);
        } else {
          for (let j = 0; j < O; j++) for (let p = 0; p < P; p++) a.i(`smlad ${ACCR(j, p)}, ${XR_(p)}, ${WR_(j)}, ${ACCR(j, p)}`);
        }
      });
      if (s === nseg - 1) {
        a.c('requantise: (SMMLAR(2acc, M, 2^(R-1) + zp 2^R - (acc < 0))) >> R, saturated (SSAT with ASR #R), clamped');
        const free = [...Array.from({ length: P }, (_, p) => XR_(p)), ...Array.from({ length: O }, (_, j) => WR_(j))];
        const out = free[0]!, t = free[1]!, regs = free.slice(2);
        const Tlabels = new Map<number, string>();
        let j0 = 0, firstChunk = true;
        while (j0 < O) {
          // a chunk of channels whose M and distinct T fit the free registers
          const Ms: number[] = [], Ts: number[] = [];
          let j1 = j0;
          while (j1 < O) {
            const nT = Ts.includes(T(chs[j1]!)) ? Ts.length : Ts.length + 1;
            if (Ms.length + 1 + nT > regs.length) break;
            Ms.push(j1); if (!Ts.includes(T(chs[j1]!))) Ts.push(T(chs[j1]!));
            j1++;
          }
          const Mreg = (j: number) => regs[Ms.indexOf(j)]!, Treg = (j: number) => regs[Ms.length + Ts.indexOf(T(chs[j]!))]!;
          if (firstChunk) a.i(`ldr.w ${out}, [sp, #${UFR.OUT}]`);
          firstChunk = false;
          for (const j of Ms) {
            a.i(`ldr.w ${Mreg(j)}, ${id}_m${j}`);
            pool.push({ label: `${id}_m${j}`, value: plan.multipliers[chs[j]!]! | 0, comment: `M of channel ${chs[j]}` });
          }
          for (const tv of Ts) {
            const j = Ms.find((x) => T(chs[x]!) === tv)!;
            let lab = Tlabels.get(tv);
            if (!lab) {
              lab = `${id}_t${Tlabels.size}`;
              Tlabels.set(tv, lab);
              pool.push({ label: lab, value: tv, comment: `2^(R-1) + zp 2^R, R = ${R(chs[j]!)}` });
            }
            a.i(`ldr.w ${Treg(j)}, ${lab}`);
          }
          for (const j of Ms) {
            const c = chs[j]!;
            for (let p = 0; p < P; p++) {
              const acc = ACCR(j, p);
              a.i(`add.w ${t}, ${Treg(j)}, ${acc}, asr #31`, `smmlar ${acc}, ${acc}, ${Mreg(j)}, ${t}`, `ssat ${acc}, #8, ${acc}, asr #${R(c)}`);
              if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, t), 'it lt', movSmall(acc, plan.actMin, 'lt'));
              if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, t), 'it gt', movSmall(acc, plan.actMax, 'gt'));
              a.i(`strb.w ${acc}, [${out}, #${p * outC + c}]`);
            }
          }
          j0 = j1;
        }
        // the clamps' IT is 16-bit: keep the next block's loads word-aligned
        if (plan.actMin > -128 || plan.actMax < 127) a.i('.balign 4');
      }
      units.push({ lines: a.lines, bytes: codeBytes(a.lines), pool });
    }
  });

  const a = new Asm();
  let inlineBytes = 0;
  const emitPool = (pool: Unit['pool'], why: string) => {
    a.i('.balign 4');
    a.c(`literal pool: ${why}`);
    for (const e of pool) { a.label(e.label); a.i(`.word ${e.value | 0}${e.comment ? `    @ ${e.comment}` : ''}`); inlineBytes += 4; }
  };
  a.c(`${plan.kind === 'fully_connected' ? 'fully connected' : 'pointwise 1x1'} DSP-SIMD, unrolled ${O}x${P}: ${npx} pixels x ${inC} -> ${outC} channels; requantisation ${mode}`);
  a.c(`frame: [sp] passes left, [sp, #4] input pointer, [sp, #8] output pointer, [sp, #16] widened inputs of ${P} pixel(s), ${8 * G * P} bytes`);
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r1', frame), 'sub sp, sp, r1']));
  a.i('ldr r0, =output', `str r0, [sp, #${UFR.OUT}]`, 'ldr r0, =input', `str r0, [sp, #${UFR.XPTR}]`);
  a.i(...movImm('r0', passes), `str r0, [sp, #${UFR.PASSES}]`);
  a.i('b pass_loop', '.ltorg', '.balign 4');
  a.label('pass_loop', `passes of ${P} pixel(s): ${passes}${rem ? ` (the last one is pixels ${npx - P}..${npx - 1}: ${P - rem} of them rewritten with the same values)` : ''}`);
  a.c(`widen the pass's inputs: SXTAB16 with the input offset ${plan.inputOffset} in both lanes (r12): [x0, x2], [x1, x3] of each word`);
  a.i(`ldr.w r0, [sp, #${UFR.XPTR}]`, ...movImm('r12', (off | (off << 16)) | 0).map((l) => l.replace(/^(mov|mvn) /, '$1.w ')));
  const RAW = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'], HI = ['r7', 'r8', 'r9', 'r10', 'r11', 'lr'];
  const words: [number, number][] = [];
  for (let p = 0; p < P; p++) for (let g = 0; g < G; g++) words.push([p, g]);
  const contiguous = inC % 4 === 0;
  for (let k0 = 0; k0 < words.length; k0 += 6) {
    const chunk = words.slice(k0, k0 + 6);
    if (contiguous) {
      a.i(chunk.length > 1 ? `ldmia.w r0!, {${RAW.slice(0, chunk.length).join(', ')}}` : 'ldr.w r1, [r0], #4');
    } else {
      chunk.forEach(([p, g], k) => a.i(`ldr.w ${RAW[k]}, [r0, #${p * inC + 4 * g}]${4 * g + 4 > inC ? '    @ bytes past the pixel meet zero weights' : ''}`));
    }
    chunk.forEach((_, k) => a.i(`sxtab16 ${HI[k]}, r12, ${RAW[k]}, ror #8`, `sxtab16 ${RAW[k]}, r12, ${RAW[k]}`));
    chunk.forEach(([p, g], k) => a.i(`str.w ${RAW[k]}, [sp, #${xoff(2 * g, p)}]`, `str.w ${HI[k]}, [sp, #${xoff(2 * g + 1, p)}]`));
  }
  // the pass's end (after the last block): the tail the last pool may follow
  const tail = new Asm();
  tail.c('next pass');
  tail.i(`ldr.w r1, [sp, #${UFR.PASSES}]`, 'subs.w r1, r1, #1', `str.w r1, [sp, #${UFR.PASSES}]`, 'beq.w kernel_done');
  tail.i(`ldr.w r0, [sp, #${UFR.OUT}]`, `ldr.w r2, [sp, #${UFR.XPTR}]`);
  const adv = (n: number) => { tail.i(...addImm('r0', 'r0', n * outC, 'r3'), ...addImm('r2', 'r2', n * inC, 'r3')); };
  if (rem) {
    tail.i('cmp r1, #1', 'beq 1f');
    adv(P);
    tail.i('b 2f');
    tail.label('1', `the last pass: ${rem} pixel(s) on`);
    adv(rem);
    tail.label('2');
  } else adv(P);
  tail.i(`str.w r0, [sp, #${UFR.OUT}]`, `str.w r2, [sp, #${UFR.XPTR}]`, 'b.w pass_loop');
  const runs = placePools(units, codeBytes(tail.lines));
  runs.forEach((r, ri) => {
    for (let u = r.first; u <= r.last; u++) {
      a.lines.push(...units[u]!.lines);
      if (u === r.at && !r.end) {
        a.i(`b.w pool${ri}_end`);
        emitPool(units.slice(r.first, r.last + 1).flatMap((x) => x.pool), `units ${r.first}..${r.last} (read forwards before it, backwards after it)`);
        a.label(`pool${ri}_end`);
      }
    }
  });
  a.lines.push(...tail.lines);
  const last = runs[runs.length - 1]!;
  if (last.end) emitPool(units.slice(last.first, last.last + 1).flatMap((x) => x.pool), `units ${last.first}..${last.last}`);
  a.label('kernel_done');
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r1', frame), 'add sp, sp, r1']), 'pop {r4-r11, pc}');
  const lines = ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...a.lines, '  .ltorg', 'kernel_end:'];
  return {
    lines, bias: Int32Array.from(plan.bias ?? new Int32Array(outC)), foldedBias: false, path: 'pointwise', omitRawWeights: true, requantMode: mode,
    stackBytes: 36 + frame, schedule: `unrolled-${O}x${P}`, inlineConstantBytes: inlineBytes, extraTables: [], weightFormat: 'int16', quantTables: false,
  };
}
