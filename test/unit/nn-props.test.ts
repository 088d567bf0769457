/**
 * Properties of the int8 reference (src/nn):
 *  - the quantisation primitives equal the BigInt formulation (test/helpers/nn-bigint.ts) on random and edge int32
 *    values, multipliers and shifts;
 *  - every op equals the BigInt formulation on random small layers: shapes, strides, dilations, paddings, zero
 *    points, extreme multipliers (flushed to zero up to shift 30) and both rounding modes;
 *  - laws: a 1x1 conv is a fully connected layer over the pixels; a depthwise conv with multiplier 1 is a conv whose
 *    filter is zero off the diagonal; the VALID / SAME output sizes; double and single rounding differ by at most 1;
 *  - the validator never throws, names a broken field, and accepts exactly the layers the reference can run.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  INT32_MIN, INT32_MAX, saturatingRoundingDoublingHighMul, roundingDivideByPOT, multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSingleRounding, quantizeMultiplier, activationRange, frexp, mulRoundShift,
} from '../../src/nn/quant.js';
import { padAxis, effectiveKernel } from '../../src/nn/padding.js';
import { validateLayer, planLayer, LayerSpecError, LAYER_KINDS, type LayerSpec, type LayerKind } from '../../src/nn/spec.js';
import { conv2d, depthwiseConv2d, fullyConnected, runLayer } from '../../src/nn/ops.js';
import { Rng, withRealisticQuant, type LayerGeometry } from '../../src/nn/tensor.js';
import * as ref from '../helpers/nn-bigint.js';

const SEED = 20250517;
const opts = (numRuns: number) => ({ numRuns, seed: SEED });

/** int32 values biased toward the edges: extremes, ties (multiples of powers of two, +-1), small numbers */
const int32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.constantFrom(INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX, 2 ** 30, -(2 ** 30)),
  fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: -1, max: 1 }))
    .map(([m, e, d]) => (m * 2 ** e + d) | 0),
  fc.integer({ min: -70000, max: 70000 }),
);
/** multipliers as QuantizeMultiplier makes them: 0 or [2^30, 2^31 - 1], plus any non-negative int32 */
const multiplier = fc.oneof(
  fc.integer({ min: 2 ** 30, max: INT32_MAX }),
  fc.constantFrom(0, 2 ** 30, INT32_MAX, 2 ** 30 + 1),
  fc.integer({ min: 0, max: INT32_MAX }),
);
const shift = fc.integer({ min: -31, max: 30 });

