/**
 * Bit-exact int8 reference ops: TensorFlow Lite Micro's reference kernels (tflite-micro
 * kernels/internal/reference/integer_ops/conv.h ConvPerChannel, depthwise_conv.h DepthwiseConvPerChannel,
 * fully_connected.h FullyConnectedPerChannel, add.h AddFunc, pooling.h AveragePool / MaxPool), which CMSIS-NN
 * reproduces bit for bit. Batch 1, NHWC.
 *
 * Per output: acc = sum over the taps inside the image of w * (x + input_offset) (taps in the padding are skipped:
 * zero in real terms); acc += bias; acc = MultiplyByQuantizedMultiplier(acc, M[c], shift[c]); acc += output_offset;
 * clamp to the activation range. Integer overflow wraps as int32 (C leaves it undefined; the target wraps): the sums
 * are exact in doubles and wrapped once, which equals wrapping every step.
 *
 * Every op takes a LayerSpec (validated: LayerSpecError lists every problem) or a LayerPlan from planLayer, the data
 * as Int8Array (or anything with an Int8Array `data`), and an optional output array to fill.
 */
import { planLayer, LayerSpecError, type LayerKind, type LayerPlan, type LayerSpec } from './spec.js';
import { multiplyByQuantizedMultiplier, mulRoundShift } from './quant.js';

type Data = Int8Array | { data: Int8Array };
const dataOf = (d: Data): Int8Array => (d instanceof Int8Array ? d : d.data);

const isPlan = (s: LayerSpec | LayerPlan): s is LayerPlan => 'multipliers' in s && 'outputShape' in s && 'spec' in s;

function planFor(s: LayerSpec | LayerPlan, op: string, kinds: readonly LayerKind[]): LayerPlan {
  const p = isPlan(s) ? s : planLayer(s);
  if (!kinds.includes(p.kind)) {
    throw new LayerSpecError([{ param: 'kind', message: `${op} runs ${kinds.join(' or ')} layers, got ${p.kind}` }]);
  }
  return p;
}

function checkLength(name: string, d: Int8Array, shape: readonly number[]): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (d.length !== n) throw new RangeError(`${name}: expected ${n} values (${shape.join('x')}), got ${d.length}`);
}

function outputArray(p: LayerPlan, out: Int8Array | undefined): Int8Array {
  const n = p.outH * p.outW * p.outC;
  if (!out) return new Int8Array(n);
  checkLength('output', out, p.outputShape);
  return out;
}

/** acc -> MultiplyByQuantizedMultiplier in the plan's rounding mode */
function requantizer(p: LayerPlan): (acc: number, m: number, s: number) => number {
  return p.rounding === 'single' ? (acc, m, s) => mulRoundShift(acc, m, 31 - s) : multiplyByQuantizedMultiplier;
}

/**
 * The output stage of the weighted ops: wrap the accumulator to int32, add the bias, requantise with the channel's
 * multiplier and shift, add the output offset, clamp to the activation range.
 */
function outputStage(p: LayerPlan): (acc: number, oc: number) => number {
  const rq = requantizer(p), M = p.multipliers, S = p.shifts, B = p.bias;
  const { outputOffset, actMin, actMax } = p;
  return (acc, oc) => {
    acc |= 0;
    if (B) acc = (acc + B[oc]!) | 0;
    const v = (rq(acc, M[oc]!, S[oc]!) + outputOffset) | 0;
    return v < actMin ? actMin : v > actMax ? actMax : v;
  };
}

/** First tap index k in [0, n) with 0 <= origin + k * d < size, and one past the last: the taps inside the image. */
function tapRange(origin: number, n: number, d: number, size: number): [number, number] {
  const start = origin < 0 ? Math.ceil(-origin / d) : 0;
  const end = Math.min(n, Math.floor((size - 1 - origin) / d) + 1);
  return [start, Math.max(start, end)];
}

/**
 * CONV_2D (also pointwise: a conv2d with a 1x1 kernel). Weights OHWI [outC, kh, kw, inC].
 */
export function conv2d(spec: LayerSpec | LayerPlan, input: Data, weights: Data, out?: Int8Array): Int8Array {
  const p = planFor(spec, 'conv2d', ['conv2d', 'pointwise']);
  const x = dataOf(input), w = dataOf(weights);
  checkLength('input', x, p.inputShape);
  checkLength('weights', w, p.weightShape!);
  const res = outputArray(p, out);
  const { inW, inH, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, inputOffset } = p;
  const toOut = outputStage(p);
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * sh - p.pad.top;
    const [ky0, ky1] = tapRange(iy0, kh, dh, inH);
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * sw - p.pad.left;
      const [kx0, kx1] = tapRange(ix0, kw, dw, inW);
      for (let oc = 0; oc < outC; oc++) {
        let acc = 0;
        for (let ky = ky0; ky < ky1; ky++) {
          const xRow = (iy0 + ky * dh) * inW + ix0;
          const wRow = (oc * kh + ky) * kw;
          for (let kx = kx0; kx < kx1; kx++) {
            const xb = (xRow + kx * dw) * inC;
            const wb = (wRow + kx) * inC;
            for (let ic = 0; ic < inC; ic++) acc += w[wb + ic]! * (x[xb + ic]! + inputOffset);
          }
        }
        res[o++] = toOut(acc, oc);
      }
    }
  }
  return res;
}

