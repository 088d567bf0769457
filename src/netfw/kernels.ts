/**
 * The network kernels src/kernels does not have, generated per layer (and per patch geometry) as Thumb-2 assembly,
 * bit-exact with src/nn/ops.ts. Scalar kernels use ARMv7-M only (LDRSB, MLA, SMLAL, SSAT, SDIV); the DSP kernels
 * (the simd variant, ARMv7E-M) add SXTAB16, SMLAD, SMLABB/SMLABT and SMMLAR:
 *
 * - inPlaceDepthwiseKernel / inPlaceDepthwiseKernelDsp: the in-place depthwise of src/net/memplan.ts. Output
 *   channel c is computed into the one-channel temporary (outH x outW bytes), then stored into channel c's slots of
 *   the output (NHWC, same channel count), which lie over the input buffer: those slots only ever overwrite input
 *   channel c, already consumed. Every output pixel's taps inside the image are a rectangle known at generation
 *   time ("class"): per class the taps are unrolled, the input offset folded into a per-class bias (bias +
 *   inputOffset x sum of the class's weights, wrapped to int32 as the accumulation is), so no pixel tests a tap.
 *   The scalar kernel keeps the channel's multiplier and shift in registers when it can ('fast'); the DSP one also
 *   its weights (int8 in flash, widened per channel into int16 pairs in registers, or in the frame beyond 10 taps)
 *   and requantises with SMMLAR (src/kernels' fast path); it computes the classes' biases per channel from one
 *   folded bias, so its records are the weights and 12 bytes a channel.
 * - fusedPointwiseAddKernel / fusedPointwiseAddKernelDsp: the fused projection + residual add of memplan.ts. Per
 *   output pixel, per output channel: the pointwise convolution, requantised and clamped as the projection layer's
 *   output, then TFLM's ADD with the residual's pixel, written over the residual (or into the stage output in patch
 *   mode) in increasing pixel order. The residual element is read before the output element at the same or a
 *   lower address is written, so writing over the residual is safe (memplan.ts). The DSP kernel widens each pixel
 *   into int16 lanes on the stack and runs SMLAD over the weights (int8 in flash, widened with SXTB16), two output
 *   channels at a time.
 * - addKernel: TFLM's ADD of two tensors (when not fused).
 * - poolKernel: AVERAGE_POOL_2D (sum of the window's pixels inside the image, rounded division by their count:
 *   acc > 0 ? (acc + n/2) / n : (acc - n/2) / n with SDIV, which truncates as C does) and MAX_POOL_2D.
 * ADD's first step for each input ((v + offset) << 20, requantised) depends on the int8 value v alone: the kernels
 * read it from a 256-entry table (addInputTable) and requantise only the sum.
 *
 * Every kernel is a function `kernel` (AAPCS: r4-r11 saved) whose buffers come in registers, so one generated
 * kernel serves every patch with the same geometry: r0 input, r1 second input / temporary, r2 output (below).
 * Buffers are addressed with explicit row strides (a patch reads a crop of a larger region and the stage's last
 * layer writes its patch into the full stage output). Constant tables (weights, biases, multipliers, shifts) are
 * referenced by name; the builder places them in flash (src/netfw/build.ts).
 */
import type { LayerPlan } from '../nn/spec.js';
import { foldBias, requantAsm } from '../kernels/index.js';
import { requantize } from '../nn/quant.js';
import { Asm, addImm, clampAsm, cmpImm, movImm, requantConstAsm } from './asm.js';
import { movSmall } from '../kernels/asm.js';

/** A constant table of a kernel: its label and bytes (the builder places it in flash, 8-byte aligned). */
export interface DataTable {
  name: string;
  comment: string;
  bytes: Uint8Array;
}

/** A generated kernel of this file. */
export interface OwnKernel {
  /** what it is: 'inplace-depthwise', 'pointwise+add', 'add', 'avgpool', 'maxpool' */
  kind: 'inplace-depthwise' | 'pointwise+add' | 'add' | 'avgpool' | 'maxpool';
  /** `kernel:` ... `kernel_end:` with its literal pools */
  lines: string[];
  tables: DataTable[];
  /** bytes of stack it uses (pushed registers and frame) */
  stackBytes: number;
  /** what the argument registers hold */
  args: string;
  /** the core it is assembled for: 'cortex-m3' (ARMv7-M) or 'cortex-m4' (DSP instructions) */
  cpu: 'cortex-m3' | 'cortex-m4';
}

export const int8Table = (name: string, comment: string, v: ArrayLike<number>): DataTable => {
  const bytes = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) bytes[i] = v[i]! & 0xff;
  return { name, comment, bytes };
};
export const int32Table = (name: string, comment: string, v: ArrayLike<number>): DataTable => {
  const bytes = new Uint8Array(4 * v.length);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) dv.setInt32(4 * i, v[i]! | 0, true);
  return { name, comment, bytes };
};

function wrap(lines: string[]): string[] {
  return ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...lines, '  .ltorg', 'kernel_end:'];
}

/** First tap k in [0, n) with 0 <= origin + k d < size, and one past the last (src/nn/ops.ts tapRange). */
export function tapRange(origin: number, n: number, d: number, size: number): [number, number] {
  const start = Math.min(n, origin < 0 ? Math.ceil(-origin / d) : 0);
  const end = Math.min(n, Math.floor((size - 1 - origin) / d) + 1);
  return [start, Math.max(start, end)];
}

/** Runs of consecutive outputs along one axis whose taps inside the image are the same range. */
export function tapRuns(outN: number, stride: number, pad: number, k: number, d: number, inN: number): { first: number; count: number; r: [number, number] }[] {
  const out: { first: number; count: number; r: [number, number] }[] = [];
  for (let o = 0; o < outN; o++) {
    const r = tapRange(o * stride - pad, k, d, inN);
    const last = out[out.length - 1];
    if (last && last.r[0] === r[0] && last.r[1] === r[1]) last.count++;
    else out.push({ first: o, count: 1, r });
  }
  return out;
}

/** A tap rectangle [ky0, ky1) x [kx0, kx1). */
interface TapClass { ky0: number; ky1: number; kx0: number; kx1: number }

// ----------------------------------------------------------------------------------------------------------------
// in-place depthwise

const IP = { INC: 0, TMP: 4, OUTC: 8, ROW: 12, ROWS: 16, CHS: 20 } as const;
const IP_FRAME = 24;

/**
 * Requantisation of a channel whose multiplier and right shift are in registers ('fast': double rounding, every
 * shift <= 0): SRDHM(acc, M) = (acc M + 2^30) >> 31 on 64 bits, then RDBPOT by R: (x >> R) + ((x & mask) >
 * (mask >> 1) + (x < 0)), mask = 2^R - 1; + output zero point, SSAT #8, the activation clamp.
 */
function fastRequant(a: Asm, plan: LayerPlan, r: { acc: string; m: string; rsh: string; mask: string; t: [string, string, string] }): void {
  const { acc, m, rsh, mask } = r;
  const [lo, hi, t] = r.t;
  a.c(`requantise ${acc}: SRDHM by ${m}, RDBPOT by ${rsh} (mask ${mask}), + zero point ${plan.outputOffset}, clamp [${plan.actMin}, ${plan.actMax}]`);
  a.i(`mov.w ${lo}, #0x40000000`, `mov.w ${hi}, #0`, `smlal ${lo}, ${hi}, ${acc}, ${m}`, `lsr ${lo}, ${lo}, #31`, `orr ${acc}, ${lo}, ${hi}, lsl #1`);
  a.i(`and ${t}, ${acc}, ${mask}    @ remainder`, `lsr ${lo}, ${mask}, #1`, `add ${lo}, ${lo}, ${acc}, lsr #31    @ threshold`,
    `asr ${acc}, ${acc}, ${rsh}`, `cmp ${t}, ${lo}`, 'it gt', `addgt ${acc}, ${acc}, #1`);
  a.i(...addImm(acc, acc, plan.outputOffset, lo), `ssat ${acc}, #8, ${acc}`, ...clampAsm(acc, plan.actMin, plan.actMax, lo));
}

/** Double rounding with every shift <= 0: the multiplier and shift can live in registers. */
const fastMode = (plan: LayerPlan) => plan.rounding === 'double' && Array.from(plan.shifts).every((s) => s <= 0);

/**
 * The in-place depthwise kernel of a layer (plan: the geometry it runs, with explicit padding in patch mode).
 * r0 = the input (pixel (0, 0) of the region the plan's input is, channel 0), rows `inRowStride` bytes apart (the
 * held region's width x C; inW x C when the input is exactly the region); r1 = the temporary (outH x outW bytes);
 * r2 = the output (compact NHWC, outH x outW x C, over the input buffer).
 *
 * Flash table `ipdw_rec`, one record per channel, walked with lr: the channel's kh x kw weights (int8, padded to
 * 4 bytes), then in the fast requantisation mode (double rounding, every shift <= 0) its multiplier M, right shift R
 * and mask 2^R - 1 (loaded into r11, r4, r12 for the whole channel), then the folded bias of each pixel class.
 * Other modes keep the channel index in r4 and run requant.ts's code (tables `multipliers`, `shifts`).
 */
