/**
 * `mcusim model`: a whole network on a board, layer by layer and patch by patch (issue 6, point 5). The network is
 * built in (`mobilenetv2`, `mbv2-rd`) or a JSON file (src/net/network.ts). The planners give the planned figures
 * (--plan-only stops there); the firmware builder runs both modes on the simulated board for the measured ones.
 * The report (src/report/model.ts) prints as tables, as JSON (--json) or as an HTML page (--report FILE.html).
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import type { Board } from '../board/schema.js';
import { KERNEL_VARIANTS, type KernelVariant } from '../kernels/index.js';
import { MBV2_WIDTHS, mobilenetv2Network, type MbV2Padding } from '../net/mobilenetv2.js';
import { NetworkError, formatNetworkIssue, resolveNetwork, type Network } from '../net/network.js';
import { planWholeLayer, type MemOptions } from '../net/memplan.js';
import { planPatches, searchPatchConfigs, type SearchEntry, type SearchResult } from '../net/patch.js';
import { modelReport, modelReportHtml, modeRows, plannedMode, sramBudget, withMeasurement, PLANNED_STACK_BYTES, type ModelReport, type ModeReport, type ModeMeasurement } from '../report/model.js';
import { networkWeights, randomInput } from '../net/network.js';
import type { PatchPlan } from '../net/patch.js';
import { runNetwork, type NetProgress, type NetRunResult } from '../netfw/index.js';

type Fail = (message: string) => never;

export interface ModelOptions {
  width: number; resolution: number; padding: MbV2Padding; board: string; variant: KernelVariant; seed: number;
  split?: number; patches?: number; search?: boolean; planOnly?: boolean; json?: boolean; report?: string;
  inplace: boolean; classes: number; schedule: 'compact' | 'unrolled'; progress?: boolean; paper?: boolean;
}

const positiveInt = (what: string, min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`'${v}' is not a whole number from ${min} to ${max} (${what})`);
  return n;
};
const widthArg = (v: string): number => {
  const n = Number(v);
  if (!MBV2_WIDTHS.includes(n)) throw new InvalidArgumentError(`'${v}' is not one of ${MBV2_WIDTHS.join(', ')} (--width)`);
  return n;
};
const choice = <T extends string>(options: readonly T[], what: string) => (v: string): T => {
  if (!(options as readonly string[]).includes(v)) throw new InvalidArgumentError(`'${v}' is not one of ${options.join(', ')} (${what})`);
  return v as T;
};

/** The network named on the command line: built in, or a JSON file (errors with file:line:column). */
export function loadNetwork(name: string, o: ModelOptions, fail: Fail): Network {
  const builtIn: Record<string, 'mbv2' | 'rd'> = { mobilenetv2: 'mbv2', 'mbv2-rd': 'rd' };
  const variant = builtIn[name.toLowerCase()];
  try {
    if (variant) return mobilenetv2Network({ width: o.width, resolution: o.resolution, padding: o.padding, variant, seed: o.seed, classes: o.classes });
    let text: string;
    try { text = readFileSync(name, 'utf8'); } catch (e) {
      return fail(`cannot read ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (the network is mobilenetv2, mbv2-rd, or a network JSON file)`);
    }
    return resolveNetwork(text);
  } catch (e) {
    if (e instanceof NetworkError) return fail(`${variant ? name : name}: the network is not valid:\n  ${e.issues.map((i) => `${variant ? '' : `${name}:`}${formatNetworkIssue(i)}`).join('\n  ')}`);
    return fail((e as Error).message);
  }
}

/**
 * The MAC overhead the default patch configuration may cost: MCUNetV2 reports 8-17% for its networks at 4x4 patches
 * (reference/patch-inference.md), so 15% keeps the default within what the paper considers worth paying.
 */
export const MAX_DEFAULT_OVERHEAD = 0.15;

/**
 * The patch configuration to run: the one given; else, of those that fit the board's SRAM, the smallest arena with at
 * most MAX_DEFAULT_OVERHEAD more MACs (else the least overhead that fits; else the smallest arena).
 */
