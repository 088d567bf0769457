/**
 * The int8 reference (src/nn) on cases worked out by hand from the TFLM rules (../shared/reference/int8-semantics.md,
 * tflite-micro common.cc, quantization_util.cc, kernel_util.cc, add_common.cc, reference/integer_ops/*.h).
 * Each expected value is derived in the comment beside it.
 */
import { describe, it, expect } from 'vitest';
import {
  INT32_MIN, INT32_MAX,
  saturatingRoundingDoublingHighMul as srdhm, roundingDivideByPOT as rdbpot,
  multiplyByQuantizedMultiplier as mbqm, multiplyByQuantizedMultiplierSingleRounding as mbqm1,
  quantizeMultiplier, channelMultipliers, activationRange, frexp, addParams,
} from '../../src/nn/quant.js';
import { padAxis, computePadding } from '../../src/nn/padding.js';
import { layerErrors, planLayer, validateLayer, LayerSpecError, type LayerSpec } from '../../src/nn/spec.js';
import { conv2d, depthwiseConv2d, fullyConnected, add, avgPool, maxPool, runLayer, pointwiseConv2d } from '../../src/nn/ops.js';
import { Rng, compareInt8, createTensor, randomLayerData, randomTensor, withRealisticQuant, dequantize } from '../../src/nn/tensor.js';

const P30 = 2 ** 30;

describe('SaturatingRoundingDoublingHighMul', () => {
  it.each([
    // the one saturating case
    [INT32_MIN, INT32_MIN, INT32_MAX],
    // 1 * 2^30 / 2^31 = 0.5: (2^30 + 2^30) / 2^31 = 1
    [1, P30, 1],
    // -0.5: (-2^30 + 1 - 2^30) / 2^31 = -0.99.. truncates to 0 (halves round up)
    [-1, P30, 0],
    // 1.5 -> 2; -1.5: (-3 * 2^30 + 1 - 2^30) / 2^31 = -1.99.. -> -1
    [3, P30, 2],
    [-3, P30, -1],
    // -2^31 * 1 / 2^31 = -1 exactly: (-2^31 + 1 - 2^30) / 2^31 = -1.49.. -> -1
    [INT32_MIN, 1, -1],
    // -2^31 (2^31 - 1) / 2^31 = -(2^31 - 1), no fraction
    [INT32_MIN, INT32_MAX, -2147483647],
    // (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31; + 0.5, truncated: 2^31 - 2
    [INT32_MAX, INT32_MAX, 2147483646],
    [0, INT32_MIN, 0],
  ])('SRDHM(%i, %i) = %i', (a, b, r) => {
    expect(srdhm(a, b)).toBe(r);
    expect(srdhm(b, a)).toBe(r);
  });
});

describe('RoundingDivideByPOT', () => {
  it.each([
    // 5 / 2 = 2.5: mask 1, remainder 1 > threshold 0 -> 2 + 1 = 3 (half away from zero)
    [5, 1, 3],
    // -5 / 2 = -2.5: -5 >> 1 = -3, remainder 1, threshold 0 + 1 = 1, not greater -> -3
    [-5, 1, -3],
    // -20 / 8 = -2.5: -20 >> 3 = -3, remainder 4, threshold 3 + 1 = 4 -> -3
    [-20, 3, -3],
    // -19 / 8 = -2.375: -3, remainder 5 > 4 -> -2
    [-19, 3, -2],
    [123, 0, 123],
    // -2^31 / 2^31 = -1 exactly
    [INT32_MIN, 31, -1],
    // (2^31 - 1) / 2^31 ~ 1: 0 + (0x7fffffff > 0x3fffffff)
    [INT32_MAX, 31, 1],
    // 2^30 / 2^31 = 0.5 -> 1; -0.5 -> -1 (remainder 2^30, threshold 2^30: not greater, -1 + 0)
    [P30, 31, 1],
    [-P30, 31, -1],
  ])('RDBPOT(%i, %i) = %i', (x, e, r) => expect(rdbpot(x, e)).toBe(r));
});

