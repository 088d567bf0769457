/**
 * An STM32 USART reduced to what firmware needs to print and read bytes: the data register goes to a sink at once,
 * so the transmitter is never busy. Two register layouts:
 *
 * 'f4' (RM0383, STM32F411, chapter 19 (USART), register section; the F1/F2/F4 families share the map):
 *   0x00 SR    bit 7 TXE, 6 TC, 5 RXNE, 3 ORE (others 0); reset value 0x0000_00C0. TC and RXNE are rc_w0
 *              (writing 0 clears them, writing 1 changes nothing); the other bits are read-only.
 *   0x04 DR    bits 8:0; write: transmit, read: the received data, clears RXNE (and ORE: the manual's clearing
 *              sequence is an SR read followed by a DR read; a DR read alone clears it here)
 *   0x08 BRR   bits 15:0          0x0C CR1  bit 13 UE, 3 TE, 2 RE, 7 TXEIE, 6 TCIE, 5 RXNEIE (mask 0xBFFF)
 *   0x10 CR2   mask 0x7F6F        0x14 CR3  mask 0x0FFF          0x18 GTPR bits 15:0
 * 'f7' (RM0385 STM32F7, RM0433 STM32H7; QEMU's STM32L4 model has the same map):
 *   0x00 CR1 (bit 0 UE, 2 RE, 3 TE, same interrupt enables)   0x04 CR2   0x08 CR3   0x0C BRR (15:0)   0x10 GTPR
 *   0x14 RTOR   0x18 RQR (write-only; bit 3 RXFRQ clears RXNE)   0x1C ISR (read-only: TXE 7, TC 6, RXNE 5, ORE 3,
 *   TEACK 21 and REACK 22, which follow UE&TE and UE&RE at once; reset 0x0000_00C0 as modelled, bits this model
 *   has no use for such as TCBGT or the H7 FIFO flags read 0)   0x20 ICR (write 1: bit 3 ORECF clears ORE, 6 TCCF
 *   clears TC)   0x24 RDR (read: clears RXNE)   0x28 TDR (write: transmit). Clearing UE resets the ISR flags to
 *   their reset values (RM0385's description of CR1.UE).
 *
 * Transmission: a write to the data register sends bits 7:0 to the sink when UE and TE are both set, and TC is set
 * (TXE never clears). When UE or TE is clear the byte is dropped and no flag changes: a real USART sends nothing
 * then (with UE set and TE clear it would hold the byte with TXE clear; firmware that polls TXE after writing with
 * the transmitter off would wait for ever on the hardware, and here it does not). 9-bit frames (M=1) and parity
 * bits (PCE=1) are not modelled: the sink gets bits 7:0 of what was written.
 *
 * Reception: with `input`, a byte is taken from it when UE and RE are set, RXNE is clear and firmware reads the
 * status or the data register. `receive(byte)` pushes a byte as a line would: dropped when the receiver is off; if
 * RXNE is still set, ORE is set and the new byte is lost (RM0383, overrun error: the RDR content is not lost).
 *
 * Accesses: RM0383 says the registers are accessed by halfwords or words; neither manual describes byte accesses.
 * Here any narrow access acts on the aligned 32-bit register: a read returns the addressed bytes of the register's
 * value (with the register's read side effects, such as a data read clearing RXNE); a write replaces the addressed
 * bytes and keeps the others' current values (a write to the data register that does not include bits 7:0 is
 * ignored). Offsets no register uses read 0 and ignore writes.
 */
import type { Device } from '../mem/device.js';
import type { ByteSink, ByteSource, UartOptions } from './index.js';

export type UsartLayout = 'f4' | 'f7';

