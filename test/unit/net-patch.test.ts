/**
 * The patch planner (src/net/patch.ts):
 *  - MobileNetV2 1.0/224, 4x4 patches, split 5: input patches 75 -> 37 -> 35 -> 17 -> 15 -> 7, patch step 56 and left
 *    pad 13 (symmetric) / 6 (SAME) (reference/patch-inference.md); patch-mode peak 176,400 B (172.3 kB), which is
 *    also the arena extent; stage MACs as 16 interior patches (worked by hand) and the reference's +12.7% recount;
 *  - MbV2-RD: a 63x63 input patch and the paper's 73M patch-stage MACs (16 interior patches, by hand);
 *  - a two-layer stage worked by hand (exact and uniform MACs, regions, pads);
 *  - even splits, parameter errors, and the search's Pareto front and budget choice checked by brute force.
 */
import { describe, it, expect } from 'vitest';
import { planPatches, searchPatchConfigs, splitSizes, rectH, rectW } from '../../src/net/patch.js';
import { resolveNetwork, type NetworkJson } from '../../src/net/network.js';
import { mobilenetv2Network } from '../../src/net/mobilenetv2.js';
import { sizeAt } from '../../src/net/memplan.js';

describe('splits and errors', () => {
  it('splits as evenly as possible, larger patches first', () => {
    expect(splitSizes(28, 3)).toEqual([10, 9, 9]);
    expect(splitSizes(28, 4)).toEqual([7, 7, 7, 7]);
    expect(splitSizes(7, 4)).toEqual([2, 2, 2, 1]);
  });

  it('rejects bad splits and patch counts with the allowed range', () => {
    const net = mobilenetv2Network({ width: 0.35, resolution: 96 });
    const range = 'split: expected an integer in [1, 18] (the patch stage is blocks 0..split-1 of 0..18; at least the last block runs whole)';
    expect(() => planPatches(net, 0, 2)).toThrow(`${range}, got 0`);
    expect(() => planPatches(net, 19, 2)).toThrow(`${range}, got 19`);
    expect(() => planPatches(net, 2.5, 2)).toThrow(`${range}, got 2.5`);
    // 96 -> stage output of split 5 is 12x12
    expect(() => planPatches(net, 5, 13)).toThrow('patches: expected an integer in [1, 12] (the stage output "b4.proj" is 12x12; every patch needs at least one row and column), got 13');
    expect(() => planPatches(net, 5, 0)).toThrow('patches: expected an integer in [1, 12]');
    // split 18: the stage output is 3x3
    expect(() => planPatches(net, 18, 4)).toThrow('patches: expected an integer in [1, 3]');
    // a split that leaves a residual input crossing the stage boundary: block 3's add reads b2.proj, inside; fine.
    // inside a block: the stage must end where the rest reads only its last layer
    const json: NetworkJson = {
      input: { h: 8, w: 8, c: 2, scale: 0.1, zeroPoint: 0 },
      layers: [
        { name: 'a', op: 'pointwise', outChannels: 2, output: { scale: 0.1, zeroPoint: 0 }, weightScales: 0.01 },
        { name: 'b', op: 'pointwise', block: 1, outChannels: 2, output: { scale: 0.1, zeroPoint: 0 }, weightScales: 0.01 },
        { name: 'c', op: 'add', block: 1, inputs: ['b', 'input'], output: { scale: 0.2, zeroPoint: 0 } },
      ],
    };
    expect(() => planPatches(resolveNetwork(json), 1, 2)).toThrow('split 1: a layer after the patch stage reads the network input');
  });
});

