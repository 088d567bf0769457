/**
 * The DSP-SIMD general convolution (im2col), for conv2d layers the pointwise kernel does not run (any kernel size,
 * any stride, dilation 1, any padding; the first layer of MobileNetV2, 3x3 stride 2 with 3 input channels, too).
 *
 * Reduction order. The kernel reduces over K' = kh x Lr4 values: each kernel row ky is the contiguous run of
 * Lr = kw x inC input bytes (NHWC, dilation 1: taps (ky, 0..kw-1), all channels), padded to Lr4 = Lr rounded up to
 * a multiple of 4 with zero weights. So every kernel row is whole groups of 4 and the widening reads each row with
 * word loads at the row's start + 4j (the 0..3 bytes past the row meet zero weights). The stem: Lr = 9 -> 12,
 * K' = 36 for 27 products (the price of aligned groups: no byte shuffling).
 *
 * Per pair of output pixels (raster order; the odd last pixel alone):
 * 1. im2col: each pixel's receptive field is widened into a stack buffer as int16 lanes, group g (reduction values
 *    4g..4g+3): word 0 = [x0+off, x2+off], word 1 = [x1+off, x3+off] (SXTAB16 with the input offset in both lanes,
 *    and SXTAB16 of x ROR 8: reference/int8-semantics.md, "How CMSIS-NN uses the DSP extension", lane order 0,2 / 1,3).
 *    - interior pixels (every tap inside the image: 0 <= iy0 <= inH - kh, 0 <= ix0 <= inW - kw, two unsigned
 *      compares) are widened straight from the input rows;
 *    - border pixels first build their kh x Lr4 receptive field as bytes in a stack scratch area (runtime loops over
 *      the taps, each tap's row and column compared unsigned with the image), the taps outside the image written
 *      as the input zero point z (so x + off = z - z = 0: a padded tap contributes 0, as in the reference), then
 *      widened from the scratch area in the same way.
 * 2. The matrix kernel over output channels, blocks of 2 channels x 2 pixels (the odd channel / pixel alone) as
 *    simd.ts's compact schedule: per group LDR x 4 (buffer), LDR x 4 (weights), SMLAD x 8.
 *
 * Flash table `conv_weights`, one record per block of O output channels (pairs, then the odd last one):
 *   int32 bias[O]         bias (x 2 in the fast mode); the input offset is in the widened inputs (not folded: padded
 *                         taps must contribute nothing)
 *   int32 params[O][k]    fast mode: M, T = 2^(R-1) + zp 2^R, R (k = 3); general: the channel index (k = 1)
 *   int16 w[G][O][2][2]   group g, channel j: [w0, w2], [w1, w3] (x 2 in the fast mode; zero on the row padding)
 *
 * Requantisation, bit-exact with src/nn/quant.ts (reference/int8-semantics.md, double rounding): as simd-dw.ts's
 * fast path, when every shift is <= -1 and, with B = |bias| + sum |w| x max(|-128 + off|, |127 + off|) (a bound of
 * |acc| whatever taps are padded), 2B + 2^(R-1) + |zp| 2^R + 1 < 2^31 for every channel: the weights and bias are
 * doubled (accumulator 2 acc) and SMMLAR(2acc, M, T - (acc < 0)) >> R = RDBPOT(SRDHM(acc, M), R) + zp; then SSAT #8,
 * the clamp, STRB. Otherwise (single rounding, left shifts, possible overflow) requant.ts's general code runs with
 * the channel index from the record; the int32 accumulator wraps there as in the reference.
 *
 * Registers in the matrix part: r0 output of the pixel pair, r2 record, r3 r4 r6 r7 accumulators, r8-r11 inputs,
 * r12 lr r1 r5 weights. The im2col part keeps r0 and uses the others as scratch; the pixel walk lives in the frame.
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, movSmall, Asm } from './asm.js';
import { uniformShift } from './requant.js';
import type { SimdKernel } from './simd.js';
import { ACC, XR, WR, generalRequant } from './simd.js';

/** Largest number of groups of 4 reduction values (K' / 4): LDR / STR immediate offsets of records and buffer. */
export const SIMD_CONV_MAX_GROUPS = 240;

export type ConvRequantMode = 'fast' | 'general';

/** The shape of the reduction: row length Lr, padded Lr4, groups G. */
export function convReduction(plan: LayerPlan): { Lr: number; Lr4: number; K: number; G: number } {
  const Lr = plan.kw * plan.inC, Lr4 = Math.ceil(Lr / 4) * 4;
  return { Lr, Lr4, K: plan.kh * Lr4, G: (plan.kh * Lr4) / 4 };
}

