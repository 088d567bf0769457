/**
 * A Machine built from a board description (src/board/schema.ts, boards/README.md).
 *
 * - Memory: every flash, ram and tcm region is a RAM-backed bus region at its base, with its aliases as windows on the
 *   same bytes (src/mem/flat.ts). Flash is RAM here: the loader (`bus.load`, `Machine.load`) writes it; a program's
 *   store to a region whose access lacks 'w' (flash is 'rx') is a precise BusFault (CFSR.PRECISERR, BFAR = the
 *   address), and an instruction fetch from a region whose access lacks 'x' is an instruction bus error (IBUSERR;
 *   the exception model makes fetches from the architecture's execute-never space MemManage IACCVIOL).
 * - Peripherals: each entry of `board.peripherals` through the src/periph factory, except 'scs': the System Control
 *   Space (SysTick, NVIC, SCB) and the DWT come from the exception model, so there is one SCS device at 0xE000E000.
 *   Every other address inside the board's 'peripheral' regions is an UnmodelledDevice window (reads 0, writes
 *   ignored, each address touched recorded) placed around the modelled devices, so start-up code that programs
 *   RCC, GPIO or the flash interface runs; `unmodelled` returns them for the run report.
 * - UARTs: the board's `stdout` UART sends to `opts.stdout` and receives from `opts.stdin`. The other UARTs are
 *   modelled (their registers work) but what they send is dropped and they receive nothing, as QEMU's mps2 boards do
 *   with serial ports that have no -serial backend.
 * - Core: `board.core` gives the SCB CPUID (Cortex-M4 r0p1 0x410FC241, Cortex-M7 r1p2 0x411FC272, QEMU's values).
 *   The pipeline model is the core's (Cortex-M4 or Cortex-M7, src/timing/).
 * - Reset: with the exception model (the default) VTOR resets to `board.bootAddress` and `Machine.load()`/`reset()`
 *   take SP and PC from the vector table there (through an alias where the board boots from one: the F411 reads its
 *   flash at 0, the F746 at 0x00200000). Without it (`exceptions: false`) the SCS region is unmodelled space like
 *   the rest and `load()` starts at the image's entry, as for any bare machine.
 */
import { Machine } from '../machine.js';
import type { RegionSpec } from '../mem/flat.js';
import { UnmodelledDevice, type Device } from '../mem/device.js';
import { createPeripheral, type ByteSink, type ByteSource } from '../periph/index.js';
import { CPUID_M4, CPUID_M7, SCS_BASE, DWT_BASE } from '../sys/scs.js';
import { modelOf, untimed, type PipelineModel } from '../timing/model.js';
import { CORE_TIMINGS } from '../timing/cores.js';
import { createMemorySystem, type MemorySystem } from '../mem/memsys.js';
import { FLASH_INTERFACE_KINDS } from '../periph/stm32-flash.js';
import { PERIPHERAL_SIZE, type Board, type CoreName } from './schema.js';

export interface BoardMachineOptions {
  /**
   * Memory timing (src/mem/memsys.ts): `silicon` starts FLASH_ACR at its reset value instead of what start-up code
   * leaves there; `cachesOn` starts the Cortex-M7 L1 caches enabled (firmware enables them through SCB otherwise);
   * `timing: false` runs without memory timing (and with the untimed pipeline model: one cycle per instruction)
   */
  memory?: { silicon?: boolean; cachesOn?: boolean };
  timing?: boolean;
  /** memory usage tracking and the phase-marker block (Machine option `usage`); default true */
  usage?: boolean;
  /** bytes the board's stdout UART transmits; default: dropped */
  stdout?: ByteSink;
  /** bytes arriving on the board's stdout UART's receive line */
  stdin?: ByteSource;
  /** the exception model with the SCS and DWT (boot from the vector table at board.bootAddress); default true */
  exceptions?: boolean;
}

export interface BoardMachine {
  machine: Machine;
  /** the unmodelled windows of the board's peripheral regions, by address; each records the addresses touched */
  unmodelled: UnmodelledDevice[];
  board: Board;
  /** the modelled peripherals by their board name (the SCS is `machine.scs`) */
  peripherals: Map<string, Device>;
  /** the memory system: wait states, flash accelerator, caches, their counters (null with `timing: false`) */
  memory: MemorySystem | null;
}

/** An unmodelled address the program touched. */
export interface UnmodelledAccess { address: number; reads: number; writes: number; window: string }

/** SCB CPUID of a core: Cortex-M4 r0p1, Cortex-M7 r1p2 (ARMv7-M ARM B3.2.3; the values QEMU reports). */
export function cpuidOf(core: CoreName): number {
  return core === 'cortex-m7' ? CPUID_M7 : CPUID_M4;
}

