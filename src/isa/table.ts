/**
 * The compiled instruction set: every entry of isa/ with its pattern and templates compiled, the decoder
 * (a 64K table for the first halfword, candidate lists for 32-bit encodings) and the mnemonic index the
 * assembler looks spellings up in.
 */
import { ENTRIES } from '../../isa/index.js';
import { compilePattern, extractFields, insertFields, IsaTableError } from './pattern.js';
import { compileTemplate, itLetters, type Item, type Template } from './syntax.js';
import { COND_NAMES } from './kinds.js';
import type { CompiledPattern, Fields, IsaEntry } from './types.js';

export interface Entry {
  def: IsaEntry;
  index: number;
  pat: CompiledPattern;
  templates: Template[];
}

export interface Decoded {
  /** null: UNDEFINED (no encoding matches) or UNPREDICTABLE (see `undef`) */
  entry: Entry | null;
  f: Fields;
  size: 2 | 4;
  /** the instruction: 16-bit value, or first halfword << 16 | second halfword */
  word: number;
  /** why the word is UNDEFINED/UNPREDICTABLE */
  undef?: string;
  /** the entry the word would be if it were not UNPREDICTABLE (for the disassembler's comment) */
  near?: Entry;
}

/** A spelling of a mnemonic: entry + template + the fields the spelling fixes. */
export interface Spelling {
  entry: Entry;
  template: Template;
  fixed: Fields;
  /** for `<s>` templates: the spelling has the s */
  sFlag?: boolean;
  /** for `<cond>` templates: the spelling carries a condition in the field */
  condField?: boolean;
  /** for IT: the x/y/z letters */
  itLetters?: string;
}

export const ENTRY_LIST: Entry[] = [];
const byId = new Map<string, Entry>();

for (const def of ENTRIES) {
  if (byId.has(def.id)) throw new IsaTableError(`duplicate entry id ${def.id}`);
  const pat = compilePattern(def.id, def.pattern);
  const syn = Array.isArray(def.syntax) ? def.syntax : [def.syntax];
  const templates = syn.map((s) => compileTemplate(def.id, s));
  for (const t of templates) {
    for (const name of pat.fields.keys()) {
      if (!t.sets.has(name) && !(def.params && name in def.params) && !(def.tie && name in def.tie)) {
        throw new IsaTableError(`${def.id}: syntax '${t.text}' does not set field ${name}`);
      }
    }
  }
  const e: Entry = { def, index: ENTRY_LIST.length, pat, templates };
  ENTRY_LIST.push(e);
  byId.set(def.id, e);
}

export function entryById(id: string): Entry {
  const e = byId.get(id);
  if (!e) throw new IsaTableError(`no entry ${id}`);
  return e;
}

export function is32(hw1: number): boolean {
  return (hw1 & 0xf800) >= 0xe800;
}

// ------------------------------------------------------------------ decoder tables
const by16 = ENTRY_LIST.filter((e) => e.pat.size === 2).sort((a, b) => b.pat.specificity - a.pat.specificity || a.index - b.index);
const by32 = ENTRY_LIST.filter((e) => e.pat.size === 4).sort((a, b) => b.pat.specificity - a.pat.specificity || a.index - b.index);

/** The entry's `see` condition holds: the word belongs to another (less specific) encoding. */
function seeOther(e: Entry, word: number): boolean {
  return e.def.see !== undefined && e.def.see(extractFields(e.pat, word));
}

/** For each first halfword: the 16-bit entry index (or -1), or for 32-bit prefixes an index into CAND32. */
const TABLE16 = new Int32Array(65536);
const CAND32: Entry[][] = [];
{
  const candKey = new Map<string, number>();
  for (let hw = 0; hw < 65536; hw++) {
    if (is32(hw)) {
      const list = by32.filter((e) => ((hw << 16) & e.pat.mask) >>> 0 === (e.pat.value & 0xffff0000 & e.pat.mask) >>> 0);
      const key = list.map((e) => e.index).join(',');
      let k = candKey.get(key);
      if (k === undefined) { k = CAND32.length; CAND32.push(list); candKey.set(key, k); }
      TABLE16[hw] = k;
    } else {
      const e = by16.find((x) => (hw & x.pat.mask) === x.pat.value && !seeOther(x, hw));
      TABLE16[hw] = e ? e.index : -1;
    }
  }
}

function finish(e: Entry, word: number, size: 2 | 4): Decoded {
  const f = extractFields(e.pat, word);
  if (e.def.params) for (const [k, v] of Object.entries(e.def.params)) if (!(k in f)) f[k] = v;
  if (((word & e.pat.sbMask) >>> 0) !== e.pat.sbValue) {
    return { entry: null, f, size, word, undef: `UNPREDICTABLE ${e.def.id}: should-be bits differ`, near: e };
  }
  if (e.def.tie) {
    for (const [k, v] of Object.entries(e.def.tie)) {
      if (f[k] !== f[v]) return { entry: null, f, size, word, undef: `UNPREDICTABLE ${e.def.id}: ${k} differs from ${v}`, near: e };
    }
  }
  const bad = e.def.bad?.(f);
  if (bad) return { entry: null, f, size, word, undef: `UNPREDICTABLE ${e.def.id}: ${bad}`, near: e };
  return { entry: e, f, size, word };
}

