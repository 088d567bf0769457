/**
 * The network firmware's own kernels (src/netfw/kernels.ts), through small networks built by the firmware builder and
 * run on the simulated boards, against the bit-exact reference (runNetworkReference):
 * - in-place depthwise over kernel sizes 1..5 (square and not), strides 1..3, dilations 1..2, the three padding
 *   styles, channel counts 1..20, both roundings, every activation;
 * - the fused projection + residual add (the projection's output as the add's first or second input);
 * - add (not fused: the layer before it reads the residual too), average and max pool (padding, strides);
 * - the same networks patch by patch: crops read with a row stride (a tensor held wider than a reader needs: the
 *   in-place depthwise and the fused add), the stage's last layer written into the stage output at each patch's
 *   place, by every kind of kernel (src/kernels' per output row, the add, the pools, the fused add).
 * Every run also checks that the arena's measured high-water mark equals the memory planner's peak.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NetworkError, fillRealisticQuant, networkWeights, randomInput, resolveNetwork, runNetworkReference, type LayerDraft, type Network } from '../../src/net/network.js';
import { planPatches } from '../../src/net/patch.js';
import { runNetwork, type NetVariant } from '../../src/netfw/index.js';

const SEED = 606;

function net(input: { h: number; w: number; c: number }, layers: LayerDraft[], seed: number): Network {
  return resolveNetwork(fillRealisticQuant({ input: { ...input, scale: 0.02, zeroPoint: 3 }, seed, layers }, seed));
}

let total = 0, extentIsPeak = 0;

/** net(), or null when the network validator rejects it */
function tryNet(input: { h: number; w: number; c: number }, layers: LayerDraft[], seed: number): Network | null {
  try { return net(input, layers, seed); } catch (e) { if (e instanceof NetworkError) return null; throw e; }
}

/** Run whole (and patch mode for each split / patch count given) and check output and high-water mark. */
function check(n: Network, opts: { variant?: NetVariant; board?: string; patches?: [number, number][]; timing?: boolean; seed?: number } = {}) {
  const w = networkWeights(n), x = randomInput(n, opts.seed ?? 1);
  const expected = runNetworkReference(n, w, x).output;
  const ro = { expected, timing: opts.timing ?? false, schedule: 'compact-2x2' as const };
  total++;
  const whole = runNetwork(n, w, x, 'whole', opts.variant ?? 'scalar', opts.board ?? 'mps2-an386', ro);
  expect(whole.mismatches, `${n.name} whole`).toBe(0);
  // the high-water mark is the placement's extent: the planner's peak unless its placement rule could not reach it
  // (memplan.ts: a buffer that fits neither end below the peak goes above it; never for the MobileNetV2 family)
  expect(whole.arenaHighWater).toBe(whole.arenaBytes);
  if (whole.arenaBytes === whole.plannedPeak) extentIsPeak++;
  for (const [split, p] of opts.patches ?? []) {
    const plan = planPatches(n, split, p);
    const r = runNetwork(n, w, x, { patch: plan }, opts.variant ?? 'scalar', opts.board ?? 'mps2-an386', ro);
    expect(r.mismatches, `${n.name} split ${split} ${p}x${p}`).toBe(0);
    expect(r.arenaHighWater).toBe(plan.memory.extent);
    if (plan.memory.extent === plan.memory.peak) extentIsPeak++;
    total++;
  }
  return whole;
}

