/**
 * The DSP extension against the independent model: the 36 parallel add/subtract instructions (GE bits of the
 * S and U forms), SEL, USAD8, USADA8, QADD/QSUB/QDADD/QDSUB (Q flag), SMLA<x><y>, SMUL<x><y>, SMLAW<y>, SMULW<y>,
 * SMLAL<x><y>, SMLAD{X}, SMLSD{X}, SMLALD{X}, SMLSLD{X}, SMUAD{X}, SMUSD{X}, SMMUL{R}, SMMLA{R}, SMMLS{R}.
 */
import fc from 'fast-check';
import * as M from './model.js';
import { group, prop, gp, rn, type Case } from './harness.js';

const three = fc.record({ d: gp, n: gp, m: gp });
const four = fc.record({ d: gp, n: gp, m: gp, a: gp });
const long = fc.record({ lo: gp, hi: gp, n: gp, m: gp }).filter(({ lo, hi }) => lo !== hi);
const r3 = ({ d, n, m }: { d: number; n: number; m: number }) => `${rn(d)}, ${rn(n)}, ${rn(m)}`;
const r4 = ({ d, n, m, a }: { d: number; n: number; m: number; a: number }) => `${rn(d)}, ${rn(n)}, ${rn(m)}, ${rn(a)}`;
const rl = ({ lo, hi, n, m }: { lo: number; hi: number; n: number; m: number }) => `${rn(lo)}, ${rn(hi)}, ${rn(n)}, ${rn(m)}`;

group('parallel add/subtract', () => {
  for (const p of M.PAR_PREFIXES) {
    for (const op of M.PAR_OPS) {
      const name = p + op;
      prop(`${name} Rd, Rn, Rm`, `${name} r0, r1, r2`, three.map((r): Case => ({
        lines: [`${name} ${r3(r)}`], model: (s) => M.parallel(s, p, op, r.d, r.n, r.m),
      })));
    }
  }
});

group('select and sum of absolute differences', () => {
  prop('sel Rd, Rn, Rm', 'sel r0, r1, r2', three.map((r): Case => ({ lines: [`sel ${r3(r)}`], model: (s) => M.sel(s, r.d, r.n, r.m) })));
  prop('usad8 Rd, Rn, Rm', 'usad8 r0, r1, r2', three.map((r): Case => ({ lines: [`usad8 ${r3(r)}`], model: (s) => M.usad8(s, r.d, r.n, r.m) })));
  prop('usada8 Rd, Rn, Rm, Ra', 'usada8 r0, r1, r2, r3', four.map((r): Case => ({ lines: [`usada8 ${r4(r)}`], model: (s) => M.usada8(s, r.d, r.n, r.m, r.a) })));
  prop('usub8 then sel (the GE bits usub8 sets feed sel)', ['usub8 r0, r1, r2', 'sel r0, r1, r2'], fc.record({ d: gp, n: gp, m: gp, e: gp, f: gp }).map(({ d, n, m, e, f }): Case => ({
    lines: [`usub8 ${rn(d)}, ${rn(n)}, ${rn(m)}`, `sel ${rn(d)}, ${rn(e)}, ${rn(f)}`],
    model: (s) => { M.parallel(s, 'u', 'sub8', d, n, m); M.sel(s, d, e, f); },
  })));
});

group('saturating add/subtract', () => {
  const ops = { qadd: M.qadd, qsub: M.qsub, qdadd: M.qdadd, qdsub: M.qdsub } as const;
  for (const [name, fn] of Object.entries(ops)) {
    // assembler order: Q<op> Rd, Rm, Rn
    prop(`${name} Rd, Rm, Rn`, `${name} r0, r1, r2`, three.map(({ d, n, m }): Case => ({
      lines: [`${name} ${rn(d)}, ${rn(m)}, ${rn(n)}`], model: (s) => fn(s, d, m, n),
    })));
  }
});

