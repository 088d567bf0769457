/**
 * The ARMv7-M exception model (ARMv7-M ARM DDI 0403E B1.5): pending and active state per exception number,
 * priorities (SHPR, NVIC IPR, AIRCR.PRIGROUP), the execution priority with PRIMASK/FAULTMASK/BASEPRI (B1.5.4),
 * exception entry (PushStack + ExceptionTaken, B1.5.6), exception return (ExceptionReturn + PopStack, B1.5.8),
 * tail chaining, fault escalation to HardFault and the fault status registers (CFSR, HFSR, MMFAR, BFAR, B3.2.15-19).
 *
 * The machine (src/machine.ts) calls in here between blocks: `preempting()` gives the pending exception that beats
 * the execution priority, `enter()` takes it, `fault()` turns a CpuFault into the exception that handles it,
 * `exceptionReturn()` performs the return the engine flagged in s.excRet. Anything that cannot go on (a vector
 * that is 0, lockup, a stacking error) comes back as a `Stop` for the machine to report.
 *
 * Choices where the manual leaves room: priority bits (default 8, option), CCR.STKALIGN resets to 1 (Cortex-M4/M7),
 * a stacking or unstacking bus error stops the run (STKERR/UNSTKERR set) instead of taking a derived exception,
 * an escalated SVC stacks the address after the SVC, instruction fetches from the default memory map's
 * execute-never regions are MemManage IACCVIOL. With the MPU (src/sys/mpu.ts, B3.5) vector reads bypass it (the
 * default memory map); stacking and unstacking are checked and a denial stops the run with MSTKERR/MUNSTKERR.
 */
import type { CpuState } from '../cpu/state.js';
import { CpuFault } from '../cpu/exceptions.js';
import type { Bus } from '../mem/flat.js';
import { EXCEPTION_CYCLES_M4, type ExceptionCycles } from '../timing/model.js';
import { STALL } from '../timing/clock.js';

export const EXC = {
  Reset: 1, NMI: 2, HardFault: 3, MemManage: 4, BusFault: 5, UsageFault: 6, SVCall: 11, DebugMonitor: 12,
  PendSV: 14, SysTick: 15,
} as const;

export function exceptionName(n: number): string {
  switch (n) {
    case 1: return 'Reset'; case 2: return 'NMI'; case 3: return 'HardFault'; case 4: return 'MemManage';
    case 5: return 'BusFault'; case 6: return 'UsageFault'; case 11: return 'SVCall'; case 12: return 'DebugMonitor';
    case 14: return 'PendSV'; case 15: return 'SysTick';
    default: return n >= 16 ? `IRQ${n - 16}` : `exception ${n}`;
  }
}

/** CFSR bits (B3.2.15): MMFSR 7:0, BFSR 15:8, UFSR 31:16. */
export const CFSR = {
  IACCVIOL: 1 << 0, DACCVIOL: 1 << 1, MUNSTKERR: 1 << 3, MSTKERR: 1 << 4, MLSPERR: 1 << 5, MMARVALID: 1 << 7,
  IBUSERR: 1 << 8, PRECISERR: 1 << 9, IMPRECISERR: 1 << 10, UNSTKERR: 1 << 11, STKERR: 1 << 12, LSPERR: 1 << 13,
  BFARVALID: 1 << 15,
  UNDEFINSTR: 1 << 16, INVSTATE: 1 << 17, INVPC: 1 << 18, NOCP: 1 << 19, UNALIGNED: 1 << 24, DIVBYZERO: 1 << 25,
} as const;
/** HFSR bits (B3.2.16) */
export const HFSR = { VECTTBL: 1 << 1, FORCED: 1 << 30, DEBUGEVT: 1 << 31 } as const;
/** CCR bits (B3.2.8) */
export const CCR = { NONBASETHRDENA: 1 << 0, USERSETMPEND: 1 << 1, UNALIGN_TRP: 1 << 3, DIV_0_TRP: 1 << 4, BFHFNMIGN: 1 << 8, STKALIGN: 1 << 9 } as const;
/** SHCSR bits (B3.2.13) */
export const SHCSR = {
  MEMFAULTACT: 1 << 0, BUSFAULTACT: 1 << 1, USGFAULTACT: 1 << 3, SVCALLACT: 1 << 7, MONITORACT: 1 << 8,
  PENDSVACT: 1 << 10, SYSTICKACT: 1 << 11, USGFAULTPENDED: 1 << 12, MEMFAULTPENDED: 1 << 13, BUSFAULTPENDED: 1 << 14,
  SVCALLPENDED: 1 << 15, MEMFAULTENA: 1 << 16, BUSFAULTENA: 1 << 17, USGFAULTENA: 1 << 18,
} as const;

