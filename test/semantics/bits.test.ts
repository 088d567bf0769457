/**
 * Saturate, bit-field, extend, reverse, count-leading-zeros and pack instructions against the independent model:
 * SSAT/USAT (with LSL/ASR shifts; Q flag), SSAT16/USAT16, SBFX/UBFX/BFI/BFC, SXTB/SXTH/SXTB16/UXTB/UXTH/UXTB16 with every rotation and
 * their add forms (32-bit) plus the 16-bit SXTB/SXTH/UXTB/UXTH, REV/REV16/REVSH (16- and 32-bit), RBIT, CLZ,
 * PKHBT/PKHTB.
 */
import fc from 'fast-check';
import * as M from './model.js';
import { group, prop, gp, low, rn, type Case } from './harness.js';

const two = fc.record({ d: gp, n: gp });

group('saturate', () => {
  const shift = fc.oneof(
    fc.constant({ t: 'LSL' as const, k: 0 }),
    fc.integer({ min: 1, max: 31 }).map((k) => ({ t: 'LSL' as const, k })),
    fc.integer({ min: 1, max: 31 }).map((k) => ({ t: 'ASR' as const, k })),
  );
  const shText = ({ t, k }: { t: 'LSL' | 'ASR'; k: number }) => (k === 0 ? '' : `, ${t.toLowerCase()} #${k}`);
  prop('ssat Rd, #sat, Rn {, shift}', 'ssat r0, #8, r1', fc.record({ d: gp, n: gp, sat: fc.oneof(fc.constantFrom(1, 8, 16, 31, 32), fc.integer({ min: 1, max: 32 })), sh: shift })
    .map(({ d, n, sat, sh }): Case => ({ lines: [`ssat ${rn(d)}, #${sat}, ${rn(n)}${shText(sh)}`], model: (s) => M.ssat(s, d, sat, n, sh.t, sh.k) })));
  prop('usat Rd, #sat, Rn {, shift}', 'usat r0, #8, r1', fc.record({ d: gp, n: gp, sat: fc.oneof(fc.constantFrom(0, 1, 8, 16, 31), fc.integer({ min: 0, max: 31 })), sh: shift })
    .map(({ d, n, sat, sh }): Case => ({ lines: [`usat ${rn(d)}, #${sat}, ${rn(n)}${shText(sh)}`], model: (s) => M.usat(s, d, sat, n, sh.t, sh.k) })));
  prop('ssat16 Rd, #sat, Rn', 'ssat16 r0, #8, r1', fc.record({ d: gp, n: gp, sat: fc.oneof(fc.constantFrom(1, 8, 15, 16), fc.integer({ min: 1, max: 16 })) })
    .map(({ d, n, sat }): Case => ({ lines: [`ssat16 ${rn(d)}, #${sat}, ${rn(n)}`], model: (s) => M.ssat16(s, d, sat, n) })));
  prop('usat16 Rd, #sat, Rn', 'usat16 r0, #8, r1', fc.record({ d: gp, n: gp, sat: fc.oneof(fc.constantFrom(0, 1, 8, 15), fc.integer({ min: 0, max: 15 })) })
    .map(({ d, n, sat }): Case => ({ lines: [`usat16 ${rn(d)}, #${sat}, ${rn(n)}`], model: (s) => M.usat16(s, d, sat, n) })));
});

group('bit fields', () => {
  /** lsb 0..31, width 1..32-lsb */
  const lw = fc.integer({ min: 0, max: 31 }).chain((lsb) => fc.record({ lsb: fc.constant(lsb), width: fc.oneof(fc.constant(32 - lsb), fc.constant(1), fc.integer({ min: 1, max: 32 - lsb })) }));
  prop('sbfx Rd, Rn, #lsb, #width', 'sbfx r0, r1, #0, #1', fc.record({ r: two, f: lw })
    .map(({ r: { d, n }, f: { lsb, width } }): Case => ({ lines: [`sbfx ${rn(d)}, ${rn(n)}, #${lsb}, #${width}`], model: (s) => M.sbfx(s, d, n, lsb, width) })));
  prop('ubfx Rd, Rn, #lsb, #width', 'ubfx r0, r1, #0, #1', fc.record({ r: two, f: lw })
    .map(({ r: { d, n }, f: { lsb, width } }): Case => ({ lines: [`ubfx ${rn(d)}, ${rn(n)}, #${lsb}, #${width}`], model: (s) => M.ubfx(s, d, n, lsb, width) })));
  prop('bfi Rd, Rn, #lsb, #width', 'bfi r0, r1, #0, #1', fc.record({ r: two, f: lw })
    .map(({ r: { d, n }, f: { lsb, width } }): Case => ({ lines: [`bfi ${rn(d)}, ${rn(n)}, #${lsb}, #${width}`], model: (s) => M.bfi(s, d, n, lsb, width) })));
  prop('bfc Rd, #lsb, #width', 'bfc r0, #0, #1', fc.record({ d: gp, f: lw })
    .map(({ d, f: { lsb, width } }): Case => ({ lines: [`bfc ${rn(d)}, #${lsb}, #${width}`], model: (s) => M.bfc(s, d, lsb, width) })));
});