group('signed halfword multiplies', () => {
  for (const x of ['b', 't']) {
    for (const y of ['b', 't']) {
      prop(`smla${x}${y} Rd, Rn, Rm, Ra`, `smla${x}${y} r0, r1, r2, r3`, four.map((r): Case => ({
        lines: [`smla${x}${y} ${r4(r)}`], model: (s) => M.smlaxy(s, r.d, r.n, r.m, r.a, x === 't', y === 't'),
      })));
      prop(`smul${x}${y} Rd, Rn, Rm`, `smul${x}${y} r0, r1, r2`, three.map((r): Case => ({
        lines: [`smul${x}${y} ${r3(r)}`], model: (s) => M.smulxy(s, r.d, r.n, r.m, x === 't', y === 't'),
      })));
      prop(`smlal${x}${y} RdLo, RdHi, Rn, Rm`, `smlal${x}${y} r0, r1, r2, r3`, long.map((r): Case => ({
        lines: [`smlal${x}${y} ${rl(r)}`], model: (s) => M.smlalxy(s, r.lo, r.hi, r.n, r.m, x === 't', y === 't'),
      })));
    }
    const y = x;
    prop(`smlaw${y} Rd, Rn, Rm, Ra`, `smlaw${y} r0, r1, r2, r3`, four.map((r): Case => ({
      lines: [`smlaw${y} ${r4(r)}`], model: (s) => M.smlawy(s, r.d, r.n, r.m, r.a, y === 't'),
    })));
    prop(`smulw${y} Rd, Rn, Rm`, `smulw${y} r0, r1, r2`, three.map((r): Case => ({
      lines: [`smulw${y} ${r3(r)}`], model: (s) => M.smulwy(s, r.d, r.n, r.m, y === 't'),
    })));
  }
});

group('dual 16-bit multiplies', () => {
  for (const x of ['', 'x']) {
    const swap = x === 'x';
    prop(`smlad${x}`, `smlad${x} r0, r1, r2, r3`, four.map((r): Case => ({ lines: [`smlad${x} ${r4(r)}`], model: (s) => M.smlad(s, r.d, r.n, r.m, r.a, swap) })));
    prop(`smlsd${x}`, `smlsd${x} r0, r1, r2, r3`, four.map((r): Case => ({ lines: [`smlsd${x} ${r4(r)}`], model: (s) => M.smlsd(s, r.d, r.n, r.m, r.a, swap) })));
    prop(`smlald${x}`, `smlald${x} r0, r1, r2, r3`, long.map((r): Case => ({ lines: [`smlald${x} ${rl(r)}`], model: (s) => M.smlald(s, r.lo, r.hi, r.n, r.m, swap) })));
    prop(`smlsld${x}`, `smlsld${x} r0, r1, r2, r3`, long.map((r): Case => ({ lines: [`smlsld${x} ${rl(r)}`], model: (s) => M.smlsld(s, r.lo, r.hi, r.n, r.m, swap) })));
    prop(`smuad${x}`, `smuad${x} r0, r1, r2`, three.map((r): Case => ({ lines: [`smuad${x} ${r3(r)}`], model: (s) => M.smuad(s, r.d, r.n, r.m, swap) })));
    prop(`smusd${x}`, `smusd${x} r0, r1, r2`, three.map((r): Case => ({ lines: [`smusd${x} ${r3(r)}`], model: (s) => M.smusd(s, r.d, r.n, r.m, swap) })));
  }
});

group('most-significant-word multiplies', () => {
  for (const r of ['', 'r']) {
    const round = r === 'r';
    prop(`smmul${r}`, `smmul${r} r0, r1, r2`, three.map((x): Case => ({ lines: [`smmul${r} ${r3(x)}`], model: (s) => M.smmul(s, x.d, x.n, x.m, round) })));
    prop(`smmla${r}`, `smmla${r} r0, r1, r2, r3`, four.map((x): Case => ({ lines: [`smmla${r} ${r4(x)}`], model: (s) => M.smmla(s, x.d, x.n, x.m, x.a, round) })));
    prop(`smmls${r}`, `smmls${r} r0, r1, r2, r3`, four.map((x): Case => ({ lines: [`smmls${r} ${r4(x)}`], model: (s) => M.smmls(s, x.d, x.n, x.m, x.a, round) })));
  }
});
