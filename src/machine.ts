/**
 * A Machine: a core (CpuState + Engine) on a bus. The library's way to load code, set registers, step, run and
 * look at the result. Boards (later) build richer machines; this one takes plain RAM regions.
 */
import { CpuState, itAdvance } from './cpu/state.js';
import { CpuFault, Trap } from './cpu/exceptions.js';
import { Engine, type Block } from './exec/engine.js';
import { FlatBus, type Bus, type RegionSpec } from './mem/flat.js';
import { RecordingBus, type TraceRecord } from './trace/trace.js';
import type { Profiler, Via } from './prof/profile.js';
import { UsageTracker } from './mem/usage.js';
import { SimCtl } from './sys/simctl.js';
import type { Device } from './mem/device.js';
import { cortexM4, type PipelineModel } from './timing/model.js';
import { disassemble } from './disasm/disasm.js';
import { parseRegName } from './isa/kinds.js';
import { ExceptionModel, exceptionName, type ExceptionOptions, type Stop } from './sys/exceptions.js';
import { Scs, SysTick, Dwt, CPUID_M4 } from './sys/scs.js';

export interface MachineOptions {
  /** memory regions; default DEFAULT_REGIONS */
  regions?: RegionSpec[];
  /** the core's pipeline model (src/timing/pipeline.ts); default the Cortex-M4's */
  model?: PipelineModel;
  /** initial SP; default the end of the highest region */
  initialSp?: number;
  /** memory-mapped devices (peripherals) */
  devices?: Device[];
  /**
   * The ARMv7-M exception model (src/sys/exceptions.ts) with the SCS (SysTick, NVIC, SCB) and DWT devices: `true`
   * or its options. Off by default: then faults, SVC and WFI stop the run as bare-metal snippets expect. With it on,
   * load() and reset() boot from the vector table (SP = word 0, PC = word 1).
   */
  exceptions?: boolean | ExceptionOptions;
  /** CPUID of the SCB (default Cortex-M4 r0p1) */
  cpuid?: number;
  /**
   * Memory usage tracking (src/mem/usage.ts: bytes touched and high-water marks per RAM region, the stack's lowest SP,
   * watched windows, phases marked through the simulator's register block at MCUSIM_BASE). Default true.
   */
  usage?: boolean;
  /** called at every reset (Machine.reset: load, SYSRESETREQ), after the system devices reset: the board's memory system */
  onReset?: () => void;
}

/**
 * Without a board: 4 MiB of code memory at 0 and 4 MiB of data memory at 0x20000000, the map of QEMU's mps2
 * boards (shared/reference/boards.md), so that programs written for them run here unchanged.
 */
export const DEFAULT_REGIONS: RegionSpec[] = [
  { name: 'code', base: 0x00000000, size: 4 << 20 },
  { name: 'sram', base: 0x20000000, size: 4 << 20 },
];

export type StopReason = 'limit' | 'halt' | 'bkpt' | 'svc' | 'wfi' | 'wfe' | 'fault';

export interface FaultInfo {
  kind: string;
  reason: string;
  message: string;
  address?: number;
  pc: number;
  /** the instruction at the PC as text, when it can be read */
  instruction?: string;
  /** exception model: R0-R15 and xPSR when the fault happened */
  registers?: number[];
  xpsr?: number;
  /** exception model: the handler that took the fault (HardFault when escalated) */
  exception?: string;
  escalated?: boolean;
  /** exception model: the core locked up (a fault in HardFault or NMI, or with FAULTMASK set) */
  lockup?: boolean;
  /** exception model: CFSR, HFSR, MMFAR, BFAR after the fault */
  status?: { cfsr: number; hfsr: number; mmfar: number; bfar: number };
}

export interface RunResult {
  reason: StopReason;
  /** instructions executed by this call */
  instructions: number;
  cycles: number;
  pc: number;
  fault?: FaultInfo;
  /** BKPT / SVC immediate */
  imm?: number;
  /** for reason 'limit': which budget ran out */
  limit?: 'instructions' | 'cycles';
}

export interface RunOptions {
  /** stop after this many instructions (default 100 M) */
  maxInstructions?: number;
  /** stop once this many cycles have passed (the last instruction may end a few cycles past it) */
  maxCycles?: number;
}

export interface LoadableImage {
  sections: { address: number; bytes: Uint8Array }[];
  entry?: number;
}

