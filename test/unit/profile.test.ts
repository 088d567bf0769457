/**
 * The per-function profiler (src/prof/profile.ts) and its table (src/prof/format.ts): synthetic block-event streams
 * whose expected cycles are worked out by hand in the comments, the speedscope file against the fields the schema
 * (https://www.speedscope.app/file-format-schema.json) requires, and properties over random well-nested call trees
 * checked against an independent model of the same tree.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Profiler, NO_SYMBOL, SPEEDSCOPE_SCHEMA, type FunctionSymbol, type ProfileRow, type Via } from '../../src/prof/profile.js';
import { profileTable, percent, PROFILE_TABLE_HEAD } from '../../src/prof/format.js';

const SYMS: FunctionSymbol[] = [
  { name: 'main', address: 0x1000, size: 0x100 },
  { name: 'f', address: 0x1101, size: 0x40 },          // bit 0 set as in a Thumb st_value
  { name: 'g', address: 0x1140, size: 0x40 },
  { name: 'h', address: 0x1180, size: 0 },             // extends to isr at 0x1200
  { name: 'isr', address: 0x1200, size: 0x20 },        // 0x1220..0x123f: no symbol
  { name: 'isr2', address: 0x1240, size: 0x20 },
  { name: 'a', address: 0x1300, size: 0x40 },
  { name: 'b', address: 0x1340, size: 0x40 },
  { name: 'c', address: 0x1380, size: 0x40 },
];
const S = 0x20001000;
const EXC_RETURN = 0xfffffff9;

type Ev = [pc: number, sp: number, lr: number, now: number, via: Via, from?: number];
function run(events: Ev[], end: number, syms = SYMS, opts = {}): Profiler {
  const p = new Profiler(syms, opts);
  for (const [pc, sp, lr, now, via, from] of events) p.block(pc, sp, lr, now, via, from);
  p.finish(end);
  return p;
}
/** name -> [calls, inclusive, exclusive] */
const table = (p: Profiler) => Object.fromEntries(p.functions().map((r) => [r.name, [r.calls, r.inclusive, r.exclusive]]));
const names = (p: Profiler) => p.functions().map((r) => r.name);

