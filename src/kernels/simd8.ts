/**
 * int8 weight storage for the DSP-SIMD matrix kernel (the compact schedule of simd.ts's pointwise / fully connected
 * kernel and of simd-conv.ts's im2col kernel): the weights stay int8 in flash, 4 to a word, and are widened in the
 * inner loop, as CMSIS-NN and TinyEngine do. The default storage (`weights: 'int8'`); `'int16'` keeps the weights
 * widened at generation time (simd.ts's records, twice the flash, and the unrolled Cortex-M4 schedule).
 *
 * Pairing. The inputs are widened (once per pixel, for all output channels) into int16 lanes in the order of
 * SXTAB16: word 0 = [x0, x2], word 1 = [x1, x3] of each group of 4 reduction values. A weight word holding the
 * group's 4 int8 weights in their natural byte order [w0, w1, w2, w3] gives, with SXTB16 and SXTB16 ROR #8,
 * [w0, w2] and [w1, w3]: the same lane order, so SMLAD pairs them with the inputs' words directly (the reordering
 * CMSIS-NN's read_and_pad_reordered does on the input side is the widening's own order here). What is reordered at
 * pack time is the layout: the words of a block's channels interleaved group by group, in the order the kernel reads
 * them, with the bias and the requantisation parameters of the block around them.
 *
 * Flash table (`simd_weights` / `conv_weights`), one record per block of O output channels (pairs 0-1, 2-3, ...,
 * then the odd last channel), walked with one pointer (r2):
 *   int32 bias[O]          bias (x 2 in the fast modes, where the widened inputs are doubled too)
 *   int8  w[G][O][4]       group g (reduction values 4g..4g+3, zero past the end), channel j: one word
 *   int32 params[O][k]     the channel's requantisation words (paramWords8): M and T = 2^(R-1) + zp 2^R in the
 *                          'right-zp' mode (R is not stored: T = 2^(R-1) (1 + 2 zp) and 1 + 2 zp is odd, so R - 1 is
 *                          the count of trailing zeros of T, RBIT + CLZ); M and 2^(R-1) in 'right'; M in the uniform
 *                          modes (the shift is an immediate); M and the shift in 'left'; the channel index in 'general'
 * so a channel costs 4 x ceil(inC / 4) bytes of weights and 12 bytes of bias and parameters in the common mode
 * ('right-zp'), 8 in the uniform modes; the `multipliers` / `shifts` tables are only in images whose kernel runs the
 * general requantisation (SimdKernel.quantTables).
 *
 * Per group of a block of 2 channels x 2 pixels: LDR x 4 (the widened inputs, SRAM), LDR x 2 (the weight words,
 * flash), SXTB16 x 4, SMLAD x 8 = 16 MACs. The M4 model: 2+1+1+1 + 2+1 + 4 + 8 = 20 cycles (18 with int16 weights:
 * two more loads, no SXTB16). The Cortex-M7 order (matrixBlock8, `core`) software-pipelines the 6 loads beside the
 * 12 DSP instructions (SXTB16 and SMLAD never pair with each other; a load pairs as the younger partner of one):
 * about 12 cycles a group.
 *
 * Reduction: fully unrolled with immediate offsets (sp for the inputs, r2 for the record) when the layer has at most
 * UNROLL_MAX_GROUPS groups; else a loop of up to REDUCE_UNROLL groups an iteration (reductionShape; r1 walks the
 * buffer, r2 the record, the output pointer r0 waits in the frame and r0 holds a weight word), then the groups left
 * over, so any input channel count runs (SIMD8_MAX_IN_CHANNELS: the widened buffer on the stack, 8 bytes a group and
 * pixel, and the load offsets). The buffer holds, per group, the words of every pixel slot side by side (the group's
 * inputs of a pixel pair are 16 contiguous bytes): sp + at + stride g + 8 p + 4 h. Measured on MobileNetV2 0.35/96
 * (stm32h743), unrolling up to 12 groups instead of 9 costs 3 kB of code in whole mode and 26 kB in patch mode (the
 * stage layers' kernels are specialised per patch geometry) for 0.7% fewer cycles.
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, movSmall, Asm } from './asm.js';
import { uniformShift } from './requant.js';
import { ACC, channelLoop, doubled, generalRequant, type RequantMode, type SimdKernel } from './simd.js';

/** How the SIMD kernels store their weights in flash: int8 (4 a word, widened in the inner loop) or int16 pairs. */
export type WeightFormat = 'int8' | 'int16';
export const WEIGHT_FORMATS: readonly WeightFormat[] = ['int8', 'int16'];

