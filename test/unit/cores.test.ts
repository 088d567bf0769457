import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CORE_FILES, CORE_TIMINGS, CORTEX_M4_TIMING, CORTEX_M7_TIMING, TIMING_CLASSES, parseCore, validateCore,
} from '../../src/timing/cores.js';
import { mutateJson } from '../helpers/json-mutate.js';

const ROOT = join(import.meta.dirname, '../..');
const FILES = ['boards/cores/cortex-m4.json', 'boards/cores/cortex-m7.json'];
const read = (f: string): any => JSON.parse(readFileSync(join(ROOT, f), 'utf8'));
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * The Cortex-M4 table of shared/reference/cortex-m-timing.md, copied by hand from the reference (not from the JSON):
 * base cycles, the upper bound where the row gives a range, registers (1+N), and whether a taken branch / PC write
 * adds P. Classes with no row (pld, svc, bkpt, udf) are checked to be marked `assumed` instead.
 */
const M4_TABLE: Record<string, { cycles: number; max?: number; perReg?: number; refill?: boolean }> = {
  alu: { cycles: 1, refill: true },          // "... | 1"; "MOV PC / ADD PC | 1+P"
  mul: { cycles: 1 }, mac: { cycles: 1 }, mull: { cycles: 1 }, // "MUL, MLA, MLS, SMULL, UMULL, SMLAL, UMLAL | 1"
  div: { cycles: 2, max: 12 },               // "SDIV/UDIV | 2..12"
  dsp: { cycles: 1 },                        // "every DSP-extension instruction | 1"
  ld: { cycles: 2, refill: true },           // "LDR... | 2"; "LDR PC | 2+P"
  st: { cycles: 1 }, st_reg: { cycles: 2 },  // "STR | 1 (immediate offset), 2 (register offset)"
  ldrd: { cycles: 3 }, strd: { cycles: 3 },  // "LDRD/STRD | 1+N = 3"
  ldm: { cycles: 1, perReg: 1, refill: true }, stm: { cycles: 1, perReg: 1 }, // "1+N", "1+N+P"
  ldex: { cycles: 2 }, stex: { cycles: 2 },  // "LDREX/STREX (+B/H), CLREX | 2, 1"
  b: { cycles: 1, refill: true }, bl: { cycles: 1, refill: true }, bx: { cycles: 1, refill: true }, // "1+P"
  bcc: { cycles: 1, refill: true }, cbz: { cycles: 1, refill: true }, // "1 not taken, 1+P taken"
  tb: { cycles: 2, refill: true },           // "TBB/TBH | 2+P"
  it: { cycles: 1 },                         // "IT | 1, or 0 when folded"
  sys: { cycles: 1, max: 2 },                // "CPSID/CPSIE, MRS, MSR | 1 or 2"
  nop: { cycles: 1 },                        // "NOP, SEV | 1"
  wfx: { cycles: 1 },                        // "WFI/WFE | 1+W"
  barrier: { cycles: 1 },                    // "ISB/DMB/DSB | 1+B"
};
const M4_NO_ROW = ['pld', 'svc', 'bkpt', 'udf'];

describe('shipped cores', () => {
  for (const f of FILES) {
    it(`${f} validates with no errors and the imported copy agrees`, () => {
      const r = parseCore(readFileSync(join(ROOT, f), 'utf8'), f);
      expect(r.errors).toEqual([]);
      expect(f).toContain(r.core!.core);
      expect(CORE_TIMINGS[r.core!.core]).toEqual(r.core);
    });
    it(`${f}: every timing class has a cost with a source; assumptions say why`, () => {
      const r = validateCore(read(f), f);
      for (const cls of TIMING_CLASSES) {
        const c = r.core!.costs[cls];
        expect(c, cls).toBeDefined();
        expect(c.source.length, cls).toBeGreaterThan(10);
        expect(c.source, cls).toMatch(/cortex-m-timing\.md/);
      }
      expect(Object.keys(r.core!.costs).sort()).toEqual([...TIMING_CLASSES].sort());
    });
  }
  it('the list of files is the shipped one, and the timings are frozen', () => {
    expect(CORE_FILES.map(([f]) => f)).toEqual(FILES);
    expect(Object.isFrozen(CORTEX_M4_TIMING.costs.alu)).toBe(true);
    expect(Object.isFrozen(CORTEX_M7_TIMING.pipeline.singleIssueClasses.value)).toBe(true);
  });
});

