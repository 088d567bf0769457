/**
 * The network firmware builder (issue 6, point 4): a network, its weights and input, a mode (whole-layer, or a patch
 * plan of src/net/patch.ts), a kernel variant and a board -> one firmware image (assembly text and assembled bytes)
 * and a manifest of where everything is.
 *
 * Image (main-window addresses; flash = the memory holding the boot image, src/kernels codeRegion):
 *   flash  vector table (16 words: initial SP, reset = the runner, 14 faults to a BKPT #1)
 *          kernel units, one per distinct kernel: the unit's constant tables (each 8-byte aligned: weights, biases,
 *            multipliers, shifts, the kernel's extra tables; a table with the same bytes as an earlier unit's is not
 *            placed again but refers to that one), then its code (the function `kernel`, 8-byte aligned).
 *            Each unit is assembled on its own at its own address; its tables and buffers are `.equ` symbols.
 *          the network input (int8 NHWC; the runner copies it, or each patch's crop of it, into the arena)
 *          the runner: phase markers, the input copies, a call to a kernel per layer (per layer per patch)
 *   SRAM   (the main data SRAM, src/kernels mainSram) from its base: 16 bytes of kernel arguments, then the arena:
 *          every buffer at the memory planner's offset (whole-layer: src/net/memplan.ts planWholeLayer; patch mode: the
 *          patch plan's placement), then free space, then the stack at the top of the region
 *
 * How kernels get their buffers. src/kernels' generators emit a function that loads `=input` and `=output`: a unit
 * whose every call uses the same buffers defines them with `.equ` (the kernel's code is exactly runKernel's); a unit
 * that serves calls with different buffers (patch mode: the stage's last layer writes each patch at its place in the
 * stage output, a reader's crop moves from patch to patch) has each `ldr rX, =input` / `=output` replaced by a load
 * of the address the runner stored in the argument block (two words at the SRAM base) before the call. The builder
 * checks that the kernel refers to `input` and `output` in no other way. Kernels of this directory (kernels.ts)
 * take their buffers in r0-r2.
 *
 * Whole mode: the runner copies the input into its buffer (phase "input"), then runs the memory plan's steps in
 * order, one phase per step named after it (a layer's name; "b2.proj+b2.add" for a projection fused with its
 * residual add). Conv2d, pointwise, depthwise (not in place) and fully connected layers run src/kernels' kernel of
 * the variant ('simd': simdLayerKernel where simdLayerSupport accepts the layer, else the scalar kernel, as
 * runKernel does; 'scalar': scalarKernel); in-place depthwise, fused projection + add, add and pools run kernels.ts
 * (the simd variant: its DSP in-place depthwise where inPlaceDepthwiseDspSupport accepts the layer, and its DSP
 * fused projection + add). Every simd kernel keeps its weights int8 in flash (4 a word, widened at run time), so the
 * constants are about the network's parameter count (int16 only for the unrolled Cortex-M4 pointwise schedule, when
 * options.schedule asks for it), and its instruction order is the board's core's (NetBuildOptions.schedule).
 * Patch mode (follows src/net/patchexec.ts): for each patch in the plan's order, the runner copies the patch's crop
 * of the input into the input's buffer (phase "p<i>/input"), then runs each stage step on the patch's regions with the
 * patch's per-side padding (phase "p<i>/<step>"): kernels are specialised per distinct geometry and shared by the
 * patches that have it. A reader of a tensor region larger than it needs reads its crop (offset and row stride); the
 * stage's last layer writes its patch into the full stage output with the full row stride (kernels.ts kernels take
 * the stride; src/kernels' kernels are called once per output row, each row a 1-row layer with that row's input
 * rows and padding). Then the rest of the network runs as in whole mode.
 *
 * Errors: a layer the firmware cannot run (an op or geometry no kernel takes) is an Error naming it; an assembly
 * error is a generator bug and says so.
 */
import { assemble } from '../asm/assembler.js';
import type { Board } from '../board/schema.js';
import { bootImageAddress } from '../board/machine.js';
import {
  checkScalarSupport, codeRegion, mainSram, scalarKernel, simdLayerKernel, simdLayerSupport, simdSupport, unrolledSupport, STACK_BYTES, groupDigits,
  type ScalarKernel,
} from '../kernels/index.js';
import { planLayer, type LayerPlan, type LayerSpec } from '../nn/spec.js';
import { MCUSIM_BASE, SIMCTL, MAX_NAME_BYTES } from '../sys/simctl.js';
import { buildSchedule, planSchedule, planWholeLayer, type MemOptions, type MemPlan, type Schedule, type ScheduleStep } from '../net/memplan.js';
import { INPUT_TENSOR, tensorShape, type NetLayer, type NetWeights, type Network } from '../net/network.js';
import { rectH, rectW, type Patch, type PatchLayer, type PatchPlan, type Rect } from '../net/patch.js';
import { Asm, asmString, hex } from './asm.js';
import { enlargeBoard, fitIssues, type FitIssue } from './board.js';
import {
  addKernel, fusedPointwiseAddKernel, fusedPointwiseAddKernelDsp, inPlaceDepthwiseKernel, inPlaceDepthwiseKernelDsp, inPlaceDepthwiseDspSupport, int32Table, int8Table, poolKernel,
  type DataTable, type OwnKernel,
} from './kernels.js';

export type NetVariant = 'scalar' | 'simd';
/** 'whole' (layer by layer) or a patch plan (src/net/patch.ts planPatches) */
export type NetMode = 'whole' | { patch: PatchPlan };

export interface NetBuildOptions {
  /**
   * Memory planner options. Whole mode: planWholeLayer's (default: in-place depthwise, fused residuals, the input in
   * the arena, align 1). Patch mode: the options the plan was made with (default: found by re-planning with each
   * combination of inPlaceDepthwise / fuseResidual and keeping the one that gives the plan's placement).
   */
  memory?: MemOptions;
  /**
   * src/kernels' DSP-SIMD pointwise schedule: 'compact-2x2' (default: every simd kernel keeps its weights int8 in
   * flash, 4 a word, widened at run time, so a network's constants are about its parameter count) or 'auto': on a
   * Cortex-M4, the unrolled schedule (int16 weights in literal pools inside the code: the fastest, and the most flash)
   * for the pointwise layers it takes whose input is word aligned (it reads the input with LDM); int8 elsewhere.
   */
  schedule?: 'auto' | 'compact-2x2';
}

