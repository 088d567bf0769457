/**
 * ARM semihosting (the "Semihosting for AArch32 and AArch64" specification, version 2): a program stops at
 * BKPT 0xAB with the operation number in r0 and a parameter (usually the address of a parameter block of words)
 * in r1; the debugger does the work on the host, writes the result to r0 and resumes after the BKPT.
 *
 * This file is the target side: it reads the parameter blocks from the machine's memory, keeps the program's
 * handle table and errno, and answers the operations newlib's rdimon (and QEMU's `-semihosting`) use. Everything
 * that touches the host (files, console, clock) goes through a `SemihostHost`, so this file imports no Node
 * module; src/cli/host.ts is the Node implementation with its --host-dir sandbox.
 *
 * Semihosting is a door into the host, so the core keeps a list of every call it or the host refused
 * (`refusals`) for the run summary. A refused call fails the way the program expects a failed call to fail: -1
 * in r0 and an errno that SYS_ERRNO returns.
 *
 * Behaviour chosen to match QEMU (the reference the cross test checks against):
 * - SYS_WRITEC / SYS_WRITE0 write to the debug console, which is stderr (fd 2) unless `consoleFd` says otherwise.
 * - The ":semihosting-features" pseudo-file advertises SH_EXT_EXIT_EXTENDED and SH_EXT_STDOUT_STDERR, so
 *   newlib opens ":tt" mode w (4) as stdout and mode a (8) as stderr, and exits with SYS_EXIT_EXTENDED, which
 *   carries the exit code.
 * - SYS_EXIT on AArch32 passes the reason code itself in r1: ADP_Stopped_ApplicationExit is exit code 0, any
 *   other reason 1. SYS_EXIT_EXTENDED's block is [reason, code]: ApplicationExit gives `code`, others 1.
 * - At an exit the PC stays at the BKPT (the program ended there).
 */
import type { Machine, RunResult } from '../machine.js';
import { CpuFault } from '../cpu/exceptions.js';
import { itAdvance } from '../cpu/state.js';

/** Operation numbers (r0). */
export const SYS = {
  OPEN: 0x01, CLOSE: 0x02, WRITEC: 0x03, WRITE0: 0x04, WRITE: 0x05, READ: 0x06, READC: 0x07, ISERROR: 0x08,
  ISTTY: 0x09, SEEK: 0x0a, FLEN: 0x0c, TMPNAM: 0x0d, REMOVE: 0x0e, RENAME: 0x0f, CLOCK: 0x10, TIME: 0x11,
  SYSTEM: 0x12, ERRNO: 0x13, GET_CMDLINE: 0x15, HEAPINFO: 0x16, EXIT: 0x18, EXIT_EXTENDED: 0x20,
  ELAPSED: 0x30, TICKFREQ: 0x31,
} as const;
const SYS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SYS).map(([k, v]) => [v, `SYS_${k}`]));

/** SYS_EXIT reason codes (the spec's ADP_Stopped_* values) that programs use. */
export const ADP_Stopped_ApplicationExit = 0x20026;
export const ADP_Stopped_RunTimeErrorUnknown = 0x20023;

/** The semihosting BKPT immediate on Thumb targets. */
export const SEMIHOST_BKPT = 0xab;

/**
 * errno values as the target's C library numbers them (newlib's sys/errno.h, which agrees with Linux below 35).
 * SYS_ERRNO returns these; hosts map their own errors onto them.
 */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EINTR: 4, EIO: 5, ENXIO: 6, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14,
  EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24,
  ENOTTY: 25, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, ERANGE: 34, ENOSYS: 88,
  ENOTEMPTY: 90, ENAMETOOLONG: 91, ELOOP: 92, ENOTSUP: 134,
} as const;

/** A failed host operation: the errno for SYS_ERRNO, and when the host refused it on purpose, why. */
export interface HostError { errno: number; refused?: string }
export const isHostError = (x: unknown): x is HostError => typeof x === 'object' && x !== null && 'errno' in x;

/**
 * The host side. File descriptors are the host's own numbers (the core maps the program's handles onto them).
 * Failures return a HostError (or null / -1 where the signature says so, with the errno from `lastErrno()`).
 */
