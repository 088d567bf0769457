/**
 * Memory timing end to end: programs on the board machines whose firmware sets FLASH_ACR (wait states, prefetch,
 * the ART caches) or runs with the Cortex-M7 L1 caches on or off, on simple patterns: sequential fetch, a loop that
 * fits the cache, one that does not, strided data. The boards start with the silicon reset values (FLASH_ACR = 0:
 * zero wait states, everything off), so the start-up code costs no memory stall and the stall counters hold the
 * pattern's stalls alone. Expected totals are worked out by hand from the rules in src/mem/art.ts and src/mem/l1.ts
 * (reference/cortex-m-timing.md, boards.md), in the comment of each row.
 */
import { describe, it, expect } from 'vitest';
import { assemble } from '../../src/asm/assembler.js';
import { getBoard } from '../../src/board/boards.js';
import { createBoardMachine, bootImageAddress, type BoardMachine } from '../../src/board/machine.js';
import { STALL } from '../../src/timing/clock.js';

const F4_ACR = { LATENCY3: 3, PRFTEN: 1 << 8, ICEN: 1 << 9, DCEN: 1 << 10 };
const N = 3; // F411 at 100 MHz: 3 wait states (boards/stm32f411re.json)

/** a constant into a register without a literal pool (no flash data reads) */
const mov32 = (r: string, v: number) => `movw ${r}, #${v & 0xffff}\n  movt ${r}, #${v >>> 16}`;