describe('MultiplyByQuantizedMultiplier', () => {
  it('double and single rounding differ at the reference tie: x = -40, M = 2^30, shift = -3', () => {
    // double: SRDHM(-40, 2^30) = trunc((-40 * 2^30 + 1 - 2^30) / 2^31) = trunc(-20.49..) = -20;
    //         RDBPOT(-20, 3) = -2.5 -> -3 (away from zero)
    expect(mbqm(-40, P30, -3)).toBe(-3);
    // single: total shift 34; (-40 * 2^30 + 2^33) >> 34 = (-5 * 2^33 + 2^33) / 2^34 = -2
    expect(mbqm1(-40, P30, -3)).toBe(-2);
  });
  it('double rounding can round twice: 9 * 0.25 = 2.25 gives 3', () => {
    // SRDHM(9, 2^30) = 4.5 -> 5, RDBPOT(5, 1) = 2.5 -> 3; single: (9 * 2^30 + 2^31) >> 32 = 2.75 -> 2
    expect(mbqm(9, P30, -1)).toBe(3);
    expect(mbqm1(9, P30, -1)).toBe(2);
  });
  it('a positive shift multiplies first: 3 * 0.5 * 2^2 = 6', () => {
    expect(mbqm(3, P30, 2)).toBe(6);
    expect(mbqm1(3, P30, 2)).toBe(6);
  });
  it('overflow wraps as int32 (C leaves it undefined; the target wraps)', () => {
    // double: 2^29 << 3 = 2^32 wraps to 0 before the multiply; single: 2^29 * 2^30 * 2^3 / 2^31 = 2^31 wraps to -2^31
    expect(mbqm(2 ** 29, P30, 3)).toBe(0);
    expect(mbqm1(2 ** 29, P30, 3)).toBe(INT32_MIN);
  });
});

describe('QuantizeMultiplier', () => {
  it.each([
    // frexp(0.5) = (0.5, 0): M = 2^30
    [0.5, 'double', P30, 0],
    // frexp(1) = (0.5, 1)
    [1, 'double', P30, 1],
    // 0.75 * 2^31 = 1610612736
    [0.75, 'double', 1610612736, 0],
    // frexp(1/3) = (2/3, -1): round(2^32 / 3) = round(1431655765.33) = 1431655765
    [1 / 3, 'double', 1431655765, -1],
    // 0.5 + 2^-32: q * 2^31 = 2^30 + 0.5, a tie, rounded away from zero
    [0.5 + 2 ** -32, 'double', P30 + 1, 0],
    // 1 - 2^-33: q * 2^31 = 2^31 - 0.25 rounds to 2^31: halved, shift + 1
    [1 - 2 ** -33, 'double', P30, 1],
    // 2^-33 = 0.5 * 2^-32: shift -32 < -31: flushed to zero
    [2 ** -33, 'double', 0, 0],
    // 2^-32 (1 - 2^-34) = (1 - 2^-34) * 2^-32: M rounds to 2^31 first, so shift -32 becomes -31 and is kept
    [2 ** -32 * (1 - 2 ** -34), 'double', P30, -31],
    [0, 'double', 0, 0],
    // 2^31 = 0.5 * 2^32: shift 32; single rounding saturates to (2^31 - 1, 30)
    [2 ** 31, 'double', P30, 32],
    [2 ** 31, 'single', INT32_MAX, 30],
  ] as const)('QuantizeMultiplier(%d, %s) = (%i, %i)', (real, rounding, m, shift) => {
    expect(quantizeMultiplier(real, rounding)).toEqual({ multiplier: m, shift });
  });
  it('frexp is exact, subnormals and the largest double included', () => {
    expect(frexp(1)).toEqual([0.5, 1]);
    expect(frexp(-0.75)).toEqual([-0.75, 0]);
    expect(frexp(5e-324)).toEqual([0.5, -1073]); // 2^-1074
    expect(frexp(Number.MAX_VALUE)).toEqual([1 - 2 ** -53, 1024]);
  });
  it('uses the scales as float32, as the .tflite file stores them', () => {
    // float32(0.1) = 13421773 * 2^-27; 0.1f * 1 / 1 = 0.1f; frexp: q = 13421773 * 2^-24, shift -3;
    // M = 13421773 * 2^7 = 1717986944 (the double 0.1 would give round(0.8 * 2^31) = 1717986918)
    const a = channelMultipliers(0.1, [1, 0.5], 1, 2);
    expect([a.multipliers[0], a.shifts[0]]).toEqual([1717986944, -3]);
    expect([a.multipliers[1], a.shifts[1]]).toEqual([1717986944, -4]);
    // the output scale too: 1 / 0.1f = 2^27 / 13421773 = 9.99999985 = 0.6249999906 * 2^4;
    // 0.6249999906867743 * 2^31 = 1342177260.0000 (2^58 / 13421773 = 21474836160.0..., / 16) -> 1342177260
    const b = channelMultipliers(1, [1], 0.1, 1);
    expect([b.multipliers[0], b.shifts[0]]).toEqual([1342177260, 4]);
  });
  it('a negative multiplier rounds its tie away from zero', () => {
    // -(0.5 + 2^-32): q * 2^31 = -(2^30 + 0.5) -> -(2^30 + 1)
    expect(quantizeMultiplier(-(0.5 + 2 ** -32))).toEqual({ multiplier: -(P30 + 1), shift: 0 });
  });
});