/** Largest input channel count of the int8 pointwise kernel (a widened buffer of up to 8 kB on the stack for 2 pixels). */
export const SIMD8_MAX_IN_CHANNELS = 2048;
/** Groups of 4 reduction values up to which the reduction is fully unrolled (9: the MobileNetV2 stem's 3 rows of 3x3 padded to 12); beyond, a loop. */
export const UNROLL_MAX_GROUPS = 9;
/** Groups per iteration of the looped reduction (at most; reductionShape). */
export const REDUCE_UNROLL = 8;

/** Parameter words per channel in an int8 record (file header). */
export const paramWords8 = (mode: RequantMode): number => ({ 'right-uniform': 1, right: 2, 'right-zp': 2, 'left-uniform': 1, left: 2, general: 1 })[mode];

/** A channel's parameter words in an int8 record (file header). */
export function channelParams8(plan: LayerPlan, mode: RequantMode, oc: number): number[] {
  const M = plan.multipliers[oc]!, s = plan.shifts[oc]!;
  switch (mode) {
    case 'right-uniform': case 'left-uniform': return [M];
    case 'right': return [M, 2 ** (-s - 1)];
    case 'right-zp': return [M, 2 ** (-s - 1) + plan.outputOffset * 2 ** -s];
    case 'left': return [M, s];
    case 'general': return [oc];
  }
}

/** The byte offsets of an int8 record of O channels over G groups with k parameter words a channel. */
export function recordLayout8(G: number, O: number, k: number) {
  return {
    G, O, k,
    bias: (j: number) => 4 * j,
    /** the weight word of group g, channel j */
    w: (g: number, j: number) => 4 * O + 4 * (g * O + j),
    param: (j: number, i: number) => 4 * O * (1 + G) + 4 * (j * k + i),
    size: 4 * O * (1 + G + k),
  };
}
export type RecordLayout8 = ReturnType<typeof recordLayout8>;

/**
 * The int8 records of every output channel (file header) as little-endian int32 words: `bias(oc)` as stored (the
 * caller doubles it where the mode wants), the parameter words, `w(oc, r)` the weight of reduction value r (zero past
 * the reduction).
 */
export function packRecords8(outC: number, G: number, params: (oc: number) => number[], k: number,
  bias: (oc: number) => number, w: (oc: number, r: number) => number): Int32Array {
  const blocks: [number, number][] = [];
  for (let oc = 0; oc + 1 < outC; oc += 2) blocks.push([oc, 2]);
  if (outC % 2) blocks.push([outC - 1, 1]);
  const total = blocks.reduce((n, [, O]) => n + recordLayout8(G, O, k).size, 0);
  const dv = new DataView(new ArrayBuffer(total));
  let at = 0;
  for (const [c0, O] of blocks) {
    const L = recordLayout8(G, O, k);
    for (let j = 0; j < O; j++) {
      const oc = c0 + j;
      dv.setInt32(at + L.bias(j), bias(oc) | 0, true);
      params(oc).forEach((v, i) => dv.setInt32(at + L.param(j, i), v | 0, true));
      for (let g = 0; g < G; g++) for (let b = 0; b < 4; b++) dv.setInt8(at + L.w(g, j) + b, w(oc, 4 * g + b));
    }
    at += L.size;
  }
  return new Int32Array(dv.buffer);
}

/** The pointwise kernel's int8 records (the inputs are doubled in the widening in the fast modes, so is the bias). */
export function simdWeightStream8(plan: LayerPlan, weights: Int8Array, mode: RequantMode): Int32Array {
  const { inC } = plan;
  return packRecords8(plan.outC, Math.ceil(inC / 4), (oc) => channelParams8(plan, mode, oc), paramWords8(mode),
    (oc) => Math.imul(plan.bias ? plan.bias[oc]! : 0, doubled(mode) ? 2 : 1), (oc, i) => (i < inC ? weights[oc * inC + i]! : 0));
}

/** Where the widened inputs are: word (pixel slot p, group g, half h) at sp + at + stride g + 8 p + 4 h. */
export interface Buf8 { at: number; stride: number }