export function choosePatchConfig(net: Network, o: Pick<ModelOptions, 'split' | 'patches'>, budget: number, mem: MemOptions): { split: number; patches: number; search: SearchResult | null } {
  if (o.split !== undefined && o.patches !== undefined) {
    planPatches(net, o.split, o.patches, mem); // throws the planner's message (naming the parameter) when impossible
    return { split: o.split, patches: o.patches, search: null };
  }
  const search = searchPatchConfigs(net, {
    ...mem, budget,
    ...(o.split !== undefined ? { splits: [o.split] } : {}),
    ...(o.patches !== undefined ? { patches: [o.patches] } : {}),
  });
  const candidates = search.entries.filter((e) => e.split > 0);
  if (candidates.length === 0) {
    const why = search.skipped[0]?.reason ?? 'no split and patch count is possible';
    throw new Error(`no patch configuration${o.split !== undefined ? ` with --split ${o.split}` : ''}${o.patches !== undefined ? ` with --patches ${o.patches}` : ''}: ${why}`);
  }
  // the smallest arena whose MAC overhead stays within MAX_DEFAULT_OVERHEAD, among those that fit the budget; else the
  // least overhead that fits; else the smallest arena
  const fitting = candidates.filter((e) => e.arena <= budget);
  const smallest = (xs: SearchEntry[]) => xs.reduce((a, b) => (b.arena < a.arena || (b.arena === a.arena && b.macOverhead < a.macOverhead) ? b : a));
  const modest = fitting.filter((e) => e.macOverhead <= MAX_DEFAULT_OVERHEAD);
  const pick = modest.length ? smallest(modest)
    : fitting.length ? fitting.reduce((a, b) => (b.macOverhead < a.macOverhead ? b : a))
      : smallest(candidates);
  return { split: pick.split, patches: pick.patches, search };
}

/** Plan both modes (no simulation). */
export function planModel(net: Network, board: Board, o: Pick<ModelOptions, 'split' | 'patches' | 'inplace' | 'variant'>, name: string): { report: ModelReport; search: SearchResult | null; patchPlan: PatchPlan } {
  const mem: MemOptions = { inPlaceDepthwise: o.inplace };
  const whole = plannedMode(board, net, planWholeLayer(net, mem), null);
  const budget = sramBudget(board).size - PLANNED_STACK_BYTES;
  const { split, patches, search } = choosePatchConfig(net, o, budget, mem);
  const pp = planPatches(net, split, patches, mem);
  const patch: ModeReport = plannedMode(board, net, pp.memory, pp);
  return { report: modelReport({ network: name, board, variant: o.variant, whole, patch, planOnly: true }), search, patchPlan: pp };
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} kB`;

/**
 * The measured figures of a run, for the report. SRAM fits against the board's budget (report/model.ts sramBudget): an
 * arena beyond the firmware's one region but within the budget fits (the note says it ran in an enlarged region).
 */
function measurementOf(r: NetRunResult, board: Board): ModeMeasurement {
  const budget = sramBudget(board);
  const sramOver = r.issues.find((i) => i.memory === 'sram' && i.need > budget.size);
  return {
    fitsSram: sramOver === undefined, fitsFlash: !r.issues.some((i) => i.memory === 'flash'),
    fitNotes: r.issues.map((i) => (i.memory === 'flash' ? `flash ${kb(i.need)} > ${kb(i.have)} (${i.region}; ran on an enlarged copy)`
      : i === sramOver ? `SRAM ${kb(i.need)} > ${kb(budget.size)} (${budget.name}; ran on an enlarged copy)`
        : `SRAM ${kb(i.need)} within the ${budget.name} of ${kb(budget.size)}, beyond ${i.region}'s ${kb(i.have)}: simulated in an enlarged ${i.region}`)),
    cycles: r.cycles, arenaHighWater: r.arenaHighWater, stackBytes: r.stackBytes, flashCode: r.flash - r.flashConstants,
    flashConstants: r.flashConstants, bitExact: r.bitExact,
    layerCycles: new Map(r.layerCycles.map((l) => [l.name, l.cycles])),
    phases: r.phases.reduce<{ name: string; cycle: number }[]>((out, p) => {
      const last = out[out.length - 1];
      out.push({ name: p.name, cycle: last ? last.cycle + (r.phases[out.length - 1]!.cycles) : 0 });
      return out;
    }, []),
  };
}

/**
 * A progress line on stderr, rewritten in place: mode, layer n of m (patch i of k), simulated cycles and the
 * simulator's speed in simulated cycles per second of wall time.
 */
