/**
 * Loads and stores: ARMv7-M ARM A5.2 (16-bit LDR literal, LDM, STM), A5.2.4 (16-bit load/store single), A5.2.5
 * (PUSH, POP), A5.3.5 (load/store multiple), A5.3.6 (dual, exclusive), A5.3.7-A5.3.10 (single data item, memory
 * hints), with the instruction pages of A7.7. CLREX is in system.ts. The unallocated memory hints (LDRH/LDRSH space
 * with Rt = PC, "treat as NOP") have no entry: they decode as UNPREDICTABLE, as llvm-mc rejects them.
 *
 * Ids: NAME_form_Tn as the manual numbers the encodings. Where one encoding has offset, pre-indexed and post-indexed
 * forms (P, U, W), each form is its own entry with those bits fixed: `.off`, `.pre`, `.post`. Encodings that load
 * the PC are split into a second entry with the PC fixed (`.pc`, `.pre_pc` ...), because a PC load is allowed in an
 * IT block only as its last instruction (the IT rule is per entry).
 *
 * "Rn == '1111' then SEE (literal)" is the `see` condition on the immediate, register and unprivileged forms of the
 * loads and hints: the literal encodings have fewer fixed bits than the register and LDRT-like forms.
 */
import { badReg } from './util.js';
import type { Fields, IsaEntry } from '../src/isa/types.js';

type Opt = Partial<Pick<IsaEntry, 'it' | 'bad' | 'params' | 'tie' | 'see'>>;
/** One table line (like util.ts's e(), with `see`). */
const e = (id: string, pattern: string, syntax: string | string[], exec: string, timing: IsaEntry['timing'], arch: IsaEntry['arch'], opt: Opt = {}): IsaEntry =>
  ({ id, pattern, syntax, exec, timing, arch, ...opt });

/** A `bad` predicate from a list of [test, reason] pairs. */
const why = (...rules: [(f: Fields) => boolean, string][]) => (f: Fields): string | false => {
  for (const [t, r] of rules) if (t(f)) return r;
  return false;
};
const rnPC = (f: Fields) => f.Rn === 15;
const bitCount = (x: number) => { let n = 0; for (; x; x &= x - 1) n++; return n; };
const inList = (f: Fields, r: number) => ((f.registers! >>> r) & 1) === 1;

const UNDEF_RN = [rnPC, 'UNDEFINED with Rn = PC'] as [(f: Fields) => boolean, string];
const PRE = { P: 1, W: 1 };
const POST = { P: 0, W: 1 };

