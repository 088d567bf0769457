/**
 * DSP-SIMD depthwise 3x3 kernel (ARMv7E-M: SXTB16, SMLABB / SMLATT, SMMLAR, SSAT; assembled for cortex-m4), for
 * depthwise layers with a 3x3 kernel, depth multiplier 1, any dilation, stride 1 or 2 (either axis), any padding.
 * Every other depthwise layer keeps the scalar kernel (simdDwSupport names the parameter).
 *
 * Pixel classes. A pixel's taps inside the image are a rectangle [ky0, ky1) x [kx0, kx1) (tflite-micro
 * depthwise_conv.h skips the others; src/nn/ops.ts tapRange; with dilation d the taps k with 0 <= origin + k d <
 * size are still consecutive). Tap (ky, kx) is read ky dh input rows and kx dw pixels from the pixel's tap (0, 0):
 * dilation only changes those offsets. Every output pixel's rectangle is known at generation
 * time, so the generator makes one pixel routine per distinct rectangle ("class": the interior 3x3 one and the
 * border ones), each fully unrolled over its taps: the border path skips the taps outside the image by not having
 * them, and the interior path is the 3x3 one. The driver walks the output rows in runs of rows of one row-range and,
 * in each row, runs of columns of one column-range, calling the class's routine per pixel (BL; 2 + 2 cycles a pixel
 * for C channels).
 *
 * Input offset folded into the bias per class: acc = bias + sum_taps w (x + off) = (bias + off * sum_taps w) +
 * sum_taps w x (modulo 2^32: the int32 accumulation wraps on the target and in the reference alike), the sum over
 * the class's taps only. So the inputs are widened with SXTB16 alone (no offset register).
 *
 * Channel groups of 4 (channels 4g..4g+3; a last partial group is zero-padded, its loads read up to 3 bytes past
 * the pixel, which meet zero weights, and it stores only its channels). Per tap, per group (the M4 model,
 * src/timing/m4.ts): LDR x (SRAM, 2) + LDR w, LDR w (flash int16 pairs; the first is in another 512 MB block than
 * the preceding SRAM load so it does not pipeline: 2 + 1) + SXTB16 x 2 + SMLABB/SMLATT x 4 = 11 cycles, 4 MACs:
 *   SXTB16(x) = [x0, x2], SXTB16(x ROR 8) = [x1, x3] (reference/int8-semantics.md, "How CMSIS-NN uses the DSP
 *   extension": elements in order 0,2 / 1,3), against weight words [w0, w2], [w1, w3]:
 *   SMLABB acc0 += x0 w0, SMLATT acc2 += x2 w2, SMLABB acc1 += x1 w1, SMLATT acc3 += x3 w3.
 * The weights are widened to int16 at generation time (twice the flash of int8 weights: the SXTB16 x 2 of the weights
 * would cost 2 cycles a tap, two pipelined int16 loads cost 1 more than one int8 load).
 *
 * Flash table `dw_weights`, one record per channel group, walked with one pointer (r2) and immediate offsets:
 *   int16 w[9][2][2]      tap t = 3 ky + kx: [w0, w2], [w1, w3] (x 2 in the fast mode)          72 bytes
 *   int32 params[4][k]    per channel: fast mode M, T = 2^(R-1) + zp 2^R, R (k = 3); general: the channel index
 *   int32 bias[K][4]      per class: the folded bias of the 4 channels (x 2 in the fast mode)
 *
 * Requantisation (bit-exact with src/nn/quant.ts, double rounding), as simd.ts's fast path: when every shift is
 * <= -1 and 2 |acc| + 2^(R-1) + |zp| 2^R + 1 < 2^31 for every channel and class (|acc| <= |folded bias| +
 * 128 sum |w|, weights and bias are constants), the accumulator is doubled (doubled weights and bias) and
 *   SMMLAR(2acc, M, T - (acc < 0)) >> R = RDBPOT(SRDHM(acc, M), R) + zp
 * then SSAT #8, the activation clamp, STRB. Otherwise (single rounding, left shifts, possible overflow) requant.ts's
 * general code runs with the channel index from the record.
 *
 * Registers in a pixel routine: r0 output of the group, r1 group counter, r2 record, r3-r6 accumulators of channels
 * 4g..4g+3, r7 input at the pixel's tap (0, 0) of the group (outside the image for border pixels: only the class's
 * taps are read), r8 / r9 rows 1 and 2 (when 2 S + 2 C does not fit LDR's 12-bit immediate, S = inW C), r10-r12, lr
 * scratch. The general requantisation saves r1 on the stack and uses r1 for the channel, r8-r12, lr as scratch.
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, movSmall, Asm } from './asm.js';
import { requantAsm } from './requant.js';
import { uniformShift } from './requant.js';
import { simdKernel, simdSupport, type SimdKernel, type SimdOptions } from './simd.js';
import { simdConvKernel, simdConvSupport } from './simd-conv.js';
import type { WeightFormat } from './simd8.js';

/** Largest channel count: the taps' offsets 2 C + 3 must fit LDR's 12-bit immediate. */
export const SIMD_DW_MAX_CHANNELS = 2046;

