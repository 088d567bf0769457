/**
 * The `mcusim` command line (commander). Files, processes and exit codes live here, never in the core.
 * Every user mistake (bad file, bad assembly, bad number) ends in a message and an exit code, not a stack trace.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import Table from 'cli-table3';
import { assemble, formatDiagnostic, formatListing, type AsmResult } from '../asm/assembler.js';
import { disassemble } from '../disasm/disasm.js';
import { createMachine, type Machine, type RunResult } from '../machine.js';
import { formatTrace } from '../trace/trace.js';
import { buildRunReport } from '../report/run.js';
import { Profiler } from '../prof/profile.js';
import { addConvCommand } from './conv.js';
import { addModelCommand } from './model.js';
import { timingLines, memoryTable, watchLines, phaseTable, profileText } from './summary.js';
import { REG_NAMES } from '../isa/kinds.js';
import { isElf, parseElf, checkFits, ElfError, type ElfImage } from '../load/elf.js';
import { Semihosting, runWithSemihosting, formatRefusals, type SemihostRun } from '../semihost/semihost.js';
import { NodeHost } from './host.js';
import { boardNames, getBoard } from '../board/boards.js';
import { flashWaitStates, parseBoard, type Board } from '../board/schema.js';
import { createBoardMachine, bootImageAddress, unmodelledAccesses } from '../board/machine.js';
import type { MemorySystem } from '../mem/memsys.js';
import type { UnmodelledDevice } from '../mem/device.js';

/** A user-facing failure: printed as `mcusim: message`, exit code `code`. */
export class UsageError extends Error {
  constructor(message: string, readonly code = 1) { super(message); }
}

function parseAddress(v: string): number {
  const t = v.trim().replace(/_/g, '');
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? parseInt(t, 10) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`'${v}' is not an address (decimal or 0x hex, 0 to 0xffffffff)`);
  return n;
}
function parseCount(v: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${v}' is not a positive whole number`);
  return n;
}

