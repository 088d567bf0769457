/**
 * The STM32 flash interface's access control register, FLASH_ACR: the wait states (LATENCY) and the accelerator
 * switches firmware sets before raising the clock. Writes change the memory timing live (through a FlashAcrTarget,
 * src/mem/memsys.ts).
 *
 * | variant | block | FLASH_ACR | bits | silicon reset |
 * |---|---|---|---|---|
 * | f4 (F411, F412; RM0383, RM0402) | 0x40023C00, 1 KB | +0x00 | LATENCY [3:0], PRFTEN 8, ICEN 9, DCEN 10, ICRST 11, DCRST 12 | 0x00000000 |
 * | f7 (F746, F767; RM0385, RM0410) | 0x40023C00, 1 KB | +0x00 | LATENCY [3:0], PRFTEN 8, ARTEN 9, ARTRST 11 | 0x00000000 |
 * | h7 (H743; RM0433) | 0x52002000, 4 KB | +0x00, mirrored at +0x100 (bank 2) | LATENCY [3:0], WRHIGHFREQ [5:4] | 0x00000037 (assumed, see below) |
 *
 * ICRST / DCRST (ARTRST) "can be written only when the cache is disabled" (RM0383): a write that sets the reset bit
 * while the same write leaves the cache disabled empties the cache (ST's HAL clears the enable, sets the reset bit,
 * clears it, enables again). The register is byte, halfword and word accessible (ST's HAL sets LATENCY with a byte
 * store to 0x40023C00). Reserved bits read as zero. The block's other registers (keys, status, control, options)
 * read as zero and ignore writes: this model times reads, it does not program flash.
 *
 * The H7's silicon reset value 0x37 (LATENCY 7, WRHIGHFREQ 3: the slowest setting, safe at any clock) is from RM0433's
 * register description as remembered; the SVD-generated register crates give 0, so it is marked assumed.
 *
 * Reset policy (decided by the lead): the device starts with the value the board's start-up code would leave
 * (memsys.ts computes it: LATENCY from the board's wait-state table at its clock, the accelerator bits on as
 * board.accelerator says); `silicon: true` starts from the silicon reset values above. A write that sets LATENCY
 * below what the table requires at the board clock is recorded in `warnings` (once per distinct message): the
 * simulator then times flash faster than silicon would run.
 */
import type { Device } from '../mem/device.js';

export type FlashVariant = 'f4' | 'f7' | 'h7';

/** Board peripheral kinds of the flash interfaces, by variant. */
export const FLASH_INTERFACE_KINDS = {
  'stm32f4-flash': 'f4',
  'stm32f7-flash': 'f7',
  'stm32h7-flash': 'h7',
} as const satisfies Record<string, FlashVariant>;
export type FlashInterfaceKind = keyof typeof FLASH_INTERFACE_KINDS;

/** Register-block sizes (RM0383/RM0385 memory maps: 0x40023C00-0x40023FFF; RM0433: 0x52002000-0x52002FFF) */
export const FLASH_INTERFACE_SIZE: Readonly<Record<FlashVariant, number>> = { f4: 0x400, f7: 0x400, h7: 0x1000 };

export const ACR = {
  LATENCY: 0xf,
  PRFTEN: 1 << 8,
  /** F4 instruction cache enable / F7 ART enable */
  ICEN: 1 << 9, ARTEN: 1 << 9,
  DCEN: 1 << 10,
  /** F4 instruction cache reset / F7 ART reset */
  ICRST: 1 << 11, ARTRST: 1 << 11,
  DCRST: 1 << 12,
  /** H7 */
  WRHIGHFREQ: 0x3 << 4,
} as const;

/** writable bits of FLASH_ACR */
export const ACR_MASK: Readonly<Record<FlashVariant, number>> = {
  f4: ACR.LATENCY | ACR.PRFTEN | ACR.ICEN | ACR.DCEN | ACR.ICRST | ACR.DCRST,
  f7: ACR.LATENCY | ACR.PRFTEN | ACR.ARTEN | ACR.ARTRST,
  h7: ACR.LATENCY | ACR.WRHIGHFREQ,
};

/** FLASH_ACR after a power-on reset (the table in the file header) */
export const SILICON_ACR: Readonly<Record<FlashVariant, number>> = { f4: 0, f7: 0, h7: 0x37 };

