/**
 * Memory timing models: plain wait states (src/mem/waits.ts), the ST ART (src/mem/art.ts), the Cortex-M7 L1 caches
 * (src/mem/l1.ts), FLASH_ACR (src/periph/stm32-flash.ts) and the builder that puts them on a board's bus windows
 * (src/mem/memsys.ts). Expected stall cycles are worked out by hand from the rules in those files' headers, in a
 * comment beside each row.
 *
 * The harness plays the engine: `pass(start, end, cycles)` is one pass through a translated block (the window's
 * FetchTiming.fetch at its start, then the block's static cycles added at its exit); data accesses go through the
 * bus (FlatBus r32/w32 call the window's DataTiming).
 *
 * FLASH_ACR bits (RM0383 F4: LATENCY [3:0], PRFTEN 8, ICEN 9, DCEN 10, ICRST 11, DCRST 12; RM0385 F7: PRFTEN 8,
 * ARTEN 9, ARTRST 11; RM0433 H7: LATENCY [3:0], WRHIGHFREQ [5:4], FLASH_ACR at 0x52002000 and 0x52002100).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { NSTALL, STALL, type Clock } from '../../src/timing/clock.js';
import { WaitStates, WindowPort, windowStat, type MemModel } from '../../src/mem/waits.js';
import { ArtAccelerator } from '../../src/mem/art.js';
import { L1Caches, L1Port, FlashBacking, SramBacking, ATTR, attributes } from '../../src/mem/l1.js';
import { Stm32FlashInterface, decodeAcr, type AcrFields } from '../../src/periph/stm32-flash.js';
import { createMemorySystem, startupAcr, type MemorySystem } from '../../src/mem/memsys.js';
import { FlatBus } from '../../src/mem/flat.js';
import { boardRegions } from '../../src/board/machine.js';
import { BOARDS } from '../../src/board/boards.js';
import { validateBoard } from '../../src/board/schema.js';
import { CCR_DC, CCR_IC } from '../../src/sys/cachectl.js';
import { createPeripheral } from '../../src/periph/index.js';

class FakeClock implements Clock {
  cycles = 0;
  readonly stall = new Float64Array(NSTALL);
  now(): number { return this.cycles; }
  get stalls(): number { return this.stall.reduce((a, b) => a + b, 0); }
}

/** One pass through a block of a model: fetch timing at its start, its static cycles at its exit. */
function passer(model: MemModel, clock: FakeClock) {
  const w = windowStat('w');
  return {
    w,
    pass(start: number, end: number, cycles: number): void { model.fetch(start, end, cycles, w); clock.cycles += cycles; },
    read(a: number, n = 4): void { model.read(a, n, w); },
  };
}

const FLASH = 0x08000000;

// ---------------------------------------------------------------------------------------------------------------