describe('activation range', () => {
  it.each([
    ['none', 0.25, 3, -128, 127],
    // q(0) = zp = 3
    ['relu', 0.25, 3, 3, 127],
    // q(6) = 3 + 6 / 0.25 = 27
    ['relu6', 0.25, 3, 3, 27],
    ['relu', 0.1, -128, -128, 127],
    // 6 / 0.05f = 119.9999982 (float32 120) -> 120; -10 + 120 = 110
    ['relu6', 0.05, -10, -10, 110],
    // 0.8f = 0.800000011920929; 6 / 0.8f = 7.49999988824 whose nearest float32 is 7.5 (spacing 2^-21 there);
    // round half away -> 8 (a double division would give 7.4999999 -> 7)
    ['relu6', 0.8, 0, 0, 8],
    // q(6) = 100 + 60 > 127: clamped
    ['relu6', 0.1, 100, 100, 127],
  ] as const)('%s, scale %d, zero point %i: [%i, %i]', (act, scale, zp, lo, hi) => {
    expect(activationRange(act, scale, zp)).toEqual({ min: lo, max: hi });
  });
  it('relu6 at 6 / scale = 2^31 exactly is an overflow (TFLM lets it through to an undefined int32 cast)', () => {
    // 6 * 2^-31 = 3 * 2^-30 is a float32; 6 / it = 2^31
    expect(() => activationRange('relu6', 6 * 2 ** -31, 0)).toThrow(RangeError);
    // twice that: 2^30 fits; min(127, 2^30) = 127
    expect(activationRange('relu6', 6 * 2 ** -30, 0)).toEqual({ min: 0, max: 127 });
  });
  it('relu6 of a scale below 6 / 2^31 overflows as in TFLM', () => {
    expect(() => activationRange('relu6', 1e-9, 0)).toThrow(RangeError);
    expect(layerErrors({ ...convSpec(), outputScale: 1e-9, activation: 'relu6' })).toEqual([
      'activation: relu6 with outputScale 1e-9: 6 / scale does not fit an int32',
    ]);
  });
});

describe('padding', () => {
  it('SAME (TFLite): out = ceil(in / s), the odd pixel after', () => {
    // in 4, k 3, s 2: out 2; total = (2 - 1) * 2 + 3 - 4 = 1: 0 before, 1 after
    expect(padAxis('same', 4, 3, 2)).toEqual({ out: 2, before: 0, after: 1 });
    // in 5, k 3, s 2: out 3; total = 4 + 3 - 5 = 2
    expect(padAxis('same', 5, 3, 2)).toEqual({ out: 3, before: 1, after: 1 });
    // dilation 2: k_eff 5; in 7, s 1: total = 6 + 5 - 7 = 4
    expect(padAxis('same', 7, 3, 1, 2)).toEqual({ out: 7, before: 2, after: 2 });
    // in 1, k 2, d 5: k_eff 6, total 5: 2 before, 3 after
    expect(padAxis('same', 1, 2, 1, 5)).toEqual({ out: 1, before: 2, after: 3 });
  });
  it('symmetric pads k_eff // 2 both sides; VALID none; explicit as given', () => {
    // in 4, k 3, s 2: pad 1; out = (4 + 2 - 3) // 2 + 1 = 2
    expect(padAxis('symmetric', 4, 3, 2)).toEqual({ out: 2, before: 1, after: 1 });
    // VALID: (4 - 3) // 2 + 1 = 1
    expect(padAxis('valid', 4, 3, 2)).toEqual({ out: 1, before: 0, after: 0 });
    // explicit 2 / 0, k 3, s 1: (4 + 2 - 3) + 1 = 4
    expect(computePadding({ top: 2, bottom: 0, left: 0, right: 1 }, 4, 4, 3, 3)).toEqual({ outH: 4, outW: 3, top: 2, bottom: 0, left: 0, right: 1 });
  });
});