export type RegName = number | string;

interface Snap { pc: number; itstate: number; regs: number[]; xpsr: number }

export class Machine {
  readonly state = new CpuState();
  readonly bus: FlatBus;
  readonly engine: Engine;
  /** the exception model and the system devices, when on */
  readonly exceptions?: ExceptionModel;
  readonly systick?: SysTick;
  readonly scs?: Scs;
  readonly dwt?: Dwt;
  /** the bus view blocks use instead of bus.program while tracing (a RecordingBus), else null */
  private view: Bus | null = null;
  /** the last block the run loop called (the trace reads which instruction ran) */
  private lastBlock: Block | null = null;
  /**
   * The per-function profiler (src/prof/profile.ts), fed one event before every block while set. Blocks that loop
   * inside their function give one event for all their passes: the cycles land in the same function either way.
   */
  profiler: Profiler | null = null;
  /** how control reached the next block, for the profiler: set by exception entry and return */
  private via: Via = 'other';
  private viaFrom = 0;
  private viaAt = 0;
  /** faults taken by handlers, by exception number: reported when a run stops inside that handler */
  private faultReports = new Map<number, FaultInfo>();

  /** memory usage: high-water marks, bytes touched, stack, watched windows, phases (null with `usage: false`) */
  readonly usage: UsageTracker | null;
  private readonly onReset?: () => void;

  constructor(opts: MachineOptions = {}) {
    const devices = [...(opts.devices ?? [])];
    const st = this.state;
    const usage = opts.usage === false ? null : new UsageTracker();
    this.usage = usage;
    this.onReset = opts.onReset;
    // the marker block is always there (firmware that marks phases runs with usage tracking off too); the
    // instructions before the executing one are exact inside a block (s.ip is its index there)
    const peekByte = (a: number) => { try { return this.bus.peek(a, 1)[0]; } catch { return undefined; } };
    devices.push(new SimCtl(usage ?? { mark: () => {}, end: () => {} }, () => st.now(), () => st.icount + st.ip, peekByte));
    const model = opts.model ?? cortexM4();
    let ex: ExceptionModel | undefined;
    if (opts.exceptions) {
      const s = this.state;
      ex = new ExceptionModel(s, opts.exceptions === true ? {} : opts.exceptions, model.exceptions);
      const st = new SysTick(s, () => ex!.setPending(15));
      const dwt = new Dwt(s);
      const scs = new Scs(s, ex, st, dwt, opts.cpuid ?? CPUID_M4);
      devices.push(scs, dwt);
      this.exceptions = ex; this.systick = st; this.scs = scs; this.dwt = dwt;
      this.bus = new FlatBus(opts.regions ?? DEFAULT_REGIONS, devices);
      const bus = this.bus;
      // stacking goes through the program's view (MPU-checked while the MPU is on: MSTKERR/MUNSTKERR)
      ex.bus = { r32: (a) => bus.program.r32(a), w32: (a, v) => bus.program.w32(a, v) };
    } else {
      this.bus = new FlatBus(opts.regions ?? DEFAULT_REGIONS, devices);
    }
    this.engine = new Engine(this.state, this.bus, model);
    this.bus.clk = this.state;
    this.bus.unalignedCycles = model.unaligned;
    this.bus.unalignedStoreCycles = model.unalignedStores ?? model.unaligned;
    this.scs?.mpu.attach({ bus: this.bus, engine: this.engine }); // the MPU switches their access/fetch hooks
    const top = Math.max(...this.bus.regions.map((r) => r.end));
    this.state.r[13] = (opts.initialSp ?? top) & ~3;
    if (usage) { usage.trackAll(this.bus.regions); this.noteStack(); }
    if (ex) { this.systick!.reset(); this.dwt!.reset(); }
  }

