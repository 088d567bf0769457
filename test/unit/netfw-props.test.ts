/**
 * Property: for any small MobileNetV2 / MbV2-RD (widths 0.35 and 0.5, resolutions 24..40, either padding style), any
 * split and patch count, either kernel variant, on a Cortex-M4 or a Cortex-M7 board, the firmware's output in patch
 * mode is bit-identical to whole-layer mode and to the TypeScript reference, and both modes' measured arena
 * high-water marks equal the planner's peaks. Functional runs (no timing model) keep it under a minute; the timed
 * runs are in netfw-mbv2.test.ts.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mobilenetv2Network } from '../../src/net/mobilenetv2.js';
import { networkWeights, randomInput, runNetworkReference } from '../../src/net/network.js';
import { planPatches } from '../../src/net/patch.js';
import { runNetwork } from '../../src/netfw/index.js';

describe('patch-based firmware = whole-layer firmware = reference', () => {
  it('over widths, resolutions, variants, paddings, splits, patch counts, kernel variants and boards', () => {
    const cfg = fc.record({
      width: fc.constantFrom(0.35, 0.5),
      resolution: fc.integer({ min: 24, max: 40 }),
      net: fc.constantFrom('mbv2' as const, 'rd' as const),
      padding: fc.constantFrom('same' as const, 'symmetric' as const),
      split: fc.integer({ min: 1, max: 8 }),
      patches: fc.integer({ min: 1, max: 4 }),
      variant: fc.constantFrom('scalar' as const, 'simd' as const),
      board: fc.constantFrom('mps2-an386', 'stm32h743'),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    let runs = 0;
    fc.assert(fc.property(cfg, (c) => {
      const net = mobilenetv2Network({ width: c.width, resolution: c.resolution, variant: c.net, padding: c.padding, classes: 8, seed: c.seed, anyResolution: true });
      const split = Math.min(c.split, net.blocks - 1);
      const so = net.layers.filter((l) => l.block < split).at(-1)!.output;
      const plan = planPatches(net, split, Math.min(c.patches, so.h, so.w));
      const w = networkWeights(net), x = randomInput(net, c.seed + 1);
      const expected = runNetworkReference(net, w, x).output;
      const opts = { expected, timing: false, schedule: 'compact-2x2' as const };
      const whole = runNetwork(net, w, x, 'whole', c.variant, c.board, opts);
      const patch = runNetwork(net, w, x, { patch: plan }, c.variant, c.board, opts);
      expect(whole.mismatches).toBe(0);
      expect(patch.mismatches).toBe(0);
      expect(Array.from(patch.output)).toEqual(Array.from(whole.output));
      expect(whole.arenaHighWater).toBe(whole.plannedPeak);
      expect(patch.arenaHighWater).toBe(plan.memory.peak);
      runs++;
    }), { numRuns: 9, seed: 4242 });
    expect(runs).toBe(9);
  });
});
