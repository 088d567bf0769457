/**
 * mcusim/testing: the property-based testing API for int8 kernels (fast-check arbitraries for layers and their data).
 * A separate entry point, so the library itself does not load fast-check.
 */
export { layerSpec, layerCase, int8Data } from './arbitraries.js';
export type { LayerSpecOptions, LayerCase } from './arbitraries.js';
export { runCase } from './run.js';
