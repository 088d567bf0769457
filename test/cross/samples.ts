/**
 * Random valid encodings of every table entry, our disassembly of them, and the text each external assembler is
 * given for them.
 *
 * Samples: per entry, the words with every free bit 0 and every free bit 1, then random words inside the entry's
 * mask/value (half of them with the should-be bits at their required values), kept when they decode to the entry;
 * each at a random halfword address. Every 4th sample of an entry allowed in an IT block is placed as the one
 * instruction of `it <cond>` (cond EQ..LE: GNU as takes only NOP and BKPT in an `it al` block; the IT entry's own
 * samples, followed by one `nop<c>` per slot, cover AL). Seed: CROSS_SEED, fixed by default.
 *
 * PC-relative operands (branch targets, ADR, literal loads) print as absolute addresses in our syntax. The tools
 * get them in a form that does not depend on where the tool places the instruction:
 *  - llvm-mc: the offset as an immediate, which its parser takes as the encoded offset: `b.w #-4`, `cbz r0, #20`,
 *    `adr.w r1, #-12` (branches: from PC = address + 4; ADR: from Align(PC, 4)); literal loads as `[pc, #off]`
 *    (from Align(PC, 4); `#-0` kept for U = 0).
 *  - GNU as: a location-counter expression `.+k` with k = target - address. For the Align(PC, 4) forms the
 *    instruction is placed at an address with the same value mod 4 as the one we disassembled it at (`.balign 4`,
 *    then a 16-bit `nop` when the address is 2 mod 4), so the tool sees the same offset field. Literal loads with
 *    U = 0 and offset 0 are written `[pc, #-0]`.
 * A placeholder is PC-relative when its printed value moves with the address; it is relative to Align(PC, 4) when
 * the value is the same at addresses 0x1000 and 0x1002. Our own encoder gets our disassembler's text exactly
 * (absolute addresses), at the same address and in the same IT slot.
 */
import { ENTRY_LIST, decode, type Entry } from '../../src/isa/table.js';
import type { Item } from '../../src/isa/syntax.js';
import { COND_NAMES } from '../../src/isa/kinds.js';
import type { Fields } from '../../src/isa/types.js';
import { disassemble } from '../../src/disasm/disasm.js';
import { encodeInstruction } from '../../src/asm/instr.js';

/** xorshift32 with a fixed seed (CROSS_SEED overrides), so a failure can be reproduced. */
export function makeRng(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}
export const SEED = process.env.CROSS_SEED ? Number(process.env.CROSS_SEED) : 0x5eed1234;

export function wordBytes(word: number, size: 2 | 4): Uint8Array {
  if (size === 2) return new Uint8Array([word & 0xff, (word >>> 8) & 0xff]);
  const h1 = word >>> 16, h2 = word & 0xffff;
  return new Uint8Array([h1 & 0xff, h1 >>> 8, h2 & 0xff, h2 >>> 8]);
}
export function decodeWord(word: number, size: 2 | 4) {
  return size === 2 ? decode(word & 0xffff, 0) : decode(word >>> 16, word & 0xffff);
}

/**
 * Up to n distinct words inside the entry's mask/value that decode to the entry (not UNPREDICTABLE, not taken by a
 * more specific entry): first the words with every free bit 0 and every free bit 1, then random ones.
 */
export function validWords(e: Entry, n: number, rng: () => number, tries = Math.max(400, n * 60)): number[] {
  const width = e.pat.size === 2 ? 0xffff : 0xffffffff;
  const free = (~e.pat.mask & width) >>> 0;
  const out = new Set<number>();
  const consider = (w: number) => {
    w = ((w & free) | e.pat.value) >>> 0;
    if (out.has(w)) return;
    if (decodeWord(w, e.pat.size).entry === e) out.add(w);
  };
  consider(0);
  consider(0xffffffff);
  // should-be bits at their required values, the rest random, then fully random
  for (let i = 0; i < tries && out.size < n; i++) {
    let w = rng();
    if (i % 2 === 0) w = ((w & ~e.pat.sbMask) | e.pat.sbValue) >>> 0;
    consider(w);
  }
  return [...out].slice(0, n);
}

