/**
 * Types of the instruction-set table (isa/*.ts at the top of the repository).
 *
 * One entry per encoding, named as the ARMv7-M Architecture Reference Manual (DDI 0403E) names them
 * (e.g. ADD (immediate) encoding T3 is `ADD_imm_T3`). The decoder, the encoder, the disassembler and the
 * assembler are all built from these entries; the semantics are looked up by `exec`.
 */

/** Architecture level an encoding first appears in. */
export type Arch = 'v6m' | 'v7m' | 'v7em';

/**
 * Timing class: the key the core models (src/timing, boards/cores) price an instruction by.
 * The names follow the rows of the Cortex-M4 TRM instruction timing table.
 */
export type TimingClass =
  | 'alu' | 'mul' | 'mac' | 'mull' | 'div' | 'dsp'
  | 'ld' | 'st' | 'st_reg' | 'ldrd' | 'strd' | 'ldm' | 'stm' | 'ldex' | 'stex' | 'pld'
  | 'b' | 'bcc' | 'bl' | 'bx' | 'cbz' | 'tb' | 'it'
  | 'sys' | 'nop' | 'wfx' | 'barrier' | 'svc' | 'bkpt' | 'udf';

/** Decoded field values, by logical field name. */
export type Fields = Record<string, number>;

/** Where an instruction may stand relative to an IT block. */
export type ItRule =
  | 'any'        // anywhere (the default)
  | 'outside'    // never inside an IT block (CBZ, IT, CPS, BKPT is allowed: see entries)
  | 'last'       // inside an IT block only as its last instruction (branches, PC writes)
  ;

export interface IsaEntry {
  /** Unique id: `<NAME>_<T-number>` as the manual lists it, e.g. `ADD_imm_T3`. */
  id: string;
  /**
   * Bit pattern, most significant bit first, 16 or 32 bits. Tokens separated by spaces:
   *  - `0`/`1` runs: fixed bits; `(0)`/`(1)`: should-be bits (a mismatch is UNPREDICTABLE);
   *  - `name` one bit of field `name`; `name:N` N bits of field `name`;
   *  - `name[h:l]` / `name[b]` a slice of a logical field whose other bits stand elsewhere
   *    (e.g. `imm12[11] ... imm12[10:8] ... imm12[7:0]` for i:imm3:imm8).
   */
  pattern: string;
  /**
   * Assembler syntax in GNU unified form, lower case, without the condition (every instruction takes `<c>`).
   * The first is what the disassembler prints; the others are accepted too. See src/isa/syntax.ts.
   */
  syntax: string | string[];
  /** Semantics family (a key of src/cpu's generator table). */
  exec: string;
  timing: TimingClass;
  arch: Arch;
  /** IT-block rule; default 'any'. */
  it?: ItRule;
  /**
   * UNPREDICTABLE / UNDEFINED conditions from the manual's decode pseudo-code, over the decoded fields
   * (returns a reason, or false). Decoding such a word yields UNDEFINED; the assembler rejects the operands.
   */
  bad?: (f: Fields) => string | false;
  /**
   * The manual's "SEE <other encoding>" conditions that fixed bits cannot express, because the other encoding has
   * fewer fixed bits (LDR (register) with Rn = 1111 is LDR (literal)): when true, the decoder skips this entry and
   * tries the next, less specific candidate.
   */
  see?: (f: Fields) => boolean;
  /**
   * Fields that repeat another (CLZ and REV hold Rm twice): { Rm2: 'Rm' }. The assembler copies them; a word
   * where they differ is UNPREDICTABLE.
   */
  tie?: Record<string, string>;
  /** Fixed parameters the semantics need (e.g. { op: 'add' }); merged under the fields. */
  params?: Fields;
}

export interface FieldPart {
  /** bit position of the least significant bit of this part in the instruction word */
  pos: number;
  /** number of bits */
  len: number;
  /** bit position of this part's lsb inside the logical field */
  at: number;
}

export interface CompiledPattern {
  size: 2 | 4;
  /** For 32-bit patterns: the first halfword in bits 31:16, the second in 15:0. */
  mask: number;
  value: number;
  /** should-be bits: mask and value; a word that differs there is UNPREDICTABLE */
  sbMask: number;
  sbValue: number;
  fields: Map<string, FieldPart[]>;
  /** logical field masks: which bits of each logical field the word holds */
  masks: Map<string, number>;
  /** number of fixed bits (mask popcount): the more, the more specific */
  specificity: number;
}
