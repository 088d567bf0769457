/**
 * The ARMv7-M Protected Memory System Architecture MPU (ARMv7-M ARM DDI 0403E B3.5): 8 data regions (MPU_TYPE
 * DREGION = 8, no separate instruction regions), MPU_CTRL (ENABLE, HFNMIENA, PRIVDEFENA), MPU_RNR, MPU_RBAR (ADDR,
 * VALID, REGION), MPU_RASR (XN, AP, TEX/S/C/B, SRD, SIZE, ENABLE) and the RBAR/RASR aliases A1-A3.
 *
 * Region matching: an enabled region of 2^(SIZE+1) bytes (SIZE >= 4: 32 bytes or more) whose base is RBAR.ADDR
 * aligned down to the size; regions of 256 bytes or more have 8 subregions, and a disabled one (SRD bit set) does
 * not match (the access falls through to a lower region or the background). The highest matching region number
 * wins. No match: the default memory map when privileged and PRIVDEFENA, else a fault. AP (B3.5.9, table B3-15):
 * 000 no access, 001 privileged RW, 010 privileged RW unprivileged RO, 011 RW both, 100 reserved (no access here),
 * 101 privileged RO, 110 and 111 RO both. An instruction fetch needs read permission and XN = 0.
 *
 * The MPU does not apply: while disabled; to the PPB (0xE0000000-0xE00FFFFF, always the default map); to vector
 * table reads (`bypass`, set by the exception model); at a negative execution priority (HardFault, NMI,
 * FAULTMASK) unless HFNMIENA. A denied data access is MemManage DACCVIOL with the address (MMFAR, MMARVALID); a
 * denied fetch is MemManage IACCVIOL. The memory attributes (TEX/S/C/B) are stored and read back, not modelled.
 *
 * Hooks: while ENABLE is set the bus's `check` is this MPU's data check (null otherwise), which makes `bus.program`
 * (what blocks and exception stacking use) a CheckedBus view, so the unchecked path costs nothing; and the engine's
 * `fetchCheck` is set (translations are then cached per privilege/priority key); any write to the MPU registers
 * drops the engine's translations, so fetch permission is re-checked. The host's Machine.read/write and the loader
 * use the bus itself (unchecked), like a debugger. LDRT/STRT-style unprivileged accesses from privileged
 * code are checked with the current privilege (not modelled as unprivileged).
 */
import type { CpuState } from '../cpu/state.js';
import { CpuFault } from '../cpu/exceptions.js';

/** MPU register offsets in the SCS (0xE000E000 + offset) */
export const MPU_REG = { TYPE: 0xd90, CTRL: 0xd94, RNR: 0xd98, RBAR: 0xd9c, RASR: 0xda0 } as const;
export const MPU_CTRL = { ENABLE: 1, HFNMIENA: 2, PRIVDEFENA: 4 } as const;
export const MPU_REGIONS = 8;
/** writable MPU_RASR bits: XN 28, AP 26:24, TEX 21:19, S 18, C 17, B 16, SRD 15:8, SIZE 5:1, ENABLE 0 */
const RASR_MASK = 0x173fff3f;

/** AP encodings as bit sets over the AP value: which allow a privileged/unprivileged read/write */
const PRIV_R = 0b11101110, PRIV_W = 0b00001110, USER_R = 0b11001100, USER_W = 0b00001000;

/** the parts of the exception model the MPU looks at */
interface ExState { active: Uint8Array }

/** the parts of the bus and engine the MPU switches (kept structural: no import cycle) */
export interface MpuTargets {
  bus: { check: ((a: number, n: number, write: number) => void) | null };
  engine: { fetchCheck: FetchCheck | null; invalidate(): void };
}

/** the engine's fetch hook: `key` distinguishes the states in which fetch rights may differ (blocks are cached per key) */
export interface FetchCheck {
  check(a: number): CpuFault | undefined;
  key(): number;
}

