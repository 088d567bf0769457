/**
 * Memory usage of a run (issue 4, point 6): for each RAM region the bytes the program touched, the lowest and
 * highest address it wrote, the stack's lowest SP, named watch windows (a symbol's span, a tensor arena) with the
 * highest offset written, and all of it per phase, the phases being marked by the firmware through the simulator's
 * control device (src/sys/simctl.ts).
 *
 * How it is kept
 * - Every program store to a memory reaches `RegionUsage.write(a, n)` through Region.noteWrite (src/mem/flat.ts),
 *   in the main window's addresses, whichever window (alias) it went through. Loader writes do not.
 * - A RegionUsage holds two bitmaps of 1 bit per byte: `run`, the bytes written in the phases already closed, and
 *   `ph`, the bytes written in the open phase, with the list of the `ph` words that became non-zero (`dirty`).
 *   A write sets n bits of `ph` (one or two words) and, when a word goes from 0 to non-zero, appends its index to
 *   `dirty`: no allocation, no branch on watches. Everything else is derived from the bitmaps when asked:
 *   lowest/highest byte = lowest/highest set bit, bytes touched = population count, a watch window's figures = the
 *   same over its span. So every figure is exact and overlapping watches cost nothing at write time.
 * - Closing a phase visits only its dirty words: their figures (per region and per watch) go into the phase's
 *   record, then `run |= ph` and `ph = 0` on those words. The cost of a phase is proportional to the memory it
 *   wrote, not to the size of the memory.
 * - Whole-run figures are those of `run | ph`: the union over all phases, so the whole-run bytes touched is the
 *   size of the union (not the sum of the phases'), the lowest/highest are the min/max over phases.
 *
 * Phases
 * - The run is cut into consecutive phases. Before any marker the open phase is "(start)"; `mark(name, ...)` closes
 *   the open phase and opens a marked one; `end(...)` (the device's END register) and `finish(...)` close it and open
 *   an unmarked one, "(unmarked)", which collects whatever the program writes until the next marker. So every
 *   write belongs to exactly one phase and the whole-run figures are exactly the combination of the phases'.
 *   An unmarked phase closed with no instruction, no cycle and no write is dropped from the report.
 * - The stack's lowest SP per phase: CpuState.spMin is the lowest SP since it was last reset. The tracker reads it
 *   through `spMin()` when a phase closes and then calls `resetSpMin()`, which must set CpuState.spMin to the
 *   current SP (the stack's depth where the new phase starts: it belongs to both). The whole-run lowest SP is the
 *   min over the phases (and the open phase's spMin()). 0xFFFFFFFF from spMin() means "no SP seen".
 *
 * Addresses in the report are the main windows' (an alias's writes are reported at the address of the bytes
 * they changed in the main window). Addresses not written are `null`; a watch's highestOffset is -1 when nothing in
 * it was written. A watch window is [start, end): end exclusive.
 */
import type { Region, WriteObserver } from './flat.js';

/** What the simulator's control device (src/sys/simctl.ts) drives: phase markers. */
export interface PhaseSink {
  /** close the open phase at cycle `now` after `instructions` instructions and open one named `name` */
  mark(name: string, now: number, instructions: number): void;
  /** close the open phase without opening a marked one */
  end(now: number, instructions: number): void;
}

/** name of the phase open before the first marker */
export const START_PHASE = '(start)';
/** name of the phase open after END (or finish) until the next marker */
export const UNMARKED_PHASE = '(unmarked)';

export interface RegionUsageReport {
  name: string;
  base: number;
  size: number;
  /** lowest and highest byte address written (main window), null: none */
  lowest: number | null;
  highest: number | null;
  /** distinct bytes written */
  bytesTouched: number;
  /** highest - base + 1, 0 when nothing was written */
  highWater: number;
}

export interface StackReport {
  /** the tracked region holding the initial SP's stack (the bytes below it), null: none */
  region: string | null;
  initialSp: number;
  /** lowest SP value seen, null: none */
  lowestSp: number | null;
  /** initialSp - lowestSp (0 when none or when the SP never went below the initial SP) */
  bytesUsed: number;
}