  /**
   * Reset (B1.5.5 TakeReset): registers, modes and masks to their reset values, the system devices reset, then
   * SP_main = word 0 and PC = word 1 of the vector table (VTOR's reset value; 0 without the exception model),
   * EPSR.T = bit 0 of word 1 (0 makes the first instruction fault INVSTATE, as on silicon). Counters are kept.
   */
  reset(): void {
    const s = this.state;
    s.r.fill(0);
    s.r[14] = -1;
    s.apsr = 0; s.ipsr = 0; s.itstate = 0; s.primask = 0; s.faultmask = 0; s.basepri = 0; s.control = 0;
    s.otherSp = 0; s.exclusive = -1; s.event = 0; s.excRet = 0;
    s.divTrap = 0; s.unalignTrap = 0;
    this.exceptions?.reset(); this.systick?.reset(); this.dwt?.reset(); this.scs?.reset();
    this.onReset?.();
    this.faultReports.clear();
    const vt = this.exceptions?.vtor ?? 0;
    let sp: number, pc: number;
    try { sp = this.bus.r32(vt); pc = this.bus.r32(vt + 4); } catch {
      throw new RangeError(`reset: no memory at the vector table (0x${vt.toString(16)})`);
    }
    s.r[13] = sp & ~3;
    s.pc = (pc & ~1) >>> 0;
    s.t = pc & 1;
    this.noteStack();
  }

  /** The stack starts at the current SP (after a reset, or an SP set before the program runs). */
  private noteStack(): void {
    const s = this.state;
    s.spMin = s.r[13]! >>> 0;
    this.usage?.stackFrom(s.r[13]! >>> 0, () => s.spMin, () => { s.spMin = s.r[13]! >>> 0; });
  }

  /** Copy an image's sections into memory and set the PC to its entry (or the first section's address). */
  load(image: LoadableImage | Uint8Array, address = 0): void {
    const img: LoadableImage = image instanceof Uint8Array ? { sections: [{ address, bytes: image }] } : image;
    for (const s of img.sections) if (s.bytes.length) this.bus.load(s.address, s.bytes);
    this.engine.invalidate();
    if (this.exceptions) { this.reset(); return; }
    if (img.entry !== undefined) this.pc = img.entry;
    else if (img.sections.length) this.pc = img.sections[0]!.address;
  }

  private regIndex(r: RegName): number {
    if (typeof r === 'number') {
      if (!Number.isInteger(r) || r < 0 || r > 15) throw new RangeError(`register number ${r} out of range 0-15`);
      return r;
    }
    const n = parseRegName(r);
    if (n === undefined) throw new RangeError(`unknown register '${r}'`);
    return n;
  }
  /** Register value as an unsigned 32-bit number. */
  reg(r: RegName): number {
    const n = this.regIndex(r);
    return n === 15 ? this.state.pc >>> 0 : this.state.r[n]! >>> 0;
  }
  setReg(r: RegName, v: number): void {
    const n = this.regIndex(r);
    if (n === 15) this.pc = v;
    else this.state.r[n] = n === 13 ? v & ~3 : v;
    if (n === 13 && this.state.icount === 0) this.noteStack(); // the stack a bare program starts with
  }
  get regs(): number[] { return Array.from({ length: 16 }, (_, i) => this.reg(i)); }
  get pc(): number { return this.state.pc >>> 0; }
  set pc(v: number) { this.state.pc = (v & ~1) >>> 0; this.state.t = 1; this.state.itstate = 0; }
  get flags() { const s = this.state; return { n: s.n, z: s.z, c: s.c, v: s.v, q: s.q, ge: s.ge }; }
  get instructions(): number { return this.state.icount; }
  get cycles(): number { return this.state.cycles; }

  read8(a: number): number { return this.bus.r8(a); }
  read16(a: number): number { return this.bus.r16(a); }
  read32(a: number): number { return this.bus.r32(a) >>> 0; }
  readBytes(a: number, n: number): Uint8Array { return this.bus.peek(a, n); }
  write8(a: number, v: number): void { this.bus.w8(a, v); }
  write16(a: number, v: number): void { this.bus.w16(a, v); }
  write32(a: number, v: number): void { this.bus.w32(a, v); }
  writeBytes(a: number, b: Uint8Array): void { this.bus.load(a, b); this.engine.invalidate(); }

  step(): RunResult { return this.run({ maxInstructions: 1 }); }

