/**
 * One instruction, text to bytes: split the mnemonic (condition, .w/.n), tokenize the operands, try every
 * table entry that has the spelling (16-bit forms first, as GNU as prefers them), check the IT-block rules, and
 * keep the encoding only if it decodes back to the same entry (so a field combination that the manual gives to
 * another instruction, e.g. ADD with Rd=PC and S=1 being CMN, is never emitted).
 */
import { SPELLINGS, decode, encodeFields, fieldFits, type Entry, type Spelling } from '../isa/table.js';
import { matchOperands, itMask, COL, type MatchError } from '../isa/syntax.js';
import { parseCond, parseRegName, type OpTok, type ParseCtx } from '../isa/kinds.js';
import type { Arch, Fields } from '../isa/types.js';

export interface ItSlot {
  /** inside an IT block: the condition this slot requires */
  inIT: boolean;
  cond: number;
  last: boolean;
}

export interface InstrContext extends ParseCtx {
  it: ItSlot;
  /** relaxation: never choose an encoding smaller than this (sizes only grow between passes) */
  minSize?: 2 | 4;
  /** highest architecture level allowed (`.cpu`): v6m < v7m < v7em; default v7em */
  arch?: Arch;
}

const ARCH_RANK: Record<Arch, number> = { v6m: 0, v7m: 1, v7em: 2 };

export interface EncodedInstr {
  ok: true;
  size: 2 | 4;
  /** little-endian bytes */
  bytes: Uint8Array;
  entry: Entry;
  fields: Fields;
  /** for IT: the block it opens */
  itBlock?: { firstcond: number; mask: number };
}
export interface InstrError { ok: false; message: string; col: number }

/** Columns are 0-based offsets into the operand text; callers add the operand text's own column. */
export function tokenizeOperands(text: string): OpTok[] | InstrError {
  const toks: OpTok[] = [];
  let i = 0;
  const n = text.length;
  const exprEnd = (from: number): number => {
    let depth = 0, j = from;
    let quote = '';
    for (; j < n; j++) {
      const c = text[j]!;
      if (quote) { if (c === '\\') j++; else if (c === quote) quote = ''; continue; }
      if (c === '"' || c === "'") { quote = c; continue; }
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (depth === 0 && (c === ',' || c === ']' || c === '}' || c === '!' && text[j + 1] !== '=')) break;
    }
    return j;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === ',' || c === '[' || c === ']' || c === '!') { toks.push({ t: 'punct', p: c, col: i }); i++; continue; }
    if (c === '{') {
      const close = text.indexOf('}', i);
      if (close < 0) return { ok: false, message: "register list has no closing '}'", col: i };
      let mask = 0;
      let error: string | undefined;
      for (const part of text.slice(i + 1, close).split(',')) {
        const p = part.trim();
        if (!p) { error = 'empty entry in register list'; break; }
        const range = p.split('-').map((x) => x.trim());
        const a = parseRegName(range[0]!), b = range.length === 2 ? parseRegName(range[1]!) : a;
        if (range.length > 2 || a === undefined || b === undefined) { error = `'${p}' is not a register`; break; }
        if (b < a) { error = `register range ${p} goes backwards`; break; }
        for (let r = a; r <= b; r++) {
          if (mask & (1 << r)) error ??= `register ${p} listed twice`;
          mask |= 1 << r;
        }
      }
      toks.push({ t: 'regs', mask, col: i, error });
      i = close + 1;
      continue;
    }
    if (c === '#') {
      const j = exprEnd(i + 1);
      const body = text.slice(i + 1, j).trim();
      if (!body) return { ok: false, message: "expected an expression after '#'", col: i + 1 };
      toks.push({ t: 'imm', text: body, col: i + 1 });
      i = j;
      continue;
    }
    const id = /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(text.slice(i));
    if (id) {
      const r = parseRegName(id[0]);
      let k = i + id[0].length;
      while (k < n && (text[k] === ' ' || text[k] === '\t')) k++;
      const next = text[k];
      if (r !== undefined && (next === undefined || next === ',' || next === ']' || next === '!' || next === '}')) {
        toks.push({ t: 'reg', r, col: i });
        i = k;
        continue;
      }
      if (next === '#') { toks.push({ t: 'expr', text: id[0], word: id[0], col: i }); i = k; continue; }
    }
    const j = exprEnd(i);
    const body = text.slice(i, j).trim();
    if (!body) return { ok: false, message: `unexpected '${c}'`, col: i };
    const word = /^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(body) ? body : undefined;
    toks.push({ t: 'expr', text: body, word, col: i });
    i = j;
  }
  return toks;
}

