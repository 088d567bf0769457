/**
 * The scalar kernels (src/kernels): generated Thumb-2 for a layer, assembled, run on a simulated board, output read
 * from SRAM. Checked:
 *  - the requantisation snippet in assembly equals MultiplyByQuantizedMultiplier (double and single rounding) on
 *    random and tie cases, per-channel shifts and every uniform shift -31..30;
 *  - hand-worked layers (expected outputs computed by hand in the comments);
 *  - hand-picked layers (3x3 SAME stride 1 and 2, symmetric padding, 1x1, 1x5, depthwise multiplier 1 and 2,
 *    dilation 2, fully connected, relu / relu6 / none, odd channel counts, extreme multipliers) equal the reference
 *    bit for bit on stm32f411re (Cortex-M4) and stm32h743 (Cortex-M7);
 *  - a fast-check property over random small layers, on both boards;
 *  - layout, sizes, phase figures, fit errors and unsupported parameters.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runKernel, buildLayerImage, buildLayerSource, requantAsm, layoutFor, mainSram, codeRegion, assembleOrThrow } from '../../src/kernels/index.js';
import { getBoard } from '../../src/board/boards.js';
import { createBoardMachine } from '../../src/board/machine.js';
import { planLayer, validateLayer, type LayerSpec } from '../../src/nn/spec.js';
import { multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierSingleRounding, INT32_MIN, INT32_MAX } from '../../src/nn/quant.js';
import { Rng, withRealisticQuant, randomLayerData, type LayerGeometry } from '../../src/nn/tensor.js';

const SEED = 20250601;
const BOARDS = ['stm32f411re', 'stm32h743'] as const;

// ------------------------------------------------------------------ requantisation in assembly

/**
 * Run requantAsm (clamp off) over vectors (x[i], M[i], shift[i]) on mps2-an386, untimed: the results as int32.
 * The tables are the vectors (channel i = vector i).
 */
function asmRequant(xs: number[], ms: number[], shifts: number[], rounding: 'double' | 'single'): number[] {
  const n = xs.length;
  const lines = requantAsm({ shifts: Int32Array.from(shifts), rounding, outputOffset: 0, actMin: -128, actMax: 127 },
    { acc: 'r3', ch: 'r1', t: ['r4', 'r5', 'r6', 'r7', 'r8', 'r9'], label: 'rq' }, { clamp: false });
  const words = (a: number[]) => a.map((v) => `  .word ${v | 0}`).join('\n');
  const src = `
  .syntax unified
  .thumb
  .text
  .word 0x20100000
  .word reset
  .thumb_func
reset:
  ldr r0, =0x20000000
  mov.w r1, #0
loop:
  ldr r3, =xs
  ldr r3, [r3, r1, lsl #2]
${lines.join('\n')}
  str r3, [r0], #4
  add r1, r1, #1
  ldr r2, =${n}
  cmp r1, r2
  blo loop
  bkpt #0
  .ltorg
  .section .rodata, "a"
multipliers:
${words(ms)}
shifts:
${words(shifts)}
xs:
${words(xs)}
`;
  const a = assembleOrThrow(src, 0, {});
  const bm = createBoardMachine(getBoard('mps2-an386'), { timing: false });
  bm.machine.load({ sections: a.sections, entry: a.entry });
  const r = bm.machine.run({ maxInstructions: 100 * n + 1000 });
  expect(r.reason).toBe('bkpt');
  const b = bm.machine.bus.peek(0x20000000, 4 * n);
  return Array.from(new Int32Array(Uint8Array.from(b).buffer));
}

const int32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.constantFrom(INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX, 2 ** 30, -(2 ** 30)),
  fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: -1, max: 1 })).map(([m, e, d]) => (m * 2 ** e + d) | 0),
  fc.integer({ min: -70000, max: 70000 }),
);
const multiplier = fc.oneof(fc.integer({ min: 2 ** 30, max: INT32_MAX }), fc.constantFrom(0, 2 ** 30, INT32_MAX), fc.integer({ min: 0, max: INT32_MAX }));
const shift = fc.integer({ min: -31, max: 30 });
const ref = (r: 'double' | 'single') => (r === 'double' ? multiplyByQuantizedMultiplier : multiplyByQuantizedMultiplierSingleRounding);

