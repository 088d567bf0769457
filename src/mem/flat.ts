/**
 * A minimal bus: a few RAM regions backed by typed arrays, with byte, halfword and word access (unaligned
 * halfword and word accesses allowed, as ARMv7-M allows them for LDR/STR/LDRH/STRH), a bus fault outside the
 * regions, and write tracking for translated code; every program write is handed to the memory's usage tracker
 * (src/mem/usage.ts: high-water marks, bytes touched, watched windows, phases) when it has one.
 *
 * A region may appear at other addresses too (aliases: STM32 flash at 0x08000000 and at 0, QEMU's mps2 SSRAM
 * mirrors): each alias is a window (a Region object) sharing the main window's bytes, code-line marks and usage
 * tracker, which sees writes in the main window's addresses. The lookup goes through `windows` (main windows
 * first); `regions` lists the main windows only. Access rights: a region that is not `writable` (flash) faults a
 * program's store with a precise BusFault (PRECISERR, the address in BFAR), one that is not `executable` is not
 * fetchable (the engine raises IBUSERR; the exception model makes it MemManage IACCVIOL in the architecture's
 * execute-never space). `load` (the loader) and `peek` ignore rights.
 * Timing (src/mem/timing.ts): each window may carry a DataTiming the bus calls on every program access and a FetchTiming
 * the engine calls per block pass; unaligned halfword/word accesses add the core's penalty to `clk`. Each window
 * counts the program's reads and writes.
 */
import { busError, CpuFault } from '../cpu/exceptions.js';
import type { Device } from './device.js';
import type { Clock } from '../timing/clock.js';
import type { DataTiming, FetchTiming } from './timing.js';

/** What a region's usage tracker (src/mem/usage.ts) is told: every program write, in the main window's addresses. */
export interface WriteObserver { write(a: number, n: number): void }

export interface Bus {
  r8(a: number): number;
  r16(a: number): number;
  r32(a: number): number;
  w8(a: number, v: number): void;
  w16(a: number, v: number): void;
  w32(a: number, v: number): void;
  /** instruction fetch of a halfword, no side effects; undefined outside executable memory */
  fetch16(a: number): number | undefined;
  /** called by the engine for each instruction address it translated code from */
  markCode(a: number): void;
  /** forget all code marks (the engine dropped its translations) */
  clearCodeMarks(): void;
  /** the engine's hook, called when a write hits a page with translated code */
  onCodeWrite: ((a: number) => void) | null;
  /** the window of the last data access that hit memory (Cortex-M4 pipelining checks its memory-map block) */
  readonly lastRegion: Region;
}

export interface RegionSpec {
  name: string;
  base: number;
  size: number;
  /** other base addresses where the same bytes appear (windows of the same size) */
  aliases?: number[];
  /** stores by the program allowed (default true); false: a store is a precise BusFault. The loader always writes */
  writable?: boolean;
  /** instruction fetches allowed (default true) */
  executable?: boolean;
}

export interface RegionRights { writable?: boolean; executable?: boolean }

/** What the bus needs of a cache for the fast path (SetAssocCache). */
export interface LineCache {
  readonly lineShift: number;
  readonly hold: number;
  hitEntry(e: number): void;
  writeEntry(e: number): void;
}
const NO_MIRROR = new Int32Array(0);

/**
 * The data timing of a read of n bytes at a through window r: a hit on a cached line (not the one being filled) is
 * handed to the cache in the bus (Region.dc), anything else to the window's timing model.
 */
function timeRead(r: Region, o: number, a: number, n: number): void {
  const c = r.dc;
  if (c !== null) {
    const sh = c.lineShift, k = o >>> sh;
    if (((o + n - 1) >>> sh) === k) {
      const e = r.dmir[k]!;
      if (e !== 0 && ((a >>> 0) >>> sh) !== c.hold) { c.hitEntry(e - 1); return; }
    }
  }
  r.data!.read(a, n);
}

