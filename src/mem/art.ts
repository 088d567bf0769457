/**
 * The ST ART accelerator in front of the embedded flash (shared/reference/boards.md "flash accelerator"; RM0383
 * "Adaptive real-time memory accelerator", RM0385 and AN4667 for the F7).
 *
 * - STM32F4 (F411/F412): a prefetch buffer (FLASH_ACR.PRFTEN), an instruction cache of 64 lines x 128 bits (ICEN) and
 *   a data cache of 8 lines x 128 bits for literal pools and constants (DCEN), on the flash's I-code and D-code paths.
 * - STM32F7 (F746/F767): the ART on the ITCM-bus path only (the flash alias at 0x00200000): one cache of 64 lines x
 *   256 bits for instructions and data (ARTEN), with prefetch (PRFTEN). The AXI path (0x08000000) is not through the
 *   ART but through the Cortex-M7 L1 caches (src/mem/l1.ts).
 * The geometry comes from board.accelerator (`icache`, optional `dcache`: without one the data side shares the
 * instruction cache, as on the F7). The caches are fully associative (one set; ST gives the line count only) with
 * LRU replacement (assumed: ST publishes neither; both are ArtConfig parameters).
 *
 * Costs, with N = the flash wait states in core cycles (FLASH_ACR.LATENCY x clockHz / busClockHz):
 * - Instruction fetch, per flash line a block pass needs, in order:
 *   - the line the core is executing from (the current line buffer): free;
 *   - a hit in the instruction cache (cache enabled): free;
 *   - with prefetch on, the next sequential line (current + 1): the prefetcher started reading it when the current
 *     line was delivered, so it costs max(0, N + 1 - t) where t is the cycles since then (the brief's rule: a flash
 *     read takes N + 1 cycles and overlaps execution), and never more than N (the cost without prefetch);
 *     STALL.waitStates;
 *   - otherwise (a branch target, or prefetch off): N; STALL.cacheMiss when the instruction cache is enabled (the line
 *     is then filled into it), else STALL.waitStates.
 *   The time a line is needed is the block's start (clock.now()) plus the share of the block's static cycles spent
 *   on the bytes before the line (cycles x bytes before / block bytes, rounded down): the engine gives one static
 *   cycle count per block pass, not per instruction. Every line delivered to the core is filled into the
 *   instruction cache when it is enabled (a prefetched line too), so a loop that fits misses only on its first pass.
 * - Data read, per flash line touched: data cache enabled: hit free, miss N (STALL.cacheMiss, filled); disabled: a
 *   read of the line last read by the data side is free (the interface's buffer), another line costs N
 *   (STALL.waitStates), as for plain wait states (src/mem/waits.ts).
 * - FLASH_ACR.ICRST / DCRST (ARTRST on the F7) invalidate the caches (src/periph/stm32-flash.ts applies them).
 */
import { SetAssocCache, type Replacement } from './cache.js';
import type { Clock } from '../timing/clock.js';
import { lazyPass, newFetchMemo, type FetchMemo } from './timing.js';
import { addStall, detachedClock, MISS, WAIT, type MemModel, type WindowStat } from './waits.js';

export interface ArtConfig {
  /** bytes per flash line and ART line: 16 (128 bits, F4) or 32 (256 bits, F7) */
  lineBytes: number;
  /** lines of the instruction cache */
  icacheLines: number;
  /** lines of the data cache; absent or 0: the data side shares the instruction cache (the F7's unified ART) */
  dcacheLines?: number;
  /** default 'lru' */
  replacement?: Replacement;
  /** seed of a 'random' policy */
  seed?: number;
}

/** the memo's lines are still in the entries it remembers */
function holds(ic: SetAssocCache, m: FetchMemo): boolean {
  for (let k = 0; k < m.n; k++) if (ic.lineAt(m.e[k]!) !== m.first + k) return false;
  return true;
}

