/**
 * Assembler-syntax templates: parsed once from the table, used both to print (disassembler) and to match
 * (assembler) an instruction.
 *
 * Mnemonic markers:  `{s}` optional s <-> field S;  `<a|b:F>` a when F=0, b when F=1 (`<|x:M>` is SMLAD{X});
 *                    `<s>` s outside an IT block only (16-bit data processing: setflags = !InITBlock());
 *                    `<cond>` the condition field `cond` (B T1/T3);  `<it>` the x/y/z letters of IT.
 * Operands:          `,` `[` `]` `!` literal; `#` before a placeholder: an immediate; `{ ... }` an optional group;
 *                    `<name>` or `<name:kind>` a placeholder (src/isa/kinds.ts); other words are literal
 *                    (`lsl`, or a register such as `sp` or `pc`).
 * A placeholder that appears twice must get the same value both times (`add <Rdn>, <Rdn>, <Rm>`).
 */
import { KINDS, defaultKind, parseRegName, COND_NAMES, type Kind, type OpTok, type ParseCtx, type FormatCtx } from './kinds.js';
import type { Fields } from './types.js';
import { IsaTableError } from './pattern.js';

export type MnPart =
  | { k: 'lit'; text: string }
  | { k: 'alt'; a: string; b: string; field: string }
  | { k: 'itS' }
  | { k: 'cond' }
  | { k: 'it' };

export type Item =
  | { k: 'lit'; text: string }
  | { k: 'reglit'; r: number; text: string }
  | { k: 'ph'; name: string; kind: Kind; kindName: string; hash: boolean }
  | { k: 'opt'; items: Item[] };

export interface Template {
  text: string;
  mn: MnPart[];
  ops: Item[];
  /** fields the template sets: from the mnemonic markers and the placeholders */
  sets: Set<string>;
  /** has the IT-implied flag setting marker */
  itS: boolean;
}