/** widened input words of pixel p, half h */
const X8 = [['r8', 'r9'], ['r10', 'r11']] as const;
/** scratch registers of the requantisation: its parameters, R - 1 per channel */
const P8 = ['r8', 'r9', 'r10', 'r11'] as const, RM1 = ['r12', 'lr'] as const;

/**
 * One block of the int8 matrix kernel: O = L.O output channels x P pixels, r2 at its record, r0 at (pixel, channel)
 * of the output, the widened inputs in `buf`. The reduction (unrolled, or looped with the output pointer in the frame
 * at `outSlot`), then the requantisation of `mode`; r2 and r0 are left at the next block.
 *
 * Two instruction orders (`core`). Cortex-M4: per group the 4 + 2 loads in two bursts (neighbouring loads pipeline),
 * then SXTB16 x 4, SMLAD x 8. Cortex-M7 (dual issue: a load pairs as the younger partner of a DSP instruction, two
 * DSP instructions never pair): software-pipelined, each load of the next group's operands right after the last
 * SMLAD that reads the register it overwrites, so the 6 loads issue beside the 12 DSP instructions.
 */
export function matrixBlock8(a: Asm, plan: LayerPlan, mode: RequantMode, L: RecordLayout8, P: 1 | 2, buf: Buf8, id: string,
  o: { outSlot: number; strb?: 'strb' | 'strb.w'; unrollMax?: number; unroll?: number; core?: SimdCore }): void {
  const O = L.O, G = L.G;
  const js = O === 2 ? [0, 1] : [0], ps = P === 2 ? [0, 1] : [0];
  const { looped, U } = reductionShape(G, o.unrollMax, o.unroll);
  const m7 = o.core === 'cortex-m7';
  // weight words of channel j, half h (the raw word is loaded into half 0 and widened in place)
  const W = looped ? [['r12', 'lr'], ['r0', 'r5']] : [['r12', 'lr'], ['r1', 'r5']];
  a.c(`block ${O} channel(s) x ${P} pixel(s), int8 weights: accumulators = bias${doubled(mode) ? ' x 2' : ''}`);
  for (const j of js) a.i(`ldr.w ${ACC[j]![0]}, [r2, #${L.bias(j)}]`);
  if (P === 2) for (const j of js) a.i(`mov.w ${ACC[j]![1]}, ${ACC[j]![0]}`);
  /** the loads of a group's operands: x words (from xb at xo(p, h)) and raw weight words (from r2 at L.w(g, j)) */
  const loads = (xb: string, xo: (p: number, h: number) => number, g: number) => [
    ...ps.flatMap((p) => [0, 1].map((h) => ({ reg: X8[p]![h]!, text: `ldr.w ${X8[p]![h]}, [${xb}, #${xo(p, h)}]` }))),
    ...js.map((j) => ({ reg: W[j]![0]!, text: `ldr.w ${W[j]![0]}, [r2, #${L.w(g, j)}]    @ [w0 w1 w2 w3] of channel +${j}` })),
  ];
  const widenW = () => { for (const j of js) a.i(`sxtb16 ${W[j]![1]}, ${W[j]![0]}, ror #8    @ [w1, w3]`, `sxtb16 ${W[j]![0]}, ${W[j]![0]}    @ [w0, w2]`); };
  /** the SMLADs in the order that frees x words and raw weight registers early: h = 0 first, its channel 1 last */
  const macs = () => {
    const out: { text: string; reads: string[] }[] = [];
    for (const h of [0, 1]) for (const p of ps) for (const j of js) {
      out.push({ text: `smlad ${ACC[j]![p]}, ${X8[p]![h]}, ${W[j]![h]}, ${ACC[j]![p]}`, reads: [X8[p]![h]!, W[j]![h]!] });
    }
    return out;
  };
  /** one group whose operands are in registers; `next` the loads of the following group (null: none) */
  const group = (what: string, next: { reg: string; text: string }[] | null) => {
    a.c(`${what}: ${4 * O * P} MACs`);
    widenW();
    const ms = macs();
    if (!m7 || !next) { for (const m of ms) a.i(m.text); if (next) for (const l of next) a.i(l.text); return; }
    // each load right after the last MAC that reads its register (or later: one load a MAC)
    const lastUse = (r: string) => ms.reduce((k, m, i) => (m.reads.includes(r) ? i : k), -1);
    const pending = next.map((l) => ({ ...l, after: lastUse(l.reg) })).sort((x, y) => x.after - y.after);
    ms.forEach((m, i) => {
      a.i(m.text);
      const k = pending.findIndex((l) => l.after <= i);
      if (k >= 0) a.i(pending.splice(k, 1)[0]!.text);
    });
    for (const l of pending) a.i(l.text);
  };
  let adv = 0;
  const xoAt = (base: number) => (p: number, h: number) => base + 8 * p + 4 * h;
  if (!looped) {
    const first = loads('sp', xoAt(buf.at), 0);
    if (m7) for (const l of first) a.i(l.text);
    for (let g = 0; g < G; g++) {
      const mine = loads('sp', xoAt(buf.at + buf.stride * g), g), next = g + 1 < G ? loads('sp', xoAt(buf.at + buf.stride * (g + 1)), g + 1) : null;
      if (!m7) for (const l of mine) a.i(l.text);
      group(`reduction values ${4 * g}..${4 * g + 3}`, m7 ? next : null);
    }
  } else {
    const iters = Math.floor(G / U), rem = G - iters * U;
    a.i(`str.w r0, [sp, #${o.outSlot}]    @ the output pointer: r0 holds weights in the loop`, ...addImm('r1', 'sp', buf.at, 'r0').map((l) => `${l}    @ r1: the widened inputs`));
    if (m7) for (const l of loads('r1', xoAt(0), 0)) a.i(l.text);
    a.i('.balign 4');
    a.label(`${id}_red`, `the reduction: ${iters} x ${U} groups of 4 values${rem ? `, then ${rem}` : ''}${m7 ? ' (each group loads the next one\'s operands)' : ''}`);
    for (let u = 0; u < U; u++) {
      if (!m7) for (const l of loads('r1', xoAt(buf.stride * u), u)) a.i(l.text);
      // the last group of an iteration loads the next iteration's first (past the end: the frame's saved registers
      // and the record's parameters, harmless)
      group(`group +${u}`, m7 ? loads('r1', xoAt(buf.stride * (u + 1)), u + 1) : null);
    }
    // lr and r5 (the widened high halves) are free here; the x words and raw weights may hold the next group's
    a.i(...addImm('r1', 'r1', buf.stride * U, 'lr'), ...addImm('r2', 'r2', 4 * O * U, 'lr'));
    a.i(...addImm('lr', 'sp', buf.at + buf.stride * U * iters, 'r5'), 'cmp r1, lr', `bne ${id}_red`);
    adv = 4 * O * U * iters;
    if (rem) a.i('.balign 4');
    for (let u = 0; u < rem; u++) {
      if (!m7) for (const l of loads('r1', xoAt(buf.stride * u), u)) a.i(l.text);
      group(`the last groups: +${u}`, m7 && u + 1 < rem ? loads('r1', xoAt(buf.stride * (u + 1)), u + 1) : null);
    }
    a.i(`ldr.w r0, [sp, #${o.outSlot}]`);
  }
  requant8(a, plan, mode, L, adv, js, ps, id, o.strb ?? 'strb');
  a.i(...addImm('r2', 'r2', L.size - adv, 'r1').map((l) => `${l}    @ next record`));
  a.i(`add r0, r0, #${O}`);
  if (mode === 'general') {
    // requant.ts loads its tables' addresses from a literal pool: keep one within LDR's reach of every block
    a.i(`b ${id}_pool_end`, '.ltorg');
    a.label(`${id}_pool_end`);
  }
}