describe('Cortex-M4 costs are the reference table', () => {
  const m4 = CORTEX_M4_TIMING;
  for (const [cls, e] of Object.entries(M4_TABLE)) {
    it(cls, () => {
      const c = m4.costs[cls as keyof typeof m4.costs];
      expect(c.cycles).toBe(e.cycles);
      expect(c.max).toBe(e.max);
      expect(c.registersPerCycle).toBe(e.perReg);
      expect(c.refill ?? false).toBe(e.refill ?? false);
      expect(c.assumed).toBeUndefined();
    });
  }
  it('classes without a row are marked assumed', () => {
    for (const cls of M4_NO_ROW) expect(m4.costs[cls as 'pld'].assumed, cls).toMatch(/\w/);
    expect(Object.keys(M4_TABLE).length + M4_NO_ROW.length).toBe(TIMING_CLASSES.length);
  });
  it('pipeline parameters are the reference numbers', () => {
    const p = m4.pipeline;
    const v = Object.fromEntries(Object.entries(p).map(([k, x]) => [k, x.value]));
    expect(v).toMatchObject({
      refillMin: 1, refillMax: 3, refill: 1, refillWide32OddHalfword: 2, // "taken branch = 2 cycles total, 3 when ... odd halfword"
      itFolding: true, itFoldedCycles: 0,
      storeBufferDepth: 1, storeThenLoadPenalty: 1, literalLoadPenalty: 1,
      unalignedHalfwordOddByte: 1, unalignedWordHalfword: 1, unalignedWordOddByte: 2,
      divideZero: 2, divideShort: 3, divideBase: 5, divideBitsPerCycle: 4, divideMin: 2, divideMax: 12,
      ldmStmBase: 1, ldmStmPerRegister: 1,
    });
    for (const x of Object.values(p)) expect(x.assumed).toBeUndefined();
    const e = m4.exceptions;
    expect([e.entry.value, e.return.value, e.tailChain.value, e.entryFp.value, e.returnFp.value]).toEqual([12, 10, 6, 29, 27]);
  });
  it('the divide formula from the parameters spans the reference range 2..12', () => {
    const p = m4.pipeline;
    const bits = (x: number) => 32 - Math.clz32(x);
    const div = (n: number, d: number) => n === 0 || d === 0 ? p.divideZero.value
      : bits(n) < bits(d) ? p.divideShort.value
      : p.divideBase.value + Math.floor((bits(n) - bits(d)) / p.divideBitsPerCycle.value);
    expect(div(0, 5)).toBe(2);
    expect(div(3, 100)).toBe(3);
    expect(div(0xffffffff, 1)).toBe(12);
    expect(div(0xffffffff, 1)).toBe(p.divideMax.value);
  });
});

describe('Cortex-M7 numbers from the reference', () => {
  it('pipeline', () => {
    const v = Object.fromEntries(Object.entries(CORTEX_M7_TIMING.pipeline).map(([k, x]) => [k, x.value]));
    expect(v).toMatchObject({
      issueWidth: 2, aluPipes: 2, loadPipes: 2, storePipes: 1, macPipes: 1, branchPipes: 1, fpPipes: 1,
      mulLatency: 2, macChainCycles: 1, loadUseLatencyWord: 1, loadUseLatencySubword: 2,
      storesPair: false, loadStorePair: true, loadsPairOnlyDifferentBanks: true, twoSlot0OnlyPair: false,
      ldmStmRegistersPerCycle: 2, mispredictPenalty: 8, mispredictPenaltyFlagsEarly: 6, flagsEarlyDistance: 3,
      mispredictPenaltyLlvm: 4, divideLatency: 7, unalignedLoadPenaltyMin: 3, unalignedLoadPenaltyMax: 4,
    });
    expect(new Set(v.singleIssueClasses as string[])).toEqual(new Set(['ldm', 'stm', 'ldrd', 'strd', 'ldex', 'stex', 'sys', 'barrier', 'div']));
    expect(CORTEX_M7_TIMING.pipeline.btacEntries.assumed).toMatch(/no BTAC size/);
    expect(CORTEX_M7_TIMING.costs.div.cycles).toBe(7);
    expect(CORTEX_M7_TIMING.costs.ldm).toMatchObject({ cycles: 0, registersPerCycle: 2 });
  });
  it('caches and TCM', () => {
    const v = Object.fromEntries(Object.entries(CORTEX_M7_TIMING.caches).map(([k, x]) => [k, x.value]));
    expect(v).toMatchObject({
      lineBytes: 32, icacheWays: 2, dcacheWays: 4, criticalWordFirst: true, nonBlockingLinefill: true,
      replacement: 'lru', itcmWidthBits: 64, dtcmBanks: 2, dtcmBankWidthBits: 32, tcmWaitStates: 0,
      sizesKB: [0, 4, 8, 16, 32, 64],
    });
  });
  it('every cost without a reference number says assumed', () => {
    for (const [cls, c] of Object.entries(CORTEX_M7_TIMING.costs)) {
      if (!/^reference\/cortex-m-timing\.md, Cortex-M7: /.test(c.source)) expect(c.assumed, cls).toMatch(/\w/);
    }
  });
});