function progressLine(mode: string): { update: (p: NetProgress) => void; done: () => void } {
  const t0 = performance.now();
  let last = 0;
  return {
    update(p) {
      const now = performance.now();
      if (!p.done && now - last < 200) return;
      last = now;
      const secs = (now - t0) / 1000;
      const where = p.done ? 'done' : p.phaseIndex < 0 ? 'starting' : `step ${p.phaseIndex + 1} of ${p.phases}${p.patch !== null ? `, patch ${p.patch + 1} of ${p.patches}` : ''} (${p.phase})`;
      const width = 24, filled = p.done ? width : Math.round(width * Math.max(0, p.phaseIndex) / Math.max(1, p.phases));
      const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
      process.stderr.write(`\r${mode} [${bar}] ${where}, ${(p.cycles / 1e6).toFixed(1)} M cycles, ${(p.cycles / Math.max(secs, 1e-3) / 1e6).toFixed(1)} M cycles/s\x1b[K`);
    },
    done() { process.stderr.write('\n'); },
  };
}

function printTables(r: ModelReport, search: SearchResult | null): void {
  const out: string[] = [];
  out.push(`${r.network} on ${r.board} (${r.core}, ${r.clockHz / 1e6} MHz), ${r.variant} kernels${r.planOnly ? ': planned figures (--plan-only: not simulated)' : ''}`);
  const t = new Table({ head: ['', 'whole-layer', r.patch ? `patch-based (split ${r.patch.split}, ${r.patch.patches}x${r.patch.patches})` : ''], style: { head: [], border: [], compact: true } });
  for (const row of modeRows(r)) t.push(row);
  out.push(t.toString());
  if (r.peakReduction !== null) out.push(`planned peak SRAM whole / patch: ${r.peakReduction.toFixed(2)}x`);
  if (search) {
    out.push('', 'Pareto front (arena bytes vs MAC overhead; every split and patch count tried):');
    const s = new Table({ head: ['split', 'patches', 'arena', 'MAC overhead', 'stage overhead', 'input patch', ''], style: { head: [], border: [], compact: true } });
    for (const e of search.pareto) {
      s.push([e.split === 0 ? 'whole' : String(e.split), e.split === 0 ? '-' : `${e.patches}x${e.patches}`, e.arena.toLocaleString('en-US'),
        `+${(100 * e.macOverhead).toFixed(1)}%`, e.split === 0 ? '-' : `+${(100 * e.stageMacOverhead).toFixed(1)}%`, e.inputPatch.join('-') || '-',
        search.best === e ? 'least MACs within the board SRAM' : ''] as string[]);
    }
    out.push(s.toString());
  }
  for (const m of [r.whole, r.patch]) {
    if (!m) continue;
    out.push('', `${m.mode === 'whole' ? 'whole-layer' : 'patch-based'}: per layer`);
    const lt = new Table({ head: ['layer', 'op', 'output', 'MACs', 'planned live', 'cycles', 'flash'], style: { head: [], border: [], compact: true } });
    for (const l of m.layers) {
      lt.push([l.name, l.op, l.output, l.macs.toLocaleString('en-US'), l.planned.toLocaleString('en-US'), l.cycles === null ? '-' : l.cycles.toLocaleString('en-US'), l.constants.toLocaleString('en-US')]);
    }
    out.push(lt.toString());
  }
  process.stdout.write(out.join('\n') + '\n');
}

/** Run both modes on the board (progress on stderr) and fill the report's measured figures. */
export function simulateModel(net: Network, board: Board, o: ModelOptions, planned: ReturnType<typeof planModel>, fail: Fail, label = ''): ModelReport {
  const weights = networkWeights(net, o.seed), input = randomInput(net, o.seed);
  const showProgress = o.progress ?? process.stderr.isTTY === true;
  const run = (mode: 'whole' | 'patch'): NetRunResult => {
    const bar = showProgress ? progressLine(`${label}${mode === 'whole' ? 'whole-layer' : 'patch-based'}`) : null;
    try {
      return runNetwork(net, weights, input, mode === 'whole' ? 'whole' : { patch: planned.patchPlan }, o.variant, board, {
        memory: { inPlaceDepthwise: o.inplace }, schedule: o.schedule === 'unrolled' ? 'auto' : 'compact-2x2',
        ...(bar ? { onProgress: bar.update } : {}),
      });
    } catch (e) {
      const m = (e as Error).message;
      if (/generator bug/.test(m)) throw e; // ours: the CLI reports it as an internal error
      return fail(m);
    } finally { bar?.done(); }
  };
  const r = planned.report;
  const whole = withMeasurement(board, r.whole, measurementOf(run('whole'), board));
  const patch = withMeasurement(board, r.patch!, measurementOf(run('patch'), board));
  if (!whole.bitExact || !patch.bitExact) process.exitCode = 4;
  return modelReport({ network: r.network, board, variant: o.variant, whole, patch, planOnly: false });
}

