/**
 * Output size and padding per padding style, per axis (reference/int8-semantics.md, Padding):
 * - 'same' (TFLite SAME, tflite-micro kernels/padding.h ComputeOutSize / ComputePaddingWithOffset):
 *   out = ceil(in / s); total = max(0, (out - 1) * s + k_eff - in); before = floor(total / 2), the odd pixel after.
 * - 'valid': out = floor((in - k_eff) / s) + 1 (TFLM's (in + s - k_eff) / s), no padding.
 * - 'symmetric' (PyTorch-style, as MCUNet exports): pad = floor(k_eff / 2) on both sides,
 *   out = floor((in + 2 * pad - k_eff) / s) + 1. A stride-2 3x3 on an even input pads 1 before, where SAME pads 0
 *   before and 1 after (reference/patch-inference.md).
 * - explicit {top, bottom, left, right}: out = floor((in + before + after - k_eff) / s) + 1.
 * k_eff = (k - 1) * dilation + 1. The kernels only use `before` (taps outside the image are skipped); `after` says
 * how far the last window may reach past the image.
 */

export interface ExplicitPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}
export type PaddingStyle = 'same' | 'valid' | 'symmetric';
export type Padding = PaddingStyle | ExplicitPadding;

/** One axis: output size and the padding before and after the input. out < 1 means the layer cannot run. */
export interface AxisPadding {
  out: number;
  before: number;
  after: number;
}

/** A 2-D padding result: output height/width and the four pads. */
export interface PaddingResult extends ExplicitPadding {
  outH: number;
  outW: number;
}

/** The span of a dilated kernel: (k - 1) * d + 1. */
export function effectiveKernel(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/** Output size and pads of one axis for a named style, or for explicit pads (before, after). */
export function padAxis(
  style: PaddingStyle | { before: number; after: number },
  inSize: number,
  k: number,
  stride: number,
  dilation = 1,
): AxisPadding {
  const keff = effectiveKernel(k, dilation);
  if (style === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max(0, (out - 1) * stride + keff - inSize);
    const before = Math.floor(total / 2);
    return { out, before, after: total - before };
  }
  if (style === 'valid') return { out: Math.floor((inSize - keff) / stride) + 1, before: 0, after: 0 };
  const [before, after] = style === 'symmetric' ? [Math.floor(keff / 2), Math.floor(keff / 2)] : [style.before, style.after];
  return { out: Math.floor((inSize + before + after - keff) / stride) + 1, before, after };
}

/** Both axes: output size and pads for a padding style or explicit pads. */
export function computePadding(
  padding: Padding,
  inH: number,
  inW: number,
  kh: number,
  kw: number,
  sh = 1,
  sw = 1,
  dh = 1,
  dw = 1,
): PaddingResult {
  const styleH = typeof padding === 'string' ? padding : { before: padding.top, after: padding.bottom };
  const styleW = typeof padding === 'string' ? padding : { before: padding.left, after: padding.right };
  const y = padAxis(styleH, inH, kh, sh, dh);
  const x = padAxis(styleW, inW, kw, sw, dw);
  return { outH: y.out, outW: x.out, top: y.before, bottom: y.after, left: x.before, right: x.after };
}
