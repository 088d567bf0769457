/**
 * The Cortex-M7 pipeline model (src/timing/m7.ts) and the register dependencies it reads (src/timing/regs.ts).
 *
 * Sequences are assembled (test/helpers/run.ts encodeLines), decoded and priced from a state, as the engine does for
 * a block; each total is worked out by hand from the rules of reference/cortex-m-timing.md ("Cortex-M7") and the
 * numbers of boards/cores/cortex-m7.json, in the comment beside it (T1, T2 ... are issue cycles). The branch
 * predictor runs through its runtime object with a fake clock.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { encodeLines } from '../helpers/run.js';
import { decode, is32, ENTRY_LIST, type Decoded } from '../../src/isa/table.js';
import { inIT, itAdvance } from '../../src/cpu/state.js';
import { cortexM7Model, type M7Model, type M7Branches } from '../../src/timing/m7.js';
import { FIELD_ROLES, FLAGS, regsRead, regsWritten } from '../../src/timing/regs.js';
import { CORTEX_M7_TIMING, type M7CoreTiming } from '../../src/timing/cores.js';
import { NSTALL, STALL, type Clock } from '../../src/timing/clock.js';
import type { PriceInput } from '../../src/timing/pipeline.js';
import { createMachine } from '../../src/machine.js';

const M7 = cortexM7Model();

/** Decode assembled lines into the engine's price inputs (IT blocks tracked for `conditional`). */
function inputs(lines: string[], base = 0): PriceInput[] {
  const b = encodeLines(lines, base);
  const hw = (i: number) => b[i]! | (b[i + 1]! << 8);
  const fetch16 = (a: number) => (a - base >= 0 && a - base + 1 < b.length ? hw(a - base) : undefined);
  const out: PriceInput[] = [];
  let its = 0;
  for (let i = 0; i < b.length;) {
    const h1 = hw(i);
    const d = is32(h1) ? decode(h1, hw(i + 2)) : decode(h1, 0);
    if (!d.entry) throw new Error(`test: '${lines.join('; ')}' decodes to ${d.undef}`);
    out.push({ d, addr: base + i, conditional: inIT(its), slowCode: false, fetch16 });
    its = d.entry.def.exec === 'it' ? ((d.f.firstcond! << 4) | d.f.mask!) : itAdvance(its);
    i += d.size;
  }
  return out;
}

interface Run { total: number; per: number[]; stalls: Record<string, number>; state: number; states: number[] }
function priceAll(xs: PriceInput[], model: M7Model = M7, state0 = 0): Run {
  let state = state0;
  const per: number[] = [], states: number[] = [];
  const stalls: Record<string, number> = {};
  for (const x of xs) {
    const p = model.price(x, state);
    per.push(p.cycles);
    for (const [k, v] of Object.entries(p.stalls ?? {})) stalls[k] = (stalls[k] ?? 0) + v!;
    state = p.state;
    states.push(state);
  }
  return { total: per.reduce((a, c) => a + c, 0), per, stalls, state, states };
}
const run = (lines: string[], model: M7Model = M7, state0 = 0) => priceAll(inputs(lines), model, state0);
const total = (lines: string[], model: M7Model = M7) => run(lines, model).total;

/** A model from the shipped core with some pipeline values changed. */
function modelWith(values: Partial<Record<keyof M7CoreTiming['pipeline'], unknown>>): M7Model {
  const core = structuredClone(CORTEX_M7_TIMING) as M7CoreTiming;
  for (const [k, v] of Object.entries(values)) (core.pipeline as Record<string, { value: unknown }>)[k]!.value = v;
  return cortexM7Model(core);
}

// ---------------------------------------------------------------------------------------------------------------

describe('regs: every field of the instruction table has a role', () => {
  it('no field is left unclassified', () => {
    const missing: string[] = [];
    for (const e of ENTRY_LIST) {
      const names = new Set([...e.pat.fields.keys(), ...Object.keys(e.def.params ?? {}), ...Object.keys(e.def.tie ?? {})]);
      for (const n of names) if (!(n in FIELD_ROLES)) missing.push(`${e.def.id}.${n}`);
    }
    expect(missing).toEqual([]);
  });
  it('masks stay within R0-R15 and FLAGS for random instructions', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.boolean(), (h1, h2, it) => {
      const d = decode(h1, h2);
      for (const m of [regsRead(d, it), regsWritten(d, it)]) expect(m >>> 0).toBeLessThan(1 << 17);
    }), { numRuns: 3000 });
  });
});

