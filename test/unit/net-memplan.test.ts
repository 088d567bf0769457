/**
 * The whole-layer memory planner (src/net/memplan.ts):
 *  - MobileNetV2 1.0/224: 1,404,928 B with in-place depthwise (block 2's expansion) and 1,505,280 B without (block 2's
 *    depthwise), as the peak and as the arena extent (reference/patch-inference.md); 0.35/144: 290,304 B = 283.5 kB;
 *  - small networks worked by hand: a chain and a residual block under each rule (in place, fused, input in arena);
 *  - the placement: over widths, resolutions, variants, paddings and rules, no two buffers live in the same step
 *    overlap, in-place outputs sit on their inputs, and the extent equals the peak.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { planWholeLayer, sizeAt, type MemPlan } from '../../src/net/memplan.js';
import { resolveNetwork, type NetworkJson } from '../../src/net/network.js';
import { mobilenetv2Network, MBV2_WIDTHS } from '../../src/net/mobilenetv2.js';

const q = { scale: 0.05, zeroPoint: 0 };
function chain(): NetworkJson {
  return {
    input: { h: 4, w: 4, c: 2, ...q },
    layers: [
      { name: 'conv', op: 'conv2d', kernel: 3, padding: 'same', outChannels: 16, output: q, weightScales: 0.01 },
      { name: 'dw', op: 'depthwise', kernel: 3, stride: 2, padding: 'same', output: q, weightScales: 0.01 },
      { name: 'pw', op: 'pointwise', outChannels: 4, output: q, weightScales: 0.01 },
    ],
  };
}
function residual(): NetworkJson {
  return {
    input: { h: 4, w: 4, c: 4, ...q },
    layers: [
      { name: 'exp', op: 'pointwise', outChannels: 16, output: q, weightScales: 0.01 },
      { name: 'dw', op: 'depthwise', kernel: 3, padding: 'same', output: q, weightScales: 0.01 },
      { name: 'proj', op: 'pointwise', outChannels: 4, output: q, weightScales: 0.01 },
      { name: 'add', op: 'add', inputs: ['proj', 'input'], output: { scale: 0.1, zeroPoint: 0 } },
    ],
  };
}

/** Independent check of a placement: buffers live in the same step never overlap, all lie below the extent. */
function checkPlacement(plan: MemPlan): void {
  for (const st of plan.steps) {
    const live = st.buffers.map((id) => plan.buffers[id]!).map((b) => [b.offset, b.offset + sizeAt(b, st.step)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < live.length; i++) expect(live[i]![0]).toBeGreaterThanOrEqual(live[i - 1]![1]);
    for (const [, end] of live) expect(end).toBeLessThanOrEqual(plan.extent);
    expect(st.live).toBe(live.reduce((a, [s, e]) => a + e - s, 0));
  }
}

describe('hand-worked small networks', () => {
  it('a chain', () => {
    const net = resolveNetwork(chain());
    // conv: 32 + 256; dw in place: 256 + one 2x2 output channel; pw: 64 + 16
    const a = planWholeLayer(net);
    expect(a.steps.map((s) => s.live)).toEqual([288, 260, 80]);
    expect([a.peak, a.extent, a.peakLayer]).toEqual([288, 288, 'conv']);
    // not in place: dw holds 256 + 64
    const b = planWholeLayer(net, { inPlaceDepthwise: false });
    expect(b.steps.map((s) => s.live)).toEqual([288, 320, 80]);
    expect([b.peak, b.extent, b.peakLayer]).toEqual([320, 320, 'dw']);
    // the input outside the arena
    expect(planWholeLayer(net, { inputInArena: false }).steps.map((s) => s.live)).toEqual([256, 260, 80]);
    checkPlacement(a);
    checkPlacement(b);
  });

  it('a residual block', () => {
    const net = resolveNetwork(residual());
    // fused and in place: exp 64 + 256; dw 256 + 16 + 64 (the block input stays); proj+add 256 + 64 (over the input)
    const a = planWholeLayer(net);
    expect(a.steps.map((s) => [s.name, s.live])).toEqual([['exp', 320], ['dw', 336], ['proj+add', 320]]);
    expect(a.peakLayer).toBe('dw');
    const x = a.buffers[a.bufferOf.get(-1)!]!;
    expect(a.bufferOf.get(3)).toBe(x.id); // the add's output is written over the block input
    expect(a.bufferOf.get(1)).toBe(a.bufferOf.get(0)); // the depthwise output over the expansion
    // not fused: the projection holds 256 + 64 + 64, the add 64 * 3
    expect(planWholeLayer(net, { fuseResidual: false }).steps.map((s) => s.live)).toEqual([320, 336, 384, 192]);
    // not in place: the depthwise holds 256 + 256 + 64
    expect(planWholeLayer(net, { inPlaceDepthwise: false }).peak).toBe(576);
    // input outside the arena: nothing to write over, so the add is a step of its own
    expect(planWholeLayer(net, { inputInArena: false }).steps.map((s) => s.live)).toEqual([256, 272, 320, 128]);
    for (const p of [a, planWholeLayer(net, { fuseResidual: false })]) checkPlacement(p);
  });

  it('aligns', () => {
    const net = resolveNetwork({ ...chain(), input: { h: 3, w: 3, c: 1, ...q } });
    const p = planWholeLayer(net, { align: 8 });
    for (const b of p.buffers) expect([b.offset % 8, b.size % 8]).toEqual([0, 0]);
    expect(p.extent).toBe(p.peak);
  });
});

describe('MobileNetV2', () => {
  it('1.0/224: 1,404,928 B in place, 1,505,280 B without, as peak and extent', () => {
    const net = mobilenetv2Network();
    const a = planWholeLayer(net);
    expect([a.peak, a.extent, a.peakLayer]).toEqual([1404928, 1404928, 'b2.exp']);
    const b = planWholeLayer(net, { inPlaceDepthwise: false });
    expect([b.peak, b.extent, b.peakLayer]).toEqual([1505280, 1505280, 'b2.dw']);
    // by hand: 112x112x16 + 112x112x96, and 112x112x96 + 56x56x96
    expect(a.peak).toBe(112 * 112 * (16 + 96));
    expect(b.peak).toBe(112 * 112 * 96 + 56 * 56 * 96);
    checkPlacement(a);
    checkPlacement(b);
    // the later stage's peak (blocks 5-6 at 28x28): expansion output in place + one channel + the block input
    const later = a.steps.filter((s) => s.name === 'b5.dw')[0]!;
    expect(later.live).toBe(28 * 28 * 192 + 28 * 28 + 28 * 28 * 32);
  });

  it('0.35/144: 290,304 B (283.5 kB, the reference analytic figure)', () => {
    const p = planWholeLayer(mobilenetv2Network({ width: 0.35, resolution: 144 }));
    expect([p.peak, p.extent, p.peakLayer]).toEqual([290304, 290304, 'b2.exp']);
    expect(p.peak / 1024).toBe(283.5);
  });

  it('places every configuration at extent = peak without overlap', () => {
    fc.assert(fc.property(
      fc.constantFrom(...MBV2_WIDTHS), fc.integer({ min: 96, max: 224 }), fc.constantFrom('mbv2' as const, 'rd' as const),
      fc.constantFrom('same' as const, 'symmetric' as const), fc.boolean(), fc.boolean(),
      (width, resolution, variant, padding, inPlaceDepthwise, fuseResidual) => {
        const net = mobilenetv2Network({ width, resolution, variant, padding, classes: 10 });
        const p = planWholeLayer(net, { inPlaceDepthwise, fuseResidual });
        expect(p.extent).toBe(p.peak);
        checkPlacement(p);
      },
    ), { numRuns: 25, seed: 61 });
  });
});
