/**
 * Shared scaffolding of the kernel tests: hand-picked layers run with the simd variant on every board and weight
 * format, each asserting that the simd kernel (no fallback) ran with that format and equals the reference bit for bit.
 */
import { it, expect } from 'vitest';
import type { LayerSpec } from '../../src/nn/spec.js';
import { randomLayerData } from '../../src/nn/tensor.js';
import { runKernel } from '../../src/kernels/index.js';

export function itSimdBitExact(cases: [string, LayerSpec][], boards: readonly string[], formats: readonly ('int8' | 'int16')[], seed = 11): void {
  for (const board of boards) {
    for (const weights of formats) {
      it.each(cases)(`%s on ${board}, ${weights} weights`, (_, spec) => {
        const d = randomLayerData(spec, seed);
        const r = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'simd', weights });
        expect(r.kernel).toBe('simd');
        expect(r.weightFormat).toBe(weights);
        expect(r.mismatches).toBe(0);
        expect(r.bitExact).toBe(true);
      });
    }
  }
}
