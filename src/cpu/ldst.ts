/**
 * Load/store semantics (ARMv7-M ARM A7.7: LDR/STR and their byte, halfword, signed, unprivileged, dual, exclusive
 * and multiple forms, PUSH/POP, PLD/PLI).
 *
 * Addressing (A7.7 pseudocode): offset_addr = Rn +/- offset; address = index ? offset_addr : Rn; writeback
 * Rn = offset_addr. The fields say which form: P (index, default 1), W (writeback, default 0), the offset is the
 * signed value of the `imm` operand through its kind (pm, neg, u*4 ...) or Rm LSL imm2. PC-relative forms (Rn = 15)
 * use Align(PC, 4).
 *
 * A faulting access leaves the registers unchanged: every load goes to a temporary first, registers are written
 * after the last access, the base writeback before a PC load (which leaves the block).
 *
 * Alignment: LDR/STR/LDRH/STRH/LDRSH (MemU) allow unaligned addresses unless CCR.UNALIGN_TRP (s.unalignTrap) is set;
 * LDM/STM, LDRD/STRD, LDREX/STREX (MemA) fault UNALIGNED on any unaligned address.
 *
 * The unprivileged forms (LDRT, STRT ...) behave as normal accesses here: the privilege checks they exist for come
 * with the MPU later.
 */
import type { GenCtx } from '../exec/gen.js';
import type { Gen } from './index.js';

type Size = 1 | 2 | 4;

/** Address computation: [statements, address expression (a local), offset_addr local for writeback]. */
function address(g: GenCtx): { code: string; addr: string; wbVal: string; wb: boolean } {
  const f = g.f;
  const n = f.Rn!;
  const base = n === 15 ? String(g.pcAligned | 0) : g.r(n);
  let off: string;
  if (f.Rm !== undefined) off = f.imm2 ? `(${g.r(f.Rm)}<<${f.imm2})` : g.r(f.Rm);
  else off = String(g.val('imm') | 0);
  const P = f.P ?? 1, W = f.W ?? 0;
  const b = g.tmp('b'), oa = g.tmp('oa');
  let code = `const ${b}=${base};`;
  code += off === '0' ? `const ${oa}=${b};` : `const ${oa}=(${b}+${off})|0;`;
  return { code, addr: P ? oa : b, wbVal: oa, wb: W === 1 };
}

/** MemU's CCR.UNALIGN_TRP check for halfword/word accesses. */
function unalignTrap(size: Size, a: string, what: string): string {
  if (size === 1) return '';
  return `if(s.unalignTrap!==0&&(${a}&${size - 1})!==0)throw rt.unaligned(${a},${JSON.stringify(what)});`;
}

function load(size: Size, signed: boolean, what: string): Gen {
  return (g) => {
    const f = g.f;
    const t = f.Rt!;
    const { code: pre, addr, wbVal, wb } = address(g);
    const v = g.tmp('v');
    let code = pre + unalignTrap(size, addr, what);
    const rd = size === 4 ? `m.r32(${addr})` : size === 2 ? `m.r16(${addr})` : `m.r8(${addr})`;
    const ext = signed ? (size === 2 ? `(${rd}<<16>>16)` : `(${rd}<<24>>24)`) : size === 4 ? rd : `${rd}`;
    code += `const ${v}=${ext};`;
    // LoadWritePC of an unaligned word is UNPREDICTABLE: we fault
    if (t === 15) code += `if((${addr}&3)!==0)throw rt.unaligned(${addr},${JSON.stringify(what + ' to PC')});`;
    if (wb) code += g.wr(f.Rn!, wbVal);
    code += t === 15 ? g.wr(15, v, 'bx') : g.wr(t, v);
    return code;
  };
}

function store(size: Size, what: string): Gen {
  return (g) => {
    const f = g.f;
    const { code: pre, addr, wbVal, wb } = address(g);
    const wr = size === 4 ? 'w32' : size === 2 ? 'w16' : 'w8';
    let code = pre + unalignTrap(size, addr, what);
    code += `m.${wr}(${addr},${g.r(f.Rt!)});`;
    if (wb) code += g.wr(f.Rn!, wbVal);
    return code;
  };
}

/** PLD/PLI: the address is computed and nothing else happens (no access, no fault). */
const hint: Gen = () => '';

function dual(isLoad: boolean): Gen {
  return (g) => {
    const f = g.f;
    const { code: pre, addr, wbVal, wb } = address(g);
    const what = isLoad ? 'LDRD' : 'STRD';
    let code = pre + `rt.align4(${addr},${JSON.stringify(what)});`;
    if (isLoad) {
      const v1 = g.tmp('v'), v2 = g.tmp('v');
      code += `const ${v1}=m.r32(${addr}),${v2}=m.r32(${addr}+4);`;
      if (wb) code += g.wr(f.Rn!, wbVal);
      code += g.wr(f.Rt!, v1) + g.wr(f.Rt2!, v2);
    } else {
      code += `m.w32(${addr},${g.r(f.Rt!)});m.w32(${addr}+4,${g.r(f.Rt2!)});`;
      if (wb) code += g.wr(f.Rn!, wbVal);
    }
    return code;
  };
}

