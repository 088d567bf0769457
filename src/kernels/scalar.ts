/**
 * Scalar kernels: ARMv7-M only (LDRSB, MLA, SMLAL, SSAT; no DSP-extension instruction: the image is assembled for
 * cortex-m3, which rejects them), generated per layer with its shapes, strides, pads and offsets as immediates or
 * literal constants.
 *
 * - conv2d / depthwise ("direct" kernel, any kernel size, stride, dilation, padding, depth multiplier), per output
 *   pixel, per output channel, over the kernel taps (ky, kx):
 *   - interior pixels (every tap inside the image: 0 <= iy0 <= inH - 1 - (kh-1)*dh, same for x, two unsigned
 *     compares per pixel) run an unrolled loop: each tap's loads at immediate offsets from the pixel's tap (0, 0),
 *     the input offset folded into the bias (table `bias_folded`, or `bias` when the layer has no padding). Taken
 *     when the offsets fit LDRSB's 12-bit immediate and the unrolled channel has at most INTERIOR_UNROLL MACs;
 *   - the other pixels (or every pixel, when the interior path is not taken) run loops over ky and kx whose taps
 *     outside the image are skipped as the reference does (tflite-micro conv.h / depthwise_conv.h): the row and
 *     column of a tap are compared unsigned with the input height / width, so a negative coordinate fails the same
 *     test; each tap adds w * (x + input offset). Without padding the tests are left out and the bias is folded.
 * - pointwise (a 1x1 kernel without padding, any stride) and fully connected: a tight path, per pixel per output
 *   channel a run of LDRSB, LDRSB, MLA, with the input offset folded into the bias
 *   (bias[oc] + inputOffset * sum(weights[oc]), layout.ts). Up to FULL_UNROLL input channels the run is unrolled
 *   for two output channels at a time (each input value loaded once for both: LDRSB x3, MLA x2 per input value),
 *   the odd last channel alone; beyond, one channel at a time in a loop of UNROLL.
 *   Fully connected is the pointwise path over the h * w input rows.
 * Requantisation, the output zero point and the clamp: requant.ts. The int32 accumulator wraps, as in the reference.
 *
 * Registers of the direct kernel (AAPCS: r4-r11 saved; a 32-byte frame on the stack holds the pixel loops' state):
 *   r0 output pointer   r1 output channel   r2 weight pointer   r3 accumulator
 *   r4 iy (tap row)     r5 input pointer of the tap row          r6 ky counter
 *   r7 ix (tap column)  r8 input pointer of the tap              r9 kx counter
 *   r10 ic counter (conv) / depth-multiplier counter (depthwise)  r11, r12 input and weight values
 *   lr  input scratch pointer (conv) / input pointer of the channel at the pixel's first tap (depthwise)
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, Asm } from './asm.js';
import { requantAsm } from './requant.js';

/** Input elements up to which a reduction is fully unrolled; beyond, a loop of UNROLL with the remainder after it. */
export const FULL_UNROLL = 16;
export const UNROLL = 8;

/** The generated kernel: its assembly (the function `kernel`), and the bias table it reads. */
export interface ScalarKernel {
  /** lines of the function `kernel` ... `kernel_end`, with its literal pool */
  lines: string[];
  /** the bias table as the kernel reads it (the input offset folded in where `foldedBias`) */
  bias: Int32Array;
  foldedBias: boolean;
  /** more int32 tables the kernel reads (in flash after the bias), e.g. the folded bias of interior pixels */
  extraTables: { name: string; comment: string; values: Int32Array }[];
  /**
   * which generator path: 'pointwise' (also fully connected), 'direct' (loops over the taps), 'interior' (every
   * pixel's taps inside: unrolled), 'direct+interior' (unrolled interior pixels, loops at the border)
   */
  path: 'pointwise' | 'direct' | 'interior' | 'direct+interior';
}

/** The kinds the scalar kernels run. */
export const SCALAR_KINDS = ['conv2d', 'pointwise', 'depthwise', 'fully_connected'] as const;

