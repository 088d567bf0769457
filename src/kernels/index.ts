/**
 * int8 layer kernels generated as Thumb-2 assembly (issue 5): the layout (layout.ts), the image builder
 * (image.ts), the scalar ARMv7-M kernels (scalar.ts), requantisation in assembly (requant.ts), and runKernel
 * (run.ts), which builds, simulates and checks a layer on a board.
 */
export { STACK_BYTES, ARRAY_ALIGN, codeRegion, mainSram, layoutFor, checkFits, groupDigits } from './layout.js';
export type { KernelLayout } from './layout.js';
export { KERNEL_VARIANTS, LAYER_PHASE, buildLayerSource, buildLayerImage, assembleOrThrow } from './image.js';
export type { KernelVariant, KernelData, LayerImage, LayerImageOptions } from './image.js';
export { scalarKernel, checkScalarSupport, foldBias, isPointwise, interiorPath, SCALAR_KINDS, FULL_UNROLL, UNROLL, INTERIOR_UNROLL } from './scalar.js';
export type { ScalarKernel } from './scalar.js';
export { requantAsm, uniformShift } from './requant.js';
export { simdKernel, simdSupport, simdWeightStream, requantMode, SIMD_MAX_IN_CHANNELS, unrolledSupport, unrolledTile, UNROLLED_MAX_CODE_BYTES } from './simd.js';
export type { SimdKernel, RequantMode, SimdOptions } from './simd.js';
export { simdDwKernel, simdDwSupport, simdLayerKernel, simdLayerSupport, dwWeightStream, dwWeightStream8, dwRequantMode, dwClasses, SIMD_DW_MAX_CHANNELS } from './simd-dw.js';
export type { DwClass, DwRequantMode } from './simd-dw.js';
export { simdConvKernel, simdConvSupport, convWeightStream, convRequantMode, convReduction, convSegments, SIMD_CONV_MAX_GROUPS } from './simd-conv.js';
export type { ConvRequantMode, ConvSegment } from './simd-conv.js';
export { compactKernel8, simdWeightStream8, recordLayout8, paramWords8, WEIGHT_FORMATS, SIMD8_MAX_IN_CHANNELS, UNROLL_MAX_GROUPS, REDUCE_UNROLL } from './simd8.js';
export type { WeightFormat } from './simd8.js';
export { runKernel } from './run.js';
export type { RunKernelOptions, KernelRunResult } from './run.js';
