/**
 * Multiply and divide against the independent model: MUL (32-bit; the 16-bit MULS is in dp.test.ts), MLA, MLS,
 * SMULL, UMULL, SMLAL, UMLAL, UMAAL, SDIV, UDIV (divide by zero gives 0 with CCR.DIV_0_TRP clear; INT_MIN / -1).
 */
import fc from 'fast-check';
import * as M from './model.js';
import { group, prop, gp, rn, word, type Case } from './harness.js';

const three = fc.record({ d: gp, n: gp, m: gp });
const four = fc.record({ d: gp, n: gp, m: gp, a: gp });
/** RdLo != RdHi (UNPREDICTABLE otherwise) */
const long = fc.record({ lo: gp, hi: gp, n: gp, m: gp }).filter(({ lo, hi }) => lo !== hi);

group('multiply', () => {
  prop('mul.w Rd, Rn, Rm', 'mul.w r0, r1, r2', three.map(({ d, n, m }): Case => ({
    lines: [`mul.w ${rn(d)}, ${rn(n)}, ${rn(m)}`], model: (s) => M.mul(s, d, n, m, false),
  })));
  prop('mla Rd, Rn, Rm, Ra', 'mla r0, r1, r2, r3', four.map(({ d, n, m, a }): Case => ({
    lines: [`mla ${rn(d)}, ${rn(n)}, ${rn(m)}, ${rn(a)}`], model: (s) => M.mla(s, d, n, m, a),
  })));
  prop('mls Rd, Rn, Rm, Ra', 'mls r0, r1, r2, r3', four.map(({ d, n, m, a }): Case => ({
    lines: [`mls ${rn(d)}, ${rn(n)}, ${rn(m)}, ${rn(a)}`], model: (s) => M.mls(s, d, n, m, a),
  })));
  const longOps = { smull: M.smull, umull: M.umull, smlal: M.smlal, umlal: M.umlal, umaal: M.umaal } as const;
  for (const [name, fn] of Object.entries(longOps)) {
    prop(`${name} RdLo, RdHi, Rn, Rm`, `${name} r0, r1, r2, r3`, long.map(({ lo, hi, n, m }): Case => ({
      lines: [`${name} ${rn(lo)}, ${rn(hi)}, ${rn(n)}, ${rn(m)}`], model: (s) => fn(s, lo, hi, n, m),
    })));
  }
});

/** divisor/dividend overrides: sometimes 0, sometimes INT_MIN / -1, otherwise whatever the registers hold */
const divSet = fc.oneof(
  { weight: 2, arbitrary: fc.constant<'none'>('none') },
  { weight: 1, arbitrary: fc.constant<'zero'>('zero') },
  { weight: 1, arbitrary: fc.constant<'minus1'>('minus1') },
);

group('divide', () => {
  for (const [name, fn] of [['sdiv', M.sdiv], ['udiv', M.udiv]] as const) {
    prop(`${name} Rd, Rn, Rm`, `${name} r0, r1, r2`, fc.record({ d: gp, n: gp, m: gp, how: divSet, x: word }).map(({ d, n, m, how, x }): Case => {
      const set: Record<number, number> = {};
      if (how === 'zero') { set[n] = x; set[m] = 0; }
      if (how === 'minus1') { set[n] = 0x80000000; set[m] = 0xffffffff; }
      return { lines: [`${name} ${rn(d)}, ${rn(n)}, ${rn(m)}`], set, model: (s) => fn(s, d, n, m) };
    }));
  }
});
