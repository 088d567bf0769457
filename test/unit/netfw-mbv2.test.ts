/**
 * Whole networks on the simulated boards (src/netfw): small MobileNetV2s (width 0.35 and 0.5, resolutions 32..48,
 * TFLite SAME and PyTorch symmetric padding, MbV2-RD) layer by layer and patch by patch, scalar and DSP-SIMD kernels,
 * on a Cortex-M4 (mps2-an386, stm32f411re) and a Cortex-M7 (stm32h743) with the full timing model:
 * - the simulated output equals the TypeScript reference (runNetworkReference) bit for bit, so whole == patch;
 * - the arena's measured high-water mark equals the memory planner's peak exactly (the MobileNetV2 family's
 *   placement always reaches the peak);
 * - the phases: one per layer (per layer per patch), their cycles sum to the run's, the patch phases are named
 *   p<i>/<layer>;
 * - a network that does not fit runs on the enlarged board and says which memory is over and by how much.
 */
import { describe, it, expect } from 'vitest';
import { mobilenetv2Network, type MobileNetV2Options } from '../../src/net/mobilenetv2.js';
import { networkWeights, randomInput, runNetworkReference } from '../../src/net/network.js';
import { planPatches } from '../../src/net/patch.js';
import { runNetwork, type NetVariant } from '../../src/netfw/index.js';

interface Case { o: MobileNetV2Options; split: number; patches: number; variant: NetVariant; board: string }

const CASES: Case[] = [
  { o: { width: 0.35, resolution: 40, padding: 'same' }, split: 5, patches: 2, variant: 'scalar', board: 'mps2-an386' },
  { o: { width: 0.35, resolution: 40, padding: 'same' }, split: 5, patches: 2, variant: 'simd', board: 'stm32h743' },
  { o: { width: 0.35, resolution: 36, padding: 'symmetric' }, split: 3, patches: 3, variant: 'simd', board: 'mps2-an386' },
  { o: { width: 0.35, resolution: 36, padding: 'symmetric' }, split: 3, patches: 3, variant: 'scalar', board: 'stm32h743' },
  { o: { width: 0.5, resolution: 48, padding: 'symmetric', variant: 'rd' }, split: 4, patches: 3, variant: 'scalar', board: 'stm32f411re' },
  { o: { width: 0.35, resolution: 48, padding: 'same', variant: 'rd' }, split: 4, patches: 2, variant: 'simd', board: 'stm32h743' },
];

describe('MobileNetV2 on the boards, whole and patch by patch', () => {
  for (const c of CASES) {
    const what = `${c.o.variant ?? 'mbv2'} ${c.o.width}/${c.o.resolution} ${c.o.padding}, split ${c.split} ${c.patches}x${c.patches}, ${c.variant} on ${c.board}`;
    it(what, () => {
      const net = mobilenetv2Network({ ...c.o, classes: 10, anyResolution: true, seed: c.o.resolution });
      const w = networkWeights(net), x = randomInput(net, 7);
      const ref = runNetworkReference(net, w, x).output;
      // the M4's unrolled pointwise schedule is covered by netfw-build.test.ts (it is slow to assemble)
      const opts = { expected: ref, schedule: 'compact-2x2' as const };
      const whole = runNetwork(net, w, x, 'whole', c.variant, c.board, opts);
      const plan = planPatches(net, c.split, c.patches);
      const patch = runNetwork(net, w, x, { patch: plan }, c.variant, c.board, opts);
      for (const r of [whole, patch]) {
        expect(r.mismatches, r.mode).toBe(0);
        expect(r.bitExact).toBe(true);
        expect(r.arenaBytes).toBe(r.plannedPeak);
        expect(r.arenaHighWater, `${r.mode} high-water mark`).toBe(r.plannedPeak);
        expect(r.phases.reduce((n, p) => n + p.cycles, 0)).toBe(r.cycles);
        expect(r.phases.every((p) => p.cycles > 0)).toBe(true);
        expect(r.stackBytes).toBeGreaterThan(0);
        expect(r.measuredPeak).toBe(r.arenaHighWater + r.stackBytes);
      }
      expect(Array.from(patch.output)).toEqual(Array.from(whole.output));
      expect(patch.plannedPeak).toBe(plan.memory.peak);
      expect(patch.plannedPeak).toBeLessThan(whole.plannedPeak);
      expect(patch.macs).toBe(plan.macs.patch);
      expect(whole.macs).toBe(net.macs);
      // one phase per step (plus the input copy); per layer per patch in patch mode
      expect(whole.phases.map((p) => p.name)).toContain('b2.dw');
      expect(patch.phases.map((p) => p.name)).toContain(`p${c.patches * c.patches - 1}/stem`);
      expect(patch.patchCycles.length).toBe(c.patches * c.patches);
      const stageLayers = new Set(plan.stage);
      for (const p of patch.phases) if (p.layers.length && stageLayers.has(p.layers[0]!)) expect(p.name).toMatch(/^p\d+\//);
    });
  }
});
