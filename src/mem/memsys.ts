/**
 * The memory system of a board: builds the memory timing models (plain wait states src/mem/waits.ts, the ST ART
 * src/mem/art.ts, the Cortex-M7 L1 caches src/mem/l1.ts), the registers firmware controls them with (FLASH_ACR
 * src/periph/stm32-flash.ts, the SCB cache registers src/sys/cachectl.ts), and puts each model on the bus windows it
 * serves (Region.data, Region.fetchTiming).
 *
 * Which window gets what:
 * - `tcm` regions: nothing (zero wait states, never cached: reference/cortex-m-timing.md "TCM ... zero wait states on
 *   ST parts").
 * - Cortex-M4 boards: flash windows (the main window and its aliases, one shared model in main-window addresses) go
 *   through the ART when the board has `accelerator`, else plain wait states in flash lines (`flash.lineBits`,
 *   default 128); a `ram` region with wait states pays them per access.
 * - Cortex-M7 boards with `caches`: the flash's alias windows are the ITCM-bus path (boards/README.md: "the alias at
 *   0x00200000 is the ITCM-bus path through the ART"): through the ART when the board has `accelerator`, else plain
 *   wait states; the flash's main window (the AXI path) and every `ram` window go through the L1 caches, with flash
 *   ((LATENCY + 1) x clock ratio) or SRAM (caches.sramLatency + the region's wait states, in bus clocks, x clock ratio)
 *   behind them, and the cache policy of `attributes(window base)` (ARMv7-M default memory map).
 * - Cortex-M7 boards without caches: as a Cortex-M4.
 * - A board with no flash interface peripheral, no accelerator, no caches and no wait states anywhere (the mps2
 *   boards) gets no timing at all: `attach` sets nothing, the bus makes no calls.
 * N wait states cost N x clockHz / busClockHz core cycles (boards/README.md `busClockHz`: the H743's table counts
 * AXI clocks).
 *
 * Reset policy (the lead's decision): FLASH_ACR starts as the board's start-up code would leave it: LATENCY from the
 * board's wait-state table at its clock, the accelerator bits on as board.accelerator says (F4: PRFTEN when
 * `prefetch`, ICEN, DCEN when there is a data cache; F7: PRFTEN when `prefetch`, ARTEN; H7: WRHIGHFREQ as at silicon
 * reset); `silicon: true` starts from the silicon reset values instead (LATENCY 0, everything off on F4/F7). The
 * Cortex-M7 L1 caches start disabled as on silicon (firmware enables them through CCR); `cachesOn: true` starts them
 * enabled (and empty). A board without a flash interface peripheral keeps the start-up state for the whole run.
 */
import type { Board, BoardRegion } from '../board/schema.js';
import { flashWaitStates } from '../board/schema.js';
import type { Device } from './device.js';
import type { FlatBus, Region } from './flat.js';
import type { Clock } from '../timing/clock.js';
import type { CoreTiming } from '../timing/cores.js';
import { CORTEX_M7_TIMING } from '../timing/cores.js';
import type { Replacement } from './cache.js';
import { ArtAccelerator } from './art.js';
import type { CacheCounters } from './cache.js';
import { attributes, FlashBacking, L1Caches, L1Port, SramBacking } from './l1.js';
import { WaitStates, WindowPort, windowStat, type WindowStat } from './waits.js';
import { CacheControl } from '../sys/cachectl.js';
import { ACR, FLASH_INTERFACE_KINDS, SILICON_ACR, Stm32FlashInterface, type AcrFields, type FlashAcrTarget, type FlashVariant } from '../periph/stm32-flash.js';

/** The core parameters the memory models use (boards/cores/cortex-m7.json `caches`). */
export interface MemoryParams {
  /** bytes per line-fill beat */
  lineFillBeatBytes: number;
  /** bus clocks between fill beats after the first */
  fillBeatCycles: number;
  /** bus clocks to the first data of an SRAM read behind the L1 caches */
  sramLatency: number;
  /** core cycles a store to memory stalls (write-through, uncached) */
  memoryWriteCycles: number;
  /** core cycles a dirty line's write-back stalls */
  writeBackCycles: number;
  /** default replacement policy of the caches (a board's `caches.replacement` overrides it) */
  replacement: Replacement;
  /** seed of the 'random' replacement policy */
  seed: number;
}

