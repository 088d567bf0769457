/**
 * External assemblers the cross tests check the instruction table against: detection and batched runners.
 *
 * - llvm-mc (LLVM 14 here): `-triple=thumbv7em-none-eabi -mcpu=cortex-m4`, `-show-encoding` to assemble and
 *   `-disassemble -show-encoding` to disassemble.
 * - GNU as (arm-none-eabi-as, binutils): `-mcpu=cortex-m4 -mthumb`; the bytes of each source line are read from
 *   the assembler listing (`-al=FILE`), which gives them per source line even when other lines have errors.
 *
 * Every runner takes many instructions and starts one process per chunk of about CHUNK source lines (never one per
 * instruction), at most two processes at a time (this is a 2-core machine).
 *
 * A missing tool: `haveTool()` registers a skipped test titled "skipped: <tool> not installed" and prints that line,
 * except when CI=true, where it registers a failing test instead (CI must install every tool it tests with).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';

export interface Tool {
  name: string;
  /** command to run, or null when not installed */
  path: string | null;
  version: string;
}

function probe(name: string, candidates: string[], args: string[]): Tool {
  for (const c of candidates) {
    const r = spawnSync(c, args, { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0 && !r.error) {
      const v = /version\s+([\w.\-]+)/i.exec(r.stdout + r.stderr);
      return { name, path: c, version: v?.[1] ?? '?' };
    }
  }
  return { name, path: null, version: '' };
}

/** A command-line tool by name (probed once with `args`). */
export const tool = (name: string, args = ['--version']): Tool => probe(name, [name], args);
/** A tool, or several that a test needs together: all installed, else the skip (or the CI failure) is registered. */
export function haveTools(...tools: Tool[]): boolean {
  const missing = tools.find((t) => !t.path);
  return missing ? haveTool(missing) : true;
}

export const LLVM_MC = probe('llvm-mc', ['llvm-mc', ...[19, 18, 17, 16, 15, 14].map((v) => `llvm-mc-${v}`)], ['--version']);
export const GNU_AS = probe('arm-none-eabi-as', ['arm-none-eabi-as'], ['--version']);

export const IN_CI = process.env.CI === 'true';

/**
 * Is the tool installed? If not, register the skip (or, under CI=true, the failure) and print the reason, so the
 * caller can leave its tests out: `if (haveTool(LLVM_MC)) describe(...)`.
 */
export function haveTool(tool: Tool): boolean {
  if (tool.path) return true;
  const msg = `skipped: ${tool.name} not installed`;
  if (IN_CI) {
    it(`${tool.name} is installed (required when CI=true)`, () => {
      throw new Error(`${tool.name} is not installed, and CI=true: the cross tests must run in CI`);
    });
  } else {
    console.log(msg);
    it.skip(msg, () => {});
  }
  return false;
}

// ------------------------------------------------------------------ processes

/** Source lines per process. */
export const CHUNK = 1000;
const MAX_PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((res) => waiting.push(res));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export interface ProcResult { stdout: string; stderr: string; code: number | null }
/** Run a command with `input` on stdin (no shell). */
export function runProcess(cmd: string, args: string[], input = ''): Promise<ProcResult> {
  return slot(() => new Promise<ProcResult>((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code }));
    p.stdin.on('error', () => {});
    p.stdin.end(input);
  }));
}

/** Split items into chunks of about CHUNK lines. */
function chunks<T>(items: T[], lines: (x: T) => number): { start: number; items: T[] }[] {
  const out: { start: number; items: T[] }[] = [];
  let cur: T[] = [], n = 0, start = 0;
  items.forEach((x, i) => {
    if (n >= CHUNK && cur.length) { out.push({ start, items: cur }); cur = []; n = 0; start = i; }
    cur.push(x);
    n += lines(x);
  });
  if (cur.length) out.push({ start, items: cur });
  return out;
}

/** Does an item hold an IT instruction (whose block may be left open when an instruction in it fails)? */
const opensIT = (lines: string[]): boolean => lines.some((l) => /^it[te]*\s/i.test(l.trim()));

/** `[0x41,0xf1,0x04,0x00]` -> bytes; null when the encoding holds fixups (`A`, `0xe0'A'`). */
function parseEncoding(s: string): number[] | null {
  const parts = s.split(',').map((x) => x.trim());
  const out: number[] = [];
  for (const p of parts) {
    if (!/^0x[0-9a-f]{1,2}$/i.test(p)) return null;
    out.push(Number(p));
  }
  return out;
}

export const hex = (b: ArrayLike<number>): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

// ------------------------------------------------------------------ llvm-mc

