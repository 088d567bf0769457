/**
 * Properties of the instruction table that need no external tool:
 *  - every entry can be decoded, and decode/encode of its fields round-trip;
 *  - our assembler takes back what our disassembler prints, to the same bytes (outside IT blocks, and as the one
 *    instruction of an IT block for the entries allowed there);
 *  - every first halfword (with second halfwords that make each candidate 32-bit entry match) and a million random
 *    words decode and print without a host exception;
 *  - no two entries of equal specificity both claim a word that no more specific entry takes (the decoder would
 *    otherwise choose between them by table order); an entry's `see` condition gives a word away.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ENTRY_LIST, decode, encodeFields, is32, type Entry } from '../../src/isa/table.js';
import { extractFields } from '../../src/isa/pattern.js';
import { disassemble } from '../../src/disasm/disasm.js';
import { encodeInstruction } from '../../src/asm/instr.js';

const SEED = 20240611;
const RUNS = 200;

const word = (e: Entry, r: number) => {
  const width = e.pat.size === 2 ? 0xffff : 0xffffffff;
  return (((r & ~e.pat.mask) & width) | e.pat.value) >>> 0;
};
const dec = (w: number, size: 2 | 4) => (size === 2 ? decode(w & 0xffff, 0) : decode(w >>> 16, w & 0xffff));
const bytesOf = (w: number, size: 2 | 4) =>
  size === 2 ? new Uint8Array([w & 0xff, (w >>> 8) & 0xff]) : new Uint8Array([(w >>> 16) & 0xff, w >>> 24, w & 0xff, (w >>> 8) & 0xff]);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const evalNumber = (t: string) => {
  const m = /^\s*([+-]?)(0x[0-9a-f]+|\d+)\s*$/i.exec(t);
  return m ? { value: (m[1] === '-' ? -1 : 1) * Number(m[2]), known: true } : { value: 0, known: false };
};
/** random word, with the should-be bits at their required values half the time */
const arbWord = (e: Entry) => fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.boolean()).map(([r, sb]) =>
  word(e, sb ? ((r & ~e.pat.sbMask) | e.pat.sbValue) >>> 0 : r));
/** Does the entry claim the word (pattern matches, and no `see` condition sends it elsewhere)? */
const takes = (e: Entry, w: number) => ((w & e.pat.mask) >>> 0) === e.pat.value && !(e.def.see && e.def.see(extractFields(e.pat, w)));
const canBeInIT = (e: Entry) =>
  (e.def.it ?? 'any') !== 'outside' && e.def.exec !== 'it' && !e.templates[0]!.mn.some((p) => p.k === 'cond');

describe('every table entry', () => {
  it(`decodes from some word of its pattern, and decode(encode(fields)) == fields (${RUNS} random words each)`, () => {
    const never: string[] = [];
    const bad: string[] = [];
    for (const e of ENTRY_LIST) {
      let hits = 0, perEntry = 0;
      const edge = [0, 0xffffffff].map((r) => word(e, r));
      const check = (w: number): boolean => {
        const d = dec(w, e.pat.size);
        if (d.entry !== e) return true;
        hits++;
        const w2 = encodeFields(e, d.f);
        const d2 = dec(w2, e.pat.size);
        if ((w2 !== w || d2.entry !== e || JSON.stringify(d2.f) !== JSON.stringify(d.f)) && perEntry++ < 4) {
          bad.push(`${e.def.id}: 0x${w.toString(16)} -> fields ${JSON.stringify(d.f)} -> 0x${w2.toString(16)} -> ${d2.entry?.def.id} ${JSON.stringify(d2.f)}`);
        }
        return true;
      };
      edge.forEach(check);
      fc.assert(fc.property(arbWord(e), check), { numRuns: RUNS, seed: SEED });
      // entries whose valid words are rare (many constrained fields): keep looking before giving up
      for (let i = 0; hits === 0 && i < 20; i++) fc.assert(fc.property(arbWord(e), check), { numRuns: 500, seed: SEED + i + 1 });
      if (hits === 0) never.push(`${e.def.id} (${e.def.pattern})`);
    }
    expect(bad, 'decode/encode round trip').toEqual([]);
    expect(never, 'entries that no word of their pattern decodes to (a table bug)').toEqual([]);
  });

  it('assemble(disassemble(bytes)) == bytes, outside IT blocks and in one', () => {
    const bad: string[] = [];
    for (const e of ENTRY_LIST) {
      const inIT = canBeInIT(e);
      let perEntry = 0;
      fc.assert(fc.property(arbWord(e), fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 0, max: 14 }), fc.boolean(),
        (w, a, cond, useIT) => {
          const d = dec(w, e.pat.size);
          if (d.entry !== e) return true;
          const address = (a & ~1) >>> 0;
          const it = inIT && useIT;
          const bytes = bytesOf(w, e.pat.size);
          const rec = disassemble(bytes, { address, itstate: it ? (cond << 4) | 8 : 0 })[0]!;
          const slot = it ? { inIT: true, cond, last: true } : { inIT: false, cond: 14, last: false };
          let got: string;
          if (rec.readable) {
            // printed as `.inst` because no text gives these bytes back: the word must be the bytes, and the
            // readable text must really assemble to another encoding (else the fallback was not needed)
            const word = e.pat.size === 2 ? w & 0xffff : w >>> 0;
            const r = encodeInstruction(...(rec.readable.split('\t') as [string, string]), { address, it: slot, evaluate: evalNumber });
            got = Number(rec.operands) === word && r.ok && hex(r.bytes) !== hex(bytes) ? hex(bytes) : `needless .inst for '${rec.readable}'`;
          } else {
            const r = encodeInstruction(rec.mnemonic, rec.operands, { address, it: slot, evaluate: evalNumber });
            got = r.ok ? hex(r.bytes) : `error: ${r.message}`;
          }
          // recorded, not thrown: every failing sample of every entry is listed (fast-check would stop at the first)
          if (got !== hex(bytes) && perEntry++ < 4) {
            bad.push(`${e.def.id}: [${hex(bytes)}] @0x${address.toString(16)}${it ? ` in IT ${cond}` : ''} -> '${rec.text}' -> ${got}`);
          }
          return true;
        }), { numRuns: RUNS, seed: SEED });
    }
    expect(bad, 'our assembler on our disassembler\'s text').toEqual([]);
  });
});

