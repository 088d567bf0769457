/**
 * The JSON network format (src/net/network.ts, src/net/json.ts):
 *  - the position-tracking parser returns what JSON.parse returns and points at each value's first character;
 *    syntax errors give line:column;
 *  - validation lists every problem with its JSON path and, for text, line:column; shape mismatches name both layers;
 *  - resolution propagates shapes and quantisation from producer to consumer, and runNetworkReference equals the
 *    same layers run one by one with hand-written LayerSpecs;
 *  - weights: inline ones win, generated ones depend only on (seed, layer).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseJsonWithPositions, JsonSyntaxError } from '../../src/net/json.js';
import {
  validateNetwork, validateNetworkText, resolveNetwork, runNetworkReference, networkWeights, fillRealisticQuant,
  NetworkError, type NetworkJson,
} from '../../src/net/network.js';
import { runLayer } from '../../src/nn/ops.js';
import { Rng } from '../../src/nn/tensor.js';
import type { LayerSpec } from '../../src/nn/spec.js';

describe('JSON parser with positions', () => {
  /** JSON values whose keys are plain words (paths stay unambiguous) */
  const { value: json } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(null, true, false),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
      fc.integer(),
      fc.string({ unit: 'grapheme' }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), tie('value'), { maxKeys: 4 }),
    ),
  }));

  it('parses what JSON.parse parses, and each value starts where it says', () => {
    fc.assert(fc.property(json, fc.constantFrom(0, 2), (v, indent) => {
      const text = JSON.stringify(v, null, indent);
      const p = parseJsonWithPositions(text);
      expect(p.value).toEqual(JSON.parse(text));
      const lines = text.split('\n');
      const visit = (x: unknown, path: string) => {
        if (Array.isArray(x)) x.forEach((e, i) => visit(e, `${path}[${i}]`));
        else if (x !== null && typeof x === 'object') for (const [k, e] of Object.entries(x)) visit(e, path ? `${path}.${k}` : k);
        else {
          const at = p.at(path);
          expect(lines[at.line - 1]!.slice(at.column - 1).startsWith(JSON.stringify(x))).toBe(true);
        }
      };
      visit(v, '');
    }), { numRuns: 200, seed: 6 });
  });

  it('reports syntax errors by line and column', () => {
    const cases: [string, number, number][] = [
      ['{\n  "a": 1,\n  "b": }', 3, 8],
      ['[1, 2,, 3]', 1, 7],
      ['{"a": 1} x', 1, 10],
      ['{"a": 1, "a": 2}', 1, 10],
      ['{"a": "unterminated}', 1, 7],
    ];
    for (const [text, line, column] of cases) {
      let err: unknown;
      try { parseJsonWithPositions(text); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(JsonSyntaxError);
      expect([(err as JsonSyntaxError).line, (err as JsonSyntaxError).column]).toEqual([line, column]);
    }
  });

  it('points a missing field at its enclosing object', () => {
    const p = parseJsonWithPositions('{\n "layers": [\n  {"op": 1},\n  {"x": 2}\n ]\n}');
    expect(p.at('layers[1].name')).toEqual({ line: 4, column: 3 });
    expect(p.at('layers[0].op')).toEqual({ line: 3, column: 10 });
    expect(p.at('nothing')).toEqual({ line: 1, column: 1 });
  });
});

const q = (scale: number, zeroPoint: number) => ({ scale, zeroPoint });
/** A small residual network with inline weights for every weighted layer. */
function smallNet(): NetworkJson {
  const r = new Rng(11);
  const w = (n: number) => Array.from(r.int8Array(n, -127, 127));
  return {
    name: 'small',
    input: { h: 5, w: 5, c: 2, scale: 0.05, zeroPoint: 3 },
    layers: [
      { name: 'c1', op: 'conv2d', kernel: 3, padding: 'same', outChannels: 4, activation: 'relu', output: q(0.1, -100), weightScales: 0.004, bias: [10, -20, 30, -40], weights: w(4 * 9 * 2) },
      { name: 'd1', op: 'depthwise', block: 1, kernel: 3, padding: 'symmetric', activation: 'relu6', output: q(6 / 255, -128), weightScales: [0.01, 0.02, 0.015, 0.012], weights: w(9 * 4) },
      { name: 'p1', op: 'pointwise', block: 1, outChannels: 4, output: q(0.08, 5), weightScales: 0.003, weights: w(16) },
      { name: 'a1', op: 'add', block: 1, inputs: ['p1', 'c1'], output: q(0.15, -7) },
      { name: 'pool', op: 'avgpool', block: 2, kernel: 5 },
      { name: 'fc', op: 'fully_connected', block: 2, outChannels: 3, output: q(0.2, 1), weightScales: 0.002, weights: w(12) },
    ],
  };
}