/** A conv spec with unit scales: effective multiplier 1 = (2^30, shift 1), so outputs are the raw sums. */
function convSpec(extra: Partial<LayerSpec> = {}): LayerSpec {
  return {
    kind: 'conv2d', input: { h: 4, w: 4, c: 1 }, kernel: 3, stride: 2, padding: 'same', outChannels: 1,
    inputZeroPoint: 0, inputScale: 1, outputZeroPoint: 0, outputScale: 1, weightScales: [1], ...extra,
  };
}

describe('conv2d', () => {
  // input q = 1..16 row-major, zero point 1, so q - zp is
  //   0  1  2  3
  //   4  5  6  7
  //   8  9 10 11
  //  12 13 14 15
  // weights all 1; output scale 2 (multiplier 0.5: M = 2^30, shift 0, SRDHM rounds halves up)
  const input = Int8Array.from({ length: 16 }, (_, i) => i + 1);
  const ones = new Int8Array(9).fill(1);
  const spec = convSpec({ inputZeroPoint: 1, outputScale: 2 });
  it('3x3, stride 2, SAME on 4x4: pads 0 before, 1 after', () => {
    // (0,0): rows 0-2, cols 0-2: 0+1+2+4+5+6+8+9+10 = 45 -> 22.5 -> 23
    // (0,1): rows 0-2, cols 2-3 (col 4 is padding): 2+3+6+7+10+11 = 39 -> 19.5 -> 20
    // (1,0): rows 2-3, cols 0-2: 8+9+10+12+13+14 = 66 -> 33
    // (1,1): rows 2-3, cols 2-3: 10+11+14+15 = 50 -> 25
    expect(Array.from(conv2d(spec, input, ones))).toEqual([23, 20, 33, 25]);
  });
  it('the same layer with symmetric padding pads 1 before: other windows', () => {
    // (0,0): rows 0-1, cols 0-1: 0+1+4+5 = 10 -> 5
    // (0,1): rows 0-1, cols 1-3: 1+2+3+5+6+7 = 24 -> 12
    // (1,0): rows 1-3, cols 0-1: 4+5+8+9+12+13 = 51 -> 25.5 -> 26
    // (1,1): rows 1-3, cols 1-3: 5+6+7+9+10+11+13+14+15 = 90 -> 45
    expect(Array.from(conv2d({ ...spec, padding: 'symmetric' }, input, ones))).toEqual([5, 12, 26, 45]);
  });
  it('dilation 2 on 4x4 VALID: one output from the corners and centres', () => {
    // k_eff 5 > 4: VALID cannot run; SAME: out 2 (stride 2), total = 2 + 5 - 4 = 3, 1 before
    // (0,0): taps rows/cols -1, 1, 3 -> rows 1, 3 x cols 1, 3: 5+7+13+15 = 40 -> 20
    // (0,1): cols 1, 3, 5 -> 1, 3 (5 outside): same 40 -> 20; (1,0) rows 1, 3, 5 -> same; (1,1) same
    expect(Array.from(conv2d({ ...spec, dilation: 2 }, input, ones))).toEqual([20, 20, 20, 20]);
    expect(layerErrors({ ...spec, dilation: 2, padding: 'valid' })).toEqual([
      'kernel: kernel 3x3 with dilation 2 is larger than the padded input 4x4 (it spans 5x5)',
    ]);
  });
  it('OHWI indexing, bias, per-channel scales, output zero point', () => {
    // 1x2 input of 2 channels: pixel 0 = [1, 2], pixel 1 = [3, -4]; weights oc0 = [1, 1], oc1 = [2, -1];
    // bias [10, -5]; output zero point 1; multipliers: oc0 1 (2^30, shift 1), oc1 0.5 (2^30, shift 0)
    // p0: oc0 = 1 + 2 + 10 = 13 -> 14; oc1 = 2 - 2 - 5 = -5, * 0.5 = -2.5: SRDHM rounds half up -> -2, + 1 = -1
    // p1: oc0 = 3 - 4 + 10 = 9 -> 10; oc1 = 6 + 4 - 5 = 5 -> 2.5 -> 3, + 1 = 4
    const s: LayerSpec = {
      kind: 'pointwise', input: { h: 1, w: 2, c: 2 }, outChannels: 2, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 1, outputScale: 1, weightScales: [1, 0.5], bias: [10, -5],
    };
    const x = Int8Array.of(1, 2, 3, -4), w = Int8Array.of(1, 1, 2, -1);
    expect(Array.from(pointwiseConv2d(s, x, w))).toEqual([14, -1, 10, 4]);
    expect(Array.from(conv2d({ ...s, kind: 'conv2d', kernel: 1 }, x, w))).toEqual([14, -1, 10, 4]);
    // relu6 with scale 1, zero point 1: [1, 7]
    expect(Array.from(conv2d({ ...s, activation: 'relu6' }, x, w))).toEqual([7, 1, 7, 4]);
  });
});