export const evalNumber = (text: string): { value: number; known: boolean } => {
  const m = /^\s*([+-]?)(0x[0-9a-f]+|\d+)\s*$/i.exec(text);
  if (!m) return { value: 0, known: false };
  const v = Number(m[2]);
  return { value: m[1] === '-' ? -v : v, known: true };
};

/** A PC-relative operand of a decoded instruction. */
export interface PcRel {
  /** what our disassembler printed for it */
  text: string;
  target: number;
  /** offset from the base the encoding adds it to: PC (address + 4), or Align(PC, 4) when `aligned` */
  offset: number;
  aligned: boolean;
  /** the encoding is the subtracting form with offset 0 (U = 0): `#-0` */
  negZero: boolean;
}

const s32 = (x: number) => x | 0;

/** The PC-relative operands: placeholders whose printed value moves with the instruction's address. */
export function pcRelOperands(e: Entry, f: Fields, address: number): PcRel[] {
  const out: PcRel[] = [];
  const num = (x: Extract<Item, { k: 'ph' }>, a: number): number =>
    x.kind.value ? x.kind.value(f, x.name, { address: a }) >>> 0 : Number(x.kind.format(f, x.name, { address: a })) >>> 0;
  const walk = (items: Item[]) => {
    for (const x of items) {
      if (x.k === 'opt') walk(x.items);
      if (x.k !== 'ph') continue;
      let a: string, b: string;
      try {
        a = x.kind.format(f, x.name, { address: 0x1000 });
        b = x.kind.format(f, x.name, { address: 0x1004 });
      } catch { continue; }
      if (a === b) continue;
      const aligned = num(x, 0x1000) === num(x, 0x1002);
      const target = num(x, address);
      const base = aligned ? ((address + 4) & ~3) >>> 0 : (address + 4) >>> 0;
      const offset = s32(target - base);
      const subForm = x.kind.fields(x.name).includes('U') && f.U === 0;
      out.push({ text: x.kind.format(f, x.name, { address }), target, offset, aligned, negZero: offset === 0 && subForm });
    }
  };
  walk(e.templates[0]!.ops);
  return out;
}

/** Our operand text rewritten for a tool (see the file comment). */
export function toolOperands(tool: 'llvm' | 'gnu', mnemonic: string, operands: string, rels: PcRel[], address: number): string {
  let s = operands;
  const isAdr = /^adr/.test(mnemonic);
  for (const r of rels) {
    const off = r.negZero ? '-0' : String(r.offset);
    let rep: string;
    if (tool === 'llvm') rep = !r.aligned || isAdr ? `#${off}` : `[pc, #${off}]`;
    else if (r.aligned && !isAdr && r.negZero) rep = '[pc, #-0]';
    else {
      const k = s32(r.target - address);
      rep = k < 0 ? `.-${-k}` : `.+${k}`;
    }
    const i = s.indexOf(r.text);
    if (i >= 0) s = s.slice(0, i) + rep + s.slice(i + r.text.length);
  }
  return s;
}

/** Conditions of the slots of an IT block (A7.7.38). */
export function itSlots(firstcond: number, mask: number): number[] {
  const n = mask & 1 ? 4 : mask & 2 ? 3 : mask & 4 ? 2 : 1;
  const out = [firstcond];
  for (let k = 1; k < n; k++) out.push(((mask >>> (4 - k)) & 1) === (firstcond & 1) ? firstcond : firstcond ^ 1);
  return out;
}
export const condSuffix = (c: number) => (c === 14 ? '' : COND_NAMES[c]!);

export interface Sample {
  entry: Entry;
  word: number;
  bytes: Uint8Array;
  address: number;
  /** placed as the one instruction of an `it <cond>` block */
  itCond?: number;
  /** our disassembly */
  mnemonic: string;
  operands: string;
  text: string;
  /** what each tool assembles; `at` is the index of the instruction under test */
  llvm: string[];
  gnu: string[];
  at: number;
  /** our encoder on our text */
  ours: { ok: true; bytes: Uint8Array } | { ok: false; error: string };
  /** has an operand relative to Align(PC, 4): GNU as must see the instruction at the same address mod 4 */
  aligned: boolean;
  /** our disassembler decoded the word as another entry (a bug of its own) */
  disasmId: string | null;
  /**
   * The disassembler printed `.inst` because no text assembles back to this encoding (GNU as prefers another
   * encoding of the same instruction): the readable text, and what our encoder makes of it. The tools are given
   * the readable text.
   */
  fallback?: { readable: string; bytes: Uint8Array | null };
}

