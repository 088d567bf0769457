/**
 * Checks the reference model itself against an implementation nobody here wrote: QEMU's Cortex-M4
 * (mps2-an386). Every property of the semantic suite (sequences and IT-block forms included, PC-relative ones
 * excepted) is sampled (fixed seed), the cases are assembled by GNU as
 * into one program that, for each case, loads R0-R14 and APSR (MSR APSR_nzcvqg), runs the lines, and stores
 * R0-R14 and APSR; the program prints them through semihosting. Each result must equal the model's.
 *
 * Needs arm-none-eabi-gcc with newlib (rdimon) and qemu-system-arm; skipped when they are not installed.
 * SP is placed in QEMU's data RAM; a case whose result moves SP out of it (ADD SP, Rm) is left out.
 */
import { it, expect } from 'vitest';
import fc from 'fast-check';
import { execSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGISTRY, registryOnly, regsArb, flagsArb, hex } from './harness.js';
import { ArchState, type Flags } from './model.js';
import { MPS2_LD, MPS2_VECTORS } from '../helpers/mps2.js';
import { haveTool, tool } from '../cross/tools.js';

registryOnly.on = true;
await import('./dp.test.js');
await import('./mul.test.js');
await import('./bits.test.js');
await import('./dsp.test.js');
await import('./sequences.test.js');

/** cases per property (the IT-wrapped copies in sequences.test.ts get a third of that) */
const K = Number(process.env.SEM_QEMU_CASES ?? 25);

function toolsMissing(): string | undefined {
  const has = (cmd: string) => { try { execSync(`command -v ${cmd}`, { stdio: 'ignore' }); return true; } catch { return false; } };
  for (const t of ['arm-none-eabi-gcc', 'arm-none-eabi-as', 'qemu-system-arm']) if (!has(t)) return t;
  const specs = execSync('arm-none-eabi-gcc -print-file-name=rdimon.specs').toString().trim();
  if (!specs.includes('/')) return 'libnewlib-arm-none-eabi (rdimon.specs)';
  return undefined;
}
const missingTool = toolsMissing();

const MAIN = `
#include <stdio.h>
extern void run_all(void);
extern unsigned int out_words[];
extern const unsigned int n_cases;
static char buf[1 << 16];
int main(void) {
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
  run_all();
  for (unsigned i = 0; i < n_cases * 17; i++) printf("%08x\\n", out_words[i]);
  fflush(stdout);
  return 0;
}
`;

interface QCase { name: string; lines: string[]; init: number[]; want: number[] }
const apsr = (f: Flags) => ((f.n << 31) | (f.z << 30) | (f.c << 29) | (f.v << 28) | (f.q << 27) | (f.ge << 16)) >>> 0;

/** one word block per case: R0-R14, (unused), APSR */
function program(cs: QCase[]): string {
  const o: string[] = ['.syntax unified', '.cpu cortex-m4', '.thumb', '.data', '.align 2'];
  cs.forEach((c, i) => o.push(`in_${i}: .word ${c.init.map((x) => hex(x)).join(',')}`));
  o.push('.bss', '.align 2', '.global out_words', `out_words: .space ${17 * 4 * cs.length}`,
    '.section .rodata', '.global n_cases', `n_cases: .word ${cs.length}`, '.data', 'saved_sp: .word 0',
    '.text', '.global run_all', '.thumb_func', 'run_all:', 'push {r4-r11, lr}', 'ldr r0, =saved_sp', 'str sp, [r0]');
  cs.forEach((c, i) => {
    o.push(`ldr r0, =in_${i}`, 'ldr r1, [r0, #64]', 'msr apsr_nzcvqg, r1', 'ldr r1, [r0, #52]', 'mov sp, r1',
      'ldr lr, [r0, #56]', 'ldm r0, {r0-r12}', ...c.lines,
      'push {r0-r12, lr}', 'mrs r0, apsr', `ldr r1, =out_words + ${i * 68}`, 'str r0, [r1, #64]', 'add r2, sp, #56', 'str r2, [r1, #52]');
    for (let k = 0; k < 13; k++) o.push(`ldr r2, [sp, #${k * 4}]`, `str r2, [r1, #${k * 4}]`);
    o.push('ldr r2, [sp, #52]', 'str r2, [r1, #56]', 'add sp, sp, #56', 'b 1f', '.ltorg', '1:');
  });
  o.push('ldr r0, =saved_sp', 'ldr sp, [r0]', 'pop {r4-r11, pc}');
  return o.join('\n') + '\n';
}

// a missing tool registers "skipped: <tool> not installed", or a failure under CI=true (test/cross/tools.ts)
if (missingTool === undefined || haveTool(tool(missingTool))) it('model vs QEMU Cortex-M4', () => {
  const cases: QCase[] = [];
  for (const { name, cases: arb } of REGISTRY) {
    const n = name.startsWith('IT: ') ? Math.ceil(K / 3) : K;
    const samples = fc.sample(fc.tuple(arb, regsArb, flagsArb, fc.integer({ min: 0, max: 4095 })), { numRuns: n, seed: Number(process.env.SEM_QEMU_SEED ?? 42) });
    for (const [c, regs, flags, spOff] of samples) {
      if (c.pcRelative) continue;
      const init = regs.map((v) => v >>> 0);
      for (const [k, v] of Object.entries(c.set ?? {})) init[Number(k)] = v >>> 0;
      init[13] = (0x20200000 - 4 * spOff) >>> 0;
      const s = ArchState.of(init, flags);
      c.model(s);
      // the program stores the results through SP: skip a case that moves SP out of QEMU's data RAM
      if (s.r[13]! < 0x20100000n || s.r[13]! > 0x203f0000n) continue;
      cases.push({
        name, lines: c.lines, init: [...init, 0, apsr(flags)],
        want: [...Array.from({ length: 15 }, (_, i) => Number(s.r[i]!)), 0, apsr(s.flags)],
      });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'mcusim-sem-qemu-'));
  try {
    writeFileSync(join(dir, 'vectors.s'), MPS2_VECTORS);
    writeFileSync(join(dir, 'mps2.ld'), MPS2_LD);
    writeFileSync(join(dir, 'main.c'), MAIN);
    writeFileSync(join(dir, 'cases.s'), program(cases));
    execSync('arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb --specs=rdimon.specs -T mps2.ld vectors.s cases.s main.c -o prog.elf', { cwd: dir, stdio: 'pipe' });
    const out = execSync('qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic -semihosting -monitor none -serial none -kernel prog.elf',
      { cwd: dir, timeout: 120_000, maxBuffer: 1 << 28 }).toString().trim().split('\n').map((x) => parseInt(x, 16) >>> 0);
    expect(out.length).toBe(cases.length * 17);
    process.stdout.write(`QEMU cases: ${cases.length}\n`);
    const mismatches: string[] = [];
    cases.forEach((c, i) => {
      const got = out.slice(i * 17, i * 17 + 17);
      const diffs: string[] = [];
      for (let k = 0; k < 17; k++) {
        if (k !== 15 && got[k] !== c.want[k]) diffs.push(`${k === 16 ? 'apsr' : 'r' + k}: model ${hex(c.want[k]!)} qemu ${hex(got[k]!)}`);
      }
      if (diffs.length) mismatches.push(`${c.name}: ${c.lines.join('; ')} | in ${c.init.map((x) => hex(x)).join(' ')} | ${diffs.join(', ')}`);
    });
    expect(mismatches.slice(0, 20)).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