export type DwRequantMode = 'fast' | 'general';

/** A tap rectangle [ky0, ky1) x [kx0, kx1). */
export interface DwClass { ky0: number; ky1: number; kx0: number; kx1: number }

/**
 * First tap k in [0, 3) with 0 <= origin + k d < size (d the dilation), and one past the last: tflite-micro's test.
 * The taps inside the image are consecutive (the condition is an interval in k).
 */
function tapRange(origin: number, size: number, d: number): [number, number] {
  const start = Math.min(3, origin < 0 ? Math.ceil(-origin / d) : 0);
  const end = Math.min(3, Math.ceil((size - origin) / d));
  return [start, Math.max(start, end)];
}

/** Runs of consecutive outputs along one axis with the same tap range: [first, count, range]. */
function runs(outN: number, stride: number, pad: number, inN: number, d: number): { first: number; count: number; r: [number, number] }[] {
  const out: { first: number; count: number; r: [number, number] }[] = [];
  for (let o = 0; o < outN; o++) {
    const r = tapRange(o * stride - pad, inN, d);
    const last = out[out.length - 1];
    if (last && last.r[0] === r[0] && last.r[1] === r[1]) last.count++;
    else out.push({ first: o, count: 1, r });
  }
  return out;
}

/** The pixel classes a layer uses, in a fixed order (row runs x column runs). */
export function dwClasses(plan: LayerPlan): DwClass[] {
  const rows = runs(plan.outH, plan.sh, plan.pad.top, plan.inH, plan.dh), cols = runs(plan.outW, plan.sw, plan.pad.left, plan.inW, plan.dw);
  const out: DwClass[] = [];
  for (const r of rows) for (const c of cols) {
    if (!out.some((k) => k.ky0 === r.r[0] && k.ky1 === r.r[1] && k.kx0 === c.r[0] && k.kx1 === c.r[1])) {
      out.push({ ky0: r.r[0], ky1: r.r[1], kx0: c.r[0], kx1: c.r[1] });
    }
  }
  return out;
}

const recordSize = (K: number, k: number) => 72 + 16 * k + 16 * K;

