/**
 * Small helpers that emit Thumb-2 (GNU unified syntax) for constants: the encodable form of an immediate or a
 * register load, so generators never write an instruction the assembler must reject.
 */
import { encodeThumbImm } from '../isa/kinds.js';

/** A Thumb-2 modified immediate (ARMv7-M ARM A5.3.2)? */
export const isModImm = (v: number): boolean => encodeThumbImm(v >>> 0) !== undefined;

/** `reg = v` (any int32): MOV/MVN with a modified immediate, MOVW, or MOVW+MOVT. */
export function movImm(reg: string, v: number): string[] {
  v |= 0;
  if (v < 0 && isModImm(~v)) return [`mvn.w ${reg}, #${(~v) >>> 0}    @ ${v}`];
  if (isModImm(v)) return [`mov.w ${reg}, #${v >>> 0}`];
  if (isModImm(~v)) return [`mvn.w ${reg}, #${(~v) >>> 0}    @ ${v}`];
  if (v >= 0 && v <= 0xffff) return [`movw ${reg}, #${v}`];
  return [`movw ${reg}, #${v & 0xffff}`, `movt ${reg}, #${(v >>> 16) & 0xffff}`];
}

/** `rd = rn + v`: ADD/SUB with an immediate (modified or 12-bit), else through `tmp`. Nothing when v = 0 and rd = rn. */
export function addImm(rd: string, rn: string, v: number, tmp: string): string[] {
  v |= 0;
  if (v === 0) return rd === rn ? [] : [`mov ${rd}, ${rn}`];
  if (v > 0 && isModImm(v)) return [`add.w ${rd}, ${rn}, #${v}`];
  if (v > 0 && v <= 4095) return [`addw ${rd}, ${rn}, #${v}`];
  if (v < 0 && isModImm(-v)) return [`sub.w ${rd}, ${rn}, #${-v}`];
  if (v < 0 && -v <= 4095) return [`subw ${rd}, ${rn}, #${-v}`];
  return [...movImm(tmp, v), `add ${rd}, ${rn}, ${tmp}`];
}

/** Compare `reg` with v (sets the flags as CMP reg, #v): CMP/CMN with a modified immediate, else through `tmp`. */
export function cmpImm(reg: string, v: number, tmp: string): string[] {
  v |= 0;
  if (isModImm(v)) return [`cmp.w ${reg}, #${v >>> 0}`];
  if (v < 0 && isModImm(-v)) return [`cmn.w ${reg}, #${-v}`];
  return [...movImm(tmp, v), `cmp ${reg}, ${tmp}`];
}

/** A MOV of an int8-range value for use inside an IT block (no flags): MOV or MVN with an 8-bit immediate. */
export function movSmall(reg: string, v: number, cond: string): string {
  if (v < -256 || v > 255) throw new RangeError(`movSmall: ${v} out of range`);
  return v >= 0 ? `mov${cond}.w ${reg}, #${v}` : `mvn${cond}.w ${reg}, #${~v}`;
}

/** `.byte` lines, 16 values a line */
export function byteLines(data: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length; i += 16) {
    const row: number[] = [];
    for (let j = i; j < Math.min(i + 16, data.length); j++) row.push(data[j]! & 0xff);
    out.push(`  .byte ${row.join(', ')}`);
  }
  return out;
}

/** `.word` lines, 8 values a line (int32 values written as signed decimals) */
export function wordLines(data: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length; i += 8) {
    const row: number[] = [];
    for (let j = i; j < Math.min(i + 8, data.length); j++) row.push(data[j]! | 0);
    out.push(`  .word ${row.join(', ')}`);
  }
  return out;
}

/** Lines of generated assembly: instructions (indented), labels with an optional comment, comment lines. */
export class Asm {
  readonly lines: string[] = [];
  /** instructions, one per argument */
  i(...l: string[]): void { for (const x of l) this.lines.push(`  ${x}`); }
  label(n: string, comment?: string): void { this.lines.push(comment ? `${n}:    @ ${comment}` : `${n}:`); }
  c(text: string): void { this.lines.push(`  @ ${text.replace(/\n/g, ' ')}`); }
}