/** Pointwise convolution: conv2d of a 1x1 kernel (kind 'pointwise' or a 1x1 'conv2d'). */
export function pointwiseConv2d(spec: LayerSpec | LayerPlan, input: Data, weights: Data, out?: Int8Array): Int8Array {
  const p = planFor(spec, 'pointwiseConv2d', ['pointwise', 'conv2d']);
  if (p.kh !== 1 || p.kw !== 1) throw new LayerSpecError([{ param: 'kernel', message: `pointwiseConv2d runs 1x1 kernels, got ${p.kh}x${p.kw}` }]);
  return conv2d(p, input, weights, out);
}

/**
 * DEPTHWISE_CONV_2D: output channel ic * depthMultiplier + m reads input channel ic. Weights 1HWC
 * [1, kh, kw, inC * depthMultiplier].
 */
export function depthwiseConv2d(spec: LayerSpec | LayerPlan, input: Data, weights: Data, out?: Int8Array): Int8Array {
  const p = planFor(spec, 'depthwiseConv2d', ['depthwise']);
  const x = dataOf(input), w = dataOf(weights);
  checkLength('input', x, p.inputShape);
  checkLength('weights', w, p.weightShape!);
  const res = outputArray(p, out);
  const { inW, inH, inC, outH, outW, outC, kh, kw, sh, sw, dh, dw, inputOffset } = p;
  const dm = p.depthMultiplier;
  const toOut = outputStage(p);
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * sh - p.pad.top;
    const [ky0, ky1] = tapRange(iy0, kh, dh, inH);
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * sw - p.pad.left;
      const [kx0, kx1] = tapRange(ix0, kw, dw, inW);
      for (let ic = 0; ic < inC; ic++) {
        for (let m = 0; m < dm; m++) {
          const oc = ic * dm + m;
          let acc = 0;
          for (let ky = ky0; ky < ky1; ky++) {
            const xRow = (iy0 + ky * dh) * inW + ix0;
            const wRow = ky * kw;
            for (let kx = kx0; kx < kx1; kx++) {
              acc += w[(wRow + kx) * outC + oc]! * (x[(xRow + kx * dw) * inC + ic]! + inputOffset);
            }
          }
          res[o++] = toOut(acc, oc);
        }
      }
    }
  }
  return res;
}

/**
 * FULLY_CONNECTED (per channel): each of the h*w input pixels is a row of c features; weights [outC, 1, 1, inC].
 */
export function fullyConnected(spec: LayerSpec | LayerPlan, input: Data, weights: Data, out?: Int8Array): Int8Array {
  const p = planFor(spec, 'fullyConnected', ['fully_connected']);
  const x = dataOf(input), w = dataOf(weights);
  checkLength('input', x, p.inputShape);
  checkLength('weights', w, p.weightShape!);
  const res = outputArray(p, out);
  const { inC, outC, inputOffset } = p;
  const rows = p.inH * p.inW;
  const toOut = outputStage(p);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const xb = r * inC;
    for (let oc = 0; oc < outC; oc++) {
      const wb = oc * inC;
      let acc = 0;
      for (let d = 0; d < inC; d++) acc += w[wb + d]! * (x[xb + d]! + inputOffset);
      res[o++] = toOut(acc, oc);
    }
  }
  return res;
}

/**
 * ADD (int8, same shapes), tflite-micro reference_integer_ops AddFunc with CalculateOpDataAdd's parameters:
 * v_i = (x_i + input_i_offset) << 20; s_i = MultiplyByQuantizedMultiplierSmallerThanOneExp(v_i, M_i, shift_i);
 * out = MultiplyByQuantizedMultiplierSmallerThanOneExp(s_1 + s_2, M_out, shift_out) + output_offset, clamped.
 * (With shift <= 0 the SmallerThanOneExp form is MultiplyByQuantizedMultiplier, in either rounding mode.)
 */