export class ArtAccelerator implements MemModel {
  clock: Clock = detachedClock();
  /** N: wait states in core cycles (FLASH_ACR.LATENCY x the clock ratio) */
  waits = 0;
  /** FLASH_ACR.PRFTEN */
  prefetch = false;
  /** FLASH_ACR.ICEN (F4) / ARTEN (F7) */
  get icacheOn(): boolean { return this.icOn; }
  set icacheOn(v: boolean) { if (v !== this.icOn) { this.settle(); this.icOn = v; this.sync(); } }
  private icOn = false;
  /**
   * The instruction cache's content version while it is on, else -2: a FetchMemo whose `v` equals it holds its lines
   * at its entries (a lazy pass in the block's prologue)
   */
  cv = -2;
  /** FLASH_ACR.DCEN (F4); unused when the data side shares the instruction cache */
  dcacheOn = false;
  readonly icache: SetAssocCache;
  /** null: data reads go through `icache` (enabled by icacheOn) */
  readonly dcache: SetAssocCache | null;
  readonly lineShift: number;
  /** stall cycles of instruction-cache misses, data-cache misses, and of prefetch and uncached flash reads */
  iMissStall = 0;
  dMissStall = 0;
  waitStall = 0;
  /**
   * the line the core executes from (-1: none) and the cycle it was delivered at; public for the prologue's code
   */
  cur = -1;
  curAt = 0;
  /** the line the data side read last (-1: none) */
  private lastData = -1;

  constructor(cfg: ArtConfig) {
    this.icache = new SetAssocCache({ name: 'ART I-cache', lineBytes: cfg.lineBytes, sets: 1, ways: cfg.icacheLines, replacement: cfg.replacement, seed: cfg.seed });
    this.dcache = cfg.dcacheLines ? new SetAssocCache({ name: 'ART D-cache', lineBytes: cfg.lineBytes, sets: 1, ways: cfg.dcacheLines, replacement: cfg.replacement, seed: cfg.seed }) : null;
    this.lineShift = this.icache.lineShift;
  }

  get lineBytes(): number { return this.icache.lineBytes; }
  /** data reads use the instruction cache */
  get unified(): boolean { return this.dcache === null; }

  /** Apply the instruction cache's lazy passes. Anything that changes or reads the instruction side calls this first. */
  settle(): void { this.icache.flushLazy(); }
  private sync(): void { this.cv = this.icOn ? this.icache.contentVersion : -2; }

  /** ICRST (F4) / ARTRST (F7): empty the instruction (F7: the only) cache */
  resetICache(): void { this.settle(); this.icache.invalidateAll(); this.sync(); }
  /** DCRST (F4): empty the data cache */
  resetDCache(): void { this.dcache?.invalidateAll(); }

  /** caches empty, counters zero, no current line */
  reset(): void {
    this.settle();
    this.icache.reset();
    this.dcache?.reset();
    this.cur = -1; this.curAt = 0; this.lastData = -1;
    this.iMissStall = 0; this.dMissStall = 0; this.waitStall = 0;
    this.sync();
  }

  /**
   * The passes a block over [start, end) (flash addresses) runs in its own code: one in the current line is free and
   * changes nothing; one whose lines are all in the instruction cache at the memo's entries (the whole span, or all
   * but a first line that is the current one: FetchMemo.sub) is all hits, a lazy pass, and makes its last line the
   * current one, delivered at the time fetch() would give. Others call fetch.
   */
  prologue(start: number, end: number, cycles: number, call: string): string {
    if (end <= start) return call;
    const sh = this.lineShift, lb = this.lineBytes;
    const first = start >>> sh, last = (end - 1) >>> sh, n = last - first + 1;
    const num = last === first ? 0 : cycles * (last * lb - start);
    const deliver = `a_.cur=${last};a_.curAt=s.cycles+${Math.floor(num / (end - start))};`;
    const all = `if(fm.v===a_.cv){${lazyPass('fm', 'a_.icache', n)}${deliver}}else ${call}`;
    if (n === 1) return `{const a_=ft.model;if(a_.cur!==${first}){${all}}}`;
    return `{const a_=ft.model;if(a_.cur!==${first}){${all}}else{const u_=fm.sub;if(u_!==null&&u_.v===a_.cv){${lazyPass('u_', 'a_.icache', n - 1)}${deliver}}else ${call}}}`;
  }

