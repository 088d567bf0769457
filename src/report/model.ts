/**
 * The model report: what `mcusim model` knows about a network on a board, whole-layer and patch-based, as one
 * JSON-able object (`--json` prints it, the tables and the HTML page are drawn from it). Planned figures come from the
 * memory and patch planners (src/net/memplan.ts, patch.ts); measured figures (cycles, high-water marks, bit-exactness)
 * are filled in from a simulated run when there is one, and are null with --plan-only. No Node import: core.
 *
 * Fit: a mode fits when its SRAM (the planned arena plus a stack allowance; once built, the firmware's argument block,
 * arena and stack reserve) fits the board's SRAM budget (`sramBudget` in the board file: what MCUNet counts for the
 * board, e.g. the F746's 320 kB of contiguous DTCM + SRAM1 + SRAM2; else the main data SRAM, src/kernels/layout.ts
 * mainSram) and its flash (constants, plus code once built) fits the code memory (codeRegion). The firmware keeps the
 * arena in one region (mainSram): an arena within the budget but beyond that region runs in an enlarged copy of it.
 */
import type { Board } from '../board/schema.js';
import { codeRegion, mainSram } from '../kernels/layout.js';
import type { MemPlan } from '../net/memplan.js';
import type { Network } from '../net/network.js';
import type { PatchPlan } from '../net/patch.js';

export const MODEL_REPORT_SCHEMA = 'mcusim-model/1';

/** Stack bytes assumed for the fit check before a firmware exists (the kernels' frames are below 1 KB). */
export const PLANNED_STACK_BYTES = 1024;

export interface LayerRow {
  name: string;
  op: string;
  block: number;
  /** HxWxC of the output */
  output: string;
  macs: number;
  /** bytes of weights, bias, multipliers and shifts in flash */
  constants: number;
  /** planned bytes live while the layer runs (the largest step it is part of) */
  planned: number;
  /** measured: cycles spent in the layer (all its patches in patch mode), or null */
  cycles: number | null;
}

export interface StepPoint {
  name: string;
  /** planned live bytes */
  live: number;
  /** measured: cycle the step started at (null without a run) */
  cycle: number | null;
}

export interface ModeReport {
  mode: 'whole' | 'patch';
  /** the planner's peak of live bytes and the arena the placement needs (equal for the MobileNetV2 family) */
  plannedPeak: number;
  arenaBytes: number;
  /** the layer (step) that sets the peak */
  peakLayer: string;
  /** measured SRAM high-water mark: arena high-water mark + stack (bytes), or null */
  measuredPeak: number | null;
  arenaHighWater: number | null;
  stackBytes: number | null;
  /** flash bytes: constants + code (code once built; plan-only: constants) */
  flash: number;
  flashConstants: number;
  flashCode: number | null;
  macs: number;
  cycles: number | null;
  latencyMs: number | null;
  macsPerCycle: number | null;
  /** the simulated network output equals the TypeScript reference (null without a run) */
  bitExact: boolean | null;
  fits: boolean;
  fitsSram: boolean;
  fitsFlash: boolean;
  /** why it does not fit, with the numbers ('' when it fits) */
  fitNote: string;
  layers: LayerRow[];
  steps: StepPoint[];
  /** patch mode only */
  split?: number;
  patches?: number;
  macOverhead?: number;
  stageMacOverhead?: number;
  /** the paper's count (p^2 x the largest patch) */
  macOverheadUniform?: number;
  stageMacOverheadUniform?: number;
  cycleOverhead?: number | null;
  inputPatch?: number[];
}

export interface ModelReport {
  schema: typeof MODEL_REPORT_SCHEMA;
  network: string;
  board: string;
  core: string;
  clockHz: number;
  variant: string;
  /** the SRAM region the arena goes in and the code memory, with sizes */
  sram: { name: string; size: number };
  flashRegion: { name: string; size: number };
  whole: ModeReport;
  patch: ModeReport | null;
  /** planned peak whole / patch */
  peakReduction: number | null;
  planOnly: boolean;
}

/** Bytes a layer keeps in flash: int8 weights, and int32 bias, multiplier and shift per output channel. */
export function layerConstants(net: Network, i: number): number {
  const p = net.layers[i]!.plan;
  const w = p.weightShape ? p.weightShape.reduce((a, b) => a * b, 1) : 0;
  return w > 0 ? w + 12 * p.outC : 0;
}

const shapeOf = (h: number, w: number, c: number) => `${h}x${w}x${c}`;

/** Planned rows of every layer; `liveOf(i)` gives the planned live bytes of the step running layer i. */
function layerRows(net: Network, liveOf: (i: number) => number): LayerRow[] {
  return net.layers.map((l, i) => ({
    name: l.name, op: l.op, block: l.block, output: shapeOf(l.output.h, l.output.w, l.output.c), macs: l.macs,
    constants: layerConstants(net, i), planned: liveOf(i), cycles: null,
  }));
}

