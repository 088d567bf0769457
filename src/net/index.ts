/**
 * Networks (issue 6): the JSON network format and its reference run (network.ts), built-in MobileNetV2 / MbV2-RD
 * (mobilenetv2.ts), the whole-layer memory planner (memplan.ts), the patch planner and its search (patch.ts) and the
 * patch executor (patchexec.ts). Browser-safe: no Node imports.
 */
export { parseJsonWithPositions, JsonSyntaxError } from './json.js';
export type { JsonPosition, ParsedJson } from './json.js';
export {
  NETWORK_FORMAT, INPUT_NAME, INPUT_TENSOR, NetworkError, formatNetworkIssue,
  validateNetwork, validateNetworkText, resolveNetwork, tensorShape, tensorBytes, tensorName, consumersOf,
  networkWeights, randomInput, runNetworkReference, fillRealisticQuant,
} from './network.js';
export type {
  NetworkJson, LayerJson, NetInputJson, QuantJson, Network, NetLayer, NetworkIssue, NetWeights, NetworkRun,
  LayerDraft, NetworkDraft,
} from './network.js';
export { mobilenetv2, mobilenetv2Network, makeDivisible, mbv2Blocks, MBV2_WIDTHS, MBV2_RESOLUTIONS } from './mobilenetv2.js';
export type { MobileNetV2Options, MbV2Variant, MbV2Padding, BlockDef } from './mobilenetv2.js';
export { buildSchedule, planSchedule, planWholeLayer, formatMemPlan, sizeAt } from './memplan.js';
export type { MemOptions, Schedule, ScheduleStep, ScheduleSizes, MemBuffer, BufferPart, MemStepReport, MemPlan, Side } from './memplan.js';
export { planPatches, searchPatchConfigs, splitSizes, stageOf, rectH, rectW } from './patch.js';
export type { Rect, Patch, PatchLayer, PatchMacs, PatchPlan, SearchEntry, SearchOptions, SearchResult } from './patch.js';
export { runNetworkPatched, cropRegion } from './patchexec.js';
export type { PatchRun } from './patchexec.js';
