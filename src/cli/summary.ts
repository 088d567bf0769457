/**
 * The text summary of a run (stderr), drawn from the run report (src/report/run.ts): time and CPI, stalls by cause,
 * cache rates, a memory table with a bar per region against its size, phases, and the profile when asked for.
 */
import Table from 'cli-table3';
import type { RunReport, RegionReport } from '../report/run.js';
import { PROFILE_TABLE_ALIGN, PROFILE_TABLE_HEAD, profileTable } from '../prof/format.js';

const TABLE_STYLE = { head: [], border: [], compact: true };
const hex8 = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');
/** a number with thousands separators */
export const num = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');

/** bytes as B, KB or MB with one decimal where it matters */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${(n / (1 << 20)).toFixed(n % (1 << 20) === 0 ? 0 : 1)} MB`;
}

/** a duration in s, ms or µs with 4 significant digits */
export function duration(seconds: number): string {
  if (seconds >= 1) return `${seconds.toPrecision(4)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toPrecision(4)} ms`;
  return `${(seconds * 1e6).toPrecision(4)} µs`;
}

/** A bar of `width` cells for a fraction 0..1, in eighths of a cell. */
export function bar(fraction: number, width = 20): string {
  const f = Math.max(0, Math.min(1, fraction));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8), part = eighths % 8;
  const partial = part ? '▏▎▍▌▋▊▉'[part - 1]! : '';
  return ('█'.repeat(full) + partial).padEnd(width, '·');
}

const STALL_LABEL: Record<string, string> = {
  waitStates: 'wait states', branch: 'branch refill/mispredict', loadUse: 'load-use', divide: 'divide', cacheMiss: 'cache misses',
  unaligned: 'unaligned', storeBuffer: 'store buffer', exception: 'exception entry/return', memory: 'memory pipelining', pipeline: 'pipeline',
};

/** The lines of the timing part: cycles, time, CPI, stalls, caches. */
export function timingLines(r: RunReport): string[] {
  const lines: string[] = [];
  lines.push(`instructions: ${r.instructions}   cycles: ${r.cycles}`);
  const time = r.seconds !== null && r.clockHz ? `   time: ${duration(r.seconds)} at ${r.clockHz / 1e6} MHz` : '';
  lines.push(`CPI: ${r.cpi.toFixed(3)}${time}   (${r.model} model)`);
  const stalls = Object.entries(r.stalls).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const total = stalls.reduce((a, [, v]) => a + v, 0);
  if (stalls.length) {
    lines.push(`stalls: ${num(total)} cycles (${pct(total, r.cycles)}): ` +
      stalls.map(([k, v]) => `${STALL_LABEL[k] ?? k} ${num(v)} (${pct(v, r.cycles)})`).join(', '));
  }
  for (const c of r.caches) {
    if (!c.accesses) continue; // off, or nothing went through it
    lines.push(`${c.name}: ${pct(c.hits, c.accesses)} hits, ${num(c.misses)} misses of ${num(c.accesses)} accesses` +
      (c.writeBacks ? `, ${num(c.writeBacks)} write-backs` : '') + (c.stallCycles ? `, ${num(c.stallCycles)} stall cycles` : ''));
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines;
}

/** The memory table: one row per region, with a bar of its use against its size. */
export function memoryTable(r: RunReport): string {
  const t = new Table({ head: ['region', 'base', 'size', 'reads', 'writes', 'used', 'written (lowest..highest)', 'use of size'], style: TABLE_STYLE });
  for (const g of r.regions) {
    const used = usedBytes(g);
    let span = '-';
    if (g.lowest !== null && g.highest !== null) span = `${hex8(g.lowest)}..${hex8(g.highest)}`;
    if (r.stack && r.stack.region === g.name && r.stack.bytesUsed > 0) span += `${span === '-' ? '' : ', '}stack ${bytes(r.stack.bytesUsed)}`;
    t.push([g.name, hex8(g.base), bytes(g.size), num(g.reads), num(g.writes), used.label, span, `${bar(used.bytes / g.size)} ${pct(used.bytes, g.size)}`]);
  }
  return t.toString();
}

/** What a region's "use" is: the image in flash, the bytes the program wrote in RAM (touched, not the span). */
function usedBytes(g: RegionReport): { bytes: number; label: string } {
  if (g.kind === 'flash') return { bytes: g.imageBytes, label: `${bytes(g.imageBytes)} image` };
  if (g.bytesTouched > 0) return { bytes: g.bytesTouched, label: `${bytes(g.bytesTouched)} written` };
  return { bytes: g.imageBytes, label: g.imageBytes ? `${bytes(g.imageBytes)} image` : '0 B' };
}

/** Phases marked by the firmware: cycles, instructions and the memory each one wrote. */
export function phaseTable(r: RunReport): string | undefined {
  const phases = r.phases.filter((p) => p.marked || r.phases.length > 1);
  if (!phases.some((p) => p.marked)) return undefined;
  const ram = r.regions.filter((g) => g.kind !== 'flash' && r.phases.some((p) => p.regions.some((q) => q.name === g.name && q.bytesTouched > 0)));
  const t = new Table({ head: ['phase', 'cycles', 'share', 'instructions', ...ram.map((g) => `${g.name} written`), 'stack'], style: TABLE_STYLE });
  for (const p of phases) {
    t.push([p.name, num(p.cycles), pct(p.cycles, r.cycles), num(p.instructions),
      ...ram.map((g) => { const q = p.regions.find((x) => x.name === g.name); return q && q.bytesTouched ? `${bytes(q.bytesTouched)} (up to ${hex8(q.highest ?? 0)})` : '-'; }),
      p.stack && p.stack.bytesUsed > 0 ? bytes(p.stack.bytesUsed) : '-']);
  }
  return t.toString();
}

/** Watched windows: the highest offset written in each. */
export function watchLines(r: RunReport): string[] {
  return r.watches.map((w) => `watch ${w.name} (${hex8(w.start)}..${hex8(w.end)}, ${bytes(w.size)}): ` +
    (w.highestOffset < 0 ? 'not written' : `highest offset written ${num(w.highestOffset)} (${pct(w.highestOffset + 1, w.size)} of it), ${bytes(w.bytesTouched)} touched`));
}

/** The profile's top functions. */
export function profileText(r: RunReport, top: number): string | undefined {
  if (!r.profile) return undefined;
  const t = new Table({ head: [...PROFILE_TABLE_HEAD], colAligns: [...PROFILE_TABLE_ALIGN], style: TABLE_STYLE });
  for (const row of profileTable(r.profile, { top, totalCycles: r.cycles })) t.push(row);
  return t.toString();
}
