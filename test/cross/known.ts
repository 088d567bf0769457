/**
 * Known, justified differences between an external assembler and the table: the one list of them. A sample that
 * fails only in a way listed here is counted as "known", not as a failure. Keep it small; each entry says why the
 * difference is the tool's, not ours (our encoder still has to give the original bytes for our text: that check
 * is never excused here).
 */
import type { Sample } from './samples.js';
import { decodeWord } from './samples.js';
import { thumbExpandImm } from '../../src/isa/kinds.js';

export interface KnownDiff {
  tool: 'llvm' | 'gnu';
  /** entry ids it applies to */
  id: RegExp;
  /** does it explain this sample's disagreement? (`answer` is the tool's bytes, or null on an error) */
  applies: (s: Sample, answer: number[] | null, errors: string[]) => boolean;
  reason: string;
}

/** The entry id and fields our decoder gives the tool's answer (used only to recognise a listed case). */
function answerIs(answer: number[] | null, id: string): Record<string, number> | undefined {
  if (!answer) return undefined;
  const size = answer.length === 4 ? 4 : 2;
  const w = size === 2 ? answer[0]! | (answer[1]! << 8) : (((answer[1]! << 24) | (answer[0]! << 16) | (answer[3]! << 8) | answer[2]!) >>> 0);
  const d = decodeWord(w, size);
  return d.entry?.def.id === id ? d.f : undefined;
}
const fieldsOf = (s: Sample) => decodeWord(s.word, s.entry.pat.size).f;

export const KNOWN: KnownDiff[] = [
  {
    tool: 'gnu', id: /^HINT_T[12]$/,
    applies: (_s, _a, errors) => errors.some((e) => /bad instruction `hint/.test(e)),
    reason: 'GNU as has no `hint #n` mnemonic for the unallocated hints (llvm-mc has)',
  },
  {
    tool: 'gnu', id: /^(LDR|STR|PLD|PLI)/,
    applies: (s, a) => {
      if (!/#-0\b/.test(s.operands) || !a) return false;
      const size = a.length === 4 ? 4 : 2;
      const w = size === 2 ? a[0]! | (a[1]! << 8) : (((a[1]! << 24) | (a[0]! << 16) | (a[3]! << 8) | a[2]!) >>> 0);
      const d = decodeWord(w, size);
      return !!d.entry && Object.entries(d.f).every(([k, v]) => !/^imm/.test(k) || v === 0);
    },
    reason: 'GNU as drops the sign of a `#-0` offset (encodes +0, U = 1, choosing the imm12 form where there is one); llvm-mc keeps U = 0',
  },
  {
    tool: 'llvm', id: /^MOV_imm_T2$/,
    applies: (s, a) => {
      const f = fieldsOf(s), t = answerIs(a, 'MOVW_T3');
      return !!t && t.Rd === f.Rd && t.imm16 === thumbExpandImm(f.imm12!);
    },
    reason: 'llvm-mc 14 often encodes `mov Rd, #imm` (no s) as MOVW when imm < 65536, even when it is a modified immediate (always inside an IT block); GNU as keeps MOV T2',
  },
  {
    tool: 'llvm', id: /^DSB_T1$/,
    applies: (s, _a, errors) => s.itCond !== undefined && errors.some((e) => /'p?ssbb' is not predicable/.test(e)),
    reason: 'llvm-mc 14 reads `dsb #0` and `dsb #4` as the Armv8 SSBB/PSSBB barriers, which it makes non-predicable (rejected in an IT block)',
  },
  {
    tool: 'llvm', id: /^MUL_T2$/,
    applies: (s, _a, errors) => /\.w$/.test(s.mnemonic) && errors.some((e) => /invalid instruction/.test(e)),
    reason: 'llvm-mc 14 has no `mul.w` spelling, which is the only way to ask for MUL T2 where a 16-bit MUL fits (GNU as takes it)',
  },
  {
    tool: 'llvm', id: /^UDF_T[12]$/,
    applies: (s, _a, errors) => errors.some((e) => (s.itCond !== undefined && /'udf' is not predicable/.test(e)) || /range \[0,255\]/.test(e)),
    reason: 'llvm-mc treats UDF as not predicable (rejects udf<c> in an IT block) and takes #imm > 255 only as `udf.w` (LLVM test udf-thumb-2-diagnostics.s); GNU as takes both',
  },
];
