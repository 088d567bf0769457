/**
 * Semihosting: the core (src/semihost/semihost.ts) with a fake host, parameter blocks read from the machine's
 * memory and results written as the spec says; then the Node host (src/cli/host.ts) with a real temp directory
 * and its sandbox.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../../src/asm/assembler.js';
import { createMachine, type Machine } from '../../src/machine.js';
import {
  Semihosting, runWithSemihosting, formatRefusals, SYS, ERRNO, ADP_Stopped_ApplicationExit,
  type SemihostHost, type HostError,
} from '../../src/semihost/semihost.js';
import { NodeHost } from '../../src/cli/host.js';

// ------------------------------------------------------------------ a fake host

class FakeHost implements SemihostHost {
  out = new Map<number, number[]>();
  opened: { path: string; mode: number }[] = [];
  closed: number[] = [];
  stdin: number[] = [];
  files = new Map<number, { data: number[]; pos: number }>();
  shortWrite = 0;
  nextFd = 10;
  text(fd: number) { return String.fromCharCode(...(this.out.get(fd) ?? [])); }
  write(fd: number, b: Uint8Array) {
    const keep = b.length - this.shortWrite;
    if (fd >= 10) { const f = this.files.get(fd); if (!f) return { errno: ERRNO.EBADF }; f.data.push(...b.subarray(0, keep)); return this.shortWrite; }
    this.out.set(fd, [...(this.out.get(fd) ?? []), ...b.subarray(0, keep)]);
    return this.shortWrite;
  }
  read(fd: number, n: number) {
    if (fd === 0) return new Uint8Array(this.stdin.splice(0, n));
    const f = this.files.get(fd);
    if (!f) return { errno: ERRNO.EBADF };
    const r = new Uint8Array(f.data.slice(f.pos, f.pos + n)); f.pos += r.length; return r;
  }
  open(path: string, mode: number): { fd: number } | HostError {
    this.opened.push({ path, mode });
    if (path === ':tt') return { fd: mode < 4 ? 0 : mode < 8 ? 1 : 2 };
    if (path.startsWith('secret')) return { errno: ERRNO.EACCES, refused: 'outside the host directory' };
    if (path === 'missing') return { errno: ERRNO.ENOENT };
    const fd = this.nextFd++;
    this.files.set(fd, { data: [...new TextEncoder().encode('0123456789')], pos: 0 });
    return { fd };
  }
  close(fd: number): 0 { this.closed.push(fd); return 0; }
  seek(fd: number, pos: number): 0 | HostError { const f = this.files.get(fd); if (!f) return { errno: ERRNO.ESPIPE }; f.pos = pos; return 0; }
  flen(fd: number) { return this.files.get(fd)?.data.length ?? 0; }
  istty(fd: number) { return fd < 3; }
  removed: string[] = [];
  remove(p: string): 0 | HostError { if (p.includes('..')) return { errno: ERRNO.EACCES, refused: "'..'" }; this.removed.push(p); return 0; }
  renamed: [string, string][] = [];
  rename(a: string, b: string): 0 { this.renamed.push([a, b]); return 0; }
  clockCentiseconds() { return 1234; }
  timeSeconds() { return 1_700_000_000; }
  cmdline() { return 'prog.elf -v 3'; }
  system(): HostError { return { errno: ERRNO.EPERM, refused: 'host commands are never run' }; }
}

// ------------------------------------------------------------------ helpers

const BLOCK = 0x20001000, STR = 0x20002000, BUF = 0x20003000;

/** A machine whose PC sits at a `bkpt #0xab` (followed by `bkpt #0`), and a way to make calls through it. */
function rig(host: SemihostHost = new FakeHost(), opts = {}) {
  const m = createMachine();
  m.load(new Uint8Array([0xab, 0xbe, 0x00, 0xbe]), 0x100);
  const sh = new Semihosting(host, opts);
  const str = (s: string, at = STR) => { m.writeBytes(at, new Uint8Array([...new TextEncoder().encode(s), 0])); return at; };
  /** set r0/r1 (a number, or words written as a block at BLOCK), run to the BKPT and handle it */
  const call = (op: number, param: number | number[] = 0) => {
    m.pc = 0x100;
    if (Array.isArray(param)) { param.forEach((w, i) => m.write32(BLOCK + 4 * i, w)); param = BLOCK; }
    m.setReg(0, op); m.setReg(1, param);
    const r = m.run({ maxInstructions: 10 });
    expect(r).toMatchObject({ reason: 'bkpt', imm: 0xab, pc: 0x100 });
    const h = sh.handle(m);
    return { r0: m.reg(0) | 0, exit: h.exit, pc: m.pc };
  };
  return { m, sh, str, call };
}