export function add(spec: LayerSpec | LayerPlan, input1: Data, input2: Data, out?: Int8Array): Int8Array {
  const p = planFor(spec, 'add', ['add']);
  const x = dataOf(input1), y = dataOf(input2);
  checkLength('input', x, p.inputShape);
  checkLength('input2', y, p.inputShape);
  const res = outputArray(p, out);
  const a = p.add!;
  const rq = requantizer(p);
  const scale = 1 << a.leftShift;
  const { actMin, actMax } = p;
  for (let i = 0; i < x.length; i++) {
    const s1 = rq(Math.imul(a.input1Offset + x[i]!, scale), a.input1Multiplier, a.input1Shift);
    const s2 = rq(Math.imul(a.input2Offset + y[i]!, scale), a.input2Multiplier, a.input2Shift);
    let v = (rq((s1 + s2) | 0, a.outputMultiplier, a.outputShift) + a.outputOffset) | 0;
    if (v < actMin) v = actMin;
    else if (v > actMax) v = actMax;
    res[i] = v;
  }
  return res;
}

/** The window of a pooling output on one axis, clipped to the image: [first, end) kernel taps. */
function poolRange(origin: number, k: number, size: number): [number, number] {
  return [Math.max(0, -origin), Math.min(k, size - origin)];
}

/**
 * AVERAGE_POOL_2D (int8): the sum of the window's pixels inside the image over their count, rounded to nearest with
 * ties away from zero as TFLM does it in integers: acc > 0 ? (acc + n/2) / n : (acc - n/2) / n, C division; clamped.
 * The output quantisation equals the input's.
 */
export function avgPool(spec: LayerSpec | LayerPlan, input: Data, out?: Int8Array): Int8Array {
  const p = planFor(spec, 'avgPool', ['avgpool']);
  const x = dataOf(input);
  checkLength('input', x, p.inputShape);
  const res = outputArray(p, out);
  const { inW, inH, inC, outH, outW, kh, kw, sh, sw, actMin, actMax } = p;
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * sh - p.pad.top;
    const [ky0, ky1] = poolRange(iy0, kh, inH);
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * sw - p.pad.left;
      const [kx0, kx1] = poolRange(ix0, kw, inW);
      const count = Math.max(0, ky1 - ky0) * Math.max(0, kx1 - kx0);
      if (count === 0) throw new LayerSpecError([{ param: 'padding', message: `avgpool window at output (${oy}, ${ox}) covers no input pixel` }]);
      const half = count >> 1;
      for (let c = 0; c < inC; c++) {
        let acc = 0;
        for (let ky = ky0; ky < ky1; ky++) {
          const row = (iy0 + ky) * inW + ix0;
          for (let kx = kx0; kx < kx1; kx++) acc += x[(row + kx) * inC + c]!;
        }
        let v = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
        if (v < actMin) v = actMin;
        else if (v > actMax) v = actMax;
        res[o++] = v;
      }
    }
  }
  return res;
}

/** MAX_POOL_2D (int8): the largest pixel of the window inside the image (-128 for none), clamped. */
export function maxPool(spec: LayerSpec | LayerPlan, input: Data, out?: Int8Array): Int8Array {
  const p = planFor(spec, 'maxPool', ['maxpool']);
  const x = dataOf(input);
  checkLength('input', x, p.inputShape);
  const res = outputArray(p, out);
  const { inW, inH, inC, outH, outW, kh, kw, sh, sw, actMin, actMax } = p;
  let o = 0;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * sh - p.pad.top;
    const [ky0, ky1] = poolRange(iy0, kh, inH);
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * sw - p.pad.left;
      const [kx0, kx1] = poolRange(ix0, kw, inW);
      for (let c = 0; c < inC; c++) {
        let v = -128;
        for (let ky = ky0; ky < ky1; ky++) {
          const row = (iy0 + ky) * inW + ix0;
          for (let kx = kx0; kx < kx1; kx++) {
            const q = x[(row + kx) * inC + c]!;
            if (q > v) v = q;
          }
        }
        if (v < actMin) v = actMin;
        else if (v > actMax) v = actMax;
        res[o++] = v;
      }
    }
  }
  return res;
}

/** The data a layer reads: weights for conv / depthwise / pointwise / fully connected, input2 for add. */
export interface LayerInputs {
  input: Data;
  weights?: Data | null;
  input2?: Data | null;
}

/** Run any layer by its kind. */
export function runLayer(spec: LayerSpec | LayerPlan, inputs: LayerInputs, out?: Int8Array): Int8Array {
  const p = isPlan(spec) ? spec : planLayer(spec);
  const need = (d: Data | null | undefined, name: string): Data => {
    if (!d) throw new RangeError(`${name}: required for ${p.kind} layers`);
    return d;
  };
  switch (p.kind) {
    case 'conv2d':
    case 'pointwise':
      return conv2d(p, inputs.input, need(inputs.weights, 'weights'), out);
    case 'depthwise':
      return depthwiseConv2d(p, inputs.input, need(inputs.weights, 'weights'), out);
    case 'fully_connected':
      return fullyConnected(p, inputs.input, need(inputs.weights, 'weights'), out);
    case 'add':
      return add(p, inputs.input, need(inputs.input2, 'input2'), out);
    case 'avgpool':
      return avgPool(p, inputs.input, out);
    case 'maxpool':
      return maxPool(p, inputs.input, out);
  }
}