/** The core the instruction order is tuned for (matrixBlock8): 'cortex-m4' (default) or 'cortex-m7'. */
export type SimdCore = 'cortex-m4' | 'cortex-m7';

/**
 * The reduction's shape for G groups: unrolled when G <= unrollMax, else a loop of U groups an iteration (the
 * largest divisor of G up to `unroll`, when one is at least half of it, so no groups are left over; else `unroll`).
 */
export function reductionShape(G: number, unrollMax = UNROLL_MAX_GROUPS, unroll = REDUCE_UNROLL): { looped: boolean; U: number } {
  if (G <= unrollMax) return { looped: false, U: G };
  for (let u = Math.min(unroll, G); u * 2 >= unroll; u--) if (G % u === 0) return { looped: true, U: u };
  return { looped: true, U: Math.min(unroll, G) };
}

/**
 * The requantisation of a block's accumulators (file header of simd.ts for the arithmetic), the parameters read at
 * `L.param(j, i) - adv` from r2. Free registers: everything but r0 (output), r2 (record) and the accumulators.
 */
function requant8(a: Asm, plan: LayerPlan, mode: RequantMode, L: RecordLayout8, adv: number, js: readonly number[], ps: readonly number[],
  id: string, strb: string): void {
  const outC = plan.outC, zp = plan.outputOffset, k = L.k;
  const store = (acc: string, j: number, p: number) => a.i(`${strb} ${acc}, [r0, #${p * outC + j}]`);
  const pOff = (j: number, i: number) => L.param(j, i) - adv;
  if (mode === 'general') { generalRequant(a, plan, (j) => pOff(j, 0), js, ps, id, store); return; }
  const us = uniformShift(plan);
  const preg = (j: number, i: number) => P8[j * k + i]!;
  a.c(`requantise (${mode}): the parameters of the block's channels`);
  for (const j of js) for (let i = 0; i < k; i++) a.i(`ldr ${preg(j, i)}, [r2, #${pOff(j, i)}]`);
  const clampStore = (acc: string, j: number, p: number, tmp: string) => {
    if (plan.actMin > -128) a.i(...cmpImm(acc, plan.actMin, tmp), 'it lt', movSmall(acc, plan.actMin, 'lt'));
    if (plan.actMax < 127) a.i(...cmpImm(acc, plan.actMax, tmp), 'it gt', movSmall(acc, plan.actMax, 'gt'));
    store(acc, j, p);
  };
  const ssatShift = mode === 'right-zp' && us !== null;
  if (mode === 'right-uniform') {
    a.i(...movImm('r1', 2 ** (-us! - 1)).map((l) => `${l}    @ 2^(R-1)`));
    if (zp !== 0) a.i(...movImm('r5', zp).map((l) => `${l}    @ output zero point`));
  }
  if (mode === 'right') a.i(...movImm('r1', zp).map((l) => `${l}    @ output zero point`));
  if ((mode === 'right' || mode === 'right-zp') && !ssatShift) {
    for (const j of js) a.i(`rbit ${RM1[j]}, ${preg(j, 1)}`, `clz ${RM1[j]}, ${RM1[j]}    @ R - 1: the trailing zeros of 2^(R-1) (1 + 2 zp)`);
  }
  for (const j of js) {
    for (const p of ps) {
      const acc = ACC[j]![p]!;
      a.c(`channel +${j}, pixel +${p}: ${acc} holds ${doubled(mode) ? '2 x ' : ''}the accumulator`);
      if (mode === 'right-uniform') {
        const R = -us!;
        a.i(`add.w r12, r1, ${acc}, asr #31    @ 2^(R-1) - (acc < 0)`, `smmlar ${acc}, ${acc}, ${preg(j, 0)}, r12    @ SRDHM(acc, M) + 2^(R-1) - (acc < 0)`);
        a.i(zp !== 0 ? `add.w ${acc}, r5, ${acc}, asr #${R}    @ >> ${R}, + output zero point` : `asr ${acc}, ${acc}, #${R}`, `ssat ${acc}, #8, ${acc}`);
        clampStore(acc, j, p, 'r12');
      } else if (mode === 'right' || mode === 'right-zp') {
        a.i(`add.w r5, ${preg(j, 1)}, ${acc}, asr #31    @ ${mode === 'right' ? '2^(R-1)' : '2^(R-1) + zp 2^R'} - (acc < 0)`,
          `smmlar ${acc}, ${acc}, ${preg(j, 0)}, r5    @ SRDHM(acc, M) + that`);
        if (ssatShift) a.i(`ssat ${acc}, #8, ${acc}, asr #${-us!}    @ >> R (the zero point came in with T)`);
        else if (mode === 'right-zp') a.i(`asr.w ${acc}, ${acc}, ${RM1[j]}`, `ssat ${acc}, #8, ${acc}, asr #1    @ >> R in all (the zero point came in with T)`);
        else a.i(`asr.w ${acc}, ${acc}, ${RM1[j]}`, `add.w ${acc}, r1, ${acc}, asr #1    @ >> R, + output zero point`, `ssat ${acc}, #8, ${acc}`);
        clampStore(acc, j, p, 'r5');
      } else {
        if (mode === 'left-uniform') { if (us! > 0) a.i(`lsl ${acc}, ${acc}, #${us}`); }
        else a.i(`lsl.w ${acc}, ${acc}, ${preg(j, 1)}    @ << left`);
        a.i(`smmulr ${acc}, ${acc}, ${preg(j, 0)}    @ SRDHM(acc << left, M)`, ...addImm(acc, acc, zp, 'r1'), `ssat ${acc}, #8, ${acc}`);
        clampStore(acc, j, p, 'r1');
      }
    }
  }
}

