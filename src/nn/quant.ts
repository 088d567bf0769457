/**
 * Fixed-point requantisation, bit-exact with TensorFlow Lite Micro (reference/int8-semantics.md).
 *
 * Sources: gemmlowp `fixedpoint.h` (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT) as used by tflite-micro
 * `kernels/internal/common.cc` (MultiplyByQuantizedMultiplier, both the default double rounding and the
 * `TFLITE_SINGLE_ROUNDING` variant), `quantization_util.cc` (QuantizeMultiplier), `kernel_util.cc`
 * (PopulateConvolutionQuantizationParams, CalculateActivationRangeQuantized).
 *
 * Every function works on plain JS numbers holding int32 values and returns int32 values. The 64-bit products are
 * formed exactly from 16-bit limbs (every partial sum stays below 2^53), so no BigInt is needed; the tests check
 * them against a BigInt formulation.
 *
 * Domain (as in TFLM): multipliers in [0, 2^31 - 1] (QuantizeMultiplier's output), shifts in [-31, 30]. A shift
 * > 0 is a left shift of x first, which wraps like the int32 arithmetic of the target (C leaves it undefined; the
 * Cortex-M result is the wrapped one).
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_32 = 4294967296;
const TWO_31 = 2147483648;
/** POW2[i] = 2^i, built by doubling (exact) */
const POW2: number[] = [1];
for (let i = 1; i < 64; i++) POW2.push(POW2[i - 1]! * 2);

/** 'double': TFLM's default (SRDHM then RoundingDivideByPOT); 'single': TFLITE_SINGLE_ROUNDING. */
export type Rounding = 'double' | 'single';
/** Fused activations the int8 kernels support. */
export type Activation = 'none' | 'relu' | 'relu6';

/**
 * floor((a * b + 2^(t-1)) / 2^t), wrapped to int32, for int32 a, b and 1 <= t <= 62: the exact 64-bit product
 * rounded half up and shifted right arithmetically, as `(int32)((int64)a * b + (1ll << (t-1)) >> t)`.
 */
export function mulRoundShift(a: number, b: number, t: number): number {
  // a*b = ah*bh*2^32 + (ah*bl + al*bh)*2^16 + al*bl with ah, bh signed 16-bit and al, bl unsigned 16-bit
  const ah = a >> 16, al = a & 0xffff, bh = b >> 16, bl = b & 0xffff;
  const mid = ah * bl + al * bh; // |mid| < 2^32
  const low = mid * 65536 + al * bl; // |low| < 2^49: exact
  const carry = Math.floor(low / TWO_32);
  let hi = ah * bh + carry; // the product's high word, int32
  let lo = low - carry * TWO_32; // its low word, [0, 2^32)
  if (t <= 32) {
    lo += POW2[t - 1]!;
    if (lo >= TWO_32) { lo -= TWO_32; hi += 1; }
  } else {
    hi += POW2[t - 33]!;
  }
  if (t < 32) return (hi << (32 - t)) | (lo >>> t);
  if (t === 32) return hi | 0;
  return hi >> (t - 32);
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul: (int32)((a*b + nudge) / 2^31) with nudge = 2^30 for a*b >= 0 and
 * 1 - 2^30 otherwise, C division truncating toward zero; SRDHM(INT32_MIN, INT32_MIN) = INT32_MAX.
 * Truncating (a*b + 1 - 2^30) / 2^31 toward zero equals flooring (a*b + 2^30) / 2^31 for a negative product, so both
 * signs are floor((a*b + 2^30) / 2^31): round half up (CMSIS-NN computes it that way, `arm_nn_requantize`).
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  return mulRoundShift(a, b, 31);
}

/**
 * gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero, for 0 <= exponent <= 31.
 * mask = 2^e - 1; remainder = x & mask; threshold = (mask >> 1) + (x < 0); result = (x >> e) + (remainder > threshold).
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = exponent >= 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> exponent) + (remainder > threshold ? 1 : 0)) | 0;
}

/**
 * MultiplyByQuantizedMultiplier (tflite-micro common.cc), double rounding (the TFLM default):
 * RoundingDivideByPOT(SRDHM(x * 2^left, M), right), left = max(shift, 0), right = max(-shift, 0).
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(left ? Math.imul(x, 1 << left) : x, multiplier), right);
}

/**
 * MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING (tflite-micro common.cc):
 * total = 31 - shift; (int32)((int64)x * M + 2^(total - 1) >> total). One rounding, half up.
 */
