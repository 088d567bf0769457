/**
 * The patch planner (MCUNetV2 patch-based inference, reference/patch-inference.md): the patch stage is blocks
 * 0..split-1; its output (the tensor the rest of the network reads) is cut into p x p patches; each patch's region is
 * walked backwards through the stage, layer by layer, to the regions every stage tensor must hold for it.
 *
 * Geometry, per axis, for a layer with stride s, effective kernel k = (kernel - 1) * dilation + 1 and pad-before P (the
 * whole-layer padding of its style): output rows [o0, o1) read input rows [o0*s - P, (o1-1)*s - P + k). That interval
 * is clipped to the input; what falls outside is the patch's padding on that side (explicit per-side padding for the
 * op, i.e. taps on the input zero point), so a border patch is computed exactly as the whole layer computes it and an
 * interior patch is unpadded ("valid"). 1x1 layers, adds and fully connected layers map a region to itself. A tensor
 * read by several stage layers holds the union (bounding box) of their regions; a layer reading less crops it.
 * Patches split the stage output as evenly as possible, the larger first: 28 in 3 -> 10, 9, 9.
 * `rf` is the same walk without clipping (the receptive field: MobileNetV2 1.0/224, 4x4, split 5, patch (0, 0): input
 * columns [-13, 62) with symmetric padding, [-6, 69) with SAME); inputPatch lists the unclipped sizes at the input of
 * every windowed layer of the stage for the largest patch, then the patch: 75 -> 37 -> 35 -> 17 -> 15 -> 7.
 *
 * MACs: planLayer's count (every kernel tap) per output pixel times the pixels each patch computes, summed over the
 * patches (`stagePatch`: what an executor runs; border patches are smaller), and p^2 times the largest unclipped patch
 * (`stagePatchUniform`: the paper's analytic count).
 * Memory (patch mode): one patch iteration of the stage with every stage tensor at its largest patch region, the full
 * stage output live from the first patch to its last reader (written patch by patch), then the rest as whole-layer;
 * the same planner, rules and placement as whole-layer (src/net/memplan.ts). The stage steps are one patch iteration,
 * repeated for every patch at the same offsets.
 *
 * API: planPatches(net, split, patches, options?) -> PatchPlan (throws Error naming the parameter and its range);
 * searchPatchConfigs(net, options?) -> every (split, p), the Pareto front (arena bytes vs MAC overhead) and the best
 * configuration under a byte budget; splitSizes(n, p); stageOf(net, split).
 */
import type { ExplicitPadding } from '../nn/padding.js';
import { INPUT_TENSOR, tensorShape, type Network, type NetLayer } from './network.js';
import { buildSchedule, planSchedule, planWholeLayer, type MemOptions, type MemPlan } from './memplan.js';

/** A half-open rectangle [y0, y1) x [x0, x1) in a tensor's pixel coordinates. */
export interface Rect {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}
export const rectH = (r: Rect) => r.y1 - r.y0;
export const rectW = (r: Rect) => r.x1 - r.x0;
const union = (a: Rect | undefined, b: Rect): Rect =>
  a ? { y0: Math.min(a.y0, b.y0), y1: Math.max(a.y1, b.y1), x0: Math.min(a.x0, b.x0), x1: Math.max(a.x1, b.x1) } : b;

/** One layer of one patch. */
export interface PatchLayer {
  layer: number;
  name: string;
  /** the output region computed (the union of what its readers need) */
  out: Rect;
  /** per input: the region read, clipped to that input */
  in: Rect[];
  /** the op's explicit padding around in[0]: the window's reach outside the image on each side */
  pad: ExplicitPadding;
  /** in[0] of the same walk without any clipping: the patch's receptive field at this layer's input */
  rf: Rect;
  macs: number;
}

export interface Patch {
  row: number;
  col: number;
  /** its region of the stage output */
  out: Rect;
  /** the stage layers it computes, in order */
  layers: PatchLayer[];
  /** region held per tensor id (key -1: the network input) */
  regions: Map<number, Rect>;
}

export interface PatchMacs {
  /** the stage run whole */
  stageWhole: number;
  /** the stage run patch by patch (exact: border patches are smaller) */
  stagePatch: number;
  /** p^2 times the largest unclipped patch (the paper's analytic count) */
  stagePatchUniform: number;
  /** the network whole, and with the stage in patches (exact / uniform) */
  whole: number;
  patch: number;
  patchUniform: number;
  /** stagePatch / stageWhole - 1, patch / whole - 1 (and the same for the uniform counts) */
  stageOverhead: number;
  overallOverhead: number;
  stageOverheadUniform: number;
  overallOverheadUniform: number;
}