// ------------------------------------------------------------------ 16-bit single data item (A5.2.4)
const LDST16: IsaEntry[] = [
  e('STR_reg_T1', '0101000 Rm:3 Rn:3 Rt:3', 'str <Rt>, [<Rn>, <Rm>]', 'str', 'st_reg', 'v6m', { params: { imm2: 0 } }),
  e('STRH_reg_T1', '0101001 Rm:3 Rn:3 Rt:3', 'strh <Rt>, [<Rn>, <Rm>]', 'strh', 'st_reg', 'v6m', { params: { imm2: 0 } }),
  e('STRB_reg_T1', '0101010 Rm:3 Rn:3 Rt:3', 'strb <Rt>, [<Rn>, <Rm>]', 'strb', 'st_reg', 'v6m', { params: { imm2: 0 } }),
  e('LDRSB_reg_T1', '0101011 Rm:3 Rn:3 Rt:3', 'ldrsb <Rt>, [<Rn>, <Rm>]', 'ldrsb', 'ld', 'v6m', { params: { imm2: 0 } }),
  e('LDR_reg_T1', '0101100 Rm:3 Rn:3 Rt:3', 'ldr <Rt>, [<Rn>, <Rm>]', 'ldr', 'ld', 'v6m', { params: { imm2: 0 } }),
  e('LDRH_reg_T1', '0101101 Rm:3 Rn:3 Rt:3', 'ldrh <Rt>, [<Rn>, <Rm>]', 'ldrh', 'ld', 'v6m', { params: { imm2: 0 } }),
  e('LDRB_reg_T1', '0101110 Rm:3 Rn:3 Rt:3', 'ldrb <Rt>, [<Rn>, <Rm>]', 'ldrb', 'ld', 'v6m', { params: { imm2: 0 } }),
  e('LDRSH_reg_T1', '0101111 Rm:3 Rn:3 Rt:3', 'ldrsh <Rt>, [<Rn>, <Rm>]', 'ldrsh', 'ld', 'v6m', { params: { imm2: 0 } }),
  e('STR_imm_T1', '01100 imm:5 Rn:3 Rt:3', 'str <Rt>, [<Rn>{, #<imm:off*4>}]', 'str', 'st', 'v6m'),
  e('LDR_imm_T1', '01101 imm:5 Rn:3 Rt:3', 'ldr <Rt>, [<Rn>{, #<imm:off*4>}]', 'ldr', 'ld', 'v6m'),
  e('STRB_imm_T1', '01110 imm:5 Rn:3 Rt:3', 'strb <Rt>, [<Rn>{, #<imm:off>}]', 'strb', 'st', 'v6m'),
  e('LDRB_imm_T1', '01111 imm:5 Rn:3 Rt:3', 'ldrb <Rt>, [<Rn>{, #<imm:off>}]', 'ldrb', 'ld', 'v6m'),
  e('STRH_imm_T1', '10000 imm:5 Rn:3 Rt:3', 'strh <Rt>, [<Rn>{, #<imm:off*2>}]', 'strh', 'st', 'v6m'),
  e('LDRH_imm_T1', '10001 imm:5 Rn:3 Rt:3', 'ldrh <Rt>, [<Rn>{, #<imm:off*2>}]', 'ldrh', 'ld', 'v6m'),
  e('STR_imm_T2', '10010 Rt:3 imm:8', 'str <Rt>, [sp{, #<imm:off*4>}]', 'str', 'st', 'v6m', { params: { Rn: 13 } }),
  e('LDR_imm_T2', '10011 Rt:3 imm:8', 'ldr <Rt>, [sp{, #<imm:off*4>}]', 'ldr', 'ld', 'v6m', { params: { Rn: 13 } }),
  // LDR (literal) T1: imm32 = imm8:'00' from Align(PC, 4)
  e('LDR_lit_T1', '01001 Rt:3 imm:8', ['ldr <Rt>, [pc, #<imm:off*4>]', 'ldr <Rt>, <imm:lit8>'], 'ldr', 'ld', 'v6m', { params: { Rn: 15 } }),
];

// ------------------------------------------------------------------ 32-bit single data item (A5.3.7-A5.3.10)
interface SingleDef {
  /** instruction name, e.g. LDRB */
  name: string;
  /** bits 24:20 of the first halfword: S (sign), 1 for the imm12 form (U for literals), size:2, L */
  sign: 0 | 1;
  size: '00' | '01' | '10';
  load: boolean;
  /** encoding numbers: imm12, imm8 (P/U/W), register, literal (loads) */
  t12: string; t8: string; treg: string; tlit?: string;
}

/** The UNPREDICTABLE rules of one form. kind: 'imm12' | 'wb' (pre/post) | 'off' | 'reg' | 'T' | 'lit'. */
function singleBad(d: SingleDef, kind: 'imm12' | 'wb' | 'off' | 'reg' | 'T' | 'lit'): ((f: Fields) => string | false) | undefined {
  const word = d.size === '10';
  const rules: [(f: Fields) => boolean, string][] = [];
  if (!d.load && kind !== 'lit') rules.push(UNDEF_RN);
  if (kind === 'T') rules.push([(f) => badReg(f.Rt), 'Rt = SP or PC']);
  else if (d.load && word) {
    // LDR: Rt may be SP; Rt = PC is the `.pc` entry (it: 'last')
  } else if (d.load) {
    // LDRB/LDRSB with Rt = PC are PLD/PLI (more specific entries); LDRH/LDRSH with Rt = PC are unallocated hints
    rules.push([(f) => f.Rt === 13 || f.Rt === 15, kind === 'wb' ? 'Rt = SP or PC' : d.size === '01' ? 'Rt = SP, or Rt = PC (unallocated memory hint)' : 'Rt = SP']);
  } else if (word) rules.push([(f) => f.Rt === 15, 'Rt = PC']);
  else rules.push([(f) => badReg(f.Rt), 'Rt = SP or PC']);
  if (kind === 'wb') rules.push([(f) => f.Rn === f.Rt, 'writeback with Rn = Rt']);
  if (kind === 'reg') rules.push([(f) => badReg(f.Rm), 'Rm = SP or PC']);
  return rules.length ? why(...rules) : undefined;
}

