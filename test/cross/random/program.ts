/**
 * Programs of random cases for the differential test (../random-programs.test.ts): the GNU assembler source of
 * the cases, the C driver that calls them and prints their dumps, the build (arm-none-eabi-gcc with newlib's
 * rdimon, the mps2 linker script and vector table), and the runs on QEMU and on the simulator.
 *
 * Each case is a function `case_<i>(scratch_mid, out)`: it saves r4-r11/lr and `out`, moves `scratch_mid` into
 * the case's base register, sets APSR (MSR APSR_nzcvqg) and r0-r12 (`ldr rX, =value`), runs the body, and stores
 * r0-r12 and APSR to `out`. The case code refers to no symbol outside itself, so its object file's .text holds
 * final bytes (no relocations) and can be compared byte for byte with our assembler's output for the same source.
 * The driver fills the 256-byte scratch buffer with a pattern of the case number, calls the case, and prints one
 * line: the case number, r0-r12, APSR and the scratch buffer's 64 words, in hex.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SCRATCH, type Flags } from './gen.js';
import { parseElf } from '../../../src/load/elf.js';
import { createMachine } from '../../../src/machine.js';
import { Semihosting, runWithSemihosting } from '../../../src/semihost/semihost.js';
import { NodeHost } from '../../../src/cli/host.js';

export interface ProgCase {
  /** the case's number in the whole run */
  id: number;
  regs: number[];
  flags: Flags;
  base: number;
  body: string[];
}

export const apsrOf = (f: Flags): number => ((f.n << 31) | (f.z << 30) | (f.c << 29) | (f.v << 28) | (f.q << 27) | (f.ge << 16)) >>> 0;
const hex = (x: number) => '0x' + (x >>> 0).toString(16);

/** the assembly of one case: prologue, body, dump, literal pool */
export function caseSource(c: ProgCase): string[] {
  const o = [`.global case_${c.id}`, '.thumb_func', '.p2align 2', `case_${c.id}:`, 'push {r4-r11, lr}', 'push {r1}'];
  if (c.base !== 0) o.push(`mov r${c.base}, r0`);
  o.push(`ldr r12, =${hex(apsrOf(c.flags))}`, 'msr apsr_nzcvqg, r12');
  for (let i = 0; i < 13; i++) if (i !== c.base) o.push(`ldr r${i}, =${hex(c.regs[i]!)}`);
  o.push('clrex', '@ ---- body', ...c.body, '@ ---- dump');
  o.push('push {r0-r12}', 'mrs r0, apsr', 'ldr r1, [sp, #52]', 'str r0, [r1, #52]',
    'pop {r2-r8}', 'stmia r1!, {r2-r8}', 'pop {r2-r7}', 'stmia r1!, {r2-r7}', 'add sp, #4', 'pop {r4-r11, pc}', '.ltorg');
  return o;
}

export function casesSource(cs: ProgCase[]): string {
  const o = ['.syntax unified', '.cpu cortex-m4', '.thumb', '.text'];
  for (const c of cs) o.push(...caseSource(c));
  return o.join('\n') + '\n';
}

export function driverSource(cs: ProgCase[]): string {
  return `#include <stdio.h>
typedef void case_fn(unsigned *scratch_mid, unsigned *out);
extern case_fn ${cs.map((c) => `case_${c.id}`).join(', ')};
static case_fn *const cases[] = { ${cs.map((c) => `case_${c.id}`).join(', ')} };
static const unsigned ids[] = { ${cs.map((c) => c.id).join(', ')} };
static unsigned scratch[${SCRATCH / 4}] __attribute__((aligned(8)));
static unsigned out[14];
static char line[16 + 9 * (14 + ${SCRATCH / 4})];
static char *put(char *p, unsigned v) {
  for (int k = 7; k >= 0; k--) p[7 - k] = "0123456789abcdef"[(v >> (4 * k)) & 15];
  p[8] = ' ';
  return p + 9;
}
int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 1024);
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned x = ids[i] * 2654435761u + 12345u;
    for (unsigned j = 0; j < ${SCRATCH / 4}; j++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; scratch[j] = x; }
    for (unsigned j = 0; j < 14; j++) out[j] = 0xdeadbeef;
    cases[i](scratch + ${SCRATCH / 8}, out);
    char *p = put(line, ids[i]);
    for (unsigned j = 0; j < 14; j++) p = put(p, out[j]);
    *p++ = '|'; *p++ = ' ';
    for (unsigned j = 0; j < ${SCRATCH / 4}; j++) p = put(p, scratch[j]);
    p[-1] = '\\n'; *p = 0;
    fputs(line, stdout);
  }
  return 0;
}
`;
}

export interface ProcOut { code: number | null; stdout: string; stderr: string; timedOut: boolean }
/** run a command (no shell); resolves at its exit or after `timeout` ms (then killed) */
export function runAsync(cmd: string, args: string[], cwd: string, timeout = 60_000): Promise<ProcOut> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    let timedOut = false;
    const t = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, timeout);
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', (e) => { clearTimeout(t); resolve({ code: -1, stdout: '', stderr: String(e), timedOut }); });
    p.on('close', (code) => { clearTimeout(t); resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut }); });
  });
}

export interface SimOut { stdout: string; stop: string; instructions: number }
/** the same ELF on the simulator: vector-table boot, semihosting console captured */
export function runSim(elfPath: string, maxInstructions = 200_000_000): SimOut {
  const img = parseElf(new Uint8Array(readFileSync(elfPath)));
  const m = createMachine({ exceptions: true });
  m.load(img.loadable());
  const out: number[] = [];
  const host = new NodeHost({ cmdline: 'prog.elf', stdout: (b) => { for (const x of b) out.push(x); }, stderr: () => {} });
  const sh = new Semihosting(host);
  const r = runWithSemihosting(m, sh, { maxInstructions });
  host.closeAll();
  const f = r.result.fault;
  const stop = r.exitCode !== undefined ? `exit ${r.exitCode}`
    : `${r.result.reason} at pc ${hex(r.result.pc)}${f ? ` (${f.kind} ${f.reason}: ${f.message} at ${hex(f.pc)} ${f.instruction ?? ''})` : ''}`;
  return { stdout: Buffer.from(out).toString('utf8'), stop, instructions: r.result.instructions };
}