/** The same for a write: a write-back hit (Region.dcw) in the bus, anything else to the model. */
function timeWrite(r: Region, o: number, a: number, n: number): void {
  const c = r.dcw;
  if (c !== null) {
    const sh = c.lineShift, k = o >>> sh;
    if (((o + n - 1) >>> sh) === k) {
      const e = r.dmir[k]!;
      if (e !== 0) { c.writeEntry(e - 1); return; }
    }
  }
  r.data!.write(a, n);
}

export class Region {
  readonly bytes: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly end: number;
  /** one byte per 64-byte line: 1 when translated code came from it (CODE_LINE); shared with the aliases */
  readonly code: Uint8Array;
  /** the main window whose bytes this one shows (itself for a main window) */
  readonly target: Region;
  /** the main window's base minus this window's (0 for a main window) */
  readonly shift: number;
  /** stores fault (the region is not writable) */
  readonly readOnly: boolean;
  /** instruction fetches allowed */
  readonly executable: boolean;
  /** a main window's aliases */
  readonly aliases: Region[] = [];
  /** this window's data-access timing (wait states, caches; src/mem/timing.ts), null: no cost beyond the core's */
  data: DataTiming | null = null;
  /** this window's instruction-fetch timing, null: fetches cost nothing beyond the core's cycles */
  fetchTiming: FetchTiming | null = null;
  /** the program's data reads and writes through this window */
  reads = 0;
  writes = 0;
  /**
   * The data cache's fast path for this window (src/mem/l1.ts sets it while the cache is on and the window cacheable):
   * `dmir` maps the window's line index ((address - base) >>> dc.lineShift) to the cache entry holding that line plus
   * one (0: not cached; SetAssocCache.mirror). A read whose bytes lie in one cached line other than `dc.hold` is a hit
   * the bus hands to `dc.hitEntry` without calling the timing; `dcw`, set when the window is write-back
   * write-allocate, does the same for writes (`writeEntry`). Either null: every access goes to `data`.
   */
  dc: LineCache | null = null;
  dcw: LineCache | null = null;
  dmir: Int32Array = NO_MIRROR;
  /** the 512 MB block of the memory map the window is in (Cortex-M4 load pipelining needs two accesses in one) */
  readonly blk: number;
  /** the usage tracker of the memory (bytes touched, watched windows, phases), shared by its windows; null: none */
  use: WriteObserver | null = null;
  /** A main window (new zeroed memory), or with `of` an alias window showing `of`'s bytes at `base`. */
  constructor(readonly name: string, readonly base: number, readonly size: number, rights: RegionRights = {}, of?: Region) {
    if (size <= 0 || size % 4 !== 0) throw new RangeError(`region ${name}: size ${size} must be a positive multiple of 4`);
    if (of) {
      if (of.size !== size) throw new RangeError(`alias ${name}: size ${size} differs from region ${of.name}'s ${of.size}`);
      this.bytes = of.bytes; this.u16 = of.u16; this.u32 = of.u32; this.code = of.code;
      this.target = of.target;
      this.shift = of.target.base - base;
      of.target.aliases.push(this);
    } else {
      const buf = new ArrayBuffer(size);
      this.bytes = new Uint8Array(buf);
      this.u16 = new Uint16Array(buf);
      this.u32 = new Uint32Array(buf);
      this.code = new Uint8Array(Math.ceil(size / 64));
      this.target = this;
      this.shift = 0;
    }
    this.end = base + size;
    this.blk = base >>> 29;
    if (of) this.use = of.target.use;
    this.readOnly = rights.writable === false;
    this.executable = rights.executable !== false;
  }
  /** true for an alias window */
  get isAlias(): boolean { return this.target !== this; }
  /** a program write of n bytes at a (this window's address): to the usage tracker, in the main window's addresses */
  noteWrite(a: number, n: number): void {
    if (this.use !== null) this.use.write(a + this.shift, n);
  }
}