/** Unsupported layers: an Error naming the parameter. */
export function checkScalarSupport(plan: LayerPlan): void {
  if (!(SCALAR_KINDS as readonly string[]).includes(plan.kind)) {
    throw new Error(`kind: the scalar kernels run ${SCALAR_KINDS.join(', ')} layers, not ${plan.kind}`);
  }
}

/**
 * bias[oc] + inputOffset * (sum of the weights of output channel oc), wrapped to int32: the accumulator's start
 * when every tap is inside the image (no padding).
 */
export function foldBias(plan: LayerPlan, weights: Int8Array): Int32Array {
  const out = new Int32Array(plan.outC);
  const depthwise = plan.kind === 'depthwise';
  const taps = plan.kh * plan.kw;
  for (let oc = 0; oc < plan.outC; oc++) {
    let sum = 0;
    if (depthwise) for (let t = 0; t < taps; t++) sum += weights[t * plan.outC + oc]!;
    else {
      const n = taps * plan.inC;
      for (let i = 0; i < n; i++) sum += weights[oc * n + i]!;
    }
    out[oc] = ((plan.bias ? plan.bias[oc]! : 0) + Math.imul(plan.inputOffset, sum)) | 0;
  }
  return out;
}

const noPadding = (p: LayerPlan) => p.pad.top === 0 && p.pad.bottom === 0 && p.pad.left === 0 && p.pad.right === 0;

/** Does the layer take the pointwise path? */
export function isPointwise(plan: LayerPlan): boolean {
  return plan.kind === 'fully_connected' || ((plan.kind === 'pointwise' || plan.kind === 'conv2d') && plan.kh === 1 && plan.kw === 1 && noPadding(plan));
}


// frame offsets (bytes from SP)
const F = { OY: 0, OX: 4, IY0: 8, IX0: 12, XROW0: 16, XBASE: 20 } as const;
const FRAME = 32;

/**
 * The MACs of one tap of a conv (or one pixel of a pointwise layer): acc r3 += w * (x + off) over `n` consecutive
 * input values from `xreg` (offsets 0..n-1, not advanced) and weights from r2 (advanced by n). `off` 0 (folded) omits
 * the add. Uses r11, r12 (values), and for n > FULL_UNROLL lr (input scratch) and r10 (counter).
 */
function macRun(a: Asm, n: number, xreg: string, off: number, what: string): void {
  const one = (x: string, i: number) => {
    a.i(`ldrsb r11, [${x}, #${i}]`, 'ldrsb r12, [r2], #1');
    if (off) a.i(...addImm('r11', 'r11', off, 'r12').map((l) => `${l}`));
    a.i('mla r3, r11, r12, r3');
  };
  if (n <= FULL_UNROLL) {
    a.c(`${what}: ${n} MACs, unrolled${off ? `, input offset ${off}` : ', input offset folded into the bias'}`);
    for (let i = 0; i < n; i++) one(xreg, i);
    return;
  }
  const loops = Math.floor(n / UNROLL), rest = n % UNROLL;
  a.c(`${what}: ${n} MACs, ${loops} x ${UNROLL} then ${rest}${off ? `, input offset ${off}` : ', input offset folded into the bias'}`);
  a.i(`mov lr, ${xreg}`, ...movImm('r10', loops));
  a.label(`ic_loop_${what.replace(/\W+/g, '_')}`, `${UNROLL} input channels a pass`);
  for (let i = 0; i < UNROLL; i++) one('lr', i);
  a.i(`add lr, lr, #${UNROLL}`, 'subs r10, r10, #1', `bne ic_loop_${what.replace(/\W+/g, '_')}`);
  for (let i = 0; i < rest; i++) one('lr', i);
}

/** Largest number of MACs an interior pixel's output channel is unrolled to (conv: taps x inC; depthwise: taps). */
export const INTERIOR_UNROLL = 160;