/** Why the simd depthwise kernel does not run a layer with weights stored as `fmt` (null: it does). */
export function simdDwSupport(plan: LayerPlan, fmt: WeightFormat = 'int8'): string | null {
  const name = 'the simd depthwise kernel';
  if (plan.kind !== 'depthwise') return `kind: ${name} runs depthwise layers, not ${plan.kind}`;
  if (plan.kh !== 3 || plan.kw !== 3) return `kernel: ${name} runs 3x3 kernels, not ${plan.kh}x${plan.kw}`;
  if (plan.depthMultiplier !== 1) return `depthMultiplier: ${name} runs depth multiplier 1, not ${plan.depthMultiplier}`;
  if (plan.sh > 2 || plan.sw > 2) return `stride: ${name} runs strides 1 and 2, not ${plan.sh}x${plan.sw}`;
  if (plan.inC > SIMD_DW_MAX_CHANNELS) return `input.c: ${name} runs up to ${SIMD_DW_MAX_CHANNELS} channels, not ${plan.inC}`;
  // a tap's column offset 2 dw C (+ 3 bytes of the word) must fit LDR's 12-bit immediate
  if (2 * plan.dw * plan.inC + 3 > 4095) return `dilation: ${name} reads a tap row at offsets up to 4095, dilation ${plan.dh}x${plan.dw} with ${plan.inC} channels reaches ${2 * plan.dw * plan.inC + 3}`;
  if (fmt === 'int16' && recordSize(dwClasses(plan).length, 3) > 4095) return `padding: ${name} takes up to 248 distinct border classes, this layer has ${dwClasses(plan).length}`;
  return null;
}

/** Sum of the weights of channel c over a class's taps, and of their absolute values. */
function tapSums(plan: LayerPlan, w: Int8Array, k: DwClass, c: number): [number, number] {
  let s = 0, sa = 0;
  for (let ky = k.ky0; ky < k.ky1; ky++) for (let kx = k.kx0; kx < k.kx1; kx++) { const v = w[(ky * 3 + kx) * plan.outC + c]!; s += v; sa += Math.abs(v); }
  return [s, sa];
}

/** The requantisation mode (file header). */
export function dwRequantMode(plan: LayerPlan, weights: Int8Array): DwRequantMode {
  if (plan.rounding !== 'double') return 'general';
  if (!Array.from(plan.shifts).every((s) => s <= -1)) return 'general';
  const classes = dwClasses(plan);
  for (let c = 0; c < plan.outC; c++) {
    const R = -plan.shifts[c]!;
    for (const k of classes) {
      const [s, sa] = tapSums(plan, weights, k, c);
      const bound = Math.abs((plan.bias ? plan.bias[c]! : 0) + plan.inputOffset * s) + 128 * sa;
      if (2 * bound + 2 ** (R - 1) + Math.abs(plan.outputOffset) * 2 ** R + 1 >= 2 ** 31) return 'general';
    }
  }
  return 'fast';
}

const paramWords = (mode: DwRequantMode) => (mode === 'fast' ? 3 : 1);
/** byte offsets in a record */
const REC = {
  w: (t: number, h: number) => 8 * t + 4 * h,
  param: (j: number, i: number, k: number) => 72 + 4 * (j * k + i),
  bias: (cls: number, j: number, k: number) => 72 + 16 * k + 16 * cls + 4 * j,
};

/** The `dw_weights` table (file header) as int32 words. */
export function dwWeightStream(plan: LayerPlan, weights: Int8Array, mode: DwRequantMode, classes: DwClass[] = dwClasses(plan)): Int32Array {
  const C = plan.outC, G = Math.ceil(C / 4), k = paramWords(mode), size = recordSize(classes.length, k);
  const dv = new DataView(new ArrayBuffer(G * size));
  const x2 = mode === 'fast' ? 2 : 1;
  for (let g = 0; g < G; g++) {
    const at = g * size;
    for (let j = 0; j < 4; j++) {
      const c = 4 * g + j;
      if (c >= C) continue; // zero weights, parameters and bias
      for (let t = 0; t < 9; t++) dv.setInt16(at + REC.w(t, j & 1) + 2 * (j >> 1), x2 * weights[t * C + c]!, true);
      const M = plan.multipliers[c]!, R = -plan.shifts[c]!;
      const params = mode === 'fast' ? [M, 2 ** (R - 1) + plan.outputOffset * 2 ** R, R] : [c];
      params.forEach((v, i) => dv.setInt32(at + REC.param(j, i, k), v | 0, true));
      classes.forEach((cl, ci) => {
        const folded = ((plan.bias ? plan.bias[c]! : 0) + Math.imul(plan.inputOffset, tapSums(plan, weights, cl, c)[0])) | 0;
        dv.setInt32(at + REC.bias(ci, j, k), Math.imul(folded, x2), true);
      });
    }
  }
  return new Int32Array(dv.buffer);
}


