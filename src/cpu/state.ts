/**
 * Architectural state of an ARMv7-M core (ARMv7-M ARM B1.4): R0-R12, the banked SP (MSP/PSP), LR, PC,
 * xPSR (APSR flags N Z C V Q, GE[3:0]; EPSR T and ITSTATE; IPSR), PRIMASK, FAULTMASK, BASEPRI, CONTROL.
 * Flags are kept one field each (0 or 1) so generated code reads and writes them directly.
 */
import { NSTALL, type Clock } from '../timing/clock.js';

const NO_BLOCK: readonly number[] = [0];

export class CpuState implements Clock {
  /** R0-R14; r[13] is the active stack pointer. r[15] is unused: the PC is `pc`. Values are int32. */
  readonly r = new Int32Array(16);
  pc = 0;
  n = 0; z = 0; c = 0; v = 0; q = 0;
  /** GE[3:0] */
  ge = 0;
  /** EPSR.T: 0 after an interworking branch to an even address; the next instruction faults INVSTATE */
  t = 1;
  /** ITSTATE (IT[7:0]) */
  itstate = 0;
  ipsr = 0;
  primask = 0; faultmask = 0; basepri = 0;
  /** CONTROL: bit 0 nPRIV, bit 1 SPSEL */
  control = 0;
  /** the stack pointer not currently in r[13] (PSP when SPSEL=0 or in Handler mode, else MSP) */
  otherSp = 0;
  /** local exclusive monitor: the tagged address, or -1 when Open */
  exclusive = -1;
  /** configuration: CCR.DIV_0_TRP and CCR.UNALIGN_TRP */
  divTrap = 0;
  unalignTrap = 0;
  /** event register (SEV/WFE) */
  event = 0;
  /** counters */
  icount = 0;
  cycles = 0;
  /** stall cycles by cause (src/timing/clock.ts STALL): parts of `cycles` */
  readonly stall = new Float64Array(NSTALL);
  /**
   * the pipeline state at a block boundary (src/timing/pipeline.ts): what the last instruction leaves behind that
   * changes the next one's cost; 0 after a taken branch. Blocks are translated per entry state.
   */
  ps = 0;
  /** index of the executing instruction in the running block, and that block's static cycles before each one */
  ip = 0;
  bcyc: readonly number[] = NO_BLOCK;
  /**
   * lowest value the stack pointer held (unsigned; 0xFFFFFFFF: none yet): every write to SP by an instruction, and
   * MSP writes by MSR and exception entry (a process stack switched to by MSR PSP counts once it is the active SP)
   */
  spMin = 0xffffffff;
  /** the cycle at which the executing instruction started (Clock.now) */
  now(): number { return this.cycles + this.bcyc[this.ip]!; }
  /** set when a store hit translated code: the running block leaves after that store (engine, machine) */
  codeChanged = 0;
  /**
   * set by an interworking PC write (BX, BLX, POP/LDM/LDR pc) of a value 0xFxxxxxxx: the whole value (EXC_RETURN
   * when in Handler mode). The machine reads and clears it after each block when the exception model is on.
   */
  excRet = 0;

  get apsr(): number {
    return ((this.n << 31) | (this.z << 30) | (this.c << 29) | (this.v << 28) | (this.q << 27) | (this.ge << 16)) >>> 0;
  }
  set apsr(v: number) {
    this.n = (v >>> 31) & 1; this.z = (v >>> 30) & 1; this.c = (v >>> 29) & 1; this.v = (v >>> 28) & 1;
    this.q = (v >>> 27) & 1; this.ge = (v >>> 16) & 15;
  }
  /** EPSR: T bit 24, ICI/IT bits 26:25 = IT[1:0], 15:10 = IT[7:2] */
  get epsr(): number {
    return ((this.t << 24) | ((this.itstate & 3) << 25) | ((this.itstate >>> 2) << 10)) >>> 0;
  }
  get xpsr(): number { return (this.apsr | this.epsr | this.ipsr) >>> 0; }
  get handlerMode(): boolean { return this.ipsr !== 0; }
  get usingPsp(): boolean { return !this.handlerMode && (this.control & 2) !== 0; }
  get msp(): number { return this.usingPsp ? this.otherSp : this.r[13]!; }
  set msp(v: number) {
    if (this.usingPsp) this.otherSp = v & ~3; else this.r[13] = v & ~3;
    if (((v & ~3) >>> 0) < this.spMin) this.spMin = (v & ~3) >>> 0;
  }
  get psp(): number { return this.usingPsp ? this.r[13]! : this.otherSp; }
  set psp(v: number) { if (this.usingPsp) this.r[13] = v & ~3; else this.otherSp = v & ~3; }
  /** Write CONTROL, swapping the stack pointers when the active one changes. */
  setControl(v: number): void {
    const before = this.usingPsp;
    this.control = v & 3;
    if (this.usingPsp !== before) { const t = this.r[13]!; this.r[13] = this.otherSp; this.otherSp = t; }
  }
  /** Privileged execution (Handler mode, or Thread mode with nPRIV = 0). */
  get privileged(): boolean { return this.handlerMode || (this.control & 1) === 0; }
}

/** ITSTATE helpers (A7.3.3): the condition of the current slot and the advance. */
export function itCond(itstate: number): number { return (itstate >>> 4) & 15; }
export function itAdvance(itstate: number): number {
  if ((itstate & 7) === 0) return 0;
  return (itstate & 0xe0) | ((itstate << 1) & 0x1f);
}
export function inIT(itstate: number): boolean { return (itstate & 15) !== 0; }
export function lastInIT(itstate: number): boolean { return (itstate & 15) === 8; }