describe('regs: hand-checked instructions', () => {
  const R = (...rs: number[]) => rs.reduce((m, r) => m | (1 << r), 0);
  const rw = (line: string, inIT = false): [number, number] => {
    const d = inputs([line])[0]!.d;
    return [regsRead(d, inIT), regsWritten(d, inIT)];
  };
  it.each<[string, number, number]>([
    ['adds r0, r1, r2', R(1, 2), R(0) | FLAGS],
    ['add r0, r1, r2', R(1, 2), R(0)], // 32-bit without S
    ['cmp r0, r1', R(0, 1), FLAGS],
    ['adc r0, r1, r2', R(1, 2) | FLAGS, R(0)],
    ['rrx r0, r1', R(1) | FLAGS, R(0)],
    ['muls r0, r1, r0', R(0, 1), R(0) | FLAGS],
    ['mla r0, r1, r2, r3', R(1, 2, 3), R(0)],
    ['umull r0, r1, r2, r3', R(2, 3), R(0, 1)],
    ['umlal r0, r1, r2, r3', R(0, 1, 2, 3), R(0, 1)],
    ['smlad r4, r1, r2, r3', R(1, 2, 3), R(4)],
    ['bfi r0, r1, #4, #8', R(0, 1), R(0)],
    ['movt r0, #1', R(0), R(0)],
    ['movw r0, #1', 0, R(0)],
    ['clz r0, r1', R(1), R(0)], // Rm held twice (tie)
    ['ldr r0, [r1, #4]!', R(1), R(0, 1)],
    ['ldr r0, [r1, #4]', R(1), R(0)],
    ['ldrb r0, [r1, r2]', R(1, 2), R(0)],
    ['str r0, [r1], #4', R(0, 1), R(1)],
    ['str r0, [r1, r2]', R(0, 1, 2), 0],
    ['ldr r0, [pc, #8]', R(15), R(0)],
    ['adr r0, 0x40', R(15), R(0)],
    ['ldrd r0, r1, [r2, #8]', R(2), R(0, 1)],
    ['strd r0, r1, [r2, #8]!', R(0, 1, 2), R(2)],
    ['ldm r0!, {r1, r2}', R(0), R(0, 1, 2)],
    ['ldm r0, {r0, r1}', R(0), R(0, 1)], // 16-bit LDM with Rn in the list: no writeback
    ['stmia r0!, {r1, r2}', R(0, 1, 2), R(0)],
    ['push {r4, lr}', R(4, 13, 14), R(13)],
    ['pop {r4, pc}', R(13), R(4, 13, 15)],
    ['ldrex r0, [r1]', R(1), R(0)],
    ['strex r0, r1, [r2]', R(1, 2), R(0)],
    ['beq 0x40', FLAGS, R(15)],
    ['b 0x40', 0, R(15)],
    ['bl 0x100', 0, R(14, 15)],
    ['bx lr', R(14), R(15)],
    ['blx r3', R(3), R(14, 15)],
    ['cbz r0, 0x20', R(0), R(15)],
    ['tbb [r0, r1]', R(0, 1), R(15)],
    ['mov pc, r1', R(1), R(15)],
    ['msr APSR_nzcvq, r0', R(0), FLAGS],
    ['mrs r0, APSR', FLAGS, R(0)],
    ['msr msp, r0', R(0), R(13)],
    ['sdiv r0, r1, r2', R(1, 2), R(0)],
    ['it eq', 0, 0],
    ['nop', 0, 0],
  ])('%s', (line, reads, writes) => {
    expect(rw(line)).toEqual([reads, writes]);
  });
  it('inside an IT block: reads the flags, and a 16-bit <s> form does not set them', () => {
    const xs = inputs(['it eq', 'addeq r0, r1, r2']);
    expect(xs[1]!.d.size).toBe(2);
    expect(xs[1]!.conditional).toBe(true);
    expect(regsRead(xs[1]!.d, true)).toBe((1 << 1) | (1 << 2) | FLAGS);
    expect(regsWritten(xs[1]!.d, true)).toBe(1 << 0);
    // the same 16-bit encoding outside an IT block is ADDS
    expect(regsWritten(xs[1]!.d, false)).toBe((1 << 0) | FLAGS);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('M7 dual issue', () => {
  it('two independent ALU ops pair: 1 cycle for the pair', () => {
    // T1: add | add
    expect(run(['add r0, r1, r2', 'add r3, r4, r5']).per).toEqual([1, 0]);
    // four flag-setting 16-bit ops: T1 pair, T2 pair (flags written twice in a cycle do not stop a pair)
    expect(run(['adds r0, #1', 'adds r1, #1', 'adds r2, #1', 'adds r3, #1']).per).toEqual([1, 0, 1, 0]);
  });
  it('a younger op that reads the older one\'s result does not pair (no stall: ALU results are ready next cycle)', () => {
    // T1: add r0; T2: add r3, r0
    expect(run(['add r0, r1, r2', 'add r3, r0, r5'])).toMatchObject({ per: [1, 1], stalls: {} });
    // the same destination: no pair
    expect(total(['add r0, r1, r2', 'add r0, r4, r5'])).toBe(2);
    // the flags: cmp then a conditional op
    expect(total(['cmp r0, #0', 'it eq', 'moveq r1, #1'])).toBe(2); // T1: cmp | it; T2: moveq
    // MOVW + MOVT of the same register pair (jnk0le's measurement)
    expect(total(['movw r0, #0x1234', 'movt r0, #0x5678'])).toBe(1);
  });
  it('slot-0-only: pairs only as the older instruction', () => {
    expect(run(['rev r0, r1', 'add r2, r3, r4']).per).toEqual([1, 0]); // T1: rev | add
    expect(run(['add r2, r3, r4', 'rev r0, r1']).per).toEqual([1, 1]); // T1: add; T2: rev
    expect(run(['add r2, r3, r4', 'rev r0, r1', 'add r5, r6, r7']).per).toEqual([1, 1, 0]); // T2: rev | add
    expect(total(['clz r0, r1', 'add r2, r3, r4'])).toBe(1);
    expect(total(['add r2, r3, r4', 'clz r0, r1'])).toBe(2);
  });
  it('two DSP (slot-0-only) instructions never pair', () => {
    expect(total(['sadd16 r0, r1, r2', 'uadd8 r3, r4, r5'])).toBe(2);
    expect(total(['qadd r0, r1, r2', 'clz r3, r4'])).toBe(2);
    expect(total(['sadd16 r0, r1, r2', 'add r3, r4, r5'])).toBe(1);
  });
  it('MUL/MAC do not pair with each other or with stores', () => {
    expect(total(['mul r0, r1, r2', 'str r3, [r4]'])).toBe(2);
    expect(total(['str r3, [r4]', 'mul r0, r1, r2'])).toBe(2);
    expect(total(['mul r0, r1, r2', 'mla r3, r4, r5, r6'])).toBe(2);
    expect(total(['smlad r0, r1, r2, r3', 'str r4, [r5]'])).toBe(2); // a DSP multiply is a MAC
    expect(total(['mul r0, r1, r2', 'add r3, r4, r5'])).toBe(1);
    expect(total(['ldr r3, [r4]', 'mul r0, r1, r2'])).toBe(1);
  });
  it('two stores never pair; a load and a store do', () => {
    expect(total(['str r0, [r1]', 'str r2, [r3]'])).toBe(2);
    expect(total(['ldr r0, [r1]', 'str r2, [r3]'])).toBe(1);
    expect(total(['str r2, [r3]', 'ldr r0, [r1]'])).toBe(1);
  });
  it('two loads pair only on different banks, decided statically', () => {
    expect(total(['ldr r0, [r1]', 'ldr r2, [r1, #4]'])).toBe(1); // words 0 and 1 of the same base: even / odd
    expect(total(['ldr r0, [r1, #4]', 'ldr r2, [r1, #8]'])).toBe(1);
    expect(total(['ldr r0, [sp, #8]', 'ldr r1, [sp, #12]'])).toBe(1);
    expect(total(['ldrb r0, [r1]', 'ldrb r2, [r1, #4]'])).toBe(1);
    expect(total(['ldr r0, [r1]', 'ldr r2, [r1, #8]'])).toBe(2); // same bank
    expect(total(['ldr r0, [r1]', 'ldr r2, [r3, #4]'])).toBe(2); // different bases: unknown
    expect(total(['ldr r0, [r1, r4]', 'ldr r2, [r1, #4]'])).toBe(2); // register offset: unknown
    expect(total(['ldrb r0, [r1, #1]', 'ldrb r2, [r1, #5]'])).toBe(2); // offsets not multiples of 4: unknown
    expect(total(['ldr r0, [r1], #4', 'ldr r2, [r1, #4]'])).toBe(2); // the older one moves the base
  });
  it('a not-taken branch pairs with the next instruction', () => {
    expect(run(['beq 0x40', 'add r0, r1, r2']).per).toEqual([1, 0]);
    expect(run(['beq 0x40', 'add r0, r1, r2'], modelWith({ notTakenBranchPairs: false })).per).toEqual([1, 1]);
    // a branch also pairs as the younger (its flags are needed when it resolves): T1 cmp | beq; T2 add
    expect(run(['cmp r0, #0', 'beq 0x40', 'add r1, r2, r3']).per).toEqual([1, 0, 1]);
  });
  it('issue width 1: nothing pairs', () => {
    expect(total(['add r0, r1, r2', 'add r3, r4, r5'], modelWith({ issueWidth: 1 }))).toBe(2);
  });
});

describe('M7 latencies', () => {
  it('load-use: a word result is usable next cycle, a byte/halfword one a cycle later', () => {
    // T1 ldr; T2 add (no pair: it reads r0; r0 ready at T2)
    expect(run(['ldr r0, [r1]', 'add r2, r0, #1'])).toMatchObject({ total: 2, stalls: {} });
    // T1 ldrb; r0 ready at T3: the add waits one cycle
    expect(run(['ldrb r0, [r1]', 'add r2, r0, #1'])).toMatchObject({ total: 3, per: [1, 2], stalls: { loadUse: 1 } });
    expect(run(['ldrsh r0, [r1]', 'add r2, r0, #1'])).toMatchObject({ total: 3, stalls: { loadUse: 1 } });
    // T1 ldrb | add r4; T2 add r7; T3 add r2, r0 (r0 is not ready at T2: it cannot pair with add r7)
    expect(run(['ldrb r0, [r1]', 'add r4, r5, r6', 'add r7, r5, r6', 'add r2, r0, #1'])).toMatchObject({ per: [1, 0, 1, 1], stalls: {} });
    // an op paired with the load does not hide the latency: T1 ldrb | add r4; T2 (waits); T3 add r2, r0
    expect(run(['ldrb r0, [r1]', 'add r4, r5, r6', 'add r2, r0, #1'])).toMatchObject({ per: [1, 0, 2], stalls: { loadUse: 1 } });
  });
  it('MAC: result latency 2, an accumulator chain one per cycle', () => {
    // T1 mla r0; T2 mla r0 (accumulator: ready at T2)
    expect(run(['mla r0, r1, r2, r0', 'mla r0, r3, r4, r0'])).toMatchObject({ total: 2, stalls: {} });
    expect(run(['smlad r0, r1, r2, r0', 'smlad r0, r3, r4, r0'])).toMatchObject({ total: 2, stalls: {} });
    expect(run(['smlal r0, r1, r2, r3', 'smlal r0, r1, r4, r5'])).toMatchObject({ total: 2, stalls: {} });
    // as a multiplicand, or to an ALU op: ready at T3
    expect(run(['mla r0, r1, r2, r3', 'mla r4, r0, r5, r6'])).toMatchObject({ total: 3, stalls: { pipeline: 1 } });
    expect(run(['mul r0, r1, r2', 'add r3, r0, #1'])).toMatchObject({ total: 3, per: [1, 2], stalls: { pipeline: 1 } });
    // a four-MAC dot product chain: 4 cycles, no stall
    expect(run(['mla r0, r1, r2, r0', 'mla r0, r3, r4, r0', 'mla r0, r5, r6, r0', 'mla r0, r7, r8, r0'])).toMatchObject({ total: 4, stalls: {} });
  });
  it('LDM/STM take ceil(regs/2) cycles and pair with nothing', () => {
    expect(total(['ldm r0, {r1, r2, r3, r4, r5}'])).toBe(3);
    expect(total(['ldm r0!, {r1, r2, r3, r4}'])).toBe(2);
    expect(total(['push {r4, r5, r6, lr}'])).toBe(2);
    expect(total(['pop {r4, r5, r6, pc}'])).toBe(2);
    expect(run(['ldm r0, {r1, r2, r3, r4, r5}', 'add r6, r7, r8']).per).toEqual([3, 1]);
    expect(run(['add r6, r7, r8', 'ldm r0, {r1, r2, r3, r4, r5}']).per).toEqual([1, 3]);
    expect(total(['ldrd r0, r1, [r2]', 'add r6, r7, r8'])).toBe(2); // single issue, 1 cycle
  });
  it('divide: 1 cycle here, the latency beyond it at run time (STALL.divide), single issue', () => {
    expect(run(['sdiv r0, r1, r2']).per).toEqual([1]);
    expect(total(['add r3, r4, r5', 'sdiv r0, r1, r2'])).toBe(2);
    expect(total(['sdiv r0, r1, r2', 'add r3, r4, r5'])).toBe(2);
    const clock = fakeClock();
    new Function('s', M7.divide('r[1]', 'r[2]', true))(clock);
    expect(clock.cycles).toBe(6); // divideLatency 7 - 1
    expect(clock.stall[STALL.divide]).toBe(6);
    expect(cortexM7Model(withValues({ divideLatency: 1 })).divide('a', 'b', false)).toBe('');
  });
  it('exceptions and unaligned accesses come from the json', () => {
    expect(M7.exceptions).toEqual({ entry: 12, return: 10, tailChain: 6 });
    expect(M7.unaligned).toEqual([3, 3, 4]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

function fakeClock(): Clock {
  const c = { cycles: 0, stall: new Float64Array(NSTALL), now: () => c.cycles };
  return c;
}
function withValues(values: Partial<Record<keyof M7CoreTiming['pipeline'], unknown>>): M7CoreTiming {
  const core = structuredClone(CORTEX_M7_TIMING) as M7CoreTiming;
  for (const [k, v] of Object.entries(values)) (core.pipeline as Record<string, { value: unknown }>)[k]!.value = v;
  return core;
}

/** A branch as the engine sees it: priced after `before`, then its taken / not-taken statements compiled. */
function branchAt(model: M7Model, tm: M7Branches, lines: string[], base: number) {
  const xs = inputs(lines, base);
  priceAll(xs, model);
  const x = xs[xs.length - 1]!;
  // the engine passes a direct branch's target as `known`; left out here, the model finds it from the instruction
  const taken = new Function('tm', 'tg', model.taken(x, 'tg', undefined)) as (tm: M7Branches, tg: number) => void;
  const notTaken = new Function('tm', model.notTaken(x, undefined)) as (tm: M7Branches) => void;
  return { x, taken: (tg = 0) => taken(tm, tg), notTaken: () => notTaken(tm), penalty: model.penaltyOf(x) };
}

describe('M7 branch prediction', () => {
  it('the mispredict penalty: 8, or 6 when the flags were set 3 or more cycles before the branch', () => {
    const pen = (lines: string[]) => { const xs = inputs(lines); priceAll(xs); return M7.penaltyOf(xs[xs.length - 1]!); };
    // T1 cmp | beq: flags 0 cycles before
    expect(pen(['cmp r0, #0', 'beq 0x40'])).toBe(8);
    // T1 cmp | add; T2 add | add; T3 beq: 2 cycles
    expect(pen(['cmp r0, #0', 'add r1, r1, #1', 'add r2, r2, #1', 'add r3, r3, #1', 'beq 0x40'])).toBe(8);
    // T1 cmp | add; T2 add | add; T3 add | add; T4 beq: 3 cycles
    expect(pen(['cmp r0, #0', 'add r1, r1, #1', 'add r2, r2, #1', 'add r3, r3, #1', 'add r4, r4, #1', 'add r5, r5, #1', 'beq 0x40'])).toBe(6);
    // a branch that reads no flags: always 8
    expect(pen(['cmp r0, #0', 'add r1, r1, #1', 'add r2, r2, #1', 'add r3, r3, #1', 'add r4, r4, #1', 'add r5, r5, #1', 'cbz r0, 0x40'])).toBe(8);
    // a block entered after a taken branch: the flags were set long ago
    expect(pen(['beq 0x40'])).toBe(6);
  });
  it('the flags age carries across a block boundary in the state', () => {
    const xs = inputs(['cmp r0, #0', 'add r1, r1, #1', 'add r2, r2, #1', 'add r3, r3, #1', 'add r4, r4, #1', 'add r5, r5, #1', 'beq 0x40']);
    const first = priceAll(xs.slice(0, 3));
    expect(M7.decodeState(first.state).flagsAge).toBe(1); // T1 cmp | add; T2 add
    const rest = priceAll(xs.slice(3), M7, first.state);
    expect(M7.penaltyOf(xs[6]!)).toBe(6);
    expect(first.total + rest.total).toBe(4);
  });
  it('a loop branch: predicted by the static rule (backward taken) on the first pass, by the BTAC after, mispredicted at the exit', () => {
    const clock = fakeClock();
    const tm = M7.runtime({ clock, fetch16: () => undefined });
    // loop: subs r0, #1 | bne loop (at 0x102)
    const b = branchAt(M7, tm, ['subs r0, #1', 'bne 0x100'], 0x100);
    expect(b.penalty).toBe(8);
    for (let i = 0; i < 10; i++) b.taken();
    expect(clock.cycles).toBe(0);
    expect(tm.counters).toMatchObject({ branches: 10, taken: 10, btacHits: 9, mispredicts: 0 });
    b.notTaken(); // the exit: the BTAC says taken
    expect(clock.cycles).toBe(8);
    expect(clock.stall[STALL.branch]).toBe(8);
    expect(tm.counters).toMatchObject({ branches: 11, btacHits: 10, mispredicts: 1, penaltyCycles: 8 });
    // the exit removed the entry: the next first pass is the static rule's again
    b.taken();
    expect(clock.cycles).toBe(8);
  });
  it('a forward conditional branch: the first taken pass mispredicts (static: not taken), then the BTAC predicts it', () => {
    const clock = fakeClock();
    const tm = M7.runtime({ clock, fetch16: () => undefined });
    const b = branchAt(M7, tm, ['beq 0x140'], 0x100);
    expect(b.penalty).toBe(6); // state 0: flags long ago
    b.notTaken(); // miss, static not taken: right
    expect(clock.cycles).toBe(0);
    b.taken(); // miss, static not taken: wrong
    expect(clock.cycles).toBe(6);
    b.taken(); // hit
    expect(clock.cycles).toBe(6);
    b.notTaken(); // hit, predicted taken: wrong
    expect(clock.cycles).toBe(12);
  });
  it('unconditional direct branches are predicted; indirect ones only by the BTAC, target included', () => {
    const clock = fakeClock();
    const tm = M7.runtime({ clock, fetch16: () => undefined });
    const b = branchAt(M7, tm, ['b 0x200'], 0x100);
    b.taken(); b.taken();
    expect(clock.cycles).toBe(0);
    const bx = branchAt(M7, tm, ['bx lr'], 0x300);
    bx.taken(0x1000); // miss: mispredict
    expect(clock.cycles).toBe(8);
    bx.taken(0x1000); // hit, same target
    expect(clock.cycles).toBe(8);
    bx.taken(0x2000); // hit, another target: mispredict (no return stack)
    expect(clock.cycles).toBe(16);
    bx.taken(0x2000);
    expect(clock.cycles).toBe(16);
  });
  it('a backward branch that falls through on a BTAC miss mispredicts (static: taken)', () => {
    const clock = fakeClock();
    const tm = M7.runtime({ clock, fetch16: () => undefined });
    branchAt(M7, tm, ['beq 0x100'], 0x180).notTaken();
    expect(clock.cycles).toBe(6);
    const never = cortexM7Model(withValues({ staticPrediction: 'never-taken' }));
    const tm2 = never.runtime({ clock: fakeClock(), fetch16: () => undefined });
    branchAt(never, tm2, ['beq 0x100'], 0x180).notTaken();
    expect(tm2.counters.mispredicts).toBe(0);
  });
  it('BTAC capacity: direct-mapped, more branches than entries evict each other', () => {
    const small = cortexM7Model(withValues({ btacEntries: 4 }));
    const clock = fakeClock();
    const tm = small.runtime({ clock, fetch16: () => undefined });
    // five forward B<c> at 0x0, 0x2, 0x4, 0x6, 0x8: entries (a/2) mod 4 = 0, 1, 2, 3, 0
    const bs = [0, 2, 4, 6, 8].map((a) => branchAt(small, tm, ['beq 0x40'], a));
    for (let round = 0; round < 3; round++) for (const b of bs) b.taken();
    // round 1: five misses, each mispredicted by the static rule; rounds 2 and 3: 0x0 and 0x8 evict each other
    expect(tm.counters.mispredicts).toBe(5 + 2 + 2);
    expect(clock.cycles).toBe(9 * 6);
    // with the shipped 64 entries they all stay: only the first round mispredicts
    const tm64 = M7.runtime({ clock: fakeClock(), fetch16: () => undefined });
    const bs64 = [0, 2, 4, 6, 8].map((a) => branchAt(M7, tm64, ['beq 0x40'], a));
    for (let round = 0; round < 3; round++) for (const b of bs64) b.taken();
    expect(tm64.counters.mispredicts).toBe(5);
  });
  it('no BTAC: the static rule alone', () => {
    const none = cortexM7Model(withValues({ btacEntries: 0 }));
    const clock = fakeClock();
    const tm = none.runtime({ clock, fetch16: () => undefined });
    const fwd = branchAt(none, tm, ['beq 0x140'], 0x100);
    fwd.taken(); fwd.taken();
    expect(tm.counters.mispredicts).toBe(2);
    expect(none.taken(fwd.x, 'tg', 0x140)).toMatch(/^tm\.t\(-1,/);
  });
  it('statements are short: a counted fast path for a BTAC-predicted outcome, else a call with constants', () => {
    const xs = inputs(['bne 0x100'], 0x120);
    M7.price(xs[0]!, 0);
    // BTAC entry (0x120 / 2) mod 64 = 16; backward: the static rule predicts taken; penalty 6 (flags long ago)
    expect(M7.taken(xs[0]!, 'tg1', 0x100)).toBe('if(tm.tag[16]===0x120&&tm.dest[16]===0x100)tm.fastTaken++;else tm.t(16,0x120,0x100,1,6);');
    // statically taken: falling through is a mispredict unless... the BTAC decides: always the call
    expect(M7.notTaken(xs[0]!, 0x100)).toBe('tm.n(16,0x120,1,6);');
    const fwd = inputs(['bne 0x140'], 0x120);
    M7.price(fwd[0]!, 0);
    expect(M7.notTaken(fwd[0]!, 0x140)).toBe('if(tm.tag[16]!==0x120)tm.fastNotTaken++;else tm.n(16,0x120,0,6);');
    const bx = inputs(['bx lr'], 0x120);
    M7.price(bx[0]!, 0);
    expect(M7.taken(bx[0]!, 'tg1', undefined)).toBe('if(tm.tag[16]===0x120&&tm.dest[16]===(tg1)>>>0)tm.fastTaken++;else tm.t(16,0x120,tg1,0,8);');
  });
  it('a loop back edge: on passes after the first of an in-function loop (iter !== 0) the taken branch is only counted, as t() would', () => {
    // two loop sites and two other branches sharing a 4-entry BTAC; `iter` as the engine keeps it: the passes of this
    // call before the current one, so it is non-zero only right after the same site's back edge was taken
    const model = cortexM7Model(withValues({ btacEntries: 4 }));
    const site = (line: string, at: number, loop: boolean) => {
      const x = inputs([line], at)[0]!;
      model.price(x, 0);
      const known = Number(line.split(' ').pop());
      const fn = (src: string) => new Function('tm', 'tg', 'iter', src) as (tm: M7Branches, tg: number, iter: number) => void;
      return { loop, fast: { t: fn(model.taken(x, 'tg', known, loop)), n: fn(model.notTaken(x, known)) }, slow: { t: fn(model.taken(x, 'tg', known).replace(/^.*else /, '')), n: fn(model.notTaken(x, known).replace(/^.*else /, '')) } };
    };
    const sites = [site('bne 0x100', 0x120, true), site('bcs 0x140', 0x148, true), site('beq 0x180', 0x128, false), site('bne 0x104', 0x160, false)];
    expect(model.taken(inputs(['bne 0x100'], 0x120)[0]!, 'tg', 0x100, true)).toMatch(/^if\(iter!==0\)tm\.fastTaken\+\+;else /);
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(3), fc.boolean(), fc.boolean()), { maxLength: 300 }), (list) => {
      const run = (kind: 'fast' | 'slow') => {
        const clock = fakeClock();
        const tm = model.runtime({ clock, fetch16: () => undefined });
        let last = -1, iter = 0;
        for (const [k, taken, redispatch] of list) {
          const f = sites[k]!;
          // a pass of site k's block: the same call continues only after its own back edge was taken
          iter = k === last && !redispatch ? iter + 1 : 0;
          if (taken) { f[kind].t(tm, 0, iter); last = f.loop ? k : -1; } else { f[kind].n(tm, 0, iter); last = -1; }
        }
        return JSON.stringify([tm.counters, clock.cycles, [...tm.tag], [...tm.dest]]);
      };
      expect(run('fast')).toBe(run('slow'));
    }));
  });
  it('the generated fast paths leave the same counters, clock and BTAC as calling t() / n() every time', () => {
    // five branch sites sharing a 4-entry BTAC (so entries alias), backward and forward conditionals, CBZ, BX
    const model = cortexM7Model(withValues({ btacEntries: 4 }));
    const sites = ([['bne 0x100', 0x120], ['beq 0x180', 0x128], ['cbz r0, 0x1a0', 0x130], ['bx lr', 0x138], ['bcs 0x110', 0x160]] as const).map(([line, at]) => {
      const x = inputs([line], at)[0]!;
      model.price(x, 0);
      const known = line.startsWith('bx') ? undefined : Number(line.split(' ').pop());
      const fast = { t: model.taken(x, 'tg', known), n: model.notTaken(x, known) };
      // the same statements without their fast paths: only the call after `else`
      const call = (src: string) => (src.includes('else ') ? src.slice(src.lastIndexOf('else ') + 5) : src);
      const slow = { t: call(fast.t), n: call(fast.n) };
      const fn = (src: string) => new Function('tm', 'tg', src) as (tm: M7Branches, tg: number) => void;
      return { fast: { t: fn(fast.t), n: fn(fast.n) }, slow: { t: fn(slow.t), n: fn(slow.n) }, fastSrc: fast };
    });
    expect(sites.every((x) => x.fastSrc.t.includes('fastTaken++'))).toBe(true);
    const events = fc.array(fc.tuple(fc.nat(sites.length - 1), fc.boolean(), fc.constantFrom(0x200, 0x300)), { maxLength: 300 });
    fc.assert(fc.property(events, (list) => {
      const run = (kind: 'fast' | 'slow') => {
        const clock = fakeClock();
        const tm = model.runtime({ clock, fetch16: () => undefined });
        for (const [k, taken, tg] of list) {
          const f = sites[k]!;
          // BX always leaves; the others may fall through
          if (taken || k === 3) f[kind].t(tm, tg); else f[kind].n(tm, 0);
        }
        return JSON.stringify([tm.counters, clock.cycles, [...clock.stall], [...tm.tag], [...tm.dest]]);
      };
      expect(run('fast')).toBe(run('slow'));
    }));
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** instructions of every pairing kind, for random sequences */
const POOL = [
  'add r0, r1, r2', 'adds r3, #1', 'sub r4, r0, #3', 'cmp r0, #0', 'mov r5, r6', 'movw r7, #5', 'movt r7, #6', 'nop',
  'rev r0, r1', 'clz r2, r3', 'sadd16 r4, r5, r6', 'qadd r1, r2, r3', 'bfi r0, r1, #4, #4', 'ubfx r2, r3, #1, #3',
  'mul r0, r1, r2', 'mla r3, r4, r5, r3', 'umull r0, r1, r2, r3', 'smlal r4, r5, r6, r7', 'smlad r0, r1, r2, r0', 'smmul r1, r2, r3',
  'ldr r0, [r1]', 'ldr r2, [r1, #4]', 'ldrb r3, [r4, #1]', 'ldrh r5, [r6]', 'ldr r7, [sp, #8]', 'ldr r0, [r1], #4', 'ldr r2, [r3, r4]', 'ldr r5, [pc, #4]',
  'str r0, [r1]', 'strb r2, [r3, #1]', 'str r4, [r5, r6]', 'str r7, [sp, #4]!',
  'ldrd r0, r1, [r2]', 'strd r2, r3, [r4]', 'ldm r0!, {r1, r2, r3}', 'push {r4, r5, lr}', 'pop {r4, r5}', 'ldrex r0, [r1]',
  'sdiv r0, r1, r2', 'udiv r3, r4, r5', 'mrs r0, APSR', 'dmb', 'pld [r0, #32]',
];

describe('M7 properties', () => {
  it('every state returned is one the model accepts; cycles are never negative; n instructions take at least ceil(n/2)', () => {
    const decoded = POOL.map((l) => inputs([l])[0]!);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 40 }), (idx) => {
      let addr = 0;
      const xs = idx.map((i) => { const x = { ...decoded[i]!, addr }; addr += x.d.size; return x; });
      const r = priceAll(xs);
      for (const s of r.states) expect(M7.isState(s)).toBe(true);
      for (const c of r.per) expect(c).toBeGreaterThanOrEqual(0);
      expect(r.total).toBeGreaterThanOrEqual(Math.ceil(xs.length / 2));
      for (const v of Object.values(r.stalls)) expect(v).toBeGreaterThanOrEqual(0);
      expect(Object.values(r.stalls).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(r.total);
      // deterministic, and the same from a state decoded and encoded again
      expect(priceAll(xs).per).toEqual(r.per);
      for (const s of r.states) expect(M7.encodeState(M7.decodeState(s))).toBe(s);
    }), { numRuns: 2000 });
  });
  it('any decodable instruction from any state the model returns: a valid state, cycles >= 0', () => {
    const word = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 30 }), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (ws, conds) => {
      const ds: Decoded[] = ws.map(([a, b]) => decode(a, b)).filter((d) => d.entry !== null);
      let state = 0, addr = 0x1000, sum = 0;
      ds.forEach((d, i) => {
        const r = M7.price({ d, addr, conditional: conds[i]!, slowCode: false, fetch16: () => undefined }, state);
        expect(r.cycles).toBeGreaterThanOrEqual(0);
        expect(M7.isState(r.state)).toBe(true);
        sum += r.cycles;
        state = r.state;
        addr += d.size;
      });
      expect(sum).toBeGreaterThanOrEqual(Math.ceil(ds.length / 2));
    }), { numRuns: 1000 });
  });
  it('the state space: 0 is the empty pipeline, states are canonical, describe is readable', () => {
    expect(M7.stateCount).toBe(4 * 49 * 41);
    expect(M7.decodeState(0)).toEqual({ flagsAge: 3, prof: 0, reg: -1, kind: 0 });
    let valid = 0;
    for (let s = 0; s < M7.stateCount; s++) {
      if (!M7.isState(s)) continue;
      valid++;
      expect(M7.encodeState(M7.decodeState(s))).toBe(s);
    }
    expect(valid).toBe(M7.stateCount - 4 * 16); // closed states never hold a kind-0 register
    expect(M7.isState(-1)).toBe(false);
    expect(M7.isState(M7.stateCount)).toBe(false);
    expect(() => M7.price(inputs(['nop'])[0]!, M7.stateCount)).toThrow(RangeError);
    const s = run(['ldrb r0, [r1]']).state;
    expect(M7.describeState(s)).toBe('open load r1 bank 0, r0 ready +2 (load)');
  });
  it('the predictor never reports more hits or mispredicts than branches', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.boolean(), fc.integer({ min: 0, max: 3 })), { maxLength: 200 }), (events) => {
      const clock = fakeClock();
      const tm = cortexM7Model(withValues({ btacEntries: 4 })).runtime({ clock, fetch16: () => undefined });
      for (const [br, taken, tg] of events) {
        const a = br * 2;
        if (taken) tm.t((a >>> 1) % 4, a, 0x100 * tg, br & 1, 8);
        else tm.n((a >>> 1) % 4, a, br & 1, 8);
      }
      const c = tm.counters;
      expect(c.btacHits).toBeLessThanOrEqual(c.branches);
      expect(c.mispredicts).toBeLessThanOrEqual(c.branches);
      expect(c.penaltyCycles).toBe(8 * c.mispredicts);
      expect(clock.cycles).toBe(c.penaltyCycles);
      expect(clock.stall[STALL.branch]).toBe(c.penaltyCycles);
    }));
  });
});

describe('M7 model in the engine', () => {
  it('a counted loop: dual issue, the static rule, the BTAC and the exit mispredict', () => {
    const m = createMachine({ model: cortexM7Model() });
    m.load(encodeLines(['movs r0, #10', 'subs r0, #1', 'bne 0x2', 'bkpt #0']), 0);
    const r = m.run({ maxInstructions: 1000 });
    expect(r.reason).toBe('bkpt');
    // pass 1: T1 movs; T2 subs | bne (subs reads r0: no pair with movs) = 2; bne taken: BTAC miss, backward: predicted.
    // passes 2-10 from the loop: subs | bne = 1 each (BTAC hit); the exit: the BTAC says taken, the flags were set in
    // the branch's own cycle: 8. BKPT is not counted.
    expect(r.cycles).toBe(2 + 9 + 8);
    expect(m.state.stall[STALL.branch]).toBe(8);
  });
});