export interface SemihostHost {
  /** write bytes; returns the number of bytes NOT written (0 when all were) or a HostError */
  write(fd: number, bytes: Uint8Array): number | HostError;
  /** read up to n bytes: an empty array at end of file, a HostError on failure */
  read(fd: number, n: number): Uint8Array | HostError;
  /**
   * open a file: `path` as the program gave it (":tt" is the console: modes 0-3 stdin, 4-7 stdout, 8-11 stderr),
   * `mode` the spec's 0-11 (r rb r+ r+b w wb w+ w+b a ab a+ a+b)
   */
  open(path: string, mode: number): { fd: number } | HostError;
  close(fd: number): 0 | HostError;
  /** seek to an absolute position */
  seek(fd: number, pos: number): 0 | HostError;
  flen(fd: number): number | HostError;
  istty(fd: number): boolean | HostError;
  remove(path: string): 0 | HostError;
  rename(from: string, to: string): 0 | HostError;
  /** centiseconds since the program started */
  clockCentiseconds(): number;
  /** seconds since 1970-01-01 00:00 UTC */
  timeSeconds(): number;
  /** the program's command line (argv[0] and arguments, space separated) */
  cmdline(): string;
  /** run a host command: the exit status, or a refusal (hosts here always refuse) */
  system(cmd: string): number | HostError;
}

export interface SemihostOptions {
  /** SYS_HEAPINFO's block; 0 means "unknown" (newlib then uses its linker symbols) */
  heapBase?: number;
  heapLimit?: number;
  stackBase?: number;
  stackLimit?: number;
  /** host fd SYS_WRITEC / SYS_WRITE0 / SYS_READC use for the debug console: default 2 for output (as QEMU) */
  consoleFd?: number;
  /** advertise the v2 extensions in ":semihosting-features" (default true, as QEMU 7.2) */
  features?: boolean;
}

export interface SemihostExit {
  /** the exit code a host process would exit with (QEMU's rule) */
  code: number;
  /** the ADP_Stopped_* reason the program gave */
  reason: number;
}

type Handle =
  | { kind: 'host'; fd: number; path: string }
  | { kind: 'features'; pos: number };

/** The ":semihosting-features" file: magic "SHFB", then one byte of feature bits. */
const FEATURES_MAGIC = [0x53, 0x48, 0x46, 0x42];
const SH_EXT_EXIT_EXTENDED = 1, SH_EXT_STDOUT_STDERR = 2;

const MAX_HANDLES = 1024;
const u32 = (v: number) => v >>> 0;
const hex = (v: number) => '0x' + u32(v).toString(16);

/** A parameter-block address or string the program gave was outside memory. */
class BadAddress { constructor(readonly address: number | undefined) {} }

export class Semihosting {
  /** every call refused or not supported, in order, one line each: `SYS_SYSTEM "ls": refused (...)` */
  readonly refusals: string[] = [];
  /** errno of the last failed call (SYS_ERRNO) */
  errno = 0;
  /** semihosting calls handled */
  calls = 0;
  private handles = new Map<number, Handle>();
  private nextHandle = 1;
  private readonly opts: Required<SemihostOptions>;

  constructor(readonly host: SemihostHost, opts: SemihostOptions = {}) {
    this.opts = { heapBase: 0, heapLimit: 0, stackBase: 0, stackLimit: 0, consoleFd: 2, features: true, ...opts };
  }

  /** The program's open handles (for tests and summaries): handle -> host path. */
  get openHandles(): Map<number, string> {
    return new Map([...this.handles].map(([h, x]) => [h, x.kind === 'host' ? x.path : ':semihosting-features']));
  }