export interface WatchReport {
  name: string;
  /** the region the window is in */
  region: string;
  /** the window [start, end) in the main window's addresses */
  start: number;
  end: number;
  size: number;
  /** offset from start of the highest byte written inside the window, -1: none */
  highestOffset: number;
  /** distinct bytes written inside the window */
  bytesTouched: number;
}

export interface PhaseRegionReport {
  name: string;
  lowest: number | null;
  highest: number | null;
  bytesTouched: number;
}

export interface PhaseWatchReport {
  name: string;
  highestOffset: number;
  bytesTouched: number;
}

export interface PhaseReport {
  name: string;
  /** opened by a marker (false: "(start)" or "(unmarked)") */
  marked: boolean;
  startCycle: number;
  endCycle: number;
  cycles: number;
  startInstructions: number;
  endInstructions: number;
  instructions: number;
  /** per tracked region, in tracking order: what this phase wrote */
  regions: PhaseRegionReport[];
  /** per watch known when the phase closed */
  watches: PhaseWatchReport[];
  /** the stack in this phase, null when no stack is set */
  stack: { lowestSp: number | null; bytesUsed: number } | null;
}

export interface UsageReport {
  regions: RegionUsageReport[];
  stack: StackReport | null;
  watches: WatchReport[];
  /** the closed phases in order (call finish() first so the last one is among them) */
  phases: PhaseReport[];
}

/** number of set bits of a 32-bit value */
function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
/** index of the highest / lowest set bit of a non-zero value */
function topBit(x: number): number { return 31 - Math.clz32(x); }
function lowBit(x: number): number { return 31 - Math.clz32(x & -x); }
/** the k lowest bits set (0 <= k <= 32) */
function below(k: number): number { return k >= 32 ? -1 : ((1 << k) - 1) | 0; }

const NO_SP = 0xffffffff;

/** A watch window inside one region, as offsets into it, with its first/last bitmap words and their masks. */
class Watch {
  readonly sw: number;
  readonly ew: number;
  readonly smask: number;
  readonly emask: number;
  /** scratch: the figures of the words visited by `add` since `clear` (byte offsets into the region) */
  hi = -1;
  bytes = 0;
  constructor(readonly name: string, readonly usage: RegionUsage, readonly so: number, readonly eo: number) {
    this.sw = so >>> 5;
    this.ew = (eo - 1) >>> 5;
    this.smask = -1 << (so & 31);
    this.emask = below(((eo - 1) & 31) + 1);
  }
  clear(): void { this.hi = -1; this.bytes = 0; }
  /** account word w of a bitmap (value v) if it overlaps the window */
  add(w: number, v: number): void {
    if (w < this.sw || w > this.ew) return;
    if (w === this.sw) v &= this.smask;
    if (w === this.ew) v &= this.emask;
    if (v === 0) return;
    this.bytes += popcount(v);
    const h = (w << 5) + topBit(v);
    if (h > this.hi) this.hi = h;
  }
  /** highest offset written from the window's start, -1: none (after add calls) */
  get highestOffset(): number { return this.hi < 0 ? -1 : this.hi - this.so; }
}

/** Figures of a set of bitmap words: lowest and highest byte offset (-1: none), bytes set. */
interface Figures { lo: number; hi: number; bytes: number }

/** The usage of one memory (a main window and its aliases): bitmaps of the bytes written, and its watch windows. */
export class RegionUsage implements WriteObserver {
  readonly end: number;
  /** bytes written in closed phases: bit b of word w is byte offset 32w + b */
  private readonly run: Int32Array;
  /** bytes written in the open phase */
  private readonly ph: Int32Array;
  /** indices of the non-zero words of `ph`, in the order they became non-zero (no duplicates) */
  private readonly dirty: Int32Array;
  private nd = 0;
  /** the watch windows inside this memory */
  readonly watches: Watch[] = [];

  constructor(readonly name: string, readonly base: number, readonly size: number) {
    if (!(size > 0)) throw new RangeError(`usage of ${name}: size ${size} must be positive`);
    this.base = base >>> 0;
    this.end = this.base + size;
    const words = Math.ceil(size / 32);
    this.run = new Int32Array(words);
    this.ph = new Int32Array(words);
    this.dirty = new Int32Array(words);
  }