export function multiplyByQuantizedMultiplierSingleRounding(x: number, multiplier: number, shift: number): number {
  return mulRoundShift(x, multiplier, 31 - shift);
}

/** MultiplyByQuantizedMultiplier in the given rounding mode. */
export function requantize(x: number, multiplier: number, shift: number, rounding: Rounding = 'double'): number {
  return rounding === 'single'
    ? mulRoundShift(x, multiplier, 31 - shift)
    : multiplyByQuantizedMultiplier(x, multiplier, shift);
}

const f64 = new DataView(new ArrayBuffer(8));

/**
 * C frexp for a finite double: [q, e] with x = q * 2^e and 0.5 <= |q| < 1 (q = 0, e = 0 for zero). Exact: it reads
 * the exponent bits (subnormals are scaled by 2^64 first).
 */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let scale = 0;
  f64.setFloat64(0, x);
  let biased = (f64.getUint16(0) >>> 4) & 0x7ff;
  if (biased === 0) { // subnormal
    f64.setFloat64(0, x * 2 ** 64);
    biased = (f64.getUint16(0) >>> 4) & 0x7ff;
    scale = 64;
  }
  const e = biased - 1022;
  // put the exponent field of 2^-1 (1022) in place: the mantissa is kept, the value is in [0.5, 1)
  f64.setUint16(0, (f64.getUint16(0) & 0x800f) | (1022 << 4));
  return [f64.getFloat64(0), e - scale];
}

/** TfLiteRound / std::round: to nearest, ties away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** A fixed-point multiplier: real ~= multiplier * 2^(shift - 31). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/**
 * QuantizeMultiplier (tflite-micro quantization_util.cc): q = frexp(real, &shift); M = round(q * 2^31);
 * if M == 2^31 { M /= 2; shift++ }; if shift < -31 { shift = 0; M = 0 }; zero gives (0, 0).
 * With single rounding a shift > 30 saturates to (2^31 - 1, 30), as TFLM does under TFLITE_SINGLE_ROUNDING.
 * Throws a RangeError for a non-finite real (TFLM has no answer for it either).
 */
