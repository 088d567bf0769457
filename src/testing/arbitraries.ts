/**
 * The property-based testing API (issue 5, point 4): fast-check arbitraries for int8 layers and their data, for
 * users' own tests of kernels (`import { layerSpec, layerCase } from 'mcusim/testing'`) and for the project's.
 *
 * Every spec an arbitrary produces passes src/nn/spec.ts validateLayer (a property checks it), so a failure found
 * with them is a kernel's, not the spec's. Shrinking goes towards small shapes, stride 1, zero zero points and
 * scales near 1. Data is generated from a seed (src/nn/tensor.ts Rng), so a counterexample's seed reproduces it.
 */
import fc from 'fast-check';
import type { LayerKind, LayerSpec } from '../nn/spec.js';
import { planLayer, validateLayer } from '../nn/spec.js';
import { Rng } from '../nn/tensor.js';
import type { Padding } from '../nn/padding.js';
import type { Activation, Rounding } from '../nn/quant.js';

export interface LayerSpecOptions {
  /** layer kinds to draw from; default conv2d, depthwise, pointwise, fully_connected */
  kinds?: readonly LayerKind[];
  /** largest input height and width (default 9) and channel count (default 8) */
  maxHW?: number;
  maxChannels?: number;
  /** largest kernel side (default 5); 1x1 and 1xN kernels are drawn on their own too */
  maxKernel?: number;
  /** largest stride (default 2) and dilation (default 2) */
  maxStride?: number;
  maxDilation?: number;
  /** padding styles to draw from; default SAME, VALID, symmetric and explicit */
  paddings?: readonly ('same' | 'valid' | 'symmetric' | 'explicit')[];
  /** activations; default none, relu, relu6 */
  activations?: readonly Activation[];
  /** requantisation rounding; default TFLM's double rounding only */
  roundings?: readonly Rounding[];
  /**
   * extreme quantisation: weight scales from 2^-40 to 2^4 (multipliers flushed to zero, shifts up to about 20),
   * every zero point, large biases; default false (realistic scales: shifts about -12..-5)
   */
  extreme?: boolean;
}

/** A power of two times a mantissa in [1, 2), as a float32, for 2^lo .. 2^hi */
const scale = (lo: number, hi: number) => fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: 0, max: 1023 }))
  .map(([e, m]) => Math.fround(2 ** e * (1 + m / 1024)));

const hw = (max: number) => fc.record({ h: fc.integer({ min: 1, max }), w: fc.integer({ min: 1, max }) });

/** A kernel: square, 1x1, or 1xN / Nx1 (the shapes the generators have special paths for). */
const kernelArb = (max: number) => fc.oneof(
  fc.integer({ min: 1, max }).map((k) => ({ h: k, w: k })),
  fc.constant({ h: 1, w: 1 }),
  fc.integer({ min: 2, max }).chain((k) => fc.constantFrom({ h: 1, w: k }, { h: k, w: 1 })),
);

function paddingArb(styles: readonly string[]): fc.Arbitrary<Padding> {
  const arbs: fc.Arbitrary<Padding>[] = [];
  for (const s of styles) {
    if (s === 'explicit') arbs.push(fc.record({ top: fc.nat(2), bottom: fc.nat(2), left: fc.nat(2), right: fc.nat(2) }));
    else arbs.push(fc.constant(s as Padding));
  }
  return fc.oneof(...arbs);
}

/**
 * Layer specs that validate: shapes, kernels (1x1, 1xN, square), strides, dilations, paddings, zero points, per-channel
 * weight scales, bias, activation. Odd channel counts come up as often as even ones.
 */
