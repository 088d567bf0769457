/**
 * The DSP-SIMD general convolution (im2col), for conv2d layers the pointwise kernel does not run (any kernel size,
 * any stride, any dilation, any padding; the first layer of MobileNetV2, 3x3 stride 2 with 3 input channels, too).
 *
 * Reduction order: segments. A segment is a run of taps whose input bytes are contiguous in NHWC:
 *   - dilation 1 across (dw = 1): one segment per kernel row ky, the taps (ky, 0..kw-1), Ls = kw x inC bytes;
 *   - dw > 1: one segment per tap (ky, kx), Ls = inC bytes (the taps of a row are dw x inC bytes apart).
 * Each segment is padded to Ls4 = Ls rounded up to a multiple of 4 with zero weights, so it is whole groups of 4 and
 * the widening reads it with word loads at its start + 4j (the 0..3 bytes past it meet zero weights). The kernel
 * reduces over K' = the sum of the Ls4 values. The stem: Lr = 9 -> 12, K' = 36 for 27 products (the price of aligned
 * groups: no byte shuffling). A segment (ky, kx0) of an output pixel starts at its tap (0, 0) + ky dh S + kx0 dw inC
 * (S = inW x inC): dilation is only where the taps are read from.
 *
 * Per pair of output pixels (raster order; the odd last pixel alone):
 * 1. im2col: each pixel's receptive field is widened into a stack buffer as int16 lanes, group g (reduction values
 *    4g..4g+3): word 0 = [x0+off, x2+off], word 1 = [x1+off, x3+off] (SXTAB16 with the input offset in both lanes,
 *    and SXTAB16 of x ROR 8: reference/int8-semantics.md, "How CMSIS-NN uses the DSP extension", lane order 0,2 / 1,3).
 *    - interior pixels (every tap inside the image: 0 <= iy0 <= inH - 1 - (kh-1) dh, 0 <= ix0 <= inW - 1 -
 *      (kw-1) dw, two unsigned compares) are widened straight from the input;
 *    - border pixels first build their receptive field as bytes in a stack scratch area, segment after segment
 *      (runtime loops over the taps, each tap's row and column compared unsigned with the image), the taps outside
 *      the image written as the input zero point z (so x + off = z - z = 0: a padded tap contributes 0, as in the
 *      reference), then widened from the scratch area in the same way.
 * 2. The matrix kernel over output channels: simd.ts's compact schedule (matrixBlock, channelLoop, shared), blocks
 *    of 2 channels x 2 pixels (the odd channel / pixel alone): per group LDR x 4 (buffer), LDR x 4 (weights), SMLAD x 8.
 *
 * Flash table `conv_weights`, one record per block of O output channels (pairs, then the odd last one; simd.ts
 * recordLayout / packRecords):
 *   int32 bias[O]         bias (x 2 in the fast mode); the input offset is in the widened inputs (not folded: padded
 *                         taps must contribute nothing)
 *   int32 params[O][k]    fast mode: M, T = 2^(R-1) + zp 2^R, R (k = 3); general: the channel index (k = 1)
 *   int16 w[G][O][2][2]   group g, channel j: [w0, w2], [w1, w3] (x 2 in the fast mode; zero on the segment padding)
 *
 * Requantisation, bit-exact with src/nn/quant.ts (reference/int8-semantics.md, double rounding): as simd-dw.ts's
 * fast path, when every shift is <= -1 and, with B = |bias| + sum |w| x max(|-128 + off|, |127 + off|) (a bound of
 * |acc| whatever taps are padded), 2B + 2^(R-1) + |zp| 2^R + 1 < 2^31 for every channel: the weights and bias are
 * doubled (accumulator 2 acc) and SMMLAR(2acc, M, T - (acc < 0)) >> R = RDBPOT(SRDHM(acc, M), R) + zp; then SSAT #8
 * (with ASR #R when every channel has the same shift), the clamp, STRB: simd.ts's 'right-zp' requantisation.
 * Otherwise (single rounding, left shifts, possible overflow) requant.ts's general code runs with the channel index
 * from the record; the int32 accumulator wraps there as in the reference.
 *
 * Registers in the matrix part: r0 output of the pixel pair, r2 record, r3 r4 r6 r7 accumulators, r8-r11 inputs,
 * r12 lr r1 r5 weights. The im2col part keeps r0 and uses the others as scratch; the pixel walk lives in the frame.
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, Asm } from './asm.js';
import type { RequantMode, SimdKernel, SimdOptions } from './simd.js';
import { channelLoop, channelParams, matrixBlock, packRecords, recordLayout } from './simd.js';
import { channelParams8, matrixBlock8, packRecords8, paramWords8, recordLayout8, reductionShape, type WeightFormat } from './simd8.js';

/** Largest number of groups of 4 reduction values (K' / 4): LDR / STR immediate offsets of records and buffer. */
export const SIMD_CONV_MAX_GROUPS = 240;

