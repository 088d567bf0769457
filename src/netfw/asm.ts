/**
 * Assembly helpers of the network firmware builder: the kernels' own (src/kernels/asm.ts: encodable immediates, the
 * line builder) re-exported, string escaping, and requantisation by a constant multiplier and shift (TFLM's ADD).
 */
import type { Rounding } from '../nn/quant.js';

export { isModImm, movImm, addImm, cmpImm, movSmall, Asm } from '../kernels/asm.js';
import { cmpImm, movImm, movSmall } from '../kernels/asm.js';

export const hex = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** A string as a GNU as string literal (quotes, backslashes and control characters escaped; UTF-8 bytes as octal). */
export function asmString(s: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(s)) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * MultiplyByQuantizedMultiplier(acc, M, shift) with M and shift constants (src/nn/quant.ts, reference/int8-semantics.md),
 * in place on `acc`; `t` are three scratch registers (lo, hi, m). ARMv7-M only (SMLAL, UBFX).
 * Double rounding: x <<= max(shift, 0) (wraps); SRDHM = (x M + 2^30) >> 31 on 64 bits (M >= 0, so the saturating
 * case cannot happen); RDBPOT by max(-shift, 0): (x >> r) + ((x & mask) > (mask >> 1) + (x < 0)).
 * Single rounding: (x M + 2^(t-1)) >> t on 64 bits, t = 31 - shift.
 */
export function requantConstAsm(acc: string, M: number, shift: number, rounding: Rounding, t: readonly [string, string, string]): string[] {
  const [lo, hi, m] = t;
  const out: string[] = [];
  out.push(`@ ${acc} = MultiplyByQuantizedMultiplier(${acc}, ${M}, ${shift}), ${rounding} rounding`);
  if (rounding === 'double') {
    const left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    if (left) out.push(`lsl ${acc}, ${acc}, #${left}`);
    out.push(...movImm(m, M), `mov.w ${lo}, #0x40000000`, `mov.w ${hi}, #0`, `smlal ${lo}, ${hi}, ${acc}, ${m}`,
      `lsr ${lo}, ${lo}, #31`, `orr ${acc}, ${lo}, ${hi}, lsl #1    @ SRDHM`);
    if (right) {
      out.push(`ubfx ${hi}, ${acc}, #0, #${right}    @ remainder`, ...movImm(lo, (right >= 31 ? 0x7fffffff : 2 ** right - 1) >>> 1),
        `add ${lo}, ${lo}, ${acc}, lsr #31    @ threshold`, `asr ${acc}, ${acc}, #${right}`, `cmp ${hi}, ${lo}`, 'it gt', `addgt ${acc}, ${acc}, #1`);
    }
  } else {
    const total = 31 - shift;
    out.push(...movImm(m, M));
    if (total - 1 < 32) out.push(...movImm(lo, 2 ** (total - 1) | 0), `mov.w ${hi}, #0`);
    else out.push(`mov.w ${lo}, #0`, ...movImm(hi, 2 ** (total - 33) | 0));
    out.push(`smlal ${lo}, ${hi}, ${acc}, ${m}`);
    if (total < 32) out.push(`lsr ${lo}, ${lo}, #${total}`, `orr ${acc}, ${lo}, ${hi}, lsl #${32 - total}`);
    else if (total === 32) out.push(`mov ${acc}, ${hi}`);
    else out.push(`asr ${acc}, ${hi}, #${total - 32}`);
  }
  return out;
}

/** Clamp `acc` to [lo, hi] (int8 range values) with IT blocks; `tmp` for compare immediates that do not encode. */
export function clampAsm(acc: string, lo: number, hi: number, tmp: string): string[] {
  const out: string[] = [];
  if (lo > -128) out.push(...cmpImm(acc, lo, tmp), 'it lt', movSmall(acc, lo, 'lt'));
  if (hi < 127) out.push(...cmpImm(acc, hi, tmp), 'it gt', movSmall(acc, hi, 'gt'));
  return out;
}
