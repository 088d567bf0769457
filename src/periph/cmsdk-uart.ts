/**
 * The Arm CMSDK APB UART (Cortex-M System Design Kit TRM, DDI 0479), the UART of QEMU's mps2 boards. It behaves as
 * QEMU's model of it (hw/char/cmsdk-apb-uart.c) does, as firmware sees it, with the output always ready.
 *
 * Registers (offsets in the 4 KB window):
 *   0x000 DATA       write: transmit bits 7:0; read: the received byte, clears STATE.RXFULL
 *   0x004 STATE      bit 0 TX buffer full, bit 1 RX buffer full (read-only), bit 2 TX overrun, bit 3 RX overrun
 *                    (write 1 to clear)
 *   0x008 CTRL       bit 0 TX enable, 1 RX enable, 2 TX interrupt enable, 3 RX interrupt enable, 4 TX overrun
 *                    interrupt enable, 5 RX overrun interrupt enable, 6 high-speed test mode; bits 31:7 read 0
 *   0x00C INTSTATUS  read: bit 0 TX, 1 RX, 2 TX overrun, 3 RX overrun interrupt; INTCLEAR on write (1 clears)
 *   0x010 BAUDDIV    20 bits
 *   0xFD0-0xFFC      PID4-PID7, PID0-PID3, CID0-CID3: 0x04 0 0 0, 0x21 0xB8 0x1B 0, 0x0D 0xF0 0x05 0xB1
 *                    (QEMU's values: part number 0x821, Arm's JEP106 code, revision 1; CID the PrimeCell preamble)
 *
 * Facts taken from QEMU's model (read through the search tool; no code copied):
 * - A write to DATA stores the byte and sets TXFULL (if TXFULL was already set, it sets TXOVERRUN instead and the
 *   new byte replaces the held one). The byte goes out only if CTRL.TX enable is set; then TXFULL clears at once, so
 *   STATE reads 0 right after a write (here always: the sink never blocks), and the TX interrupt status bit is set
 *   when CTRL.TX interrupt enable is. With TX disabled the byte stays held with TXFULL set; enabling TX later does
 *   not send it (QEMU sends only from a DATA write), so TXFULL stays set until reset and each further DATA write sets
 *   TXOVERRUN. Firmware that writes DATA before enabling TX therefore loses that byte here as in QEMU.
 * - The overrun interrupt status bits are STATE's overrun bits ANDed with their CTRL enables; writing 1 to an overrun
 *   bit of INTCLEAR clears the STATE overrun bit too. STATE's TXFULL/RXFULL bits are read-only.
 * - A received byte is dropped when RX is disabled; one arriving while RXFULL is set sets RXOVERRUN and replaces the
 *   held byte; the RX interrupt status bit is set when CTRL.RX interrupt enable is.
 * - BAUDDIV keeps bits 19:0. The TRM's minimum divider is 16: QEMU ignores smaller values for the line speed (and
 *   only logs a guest error when TX is enabled with one) but still transmits, and so do we; `baudRate` is undefined
 *   for them.
 * - Reset: every register 0.
 * - Accesses: QEMU decodes the exact offset with any access size. A byte or halfword access at a register's address
 *   acts on that register (a byte read of DATA takes the received byte; a narrow write stores the zero-extended
 *   value); any other offset, including the upper bytes of a register, reads 0 and ignores writes, as do the offsets
 *   no register uses.
 *
 * Reception: with `input`, a byte is taken from it when RX is enabled, RXFULL is clear, and firmware reads DATA,
 * STATE or INTSTATUS, so a polling loop sees bytes arrive and the source never causes an overrun. `receive(byte)`
 * pushes a byte as a line would (with QEMU's overrun and drop rules). The interrupt outputs are computed (`irq`)
 * but not wired: the exception model comes with a later issue.
 */
import type { Device } from '../mem/device.js';
import type { ByteSink, ByteSource, UartOptions } from './index.js';

const DATA = 0x000, STATE = 0x004, CTRL = 0x008, INTSTATUS = 0x00c, BAUDDIV = 0x010, PID4 = 0xfd0, CID3 = 0xffc;

