/**
 * DSP-SIMD kernels (ARMv7E-M: SXTAB16, SADD16, SMLAD, SMMLAR, SMMULR, SSAT; the image is assembled for cortex-m4),
 * generated per layer. So far: pointwise (1x1, stride 1, no padding) and fully connected (each of the h*w input
 * pixels a row). Every other layer runs the scalar kernel: runKernel reports `kernel: 'scalar'` and
 * `fallbackReason` (simdSupport's message, naming the parameter).
 *
 * Pointwise matrix kernel. Output pixels in pairs (the odd last pixel alone), output channels in pairs (the odd last
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
 *   clamp, STRB: 5 cycles an output in 'right-zp' and 'right-uniform'.
 * Otherwise (single rounding, mixed-sign shifts, accumulators that could overflow) the accumulator is not doubled,
 * the record holds the channel index, and requant.ts's general code runs.
 *
 * Throughput (the M4 model, zero wait states, mps2-an386). The right-shift modes run the unrolled 4 x 2 kernel
 * (end of this file: 16 cycles per 16 MACs in the reduction, 4 per output to requantise): 16->96 0.681 MAC/cycle,
 * 96->24 0.875; the compact 2 x 2 kernel above (every other mode, or simdKernel(.., { schedule: 'compact-2x2' })):
 * 0.580 and 0.759. Why 16->96 cannot reach 0.9 with SMLAD on this model: an output of 16 MACs needs 8 SMLAD and
 * >= 4 cycles of requantisation (sign ADD, SMMLAR, SSAT, STRB); with 14 registers the best block is 4 x 2 (8
 * accumulators, 6 operands), whose loads cost (2+1) + (2+1+1+1) = 8 cycles per 8 SMLAD, i.e. 8 per output: 20
 * cycles for 16 MACs = 0.8 at best, before the bias, the parameter loads and the widening (0.9 needs <= 17.8).
 * 96->24: 48 half-groups x 16 / 8 = 96 cycles an output, + 4 requantisation + ~2.5 (bias, M/T loads, pool branch,
 * output pointer) + ~4 (the widening pass, ~5.5 cycles per 4 inputs of each pixel, over only 24 outputs) = ~107
 * cycles for 96 MACs: 0.9 at the limit; measured 0.875.
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, movSmall, Asm } from './asm.js';
import { requantAsm, uniformShift } from './requant.js';
import { isPointwise, type ScalarKernel } from './scalar.js';

/** Largest input channel count the fully unrolled reduction takes (the loads' offsets and the code size). */
export const SIMD_MAX_IN_CHANNELS = 256;

/** A generated DSP-SIMD kernel: as ScalarKernel, and the raw weights table is not read (its flash can be left out). */
export interface SimdKernel extends ScalarKernel {
  omitRawWeights: true;
  /** bytes of stack the kernel uses: 9 pushed registers and its frame (the widened input buffer is in it) */
  stackBytes: number;
  requantMode: RequantMode;
  /**
   * 'unrolled-4x2' (the fast path: blocks of 4 channels x 2 pixels, weights in literal pools inside the code) or
   * 'compact-2x2' (a loop over channel pairs, weights in the `simd_weights` table)
   */
  schedule?: 'unrolled-4x2' | 'compact-2x2';
  /** bytes of constants (weights, bias, requantisation parameters) inside the code (codeBytes counts them too) */
  inlineConstantBytes?: number;
}

/**
 * How the kernel requantises (see the file header): 'right-uniform' / 'right' (every shift <= -1, one for all or
 * per channel), 'left-uniform' / 'left' (every shift >= 0), 'general' (requant.ts).
 */
export type RequantMode = 'right-uniform' | 'right' | 'right-zp' | 'left-uniform' | 'left' | 'general';

