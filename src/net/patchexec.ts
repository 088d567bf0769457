/**
 * The patch executor: runs a PatchPlan with the reference ops of src/nn, exactly as the firmware builder will: for
 * each patch (row-major), every stage layer computes its region of the patch from the regions of its inputs (cropped
 * where a reader needs less than a tensor holds), with explicit per-side padding on the image border (the patch's
 * `pad`) and none inside; the stage's last layer writes its patch into the full stage output; then the rest of the
 * network runs layer by layer. Its output is bit-identical to runNetworkReference (test/unit/net-exec.test.ts).
 *
 * API: runNetworkPatched(plan, weights, input) -> PatchRun; cropRegion(data, from, channels, to).
 */
import { planLayer, type LayerSpec } from '../nn/spec.js';
import { runLayer } from '../nn/ops.js';
import { INPUT_TENSOR, tensorShape, type NetWeights } from './network.js';
import { rectH, rectW, type PatchPlan, type Rect } from './patch.js';

/** Copy region `to` out of `data`, which holds region `from` (NHWC, `channels` per pixel); `to` must lie inside `from`. */
export function cropRegion(data: Int8Array, from: Rect, channels: number, to: Rect): Int8Array {
  if (to.y0 < from.y0 || to.y1 > from.y1 || to.x0 < from.x0 || to.x1 > from.x1) {
    throw new RangeError(`cropRegion: [${to.y0},${to.y1})x[${to.x0},${to.x1}) is not inside [${from.y0},${from.y1})x[${from.x0},${from.x1})`);
  }
  if (to.y0 === from.y0 && to.y1 === from.y1 && to.x0 === from.x0 && to.x1 === from.x1) return data;
  const fw = rectW(from), tw = rectW(to), th = rectH(to);
  const out = new Int8Array(th * tw * channels);
  const row = tw * channels;
  for (let y = 0; y < th; y++) {
    const src = ((to.y0 - from.y0 + y) * fw + (to.x0 - from.x0)) * channels;
    out.set(data.subarray(src, src + row), y * row);
  }
  return out;
}

/** Paste `data` (region `at`) into `full` (the whole tensor, `width` pixels wide). */
function paste(full: Int8Array, width: number, channels: number, at: Rect, data: Int8Array): void {
  const row = rectW(at) * channels;
  for (let y = 0; y < rectH(at); y++) {
    full.set(data.subarray(y * row, (y + 1) * row), ((at.y0 + y) * width + at.x0) * channels);
  }
}

export interface PatchRun {
  /** the full stage output, assembled patch by patch */
  stageOutput: Int8Array;
  /** per layer: its output (null for stage layers other than the stage output: they only exist per patch) */
  tensors: (Int8Array | null)[];
  output: Int8Array;
  /** MACs the stage ran (sum over patches) */
  stageMacs: number;
}

/** Run a patch plan with the reference ops. */
export function runNetworkPatched(plan: PatchPlan, weights: NetWeights, input: Int8Array): PatchRun {
  const net = plan.net;
  const n = net.input.h * net.input.w * net.input.c;
  if (input.length !== n) throw new RangeError(`input: expected ${n} values, got ${input.length}`);
  const so = tensorShape(net, plan.stageOutput);
  const stageOutput = new Int8Array(so.h * so.w * so.c);
  const full: Rect = { y0: 0, y1: net.input.h, x0: 0, x1: net.input.w };
  let stageMacs = 0;
  for (const patch of plan.grid) {
    const held = new Map<number, { rect: Rect; data: Int8Array }>();
    const inRegion = patch.regions.get(INPUT_TENSOR);
    if (inRegion) held.set(INPUT_TENSOR, { rect: inRegion, data: cropRegion(input, full, net.input.c, inRegion) });
    for (const pl of patch.layers) {
      const l = net.layers[pl.layer]!;
      const ins = l.inputs.map((u, k) => {
        const h = held.get(u);
        if (!h) throw new Error(`patch (${patch.row}, ${patch.col}): ${l.name} reads ${u} before it is computed`);
        return cropRegion(h.data, h.rect, tensorShape(net, u).c, pl.in[k]!);
      });
      const r0 = pl.in[0]!;
      const spec: LayerSpec = { ...l.spec, input: { h: rectH(r0), w: rectW(r0), c: l.spec.input.c } };
      if (l.op !== 'add' && l.op !== 'fully_connected') spec.padding = { ...pl.pad };
      const p = planLayer(spec);
      if (p.outH !== rectH(pl.out) || p.outW !== rectW(pl.out)) {
        throw new Error(`patch (${patch.row}, ${patch.col}): ${l.name} gives ${p.outH}x${p.outW}, the plan says ${rectH(pl.out)}x${rectW(pl.out)}`);
      }
      stageMacs += p.macs;
      const out = runLayer(p, { input: ins[0]!, weights: weights[l.index], input2: ins[1] ?? null });
      if (l.index === plan.stageOutput) paste(stageOutput, so.w, so.c, pl.out, out);
      else held.set(l.index, { rect: pl.out, data: out });
    }
  }
  const inStage = new Set(plan.stage);
  const tensors: (Int8Array | null)[] = net.layers.map(() => null);
  tensors[plan.stageOutput] = stageOutput;
  const get = (t: number): Int8Array => {
    const v = t === INPUT_TENSOR ? input : tensors[t];
    if (!v) throw new Error(`tensor ${t} is not available after the patch stage`);
    return v;
  };
  for (const l of net.layers) {
    if (inStage.has(l.index)) continue;
    tensors[l.index] = runLayer(l.plan, { input: get(l.inputs[0]!), weights: weights[l.index], input2: l.inputs.length > 1 ? get(l.inputs[1]!) : null });
  }
  return { stageOutput, tensors, output: tensors[tensors.length - 1]!, stageMacs };
}