export function inPlaceDepthwiseKernel(plan: LayerPlan, weights: Int8Array, inRowStride: number = plan.inW * plan.inC): OwnKernel {
  if (plan.kind !== 'depthwise' || plan.depthMultiplier !== 1) throw new Error(`in-place depthwise: needs a depthwise layer with depth multiplier 1, got ${plan.kind} (multiplier ${plan.depthMultiplier})`);
  const { inH, inW, outH, outW, kh, kw, sh, sw, dh, dw } = plan;
  const C = plan.outC, T = kh * kw, P = outH * outW, Sx = inRowStride;
  const fast = fastMode(plan);
  const { rows, cols, classes, classOf } = dwClassesOf(plan);
  const K = classes.length;
  // the record of a channel
  const T4 = Math.ceil(T / 4) * 4;
  const oP = T4, oB = T4 + (fast ? 12 : 0), rec = oB + 4 * K;
  if (oB + 4 * K > 4095) throw new Error(`in-place depthwise: a ${kh}x${kw} kernel with ${K} pixel classes makes records larger than the 4095 bytes the loads reach`);
  const bytes = new Uint8Array(C * rec);
  const dv = new DataView(bytes.buffer);
  for (let c = 0; c < C; c++) {
    const at = c * rec;
    for (let t = 0; t < T; t++) dv.setInt8(at + t, weights[t * C + c]!);
    if (fast) {
      const R = -plan.shifts[c]!;
      dv.setInt32(at + oP, plan.multipliers[c]!, true);
      dv.setInt32(at + oP + 4, R, true);
      dv.setInt32(at + oP + 8, (2 ** R - 1) | 0, true);
    }
    classes.forEach((cl, k) => {
      let sum = 0;
      for (let ky = cl.ky0; ky < cl.ky1; ky++) for (let kx = cl.kx0; kx < cl.kx1; kx++) sum += weights[(ky * kw + kx) * C + c]!;
      dv.setInt32(at + oB + 4 * k, ((plan.bias ? plan.bias[c]! : 0) + Math.imul(plan.inputOffset, sum)) | 0, true);
    });
  }

  const a = new Asm();
  a.c(`in-place depthwise ${kh}x${kw}: ${inH}x${inW}x${C} (rows ${Sx} bytes apart) -> ${outH}x${outW}x${C}, stride ${sh}x${sw}, dilation ${dh}x${dw}, ` +
    `pads t${plan.pad.top} b${plan.pad.bottom} l${plan.pad.left} r${plan.pad.right}; ${K} pixel class(es); requantisation ${fast ? 'fast (M, R in registers)' : 'general'}`);
  a.c('r0 input, r1 one-channel temporary, r2 output (over the input): channel c is computed into the temporary, then');
  a.c('stored into its slots of the output, which only overwrite input channel c, already consumed');
  a.c(`registers: r0 tap (0, 0) of the pixel, r1 temporary, r2 acc, r3 tap row, r5 r6 input and weight, r7-r9 scratch, r10 counter, lr the channel's record; ` +
    (fast ? 'r11 M, r4 R, r12 2^R - 1' : 'r4 the channel'));
  a.i('push {r4-r11, lr}', `sub sp, sp, #${IP_FRAME}`);
  a.i(`str r0, [sp, #${IP.INC}]    @ input + c`, `str r1, [sp, #${IP.TMP}]`, `str r2, [sp, #${IP.OUTC}]    @ output + c`);
  a.i(...movImm('r10', C), `str r10, [sp, #${IP.CHS}]`, 'ldr lr, =ipdw_rec    @ channel 0\'s record');
  if (!fast) a.i('mov.w r4, #0    @ channel 0');
  a.label('chan_loop', `channels: ${C}`);
  if (fast) a.i(`ldr r11, [lr, #${oP}]    @ M`, `ldr r4, [lr, #${oP + 4}]    @ R`, `ldr r12, [lr, #${oP + 8}]    @ 2^R - 1`);
  a.i(`ldr r1, [sp, #${IP.TMP}]`);
  rows.forEach((rr, ri) => {
    a.c(`output rows ${rr.first}..${rr.first + rr.count - 1}: kernel rows ${rr.r[0]}..${rr.r[1] - 1}`);
    a.i(`ldr r0, [sp, #${IP.INC}]`, ...addImm('r0', 'r0', (rr.first * sh - plan.pad.top) * Sx - plan.pad.left * C, 'r5'));
    a.i(`str r0, [sp, #${IP.ROW}]    @ tap (0, 0) of the row's first pixel`, ...movImm('r10', rr.count), `str r10, [sp, #${IP.ROWS}]`);
    a.label(`row_loop_${ri}`);
    cols.forEach((cc, cj) => {
      const k = classOf(rr.r, cc.r), cl = classes[k]!;
      a.c(`columns ${cc.first}..${cc.first + cc.count - 1}: class ${k}, kernel rows ${cl.ky0}..${cl.ky1 - 1}, columns ${cl.kx0}..${cl.kx1 - 1}`);
      a.i(`ldr r0, [sp, #${IP.ROW}]`, ...addImm('r0', 'r0', cc.first * sw * C, 'r5'), ...movImm('r10', cc.count));
      a.label(`col_loop_${ri}_${cj}`);
      a.i(`ldr r2, [lr, #${oB + 4 * k}]    @ acc = bias + input offset x sum of the class's weights`);
      // the taps in batches: every load of a batch first (consecutive loads pipeline), then its MACs
      const taps: { ky: number; kx: number; o: number; rowOff: number; colOff: number }[] = [];
      for (let ky = cl.ky0; ky < cl.ky1; ky++) for (let kx = cl.kx0; kx < cl.kx1; kx++) taps.push({ ky, kx, rowOff: ky * dh * Sx, colOff: kx * dw * C, o: ky * dh * Sx + kx * dw * C });
      const far = taps.some((t) => t.o > 4095);
      const pool = [...(far ? [] : ['r3']), 'r5', 'r6', 'r7', 'r8', 'r9', ...(fast ? [] : ['r11', 'r12'])];
      const batch = Math.max(1, Math.floor(pool.length / 2));
      let base = -1;
      for (let i = 0; i < taps.length; i += batch) {
        const part = taps.slice(i, i + batch);
        part.forEach((t, j) => {
          let addr: string;
          if (t.o <= 4095) addr = `[r0, #${t.o}]`;
          else {
            if (base < 0 || t.o - base < 0 || t.o - base > 4095) {
              base = t.colOff <= 4095 ? t.rowOff : t.o;
              a.i(...addImm('r3', 'r0', base, pool[2 * j]!));
            }
            addr = t.o === base ? '[r3]' : `[r3, #${t.o - base}]`;
          }
          a.i(`ldrsb ${pool[2 * j]}, ${addr}    @ tap (${t.ky}, ${t.kx})`, `ldrsb ${pool[2 * j + 1]}, [lr, #${t.ky * kw + t.kx}]`);
        });
        part.forEach((_, j) => a.i(`mla r2, ${pool[2 * j]}, ${pool[2 * j + 1]}, r2`));
      }
      if (fast) fastRequant(a, plan, { acc: 'r2', m: 'r11', rsh: 'r4', mask: 'r12', t: ['r7', 'r8', 'r9'] });
      else a.lines.push(...requantAsm(plan, { acc: 'r2', ch: 'r4', t: ['r3', 'r5', 'r6', 'r7', 'r8', 'r9'], label: `rq_${ri}_${cj}` }));
      a.i('strb r2, [r1], #1', ...addImm('r0', 'r0', sw * C, 'r5'), 'subs r10, r10, #1', `bne col_loop_${ri}_${cj}`);
      a.i(`b pool_done_${ri}_${cj}`, '.ltorg    @ literals of the block above (the unrolled blocks outgrow one pool\'s reach)');
      a.label(`pool_done_${ri}_${cj}`);
    });
    rowEnd(a, IP, ri, sh * Sx, 'r10', 'r5');
  });
  channelEnd(a, IP, P, C, { n: 'r10', w: 'r5', b: 'r6', t: 'r7', u: 'r8' });
  a.i(...addImm('lr', 'lr', rec, 'r5'));
  if (!fast) a.i('add r4, r4, #1');
  a.i(`ldr r10, [sp, #${IP.CHS}]`, 'subs r10, r10, #1', `str r10, [sp, #${IP.CHS}]`, 'bne chan_loop');
  a.i(`add sp, sp, #${IP_FRAME}`, 'pop {r4-r11, pc}');
  const tables: DataTable[] = [{ name: 'ipdw_rec', comment: `${C} channel records of ${rec} bytes: ${T} weights (int8, padded to ${T4})${fast ? ', M, R, 2^R - 1' : ''}, the folded bias of ${K} pixel class(es)`, bytes }];
  if (!fast) tables.push(int32Table('multipliers', `int32 x ${C}`, plan.multipliers), int32Table('shifts', `int32 x ${C}`, plan.shifts));
  return {
    kind: 'inplace-depthwise',
    lines: wrap(a.lines),
    tables,
    stackBytes: 36 + IP_FRAME,
    args: 'r0 input, r1 temporary (one channel), r2 output (over the input)',
    cpu: 'cortex-m3',
  };
}

/** The pixel classes and their runs of an in-place depthwise layer. */
function dwClassesOf(plan: LayerPlan) {
  const rows = tapRuns(plan.outH, plan.sh, plan.pad.top, plan.kh, plan.dh, plan.inH), cols = tapRuns(plan.outW, plan.sw, plan.pad.left, plan.kw, plan.dw, plan.inW);
  const classes: TapClass[] = [];
  const classOf = (r: [number, number], c: [number, number]): number => {
    let k = classes.findIndex((x) => x.ky0 === r[0] && x.ky1 === r[1] && x.kx0 === c[0] && x.kx1 === c[1]);
    if (k < 0) { k = classes.length; classes.push({ ky0: r[0], ky1: r[1], kx0: c[0], kx1: c[1] }); }
    return k;
  };
  for (const r of rows) for (const c of cols) classOf(r.r, c.r);
  return { rows, cols, classes, classOf };
}

/** Sum of channel c's weights over a class's taps, and of their absolute values. */
function classSums(plan: LayerPlan, weights: Int8Array, cl: TapClass, c: number): [number, number] {
  let s = 0, sa = 0;
  for (let ky = cl.ky0; ky < cl.ky1; ky++) for (let kx = cl.kx0; kx < cl.kx1; kx++) { const w = weights[(ky * plan.kw + kx) * plan.outC + c]!; s += w; sa += Math.abs(w); }
  return [s, sa];
}

const ID = { INC: 0, TMP: 4, OUTC: 8, ROW: 12, ROWS: 16, CHS: 20, REC: 24, CNT: 28, B: 32 } as const;