describe('depthwise conv2d', () => {
  it('depth multiplier 2: output channel ic * 2 + m, weights 1HWC', () => {
    // input 2x2x1 = [[1, 2], [3, 4]]; kernel 2x2 VALID: one output pixel, 2 channels
    // w[(ky * 2 + kx) * 2 + oc]: oc0 = [1, 0, 0, 1] -> 1 + 4 = 5; oc1 = [0, 1, -1, 0] -> 2 - 3 = -1
    const s: LayerSpec = {
      kind: 'depthwise', input: { h: 2, w: 2, c: 1 }, kernel: 2, depthMultiplier: 2, inputZeroPoint: 0,
      inputScale: 1, outputZeroPoint: 0, outputScale: 1, weightScales: [1],
    };
    expect(Array.from(depthwiseConv2d(s, Int8Array.of(1, 2, 3, 4), Int8Array.of(1, 0, 0, 1, 0, -1, 1, 0)))).toEqual([5, -1]);
  });
  it('multiplier 1 keeps channels apart', () => {
    // 1x1x2 input [5, -3], 1x1 kernel [2, 3]: [10, -9]
    const s: LayerSpec = {
      kind: 'depthwise', input: { h: 1, w: 1, c: 2 }, kernel: 1, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [1],
    };
    expect(Array.from(depthwiseConv2d(s, Int8Array.of(5, -3), Int8Array.of(2, 3)))).toEqual([10, -9]);
  });
});

describe('fully connected', () => {
  it('input offset, bias, double vs single rounding', () => {
    // input [1, 2, 3], zero point -1: + 1 -> [2, 3, 4]; weights [[1, 1, 1], [1, -1, 0]] -> [9, -1];
    // bias [0, 100] -> [9, 99]; multiplier 0.25 (2^30, shift -1):
    // double: 9: SRDHM 4.5 -> 5, RDBPOT(5, 1) = 2.5 -> 3;  99: 49.5 -> 50, 25
    // single: 9 / 4 = 2.25 -> 2; 99 / 4 = 24.75 -> 25
    const s: LayerSpec = {
      kind: 'fully_connected', input: { h: 1, w: 1, c: 3 }, outChannels: 2, inputZeroPoint: -1, inputScale: 1,
      outputZeroPoint: 0, outputScale: 4, weightScales: [1], bias: [0, 100],
    };
    const x = Int8Array.of(1, 2, 3), w = Int8Array.of(1, 1, 1, 1, -1, 0);
    expect(Array.from(fullyConnected(s, x, w))).toEqual([3, 25]);
    expect(Array.from(fullyConnected({ ...s, rounding: 'single' }, x, w))).toEqual([2, 25]);
  });
});

