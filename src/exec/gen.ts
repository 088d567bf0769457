/**
 * The context a semantics generator writes JavaScript through. Each instruction family in src/cpu/ is a set of
 * functions (GenCtx) => string that return the statements executing one decoded instruction; the engine
 * (src/exec/engine.ts) concatenates them into one function per basic block. Single-stepping runs blocks of one
 * instruction, so there is exactly one definition of every instruction's behaviour.
 *
 * In the generated code: `s` is the CpuState, `r` its register array (int32), `m` the bus, `rt` the runtime
 * helpers of src/exec/runtime.ts.
 */
import type { Decoded, Entry } from '../isa/table.js';
import type { Fields } from '../isa/types.js';

export interface GenCtx {
  readonly d: Decoded;
  readonly entry: Entry;
  /** decoded fields merged with the entry's params */
  readonly f: Fields;
  /** address of the instruction */
  readonly addr: number;
  readonly size: 2 | 4;
  /** does this instruction set the flags (S bit, or outside an IT block for the 16-bit forms) */
  readonly setflags: boolean;
  readonly inIT: boolean;
  /** value a read of the PC gives: the instruction's address + 4 */
  readonly pc: number;
  /** Align(PC, 4), the base of literal loads and ADR */
  readonly pcAligned: number;
  /** numeric value of an operand placeholder of the entry's syntax (immediates scaled, targets absolute) */
  val(name: string): number;
  /** register read as an int32 expression (the PC reads as a constant) */
  r(n: number): string;
  /** a fresh local name, unique in the block */
  tmp(hint?: string): string;
  /**
   * Statements that leave the block at `target` (an expression): BranchWritePC (bit 0 cleared), BXWritePC /
   * LoadWritePC (interworking: bit 0 must be 1 or the next instruction faults INVSTATE).
   */
  branch(target: string, how: 'branch' | 'bx'): string;
  /** write a register: the PC goes through branch(); SP writes clear bits 1:0 */
  wr(n: number, expr: string, how?: 'branch' | 'bx'): string;
  /** end the block after this instruction (state changed in a way later instructions depend on) */
  endBlock(): void;
  /** extra cycles known only at run time (an expression) */
  cycles(expr: string): string;
  /** statements adding a divide's data-dependent cycles (the core's rule), given the operand expressions */
  divide(n: string, d: string, signed: boolean): string;
}

// ------------------------------------------------------------------ helpers for flag-setting code

/** N and Z from an int32 expression held in a local. */
export const nz = (x: string) => `s.n=${x}>>>31;s.z=${x}===0?1:0;`;

/**
 * AddWithCarry (A2.2.1) of two int32 expressions and a carry expression; assigns the int32 result to `res`
 * (which must be a fresh local) and, when setflags, N Z C V.
 */
export function addWithCarry(g: GenCtx, res: string, a: string, b: string, carry: string, setflags: boolean): string {
  if (!setflags) return `const ${res}=(${a})+(${b})+(${carry})|0;`;
  const x = g.tmp('x'), y = g.tmp('y'), u = g.tmp('u');
  return `const ${x}=${a},${y}=${b},${u}=(${x}>>>0)+(${y}>>>0)+(${carry});const ${res}=${u}|0;` +
    `${nz(res)}s.c=${u}>4294967295?1:0;s.v=((${x}^${res})&(${y}^${res}))>>>31;`;
}

/** Condition code (A7.3.1) as a JavaScript boolean expression over the flags. */
export function condExpr(c: number): string {
  switch (c) {
    case 0: return 's.z===1';
    case 1: return 's.z===0';
    case 2: return 's.c===1';
    case 3: return 's.c===0';
    case 4: return 's.n===1';
    case 5: return 's.n===0';
    case 6: return 's.v===1';
    case 7: return 's.v===0';
    case 8: return '(s.c===1&&s.z===0)';
    case 9: return '(s.c===0||s.z===1)';
    case 10: return 's.n===s.v';
    case 11: return 's.n!==s.v';
    case 12: return '(s.z===0&&s.n===s.v)';
    case 13: return '(s.z===1||s.n!==s.v)';
    default: return 'true';
  }
}

/**
 * Shift_C (A7.4.2) by an immediate amount of a decoded shift (type, amount as DecodeImmShift gives them).
 * Returns [statements, value expression, carry expression or null when the carry is unchanged].
 */
export function shiftImmC(g: GenCtx, v: string, type: number, amt: number): [string, string, string | null] {
  // DecodeImmShift
  if (type === 0 && amt === 0) return ['', v, null];
  const t = g.tmp('sh');
  switch (type) {
    case 0: return [`const ${t}=${v};`, `(${t}<<${amt})`, `((${t}>>>${32 - amt})&1)`];
    case 1: {
      const n = amt === 0 ? 32 : amt;
      return n === 32 ? [`const ${t}=${v};`, '0', `(${t}>>>31)`] : [`const ${t}=${v};`, `(${t}>>>${n}|0)`, `((${t}>>>${n - 1})&1)`];
    }
    case 2: {
      const n = amt === 0 ? 32 : amt;
      return n === 32 ? [`const ${t}=${v};`, `(${t}>>31)`, `(${t}>>>31)`] : [`const ${t}=${v};`, `(${t}>>${n})`, `((${t}>>>${n - 1})&1)`];
    }
    default:
      if (amt === 0) return [`const ${t}=${v};`, `((s.c<<31)|(${t}>>>1))`, `(${t}&1)`]; // RRX
      return [`const ${t}=${v};`, `((${t}>>>${amt})|(${t}<<${32 - amt}))`, `((${t}>>>${amt - 1})&1)`];
  }
}
