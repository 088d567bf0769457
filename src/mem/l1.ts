/**
 * The Cortex-M7 L1 instruction and data caches (M7 TRM §5.9 via reference/cortex-m-timing.md "Caches"): geometry
 * from board.caches (size, ways, 32-byte lines, replacement policy), enabled by SCB CCR.IC / CCR.DC (src/sys/
 * cachectl.ts), read-allocate; the data cache write-allocates where the memory attribute says so; write-back or
 * write-through by attribute; line fills critical word first.
 *
 * Memory attributes: `attributes(a)` gives the ARMv7-M default memory map's cache policy (ARMv7-M ARM B3.1; Cortex-M7
 * Devices Generic User Guide Table 2.12 "Memory region shareability and cache policies"): Code 0x00000000-0x1FFFFFFF
 * write-through (WT), SRAM 0x20000000-0x3FFFFFFF write-back write-allocate (WBWA), external RAM 0x60000000-0x7FFFFFFF
 * WBWA and 0x80000000-0x9FFFFFFF WT, everything else (peripherals, devices, the system space) not cacheable. The MPU's
 * attributes are not modelled: a port takes its window's attribute once, from `attributes(window base)`; an MPU-based
 * function would have to set `L1Port.attr` again whenever the MPU is reprogrammed (or be looked up per access).
 * TCM windows (board region kind "tcm") never reach this model: they cost nothing.
 *
 * Costs (stall cycles added to the clock):
 * - Instruction fetch, per 32-byte line a block pass needs, I-cache enabled and the window cacheable: hit free; miss:
 *   the line is filled and the core waits for the first beat only, the latency of the memory behind (`Backing`:
 *   flash (N + 1) x clock ratio, SRAM a parameter); the rest of the line streams in while the core executes what has
 *   arrived (assumed to keep ahead of execution: a beat a bus cycle against at most two instructions a cycle);
 *   STALL.cacheMiss. I-cache disabled (or not cacheable): `Backing.fetchSpan` (flash: a flash read per new flash line;
 *   SRAM: a read latency when the pass does not continue the previous one, sequential fetches stream);
 *   STALL.waitStates.
 * - Data read, D-cache enabled and the window cacheable: hit free, except that an access to the line being filled,
 *   before the fill completes, waits for the remaining beats (fill done = miss time + latency + (beats - 1) x
 *   fillBeatCycles, beats = lineBytes / fillBeatBytes); miss: a dirty victim costs writeBackCycles (the line leaves
 *   through the eviction buffer), then the first beat's latency; STALL.cacheMiss. D-cache disabled or not cacheable:
 *   the memory's read latency per access (STALL.waitStates).
 * - Data write: write-back (WBWA attribute, the board's policy write-back, CACR.FORCEWT clear): hit marks the line
 *   dirty, free; miss allocates the line (a fill, priced as a read miss) and marks it dirty. Write-through (WT
 *   attribute, FORCEWT, or the board's policy write-through): a hit updates the line, hit or miss the store goes to
 *   memory (no allocation): the memory's write cost (`Backing.writeCycles`), STALL.storeBuffer. Cache disabled or not
 *   cacheable: the memory's write cost.
 * - An access that straddles two lines looks both up.
 * Cache maintenance (src/sys/cachectl.ts) calls the `invalidate*` / `dc*` methods; a clean that writes back a dirty
 * line costs writeBackCycles.
 */
import { SetAssocCache, type Replacement } from './cache.js';
import type { Region } from './flat.js';
import type { Clock } from '../timing/clock.js';
import { lazyPass, newFetchMemo, type DataTiming, type FetchTiming, type FetchMemo } from './timing.js';
import { addStall, detachedClock, MISS, STORE, WAIT, windowStall, windowStat, type WindowStat } from './waits.js';

/** Cache policy of a memory attribute: not cacheable, write-through (read-allocate), write-back write-allocate. */
export const ATTR = { NC: 0, WT: 1, WBWA: 2 } as const;
export type MemAttr = (typeof ATTR)[keyof typeof ATTR];