/** The parameters of a core's timing file; a Cortex-M4 (no L1) takes the Cortex-M7 file's (used only by an ART's policy). */
export function memoryParamsOf(core: CoreTiming): MemoryParams {
  const c = core.core === 'cortex-m7' ? core.caches : CORTEX_M7_TIMING.caches;
  return {
    lineFillBeatBytes: c.lineFillBeatBytes.value,
    fillBeatCycles: c.fillBeatCycles.value,
    sramLatency: c.sramLatency.value,
    memoryWriteCycles: c.memoryWriteCycles.value,
    writeBackCycles: c.writeBackCycles.value,
    replacement: c.replacement.value,
    seed: 1,
  };
}

export interface MemorySystemOptions {
  /** FLASH_ACR starts at its silicon reset value instead of the start-up code's settings */
  silicon?: boolean;
  /** the Cortex-M7 L1 caches start enabled (default: disabled, as on silicon) */
  cachesOn?: boolean;
  /** overrides of the core's parameters */
  params?: Partial<MemoryParams>;
}

/** Counters of one cache. */
export interface CacheStats extends CacheCounters {
  /** stall cycles the cache's misses, fills and write-backs cost */
  stallCycles: number;
}

/** Stall cycles charged through one bus window. */
export interface WindowStats {
  window: string;
  stallCycles: number;
  /** waiting for memory outside any cache: wait states, prefetch not ready, uncached reads */
  waitStateCycles: number;
  cacheMissCycles: number;
  storeCycles: number;
}

export interface MemoryStats {
  caches: CacheStats[];
  windows: WindowStats[];
  /** stores that went to memory behind the L1 caches (write-through or uncached) */
  memoryWrites: number;
}

export interface MemorySystem {
  readonly board: Board;
  /** the flash interface (FLASH_ACR) for the bus, when the board lists one; empty otherwise */
  readonly devices: Device[];
  readonly flashInterface: Stm32FlashInterface | null;
  /** the SCB cache registers, for the SCS to delegate to (Cortex-M4 flavour: all zero) */
  readonly cacheControl: CacheControl;
  readonly art: ArtAccelerator | null;
  readonly l1: L1Caches | null;
  /** FLASH_ACR.LATENCY settings below what the board's clock needs (the lead prints them) */
  readonly warnings: string[];
  /** false: the board has no memory timing and attach() leaves the bus alone */
  readonly timed: boolean;
  /** Put the models on the bus windows and give them the clock. */
  attach(bus: FlatBus, clock: Clock): void;
  /** Back to the start state (FLASH_ACR, caches empty and enabled or not, counters zero). */
  reset(): void;
  stats(): MemoryStats;
}

function flashVariantOf(board: Board): { variant: FlashVariant; base: number; name: string } | null {
  for (const p of board.peripherals) {
    const v = (FLASH_INTERFACE_KINDS as Record<string, FlashVariant | undefined>)[p.kind];
    if (v) return { variant: v, base: p.base, name: p.name };
  }
  return null;
}

/** FLASH_ACR as the board's start-up code leaves it (the file header's reset policy). */
export function startupAcr(board: Board, variant: FlashVariant): number {
  const lat = flashWaitStates(board) & ACR.LATENCY;
  const acc = board.accelerator;
  switch (variant) {
    case 'f4': return lat | (acc?.prefetch ? ACR.PRFTEN : 0) | (acc ? ACR.ICEN : 0) | (acc?.dcache ? ACR.DCEN : 0);
    case 'f7': return lat | (acc?.prefetch ? ACR.PRFTEN : 0) | (acc ? ACR.ARTEN : 0);
    case 'h7': return lat | (SILICON_ACR.h7 & ACR.WRHIGHFREQ);
  }
}