function single(d: SingleDef): IsaEntry[] {
  const mn = d.name.toLowerCase();
  const exec = mn;
  const L = d.load ? '1' : '0';
  const h12 = `1111100 ${d.sign} 1 ${d.size} ${L}`;
  const h8 = `1111100 ${d.sign} 0 ${d.size} ${L}`;
  const ld = d.load ? 'ld' : 'st';
  const st = d.load ? 'ld' : 'st_reg';
  const see = d.load ? { see: rnPC } : {};
  const out: IsaEntry[] = [];
  const rt = (pc: boolean) => (pc ? 'pc' : '<Rt>');
  const rtBits = (pc: boolean) => (pc ? '1111' : 'Rt:4');
  const sfx = (pc: boolean, s: string) => (pc ? (s ? `${s}_pc` : 'pc') : s);
  const id = (form: string, t: string, s: string) => `${d.name}_${form}_${t}${s ? '.' + s : ''}`;
  // LDR splits each form on Rt = PC (LoadWritePC, IT rule 'last')
  const variants = d.load && d.size === '10' ? [false, true] : [false];
  for (const pc of variants) {
    const o = (x: Opt): Opt => ({ ...x, ...(pc ? { it: 'last' as const, params: { ...(x.params ?? {}), Rt: 15 } } : {}) });
    out.push(
      e(id('imm', d.t12, sfx(pc, '')), `${h12} Rn:4 ${rtBits(pc)} imm:12`, `${mn} ${rt(pc)}, [<Rn>{, #<imm:off>}]`, exec, ld, 'v7m', o({ ...see, bad: singleBad(d, 'imm12') })),
      e(id('imm', d.t8, sfx(pc, 'pre')), `${h8} Rn:4 ${rtBits(pc)} 1 1 U 1 imm:8`, `${mn} ${rt(pc)}, [<Rn>, #<imm:pm>]!`, exec, ld, 'v7m', o({ ...see, params: PRE, bad: singleBad(d, 'wb') })),
      e(id('imm', d.t8, sfx(pc, 'post')), `${h8} Rn:4 ${rtBits(pc)} 1 0 U 1 imm:8`, `${mn} ${rt(pc)}, [<Rn>], #<imm:pm>`, exec, ld, 'v7m', o({ ...see, params: POST, bad: singleBad(d, 'wb') })),
      e(id('imm', d.t8, sfx(pc, 'off')), `${h8} Rn:4 ${rtBits(pc)} 1100 imm:8`, `${mn} ${rt(pc)}, [<Rn>, #<imm:neg>]`, exec, ld, 'v7m', o({ ...see, bad: singleBad(d, 'off') })),
      e(id('reg', d.treg, sfx(pc, '')), `${h8} Rn:4 ${rtBits(pc)} 000000 imm2:2 Rm:4`, `${mn} ${rt(pc)}, [<Rn>, <Rm>{, <imm2:lslimm>}]`, exec, st, 'v7m', o({ ...see, bad: singleBad(d, 'reg') })),
    );
    if (d.tlit) {
      out.push(e(id('lit', d.tlit, sfx(pc, '')), `1111100 ${d.sign} U ${d.size} ${L} 1111 ${rtBits(pc)} imm:12`,
        [`${mn} ${rt(pc)}, [pc{, #<imm:pm>}]`, `${mn} ${rt(pc)}, <imm:lit12>`], exec, 'ld', 'v7m',
        // a PC load from an address with bits 1:0 set is UNPREDICTABLE; for a literal the address is static
        o({ params: { Rn: 15 }, bad: pc ? why([(f) => (f.imm! & 3) !== 0, 'PC loaded from an address that is not word aligned']) : singleBad(d, 'lit') })));
    }
  }
  // unprivileged forms (LDRT ...): P=1 U=1 W=0
  out.push(e(`${d.name}T_T1`, `${h8} Rn:4 Rt:4 1110 imm:8`, `${mn}t <Rt>, [<Rn>{, #<imm:off>}]`, `${exec}t`, d.load ? 'ld' : 'st', 'v7m', { ...see, bad: singleBad(d, 'T') }));
  return out;
}

