import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { UsageTracker } from '../../src/mem/usage.js';
import { FlatBus } from '../../src/mem/flat.js';
import { UnmodelledDevice, type Device } from '../../src/mem/device.js';
import { createMachine } from '../../src/machine.js';
import { assemble } from '../../src/asm/assembler.js';

/** A device that records every access: the shape a UART data register has. */
class Recorder implements Device {
  readonly log: string[] = [];
  constructor(readonly name: string, readonly base: number, readonly size: number, private readonly value = 0x1234abcd) {}
  read(offset: number, size: number): number { this.log.push(`r${size}@${offset}`); return size === 4 ? this.value >>> 0 : this.value & (size === 2 ? 0xffff : 0xff); }
  write(offset: number, size: number, v: number): void { this.log.push(`w${size}@${offset}=${v.toString(16)}`); }
}

describe('bus', () => {
  it('little-endian RAM: a word written reads back as its bytes and halfwords, aligned or not', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1020 }), fc.integer({ min: 0, max: 0xffffffff }), (o, v) => {
      const b = new FlatBus([{ name: 'ram', base: 0x1000, size: 1024 }]);
      b.w32(0x1000 + o, v);
      const bytes = [0, 1, 2, 3].map((i) => b.r8(0x1000 + o + i));
      expect(bytes).toEqual([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
      expect(b.r16(0x1000 + o)).toBe(v & 0xffff);
      expect(b.r32(0x1000 + o) >>> 0).toBe(v >>> 0);
    }));
  });
  it('records the lowest and highest byte written per region', () => {
    const b = new FlatBus([{ name: 'ram', base: 0x2000, size: 256 }]);
    const u = new UsageTracker();
    u.trackAll(b.regions);
    b.w8(0x2010, 1); b.w32(0x2040, 7); b.w16(0x2008, 3);
    const r = u.report().regions[0]!;
    expect([r.lowest, r.highest]).toEqual([0x2008, 0x2043]);
  });
  it('an access outside every region and device is a precise bus fault, also when it straddles the end', () => {
    const b = new FlatBus([{ name: 'ram', base: 0, size: 16 }]);
    expect(() => b.r32(14)).toThrow(expect.objectContaining({ kind: 'BusFault', reason: 'PRECISERR', address: 14 }));
    expect(() => b.w8(16, 0)).toThrow(expect.objectContaining({ message: 'write of 1 byte at 0x00000010 outside the memory map' }));
  });
  it('rejects overlapping regions and devices', () => {
    expect(() => new FlatBus([{ name: 'a', base: 0, size: 64 }], [new Recorder('uart', 32, 16)])).toThrow(/a and uart overlap/);
  });
  it('sends device accesses to the device with their offset and size, masked to the size', () => {
    const uart = new Recorder('uart', 0x40004000, 0x1000);
    const b = new FlatBus([{ name: 'ram', base: 0, size: 64 }], [uart]);
    b.w8(0x40004000, 0x141);
    b.w32(0x40004008, -1);
    expect(b.r16(0x40004004)).toBe(0xabcd);
    expect(uart.log).toEqual(['w1@0=41', 'w4@8=ffffffff', 'r2@4']);
  });
  it('unmodelled peripheral space reads 0, ignores writes and remembers each address once', () => {
    const rcc = new UnmodelledDevice('peripherals', 0x40000000, 0x20000000);
    const m = createMachine({ devices: [rcc] });
    const a = assemble(`
        .syntax unified
        .thumb
    _start:
        ldr   r0, =0x40023830     @ e.g. an STM32 RCC enable register
        ldr   r1, [r0]
        orr   r1, r1, #1
        str   r1, [r0]
        ldr   r2, [r0]
        bkpt  #0
    `);
    m.load({ sections: a.sections, entry: a.entry });
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r1')).toBe(1);
    expect(m.reg('r2')).toBe(0);
    expect([...rcc.touched]).toEqual([[0x40023830, { reads: 2, writes: 1 }]]);
  });
});