export interface ExceptionOptions {
  /** VTOR's reset value (where the vector table is); default 0 */
  vectorTable?: number;
  /** implemented priority bits, 3..8 (the low bits of every priority field read as zero); default 8 */
  priorityBits?: number;
  /** external interrupts (IRQ0..IRQn-1), 1..240; default 240 */
  interrupts?: number;
}

/** Why the core cannot go on: reported by the machine as a 'fault' stop. */
export interface Stop {
  kind: string;
  reason: string;
  message: string;
  address?: number;
  /** the core locked up (a fault at priority -1 or -2: in HardFault or NMI, or with FAULTMASK set) */
  lockup?: boolean;
}

/** The fault a handler took, kept for the report of a later stop inside that handler. */
export interface TakenFault {
  kind: string;
  reason: string;
  message: string;
  address?: number;
  /** the exception that took it (HardFault when escalated) */
  exception: string;
  escalated: boolean;
}

const FAULT_BIT: Record<string, number> = {
  UNDEFINSTR: CFSR.UNDEFINSTR, INVSTATE: CFSR.INVSTATE, INVPC: CFSR.INVPC, NOCP: CFSR.NOCP,
  UNALIGNED: CFSR.UNALIGNED, DIVBYZERO: CFSR.DIVBYZERO,
  IBUSERR: CFSR.IBUSERR, PRECISERR: CFSR.PRECISERR, IMPRECISERR: CFSR.IMPRECISERR, STKERR: CFSR.STKERR, UNSTKERR: CFSR.UNSTKERR,
  IACCVIOL: CFSR.IACCVIOL, DACCVIOL: CFSR.DACCVIOL, MSTKERR: CFSR.MSTKERR, MUNSTKERR: CFSR.MUNSTKERR,
};

