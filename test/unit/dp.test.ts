import { describe, it, expect } from 'vitest';
import { runLines } from '../helpers/run.js';

describe('data processing', () => {
  it('adds with flags', () => {
    const m = runLines(['adds r2, r0, r1'], { r0: 0x7fffffff, r1: 1 });
    expect(m.reg('r2')).toBe(0x80000000);
    expect(m.flags).toMatchObject({ n: 1, z: 0, c: 0, v: 1 });
  });
  it('subtracts with borrow as carry', () => {
    const m = runLines(['subs r2, r0, r1'], { r0: 5, r1: 5 });
    expect(m.reg('r2')).toBe(0);
    expect(m.flags).toMatchObject({ n: 0, z: 1, c: 1, v: 0 });
  });
  it('shifted register operand and modified immediate', () => {
    const m = runLines(['add r4, r3, r2, lsl #2', 'mov r5, #0xff00ff00'], { r3: 0x100, r2: 3 });
    expect(m.reg('r4')).toBe(0x10c);
    expect(m.reg('r5')).toBe(0xff00ff00);
  });
});
