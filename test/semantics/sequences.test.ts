/**
 * Compositions of the single-instruction properties of dp/mul/bits/dsp.test.ts:
 * - every 32-bit case made conditional inside an IT block (random condition, random flags): the instruction
 *   runs, flags and Q/GE included, only when the condition passes;
 * - random straight-line sequences of 2-8 instructions (one translated block): flags, Q and GE flow from one
 *   instruction to the next exactly as the model composes them.
 */
import fc from 'fast-check';
import * as M from './model.js';
import { REGISTRY, registryOnly, group, prop, type Case } from './harness.js';

const prev = registryOnly.on;
registryOnly.on = true;
await import('./dp.test.js');
await import('./mul.test.js');
await import('./bits.test.js');
await import('./dsp.test.js');
registryOnly.on = prev;

const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];
const base = REGISTRY.slice();

/** "adds.w r0, r1" + "eq" -> "addseq.w r0, r1" */
function condify(line: string, cc: string): string {
  const sp = line.search(/\s/);
  const mn = sp < 0 ? line : line.slice(0, sp);
  const rest = sp < 0 ? '' : line.slice(sp);
  const w = /\.(w|n)$/.exec(mn);
  return (w ? mn.slice(0, -2) + cc + w[0] : mn + cc) + rest;
}

/** one-line cases of 32-bit instructions (the 16-bit ones are covered inside IT blocks by dp.test.ts) */
const single = (c: Case) => c.lines.length === 1 && !c.pcRelative && !/^\S+\.n\s/.test(c.lines[0]!);

const ITRUNS = Math.max(10, Math.round(Number(process.env.SEM_RUNS ?? 200) / 6));

group('conditional execution inside an IT block', () => {
  for (const { name, cases } of base) {
    if (name.startsWith('IT:')) continue;
    if (!fc.sample(cases, { numRuns: 5, seed: 1 }).every(single)) continue;
    const arb = fc.tuple(cases.filter(single), fc.integer({ min: 0, max: 13 })).map(([c, cond]): Case => ({
      lines: [`it ${CONDS[cond]}`, condify(c.lines[0]!, CONDS[cond]!)],
      set: c.set,
      model: (s) => { if (M.ConditionPassed(cond, s.flags)) c.model(s); },
    }));
    // the sample case is what `prop` checks for availability; the entry is already known to exist
    prop(`IT: ${name}`, 'it eq', arb, ITRUNS);
  }
});

/** a random sequence of cases from the entries whose name matches `re` (register overrides dropped) */
function sequence(re: RegExp): fc.Arbitrary<Case> {
  // ADD SP, Rm needs its register override (a word-aligned Rm: SP<1:0> must stay 0), which sequences drop
  const usable = (e: (typeof base)[number]) => re.test(e.name) && !/^add sp, Rm/.test(e.name)
    && !fc.sample(e.cases, { numRuns: 5, seed: 1 }).some((c) => c.pcRelative);
  const arbs = base.filter(usable).map((e) => e.cases);
  return fc.array(fc.oneof(...arbs), { minLength: 2, maxLength: 8 }).map((cs): Case => ({
    lines: cs.flatMap((c) => c.lines),
    model: (s) => { for (const c of cs) c.model(s); },
  }));
}

group('straight-line sequences', () => {
  const SEQ_RUNS = Number(process.env.SEM_RUNS ?? 200);
  prop('data processing sequences (flags carried between instructions)', 'adds r0, r1, r2',
    sequence(/#const|shifted register|Rd, Rn, Rm|Rdn, Rm|Rd, Rm|#imm|Rn, Rm|addw|subw|movw|movt/), SEQ_RUNS);
  prop('DSP sequences (GE and Q carried between instructions)', 'sadd16 r0, r1, r2',
    sequence(/^(s|q|sh|u|uq|uh)(add|sub|asx|sax)|^sel|^q(d?)(add|sub) |^smla|^smul|^ssat|^usat|^usad/), SEQ_RUNS);
  prop('mixed sequences', 'adds r0, r1, r2', sequence(/./), SEQ_RUNS);
});