describe('requantisation in assembly', () => {
  it('hand-worked cases (reference/int8-semantics.md)', () => {
    // x = -40, M = 2^30 (0.5), shift -3: SRDHM = -20 exactly, RDBPOT(-20, 3) = -2.5 -> away from zero: -3;
    // single rounding: (-40 * 2^30 + 2^33) >> 34 = (-5 + 1) * 2^33 >> 34 = -2
    // x = 5, M = 2^30, shift 0: (5 * 2^30 + 2^30) >> 31 = 3; x = -5: (-5 * 2^30 + 2^30) >> 31 = -2 (half up)
    // x = 3, M = 2^30, shift 2: (12 * 2^30 + 2^30) >> 31 = 6 (6.5 floors... 13 * 2^30 / 2^31 = 6.5 -> floor 6)
    // x = 100, M = 0, shift 0 (a flushed multiplier): 0
    const xs = [-40, 5, -5, 3, 100], ms = [2 ** 30, 2 ** 30, 2 ** 30, 2 ** 30, 0], ss = [-3, 0, 0, 2, 0];
    expect(asmRequant(xs, ms, ss, 'double')).toEqual([-3, 3, -2, 6, 0]);
    // single: -2; 5 * 0.5 = 2.5 -> 3; -2.5 -> -2 (half up); 3 * 2 = 6; 0
    expect(asmRequant(xs, ms, ss, 'single')).toEqual([-2, 3, -2, 6, 0]);
  });
  for (const rounding of ['double', 'single'] as const) {
    it(`per-channel shifts, ${rounding} rounding, equals the reference on random and tie cases`, () => {
      fc.assert(fc.property(fc.array(fc.tuple(int32, multiplier, shift), { minLength: 1, maxLength: 300 }), (v) => {
        const xs = v.map((t) => t[0]), ms = v.map((t) => t[1]), ss = v.map((t) => t[2]);
        // keep per-channel (not uniform) code: two different shifts at least
        if (ss.every((s) => s === ss[0])) { xs.push(1); ms.push(2 ** 30); ss.push(ss[0] === 0 ? 1 : 0); }
        expect(asmRequant(xs, ms, ss, rounding)).toEqual(xs.map((x, i) => ref(rounding)(x, ms[i]!, ss[i]!)));
      }), { numRuns: 12, seed: SEED });
    });
    it(`every uniform shift -31..30, ${rounding} rounding`, () => {
      const rng = new Rng(SEED);
      for (let s = -31; s <= 30; s++) {
        const xs: number[] = [], ms: number[] = [];
        for (let i = 0; i < 40; i++) {
          const k = rng.int(0, 3);
          xs.push(k === 0 ? rng.u32() | 0 : k === 1 ? rng.int(-70000, 70000) : k === 2 ? (rng.int(-3, 3) * 2 ** rng.int(0, 30) + rng.int(-1, 1)) | 0 : rng.pick([INT32_MIN, INT32_MAX, -1, 0, 1]));
          ms.push(rng.bool(0.1) ? rng.pick([0, 2 ** 30, INT32_MAX]) : rng.int(2 ** 30, INT32_MAX));
        }
        const ss = xs.map(() => s);
        expect(asmRequant(xs, ms, ss, rounding), `shift ${s}`).toEqual(xs.map((x, i) => ref(rounding)(x, ms[i]!, s)));
      }
    });
  }
});

// ------------------------------------------------------------------ hand-worked layers