/** What FLASH_ACR controls, decoded. */
export interface AcrFields {
  /** wait states, in the flash's (bus) clocks */
  latency: number;
  prefetch: boolean;
  /** F4 ICEN / F7 ARTEN */
  icache: boolean;
  /** F4 DCEN / F7 ARTEN (the F7's ART holds instructions and data) */
  dcache: boolean;
  /** this write asked to empty the instruction cache (F4 ICRST, F7 ARTRST) */
  resetI: boolean;
  /** this write asked to empty the data cache (F4 DCRST) */
  resetD: boolean;
}

export function decodeAcr(variant: FlashVariant, acr: number): AcrFields {
  const latency = acr & ACR.LATENCY;
  switch (variant) {
    case 'f4': {
      const ic = (acr & ACR.ICEN) !== 0, dc = (acr & ACR.DCEN) !== 0;
      return { latency, prefetch: (acr & ACR.PRFTEN) !== 0, icache: ic, dcache: dc, resetI: (acr & ACR.ICRST) !== 0 && !ic, resetD: (acr & ACR.DCRST) !== 0 && !dc };
    }
    case 'f7': {
      const art = (acr & ACR.ARTEN) !== 0;
      return { latency, prefetch: (acr & ACR.PRFTEN) !== 0, icache: art, dcache: art, resetI: (acr & ACR.ARTRST) !== 0 && !art, resetD: false };
    }
    case 'h7':
      return { latency, prefetch: false, icache: false, dcache: false, resetI: false, resetD: false };
  }
}

/** The timing FLASH_ACR drives. */
export interface FlashAcrTarget {
  applyAcr(fields: AcrFields): void;
}

export interface FlashInterfaceOptions {
  variant: FlashVariant;
  base: number;
  name?: string;
  /** default FLASH_INTERFACE_SIZE[variant] */
  size?: number;
  /** FLASH_ACR at reset; default the silicon value */
  resetValue?: number;
  /** the timing the register drives; none: the register works but changes nothing */
  target?: FlashAcrTarget | null;
  /** the wait states the flash needs at the board's clock (a lower LATENCY write is a warning) */
  requiredLatency?: number;
  /** the clock that requirement is for, in Hz (for the warning's text) */
  clockHz?: number;
}

export class Stm32FlashInterface implements Device {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly variant: FlashVariant;
  resetValue: number;
  target: FlashAcrTarget | null;
  readonly requiredLatency: number | undefined;
  readonly clockHz: number | undefined;
  /** FLASH_ACR */
  acr: number;
  /** LATENCY writes below the requirement, once per distinct message */
  readonly warnings: string[] = [];

  constructor(o: FlashInterfaceOptions) {
    this.variant = o.variant;
    this.base = o.base >>> 0;
    this.name = o.name ?? 'flash';
    this.size = o.size ?? FLASH_INTERFACE_SIZE[o.variant];
    this.resetValue = (o.resetValue ?? SILICON_ACR[o.variant]) & ACR_MASK[o.variant];
    this.target = o.target ?? null;
    this.requiredLatency = o.requiredLatency;
    this.clockHz = o.clockHz;
    this.acr = this.resetValue;
  }

  /** FLASH_ACR back to its reset value, applied to the target */
  reset(): void {
    this.acr = this.resetValue;
    this.target?.applyAcr(decodeAcr(this.variant, this.acr));
  }

  private isAcr(offset: number): boolean {
    const o = offset & ~3;
    return o === 0 || (this.variant === 'h7' && o === 0x100);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (!this.isAcr(offset)) return 0;
    const sh = (offset & 3) * 8;
    return size === 4 ? this.acr >>> 0 : (this.acr >>> sh) & (size === 2 ? 0xffff : 0xff);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!this.isAcr(offset)) return;
    let v: number;
    if (size === 4) v = value >>> 0;
    else {
      const sh = (offset & 3) * 8, m = ((size === 2 ? 0xffff : 0xff) << sh) >>> 0;
      v = ((this.acr & ~m) | ((value << sh) & m)) >>> 0;
    }
    this.writeAcr(v);
  }

  /** A FLASH_ACR write (the whole register). */
  writeAcr(v: number): void {
    this.acr = (v & ACR_MASK[this.variant]) >>> 0;
    const f = decodeAcr(this.variant, this.acr);
    const req = this.requiredLatency;
    if (req !== undefined && f.latency < req) {
      const at = this.clockHz !== undefined ? ` at ${this.clockHz / 1e6} MHz` : '';
      const msg = `${this.name}: FLASH_ACR.LATENCY ${f.latency} is below the ${req} wait states the flash needs${at}; flash reads are timed faster than the part can run`;
      if (!this.warnings.includes(msg)) this.warnings.push(msg);
    }
    this.target?.applyAcr(f);
  }
}