/**
 * Widen P pixels (the first at r5) into the buffer: SXTAB16 with the input offset in both lanes (r1), doubled by
 * SADD16 when `x2`. A loop of REDUCE_UNROLL groups beyond UNROLL_MAX_GROUPS groups. Uses r4, r6-r10.
 */
export function widen8(a: Asm, inC: number, x2: boolean, P: 1 | 2, buf: Buf8, id: string, unrollMax = UNROLL_MAX_GROUPS, unroll = REDUCE_UNROLL): void {
  const G = Math.ceil(inC / 4);
  a.c(`widen ${P} pixel(s) into the buffer: SXTAB16 with the input offset in both lanes (r1)${x2 ? ', SADD16 doubles' : ''}`);
  const one = (src: string, srcOff: (p: number) => number, dst: string, dstOff: (p: number) => number, last: boolean) => {
    for (let p = 0; p < P; p++) {
      a.i(`ldr.w r8, [${src}, #${srcOff(p)}]${last ? '    @ the bytes past the pixel meet zero weights' : ''}`);
      a.i('sxtab16 r9, r1, r8    @ [x0, x2] + offset', 'sxtab16 r10, r1, r8, ror #8    @ [x1, x3] + offset');
      if (x2) a.i('sadd16 r9, r9, r9', 'sadd16 r10, r10, r10');
      a.i(`str.w r9, [${dst}, #${dstOff(p)}]`, `str.w r10, [${dst}, #${dstOff(p) + 4}]`);
    }
  };
  const partial = inC % 4 !== 0;
  if (G <= unrollMax) {
    for (let g = 0; g < G; g++) one('r5', (p) => p * inC + 4 * g, 'sp', (p) => buf.at + buf.stride * g + 8 * p, partial && g === G - 1);
    return;
  }
  const U = Math.min(unroll, G), iters = Math.floor(G / U), rem = G - iters * U;
  a.i('mov r4, r5', ...addImm('r6', 'sp', buf.at, 'r7'), ...addImm('r7', 'sp', buf.at + buf.stride * U * iters, 'r8'));
  a.label(`${id}_widen`, `${iters} x ${U} groups${rem ? `, then ${rem}` : ''}`);
  for (let u = 0; u < U; u++) one('r4', (p) => p * inC + 4 * u, 'r6', (p) => buf.stride * u + 8 * p, false);
  a.i('add.w r4, r4, #' + 4 * U, ...addImm('r6', 'r6', buf.stride * U, 'r8'), 'cmp r6, r7', `bne ${id}_widen`);
  for (let u = 0; u < rem; u++) one('r4', (p) => p * inC + 4 * u, 'r6', (p) => buf.stride * u + 8 * p, partial && u === rem - 1);
}