/** The cache policy of address a in the ARMv7-M default memory map (the file header gives the table). */
export function attributes(a: number): MemAttr {
  switch ((a >>> 0) >>> 29) {
    case 0: return ATTR.WT;   // Code
    case 1: return ATTR.WBWA; // SRAM
    case 3: return ATTR.WBWA; // external RAM 0x60000000-0x7FFFFFFF
    case 4: return ATTR.WT;   // external RAM 0x80000000-0x9FFFFFFF
    default: return ATTR.NC;  // peripheral, external device, system
  }
}

/** The memory behind the L1 caches on the AXI bus: what a line fill or an uncached access waits for. */
export interface Backing {
  readonly name: string;
  /** core cycles until the first data of a read at `a` arrives (a line fill's critical beat or an uncached read) */
  first(a: number, fetchSide: boolean): number;
  /** stall cycles of an uncached instruction-fetch pass over [start, end) */
  fetchSpan(start: number, end: number): number;
  /**
   * fetchSpan(start, end) as JavaScript for a translated block's prologue (L1Port.prologue): statements over `b_` (this
   * backing) that declare `q_`, the stall, and update the state as fetchSpan does
   */
  inlineSpan(start: number, end: number): string;
  /** core cycles a store that reaches this memory stalls */
  readonly writeCycles: number;
  /** forget buffered lines */
  reset(): void;
}

/**
 * Flash on the AXI bus: a read takes `latency` core cycles ((LATENCY + 1) x clockHz / busClockHz: N wait states plus
 * the access cycle) and the flash interface keeps the last line read, per side (instruction / data), for free.
 */
export class FlashBacking implements Backing {
  readonly writeCycles = 0;
  readonly lineShift: number;
  /** the line the instruction side read last (-1: none; public for inlineSpan's code) */
  lastI = -1;
  private lastD = -1;
  constructor(readonly name: string, public latency: number, lineBytes: number) {
    this.lineShift = Math.log2(lineBytes);
  }
  first(a: number, fetchSide: boolean): number {
    const line = (a >>> 0) >>> this.lineShift;
    if (fetchSide) { if (line === this.lastI) return 0; this.lastI = line; }
    else { if (line === this.lastD) return 0; this.lastD = line; }
    return this.latency;
  }
  fetchSpan(start: number, end: number): number {
    const sh = this.lineShift;
    const first = (start >>> 0) >>> sh, last = ((end - 1) >>> 0) >>> sh;
    let lines = last - first + 1;
    if (first === this.lastI) lines--;
    this.lastI = last;
    return lines > 0 ? lines * this.latency : 0;
  }
  inlineSpan(start: number, end: number): string {
    const sh = this.lineShift;
    const first = (start >>> 0) >>> sh, last = ((end - 1) >>> 0) >>> sh, lines = last - first + 1;
    return `const q_=(b_.lastI===${first}?${lines - 1}:${lines})*b_.latency;b_.lastI=${last};`;
  }
  reset(): void { this.lastI = -1; this.lastD = -1; }
}

/**
 * SRAM on the AXI bus: every uncached read and every line fill waits `latency` core cycles for its first data; stores
 * cost `writeCycles`; uncached instruction fetch streams (a pass that continues where the last one ended costs
 * nothing, another costs one latency).
 */
export class SramBacking implements Backing {
  /** where the last uncached fetch pass ended (-1: none; public for inlineSpan's code) */
  lastEnd = -1;
  constructor(readonly name: string, readonly latency: number, readonly writeCycles: number) {}
  first(): number { return this.latency; }
  fetchSpan(start: number, end: number): number {
    const c = start === this.lastEnd ? 0 : this.latency;
    this.lastEnd = end;
    return c;
  }
  inlineSpan(start: number, end: number): string {
    return `const q_=b_.lastEnd===${start}?0:b_.latency;b_.lastEnd=${end};`;
  }
  reset(): void { this.lastEnd = -1; }
}