describe('the decoder', () => {
  it('decodes and prints every first halfword (32-bit prefixes with second halfwords for each candidate entry)', () => {
    const wide = ENTRY_LIST.filter((e) => e.pat.size === 4);
    let n = 0;
    let r = 0x12345678;
    const rnd = () => { r ^= r << 13; r >>>= 0; r ^= r >>> 17; r ^= r << 5; r >>>= 0; return r; };
    const errors: string[] = [];
    const run = (bytes: Uint8Array) => {
      n++;
      try {
        disassemble(bytes, { address: 0x1000 });
      } catch (err) {
        if (errors.length < 20) errors.push(`[${hex(bytes)}]: ${(err as Error).message}`);
      }
    };
    for (let hw = 0; hw < 0x10000; hw++) {
      if (!is32(hw)) { run(new Uint8Array([hw & 0xff, hw >>> 8])); continue; }
      const seconds = new Set([0x0000, 0xffff, rnd() & 0xffff]);
      for (const e of wide) {
        if (((hw << 16) & e.pat.mask) >>> 0 === (e.pat.value & 0xffff0000 & e.pat.mask) >>> 0) {
          seconds.add(((rnd() & ~e.pat.mask) | e.pat.value) & 0xffff);
        }
      }
      for (const hw2 of seconds) run(new Uint8Array([hw & 0xff, hw >>> 8, hw2 & 0xff, hw2 >>> 8]));
    }
    expect(errors).toEqual([]);
    expect(n).toBeGreaterThan(65536);
  });

  it('decodes a million random 32-bit words (and prints 50,000) without an exception', () => {
    let r = 0x9abcdef1;
    const rnd = () => { r ^= r << 13; r >>>= 0; r ^= r >>> 17; r ^= r << 5; r >>>= 0; return r; };
    const errors: string[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const w = rnd();
      try {
        decode(w >>> 16, w & 0xffff);
        if (i % 20 === 0) disassemble(bytesOf(w, 4), { address: w & 0xfffffe });
      } catch (err) {
        if (errors.length < 20) errors.push(`0x${w.toString(16)}: ${(err as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
  });

  it('has no two entries of equal specificity that both take a word no more specific entry takes', () => {
    let r = 0x2468ace1;
    const rnd = () => { r ^= r << 13; r >>>= 0; r ^= r >>> 17; r ^= r << 5; r >>>= 0; return r; };
    const ties: string[] = [];
    for (let i = 0; i < ENTRY_LIST.length; i++) {
      for (let j = i + 1; j < ENTRY_LIST.length; j++) {
        const a = ENTRY_LIST[i]!, b = ENTRY_LIST[j]!;
        if (a.pat.size !== b.pat.size || a.pat.specificity !== b.pat.specificity) continue;
        if (((a.pat.value ^ b.pat.value) & a.pat.mask & b.pat.mask) !== 0) continue;
        // the patterns overlap: sample the words both take, and look for one no more specific entry takes
        const mask = (a.pat.mask | b.pat.mask) >>> 0, value = (a.pat.value | b.pat.value) >>> 0;
        const width = a.pat.size === 2 ? 0xffff : 0xffffffff;
        for (let k = 0; k < 300; k++) {
          const w = (((rnd() & ~mask) & width) | value) >>> 0;
          // an entry whose `see` condition holds gives the word away (the manual's "SEE other encoding")
          if (!takes(a, w) || !takes(b, w)) continue;
          const higher = ENTRY_LIST.some((c) => c.pat.size === a.pat.size && c.pat.specificity > a.pat.specificity && takes(c, w));
          if (!higher) {
            ties.push(`${a.def.id} and ${b.def.id} (specificity ${a.pat.specificity}) both take 0x${w.toString(16)}`);
            break;
          }
        }
      }
    }
    expect(ties).toEqual([]);
  });
});
