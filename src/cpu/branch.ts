/**
 * Branch semantics (ARMv7-M ARM A7.7.12 B, A7.7.18 BL, A7.7.19 BLX (register), A7.7.20 BX, A7.7.21 CBNZ/CBZ,
 * A7.7.38 IT, A7.7.182 TBB/TBH).
 *
 * Every branch leaves the block through g.branch(): BranchWritePC clears bit 0 of the target; BXWritePC (BX, BLX)
 * takes bit 0 as the new EPSR.T, and a target with bit 0 clear makes the *next* instruction fault INVSTATE (the
 * machine checks s.t before fetching). A conditional branch wraps g.branch() in its condition; when the condition
 * fails the engine's block exit after the instruction continues at the next address.
 */
import { condExpr, type GenCtx } from '../exec/gen.js';
import type { Gen } from './index.js';

export const BRANCH_GEN: Record<string, Gen> = {
  /** B T1-T4: T1 and T3 carry their own condition (outside IT blocks only); T2 and T4 take the IT condition. */
  b: (g: GenCtx) => {
    const go = g.branch(String(g.val('label')), 'branch');
    return g.f.cond !== undefined ? `if(${condExpr(g.f.cond)})${go}` : go;
  },
  /** BL: LR = address of the next instruction with bit 0 set. */
  bl: (g) => `r[14]=${((g.addr + 4) | 1) | 0};` + g.branch(String(g.val('label')), 'branch'),
  /**
   * BX: BXWritePC. (Exception return arrives with the exception model: in Handler mode a target of the form
   * 0xFxxxxxxx is EXC_RETURN and must start the exception return instead of branching; likewise for POP/LDR PC.)
   */
  bx: (g) => g.branch(g.r(g.f.Rm!), 'bx'),
  /** BLX (register): the target is read before LR is written (BLX LR). */
  blx: (g) => {
    const t = g.tmp('tgt');
    return `const ${t}=${g.r(g.f.Rm!)};r[14]=${((g.addr + 2) | 1) | 0};` + g.branch(t, 'bx');
  },
  /** CBZ/CBNZ: compare and branch forward, flags unchanged. */
  cbz: (g) => `if(${g.r(g.f.Rn!)}${g.f.nonzero ? '!==' : '==='}0)` + g.branch(String(g.val('label')), 'branch'),
  /** TBB/TBH: PC + 2 * (byte or halfword at Rn + Rm, or Rn + 2*Rm). */
  tb: (g) => {
    const a = g.tmp('ta'), h = g.tmp('th');
    const idx = g.f.H ? `(${g.r(g.f.Rm!)}<<1)` : g.r(g.f.Rm!);
    let code = `const ${a}=(${g.r(g.f.Rn!)}+${idx})>>>0;`;
    if (g.f.H) code += `if((${a}&1)&&s.unalignTrap)throw rt.unaligned(${a},'TBH table read');const ${h}=m.r16(${a});`;
    else code += `const ${h}=m.r8(${a});`;
    return code + g.branch(`${g.pc}+2*${h}`, 'branch');
  },
  /** IT: nothing at run time; the engine derives ITSTATE from firstcond and mask when translating. */
  it: () => '',
};
