/**
 * Plain wait states: a memory window with N wait states and no accelerator in front of it, plus the pieces every
 * memory timing model shares (the per-window port the bus and engine call, per-window stall counters).
 *
 * The rule for flash (ST parts read flash a line at a time: 128 bits on the F4, RM0383 "Embedded flash memory"; 256
 * bits on the F7's AXI path, RM0385; 256 bits on the H7, RM0433): an instruction fetch or data read that needs a
 * flash line other than the one last read costs N stall cycles (STALL.waitStates); reads inside the line last read
 * are free (the flash interface still holds it). Instruction fetches and data reads keep separate "last line"
 * registers (assumed: the F4 has separate I-code and D-code paths into the flash interface, and keeping them apart
 * means a loop that loads a literal does not lose its code line at every load). N is in core cycles: the board's
 * wait states times clockHz / busClockHz (the H743's table counts AXI clocks, boards/README.md).
 *
 * Memory with wait states that is not read in lines (a RAM region with `"waitStates": N`): every data read and
 * write costs N, and an instruction fetch costs N per 32-bit word fetched (the Cortex-M4 fetches a word at a time).
 *
 * Stores to flash never reach a timing model (the bus faults them first: flash is not writable).
 */
import { STALL, type Clock } from '../timing/clock.js';
import type { DataTiming, FetchTiming, FetchMemo } from './timing.js';

/** the stall causes memory timing charges (src/timing/clock.ts) */
export const WAIT = STALL.waitStates;
export const MISS = STALL.cacheMiss;
export const STORE = STALL.storeBuffer;

/** The stall cycles charged through one bus window, by cause. */
export interface WindowStat {
  /** the window's name (`flash`, `flash@0x00200000`, `sram1`...) */
  readonly window: string;
  /** all stall cycles of accesses through the window */
  stall: number;
  /** the part waiting for memory outside any cache (wait states, prefetch not ready, uncached AXI reads) */
  waitStates: number;
  /** the part waiting for cache line fills and write-backs */
  cacheMiss: number;
  /** the part waiting for stores to reach memory */
  storeBuffer: number;
}

export function windowStat(window: string): WindowStat {
  return { window, stall: 0, waitStates: 0, cacheMiss: 0, storeBuffer: 0 };
}

/** Add `c` stall cycles of cause `cause` (WAIT, MISS or STORE) to the clock and the window's counters. */
export function addStall(clock: Clock, w: WindowStat, cause: number, c: number): void {
  clock.cycles += c;
  clock.stall[cause] += c;
  windowStall(w, cause, c);
}

/** The window's part of addStall: for stall cycles already on the clock (the L1 prologue's uncached stalls, L1Port.uq). */
export function windowStall(w: WindowStat, cause: number, c: number): void {
  w.stall += c;
  if (cause === WAIT) w.waitStates += c;
  else if (cause === MISS) w.cacheMiss += c;
  else w.storeBuffer += c;
}

/** What a timing model answers: the accesses of one window, in the addresses the model uses, with its counters. */
export interface MemModel {
  /** the model's shortcuts for block passes (FetchTiming.prologue), in the model's addresses */
  prologue?(start: number, end: number, cycles: number, call: string): string;
  read(a: number, n: number, w: WindowStat): void;
  write(a: number, n: number, w: WindowStat): void;
  fetch(start: number, end: number, cycles: number, w: WindowStat, memo?: FetchMemo): void;
}

/**
 * The DataTiming and FetchTiming of one bus window: forwards to the model, with the window's counters and an
 * address shift (an alias window passes main-window addresses, so that both windows of a memory share its lines).
 */
export class WindowPort implements DataTiming, FetchTiming {
  constructor(readonly model: MemModel, readonly stat: WindowStat, readonly shift = 0) {}
  read(a: number, n: number): void { this.model.read(((a >>> 0) + this.shift) >>> 0, n, this.stat); }
  write(a: number, n: number): void { this.model.write(((a >>> 0) + this.shift) >>> 0, n, this.stat); }
  fetch(start: number, end: number, cycles: number, memo?: FetchMemo): void {
    const s = ((start >>> 0) + this.shift) >>> 0;
    this.model.fetch(s, s + (end - start), cycles, this.stat, memo);
  }
  /** the model's prologue (the ART's), in its addresses; `ft.model` in the code is the model */
  prologue(start: number, end: number, cycles: number, call: string): string {
    const m = this.model, s = ((start >>> 0) + this.shift) >>> 0;
    return m.prologue ? m.prologue(s, s + (end - start), cycles, call) : call;
  }
}