describe('add', () => {
  const s: LayerSpec = {
    kind: 'add', input: { h: 1, w: 1, c: 2 }, inputZeroPoint: 0, inputScale: 1, input2ZeroPoint: 0, input2Scale: 1,
    outputZeroPoint: 0, outputScale: 1,
  };
  it('derives TFLM parameters: left shift 20, input multipliers 1/2, output 2 / (2^20 * s_out)', () => {
    // twice_max = 2; real1 = real2 = 0.5 -> (2^30, 0); real_out = 2 / 2^20 = 2^-19 = 0.5 * 2^-18 -> (2^30, -18)
    expect(addParams({ scale: 1, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 }, { scale: 1, zeroPoint: 0 })).toMatchObject({
      leftShift: 20, input1Multiplier: P30, input1Shift: 0, input2Multiplier: P30, input2Shift: 0, outputMultiplier: P30, outputShift: -18,
    });
  });
  it('scales by the larger input scale, not the output\'s', () => {
    // output scale 4: twice_max is still 2; real_out = 2 / (2^20 * 4) = 2^-21 = 0.5 * 2^-20 -> (2^30, -20)
    // input 2 at scale 0.25: 0.25 / 2 = 0.125 -> (2^30, -2)
    expect(addParams({ scale: 1, zeroPoint: 0 }, { scale: 0.25, zeroPoint: 0 }, { scale: 4, zeroPoint: 0 })).toMatchObject({
      input1Multiplier: P30, input1Shift: 0, input2Multiplier: P30, input2Shift: -2, outputMultiplier: P30, outputShift: -20,
    });
  });
  it('3 + 4 = 7 through the fixed-point path, offsets applied', () => {
    // 3 << 20 = 3145728 -> SRDHM(., 2^30) = 1572864; 4 -> 2097152; sum 3670016; SRDHM -> 1835008; / 2^18 = 7
    expect(Array.from(add(s, Int8Array.of(3, -3), Int8Array.of(4, -4)))).toEqual([7, -7]);
    // input zero point 10: 13 - 10 = 3; output zero point -5: 7 - 5 = 2
    expect(Array.from(add({ ...s, inputZeroPoint: 10, outputZeroPoint: -5 }, Int8Array.of(13, 13), Int8Array.of(4, 4)))).toEqual([2, 2]);
  });
  it('halves round away from zero with double rounding, up with single', () => {
    // output scale 2: real_out = 2^-20 -> (2^30, -19): 3670016 / 2^20 = 3.5 -> 4; -3.5 -> -4 (double)
    // single: (raw * 2^30 + 2^49) >> 50 = 3.5 + 0.5 -> 4; -3.5 + 0.5 = -3
    expect(Array.from(add({ ...s, outputScale: 2 }, Int8Array.of(3, -3), Int8Array.of(4, -4)))).toEqual([4, -4]);
    expect(Array.from(add({ ...s, outputScale: 2, rounding: 'single' }, Int8Array.of(3, -3), Int8Array.of(4, -4)))).toEqual([4, -3]);
  });
  it('an output scale too small for the 2^20 headroom is rejected, naming the parameter', () => {
    // real_out = 2 / (2^20 * 2^-20) = 2 >= 1
    const errs = layerErrors({ ...s, outputScale: 2 ** -20 });
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^outputScale: 2 \* max\(input scales\) \/ \(2\^20 \* output scale\) = 2 must quantise to a multiplier below 1/);
  });
});

describe('pooling', () => {
  // 3x3 input, 2x2 pool, stride 2, SAME: out 2, total = 2 + 2 - 3 = 1: 0 before, 1 after
  //    1  2  3
  //    5  6 -3
  //   -1 -2  7
  const x = Int8Array.of(1, 2, 3, 5, 6, -3, -1, -2, 7);
  const s: LayerSpec = {
    kind: 'avgpool', input: { h: 3, w: 3, c: 1 }, kernel: 2, stride: 2, padding: 'same', inputZeroPoint: 0,
    inputScale: 1, outputZeroPoint: 0, outputScale: 1,
  };
  it('average: only pixels inside the image count; TFLM integer rounding', () => {
    // (0,0): 14 / 4: (14 + 2) / 4 = 4; (0,1): (3 - 3) = 0: (0 - 1) / 2 = 0; (1,0): -3 / 2: (-3 - 1) / 2 = -2;
    // (1,1): 7 / 1 = 7
    expect(Array.from(avgPool(s, x))).toEqual([4, 0, -2, 7]);
    // relu at zero point 0 clamps the -2
    expect(Array.from(avgPool({ ...s, activation: 'relu' }, x))).toEqual([4, 0, 0, 7]);
  });
  it('max', () => {
    expect(Array.from(maxPool({ ...s, kind: 'maxpool' }, x))).toEqual([6, 3, -1, 7]);
    expect(Array.from(runLayer({ ...s, kind: 'maxpool', activation: 'relu' }, { input: x }))).toEqual([6, 3, 0, 7]);
  });
  it('an average window with no input pixel is rejected (TFLM returns an error)', () => {
    // explicit top pad 2 with a 2-high kernel: the first window covers rows -2, -1
    expect(layerErrors({ ...s, padding: { top: 2, bottom: 0, left: 0, right: 0 } })).toEqual([
      'padding.top: the first avgpool window covers no input pixel (pad 2 >= kernel height 2)',
    ]);
    // max pool runs it (TFLM gives -128, clamped)
    // out: h = (3 + 2 - 2) // 2 + 1 = 2, w = (3 - 2) // 2 + 1 = 1; (0,0) covers rows -2, -1; (1,0) rows 0-1, cols 0-1
    expect(Array.from(maxPool({ ...s, kind: 'maxpool', padding: { top: 2, bottom: 0, left: 0, right: 0 } }, x))).toEqual([-128, 6]);
  });
  it('the output scale may differ from the input\'s by 1e-6 at most (TFLM\'s tolerance)', () => {
    // 1 + 2^-20 = 1.00000095 is a float32: within 1e-6; 1 + 2^-19 = 1.0000019 is not
    expect(layerErrors({ ...s, outputScale: 1 + 2 ** -20 })).toEqual([]);
    expect(layerErrors({ ...s, outputScale: 1 + 2 ** -19 })).toEqual([
      'outputScale: must equal inputScale (1) within 1e-6 for avgpool layers, got 1.0000019073486328',
    ]);
  });
  it('the output quantisation must equal the input\'s', () => {
    expect(layerErrors({ ...s, outputZeroPoint: 3, outputScale: 2 })).toEqual([
      'outputZeroPoint: must equal inputZeroPoint (0) for avgpool layers, got 3',
      'outputScale: must equal inputScale (1) within 1e-6 for avgpool layers, got 2',
    ]);
  });
});

