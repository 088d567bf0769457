/**
 * Machines built from board descriptions (src/board/machine.ts). Register addresses and bits used below:
 * SCB CPUID 0xE000ED00, VTOR 0xE000ED08, SHCSR 0xE000ED24 (BUSFAULTENA bit 17), CFSR 0xE000ED28 (PRECISERR bit 9,
 * BFARVALID bit 15), BFAR 0xE000ED38 (ARMv7-M ARM B3.2); CMSDK UART DATA +0, STATE +4 (TXFULL bit 0), CTRL +8 (TX
 * enable bit 0); STM32F4 USART SR +0 (TXE bit 7), DR +4, CR1 +0x0C (UE bit 13, TE bit 3) (RM0383); STM32F7/H7 USART
 * CR1 +0 (UE bit 0, TE bit 3), ISR +0x1C (TXE bit 7), TDR +0x28 (RM0385, RM0433); STM32F4 RCC_AHB1ENR 0x40023830.
 */
import { describe, it, expect } from 'vitest';
import { assemble } from '../../src/asm/assembler.js';
import { BOARDS, BOARD_FILES, boardNames, getBoard } from '../../src/board/boards.js';
import { validateBoard, type Board } from '../../src/board/schema.js';
import { createBoardMachine, bootImageAddress, unmodelledAccesses, cpuidOf, type BoardMachineOptions } from '../../src/board/machine.js';
import { UnmodelledDevice } from '../../src/mem/device.js';
import { FlatBus } from '../../src/mem/flat.js';
import { CFSR } from '../../src/sys/exceptions.js';

const text = (bytes: number[]) => String.fromCharCode(...bytes);
const K = 1024;

/** How a program enables a board's stdout UART and sends r3: init (r0 = base), wait for room (uses r4), send. */
function uartCode(board: Board): { init: string; wait: string; send: string } {
  const p = board.peripherals.find((x) => x.name === board.stdout)!;
  const base = `ldr r0, =0x${p.base.toString(16)}`;
  switch (p.kind) {
    case 'cmsdk-uart':
      return { init: `${base}\n movs r1, #1\n str r1, [r0, #8]`, wait: 'ldr r4, [r0, #4]\n tst r4, #1\n bne 2b', send: 'str r3, [r0]' };
    case 'stm32f4-usart':
      return { init: `${base}\n ldr r1, =0x2008\n str r1, [r0, #0x0c]`, wait: 'ldr r4, [r0]\n tst r4, #0x80\n beq 2b', send: 'str r3, [r0, #4]' };
    default:
      return { init: `${base}\n movs r1, #9\n str r1, [r0]`, wait: 'ldr r4, [r0, #0x1c]\n tst r4, #0x80\n beq 2b', send: 'str r3, [r0, #0x28]' };
  }
}

/** Top of the RAM region at 0x20000000 (every shipped board has one). */
function stackTop(board: Board): number {
  const r = board.regions.find((x) => x.base === 0x20000000)!;
  return r.base + r.size;
}

/**
 * A program with a vector table (SP, reset, NMI, HardFault, MemManage, BusFault, UsageFault, ...), assembled at the
 * board's boot image address. `handlers` gives vector labels by exception number; missing ones are 0.
 */