  /** A program write of n bytes at address a (main window's address; a..a+n-1 inside the memory). */
  write(a: number, n: number): void {
    const o = a - this.base;
    let w = o >>> 5;
    let b = o & 31;
    const ph = this.ph;
    if (b + n <= 32) {
      const old = ph[w]!;
      if (old === 0) this.dirty[this.nd++] = w;
      ph[w] = old | (below(n) << b);
      return;
    }
    // the bytes cross a bitmap word (or n > 32): one word at a time
    while (n > 0) {
      const k = Math.min(32 - b, n);
      const old = ph[w]!;
      if (old === 0) this.dirty[this.nd++] = w;
      ph[w] = old | (below(k) << b);
      n -= k; w++; b = 0;
    }
  }

  /** true when the open phase wrote something here */
  get phaseWritten(): boolean { return this.nd > 0; }

  /** Figures of the open phase (and its watches' in their scratch fields), without changing anything. */
  phaseFigures(): Figures {
    const ph = this.ph, dirty = this.dirty, ws = this.watches;
    for (const x of ws) x.clear();
    let lo = -1, hi = -1, bytes = 0, lw = -1, hw = -1;
    for (let i = 0; i < this.nd; i++) {
      const w = dirty[i]!, v = ph[w]!;
      bytes += popcount(v);
      if (lw < 0 || w < lw) lw = w;
      if (w > hw) hw = w;
      for (const x of ws) x.add(w, v);
    }
    if (lw >= 0) { lo = (lw << 5) + lowBit(ph[lw]!); hi = (hw << 5) + topBit(ph[hw]!); }
    return { lo, hi, bytes };
  }

  /** Fold the open phase into the closed ones (run |= ph over its dirty words) and start an empty phase. */
  commitPhase(): void {
    const run = this.run, ph = this.ph, dirty = this.dirty;
    for (let i = 0; i < this.nd; i++) {
      const w = dirty[i]!;
      run[w] = run[w]! | ph[w]!;
      ph[w] = 0;
    }
    this.nd = 0;
  }

  /** Whole-run figures (closed phases and the open one), and its watches' in their scratch fields. */
  runFigures(): Figures {
    const run = this.run, ph = this.ph;
    let lo = -1, hi = -1, bytes = 0;
    for (let w = 0; w < run.length; w++) {
      const v = run[w]! | ph[w]!;
      if (v === 0) continue;
      bytes += popcount(v);
      if (lo < 0) lo = (w << 5) + lowBit(v);
      hi = (w << 5) + topBit(v);
    }
    for (const x of this.watches) {
      x.clear();
      for (let w = x.sw; w <= x.ew; w++) x.add(w, run[w]! | ph[w]!);
    }
    return { lo, hi, bytes };
  }

  /** Forget everything written. */
  clear(): void {
    this.run.fill(0);
    this.ph.fill(0);
    this.nd = 0;
  }
}

interface OpenPhase { name: string; marked: boolean; startCycle: number; startInstructions: number }

interface StackSpec {
  initialSp: number;
  region: string | null;
  spMin: () => number;
  resetSpMin: () => void;
  /** lowest SP over the closed phases (NO_SP: none) */
  low: number;
}

/** The memory usage of a machine: one RegionUsage per tracked RAM region, watches, the stack, the phases. */
export class UsageTracker implements PhaseSink {
  readonly usages: RegionUsage[] = [];
  /** the windows (main and aliases) of each tracked memory, to find addresses given through an alias */
  private readonly windows: { region: Region; usage: RegionUsage }[] = [];
  private readonly watchList: Watch[] = [];
  private stack: StackSpec | null = null;
  private readonly closed: PhaseReport[] = [];
  private cur: OpenPhase;

  /** The first phase, "(start)", opens at (startCycle, startInstructions). */
  constructor(startCycle = 0, startInstructions = 0) {
    this.cur = { name: START_PHASE, marked: false, startCycle, startInstructions };
  }