describe('hand-worked layers', () => {
  // 3x3x1 input 1..9, a 3x3 kernel of ones, SAME, stride 1; scales 1 * 0.5 / 1: M = 2^30, shift 0 (x 0.5, half up)
  const grid = Int8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const ones = new Int8Array(9).fill(1);
  const conv = (izp: number): LayerSpec => ({
    kind: 'conv2d', input: { h: 3, w: 3, c: 1 }, kernel: 3, outChannels: 1, padding: 'same',
    inputZeroPoint: izp, inputScale: 1, outputZeroPoint: 0, outputScale: 1, weightScales: [0.5],
  });
  it.each(BOARDS)('3x3 SAME, input zero point 0: window sums halved, half up (%s)', (board) => {
    // sums of the clipped windows: 12 21 16 / 27 45 33 / 24 39 28 -> x 0.5: 6 11 8 / 14 23 17 / 12 20 14
    const r = runKernel(conv(0), { input: grid, weights: ones }, { board });
    expect(Array.from(r.output)).toEqual([6, 11, 8, 14, 23, 17, 12, 20, 14]);
    expect(r.bitExact).toBe(true);
  });
  it.each(BOARDS)('3x3 SAME, input zero point 1: padding taps are skipped, not (0 - zp) (%s)', (board) => {
    // every tap inside adds x - 1: sums minus the tap counts (4 6 4 / 6 9 6 / 4 6 4):
    // 8 15 12 / 21 36 27 / 20 33 24 -> x 0.5: 4 8 6 / 11 18 14 / 10 17 12 (padding read as -1 would give 2 at a corner)
    const r = runKernel(conv(1), { input: grid, weights: ones }, { board });
    expect(Array.from(r.output)).toEqual([4, 8, 6, 11, 18, 14, 10, 17, 12]);
  });
  it('fully connected 2 -> 1 with bias and zero points', () => {
    // input [3, -2] with zero point 1, weights [2, 5], bias 100: 2*(3-1) + 5*(-2-1) + 100 = 89;
    // scales 0.5 * 0.25 / 0.25 = 0.5: M = 2^30, shift 0: 44.5 -> 45; + output zero point 3 = 48
    const spec: LayerSpec = {
      kind: 'fully_connected', input: { h: 1, w: 1, c: 2 }, outChannels: 1, inputZeroPoint: 1, inputScale: 0.5,
      outputZeroPoint: 3, outputScale: 0.25, weightScales: [0.25], bias: [100],
    };
    const r = runKernel(spec, { input: Int8Array.from([3, -2]), weights: Int8Array.from([2, 5]) }, { board: 'stm32f411re' });
    expect(Array.from(r.output)).toEqual([48]);
    // relu6 with output scale 0.25, zero point 3: range [3, 3 + 24 = 27]: 48 clamps to 27
    const r6 = runKernel({ ...spec, activation: 'relu6' }, { input: Int8Array.from([3, -2]), weights: Int8Array.from([2, 5]) }, { board: 'stm32f411re' });
    expect(Array.from(r6.output)).toEqual([27]);
  });
});

// ------------------------------------------------------------------ hand-picked layers against the reference

/** A layer geometry with realistic quantisation (seeded), optionally with extreme weight scales. */
function layer(g: LayerGeometry, seed: number): LayerSpec {
  return withRealisticQuant(g, seed);
}

const PICKED: [string, LayerGeometry][] = [
  ['3x3 SAME stride 1', { kind: 'conv2d', input: { h: 6, w: 6, c: 3 }, kernel: 3, outChannels: 5, padding: 'same' }],
  ['3x3 SAME stride 2, relu6', { kind: 'conv2d', input: { h: 8, w: 8, c: 3 }, kernel: 3, stride: 2, outChannels: 8, padding: 'same', activation: 'relu6' }],
  ['3x3 SAME stride 2, odd input', { kind: 'conv2d', input: { h: 7, w: 9, c: 2 }, kernel: 3, stride: 2, outChannels: 3, padding: 'same' }],
  ['3x3 symmetric stride 2', { kind: 'conv2d', input: { h: 8, w: 8, c: 4 }, kernel: 3, stride: 2, outChannels: 4, padding: 'symmetric' }],
  ['3x3 VALID, 20 channels (looped reduction)', { kind: 'conv2d', input: { h: 5, w: 5, c: 20 }, kernel: 3, outChannels: 3 }],
  ['3x3 SAME, 20 channels (no unrolled interior: loops and tests everywhere)', { kind: 'conv2d', input: { h: 4, w: 5, c: 20 }, kernel: 3, outChannels: 3, padding: 'same' }],
  ['explicit asymmetric padding', { kind: 'conv2d', input: { h: 5, w: 4, c: 3 }, kernel: { h: 2, w: 3 }, outChannels: 2, padding: { top: 2, bottom: 0, left: 1, right: 3 } }],
  ['1x5 SAME', { kind: 'conv2d', input: { h: 4, w: 9, c: 3 }, kernel: { h: 1, w: 5 }, outChannels: 5, padding: 'same' }],
  ['dilation 2', { kind: 'conv2d', input: { h: 9, w: 9, c: 2 }, kernel: 3, dilation: 2, outChannels: 3, padding: 'same' }],
  ['1x1 pointwise, relu', { kind: 'pointwise', input: { h: 4, w: 4, c: 16 }, outChannels: 24, activation: 'relu' }],
  ['1x1 pointwise, odd channels 7 -> 13', { kind: 'pointwise', input: { h: 3, w: 5, c: 7 }, outChannels: 13 }],
  ['1x1 pointwise, 35 channels (looped)', { kind: 'pointwise', input: { h: 2, w: 3, c: 35 }, outChannels: 5 }],
  ['1x1 pointwise stride 2', { kind: 'pointwise', input: { h: 5, w: 6, c: 5 }, stride: 2, outChannels: 6 }],
  ['1x1 pointwise with explicit padding (direct path)', { kind: 'pointwise', input: { h: 3, w: 3, c: 3 }, outChannels: 2, padding: { top: 1, bottom: 0, left: 0, right: 1 } }],
  ['depthwise 3x3 multiplier 1', { kind: 'depthwise', input: { h: 6, w: 6, c: 5 }, kernel: 3, padding: 'same', activation: 'relu6' }],
  ['depthwise 3x3 multiplier 2 stride 2', { kind: 'depthwise', input: { h: 7, w: 7, c: 3 }, kernel: 3, stride: 2, depthMultiplier: 2, padding: 'same' }],
  ['depthwise 5x5 VALID multiplier 3', { kind: 'depthwise', input: { h: 6, w: 6, c: 2 }, kernel: 5, depthMultiplier: 3 }],
  ['depthwise dilation 2', { kind: 'depthwise', input: { h: 8, w: 8, c: 3 }, kernel: 3, dilation: 2, padding: 'same' }],
  ['fully connected 40 -> 10', { kind: 'fully_connected', input: { h: 1, w: 1, c: 40 }, outChannels: 10 }],
  ['fully connected, 3 rows', { kind: 'fully_connected', input: { h: 1, w: 3, c: 9 }, outChannels: 4, activation: 'relu' }],
];