/**
 * The MCUNetV2 paper's figures (Lin et al., NeurIPS 2021, arXiv 2110.15352; reference/patch-inference.md) for
 * MobileNetV2 1.0/224 and MbV2-RD with 4x4 patches.
 */
export const PAPER = {
  mbv2: { name: 'MobileNetV2 1.0/224', network: 'mobilenetv2', split: 5, wholeKB: 1372, patchKB: 172, stage: 0.42, overall: 0.10, inputPatch: 75 },
  rd: { name: 'MbV2-RD 1.0/224', network: 'mbv2-rd', split: 4, wholeKB: 1372, patchKB: 172, stage: 0.18, overall: 0.03, inputPatch: 63 },
} as const;
export const PAPER_BOARDS = ['stm32h743', 'stm32f746g-disco'] as const;

/** `--paper`: the comparison table (planned figures; with simulation, the cycle overhead on both boards). */
function paperComparison(o: ModelOptions, boardOf: (name: string) => Board, fail: Fail): void {
  const kB = (b: number) => `${(b / 1024).toFixed(1)} kB`;
  const pct = (x: number) => `+${(100 * x).toFixed(1)}%`;
  const rows: string[][] = [];
  const json: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(PAPER) as [keyof typeof PAPER, (typeof PAPER)[keyof typeof PAPER]][]) {
    const opts: ModelOptions = { ...o, width: 1.0, resolution: 224, split: p.split, patches: 4 };
    const net = loadNetwork(p.network, opts, fail);
    const measured: Record<string, ModelReport> = {};
    let planned: ReturnType<typeof planModel> | null = null;
    for (const b of PAPER_BOARDS) {
      const board = boardOf(b);
      planned = planModel(net, board, opts, net.name);
      if (!o.planOnly) measured[b] = simulateModel(net, board, opts, planned, fail, `${p.name} on ${b}: `);
    }
    const r = planned!.report, pw = r.whole, pp = r.patch!;
    const red = pw.plannedPeak / pp.plannedPeak;
    rows.push(
      [`${p.name}, 4x4 patches, split ${p.split}`, '', ''],
      ['  peak SRAM whole-layer', `${p.wholeKB} kB`, kB(pw.plannedPeak)],
      ['  peak SRAM patch-based', `${p.patchKB} kB`, kB(pp.plannedPeak)],
      ['  reduction', `${(p.wholeKB / p.patchKB).toFixed(1)}x`, `${red.toFixed(2)}x`],
      ['  input patch', `${p.inputPatch}x${p.inputPatch}`, `${pp.inputPatch![0]}x${pp.inputPatch![0]}`],
      ['  patch-stage MAC overhead', pct(p.stage), `${pct(pp.stageMacOverheadUniform!)} (paper's count); ${pct(pp.stageMacOverhead!)} (MACs run)`],
      ['  overall MAC overhead', pct(p.overall), `${pct(pp.macOverheadUniform!)} (paper's count); ${pct(pp.macOverhead!)} (MACs run)`],
      ...PAPER_BOARDS.filter((b) => measured[b]).map((b) => {
        const m = measured[b]!;
        return [`  cycle overhead, ${b}`, '-', `${pct(m.patch!.cycleOverhead!)} (${(m.whole.latencyMs! ).toFixed(0)} -> ${m.patch!.latencyMs!.toFixed(0)} ms; measured peak ${kB(m.whole.measuredPeak!)} -> ${kB(m.patch!.measuredPeak!)}${m.whole.bitExact && m.patch!.bitExact ? ', bit-exact' : ', NOT BIT-EXACT'})`];
      }),
    );
    json[key] = { paper: p, planned: r, measured };
  }
  if (o.json) { process.stdout.write(JSON.stringify(json) + '\n'); return; }
  const t = new Table({ head: ['MCUNetV2 (NeurIPS 2021)', 'paper', `mcusim (${o.variant} kernels)`], style: { head: [], border: [], compact: true } });
  for (const row of rows) t.push(row);
  process.stdout.write(t.toString() + '\n');
}