/** The pipeline model of a core (src/timing/m4.ts, src/timing/m7.ts). */
export function cycleModelOf(core: CoreName): PipelineModel {
  return modelOf(core);
}

/** The bus regions of a board: its flash, ram and tcm regions with their aliases and access rights. */
export function boardRegions(board: Board): RegionSpec[] {
  return board.regions.filter((r) => r.kind !== 'peripheral').map((r) => ({
    name: r.name, base: r.base, size: r.size,
    aliases: (r.aliases ?? []).map((x) => x.base),
    writable: r.access.includes('w'),
    executable: r.access.includes('x'),
  }));
}

/**
 * Where an image that boots the board belongs: the address, in the main window of its region, of the vector table
 * the board reads at reset (board.bootAddress may be an alias: the F411's flash at 0 is 0x08000000).
 */
export function bootImageAddress(board: Board): number {
  const boot = (board.bootAddress ?? 0) >>> 0;
  for (const r of board.regions) {
    if (r.kind === 'peripheral') continue;
    if (boot >= r.base && boot < r.base + r.size) return boot;
    for (const a of r.aliases ?? []) if (boot >= a.base && boot < a.base + r.size) return (boot - a.base + r.base) >>> 0;
  }
  return boot;
}

const discard: ByteSink = () => {};

/** Build a Machine from a board description (see the file header for what is modelled and how). */
export function createBoardMachine(board: Board, opts: BoardMachineOptions = {}): BoardMachine {
  const exceptions = opts.exceptions ?? true;
  const peripherals = new Map<string, Device>();
  const devices: Device[] = [];
  const timed = opts.timing !== false;
  const memory = timed ? createMemorySystem(board, CORE_TIMINGS[board.core], opts.memory ?? {}) : null;
  for (const p of board.peripherals) {
    if (p.kind === 'scs') continue; // the exception model's SCS (or unmodelled space without it)
    if (memory && p.kind in FLASH_INTERFACE_KINDS) {
      // the flash interface comes from the memory system, where its FLASH_ACR drives the accelerator
      const d = memory.devices.find((x) => (x.base >>> 0) === (p.base >>> 0));
      if (d) { peripherals.set(p.name, d); devices.push(d); }
      continue;
    }
    const out = p.name === board.stdout;
    const d = createPeripheral(p.kind, {
      base: p.base, name: p.name, size: PERIPHERAL_SIZE[p.kind],
      sink: out ? opts.stdout ?? discard : discard,
      input: out ? opts.stdin : undefined,
      pclkHz: board.busClockHz ?? board.clockHz,
    });
    peripherals.set(p.name, d);
    devices.push(d);
  }
  // the windows the Machine adds with the exception model
  const system = exceptions ? [{ base: SCS_BASE, size: 0x1000 }, { base: DWT_BASE, size: 0x1000 }] : [];
  const taken = [...devices.map((d) => ({ base: d.base >>> 0, size: d.size })), ...system].sort((a, b) => a.base - b.base);
  const unmodelled: UnmodelledDevice[] = [];
  for (const r of board.regions) {
    if (r.kind !== 'peripheral') continue;
    const end = r.base + r.size;
    let at = r.base;
    for (const t of taken) {
      const tEnd = t.base + t.size;
      if (tEnd <= at || t.base >= end) continue;
      if (t.base > at) unmodelled.push(new UnmodelledDevice(`${r.name} (unmodelled)`, at, t.base - at));
      at = Math.max(at, tEnd);
    }
    if (at < end) unmodelled.push(new UnmodelledDevice(`${r.name} (unmodelled)`, at, end - at));
  }
  const machine = new Machine({
    regions: boardRegions(board),
    devices: [...devices, ...unmodelled],
    exceptions: exceptions ? { vectorTable: board.bootAddress ?? 0 } : false,
    cpuid: cpuidOf(board.core),
    model: timed ? cycleModelOf(board.core) : untimed,
    onReset: memory ? () => memory.reset() : undefined,
    usage: opts.usage,
  });
  if (memory) {
    memory.attach(machine.bus, machine.state);
    if (machine.scs) machine.scs.cache = memory.cacheControl;
  }
  return { machine, unmodelled, board, peripherals, memory };
}

/** The unmodelled addresses a run touched, once each, by address. */
export function unmodelledAccesses(unmodelled: readonly UnmodelledDevice[]): UnmodelledAccess[] {
  const out: UnmodelledAccess[] = [];
  for (const d of unmodelled) for (const [address, t] of d.touched) out.push({ address, reads: t.reads, writes: t.writes, window: d.name });
  return out.sort((a, b) => a.address - b.address);
}