describe('bad core files', () => {
  const m4 = read(FILES[0]!);
  const m7 = read(FILES[1]!);
  const errs = (j: unknown) => validateCore(j, 'x.json').errors;

  it('not an object', () => {
    expect(errs(null)).toEqual(['x.json: $: expected a core timing object { core, description, reference, costs, pipeline, exceptions }, got null']);
    expect(errs([])[0]).toMatch(/^x\.json: \$: expected .*, got an array of 0$/);
  });
  it('a missing cost and an unknown class', () => {
    const j = clone(m4); delete j.costs.div; j.costs.fpu = { cycles: 1, source: 's' };
    expect(errs(j)).toEqual([
      expect.stringMatching(/^x\.json: \$\.costs\.fpu: unknown key; expected "alu", "mul", /),
      'x.json: $.costs.div: missing',
    ]);
  });
  it('wrong cost values, with paths', () => {
    const j = clone(m4);
    j.costs.alu.cycles = -1;
    j.costs.sys.max = 1;
    j.costs.ldm.registersPerCycle = 1.5;
    j.costs.b.refill = 'yes';
    j.costs.div.dynamic = 'divid';
    j.costs.nop.source = '';
    delete j.costs.st.source;
    j.costs.it.folded = 0;
    expect(errs(j).sort()).toEqual([
      'x.json: $.costs.alu.cycles: expected a whole number from 0 to 64, got -1',
      'x.json: $.costs.b.refill: expected true or false, got "yes"',
      'x.json: $.costs.div.dynamic: expected one of "divide", "wait", "barrier", got "divid"',
      'x.json: $.costs.it.folded: unknown key; expected "cycles", "source", "max", "registersPerCycle", "refill", "dynamic", "assumed"',
      'x.json: $.costs.ldm.registersPerCycle: expected a whole number from 1 to 4, got 1.5',
      'x.json: $.costs.nop.source: expected a non-empty string, got ""',
      'x.json: $.costs.st.source: missing',
      'x.json: $.costs.sys.max: expected more than cycles (1), got 1',
    ]);
  });
  it('pipeline parameters: types, missing, unknown keys', () => {
    const j = clone(m4);
    j.pipeline.itFolding.value = 1;
    delete j.pipeline.storeBufferDepth;
    j.pipeline.refill = { value: 1 };
    j.pipeline.speculation = { value: true, source: 's' };
    j.pipeline.refillMax.assumed = 7;
    expect(errs(j).sort()).toEqual([
      'x.json: $.pipeline.itFolding.value: expected true or false, got 1',
      'x.json: $.pipeline.refill.source: missing',
      'x.json: $.pipeline.refillMax.assumed: expected a non-empty string, got 7',
      expect.stringMatching(/^x\.json: \$\.pipeline\.speculation: unknown key; expected "refillMin", "refillMax", /),
      'x.json: $.pipeline.storeBufferDepth: missing',
    ]);
  });
  it('pipeline cross-field rules (checked once the parameters parse)', () => {
    const j = clone(m4);
    j.pipeline.refillMax.value = 0;
    j.pipeline.divideMax.value = 1;
    expect(errs(j)).toEqual([
      'x.json: $.pipeline.refillMax.value: expected at least refillMin (1), got 0',
      'x.json: $.pipeline.refill.value: expected a refill from refillMin (1) to refillMax (0), got 1',
      'x.json: $.pipeline.refillWide32OddHalfword.value: expected a refill from refillMin (1) to refillMax (0), got 2',
      'x.json: $.pipeline.divideMax.value: expected at least divideMin (2), got 1',
    ]);
  });
  it('M7 lists and enums, caches rules per core', () => {
    const j = clone(m7);
    j.pipeline.singleIssueClasses.value = ['ldm', 'ldm', 'fpu'];
    j.pipeline.slot0OnlyClasses.value = ['sys'];
    j.pipeline.staticPrediction.value = 'random';
    j.caches.replacement.value = 'fifo';
    j.caches.sizesKB.value = [4, 128];
    expect(errs(j)).toEqual([
      'x.json: $.pipeline.singleIssueClasses.value[2]: expected one of ' + TIMING_CLASSES.map((c) => `"${c}"`).join(', ') + ', got "fpu"',
      'x.json: $.pipeline.singleIssueClasses.value[1]: expected no repeats, got "ldm" twice',
      'x.json: $.pipeline.staticPrediction.value: expected one of "backward-taken", "never-taken", "always-taken", got "random"',
      'x.json: $.caches.sizesKB.value[1]: expected a whole number from 0 to 64, got 128',
      'x.json: $.caches.replacement.value: expected one of "lru", "round-robin", "random", got "fifo"',
    ]);
    const k = clone(m7); delete k.caches;
    expect(errs(k)).toEqual(['x.json: $.caches: missing; expected the cache and TCM parameters of a cortex-m7']);
    const l = clone(m4); l.caches = clone(m7.caches);
    expect(errs(l)).toEqual(['x.json: $.caches: unexpected on a cortex-m4 (it has no L1 caches); remove it']);
    const s = clone(m7); s.pipeline.slot0OnlyClasses.value = ['sys'];
    expect(errs(s)).toEqual(['x.json: $.pipeline.slot0OnlyClasses.value[0]: expected a class that is not single-issue (it is in singleIssueClasses), got "sys"']);
  });
  it('an M4 pipeline under an M7 core is reported key by key', () => {
    const j = clone(m7); j.pipeline = clone(m4.pipeline);
    const e = errs(j);
    expect(e).toContain('x.json: $.pipeline.issueWidth: missing');
    expect(e.some((x) => x.startsWith('x.json: $.pipeline.refillMin: unknown key'))).toBe(true);
  });
  it('invalid JSON text and an unknown core', () => {
    expect(parseCore('{', 'y.json').errors[0]).toMatch(/^y\.json: invalid JSON: /);
    const j = clone(m4); j.core = 'cortex-m33';
    expect(errs(j)).toEqual(['x.json: $.core: expected "cortex-m4" or "cortex-m7", got "cortex-m33"']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Apply one edit in place (replace, delete, or add a key/element) somewhere in `copy`; returns the new root. */
const mutate = mutateJson;

describe('the validator never throws', () => {
  const shipped = FILES.map(read);
  const values = fc.oneof(
    fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withMap: true, withSet: true }),
    fc.integer(), fc.double(), fc.constantFrom(-1, 0, 1, 2, 64, 65, NaN, Infinity, -0, 1.5),
    fc.constantFrom('cortex-m4', 'cortex-m7', 'ldm', 'lru', 'divide', '__proto__', 'constructor', '', true, false, [], {}),
    fc.string(),
  );
  it('on random mutations of the shipped cores (replace, delete, add, a few at a time)', () => {
    fc.assert(fc.property(
      fc.nat(shipped.length - 1),
      fc.array(fc.tuple(fc.array(fc.nat(), { maxLength: 5 }), fc.constantFrom('replace', 'delete', 'add'), values), { minLength: 1, maxLength: 3 }),
      (i, edits) => {
        let j: unknown = clone(shipped[i]);
        for (const [steps, action, value] of edits) j = mutate(j, steps, action as 'replace', value);
        let r: ReturnType<typeof validateCore> | undefined;
        expect(() => { r = validateCore(j, 'm.json'); }).not.toThrow();
        expect(Array.isArray(r!.errors)).toBe(true);
        for (const e of r!.errors) expect(e).toMatch(/^m\.json: \$/);
        expect(r!.core === undefined).toBe(r!.errors.length > 0);
        expect(r!.errors.some((e) => e.includes('internal error'))).toBe(false);
      }), { numRuns: 2000 });
  });
  it('on arbitrary values', () => {
    fc.assert(fc.property(values, (v) => {
      const r = validateCore(v, 'a.json');
      expect(r.errors.length).toBeGreaterThan(0);
      expect(r.errors.some((e) => e.includes('internal error'))).toBe(false);
    }), { numRuns: 500 });
  });
});