describe('resolution and the reference run', () => {
  it('propagates shapes and quantisation and runs like the layers one by one', () => {
    const json = smallNet();
    const net = resolveNetwork(json);
    expect(net.layers.map((l) => `${l.output.h}x${l.output.w}x${l.output.c}`)).toEqual(['5x5x4', '5x5x4', '5x5x4', '5x5x4', '1x1x4', '1x1x3']);
    expect(net.blocks).toBe(3);
    expect(net.layers[3]!.inputs).toEqual([2, 0]);
    // MACs by hand: conv 25*4*9*2, depthwise 25*4*9, pointwise 25*4*4, fc 3*4
    expect(net.macs).toBe(1800 + 900 + 400 + 12);
    const L = json.layers;
    const input = new Rng(5).int8Array(50);
    const specs: LayerSpec[] = [
      { kind: 'conv2d', input: { h: 5, w: 5, c: 2 }, kernel: 3, padding: 'same', outChannels: 4, activation: 'relu', inputScale: 0.05, inputZeroPoint: 3, outputScale: 0.1, outputZeroPoint: -100, weightScales: [0.004], bias: [10, -20, 30, -40] },
      { kind: 'depthwise', input: { h: 5, w: 5, c: 4 }, kernel: 3, padding: 'symmetric', activation: 'relu6', inputScale: 0.1, inputZeroPoint: -100, outputScale: 6 / 255, outputZeroPoint: -128, weightScales: [0.01, 0.02, 0.015, 0.012] },
      { kind: 'pointwise', input: { h: 5, w: 5, c: 4 }, outChannels: 4, inputScale: 6 / 255, inputZeroPoint: -128, outputScale: 0.08, outputZeroPoint: 5, weightScales: [0.003] },
      { kind: 'add', input: { h: 5, w: 5, c: 4 }, inputScale: 0.08, inputZeroPoint: 5, input2Scale: 0.1, input2ZeroPoint: -100, outputScale: 0.15, outputZeroPoint: -7 },
      { kind: 'avgpool', input: { h: 5, w: 5, c: 4 }, kernel: 5, inputScale: 0.15, inputZeroPoint: -7, outputScale: 0.15, outputZeroPoint: -7 },
      { kind: 'fully_connected', input: { h: 1, w: 1, c: 4 }, outChannels: 3, inputScale: 0.15, inputZeroPoint: -7, outputScale: 0.2, outputZeroPoint: 1, weightScales: [0.002] },
    ];
    const wt = (i: number) => (L[i]!.weights ? Int8Array.from(L[i]!.weights!) : null);
    const t0 = runLayer(specs[0]!, { input, weights: wt(0) });
    const t1 = runLayer(specs[1]!, { input: t0, weights: wt(1) });
    const t2 = runLayer(specs[2]!, { input: t1, weights: wt(2) });
    const t3 = runLayer(specs[3]!, { input: t2, input2: t0 });
    const t4 = runLayer(specs[4]!, { input: t3 });
    const t5 = runLayer(specs[5]!, { input: t4, weights: wt(5) });
    const run = runNetworkReference(net, networkWeights(net), input);
    expect(run.tensors).toEqual([t0, t1, t2, t3, t4, t5]);
    expect(run.output).toEqual(t5);
    expect(new Set(t3).size).toBeGreaterThan(3);
  });

  it('weights: inline ones as given, generated ones from (seed, layer) only', () => {
    const json = smallNet();
    const net = resolveNetwork(json);
    expect(Array.from(networkWeights(net)[0]!)).toEqual(json.layers[0]!.weights);
    const bare = resolveNetwork({ ...json, layers: json.layers.map(({ weights: _w, ...l }) => l) });
    const a = networkWeights(bare, 7), b = networkWeights(bare, 7), c = networkWeights(bare, 8);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    expect(a[3]).toBeNull(); // add
    expect(a[1]!.length).toBe(36);
    expect(a.every((w) => !w || w.every((v) => v >= -127 && v <= 127))).toBe(true);
    // a layer's weights do not depend on the other layers' inline weights
    expect(networkWeights(resolveNetwork({ ...json, layers: json.layers.map((l, i) => (i === 2 ? (({ weights: _w, ...r }) => r)(l) : l)) }), 7)[2]).toEqual(a[2]);
  });

  it('fillRealisticQuant completes a draft', () => {
    const json = fillRealisticQuant({
      input: { h: 6, w: 6, c: 3, scale: 0.02, zeroPoint: 0 },
      layers: [
        { name: 'c', op: 'conv2d', kernel: 3, stride: 2, padding: 'same', outChannels: 8, activation: 'relu6' },
        { name: 'p', op: 'pointwise', outChannels: 8 },
        { name: 'a', op: 'add', inputs: ['p', 'c'] },
      ],
    }, 3);
    expect(validateNetwork(json)).toEqual([]);
    expect(json.layers[0]!.output).toEqual({ scale: Math.fround(6 / 255), zeroPoint: -128 });
    expect((json.layers[0]!.weightScales as number[]).length).toBe(8);
  });
});