/**
 * Can interior pixels (every tap inside the image) take the unrolled path? Its loads use immediate offsets
 * (LDRSB imm12: 0..4095) from the pixel's tap (0, 0) for the input and, in depthwise layers, from the channel's
 * first weight; and the unrolled code must stay small.
 */
export function interiorPath(plan: LayerPlan): boolean {
  const { kh, kw, dh, dw: dil, inW, inC, outC } = plan;
  const taps = kh * kw;
  const dwise = plan.kind === 'depthwise';
  const lastX = (kh - 1) * dh * inW * inC + (kw - 1) * dil * inC + (dwise ? 0 : inC - 1);
  if (lastX > 4095) return false;
  if (dwise) return taps <= INTERIOR_UNROLL && (taps - 1) * outC <= 4095;
  return taps * inC <= INTERIOR_UNROLL;
}

/** Are there interior pixels at all (rows and columns where every tap is inside)? */
function hasInterior(plan: LayerPlan): boolean {
  return plan.inH - (plan.kh - 1) * plan.dh > 0 && plan.inW - (plan.kw - 1) * plan.dw > 0;
}

/**
 * The output-channel loop of an interior pixel: every tap inside, fully unrolled with immediate offsets, the bias
 * with the input offset folded in (`biasLabel`). Input pointer of tap (0, 0): conv r8, depthwise lr (+ channel).
 */
function interiorLoop(a: Asm, plan: LayerPlan, biasLabel: string): void {
  const dwise = plan.kind === 'depthwise';
  const { kh, kw, dh, dw: dil, inW, inC, outC } = plan;
  const dm = plan.depthMultiplier;
  const rowBytes = inW * inC;
  a.c(`interior pixel: all ${kh * kw} taps inside the image, unrolled, input offset folded into ${biasLabel}`);
  a.i('mov.w r1, #0    @ output channel 0');
  if (dwise) {
    a.i(`ldr lr, [sp, #${F.XBASE}]    @ input channel 0 at tap (0, 0)`);
    if (dm > 1) a.i(...movImm('r10', dm));
  } else {
    a.i('ldr r2, =weights    @ OHWI: the weights run in order through all output channels');
    a.i(`ldr r8, [sp, #${F.XBASE}]    @ input at tap (0, 0)`);
  }
  a.label('interior_oc_loop', `output channels: ${outC}`);
  a.i(`ldr r3, =${biasLabel}`, `ldr r3, [r3, r1, lsl #2]    @ acc = bias[oc] + input offset * sum(weights[oc])`);
  if (dwise) a.i('ldr r2, =weights', 'add r2, r2, r1    @ 1HWC: weight of tap (0, 0) for this output channel');
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const xo = ky * dh * rowBytes + kx * dil * inC;
      const tap = ky * kw + kx;
      if (dwise) {
        a.i(`ldrsb r11, [lr, #${xo}]    @ tap (${ky}, ${kx})`, `ldrsb r12, [r2, #${tap * outC}]`, 'mla r3, r11, r12, r3');
      } else {
        a.c(`tap (${ky}, ${kx}): ${inC} MACs`);
        for (let i = 0; i < inC; i++) a.i(`ldrsb r11, [r8, #${xo + i}]`, 'ldrsb r12, [r2], #1', 'mla r3, r11, r12, r3');
      }
    }
  }
  a.lines.push(...requantAsm(plan, { acc: 'r3', ch: 'r1', t: ['r4', 'r5', 'r6', 'r7', 'r9', 'r12'], label: 'rq_interior' }));
  a.i('strb r3, [r0], #1');
  a.i('add r1, r1, #1');
  if (dwise) {
    if (dm > 1) {
      a.i('subs r10, r10, #1', 'bne interior_oc_next    @ same input channel, next multiplier');
      a.i(...movImm('r10', dm));
    }
    a.i('add lr, lr, #1    @ next input channel');
    if (dm > 1) a.label('interior_oc_next');
  }
  a.i(...cmpImm('r1', outC, 'r4'), 'blo interior_oc_loop');
}

