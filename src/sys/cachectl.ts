/**
 * The SCB's cache registers, a part the SCS (src/sys/scs.ts) delegates to: CCR.IC / CCR.DC, the cache identification
 * registers CLIDR, CTR, CCSIDR, CSSELR, the cache maintenance operations, and CACR (the Cortex-M7's L1 cache control
 * register, FORCEWT). Offsets are relative to the SCS base 0xE000E000.
 *
 * Sources: ARMv7-M ARM B4.8 (cache identification registers; cache maintenance operations, their set/way operand:
 * Way in bits [31:32-A], Set in bits [B-1:L], Level in bits [3:1], with A = log2(ways) and L = log2(line bytes)
 * rounded up, B = L + log2(sets)); Cortex-M7 TRM §3.3 (CCSIDR fields and values: WT, WB, RA, WA all 1, NumSets =
 * sets - 1, Associativity = ways - 1 (0x1 two ways, 0x3 four ways), LineSize 0x1 = 32 bytes; "If no instruction or
 * data cache is configured, the corresponding CCSIDR is RAZ"; CM7_CACR bits SIWT 0, ECCDIS 1, FORCEWT 2 "RAZ/WI if
 * the data cache is excluded ... reset value of FORCEWT is 0"); Cortex-M7 Devices Generic User Guide Table 4.41
 * (CTR: Format 0b100, CWG 8 words, DminLine 8 words, bits [15:14] RAO, IminLine 8 words: 0x8303C003); the CLIDR of
 * an L1-only processor: LoUU = LoC = 1 (bits [29:27], [26:24]) and Ctype1 (bits [2:0]) = 1 instruction cache only,
 * 2 data cache only, 3 both.
 *
 * | offset | register | here |
 * |---|---|---|
 * | 0xD14 | CCR | bits IC (17), DC (16) only (`ccrBits`, `writeCcr`); the SCS keeps the others |
 * | 0xD78 | CLIDR | RO |
 * | 0xD7C | CTR | RO |
 * | 0xD80 | CCSIDR | RO, the cache CSSELR selects |
 * | 0xD84 | CSSELR | RW, Level [3:1], InD [0] |
 * | 0xF50 | ICIALLU | WO, invalidate the I-cache |
 * | 0xF58 | ICIMVAU | WO, invalidate the I-cache line holding an address |
 * | 0xF5C | DCIMVAC | WO, invalidate a D-cache line by address |
 * | 0xF60 | DCISW | WO, invalidate by set/way |
 * | 0xF64 | DCCMVAU | WO, clean by address (point of unification) |
 * | 0xF68 | DCCMVAC | WO, clean by address (point of coherency) |
 * | 0xF6C | DCCSW | WO, clean by set/way |
 * | 0xF70 | DCCIMVAC | WO, clean and invalidate by address |
 * | 0xF74 | DCCISW | WO, clean and invalidate by set/way |
 * | 0xF78 | BPIALL | WO, branch predictor invalidate: no effect |
 * | 0xF9C | CACR | RW, SIWT/ECCDIS/FORCEWT |
 *
 * Write-only operations read as zero. A Cortex-M4 has none of these (no caches; QEMU leaves them zero too): every
 * offset above reads as zero and ignores writes, and CCR.IC/DC read as zero. A set/way operand with a Level other than
 * L1, or a set or way beyond the cache, does nothing (the architecture allows "no cache lines").
 */
import type { SetAssocCache } from '../mem/cache.js';
import type { DcOp } from '../mem/l1.js';

export const CCR_DC = 1 << 16;
export const CCR_IC = 1 << 17;
export const CACR_FORCEWT = 1 << 2;

/** SCS offsets of the registers this part answers */
export const CACHE_REGS = {
  CLIDR: 0xd78, CTR: 0xd7c, CCSIDR: 0xd80, CSSELR: 0xd84,
  ICIALLU: 0xf50, ICIMVAU: 0xf58, DCIMVAC: 0xf5c, DCISW: 0xf60, DCCMVAU: 0xf64, DCCMVAC: 0xf68, DCCSW: 0xf6c,
  DCCIMVAC: 0xf70, DCCISW: 0xf74, BPIALL: 0xf78, CACR: 0xf9c,
} as const;

/** Cortex-M7 CTR (Devices Generic User Guide Table 4.41: 8-word lines everywhere) */
export const CTR_M7 = 0x8303c003;

/** What the registers act on: the Cortex-M7 L1 caches (src/mem/l1.ts L1Caches implements it). */
export interface CacheTarget {
  readonly icache: SetAssocCache | null;
  readonly dcache: SetAssocCache | null;
  icOn: boolean;
  dcOn: boolean;
  forceWT: boolean;
  invalidateICache(): void;
  invalidateILine(a: number): void;
  dcByAddress(op: DcOp, a: number): void;
  dcBySetWay(op: DcOp, set: number, way: number): void;
}

/** CCSIDR of a cache (Cortex-M7 TRM Table 3.6 encoding); 0 for no cache. */
export function ccsidrOf(c: SetAssocCache | null): number {
  if (c === null) return 0;
  const words = c.lineBytes / 4;
  const lineSize = Math.log2(words) - 2; // log2(words per line) - 2
  return ((0xf << 28) | ((c.sets - 1) << 13) | ((c.ways - 1) << 3) | lineSize) >>> 0;
}

/** Decode a set/way operand for a cache: [level, set, way] (ARMv7-M ARM B4.8, the file header). */
export function decodeSetWay(v: number, c: SetAssocCache): [number, number, number] {
  v >>>= 0;
  const level = (v >>> 1) & 7;
  const set = (v >>> c.lineShift) & (c.sets - 1);
  const a = Math.ceil(Math.log2(c.ways));
  const way = a === 0 ? 0 : v >>> (32 - a);
  return [level, set, way];
}