/** Why the simd variant does not run a layer (null: it does). */
export function simdSupport(plan: LayerPlan): string | null {
  if (!isPointwise(plan)) return `kind: the simd kernels run pointwise (1x1, no padding) and fully connected layers, not this ${plan.kind} layer`;
  if (plan.kind !== 'fully_connected' && (plan.sh !== 1 || plan.sw !== 1)) return `stride: the simd pointwise kernel runs stride 1, not ${plan.sh}x${plan.sw}`;
  if (plan.inC > SIMD_MAX_IN_CHANNELS) return `input.c: the simd pointwise kernel unrolls up to ${SIMD_MAX_IN_CHANNELS} input channels, not ${plan.inC}`;
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
function zpFoldable(plan: LayerPlan, weights: Int8Array): boolean {
  const b = accBounds(plan, weights);
  return b.every((m, oc) => { const R = -plan.shifts[oc]!; return m + 2 ** (R - 1) + Math.abs(plan.outputOffset) * 2 ** R + 1 < 2 ** 31; });
}

/** Words of requantisation parameters per channel in a record. */
const paramWords = (mode: RequantMode): number => ({ 'right-uniform': 1, right: 3, 'right-zp': 3, 'left-uniform': 1, left: 2, general: 1 })[mode];

function channelParams(plan: LayerPlan, mode: RequantMode, oc: number): number[] {
  const M = plan.multipliers[oc]!, s = plan.shifts[oc]!;
  switch (mode) {
    case 'right-uniform': case 'left-uniform': return [M];
    case 'right': return [M, 2 ** (-s - 1), -s];
    case 'right-zp': return [M, 2 ** (-s - 1) + plan.outputOffset * 2 ** -s, -s];
    case 'left': return [M, s];
    case 'general': return [oc];
  }
}

/** The record layout of a block of O channels: G groups of 4 input channels (the last zero-padded). */
function recordLayout(inC: number, O: number, k: number) {
  const G = Math.ceil(inC / 4);
  const wBase = 4 * O * (1 + k);
  return {
    G,
    bias: (j: number) => 4 * j,
    param: (j: number, i: number) => 4 * O + 4 * (j * k + i),
    /** word h (0: lanes [w0, w2], 1: [w1, w3]) of group g, channel j */
    w: (g: number, j: number, h: number) => wBase + 8 * (g * O + j) + 4 * h,
    size: wBase + 8 * G * O,
  };
}

/** Is the accumulator doubled (inputs and bias x 2, for the fast requantisation's SMMULR / SMMLAR)? */
const doubled = (mode: RequantMode) => mode !== 'general';

/** The reordered weight stream (file header) as little-endian int32 words. */
export function simdWeightStream(plan: LayerPlan, weights: Int8Array, mode: RequantMode): Int32Array {
  const { inC, outC } = plan;
  const k = paramWords(mode);
  const blocks: [number, number][] = [];
  for (let oc = 0; oc + 1 < outC; oc += 2) blocks.push([oc, 2]);
  if (outC % 2) blocks.push([outC - 1, 1]);
  const total = blocks.reduce((n, [, O]) => n + recordLayout(inC, O, k).size, 0);
  const dv = new DataView(new ArrayBuffer(total));
  const x2 = doubled(mode) ? 2 : 1;
  let at = 0;
  for (const [c0, O] of blocks) {
    const L = recordLayout(inC, O, k);
    for (let j = 0; j < O; j++) {
      const oc = c0 + j;
      dv.setInt32(at + L.bias(j), Math.imul(plan.bias ? plan.bias[oc]! : 0, x2), true);
      channelParams(plan, mode, oc).forEach((v, i) => dv.setInt32(at + L.param(j, i), v | 0, true));
      const w = (i: number) => (i < inC ? weights[oc * inC + i]! : 0);
      for (let g = 0; g < L.G; g++) {
        for (let h = 0; h < 2; h++) {
          dv.setInt16(at + L.w(g, j, h), w(4 * g + h), true);
          dv.setInt16(at + L.w(g, j, h) + 2, w(4 * g + h + 2), true);
        }
      }
    }
    at += L.size;
  }
  return new Int32Array(dv.buffer);
}


/** accumulator of (channel j, pixel p) (the compact 2x2 schedule; simd-conv.ts uses the same assignment) */
export const ACC = [['r3', 'r6'], ['r4', 'r7']] as const;
/** widened input words of pixel p, half h; weight words of channel j, half h */
export const XR = [['r8', 'r9'], ['r10', 'r11']] as const, WR = [['r12', 'lr'], ['r1', 'r5']] as const;
/**
 * A block's outputs through requant.ts's general code (any shift, either rounding): the channel index from the
 * block's record (at `paramOff(j)` from r2), then each accumulator, stored by `store`. Shared with simd-conv.ts.
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

/** One block: O output channels x P pixels, r2 at its record, r0 at (px, oc) of the output, the buffer filled. */
function block(a: Asm, plan: LayerPlan, mode: RequantMode, O: 1 | 2, P: 1 | 2, id: string): void {
  const { inC, outC } = plan;
  const k = paramWords(mode);
  const L = recordLayout(inC, O, k);
  const js = O === 2 ? [0, 1] : [0], ps = P === 2 ? [0, 1] : [0];
  a.c(`block ${O} channel(s) x ${P} pixel(s): accumulators = bias${doubled(mode) ? ' x 2' : ''}`);
  // every instruction up to the last SMLAD is 32-bit (.w) and the block starts word-aligned: so is every load
  // (a 32-bit load on an odd halfword does not pipeline on the M4, reference/cortex-m-timing.md)
  for (const j of js) a.i(`ldr.w ${ACC[j]![0]}, [r2, #${L.bias(j)}]`);
  if (P === 2) for (const j of js) a.i(`mov.w ${ACC[j]![1]}, ${ACC[j]![0]}`);
  for (let g = 0; g < L.G; g++) {
    a.c(`input channels ${4 * g}..${4 * g + 3}: ${4 * O * P} MACs (the loads grouped: they pipeline)`);
    for (const p of ps) for (const h of [0, 1]) a.i(`ldr.w ${XR[p]![h]}, [sp, #${bufOff(L.G, p, g, h)}]`);
    for (const j of js) for (const h of [0, 1]) a.i(`ldr.w ${WR[j]![h]}, [r2, #${L.w(g, j, h)}]`);
    for (const h of [0, 1]) for (const j of js) for (const p of ps) a.i(`smlad ${ACC[j]![p]}, ${XR[p]![h]}, ${WR[j]![h]}, ${ACC[j]![p]}`);
  }

  // requantisation
  const store = (acc: string, j: number, p: number) => a.i(`strb ${acc}, [r0, #${p * outC + j}]`);
  const clampAndStore = (acc: string, j: number, p: number) => {
    a.i(`ssat ${acc}, #8, ${acc}`);
    if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, 'r12'), 'it lt', movSmall(acc, plan.actMin, 'lt'));
    if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, 'r12'), 'it gt', movSmall(acc, plan.actMax, 'gt'));
    store(acc, j, p);
  };
  const zp = plan.outputOffset;
  if (mode === 'general') {
    generalRequant(a, plan, (j) => L.param(j, 0), js, ps, id, store);
  } else {
    a.c(`requantise (${mode}): the parameters of the block's channels`);
    const preg = (j: number, i: number) => PREG[j * k + i]!;
    for (const j of js) for (let i = 0; i < k; i++) a.i(`ldr ${preg(j, i)}, [r2, #${L.param(j, i)}]`);
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
export function simdKernel(plan: LayerPlan, weights: Int8Array, opts: { schedule?: 'auto' | 'compact-2x2' } = {}): SimdKernel {
  const why = simdSupport(plan);
  if (why) throw new Error(why);
  const { inC, outC } = plan;
  const mode = requantMode(plan, weights);
  if (opts.schedule !== 'compact-2x2' && unrolledSupport(plan, weights, mode) === null) return unrolledKernel(plan, weights, mode);
  const stream = simdWeightStream(plan, weights, mode);
  const k = paramWords(mode);
  const G = Math.ceil(inC / 4);
  const pairBytes = Math.floor(outC / 2) * recordLayout(inC, 2, k).size;
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
    const np = Math.floor(outC / 2);
    if (np % 2) {
      a.c('an odd count of channel pairs: the first pair before the loop');
      a.i('.balign 4');
      block(a, plan, mode, 2, P, `${id}2a`);
    }
    if (np >= 2) {
      a.i('.balign 4');
      a.label(`${id}_oc_loop`, `output channel pairs: ${np - (np % 2)}, two a pass`);
      block(a, plan, mode, 2, P, `${id}2b`);
      a.i('.balign 4');
      block(a, plan, mode, 2, P, `${id}2c`);
      a.i(`ldr r1, [sp, #${FR.WPAIRS_END}]`, 'cmp r2, r1', `bne ${id}_oc_loop`);
    }
    if (outC % 2) { a.c('the odd last output channel'); a.i('.balign 4'); block(a, plan, mode, 1, P, `${id}1`); }
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
    stackBytes: 36 + frame, schedule: 'compact-2x2', inlineConstantBytes: 0,
    extraTables: [{ name: 'simd_weights', comment: 'records per output channel pair: bias, requantisation parameters, int16 weight pairs by groups of 4 input channels (simd.ts)', values: stream }],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The unrolled 4 x 2 pointwise kernel (schedule 'unrolled-4x2'), the fast path of the right-shift modes.
//
// Blocks of 4 output channels x 2 pixels: 8 accumulators (r1-r4 pixel 0, r5-r8 pixel 1), the widened inputs of the
// two pixels in r9, r10 and the four channels' weight words in r11, r12, lr, r0: 14 registers, no pointer. The
// output-channel loop is unrolled whole and each block's weights sit in a literal pool right after its code, read
// PC-relative (LDR.W Rt, label): that frees the weight pointer, so one half-group (2 input channels) is ONE load
// burst, x0 x1 (SRAM, SP-relative) w0..w3 (flash, PC-relative), then 8 SMLAD:
//   M4 model: 2+1 (SRAM) + 2+1+1+1 (the first flash load follows an SRAM one in another 512 MB block: no
//   pipelining) + 8 = 16 cycles for 16 MACs (the compact kernel above: 18 for 16 MACs).
// The weights are stored doubled (int16 2w; the accumulator is 2 x acc for SMMLAR, as the compact kernel's SADD16
// doubling of the inputs gives), so the widening pass is LDR + 2 SXTAB16 + 2 STR a word, ~5.5 cycles per 4 inputs.
// Requantisation per output: ADD (2^(R-1) + zp 2^R - (acc < 0)), SMMLAR, SSAT #8 with ASR #R (the shift is an
// immediate: the code is per block), STRB: 4 cycles; per channel 2 literal loads (M, T).
// Odd counts reuse the block: the last block of channels starts at outC - 4 and the last pixel pair at npx - 2 when
// they are odd or not a multiple of 4, recomputing (and rewriting with the same values) a few outputs. Taken when
// every shift is in [-31, -1], double rounding, the zero point folds (zpFoldable), outC >= 4, 2 pixels or more,
// 2 outC <= 4096 (STRB offsets), and the code fits UNROLLED_MAX_CODE_BYTES; else the compact kernel runs.
// ---------------------------------------------------------------------------------------------------------------

/** Largest code (with its inline weight pools) the unrolled kernel may take; larger layers run the compact kernel. */
export const UNROLLED_MAX_CODE_BYTES = 96 * 1024;
/** Half-groups (2 input channels) per literal pool at most: keeps every PC-relative load within 4095 bytes. */
const HALVES_PER_POOL = 48;

/** The code bytes of the unrolled kernel's blocks (an estimate, for the choice; the assembler has the real size). */
export function unrolledCodeEstimate(plan: LayerPlan): number {
  const halves = 2 * Math.ceil(plan.inC / 4);
  const blocks = Math.ceil(plan.outC / 4);
  const pools = Math.ceil(halves / HALVES_PER_POOL);
  // per half-group 14 instructions of 4 bytes and 4 pool words; per block bias / requant / branches about 240
  return blocks * (halves * (56 + 16) + pools * 8 + 240) + 64 * Math.ceil(plan.inC / 4) + 400;
}

/** Why the unrolled 4 x 2 kernel does not run a layer the simd variant runs (null: it does). */
export function unrolledSupport(plan: LayerPlan, weights: Int8Array, mode: RequantMode = requantMode(plan, weights)): string | null {
  if (mode !== 'right-uniform' && mode !== 'right-zp') return `requantisation ${mode}`;
  if (!zpFoldable(plan, weights)) return 'the output zero point does not fold into the rounding term';
  if (Array.from(plan.shifts).some((s) => s < -31)) return 'a shift below -31';
  if (plan.outC < 4) return 'fewer than 4 output channels';
  if (plan.outH * plan.outW < 2) return 'one pixel';
  if (2 * plan.outC > 4096) return 'more than 2048 output channels';
  if (unrolledCodeEstimate(plan) > UNROLLED_MAX_CODE_BYTES) return `code over ${UNROLLED_MAX_CODE_BYTES} bytes`;
  return null;
}

const UACC = [['r1', 'r5'], ['r2', 'r6'], ['r3', 'r7'], ['r4', 'r8']] as const;
const UX = ['r9', 'r10'] as const, UW = ['r11', 'r12', 'lr', 'r0'] as const;
/** frame: [sp] pixel pairs left, #4 the input pointer, #8 the output pointer, #16 the widened inputs of the pair */
const UFR = { PAIRS: 0, XPTR: 4, OUT: 8, BUF: 16 } as const;
const ubuf = (G: number, p: number, g: number, h: number) => UFR.BUF + 8 * (p * G + g) + 4 * h;

/** The unrolled 4 x 2 kernel (see above); call when unrolledSupport is null. */
export function unrolledKernel(plan: LayerPlan, weights: Int8Array, mode: RequantMode): SimdKernel {
  const { inC, outC } = plan;
  const G = Math.ceil(inC / 4), halves = 2 * G;
  const npx = plan.outH * plan.outW;
  const passes = Math.ceil(npx / 2);
  const frame = UFR.BUF + 16 * G;
  const off = plan.inputOffset & 0xffff;
  const zp = plan.outputOffset;
  const w = (oc: number, i: number) => (i < inC ? weights[oc * inC + i]! : 0);
  /** the weight word of half-group hg (group hg >> 1, half hg & 1) of channel oc: int16 lanes [2w_a, 2w_b] */
  const wword = (oc: number, hg: number) => {
    const g = hg >> 1, h = hg & 1;
    return ((2 * w(oc, 4 * g + h)) & 0xffff) | ((2 * w(oc, 4 * g + h + 2)) << 16);
  };
  let inlineBytes = 0;
  const a = new Asm();
  a.c(`${plan.kind === 'fully_connected' ? 'fully connected' : 'pointwise 1x1'} DSP-SIMD, unrolled 4x2: ${npx} pixels x ${inC} -> ${outC} channels; requantisation ${mode}`);
  a.c(`frame: [sp] passes left, [sp, #4] input pointer, [sp, #8] output pointer, [sp, #16] widened inputs of 2 pixels, ${16 * G} bytes`);
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r1', frame), 'sub sp, sp, r1']));
  a.i('ldr r0, =output', `str r0, [sp, #${UFR.OUT}]`, 'ldr r0, =input', `str r0, [sp, #${UFR.XPTR}]`);
  a.i(...movImm('r0', passes), `str r0, [sp, #${UFR.PAIRS}]`);
  a.i('b kernel_body', '.ltorg');
  a.label('kernel_body');
  a.label('pair_loop', `pixel pairs: ${passes}${npx % 2 ? ' (the last one is pixels npx-2, npx-1: pixel npx-2 is rewritten with the same values)' : ''}`);
  // widening: 4 words of each pixel a burst: LDR x 4, SXTAB16 x 8, STR x 8
  a.c('widen the 2 pixels: SXTAB16 with the input offset in both lanes (r12), lanes [x0, x2], [x1, x3]');
  a.i(`ldr r0, [sp, #${UFR.XPTR}]`, ...movImm('r12', (off | (off << 16)) | 0));
  const LR = ['r1', 'r2', 'r3', 'r4'], SR = ['r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'lr'];
  for (let p = 0; p < 2; p++) {
    for (let g0 = 0; g0 < G; g0 += 4) {
      const n = Math.min(4, G - g0);
      for (let k = 0; k < n; k++) a.i(`ldr.w ${LR[k]}, [r0, #${p * inC + 4 * (g0 + k)}]${4 * (g0 + k) + 4 > inC ? '    @ bytes past the pixel meet zero weights' : ''}`);
      for (let k = 0; k < n; k++) a.i(`sxtab16 ${SR[2 * k]}, r12, ${LR[k]}`, `sxtab16 ${SR[2 * k + 1]}, r12, ${LR[k]}, ror #8`);
      for (let k = 0; k < n; k++) a.i(`str.w ${SR[2 * k]}, [sp, #${ubuf(G, p, g0 + k, 0)}]`, `str.w ${SR[2 * k + 1]}, [sp, #${ubuf(G, p, g0 + k, 1)}]`);
    }
  }
  const nb = Math.ceil(outC / 4);
  for (let b = 0; b < nb; b++) {
    const c0 = Math.min(4 * b, outC - 4);
    const id = `b${b}`;
    const nPools = Math.ceil(halves / HALVES_PER_POOL);
    const per = Math.ceil(halves / nPools);
    a.i('.balign 4');
    a.label(id, `output channels ${c0}..${c0 + 3} x 2 pixels${c0 !== 4 * b ? ' (overlaps the previous block: the odd channels)' : ''}`);
    for (let j = 0; j < 4; j++) a.i(`ldr.w ${UACC[j]![0]}, ${id}_bias${j}    @ 2 x bias`);
    for (let j = 0; j < 4; j++) a.i(`mov.w ${UACC[j]![1]}, ${UACC[j]![0]}`);
    for (let k = 0; k < nPools; k++) {
      const h0 = k * per, h1 = Math.min(halves, h0 + per);
      for (let hg = h0; hg < h1; hg++) {
        const g = hg >> 1, h = hg & 1;
        a.c(`input channels ${4 * g + h}, ${4 * g + h + 2}: 16 MACs`);
        for (let p = 0; p < 2; p++) a.i(`ldr.w ${UX[p]}, [sp, #${ubuf(G, p, g, h)}]`);
        for (let j = 0; j < 4; j++) a.i(`ldr.w ${UW[j]}, ${id}_w${hg}_${j}`);
        for (let j = 0; j < 4; j++) for (let p = 0; p < 2; p++) a.i(`smlad ${UACC[j]![p]}, ${UX[p]}, ${UW[j]}, ${UACC[j]![p]}`);
      }
      a.i(`b.w ${id}_p${k}_end`, '.balign 4');
      a.label(`${id}_pool${k}`, 'the block\'s constants: read PC-relative');
      if (k === 0) for (let j = 0; j < 4; j++) { a.label(`${id}_bias${j}`); a.i(`.word ${Math.imul(plan.bias ? plan.bias[c0 + j]! : 0, 2)}`); inlineBytes += 4; }
      for (let hg = h0; hg < h1; hg++) for (let j = 0; j < 4; j++) { a.label(`${id}_w${hg}_${j}`); a.i(`.word ${wword(c0 + j, hg) | 0}`); inlineBytes += 4; }
      if (k === nPools - 1) {
        for (let j = 0; j < 4; j++) {
          const R = -plan.shifts[c0 + j]!;
          a.label(`${id}_m${j}`); a.i(`.word ${plan.multipliers[c0 + j]! | 0}`);
          a.label(`${id}_t${j}`); a.i(`.word ${(2 ** (R - 1) + zp * 2 ** R) | 0}    @ 2^(R-1) + zp 2^R, R = ${R}`);
          inlineBytes += 8;
        }
      }
      a.label(`${id}_p${k}_end`);
    }
    a.c('requantise: (SMMLAR(2acc, M, 2^(R-1) + zp 2^R - (acc < 0))) >> R, saturated (SSAT with ASR #R), clamped');
    a.i(`ldr.w r0, [sp, #${UFR.OUT}]`);
    for (const jp of [[0, 1], [2, 3]]) {
      for (const j of jp) a.i(`ldr.w ${j % 2 ? 'r11' : 'r9'}, ${id}_m${j}`, `ldr.w ${j % 2 ? 'r12' : 'r10'}, ${id}_t${j}`);
      for (const j of jp) {
        const M = j % 2 ? 'r11' : 'r9', T = j % 2 ? 'r12' : 'r10', R = -plan.shifts[c0 + j]!;
        for (let p = 0; p < 2; p++) {
          const acc = UACC[j]![p]!;
          a.i(`add.w lr, ${T}, ${acc}, asr #31`, `smmlar ${acc}, ${acc}, ${M}, lr`, `ssat ${acc}, #8, ${acc}, asr #${R}`);
          if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, 'lr'), 'it lt', movSmall(acc, plan.actMin, 'lt'));
          if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, 'lr'), 'it gt', movSmall(acc, plan.actMax, 'gt'));
          a.i(`strb.w ${acc}, [r0, #${p * outC + c0 + j}]`);
        }
      }
    }
  }
  a.c('next pixel pair');
  a.i(`ldr r1, [sp, #${UFR.PAIRS}]`, 'subs r1, r1, #1', `str r1, [sp, #${UFR.PAIRS}]`, 'beq kernel_done');
  a.i(`ldr r0, [sp, #${UFR.OUT}]`, `ldr r2, [sp, #${UFR.XPTR}]`);
  const adv = (n: number) => { a.i(...addImm('r0', 'r0', n * outC, 'r3'), ...addImm('r2', 'r2', n * inC, 'r3')); };
  if (npx % 2) {
    a.i('cmp r1, #1', 'beq 1f');
    adv(2);
    a.i('b 2f');
    a.label('1', 'the last pass: one pixel on, pixels npx-2 and npx-1');
    adv(1);
    a.label('2');
  } else adv(2);
  a.i(`str r0, [sp, #${UFR.OUT}]`, `str r2, [sp, #${UFR.XPTR}]`, 'b pair_loop');
  a.label('kernel_done');
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r1', frame), 'add sp, sp, r1']), 'pop {r4-r11, pc}');
  const lines = ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...a.lines, '  .ltorg', 'kernel_end:'];
  return {
    lines, bias: Int32Array.from(plan.bias ?? new Int32Array(outC)), foldedBias: false, path: 'pointwise', omitRawWeights: true, requantMode: mode,
    stackBytes: 36 + frame, schedule: 'unrolled-4x2', inlineConstantBytes: inlineBytes, extraTables: [],
  };
}