export interface L1Geometry { sizeKB: number; ways: number; lineBytes: number }

export interface L1Config {
  icache?: L1Geometry;
  dcache?: L1Geometry & { writePolicy: 'write-back' | 'write-through' };
  /** default 'lru' */
  replacement?: Replacement;
  /** seed of a 'random' policy */
  seed?: number;
  /** bytes a line-fill beat carries (cortex-m7.json caches.lineFillBeatBytes) */
  fillBeatBytes: number;
  /** core cycles between the beats of a fill after the first (caches.fillBeatCycles) */
  fillBeatCycles: number;
  /** core cycles a dirty line's write-back stalls (eviction or clean; caches.writeBackCycles) */
  writeBackCycles: number;
}

/** Data-cache maintenance by address or set/way. */
export type DcOp = 'invalidate' | 'clean' | 'cleanInvalidate';

function geometry(name: string, g: L1Geometry, replacement: Replacement | undefined, seed: number | undefined): SetAssocCache {
  const bytes = g.sizeKB * 1024;
  return new SetAssocCache({ name, lineBytes: g.lineBytes, sets: bytes / (g.lineBytes * g.ways), ways: g.ways, replacement, seed });
}

export class L1Caches {
  clock: Clock = detachedClock();
  readonly icache: SetAssocCache | null;
  readonly dcache: SetAssocCache | null;
  /** CCR.IC (a change settles the lazy passes and re-syncs the ports) */
  get icOn(): boolean { return this.icEnabled; }
  set icOn(v: boolean) { this.settle(); this.icEnabled = v; this.syncPorts(); }
  private icEnabled = false;
  /** every port made (their `cv` follows the I-cache) */
  private readonly ports: L1Port[] = [];
  /** read this, not dcOn, on hot paths (a plain field) */
  dcEnabled = false;
  /** CCR.DC: a change turns the bus windows' fast paths on or off */
  get dcOn(): boolean { return this.dcEnabled; }
  set dcOn(v: boolean) { if (v !== this.dcEnabled) { this.dcEnabled = v; this.refreshWindows(); } }
  /** CACR.FORCEWT: every cacheable region write-through */
  get forceWT(): boolean { return this.forceWriteThrough; }
  set forceWT(v: boolean) { if (v !== this.forceWriteThrough) { this.forceWriteThrough = v; this.refreshWindows(); } }
  private forceWriteThrough = false;
  /** the ports bound to bus windows (their fast paths follow dcOn and forceWT) */
  private readonly bound: L1Port[] = [];
  /** the board's data-cache policy is write-through */
  readonly boardWriteThrough: boolean;
  readonly writeBackCycles: number;
  /** stall cycles charged to each cache (misses, fills, write-backs) */
  iStall = 0;
  dStall = 0;
  /** stores that went to memory (write-through, uncached) */
  memWrites = 0;
  /** the line being filled (data side; the D-cache's `hold`, so the bus's fast path leaves it to read()) */
  get fillLine(): number { return this.dcache?.hold ?? -1; }
  set fillLine(v: number) { if (this.dcache) this.dcache.hold = v; }
  /** the cycle the fill's last beat arrives */
  private fillDone = 0;
  private readonly fillTail: number;
  private readonly maint = windowStat('cache maintenance');

  constructor(cfg: L1Config) {
    this.icache = cfg.icache ? geometry('L1 I-cache', cfg.icache, cfg.replacement, cfg.seed) : null;
    this.dcache = cfg.dcache ? geometry('L1 D-cache', cfg.dcache, cfg.replacement, cfg.seed) : null;
    this.boardWriteThrough = cfg.dcache?.writePolicy === 'write-through';
    this.writeBackCycles = cfg.writeBackCycles;
    const line = cfg.dcache?.lineBytes ?? 32;
    const beats = Math.max(1, Math.ceil(line / cfg.fillBeatBytes));
    this.fillTail = (beats - 1) * cfg.fillBeatCycles;
  }