export type CacheCore = 'cortex-m4' | 'cortex-m7';

export class CacheControl {
  csselr = 0;
  cacr = 0;
  /**
   * @param core a Cortex-M4 has no cache registers (all read zero)
   * @param target the L1 caches (null: a Cortex-M7 configured without caches, or a Cortex-M4)
   */
  constructor(readonly core: CacheCore, readonly target: CacheTarget | null) {}

  get hasICache(): boolean { return this.core === 'cortex-m7' && this.target?.icache != null; }
  get hasDCache(): boolean { return this.core === 'cortex-m7' && this.target?.dcache != null; }

  /** CCR.IC and CCR.DC as the SCS ORs them into its CCR reads */
  get ccrBits(): number {
    const t = this.target;
    if (!t) return 0;
    return (this.hasICache && t.icOn ? CCR_IC : 0) | (this.hasDCache && t.dcOn ? CCR_DC : 0);
  }
  /** a CCR write: takes IC and DC (RAZ/WI for a cache that is not there) */
  writeCcr(v: number): void {
    const t = this.target;
    if (!t) return;
    if (this.hasICache) t.icOn = (v & CCR_IC) !== 0;
    if (this.hasDCache) t.dcOn = (v & CCR_DC) !== 0;
  }

  /** CLIDR: LoUU = LoC = 1 and Ctype1 from the caches present; 0 without caches */
  get clidr(): number {
    const ctype = (this.hasICache ? 1 : 0) | (this.hasDCache ? 2 : 0);
    return ctype === 0 ? 0 : ((1 << 27) | (1 << 24) | ctype) >>> 0;
  }
  get ctr(): number { return this.core === 'cortex-m7' ? CTR_M7 : 0; }
  /** CCSIDR of the cache CSSELR selects (level 1 only; InD 1 = instruction cache) */
  get ccsidr(): number {
    if (this.core !== 'cortex-m7' || !this.target || ((this.csselr >>> 1) & 7) !== 0) return 0;
    return ccsidrOf((this.csselr & 1) === 1 ? this.target.icache : this.target.dcache);
  }

  /** Back to the reset state: CSSELR and CACR zero (the caches' own reset is the L1 model's). */
  reset(): void { this.csselr = 0; this.cacr = 0; if (this.target) this.target.forceWT = false; }

  /** A word read at an SCS offset: the value, or undefined when the offset is not one of these registers. */
  read(offset: number): number | undefined {
    switch (offset) {
      case CACHE_REGS.CLIDR: return this.clidr;
      case CACHE_REGS.CTR: return this.ctr;
      case CACHE_REGS.CCSIDR: return this.ccsidr;
      case CACHE_REGS.CSSELR: return this.core === 'cortex-m7' ? this.csselr : 0;
      case CACHE_REGS.CACR: return this.core === 'cortex-m7' ? this.cacr : 0;
      case CACHE_REGS.ICIALLU: case CACHE_REGS.ICIMVAU: case CACHE_REGS.DCIMVAC: case CACHE_REGS.DCISW:
      case CACHE_REGS.DCCMVAU: case CACHE_REGS.DCCMVAC: case CACHE_REGS.DCCSW: case CACHE_REGS.DCCIMVAC:
      case CACHE_REGS.DCCISW: case CACHE_REGS.BPIALL:
        return 0;
      default: return undefined;
    }
  }

  /** A word write at an SCS offset: true when the offset is one of these registers (handled), false otherwise. */
  write(offset: number, value: number): boolean {
    const v = value >>> 0;
    const m7 = this.core === 'cortex-m7';
    const t = m7 ? this.target : null;
    switch (offset) {
      case CACHE_REGS.CLIDR: case CACHE_REGS.CTR: case CACHE_REGS.CCSIDR: case CACHE_REGS.BPIALL:
        return true; // read-only / no effect
      case CACHE_REGS.CSSELR:
        if (m7) this.csselr = v & 0xf;
        return true;
      case CACHE_REGS.CACR:
        if (m7) {
          // FORCEWT is RAZ/WI without a data cache
          this.cacr = v & (this.hasDCache ? 0x7 : 0x3);
          if (t) t.forceWT = (this.cacr & CACR_FORCEWT) !== 0;
        }
        return true;
      case CACHE_REGS.ICIALLU: if (t && this.hasICache) t.invalidateICache(); return true;
      case CACHE_REGS.ICIMVAU: if (t && this.hasICache) t.invalidateILine(v); return true;
      case CACHE_REGS.DCIMVAC: if (t && this.hasDCache) t.dcByAddress('invalidate', v); return true;
      case CACHE_REGS.DCCMVAU: case CACHE_REGS.DCCMVAC: if (t && this.hasDCache) t.dcByAddress('clean', v); return true;
      case CACHE_REGS.DCCIMVAC: if (t && this.hasDCache) t.dcByAddress('cleanInvalidate', v); return true;
      case CACHE_REGS.DCISW: this.setWay('invalidate', v); return true;
      case CACHE_REGS.DCCSW: this.setWay('clean', v); return true;
      case CACHE_REGS.DCCISW: this.setWay('cleanInvalidate', v); return true;
      default: return false;
    }
  }

  private setWay(op: DcOp, v: number): void {
    const t = this.core === 'cortex-m7' ? this.target : null;
    if (!t || !t.dcache) return;
    const [level, set, way] = decodeSetWay(v, t.dcache);
    if (level !== 0) return; // no level 2 cache
    t.dcBySetWay(op, set, way);
  }
}