describe('symbols', () => {
  const p = new Profiler(SYMS);
  it('finds the function of an address (sized, size 0 to the next symbol, gaps)', () => {
    expect(p.symbolAt(0x1000)).toEqual({ name: 'main', address: 0x1000 });
    expect(p.symbolAt(0x10ff).name).toBe('main');
    expect(p.symbolAt(0x1100)).toEqual({ name: 'f', address: 0x1100 });
    expect(p.symbolAt(0x113f).name).toBe('f');
    expect(p.symbolAt(0x1140).name).toBe('g');
    expect(p.symbolAt(0x11c0).name).toBe('h');
    expect(p.symbolAt(0x11ff).name).toBe('h');
    expect(p.symbolAt(0x1200).name).toBe('isr');
    expect(p.symbolAt(0x1220)).toEqual({ name: NO_SYMBOL, address: null });
    expect(p.symbolAt(0xfff)).toEqual({ name: NO_SYMBOL, address: null });
    expect(p.symbolAt(0x13c0)).toEqual({ name: NO_SYMBOL, address: null });
    expect(p.symbolAt(0xffffffff).name).toBe(NO_SYMBOL);
    // and back again after misses (the last-hit cache must not answer for another range)
    expect(p.symbolAt(0x1230).name).toBe(NO_SYMBOL);
    expect(p.symbolAt(0x1244).name).toBe('isr2');
    expect(p.symbolAt(0x1000).name).toBe('main');
  });

  it('merges aliases at one address (non-weak name first), disambiguates equal names, cuts overlaps', () => {
    const q = new Profiler([
      { name: 'SysTick_Handler', address: 0x2001, size: 2, weak: true },
      { name: 'Default_Handler', address: 0x2000, size: 2 },
      { name: 'PendSV_Handler', address: 0x2000, size: 2, weak: true },
      { name: 'init', address: 0x3000, size: 0x10 },
      { name: 'init', address: 0x3100, size: 0x10 },
      { name: 'big', address: 0x4000, size: 0x100 },
      { name: 'inner', address: 0x4080, size: 0x10 },
      { name: 'last', address: 0x5000, size: 0 },
    ]);
    expect(q.symbolAt(0x2000)).toEqual({ name: 'Default_Handler', address: 0x2000 });
    expect(q.symbolAt(0x2002).name).toBe(NO_SYMBOL);
    expect(q.symbolAt(0x3004).name).toBe('init@0x00003000');
    expect(q.symbolAt(0x3104).name).toBe('init@0x00003100');
    expect(q.symbolAt(0x407e).name).toBe('big');
    expect(q.symbolAt(0x4080).name).toBe('inner');
    expect(q.symbolAt(0x4090).name).toBe(NO_SYMBOL); // big is cut at inner's start (documented)
    expect(q.symbolAt(0xfffffffe).name).toBe('last'); // the last size-0 symbol reaches the top
    // all weak at one address: the sized one, else the first given
    const r = new Profiler([{ name: 'w1', address: 0x10, size: 0, weak: true }, { name: 'w2', address: 0x10, size: 4, weak: true }]);
    expect(r.symbolAt(0x10).name).toBe('w2');
  });

  it('rejects a symbol that is not a 32-bit address or a size', () => {
    expect(() => new Profiler([{ name: 'x', address: -4, size: 0 }])).toThrow(RangeError);
    expect(() => new Profiler([{ name: 'x', address: 2 ** 32, size: 0 }])).toThrow(RangeError);
    expect(() => new Profiler([{ name: 'x', address: 0, size: 1.5 }])).toThrow(RangeError);
  });

  it('agrees with a linear scan over random non-overlapping sized functions', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ gap: fc.integer({ min: 0, max: 64 }), size: fc.integer({ min: 1, max: 64 }) }), { maxLength: 20 }),
      fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 50 }),
      (layout, probes) => {
        const syms: FunctionSymbol[] = [];
        let at = 0x100;
        layout.forEach((l, i) => { at += l.gap * 2; syms.push({ name: `fn${i}`, address: at, size: l.size * 2 }); at += l.size * 2; });
        const q = new Profiler([...syms].reverse()); // input order must not matter
        for (const x of probes) {
          const hit = syms.find((s) => x >= s.address && x < s.address + s.size);
          expect(q.symbolAt(x).name).toBe(hit ? hit.name : NO_SYMBOL);
        }
      }));
  });
});