  /**
   * Handle the call at a BKPT 0xAB stop: r0 is the operation, r1 its parameter. Writes the result to r0 and
   * steps past the BKPT, except at an exit, which is returned (the PC stays at the BKPT).
   */
  handle(m: Machine): { exit?: SemihostExit } {
    const op = m.reg(0), arg = m.reg(1);
    this.calls++;
    let r: { value?: number; exit?: SemihostExit };
    try {
      r = this.dispatch(m, op, arg);
    } catch (e) {
      if (e instanceof BadAddress || e instanceof CpuFault) {
        const addr = e instanceof BadAddress ? e.address : e.address;
        this.refusals.push(`${this.opName(op)}: parameter at ${addr === undefined ? hex(arg) : hex(addr)} outside memory`);
        r = { value: this.fail(ERRNO.EFAULT) };
      } else throw e;
    }
    if (r.exit) return { exit: r.exit };
    if (r.value !== undefined) m.setReg(0, r.value >>> 0);
    const s = m.state;
    s.pc = (s.pc + 2) >>> 0; // BKPT is a 16-bit instruction
    s.itstate = itAdvance(s.itstate);
    s.icount += 1;
    s.cycles += 1;
    return {};
  }

  private opName(op: number): string { return SYS_NAMES[op] ?? `operation ${hex(op)}`; }

  private fail(errno: number): number { this.errno = errno; return -1; }
  private hostFail(op: number, e: HostError, what: string): number {
    if (e.refused) this.refusals.push(`${this.opName(op)} ${what}: refused (${e.refused})`);
    return this.fail(e.errno);
  }

  // ---------------------------------------------------------------- memory access

  private word(m: Machine, a: number): number {
    try { return m.read32(a); } catch (e) { if (e instanceof CpuFault) throw new BadAddress(a); throw e; }
  }
  private bytes(m: Machine, a: number, n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    try { return m.readBytes(a, n); } catch (e) { if (e instanceof CpuFault) throw new BadAddress(a); throw e; }
  }
  private store(m: Machine, a: number, b: Uint8Array): void {
    try { for (let i = 0; i < b.length; i++) m.write8(a + i, b[i]!); } catch (e) { if (e instanceof CpuFault) throw new BadAddress(a); throw e; }
  }
  private storeWord(m: Machine, a: number, v: number): void {
    try { m.write32(a, v); } catch (e) { if (e instanceof CpuFault) throw new BadAddress(a); throw e; }
  }
  /** a NUL-terminated string (at most `max` bytes), as Latin-1-safe UTF-8 text */
  private cstring(m: Machine, a: number, max = 1 << 16): Uint8Array {
    const out: number[] = [];
    try {
      for (let i = 0; i < max; i++) {
        const c = m.read8(a + i);
        if (c === 0) break;
        out.push(c);
      }
    } catch (e) { if (e instanceof CpuFault) throw new BadAddress(e.address ?? a); throw e; }
    return new Uint8Array(out);
  }
  /** a file name from a pointer and a length (the spec's blocks give both; the string is NUL-terminated too) */
  private name(m: Machine, p: number, len: number): string {
    const b = this.bytes(m, p, Math.min(len, 4096));
    return new TextDecoder().decode(b);
  }

  // ---------------------------------------------------------------- operations