/** Why the simd im2col kernel does not run a layer (null: it does). */
export function simdConvSupport(plan: LayerPlan): string | null {
  const name = 'the simd im2col kernel';
  if (plan.kind !== 'conv2d' && plan.kind !== 'pointwise') return `kind: ${name} runs conv2d layers, not ${plan.kind}`;
  if (plan.dh !== 1 || plan.dw !== 1) return `dilation: ${name} runs dilation 1, not ${plan.dh}x${plan.dw}`;
  const { G } = convReduction(plan);
  if (G > SIMD_CONV_MAX_GROUPS) return `input.c: ${name} takes up to ${4 * SIMD_CONV_MAX_GROUPS} values per output (kh x roundup4(kw x inC)), this layer has ${4 * G}`;
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

const paramWords = (mode: ConvRequantMode) => (mode === 'fast' ? 3 : 1);

/** The record layout of a block of O channels. */
function recordLayout(G: number, O: number, k: number) {
  const wBase = 4 * O * (1 + k);
  return {
    bias: (j: number) => 4 * j,
    param: (j: number, i: number) => 4 * O + 4 * (j * k + i),
    w: (g: number, j: number, h: number) => wBase + 8 * (g * O + j) + 4 * h,
    size: wBase + 8 * G * O,
  };
}

/** The `conv_weights` table (file header) as int32 words. */
export function convWeightStream(plan: LayerPlan, weights: Int8Array, mode: ConvRequantMode): Int32Array {
  const { outC } = plan;
  const { Lr, Lr4, G } = convReduction(plan);
  const n = plan.kh * Lr;
  const k = paramWords(mode), x2 = mode === 'fast' ? 2 : 1;
  const blocks: [number, number][] = [];
  for (let oc = 0; oc + 1 < outC; oc += 2) blocks.push([oc, 2]);
  if (outC % 2) blocks.push([outC - 1, 1]);
  const total = blocks.reduce((s, [, O]) => s + recordLayout(G, O, k).size, 0);
  const dv = new DataView(new ArrayBuffer(total));
  let at = 0;
  for (const [c0, O] of blocks) {
    const L = recordLayout(G, O, k);
    for (let j = 0; j < O; j++) {
      const oc = c0 + j;
      dv.setInt32(at + L.bias(j), Math.imul(plan.bias ? plan.bias[oc]! : 0, x2), true);
      const M = plan.multipliers[oc]!, R = -plan.shifts[oc]!;
      const params = mode === 'fast' ? [M, 2 ** (R - 1) + plan.outputOffset * 2 ** R, R] : [oc];
      params.forEach((v, i) => dv.setInt32(at + L.param(j, i), v | 0, true));
      /** weight of reduction index r (row ky = r / Lr4, t = r % Lr4; zero on the row padding) */
      const w = (r: number) => { const ky = Math.floor(r / Lr4), t = r % Lr4; return t < Lr ? weights[oc * n + ky * Lr + t]! : 0; };
      for (let g = 0; g < G; g++) for (let h = 0; h < 2; h++) {
        dv.setInt16(at + L.w(g, j, h), x2 * w(4 * g + h), true);
        dv.setInt16(at + L.w(g, j, h) + 2, x2 * w(4 * g + h + 2), true);
      }
    }
    at += L.size;
  }
  return new Int32Array(dv.buffer);
}


/** accumulator of (channel j, pixel p); inputs of pixel p, half h; weights of channel j, half h: simd.ts's */
/**
 * frame: [sp] pixel pairs left, #4 simd weights, #8 end of the pairs' records, #12 output columns left in the row,
 * #16 iy0, #20 ix0 (the next pixel's tap (0, 0)), #24 its input address, #28 the row's first pixel's input address;
 * #32 the widened buffer (2 pixels x G groups x 8 bytes), then the border scratch (kh x Lr4 bytes)
 */
const FR = { PAIRS: 0, WSTART: 4, WPAIRS_END: 8, OXL: 12, IY0: 16, IX0: 20, XP: 24, XPROW: 28, BUF: 32 } as const;
const bufOff = (G: number, p: number, g: number, h: number) => FR.BUF + 8 * (p * G + g) + 4 * h;

/** Widen kh rows of Lr4 bytes (row r at `base` + r x stride) into buffer slot p. Uses r1-r4, r6-r12, lr. */
function widenRows(a: Asm, plan: LayerPlan, base: string, stride: number, p: number, G: number, Lr4: number): void {
  const off = plan.inputOffset & 0xffff;
  a.i(...movImm('r12', (off | (off << 16)) | 0).map((l) => `${l}    @ input offset ${plan.inputOffset} in both lanes`));
  const per = Lr4 / 4;
  const LD = ['r1', 'r2', 'r3'], ST = ['r4', 'r6', 'r7', 'r8', 'r9', 'r10'];
  for (let ky = 0; ky < plan.kh; ky++) {
    let rb = base, ro = ky * stride;
    if (ro + Lr4 > 4095) { a.i(...addImm('lr', base, ro, 'r1').map((l) => `${l}    @ kernel row ${ky}`)); rb = 'lr'; ro = 0; }
    for (let j0 = 0; j0 < per; j0 += 3) {
      const n = Math.min(3, per - j0);
      for (let q = 0; q < n; q++) a.i(`ldr.w ${LD[q]}, [${rb}, #${ro + 4 * (j0 + q)}]    @ row ${ky}, bytes ${4 * (j0 + q)}..${4 * (j0 + q) + 3}`);
      for (let q = 0; q < n; q++) a.i(`sxtab16 ${ST[2 * q]}, r12, ${LD[q]}`, `sxtab16 ${ST[2 * q + 1]}, r12, ${LD[q]}, ror #8`);
      for (let q = 0; q < n; q++) {
        const g = ky * per + j0 + q;
        a.i(`str.w ${ST[2 * q]}, [sp, #${bufOff(G, p, g, 0)}]`, `str.w ${ST[2 * q + 1]}, [sp, #${bufOff(G, p, g, 1)}]`);
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
function gather(a: Asm, plan: LayerPlan, p: number, id: string): void {
  const { inH, inW, inC, kh, kw } = plan;
  const { Lr, Lr4, G } = convReduction(plan);
  const S = inW * inC;
  const padded = plan.pad.top + plan.pad.bottom + plan.pad.left + plan.pad.right > 0;
  const interiorPossible = inH >= kh && inW >= kw;
  a.c(`im2col of a pixel into buffer slot ${p}`);
  if (padded && interiorPossible) {
    a.i(`ldr r6, [sp, #${FR.IY0}]`, ...cmpImm('r6', inH - kh, 'r1'), `bhi ${id}_border    @ a tap row outside (negative counts as huge)`);
    a.i(`ldr r6, [sp, #${FR.IX0}]`, ...cmpImm('r6', inW - kw, 'r1'), `bhi ${id}_border    @ a tap column outside`);
  }
  if (!padded || interiorPossible) {
    a.c('interior pixel: widen straight from the input rows');
    a.i(`ldr r5, [sp, #${FR.XP}]`);
    widenRows(a, plan, 'r5', S, p, G, Lr4);
  }
  if (padded) {
    if (interiorPossible) a.i(`b ${id}_next`);
    a.label(`${id}_border`, `border pixel: the receptive field as bytes in the scratch area, outside taps = input zero point ${plan.inputZeroPoint}`);
    const scr = FR.BUF + 16 * G;
    a.i(...addImm('r1', 'sp', scr, 'r2'), `ldr r5, [sp, #${FR.XP}]`, `ldr r6, [sp, #${FR.IY0}]`, ...movImm('r9', kh));
    a.i(...movImm('r12', plan.inputZeroPoint & 0xff));
    a.label(`${id}_ky`, `kernel rows: ${kh}`);
    a.i(`ldr r10, [sp, #${FR.IX0}]`, 'mov r8, r5', ...movImm('r11', kw));
    a.label(`${id}_kx`, `kernel columns: ${kw}`);
    a.i(...cmpImm('r6', inH, 'r2'), `bhs ${id}_fill`, ...cmpImm('r10', inW, 'r2'), `bhs ${id}_fill`);
    byteRun(a, inC, 'r8', 'r1', `${id}_cp`);
    a.i(`b ${id}_tapnext`);
    a.label(`${id}_fill`);
    byteRun(a, inC, null, 'r1', `${id}_fl`);
    a.label(`${id}_tapnext`);
    a.i(...addImm('r8', 'r8', inC, 'r2'), ...addImm('r1', 'r1', inC, 'r2'), 'add.w r10, r10, #1', 'subs r11, r11, #1', `bne ${id}_kx`);
    if (Lr4 > Lr) a.i(`add.w r1, r1, #${Lr4 - Lr}    @ the row padding (meets zero weights)`);
    a.i(...addImm('r5', 'r5', S, 'r2'), 'add.w r6, r6, #1', 'subs r9, r9, #1', `bne ${id}_ky`);
    a.i(...addImm('r5', 'sp', scr, 'r2'));
    widenRows(a, plan, 'r5', Lr4, p, G, Lr4);
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

/** One block: O output channels x P pixels, r2 at its record, r0 at (pixel, channel) of the output. */
function block(a: Asm, plan: LayerPlan, mode: ConvRequantMode, G: number, O: 1 | 2, P: 1 | 2, id: string): void {
  const { outC } = plan;
  const k = paramWords(mode);
  const L = recordLayout(G, O, k);
  const js = O === 2 ? [0, 1] : [0], ps = P === 2 ? [0, 1] : [0];
  a.c(`block ${O} channel(s) x ${P} pixel(s): accumulators = bias${mode === 'fast' ? ' x 2' : ''}`);
  for (const j of js) a.i(`ldr.w ${ACC[j]![0]}, [r2, #${L.bias(j)}]`);
  if (P === 2) for (const j of js) a.i(`mov.w ${ACC[j]![1]}, ${ACC[j]![0]}`);
  for (let g = 0; g < G; g++) {
    a.c(`reduction values ${4 * g}..${4 * g + 3}: ${4 * O * P} MACs`);
    for (const p of ps) for (const h of [0, 1]) a.i(`ldr.w ${XR[p]![h]}, [sp, #${bufOff(G, p, g, h)}]`);
    for (const j of js) for (const h of [0, 1]) a.i(`ldr.w ${WR[j]![h]}, [r2, #${L.w(g, j, h)}]`);
    for (const h of [0, 1]) for (const j of js) for (const p of ps) a.i(`smlad ${ACC[j]![p]}, ${XR[p]![h]}, ${WR[j]![h]}, ${ACC[j]![p]}`);
  }
  const store = (acc: string, j: number, p: number) => a.i(`strb.w ${acc}, [r0, #${p * outC + j}]`);
  if (mode === 'general') {
    generalRequant(a, plan, (j) => L.param(j, 0), js, ps, id, store);
  } else {
    const us = uniformShift(plan);
    const PREG = [['r8', 'r9', 'r10'], ['r11', 'r12', 'lr']] as const;
    a.c('requantise: SMMLAR(2acc, M, 2^(R-1) + zp 2^R - (acc < 0)) >> R, SSAT #8, clamp');
    for (const j of js) for (let i = 0; i < (us === null ? 3 : 2); i++) a.i(`ldr.w ${PREG[j]![i]}, [r2, #${L.param(j, i)}]`);
    for (const j of js) for (const p of ps) {
      const acc = ACC[j]![p]!;
      a.i(`add.w r5, ${PREG[j]![1]}, ${acc}, asr #31    @ T - (acc < 0)`, `smmlar ${acc}, ${acc}, ${PREG[j]![0]}, r5`);
      if (us === null) a.i(`asr.w ${acc}, ${acc}, ${PREG[j]![2]}`, `ssat ${acc}, #8, ${acc}`);
      else a.i(`ssat ${acc}, #8, ${acc}, asr #${-us}`);
      if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, 'r1'), 'it lt', movSmall(acc, plan.actMin, 'lt'));
      if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, 'r1'), 'it gt', movSmall(acc, plan.actMax, 'gt'));
      store(acc, j, p);
    }
  }
  a.i(...addImm('r2', 'r2', L.size, 'r1').map((l) => `${l}    @ next record`), `add.w r0, r0, #${O}`);
  if (mode === 'general') { a.i(`b ${id}_pool_end`, '.ltorg'); a.label(`${id}_pool_end`); }
}

/** The DSP-SIMD im2col convolution kernel of a layer (throws naming the parameter when unsupported). */
export function simdConvKernel(plan: LayerPlan, weights: Int8Array): SimdKernel {
  const why = simdConvSupport(plan);
  if (why) throw new Error(why);
  const { inC, outC, inW, kh, kw } = plan;
  const { Lr4, G } = convReduction(plan);
  const mode = convRequantMode(plan, weights);
  const stream = convWeightStream(plan, weights, mode);
  const k = paramWords(mode);
  const padded = plan.pad.top + plan.pad.bottom + plan.pad.left + plan.pad.right > 0;
  const frame = Math.ceil((FR.BUF + 16 * G + (padded ? kh * Lr4 : 0)) / 8) * 8;
  const npx = plan.outH * plan.outW, pairs = Math.floor(npx / 2);
  const pairBytes = Math.floor(outC / 2) * recordLayout(G, 2, k).size;
  const a = new Asm();
  a.c(`conv ${kh}x${kw} DSP-SIMD (im2col): ${plan.inH}x${inW}x${inC} -> ${plan.outH}x${plan.outW}x${outC}, stride ${plan.sh}x${plan.sw}, ` +
    `pads t${plan.pad.top} b${plan.pad.bottom} l${plan.pad.left} r${plan.pad.right}; reduction ${kh} x ${Lr4} (${G} groups); requantisation ${mode}`);
  a.c(`frame ${frame} bytes: pixel walk state, the widened buffer (2 x ${8 * G} bytes)${padded ? `, the border scratch (${kh * Lr4} bytes)` : ''}`);
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r1', frame), 'sub sp, sp, r1']));
  a.i('ldr r0, =output', 'ldr r1, =conv_weights', `str r1, [sp, #${FR.WSTART}]`, ...addImm('r1', 'r1', pairBytes, 'r2'), `str r1, [sp, #${FR.WPAIRS_END}]`);
  a.i('ldr r1, =input', ...addImm('r1', 'r1', (-plan.pad.top * inW - plan.pad.left) * inC, 'r2'), `str r1, [sp, #${FR.XP}]`, `str r1, [sp, #${FR.XPROW}]`);
  a.i(...movImm('r1', -plan.pad.top), `str r1, [sp, #${FR.IY0}]`, ...movImm('r1', -plan.pad.left), `str r1, [sp, #${FR.IX0}]`);
  a.i(...movImm('r1', plan.outW), `str r1, [sp, #${FR.OXL}]`);
  a.i('b kernel_body', '.ltorg');
  a.label('kernel_body');
  const channels = (P: 1 | 2, id: string) => {
    a.i(`ldr r2, [sp, #${FR.WSTART}]    @ the records, in order through all output channels`);
    const np = Math.floor(outC / 2);
    if (np % 2) { a.i('.balign 4'); block(a, plan, mode, G, 2, P, `${id}2a`); }
    if (np >= 2) {
      a.i('.balign 4');
      a.label(`${id}_oc_loop`, `output channel pairs: ${np - (np % 2)}, two a pass`);
      block(a, plan, mode, G, 2, P, `${id}2b`);
      a.i('.balign 4');
      block(a, plan, mode, G, 2, P, `${id}2c`);
      a.i(`ldr r1, [sp, #${FR.WPAIRS_END}]`, 'cmp r2, r1', `bne ${id}_oc_loop`);
    }
    if (outC % 2) { a.c('the odd last output channel'); a.i('.balign 4'); block(a, plan, mode, G, 1, P, `${id}1`); }
  };
  if (pairs) {
    a.i(...movImm('r1', pairs), `str r1, [sp, #${FR.PAIRS}]`);
    a.label('pair_loop', `output pixel pairs: ${pairs}`);
    gather(a, plan, 0, 'g0');
    gather(a, plan, 1, 'g1');
    channels(2, 'pp');
    a.c('next pixel pair (r0 is at the second pixel\'s output)');
    a.i(...addImm('r0', 'r0', outC, 'r1'));
    a.i(`ldr r1, [sp, #${FR.PAIRS}]`, 'subs r1, r1, #1', `str r1, [sp, #${FR.PAIRS}]`, 'bne pair_loop');
  }
  if (npx % 2) { a.c('the odd last pixel'); gather(a, plan, 0, 'gl'); channels(1, 'px'); }
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r1', frame), 'add sp, sp, r1']), 'pop {r4-r11, pc}');
  const lines = ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...a.lines, '  .ltorg', 'kernel_end:'];
  return {
    lines, bias: Int32Array.from(plan.bias ?? new Int32Array(outC)), foldedBias: false, path: padded ? 'direct+interior' : 'interior',
    omitRawWeights: true, requantMode: mode === 'fast' ? 'right-zp' : 'general', stackBytes: 36 + frame, schedule: 'compact-2x2',
    inlineConstantBytes: 0,
    extraTables: [{ name: 'conv_weights', comment: 'records per output channel pair: bias, requantisation parameters, int16 weight pairs by groups of 4 of the kh x roundup4(kw x inC) reduction (simd-conv.ts)', values: stream }],
  };
}