/** A clock nobody reads: the models' clock until the memory system is attached to a machine. */
export function detachedClock(): Clock {
  return { cycles: 0, stall: new Float64Array(16), now() { return this.cycles; } };
}

/** Plain wait states (the file header gives the rule). */
export class WaitStates implements MemModel {
  clock: Clock = detachedClock();
  /** log2 of the bytes read at once (the flash line); 0: not read in lines (every access pays) */
  readonly lineShift: number;
  private lastFetch = -1;
  private lastData = -1;
  /** the cycle the memory finishes the write in the core's one-entry write buffer (memories without lines: RAM) */
  private busyUntil = 0;
  /**
   * @param waits stall cycles per new line (or per access when not read in lines), in core cycles; settable
   * @param lineBytes bytes read at once (16 for 128-bit F4 flash, 32 for 256-bit lines), or 0
   */
  constructor(public waits: number, lineBytes: number) {
    if (lineBytes !== 0 && (lineBytes < 4 || (lineBytes & (lineBytes - 1)) !== 0)) throw new RangeError(`line size ${lineBytes} must be 0 or a power of 2 of at least 4`);
    this.lineShift = lineBytes === 0 ? 0 : Math.log2(lineBytes);
  }

  get lineBytes(): number { return this.lineShift === 0 ? 0 : 1 << this.lineShift; }

  /** forget the lines last read (the flash interface's buffers are empty after a reset) */
  reset(): void { this.lastFetch = -1; this.lastData = -1; this.busyUntil = 0; }

  fetch(start: number, end: number, _cycles: number, w: WindowStat, _memo?: FetchMemo): void {
    const ws = this.waits;
    if (end <= start) return;
    if (this.lineShift === 0) {
      // a 32-bit fetch per word touched
      if (ws !== 0) addStall(this.clock, w, WAIT, ws * ((((end - 1) >>> 2) - (start >>> 2)) + 1));
      return;
    }
    const sh = this.lineShift;
    const first = start >>> sh, last = (end - 1) >>> sh;
    let lines = last - first + 1;
    if (first === this.lastFetch) lines--;
    this.lastFetch = last;
    if (lines > 0 && ws !== 0) addStall(this.clock, w, WAIT, ws * lines);
  }

  read(a: number, n: number, w: WindowStat): void {
    const ws = this.waits;
    if (this.lineShift === 0) {
      if (ws === 0) return;
      // a read waits for a buffered write to this memory to finish, then for its own wait states
      const drain = this.busyUntil - this.clock.now();
      if (drain > 0) addStall(this.clock, w, STORE, drain);
      addStall(this.clock, w, WAIT, ws);
      return;
    }
    const sh = this.lineShift;
    const first = a >>> sh, last = (a + n - 1) >>> sh;
    let lines = last - first + 1;
    if (first === this.lastData) lines--;
    this.lastData = last;
    if (lines > 0 && ws !== 0) addStall(this.clock, w, WAIT, ws * lines);
  }

  /**
   * A store goes to the core's one-entry write buffer (reference/cortex-m-timing.md: "Stores go through a one-entry
   * write buffer and only stall when it is full"): the core goes on while the memory takes 1 + N cycles for it; a
   * store that finds the buffer still busy waits until it is free (STALL.storeBuffer).
   */
  write(_a: number, _n: number, w: WindowStat): void {
    const ws = this.waits;
    if (ws === 0) return;
    const now = this.clock.now();
    const wait = this.busyUntil - now;
    if (wait > 0) addStall(this.clock, w, STORE, wait);
    this.busyUntil = now + (wait > 0 ? wait : 0) + 1 + ws;
  }
}
