/**
 * Differential test against QEMU: the C programs in test/cross/programs/ (see its README.md), each built with
 * arm-none-eabi-gcc and newlib's rdimon at -O0, -O2 and -Os for Cortex-M4 (run on QEMU's mps2-an386) and Cortex-M7
 * (soft float, run on mps2-an500), run in QEMU and in the simulator: the stdout bytes and the exit code must be
 * the same.
 *
 * The simulator side mirrors `mcusim run` (src/cli/main.ts): parseElf -> createMachine({ exceptions }) (on when the
 * ELF has a vector table at 0, which every program here has) -> load -> Semihosting with a host that captures
 * stdout -> runWithSemihosting.
 *
 * Programs link programs/examples/hello's linker script and vector table (test/helpers/mps2.ts), except those that
 * define a `.vectors` section of their own (the SVC, SysTick, NVIC and fault programs).
 *
 * Builds and QEMU runs go through two worker slots (a 2-core machine), started for every case before the first
 * test, in the order of the tests; each test waits for its case, then runs the simulator in-process. Everything
 * lives in a temporary directory for the run. Missing tools skip the file ("skipped: <tool> not installed"), or
 * fail it when CI=true.
 *
 * A case where the simulator is known to be wrong is listed in KNOWN with the bug, and runs as `it.fails`.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTools, tool } from './tools.js';
import { createMachine } from '../../src/machine.js';
import { parseElf } from '../../src/load/elf.js';
import { Semihosting, runWithSemihosting } from '../../src/semihost/semihost.js';
import { NodeHost } from '../../src/cli/host.js';
import { MPS2_LD, MPS2_VECTORS } from '../helpers/mps2.js';

const GCC = tool('arm-none-eabi-gcc');
const QEMU = tool('qemu-system-arm');

const SRC_DIR = join(import.meta.dirname, 'programs');
/** the shipped examples that are also differential programs: their source is the example's own */
const EXAMPLES_DIR = join(import.meta.dirname, '../../programs/examples');
const EXAMPLES = ['svc', 'systick', 'usagefault'];
const PROGRAMS = [...readdirSync(SRC_DIR).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)), ...EXAMPLES].sort();
const sourceOf = (prog: string) => (EXAMPLES.includes(prog) ? join(EXAMPLES_DIR, prog, `${prog}.c`) : join(SRC_DIR, `${prog}.c`));
const OPTS = ['-O0', '-O2', '-Os'] as const;
const CPUS = [
  { cpu: 'cortex-m4', board: 'mps2-an386' },
  { cpu: 'cortex-m7', board: 'mps2-an500' },
] as const;

/** `program opt cpu` -> the simulator bug that makes it differ (runs as it.fails). Keep empty when all agree. */
const KNOWN: Record<string, string> = {};

interface Case { id: string; prog: string; opt: string; cpu: string; board: string }
const CASES: Case[] = PROGRAMS.flatMap((prog) => OPTS.flatMap((opt) => CPUS.map(({ cpu, board }) => ({ id: `${prog} ${opt} ${cpu}`, prog, opt, cpu, board }))));

interface Proc { code: number | null; signal: string | null; stdout: Buffer; stderr: string }
/** Run a command (no shell), killed after `timeout` ms. */
function proc(cmd: string, args: string[], cwd: string, timeout: number): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout, killSignal: 'SIGKILL' });
    const out: Buffer[] = [], err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Two worker slots for the processes. */
const SLOTS = 2;
let busy = 0;
const queue: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (busy >= SLOTS) await new Promise<void>((res) => queue.push(res));
  busy++;
  try { return await f(); } finally { busy--; queue.shift()?.(); }
}

interface Built { elf: string; qemu: Proc }

describe('C programs: simulator vs QEMU mps2 (stdout and exit code)', () => {
  if (!haveTools(GCC, QEMU)) return;
  let dir = '';
  const jobs = new Map<string, Promise<Built>>();
  const t0 = Date.now();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcusim-qemu-programs-'));
    writeFileSync(join(dir, 'mps2.ld'), MPS2_LD);
    writeFileSync(join(dir, 'vectors.s'), MPS2_VECTORS);
    for (const c of CASES) {
      const src = sourceOf(c.prog);
      const ownVectors = /section\(\s*"\.vectors"\s*\)/.test(readFileSync(src, 'utf8'));
      const elf = join(dir, `${c.prog}${c.opt}-${c.cpu}.elf`);
      const job = slot(async () => {
        const cc = await proc('arm-none-eabi-gcc', [c.opt, `-mcpu=${c.cpu}`, '-mthumb', '-mfloat-abi=soft', '--specs=rdimon.specs',
          '-T', 'mps2.ld', ...(ownVectors ? [] : ['vectors.s']), src, '-lm', '-o', elf], dir, 60_000);
        if (cc.code !== 0) throw new Error(`arm-none-eabi-gcc failed for ${c.id}:\n${cc.stderr}`);
        const qemu = await proc('qemu-system-arm', ['-M', c.board, '-nographic', '-semihosting-config', 'enable=on,target=native',
          '-monitor', 'none', '-serial', 'none', '-kernel', elf], dir, 30_000);
        return { elf, qemu };
      });
      job.catch(() => {}); // reported by the test that awaits it
      jobs.set(c.id, job);
    }
  });
  afterAll(() => {
    console.log(`qemu-programs: ${CASES.length} cases (${PROGRAMS.length} programs x ${OPTS.length} opt levels x ${CPUS.length} cpus) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    const bug = KNOWN[c.id];
    (bug ? it.fails : it)(bug ? `${c.id} (known simulator bug: ${bug})` : c.id, async () => {
      const { elf, qemu } = await jobs.get(c.id)!;
      expect(qemu.signal, `QEMU did not finish (killed by ${qemu.signal}); stderr: ${qemu.stderr}`).toBeNull();

      const img = parseElf(new Uint8Array(readFileSync(elf)));
      const l = img.loadable();
      const m = createMachine({ exceptions: l.sections.some((s) => s.address === 0 && s.bytes.length >= 8) });
      m.load(l);
      const out: Buffer[] = [];
      const host = new NodeHost({ cmdline: elf, stdout: (b) => out.push(Buffer.from(b)), stderr: () => {} });
      const sh = new Semihosting(host);
      const run = runWithSemihosting(m, sh, { maxInstructions: 500_000_000 });
      host.closeAll();
      const stdout = Buffer.concat(out);

      const why = run.exit ? '' : `the simulator stopped without exiting: ${run.result.reason} at pc 0x${run.result.pc.toString(16)}` +
        (run.result.fault ? ` (${run.result.fault.kind} ${run.result.fault.reason}: ${run.result.fault.message} at ${run.result.fault.instruction ?? '?'})` : '');
      expect(stdout.toString('latin1'), why).toBe(qemu.stdout.toString('latin1'));
      expect(run.exitCode, why).toBe(qemu.code);
      expect(sh.refusals).toEqual([]);
    }, 120_000);
  }
});
