import { describe, it, expect } from 'vitest';
import { ENTRY_LIST } from '../../src/isa/table.js';
import { GENERATORS } from '../../src/cpu/index.js';
import { KINDS } from '../../src/isa/kinds.js';
import type { Item } from '../../src/isa/syntax.js';

describe('instruction table', () => {
  it('every entry has semantics', () => {
    const missing = ENTRY_LIST.filter((e) => !GENERATORS[e.def.exec]).map((e) => `${e.def.id} (${e.def.exec})`);
    expect(missing).toEqual([]);
  });
  it('every semantics key is used by an entry', () => {
    const used = new Set(ENTRY_LIST.map((e) => e.def.exec));
    expect(Object.keys(GENERATORS).filter((k) => !used.has(k))).toEqual([]);
  });
  it('every operand kind is used by a template', () => {
    const used = new Set<string>();
    const walk = (items: Item[]) => { for (const x of items) { if (x.k === 'ph') used.add(x.kindName); if (x.k === 'opt') walk(x.items); } };
    for (const e of ENTRY_LIST) for (const t of e.templates) walk(t.ops);
    expect(Object.keys(KINDS).filter((k) => !used.has(k))).toEqual([]);
  });
  it('ids are unique and name an encoding (NAME_form_Tn)', () => {
    const ids = ENTRY_LIST.map((e) => e.def.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/_T\d(\.\w+)?$/);
  });
});