const LLVM_ARGS = ['-triple=thumbv7em-none-eabi', '-mcpu=cortex-m4'];

/** What the tool made of one item (a few source lines). */
export interface AsmResult {
  /** per instruction the tool emitted for the item's lines, in order: its text and bytes (null when a fixup is left) */
  insns: { text: string; bytes: number[] | null; line?: number }[];
  /** errors on the item's lines */
  errors: string[];
  warnings: string[];
}

const emptyResult = (): AsmResult => ({ insns: [], errors: [], warnings: [] });

/**
 * Assemble items with llvm-mc -show-encoding. Each item is a list of source lines (an instruction, or an IT and the
 * instructions of its block); the items are assembled in order in one stream, each after a label of its own so the
 * output can be split back. With `guardIT` (the default) an item that opens an IT block is followed by a guard
 * line, so a failure inside the block does not spill into the next item; without it, items may share IT blocks.
 */
export async function llvmAssemble(items: string[][], opts: { guardIT?: boolean } = {}): Promise<AsmResult[]> {
  const guard = opts.guardIT ?? true;
  if (!LLVM_MC.path) throw new Error('llvm-mc not installed');
  const results = items.map(emptyResult);
  await Promise.all(chunks(items, (x) => x.length + 1).map(async ({ start, items: part }) => {
    const src: string[] = ['\t.syntax unified'];
    const lineItem: number[] = [-1];
    part.forEach((lines, k) => {
      src.push(`L${start + k}:`); lineItem.push(start + k);
      for (const l of lines) { src.push('\t' + l); lineItem.push(start + k); }
      // an IT block whose instruction failed stays open and the next line would inherit the error: a guard line
      // (of no item) takes it instead
      if (guard && opensIT(lines)) { src.push(`G${start + k}:`, '\tnop'); lineItem.push(-1, -1); }
    });
    const r = await runProcess(LLVM_MC.path!, [...LLVM_ARGS, '-show-encoding'], src.join('\n') + '\n');
    let cur = -1;
    for (const line of r.stdout.split('\n')) {
      const lab = /^([LG])(\d+):/.exec(line);
      if (lab) { cur = lab[1] === 'L' ? Number(lab[2]) : -1; continue; }
      const m = /^\s*(.*?)\s*@ encoding: \[(.*)\]/.exec(line);
      if (m && cur >= 0) results[cur]!.insns.push({ text: m[1]!.replace(/\s+/g, ' '), bytes: parseEncoding(m[2]!) });
    }
    for (const line of r.stderr.split('\n')) {
      const m = /^<stdin>:(\d+):\d+: (error|warning): (.*)$/.exec(line);
      if (!m) continue;
      const item = lineItem[Number(m[1]) - 1];
      if (item === undefined || item < 0) continue;
      (m[2] === 'error' ? results[item]!.errors : results[item]!.warnings).push(m[3]!);
    }
  }));
  return results;
}

export interface DisasmResult {
  /** instructions llvm-mc printed for the group (bytes: its re-encoding of what it printed) */
  insns: { text: string; bytes: number[] }[];
  /** `invalid instruction encoding` / `potentially undefined instruction encoding` warnings on the group */
  warnings: string[];
}

/**
 * Disassemble byte groups with llvm-mc -disassemble, each group as one `[..]` line (so an invalid group does not
 * shift the next one). IT state carries from one group to the next, as in a stream.
 */
export async function llvmDisassemble(groups: ArrayLike<number>[]): Promise<DisasmResult[]> {
  if (!LLVM_MC.path) throw new Error('llvm-mc not installed');
  const results: DisasmResult[] = groups.map(() => ({ insns: [], warnings: [] }));
  // IT state flows across groups, so chunks are cut only where the last group left no IT block open; simplest: one
  // chunk per CHUNK groups, starting each chunk with fresh state (groups are independent lines of reference data).
  await Promise.all(chunks(groups.map((g, i) => ({ g, i })), () => 1).map(async ({ items: part }) => {
    const src = part.map(({ g }) => '[' + Array.from(g, (b) => '0x' + b.toString(16).padStart(2, '0')).join(' ') + ']');
    const r = await runProcess(LLVM_MC.path!, [...LLVM_ARGS, '-disassemble', '-show-encoding'], src.join('\n') + '\n');
    for (const line of r.stderr.split('\n')) {
      const m = /^<stdin>:(\d+):\d+: warning: (.*)$/.exec(line);
      if (m) results[part[Number(m[1]) - 1]!.i]!.warnings.push(m[2]!);
    }
    const out: { text: string; bytes: number[] }[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(.*?)\s*@ encoding: \[(.*)\]/.exec(line);
      if (m) out.push({ text: m[1]!.replace(/\s+/g, ' '), bytes: parseEncoding(m[2]!) ?? [] });
    }
    // hand the printed instructions back to the groups in order, by size (the printed encoding is llvm-mc's own
    // re-encoding, which differs from the input where the input is not canonical); a group with an invalid
    // encoding prints nothing
    let o = 0;
    for (const { g, i } of part) {
      if (results[i]!.warnings.some((w) => /invalid instruction encoding/.test(w))) continue;
      let at = 0;
      while (o < out.length && at + out[o]!.bytes.length <= g.length && out[o]!.bytes.length) {
        results[i]!.insns.push(out[o]!);
        at += out[o]!.bytes.length;
        o++;
      }
    }
  }));
  return results;
}

