/**
 * The network firmware builder (issue 6, point 4): whole networks layer by layer and patch by patch as one firmware
 * image per mode (build.ts), the kernels src/kernels does not have (kernels.ts: in-place depthwise, fused
 * projection + residual add, add, pools), the board fit and its enlarged copy (board.ts), and running it on a
 * simulated board with the full timing model (run.ts). Browser-safe: no Node imports.
 */
export { buildNetworkFirmware, ARG_BLOCK_BYTES } from './build.js';
export type { NetMode, NetVariant, NetBuildOptions, NetFirmware, NetManifest, UnitInfo, BufferInfo, PhaseInfo } from './build.js';
export { runNetwork, runNetworkFirmware } from './run.js';
export type { NetRunOptions, NetRunResult, NetProgress, PhaseRun } from './run.js';
export { enlargeBoard, fitIssues, ENLARGE_GRANULE } from './board.js';
export type { FitIssue } from './board.js';
export { inPlaceDepthwiseKernel, inPlaceDepthwiseKernelDsp, inPlaceDepthwiseDspSupport, fusedPointwiseAddKernel, fusedPointwiseAddKernelDsp, addInputTable, addKernel, poolKernel, tapRange, tapRuns } from './kernels.js';
export type { OwnKernel, DataTable, FusedGeometry, AddGeometry } from './kernels.js';
export { requantConstAsm } from './asm.js';