function program(src: string, host: SemihostHost = new FakeHost()) {
  const img = assemble('.syntax unified\n.thumb\n' + src, { fileName: 't.s', sectionAddresses: { '.data': 0x20000000 } });
  if (!img.ok) throw new Error(img.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  const m = createMachine();
  m.load({ sections: img.sections, entry: img.entry });
  const sh = new Semihosting(host, { heapBase: 0x20010000, heapLimit: 0x20300000, stackBase: 0x20400000, stackLimit: 0x20300000 });
  return { m, sh, host };
}

// ------------------------------------------------------------------ the core

describe('semihosting core: console output', () => {
  it('SYS_WRITE0 from an assembled program writes the string to the debug console and continues', () => {
    const { m, sh, host } = program(`
      movs r0, #0x04
      adr r1, msg
      bkpt #0xab
      movs r2, #7
      bkpt #0
      .balign 4
msg:  .asciz "hello, host\\n"
    `);
    const r = runWithSemihosting(m, sh);
    expect(r.result).toMatchObject({ reason: 'bkpt', imm: 0, pc: 8 });
    expect(r.exitCode).toBeUndefined();
    expect((host as FakeHost).text(2)).toBe('hello, host\n');
    expect(m.reg(2)).toBe(7);
    expect(r.result.instructions).toBe(m.instructions);
    expect(sh.calls).toBe(1);
  });

  it('SYS_WRITEC writes the byte r1 points to; r0 is left as it was', () => {
    const host = new FakeHost();
    const { m, call } = rig(host);
    m.write8(STR, 0x41);
    const r = call(SYS.WRITEC, STR);
    expect(host.text(2)).toBe('A');
    expect(r.r0).toBe(SYS.WRITEC);
    expect(r.pc).toBe(0x102);
  });

  it('the console fd for WRITEC/WRITE0 can be stdout', () => {
    const host = new FakeHost();
    const { str, call } = rig(host, { consoleFd: 1 });
    call(SYS.WRITE0, str('x'));
    expect(host.text(1)).toBe('x');
  });
});

describe('semihosting core: handles', () => {
  let host: FakeHost;
  let t: ReturnType<typeof rig>;
  beforeEach(() => { host = new FakeHost(); t = rig(host); });

  it('SYS_OPEN ":tt" as rdimon does: r (0) stdin, w (4) stdout, a (8) stderr; nonzero handles', () => {
    const hs = [0, 4, 8].map((mode) => t.call(SYS.OPEN, [t.str(':tt'), mode, 3]).r0);
    expect(host.opened).toEqual([{ path: ':tt', mode: 0 }, { path: ':tt', mode: 4 }, { path: ':tt', mode: 8 }]);
    expect(new Set(hs).size).toBe(3);
    for (const h of hs) expect(h).toBeGreaterThan(0);
    // SYS_WRITE [handle, buffer, length] -> 0 when all written
    t.m.writeBytes(BUF, new TextEncoder().encode('out!err?'));
    expect(t.call(SYS.WRITE, [hs[1]!, BUF, 4]).r0).toBe(0);
    expect(t.call(SYS.WRITE, [hs[2]!, BUF + 4, 4]).r0).toBe(0);
    expect(host.text(1)).toBe('out!');
    expect(host.text(2)).toBe('err?');
    // ISTTY: 1 for the console
    expect(t.call(SYS.ISTTY, [hs[0]!]).r0).toBe(1);
  });

  it('SYS_OPEN reads the name by its length from the block', () => {
    t.call(SYS.OPEN, [t.str('data.binXYZ'), 1, 8]);
    expect(host.opened.at(-1)).toEqual({ path: 'data.bin', mode: 1 });
  });

  it('SYS_WRITE returns the number of bytes not written', () => {
    const h = t.call(SYS.OPEN, [t.str(':tt'), 4, 3]).r0;
    host.shortWrite = 3;
    expect(t.call(SYS.WRITE, [h, BUF, 10]).r0).toBe(3);
  });

  it('SYS_READ from stdin: 0 when all read, the shortfall when fewer, the length at end of file', () => {
    const h = t.call(SYS.OPEN, [t.str(':tt'), 0, 3]).r0;
    host.stdin = [...new TextEncoder().encode('abcdefghijk')];
    expect(t.call(SYS.READ, [h, BUF, 8]).r0).toBe(0);
    expect(new TextDecoder().decode(t.m.readBytes(BUF, 8))).toBe('abcdefgh');
    expect(t.call(SYS.READ, [h, BUF, 8]).r0).toBe(5);
    expect(new TextDecoder().decode(t.m.readBytes(BUF, 3))).toBe('ijk');
    expect(t.call(SYS.READ, [h, BUF, 8]).r0).toBe(8);
  });

  it('SYS_READC returns a byte from the console', () => {
    host.stdin = [0x7a];
    expect(t.call(SYS.READC).r0).toBe(0x7a);
  });

  it('SYS_SEEK, SYS_FLEN, SYS_ISTTY, SYS_CLOSE on a file', () => {
    const h = t.call(SYS.OPEN, [t.str('f.txt'), 0, 5]).r0;
    expect(h).toBeGreaterThan(0);
    expect(t.call(SYS.FLEN, [h]).r0).toBe(10);
    expect(t.call(SYS.ISTTY, [h]).r0).toBe(0);
    expect(t.call(SYS.SEEK, [h, 7]).r0).toBe(0);
    expect(t.call(SYS.READ, [h, BUF, 5]).r0).toBe(2);
    expect(new TextDecoder().decode(t.m.readBytes(BUF, 3))).toBe('789');
    expect(t.call(SYS.CLOSE, [h]).r0).toBe(0);
    expect(host.closed).toEqual([10]);
    // the handle is gone
    expect(t.call(SYS.CLOSE, [h]).r0).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.EBADF);
  });

  it('a bad handle: -1 and EBADF for every handle operation (WRITE/READ return the length)', () => {
    for (const op of [SYS.CLOSE, SYS.ISTTY, SYS.SEEK, SYS.FLEN]) {
      t.sh.errno = 0;
      expect(t.call(op, [99, 0, 0]).r0).toBe(-1);
      expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.EBADF);
    }
    expect(t.call(SYS.WRITE, [99, BUF, 4]).r0).toBe(-1);
    expect(t.call(SYS.READ, [99, BUF, 4]).r0).toBe(-1);
  });

  it('a host error: -1 and the host errno from SYS_ERRNO, not a refusal', () => {
    expect(t.call(SYS.OPEN, [t.str('missing'), 0, 7]).r0).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.ENOENT);
    expect(t.sh.refusals).toEqual([]);
  });

  it('":semihosting-features" advertises EXIT_EXTENDED and STDOUT_STDERR', () => {
    const h = t.call(SYS.OPEN, [t.str(':semihosting-features'), 0, 21]).r0;
    expect(h).toBeGreaterThan(0);
    expect(t.call(SYS.FLEN, [h]).r0).toBe(5);
    expect(t.call(SYS.READ, [h, BUF, 5]).r0).toBe(0);
    expect([...t.m.readBytes(BUF, 5)]).toEqual([0x53, 0x48, 0x46, 0x42, 0x03]);
    expect(t.call(SYS.SEEK, [h, 4]).r0).toBe(0);
    expect(t.call(SYS.READ, [h, BUF, 4]).r0).toBe(3);
    expect(t.call(SYS.CLOSE, [h]).r0).toBe(0);
    expect(host.opened).toEqual([]); // never reaches the host
    // only readable
    expect(t.call(SYS.OPEN, [t.str(':semihosting-features'), 4, 21]).r0).toBe(-1);
  });
});

