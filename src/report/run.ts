/**
 * The run report: everything `mcusim run` knows after a run, as one JSON-able object (`--stats FILE.json` writes it;
 * the text summary is drawn from it). The schema is documented in docs/run-report.md; `schema` names its version.
 *
 * Sources: the machine's counters and stall causes (src/timing/clock.ts), the memory system's cache and window
 * counters (src/mem/memsys.ts), the bus windows' read/write counts, the usage tracker's high-water marks, stack,
 * watched windows and phases (src/mem/usage.ts), the profiler's rows (src/prof/profile.ts). No Node import: core.
 */
import type { Machine, RunResult, FaultInfo } from '../machine.js';
import { STALL_CAUSES, type StallCause } from '../timing/clock.js';
import type { MemoryStats, CacheStats } from '../mem/memsys.js';
import type { PhaseReport, StackReport, WatchReport } from '../mem/usage.js';
import type { ProfileRow } from '../prof/profile.js';

export const RUN_REPORT_SCHEMA = 'mcusim-run/1';

export interface RegionReport {
  name: string;
  /** flash, ram, tcm (from the board), or memory for a machine without a board */
  kind: string;
  base: number;
  size: number;
  /** the program's data reads and writes through all of the region's windows */
  reads: number;
  writes: number;
  /** bytes of the loaded image in the region (flash usage) */
  imageBytes: number;
  /** RAM regions: lowest and highest address the program wrote (null: none), distinct bytes written, highest - base + 1 */
  lowest: number | null;
  highest: number | null;
  bytesTouched: number;
  highWater: number;
}

export interface RunReport {
  schema: typeof RUN_REPORT_SCHEMA;
  program: string;
  board: string | null;
  core: string;
  /** the pipeline model that priced the run */
  model: string;
  clockHz: number | null;
  stop: {
    reason: RunResult['reason'];
    pc: number;
    /** the function and offset of the PC, from the ELF's symbols */
    where: string | null;
    /** what stopped the run from outside: a timeout, Ctrl-C */
    stoppedBy: string | null;
    /** the program's exit code (semihosting SYS_EXIT / SYS_EXIT_EXTENDED) */
    exitCode: number | null;
    fault: FaultInfo | null;
  };
  instructions: number;
  cycles: number;
  /** cycles per instruction */
  cpi: number;
  /** cycles at the board's clock, in seconds (null without a clock) */
  seconds: number | null;
  /** stall cycles by cause: parts of `cycles` */
  stalls: Record<StallCause, number>;
  caches: (CacheStats & { hitRate: number | null })[];
  regions: RegionReport[];
  stack: StackReport | null;
  watches: WatchReport[];
  phases: PhaseReport[];
  profile: ProfileRow[] | null;
  /** peripheral addresses nobody models that the program touched */
  unmodelled: { address: number; window: string; reads: number; writes: number }[];
  /** semihosting calls refused (files outside --host-dir, SYS_SYSTEM) */
  refused: string[];
  warnings: string[];
}

export interface ReportInput {
  machine: Machine;
  program: string;
  result: RunResult;
  /** cycles and instructions of this run (the result's counts, when the machine ran before) */
  board?: { name: string; core: string; clockHz: number; regions: { name: string; kind: string }[] };
  /** name of the core when there is no board */
  core?: string;
  where?: (address: number) => string | undefined;
  stoppedBy?: string;
  exitCode?: number;
  memory?: MemoryStats;
  profile?: ProfileRow[];
  /** the loaded image's sections (to count image bytes per region) */
  image?: { address: number; bytes: Uint8Array }[];
  unmodelled?: { address: number; window: string; reads: number; writes: number }[];
  refused?: string[];
  warnings?: string[];
}

/** Build the report of a finished run (call the usage tracker's finish() first: the last phase is then closed). */
export function buildRunReport(x: ReportInput): RunReport {
  const m = x.machine, s = m.state, res = x.result;
  const usage = m.usage?.report();
  const stalls = {} as Record<StallCause, number>;
  STALL_CAUSES.forEach((c, i) => { stalls[c] = s.stall[i]!; });
  const kindOf = (name: string) => x.board?.regions.find((r) => r.name === name)?.kind ?? 'memory';
  const regions: RegionReport[] = m.bus.regions.map((r) => {
    const windows = [r, ...r.aliases];
    const u = usage?.regions.find((q) => q.name === r.name);
    let imageBytes = 0;
    for (const sec of x.image ?? []) {
      for (const w of windows) {
        const lo = Math.max(sec.address, w.base), hi = Math.min(sec.address + sec.bytes.length, w.end);
        if (hi > lo) imageBytes += hi - lo;
      }
    }
    return {
      name: r.name, kind: kindOf(r.name), base: r.base, size: r.size,
      reads: windows.reduce((a, w) => a + w.reads, 0), writes: windows.reduce((a, w) => a + w.writes, 0),
      imageBytes,
      lowest: u?.lowest ?? null, highest: u?.highest ?? null, bytesTouched: u?.bytesTouched ?? 0, highWater: u?.highWater ?? 0,
    };
  });
  const where = x.where?.(res.pc) ?? null;
  return {
    schema: RUN_REPORT_SCHEMA,
    program: x.program,
    board: x.board?.name ?? null,
    core: x.board?.core ?? x.core ?? 'cortex-m4',
    model: m.engine.model.name,
    clockHz: x.board?.clockHz ?? null,
    stop: {
      reason: res.reason, pc: res.pc, where, stoppedBy: x.stoppedBy ?? null, exitCode: x.exitCode ?? null, fault: res.fault ?? null,
    },
    instructions: res.instructions,
    cycles: res.cycles,
    cpi: res.instructions ? res.cycles / res.instructions : 0,
    seconds: x.board ? res.cycles / x.board.clockHz : null,
    stalls,
    caches: (x.memory?.caches ?? []).map((c) => ({ ...c, hitRate: c.accesses ? c.hits / c.accesses : null })),
    regions,
    stack: usage?.stack ?? null,
    watches: usage?.watches ?? [],
    phases: usage?.phases ?? [],
    profile: x.profile ?? null,
    unmodelled: x.unmodelled ?? [],
    refused: x.refused ?? [],
    warnings: x.warnings ?? [],
  };
}