export function quantizeMultiplier(real: number, rounding: Rounding = 'double'): QuantizedMultiplier {
  if (!Number.isFinite(real)) throw new RangeError(`quantizeMultiplier: expected a finite multiplier, got ${real}`);
  if (real === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexp(real);
  let shift = e;
  let m = roundHalfAwayFromZero(q * TWO_31);
  if (m === TWO_31) { m /= 2; shift++; }
  if (shift < -31) { shift = 0; m = 0; }
  if (rounding === 'single' && shift > 30) { shift = 30; m = INT32_MAX; }
  return { multiplier: m, shift };
}

/**
 * QuantizeMultiplierSmallerThanOneExp (quantization_util.cc): the multiplier of a real in (0, 1), whose shift must
 * come out <= 0. Returns null where TFLM's checks fail (real outside (0, 1), or rounding up to shift 1).
 */
export function quantizeMultiplierSmallerThanOne(real: number, rounding: Rounding = 'double'): QuantizedMultiplier | null {
  if (!(real > 0 && real < 1)) return null;
  const q = quantizeMultiplier(real, rounding);
  return q.shift <= 0 ? q : null;
}

/** TFLite stores scales as float32: the value TFLM computes with. */
export const f32 = Math.fround;

/**
 * Per-channel multipliers of a convolution (kernel_util.cc PopulateConvolutionQuantizationParams):
 * effective[c] = (double)input_scale * (double)weight_scale[c] / (double)output_scale, every scale first rounded to
 * float32 as the .tflite file holds it; one weight scale is broadcast to all channels.
 */
export function channelMultipliers(
  inputScale: number,
  weightScales: ArrayLike<number>,
  outputScale: number,
  channels: number,
  rounding: Rounding = 'double',
): { multipliers: Int32Array; shifts: Int32Array } {
  const multipliers = new Int32Array(channels);
  const shifts = new Int32Array(channels);
  const si = f32(inputScale), so = f32(outputScale);
  for (let c = 0; c < channels; c++) {
    const sw = f32(weightScales.length === 1 ? weightScales[0]! : weightScales[c]!);
    const q = quantizeMultiplier((si * sw) / so, rounding);
    multipliers[c] = q.multiplier;
    shifts[c] = q.shift;
  }
  return { multipliers, shifts };
}

/**
 * TFLM's Quantize(scale, zero_point, f) inside CalculateActivationRangeQuantized: zero_point + round(f / scale),
 * the division and the rounding in float32 (f and scale are floats there). null where TFLM reports an overflow.
 */
function quantizeForRange(f: number, scale: number, zeroPoint: number): number | null {
  const tmp = roundHalfAwayFromZero(f32(f / f32(scale)));
  // TFLM accepts tmp <= (float)INT32_MAX = 2^31, whose int32 cast is undefined: treat it as the overflow too
  if (!(tmp >= INT32_MIN && tmp < TWO_31)) return null;
  return zeroPoint + tmp;
}

/**
 * CalculateActivationRangeQuantized (kernel_util.cc) for int8: none [-128, 127]; relu [max(-128, q(0)), 127];
 * relu6 [max(-128, q(0)), min(127, q(6))], q(f) = zp + round(f / scale) in float32. Throws a RangeError where
 * TFLM fails (q(6) overflows int32: scale < ~2.8e-9); validateLayer reports that case first.
 */
export function activationRange(activation: Activation, outputScale: number, outputZeroPoint: number): { min: number; max: number } {
  if (activation === 'none') return { min: -128, max: 127 };
  const q0 = quantizeForRange(0, outputScale, outputZeroPoint);
  if (q0 === null) throw new RangeError(`activation ${activation}: 0 / output scale ${outputScale} overflows int32`);
  const min = Math.max(-128, q0);
  if (activation === 'relu') return { min, max: 127 };
  const q6 = quantizeForRange(6, outputScale, outputZeroPoint);
  if (q6 === null) throw new RangeError(`activation relu6: 6 / output scale ${outputScale} overflows int32`);
  return { min, max: Math.min(127, q6) };
}

/** Whether activationRange can be computed (the relu6 bound fits int32). Never throws. */
export function activationRangeOk(activation: Activation, outputScale: number, outputZeroPoint: number): boolean {
  if (activation === 'none') return true;
  if (quantizeForRange(0, outputScale, outputZeroPoint) === null) return false;
  return activation === 'relu' || quantizeForRange(6, outputScale, outputZeroPoint) !== null;
}

/** Parameters of TFLM's int8 ADD (micro/kernels/add_common.cc CalculateOpDataAdd). */
export interface AddParams {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  leftShift: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
}

/** ADD's left shift for int8 outputs (add_common.cc: `left_shift = int16 ? 15 : 20`). */
export const ADD_LEFT_SHIFT = 20;

/**
 * CalculateOpDataAdd for int8 (tflite-micro micro/kernels/add_common.cc):
 * twice_max = 2 * (double)max(s1, s2); real1 = s1 / twice_max; real2 = s2 / twice_max;
 * real_out = twice_max / ((1 << 20) * s_out); each through QuantizeMultiplierSmallerThanOneExp.
 * Returns an error string (naming the failing multiplier) where TFLM's checks fail.
 */
export function addParams(
  input1: { scale: number; zeroPoint: number },
  input2: { scale: number; zeroPoint: number },
  output: { scale: number; zeroPoint: number },
  rounding: Rounding = 'double',
): AddParams | string {
  const s1 = f32(input1.scale), s2 = f32(input2.scale), so = f32(output.scale);
  const twiceMax = 2 * Math.max(s1, s2);
  const realOut = twiceMax / ((1 << ADD_LEFT_SHIFT) * so);
  const m1 = quantizeMultiplierSmallerThanOne(s1 / twiceMax, rounding);
  const m2 = quantizeMultiplierSmallerThanOne(s2 / twiceMax, rounding);
  const mo = quantizeMultiplierSmallerThanOne(realOut, rounding);
  if (!m1) return `input scale ratio ${s1} / ${twiceMax} gives no multiplier below one`;
  if (!m2) return `input2 scale ratio ${s2} / ${twiceMax} gives no multiplier below one`;
  if (!mo) {
    return `2 * max(input scales) / (2^${ADD_LEFT_SHIFT} * output scale) = ${realOut} must quantise to a multiplier below 1 (the output scale must exceed ${twiceMax / POW2[ADD_LEFT_SHIFT]!})`;
  }
  return {
    input1Offset: -input1.zeroPoint,
    input2Offset: -input2.zeroPoint,
    outputOffset: output.zeroPoint,
    leftShift: ADD_LEFT_SHIFT,
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
  };
}
