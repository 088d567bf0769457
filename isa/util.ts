/** Small helpers for the table's UNPREDICTABLE conditions (ARMv7-M ARM: BadReg(n) is n == 13 || n == 15). */
import type { Fields, IsaEntry } from '../src/isa/types.js';

export const badReg = (r: number | undefined): boolean => r === 13 || r === 15;
/** A `bad` predicate from a boolean test: the message names the manual's rule. */
export const unpred = (test: (f: Fields) => boolean, why = 'register not allowed (SP or PC)') =>
  (f: Fields): string | false => (test(f) ? why : false);

type Opt = Partial<Pick<IsaEntry, 'it' | 'bad' | 'params' | 'tie'>>;
/** One table line: id, pattern, syntax, semantics, timing class, architecture, options. */
export function e(id: string, pattern: string, syntax: string | string[], exec: string, timing: IsaEntry['timing'], arch: IsaEntry['arch'], opt: Opt = {}): IsaEntry {
  return { id, pattern, syntax, exec, timing, arch, ...opt };
}
