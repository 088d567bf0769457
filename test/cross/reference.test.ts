/**
 * LLVM's own MC test files (../shared/reference/llvm-mc/, beside the repository; read as data, never copied):
 *  - basic-thumb-instructions.s, basic-thumb2-instructions.s, thumb2-mclass.s, thumbv7em.s: every instruction line
 *    that llvm-mc accepts for thumbv7em/cortex-m4 must be assembled by our encoder (IT context tracked after each
 *    `it`) to the bytes of its `@ CHECK: ... @ encoding: [...]` line;
 *  - thumb2.txt: every byte line llvm-mc disassembles for thumbv7em/cortex-m4 without a warning must be decoded by
 *    us to text that llvm-mc re-encodes to the same bytes;
 *  - invalid-thumbv7.txt: every group with a CHECK warning that llvm-mc also flags for cortex-m4 must be
 *    UNDEFINED or UNPREDICTABLE for us (an encoding of ours that is, or an instruction that breaks the IT rules).
 *
 * Pairing instructions with CHECK lines: the files list a run of instruction lines and then one CHECK line with an
 * encoding per instruction, in order (prefixes CHECK, CHECK-V7M and CHECK-ERRORS; CHECK-V6M and CHECK-BE are for
 * other targets). Branch and ADR operands written `#imm` are llvm-mc's offset syntax: the instruction is placed at
 * ADDR and our assembler is given the absolute target. CHECK encodings with fixups (symbols) are not comparable and
 * are counted as skipped.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeInstruction } from '../../src/asm/instr.js';
import { disassemble } from '../../src/disasm/disasm.js';
import { itAdvance, inIT, lastInIT } from '../../src/cpu/state.js';
import { LLVM_MC, GNU_AS, haveTool, llvmAssemble, llvmDisassemble, gnuAssemble, hex } from './tools.js';
import { decodeWord, evalNumber, pcRelOperands, toolOperands } from './samples.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REF = resolve(HERE, '../../../shared/reference/llvm-mc');
const ADDR = 0x10000;

// ------------------------------------------------------------------ assembly files

interface AsmLine {
  line: number;
  text: string;
  /** the CHECK encoding paired with it: bytes, or null when it holds fixups */
  check?: { text: string; bytes: number[] | null };
}

function parseAsm(path: string): AsmLine[] {
  const out: AsmLine[] = [];
  let pending: AsmLine[] = [];
  let afterCheck = false;
  readFileSync(path, 'utf8').split(/\r\n|\r|\n/).forEach((raw, i) => {
    const c = /^\s*@\s*(CHECK|CHECK-V7M|CHECK-ERRORS):(.*?)@\s*encoding:\s*\[(.*)\]/.exec(raw);
    if (c) {
      afterCheck = true;
      const a = pending.shift();
      if (!a) return;
      const parts = c[3]!.split(',').map((x) => x.trim());
      const bytes = parts.every((p) => /^0x[0-9a-f]{1,2}$/i.test(p)) ? parts.map(Number) : null;
      a.check = { text: c[2]!.trim().replace(/\s+/g, ' '), bytes };
      return;
    }
    const t = raw.replace(/(@|\/\/).*$/, '').trim();
    if (!t || t.startsWith('.') || /^[\w$.]+:$/.test(t)) return;
    // a new run of instructions: whatever the last run left unpaired has no CHECK encoding
    if (afterCheck) { pending = []; afterCheck = false; }
    const a: AsmLine = { line: i + 1, text: t.replace(/\s+/g, ' ') };
    out.push(a);
    pending.push(a);
  });
  return out;
}

const COND = '(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?(\\.w|\\.n)?$';
const BRANCH_MN = new RegExp(`^(b|bl|blx|cbz|cbnz)${COND}`, 'i');
const ALIGNED_MN = new RegExp(`^(adr|ldr|ldrb|ldrh|ldrsb|ldrsh|ldrd|pld|pli)${COND}`, 'i');
/** Coprocessor instructions: not in the table, by design (isa/index.ts). */
export const COPROC = new RegExp(`^(cdp2?|ldc2?l?|stc2?l?|mcrr?2?|mrrc2?|mrc2?)${COND}`, 'i');