/** Decode one instruction from its first halfword and (for 32-bit encodings) the second. */
export function decode(hw1: number, hw2: number): Decoded {
  const t = TABLE16[hw1 & 0xffff]!;
  if (!is32(hw1)) {
    if (t < 0) return { entry: null, f: {}, size: 2, word: hw1, undef: 'UNDEFINED' };
    return finish(ENTRY_LIST[t]!, hw1, 2);
  }
  const word = ((hw1 << 16) | (hw2 & 0xffff)) >>> 0;
  for (const e of CAND32[t]!) {
    if (((word & e.pat.mask) >>> 0) === e.pat.value && !seeOther(e, word)) return finish(e, word, 4);
  }
  return { entry: null, f: {}, size: 4, word, undef: 'UNDEFINED' };
}

/** Encode fields with an entry; throws IsaTableError if a field is missing or too wide. */
export function encodeFields(e: Entry, f: Fields): number {
  if (e.def.tie) { f = { ...f }; for (const [k, v] of Object.entries(e.def.tie)) f[k] = f[v]!; }
  for (const [name, mask] of e.pat.masks) {
    const v = f[name];
    if (v === undefined) throw new IsaTableError(`${e.def.id}: field ${name} missing`);
    if ((v & ~mask) !== 0 || v < 0) throw new IsaTableError(`${e.def.id}: field ${name}=${v} does not fit`);
  }
  return insertFields(e.pat, f);
}

/** Does the field value fit the entry's field? */
export function fieldFits(e: Entry, name: string, v: number): boolean {
  const mask = e.pat.masks.get(name);
  return mask === undefined ? true : v >= 0 && (v & ~mask) === 0;
}

// ------------------------------------------------------------------ spellings for the assembler
export const SPELLINGS = new Map<string, Spelling[]>();
function addSpelling(name: string, s: Spelling) {
  let l = SPELLINGS.get(name);
  if (!l) SPELLINGS.set(name, (l = []));
  l.push(s);
}
for (const e of ENTRY_LIST) {
  e.templates.forEach((template) => {
    // expand the mnemonic's markers into every spelling
    let forms: { text: string; fixed: Fields; sFlag?: boolean; condField?: boolean; itLetters?: string }[] = [{ text: '', fixed: {} }];
    for (const p of template.mn) {
      const next: typeof forms = [];
      for (const fm of forms) {
        switch (p.k) {
          case 'lit': next.push({ ...fm, text: fm.text + p.text }); break;
          case 'alt':
            next.push({ ...fm, text: fm.text + p.a, fixed: { ...fm.fixed, [p.field]: 0 } });
            next.push({ ...fm, text: fm.text + p.b, fixed: { ...fm.fixed, [p.field]: 1 } });
            break;
          case 'itS':
            next.push({ ...fm, sFlag: false });
            next.push({ ...fm, text: fm.text + 's', sFlag: true });
            break;
          case 'cond':
            for (let c = 0; c < 14; c++) next.push({ ...fm, text: fm.text + COND_NAMES[c], fixed: { ...fm.fixed, cond: c }, condField: true });
            next.push({ ...fm, text: fm.text + 'hs', fixed: { ...fm.fixed, cond: 2 }, condField: true });
            next.push({ ...fm, text: fm.text + 'lo', fixed: { ...fm.fixed, cond: 3 }, condField: true });
            break;
          case 'it':
            for (const l of ['', 't', 'e', 'tt', 'te', 'et', 'ee', 'ttt', 'tte', 'tet', 'tee', 'ett', 'ete', 'eet', 'eee']) {
              next.push({ ...fm, text: fm.text + l, itLetters: l });
            }
            break;
        }
      }
      forms = next;
    }
    for (const fm of forms) addSpelling(fm.text, { entry: e, template, fixed: fm.fixed, sFlag: fm.sFlag, condField: fm.condField, itLetters: fm.itLetters });
  });
}
export { itLetters };

/** The numeric value of a placeholder, through its kind (the one place that knows scales and offsets). */
export function operandValue(entry: Entry, f: Fields, name: string, address: number): number {
  const find = (items: Item[]): Extract<Item, { k: 'ph' }> | undefined => {
    for (const x of items) {
      if (x.k === 'ph' && x.name === name) return x;
      if (x.k === 'opt') { const y = find(x.items); if (y) return y; }
    }
    return undefined;
  };
  const ph = find(entry.templates[0]!.ops);
  if (!ph) { const v = f[name]; if (v === undefined) throw new Error(`internal: ${entry.def.id} has no operand ${name}`); return v; }
  return ph.kind.value ? ph.kind.value(f, name, { address }) : f[name]!;
}
