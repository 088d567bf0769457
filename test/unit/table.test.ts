import { describe, it, expect } from 'vitest';
import { ENTRY_LIST } from '../../src/isa/table.js';
import { GENERATORS } from '../../src/cpu/index.js';

describe('instruction table', () => {
  it('every entry has semantics', () => {
    const missing = ENTRY_LIST.filter((e) => !GENERATORS[e.def.exec]).map((e) => `${e.def.id} (${e.def.exec})`);
    expect(missing).toEqual([]);
  });
  it('every semantics key is used by an entry', () => {
    const used = new Set(ENTRY_LIST.map((e) => e.def.exec));
    expect(Object.keys(GENERATORS).filter((k) => !used.has(k))).toEqual([]);
  });
  it('ids are unique and name an encoding (NAME_form_Tn)', () => {
    const ids = ENTRY_LIST.map((e) => e.def.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/_T\d(\.\w+)?$/);
  });
});