describe('attribution', () => {
  it('straight-line main', () => {
    const p = run([[0x1000, S, 0, 0, 'other'], [0x1010, S, 0, 5, 'other'], [0x1020, S, 0, 12, 'other']], 20);
    expect(p.functions()).toEqual([{ name: 'main', address: 0x1000, calls: 1, inclusive: 20, exclusive: 20 }]);
    expect(p.totalCycles).toBe(20);
    expect(p.collapsed()).toBe('main 20\n');
  });

  it('main calls f twice', () => {
    // main 0-10, f 10-20 (two blocks), main 20-25, f 25-40, main 40-50
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1009, 10, 'call'],      // bl f at 0x1004: returns to 0x1008
      [0x1110, S - 8, 0x1009, 14, 'other'], // a block inside f
      [0x1008, S, 0x1009, 20, 'other'],     // return
      [0x1100, S, 0x1011, 25, 'call'],
      [0x1010, S, 0x1011, 40, 'other'],
    ], 50);
    // main: exclusive 10 + 5 + 10 = 25, inclusive 50; f: exclusive 10 + 15 = 25 = inclusive, 2 calls
    expect(table(p)).toEqual({ main: [1, 50, 25], f: [2, 25, 25] });
    expect(names(p)).toEqual(['main', 'f']); // equal exclusive: more inclusive first
    expect(p.collapsed()).toBe('main 25\nmain;f 25\n');
    expect(p.stack().map((f) => f.name)).toEqual(['main']);
  });

  it('nested calls', () => {
    // main 0-5, f 5-9, g 9-20, f 20-26, main 26-30
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 5, 'call'],
      [0x1140, S - 8, 0x1105, 9, 'call'],
      [0x1104, S - 8, 0x1105, 20, 'other'],
      [0x1004, S, 0x1005, 26, 'other'],
    ], 30);
    expect(table(p)).toEqual({ main: [1, 30, 9], f: [1, 21, 10], g: [1, 11, 11] });
    expect(names(p)).toEqual(['g', 'f', 'main']);
    expect(p.collapsed()).toBe('main 9\nmain;f 10\nmain;f;g 11\n');
  });

  it('recursion: inclusive counted once, the call site told apart by SP', () => {
    // main 0-4, f 4-10, f(inner) 10-22, f 22-30, main 30-33; both f frames return to distinct addresses
    // but the inner call's return address 0x1120 is met only with the inner frame's SP
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 4, 'call'],
      [0x1100, S - 16, 0x1121, 10, 'call'],
      [0x1110, S - 32, 0x1121, 15, 'other'],
      [0x1120, S - 16, 0x1121, 22, 'other'], // inner returns
      [0x1004, S, 0x1005, 30, 'other'],      // outer returns
    ], 33);
    // f: exclusive 6 + 5 + 7 + 8 = 26; inclusive 30 - 4 = 26 (not 26 + 12)
    expect(table(p)).toEqual({ main: [1, 33, 7], f: [2, 26, 26] });
    expect(p.collapsed()).toBe('main 7\nmain;f 14\nmain;f;f 12\n');
  });

  it('recursion through one call site: the frame with the matching SP returns', () => {
    // f calls f at 0x1110 (returns to 0x1114) twice deep; each return pops exactly one frame
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 1, 'call'],
      [0x1100, S - 8, 0x1115, 2, 'call'],
      [0x1100, S - 16, 0x1115, 3, 'call'],
      [0x1114, S - 16, 0x1115, 7, 'other'],
    ], 10);
    expect(p.stack().map((f) => [f.name, f.sp])).toEqual([['main', S], ['f', S], ['f', S - 8]]);
    // main 0-1, f 1-2, f 2-3, f 3-7 (deepest), f(middle) 7-10
    expect(p.collapsed()).toBe('main 1\nmain;f 1\nmain;f;f 4\nmain;f;f;f 4\n');
    expect(table(p)).toEqual({ main: [1, 10, 1], f: [3, 9, 9] });
  });

  it('a branch to an address that is a deeper frame return address is no return when SP is below that frame', () => {
    // f: cbz r0, 0x1108; bl g (0x1104, returns to 0x1108). main -> f -> g -> f(inner); the inner f branches over
    // its call to 0x1108, which is the outer f's pending return address from g, but with the inner f's lower SP
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 1, 'call'],
      [0x1140, S - 8, 0x1109, 2, 'call'],
      [0x1100, S - 16, 0x1149, 3, 'call'],
      [0x1108, S - 24, 0x1149, 4, 'other'],
    ], 5);
    expect(p.stack().map((f) => f.name)).toEqual(['main', 'f', 'g', 'f']);
    p.block(0x1148, S - 16, 0x1149, 6, 'other'); // the inner f returns to g
    p.block(0x1108, S - 8, 0x1109, 7, 'other');  // g returns to f
    p.block(0x1004, S, 0x1005, 9, 'other');      // f returns to main
    p.finish(10);
    // main 0-1, 9-10; f 1-2, 3-6, 7-9; g 2-3, 6-7
    expect(table(p)).toEqual({ main: [1, 10, 2], f: [2, 8, 6], g: [1, 5, 2] });
  });

  it('tail call replaces the caller; a jump back to its own entry is no call', () => {
    // main 0-3, f 3-7 (jumps to f's entry at 5: a loop), g 7-15, main 15-18
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 3, 'call'],
      [0x1100, S - 8, 0x1005, 5, 'other'],  // b f (loop to its own start)
      [0x1140, S, 0x1005, 7, 'other'],      // b g: tail call
      [0x1004, S, 0x1005, 15, 'other'],     // g returns to f's caller
    ], 18);
    expect(table(p)).toEqual({ main: [1, 18, 6], f: [1, 4, 4], g: [1, 8, 8] });
    expect(p.collapsed()).toBe('main 6\nmain;f 4\nmain;g 8\n');
  });

  it('an exception interrupts f and returns', () => {
    // main 0-2, f 2-6, isr 6-18, f 18-25, main 25-27
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 2, 'call'],
      [0x1200, S - 40, EXC_RETURN, 6, 'exception', 0x1110],
      [0x1210, S - 40, EXC_RETURN, 10, 'other'],
      [0x1110, S - 8, 0x1005, 18, 'exception-return'],
      [0x1004, S, 0x1005, 25, 'other'],
    ], 27);
    // f's inclusive holds the handler it was interrupted by: 25 - 2 = 23
    expect(table(p)).toEqual({ main: [1, 27, 4], f: [1, 23, 11], isr: [1, 12, 12] });
    expect(p.collapsed()).toBe('main 4\nmain;f 11\nmain;f;isr 12\n');
  });

  it('a handler calling a function on its own stack, not confused with the thread frames', () => {
    // thread on PSP (0x20000800), handler on MSP (0x20002000, above every thread SP)
    const PSP = 0x20000800, MSP = 0x20002000;
    const p = run([
      [0x1000, PSP, 0, 0, 'other'],
      [0x1100, PSP, 0x1005, 1, 'call'],
      [0x1200, MSP, 0xfffffffd, 2, 'exception', 0x1108],
      [0x1140, MSP, 0x1205, 3, 'call'],
      [0x1204, MSP, 0x1205, 9, 'other'],
      [0x1108, PSP - 8, 0x1005, 10, 'exception-return'],
    ], 12);
    expect(p.stack().map((f) => f.name)).toEqual(['main', 'f']);
    // main 0-1, f 1-2, isr 2-3, g 3-9, isr 9-10, f 10-12
    expect(table(p)).toEqual({ main: [1, 12, 1], f: [1, 11, 3], isr: [1, 8, 2], g: [1, 6, 6] });
    expect(p.collapsed()).toBe('main 1\nmain;f 3\nmain;f;isr 2\nmain;f;isr;g 6\n');
  });

  it('a return search never looks below an exception frame', () => {
    // thread: main -> a -> f (f returns to 0x1304 with SP PSP-8); the handler, on MSP above it, reaches 0x1304:
    // not a return of the thread's f (other stack), only code of a running in the handler
    const PSP = 0x20000800, MSP = 0x20002000;
    const p = new Profiler(SYMS);
    p.block(0x1000, PSP, 0, 0, 'other');
    p.block(0x1300, PSP, 0x1005, 1, 'call');
    p.block(0x1100, PSP - 8, 0x1305, 2, 'call');
    p.block(0x1200, MSP, 0xfffffffd, 3, 'exception', 0x1110);
    p.block(0x1304, MSP, 0, 4, 'other');
    expect(p.stack().map((f) => [f.name, f.exception])).toEqual([['main', false], ['a', false], ['f', false], ['a', true]]);
    p.block(0x1110, PSP - 16, 0x1305, 5, 'exception-return');
    expect(p.stack().map((f) => f.name)).toEqual(['main', 'a', 'f']);
    p.finish(6);
    // a: exclusive 1-2 and 4-5 (in the handler), inclusive 1-6 once
    expect(table(p)).toEqual({ main: [1, 6, 1], a: [1, 5, 2], f: [1, 4, 2], isr: [1, 1, 1] });
  });

  it('an exception taken just after a return resolves the return at the exception return', () => {
    // f's bx lr ran (block 2-5); the exception is taken before main's block at 0x1004 runs
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 2, 'call'],
      [0x1200, S - 32, EXC_RETURN, 5, 'exception', 0x1004],
      [0x1004, S, 0x1005, 9, 'exception-return'],
    ], 12);
    expect(p.stack().map((f) => f.name)).toEqual(['main']);
    expect(table(p)).toEqual({ main: [1, 12, 5], f: [1, 7, 3], isr: [1, 4, 4] });
  });

  it("tail-chained handlers ('tail-chain' ends the first handler)", () => {
    // main 0-3, isr 3-8, isr2 8-12, main 12-15
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1200, S - 32, EXC_RETURN, 3, 'exception', 0x1008],
      [0x1240, S - 32, EXC_RETURN, 8, 'tail-chain', 0x1008],
      [0x1008, S, 0, 12, 'exception-return'],
    ], 15);
    expect(table(p)).toEqual({ main: [1, 15, 6], isr: [1, 5, 5], isr2: [1, 4, 4] });
    expect(p.collapsed()).toBe('main 6\nmain;isr 5\nmain;isr2 4\n');
  });

  it('a block landing in no symbol', () => {
    // main 0-5, (no symbol) 5-9, f 9-12 called from it, (no symbol) 12-14, main 14-20
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1230, S, 0, 5, 'other'],
      [0x1100, S, 0x1239, 9, 'call'],
      [0x1238, S, 0x1239, 12, 'other'],
      [0x1020, S, 0x1239, 14, 'other'],
    ], 20);
    expect(p.functions()).toEqual<ProfileRow[]>([
      { name: 'main', address: 0x1000, calls: 1, inclusive: 11, exclusive: 11 },
      { name: NO_SYMBOL, address: null, calls: 0, inclusive: 9, exclusive: 6 },
      { name: 'f', address: 0x1100, calls: 1, inclusive: 3, exclusive: 3 },
    ]);
    expect(p.collapsed()).toBe('main 11\n(no symbol) 6\n(no symbol);f 3\n');
  });

  it('a longjmp-like unwind pops the frames it skipped', () => {
    // main -> a -> b -> c, then c lands on a's return address in main with a's SP
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1300, S, 0x1011, 2, 'call'],
      [0x1340, S - 8, 0x1311, 4, 'call'],
      [0x1380, S - 16, 0x1351, 6, 'call'],
      [0x1010, S, 0x1011, 10, 'other'],
    ], 11);
    expect(p.stack().map((f) => f.name)).toEqual(['main']);
    expect(table(p)).toEqual({ main: [1, 11, 3], a: [1, 8, 2], b: [1, 6, 2], c: [1, 4, 4] });
  });

  it('a first event that is a call or an exception roots the stack at the caller', () => {
    const p = run([[0x1100, S, 0x1005, 0, 'call'], [0x1004, S, 0x1005, 4, 'other']], 6);
    expect(table(p)).toEqual({ main: [1, 6, 2], f: [1, 4, 4] });
    const q = run([[0x1200, S, EXC_RETURN, 0, 'exception', 0x1010], [0x1010, S, 0, 4, 'exception-return']], 6);
    expect(table(q)).toEqual({ main: [1, 6, 2], isr: [1, 4, 4] });
  });

  it('the depth limit turns deeper calls into tail calls', () => {
    const p = run([
      [0x1000, S, 0, 0, 'other'],
      [0x1100, S, 0x1005, 1, 'call'],
      [0x1140, S - 8, 0x1105, 2, 'call'], // depth 2 reached: replaces f
    ], 3, SYMS, { maxDepth: 2 });
    expect(p.stack().map((f) => f.name)).toEqual(['main', 'g']);
    expect(table(p)).toEqual({ main: [1, 3, 1], f: [1, 1, 1], g: [1, 1, 1] });
  });

  it('refuses a cycle count that goes back', () => {
    const p = new Profiler(SYMS);
    p.block(0x1000, S, 0, 10, 'other');
    expect(() => p.block(0x1002, S, 0, 9, 'other')).toThrow(RangeError);
    expect(() => p.finish(Number.NaN)).toThrow(RangeError);
  });

  it('finish can be called again and results read at any time', () => {
    const p = new Profiler(SYMS);
    p.block(0x1000, S, 0, 100, 'other');
    p.block(0x1100, S, 0x1005, 110, 'call');
    expect(table(p)).toEqual({ main: [1, 10, 10], f: [1, 0, 0] });
    p.finish(130);
    p.finish(130);
    expect(table(p)).toEqual({ main: [1, 30, 10], f: [1, 20, 20] });
    expect(p.totalCycles).toBe(30);
  });
});