export const canBeInIT = (e: Entry): boolean =>
  (e.def.it ?? 'any') !== 'outside' && e.def.exec !== 'it' && !e.templates[0]!.mn.some((p) => p.k === 'cond');

export interface SampleSet { samples: Sample[]; empty: Entry[] }

/** `perEntry` samples of every entry; every `itEvery`-th sample of an entry that may stand in an IT block is put in one. */
export function buildSamples(perEntry: number, seed = SEED, itEvery = 4): SampleSet {
  const rng = makeRng(seed);
  const samples: Sample[] = [];
  const empty: Entry[] = [];
  for (const e of ENTRY_LIST) {
    const words = validWords(e, perEntry, rng);
    if (!words.length) { empty.push(e); continue; }
    words.forEach((word, k) => {
      const address = (0x08000000 + (rng() & 0xfffffe)) >>> 0;
      // no `it al` blocks: GNU as takes only NOP and BKPT in them (the IT entry's own samples cover AL)
      const itCond = canBeInIT(e) && k % itEvery === itEvery - 1 ? rng() % 14 : undefined;
      samples.push(makeSample(e, word, address, itCond));
    });
  }
  return { samples, empty };
}

export function makeSample(e: Entry, word: number, address: number, itCond?: number): Sample {
  const bytes = wordBytes(word, e.pat.size);
  const itstate = itCond === undefined ? 0 : ((itCond << 4) | 8);
  const rec = disassemble(bytes, { address, itstate })[0]!;
  const d = decodeWord(word, e.pat.size);
  const rels = pcRelOperands(e, d.f, address);
  const slot = itCond === undefined ? { inIT: false, cond: 14, last: false } : { inIT: true, cond: itCond, last: true };
  let mnemonic = rec.mnemonic, operands = rec.operands;
  let fallback: Sample['fallback'];
  let ours: Sample['ours'];
  if (rec.readable) {
    // `.inst.n 0x...` assembles to its word by definition; the readable text goes to the tools and our encoder
    const sp = rec.readable.indexOf('\t');
    mnemonic = sp < 0 ? rec.readable : rec.readable.slice(0, sp);
    operands = sp < 0 ? '' : rec.readable.slice(sp + 1);
    const rr = encodeInstruction(mnemonic, operands, { address, it: slot, evaluate: evalNumber });
    fallback = { readable: rec.readable.replace('\t', ' '), bytes: rr.ok ? rr.bytes : null };
    ours = { ok: true, bytes };
  } else {
    const r = encodeInstruction(rec.mnemonic, rec.operands, { address, it: slot, evaluate: evalNumber });
    ours = r.ok ? { ok: true, bytes: r.bytes } : { ok: false, error: r.message };
  }
  const line = (tool: 'llvm' | 'gnu') => {
    const ops = toolOperands(tool, mnemonic, operands, rels, address);
    return ops ? `${mnemonic} ${ops}` : mnemonic;
  };
  const fillers = e.def.exec === 'it' && d.entry ? itSlots(d.f.firstcond!, d.f.mask!).map((c) => 'nop' + condSuffix(c)) : [];
  const pre = itCond === undefined ? [] : [`it ${COND_NAMES[itCond]}`];
  return {
    entry: e, word, bytes, address, itCond, mnemonic: rec.mnemonic, operands: rec.operands,
    text: rec.text.replace('\t', ' '),
    llvm: [...pre, line('llvm'), ...fillers], gnu: [...pre, line('gnu'), ...fillers], at: pre.length,
    ours, disasmId: rec.id, aligned: rels.some((r) => r.aligned), fallback,
  };
}

export const sameBytes = (a: ArrayLike<number> | null | undefined, b: ArrayLike<number>): boolean =>
  !!a && a.length === b.length && Array.from(a).every((x, i) => x === b[i]);
