/**
 * Random byte images run on a machine: every run must end in an architectural result (a stop reason, a fault)
 * and never in a JavaScript exception. Shared by the unit test (short) and `npm run fuzz` (long).
 */
import { createMachine } from '../../src/machine.js';

const REASONS = new Set(['limit', 'halt', 'bkpt', 'svc', 'wfi', 'wfe', 'fault']);

/** xorshift32: deterministic pseudo-random bytes from a seed. */
export function randomBytes(seed: number, n: number): Uint8Array {
  let x = seed | 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Run one image; returns the stop reasons seen (a run restarts after SVC/WFI/WFE until the budget is spent). */
export function runImage(bytes: Uint8Array, budget: number): string[] {
  const m = createMachine();
  m.load(bytes, 0);
  // registers point into RAM so loads and stores often hit memory
  for (let r = 0; r < 13; r++) m.setReg(r, 0x20000000 + r * 0x100);
  const seen: string[] = [];
  let left = budget;
  while (left > 0) {
    const res = m.run({ maxInstructions: left });
    if (!REASONS.has(res.reason)) throw new Error(`unexpected stop reason ${res.reason}`);
    seen.push(res.reason);
    left -= Math.max(res.instructions, 1);
    if (res.reason !== 'svc' && res.reason !== 'wfi' && res.reason !== 'wfe') break;
  }
  return seen;
}
