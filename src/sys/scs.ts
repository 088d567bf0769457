/**
 * The System Control Space (ARMv7-M ARM B3.2-B3.4) as memory-mapped devices: one device at 0xE000E000 (4 KB)
 * with ICTR, ACTLR, SysTick (B3.3), the NVIC (B3.4: ISER, ICER, ISPR, ICPR, IABR, IPR), the SCB (B3.2: CPUID,
 * ICSR, VTOR, AIRCR, SCR, CCR, SHPR1-3, SHCSR, CFSR, HFSR, DFSR, MMFAR, BFAR, AFSR, CPACR), DEMCR and STIR; and
 * the DWT at 0xE0001000 (C1.8) with CTRL and CYCCNT.
 *
 * SysTick counts the core clock: the model's cycles (s.now(): exact inside a running block too). It is evaluated lazily: `sync()` advances the counter
 * by the cycles run since the last sync, reloading, setting COUNTFLAG and pending the SysTick exception when TICKINT
 * is set. The machine syncs at block boundaries; register reads sync too (the cycles of the running block are
 * added when it leaves, so a read inside a block sees the count at the block's start). CLKSOURCE reads 1 and the
 * counter always uses the processor clock (no external reference clock: CALIB.NOREF = 1).
 *
 * DWT.CYCCNT counts the model's cycles (s.now()) while DWT_CTRL.CYCCNTENA and DEMCR.TRCENA are both set (as on silicon, where the DWT is
 * powered by TRCENA). The other DWT counters and comparators read as zero.
 *
 * Accesses: word accesses everywhere; byte and halfword accesses to IPR and SHPR1-3 (byte-accessible registers)
 * and to the CFSR's subregisters. Unprivileged accesses are BusFaults, except STIR writes with CCR.USERSETMPEND.
 * Reserved addresses read as zero and ignore writes. Writes that can change what is pending, enabled or masked set
 * s.codeChanged so the running block leaves right after the store and a newly pending exception is taken at once.
 */
import type { Device } from '../mem/device.js';
import type { CpuState } from '../cpu/state.js';
import { CpuFault } from '../cpu/exceptions.js';
import { CCR, EXC, SHCSR, type ExceptionModel } from './exceptions.js';
import { Mpu } from './mpu.js';
import type { CacheControl } from './cachectl.js';

export const SCS_BASE = 0xe000e000;
export const DWT_BASE = 0xe0001000;
/** CPUID values (B3.2.3): Cortex-M4 r0p1, Cortex-M7 r1p2 */
export const CPUID_M4 = 0x410fc241;
export const CPUID_M7 = 0x411fc272;

export class SysTick {
  enable = 0; tickint = 0; countflag = 0;
  rvr = 0; cvr = 0;
  private synced = 0;
  constructor(readonly s: CpuState, readonly pend: () => void) {}

  reset(): void { this.enable = 0; this.tickint = 0; this.countflag = 0; this.rvr = 0; this.cvr = 0; this.synced = this.s.now(); }

  /** Advance the counter to s.cycles. */
  sync(): void {
    const now = this.s.now();
    let d = now - this.synced;
    this.synced = now;
    if (!this.enable || d <= 0) return;
    let v = this.cvr;
    if (v > 0) {
      if (d < v) { this.cvr = v - d; return; }
      d -= v; v = 0; this.fire();
    }
    // at 0: the next clock reloads RVR; a reload value of 0 stops the counter at 0 (B3.3.3)
    if (this.rvr === 0 || d === 0) { this.cvr = 0; return; }
    const period = this.rvr + 1;
    if (d >= period) this.fire();
    const rem = d % period;
    this.cvr = rem === 0 ? 0 : this.rvr - (rem - 1);
  }
  private fire(): void {
    this.countflag = 1;
    if (this.tickint) this.pend();
  }
  /** cycles from now until the counter next reaches 0 (Infinity when it never will) */
  cyclesToEvent(): number {
    this.sync();
    if (!this.enable) return Infinity;
    if (this.cvr > 0) return this.cvr;
    return this.rvr === 0 ? Infinity : this.rvr + 1;
  }

  readCsr(): number {
    this.sync();
    const v = (this.countflag << 16) | (1 << 2) | (this.tickint << 1) | this.enable;
    this.countflag = 0; // COUNTFLAG clears on read
    return v >>> 0;
  }
  writeCsr(v: number): void {
    this.sync();
    this.enable = v & 1;
    this.tickint = (v >>> 1) & 1;
   
  }
  readCvr(): number { this.sync(); return this.cvr; }
  /** any write clears the counter to 0 and COUNTFLAG */
  writeCvr(): void { this.sync(); this.cvr = 0; this.countflag = 0; }
  writeRvr(v: number): void { this.sync(); this.rvr = v & 0xffffff; }
}