/** Register `model` on the program; `boardOf` resolves a board name or file, `fail` reports a user mistake. */
export function addModelCommand(program: Command, boardOf: (name: string) => Board, fail: Fail): void {
  program.command('model').description('plan and run a whole network on a board, layer by layer and patch by patch (MCUNetV2), and compare')
    .argument('[network]', 'mobilenetv2, mbv2-rd (MobileNetV2 with its receptive field redistributed), or a network JSON file')
    .option('--width <w>', `width multiplier: ${MBV2_WIDTHS.join(', ')}`, widthArg, 1.0)
    .option('--resolution <r>', 'input height and width, 96 to 224', positiveInt('--resolution', 96, 224), 224)
    .option('--padding <style>', 'same (TFLite) or symmetric (PyTorch export)', choice(['same', 'symmetric'] as const, '--padding'), 'same')
    .option('--classes <n>', 'classifier outputs', positiveInt('--classes', 1, 100000), 1000)
    .option('--board <name>', 'the board', 'stm32f746g-disco')
    .option('--variant <name>', `kernel variant: ${KERNEL_VARIANTS.join(', ')}`, choice(KERNEL_VARIANTS, '--variant'), 'simd')
    .option('--split <n>', 'patch stage = the first n blocks (the stem convolution is block 1 of them)', positiveInt('--split', 1, 1000))
    .option('--patches <p>', 'p x p patches', positiveInt('--patches', 1, 64))
    .option('--search', 'try every split and patch count: print the Pareto front (peak SRAM vs MAC overhead) and run the best that fits')
    .option('--no-inplace', 'depthwise layers write a separate output (default: in place, with one channel of temporary space)')
    .option('--plan-only', 'print the planners\' figures without simulating')
    .option('--schedule <s>', 'DSP pointwise schedule: compact (default: small code) or unrolled (faster on Cortex-M4, much larger code)', choice(['compact', 'unrolled'] as const, '--schedule'), 'compact')
    .option('--progress', 'show the progress line on stderr even when it is not a terminal')
    .option('--no-progress', 'no progress line')
    .option('--seed <n>', 'seed of the weights, quantisation and input', positiveInt('--seed', 0, 2 ** 31 - 1), 1)
    .option('--json', 'print one JSON object { whole, patch, ... }')
    .option('--report <file.html>', 'write a self-contained HTML page with a memory-over-time chart and per-layer bars')
    .option('--paper', 'the MCUNetV2 comparison: MobileNetV2 1.0/224 and MbV2-RD in 4x4 patches, planned against the paper, and the measured cycle overhead on stm32h743 and stm32f746g-disco (minutes; --plan-only: instant)')
    .action((name: string | undefined, o: ModelOptions) => {
      if (o.paper) {
        if (name !== undefined || o.split !== undefined || o.patches !== undefined || o.search) fail('--paper runs its own networks and configurations: give no network, --split, --patches or --search with it');
        paperComparison(o, boardOf, fail);
        return;
      }
      if (name === undefined) fail('a network is required: mobilenetv2, mbv2-rd, or a network JSON file (or --paper)');
      if (o.search && (o.split !== undefined || o.patches !== undefined)) fail('--search tries every split and patch count: give it or --split/--patches, not both');
      const board = boardOf(o.board);
      const net = loadNetwork(name!, o, fail);
      let planned;
      try { planned = planModel(net, board, o, net.name); } catch (e) { return fail((e as Error).message); }
      let r = planned.report;
      if (!o.planOnly) r = simulateModel(net, board, o, planned, fail);
      if (o.report) {
        try { writeFileSync(o.report, modelReportHtml(r)); } catch (e) { fail(`cannot write ${o.report}: ${(e as NodeJS.ErrnoException).code}`); }
      }
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else printTables(r, o.search ? planned.search : null);
    });
}