function boot(boardName: string, src: string, sections: Record<string, number>, opts: { cachesOn?: boolean } = {}): BoardMachine {
  const board = getBoard(boardName);
  const a = assemble(`.syntax unified\n.thumb\n${src}\n`, { fileName: 't.s', base: bootImageAddress(board), sectionAddresses: sections });
  if (!a.ok) throw new Error(a.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  const bm = createBoardMachine(board, { memory: { silicon: true, cachesOn: opts.cachesOn } });
  bm.machine.load({ sections: a.sections.filter((s) => s.kind !== 'bss'), entry: a.entry });
  const r = bm.machine.run({ maxInstructions: 5_000_000 });
  if (r.reason !== 'bkpt') throw new Error(`stopped: ${r.reason} ${r.fault?.message ?? ''}`);
  return bm;
}
const memStall = (bm: BoardMachine) => bm.machine.state.stall[STALL.waitStates]! + bm.machine.state.stall[STALL.cacheMiss]!;
const cache = (bm: BoardMachine, name: string) => bm.memory!.stats().caches.find((c) => c.name === name)!;
/** stall cycles of accesses through one bus window (the M7 tests: the start-up code's own line fill is elsewhere) */
const windowStall = (bm: BoardMachine, name: string) => bm.memory!.stats().windows.find((w) => w.window === name)!.stallCycles;

/**
 * F411 firmware: write FLASH_ACR, then branch to `body`, placed 256-byte aligned far from the start-up code (so its
 * first line is a branch target, never the prefetcher's next line).
 */
function f411(acr: number, body: string, data = ''): BoardMachine {
  return boot('stm32f411re', `
  .word 0x20020000
  .word reset
  .thumb_func
reset:                      @ at 0x08000008, after the two vector words
  ${mov32('r0', 0x40023c00)}
  ${mov32('r1', acr)}
  ${mov32('r5', 0x08001000)} @ the data table
  str r1, [r0]              @ FLASH_ACR, at 0x08000020: the start of a line, which the B after it shares
  b body
  .balign 256
body:
  ${body}
  bkpt #0
  .org 0x1000
  ${data}
`, {});
}
const nops = (n: number) => Array.from({ length: n }, () => 'nop').join('\n  ');

describe('flash wait states and the ST ART (stm32f411re, N = 3)', () => {
  // 512 NOPs = 1024 bytes = 64 lines of 16 bytes; the BKPT is in line 64.
  const seq = nops(512);
  it.each([
    // no prefetch, no cache: every line entered costs N: 65 lines x 3
    ['no prefetch, no cache', F4_ACR.LATENCY3, 195],
    // prefetch: the first line is a branch target (N); each next line was read while the 8 NOPs of the line before
    // ran (8 cycles >= N + 1): free
    ['prefetch', F4_ACR.LATENCY3 | F4_ACR.PRFTEN, 3],
    // the instruction cache alone does not help straight-line code: 65 misses x N
    ['cache, no prefetch', F4_ACR.LATENCY3 | F4_ACR.ICEN, 195],
    ['zero wait states', 0, 0],
  ])('sequential fetch, %s', (_name, acr, stalls) => {
    expect(memStall(f411(acr, seq))).toBe(stalls);
  });

  // a loop of 30 instructions (28 NOPs, SUBS, BNE) = 60 bytes = 4 lines, 10 passes
  const loop4 = `movs r2, #10\n1:\n  ${nops(27)}\n  subs r2, r2, #1\n  bne 1b`;
  it('a loop that fits the instruction cache misses on its first pass only', () => {
    // (the MOVS before the loop puts it 2 bytes into its first line: 30 instructions from offset 2 end at 62: 4 lines)
    // cache off: 4 lines x N per pass x 10 passes = 120; cache on: the first pass's 4 misses x N = 12
    const off = f411(F4_ACR.LATENCY3, loop4), on = f411(F4_ACR.LATENCY3 | F4_ACR.ICEN, loop4);
    expect(memStall(off)).toBe(120);
    expect(memStall(on)).toBe(12);
    expect(cache(on, 'ART I-cache')).toMatchObject({ misses: 4, hits: 36 });
    // the same instructions, so the cycle difference is the stall difference
    expect(off.machine.cycles - on.machine.cycles).toBe(108);
  });

  it('a loop of 60 lines fits the 64-line cache; one of 66 lines misses every line of every pass (LRU)', () => {
    // 5 passes; MOVS (2 bytes), the loop's NOPs, SUBS (2) and BNE (4: the branch back is too far for 16 bits), then
    // the BKPT (2): lines x 16 bytes in all when there are lines x 8 - 5 NOPs, so the BKPT is in the loop's last line
    const loop = (lines: number) => `movs r2, #5\n1:\n  ${nops(lines * 8 - 5)}\n  subs r2, r2, #1\n  bne 1b`;
    // 60 lines: cache on: 60 misses x N once = 180; off: 5 x 60 x N = 900
    expect(memStall(f411(F4_ACR.LATENCY3 | F4_ACR.ICEN, loop(60)))).toBe(180);
    expect(memStall(f411(F4_ACR.LATENCY3, loop(60)))).toBe(900);
    // 66 lines: every pass misses all 66 with the cache on too: 5 x 66 x N = 990 either way
    const on = f411(F4_ACR.LATENCY3 | F4_ACR.ICEN, loop(66));
    expect(memStall(on)).toBe(990);
    expect(memStall(f411(F4_ACR.LATENCY3, loop(66)))).toBe(990);
    expect(cache(on, 'ART I-cache')).toMatchObject({ hits: 0, misses: 330 });
  });
});

describe('flash data through the ART data cache (stm32f411re, loop in SRAM)', () => {
  /**
   * The loop runs from SRAM (zero wait states, no fetch cost) and reads `lines` words 16 bytes apart (one per flash
   * line) from the table at 0x08001000, `passes` times; stride 4 reads 4 words per line instead.
   */
  function strided(acr: number, words: number, stride: number, passes: number): BoardMachine {
    return boot('stm32f411re', `
  .word 0x20020000
  .word reset
  .thumb_func
reset:
  ${mov32('r0', 0x40023c00)}
  ${mov32('r1', acr)}
  str r1, [r0]
  ${mov32('r5', 0x08001000)}
  movs r2, #${passes}
  ${mov32('r6', 0x20000001)}
  bx r6
  .org 0x1000
  .space 1024, 0x5a
  .data
  .thumb_func
ram:
1:
  mov r4, r5
  movs r1, #${words}
2:
  ldr r3, [r4], #${stride}
  subs r1, r1, #1
  bne 2b
  subs r2, r2, #1
  bne 1b
  bkpt #0
`, { '.data': 0x20000000 });
  }
  it.each([
    // 8 lines, data cache on: 8 misses on the first pass, then hits: 8 x N = 24 whatever the passes
    ['8 lines, cache on', F4_ACR.LATENCY3 | F4_ACR.DCEN, 8, 16, 10, 24, { misses: 8, hits: 72 }],
    // 16 lines do not fit 8: every read misses (LRU): 10 x 16 x N = 480
    ['16 lines, cache on', F4_ACR.LATENCY3 | F4_ACR.DCEN, 16, 16, 10, 480, { misses: 160, hits: 0 }],
    // cache off: each read of another line than the last costs N: 10 x 8 x N = 240
    ['8 lines, cache off', F4_ACR.LATENCY3, 8, 16, 10, 240, undefined],
    // stride 4, cache off: 4 reads per line, only the first of each line pays: 32 words = 8 lines, x N x 10 = 240
    ['stride 4, cache off', F4_ACR.LATENCY3, 32, 4, 10, 240, undefined],
  ] as const)('%s', (_n, acr, words, stride, passes, stalls, counts) => {
    const bm = strided(acr, words, stride, passes);
    expect(memStall(bm)).toBe(stalls);
    if (counts) expect(cache(bm, 'ART D-cache')).toMatchObject(counts);
  });
});

describe('Cortex-M7 L1 data cache (stm32f746g-disco: loop in ITCM, data in SRAM1)', () => {
  /** `lines` reads 32 bytes apart (one per cache line) from SRAM1 at 0x20010000, `passes` times */
  function strided(lines: number, passes: number, cachesOn: boolean): BoardMachine {
    return boot('stm32f746g-disco', `
  .word 0x20010000
  .word reset
  .thumb_func
reset:
  ${mov32('r5', 0x20010000)}
  movs r2, #${passes}
  ${mov32('r6', 0x00000001)}
  bx r6
  .data
  .thumb_func
itcm:
1:
  mov r4, r5
  ${mov32('r1', lines)}
2:
  ldr r3, [r4], #32
  subs r1, r1, #1
  bne 2b
  subs r2, r2, #1
  bne 1b
  bkpt #0
`, { '.data': 0x00000000 }, { cachesOn });
  }
  // SRAM1 behind the cache: first word after sramLatency = 2 bus clocks (the F746's bus runs at the core clock),
  // boards/cores/cortex-m7.json; each read is in another line, so no read waits for the rest of a fill
  it('64 lines (2 KB) fit the 4 KB D-cache: misses on the first pass only, 2 cycles each', () => {
    const bm = strided(64, 10, true);
    expect(cache(bm, 'L1 D-cache')).toMatchObject({ misses: 64, hits: 576 });
    expect(windowStall(bm, 'sram1')).toBe(128);
    // all of the run's memory stalls but one: the start-up code's line, fetched through the I-cache from flash at
    // FLASH_ACR's reset LATENCY 0 (1 cycle)
    expect(memStall(bm)).toBe(128 + 1);
  });
  it('256 lines (8 KB) do not fit: every read misses (4 ways, 8 lines per set in turn, LRU)', () => {
    const bm = strided(256, 3, true);
    expect(cache(bm, 'L1 D-cache')).toMatchObject({ misses: 768, hits: 0 });
    expect(windowStall(bm, 'sram1')).toBe(768 * 2);
  });
  it('with the cache off every read goes to the SRAM: 2 cycles each', () => {
    const bm = strided(64, 10, false);
    expect(cache(bm, 'L1 D-cache').accesses).toBe(0);
    expect(windowStall(bm, 'sram1')).toBe(640 * 2);
  });
  it('cycle counts are identical across repeated runs', () => {
    expect(strided(256, 3, true).machine.cycles).toBe(strided(256, 3, true).machine.cycles);
    expect(f411(F4_ACR.LATENCY3 | F4_ACR.PRFTEN | F4_ACR.ICEN, `movs r2, #3\n1:\n ${nops(600)}\n subs r2, r2, #1\n bne 1b`).machine.cycles)
      .toBe(f411(F4_ACR.LATENCY3 | F4_ACR.PRFTEN | F4_ACR.ICEN, `movs r2, #3\n1:\n ${nops(600)}\n subs r2, r2, #1\n bne 1b`).machine.cycles);
  });
});