function liveByLayer(plan: MemPlan, layers: number): number[] {
  const out = new Array<number>(layers).fill(0);
  for (const s of plan.steps) for (const i of s.layers) out[i] = Math.max(out[i]!, s.live);
  return out;
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} kB`;

/** The SRAM a network may use on the board: its `sramBudget`, else its main data SRAM region. */
export function sramBudget(board: Board): { name: string; size: number } {
  if (board.sramBudget !== undefined) return { name: 'SRAM budget', size: board.sramBudget };
  const r = mainSram(board);
  return { name: r.name, size: r.size };
}

function fit(board: Board, sramBytes: number, flashBytes: number): { fits: boolean; fitsSram: boolean; fitsFlash: boolean; fitNote: string } {
  const sram = sramBudget(board), flash = codeRegion(board);
  const fitsSram = sramBytes <= sram.size, fitsFlash = flashBytes <= flash.size;
  const notes: string[] = [];
  if (!fitsSram) notes.push(`SRAM ${kb(sramBytes)} > ${kb(sram.size)} (${sram.name})`);
  if (!fitsFlash) notes.push(`flash ${kb(flashBytes)} > ${kb(flash.size)} (${flash.name})`);
  return { fits: fitsSram && fitsFlash, fitsSram, fitsFlash, fitNote: notes.join('; ') };
}

/** The planned part of a mode's report (measured fields null). */
export function plannedMode(board: Board, net: Network, mem: MemPlan, patch: PatchPlan | null): ModeReport {
  const live = liveByLayer(mem, net.layers.length);
  const constants = net.layers.reduce((n, _l, i) => n + layerConstants(net, i), 0);
  const macs = patch ? patch.macs.patch : net.macs;
  const rows = layerRows(net, (i) => live[i]!);
  if (patch) {
    // a stage layer runs once per patch: its MACs are the sum over patches
    const stageMacs = new Map<number, number>();
    for (const p of patch.grid) for (const l of p.layers) stageMacs.set(l.layer, (stageMacs.get(l.layer) ?? 0) + l.macs);
    for (const [i, m] of stageMacs) rows[i]!.macs = m;
  }
  const report: ModeReport = {
    mode: patch ? 'patch' : 'whole',
    plannedPeak: mem.peak, arenaBytes: mem.extent, peakLayer: mem.peakLayer,
    measuredPeak: null, arenaHighWater: null, stackBytes: null,
    flash: constants, flashConstants: constants, flashCode: null,
    macs, cycles: null, latencyMs: null, macsPerCycle: null, bitExact: null,
    ...fit(board, mem.extent + PLANNED_STACK_BYTES, constants),
    layers: rows,
    steps: mem.steps.map((s) => ({ name: s.name, live: s.live, cycle: null })),
  };
  if (patch) {
    Object.assign(report, {
      split: patch.split, patches: patch.patches,
      macOverhead: patch.macs.overallOverhead, stageMacOverhead: patch.macs.stageOverhead,
      macOverheadUniform: patch.macs.overallOverheadUniform, stageMacOverheadUniform: patch.macs.stageOverheadUniform,
      cycleOverhead: null,
      inputPatch: patch.inputPatch.map((x) => x.h),
    });
  }
  return report;
}

/** What a simulated run of one mode measured (the firmware builder's runner gives it). */
export interface ModeMeasurement {
  /** the firmware builder's fit verdict (argument block, arena and stack reserve against the SRAM; the image against
   * the flash) with its messages; the run happened on an enlarged copy of the board when it does not fit */
  fitsSram: boolean;
  fitsFlash: boolean;
  fitNotes: string[];
  cycles: number;
  arenaHighWater: number;
  stackBytes: number;
  flashCode: number;
  flashConstants: number;
  bitExact: boolean;
  /** cycles per layer name (patch mode: summed over patches) */
  layerCycles: Map<string, number>;
  /** the phases in the order they ran: name and the cycle (from the inference's start) each began at */
  phases?: { name: string; cycle: number }[];
}

/**
 * Memory over measured time: a point per phase that ran, with the planned live bytes of its step (a patch's phase
 * `p3/b2.dw` is step `b2.dw` of the stage; input copies take the step after them).
 */
function timeline(steps: StepPoint[], phases: { name: string; cycle: number }[]): StepPoint[] {
  const live = new Map(steps.map((s) => [s.name, s.live]));
  const out: StepPoint[] = [];
  for (let i = phases.length - 1, next = 0; i >= 0; i--) {
    const step = phases[i]!.name.replace(/^p\d+\//, '');
    const l = live.get(step) ?? next;
    out.push({ name: phases[i]!.name, live: l, cycle: phases[i]!.cycle });
    next = l;
  }
  return out.reverse();
}

/** Fill a mode's measured fields (and re-check the fit with the measured figures). */
export function withMeasurement(board: Board, m: ModeReport, x: ModeMeasurement): ModeReport {
  const flash = x.flashCode + x.flashConstants;
  const measuredPeak = x.arenaHighWater + x.stackBytes;
  return {
    ...m,
    measuredPeak, arenaHighWater: x.arenaHighWater, stackBytes: x.stackBytes,
    flash, flashConstants: x.flashConstants, flashCode: x.flashCode,
    cycles: x.cycles, latencyMs: (x.cycles / board.clockHz) * 1e3, macsPerCycle: m.macs / x.cycles,
    bitExact: x.bitExact,
    fits: x.fitsSram && x.fitsFlash, fitsSram: x.fitsSram, fitsFlash: x.fitsFlash, fitNote: x.fitNotes.join('; '),
    layers: m.layers.map((l) => ({ ...l, cycles: x.layerCycles.get(l.name) ?? null })),
    steps: x.phases ? timeline(m.steps, x.phases) : m.steps,
  };
}

/** The whole report; the patch mode's cycle overhead once both are measured. */
export function modelReport(o: {
  network: string; board: Board; variant: string; whole: ModeReport; patch: ModeReport | null; planOnly: boolean;
}): ModelReport {
  const sram = sramBudget(o.board), flash = codeRegion(o.board);
  let patch = o.patch;
  if (patch && patch.cycles !== null && o.whole.cycles !== null) patch = { ...patch, cycleOverhead: patch.cycles / o.whole.cycles - 1 };
  return {
    schema: MODEL_REPORT_SCHEMA,
    network: o.network, board: o.board.name, core: o.board.core, clockHz: o.board.clockHz, variant: o.variant,
    sram: { name: sram.name, size: sram.size }, flashRegion: { name: flash.name, size: flash.size },
    whole: o.whole, patch,
    peakReduction: patch ? o.whole.plannedPeak / patch.plannedPeak : null,
    planOnly: o.planOnly,
  };
}

// ------------------------------------------------------------------ the HTML page

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const COLORS = { whole: '#3b6fb6', patch: '#d9822b' } as const;

/** Memory over time: one line per mode (x: the step's start cycle when measured, else its index, both scaled to 0..1). */
function memoryChart(r: ModelReport): string {
  const W = 760, H = 260, L = 70, B = 30, T = 10;
  const modes = [r.whole, r.patch].filter((m): m is ModeReport => m !== null);
  const maxY = Math.max(...modes.flatMap((m) => m.steps.map((s) => s.live)), 1);
  const lines = modes.map((m) => {
    const n = m.steps.length;
    const end = m.cycles ?? null;
    const xs = m.steps.map((s, i) => (end !== null && s.cycle !== null ? s.cycle / end : i / Math.max(1, n)));
    const pts: string[] = [];
    m.steps.forEach((s, i) => {
      const x0 = L + xs[i]! * (W - L - 10), x1 = L + (i + 1 < n ? xs[i + 1]! : 1) * (W - L - 10);
      const y = T + (H - T - B) * (1 - s.live / maxY);
      pts.push(`${x0.toFixed(1)},${y.toFixed(1)}`, `${x1.toFixed(1)},${y.toFixed(1)}`);
    });
    return `<polyline fill="none" stroke="${COLORS[m.mode]}" stroke-width="2" points="${pts.join(' ')}"><title>${m.mode}</title></polyline>`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = T + (H - T - B) * (1 - f);
    return `<line x1="${L}" x2="${W - 10}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">${kb(maxY * f)}</text>`;
  });
  const xLabel = modes.every((m) => m.cycles !== null) ? 'time (share of each mode\'s cycles)' : 'steps (planned)';
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11">${ticks.join('')}${lines.join('')}` +
    `<text x="${(L + W) / 2}" y="${H - 6}" text-anchor="middle">${xLabel}</text></svg>`;
}