export interface PatchPlan {
  net: Network;
  split: number;
  patches: number;
  /** layer indices of the patch stage */
  stage: number[];
  /** the stage's output tensor (a layer index) */
  stageOutput: number;
  /** patch sizes along the stage output's rows and columns */
  rows: number[];
  cols: number[];
  /** row-major */
  grid: Patch[];
  /** unclipped sizes at the input of each windowed stage layer, for the largest patch, then the patch itself */
  inputPatch: { layer: string; h: number; w: number }[];
  macs: PatchMacs;
  /** arena bytes of each tensor in patch mode (stage tensors: their largest patch region) */
  bytes: Map<number, number>;
  /** the patch-mode memory plan (stage steps: one patch iteration) */
  memory: MemPlan;
}

/** Sizes of p parts of n, as even as possible, the larger first (28 in 3: 10, 9, 9). */
export function splitSizes(n: number, p: number): number[] {
  const base = Math.floor(n / p), extra = n % p;
  return Array.from({ length: p }, (_, i) => base + (i < extra ? 1 : 0));
}

/** The stage of a split: its layers and output tensor; throws Error (naming `split` and its range) when invalid. */
export function stageOf(net: Network, split: number): { stage: number[]; output: number } {
  const maxSplit = net.blocks - 1;
  if (maxSplit < 1) throw new Error(`split: the network has a single block (0); patch-based inference needs a stage and a rest`);
  if (!Number.isInteger(split) || split < 1 || split > maxSplit) {
    throw new Error(`split: expected an integer in [1, ${maxSplit}] (the patch stage is blocks 0..split-1 of 0..${net.blocks - 1}; at least the last block runs whole), got ${split}`);
  }
  const stage = net.layers.filter((l) => l.block < split).map((l) => l.index);
  const inStage = new Set(stage);
  const readAfter = new Set<number>();
  for (const l of net.layers) if (!inStage.has(l.index)) for (const t of l.inputs) if (t === INPUT_TENSOR || inStage.has(t)) readAfter.add(t);
  if (readAfter.has(INPUT_TENSOR)) throw new Error(`split ${split}: a layer after the patch stage reads the network input; the stage must be the only reader`);
  const last = stage[stage.length - 1]!;
  if (readAfter.size !== 1 || !readAfter.has(last)) {
    const names = [...readAfter].map((t) => `"${net.layers[t]!.name}"`).join(', ');
    throw new Error(`split ${split}: the rest of the network must read only the stage's last layer ("${net.layers[last]!.name}"), but it reads ${names}`);
  }
  return { stage, output: last };
}

interface AxisGeom { k: number; s: number; p: number; n: number }
function axes(l: NetLayer): { y: AxisGeom; x: AxisGeom } | null {
  const pl = l.plan;
  if (l.op === 'add' || l.op === 'fully_connected') return null;
  return {
    y: { k: (pl.kh - 1) * pl.dh + 1, s: pl.sh, p: pl.pad.top, n: pl.inH },
    x: { k: (pl.kw - 1) * pl.dw + 1, s: pl.sw, p: pl.pad.left, n: pl.inW },
  };
}
const isWindowed = (l: NetLayer) => { const a = axes(l); return !!a && (a.y.k > 1 || a.x.k > 1 || a.y.s > 1 || a.x.s > 1); };

/** Input interval of output [o0, o1): unclipped [lo, hi). */
const reach = (o0: number, o1: number, g: AxisGeom): [number, number] => [o0 * g.s - g.p, (o1 - 1) * g.s - g.p + g.k];

function perPixelMacs(l: NetLayer): number {
  return l.macs / (l.output.h * l.output.w);
}