/** Status bits (F4 SR and F7/H7 ISR share these positions). */
export const USART_SR = { ORE: 1 << 3, RXNE: 1 << 5, TC: 1 << 6, TXE: 1 << 7, TEACK: 1 << 21, REACK: 1 << 22 } as const;
/** CR1 bits common to both layouts. */
export const USART_CR1 = { RE: 1 << 2, TE: 1 << 3, RXNEIE: 1 << 5, TCIE: 1 << 6, TXEIE: 1 << 7 } as const;
/** CR1.UE per layout. */
export const USART_UE: Readonly<Record<UsartLayout, number>> = { f4: 1 << 13, f7: 1 << 0 };

type Reg = 'sr' | 'dr' | 'brr' | 'cr1' | 'cr2' | 'cr3' | 'gtpr' | 'rtor' | 'rqr' | 'isr' | 'icr' | 'rdr' | 'tdr';

/** offset -> register, and the bits a write keeps for plain configuration registers */
const LAYOUTS: Record<UsartLayout, { regs: Record<number, Reg>; masks: Partial<Record<Reg, number>> }> = {
  f4: {
    regs: { 0x00: 'sr', 0x04: 'dr', 0x08: 'brr', 0x0c: 'cr1', 0x10: 'cr2', 0x14: 'cr3', 0x18: 'gtpr' },
    masks: { brr: 0xffff, cr1: 0xbfff, cr2: 0x7f6f, cr3: 0x0fff, gtpr: 0xffff },
  },
  f7: {
    regs: { 0x00: 'cr1', 0x04: 'cr2', 0x08: 'cr3', 0x0c: 'brr', 0x10: 'gtpr', 0x14: 'rtor', 0x18: 'rqr', 0x1c: 'isr', 0x20: 'icr', 0x24: 'rdr', 0x28: 'tdr' },
    masks: { cr1: 0x1fffffff, cr2: 0xffffff70, cr3: 0x01ffffff, brr: 0xffff, gtpr: 0xffff, rtor: 0xffffffff },
  },
};

export interface Stm32UsartOptions extends UartOptions {
  /** register layout; default 'f4' */
  layout?: UsartLayout;
}

export class Stm32Usart implements Device {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly layout: UsartLayout;
  private readonly sink: ByteSink;
  private readonly input: ByteSource | undefined;
  private readonly regs: Record<number, Reg>;
  private readonly masks: Partial<Record<Reg, number>>;
  private readonly ue: number;
  /** configuration registers by name (cr1, cr2, cr3, brr, gtpr, rtor) */
  private readonly cfg = new Map<Reg, number>();
  private tc = true;
  private rxne = false;
  private ore = false;
  private rdr = 0;

  constructor(opts: Stm32UsartOptions) {
    this.layout = opts.layout ?? 'f4';
    if (this.layout !== 'f4' && this.layout !== 'f7') throw new RangeError(`stm32-usart: layout '${String(this.layout)}' is not 'f4' or 'f7'`);
    this.name = opts.name ?? 'usart';
    this.base = opts.base >>> 0;
    this.size = opts.size ?? 0x400;
    if (this.size < 0x40) throw new RangeError(`${this.name}: a USART window needs at least 0x40 bytes, not ${this.size}`);
    this.sink = opts.sink;
    this.input = opts.input;
    ({ regs: this.regs, masks: this.masks } = LAYOUTS[this.layout]);
    this.ue = USART_UE[this.layout];
  }

  reset(): void {
    this.cfg.clear();
    this.tc = true;
    this.rxne = this.ore = false;
    this.rdr = 0;
  }

  get cr1(): number { return this.cfg.get('cr1') ?? 0; }
  private get enabled(): boolean { return (this.cr1 & this.ue) !== 0; }
  get txEnabled(): boolean { return this.enabled && (this.cr1 & USART_CR1.TE) !== 0; }
  get rxEnabled(): boolean { return this.enabled && (this.cr1 & USART_CR1.RE) !== 0; }

  /** The status register's value (F4 SR, F7 ISR) without side effects. */
  get status(): number {
    let v = USART_SR.TXE | (this.tc ? USART_SR.TC : 0) | (this.rxne ? USART_SR.RXNE : 0) | (this.ore ? USART_SR.ORE : 0);
    if (this.layout === 'f7') v |= (this.txEnabled ? USART_SR.TEACK : 0) | (this.rxEnabled ? USART_SR.REACK : 0);
    return v >>> 0;
  }