/** A program's store to a region that is not writable: a precise BusFault (BFAR = the address). */
export function readOnlyError(r: Region, a: number, n: number): CpuFault {
  const name = r.isAlias ? `${r.target.name}, through its alias at 0x${(r.base >>> 0).toString(16).padStart(8, '0')}` : r.name;
  return new CpuFault('BusFault', 'PRECISERR', `write of ${n} byte${n > 1 ? 's' : ''} at 0x${(a >>> 0).toString(16).padStart(8, '0')} to read-only memory (${name})`, a >>> 0);
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('mcusim needs a little-endian host (typed arrays are used as little-endian memory)');
}

export class FlatBus implements Bus {
  /** the main windows, one per RegionSpec */
  readonly regions: Region[];
  /** every window the bus looks addresses up in: the main windows, then the aliases */
  readonly windows: Region[];
  readonly devices: Device[];
  onCodeWrite: ((a: number) => void) | null = null;
  private checkFn: ((a: number, n: number, write: number) => void) | null = null;
  /**
   * The bus the program's data accesses go through (the engine's blocks and exception stacking): this bus, or while
   * `check` is set a CheckedBus view that runs the check first. So the unchecked path has no test at all.
   */
  program: Bus = this;
  /** the MPU's data-access check while the MPU is enabled, else null */
  get check(): ((a: number, n: number, write: number) => void) | null { return this.checkFn; }
  set check(f: ((a: number, n: number, write: number) => void) | null) {
    this.checkFn = f;
    this.program = f ? new CheckedBus(this, f) : this;
  }
  private last: Region;
  /** the window of the last data access or fetch that hit memory (not a device) */
  get lastRegion(): Region { return this.last; }
  /** the clock unaligned-access penalties are added to (the machine's CpuState); null: no timing */
  clk: Clock | null = null;
  /**
   * extra cycles of an unaligned access (reference/cortex-m-timing.md): [halfword on an odd byte, word on a
   * halfword boundary, word on an odd byte]; set from the core's timing
   */
  unalignedCycles: readonly [number, number, number] = [0, 0, 0];
  /** the same for stores */
  unalignedStoreCycles: readonly [number, number, number] = [0, 0, 0];
  private unaligned(k: 0 | 1 | 2, store = false): void {
    const c = (store ? this.unalignedStoreCycles : this.unalignedCycles)[k], clk = this.clk;
    if (c !== 0 && clk !== null) { clk.cycles += c; clk.stall[5] += c; } // STALL.unaligned
  }