// ------------------------------------------------------------------ GNU as

export interface GnuItem {
  lines: string[];
  /** place the item's first line at an address of this value mod 4 (0 or 2): for PC-relative (Align(PC, 4)) forms */
  align?: number;
}

/**
 * Assemble items with GNU as. Per item: the bytes each of its lines produced (from the listing), errors and
 * warnings. `insns` holds one record per item line that produced bytes, with the line's source as `text`.
 * `guardIT` as for llvmAssemble.
 */
export async function gnuAssemble(items: GnuItem[], opts: { guardIT?: boolean } = {}): Promise<AsmResult[]> {
  const guard = opts.guardIT ?? true;
  if (!GNU_AS.path) throw new Error('arm-none-eabi-as not installed');
  const results = items.map(emptyResult);
  const dir = mkdtempSync(join(tmpdir(), 'mcusim-gas-'));
  try {
    await Promise.all(chunks(items, (x) => x.lines.length + 2).map(async ({ start, items: part }, ci) => {
      const src: string[] = ['\t.syntax unified', '\t.thumb', '\t.text'];
      const lineItem: (number | undefined)[] = [undefined, undefined, undefined];
      const lineText: string[] = ['', '', ''];
      const lineIdx: number[] = [-1, -1, -1];
      part.forEach((x, k) => {
        if (x.align !== undefined) {
          src.push('\t.balign 4'); lineItem.push(undefined); lineText.push(''); lineIdx.push(-1);
          if (x.align & 2) { src.push('\tnop'); lineItem.push(undefined); lineText.push(''); lineIdx.push(-1); }
        }
        x.lines.forEach((l, j) => { src.push('\t' + l); lineItem.push(start + k); lineText.push(l); lineIdx.push(j); });
        // an IT block whose instruction failed stays open: a guard line (of no item) takes the error instead
        if (guard && opensIT(x.lines)) { src.push('\tnop'); lineItem.push(undefined); lineText.push(''); lineIdx.push(-1); }
      });
      const s = join(dir, `c${ci}.s`), lst = join(dir, `c${ci}.lst`), obj = join(dir, `c${ci}.o`);
      writeFileSync(s, src.join('\n') + '\n');
      const r = await runProcess(GNU_AS.path!, ['-mcpu=cortex-m4', '-mthumb', `-al=${lst}`, '-o', obj, s]);
      let listing = '';
      try { listing = readFileSync(lst, 'utf8'); } catch { /* no listing: every line is reported in stderr */ }
      for (const line of listing.split('\n')) {
        const m = /^\s*(\d+)\s+(?:[0-9a-f]+|\?+)\s+([0-9A-F]+)(?:\s|$)/.exec(line);
        if (!m) continue;
        const n = Number(m[1]) - 1;
        const item = lineItem[n];
        if (item === undefined) continue;
        let bytes = m[2]!.match(/../g)!.map((h) => parseInt(h, 16));
        // the listing shows the next `.balign`'s padding (16-bit nops) on the line before it: keep one instruction
        const size = bytes.length >= 2 && ((bytes[1]! << 8) & 0xf800) >= 0xe800 ? 4 : 2;
        const rest = bytes.slice(size);
        if (rest.length && rest.every((b, k) => b === (k % 2 ? 0xbf : 0x00))) bytes = bytes.slice(0, size);
        results[item]!.insns.push({ text: lineText[n]!, bytes, line: lineIdx[n]! });
      }
      for (const line of r.stderr.split('\n')) {
        const m = /^[^:]*:(\d+): (Error|Warning): (.*)$/.exec(line);
        if (!m) continue;
        const item = lineItem[Number(m[1]) - 1];
        if (item === undefined) continue;
        (m[2] === 'Error' ? results[item]!.errors : results[item]!.warnings).push(m[3]!);
      }
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
