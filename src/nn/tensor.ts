/**
 * int8 tensors (NHWC activations, OHWI / 1HWC weights) with their quantisation; a small seeded PRNG; seeded random
 * tensors and realistic quantisation parameters for layers.
 *
 * Everything random here is a deterministic function of the seed and uses integer and float32/float64 arithmetic
 * only (no Math.random, no transcendental functions, whose last bits may differ between JS engines), so a seed gives
 * the same data in Node and in a browser.
 */
import { planLayer, type Hw, type LayerKind, type LayerSpec } from './spec.js';
import { f32 } from './quant.js';

export type TensorLayout = 'NHWC' | 'OHWI' | '1HWC';
export type Shape4 = [number, number, number, number];

export interface Int8Tensor {
  layout: TensorLayout;
  /** NHWC: [1, h, w, c]; OHWI: [outC, kh, kw, inC]; 1HWC: [1, kh, kw, c] */
  shape: Shape4;
  data: Int8Array;
  zeroPoint: number;
  /** one scale, or one per channel along the quantised axis (OHWI: dim 0, 1HWC: dim 3) */
  scales: number[];
}

/** The per-channel quantisation axis of a layout (TFLite: dim 0 for CONV_2D weights, dim 3 for depthwise). */
export function quantizedAxis(layout: TensorLayout): 0 | 3 | null {
  return layout === 'OHWI' ? 0 : layout === '1HWC' ? 3 : null;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Flat index of [a, b, c, d] in a row-major 4-D shape (TFLite's Offset). */
export function offset4(shape: readonly number[], a: number, b: number, c: number, d: number): number {
  return ((a * shape[1]! + b) * shape[2]! + c) * shape[3]! + d;
}

/** A tensor; data zero-filled unless given; throws a RangeError for inconsistent arguments. */
export function createTensor(
  layout: TensorLayout,
  shape: readonly number[],
  opts: { data?: ArrayLike<number>; zeroPoint?: number; scales?: ArrayLike<number> } = {},
): Int8Tensor {
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RangeError(`tensor shape: expected 4 positive integers, got [${shape.join(', ')}]`);
  }
  if (layout !== 'OHWI' && shape[0] !== 1) throw new RangeError(`tensor shape: ${layout} has a first dimension of 1, got ${shape[0]}`);
  const n = elementCount(shape);
  const data = new Int8Array(n);
  if (opts.data) {
    if (opts.data.length !== n) throw new RangeError(`tensor data: expected ${n} values (${shape.join('x')}), got ${opts.data.length}`);
    data.set(opts.data);
  }
  const zeroPoint = opts.zeroPoint ?? 0;
  if (!Number.isInteger(zeroPoint) || zeroPoint < -128 || zeroPoint > 127) throw new RangeError(`tensor zeroPoint: expected [-128, 127], got ${zeroPoint}`);
  const scales = Array.from(opts.scales ?? [1]);
  const axis = quantizedAxis(layout);
  if (scales.length !== 1 && (axis === null || scales.length !== shape[axis])) {
    throw new RangeError(`tensor scales: expected 1${axis === null ? '' : ` or ${shape[axis]}`}, got ${scales.length}`);
  }
  return { layout, shape: [shape[0]!, shape[1]!, shape[2]!, shape[3]!], data, zeroPoint, scales };
}

/** The real value of element i: (q - zero point) * scale (of its channel). */
export function dequantize(t: Int8Tensor, i: number): number {
  const axis = quantizedAxis(t.layout);
  let s = t.scales[0]!;
  if (t.scales.length > 1 && axis !== null) {
    const [, d1, d2, d3] = t.shape;
    s = t.scales[axis === 0 ? Math.floor(i / (d1 * d2 * d3)) : i % d3]!;
  }
  return (t.data[i]! - t.zeroPoint) * f32(s);
}

/** Compare two int8 arrays: equal, how many elements differ, the first differing index (-1) and the largest |a - b|. */
export function compareInt8(expected: ArrayLike<number>, actual: ArrayLike<number>): { equal: boolean; mismatches: number; first: number; maxAbsDiff: number } {
  let mismatches = Math.abs(expected.length - actual.length);
  let first = expected.length === actual.length ? -1 : Math.min(expected.length, actual.length);
  let maxAbsDiff = 0;
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const d = Math.abs(expected[i]! - actual[i]!);
    if (d) {
      mismatches++;
      if (first < 0 || i < first) first = i;
      if (d > maxAbsDiff) maxAbsDiff = d;
    }
  }
  return { equal: mismatches === 0, mismatches, first, maxAbsDiff };
}