/** Taps whose int16 weight pairs the DSP in-place depthwise kernel keeps in registers (r4-r8); more go in the frame. */
export const IPDD_REGISTER_TAPS = 10;
/** Largest kernel (taps) the DSP in-place depthwise kernel takes (its frame: the weight pairs and the classes' biases). */
export const IPDD_MAX_TAPS = 64;

/**
 * Why the DSP in-place depthwise kernel does not take a layer (null: it does). It keeps a channel's requantisation
 * (M, T, R) in registers and its kernel (int16 pairs) in registers up to IPDD_REGISTER_TAPS taps, in the frame beyond,
 * up to IPDD_MAX_TAPS; it needs double rounding, every shift <= -1 and accumulators that cannot overflow when doubled:
 * 2 B + 2^(R-1) + |zp| 2^R + 1 < 2^31 with B = |folded bias| + 128 x sum |w| over each class's taps.
 */
export function inPlaceDepthwiseDspSupport(plan: LayerPlan, weights: Int8Array, inRowStride: number = plan.inW * plan.inC): string | null {
  if (plan.kind !== 'depthwise' || plan.depthMultiplier !== 1) return 'kind: a depthwise layer with depth multiplier 1';
  if (plan.kh * plan.kw > IPDD_MAX_TAPS) return `kernel: ${plan.kh}x${plan.kw} has more than the ${IPDD_MAX_TAPS} taps the kernel takes`;
  if (plan.rounding !== 'double') return 'rounding: single rounding';
  if (!Array.from(plan.shifts).every((s) => s <= -1)) return 'weightScales: a channel shift >= 0';
  if ((plan.kw - 1) * plan.dw * plan.outC > 4095) return `input.c: a kernel row spans more than 4095 bytes`;
  if (plan.kh * plan.dh * inRowStride > 0x7fffffff) return 'input: too large';
  const { classes } = dwClassesOf(plan);
  if (ipddFrame(plan.kh * plan.kw, classes.length) > 4095) return `padding: ${classes.length} pixel classes`;
  for (let c = 0; c < plan.outC; c++) {
    const R = -plan.shifts[c]!;
    for (const cl of classes) {
      const [sum, sa] = classSums(plan, weights, cl, c);
      const B = Math.abs((plan.bias ? plan.bias[c]! : 0) + plan.inputOffset * sum) + 128 * sa;
      if (2 * B + 2 ** (R - 1) + Math.abs(plan.outputOffset) * 2 ** R + 1 >= 2 ** 31) return `bias: channel ${c}'s accumulator could overflow when doubled`;
    }
  }
  return null;
}

/** The DSP in-place kernel's frame: the slots, the classes' biases (4 K), the weight pairs beyond the registers' taps. */
const ipddFrame = (T: number, K: number) => Math.ceil((ID.B + 4 * K + (T > IPDD_REGISTER_TAPS ? 4 * Math.ceil(T / 2) : 0)) / 8) * 8;

/**
 * The int8 weights of a depthwise channel in the order of the DSP kernels' int16 pairs: word q holds taps 4q..4q+3
 * as the bytes [t(4q), t(4q+2), t(4q+1), t(4q+3)], so SXTB16 gives the pair [t(4q), t(4q+1)] and SXTB16 ROR #8 the
 * pair [t(4q+2), t(4q+3)] (CMSIS-NN's read_and_pad_reordered: the reordering done offline). Zero past the T taps.
 */
export function reorderedTapWords(T: number, w: (t: number) => number): Int8Array {
  const out = new Int8Array(4 * Math.ceil(T / 4));
  for (let t = 0; t < T; t++) {
    const q = t >> 2, i = t & 3;
    out[4 * q + [0, 2, 1, 3][i]!] = w(t);
  }
  return out;
}

/**
 * The in-place depthwise kernel with the DSP extension (the simd variant; ARMv7E-M), for the layers
 * inPlaceDepthwiseDspSupport accepts (the others run inPlaceDepthwiseKernel). Same buffers and order as the scalar
 * kernel (channel by channel into the temporary, then into the channel's slots).
 *
 * Flash table `ipdd_rec`, per channel: its T int8 weights reordered (reorderedTapWords, ceil(T/4) words), M,
 * T = 2^(R-1) + zp 2^R (R - 1 = the trailing zeros of T: RBIT, CLZ) and the bias folded over all the taps and
 * doubled, 2 (bias + inputOffset x sum w): 4 ceil(T/4) + 12 bytes a channel.
 *
 * Per channel, the weights are widened (SXTB16, SXTB16 ROR #8) and doubled (SADD16) into int16 pairs: in r4-r8 up to
 * IPDD_REGISTER_TAPS taps, else in the frame; M, T and R go in r9-r11; and each pixel class's bias is computed into
 * the frame: the folded bias plus, for each of the class's taps outside the image, the input zero point z times the
 * tap's 2w (SMLABB / SMLABT). z + inputOffset = 0, so that cancels the tap's share of the folded bias: the class's
 * own folded bias, as the reference skips the tap. Per output: LDRSB x and SMLABB / SMLABT (the tap's half of its
 * pair) over the class's taps, then src/kernels' fast requantisation: SMMLAR(2 acc, M, T - (acc < 0)) >> R
 * = RDBPOT(SRDHM(acc, M), R) + zp, SSAT #8, the clamp. With the weights in the frame the taps go in batches: the pair
 * words they need (LDR, SP-relative) and their inputs (LDRSB) loaded together, then the MACs. Rows of taps further
 * than 4095 bytes go through a row pointer (r12 = r0 + ky x row step in lr); the pixel counter is then in the frame,
 * else in lr.
 */
