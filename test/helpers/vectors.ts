/**
 * Exception-model test programs: a vector table at 0, a `log reg` macro that appends a register to a log in SRAM,
 * and the machine that boots them. Shared by the exception and MPU tests.
 */
import { assemble } from '../../src/asm/assembler.js';
import { createMachine, type Machine } from '../../src/machine.js';

export const TOP = 0x20001000;
/** log area: word 0 is the write pointer, entries from LOG + 4 */
export const LOG = 0x20000000;

/**
 * Source of a program: `vectors` are the words for exceptions 2..19 (handler labels or 0), `body` follows the
 * reset prologue that initialises the log; `tail` goes after it (handlers), then a literal pool.
 */
export function vectorProgram(vectors: string[], body: string, opts: { sp?: number; tail?: string } = {}): string {
  const words = [`.word ${opts.sp ?? TOP}`, '.word reset', ...vectors.map((v) => `.word ${v}`)];
  return `
    .syntax unified
    .thumb
    .macro log reg
      ldr   r3, =${LOG}
      ldr   r2, [r3]
      str   \\reg, [r2], #4
      str   r2, [r3]
    .endm
    ${words.join('\n    ')}
    .thumb_func
  reset:
    ldr   r3, =${LOG}
    add   r2, r3, #4
    str   r2, [r3]
    ${body}
    ${opts.tail ?? ''}
    .ltorg
  `;
}

/** Assemble and load a program on a machine with the exception model (it boots from the vector table). */
export function boot(src: string, opts: Parameters<typeof createMachine>[0] = {}): Machine {
  const a = assemble(src, { fileName: 'x.s' });
  if (!a.ok) throw new Error(a.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  const m = createMachine({ exceptions: true, ...opts });
  m.load({ sections: a.sections.filter((s) => s.kind !== 'bss'), entry: a.entry });
  return m;
}

/** The words the program logged. */
export function readLog(m: Machine): number[] {
  const end = m.read32(LOG);
  const out: number[] = [];
  for (let a = LOG + 4; a < end; a += 4) out.push(m.read32(a));
  return out;
}

/** A symbol's value in a source. */
export const sym = (src: string, name: string) => assemble(src).symbols.find((s) => s.name === name)!.value;