/** LDREX{B,H}: load and tag the address in the local monitor (SetExclusiveMonitors). */
function ldrex(size: Size): Gen {
  return (g) => {
    const f = g.f;
    const a = g.tmp('a'), v = g.tmp('v');
    const imm = f.imm !== undefined ? g.val('imm') : 0;
    let code = `const ${a}=(${g.r(f.Rn!)}+${imm})|0;`;
    if (size === 4) code += `rt.align4(${a},"LDREX");`;
    if (size === 2) code += `rt.align2(${a},"LDREXH");`;
    code += `const ${v}=${size === 4 ? `m.r32(${a})` : size === 2 ? `m.r16(${a})` : `m.r8(${a})`};s.exclusive=${a}>>>0;`;
    return code + g.wr(f.Rt!, v);
  };
}

/**
 * STREX{B,H}: store and write 0 to Rd when the local monitor holds this address (ExclusiveMonitorsPass), else write 1
 * without storing; the monitor is cleared either way. The alignment check comes first.
 */
function strex(size: Size): Gen {
  return (g) => {
    const f = g.f;
    const a = g.tmp('a'), ok = g.tmp('ok');
    const imm = f.imm !== undefined ? g.val('imm') : 0;
    const wr = size === 4 ? 'w32' : size === 2 ? 'w16' : 'w8';
    let code = `const ${a}=(${g.r(f.Rn!)}+${imm})|0;`;
    if (size === 4) code += `rt.align4(${a},"STREX");`;
    if (size === 2) code += `rt.align2(${a},"STREXH");`;
    code += `const ${ok}=s.exclusive===(${a}>>>0);if(${ok})m.${wr}(${a},${g.r(f.Rt!)});s.exclusive=-1;`;
    return code + g.wr(f.Rd!, `${ok}?0:1`);
  };
}

/** The register list, with the PC for the entries whose PC bit is fixed (the kind's value adds it). */
function regList(g: GenCtx): number[] {
  const mask = g.val('registers');
  const out: number[] = [];
  for (let i = 0; i < 16; i++) if ((mask >>> i) & 1) out.push(i);
  return out;
}

/** LDM (increment after) and LDMDB; POP is LDM SP!. LDM T1 writes back unless Rn is in the list. */
function ldm(db: boolean): Gen {
  return (g) => {
    const f = g.f;
    const n = f.Rn!;
    const regs = regList(g);
    const wb = f.W !== undefined ? f.W === 1 : !regs.includes(n);
    const b = g.tmp('b'), a = g.tmp('a');
    const size = 4 * regs.length;
    let code = `const ${b}=${g.r(n)};const ${a}=${db ? `(${b}-${size})|0` : b};rt.align4(${a},${JSON.stringify(db ? 'LDMDB' : 'LDM')});`;
    const vs = regs.map(() => g.tmp('v'));
    code += 'const ' + regs.map((_, k) => `${vs[k]}=m.r32(${a}+${4 * k})`).join(',') + ';';
    regs.forEach((r, k) => { if (r !== 15) code += g.wr(r, vs[k]!); });
    if (wb) code += g.wr(n, db ? a : `(${b}+${size})|0`);
    const pcAt = regs.indexOf(15);
    if (pcAt >= 0) code += g.wr(15, vs[pcAt]!, 'bx');
    return code;
  };
}

/** STM (increment after) and STMDB; PUSH is STMDB SP!. Stored values are read before the base is written back. */
function stm(db: boolean): Gen {
  return (g) => {
    const f = g.f;
    const n = f.Rn!;
    const regs = regList(g);
    const wb = f.W === 1;
    const b = g.tmp('b'), a = g.tmp('a');
    const size = 4 * regs.length;
    let code = `const ${b}=${g.r(n)};const ${a}=${db ? `(${b}-${size})|0` : b};rt.align4(${a},${JSON.stringify(db ? 'STMDB' : 'STM')});`;
    regs.forEach((r, k) => { code += `m.w32(${a}+${4 * k},${g.r(r)});`; });
    if (wb) code += g.wr(n, db ? a : `(${b}+${size})|0`);
    return code;
  };
}

export const LDST_GEN: Record<string, Gen> = {
  ldr: load(4, false, 'LDR'), ldrb: load(1, false, 'LDRB'), ldrh: load(2, false, 'LDRH'),
  ldrsb: load(1, true, 'LDRSB'), ldrsh: load(2, true, 'LDRSH'),
  str: store(4, 'STR'), strb: store(1, 'STRB'), strh: store(2, 'STRH'),
  // unprivileged: normal accesses until the MPU brings privilege checks
  ldrt: load(4, false, 'LDRT'), ldrbt: load(1, false, 'LDRBT'), ldrht: load(2, false, 'LDRHT'),
  ldrsbt: load(1, true, 'LDRSBT'), ldrsht: load(2, true, 'LDRSHT'),
  strt: store(4, 'STRT'), strbt: store(1, 'STRBT'), strht: store(2, 'STRHT'),
  pld: hint, pli: hint,
  ldrd: dual(true), strd: dual(false),
  ldrex: ldrex(4), ldrexb: ldrex(1), ldrexh: ldrex(2),
  strex: strex(4), strexb: strex(1), strexh: strex(2),
  ldm: ldm(false), ldmdb: ldm(true), stm: stm(false), stmdb: stm(true),
};
