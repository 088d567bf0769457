/**
 * Built-in MobileNetV2 and MbV2-RD (src/net/mobilenetv2.ts): channel counts per width (make_divisible worked by
 * hand), spatial sizes, residual adds, padding styles, MAC counts (layers by hand; the 300.8M total of
 * reference/patch-inference.md; MCUNet's 23.5M for 0.35/144 with the TF-slim head), MbV2-RD's block table and patch-stage
 * MACs (Table 1 of the MCUNetV2 paper: 73M in 4x4 patches, checked in net-patch), and the option errors.
 */
import { describe, it, expect } from 'vitest';
import { mobilenetv2, mobilenetv2Network, makeDivisible, mbv2Blocks } from '../../src/net/mobilenetv2.js';
import type { Network } from '../../src/net/network.js';

const layer = (net: Network, name: string) => {
  const l = net.layers.find((x) => x.name === name);
  if (!l) throw new Error(`no layer ${name}`);
  return l;
};

describe('MobileNetV2', () => {
  it('make_divisible', () => {
    // by hand: max(8, floor((v + 4) / 8) * 8), + 8 below 0.9 v
    expect([11.2, 5.6, 8.4, 18, 22.4, 33.6, 44.8, 89.6, 134.4, 1792].map(makeDivisible)).toEqual([16, 8, 8, 24, 24, 32, 48, 88, 136, 1792]);
  });

  it('channels per width', () => {
    // stem, the first block of each stage (b1, b2, b4, b7, b11, b14, b17), head; worked by hand
    const expected: Record<string, number[]> = {
      '0.35': [16, 8, 8, 16, 24, 32, 56, 112, 1280],
      '0.5': [16, 8, 16, 16, 32, 48, 80, 160, 1280],
      '0.75': [24, 16, 24, 24, 48, 72, 120, 240, 1280],
      '1': [32, 16, 24, 32, 64, 96, 160, 320, 1280],
      '1.4': [48, 24, 32, 48, 88, 136, 224, 448, 1792],
    };
    for (const [w, chans] of Object.entries(expected)) {
      const net = mobilenetv2Network({ width: Number(w), resolution: 96 });
      const got = ['stem', 'b1.proj', 'b2.proj', 'b4.proj', 'b7.proj', 'b11.proj', 'b14.proj', 'b17.proj', 'head'].map((n) => layer(net, n).output.c);
      expect(got, `width ${w}`).toEqual(chans);
    }
  });

  it('1.0/224: shapes, residual adds, blocks and MACs', () => {
    const net = mobilenetv2Network();
    expect(net.layers.length).toBe(64);
    expect(['stem', 'b2.proj', 'b4.proj', 'b7.proj', 'b11.proj', 'b14.proj', 'b17.proj'].map((n) => layer(net, n).output.h)).toEqual([112, 56, 28, 14, 14, 7, 7]);
    expect(layer(net, 'b2.exp').output.c).toBe(96);
    expect(layer(net, 'b1.dw').block).toBe(1);
    expect(layer(net, 'fc').block).toBe(18);
    expect(net.blocks).toBe(19);
    const adds = net.layers.filter((l) => l.op === 'add').map((l) => l.block);
    expect(adds).toEqual([3, 5, 6, 8, 9, 10, 12, 13, 15, 16]);
    expect(layer(net, 'b3.add').inputs.map((t) => net.layers[t]!.name)).toEqual(['b3.proj', 'b2.proj']);
    expect(layer(net, 'stem').macs).toBe(112 * 112 * 32 * 3 * 3 * 3);
    expect(layer(net, 'b1.dw').macs + layer(net, 'b1.proj').macs).toBe(112 * 112 * 32 * 9 + 112 * 112 * 32 * 16);
    expect(layer(net, 'fc').macs).toBe(1280 * 1000);
    // 300.8M with the classifier (reference/patch-inference.md)
    expect(Math.round(net.macs / 1e5) / 10).toBe(300.8);
    // activations
    expect(['stem', 'b2.exp', 'b2.dw', 'b2.proj', 'head'].map((n) => layer(net, n).spec.activation)).toEqual(['relu6', 'relu6', 'relu6', 'none', 'relu6']);
  });

  it('padding styles', () => {
    const same = mobilenetv2Network({ resolution: 224 });
    const sym = mobilenetv2Network({ resolution: 224, padding: 'symmetric' });
    // stride 2, k 3, even input: SAME pads 0 before and 1 after, symmetric 1 and 1; stride 1: both 1 and 1
    expect(layer(same, 'stem').plan.pad).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    expect(layer(sym, 'stem').plan.pad).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    expect(layer(same, 'b1.dw').plan.pad).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    // same output sizes either way
    expect(sym.layers.map((l) => l.output)).toEqual(same.layers.map((l) => l.output));
    // odd resolution: 97 -> 49 (SAME ceil; symmetric floor((97 + 2 - 3) / 2) + 1)
    expect(layer(mobilenetv2Network({ resolution: 97, padding: 'symmetric' }), 'stem').output.h).toBe(49);
  });

  it('0.35/144: the TF-slim head gives MCUNet\'s 23.5M MACs', () => {
    const keras = mobilenetv2Network({ width: 0.35, resolution: 144 });
    const slim = mobilenetv2Network({ width: 0.35, resolution: 144, scaleHead: true });
    expect(layer(slim, 'head').output.c).toBe(448);
    expect(Math.round(slim.macs / 1e5) / 10).toBe(23.5);
    // the difference, by hand: head 5x5x112 -> 1280 vs 448, fc 1280 vs 448 inputs x 1000
    expect(keras.macs - slim.macs).toBe(25 * 112 * (1280 - 448) + 1000 * (1280 - 448));
  });

  it('MbV2-RD: the block table and its MACs', () => {
    const rd = mbv2Blocks('rd');
    expect(rd.length).toBe(17);
    expect(rd.slice(0, 4)).toEqual([{ t: 1, c: 16, s: 1, k: 1 }, { t: 6, c: 24, s: 2, k: 3 }, { t: 6, c: 32, s: 2, k: 3 }, { t: 6, c: 32, s: 1, k: 5 }]);
    expect(rd.slice(3).every((b) => b.k === 5)).toBe(true);
    const net = mobilenetv2Network({ variant: 'rd' });
    expect(net.layers.some((l) => l.name === 'b1.dw')).toBe(false);
    expect(layer(net, 'b3.proj').output).toEqual({ h: 28, w: 28, c: 32 });
    // the patch stage (split 4) by hand: stem, b1 projection, b2 (16 -> 96 -> 24, s2), b3 (24 -> 144 -> 32, s2)
    const stage = net.layers.filter((l) => l.block < 4).reduce((a, l) => a + l.macs, 0);
    expect(stage).toBe(112 * 112 * 32 * 27 + 112 * 112 * 32 * 16
      + 112 * 112 * 16 * 96 + 56 * 56 * 96 * 9 + 56 * 56 * 96 * 24
      + 56 * 56 * 24 * 144 + 28 * 28 * 144 * 9 + 28 * 28 * 144 * 32);
    expect(net.patchSplit).toBe(4);
    // total close to MobileNetV2's
    expect(Math.abs(net.macs / mobilenetv2Network().macs - 1)).toBeLessThan(0.01);
  });

  it('rejects bad options with the parameter and its range', () => {
    expect(() => mobilenetv2({ width: 0.6 })).toThrow('width: expected one of 0.35, 0.5, 0.75, 1.0, 1.4, got 0.6');
    expect(() => mobilenetv2({ resolution: 95 })).toThrow('resolution: expected an integer in [96, 224], got 95');
    expect(() => mobilenetv2({ resolution: 225 })).toThrow('resolution: expected an integer in [96, 224], got 225');
    expect(() => mobilenetv2({ resolution: 100.5 })).toThrow('resolution: expected an integer in [96, 224], got 100.5');
    expect(() => mobilenetv2({ padding: 'valid' as never })).toThrow('padding: expected same or symmetric, got valid');
    expect(() => mobilenetv2({ variant: 'v3' as never })).toThrow('variant: expected mbv2 or rd, got v3');
    expect(() => mobilenetv2({ classes: 0 })).toThrow('classes: expected an integer in [1, 65536], got 0');
    expect(mobilenetv2({ resolution: 40, anyResolution: true }).input.h).toBe(40);
  });

  it('is deterministic in the seed', () => {
    const a = mobilenetv2({ width: 0.35, resolution: 96, seed: 4 });
    expect(mobilenetv2({ width: 0.35, resolution: 96, seed: 4 })).toEqual(a);
    expect(mobilenetv2({ width: 0.35, resolution: 96, seed: 5 }).layers[0]!.weightScales).not.toEqual(a.layers[0]!.weightScales);
  });
});