/** Per-layer bars: cycles when measured, else MACs; one bar per mode. */
function layerChart(r: ModelReport): string {
  const modes = [r.whole, r.patch].filter((m): m is ModeReport => m !== null);
  const measured = modes.every((m) => m.layers.every((l) => l.cycles !== null));
  const val = (l: LayerRow) => (measured ? l.cycles! : l.macs);
  const names = r.whole.layers.map((l) => l.name);
  const max = Math.max(...modes.flatMap((m) => m.layers.map(val)), 1);
  const rowH = 7 * modes.length + 4, W = 760, L = 110;
  const H = names.length * rowH + 20;
  const bars = names.map((n, i) => {
    const y = 10 + i * rowH;
    const parts = modes.map((m, k) => {
      const l = m.layers[i]!;
      const w = ((W - L - 10) * val(l)) / max;
      return `<rect x="${L}" y="${y + k * 7}" width="${w.toFixed(1)}" height="6" fill="${COLORS[m.mode]}"><title>${esc(n)} (${m.mode}): ${val(l).toLocaleString('en-US')} ${measured ? 'cycles' : 'MACs'}, ${kb(l.planned)} live</title></rect>`;
    });
    return `<text x="${L - 6}" y="${y + rowH / 2 + 1}" text-anchor="end">${esc(n)}</text>${parts.join('')}`;
  });
  return `<p>${measured ? 'Cycles' : 'MACs'} per layer (${modes.map((m) => `<span style="color:${COLORS[m.mode]}">${m.mode}</span>`).join(', ')}).</p>` +
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="9">${bars.join('')}</svg>`;
}

function modeTable(r: ModelReport): string {
  const rows = modeRows(r);
  const head = `<tr><th></th>${[r.whole, r.patch].filter(Boolean).map((m) => `<th>${m!.mode === 'whole' ? 'whole-layer' : `patch-based (split ${m!.split}, ${m!.patches}x${m!.patches})`}</th>`).join('')}</tr>`;
  return `<table>${head}${rows.map(([k, ...v]) => `<tr><td>${esc(k)}</td>${v.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('')}</table>`;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;

/** The summary rows of both modes: [label, whole, patch?] (shared by the text tables and the HTML page). */
export function modeRows(r: ModelReport): string[][] {
  const modes = [r.whole, r.patch].filter((m): m is ModeReport => m !== null);
  const row = (label: string, f: (m: ModeReport) => string) => [label, ...modes.map(f)];
  const orDash = <T>(v: T | null | undefined, f: (v: T) => string) => (v === null || v === undefined ? '-' : f(v));
  return [
    row('planned peak SRAM', (m) => `${n0(m.plannedPeak)} B (${kb(m.plannedPeak)}), at ${m.peakLayer}`),
    row('measured SRAM', (m) => orDash(m.measuredPeak, (v) => `${n0(v)} B (arena ${n0(m.arenaHighWater!)} + stack ${n0(m.stackBytes!)})`)),
    row('flash', (m) => `${n0(m.flash)} B${m.flashCode === null ? ' (constants; code not built)' : ` (code ${n0(m.flashCode)} + constants ${n0(m.flashConstants)})`}`),
    row('MACs', (m) => `${n0(m.macs)}${m.macOverhead !== undefined ? ` (${pct(m.macOverhead)}; stage ${pct(m.stageMacOverhead!)})` : ''}`),
    row('cycles', (m) => orDash(m.cycles, (v) => `${n0(v)}${m.cycleOverhead !== undefined && m.cycleOverhead !== null ? ` (${pct(m.cycleOverhead)})` : ''}`)),
    row('latency', (m) => orDash(m.latencyMs, (v) => `${v.toFixed(1)} ms at ${r.clockHz / 1e6} MHz`)),
    row('MAC/cycle', (m) => orDash(m.macsPerCycle, (v) => v.toFixed(3))),
    row('bit-exact', (m) => orDash(m.bitExact, (v) => (v ? 'yes' : 'NO'))),
    row('fits', (m) => (m.fits ? `yes (${r.sram.name} ${kb(r.sram.size)}, ${r.flashRegion.name} ${kb(r.flashRegion.size)})${m.fitNote ? `; ${m.fitNote}` : ''}` : `no: ${m.fitNote}`)),
    ...(r.patch ? [row('input patch', (m) => (m.inputPatch ? m.inputPatch.join(' -> ') : '-'))] : []),
  ];
}

/** A self-contained HTML page (inline SVG, no script): both modes' figures, memory over time, per-layer bars. */
export function modelReportHtml(r: ModelReport): string {
  const title = `${r.network} on ${r.board}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:800px;margin:2em auto;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}th{background:#f4f4f4}</style></head><body>
<h1>${esc(title)}</h1>
<p>${esc(r.core)} at ${r.clockHz / 1e6} MHz, ${esc(r.variant)} kernels${r.planOnly ? '; planner figures only (not simulated)' : '; measured on the simulated board'}.</p>
${modeTable(r)}
<h2>Memory over time</h2>
<p>Planned live bytes per step (<span style="color:${COLORS.whole}">whole-layer</span>${r.patch ? `, <span style="color:${COLORS.patch}">patch-based</span>` : ''})${r.peakReduction !== null ? `; peak reduction ${r.peakReduction.toFixed(1)}x` : ''}.</p>
${memoryChart(r)}
<h2>Layers</h2>
${layerChart(r)}
<p style="color:#888;font-size:11px">mcusim ${MODEL_REPORT_SCHEMA}</p>
</body></html>
`;
}
