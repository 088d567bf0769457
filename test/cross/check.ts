/**
 * The per-entry verdict of the generated cross tests: for every sample, the tool's bytes for our text must be the
 * original bytes, and so must our own encoder's; a disagreement explained by KNOWN (known.ts) is counted apart.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ENTRY_LIST } from '../../src/isa/table.js';
import { hex, type AsmResult } from './tools.js';
import { buildSamples, sameBytes, SEED, type Sample } from './samples.js';
import { KNOWN } from './known.js';

export interface Verdict {
  /** failures, one line each: entry, bytes, our text, the tool's answer */
  problems: string[];
  /** disagreements explained by KNOWN */
  known: string[];
  passed: number;
  /** samples whose only disagreement is a known one */
  knownOnly: number;
  /** samples printed as `.inst` (no text gives this encoding back): checked against GNU as's preference */
  fallback: number;
}

const where = (s: Sample) => `[${hex(s.bytes)}] @0x${s.address.toString(16)}${s.itCond !== undefined ? ' (in IT)' : ''}`;

/** The tool's bytes for the instruction under test. */
function answer(tool: 'llvm' | 'gnu', s: Sample, r: AsmResult): { bytes: number[] | null; text: string } | undefined {
  if (tool === 'gnu') return r.insns.find((x) => x.line === s.at);
  return r.errors.length ? undefined : r.insns[s.at];
}

export function checkSamples(tool: 'llvm' | 'gnu', samples: Sample[], results: AsmResult[]): Verdict {
  const v: Verdict = { problems: [], known: [], passed: 0, knownOnly: 0, fallback: 0 };
  samples.forEach((s, i) => {
    const id = s.entry.def.id;
    const lines = tool === 'llvm' ? s.llvm : s.gnu;
    let ok = true;
    if (s.disasmId !== id) {
      v.problems.push(`${id} ${where(s)}: our disassembler decodes it as ${s.disasmId ?? 'UNDEFINED'}: '${s.text}'`);
      ok = false;
    }
    if (!s.ours.ok) {
      v.problems.push(`${id} ${where(s)}: our encoder rejects our text '${s.text}': ${s.ours.error}`);
      ok = false;
    } else if (!sameBytes(s.ours.bytes, s.bytes)) {
      v.problems.push(`${id} ${where(s)}: our encoder gives [${hex(s.ours.bytes)}] for our text '${s.text}'`);
      ok = false;
    }
    const r = results[i]!;
    const a = answer(tool, s, r);
    if (s.fallback) {
      // the readable text must really assemble to another encoding, and GNU as must choose the one we choose
      const fb = s.fallback;
      if (!fb.bytes || sameBytes(fb.bytes, s.bytes)) {
        v.problems.push(`${id} ${where(s)}: printed as .inst, but our encoder gives ${fb.bytes ? 'the same bytes' : 'an error'} for '${fb.readable}'`);
      } else if (tool === 'gnu' && !(a && sameBytes(a.bytes, fb.bytes))) {
        v.problems.push(`${id} ${where(s)}: for '${fb.readable}' GNU as gives ${a?.bytes ? `[${hex(a.bytes)}]` : 'an error'}, our encoder [${hex(fb.bytes)}]`);
      } else if (ok) { v.fallback++; v.passed++; }
      return;
    }
    if (!a || !sameBytes(a.bytes, s.bytes)) {
      const said = a ? (a.bytes ? `[${hex(a.bytes)}]${a.text && tool === 'llvm' ? ` ('${a.text}')` : ''}` : 'an unresolved fixup') : `error: ${r.errors.join('; ') || 'no output'}`;
      const k = KNOWN.find((x) => x.tool === tool && x.id.test(id) && x.applies(s, a?.bytes ?? null, r.errors));
      const msg = `${id} ${where(s)}: ${tool === 'llvm' ? 'llvm-mc' : 'GNU as'} gives ${said} for '${lines.join(' ; ')}' (our text '${s.text}')`;
      if (k) { v.known.push(`${msg} -- known: ${k.reason}`); if (ok) v.knownOnly++; ok = false; }
      else { v.problems.push(msg); ok = false; }
    }
    if (ok) v.passed++;
  });
  return v;
}

/** Group problem lines by entry id (the first word). */
export function byEntry(lines: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of lines) {
    const id = l.slice(0, l.indexOf(' '));
    let a = m.get(id);
    if (!a) m.set(id, (a = []));
    a.push(l);
  }
  return m;
}

/** With CROSS_REPORT=dir, write the verdict as JSON for people fixing entries. */
export function writeReport(name: string, data: unknown): void {
  const dir = process.env.CROSS_REPORT;
  if (dir) writeFileSync(`${dir}/${name}.json`, JSON.stringify(data, null, 1));
}

/** Samples per entry (CROSS_PER_ENTRY overrides). */
export const PER_ENTRY = Number(process.env.CROSS_PER_ENTRY ?? 24);

/**
 * The generated cross suite for one tool: one test per table entry, all samples assembled in a few batched
 * processes before the tests run.
 */
export function crossSuite(tool: 'llvm' | 'gnu', run: (samples: Sample[]) => Promise<AsmResult[]>): void {
  const set = buildSamples(PER_ENTRY);
  let groups = new Map<string, string[]>();
  let verdict: Verdict | undefined;
  beforeAll(async () => {
    const results = await run(set.samples);
    verdict = checkSamples(tool, set.samples, results);
    groups = byEntry(verdict.problems);
    writeReport(tool, { seed: SEED, samples: set.samples.length, passed: verdict.passed, problems: Object.fromEntries(groups), known: verdict.known });
  });
  afterAll(() => {
    if (!verdict) return;
    const name = tool === 'llvm' ? 'llvm-mc' : 'GNU as';
    console.log(`${name}: ${set.samples.length} samples of ${ENTRY_LIST.length} entries (seed 0x${SEED.toString(16)}): ` +
      `${verdict.passed} agree (${verdict.fallback} of them printed as .inst, GNU as agreeing on the preferred encoding), ${verdict.knownOnly} differ only in known ways, ${set.samples.length - verdict.passed - verdict.knownOnly} fail (in ${groups.size} entries)`);
  });
  for (const e of ENTRY_LIST) {
    const id = e.def.id;
    it(`${id} (${e.pat.size * 8}-bit)`, () => {
      if (set.empty.includes(e)) throw new Error(`${id}: no random word inside its pattern decodes to it (a table bug: the entry can never be decoded)`);
      const p = groups.get(id) ?? [];
      expect(p, `${id}: ${p.length} of ${set.samples.filter((s) => s.entry === e).length} samples disagree`).toEqual([]);
    });
  }
}
