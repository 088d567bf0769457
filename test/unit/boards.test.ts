import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBoard, validateBoard, flashWaitStates, type Board } from '../../src/board/schema.js';
import { BOARDS, BOARD_FILES, boardNames, getBoard } from '../../src/board/boards.js';
import { mutateJson } from '../helpers/json-mutate.js';

const ROOT = join(import.meta.dirname, '../..');
const K = 1024, M = 1024 * 1024, MHZ = 1_000_000;

const SHIPPED = ['mps2-an386', 'mps2-an500', 'stm32f411re', 'stm32f412', 'stm32f746g-disco', 'stm32f767', 'stm32h743'];

describe('shipped boards', () => {
  it('are all there, by name', () => {
    expect(boardNames()).toEqual(SHIPPED);
    expect(readdirSync(join(ROOT, 'boards')).filter((f) => f.endsWith('.json')).sort()).toEqual(SHIPPED.map((n) => `${n}.json`));
    expect(BOARD_FILES.map(([f]) => f)).toEqual(SHIPPED.map((n) => `boards/${n}.json`));
  });

  for (const name of SHIPPED) {
    it(`${name}: the file validates with no errors, its name matches, and the imported copy agrees`, () => {
      const file = `boards/${name}.json`;
      const r = parseBoard(readFileSync(join(ROOT, file), 'utf8'), file);
      expect(r.errors).toEqual([]);
      expect(r.board!.name).toBe(name);
      expect(BOARDS[name]).toEqual(r.board);
    });
  }

  it('getBoard names the known boards for an unknown name', () => {
    expect(getBoard('stm32h743').core).toBe('cortex-m7');
    expect(() => getBoard('stm32f103')).toThrow(/unknown board 'stm32f103'; boards: mps2-an386, mps2-an500, stm32f411re/);
    expect(() => getBoard('toString')).toThrow(RangeError);
  });

  it('are frozen', () => {
    expect(Object.isFrozen(BOARDS['stm32f411re']!.regions[0])).toBe(true);
  });
});

/** Every bad fixture and the one error it must give (file, JSON path, what was expected, what was there). */
const BAD: Record<string, string> = {
  'unknown-key': '$.regions[1].cached: unknown key; expected "name", "description", "base", "size", "kind", "access", "waitStates", "aliases"',
  'overlapping-regions': '$.regions[2]: region "sram2" [0x20003000, 0x20007000) overlaps region "sram" [0x20000000, 0x20004000) at $.regions[1]',
  'size-not-multiple': '$.regions[1].size: expected a multiple of 4, got 1023',
  'missing-core': '$.core: missing; expected "cortex-m4" or "cortex-m7"',
  'wrong-core': '$.core: expected "cortex-m4" or "cortex-m7", got "cortex-m3"',
  'bad-hex': '$.regions[0].base: expected an address (a number or a hex string like "0x08000000"), got "0x0800G000"',
  'negative-size': '$.regions[1].size: expected a positive size, got -4',
  'past-4gb': '$.regions[2].size: expected the region to end by 0x100000000 (4 GB), got "8K" from 0xfffff000, ending at 0x100001000',
  'duplicate-region-names': '$.regions[2].name: duplicate region name "sram", first used at $.regions[1].name',
  'negative-wait-states': '$.regions[1].waitStates: expected a whole number of wait states from 0 to 15, or "flash", got -1',
  'caches-on-m4': '$.caches: expected no L1 caches on a cortex-m4 (only the Cortex-M7 has them), got a caches object',
  'stdout-not-uart': '$.stdout: expected a UART peripheral, got "scs" of kind "scs"',
  'clock-above-flash-table': '$.clockHz: expected a clock the flash table covers (at most 12000000 Hz, $.flash.waitStateTable[1]), got 16000000',
};

