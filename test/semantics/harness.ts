/**
 * Shared machinery of the semantic property tests: operand and flag generators, and `check`, which runs a few
 * lines of assembly on a fresh simulator and on the independent model (./model.ts) from the same registers and
 * flags, then compares every register R0-R14, every APSR flag (N Z C V Q GE) and the final PC.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLines } from '../helpers/run.js';
import { createMachine, type Machine } from '../../src/machine.js';
import { ArchState, type Flags } from './model.js';

/** runs per property (SEM_RUNS overrides) */
export const NUM_RUNS = Number(process.env.SEM_RUNS ?? 200);

// ---------------------------------------------------------------------------------------------------------------
// Generators

export const EDGES = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000];
const HALF_EDGES = [0, 1, 0x7fff, 0x8000, 0xffff, 0xfffe, 0x8001];
const BYTE_EDGES = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81];

const halfArb = fc.oneof(fc.constantFrom(...HALF_EDGES), fc.integer({ min: 0, max: 0xffff }));
const byteArb = fc.oneof(fc.constantFrom(...BYTE_EDGES), fc.integer({ min: 0, max: 0xff }));

/** a 32-bit operand value (unsigned number): the edges, uniform words, small signed values, lane-wise edges */
export const word: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
  { weight: 1, arbitrary: fc.integer({ min: -70, max: 70 }).map((x) => x >>> 0) },
  { weight: 2, arbitrary: fc.tuple(halfArb, halfArb).map(([a, b]) => ((a << 16) | b) >>> 0) },
  { weight: 2, arbitrary: fc.tuple(byteArb, byteArb, byteArb, byteArb).map(([a, b, c, d]) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0) },
);

const bitArb = fc.integer({ min: 0, max: 1 });
export const flagsArb: fc.Arbitrary<Flags> = fc.record({ n: bitArb, z: bitArb, c: bitArb, v: bitArb, q: bitArb, ge: fc.integer({ min: 0, max: 15 }) });
/** initial R0-R14 (R13 is made word-aligned) */
export const regsArb: fc.Arbitrary<number[]> = fc.array(word, { minLength: 15, maxLength: 15 });

/** registers usable by the 32-bit forms (no SP, no PC) */
export const GP = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14];
export const LOW = [0, 1, 2, 3, 4, 5, 6, 7];
export const HIGH = [8, 9, 10, 11, 12, 14];
/** a register from `pool`, often one of its first three so destination and sources overlap */
export const regIn = (pool: number[]): fc.Arbitrary<number> =>
  fc.oneof(fc.constantFrom(...pool.slice(0, 3)), fc.constantFrom(...pool));
export const gp = regIn(GP);
export const low = regIn(LOW);

export const rn = (i: number): string => (i === 13 ? 'sp' : i === 14 ? 'lr' : i === 15 ? 'pc' : `r${i}`);
export const hex = (x: number | bigint): string => '0x' + (typeof x === 'bigint' ? x : BigInt(x >>> 0)).toString(16);

// ---------------------------------------------------------------------------------------------------------------
// Running and comparing

export interface Case {
  /** assembly lines (the last one is the instruction under test; an IT may precede it) */
  lines: string[];
  /** the model of the whole sequence */
  model: (s: ArchState) => void;
  /** register values forced before the run (e.g. a shift amount, a zero divisor) */
  set?: Record<number, number>;
  /** the result depends on the instruction's address (reads the PC): not replayed elsewhere, not sequenced */
  pcRelative?: boolean;
}

interface Observed {
  text: string;
  stop: string;
  pc: string;
  regs: Record<string, string>;
  flags: Flags;
}

const observe = (text: string, stop: string, pc: number, r: (i: number) => number | bigint, flags: Flags): Observed => {
  const regs: Record<string, string> = {};
  for (let i = 0; i < 15; i++) regs[rn(i)] = hex(r(i));
  return { text, stop, pc: hex(pc), regs, flags: { ...flags } };
};

let machine: Machine | undefined;

/** Run `c` on the simulator and on the model from the same state; expect identical registers, flags and PC. */
export function check(c: Case, regs: number[], flags: Flags): void {
  const init = regs.map((v) => v >>> 0);
  for (const [k, v] of Object.entries(c.set ?? {})) init[Number(k)] = v >>> 0;
  init[13] = (init[13]! & ~3) >>> 0;
  const code = encodeLines(c.lines, 0);
  const text = c.lines.join('; ');

  const s = ArchState.of(init, flags);
  c.model(s);
  const want = observe(text, 'limit', code.length, (i) => s.r[i]!, s.flags);

  // one machine per test file, reloaded for each case (a fresh one after any fault)
  machine ??= createMachine({ regions: [{ name: 'ram', base: 0, size: 4096 }] });
  const m = machine;
  // zeros after the code, as in a fresh machine: the engine may translate past the last executed instruction
  const padded = new Uint8Array(code.length + 32);
  padded.set(code);
  m.writeBytes(0, padded);
  m.pc = 0;
  init.forEach((v, i) => m.setReg(i, v));
  Object.assign(m.state, { n: flags.n, z: flags.z, c: flags.c, v: flags.v, q: flags.q, ge: flags.ge });
  let stop: string;
  try {
    const res = m.run({ maxInstructions: c.lines.length });
    stop = res.reason === 'fault' ? `fault: ${res.fault?.kind} ${res.fault?.reason} ${res.fault?.message}` : res.reason;
  } catch (e) {
    stop = `exception: ${(e as Error).message}`;
  }
  if (stop !== 'limit') machine = undefined;
  const got = observe(text, stop, m.pc, (i) => m.reg(i), m.flags);
  if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
}

/** fc.assert over a case generator with random registers and flags */
export function assertCases(cases: fc.Arbitrary<Case>, runs = NUM_RUNS): void {
  fc.assert(fc.property(cases, regsArb, flagsArb, (c, regs, flags) => check(c, regs, flags)), { numRuns: runs });
}

// ---------------------------------------------------------------------------------------------------------------
// Registry of the properties (the QEMU check replays their generators)

/** every property defined, for replaying the same generators elsewhere (model-qemu.test.ts) */
export const REGISTRY: { name: string; cases: fc.Arbitrary<Case> }[] = [];
/** set by a file that imports the property files only to fill REGISTRY (then `prop` defines no test) */
export const registryOnly = { on: false };

/** Define a property test over `cases` (every instruction the issue lists exists: a missing one fails here). */
export function prop(name: string, sample: string | string[], cases: fc.Arbitrary<Case>, runs = NUM_RUNS): void {
  REGISTRY.push({ name, cases });
  if (registryOnly.on) return;
  it(name, () => {
    for (const line of Array.isArray(sample) ? sample : [sample]) encodeLines([line]);
    assertCases(cases, runs);
  });
}

/** describe(), or just the body when only filling REGISTRY */
export function group(name: string, body: () => void): void {
  if (registryOnly.on) body();
  else describe(name, body);
}