/** One kernel unit of the image. */
export interface UnitInfo {
  id: number;
  /** e.g. "b2.dw 28x28 t1b1l1r1" */
  name: string;
  /** layer indices it runs (two for a fused projection + add) */
  layers: number[];
  /** 'scalar' / 'simd' (src/kernels) or a kernels.ts kernel */
  kernel: 'scalar' | 'simd' | OwnKernel['kind'];
  /** why the simd variant fell back to the scalar kernel (null when it did not) */
  fallbackReason: string | null;
  /** the DSP-SIMD pointwise schedule src/kernels chose ('unrolled-OxP', 'compact-2x2'), null for other kernels */
  schedule: string | null;
  /** how it gets its buffers: 'equ' (fixed, assembled in), 'block' (the argument block), 'regs' (r0-r2) */
  argMode: 'equ' | 'block' | 'regs';
  /** start of the unit (its tables), its code (the function `kernel`), the end */
  address: number;
  codeAddress: number;
  end: number;
  /** bytes of code (literal pools of addresses included, constants inside the code not) */
  codeBytes: number;
  /** bytes of constants: the tables (with alignment), and constants the kernel keeps inside its code */
  constBytes: number;
  stackBytes: number;
  calls: number;
  /** the unit's assembly source */
  text: string;
}

export interface BufferInfo {
  id: number;
  name: string;
  kind: 'tensor' | 'temp';
  /** tensor ids held in turn (-1: the network input) */
  tensors: number[];
  offset: number;
  size: number;
  address: number;
}

export interface PhaseInfo {
  /** the phase name as the firmware marks it */
  name: string;
  /** layer indices it runs (empty: an input copy) */
  layers: number[];
  /** patch index (row-major) in patch mode, null otherwise */
  patch: number | null;
  /** multiply-accumulates the kernels run in it */
  macs: number;
}

export interface NetManifest {
  network: string;
  mode: 'whole' | 'patch';
  variant: NetVariant;
  board: string;
  /** patch mode: split and patches per side */
  split: number | null;
  patches: number | null;
  arena: {
    region: string;
    /** the arena's base (the SRAM base + ARG_BLOCK_BYTES) and its size (the placement's extent) */
    base: number;
    size: number;
    /** the planner's peak of live bytes */
    plannedPeak: number;
    peakLayer: string;
  };
  /** the kernel argument block (input, output addresses) at the SRAM base */
  argBlock: number;
  stack: { top: number; reserve: number };
  /** SRAM the firmware needs from the region base: argument block + arena + stack reserve */
  sramBytes: number;
  buffers: BufferInfo[];
  layers: { index: number; name: string; op: string; units: number[]; kernelAddresses: number[] }[];
  units: UnitInfo[];
  phases: PhaseInfo[];
  flash: {
    region: string;
    /** the image's base (the vector table) */
    base: number;
    vectors: number;
    /** kernel code, kernel constants, the network input, the runner (code and phase names); total = the image's size */
    code: number;
    constants: number;
    input: number;
    runner: number;
    total: number;
  };
  input: { address: number; bytes: number };
  output: { tensor: number; address: number; bytes: number };
  /** MACs the kernels run (patch mode: the stage patch by patch) */
  macs: number;
}

export interface NetFirmware {
  manifest: NetManifest;
  /** the whole image as assembly text: every unit's source with its address (constant tables as .equ: their bytes are placed by the builder) */
  text: string;
  /** the loadable image: sections at their addresses */
  sections: { address: number; bytes: Uint8Array; name: string }[];
  /** the board the image is built for: the given one, or an enlarged copy when the network does not fit it */
  board: Board;
  /** the given board */
  targetBoard: Board;
  /** fits the given board (else `issues` says which memory and by how much) */
  fits: boolean;
  issues: FitIssue[];
  symbols: { runner: number; done: number; fault: number };
  /** the reference plans */
  memory: MemPlan;
  schedule: Schedule;
  patch: PatchPlan | null;
}

/** Bytes at the SRAM base for the kernel argument block. */
export const ARG_BLOCK_BYTES = 16;
const VECTOR_BYTES = 64;
const ALIGN = 8;
const up = (v: number, a: number) => Math.ceil(v / a) * a;

/** A kernel unit while the image is built. */
interface Unit {
  id: number;
  key: string;
  name: string;
  layers: number[];
  /** src/kernels kernel: the plan and weights (generated once every call is known) */
  lib: { plan: LayerPlan; weights: Int8Array } | null;
  own: OwnKernel | null;
  calls: { input: number; output: number }[];
  // filled in when generated and placed
  kernelKind: UnitInfo['kernel'];
  fallbackReason: string | null;
  schedule: string | null;
  argMode: UnitInfo['argMode'];
  lines: string[];
  tables: DataTable[];
  inlineConstBytes: number;
  stackBytes: number;
  cpu: string;
  info: UnitInfo | null;
}

type Op =
  | { op: 'mark'; phase: PhaseInfo }
  | { op: 'copy'; src: number; dst: number; rowBytes: number; rows: number; srcStride: number; why: string }
  | { op: 'call'; unit: Unit; args: number[]; why: string };

const isWindowless = (l: NetLayer) => l.op === 'add' || l.op === 'fully_connected';

/** Error of the firmware builder for a network it cannot build (a user mistake or an unsupported layer). */
function fail(msg: string): never {
  throw new Error(msg);
}