describe('semihosting core: other calls', () => {
  let host: FakeHost;
  let t: ReturnType<typeof rig>;
  beforeEach(() => { host = new FakeHost(); t = rig(host, { heapBase: 0x20010000, heapLimit: 0x20200000, stackBase: 0x20400000, stackLimit: 0x20380000 }); });

  it('SYS_CLOCK, SYS_TIME', () => {
    expect(t.call(SYS.CLOCK).r0).toBe(1234);
    expect(t.call(SYS.TIME).r0).toBe(1_700_000_000);
  });

  it('SYS_ISERROR', () => {
    expect(t.call(SYS.ISERROR, [-1 >>> 0]).r0).toBe(1);
    expect(t.call(SYS.ISERROR, [5]).r0).toBe(0);
  });

  it('SYS_GET_CMDLINE writes the NUL-terminated line and its length; -1 when the buffer is too small', () => {
    expect(t.call(SYS.GET_CMDLINE, [BUF, 80]).r0).toBe(0);
    expect(new TextDecoder().decode(t.m.readBytes(BUF, 14))).toBe('prog.elf -v 3\0');
    expect(t.m.read32(BLOCK + 4)).toBe(13);
    expect(t.call(SYS.GET_CMDLINE, [BUF, 13]).r0).toBe(-1);
  });

  it('SYS_HEAPINFO: r1 points to a word holding the address of the four-word block', () => {
    t.m.write32(BLOCK, 0x20000800);
    t.call(SYS.HEAPINFO, BLOCK);
    expect([0, 1, 2, 3].map((i) => t.m.read32(0x20000800 + 4 * i))).toEqual([0x20010000, 0x20200000, 0x20400000, 0x20380000]);
    expect(t.m.read32(BLOCK)).toBe(0x20000800);
  });

  it('SYS_REMOVE and SYS_RENAME pass the names by length', () => {
    expect(t.call(SYS.REMOVE, [t.str('old.txt'), 7]).r0).toBe(0);
    const a = t.str('a.bin'), b = t.str('b.bin', STR + 0x100);
    expect(t.call(SYS.RENAME, [a, 5, b, 5]).r0).toBe(0);
    expect(host.removed).toEqual(['old.txt']);
    expect(host.renamed).toEqual([['a.bin', 'b.bin']]);
  });

  it('SYS_EXIT: on AArch32 r1 is the reason; ApplicationExit is 0, anything else 1; the PC stays at the BKPT', () => {
    expect(t.call(SYS.EXIT, ADP_Stopped_ApplicationExit)).toMatchObject({ exit: { code: 0, reason: 0x20026 }, pc: 0x100 });
    expect(t.call(SYS.EXIT, 0x20023).exit).toEqual({ code: 1, reason: 0x20023 });
  });

  it('SYS_EXIT_EXTENDED: the block [reason, code]', () => {
    expect(t.call(SYS.EXIT_EXTENDED, [ADP_Stopped_ApplicationExit, 3]).exit).toEqual({ code: 3, reason: 0x20026 });
    expect(t.call(SYS.EXIT_EXTENDED, [ADP_Stopped_ApplicationExit, -2 >>> 0]).exit?.code).toBe(-2);
    expect(t.call(SYS.EXIT_EXTENDED, [0x20024, 3]).exit?.code).toBe(1);
  });

  it('runWithSemihosting stops at the exit with the code', () => {
    const { m, sh } = program(`
      movs r0, #0x20
      adr r1, blk
      bkpt #0xab
      b .
      .balign 4
blk:  .word 0x20026, 42
    `);
    const r = runWithSemihosting(m, sh);
    expect(r.exitCode).toBe(42);
    expect(r.result).toMatchObject({ reason: 'bkpt', imm: 0xab, pc: 4, instructions: 2 });
  });

  it('runWithSemihosting keeps one instruction budget over the whole run', () => {
    const { m, sh, host } = program(`
loop: movs r0, #0x03
      adr r1, ch
      bkpt #0xab
      b loop
      .balign 4
ch:   .byte 0x2e
    `);
    const r = runWithSemihosting(m, sh, { maxInstructions: 40 });
    expect(r.result.reason).toBe('limit');
    expect(r.result.instructions).toBe(40);
    expect((host as FakeHost).text(2)).toBe('.'.repeat(10));
  });
});