const ACC = ['r3', 'r4', 'r5', 'r6'] as const;

/** One channel group of a class: r7 at the group's tap (0, 0), r2 at its record, r0 at its output; `n` channels stored. */
function group(a: Asm, plan: LayerPlan, mode: DwRequantMode, cls: DwClass, ci: number, K: number, n: number, id: string): void {
  const C = plan.outC, S = plan.inW * C, k = paramWords(mode);
  const tap = tapAddress(a, plan, cls, S, C);
  a.c(`accumulators = the class's folded bias${mode === 'fast' ? ' x 2' : ''}`);
  for (let j = 0; j < 4; j++) a.i(`ldr.w ${ACC[j]}, [r2, #${REC.bias(ci, j, k)}]`);
  for (let ky = cls.ky0; ky < cls.ky1; ky++) for (let kx = cls.kx0; kx < cls.kx1; kx++) {
    const t = ky * 3 + kx, [base, off] = tap(ky, kx);
    a.c(`tap (${ky}, ${kx}): 4 MACs`);
    a.i(`ldr.w r10, [${base}, #${off}]`, `ldr.w r12, [r2, #${REC.w(t, 0)}]    @ [w0, w2]`, `ldr.w lr, [r2, #${REC.w(t, 1)}]    @ [w1, w3]`,
      'sxtb16 r11, r10, ror #8    @ [x1, x3]', 'sxtb16 r10, r10    @ [x0, x2]',
      'smlabb r3, r10, r12, r3', 'smlatt r5, r10, r12, r5', 'smlabb r4, r11, lr, r4', 'smlatt r6, r11, lr, r6');
  }
  const clamp = (acc: string) => {
    if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, 'r10'), 'it lt', movSmall(acc, plan.actMin, 'lt'));
    if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, 'r10'), 'it gt', movSmall(acc, plan.actMax, 'gt'));
  };
  if (mode === 'fast') {
    for (let j = 0; j < n; j++) {
      const acc = ACC[j]!;
      a.c(`channel +${j}: ${acc} = 2 acc; SMMLAR(2 acc, M, 2^(R-1) + zp 2^R - (acc < 0)) >> R`);
      a.i(`ldr.w r10, [r2, #${REC.param(j, 0, k)}]`, `ldr.w r11, [r2, #${REC.param(j, 1, k)}]`, `ldr.w r12, [r2, #${REC.param(j, 2, k)}]`,
        `add.w r11, r11, ${acc}, asr #31`, `smmlar ${acc}, ${acc}, r10, r11`, `asr.w ${acc}, ${acc}, r12`, `ssat ${acc}, #8, ${acc}`);
      clamp(acc);
      a.i(`strb.w ${acc}, [r0, #${j}]`);
    }
  } else generalRequantGroup(a, plan, n, (j) => REC.param(j, 0, k), id);
  a.i(...addImm('r2', 'r2', recordSize(K, k), 'r10').map((l) => `${l}    @ next record`), 'add.w r7, r7, #4', `add.w r0, r0, #${n}`);
}

// ---------------------------------------------------------------------------------------------------------------
// int8 weights (the default; simd8.ts says why). A record per channel group holds the 9 taps' weight words (int8,
// channels 4g..4g+3 of the tap in their byte order: SXTB16 gives [w0, w2], ROR #8 [w1, w3], the lanes of the input
// word's SXTB16), ONE bias per channel (folded over all 9 taps: bias + inputOffset x sum w) and the requantisation
// words (fast: M and T = 2^(R-1) + zp 2^R, R - 1 being the trailing zeros of T; general: the channel index):
//   int8  w[9][4]       36 bytes
//   int32 bias[4]       16 bytes
//   int32 params[4][k]  32 bytes (fast), 16 (general)
// A border class's routine skips the loads of its taps outside the image but still counts them, with the input zero
// point z for the input: z + inputOffset = 0, so they cancel their share of the folded bias exactly as the reference's
// skipped taps contribute nothing. It sums those taps' widened weights (SADD16) and multiplies the sums by [z, z]
// (4 MACs a group whatever the number of taps outside). The accumulator is not doubled (the weights are int8): the
// fast requantisation shifts it left by one first.
// ---------------------------------------------------------------------------------------------------------------