export type ConvRequantMode = 'fast' | 'general';

/** A segment of the reduction: `taps` taps (ky, kx0..kx0+taps-1), `len` bytes padded to `len4`, from value `start`. */
export interface ConvSegment { ky: number; kx0: number; taps: number; len: number; len4: number; start: number }

/** The segments of a layer's reduction (file header). */
export function convSegments(plan: LayerPlan): ConvSegment[] {
  const out: ConvSegment[] = [];
  let start = 0;
  const push = (ky: number, kx0: number, taps: number) => {
    const len = taps * plan.inC, len4 = Math.ceil(len / 4) * 4;
    out.push({ ky, kx0, taps, len, len4, start });
    start += len4;
  };
  for (let ky = 0; ky < plan.kh; ky++) {
    if (plan.dw === 1) push(ky, 0, plan.kw);
    else for (let kx = 0; kx < plan.kw; kx++) push(ky, kx, 1);
  }
  return out;
}

/** The shape of the reduction: segment length Lr (a kernel row at dilation 1 across, a tap else), padded Lr4, K', groups G. */
export function convReduction(plan: LayerPlan): { Lr: number; Lr4: number; K: number; G: number } {
  const segs = convSegments(plan);
  const K = segs.reduce((n, s) => n + s.len4, 0);
  return { Lr: segs[0]!.len, Lr4: segs[0]!.len4, K, G: K / 4 };
}

/** Why the simd im2col kernel does not run a layer (null: it does). */
export function simdConvSupport(plan: LayerPlan): string | null {
  const name = 'the simd im2col kernel';
  if (plan.kind !== 'conv2d' && plan.kind !== 'pointwise') return `kind: ${name} runs conv2d layers, not ${plan.kind}`;
  const { G } = convReduction(plan);
  if (G > SIMD_CONV_MAX_GROUPS) return `input.c: ${name} takes up to ${4 * SIMD_CONV_MAX_GROUPS} values per output (the kernel rows or taps, each rounded up to 4 bytes), this layer has ${4 * G}`;
  if (plan.outC + 1 > 4095) return `outChannels: ${name} stores at immediate offsets up to 4095, ${plan.outC} channels are too many`;
  return null;
}

/** The requantisation mode (file header). */
export function convRequantMode(plan: LayerPlan, weights: Int8Array): ConvRequantMode {
  if (plan.rounding !== 'double') return 'general';
  if (!Array.from(plan.shifts).every((s) => s <= -1)) return 'general';
  const n = plan.kh * plan.kw * plan.inC;
  const xmax = Math.max(Math.abs(-128 + plan.inputOffset), Math.abs(127 + plan.inputOffset));
  for (let oc = 0; oc < plan.outC; oc++) {
    let sa = 0;
    for (let i = 0; i < n; i++) sa += Math.abs(weights[oc * n + i]!);
    const B = Math.abs(plan.bias ? plan.bias[oc]! : 0) + xmax * sa;
    const R = -plan.shifts[oc]!;
    if (2 * B + 2 ** (R - 1) + Math.abs(plan.outputOffset) * 2 ** R + 1 >= 2 ** 31) return 'general';
  }
  return 'fast';
}

/** simd.ts's requantisation mode that is the fast / general mode here (same parameter words). */
const matrixMode = (mode: ConvRequantMode): RequantMode => (mode === 'fast' ? 'right-zp' : 'general');
const paramWords = (mode: ConvRequantMode) => (mode === 'fast' ? 3 : 1);

