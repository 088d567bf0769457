/**
 * Peripherals: memory-mapped Devices (src/mem/device.ts) that boards place on the bus, and a factory from a kind
 * name (as a board description spells it) to the Device's constructor.
 *
 * The UARTs write each transmitted byte to a sink and take received bytes from an optional source. Both are plain
 * functions so the core stays free of Node: the CLI connects the sink to stdout and the source to stdin.
 */
import type { Device } from '../mem/device.js';
import { CmsdkApbUart } from './cmsdk-uart.js';
import { Stm32Usart } from './stm32-usart.js';
import { Stm32FlashInterface } from './stm32-flash.js';

export { CmsdkApbUart } from './cmsdk-uart.js';
export { Stm32Usart, type UsartLayout } from './stm32-usart.js';
export { Stm32FlashInterface, FLASH_INTERFACE_KINDS, type FlashVariant, type FlashAcrTarget } from './stm32-flash.js';

/** Receives each byte a UART transmits (0-255). */
export type ByteSink = (byte: number) => void;
/** The next byte on a UART's receive line, or undefined when nothing has arrived. */
export type ByteSource = () => number | undefined;

/** What every UART takes. */
export interface UartOptions {
  /** address of the register window */
  base: number;
  /** device name in bus errors and reports; default 'uart' / 'usart' */
  name?: string;
  /** window size in bytes; default the size of the peripheral's slot in the memory map */
  size?: number;
  /** transmitted bytes */
  sink: ByteSink;
  /** received bytes: polled when the receiver is enabled, its buffer is empty and firmware reads a status or data register */
  input?: ByteSource;
}

/** The options every kind takes (each kind ignores what is not its own). */
export interface PeripheralOptions extends UartOptions {
  /** cmsdk-uart: APB clock in Hz, for the baud rate BAUDDIV gives; default 25 MHz (QEMU's mps2-an385/an386) */
  pclkHz?: number;
}

export type PeripheralConstructor = (opts: PeripheralOptions) => Device;

/**
 * Kind name -> constructor. The names are the board descriptions' peripheral kinds (src/board/schema.ts). The H7
 * USART is the F7 register map with a FIFO this model leaves out (CR1.FIFOEN reads 0: FIFO mode off, the reset
 * state, in which the H7 USART works as the F7 one does). The flash interfaces built here hold FLASH_ACR at its
 * silicon reset value and drive no timing: a board machine with memory timing takes them from the memory system
 * (src/mem/memsys.ts `devices`), connected to the wait states and the accelerator.
 */
export const PERIPHERALS: Readonly<Record<string, PeripheralConstructor>> = Object.freeze({
  /** Arm CMSDK APB UART, the UARTs of QEMU's mps2 boards (UART0 at 0x40004000) */
  'cmsdk-uart': (o: PeripheralOptions) => new CmsdkApbUart(o),
  /** STM32F4 USART (RM0383): SR, DR, BRR, CR1-3, GTPR */
  'stm32f4-usart': (o: PeripheralOptions) => new Stm32Usart({ ...o, layout: 'f4' }),
  /** STM32F7 USART (RM0385): CR1-3, BRR, GTPR, RTOR, RQR, ISR, ICR, RDR, TDR */
  'stm32f7-usart': (o: PeripheralOptions) => new Stm32Usart({ ...o, layout: 'f7' }),
  /** STM32H7 USART (RM0433) with its FIFO off: the F7 map */
  'stm32h7-usart': (o: PeripheralOptions) => new Stm32Usart({ ...o, layout: 'f7' }),
  /** STM32F4 flash interface (RM0383): FLASH_ACR LATENCY, PRFTEN, ICEN, DCEN, ICRST, DCRST */
  'stm32f4-flash': (o: PeripheralOptions) => new Stm32FlashInterface({ variant: 'f4', base: o.base, name: o.name, size: o.size }),
  /** STM32F7 flash interface (RM0385): FLASH_ACR LATENCY, PRFTEN, ARTEN, ARTRST */
  'stm32f7-flash': (o: PeripheralOptions) => new Stm32FlashInterface({ variant: 'f7', base: o.base, name: o.name, size: o.size }),
  /** STM32H7 flash interface (RM0433): FLASH_ACR LATENCY, WRHIGHFREQ */
  'stm32h7-flash': (o: PeripheralOptions) => new Stm32FlashInterface({ variant: 'h7', base: o.base, name: o.name, size: o.size }),
});

/** The known kind names, sorted. */
export function peripheralKinds(): string[] {
  return Object.keys(PERIPHERALS).sort();
}

/** Build a peripheral of a named kind; a RangeError names the known kinds when `kind` is not one. */
export function createPeripheral(kind: string, opts: PeripheralOptions): Device {
  const C = Object.prototype.hasOwnProperty.call(PERIPHERALS, kind) ? PERIPHERALS[kind] : undefined;
  if (!C) throw new RangeError(`unknown peripheral kind '${kind}' (known: ${peripheralKinds().join(', ')})`);
  return C(opts);
}