/** byte offsets in an int8 record (k parameter words a channel) */
const REC8 = {
  w: (t: number) => 4 * t,
  bias: (j: number) => 36 + 4 * j,
  param: (j: number, i: number, k: number) => 52 + 4 * (j * k + i),
  size: (k: number) => 52 + 16 * k,
};

/** The int8 `dw_weights` table (see above) as int32 words. */
export function dwWeightStream8(plan: LayerPlan, weights: Int8Array, mode: DwRequantMode): Int32Array {
  const C = plan.outC, G = Math.ceil(C / 4), k = mode === 'fast' ? 2 : 1, size = REC8.size(k);
  const dv = new DataView(new ArrayBuffer(G * size));
  for (let g = 0; g < G; g++) {
    const at = g * size;
    for (let j = 0; j < 4; j++) {
      const c = 4 * g + j;
      if (c >= C) continue; // zero weights, bias and parameters
      for (let t = 0; t < 9; t++) dv.setInt8(at + REC8.w(t) + j, weights[t * C + c]!);
      let sum = 0;
      for (let t = 0; t < 9; t++) sum += weights[t * C + c]!;
      dv.setInt32(at + REC8.bias(j), ((plan.bias ? plan.bias[c]! : 0) + Math.imul(plan.inputOffset, sum)) | 0, true);
      const M = plan.multipliers[c]!, R = -plan.shifts[c]!;
      const params = mode === 'fast' ? [M, 2 ** (R - 1) + plan.outputOffset * 2 ** R] : [c];
      params.forEach((v, i) => dv.setInt32(at + REC8.param(j, i, k), v | 0, true));
    }
  }
  return new Int32Array(dv.buffer);
}