/** STATE bits */
export const CMSDK_STATE = { TXFULL: 1, RXFULL: 2, TXOVERRUN: 4, RXOVERRUN: 8 } as const;
/** CTRL bits */
export const CMSDK_CTRL = { TXEN: 1, RXEN: 2, TXINTEN: 4, RXINTEN: 8, TXOINTEN: 16, RXOINTEN: 32, HSTEST: 64 } as const;
/** INTSTATUS / INTCLEAR bits */
export const CMSDK_INT = { TX: 1, RX: 2, TXO: 4, RXO: 8 } as const;
/** PID4..PID7, PID0..PID3, CID0..CID3 (0xFD0..0xFFC), as QEMU's model gives them (it follows DDI 0479C) */
export const CMSDK_UART_ID: readonly number[] = [0x04, 0x00, 0x00, 0x00, 0x21, 0xb8, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

export interface CmsdkUartOptions extends UartOptions {
  /** APB clock in Hz (baudRate = pclkHz / BAUDDIV); default 25 MHz, QEMU's mps2-an385/an386 */
  pclkHz?: number;
}

export class CmsdkApbUart implements Device {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly pclkHz: number;
  private readonly sink: ByteSink;
  private readonly input: ByteSource | undefined;
  state = 0;
  ctrl = 0;
  intstatus = 0;
  bauddiv = 0;
  private txbuf = 0;
  private rxbuf = 0;

  constructor(opts: CmsdkUartOptions) {
    this.name = opts.name ?? 'uart';
    this.base = opts.base >>> 0;
    this.size = opts.size ?? 0x1000;
    if (this.size < 0x1000) throw new RangeError(`${this.name}: a CMSDK UART window is 4 KB (0x1000), not ${this.size}`);
    this.pclkHz = opts.pclkHz ?? 25_000_000;
    this.sink = opts.sink;
    this.input = opts.input;
  }

  reset(): void {
    this.state = this.ctrl = this.intstatus = this.bauddiv = this.txbuf = this.rxbuf = 0;
  }

  /** Bits per second the divider gives, undefined below the minimum divider 16 (or above the clock). */
  get baudRate(): number | undefined {
    return this.bauddiv >= 16 && this.bauddiv <= this.pclkHz ? this.pclkHz / this.bauddiv : undefined;
  }

  /** The combined interrupt output (UARTINT): any INTSTATUS bit set. */
  get irq(): boolean { return this.intstatus !== 0; }

  /** A byte arriving on the receive line. Returns false when it was dropped (RX disabled) or overran the held byte. */
  receive(byte: number): boolean {
    if (!(this.ctrl & CMSDK_CTRL.RXEN)) return false;
    const overrun = (this.state & CMSDK_STATE.RXFULL) !== 0;
    if (overrun) this.state |= CMSDK_STATE.RXOVERRUN;
    this.rxbuf = byte & 0xff;
    this.state |= CMSDK_STATE.RXFULL;
    if (this.ctrl & CMSDK_CTRL.RXINTEN) this.intstatus |= CMSDK_INT.RX;
    this.update();
    return !overrun;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    const v = this.readReg(offset);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  private readReg(offset: number): number {
    switch (offset) {
      case DATA:
        this.poll();
        this.state &= ~CMSDK_STATE.RXFULL;
        this.update();
        return this.rxbuf;
      case STATE: this.poll(); return this.state;
      case CTRL: return this.ctrl;
      case INTSTATUS: this.poll(); return this.intstatus;
      case BAUDDIV: return this.bauddiv;
      default:
        if (offset >= PID4 && offset <= CID3 && (offset & 3) === 0) return CMSDK_UART_ID[(offset - PID4) >>> 2]!;
        return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value >>>= 0;
    switch (offset) {
      case DATA:
        this.txbuf = value & 0xff;
        if (this.state & CMSDK_STATE.TXFULL) {
          this.state |= CMSDK_STATE.TXOVERRUN;
          this.update();
        } else {
          this.state |= CMSDK_STATE.TXFULL;
          this.transmit();
        }
        return;
      case STATE:
        this.state &= ~(value & (CMSDK_STATE.TXOVERRUN | CMSDK_STATE.RXOVERRUN));
        this.update();
        return;
      case CTRL:
        this.ctrl = value & 0x7f;
        this.update();
        return;
      case INTSTATUS:
        this.state &= ~(value & (CMSDK_INT.TXO | CMSDK_INT.RXO));
        this.intstatus &= ~value;
        this.update();
        return;
      case BAUDDIV:
        this.bauddiv = value & 0xfffff;
        return;
      default:
        return; // ID registers are read-only; other offsets hold nothing
    }
  }

  /** Send the held byte if TX is enabled (the sink takes it at once). */
  private transmit(): void {
    if (!(this.ctrl & CMSDK_CTRL.TXEN) || !(this.state & CMSDK_STATE.TXFULL)) return;
    this.sink(this.txbuf);
    this.state &= ~CMSDK_STATE.TXFULL;
    if (this.ctrl & CMSDK_CTRL.TXINTEN) this.intstatus |= CMSDK_INT.TX;
    this.update();
  }

  /** Take a byte from the input source when the receiver could accept one. */
  private poll(): void {
    if (!this.input || !(this.ctrl & CMSDK_CTRL.RXEN) || (this.state & CMSDK_STATE.RXFULL)) return;
    const b = this.input();
    if (b !== undefined) this.receive(b);
  }

  /** The overrun interrupt status bits follow STATE's overrun bits ANDed with their CTRL enables. */
  private update(): void {
    const omask = CMSDK_INT.TXO | CMSDK_INT.RXO;
    this.intstatus = (this.intstatus & ~omask) | (this.state & (this.ctrl >>> 2) & omask);
  }
}