describe('quantisation primitives against BigInt', () => {
  it('SRDHM', () => {
    fc.assert(fc.property(int32, int32, (a, b) => saturatingRoundingDoublingHighMul(a, b) === ref.srdhm(a, b)), opts(20000));
  });
  it('RoundingDivideByPOT', () => {
    fc.assert(fc.property(int32, fc.integer({ min: 0, max: 31 }), (x, e) => roundingDivideByPOT(x, e) === ref.rdbpot(x, e)), opts(20000));
  });
  it('MultiplyByQuantizedMultiplier, double and single rounding', () => {
    fc.assert(fc.property(int32, multiplier, shift, (x, m, s) =>
      multiplyByQuantizedMultiplier(x, m, s) === ref.mbqmDouble(x, m, s) &&
      multiplyByQuantizedMultiplierSingleRounding(x, m, s) === ref.mbqmSingle(x, m, s)), opts(20000));
  });
  it('the 64-bit round-and-shift on every shift 1..62', () => {
    fc.assert(fc.property(int32, int32, fc.integer({ min: 1, max: 62 }), (a, b, t) => {
      const exact = BigInt.asIntN(32, (BigInt(a) * BigInt(b) + (1n << BigInt(t - 1))) >> BigInt(t));
      return mulRoundShift(a, b, t) === Number(exact);
    }), opts(20000));
  });
  it('double and single rounding differ by at most 1 where the left shift does not wrap', () => {
    fc.assert(fc.property(int32, multiplier, fc.integer({ min: -31, max: 0 }), (x, m, s) =>
      Math.abs(multiplyByQuantizedMultiplier(x, m, s) - multiplyByQuantizedMultiplierSingleRounding(x, m, s)) <= 1), opts(20000));
  });
  /** doubles over many binades, powers of two and their neighbours (the 2^31 and shift < -31 rules) */
  const real = fc.oneof(
    fc.double({ min: 0, max: 1e12, noNaN: true }),
    fc.tuple(fc.double({ min: 0.5, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: -80, max: 40 })).map(([q, e]) => q * 2 ** e),
    fc.tuple(fc.integer({ min: -80, max: 40 }), fc.integer({ min: -3, max: 3 })).map(([e, d]) => 2 ** e * (1 + d * 2 ** -52)),
    fc.tuple(fc.integer({ min: -80, max: 40 }), fc.integer({ min: 30, max: 40 })).map(([e, k]) => 2 ** e * (1 - 2 ** -k)),
    fc.constantFrom(0, 5e-324, Number.MIN_VALUE * 3, Number.MAX_VALUE),
  );
  const signedReal = fc.tuple(real, fc.boolean()).map(([d, neg]) => (neg ? -d : d));
  it('QuantizeMultiplier and frexp', () => {
    fc.assert(fc.property(signedReal, fc.constantFrom('double', 'single') as fc.Arbitrary<'double' | 'single'>, (d, r) => {
      expect(quantizeMultiplier(d, r)).toEqual(ref.quantizeMultiplierRef(d, r));
      expect(frexp(d)).toEqual(ref.frexpLoop(d));
      const q = quantizeMultiplier(Math.abs(d), r);
      // M is 0 or normalised, the shift in TFLM's range
      return (q.multiplier === 0 && q.shift === 0) || (q.multiplier >= 2 ** 30 && q.multiplier <= INT32_MAX && q.shift >= -31);
    }), opts(20000));
  });
  it('per-channel multipliers from any double scales (rounded to float32 first)', () => {
    const sc = fc.double({ min: 1e-12, max: 1e3, noNaN: true });
    fc.assert(fc.property(sc, fc.array(sc, { minLength: 1, maxLength: 4 }), sc, (si, ws, so) => {
      const spec: LayerSpec = {
        kind: 'fully_connected', input: { h: 1, w: 1, c: 1 }, outChannels: ws.length, inputZeroPoint: 0, inputScale: si,
        outputZeroPoint: 0, outputScale: so, weightScales: ws, rounding: 'single',
      };
      if (validateLayer(spec).length) return true;
      const p = planLayer(spec);
      const r = ref.multipliersRef(spec, ws.length);
      expect([Array.from(p.multipliers), Array.from(p.shifts)]).toEqual([r.m, r.sh]);
      return true;
    }), opts(5000));
  });
  it('activation ranges (float32 arithmetic) and min <= max', () => {
    const scale = fc.oneof(fc.float({ min: Math.fround(1e-8), max: 100, noNaN: true }), fc.constantFrom(0.8, 0.05, 6 / 255, 0.25));
    fc.assert(fc.property(fc.constantFrom('none', 'relu', 'relu6') as fc.Arbitrary<'none' | 'relu' | 'relu6'>, scale, fc.integer({ min: -128, max: 127 }), (a, s, zp) => {
      const r = activationRange(a, s, zp);
      expect([r.min, r.max]).toEqual(ref.activationRangeRef(a, s, zp));
      return r.min <= r.max;
    }), opts(5000));
  });
});

/** a float32 scale m * 2^e, m in [0.5, 1) with 24 bits */
const scaleIn = (eMin: number, eMax: number) =>
  fc.tuple(fc.integer({ min: 2 ** 23, max: 2 ** 24 - 1 }), fc.integer({ min: eMin, max: eMax })).map(([m, e]) => Math.fround(m * 2 ** (e - 24)));

interface Raw {
  kind: LayerKind;
  h: number; w: number; c: number; outC: number; dm: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  padding: LayerSpec['padding'];
  izp: number; ozp: number; i2zp: number;
  is: number; os: number; i2s: number;
  ws: number[];
  bias: number[] | null;
  activation: 'none' | 'relu' | 'relu6';
  rounding: 'double' | 'single';
  seed: number;
}

