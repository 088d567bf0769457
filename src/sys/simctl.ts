/**
 * The simulator's control device: a 4 KB register block at MCUSIM_BASE (0xE00F0000) that only the simulator has.
 * Firmware writes to it to mark phases of a run ("layer 3 begins"); the run then reports cycles, instructions and
 * memory high-water marks per phase (src/mem/usage.ts).
 *
 * Registers (word offsets from MCUSIM_BASE):
 *   0x0 MARK       W   a word write of n starts a phase named by the number (decimal, unsigned: "3")
 *   0x4 MARK_NAME  W   a word write of the address of a NUL-terminated string starts a phase with that name (UTF-8,
 *                      at most MAX_NAME_BYTES bytes including the NUL, read without side effects through a callback)
 *   0x8 END        W   any write ends the open phase without starting another one
 *   0xC ID         R   reads 0x4D435553 ("MCUS"), so firmware can tell it runs in the simulator
 * Every other offset reads 0 and ignores writes; so do reads of MARK, MARK_NAME and END, and byte or halfword writes to
 * MARK and MARK_NAME. Reads of any size return the bytes of these words (little-endian). Accesses are allowed at any
 * privilege. A bad name (unreadable byte, no NUL within MAX_NAME_BYTES, empty) never throws: the phase is named
 * `(bad name at 0x...: reason)`.
 *
 * Where it sits: 0xE00F0000 is in the Private Peripheral Bus (0xE0000000-0xE00FFFFF), in the External PPB range
 * left to debug components: on the Cortex-M4 0xE0043000-0xE00FEFFF, below the ROM table at 0xE00FF000 (Arm 100806,
 * Cortex-M4 debug memory map, Table 8-17); on the Cortex-M7 below its ROM tables at 0xE00FD000-0xE00FFFFF (the
 * processor ROM table is at 0xE00FE000, Cortex-M7 TRM DDI0489F 9.1.1, which is why the block is not there). Free on
 * both unless a chip vendor puts a debug component there; `base` is a constructor parameter should a board need
 * another address. On silicon a marker write faults (or hits a debug component): firmware guards marker code with a
 * build flag (`#ifdef MCUSIM`) and does not run it on hardware; the ID register tells silicon from the simulator.
 *
 * Timing: a marker takes effect at the cycle the storing instruction starts (`now()`, Clock.now) and after the
 * instructions counted by `instructions()` (which must be exact inside a translated block, as now() is): the store
 * itself and everything after it belong to the new phase.
 */
import type { Device } from '../mem/device.js';
import type { PhaseSink } from '../mem/usage.js';

export const MCUSIM_BASE = 0xe00f0000;
export const MCUSIM_SIZE = 0x1000;
/** "MCUS" */
export const MCUSIM_ID = 0x4d435553;
export const SIMCTL = { MARK: 0x0, MARK_NAME: 0x4, END: 0x8, ID: 0xc } as const;
/** a MARK_NAME string occupies at most this many bytes, its NUL included */
export const MAX_NAME_BYTES = 64;

const decoder = new TextDecoder('utf-8', { fatal: false });

export class SimCtl implements Device {
  readonly name = 'MCUSIM';
  readonly size = MCUSIM_SIZE;
  /**
   * `sink` receives the markers (the machine's UsageTracker); `now` is the Clock's now(); `instructions` the
   * instructions executed before the current one; `readByte(a)` reads a byte of memory without side effects
   * (e.g. `(a) => bus.peek(a, 1)[0]!`): it may throw or return undefined/out-of-range for an unreadable address.
   */
  constructor(
    private readonly sink: PhaseSink,
    private readonly now: () => number,
    private readonly instructions: () => number,
    private readonly readByte: (a: number) => number | undefined,
    readonly base: number = MCUSIM_BASE,
  ) {}

  private byteAt(o: number): number {
    return o >= SIMCTL.ID && o < SIMCTL.ID + 4 ? (MCUSIM_ID >>> ((o - SIMCTL.ID) * 8)) & 0xff : 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.byteAt(offset + i);
    return v >>> 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset < SIMCTL.END + 4 && offset + size > SIMCTL.END) {
      this.sink.end(this.now(), this.instructions());
      return;
    }
    if (size !== 4) return;
    if (offset === SIMCTL.MARK) this.sink.mark(String(value >>> 0), this.now(), this.instructions());
    else if (offset === SIMCTL.MARK_NAME) this.sink.mark(this.readName(value >>> 0), this.now(), this.instructions());
  }

  /** The NUL-terminated string at a, or a `(bad name at ...)` phase name. */
  readName(a: number): string {
    const bytes = new Uint8Array(MAX_NAME_BYTES);
    for (let i = 0; i < MAX_NAME_BYTES; i++) {
      const p = (a + i) >>> 0;
      let b: number | undefined;
      try { b = this.readByte(p); } catch { b = undefined; }
      if (b === undefined || !Number.isInteger(b) || b < 0 || b > 255) return bad(a, `unreadable byte at ${hex(p)}`);
      if (b === 0) return i === 0 ? bad(a, 'empty') : decoder.decode(bytes.subarray(0, i));
      bytes[i] = b;
    }
    return bad(a, `no NUL within ${MAX_NAME_BYTES} bytes`);
  }
}

function hex(v: number): string { return `0x${(v >>> 0).toString(16).padStart(8, '0')}`; }
function bad(a: number, why: string): string { return `(bad name at ${hex(a)}: ${why})`; }
