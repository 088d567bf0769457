/**
 * The ELF loader (src/load/elf.ts): the prebuilt fixture test/fixtures/elf/start.elf (no toolchain needed), a C
 * program built here with arm-none-eabi-gcc, both compared with arm-none-eabi-readelf and run on a Machine; every
 * class of bad file with its message; fast-check fuzzing (random bytes, corrupted and truncated ELFs): parseElf
 * returns or throws ElfError, nothing else.
 *
 * Without arm-none-eabi-gcc (or readelf) those tests are skipped with "skipped: <tool> not installed"; with
 * CI=true a missing tool is a failure instead.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseElf, isElf, checkFits, ElfError, PF_R, PF_W, PF_X, type ElfImage } from '../../src/load/elf.js';
import { createMachine, DEFAULT_REGIONS } from '../../src/machine.js';
import { haveTool, tool } from '../cross/tools.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/elf');
const START = new Uint8Array(readFileSync(join(FIXTURES, 'start.elf')));
/** Is the tool installed? If not, the skip (or under CI=true the failure) is registered: test/cross/tools.ts. */
const need = (cmd: string): boolean => haveTool(tool(cmd));
const HAVE_READELF = tool('arm-none-eabi-readelf').path !== null;

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}${r.error ?? ''}`);
  return r.stdout;
}

/** The error parseElf throws for these bytes (the test fails if it returns or throws something else). */
function elfError(bytes: Uint8Array): ElfError {
  try {
    parseElf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return e as ElfError;
  }
  throw new Error('parseElf accepted the file');
}

/** A copy of the fixture with little-endian fields overwritten: [offset, value, size]. */
function patched(base: Uint8Array, ...fields: [number, number, 1 | 2 | 4][]): Uint8Array {
  const b = base.slice();
  for (const [off, v, n] of fields) for (let i = 0; i < n; i++) b[off + i] = (v >>> (8 * i)) & 0xff;
  return b;
}
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);

// ------------------------------------------------------------------ readelf

interface ReadelfLoad { offset: number; vaddr: number; paddr: number; filesz: number; memsz: number; flags: number }
interface ReadelfSym { value: number; size: number; type: string; bind: string; ndx: number; name: string }

function readelf(path: string): { entry: number; loads: ReadelfLoad[]; symbols: ReadelfSym[] } {
  const out = run('arm-none-eabi-readelf', ['-h', '-l', '-s', '-W', path]);
  const entry = Number(/Entry point address:\s+(0x[0-9a-f]+)/.exec(out)![1]);
  const loads: ReadelfLoad[] = [];
  for (const m of out.matchAll(/^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+([R ][W ][E ])\s+0x/gm)) {
    const f = m[6]!;
    loads.push({
      offset: Number(m[1]), vaddr: Number(m[2]), paddr: Number(m[3]), filesz: Number(m[4]), memsz: Number(m[5]),
      flags: (f[0] === 'R' ? PF_R : 0) | (f[1] === 'W' ? PF_W : 0) | (f[2] === 'E' ? PF_X : 0),
    });
  }
  const symbols: ReadelfSym[] = [];
  const symtab = out.slice(out.indexOf("Symbol table '.symtab'"));
  for (const m of symtab.matchAll(/^\s*(\d+):\s+([0-9a-f]{8})\s+(0x[0-9a-f]+|\d+)\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s?(.*)$/gm)) {
    if (m[1] === '0') continue;
    const ndx = m[6] === 'UND' ? 0 : m[6] === 'ABS' ? 0xfff1 : m[6] === 'COM' ? 0xfff2 : Number(m[6]);
    symbols.push({ value: parseInt(m[2]!, 16), size: Number(m[3]), type: m[4]!.toLowerCase(), bind: m[5]!.toLowerCase(), ndx, name: m[7]! });
  }
  return { entry, loads, symbols };
}

/** parseElf's view of a file equals readelf's: entry, LOAD segments, every symbol (Thumb bit folded back). */
function compareWithReadelf(img: ElfImage, path: string): void {
  const re = readelf(path);
  const bytes = new Uint8Array(readFileSync(path));
  expect(img.entry).toBe(re.entry);
  expect(re.loads.length).toBeGreaterThan(0);
  expect(img.segments.map((s) => ({ vaddr: s.vaddr, paddr: s.paddr, filesz: s.bytes.length, memsz: s.memSize, flags: s.flags })))
    .toEqual(re.loads.map((l) => ({ vaddr: l.vaddr, paddr: l.paddr, filesz: l.filesz, memsz: l.memsz, flags: l.flags })));
  img.segments.forEach((s, i) => expect(s.bytes).toEqual(bytes.subarray(re.loads[i]!.offset, re.loads[i]!.offset + re.loads[i]!.filesz)));
  expect(img.symbols.length).toBe(re.symbols.length);
  img.symbols.forEach((s, i) => {
    const r = re.symbols[i]!;
    expect({ value: (s.value | (s.thumb ? 1 : 0)) >>> 0, size: s.size, type: s.type, bind: s.bind, ndx: s.section })
      .toEqual({ value: r.value, size: r.size, type: r.type, bind: r.bind, ndx: r.ndx });
    if (s.type !== 'section') expect(s.name).toBe(r.name); // readelf prints the section's name for a section symbol
    expect(s.thumb).toBe(r.type === 'func' && (r.value & 1) === 1);
  });
}

// ------------------------------------------------------------------ the prebuilt fixture

describe('test/fixtures/elf/start.elf (prebuilt)', () => {
  const img = parseElf(START);

  it('is an ELF; entry, LOAD segments at their addresses', () => {
    expect(isElf(START)).toBe(true);
    expect(isElf(new Uint8Array([0x7f, 0x45, 0x4c]))).toBe(false);
    expect(isElf(new TextEncoder().encode('\tmovs r0, #1\n'))).toBe(false);
    expect(img.entry).toBe(0x1); // _start, Thumb
    expect(img.segments.map((s) => [s.vaddr, s.paddr, s.bytes.length, s.memSize, s.flags])).toEqual([
      [0x0, 0x0, 0x30, 0x30, PF_R | PF_X],
      [0x20000000, 0x20000000, 0x10, 0x20, PF_R | PF_W],
    ]);
    expect(Array.from(new Uint32Array(img.segments[1]!.bytes.slice().buffer))).toEqual([3, 4, 5, 6]);
  });

  it('sections, indexed as in the file', () => {
    expect(img.sections.map((s) => s.name)).toEqual(['', '.text', '.data', '.persistent', '.bss', '.noinit', '.ARM.attributes', '.symtab', '.strtab', '.shstrtab']);
    expect(img.sections[4]).toEqual({ name: '.bss', address: 0x20000010, size: 0x10, type: 8, flags: 3 });
  });

  it('symbols: Thumb functions have bit 0 cleared and thumb set; data and labels do not', () => {
    const sym = (n: string) => img.symbols.find((s) => s.name === n)!;
    expect(sym('_start')).toEqual({ name: '_start', value: 0, size: 32, type: 'func', bind: 'global', section: 1, thumb: true });
    expect(sym('triple')).toMatchObject({ value: 0x20, size: 6, type: 'func', thumb: true });
    expect(sym('table')).toEqual({ name: 'table', value: 0x20000000, size: 16, type: 'object', bind: 'global', section: 2, thumb: false });
    expect(sym('result')).toMatchObject({ value: 0x20000010, size: 4, type: 'object', section: 4, thumb: false });
    expect(sym('start.o')).toMatchObject({ type: 'file', bind: 'local', section: 0xfff1 });
    expect(sym('$t')).toMatchObject({ type: 'notype', bind: 'local', value: 0, thumb: false });
    expect(img.symbols.filter((s) => s.type === 'section').map((s) => s.section)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(img.symbols.length).toBe(25);
  });

  it('symbolAt: the function containing an address', () => {
    expect(img.symbolAt(0)?.name).toBe('_start');
    expect(img.symbolAt(0x1e)?.name).toBe('_start');
    expect(img.symbolAt(0x20)?.name).toBe('triple');
    expect(img.symbolAt(0x25)?.name).toBe('triple');
    expect(img.symbolAt(0x28)).toBeUndefined(); // the literal pool: no function
    expect(img.symbolAt(0x20000000)).toBeUndefined(); // data is not a function
    expect(img.symbolAt(0x10000000)).toBeUndefined();
  });

  it('symbolAt: an unsized label (hand-written assembly without .type/.size) covers up to the next symbol', () => {
    const sym18 = 0xd8 + 16 * 18; // _start: made NOTYPE, size 0
    const label = parseElf(patched(START, [sym18 + 8, 0, 4], [sym18 + 12, 0x10, 1]));
    expect(label.symbols[17]).toMatchObject({ name: '_start', type: 'notype', size: 0, value: 1, thumb: false });
    expect(label.symbolAt(0x10)?.name).toBe('_start');
    expect(label.symbolAt(0x22)?.name).toBe('triple'); // a sized function wins
    expect(label.symbolAt(0x20000004)).toBeUndefined(); // not code
  });

  it('loadable(): segments at their physical address, .bss zero-filled', () => {
    const l = img.loadable();
    expect(l.entry).toBe(1);
    expect(l.sections.map((s) => [s.address, s.bytes.length])).toEqual([[0, 0x30], [0x20000000, 0x20]]);
    expect(Array.from(l.sections[1]!.bytes.subarray(0x10))).toEqual(new Array(16).fill(0));
    expect(l.sections[0]!.bytes).toEqual(img.segments[0]!.bytes);
    expect(checkFits(img, DEFAULT_REGIONS)).toEqual([]);
  });

  it('runs on a Machine: sum of squares 86 from .data, tripled by a call; .bss read as zero', () => {
    const m = createMachine();
    m.write32(0x20000010, 0xdeadbeef); // garbage where .bss goes: loading must clear it
    m.load(img.loadable());
    expect(m.pc).toBe(0);
    const r = m.run({ maxInstructions: 1000 });
    expect(r.reason).toBe('bkpt');
    expect(img.symbolAt(r.pc)?.name).toBe('_start');
    expect(m.reg('r0')).toBe(258); // 3*(9+16+25+36)
    expect(m.reg('r6')).toBe(0); // result before the store: zero-filled .bss
    expect(m.reg('r7')).toBe(86);
    expect(m.read32(0x20000010)).toBe(86);
  });

  describe('compared with arm-none-eabi-readelf', () => {
    if (need('arm-none-eabi-readelf')) it('entry, LOAD segments, symbols', () => compareWithReadelf(img, join(FIXTURES, 'start.elf')));
  });
});

// ------------------------------------------------------------------ built here with GCC

describe('C built with arm-none-eabi-gcc', () => {
  if (!need('arm-none-eabi-gcc')) return;
  const dir = mkdtempSync(join(tmpdir(), 'mcusim-elf-'));
  const cflags = ['-mcpu=cortex-m4', '-mthumb', '-O1', '-g', '-nostdlib', '-ffreestanding'];
  const src = join(FIXTURES, 'sum.c');
  const exe = join(dir, 'sum.elf'), obj = join(dir, 'sum.o');
  const mcu = join(dir, 'mcu.elf');
  run('arm-none-eabi-gcc', [...cflags, '-Wl,-n', '-Wl,-Ttext=0', '-Wl,-Tdata=0x20000000', '-o', exe, src]);
  run('arm-none-eabi-gcc', [...cflags, '-c', '-o', obj, src]);
  // the usual MCU layout: .data stored in flash after the code (its physical address), run from SRAM
  run('arm-none-eabi-gcc', [...cflags, '-Wl,-n', `-Wl,-T,${join(FIXTURES, 'mcu.ld')}`, '-o', mcu, src]);
  const files = { exe: new Uint8Array(readFileSync(exe)), obj: new Uint8Array(readFileSync(obj)), mcu: new Uint8Array(readFileSync(mcu)) };
  rmSync(dir, { recursive: true, force: true });
  const img = parseElf(files.exe);

  it('entry, segments, Thumb symbols', () => {
    const start = img.symbols.find((s) => s.name === '_start')!;
    const sum = img.symbols.find((s) => s.name === 'sum_squares')!;
    expect(start).toMatchObject({ type: 'func', bind: 'global', thumb: true });
    expect(sum).toMatchObject({ type: 'func', thumb: true });
    expect(img.entry).toBe(start.value | 1);
    expect(img.symbolAt(sum.value + 2)?.name).toBe('sum_squares');
    expect(img.symbolAt(start.value + start.size - 2)?.name).toBe('_start');
    const data = img.segments.find((s) => s.paddr === 0x20000000)!;
    expect(data.memSize).toBeGreaterThan(data.bytes.length); // .bss after .data
    expect(checkFits(img, DEFAULT_REGIONS)).toEqual([]);
  });

  it('matches arm-none-eabi-readelf', () => {
    if (!HAVE_READELF) return; // binutils comes with gcc; the prebuilt fixture's readelf test reports a missing one
    const dir2 = mkdtempSync(join(tmpdir(), 'mcusim-elf-'));
    try {
      const p = join(dir2, 'sum.elf');
      run('arm-none-eabi-gcc', [...cflags, '-Wl,-n', '-Wl,-Ttext=0', '-Wl,-Tdata=0x20000000', '-o', p, src]);
      compareWithReadelf(parseElf(new Uint8Array(readFileSync(p))), p);
      const q = join(dir2, 'mcu.elf');
      run('arm-none-eabi-gcc', [...cflags, '-Wl,-n', `-Wl,-T,${join(FIXTURES, 'mcu.ld')}`, '-o', q, src]);
      compareWithReadelf(parseElf(new Uint8Array(readFileSync(q))), q);
    } finally {
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('runs on a Machine: result = 3²+...+8² = 199, .bss zeros', () => {
    const m = createMachine();
    const zeros = img.symbols.find((s) => s.name === 'zeros')!;
    for (let i = 0; i < 8; i++) m.write32(zeros.value + 4 * i, 0x100 << i); // garbage where .bss goes
    m.load(img.loadable());
    const r = m.run({ maxInstructions: 10_000 });
    expect(r.reason).toBe('bkpt');
    expect(img.symbolAt(r.pc)?.name).toBe('_start');
    expect(m.read32(img.symbols.find((s) => s.name === 'result')!.value)).toBe(199);
  });

  it('an MCU layout: .data at its load (physical) address in flash, its run address in SRAM', () => {
    const mi = parseElf(files.mcu);
    const data = mi.segments.find((s) => s.vaddr === 0x20000000 && s.bytes.length > 0)!;
    expect(data.paddr).toBeLessThan(0x400000); // in the code region
    const table = mi.symbols.find((s) => s.name === 'table')!;
    expect(table.value).toBe(0x20000000);
    const l = mi.loadable();
    const placed = l.sections.find((s) => s.address === data.paddr)!;
    expect(Array.from(new Uint32Array(placed.bytes.slice(0, 24).buffer))).toEqual([3, 4, 5, 6, 7, 8]);
    expect(checkFits(mi, DEFAULT_REGIONS)).toEqual([]);
  });

  it('a relocatable object: "link it first"', () => {
    const e = elfError(files.obj);
    expect(e.message).toMatch(/^relocatable object: link it first \(e_type at offset 0x10 is 1/);
    expect(e.offset).toBe(16);
  });
});

// ------------------------------------------------------------------ bad files

describe('bad files: precise errors', () => {
  const PH1 = 52 + 32; // program header 1
  const SHOFF = u32(START, 32);
  const SH = (i: number) => SHOFF + 40 * i;
  const cases: [string, Uint8Array, RegExp | string, number | undefined][] = [
    ['empty file', new Uint8Array(0), 'not an ELF file: expected the magic number 7f 45 4c 46 ("\\x7fELF") at offset 0, found an empty file', 0],
    ['bad magic', new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 1, 2, 3]), /^not an ELF file: expected the magic number 7f 45 4c 46 .* at offset 0, found 4d 5a 90 00$/, 0],
    ['ELF64', patched(START, [4, 2, 1]), 'wrong ELF class: e_ident[EI_CLASS] at offset 0x4 is 2 (ELF64), expected 1 (ELF32)', 4],
    ['big-endian', patched(START, [5, 2, 1]), 'wrong byte order: e_ident[EI_DATA] at offset 0x5 is 2 (big-endian), expected 1 (little-endian)', 5],
    ['magic only', START.slice(0, 4), /^file truncated: e_ident\[EI_CLASS\] at offset 0x00000004 needs 1 byte, but the file ends at 0x00000004$/, 4],
    ['truncated header', START.slice(0, 40), 'file truncated: the ELF header (52 bytes) at offset 0x00000000 needs 52 bytes, but the file ends at 0x00000028', 0],
    ['wrong machine', patched(START, [18, 62, 2]), 'wrong machine: e_machine at offset 0x12 is 62 (x86-64), expected 40 (EM_ARM)', 18],
    ['shared object', patched(START, [16, 3, 2]), /^shared object or position-independent executable: .*e_type at offset 0x10 is 3/, 16],
    ['core file', patched(START, [16, 4, 2]), 'not an executable: e_type at offset 0x10 is 4 (core file (ET_CORE)), expected 2 (ET_EXEC)', 16],
    ['e_version', patched(START, [20, 0, 4]), 'e_version at offset 0x14 is 0, expected 1 (EV_CURRENT)', 20],
    ['truncated program header table', patched(START, [44, 40, 2]),
      'file truncated: the program header table (e_phoff 0x00000034, 40 entries of 32 bytes) ends at 0x00000534, but the file ends at 0x000004cc', 52],
    ['small e_phentsize', patched(START, [42, 16, 2]), 'e_phentsize at offset 0x2a is 16, expected at least 32 (the size of an ELF32 program header)', 42],
    ['truncated section header table', START.slice(0, START.length - 20),
      `file truncated: the section header table (e_shoff 0x0000033c, 10 entries of 40 bytes) ends at 0x000004cc, but the file ends at 0x000004b8`, SHOFF],
    ['truncated before the section headers', START.slice(0, 0x80),
      'file truncated: section header 0 (e_shoff) at offset 0x0000033c needs 40 bytes, but the file ends at 0x00000080', SHOFF],
    ['segment data past the end', patched(START, [PH1 + 4, 0x4c0, 4]),
      'file truncated: segment 1 data (p_offset 0x000004c0, p_filesz 0x00000010) ends at 0x000004d0, but the file ends at 0x000004cc', 0x4c0],
    ['p_filesz > p_memsz', patched(START, [PH1 + 20, 8, 4]), 'segment 1 (program header at 0x00000054): p_filesz 0x00000010 is larger than p_memsz 0x00000008', PH1 + 16],
    ['segment wraps the address space', patched(START, [PH1 + 12, 0xfffffff0, 4]),
      'segment 1 (program header at 0x00000054): p_paddr 0xfffffff0 + p_memsz 0x00000020 runs past the end of the 32-bit address space', PH1 + 12],
    ['overlapping segments', patched(START, [PH1 + 12, 0x20, 4]),
      'segments overlap: segment 0 [0x00000000, 0x00000030) and segment 1 [0x00000020, 0x00000040) (physical addresses)', PH1],
    ['section data past the end', patched(START, [SH(8) + 16, 0x4c0, 4]),
      'file truncated: section 8 data (sh_offset 0x000004c0, sh_size 0x00000071) ends at 0x00000531, but the file ends at 0x000004cc', 0x4c0],
    ['e_shstrndx out of range', patched(START, [50, 10, 2]), 'e_shstrndx at offset 0x32 is 10, but there are only 10 sections', 50],
    ['section names not in a string table', patched(START, [50, 1, 2]),
      'the section name string table (e_shstrndx), section 1: sh_type is 1, expected 3 (SHT_STRTAB)', SH(1) + 4],
    ['bad sh_name', patched(START, [SH(2), 0x1000, 4]),
      'bad string table offset: section header 2 sh_name (at 0x0000038c) is 0x00001000, past the end of the section name string table (e_shstrndx), section 9 (.shstrtab) (size 0x00000050)', SH(2)],
    ['bad st_name', patched(START, [0xd8 + 16 * 14, 0x200, 4]),
      'bad string table offset: symbol table section 7 (.symtab) entry 14 st_name (at 0x000001b8) is 0x00000200, past the end of the string table of symbol table section 7 (.symtab) (sh_link 8), section 8 (.strtab) (size 0x00000071)', 0xd8 + 16 * 14],
    ['unterminated string table', patched(START, [0x278 + 0x70, 0x78, 1]), // .strtab's last NUL
      /^bad string table: the string at symbol table section 7 \(\.symtab\) entry \d+ st_name 0x[0-9a-f]+ \(file offset 0x[0-9a-f]+\) has no terminating NUL before the end of the string table of symbol table section 7/, undefined],
    ['symbol table linked to a non-string-table', patched(START, [SH(7) + 24, 1, 4]),
      'the string table of symbol table section 7 (.symtab) (sh_link 1), section 1 (.text): sh_type is 1, expected 3 (SHT_STRTAB)', SH(1) + 4],
    ['symbol table size', patched(START, [SH(7) + 20, 0x1a0 - 4, 4]), 'symbol table section 7 (.symtab): sh_size 0x0000019c is not a multiple of the entry size 16', SH(7) + 20],
  ];
  for (const [name, bytes, msg, offset] of cases) {
    it(name, () => {
      const e = elfError(bytes);
      if (typeof msg === 'string') expect(e.message).toBe(msg);
      else expect(e.message).toMatch(msg);
      if (offset !== undefined) expect(e.offset).toBe(offset);
      expect(e.name).toBe('ElfError');
    });
  }
  it('the test patches hit the fields they mean to', () => {
    expect(u16(START, 44)).toBe(2); // e_phnum
    expect(u16(START, 48)).toBe(10); // e_shnum
    expect(u32(START, SH(7) + 4)).toBe(2); // .symtab is SHT_SYMTAB
    expect(u32(START, SH(8) + 20)).toBe(0x71); // .strtab size
  });

  it('checkFits: a segment outside every region, past the end of one, overlapping another, a stray entry', () => {
    const img = parseElf(START);
    expect(checkFits(img, [{ name: 'code', base: 0, size: 0x1000 }])).toEqual([
      'segment 1 [0x20000000, 0x20000020) (32 bytes at its physical address) is outside every memory region (code [0x00000000, 0x00001000))',
    ]);
    expect(checkFits(img, [{ name: 'code', base: 0, size: 0x1000 }, { name: 'sram', base: 0x20000000, size: 0x10 }])).toEqual([
      'segment 1 [0x20000000, 0x20000020) (32 bytes at its physical address) runs past the end of region sram [0x20000000, 0x20000010) at 0x20000010',
    ]);
    // adjacent regions may share a segment
    expect(checkFits(img, [{ name: 'a', base: 0, size: 0x10 }, { name: 'b', base: 0x10, size: 0x20 }, { name: 'sram', base: 0x20000000, size: 0x20 }])).toEqual([]);
    // parseElf refuses overlapping segments; an image made another way is still checked
    const overlapping: ElfImage = { ...img, segments: [...img.segments, { ...img.segments[0]!, paddr: 0x10, vaddr: 0x10 }] };
    expect(checkFits(overlapping, DEFAULT_REGIONS)).toEqual(['segments 0 [0x00000000, 0x00000030) and 2 [0x00000010, 0x00000040) overlap']);
    expect(checkFits({ ...img, entry: 0x101 }, DEFAULT_REGIONS)).toEqual(['the entry point 0x00000101 is not inside any LOAD segment']);
  });
});

// ------------------------------------------------------------------ fuzz

/** parseElf returns or throws ElfError (never an internal error); a parsed image's methods do not crash. */
function robust(bytes: Uint8Array): boolean {
  let img: ElfImage;
  try {
    img = parseElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    if (e.message.startsWith('internal error')) throw new Error(e.message);
    return true;
  }
  checkFits(img, DEFAULT_REGIONS);
  img.symbolAt(img.entry);
  img.symbolAt(0x20);
  if (img.segments.reduce((n, s) => n + s.memSize, 0) < 1 << 24) img.loadable();
  return true;
}

describe('fuzz: parseElf returns or throws ElfError', () => {
  it('random bytes, with and without an ELF header in front', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (tail, head) => {
      const b = head ? new Uint8Array([...START.subarray(0, 52), ...tail]) : tail;
      return robust(b);
    }), { numRuns: 3000 });
  });
  it('the fixture with random bytes corrupted', () => {
    const pos = fc.oneof(fc.nat(START.length - 1), fc.nat(52 + 64), fc.integer({ min: u32(START, 32), max: START.length - 1 }));
    fc.assert(fc.property(fc.array(fc.tuple(pos, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
      const b = START.slice();
      for (const [p, v] of edits) b[p] = v;
      return robust(b);
    }), { numRuns: 5000 });
  });
  it('the fixture with 32-bit fields set to edge values', () => {
    const edge = fc.constantFrom(0, 1, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, START.length, START.length - 1, 0x34);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(START.length / 4 - 1), edge), { minLength: 1, maxLength: 4 }), (edits) => {
      const b = START.slice();
      for (const [w, v] of edits) for (let i = 0; i < 4; i++) b[4 * w + i] = (v >>> (8 * i)) & 0xff;
      return robust(b);
    }), { numRuns: 5000 });
  });
  it('the fixture truncated at every length', () => {
    for (let n = 0; n <= START.length; n++) robust(START.slice(0, n));
    expect(() => parseElf(START.slice(0, START.length - 1))).toThrow(ElfError);
  });
});