/** murmur3's 32-bit finaliser: a bijective mix of a 32-bit word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A small seeded PRNG: a Weyl sequence (step 0x9e3779b9) through murmur3's finaliser, the state started from the
 * seed's two 32-bit halves. Deterministic for any finite numeric seed.
 */
export class Rng {
  private state: number;
  constructor(seed = 0) {
    const s = Number.isFinite(seed) ? Math.trunc(seed) : 0;
    const lo = s >>> 0, hi = Math.floor(s / 4294967296) >>> 0;
    this.state = fmix32(lo ^ fmix32(hi ^ 0x6a09e667)) >>> 0;
  }
  /** 32 random bits, [0, 2^32) */
  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return fmix32(this.state);
  }
  /** [0, 1), 32 bits of randomness */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** an integer in [min, max] (both included; max - min < 2^32) */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }
  bool(p = 0.5): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }
  /** n values uniform in [min, max] */
  int8Array(n: number, min = -128, max = 127): Int8Array {
    const a = new Int8Array(n);
    for (let i = 0; i < n; i++) a[i] = this.int(min, max);
    return a;
  }
}

const rngOf = (r: Rng | number) => (typeof r === 'number' ? new Rng(r) : r);

/** A random tensor: data uniform in [min, max] (weights: [-127, 127], the TFLite weight range; else [-128, 127]). */
export function randomTensor(
  rng: Rng | number,
  layout: TensorLayout,
  shape: readonly number[],
  opts: { zeroPoint?: number; scales?: ArrayLike<number>; min?: number; max?: number } = {},
): Int8Tensor {
  const r = rngOf(rng);
  const weights = layout !== 'NHWC';
  const data = r.int8Array(elementCount(shape), opts.min ?? (weights ? -127 : -128), opts.max ?? 127);
  return createTensor(layout, shape, { data, zeroPoint: opts.zeroPoint ?? 0, scales: opts.scales ?? [1] });
}

/** (0.5 + 1.5 u) * 2^-k, a float32: a scale spread over [2^-k-1, 2^-k+1) */
function scaleAround(r: Rng, kMin: number, kMax: number): number {
  return f32((0.5 + 1.5 * r.float()) / (1 << r.int(kMin, kMax)));
}

/** ceil(sqrt(n)) by integer search (Math.sqrt would do; this keeps the module free of approximated functions) */
function isqrt(n: number): number {
  let s = 1;
  while (s * s < n) s++;
  return s;
}

/**
 * Realistic activation quantisation: scale in [2^-8, 2^-2) (float32); zero point -128 (after a ReLU) a third of the
 * time, near 0 a third, anywhere the rest.
 */
export function randomActivationQuant(rng: Rng | number): { scale: number; zeroPoint: number } {
  const r = rngOf(rng);
  const scale = scaleAround(r, 3, 7);
  const u = r.int(0, 2);
  const zeroPoint = u === 0 ? -128 : u === 1 ? r.int(-20, 20) : r.int(-128, 127);
  return { scale, zeroPoint };
}

/** Per-channel weight scales around a common magnitude (2^-10 .. 2^-5), each within [0.5, 2) of it. */
export function randomWeightScales(rng: Rng | number, channels: number): number[] {
  const r = rngOf(rng);
  const base = scaleAround(r, 6, 9);
  return Array.from({ length: channels }, () => f32(base * (0.5 + 1.5 * r.float())));
}

/** The quantisation fields of a LayerSpec. */
export type QuantFields = 'inputZeroPoint' | 'inputScale' | 'outputZeroPoint' | 'outputScale' | 'weightScales' | 'bias' | 'input2ZeroPoint' | 'input2Scale';
/** A layer's kind and geometry; quantisation fields, if present, are kept. */
export type LayerGeometry = Omit<LayerSpec, QuantFields> & Partial<Pick<LayerSpec, QuantFields>>;

const side = (v: number | Hw | undefined): Hw => (v === undefined ? { h: 1, w: 1 } : typeof v === 'number' ? { h: v, w: v } : v);

