/**
 * Instruction trace (`mcusim run --trace`): one record per executed instruction with its address, bytes,
 * disassembly, the cycle it started at, its cost, the registers and flags it changed and the memory it accessed.
 *
 * The machine single-steps (one-instruction blocks translated for the exact pipeline state, so a traced run costs
 * the same cycles as an untraced one) with a RecordingBus in place of the program's bus view, and diffs the state.
 * Exception entries and returns that happen in a step are noted on its record.
 */
import type { Bus, Region } from '../mem/flat.js';

export interface Access { write: boolean; address: number; size: 1 | 2 | 4; value: number }

export interface TraceRecord {
  /** address of the instruction */
  pc: number;
  /** its bytes as the disassembler shows them (halfwords, hex) */
  bytes: string;
  text: string;
  /** cycle count when it started, and what it cost (including an exception entry or return in the step) */
  cycle: number;
  cost: number;
  /** registers that changed: [index, before, after] (R0-R15, 15 = PC only when it did not simply advance) */
  regs: [number, number, number][];
  /** flags before and after when they changed, as NZCVQ letters (a dash for a clear flag) plus GE */
  flags?: [string, string];
  accesses: Access[];
  /** exception entry or return, fault, stop */
  note?: string;
}

/** A bus view that forwards every program access to `inner` and records it. */
export class RecordingBus implements Bus {
  accesses: Access[] = [];
  constructor(readonly inner: Bus) {}
  get onCodeWrite(): ((a: number) => void) | null { return this.inner.onCodeWrite; }
  set onCodeWrite(f: ((a: number) => void) | null) { this.inner.onCodeWrite = f; }
  get lastRegion(): Region { return this.inner.lastRegion; }
  private rec(write: boolean, address: number, size: 1 | 2 | 4, value: number): void {
    this.accesses.push({ write, address: address >>> 0, size, value: size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff) });
  }
  r8(a: number): number { const v = this.inner.r8(a); this.rec(false, a, 1, v); return v; }
  r16(a: number): number { const v = this.inner.r16(a); this.rec(false, a, 2, v); return v; }
  r32(a: number): number { const v = this.inner.r32(a); this.rec(false, a, 4, v); return v; }
  w8(a: number, v: number): void { this.inner.w8(a, v); this.rec(true, a, 1, v); }
  w16(a: number, v: number): void { this.inner.w16(a, v); this.rec(true, a, 2, v); }
  w32(a: number, v: number): void { this.inner.w32(a, v); this.rec(true, a, 4, v); }
  fetch16(a: number): number | undefined { return this.inner.fetch16(a); }
  markCode(a: number): void { this.inner.markCode(a); }
  clearCodeMarks(): void { this.inner.clearCodeMarks(); }
}

const REG = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];
const hex = (v: number, w = 8) => '0x' + (v >>> 0).toString(16).padStart(w, '0');

/** One record as a text line: cycle, address, bytes, text, cost, changes, accesses. */
export function formatTrace(t: TraceRecord): string {
  const parts = [
    String(t.cycle).padStart(10), hex(t.pc), t.bytes.padEnd(9), t.text.replace('\t', ' ').padEnd(28), `+${t.cost}`.padStart(4),
  ];
  const ch: string[] = t.regs.map(([r, , after]) => `${REG[r]}=${hex(after)}`);
  if (t.flags) ch.push(`${t.flags[0]}->${t.flags[1]}`);
  for (const a of t.accesses) ch.push(`${a.write ? 'W' : 'R'}${a.size}[${hex(a.address)}]${a.write ? '<-' : '->'}${hex(a.value, a.size * 2)}`);
  if (t.note) ch.push(`; ${t.note}`);
  return parts.join('  ') + (ch.length ? '  ' + ch.join(' ') : '');
}
