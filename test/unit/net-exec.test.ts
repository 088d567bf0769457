/**
 * The patch executor (src/net/patchexec.ts) against the whole-layer reference: over widths, small resolutions
 * (32..64; 32..40 for widths 0.75 and 1.4), MbV2 and MbV2-RD, both padding styles, every valid split and patch count, the stage output and every
 * later tensor (so the network output) are bit-identical to runNetworkReference; the MACs it runs are the plan's.
 * This proves the patch geometry (regions, halos, per-side border padding) the firmware builder follows.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mobilenetv2Network, MBV2_WIDTHS } from '../../src/net/mobilenetv2.js';
import { networkWeights, randomInput, runNetworkReference } from '../../src/net/network.js';
import { planPatches } from '../../src/net/patch.js';
import { runNetworkPatched, cropRegion } from '../../src/net/patchexec.js';

/** index of the first difference, -1 if equal (vitest's deep equality is slow on large typed arrays) */
function firstDiff(a: Int8Array | null | undefined, b: Int8Array | null | undefined): number {
  if (!a || !b) return a === b ? -1 : 0;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('cropRegion', () => {
  it('copies a sub-rectangle', () => {
    // 3x4 pixels, 2 channels: value = 10 * y + x, channel c adds 100 c
    const data = Int8Array.from({ length: 24 }, (_, i) => { const p = i >> 1, c = i & 1; return 10 * Math.floor(p / 4) + (p % 4) + 100 * c; });
    const out = cropRegion(data, { y0: 5, y1: 8, x0: 2, x1: 6 }, 2, { y0: 6, y1: 8, x0: 3, x1: 5 });
    expect(Array.from(out)).toEqual([11, 111, 12, 112, 21, 121, 22, 122]);
    expect(() => cropRegion(data, { y0: 5, y1: 8, x0: 2, x1: 6 }, 2, { y0: 4, y1: 8, x0: 3, x1: 5 })).toThrow(RangeError);
  });
});

describe('patch-based run = whole-layer run', () => {
  it('bit-identical over widths, resolutions, variants, paddings, splits and patch counts', () => {
    // widths up to 0.5 at 32..64, the wider ones at 32..40 (keeps the run near 5 s)
    const size = fc.oneof(
      fc.tuple(fc.constantFrom(...MBV2_WIDTHS.filter((w) => w <= 0.5)), fc.integer({ min: 32, max: 64 })),
      fc.tuple(fc.constantFrom(...MBV2_WIDTHS.filter((w) => w > 0.5)), fc.integer({ min: 32, max: 40 })),
    );
    const cfg = fc.record({
      size,
      variant: fc.constantFrom('mbv2' as const, 'rd' as const),
      padding: fc.constantFrom('same' as const, 'symmetric' as const),
      split: fc.integer({ min: 1, max: 18 }),
      patches: fc.integer({ min: 1, max: 5 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    let checked = 0;
    fc.assert(fc.property(cfg, (c) => {
      const [width, resolution] = c.size;
      const net = mobilenetv2Network({ width, resolution, variant: c.variant, padding: c.padding, classes: 16, seed: c.seed, anyResolution: true });
      const split = Math.min(c.split, net.blocks - 1);
      const out = net.layers.filter((l) => l.block < split).at(-1)!.output;
      const patches = Math.min(c.patches, out.h, out.w);
      const plan = planPatches(net, split, patches);
      const weights = networkWeights(net);
      const input = randomInput(net, c.seed + 1);
      const ref = runNetworkReference(net, weights, input);
      const run = runNetworkPatched(plan, weights, input);
      expect(firstDiff(run.stageOutput, ref.tensors[plan.stageOutput])).toBe(-1);
      for (const l of net.layers) if (l.block >= split) expect(firstDiff(run.tensors[l.index], ref.tensors[l.index]), l.name).toBe(-1);
      expect(firstDiff(run.output, ref.output)).toBe(-1);
      expect(run.stageMacs).toBe(plan.macs.stagePatch);
      checked++;
    }), { numRuns: 24, seed: 2021 });
    expect(checked).toBe(24);
  });

  it('the paper configurations at 64x64 (split 5 / RD split 4, 4x4 patches)', () => {
    for (const [variant, split] of [['mbv2', 5], ['rd', 4]] as const) {
      for (const padding of ['same', 'symmetric'] as const) {
        const net = mobilenetv2Network({ width: 0.35, resolution: 64, variant, padding, classes: 16, anyResolution: true });
        const plan = planPatches(net, split, 4);
        const w = networkWeights(net), x = randomInput(net, 9);
        const ref = runNetworkReference(net, w, x);
        const run = runNetworkPatched(plan, w, x);
        expect(firstDiff(run.stageOutput, ref.tensors[plan.stageOutput])).toBe(-1);
        expect(firstDiff(run.output, ref.output)).toBe(-1);
        // not a degenerate network: the stage output varies
        expect(new Set(run.stageOutput).size).toBeGreaterThan(10);
      }
    }
  });
});
