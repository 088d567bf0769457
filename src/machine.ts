/**
 * A Machine: a core (CpuState + Engine) on a bus. The library's way to load code, set registers, step, run and
 * look at the result. Boards (later) build richer machines; this one takes plain RAM regions.
 */
import { CpuState, itAdvance } from './cpu/state.js';
import { CpuFault, Trap } from './cpu/exceptions.js';
import { Engine } from './exec/engine.js';
import { FlatBus, type RegionSpec } from './mem/flat.js';
import type { Device } from './mem/device.js';
import { cortexM4Basic, type CycleModel } from './timing/model.js';
import { disassemble } from './disasm/disasm.js';
import { parseRegName } from './isa/kinds.js';

export interface MachineOptions {
  /** memory regions; default DEFAULT_REGIONS */
  regions?: RegionSpec[];
  model?: CycleModel;
  /** initial SP; default the end of the highest region */
  initialSp?: number;
  /** memory-mapped devices (peripherals) */
  devices?: Device[];
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
}

export interface LoadableImage {
  sections: { address: number; bytes: Uint8Array }[];
  entry?: number;
}

export type RegName = number | string;

export class Machine {
  readonly state = new CpuState();
  readonly bus: FlatBus;
  readonly engine: Engine;

  constructor(opts: MachineOptions = {}) {
    this.bus = new FlatBus(opts.regions ?? DEFAULT_REGIONS, opts.devices ?? []);
    this.engine = new Engine(this.state, this.bus, opts.model ?? cortexM4Basic);
    const top = Math.max(...this.bus.regions.map((r) => r.end));
    this.state.r[13] = (opts.initialSp ?? top) & ~3;
  }

  /** Copy an image's sections into memory and set the PC to its entry (or the first section's address). */
  load(image: LoadableImage | Uint8Array, address = 0): void {
    const img: LoadableImage = image instanceof Uint8Array ? { sections: [{ address, bytes: image }] } : image;
    for (const s of img.sections) if (s.bytes.length) this.bus.load(s.address, s.bytes);
    this.engine.invalidate();
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

  /** Run until a stop: the instruction limit, a halt idiom (`b .`), BKPT, SVC, WFI/WFE, or a fault. */
  run(opts: { maxInstructions?: number } = {}): RunResult {
    const s = this.state;
    const max = opts.maxInstructions ?? 100_000_000;
    const i0 = s.icount, c0 = s.cycles;
    const target = i0 + max;
    const done = (reason: StopReason, extra: Partial<RunResult> = {}): RunResult =>
      ({ reason, instructions: s.icount - i0, cycles: s.cycles - c0, pc: s.pc >>> 0, ...extra });
    try {
      while (s.icount < target) {
        if (s.t === 0) return this.fault(new CpuFault('UsageFault', 'INVSTATE', 'branch to an address with bit 0 clear (Thumb bit off)'), done);
        const remaining = target - s.icount;
        let b = this.engine.block(s.pc, s.itstate, false);
        if (b.selfLoop) return done('halt');
        if (b.n > remaining) b = this.engine.block(s.pc, s.itstate, true);
        s.codeChanged = 0;
        b.fn(s, this.bus, remaining);
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
        return done(e.kind, { imm: e.imm });
      }
      throw e;
    }
  }

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

export function createMachine(opts: MachineOptions = {}): Machine {
  return new Machine(opts);
}