export function inPlaceDepthwiseKernelDsp(plan: LayerPlan, weights: Int8Array, inRowStride: number = plan.inW * plan.inC,
  core: 'cortex-m4' | 'cortex-m7' = 'cortex-m4'): OwnKernel {
  const m7 = core === 'cortex-m7';
  const why = inPlaceDepthwiseDspSupport(plan, weights, inRowStride);
  if (why) throw new Error(`in-place depthwise (DSP): ${why}`);
  const { inH, inW, outH, outW, kh, kw, sh, sw, dh, dw } = plan;
  const C = plan.outC, T = kh * kw, P = outH * outW, Sx = inRowStride;
  const { rows, cols, classes, classOf } = dwClassesOf(plan);
  const K = classes.length, WR = Math.ceil(T / 2), NW = Math.ceil(T / 4);
  const inRegs = T <= IPDD_REGISTER_TAPS;
  const far = (kh - 1) * dh * Sx + (kw - 1) * dw * C > 4095;
  const rec = 4 * NW + 12;
  const bytes = new Uint8Array(C * rec);
  const dv = new DataView(bytes.buffer);
  for (let c = 0; c < C; c++) {
    const at = c * rec;
    reorderedTapWords(T, (t) => weights[t * C + c]!).forEach((v, i) => dv.setInt8(at + i, v));
    const R = -plan.shifts[c]!;
    let sum = 0;
    for (let t = 0; t < T; t++) sum += weights[t * C + c]!;
    dv.setInt32(at + 4 * NW, plan.multipliers[c]!, true);
    dv.setInt32(at + 4 * NW + 4, 2 ** (R - 1) + plan.outputOffset * 2 ** R, true);
    dv.setInt32(at + 4 * NW + 8, Math.imul(((plan.bias ? plan.bias[c]! : 0) + Math.imul(plan.inputOffset, sum)) | 0, 2), true);
  }
  const W = ID.B + 4 * K; // frame offset of the weight pairs (frame path)
  const frame = ipddFrame(T, K);
  const wregs = ['r4', 'r5', 'r6', 'r7', 'r8'].slice(0, WR);
  const inClass = (cl: TapClass, t: number) => { const ky = Math.floor(t / kw), kx = t % kw; return ky >= cl.ky0 && ky < cl.ky1 && kx >= cl.kx0 && kx < cl.kx1; };
  const half = (t: number) => (t & 1 ? 't' : 'b');
  const a = new Asm();
  a.c(`in-place depthwise ${kh}x${kw}, DSP: ${inH}x${inW}x${C} (rows ${Sx} bytes apart) -> ${outH}x${outW}x${C}, stride ${sh}x${sw}, dilation ${dh}x${dw}, ` +
    `pads t${plan.pad.top} b${plan.pad.bottom} l${plan.pad.left} r${plan.pad.right}; ${K} pixel class(es); int8 weights, widened per channel ${inRegs ? 'into registers' : 'into the frame'}`);
  a.c('channel c into the temporary, then into its slots of the output (over input channel c, already consumed)');
  if (m7 && (!inRegs || !far)) a.c('instruction order for the Cortex-M7: the loads software-pipelined, each beside the MAC two taps before its own');
  a.c(`registers: r0 tap (0, 0) of the pixel, r1 temporary, r2 acc (doubled), ${inRegs ? `r3 ${far ? '' : 'r12 '}input values, ${wregs.join(' ')} weight pairs` : 'r3-r8 weight pairs and input values (batches)'}, r9 M, r10 T, r11 R, ` +
    (far ? 'r12 tap row, lr row step; the pixel counter in the frame' : 'lr pixel counter'));
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r12', frame), 'sub sp, sp, r12']));
  a.i(`str r0, [sp, #${ID.INC}]`, `str r1, [sp, #${ID.TMP}]`, `str r2, [sp, #${ID.OUTC}]`, ...movImm('r3', C), `str r3, [sp, #${ID.CHS}]`, 'ldr r3, =ipdd_rec', `str r3, [sp, #${ID.REC}]`);
  a.i('b chan_loop', '.ltorg    @ the literal above (the per-channel code below can be longer than a literal load reaches)');
  a.label('chan_loop', `channels: ${C}`);
  a.c(`the channel's ${T} weights: int8 words -> doubled int16 pairs (taps 2p, 2p + 1)${inRegs ? '' : ' in the frame'}`);
  a.i(`ldr r12, [sp, #${ID.REC}]`);
  if (inRegs) {
    for (let q = 0; q < NW; q++) {
      const lo = wregs[2 * q]!, hi = wregs[2 * q + 1];
      a.i(`ldr ${hi ?? lo}, [r12], #4`);
      if (hi) a.i(`sxtb16 ${lo}, ${hi}`, `sxtb16 ${hi}, ${hi}, ror #8`, `sadd16 ${lo}, ${lo}, ${lo}`, `sadd16 ${hi}, ${hi}, ${hi}`);
      else a.i(`sxtb16 ${lo}, ${lo}`, `sadd16 ${lo}, ${lo}, ${lo}`);
    }
  } else {
    for (let q = 0; q < NW; q++) {
      a.i('ldr r3, [r12], #4', 'sxtb16 r4, r3', 'sxtb16 r3, r3, ror #8', 'sadd16 r4, r4, r4', 'sadd16 r3, r3, r3', `str r4, [sp, #${W + 8 * q}]`);
      if (2 * q + 1 < WR) a.i(`str r3, [sp, #${W + 8 * q + 4}]`);
    }
  }
  a.i('ldm r12!, {r9, r10}    @ M, T', 'ldr r2, [r12], #4    @ 2 x the folded bias', `str r12, [sp, #${ID.REC}]    @ the next channel's record`);
  a.i('rbit r11, r10', 'clz r11, r11', 'add r11, r11, #1    @ R: the trailing zeros of T, + 1');
  a.c(`the pixel classes' biases: 2 x folded bias + z 2w for each tap outside the image (z = ${plan.inputZeroPoint}: cancels the tap's share);`);
  a.c('a pair of taps both outside: SMLAD with [z, z] (r1), one of a pair: SMLABB / SMLABT with z (r3)');
  const z = plan.inputZeroPoint;
  a.i(movSmall('r3', z, ''), ...movImm('r1', ((z & 0xffff) | (z << 16)) | 0));
  classes.forEach((cl, k) => {
    const miss = Array.from({ length: T }, (_, t) => t).filter((t) => !inClass(cl, t));
    if (!miss.length) { a.i(`str r2, [sp, #${ID.B + 4 * k}]    @ class ${k}: every tap inside`); return; }
    a.i('mov r12, r2');
    for (let q = 0; q < WR; q++) {
      const m0 = miss.includes(2 * q), m1 = 2 * q + 1 < T && miss.includes(2 * q + 1);
      if (!m0 && !m1) continue;
      const reg = inRegs ? wregs[q]! : 'r5';
      if (!inRegs) a.i(`ldr r5, [sp, #${W + 4 * q}]`);
      if (m0 && m1) a.i(`smlad r12, r1, ${reg}, r12    @ taps ${2 * q}, ${2 * q + 1}`);
      else a.i(`smlab${m1 ? 't' : 'b'} r12, r3, ${reg}, r12    @ tap ${m1 ? 2 * q + 1 : 2 * q}`);
    }
    a.i(`str r12, [sp, #${ID.B + 4 * k}]    @ class ${k}`);
  });
  a.i(`ldr r1, [sp, #${ID.TMP}]`);
  if (far) a.i(...movImm('lr', dh * Sx).map((l) => `${l}    @ row step`));
  rows.forEach((rr, ri) => {
    a.c(`output rows ${rr.first}..${rr.first + rr.count - 1}: kernel rows ${rr.r[0]}..${rr.r[1] - 1}`);
    a.i(`ldr r0, [sp, #${ID.INC}]`, ...addImm('r0', 'r0', (rr.first * sh - plan.pad.top) * Sx - plan.pad.left * C, 'r3'));
    a.i(`str r0, [sp, #${ID.ROW}]`, ...movImm('r3', rr.count), `str r3, [sp, #${ID.ROWS}]`);
    a.label(`row_loop_${ri}`);
    cols.forEach((cc, cj) => {
      const k = classOf(rr.r, cc.r), cl = classes[k]!;
      a.c(`columns ${cc.first}..${cc.first + cc.count - 1}: class ${k}, kernel rows ${cl.ky0}..${cl.ky1 - 1}, columns ${cl.kx0}..${cl.kx1 - 1}`);
      a.i(`ldr r0, [sp, #${ID.ROW}]`, ...addImm('r0', 'r0', cc.first * sw * C, 'r3'));
      if (far) a.i(...movImm('r3', cc.count), `str r3, [sp, #${ID.CNT}]`);
      else a.i(...movImm('lr', cc.count));
      a.label(`col_loop_${ri}_${cj}`);
      a.i(`ldr r2, [sp, #${ID.B + 4 * k}]    @ acc = the class's bias (2 x, folded)`);
      const taps: { t: number; ky: number; kx: number }[] = [];
      for (let ky = cl.ky0; ky < cl.ky1; ky++) for (let kx = cl.kx0; kx < cl.kx1; kx++) taps.push({ t: ky * kw + kx, ky, kx });
      // the address of a tap: [r0, #o] (near), or [r12, #kx dw C] with r12 at its row (far; r12 set per row)
      let cur = 0; // far: r12 = r0 + cur x row step (0: not set)
      const rowBase = (ky: number): string => {
        if (!far || ky === 0) return 'r0';
        if (ky !== cur) {
          if (cur > 0 && ky === cur + 1) a.i('add r12, r12, lr    @ the next tap row');
          else {
            const bits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((b) => (ky >> b) & 1);
            bits.forEach((b, i) => a.i(`add r12, ${i ? 'r12' : 'r0'}, lr${b ? `, lsl #${b}` : ''}${i ? '' : `    @ tap row ${ky}`}`));
          }
          cur = ky;
        }
        return 'r12';
      };
      const addr = (tp: { ky: number; kx: number }) => (far ? (tp.ky === 0 ? `[r0, #${tp.kx * dw * C}]` : `[r12, #${tp.kx * dw * C}]`) : `[r0, #${tp.ky * dh * Sx + tp.kx * dw * C}]`);
      if (m7 && (!inRegs || !far)) {
        // Cortex-M7: software-pipelined, each load issued as the younger partner of a MAC two taps before its own (a
        // byte load's result is ready 2 cycles on): about a cycle a tap. x words in r3 / r4 (r3 / r12 with the weights
        // in registers), pair words (weights in the frame) in r5-r7 by turns
        const xs = inRegs ? ['r3', 'r12'] : ['r3', 'r4'], ws = ['r5', 'r6', 'r7'];
        const loads: { tap: number; text: string; row: number }[] = [];
        const wOf: string[] = [];
        let lastQ = -1, nq = 0;
        taps.forEach((t, i) => {
          const q = t.t >> 1;
          if (inRegs) wOf.push(wregs[q]!);
          else {
            if (q !== lastQ) { loads.push({ tap: i, row: -1, text: `ldr ${ws[nq % 3]}, [sp, #${W + 4 * q}]    @ pair ${q}` }); lastQ = q; nq++; }
            wOf.push(ws[(nq - 1) % 3]!);
          }
          loads.push({ tap: i, row: t.ky, text: `ldrsb ${xs[i % 2]}, ${addr(t)}    @ tap (${t.ky}, ${t.kx})` });
        });
        const emitLoads = (tap: number) => {
          for (const l of loads.filter((x) => x.tap === tap)) { if (far && l.row >= 0) rowBase(l.row); a.i(l.text); }
        };
        emitLoads(0); emitLoads(1);
        taps.forEach((t, i) => {
          a.i(`smlab${half(t.t)} r2, ${xs[i % 2]}, ${wOf[i]}, r2`);
          emitLoads(i + 2);
        });
      } else if (inRegs) {
        if (!far) {
          for (let i = 0; i < taps.length; i += 2) {
            const p = taps.slice(i, i + 2), xr = ['r3', 'r12'];
            p.forEach((t, j) => a.i(`ldrsb ${xr[j]}, ${addr(t)}    @ tap (${t.ky}, ${t.kx})`));
            p.forEach((t, j) => a.i(`smlab${half(t.t)} r2, ${xr[j]}, ${wregs[t.t >> 1]}, r2`));
          }
        } else {
          for (const t of taps) { rowBase(t.ky); a.i(`ldrsb r3, ${addr(t)}    @ tap (${t.ky}, ${t.kx})`, `smlab${half(t.t)} r2, r3, ${wregs[t.t >> 1]}, r2`); }
        }
      } else {
        // batches: the pair words and the inputs of up to 6 registers, loaded together (they pipeline), then the MACs;
        // a batch does not cross a tap row in far mode (r12 moves)
        const pool = ['r3', 'r4', 'r5', 'r6', 'r7', 'r8'];
        let i = 0;
        while (i < taps.length) {
          const batch: typeof taps = [], words: number[] = [];
          while (i < taps.length) {
            const t = taps[i]!;
            if (far && batch.length && t.ky !== batch[0]!.ky) break;
            const need = words.includes(t.t >> 1) ? 0 : 1;
            if (words.length + need + batch.length + 1 > pool.length) break;
            if (need) words.push(t.t >> 1);
            batch.push(t); i++;
          }
          if (far) rowBase(batch[0]!.ky);
          const wreg = (t: number) => pool[words.indexOf(t >> 1)]!, xreg = (j: number) => pool[words.length + j]!;
          words.forEach((q) => a.i(`ldr ${wreg(2 * q)}, [sp, #${W + 4 * q}]    @ pair ${q}`));
          batch.forEach((t, j) => a.i(`ldrsb ${xreg(j)}, ${addr(t)}    @ tap (${t.ky}, ${t.kx})`));
          batch.forEach((t, j) => a.i(`smlab${half(t.t)} r2, ${xreg(j)}, ${wreg(t.t)}, r2`));
        }
      }
      a.c('SMMLAR(2 acc, M, T - (acc < 0)) >> R, saturate, clamp');
      a.i('add r12, r10, r2, asr #31', 'smmlar r2, r2, r9, r12', 'asr r2, r2, r11', 'ssat r2, #8, r2', ...clampAsm('r2', plan.actMin, plan.actMax, 'r12'));
      a.i('strb r2, [r1], #1', ...addImm('r0', 'r0', sw * C, 'r12'));
      if (far) a.i(`ldr r3, [sp, #${ID.CNT}]`, 'subs r3, r3, #1', `str r3, [sp, #${ID.CNT}]`, `bne col_loop_${ri}_${cj}`);
      else a.i('subs lr, lr, #1', `bne col_loop_${ri}_${cj}`);
      a.i(`b pool_done_${ri}_${cj}`, '.ltorg');
      a.label(`pool_done_${ri}_${cj}`);
    });
    rowEnd(a, ID, ri, sh * Sx, 'r3', 'r3');
  });
  channelEnd(a, ID, P, C, { n: 'r2', w: 'r3', b: 'r9', t: 'r12', u: 'r4' });
  a.i(`ldr r3, [sp, #${ID.CHS}]`, 'subs r3, r3, #1', `str r3, [sp, #${ID.CHS}]`, 'bne chan_loop');
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r12', frame), 'add sp, sp, r12']), 'pop {r4-r11, pc}');
  return {
    kind: 'inplace-depthwise', lines: wrap(a.lines),
    tables: [{ name: 'ipdd_rec', comment: `${C} channel records of ${rec} bytes: ${T} int8 weights (reordered for SXTB16 pairs), M, T, 2 x the bias folded over all taps`, bytes }],
    stackBytes: 36 + frame, args: 'r0 input, r1 temporary (one channel), r2 output (over the input)', cpu: 'cortex-m4',
  };
}

// ----------------------------------------------------------------------------------------------------------------
// fused pointwise + add

/** Input elements up to which the pointwise reduction is fully unrolled; beyond, a loop of UNROLL. */
const FULL_UNROLL = 16;
const UNROLL = 8;

/**
 * The first step of TFLM's ADD for one input as a table over its 256 values: s(v) =
 * MultiplyByQuantizedMultiplier((v + offset) << leftShift, M, shift) (int32, index v + 128). The kernels look the
 * value up instead of computing it (src/nn/ops.ts add: the same function of v alone).
 */
export function addInputTable(offset: number, M: number, shift: number, leftShift: number, rounding: LayerPlan['rounding']): Int32Array {
  const t = new Int32Array(256);
  for (let v = -128; v < 128; v++) t[v + 128] = requantize(Math.imul(v + offset, 1 << leftShift), M, shift, rounding);
  return t;
}

export interface FusedGeometry {
  /** output rows and columns of the region */
  rows: number;
  cols: number;
  /** bytes between rows: the projection's input, the residual, the output */
  pStride: number;
  xStride: number;
  oStride: number;
}

/** The add's parameters for the projection's value (y) and the residual's (x), and their tables. */
function addSides(add: LayerPlan, projFirst: boolean) {
  const ap = add.add!;
  const one = { off: ap.input1Offset, m: ap.input1Multiplier, s: ap.input1Shift }, two = { off: ap.input2Offset, m: ap.input2Multiplier, s: ap.input2Shift };
  const [py, px] = projFirst ? [one, two] : [two, one];
  const lut = (q: typeof one) => addInputTable(q.off, q.m, q.s, ap.leftShift, add.rounding);
  return { ap, py, px, lutY: lut(py), lutX: lut(px) };
}

/**
 * The end of an output of the fused kernels: `acc` holds the projection's requantised, clamped value y; the residual's
 * value is at [xr, #j]; out = MultiplyByQuantizedMultiplier(s_y(y) + s_x(x), M_out, shift_out) + zero point, clamped,
 * stored at [or, #j]. s_y and s_x come from the tables fu_lut_y / fu_lut_x. `t`: three scratch registers.
 */
function addTail(a: Asm, add: LayerPlan, acc: string, xr: string, or: string, j: string, t: [string, string, string]): void {
  const ap = add.add!;
  const [t0, t1, t2] = t;
  a.c('add: s_y(y) + s_x(x) from the tables, requantised to the output');
  a.i('ldr ' + t0 + ', =fu_lut_y + 512', `ldr ${acc}, [${t0}, ${acc}, lsl #2]    @ s_y`, `ldrsb ${t1}, [${xr}, ${j}]    @ the residual`,
    'ldr ' + t0 + ', =fu_lut_x + 512', `ldr ${t1}, [${t0}, ${t1}, lsl #2]    @ s_x`, `add ${acc}, ${acc}, ${t1}`);
  a.lines.push(...requantConstAsm(acc, ap.outputMultiplier, ap.outputShift, add.rounding, [t0, t1, t2]).map((l) => `  ${l}`));
  a.i(...addImm(acc, acc, ap.outputOffset, t0), `ssat ${acc}, #8, ${acc}`, ...clampAsm(acc, add.actMin, add.actMax, t0));
  a.i(`strb ${acc}, [${or}, ${j}]    @ over the residual element just read (or into the stage output)`);
}

function checkFusable(proj: LayerPlan, add: LayerPlan): void {
  if (!(proj.kh === 1 && proj.kw === 1 && proj.sh === 1 && proj.sw === 1 && proj.pad.top === 0 && proj.pad.left === 0 && proj.pad.bottom === 0 && proj.pad.right === 0)
    || (proj.kind !== 'pointwise' && proj.kind !== 'conv2d')) {
    throw new Error(`fused residual: the layer before the add must be a 1x1 convolution with stride 1 and no padding, got ${proj.kind} ${proj.kh}x${proj.kw} stride ${proj.sh}x${proj.sw}`);
  }
  if (add.kind !== 'add' || !add.add) throw new Error(`fused residual: expected an add layer, got ${add.kind}`);
}

const FU = { COLS: 0, ROWS: 4, PROW: 8, XROW: 12, OROW: 16 } as const;
const FU_FRAME = 24;

/**
 * The pointwise layer `proj` (1x1, stride 1, no padding; its plan for the region: rows x cols x K -> C) fused with
 * the add `add` that reads its output and the residual X; scalar (ARMv7-M). r0 = the projection's input, r1 = the
 * residual at the region's first pixel, r2 = the output's first pixel. Two output channels at a time share each
 * input load (LDRSB x, LDRSB w0, LDRSB w1, MLA, MLA), the input offset folded into the bias.
 */
export function fusedPointwiseAddKernel(proj: LayerPlan, weights: Int8Array, add: LayerPlan, projFirst: boolean, g: FusedGeometry): OwnKernel {
  checkFusable(proj, add);
  const K = proj.inC, C = proj.outC;
  if (K + UNROLL > 4095 || C > 4095) throw new Error(`fused residual: ${K} input / ${C} output channels are more than the kernel's load offsets reach (4095)`);
  const { py, px, lutY, lutX } = addSides(add, projFirst);
  const bias = foldBias(proj, weights);
  const a = new Asm();
  a.c(`pointwise ${K} -> ${C} fused with the residual add: ${g.rows}x${g.cols} pixels; row strides: input ${g.pStride}, residual ${g.xStride}, output ${g.oStride}`);
  a.c(`add: the projection's value is input ${projFirst ? 1 : 2} (offset ${py.off}), the residual input ${projFirst ? 2 : 1} (offset ${px.off})`);
  a.c('r0 input pixel, r1 residual pixel, r2 output pixel, r3 weights (OHWI, in order), r4 r5 accumulators of channels oc, oc + 1, r10 oc');
  a.i('push {r4-r11, lr}', `sub sp, sp, #${FU_FRAME}`);
  a.i(`str r0, [sp, #${FU.PROW}]`, `str r1, [sp, #${FU.XROW}]`, `str r2, [sp, #${FU.OROW}]`);
  a.i(...movImm('r6', g.rows), `str r6, [sp, #${FU.ROWS}]`);
  a.label('row_loop', `rows: ${g.rows}`);
  a.i(...movImm('r6', g.cols), `str r6, [sp, #${FU.COLS}]`);
  a.label('pixel_loop', `pixels of the row: ${g.cols}`);
  a.i('ldr r3, =pw_w    @ OHWI: the weights run in order through all output channels', 'mov.w r10, #0    @ output channel 0');

  // the MACs of one or two channels over the K inputs at r0 (weights of the second channel K bytes on)
  const macs = (two: boolean, id: string) => {
    const one = (x: string, i: number) => {
      a.i(`ldrsb r7, [${x}, #${i}]`, `ldrsb r8, [r3, #${i}]`);
      if (two) a.i(`ldrsb r9, [r3, #${K + i}]`);
      a.i('mla r4, r7, r8, r4');
      if (two) a.i('mla r5, r7, r9, r5');
    };
    if (K <= FULL_UNROLL) {
      a.c(`${K} MACs${two ? ' for each of the two channels' : ''}, unrolled`);
      for (let i = 0; i < K; i++) one('r0', i);
      a.i(...addImm('r3', 'r3', two ? 2 * K : K, 'r6'));
      return;
    }
    const loops = Math.floor(K / UNROLL), rest = K % UNROLL;
    a.c(`${K} MACs${two ? ' for each of the two channels' : ''}: ${loops} x ${UNROLL}, then ${rest}`);
    a.i('mov lr, r0', ...movImm('r6', loops));
    a.label(`mac_loop_${id}`);
    for (let i = 0; i < UNROLL; i++) one('lr', i);
    a.i(`add lr, lr, #${UNROLL}`, `add r3, r3, #${UNROLL}`, 'subs r6, r6, #1', `bne mac_loop_${id}`);
    for (let i = 0; i < rest; i++) one('lr', i);
    a.i(...addImm('r3', 'r3', rest + (two ? K : 0), 'r6'));
  };
  // r4: requantise as the projection's output, then the add with the residual's element; store
  const post = (id: string) => {
    a.lines.push(...requantAsm(proj, { acc: 'r4', ch: 'r10', t: ['r6', 'r7', 'r8', 'r9', 'r11', 'r12'], label: `rq_${id}` }));
    addTail(a, add, 'r4', 'r1', 'r2', 'r10', ['r7', 'r8', 'r9']);
  };
  const pairs = Math.floor(C / 2);
  if (pairs) {
    a.label('pair_loop', `output channel pairs: ${pairs}`);
    a.i('ldr r11, =pw_bias', 'add r11, r11, r10, lsl #2', 'ldr r5, [r11, #4]', 'ldr r4, [r11]    @ acc = bias + input offset x sum of the weights');
    macs(true, 'pair');
    post('a');
    a.i('add r10, r10, #1', 'mov r4, r5    @ the second channel');
    post('b');
    a.i('add r10, r10, #1', ...cmpImm('r10', 2 * pairs, 'r6'), 'blo pair_loop');
  }
  if (C % 2) {
    a.c('the last output channel (odd count)');
    a.i('ldr r11, =pw_bias', 'add r11, r11, r10, lsl #2', 'ldr r4, [r11]    @ r10 = the last channel');
    macs(false, 'one');
    post('c');
  }
  a.c('next pixel');
  a.i(...addImm('r0', 'r0', K, 'r6'), ...addImm('r1', 'r1', C, 'r6'), ...addImm('r2', 'r2', C, 'r6'));
  a.i(`ldr r6, [sp, #${FU.COLS}]`, 'subs r6, r6, #1', `str r6, [sp, #${FU.COLS}]`, 'bne pixel_loop');
  a.c('next row');
  a.i(`ldr r0, [sp, #${FU.PROW}]`, ...addImm('r0', 'r0', g.pStride, 'r6'), `str r0, [sp, #${FU.PROW}]`);
  a.i(`ldr r1, [sp, #${FU.XROW}]`, ...addImm('r1', 'r1', g.xStride, 'r6'), `str r1, [sp, #${FU.XROW}]`);
  a.i(`ldr r2, [sp, #${FU.OROW}]`, ...addImm('r2', 'r2', g.oStride, 'r6'), `str r2, [sp, #${FU.OROW}]`);
  a.i(`ldr r6, [sp, #${FU.ROWS}]`, 'subs r6, r6, #1', `str r6, [sp, #${FU.ROWS}]`, 'bne row_loop');
  a.i(`add sp, sp, #${FU_FRAME}`, 'pop {r4-r11, pc}');
  return {
    kind: 'pointwise+add',
    lines: wrap(a.lines),
    tables: [
      int8Table('pw_w', `int8 OHWI ${C}x1x1x${K}`, weights),
      int32Table('pw_bias', `int32 x ${C}: bias + input offset x sum of the channel's weights`, bias),
      int32Table('multipliers', `int32 x ${C}`, proj.multipliers),
      int32Table('shifts', `int32 x ${C}`, proj.shifts),
      int32Table('fu_lut_y', 'int32 x 256: the add\'s first step for the projection\'s value v (index v + 128)', lutY),
      int32Table('fu_lut_x', 'int32 x 256: the add\'s first step for the residual\'s value v (index v + 128)', lutX),
    ],
    stackBytes: 36 + FU_FRAME,
    args: 'r0 projection input, r1 residual, r2 output',
    cpu: 'cortex-m3',
  };
}

const FD = { PIX: 0, XPIX: 4, OPIX: 8, COLS: 12, ROWS: 16, PROW: 20, XROW: 24, OROW: 28, BUF: 32 } as const;

/**
 * The fused projection + add with the DSP extension (ARMv7E-M; the simd variant). Per output pixel its K inputs
 * are widened into a stack buffer as int16 lanes with the input offset, SXTAB16(offset x 2, x) = [x0+off, x2+off]
 * and SXTAB16(.., x ROR 8) = [x1+off, x3+off] (reference/int8-semantics.md, as src/kernels/simd.ts does); then per
 * pair of output channels, per group of 4 inputs: LDM of the 2 buffer words, LDM of the 2 int8 weight words (flash:
 * 4 weights a word, in their byte order, so SXTB16 and SXTB16 ROR #8 give [w0, w2] and [w1, w3], the buffer's lane
 * order: src/kernels/simd8.ts), SXTB16 x 4, SMLAD x 4 = 8 MACs. Requantisation of the projection: M and R from the
 * record (2^R - 1 computed) when every shift <= 0 with double rounding, else requant.ts's code; then the add as the
 * scalar kernel.
 * Flash table `fu_w`: per channel pair (the last one padded with a zero channel when C is odd): int32 bias[2],
 * then per group g: the int8 words [w(oc, 4g) .. w(oc, 4g+3)] of oc and of oc + 1 (zero past K, where the widening
 * reads up to 3 bytes past the pixel), then (fast requantisation) int32 M, R of oc and of oc + 1: K + 12 bytes a
 * channel (K rounded up to 4).
 */
export function fusedPointwiseAddKernelDsp(proj: LayerPlan, weights: Int8Array, add: LayerPlan, projFirst: boolean, g: FusedGeometry,
  core: 'cortex-m4' | 'cortex-m7' = 'cortex-m4'): OwnKernel {
  checkFusable(proj, add);
  const K = proj.inC, C = proj.outC, G = Math.ceil(K / 4), pairs = Math.ceil(C / 2);
  const bufEnd = FD.BUF + 8 * G;
  if (bufEnd > 4095 || 4 * G > 4095) throw new Error(`fused residual: ${K} input channels are more than the DSP kernel's buffer offsets reach (4095)`);
  const fast = fastMode(proj);
  const { lutY, lutX } = addSides(add, projFirst);
  // the weight records
  const prm = fast ? 16 : 0;
  const rec = 8 + 8 * G + prm;
  const wb = new Uint8Array(pairs * rec);
  const dv = new DataView(wb.buffer);
  for (let q = 0; q < pairs; q++) {
    for (let j = 0; j < 2; j++) {
      const oc = 2 * q + j;
      if (oc >= C) continue;
      dv.setInt32(q * rec + 4 * j, proj.bias ? proj.bias[oc]! : 0, true);
      for (let gi = 0; gi < G; gi++) {
        for (let i = 0; i < 4; i++) dv.setInt8(q * rec + 8 + 8 * gi + 4 * j + i, 4 * gi + i < K ? weights[oc * K + 4 * gi + i]! : 0);
      }
      if (fast) {
        dv.setInt32(q * rec + 8 + 8 * G + 8 * j, proj.multipliers[oc]!, true);
        dv.setInt32(q * rec + 8 + 8 * G + 8 * j + 4, -proj.shifts[oc]!, true);
      }
    }
  }
  const frame = Math.ceil(bufEnd / 8) * 8;
  const off = proj.inputOffset;
  const a = new Asm();
  a.c(`pointwise ${K} -> ${C} fused with the residual add, DSP-SIMD: ${g.rows}x${g.cols} pixels; row strides: input ${g.pStride}, residual ${g.xStride}, output ${g.oStride}`);
  a.c(`frame: pixel pointers (input, residual, output), counters, row pointers; [sp, #${FD.BUF}] the widened pixel (${8 * G} bytes); requantisation ${fast ? 'fast' : 'general'}`);
  a.c('pair loop registers: r0 channel oc, r1 buffer, r2 weight record, r3 r4 accumulators of oc and oc + 1, r5 group counter, r8 r9 inputs, r10-r12 lr weights');
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r12', frame), 'sub sp, sp, r12']));
  a.i(`str r0, [sp, #${FD.PROW}]`, `str r1, [sp, #${FD.XROW}]`, `str r2, [sp, #${FD.OROW}]`, ...movImm('r3', g.rows), `str r3, [sp, #${FD.ROWS}]`);
  a.label('row_loop', `rows: ${g.rows}`);
  a.i(`ldr r0, [sp, #${FD.PROW}]`, `str r0, [sp, #${FD.PIX}]`, `ldr r0, [sp, #${FD.XROW}]`, `str r0, [sp, #${FD.XPIX}]`, `ldr r0, [sp, #${FD.OROW}]`, `str r0, [sp, #${FD.OPIX}]`);
  a.i(...movImm('r3', g.cols), `str r3, [sp, #${FD.COLS}]`);
  a.label('pixel_loop', `pixels of the row: ${g.cols}`);
  a.c(`widen the pixel's ${K} inputs: SXTAB16 with the input offset ${off} in both lanes (r12)`);
  a.i(`ldr r0, [sp, #${FD.PIX}]`, ...movImm('r12', ((off & 0xffff) | (off << 16)) | 0));
  for (let gi = 0; gi < G; gi++) {
    a.i(`ldr r8, [r0, #${4 * gi}]${4 * gi + 4 > K ? '    @ bytes past the pixel meet zero weights' : ''}`, 'sxtab16 r9, r12, r8, ror #8', 'sxtab16 r8, r12, r8',
      `str r8, [sp, #${FD.BUF + 8 * gi}]`, `str r9, [sp, #${FD.BUF + 8 * gi + 4}]`);
  }
  a.i('ldr r2, =fu_w', 'mov.w r0, #0    @ channel oc');
  a.label('pair_loop', `channel pairs: ${pairs}`);
  a.i('ldrd r3, r4, [r2], #8    @ the biases', `add r1, sp, #${FD.BUF}`);
  const widenW = ['sxtb16 r11, r10, ror #8', 'sxtb16 r10, r10', 'sxtb16 lr, r12, ror #8', 'sxtb16 r12, r12'];
  if (core !== 'cortex-m7') {
    // Cortex-M4: LDM bursts
    const group = () => a.i('ldm r1!, {r8, r9}', 'ldm r2!, {r10, r12}    @ the int8 words of oc, oc + 1', ...widenW,
      'smlad r3, r8, r10, r3', 'smlad r3, r9, r11, r3', 'smlad r4, r8, r12, r4', 'smlad r4, r9, lr, r4');
    if (G <= 8) {
      a.c(`${G} groups of 4 inputs, unrolled`);
      for (let gi = 0; gi < G; gi++) group();
    } else {
      a.c(`${G} groups of 4 inputs: ${Math.floor(G / 2)} x 2, then ${G % 2}`);
      a.i(...movImm('r5', Math.floor(G / 2)));
      a.label('group_loop');
      group(); group();
      a.i('subs r5, r5, #1', 'bne group_loop');
      if (G % 2) group();
    }
  } else {
    // Cortex-M7: software-pipelined, each load of the next group's operands issued beside (as the younger partner of)
    // the SMLAD that last reads the register; immediate offsets, the pointers stepped once an iteration
    const U = G <= 8 ? G : [8, 7, 6, 5, 4].find((u) => G % u === 0) ?? 4;
    const iters = Math.floor(G / U), rem = G - iters * U;
    const ld = (u: number) => ({ r10: `ldr r10, [r2, #${8 * u}]`, r8: `ldr r8, [r1, #${8 * u}]`, r12: `ldr r12, [r2, #${8 * u + 4}]`, r9: `ldr r9, [r1, #${8 * u + 4}]` });
    const group = (u: number, next: number | null) => {
      a.i(...widenW);
      const l = next === null ? null : ld(next);
      a.i('smlad r3, r8, r10, r3', ...(l ? [l.r10] : []), 'smlad r4, r8, r12, r4', ...(l ? [l.r8] : []),
        'smlad r3, r9, r11, r3', ...(l ? [l.r12] : []), 'smlad r4, r9, lr, r4', ...(l ? [l.r9] : []));
    };
    a.c(`${G} groups of 4 inputs: ${iters > 1 || rem ? `${iters} x ${U}${rem ? `, then ${rem}` : ''}` : 'unrolled'}; each group loads the next one's operands`);
    const first = ld(0);
    a.i(first.r8, first.r9, first.r10, first.r12);
    if (iters > 1 || rem) a.i(...movImm('r5', iters));
    a.label('group_loop');
    for (let u = 0; u < U; u++) group(u, u + 1 < U || iters > 1 || rem ? u + 1 : null);
    if (iters > 1 || rem) {
      a.i(`add r1, r1, #${8 * U}`, `add r2, r2, #${8 * U}`, 'subs r5, r5, #1', 'bne group_loop');
      for (let u = 0; u < rem; u++) group(u, u + 1 < rem ? u + 1 : null);
      if (rem) a.i(`add r2, r2, #${8 * rem}`);
    } else a.i(`add r2, r2, #${8 * U}`);
  }
  const post = (acc: string, j: number) => {
    if (fast) {
      a.i(`ldrd r6, r7, [r2, #${8 * j}]    @ M, R (r2 at the pair's parameters)`, 'mov.w r8, #1', 'lsl r8, r8, r7', 'sub r8, r8, #1    @ 2^R - 1');
      fastRequant(a, proj, { acc, m: 'r6', rsh: 'r7', mask: 'r8', t: ['r9', 'r10', 'r11'] });
    } else {
      a.i(j ? 'add r1, r0, #1' : 'mov r1, r0');
      a.lines.push(...requantAsm(proj, { acc, ch: 'r1', t: ['r6', 'r7', 'r8', 'r9', 'r10', 'r11'], label: `rq_${j}` }));
    }
    a.i(`ldr r6, [sp, #${FD.XPIX}]`, 'add r6, r6, r0', `ldr r7, [sp, #${FD.OPIX}]`, 'add r7, r7, r0');
    addTail(a, add, acc, 'r6', 'r7', `#${j}`, ['r9', 'r10', 'r11']);
  };
  a.c('channel oc');
  post('r3', 0);
  if (C % 2) a.i(...cmpImm('r0', C - 1, 'r5'), 'beq pair_done    @ the zero channel that pads an odd count');
  a.c('channel oc + 1');
  post('r4', 1);
  if (C % 2) a.label('pair_done');
  if (fast) a.i(`add r2, r2, #${prm}    @ the next pair's record`);
  a.i('add r0, r0, #2', ...cmpImm('r0', 2 * pairs, 'r5'), 'blo pair_loop');
  a.c('next pixel');
  a.i(`ldr r0, [sp, #${FD.PIX}]`, ...addImm('r0', 'r0', K, 'r5'), `str r0, [sp, #${FD.PIX}]`);
  a.i(`ldr r0, [sp, #${FD.XPIX}]`, ...addImm('r0', 'r0', C, 'r5'), `str r0, [sp, #${FD.XPIX}]`);
  a.i(`ldr r0, [sp, #${FD.OPIX}]`, ...addImm('r0', 'r0', C, 'r5'), `str r0, [sp, #${FD.OPIX}]`);
  a.i(`ldr r3, [sp, #${FD.COLS}]`, 'subs r3, r3, #1', `str r3, [sp, #${FD.COLS}]`, 'bne pixel_loop');
  a.c('next row');
  a.i(`ldr r0, [sp, #${FD.PROW}]`, ...addImm('r0', 'r0', g.pStride, 'r5'), `str r0, [sp, #${FD.PROW}]`);
  a.i(`ldr r0, [sp, #${FD.XROW}]`, ...addImm('r0', 'r0', g.xStride, 'r5'), `str r0, [sp, #${FD.XROW}]`);
  a.i(`ldr r0, [sp, #${FD.OROW}]`, ...addImm('r0', 'r0', g.oStride, 'r5'), `str r0, [sp, #${FD.OROW}]`);
  a.i(`ldr r3, [sp, #${FD.ROWS}]`, 'subs r3, r3, #1', `str r3, [sp, #${FD.ROWS}]`, 'bne row_loop');
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r12', frame), 'add sp, sp, r12']), 'pop {r4-r11, pc}');
  const tables: DataTable[] = [
    { name: 'fu_w', comment: `${pairs} channel-pair records of ${rec} bytes: int32 bias x 2, int8 weight words of ${G} groups of 4 inputs${fast ? ', M and R x 2' : ''}`, bytes: wb },
    int32Table('fu_lut_y', 'int32 x 256: the add\'s first step for the projection\'s value v (index v + 128)', lutY),
    int32Table('fu_lut_x', 'int32 x 256: the add\'s first step for the residual\'s value v (index v + 128)', lutX),
  ];
  if (!fast) tables.push(int32Table('multipliers', `int32 x ${C}`, proj.multipliers), int32Table('shifts', `int32 x ${C}`, proj.shifts));
  return {
    kind: 'pointwise+add', lines: wrap(a.lines), tables, stackBytes: 36 + frame, args: 'r0 projection input, r1 residual, r2 output', cpu: 'cortex-m4',
  };
}

// ----------------------------------------------------------------------------------------------------------------
// add

const AD = { ROW1: 0, ROW2: 4, OROW: 8, ROWS: 12 } as const;
const AD_FRAME = 16;

/** Elementwise strides of an add: rows x cols pixels of C channels; bytes between rows of each input and the output. */
export interface AddGeometry { rows: number; cols: number; s1: number; s2: number; so: number }

/**
 * TFLM's ADD (plan: the add layer). r0 = input 1, r1 = input 2, r2 = output, each at the region's first pixel.
 * Each input's first step (offset, << 20, requantised) is a table lookup (addInputTable); their sum is requantised.
 */
export function addKernel(plan: LayerPlan, g: AddGeometry): OwnKernel {
  if (plan.kind !== 'add' || !plan.add) throw new Error(`add kernel: expected an add layer, got ${plan.kind}`);
  const ap = plan.add, C = plan.inC, n = g.cols * C;
  const a = new Asm();
  a.c(`add: ${g.rows}x${g.cols}x${C}; row strides: input 1 ${g.s1}, input 2 ${g.s2}, output ${g.so}`);
  a.c('r0 r1 inputs, r2 output, r3 counter, r4 r5 values, r9 r10 the tables (at their middle, value 0)');
  a.i('push {r4-r11, lr}', `sub sp, sp, #${AD_FRAME}`);
  a.i(`str r0, [sp, #${AD.ROW1}]`, `str r1, [sp, #${AD.ROW2}]`, `str r2, [sp, #${AD.OROW}]`, ...movImm('r3', g.rows), `str r3, [sp, #${AD.ROWS}]`);
  a.i('ldr r9, =ad_lut_1 + 512', 'ldr r10, =ad_lut_2 + 512');
  a.label('row_loop', `rows: ${g.rows}`);
  a.i(...movImm('r3', n));
  a.label('elem_loop', `elements of the row: ${n}`);
  a.i('ldrsb r4, [r0], #1', 'ldrsb r5, [r1], #1', 'ldr r4, [r9, r4, lsl #2]    @ s1', 'ldr r5, [r10, r5, lsl #2]    @ s2', 'add r4, r4, r5');
  a.lines.push(...requantConstAsm('r4', ap.outputMultiplier, ap.outputShift, plan.rounding, ['r6', 'r7', 'r8']).map((l) => `  ${l}`));
  a.i(...addImm('r4', 'r4', ap.outputOffset, 'r6'), 'ssat r4, #8, r4', ...clampAsm('r4', plan.actMin, plan.actMax, 'r6'));
  a.i('strb r4, [r2], #1', 'subs r3, r3, #1', 'bne elem_loop');
  a.c('next row');
  a.i(`ldr r0, [sp, #${AD.ROW1}]`, ...addImm('r0', 'r0', g.s1, 'r6'), `str r0, [sp, #${AD.ROW1}]`);
  a.i(`ldr r1, [sp, #${AD.ROW2}]`, ...addImm('r1', 'r1', g.s2, 'r6'), `str r1, [sp, #${AD.ROW2}]`);
  a.i(`ldr r2, [sp, #${AD.OROW}]`, ...addImm('r2', 'r2', g.so, 'r6'), `str r2, [sp, #${AD.OROW}]`);
  a.i(`ldr r3, [sp, #${AD.ROWS}]`, 'subs r3, r3, #1', `str r3, [sp, #${AD.ROWS}]`, 'bne row_loop');
  a.i(`add sp, sp, #${AD_FRAME}`, 'pop {r4-r11, pc}');
  return {
    kind: 'add', lines: wrap(a.lines),
    tables: [
      int32Table('ad_lut_1', 'int32 x 256: the first step of input 1\'s value v (index v + 128)', addInputTable(ap.input1Offset, ap.input1Multiplier, ap.input1Shift, ap.leftShift, plan.rounding)),
      int32Table('ad_lut_2', 'int32 x 256: the first step of input 2\'s value v (index v + 128)', addInputTable(ap.input2Offset, ap.input2Multiplier, ap.input2Shift, ap.leftShift, plan.rounding)),
    ],
    stackBytes: 36 + AD_FRAME, args: 'r0 input 1, r1 input 2, r2 output', cpu: 'cortex-m3',
  };
}

// ----------------------------------------------------------------------------------------------------------------
// pools

const PO = { ROW: 0, ROWS: 4, COLS: 8, OROW: 12 } as const;
const PO_FRAME = 16;

/**
 * AVERAGE_POOL_2D / MAX_POOL_2D (plan: the pool for the geometry it runs). r0 = the input (pixel (0, 0) of the
 * plan's input, rows `inRowStride` bytes apart), r1 = the output's first pixel (rows `outRowStride` bytes apart).
 */
export function poolKernel(plan: LayerPlan, inRowStride: number = plan.inW * plan.inC, outRowStride: number = plan.outW * plan.outC): OwnKernel {
  if (plan.kind !== 'avgpool' && plan.kind !== 'maxpool') throw new Error(`pool kernel: expected avgpool or maxpool, got ${plan.kind}`);
  const avg = plan.kind === 'avgpool';
  const { inH, inW, outH, outW, kh, kw, sh, sw } = plan;
  const C = plan.inC, Sx = inRowStride;
  const rows = tapRuns(outH, sh, plan.pad.top, kh, 1, inH), cols = tapRuns(outW, sw, plan.pad.left, kw, 1, inW);
  const a = new Asm();
  a.c(`${avg ? 'average' : 'max'} pool ${kh}x${kw}: ${inH}x${inW}x${C} -> ${outH}x${outW}x${C}, stride ${sh}x${sw}, pads t${plan.pad.top} l${plan.pad.left}; ` +
    `input rows ${Sx} bytes apart, output rows ${outRowStride}`);
  a.c('r0 tap (0, 0) of the pixel, r1 output, r2 acc, r3 channel, r6 tap row, r7 row counter, r8 tap, r9 column counter, r10 count / 2, r11 count');
  a.i('push {r4-r11, lr}', `sub sp, sp, #${PO_FRAME}`, `str r1, [sp, #${PO.OROW}]`, 'mov r12, r0    @ the input');
  rows.forEach((rr, ri) => {
    a.c(`output rows ${rr.first}..${rr.first + rr.count - 1}: kernel rows ${rr.r[0]}..${rr.r[1] - 1}`);
    a.i(...addImm('r0', 'r12', (rr.first * sh - plan.pad.top) * Sx - plan.pad.left * C, 'r5'), `str r0, [sp, #${PO.ROW}]`);
    a.i(...movImm('r5', rr.count), `str r5, [sp, #${PO.ROWS}]`);
    a.label(`row_loop_${ri}`);
    a.i(`ldr r1, [sp, #${PO.OROW}]`);
    cols.forEach((cc, cj) => {
      const nr = rr.r[1] - rr.r[0], nc = cc.r[1] - cc.r[0], count = nr * nc;
      if (avg && count === 0) throw new Error(`avgpool: the window at output row ${rr.first}, column ${cc.first} covers no input pixel`);
      a.c(`columns ${cc.first}..${cc.first + cc.count - 1}: kernel rows ${rr.r[0]}..${rr.r[1] - 1}, columns ${cc.r[0]}..${cc.r[1] - 1} (${count} taps)`);
      a.i(`ldr r0, [sp, #${PO.ROW}]`, ...addImm('r0', 'r0', cc.first * sw * C, 'r5'), ...movImm('r5', cc.count), `str r5, [sp, #${PO.COLS}]`);
      if (avg) a.i(...movImm('r11', count), ...movImm('r10', count >> 1));
      a.label(`col_loop_${ri}_${cj}`);
      a.i('mov.w r3, #0    @ channel');
      a.label(`chan_loop_${ri}_${cj}`);
      a.i(avg ? 'mov.w r2, #0' : 'mvn.w r2, #127    @ -128');
      if (count > 0) {
        a.i('add r6, r0, r3', ...addImm('r6', 'r6', rr.r[0] * Sx + cc.r[0] * C, 'r5'), ...movImm('r7', nr));
        a.label(`ky_loop_${ri}_${cj}`);
        a.i('mov r8, r6', ...movImm('r9', nc));
        a.label(`kx_loop_${ri}_${cj}`);
        a.i('ldrsb r5, [r8]');
        if (avg) a.i('add r2, r2, r5');
        else a.i('cmp r5, r2', 'it gt', 'movgt r2, r5');
        a.i(...addImm('r8', 'r8', C, 'r5'), 'subs r9, r9, #1', `bne kx_loop_${ri}_${cj}`);
        a.i(...addImm('r6', 'r6', Sx, 'r5'), 'subs r7, r7, #1', `bne ky_loop_${ri}_${cj}`);
      }
      if (avg) {
        a.c(`rounded division by ${count}: acc > 0 ? (acc + ${count >> 1}) / ${count} : (acc - ${count >> 1}) / ${count}, truncating`);
        a.i('cmp r2, #0', 'ite gt', 'addgt r2, r2, r10', 'suble r2, r2, r10', 'sdiv r2, r2, r11');
      }
      a.i(...clampAsm('r2', plan.actMin, plan.actMax, 'r5'));
      a.i('strb r2, [r1], #1', 'add r3, r3, #1', ...cmpImm('r3', C, 'r5'), `blo chan_loop_${ri}_${cj}`);
      a.i(...addImm('r0', 'r0', sw * C, 'r5'), `ldr r5, [sp, #${PO.COLS}]`, 'subs r5, r5, #1', `str r5, [sp, #${PO.COLS}]`, `bne col_loop_${ri}_${cj}`);
      a.i(`b pool_done_${ri}_${cj}`, '.ltorg');
      a.label(`pool_done_${ri}_${cj}`);
    });
    a.i(`ldr r1, [sp, #${PO.OROW}]`, ...addImm('r1', 'r1', outRowStride, 'r5'), `str r1, [sp, #${PO.OROW}]`);
    a.i(`ldr r0, [sp, #${PO.ROW}]`, ...addImm('r0', 'r0', sh * Sx, 'r5'), `str r0, [sp, #${PO.ROW}]`);
    a.i(`ldr r5, [sp, #${PO.ROWS}]`, 'subs r5, r5, #1', `str r5, [sp, #${PO.ROWS}]`, `bne row_loop_${ri}`);
  });
  a.i(`add sp, sp, #${PO_FRAME}`, 'pop {r4-r11, pc}');
  return { kind: plan.kind, lines: wrap(a.lines), tables: [], stackBytes: 36 + PO_FRAME, args: 'r0 input, r1 output', cpu: 'cortex-m3' };
}

/**
 * The in-place depthwise kernels' last part for a channel: the P bytes of the temporary into the channel's slots of
 * the output, C bytes apart (four at a time: a word of the temporary, its bytes to four slots; then one at a time),
 * and the input and output pointers (in the frame) on to the next channel. Registers: n counter, w word / byte, b
 * shifted byte and scratch, t and u for slot offsets beyond 4095.
 */
function channelEnd(a: Asm, F: FrameSlots, P: number, C: number, r: { n: string; w: string; b: string; t: string; u: string }): void {
  a.c(`store the channel into its slots: ${P} pixels, ${C} bytes apart`);
  a.i(`ldr r1, [sp, #${F.TMP}]`, `ldr r0, [sp, #${F.OUTC}]`);
  if (P >= 4) {
    a.i(...movImm(r.n, Math.floor(P / 4)));
    a.label('store_loop4');
    const st = (x: string, k: number) => (k * C <= 4095 ? [`strb ${x}, [r0, #${k * C}]`] : [...addImm(r.t, 'r0', k * C, r.u), `strb ${x}, [${r.t}]`]);
    a.i(`ldr ${r.w}, [r1], #4`, ...st(r.w, 0), `lsr ${r.b}, ${r.w}, #8`, ...st(r.b, 1), `lsr ${r.b}, ${r.w}, #16`, ...st(r.b, 2),
      `lsr ${r.b}, ${r.w}, #24`, ...st(r.b, 3), ...addImm('r0', 'r0', 4 * C, r.b), `subs ${r.n}, ${r.n}, #1`, 'bne store_loop4');
  }
  if (P % 4) {
    a.i(...movImm(r.n, P % 4));
    a.label('store_loop');
    a.i(`ldrb ${r.w}, [r1], #1`, ...(C <= 255 ? [`strb ${r.w}, [r0], #${C}`] : [`strb ${r.w}, [r0]`, ...addImm('r0', 'r0', C, r.b)]),
      `subs ${r.n}, ${r.n}, #1`, 'bne store_loop');
  }
  a.c('next channel');
  a.i(`ldr r0, [sp, #${F.INC}]`, 'add r0, r0, #1', `str r0, [sp, #${F.INC}]`, `ldr r0, [sp, #${F.OUTC}]`, 'add r0, r0, #1', `str r0, [sp, #${F.OUTC}]`);
}

/** The frame slots both in-place depthwise kernels keep (IP, ID). */
interface FrameSlots { ROW: number; ROWS: number; TMP: number; OUTC: number; INC: number }

/** The end of a row of output pixels: the row's tap (0, 0) one stride down, the row counter (in the frame) down. */
function rowEnd(a: Asm, F: FrameSlots, ri: number, step: number, n: string, scratch: string): void {
  a.i(`ldr r0, [sp, #${F.ROW}]`, ...addImm('r0', 'r0', step, scratch), `str r0, [sp, #${F.ROW}]`);
  a.i(`ldr ${n}, [sp, #${F.ROWS}]`, `subs ${n}, ${n}, #1`, `str ${n}, [sp, #${F.ROWS}]`, `bne row_loop_${ri}`);
}
