/**
 * Independent reference model of the ARMv7-M data-processing, multiply, divide, saturate, bit-field, extend,
 * reverse/pack and DSP-extension instructions, written from the pseudocode of the ARMv7-M Architecture Reference
 * Manual (DDI 0403E: A2.2 shift and AddWithCarry, A2.2.1 saturation, A5.3.2 ThumbExpandImm_C, A7.7 instruction
 * pages). All arithmetic is on BigInt; register values are kept as unsigned 32-bit BigInts.
 *
 * It deliberately imports nothing from the simulator (src/, isa/): it is the second opinion the property tests
 * compare the simulator against.
 */

// ---------------------------------------------------------------------------------------------------------------
// Bit helpers

export const mask = (n: number): bigint => (1n << BigInt(n)) - 1n;
export const M32 = mask(32);
/** x<hi:lo> as an unsigned value */
export const field = (x: bigint, hi: number, lo: number): bigint => (x >> BigInt(lo)) & mask(hi - lo + 1);
/** bit x<i> as 0/1 */
export const bit = (x: bigint, i: number): number => Number((x >> BigInt(i)) & 1n);
/** UInt of the low n bits */
export const UInt = (x: bigint, n = 32): bigint => x & mask(n);
/** SInt of the low n bits */
export const SInt = (x: bigint, n = 32): bigint => {
  const u = x & mask(n);
  return (u >> BigInt(n - 1)) & 1n ? u - (1n << BigInt(n)) : u;
};
/** the low 32 bits as unsigned */
export const u32 = (x: bigint): bigint => x & M32;
export const NOT = (x: bigint, n = 32): bigint => ~x & mask(n);
const isZero = (x: bigint): number => (x === 0n ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------------
// Architectural state (the part these instructions touch)

export interface Flags { n: number; z: number; c: number; v: number; q: number; ge: number }

export class ArchState {
  /** R0-R15 as unsigned 32-bit values; r[15] holds the PC value an instruction reads (its address + 4) */
  r: bigint[] = new Array<bigint>(16).fill(0n);
  n = 0; z = 0; c = 0; v = 0; q = 0; ge = 0;

  static of(regs: readonly number[], flags: Flags): ArchState {
    const s = new ArchState();
    regs.forEach((v, i) => { if (i < 16) s.r[i] = u32(BigInt(v)); });
    Object.assign(s, { n: flags.n, z: flags.z, c: flags.c, v: flags.v, q: flags.q, ge: flags.ge });
    return s;
  }
  R(i: number): bigint { return this.r[i]!; }
  W(i: number, v: bigint): void { this.r[i] = u32(v); }
  get flags(): Flags { return { n: this.n, z: this.z, c: this.c, v: this.v, q: this.q, ge: this.ge }; }
  /** APSR.N, Z from a 32-bit result */
  setNZ(result: bigint): void { this.n = bit(result, 31); this.z = isZero(u32(result)); }
}

// ---------------------------------------------------------------------------------------------------------------
// A2.2.1 integer arithmetic, shifts

/** AddWithCarry(x, y, carry_in) on 32 bits: [result, carry_out, overflow] */
export function AddWithCarry(x: bigint, y: bigint, carryIn: number): [bigint, number, number] {
  const unsignedSum = UInt(x) + UInt(y) + BigInt(carryIn);
  const signedSum = SInt(x) + SInt(y) + BigInt(carryIn);
  const result = u32(unsignedSum);
  const carryOut = UInt(result) === unsignedSum ? 0 : 1;
  const overflow = SInt(result) === signedSum ? 0 : 1;
  return [result, carryOut, overflow];
}

export type SRType = 'LSL' | 'LSR' | 'ASR' | 'ROR' | 'RRX';

export function LSL_C(x: bigint, shift: number, N = 32): [bigint, number] {
  if (shift <= 0) throw new Error('LSL_C: shift must be > 0');
  const extended = UInt(x, N) << BigInt(shift);
  return [UInt(extended, N), bit(extended, N)];
}
export function LSL(x: bigint, shift: number, N = 32): bigint { return shift === 0 ? UInt(x, N) : LSL_C(x, shift, N)[0]; }

export function LSR_C(x: bigint, shift: number, N = 32): [bigint, number] {
  if (shift <= 0) throw new Error('LSR_C: shift must be > 0');
  const extended = UInt(x, N); // ZeroExtend(x, shift + N)
  return [field(extended, shift + N - 1, shift), bit(extended, shift - 1)];
}
export function LSR(x: bigint, shift: number, N = 32): bigint { return shift === 0 ? UInt(x, N) : LSR_C(x, shift, N)[0]; }

export function ASR_C(x: bigint, shift: number, N = 32): [bigint, number] {
  if (shift <= 0) throw new Error('ASR_C: shift must be > 0');
  const extended = UInt(SInt(x, N), shift + N); // SignExtend(x, shift + N)
  return [field(extended, shift + N - 1, shift), bit(extended, shift - 1)];
}
export function ASR(x: bigint, shift: number, N = 32): bigint { return shift === 0 ? UInt(x, N) : ASR_C(x, shift, N)[0]; }

export function ROR_C(x: bigint, shift: number, N = 32): [bigint, number] {
  if (shift === 0) throw new Error('ROR_C: shift must not be 0');
  const m = shift % N;
  const result = LSR(x, m, N) | LSL(x, N - m, N);
  return [UInt(result, N), bit(result, N - 1)];
}
export function ROR(x: bigint, shift: number, N = 32): bigint { return shift === 0 ? UInt(x, N) : ROR_C(x, shift, N)[0]; }

export function RRX_C(x: bigint, carryIn: number, N = 32): [bigint, number] {
  const result = (BigInt(carryIn) << BigInt(N - 1)) | field(x, N - 1, 1);
  return [result, bit(x, 0)];
}

export function Shift_C(value: bigint, type: SRType, amount: number, carryIn: number): [bigint, number] {
  if (type === 'RRX' && amount !== 1) throw new Error('Shift_C: RRX with amount != 1 is UNPREDICTABLE');
  if (amount === 0) return [u32(value), carryIn];
  switch (type) {
    case 'LSL': return LSL_C(value, amount);
    case 'LSR': return LSR_C(value, amount);
    case 'ASR': return ASR_C(value, amount);
    case 'ROR': return ROR_C(value, amount);
    case 'RRX': return RRX_C(value, carryIn);
  }
}
export function Shift(value: bigint, type: SRType, amount: number, carryIn: number): bigint {
  return Shift_C(value, type, amount, carryIn)[0];
}

/** DecodeImmShift(type, imm5) */
export function DecodeImmShift(type: number, imm5: number): { t: SRType; n: number } {
  switch (type & 3) {
    case 0: return { t: 'LSL', n: imm5 };
    case 1: return { t: 'LSR', n: imm5 === 0 ? 32 : imm5 };
    case 2: return { t: 'ASR', n: imm5 === 0 ? 32 : imm5 };
    default: return imm5 === 0 ? { t: 'RRX', n: 1 } : { t: 'ROR', n: imm5 };
  }
}
export function DecodeRegShift(type: number): SRType {
  return (['LSL', 'LSR', 'ASR', 'ROR'] as const)[type & 3]!;
}

/** A5.3.2 ThumbExpandImm_C(imm12, carry_in): [imm32, carry_out]; throws for the UNPREDICTABLE zero patterns. */
export function ThumbExpandImm_C(imm12: number, carryIn: number): [bigint, number] {
  const i = BigInt(imm12);
  const imm8 = field(i, 7, 0);
  if (field(i, 11, 10) === 0n) {
    let imm32: bigint;
    switch (Number(field(i, 9, 8))) {
      case 0: imm32 = imm8; break;
      case 1: if (imm8 === 0n) throw new Error('UNPREDICTABLE'); imm32 = (imm8 << 16n) | imm8; break;
      case 2: if (imm8 === 0n) throw new Error('UNPREDICTABLE'); imm32 = (imm8 << 24n) | (imm8 << 8n); break;
      default: if (imm8 === 0n) throw new Error('UNPREDICTABLE'); imm32 = (imm8 << 24n) | (imm8 << 16n) | (imm8 << 8n) | imm8; break;
    }
    return [imm32, carryIn];
  }
  const unrotated = (1n << 7n) | field(i, 6, 0);
  return ROR_C(unrotated, Number(field(i, 11, 7)));
}
export const ThumbExpandImm = (imm12: number): bigint => ThumbExpandImm_C(imm12, 0)[0];

/** SignedSatQ(i, N): [result as a signed integer in N-bit range, saturated] */
export function SignedSatQ(i: bigint, N: number): [bigint, boolean] {
  const hi = (1n << BigInt(N - 1)) - 1n, lo = -(1n << BigInt(N - 1));
  if (i > hi) return [hi, true];
  if (i < lo) return [lo, true];
  return [i, false];
}
/** UnsignedSatQ(i, N): [result in 0..2^N-1, saturated] */
export function UnsignedSatQ(i: bigint, N: number): [bigint, boolean] {
  const hi = (1n << BigInt(N)) - 1n;
  if (i > hi) return [hi, true];
  if (i < 0n) return [0n, true];
  return [i, false];
}
export const SignedSat = (i: bigint, N: number): bigint => SignedSatQ(i, N)[0];
export const UnsignedSat = (i: bigint, N: number): bigint => UnsignedSatQ(i, N)[0];

/** A7.3.1 ConditionPassed for a condition code 0-15 */
export function ConditionPassed(cond: number, f: Flags): boolean {
  let result: boolean;
  switch (cond >> 1) {
    case 0: result = f.z === 1; break;
    case 1: result = f.c === 1; break;
    case 2: result = f.n === 1; break;
    case 3: result = f.v === 1; break;
    case 4: result = f.c === 1 && f.z === 0; break;
    case 5: result = f.n === f.v; break;
    case 6: result = f.n === f.v && f.z === 0; break;
    default: result = true; break;
  }
  if ((cond & 1) === 1 && cond !== 15) result = !result;
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Data processing (A7.7: AND, TST, BIC, ORR, ORN, MOV, MVN, EOR, TEQ, ADD, CMN, ADC, SBC, SUB, CMP, RSB)

export type DpOp = 'and' | 'tst' | 'bic' | 'orr' | 'orn' | 'mov' | 'mvn' | 'eor' | 'teq'
  | 'add' | 'cmn' | 'adc' | 'sbc' | 'sub' | 'cmp' | 'rsb';
export const DP_LOGICAL: DpOp[] = ['and', 'tst', 'bic', 'orr', 'orn', 'mov', 'mvn', 'eor', 'teq'];
export const DP_ARITH: DpOp[] = ['add', 'cmn', 'adc', 'sbc', 'sub', 'cmp', 'rsb'];
/** ops that write no register (always set flags) */
export const DP_COMPARE: DpOp[] = ['tst', 'teq', 'cmn', 'cmp'];
/** ops without a first register operand */
export const DP_NO_RN: DpOp[] = ['mov', 'mvn'];

/**
 * One data-processing operation with its second operand already formed: `op2` and the shifter/expander carry
 * `carry` (used only by the logical operations). `d` is ignored for the compares, `n` for MOV/MVN.
 */
export function dataProc(s: ArchState, op: DpOp, d: number, n: number, op2: bigint, carry: number, setflags: boolean): void {
  const rn = s.R(n);
  let result: bigint;
  let c = carry, v = s.v;
  switch (op) {
    case 'and': case 'tst': result = rn & op2; break;
    case 'bic': result = rn & NOT(op2); break;
    case 'orr': result = rn | op2; break;
    case 'orn': result = rn | NOT(op2); break;
    case 'mov': result = op2; break;
    case 'mvn': result = NOT(op2); break;
    case 'eor': case 'teq': result = rn ^ op2; break;
    case 'add': [result, c, v] = AddWithCarry(rn, op2, 0); break;
    case 'cmn': [result, c, v] = AddWithCarry(rn, op2, 0); break;
    case 'adc': [result, c, v] = AddWithCarry(rn, op2, s.c); break;
    case 'sbc': [result, c, v] = AddWithCarry(rn, NOT(op2), s.c); break;
    case 'sub': case 'cmp': [result, c, v] = AddWithCarry(rn, NOT(op2), 1); break;
    case 'rsb': [result, c, v] = AddWithCarry(NOT(rn), op2, 1); break;
  }
  const compare = DP_COMPARE.includes(op);
  if (!compare) s.W(d, result);
  if (setflags || compare) {
    s.setNZ(result);
    s.c = c;
    s.v = v;
  }
}

/** <op>{S} Rd, Rn, #<const> (modified immediate, encoding T1/T2/T3 of the 32-bit forms) */
export function dpImm(s: ArchState, op: DpOp, d: number, n: number, imm12: number, setflags: boolean): void {
  const [imm32, carry] = ThumbExpandImm_C(imm12, s.c);
  dataProc(s, op, d, n, imm32, carry, setflags);
}

/** <op>{S} Rd, Rn, Rm {, <shift> #n} (shifted register; type/imm5 as encoded) */
export function dpReg(s: ArchState, op: DpOp, d: number, n: number, m: number, type: number, imm5: number, setflags: boolean): void {
  const { t, n: amount } = DecodeImmShift(type, imm5);
  const [shifted, carry] = Shift_C(s.R(m), t, amount, s.c);
  dataProc(s, op, d, n, shifted, carry, setflags);
}

/** <op>{S} Rd, Rn, #imm with a plain zero-extended immediate (16-bit forms, ADDW/SUBW): carry of MOV is APSR.C */
export function dpPlainImm(s: ArchState, op: DpOp, d: number, n: number, imm: number, setflags: boolean): void {
  dataProc(s, op, d, n, BigInt(imm), s.c, setflags);
}

/** LSL/LSR/ASR/ROR{S} Rd, Rn, Rm (register-controlled shift) */
export function shiftReg(s: ArchState, type: SRType, d: number, n: number, m: number, setflags: boolean): void {
  const amount = Number(field(s.R(m), 7, 0));
  const [result, carry] = Shift_C(s.R(n), type, amount, s.c);
  s.W(d, result);
  if (setflags) { s.setNZ(result); s.c = carry; }
}

/** ADR Rd, <label> (and ADD/SUB Rd, PC, #imm12): Align(PC, 4) +/- imm; R[15] must hold the instruction's address + 4 */
export function adr(s: ArchState, d: number, imm: number, add: boolean): void {
  const base = s.R(15) & ~3n;
  s.W(d, add ? base + BigInt(imm) : base - BigInt(imm));
}

/** MOVW Rd, #imm16 */
export function movw(s: ArchState, d: number, imm16: number): void { s.W(d, BigInt(imm16)); }
/** MOVT Rd, #imm16 */
export function movt(s: ArchState, d: number, imm16: number): void { s.W(d, (BigInt(imm16) << 16n) | field(s.R(d), 15, 0)); }

// ---------------------------------------------------------------------------------------------------------------
// Multiply and divide

/** MUL{S} Rd, Rn, Rm: flags N, Z only (C and V unchanged in ARMv7-M) */
export function mul(s: ArchState, d: number, n: number, m: number, setflags: boolean): void {
  const result = u32(SInt(s.R(n)) * SInt(s.R(m)));
  s.W(d, result);
  if (setflags) s.setNZ(result);
}
export function mla(s: ArchState, d: number, n: number, m: number, a: number): void {
  s.W(d, SInt(s.R(n)) * SInt(s.R(m)) + SInt(s.R(a)));
}
export function mls(s: ArchState, d: number, n: number, m: number, a: number): void {
  s.W(d, SInt(s.R(a)) - SInt(s.R(n)) * SInt(s.R(m)));
}
const writeLong = (s: ArchState, dLo: number, dHi: number, result: bigint) => {
  s.W(dHi, field(UInt(result, 64), 63, 32));
  s.W(dLo, field(UInt(result, 64), 31, 0));
};
const acc64 = (s: ArchState, dLo: number, dHi: number): bigint => (s.R(dHi) << 32n) | s.R(dLo);
export function smull(s: ArchState, dLo: number, dHi: number, n: number, m: number): void {
  writeLong(s, dLo, dHi, SInt(s.R(n)) * SInt(s.R(m)));
}
export function umull(s: ArchState, dLo: number, dHi: number, n: number, m: number): void {
  writeLong(s, dLo, dHi, UInt(s.R(n)) * UInt(s.R(m)));
}
export function smlal(s: ArchState, dLo: number, dHi: number, n: number, m: number): void {
  writeLong(s, dLo, dHi, SInt(s.R(n)) * SInt(s.R(m)) + SInt(acc64(s, dLo, dHi), 64));
}
export function umlal(s: ArchState, dLo: number, dHi: number, n: number, m: number): void {
  writeLong(s, dLo, dHi, UInt(s.R(n)) * UInt(s.R(m)) + acc64(s, dLo, dHi));
}
export function umaal(s: ArchState, dLo: number, dHi: number, n: number, m: number): void {
  writeLong(s, dLo, dHi, UInt(s.R(n)) * UInt(s.R(m)) + UInt(s.R(dHi)) + UInt(s.R(dLo)));
}
/** RoundTowardsZero of x/y for integers */
const divTrunc = (x: bigint, y: bigint): bigint => x / y; // BigInt division truncates toward zero
/** SDIV: divide by zero gives 0 (CCR.DIV_0_TRP = 0) */
export function sdiv(s: ArchState, d: number, n: number, m: number): void {
  const rm = SInt(s.R(m));
  s.W(d, rm === 0n ? 0n : divTrunc(SInt(s.R(n)), rm));
}
export function udiv(s: ArchState, d: number, n: number, m: number): void {
  const rm = UInt(s.R(m));
  s.W(d, rm === 0n ? 0n : divTrunc(UInt(s.R(n)), rm));
}

// ---------------------------------------------------------------------------------------------------------------
// Saturate

/** SSAT Rd, #saturate_to (1..32), Rn {, LSL #k | ASR #k} */
export function ssat(s: ArchState, d: number, saturateTo: number, n: number, shiftT: 'LSL' | 'ASR', amount: number): void {
  const operand = Shift(s.R(n), shiftT, amount, s.c);
  const [result, sat] = SignedSatQ(SInt(operand), saturateTo);
  s.W(d, result); // SignExtend(result, 32)
  if (sat) s.q = 1;
}
/** USAT Rd, #saturate_to (0..31), Rn {, shift} */
export function usat(s: ArchState, d: number, saturateTo: number, n: number, shiftT: 'LSL' | 'ASR', amount: number): void {
  const operand = Shift(s.R(n), shiftT, amount, s.c);
  const [result, sat] = UnsignedSatQ(SInt(operand), saturateTo);
  s.W(d, result); // ZeroExtend(result, 32)
  if (sat) s.q = 1;
}
/** SSAT16 Rd, #saturate_to (1..16), Rn */
export function ssat16(s: ArchState, d: number, saturateTo: number, n: number): void {
  const rn = s.R(n);
  const [r1, s1] = SignedSatQ(SInt(field(rn, 15, 0), 16), saturateTo);
  const [r2, s2] = SignedSatQ(SInt(field(rn, 31, 16), 16), saturateTo);
  s.W(d, (UInt(r2, 16) << 16n) | UInt(r1, 16));
  if (s1 || s2) s.q = 1;
}
/** USAT16 Rd, #saturate_to (0..15), Rn */
export function usat16(s: ArchState, d: number, saturateTo: number, n: number): void {
  const rn = s.R(n);
  const [r1, s1] = UnsignedSatQ(SInt(field(rn, 15, 0), 16), saturateTo);
  const [r2, s2] = UnsignedSatQ(SInt(field(rn, 31, 16), 16), saturateTo);
  s.W(d, (r2 << 16n) | r1);
  if (s1 || s2) s.q = 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Bit fields

export function sbfx(s: ArchState, d: number, n: number, lsb: number, width: number): void {
  const msb = lsb + width - 1;
  if (msb > 31) throw new Error('UNPREDICTABLE');
  s.W(d, SInt(field(s.R(n), msb, lsb), width));
}
export function ubfx(s: ArchState, d: number, n: number, lsb: number, width: number): void {
  const msb = lsb + width - 1;
  if (msb > 31) throw new Error('UNPREDICTABLE');
  s.W(d, field(s.R(n), msb, lsb));
}
/** BFI Rd, Rn, #lsb, #width: R[d]<msb:lsb> = R[n]<width-1:0> */
export function bfi(s: ArchState, d: number, n: number, lsb: number, width: number): void {
  const msb = lsb + width - 1;
  if (msb > 31 || width < 1) throw new Error('UNPREDICTABLE');
  const fm = mask(width) << BigInt(lsb);
  s.W(d, (s.R(d) & ~fm) | ((field(s.R(n), width - 1, 0) << BigInt(lsb)) & fm));
}
export function bfc(s: ArchState, d: number, lsb: number, width: number): void {
  const msb = lsb + width - 1;
  if (msb > 31 || width < 1) throw new Error('UNPREDICTABLE');
  s.W(d, s.R(d) & ~(mask(width) << BigInt(lsb)));
}

// ---------------------------------------------------------------------------------------------------------------
// Extends (SXTB, SXTH, SXTB16, UXTB, UXTH, UXTB16 and the add forms SXTAB ... UXTAB16)

export type ExtKind = 'sxtb' | 'sxth' | 'sxtb16' | 'uxtb' | 'uxth' | 'uxtb16';

/** `n` = null for the plain extends, a register for the add forms; rotation 0, 8, 16 or 24 */
export function extend(s: ArchState, kind: ExtKind, d: number, n: number | null, m: number, rotation: number): void {
  const rotated = ROR(s.R(m), rotation);
  const rn = n === null ? 0n : s.R(n);
  switch (kind) {
    case 'sxtb': s.W(d, rn + SInt(field(rotated, 7, 0), 8)); break;
    case 'uxtb': s.W(d, rn + field(rotated, 7, 0)); break;
    case 'sxth': s.W(d, rn + SInt(field(rotated, 15, 0), 16)); break;
    case 'uxth': s.W(d, rn + field(rotated, 15, 0)); break;
    case 'sxtb16': case 'uxtb16': {
      const ext = kind === 'sxtb16' ? (x: bigint) => SInt(x, 8) : (x: bigint) => x;
      const lo = field(rn, 15, 0) + ext(field(rotated, 7, 0));
      const hi = field(rn, 31, 16) + ext(field(rotated, 23, 16));
      s.W(d, (UInt(hi, 16) << 16n) | UInt(lo, 16));
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reverse, bit count, pack

export function rev(s: ArchState, d: number, m: number): void {
  const x = s.R(m);
  s.W(d, (field(x, 7, 0) << 24n) | (field(x, 15, 8) << 16n) | (field(x, 23, 16) << 8n) | field(x, 31, 24));
}
export function rev16(s: ArchState, d: number, m: number): void {
  const x = s.R(m);
  s.W(d, (field(x, 23, 16) << 24n) | (field(x, 31, 24) << 16n) | (field(x, 7, 0) << 8n) | field(x, 15, 8));
}
export function revsh(s: ArchState, d: number, m: number): void {
  const x = s.R(m);
  s.W(d, (UInt(SInt(field(x, 7, 0), 8), 24) << 8n) | field(x, 15, 8));
}
export function rbit(s: ArchState, d: number, m: number): void {
  const x = s.R(m);
  let r = 0n;
  for (let i = 0; i < 32; i++) r |= BigInt(bit(x, i)) << BigInt(31 - i);
  s.W(d, r);
}
export function clz(s: ArchState, d: number, m: number): void {
  const x = s.R(m);
  let hi = -1; // HighestSetBit
  for (let i = 31; i >= 0; i--) if (bit(x, i)) { hi = i; break; }
  s.W(d, BigInt(31 - hi));
}
/** PKHBT Rd, Rn, Rm {, LSL #k}: Rn<15:0> low, (Rm LSL k)<31:16> high */
export function pkhbt(s: ArchState, d: number, n: number, m: number, lsl: number): void {
  const op2 = Shift(s.R(m), 'LSL', lsl, s.c);
  s.W(d, (field(op2, 31, 16) << 16n) | field(s.R(n), 15, 0));
}
/** PKHTB Rd, Rn, Rm {, ASR #k} (k 1..32): (Rm ASR k)<15:0> low, Rn<31:16> high */
export function pkhtb(s: ArchState, d: number, n: number, m: number, asr: number): void {
  const op2 = Shift(s.R(m), 'ASR', asr, s.c);
  s.W(d, (field(s.R(n), 31, 16) << 16n) | field(op2, 15, 0));
}

// ---------------------------------------------------------------------------------------------------------------
// DSP: parallel add/subtract (A7.7 SADD16 ... UHSUB8), SEL, USAD8, USADA8

export type ParPrefix = 's' | 'q' | 'sh' | 'u' | 'uq' | 'uh';
export type ParOp = 'add16' | 'asx' | 'sax' | 'sub16' | 'add8' | 'sub8';
export const PAR_PREFIXES: ParPrefix[] = ['s', 'q', 'sh', 'u', 'uq', 'uh'];
export const PAR_OPS: ParOp[] = ['add16', 'asx', 'sax', 'sub16', 'add8', 'sub8'];

/** prefix+op, e.g. "uqasx" */
export function parallel(s: ArchState, prefix: ParPrefix, op: ParOp, d: number, n: number, m: number): void {
  const signed = prefix === 's' || prefix === 'q' || prefix === 'sh';
  const rn = s.R(n), rm = s.R(m);
  const w = op.endsWith('8') ? 8 : 16;
  const lanes = 32 / w;
  const lane = (x: bigint, i: number): bigint => {
    const v = field(x, i * w + w - 1, i * w);
    return signed ? SInt(v, w) : v;
  };
  // each lane's exact (infinite-precision) result and whether it is a sum (true) or a difference (false)
  const res: bigint[] = [];
  const isSum: boolean[] = [];
  for (let i = 0; i < lanes; i++) {
    const a = lane(rn, i);
    let b: bigint, add: boolean;
    switch (op) {
      case 'add16': case 'add8': b = lane(rm, i); add = true; break;
      case 'sub16': case 'sub8': b = lane(rm, i); add = false; break;
      // ASX: low lane Rn.lo - Rm.hi, high lane Rn.hi + Rm.lo
      case 'asx': b = lane(rm, 1 - i); add = i === 1; break;
      // SAX: low lane Rn.lo + Rm.hi, high lane Rn.hi - Rm.lo
      case 'sax': b = lane(rm, 1 - i); add = i === 0; break;
    }
    res.push(add ? a + b : a - b);
    isSum.push(add);
  }
  let out = 0n;
  let ge = 0;
  const gePerLane = 4 / lanes;
  for (let i = 0; i < lanes; i++) {
    const x = res[i]!;
    let r: bigint;
    switch (prefix) {
      case 's': case 'u': r = UInt(x, w); break;
      case 'q': r = UInt(SignedSat(x, w), w); break;
      case 'uq': r = UInt(UnsignedSat(x, w), w); break;
      case 'sh': case 'uh': r = field(UInt(x, w + 2), w, 1); break; // x<w:1>
    }
    out |= r << BigInt(i * w);
    // GE: signed lanes >= 0; unsigned sums >= 2^w; unsigned differences >= 0
    const geSet = prefix === 's' ? x >= 0n : isSum[i] ? x >= 1n << BigInt(w) : x >= 0n;
    if (geSet) ge |= ((1 << gePerLane) - 1) << (i * gePerLane);
  }
  s.W(d, out);
  if (prefix === 's' || prefix === 'u') s.ge = ge;
}

export function sel(s: ArchState, d: number, n: number, m: number): void {
  let out = 0n;
  for (let i = 0; i < 4; i++) {
    const src = (s.ge >> i) & 1 ? s.R(n) : s.R(m);
    out |= field(src, 8 * i + 7, 8 * i) << BigInt(8 * i);
  }
  s.W(d, out);
}
const absDiff8Sum = (a: bigint, b: bigint): bigint => {
  let sum = 0n;
  for (let i = 0; i < 4; i++) {
    const x = field(a, 8 * i + 7, 8 * i) - field(b, 8 * i + 7, 8 * i);
    sum += x < 0n ? -x : x;
  }
  return sum;
};
export function usad8(s: ArchState, d: number, n: number, m: number): void { s.W(d, absDiff8Sum(s.R(n), s.R(m))); }
export function usada8(s: ArchState, d: number, n: number, m: number, a: number): void {
  s.W(d, UInt(s.R(a)) + absDiff8Sum(s.R(n), s.R(m)));
}

// ---------------------------------------------------------------------------------------------------------------
// DSP: saturating arithmetic (QADD, QSUB, QDADD, QDSUB). Assembler order: Q<op> Rd, Rm, Rn.

export function qadd(s: ArchState, d: number, m: number, n: number): void {
  const [r, sat] = SignedSatQ(SInt(s.R(m)) + SInt(s.R(n)), 32);
  s.W(d, r); if (sat) s.q = 1;
}
export function qsub(s: ArchState, d: number, m: number, n: number): void {
  const [r, sat] = SignedSatQ(SInt(s.R(m)) - SInt(s.R(n)), 32);
  s.W(d, r); if (sat) s.q = 1;
}
export function qdadd(s: ArchState, d: number, m: number, n: number): void {
  const [doubled, sat1] = SignedSatQ(2n * SInt(s.R(n)), 32);
  const [r, sat2] = SignedSatQ(SInt(s.R(m)) + doubled, 32);
  s.W(d, r); if (sat1 || sat2) s.q = 1;
}
export function qdsub(s: ArchState, d: number, m: number, n: number): void {
  const [doubled, sat1] = SignedSatQ(2n * SInt(s.R(n)), 32);
  const [r, sat2] = SignedSatQ(SInt(s.R(m)) - doubled, 32);
  s.W(d, r); if (sat1 || sat2) s.q = 1;
}

// ---------------------------------------------------------------------------------------------------------------
// DSP: signed multiplies

const half = (x: bigint, high: boolean): bigint => SInt(high ? field(x, 31, 16) : field(x, 15, 0), 16);
/** result != SInt(result<31:0>) */
const overflows32 = (x: bigint): boolean => SInt(x) !== x;

/** SMLA<x><y> Rd, Rn, Rm, Ra */
export function smlaxy(s: ArchState, d: number, n: number, m: number, a: number, nHigh: boolean, mHigh: boolean): void {
  const result = half(s.R(n), nHigh) * half(s.R(m), mHigh) + SInt(s.R(a));
  s.W(d, result);
  if (overflows32(result)) s.q = 1;
}
/** SMUL<x><y> Rd, Rn, Rm */
export function smulxy(s: ArchState, d: number, n: number, m: number, nHigh: boolean, mHigh: boolean): void {
  s.W(d, half(s.R(n), nHigh) * half(s.R(m), mHigh));
}
/** SMLAW<y> Rd, Rn, Rm, Ra: R[d] = result<47:16>; Q if (result >> 16) != SInt(R[d]) */
export function smlawy(s: ArchState, d: number, n: number, m: number, a: number, mHigh: boolean): void {
  const result = SInt(s.R(n)) * half(s.R(m), mHigh) + (SInt(s.R(a)) << 16n);
  const rd = field(UInt(result, 64), 47, 16);
  s.W(d, rd);
  if ((result >> 16n) !== SInt(rd)) s.q = 1;
}
/** SMULW<y> Rd, Rn, Rm */
export function smulwy(s: ArchState, d: number, n: number, m: number, mHigh: boolean): void {
  const product = SInt(s.R(n)) * half(s.R(m), mHigh);
  s.W(d, field(UInt(product, 64), 47, 16));
}
/** SMLAL<x><y> RdLo, RdHi, Rn, Rm */
export function smlalxy(s: ArchState, dLo: number, dHi: number, n: number, m: number, nHigh: boolean, mHigh: boolean): void {
  writeLong(s, dLo, dHi, half(s.R(n), nHigh) * half(s.R(m), mHigh) + SInt(acc64(s, dLo, dHi), 64));
}
/** the two halfword products of SMLAD/SMLSD/SMUAD/SMUSD/SMLALD/SMLSLD, with the optional swap (X) of Rm */
const dualProducts = (s: ArchState, n: number, m: number, swap: boolean): [bigint, bigint] => {
  const op2 = swap ? ROR(s.R(m), 16) : s.R(m);
  const rn = s.R(n);
  return [half(rn, false) * half(op2, false), half(rn, true) * half(op2, true)];
};
/** SMLAD{X} Rd, Rn, Rm, Ra */
export function smlad(s: ArchState, d: number, n: number, m: number, a: number, swap: boolean): void {
  const [p1, p2] = dualProducts(s, n, m, swap);
  const result = p1 + p2 + SInt(s.R(a));
  s.W(d, result);
  if (overflows32(result)) s.q = 1;
}
/** SMLSD{X} Rd, Rn, Rm, Ra */
export function smlsd(s: ArchState, d: number, n: number, m: number, a: number, swap: boolean): void {
  const [p1, p2] = dualProducts(s, n, m, swap);
  const result = p1 - p2 + SInt(s.R(a));
  s.W(d, result);
  if (overflows32(result)) s.q = 1;
}
/** SMUAD{X} Rd, Rn, Rm */
export function smuad(s: ArchState, d: number, n: number, m: number, swap: boolean): void {
  const [p1, p2] = dualProducts(s, n, m, swap);
  const result = p1 + p2;
  s.W(d, result);
  if (overflows32(result)) s.q = 1;
}
/** SMUSD{X} Rd, Rn, Rm (cannot overflow; no Q) */
export function smusd(s: ArchState, d: number, n: number, m: number, swap: boolean): void {
  const [p1, p2] = dualProducts(s, n, m, swap);
  s.W(d, p1 - p2);
}
/** SMLALD{X} RdLo, RdHi, Rn, Rm */
export function smlald(s: ArchState, dLo: number, dHi: number, n: number, m: number, swap: boolean): void {
  const [p1, p2] = dualProducts(s, n, m, swap);
  writeLong(s, dLo, dHi, p1 + p2 + SInt(acc64(s, dLo, dHi), 64));
}
/** SMLSLD{X} RdLo, RdHi, Rn, Rm */
export function smlsld(s: ArchState, dLo: number, dHi: number, n: number, m: number, swap: boolean): void {
  const [p1, p2] = dualProducts(s, n, m, swap);
  writeLong(s, dLo, dHi, p1 - p2 + SInt(acc64(s, dLo, dHi), 64));
}
/** SMMUL{R} Rd, Rn, Rm */
export function smmul(s: ArchState, d: number, n: number, m: number, round: boolean): void {
  let result = SInt(s.R(n)) * SInt(s.R(m));
  if (round) result += 0x80000000n;
  s.W(d, field(UInt(result, 64), 63, 32));
}
/** SMMLA{R} Rd, Rn, Rm, Ra */
export function smmla(s: ArchState, d: number, n: number, m: number, a: number, round: boolean): void {
  let result = (SInt(s.R(a)) << 32n) + SInt(s.R(n)) * SInt(s.R(m));
  if (round) result += 0x80000000n;
  s.W(d, field(UInt(result, 64), 63, 32));
}
/** SMMLS{R} Rd, Rn, Rm, Ra */
export function smmls(s: ArchState, d: number, n: number, m: number, a: number, round: boolean): void {
  let result = (SInt(s.R(a)) << 32n) - SInt(s.R(n)) * SInt(s.R(m));
  if (round) result += 0x80000000n;
  s.W(d, field(UInt(result, 64), 63, 32));
}