interface MnemonicSplit { base: string; width?: 'w' | 'n' }
function splitWidth(mn: string): MnemonicSplit {
  const m = /^(.*)\.(w|n)$/i.exec(mn);
  return m ? { base: m[1]!.toLowerCase(), width: m[2]!.toLowerCase() as 'w' | 'n' } : { base: mn.toLowerCase() };
}

/** Every (spelling, condition suffix) reading of a mnemonic. */
function readings(base: string): { sp: Spelling; cond: number }[] {
  const out: { sp: Spelling; cond: number }[] = [];
  for (const sp of SPELLINGS.get(base) ?? []) out.push({ sp, cond: 14 });
  if (base.length > 2) {
    const c = parseCond(base.slice(-2));
    if (c !== undefined) for (const sp of SPELLINGS.get(base.slice(0, -2)) ?? []) out.push({ sp, cond: c });
  }
  return out;
}

/** Is the mnemonic known at all (any spelling, any condition)? */
export function isMnemonic(mn: string): boolean {
  return readings(splitWidth(mn).base).length > 0;
}

const le = (word: number, size: 2 | 4): Uint8Array =>
  size === 2 ? new Uint8Array([word & 0xff, (word >>> 8) & 0xff])
    : new Uint8Array([(word >>> 16) & 0xff, (word >>> 24) & 0xff, word & 0xff, (word >>> 8) & 0xff]);

/**
 * Encode one instruction. `mnemonic` as written (any case, with condition and .w/.n); `operands` the text after
 * it. Errors carry a column inside `operands` (or -1 for the mnemonic).
 */