const SINGLE32: IsaEntry[] = [
  ...single({ name: 'STRB', sign: 0, size: '00', load: false, t12: 'T2', t8: 'T3', treg: 'T2' }),
  ...single({ name: 'STRH', sign: 0, size: '01', load: false, t12: 'T2', t8: 'T3', treg: 'T2' }),
  ...single({ name: 'STR', sign: 0, size: '10', load: false, t12: 'T3', t8: 'T4', treg: 'T2' }),
  ...single({ name: 'LDRB', sign: 0, size: '00', load: true, t12: 'T2', t8: 'T3', treg: 'T2', tlit: 'T1' }),
  ...single({ name: 'LDRH', sign: 0, size: '01', load: true, t12: 'T2', t8: 'T3', treg: 'T2', tlit: 'T1' }),
  ...single({ name: 'LDR', sign: 0, size: '10', load: true, t12: 'T3', t8: 'T4', treg: 'T2', tlit: 'T2' }),
  ...single({ name: 'LDRSB', sign: 1, size: '00', load: true, t12: 'T1', t8: 'T2', treg: 'T2', tlit: 'T1' }),
  ...single({ name: 'LDRSH', sign: 1, size: '01', load: true, t12: 'T1', t8: 'T2', treg: 'T2', tlit: 'T1' }),
];

// ------------------------------------------------------------------ memory hints (A5.3.8/A5.3.9): PLD, PLI
function hint(mn: 'pld' | 'pli', sign: 0 | 1, tlit: string): IsaEntry[] {
  const M = mn.toUpperCase();
  return [
    e(`${M}_lit_${tlit}`, `1111100 ${sign} U 0011111 1111 imm:12`, [`${mn} [pc{, #<imm:pm>}]`, `${mn} <imm:lit12>`], mn, 'pld', 'v7m', { params: { Rn: 15 } }),
    e(`${M}_imm_T1`, `1111100 ${sign} 1001 Rn:4 1111 imm:12`, `${mn} [<Rn>{, #<imm:off>}]`, mn, 'pld', 'v7m', { see: rnPC }),
    e(`${M}_imm_T2`, `1111100 ${sign} 0001 Rn:4 1111 1100 imm:8`, `${mn} [<Rn>, #<imm:neg>]`, mn, 'pld', 'v7m', { see: rnPC }),
    e(`${M}_reg_T1`, `1111100 ${sign} 0001 Rn:4 1111 000000 imm2:2 Rm:4`, `${mn} [<Rn>, <Rm>{, <imm2:lslimm>}]`, mn, 'pld', 'v7m', {
      see: rnPC, bad: why([(f) => badReg(f.Rm), 'Rm = SP or PC']),
    }),
  ];
}
const HINTS: IsaEntry[] = [...hint('pld', 0, 'T1'), ...hint('pli', 1, 'T3')];

