/**
 * Test helpers: encode single instructions without the full assembler, run snippets on a machine.
 */
import { encodeInstruction } from '../../src/asm/instr.js';
import { createMachine, type Machine } from '../../src/machine.js';

/** Numbers as tests write them: decimal or 0x/0b, with a sign; anything else is an error in the test itself. */
const evalNum = (t: string) => {
  const m = /^([+-]?)\s*(0x[0-9a-f]+|0b[01]+|\d+)$/i.exec(t.trim());
  if (!m) throw new Error(`test helper: '${t}' is not a number`);
  const v = Number(m[2]);
  return { value: m[1] === '-' ? -v : v, known: true };
};

/** Encode `lines` ("mnemonic operands") from address `base`, outside IT blocks unless a line is an IT. */
export function encodeLines(lines: string[], base = 0): Uint8Array {
  const out: number[] = [];
  let addr = base;
  let it: { cond: number; mask: number } | null = null;
  for (const line of lines) {
    const sp = line.trim().search(/\s/);
    const mn = sp < 0 ? line.trim() : line.trim().slice(0, sp);
    const ops = sp < 0 ? '' : line.trim().slice(sp + 1);
    const slot = it ? { inIT: true, cond: it.cond, last: (it.mask & 7) === 0 } : { inIT: false, cond: 14, last: false };
    const r = encodeInstruction(mn, ops, { address: addr, it: slot, evaluate: evalNum });
    if (!r.ok) throw new Error(`cannot encode '${line}': ${r.message}`);
    out.push(...r.bytes);
    addr += r.size;
    if (r.itBlock) it = { cond: r.itBlock.firstcond, mask: r.itBlock.mask };
    else if (it) {
      // advance ITSTATE (A7.3.3)
      const st: number = ((it.cond << 4) | it.mask) & 0xff;
      const next: number = (st & 7) === 0 ? 0 : (st & 0xe0) | ((st << 1) & 0x1f);
      it = next & 15 ? { cond: next >>> 4, mask: next & 15 } : null;
    }
  }
  return new Uint8Array(out);
}

/** Run lines on a fresh machine with the given registers; stops after the last instruction. */
export function runLines(lines: string[], regs: Record<string, number> = {}, opts: { base?: number; max?: number } = {}): Machine {
  const m = createMachine();
  const code = encodeLines(lines, opts.base ?? 0);
  m.load(code, opts.base ?? 0);
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  m.run({ maxInstructions: opts.max ?? lines.length });
  return m;
}