/** Assemble a unit; an assembly error is a generator bug. */
function assembleUnit(text: string, address: number, cpu: string, what: string) {
  const r = assemble(text, { fileName: `${what}.s`, base: address, sectionAddresses: { '.text': address }, cpu });
  if (!r.ok) {
    const msgs = r.errors.slice(0, 12).map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}${e.sourceLine ? `\n    ${e.sourceLine.trim()}` : ''}`);
    throw new Error(`firmware generator bug: the generated assembly of ${what} does not assemble (${r.errors.length} errors):\n${msgs.join('\n')}`);
  }
  return r;
}

/** The symbols `input` / `output` of a src/kernels kernel redirected to the argument block (see the file header). */
function redirectBuffers(lines: string[], unitName: string): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const code = line.split('@')[0]!;
    const m = /^\s*ldr(?:\.w)?\s+(r\d+|lr|ip)\s*,\s*=\s*(input|output)\s*$/.exec(code);
    if (m) {
      out.push(`  ldr ${m[1]}, =netfw_${m[2]}_ptr    @ ${m[2]}: the address the runner stored in the argument block`, `  ldr ${m[1]}, [${m[1]}]`);
      continue;
    }
    if (/\b(input|output)\b/.test(code) && !/^\s*\.(type|thumb_func|global)/.test(code)) {
      throw new Error(`firmware generator bug: ${unitName}: the kernel refers to its buffers in a way the builder cannot redirect: ${line.trim()}`);
    }
    out.push(line);
  }
  return out;
}

/** What the schedule options of a patch plan were: re-plan and compare placements. */
function patchSchedule(plan: PatchPlan, given: MemOptions | undefined): { schedule: Schedule; options: MemOptions } {
  const net = plan.net;
  const inputInArena = (plan.bytes.get(INPUT_TENSOR) ?? 0) > 0;
  const sizes = {
    bytes: (t: number) => plan.bytes.get(t) ?? 0,
    channelBytes: (t: number) => (plan.bytes.get(t) ?? 0) / tensorShape(net, t).c,
    pinned: [plan.stageOutput],
    noOverwrite: new Set([plan.stageOutput]),
  };
  const sig = (m: MemPlan) => JSON.stringify([m.peak, m.extent, m.buffers.map((b) => [b.offset, b.size, b.first, b.last, b.tensors])]);
  const want = sig(plan.memory);
  const candidates: MemOptions[] = given ? [given] : [{}, { inPlaceDepthwise: false }, { fuseResidual: false }, { inPlaceDepthwise: false, fuseResidual: false }];
  for (const c of candidates) {
    const options: MemOptions = { ...c, inputInArena, align: plan.memory.align };
    const schedule = buildSchedule(net, options, sizes);
    if (sig(planSchedule(schedule, plan.memory.align)) === want) return { schedule, options };
  }
  return fail(given
    ? `memory: the patch plan's placement is not the one these memory options give (${JSON.stringify(given)}); pass the options planPatches was given`
    : 'memory: the patch plan was made with memory options the builder cannot find (pass them as options.memory)');
}

