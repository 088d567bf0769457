/**
 * Built-in MobileNetV2 (Sandler et al. 2018) and MbV2-RD (MCUNetV2's receptive-field-redistributed variant, Lin et al.
 * 2021, arXiv 2110.15352) as networks of src/net/network.ts, with seeded realistic quantisation.
 *
 * MobileNetV2 (reference/patch-inference.md): stem conv 3x3 stride 2 to 32 channels (block 0); inverted residual blocks
 * (t, c, n, s) = (1,16,1,1), (6,24,2,2), (6,32,3,2), (6,64,4,2), (6,96,3,1), (6,160,3,2), (6,320,1,1) (blocks 1..17):
 * expansion pointwise to round(cin * t) channels (absent when t = 1), 3x3 depthwise with the block's stride, projection
 * pointwise to c; ReLU6 after the stem, expansion and depthwise, none after the projection; a residual add when t > 1,
 * stride 1 and cin == cout. Then (block 18) a pointwise conv to 1280 (make_divisible(1280 w) for w > 1) with ReLU6,
 * a global average pool and a fully connected layer to `classes` (1000) (option scaleHead: make_divisible(1280 w) for
 * every width, as TF-slim). Channels: make_divisible(c * w) =
 * max(8, floor((c w + 4) / 8) * 8), plus 8 if that is below 0.9 c w. Widths 0.35, 0.5, 0.75, 1.0, 1.4; resolutions
 * 96..224. Padding 'same' (TFLite) or 'symmetric' (PyTorch export, pad k//2).
 * Layer names: stem, b<i>.exp, b<i>.dw, b<i>.proj, b<i>.add, head, pool, fc.
 *
 * MbV2-RD. The paper (Sec. 3.2, Fig. 4, Table 1) says: "smaller kernels and fewer blocks in the per-patch inference
 * stage, and increased the number of blocks in the later per-layer inference stage", giving a 63x63 input patch at
 * 224 with 4x4 patches (MbV2: 75x75), patch-stage MACs 73M with 4x4 patches (MbV2: 130M), 301M overall, +18% / +3%.
 * The figure's block list is an image we could not read, so the definition here is reconstructed from those numbers
 * (our choice, not the paper's text):
 *   - patch stage (stem + 3 blocks, split 4, output 28x28x32 as MbV2's split 5): stem conv 3x3 s2; block 1 reduced to
 *     its projection (1x1 conv 32 -> 16: kernel 1, the 3x3 depthwise removed); one 24-channel block (MB6 3x3 s2)
 *     instead of two; the first 32-channel block (MB6 3x3 s2). Receptive field: 7 -> 15 -> 31 -> 31 -> 63. Its MACs
 *     reproduce Table 1: 61.95M whole, 73.25M as 16 interior 4x4 patches (+18.2%).
 *   - later stage: the removed block moves to the 32-channel stage (4 blocks instead of 3, so 17 inverted residual
 *     blocks as in MbV2), and every later depthwise is 5x5 instead of 3x3; total MACs 301.4M at 1.0/224 against
 *     MbV2's 300.8M.
 *
 * API: mobilenetv2(options) -> NetworkJson (validated options; throws Error naming the parameter and its range);
 * mobilenetv2Network(options) -> Network; makeDivisible; MBV2_WIDTHS; MBV2_RESOLUTIONS; mbv2Blocks(variant).
 */
import { fillRealisticQuant, resolveNetwork, type LayerDraft, type Network, type NetworkJson } from './network.js';

export const MBV2_WIDTHS: readonly number[] = [0.35, 0.5, 0.75, 1.0, 1.4];
export const MBV2_RESOLUTIONS = { min: 96, max: 224 } as const;
export type MbV2Variant = 'mbv2' | 'rd';
export type MbV2Padding = 'same' | 'symmetric';

export interface MobileNetV2Options {
  /** width multiplier: 0.35, 0.5, 0.75, 1.0 (default), 1.4 */
  width?: number;
  /** input height and width, 96..224 (default 224) */
  resolution?: number;
  /** 'same' (TFLite, default) or 'symmetric' (PyTorch export) */
  padding?: MbV2Padding;
  /** 'mbv2' (default) or 'rd' (MbV2-RD) */
  variant?: MbV2Variant;
  /** classifier outputs (default 1000) */
  classes?: number;
  /** seed of the quantisation parameters and weights (default 1) */
  seed?: number;
  /** accept any resolution in [8, 512] (small networks for tests and experiments) */
  anyResolution?: boolean;
  /**
   * scale the last conv by the width for every width: make_divisible(1280 w) (TF-slim's default, with
   * finegrain_classification_mode off). Default false: 1280 for w <= 1 (reference/patch-inference.md, Keras). With it,
   * 0.35/144 has the 23.5M MACs quoted for MCUNet's MobileNetV2 0.35/144; without it 26.7M.
   */
  scaleHead?: boolean;
}

/** make_divisible(v) = max(8, floor((v + 4) / 8) * 8), plus 8 if that is below 0.9 v (reference/patch-inference.md). */
export function makeDivisible(v: number): number {
  let r = Math.max(8, Math.floor((v + 4) / 8) * 8);
  if (r < 0.9 * v) r += 8;
  return r;
}

/** One inverted residual block: expansion t, output channels c (before the width multiplier), stride s, depthwise kernel k (1: no depthwise). */
export interface BlockDef {
  t: number;
  c: number;
  s: number;
  k: number;
}

