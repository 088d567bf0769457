/**
 * The DSP-SIMD kernels (src/kernels/simd.ts): pointwise (1x1, stride 1) and fully connected. Checked:
 *  - the reordered weight stream's layout, worked by hand;
 *  - the requantisation mode the generator picks (and its overflow bound);
 *  - hand-picked layers (odd and even channel and pixel counts, inC % 4 = 0..3, every requantisation mode, relu /
 *    relu6 / none) bit-exact with the reference on stm32f411re (Cortex-M4) and stm32h743 (Cortex-M7);
 *  - a fast-check property over random pointwise / fully connected layers (layerCase), realistic and extreme
 *    quantisation, on both boards;
 *  - the unrolled schedule (tiles of O channels x P pixels, constants in literal pools; the Cortex-M4 boards'): the
 *    tile per pixel count, hand-picked layers for each tile, segments, pools, clamps, uniform and per-channel shifts,
 *    on mps2-an386 and stm32f411re, and a fast-check property on mps2-an386;
 *  - fallback to the scalar kernel, reported, for the layers the simd variant does not run;
 *  - throughput: >= 2x the scalar kernel's cycles; the MAC/cycle reached on mps2-an386 (0.748 for 16->96, 0.901 for
 *    96->24 at 56x56: the issue's 0.9 is reached for 96->24 and out of reach for 16 input channels, see simd.ts),
 *    pinned against regressions.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runKernel, simdWeightStream, requantMode } from '../../src/kernels/index.js';
import { simdKernel, unrolledSupport, unrolledTile } from '../../src/kernels/simd.js';
import { planLayer, type LayerSpec } from '../../src/nn/spec.js';
import { withRealisticQuant, randomLayerData, type LayerGeometry } from '../../src/nn/tensor.js';
import { layerCase } from '../../src/testing/arbitraries.js';

const BOARDS = ['stm32f411re', 'stm32h743'] as const;

const pw = (h: number, w: number, c: number, oc: number, seed: number, extra: Partial<LayerGeometry> = {}): LayerSpec =>
  withRealisticQuant({ kind: 'pointwise', input: { h, w, c }, outChannels: oc, ...extra } as LayerGeometry, seed);

describe('weight stream', () => {
  it('records: bias x 2, parameters, int16 weight pairs by groups of 4 (worked by hand)', () => {
    // 1x1x5 -> 3 channels; weights w[oc][i] = 10 * oc + i; bias 7, -8, 9; weight scale 2^-10: M = 2^30, shift -9
    const spec: LayerSpec = {
      kind: 'pointwise', input: { h: 1, w: 1, c: 5 }, outChannels: 3, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: [2 ** -10], bias: [7, -8, 9],
    };
    const plan = planLayer(spec);
    const w = Int8Array.from({ length: 15 }, (_, k) => 10 * Math.floor(k / 5) + (k % 5));
    expect(plan.shifts[0]).toBe(-9);
    expect(plan.multipliers[0]).toBe(2 ** 30);
    // |acc| <= 9 + 128 * 110 small; shift -9 for every channel: right-uniform (one parameter word: M)
    expect(requantMode(plan, w)).toBe('right-uniform');
    const s = simdWeightStream(plan, w, 'right-uniform');
    const dv = new DataView(s.buffer);
    const h16 = (o: number, n: number) => Array.from({ length: n }, (_, i) => dv.getInt16(o + 2 * i, true));
    // pair record (channels 0, 1): bias x 2: 14, -16 | M0, M1 | group 0: ch0 [w0 w2][w1 w3], ch1 [..] |
    // group 1 (channel 4 then zeros): ch0 [4 0][0 0], ch1 [14 0][0 0]: 16 + 32 = 48 bytes
    expect(dv.getInt32(0, true)).toBe(14);
    expect(dv.getInt32(4, true)).toBe(-16);
    expect(dv.getInt32(8, true)).toBe(2 ** 30);
    expect(dv.getInt32(12, true)).toBe(2 ** 30);
    expect(h16(16, 8)).toEqual([0, 2, 1, 3, 10, 12, 11, 13]);
    expect(h16(32, 8)).toEqual([4, 0, 0, 0, 14, 0, 0, 0]);
    // single record (channel 2) from byte 48: bias 18 | M | [20 22][21 23] | [24 0][0 0]: 8 + 16 = 24 bytes
    expect(dv.getInt32(48, true)).toBe(18);
    expect(dv.getInt32(52, true)).toBe(2 ** 30);
    expect(h16(56, 8)).toEqual([20, 22, 21, 23, 24, 0, 0, 0]);
    expect(s.length * 4).toBe(72);
  });
  it('requantisation modes', () => {
    const base = (ws: number[], extra: Partial<LayerSpec> = {}): LayerSpec => ({
      kind: 'fully_connected', input: { h: 1, w: 1, c: 4 }, outChannels: ws.length, inputZeroPoint: 0, inputScale: 1,
      outputZeroPoint: 0, outputScale: 1, weightScales: ws, ...extra,
    });
    const w = new Int8Array(8).fill(1);
    const mode = (s: LayerSpec) => requantMode(planLayer(s), w);
    expect(mode(base([2 ** -10, 2 ** -10]))).toBe('right-uniform');
    // per-channel shifts -9, -11; the zero point joins the rounding term (|acc| <= 512: no overflow)
    expect(mode(base([2 ** -10, 2 ** -12]))).toBe('right-zp');
    // zero point 100 * 2^29 (shift -29 -> R = 29) + 2^28 overflows: kept apart ('right')
    expect(mode(base([2 ** -28, 2 ** -30], { outputZeroPoint: 100 }))).toBe('right');
    expect(mode(base([2, 2]))).toBe('left-uniform'); // shift +2: |acc| <= 512, 512 * 2^3 < 2^31
    expect(mode(base([2, 8]))).toBe('left');
    expect(mode(base([2, 2 ** -10]))).toBe('general'); // mixed signs
    expect(mode(base([2 ** -10, 2 ** -10], { rounding: 'single' }))).toBe('general');
    // |acc| <= |bias| + 128 * 4: bias 2^30 - 512 -> 2 * 2^30 = 2^31, too big: general; 2^30 - 513 fits
    expect(mode(base([2 ** -10, 2 ** -10], { bias: [2 ** 30 - 512, 0] }))).toBe('general');
    expect(mode(base([2 ** -10, 2 ** -10], { bias: [2 ** 30 - 513, 0] }))).toBe('right-uniform');
    // shift +2 (scale 4 = 0.5 * 2^3? M = 2^30, shift 3): |acc| * 2^4 < 2^31 needs |acc| < 2^27
    expect(mode(base([4, 4], { bias: [2 ** 27 - 512, 0] }))).toBe('general');
  });
});

describe('simd pointwise: hand-picked layers equal the reference', () => {
  const cases: [string, LayerSpec][] = [
    ['1x1x16 -> 96 (8x8)', pw(8, 8, 16, 96, 1)],
    ['3x3x5 -> 7 (odd pixels, odd channels, inC % 4 = 1)', pw(3, 3, 5, 7, 2)],
    ['2x3x6 -> 4 (inC % 4 = 2)', pw(2, 3, 6, 4, 3)],
    ['1x5x7 -> 3, relu (inC % 4 = 3)', pw(1, 5, 7, 3, 4, { activation: 'relu' })],
    ['1x1x3 -> 1 (no group: tail only, one pixel, one channel)', pw(1, 1, 3, 1, 5)],
    ['4x4x32 -> 24, relu6', pw(4, 4, 32, 24, 6, { activation: 'relu6' })],
    ['2x2x8 -> 5, single rounding (general requantisation)', pw(2, 2, 8, 5, 7, { rounding: 'single' })],
    ['fully connected 3 rows x 20 -> 9', withRealisticQuant({ kind: 'fully_connected', input: { h: 1, w: 3, c: 20 }, outChannels: 9 } as LayerGeometry, 8)],
    ['2x2x4 -> 2, left shifts (large scales)', { kind: 'pointwise', input: { h: 2, w: 2, c: 4 }, outChannels: 2, inputZeroPoint: -3, inputScale: 1,
      outputZeroPoint: 5, outputScale: 1, weightScales: [2.5, 6.25], bias: [-40, 33] }],
    ['2x2x4 -> 2, mixed shifts (general requantisation)', { kind: 'pointwise', input: { h: 2, w: 2, c: 4 }, outChannels: 2, inputZeroPoint: 100, inputScale: 1,
      outputZeroPoint: -7, outputScale: 1, weightScales: [2.5, 0.01], bias: [1000, -2000] }],
  ];
  for (const board of BOARDS) {
    it.each(cases)(`%s on ${board}`, (_, spec) => {
      const d = randomLayerData(spec, 11);
      const r = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'simd' });
      expect(r.kernel).toBe('simd');
      expect(r.mismatches).toBe(0);
      expect(r.bitExact).toBe(true);
    });
  }
  it('every requantisation mode is exercised by the cases above', () => {
    const modes = new Set(cases.map(([, s]) => {
      const p = planLayer(s); const w = randomLayerData(s, 11).weights!.data; return requantMode(p, w);
    }));
    expect(modes.has('general')).toBe(true);
    expect(modes.has('right-zp')).toBe(true);
    expect(modes.has('left') || modes.has('left-uniform')).toBe(true);
  });
});

describe('simd pointwise: random layers (layerCase) equal the reference', () => {
  for (const board of BOARDS) {
    for (const extreme of [false, true]) {
      it(`${board}, ${extreme ? 'extreme' : 'realistic'} quantisation`, () => {
        fc.assert(fc.property(
          layerCase({ kinds: ['pointwise', 'fully_connected'], maxHW: 5, maxChannels: 19, extreme, roundings: ['double', 'single'], paddings: ['valid'], maxStride: 1 }),
          (c) => {
            const r = runKernel(c.spec, { input: c.input, weights: c.weights }, { board, variant: 'simd' });
            expect(r.mismatches).toBe(0);
            return r.kernel === 'simd' || r.fallbackReason !== null;
          },
        ), { numRuns: 25, seed: 20250602 + (extreme ? 1 : 0) });
      });
    }
  }
});

describe('fallback', () => {
  it('a depthwise 5x5 runs the scalar kernel and says why; dilated, 3x3 and strided 1x1 convs run the im2col simd kernel', () => {
    const dw5 = withRealisticQuant({ kind: 'depthwise', input: { h: 6, w: 6, c: 3 }, kernel: 5, padding: 'same' } as LayerGeometry, 1);
    const d0 = randomLayerData(dw5, 3);
    const r0 = runKernel(dw5, { input: d0.input, weights: d0.weights }, { board: 'stm32f411re', variant: 'simd' });
    expect(r0.kernel).toBe('scalar');
    expect(r0.fallbackReason).toMatch(/^kernel:/);
    expect(r0.bitExact).toBe(true);
    const dilated = withRealisticQuant({ kind: 'conv2d', input: { h: 6, w: 6, c: 3 }, kernel: 3, dilation: 2, padding: 'same', outChannels: 4 } as LayerGeometry, 1);
    const conv = withRealisticQuant({ kind: 'conv2d', input: { h: 4, w: 4, c: 3 }, kernel: 3, outChannels: 4, padding: 'same' } as LayerGeometry, 1);
    const strided = pw(5, 5, 8, 4, 2, { stride: 2 });
    for (const spec of [dilated, conv, strided]) {
      const d = randomLayerData(spec, 3);
      const r = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'stm32f411re', variant: 'simd' });
      expect(r.kernel).toBe('simd');
      expect(r.fallbackReason).toBeNull();
      expect(r.bitExact).toBe(true);
    }
  });
});

describe('throughput (cycles are deterministic)', () => {
  const spec = pw(8, 8, 16, 96, 1);
  const d = randomLayerData(spec, 1);
  const run = (variant: 'scalar' | 'simd', board: string) => runKernel(spec, { input: d.input, weights: d.weights }, { board, variant });
  it('simd pointwise 16->96 at 8x8 is at least 2x faster than scalar on the M4 (stm32f411re, mps2-an386)', () => {
    for (const board of ['stm32f411re', 'mps2-an386']) {
      const s = run('scalar', board), v = run('simd', board);
      expect(v.bitExact && s.bitExact).toBe(true);
      expect(v.cycles * 2).toBeLessThanOrEqual(s.cycles);
    }
  });
  it('simd pointwise 16->96 at 8x8 on mps2-an386: MAC/cycle', () => {
    const v = run('simd', 'mps2-an386');
    expect(v.macs).toBe(8 * 8 * 16 * 96);
    // unrolled 2x4: 0.7475 (131,517 cycles; the unrolled 4x2 kernel before it 0.681, the compact kernel 0.580): the
    // 0.9 target is out of reach for 16 input channels on the M4 model (simd.ts, "Throughput"); pinned against
    // regressions
    expect(v.macsPerCycle).toBeGreaterThanOrEqual(0.745);
  });
  it('the schedule follows the board: unrolled on the Cortex-M4 boards, compact on the M7 boards', () => {
    // the unrolled code outgrows the M7's L1 I-cache: there the compact schedule runs (0.821 on the H743 for this layer;
    // unrolled about 0.40); on the F411, flash wait states and all, the unrolled 2x4 kernel is faster (0.613 against the
    // compact kernel's 0.499)
    const f411 = run('simd', 'stm32f411re'), h743 = run('simd', 'stm32h743'), mps2 = run('simd', 'mps2-an386');
    expect(f411.assembly).toContain('unrolled 2x4');
    expect(mps2.assembly).toContain('unrolled 2x4');
    expect(h743.assembly).not.toContain('unrolled');
    expect(f411.macsPerCycle).toBeGreaterThanOrEqual(0.61);
    expect(h743.macsPerCycle).toBeGreaterThanOrEqual(0.8);
    expect(mps2.codeBytes).toBeGreaterThan(10 * h743.codeBytes);
  });
  it('simd pointwise 96->24 at 8x8 on mps2-an386 (the reduction amortises the requantisation)', () => {
    const s2 = pw(8, 8, 96, 24, 1);
    const d2 = randomLayerData(s2, 1);
    const v = runKernel(s2, { input: d2.input, weights: d2.weights }, { board: 'mps2-an386', variant: 'simd' });
    expect(v.bitExact).toBe(true);
    // unrolled 2x4: 0.9008 (163,695 cycles; the unrolled 4x2 kernel before it 0.875, the compact kernel 0.759)
    expect(v.macsPerCycle).toBeGreaterThanOrEqual(0.9);
    // the widened input (4 pixels x 96 channels x 2 bytes) is on the stack, counted in the SRAM figure
    expect(v.stackBytes).toBe(36 + 16 + 768);
    expect(v.sramHighWater).toBeLessThan(8 * 8 * 96 + 8 * 8 * 24 + 1024);
  });
  it('the issue\'s layer, pointwise 96->24 at 56x56 on mps2-an386: >= 0.9 MAC/cycle', () => {
    const s3 = withRealisticQuant({ kind: 'conv2d', input: { h: 56, w: 56, c: 96 }, kernel: 1, outChannels: 24 } as LayerGeometry, 1);
    const d3 = randomLayerData(s3, 1);
    const v = runKernel(s3, { input: d3.input, weights: d3.weights }, { board: 'mps2-an386', variant: 'simd' });
    expect(v.kernel).toBe('simd');
    expect(v.bitExact).toBe(true);
    // 0.9010 (8,019,567 cycles): the bench's figure (bench/run.ts builds this layer the same way)
    expect(v.macsPerCycle).toBeGreaterThanOrEqual(0.9);
  }, 60_000);
});

describe('unrolled schedule (tiles of O channels x P pixels, constants in literal pools)', () => {
  const sched = (spec: LayerSpec, seed = 11) => {
    const d = randomLayerData(spec, seed);
    return simdKernel(planLayer(spec), d.weights!.data).schedule;
  };
  const fc1 = (c: number, oc: number, seed: number) => withRealisticQuant({ kind: 'fully_connected', input: { h: 1, w: 1, c }, outChannels: oc } as LayerGeometry, seed);
  it('the tile follows the pixel count (2x4, 2x3, 4x2, 6x1); the right-shift modes only; too much code runs the compact kernel', () => {
    expect(sched(pw(8, 8, 16, 96, 1))).toBe('unrolled-2x4');
    expect(sched(pw(3, 3, 5, 7, 2))).toBe('unrolled-2x4');
    expect(sched(pw(2, 2, 8, 3, 2))).toBe('unrolled-2x4');
    expect(sched(pw(1, 3, 9, 5, 22))).toBe('unrolled-2x3');
    expect(sched(pw(2, 1, 4, 4, 23))).toBe('unrolled-4x2');
    expect(sched(fc1(20, 9, 8))).toBe('unrolled-6x1');
    // one pixel and 2 channels: no tile leaves the requantisation its 4 registers (O + P < 4)
    expect(unrolledTile(planLayer(pw(1, 1, 8, 2, 2)))).toBeNull();
    expect(sched(pw(1, 1, 8, 2, 2))).toBe('compact-2x2');
    expect(unrolledTile(planLayer(pw(1, 1, 8, 3, 2)))).toEqual({ O: 3, P: 1 });
    expect(sched(pw(2, 2, 8, 5, 7, { rounding: 'single' }))).toBe('compact-2x2'); // general requantisation
    const big = planLayer(pw(2, 2, 256, 512, 1));
    expect(unrolledSupport(big, new Int8Array(256 * 512))).toMatch(/^code over/);
  });
  const cases: [string, LayerSpec, string][] = [
    ['3x3x20 -> 6 (9 pixels: the last pass overlaps the one before)', pw(3, 3, 20, 6, 21), '2x4'],
    ['1x3x9 -> 5, relu6 (3 pixels; inC % 4 = 1: a half-group left out)', pw(1, 3, 9, 5, 22, { activation: 'relu6' }), '2x3'],
    ['2x1x4 -> 4 (2 pixels, one pass)', pw(2, 1, 4, 4, 23), '4x2'],
    ['5x1x12 -> 13, relu (odd channels: the last block filled up from the first)', pw(5, 1, 12, 13, 24, { activation: 'relu' }), '2x4'],
    ['2x2x200 -> 8 (100 half-groups: blocks in segments)', pw(2, 2, 200, 8, 25), '2x4'],
    ['4x4x256 -> 4 (the longest reduction)', pw(4, 4, 256, 4, 26), '2x4'],
    ['4x4x16 -> 64 (32 blocks: pools shared by runs of blocks)', pw(4, 4, 16, 64, 27), '2x4'],
    ['fully connected 1 row x 20 -> 9 (6x1)', fc1(20, 9, 8), '6x1'],
    ['fully connected 1 row x 7 -> 3 (3x1; inC % 4 = 3)', fc1(7, 3, 9), '3x1'],
    ['3x3x6 -> 10, relu6 clamped both ways (IT blocks; the next block realigned)',
      withRealisticQuant({ kind: 'pointwise', input: { h: 3, w: 3, c: 6 }, outChannels: 10, activation: 'relu6', outputScale: 0.1, outputZeroPoint: -20 } as LayerGeometry, 28), '2x4'],
    ['3x3x8 -> 6, one weight scale (right-uniform requantisation)', { kind: 'pointwise', input: { h: 3, w: 3, c: 8 }, outChannels: 6, inputZeroPoint: 5, inputScale: 0.05,
      outputZeroPoint: -3, outputScale: 0.1, weightScales: [0.004] }, '2x4'],
  ];
  for (const board of ['mps2-an386', 'stm32f411re']) {
    it.each(cases)(`%s on ${board}: equal to the reference`, (_, spec, tile) => {
      expect(sched(spec)).toBe(`unrolled-${tile}`);
      const d = randomLayerData(spec, 11);
      const r = runKernel(spec, { input: d.input, weights: d.weights }, { board, variant: 'simd' });
      expect(r.kernel).toBe('simd');
      expect(r.assembly).toContain(`unrolled ${tile}`);
      expect(r.mismatches).toBe(0);
      expect(r.bitExact).toBe(true);
    });
  }
  it('the cases cover both fast requantisation modes and the clamps', () => {
    const modes = new Set(cases.map(([, s]) => requantMode(planLayer(s), randomLayerData(s, 11).weights!.data)));
    expect([...modes].sort()).toEqual(['right-uniform', 'right-zp']);
    const p = planLayer(cases[9]![1]);
    expect(p.actMin).toBeGreaterThan(-128);
    expect(p.actMax).toBeLessThan(127);
  });
  for (const extreme of [false, true]) {
    it(`random pointwise / fully connected layers (layerCase) on mps2-an386, ${extreme ? 'extreme' : 'realistic'} quantisation`, () => {
      let unrolled = 0;
      fc.assert(fc.property(
        layerCase({ kinds: ['pointwise', 'fully_connected'], maxHW: 6, maxChannels: 24, extreme, paddings: ['valid'], maxStride: 1 }),
        (c) => {
          const r = runKernel(c.spec, { input: c.input, weights: c.weights }, { board: 'mps2-an386', variant: 'simd' });
          expect(r.kernel).toBe('simd');
          expect(r.mismatches).toBe(0);
          if (r.assembly.includes('unrolled')) unrolled++;
        },
      ), { numRuns: 40, seed: 20251201 + (extreme ? 1 : 0) });
      // the unrolled schedule takes most realistic layers (the others: one pixel with few channels, zero points that
      // do not fold); extreme quantisation sends more to the compact kernel (left shifts, overflow bounds)
      expect(unrolled).toBeGreaterThanOrEqual(extreme ? 5 : 25);
    });
  }
  it('16->96 and 96->24 at 16x16 on mps2-an386: MAC/cycle lower bounds (cycles are deterministic)', () => {
    for (const [c, oc, min] of [[16, 96, 0.745], [96, 24, 0.9]] as const) {
      const spec = pw(16, 16, c, oc, 1);
      const d = randomLayerData(spec, 1);
      const v = runKernel(spec, { input: d.input, weights: d.weights }, { board: 'mps2-an386', variant: 'simd' });
      expect(v.bitExact).toBe(true);
      expect(v.macsPerCycle).toBeGreaterThanOrEqual(min);
    }
  });
});