  private dispatch(m: Machine, op: number, arg: number): { value?: number; exit?: SemihostExit } {
    const h = this.host;
    const p = (i: number) => this.word(m, arg + 4 * i);
    switch (op) {
      case SYS.OPEN: {
        const path = this.name(m, p(0), p(2)), mode = p(1);
        if (mode > 11) return { value: this.fail(ERRNO.EINVAL) };
        if (path === ':semihosting-features') {
          if (!this.opts.features || mode > 1) return { value: this.fail(ERRNO.ENOENT) };
          return { value: this.newHandle({ kind: 'features', pos: 0 }) };
        }
        if (this.handles.size >= MAX_HANDLES) return { value: this.fail(ERRNO.EMFILE) };
        const r = h.open(path, mode);
        if (isHostError(r)) return { value: this.hostFail(op, r, JSON.stringify(path)) };
        return { value: this.newHandle({ kind: 'host', fd: r.fd, path }) };
      }
      case SYS.CLOSE: {
        const hd = p(0), x = this.handles.get(hd);
        if (!x) return { value: this.fail(ERRNO.EBADF) };
        this.handles.delete(hd);
        if (x.kind === 'features') return { value: 0 };
        const r = h.close(x.fd);
        return { value: isHostError(r) ? this.hostFail(op, r, x.path) : 0 };
      }
      case SYS.WRITEC: {
        const c = this.bytes(m, arg, 1);
        h.write(this.opts.consoleFd, c);
        return {}; // r0 is corrupted per the spec: left as it was
      }
      case SYS.WRITE0: {
        h.write(this.opts.consoleFd, this.cstring(m, arg));
        return {};
      }
      case SYS.WRITE: {
        const x = this.handles.get(p(0)), ptr = p(1), len = p(2);
        if (!x) return { value: this.fail(ERRNO.EBADF) };
        if (x.kind === 'features') { this.fail(ERRNO.EBADF); return { value: len }; }
        const r = h.write(x.fd, this.bytes(m, ptr, len));
        if (isHostError(r)) { this.hostFail(op, r, x.path); return { value: len }; }
        return { value: r };
      }
      case SYS.READ: {
        const x = this.handles.get(p(0)), ptr = p(1), len = p(2);
        if (!x) return { value: this.fail(ERRNO.EBADF) };
        let got: Uint8Array;
        if (x.kind === 'features') {
          const all = this.featureBytes();
          got = all.subarray(Math.min(x.pos, all.length), Math.min(x.pos + len, all.length));
          x.pos += got.length;
        } else {
          const r = h.read(x.fd, len);
          if (isHostError(r)) return { value: this.hostFail(op, r, x.path) };
          got = r.subarray(0, len);
        }
        this.store(m, ptr, got);
        return { value: len - got.length };
      }
      case SYS.READC: {
        const r = h.read(0, 1);
        if (isHostError(r) || r.length === 0) return { value: -1 };
        return { value: r[0]! };
      }
      case SYS.ISERROR:
        return { value: (p(0) | 0) < 0 ? 1 : 0 };
      case SYS.ISTTY: {
        const x = this.handles.get(p(0));
        if (!x) return { value: this.fail(ERRNO.EBADF) };
        if (x.kind === 'features') return { value: 0 };
        const r = h.istty(x.fd);
        if (isHostError(r)) return { value: this.hostFail(op, r, x.path) };
        return { value: r ? 1 : 0 };
      }
      case SYS.SEEK: {
        const x = this.handles.get(p(0)), pos = p(1);
        if (!x) return { value: this.fail(ERRNO.EBADF) };
        if (x.kind === 'features') { x.pos = pos; return { value: 0 }; }
        const r = h.seek(x.fd, pos);
        return { value: isHostError(r) ? this.hostFail(op, r, x.path) : 0 };
      }
      case SYS.FLEN: {
        const x = this.handles.get(p(0));
        if (!x) return { value: this.fail(ERRNO.EBADF) };
        if (x.kind === 'features') return { value: this.featureBytes().length };
        const r = h.flen(x.fd);
        return { value: isHostError(r) ? this.hostFail(op, r, x.path) : r };
      }
      case SYS.REMOVE: {
        const path = this.name(m, p(0), p(1));
        const r = h.remove(path);
        return { value: isHostError(r) ? this.hostFail(op, r, JSON.stringify(path)) : 0 };
      }
      case SYS.RENAME: {
        const a = this.name(m, p(0), p(1)), b = this.name(m, p(2), p(3));
        const r = h.rename(a, b);
        return { value: isHostError(r) ? this.hostFail(op, r, `${JSON.stringify(a)} -> ${JSON.stringify(b)}`) : 0 };
      }
      case SYS.TMPNAM:
        // a host file name is of no use without a host directory, and gives the program a path to probe: refused
        this.refusals.push('SYS_TMPNAM: refused (not supported)');
        return { value: this.fail(ERRNO.ENOSYS) };
      case SYS.CLOCK:
        return { value: Math.max(0, Math.floor(h.clockCentiseconds())) };
      case SYS.TIME:
        return { value: Math.floor(h.timeSeconds()) };
      case SYS.SYSTEM: {
        const cmd = this.name(m, p(0), p(1));
        const r = h.system(cmd);
        if (isHostError(r)) return { value: this.hostFail(op, r, JSON.stringify(cmd)) };
        return { value: r };
      }
      case SYS.ERRNO:
        return { value: this.errno };
      case SYS.GET_CMDLINE: {
        const buf = p(0), size = p(1);
        const s = new TextEncoder().encode(h.cmdline());
        if (s.length + 1 > size) return { value: this.fail(ERRNO.EINVAL) };
        const out = new Uint8Array(s.length + 1);
        out.set(s);
        this.store(m, buf, out);
        this.storeWord(m, arg + 4, s.length);
        return { value: 0 };
      }
      case SYS.HEAPINFO: {
        // r1 points to a word holding the address of the four-word block
        const block = this.word(m, arg);
        const o = this.opts;
        [o.heapBase, o.heapLimit, o.stackBase, o.stackLimit].forEach((v, i) => this.storeWord(m, block + 4 * i, v));
        return {};
      }
      case SYS.EXIT:
        // AArch32: r1 is the reason itself; only an application exit is a success
        return { exit: { reason: arg, code: arg === ADP_Stopped_ApplicationExit ? 0 : 1 } };
      case SYS.EXIT_EXTENDED: {
        const reason = p(0), code = p(1);
        return { exit: { reason, code: reason === ADP_Stopped_ApplicationExit ? code | 0 : 1 } };
      }
      default:
        this.refusals.push(`${this.opName(op)} (r1 ${hex(arg)}): not supported`);
        return { value: this.fail(ERRNO.ENOSYS) };
    }
  }