/** One channel group of a class, int8 weights: r7 at the group's tap (0, 0), r2 at its record, r0 at its output. */
function group8(a: Asm, plan: LayerPlan, mode: DwRequantMode, cls: DwClass, n: number, id: string, m7: boolean): void {
  const C = plan.outC, S = plan.inW * C, k = mode === 'fast' ? 2 : 1;
  const tap = tapAddress(a, plan, cls, S, C);
  a.c('accumulators = the bias folded over the 9 taps');
  for (let j = 0; j < 4; j++) a.i(`ldr.w ${ACC[j]}, [r2, #${REC8.bias(j)}]`);
  const missing: number[] = [], taps: { t: number; ky: number; kx: number }[] = [];
  for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
    const t = ky * 3 + kx;
    if (ky < cls.ky0 || ky >= cls.ky1 || kx < cls.kx0 || kx >= cls.kx1) missing.push(t);
    else taps.push({ t, ky, kx });
  }
  // Cortex-M4: a tap's two loads, then its DSP instructions; Cortex-M7: each tap loads the next one's input and weight
  // word beside its MACs (a load pairs as the younger partner of a DSP instruction)
  const ldx = (tp: { ky: number; kx: number }) => { const [base, off] = tap(tp.ky, tp.kx); return `ldr.w r10, [${base}, #${off}]`; };
  const ldw = (tp: { t: number }) => `ldr.w r12, [r2, #${REC8.w(tp.t)}]    @ [w0 w1 w2 w3]`;
  if (m7 && taps.length) a.i(ldx(taps[0]!), ldw(taps[0]!));
  taps.forEach((tp, i) => {
    const next = m7 ? taps[i + 1] : undefined;
    a.c(`tap (${tp.ky}, ${tp.kx}): 4 MACs`);
    if (!m7) a.i(ldx(tp), ldw(tp));
    a.i('sxtb16 lr, r12, ror #8    @ [w1, w3]', 'sxtb16 r12, r12    @ [w0, w2]', 'sxtb16 r11, r10, ror #8    @ [x1, x3]', 'sxtb16 r10, r10    @ [x0, x2]',
      'smlabb r3, r10, r12, r3', 'smlatt r5, r10, r12, r5', ...(next ? [ldx(next)] : []), 'smlabb r4, r11, lr, r4', ...(next ? [ldw(next)] : []), 'smlatt r6, r11, lr, r6');
  });
  if (missing.length) {
    const z = plan.inputZeroPoint, zz = ((z & 0xffff) | (z << 16)) | 0;
    a.c(`taps outside the image (${missing.join(', ')}): their weights summed, times the input zero point ${z} (cancels their share of the bias)`);
    missing.forEach((t, i) => {
      const [lo, hi] = i === 0 ? ['r10', 'r11'] : ['r12', 'lr'];
      a.i(`ldr.w ${lo}, [r2, #${REC8.w(t)}]`, `sxtb16 ${hi}, ${lo}, ror #8`, `sxtb16 ${lo}, ${lo}`);
      if (i > 0) a.i('sadd16 r10, r10, r12', 'sadd16 r11, r11, lr');
    });
    a.i(...movImm('r12', zz).map((l) => `${l}    @ [z, z]`));
    a.i('smlabb r3, r12, r10, r3', 'smlatt r5, r12, r10, r5', 'smlabb r4, r12, r11, r4', 'smlatt r6, r12, r11, r6');
  }
  const clamp = (acc: string) => {
    if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, 'r10'), 'it lt', movSmall(acc, plan.actMin, 'lt'));
    if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, 'r10'), 'it gt', movSmall(acc, plan.actMax, 'gt'));
  };
  if (mode === 'fast') {
    const us = uniformShift(plan);
    for (let j = 0; j < n; j++) {
      const acc = ACC[j]!;
      a.c(`channel +${j}: SMMLAR(2 acc, M, 2^(R-1) + zp 2^R - (acc < 0)) >> R`);
      a.i(`ldr.w r10, [r2, #${REC8.param(j, 0, k)}]    @ M`, `ldr.w r11, [r2, #${REC8.param(j, 1, k)}]    @ T`);
      if (us === null) a.i('rbit r12, r11', 'clz r12, r12    @ R - 1: the trailing zeros of T');
      a.i(`lsl.w ${acc}, ${acc}, #1`, `add.w r11, r11, ${acc}, asr #31`, `smmlar ${acc}, ${acc}, r10, r11`);
      if (us === null) a.i(`asr.w ${acc}, ${acc}, r12`, `ssat ${acc}, #8, ${acc}, asr #1`);
      else a.i(`ssat ${acc}, #8, ${acc}, asr #${-us}`);
      clamp(acc);
      a.i(`strb.w ${acc}, [r0, #${j}]`);
    }
  } else generalRequantGroup(a, plan, n, (j) => REC8.param(j, 0, k), id);
  a.i(...addImm('r2', 'r2', REC8.size(k), 'r10').map((l) => `${l}    @ next record`), 'add.w r7, r7, #4', `add.w r0, r0, #${n}`);
}