export function layerSpec(o: LayerSpecOptions = {}): fc.Arbitrary<LayerSpec> {
  const kinds = o.kinds ?? ['conv2d', 'depthwise', 'pointwise', 'fully_connected'];
  const maxHW = o.maxHW ?? 9, maxC = o.maxChannels ?? 8, maxK = o.maxKernel ?? 5;
  const zp = o.extreme ? fc.integer({ min: -128, max: 127 }) : fc.integer({ min: -20, max: 20 });
  const ws = o.extreme ? scale(-40, 4) : scale(-9, -5);
  const raw = fc.record({
    kind: fc.constantFrom(...kinds),
    input: fc.record({ h: fc.integer({ min: 1, max: maxHW }), w: fc.integer({ min: 1, max: maxHW }), c: fc.integer({ min: 1, max: maxC }) }),
    kernel: kernelArb(maxK),
    stride: hw(o.maxStride ?? 2),
    dilation: hw(o.maxDilation ?? 2),
    padding: paddingArb(o.paddings ?? ['same', 'valid', 'symmetric', 'explicit']),
    outChannels: fc.integer({ min: 1, max: maxC }),
    depthMultiplier: fc.integer({ min: 1, max: 2 }),
    inputZeroPoint: zp, outputZeroPoint: zp,
    inputScale: scale(-9, -4), outputScale: o.extreme ? scale(-12, 1) : scale(-7, -3),
    weightScales: fc.array(ws, { minLength: maxC * 2, maxLength: maxC * 2 }),
    bias: fc.array(o.extreme ? fc.integer({ min: -(2 ** 24), max: 2 ** 24 }) : fc.integer({ min: -2000, max: 2000 }), { minLength: maxC * 2, maxLength: maxC * 2 }),
    activation: fc.constantFrom(...(o.activations ?? (['none', 'relu', 'relu6'] as const))),
    rounding: fc.constantFrom(...(o.roundings ?? (['double'] as const))),
  });
  return raw.map((r) => {
    const outC = r.kind === 'depthwise' ? r.input.c * r.depthMultiplier : r.outChannels;
    const spec: LayerSpec = {
      kind: r.kind, input: r.input, inputZeroPoint: r.inputZeroPoint, inputScale: r.inputScale,
      outputZeroPoint: r.outputZeroPoint, outputScale: r.outputScale, activation: r.activation, rounding: r.rounding,
      weightScales: r.weightScales.slice(0, outC), bias: r.bias.slice(0, outC),
    };
    if (r.kind === 'conv2d' || r.kind === 'depthwise') {
      spec.kernel = r.kernel; spec.stride = r.stride; spec.dilation = r.dilation; spec.padding = r.padding;
    }
    if (r.kind === 'pointwise') { spec.stride = r.stride; spec.padding = r.padding; }
    if (r.kind === 'depthwise') spec.depthMultiplier = r.depthMultiplier;
    else spec.outChannels = r.outChannels;
    return spec;
  }).filter((s) => validateLayer(s).length === 0);
}

/** An int8 tensor's data of a given element count (values over the whole range, -128 included). */
export function int8Data(length: number): fc.Arbitrary<Int8Array> {
  return fc.array(fc.integer({ min: -128, max: 127 }), { minLength: length, maxLength: length }).map((a) => Int8Array.from(a));
}

/** A layer with its data: input NHWC, weights (OHWI or 1HWC, symmetric range -127..127), drawn from a seed. */
export interface LayerCase { spec: LayerSpec; input: Int8Array; weights: Int8Array | null; input2: Int8Array | null; seed: number }

export function layerCase(o: LayerSpecOptions = {}): fc.Arbitrary<LayerCase> {
  return fc.tuple(layerSpec(o), fc.integer({ min: 0, max: 0x7fffffff })).map(([spec, seed]) => {
    const p = planLayer(spec);
    const rng = new Rng(seed);
    const n = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const input = rng.int8Array(n(p.inputShape));
    const weights = p.weightShape ? rng.int8Array(n(p.weightShape), -127) : null;
    const input2 = p.kind === 'add' ? rng.int8Array(n(p.inputShape)) : null;
    return { spec, input, weights, input2, seed };
  });
}