  /**
   * Track a memory: creates its RegionUsage and sets it as `use` of the main window and all its aliases (an alias
   * given is taken as its memory). Read-only memories (flash: programs cannot write them) are not tracked: null.
   * Tracking the same memory twice returns the first RegionUsage. Call before the program runs.
   */
  track(region: Region): RegionUsage | null {
    const t = region.target;
    if (t.readOnly) return null;
    const known = this.windows.find((x) => x.region === t);
    if (known) return known.usage;
    const u = new RegionUsage(t.name, t.base, t.size);
    this.usages.push(u);
    for (const r of [t, ...t.aliases]) {
      r.use = u;
      this.windows.push({ region: r, usage: u });
    }
    return u;
  }

  /** Track every writable memory of a bus (its main windows). */
  trackAll(regions: readonly Region[]): void {
    for (const r of regions) if (!r.isAlias) this.track(r);
  }

  /** the tracked window holding [a, a+n), with its usage */
  private windowOf(a: number, n: number): { region: Region; usage: RegionUsage } | undefined {
    return this.windows.find((x) => a >= x.region.base && a + n <= x.region.end);
  }

  /**
   * Watch the address window [start, end) (through any window of a tracked memory, end exclusive): the report gives
   * the highest offset written in it and the bytes touched, for the whole run and per phase. Windows may overlap;
   * each must lie inside one tracked memory. Errors: empty window, duplicate name, outside or across memories.
   * Watches added during a run get exact whole-run figures (from the bitmaps) but appear only in phases closed after.
   */
  watch(name: string, start: number, end: number): void {
    if (this.watchList.some((x) => x.name === name)) throw new RangeError(`watch ${name}: a watch of that name exists`);
    if (!Number.isInteger(start) || !Number.isInteger(end)) throw new RangeError(`watch ${name}: start and end must be integers`);
    const s = start >>> 0;
    const e = end > 0xffffffff ? end : end >>> 0;
    if (e <= s) throw new RangeError(`watch ${name}: empty window ${hex(s)}:${hex(e)} (end is exclusive and must be above start)`);
    const w = this.windowOf(s, e - s);
    if (!w) {
      const first = this.windowOf(s, 1) ?? this.windowOf(e - 1, 1);
      if (first) {
        throw new RangeError(`watch ${name}: window ${hex(s)}:${hex(e)} crosses the boundary of ${first.region.name} (${hex(first.region.base)}:${hex(first.region.end)})`);
      }
      throw new RangeError(`watch ${name}: window ${hex(s)}:${hex(e)} is not inside a tracked RAM region`);
    }
    const so = s - w.region.base;
    const x = new Watch(name, w.usage, so, so + (e - s));
    w.usage.watches.push(x);
    this.watchList.push(x);
  }

  /**
   * The stack: `initialSp` (the value loaded at reset) names the tracked memory holding the bytes just below it
   * (a full-descending stack's first push writes initialSp-4) as the stack region; `spMin` returns CpuState.spMin
   * (lowest SP since its last reset, 0xFFFFFFFF: none) and `resetSpMin` must set CpuState.spMin to the current SP;
   * the tracker calls it at each phase boundary (see the file header). Returns the stack region's name, or null
   * when no tracked memory holds it (the stack figures are still reported).
   */
  stackFrom(initialSp: number, spMin: () => number, resetSpMin: () => void): string | null {
    const sp = initialSp >>> 0;
    const w = sp > 0 ? this.windowOf(sp - 1, 1) : undefined;
    const region = w ? w.usage.name : null;
    this.stack = { initialSp: sp, region, spMin, resetSpMin, low: NO_SP };
    return region;
  }

  /** the phase open now */
  get phase(): string { return this.cur.name; }