/** The DSP-SIMD depthwise 3x3 kernel of a layer (throws naming the parameter when unsupported). */
export function simdDwKernel(plan: LayerPlan, weights: Int8Array, opts: Pick<SimdOptions, 'weights' | 'core'> = {}): SimdKernel {
  const fmt = opts.weights ?? 'int8', m7 = opts.core === 'cortex-m7';
  const why = simdDwSupport(plan, fmt);
  if (why) throw new Error(why);
  const C = plan.outC, S = plan.inW * C, Gf = Math.floor(C / 4), tail = C % 4;
  const mode = dwRequantMode(plan, weights);
  const classes = dwClasses(plan), K = classes.length;
  const stream = fmt === 'int8' ? dwWeightStream8(plan, weights, mode) : dwWeightStream(plan, weights, mode, classes);
  const rows = runs(plan.outH, plan.sh, plan.pad.top, plan.inH, plan.dh), cols = runs(plan.outW, plan.sw, plan.pad.left, plan.inW, plan.dw);
  const clsIndex = (r: [number, number], c: [number, number]) => classes.findIndex((k) => k.ky0 === r[0] && k.ky1 === r[1] && k.kx0 === c[0] && k.kx1 === c[1]);
  const a = new Asm();
  a.c(`depthwise 3x3 DSP-SIMD: ${plan.inH}x${plan.inW}x${C} -> ${plan.outH}x${plan.outW}x${C}, stride ${plan.sh}x${plan.sw}, ` +
    `pads t${plan.pad.top} b${plan.pad.bottom} l${plan.pad.left} r${plan.pad.right}; ${K} pixel class(es); requantisation ${mode}`);
  a.c('frame: [sp] rows left, [sp, #4] columns left, [sp, #8] input at tap (0, 0) of the row\'s first pixel, [sp, #12] of the pixel');
  a.i('push {r4-r11, lr}', 'sub sp, sp, #16', 'ldr r0, =output');
  rows.forEach((rr, ri) => {
    a.c(`output rows ${rr.first}..${rr.first + rr.count - 1}: kernel rows ${rr.r[0]}..${rr.r[1] - 1}`);
    a.i('ldr r7, =input', ...addImm('r7', 'r7', ((rr.first * plan.sh - plan.pad.top) * plan.inW - plan.pad.left) * C, 'r10'),
      'str r7, [sp, #8]', ...movImm('r1', rr.count), 'str r1, [sp]');
    a.label(`row_loop_${ri}`);
    cols.forEach((cc, cj) => {
      const k = clsIndex(rr.r, cc.r);
      a.c(`columns ${cc.first}..${cc.first + cc.count - 1}: kernel columns ${cc.r[0]}..${cc.r[1] - 1}: class ${k}`);
      a.i('ldr r7, [sp, #8]', ...addImm('r7', 'r7', cc.first * plan.sw * C, 'r10'), ...movImm('r1', cc.count), 'str r1, [sp, #4]');
      a.label(`col_loop_${ri}_${cj}`);
      a.i('str r7, [sp, #12]', `bl pixel_${k}`, 'ldr r7, [sp, #12]', ...addImm('r7', 'r7', plan.sw * C, 'r10'),
        'ldr r1, [sp, #4]', 'subs r1, r1, #1', 'str r1, [sp, #4]', `bne col_loop_${ri}_${cj}`);
    });
    a.i('ldr r7, [sp, #8]', ...addImm('r7', 'r7', plan.sh * S, 'r10'), 'str r7, [sp, #8]',
      'ldr r1, [sp]', 'subs r1, r1, #1', 'str r1, [sp]', `bne row_loop_${ri}`);
  });
  a.i('add sp, sp, #16', 'pop {r4-r11, pc}', '.ltorg');
  classes.forEach((cls, ci) => {
    a.c(`pixel class ${ci}: kernel rows ${cls.ky0}..${cls.ky1 - 1}, columns ${cls.kx0}..${cls.kx1 - 1} (${(cls.ky1 - cls.ky0) * (cls.kx1 - cls.kx0)} taps)`);
    a.i('.balign 4');
    a.label(`pixel_${ci}`, 'r0 output of the pixel, r7 input at its tap (0, 0); r0 is left at the next pixel');
    a.i('push {lr}', 'ldr r2, =dw_weights');
    if (Gf > 0) {
      a.i(...movImm('r1', Gf).map((l) => `${l}    @ channel groups of 4`), '.balign 4');
      a.label(`group_loop_${ci}`);
      if (fmt === 'int8') group8(a, plan, mode, cls, 4, `c${ci}g`, m7);
      else group(a, plan, mode, cls, ci, K, 4, `c${ci}g`);
      a.i('subs r1, r1, #1', `bne group_loop_${ci}`);
    }
    if (tail) {
      a.c(`the last ${tail} channel(s)`);
      if (fmt === 'int8') group8(a, plan, mode, cls, tail, `c${ci}t`, m7);
      else group(a, plan, mode, cls, ci, K, tail, `c${ci}t`);
    }
    a.i('pop {pc}', '.ltorg');
  });
  const lines = ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...a.lines, '  .ltorg', 'kernel_end:'];
  return {
    lines, bias: Int32Array.from(plan.bias ?? new Int32Array(C)), foldedBias: true, path: 'direct+interior', omitRawWeights: true,
    requantMode: mode === 'fast' ? 'right-zp' : 'general',
    stackBytes: 36 + 16 + 8, weightFormat: fmt, quantTables: mode === 'general',
    extraTables: [{
      name: 'dw_weights', values: stream,
      comment: fmt === 'int8'
        ? 'records per group of 4 channels: int8 tap weight words, the bias folded over all taps, requantisation parameters (simd-dw.ts)'
        : 'records per group of 4 channels: int16 tap weights, requantisation parameters, folded bias per pixel class (simd-dw.ts)',
    }],
  };
}

