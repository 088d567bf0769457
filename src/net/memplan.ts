/**
 * The memory planner: tensor lifetimes over a schedule of steps, the live bytes and the peak per step, and a placement
 * of every buffer at a byte offset in one arena whose extent equals the peak wherever the rule below finds one.
 *
 * Accounting (reference/patch-inference.md), int8 tensors (1 byte per element):
 * - a layer's step holds its inputs, its output and every tensor still needed later (residual inputs);
 * - in-place depthwise (option inPlaceDepthwise, default on; depth multiplier 1, and the layer is its input's last
 *   reader): the output is written over the input, plus a temporary of one output channel (outH * outW bytes): the
 *   kernel computes output channel c into the temporary, then stores it into channel c's slots of the output layout,
 *   which (NHWC, same channel count) only ever overwrite input channel c, already consumed;
 * - fused residual (option fuseResidual, default on): a layer L followed directly by an `add` that is L's only reader,
 *   whose other input X has the add as its last reader (and is not read by L), runs as one step: L's output pixel p
 *   is added to X[p] and written over X[p] (X stays live through the block's expansion and depthwise; the projection
 *   writes its output over it). L's own output is never stored. In patch mode X's region can be larger than the
 *   output's (a halo): the output, stored compactly from the buffer's start in increasing pixel order, never reaches
 *   an X pixel still to be read (X's pixel for output pixel q sits at index >= q).
 * - the network input is in the arena (option inputInArena, default on).
 * MobileNetV2 1.0/224 gives 1,404,928 B in place (block 2's expansion, 112x112x16 -> 112x112x96) and 1,505,280 B
 * without (block 2's depthwise, 112x112x96 -> 56x56x96).
 *
 * Placement (deterministic): the arena is `peak` bytes; buffers are placed in order of first use; a step's output goes
 * to the end of the arena opposite to its first input's buffer (ping-pong between the bottom, first fit upward from 0,
 * and the top, first fit downward from `peak`), a depthwise temporary opposite to the buffer it works in, pinned
 * buffers (patch mode's stage output) at the top. If a buffer fits neither end below `peak` it goes at the lowest free
 * offset above, and the extent exceeds the peak (reported; the MobileNetV2 family never does).
 * Offsets and sizes are multiples of `align` (default 1: the analytic figures).
 *
 * API: buildSchedule(net, options, sizes?) -> Schedule; planSchedule(schedule, align?) -> MemPlan;
 * planWholeLayer(net, options) -> MemPlan; formatMemPlan(plan).
 */
import { INPUT_TENSOR, consumersOf, tensorBytes, tensorName, type Network } from './network.js';

export interface MemOptions {
  /** depthwise output over its input, plus one output channel of temporary space (default true) */
  inPlaceDepthwise?: boolean;
  /** projection + residual add as one step writing over the residual input (default true) */
  fuseResidual?: boolean;
  /** the network input lives in the arena (default true) */
  inputInArena?: boolean;
  /** byte alignment of offsets and sizes (default 1) */
  align?: number;
}

/** One step: a layer, or a layer fused with the residual add after it. */
export interface ScheduleStep {
  name: string;
  /** layer indices run by the step */
  layers: number[];
  /** tensor ids read (-1: the network input) */
  reads: number[];
  /** tensor id written */
  writes: number;
  /** the output is written over this tensor's buffer (in-place depthwise, fused residual), or null */
  over: number | null;
  /** temporary bytes for the step (in-place depthwise: one output channel) */
  temp: number;
}

export interface Schedule {
  steps: ScheduleStep[];
  /** bytes of each tensor id in the arena (0: not in the arena) */
  bytes: Map<number, number>;
  /** tensors allocated before the first step and kept until their last reader (patch mode: the stage output) */
  pinned: number[];
  names: Map<number, string>;
}

/** Sizes for a schedule other than whole-layer (patch mode). */
export interface ScheduleSizes {
  /** bytes of a tensor in the arena (0: not in it) */
  bytes(t: number): number;
  /** bytes of one channel of a tensor (the in-place depthwise temporary) */
  channelBytes(t: number): number;
  pinned?: number[];
  /** tensors that must get their own buffer (never written over another) */
  noOverwrite?: ReadonlySet<number>;
}