group('extends', () => {
  const rot = fc.constantFrom(0, 8, 16, 24);
  const rotText = (r: number) => (r ? `, ror #${r}` : '');
  for (const kind of ['sxtb', 'sxth', 'sxtb16', 'uxtb', 'uxth', 'uxtb16'] as const) {
    const w = kind.endsWith('16') ? '' : '.w';
    prop(`${kind}${w} Rd, Rm {, ror}`, `${kind}${w} r0, r1`, fc.record({ d: gp, m: gp, r: rot })
      .map(({ d, m, r }): Case => ({ lines: [`${kind}${w} ${rn(d)}, ${rn(m)}${rotText(r)}`], model: (s) => M.extend(s, kind, d, null, m, r) })));
    const addName = kind.slice(0, 3) + 'a' + kind.slice(3); // sxtab, sxtah, sxtab16, ...
    prop(`${addName} Rd, Rn, Rm {, ror}`, `${addName} r0, r1, r2`, fc.record({ d: gp, n: gp, m: gp, r: rot })
      .map(({ d, n, m, r }): Case => ({ lines: [`${addName} ${rn(d)}, ${rn(n)}, ${rn(m)}${rotText(r)}`], model: (s) => M.extend(s, kind, d, n, m, r) })));
  }
  for (const kind of ['sxtb', 'sxth', 'uxtb', 'uxth'] as const) {
    prop(`${kind}.n Rd, Rm`, `${kind}.n r0, r1`, fc.record({ d: low, m: low })
      .map(({ d, m }): Case => ({ lines: [`${kind}.n ${rn(d)}, ${rn(m)}`], model: (s) => M.extend(s, kind, d, null, m, 0) })));
  }
});

group('reverse, bit count, pack', () => {
  const ops = { rev: M.rev, rev16: M.rev16, revsh: M.revsh } as const;
  for (const [name, fn] of Object.entries(ops)) {
    prop(`${name}.w Rd, Rm`, `${name}.w r0, r1`, two.map(({ d, n }): Case => ({ lines: [`${name}.w ${rn(d)}, ${rn(n)}`], model: (s) => fn(s, d, n) })));
    prop(`${name}.n Rd, Rm`, `${name}.n r0, r1`, fc.record({ d: low, n: low }).map(({ d, n }): Case => ({ lines: [`${name}.n ${rn(d)}, ${rn(n)}`], model: (s) => fn(s, d, n) })));
  }
  prop('rbit Rd, Rm', 'rbit r0, r1', two.map(({ d, n }): Case => ({ lines: [`rbit ${rn(d)}, ${rn(n)}`], model: (s) => M.rbit(s, d, n) })));
  prop('clz Rd, Rm', 'clz r0, r1', two.map(({ d, n }): Case => ({ lines: [`clz ${rn(d)}, ${rn(n)}`], model: (s) => M.clz(s, d, n) })));
  prop('pkhbt Rd, Rn, Rm {, lsl #k}', 'pkhbt r0, r1, r2', fc.record({ d: gp, n: gp, m: gp, k: fc.oneof(fc.constantFrom(0, 1, 16, 31), fc.integer({ min: 0, max: 31 })) })
    .map(({ d, n, m, k }): Case => ({ lines: [`pkhbt ${rn(d)}, ${rn(n)}, ${rn(m)}${k ? `, lsl #${k}` : ''}`], model: (s) => M.pkhbt(s, d, n, m, k) })));
  prop('pkhtb Rd, Rn, Rm, asr #k', 'pkhtb r0, r1, r2, asr #1', fc.record({ d: gp, n: gp, m: gp, k: fc.oneof(fc.constantFrom(1, 16, 31, 32), fc.integer({ min: 1, max: 32 })) })
    .map(({ d, n, m, k }): Case => ({ lines: [`pkhtb ${rn(d)}, ${rn(n)}, ${rn(m)}, asr #${k}`], model: (s) => M.pkhtb(s, d, n, m, k) })));
});
