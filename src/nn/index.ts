/**
 * int8 neural-network reference: quantisation arithmetic, tensors, layer specs, padding, and the bit-exact TFLM
 * reference ops (reference/int8-semantics.md).
 */
export {
  INT32_MIN, INT32_MAX, ADD_LEFT_SHIFT,
  mulRoundShift, saturatingRoundingDoublingHighMul, roundingDivideByPOT,
  multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingleRounding, requantize,
  frexp, roundHalfAwayFromZero, f32,
  quantizeMultiplier, quantizeMultiplierSmallerThanOne, channelMultipliers,
  activationRange, activationRangeOk, addParams,
} from './quant.js';
export type { Rounding, Activation, QuantizedMultiplier, AddParams } from './quant.js';
export { effectiveKernel, padAxis, computePadding } from './padding.js';
export type { Padding, PaddingStyle, ExplicitPadding, AxisPadding, PaddingResult } from './padding.js';
export {
  LAYER_KINDS, ACTIVATIONS, ROUNDINGS, MAX_DIM, MAX_ELEMENTS,
  validateLayer, layerErrors, formatIssue, planLayer, outputShape, LayerSpecError,
} from './spec.js';
export type { LayerKind, LayerSpec, LayerPlan, SpecIssue, Hw, Hwc } from './spec.js';
export {
  Rng, createTensor, randomTensor, quantizedAxis, elementCount, offset4, dequantize, compareInt8,
  randomActivationQuant, randomWeightScales, withRealisticQuant, randomLayerData,
} from './tensor.js';
export type { Int8Tensor, TensorLayout, Shape4, LayerGeometry, QuantFields, LayerData } from './tensor.js';
export { conv2d, pointwiseConv2d, depthwiseConv2d, fullyConnected, add, avgPool, maxPool, runLayer } from './ops.js';
export type { LayerInputs } from './ops.js';