  private newHandle(x: Handle): number {
    if (this.handles.size >= MAX_HANDLES) return this.fail(ERRNO.EMFILE);
    while (this.handles.has(this.nextHandle)) this.nextHandle = (this.nextHandle % 0x7fffffff) + 1;
    const hd = this.nextHandle++;
    this.handles.set(hd, x);
    return hd;
  }

  private featureBytes(): Uint8Array {
    return new Uint8Array([...FEATURES_MAGIC, this.opts.features ? SH_EXT_EXIT_EXTENDED | SH_EXT_STDOUT_STDERR : 0]);
  }
}

export interface SemihostRun {
  /** the last stop: at an exit, the `bkpt` stop at the exit call; `instructions`/`cycles` cover the whole run */
  result: RunResult;
  /** set when the program exited through SYS_EXIT / SYS_EXIT_EXTENDED */
  exitCode?: number;
  exit?: SemihostExit;
}

/**
 * Run a machine with semihosting: every BKPT 0xAB is handled and the run continues; any other stop (another
 * BKPT, SVC, a fault, the instruction limit, a halt) returns. `maxInstructions` bounds the whole run.
 */
export function runWithSemihosting(m: Machine, sh: Semihosting, opts: { maxInstructions?: number; maxCycles?: number; run?: (o: { maxInstructions: number; maxCycles?: number }) => RunResult } = {}): SemihostRun {
  const run = opts.run ?? ((o) => m.run(o));
  const max = opts.maxInstructions ?? 100_000_000;
  const i0 = m.instructions, c0 = m.cycles;
  const total = (r: RunResult): RunResult => ({ ...r, instructions: m.instructions - i0, cycles: m.cycles - c0 });
  for (;;) {
    const left = max - (m.instructions - i0);
    if (left <= 0) return { result: total({ reason: 'limit', limit: 'instructions', instructions: 0, cycles: 0, pc: m.pc }) };
    const leftC = opts.maxCycles === undefined ? undefined : opts.maxCycles - (m.cycles - c0);
    if (leftC !== undefined && leftC <= 0) return { result: total({ reason: 'limit', limit: 'cycles', instructions: 0, cycles: 0, pc: m.pc }) };
    const r = run({ maxInstructions: left, maxCycles: leftC });
    if (r.reason !== 'bkpt' || r.imm !== SEMIHOST_BKPT) return { result: total(r) };
    const h = sh.handle(m);
    if (h.exit) return { result: total(r), exitCode: h.exit.code, exit: h.exit };
  }
}

/** Lines for a run summary: the refused calls, or nothing. */
export function formatRefusals(sh: Semihosting): string[] {
  if (!sh.refusals.length) return [];
  return [`semihosting: ${sh.refusals.length} call${sh.refusals.length === 1 ? '' : 's'} refused`, ...sh.refusals.map((r) => '  ' + r)];
}