/** The `conv_weights` table (file header; int8: simd8.ts's records) as int32 words. */
export function convWeightStream(plan: LayerPlan, weights: Int8Array, mode: ConvRequantMode, fmt: WeightFormat = 'int16'): Int32Array {
  const { inC, kw } = plan;
  const segs = convSegments(plan);
  const { G } = convReduction(plan);
  const n = plan.kh * kw * inC;
  /** weight of reduction value r of channel oc: segment s, byte t of it (zero on the segment padding) */
  const w = (oc: number, r: number) => {
    const s = segs.find((x) => r >= x.start && r < x.start + x.len4)!;
    const t = r - s.start;
    if (t >= s.len) return 0;
    const kx = s.kx0 + Math.floor(t / inC), ic = t % inC;
    return weights[oc * n + (s.ky * kw + kx) * inC + ic]!;
  };
  if (fmt === 'int8') {
    // int8 weights are not doubled: the widened inputs are (SADD16), and the bias
    return packRecords8(plan.outC, G, (oc) => channelParams8(plan, matrixMode(mode), oc), paramWords8(matrixMode(mode)),
      (oc) => Math.imul(plan.bias ? plan.bias[oc]! : 0, mode === 'fast' ? 2 : 1), w);
  }
  return packRecords(plan.outC, G, (oc) => channelParams(plan, matrixMode(mode), oc), paramWords(mode), mode === 'fast' ? 2 : 1,
    (oc) => (plan.bias ? plan.bias[oc]! : 0), w);
}

/**
 * frame: [sp] pixel pairs left, #4 simd weights, #8 end of the pairs' records, #12 output columns left in the row,
 * #16 iy0, #20 ix0 (the next pixel's tap (0, 0)), #24 its input address, #28 the row's first pixel's input address;
 * #32 the widened buffer (2 pixels x G groups x 8 bytes), then the border scratch (K' bytes)
 */
const FR = { PAIRS: 0, WSTART: 4, WPAIRS_END: 8, OXL: 12, IY0: 16, IX0: 20, XP: 24, XPROW: 28, OUT: 32, BUF: 40 } as const;
/** the widened buffer: int16 weights, pixel after pixel; int8 weights, a group's two pixels side by side (simd8.ts Buf8) */
type Slot = (p: number, g: number, h: number) => number;
const slotOf = (fmt: WeightFormat, G: number): Slot => (fmt === 'int8' ? (p, g, h) => FR.BUF + 16 * g + 8 * p + 4 * h : (p, g, h) => FR.BUF + 8 * (p * G + g) + 4 * h);

/**
 * Widen the segments into buffer slot p: segment s read from `base` + `at(s)`. Uses r1-r4, r6-r12, lr.
 */
function widenSegments(a: Asm, plan: LayerPlan, base: string, at: (s: ConvSegment) => number, p: number, slot: Slot, x2: boolean): void {
  const off = plan.inputOffset & 0xffff;
  a.i(...movImm('r12', (off | (off << 16)) | 0).map((l) => `${l}    @ input offset ${plan.inputOffset} in both lanes`));
  const LD = ['r1', 'r2', 'r3'], ST = ['r4', 'r6', 'r7', 'r8', 'r9', 'r10'];
  for (const s of convSegments(plan)) {
    const what = s.taps === plan.kw ? `row ${s.ky}` : `tap (${s.ky}, ${s.kx0})`;
    let rb = base, ro = at(s);
    if (ro + s.len4 > 4095) { a.i(...addImm('lr', base, ro, 'r1').map((l) => `${l}    @ ${what}`)); rb = 'lr'; ro = 0; }
    const per = s.len4 / 4;
    for (let j0 = 0; j0 < per; j0 += 3) {
      const n = Math.min(3, per - j0);
      for (let q = 0; q < n; q++) a.i(`ldr.w ${LD[q]}, [${rb}, #${ro + 4 * (j0 + q)}]    @ ${what}, bytes ${4 * (j0 + q)}..${4 * (j0 + q) + 3}`);
      for (let q = 0; q < n; q++) a.i(`sxtab16 ${ST[2 * q]}, r12, ${LD[q]}`, `sxtab16 ${ST[2 * q + 1]}, r12, ${LD[q]}, ror #8`);
      if (x2) for (let q = 0; q < n; q++) a.i(`sadd16 ${ST[2 * q]}, ${ST[2 * q]}, ${ST[2 * q]}`, `sadd16 ${ST[2 * q + 1]}, ${ST[2 * q + 1]}, ${ST[2 * q + 1]}`);
      for (let q = 0; q < n; q++) {
        const g = s.start / 4 + j0 + q;
        a.i(`str.w ${ST[2 * q]}, [sp, #${slot(p, g, 0)}]`, `str.w ${ST[2 * q + 1]}, [sp, #${slot(p, g, 1)}]`);
      }
    }
  }
}