/**
 * The output-channel loop of any pixel: loops over the kernel rows and columns, each tap's row and column tested
 * against the image when `checks` (taps outside are skipped), `off` added to every input value (0: folded into the
 * bias).
 */
function generalLoop(a: Asm, plan: LayerPlan, checks: boolean, off: number, biasLabel: string): void {
  const dwise = plan.kind === 'depthwise';
  const { inH, inW, inC, outC, kh, kw, dh, dw: dil } = plan;
  const dm = plan.depthMultiplier;
  const rowBytes = inW * inC;
  const mov = (r: string, v: number) => a.i(...movImm(r, v));
  const add = (rd: string, v: number, tmp: string) => a.i(...addImm(rd, rd, v, tmp));
  a.c(checks ? 'any pixel: taps outside the image are skipped (unsigned row/column tests)' : 'every tap is inside the image: no tests');
  a.i('mov.w r1, #0    @ output channel 0');
  if (dwise) {
    a.i(`ldr lr, [sp, #${F.XBASE}]    @ input channel 0 at tap (0, 0)`);
    if (dm > 1) mov('r10', dm);
  } else {
    a.i('ldr r2, =weights    @ OHWI: the weights run in order through all output channels');
  }

  a.label('oc_loop', `output channels: ${outC}`);
  a.i(`ldr r3, =${biasLabel}`, `ldr r3, [r3, r1, lsl #2]    @ acc = bias[oc]${off ? '' : ' (input offset folded in)'}`);
  if (dwise) a.i('ldr r2, =weights', 'add r2, r2, r1    @ 1HWC: weight of tap (0, 0) for this output channel');
  if (checks) a.i(`ldr r4, [sp, #${F.IY0}]    @ iy`);
  a.i(dwise ? 'mov r5, lr    @ input row pointer' : `ldr r5, [sp, #${F.XBASE}]    @ input row pointer`);
  mov('r6', kh);

  a.label('ky_loop', `kernel rows: ${kh}`);
  if (checks) {
    a.i(...cmpImm('r4', inH, 'r11'));
    a.i('bhs ky_skip    @ row outside the image (negative counts as huge)');
    a.i(`ldr r7, [sp, #${F.IX0}]    @ ix`);
  }
  a.i('mov r8, r5');
  mov('r9', kw);
  a.label('kx_loop', `kernel columns: ${kw}`);
  if (checks) {
    a.i(...cmpImm('r7', inW, 'r11'));
    a.i(dwise ? 'bhs kx_next    @ column outside the image' : 'bhs kx_skip    @ column outside the image');
  }
  if (dwise) {
    a.c(`tap: one MAC${off ? `, input offset ${off}` : ', input offset folded into the bias'}`);
    a.i('ldrsb r11, [r8]', 'ldrsb r12, [r2]');
    if (off) a.i(...addImm('r11', 'r11', off, 'r12'));
    a.i('mla r3, r11, r12, r3');
    if (checks) a.label('kx_next');
    add('r2', outC, 'r11');
  } else {
    macRun(a, inC, 'r8', off, 'tap');
    if (checks) {
      a.i('b kx_next');
      a.label('kx_skip');
      add('r2', inC, 'r11');
      a.label('kx_next');
    }
  }
  if (checks) add('r7', dil, 'r11');
  add('r8', dil * inC, 'r11');
  a.i('subs r9, r9, #1', 'bne kx_loop');
  if (checks) {
    a.i('b ky_next');
    a.label('ky_skip');
    add('r2', kw * (dwise ? outC : inC), 'r11');
    a.label('ky_next');
    add('r4', dh, 'r11');
  }
  add('r5', dh * rowBytes, 'r11');
  a.i('subs r6, r6, #1', 'bne ky_loop');

  a.lines.push(...requantAsm(plan, { acc: 'r3', ch: 'r1', t: ['r4', 'r5', 'r6', 'r7', 'r8', 'r9'], label: 'rq' }));
  a.i('strb r3, [r0], #1');
  a.i('add r1, r1, #1');
  if (dwise) {
    if (dm > 1) {
      a.i('subs r10, r10, #1', 'bne oc_next    @ same input channel, next multiplier');
      mov('r10', dm);
    }
    a.i('add lr, lr, #1    @ next input channel');
    if (dm > 1) a.label('oc_next');
  }
  a.i(...cmpImm('r1', outC, 'r4'), 'blo oc_loop');
}