describe('a two-layer stage, by hand', () => {
  const q = { scale: 0.1, zeroPoint: 0 };
  const json: NetworkJson = {
    input: { h: 8, w: 8, c: 1, ...q },
    layers: [
      { name: 'c1', op: 'conv2d', kernel: 3, padding: 'same', outChannels: 1, output: q, weightScales: 0.01 },
      { name: 'c2', op: 'conv2d', kernel: 3, padding: 'same', outChannels: 1, output: q, weightScales: 0.01 },
      { name: 'pw', op: 'pointwise', block: 1, outChannels: 1, output: q, weightScales: 0.01 },
    ],
  };
  it('regions, pads, MACs, memory', () => {
    const plan = planPatches(resolveNetwork(json), 1, 2);
    expect(plan.rows).toEqual([4, 4]);
    const p00 = plan.grid[0]!;
    // c2's output [0,4)^2 reads c1 rows [-1, 5): clipped [0, 5), pad 1 before; c1's [0,5) reads input [-1, 6) -> [0, 6)
    expect(p00.layers.map((l) => [l.name, l.out, l.in[0], l.pad])).toEqual([
      ['c1', { y0: 0, y1: 5, x0: 0, x1: 5 }, { y0: 0, y1: 6, x0: 0, x1: 6 }, { top: 1, bottom: 0, left: 1, right: 0 }],
      ['c2', { y0: 0, y1: 4, x0: 0, x1: 4 }, { y0: 0, y1: 5, x0: 0, x1: 5 }, { top: 1, bottom: 0, left: 1, right: 0 }],
    ]);
    const p11 = plan.grid[3]!;
    expect(p11.layers[0]!.in[0]).toEqual({ y0: 2, y1: 8, x0: 2, x1: 8 });
    expect(p11.layers[0]!.pad).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    // receptive field without clipping: [-2, 6)
    expect(p00.layers[0]!.rf).toEqual({ y0: -2, y1: 6, x0: -2, x1: 6 });
    expect(plan.inputPatch.map((x) => x.h)).toEqual([8, 6, 4]);
    // MACs: whole 2 * 64 * 9; exact 4 * (25 + 16) * 9; uniform 4 * (36 + 16) * 9
    expect(plan.macs.stageWhole).toBe(1152);
    expect(plan.macs.stagePatch).toBe(1476);
    expect(plan.macs.stagePatchUniform).toBe(1872);
    expect(plan.macs.stageOverhead).toBeCloseTo(1476 / 1152 - 1, 12);
    // memory: input crop 36 + c1 25 + stage output 64 pinned; then pw 64 + 64
    expect(plan.memory.steps.map((s) => s.live)).toEqual([36 + 25 + 64, 25 + 64, 64 + 64]);
    expect(plan.memory.extent).toBe(plan.memory.peak);
  });
});

describe('MobileNetV2 1.0/224, 4x4, split 5', () => {
  const sym = planPatches(mobilenetv2Network({ padding: 'symmetric' }), 5, 4);
  const same = planPatches(mobilenetv2Network(), 5, 4);

  it('input patch sizes, step and border pads', () => {
    for (const p of [sym, same]) {
      expect(p.inputPatch).toEqual([
        { layer: 'stem', h: 75, w: 75 }, { layer: 'b1.dw', h: 37, w: 37 }, { layer: 'b2.dw', h: 35, w: 35 },
        { layer: 'b3.dw', h: 17, w: 17 }, { layer: 'b4.dw', h: 15, w: 15 }, { layer: 'b4.proj', h: 7, w: 7 },
      ]);
      expect(p.stageOutput).toBe(p.net.layers.findIndex((l) => l.name === 'b4.proj'));
    }
    const stemRf = (p: typeof sym, i: number) => p.grid[i]!.layers[0]!.rf;
    expect(stemRf(sym, 0).x0).toBe(-13);
    expect(stemRf(same, 0).x0).toBe(-6);
    expect(stemRf(sym, 1).x0 - stemRf(sym, 0).x0).toBe(56);
    // the clipped input of the first patch starts at 0 with the layer's own padding
    expect(sym.grid[0]!.layers[0]!.pad).toMatchObject({ top: 1, left: 1, bottom: 0, right: 0 });
    expect(same.grid[0]!.layers[0]!.pad).toMatchObject({ top: 0, left: 0, bottom: 0, right: 0 });
    // the last patch of SAME: the stem pads 1 after (224 -> 112 with total pad 1)
    expect(same.grid[15]!.layers[0]!.pad).toMatchObject({ bottom: 1, right: 1 });
  });

  it('peak 176,400 B (172.3 kB) and its placement', () => {
    for (const p of [sym, same]) {
      expect([p.memory.peak, p.memory.extent, p.memory.peakLayer]).toEqual([176400, 176400, 'b5.dw']);
      // the stage's working set at b2.exp: 35x35x16 + 35x35x96 + the 28x28x32 stage output
      expect(p.memory.steps.find((s) => s.name === 'b2.exp')!.live).toBe(35 * 35 * (16 + 96) + 28 * 28 * 32);
      // the stage output is pinned at the top of the arena for the whole stage
      const so = p.memory.buffers[p.memory.bufferOf.get(p.stageOutput)!]!;
      expect([so.first, so.offset, so.size]).toEqual([0, 176400 - 25088, 25088]);
      for (const st of p.memory.steps) {
        const live = st.buffers.map((id) => p.memory.buffers[id]!).map((b) => [b.offset, b.offset + sizeAt(b, st.step)]).sort((a, b) => a[0]! - b[0]!);
        for (let i = 1; i < live.length; i++) expect(live[i]![0]).toBeGreaterThanOrEqual(live[i - 1]![1]!);
      }
    }
    expect(sym.memory.peak / 1024).toBeCloseTo(172.27, 2);
  });

  it('MACs: 16 interior patches by hand, the +12.7% recount, and the exact count', () => {
    const interior = 37 * 37 * 32 * 27 + 35 * 35 * 32 * 9 + 35 * 35 * 32 * 16
      + 35 * 35 * 16 * 96 + 17 * 17 * 96 * 9 + 17 * 17 * 96 * 24
      + 17 * 17 * 24 * 144 + 15 * 15 * 144 * 9 + 15 * 15 * 144 * 24
      + 15 * 15 * 24 * 144 + 7 * 7 * 144 * 9 + 7 * 7 * 144 * 32;
    for (const p of [sym, same]) {
      expect(p.macs.stagePatchUniform).toBe(16 * interior);
      expect(Math.round(p.macs.stageOverheadUniform * 100)).toBe(42); // paper: +42%
      expect(Math.round(p.macs.overallOverheadUniform * 1000) / 10).toBe(12.7); // the reference's recount
      expect(p.macs.stagePatch).toBeLessThan(p.macs.stagePatchUniform); // border patches are smaller
    }
    expect(sym.macs.stagePatch).toBe(same.macs.stagePatch);
  });
});