describe('validation', () => {
  it('lists every problem with its path and line:column', () => {
    const lines = [
      '{',
      '  "input": {"h": 8, "w": 8, "c": 3, "scale": 0.02, "zeroPoint": 0},',
      '  "layers": [',
      '    {"name": "a", "op": "conv2d", "kernel": 3, "stride": 0, "outChannels": 8,',
      '     "output": {"scale": 0.1, "zeroPoint": 0}, "weightScales": 0.01},',
      '    {"name": "a", "op": "conv3d"},',
      '    {"name": "c", "op": "add", "inputs": ["a", "zzz"], "output": {"scale": 0.1, "zeroPoint": 0}, "colour": 1}',
      '  ]',
      '}',
    ];
    const col = (line: number, token: string) => lines[line - 1]!.indexOf(token) + 1;
    const issues = validateNetworkText(lines.join('\n'));
    const got = issues.map((i) => [i.path, i.line, i.column]);
    expect(got).toEqual(expect.arrayContaining([
      ['layers[0].stride', 4, col(4, '0, "outChannels"')],
      ['layers[1].name', 6, col(6, '"a"')],
      ['layers[1].op', 6, col(6, '"conv3d"')],
      ['layers[2].colour', 7, col(7, '1}')],
      ['layers[2].inputs[1]', 7, col(7, '"zzz"')],
    ]));
    expect(issues.find((i) => i.path === 'layers[0].stride')!.message).toMatch(/positive integer, got 0/);
    expect(issues.find((i) => i.path === 'layers[2].inputs[1]')!.message).toMatch(/no layer is named "zzz"/);
    expect(issues.length).toBe(5);
  });

  it('names both layers on a shape mismatch', () => {
    const base = smallNet();
    const bad: NetworkJson = { ...base, layers: [...base.layers.slice(0, 3), { name: 'a1', op: 'add', inputs: ['p1', 'input'], output: q(0.1, 0) }] };
    const issues = validateNetwork(bad);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('layers[3].inputs');
    expect(issues[0]!.message).toBe('add needs two inputs of the same shape: "p1" gives 5x5x4, "input" gives 5x5x2');
    const dw: NetworkJson = { ...base, layers: [base.layers[0]!, { ...base.layers[1]!, outChannels: 6 }] };
    expect(validateNetwork(dw)[0]!.message).toBe('6, but the input from "c1" has 4 channels (x depthMultiplier 1 = 4)');
    const w: NetworkJson = { ...base, layers: [base.layers[0]!, base.layers[1]!, { ...base.layers[2]!, weights: [1, 2, 3] }] };
    expect(validateNetwork(w)).toEqual([{ path: 'layers[2].weights', message: 'expected 16 values (4x1x1x4, OHWI, for 4 input channels from "d1"), got 3' }]);
  });

  it('checks blocks, inputs order, add arity and spec fields', () => {
    const base = smallNet();
    const paths = (j: unknown) => validateNetwork(j).map((i) => i.path);
    expect(paths({ ...base, layers: base.layers.map((l, i) => (i === 2 ? { ...l, block: 3 } : l)) })).toEqual(['layers[2].block']);
    expect(paths({ ...base, layers: base.layers.map((l, i) => (i === 0 ? { ...l, inputs: ['d1'] } : l)) })).toContain('layers[0].inputs[0]');
    expect(paths({ ...base, layers: base.layers.map((l, i) => (i === 3 ? { ...l, inputs: ['p1'] } : l)) })).toEqual(['layers[3].inputs']);
    expect(paths({ ...base, layers: base.layers.map((l, i) => (i === 0 ? { ...l, output: { scale: -1, zeroPoint: 300 } } : l)) })).toEqual(['layers[0].output.zeroPoint', 'layers[0].output.scale']);
    expect(paths({ ...base, extra: 1 })).toEqual(['extra']);
    expect(paths({ input: base.input, layers: [] })).toEqual(['layers']);
    expect(paths(42)).toEqual(['']);
    expect(() => resolveNetwork('{"input": 1, "layers": []}')).toThrow(NetworkError);
    try { resolveNetwork('{\n "input": 1,\n "layers": [1]}'); } catch (e) {
      expect((e as NetworkError).issues.map((i) => [i.path, i.line])).toEqual([['input', 2], ['layers[0]', 3]]);
    }
    expect(validateNetworkText('{"input": ')[0]).toMatchObject({ line: 1, column: 11 });
  });

  it('never throws on arbitrary values', () => {
    fc.assert(fc.property(fc.anything(), (v) => { expect(Array.isArray(validateNetwork(v))).toBe(true); }), { numRuns: 200, seed: 3 });
    fc.assert(fc.property(fc.string(), (s) => { expect(Array.isArray(validateNetworkText(s))).toBe(true); }), { numRuns: 200, seed: 4 });
  });
});