  private close(now: number, instructions: number): void {
    const c = this.cur;
    const cycles = now - c.startCycle;
    const insts = instructions - c.startInstructions;
    const st = this.stack;
    let spLow = NO_SP;
    if (st) {
      spLow = st.spMin() >>> 0;
      st.resetSpMin();
      if (spLow < st.low) st.low = spLow;
    }
    const written = this.usages.some((u) => u.phaseWritten);
    if (!c.marked && cycles === 0 && insts === 0 && !written) return; // an empty unmarked phase: nothing to report
    const regions: PhaseRegionReport[] = [];
    const watches: PhaseWatchReport[] = [];
    for (const u of this.usages) {
      const f = u.phaseFigures();
      regions.push({ name: u.name, lowest: f.lo < 0 ? null : u.base + f.lo, highest: f.hi < 0 ? null : u.base + f.hi, bytesTouched: f.bytes });
      for (const x of u.watches) watches.push({ name: x.name, highestOffset: x.highestOffset, bytesTouched: x.bytes });
      u.commitPhase();
    }
    // watches in the order they were added, whatever their regions
    watches.sort((a, b) => this.watchIndex(a.name) - this.watchIndex(b.name));
    this.closed.push({
      name: c.name, marked: c.marked,
      startCycle: c.startCycle, endCycle: now, cycles,
      startInstructions: c.startInstructions, endInstructions: instructions, instructions: insts,
      regions, watches,
      stack: st ? { lowestSp: spLow === NO_SP ? null : spLow, bytesUsed: used(st.initialSp, spLow) } : null,
    });
  }
  private watchIndex(name: string): number { return this.watchList.findIndex((x) => x.name === name); }

  /** Close the open phase at (now, instructions) and open a marked phase `name`. */
  mark(name: string, now: number, instructions: number): void {
    this.close(now, instructions);
    this.cur = { name, marked: true, startCycle: now, startInstructions: instructions };
  }
  /** Close the open phase; what follows (until a marker) is an unmarked phase. */
  end(now: number, instructions: number): void {
    this.close(now, instructions);
    this.cur = { name: UNMARKED_PHASE, marked: false, startCycle: now, startInstructions: instructions };
  }
  /** The run ended (or paused): close the open phase, as end(). Call before report(). */
  finish(now: number, instructions: number): void { this.end(now, instructions); }

  /** Forget all writes and phases (a machine reset); watches, tracking and the stack setting stay. */
  reset(startCycle = 0, startInstructions = 0): void {
    for (const u of this.usages) u.clear();
    this.closed.length = 0;
    if (this.stack) this.stack.low = NO_SP;
    this.cur = { name: START_PHASE, marked: false, startCycle, startInstructions };
  }

  /**
   * The figures as plain JSON-able data. Whole-run figures include the open phase's writes; `phases` lists the closed
   * phases only, so call finish() first for the phases to cover the run.
   */
  report(): UsageReport {
    const regions: RegionUsageReport[] = [];
    const wr = new Map<string, WatchReport>();
    for (const u of this.usages) {
      const f = u.runFigures();
      regions.push({
        name: u.name, base: u.base, size: u.size,
        lowest: f.lo < 0 ? null : u.base + f.lo,
        highest: f.hi < 0 ? null : u.base + f.hi,
        bytesTouched: f.bytes,
        highWater: f.hi < 0 ? 0 : f.hi + 1,
      });
      for (const x of u.watches) {
        wr.set(x.name, {
          name: x.name, region: u.name, start: u.base + x.so, end: u.base + x.eo, size: x.eo - x.so,
          highestOffset: x.highestOffset, bytesTouched: x.bytes,
        });
      }
    }
    let stack: StackReport | null = null;
    const st = this.stack;
    if (st) {
      const low = Math.min(st.low, st.spMin() >>> 0);
      stack = { region: st.region, initialSp: st.initialSp, lowestSp: low === NO_SP ? null : low, bytesUsed: used(st.initialSp, low) };
    }
    return {
      regions,
      stack,
      watches: this.watchList.map((x) => wr.get(x.name)!),
      phases: this.closed.map((p) => ({
        ...p,
        regions: p.regions.map((r) => ({ ...r })),
        watches: p.watches.map((w) => ({ ...w })),
        stack: p.stack ? { ...p.stack } : null,
      })),
    };
  }
}

function used(initialSp: number, low: number): number {
  return low === NO_SP || low >= initialSp ? 0 : initialSp - low;
}

function hex(v: number): string { return `0x${v.toString(16).padStart(8, '0')}`; }