describe('MbV2-RD 1.0/224, 4x4, split 4', () => {
  it('a 63x63 input patch and the paper\'s 73M patch-stage MACs', () => {
    const p = planPatches(mobilenetv2Network({ variant: 'rd' }), 4, 4);
    expect(p.inputPatch.map((x) => x.h)).toEqual([63, 31, 15, 7]);
    const interior = 31 * 31 * 32 * 27 + 31 * 31 * 32 * 16
      + 31 * 31 * 16 * 96 + 15 * 15 * 96 * 9 + 15 * 15 * 96 * 24
      + 15 * 15 * 24 * 144 + 7 * 7 * 144 * 9 + 7 * 7 * 144 * 32;
    expect(p.macs.stagePatchUniform).toBe(16 * interior);
    expect(Math.round(p.macs.stagePatchUniform / 1e6)).toBe(73); // Table 1: 73M
    expect(Math.round(p.macs.stageOverheadUniform * 100)).toBe(18); // Table 1: +18%
    expect([p.memory.peak, p.memory.extent]).toEqual([176400, 176400]);
  });
});

describe('search', () => {
  const net = mobilenetv2Network();
  const budget = 256 * 1024;
  const s = searchPatchConfigs(net, { budget });

  it('tries every split and patch count', () => {
    expect(s.entries[0]).toMatchObject({ split: 0, patches: 1, arena: 1404928, macOverhead: 0 });
    expect(s.entries.length + s.skipped.length).toBe(1 + 18 * 7);
    for (const k of s.skipped) expect(k.reason).toMatch(/^patches: expected an integer in \[1, [1-7]\]/);
    for (const e of s.entries) expect(e.arena).toBe(e.peak);
    const e54 = s.entries.find((e) => e.split === 5 && e.patches === 4)!;
    expect(e54.arena).toBe(176400);
    expect(e54.inputPatch).toEqual([75, 37, 35, 17, 15, 7]);
  });

  it('the Pareto front and the best under the budget, by brute force', () => {
    const dominated = (a: typeof s.entries[0]) => s.entries.some((b) => b.arena <= a.arena && b.macOverhead <= a.macOverhead && (b.arena < a.arena || b.macOverhead < a.macOverhead));
    for (const e of s.pareto) expect(dominated(e)).toBe(false);
    for (const e of s.entries) if (!s.pareto.includes(e)) expect(dominated(e) || s.pareto.some((p) => p.arena === e.arena && p.macOverhead === e.macOverhead)).toBe(true);
    for (let i = 1; i < s.pareto.length; i++) expect(s.pareto[i]!.arena).toBeGreaterThan(s.pareto[i - 1]!.arena);
    const fits = s.entries.filter((e) => e.arena <= budget);
    const least = Math.min(...fits.map((e) => e.macOverhead));
    expect(s.best!.arena).toBeLessThanOrEqual(budget);
    expect(s.best!.macOverhead).toBe(least);
    expect(s.pareto).toContain(s.best);
    expect(searchPatchConfigs(net, { budget: 1000, splits: [5], patches: [4] }).best).toBeNull();
    expect(searchPatchConfigs(net, { budget: 2e6, splits: [5], patches: [4] }).best).toMatchObject({ split: 0, patches: 1 });
  });
});
