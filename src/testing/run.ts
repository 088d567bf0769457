/**
 * Run a layer case (src/testing/arbitraries.ts) on a simulated board with a kernel variant: the generated kernel's
 * output, whether it equals the reference bit for bit, its cycles, MAC/cycle and memory figures (src/kernels/run.ts).
 */
import { runKernel, type KernelRunResult, type RunKernelOptions } from '../kernels/run.js';
import type { LayerCase } from './arbitraries.js';

export function runCase(c: LayerCase, opts: RunKernelOptions): KernelRunResult {
  return runKernel(c.spec, { input: c.input, weights: c.weights }, opts);
}