// ------------------------------------------------------------------ dual and exclusive (A5.3.6)
function dual(load: boolean): IsaEntry[] {
  const M = load ? 'LDRD' : 'STRD';
  const mn = M.toLowerCase();
  const L = load ? 1 : 0;
  const regs = load
    ? why([(f) => badReg(f.Rt) || badReg(f.Rt2), 'Rt or Rt2 is SP or PC'], [(f) => f.Rt === f.Rt2, 'Rt = Rt2'])
    : why([(f) => badReg(f.Rt) || badReg(f.Rt2), 'Rt or Rt2 is SP or PC'], [rnPC, 'Rn = PC']);
  const wb = (f: Fields) => regs(f) || (load && f.Rn === 15 ? 'literal with writeback' : false) || (f.Rn === f.Rt || f.Rn === f.Rt2 ? 'writeback with Rn = Rt or Rt2' : false);
  const t = load ? 'ldrd' : 'strd';
  const list = [
    // second spellings: GNU as (and GCC's output) may leave Rt2 out, meaning Rt + 1
    e(`${M}_imm_T1.off`, `1110100 1 U 1 0 ${L} Rn:4 Rt:4 Rt2:4 imm:8`, [`${mn} <Rt>, <Rt2>, [<Rn>{, #<imm:pm*4>}]`, `${mn} <Rt>, <Rt2:next>[<Rn>{, #<imm:pm*4>}]`], t, t, 'v7m', { bad: regs, ...(load ? { see: rnPC } : {}) }),
    e(`${M}_imm_T1.pre`, `1110100 1 U 1 1 ${L} Rn:4 Rt:4 Rt2:4 imm:8`, [`${mn} <Rt>, <Rt2>, [<Rn>, #<imm:pm*4>]!`, `${mn} <Rt>, <Rt2:next>[<Rn>, #<imm:pm*4>]!`], t, t, 'v7m', { params: PRE, bad: wb }),
    e(`${M}_imm_T1.post`, `1110100 0 U 1 1 ${L} Rn:4 Rt:4 Rt2:4 imm:8`, [`${mn} <Rt>, <Rt2>, [<Rn>], #<imm:pm*4>`, `${mn} <Rt>, <Rt2:next>[<Rn>], #<imm:pm*4>`], t, t, 'v7m', { params: POST, bad: wb }),
  ];
  if (load) {
    list.unshift(e('LDRD_lit_T1', '1110100 1 U 1 0 1 1111 Rt:4 Rt2:4 imm:8', ['ldrd <Rt>, <Rt2>, [pc{, #<imm:pm*4>}]', 'ldrd <Rt>, <Rt2>, <imm:litd>'], t, t, 'v7m', {
      params: { Rn: 15 }, bad: regs,
    }));
  }
  return list;
}

const EXCL: IsaEntry[] = [
  e('LDREX_T1', '111010000101 Rn:4 Rt:4 (1) (1) (1) (1) imm:8', 'ldrex <Rt>, [<Rn>{, #<imm:off*4>}]', 'ldrex', 'ldex', 'v7m', {
    bad: why([(f) => badReg(f.Rt), 'Rt = SP or PC'], [rnPC, 'Rn = PC']),
  }),
  e('STREX_T1', '111010000100 Rn:4 Rt:4 Rd:4 imm:8', 'strex <Rd>, <Rt>, [<Rn>{, #<imm:off*4>}]', 'strex', 'stex', 'v7m', {
    bad: why([(f) => badReg(f.Rd) || badReg(f.Rt), 'Rd or Rt is SP or PC'], [rnPC, 'Rn = PC'], [(f) => f.Rd === f.Rn || f.Rd === f.Rt, 'Rd = Rn or Rd = Rt']),
  }),
  ...(['B', 'H'] as const).flatMap((sz) => {
    const op = sz === 'B' ? '0100' : '0101';
    return [
      e(`LDREX${sz}_T1`, `111010001101 Rn:4 Rt:4 (1) (1) (1) (1) ${op} (1) (1) (1) (1)`, `ldrex${sz.toLowerCase()} <Rt>, [<Rn>]`, `ldrex${sz.toLowerCase()}`, 'ldex', 'v7m', {
        bad: why([(f) => badReg(f.Rt), 'Rt = SP or PC'], [rnPC, 'Rn = PC']),
      }),
      e(`STREX${sz}_T1`, `111010001100 Rn:4 Rt:4 (1) (1) (1) (1) ${op} Rd:4`, `strex${sz.toLowerCase()} <Rd>, <Rt>, [<Rn>]`, `strex${sz.toLowerCase()}`, 'stex', 'v7m', {
        bad: why([(f) => badReg(f.Rd) || badReg(f.Rt), 'Rd or Rt is SP or PC'], [rnPC, 'Rn = PC'], [(f) => f.Rd === f.Rn || f.Rd === f.Rt, 'Rd = Rn or Rd = Rt']),
      }),
    ];
  }),
];