export class Dwt implements Device {
  readonly name = 'DWT';
  readonly base = DWT_BASE;
  readonly size = 0x1000;
  ctrl = 0;
  demcr = 0;
  private cyc = 0;
  private since = 0;
  constructor(readonly s: CpuState) {}
  reset(): void { this.ctrl = 0; this.demcr = 0; this.cyc = 0; this.since = this.s.now(); }
  private get counting(): boolean { return (this.ctrl & 1) !== 0 && (this.demcr & (1 << 24)) !== 0; }
  get cyccnt(): number { return (this.counting ? this.cyc + (this.s.now() - this.since) : this.cyc) >>> 0; }
  /** call before CTRL or DEMCR change: freezes or restarts the count */
  private settle(): void { this.cyc = this.cyccnt; this.since = this.s.now(); }
  setDemcr(v: number): void { this.settle(); this.demcr = v >>> 0; }
  read(offset: number, size: 1 | 2 | 4): number {
    const w = this.word(offset & ~3);
    return size === 4 ? w >>> 0 : (w >>> ((offset & 3) * 8)) & (size === 2 ? 0xffff : 0xff);
  }
  private word(o: number): number {
    privileged(this.s, DWT_BASE + o);
    switch (o) {
      case 0x000: return (0x4 << 28) | (this.ctrl & 1); // NUMCOMP = 4 (Cortex-M4)
      case 0x004: return this.cyccnt;
      default: return 0;
    }
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    privileged(this.s, DWT_BASE + offset);
    if (size !== 4) return;
    if (offset === 0x000) { this.settle(); this.ctrl = value & 1; }
    else if (offset === 0x004) { this.cyc = value >>> 0; this.since = this.s.now(); }
  }
}

function privileged(s: CpuState, a: number): void {
  if (!s.privileged) throw new CpuFault('BusFault', 'PRECISERR', `unprivileged access to the System Control Space at 0x${(a >>> 0).toString(16)}`, a >>> 0);
}

export class Scs implements Device {
  readonly name = 'SCS';
  readonly base = SCS_BASE;
  readonly size = 0x1000;
  actlr = 0;
  cpacr = 0;
  dfsr = 0;
  afsr = 0;
  /** the MPU (B3.5): its registers are MPU_TYPE..MPU_RASR_A3, 0xE000ED90-0xE000EDB8 */
  readonly mpu: Mpu;
  /**
   * The cache registers (CCR.IC/DC, CLIDR, CTR, CCSIDR, CSSELR, the maintenance operations; src/sys/cachectl.ts): the
   * board's memory system's, or null (a core without them: the offsets read 0 and ignore writes)
   */
  cache: CacheControl | null = null;
  constructor(readonly s: CpuState, readonly ex: ExceptionModel, readonly systick: SysTick, readonly dwt: Dwt, readonly cpuid = CPUID_M4) {
    this.mpu = new Mpu(s, ex);
    ex.mpu = this.mpu;
  }

  reset(): void { this.actlr = 0; this.cpacr = 0; this.dfsr = 0; this.afsr = 0; this.mpu.reset(); }

  private byteAccessible(o: number): boolean { return (o >= 0x400 && o < 0x400 + 240) || (o >= 0xd18 && o < 0xd24) || (o >= 0xd28 && o < 0xd2c); }