/** Small layers of every kind with wide quantisation (weight scales 2^-45 .. 2^6: shifts from flushed to ~20). */
function rawLayer(weightScaleMax = 6, outScaleMin = -12): fc.Arbitrary<Raw> {
  return fc.record({
    kind: fc.constantFrom(...LAYER_KINDS),
    h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 7 }), c: fc.integer({ min: 1, max: 5 }),
    outC: fc.integer({ min: 1, max: 5 }), dm: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    dh: fc.integer({ min: 1, max: 3 }), dw: fc.integer({ min: 1, max: 3 }),
    padding: fc.oneof(
      fc.constantFrom('same', 'valid', 'symmetric') as fc.Arbitrary<'same' | 'valid' | 'symmetric'>,
      fc.record({ top: fc.nat(3), bottom: fc.nat(3), left: fc.nat(3), right: fc.nat(3) }),
    ),
    izp: fc.integer({ min: -128, max: 127 }), ozp: fc.integer({ min: -128, max: 127 }), i2zp: fc.integer({ min: -128, max: 127 }),
    is: scaleIn(-10, 1), os: scaleIn(outScaleMin, 1), i2s: scaleIn(-10, 1),
    ws: fc.array(scaleIn(-45, weightScaleMax), { minLength: 5, maxLength: 5 }),
    bias: fc.option(fc.array(fc.oneof(fc.integer({ min: -50000, max: 50000 }), fc.constantFrom(INT32_MIN, INT32_MAX, INT32_MAX - 1000)), { minLength: 15, maxLength: 15 }), { nil: null }),
    activation: fc.constantFrom('none', 'relu', 'relu6') as fc.Arbitrary<'none' | 'relu' | 'relu6'>,
    rounding: fc.constantFrom('double', 'double', 'single') as fc.Arbitrary<'double' | 'single'>,
    seed: fc.integer(),
  });
}

/** A spec of the raw layer's kind. Pools keep the output quantisation equal to the input's unless `loose`. */
function specOf(r: Raw, loose = false): LayerSpec {
  const common = {
    input: { h: r.h, w: r.w, c: r.c }, inputZeroPoint: r.izp, inputScale: r.is, outputZeroPoint: r.ozp,
    outputScale: r.os, activation: r.activation,
  };
  const win = { kernel: { h: r.kh, w: r.kw }, stride: { h: r.sh, w: r.sw }, dilation: { h: r.dh, w: r.dw }, padding: r.padding };
  const perChannel = (n: number) => (r.ws.length && n <= r.ws.length ? r.ws.slice(0, n) : [r.ws[0]!]);
  const bias = (n: number) => (r.bias ? { bias: r.bias.slice(0, n) } : {});
  switch (r.kind) {
    case 'conv2d':
      return { kind: 'conv2d', ...common, ...win, outChannels: r.outC, weightScales: perChannel(r.outC), ...bias(r.outC), rounding: r.rounding };
    case 'pointwise':
      return { kind: 'pointwise', ...common, stride: win.stride, padding: r.padding, outChannels: r.outC, weightScales: perChannel(r.outC), ...bias(r.outC), rounding: r.rounding };
    case 'depthwise': {
      const oc = r.c * r.dm;
      return { kind: 'depthwise', ...common, ...win, depthMultiplier: r.dm, weightScales: oc <= 5 ? perChannel(oc) : [r.ws[0]!], ...bias(oc), rounding: r.rounding };
    }
    case 'fully_connected':
      return { kind: 'fully_connected', ...common, outChannels: r.outC, weightScales: perChannel(r.outC), ...bias(r.outC), rounding: r.rounding };
    case 'add':
      return { kind: 'add', ...common, input2ZeroPoint: r.i2zp, input2Scale: r.i2s, rounding: r.rounding };
    default: {
      const q = loose ? {} : { outputZeroPoint: r.izp, outputScale: r.is };
      const dil = loose ? {} : { dilation: 1 };
      return { kind: r.kind, ...common, ...win, ...dil, ...q };
    }
  }
}

