import type { CompiledPattern, FieldPart, Fields } from './types.js';

/** Thrown for a malformed table entry: a bug in isa/, reported with the entry id. */
export class IsaTableError extends Error {}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Compile a pattern string (see IsaEntry.pattern) into masks and field positions. */
export function compilePattern(id: string, pattern: string): CompiledPattern {
  const tokens = pattern.trim().split(/\s+/);
  interface Tok { kind: 'fixed' | 'sb' | 'field'; bits: string; name?: string; len: number; at?: number }
  const toks: Tok[] = [];
  for (const t of tokens) {
    let m: RegExpMatchArray | null;
    if (/^[01]+$/.test(t)) toks.push({ kind: 'fixed', bits: t, len: t.length });
    else if ((m = t.match(/^\(([01])\)$/))) toks.push({ kind: 'sb', bits: m[1]!, len: 1 });
    else if ((m = t.match(/^([A-Za-z_][A-Za-z0-9_]*)(?::(\d+))?$/))) {
      toks.push({ kind: 'field', bits: '', name: m[1]!, len: m[2] ? Number(m[2]) : 1 });
    } else if ((m = t.match(/^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)(?::(\d+))?\]$/))) {
      const hi = Number(m[2]);
      const lo = m[3] !== undefined ? Number(m[3]) : hi;
      if (lo > hi) throw new IsaTableError(`${id}: slice ${t} has lo > hi`);
      toks.push({ kind: 'field', bits: '', name: m[1]!, len: hi - lo + 1, at: lo });
    } else throw new IsaTableError(`${id}: bad pattern token '${t}'`);
  }
  const total = toks.reduce((s, t) => s + t.len, 0);
  if (total !== 16 && total !== 32) throw new IsaTableError(`${id}: pattern has ${total} bits, not 16 or 32`);
  let pos = total;
  let mask = 0, value = 0, sbMask = 0, sbValue = 0;
  const fields = new Map<string, FieldPart[]>();
  for (const t of toks) {
    pos -= t.len;
    if (t.kind === 'fixed' || t.kind === 'sb') {
      for (let i = 0; i < t.len; i++) {
        const bit = t.bits[t.len - 1 - i] === '1' ? 1 : 0;
        const p = pos + i;
        if (t.kind === 'fixed') { mask |= 1 << p; value |= bit << p; }
        else { sbMask |= 1 << p; sbValue |= bit << p; }
      }
    } else {
      const parts = fields.get(t.name!) ?? [];
      parts.push({ pos, len: t.len, at: t.at ?? -1 });
      fields.set(t.name!, parts);
    }
  }
  // Parts written without a slice index: concatenate in order of appearance, most significant first.
  const widths = new Map<string, number>();
  for (const [name, parts] of fields) {
    const unsliced = parts.filter((p) => p.at < 0);
    if (unsliced.length && unsliced.length !== parts.length) {
      throw new IsaTableError(`${id}: field ${name} mixes sliced and unsliced parts`);
    }
    if (unsliced.length) {
      let at = parts.reduce((s, p) => s + p.len, 0);
      for (const p of parts) { at -= p.len; p.at = at; }
    }
    // Gaps are allowed (a PUSH list has no bits 8..12): the field's mask records which bits exist.
    let covered = 0;
    for (const p of parts) {
      const bits = ((2 ** p.len - 1) * 2 ** p.at);
      if ((covered & bits) !== 0) throw new IsaTableError(`${id}: field ${name} has overlapping slices`);
      covered += bits;
    }
    widths.set(name, covered >>> 0);
  }
  return {
    size: total === 16 ? 2 : 4,
    mask: mask >>> 0, value: value >>> 0, sbMask: sbMask >>> 0, sbValue: sbValue >>> 0,
    fields, masks: widths, specificity: popcount(mask) + popcount(sbMask),
  };
}

/** Extract every logical field of a pattern from an instruction word. */
export function extractFields(p: CompiledPattern, word: number): Fields {
  const f: Fields = {};
  for (const [name, parts] of p.fields) {
    let v = 0;
    for (const part of parts) v |= ((word >>> part.pos) & ((1 << part.len) - 1)) << part.at;
    f[name] = v >>> 0;
  }
  return f;
}

/** Build an instruction word from field values (values are masked to the field widths by the caller's check). */
export function insertFields(p: CompiledPattern, f: Fields): number {
  let w = p.value | p.sbValue;
  for (const [name, parts] of p.fields) {
    const v = f[name];
    if (v === undefined) throw new IsaTableError(`field ${name} missing`);
    for (const part of parts) w |= ((v >>> part.at) & ((1 << part.len) - 1)) << part.pos;
  }
  return w >>> 0;
}