/** Build the firmware of a network. */
export function buildNetworkFirmware(
  net: Network, weights: NetWeights, input: Int8Array, mode: NetMode, variant: NetVariant, board: Board, options: NetBuildOptions = {},
): NetFirmware {
  if (variant !== 'scalar' && variant !== 'simd') fail(`variant: expected scalar or simd, got ${String(variant)}`);
  const nIn = net.input.h * net.input.w * net.input.c;
  if (input.length !== nIn) fail(`input: expected ${nIn} values (${net.input.h}x${net.input.w}x${net.input.c}), got ${input.length}`);
  if (weights.length !== net.layers.length) fail(`weights: expected ${net.layers.length} entries (one per layer), got ${weights.length}`);
  const patchPlan = mode === 'whole' ? null : mode.patch;
  if (mode !== 'whole' && (!patchPlan || !patchPlan.grid)) fail(`mode: expected 'whole' or { patch: PatchPlan }`);
  if (patchPlan && patchPlan.net !== net) fail('mode: the patch plan was made for another network object');

  // plans
  let memory: MemPlan, schedule: Schedule;
  if (patchPlan) {
    memory = patchPlan.memory;
    schedule = patchSchedule(patchPlan, options.memory).schedule;
  } else {
    memory = planWholeLayer(net, options.memory ?? {});
    schedule = buildSchedule(net, options.memory ?? {});
  }
  if (memory.steps.length !== schedule.steps.length) fail('memory: internal error: the schedule and the memory plan disagree');

  // addresses
  const ram = mainSram(board), flash = codeRegion(board);
  const imageBase = bootImageAddress(board);
  const argBlock = ram.base;
  const arenaBase = ram.base + ARG_BLOCK_BYTES;
  const bufAddr = (t: number): number | null => {
    const id = memory.bufferOf.get(t);
    return id === undefined ? null : arenaBase + memory.buffers[id]!.offset;
  };
  const tempAddr = (step: number): number => {
    const b = memory.buffers.find((x) => x.kind === 'temp' && x.first === step);
    if (!b) fail(`memory: internal error: no temporary for step ${step}`);
    return arenaBase + b.offset;
  };

  // flash: the vector table, then the network input, then the kernel units, then the runner
  const inputAddr = up(imageBase + VECTOR_BYTES, ALIGN);

  const units: Unit[] = [];
  const unitByKey = new Map<string, Unit>();
  const getUnit = (key: string, name: string, layers: number[], make: () => { lib?: Unit['lib']; own?: OwnKernel }): Unit => {
    let u = unitByKey.get(key);
    if (!u) {
      const m = make();
      u = {
        id: units.length, key, name, layers, lib: m.lib ?? null, own: m.own ?? null, calls: [],
        kernelKind: m.own ? m.own.kind : 'scalar', fallbackReason: null, schedule: null, argMode: m.own ? 'regs' : 'equ',
        lines: [], tables: [], inlineConstBytes: 0, stackBytes: 0, cpu: 'cortex-m3', info: null,
      };
      units.push(u);
      unitByKey.set(key, u);
    }
    return u;
  };

  const ops: Op[] = [];
  const phases: PhaseInfo[] = [];
  const phaseNames = new Set<string>();
  const mark = (name: string, layers: number[], patch: number | null, macs: number) => {
    let n = name;
    const enc = (s: string) => new TextEncoder().encode(s).length;
    if (enc(n) > MAX_NAME_BYTES - 1 || phaseNames.has(n)) {
      let base = n;
      while (enc(base) > MAX_NAME_BYTES - 9) base = base.slice(0, -1);
      for (let k = 2; ; k++) { n = `${base}#${k}`; if (!phaseNames.has(n)) break; }
    }
    phaseNames.add(n);
    const ph: PhaseInfo = { name: n, layers, patch, macs };
    phases.push(ph);
    ops.push({ op: 'mark', phase: ph });
  };

  // tensor geometry: the region a tensor's buffer holds in the current context
  const full = (t: number): Rect => { const s = tensorShape(net, t); return { y0: 0, y1: s.h, x0: 0, x1: s.w }; };
  const inStage = new Set(patchPlan?.stage ?? []);
  const stageOut = patchPlan?.stageOutput ?? null;
  const held = (t: number, patch: Patch | null): Rect => {
    if (!patch || t === stageOut || !(t === INPUT_TENSOR || inStage.has(t))) return full(t);
    const r = patch.regions.get(t);
    if (!r) fail(`patch (${patch.row}, ${patch.col}): no region for tensor ${t}`);
    return r;
  };
  /** a read of `crop` of tensor t: its address, row stride, whether rows are contiguous */
  const readAt = (t: number, crop: Rect, patch: Patch | null): { addr: number; stride: number; contiguous: boolean } => {
    let base = bufAddr(t), h: Rect;
    if (base === null) {
      if (t !== INPUT_TENSOR) fail(`memory: tensor ${t} is read but has no buffer in the memory plan`);
      base = inputAddr; // the network input read from flash (not in the arena): the whole tensor
      h = full(t);
    } else h = held(t, patch);
    const c = tensorShape(net, t).c;
    if (crop.y0 < h.y0 || crop.y1 > h.y1 || crop.x0 < h.x0 || crop.x1 > h.x1) fail(`internal error: a read of tensor ${t} outside the region its buffer holds`);
    const stride = rectW(h) * c;
    return { addr: base + ((crop.y0 - h.y0) * rectW(h) + (crop.x0 - h.x0)) * c, stride, contiguous: crop.x0 === h.x0 && crop.x1 === h.x1 };
  };
  /** where step output `t` (region `out`) is written: address of its first pixel, row stride */
  const writeAt = (t: number, out: Rect, patch: Patch | null): { addr: number; stride: number } => {
    const base = bufAddr(t);
    if (base === null) fail(`memory: tensor ${t} is written but has no buffer in the memory plan`);
    const c = tensorShape(net, t).c;
    if (patch && t === stageOut) {
      const W = tensorShape(net, t).w;
      return { addr: base + (out.y0 * W + out.x0) * c, stride: W * c };
    }
    return { addr: base, stride: rectW(out) * c };
  };

  /** the layer's plan and regions in the current context */
  const layerGeom = (l: NetLayer, patch: Patch | null): { plan: LayerPlan; inRects: Rect[]; out: Rect; pl: PatchLayer | null } => {
    if (!patch || !inStage.has(l.index)) return { plan: l.plan, inRects: l.inputs.map((u) => full(u)), out: full(l.index), pl: null };
    const pl = patch.layers.find((p) => p.layer === l.index);
    if (!pl) fail(`patch (${patch.row}, ${patch.col}): layer ${l.name} is not in the patch`);
    const r0 = pl.in[0]!;
    const spec: LayerSpec = { ...l.spec, input: { h: rectH(r0), w: rectW(r0), c: l.spec.input.c } };
    if (!isWindowless(l)) spec.padding = { ...pl.pad };
    const plan = planLayer(spec);
    if (plan.outH !== rectH(pl.out) || plan.outW !== rectW(pl.out)) fail(`patch (${patch.row}, ${patch.col}): ${l.name} gives ${plan.outH}x${plan.outW}, the plan says ${rectH(pl.out)}x${rectW(pl.out)}`);
    return { plan, inRects: pl.in, out: pl.out, pl };
  };
  const geomKey = (p: LayerPlan) => `${p.inH}x${p.inW}x${p.inC}/t${p.pad.top}b${p.pad.bottom}l${p.pad.left}r${p.pad.right}`;
  const weightsOf = (l: NetLayer): Int8Array => {
    const w = weights[l.index];
    if (!w) fail(`weights: layer ${l.name} (${l.op}) needs weights, got none`);
    return w;
  };

  /** the calls of a src/kernels layer (conv2d, pointwise, depthwise, fully connected) */
  const libCalls = (l: NetLayer, patch: Patch | null, why: string) => {
    try { checkScalarSupport(l.plan); } catch (e) { fail(`layer ${l.name}: ${e instanceof Error ? e.message : String(e)}`); }
    const g = layerGeom(l, patch);
    const src = readAt(l.inputs[0]!, g.inRects[0]!, patch);
    const dst = writeAt(l.index, g.out, patch);
    const compactOut = dst.stride === rectW(g.out) * g.plan.outC;
    if (src.contiguous && compactOut) {
      const u = getUnit(`lib|${l.index}|${geomKey(g.plan)}`, `${l.name} ${geomKey(g.plan)}`, [l.index], () => ({ lib: { plan: g.plan, weights: weightsOf(l) } }));
      u.calls.push({ input: src.addr, output: dst.addr });
      ops.push({ op: 'call', unit: u, args: [src.addr, dst.addr], why });
      return;
    }
    // one call per output row: each row is a layer of its input rows with that row's padding
    const p = g.plan, inRect = g.inRects[0]!;
    const keff = (p.kh - 1) * p.dh + 1, inHc = rectH(inRect);
    for (let j = 0; j < p.outH; j++) {
      const lo = j * p.sh - p.pad.top, hi = lo + keff;
      const first = Math.max(0, lo), end = Math.min(inHc, hi);
      if (end <= first) fail(`layer ${l.name}: output row ${j} of the patch reads no input row`);
      if (!src.contiguous && end - first > 1) {
        fail(`layer ${l.name}: patch (${patch?.row}, ${patch?.col}) reads a ${rectW(inRect)}-pixel-wide crop of a wider region of its input; ` +
          `the ${l.op} kernels read whole rows (only 1-row reads of a crop are supported)`);
      }
      const spec: LayerSpec = { ...p.spec, input: { h: end - first, w: p.inW, c: p.inC } };
      if (!isWindowless(l)) spec.padding = { top: Math.max(0, -lo), bottom: Math.max(0, hi - inHc), left: p.pad.left, right: p.pad.right };
      const rp = planLayer(spec);
      if (rp.outH !== 1 || rp.outW !== p.outW) fail(`internal error: row ${j} of ${l.name} gives ${rp.outH}x${rp.outW}`);
      const u = getUnit(`lib|${l.index}|${geomKey(rp)}`, `${l.name} row ${geomKey(rp)}`, [l.index], () => ({ lib: { plan: rp, weights: weightsOf(l) } }));
      const a = { input: src.addr + first * src.stride, output: dst.addr + j * dst.stride };
      u.calls.push(a);
      ops.push({ op: 'call', unit: u, args: [a.input, a.output], why: `${why}, output row ${j}` });
    }
  };

  /** the calls of one schedule step */
  const stepCalls = (s: number, st: ScheduleStep, patch: Patch | null, why: string) => {
    const L = net.layers;
    if (st.layers.length === 2) {
      // projection fused with the residual add
      const l = L[st.layers[0]!]!, a = L[st.layers[1]!]!;
      const x = a.inputs[0] === l.index ? a.inputs[1]! : a.inputs[0]!;
      const gl = layerGeom(l, patch), ga = layerGeom(a, patch);
      const p = readAt(l.inputs[0]!, gl.inRects[0]!, patch);
      const xr = readAt(x, ga.inRects[a.inputs.indexOf(x)]!, patch);
      const o = writeAt(a.index, ga.out, patch);
      const g = { rows: rectH(ga.out), cols: rectW(ga.out), pStride: p.stride, xStride: xr.stride, oStride: o.stride };
      const key = `fused|${l.index}|${gl.plan.inH}x${gl.plan.inW}|${g.pStride}|${g.xStride}|${g.oStride}`;
      const u = getUnit(key, `${st.name} ${g.rows}x${g.cols}`, [l.index, a.index], () => {
        try {
          const make = variant === 'simd' ? fusedPointwiseAddKernelDsp : fusedPointwiseAddKernel;
          return { own: make(gl.plan, weightsOf(l), ga.plan, a.inputs[0] === l.index, g, board.core) };
        } catch (e) { return fail(`layer ${l.name} + ${a.name}: ${e instanceof Error ? e.message : String(e)}`); }
      });
      u.calls.push({ input: p.addr, output: o.addr });
      ops.push({ op: 'call', unit: u, args: [p.addr, xr.addr, o.addr], why });
      return;
    }
    const l = L[st.layers[0]!]!;
    const g = layerGeom(l, patch);
    if (st.over !== null && st.temp > 0) {
      const src = readAt(l.inputs[0]!, g.inRects[0]!, patch);
      const o = writeAt(l.index, g.out, patch);
      const key = `ipdw|${l.index}|${geomKey(g.plan)}|${src.stride}`;
      const u = getUnit(key, `${l.name} in place ${geomKey(g.plan)}`, [l.index], () => {
        const dsp = variant === 'simd' && inPlaceDepthwiseDspSupport(g.plan, weightsOf(l), src.stride) === null;
        return { own: dsp ? inPlaceDepthwiseKernelDsp(g.plan, weightsOf(l), src.stride, board.core) : inPlaceDepthwiseKernel(g.plan, weightsOf(l), src.stride) };
      });
      u.calls.push({ input: src.addr, output: o.addr });
      ops.push({ op: 'call', unit: u, args: [src.addr, tempAddr(s), o.addr], why });
      return;
    }
    switch (l.op) {
      case 'add': {
        const r1 = readAt(l.inputs[0]!, g.inRects[0]!, patch), r2 = readAt(l.inputs[1]!, g.inRects[1]!, patch);
        const o = writeAt(l.index, g.out, patch);
        const ag = { rows: rectH(g.out), cols: rectW(g.out), s1: r1.stride, s2: r2.stride, so: o.stride };
        const u = getUnit(`add|${l.index}|${JSON.stringify(ag)}`, `${l.name} ${ag.rows}x${ag.cols}`, [l.index], () => ({ own: addKernel(g.plan, ag) }));
        u.calls.push({ input: r1.addr, output: o.addr });
        ops.push({ op: 'call', unit: u, args: [r1.addr, r2.addr, o.addr], why });
        return;
      }
      case 'avgpool':
      case 'maxpool': {
        const src = readAt(l.inputs[0]!, g.inRects[0]!, patch);
        const o = writeAt(l.index, g.out, patch);
        const u = getUnit(`pool|${l.index}|${geomKey(g.plan)}|${src.stride}|${o.stride}`, `${l.name} ${geomKey(g.plan)}`, [l.index],
          () => ({ own: poolKernel(g.plan, src.stride, o.stride) }));
        u.calls.push({ input: src.addr, output: o.addr });
        ops.push({ op: 'call', unit: u, args: [src.addr, o.addr], why });
        return;
      }
      default:
        libCalls(l, patch, why);
    }
  };

  const stepMacs = (st: ScheduleStep, patch: Patch | null) => st.layers.reduce((n, i) => {
    if (!patch || !inStage.has(i)) return n + net.layers[i]!.macs;
    return n + (patch.layers.find((p) => p.layer === i)?.macs ?? 0);
  }, 0);
  const inputCopy = (dstRect: Rect, patch: number | null) => {
    const dst = bufAddr(INPUT_TENSOR);
    if (dst === null) return;
    const c = net.input.c, W = net.input.w;
    mark(patch === null ? 'input' : `p${patch}/input`, [], patch, 0);
    ops.push({
      op: 'copy', src: inputAddr + (dstRect.y0 * W + dstRect.x0) * c, dst, rowBytes: rectW(dstRect) * c, rows: rectH(dstRect), srcStride: W * c,
      why: `the input${patch === null ? '' : `'s rows ${dstRect.y0}..${dstRect.y1 - 1}, columns ${dstRect.x0}..${dstRect.x1 - 1}`}`,
    });
  };

  let macs = 0;
  if (!patchPlan) {
    inputCopy(full(INPUT_TENSOR), null);
    schedule.steps.forEach((st, s) => {
      const m = stepMacs(st, null);
      macs += m;
      mark(st.name, st.layers, null, m);
      stepCalls(s, st, null, st.name);
    });
  } else {
    const stageSteps: number[] = [], restSteps: number[] = [];
    schedule.steps.forEach((st, s) => {
      const n = st.layers.filter((i) => inStage.has(i)).length;
      if (n && n !== st.layers.length) fail(`internal error: step ${st.name} mixes stage and later layers`);
      (n ? stageSteps : restSteps).push(s);
    });
    if (stageSteps.some((s, k) => s !== k)) fail('internal error: the stage steps are not the schedule\'s first steps');
    if ((bufAddr(INPUT_TENSOR) === null)) {
      // the stem reads its crop straight from flash: only when the crop is whole rows
      for (const p of patchPlan.grid) {
        const r = p.regions.get(INPUT_TENSOR);
        if (r && (r.x0 !== 0 || r.x1 !== net.input.w)) fail('memory: patch mode with the input outside the arena (inputInArena false) needs patches as wide as the input; use inputInArena true');
      }
    }
    patchPlan.grid.forEach((patch, pi) => {
      const r = patch.regions.get(INPUT_TENSOR);
      if (r) inputCopy(r, pi);
      for (const s of stageSteps) {
        const st = schedule.steps[s]!;
        const m = stepMacs(st, patch);
        macs += m;
        mark(`p${pi}/${st.name}`, st.layers, pi, m);
        stepCalls(s, st, patch, `patch ${pi} (${patch.row}, ${patch.col}): ${st.name}`);
      }
    });
    for (const s of restSteps) {
      const st = schedule.steps[s]!;
      const m = stepMacs(st, null);
      macs += m;
      mark(st.name, st.layers, null, m);
      stepCalls(s, st, null, st.name);
    }
  }

  // generate the src/kernels kernels now that every call is known
  const schedulePref = options.schedule === 'auto' && board.core === 'cortex-m4' ? 'auto' : 'compact-2x2';
  for (const u of units) {
    if (u.own) {
      u.lines = u.own.lines;
      u.tables = u.own.tables;
      u.stackBytes = u.own.stackBytes;
      u.cpu = u.own.cpu;
      continue;
    }
    const { plan, weights: w } = u.lib!;
    // the simd kernels keep their weights int8 in flash (4 a word, widened at run time): a network's flash is about its
    // parameter count; int16 only where the caller asks for the unrolled Cortex-M4 schedule (schedule 'auto') and it
    // runs the layer
    const aligned = u.calls.every((c) => c.input % 4 === 0);
    const unrolled = variant === 'simd' && schedulePref === 'auto' && aligned && simdSupport(plan, 'int16') === null && unrolledSupport(plan, w) === null;
    const fmt = unrolled ? 'int16' : 'int8';
    const fallbackReason = variant === 'simd' ? simdLayerSupport(plan, fmt) : null;
    const kind = variant === 'simd' && fallbackReason === null ? 'simd' : 'scalar';
    let k: ScalarKernel & { omitRawWeights?: boolean; inlineConstantBytes?: number; stackBytes?: number; schedule?: string; quantTables?: boolean };
    try {
      k = kind === 'simd'
        ? simdLayerKernel(plan, w, { schedule: aligned ? schedulePref : 'compact-2x2', weights: fmt, core: board.core })
        : scalarKernel(plan, w);
    } catch (e) {
      return fail(`layer ${net.layers[u.layers[0]!]!.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    u.kernelKind = kind;
    u.fallbackReason = fallbackReason;
    u.schedule = k.schedule ?? null;
    u.cpu = kind === 'simd' ? 'cortex-m4' : 'cortex-m3';
    u.stackBytes = Math.max(STACK_BYTES, k.stackBytes ?? 0);
    u.inlineConstBytes = k.inlineConstantBytes ?? 0;
    const tables: DataTable[] = [];
    if (!k.omitRawWeights) {
      tables.push(int8Table('weights', `${plan.weightLayout} ${plan.weightShape?.join('x')}, int8`, w));
      tables.push(int32Table('bias', `int32 x ${plan.outC}${k.foldedBias ? ': bias + input offset x sum of the channel\'s weights' : ''}`, k.bias));
    }
    for (const t of k.extraTables) tables.push(int32Table(t.name, `int32 x ${t.values.length}: ${t.comment}`, t.values));
    if (k.quantTables ?? true) {
      // read by the general requantisation only (the simd kernels keep their parameters in their records)
      tables.push(int32Table('multipliers', `int32 x ${plan.outC}`, plan.multipliers));
      tables.push(int32Table('shifts', `int32 x ${plan.outC}`, plan.shifts));
    }
    u.tables = tables;
    const first = u.calls[0]!;
    const same = u.calls.every((c) => c.input === first.input && c.output === first.output);
    u.argMode = same ? 'equ' : 'block';
    u.lines = same ? k.lines : redirectBuffers(k.lines, u.name);
  }

  // place and assemble the units
  const sections: NetFirmware['sections'] = [];
  const texts: string[] = [];
  sections.push({ address: inputAddr, bytes: new Uint8Array(input.buffer, input.byteOffset, input.length).slice(), name: 'network input' });
  let cursor = inputAddr + input.length;
  let codeTotal = 0, constTotal = 0;
  const unitInfos: UnitInfo[] = [];
  // tables with the same bytes are placed once (patch mode specialises a layer's kernel per patch geometry; its weights
  // and parameters are the same in every one): later units refer to the first copy
  const placed = new Map<string, { address: number; bytes: Uint8Array }[]>();
  const tableKey = (b: Uint8Array): string => {
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    return `${b.length}:${h >>> 0}`;
  };
  const sameBytes = (x: Uint8Array, y: Uint8Array): boolean => { for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false; return true; };
  for (const u of units) {
    const address = up(cursor, ALIGN);
    let at = address;
    const equs: string[] = [];
    const tableNotes: string[] = [];
    let tableBytes = 0;
    for (const t of u.tables) {
      const key = tableKey(t.bytes);
      const earlier = placed.get(key)?.find((p) => sameBytes(p.bytes, t.bytes));
      if (earlier) {
        equs.push(`  .equ ${t.name}, ${hex(earlier.address)}`);
        tableNotes.push(`@ ${t.name}: ${t.bytes.length} bytes at ${hex(earlier.address)}, shared with an earlier unit: ${t.comment}`);
        continue;
      }
      at = up(at, ALIGN);
      equs.push(`  .equ ${t.name}, ${hex(at)}`);
      tableNotes.push(`@ ${t.name}: ${t.bytes.length} bytes at ${hex(at)}: ${t.comment}`);
      sections.push({ address: at, bytes: t.bytes, name: `${u.name}: ${t.name}` });
      if (!placed.has(key)) placed.set(key, []);
      placed.get(key)!.push({ address: at, bytes: t.bytes });
      at += t.bytes.length;
    }
    const codeAddress = up(at, ALIGN);
    tableBytes = codeAddress - address;
    if (u.argMode === 'equ') {
      equs.push(`  .equ input, ${hex(u.calls[0]!.input)}`, `  .equ output, ${hex(u.calls[0]!.output)}`);
    } else if (u.argMode === 'block') {
      equs.push(`  .equ netfw_input_ptr, ${hex(argBlock)}`, `  .equ netfw_output_ptr, ${hex(argBlock + 4)}`);
    }
    const layerNames = u.layers.map((i) => net.layers[i]!.name).join(' + ');
    const head = [
      `@ ---- unit ${u.id}: ${u.name} (${layerNames}): ${u.kernelKind} kernel${u.fallbackReason ? ` (simd falls back: ${u.fallbackReason})` : ''}, ` +
        `${u.calls.length} call(s), buffers ${u.argMode === 'regs' ? `in registers: ${u.own!.args}` : u.argMode === 'equ' ? 'assembled in' : 'from the argument block'}`,
      `@ tables from ${hex(address)} (placed by the builder), code at ${hex(codeAddress)}`,
      ...tableNotes,
    ];
    const body = ['  .syntax unified', '  .thumb', ...equs, '  .text', ...u.lines, ''];
    const text = [...head, ...body].join('\n');
    u.lines = [];
    const r = assembleUnit(body.join('\n'), codeAddress, u.cpu, `unit ${u.id} (${u.name})`);
    let end = codeAddress;
    for (const s of r.sections) {
      if (s.kind === 'bss' || !s.bytes.length) continue;
      sections.push({ address: s.address, bytes: s.bytes, name: `${u.name}: ${s.name}` });
      end = Math.max(end, s.address + s.bytes.length);
    }
    const kernelSym = r.symbols.find((s) => s.name === 'kernel');
    if (!kernelSym || kernelSym.value !== codeAddress) fail(`firmware generator bug: unit ${u.name}: the function kernel is not at the start of its code`);
    const codeBytes = end - codeAddress - u.inlineConstBytes;
    codeTotal += codeBytes;
    constTotal += tableBytes + u.inlineConstBytes;
    const info: UnitInfo = {
      id: u.id, name: u.name, layers: u.layers, kernel: u.kernelKind, fallbackReason: u.fallbackReason, schedule: u.schedule, argMode: u.argMode,
      address, codeAddress, end, codeBytes, constBytes: tableBytes + u.inlineConstBytes, stackBytes: u.stackBytes, calls: u.calls.length, text,
    };
    u.info = info;
    unitInfos.push(info);
    texts.push(text);
    cursor = end;
  }


  // the runner
  const runnerAddr = up(cursor, ALIGN);
  const a = new Asm();
  a.c(`runner: ${phases.length} phases, ${ops.filter((o) => o.op === 'call').length} kernel calls`);
  a.i('.thumb_func');
  a.label('runner');
  a.i('ldr r4, =MCUSIM_BASE    @ r4: the simulator control block (kernels keep r4-r11)');
  let sinceePool = 0;
  const pool = () => { a.i('b 1f', '.ltorg'); a.label('1'); sinceePool = 0; };
  ops.forEach((o, k) => {
    if (o.op === 'mark') {
      a.c(`phase ${o.phase.name}`);
      a.i(`ldr r0, =phase_${phases.indexOf(o.phase)}`, `str r0, [r4, #${SIMCTL.MARK_NAME}]    @ MARK_NAME`);
    } else if (o.op === 'copy') {
      a.c(`copy ${o.why}: ${o.rows} rows of ${o.rowBytes} bytes`);
      a.i(`ldr r0, =${hex(o.src)}`, `ldr r1, =${hex(o.dst)}`, `ldr r2, =${o.rowBytes}`, `ldr r3, =${o.rows}`, `ldr r12, =${o.srcStride}`, 'bl copy_rows');
    } else {
      const u = o.unit;
      const args = o.args;
      a.c(`${o.why}: unit ${u.id}`);
      if (u.argMode === 'regs') args.forEach((v, i) => a.i(`ldr r${i}, =${hex(v)}`));
      else if (u.argMode === 'block') a.i(`ldr r0, =${hex(args[0]!)}`, `ldr r1, =${hex(args[1]!)}`, `ldr r2, =${hex(argBlock)}`, 'str r0, [r2]    @ input', 'str r1, [r2, #4]    @ output');
      a.i(`ldr r12, =${hex(u.info!.codeAddress | 1)}`, 'blx r12');
    }
    if (++sinceePool >= 40 && k < ops.length - 1) pool();
  });
  a.i(`str r0, [r4, #${SIMCTL.END}]    @ END: the last phase ends`);
  a.label('done');
  a.i('bkpt #0');
  a.i('.thumb_func');
  a.label('fault');
  a.i('bkpt #1');
  a.i('.ltorg');
  a.c('copy_rows: r0 source, r1 destination (rows back to back), r2 bytes a row, r3 rows, r12 source row stride');
  a.i('.thumb_func');
  a.label('copy_rows');
  a.i('push {r4-r7, lr}');
  a.label('cr_row');
  a.i('mov r5, r0', 'subs r6, r2, #4', 'blo cr_tail');
  a.label('cr_word');
  a.i('ldr r7, [r5], #4', 'str r7, [r1], #4', 'subs r6, r6, #4', 'bhs cr_word');
  a.label('cr_tail');
  a.i('adds r6, r6, #4', 'beq cr_next');
  a.label('cr_byte');
  a.i('ldrb r7, [r5], #1', 'strb r7, [r1], #1', 'subs r6, r6, #1', 'bne cr_byte');
  a.label('cr_next');
  a.i('add r0, r0, r12', 'subs r3, r3, #1', 'bne cr_row');
  a.i('pop {r4-r7, pc}');
  a.i('.ltorg');
  a.label('phase_names');
  phases.forEach((p, i) => a.lines.push(`phase_${i}:`, `  .asciz ${asmString(p.name)}`));
  const runnerBody = ['  .syntax unified', '  .thumb', `  .equ MCUSIM_BASE, ${hex(MCUSIM_BASE)}`, '  .text', ...a.lines, ''].join('\n');
  const rr = assembleUnit(runnerBody, runnerAddr, 'cortex-m3', 'the runner');
  let runnerEnd = runnerAddr;
  for (const s of rr.sections) {
    if (s.kind === 'bss' || !s.bytes.length) continue;
    sections.push({ address: s.address, bytes: s.bytes, name: `runner: ${s.name}` });
    runnerEnd = Math.max(runnerEnd, s.address + s.bytes.length);
  }
  const sym = (n: string) => rr.symbols.find((s) => s.name === n)?.value ?? fail(`firmware generator bug: the runner has no symbol ${n}`);
  const symbols = { runner: sym('runner'), done: sym('done'), fault: sym('fault') };

  // memory needs, fit, the board the image runs on
  const stackReserve = up(Math.max(STACK_BYTES, ...units.map((u) => u.stackBytes + 64)), ALIGN);
  const sramBytes = ARG_BLOCK_BYTES + memory.extent + stackReserve;
  const flashBytes = runnerEnd - imageBase;
  const issues = fitIssues(board, sramBytes, flashBytes, {
    sram: `the kernel arguments (${ARG_BLOCK_BYTES}), the arena (${groupDigits(memory.extent)}) and the stack (${groupDigits(stackReserve)})`,
    flash: `the vectors, kernels (${groupDigits(codeTotal)} bytes of code, ${groupDigits(constTotal)} of constants), the input (${groupDigits(input.length)}) and the runner`,
  });
  const runBoard = issues.length ? enlargeBoard(board, sramBytes, flashBytes) : board;
  const runRam = mainSram(runBoard);
  if (runRam.base !== ram.base) fail('internal error: the enlarged board moved the SRAM');
  const stackTop = (runRam.base + runRam.size) & ~7;

  // the vector table
  const vecText = ['  .syntax unified', '  .thumb', '  .text', 'vectors:    @ initial SP, reset, 14 faults',
    `  .word ${hex(stackTop)}`, `  .word ${hex(symbols.runner | 1)}`, '  .rept 14', `  .word ${hex(symbols.fault | 1)}`, '  .endr', ''].join('\n');
  const vr = assembleUnit(vecText, imageBase, 'cortex-m3', 'the vector table');
  for (const s of vr.sections) if (s.kind !== 'bss' && s.bytes.length) sections.unshift({ address: s.address, bytes: s.bytes, name: 'vectors' });

  const outT = net.layers.length - 1;
  const outAddr = bufAddr(outT);
  if (outAddr === null) fail('memory: the network output has no buffer');
  const layers = net.layers.map((l) => {
    const us = units.filter((u) => u.layers.includes(l.index));
    return { index: l.index, name: l.name, op: l.op, units: us.map((u) => u.id), kernelAddresses: us.map((u) => u.info!.codeAddress) };
  });
  const manifest: NetManifest = {
    network: net.name,
    mode: patchPlan ? 'patch' : 'whole',
    variant,
    board: board.name,
    split: patchPlan?.split ?? null,
    patches: patchPlan?.patches ?? null,
    arena: { region: ram.name, base: arenaBase, size: memory.extent, plannedPeak: memory.peak, peakLayer: memory.peakLayer },
    argBlock,
    stack: { top: stackTop, reserve: stackReserve },
    sramBytes,
    buffers: memory.buffers.map((b) => ({ id: b.id, name: b.name, kind: b.kind, tensors: b.tensors, offset: b.offset, size: b.size, address: arenaBase + b.offset })),
    layers,
    units: unitInfos,
    phases,
    flash: {
      region: flash.name, base: imageBase, vectors: VECTOR_BYTES, code: codeTotal, constants: constTotal, input: input.length,
      runner: runnerEnd - runnerAddr, total: flashBytes,
    },
    input: { address: inputAddr, bytes: input.length },
    output: { tensor: outT, address: outAddr, bytes: tensorShape(net, outT).h * tensorShape(net, outT).w * tensorShape(net, outT).c },
    macs,
  };
  const text = [
    `@ mcusim network firmware: ${net.name}, ${manifest.mode}${patchPlan ? ` (split ${patchPlan.split}, ${patchPlan.patches}x${patchPlan.patches} patches)` : ''}, ` +
      `${variant} kernels, board ${runBoard.name}${runBoard === board ? '' : ' (enlarged)'}`,
    `@ SRAM ${ram.name}: argument block ${hex(argBlock)}, arena ${hex(arenaBase)} (${memory.extent} bytes), stack top ${hex(stackTop)} (${stackReserve} reserved)`,
    `@ flash ${flash.name}: image ${hex(imageBase)}..${hex(runnerEnd)} (${flashBytes} bytes); network input ${hex(inputAddr)} (${input.length} bytes, placed by the builder)`,
    '', `@ ---- vector table at ${hex(imageBase)}`, vecText, ...texts, `@ ---- runner at ${hex(runnerAddr)}`, runnerBody,
  ].join('\n');
  sections.sort((x, y) => x.address - y.address);
  return {
    manifest, text, sections, board: runBoard, targetBoard: board, fits: issues.length === 0, issues, symbols,
    memory, schedule, patch: patchPlan,
  };
}
