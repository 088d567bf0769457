import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createMachine } from '../../src/machine.js';
import { assemble } from '../../src/asm/assembler.js';
import type { Device } from '../../src/mem/device.js';
import { CmsdkApbUart, CMSDK_UART_ID } from '../../src/periph/cmsdk-uart.js';
import { Stm32Usart, type UsartLayout } from '../../src/periph/stm32-usart.js';
import { createPeripheral, peripheralKinds, PERIPHERALS } from '../../src/periph/index.js';

const text = (bytes: number[]) => String.fromCharCode(...bytes);

/** Assemble `body` (after a common prologue), run it with `devices`, expect it to stop at its BKPT. */
function runProgram(body: string, devices: Device[]) {
  const a = assemble(`
        .syntax unified
        .cpu    cortex-m4
        .thumb
        .text
        .global _start
        .thumb_func
_start:
${body}
  `, { fileName: 'uart.s' });
  expect(a.errors).toEqual([]);
  const m = createMachine({ devices });
  m.load({ sections: a.sections, entry: a.entry });
  const r = m.run({ maxInstructions: 100_000 });
  expect(r.reason).toBe('bkpt');
  return m;
}

const MSG = 'Hello, UART!\n';

describe('CMSDK APB UART', () => {
  const BASE = 0x40004000;

  it('prints a string from a program that sets BAUDDIV, enables TX and polls STATE.TXFULL', () => {
    const out: number[] = [];
    const uart = new CmsdkApbUart({ base: BASE, sink: (b) => out.push(b) });
    const m = runProgram(`
        ldr     r0, =0x40004000
        movs    r1, #16
        str     r1, [r0, #0x10]         @ BAUDDIV: the minimum, 16
        movs    r1, #1
        str     r1, [r0, #0x08]         @ CTRL: TX enable
        ldr     r2, =msg
1:      ldrb    r1, [r2], #1
        cbz     r1, 3f
2:      ldr     r3, [r0, #0x04]         @ STATE
        tst     r3, #1                  @ TX buffer full?
        bne     2b
        str     r1, [r0]                @ DATA
        b       1b
3:      ldr     r4, [r0, #0x04]         @ STATE after the last write
        ldr     r5, [r0, #0x10]
        bkpt    #0
        .ltorg
msg:    .asciz  "${MSG.replace('\n', '\\n')}"
    `, [uart]);
    expect(text(out)).toBe(MSG);
    expect(m.reg('r4')).toBe(0); // QEMU: TXFULL clears as soon as the byte is sent
    expect(m.reg('r5')).toBe(16);
    expect(uart.baudRate).toBe(25_000_000 / 16);
  });

  it('byte stores (strb) to DATA transmit too', () => {
    const out: number[] = [];
    const uart = new CmsdkApbUart({ base: BASE, sink: (b) => out.push(b) });
    runProgram(`
        ldr     r0, =0x40004000
        movs    r1, #1
        strb    r1, [r0, #0x08]
        movs    r1, #'O'
        strb    r1, [r0]
        movs    r1, #'K'
        strb    r1, [r0]
        bkpt    #0
    `, [uart]);
    expect(text(out)).toBe('OK');
  });

  it('reset values and the ID registers (PID4-7, PID0-3, CID0-3)', () => {
    const uart = new CmsdkApbUart({ base: BASE, sink: () => {} });
    for (const o of [0x000, 0x004, 0x008, 0x00c, 0x010]) expect(uart.read(o, 4)).toBe(0);
    const ids = Array.from({ length: 12 }, (_, i) => uart.read(0xfd0 + 4 * i, 4));
    expect(ids).toEqual([0x04, 0x00, 0x00, 0x00, 0x21, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    expect(ids).toEqual(CMSDK_UART_ID);
    // part number 0x821, JEP106 0x3B (Arm) with continuation code 4, PrimeCell component preamble 0xB105F00D
    expect(ids[4]! | ((ids[5]! & 0xf) << 8)).toBe(0x821);
    expect(((ids[5]! >>> 4) | ((ids[6]! & 7) << 4))).toBe(0x3b);
    expect((ids[8]! | (ids[9]! << 8) | (ids[10]! << 16) | (ids[11]! << 24)) >>> 0).toBe(0xb105f00d);
    uart.write(0xfe0, 4, 0x55); // read-only
    expect(uart.read(0xfe0, 4)).toBe(0x21);
  });

  it('DATA written with TX disabled: held, TXFULL set, never sent; further writes set TXOVERRUN (as QEMU)', () => {
    const out: number[] = [];
    const uart = new CmsdkApbUart({ base: BASE, sink: (b) => out.push(b) });
    uart.write(0, 4, 0x41);
    expect(uart.read(4, 4)).toBe(0b0001);
    uart.write(0, 4, 0x42);
    expect(uart.read(4, 4)).toBe(0b0101);
    uart.write(8, 4, 1 | 16); // TX enable, TX overrun interrupt enable: QEMU sends nothing on enable
    expect(out).toEqual([]);
    expect(uart.read(0xc, 4)).toBe(0b0100);
    expect(uart.irq).toBe(true);
    uart.write(0xc, 4, 0b0100); // INTCLEAR of TXO clears STATE.TXOVERRUN
    expect(uart.read(4, 4)).toBe(0b0001);
    expect(uart.read(0xc, 4)).toBe(0);
    uart.write(0, 4, 0x43); // still full
    expect(out).toEqual([]);
    expect(uart.read(4, 4)).toBe(0b0101);
    uart.write(4, 4, 0xf); // W1C overrun bits only; TXFULL is read-only
    expect(uart.read(4, 4)).toBe(0b0001);
    uart.reset();
    uart.write(8, 4, 1);
    uart.write(0, 4, 0x44);
    expect(out).toEqual([0x44]);
  });

  it('TX interrupt status after a sent byte, CTRL keeps bits 6:0, BAUDDIV keeps 19:0 and below 16 gives no baud rate', () => {
    const uart = new CmsdkApbUart({ base: BASE, sink: () => {} });
    uart.write(8, 4, 0xffffffff);
    expect(uart.read(8, 4)).toBe(0x7f);
    uart.write(0, 4, 0x30);
    expect(uart.read(0xc, 4)).toBe(0b0001);
    uart.write(0xc, 4, 1);
    expect(uart.read(0xc, 4)).toBe(0);
    uart.write(0x10, 4, 0xffffffff);
    expect(uart.read(0x10, 4)).toBe(0xfffff);
    uart.write(0x10, 4, 15);
    expect(uart.baudRate).toBeUndefined();
  });

  it('receives a byte from the input source: STATE.RXFULL, DATA, RXFULL clear', () => {
    const rx = [...'hi'].map((c) => c.charCodeAt(0));
    const uart = new CmsdkApbUart({ base: BASE, sink: () => {}, input: () => rx.shift() });
    expect(uart.read(4, 4)).toBe(0); // RX disabled: the source is not polled
    expect(rx.length).toBe(2);
    const m = runProgram(`
        ldr     r0, =0x40004000
        movs    r1, #2 | 8
        str     r1, [r0, #0x08]         @ CTRL: RX enable, RX interrupt enable
1:      ldr     r3, [r0, #0x04]
        tst     r3, #2                  @ RX buffer full?
        beq     1b
        ldr     r6, [r0, #0x0c]         @ INTSTATUS
        ldr     r4, [r0]                @ DATA
        ldr     r5, [r0, #0x04]         @ STATE: the next byte is already in (read polls the source)
        bkpt    #0
    `, [uart]);
    expect(m.reg('r3')).toBe(2);
    expect(m.reg('r6')).toBe(2);
    expect(m.reg('r4')).toBe(0x68);
    expect(m.reg('r5')).toBe(2);
    expect(uart.read(0, 4)).toBe(0x69);
    expect(uart.read(4, 4)).toBe(0);
  });

  it('receive(): dropped while RX is disabled, RXOVERRUN when the held byte was not read', () => {
    const uart = new CmsdkApbUart({ base: BASE, sink: () => {} });
    expect(uart.receive(1)).toBe(false);
    expect(uart.read(4, 4)).toBe(0);
    uart.write(8, 4, 2 | 32);
    expect(uart.receive(1)).toBe(true);
    expect(uart.receive(2)).toBe(false);
    expect(uart.read(4, 4)).toBe(0b1010);
    expect(uart.read(0xc, 4)).toBe(0b1000);
    expect(uart.read(0, 4)).toBe(2); // the newer byte replaced it (QEMU)
    expect(uart.read(4, 4)).toBe(0b1000);
  });

  it('narrow accesses: at a register address they act on it, elsewhere read 0 and are ignored (QEMU decodes exact offsets)', () => {
    const out: number[] = [];
    const uart = new CmsdkApbUart({ base: BASE, sink: (b) => out.push(b) });
    uart.write(8, 2, 1);
    uart.write(1, 1, 0x41); // not DATA's address
    uart.write(0, 1, 0x42);
    expect(out).toEqual([0x42]);
    uart.write(0x10, 4, 0x12345);
    expect(uart.read(0x12, 2)).toBe(0);
    expect(uart.read(0xfe1, 1)).toBe(0);
    expect(uart.read(0x020, 4)).toBe(0);
  });
});

describe('STM32 USART', () => {
  /** USART2 of the F411 and the F746 */
  const BASE = 0x40004400;

  const PROGRAMS: Record<UsartLayout, string> = {
    // RM0383: SR 0x00 (TXE bit 7), DR 0x04, BRR 0x08, CR1 0x0C (UE bit 13, TE bit 3, RE bit 2)
    f4: `
        ldr     r0, =0x40004400
        movw    r1, #0x8b               @ 115200 baud from 16 MHz: 8.6875
        str     r1, [r0, #0x08]         @ BRR
        movw    r1, #(1 << 13) | (1 << 3) | (1 << 2)
        str     r1, [r0, #0x0c]         @ CR1: UE, TE, RE
        ldr     r2, =msg
1:      ldrb    r1, [r2], #1
        cbz     r1, 3f
2:      ldr     r3, [r0, #0x00]         @ SR
        tst     r3, #0x80               @ TXE
        beq     2b
        str     r1, [r0, #0x04]         @ DR
        b       1b
3:      ldr     r3, [r0, #0x00]
        tst     r3, #0x40               @ TC: wait for the last frame
        beq     3b
        ldr     r4, [r0, #0x00]
        ldr     r5, [r0, #0x0c]
        bkpt    #0
        .ltorg
msg:    .asciz  "${MSG.replace('\n', '\\n')}"
    `,
    // RM0385: CR1 0x00 (UE bit 0, RE bit 2, TE bit 3), BRR 0x0C, ISR 0x1C (TXE 7, TC 6, TEACK 21), TDR 0x28
    f7: `
        ldr     r0, =0x40004400
        movw    r1, #0x8b
        str     r1, [r0, #0x0c]         @ BRR
        movs    r1, #(1 << 0) | (1 << 2) | (1 << 3)
        str     r1, [r0, #0x00]         @ CR1: UE, RE, TE
0:      ldr     r3, [r0, #0x1c]         @ ISR
        tst     r3, #(1 << 21)          @ TEACK, as the HAL waits for it
        beq     0b
        ldr     r2, =msg
1:      ldrb    r1, [r2], #1
        cbz     r1, 3f
2:      ldr     r3, [r0, #0x1c]
        tst     r3, #0x80               @ TXE
        beq     2b
        strb    r1, [r0, #0x28]         @ TDR (the HAL writes it as a halfword; a byte works here too)
        b       1b
3:      ldr     r3, [r0, #0x1c]
        tst     r3, #0x40               @ TC
        beq     3b
        ldr     r4, [r0, #0x1c]
        ldr     r5, [r0, #0x00]
        bkpt    #0
        .ltorg
msg:    .asciz  "${MSG.replace('\n', '\\n')}"
    `,
  };

  for (const layout of ['f4', 'f7'] as const) {
    it(`${layout}: a program enables the USART and prints a string through the data register`, () => {
      const out: number[] = [];
      const usart = new Stm32Usart({ base: BASE, layout, sink: (b) => out.push(b) });
      const m = runProgram(PROGRAMS[layout], [usart]);
      expect(text(out)).toBe(MSG);
      if (layout === 'f4') {
        expect(m.reg('r4')).toBe(0xc0);
        expect(m.reg('r5')).toBe(0x200c);
      } else {
        expect(m.reg('r4')).toBe(0xc0 | (1 << 21) | (1 << 22));
        expect(m.reg('r5')).toBe(0xd);
      }
    });
  }

  it('f4: SR resets to 0x00C0 (TXE, TC); BRR/CR1/CR2/CR3/GTPR read back their implemented bits', () => {
    const u = new Stm32Usart({ base: BASE, sink: () => {} });
    expect(u.read(0x00, 4)).toBe(0xc0);
    const regs: [number, number][] = [[0x08, 0xffff], [0x0c, 0xbfff], [0x10, 0x7f6f], [0x14, 0x0fff], [0x18, 0xffff]];
    for (const [o] of regs) expect(u.read(o, 4)).toBe(0);
    for (const [o, mask] of regs) { u.write(o, 4, 0xffffffff); expect(u.read(o, 4)).toBe(mask); }
    expect(u.read(0x1c, 4)).toBe(0); // no register
  });

  it('f4: the data register sends nothing unless UE and TE are both set, and flags do not change', () => {
    const out: number[] = [];
    const u = new Stm32Usart({ base: BASE, sink: (b) => out.push(b) });
    u.write(0x04, 4, 0x31);
    u.write(0x0c, 4, 1 << 3); // TE without UE
    u.write(0x04, 4, 0x32);
    u.write(0x0c, 4, 1 << 13); // UE without TE
    u.write(0x04, 4, 0x33);
    expect(out).toEqual([]);
    expect(u.read(0x00, 4)).toBe(0xc0);
    u.write(0x0c, 4, (1 << 13) | (1 << 3));
    u.write(0x04, 4, 0x134); // 9 bits written, the sink gets bits 7:0
    expect(out).toEqual([0x34]);
  });

  it('f4: TC is rc_w0 and set again by the next transmission; writing 1s changes nothing', () => {
    const u = new Stm32Usart({ base: BASE, sink: () => {} });
    u.write(0x0c, 4, (1 << 13) | (1 << 3));
    u.write(0x00, 4, 0xffffffff);
    expect(u.read(0x00, 4)).toBe(0xc0);
    u.write(0x00, 4, ~0x40);
    expect(u.read(0x00, 4)).toBe(0x80);
    u.write(0x04, 4, 0x41);
    expect(u.read(0x00, 4)).toBe(0xc0);
  });

  for (const layout of ['f4', 'f7'] as const) {
    it(`${layout}: a byte from the input source: RXNE, data register, RXNE clear`, () => {
      const rx = [0x7a];
      const u = new Stm32Usart({ base: BASE, layout, sink: () => {}, input: () => rx.shift() });
      const [SR, DR, CR1, UE] = layout === 'f4' ? [0x00, 0x04, 0x0c, 1 << 13] : [0x1c, 0x24, 0x00, 1];
      expect(u.read(SR, 4) & 0x20).toBe(0); // receiver off: source not polled
      expect(rx.length).toBe(1);
      const m = runProgram(`
        ldr     r0, =0x40004400
        ldr     r1, =${UE | 4}
        str     r1, [r0, #${CR1}]       @ UE, RE
1:      ldr     r3, [r0, #${SR}]
        tst     r3, #0x20               @ RXNE
        beq     1b
        ldr     r4, [r0, #${DR}]
        ldr     r5, [r0, #${SR}]
        bkpt    #0
      `, [u]);
      expect(m.reg('r4')).toBe(0x7a);
      expect(m.reg('r3') & 0xff).toBe(0xe0);
      expect(m.reg('r5') & 0xff).toBe(0xc0);
      if (layout === 'f7') expect(m.reg('r5')).toBe(0xc0 | (1 << 22));
    });
  }

  it('overrun: ORE set, the held byte kept; f4 clears it with a DR read, f7 with ICR.ORECF', () => {
    const f4 = new Stm32Usart({ base: BASE, sink: () => {} });
    f4.write(0x0c, 4, (1 << 13) | (1 << 2));
    expect(f4.receive(1)).toBe(true);
    expect(f4.receive(2)).toBe(false);
    expect(f4.read(0x00, 4)).toBe(0xc0 | 0x20 | 0x08);
    expect(f4.read(0x04, 4)).toBe(1);
    expect(f4.read(0x00, 4)).toBe(0xc0);

    const f7 = new Stm32Usart({ base: BASE, layout: 'f7', sink: () => {} });
    f7.write(0x00, 4, 1 | (1 << 2));
    f7.receive(1); f7.receive(2);
    expect(f7.read(0x1c, 4)).toBe(0xc0 | 0x20 | 0x08 | (1 << 22));
    expect(f7.read(0x24, 4)).toBe(1);
    expect(f7.read(0x1c, 4)).toBe(0xc0 | 0x08 | (1 << 22));
    f7.write(0x20, 4, 1 << 3);
    expect(f7.read(0x1c, 4)).toBe(0xc0 | (1 << 22));
    f7.receive(3);
    f7.write(0x18, 4, 1 << 3); // RQR.RXFRQ drops it
    expect(f7.read(0x1c, 4) & 0x20).toBe(0);
  });

  it('f7: TEACK/REACK follow UE&TE, UE&RE; ICR.TCCF clears TC; clearing UE resets the ISR flags; ISR is read-only', () => {
    const u = new Stm32Usart({ base: BASE, layout: 'f7', sink: () => {} });
    expect(u.read(0x1c, 4)).toBe(0xc0);
    u.write(0x00, 4, (1 << 3) | (1 << 2));
    expect(u.read(0x1c, 4)).toBe(0xc0);
    u.write(0x00, 4, 1 | (1 << 3) | (1 << 2));
    expect(u.read(0x1c, 4)).toBe(0xc0 | (3 << 21));
    u.write(0x20, 4, 1 << 6);
    expect(u.read(0x1c, 4)).toBe(0x80 | (3 << 21));
    u.write(0x1c, 4, 0xffffffff);
    expect(u.read(0x1c, 4)).toBe(0x80 | (3 << 21));
    u.receive(5);
    u.write(0x00, 4, 0);
    expect(u.read(0x1c, 4)).toBe(0xc0);
    expect(u.read(0x18, 4)).toBe(0); // RQR, ICR, TDR are write-only
    expect(u.read(0x20, 4)).toBe(0);
    expect(u.read(0x28, 4)).toBe(0);
    expect(u.read(0x2c, 4)).toBe(0);
  });

  it('narrow accesses act on the aligned register: lanes read, written lanes replaced, the others kept', () => {
    const out: number[] = [];
    const u = new Stm32Usart({ base: BASE, sink: (b) => out.push(b) });
    u.write(0x0c, 2, (1 << 13) | (1 << 3)); // CR1 as a halfword, as the HAL does
    u.write(0x0d, 1, 0x20); // byte 1 of CR1 = bits 15:8: UE stays, TE (byte 0) kept
    expect(u.read(0x0c, 4)).toBe(0x2008);
    expect(u.read(0x0d, 1)).toBe(0x20);
    expect(u.read(0x0c, 2)).toBe(0x2008);
    u.write(0x05, 1, 0x41); // DR without bits 7:0: ignored
    u.write(0x04, 2, 0x42);
    u.write(0x01, 1, 0x00); // SR byte 1: TC (byte 0) kept
    expect(out).toEqual([0x42]);
    expect(u.read(0x00, 1)).toBe(0xc0);
    u.write(0x08, 4, 0x1234);
    u.write(0x09, 1, 0xab);
    expect(u.read(0x08, 4)).toBe(0xab34);
  });
});

describe('peripheral factory', () => {
  it('maps the board kind names to constructors and names the known kinds for an unknown one', () => {
    expect(peripheralKinds()).toEqual(['cmsdk-uart', 'stm32f4-flash', 'stm32f4-usart', 'stm32f7-flash', 'stm32f7-usart', 'stm32h7-flash', 'stm32h7-usart']);
    const out: number[] = [];
    const c = createPeripheral('cmsdk-uart', { base: 0x40004000, sink: (b) => out.push(b) });
    expect(c).toBeInstanceOf(CmsdkApbUart);
    expect([c.base, c.size, c.name]).toEqual([0x40004000, 0x1000, 'uart']);
    const layouts = { 'stm32f4-usart': 'f4', 'stm32f7-usart': 'f7', 'stm32h7-usart': 'f7' } as const;
    for (const [kind, layout] of Object.entries(layouts)) {
      const s = createPeripheral(kind, { base: 0x40011000, name: 'usart1', sink: (b) => out.push(b) });
      expect(s).toBeInstanceOf(Stm32Usart);
      expect((s as Stm32Usart).layout).toBe(layout);
      expect([s.base, s.size, s.name]).toEqual([0x40011000, 0x400, 'usart1']);
    }
    expect(Object.isFrozen(PERIPHERALS)).toBe(true);
    expect(() => createPeripheral('pl011', { base: 0, sink: () => {} }))
      .toThrow(/unknown peripheral kind 'pl011' \(known: cmsdk-uart, stm32f4-flash, stm32f4-usart, stm32f7-flash, stm32f7-usart, stm32h7-flash, stm32h7-usart\)/);
    expect(() => createPeripheral('toString', { base: 0, sink: () => {} })).toThrow(RangeError);
  });
});

describe('robustness', () => {
  const access = fc.record({
    write: fc.boolean(),
    size: fc.constantFrom(1 as const, 2 as const, 4 as const),
    offset: fc.integer({ min: 0, max: 0xfff }),
    value: fc.integer({ min: 0, max: 0xffffffff }),
  });
  const makers: [string, (sink: (b: number) => void, input: () => number | undefined) => Device][] = [
    ['cmsdk', (sink, input) => new CmsdkApbUart({ base: 0x40004000, sink, input })],
    ['stm32 f4', (sink, input) => new Stm32Usart({ base: 0x40004400, size: 0x1000, sink, input })],
    ['stm32 f7', (sink, input) => new Stm32Usart({ base: 0x40004400, size: 0x1000, layout: 'f7', sink, input })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: random accesses to random offsets never throw, reads fit their size, the sink gets bytes`, () => {
      fc.assert(fc.property(fc.array(access, { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 0x1ff }), { maxLength: 8 }), (ops, rx) => {
        const out: number[] = [];
        const q = [...rx];
        const d = make((b) => out.push(b), () => q.shift());
        for (const a of ops) {
          const off = a.offset - (a.offset % a.size); // the bus passes any offset inside the window; keep it inside
          if (a.write) d.write(off, a.size, a.size === 4 ? a.value : a.value & (a.size === 2 ? 0xffff : 0xff));
          else {
            const v = d.read(off, a.size);
            expect(Number.isInteger(v) && v >= 0 && v <= (a.size === 4 ? 0xffffffff : a.size === 2 ? 0xffff : 0xff)).toBe(true);
          }
        }
        expect(out.every((b) => Number.isInteger(b) && b >= 0 && b <= 0xff)).toBe(true);
      }));
    });
  }
  it('unaligned offsets through the bus never throw either', () => {
    fc.assert(fc.property(fc.array(access, { maxLength: 40 }), (ops) => {
      const c = new CmsdkApbUart({ base: 0x40004000, sink: () => {} });
      const s = new Stm32Usart({ base: 0x40005000, size: 0x1000, layout: 'f7', sink: () => {} });
      const m = createMachine({ devices: [c, s] });
      for (const a of ops) {
        for (const base of [0x40004000, 0x40005000]) {
          const addr = base + Math.min(a.offset, 0x1000 - a.size);
          if (a.write) (a.size === 1 ? m.write8 : a.size === 2 ? m.write16 : m.write32).call(m, addr, a.value);
          else (a.size === 1 ? m.read8 : a.size === 2 ? m.read16 : m.read32).call(m, addr);
        }
      }
    }));
  });
});
