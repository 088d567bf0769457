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
import { armRepeat, newFetchMemo, type FetchMemo } from './timing.js';
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

export class ArtAccelerator implements MemModel {
  clock: Clock = detachedClock();
  /** N: wait states in core cycles (FLASH_ACR.LATENCY x the clock ratio) */
  waits = 0;
  /** FLASH_ACR.PRFTEN */
  prefetch = false;
  /** FLASH_ACR.ICEN (F4) / ARTEN (F7) (a change ends the memos' repeat passes) */
  get icacheOn(): boolean { return this.icOn; }
  set icacheOn(v: boolean) { if (v !== this.icOn) { this.settle(); this.icOn = v; } }
  private icOn = false;
  /**
   * Counts instruction-side events (fetch calls, unified data reads, cache resets and switches): a FetchMemo whose
   * `ok` equals it may count a repeat pass instead of calling fetch (src/mem/timing.ts FetchMemo)
   */
  epoch = 0;
  private repMemo: FetchMemo | null = null;
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
  /** the line the core executes from (-1: none); curAt() is the cycle it was delivered */
  private cur = -1;
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

  /**
   * Count the repeat passes a memo holds into the I-cache's hits and make the last one's line the current line, as
   * those passes would have; end them. Anything that changes or reads the instruction side calls this first.
   */
  settle(): void {
    this.epoch++;
    const m = this.repMemo;
    if (m === null) return;
    this.repMemo = null;
    if (m.rep !== 0) {
      this.icache.hits += m.rep * m.h;
      if (m.dl >= 0) this.deliver(m.dl, m.t, m.dn, m.db, 0);
      m.rep = 0;
    }
    m.ok = -1;
  }
  /** the same pass again right after this one costs nothing, hits `hits` lines and (dl >= 0) delivers line dl */
  private arm(memo: FetchMemo, hits: number, dl: number, dn: number, db: number): void {
    armRepeat(memo, this.epoch, 0, MISS, hits, null);
    memo.dl = dl; memo.dn = dn; memo.db = db;
    this.repMemo = memo;
  }

  /** ICRST (F4) / ARTRST (F7): empty the instruction (F7: the only) cache */
  resetICache(): void { this.settle(); this.icache.invalidateAll(); }
  /** DCRST (F4): empty the data cache */
  resetDCache(): void { this.dcache?.invalidateAll(); }

  /** caches empty, counters zero, no current line */
  reset(): void {
    this.settle();
    this.icache.reset();
    this.dcache?.reset();
    this.cur = -1; this.curBase = 0; this.curNum = 0; this.curDen = 1; this.curStall = 0; this.lastData = -1;
    this.iMissStall = 0; this.dMissStall = 0; this.waitStall = 0;
  }

  fetch(start: number, end: number, cycles: number, w: WindowStat, memo: FetchMemo = newFetchMemo()): void {
    this.settle();
    if (end <= start) return;
    const sh = this.lineShift, lb = this.icache.lineBytes;
    const first = start >>> sh, last = (end - 1) >>> sh;
    // still in the line being executed: free, and so is the same pass again
    if (first === last && first === this.cur) { this.arm(memo, 0, -1, 0, 1); return; }
    const bytes = end - start;
    const clock = this.clock;
    const ic = this.icacheOn ? this.icache : null;
    const n = last - first + 1;
    const e = memo.e;
    // the block's lines are where they were at its last pass (nothing filled or invalidated since): replay the hits,
    // the first line only when it is not the current one (e[0] is -1 when that pass found it current)
    if (ic !== null && memo.v === ic.contentVersion && memo.first === first && memo.n === n && (first === this.cur || e[0]! >= 0)) {
      const skipFirst = first === this.cur;
      for (let k = skipFirst ? 1 : 0; k < n; k++) ic.touch(e[k]!, first + k);
      const num = last === first ? 0 : cycles * (last * lb - start);
      this.deliver(last, clock.now(), num, bytes, 0);
      // the same pass again: a one-line block is then in the current line (free, nothing changes); a longer one hits
      // its n lines again (the n most recent, in the same order) and delivers its last line at that pass's time. Not
      // when this pass left out its first line (the current one): the next pass touches it, which moves it up the
      // replacement order, so it is not a repeat of this one
      if (n === 1) this.arm(memo, 0, -1, 0, 1);
      else if (!skipFirst) this.arm(memo, n, last, num, bytes);
      return;
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
        stall = Math.min(nw, Math.max(0, nw + 1 - (need - this.curAt())));
        if (stall > 0) { addStall(clock, w, WAIT, stall); this.waitStall += stall; }
      } else if (nw > 0) {
        stall = nw;
        if (ic !== null) { addStall(clock, w, MISS, nw); this.iMissStall += nw; }
        else { addStall(clock, w, WAIT, nw); this.waitStall += nw; }
      }
      this.deliver(L, now, num, bytes, stall);
    }
    if (dL !== -2) this.deliver(dL, dBase, dNum, bytes, dStall);
    // remember the entries only if every line of the pass (but a skipped current first line) still holds them
    let ok = ic !== null && n <= e.length;
    for (let k = 0; ok && k < n; k++) if (!(k === 0 && e[0] === -1) && ic!.lineAt(e[k]!) !== first + k) ok = false;
    memo.v = ok ? ic!.contentVersion : -1; memo.first = first; memo.n = n;
  }
  /** line L is the current one, delivered at base + floor(num / den) + stall (kept unevaluated until needed) */
  private deliver(L: number, base: number, num: number, den: number, stall: number): void {
    this.cur = L; this.curBase = base; this.curNum = num; this.curDen = den; this.curStall = stall;
  }
  private curAt(): number { return this.curBase + Math.floor(this.curNum / this.curDen) + this.curStall; }
  private curBase = 0;
  private curNum = 0;
  private curDen = 1;
  private curStall = 0;

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
  }

  /** flash is not writable: the bus faults stores before they reach timing */
  write(): void {}
}
