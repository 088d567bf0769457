/**
 * The DSP-SIMD im2col convolution (src/kernels/simd-conv.ts), weights stored int8 (the default, simd8.ts's records)
 * or int16. Checked:
 *  - the `conv_weights` record layouts (segments padded to whole groups of 4; int16: doubled weights and bias; int8:
 *    the weight words, the bias doubled, the inputs doubled in the widening), worked by hand, and the segments of
 *    dilated layers (a kernel row at dilation 1 across, a tap else);
 *  - the requantisation mode and its overflow bound;
 *  - hand-picked conv2d layers (the MobileNetV2 stem shape, inC % 4 = 0..3, SAME / VALID / symmetric / explicit pads,
 *    pads larger than the kernel, images smaller than the kernel, 1xN / Nx1 kernels, strided and padded 1x1, rows
 *    too long for one base register, relu / relu6, single rounding and left shifts; dilations 2 and 3, across and
 *    down only, with every padding style and strides) bit-exact with the reference on stm32f411re (Cortex-M4) and
 *    stm32h743 (Cortex-M7), both formats;
 *  - fast-check: random conv2d layers (layerCase, dilations 1..3, strides 1..3, every padding style), realistic and
 *    extreme quantisation, on both boards, both formats;
 *  - refusals: too long a reduction (input.c), depthwise layers (kind);
 *  - the stack figure (im2col buffer and border scratch counted) equals the stack depth measured;
 *  - throughput: MAC/cycle lower bounds for the stem (3x3 s2, 3->16, 64x64), a 3x3 s1 16->16 at 16x16 and a 3x3
 *    dilation-2 8->8 at 12x12 on mps2-an386, stm32f411re, stm32f746g-disco and stm32h743, both formats, and >= 3x the
 *    scalar kernel on the M4 (int16; 2.5x int8).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runKernel, type WeightFormat } from '../../src/kernels/index.js';
import { convWeightStream, convRequantMode, convReduction, convSegments, simdConvSupport, simdConvKernel } from '../../src/kernels/simd-conv.js';
import { planLayer, type LayerSpec } from '../../src/nn/spec.js';
import { withRealisticQuant, randomLayerData, type LayerGeometry } from '../../src/nn/tensor.js';
import { layerCase } from '../../src/testing/arbitraries.js';
import { itSimdBitExact } from '../helpers/kernels.js';

const BOARDS = ['stm32f411re', 'stm32h743'] as const;
const FORMATS: readonly WeightFormat[] = ['int8', 'int16'];

const conv = (h: number, w: number, c: number, oc: number, kernel: number | { h: number; w: number }, seed: number, extra: Partial<LayerGeometry> = {}): LayerSpec =>
  withRealisticQuant({ kind: 'conv2d', input: { h, w, c }, outChannels: oc, kernel, ...extra } as LayerGeometry, seed);

describe('conv_weights records', () => {
  it('rows padded to groups of 4, weights and bias x 2, parameters (worked by hand)', () => {
    // 2x2 kernel, 1 input channel, 3 output channels: Lr = 2, Lr4 = 4, 2 groups; w[oc][i] = 10 oc + i + 1
    const spec: LayerSpec = {
      kind: 'conv2d', input: { h: 2, w: 2, c: 1 }, kernel: 2, outChannels: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], bias: [7, -8, 9],
    };
    const plan = planLayer(spec);
    expect(convReduction(plan)).toEqual({ Lr: 2, Lr4: 4, K: 8, G: 2 });
    const w = Int8Array.from({ length: 12 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4) + 1);
    expect(plan.multipliers[0]).toBe(2 ** 30);
    expect(plan.shifts[0]).toBe(-9);
    expect(convRequantMode(plan, w)).toBe('fast');
    const s = convWeightStream(plan, w, 'fast');
    const dv = new DataView(s.buffer);
    const h16 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt16(o + 2 * i, true));
    const i32 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt32(o + 4 * i, true));
    // pair record: bias x 2 | M, 2^8, 9 per channel | group 0 (row 0: w0 w1 0 0): ch0 [2, 0] [4, 0], ch1 [22, 0] [24, 0]
    // | group 1 (row 1: w2 w3 0 0): ch0 [6, 0] [8, 0], ch1 [26, 0] [28, 0]: 8 + 24 + 32 = 64 bytes
    expect(i32(0, 2)).toEqual([14, -16]);
    expect(i32(8, 6)).toEqual([2 ** 30, 256, 9, 2 ** 30, 256, 9]);
    expect(h16(32, 16)).toEqual([2, 0, 4, 0, 22, 0, 24, 0, 6, 0, 8, 0, 26, 0, 28, 0]);
    // single record (channel 2, w 21..24) from 64: bias 18 | M, 256, 9 | [42, 0] [44, 0] | [46, 0] [48, 0]
    expect(i32(64, 4)).toEqual([18, 2 ** 30, 256, 9]);
    expect(h16(80, 8)).toEqual([42, 0, 44, 0, 46, 0, 48, 0]);
    expect(s.length * 4).toBe(96);
    // general mode: not doubled, the channel index as the one parameter word
    const g = new DataView(convWeightStream(plan, w, 'general').buffer);
    expect([g.getInt32(0, true), g.getInt32(8, true), g.getInt32(12, true), g.getInt16(16, true)]).toEqual([7, 0, 1, 1]);
  });
  it('int8 records: bias x 2, the weight words of the padded rows, M and T (worked by hand)', () => {
    // 2x2 kernel, 1 input channel, 3 output channels (as above): rows of 2 bytes padded to 4, 2 groups
    const spec: LayerSpec = {
      kind: 'conv2d', input: { h: 3, w: 3, c: 1 }, kernel: 2, padding: 'valid', outChannels: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10, 2 ** -11, 2 ** -12], bias: [5, -6, 7],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 12 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4) + 1);
    expect(convRequantMode(plan, w)).toBe('fast');
    const dv = new DataView(convWeightStream(plan, w, 'fast', 'int8').buffer);
    const b8 = (o: number) => [0, 1, 2, 3].map((i) => dv.getInt8(o + i));
    // pair: bias x 2 (10, -12) | group 0 (row 0: w0 w1 0 0): ch0 [1 2 0 0], ch1 [11 12 0 0] | group 1 (row 1):
    // ch0 [3 4 0 0], ch1 [13 14 0 0] | M0 T0 M1 T1 (T = 2^(R-1), zero point 0): 8 + 16 + 16 = 40 bytes
    expect([dv.getInt32(0, true), dv.getInt32(4, true)]).toEqual([10, -12]);
    expect([b8(8), b8(12), b8(16), b8(20)]).toEqual([[1, 2, 0, 0], [11, 12, 0, 0], [3, 4, 0, 0], [13, 14, 0, 0]]);
    expect(dv.getInt32(28, true)).toBe(2 ** (-plan.shifts[0]! - 1));
    expect(dv.getInt32(36, true)).toBe(2 ** (-plan.shifts[1]! - 1));
    // single (channel 2) from 40: 14 | [21 22 0 0] [23 24 0 0] | M, T: 4 + 8 + 8 = 20 bytes
    expect(dv.getInt32(40, true)).toBe(14);
    expect([b8(44), b8(48)]).toEqual([[21, 22, 0, 0], [23, 24, 0, 0]]);
    expect(dv.byteLength).toBe(60);
  });
  it('the stem: 3x3x3 rows of 9 bytes padded to 12, 9 groups', () => {
    expect(convReduction(planLayer(conv(64, 64, 3, 16, 3, 1, { stride: 2, padding: 'same' })))).toEqual({ Lr: 9, Lr4: 12, K: 36, G: 9 });
  });
  it('dilation: a segment per kernel row when the taps of a row are contiguous (dw = 1), a segment per tap else', () => {
    // 3x3 x 5 channels, dilation 2 down only: rows of 15 bytes padded to 16, 3 input rows apart (only where they are read)
    const down = planLayer(conv(9, 9, 5, 2, 3, 1, { dilation: { h: 2, w: 1 } }));
    expect(convReduction(down)).toEqual({ Lr: 15, Lr4: 16, K: 48, G: 12 });
    expect(convSegments(down).map((g) => [g.ky, g.kx0, g.taps, g.start])).toEqual([[0, 0, 3, 0], [1, 0, 3, 16], [2, 0, 3, 32]]);
    // dilation 2 across: 9 taps of 5 bytes, each padded to 8
    const across = planLayer(conv(9, 9, 5, 2, 3, 1, { dilation: 2 }));
    expect(convReduction(across)).toEqual({ Lr: 5, Lr4: 8, K: 72, G: 18 });
    expect(convSegments(across).map((g) => [g.ky, g.kx0, g.taps, g.start])).toEqual(
      [[0, 0, 1, 0], [0, 1, 1, 8], [0, 2, 1, 16], [1, 0, 1, 24], [1, 1, 1, 32], [1, 2, 1, 40], [2, 0, 1, 48], [2, 1, 1, 56], [2, 2, 1, 64]]);
  });
  it('dilated records: the weights of each tap, zero on its padding (worked by hand)', () => {
    // 2x2 kernel, dilation (1, 2), 2 input channels, 1 output channel: 4 tap segments of 2 bytes padded to 4;
    // w[ky][kx][ic] = 1..8 in OHWI order; fast mode: doubled
    const spec: LayerSpec = {
      kind: 'conv2d', input: { h: 4, w: 5, c: 2 }, kernel: 2, dilation: { h: 1, w: 2 }, outChannels: 1, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], bias: [5],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 8 }, (_, k) => k + 1);
    expect(convReduction(plan)).toEqual({ Lr: 2, Lr4: 4, K: 16, G: 4 });
    const s = convWeightStream(plan, w, 'fast');
    const dv = new DataView(s.buffer);
    const h16 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt16(o + 2 * i, true));
    // single record: bias 10 | M, 2^8, 9 | tap (0,0) [2, 0] [4, 0], (0,1) [6, 0] [8, 0], (1,0) [10, 0] [12, 0], (1,1) [14, 0] [16, 0]
    expect([dv.getInt32(0, true), dv.getInt32(4, true), dv.getInt32(8, true), dv.getInt32(12, true)]).toEqual([10, 2 ** 30, 256, 9]);
    expect(h16(16, 16)).toEqual([2, 0, 4, 0, 6, 0, 8, 0, 10, 0, 12, 0, 14, 0, 16, 0]);
    expect(s.length * 4).toBe(48);
  });
  it('requantisation mode: fast only for double rounding, right shifts and a bound that holds whatever taps are padded', () => {
    const base = (extra: Partial<LayerSpec>): LayerSpec => ({
      kind: 'conv2d', input: { h: 3, w: 3, c: 2 }, kernel: 3, outChannels: 1, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], ...extra,
    });
    const w = new Int8Array(18).fill(127);
    const mode = (s: LayerSpec) => convRequantMode(planLayer(s), w);
    expect(mode(base({}))).toBe('fast');
    expect(mode(base({ rounding: 'single' }))).toBe('general');
    expect(mode(base({ weightScales: [4] }))).toBe('general'); // left shift
    // B = |bias| + 18 x 127 x 128 = |bias| + 292608; 2B + 2^8 + 1 < 2^31 iff |bias| < 1073449079
    expect(mode(base({ bias: [1073449000] }))).toBe('fast');
    expect(mode(base({ bias: [1073449100] }))).toBe('general');
  });
});

describe('simd im2col: hand-picked layers equal the reference', () => {
  const cases: [string, LayerSpec][] = [
    ['stem shape 9x9x3 -> 5, 3x3 s2 SAME', conv(9, 9, 3, 5, 3, 1, { stride: 2, padding: 'same' })],
    ['8x8x3 -> 16, 3x3 s2 SAME (pads bottom / right only)', conv(8, 8, 3, 16, 3, 2, { stride: 2, padding: 'same' })],
    ['5x6x4 -> 4, 3x3 s1 SAME, relu', conv(5, 6, 4, 4, 3, 3, { padding: 'same', activation: 'relu' })],
    ['5x5x5 -> 3, 3x3 VALID (inC % 4 = 1)', conv(5, 5, 5, 3, 3, 4, { padding: 'valid' })],
    ['4x7x6 -> 7, 3x3 symmetric, relu6 (inC % 4 = 2)', conv(4, 7, 6, 7, 3, 5, { padding: 'symmetric', activation: 'relu6' })],
    ['6x5x7 -> 2, 5x5 SAME s2 (inC % 4 = 3)', conv(6, 5, 7, 2, 5, 6, { padding: 'same', stride: 2 })],
    ['2x2x2 -> 3, 3x3 explicit pads 3 (pads larger than the kernel)', conv(2, 2, 2, 3, 3, 7, { padding: { top: 3, bottom: 2, left: 1, right: 3 } })],
    ['1x2x3 -> 1, 3x3 SAME (image smaller than the kernel, one channel)', conv(1, 2, 3, 1, 3, 8, { padding: 'same' })],
    ['4x9x3 -> 4, 1x5 SAME s(1,2)', conv(4, 9, 3, 4, { h: 1, w: 5 }, 9, { padding: 'same', stride: { h: 1, w: 2 } })],
    ['7x3x2 -> 5, 5x1 VALID', conv(7, 3, 2, 5, { h: 5, w: 1 }, 10, { padding: 'valid' })],
    ['5x5x8 -> 6, 1x1 stride 2', conv(5, 5, 8, 6, 1, 11, { stride: 2 })],
    ['3x3x4 -> 3, 1x1 explicit pads 1', conv(3, 3, 4, 3, 1, 12, { padding: { top: 1, bottom: 1, left: 1, right: 0 } })],
    ['3x40x64 -> 3, 3x3 SAME (rows of 2560 bytes: a row pointer per kernel row)', conv(3, 40, 64, 3, 3, 13, { padding: 'same' })],
    ['4x4x3 -> 5, 3x3 SAME, single rounding (general requantisation)', conv(4, 4, 3, 5, 3, 14, { padding: 'same', rounding: 'single' })],
    ['3x3x2 -> 2, 2x2 SAME, left shifts (large scales)', { kind: 'conv2d', input: { h: 3, w: 3, c: 2 }, kernel: 2, padding: 'same', outChannels: 2,
      inputZeroPoint: -3, inputScale: 1, outputZeroPoint: 5, outputScale: 1, weightScales: [2.5, 6.25], bias: [-40, 33] }],
    ['3x3x3 -> 2, 3x3 SAME, input zero point -128 (pads are -128)', { kind: 'conv2d', input: { h: 3, w: 3, c: 3 }, kernel: 3, padding: 'same', outChannels: 2,
      inputZeroPoint: -128, inputScale: 0.01, outputZeroPoint: 127, outputScale: 0.5, weightScales: [0.003, 0.004], bias: [100, -100] }],
    ['9x9x3 -> 4, 3x3 dilation 2 SAME', conv(9, 9, 3, 4, 3, 15, { dilation: 2, padding: 'same' })],
    ['10x8x4 -> 5, 3x3 dilation 3 VALID stride 2', conv(10, 8, 4, 5, 3, 16, { dilation: 3, stride: 2 })],
    ['7x9x5 -> 3, 3x3 dilation 2x1 symmetric, relu (rows 2 apart, taps contiguous)', conv(7, 9, 5, 3, 3, 17, { dilation: { h: 2, w: 1 }, padding: 'symmetric', activation: 'relu' })],
    ['6x11x2 -> 6, 1x5 dilation 1x3 explicit pads, stride 1x2 (a segment per tap)', conv(6, 11, 2, 6, { h: 1, w: 5 }, 18, { dilation: { h: 1, w: 3 }, stride: { h: 1, w: 2 }, padding: { top: 1, bottom: 0, left: 4, right: 2 } })],
    ['4x4x3 -> 2, 3x3 dilation 3 SAME (the dilated kernel is larger than the image: every pixel a border one)', conv(4, 4, 3, 2, 3, 19, { dilation: 3, padding: 'same' })],
    ['4x40x64 -> 3, 3x3 dilation 2 SAME (taps beyond LDR\'s reach: a base register per segment)', conv(4, 40, 64, 3, 3, 20, { dilation: 2, padding: 'same' })],
    ['5x6x3 -> 3, 2x3 dilation 2 SAME, single rounding (general requantisation)', conv(5, 6, 3, 3, { h: 2, w: 3 }, 21, { dilation: 2, padding: 'same', rounding: 'single' })],
  ];
  itSimdBitExact(cases, BOARDS, FORMATS);
  it('both requantisation modes are exercised by the cases above', () => {
    const modes = new Set(cases.map(([, s]) => convRequantMode(planLayer(s), randomLayerData(s, 11).weights!.data)));
    expect([...modes].sort()).toEqual(['fast', 'general']);
  });
});

describe('simd im2col: random conv2d layers (layerCase) equal the reference', () => {
  for (const board of BOARDS) {
    for (const weights of FORMATS) {
      for (const extreme of [false, true]) {
        it(`${board}, ${weights} weights, ${extreme ? 'extreme' : 'realistic'} quantisation, dilations 1..3`, () => {
          let dilated = 0;
          const runs = weights === 'int8' ? 40 : 20;
          fc.assert(fc.property(
            layerCase({ kinds: ['conv2d'], maxHW: 8, maxChannels: 9, maxDilation: 3, maxStride: 3, extreme, roundings: ['double', 'single'] }),
            (c) => {
              const r = runKernel(c.spec, { input: c.input, weights: c.weights }, { board, variant: 'simd', weights });
              expect(r.kernel).toBe('simd');
              expect(r.mismatches).toBe(0);
              const d = c.spec.dilation as { h: number; w: number };
              if (d.h > 1 || d.w > 1) dilated++;
            },
          ), { numRuns: runs, seed: 20251130 + (extreme ? 1 : 0) + (board === 'stm32h743' ? 2 : 0) + (weights === 'int16' ? 4 : 0) });
          expect(dilated).toBeGreaterThanOrEqual(runs * 0.35);
        });
      }
    }
  }
});

describe('support', () => {
  it('depthwise is not this kernel\'s; dilation is', () => {
    expect(simdConvSupport(planLayer(withRealisticQuant({ kind: 'depthwise', input: { h: 3, w: 3, c: 4 }, kernel: 3 } as LayerGeometry, 1)))).toMatch(/^kind:/);
    const spec = conv(6, 6, 3, 4, 3, 1, { dilation: 2, padding: 'same' });
    expect(simdConvSupport(planLayer(spec))).toBeNull();
    expect(() => simdConvKernel(planLayer(withRealisticQuant({ kind: 'depthwise', input: { h: 3, w: 3, c: 4 }, kernel: 3 } as LayerGeometry, 1)), new Int8Array(36))).toThrow(/^kind:/);
  });
  it('too long a reduction is refused, naming input.c', () => {
    // 3x3 x 108 channels: Lr = 324, 3 x 324 / 4 = 243 groups > 240
    expect(simdConvSupport(planLayer(conv(4, 4, 108, 2, 3, 1)))).toMatch(/^input\.c:/);
    expect(simdConvSupport(planLayer(conv(4, 4, 104, 2, 3, 1)))).toBeNull();
    // dilated across: 9 taps x roundup4(105) = 972 values, 243 groups; 104 channels: 936, 234 groups
    expect(simdConvSupport(planLayer(conv(9, 9, 105, 2, 3, 1, { dilation: 2 })))).toMatch(/^input\.c:/);
    expect(simdConvSupport(planLayer(conv(9, 9, 104, 2, 3, 1, { dilation: 2 })))).toBeNull();
  });
});

describe('throughput and stack (cycles are deterministic)', () => {
  // the MobileNetV2 stem: 3x3 s2 SAME, 3 -> 16 at 64x64 (out 32x32: 1024 x 16 x 27 = 442368 MACs)
  const stem = conv(64, 64, 3, 16, 3, 1, { stride: 2, padding: 'same' });
  const c16 = conv(16, 16, 16, 16, 3, 2, { padding: 'same' });
  const dil = conv(12, 12, 8, 8, 3, 1, { dilation: 2, padding: 'same' });
  const ds = randomLayerData(stem, 7), dc = randomLayerData(c16, 7), dd = randomLayerData(dil, 1);
  const run = (spec: LayerSpec, d: typeof ds, board: string, variant: 'scalar' | 'simd' = 'simd', weights: WeightFormat = 'int8') =>
    runKernel(spec, { input: d.input, weights: d.weights }, { board, variant, weights });
  it('the stack figure counts the im2col buffer and the border scratch: measured depth equals it', () => {
    // stem: 9 registers (36) + frame 40 + 2 pixels x 9 groups x 8 (144) + 3 rows x 12 (36) = 220 -> 224 (8-aligned): 260
    for (const weights of FORMATS) {
      const k = simdConvKernel(planLayer(stem), ds.weights!.data, { weights });
      expect(k.stackBytes).toBe(260);
      const r = run(stem, ds, 'mps2-an386', 'simd', weights);
      expect(r.bitExact).toBe(true);
      expect(r.stackBytes).toBe(260);
      expect(r.macs).toBe(442368);
    }
    // the scalar kernel is at least 3x slower on the M4 (stem scalar about 0.154 MAC/cycle), int16 weights; 2.5x int8
    const s = run(stem, ds, 'mps2-an386', 'scalar');
    expect(s.macsPerCycle).toBeLessThan(0.16);
    expect(run(stem, ds, 'mps2-an386', 'simd', 'int16').cycles * 3).toBeLessThanOrEqual(s.cycles);
    expect(run(stem, ds, 'mps2-an386').cycles * 2.5).toBeLessThanOrEqual(s.cycles);
  }, 120_000);
  // measured int8 / int16: stem 0.4333 / 0.4806 (mps2-an386), 0.3971 / 0.4076 (F411), 0.6574 / 0.6965 (F746),
  // 0.6552 / 0.6945 (H743); 3x3 16->16 0.6297 / 0.7402, 0.5899 / 0.6403, 0.9089 / 0.5178, 0.9996 / 1.0937; dilation 2
  // 0.4714 / 0.5450, 0.4429 / 0.4800, 0.7175 / 0.7044, 0.7138 / 0.7912
  const bounds: [string, LayerSpec, typeof ds, number, number][] = [
    ['stem mps2-an386', stem, ds, 0.43, 0.48], ['stem stm32f411re', stem, ds, 0.39, 0.40], ['stem stm32f746g-disco', stem, ds, 0.65, 0.69], ['stem stm32h743', stem, ds, 0.65, 0.69],
    ['3x3 16->16 mps2-an386', c16, dc, 0.62, 0.74], ['3x3 16->16 stm32f411re', c16, dc, 0.58, 0.64], ['3x3 16->16 stm32f746g-disco', c16, dc, 0.90, 0.51], ['3x3 16->16 stm32h743', c16, dc, 0.99, 1.09],
    ['3x3 dilation 2 8->8 mps2-an386', dil, dd, 0.47, 0.54], ['3x3 dilation 2 8->8 stm32f411re', dil, dd, 0.44, 0.47],
    ['3x3 dilation 2 8->8 stm32f746g-disco', dil, dd, 0.71, 0.70], ['3x3 dilation 2 8->8 stm32h743', dil, dd, 0.71, 0.79],
  ];
  it('a dilated conv: the stack figure is the measured depth; >= 3x the scalar kernel on the M4 (int16), 2.5x (int8)', () => {
    // 3x3 dilation 2 x 8 channels: 9 tap segments of 8 bytes, G = 18: frame 40 + 2 x 18 x 8 + 72 (scratch) = 400, + 36
    const k = simdConvKernel(planLayer(dil), dd.weights!.data);
    expect(k.stackBytes).toBe(436);
    const r = run(dil, dd, 'mps2-an386'), r16 = run(dil, dd, 'mps2-an386', 'simd', 'int16'), s = run(dil, dd, 'mps2-an386', 'scalar');
    expect(r.bitExact && r16.bitExact && s.bitExact).toBe(true);
    expect(r.stackBytes).toBe(436);
    expect(r16.cycles * 3).toBeLessThanOrEqual(s.cycles);
    expect(r.cycles * 2.5).toBeLessThanOrEqual(s.cycles);
  });
  it.each(bounds)('%s: MAC/cycle lower bounds, int8 and int16 weights', (name, spec, d, min8, min16) => {
    for (const [weights, min] of [['int8', min8], ['int16', min16]] as const) {
      const r = run(spec, d, name.split(' ').pop()!, 'simd', weights);
      expect(r.kernel).toBe('simd');
      expect(r.bitExact).toBe(true);
      expect(r.macsPerCycle, weights).toBeGreaterThanOrEqual(min);
    }
  }, 120_000);
  it('int8 weights: the constants are the weights and 12 bytes a channel (bias, M, T), the segments\' padding included', () => {
    // stem: 16 channels x 36 reduction values (3 rows of 9 padded to 12) + 12 x 16
    const r = run(stem, ds, 'stm32h743');
    expect(r.weightBytes).toBe(16 * 36 + 12 * 16);
    expect(run(stem, ds, 'stm32h743', 'simd', 'int16').weightBytes).toBe(16 * 72 + 16 * 16);
  }, 120_000);
});