describe('semihosting core: refusals', () => {
  let host: FakeHost;
  let t: ReturnType<typeof rig>;
  beforeEach(() => { host = new FakeHost(); t = rig(host); });

  it('SYS_SYSTEM is refused: -1, errno EPERM, reported', () => {
    expect(t.call(SYS.SYSTEM, [t.str('rm -rf /'), 8]).r0).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.EPERM);
    expect(t.sh.refusals).toEqual(['SYS_SYSTEM "rm -rf /": refused (host commands are never run)']);
    expect(formatRefusals(t.sh)[0]).toBe('semihosting: 1 call refused');
  });

  it('a host refusal of SYS_OPEN / SYS_REMOVE: -1, the errno, reported', () => {
    expect(t.call(SYS.OPEN, [t.str('secret.txt'), 0, 10]).r0).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.EACCES);
    expect(t.call(SYS.REMOVE, [t.str('../x'), 4]).r0).toBe(-1);
    expect(t.sh.refusals).toEqual(['SYS_OPEN "secret.txt": refused (outside the host directory)', `SYS_REMOVE "../x": refused ('..')`]);
  });

  it('SYS_TMPNAM and unknown operations: -1, ENOSYS, reported', () => {
    expect(t.call(SYS.TMPNAM, [BUF, 1, 64]).r0).toBe(-1);
    expect(t.call(0x77, 5).r0).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.ENOSYS);
    expect(t.sh.refusals).toEqual(['SYS_TMPNAM: refused (not supported)', 'operation 0x77 (r1 0x5): not supported']);
  });

  it('a parameter block outside memory: -1, EFAULT, reported, and the run goes on', () => {
    const r = t.call(SYS.WRITE, 0x10000000);
    expect(r.r0).toBe(-1);
    expect(r.pc).toBe(0x102);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.EFAULT);
    expect(t.sh.refusals[0]).toMatch(/^SYS_WRITE: parameter at 0x10000000 outside memory/);
  });
});