/** Walk one output region back through the stage. `clip` false: receptive field only. */
function walk(net: Network, stage: number[], stageOut: number, out: Rect, clip: boolean): { layers: PatchLayer[]; regions: Map<number, Rect> } {
  const regions = new Map<number, Rect>([[stageOut, out]]);
  const layers: PatchLayer[] = [];
  for (let j = stage.length - 1; j >= 0; j--) {
    const l = net.layers[stage[j]!]!;
    const o = regions.get(l.index);
    if (!o) continue;
    const a = axes(l);
    let inRect = o, rf = o;
    let pad: ExplicitPadding = { top: 0, bottom: 0, left: 0, right: 0 };
    if (a) {
      const [ylo, yhi] = reach(o.y0, o.y1, a.y);
      const [xlo, xhi] = reach(o.x0, o.x1, a.x);
      rf = { y0: ylo, y1: yhi, x0: xlo, x1: xhi };
      if (clip) {
        inRect = { y0: Math.max(0, ylo), y1: Math.min(a.y.n, yhi), x0: Math.max(0, xlo), x1: Math.min(a.x.n, xhi) };
        pad = { top: Math.max(0, -ylo), bottom: Math.max(0, yhi - a.y.n), left: Math.max(0, -xlo), right: Math.max(0, xhi - a.x.n) };
      } else inRect = rf;
    }
    for (const u of l.inputs) regions.set(u, union(regions.get(u), inRect));
    layers.push({ layer: l.index, name: l.name, out: o, in: l.inputs.map(() => inRect), pad, rf, macs: rectH(o) * rectW(o) * perPixelMacs(l) });
  }
  layers.reverse();
  return { layers, regions };
}

/** Plan patch-based inference: `split` blocks in the stage, `patches` x `patches` patches. */
export function planPatches(net: Network, split: number, patches: number, options: MemOptions = {}): PatchPlan {
  const { stage, output } = stageOf(net, split);
  const so = net.layers[output]!.output;
  const maxP = Math.min(so.h, so.w);
  if (!Number.isInteger(patches) || patches < 1 || patches > maxP) {
    throw new Error(`patches: expected an integer in [1, ${maxP}] (the stage output "${net.layers[output]!.name}" is ${so.h}x${so.w}; every patch needs at least one row and column), got ${patches}`);
  }
  const rows = splitSizes(so.h, patches), cols = splitSizes(so.w, patches);
  const grid: Patch[] = [];
  let y = 0;
  for (let r = 0; r < patches; r++) {
    let x = 0;
    for (let c = 0; c < patches; c++) {
      const out = { y0: y, y1: y + rows[r]!, x0: x, x1: x + cols[c]! };
      const w = walk(net, stage, output, out, true);
      const rf = new Map(walk(net, stage, output, out, false).layers.map((pl) => [pl.layer, pl.rf]));
      for (const pl of w.layers) pl.rf = rf.get(pl.layer)!;
      grid.push({ row: r, col: c, out, layers: w.layers, regions: w.regions });
      x += cols[c]!;
    }
    y += rows[r]!;
  }
  // the largest patch, unclipped
  const big = walk(net, stage, output, { y0: 0, y1: rows[0]!, x0: 0, x1: cols[0]! }, false);
  const inputPatch: { layer: string; h: number; w: number }[] = [];
  for (const pl of big.layers) if (isWindowed(net.layers[pl.layer]!)) inputPatch.push({ layer: pl.name, h: rectH(pl.rf), w: rectW(pl.rf) });
  inputPatch.push({ layer: net.layers[output]!.name, h: rows[0]!, w: cols[0]! });

  // MACs
  const stageWhole = stage.reduce((a, i) => a + net.layers[i]!.macs, 0);
  let stagePatch = 0;
  for (const p of grid) for (const pl of p.layers) stagePatch += pl.macs;
  const stagePatchUniform = patches * patches * big.layers.reduce((a, pl) => a + pl.macs, 0);
  const whole = net.macs;
  const patch = whole - stageWhole + stagePatch;
  const patchUniform = whole - stageWhole + stagePatchUniform;
  const macs: PatchMacs = {
    stageWhole, stagePatch, stagePatchUniform, whole, patch, patchUniform,
    stageOverhead: stagePatch / stageWhole - 1,
    overallOverhead: patch / whole - 1,
    stageOverheadUniform: stagePatchUniform / stageWhole - 1,
    overallOverheadUniform: patchUniform / whole - 1,
  };

  // memory: stage tensors at their largest patch region, the stage output whole and pinned
  const inStage = new Set(stage);
  const maxArea = new Map<number, number>();
  for (const p of grid) {
    for (const [t, r] of p.regions) if (t !== output) maxArea.set(t, Math.max(maxArea.get(t) ?? 0, rectH(r) * rectW(r)));
  }
  const inputInArena = options.inputInArena ?? true;
  const bytes = new Map<number, number>();
  const areaOf = (t: number): number => {
    const s = tensorShape(net, t);
    return (t === INPUT_TENSOR || inStage.has(t)) && t !== output ? (maxArea.get(t) ?? 0) : s.h * s.w;
  };
  const bytesOf = (t: number): number => {
    if (t === INPUT_TENSOR && !inputInArena) return 0;
    return areaOf(t) * tensorShape(net, t).c;
  };
  for (let t = INPUT_TENSOR; t < net.layers.length; t++) bytes.set(t, bytesOf(t));
  const schedule = buildSchedule(net, options, {
    bytes: bytesOf,
    channelBytes: areaOf,
    pinned: [output],
    noOverwrite: new Set([output]),
  });
  const memory = planSchedule(schedule, options.align ?? 1);
  return { net, split, patches, stage, stageOutput: output, rows, cols, grid, inputPatch, macs, bytes, memory };
}

