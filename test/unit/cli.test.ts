import { describe, it, expect, afterEach, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli/main.js';

const FIX = join(import.meta.dirname, '../fixtures/cli');
const EXAMPLE = join(import.meta.dirname, '../../programs/examples/dot-product.s');

/** Run the CLI in-process; capture stdout, stderr and the exit code. */
function cli(...args: string[]): { out: string; err: string; code: number } {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  process.exitCode = 0;
  try { main(['node', 'mcusim', ...args]); } finally { o.mockRestore(); e.mockRestore(); }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}
afterEach(() => { process.exitCode = 0; });

describe('mcusim run', () => {
  it('runs the example to its breakpoint: the scalar and SIMD dot products agree', () => {
    const r = cli('run', EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/stopped: breakpoint \(bkpt #0\)/);
    // sum(a[i] * b[i]) over the example's vectors, worked out by hand from its .byte lines: -49384
    expect(r.out).toMatch(/r0\s+│ 0xffff3f18 │ -49384/);
    expect(r.out).toMatch(/r1\s+│ 0xffff3f18 │ -49384/);
    expect(r.out).toMatch(/flags: N=0 Z=1/);
    expect(r.out).toMatch(/instructions: \d+ +cycles: \d+/);
  });
  it('reports a fault with its PC and instruction, exit code 2', () => {
    const r = cli('run', join(FIX, 'fault.s'));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/BusFault PRECISERR: read of 4 bytes at 0x60000000 outside the memory map/);
    expect(r.out).toMatch(/at pc 0x00000006: ldr\s+r2, \[r1\]/);
    expect(r.out).toMatch(/r0\s+│ 0x00000001/);
  });
  it('stops at the instruction limit with exit code 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcusim-'));
    const f = join(dir, 'loop.s');
    writeFileSync(f, '.syntax unified\n.thumb\n_start:\n1: adds r0, #1\n b 1b\n');
    const r = cli('run', f, '--max', '1001');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/instruction limit reached/);
    expect(r.out).toMatch(/r0\s+│ 0x000001f5 │ 501/);
  });
  it('prints every assembly error with file:line:column and exits 1, no stack trace', () => {
    const r = cli('run', join(FIX, 'bad.s'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.s:4:\d+: error: .*0x101/);
    expect(r.err).toMatch(/bad\.s:5:\d+: error: .*frob/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
  it('a missing file is a message, not a stack trace', () => {
    const r = cli('run', '/nonexistent/x.s');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/mcusim: cannot read \/nonexistent\/x\.s: ENOENT/);
  });
  it('rejects a bad --max', () => {
    const r = cli('run', EXAMPLE, '--max', 'lots');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'lots' is not a positive whole number/);
  });
});

describe('mcusim asm / disasm', () => {
  it('assembles to a binary and disassembles it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcusim-'));
    const src = join(dir, 'k.s'), bin = join(dir, 'k.bin');
    writeFileSync(src, '.syntax unified\n.thumb\n_start:\n smlad r2, r3, r5, r8\n adds r0, r1, #1\n');
    const a = cli('asm', src, '-o', bin, '--listing');
    expect(a.code).toBe(0);
    // smlad r2, r3, r5, r8 is [0x23,0xfb,0x05,0x82] (shared/reference/oracles.md); adds r0, r1, #1 is 0x1c48
    expect([...readFileSync(bin)]).toEqual([0x23, 0xfb, 0x05, 0x82, 0x48, 0x1c]);
    expect(a.out).toMatch(/smlad r2, r3, r5, r8/);
    const d = cli('disasm', bin, '--base', '0x1000');
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/1000:\s+fb23 8205\s+smlad\s+r2, r3, r5, r8/);
    expect(d.out).toMatch(/1004:\s+1c48\s+adds\s+r0, r1, #1/);
  });
  it('rejects a bad --base', () => {
    const r = cli('disasm', EXAMPLE, '--base', 'zz');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'zz' is not an address/);
  });
});