/** Byte copy (or fill with r12's low byte when src is null) of n bytes to [dst], from [src]; uses r3, r4, r7, lr. */
function byteRun(a: Asm, n: number, src: string | null, dst: string, id: string): void {
  if (n <= 16) {
    for (let c = 0; c < n; c++) {
      if (src) a.i(`ldrb r3, [${src}, #${c}]`, `strb r3, [${dst}, #${c}]`);
      else a.i(`strb r12, [${dst}, #${c}]`);
    }
    return;
  }
  if (src) a.i(`mov r7, ${src}`);
  a.i(`mov lr, ${dst}`, ...movImm('r4', n));
  a.label(id);
  if (src) a.i('ldrb r3, [r7], #1', 'strb r3, [lr], #1');
  else a.i('strb r12, [lr], #1');
  a.i('subs r4, r4, #1', `bne ${id}`);
}

/** im2col of the next pixel into buffer slot p, then step the pixel walk (frame). */
function gather(a: Asm, plan: LayerPlan, p: number, id: string, slot: Slot, x2: boolean): void {
  const { inH, inW, inC, kh, kw, dh, dw } = plan;
  const { G } = convReduction(plan);
  const S = inW * inC;
  const padded = plan.pad.top + plan.pad.bottom + plan.pad.left + plan.pad.right > 0;
  // the last tap row / column of a pixel whose tap (0, 0) is at (iy0, ix0): iy0 + (kh-1) dh, ix0 + (kw-1) dw
  const spanH = (kh - 1) * dh + 1, spanW = (kw - 1) * dw + 1;
  const interiorPossible = inH >= spanH && inW >= spanW;
  a.c(`im2col of a pixel into buffer slot ${p}`);
  if (padded && interiorPossible) {
    a.i(`ldr r6, [sp, #${FR.IY0}]`, ...cmpImm('r6', inH - spanH, 'r1'), `bhi ${id}_border    @ a tap row outside (negative counts as huge)`);
    a.i(`ldr r6, [sp, #${FR.IX0}]`, ...cmpImm('r6', inW - spanW, 'r1'), `bhi ${id}_border    @ a tap column outside`);
  }
  if (!padded || interiorPossible) {
    a.c('interior pixel: widen straight from the input');
    a.i(`ldr r5, [sp, #${FR.XP}]`);
    widenSegments(a, plan, 'r5', (s) => s.ky * dh * S + s.kx0 * dw * inC, p, slot, x2);
  }
  if (padded) {
    if (interiorPossible) a.i(`b ${id}_next`);
    a.label(`${id}_border`, `border pixel: the receptive field as bytes in the scratch area, outside taps = input zero point ${plan.inputZeroPoint}`);
    const scr = FR.BUF + 16 * G;
    const segs = convSegments(plan);
    a.i(...addImm('r1', 'sp', scr, 'r2'), `ldr r5, [sp, #${FR.XP}]`, `ldr r6, [sp, #${FR.IY0}]`, ...movImm('r9', kh));
    a.i(...movImm('r12', plan.inputZeroPoint & 0xff));
    a.label(`${id}_ky`, `kernel rows: ${kh}${dh > 1 ? `, ${dh} input rows apart` : ''}`);
    a.i(`ldr r10, [sp, #${FR.IX0}]`, 'mov r8, r5', ...movImm('r11', kw));
    a.label(`${id}_kx`, `kernel columns: ${kw}${dw > 1 ? `, ${dw} input columns apart (a segment each)` : ''}`);
    a.i(...cmpImm('r6', inH, 'r2'), `bhs ${id}_fill`, ...cmpImm('r10', inW, 'r2'), `bhs ${id}_fill`);
    byteRun(a, inC, 'r8', 'r1', `${id}_cp`);
    a.i(`b ${id}_tapnext`);
    a.label(`${id}_fill`);
    byteRun(a, inC, null, 'r1', `${id}_fl`);
    a.label(`${id}_tapnext`);
    const tapPad = dw > 1 ? segs[0]!.len4 - inC : 0;
    a.i(...addImm('r8', 'r8', dw * inC, 'r2'), ...addImm('r1', 'r1', inC + tapPad, 'r2'), `add.w r10, r10, #${dw}`, 'subs r11, r11, #1', `bne ${id}_kx`);
    if (dw === 1 && segs[0]!.len4 > segs[0]!.len) a.i(`add.w r1, r1, #${segs[0]!.len4 - segs[0]!.len}    @ the row padding (meets zero weights)`);
    a.i(...addImm('r5', 'r5', dh * S, 'r2'), `add.w r6, r6, #${dh}`, 'subs r9, r9, #1', `bne ${id}_ky`);
    a.i(...addImm('r5', 'sp', scr, 'r2'));
    widenSegments(a, plan, 'r5', (s) => s.start, p, slot, x2);
  }
  a.label(`${id}_next`, 'the next pixel');
  a.i(`ldr r5, [sp, #${FR.XP}]`, ...addImm('r5', 'r5', plan.sw * inC, 'r1'), `str r5, [sp, #${FR.XP}]`);
  a.i(`ldr r6, [sp, #${FR.IX0}]`, ...addImm('r6', 'r6', plan.sw, 'r1'), `str r6, [sp, #${FR.IX0}]`);
  a.i(`ldr r7, [sp, #${FR.OXL}]`, 'subs r7, r7, #1', `bne ${id}_row_same`);
  a.c('the next output row');
  a.i(...movImm('r7', plan.outW), `ldr r5, [sp, #${FR.XPROW}]`, ...addImm('r5', 'r5', plan.sh * S, 'r1'),
    `str r5, [sp, #${FR.XPROW}]`, `str r5, [sp, #${FR.XP}]`, ...movImm('r6', -plan.pad.left), `str r6, [sp, #${FR.IX0}]`,
    `ldr r6, [sp, #${FR.IY0}]`, ...addImm('r6', 'r6', plan.sh, 'r1'), `str r6, [sp, #${FR.IY0}]`);
  a.label(`${id}_row_same`);
  a.i(`str r7, [sp, #${FR.OXL}]`);
}