export function compileTemplate(id: string, text: string): Template {
  const sp = text.search(/\s/);
  const mnText = sp < 0 ? text : text.slice(0, sp);
  const opText = sp < 0 ? '' : text.slice(sp).trim();
  const mn: MnPart[] = [];
  const sets = new Set<string>();
  let itS = false;
  let i = 0;
  while (i < mnText.length) {
    const c = mnText[i]!;
    if (c === '{' || c === '<') {
      const close = mnText.indexOf(c === '{' ? '}' : '>', i);
      if (close < 0) throw new IsaTableError(`${id}: unclosed marker in '${text}'`);
      const body = mnText.slice(i + 1, close);
      i = close + 1;
      if (c === '{') {
        const [letter, field] = body.split(':');
        const f = field ?? letter!.toUpperCase();
        mn.push({ k: 'alt', a: '', b: letter!, field: f });
        sets.add(f);
      } else if (body === 's') { mn.push({ k: 'itS' }); itS = true; }
      else if (body === 'cond') { mn.push({ k: 'cond' }); sets.add('cond'); }
      else if (body === 'it') { mn.push({ k: 'it' }); sets.add('mask'); }
      else {
        const m = /^([a-z]*)\|([a-z]*):(\w+)$/.exec(body);
        if (!m) throw new IsaTableError(`${id}: bad mnemonic marker <${body}>`);
        mn.push({ k: 'alt', a: m[1]!, b: m[2]!, field: m[3]! });
        sets.add(m[3]!);
      }
    } else {
      let j = i;
      while (j < mnText.length && mnText[j] !== '{' && mnText[j] !== '<') j++;
      mn.push({ k: 'lit', text: mnText.slice(i, j) });
      i = j;
    }
  }
  // operands
  const stack: Item[][] = [[]];
  let hash = false;
  i = 0;
  while (i < opText.length) {
    const c = opText[i]!;
    const top = stack[stack.length - 1]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { hash = true; i++; continue; }
    if (c === '{') { const g: Item = { k: 'opt', items: [] }; top.push(g); stack.push(g.items); i++; continue; }
    if (c === '}') { stack.pop(); if (!stack.length) throw new IsaTableError(`${id}: unbalanced } in '${text}'`); i++; continue; }
    if (c === ',' || c === '[' || c === ']' || c === '!') { top.push({ k: 'lit', text: c }); i++; continue; }
    if (c === '<') {
      const close = opText.indexOf('>', i);
      const body = opText.slice(i + 1, close);
      const [name, kn] = body.split(':') as [string, string | undefined];
      const kindName = kn ?? defaultKind(name);
      const kind = KINDS[kindName];
      if (!kind) throw new IsaTableError(`${id}: unknown operand kind '${kindName}'`);
      top.push({ k: 'ph', name, kind, kindName, hash });
      for (const f of kind.fields(name)) sets.add(f);
      hash = false;
      i = close + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(opText.slice(i));
    if (!m) throw new IsaTableError(`${id}: bad character '${c}' in '${text}'`);
    const r = parseRegName(m[0]);
    top.push(r !== undefined ? { k: 'reglit', r, text: m[0] } : { k: 'lit', text: m[0] });
    i += m[0].length;
  }
  if (stack.length !== 1) throw new IsaTableError(`${id}: unbalanced { in '${text}'`);
  return { text, mn, ops: stack[0]!, sets, itS };
}

// ------------------------------------------------------------------ printing

export interface ItContext {
  /** inside an IT block: the condition of this slot */
  inIT: boolean;
  cond: number;
  last: boolean;
}

/** The IT mnemonic letters for firstcond and mask (A7.7.38). */
export function itLetters(firstcond: number, mask: number): string {
  let s = '';
  const n = mask & 1 ? 3 : mask & 2 ? 2 : mask & 4 ? 1 : 0;
  for (let k = 0; k < n; k++) {
    const bit = (mask >>> (3 - k)) & 1;
    s += bit === (firstcond & 1) ? 't' : 'e';
  }
  return s;
}
export function itMask(firstcond: number, letters: string): number {
  let mask = 0;
  for (let k = 0; k < letters.length; k++) {
    const bit = letters[k] === 't' ? firstcond & 1 : (~firstcond) & 1;
    mask |= bit << (3 - k);
  }
  mask |= 1 << (3 - letters.length);
  return mask;
}

export function formatMnemonic(t: Template, f: Fields, it: ItContext): string {
  let s = '';
  for (const p of t.mn) {
    switch (p.k) {
      case 'lit': s += p.text; break;
      case 'alt': s += f[p.field] ? p.b : p.a; break;
      case 'itS': if (!it.inIT) s += 's'; break;
      case 'cond': s += COND_NAMES[f.cond!] ?? ''; break;
      case 'it': s += itLetters(f.firstcond!, f.mask!); break;
    }
  }
  if (it.inIT && it.cond !== 14) s += COND_NAMES[it.cond];
  return s;
}

function hasReg(items: Item[]): boolean {
  return items.some((x) => (x.k === 'ph' && x.kindName === 'reg') || x.k === 'reglit' || (x.k === 'opt' && hasReg(x.items)));
}
function allDefault(items: Item[], f: Fields): boolean {
  return items.every((x) => x.k !== 'ph' || (x.kind.isDefault ? x.kind.isDefault(f, x.name) : false)) &&
    items.every((x) => x.k !== 'opt' || allDefault(x.items, f));
}

export function formatOperands(items: Item[], f: Fields, ctx: FormatCtx): string {
  return formatItems(items, f, ctx).replace(/ +$/, '');
}
function formatItems(items: Item[], f: Fields, ctx: FormatCtx): string {
  let s = '';
  for (const x of items) {
    switch (x.k) {
      case 'lit':
        if (x.text === ',') s += ', ';
        else if (/^\w/.test(x.text)) s += (s && !s.endsWith(' ') && !s.endsWith('[') ? ' ' : '') + x.text;
        else s += x.text;
        break;
      case 'reglit': s += x.text; break;
      case 'ph': {
        const text = (x.hash ? '#' : '') + x.kind.format(f, x.name, ctx);
        s += (/\w$/.test(s) && /^[\w#]/.test(text) ? ' ' : '') + text;
        break;
      }
      case 'opt':
        if (hasReg(x.items) || !allDefault(x.items, f)) s += formatItems(x.items, f, ctx);
        break;
    }
  }
  return s;
}

// ------------------------------------------------------------------ matching

export interface MatchError { error: string; col: number; hard: boolean; progress: number }
/**
 * matchOperands also records, under COL + field name, the column of the operand each field came from, so that
 * later checks (field range, UNPREDICTABLE rules) can point at it. These keys are not fields.
 */
export const COL = '@col:';
type MatchResult = { ok: true; fields: Fields } | { ok: false; err: MatchError };

/**
 * Match operand tokens against a template's operand items. `f` holds the fields already set (by the mnemonic);
 * returns the complete field set or the most informative error.
 */
export function matchOperands(t: Template, toks: OpTok[], f0: Fields, ctx: ParseCtx, endCol: number): MatchResult {
  let best: MatchError | undefined;
  const note = (e: MatchError) => {
    if (!best || (e.hard && !best.hard) || (e.hard === best.hard && e.progress > best.progress)) best = e;
  };
  // continuation-passing walk so optional groups can backtrack
  type Cont = (ti: number, f: Fields, deferred: string[][]) => Fields | undefined;
  const walk = (items: Item[], k: number, ti: number, f: Fields, deferred: string[][], cont: Cont): Fields | undefined => {
    if (k === items.length) return cont(ti, f, deferred);
    const x = items[k]!;
    const tok = toks[ti];
    const col = tok?.col ?? endCol;
    switch (x.k) {
      case 'lit': {
        const okTok = tok && ((tok.t === 'punct' && tok.p === x.text) || (tok.t === 'expr' && tok.word?.toLowerCase() === x.text));
        if (!okTok) { note({ error: `expected '${x.text}'`, col, hard: false, progress: ti }); return undefined; }
        return walk(items, k + 1, ti + 1, f, deferred, cont);
      }
      case 'reglit': {
        if (!(tok && tok.t === 'reg' && tok.r === x.r)) {
          note({ error: tok?.t === 'reg' ? `register ${x.text} expected here` : `expected '${x.text}'`, col, hard: tok?.t === 'reg', progress: ti });
          return undefined;
        }
        return walk(items, k + 1, ti + 1, f, deferred, cont);
      }
      case 'ph': {
        const r = x.kind.parse(toks, ti, x.name, f, ctx);
        if (!r.ok) { note({ error: r.error, col: r.col, hard: !!r.hard, progress: ti }); return undefined; }
        const nf = { ...f };
        for (const [key, v] of Object.entries(r.fields)) {
          if (key in f && f[key] !== v) {
            note({ error: `operand must be the same as the earlier ${x.name}`, col, hard: true, progress: ti });
            return undefined;
          }
          nf[key] = v;
          if (tok) nf[COL + key] = tok.col;
        }
        return walk(items, k + 1, ti + r.consumed, nf, deferred, cont);
      }
      case 'opt': {
        const withGroup = walk(x.items, 0, ti, f, deferred, (ti2, f2, d2) => walk(items, k + 1, ti2, f2, d2, cont));
        if (withGroup) return withGroup;
        // absent: defaults
        const nf = { ...f };
        const nd = [...deferred];
        const addDefaults = (its: Item[]) => {
          for (const y of its) {
            if (y.k === 'ph') {
              if (y.kind.dflt) Object.assign(nf, y.kind.dflt(y.name));
              else {
                // the next register of the template: a placeholder (copied once known), or a fixed one (`sub sp, ip`
                // is `sub sp, sp, ip`: the omitted Rd is the `sp` that follows, not Rm)
                const next = items.slice(k + 1).find((z) => (z.k === 'ph' && z.kindName === y.kindName) || (z.k === 'reglit' && y.kindName === 'reg'));
                if (next?.k === 'reglit') nf[y.name] = next.r;
                else nd.push(next?.k === 'ph' ? [y.name, next.name] : [y.name]);
              }
            } else if (y.k === 'opt') addDefaults(y.items);
          }
        };
        addDefaults(x.items);
        return walk(items, k + 1, ti, nf, nd, cont);
      }
    }
  };
  const fields = walk(t.ops, 0, 0, { ...f0 }, [], (ti, f, deferred) => {
    if (ti !== toks.length) {
      note({ error: 'unexpected operand', col: toks[ti]!.col, hard: false, progress: ti });
      return undefined;
    }
    const nf = { ...f };
    for (const [name, from] of deferred) if (from !== undefined) nf[name!] = nf[from]!;
    return nf;
  });
  if (fields) return { ok: true, fields };
  return { ok: false, err: best ?? { error: 'invalid operands', col: endCol, hard: false, progress: 0 } };
}