describe('plain wait states (flash read in 128-bit lines)', () => {
  // [N, blocks [start offset, end offset, cycles], expected stall]
  const rows: [number, [number, number, number][], number, string][] = [
    [0, [[0, 64, 32]], 0, 'no wait states: free'],
    [3, [[0, 64, 32]], 12, '4 lines x 3'],
    [7, [[0, 64, 32]], 28, '4 lines x 7'],
    [3, [[0, 24, 12], [24, 64, 20]], 12, 'two blocks: lines 0-1 then 1-3; line 1 is the line last read: 2 + 2 new lines x 3'],
    [3, Array.from({ length: 10 }, (): [number, number, number] => [0, 16, 8]), 3, 'a loop inside one line: only the first pass reads it'],
    [7, Array.from({ length: 3 }, (): [number, number, number] => [0, 32, 16]), 42, 'a two-line loop: each pass reads lines 0 and 1 again (3 x 2 x 7)'],
  ];
  for (const [n, blocks, want, why] of rows) {
    it(`N=${n}: ${why} -> ${want}`, () => {
      const clock = new FakeClock();
      const m = new WaitStates(n, 16);
      m.clock = clock;
      const h = passer(m, clock);
      for (const [s, e, c] of blocks) h.pass(FLASH + s, FLASH + e, c);
      expect(clock.stall[STALL.waitStates]).toBe(want);
      expect(h.w.waitStates).toBe(want);
      expect(clock.stalls).toBe(want);
    });
  }
  it('data reads: the line last read is free, another line costs N; fetch and data keep separate lines', () => {
    const clock = new FakeClock();
    const m = new WaitStates(3, 16);
    m.clock = clock;
    const h = passer(m, clock);
    h.read(FLASH + 0x100); // new line: 3
    h.read(FLASH + 0x104); // same line: 0
    h.read(FLASH + 0x10e, 4); // straddles 0x100-0x10F and 0x110-0x11F: one new line, 3
    h.pass(FLASH + 0x100, FLASH + 0x110, 8); // the fetch side has not read 0x100 yet: 3
    h.read(FLASH + 0x114); // the data side still holds 0x110: 0
    expect(clock.stall[STALL.waitStates]).toBe(9);
  });
  it('memory with wait states not read in lines: every access, and every fetched word', () => {
    const clock = new FakeClock();
    const m = new WaitStates(2, 0);
    m.clock = clock;
    const h = passer(m, clock);
    h.read(0x60000000); h.read(0x60000000); // 2 + 2
    h.pass(0x60000000, 0x60000012, 9); // words 0..4 (0x10-0x11 is in the fifth): 5 x 2
    expect(clock.stall[STALL.waitStates]).toBe(14);
  });
  it('stores go through a one-entry write buffer: only a store or read that finds it busy waits', () => {
    const clock = new FakeClock();
    const m = new WaitStates(2, 0);
    m.clock = clock;
    const w = windowStat('ram');
    // a store at t = 0 is buffered: the core does not wait; the memory is busy for 1 + 2 cycles, until t = 3
    m.write(0x60000000, 4, w);
    expect(clock.stall[STALL.storeBuffer]).toBe(0);
    // a second store at t = 1 waits until t = 3 (2 cycles), then occupies the memory until 3 + 3 = 6
    clock.cycles = 1;
    m.write(0x60000004, 4, w);
    expect(clock.stall[STALL.storeBuffer]).toBe(2);
    // the core is at t = 3 now; a read waits for the write (until 6: 3 cycles), then its own 2 wait states
    m.read(0x60000008, 4, w);
    expect(clock.stall[STALL.storeBuffer]).toBe(5);
    expect(clock.stall[STALL.waitStates]).toBe(2);
    // a store long after finds the buffer free
    clock.cycles = 100;
    m.write(0x6000000c, 4, w);
    expect(clock.stall[STALL.storeBuffer]).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** An F4 ART: 128-bit lines, 64-line I-cache, 8-line D-cache. */
function art(n: number, o: { prefetch?: boolean; ic?: boolean; dc?: boolean } = {}) {
  const clock = new FakeClock();
  const m = new ArtAccelerator({ lineBytes: 16, icacheLines: 64, dcacheLines: 8 });
  m.clock = clock;
  m.waits = n;
  m.prefetch = !!o.prefetch; m.icacheOn = !!o.ic; m.dcacheOn = !!o.dc;
  return { m, clock, ...passer(m, clock) };
}

describe('ART: sequential fetch with and without prefetch (caches off)', () => {
  // 64 bytes (4 lines) as one block. Prefetch: the first line is a cold read (N); each next line was being read
  // while the previous one executed for cycles/4 cycles: max(0, N + 1 - cycles/4), at most N.
  const rows: [number, boolean, number, number, string][] = [
    [0, false, 32, 0, 'no wait states'],
    [3, false, 32, 12, '4 x 3'],
    [7, false, 32, 28, '4 x 7'],
    [0, true, 32, 0, 'no wait states'],
    [3, true, 32, 3, '3, then 3 + 1 - 8 < 0: free'],
    [7, true, 32, 7, '7, then 7 + 1 - 8 = 0'],
    [3, true, 16, 3, '3, then 3 + 1 - 4 = 0'],
    [7, true, 16, 19, '7, then 3 x (7 + 1 - 4)'],
    [7, true, 4, 28, 'one cycle per line: 7 + 1 - 1 = 7 = N, prefetch cannot help'],
  ];
  for (const [n, pf, cycles, want, why] of rows) {
    it(`N=${n} prefetch ${pf ? 'on' : 'off'}, ${cycles} cycles per 4 lines: ${why} -> ${want}`, () => {
      const t = art(n, { prefetch: pf });
      t.pass(FLASH, FLASH + 64, cycles);
      expect(t.clock.stall[STALL.waitStates]).toBe(want);
      expect(t.clock.stalls).toBe(want);
    });
  }
  it('the prefetcher works across blocks and counts the time spent elsewhere', () => {
    const t = art(7, { prefetch: true });
    t.pass(FLASH, FLASH + 16, 2); // line 0: cold, 7; delivered at 0 + 7 = 7; block ends at 9
    t.pass(FLASH + 16, FLASH + 32, 2); // line 1 needed at 9: 9 - 7 = 2 since line 0: 7 + 1 - 2 = 6; delivered at 15
    t.clock.cycles += 20; // a call elsewhere (SRAM) for 20 cycles
    t.pass(FLASH + 32, FLASH + 48, 2); // line 2 needed at 37: 37 - 15 = 22 >= 8: free
    t.pass(FLASH + 80, FLASH + 96, 2); // line 5: a branch target, not sequential: 7
    expect(t.clock.stall[STALL.waitStates]).toBe(7 + 6 + 0 + 7);
  });
});

describe('ART: instruction cache', () => {
  // loops of L lines (16 bytes each) as one block of L x 8 cycles, run `passes` times; prefetch off to count the
  // cache alone: every miss costs N = 3 (STALL.cacheMiss)
  const rows: [number, number, number, number, string][] = [
    [4, 10, 4, 12, 'fits: misses on the first pass only (4 x 3)'],
    [64, 5, 64, 192, 'exactly the 64 lines: first pass only'],
    [65, 5, 325, 975, 'one line more than the cache (LRU, one set of 64 ways): every line misses on every pass, 65 x 5 x 3'],
  ];
  for (const [lines, passes, misses, stall, why] of rows) {
    it(`${lines}-line loop x ${passes}: ${why}`, () => {
      const t = art(3, { ic: true });
      for (let p = 0; p < passes; p++) t.pass(FLASH, FLASH + lines * 16, lines * 8);
      expect([t.m.icache.misses, t.m.icache.hits]).toEqual([misses, lines * passes - misses]);
      expect(t.clock.stall[STALL.cacheMiss]).toBe(stall);
      expect(t.clock.stalls).toBe(stall);
      expect(t.m.iMissStall).toBe(stall);
    });
  }
  it('with prefetch too, a fitting loop costs only its first pass; ICRST empties the cache', () => {
    const t = art(3, { ic: true, prefetch: true });
    for (let p = 0; p < 4; p++) t.pass(FLASH, FLASH + 64, 32);
    // first pass: line 0 cold miss 3 (cacheMiss), lines 1-3 prefetched in time (8 cycles each >= 4): 0
    expect(t.clock.stalls).toBe(3);
    t.m.resetICache();
    t.pass(FLASH, FLASH + 64, 32); // line 0 is a branch target again (from line 3): a miss, 3
    expect(t.clock.stalls).toBe(6);
  });
});

describe('ART: data cache and the data line buffer', () => {
  it('8 lines of constants fit the 8-line data cache; 9 lines miss every time (LRU)', () => {
    const fit = art(3, { dc: true });
    for (let p = 0; p < 3; p++) for (let k = 0; k < 8; k++) fit.read(FLASH + 0x1000 + k * 16);
    expect([fit.m.dcache!.misses, fit.m.dcache!.hits, fit.clock.stall[STALL.cacheMiss]]).toEqual([8, 16, 24]);
    const over = art(3, { dc: true });
    for (let p = 0; p < 3; p++) for (let k = 0; k < 9; k++) over.read(FLASH + 0x1000 + k * 16);
    expect([over.m.dcache!.misses, over.m.dcache!.hits, over.clock.stall[STALL.cacheMiss]]).toEqual([27, 0, 81]);
  });
  it('data cache off: reads inside the line last read are free', () => {
    const t = art(3);
    for (const a of [0x100, 0x104, 0x110, 0x100, 0x10c]) t.read(FLASH + a); // 3, 0, 3, 3, 0
    expect(t.clock.stall[STALL.waitStates]).toBe(9);
    expect(t.m.dcache!.accesses).toBe(0);
  });
  it('a unified ART (the F7: no data cache of its own) serves data reads from the instruction cache', () => {
    const clock = new FakeClock();
    const m = new ArtAccelerator({ lineBytes: 32, icacheLines: 64 });
    m.clock = clock; m.waits = 7; m.icacheOn = true;
    const h = passer(m, clock);
    h.pass(0x00200000, 0x00200040, 32); // 2 lines of code: 2 misses, 14
    h.read(0x00200010); // literal in line 0: a hit
    h.read(0x00200100); // another line: a miss, 7
    expect([m.unified, m.icache.misses, m.icache.hits, clock.stall[STALL.cacheMiss]]).toEqual([true, 3, 1, 21]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A 4 KB L1 (I 2-way, D 4-way, 32-byte lines, 8-byte beats, a beat a cycle, write-back 1 cycle), both enabled. */
function cm7(writePolicy: 'write-back' | 'write-through' = 'write-back') {
  const clock = new FakeClock();
  const l1 = new L1Caches({
    icache: { sizeKB: 4, ways: 2, lineBytes: 32 },
    dcache: { sizeKB: 4, ways: 4, lineBytes: 32, writePolicy },
    fillBeatBytes: 8, fillBeatCycles: 1, writeBackCycles: 1,
  });
  l1.clock = clock;
  l1.icOn = true; l1.dcOn = true;
  const sram = l1.port('sram1', new SramBacking('sram1', 2, 1), ATTR.WBWA);
  const flash = l1.port('flash', new FlashBacking('flash', 8, 32), ATTR.WT);
  return { l1, clock, sram, flash };
}

describe('Cortex-M7 L1: memory attributes (ARMv7-M default map)', () => {
  it('Code WT, SRAM WBWA, external RAM WBWA then WT, peripherals and system not cacheable', () => {
    expect([0x00000000, 0x08000000, 0x1fffffff, 0x20000000, 0x24000000, 0x3fffffff, 0x40000000, 0x5fffffff,
      0x60000000, 0x80000000, 0xa0000000, 0xc0000000, 0xe000e000].map(attributes))
      .toEqual([1, 1, 1, 2, 2, 2, 0, 0, 2, 1, 0, 0, 0]);
  });
});

describe('Cortex-M7 L1: data cache', () => {
  it('stride = line size: every access misses (16 x 2 cycles, no fill waits)', () => {
    const t = cm7();
    for (let k = 0; k < 16; k++) { t.sram.read(0x20010000 + k * 32, 4); t.clock.cycles += 1; }
    expect([t.l1.dcache!.misses, t.l1.dcache!.hits, t.clock.stall[STALL.cacheMiss]]).toEqual([16, 0, 32]);
  });
  // stride 4 over 8 lines, each load followed by `step` core cycles. A miss at t stalls 2 (the first beat) and the
  // fill ends at t + 2 + 3 beats x 1 = t + 5. step 1: the second load comes at t + 3 and waits 2 more; step 2: at
  // t + 4, waits 1; step 3: at t + 5, no wait.
  const rows: [number, number, string][] = [[1, 32, '8 x (2 + 2)'], [2, 24, '8 x (2 + 1)'], [3, 16, '8 x 2']];
  for (const [step, want, why] of rows) {
    it(`stride 4, ${step} cycle(s) per load: one miss per 8 words, the next load waits for the rest of the line: ${why}`, () => {
      const t = cm7();
      for (let k = 0; k < 64; k++) { t.sram.read(0x20010000 + k * 4, 4); t.clock.cycles += step; }
      expect([t.l1.dcache!.misses, t.l1.dcache!.hits]).toEqual([8, 56]);
      expect(t.clock.stall[STALL.cacheMiss]).toBe(want);
      expect(t.l1.dStall).toBe(want);
    });
  }
  it('D-cache off: every read waits the memory latency', () => {
    const t = cm7();
    t.l1.dcOn = false;
    for (let k = 0; k < 10; k++) t.sram.read(0x20010000 + k * 4, 4);
    expect([t.clock.stall[STALL.waitStates], t.l1.dcache!.accesses]).toEqual([20, 0]);
  });
  it('a straddling access looks up both lines', () => {
    const t = cm7();
    t.sram.read(0x2001001e, 4); // bytes 0x1E-0x21: lines 0x20010000 and 0x20010020, 2 misses
    expect(t.l1.dcache!.misses).toBe(2);
  });
});

describe('Cortex-M7 L1: write-back vs write-through', () => {
  // 64 word stores over 8 lines, then 8 x 4 loads of other lines in the same sets (1 KB apart: 32 sets x 32 bytes),
  // which evict the stored lines
  function run(t: ReturnType<typeof cm7>, attrPort: L1Port): void {
    for (let k = 0; k < 64; k++) { attrPort.write(0x20010000 + k * 4, 4); t.clock.cycles += 1; }
    for (let j = 1; j <= 4; j++) for (let s = 0; s < 8; s++) { t.sram.read(0x20010000 + j * 1024 + s * 32, 4); t.clock.cycles += 10; }
  }
  it('write-back: one write-allocate fill per line, no memory writes, each dirty line written back when evicted', () => {
    const t = cm7();
    run(t, t.sram);
    // stores: 8 misses (fills of 2 cycles), 56 hits; loads: 32 misses of 2 cycles, the 4th load per set evicts the
    // dirty line (LRU): 8 write-backs of 1 cycle
    expect([t.l1.memWrites, t.l1.dcache!.writeBacks, t.l1.dcache!.misses, t.l1.dcache!.hits]).toEqual([0, 8, 40, 56]);
    expect(t.clock.stall[STALL.cacheMiss]).toBe(8 * 2 + 32 * 2 + 8);
    expect(t.clock.stall[STALL.storeBuffer]).toBe(0);
  });
  it('write-through (board policy): every store goes to memory, nothing allocated or dirty', () => {
    const t = cm7('write-through');
    run(t, t.sram);
    // 64 stores x 1 cycle to memory, none allocated (write-through: no write-allocate); the 32 loads miss (2 cycles
    // each) and fill the 4 ways of their sets: nothing dirty, no write-backs
    expect([t.l1.memWrites, t.l1.dcache!.writeBacks, t.l1.dcache!.dirtyLines()]).toEqual([64, 0, 0]);
    expect(t.clock.stall[STALL.storeBuffer]).toBe(64);
    expect(t.clock.stall[STALL.cacheMiss]).toBe(32 * 2);
  });
  it('write-through by attribute (the Code region), and a store to a cached line updates it', () => {
    const t = cm7();
    const code = t.l1.port('ram-in-code', new SramBacking('x', 2, 1), attributes(0x00100000));
    code.read(0x00100000, 4); // read-allocate: a miss, 2
    code.write(0x00100004, 4); // hit: line updated, the store goes to memory, 1
    code.write(0x00100040, 4); // miss: no allocation, to memory, 1
    expect([t.l1.dcache!.validLines(), t.l1.memWrites, t.l1.dcache!.dirtyLines(), t.clock.stalls]).toEqual([1, 2, 0, 4]);
  });
});

describe('Cortex-M7 L1: instruction cache with flash behind it (latency N + 1 = 8)', () => {
  it('a loop that fits misses on its first pass only', () => {
    const t = cm7();
    for (let p = 0; p < 10; p++) { t.flash.fetch(FLASH, FLASH + 128, 40); t.clock.cycles += 40; }
    expect([t.l1.icache!.misses, t.l1.icache!.hits, t.clock.stall[STALL.cacheMiss]]).toEqual([4, 36, 32]);
  });
  it('3 lines in one set of the 2-way cache (2 KB apart): LRU misses every fetch', () => {
    const t = cm7();
    for (let p = 0; p < 3; p++) for (const a of [FLASH, FLASH + 2048, FLASH + 4096]) t.flash.fetch(a, a + 32, 10);
    expect([t.l1.icache!.misses, t.l1.icache!.hits, t.clock.stall[STALL.cacheMiss]]).toEqual([9, 0, 72]);
  });
  it('I-cache off: a flash read per new 256-bit flash line, every pass', () => {
    const t = cm7();
    t.l1.icOn = false;
    for (let p = 0; p < 3; p++) t.flash.fetch(FLASH, FLASH + 64, 20); // lines 0, 1 each pass: 2 x 8
    expect(t.clock.stall[STALL.waitStates]).toBe(48);
  });
  it('I-cache off, SRAM behind: sequential passes stream, a jump pays the latency', () => {
    const t = cm7();
    t.l1.icOn = false;
    t.sram.fetch(0x20010000, 0x20010040, 10); // 2
    t.sram.fetch(0x20010040, 0x20010080, 10); // continues: 0
    t.sram.fetch(0x20010000, 0x20010040, 10); // a jump back: 2
    expect(t.clock.stall[STALL.waitStates]).toBe(4);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('FLASH_ACR', () => {
  function dev(variant: 'f4' | 'f7' | 'h7', resetValue?: number) {
    const seen: AcrFields[] = [];
    const d = new Stm32FlashInterface({ variant, base: variant === 'h7' ? 0x52002000 : 0x40023c00, resetValue, target: { applyAcr: (f) => seen.push(f) }, requiredLatency: 3, clockHz: 100e6 });
    return { d, seen };
  }
  it('F4 bits: LATENCY, PRFTEN, ICEN, DCEN; ICRST/DCRST only while the cache is off', () => {
    const { d, seen } = dev('f4');
    d.write(0, 4, 0x703); // LATENCY 3, PRFTEN, ICEN, DCEN
    expect(seen.at(-1)).toEqual({ latency: 3, prefetch: true, icache: true, dcache: true, resetI: false, resetD: false });
    d.write(0, 4, 0x1b03); // ICRST with ICEN on: no reset; DCRST with DCEN off: reset
    expect(seen.at(-1)).toMatchObject({ icache: true, dcache: false, resetI: false, resetD: true });
    d.write(0, 4, 0x0803); // ICRST, ICEN off
    expect(seen.at(-1)).toMatchObject({ icache: false, resetI: true });
    d.write(0, 4, 0xffffffff); // reserved bits read as zero
    expect(d.read(0, 4)).toBe(0x1f0f);
  });
  it('byte and halfword writes (ST HAL sets LATENCY with a byte store)', () => {
    const { d } = dev('f4', 0x700);
    d.write(0, 1, 5);
    expect(d.read(0, 4)).toBe(0x705);
    d.write(1, 1, 0x01); // PRFTEN only in byte 1
    expect(d.read(0, 4)).toBe(0x105);
    expect([d.read(1, 1), d.read(0, 2)]).toEqual([0x01, 0x105]);
    d.write(4, 4, 0x45670123); // FLASH_KEYR: not modelled, reads 0
    expect([d.read(4, 4), d.read(0, 4)]).toEqual([0, 0x105]);
  });
  it('F7 bits: PRFTEN, ARTEN (instructions and data), ARTRST while the ART is off', () => {
    const { d, seen } = dev('f7');
    d.write(0, 4, 0x307);
    expect(seen.at(-1)).toEqual({ latency: 7, prefetch: true, icache: true, dcache: true, resetI: false, resetD: false });
    d.write(0, 4, 0x0807);
    expect(seen.at(-1)).toMatchObject({ icache: false, resetI: true });
    d.write(0, 4, 0xffffffff);
    expect(d.read(0, 4)).toBe(0xb0f);
  });
  it('H7: LATENCY and WRHIGHFREQ, the register mirrored at +0x100, silicon reset 0x37', () => {
    const { d } = dev('h7');
    expect(d.read(0, 4)).toBe(0x37);
    d.write(0x100, 4, 0x24);
    expect([d.read(0, 4), d.read(0x100, 4), decodeAcr('h7', d.acr).latency]).toEqual([0x24, 0x24, 4]);
    expect(d.size).toBe(0x1000);
  });
  it('a LATENCY below the table at the board clock is a warning, once per message', () => {
    const { d } = dev('f4');
    d.write(0, 4, 0x702);
    d.write(0, 4, 0x702);
    d.write(0, 4, 0x703);
    d.write(0, 4, 0x704);
    expect(d.warnings).toEqual(['flash: FLASH_ACR.LATENCY 2 is below the 3 wait states the flash needs at 100 MHz; flash reads are timed faster than the part can run']);
  });
  it('the peripheral factory builds a standalone one (silicon reset, no timing)', () => {
    const p = createPeripheral('stm32f4-flash', { base: 0x40023c00, name: 'flash-if', sink: () => {} }) as Stm32FlashInterface;
    expect([p.base, p.size, p.name, p.read(0, 4), p.target]).toEqual([0x40023c00, 0x400, 'flash-if', 0, null]);
    p.write(0, 4, 3);
    expect(p.read(0, 4)).toBe(3);
    expect((createPeripheral('stm32h7-flash', { base: 0x52002000, sink: () => {} }) as Stm32FlashInterface).read(0, 4)).toBe(0x37);
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A board's bus with its memory system attached, and the engine's side of it. */
function boardBus(name: string, opts: Parameters<typeof createMemorySystem>[2] = {}) {
  const board = BOARDS[name]!;
  const ms = createMemorySystem(board, undefined, opts);
  const bus = new FlatBus(boardRegions(board), ms.devices);
  const clock = new FakeClock();
  ms.attach(bus, clock);
  return {
    board, ms, bus, clock,
    pass(start: number, end: number, cycles: number): void {
      bus.region(start)!.fetchTiming?.fetch(start, end, cycles);
      clock.cycles += cycles;
    },
    acr(v: number): void { ms.flashInterface!.write(0, 4, v); },
  };
}
const window = (bus: FlatBus, base: number) => bus.windows.find((w) => w.base === base)!;

describe('board fields for memory timing', () => {
  it('flash.lineBits is 64, 128 or 256; the shipped boards give 128 (F4) and 256 (F7, H7); fifo is a replacement policy', () => {
    expect(['stm32f411re', 'stm32f412', 'stm32f746g-disco', 'stm32f767', 'stm32h743'].map((n) => BOARDS[n]!.flash!.lineBits)).toEqual([128, 128, 256, 256, 256]);
    const j = JSON.parse(JSON.stringify(BOARDS['stm32f746g-disco']!));
    j.flash.lineBits = 96;
    j.caches.replacement = 'fifo';
    expect(validateBoard(j, 'f').errors).toEqual(['f: $.flash.lineBits: expected 64, 128 or 256, got 96']);
    j.flash.lineBits = 64;
    expect(validateBoard(j, 'f').board?.caches?.replacement).toBe('fifo');
  });
  it('the flash interfaces are peripherals of the STM32 boards', () => {
    const fi = (n: string) => BOARDS[n]!.peripherals.filter((p) => p.kind.endsWith('-flash')).map((p) => [p.kind, p.base]);
    expect(fi('stm32f411re')).toEqual([['stm32f4-flash', 0x40023c00]]);
    expect(fi('stm32f746g-disco')).toEqual([['stm32f7-flash', 0x40023c00]]);
    expect(fi('stm32h743')).toEqual([['stm32h7-flash', 0x52002000]]);
    expect(fi('mps2-an386')).toEqual([]);
  });
});

describe('memory system: what each board gets', () => {
  it('mps2 boards: no timing at all', () => {
    for (const n of ['mps2-an386', 'mps2-an500']) {
      const t = boardBus(n);
      expect([t.ms.timed, t.ms.devices.length, t.ms.art, t.ms.l1]).toEqual([false, 0, null, null]);
      expect(t.bus.windows.every((w) => w.data === null && w.fetchTiming === null)).toBe(true);
      expect(t.ms.stats()).toEqual({ caches: [], windows: [], memoryWrites: 0 });
    }
  });
  it('F411: the ART on the flash and its alias at 0 (one model, main-window addresses); SRAM untimed', () => {
    const t = boardBus('stm32f411re');
    expect(t.ms.flashInterface!.read(0, 4)).toBe(0x703); // LATENCY 3 at 100 MHz, PRFTEN, ICEN, DCEN
    const [flash, alias, sram] = [window(t.bus, 0x08000000), window(t.bus, 0), window(t.bus, 0x20000000)];
    expect(flash.data).toBeInstanceOf(WindowPort);
    expect((alias.data as WindowPort).model).toBe(t.ms.art);
    expect([(alias.data as WindowPort).shift, sram.data, sram.fetchTiming]).toEqual([0x08000000, null, null]);
    expect([t.ms.art!.waits, t.ms.art!.prefetch, t.ms.art!.icacheOn, t.ms.art!.dcacheOn]).toEqual([3, true, true, true]);
    // code fetched through the alias at 0 is in the cache for the main window: the first pass looks up 4 lines and
    // misses them all (line 0 costs 3, lines 1-3 arrive from the prefetcher in time), the second hits all 4
    t.pass(0, 64, 32);
    t.pass(0x08000000, 0x08000040, 32);
    expect([t.ms.art!.icache.misses, t.ms.art!.icache.hits, t.clock.stalls]).toEqual([4, 4, 3]);
  });
  it('F746: ART on the ITCM alias, L1 on the AXI flash and SRAM1/2, TCMs untimed; caches start off', () => {
    const t = boardBus('stm32f746g-disco');
    expect(t.ms.flashInterface!.read(0, 4)).toBe(0x307); // LATENCY 7 at 216 MHz, PRFTEN, ARTEN
    expect(window(t.bus, 0x08000000).data).toBeInstanceOf(L1Port);
    expect((window(t.bus, 0x00200000).data as WindowPort).model).toBe(t.ms.art);
    expect(window(t.bus, 0x20010000).data).toBeInstanceOf(L1Port);
    expect([window(t.bus, 0).data, window(t.bus, 0x20000000).data]).toEqual([null, null]);
    expect([t.ms.l1!.icOn, t.ms.l1!.dcOn]).toEqual([false, false]);
    expect((window(t.bus, 0x08000000).data as L1Port).backing).toMatchObject({ latency: 8 });
    expect((window(t.bus, 0x20010000).data as L1Port).attr).toBe(ATTR.WBWA);
    expect(t.ms.stats().windows.map((w) => w.window)).toEqual(['flash', 'sram1', 'sram2', 'flash@0x00200000']);
    expect(boardBus('stm32f746g-disco', { cachesOn: true }).ms.l1).toMatchObject({ icOn: true, dcOn: true });
  });
  it('H743: wait states in AXI clocks: flash latency (4 + 1) x 2, SRAM (2 + 0) x 2, beats 2 core cycles apart', () => {
    const t = boardBus('stm32h743');
    expect(t.ms.flashInterface!.read(0, 4)).toBe(0x34); // LATENCY 4, WRHIGHFREQ 3 as at silicon reset
    expect((window(t.bus, 0x08000000).data as L1Port).backing).toMatchObject({ latency: 10 });
    expect((window(t.bus, 0x24000000).data as L1Port).backing).toMatchObject({ latency: 4 });
    expect(t.ms.art).toBeNull();
    t.ms.cacheControl.writeCcr(CCR_DC);
    t.bus.r32(0x24000000); // miss at 0: 4, fill ends at 0 + 4 + 3 x 2 = 10
    t.bus.r32(0x24000004); // at 4: waits 6
    expect(t.clock.stall[STALL.cacheMiss]).toBe(10);
  });
  it('silicon: FLASH_ACR at its reset value (F4/F7 zero: no wait states, accelerator off; H7 0x37)', () => {
    const f4 = boardBus('stm32f411re', { silicon: true });
    expect([f4.ms.flashInterface!.read(0, 4), f4.ms.art!.waits, f4.ms.art!.icacheOn]).toEqual([0, 0, false]);
    expect(boardBus('stm32h743', { silicon: true }).ms.flashInterface!.read(0, 4)).toBe(0x37);
    expect(startupAcr(BOARDS['stm32f412']!, 'f4')).toBe(0x703);
  });
  it('FLASH_ACR writes change the timing live; reset() restores the start state', () => {
    const t = boardBus('stm32f411re');
    t.acr(0x0002); // LATENCY 2, everything off: a warning (3 needed at 100 MHz)
    expect([t.ms.art!.waits, t.ms.art!.prefetch, t.ms.art!.icacheOn, t.ms.warnings.length]).toEqual([2, false, false, 1]);
    t.pass(0x08000000, 0x08000040, 32); // 4 lines x 2, STALL.waitStates
    expect(t.clock.stall[STALL.waitStates]).toBe(8);
    t.ms.reset();
    expect([t.ms.flashInterface!.acr, t.ms.art!.waits, t.ms.art!.icacheOn, t.ms.warnings.length, t.ms.stats().windows[0]!.stallCycles]).toEqual([0x703, 3, true, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('settings change cycles in the expected direction by the expected amount (through the bus)', () => {
  type Pattern = (t: ReturnType<typeof boardBus>) => void;
  /** 256 bytes of straight-line code as 4 blocks of 64 bytes, 32 cycles each (8 per 16-byte line) */
  const sequential = (base: number): Pattern => (t) => { for (let b = 0; b < 4; b++) t.pass(base + b * 64, base + b * 64 + 64, 32); };
  /** a loop of `bytes` as one block of bytes/2 cycles, 10 passes */
  const loop = (base: number, bytes: number): Pattern => (t) => { for (let p = 0; p < 10; p++) t.pass(base, base + bytes, bytes / 2); };
  /** 64 word loads at stride `stride`, one cycle each */
  const strided = (base: number, stride: number): Pattern => (t) => { for (let k = 0; k < 64; k++) { t.bus.r32(base + k * stride); t.clock.cycles += 1; } };

  // [board, setup, pattern, expected total stall cycles, why]
  const rows: [string, (t: ReturnType<typeof boardBus>) => void, Pattern, number, string][] = [
    // F411, 16-byte lines
    ['stm32f411re', (t) => t.acr(0x000), sequential(FLASH), 0, 'LATENCY 0: free'],
    ['stm32f411re', (t) => t.acr(0x003), sequential(FLASH), 48, 'LATENCY 3, no accelerator: 16 lines x 3'],
    ['stm32f411re', (t) => t.acr(0x007), sequential(FLASH), 112, 'LATENCY 7: 16 x 7'],
    ['stm32f411re', (t) => t.acr(0x103), sequential(FLASH), 3, 'prefetch: the cold first line only (8 cycles a line >= 3 + 1)'],
    ['stm32f411re', (t) => t.acr(0x107), sequential(FLASH), 7, 'LATENCY 7 + prefetch: 7 + 1 - 8 = 0 after the first'],
    ['stm32f411re', (t) => t.acr(0x203), loop(FLASH, 64), 12, 'I-cache, a 4-line loop: 4 x 3 on the first pass'],
    ['stm32f411re', (t) => t.acr(0x003), loop(FLASH, 64), 120, 'no cache, same loop: 4 x 3 every pass'],
    ['stm32f411re', (t) => t.acr(0x203), loop(FLASH, 65 * 16), 1950, 'I-cache, a 65-line loop: 65 x 3 every pass'],
    ['stm32f411re', (t) => t.acr(0x403), strided(FLASH + 0x1000, 4), 48, 'D-cache, 64 words in 16 lines: 16 misses x 3'],
    ['stm32f411re', (t) => t.acr(0x003), strided(FLASH + 0x1000, 16), 192, 'no D-cache, a new line every load: 64 x 3'],
    // F746, AXI flash latency 8, SRAM latency 2, 4 KB caches
    ['stm32f746g-disco', () => {}, loop(FLASH, 128), 320, 'I-cache off (as at reset): 4 flash lines x 8 every pass'],
    ['stm32f746g-disco', (t) => t.ms.cacheControl.writeCcr(CCR_IC), loop(FLASH, 128), 32, 'I-cache on: 4 x 8 on the first pass'],
    ['stm32f746g-disco', () => {}, loop(0x00200000, 128), 7, 'the ITCM path through the ART (LATENCY 7, PRFTEN, ARTEN; 32-byte lines, 16 cycles each): the cold first line, the rest prefetched in time, then hits'],
    ['stm32f746g-disco', (t) => t.acr(0x007), loop(0x00200000, 128), 280, 'the ITCM path with the ART and prefetch off: 4 lines x 7 every pass'],
    ['stm32f746g-disco', () => {}, strided(0x20010000, 4), 128, 'D-cache off: 64 loads x 2'],
    ['stm32f746g-disco', (t) => t.ms.cacheControl.writeCcr(CCR_DC), strided(0x20010000, 4), 32, 'D-cache on, stride 4: 8 lines x (2 + 2 waiting for the fill)'],
    ['stm32f746g-disco', (t) => t.ms.cacheControl.writeCcr(CCR_DC), strided(0x20010000, 32), 128, 'D-cache on, stride 32: every load misses, 64 x 2'],
    ['stm32f746g-disco', (t) => t.ms.cacheControl.writeCcr(CCR_DC), strided(0x20000000, 4), 0, 'DTCM: never cached, no cost'],
    // H743: AXI flash latency 10
    ['stm32h743', (t) => t.ms.cacheControl.writeCcr(CCR_IC), loop(FLASH, 128), 40, 'I-cache on: 4 x 10 once'],
    ['stm32h743', () => {}, loop(FLASH, 128), 400, 'I-cache off: 4 x 10 every pass'],
  ];
  for (const [board, setup, pattern, want, why] of rows) {
    it(`${board}: ${why} -> ${want}`, () => {
      const t = boardBus(board);
      setup(t);
      pattern(t);
      expect(t.clock.stalls).toBe(want);
      expect(t.ms.stats().windows.reduce((a, w) => a + w.stallCycles, 0)).toBe(want);
    });
  }

  it('stats: per-cache counters and per-window stall cycles', () => {
    const t = boardBus('stm32f746g-disco', { cachesOn: true });
    loop(FLASH, 128)(t);
    strided(0x20010000, 4)(t);
    const s = t.ms.stats();
    expect(s.caches.map((c) => c.name)).toEqual(['ART I-cache', 'L1 I-cache', 'L1 D-cache']);
    expect(s.caches[1]).toMatchObject({ accesses: 40, hits: 36, misses: 4, fills: 4, stallCycles: 32 });
    expect(s.caches[2]).toMatchObject({ accesses: 64, hits: 56, misses: 8, fills: 8, writeBacks: 0, stallCycles: 32 });
    expect(s.windows.filter((w) => w.stallCycles > 0)).toEqual([
      { window: 'flash', stallCycles: 32, waitStateCycles: 0, cacheMissCycles: 32, storeCycles: 0 },
      { window: 'sram1', stallCycles: 32, waitStateCycles: 0, cacheMissCycles: 32, storeCycles: 0 },
    ]);
  });

  it('cycle counts are deterministic: the same accesses give the same stalls, random replacement included', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(4095), fc.boolean()), { maxLength: 200 }), (ops) => {
      const run = () => {
        const board = { ...BOARDS['stm32f767']!, caches: { ...BOARDS['stm32f767']!.caches!, replacement: 'random' as const } };
        const ms = createMemorySystem(board, undefined, { cachesOn: true });
        const bus = new FlatBus(boardRegions(board), ms.devices);
        const clock = new FakeClock();
        ms.attach(bus, clock);
        for (const [k, w] of ops) { const a = 0x20020000 + k * 4; if (w) bus.w32(a, k); else bus.r32(a); clock.cycles += 1; }
        return [clock.cycles, ...clock.stall];
      };
      expect(run()).toEqual(run());
    }), { numRuns: 30 });
  });
});

// the ms type is used in helper signatures above
export type { MemorySystem };
