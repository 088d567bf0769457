/**
 * The per-function profile as table rows for the CLI (which draws them with cli-table3: this module only makes
 * strings, so the core stays free of it). Columns: PROFILE_TABLE_HEAD; the numeric columns are meant to be
 * right-aligned (PROFILE_TABLE_ALIGN, cli-table3's colAligns).
 */
import { compareRows, type ProfileRow } from './profile.js';

export const PROFILE_TABLE_HEAD = ['function', 'calls', 'inclusive', 'incl %', 'exclusive', 'excl %'];
export const PROFILE_TABLE_ALIGN: ('left' | 'right')[] = ['left', 'right', 'right', 'right', 'right', 'right'];

export interface ProfileTableOptions {
  /** at most this many functions (by exclusive cycles); the rest are summed into one last row. Default: all */
  top?: number;
  /** the run's cycles (Profiler.totalCycles), the 100% of the percentage columns */
  totalCycles: number;
}

/** A percentage of the total with one decimal, '-' when the total is 0. */
export function percent(cycles: number, total: number): string {
  return total > 0 ? `${((cycles * 100) / total).toFixed(1)}%` : '-';
}

/**
 * Rows of strings, one per function, most exclusive cycles first: name, calls, inclusive cycles and %, exclusive
 * cycles and %. With `top` below the number of rows, the functions left out become one row
 * `(N more functions)` with their summed calls and exclusive cycles (inclusive does not add up, so it is blank).
 */
export function profileTable(rows: readonly ProfileRow[], opts: ProfileTableOptions): string[][] {
  const total = opts.totalCycles;
  const sorted = [...rows].sort(compareRows);
  const top = opts.top === undefined || opts.top < 0 ? sorted.length : Math.floor(opts.top);
  const shown = sorted.slice(0, top);
  const out = shown.map((r) => [
    r.name, String(r.calls), String(r.inclusive), percent(r.inclusive, total), String(r.exclusive), percent(r.exclusive, total),
  ]);
  const rest = sorted.slice(top);
  if (rest.length > 0) {
    const calls = rest.reduce((s, r) => s + r.calls, 0);
    const excl = rest.reduce((s, r) => s + r.exclusive, 0);
    out.push([`(${rest.length} more function${rest.length === 1 ? '' : 's'})`, String(calls), '', '', String(excl), percent(excl, total)]);
  }
  return out;
}