/** One configuration of a search (split 0 and patches 1: whole-layer). */
export interface SearchEntry {
  split: number;
  patches: number;
  /** arena bytes (the placement's extent) and the analytic peak */
  arena: number;
  peak: number;
  peakLayer: string;
  macs: number;
  macOverhead: number;
  stageMacOverhead: number;
  /** inputPatch sizes (heights) */
  inputPatch: number[];
}

export interface SearchOptions extends MemOptions {
  /** splits to try (default: all) */
  splits?: number[];
  /** patch counts to try (default 2..8) */
  patches?: number[];
  /** arena byte budget for `best` */
  budget?: number;
}

export interface SearchResult {
  whole: SearchEntry;
  /** every valid configuration, whole-layer first */
  entries: SearchEntry[];
  /** configurations not dominated in (arena, macOverhead), by increasing arena */
  pareto: SearchEntry[];
  /** the least MAC overhead within the budget (then the smaller arena, split, patches); null without a budget or fit */
  best: SearchEntry | null;
  /** configurations skipped, with the reason */
  skipped: { split: number; patches: number; reason: string }[];
}

/** Try every split and patch count; the Pareto front of arena bytes vs MAC overhead; the best under `budget`. */
export function searchPatchConfigs(net: Network, options: SearchOptions = {}): SearchResult {
  const splits = options.splits ?? Array.from({ length: Math.max(0, net.blocks - 1) }, (_, i) => i + 1);
  const counts = options.patches ?? [2, 3, 4, 5, 6, 7, 8];
  if (options.budget !== undefined && !(options.budget > 0)) throw new Error(`budget: expected a positive number of bytes, got ${options.budget}`);
  const wm = planWholeLayer(net, options);
  const whole: SearchEntry = {
    split: 0, patches: 1, arena: wm.extent, peak: wm.peak, peakLayer: wm.peakLayer, macs: net.macs, macOverhead: 0, stageMacOverhead: 0, inputPatch: [],
  };
  const entries: SearchEntry[] = [whole];
  const skipped: SearchResult['skipped'] = [];
  for (const split of splits) {
    for (const p of counts) {
      let plan: PatchPlan;
      try {
        plan = planPatches(net, split, p, options);
      } catch (e) {
        skipped.push({ split, patches: p, reason: e instanceof Error ? e.message : String(e) });
        continue;
      }
      entries.push({
        split, patches: p, arena: plan.memory.extent, peak: plan.memory.peak, peakLayer: plan.memory.peakLayer,
        macs: plan.macs.patch, macOverhead: plan.macs.overallOverhead, stageMacOverhead: plan.macs.stageOverhead,
        inputPatch: plan.inputPatch.map((x) => x.h),
      });
    }
  }
  const order = (a: SearchEntry, b: SearchEntry) => a.arena - b.arena || a.macOverhead - b.macOverhead || a.split - b.split || a.patches - b.patches;
  const sorted = [...entries].sort(order);
  const pareto: SearchEntry[] = [];
  let bestOverhead = Infinity;
  for (const e of sorted) if (e.macOverhead < bestOverhead) { pareto.push(e); bestOverhead = e.macOverhead; }
  let best: SearchEntry | null = null;
  if (options.budget !== undefined) {
    for (const e of entries) {
      if (e.arena > options.budget) continue;
      if (!best || e.macOverhead < best.macOverhead || (e.macOverhead === best.macOverhead && order(e, best) < 0)) best = e;
    }
  }
  return { whole, entries, pareto, best, skipped };
}