  /**
   * RAM regions (with their aliases) and devices; no two windows may overlap. Devices are looked at only when no
   * RAM window holds an address.
   */
  constructor(specs: RegionSpec[], devices: Device[] = []) {
    if (!specs.length) throw new RangeError('a bus needs at least one memory region');
    this.regions = specs.map((s) => new Region(s.name, s.base >>> 0, s.size, s));
    const aliases: Region[] = [];
    specs.forEach((s, i) => {
      for (const b of s.aliases ?? []) {
        aliases.push(new Region(`${s.name}@0x${(b >>> 0).toString(16).padStart(8, '0')}`, b >>> 0, s.size, s, this.regions[i]!));
      }
    });
    this.windows = [...this.regions, ...aliases];
    this.devices = devices;
    const spans = [...this.windows.map((r) => ({ name: r.name, base: r.base, end: r.end })),
      ...devices.map((d) => ({ name: d.name, base: d.base >>> 0, end: (d.base >>> 0) + d.size }))].sort((a, b) => a.base - b.base);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]!.base < spans[i - 1]!.end) throw new RangeError(`${spans[i - 1]!.name} and ${spans[i]!.name} overlap`);
    }
    this.last = this.regions[0]!;
  }

  /** The device holding [a, a+n), or undefined. */
  device(a: number, n: number): Device | undefined {
    a >>>= 0;
    for (const d of this.devices) if (a >= d.base && a + n <= d.base + d.size) return d;
    return undefined;
  }
  private devRead(a: number, n: 1 | 2 | 4): number {
    const d = this.device(a, n);
    if (!d) throw busError(a, false, n);
    return d.read((a >>> 0) - d.base, n);
  }
  private devWrite(a: number, n: 1 | 2 | 4, v: number): void {
    const d = this.device(a, n);
    if (!d) throw busError(a, true, n);
    d.write((a >>> 0) - d.base, n, n === 4 ? v >>> 0 : v & (n === 2 ? 0xffff : 0xff));
  }

  /**
   * The region holding [a, a+n), or undefined.
   *
   * The accessors below keep their common path small (this check, the aligned access, the D-cache hit) and call out of
   * line for the rest (regionScan, r16u/r32u/w16u/w32u): a translated block inlines its bus calls only up to V8's
   * budget of inlined bytecode per function (920 bytes in Node 20), and with the timing model's code beside them a block
   * with two or three accesses went over it and called the accessors. Measured: 8% less time for the full model on the
   * F746 with caches on, the same without timing (ARCHITECTURE.md, Memory timing).
   */
  region(a: number, n = 1): Region | undefined {
    a >>>= 0;
    const l = this.last;
    if (a >= l.base && a + n <= l.end) return l;
    return this.regionScan(a, n);
  }
  private regionScan(a: number, n: number): Region | undefined {
    for (const r of this.windows) {
      if (a >= r.base && a + n <= r.end) { this.last = r; return r; }
    }
    return undefined;
  }

  r8(a: number): number {
    const r = this.region(a, 1);
    if (!r) return this.devRead(a, 1) & 0xff;
    r.reads++;
    const o = (a >>> 0) - r.base;
    if (r.data !== null) timeRead(r, o, a, 1);
    return r.bytes[o]!;
  }
  r16(a: number): number {
    const r = this.region(a, 2);
    if (!r) return this.devRead(a, 2) & 0xffff;
    r.reads++;
    const o = (a >>> 0) - r.base;
    if (r.data !== null) timeRead(r, o, a, 2);
    if ((o & 1) === 0) return r.u16[o >>> 1]!;
    return this.r16u(r, o);
  }
  /** an unaligned halfword read (out of line: the aligned path stays small enough to inline into blocks) */
  private r16u(r: Region, o: number): number {
    this.unaligned(0);
    return r.bytes[o]! | (r.bytes[o + 1]! << 8);
  }
  r32(a: number): number {
    const r = this.region(a, 4);
    if (!r) return this.devRead(a, 4) | 0;
    r.reads++;
    const o = (a >>> 0) - r.base;
    if (r.data !== null) timeRead(r, o, a, 4);
    if ((o & 3) === 0) return r.u32[o >>> 2]! | 0;
    return this.r32u(r, o);
  }
  private r32u(r: Region, o: number): number {
    this.unaligned((o & 1) === 0 ? 1 : 2);
    const b = r.bytes;
    return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
  }
  w8(a: number, v: number): void {
    const r = this.region(a, 1);
    if (!r) { this.devWrite(a, 1, v); return; }
    if (r.readOnly) throw readOnlyError(r, a, 1);
    r.writes++;
    a >>>= 0;
    const o = a - r.base;
    if (r.data !== null) timeWrite(r, o, a, 1);
    r.bytes[o] = v;
    r.noteWrite(a, 1);
    if (r.code[o >>> 6]) this.onCodeWrite?.(a);
  }
  w16(a: number, v: number): void {
    const r = this.region(a, 2);
    if (!r) { this.devWrite(a, 2, v); return; }
    if (r.readOnly) throw readOnlyError(r, a, 2);
    r.writes++;
    a >>>= 0;
    const o = a - r.base;
    if (r.data !== null) timeWrite(r, o, a, 2);
    if ((o & 1) === 0) r.u16[o >>> 1] = v;
    else this.w16u(r, o, v);
    r.noteWrite(a, 2);
    if (r.code[o >>> 6] | r.code[(o + 1) >>> 6]!) this.onCodeWrite?.(a);
  }
  w32(a: number, v: number): void {
    const r = this.region(a, 4);
    if (!r) { this.devWrite(a, 4, v); return; }
    if (r.readOnly) throw readOnlyError(r, a, 4);
    r.writes++;
    a >>>= 0;
    const o = a - r.base;
    if (r.data !== null) timeWrite(r, o, a, 4);
    if ((o & 3) === 0) r.u32[o >>> 2] = v;
    else this.w32u(r, o, v);
    r.noteWrite(a, 4);
    if (r.code[o >>> 6] | r.code[(o + 3) >>> 6]!) this.onCodeWrite?.(a);
  }
  private w16u(r: Region, o: number, v: number): void {
    r.bytes[o] = v; r.bytes[o + 1] = v >>> 8; this.unaligned(0, true);
  }
  private w32u(r: Region, o: number, v: number): void {
    const b = r.bytes; b[o] = v; b[o + 1] = v >>> 8; b[o + 2] = v >>> 16; b[o + 3] = v >>> 24; this.unaligned((o & 1) === 0 ? 1 : 2, true);
  }
  /** The window holding [a, a+n) without touching the data-access cache (`lastRegion` stays the last data access's). */
  private find(a: number, n: number): Region | undefined {
    a >>>= 0;
    for (const r of this.windows) if (a >= r.base && a + n <= r.end) return r;
    return undefined;
  }
  /** the fetch timing of the window holding a (the engine asks once per translated block) */
  fetchTimingAt(a: number): FetchTiming | null { return this.find(a, 2)?.fetchTiming ?? null; }
  fetch16(a: number): number | undefined {
    const r = this.find(a, 2);
    if (!r || !r.executable) return undefined;
    const o = (a >>> 0) - r.base;
    return r.bytes[o]! | (r.bytes[o + 1]! << 8);
  }
  markCode(a: number): void {
    // an instruction may straddle two lines: mark both ends of its (at most 4) bytes
    const r = this.find(a, 2);
    if (!r) return;
    const o = (a >>> 0) - r.base;
    r.code[o >>> 6] = 1;
    if (o + 3 < r.size) r.code[(o + 3) >>> 6] = 1;
  }
  clearCodeMarks(): void { for (const r of this.regions) r.code.fill(0); }

  /** Copy bytes in without side effects (loading an image), through any window, read-only ones too (the loader programs flash). */
  load(a: number, data: Uint8Array): void {
    for (let i = 0; i < data.length;) {
      const r = this.find(a + i, 1);
      if (!r) throw busError(a + i, true, 1);
      const o = ((a + i) >>> 0) - r.base;
      const n = Math.min(data.length - i, r.size - o);
      r.bytes.set(data.subarray(i, i + n), o);
      i += n;
    }
  }
  /** Read bytes without side effects; undefined bytes outside the map. */
  peek(a: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = this.find(a + i, 1);
      if (!r) throw busError(a + i, false, 1);
      out[i] = r.bytes[((a + i) >>> 0) - r.base]!;
    }
    return out;
  }
}