  /** A port for one bus window with the memory behind it and its attribute. */
  port(window: string, backing: Backing, attr: MemAttr): L1Port {
    const p = new L1Port(this, backing, attr, windowStat(window));
    this.ports.push(p);
    this.syncPorts();
    return p;
  }
  /**
   * Bring each port's `cv` up to date: the I-cache's content version while fetches through the port look the cache up
   * (cache present and enabled, window cacheable), else -2 (no memo matches). Called after anything that fills,
   * invalidates or switches the I-cache.
   */
  syncPorts(): void {
    const c = this.icache;
    const on = c !== null && this.icEnabled;
    for (const p of this.ports) {
      p.cv = on && p.attr !== ATTR.NC ? c.contentVersion : -2;
      p.un = on && p.attr !== ATTR.NC ? 0 : 1;
    }
  }

  /**
   * Serve bus window `win` through port p's fast path: the window gets a mirror of the D-cache and, while the cache is
   * on and the window cacheable, the cache for reads (and for writes when write-back) (Region.dc / dcw).
   */
  bind(p: L1Port, win: Region): void {
    p.win = win;
    if (this.dcache === null) return;
    win.dmir = this.dcache.mirror(win.base, win.size);
    this.bound.push(p);
    this.refreshWindows();
  }
  /** Forget every bound window (memsys attaches the ports again). */
  unbindAll(): void {
    for (const p of this.bound) { if (p.win) { p.win.dc = null; p.win.dcw = null; } p.win = null; }
    this.bound.length = 0;
    this.dcache?.clearMirrors();
  }
  private refreshWindows(): void {
    const c = this.dcache;
    for (const p of this.bound) {
      const w = p.win!;
      const on = c !== null && this.dcEnabled && p.attr !== ATTR.NC;
      w.dc = on ? c : null;
      w.dcw = on && p.attr === ATTR.WBWA && !this.forceWriteThrough && !this.boardWriteThrough ? c : null;
    }
  }

  /** Caches empty, disabled unless `on`, counters zero. */
  reset(on = false): void {
    this.settle();
    this.icache?.reset();
    this.dcache?.reset();
    this.icOn = on && this.icache !== null;
    this.dcOn = on && this.dcache !== null;
    this.forceWT = false;
    this.iStall = 0; this.dStall = 0; this.memWrites = 0;
    this.fillLine = -1; this.fillDone = 0;
    this.resetMaintenanceStall();
  }

  /**
   * Apply the I-cache's lazy passes (SetAssocCache.pend) to its replacement stamps and hits, and the ports' uncached
   * prologue stalls to their window counters. Anything that changes or reads the instruction side calls this first.
   */
  settle(): void {
    this.icache?.flushLazy();
    for (const p of this.ports) if (p.uq !== 0) { windowStall(p.stat, WAIT, p.uq); p.uq = 0; }
  }

  fetch(start: number, end: number, p: L1Port, memo: FetchMemo = newFetchMemo()): void {
    this.settle();
    if (end <= start) return;
    const c = this.icache;
    if (c === null || !this.icEnabled || p.attr === ATTR.NC) {
      const s = p.backing.fetchSpan(start, end);
      if (s > 0) addStall(this.clock, p.stat, WAIT, s);
      return;
    }
    const sh = c.lineShift;
    const first = (start >>> 0) >>> sh, last = ((end - 1) >>> 0) >>> sh;
    const n = last - first + 1;
    const e = memo.e;
    // the block's lines are where they were at its last pass (nothing filled or invalidated since): replay the hits
    if (memo.v === c.contentVersion && memo.first === first && memo.n === n) {
      for (let k = 0; k < n; k++) c.touch(e[k]!, first + k);
      return;
    }
    let hit = true;
    for (let L = first; L <= last; L++) {
      if (!c.readLine(L)) {
        hit = false;
        const s = p.backing.first(L * c.lineBytes, true);
        if (s > 0) { addStall(this.clock, p.stat, MISS, s); this.iStall += s; }
      }
      if (L - first < e.length) e[L - first] = c.lastEntry;
    }
    // a later line's fill may have evicted an earlier one of this pass: remember the entries only if all still hold
    let ok = n <= e.length;
    for (let k = 0; ok && k < n; k++) if (c.lineAt(e[k]!) !== first + k) ok = false;
    memo.v = ok ? c.contentVersion : -1; memo.first = first; memo.n = n;
    if (!hit) this.syncPorts();
  }