const hex = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export class Mpu {
  ctrl = 0;
  rnr = 0;
  readonly rbar = new Uint32Array(MPU_REGIONS);
  readonly rasr = new Uint32Array(MPU_REGIONS);
  /** set around accesses the MPU does not check (vector table reads) */
  bypass = false;
  private targets: MpuTargets | null = null;
  private readonly dataHook = (a: number, n: number, write: number): void => this.checkData(a, n, write);
  private readonly fetchHook: FetchCheck = { check: (a) => this.checkFetch(a), key: () => this.fetchKey() };

  constructor(readonly s: CpuState, readonly ex: ExState) {}

  /** connect to the bus and engine whose hooks the MPU turns on and off */
  attach(t: MpuTargets): void { this.targets = t; this.changed(); }

  reset(): void { this.ctrl = 0; this.rnr = 0; this.rbar.fill(0); this.rasr.fill(0); this.changed(); }

  get enabled(): boolean { return (this.ctrl & MPU_CTRL.ENABLE) !== 0; }

  /** after any register write: install or remove the hooks, drop translations (fetch rights may differ) */
  private changed(): void {
    const t = this.targets;
    if (!t) return;
    const on = this.enabled;
    t.bus.check = on ? this.dataHook : null;
    t.engine.fetchCheck = on ? this.fetchHook : null;
    t.engine.invalidate();
  }

  // ---------------------------------------------------------------- registers (word offsets in the SCS)

  /** true for the SCS offsets the MPU owns */
  static owns(o: number): boolean { return o >= 0xd90 && o <= 0xdb8; }

  read(o: number): number {
    switch (o) {
      case 0xd90: return MPU_REGIONS << 8; // TYPE: DREGION = 8, IREGION = 0, SEPARATE = 0
      case 0xd94: return this.ctrl;
      case 0xd98: return this.rnr;
      case 0xd9c: case 0xda4: case 0xdac: case 0xdb4: return ((this.rbar[this.rnr]! & ~0x1f) | this.rnr) >>> 0;
      case 0xda0: case 0xda8: case 0xdb0: case 0xdb8: return this.rasr[this.rnr]!;
      default: return 0;
    }
  }

  write(o: number, v: number): void {
    switch (o) {
      case 0xd94: this.ctrl = v & 7; break;
      case 0xd98: this.rnr = v & 7; break; // RNR keeps the bits that address DREGION = 8 regions
      case 0xd9c: case 0xda4: case 0xdac: case 0xdb4:
        if (v & 0x10) this.rnr = v & 7; // VALID: REGION selects the region (and updates RNR)
        this.rbar[this.rnr] = v & ~0x1f;
        break;
      case 0xda0: case 0xda8: case 0xdb0: case 0xdb8: this.rasr[this.rnr] = v & RASR_MASK; break;
      default: return;
    }
    this.changed();
  }

  // ---------------------------------------------------------------- checks

  /** the highest-numbered enabled region holding `a` (its subregion not disabled), or -1 */
  region(a: number): number {
    a >>>= 0;
    for (let i = MPU_REGIONS - 1; i >= 0; i--) {
      const rasr = this.rasr[i]!;
      if ((rasr & 1) === 0) continue;
      const size = (rasr >>> 1) & 31;
      if (size < 4) continue; // SIZE < 4 is UNPREDICTABLE (B3.5.9): treated as no region
      const sh = size + 1;
      if (sh < 32 && ((a ^ this.rbar[i]!) >>> sh) !== 0) continue;
      if (sh >= 8 && ((rasr >>> (8 + ((a >>> (sh - 3)) & 7))) & 1) !== 0) continue; // subregion disabled
      return i;
    }
    return -1;
  }

  /** 1 + privileged + 2 * (the MPU is off for a negative execution priority): translations are cached per value */
  fetchKey(): number {
    return 1 + (this.s.privileged ? 1 : 0) + (this.negative() ? 2 : 0);
  }
  private negative(): boolean {
    if ((this.ctrl & MPU_CTRL.HFNMIENA) !== 0) return false;
    return (this.s.faultmask & 1) !== 0 || this.ex.active[2] !== 0 || this.ex.active[3] !== 0;
  }

  /** does the MPU apply to an access at `a` now */
  private applies(a: number): boolean {
    if (this.bypass || (this.ctrl & MPU_CTRL.ENABLE) === 0) return false;
    if ((a >>> 0) >= 0xe0000000 && (a >>> 0) < 0xe0100000) return false; // PPB: always the default map
    return !this.negative(); // execution priority < 0 (HardFault, NMI, FAULTMASK) without HFNMIENA
  }

  /** why an access is denied ('' when allowed); access: 0 read, 1 write, 2 instruction fetch */
  deny(a: number, access: 0 | 1 | 2, priv = this.s.privileged): string {
    if (!this.applies(a)) return '';
    const i = this.region(a);
    if (i < 0) {
      if (priv && (this.ctrl & MPU_CTRL.PRIVDEFENA) !== 0) return '';
      return priv ? 'no MPU region (PRIVDEFENA is 0)' : 'no MPU region (unprivileged)';
    }
    const rasr = this.rasr[i]!;
    const ap = (rasr >>> 24) & 7;
    if (access === 2 && (rasr & (1 << 28)) !== 0) return `MPU region ${i} is execute-never`;
    const set = access === 1 ? (priv ? PRIV_W : USER_W) : (priv ? PRIV_R : USER_R);
    if (((set >>> ap) & 1) === 0) return `MPU region ${i} (AP=${ap}) denies ${priv ? 'privileged' : 'unprivileged'} ${access === 1 ? 'writes' : 'reads'}`;
    return '';
  }

  /** the bus hook: a denied data access throws MemManage DACCVIOL (the first byte's address goes to MMFAR) */
  checkData(a: number, n: number, write: number): void {
    const w = write ? 1 : 0;
    let why = this.deny(a, w);
    if (!why && n > 1) why = this.deny(a + n - 1, w);
    if (why) throw new CpuFault('MemManage', 'DACCVIOL', `${w ? 'write' : 'read'} of ${n} byte${n > 1 ? 's' : ''} at ${hex(a)}: ${why}`, a >>> 0);
  }

  /** the engine hook: a denied instruction fetch at `a` (MemManage IACCVIOL), else undefined */
  checkFetch(a: number): CpuFault | undefined {
    const why = this.deny(a, 2);
    return why ? new CpuFault('MemManage', 'IACCVIOL', `instruction fetch at ${hex(a)}: ${why}`, a >>> 0) : undefined;
  }
}