describe('hand-picked layers equal the reference bit for bit', () => {
  for (const [name, g] of PICKED) {
    it.each(BOARDS)(`${name} (%s)`, (board) => {
      for (const rounding of ['double', 'single'] as const) {
        const spec = layer({ ...g, rounding }, SEED + name.length);
        const d = randomLayerData(spec, SEED);
        const r = runKernel(spec, { input: d.input, weights: d.weights! }, { board });
        expect(r.mismatches, `${rounding}`).toBe(0);
        expect(Array.from(r.output)).toEqual(Array.from(r.expected));
        expect(r.macs).toBe(planLayer(spec).macs);
      }
    });
  }

  it('large strides in bytes: constants that are not Thumb-2 immediates (row of 70 x 61 = 4,270 bytes, 300 channels)', () => {
    // conv: the row step 4,270 and the pad offset -(70 + 1) * 61 go through MOVW; depthwise: the weight step per
    // tap is 300 bytes (beyond LDRSB's 255-byte post-index), per skipped row 900
    const conv = layer({ kind: 'conv2d', input: { h: 3, w: 70, c: 61 }, kernel: 3, outChannels: 2, padding: 'same' }, 11);
    const dw = layer({ kind: 'depthwise', input: { h: 4, w: 4, c: 300 }, kernel: 3, padding: 'same' }, 12);
    for (const spec of [conv, dw]) {
      const d = randomLayerData(spec, 13);
      const r = runKernel(spec, { input: d.input, weights: d.weights! }, { board: 'stm32h743' });
      expect(r.mismatches).toBe(0);
    }
  });

  it.each(BOARDS)('extreme multipliers: tiny (flushed, shift -31), huge (left shift 30), mixed per channel (%s)', (board) => {
    // input scale 1, output scale 1: the effective scale is the weight scale.
    // 2^-40 flushes to M = 0; 2^-31 * 1.5 gives shift -30; 2^29 * 1.9 shift 30 (left); 1 gives shift 1
    const spec: LayerSpec = {
      kind: 'conv2d', input: { h: 4, w: 4, c: 3 }, kernel: 3, outChannels: 6, padding: 'same', inputZeroPoint: -128,
      inputScale: 1, outputZeroPoint: 5, outputScale: 1, weightScales: [2 ** -40, 1.5 * 2 ** -31, 1.9 * 2 ** 29, 1, 2 ** -20, 0.7 * 2 ** 10],
      bias: [INT32_MAX, INT32_MIN, 1, -1, 123456, -987654],
    };
    expect(validateLayer(spec)).toEqual([]);
    const p = planLayer(spec);
    expect(Array.from(p.shifts)).toEqual([0, -30, 30, 1, -19, 10]);
    const d = randomLayerData(spec, 5);
    const r = runKernel(spec, { input: d.input, weights: d.weights! }, { board });
    expect(r.bitExact).toBe(true);
    // a pointwise layer with the same quantisation
    const pw: LayerSpec = { ...spec, kind: 'pointwise', kernel: undefined, padding: undefined };
    delete pw.kernel; delete pw.padding;
    const d2 = randomLayerData(pw, 6);
    expect(runKernel(pw, { input: d2.input, weights: d2.weights! }, { board }).bitExact).toBe(true);
  });
});