describe('speedscope file', () => {
  const p = run([
    [0x1000, S, 0, 100, 'other'],
    [0x1100, S, 0x1005, 105, 'call'],
    [0x1140, S - 8, 0x1105, 109, 'call'],
    [0x1104, S - 8, 0x1105, 120, 'other'],
    [0x1004, S, 0x1005, 126, 'other'],
  ], 130);
  const file = p.speedscope('nested.elf');

  it('has the fields the schema requires, with the values worked out by hand', () => {
    expect(file).toEqual({
      $schema: SPEEDSCOPE_SCHEMA,
      shared: { frames: [{ name: 'main' }, { name: 'f' }, { name: 'g' }] },
      profiles: [{
        type: 'sampled', name: 'nested.elf', unit: 'none', startValue: 100, endValue: 130,
        samples: [[0], [0, 1], [0, 1, 2]], weights: [9, 10, 11],
      }],
      name: 'nested.elf', activeProfileIndex: 0, exporter: 'mcusim',
    });
  });

  it('validates against the schema rules (required fields, types, enums, indices)', () => {
    const j = JSON.parse(JSON.stringify(file)) as Record<string, unknown>;
    expect(SPEEDSCOPE_SCHEMA).toBe('https://www.speedscope.app/file-format-schema.json');
    for (const k of ['$schema', 'profiles', 'shared']) expect(j).toHaveProperty(k);
    const frames = (j.shared as { frames: { name: unknown }[] }).frames;
    expect(Array.isArray(frames)).toBe(true);
    for (const f of frames) expect(typeof f.name).toBe('string');
    for (const pr of j.profiles as Record<string, unknown>[]) {
      for (const k of ['endValue', 'name', 'samples', 'startValue', 'type', 'unit', 'weights']) expect(pr).toHaveProperty(k);
      expect(pr.type).toBe('sampled');
      expect(['bytes', 'microseconds', 'milliseconds', 'nanoseconds', 'none', 'seconds']).toContain(pr.unit);
      const samples = pr.samples as number[][], weights = pr.weights as number[];
      expect(samples.length).toBe(weights.length);
      for (const s of samples) for (const i of s) expect(Number.isInteger(i) && i >= 0 && i < frames.length).toBe(true);
      expect(weights.reduce((a, b) => a + b, 0)).toBe((pr.endValue as number) - (pr.startValue as number));
    }
  });

  it('frame names in the collapsed text cannot break its syntax', () => {
    const q = run([[0x10, S, 0, 0, 'other']], 3, [{ name: 'op;weird\nname', address: 0x10, size: 4 }]);
    expect(q.collapsed()).toBe('op_weird_name 3\n');
    expect(q.speedscope('x').shared.frames).toEqual([{ name: 'op;weird\nname' }]);
  });
});