class FlashControl implements FlashAcrTarget {
  /** core cycles per bus clock */
  constructor(readonly ratio: number) {}
  waits: WaitStates[] = [];
  art: ArtAccelerator | null = null;
  backing: FlashBacking | null = null;
  applyAcr(f: AcrFields): void {
    const n = Math.ceil(f.latency * this.ratio);
    for (const w of this.waits) w.waits = n;
    if (this.backing) this.backing.latency = Math.ceil((f.latency + 1) * this.ratio);
    const art = this.art;
    if (art) {
      art.waits = n;
      art.prefetch = f.prefetch;
      art.icacheOn = f.icache;
      art.dcacheOn = f.dcache;
      if (f.resetI) art.resetICache();
      if (f.resetD) art.resetDCache();
    }
  }
}

function regionWaits(board: Board, r: BoardRegion): number {
  if (r.waitStates === 'flash') return flashWaitStates(board);
  return r.waitStates ?? 0;
}

/**
 * Build the memory system of a board (the file header says what goes where). `core` is the core's timing (its
 * `caches` parameters) or the parameters themselves; default the Cortex-M7 file's.
 */
export function createMemorySystem(board: Board, core?: CoreTiming | MemoryParams, opts: MemorySystemOptions = {}): MemorySystem {
  const base = core === undefined ? memoryParamsOf(CORTEX_M7_TIMING) : 'core' in core ? memoryParamsOf(core) : core;
  const params: MemoryParams = { ...base, ...(opts.params ?? {}) };
  const m7 = board.core === 'cortex-m7';
  const ratio = board.clockHz / (board.busClockHz ?? board.clockHz);
  const flashRegion = board.regions.find((r) => r.kind === 'flash');
  const flashLineBytes = (board.flash?.lineBits ?? 128) / 8;
  const fi = flashVariantOf(board);
  const control = new FlashControl(ratio);
  const replacement = board.caches?.replacement ?? params.replacement;

  // ------------------------------------------------------------------ models
  const acc = board.accelerator;
  const art = acc ? new ArtAccelerator({
    lineBytes: acc.icache.lineBits / 8, icacheLines: acc.icache.lines, dcacheLines: acc.dcache?.lines,
    replacement: 'lru', seed: params.seed,
  }) : null;
  control.art = art;
  const caches = m7 && board.caches && (board.caches.icache || board.caches.dcache) ? board.caches : undefined;
  const l1 = caches ? new L1Caches({
    icache: caches.icache, dcache: caches.dcache, replacement, seed: params.seed,
    fillBeatBytes: params.lineFillBeatBytes, fillBeatCycles: Math.ceil(params.fillBeatCycles * ratio),
    writeBackCycles: params.writeBackCycles,
  }) : null;
  const flashBacking = l1 && flashRegion ? new FlashBacking(flashRegion.name, 0, flashLineBytes) : null;
  control.backing = flashBacking;
  // plain flash wait states: one model for the flash's windows that are neither ART nor L1
  const flashWaits = flashRegion ? new WaitStates(0, flashLineBytes) : null;
  if (flashWaits) control.waits.push(flashWaits);
  const cacheControl = new CacheControl(board.core, l1);

  const flashInterface = fi ? new Stm32FlashInterface({
    variant: fi.variant, base: fi.base, name: fi.name,
    resetValue: opts.silicon ? SILICON_ACR[fi.variant] : startupAcr(board, fi.variant),
    target: control,
    requiredLatency: flashRegion?.waitStates === 'flash' ? flashWaitStates(board) : undefined,
    clockHz: board.busClockHz ?? board.clockHz,
  }) : null;
  const warnings = flashInterface ? flashInterface.warnings : [];

  /** the start state without a flash interface: the region's wait states, the accelerator as the board says */
  const applyStart = (): void => {
    if (flashInterface) { flashInterface.reset(); return; }
    const lat = flashRegion ? regionWaits(board, flashRegion) : 0;
    control.applyAcr({ latency: lat, prefetch: !!acc?.prefetch, icache: !!acc, dcache: !!acc, resetI: false, resetD: false });
  };

  const anyWaits = board.regions.some((r) => r.kind !== 'peripheral' && r.kind !== 'tcm' && regionWaits(board, r) > 0);
  const timed = fi !== null || art !== null || l1 !== null || anyWaits;

  // ------------------------------------------------------------------ windows
  const stats: WindowStat[] = [];
  const ramWaits = new Map<string, WaitStates>();
  const sramBackings: SramBacking[] = [];
  let attached: Region[] = [];

  function plan(w: Region): { data: WindowPort | L1Port; fetch: WindowPort | L1Port } | null {
    const r = board.regions.find((x) => x.name === w.target.name);
    if (!r || r.kind === 'tcm' || r.kind === 'peripheral') return null;
    if (r.kind === 'flash') {
      // Cortex-M7: the main window is the AXI path (L1 caches), the aliases the ITCM path (ART); Cortex-M4: all ART
      if (m7 && !w.isAlias && l1) {
        const p = l1.port(w.name, flashBacking!, attributes(w.base));
        stats.push(p.stat);
        return { data: p, fetch: p };
      }
      const model = art && (!m7 || w.isAlias) ? art : flashWaits!;
      const p = new WindowPort(model, windowStat(w.name), w.shift);
      stats.push(p.stat);
      return { data: p, fetch: p };
    }
    // ram
    const ws = regionWaits(board, r);
    if (m7 && l1) {
      const b = new SramBacking(r.name, Math.ceil((params.sramLatency + ws) * ratio), params.memoryWriteCycles);
      sramBackings.push(b);
      const p = l1.port(w.name, b, attributes(w.base));
      stats.push(p.stat);
      return { data: p, fetch: p };
    }
    if (ws === 0) return null;
    let model = ramWaits.get(r.name);
    if (!model) { model = new WaitStates(Math.ceil(ws * ratio), 0); ramWaits.set(r.name, model); }
    const p = new WindowPort(model, windowStat(w.name), w.shift);
    stats.push(p.stat);
    return { data: p, fetch: p };
  }

  const sys: MemorySystem = {
    board,
    devices: flashInterface ? [flashInterface] : [],
    flashInterface,
    cacheControl,
    art,
    l1,
    warnings,
    timed,
    attach(bus: FlatBus, clock: Clock): void {
      for (const r of attached) { r.data = null; r.fetchTiming = null; }
      l1?.unbindAll();
      attached = [];
      stats.length = 0;
      sramBackings.length = 0;
      if (!timed) return;
      if (art) art.clock = clock;
      if (l1) l1.clock = clock;
      if (flashWaits) flashWaits.clock = clock;
      for (const w of bus.windows) {
        const p = plan(w);
        if (!p) continue;
        w.data = p.data;
        w.fetchTiming = p.fetch;
        if (p.data instanceof L1Port) p.data.l1.bind(p.data, w);
        attached.push(w);
      }
      for (const w of ramWaits.values()) w.clock = clock;
    },
    reset(): void {
      art?.reset();
      flashWaits?.reset();
      for (const w of ramWaits.values()) w.reset();
      flashBacking?.reset();
      for (const b of sramBackings) b.reset();
      l1?.reset(!!opts.cachesOn);
      cacheControl.reset();
      warnings.length = 0;
      applyStart();
      for (const s of stats) { s.stall = 0; s.waitStates = 0; s.cacheMiss = 0; s.storeBuffer = 0; }
    },
    stats(): MemoryStats {
      // lazy passes and prologue stalls not yet counted (FetchMemo, L1Port.uq) go into the counters first
      art?.settle();
      l1?.settle();
      const out: CacheStats[] = [];
      const add = (c: { counters(): CacheCounters } | null, stall: number): void => {
        if (c) out.push({ ...c.counters(), stallCycles: stall });
      };
      if (art) { add(art.icache, art.iMissStall); add(art.dcache, art.dMissStall); }
      if (l1) { add(l1.icache, l1.iStall); add(l1.dcache, l1.dStall); }
      return {
        caches: out,
        windows: stats.map((s) => ({ window: s.window, stallCycles: s.stall, waitStateCycles: s.waitStates, cacheMissCycles: s.cacheMiss, storeCycles: s.storeBuffer })),
        memoryWrites: l1 ? l1.memWrites : 0,
      };
    },
  };
  // the start state, so a system used before reset() is already configured
  l1?.reset(!!opts.cachesOn);
  applyStart();
  return sys;
}