describe('validateLayer', () => {
  it('names the parameter of every problem', () => {
    expect(layerErrors(convSpec({ stride: 0 }))).toEqual(['stride: expected a positive integer, got 0']);
    expect(layerErrors(convSpec({ input: { h: 7, w: 7, c: 1 }, kernel: 5, dilation: 3, padding: 'valid' }))).toEqual([
      'kernel: kernel 5x5 with dilation 3 is larger than the padded input 7x7 (it spans 13x13)',
    ]);
    expect(layerErrors(convSpec({ input: { h: 3, w: 3, c: 1 }, kernel: 5, padding: 'valid' }))).toEqual([
      'kernel: kernel 5x5 is larger than the padded input 3x3',
    ]);
    expect(layerErrors(convSpec({ stride: { h: 1, w: -2 }, inputZeroPoint: 128, weightScales: [1, 1] }))).toEqual([
      'inputZeroPoint: expected an integer in [-128, 127], got 128',
      'stride.w: expected a positive integer, got -2',
      'weightScales: expected 1 value (one output channel), got 2',
    ]);
    expect(layerErrors(convSpec({ outChannels: 4, weightScales: [1, 1] }))).toEqual([
      'weightScales: expected 1 value or 4 (one per output channel), got 2',
    ]);
    expect(layerErrors(convSpec({ bias: [1.5], padding: { top: -1, bottom: 0, left: 0, right: 0 } }))).toEqual([
      'padding.top: expected an integer in [0, 65536], got -1',
      'bias[0]: expected an int32, got 1.5',
    ]);
    expect(layerErrors(convSpec({ weightScales: [1e-50] }))).toEqual(['weightScales[0]: 1e-50 is 0 as a float32 (scales are float32)']);
    expect(layerErrors(convSpec({ weightScales: [2 ** 40] }))).toEqual([
      'weightScales[0]: inputScale * weightScale / outputScale = 1099511627776 needs a left shift of 41, more than 30',
    ]);
    // single rounding saturates that multiplier instead (TFLM under TFLITE_SINGLE_ROUNDING)
    expect(layerErrors(convSpec({ weightScales: [2 ** 40], rounding: 'single' }))).toEqual([]);
    expect(layerErrors({ ...convSpec(), kind: 'depthwise', outChannels: 3, depthMultiplier: 2 })).toEqual([
      'outChannels: expected input.c * depthMultiplier = 1 * 2 = 2, got 3',
    ]);
    expect(layerErrors({ ...convSpec(), depthMultiplier: 2, strde: 2 })).toEqual([
      'depthMultiplier: not a parameter of conv2d layers',
      'strde: not a layer parameter',
    ]);
    expect(layerErrors({ ...convSpec(), kind: 'pointwise' })).toEqual(['kernel: pointwise layers have a 1x1 kernel, got 3x3']);
    expect(layerErrors({ kind: 'conv2d' })).toEqual([
      'input: required for conv2d layers', 'inputZeroPoint: required for conv2d layers', 'inputScale: required for conv2d layers',
      'outputZeroPoint: required for conv2d layers', 'outputScale: required for conv2d layers', 'kernel: required for conv2d layers',
      'outChannels: required for conv2d layers', 'weightScales: required for conv2d layers',
    ]);
    expect(layerErrors(null)).toEqual(['spec: expected an object, got null']);
    expect(layerErrors(convSpec({ input: { h: 100000, w: 2, c: 1 } }))).toEqual(['input.h: expected at most 65536, got 100000']);
  });
  it('the ops throw LayerSpecError with the same issues', () => {
    const bad = convSpec({ stride: 0 });
    expect(() => conv2d(bad, new Int8Array(16), new Int8Array(9))).toThrow(LayerSpecError);
    try {
      planLayer(bad);
    } catch (e) {
      expect((e as LayerSpecError).issues).toEqual(validateLayer(bad));
    }
    expect(() => conv2d(convSpec(), new Int8Array(15), new Int8Array(9))).toThrow('input: expected 16 values (1x4x4x1), got 15');
    expect(() => depthwiseConv2d(convSpec(), new Int8Array(16), new Int8Array(9))).toThrow(LayerSpecError);
  });
});

