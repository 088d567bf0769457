/**
 * The SCB cache registers (src/sys/cachectl.ts) on the Cortex-M7 L1 model (src/mem/l1.ts), and the CMSIS
 * SCB_EnableICache / SCB_EnableDCache / SCB_CleanInvalidateDCache register sequences.
 *
 * Register addresses (ARMv7-M ARM B4.8, Cortex-M7 TRM §3.3): CCR 0xE000ED14 (DC bit 16, IC bit 17), CLIDR 0xED78,
 * CTR 0xED7C, CCSIDR 0xED80, CSSELR 0xED84, ICIALLU 0xEF50, ICIMVAU 0xEF58, DCIMVAC 0xEF5C, DCISW 0xEF60,
 * DCCMVAU 0xEF64, DCCMVAC 0xEF68, DCCSW 0xEF6C, DCCIMVAC 0xEF70, DCCISW 0xEF74, CACR 0xEF9C (FORCEWT bit 2).
 * CCSIDR fields: WT 31, WB 30, RA 29, WA 28, NumSets [27:13] = sets - 1, Associativity [12:3] = ways - 1,
 * LineSize [2:0] = log2(words per line) - 2. Set/way operand: Way [31:32-A], Set [B-1:L], Level [3:1].
 */
import { describe, it, expect } from 'vitest';
import { CacheControl, CCR_DC, CCR_IC, ccsidrOf, decodeSetWay } from '../../src/sys/cachectl.js';
import { L1Caches, SramBacking, ATTR } from '../../src/mem/l1.js';
import { NSTALL, STALL, type Clock } from '../../src/timing/clock.js';
import { BOARDS } from '../../src/board/boards.js';
import { createMemorySystem } from '../../src/mem/memsys.js';

class FakeClock implements Clock {
  cycles = 0;
  readonly stall = new Float64Array(NSTALL);
  now(): number { return this.cycles; }
}

const SCS = 0xe000e000;
const R = {
  CCR: 0xe000ed14, CLIDR: 0xe000ed78, CTR: 0xe000ed7c, CCSIDR: 0xe000ed80, CSSELR: 0xe000ed84,
  ICIALLU: 0xe000ef50, ICIMVAU: 0xe000ef58, DCIMVAC: 0xe000ef5c, DCISW: 0xe000ef60, DCCMVAU: 0xe000ef64,
  DCCMVAC: 0xe000ef68, DCCSW: 0xe000ef6c, DCCIMVAC: 0xe000ef70, DCCISW: 0xe000ef74, CACR: 0xe000ef9c,
};

function l1(sizeKB = 4, clock = new FakeClock()): L1Caches {
  const c = new L1Caches({
    icache: { sizeKB, ways: 2, lineBytes: 32 },
    dcache: { sizeKB, ways: 4, lineBytes: 32, writePolicy: 'write-back' },
    fillBeatBytes: 8, fillBeatCycles: 1, writeBackCycles: 1,
  });
  c.clock = clock;
  return c;
}

/** The SCS as the lead wires it: CCR's other bits kept by the SCS, IC/DC and the cache registers delegated. */
function scb(cc: CacheControl) {
  let ccrOther = 1 << 9; // STKALIGN, as at reset
  const log: string[] = [];
  return {
    log,
    r(a: number): number {
      const o = a - SCS;
      if (o === 0xd14) return (ccrOther | cc.ccrBits) >>> 0;
      const v = cc.read(o);
      if (v === undefined) throw new Error(`not a cache register: 0x${a.toString(16)}`);
      return v;
    },
    w(a: number, v: number): void {
      const o = a - SCS;
      log.push(o.toString(16));
      if (o === 0xd14) { ccrOther = v & ~(CCR_IC | CCR_DC); cc.writeCcr(v); return; }
      if (!cc.write(o, v >>> 0)) throw new Error(`not a cache register: 0x${a.toString(16)}`);
    },
  };
}

// CMSIS core_cm7.h masks
const CCSIDR_SETS = (x: number) => (x >>> 13) & 0x7fff;
const CCSIDR_WAYS = (x: number) => (x >>> 3) & 0x3ff;
const DCISW = (set: number, way: number) => (((set << 5) & (0x1ff << 5)) | ((way << 30) & (3 << 30))) >>> 0;