  /**
   * Execute one instruction (with an exception entry or return that comes with it) and describe it: the record of
   * src/trace/trace.ts. Costs the same cycles as running (one-instruction blocks priced for the exact pipeline state).
   */
  traceStep(): { record: TraceRecord; result: RunResult } {
    const s = this.state;
    const regs0 = Array.from(s.r), flags0 = flagString(s), c0 = s.cycles, ipsr0 = s.ipsr;
    const rec = new RecordingBus(this.bus.program);
    this.view = rec;
    this.lastBlock = null;
    let result: RunResult;
    try { result = this.run({ maxInstructions: 1 }); } finally { this.view = null; }
    const b = this.lastBlock as Block | null;
    const pc = b ? b.info.addrs[0]! >>> 0 : (result.fault?.pc ?? s.pc) >>> 0;
    let bytes = '', text = '(none)';
    try {
      const d = disassemble(this.bus.peek(pc, 4), { address: pc, itstate: b ? b.info.its[0]! : s.itstate })[0];
      if (d) { text = d.text; bytes = d.size === 2 ? hw(d.bytes, 0) : `${hw(d.bytes, 0)} ${hw(d.bytes, 2)}`; }
    } catch { /* the PC is outside memory */ }
    const regs: [number, number, number][] = [];
    for (let i = 0; i < 15; i++) if (s.r[i] !== regs0[i]) regs.push([i, regs0[i]! >>> 0, s.r[i]! >>> 0]);
    const size = bytes.length > 4 ? 4 : 2;
    if (b && result.instructions > 0 && s.pc >>> 0 !== (pc + size) >>> 0) regs.push([15, pc, s.pc >>> 0]);
    const flags1 = flagString(s);
    const notes: string[] = [];
    if (s.ipsr !== ipsr0) notes.push(s.ipsr !== 0 ? `${exceptionName(s.ipsr)} entered` : 'returned to Thread mode');
    if (result.fault) notes.push(`${result.fault.kind} ${result.fault.reason}: ${result.fault.message}`);
    else if (result.reason !== 'limit') notes.push(`stop: ${result.reason}`);
    const record: TraceRecord = { pc, bytes, text, cycle: c0, cost: s.cycles - c0, regs, accesses: rec.accesses };
    if (flags1 !== flags0) record.flags = [flags0, flags1];
    if (notes.length) record.note = notes.join('; ');
    return { record, result };
  }

  /** Run until a stop: the instruction limit, a halt idiom (`b .`), BKPT, SVC, WFI/WFE, or a fault. */
  run(opts: RunOptions = {}): RunResult {
    const maxI = opts.maxInstructions ?? 100_000_000;
    if (opts.maxCycles === undefined) return this.runFor(maxI);
    // A cycle budget: run chunks of at most (cycles left) / 16 instructions, repeating until the target is met.
    // An instruction costs 1 to about 16 cycles, so a chunk rarely passes the target, and near the end the chunks
    // are single instructions: the run stops within one instruction's cost of the target.
    const s = this.state;
    const i0 = s.icount, c0 = s.cycles;
    for (;;) {
      const leftI = i0 + maxI - s.icount, leftC = c0 + opts.maxCycles - s.cycles;
      if (leftI <= 0 || leftC <= 0) {
        return { reason: 'limit', limit: leftI <= 0 ? 'instructions' : 'cycles', instructions: s.icount - i0, cycles: s.cycles - c0, pc: s.pc >>> 0 };
      }
      const r = this.runFor(Math.min(leftI, Math.max(1, Math.floor(leftC / 16))));
      if (r.reason !== 'limit') return { ...r, instructions: s.icount - i0, cycles: s.cycles - c0 };
    }
  }

  private runFor(max: number): RunResult {
    const r = this.exceptions ? this.runExceptions(max) : this.runBare(max);
    return r.reason === 'limit' ? { ...r, limit: 'instructions' } : r;
  }

  private runBare(max: number): RunResult {
    const s = this.state;
    const i0 = s.icount, c0 = s.cycles;
    const target = i0 + max;
    const done = (reason: StopReason, extra: Partial<RunResult> = {}): RunResult =>
      ({ reason, instructions: s.icount - i0, cycles: s.cycles - c0, pc: s.pc >>> 0, ...extra });
    try {
      while (s.icount < target) {
        if (s.t === 0) return this.fault(new CpuFault('UsageFault', 'INVSTATE', 'branch to an address with bit 0 clear (Thumb bit off)'), done);
        const remaining = target - s.icount;
        let b = this.engine.block(s.pc, s.itstate, false, s.ps);
        if (b.selfLoop) return done('halt');
        if (b.n > remaining) b = this.engine.block(s.pc, s.itstate, true, s.ps);
        s.codeChanged = 0;
        s.bcyc = b.info.cyclesBefore;
        if (this.profiler !== null) this.profileBlock();
        this.lastBlock = b;
        b.fn(s, this.view ?? this.bus.program, remaining); // bus.program: the MPU-checked view while the MPU is on
      }
      return done('limit');
    } catch (e) {
      if (e instanceof CpuFault) return this.fault(e, done);
      if (e instanceof Trap) {
        if (e.kind === 'bkpt') return done('bkpt', { imm: e.imm });
        // SVC, WFI, WFE complete: step past them
        const size = e.kind === 'svc' ? 2 : this.instrSizeAt(s.pc);
        s.pc = (s.pc + size) >>> 0;
        s.itstate = itAdvance(s.itstate);
        s.icount += 1;
        s.cycles += 1;
        s.ps = 0;
        return done(e.kind, { imm: e.imm });
      }
      throw e;
    }
  }

