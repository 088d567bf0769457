/**
 * Requantisation and clamping in assembly (ARMv7-M: SMLAL, LSL/ASR, UBFX, SSAT; no DSP instructions), bit-exact
 * with the reference (src/nn/quant.ts, reference/int8-semantics.md):
 *
 * Double rounding (TFLM's default), MultiplyByQuantizedMultiplier(x, M, shift):
 *   left = max(shift, 0), right = max(-shift, 0)
 *   x <<= left                                   (LSL wraps, as Math.imul does in the reference)
 *   SRDHM: floor((x * M + 2^30) / 2^31)          SMLAL of x * M into a 64-bit accumulator preset to 2^30 (the
 *                                                nudge), then bits [62:31]. Equal to gemmlowp's
 *                                                (x*M + nudge) / 2^31 with C truncation for both signs
 *                                                (src/nn/quant.ts saturatingRoundingDoublingHighMul); the
 *                                                saturating case x = M = INT32_MIN cannot happen: M >= 0.
 *   RDBPOT(x, right): mask = 2^right - 1; rem = x & mask; thr = (mask >> 1) + (x < 0);
 *                     (x >> right) + (rem > thr)
 * Single rounding (TFLITE_SINGLE_ROUNDING): total = 31 - shift (1..62); (x * M + 2^(total-1)) >> total, 64-bit.
 * Then: + output zero point, SSAT #8 (clamp to [-128, 127]), then the activation range [actMin, actMax].
 *
 * The multiplier and shift of the channel come from the `multipliers` and `shifts` tables (int32 each); when every
 * channel has the same shift, the shift is an immediate and the code for it is specialised (no left shift for
 * shifts <= 0, UBFX for the remainder).
 */
import type { LayerPlan } from '../nn/spec.js';
import { addImm, cmpImm, movImm, movSmall } from './asm.js';

export interface RequantRegs {
  /** the accumulator in, the requantised, clamped value out */
  acc: string;
  /** the output channel index (for the tables) */
  ch: string;
  /** six scratch registers */
  t: readonly [string, string, string, string, string, string];
  /** a unique prefix for local labels */
  label: string;
}

/** What the requantisation reads of a layer plan. */
export type RequantParams = Pick<LayerPlan, 'shifts' | 'rounding' | 'outputOffset' | 'actMin' | 'actMax'>;

/** The one shift all channels share, or null. */
export function uniformShift(plan: Pick<LayerPlan, 'shifts'>): number | null {
  const s = plan.shifts;
  for (let i = 1; i < s.length; i++) if (s[i] !== s[0]) return null;
  return s.length ? s[0]! : 0;
}

/**
 * Requantise `acc` (channel `ch`), add the output zero point and clamp: the assembly lines. With `clamp: false`
 * only MultiplyByQuantizedMultiplier (the int32 result in `acc`; for tests).
 */