describe('bad boards', () => {
  it('every fixture has an expected error', () => {
    expect(readdirSync(join(ROOT, 'test/fixtures/boards')).map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(BAD).sort());
  });
  for (const [name, error] of Object.entries(BAD)) {
    it(`${name}: exactly its error`, () => {
      const file = `test/fixtures/boards/${name}.json`;
      const r = parseBoard(readFileSync(join(ROOT, file), 'utf8'), file);
      expect(r.board).toBeUndefined();
      expect(r.errors).toEqual([`${file}: ${error}`]);
    });
  }

  it('reports JSON syntax errors and non-objects', () => {
    expect(parseBoard('{"name": ', 'x.json').errors[0]).toMatch(/^x\.json: invalid JSON: /);
    expect(validateBoard([], 'x.json').errors).toEqual(['x.json: $: expected a board description (a JSON object), got an array of 0']);
    expect(validateBoard(null, 'x.json').errors).toEqual(['x.json: $: expected a board description (a JSON object), got null']);
  });

  it('collects every error, not just the first, and suggests near keys', () => {
    const j = JSON.parse(JSON.stringify(BOARDS['stm32f411re'])) as Record<string, unknown>;
    delete j.core;
    j.clockhz = 1;
    (j.regions as Record<string, unknown>[])[1]!.size = '0x3';
    const e = validateBoard(j, 'f.json').errors;
    expect(e).toContain('f.json: $.clockhz: unknown key (did you mean "clockHz"?); expected "name", "description", "core", "clockHz", "busClockHz", "bootAddress", "regions", "flash", "accelerator", "caches", "peripherals", "stdout", "sramBudget", "sources"');
    expect(e).toContain('f.json: $.core: missing; expected "cortex-m4" or "cortex-m7"');
    expect(e).toContain('f.json: $.regions[1].size: expected a multiple of 4, got "0x3"');
  });

  it('checks aliases, peripherals, tables and caches', () => {
    const f411 = (): any => JSON.parse(JSON.stringify(BOARDS['stm32f411re']));
    const f746 = (): any => JSON.parse(JSON.stringify(BOARDS['stm32f746g-disco']));
    let b = f746(); b.regions[1].aliases = [{ base: 0x3ff0 }];
    expect(validateBoard(b, 'f')).toEqual({ errors: [
      'f: $.regions[1].aliases[0]: alias of region "flash" [0x00003ff0, 0x00103ff0) overlaps region "itcm" [0x00000000, 0x00004000) at $.regions[0]',
      'f: $.bootAddress: expected an address inside an executable region or alias (room for the initial SP and reset vector), got 0x00200000',
    ] });
    b = f411(); b.peripherals[0].base = '0x60000000';
    expect(validateBoard(b, 'f').errors).toEqual(["f: $.peripherals[0].base: expected the stm32f4-usart block [0x60000000, 0x60000400) inside a 'peripheral' region, got none that holds it"]);
    b = f411(); b.flash.waitStateTable[2].maxHz = 50 * MHZ;
    expect(validateBoard(b, 'f').errors).toEqual(["f: $.flash.waitStateTable[2].maxHz: expected more than the previous row's 64000000 Hz (rows ascend), got 50000000"]);
    b = f746(); b.caches.dcache.sizeKB = 12;
    expect(validateBoard(b, 'f').errors).toEqual(['f: $.caches.dcache.sizeKB: expected 4, 8, 16, 32 or 64 (the Cortex-M7 cache sizes), got 12']);
    b = f746(); b.regions = b.regions.filter((r: any) => r.name !== 'scs');
    expect(validateBoard(b, 'f').errors).toEqual(["f: $.regions: expected a 'peripheral' region covering the System Control Space [0xe000e000, 0xe000f000) (SysTick, NVIC, SCB), got none", "f: $.peripherals[1].base: expected the scs block [0xe000e000, 0xe000f000) inside a 'peripheral' region, got none that holds it"]);
    b = f411(); b.regions[2].access = 'rwx';
    expect(validateBoard(b, 'f').errors).toEqual(['f: $.regions[2].access: expected "rw" or "r" for a peripheral region (the peripheral space is execute-never), got "rwx"']);
    b = f411(); b.sramBudget = '256K';
    expect(validateBoard(b, 'f').errors).toEqual(['f: $.sramBudget: expected at most the board\'s RAM and TCM (131072 bytes), got "256K"']);
    b = f411(); b.bootAddress = '0x20000000'; b.regions[1].access = 'rw';
    expect(validateBoard(b, 'f').errors).toEqual(['f: $.bootAddress: expected an address inside an executable region or alias (room for the initial SP and reset vector), got 0x20000000']);
  });

  it('accepts the documented number spellings and nothing else', () => {
    const sizeOf = (size: unknown) => {
      const b: any = JSON.parse(JSON.stringify(BOARDS['stm32f411re']));
      b.regions[1].size = size;
      const r = validateBoard(b, 'f');
      return r.board ? r.board.regions[1]!.size : r.errors[0]!.replace(/^f: \$\.regions\[1\]\.size: /, '');
    };
    expect(sizeOf(131072)).toBe(128 * K);
    expect(sizeOf('128K')).toBe(128 * K);
    expect(sizeOf('0x20000')).toBe(128 * K);
    expect(sizeOf('0X20000')).toBe(128 * K);
    expect(sizeOf('0x')).toBe('expected a size (a number, a hex string like "0x4000", or a string like "16K" or "4M"), got "0x"');
    expect(sizeOf('128k')).toBe('expected a size (a number, a hex string like "0x4000", or a string like "16K" or "4M"), got "128k"');
    expect(sizeOf(0)).toBe('expected a positive size, got 0');
    expect(sizeOf(12.5)).toBe('expected a whole number of bytes, got 12.5');
    expect(sizeOf('8192M')).toBe('expected a size of at most 4 GB (0x100000000), got "8192M"');
  });
});