/** How the direct kernel handles padding: which loops it has and which bias table each reads. */
interface DirectShape {
  /** the general loop, and whether it tests taps */
  general: boolean;
  checks: boolean;
  /** the unrolled interior loop */
  interior: boolean;
  /** general loop's bias: folded (no padding) or raw */
  generalFolded: boolean;
}

function directShape(plan: LayerPlan): DirectShape {
  const pad = !noPadding(plan);
  const interior = interiorPath(plan) && hasInterior(plan);
  if (!pad) return interior ? { general: false, checks: false, interior: true, generalFolded: true } : { general: true, checks: false, interior: false, generalFolded: true };
  return { general: true, checks: true, interior, generalFolded: false };
}

/** The direct conv2d / depthwise kernel (see the file header). */
function directKernel(plan: LayerPlan, shape: DirectShape): Asm {
  const a = new Asm();
  const dwise = plan.kind === 'depthwise';
  const { inH, inW, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw: dil } = plan;
  const dm = plan.depthMultiplier;
  const rowBytes = inW * inC;
  const mov = (r: string, v: number) => a.i(...movImm(r, v));
  const add = (rd: string, v: number, tmp: string) => a.i(...addImm(rd, rd, v, tmp));

  a.c(`${dwise ? `depthwise ${kh}x${kw}, depth multiplier ${dm}` : `conv2d ${kh}x${kw}`}: ${inH}x${inW}x${inC} -> ${outH}x${outW}x${outC}, ` +
    `stride ${sh}x${sw}, dilation ${dh}x${dil}, pad top ${plan.pad.top} left ${plan.pad.left} bottom ${plan.pad.bottom} right ${plan.pad.right}`);
  a.i('push {r4-r11, lr}', `sub sp, sp, #${FRAME}`);
  a.i('ldr r0, =output');
  mov('r4', -plan.pad.top); a.i(`str r4, [sp, #${F.IY0}]    @ iy0 of the first output row`);
  a.i('ldr r4, =input');
  add('r4', (-plan.pad.top * inW - plan.pad.left) * inC, 'r5');
  a.i(`str r4, [sp, #${F.XROW0}]    @ input address of tap (0, 0) of the row's first pixel`);
  mov('r4', outH); a.i(`str r4, [sp, #${F.OY}]`);

  a.label('oy_loop', `output rows: ${outH}`);
  mov('r4', -plan.pad.left); a.i(`str r4, [sp, #${F.IX0}]    @ ix0 of the first pixel`);
  a.i(`ldr r4, [sp, #${F.XROW0}]`, `str r4, [sp, #${F.XBASE}]`);
  mov('r4', outW); a.i(`str r4, [sp, #${F.OX}]`);

  a.label('ox_loop', `output pixels of the row: ${outW}`);
  if (shape.interior && shape.general) {
    a.c('interior pixel? 0 <= iy0 <= inH - 1 - (kh - 1) * dh and 0 <= ix0 <= inW - 1 - (kw - 1) * dw (unsigned tests)');
    a.i(`ldr r4, [sp, #${F.IY0}]`, ...cmpImm('r4', inH - (kh - 1) * dh, 'r5'), 'bhs border_pixel');
    a.i(`ldr r4, [sp, #${F.IX0}]`, ...cmpImm('r4', inW - (kw - 1) * dil, 'r5'), 'bhs border_pixel');
  }
  if (shape.interior) interiorLoop(a, plan, shape.general ? 'bias_folded' : 'bias');
  if (shape.interior && shape.general) {
    a.i('b pixel_done');
    a.label('border_pixel', 'some taps may fall in the padding');
  }
  if (shape.general) generalLoop(a, plan, shape.checks, shape.generalFolded ? 0 : plan.inputOffset, 'bias');
  if (shape.interior && shape.general) a.label('pixel_done');

  a.c('next output pixel');
  a.i(`ldr r4, [sp, #${F.IX0}]`); add('r4', sw, 'r5'); a.i(`str r4, [sp, #${F.IX0}]`);
  a.i(`ldr r4, [sp, #${F.XBASE}]`); add('r4', sw * inC, 'r5'); a.i(`str r4, [sp, #${F.XBASE}]`);
  a.i(`ldr r4, [sp, #${F.OX}]`, 'subs r4, r4, #1', `str r4, [sp, #${F.OX}]`, 'bne ox_loop');
  a.c('next output row');
  a.i(`ldr r4, [sp, #${F.IY0}]`); add('r4', sh, 'r5'); a.i(`str r4, [sp, #${F.IY0}]`);
  a.i(`ldr r4, [sp, #${F.XROW0}]`); add('r4', sh * rowBytes, 'r5'); a.i(`str r4, [sp, #${F.XROW0}]`);
  a.i(`ldr r4, [sp, #${F.OY}]`, 'subs r4, r4, #1', `str r4, [sp, #${F.OY}]`, 'bne oy_loop');
  a.i(`add sp, sp, #${FRAME}`, 'pop {r4-r11, pc}');
  return a;
}