// ------------------------------------------------------------------ property: random small layers

const KINDS = ['conv2d', 'pointwise', 'depthwise', 'fully_connected'] as const;
const scaleIn = (lo: number, hi: number) => fc.tuple(fc.double({ min: 0.5, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: lo, max: hi })).map(([q, e]) => q * 2 ** e);

const randomLayer = fc.record({
  kind: fc.constantFrom(...KINDS),
  h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 1, max: 20 }),
  outC: fc.integer({ min: 1, max: 9 }), dm: fc.integer({ min: 1, max: 3 }),
  kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 5 }),
  sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
  dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
  padding: fc.oneof(
    fc.constantFrom('same', 'valid', 'symmetric') as fc.Arbitrary<'same' | 'valid' | 'symmetric'>,
    fc.record({ top: fc.nat(2), bottom: fc.nat(2), left: fc.nat(2), right: fc.nat(2) }),
  ),
  activation: fc.constantFrom('none', 'relu', 'relu6') as fc.Arbitrary<'none' | 'relu' | 'relu6'>,
  rounding: fc.constantFrom('double', 'double', 'single') as fc.Arbitrary<'double' | 'single'>,
  /** realistic quantisation (src/nn withRealisticQuant) or wide scales and zero points (extreme multipliers) */
  wide: fc.boolean(),
  izp: fc.integer({ min: -128, max: 127 }), ozp: fc.integer({ min: -128, max: 127 }),
  is: scaleIn(-10, 1), os: scaleIn(-12, 1), ws: fc.array(scaleIn(-45, 6), { minLength: 9 * 3, maxLength: 9 * 3 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type RandomLayer = typeof randomLayer extends fc.Arbitrary<infer T> ? T : never;

function specOf(r: RandomLayer): LayerSpec {
  const win = { kernel: { h: r.kh, w: r.kw }, stride: { h: r.sh, w: r.sw }, dilation: { h: r.dh, w: r.dw }, padding: r.padding };
  let g: LayerGeometry;
  switch (r.kind) {
    case 'conv2d': g = { kind: 'conv2d', input: { h: r.h, w: r.w, c: r.c }, ...win, outChannels: r.outC }; break;
    case 'pointwise': g = { kind: 'pointwise', input: { h: r.h, w: r.w, c: r.c }, stride: win.stride, padding: r.padding, outChannels: r.outC }; break;
    case 'depthwise': g = { kind: 'depthwise', input: { h: r.h, w: r.w, c: Math.min(r.c, 6) }, ...win, depthMultiplier: r.dm }; break;
    case 'fully_connected': g = { kind: 'fully_connected', input: { h: r.h, w: r.w, c: r.c }, outChannels: r.outC }; break;
  }
  g = { ...g, activation: r.activation, rounding: r.rounding };
  if (r.wide) {
    const outC = r.kind === 'depthwise' ? Math.min(r.c, 6) * r.dm : r.outC;
    g = { ...g, inputZeroPoint: r.izp, outputZeroPoint: r.ozp, inputScale: r.is, outputScale: r.os, weightScales: r.ws.slice(0, outC) };
  }
  return withRealisticQuant(g, r.seed);
}

describe('property: random small layers equal the reference', () => {
  for (const board of BOARDS) {
    it(`on ${board}`, () => {
      let ran = 0;
      fc.assert(fc.property(randomLayer, (r) => {
        const spec = specOf(r);
        if (validateLayer(spec).length) return true; // e.g. a kernel larger than the padded input
        ran++;
        const d = randomLayerData(spec, r.seed);
        // weights of -128 now and then (outside TFLite's range, computed alike)
        const w = d.weights!.data;
        if (r.seed % 5 === 0) w[r.seed % w.length] = -128;
        const res = runKernel(spec, { input: d.input, weights: w }, { board });
        expect(Array.from(res.output)).toEqual(Array.from(res.expected));
      }), { numRuns: 70, seed: SEED + (board === 'stm32h743' ? 1 : 0) });
      expect(ran).toBeGreaterThan(40);
    });
  }
});

// ------------------------------------------------------------------ layout, figures, errors

describe('layout, figures and errors', () => {
  it('main SRAM and code memory per board', () => {
    const f746 = getBoard('stm32f746g-disco'), h743 = getBoard('stm32h743'), f411 = getBoard('stm32f411re'), mps2 = getBoard('mps2-an386');
    expect([mainSram(f746).name, mainSram(f746).base]).toEqual(['sram1', 0x20010000]);
    expect([mainSram(h743).name, mainSram(h743).base]).toEqual(['axi-sram', 0x24000000]);
    expect([mainSram(f411).name, mainSram(f411).base]).toEqual(['sram', 0x20000000]);
    expect([mainSram(mps2).name, mainSram(mps2).base]).toEqual(['ssram23', 0x20000000]);
    expect(codeRegion(f746).name).toBe('flash');
    expect(codeRegion(mps2).name).toBe('ssram1');
  });

  it('a pointwise layer on the F411: addresses, sizes, phase figures', () => {
    const spec = layer({ kind: 'pointwise', input: { h: 2, w: 3, c: 5 }, outChannels: 3 }, 1);
    const d = randomLayerData(spec, 1);
    const board = getBoard('stm32f411re');
    const lay = layoutFor(planLayer(spec), board);
    // input 2*3*5 = 30 bytes at 0x20000000; output at align8(0x2000001e) = 0x20000020, 18 bytes; stack top 0x20020000
    expect(lay.input).toEqual({ address: 0x20000000, bytes: 30 });
    expect(lay.output).toEqual({ address: 0x20000020, bytes: 18 });
    expect(lay.stackTop).toBe(0x20020000);
    // weights 15 + bias, multipliers, shifts 3 x 12 = 51
    expect(lay.weightBytes).toBe(51);
    const img = buildLayerImage(spec, { input: d.input, weights: d.weights! }, { board });
    const text = img.asm.sections.find((s) => s.name === '.text')!;
    expect(text.address).toBe(0x08000000);
    expect(img.asm.sections.find((s) => s.name === '.input')!.address).toBe(0x20000000);
    const sym = (n: string) => img.asm.symbols.find((s) => s.name === n)!.value;
    for (const n of ['weights', 'bias', 'multipliers', 'shifts']) expect(sym(n) % 8, n).toBe(0);
    const r = runKernel(spec, { input: d.input, weights: d.weights! }, { board });
    expect(r.bitExact).toBe(true);
    expect(r.macs).toBe(6 * 3 * 5);
    expect(r.cycles).toBeGreaterThan(r.instructions - 1);
    expect(r.codeBytes).toBe(img.codeBytes);
    expect(r.codeBytes).toBeGreaterThan(0);
    // pushes 9 registers (36 bytes) and a 32-byte frame: 68 bytes of stack; activations end at the output's end
    expect(r.stackBytes).toBe(68);
    expect(r.sramHighWater).toBe(0x20 + 18 + 68);
    expect(r.assembly).toContain('oc_pair_loop:    @ output channel pairs: 1');
    expect(r.assembly).toContain('the last output channel (odd count)');
  });

  it('which generator path each layer takes', () => {
    const path = (g: LayerGeometry) => {
      const spec = layer(g, 1);
      const d = randomLayerData(spec, 1);
      return buildLayerImage(spec, { input: d.input, weights: d.weights! }, { board: getBoard('stm32f411re') }).kernel.path;
    };
    // 3x3 x 3 channels = 27 MACs a channel: unrolled interior, loops at the border
    expect(path({ kind: 'conv2d', input: { h: 6, w: 6, c: 3 }, kernel: 3, outChannels: 2, padding: 'same' })).toBe('direct+interior');
    // no padding: every pixel interior
    expect(path({ kind: 'depthwise', input: { h: 6, w: 6, c: 3 }, kernel: 3 })).toBe('interior');
    // 3x3 x 20 = 180 MACs > INTERIOR_UNROLL (160): loops only
    expect(path({ kind: 'conv2d', input: { h: 5, w: 5, c: 20 }, kernel: 3, outChannels: 2 })).toBe('direct');
    expect(path({ kind: 'conv2d', input: { h: 4, w: 5, c: 20 }, kernel: 3, outChannels: 2, padding: 'same' })).toBe('direct');
    // a 5x5 SAME kernel on a 3x3 input has no interior pixel
    expect(path({ kind: 'conv2d', input: { h: 3, w: 3, c: 1 }, kernel: 5, outChannels: 2, padding: 'same' })).toBe('direct');
    expect(path({ kind: 'pointwise', input: { h: 2, w: 2, c: 4 }, outChannels: 2 })).toBe('pointwise');
    expect(path({ kind: 'fully_connected', input: { h: 1, w: 1, c: 4 }, outChannels: 2 })).toBe('pointwise');
  });

  it('the generated code uses no DSP instruction (assembled for cortex-m3)', () => {
    const spec = layer({ kind: 'conv2d', input: { h: 5, w: 5, c: 3 }, kernel: 3, outChannels: 4, padding: 'same' }, 3);
    const d = randomLayerData(spec, 3);
    const { text } = buildLayerSource(spec, { input: d.input, weights: d.weights! }, 'scalar', getBoard('stm32f411re'));
    expect(text).not.toMatch(/\b(smlad|sxtb16|sxtab16|smlabb|qadd|ssat16|pkhbt)\b/i);
    expect(() => assembleOrThrow(`${text}\n  .text\n  smlad r0, r1, r2, r3\n`, 0x08000000, {})).toThrow(/generator bug[\s\S]*layer\.s:\d+:\d+/);
  });

  it('a layer too big for the SRAM or the flash is reported with the numbers', () => {
    // 200x200x8 input = 320,000 bytes, output 320,000 at align8: 640,000 + 256 stack
    const big = layer({ kind: 'pointwise', input: { h: 200, w: 200, c: 8 }, outChannels: 8 }, 1);
    const input = new Int8Array(320000), weights = new Int8Array(64);
    expect(() => runKernel(big, { input, weights }, { board: 'stm32f411re' }))
      .toThrow('layer does not fit: needs 640,256 bytes of SRAM for input (320,000), output (320,000) and stack (256); stm32f411re has 131,072 (sram)');
    // 3x3 conv 256 -> 256: 589,824 weight bytes + 3 x 1,024 tables = 592,896 > 512 kB of flash
    const wide = layer({ kind: 'conv2d', input: { h: 3, w: 3, c: 256 }, kernel: 3, outChannels: 256 }, 1);
    expect(() => runKernel(wide, { input: new Int8Array(2304), weights: new Int8Array(589824) }, { board: 'stm32f411re' }))
      .toThrow(/needs 592,896 bytes of flash for weights, bias and multipliers \(592,896\); stm32f411re has 524,288 \(flash\)/);
  });

  it('unsupported parameters are named', () => {
    const add: LayerSpec = { kind: 'add', input: { h: 2, w: 2, c: 2 }, inputZeroPoint: 0, inputScale: 0.1, outputZeroPoint: 0, outputScale: 0.2, input2ZeroPoint: 0, input2Scale: 0.1 };
    expect(() => runKernel(add, { input: new Int8Array(8), weights: null }, { board: 'stm32f411re' })).toThrow(/^kind: the scalar kernels run conv2d, pointwise, depthwise, fully_connected layers, not add/);
    const spec = layer({ kind: 'pointwise', input: { h: 1, w: 1, c: 2 }, outChannels: 1 }, 1);
    expect(() => runKernel(spec, { input: new Int8Array(2), weights: new Int8Array(2) }, { board: 'stm32f411re', variant: 'dsp' as 'scalar' })).toThrow(/^variant: expected one of scalar, simd, got dsp/);
    expect(() => runKernel(spec, { input: new Int8Array(3), weights: new Int8Array(2) }, { board: 'stm32f411re' })).toThrow(/^input: expected 2 values/);
    expect(() => runKernel(spec, { input: new Int8Array(2), weights: null }, { board: 'stm32f411re' })).toThrow(/^weights: required/);
    expect(() => runKernel(spec, { input: new Int8Array(2), weights: new Int8Array(3) }, { board: 'stm32f411re' })).toThrow(/^weights: expected 2 values/);
  });
});