  read(offset: number, size: 1 | 2 | 4): number {
    privileged(this.s, SCS_BASE + offset);
    const w = this.readWord(offset & ~3);
    if (size === 4) return w >>> 0;
    return (w >>> ((offset & 3) * 8)) & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!(offset === 0xf00 && (this.ex.ccr & CCR.USERSETMPEND))) privileged(this.s, SCS_BASE + offset);
    const o = offset & ~3, sh = (offset & 3) * 8;
    if (size === 4) this.writeWord(o, value >>> 0);
    else if (this.byteAccessible(offset)) {
      const m = (size === 2 ? 0xffff : 0xff) << sh;
      if (o === 0xd28) this.writeWord(o, ((value << sh) & m) >>> 0); // CFSR: write-one-to-clear, zeros elsewhere
      else this.writeWord(o, ((this.readWord(o) & ~m) | ((value << sh) & m)) >>> 0);
    }
    // other sub-word writes: ignored (word-only registers)
    this.s.codeChanged = 1;
  }

  private readWord(o: number): number {
    const ex = this.ex, s = this.s;
    if (this.cache !== null) {
      if (o === 0xd14) return (ex.ccr | this.cache.ccrBits) >>> 0;
      const c = this.cache.read(o);
      if (c !== undefined) return c;
    }
    if (o >= 0x100 && o < 0x500) {
      const k = ((o & 0x7f) >>> 2);
      const group = o & ~0x7f;
      if (o >= 0x400) { // IPR
        let v = 0;
        for (let i = 0; i < 4; i++) { const n = 16 + (o - 0x400) + i; if (n < ex.nExceptions) v |= ex.prio[n]! << (8 * i); }
        return v >>> 0;
      }
      if (k >= 8) return 0; // ISER..IABR have 8 words each (240 interrupts)
      const arr = group === 0x100 || group === 0x180 ? ex.enabled : group === 0x200 || group === 0x280 ? ex.pending : group === 0x300 ? ex.active : null;
      if (!arr) return 0;
      let v = 0;
      for (let i = 0; i < 32; i++) { const n = 16 + 32 * k + i; if (n < ex.nExceptions && arr[n]) v |= 1 << i; }
      return v >>> 0;
    }
    if (Mpu.owns(o)) return this.mpu.read(o);
    switch (o) {
      case 0x004: return Math.ceil((ex.nExceptions - 16) / 32) - 1; // ICTR.INTLINESNUM
      case 0x008: return this.actlr;
      case 0x010: return this.systick.readCsr();
      case 0x014: return this.systick.rvr;
      case 0x018: return this.systick.readCvr();
      case 0x01c: return 0xc0000000; // CALIB: NOREF, SKEW, TENMS = 0 (not known)
      case 0xd00: return this.cpuid >>> 0;
      case 0xd04: { // ICSR
        const pend = ex.highestPending();
        let isr = 0;
        for (let n = 16; n < ex.nExceptions; n++) if (ex.pending[n]) { isr = 1; break; }
        const rettobase = ex.activeCount() <= 1 ? 1 : 0;
        return ((ex.pending[EXC.NMI]! << 31) | (ex.pending[EXC.PendSV]! << 28) | (ex.pending[EXC.SysTick]! << 26) |
          (isr << 22) | ((pend & 0x1ff) << 12) | (rettobase << 11) | (s.ipsr & 0x1ff)) >>> 0;
      }
      case 0xd08: return ex.vtor >>> 0;
      case 0xd0c: return ((0xfa05 << 16) | (ex.prigroup << 8)) >>> 0; // VECTKEYSTAT, little-endian
      case 0xd10: return ex.scr;
      case 0xd14: return ex.ccr;
      case 0xd18: case 0xd1c: case 0xd20: {
        let v = 0;
        const first = 4 + (o - 0xd18);
        for (let i = 0; i < 4; i++) { const n = first + i; if (shprImplemented(n)) v |= ex.prio[n]! << (8 * i); }
        return v >>> 0;
      }
      case 0xd24: {
        const a = ex.active, p = ex.pending;
        return ((a[4]! ? SHCSR.MEMFAULTACT : 0) | (a[5]! ? SHCSR.BUSFAULTACT : 0) | (a[6]! ? SHCSR.USGFAULTACT : 0) |
          (a[11]! ? SHCSR.SVCALLACT : 0) | (a[12]! ? SHCSR.MONITORACT : 0) | (a[14]! ? SHCSR.PENDSVACT : 0) | (a[15]! ? SHCSR.SYSTICKACT : 0) |
          (p[6]! ? SHCSR.USGFAULTPENDED : 0) | (p[4]! ? SHCSR.MEMFAULTPENDED : 0) | (p[5]! ? SHCSR.BUSFAULTPENDED : 0) |
          (p[11]! ? SHCSR.SVCALLPENDED : 0) | ex.faultEnables) >>> 0;
      }
      case 0xd28: return ex.cfsr >>> 0;
      case 0xd2c: return ex.hfsr >>> 0;
      case 0xd30: return this.dfsr;
      case 0xd34: return ex.mmfar >>> 0;
      case 0xd38: return ex.bfar >>> 0;
      case 0xd3c: return this.afsr;
      case 0xd88: return this.cpacr;
      case 0xdfc: return this.dwt.demcr;
      default: return 0;
    }
  }

  private writeWord(o: number, v: number): void {
    const ex = this.ex, s = this.s;
    if (this.cache !== null) {
      if (o === 0xd14) { ex.setCcr(v); this.cache.writeCcr(v); return; }
      if (this.cache.write(o, v)) return;
    }
    if (o >= 0x100 && o < 0x500) {
      if (o >= 0x400) {
        for (let i = 0; i < 4; i++) { const n = 16 + (o - 0x400) + i; if (n < ex.nExceptions) ex.prio[n] = (v >>> (8 * i)) & ex.prioMask; }
        return;
      }
      const k = (o & 0x7f) >>> 2, group = o & ~0x7f;
      if (k >= 8) return;
      for (let i = 0; i < 32; i++) {
        if (!((v >>> i) & 1)) continue;
        const n = 16 + 32 * k + i;
        if (n >= ex.nExceptions) continue;
        if (group === 0x100) ex.enabled[n] = 1;
        else if (group === 0x180) ex.enabled[n] = 0;
        else if (group === 0x200) ex.setPending(n, 1);
        else if (group === 0x280) ex.setPending(n, 0);
      }
      return;
    }
    if (Mpu.owns(o)) { this.mpu.write(o, v); return; }
    switch (o) {
      case 0x008: this.actlr = v; return;
      case 0x010: this.systick.writeCsr(v); return;
      case 0x014: this.systick.writeRvr(v); return;
      case 0x018: this.systick.writeCvr(); return;
      case 0xd04: // ICSR
        if (v & (1 << 31)) ex.setPending(EXC.NMI, 1);
        if (v & (1 << 28)) ex.setPending(EXC.PendSV, 1);
        else if (v & (1 << 27)) ex.setPending(EXC.PendSV, 0);
        if (v & (1 << 26)) ex.setPending(EXC.SysTick, 1);
        else if (v & (1 << 25)) ex.setPending(EXC.SysTick, 0);
        return;
      case 0xd08: ex.vtor = v & 0xffffff80; return;
      case 0xd0c: // AIRCR: ignored without VECTKEY 0x05FA
        if ((v >>> 16) !== 0x05fa) return;
        ex.prigroup = (v >>> 8) & 7;
        if (v & 4) ex.resetRequested = true; // SYSRESETREQ
        return;
      case 0xd10: ex.scr = v & 0x16; return;
      case 0xd14: ex.setCcr(v); return;
      case 0xd18: case 0xd1c: case 0xd20: {
        const first = 4 + (o - 0xd18);
        for (let i = 0; i < 4; i++) { const n = first + i; if (shprImplemented(n)) ex.prio[n] = (v >>> (8 * i)) & ex.prioMask; }
        return;
      }
      case 0xd24: {
        const a = ex.active, p = ex.pending;
        a[4] = v & SHCSR.MEMFAULTACT ? 1 : 0; a[5] = v & SHCSR.BUSFAULTACT ? 1 : 0; a[6] = v & SHCSR.USGFAULTACT ? 1 : 0;
        a[11] = v & SHCSR.SVCALLACT ? 1 : 0; a[12] = v & SHCSR.MONITORACT ? 1 : 0; a[14] = v & SHCSR.PENDSVACT ? 1 : 0; a[15] = v & SHCSR.SYSTICKACT ? 1 : 0;
        p[6] = v & SHCSR.USGFAULTPENDED ? 1 : 0; p[4] = v & SHCSR.MEMFAULTPENDED ? 1 : 0; p[5] = v & SHCSR.BUSFAULTPENDED ? 1 : 0;
        p[11] = v & SHCSR.SVCALLPENDED ? 1 : 0;
        ex.faultEnables = v & (SHCSR.MEMFAULTENA | SHCSR.BUSFAULTENA | SHCSR.USGFAULTENA);
        return;
      }
      case 0xd28: ex.cfsr = (ex.cfsr & ~v) >>> 0; return; // write one to clear
      case 0xd2c: ex.hfsr = (ex.hfsr & ~v) >>> 0; return;
      case 0xd30: this.dfsr = (this.dfsr & ~v) >>> 0; return;
      case 0xd34: ex.mmfar = v; return;
      case 0xd38: ex.bfar = v; return;
      case 0xd3c: this.afsr = (this.afsr & ~v) >>> 0; return;
      case 0xd88: this.cpacr = v; return;
      case 0xdfc: this.dwt.setDemcr(v); return;
      case 0xf00: { const n = 16 + (v & 0x1ff); ex.setPending(n, 1); return; } // STIR
      default: void s; return;
    }
  }
}

/** SHPR fields exist for exceptions 4-6, 11, 12, 14, 15 */
function shprImplemented(n: number): boolean { return (n >= 4 && n <= 6) || n === 11 || n === 12 || n === 14 || n === 15; }
