/**
 * Runtime helpers that generated block code calls as `rt.name(...)`: the parts of the semantics that are too
 * long to inline (saturation, the divide timing, faults). Pure functions of their arguments or of the state passed.
 */
import { CpuFault, undefinedInstruction, unaligned, Trap, type TrapKind } from '../cpu/exceptions.js';

/** SignedSatQ (A2.2.3): saturate int `x` (a JS number, may exceed 32 bits) to n bits (1..32); sets s.q on saturation. */
function ssat(s: { q: number }, x: number, n: number): number {
  const max = 2 ** (n - 1) - 1, min = -(2 ** (n - 1));
  if (x > max) { s.q = 1; return max | 0; }
  if (x < min) { s.q = 1; return min | 0; }
  return x | 0;
}
/** UnsignedSatQ: saturate to 0 .. 2^n - 1 (n 0..31). */
function usat(s: { q: number }, x: number, n: number): number {
  const max = 2 ** n - 1;
  if (x > max) { s.q = 1; return max | 0; }
  if (x < 0) { s.q = 1; return 0; }
  return x | 0;
}
/** Saturation without touching Q (the QADD16 family never sets Q). */
function sat16(x: number): number { return x > 32767 ? 32767 : x < -32768 ? -32768 : x; }
function usat16(x: number): number { return x > 65535 ? 65535 : x < 0 ? 0 : x; }
function sat8(x: number): number { return x > 127 ? 127 : x < -128 ? -128 : x; }
function usat8(x: number): number { return x > 255 ? 255 : x < 0 ? 0 : x; }

function bits(x: number): number { return 32 - Math.clz32(x); }
/**
 * Cortex-M4 SDIV/UDIV cycles (reference/cortex-m-timing.md, fitted 2..12), with the numbers of the core file
 * (boards/cores/cortex-m4.json: divideZero, divideShort, divideBase, divideBitsPerCycle, divideMin, divideMax):
 * `zero` when an operand is zero, `short` when the dividend has fewer significant bits than the divisor, else
 * base + (bits(n) - bits(d)) / perCycle, clamped to [min, max].
 */
function divCycles(n: number, d: number, signed: boolean, zero: number, short: number, base: number, perCycle: number, min: number, max: number): number {
  const an = signed ? Math.abs(n | 0) : n >>> 0, ad = signed ? Math.abs(d | 0) : d >>> 0;
  if (an === 0 || ad === 0) return zero;
  const bn = bits(an >>> 0), bd = bits(ad >>> 0);
  if (bn < bd) return short;
  const c = base + Math.floor((bn - bd) / perCycle);
  return c < min ? min : c > max ? max : c;
}
function divByZero(): CpuFault { return new CpuFault('UsageFault', 'DIVBYZERO', 'integer divide by zero with CCR.DIV_0_TRP set'); }

function rbit(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return ((x >>> 16) | (x << 16)) | 0;
}

/**
 * Shift_C (A7.4.2) by a register amount 0..255: returns the result; when `setC`, writes the carry out to s.c
 * (an amount of 0 leaves the carry unchanged).
 */
function shiftReg(s: { c: number }, type: number, v: number, amt: number, setC: number): number {
  if (amt === 0) return v | 0;
  let res: number, c: number;
  switch (type) {
    case 0: res = amt >= 32 ? 0 : v << amt; c = amt > 32 ? 0 : (v >>> (32 - amt)) & 1; break;
    case 1: res = amt >= 32 ? 0 : (v >>> amt) | 0; c = amt > 32 ? 0 : (v >>> (amt - 1)) & 1; break;
    case 2: res = amt >= 32 ? v >> 31 : v >> amt; c = amt >= 32 ? (v >>> 31) : (v >>> (amt - 1)) & 1; break;
    default: { const k = amt & 31; res = k === 0 ? v | 0 : ((v >>> k) | (v << (32 - k))) | 0; c = res >>> 31; }
  }
  if (setC) s.c = c;
  return res;
}

export const rt = {
  shiftReg,
  ssat, usat, sat16, usat16, sat8, usat8, divCycles, divByZero, rbit,
  undef: (why: string) => undefinedInstruction(why),
  /** SVC, BKPT, WFI, WFE: a trap the machine handles (a stop reason) */
  trap: (kind: TrapKind, imm: number) => new Trap(kind, imm),
  /**
   * ExecutionPriority() > -1, the condition for setting FAULTMASK (MSR, CPSID f): false in the NMI and HardFault
   * handlers. FAULTMASK's own boost to -1 is left out: measurements on Cortex-M3 hardware show it does not stop MSR from
   * clearing FAULTMASK. Active-exception priorities arrive with the exception model.
   */
  faultmaskWritable: (s: { ipsr: number }) => s.ipsr !== 2 && s.ipsr !== 3,
  ibuserr: (a: number) => new CpuFault('BusFault', 'IBUSERR', `instruction fetch at 0x${(a >>> 0).toString(16).padStart(8, '0')} outside executable memory`, a >>> 0),
  /** an instruction fetch the MPU denies (src/sys/mpu.ts) */
  iaccviol: (a: number, why: string) => new CpuFault('MemManage', 'IACCVIOL', why, a >>> 0),
  unaligned,
  /** alignment check for the accesses that must be aligned (LDM/STM, LDRD/STRD, LDREX/STREX) */
  align4(a: number, what: string): void { if (a & 3) throw unaligned(a, what); },
  align2(a: number, what: string): void { if (a & 1) throw unaligned(a, what); },
  /** 64-bit products: BigInt-free exact multiply of two 32-bit values, returning [lo, hi] as int32 */
  umul64(a: number, b: number): [number, number] {
    a >>>= 0; b >>>= 0;
    const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
    const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
    const lo = ((mid << 16) | (ll & 0xffff)) | 0;
    const hi = (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
    return [lo, hi];
  },
  smul64(a: number, b: number): [number, number] {
    const [lo, hi0] = rt.umul64(a, b);
    let hi = hi0;
    if (a < 0) hi = (hi - b) | 0;
    if (b < 0) hi = (hi - a) | 0;
    return [lo, hi];
  },
  /** 64-bit add of (hi:lo) pairs, int32 halves */
  add64(lo1: number, hi1: number, lo2: number, hi2: number): [number, number] {
    const lo = (lo1 >>> 0) + (lo2 >>> 0);
    const carry = lo > 0xffffffff ? 1 : 0;
    return [lo | 0, (hi1 + hi2 + carry) | 0];
  },
};
export type Runtime = typeof rt;