/**
 * llvm-mc's `#offset` PC-relative operand (branches: from PC; ADR and literal loads: from Align(PC, 4)) as our
 * absolute target at `address`; null for `#-0`, which no absolute target expresses (the SUB form of ADR, U = 0).
 */
function absolutize(mn: string, ops: string, address: number): string | null {
  const branch = BRANCH_MN.test(mn);
  if (!branch && !ALIGNED_MN.test(mn)) return ops;
  if (!branch && ops.includes('[')) return ops;
  const m = /#\s*([+-]?(?:0x[0-9a-f]+|\d+))\s*$/i.exec(ops);
  if (!m) return ops;
  const neg = m[1]!.startsWith('-');
  const mag = Number(m[1]!.replace(/^[+-]/, ''));
  if (neg && mag === 0) return null;
  const base = branch ? address + 4 : ((address + 4) & ~3);
  return ops.slice(0, m.index) + '0x' + ((base + (neg ? -mag : mag)) >>> 0).toString(16);
}

interface FileCounts {
  passed: number; mismatched: number; notV7em: number; gnuRejects: number; gnuChoice: number; coproc: number;
  negZero: number; symbolic: number; noCheck: number; llvmDiffers: number;
}

async function checkAsmFile(name: string): Promise<{ counts: FileCounts; mismatches: string[]; notes: string[] }> {
  const lines = parseAsm(resolve(REF, name));
  // each line is one item, in file order, so IT blocks stay whole
  const res = await llvmAssemble(lines.map((l) => [l.text]), { guardIT: false });
  // GNU as, where present, is the second opinion on a line we do not encode as listed
  const gnu = GNU_AS.path ? await gnuAssemble(lines.map((l) => ({ lines: [l.text] })), { guardIT: false }) : undefined;
  const counts: FileCounts = { passed: 0, mismatched: 0, notV7em: 0, gnuRejects: 0, gnuChoice: 0, coproc: 0, negZero: 0, symbolic: 0, noCheck: 0, llvmDiffers: 0 };
  const mismatches: string[] = [];
  const notes: string[] = [];
  let its = 0;
  lines.forEach((l, i) => {
    const r = res[i]!;
    const accepted = r.errors.length === 0 && r.insns.length > 0;
    const slot = { inIT: inIT(its), cond: inIT(its) ? (its >>> 4) & 15 : 14, last: lastInIT(its) };
    // IT state from the reference bytes (independent of our encoder)
    const cb = l.check?.bytes;
    const itWord = cb && cb.length === 2 && cb[1] === 0xbf && (cb[0]! & 15) !== 0 && !inIT(its) ? cb[0]! : undefined;
    its = itWord !== undefined ? itWord : itAdvance(its);
    if (!accepted) { counts.notV7em++; return; }
    if (!l.check) { counts.noCheck++; return; }
    if (!cb) { counts.symbolic++; return; }
    if (r.insns[0]!.bytes && hex(r.insns[0]!.bytes) !== hex(cb)) counts.llvmDiffers++;
    const sp = l.text.search(/\s/);
    const mn = sp < 0 ? l.text : l.text.slice(0, sp);
    const ops = sp < 0 ? '' : l.text.slice(sp + 1);
    if (COPROC.test(mn)) { counts.coproc++; return; }
    const abs = absolutize(mn, ops, ADDR);
    if (abs === null) { counts.negZero++; return; }
    const e = encodeInstruction(mn, abs, { address: ADDR, it: slot, evaluate: evalNumber });
    const got = e.ok ? hex(e.bytes) : `error: ${e.message}`;
    if (got === hex(cb)) { counts.passed++; return; }
    const g = gnu?.[i];
    if (g && abs === ops) {
      // llvm-mc takes more than ARMv7-M has (A-profile forms, UNPREDICTABLE registers): GNU as for cortex-m4 does not
      if (g.errors.length) { counts.gnuRejects++; notes.push(`  GNU as rejects ${name}:${l.line} '${l.text}': ${g.errors[0]}`); return; }
      // the two tools choose different encodings for the same text, and we choose GNU as's
      const gb = g.insns.find((x) => x.line === 0)?.bytes;
      if (gb && hex(gb) === got) { counts.gnuChoice++; notes.push(`  ${name}:${l.line} '${l.text}': llvm-mc [${hex(cb)}], GNU as and we [${got}]`); return; }
    }
    {
      counts.mismatched++;
      const id = e.ok ? e.entry.def.id : '-';
      const want = cb.length === 4 ? decodeWord(((cb[1]! << 24) | (cb[0]! << 16) | (cb[3]! << 8) | cb[2]!) >>> 0, 4) : decodeWord(cb[0]! | (cb[1]! << 8), 2);
      mismatches.push(`${want.entry?.def.id ?? want.near?.def.id ?? 'UNDEFINED'} ${name}:${l.line}: '${l.text}'${slot.inIT ? ' (in IT)' : ''} should be [${hex(cb)}] ('${l.check.text}'), we give ${got}${e.ok ? ` (${id})` : ''}`);
    }
  });
  return { counts, mismatches, notes };
}

