/**
 * The property-based testing API (src/testing): its arbitraries produce valid, varied layers with data the reference
 * ops run on, and they cover what the issue lists (1x1 and 1xN kernels, strides, every padding style, odd channel
 * counts, extreme multipliers and shifts, every zero point).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { layerSpec, layerCase } from '../../src/testing/arbitraries.js';
import { validateLayer, planLayer } from '../../src/nn/spec.js';
import { runLayer } from '../../src/nn/ops.js';

const hw = (x: number | { h: number; w: number } | undefined) => (typeof x === 'number' ? { h: x, w: x } : x ?? { h: 1, w: 1 });

describe('testing API: layer arbitraries', () => {
  it('every spec validates and every case runs through the reference ops with data of the right sizes', () => {
    fc.assert(fc.property(layerCase({ extreme: true, roundings: ['double', 'single'] }), (c) => {
      expect(validateLayer(c.spec)).toEqual([]);
      const p = planLayer(c.spec);
      const n = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
      expect(c.input.length).toBe(n(p.inputShape));
      if (p.weightShape) expect(c.weights!.length).toBe(n(p.weightShape));
      const out = runLayer(c.spec, { input: c.input, weights: c.weights ?? undefined, input2: c.input2 ?? undefined });
      expect(out.length).toBe(n(p.outputShape));
    }), { numRuns: 300 });
  });

  it('covers the shapes and parameters the kernels must handle', () => {
    const specs = fc.sample(layerSpec({ extreme: true }), { numRuns: 2000, seed: 42 });
    const kernels = specs.filter((s) => s.kernel !== undefined).map((s) => hw(s.kernel));
    expect(kernels.some((k) => k.h === 1 && k.w === 1)).toBe(true);
    expect(kernels.some((k) => k.h === 1 && k.w > 1)).toBe(true);
    expect(kernels.some((k) => k.h > 1 && k.w === k.h)).toBe(true);
    expect(specs.some((s) => hw(s.stride).h === 2)).toBe(true);
    expect(specs.some((s) => hw(s.dilation).w === 2)).toBe(true);
    for (const pad of ['same', 'valid', 'symmetric']) expect(specs.some((s) => s.padding === pad)).toBe(true);
    expect(specs.some((s) => typeof s.padding === 'object')).toBe(true);
    for (const kind of ['conv2d', 'depthwise', 'pointwise', 'fully_connected']) expect(specs.some((s) => s.kind === kind)).toBe(true);
    expect(specs.some((s) => s.input.c % 2 === 1)).toBe(true);
    expect(specs.some((s) => s.inputZeroPoint === -128 || s.inputZeroPoint === 127)).toBe(true);
    // extreme quantisation: multipliers flushed to zero (shift < -31) and large positive shifts both occur
    const shifts = specs.flatMap((s) => Array.from(planLayer(s).shifts ?? []));
    expect(Math.min(...shifts)).toBeLessThan(-20);
    expect(Math.max(...shifts)).toBeGreaterThan(5);
    expect(specs.some((s) => Array.from(planLayer(s).multipliers ?? []).includes(0))).toBe(true);
  });

  it('realistic quantisation by default: shifts of a few bits right, small zero points', () => {
    const specs = fc.sample(layerSpec(), { numRuns: 500, seed: 7 });
    const shifts = specs.flatMap((s) => Array.from(planLayer(s).shifts ?? []));
    expect(Math.max(...shifts)).toBeLessThan(0);
    expect(specs.every((s) => Math.abs(s.inputZeroPoint) <= 20)).toBe(true);
  });
});