/** The simd variant's support for any layer: the depthwise 3x3 kernel here, the others simd.ts's. */
export function simdLayerSupport(plan: LayerPlan, fmt: WeightFormat = 'int8'): string | null {
  if (plan.kind === 'depthwise') return simdDwSupport(plan, fmt);
  const pw = simdSupport(plan, fmt);
  // conv2d (and strided / padded 1x1) layers the pointwise kernel does not run: simd-conv.ts's im2col kernel
  return pw !== null && (plan.kind === 'conv2d' || plan.kind === 'pointwise') ? simdConvSupport(plan) : pw;
}

/** The simd variant's kernel for any layer it supports (simdLayerSupport). */
export function simdLayerKernel(plan: LayerPlan, weights: Int8Array, opts: SimdOptions = {}): SimdKernel {
  if (plan.kind === 'depthwise') return simdDwKernel(plan, weights, opts);
  return simdSupport(plan, opts.weights ?? 'int8') !== null && (plan.kind === 'conv2d' || plan.kind === 'pointwise')
    ? simdConvKernel(plan, weights, opts) : simdKernel(plan, weights, opts);
}

/**
 * The general requantisation of a group's n accumulators (requant.ts, with the channel index read from the record at
 * `chOffset(j)`), each stored to output byte j; r1 is saved around it.
 */
function generalRequantGroup(a: Asm, plan: LayerPlan, n: number, chOffset: (j: number) => number, id: string): void {
  a.i('push {r1}');
  for (let j = 0; j < n; j++) {
    const acc = ACC[j]!;
    a.i(`ldr r1, [r2, #${chOffset(j)}]    @ channel index`);
    a.lines.push(...requantAsm(plan, { acc, ch: 'r1', t: ['r8', 'r9', 'r10', 'r11', 'r12', 'lr'], label: `rq_${id}_${j}` }));
    a.i(`strb.w ${acc}, [r0, #${j}]`);
  }
  a.i('pop {r1}');
}

/**
 * How a group reaches its kernel rows: kernel row ky is ky dh input rows (S bytes each) down, tap kx kx dw pixels (C
 * bytes) across. When every tap is within LDR's 4095-byte offset of r7, rows are offsets from r7; otherwise rows 1 and
 * 2 get base registers r8 and r9 (set up here, for the rows the class uses). Returns (ky, kx) -> [base register, offset].
 */
function tapAddress(a: Asm, plan: LayerPlan, cls: DwClass, S: number, C: number): (ky: number, kx: number) => [string, number] {
  const RS = plan.dh * S, CS = plan.dw * C;
  const oneBase = 2 * RS + 2 * CS + 3 <= 4095;
  if (!oneBase) {
    if (cls.ky0 <= 1 && cls.ky1 > 1) a.i(...addImm('r8', 'r7', RS, 'r10').map((l) => `${l}    @ row 1`));
    if (cls.ky1 > 2) a.i(...addImm('r9', 'r7', 2 * RS, 'r10').map((l) => `${l}    @ row 2`));
  }
  return (ky, kx) => (oneBase ? ['r7', ky * RS + kx * CS] : [['r7', 'r8', 'r9'][ky]!, kx * CS]);
}
