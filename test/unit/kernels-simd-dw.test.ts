/**
 * The DSP-SIMD depthwise 3x3 kernel (src/kernels/simd-dw.ts), weights stored int8 (the default) or int16. Checked:
 *  - the pixel classes (tap rectangles) of SAME / VALID / strided / dilated layers, worked by hand;
 *  - the `dw_weights` record layouts, worked by hand: int16 (tap pairs doubled, the folded bias per class) and int8
 *    (tap words, one bias folded over all 9 taps: the border classes cancel their outside taps at run time);
 *  - the requantisation mode and its overflow bound;
 *  - hand-picked layers (channel counts 1..13 with every C % 4, strides 1 / 2 / mixed, every padding style, pads
 *    larger than the kernel, images smaller than the kernel, rows too long for one base register, relu / relu6,
 *    single rounding and left shifts through the general requantisation; dilations 2 and 3, across or down only,
 *    dilated taps beyond one base register's reach) bit-exact with the reference on stm32f411re (Cortex-M4) and
 *    stm32h743 (Cortex-M7), both formats;
 *  - fast-check: random depthwise layers (layerCase, 3x3 / multiplier 1 kept, dilations 1..3), realistic and extreme
 *    quantisation, on both boards, both formats;
 *  - fallback to the scalar kernel, with the parameter named;
 *  - throughput on the M4 model (mps2-an386) and the M7 (stm32h743), depthwise 3x3 28x28x96 stride 1 and 2, and
 *    dilation 2: lower bounds on MAC/cycle and on the speed-up over the scalar kernel, both formats.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runKernel, dwClasses, dwWeightStream, dwWeightStream8, dwRequantMode, simdDwSupport, type WeightFormat } from '../../src/kernels/index.js';
import { planLayer, type LayerSpec } from '../../src/nn/spec.js';
import { withRealisticQuant, randomLayerData, type LayerGeometry } from '../../src/nn/tensor.js';
import { layerCase } from '../../src/testing/arbitraries.js';
import { itSimdBitExact } from '../helpers/kernels.js';

const BOARDS = ['stm32f411re', 'stm32h743'] as const;
const FORMATS: readonly WeightFormat[] = ['int8', 'int16'];

const dw = (h: number, w: number, c: number, seed: number, extra: Partial<LayerGeometry> = {}): LayerSpec =>
  withRealisticQuant({ kind: 'depthwise', input: { h, w, c }, kernel: 3, ...extra } as LayerGeometry, seed);

describe('pixel classes', () => {
  it('SAME stride 1 on 5x6: 3 row ranges x 3 column ranges', () => {
    // pads 1 all round: row 0 sees kernel rows 1..2, rows 1..3 all, row 4 rows 0..1; the same for columns
    const k = dwClasses(planLayer(dw(5, 6, 4, 1, { padding: 'same' })));
    expect(k.length).toBe(9);
    expect(k[0]).toEqual({ ky0: 1, ky1: 3, kx0: 1, kx1: 3 });
    expect(k[4]).toEqual({ ky0: 0, ky1: 3, kx0: 0, kx1: 3 });
    expect(k[8]).toEqual({ ky0: 0, ky1: 2, kx0: 0, kx1: 2 });
  });
  it('SAME stride 2 on 8x8: pad top/left 0, bottom/right 1 (TF SAME puts the odd pad after)', () => {
    // out 4, pad total (4-1)*2 + 3 - 8 = 1: top 0, bottom 1; rows 0..2 full, row 3 (origin 6) rows 0..1
    const k = dwClasses(planLayer(dw(8, 8, 4, 1, { padding: 'same', stride: 2 })));
    expect(k).toEqual([
      { ky0: 0, ky1: 3, kx0: 0, kx1: 3 }, { ky0: 0, ky1: 3, kx0: 0, kx1: 2 },
      { ky0: 0, ky1: 2, kx0: 0, kx1: 3 }, { ky0: 0, ky1: 2, kx0: 0, kx1: 2 },
    ]);
  });
  it('dilation 2 SAME on 5x5 (pads 2): taps 2 apart, the rows and columns inside worked by hand', () => {
    // origin o - 2: o = 0 (-2) taps 1..2 (rows 0, 2), o = 1 (-1) taps 1..2 (rows 1, 3), o = 2 (0) all, o = 3 (1) taps
    // 0..1 (rows 1, 3; row 5 is outside), o = 4 (2) taps 0..1 (rows 2, 4): ranges [1,3) x 2, [0,3), [0,2) x 2
    const k = dwClasses(planLayer(dw(5, 5, 4, 1, { padding: 'same', dilation: 2 })));
    expect(k.length).toBe(9);
    expect(k[0]).toEqual({ ky0: 1, ky1: 3, kx0: 1, kx1: 3 });
    expect(k[4]).toEqual({ ky0: 0, ky1: 3, kx0: 0, kx1: 3 });
    expect(k[8]).toEqual({ ky0: 0, ky1: 2, kx0: 0, kx1: 2 });
    // dilation 3 on a 4x4 image (the dilated kernel spans 7), SAME pads 3: origin -3 -> taps 1..2 (rows 0, 3),
    // -2 and -1 -> tap 1 only (tap 2 at rows 4, 5 is outside), 0 -> taps 0..1 (rows 0, 3): at most 2 taps a row
    const k3 = dwClasses(planLayer(dw(4, 4, 4, 1, { padding: 'same', dilation: 3 })));
    expect(k3.every((c) => c.ky1 - c.ky0 <= 2 && c.kx1 - c.kx0 <= 2)).toBe(true);
    expect(k3[0]).toEqual({ ky0: 1, ky1: 3, kx0: 1, kx1: 3 });
    expect(k3).toContainEqual({ ky0: 1, ky1: 2, kx0: 1, kx1: 2 });
    expect(k3[k3.length - 1]).toEqual({ ky0: 0, ky1: 2, kx0: 0, kx1: 2 });
    expect(k3.length).toBe(9);
  });
  it('VALID: one class, explicit pads of 3: empty tap ranges', () => {
    expect(dwClasses(planLayer(dw(4, 4, 3, 1, { padding: 'valid' })))).toEqual([{ ky0: 0, ky1: 3, kx0: 0, kx1: 3 }]);
    // 1x1 input, pads 3: out 1 + 6 - 2 = 5; rows: origin -3 -> none, -2 -> [2,3), -1 -> [1,2), 0 -> [0,1), 1 -> none
    const k = dwClasses(planLayer(dw(1, 1, 2, 1, { padding: { top: 3, bottom: 3, left: 3, right: 3 } })));
    const rowRanges = [...new Set(k.map((c) => `${c.ky0}-${c.ky1}`))];
    expect(rowRanges.length).toBe(5);
    expect(k.filter((c) => c.ky0 === c.ky1 || c.kx0 === c.kx1).length).toBe(25 - 9);
  });
});

describe('dw_weights records', () => {
  it('int16 tap pairs x 2, parameters, folded bias per class (worked by hand)', () => {
    // 3x3x5 VALID: one pixel, one class; weights w[t][c] = 10 t + c; M = 2^30, shift -9; bias 7, -8, 9, 10, 11
    const spec: LayerSpec = {
      kind: 'depthwise', input: { h: 3, w: 3, c: 5 }, kernel: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], bias: [7, -8, 9, 10, 11],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 45 }, (_, i) => 10 * Math.floor(i / 5) + (i % 5));
    expect(plan.multipliers[0]).toBe(2 ** 30);
    expect(plan.shifts[0]).toBe(-9);
    expect(dwRequantMode(plan, w)).toBe('fast');
    const s = dwWeightStream(plan, w, 'fast');
    const dv = new DataView(s.buffer);
    const h16 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt16(o + 2 * i, true));
    const i32 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt32(o + 4 * i, true));
    // record size: 72 (weights) + 4 x 3 x 4 (params) + 16 (one class) = 136; two groups
    expect(s.length * 4).toBe(272);
    // group 0, tap 0: [2w0, 2w2] = [0, 4], [2w1, 2w3] = [2, 6]; tap 8: 2 x [80, 82], [81, 83]
    expect(h16(0, 4)).toEqual([0, 4, 2, 6]);
    expect(h16(64, 4)).toEqual([160, 164, 162, 166]);
    // params: M, 2^8 + 0, 9 per channel
    expect(i32(72, 6)).toEqual([2 ** 30, 256, 9, 2 ** 30, 256, 9]);
    // bias x 2 (input offset 0)
    expect(i32(120, 4)).toEqual([14, -16, 18, 20]);
    // group 1: channel 4 alone: tap 1 [2 x 14, 0], [0, 0]; params of channel 4 then zeros; bias [22, 0, 0, 0]
    expect(h16(136 + 8, 4)).toEqual([28, 0, 0, 0]);
    expect(i32(136 + 72, 4)).toEqual([2 ** 30, 256, 9, 0]);
    expect(i32(136 + 120, 4)).toEqual([22, 0, 0, 0]);
  });
  it('int8: tap words, one bias folded over all 9 taps, M and T per channel (worked by hand)', () => {
    // the layer above: 3x3x5 VALID, w[t][c] = 10 t + c, M = 2^30, shift -9, bias 7, -8, 9, 10, 11
    const spec: LayerSpec = {
      kind: 'depthwise', input: { h: 3, w: 3, c: 5 }, kernel: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], bias: [7, -8, 9, 10, 11],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 45 }, (_, i) => 10 * Math.floor(i / 5) + (i % 5));
    const dv = new DataView(dwWeightStream8(plan, w, 'fast').buffer);
    const b8 = (o: number) => [0, 1, 2, 3].map((i) => dv.getInt8(o + i));
    const i32 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt32(o + 4 * i, true));
    // a record: 9 words (36) + 4 biases (16) + 4 x (M, T) (32) = 84 bytes; two groups
    expect(dv.byteLength).toBe(168);
    // tap t: the int8 weights of channels 0..3 in their order (SXTB16 pairs [w0, w2], [w1, w3] with the input's lanes)
    expect(b8(0)).toEqual([0, 1, 2, 3]);
    expect(b8(32)).toEqual([80, 81, 82, 83]);
    // the bias, not doubled (the accumulator is doubled by a shift before the requantisation); T = 2^8
    expect(i32(36, 4)).toEqual([7, -8, 9, 10]);
    expect(i32(52, 8)).toEqual([2 ** 30, 256, 2 ** 30, 256, 2 ** 30, 256, 2 ** 30, 256]);
    // group 1: channel 4 alone
    expect(b8(84 + 4)).toEqual([14, 0, 0, 0]);
    expect(i32(84 + 36, 4)).toEqual([11, 0, 0, 0]);
    expect(i32(84 + 52, 4)).toEqual([2 ** 30, 256, 0, 0]);
    // general mode: the channel index, 68-byte records
    const g = new DataView(dwWeightStream8(plan, w, 'general').buffer);
    expect(g.byteLength).toBe(136);
    expect([g.getInt32(52, true), g.getInt32(56, true), g.getInt32(68 + 52, true)]).toEqual([0, 1, 4]);
  });
  it('int8: the bias is folded over every tap, whatever the classes (the border routines cancel the outside taps)', () => {
    // 2x2x1 SAME, input offset 3, all weights 1, bias 100: 100 + 3 x 9 = 127 for every pixel class
    const spec: LayerSpec = {
      kind: 'depthwise', input: { h: 2, w: 2, c: 1 }, kernel: 3, padding: 'same', inputZeroPoint: -3, inputScale: 1,
      outputZeroPoint: 5, outputScale: 1, weightScales: [2 ** -10], bias: [100],
    };
    const plan = planLayer(spec);
    const dv = new DataView(dwWeightStream8(plan, new Int8Array(9).fill(1), 'fast').buffer);
    expect(dv.byteLength).toBe(84);
    expect(dv.getInt32(36, true)).toBe(127);
    // T = 2^8 + 5 x 2^9 = 2816: R - 1 = 8 trailing zeros
    expect(dv.getInt32(56, true)).toBe(2816);
    const d = randomLayerData(spec, 1);
    for (const board of BOARDS) {
      const r = runKernel(spec, { input: d.input, weights: new Int8Array(9).fill(1) }, { board, variant: 'simd' });
      expect(r.kernel).toBe('simd');
      expect(r.bitExact).toBe(true);
    }
  });
  it('the folded bias counts only the class\'s taps', () => {
    // 2x2x1 SAME, input zero point -3 (offset 3), all weights 1, bias 100, output zero point 5
    // pixel (0,0): taps rows 1..2 x cols 1..2 = 4 taps: 100 + 3 x 4 = 112; the 4 pixels all have 4 taps
    const spec: LayerSpec = {
      kind: 'depthwise', input: { h: 2, w: 2, c: 1 }, kernel: 3, padding: 'same', inputZeroPoint: -3, inputScale: 1,
      outputZeroPoint: 5, outputScale: 1, weightScales: [2 ** -10], bias: [100],
    };
    const plan = planLayer(spec);
    const w = new Int8Array(9).fill(1);
    const k = dwClasses(plan);
    expect(k).toEqual([
      { ky0: 1, ky1: 3, kx0: 1, kx1: 3 }, { ky0: 1, ky1: 3, kx0: 0, kx1: 2 },
      { ky0: 0, ky1: 2, kx0: 1, kx1: 3 }, { ky0: 0, ky1: 2, kx0: 0, kx1: 2 },
    ]);
    const dv = new DataView(dwWeightStream(plan, w, 'fast').buffer);
    // T = 2^8 + 5 x 2^9 = 2816
    expect(dv.getInt32(72 + 4, true)).toBe(2816);
    for (let c = 0; c < 4; c++) expect(dv.getInt32(72 + 48 + 16 * c, true)).toBe(224);
    // general mode: not doubled, the channel index as parameter
    const g = new DataView(dwWeightStream(plan, w, 'general').buffer);
    expect(g.getInt16(0, true)).toBe(1);
    expect(g.getInt32(72, true)).toBe(0);
    expect(g.getInt32(72 + 16, true)).toBe(112);
  });
  it('requantisation mode: fast only for double rounding, right shifts and no overflow', () => {
    const base = (extra: Partial<LayerSpec>): LayerSpec => ({
      kind: 'depthwise', input: { h: 3, w: 3, c: 2 }, kernel: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], ...extra,
    });
    const w = new Int8Array(18).fill(1);
    const mode = (s: LayerSpec) => dwRequantMode(planLayer(s), w);
    expect(mode(base({}))).toBe('fast');
    expect(mode(base({ rounding: 'single' }))).toBe('general');
    expect(mode(base({ weightScales: [4] }))).toBe('general'); // shift +3
    // |acc| <= |bias| + 128 x 9; R = 9: 2 |acc| + 2^8 + 1 < 2^31 <=> |acc| < 2^30 - 128.5
    expect(mode(base({ bias: [2 ** 30 - 129 - 1152, 0] }))).toBe('fast');
    expect(mode(base({ bias: [2 ** 30 - 128 - 1152, 0] }))).toBe('general');
  });
});

describe('simd depthwise 3x3: hand-picked layers equal the reference', () => {
  const cases: [string, LayerSpec][] = [
    ['5x6x8 SAME', dw(5, 6, 8, 1, { padding: 'same' })],
    ['7x7x5 SAME stride 2 (C % 4 = 1)', dw(7, 7, 5, 2, { padding: 'same', stride: 2 })],
    ['4x4x3 VALID (C % 4 = 3, one group: the tail alone)', dw(4, 4, 3, 3, { padding: 'valid' })],
    ['6x5x6 symmetric, stride 2x1 (C % 4 = 2), relu', dw(6, 5, 6, 4, { padding: 'symmetric', stride: { h: 2, w: 1 }, activation: 'relu' })],
    ['3x8x13 explicit pads 2/0/1/2, stride 1x2, relu6', dw(3, 8, 13, 5, { padding: { top: 2, bottom: 0, left: 1, right: 2 }, stride: { h: 1, w: 2 }, activation: 'relu6' })],
    ['1x1x1, pads 3 (empty tap ranges: bias only)', dw(1, 1, 1, 6, { padding: { top: 3, bottom: 3, left: 3, right: 3 } })],
    ['2x2x4 SAME (image smaller than the kernel)', dw(2, 2, 4, 7, { padding: 'same' })],
    ['5x24x96 SAME (rows of 2304 bytes: three row registers)', dw(5, 24, 96, 8, { padding: 'same' })],
    ['4x5x7 SAME, single rounding (general requantisation)', dw(4, 5, 7, 9, { padding: 'same', rounding: 'single' })],
    ['9x9x8 dilation 2 SAME', dw(9, 9, 8, 10, { padding: 'same', dilation: 2 })],
    ['10x9x6 dilation 3 VALID stride 2 (C % 4 = 2)', dw(10, 9, 6, 11, { dilation: 3, stride: 2 })],
    ['7x8x5 dilation 2x1 symmetric, relu (C % 4 = 1)', dw(7, 8, 5, 12, { dilation: { h: 2, w: 1 }, padding: 'symmetric', activation: 'relu' })],
    ['6x9x7 dilation 1x3 explicit pads, stride 1x2, relu6', dw(6, 9, 7, 13, { dilation: { h: 1, w: 3 }, stride: { h: 1, w: 2 }, padding: { top: 1, bottom: 2, left: 3, right: 0 }, activation: 'relu6' })],
    ['3x3x4 dilation 3 SAME (the dilated kernel is larger than the image)', dw(3, 3, 4, 14, { dilation: 3, padding: 'same' })],
    ['5x12x96 dilation 2 SAME (rows 2 x 1152 bytes apart: three row registers)', dw(5, 12, 96, 15, { dilation: 2, padding: 'same' })],
    ['5x6x5 dilation 2 SAME, single rounding (general)', dw(5, 6, 5, 16, { dilation: 2, padding: 'same', rounding: 'single' })],
    ['4x4x5 SAME, zero points and left shifts (general)', {
      kind: 'depthwise', input: { h: 4, w: 4, c: 5 }, kernel: 3, padding: 'same', inputZeroPoint: 100, inputScale: 1,
      outputZeroPoint: -7, outputScale: 1, weightScales: [2.5, 6.25, 0.01, 3, 1], bias: [1000, -2000, 5, 0, -1],
    }],
  ];
  itSimdBitExact(cases, BOARDS, FORMATS);
  it('both requantisation modes are exercised', () => {
    const modes = new Set(cases.map(([, s]) => dwRequantMode(planLayer(s), randomLayerData(s, 11).weights!.data)));
    expect([...modes].sort()).toEqual(['fast', 'general']);
  });
});

describe('simd depthwise 3x3: random layers (layerCase) equal the reference', () => {
  const is3x3 = (s: LayerSpec) => {
    const k = s.kernel as { h: number; w: number };
    return k.h === 3 && k.w === 3 && (s.depthMultiplier ?? 1) === 1;
  };
  for (const board of BOARDS) {
    for (const weights of FORMATS) {
      for (const extreme of [false, true]) {
        it(`${board}, ${weights} weights, ${extreme ? 'extreme' : 'realistic'} quantisation, dilations 1..3`, () => {
          let simd = 0, dilated = 0;
          const runs = weights === 'int8' ? 40 : 20;
          fc.assert(fc.property(
            layerCase({ kinds: ['depthwise'], maxHW: 8, maxChannels: 11, maxKernel: 3, maxDilation: 3, extreme, roundings: ['double', 'single'] })
              .filter((c) => is3x3(c.spec)),
            (c) => {
              const r = runKernel(c.spec, { input: c.input, weights: c.weights }, { board, variant: 'simd', weights });
              expect(r.kernel).toBe('simd');
              expect(r.mismatches).toBe(0);
              simd++;
              const d = c.spec.dilation as { h: number; w: number };
              if (d.h > 1 || d.w > 1) dilated++;
            },
          ), { numRuns: runs, seed: 20250611 + (extreme ? 1 : 0) + (board === 'stm32h743' ? 2 : 0) + (weights === 'int16' ? 4 : 0) });
          expect(simd).toBe(runs);
          expect(dilated).toBeGreaterThanOrEqual(runs * 0.35);
        });
      }
    }
  }
});

describe('fallback', () => {
  it('5x5, depth multiplier 2, stride 3, taps out of LDR\'s reach run the scalar kernel and name the parameter', () => {
    const cases: [LayerSpec, string][] = [
      [dw(6, 6, 4, 1, { kernel: 5 }), 'kernel'],
      [withRealisticQuant({ kind: 'depthwise', input: { h: 5, w: 5, c: 3 }, kernel: 3, depthMultiplier: 2 } as LayerGeometry, 2), 'depthMultiplier'],
      [dw(7, 7, 4, 4, { stride: 3 }), 'stride'],
      // dilation 3 across 700 channels: tap 2 at 2 x 3 x 700 = 4200 bytes from tap 0, beyond LDR's 4095
      [dw(3, 9, 700, 3, { dilation: 3, padding: 'same' }), 'dilation'],
    ];
    for (const [spec, word] of cases) {
      expect(simdDwSupport(planLayer(spec))).toMatch(new RegExp(`^${word}:`));
      const d = randomLayerData(spec, 3);
      const r = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32f411re', variant: 'simd' });
      expect(r.kernel).toBe('scalar');
      expect(r.fallbackReason).toMatch(new RegExp(`^${word}:`));
      expect(r.bitExact).toBe(true);
    }
  });
});

describe('throughput (cycles are deterministic)', () => {
  // depthwise 3x3 28x28x96 SAME, int16 weights: per group of 4 channels an interior pixel costs 9 taps x 11 + 4 bias
  // loads + 4 x 10 requantisation + 4 loop = about 148 cycles for 36 MACs (0.24); the scalar kernel about 0.045.
  // int8 weights: 2 SXTB16 more a tap (one load less), and the R and the doubling of the requantisation: 0.216 on the M4
  // model, 0.311 on the H743 (int16 0.372: its loads pair with the DSP instructions). Dilation 2 (28x28x32): the same
  // per tap, more border pixels (2 rows and columns each side). Measured (int8 / int16): mps2-an386 0.2160 / 0.2447
  // (stride 1 and 2), 0.2192 / 0.2530 (dilation 2); stm32h743 0.3115 / 0.3722, 0.3069 / 0.3670, 0.3137 / 0.3837.
  const cases: [string, LayerSpec, string, WeightFormat, number, number][] = [
    ['28x28x96 stride 1', dw(28, 28, 96, 3, { padding: 'same', stride: 1 }), 'mps2-an386', 'int16', 0.24, 5],
    ['28x28x96 stride 2', dw(28, 28, 96, 3, { padding: 'same', stride: 2 }), 'mps2-an386', 'int16', 0.24, 5],
    ['28x28x32 dilation 2', dw(28, 28, 32, 3, { padding: 'same', dilation: 2 }), 'mps2-an386', 'int16', 0.25, 3],
    ['28x28x96 stride 1', dw(28, 28, 96, 3, { padding: 'same', stride: 1 }), 'mps2-an386', 'int8', 0.215, 4.8],
    ['28x28x96 stride 2', dw(28, 28, 96, 3, { padding: 'same', stride: 2 }), 'mps2-an386', 'int8', 0.215, 4.8],
    ['28x28x32 dilation 2', dw(28, 28, 32, 3, { padding: 'same', dilation: 2 }), 'mps2-an386', 'int8', 0.215, 2.6],
    ['28x28x96 stride 1', dw(28, 28, 96, 3, { padding: 'same', stride: 1 }), 'stm32h743', 'int16', 0.37, 5.7],
    ['28x28x96 stride 1', dw(28, 28, 96, 3, { padding: 'same', stride: 1 }), 'stm32h743', 'int8', 0.31, 4.7],
  ];
  it.each(cases)('%s SAME on %s, %s weights: MAC/cycle and speed-up over the scalar kernel lower bounds', (_, spec, board, weights, min, ratio) => {
    const d = randomLayerData(spec, 5);
    const s = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'simd', weights });
    const c = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'scalar' });
    expect(s.kernel).toBe('simd');
    expect(s.bitExact && c.bitExact).toBe(true);
    expect(s.macsPerCycle).toBeGreaterThanOrEqual(min);
    expect(c.cycles / s.cycles).toBeGreaterThanOrEqual(ratio);
  }, 60_000);
  it('int8 weights: the constants are the weights and 12 bytes a channel (bias, M, T); int16 with the folded bias per class', () => {
    const spec = dw(8, 8, 16, 3, { padding: 'same' }), d = randomLayerData(spec, 5);
    const r8 = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32h743', variant: 'simd' });
    const r16 = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32h743', variant: 'simd', weights: 'int16' });
    expect(r8.bitExact && r16.bitExact).toBe(true);
    expect(r8.weightBytes).toBe(16 * 9 + 12 * 16);
    // int16: 72 + 48 + 16 x 9 classes a group of 4 channels
    expect(r16.weightBytes).toBe(4 * (72 + 48 + 16 * 9));
  });
});
