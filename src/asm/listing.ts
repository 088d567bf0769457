/**
 * Text forms of the assembler's results: a GNU `as -al` style listing and GCC style diagnostics.
 */
import type { AsmDiagnostic, AsmResult } from './assembler.js';

const hex = (b: Uint8Array, from: number, to: number) => {
  let s = '';
  for (let i = from; i < Math.min(to, b.length); i++) s += b[i]!.toString(16).toUpperCase().padStart(2, '0');
  return s;
};

/** GNU as lists at most this many rows of bytes for one source line (the first and four continuations). */
const MAX_ROWS = 5;
/** ... and at most this many characters of the source line. */
const SOURCE_WIDTH = 99;

/**
 * The listing as `as -al` prints it (without page headers): line number (4 wide), address (4+ hex digits; the
 * final address, where GNU as prints the offset in the section),
 * up to 4 bytes in memory order, a tab and the source line (its first 99 characters); further bytes on
 * continuation rows that repeat the line number (at most 5 rows per line, as GNU as). Lines that emit nothing show only the line number. Bytes of macro and .rept expansions appear
 * on the line that invoked them (the .endr line for .rept), literal pools on their .ltorg line (pools placed at
 * the end of a section on the last line).
 */
export function formatListing(r: AsmResult): string {
  const out: string[] = [];
  let prevLine = -1;
  for (const l of r.listing) {
    const cont = l.line === prevLine;
    prevLine = l.line;
    const num = String(l.line).padStart(4);
    if (l.bytes.length === 0 || l.address === null) {
      if (!cont) out.push(`${num}              \t${l.source.slice(0, SOURCE_WIDTH)}`);
      continue;
    }
    const addr = (l.address >>> 0).toString(16).padStart(4, '0');
    let rows = 0;
    for (let i = 0; i < l.bytes.length && rows < MAX_ROWS; i += 4, rows++) {
      const h = hex(l.bytes, i, i + 4);
      if (i === 0 && !cont) out.push(`${num} ${addr} ${h.padEnd(8)} \t${l.source.slice(0, SOURCE_WIDTH)}`);
      else if (i === 0) out.push(`${num} ${addr} ${h.padEnd(8)} `);
      else out.push(`${num}      ${h}${h.length === 8 ? ' ' : ''}`);
    }
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

/**
 * `file:line:column: error: message`, then the source line and a caret under the column (tabs before the column
 * are kept so the caret lines up).
 */
export function formatDiagnostic(d: AsmDiagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  let s = `${where}: ${d.severity}: ${d.message}`;
  if (d.line > 0 && d.sourceLine !== '') {
    const col = Math.max(1, d.column);
    const pad = d.sourceLine.slice(0, col - 1).replace(/[^\t]/g, ' ');
    s += `\n${d.sourceLine}\n${pad}^`;
  }
  return s;
}