function readText(file: string): string {
  try { return readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
}
function readBinary(file: string): Uint8Array {
  try { return new Uint8Array(readFileSync(file)); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
}

/** Assemble a file; print warnings; on errors print them all and fail. */
function assembleFile(file: string, opts: { base?: number; cpu?: string; data?: number }): AsmResult {
  const sectionAddresses = opts.data !== undefined ? { '.data': opts.data } : undefined;
  const r = assemble(readText(file), { fileName: file, base: opts.base, cpu: opts.cpu, sectionAddresses });
  for (const w of r.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
  if (!r.ok) {
    for (const e of r.errors) process.stderr.write(formatDiagnostic(e) + '\n');
    throw new UsageError(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in ${file}`);
  }
  return r;
}

/** The loadable bytes (not .bss) from the lowest section address to the highest end, gaps zero-filled. */
function flatImage(r: AsmResult): { base: number; bytes: Uint8Array } {
  const secs = r.sections.filter((s) => s.kind !== 'bss' && s.bytes.length > 0);
  if (!secs.length) return { base: 0, bytes: new Uint8Array(0) };
  const lo = Math.min(...secs.map((s) => s.address));
  const hi = Math.max(...secs.map((s) => s.address + s.bytes.length));
  if (hi - lo > 64 << 20) throw new UsageError(`sections span ${hi - lo} bytes (0x${lo.toString(16)}..0x${hi.toString(16)}): too far apart for one flat binary`);
  const out = new Uint8Array(hi - lo);
  for (const s of secs) out.set(s.bytes, s.address - lo);
  return { base: lo, bytes: out };
}

const hex8 = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function formatRun(m: Machine, res: RunResult, stoppedBy?: string, where?: (address: number) => string | undefined): string {
  const at = (a: number) => { const w = where?.(a); return `${hex8(a)}${w ? ` (${w})` : ''}`; };
  const lines: string[] = [];
  const why: Record<string, string> = {
    halt: 'halted (branch to itself)', bkpt: `breakpoint (bkpt #${res.imm})`, svc: `supervisor call (svc #${res.imm})`,
    wfi: 'waiting for interrupt (wfi) with no interrupt source', wfe: 'waiting for event (wfe)', limit: `${res.limit === 'cycles' ? 'cycle' : 'instruction'} limit reached`, fault: 'fault',
  };
  lines.push(`stopped: ${stoppedBy ?? why[res.reason]} at pc ${at(res.pc)}`);
  if (res.fault) {
    const f = res.fault;
    lines.push(`${f.kind} ${f.reason}: ${f.message}`);
    lines.push(`  at pc ${at(f.pc)}${f.instruction ? `: ${f.instruction.replace('\t', ' ')}` : ''}`);
    if (f.lockup) lines.push('  the core locked up (a fault while handling a fault)');
    else if (f.exception) lines.push(`  taken by the ${f.exception} handler${f.escalated ? ' (escalated)' : ''}`);
    if (f.status) lines.push(`  CFSR ${hex8(f.status.cfsr)}  HFSR ${hex8(f.status.hfsr)}  MMFAR ${hex8(f.status.mmfar)}  BFAR ${hex8(f.status.bfar)}`);
    if (f.registers) lines.push('  registers at the fault: ' + f.registers.map((v, i) => `${REG_NAMES[i]}=${hex8(v)}`).join(' ') + (f.xpsr !== undefined ? ` xpsr=${hex8(f.xpsr)}` : ''));
  }
  const t = new Table({ head: ['reg', 'hex', 'signed', 'reg', 'hex', 'signed'], style: { head: [], border: [] } });
  for (let i = 0; i < 8; i++) {
    const a = m.reg(i), b = m.reg(i + 8);
    t.push([REG_NAMES[i]!, hex8(a), String(a | 0), REG_NAMES[i + 8]!, hex8(b), String(b | 0)]);
  }
  lines.push(t.toString());
  const f = m.flags;
  lines.push(`flags: N=${f.n} Z=${f.z} C=${f.c} V=${f.v} Q=${f.q} GE=${f.ge.toString(2).padStart(4, '0')}`);
  return lines.join('\n');
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('mcusim').description('Cycle-approximate Cortex-M4/M7 simulator').exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program.command('asm').description('assemble a Thumb-2 source file into a flat binary')
    .argument('<file.s>', 'assembly source (GNU unified syntax)')
    .option('-o, --output <file.bin>', 'output binary (default: the source name with .bin)')
    .option('-l, --listing [file]', 'print a listing (address, bytes, source), or write it to a file')
    .option('--base <addr>', 'address of the first section', parseAddress)
    .option('--data <addr>', 'address of .data (.bss follows it); default: right after the code', parseAddress)
    .option('--cpu <name>', 'cortex-m0, cortex-m3, cortex-m4 (default) or cortex-m7')
    .action((file: string, o: { output?: string; listing?: string | boolean; base?: number; data?: number; cpu?: string }) => {
      const r = assembleFile(file, o);
      const img = flatImage(r);
      const out = o.output ?? file.replace(/\.[^./]*$/, '') + '.bin';
      try { writeFileSync(out, img.bytes); } catch (e) { throw new UsageError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code}`); }
      if (o.listing) {
        const text = formatListing(r);
        if (typeof o.listing === 'string') writeFileSync(o.listing, text); else process.stdout.write(text);
      }
      process.stderr.write(`${basename(out)}: ${img.bytes.length} bytes at ${hex8(img.base)}\n`);
    });

  program.command('disasm').description('disassemble a flat Thumb binary')
    .argument('<file.bin>', 'raw binary')
    .option('--base <addr>', 'address of the first byte', parseAddress, 0)
    .action((file: string, o: { base: number }) => {
      const bytes = readBinary(file);
      for (const d of disassemble(bytes, { address: o.base })) {
        const hexBytes = d.size === 2 ? hex4(d.bytes, 0) : `${hex4(d.bytes, 0)} ${hex4(d.bytes, 2)}`;
        const note = d.undefined ? `\t@ ${d.undefined}` : '';
        process.stdout.write(`${d.address.toString(16).padStart(8, ' ')}:\t${hexBytes.padEnd(9)}\t${d.text}${note}\n`);
      }
      if (bytes.length % 2) process.stdout.write(`${(o.base + bytes.length - 1).toString(16).padStart(8, ' ')}:\t${bytes[bytes.length - 1]!.toString(16).padStart(2, '0')}\t\t.byte\t0x${bytes[bytes.length - 1]!.toString(16).padStart(2, '0')}\n`);
    });

  program.command('run').description('run a program (assembly source, ELF executable or raw binary); its output goes to stdout, the summary to stderr')
    .argument('<program>', 'assembly source (.s/.S/.asm), ELF executable, or raw binary')
    .argument('[args...]', 'arguments for the program (semihosting command line), after --')
    .option('--max <n>', 'instruction limit', parseCount, 100_000_000)
    .option('--max-instructions <n>', 'the same as --max', parseCount)
    .option('--base <addr>', 'address of the first section (assembly) or of the binary (raw)', parseAddress)
    .option('--data <addr>', 'address of .data for assembly sources (.bss follows it; default: the SRAM, 0x20000000 without --board)', parseAddress)
    .option('--cpu <name>', 'cortex-m0, cortex-m3, cortex-m4 (default) or cortex-m7')
    .option('--host-dir <dir>', 'the one host directory the program may open, create, remove and rename files in (semihosting)')
    .option('--stats <file>', 'write the run summary to a file instead of stderr; a .json file gets the whole report as JSON (docs/run-report.md)')
    .option('--board <name>', 'the board to run ELF and raw images on (default mps2-an386); `mcusim boards` lists them')
    .option('--max-cycles <n>', 'cycle limit', parseCount)
    .option('--timeout <seconds>', 'wall-clock limit for the run', parseSeconds)
    .option('--trace [file]', 'print every instruction (cycle, address, bytes, disassembly, cost, register/flag changes, memory accesses) to stderr or a file')
    .option('--watch <window>', 'report the highest offset written in a window: NAME=0xSTART:0xEND, 0xSTART:0xEND, or an ELF object SYMBOL (NAME=SYMBOL); repeatable', collect, [])
    .option('--profile [n]', 'print the n functions with the most cycles (default 20; needs an ELF with symbols)')
    .option('--flamegraph <file>', 'write the per-function profile: speedscope JSON for a .json file, else collapsed stacks')
    .option('--caches <on|off>', 'Cortex-M7 L1 caches at reset: off as on silicon (firmware enables them through SCB), or on', parseOnOff, 'off')
    .option('--flash-reset <state>', 'FLASH_ACR at reset: "startup" (wait states for the board clock, accelerator on, as start-up code leaves it) or "silicon" (the reset value)', parseFlashReset, 'startup')
    .action(async (file: string, args: string[], o: RunOptions) => {
      const { m, elf, unmodelled, board, image, memory } = loadProgram(file, o);
      const trace = o.trace === undefined ? undefined : traceWriter(o.trace);
      for (const w of o.watch) addWatch(m, w, elf);
      const profiling = o.profile !== undefined || o.flamegraph !== undefined;
      if (profiling) m.profiler = new Profiler(elf ? functionSymbols(elf) : []);
      const host = new NodeHost({
        hostDir: o.hostDir, cmdline: [file, ...args].join(' '),
        stdout: (b) => process.stdout.write(b), stderr: (b) => process.stderr.write(b),
      });
      const sh = new Semihosting(host);
      let run;
      try {
        run = await runSliced(m, sh, { maxInstructions: o.maxInstructions ?? o.max, maxCycles: o.maxCycles, timeoutMs: o.timeout === undefined ? undefined : o.timeout * 1000, run: trace && tracedRun(m, trace.write) });
      } finally { trace?.close(); }
      const res = run.result;
      const where = (a: number) => { const f = elf?.symbolAt(a); return f ? `${f.name}+0x${(a - f.value).toString(16)}` : undefined; };
      m.usage?.finish(m.state.now(), m.instructions);
      m.profiler?.finish(m.cycles);
      const report = buildRunReport({
        machine: m, program: file, result: res, where, stoppedBy: run.stopped, exitCode: run.exitCode,
        board: board && { name: board.name, core: board.core, clockHz: board.clockHz, regions: board.regions },
        profile: m.profiler?.functions(), image, unmodelled: unmodelledAccesses(unmodelled), refused: sh.refusals,
        memory: memory?.stats(), warnings: memory?.warnings,
      });
      const touched = report.unmodelled;
      const lines = [run.exit ? `program exited with code ${run.exitCode} (semihosting)` : '', formatRun(m, res, run.stopped, where), ...timingLines(report),
        memoryTable(report), ...watchLines(report), phaseTable(report) ?? '',
        o.profile !== undefined ? profileText(report, o.profile === true ? 20 : parseCount(o.profile)) ?? '' : '',
        ...formatRefusals(sh),
        ...(touched.length ? [`unmodelled peripheral addresses (read as 0, writes ignored): ${touched.length}`,
          ...touched.map((t) => `  ${hex8(t.address)} in ${t.window}: ${t.reads} read${t.reads === 1 ? '' : 's'}, ${t.writes} write${t.writes === 1 ? '' : 's'}`)] : [])].filter(Boolean);
      // --stats FILE.json: the report as JSON; --stats FILE: the summary text; either way not on stderr
      if (!o.stats) process.stderr.write(lines.join('\n') + '\n');
      else if (/\.json$/i.test(o.stats)) writeOut(o.stats, JSON.stringify(report, null, 1) + '\n');
      else writeOut(o.stats, lines.join('\n') + '\n');
      if (o.flamegraph && m.profiler) {
        writeOut(o.flamegraph, /\.json$/i.test(o.flamegraph) ? JSON.stringify(m.profiler.speedscope(basename(file))) + '\n' : m.profiler.collapsed());
      }
      if (run.exitCode !== undefined) process.exitCode = run.exitCode;
      else if (res.reason === 'fault' || res.fault) process.exitCode = 2; // also a halt inside a fault handler
      else if (res.reason === 'limit') process.exitCode = 3;
    });

  addConvCommand(program, boardByName, (m) => { throw new UsageError(m); });
  addModelCommand(program, boardByName, (m) => { throw new UsageError(m); });

  program.command('boards').description('list the shipped boards, or show one (a name, or a board file to check)')
    .argument('[name]', 'a board name, or a board .json file')
    .action((name?: string) => {
      if (!name) {
        const t = new Table({ head: ['board', 'core', 'clock', 'flash', 'RAM', 'caches'], style: { head: [], border: [] } });
        for (const n of boardNames()) {
          const b = getBoard(n);
          const sum = (k: string[]) => b.regions.filter((r) => k.includes(r.kind)).reduce((a, r) => a + r.size, 0);
          const caches = b.caches ? `${(b.caches.icache?.sizeKB ?? 0)} KB I + ${(b.caches.dcache?.sizeKB ?? 0)} KB D` : '-';
          t.push([n, b.core, `${b.clockHz / 1e6} MHz`, kb(sum(['flash'])), kb(sum(['ram', 'tcm'])), caches]);
        }
        process.stdout.write(t.toString() + '\n');
        return;
      }
      const b = boardByName(name);
      process.stdout.write(`${b.name}: ${b.description}\ncore ${b.core}, clock ${b.clockHz / 1e6} MHz${b.flash ? `, flash wait states at this clock: ${flashWaitStates(b)}` : ''}\n`);
      const t = new Table({ head: ['region', 'kind', 'base', 'size', 'access', 'wait states'], style: { head: [], border: [] } });
      for (const r of b.regions) t.push([r.name, r.kind, hex8(r.base), kb(r.size), r.access, String(r.waitStates ?? 0)]);
      process.stdout.write(t.toString() + '\n');
      if (b.caches) process.stdout.write(`caches: ${JSON.stringify(b.caches)}\n`);
      if (b.accelerator) process.stdout.write(`flash accelerator: ${JSON.stringify(b.accelerator)}\n`);
      if (b.peripherals.length) process.stdout.write(`peripherals: ${b.peripherals.map((p) => `${p.name} (${p.kind}) at ${hex8(p.base)}`).join(', ')}\n`);
      if (b.sramBudget) process.stdout.write(`SRAM budget for models: ${kb(b.sramBudget)}\n`);
    });
  return program;
}

/** Where trace lines go: stderr, or a file written in chunks. */
function traceWriter(dest: string | true): { write: (line: string) => void; close: () => void } {
  if (dest === true) return { write: (l) => process.stderr.write(l + '\n'), close: () => {} };
  let fd: number;
  try { fd = openSync(dest, 'w'); } catch (e) { throw new UsageError(`cannot write ${dest}: ${(e as NodeJS.ErrnoException).code}`); }
  let buf: string[] = [];
  const flush = () => { if (buf.length) { writeSync(fd, buf.join('\n') + '\n'); buf = []; } };
  return { write: (l) => { buf.push(l); if (buf.length >= 4096) flush(); }, close: () => { flush(); closeSync(fd); } };
}

/** A run function that single-steps with Machine.traceStep, handing each record's line to `out`. */
function tracedRun(m: Machine, out: (line: string) => void) {
  return (o: { maxInstructions: number; maxCycles?: number }): RunResult => {
    const i0 = m.instructions, c0 = m.cycles;
    const sum = (r: RunResult): RunResult => ({ ...r, instructions: m.instructions - i0, cycles: m.cycles - c0 });
    for (;;) {
      if (m.instructions - i0 >= o.maxInstructions) return sum({ reason: 'limit', limit: 'instructions', instructions: 0, cycles: 0, pc: m.pc });
      if (o.maxCycles !== undefined && m.cycles - c0 >= o.maxCycles) return sum({ reason: 'limit', limit: 'cycles', instructions: 0, cycles: 0, pc: m.pc });
      const { record, result } = m.traceStep();
      out(formatTrace(record));
      if (result.reason !== 'limit') return sum(result);
    }
  };
}

function collect(v: string, prev: string[]): string[] { return [...prev, v]; }

function writeOut(file: string, text: string): void {
  try { writeFileSync(file, text); } catch (e) { throw new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code}`); }
}

/** The ELF's function symbols for the profiler (untyped labels left out: they would split functions). */
function functionSymbols(elf: ElfImage) {
  return elf.symbols.filter((x) => x.type === 'func' && x.section !== 0 && x.section < 0xff00)
    .map((x) => ({ name: x.name, address: x.value, size: x.size, weak: x.bind === 'weak' }));
}

/** `--watch`: NAME=0xSTART:0xEND, 0xSTART:0xEND, SYMBOL or NAME=SYMBOL (an ELF object with a size). */
function addWatch(m: Machine, spec: string, elf?: ElfImage): void {
  if (!m.usage) throw new UsageError('--watch needs memory usage tracking');
  const eq = spec.indexOf('=');
  const name = eq > 0 ? spec.slice(0, eq) : spec;
  const what = eq > 0 ? spec.slice(eq + 1) : spec;
  let start: number, end: number;
  const span = /^\s*(0x[0-9a-f_]+|\d+)\s*:\s*(0x[0-9a-f_]+|\d+)\s*$/i.exec(what);
  if (span) {
    try { start = parseAddress(span[1]!); end = parseAddress(span[2]!); } catch (e) { throw new UsageError(`--watch ${spec}: ${(e as Error).message}`); }
    if (end <= start) throw new UsageError(`--watch ${spec}: the end 0x${end.toString(16)} is not above the start 0x${start.toString(16)}`);
  } else {
    if (what.includes(':')) throw new UsageError(`--watch ${spec}: '${what}' is not START:END (two addresses, decimal or 0x hex)`);
    if (!elf) throw new UsageError(`--watch ${spec}: '${what}' is not START:END, and symbols need an ELF program`);
    const sym = elf.symbols.find((x) => x.name === what && x.section !== 0);
    if (!sym) throw new UsageError(`--watch ${spec}: no symbol '${what}' in the ELF (give START:END instead)`);
    if (sym.size === 0) throw new UsageError(`--watch ${spec}: symbol '${what}' has size 0 (give START:END instead)`);
    start = sym.value; end = sym.value + sym.size;
  }
  try { m.usage.watch(name, start, end); } catch (e) { throw new UsageError(`--watch ${spec}: ${(e as Error).message}`); }
}

function parseOnOff(v: string): 'on' | 'off' {
  if (v !== 'on' && v !== 'off') throw new InvalidArgumentError(`'${v}' is not on or off`);
  return v;
}
function parseFlashReset(v: string): 'startup' | 'silicon' {
  if (v !== 'startup' && v !== 'silicon') throw new InvalidArgumentError(`'${v}' is not startup or silicon`);
  return v;
}

interface RunOptions { caches: 'on' | 'off'; flashReset: 'startup' | 'silicon'; trace?: string | true; watch: string[]; profile?: string | true; flamegraph?: string; max: number; maxInstructions?: number; maxCycles?: number; timeout?: number; base?: number; data?: number; cpu?: string; hostDir?: string; stats?: string; board?: string }

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${v}' is not a positive number of seconds`);
  return n;
}

/** Instructions per slice: between slices the event loop runs, so Ctrl-C and the timeout are noticed. */
const SLICE = 20_000_000;

/**
 * Run in slices until the program stops, a budget runs out, the timeout passes or the user presses Ctrl-C; the
 * last two stop the run the way a limit does (`stopped` says which), with the state as it was.
 */
async function runSliced(m: Machine, sh: Semihosting, o: { maxInstructions: number; maxCycles?: number; timeoutMs?: number; run?: (o: { maxInstructions: number; maxCycles?: number }) => RunResult }): Promise<SemihostRun & { stopped?: string }> {
  let interrupted = false;
  const onInt = () => { interrupted = true; };
  process.on('SIGINT', onInt);
  const t0 = Date.now();
  const i0 = m.instructions, c0 = m.cycles;
  try {
    for (;;) {
      const leftI = o.maxInstructions - (m.instructions - i0);
      const leftC = o.maxCycles === undefined ? undefined : o.maxCycles - (m.cycles - c0);
      const r = runWithSemihosting(m, sh, { maxInstructions: Math.min(leftI, o.run ? SLICE / 100 : SLICE), maxCycles: leftC, run: o.run });
      const total = { ...r.result, instructions: m.instructions - i0, cycles: m.cycles - c0 };
      const sliceEnded = r.result.reason === 'limit' && r.result.limit === 'instructions' && leftI > (o.run ? SLICE / 100 : SLICE);
      if (!sliceEnded) return { ...r, result: total };
      await new Promise((res) => setImmediate(res));
      if (interrupted) return { ...r, result: total, stopped: 'interrupted (Ctrl-C)' };
      if (o.timeoutMs !== undefined && Date.now() - t0 >= o.timeoutMs) return { ...r, result: total, stopped: `timeout: ${o.timeoutMs / 1000} s passed` };
    }
  } finally {
    process.off('SIGINT', onInt);
  }
}

const kb = (n: number) => (n >= 1 << 20 && n % (1 << 20) === 0 ? `${n >> 20} MB` : `${n / 1024} KB`);

/**
 * Load a program by its kind: ELF (by its magic), assembly source (by its extension), else a raw binary at --base.
 * An image with a vector table at address 0 runs on a machine with the exception model, booting like the hardware
 * (SP from word 0, PC from word 1); an assembly snippet without one runs bare (a fault stops the run).
 */
interface Loaded { m: Machine; elf?: ElfImage; unmodelled: UnmodelledDevice[]; board?: Board; image?: { address: number; bytes: Uint8Array }[]; memory?: MemorySystem | null }

/**
 * Load a program by its kind: ELF (by its magic), assembly source (by its extension), else a raw binary.
 * ELF and raw images run on a board (--board, default mps2-an386, QEMU's twin) with the exception model,
 * booting from the vector table at the board's boot address. An assembly source runs bare on the default
 * machine (4 MiB code at 0, 4 MiB SRAM at 0x20000000; a fault stops the run), or on --board without the
 * exception model, starting at its entry.
 */
function loadProgram(file: string, o: RunOptions): Loaded {
  const bytes = readBinary(file);
  const board = o.board === undefined ? undefined : boardByName(o.board);
  const onBoard = (exceptions: boolean) => createBoardMachine(board ?? getBoard('mps2-an386'), {
    exceptions, stdout: (b) => process.stdout.write(Uint8Array.of(b)),
    memory: { silicon: o.flashReset === 'silicon', cachesOn: o.caches === 'on' },
  });
  try {
    if (isElf(bytes)) {
      const img = parseElf(bytes);
      const { machine: m, unmodelled, memory } = onBoard(true);
      const problems = checkFits(img, m.bus.windows.map((r) => ({ name: r.name, base: r.base, size: r.size })));
      if (problems.length) throw new UsageError(`cannot load ${file}:\n  ${problems.join('\n  ')}`);
      const loadable = img.loadable();
      m.load(loadable);
      return { m, elf: img, unmodelled, board: board ?? getBoard('mps2-an386'), image: loadable.sections, memory };
    }
    if (/\.(s|S|asm)$/.test(file)) {
      if (board) {
        const ram = board.regions.find((r) => r.kind === 'ram')!;
        const r = assembleFile(file, { ...o, base: o.base ?? bootImageAddress(board), data: o.data ?? ram.base });
        const { machine: m, unmodelled, memory } = onBoard(false);
        m.setReg('sp', ram.base + ram.size);
        const sections = r.sections.filter((x) => x.kind !== 'bss');
        m.load({ sections, entry: r.entry });
        return { m, unmodelled, board, image: sections, memory };
      }
      const r = assembleFile(file, { ...o, data: o.data ?? 0x20000000 });
      const m = createMachine();
      // .bss is zero-filled: memory starts zeroed, and the machine is new
      const sections = r.sections.filter((x) => x.kind !== 'bss');
      m.load({ sections, entry: r.entry });
      return { m, unmodelled: [], image: sections };
    }
    const { machine: m, unmodelled, memory } = onBoard(true);
    const at = o.base ?? bootImageAddress(board ?? getBoard('mps2-an386'));
    m.load(bytes, at);
    return { m, unmodelled, board: board ?? getBoard('mps2-an386'), image: [{ address: at, bytes }], memory };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof ElfError) throw new UsageError(`${file}: ${e.message}`);
    throw new UsageError(`cannot load ${file}: ${(e as { message?: string }).message ?? e}`);
  }
}

/** A shipped board by name, or a board file (JSON, boards/README.md) validated with every error listed. */
function boardByName(name: string): Board {
  if (boardNames().includes(name)) return getBoard(name);
  if (!/\.json$/i.test(name)) throw new UsageError(`unknown board '${name}' (boards: ${boardNames().join(', ')}; or a board file ending in .json)`);
  const r = parseBoard(readText(name), name);
  if (!r.board) throw new UsageError(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in board file ${name}:\n  ${r.errors.join('\n  ')}`);
  return r.board;
}

function hex4(b: Uint8Array, i: number): string {
  return ((b[i]! | (b[i + 1]! << 8)) >>> 0).toString(16).padStart(4, '0');
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) { process.exitCode = e.exitCode; return; }
    if (e instanceof UsageError) { process.stderr.write(`mcusim: ${e.message}\n`); process.exitCode = e.code; return; }
    throw e;
  }
}