/** Random data for a spec; weights include -128 now and then (outside TFLite's range, still computed alike). */
function dataFor(spec: LayerSpec, seed: number): { input: Int8Array; other: Int8Array | null } {
  const p = planLayer(spec);
  const rng = new Rng(seed);
  const n = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const input = rng.int8Array(n(p.inputShape));
  const other = p.weightShape ? rng.int8Array(n(p.weightShape), rng.bool(0.2) ? -128 : -127) : p.kind === 'add' ? rng.int8Array(n(p.inputShape)) : null;
  return { input, other };
}

describe('ops against the BigInt formulation', () => {
  for (const kind of LAYER_KINDS) {
    it(`${kind}: random small layers equal the reference`, () => {
      let ran = 0;
      fc.assert(fc.property(rawLayer().map((r) => ({ ...r, kind })), (r) => {
        const spec = specOf(r);
        if (validateLayer(spec).length) return true;
        ran++;
        const { input, other } = dataFor(spec, r.seed);
        const got = runLayer(spec, { input, weights: other, input2: other });
        const want = ref.runRef(spec, input, other);
        expect(Array.from(got)).toEqual(Array.from(want));
        const g = ref.geometryRef(spec);
        expect(got.length).toBe(g.outH * g.outW * g.outC);
        return true;
      }), opts(400));
      expect(ran).toBeGreaterThan(200);
    });
  }
});

describe('ops against the BigInt formulation, realistic quantisation', () => {
  it('every kind, withRealisticQuant', () => {
    let ran = 0, nonSaturated = 0, outputs = 0;
    fc.assert(fc.property(rawLayer(), fc.integer(), (r, qseed) => {
      const g = specOf(r) as LayerGeometry;
      for (const k of ['inputZeroPoint', 'inputScale', 'outputZeroPoint', 'outputScale', 'weightScales', 'bias', 'input2ZeroPoint', 'input2Scale'] as const) delete g[k];
      const spec = withRealisticQuant(g, qseed);
      if (validateLayer(spec).length) return true;
      ran++;
      const { input, other } = dataFor(spec, r.seed);
      const got = runLayer(spec, { input, weights: other, input2: other });
      expect(Array.from(got)).toEqual(Array.from(ref.runRef(spec, input, other)));
      const p = planLayer(spec);
      outputs += got.length;
      for (const v of got) if (v > p.actMin && v < p.actMax) nonSaturated++;
      return true;
    }), opts(1500));
    expect(ran).toBeGreaterThan(700);
    // most outputs land inside the activation range, not on its bounds
    expect(nonSaturated / outputs).toBeGreaterThan(0.5);
  });
});

describe('laws', () => {
  it('a 1x1 conv (stride 1) is a fully connected layer over the pixels', () => {
    fc.assert(fc.property(rawLayer(), (r) => {
      const conv = specOf({ ...r, kind: 'conv2d', kh: 1, kw: 1, sh: 1, sw: 1, padding: 'valid' });
      const fcSpec = specOf({ ...r, kind: 'fully_connected' });
      if (validateLayer(conv).length) return true;
      expect(validateLayer(fcSpec)).toEqual([]);
      const { input, other } = dataFor(conv, r.seed);
      expect(Array.from(conv2d(conv, input, other!))).toEqual(Array.from(fullyConnected(fcSpec, input, other!)));
      return true;
    }), opts(300));
  });
  it('depthwise with multiplier 1 is a conv whose filter is zero off the diagonal', () => {
    fc.assert(fc.property(rawLayer(), (r) => {
      const dw = specOf({ ...r, kind: 'depthwise', dm: 1 });
      if (validateLayer(dw).length) return true;
      const p = planLayer(dw);
      const conv: LayerSpec = { ...dw, kind: 'conv2d', outChannels: p.outC };
      delete conv.depthMultiplier;
      const { input, other } = dataFor(dw, r.seed);
      // conv weight [oc][ky][kx][ic] = ic == oc ? depthwise weight [0][ky][kx][oc] : 0
      const C = p.inC, K = p.kh * p.kw;
      const w = new Int8Array(C * K * C);
      for (let oc = 0; oc < C; oc++) for (let k = 0; k < K; k++) w[(oc * K + k) * C + oc] = other![k * C + oc]!;
      expect(Array.from(conv2d(conv, input, w))).toEqual(Array.from(depthwiseConv2d(dw, input, other!)));
      return true;
    }), opts(300));
  });
  it('VALID: out = (in - k_eff) // s + 1, the last window inside the input and no room for another', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (n, k, s, d) => {
      const keff = effectiveKernel(k, d);
      const a = padAxis('valid', n, k, s, d);
      if (keff > n) return a.out < 1;
      return a.out === Math.floor((n - keff) / s) + 1 && (a.out - 1) * s + keff <= n && a.out * s + keff > n && a.before === 0 && a.after === 0;
    }), opts(5000));
  });
  it('SAME: out = ceil(in / s); the pads cover exactly the last window, the odd one after', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (n, k, s, d) => {
      const a = padAxis('same', n, k, s, d);
      const keff = effectiveKernel(k, d);
      const span = (a.out - 1) * s + keff;
      return a.out === Math.ceil(n / s) && a.after - a.before >= 0 && a.after - a.before <= 1 &&
        (span >= n ? a.before + a.after === span - n : a.before + a.after === 0);
    }), opts(5000));
  });
});