/** stack frame of the int8 pointwise kernel: [sp] pixel pairs left, #4 input pointer, #8 records, #12 end of the pairs' records, #16 output pointer; #24 the buffer */
const FR8 = { PAIRS: 0, XPTR: 4, WSTART: 8, WPAIRS_END: 12, OUT: 16, BUF: 24 } as const;

/** The pointwise / fully connected DSP-SIMD kernel with int8 weights (the compact schedule). */
export function compactKernel8(plan: LayerPlan, weights: Int8Array, mode: RequantMode, core: SimdCore = 'cortex-m4'): SimdKernel {
  const { inC, outC } = plan;
  const G = Math.ceil(inC / 4);
  const k = paramWords8(mode);
  const stream = simdWeightStream8(plan, weights, mode);
  const L2 = recordLayout8(G, 2, k), L1 = recordLayout8(G, 1, k);
  const pairBytes = Math.floor(outC / 2) * L2.size;
  const npx = plan.outH * plan.outW;
  const pairs = Math.floor(npx / 2);
  const slots = npx >= 2 ? 2 : 1;
  const buf: Buf8 = { at: FR8.BUF, stride: 8 * slots };
  const frame = FR8.BUF + 8 * slots * G;
  const off = plan.inputOffset & 0xffff;
  const { looped, U } = reductionShape(G);
  const a = new Asm();
  a.c(`${plan.kind === 'fully_connected' ? 'fully connected' : 'pointwise 1x1'} DSP-SIMD, int8 weights: ${npx} pixels x ${inC} -> ${outC} channels; ` +
    `blocks of 2 channels x 2 pixels; reduction ${looped ? `looped (${U} groups an iteration)` : 'unrolled'}; requantisation ${mode}; instruction order for the ${core}`);
  a.c(`frame: [sp] pixel pairs left, [sp, #4] input pointer, [sp, #8] simd_weights, [sp, #12] end of the channel pairs' records, [sp, #16] output pointer, [sp, #${FR8.BUF}] widened input, ${8 * slots * G} bytes`);
  a.i('push {r4-r11, lr}', ...(frame <= 508 ? [`sub sp, sp, #${frame}`] : [...movImm('r1', frame), 'sub sp, sp, r1']));
  a.i('ldr r0, =output', 'ldr r5, =input', 'ldr r1, =simd_weights', `str r1, [sp, #${FR8.WSTART}]`);
  a.i(...addImm('r1', 'r1', pairBytes, 'r2'), `str r1, [sp, #${FR8.WPAIRS_END}]`);
  a.i('b kernel_body', '.ltorg    @ the start-up literals, within reach whatever the size of the code');
  a.label('kernel_body');
  const channels = (P: 1 | 2, id: string) => {
    a.i(...movImm('r1', (off | (off << 16)) | 0).map((l) => `${l}    @ input offset ${plan.inputOffset} in both lanes`));
    widen8(a, inC, doubled(mode), P, buf, `${id}w`);
    a.i(`str r5, [sp, #${FR8.XPTR}]`, `ldr r2, [sp, #${FR8.WSTART}]    @ simd_weights: the records, in order through all output channels`);
    channelLoop(a, outC, FR8.WPAIRS_END, id, (O, bid) => matrixBlock8(a, plan, mode, O === 2 ? L2 : L1, P, buf, bid, { outSlot: FR8.OUT, core }), !looped);
    a.i(`ldr r5, [sp, #${FR8.XPTR}]`);
  };
  if (pairs) {
    a.i(...movImm('r1', pairs), `str r1, [sp, #${FR8.PAIRS}]`);
    a.label('pair_loop', `pixel pairs: ${pairs}`);
    channels(2, 'pp');
    a.c('next pixel pair (r0 is at the second pixel\'s output)');
    a.i(...addImm('r0', 'r0', outC, 'r1'), ...addImm('r5', 'r5', 2 * inC, 'r1'));
    a.i(`ldr r1, [sp, #${FR8.PAIRS}]`, 'subs r1, r1, #1', `str r1, [sp, #${FR8.PAIRS}]`, 'bne pair_loop');
  }
  if (npx % 2) { a.c('the odd last pixel'); channels(1, 'px'); }
  a.i(...(frame <= 508 ? [`add sp, sp, #${frame}`] : [...movImm('r1', frame), 'add sp, sp, r1']), 'pop {r4-r11, pc}');
  const lines = ['  .thumb_func', '  .type kernel, %function', 'kernel:', ...a.lines, '  .ltorg', 'kernel_end:'];
  return {
    lines, bias: Int32Array.from(plan.bias ?? new Int32Array(outC)), foldedBias: false, path: 'pointwise', omitRawWeights: true, requantMode: mode,
    stackBytes: 36 + frame, schedule: 'compact-2x2', inlineConstantBytes: 0, weightFormat: 'int8', quantTables: mode === 'general',
    extraTables: [{ name: 'simd_weights', comment: 'records per output channel pair: bias, int8 weight words by groups of 4 input channels, requantisation parameters (simd8.ts)', values: stream }],
  };
}