  /** The interrupt output: TXE, TC, RXNE (or ORE) with their CR1 enables. */
  get irq(): boolean {
    const c = this.cr1;
    return ((c & USART_CR1.TXEIE) !== 0) || (this.tc && (c & USART_CR1.TCIE) !== 0) ||
      ((this.rxne || this.ore) && (c & USART_CR1.RXNEIE) !== 0);
  }

  /** A byte arriving on the receive line. Returns false when it was dropped (receiver off) or lost to an overrun. */
  receive(byte: number): boolean {
    if (!this.rxEnabled) return false;
    if (this.rxne) { this.ore = true; return false; }
    this.rdr = byte & 0x1ff;
    this.rxne = true;
    return true;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const reg = this.regs[offset & ~3];
    if (!reg) return 0;
    const v = this.readReg(reg) >>> 0;
    const shift = (offset & 3) * 8;
    return size === 4 && shift === 0 ? v : (v >>> shift) & (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const reg = this.regs[offset & ~3];
    if (!reg) return;
    const shift = (offset & 3) * 8;
    const lanes = shift === 0 && size === 4 ? 0xffffffff : ((size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff) << shift) >>> 0;
    const v = ((value << shift) & lanes) >>> 0;
    if (reg === 'dr' || reg === 'tdr') {
      if (shift === 0) this.transmit(v);
      return;
    }
    // the lanes not written keep their current value (for ICR and RQR, whose bits act on 1: zero)
    const current = reg === 'icr' || reg === 'rqr' ? 0 : this.peekReg(reg);
    this.writeReg(reg, ((current & ~lanes) | v) >>> 0);
  }

  private readReg(reg: Reg): number {
    switch (reg) {
      case 'sr': case 'isr': this.poll(); return this.status;
      case 'dr': case 'rdr': {
        this.poll();
        const d = this.rdr;
        this.rxne = false;
        if (reg === 'dr') this.ore = false;
        return d;
      }
      default: return this.peekReg(reg);
    }
  }

  /** A register's value without side effects (write-only registers read 0). */
  private peekReg(reg: Reg): number {
    switch (reg) {
      case 'sr': case 'isr': return this.status;
      case 'dr': case 'rdr': return this.rdr;
      case 'rqr': case 'icr': case 'tdr': return 0;
      default: return this.cfg.get(reg) ?? 0;
    }
  }

  private writeReg(reg: Reg, v: number): void {
    switch (reg) {
      case 'sr': // rc_w0: TC and RXNE clear on 0; ORE, TXE read-only
        if (!(v & USART_SR.TC)) this.tc = false;
        if (!(v & USART_SR.RXNE)) this.rxne = false;
        return;
      case 'isr': return; // read-only
      case 'icr':
        if (v & USART_SR.ORE) this.ore = false; // ORECF
        if (v & USART_SR.TC) this.tc = false; // TCCF
        return;
      case 'rqr':
        if (v & (1 << 3)) this.rxne = false; // RXFRQ
        return;
      case 'rdr': return; // read-only
      default: {
        const was = this.enabled;
        this.cfg.set(reg, (v & (this.masks[reg] ?? 0)) >>> 0);
        if (this.layout === 'f7' && reg === 'cr1' && was && !this.enabled) {
          // RM0385: clearing UE sets every ISR flag to its reset value
          this.tc = true;
          this.rxne = this.ore = false;
        }
      }
    }
  }

  private transmit(v: number): void {
    if (!this.txEnabled) return;
    this.sink(v & 0xff);
    this.tc = true;
  }

  private poll(): void {
    if (!this.input || this.rxne || !this.rxEnabled) return;
    const b = this.input();
    if (b !== undefined) this.receive(b);
  }
}