/** The DSP-SIMD im2col convolution kernel of a layer (throws naming the parameter when unsupported). */
export function simdConvKernel(plan: LayerPlan, weights: Int8Array, opts: Pick<SimdOptions, 'weights' | 'core'> = {}): SimdKernel {
  const why = simdConvSupport(plan);
  if (why) throw new Error(why);
  const fmt = opts.weights ?? 'int8';
  const { inC, outC, inW, kh, kw } = plan;
  const { K, G } = convReduction(plan);
  const mode = convRequantMode(plan, weights);
  const rq = matrixMode(mode);
  const stream = convWeightStream(plan, weights, mode, fmt);
  const k = fmt === 'int8' ? paramWords8(rq) : paramWords(mode);
  const slot = slotOf(fmt, G), x2 = fmt === 'int8' && mode === 'fast';
  const padded = plan.pad.top + plan.pad.bottom + plan.pad.left + plan.pad.right > 0;
  const frame = Math.ceil((FR.BUF + 16 * G + (padded ? K : 0)) / 8) * 8;
  const npx = plan.outH * plan.outW, pairs = Math.floor(npx / 2);
  const L2 = recordLayout(G, 2, k), L1 = recordLayout(G, 1, k);
  const L28 = recordLayout8(G, 2, k), L18 = recordLayout8(G, 1, k);
  const pairBytes = Math.floor(outC / 2) * (fmt === 'int8' ? L28.size : L2.size);
  const a = new Asm();
  a.c(`conv ${kh}x${kw} DSP-SIMD (im2col, ${fmt} weights): ${plan.inH}x${inW}x${inC} -> ${plan.outH}x${plan.outW}x${outC}, stride ${plan.sh}x${plan.sw}, ` +
    `dilation ${plan.dh}x${plan.dw}, pads t${plan.pad.top} b${plan.pad.bottom} l${plan.pad.left} r${plan.pad.right}; ` +
    `reduction ${convSegments(plan).length} segment(s), ${K} values (${G} groups); requantisation ${mode}`);
  a.c(`frame ${frame} bytes: pixel walk state, the widened buffer (2 x ${8 * G} bytes)${padded ? `, the border scratch (${K} bytes)` : ''}`);
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r1', frame), 'sub sp, sp, r1']));
  a.i('ldr r0, =output', 'ldr r1, =conv_weights', `str r1, [sp, #${FR.WSTART}]`, ...addImm('r1', 'r1', pairBytes, 'r2'), `str r1, [sp, #${FR.WPAIRS_END}]`);
  a.i('ldr r1, =input', ...addImm('r1', 'r1', (-plan.pad.top * inW - plan.pad.left) * inC, 'r2'), `str r1, [sp, #${FR.XP}]`, `str r1, [sp, #${FR.XPROW}]`);
  a.i(...movImm('r1', -plan.pad.top), `str r1, [sp, #${FR.IY0}]`, ...movImm('r1', -plan.pad.left), `str r1, [sp, #${FR.IX0}]`);
  a.i(...movImm('r1', plan.outW), `str r1, [sp, #${FR.OXL}]`);
  a.i('b kernel_body', '.ltorg');
  a.label('kernel_body');
  const channels = (P: 1 | 2, id: string) => {
    a.i(`ldr r2, [sp, #${FR.WSTART}]    @ the records, in order through all output channels`);
    if (fmt === 'int8') {
      channelLoop(a, outC, FR.WPAIRS_END, id, (O, bid) => matrixBlock8(a, plan, rq, O === 2 ? L28 : L18, P, { at: FR.BUF, stride: 16 }, bid, { outSlot: FR.OUT, strb: 'strb.w', core: opts.core }),
        !reductionShape(G).looped);
    } else {
      channelLoop(a, outC, FR.WPAIRS_END, id, (O, bid) => matrixBlock(a, plan, rq, O === 2 ? L2 : L1, P, slot, bid, 'strb.w'));
    }
  };
  if (pairs) {
    a.i(...movImm('r1', pairs), `str r1, [sp, #${FR.PAIRS}]`);
    a.label('pair_loop', `output pixel pairs: ${pairs}`);
    gather(a, plan, 0, 'g0', slot, x2);
    gather(a, plan, 1, 'g1', slot, x2);
    channels(2, 'pp');
    a.c('next pixel pair (r0 is at the second pixel\'s output)');
    a.i(...addImm('r0', 'r0', outC, 'r1'));
    a.i(`ldr r1, [sp, #${FR.PAIRS}]`, 'subs r1, r1, #1', `str r1, [sp, #${FR.PAIRS}]`, 'bne pair_loop');
  }
  if (npx % 2) { a.c('the odd last pixel'); gather(a, plan, 0, 'gl', slot, x2); channels(1, 'px'); }
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r1', frame), 'add sp, sp, r1']), 'pop {r4-r11, pc}');
  const lines = ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...a.lines, '  .ltorg', 'kernel_end:'];
  return {
    lines, bias: Int32Array.from(plan.bias ?? new Int32Array(outC)), foldedBias: false, path: padded ? 'direct+interior' : 'interior',
    omitRawWeights: true, requantMode: rq, stackBytes: 36 + frame, schedule: 'compact-2x2',
    inlineConstantBytes: 0, weightFormat: fmt, quantTables: mode === 'general',
    extraTables: [{
      name: 'conv_weights', values: stream,
      comment: fmt === 'int8'
        ? 'records per output channel pair: bias, int8 weight words by groups of 4 of the segments (kernel rows or taps) rounded up to 4, requantisation parameters (simd8.ts)'
        : 'records per output channel pair: bias, requantisation parameters, int16 weight pairs by groups of 4 of the segments (kernel rows or taps) rounded up to 4 (simd-conv.ts)',
    }],
  };
}