  fetch(start: number, end: number, cycles: number, w: WindowStat, memo: FetchMemo = newFetchMemo()): void {
    this.settle();
    if (end <= start) return;
    const sh = this.lineShift, lb = this.icache.lineBytes;
    const first = start >>> sh, last = (end - 1) >>> sh;
    // still in the line being executed: free
    if (first === last && first === this.cur) return;
    const bytes = end - start;
    const clock = this.clock;
    const ic = this.icacheOn ? this.icache : null;
    const n = last - first + 1;
    const e = memo.e;
    // the block's lines are where they were at its last pass (nothing filled or invalidated since): replay the hits,
    // the first line only when it is not the current one (then the memo of the other lines, FetchMemo.sub)
    if (ic !== null && memo.first === first && memo.n === n) {
      const skip = first === this.cur, m = skip ? memo.sub : memo;
      // (or something was filled since, but not over these lines: the memo is valid again)
      if (m !== null && (m.v === ic.contentVersion || (m.v !== -1 && holds(ic, m)))) {
        m.v = ic.contentVersion;
        for (let k = 0; k < m.n; k++) ic.touch(m.e[k]!, m.first + k);
        this.deliver(last, clock.now(), last === first ? 0 : cycles * (last * lb - start), bytes, 0);
        return;
      }
    }
    // the time a line is needed: the cycle now (which grows by the stalls of earlier lines of this pass) plus the
    // block's cycles spent on the bytes before it; the division is only done when a prefetch needs the time. A hit
    // changes nothing but the current line, so only the last line's delivery is recorded (dL..dS), unless a later
    // line's prefetch needs it.
    let dL = -2, dBase = 0, dNum = 0, dStall = 0;
    for (let L = first; L <= last; L++) {
      if (L === this.cur && dL === -2) { if (L - first < e.length) e[L - first] = -1; continue; }
      const num = L === first ? 0 : cycles * (L * lb - start);
      if (ic !== null && ic.readLine(L)) {
        if (L - first < e.length) e[L - first] = ic.lastEntry;
        dL = L; dBase = clock.now(); dNum = num; dStall = 0;
        continue;
      }
      if (ic !== null && L - first < e.length) e[L - first] = ic.lastEntry;
      if (dL !== -2) { this.deliver(dL, dBase, dNum, bytes, dStall); dL = -2; }
      const nw = this.waits;
      const now = clock.now();
      let stall = 0;
      if (this.prefetch && this.cur >= 0 && L === this.cur + 1) {
        const need = now + Math.floor(num / bytes);
        stall = Math.min(nw, Math.max(0, nw + 1 - (need - this.curAt)));
        if (stall > 0) { addStall(clock, w, WAIT, stall); this.waitStall += stall; }
      } else if (nw > 0) {
        stall = nw;
        if (ic !== null) { addStall(clock, w, MISS, nw); this.iMissStall += nw; }
        else { addStall(clock, w, WAIT, nw); this.waitStall += nw; }
      }
      this.deliver(L, now, num, bytes, stall);
    }
    if (dL !== -2) this.deliver(dL, dBase, dNum, bytes, dStall);
    // remember the entries of the lines that still hold them: all of them (memo.v), and all but the first (memo.sub)
    let rest = ic !== null && n <= e.length;
    for (let k = 1; rest && k < n; k++) if (ic!.lineAt(e[k]!) !== first + k) rest = false;
    const all = rest && e[0] !== -1 && ic!.lineAt(e[0]!) === first;
    memo.first = first; memo.n = n;
    memo.v = all ? ic!.contentVersion : -1;
    if (rest && n > 1) {
      const sub = memo.sub ?? (memo.sub = newFetchMemo());
      sub.e.set(e.subarray(1, n)); sub.first = first + 1; sub.n = n - 1; sub.v = ic!.contentVersion;
    } else if (memo.sub !== null) memo.sub.v = -1;
    this.sync();
  }
  /** line L is the current one, delivered at base + floor(num / den) + stall */
  private deliver(L: number, base: number, num: number, den: number, stall: number): void {
    this.cur = L; this.curAt = base + Math.floor(num / den) + stall;
  }

  read(a: number, n: number, w: WindowStat): void {
    if (this.dcache === null) this.settle(); // the unified cache: a data read changes the instruction side's LRU order
    const sh = this.lineShift;
    const first = a >>> sh, last = (a + n - 1) >>> sh;
    const shared = this.dcache === null;
    const c = shared ? this.icache : this.dcache!;
    const on = shared ? this.icacheOn : this.dcacheOn;
    for (let L = first; L <= last; L++) {
      if (on) {
        if (!c.readLine(L) && this.waits > 0) {
          addStall(this.clock, w, MISS, this.waits);
          if (shared) this.iMissStall += this.waits; else this.dMissStall += this.waits;
        }
      } else if (L !== this.lastData && this.waits > 0) {
        addStall(this.clock, w, WAIT, this.waits);
        this.waitStall += this.waits;
      }
      this.lastData = L;
    }
    if (shared) this.sync(); // a fill changed the instruction cache's contents
  }

  /** flash is not writable: the bus faults stores before they reach timing */
  write(): void {}
}