describe('profileTable', () => {
  const rows: ProfileRow[] = [
    { name: 'f', address: 0x1100, calls: 2, inclusive: 25, exclusive: 25 },
    { name: 'main', address: 0x1000, calls: 1, inclusive: 200, exclusive: 150 },
    { name: 'g', address: 0x1140, calls: 7, inclusive: 20, exclusive: 20 },
    { name: NO_SYMBOL, address: null, calls: 0, inclusive: 5, exclusive: 5 },
  ];
  it('formats every row, sorted by exclusive cycles, percentages of the total', () => {
    expect(PROFILE_TABLE_HEAD).toEqual(['function', 'calls', 'inclusive', 'incl %', 'exclusive', 'excl %']);
    expect(profileTable(rows, { totalCycles: 200 })).toEqual([
      ['main', '1', '200', '100.0%', '150', '75.0%'],
      ['f', '2', '25', '12.5%', '25', '12.5%'],
      ['g', '7', '20', '10.0%', '20', '10.0%'],
      [NO_SYMBOL, '0', '5', '2.5%', '5', '2.5%'],
    ]);
  });
  it('sums the functions beyond top into one row', () => {
    expect(profileTable(rows, { top: 2, totalCycles: 200 })).toEqual([
      ['main', '1', '200', '100.0%', '150', '75.0%'],
      ['f', '2', '25', '12.5%', '25', '12.5%'],
      ['(2 more functions)', '7', '', '', '25', '12.5%'],
    ]);
    expect(profileTable(rows, { top: 3, totalCycles: 200 }).at(-1)).toEqual(['(1 more function)', '0', '', '', '5', '2.5%']);
    expect(profileTable(rows, { top: 10, totalCycles: 200 })).toHaveLength(4);
  });
  it('prints - for a zero total', () => {
    expect(percent(0, 0)).toBe('-');
    expect(percent(1, 3)).toBe('33.3%');
    expect(profileTable([], { totalCycles: 0 })).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------ properties

/** A random well-nested run: a body is a list of segments; calls and interrupts have their own bodies. */
type Seg = { k: 'run'; d: number } | { k: 'call'; fn: number; body: Seg[] } | { k: 'irq'; fn: number; body: Seg[] };

const FN_NAMES = ['main', 'f0', 'f1', 'f2', 'f3', 'h0', 'h1']; // 0..4 callable, 5..6 handlers
const FN_ADDR = FN_NAMES.map((_, i) => 0x1000 + 0x100 * i);
const PROP_SYMS: FunctionSymbol[] = FN_NAMES.map((name, i) => ({ name, address: FN_ADDR[i]!, size: 0x100 }));

const bodyArb: fc.Arbitrary<Seg[]> = fc.letrec<{ body: Seg[]; seg: Seg }>((tie) => ({
  body: fc.array(tie('seg'), { maxLength: 6 }),
  seg: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'tree' },
    fc.record({ k: fc.constant('run' as const), d: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ k: fc.constant('call' as const), fn: fc.integer({ min: 0, max: 4 }), body: tie('body') }),
    fc.record({ k: fc.constant('irq' as const), fn: fc.integer({ min: 5, max: 6 }), body: tie('body') }),
  ),
})).body;

/** The event stream of a run of `main` with this body, and its end cycle. */
function events(body: Seg[]): { evs: Ev[]; end: number } {
  const evs: Ev[] = [];
  let t = 0;
  const exec = (fn: number, segs: Seg[], spBody: number) => {
    const A = FN_ADDR[fn]!;
    let blocks = 0, fresh = true; // fresh: a block of this function has just started
    segs.forEach((s, i) => {
      if (s.k === 'run') {
        if (!fresh) evs.push([A + 0x80 + 2 * (blocks++ % 32), spBody, 0, t, 'other']);
        t += s.d;
        fresh = false;
      } else if (s.k === 'call') {
        const ret = A + 0x10 + 4 * i;       // the instruction after this call's BL
        evs.push([FN_ADDR[s.fn]!, spBody, ret | 1, t, 'call']);
        exec(s.fn, s.body, spBody - 16);
        evs.push([ret, spBody, ret | 1, t, 'other']);
        fresh = true;
      } else {
        const resume = A + 0xc0 + 2 * i;    // where the interrupted code goes on
        evs.push([FN_ADDR[s.fn]!, spBody - 32, EXC_RETURN, t, 'exception', resume]);
        exec(s.fn, s.body, spBody - 48);
        evs.push([resume, spBody, 0, t, 'exception-return']);
        fresh = true;
      }
    });
  };
  evs.push([FN_ADDR[0]!, S, 0, 0, 'other']);
  exec(0, body, S - 16);
  return { evs, end: t };
}

/** The expected profile, straight from the tree: calls, exclusive, inclusive (once per top-level occurrence). */
function model(body: Seg[]) {
  const calls = new Map<string, number>([['main', 1]]), excl = new Map<string, number>(), incl = new Map<string, number>();
  const paths = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const onStack: string[] = [];
  const walk = (name: string, segs: Seg[]): number => {
    onStack.push(name);
    const path = onStack.join(';');
    let dur = 0;
    for (const s of segs) {
      if (s.k === 'run') { add(excl, name, s.d); add(paths, path, s.d); dur += s.d; continue; }
      const child = FN_NAMES[s.fn]!;
      add(calls, child, 1);
      dur += walk(child, s.body);
    }
    onStack.pop();
    if (!onStack.includes(name)) add(incl, name, dur);
    return dur;
  };
  const total = walk('main', body);
  return { calls, excl, incl, paths, total };
}

describe('properties over random well-nested call trees', () => {
  it('match the model; sum(exclusive) = total, inclusive >= exclusive, root inclusive = total', () => {
    fc.assert(fc.property(bodyArb, (body) => {
      const { evs, end } = events(body);
      const p = run(evs, end, PROP_SYMS);
      const m = model(body);
      const rows = p.functions();
      expect(p.totalCycles).toBe(m.total);
      expect(rows.reduce((s, r) => s + r.exclusive, 0)).toBe(m.total);
      for (const r of rows) {
        expect(r.inclusive).toBeGreaterThanOrEqual(r.exclusive);
        expect(r.calls).toBe(m.calls.get(r.name) ?? 0);
        expect(r.exclusive).toBe(m.excl.get(r.name) ?? 0);
        expect(r.inclusive).toBe(m.incl.get(r.name) ?? 0);
      }
      expect(rows.find((r) => r.name === 'main')!.inclusive).toBe(m.total);
      expect(new Set(rows.map((r) => r.name))).toEqual(new Set(m.calls.keys()));
      // the stack is back to the root
      expect(p.stack().map((f) => f.name)).toEqual(['main']);
      // collapsed: exactly the model's stacks with cycles (zero-cycle stacks omitted)
      const lines = p.collapsed().split('\n').filter(Boolean).map((l) => { const k = l.lastIndexOf(' '); return [l.slice(0, k), Number(l.slice(k + 1))] as const; });
      expect(new Map(lines)).toEqual(new Map([...m.paths].filter(([, c]) => c > 0)));
      expect(lines.length).toBe(new Set(lines.map(([k]) => k)).size);
      // speedscope: weights add up to the total
      const prof = p.speedscope('x').profiles[0]!;
      expect(prof.weights.reduce((a, b) => a + b, 0)).toBe(m.total);
    }), { numRuns: 300 });
  });

  it('are the same for repeated runs of the same stream (determinism)', () => {
    fc.assert(fc.property(bodyArb, (body) => {
      const { evs, end } = events(body);
      const a = run(evs, end, PROP_SYMS), b = run(evs, end, PROP_SYMS);
      expect(a.functions()).toEqual(b.functions());
      expect(a.collapsed()).toBe(b.collapsed());
    }), { numRuns: 50 });
  });
});