describe('plan', () => {
  it('gives shapes, pads and MACs (every tap counted)', () => {
    const p = planLayer(convSpec({ input: { h: 4, w: 4, c: 3 }, outChannels: 8 }));
    expect(p.outputShape).toEqual([1, 2, 2, 8]);
    expect(p.weightShape).toEqual([8, 3, 3, 3]);
    expect(p.pad).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    expect(p.macs).toBe(2 * 2 * 8 * 3 * 3 * 3);
    expect([p.actMin, p.actMax]).toEqual([-128, 127]);
  });
});

describe('tensors and random data', () => {
  it('the PRNG is a function of the seed', () => {
    const a = new Rng(7), b = new Rng(7), c = new Rng(8);
    const sa = Array.from({ length: 8 }, () => a.u32()), sb = Array.from({ length: 8 }, () => b.u32());
    expect(sa).toEqual(sb);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(sa);
    const r = new Rng(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(-3, 4);
      expect(v >= -3 && v <= 4 && Number.isInteger(v)).toBe(true);
    }
  });
  it('random layers are deterministic, shaped by the plan, weights in [-127, 127]', () => {
    const spec = withRealisticQuant({ kind: 'conv2d', input: { h: 5, w: 6, c: 3 }, kernel: 3, padding: 'same', outChannels: 4, activation: 'relu6' }, 3);
    expect(validateLayer(spec)).toEqual([]);
    expect(spec.outputScale).toBe(Math.fround(6 / 255));
    expect(spec.outputZeroPoint).toBe(-128);
    const d1 = randomLayerData(spec, 9), d2 = randomLayerData(spec, 9);
    expect(d1.input.data).toEqual(d2.input.data);
    expect(d1.weights!.shape).toEqual([4, 3, 3, 3]);
    expect(Math.min(...d1.weights!.data)).toBeGreaterThanOrEqual(-127);
    expect(d1.input.data.length).toBe(90);
  });
  it('random weights stay in TFLite\'s [-127, 127], activations use all of int8', () => {
    const w = randomTensor(5, 'OHWI', [8, 3, 3, 64]);
    const a = randomTensor(5, 'NHWC', [1, 24, 24, 8]);
    expect([Math.min(...w.data), Math.max(...w.data)]).toEqual([-127, 127]);
    expect([Math.min(...a.data), Math.max(...a.data)]).toEqual([-128, 127]);
  });
  it('tensor helpers', () => {
    const t = createTensor('OHWI', [2, 1, 1, 2], { data: [1, 2, 3, 4], scales: [0.5, 2] });
    // element 2 is channel 1: (3 - 0) * 2
    expect(dequantize(t, 2)).toBe(6);
    expect(() => createTensor('NHWC', [2, 1, 1, 1])).toThrow('tensor shape: NHWC has a first dimension of 1, got 2');
    expect(compareInt8(Int8Array.of(1, 2, 3), Int8Array.of(1, 5, 0))).toEqual({ equal: false, mismatches: 2, first: 1, maxAbsDiff: 3 });
  });
});

describe('speed', () => {
  it('a 1x1 16->96 pointwise at 56x56 (4.8 M MACs) runs well under a second', () => {
    const spec = withRealisticQuant({ kind: 'pointwise', input: { h: 56, w: 56, c: 16 }, outChannels: 96 }, 1);
    const d = randomLayerData(spec, 1);
    const t0 = performance.now();
    runLayer(spec, { input: d.input, weights: d.weights });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