/** A view of a bus that runs an access check (the MPU's) before each data access, then does it on the bus. */
export class CheckedBus implements Bus {
  constructor(readonly bus: Bus, readonly check: (a: number, n: number, write: number) => void) {}
  get onCodeWrite(): ((a: number) => void) | null { return this.bus.onCodeWrite; }
  set onCodeWrite(f: ((a: number) => void) | null) { this.bus.onCodeWrite = f; }
  r8(a: number): number { this.check(a, 1, 0); return this.bus.r8(a); }
  r16(a: number): number { this.check(a, 2, 0); return this.bus.r16(a); }
  r32(a: number): number { this.check(a, 4, 0); return this.bus.r32(a); }
  w8(a: number, v: number): void { this.check(a, 1, 1); this.bus.w8(a, v); }
  w16(a: number, v: number): void { this.check(a, 2, 1); this.bus.w16(a, v); }
  w32(a: number, v: number): void { this.check(a, 4, 1); this.bus.w32(a, v); }
  fetch16(a: number): number | undefined { return this.bus.fetch16(a); }
  fetchTimingAt(a: number): FetchTiming | null { return (this.bus as FlatBus).fetchTimingAt(a); }
  get lastRegion(): Region { return (this.bus as FlatBus).lastRegion; }
  markCode(a: number): void { this.bus.markCode(a); }
  clearCodeMarks(): void { this.bus.clearCodeMarks(); }
}