describe('in-place depthwise', () => {
  it('runs in place (its own kernel, the plan\'s temporary) and matches the reference over geometries', () => {
    const arb = fc.record({
      h: fc.integer({ min: 3, max: 11 }), w: fc.integer({ min: 3, max: 11 }), c: fc.integer({ min: 1, max: 20 }),
      kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 5 }), stride: fc.integer({ min: 1, max: 3 }),
      dilation: fc.integer({ min: 1, max: 2 }), padding: fc.constantFrom('same' as const, 'valid' as const, 'symmetric' as const),
      activation: fc.constantFrom('none' as const, 'relu' as const, 'relu6' as const), rounding: fc.constantFrom('double' as const, 'single' as const),
      seed: fc.integer({ min: 0, max: 1e6 }), variant: fc.constantFrom('scalar' as const, 'simd' as const), wide: fc.boolean(),
    }).filter((g) => g.padding !== 'valid' || (g.h >= (g.kh - 1) * g.dilation + 1 && g.w >= (g.kw - 1) * g.dilation + 1));
    let runs = 0, dsp = 0;
    fc.assert(fc.property(arb, (g) => {
      // wide: rows of more than 4095 bytes (the DSP kernel's row pointer)
      const n = net({ h: g.h, w: g.w, c: 4 }, [
        { name: 'exp', op: 'pointwise', outChannels: g.wide ? 400 + g.c : g.c, activation: 'relu6' },
        { name: 'dw', op: 'depthwise', kernel: { h: g.kh, w: g.kw }, stride: g.stride, dilation: g.dilation, padding: g.padding, activation: g.activation, rounding: g.rounding },
      ], g.seed);
      const r = check(n, { seed: g.seed, variant: g.variant });
      const dw = r.firmware.manifest.units.find((u) => u.layers[0] === 1)!;
      expect(dw.kernel).toBe('inplace-depthwise');
      if (/smlab/.test(dw.text)) dsp++;
      runs++;
    }), { numRuns: 60, seed: SEED });
    expect(runs).toBe(60);
    expect(dsp).toBeGreaterThan(8);
  });
});