// ------------------------------------------------------------------ disassembly files

/** Does our disassembler call every instruction of these bytes UNDEFINED/UNPREDICTABLE? */
function recsUndefined(bytes: number[], address: number, itstate: number): boolean {
  return disassemble(new Uint8Array(bytes), { address, itstate }).every((r) => !r.id);
}

function parseBytes(path: string): { line: number; bytes: number[] }[] {
  const out: { line: number; bytes: number[] }[] = [];
  readFileSync(path, 'utf8').split(/\r\n|\r|\n/).forEach((raw, i) => {
    const t = raw.replace(/#.*$/, '').trim();
    if (/^0x/i.test(t)) out.push({ line: i + 1, bytes: t.split(/\s+/).map(Number) });
  });
  return out;
}

/**
 * Words llvm-mc decodes that the manual makes UNPREDICTABLE (and we do too): the explicit list, with the rule.
 */
const MANUAL_UNPREDICTABLE: Record<string, string> = {
  'f0 e8 00 11': 'LDRD (immediate): if t == t2 then UNPREDICTABLE (ldrd r1, r1, [r0], #0)',
  '65 e8 00 85': 'STRD (immediate): if wback && (n == t || n == t2) then UNPREDICTABLE (strd r8, r5, [r5], #-0)',
};

async function checkThumb2Txt(): Promise<{ counts: Record<string, number>; mismatches: string[] }> {
  const lines = parseBytes(resolve(REF, 'thumb2.txt'));
  const dis = await llvmDisassemble(lines.map((l) => l.bytes));
  const counts = { passed: 0, mismatched: 0, notV7em: 0, warned: 0, coproc: 0, unpredictable: 0 };
  const mismatches: string[] = [];
  // our disassembly of the lines llvm-mc takes, in order, with ITSTATE carried from line to line
  const valid: { l: typeof lines[number] | null; texts: string[]; undef?: string; address: number; ids: string[] }[] = [];
  let its = 0;
  let address = ADDR;
  /** a line left out inside an IT block: a filler keeps the block's shape for llvm-mc and for our ITSTATE */
  const fill = () => {
    if (!inIT(its)) return;
    const c = (its >>> 4) & 15;
    valid.push({ l: null, texts: [c === 14 ? 'nop' : `nop${['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'][c]}`], address, ids: [] });
    its = itAdvance(its);
    address += 2;
  };
  lines.forEach((l, i) => {
    const d = dis[i]!;
    const covered = d.insns.reduce((n, x) => n + x.bytes.length, 0) === l.bytes.length;
    if (d.warnings.some((w) => /invalid instruction encoding/.test(w)) || !covered) { counts.notV7em++; fill(); return; }
    if (d.warnings.length) { counts.warned++; fill(); return; }
    if (d.insns.every((x) => COPROC.test(x.text.split(' ')[0]!))) { counts.coproc++; fill(); return; }
    if (MANUAL_UNPREDICTABLE[hex(l.bytes)] && recsUndefined(l.bytes, address, its)) { counts.unpredictable++; fill(); return; }
    const recs = disassemble(new Uint8Array(l.bytes), { address, itstate: its });
    const texts: string[] = [];
    const ids: string[] = [];
    let undef: string | undefined;
    let a = address;
    for (const r of recs) {
      if (!r.id) { undef ??= `${r.text}: ${r.undefined}`; texts.push(r.text.replace('\t', ' ')); ids.push('UNDEFINED'); }
      else {
        const dw = decodeWord(r.size === 2 ? r.bytes[0]! | (r.bytes[1]! << 8) : ((r.bytes[1]! << 24) | (r.bytes[0]! << 16) | (r.bytes[3]! << 8) | r.bytes[2]!) >>> 0, r.size);
        const ops = toolOperands('llvm', r.mnemonic, r.operands, pcRelOperands(dw.entry!, dw.f, a), a);
        texts.push(ops ? `${r.mnemonic} ${ops}` : r.mnemonic);
        ids.push(r.id);
        its = dw.entry!.def.exec === 'it' && !inIT(its) ? ((dw.f.firstcond! << 4) | dw.f.mask!) : itAdvance(its);
        a += r.size;
        continue;
      }
      its = itAdvance(its);
      a += r.size;
    }
    valid.push({ l, texts, undef, address, ids });
    address += l.bytes.length;
  });
  const back = await llvmAssemble(valid.map((v) => v.texts), { guardIT: false });
  valid.forEach((v, i) => {
    if (!v.l) return;
    const r = back[i]!;
    const got = r.insns.flatMap((x) => x.bytes ?? []);
    const want = v.l.bytes;
    const llvmText = dis[lines.indexOf(v.l!)]!.insns.map((x) => x.text).join(' ; ');
    if (v.undef) {
      counts.mismatched++;
      mismatches.push(`UNDEFINED thumb2.txt:${v.l.line}: [${hex(want)}] ('${llvmText}' for llvm-mc) is ${v.undef} for us`);
    } else if (r.errors.length || hex(got) !== hex(want)) {
      counts.mismatched++;
      mismatches.push(`${v.ids.join('+')} thumb2.txt:${v.l.line}: [${hex(want)}] ('${llvmText}' for llvm-mc): our text '${v.texts.join(' ; ')}' -> ${r.errors.length ? `error: ${r.errors.join('; ')}` : `[${hex(got)}]`}`);
    } else counts.passed++;
  });
  return { counts, mismatches };
}

async function checkInvalid(): Promise<{ counts: { passed: number; mismatched: number; notInvalidOnV7em: number; noCheck: number }; mismatches: string[] }> {
  const text = readFileSync(resolve(REF, 'invalid-thumbv7.txt'), 'utf8').split(/\r\n|\r|\n/);
  const groups: { line: number; bytes: number[]; expectInvalid: boolean }[] = [];
  text.forEach((raw, i) => {
    const m = /^\s*\[([^\]]*)\]/.exec(raw);
    if (m) { groups.push({ line: i + 1, bytes: m[1]!.trim().split(/\s+/).map(Number), expectInvalid: false }); return; }
    if (groups.length && /^#\s*CHECK(-V7)?:.*(invalid instruction encoding|potentially undefined)/.test(raw)) groups[groups.length - 1]!.expectInvalid = true;
  });
  const dis = await llvmDisassemble(groups.map((g) => g.bytes));
  const counts = { passed: 0, mismatched: 0, notInvalidOnV7em: 0, noCheck: 0 };
  const mismatches: string[] = [];
  groups.forEach((g, i) => {
    if (!g.expectInvalid) { counts.noCheck++; return; }
    if (!dis[i]!.warnings.length) { counts.notInvalidOnV7em++; return; }
    // ours, from a clean IT state at the group's start
    let its = 0;
    const why: string[] = [];
    const texts: string[] = [];
    for (const r of disassemble(new Uint8Array(g.bytes), { address: ADDR })) {
      texts.push(r.text.replace('\t', ' '));
      if (!r.id) { why.push(r.undefined ?? 'UNDEFINED'); its = itAdvance(its); continue; }
      const dw = decodeWord(r.size === 2 ? r.bytes[0]! | (r.bytes[1]! << 8) : ((r.bytes[1]! << 24) | (r.bytes[0]! << 16) | (r.bytes[3]! << 8) | r.bytes[2]!) >>> 0, r.size);
      const rule = dw.entry!.def.it ?? 'any';
      if (inIT(its) && (rule === 'outside' || (rule === 'last' && !lastInIT(its)))) why.push(`${r.id} inside an IT block (${rule})`);
      its = dw.entry!.def.exec === 'it' && !inIT(its) ? ((dw.f.firstcond! << 4) | dw.f.mask!) : itAdvance(its);
    }
    if (why.length) counts.passed++;
    else {
      counts.mismatched++;
      mismatches.push(`invalid-thumbv7.txt:${g.line}: [${hex(g.bytes)}] is valid for us: '${texts.join(' ; ')}' (llvm-mc: ${dis[i]!.warnings.join('; ')})`);
    }
  });
  return { counts, mismatches };
}

// ------------------------------------------------------------------ tests

const ASM_FILES = ['basic-thumb-instructions.s', 'basic-thumb2-instructions.s', 'thumb2-mclass.s', 'thumbv7em.s'];

describe('LLVM MC reference files', () => {
  if (!existsSync(REF)) {
    console.log('skipped: ../shared/reference not present');
    it.skip('skipped: ../shared/reference not present', () => {});
    return;
  }
  if (!haveTool(LLVM_MC)) return;
  const summary: string[] = [];
  afterAll(() => { if (summary.length) console.log(summary.join('\n')); });

  for (const name of ASM_FILES) {
    describe(name, () => {
      let r: Awaited<ReturnType<typeof checkAsmFile>>;
      beforeAll(async () => {
        r = await checkAsmFile(name);
        const c = r.counts;
        summary.push(`${name}: ${c.passed} passed, ${c.mismatched} mismatched; skipped: ${c.notV7em} not v7E-M (llvm-mc rejects), ` +
          `${c.gnuRejects} not v7-M (llvm-mc takes, GNU as for cortex-m4 rejects), ${c.coproc} coprocessor, ${c.symbolic} symbolic (fixups), ` +
          `${c.negZero} llvm-mc '#-0' offsets, ${c.noCheck} without a CHECK encoding; ${c.gnuChoice} where GNU as chooses another encoding than llvm-mc and we ` +
          `follow GNU as; llvm-mc 14 differs from the listed bytes on ${c.llvmDiffers}` + (r.notes.length ? '\n' + r.notes.join('\n') : ''));
      });
      it('our encoder gives the listed encoding of every line llvm-mc accepts for cortex-m4', () => {
        expect(r.counts.passed + r.counts.mismatched).toBeGreaterThan(0);
        expect(r.mismatches, `${r.mismatches.length} mismatches`).toEqual([]);
      });
    });
  }

  describe('thumb2.txt', () => {
    let r: Awaited<ReturnType<typeof checkThumb2Txt>>;
    beforeAll(async () => {
      r = await checkThumb2Txt();
      const c = r.counts;
      summary.push(`thumb2.txt: ${c.passed} passed, ${c.mismatched} mismatched; skipped: ${c.notV7em} not v7E-M (llvm-mc: invalid encoding), ` +
        `${c.warned} llvm-mc 'potentially undefined', ${c.coproc} coprocessor, ${c.unpredictable} UNPREDICTABLE by the manual (listed)`);
    });
    it('our disassembly of every line llvm-mc decodes for cortex-m4 re-encodes (llvm-mc) to the same bytes', () => {
      expect(r.counts.passed + r.counts.mismatched).toBeGreaterThan(0);
      expect(r.mismatches, `${r.mismatches.length} mismatches`).toEqual([]);
    });
  });

  describe('invalid-thumbv7.txt', () => {
    let r: Awaited<ReturnType<typeof checkInvalid>>;
    beforeAll(async () => {
      r = await checkInvalid();
      const c = r.counts;
      summary.push(`invalid-thumbv7.txt: ${c.passed} passed, ${c.mismatched} mismatched, ${c.notInvalidOnV7em} skipped as valid on v7E-M (llvm-mc, cortex-m4), ${c.noCheck} groups without a CHECK`);
    });
    it('every invalid encoding llvm-mc also flags for cortex-m4 is UNDEFINED or UNPREDICTABLE for us', () => {
      expect(r.counts.passed + r.counts.mismatched).toBeGreaterThan(0);
      expect(r.mismatches, `${r.mismatches.length} mismatches`).toEqual([]);
    });
  });
});