  read(a: number, n: number, p: L1Port): void {
    const c = this.dcache;
    if (c === null || !this.dcEnabled || p.attr === ATTR.NC) {
      const s = p.backing.first(a, false);
      if (s > 0) addStall(this.clock, p.stat, WAIT, s);
      return;
    }
    const sh = c.lineShift;
    const line = a >>> sh;
    if (c.readLine(line)) { if (line === this.fillLine) this.fillWait(p); }
    else this.fill(c, a, p);
    const last = (a + n - 1) >>> sh;
    if (last !== line) {
      if (c.readLine(last)) { if (last === this.fillLine) this.fillWait(p); }
      else this.fill(c, a + n - 1, p);
    }
  }

  /** a hit on the line being filled: wait for the rest of the fill */
  private fillWait(p: L1Port): void {
    const wait = this.fillDone - this.clock.now();
    if (wait > 0) { addStall(this.clock, p.stat, MISS, wait); this.dStall += wait; }
    else this.fillLine = -1; // the fill is over: hits on the line cost nothing any more (and take the bus's fast path)
  }

  /** the line of `a` was just allocated in the D-cache: pay the victim's write-back and the critical beat */
  private fill(c: SetAssocCache, a: number, p: L1Port): void {
    const clock = this.clock;
    if (c.victimDirty && this.writeBackCycles > 0) { addStall(clock, p.stat, MISS, this.writeBackCycles); this.dStall += this.writeBackCycles; }
    const lat = p.backing.first(a, false);
    this.fillLine = c.lineOf(a);
    this.fillDone = clock.now() + lat + this.fillTail;
    if (lat > 0) { addStall(clock, p.stat, MISS, lat); this.dStall += lat; }
  }

  write(a: number, n: number, p: L1Port): void {
    const c = this.dcache;
    if (c === null || !this.dcEnabled || p.attr === ATTR.NC) { this.toMemory(p); return; }
    const lb = c.lineBytes;
    const two = (a & (lb - 1)) + n > lb;
    if (p.attr === ATTR.WT || this.forceWT || this.boardWriteThrough) {
      c.write(a, false, false);
      if (two) c.write(a + n - 1, false, false);
      this.toMemory(p);
      return;
    }
    if (!c.write(a, true, true)) this.fill(c, a, p);
    if (two && !c.write(a + n - 1, true, true)) this.fill(c, a + n - 1, p);
  }

  private toMemory(p: L1Port): void {
    this.memWrites++;
    const s = p.backing.writeCycles;
    if (s > 0) addStall(this.clock, p.stat, STORE, s);
  }

  // ------------------------------------------------------------------ maintenance (SCB registers, cachectl.ts)