function program(board: Board, body: string, handlers: Record<number, string> = {}, extra = ''): { sections: { address: number; bytes: Uint8Array }[]; entry?: number } {
  const words = [`.word 0x${stackTop(board).toString(16)}`, '.word reset'];
  for (let n = 2; n < 16; n++) words.push(`.word ${handlers[n] ?? 0}`);
  const src = `
    .syntax unified
    .thumb
    ${words.join('\n    ')}
    .thumb_func
  reset:
    ${body}
    ${extra}
    .ltorg
  `;
  const a = assemble(src, { fileName: `${board.name}.s`, base: bootImageAddress(board) });
  if (!a.ok) throw new Error(a.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return { sections: a.sections.filter((s) => s.kind !== 'bss'), entry: a.entry };
}

function hello(board: Board, msg: string): string {
  const u = uartCode(board);
  return `
    ${u.init}
    ldr r2, =msg
  1:
    ldrb r3, [r2], #1
    cbz r3, 3f
  2:
    ${u.wait}
    ${u.send}
    b 1b
  3:
    bkpt #0
  msg:
    .asciz "${msg}"
    .balign 4`;
}

function boot(board: Board, body: string, handlers: Record<number, string> = {}, opts: BoardMachineOptions = {}, extra = '') {
  const out: number[] = [];
  const bm = createBoardMachine(board, { stdout: (b) => out.push(b), ...opts });
  bm.machine.load(program(board, body, handlers, extra));
  return { ...bm, out };
}

/** A copy of a shipped board's JSON, changed by `edit`, validated. */
function variant(name: string, edit: (j: any) => void): Board {
  const [file, json] = BOARD_FILES.find(([f]) => f === `boards/${name}.json`)!;
  const j = structuredClone(json) as any;
  edit(j);
  const r = validateBoard(j, file);
  if (!r.board) throw new Error(r.errors.join('\n'));
  return r.board;
}

describe('createBoardMachine: every shipped board', () => {
  for (const name of boardNames()) {
    it(`${name}: builds, boots from its vector table and prints through its stdout UART`, () => {
      const board = getBoard(name);
      const { machine: m, out, board: b } = boot(board, hello(board, `hello from ${name}\\n`));
      expect(b).toBe(board);
      // reset read SP and PC from the vector table at bootAddress (an alias of flash on the F411/F412/F746/F767)
      expect(m.reg('sp')).toBe(stackTop(board));
      expect(m.pc >>> 0).toBeGreaterThanOrEqual(bootImageAddress(board));
      const r = m.run({ maxInstructions: 100_000 });
      expect(r.reason).toBe('bkpt');
      expect(text(out)).toBe(`hello from ${name}\n`);
      // the SCB: CPUID by core, VTOR's reset value is the boot address
      expect(m.read32(0xe000ed00)).toBe(cpuidOf(board.core));
      expect(m.read32(0xe000ed08)).toBe(board.bootAddress ?? 0);
      // one SCS device at 0xE000E000: the exception model's, not a second one for the board's 'scs' entry
      expect(m.bus.devices.filter((d) => d.base <= 0xe000e000 && d.base + d.size > 0xe000e000).map((d) => d.name)).toEqual(['SCS']);
    });
  }

  it('CPUIDs: Cortex-M4 r0p1 0x410FC241, Cortex-M7 r1p2 0x411FC272', () => {
    expect(cpuidOf('cortex-m4')).toBe(0x410fc241);
    expect(cpuidOf('cortex-m7')).toBe(0x411fc272);
    expect(createBoardMachine(getBoard('mps2-an500')).machine.read32(0xe000ed00)).toBe(0x411fc272);
  });

  it('every region and alias of every board is on the bus with its rights', () => {
    for (const board of Object.values(BOARDS)) {
      const { machine: m } = createBoardMachine(board);
      for (const r of board.regions.filter((x) => x.kind !== 'peripheral')) {
        const w = m.bus.regions.find((x) => x.name === r.name)!;
        expect([w.base, w.size, w.readOnly, w.executable]).toEqual([r.base, r.size, !r.access.includes('w'), r.access.includes('x')]);
        for (const a of r.aliases ?? []) {
          const aw = m.bus.windows.find((x) => x.base === a.base)!;
          expect([aw.size, aw.target, aw.readOnly]).toEqual([r.size, w, w.readOnly]);
        }
      }
    }
  });
});

describe('createBoardMachine: stm32f411re', () => {
  const f411 = getBoard('stm32f411re');

  it('flash is visible at 0x08000000 and through its alias at 0: the same bytes both ways', () => {
    const { machine: m } = createBoardMachine(f411);
    m.bus.load(0x08000100, new Uint8Array([1, 2, 3, 4]));
    expect(m.read32(0x00000100)).toBe(0x04030201);
    m.bus.load(0x00000200, new Uint8Array([0xaa, 0xbb]));
    expect(m.read16(0x08000200)).toBe(0xbbaa);
    // the loader's writes are recorded in the main window's addresses
    // load() is not a program write: the loader's bytes in SRAM leave its usage figures empty
    m.bus.load(0x20000100, new Uint8Array([5, 6]));
    const sram = m.usage!.report().regions.find((x) => x.name === 'sram')!;
    expect([sram.lowest, sram.highest, sram.bytesTouched]).toEqual([null, null, 0]);
    // the alias ends where the flash does
    expect(m.read32(0x0007fffc)).toBe(0);
    expect(() => m.read32(0x00080000)).toThrow();
  });

  it('a store to flash is a precise BusFault: the handler sees CFSR.PRECISERR|BFARVALID and BFAR', () => {
    const LOG = 0x20000000;
    for (const target of [0x08001000, 0x00001000]) {
      const { machine: m } = boot(f411, `
        ldr r0, =0xe000ed24
        ldr r1, =0x20000
        str r1, [r0]            @ SHCSR.BUSFAULTENA
        ldr r0, =0x${target.toString(16)}
        movs r1, #5
        str r1, [r0]
        bkpt #1`, { 5: 'busfault' }, {}, `
      .thumb_func
      busfault:
        ldr r0, =0xe000ed28
        ldr r1, [r0]
        ldr r0, =0xe000ed38
        ldr r2, [r0]
        ldr r0, =${LOG}
        str r1, [r0]
        str r2, [r0, #4]
        bkpt #2`);
      const r = m.run({ maxInstructions: 1000 });
      expect(r.reason).toBe('bkpt');
      expect(r.imm).toBe(2);
      expect(m.mode).toBe('BusFault');
      expect(m.read32(LOG)).toBe(CFSR.PRECISERR | CFSR.BFARVALID);
      expect(m.read32(LOG + 4)).toBe(target);
      expect(r.fault?.address).toBe(target);
      expect(r.fault?.message).toMatch(/read-only memory \(flash/);
      expect(m.read32(target)).toBe(0); // nothing was written
    }
  });

  it('with no handler the run stops with a fault report naming the address; bus.load to flash still works', () => {
    const { machine: m } = boot(f411, 'ldr r0, =0x08000400\n movs r1, #5\n str r1, [r0]\n bkpt #0');
    const r = m.run({ maxInstructions: 1000 });
    expect(r.reason).toBe('fault');
    expect(r.fault!.reason).toBe('PRECISERR');
    expect(r.fault!.address).toBe(0x08000400);
    expect(r.fault!.message).toContain('0x08000400');
    expect(r.fault!.status!.bfar).toBe(0x08000400);
    m.bus.load(0x08000400, new Uint8Array([5, 0, 0, 0]));
    expect(m.read32(0x08000400)).toBe(5);
    expect(() => m.write32(0x08000400, 6)).toThrow();
  });

  it('without the exception model a store to flash stops the run as a BusFault', () => {
    const { machine: m } = createBoardMachine(f411, { exceptions: false });
    const a = assemble('.syntax unified\n.thumb\n ldr r0, =0x08000000\n str r1, [r0]\n bkpt #0\n .ltorg', { base: 0x08000000 });
    m.load({ sections: a.sections, entry: a.entry });
    const r = m.run({ maxInstructions: 100 });
    expect([r.reason, r.fault?.kind, r.fault?.reason, r.fault?.address]).toEqual(['fault', 'BusFault', 'PRECISERR', 0x08000000]);
  });

  it('unmodelled peripheral addresses read 0, ignore writes and are recorded once each', () => {
    const { machine: m, unmodelled } = boot(f411, `
      ldr r0, =0x40023830     @ RCC_AHB1ENR
      ldr r1, [r0]
      orr r1, r1, #1
      str r1, [r0]
      ldr r5, [r0]
      ldr r6, =0x40020000     @ GPIOA_MODER
      ldrb r7, [r6, #1]
      bkpt #0`);
    m.setReg('r5', 0xdead);
    const r = m.run({ maxInstructions: 100 });
    expect(r.reason).toBe('bkpt');
    expect(m.reg('r5')).toBe(0);
    expect(m.reg('r7')).toBe(0);
    expect(unmodelledAccesses(unmodelled)).toEqual([
      { address: 0x40020001, reads: 1, writes: 0, window: 'periph (unmodelled)' },
      { address: 0x40023830, reads: 2, writes: 1, window: 'periph (unmodelled)' },
    ]);
  });

  it('the unmodelled windows cover the peripheral regions around the USART, the flash interface and the SCS', () => {
    const { unmodelled } = createBoardMachine(f411);
    // USART2 at 0x40004400 (1 KB), the flash interface (FLASH_ACR) at 0x40023C00 (1 KB)
    const around = [[0x40000000, 0x40004400], [0x40004800, 0x40023c00], [0x40024000, 0x60000000]];
    expect(unmodelled.map((d) => [d.base, d.base + d.size])).toEqual(around);
    // without the exception model the SCS region is unmodelled too
    const bare = createBoardMachine(f411, { exceptions: false });
    expect(bare.unmodelled.map((d) => [d.base, d.base + d.size])).toEqual([...around, [0xe000e000, 0xe000f000]]);
    expect(bare.machine.read32(0xe000ed00)).toBe(0);
    expect(bare.machine.scs).toBeUndefined();
  });

  it('an instruction fetch from a region without x faults (IBUSERR), from peripheral space MemManage IACCVIOL', () => {
    const noX = variant('stm32f411re', (j) => { j.regions[1].access = 'rw'; });
    const { machine: m } = boot(noX, 'ldr r0, =0x20000101\n bx r0');
    m.bus.load(0x20000100, new Uint8Array([0x00, 0xbe])); // bkpt #0, never reached
    let r = m.run({ maxInstructions: 100 });
    expect([r.reason, r.fault?.kind, r.fault?.reason, r.fault?.address, r.fault?.pc]).toEqual(['fault', 'BusFault', 'IBUSERR', 0x20000100, 0x20000100]);
    const p = boot(f411, 'ldr r0, =0x40000001\n bx r0').machine;
    r = p.run({ maxInstructions: 100 });
    expect([r.reason, r.fault?.kind, r.fault?.reason, r.fault?.address]).toEqual(['fault', 'MemManage', 'IACCVIOL', 0x40000000]);
  });
});

describe('createBoardMachine: mps2-an386', () => {
  const an386 = getBoard('mps2-an386');

  it('SSRAM mirrors share bytes, are writable and executable', () => {
    const { machine: m } = createBoardMachine(an386);
    m.write32(0x00400010, 0x12345678);
    expect(m.read32(0x00000010)).toBe(0x12345678);
    m.write16(0x20000002, 0xbeef);
    expect(m.read16(0x20400002)).toBe(0xbeef);
    // program writes through an alias count in the main window's addresses
    const r = m.usage!.report().regions.find((x) => x.name === m.bus.regions[0]!.name)!;
    expect([r.lowest, r.highest]).toEqual([0x10, 0x13]);
  });

  it('code written through a mirror is seen by the next instruction (code marks are shared)', () => {
    // at 0x100: movs r0, #1; bkpt #0. The program runs it, patches it through the mirror to movs r0, #2, runs it again
    const { machine: m } = boot(an386, `
      ldr r4, =0x101
      blx r4
      mov r5, r0
      ldr r1, =0x00400100
      movs r2, #0x02
      strb r2, [r1]
      blx r4
      bkpt #0`);
    m.bus.load(0x100, new Uint8Array([0x01, 0x20, 0x70, 0x47])); // movs r0, #1; bx lr
    m.engine.invalidate();
    const r = m.run({ maxInstructions: 100 });
    expect(r.reason).toBe('bkpt');
    expect([m.reg('r5'), m.reg('r0')]).toEqual([1, 2]);
  });

  it('only the stdout UART reaches opts.stdout; another UART works but what it sends is dropped', () => {
    const two = variant('mps2-an386', (j) => { j.peripherals.push({ name: 'uart1', kind: 'cmsdk-uart', base: '0x40005000' }); });
    const { machine: m, out, peripherals, unmodelled } = boot(two, `
      ldr r0, =0x40005000
      movs r1, #1
      str r1, [r0, #8]
      movs r3, #0x41
      str r3, [r0]
      ldr r0, =0x40004000
      str r1, [r0, #8]
      movs r3, #0x42
      str r3, [r0]
      bkpt #0`);
    expect([...peripherals.keys()]).toEqual(['uart0', 'uart1']);
    expect(unmodelled.map((d) => [d.base, d.base + d.size])).toEqual([[0x40000000, 0x40004000], [0x40006000, 0x40030000]]);
    expect(m.run({ maxInstructions: 100 }).reason).toBe('bkpt');
    expect(text(out)).toBe('B');
  });

  it('stdin feeds the stdout UART', () => {
    const input = [0x7a];
    const { machine: m } = boot(an386, `
      ldr r0, =0x40004000
      movs r1, #3
      str r1, [r0, #8]
    1:
      ldr r2, [r0, #4]
      tst r2, #2
      beq 1b
      ldr r5, [r0]
      bkpt #0`, {}, { stdin: () => input.shift() });
    expect(m.run({ maxInstructions: 1000 }).reason).toBe('bkpt');
    expect(m.reg('r5')).toBe(0x7a);
  });
});

describe('createBoardMachine: Cortex-M7 memory maps (boards.md)', () => {
  const map = (name: string) => createBoardMachine(getBoard(name)).machine.bus.regions.map((r) => [r.name, r.base, r.size]);

  it('stm32f746g-disco: ITCM 16 kB @0, flash 1 MB @0x08000000 (ITCM-bus alias @0x00200000), DTCM 64 kB, SRAM1 240 kB, SRAM2 16 kB', () => {
    expect(map('stm32f746g-disco')).toEqual([
      ['itcm', 0, 16 * K], ['flash', 0x08000000, 1024 * K], ['dtcm', 0x20000000, 64 * K],
      ['sram1', 0x20010000, 240 * K], ['sram2', 0x2004c000, 16 * K],
    ]);
    const { machine: m } = createBoardMachine(getBoard('stm32f746g-disco'));
    m.bus.load(0x08000000, new Uint8Array([0x11, 0x22, 0x33, 0x44]));
    expect(m.read32(0x00200000)).toBe(0x44332211);
    expect(() => m.write32(0x00200000, 0)).toThrow(/read-only/);
    m.write32(0x00003ffc, 7); // ITCM is RAM
    expect(m.read32(0x00003ffc)).toBe(7);
    expect(bootImageAddress(getBoard('stm32f746g-disco'))).toBe(0x08000000);
  });

  it('stm32h743: ITCM 64 kB @0, flash 2 MB, DTCM 128 kB, AXI SRAM 512 kB @0x24000000, SRAM1-3 @0x30000000, SRAM4 @0x38000000', () => {
    expect(map('stm32h743')).toEqual([
      ['itcm', 0, 64 * K], ['flash', 0x08000000, 2048 * K], ['dtcm', 0x20000000, 128 * K], ['axi-sram', 0x24000000, 512 * K],
      ['sram1', 0x30000000, 128 * K], ['sram2', 0x30020000, 128 * K], ['sram3', 0x30040000, 32 * K], ['sram4', 0x38000000, 64 * K],
    ]);
    const { machine: m } = createBoardMachine(getBoard('stm32h743'));
    for (const a of [0x0000fffc, 0x2001fffc, 0x2407fffc, 0x30047ffc, 0x3800fffc]) { m.write32(a, a); expect(m.read32(a)).toBe(a); }
    expect(() => m.read32(0x00010000)).toThrow(); // past the ITCM
    expect(bootImageAddress(getBoard('stm32h743'))).toBe(0x08000000);
  });
});

describe('FlatBus aliases and rights', () => {
  it('an alias must not overlap another window, and rights hold through the alias', () => {
    expect(() => new FlatBus([{ name: 'a', base: 0, size: 64, aliases: [0x20] }])).toThrow(/overlap/);
    const b = new FlatBus([{ name: 'rom', base: 0x1000, size: 64, aliases: [0], writable: false, executable: true },
      { name: 'ram', base: 0x2000, size: 64, executable: false }]);
    b.load(0x1000, new Uint8Array([0x00, 0xbe]));
    expect(b.fetch16(0)).toBe(0xbe00);
    expect(b.fetch16(0x2000)).toBeUndefined();
    expect(() => b.w8(0x0004, 1)).toThrow();
    let err: any;
    try { b.w32(0x8, 1); } catch (e) { err = e; }
    expect([err?.kind, err?.reason, err?.address]).toEqual(['BusFault', 'PRECISERR', 8]);
    expect(b.regions.map((r) => r.name)).toEqual(['rom', 'ram']);
    expect(b.windows.map((r) => r.name)).toEqual(['rom', 'ram', 'rom@0x00000000']);
    expect(b.windows[2]!.isAlias).toBe(true);
  });

  it('UnmodelledDevice records each address once', () => {
    const d = new UnmodelledDevice('x', 0x100, 0x10);
    d.read(4); d.read(4); d.write(4);
    expect([...d.touched]).toEqual([[0x104, { reads: 2, writes: 1 }]]);
  });
});
