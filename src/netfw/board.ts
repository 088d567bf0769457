/**
 * Where the network firmware goes on a board, and the enlarged copy of a board a too-big network runs on.
 *
 * The arena goes in the board's main data SRAM (src/kernels mainSram: the largest writable 'ram' region apart from the
 * code memory), the code and constants in the memory holding the boot image (codeRegion: the flash, or the code SRAM
 * of a board without flash). When the arena and stack or the image do not fit, the network still runs, on a copy of
 * the board whose SRAM region or flash is larger (same base, same wait states, same core and caches: the same
 * timing); regions the larger one would overlap are left out of the copy (the firmware uses neither), and the
 * enlarged region's own aliases too (the arena is addressed in its main window; the flash keeps its aliases: a board
 * may boot through one). A network too big even for that (the region would run into a peripheral region or past the
 * 4 GB address space, or over the code / arena memory) is an Error with the numbers.
 */
import type { Board, BoardRegion } from '../board/schema.js';
import { bootImageAddress } from '../board/machine.js';
import { codeRegion, mainSram, groupDigits } from '../kernels/index.js';

/** Enlarged regions are rounded up to this many bytes. */
export const ENLARGE_GRANULE = 64 * 1024;

export interface FitIssue {
  memory: 'sram' | 'flash';
  /** the region */
  region: string;
  /** bytes needed and bytes the region has for them */
  need: number;
  have: number;
  /** need - have */
  over: number;
  message: string;
}

/** The SRAM and flash the firmware needs against what the board has: the issues (none: it fits). */
export function fitIssues(board: Board, sramNeed: number, flashNeed: number, what: { sram: string; flash: string }): FitIssue[] {
  const out: FitIssue[] = [];
  const ram = mainSram(board), code = codeRegion(board);
  if (sramNeed > ram.size) {
    out.push({
      memory: 'sram', region: ram.name, need: sramNeed, have: ram.size, over: sramNeed - ram.size,
      message: `SRAM: ${what.sram} need ${groupDigits(sramNeed)} bytes; ${board.name}'s ${ram.name} has ${groupDigits(ram.size)}: ${groupDigits(sramNeed - ram.size)} bytes over`,
    });
  }
  const flashHas = code.size - (bootImageAddress(board) - code.base);
  if (flashNeed > flashHas) {
    out.push({
      memory: 'flash', region: code.name, need: flashNeed, have: flashHas, over: flashNeed - flashHas,
      message: `flash: ${what.flash} need ${groupDigits(flashNeed)} bytes; ${board.name}'s ${code.name} has ${groupDigits(flashHas)} from the boot address: ${groupDigits(flashNeed - flashHas)} bytes over`,
    });
  }
  return out;
}

const windows = (r: BoardRegion): [number, number][] => [[r.base, r.base + r.size], ...(r.aliases ?? []).map((a): [number, number] => [a.base, a.base + r.size])];
const overlaps = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];

/**
 * A copy of `board` whose main SRAM has at least `sram` bytes and whose code memory at least `flash` bytes from the
 * boot address (each rounded up to ENLARGE_GRANULE); the board itself when it has them. Throws an Error when the
 * address map has no room for the larger region.
 */
export function enlargeBoard(board: Board, sram: number, flash: number): Board {
  const ram = mainSram(board), code = codeRegion(board);
  const bootOff = bootImageAddress(board) - code.base;
  const up = (n: number) => Math.ceil(n / ENLARGE_GRANULE) * ENLARGE_GRANULE;
  const newRam = sram > ram.size ? up(sram) : ram.size;
  const newCode = flash > code.size - bootOff ? up(flash + bootOff) : code.size;
  if (newRam === ram.size && newCode === code.size) return board;
  const regions: BoardRegion[] = board.regions.map((r) => {
    if (r === ram && newRam !== ram.size) return { ...r, size: newRam, aliases: [], description: `${r.description ?? r.name}, enlarged from ${groupDigits(r.size)} bytes` };
    if (r === code && newCode !== code.size) return { ...r, size: newCode, aliases: (r.aliases ?? []).map((a) => ({ ...a })), description: `${r.description ?? r.name}, enlarged from ${groupDigits(r.size)} bytes` };
    return r;
  });
  const bigRam = regions[board.regions.indexOf(ram)]!, bigCode = regions[board.regions.indexOf(code)]!;
  const grown = [bigRam, bigCode].filter((r, i) => (i === 0 ? newRam !== ram.size : newCode !== code.size));
  const kept: BoardRegion[] = [];
  for (const r of regions) {
    const hit = grown.find((g) => g !== r && windows(g).some((w) => windows(r).some((v) => overlaps(w, v))));
    if (!hit) { kept.push(r); continue; }
    if (r.kind === 'peripheral' || r === bigRam || r === bigCode) {
      throw new Error(`network too big even for an enlarged ${board.name}: ${hit.name} would need ${groupDigits(hit.size)} bytes from 0x${hit.base.toString(16)}, ` +
        `which runs into ${r.name} at 0x${r.base.toString(16)}`);
    }
    // another memory the firmware does not use: left out of the copy
  }
  for (const g of grown) {
    for (const [lo, hi] of windows(g)) {
      if (hi > 0x1_0000_0000) throw new Error(`network too big even for an enlarged ${board.name}: ${g.name} would need ${groupDigits(g.size)} bytes from 0x${lo.toString(16)}, past the 4 GB address space`);
    }
  }
  return { ...board, regions: kept, description: `${board.description ?? board.name} (enlarged for the network: same timing)` };
}
