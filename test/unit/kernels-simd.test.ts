/**
 * The DSP-SIMD kernels (src/kernels/simd.ts, simd8.ts): pointwise (1x1, stride 1) and fully connected, with the weights
 * stored int8 (the default: 4 a word, widened with SXTB16 at run time) or int16 (widened at generation time). Checked:
 *  - the reordered weight streams' layouts (int16 pairs; int8 words, parameters after the weights, R not stored),
 *    worked by hand; the flash figure: weights + 12 bytes a channel (8 with one shift for all), no multipliers / shifts
 *    tables unless the general requantisation runs;
 *  - the requantisation mode the generator picks (and its overflow bound);
 *  - hand-picked layers (odd and even channel and pixel counts, inC % 4 = 0..3, every requantisation mode, relu /
 *    relu6 / none) bit-exact with the reference on stm32f411re (Cortex-M4) and stm32h743 (Cortex-M7), both formats;
 *  - a fast-check property over random pointwise / fully connected layers (layerCase), realistic and extreme
 *    quantisation, on both boards, both formats;
 *  - wide layers (int8: the looped reduction, any input channel count up to SIMD8_MAX_IN_CHANNELS): every loop shape
 *    (iterations with and without left-over groups, one and two pixels, the general requantisation's pools), the
 *    MobileNetV2 classifier 1280 -> 1000 (simd, no longer the scalar fallback), in both instruction orders;
 *  - the unrolled schedule (tiles of O channels x P pixels, constants in literal pools; the Cortex-M4 boards'): the
 *    tile per pixel count, hand-picked layers for each tile, segments, pools, clamps, uniform and per-channel shifts,
 *    on mps2-an386 and stm32f411re, and a fast-check property on mps2-an386;
 *  - fallback to the scalar kernel, reported, for the layers the simd variant does not run;
 *  - throughput: >= 2x the scalar kernel's cycles; the MAC/cycle reached on mps2-an386 with int16 weights (the unrolled
 *    schedule: 0.748 for 16->96, 0.901 for 96->24 at 56x56: the 0.9 is reached for 96->24 and out of reach for
 *    16 input channels, see simd.ts) and with int8 weights (the compact schedule), pinned against regressions.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runKernel, simdWeightStream, simdWeightStream8, requantMode, simdSupport, SIMD8_MAX_IN_CHANNELS, type WeightFormat } from '../../src/kernels/index.js';
import { simdKernel, unrolledSupport, unrolledTile } from '../../src/kernels/simd.js';
import { reductionShape } from '../../src/kernels/simd8.js';
import { planLayer, type LayerSpec } from '../../src/nn/spec.js';
import { withRealisticQuant, randomLayerData, type LayerGeometry } from '../../src/nn/tensor.js';
import { layerCase } from '../../src/testing/arbitraries.js';
import { itSimdBitExact } from '../helpers/kernels.js';

const BOARDS = ['stm32f411re', 'stm32h743'] as const;
const FORMATS: readonly WeightFormat[] = ['int8', 'int16'];

const pw = (h: number, w: number, c: number, oc: number, seed: number, extra: Partial<LayerGeometry> = {}): LayerSpec =>
  withRealisticQuant({ kind: 'pointwise', input: { h, w, c }, outChannels: oc, ...extra } as LayerGeometry, seed);

describe('weight stream', () => {
  it('records: bias x 2, parameters, int16 weight pairs by groups of 4 (worked by hand)', () => {
    // 1x1x5 -> 3 channels; weights w[oc][i] = 10 * oc + i; bias 7, -8, 9; weight scale 2^-10: M = 2^30, shift -9
    const spec: LayerSpec = {
      kind: 'pointwise', input: { h: 1, w: 1, c: 5 }, outChannels: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], bias: [7, -8, 9],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 15 }, (_, k) => 10 * Math.floor(k / 5) + (k % 5));
    expect(plan.shifts[0]).toBe(-9);
    expect(plan.multipliers[0]).toBe(2 ** 30);
    // |acc| <= 9 + 128 * 110 small; shift -9 for every channel: right-uniform (one parameter word: M)
    expect(requantMode(plan, w)).toBe('right-uniform');
    const s = simdWeightStream(plan, w, 'right-uniform');
    const dv = new DataView(s.buffer);
    const h16 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt16(o + 2 * i, true));
    // pair record (channels 0, 1): bias x 2: 14, -16 | M0, M1 | group 0: ch0 [w0 w2][w1 w3], ch1 [..] |
    // group 1 (channel 4 then zeros): ch0 [4 0][0 0], ch1 [14 0][0 0]: 16 + 32 = 48 bytes
    expect(dv.getInt32(0, true)).toBe(14);
    expect(dv.getInt32(4, true)).toBe(-16);
    expect(dv.getInt32(8, true)).toBe(2 ** 30);
    expect(dv.getInt32(12, true)).toBe(2 ** 30);
    expect(h16(16, 8)).toEqual([0, 2, 1, 3, 10, 12, 11, 13]);
    expect(h16(32, 8)).toEqual([4, 0, 0, 0, 14, 0, 0, 0]);
    // single record (channel 2) from byte 48: bias 18 | M | [20 22][21 23] | [24 0][0 0]: 8 + 16 = 24 bytes
    expect(dv.getInt32(48, true)).toBe(18);
    expect(dv.getInt32(52, true)).toBe(2 ** 30);
    expect(h16(56, 8)).toEqual([20, 22, 21, 23, 24, 0, 0, 0]);
    expect(s.length * 4).toBe(72);
  });
  it('int8 records: bias x 2, int8 weight words by groups of 4 (natural byte order), then the parameters (worked by hand)', () => {
    // the same layer: 1x1x5 -> 3, w[oc][i] = 10 oc + i, bias 7, -8, 9, M = 2^30, shift -9 for all: right-uniform (M only)
    const spec: LayerSpec = {
      kind: 'pointwise', input: { h: 1, w: 1, c: 5 }, outChannels: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], bias: [7, -8, 9],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 15 }, (_, k) => 10 * Math.floor(k / 5) + (k % 5));
    const s = simdWeightStream8(plan, w, 'right-uniform');
    const dv = new DataView(s.buffer);
    const b8 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt8(o + i));
    // pair record (channels 0, 1): bias x 2: 14, -16 | group 0: ch0 [0 1 2 3], ch1 [10 11 12 13] | group 1 (channel 4,
    // then zeros): ch0 [4 0 0 0], ch1 [14 0 0 0] | M0, M1: 8 + 16 + 8 = 32 bytes
    expect(dv.getInt32(0, true)).toBe(14);
    expect(dv.getInt32(4, true)).toBe(-16);
    expect(b8(8, 16)).toEqual([0, 1, 2, 3, 10, 11, 12, 13, 4, 0, 0, 0, 14, 0, 0, 0]);
    expect(dv.getInt32(24, true)).toBe(2 ** 30);
    expect(dv.getInt32(28, true)).toBe(2 ** 30);
    // single record (channel 2) from byte 32: bias 18 | [20 21 22 23] | [24 0 0 0] | M: 16 bytes
    expect(dv.getInt32(32, true)).toBe(18);
    expect(b8(36, 8)).toEqual([20, 21, 22, 23, 24, 0, 0, 0]);
    expect(dv.getInt32(44, true)).toBe(2 ** 30);
    expect(s.length * 4).toBe(48);
    // SXTB16 of a word [w0 w1 w2 w3] is [w0, w2], with ROR #8 [w1, w3]: the lanes of the widened input words
  });
  it('int8 records, per-channel shifts: M and T = 2^(R-1) + zp 2^R, R being the trailing zeros of T plus one', () => {
    // scales 2^-10, 2^-12: shifts -9, -11; output zero point 5: T = 2^8 + 5 2^9 = 2816, 2^10 + 5 2^11 = 11264
    const spec: LayerSpec = {
      kind: 'fully_connected', input: { h: 1, w: 1, c: 4 }, outChannels: 2, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 5, outputScale: 1, weightScales: [2 ** -10, 2 ** -12],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from([1, -2, 3, -4, 5, 6, -7, 8]);
    expect(requantMode(plan, w)).toBe('right-zp');
    const dv = new DataView(simdWeightStream8(plan, w, 'right-zp').buffer);
    // bias 0, 0 | ch0 [1 -2 3 -4], ch1 [5 6 -7 8] | M0 T0 M1 T1: 8 + 8 + 16 = 32 bytes, 12 + 4 a channel
    expect([dv.getInt8(8), dv.getInt8(9), dv.getInt8(10), dv.getInt8(11)]).toEqual([1, -2, 3, -4]);
    expect(dv.getInt32(20, true)).toBe(2816);
    expect(dv.getInt32(28, true)).toBe(11264);
    const ctz = (v: number) => 31 - Math.clz32(v & -v);
    expect(ctz(2816) + 1).toBe(9);
    expect(ctz(11264) + 1).toBe(11);
    expect(dv.byteLength).toBe(32);
  });
  it('the reduction\'s shape: unrolled up to 9 groups, else loops of the largest divisor from 4 to 8 (else 8 and a tail)', () => {
    expect(reductionShape(9)).toEqual({ looped: false, U: 9 });
    expect(reductionShape(10)).toEqual({ looped: true, U: 5 });
    expect(reductionShape(11)).toEqual({ looped: true, U: 8 });
    expect(reductionShape(12)).toEqual({ looped: true, U: 6 });
    expect(reductionShape(24)).toEqual({ looped: true, U: 8 });
    expect(reductionShape(28)).toEqual({ looped: true, U: 7 });
    expect(reductionShape(33)).toEqual({ looped: true, U: 8 });
    expect(reductionShape(320)).toEqual({ looped: true, U: 8 });
  });
  it('requantisation modes', () => {
    const base = (ws: number[], extra: Partial<LayerSpec> = {}): LayerSpec => ({
      kind: 'fully_connected', input: { h: 1, w: 1, c: 4 }, outChannels: ws.length, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: ws, ...extra,
    });
    const w = new Int8Array(8).fill(1);
    const mode = (s: LayerSpec) => requantMode(planLayer(s), w);
    expect(mode(base([2 ** -10, 2 ** -10]))).toBe('right-uniform');
    // per-channel shifts -9, -11; the zero point joins the rounding term (|acc| <= 512: no overflow)
    expect(mode(base([2 ** -10, 2 ** -12]))).toBe('right-zp');
    // zero point 100 * 2^29 (shift -29 -> R = 29) + 2^28 overflows: kept apart ('right')
    expect(mode(base([2 ** -28, 2 ** -30], { outputZeroPoint: 100 }))).toBe('right');
    expect(mode(base([2, 2]))).toBe('left-uniform'); // shift +2: |acc| <= 512, 512 * 2^3 < 2^31
    expect(mode(base([2, 8]))).toBe('left');
    expect(mode(base([2, 2 ** -10]))).toBe('general'); // mixed signs
    expect(mode(base([2 ** -10, 2 ** -10], { rounding: 'single' }))).toBe('general');
    // |acc| <= |bias| + 128 * 4: bias 2^30 - 512 -> 2 * 2^30 = 2^31, too big: general; 2^30 - 513 fits
    expect(mode(base([2 ** -10, 2 ** -10], { bias: [2 ** 30 - 512, 0] }))).toBe('general');
    expect(mode(base([2 ** -10, 2 ** -10], { bias: [2 ** 30 - 513, 0] }))).toBe('right-uniform');
    // shift +2 (scale 4 = 0.5 * 2^3? M = 2^30, shift 3): |acc| * 2^4 < 2^31 needs |acc| < 2^27
    expect(mode(base([4, 4], { bias: [2 ** 27 - 512, 0] }))).toBe('general');
  });
});

describe('simd pointwise: hand-picked layers equal the reference', () => {
  const cases: [string, LayerSpec][] = [
    ['1x1x16 -> 96 (8x8)', pw(8, 8, 16, 96, 1)],
    ['3x3x5 -> 7 (odd pixels, odd channels, inC % 4 = 1)', pw(3, 3, 5, 7, 2)],
    ['2x3x6 -> 4 (inC % 4 = 2)', pw(2, 3, 6, 4, 3)],
    ['1x5x7 -> 3, relu (inC % 4 = 3)', pw(1, 5, 7, 3, 4, { activation: 'relu' })],
    ['1x1x3 -> 1 (no group: tail only, one pixel, one channel)', pw(1, 1, 3, 1, 5)],
    ['4x4x32 -> 24, relu6', pw(4, 4, 32, 24, 6, { activation: 'relu6' })],
    ['2x2x8 -> 5, single rounding (general requantisation)', pw(2, 2, 8, 5, 7, { rounding: 'single' })],
    ['fully connected 3 rows x 20 -> 9', withRealisticQuant({ kind: 'fully_connected', input: { h: 1, w: 3, c: 20 }, outChannels: 9 } as LayerGeometry, 8)],
    ['2x2x4 -> 2, left shifts (large scales)', { kind: 'pointwise', input: { h: 2, w: 2, c: 4 }, outChannels: 2, inputZeroPoint: -3, inputScale: 1,
      outputZeroPoint: 5, outputScale: 1, weightScales: [2.5, 6.25], bias: [-40, 33] }],
    ['2x2x4 -> 2, mixed shifts (general requantisation)', { kind: 'pointwise', input: { h: 2, w: 2, c: 4 }, outChannels: 2, inputZeroPoint: 100, inputScale: 1,
      outputZeroPoint: -7, outputScale: 1, weightScales: [2.5, 0.01], bias: [1000, -2000] }],
  ];
  itSimdBitExact(cases, BOARDS, FORMATS);
  it('every requantisation mode is exercised by the cases above', () => {
    const modes = new Set(cases.map(([, s]) => {
      const p = planLayer(s); const w = randomLayerData(s, 11).weights!.data; return requantMode(p, w);
    }));
    expect(modes.has('general')).toBe(true);
    expect(modes.has('right-zp')).toBe(true);
    expect(modes.has('left') || modes.has('left-uniform')).toBe(true);
  });
});

describe('simd pointwise: random layers (layerCase) equal the reference', () => {
  for (const board of BOARDS) {
    for (const weights of FORMATS) {
      for (const extreme of [false, true]) {
        it(`${board}, ${weights} weights, ${extreme ? 'extreme' : 'realistic'} quantisation`, () => {
          fc.assert(fc.property(
            layerCase({ kinds: ['pointwise', 'fully_connected'], maxHW: 5, maxChannels: weights === 'int8' ? 40 : 19, extreme, roundings: ['double', 'single'], paddings: ['valid'], maxStride: 1 }),
            (c) => {
              const r = runKernel(c.spec, { input: c.input, weights: c.weights }, { board, variant: 'simd', weights });
              expect(r.mismatches).toBe(0);
              return r.kernel === 'simd' || r.fallbackReason !== null;
            },
          ), { numRuns: weights === 'int8' ? 25 : 15, seed: 20250602 + (extreme ? 1 : 0) + (weights === 'int8' ? 10 : 0) });
        });
      }
    }
  }
});

describe('int8 weights: wide layers (the looped reduction) and the flash they take', () => {
  const fc1 = (c: number, oc: number, seed: number, extra: Partial<LayerGeometry> = {}) =>
    withRealisticQuant({ kind: 'fully_connected', input: { h: 1, w: 1, c }, outChannels: oc, ...extra } as LayerGeometry, seed);
  const cases: [string, LayerSpec][] = [
    ['2x3x300 -> 5 (75 groups: 15 x 5; two pixels)', pw(2, 3, 300, 5, 31)],
    ['3x3x48 -> 9, relu6 (12 groups: 2 x 6; odd pixels and channels)', pw(3, 3, 48, 9, 32, { activation: 'relu6' })],
    ['1x2x44 -> 4 (11 groups: 8 and a tail of 3)', pw(1, 2, 44, 4, 33)],
    ['2x2x130 -> 6, single rounding (33 groups: 4 x 8 and a tail of 1; the general requantisation\'s pools)', pw(2, 2, 130, 6, 34, { rounding: 'single' })],
    ['fully connected 1 row x 1280 -> 37 (one pixel: the stack buffer of 2,560 bytes)', fc1(1280, 37, 35)],
    ['fully connected 1 row x 2048 -> 3 (the largest)', fc1(SIMD8_MAX_IN_CHANNELS, 3, 36)],
    ['fully connected 1 row x 257 -> 2, relu (65 groups, the last one partial)', fc1(257, 2, 37, { activation: 'relu' })],
  ];
  for (const board of BOARDS) {
    it.each(cases)(`%s on ${board}`, (_, spec) => {
      const d = randomLayerData(spec, 12);
      const r = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'simd' });
      expect(r.kernel).toBe('simd');
      expect(r.fallbackReason).toBeNull();
      expect(r.assembly).toContain(planLayer(spec).inC > 36 ? 'reduction looped' : 'reduction unrolled');
      expect(r.mismatches).toBe(0);
    });
  }
  it('int16 weights keep the 256-channel limit (the scalar kernel runs, named); int8 takes up to 2048', () => {
    expect(simdSupport(planLayer(fc1(257, 2, 1)), 'int16')).toMatch(/^input\.c:/);
    expect(simdSupport(planLayer(fc1(2048, 2, 1)), 'int8')).toBeNull();
    expect(simdSupport(planLayer(fc1(2049, 2, 1)), 'int8')).toMatch(/^input\.c: .* up to 2048/);
    const spec = fc1(300, 4, 2), d = randomLayerData(spec, 3);
    const r = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32h743', variant: 'simd', weights: 'int16' });
    expect(r.kernel).toBe('scalar');
    expect(r.fallbackReason).toMatch(/^input\.c:/);
    expect(r.bitExact).toBe(true);
  });
  it('the random property over wide layers (inC up to 300, one to four pixels), both orders', () => {
    for (const board of BOARDS) {
      fc.assert(fc.property(
        fc.record({ hw: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 33, max: 300 }), oc: fc.integer({ min: 1, max: 7 }), seed: fc.integer({ min: 0, max: 1e6 }),
          fcl: fc.boolean(), rounding: fc.constantFrom('double' as const, 'single' as const) }),
        (g) => {
          const spec = g.fcl ? fc1(g.c, g.oc, g.seed, { rounding: g.rounding }) : pw(g.hw, g.hw, g.c, g.oc, g.seed, { rounding: g.rounding });
          const d = randomLayerData(spec, g.seed + 1);
          const r = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'simd', timing: false });
          expect(r.kernel).toBe('simd');
          expect(r.mismatches).toBe(0);
        },
      ), { numRuns: 20, seed: 20260101 });
    }
  });
  it('flash: int8 weights + 12 bytes a channel (bias, M, T), 8 with one shift for all; int16 twice the weights and more', () => {
    const spec = pw(4, 4, 32, 24, 6), d = randomLayerData(spec, 11), plan = planLayer(spec);
    expect(requantMode(plan, d.weights!.data)).toBe('right-zp');
    const r8 = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32h743', variant: 'simd' });
    const r16 = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32h743', variant: 'simd', weights: 'int16' });
    expect(r8.weightFormat).toBe('int8');
    expect(r8.weightBytes).toBe(24 * 32 + 12 * 24);
    // int16: the weights twice, bias and 3 parameter words a channel
    expect(r16.weightBytes).toBe(2 * 24 * 32 + 16 * 24);
    // the images hold no multipliers / shifts tables: the parameters are in the records
    expect(r8.assembly).not.toMatch(/^multipliers:/m);
    expect(r16.assembly).not.toMatch(/^multipliers:/m);
    const u: LayerSpec = { kind: 'pointwise', input: { h: 3, w: 3, c: 8 }, outChannels: 6, inputZeroPoint: 5, inputScale: 0.05, outputZeroPoint: -3, outputScale: 0.1, weightScales: [0.004] };
    const du = randomLayerData(u, 11);
    expect(runKernel(u, { input: du.input, weights: du.weights }, { board: 'stm32h743', variant: 'simd' }).weightBytes).toBe(6 * 8 + 8 * 6);
    // the general requantisation reads the tables: channel index in the record, multipliers, shifts
    const g = pw(2, 2, 8, 5, 7, { rounding: 'single' }), dg = randomLayerData(g, 11);
    const rg = runKernel(g, { input: dg.input, weights: dg.weights }, { board: 'stm32h743', variant: 'simd' });
    expect(rg.assembly).toMatch(/^multipliers:/m);
    expect(rg.weightBytes).toBe(5 * 8 + 8 * 5 + 8 * 5);
  });
  it('the classifier of MobileNetV2, fully connected 1280 -> 1000: simd with int8 weights, 2.4x the scalar kernel on the H743', () => {
    const spec = fc1(1280, 1000, 1), d = randomLayerData(spec, 1);
    const run = (variant: 'simd' | 'scalar') => runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32h743', variant });
    const v = run('simd'), s = run('scalar');
    expect(v.kernel).toBe('simd');
    expect(v.bitExact && s.bitExact).toBe(true);
    // 1,292,000 bytes: the weights and 12 a channel, as the scalar kernel's int8 weights, bias, multipliers, shifts
    expect(v.weightBytes).toBe(1280 * 1000 + 12 * 1000);
    expect(v.weightBytes).toBe(s.weightBytes);
    // 0.666 MAC/cycle (1,923,341 cycles) against the scalar kernel's 0.272 (4,714,351); the widened input, 2,560
    // bytes, is on the stack
    expect(v.macsPerCycle).toBeGreaterThanOrEqual(0.66);
    expect(v.cycles * 2.4).toBeLessThanOrEqual(s.cycles);
    expect(v.stackBytes).toBe(36 + 24 + 2560);
  }, 120_000);
});

describe('fallback', () => {
  it('a depthwise 5x5 runs the scalar kernel and says why; dilated, 3x3 and strided 1x1 convs run the im2col simd kernel', () => {
    const dw5 = withRealisticQuant({ kind: 'depthwise', input: { h: 6, w: 6, c: 3 }, kernel: 5, padding: 'same' } as LayerGeometry, 1);
    const d0 = randomLayerData(dw5, 3);
    const r0 = runKernel(dw5, { input: d0.input, weights: d0.weights }, { board: 'stm32f411re', variant: 'simd' });
    expect(r0.kernel).toBe('scalar');
    expect(r0.fallbackReason).toMatch(/^kernel:/);
    expect(r0.bitExact).toBe(true);
    const dilated = withRealisticQuant({ kind: 'conv2d', input: { h: 6, w: 6, c: 3 }, kernel: 3, dilation: 2, padding: 'same', outChannels: 4 } as LayerGeometry, 1);
    const conv = withRealisticQuant({ kind: 'conv2d', input: { h: 4, w: 4, c: 3 }, kernel: 3, outChannels: 4, padding: 'same' } as LayerGeometry, 1);
    const strided = pw(5, 5, 8, 4, 2, { stride: 2 });
    for (const spec of [dilated, conv, strided]) {
      const d = randomLayerData(spec, 3);
      const r = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32f411re', variant: 'simd' });
      expect(r.kernel).toBe('simd');
      expect(r.fallbackReason).toBeNull();
      expect(r.bitExact).toBe(true);
    }
  });
});

describe('throughput (cycles are deterministic)', () => {
  const spec = pw(8, 8, 16, 96, 1);
  const d = randomLayerData(spec, 1);
  const run = (variant: 'scalar' | 'simd', board: string, weights: WeightFormat = 'int8') => runKernel(spec, { input: d.input, weights: d.weights }, { board, variant, weights });
  it('simd pointwise 16->96 at 8x8 is at least 2x faster than scalar on the M4 (stm32f411re, mps2-an386), int16 weights; 1.5x with int8', () => {
    for (const board of ['stm32f411re', 'mps2-an386']) {
      const s = run('scalar', board), v = run('simd', board, 'int16'), v8 = run('simd', board);
      expect(v.bitExact && s.bitExact && v8.bitExact).toBe(true);
      expect(v.cycles * 2).toBeLessThanOrEqual(s.cycles);
      expect(v8.cycles * 1.5).toBeLessThanOrEqual(s.cycles);
    }
  });
  it('simd pointwise 16->96 and 96->24 at 8x8, int8 weights (the compact schedule on every board): MAC/cycle', () => {
    // measured: 16->96 mps2-an386 0.5318, stm32f411re 0.4889, stm32h743 0.7868, stm32f746g-disco 0.7910 (int16 on the
    // F746: 0.644: half the weight bytes through its caches); 96->24 0.6580, 0.6150, 1.0418, 1.0305
    const d2 = randomLayerData(pw(8, 8, 96, 24, 1), 1);
    const bounds: [string, number, number][] = [['mps2-an386', 0.53, 0.65], ['stm32f411re', 0.48, 0.61], ['stm32h743', 0.78, 1.04], ['stm32f746g-disco', 0.79, 1.03]];
    for (const [board, a, b] of bounds) {
      const v = run('simd', board);
      const w = runKernel(pw(8, 8, 96, 24, 1), { input: d2.input, weights: d2.weights }, { board, variant: 'simd' });
      expect(v.bitExact && w.bitExact).toBe(true);
      expect(v.assembly).toContain('int8 weights');
      expect(v.macsPerCycle, `${board} 16->96`).toBeGreaterThanOrEqual(a);
      expect(w.macsPerCycle, `${board} 96->24`).toBeGreaterThanOrEqual(b);
    }
  });
  it('simd pointwise 16->96 at 8x8 on mps2-an386, int16 weights: MAC/cycle', () => {
    const v = run('simd', 'mps2-an386', 'int16');
    expect(v.macs).toBe(8 * 8 * 16 * 96);
    // unrolled 2x4: 0.7475 (131,517 cycles; the unrolled 4x2 kernel before it 0.681, the compact kernel 0.580): the
    // 0.9 target is out of reach for 16 input channels on the M4 model (simd.ts, "Throughput"); pinned against
    // regressions
    expect(v.macsPerCycle).toBeGreaterThanOrEqual(0.745);
  });
  it('int16 weights: the schedule follows the board, unrolled on the Cortex-M4 boards, compact on the M7 boards; int8: compact', () => {
    // the unrolled code outgrows the M7's L1 I-cache: there the compact schedule runs (0.821 on the H743 for this layer;
    // unrolled about 0.40); on the F411, flash wait states and all, the unrolled 2x4 kernel is faster (0.613 against the
    // compact kernel's 0.499)
    const f411 = run('simd', 'stm32f411re', 'int16'), h743 = run('simd', 'stm32h743', 'int16'), mps2 = run('simd', 'mps2-an386', 'int16');
    expect(f411.assembly).toContain('unrolled 2x4');
    expect(mps2.assembly).toContain('unrolled 2x4');
    expect(h743.assembly).not.toContain('unrolled');
    expect(f411.macsPerCycle).toBeGreaterThanOrEqual(0.61);
    expect(h743.macsPerCycle).toBeGreaterThanOrEqual(0.8);
    expect(mps2.codeBytes).toBeGreaterThan(10 * h743.codeBytes);
    // the default, int8 weights: the compact kernel everywhere, its code small, its constants weights + 12 a channel
    const m8 = run('simd', 'mps2-an386');
    expect(m8.assembly).not.toMatch(/unrolled \dx\d/);
    expect(m8.weightFormat).toBe('int8');
    expect(m8.codeBytes * 20).toBeLessThan(mps2.codeBytes);
    expect(m8.weightBytes).toBe(96 * 16 + 12 * 96);
  });
  it('simd pointwise 96->24 at 8x8 on mps2-an386 (the reduction amortises the requantisation)', () => {
    const s2 = pw(8, 8, 96, 24, 1);
    const d2 = randomLayerData(s2, 1);
    const v = runKernel(s2, { input: d2.input, weights: d2.weights }, { board: 'mps2-an386', variant: 'simd', weights: 'int16' });
    expect(v.bitExact).toBe(true);
    // unrolled 2x4: 0.9008 (163,695 cycles; the unrolled 4x2 kernel before it 0.875, the compact kernel 0.759)
    expect(v.macsPerCycle).toBeGreaterThanOrEqual(0.9);
    // the widened input (4 pixels x 96 channels x 2 bytes) is on the stack, counted in the SRAM figure
    expect(v.stackBytes).toBe(36 + 16 + 768);
    expect(v.sramHighWater).toBeLessThan(8 * 8 * 96 + 8 * 8 * 24 + 1024);
  });
  it('the issue\'s layer, pointwise 96->24 at 56x56 on mps2-an386: >= 0.9 MAC/cycle with int16 weights (the unrolled schedule)', () => {
    const s3 = withRealisticQuant({ kind: 'conv2d', input: { h: 56, w: 56, c: 96 }, kernel: 1, outChannels: 24 } as LayerGeometry, 1);
    const d3 = randomLayerData(s3, 1);
    const v = runKernel(s3, { input: d3.input, weights: d3.weights }, { board: 'mps2-an386', variant: 'simd', weights: 'int16' });
    expect(v.kernel).toBe('simd');
    expect(v.bitExact).toBe(true);
    expect(v.assembly).toContain('unrolled 2x4');
    // 0.9010 (8,019,567 cycles): the bench's figure (bench/run.ts builds this layer the same way)
    expect(v.macsPerCycle).toBeGreaterThanOrEqual(0.9);
    // int8 weights, the compact schedule: 0.658 (10,979,171 cycles), with half the constants
    const v8 = runKernel(s3, { input: d3.input, weights: d3.weights }, { board: 'mps2-an386', variant: 'simd' });
    expect(v8.bitExact).toBe(true);
    expect(v8.macsPerCycle).toBeGreaterThanOrEqual(0.65);
    expect(v8.weightBytes * 1.8).toBeLessThan(v.weightBytes);
  }, 120_000);
});

describe('unrolled schedule (tiles of O channels x P pixels, constants in literal pools)', () => {
  const sched = (spec: LayerSpec, seed = 11) => {
    const d = randomLayerData(spec, seed);
    return simdKernel(planLayer(spec), d.weights!.data, { weights: 'int16' }).schedule;
  };
  const fc1 = (c: number, oc: number, seed: number) => withRealisticQuant({ kind: 'fully_connected', input: { h: 1, w: 1, c }, outChannels: oc } as LayerGeometry, seed);
  it('the tile follows the pixel count (2x4, 2x3, 4x2, 6x1); the right-shift modes only; too much code runs the compact kernel', () => {
    expect(sched(pw(8, 8, 16, 96, 1))).toBe('unrolled-2x4');
    expect(sched(pw(3, 3, 5, 7, 2))).toBe('unrolled-2x4');
    expect(sched(pw(2, 2, 8, 3, 2))).toBe('unrolled-2x4');
    expect(sched(pw(1, 3, 9, 5, 22))).toBe('unrolled-2x3');
    expect(sched(pw(2, 1, 4, 4, 23))).toBe('unrolled-4x2');
    expect(sched(fc1(20, 9, 8))).toBe('unrolled-6x1');
    // one pixel and 2 channels: no tile leaves the requantisation its 4 registers (O + P < 4)
    expect(unrolledTile(planLayer(pw(1, 1, 8, 2, 2)))).toBeNull();
    expect(sched(pw(1, 1, 8, 2, 2))).toBe('compact-2x2');
    expect(unrolledTile(planLayer(pw(1, 1, 8, 3, 2)))).toEqual({ O: 3, P: 1 });
    expect(sched(pw(2, 2, 8, 5, 7, { rounding: 'single' }))).toBe('compact-2x2'); // general requantisation
    const big = planLayer(pw(2, 2, 256, 512, 1));
    expect(unrolledSupport(big, new Int8Array(256 * 512))).toMatch(/^code over/);
  });
  const cases: [string, LayerSpec, string][] = [
    ['3x3x20 -> 6 (9 pixels: the last pass overlaps the one before)', pw(3, 3, 20, 6, 21), '2x4'],
    ['1x3x9 -> 5, relu6 (3 pixels; inC % 4 = 1: a half-group left out)', pw(1, 3, 9, 5, 22, { activation: 'relu6' }), '2x3'],
    ['2x1x4 -> 4 (2 pixels, one pass)', pw(2, 1, 4, 4, 23), '4x2'],
    ['5x1x12 -> 13, relu (odd channels: the last block filled up from the first)', pw(5, 1, 12, 13, 24, { activation: 'relu' }), '2x4'],
    ['2x2x200 -> 8 (100 half-groups: blocks in segments)', pw(2, 2, 200, 8, 25), '2x4'],
    ['4x4x256 -> 4 (the longest reduction)', pw(4, 4, 256, 4, 26), '2x4'],
    ['4x4x16 -> 64 (32 blocks: pools shared by runs of blocks)', pw(4, 4, 16, 64, 27), '2x4'],
    ['fully connected 1 row x 20 -> 9 (6x1)', fc1(20, 9, 8), '6x1'],
    ['fully connected 1 row x 7 -> 3 (3x1; inC % 4 = 3)', fc1(7, 3, 9), '3x1'],
    ['3x3x6 -> 10, relu6 clamped both ways (IT blocks; the next block realigned)',
      withRealisticQuant({ kind: 'pointwise', input: { h: 3, w: 3, c: 6 }, outChannels: 10, activation: 'relu6', outputScale: 0.1, outputZeroPoint: -20 } as LayerGeometry, 28), '2x4'],
    ['3x3x8 -> 6, one weight scale (right-uniform requantisation)', { kind: 'pointwise', input: { h: 3, w: 3, c: 8 }, outChannels: 6, inputZeroPoint: 5, inputScale: 0.05,
      outputZeroPoint: -3, outputScale: 0.1, weightScales: [0.004] }, '2x4'],
  ];
  for (const board of ['mps2-an386', 'stm32f411re']) {
    it.each(cases)(`%s on ${board}: equal to the reference`, (_, spec, tile) => {
      expect(sched(spec)).toBe(`unrolled-${tile}`);
      const d = randomLayerData(spec, 11);
      const r = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'simd', weights: 'int16' });
      expect(r.kernel).toBe('simd');
      expect(r.assembly).toContain(`unrolled ${tile}`);
      expect(r.mismatches).toBe(0);
      expect(r.bitExact).toBe(true);
    });
  }
  it('the cases cover both fast requantisation modes and the clamps', () => {
    const modes = new Set(cases.map(([, s]) => requantMode(planLayer(s), randomLayerData(s, 11).weights!.data)));
    expect([...modes].sort()).toEqual(['right-uniform', 'right-zp']);
    const p = planLayer(cases[9]![1]);
    expect(p.actMin).toBeGreaterThan(-128);
    expect(p.actMax).toBeLessThan(127);
  });
  for (const extreme of [false, true]) {
    it(`random pointwise / fully connected layers (layerCase) on mps2-an386, ${extreme ? 'extreme' : 'realistic'} quantisation`, () => {
      let unrolled = 0;
      fc.assert(fc.property(
        layerCase({ kinds: ['pointwise', 'fully_connected'], maxHW: 6, maxChannels: 24, extreme, paddings: ['valid'], maxStride: 1 }),
        (c) => {
          const r = runKernel(c.spec, { input: c.input, weights: c.weights }, { board: 'mps2-an386', variant: 'simd', weights: 'int16' });
          expect(r.kernel).toBe('simd');
          expect(r.mismatches).toBe(0);
          if (r.assembly.includes('unrolled')) unrolled++;
        },
      ), { numRuns: 40, seed: 20251201 + (extreme ? 1 : 0) });
      // the unrolled schedule takes most realistic layers (the others: one pixel with few channels, zero points that
      // do not fold); extreme quantisation sends more to the compact kernel (left shifts, overflow bounds)
      expect(unrolled).toBeGreaterThanOrEqual(extreme ? 5 : 25);
    });
  }
  it('16->96 and 96->24 at 16x16 on mps2-an386: MAC/cycle lower bounds (cycles are deterministic)', () => {
    for (const [c, oc, min] of [[16, 96, 0.745], [96, 24, 0.9]] as const) {
      const spec = pw(16, 16, c, oc, 1);
      const d = randomLayerData(spec, 1);
      const v = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'mps2-an386', variant: 'simd', weights: 'int16' });
      expect(v.bitExact).toBe(true);
      expect(v.macsPerCycle).toBeGreaterThanOrEqual(min);
    }
  });
});
