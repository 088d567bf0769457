/**
 * The network firmware's own kernels (src/netfw/kernels.ts), through small networks built by the firmware builder and
 * run on the simulated boards, against the bit-exact reference (runNetworkReference):
 * - in-place depthwise over kernel sizes 1..5 (square and not), strides 1..3, dilations 1..2, the three padding
 *   styles, channel counts 1..20, both roundings, every activation; the DSP kernel's int8 records (the taps reordered
 *   for SXTB16 pairs, M, T, one folded bias a channel: the classes' biases computed per channel) worked by hand, and
 *   its kernels beyond the 10 taps the registers hold (5x5 as MbV2-RD has, up to 7x7: the weight pairs in the frame),
 *   near and far rows, on the M4 and the M7;
 * - the DSP fused projection + add's int8 records (K + 12 bytes a channel) and its Cortex-M7 order (software-pipelined
 *   loads, loops with and without left-over groups);
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
import { inPlaceDepthwiseKernelDsp, inPlaceDepthwiseDspSupport, fusedPointwiseAddKernelDsp, reorderedTapWords, IPDD_MAX_TAPS } from '../../src/netfw/kernels.js';
import { planLayer, type LayerSpec } from '../../src/nn/spec.js';
import { mobilenetv2Network } from '../../src/net/mobilenetv2.js';

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

describe('the DSP kernels\' int8 weights (the simd variant keeps every weight int8 in flash)', () => {
  it('the taps reordered for SXTB16: word q holds taps 4q, 4q+2, 4q+1, 4q+3, so its halves are the pairs (4q, 4q+1), (4q+2, 4q+3)', () => {
    expect(Array.from(reorderedTapWords(5, (t) => t + 1))).toEqual([1, 3, 2, 4, 5, 0, 0, 0]);
    expect(Array.from(reorderedTapWords(9, (t) => 10 * t))).toEqual([0, 20, 10, 30, 40, 60, 50, 70, 80, 0, 0, 0]);
  });
  it('in-place records: the reordered int8 taps, M, T, 2 x the bias folded over all taps: 4 ceil(T/4) + 12 bytes a channel', () => {
    // 3x3 SAME on 4x4x2, input zero point 3 (offset -3), weights t + 1 (channel 0) and -(t + 1) (channel 1), bias 50, -60
    const spec: LayerSpec = {
      kind: 'depthwise', input: { h: 4, w: 4, c: 2 }, kernel: 3, padding: 'same', inputZeroPoint: 3, inputScale: 1,
      outputZeroPoint: -4, outputScale: 1, weightScales: [2 ** -10, 2 ** -12], bias: [50, -60],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 18 }, (_, i) => (i % 2 ? -1 : 1) * (Math.floor(i / 2) + 1));
    expect(inPlaceDepthwiseDspSupport(plan, w)).toBeNull();
    const k = inPlaceDepthwiseKernelDsp(plan, w);
    const b = k.tables[0]!.bytes, dv = new DataView(b.buffer);
    expect(k.tables[0]!.name).toBe('ipdd_rec');
    expect(b.length).toBe(2 * (12 + 12));
    expect(Array.from(new Int8Array(b.buffer, 0, 12))).toEqual([1, 3, 2, 4, 5, 7, 6, 8, 9, 0, 0, 0]);
    // M, T = 2^(R-1) + zp 2^R (R = 9: 256 - 4 x 512 = -1792), 2 x (50 - 3 x 45) = -170
    expect([dv.getInt32(12, true), dv.getInt32(16, true), dv.getInt32(20, true)]).toEqual([plan.multipliers[0], -1792, -170]);
    // channel 1: R = 11: 1024 - 4 x 2048 = -7168; 2 x (-60 + 3 x 45) = 150
    expect(Array.from(new Int8Array(b.buffer, 24, 12))).toEqual([-1, -3, -2, -4, -5, -7, -6, -8, -9, 0, 0, 0]);
    expect([dv.getInt32(40, true), dv.getInt32(44, true)]).toEqual([-7168, 150]);
    // the classes' biases are computed per channel: z x 2w for each tap outside (SMLAD with r1 = [z, z] for a pair of
    // taps both outside, SMLABB / SMLABT with r3 = z for one); the top-left class (rows 1..2, columns 1..2) misses taps
    // 0, 1, 2, 3, 6: pairs (0, 1), (2, 3), then tap 6 alone (the low half of pair 3)
    const text = k.lines.join('\n');
    expect(text).toMatch(/smlad r12, r1, r4, r12 {4}@ taps 0, 1\n {2}smlad r12, r1, r5, r12 {4}@ taps 2, 3\n {2}smlabb r12, r3, r7, r12 {4}@ tap 6\n/);
  });
  it('kernels of 11 to 49 taps (5x5 as MbV2-RD has, 4x3, 7x7): the DSP kernel with the weight pairs in the frame, near and far rows', () => {
    const arb = fc.record({
      h: fc.integer({ min: 3, max: 10 }), w: fc.integer({ min: 3, max: 10 }), c: fc.integer({ min: 1, max: 12 }),
      k: fc.constantFrom([5, 5], [4, 3], [3, 4], [7, 7], [2, 6], [5, 5]), stride: fc.integer({ min: 1, max: 2 }), dilation: fc.integer({ min: 1, max: 2 }),
      padding: fc.constantFrom('same' as const, 'symmetric' as const), activation: fc.constantFrom('none' as const, 'relu6' as const),
      seed: fc.integer({ min: 0, max: 1e6 }), wide: fc.boolean(), board: fc.constantFrom('mps2-an386', 'stm32h743'),
    });
    let far = 0;
    fc.assert(fc.property(arb, (g) => {
      const n = net({ h: g.h, w: g.w, c: 4 }, [
        { name: 'exp', op: 'pointwise', outChannels: g.wide ? 200 + g.c : g.c, activation: 'relu6' },
        { name: 'dw', op: 'depthwise', kernel: { h: g.k[0]!, w: g.k[1]! }, stride: g.stride, dilation: g.dilation, padding: g.padding, activation: g.activation },
      ], g.seed);
      const dwl = n.layers[1]!, w = networkWeights(n)[1]!;
      fc.pre(inPlaceDepthwiseDspSupport(dwl.plan, w) === null);
      const r = check(n, { seed: g.seed, variant: 'simd', board: g.board });
      const dw = r.firmware.manifest.units.find((u) => u.layers[0] === 1)!;
      expect(dw.kernel).toBe('inplace-depthwise');
      expect(dw.text).toContain('widened per channel into the frame');
      // the Cortex-M7's order: the loads software-pipelined (ldrsb right after a MAC)
      expect(dw.text.includes('instruction order for the Cortex-M7')).toBe(g.board === 'stm32h743');
      if (/lr row step/.test(dw.text)) far++;
    }), { numRuns: 30, seed: SEED + 10 });
    expect(far).toBeGreaterThan(3);
  });
  it('5x5 and 7x7 in place with the timing model on the M4 and the M7, whole and patch by patch', () => {
    for (const k of [5, 7]) {
      const n = net({ h: 12, w: 12, c: 8 }, [
        { name: 'exp', op: 'pointwise', block: 0, outChannels: 24, activation: 'relu6' },
        { name: 'dw', op: 'depthwise', block: 0, kernel: k, padding: 'same', activation: 'relu6' },
        { name: 'proj', op: 'pointwise', block: 0, outChannels: 8 },
        { name: 'dw2', op: 'depthwise', block: 1, kernel: k, stride: 2, padding: 'same' },
        { name: 'fc', op: 'fully_connected', block: 1, outChannels: 4 },
      ], 20 + k);
      for (const board of ['stm32f411re', 'stm32h743']) {
        const r = check(n, { variant: 'simd', board, timing: true, patches: [[1, 2]] });
        const dws = r.firmware.manifest.units.filter((u) => u.kernel === 'inplace-depthwise');
        expect(dws.length).toBe(2);
        for (const u of dws) expect(u.text).toMatch(/smlab/);
      }
    }
  });
  it('MbV2-RD\'s 5x5 depthwise layers run the DSP in-place kernel (no longer the scalar one)', () => {
    const n = mobilenetv2Network({ width: 0.35, resolution: 32, classes: 4, anyResolution: true, variant: 'rd', seed: 3 });
    const w = networkWeights(n);
    const five = n.layers.filter((l) => l.op === 'depthwise' && l.plan.kh === 5);
    expect(five.length).toBeGreaterThan(0);
    for (const l of five) expect(inPlaceDepthwiseDspSupport(l.plan, w[l.index]!)).toBeNull();
    const r = check(n, { variant: 'simd' });
    for (const l of five) {
      const u = r.firmware.manifest.units.find((x) => x.layers[0] === l.index)!;
      expect(u.kernel).toBe('inplace-depthwise');
      expect(u.text).toMatch(/smlab/);
    }
    expect(IPDD_MAX_TAPS).toBeGreaterThanOrEqual(25);
  });
  it('fused projection + add records: bias x 2, the int8 words, M and R x 2: K (rounded to 4) + 12 bytes a channel', () => {
    const n = net({ h: 3, w: 3, c: 6 }, [
      { name: 'x', op: 'pointwise', outChannels: 6 },
      { name: 'exp', op: 'pointwise', outChannels: 10, activation: 'relu6' },
      { name: 'proj', op: 'pointwise', outChannels: 6 },
      { name: 'add', op: 'add', inputs: ['proj', 'x'] },
    ], 5);
    const proj = n.layers[2]!, add = n.layers[3]!, w = networkWeights(n)[2]!;
    const g = { rows: 3, cols: 3, pStride: 30, xStride: 18, oStride: 18 };
    const k = fusedPointwiseAddKernelDsp(proj.plan, w, add.plan, true, g);
    const t = k.tables.find((x) => x.name === 'fu_w')!;
    // 3 pairs x (8 + 3 groups x 8 + 16) = 144 = 6 x (12 + 12)
    expect(t.bytes.length).toBe(3 * (8 + 24 + 16));
    const dv = new DataView(t.bytes.buffer);
    expect(dv.getInt32(0, true)).toBe(proj.plan.bias ? proj.plan.bias[0] : 0);
    // group 0: channel 0's weights 0..3 in order, then channel 1's
    expect(Array.from(new Int8Array(t.bytes.buffer, 8, 8))).toEqual([...Array.from(w.slice(0, 4)), ...Array.from(w.slice(10, 14))]);
    // the last group holds inputs 8, 9 and zeros; then M0, R0, M1, R1
    expect(Array.from(new Int8Array(t.bytes.buffer, 24, 4))).toEqual([w[8], w[9], 0, 0]);
    expect([dv.getInt32(32, true), dv.getInt32(36, true)]).toEqual([proj.plan.multipliers[0], -proj.plan.shifts[0]!]);
    expect(k.tables.map((x) => x.name)).not.toContain('fu_rq');
  });
  it('fused projection + add on the M7: software-pipelined reductions of 1 to 80 groups (loops with and without a tail)', () => {
    for (const [hidden, seed] of [[4, 1], [32, 2], [36, 3], [44, 4], [96, 5], [320, 6]] as const) {
      const n = net({ h: 3, w: 2, c: 5 }, [
        { name: 'x', op: 'pointwise', outChannels: 5 },
        { name: 'exp', op: 'pointwise', outChannels: hidden, activation: 'relu6' },
        { name: 'proj', op: 'pointwise', outChannels: 5 },
        { name: 'add', op: 'add', inputs: ['x', 'proj'] },
      ], seed);
      const r = check(n, { variant: 'simd', board: 'stm32h743' });
      const fused = r.firmware.manifest.units.find((u) => u.layers.length === 2)!;
      expect(fused.kernel).toBe('pointwise+add');
      expect(fused.text).toContain('each group loads the next one\'s operands');
    }
  });
});

describe('high-water marks', () => {
  it('equal the planner\'s peak in nearly every run above (else its placement\'s extent, which exceeds the peak)', () => {
    expect(total).toBeGreaterThan(100);
    expect(extentIsPeak / total).toBeGreaterThan(0.8);
  });
});
