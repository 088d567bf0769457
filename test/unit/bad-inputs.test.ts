/**
 * Every kind of bad input a user can hand the `mcusim` command, and the message it gives: bad ELF files, bad board
 * files, runaway programs, faults with no handler. Each ends in a message and an exit code, never a stack trace.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { rmSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cli } from '../helpers/cli.js';

/** temporary directories of this file, removed when its tests end */
const temps: string[] = [];
function tempDir(prefix: string): string { const d = mkdtempSync(join(tmpdir(), prefix)); temps.push(d); return d; }
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

const HELLO = join(import.meta.dirname, '../../programs/examples/hello/hello.elf');
const BOARDS = join(import.meta.dirname, '../fixtures/boards');
const tmp = () => tempDir('mcusim-bad-');
const noTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .*:\d+:\d+/);

function elfWith(patch: (b: Uint8Array) => Uint8Array, name: string): string {
  const f = join(tmp(), name);
  writeFileSync(f, patch(new Uint8Array(readFileSync(HELLO))));
  return f;
}

describe('bad ELF files', () => {
  const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
    ['truncated in the header', (b) => b.subarray(0, 30), /truncated/],
    ['truncated in a segment', (b) => b.subarray(0, 4000), /truncated|past the end/],
    // e_ident[EI_CLASS] at offset 4: 2 is ELF64
    ['64-bit', (b) => { const c = b.slice(); c[4] = 2; return c; }, /64-bit|ELF64|class/],
    // e_ident[EI_DATA] at offset 5: 2 is big-endian
    ['big-endian', (b) => { const c = b.slice(); c[5] = 2; return c; }, /big-endian/],
    // e_machine at offset 18: 62 is x86-64
    ['another machine', (b) => { const c = b.slice(); c[18] = 62; c[19] = 0; return c; }, /machine/],
    // e_type at offset 16: 1 is a relocatable object
    ['a relocatable object', (b) => { const c = b.slice(); c[16] = 1; c[17] = 0; return c; }, /relocatable object: link it first/],
  ];
  for (const [what, patch, msg] of cases) {
    it(`${what}: exit 1 with a message naming the problem`, async () => {
      const r = await cli('run', elfWith(patch, 'bad.elf'));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^mcusim: /);
      expect(r.err).toMatch(msg);
      noTrace(r.err);
    });
  }
  it('a segment outside every memory region of the board', async () => {
    // the data LOAD segment (program header 2 of hello.elf: EXIDX, code, data) moved to 0x90000000, where no board
    // has memory: p_vaddr at +8, p_paddr at +12 of the 32-byte header
    const r = await cli('run', elfWith((b) => {
      const c = b.slice(), v = new DataView(c.buffer);
      const phoff = v.getUint32(28, true);
      v.setUint32(phoff + 2 * 32 + 8, 0x90000000, true);
      v.setUint32(phoff + 2 * 32 + 12, 0x90000000, true);
      return c;
    }, 'moved.elf'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot load .*moved\.elf:\n  .*0x90000000/);
    noTrace(r.err);
  });
  it('a program whose stack is outside the board\'s RAM: a stacking BusFault, reported', async () => {
    // hello.elf's vector table sets SP to 0x20400000 (the mps2 map); the F411 has 128 KB of SRAM at 0x20000000
    const r = await cli('run', HELLO, '--board', 'stm32f411re');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/BusFault STKERR: exception stacking at 0x203fff\w+ failed/);
    noTrace(r.err);
  });
});

describe('bad board files', () => {
  // each fixture's name says what is wrong; the message names the file and the JSON path
  for (const f of readdirSync(BOARDS).filter((x) => x.endsWith('.json'))) {
    it(`${f}: every error with file and JSON path`, async () => {
      const r = await cli('boards', join(BOARDS, f));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`error.* in board file .*${f.replace('.', '\\.')}`));
      expect(r.err).toMatch(new RegExp(`${f.replace('.', '\\.')}: \\$`)); // file: $.path
      noTrace(r.err);
      const run = await cli('run', HELLO, '--board', join(BOARDS, f));
      expect(run.code).toBe(1);
      expect(run.err).toBe(r.err);
    });
  }
  it('not JSON at all', async () => {
    const f = join(tmp(), 'b.json');
    writeFileSync(f, '{ "name": ');
    const r = await cli('boards', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/invalid JSON/);
  });
  it('a good board file is shown like a shipped one', async () => {
    const f = join(tmp(), 'mine.json');
    writeFileSync(f, readFileSync(join(import.meta.dirname, '../../boards/stm32f411re.json')));
    const r = await cli('boards', f);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/flash wait states at this clock: 3/);
  });
});

describe('runaway programs', () => {
  const spin = () => { const f = join(tmp(), 'spin.s'); writeFileSync(f, '.syntax unified\n.thumb\n_start:\n1: adds r0, #1\n b 1b\n'); return f; };
  it('--max stops at the instruction budget', async () => {
    const r = await cli('run', spin(), '--max', '1000');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/stopped: instruction limit reached at pc/);
    expect(r.err).toMatch(/instructions: 1000 /);
  });
  it('--max-cycles stops at the cycle budget', async () => {
    const r = await cli('run', spin(), '--max-cycles', '500');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/stopped: cycle limit reached/);
  });
  it('bad limits are messages', async () => {
    for (const [opt, v, msg] of [['--max', '0', /not a positive whole number/], ['--max-cycles', '-3', /not a positive whole number/], ['--timeout', 'soon', /not a positive number of seconds/]] as const) {
      const r = await cli('run', spin(), opt, v);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(msg);
    }
  });
});

describe('faults', () => {
  it('with no handler (bare snippet): the fault, the PC, the instruction and the registers', async () => {
    const f = join(tmp(), 'f.s');
    writeFileSync(f, '.syntax unified\n.thumb\n_start:\n movs r0, #5\n movs r1, #0\n ldr r2, [r1, #2]\n udf #3\n');
    const r = await cli('run', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/UsageFault UNDEFINSTR/);
    expect(r.err).toMatch(/at pc 0x00000008: udf\s+#3/); // movs, movs, ldr.w (imm 2 has no 16-bit form)
    expect(r.err).toMatch(/r0\s+│ 0x00000005/);
    noTrace(r.err);
  });
  it('a vector table whose reset vector is not Thumb: INVSTATE at the first instruction', async () => {
    const f = join(tmp(), 'v.bin');
    const b = new Uint8Array(16);
    new DataView(b.buffer).setUint32(0, 0x20001000, true);
    new DataView(b.buffer).setUint32(4, 0x8, true); // bit 0 clear
    writeFileSync(f, b);
    const r = await cli('run', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/INVSTATE/);
    noTrace(r.err);
  });
});