/** CMSIS SCB_EnableICache */
function enableICache(s: ReturnType<typeof scb>): void {
  if (s.r(R.CCR) & CCR_IC) return;
  s.w(R.ICIALLU, 0);
  s.w(R.CCR, s.r(R.CCR) | CCR_IC);
}
/** CMSIS SCB_EnableDCache: invalidate every set/way, then CCR.DC */
function enableDCache(s: ReturnType<typeof scb>): void {
  if (s.r(R.CCR) & CCR_DC) return;
  s.w(R.CSSELR, 0);
  const ccsidr = s.r(R.CCSIDR);
  let sets = CCSIDR_SETS(ccsidr);
  do {
    let ways = CCSIDR_WAYS(ccsidr);
    do { s.w(R.DCISW, DCISW(sets, ways)); } while (ways-- !== 0);
  } while (sets-- !== 0);
  s.w(R.CCR, s.r(R.CCR) | CCR_DC);
}
/** CMSIS SCB_CleanInvalidateDCache */
function cleanInvalidateDCache(s: ReturnType<typeof scb>): void {
  s.w(R.CSSELR, 0);
  const ccsidr = s.r(R.CCSIDR);
  let sets = CCSIDR_SETS(ccsidr);
  do {
    let ways = CCSIDR_WAYS(ccsidr);
    do { s.w(R.DCCISW, DCISW(sets, ways)); } while (ways-- !== 0);
  } while (sets-- !== 0);
}

describe('identification registers', () => {
  // [cache size KB, CCSIDR of the D-cache (4 ways), of the I-cache (2 ways)], worked out from the fields:
  // 4 KB D: 32 sets -> 31 << 13 = 0x3E000, 3 << 3 = 0x18, LineSize 1, WT|WB|RA|WA = 0xF0000000 -> 0xF003E019
  // 4 KB I: 64 sets -> 63 << 13 = 0x7E000, 1 << 3 = 0x8, 1 -> 0xF007E009
  // 16 KB D: 128 sets -> 127 << 13 = 0xFE000 -> 0xF00FE019; 16 KB I: 256 sets -> 255 << 13 = 0x1FE000 -> 0xF01FE009
  const rows: [number, number, number][] = [[4, 0xf003e019, 0xf007e009], [16, 0xf00fe019, 0xf01fe009]];
  for (const [kb, d, i] of rows) {
    it(`${kb} KB caches: CCSIDR by CSSELR`, () => {
      const cc = new CacheControl('cortex-m7', l1(kb));
      const s = scb(cc);
      s.w(R.CSSELR, 0);
      expect(s.r(R.CCSIDR) >>> 0).toBe(d);
      s.w(R.CSSELR, 1);
      expect(s.r(R.CCSIDR) >>> 0).toBe(i);
      expect(s.r(R.CSSELR)).toBe(1);
      s.w(R.CSSELR, 2); // level 2: no cache there
      expect(s.r(R.CCSIDR)).toBe(0);
      expect(ccsidrOf(cc.target!.dcache)).toBe(d);
    });
  }
  it('the shipped boards: F746 4 KB, F767 and H743 16 KB', () => {
    const read = (name: string) => {
      const cc = createMemorySystem(BOARDS[name]!).cacheControl;
      cc.write(0xd84, 0); const d = cc.read(0xd80)!;
      cc.write(0xd84, 1); const i = cc.read(0xd80)!;
      return [d, i, cc.read(0xd78), cc.read(0xd7c)].map((x) => x! >>> 0);
    };
    // CLIDR: LoUU 1 (bit 27), LoC 1 (bit 24), Ctype1 3 (separate I and D) = 0x09000003; CTR 0x8303C003
    expect(read('stm32f746g-disco')).toEqual([0xf003e019, 0xf007e009, 0x09000003, 0x8303c003]);
    expect(read('stm32f767')).toEqual([0xf00fe019, 0xf01fe009, 0x09000003, 0x8303c003]);
    expect(read('stm32h743')).toEqual([0xf00fe019, 0xf01fe009, 0x09000003, 0x8303c003]);
  });
  it('a Cortex-M4 has none: every cache register reads zero and ignores writes', () => {
    for (const cc of [new CacheControl('cortex-m4', null), createMemorySystem(BOARDS['stm32f411re']!).cacheControl, createMemorySystem(BOARDS['mps2-an386']!).cacheControl]) {
      for (const o of [0xd78, 0xd7c, 0xd80, 0xd84, 0xf50, 0xf58, 0xf5c, 0xf60, 0xf64, 0xf68, 0xf6c, 0xf70, 0xf74, 0xf78, 0xf9c]) {
        expect(cc.write(o, 0xffffffff)).toBe(true);
        expect(cc.read(o)).toBe(0);
      }
      cc.writeCcr(CCR_IC | CCR_DC);
      expect(cc.ccrBits).toBe(0);
      // not a cache register: the SCS answers
      expect(cc.read(0xd00)).toBeUndefined();
      expect(cc.write(0xd14, 0)).toBe(false);
    }
  });
  it('a Cortex-M7 without caches (mps2-an500): CLIDR and CCSIDR zero, CTR as the M7 has it, CCR.IC/DC stay zero', () => {
    const cc = createMemorySystem(BOARDS['mps2-an500']!).cacheControl;
    expect([cc.read(0xd78), cc.read(0xd7c)! >>> 0, cc.read(0xd80)]).toEqual([0, 0x8303c003, 0]);
    cc.writeCcr(CCR_IC | CCR_DC);
    expect(cc.ccrBits).toBe(0);
  });
});