export function encodeInstruction(mnemonic: string, operands: string, ctx: InstrContext): EncodedInstr | InstrError {
  const { base, width } = splitWidth(mnemonic);
  const rs = readings(base);
  if (!rs.length) return { ok: false, message: `unknown instruction '${mnemonic}'`, col: -1 };
  const toks = tokenizeOperands(operands);
  if (!Array.isArray(toks)) return toks;
  // 16-bit first, then table order
  rs.sort((a, b) => a.sp.entry.pat.size - b.sp.entry.pat.size || a.sp.entry.index - b.sp.entry.index);
  let best: MatchError | undefined;
  /** a rule (width, architecture, IT) that rejected a candidate whose operands did not match anyway */
  let weakVeto: string | undefined;
  /** a rule that rejected a candidate whose operands matched and encoded: the real reason, reported first */
  let strongVeto: string | undefined;
  const note = (e: MatchError) => {
    if (!best || (e.hard && !best.hard) || (e.hard === best.hard && e.progress > best.progress)) best = e;
  };
  for (const { sp, cond } of rs) {
    const e = sp.entry;
    const size = e.pat.size;
    if (ctx.minSize && size < ctx.minSize) continue;
    let veto: string | undefined;
    if (width === 'n' && size !== 2) { weakVeto ??= `no 16-bit encoding of '${mnemonic} ${operands.trim()}'`; continue; }
    if (width === 'w' && size !== 4) { weakVeto ??= `no 32-bit encoding of '${mnemonic} ${operands.trim()}'`; continue; }
    if (ctx.arch && ARCH_RANK[e.def.arch] > ARCH_RANK[ctx.arch]) veto = `'${mnemonic}' (${e.def.id}) needs ${e.def.arch === 'v7em' ? 'the DSP extension (ARMv7E-M)' : 'ARMv7-M'}; the selected processor is ${ctx.arch}`;
    else {
      // IT rules
      const rule = e.def.it ?? 'any';
      if (ctx.it.inIT) {
        if (sp.condField) veto = `'${mnemonic}' cannot be used inside an IT block (use the IT condition on an unconditional branch)`;
        else if (cond !== ctx.it.cond && e.def.exec !== 'bkpt') veto = cond === 14 ? `instruction inside an IT block needs the condition suffix of its slot` : `condition does not match the IT block`;
        else if (rule === 'outside') veto = `'${mnemonic}' is not allowed in an IT block`;
        else if (rule === 'last' && !ctx.it.last) veto = `'${mnemonic}' must be the last instruction of an IT block`;
        else if (sp.sFlag === true && sp.template.itS) veto = `inside an IT block the 16-bit form does not set flags; write '${base.replace(/s$/, '')}' or use .w`;
      } else {
        if (cond !== 14) veto = `conditional instruction '${mnemonic}' outside an IT block`;
        else if (sp.template.itS && sp.sFlag === false) continue; // the 16-bit form sets flags here: another form applies
      }
    }
    const fixed: Fields = { ...sp.fixed };
    const m = matchOperands(sp.template, toks, fixed, ctx, operands.length);
    if (!m.ok) { if (veto) weakVeto ??= veto; else note(m.err); continue; }
    const fields = m.fields;
    if (sp.itLetters !== undefined) fields.mask = itMask(fields.firstcond!, sp.itLetters);
    if (sp.itLetters !== undefined && fields.firstcond === 14 && sp.itLetters.includes('e')) {
      note({ error: 'an IT block with condition AL cannot have else slots', col: 0, hard: true, progress: 99 });
      continue;
    }
    // every field must fit and the combination must decode back to this entry
    if (e.def.tie) for (const [k, v] of Object.entries(e.def.tie)) fields[k] = fields[v]!;
    let fits = true;
    for (const [name] of e.pat.masks) {
      if (fields[name] === undefined || !fieldFits(e, name, fields[name]!)) {
        fits = false;
        const v = fields[name];
        const isReg = /^R/.test(name);
        if (!veto) note({ error: isReg ? `register ${v === 13 ? 'sp' : v === 15 ? 'pc' : 'r' + v} not allowed here (this encoding takes ${e.pat.masks.get(name)! <= 7 ? 'r0-r7' : 'r0-r15'})` : `value ${v} out of range for ${name}`, col: fields[COL + name] ?? 0, hard: !isReg, progress: 98 });
        break;
      }
    }
    if (!fits) { if (veto) weakVeto ??= veto; continue; }
    const word = encodeFields(e, fields);
    const back = decode(size === 4 ? word >>> 16 : word, word & 0xffff);
    if (back.entry !== e) {
      if (veto) weakVeto ??= veto;
      else if (back.entry === null && back.near === e) {
        // point at the first register operand the rule names (e.g. "Rd = SP or PC"), else the first operand
        const why = back.undef!.replace(/^UNPREDICTABLE \S+: /, '');
        const named = [...why.matchAll(/\b(R[a-zA-Z0-9]+)\b/g)].map((m) => fields[COL + m[1]!]).find((c) => c !== undefined);
        note({ error: why, col: named ?? 0, hard: true, progress: 97 });
      }
      continue;
    }
    if (veto) { strongVeto ??= veto; continue; }
    return {
      ok: true, size, bytes: le(word, size), entry: e, fields: back.f,
      itBlock: e.def.exec === 'it' ? { firstcond: back.f.firstcond!, mask: back.f.mask! } : undefined,
    };
  }
  if (strongVeto) return { ok: false, message: strongVeto, col: -1 };
  if (best && best.hard) return { ok: false, message: best.error, col: best.col };
  if (weakVeto) return { ok: false, message: weakVeto, col: -1 };
  if (best) {
    const forms = [...new Set(rs.map((r) => r.sp.template.text))].slice(0, 4).join("' or '");
    return { ok: false, message: `${best.error} (expected '${forms}')`, col: best.col };
  }
  return { ok: false, message: `invalid operands for '${mnemonic}'`, col: 0 };
}