/** The steps of a network in layer order, with the in-place and fusion rules of `options`. */
export function buildSchedule(net: Network, options: MemOptions = {}, sizes?: ScheduleSizes): Schedule {
  const inPlace = options.inPlaceDepthwise ?? true;
  const fuse = options.fuseResidual ?? true;
  const inputInArena = options.inputInArena ?? true;
  const bytesOf = sizes ? sizes.bytes : (t: number) => (t === INPUT_TENSOR && !inputInArena ? 0 : tensorBytes(net, t));
  const channelOf = sizes ? sizes.channelBytes : (t: number) => { const l = net.layers[t]!; return l.output.h * l.output.w; };
  const noOver = sizes?.noOverwrite ?? new Set<number>();
  const lastReader = (t: number): number => { const c = consumersOf(net, t); return c.length ? c[c.length - 1]! : -1; };
  const bytes = new Map<number, number>();
  const names = new Map<number, string>();
  bytes.set(INPUT_TENSOR, bytesOf(INPUT_TENSOR));
  names.set(INPUT_TENSOR, tensorName(net, INPUT_TENSOR));
  const steps: ScheduleStep[] = [];
  const L = net.layers;
  for (let i = 0; i < L.length; i++) {
    const l = L[i]!;
    names.set(i, l.name);
    const a = L[i + 1];
    if (fuse && a && a.op === 'add' && a.inputs.includes(i) && a.inputs[0] !== a.inputs[1] && consumersOf(net, i).length === 1) {
      const x = a.inputs[0] === i ? a.inputs[1]! : a.inputs[0]!;
      if (lastReader(x) === a.index && !l.inputs.includes(x) && bytesOf(x) > 0) {
        names.set(i + 1, a.name);
        bytes.set(i, 0);
        bytes.set(i + 1, bytesOf(i + 1));
        steps.push({
          name: `${l.name}+${a.name}`, layers: [i, i + 1], reads: [...new Set([...l.inputs, x])], writes: i + 1,
          over: noOver.has(i + 1) ? null : x, temp: 0,
        });
        i++;
        continue;
      }
    }
    bytes.set(i, bytesOf(i));
    const u = l.inputs[0]!;
    if (inPlace && l.op === 'depthwise' && l.plan.depthMultiplier === 1 && lastReader(u) === i && bytesOf(u) > 0 && !noOver.has(i)) {
      steps.push({ name: l.name, layers: [i], reads: [u], writes: i, over: u, temp: channelOf(i) });
    } else {
      steps.push({ name: l.name, layers: [i], reads: [...new Set(l.inputs)], writes: i, over: null, temp: 0 });
    }
  }
  return { steps, bytes, pinned: sizes?.pinned ?? [], names };
}

export type Side = 'bottom' | 'top';

/** A tensor's (or temporary's) stay in a buffer: steps first..last, `size` bytes from the buffer's offset. */
export interface BufferPart {
  /** tensor id, or null for a temporary */
  tensor: number | null;
  first: number;
  last: number;
  size: number;
}

export interface MemBuffer {
  id: number;
  /** the tensors it holds in turn (an output written over its input joins the input's buffer); empty for a temporary */
  tensors: number[];
  name: string;
  kind: 'tensor' | 'temp';
  /** the largest of its parts */
  size: number;
  offset: number;
  /** first and last step it is live in */
  first: number;
  last: number;
  side: Side;
  parts: BufferPart[];
}

/** Bytes a buffer occupies in step s (the largest part live then; 0 outside its life). */
export function sizeAt(b: MemBuffer, s: number): number {
  let n = 0;
  for (const p of b.parts) if (p.first <= s && s <= p.last && p.size > n) n = p.size;
  return n;
}

export interface MemStepReport {
  step: number;
  name: string;
  layers: number[];
  /** bytes of the buffers live in the step */
  live: number;
  /** the highest end offset of a buffer live in the step */
  extent: number;
  /** ids of the buffers live in the step */
  buffers: number[];
}

export interface MemPlan {
  steps: MemStepReport[];
  buffers: MemBuffer[];
  /** the largest live bytes of any step */
  peak: number;
  /** first step with that many live bytes, and its name */
  peakStep: number;
  peakLayer: string;
  /** arena bytes the placement needs (= peak unless the placement rule failed) */
  extent: number;
  align: number;
  /** buffer id of each tensor in the arena */
  bufferOf: Map<number, number>;
}

