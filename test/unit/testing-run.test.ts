/**
 * The README's property-based testing example, as a user would paste it into their own vitest file (with the import
 * from 'mcusim/testing'; here the package resolves to itself, so the import is the same). Random layers, run on an M4
 * and an M7 board: the simulated kernel's output equals the TFLM-exact reference.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { layerCase, runCase } from 'mcusim/testing';

describe('README example: random layers, the kernel equals the reference', () => {
  for (const board of ['stm32f411re', 'stm32h743']) {
    it(`scalar kernels on ${board}`, () => {
      fc.assert(fc.property(layerCase({ kinds: ['conv2d', 'depthwise', 'pointwise'], maxHW: 6, maxChannels: 6 }), (c) => {
        const r = runCase(c, { board, variant: 'scalar' });
        expect(r.bitExact).toBe(true);
        expect(r.cycles).toBeGreaterThan(0);
        expect(r.macsPerCycle).toBeLessThan(2);
      }), { numRuns: 25 });
    });
  }
});