describe('set/way operands', () => {
  it('decodes Way [31:30], Set [9:5], Level [3:1] for a 4 KB 4-way cache', () => {
    const c = l1(4).dcache!;
    // way 3, set 17: 0xC0000000 | 17 << 5 = 0xC0000220
    expect(decodeSetWay(0xc0000220, c)).toEqual([0, 17, 3]);
    // level 1 (L2) in bits [3:1]
    expect(decodeSetWay(0xc0000222, c)).toEqual([1, 17, 3]);
    // 16 KB: Set [11:5]: set 100 = 0xC80, way 2 = 0x80000000
    expect(decodeSetWay(0x80000c80, l1(16).dcache!)).toEqual([0, 100, 2]);
    // a 2-way cache: Way is bit 31 alone
    expect(decodeSetWay(0x800007e0, l1(4).icache!)).toEqual([0, 63, 1]);
  });
  it('DCISW invalidates exactly the named line; a level-2 operand does nothing', () => {
    const m = l1(4);
    const cc = new CacheControl('cortex-m7', m);
    const c = m.dcache!;
    // four lines of set 17 (a stride of 32 sets x 32 bytes = 1 KB) fill ways 0..3 in order
    const lines = [0, 1, 2, 3].map((k) => 0x20010000 + 17 * 32 + k * 1024);
    for (const a of lines) c.write(a, true, true);
    expect(lines.map((a) => c.find(a))).toEqual([68, 69, 70, 71]); // set 17 x 4 ways + way
    cc.write(0xf60, 0xc0000222); // level 2: ignored
    expect(c.validLines()).toBe(4);
    cc.write(0xf60, 0xc0000220); // way 3, set 17
    expect(lines.map((a) => c.find(a) >= 0)).toEqual([true, true, true, false]);
    expect(c.writeBacks).toBe(0); // invalidate: no write-back
    cc.write(0xf6c, 0x40000220); // DCCSW way 1: written back, stays valid
    expect([c.writeBacks, c.find(lines[1]!) >= 0]).toEqual([1, true]);
    cc.write(0xf74, 0x00000220); // DCCISW way 0: written back and dropped
    expect([c.writeBacks, c.find(lines[0]!)]).toEqual([2, -1]);
  });
});