/** Output channels and products per output of a geometry (no validation: garbage in, garbage out). */
function channelsAndDepth(g: LayerGeometry): { outC: number; depth: number; weighted: boolean } {
  const k = side(g.kernel);
  const kind: LayerKind = g.kind;
  if (kind === 'depthwise') return { outC: g.input.c * (g.depthMultiplier ?? 1), depth: k.h * k.w, weighted: true };
  if (kind === 'conv2d' || kind === 'pointwise') return { outC: g.outChannels ?? 1, depth: k.h * k.w * g.input.c, weighted: true };
  if (kind === 'fully_connected') return { outC: g.outChannels ?? 1, depth: g.input.c, weighted: true };
  return { outC: g.input.c, depth: 1, weighted: false };
}

/**
 * Fill in realistic quantisation for a layer geometry (fields already given are kept):
 * - input: randomActivationQuant;
 * - output: relu6 gives scale 6/255 and zero point -128 (the [0, 6] range TFLite quantises it to), relu a random
 *   scale and zero point -128, none a random activation quantisation;
 * - weights: per-channel scales chosen so a typical accumulator lands near +-50 output steps: with uniform int8 data
 *   the sum of `depth` products has a standard deviation near 5400 * sqrt(depth), so
 *   weightScale ~ outputScale * 50 / (inputScale * 5400 * sqrt(depth)), each channel within [0.5, 2) of it;
 * - bias: uniform in +-2000 * sqrt(depth) (a fraction of the accumulator's spread);
 * - add: a second input quantisation and an output scale of max(s1, s2) * [1, 2);
 * - pools: the output quantisation equals the input's (TFLM requires it).
 */
export function withRealisticQuant(geometry: LayerGeometry, rng: Rng | number): LayerSpec {
  const r = rngOf(rng);
  const g = geometry;
  const inq = randomActivationQuant(r);
  const inputScale = g.inputScale ?? inq.scale;
  const inputZeroPoint = g.inputZeroPoint ?? inq.zeroPoint;
  const { outC, depth, weighted } = channelsAndDepth(g);
  const spec: LayerSpec = { ...(g as LayerSpec), inputScale, inputZeroPoint };
  const outq = randomActivationQuant(r);
  const act = g.activation ?? 'none';
  if (weighted) {
    spec.outputScale = g.outputScale ?? (act === 'relu6' ? f32(6 / 255) : outq.scale);
    spec.outputZeroPoint = g.outputZeroPoint ?? (act === 'none' ? outq.zeroPoint : -128);
    if (g.weightScales === undefined) {
      const base = (spec.outputScale * 50) / (inputScale * 5400 * isqrt(depth));
      spec.weightScales = Array.from({ length: outC }, () => f32(base * (0.5 + 1.5 * r.float())));
    }
    if (g.bias === undefined) {
      const b = 2000 * isqrt(depth);
      spec.bias = Array.from({ length: outC }, () => r.int(-b, b));
    }
  } else if (g.kind === 'add') {
    const q2 = randomActivationQuant(r);
    spec.input2Scale = g.input2Scale ?? q2.scale;
    spec.input2ZeroPoint = g.input2ZeroPoint ?? q2.zeroPoint;
    spec.outputScale = g.outputScale ?? f32(Math.max(inputScale, spec.input2Scale) * (1 + r.float()));
    spec.outputZeroPoint = g.outputZeroPoint ?? outq.zeroPoint;
  } else {
    spec.outputScale = g.outputScale ?? inputScale;
    spec.outputZeroPoint = g.outputZeroPoint ?? inputZeroPoint;
  }
  return spec;
}

/** The tensors a layer reads. */
export interface LayerData {
  input: Int8Tensor;
  /** conv, depthwise, pointwise, fully connected */
  weights: Int8Tensor | null;
  /** add */
  input2: Int8Tensor | null;
}

/** Seeded random input(s) and weights shaped for a valid spec (throws LayerSpecError for an invalid one). */
export function randomLayerData(spec: LayerSpec, rng: Rng | number): LayerData {
  const r = rngOf(rng);
  const p = planLayer(spec);
  const input = randomTensor(r, 'NHWC', p.inputShape, { zeroPoint: spec.inputZeroPoint, scales: [spec.inputScale] });
  const weights = p.weightShape && p.weightLayout
    ? randomTensor(r, p.weightLayout, p.weightShape, { scales: spec.weightScales ?? [1] })
    : null;
  const input2 = p.kind === 'add'
    ? randomTensor(r, 'NHWC', p.inputShape, { zeroPoint: spec.input2ZeroPoint ?? 0, scales: [spec.input2Scale ?? 1] })
    : null;
  return { input, weights, input2 };
}
