/**
 * Semihosting against QEMU: a C program built with newlib's rdimon (printf, puts, stderr, host files, exit code)
 * runs on QEMU's mps2-an386 with -semihosting and on the simulator with the Node host; stdout, stderr, the files
 * it leaves and the exit code must be the same.
 *
 * No ELF loader yet: the image is split with objcopy -O binary into the code memory part (loaded at 0) and .data
 * (loaded at 0x20000000, where the link script puts it without a separate load address); SP and PC come from the
 * vector table. Missing tools skip the test ("skipped: <tool> not installed"), or fail it when CI=true.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTools, tool } from './tools.js';
import { createMachine } from '../../src/machine.js';
import { Semihosting, runWithSemihosting } from '../../src/semihost/semihost.js';
import { NodeHost } from '../../src/cli/host.js';
import { MPS2_LD, MPS2_VECTORS } from '../helpers/mps2.js';

const GCC = tool('arm-none-eabi-gcc');
const QEMU = tool('qemu-system-arm');

const PROG = `
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <errno.h>
/* newlib's rename() is link + unlink, which rdimon does not have: its _rename is the SYS_RENAME call */
extern int _rename(const char *, const char *);
int main(int argc, char **argv) {
  (void)argc; (void)argv;
  printf("hello %d %s %x %5.2f|%-4c|%08lx %lld\\n", 42, "world", 0xbeefu, 3.14159, 'z', 0xabcdUL, -1234567890123LL);
  puts("puts line");
  fprintf(stderr, "to stderr %u\\n", 7u);
  FILE *f = fopen("data.txt", "w");
  if (!f) { printf("fopen w failed\\n"); return 9; }
  fprintf(f, "line one\\nline %s\\n", "two");
  fclose(f);
  f = fopen("data.txt", "r");
  if (!f) { printf("fopen r failed\\n"); return 9; }
  char buf[64];
  while (fgets(buf, sizeof buf, f)) printf("read: %s", buf);
  fseek(f, 5, SEEK_SET);
  printf("at 5: %c, length %ld\\n", fgetc(f), (fseek(f, 0, SEEK_END), ftell(f)));
  fclose(f);
  printf("missing: %s\\n", fopen("no-such-file", "r") ? "opened" : "NULL");
  printf("missing errno: %d\\n", errno);
  errno = 0;
  int r = _rename("data.txt", "kept.txt");
  printf("rename: %d\\n", r);
  r = _rename("no-such-file", "x.txt");
  printf("rename missing: %d errno %d\\n", r, errno);
  f = fopen("gone.txt", "w"); fputs("x", f); fclose(f);
  printf("remove: %d\\n", remove("gone.txt"));
  errno = 0;
  printf("remove missing: %d errno %d\\n", remove("gone.txt"), errno);
  char *p = malloc(100); strcpy(p, "heap ok"); puts(p); free(p);
  fflush(stdout);
  return 3;
}
`;

const run = (cmd: string, args: string[], cwd?: string) => {
  const r = spawnSync(cmd, args, { cwd, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout?.toString('utf8') ?? '', stderr: r.stderr?.toString('utf8') ?? '', error: r.error };
};

describe('semihosting: newlib rdimon program, simulator vs QEMU', () => {
  if (!haveTools(GCC, QEMU)) return;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcusim-semihost-'));
    writeFileSync(join(dir, 'mps2.ld'), MPS2_LD);
    writeFileSync(join(dir, 'vectors.s'), MPS2_VECTORS);
    writeFileSync(join(dir, 'prog.c'), PROG);
    const cc = run('arm-none-eabi-gcc', ['-O2', '-mcpu=cortex-m4', '-mthumb', '--specs=rdimon.specs', '-T', 'mps2.ld', 'vectors.s', 'prog.c', '-o', 'prog.elf'], dir);
    if (cc.code !== 0) throw new Error(`arm-none-eabi-gcc failed:\n${cc.stderr}`);
    for (const [args, out] of [[['-R', '.data', '-R', '.bss'], 'code.bin'], [['-j', '.data'], 'data.bin']] as const) {
      const r = run('arm-none-eabi-objcopy', ['-O', 'binary', ...args, 'prog.elf', out], dir);
      if (r.code !== 0) throw new Error(`objcopy failed:\n${r.stderr}`);
    }
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('prints the same stdout and stderr, leaves the same files and exits with the same code', () => {
    // QEMU, in a directory of its own (it opens host files relative to its working directory)
    const qdir = join(dir, 'qemu'), sdir = join(dir, 'sim');
    mkdirSync(qdir); mkdirSync(sdir);
    const q = run('qemu-system-arm', ['-M', 'mps2-an386', '-nographic', '-semihosting', '-monitor', 'none', '-serial', 'none', '-kernel', join(dir, 'prog.elf')], qdir);
    expect(q.error).toBeUndefined();

    // the simulator
    const m = createMachine();
    const code = new Uint8Array(readFileSync(join(dir, 'code.bin')));
    m.load(code, 0);
    m.writeBytes(0x20000000, new Uint8Array(readFileSync(join(dir, 'data.bin'))));
    const dv = new DataView(code.buffer, code.byteOffset, code.byteLength);
    m.setReg('sp', dv.getUint32(0, true));
    m.pc = dv.getUint32(4, true) & ~1;
    const out: number[] = [], err: number[] = [];
    const host = new NodeHost({ hostDir: sdir, cmdline: 'prog.elf', stdout: (b) => out.push(...b), stderr: (b) => err.push(...b) });
    const sh = new Semihosting(host, { stackBase: 0x20400000, stackLimit: 0x20300000 });
    const r = runWithSemihosting(m, sh, { maxInstructions: 50_000_000 });
    host.closeAll();
    const simOut = Buffer.from(out).toString('utf8'), simErr = Buffer.from(err).toString('utf8');

    expect(r.result.reason, JSON.stringify(r.result)).toBe('bkpt');
    expect(simOut).toBe(q.stdout);
    expect(simErr).toBe(q.stderr);
    expect(r.exitCode).toBe(q.code);
    expect(r.exitCode).toBe(3);
    expect(simOut).toContain('hello 42 world beef  3.14|z   |0000abcd -1234567890123\n');
    expect(simOut).toContain('read: line two\n');
    expect(simOut).toContain('rename: 0\n');
    for (const f of ['kept.txt', 'gone.txt', 'data.txt']) expect(existsSync(join(sdir, f))).toBe(existsSync(join(qdir, f)));
    expect(readFileSync(join(sdir, 'kept.txt'), 'utf8')).toBe(readFileSync(join(qdir, 'kept.txt'), 'utf8'));
    expect(sh.refusals).toEqual([]);
  }, 120_000);
});