// ------------------------------------------------------------------ multiple (A5.2, A5.3.5)
const LIST13 = 'registers[14] (0) registers[12:0]';
/** LDM/LDMDB T2/T1 rules; `pc`: the entry with registers<15> fixed at 1 (the field then holds the others). */
const ldmBad = (pc: boolean) => why(
  [rnPC, 'Rn = PC'],
  [(f) => bitCount(f.registers! | (pc ? 0x8000 : 0)) < 2, 'fewer than two registers'],
  [(f) => pc && inList(f, 14), 'both LR and PC in the list'],
  [(f) => f.W === 1 && inList(f, f.Rn!), 'writeback with Rn in the list'],
);
const stmBad = why(
  [rnPC, 'Rn = PC'],
  [(f) => bitCount(f.registers!) < 2, 'fewer than two registers'],
  [(f) => f.W === 1 && inList(f, f.Rn!), 'writeback with Rn in the list'],
);
const none = (f: Fields) => (f.registers === 0 ? 'empty register list' : false);
const ldmNames = (names: string[], rest: string) => names.map((n) => `${n} ${rest}`);

const MULTI: IsaEntry[] = [
  // 16-bit
  e('STM_T1', '11000 Rn:3 registers:8', ldmNames(['stm', 'stmia', 'stmea'], '<Rn>!, <registers>'), 'stm', 'stm', 'v6m', { params: { W: 1 }, bad: none }),
  e('LDM_T1', '11001 Rn:3 registers:8', ldmNames(['ldm', 'ldmia', 'ldmfd'], '<Rn:ldm16>'), 'ldm', 'ldm', 'v6m', { bad: none }),
  e('PUSH_T1', '1011010 registers[14] registers[7:0]', 'push <registers>', 'stmdb', 'stm', 'v6m', { params: { Rn: 13, W: 1 }, bad: none }),
  // GNU as also makes `ldmia sp!, {low registers}` the 16-bit POP (but keeps it 32-bit when the list has the PC)
  e('POP_T1', '10111100 registers[7:0]', ['pop <registers:regsnopc>', ...ldmNames(['ldm', 'ldmia', 'ldmfd'], 'sp!, <registers:regsnopc>')], 'ldm', 'ldm', 'v6m', { params: { Rn: 13, W: 1 }, bad: none }),
  e('POP_T1.pc', '10111101 registers[7:0]', 'pop <registers:regspc>', 'ldm', 'ldm', 'v6m', { params: { Rn: 13, W: 1 }, it: 'last' }),
  // 32-bit
  e('STM_T2', `1110100010 W 0 Rn:4 (0) ${LIST13}`, ldmNames(['stm', 'stmia', 'stmea'], '<Rn><W:wb>, <registers>'), 'stm', 'stm', 'v7m', { bad: stmBad }),
  e('LDM_T2', `1110100010 W 1 Rn:4 0 ${LIST13}`, ldmNames(['ldm', 'ldmia', 'ldmfd'], '<Rn><W:wb>, <registers:regsnopc>'), 'ldm', 'ldm', 'v7m', { bad: ldmBad(false) }),
  e('LDM_T2.pc', `1110100010 W 1 Rn:4 1 ${LIST13}`, ldmNames(['ldm', 'ldmia', 'ldmfd'], '<Rn><W:wb>, <registers:regspc>'), 'ldm', 'ldm', 'v7m', { bad: ldmBad(true), it: 'last' }),
  e('STMDB_T1', `1110100100 W 0 Rn:4 (0) ${LIST13}`, ldmNames(['stmdb', 'stmfd'], '<Rn><W:wb>, <registers>'), 'stmdb', 'stm', 'v7m', { bad: stmBad }),
  e('LDMDB_T1', `1110100100 W 1 Rn:4 0 ${LIST13}`, ldmNames(['ldmdb', 'ldmea'], '<Rn><W:wb>, <registers:regsnopc>'), 'ldmdb', 'ldm', 'v7m', { bad: ldmBad(false) }),
  e('LDMDB_T1.pc', `1110100100 W 1 Rn:4 1 ${LIST13}`, ldmNames(['ldmdb', 'ldmea'], '<Rn><W:wb>, <registers:regspc>'), 'ldmdb', 'ldm', 'v7m', { bad: ldmBad(true), it: 'last' }),
  e('PUSH_T2', `1110100100101101 (0) ${LIST13}`, ['push <registers>', 'stmdb sp!, <registers>', 'stmfd sp!, <registers>'], 'stmdb', 'stm', 'v7m', {
    params: { Rn: 13, W: 1 }, bad: why([(f) => bitCount(f.registers!) < 2, 'fewer than two registers']),
  }),
  e('POP_T2', `1110100010111101 0 ${LIST13}`, ['pop <registers:regsnopc>', ...ldmNames(['ldm', 'ldmia', 'ldmfd'], 'sp!, <registers:regsnopc>')], 'ldm', 'ldm', 'v7m', {
    params: { Rn: 13, W: 1 }, bad: why([(f) => bitCount(f.registers!) < 2, 'fewer than two registers']),
  }),
  e('POP_T2.pc', `1110100010111101 1 ${LIST13}`, ['pop <registers:regspc>', ...ldmNames(['ldm', 'ldmia', 'ldmfd'], 'sp!, <registers:regspc>')], 'ldm', 'ldm', 'v7m', {
    params: { Rn: 13, W: 1 }, it: 'last', bad: why([(f) => f.registers === 0, 'fewer than two registers'], [(f) => inList(f, 14), 'both LR and PC in the list']),
  }),
  // single register: LDR post-indexed / STR pre-indexed on SP by 4
  e('POP_T3', '1111100001011101 Rt:4 101100000100', ['ldr <Rt>, [sp], #<4:fixed>', 'pop <Rt:reg1>', ...ldmNames(['ldm', 'ldmia', 'ldmfd'], 'sp!, <Rt:reg1>')], 'ldr', 'ld', 'v7m', {
    params: { Rn: 13, imm: 4, ...POST }, bad: why([(f) => f.Rt === 13, 'Rt = SP']),
  }),
  e('POP_T3.pc', '1111100001011101 1111 101100000100', ['ldr pc, [sp], #<4:fixed>', 'pop <x:pc1>', ...ldmNames(['ldm', 'ldmia', 'ldmfd'], 'sp!, <x:pc1>')], 'ldr', 'ld', 'v7m', {
    params: { Rn: 13, Rt: 15, imm: 4, ...POST }, it: 'last',
  }),
  e('PUSH_T3', '1111100001001101 Rt:4 110100000100', ['str <Rt>, [sp, #<-4:fixed>]!', 'push <Rt:reg1>', ...ldmNames(['stmdb', 'stmfd'], 'sp!, <Rt:reg1>')], 'str', 'st', 'v7m', {
    params: { Rn: 13, imm: -4, ...PRE }, bad: why([(f) => badReg(f.Rt), 'Rt = SP or PC']),
  }),
];

export const LDST: IsaEntry[] = [...LDST16, ...MULTI, ...dual(true), ...dual(false), ...EXCL, ...SINGLE32, ...HINTS];