/**
 * The pointwise / fully connected kernel: rows x cols pixels (a stride-1 pointwise layer and a fully connected
 * layer are one row of h * w pixels), per pixel per output channel acc = folded bias + sum w * x.
 * Registers: r0 output, r1 output channel, r2 weights, r3 acc, r5 input pixel, r11 r12 values;
 * r4, r6-r10 requantisation scratch (r4 and r10 also the MAC loop's when the channels do not unroll fully).
 */
function pointwiseKernel(plan: LayerPlan): Asm {
  const a = new Asm();
  const { inW, inC, outH, outW, outC, sh, sw } = plan;
  const fc = plan.kind === 'fully_connected';
  const contiguous = fc || (sh === 1 && sw === 1);
  const rows = contiguous ? 1 : outH, cols = contiguous ? outH * outW : outW;
  const mov = (r: string, v: number) => a.i(...movImm(r, v));
  const add = (rd: string, v: number, tmp: string) => a.i(...addImm(rd, rd, v, tmp));

  a.c(`${fc ? 'fully connected' : 'pointwise 1x1'}: ${plan.inH}x${inW}x${inC} -> ${outH}x${outW}x${outC}` +
    (contiguous ? `, ${cols} pixels in a row` : `, stride ${sh}x${sw}`));
  a.i('push {r4-r11, lr}', `sub sp, sp, #${FRAME}`);
  a.i('ldr r0, =output', 'ldr r5, =input');
  if (!contiguous) { a.i(`str r5, [sp, #${F.XROW0}]`); mov('r4', rows); a.i(`str r4, [sp, #${F.OY}]`); }
  if (!contiguous) a.label('oy_loop', `output rows: ${rows}`);
  mov('r4', cols); a.i(`str r4, [sp, #${F.OX}]`);
  a.label('pixel_loop', `output pixels: ${cols}${contiguous ? '' : ' a row'}`);
  a.i('mov.w r1, #0    @ output channel 0', 'ldr r2, =weights    @ OHWI: in order through all output channels');
  const pairs = inC <= FULL_UNROLL && outC >= 2 ? Math.floor(outC / 2) : 0;
  if (pairs) {
    // two output channels at a time: each input value loaded once for both; r3 and lr accumulate channels oc and
    // oc + 1, r12 and r4 hold their weights (offsets i and inC + i from r2)
    a.label('oc_pair_loop', `output channel pairs: ${pairs}`);
    a.i('ldr r3, =bias', 'add r3, r3, r1, lsl #2', 'ldr lr, [r3, #4]    @ acc of oc + 1 = its folded bias', 'ldr r3, [r3]    @ acc of oc = bias[oc] + input offset * sum(weights[oc])');
    a.c(`${inC} MACs for each of the two channels, unrolled`);
    for (let i = 0; i < inC; i++) {
      a.i(`ldrsb r11, [r5, #${i}]`, `ldrsb r12, [r2, #${i}]`, `ldrsb r4, [r2, #${inC + i}]`, 'mla r3, r11, r12, r3', 'mla lr, r11, r4, lr');
    }
    add('r2', 2 * inC, 'r4');
    a.lines.push(...requantAsm(plan, { acc: 'r3', ch: 'r1', t: ['r4', 'r6', 'r7', 'r8', 'r9', 'r10'], label: 'rq_a' }));
    a.i('strb r3, [r0], #1', 'add r1, r1, #1', 'mov r3, lr    @ the second channel');
    a.lines.push(...requantAsm(plan, { acc: 'r3', ch: 'r1', t: ['r4', 'r6', 'r7', 'r8', 'r9', 'r10'], label: 'rq_b' }));
    a.i('strb r3, [r0], #1', 'add r1, r1, #1', ...cmpImm('r1', 2 * pairs, 'r4'), 'blo oc_pair_loop');
  }
  if (!pairs || outC % 2) {
    if (pairs) a.c('the last output channel (odd count)');
    else a.label('oc_loop', `output channels: ${outC}`);
    a.i('ldr r3, =bias', 'ldr r3, [r3, r1, lsl #2]    @ acc = bias[oc] + input offset * sum(weights[oc])');
    // the MAC loop's scratch registers (lr, r10) are fine here: lr is saved, r10 is requantisation scratch
    macRun(a, inC, 'r5', 0, 'pixel');
    a.lines.push(...requantAsm(plan, { acc: 'r3', ch: 'r1', t: ['r4', 'r6', 'r7', 'r8', 'r9', 'r10'], label: 'rq' }));
    a.i('strb r3, [r0], #1');
    if (!pairs) a.i('add r1, r1, #1', ...cmpImm('r1', outC, 'r4'), 'blo oc_loop');
  }
  a.c('next pixel');
  add('r5', sw * inC, 'r4');
  a.i(`ldr r4, [sp, #${F.OX}]`, 'subs r4, r4, #1', `str r4, [sp, #${F.OX}]`, 'bne pixel_loop');
  if (!contiguous) {
    a.c('next output row');
    a.i(`ldr r5, [sp, #${F.XROW0}]`); add('r5', sh * inW * inC, 'r4'); a.i(`str r5, [sp, #${F.XROW0}]`);
    a.i(`ldr r4, [sp, #${F.OY}]`, 'subs r4, r4, #1', `str r4, [sp, #${F.OY}]`, 'bne oy_loop');
  }
  a.i(`add sp, sp, #${FRAME}`, 'pop {r4-r11, pc}');
  return a;
}

/** Generate the scalar kernel of a layer (throws an Error naming the parameter for an unsupported layer). */
export function scalarKernel(plan: LayerPlan, weights: Int8Array): ScalarKernel {
  checkScalarSupport(plan);
  const pw = isPointwise(plan);
  const shape = pw ? null : directShape(plan);
  const body = shape ? directKernel(plan, shape) : pointwiseKernel(plan);
  const lines = [
    '  .thumb_func',
    '  .type kernel, %function',
    'kernel:',
    ...body.lines,
    '  .ltorg',
    'kernel_end:',
  ];
  const raw = Int32Array.from(plan.bias ?? new Int32Array(plan.outC));
  const fold = !shape || shape.generalFolded;
  const bias = fold ? foldBias(plan, weights) : raw;
  const extraTables = shape && shape.interior && shape.general
    ? [{ name: 'bias_folded', comment: 'bias + input offset * sum of the channel\'s weights (interior pixels)', values: foldBias(plan, weights) }]
    : [];
  return { lines, bias, foldedBias: fold, extraTables, path: pw ? 'pointwise' : shape!.interior ? (shape!.general ? 'direct+interior' : 'interior') : 'direct' };
}
