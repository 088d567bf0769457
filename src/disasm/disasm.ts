/**
 * The disassembler: bytes to GNU objdump-style text that GNU as, llvm-mc and our own assembler accept back and
 * encode to the same bytes. It follows IT blocks (conditions on the instructions inside, no `s` on 16-bit forms
 * inside), prints `.w` on a 32-bit encoding exactly when the assembler would otherwise choose a 16-bit one, and
 * prints branch and literal targets as absolute addresses.
 */
import { decode, is32, type Decoded } from '../isa/table.js';
import { formatMnemonic, formatOperands, type ItContext } from '../isa/syntax.js';
import { encodeInstruction } from '../asm/instr.js';
import { itAdvance, inIT, lastInIT, itCond } from '../cpu/state.js';

export interface DisasmRecord {
  address: number;
  size: 2 | 4;
  bytes: Uint8Array;
  /** `mnemonic\toperands`, or `.inst.n 0x...` / `.inst.w 0x...` for an UNDEFINED or UNPREDICTABLE word */
  text: string;
  mnemonic: string;
  operands: string;
  /** table entry id, or null when undefined */
  id: string | null;
  /** why the word does not decode (UNDEFINED, or UNPREDICTABLE and the rule) */
  undefined?: string;
  /**
   * For a valid instruction printed as `.inst` because no assembler text gives back this encoding: the
   * instruction as text (what objdump would print).
   */
  readable?: string;
}

export interface DisasmOptions {
  /** address of bytes[0]; default 0 */
  address?: number;
  /** ITSTATE at the first instruction (default 0: outside an IT block) */
  itstate?: number;
}

/** Plain numbers as the disassembler prints them (decimal, 0x hex, with a sign). */
function evalNumber(text: string): { value: number; known: boolean } {
  const t = text.trim();
  const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(t);
  if (!m) return { value: 0, known: false };
  const v = Number(m[2]);
  return { value: m[1] === '-' ? -v : v, known: true };
}

/** Text of one decoded instruction at an address in an IT slot. */
const inst = (d: Decoded) => ({
  mnemonic: d.size === 2 ? '.inst.n' : '.inst.w',
  operands: '0x' + (d.size === 2 ? d.word.toString(16).padStart(4, '0') : d.word.toString(16).padStart(8, '0')),
});
const wordOf = (b: Uint8Array, size: number) =>
  size === 2 ? b[0]! | (b[1]! << 8) : (((b[0]! | (b[1]! << 8)) << 16) | (b[2]! | (b[3]! << 8))) >>> 0;

/**
 * Text of one decoded instruction at an address in an IT slot. The text is checked by assembling it back: a
 * 32-bit encoding whose text would assemble to a 16-bit one gets `.w`; an encoding that no text reaches (GNU as
 * prefers another encoding of the same instruction, e.g. ADDS Rd, Rd, #imm3 written with T1 assembles as T2) is
 * printed as `.inst.n 0x...` with the readable text in `readable`.
 */
export function formatInstruction(d: Decoded, address: number, it: ItContext): { mnemonic: string; operands: string; readable?: string } {
  if (!d.entry) return inst(d);
  const t = d.entry.templates[0]!;
  // BKPT is unconditional even inside an IT block (A7.7.17): no condition suffix (GNU as and llvm-mc refuse one)
  let mnemonic = formatMnemonic(t, d.f, d.entry.def.exec === 'bkpt' ? { ...it, inIT: false } : it);
  const operands = formatOperands(t.ops, d.f, { address });
  const ctx = { address, it, evaluate: evalNumber };
  let r = encodeInstruction(mnemonic, operands, ctx);
  if (d.size === 4 && r.ok && r.size === 2) { mnemonic += '.w'; r = encodeInstruction(mnemonic, operands, ctx); }
  if (!r.ok || r.size !== d.size || wordOf(r.bytes, r.size) !== d.word) {
    return { ...inst(d), readable: operands ? `${mnemonic}\t${operands}` : mnemonic };
  }
  return { mnemonic, operands };
}

export function disassemble(bytes: Uint8Array, opts: DisasmOptions = {}): DisasmRecord[] {
  const base = opts.address ?? 0;
  let its = opts.itstate ?? 0;
  const out: DisasmRecord[] = [];
  let i = 0;
  while (i + 1 < bytes.length) {
    const hw1 = bytes[i]! | (bytes[i + 1]! << 8);
    const wide = is32(hw1) && i + 3 < bytes.length;
    const hw2 = wide ? bytes[i + 2]! | (bytes[i + 3]! << 8) : 0;
    const d: Decoded = is32(hw1) && !wide
      ? { entry: null, f: {}, size: 2, word: hw1, undef: 'truncated 32-bit instruction' }
      : decode(hw1, hw2);
    const address = (base + i) >>> 0;
    const it: ItContext = { inIT: inIT(its), cond: inIT(its) ? itCond(its) : 14, last: lastInIT(its) };
    const { mnemonic, operands, readable } = formatInstruction(d, address, it);
    out.push({
      address, size: d.size, bytes: bytes.slice(i, i + d.size),
      text: (operands ? `${mnemonic}\t${operands}` : mnemonic) + (readable ? `\t@ ${readable.replace('\t', ' ')}` : ''),
      mnemonic, operands,
      id: d.entry?.def.id ?? null, ...(d.entry ? {} : { undefined: d.undef ?? 'UNDEFINED' }), ...(readable ? { readable } : {}),
    });
    its = d.entry?.def.exec === 'it' && !inIT(its) ? ((d.f.firstcond! << 4) | d.f.mask!) : itAdvance(its);
    i += d.size;
  }
  return out;
}