  /** run() with the exception model on: faults, SVC, interrupts and exception returns go through it. */
  private runExceptions(max: number): RunResult {
    const s = this.state, ex = this.exceptions!, st = this.systick!;
    const i0 = s.icount, c0 = s.cycles;
    const target = i0 + max;
    const done = (reason: StopReason, extra: Partial<RunResult> = {}): RunResult => {
      const r: RunResult = { reason, instructions: s.icount - i0, cycles: s.cycles - c0, pc: s.pc >>> 0, ...extra };
      // a stop inside a fault handler reports the fault that led there
      if (!r.fault && s.ipsr !== 0) { const f = this.faultReports.get(s.ipsr); if (f) r.fault = f; }
      return r;
    };
    const stopped = (stop: Stop, snap: Snap) => done('fault', { fault: this.faultInfo(stop, snap) });
    const fault = (e: CpuFault): RunResult | undefined => {
      const snap = this.snap();
      this.noteException(s.pc);
      const stop = ex.fault(e, s.pc);
      if (stop) return stopped(stop, snap);
      const taken = ex.taken.get(s.ipsr);
      if (taken) this.faultReports.set(s.ipsr, { ...this.faultInfo(taken, snap), exception: taken.exception, escalated: taken.escalated });
      return undefined;
    };
    while (s.icount < target) {
      if (ex.resetRequested) this.reset();
      if (st.enable === 1) st.sync();
      const n = ex.preempting();
      if (n !== 0) { const snap = this.snap(); this.noteException(s.pc); const stop = ex.enter(n, s.pc); if (stop) return stopped(stop, snap); }
      if (s.t === 0) {
        const r = fault(new CpuFault('UsageFault', 'INVSTATE', 'branch to an address with bit 0 clear (Thumb bit off)'));
        if (r) return r;
        continue;
      }
      const remaining = target - s.icount;
      let b = this.engine.block(s.pc, s.itstate, false, s.ps);
      // SysTick can interrupt: bound in-block loops to about the cycles until its next event
      const wakes = st.enable === 1 && st.tickint === 1 && ex.couldPreempt(15);
      if (b.selfLoop && !wakes) return done('halt');
      let budget = remaining;
      if (wakes) budget = Math.min(remaining, Math.max(1, Math.ceil(st.cyclesToEvent() / Math.max(1, b.cycles))) * b.n);
      if (b.n > remaining) b = this.engine.block(s.pc, s.itstate, true, s.ps);
      s.codeChanged = 0;
      s.bcyc = b.info.cyclesBefore;
      try {
        if (this.profiler !== null) this.profileBlock();
        this.lastBlock = b;
        b.fn(s, this.view ?? this.bus.program, budget);
      } catch (e) {
        if (e instanceof CpuFault) { const r = fault(e); if (r) return r; continue; }
        if (!(e instanceof Trap)) throw e;
        if (e.kind === 'bkpt') return done('bkpt', { imm: e.imm });
        const snap = this.snap();
        s.pc = (s.pc + (e.kind === 'svc' ? 2 : this.instrSizeAt(s.pc))) >>> 0;
        s.itstate = itAdvance(s.itstate);
        s.icount += 1;
        s.cycles += 1;
        s.ps = 0;
        if (e.kind === 'svc') { this.noteException(snap.pc); const stop = ex.svc(e.imm); if (stop) return stopped(stop, snap); continue; }
        // WFI/WFE: wake on an exception that would preempt if PRIMASK were 0; sleep until SysTick's next event
        st.sync();
        if (ex.preempting(true) !== 0) continue;
        if (st.enable === 1 && st.tickint === 1 && ex.couldPreempt(15, true)) { s.cycles += st.cyclesToEvent(); st.sync(); continue; }
        return done(e.kind, { imm: e.imm });
      }
      if (s.excRet !== 0) {
        const v = s.excRet;
        s.excRet = 0;
        if (s.ipsr !== 0) {
          const snap = this.snap(), from = s.ipsr;
          if (this.profiler !== null) { this.via = 'exception-return'; this.viaAt = s.cycles; }
          const stop = ex.exceptionReturn(v);
          if (stop) return stopped(stop, snap);
          if (!ex.active[from]) this.faultReports.delete(from);
        }
      }
    }
    return done('limit');
  }