/** Default memory map execute-never regions (B3.1, table B3-1): Peripheral, Device, System. */
export function executeNever(a: number): boolean {
  a >>>= 0;
  return (a >= 0x40000000 && a < 0x60000000) || a >= 0xa0000000;
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export class ExceptionModel {
  readonly nExceptions: number;
  readonly pending = new Uint8Array(256);
  readonly active = new Uint8Array(256);
  /** configurable priorities (exceptions 4..255) */
  readonly prio = new Uint8Array(256);
  /** NVIC enables, per exception number (16+) */
  readonly enabled = new Uint8Array(256);
  readonly priorityBits: number;
  readonly resetVtor: number;
  vtor = 0;
  prigroup = 0;
  ccr = CCR.STKALIGN;
  scr = 0;
  /** SHCSR enable bits (MEMFAULTENA, BUSFAULTENA, USGFAULTENA) */
  faultEnables = 0;
  cfsr = 0;
  hfsr = 0;
  mmfar = 0;
  bfar = 0;
  /** AIRCR.SYSRESETREQ written: the machine resets at the next boundary */
  resetRequested = false;
  /** per active exception number: the fault that led there */
  readonly taken = new Map<number, TakenFault>();
  cycles: ExceptionCycles;
  /** s.icount at the last exception return: an entry with no instruction between is a tail chain */
  private returnedAt = -1;
  private returnCost = 0;

  /** the MPU, when there is one: vector reads bypass it */
  mpu?: { bypass: boolean };
  /** the bus the stack frames and vectors are read and written through (set by the machine once built) */
  bus!: Pick<Bus, 'r32' | 'w32'>;

  constructor(readonly s: CpuState, opts: ExceptionOptions = {}, cycles?: ExceptionCycles) {
    const bits = opts.priorityBits ?? 8;
    if (!(bits >= 3 && bits <= 8)) throw new RangeError(`priorityBits ${bits} out of range 3-8`);
    const irqs = opts.interrupts ?? 240;
    if (!(irqs >= 1 && irqs <= 240)) throw new RangeError(`interrupts ${irqs} out of range 1-240`);
    this.priorityBits = bits;
    this.nExceptions = 16 + irqs;
    this.resetVtor = (opts.vectorTable ?? 0) & 0xffffff80;
    this.cycles = cycles ?? EXCEPTION_CYCLES_M4;
    this.reset();
  }

  reset(): void {
    this.pending.fill(0); this.npending = 0; this.active.fill(0); this.prio.fill(0); this.enabled.fill(0);
    this.vtor = this.resetVtor >>> 0;
    this.prigroup = 0;
    this.ccr = CCR.STKALIGN;
    this.scr = 0;
    this.faultEnables = 0;
    this.cfsr = 0; this.hfsr = 0; this.mmfar = 0; this.bfar = 0;
    this.resetRequested = false;
    this.taken.clear();
    this.returnedAt = -1;
    this.applyCcr();
  }

  /** mask of the implemented bits of a priority field */
  get prioMask(): number { return (0xff << (8 - this.priorityBits)) & 0xff; }

  setCcr(v: number): void {
    // STKALIGN is writable on ARMv7-M (B3.2.8); the other bits as listed
    this.ccr = v & (CCR.NONBASETHRDENA | CCR.USERSETMPEND | CCR.UNALIGN_TRP | CCR.DIV_0_TRP | CCR.BFHFNMIGN | CCR.STKALIGN);
    this.applyCcr();
  }
  private applyCcr(): void {
    this.s.unalignTrap = this.ccr & CCR.UNALIGN_TRP ? 1 : 0;
    this.s.divTrap = this.ccr & CCR.DIV_0_TRP ? 1 : 0;
  }

  // ---------------------------------------------------------------- priorities (B1.5.4)

  /** ExceptionPriority: -3, -2, -1 for Reset, NMI, HardFault, else the programmed value */
  priority(n: number): number {
    if (n === 1) return -3;
    if (n === 2) return -2;
    if (n === 3) return -1;
    return this.prio[n]!;
  }
  /** the group priority: the priority with its subpriority bits (AIRCR.PRIGROUP) cleared */
  group(p: number): number {
    if (p < 0) return p;
    const gv = 2 << this.prigroup;
    return p - (p % gv);
  }
  /** ExecutionPriority() of B1.5.4 */
  executionPriority(ignorePrimask = false): number {
    let highest = 256;
    for (let n = 2; n < this.nExceptions; n++) {
      if (this.active[n] && this.priority(n) < highest) highest = this.priority(n);
    }
    highest = this.group(highest === 256 ? 256 : highest);
    let boosted = 256;
    const s = this.s;
    if ((s.basepri & 0xff) !== 0) boosted = this.group(s.basepri & 0xff);
    if (s.primask & 1 && !ignorePrimask) boosted = 0;
    if (s.faultmask & 1) boosted = -1;
    return Math.min(highest, boosted);
  }
  activeCount(): number {
    let k = 0;
    for (let n = 1; n < this.nExceptions; n++) if (this.active[n]) k++;
    return k;
  }

  /** how many exceptions are pending: lets the machine skip the priority scan between blocks when none is */
  npending = 0;
  /** Set or clear exception n's pending bit (every change goes through here, to keep npending). */
  setPending(n: number, v = 1): void {
    if (n > 0 && n < this.nExceptions && this.pending[n] !== (v ? 1 : 0)) {
      this.pending[n] = v ? 1 : 0;
      this.npending += v ? 1 : -1;
    }
  }
  /** the pending exception taken next (lowest priority value, then lowest number), 0 when none (ICSR.VECTPENDING) */
  highestPending(): number {
    if (this.npending === 0) return 0;
    let best = 0, bp = 1000;
    for (let n = 2; n < this.nExceptions; n++) {
      if (!this.pending[n]) continue;
      if (n >= 16 && !this.enabled[n]) continue;
      const p = this.priority(n);
      if (p < bp) { bp = p; best = n; }
    }
    return best;
  }
  /** the pending exception that preempts the current execution priority now, or 0 */
  preempting(ignorePrimask = false): number {
    const n = this.highestPending();
    if (n === 0) return 0;
    return this.group(this.priority(n)) < this.executionPriority(ignorePrimask) ? n : 0;
  }
  /** would exception n preempt now (ignoring PRIMASK when asked: the WFI wake-up rule) */
  couldPreempt(n: number, ignorePrimask = false): boolean {
    return this.group(this.priority(n)) < this.executionPriority(ignorePrimask);
  }

  // ---------------------------------------------------------------- entry (B1.5.6)

  /**
   * Take exception n: PushStack with `returnAddress`, then ExceptionTaken. A vector that is 0 stops instead (state
   * unchanged), as does a stacking error or an unreadable vector. `lrOverride`: ExceptionTaken without PushStack (the
   * INVPC fault of an exception return, whose LR is given).
   */
  enter(n: number, returnAddress: number, lrOverride?: number): Stop | undefined {
    const s = this.s;
    let vector: number;
    const mpu = this.mpu;
    if (mpu) mpu.bypass = true; // vector reads use the default memory map (B3.5.1)
    try { vector = this.bus.r32((this.vtor + 4 * n) >>> 0) >>> 0; } catch {
      if (mpu) mpu.bypass = false;
      this.hfsr |= HFSR.VECTTBL;
      return { kind: 'HardFault', reason: 'VECTTBL', message: `${exceptionName(n)}: vector table read at ${hex(this.vtor + 4 * n)} failed (HFSR.VECTTBL)`, address: (this.vtor + 4 * n) >>> 0 };
    }
    if (mpu) mpu.bypass = false;
    if (vector === 0) {
      return { kind: exceptionName(n), reason: 'NOVECTOR', message: `no handler for ${exceptionName(n)} (vector ${n} at ${hex(this.vtor + 4 * n)} is 0)` };
    }
    if (lrOverride === undefined) {
      const err = this.pushStack(returnAddress);
      if (err) return err;
    } else {
      s.r[14] = lrOverride | 0;
    }
    // cycles: entry, or a tail chain when nothing ran since the last return
    const c = this.cycles;
    const add = this.returnedAt === s.icount ? c.tailChain - this.returnCost : c.entry;
    s.cycles += add;
    s.stall[STALL.exception] += add;
    s.ps = 0; // the pipeline refills from the handler
    this.returnedAt = -1;
    // ExceptionTaken
    const msp = s.msp, psp = s.psp;
    s.ipsr = n;
    s.control &= ~2;
    this.placeSp(msp, psp);
    s.pc = (vector & ~1) >>> 0;
    s.t = vector & 1;
    s.itstate = 0;
    this.active[n] = 1;
    this.setPending(n, 0);
    s.exclusive = -1;
    s.event = 1;
    return undefined;
  }

  /** put MSP and PSP back in r[13]/otherSp for the current mode and SPSEL */
  private placeSp(msp: number, psp: number): void {
    const s = this.s;
    if (s.usingPsp) { s.r[13] = psp & ~3; s.otherSp = msp & ~3; }
    else { s.r[13] = msp & ~3; s.otherSp = psp & ~3; }
  }

  private pushStack(returnAddress: number): Stop | undefined {
    const s = this.s;
    const usePsp = s.usingPsp;
    const sp = (usePsp ? s.psp : s.msp) >>> 0;
    const force = this.ccr & CCR.STKALIGN ? 1 : 0;
    const realign = (sp >>> 2) & 1 & force;
    const frame = ((sp - 0x20) & ~(force ? 7 : 3)) >>> 0;
    const xpsr = ((s.xpsr & ~(1 << 9)) | (realign << 9)) >>> 0;
    const words = [s.r[0]!, s.r[1]!, s.r[2]!, s.r[3]!, s.r[12]!, s.r[14]!, returnAddress | 0, xpsr | 0];
    try {
      for (let i = 0; i < 8; i++) this.bus.w32(frame + 4 * i, words[i]!);
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      if (e.kind === 'MemManage') { // the MPU denied a stacking write
        this.cfsr |= CFSR.MSTKERR;
        return { kind: 'MemManage', reason: 'MSTKERR', message: `exception stacking at ${hex(frame)} failed: ${e.message}`, address: frame };
      }
      this.cfsr |= CFSR.STKERR;
      return { kind: 'BusFault', reason: 'STKERR', message: `exception stacking at ${hex(frame)} failed: ${e.message}`, address: frame };
    }
    if (usePsp) s.psp = frame; else s.msp = frame;
    s.r[14] = s.handlerMode ? 0xfffffff1 | 0 : usePsp ? 0xfffffffd | 0 : 0xfffffff9 | 0;
    return undefined;
  }

  // ---------------------------------------------------------------- return (B1.5.8)

  /** ExceptionReturn(EXC_RETURN) from Handler mode. */
  exceptionReturn(exc: number): Stop | undefined {
    const s = this.s;
    exc >>>= 0;
    const n = s.ipsr;
    const type = exc & 15;
    const invpc = (why: string): Stop | undefined => {
      // B1.5.8: DeActivate, UFSR.INVPC, LR = EXC_RETURN, ExceptionTaken(UsageFault) without stacking
      this.deactivate(n);
      return this.fault(new CpuFault('UsageFault', 'INVPC', `exception return with EXC_RETURN ${hex(exc)}: ${why}`), s.pc, exc);
    };
    if ((exc & 0x0ffffff0) !== 0x0ffffff0) return invpc('bits 27:4 are not all ones');
    if (!this.active[n]) return invpc(`${exceptionName(n)} is not active`);
    const nested = this.activeCount();
    let toThread: boolean, usePsp: boolean;
    if (type === 0x1) { toThread = false; usePsp = false; }
    else if (type === 0x9 || type === 0xd) {
      if (nested !== 1 && !(this.ccr & CCR.NONBASETHRDENA)) return invpc('return to Thread mode with other exceptions active');
      toThread = true; usePsp = type === 0xd;
    } else return invpc('reserved return type');
    const msp0 = s.msp >>> 0, psp0 = s.psp >>> 0;
    const frame = usePsp ? psp0 : msp0;
    const w: number[] = [];
    try {
      for (let i = 0; i < 8; i++) w.push(this.bus.r32(frame + 4 * i));
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      if (e.kind === 'MemManage') {
        this.cfsr |= CFSR.MUNSTKERR;
        return { kind: 'MemManage', reason: 'MUNSTKERR', message: `exception unstacking at ${hex(frame)} failed: ${e.message}`, address: frame };
      }
      this.cfsr |= CFSR.UNSTKERR;
      return { kind: 'BusFault', reason: 'UNSTKERR', message: `exception unstacking at ${hex(frame)} failed: ${e.message}`, address: frame };
    }
    this.deactivate(n);
    const psr = w[7]! >>> 0;
    const force = this.ccr & CCR.STKALIGN ? 1 : 0;
    const spmask = ((psr >>> 9) & 1 & force) << 2;
    const newSp = ((frame + 0x20) | spmask) >>> 0;
    s.r[0] = w[0]!; s.r[1] = w[1]!; s.r[2] = w[2]!; s.r[3] = w[3]!; s.r[12] = w[4]!; s.r[14] = w[5]!;
    s.ipsr = psr & 0x1ff;
    s.control = (s.control & ~2) | (usePsp ? 2 : 0);
    this.placeSp(usePsp ? msp0 : newSp, usePsp ? newSp : psp0);
    s.apsr = psr & 0xf80f0000;
    s.t = (psr >>> 24) & 1;
    s.itstate = ((psr >>> 25) & 3) | (((psr >>> 10) & 0x3f) << 2);
    s.pc = (w[6]! & ~1) >>> 0;
    s.exclusive = -1;
    s.event = 1;
    this.taken.delete(n);
    s.cycles += this.cycles.return;
    s.stall[STALL.exception] += this.cycles.return;
    s.ps = 0;
    this.returnedAt = s.icount;
    this.returnCost = this.cycles.return;
    if (toThread === (s.ipsr !== 0)) {
      // the stacked IPSR does not match the return type: INVPC on the restored state (B1.5.8)
      return this.fault(new CpuFault('UsageFault', 'INVPC', `exception return to ${toThread ? 'Thread' : 'Handler'} mode with stacked IPSR ${s.ipsr}`), s.pc);
    }
    return undefined;
  }

  private deactivate(n: number): void {
    this.active[n] = 0;
    if (n !== 2) this.s.faultmask = 0;
  }

  // ---------------------------------------------------------------- faults

  /**
   * A synchronous fault at `returnAddress` (the faulting instruction, or the one after an SVC): set the status
   * registers, take the fault's own exception when it is enabled and its priority beats the execution priority,
   * else escalate to HardFault (HFSR.FORCED), else lock up.
   */
  fault(e: CpuFault, returnAddress: number, lrOverride?: number): Stop | undefined {
    let kind: string = e.kind, reason = e.reason;
    // instruction fetches from execute-never regions of the default memory map are MemManage IACCVIOL
    if (reason === 'IBUSERR' && e.address !== undefined && executeNever(e.address)) { kind = 'MemManage'; reason = 'IACCVIOL'; }
    let n: number;
    switch (kind) {
      case 'UsageFault': n = EXC.UsageFault; break;
      case 'BusFault': n = EXC.BusFault; break;
      case 'MemManage': n = EXC.MemManage; break;
      case 'SVCall': n = EXC.SVCall; break;
      default: n = EXC.HardFault;
    }
    const bit = FAULT_BIT[reason] ?? 0;
    this.cfsr |= bit;
    if (reason === 'PRECISERR' && e.address !== undefined) { this.bfar = e.address >>> 0; this.cfsr |= CFSR.BFARVALID; }
    if ((reason === 'DACCVIOL') && e.address !== undefined) { this.mmfar = e.address >>> 0; this.cfsr |= CFSR.MMARVALID; }
    const enaBit = n === 6 ? SHCSR.USGFAULTENA : n === 5 ? SHCSR.BUSFAULTENA : n === 4 ? SHCSR.MEMFAULTENA : 0;
    const enabled = n === 11 || n === 3 || (this.faultEnables & enaBit) !== 0;
    const exec = this.executionPriority();
    let escalated = false;
    if (n !== 3 && !(enabled && this.group(this.priority(n)) < exec)) { n = 3; escalated = true; }
    if (n === 3 && exec <= -1) {
      return { kind, reason, message: `lockup: ${e.message} while at priority ${exec} (${exceptionName(this.s.ipsr)})`, address: e.address, lockup: true };
    }
    if (escalated) this.hfsr |= HFSR.FORCED;
    const stop = this.enter(n, returnAddress, lrOverride);
    if (stop) {
      if (stop.reason === 'NOVECTOR') return { kind, reason, message: `${e.message}; ${stop.message}`, address: e.address };
      return stop;
    }
    if (kind !== 'SVCall') this.taken.set(n, { kind, reason, message: e.message, address: e.address, exception: exceptionName(n), escalated });
    return undefined;
  }

  /** SVC executed; the PC is already past it. */
  svc(imm: number): Stop | undefined {
    return this.fault(new CpuFault('SVCall' as never, 'SVC', `svc #${imm}`), this.s.pc);
  }
}