export function requantAsm(plan: RequantParams, r: RequantRegs, opts: { clamp?: boolean } = {}): string[] {
  const { acc, ch, label } = r;
  const [m, sh, lo, hi, t4, t5] = r.t;
  const us = uniformShift(plan);
  const out: string[] = [];
  const emit = (...l: string[]) => out.push(...l.map((x) => (x.endsWith(':') ? x : `  ${x}`)));
  emit(`@ requantise ${acc} (channel ${ch}): ${plan.rounding} rounding${us === null ? ', per-channel shifts' : `, shift ${us} for every channel`}`);
  emit(`ldr ${m}, =multipliers`, `ldr ${m}, [${m}, ${ch}, lsl #2]    @ M[ch]`);
  if (us === null) emit(`ldr ${sh}, =shifts`, `ldr ${sh}, [${sh}, ${ch}, lsl #2]    @ shift[ch]`);

  if (plan.rounding === 'double') {
    const anyLeft = us === null ? Array.from(plan.shifts).some((s) => s > 0) : us > 0;
    if (us === null) {
      if (anyLeft) emit('@ left shift: x <<= shift when shift > 0 (and no right shift then)', `cmp ${sh}, #0`, 'itt gt', `lslgt ${acc}, ${acc}, ${sh}`, `movgt ${sh}, #0`);
    } else if (us > 0) {
      emit(`lsl ${acc}, ${acc}, #${us}    @ left shift ${us}`);
    }
    emit(
      '@ SRDHM: (x * M + 2^30) >> 31 on 64 bits',
      `mov.w ${lo}, #0x40000000`,
      `mov.w ${hi}, #0`,
      `smlal ${lo}, ${hi}, ${acc}, ${m}`,
      `lsr ${lo}, ${lo}, #31`,
      `orr ${acc}, ${lo}, ${hi}, lsl #1`,
    );
    if (us === null) {
      emit(
        '@ RDBPOT by right = -shift: (x >> right) + ((x & mask) > (mask >> 1) + (x < 0))',
        `rsb ${sh}, ${sh}, #0`,
        `mov.w ${lo}, #1`,
        `lsl ${lo}, ${lo}, ${sh}`,
        `sub ${lo}, ${lo}, #1    @ mask`,
        `and ${hi}, ${acc}, ${lo}    @ remainder`,
        `asr ${lo}, ${lo}, #1`,
        `add ${lo}, ${lo}, ${acc}, lsr #31    @ threshold`,
        `asr ${acc}, ${acc}, ${sh}`,
        `cmp ${hi}, ${lo}`,
        'it gt',
        `addgt ${acc}, ${acc}, #1`,
      );
    } else if (us < 0) {
      const right = -us;
      emit(
        `@ RDBPOT by ${right}: (x >> ${right}) + ((x & mask) > (mask >> 1) + (x < 0))`,
        `ubfx ${hi}, ${acc}, #0, #${right}    @ remainder`,
        ...movImm(lo, (right >= 31 ? 0x7fffffff : 2 ** right - 1) >>> 1),
        `add ${lo}, ${lo}, ${acc}, lsr #31    @ threshold`,
        `asr ${acc}, ${acc}, #${right}`,
        `cmp ${hi}, ${lo}`,
        'it gt',
        `addgt ${acc}, ${acc}, #1`,
      );
    }
  } else {
    // single rounding: (x * M + 2^(total-1)) >> total, total = 31 - shift in [1, 62]
    if (us === null) {
      emit(
        '@ single rounding: total = 31 - shift; (x * M + 2^(total-1)) >> total on 64 bits',
        `rsb ${sh}, ${sh}, #31    @ total`,
        `sub ${t4}, ${sh}, #1`,
        `mov.w ${t5}, #1`,
        `lsl ${lo}, ${t5}, ${t4}    @ low word of 2^(total-1) (0 when total-1 >= 32)`,
        `sub ${t4}, ${t4}, #32`,
        `lsl ${hi}, ${t5}, ${t4}    @ high word (0 when total-1 < 32: the amount's low byte is >= 224)`,
        `smlal ${lo}, ${hi}, ${acc}, ${m}`,
        `subs ${t4}, ${sh}, #32`,
        `bge ${label}_hi`,
        `rsb ${t4}, ${sh}, #32`,
        `lsr ${lo}, ${lo}, ${sh}`,
        `lsl ${hi}, ${hi}, ${t4}`,
        `orr ${acc}, ${lo}, ${hi}`,
        `b ${label}_done`,
        `${label}_hi:`,
        `asr ${acc}, ${hi}, ${t4}`,
        `${label}_done:`,
      );
    } else {
      const total = 31 - us;
      emit(`@ single rounding: (x * M + 2^${total - 1}) >> ${total} on 64 bits`);
      if (total - 1 < 32) emit(...movImm(lo, 2 ** (total - 1) | 0), `mov.w ${hi}, #0`);
      else emit(`mov.w ${lo}, #0`, ...movImm(hi, 2 ** (total - 33) | 0));
      emit(`smlal ${lo}, ${hi}, ${acc}, ${m}`);
      if (total < 32) emit(`lsr ${lo}, ${lo}, #${total}`, `orr ${acc}, ${lo}, ${hi}, lsl #${32 - total}`);
      else if (total === 32) emit(`mov ${acc}, ${hi}`);
      else emit(`asr ${acc}, ${hi}, #${total - 32}`);
    }
  }
  if (opts.clamp === false) return out;
  emit(`@ + output zero point ${plan.outputOffset}, clamp to [${plan.actMin}, ${plan.actMax}]`);
  emit(...addImm(acc, acc, plan.outputOffset, lo));
  emit(`ssat ${acc}, #8, ${acc}`);
  if (plan.actMin > -128) emit(...cmpImm(acc, plan.actMin, lo), 'it lt', movSmall(acc, plan.actMin, 'lt'));
  if (plan.actMax < 127) emit(...cmpImm(acc, plan.actMax, lo), 'it gt', movSmall(acc, plan.actMax, 'gt'));
  return out;
}