  /** An exception entry is about to happen at `from` (the profiler's next event is its handler). */
  private noteException(from: number): void {
    if (this.profiler === null) return;
    // an entry right after a return, with no block between: a tail chain
    this.via = this.via === 'exception-return' ? 'tail-chain' : 'exception';
    this.viaFrom = from >>> 0;
    if (this.via === 'exception') this.viaAt = this.state.cycles; // entry cycles belong to the handler
  }

  /** The profiler's event for the block about to run. */
  private profileBlock(): void {
    const s = this.state, prev = this.lastBlock;
    let via = this.via;
    let now = s.cycles;
    if (via !== 'other') now = this.viaAt;
    else if (prev !== null && prev.endsWithCall) {
      // the previous block's last instruction was BL/BLX: a call when it was taken (LR = the address after it)
      const after = prev.info.addrs[prev.n - 1]! + (prev.lastSize);
      if ((s.r[14]! & ~1) >>> 0 === after >>> 0 && s.pc >>> 0 !== after >>> 0) via = 'call';
    }
    this.profiler!.block(s.pc >>> 0, s.r[13]! >>> 0, s.r[14]! >>> 0, now, via, this.viaFrom);
    this.via = 'other';
  }

  private snap(): Snap {
    return { pc: this.state.pc >>> 0, itstate: this.state.itstate, regs: this.regs, xpsr: this.state.xpsr };
  }

  private faultInfo(stop: Stop | { kind: string; reason: string; message: string; address?: number; lockup?: boolean }, snap: Snap): FaultInfo {
    const ex = this.exceptions!;
    let instruction: string | undefined;
    try { instruction = disassemble(this.bus.peek(snap.pc, 4), { address: snap.pc, itstate: snap.itstate })[0]?.text; } catch { /* PC outside memory */ }
    const f: FaultInfo = {
      kind: stop.kind, reason: stop.reason, message: stop.message, address: stop.address, pc: snap.pc, instruction,
      registers: snap.regs, xpsr: snap.xpsr, status: { cfsr: ex.cfsr >>> 0, hfsr: ex.hfsr >>> 0, mmfar: ex.mmfar >>> 0, bfar: ex.bfar >>> 0 },
    };
    if (stop.lockup) f.lockup = true;
    if (f.address === undefined) delete f.address;
    return f;
  }

  /** name of the exception the core is handling, or 'Thread' */
  get mode(): string { return this.state.ipsr === 0 ? 'Thread' : exceptionName(this.state.ipsr); }

  private instrSizeAt(a: number): number {
    const hw = this.bus.fetch16(a);
    return hw !== undefined && (hw & 0xf800) >= 0xe800 ? 4 : 2;
  }

  private fault(e: CpuFault, done: (r: StopReason, x?: Partial<RunResult>) => RunResult): RunResult {
    const pc = this.state.pc >>> 0;
    let instruction: string | undefined;
    try { instruction = disassemble(this.bus.peek(pc, 4), { address: pc, itstate: this.state.itstate })[0]?.text; } catch { /* PC outside memory */ }
    return done('fault', { fault: { kind: e.kind, reason: e.reason, message: e.message, address: e.address, pc, instruction } });
  }
}

function flagString(s: CpuState): string {
  return (s.n ? 'N' : '-') + (s.z ? 'Z' : '-') + (s.c ? 'C' : '-') + (s.v ? 'V' : '-') + (s.q ? 'Q' : '-') + ' GE=' + s.ge.toString(2).padStart(4, '0');
}
function hw(b: Uint8Array, i: number): string { return ((b[i]! | (b[i + 1]! << 8)) >>> 0).toString(16).padStart(4, '0'); }

export function createMachine(opts: MachineOptions = {}): Machine {
  return new Machine(opts);
}