const MBV2_TABLE: [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** The inverted residual blocks (1..17) of a variant, before the width multiplier. */
export function mbv2Blocks(variant: MbV2Variant = 'mbv2'): BlockDef[] {
  const out: BlockDef[] = [];
  if (variant === 'mbv2') {
    for (const [t, c, n, s] of MBV2_TABLE) for (let i = 0; i < n; i++) out.push({ t, c, s: i === 0 ? s : 1, k: 3 });
    return out;
  }
  // MbV2-RD (see the header): patch stage with a smaller receptive field, the later stage with more and larger kernels
  out.push({ t: 1, c: 16, s: 1, k: 1 });
  out.push({ t: 6, c: 24, s: 2, k: 3 });
  out.push({ t: 6, c: 32, s: 2, k: 3 });
  for (let i = 0; i < 3; i++) out.push({ t: 6, c: 32, s: 1, k: 5 });
  for (const [c, n, s] of [[64, 4, 2], [96, 3, 1], [160, 3, 2], [320, 1, 1]] as const) {
    for (let i = 0; i < n; i++) out.push({ t: 6, c, s: i === 0 ? s : 1, k: 5 });
  }
  return out;
}

function checkOptions(o: MobileNetV2Options): Required<Omit<MobileNetV2Options, 'anyResolution' | 'scaleHead'>> {
  const width = o.width ?? 1.0;
  if (!MBV2_WIDTHS.includes(width)) throw new Error(`width: expected one of 0.35, 0.5, 0.75, 1.0, 1.4, got ${width}`);
  const resolution = o.resolution ?? 224;
  const [lo, hi] = o.anyResolution ? [8, 512] : [MBV2_RESOLUTIONS.min, MBV2_RESOLUTIONS.max];
  if (!Number.isInteger(resolution) || resolution < lo || resolution > hi) throw new Error(`resolution: expected an integer in [${lo}, ${hi}], got ${resolution}`);
  const padding = o.padding ?? 'same';
  if (padding !== 'same' && padding !== 'symmetric') throw new Error(`padding: expected same or symmetric, got ${String(padding)}`);
  const variant = o.variant ?? 'mbv2';
  if (variant !== 'mbv2' && variant !== 'rd') throw new Error(`variant: expected mbv2 or rd, got ${String(variant)}`);
  const classes = o.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1 || classes > 65536) throw new Error(`classes: expected an integer in [1, 65536], got ${classes}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed)) throw new Error(`seed: expected an integer, got ${seed}`);
  return { width, resolution, padding, variant, classes, seed };
}

/** The network JSON of MobileNetV2 or MbV2-RD (quantisation filled in from the seed; weights from the same seed). */
export function mobilenetv2(options: MobileNetV2Options = {}): NetworkJson {
  const { width, resolution, padding, variant, classes, seed } = checkOptions(options);
  const layers: LayerDraft[] = [];
  const stemC = makeDivisible(32 * width);
  layers.push({ name: 'stem', op: 'conv2d', block: 0, kernel: 3, stride: 2, padding, outChannels: stemC, activation: 'relu6' });
  let cin = stemC;
  let prev = 'stem';
  let h = resolution;
  const outSize = (n: number, s: number, k: number) => (padding === 'same' ? Math.ceil(n / s) : Math.floor((n + 2 * Math.floor(k / 2) - k) / s) + 1);
  h = outSize(h, 2, 3);
  const blocks = mbv2Blocks(variant);
  blocks.forEach((b, j) => {
    const i = j + 1;
    const cout = makeDivisible(b.c * width);
    const hidden = Math.round(cin * b.t);
    const blockIn = prev;
    if (b.t !== 1) {
      layers.push({ name: `b${i}.exp`, op: 'pointwise', block: i, inputs: [prev], outChannels: hidden, activation: 'relu6' });
      prev = `b${i}.exp`;
    }
    if (b.k > 1 || b.s > 1) {
      layers.push({ name: `b${i}.dw`, op: 'depthwise', block: i, inputs: [prev], kernel: b.k, stride: b.s, padding, activation: 'relu6' });
      prev = `b${i}.dw`;
      h = outSize(h, b.s, b.k);
    }
    layers.push({ name: `b${i}.proj`, op: 'pointwise', block: i, inputs: [prev], outChannels: cout, activation: 'none' });
    prev = `b${i}.proj`;
    if (b.t > 1 && b.s === 1 && cin === cout) {
      layers.push({ name: `b${i}.add`, op: 'add', block: i, inputs: [prev, blockIn], activation: 'none' });
      prev = `b${i}.add`;
    }
    cin = cout;
  });
  const headBlock = blocks.length + 1;
  const lastC = width > 1 || options.scaleHead ? makeDivisible(1280 * width) : 1280;
  layers.push({ name: 'head', op: 'pointwise', block: headBlock, inputs: [prev], outChannels: lastC, activation: 'relu6' });
  layers.push({ name: 'pool', op: 'avgpool', block: headBlock, kernel: h, stride: 1, padding: 'valid' });
  layers.push({ name: 'fc', op: 'fully_connected', block: headBlock, outChannels: classes, activation: 'none' });
  const w = Number.isInteger(width) ? width.toFixed(1) : String(width);
  return fillRealisticQuant({
    format: 'mcusim-network/1',
    name: `${variant === 'rd' ? 'mbv2-rd' : 'mobilenetv2'}-${w}-${resolution}${padding === 'symmetric' ? '-sym' : ''}${options.scaleHead && width < 1 ? '-slimhead' : ''}`,
    input: { h: resolution, w: resolution, c: 3, scale: 0.0078125, zeroPoint: 0 },
    seed,
    patchSplit: variant === 'rd' ? 4 : 5,
    layers,
  }, seed);
}

/** mobilenetv2(options), resolved. */
export function mobilenetv2Network(options: MobileNetV2Options = {}): Network {
  return resolveNetwork(mobilenetv2(options));
}