describe('enable and maintenance effects', () => {
  it('CCR.IC and CCR.DC enable the caches; the SCS keeps the other CCR bits', () => {
    const m = l1();
    const s = scb(new CacheControl('cortex-m7', m));
    expect(s.r(R.CCR)).toBe(0x200);
    s.w(R.CCR, 0x200 | CCR_DC);
    expect([m.icOn, m.dcOn, s.r(R.CCR)]).toEqual([false, true, 0x10200]);
    s.w(R.CCR, 0x200 | CCR_IC);
    expect([m.icOn, m.dcOn, s.r(R.CCR)]).toEqual([true, false, 0x20200]);
  });
  it('by address: ICIMVAU, ICIALLU, DCIMVAC (no write-back), DCCMVAC / DCCMVAU (write-back, stays), DCCIMVAC', () => {
    const clock = new FakeClock();
    const m = l1(4, clock);
    const cc = new CacheControl('cortex-m7', m);
    const i = m.icache!, d = m.dcache!;
    i.read(0x08000000); i.read(0x08000020);
    cc.write(0xf58, 0x08000004); // ICIMVAU: the line holding 0x08000004
    expect([i.find(0x08000000), i.find(0x08000020) >= 0]).toEqual([-1, true]);
    cc.write(0xf50, 0); // ICIALLU
    expect(i.validLines()).toBe(0);
    for (const a of [0x20010000, 0x20010020, 0x20010040, 0x20010060]) d.write(a, true, true);
    cc.write(0xf5c, 0x20010004); // DCIMVAC: dropped, dirty data discarded
    expect([d.find(0x20010000), d.writeBacks, clock.cycles]).toEqual([-1, 0, 0]);
    cc.write(0xf68, 0x20010020); // DCCMVAC: written back (1 stall cycle), stays valid and clean
    cc.write(0xf64, 0x20010020); // DCCMVAU: already clean, nothing
    expect([d.find(0x20010020) >= 0, d.writeBacks, clock.cycles, clock.stall[STALL.cacheMiss]]).toEqual([true, 1, 1, 1]);
    cc.write(0xf70, 0x20010040); // DCCIMVAC: written back and dropped
    expect([d.find(0x20010040), d.writeBacks, clock.cycles]).toEqual([-1, 2, 2]);
    expect(m.maintenanceStall).toBe(2);
  });
  it('CACR.FORCEWT makes write-back memory write-through; RAZ/WI without a data cache', () => {
    const clock = new FakeClock();
    const m = l1(4, clock);
    m.dcOn = true;
    const cc = new CacheControl('cortex-m7', m);
    const p = m.port('sram1', new SramBacking('sram1', 2, 1), ATTR.WBWA);
    p.read(0x20010000, 4); // miss: fill, 2 cycles
    p.write(0x20010000, 4); // write-back hit: free
    expect([m.memWrites, clock.cycles]).toEqual([0, 2]);
    cc.write(0xf9c, 0x4);
    expect([cc.read(0xf9c), m.forceWT]).toEqual([4, true]);
    p.write(0x20010004, 4); // now write-through: to memory, 1 cycle
    expect([m.memWrites, clock.cycles]).toEqual([1, 3]);
    const noD = new CacheControl('cortex-m7', new L1Caches({ icache: { sizeKB: 4, ways: 2, lineBytes: 32 }, fillBeatBytes: 8, fillBeatCycles: 1, writeBackCycles: 1 }));
    noD.write(0xf9c, 0x7);
    expect(noD.read(0xf9c)).toBe(0x3);
  });
});

describe('CMSIS sequences', () => {
  it('SCB_EnableICache: ICIALLU then CCR.IC; a second call does nothing', () => {
    const m = l1();
    const s = scb(new CacheControl('cortex-m7', m));
    m.icache!.read(0x08000000); // stale contents from before
    enableICache(s);
    expect([m.icOn, m.icache!.validLines(), s.log]).toEqual([true, 0, ['f50', 'd14']]);
    enableICache(s);
    expect(s.log.length).toBe(2);
  });
  it('SCB_EnableDCache on a 4 KB cache: 32 sets x 4 ways of DCISW, every line invalid, then CCR.DC', () => {
    const m = l1(4);
    const s = scb(new CacheControl('cortex-m7', m));
    for (let k = 0; k < 200; k++) m.dcache!.write(0x20010000 + k * 32, true, true); // garbage, dirty
    enableDCache(s);
    expect(s.log.filter((x) => x === 'f60').length).toBe(32 * 4);
    expect([m.dcOn, m.dcache!.validLines(), m.dcache!.writeBacks - 72]).toEqual([true, 0, 0]);
    // 200 lines into 128 entries evicted 72 dirty lines before the sequence; the invalidates wrote back none
  });
  it('SCB_CleanInvalidateDCache on a 16 KB cache: every dirty line written back once, the cache empty', () => {
    const clock = new FakeClock();
    const m = l1(16, clock);
    const s = scb(new CacheControl('cortex-m7', m));
    enableDCache(s);
    const p = m.port('sram1', new SramBacking('sram1', 2, 1), ATTR.WBWA);
    for (let k = 0; k < 10; k++) p.write(0x20010000 + k * 32, 4); // 10 dirty lines: 10 fills of 2 cycles
    for (let k = 10; k < 15; k++) p.read(0x20010000 + k * 32, 4); // 5 clean lines: 5 fills of 2 cycles
    expect(clock.cycles).toBe(30);
    cleanInvalidateDCache(s);
    expect(s.log.filter((x) => x === 'f74').length).toBe(128 * 4);
    expect([m.dcache!.validLines(), m.dcache!.writeBacks, clock.cycles - 30]).toEqual([0, 10, 10]); // 1 cycle per write-back
  });
});