  private chargeWriteBack(wb: boolean): void {
    if (wb && this.writeBackCycles > 0) { addStall(this.clock, this.maint, MISS, this.writeBackCycles); this.dStall += this.writeBackCycles; }
  }
  /** ICIALLU */
  invalidateICache(): void { this.settle(); this.icache?.invalidateAll(); this.syncPorts(); }
  /** ICIMVAU */
  invalidateILine(a: number): void { this.settle(); this.icache?.invalidateLine(a); this.syncPorts(); }
  /** DCIMVAC, DCCMVAU, DCCMVAC, DCCIMVAC */
  dcByAddress(op: DcOp, a: number): void {
    const c = this.dcache;
    if (c === null) return;
    if (op === 'invalidate') c.invalidateLine(a);
    else this.chargeWriteBack(op === 'clean' ? c.cleanLine(a) : c.cleanInvalidateLine(a));
    if (op !== 'clean' && c.lineOf(a) === this.fillLine) this.fillLine = -1;
  }
  /** DCISW, DCCSW, DCCISW */
  dcBySetWay(op: DcOp, set: number, way: number): void {
    const c = this.dcache;
    if (c === null) return;
    if (op === 'invalidate') c.invalidateSetWay(set, way);
    else this.chargeWriteBack(op === 'clean' ? c.cleanSetWay(set, way) : c.cleanInvalidateSetWay(set, way));
  }
  /** stall cycles of write-backs that cache maintenance caused */
  get maintenanceStall(): number { return this.maint.stall; }
  resetMaintenanceStall(): void { this.maint.stall = 0; this.maint.cacheMiss = 0; }
}

/** The DataTiming / FetchTiming of one bus window behind the L1 caches. */
export class L1Port implements DataTiming, FetchTiming {
  constructor(readonly l1: L1Caches, readonly backing: Backing, attr: MemAttr, readonly stat: WindowStat) {
    this.cacheAttr = attr;
    this.ic = l1.icache;
  }
  /** the window's cache policy (a change re-syncs `cv` and `un`) */
  get attr(): MemAttr { return this.cacheAttr; }
  set attr(v: MemAttr) { this.cacheAttr = v; this.l1.syncPorts(); }
  private cacheAttr: MemAttr;
  /** the I-cache's content version while fetches through this port use it, else -2 (L1Caches.syncPorts) */
  cv = -2;
  /** 1 while fetches through this port bypass the I-cache (no cache, disabled, or the window not cacheable) */
  un = 0;
  /** wait-state cycles of the prologue's uncached passes not yet in `stat` (L1Caches.settle adds them) */
  uq = 0;
  /** the I-cache (lazy passes go to its `pend`) */
  readonly ic: SetAssocCache | null;
  /** the bus window this port serves (L1Caches.bind), whose fast path the caches keep */
  win: Region | null = null;
  // hits on cached lines of a bound window never get here: the bus takes them (Region.dc / dcw, flat.ts)
  read(a: number, n: number): void { this.l1.read(a >>> 0, n, this); }
  write(a: number, n: number): void { this.l1.write(a >>> 0, n, this); }
  fetch(start: number, end: number, _cycles: number, memo?: FetchMemo): void { this.l1.fetch(start >>> 0, (start >>> 0) + (end - start), this, memo); }
  /**
   * Two kinds of pass run in the block itself. Through the I-cache, a pass whose memo still matches the cache's
   * contents (fm.v === cv: every line at its remembered entry) is all hits and costs nothing: it only takes its n
   * replacement stamps and counts itself (SetAssocCache.pend, applied at the next settle). Bypassing the cache, the
   * backing's fetchSpan runs as inline code (Backing.inlineSpan) and its stall goes to the clock and the window's
   * wait-state counters. Anything else calls fetch.
   */
  prologue(start: number, end: number, _cycles: number, call: string): string {
    const ic = this.ic;
    const lines = ic === null ? 0 : (((end - 1) >>> 0) >>> ic.lineShift) - ((start >>> 0) >>> ic.lineShift) + 1;
    const unc = `const b_=ft.backing;${this.backing.inlineSpan(start >>> 0, end >>> 0)}` +
      `if(q_!==0){s.cycles+=q_;s.stall[${WAIT}]+=q_;ft.uq+=q_;}`;
    // the two cases exclude each other (cv is -2 while un is 1): the one that holds now is tested first
    const lazy = ic !== null ? `if(fm.v===ft.cv)${lazyPass('fm', 'ft.ic', lines)}else ` : '';
    return this.un === 1 ? `if(ft.un===1){${unc}}else ${lazy}${call}` : `${lazy}if(ft.un===1){${unc}}else ${call}`;
  }

}