describe('the validator', () => {
  it('never throws, whatever it is given', () => {
    fc.assert(fc.property(fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withSet: true, withNullPrototype: true, withBoxedValues: true, withSparseArray: true }), (v) => {
      expect(Array.isArray(validateLayer(v))).toBe(true);
      return true;
    }), opts(3000));
  });
  it('never throws on a valid spec with one field replaced by anything', () => {
    const keys = ['kind', 'input', 'kernel', 'stride', 'dilation', 'padding', 'outChannels', 'depthMultiplier', 'inputZeroPoint',
      'inputScale', 'input2ZeroPoint', 'input2Scale', 'outputZeroPoint', 'outputScale', 'weightScales', 'bias', 'activation', 'rounding', 'name'];
    fc.assert(fc.property(rawLayer(), fc.constantFrom(...keys), fc.anything({ withBigInt: true, withTypedArray: true }), (r, key, v) => {
      const spec = { ...specOf(r), [key]: v } as Record<string, unknown>;
      const issues = validateLayer(spec);
      if (issues.length === 0) {
        // accepted: the op must run it
        const s = spec as unknown as LayerSpec;
        const { input, other } = dataFor(s, r.seed);
        runLayer(s, { input, weights: other, input2: other });
      }
      return true;
    }), opts(3000));
  });
  it('names the field that was broken', () => {
    const broken: [string, unknown][] = [
      ['input', { h: 0, w: 1, c: 1 }], ['inputZeroPoint', 300], ['inputScale', -1], ['outputZeroPoint', 1.5], ['outputScale', Infinity],
      ['activation', 'tanh'], ['rounding', 'up'], ['kind', 'conv3d'], ['name', 5],
    ];
    fc.assert(fc.property(rawLayer(), fc.constantFrom(...broken), (r, [key, v]) => {
      const spec = specOf(r);
      if (validateLayer(spec).length) return true;
      const issues = validateLayer({ ...spec, [key]: v });
      return issues.length > 0 && issues.some((i) => i.param === key || i.param.startsWith(`${key}.`));
    }), opts(1000));
  });
  it('accepts exactly the layers the reference can run', () => {
    // wide quantisation (weight scales up to 2^30, output scales down to 2^-40: shifts past 30, add outputs too
    // small, relu6 overflows), loose pools (dilation, quantisation that differs), every padding
    let accepted = 0, rejected = 0;
    fc.assert(fc.property(rawLayer(30, -40), fc.boolean(), (r, loose) => {
      const spec = specOf(r, loose);
      const issues = validateLayer(spec);
      const feasible = ref.feasibleRef(spec);
      expect(issues.length === 0).toBe(feasible);
      const { input, other } = issues.length ? { input: new Int8Array(r.h * r.w * r.c), other: null } : dataFor(spec, r.seed);
      if (feasible) {
        accepted++;
        expect(runLayer(spec, { input, weights: other, input2: other }).length).toBe(planLayer(spec).outputShape.reduce((a, b) => a * b, 1));
      } else {
        rejected++;
        expect(() => runLayer(spec, { input, weights: other, input2: other })).toThrow(LayerSpecError);
      }
      return true;
    }), opts(4000));
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });
});