describe('fused projection + residual add, add, pools', () => {
  it('fused add (scalar and DSP) with the projection as either input, any channel counts, both roundings', () => {
    const arb = fc.record({
      hw: fc.integer({ min: 2, max: 9 }), c: fc.integer({ min: 1, max: 13 }), hidden: fc.integer({ min: 1, max: 90 }),
      first: fc.boolean(), rounding: fc.constantFrom('double' as const, 'single' as const), seed: fc.integer({ min: 0, max: 1e6 }),
      variant: fc.constantFrom('scalar' as const, 'simd' as const),
    });
    fc.assert(fc.property(arb, (g) => {
      const n = net({ h: g.hw, w: g.hw, c: g.c }, [
        { name: 'x', op: 'pointwise', outChannels: g.c },
        { name: 'exp', op: 'pointwise', outChannels: g.hidden, activation: 'relu6' },
        { name: 'proj', op: 'pointwise', outChannels: g.c, rounding: g.rounding },
        { name: 'add', op: 'add', inputs: g.first ? ['proj', 'x'] : ['x', 'proj'], rounding: g.rounding },
      ], g.seed);
      const r = check(n, { seed: g.seed, variant: g.variant });
      const fused = r.firmware.manifest.units.find((u) => u.layers.length === 2)!;
      expect(fused.kernel).toBe('pointwise+add');
      expect(fused.text).toMatch(g.variant === 'simd' ? /smlad/ : /mla r4, r7, r8, r4/);
    }), { numRuns: 40, seed: SEED + 1 });
  });

  it('add (not fused), average and max pools over windows, strides and paddings, whole and patch by patch', () => {
    const arb = fc.record({
      hw: fc.integer({ min: 6, max: 14 }), c: fc.integer({ min: 1, max: 9 }), pool: fc.constantFrom('avgpool' as const, 'maxpool' as const),
      k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), padding: fc.constantFrom('same' as const, 'valid' as const, 'symmetric' as const),
      split: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 1, max: 3 }), seed: fc.integer({ min: 0, max: 1e6 }),
    });
    let runs = 0;
    fc.assert(fc.property(arb, (g) => {
      const n = tryNet({ h: g.hw, w: g.hw, c: 3 }, [
        { name: 'c1', op: 'conv2d', block: 0, kernel: 3, stride: 1, padding: 'same', outChannels: g.c, activation: 'relu' },
        { name: 'c2', op: 'pointwise', block: 1, outChannels: g.c },
        { name: 'add', op: 'add', block: 1, inputs: ['c2', 'c1'] },
        { name: 'pool', op: g.pool, block: 2, kernel: g.k, stride: g.s, padding: g.padding },
        { name: 'fc', op: 'fully_connected', block: 3, outChannels: 5 },
      ], g.seed);
      fc.pre(n !== null); // an average pool window covering no input pixel is rejected by the network validator
      const out = n.layers.filter((l) => l.block < g.split).at(-1)!.output;
      const p = Math.min(g.p, out.h, out.w);
      const r = check(n, { seed: g.seed, patches: [[g.split, p]] });
      const kinds = r.firmware.manifest.units.map((u) => u.kernel);
      expect(kinds).toContain('add');
      expect(kinds).toContain(g.pool);
      runs++;
    }), { numRuns: 30, seed: SEED + 2 });
    expect(runs).toBe(30);
  });

  it('crops read with a row stride: a tensor held wider than the in-place depthwise and the fused add read', () => {
    // exp is read by a 5x5 conv (halo 2) and the 3x3 in-place depthwise (halo 1): in a patch the depthwise reads a
    // crop of exp's region; the fused add reads a crop of the conv's output region held for nobody wider, and its
    // output (the stage output at split 1) goes into the stage output with the full row stride
    for (const [hw, split, p, seed] of [[12, 1, 3, 1], [13, 1, 2, 2], [16, 1, 4, 3], [11, 1, 1, 4]] as const) {
      const n = net({ h: hw, w: hw, c: 3 }, [
        { name: 'exp', op: 'pointwise', block: 0, outChannels: 12, activation: 'relu6' },
        { name: 'a', op: 'conv2d', block: 0, inputs: ['exp'], kernel: 5, padding: 'same', outChannels: 6 },
        { name: 'dw', op: 'depthwise', block: 0, inputs: ['exp'], kernel: 3, padding: 'same', activation: 'relu6' },
        { name: 'proj', op: 'pointwise', block: 0, outChannels: 6 },
        { name: 'add', op: 'add', block: 0, inputs: ['proj', 'a'] },
        { name: 'pool', op: 'avgpool', block: 1, kernel: 3, stride: 2, padding: 'same' },
        { name: 'fc', op: 'fully_connected', block: 1, outChannels: 4 },
      ], seed);
      const r = check(n, { seed, patches: [[split, p]] });
      expect(r.firmware.manifest.units.map((u) => u.kernel)).toEqual(expect.arrayContaining(['inplace-depthwise', 'pointwise+add']));
      const plan = planPatches(n, split, p);
      if (p > 1) {
        // the depthwise reads less than exp's region: a crop
        const q = plan.grid[0]!;
        const dw = q.layers.find((l) => l.name === 'dw')!;
        expect(dw.in[0]!.x1 - dw.in[0]!.x0).toBeLessThan(q.regions.get(0)!.x1 - q.regions.get(0)!.x0);
      }
    }
  });

  it('the simd variant and the timing model give the same outputs (M4 and M7)', () => {
    const n = net({ h: 10, w: 10, c: 8 }, [
      { name: 'exp', op: 'pointwise', block: 0, outChannels: 24, activation: 'relu6' },
      { name: 'dw', op: 'depthwise', block: 0, kernel: 3, padding: 'same', activation: 'relu6' },
      { name: 'proj', op: 'pointwise', block: 0, outChannels: 8 },
      { name: 'add', op: 'add', block: 0, inputs: ['proj', 'input'] },
      { name: 'dw2', op: 'depthwise', block: 1, kernel: 3, stride: 2, padding: 'same' },
      { name: 'fc', op: 'fully_connected', block: 1, outChannels: 4 },
    ], 9);
    for (const board of ['stm32f411re', 'stm32h743']) {
      for (const variant of ['scalar', 'simd'] as const) check(n, { variant, board, timing: true, patches: [[1, 2], [1, 3]] });
    }
  });
});

describe('high-water marks', () => {
  it('equal the planner\'s peak in nearly every run above (else its placement\'s extent, which exceeds the peak)', () => {
    expect(total).toBeGreaterThan(100);
    expect(extentIsPeak / total).toBeGreaterThan(0.8);
  });
});