// ------------------------------------------------------------------ the Node host

describe('Node host', () => {
  let dir: string, outside: string;
  beforeEach(() => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'mcusim-sh-')));
    dir = join(base, 'sandbox'); outside = join(base, 'outside');
    mkdirSync(dir); mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    writeFileSync(join(dir, 'in.txt'), 'hello world');
    mkdirSync(join(dir, 'sub'));
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  const nodeRig = (opts: ConstructorParameters<typeof NodeHost>[0] = {}) => {
    const out: number[] = [], err: number[] = [];
    const host = new NodeHost({ stdout: (b) => out.push(...b), stderr: (b) => err.push(...b), ...opts });
    const t = rig(host);
    const open = (p: string, mode: number) => t.call(SYS.OPEN, [t.str(p), mode, new TextEncoder().encode(p).length]).r0;
    return { ...t, host, open, out: () => String.fromCharCode(...out), err: () => String.fromCharCode(...err) };
  };

  it('without a host directory only ":tt" opens; a file is refused with EACCES and reported', () => {
    const t = nodeRig();
    const h = t.open(':tt', 4);
    t.m.writeBytes(BUF, new TextEncoder().encode('to stdout'));
    expect(t.call(SYS.WRITE, [h, BUF, 9]).r0).toBe(0);
    expect(t.out()).toBe('to stdout');
    expect(t.call(SYS.WRITE0, t.str('console')).r0).toBe(SYS.WRITE0);
    expect(t.err()).toBe('console');
    expect(t.open('in.txt', 0)).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.EACCES);
    expect(t.sh.refusals).toEqual(['SYS_OPEN "in.txt": refused (no host directory (--host-dir): only the console ":tt" opens)']);
  });

  it('stdin from bytes; console is a tty; console seek fails', () => {
    const t = nodeRig({ stdin: new TextEncoder().encode('42\n') });
    const h = t.open(':tt', 0);
    expect(t.call(SYS.READ, [h, BUF, 16]).r0).toBe(13);
    expect(new TextDecoder().decode(t.m.readBytes(BUF, 3))).toBe('42\n');
    expect(t.call(SYS.ISTTY, [h]).r0).toBe(1);
    expect(t.call(SYS.SEEK, [h, 0]).r0).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.ESPIPE);
  });

  it('reads, seeks and measures a file inside the host directory', () => {
    const t = nodeRig({ hostDir: dir });
    const h = t.open('in.txt', 1);
    expect(h).toBeGreaterThan(0);
    expect(t.call(SYS.FLEN, [h]).r0).toBe(11);
    expect(t.call(SYS.ISTTY, [h]).r0).toBe(0);
    expect(t.call(SYS.SEEK, [h, 6]).r0).toBe(0);
    expect(t.call(SYS.READ, [h, BUF, 10]).r0).toBe(5);
    expect(new TextDecoder().decode(t.m.readBytes(BUF, 5))).toBe('world');
    expect(t.call(SYS.CLOSE, [h]).r0).toBe(0);
    expect(t.sh.refusals).toEqual([]);
  });

  it('writes, appends, renames and removes files inside it', () => {
    const t = nodeRig({ hostDir: dir });
    t.m.writeBytes(BUF, new TextEncoder().encode('abcdef'));
    let h = t.open('sub/new.txt', 4);
    expect(t.call(SYS.WRITE, [h, BUF, 3]).r0).toBe(0);
    expect(t.call(SYS.CLOSE, [h]).r0).toBe(0);
    h = t.open('sub/new.txt', 8);
    expect(t.call(SYS.WRITE, [h, BUF + 3, 3]).r0).toBe(0);
    expect(t.call(SYS.CLOSE, [h]).r0).toBe(0);
    expect(readFileSync(join(dir, 'sub/new.txt'), 'utf8')).toBe('abcdef');
    const a = t.str('sub/new.txt'), b = t.str('moved.txt', STR + 0x100);
    expect(t.call(SYS.RENAME, [a, 11, b, 9]).r0).toBe(0);
    expect(readFileSync(join(dir, 'moved.txt'), 'utf8')).toBe('abcdef');
    expect(t.call(SYS.REMOVE, [t.str('moved.txt'), 9]).r0).toBe(0);
    expect(existsSync(join(dir, 'moved.txt'))).toBe(false);
    // a missing file: ENOENT, not a refusal
    expect(t.open('nope.txt', 0)).toBe(-1);
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.ENOENT);
    expect(t.sh.refusals).toEqual([]);
  });

  it('refuses ".." even when it would stay inside, absolute paths outside, and reports each', () => {
    const t = nodeRig({ hostDir: dir });
    expect(t.open('../outside/secret.txt', 0)).toBe(-1);
    expect(t.open('sub/../in.txt', 0)).toBe(-1);
    expect(t.open(join(outside, 'secret.txt'), 0)).toBe(-1);
    expect(t.open(join(dir, 'in.txt'), 0)).toBeGreaterThan(0); // absolute but inside
    expect(t.call(SYS.ERRNO).r0).toBe(ERRNO.EACCES);
    expect(t.call(SYS.REMOVE, [t.str('../outside/secret.txt'), 21]).r0).toBe(-1);
    const a = t.str('in.txt'), b = t.str('../stolen.txt', STR + 0x100);
    expect(t.call(SYS.RENAME, [a, 6, b, 13]).r0).toBe(-1);
    expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
    expect(existsSync(join(dir, 'in.txt'))).toBe(true);
    expect(t.sh.refusals).toHaveLength(5);
    expect(t.sh.refusals[0]).toBe(`SYS_OPEN "../outside/secret.txt": refused ('..' in the path)`);
    expect(t.sh.refusals[2]).toMatch(/refused \(outside the host directory\)$/);
  });

  it('refuses links that lead out: to a file, through a directory, dangling; allows links that stay inside', () => {
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'link.txt'));
    symlinkSync(outside, join(dir, 'out'));
    symlinkSync(join(outside, 'not-yet.txt'), join(dir, 'dangling.txt'));
    symlinkSync(join(dir, 'in.txt'), join(dir, 'good.txt'));
    const t = nodeRig({ hostDir: dir });
    expect(t.open('link.txt', 0)).toBe(-1);
    expect(t.open('link.txt', 4)).toBe(-1);
    expect(t.open('out/secret.txt', 0)).toBe(-1);
    expect(t.open('out/created.txt', 4)).toBe(-1);
    expect(t.open('dangling.txt', 4)).toBe(-1);
    expect(existsSync(join(outside, 'not-yet.txt'))).toBe(false);
    expect(existsSync(join(outside, 'created.txt'))).toBe(false);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret');
    expect(t.call(SYS.REMOVE, [t.str('out/secret.txt'), 14]).r0).toBe(-1);
    expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
    expect(t.sh.refusals).toHaveLength(6);
    expect(t.sh.refusals.filter((r) => /a link leads outside/.test(r))).toHaveLength(5);
    expect(t.sh.refusals[4]).toMatch(/a dangling link/);
    const h = t.open('good.txt', 0);
    expect(h).toBeGreaterThan(0);
    expect(t.call(SYS.FLEN, [h]).r0).toBe(11);
    // removing a link inside removes the link, not its target
    expect(t.call(SYS.REMOVE, [t.str('link.txt'), 8]).r0).toBe(0);
    expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
  });

  it('a host directory reached through a link is its real path', () => {
    const via = join(dir, '..', 'via');
    symlinkSync(dir, via);
    const t = nodeRig({ hostDir: via });
    expect(t.host.root).toBe(dir);
    expect(t.open('in.txt', 0)).toBeGreaterThan(0);
  });

  it('SYS_SYSTEM is refused even with a host directory', () => {
    const t = nodeRig({ hostDir: dir });
    expect(t.call(SYS.SYSTEM, [t.str('touch pwned'), 11]).r0).toBe(-1);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(t.sh.refusals).toEqual(['SYS_SYSTEM "touch pwned": refused (host commands are never run)']);
  });

  it('clock counts centiseconds from the start; time is epoch seconds; cmdline', () => {
    let now = 1_700_000_000_000;
    const t = nodeRig({ now: () => now, cmdline: 'prog a b' });
    now += 2_345;
    expect(t.call(SYS.CLOCK).r0).toBe(234);
    expect(t.call(SYS.TIME).r0).toBe(1_700_000_002);
    expect(t.call(SYS.GET_CMDLINE, [BUF, 64]).r0).toBe(0);
    expect(new TextDecoder().decode(t.m.readBytes(BUF, 9))).toBe('prog a b\0');
  });
});