// ---------------------------------------------------------------------------------------------------------------

type Json = unknown;
/** One random edit of a copy of a JSON value. */
const mutate = (root: Json, steps: number[], action: 'replace' | 'delete' | 'add', value: unknown): Json =>
  mutateJson(JSON.parse(JSON.stringify(root)), steps, action, value);

describe('the validator never throws', () => {
  const shipped = SHIPPED.map((n) => JSON.parse(readFileSync(join(ROOT, `boards/${n}.json`), 'utf8')) as Json);
  const values = fc.oneof(
    fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withMap: true, withSet: true }),
    fc.integer(), fc.double(), fc.constantFrom(-1, 0, 3, 2 ** 32, 2 ** 32 - 4, 0xffffffff, Number.MAX_SAFE_INTEGER, NaN, Infinity, -0),
    fc.constantFrom('0x', '0xFFFFFFFF', '0x100000000', '4M', '0K', '-4K', 'flash', 'cortex-m7', 'rwx', 'peripheral', '__proto__', 'scs', ''),
    fc.string(),
  );
  it('on random mutations of valid boards', () => {
    fc.assert(fc.property(
      fc.nat(SHIPPED.length - 1), fc.array(fc.nat(), { maxLength: 7 }), fc.constantFrom('replace', 'delete', 'add'), values,
      (i, steps, action, value) => {
        const j = mutate(shipped[i]!, steps, action as 'replace', value);
        const r = validateBoard(j, 'm.json');
        expect(Array.isArray(r.errors)).toBe(true);
        for (const e of r.errors) expect(e).toMatch(/^m\.json: (\$|invalid)/);
        expect(r.board === undefined).toBe(r.errors.length > 0);
        expect(r.errors.some((e) => e.includes('internal error'))).toBe(false);
      }), { numRuns: 2000 });
  });
  it('on arbitrary values', () => {
    fc.assert(fc.property(values, (v) => {
      const r = validateBoard(v, 'a.json');
      expect(r.errors.length).toBeGreaterThan(0);
      expect(r.errors.some((e) => e.includes('internal error'))).toBe(false);
    }), { numRuns: 500 });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('flash wait states (boards.md tables)', () => {
  it('F411 at 100 MHz: 3 wait states; the table edges', () => {
    const b = BOARDS['stm32f411re']!;
    expect(flashWaitStates(b)).toBe(3);
    expect(flashWaitStates(b, 100 * MHZ)).toBe(3);
    expect([30, 31, 64, 65, 90, 91].map((m) => flashWaitStates(b, m * MHZ))).toEqual([0, 1, 1, 2, 2, 3]);
    expect(() => flashWaitStates(b, 101 * MHZ)).toThrow(RangeError);
  });
  it('F412 like the F411; F746/F767 at 216 MHz: 7; H743 at 480 MHz CPU / 240 MHz AXI: 4', () => {
    expect(flashWaitStates(BOARDS['stm32f412']!)).toBe(3);
    expect(flashWaitStates(BOARDS['stm32f746g-disco']!)).toBe(7);
    expect(flashWaitStates(BOARDS['stm32f767']!)).toBe(7);
    expect(flashWaitStates(BOARDS['stm32f746g-disco']!, 180 * MHZ)).toBe(5);
    expect(flashWaitStates(BOARDS['stm32h743']!)).toBe(4);
    expect(flashWaitStates(BOARDS['stm32h743']!, 70 * MHZ)).toBe(0);
    expect(flashWaitStates(BOARDS['stm32h743']!, 225 * MHZ)).toBe(3);
    expect(flashWaitStates(BOARDS['mps2-an386']!)).toBe(0);
  });
});

/**
 * The memory (non-peripheral) regions of each board as shared/reference/boards.md gives them, typed in from that
 * file (kB = 1024 bytes), not from the JSON: [base, size, kind, alias bases].
 */
const FROM_BOARDS_MD: Record<string, [number, number, Board['regions'][number]['kind'], number[]?][]> = {
  'mps2-an386': [[0x00000000, 4 * M, 'ram'], [0x20000000, 4 * M, 'ram']],
  'mps2-an500': [[0x00000000, 4 * M, 'ram'], [0x20000000, 4 * M, 'ram']],
  'stm32f411re': [[0x08000000, 512 * K, 'flash'], [0x20000000, 128 * K, 'ram']],
  'stm32f412': [[0x08000000, 1 * M, 'flash'], [0x20000000, 256 * K, 'ram']],
  'stm32f746g-disco': [[0x00000000, 16 * K, 'tcm'], [0x08000000, 1 * M, 'flash', [0x00200000]], [0x20000000, 64 * K, 'tcm'],
    [0x20010000, 240 * K, 'ram'], [0x2004c000, 16 * K, 'ram']],
  'stm32f767': [[0x00000000, 16 * K, 'tcm'], [0x08000000, 2 * M, 'flash', [0x00200000]], [0x20000000, 128 * K, 'tcm'],
    [0x20020000, 368 * K, 'ram'], [0x2007c000, 16 * K, 'ram']],
  'stm32h743': [[0x00000000, 64 * K, 'tcm'], [0x08000000, 2 * M, 'flash'], [0x20000000, 128 * K, 'tcm'], [0x24000000, 512 * K, 'ram'],
    [0x30000000, 128 * K, 'ram'], [0x30020000, 128 * K, 'ram'], [0x30040000, 32 * K, 'ram'], [0x38000000, 64 * K, 'ram']],
};

describe('boards match shared/reference/boards.md', () => {
  for (const [name, want] of Object.entries(FROM_BOARDS_MD)) {
    it(`${name}: memory regions`, () => {
      const b = BOARDS[name]!;
      const got = b.regions.filter((r) => r.kind !== 'peripheral').map((r) => [r.base, r.size, r.kind]);
      expect(got).toEqual(want.map(([base, size, kind]) => [base, size, kind]));
      for (const [base, , , aliases] of want) {
        if (aliases) expect(b.regions.find((r) => r.base === base)!.aliases?.map((a) => a.base)).toEqual(aliases);
      }
      // flash is read-execute with the table's wait states; RAM and TCM have none
      for (const r of b.regions) {
        if (r.kind === 'flash') expect([r.access, r.waitStates]).toEqual(['rx', 'flash']);
        if (r.kind === 'ram' || r.kind === 'tcm') expect(r.waitStates ?? 0).toBe(0);
      }
    });
  }

  it('every board has the SCS (0xE000E000, 4 KB) as a peripheral region and a stdout UART', () => {
    for (const b of Object.values(BOARDS)) {
      expect(b.regions.find((r) => r.base === 0xe000e000)).toMatchObject({ size: 4 * K, kind: 'peripheral' });
      expect(b.peripherals.find((p) => p.name === b.stdout)).toBeDefined();
    }
  });

  it('cores, clocks, stdout UARTs', () => {
    const t = (n: string) => { const b = BOARDS[n]!; const u = b.peripherals.find((p) => p.name === b.stdout)!; return [b.core, b.clockHz, b.busClockHz, u.kind, u.base]; };
    expect(t('mps2-an386')).toEqual(['cortex-m4', 25 * MHZ, undefined, 'cmsdk-uart', 0x40004000]);
    expect(t('mps2-an500')).toEqual(['cortex-m7', 25 * MHZ, undefined, 'cmsdk-uart', 0x40004000]);
    expect(t('stm32f411re')).toEqual(['cortex-m4', 100 * MHZ, undefined, 'stm32f4-usart', 0x40004400]);
    expect(t('stm32f412')).toEqual(['cortex-m4', 100 * MHZ, undefined, 'stm32f4-usart', 0x40004800]);
    expect(t('stm32f746g-disco')).toEqual(['cortex-m7', 216 * MHZ, undefined, 'stm32f7-usart', 0x40011000]);
    expect(t('stm32f767')).toEqual(['cortex-m7', 216 * MHZ, undefined, 'stm32f7-usart', 0x40004800]);
    expect(t('stm32h743')).toEqual(['cortex-m7', 480 * MHZ, 240 * MHZ, 'stm32h7-usart', 0x40004800]);
  });

  it('caches, ART and SRAM budgets', () => {
    const cache = (n: string) => { const c = BOARDS[n]!.caches; return c ? [c.icache?.sizeKB, c.dcache?.sizeKB] : undefined; };
    expect(cache('stm32f411re')).toBeUndefined();
    expect(cache('stm32f412')).toBeUndefined();
    expect(cache('stm32f746g-disco')).toEqual([4, 4]);
    expect(cache('stm32f767')).toEqual([16, 16]);
    expect(cache('stm32h743')).toEqual([16, 16]);
    expect(BOARDS['stm32f411re']!.accelerator).toEqual({ kind: 'art', prefetch: true, icache: { lines: 64, lineBits: 128 }, dcache: { lines: 8, lineBits: 128 } });
    expect(BOARDS['stm32f412']!.accelerator).toEqual(BOARDS['stm32f411re']!.accelerator);
    expect(BOARDS['stm32f746g-disco']!.accelerator).toEqual({ kind: 'art', prefetch: true, icache: { lines: 64, lineBits: 256 } });
    expect(BOARDS['stm32f767']!.accelerator).toEqual(BOARDS['stm32f746g-disco']!.accelerator);
    expect(BOARDS['stm32h743']!.accelerator).toBeUndefined();
    // MCUNet's budgets
    expect(BOARDS['stm32f412']!.sramBudget).toBe(256 * K);
    expect(BOARDS['stm32f746g-disco']!.sramBudget).toBe(320 * K);
    expect(BOARDS['stm32h743']!.sramBudget).toBe(512 * K);
  });
});