/** Lifetimes, live bytes, peak and placement of a schedule. */
export function planSchedule(schedule: Schedule, align = 1): MemPlan {
  if (!Number.isInteger(align) || align < 1) throw new Error(`align: expected a positive integer, got ${align}`);
  const up = (n: number) => Math.ceil(n / align) * align;
  const { steps, bytes, pinned, names } = schedule;
  const last = steps.length - 1;
  // first write / last read per tensor
  const firstUse = new Map<number, number>();
  const lastUse = new Map<number, number>();
  const touch = (t: number, s: number) => {
    if ((bytes.get(t) ?? 0) <= 0) return;
    if (!firstUse.has(t)) firstUse.set(t, s);
    lastUse.set(t, Math.max(lastUse.get(t) ?? s, s));
  };
  for (const t of pinned) touch(t, 0);
  steps.forEach((st, s) => {
    for (const t of st.reads) touch(t, s);
    touch(st.writes, s);
  });
  // the network output stays to the end
  const finalT = steps[last]?.writes;
  if (finalT !== undefined) touch(finalT, last);

  // buffers: tensors joined through `over`
  const buffers: MemBuffer[] = [];
  const bufferOf = new Map<number, number>();
  const newBuffer = (kind: 'tensor' | 'temp', name: string, size: number, first: number, lastStep: number, tensors: number[]): MemBuffer => {
    const b: MemBuffer = {
      id: buffers.length, tensors, name, kind, size: up(size), offset: -1, first, last: lastStep, side: 'bottom',
      parts: [{ tensor: tensors[0] ?? null, first, last: lastStep, size: up(size) }],
    };
    buffers.push(b);
    return b;
  };
  const tensorBuffer = (t: number): MemBuffer | null => {
    if ((bytes.get(t) ?? 0) <= 0) return null;
    const id = bufferOf.get(t);
    if (id !== undefined) return buffers[id]!;
    const b = newBuffer('tensor', names.get(t) ?? String(t), bytes.get(t)!, firstUse.get(t)!, lastUse.get(t)!, [t]);
    bufferOf.set(t, b.id);
    return b;
  };
  /** per step: buffers first used in it, in placement order */
  const startsAt: MemBuffer[][] = steps.map(() => []);
  const pinnedBufs: MemBuffer[] = [];
  for (const t of pinned) { const b = tensorBuffer(t); if (b) pinnedBufs.push(b); }
  steps.forEach((st, s) => {
    for (const t of st.reads) {
      if (!bufferOf.has(t)) { const b = tensorBuffer(t); if (b) startsAt[s]!.push(b); }
    }
    if (st.over !== null && bufferOf.has(st.over) && (bytes.get(st.writes) ?? 0) > 0) {
      const b = buffers[bufferOf.get(st.over)!]!;
      b.tensors.push(st.writes);
      b.name += ` > ${names.get(st.writes)}`;
      b.size = Math.max(b.size, up(bytes.get(st.writes)!));
      b.last = Math.max(b.last, lastUse.get(st.writes)!);
      b.parts.push({ tensor: st.writes, first: firstUse.get(st.writes)!, last: lastUse.get(st.writes)!, size: up(bytes.get(st.writes)!) });
      bufferOf.set(st.writes, b.id);
    } else if (!bufferOf.has(st.writes)) {
      const b = tensorBuffer(st.writes);
      if (b) startsAt[s]!.push(b);
    }
    if (st.temp > 0) startsAt[s]!.push(newBuffer('temp', `temp(${st.name})`, st.temp, s, s, []));
  });

  // live bytes per step
  const reports: MemStepReport[] = steps.map((st, s) => ({ step: s, name: st.name, layers: st.layers, live: 0, extent: 0, buffers: [] }));
  for (const b of buffers) for (let s = b.first; s <= b.last; s++) { reports[s]!.live += sizeAt(b, s); reports[s]!.buffers.push(b.id); }
  let peak = 0, peakStep = 0;
  reports.forEach((r, s) => { if (r.live > peak) { peak = r.live; peakStep = s; } });

  // placement
  const placed: MemBuffer[] = [];
  const overlapsLife = (a: MemBuffer, b: MemBuffer) => a.first <= b.last && b.first <= a.last;
  const fit = (b: MemBuffer, side: Side, limit: number): number | null => {
    // each placed buffer live with b, with the most it occupies while both are live
    const conflicts = placed.filter((p) => overlapsLife(p, b)).map((p) => {
      let size = 0;
      for (let s = Math.max(p.first, b.first); s <= Math.min(p.last, b.last); s++) size = Math.max(size, sizeAt(p, s));
      return { offset: p.offset, size };
    });
    const hits = (o: number) => conflicts.find((p) => p.offset < o + b.size && o < p.offset + p.size);
    if (side === 'bottom') {
      let o = 0;
      for (let c = hits(o); c; c = hits(o)) o = c.offset + c.size;
      return o + b.size <= limit ? o : null;
    }
    let o = limit - b.size;
    for (let c = hits(o); c && o >= 0; c = hits(o)) o = Math.floor((c.offset - b.size) / align) * align;
    return o >= 0 ? o : null;
  };
  const place = (b: MemBuffer, prefer: Side) => {
    const other: Side = prefer === 'bottom' ? 'top' : 'bottom';
    let o = fit(b, prefer, peak);
    let side = prefer;
    if (o === null) { o = fit(b, other, peak); side = other; }
    if (o === null) { o = fit(b, 'bottom', Number.MAX_SAFE_INTEGER)!; side = 'bottom'; }
    b.offset = o;
    b.side = side;
    placed.push(b);
  };
  const sideOf = (t: number | null | undefined): Side | null => {
    if (t === null || t === undefined) return null;
    const id = bufferOf.get(t);
    return id === undefined ? null : buffers[id]!.side;
  };
  const opposite = (s: Side | null): Side => (s === 'bottom' ? 'top' : 'bottom');
  for (const b of pinnedBufs) place(b, 'top');
  steps.forEach((st, s) => {
    for (const b of startsAt[s]!) {
      if (b.kind === 'temp') place(b, opposite(sideOf(st.over)));
      else if (b.tensors[0] === st.writes) {
        const primary = st.reads.find((t) => bufferOf.has(t) && buffers[bufferOf.get(t)!]!.offset >= 0);
        place(b, primary === undefined ? 'bottom' : opposite(sideOf(primary)));
      } else place(b, 'bottom');
    }
  });
  // check: no two buffers live at the same time overlap
  for (let i = 0; i < buffers.length; i++) {
    for (let j = i + 1; j < buffers.length; j++) {
      const a = buffers[i]!, b = buffers[j]!;
      if (!overlapsLife(a, b)) continue;
      for (let s = Math.max(a.first, b.first); s <= Math.min(a.last, b.last); s++) {
        if (a.offset < b.offset + sizeAt(b, s) && b.offset < a.offset + sizeAt(a, s)) {
          throw new Error(`memory plan: internal error: ${a.name} and ${b.name} overlap in step ${s}`);
        }
      }
    }
  }
  let extent = 0;
  for (const b of buffers) extent = Math.max(extent, b.offset + b.size);
  for (const r of reports) for (const id of r.buffers) { const b = buffers[id]!; r.extent = Math.max(r.extent, b.offset + sizeAt(b, r.step)); }
  return { steps: reports, buffers, peak, peakStep, peakLayer: reports[peakStep]?.name ?? '', extent, align, bufferOf };
}

/** Whole-layer plan of a network. */
export function planWholeLayer(net: Network, options: MemOptions = {}): MemPlan {
  return planSchedule(buildSchedule(net, options), options.align ?? 1);
}

/** A text table of a plan: per step the live bytes and the extent, then the buffers. */
export function formatMemPlan(plan: MemPlan): string {
  const lines = [`peak ${plan.peak} B at ${plan.peakLayer} (step ${plan.peakStep}); arena extent ${plan.extent} B`];
  for (const r of plan.steps) lines.push(`  ${String(r.step).padStart(3)} ${r.name.padEnd(24)} live ${String(r.live).padStart(9)}  extent ${String(r.extent).padStart(9)}`);
  for (const b of plan.buffers) lines.push(`  [${String(b.offset).padStart(9)}, ${String(b.offset + b.size).padStart(9)}) steps ${b.first}..${b.last} ${b.name}`);
  return lines.join('\n');
}
