/**
 * The assembler: GNU unified-syntax Thumb-2 source to an image (sections, symbols, entry, listing), for ARMv6-M,
 * ARMv7-M and ARMv7E-M code, the way GNU as (`arm-none-eabi-as -mthumb`) assembles it and a linker would lay it
 * out. One instruction at a time is encoded by src/asm/instr.ts; this file does everything around it:
 * statements, labels (numeric local labels too), directives, expressions (src/asm/expr.ts), macros and .rept,
 * conditional assembly, IT blocks, `ldr rX, =expr` with literal pools, relaxation of 16/32-bit forms, section
 * layout, the listing and diagnostics. Bad input never throws: every problem is a diagnostic with its line and
 * column, and assembly goes on to find the next one.
 *
 * Relaxation follows GNU as (gas/write.c relax_segment, gas/config/tc-arm.c arm_relax_frag), so that the bytes are
 * the bytes GNU as produces:
 *  - an instruction whose narrow form exists is "relaxable" when its size depends on values: B/B<c> to a label,
 *    ADR, LDR of a label or a literal, and MOV/MOVS/CMP/ADD/SUB/LDR/STR{B,H} with an immediate. It starts at 2
 *    bytes; the layout is recomputed pass after pass until no size changes;
 *  - immediates: 4 bytes if the expression was not a constant when the line was read (a forward symbol), else
 *    the size of the best encoding of the value;
 *  - branches: 2 bytes if the target is in the same section and within the narrow range, else 4;
 *  - ADR and PC-relative loads: 2 bytes if the target is in the same section, word aligned, 0-1020 bytes ahead
 *    of Align(PC, 4) and not a Thumb function, else 4;
 *  - a symbol not yet reached in a pass is assumed to have moved as much as the instruction did (less what
 *    alignments in between absorb); an instruction that becomes 4 bytes while nothing before it grew in that pass
 *    stays 4 bytes. Sizes can thus shrink as well as grow, as in GNU as, and the result depends on that history.
 *  - other instructions take the size chosen when the line was read (ctx.minSize keeps it in the final
 *    encoding); if a final value needs a bigger encoding the layout is redone with the bigger size.
 *
 * Literal pools: `ldr rX, =expr` with a constant (known when the line is read) becomes MOV.W, MVN.W or MOVW when
 * the value allows (ARMv7-M; not for SP/PC), otherwise a pool entry (4 bytes, shared by equal constants or equal
 * expressions in the same pool). A pool is placed at `.ltorg`/`.pool` and at the end of its section, word
 * aligned with zero bytes.
 *
 * Layout: like a linker with a plain script, sections follow one another from `base`: code sections (.text and
 * "x" sections), then read-only and other sections, then .data, then .bss (and %nobits), each in order of first
 * use and aligned to its largest alignment (at least 4); `sectionAddresses` fixes a section's address and the
 * next ones follow it. A code section's end is padded to min(its alignment, 4) with NOPs, as GNU as does.
 * Addresses in data are final: `.word fn` of a Thumb function has bit 0 set, as the linker sets it.
 *
 * Directives: .text .data .bss .section .pushsection .popsection .previous; .word .long .int .4byte .short
 * .hword .2byte .byte .quad .8byte .float .double .ascii .asciz .string .space .skip .zero .fill .org; .align
 * .balign .p2align; .equ .set .equiv .eqv `sym = expr`; .global .globl .weak .local .hidden .type .size
 * .thumb_func .comm .lcomm; .thumb .code 16 .syntax unified .cpu .arch; .ltorg .pool; .inst .inst.n .inst.w;
 * .macro .endm .exitm .purgem .rept .irp .irpc .endr; .if .ifdef .ifndef .ifeq .ifne .ifgt .ifge .iflt .ifle .ifb
 * .ifnb .ifc .ifnc .else .elseif .endif; .req .unreq; .error .warning .print .end. Accepted and ignored: .fpu
 * .eabi_attribute .file .ident .loc .cfi_* and the ARM unwinding directives. Errors: .arm, .code 32,
 * .syntax divided, .include, .incbin.
 *
 * Where this assembler is stricter or more lenient than GNU as: an instruction at an odd address is an error
 * (GNU as emits it); `ldr rX, =a - b` is accepted; `\arg.w` in a macro body substitutes `arg` (GNU as needs
 * `\arg\().w`); a pool placed at the end of a section is listed with its bytes.
 */
import { encodeInstruction, type EncodedInstr, type InstrError, type ItSlot } from './instr.js';
import { encodeThumbImm, parseRegName } from '../isa/kinds.js';
import type { Entry } from '../isa/table.js';
import type { Item as TemplateItem } from '../isa/syntax.js';
import type { Arch } from '../isa/types.js';
import { itAdvance, inIT, lastInIT, itCond } from '../cpu/state.js';
import { parseExpr, evalExpr, ExprError, type Node, type Val, type Resolver } from './expr.js';
import { splitSource, splitStatements, parseStatement, splitArgs, readString, type SrcLine, type Statement } from './lexer.js';
import { formatListing, formatDiagnostic } from './listing.js';

export { formatListing, formatDiagnostic };

// ------------------------------------------------------------------ public types
export interface AsmOptions {
  fileName?: string;
  /** address of the first section; default 0 */
  base?: number;
  /** fixed addresses of sections by name; the sections after one follow it */
  sectionAddresses?: Record<string, number>;
  /** default cortex-m4 */
  cpu?: string;
}
export interface AsmDiagnostic {
  file: string;
  /** 1-based; 0 for a problem with the options */
  line: number;
  /** 1-based character index in the line (a tab counts as one character) */
  column: number;
  message: string;
  severity: 'error' | 'warning';
  sourceLine: string;
}
export interface AsmSection {
  name: string;
  address: number;
  /** .bss: zero bytes of its size */
  bytes: Uint8Array;
  kind: 'text' | 'data' | 'bss';
}
export interface AsmSymbol {
  name: string;
  /** the address (a Thumb function's address without bit 0) or the value of an absolute symbol */
  value: number;
  /** the section of a label; null for an absolute symbol */
  section: string | null;
  global: boolean;
  type?: 'function' | 'object';
  size?: number;
  /** a Thumb function (.thumb_func or .type %function): a .word of it has bit 0 set */
  thumb: boolean;
}
export interface ListingLine {
  line: number;
  address: number | null;
  bytes: Uint8Array;
  source: string;
  section: string;
}
export interface AsmResult {
  ok: boolean;
  errors: AsmDiagnostic[];
  warnings: AsmDiagnostic[];
  sections: AsmSection[];
  symbols: AsmSymbol[];
  entry: number | undefined;
  listing: ListingLine[];
}

// ------------------------------------------------------------------ internal types
type SecKind = 'text' | 'data' | 'bss';

interface ListRec { line: number; source: string; section: string; items: { sec: Section; item: Item; idx: number }[] }

/** Where a statement comes from (for diagnostics). */
interface Loc { line: number; text: string; note?: string }

interface Label {
  sec: Section;
  /** position: before item `idx` of the section, plus `off` bytes (pool entries) */
  idx: number;
  off: number;
  /** frag number: labels in the same frag are a constant distance apart when the line is read */
  frag: number;
  /** provisional section offset while reading */
  pOff: number;
  sym?: SymInfo;
}

interface EvalCtx { asOf: number; dot: Label }

interface SymVersion {
  def: number;
  loc: Loc;
  label?: Label;
  value?: bigint;
  lazy?: { node: Node; ctx: EvalCtx; col: number };
  evaluating?: boolean;
}
interface SymInfo {
  name: string;
  versions: SymVersion[];
  global: boolean;
  /** .weak */
  weak?: boolean;
  /** .hidden/.protected/.internal: a global symbol that cannot be preempted */
  hidden?: boolean;
  type?: 'function' | 'object';
  /** when `.type x, %function` was read (defCounter): GNU as then keeps differences `x - y` as relocations */
  funcAt?: number;
  size?: { node: Node; ctx: EvalCtx; loc: Loc; col: number; nameCol: number };
}

interface ItemBase { size: number; bytes?: Uint8Array; list: ListRec }
interface FixedItem extends ItemBase { k: 'fixed'; data: Uint8Array }
interface DataItem extends ItemBase { k: 'data'; node: Node; ctx: EvalCtx; loc: Loc; col: number }
interface InsnItem extends ItemBase {
  k: 'insn';
  mn: string;
  ops: string;
  opCol: number;
  opsCol: number;
  it: ItSlot;
  arch: Arch;
  ctx: EvalCtx;
  loc: Loc;
  relax: Relax | null;
  frozen: boolean;
  /** ADR: a Thumb function's address has bit 0 set */
  adr: boolean;
  /** ldr =: where to report errors, and the pool entry */
  lit?: { col: number; label: string };
  /** all errors at this column (generated text) */
  errCol?: number;
}
interface AlignItem extends ItemBase { k: 'align'; pow: number; fill: number | null; max: number; v6m: boolean }
interface PoolEntry { node: Node; ctx: EvalCtx; loc: Loc; col: number; key: string | undefined; label: string }
interface PoolItem extends ItemBase { k: 'pool'; entries: PoolEntry[] }
/** `.org`: fill up to a section offset (its size follows the layout, like an alignment) */
interface OrgItem extends ItemBase { k: 'org'; target: number; fill: number; loc: Loc; col: number }
type Item = FixedItem | DataItem | InsnItem | AlignItem | PoolItem | OrgItem;

type Relax = { t: 'branch'; bits: number; node: Node } | { t: 'adr'; node: Node } | { t: 'fixed'; size: 2 | 4 };

interface Section {
  name: string;
  kind: SecKind;
  /** layout group: 0 text, 1 read-only and other, 2 .data, 3 .bss */
  group: number;
  order: number;
  code: boolean;
  items: Item[];
  aligns: number[];
  pOff: number;
  frag: number;
  align: number;
  /** alignment GNU as records for the section (instructions 2, pools 4, .align): the end of a code section is padded to min(this, 4) */
  gasAlign: number;
  pool: { id: number; entries: PoolEntry[] } | null;
  offs: number[];
  base: number;
  size: number;
  /** the listing line where the section was last left: its end-of-section pool and padding are listed there (GNU as) */
  leftAt?: ListRec;
}

interface Line extends SrcLine { list: ListRec; note?: string }
interface Frame { kind: 'file' | 'macro' | 'rept'; lines: (Line | SrcLine)[]; i: number; list?: ListRec; note?: string }

interface Macro { name: string; params: { name: string; def?: string; req: boolean; vararg: boolean }[]; body: SrcLine[]; line: number }

interface CondState { active: boolean; taken: boolean; parent: boolean; sawElse: boolean; loc: Loc; col: number }

const CPU_ARCH: Record<string, Arch> = {
  'cortex-m0': 'v6m', 'cortex-m0plus': 'v6m', 'cortex-m0+': 'v6m', 'cortex-m1': 'v6m',
  'cortex-m3': 'v7m', 'cortex-m4': 'v7em', 'cortex-m7': 'v7em',
};
const ARCH_NAMES: Record<string, Arch> = {
  'armv6-m': 'v6m', 'armv6s-m': 'v6m', 'armv7-m': 'v7m', 'armv7e-m': 'v7em',
};

/** Narrow encodings GNU as relaxes by the value of an immediate (tc-arm.c: T_MNEM_mov ... T_MNEM_ldr_pc). */
const RELAX_IMM = new Set([
  'MOV_imm_T1', 'CMP_imm_T1', 'ADD_imm_T1', 'ADD_imm_T2', 'SUB_imm_T1', 'SUB_imm_T2', 'ADD_SP_imm_T1', 'ADD_SP_imm_T2',
  'SUB_SP_imm_T1', 'ADR_T1', 'LDR_imm_T1', 'LDR_imm_T2', 'STR_imm_T1', 'STR_imm_T2', 'LDRB_imm_T1', 'STRB_imm_T1',
  'LDRH_imm_T1', 'STRH_imm_T1', 'LDR_lit_T1',
]);

const COND_DIRECTIVES = new Set(['.if', '.ifne', '.ifeq', '.ifgt', '.ifge', '.iflt', '.ifle', '.ifdef', '.ifndef', '.ifnotdef',
  '.ifb', '.ifnb', '.ifc', '.ifnc', '.ifeqs', '.ifnes', '.elseif', '.else', '.endif']);
const COND_RE = '(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)';
const LDR_LIT_RE = new RegExp(`^ldr(${COND_RE})?(\\.[wn])?$`, 'i');
const INTERNAL = /^\$lit\$/;

const kindCache = new Map<Entry, Set<string>>();
function entryKinds(e: Entry): Set<string> {
  let s = kindCache.get(e);
  if (!s) {
    s = new Set();
    const walk = (items: TemplateItem[]) => { for (const x of items) { if (x.k === 'ph') s!.add(x.kindName); else if (x.k === 'opt') walk(x.items); } };
    for (const t of e.templates) walk(t.ops);
    kindCache.set(e, s);
  }
  return s;
}

const u32 = (v: bigint) => Number(BigInt.asUintN(32, v));
const isIdent = (s: string) => /^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(s);

class Assembler {
  readonly file: string;
  readonly errors: AsmDiagnostic[] = [];
  readonly warnings: AsmDiagnostic[] = [];
  private seen = new Set<string>();
  private sections = new Map<string, Section>();
  private cur!: Section;
  private prevSection: Section | null = null;
  private sectionStack: Section[] = [];
  private syms = new Map<string, SymInfo>();
  private locals = new Map<string, SymInfo>();
  private defCounter = 0;
  private arch: Arch = 'v7em';
  private its = 0;
  private itLoc: { loc: Loc; col: number } | null = null;
  private thumbFuncNext = false;
  private macros = new Map<string, Macro>();
  /** register aliases (`name .req r4`) */
  private aliases = new Map<string, string>();
  private macroCounter = 0;
  private conds: CondState[] = [];
  private frames: Frame[] = [];
  private curFrame: Frame | null = null;
  private recs: ListRec[] = [];
  private lastRec: ListRec | null = null;
  private curList: ListRec | null = null;
  private exprCache = new Map<string, Node | ExprError>();
  private poolId = 0;
  private linesRead = 0;
  private stopped = false;

  constructor(private readonly source: string, private readonly opts: AsmOptions) {
    this.file = opts.fileName ?? 'input.s';
  }

  // ---------------------------------------------------------------- diagnostics
  private diag(severity: 'error' | 'warning', loc: Loc | null, col0: number, message: string): void {
    const line = loc?.line ?? 0;
    const column = loc ? col0 + 1 : 0;
    const msg = loc?.note ? `${message} (${loc.note})` : message;
    const key = `${severity}:${line}:${column}:${msg}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    (severity === 'error' ? this.errors : this.warnings).push({
      file: this.file, line, column, message: msg, severity, sourceLine: loc?.text ?? '',
    });
  }
  private error(loc: Loc | null, col0: number, message: string) { this.diag('error', loc, col0, message); }
  private warn(loc: Loc | null, col0: number, message: string) { this.diag('warning', loc, col0, message); }

  // ---------------------------------------------------------------- sections
  private section(name: string, flags?: string, type?: string): Section {
    let s = this.sections.get(name);
    if (!s) {
      const nobits = type ? /nobits/.test(type) : false;
      const kind: SecKind = /^\.(s|t)?bss(\.|$)/.test(name) || nobits ? 'bss'
        : /^\.text(\.|$)/.test(name) || (flags ?? '').includes('x') ? 'text' : 'data';
      const group = kind === 'text' ? 0 : kind === 'bss' ? 3 : /^\.data(\.|$)/.test(name) ? 2 : 1;
      s = {
        name, kind, group, order: this.sections.size, code: kind === 'text', items: [], aligns: [], pOff: 0, frag: 0,
        align: 4, gasAlign: 1, pool: null, offs: [], base: 0, size: 0,
      };
      this.sections.set(name, s);
    }
    return s;
  }
  private switchTo(s: Section) {
    if (s !== this.cur) {
      if (this.curList) this.cur.leftAt = this.curList;
      this.prevSection = this.cur;
      this.cur = s;
    }
  }
  private provBase(s: Section): number {
    return this.opts.sectionAddresses?.[s.name] ?? (s.name === '.text' ? this.opts.base ?? 0 : 0);
  }
  private here(): Label {
    return { sec: this.cur, idx: this.cur.items.length, off: 0, frag: this.cur.frag, pOff: this.cur.pOff };
  }
  private ctx(): EvalCtx { return { asOf: this.defCounter, dot: this.here() }; }

  private push(item: Item, list: ListRec, variable = false) {
    const s = this.cur;
    s.items.push(item);
    list.items.push({ sec: s, item, idx: s.items.length - 1 });
    s.pOff += item.size;
    if (variable) s.frag++;
  }
  private pushFixed(bytes: Uint8Array | number[], list: ListRec) {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    this.push({ k: 'fixed', data, size: data.length, list }, list);
  }
  private pushAlign(pow: number, fill: number | null, max: number, list: ListRec) {
    const s = this.cur;
    s.align = Math.max(s.align, 2 ** pow);
    s.gasAlign = Math.max(s.gasAlign, 2 ** pow);
    const item: AlignItem = { k: 'align', pow, fill, max, v6m: this.arch === 'v6m', size: 0, list };
    item.size = alignPad(item, s.pOff);
    s.aligns.push(s.items.length);
    this.push(item, list, true);
  }

  // ---------------------------------------------------------------- symbols
  private getSym(name: string): SymInfo {
    let s = this.syms.get(name);
    if (!s) { s = { name, versions: [], global: false }; this.syms.set(name, s); }
    return s;
  }
  private pick(info: SymInfo | undefined, asOf: number, dir?: 'b' | 'f'): SymVersion | undefined {
    if (!info || !info.versions.length) return undefined;
    // versions are in definition order: binary search for the last one defined at or before asOf
    const vs = info.versions;
    let lo = 0, hi = vs.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (vs[mid]!.def <= asOf) lo = mid + 1; else hi = mid; }
    const last = lo > 0 ? vs[lo - 1] : undefined;
    const next = vs[lo];
    if (dir === 'b') return last;
    if (dir === 'f') return next;
    return last ?? next;
  }
  private defineLabel(name: string, col: number, loc: Loc) {
    if (/^[0-9]+$/.test(name)) {
      const key = String(Number(name));
      let info = this.locals.get(key);
      if (!info) { info = { name: key, versions: [], global: false }; this.locals.set(key, info); }
      info.versions.push({ def: ++this.defCounter, loc, label: this.here() });
      return;
    }
    const info = this.getSym(name);
    if (info.versions.length) {
      const at = info.versions[0]!.loc.line;
      this.error(loc, col, `duplicate label: symbol '${name}' is already defined${at ? ` at line ${at}` : ''}`);
      return;
    }
    const label = this.here();
    label.sym = info;
    info.versions.push({ def: ++this.defCounter, loc, label });
    if (this.thumbFuncNext) { info.type = 'function'; this.thumbFuncNext = false; }
  }

  // ---------------------------------------------------------------- expressions
  private parse(text: string): Node | ExprError {
    let n = this.exprCache.get(text);
    if (!n) {
      try { n = parseExpr(text); } catch (e) { n = e instanceof ExprError ? e : new ExprError(String(e), 0); }
      this.exprCache.set(text, n);
    }
    return n;
  }

  /**
   * A resolver for one evaluation. `labelVal` gives a label's value in the current phase; `report` receives
   * undefined symbols (position inside the expression text).
   */
  private resolver(ctx: EvalCtx, labelVal: (l: Label) => bigint, parse: boolean, report?: (pos: number, msg: string) => void): Resolver<Label> {
    const versionVal = (v: SymVersion, name: string, pos: number): Val<Label> => {
      if (v.label) return { n: labelVal(v.label), lin: new Map([[v.label, 1n]]), known: true };
      if (v.value !== undefined) return { n: v.value, lin: new Map(), known: true };
      const lz = v.lazy!;
      if (v.evaluating) throw new ExprError(`symbol '${name}' is defined in terms of itself`, pos);
      v.evaluating = true;
      try {
        const inner = this.resolver(lz.ctx, labelVal, parse, report && ((p, m) => this.error(v.loc, lz.col + p, m)));
        return evalExpr(lz.node, inner);
      } finally { v.evaluating = false; }
    };
    return {
      sym: (name, pos) => {
        const info = this.syms.get(name);
        const v = this.pick(info, ctx.asOf);
        if (!v) {
          report?.(pos, `undefined symbol '${name}'`);
          return { n: 0n, lin: null, known: false };
        }
        if (parse && v.def > ctx.asOf) return { n: 0n, lin: null, known: false };
        return versionVal(v, name, pos);
      },
      local: (n, dir, pos, text) => {
        const v = this.pick(this.locals.get(n), ctx.asOf, dir);
        if (!v) {
          report?.(pos, `undefined local label '${text}' (no label '${n}:' ${dir === 'b' ? 'before' : 'after'} this line)`);
          return { n: 0n, lin: null, known: false };
        }
        if (parse && dir === 'f') return { n: 0n, lin: null, known: false };
        return versionVal(v, n, pos);
      },
      dot: () => ({ n: labelVal(ctx.dot), lin: new Map([[ctx.dot, 1n]]), known: true }),
      address: (v) => this.thumbBit(v, ctx.asOf),
    };
  }
  private parseLabelVal = (l: Label): bigint => BigInt(this.provBase(l.sec) + l.pOff + l.off);
  private finalLabelVal = (l: Label): bigint => BigInt(l.sec.base + (l.sec.offs[l.idx] ?? l.sec.size) + l.off);

  /** The constant a value has when the line is read: labels only as differences within one frag. */
  private constOf(v: Val<Label>): bigint | undefined {
    if (!v.known || !v.lin) return undefined;
    if (v.lin.size === 0) return v.n;
    const groups = new Map<string, bigint>();
    for (const [l, c] of v.lin) {
      const k = `${l.sec.name}\u0000${l.frag}`;
      groups.set(k, (groups.get(k) ?? 0n) + c);
    }
    for (const c of groups.values()) if (c !== 0n) return undefined;
    return v.n;
  }

  /** Evaluate while reading; reports syntax errors only. */
  private evalNow(text: string, col: number, loc: Loc, ctx = this.ctx()): { val: Val<Label>; node: Node } | undefined {
    const node = this.parse(text);
    if (node instanceof ExprError) { this.error(loc, col + node.pos, node.message); return undefined; }
    try {
      return { val: evalExpr(node, this.resolver(ctx, this.parseLabelVal, true)), node };
    } catch (e) {
      if (e instanceof ExprError) { this.error(loc, col + e.pos, e.message); return undefined; }
      throw e;
    }
  }
  /** An expression that must be a constant now (sizes, counts, conditions). */
  private constExpr(text: string, col: number, loc: Loc, what = 'expression'): bigint | undefined {
    if (!text.trim()) { this.error(loc, col, `expected ${what}`); return undefined; }
    const r = this.evalNow(text, col, loc);
    if (!r) return undefined;
    const c = this.constOf(r.val);
    if (c === undefined) {
      const late = this.notYetDefined(r.node);
      if (late) this.error(loc, col + late.pos, `${what} must be a constant known here: '${late.name}' is not defined before this line`);
      else this.error(loc, col, `${what} must be a constant: labels count only as a difference within one block of code (no alignment or relaxable instruction between them)`);
    }
    return c;
  }
  /** The first symbol of an expression that has no value yet at this line. */
  private notYetDefined(node: Node): { name: string; pos: number } | undefined {
    switch (node.k) {
      case 'sym': return this.pick(this.syms.get(node.name), this.defCounter, 'b') ? undefined : { name: node.name, pos: node.pos };
      case 'local': return node.dir === 'f' || !this.pick(this.locals.get(node.n), this.defCounter, 'b') ? { name: node.text, pos: node.pos } : undefined;
      case 'un': return this.notYetDefined(node.a);
      case 'bin': return this.notYetDefined(node.a) ?? this.notYetDefined(node.b);
      default: return undefined;
    }
  }
  /** Evaluate with the final layout; reports undefined symbols at their columns. */
  private evalFinal(node: Node, ctx: EvalCtx, loc: Loc, col: number): Val<Label> {
    try {
      return evalExpr(node, this.resolver(ctx, this.finalLabelVal, false, (p, m) => this.error(loc, col + p, m)));
    } catch (e) {
      if (e instanceof ExprError) { this.error(loc, col + e.pos, e.message); return { n: 0n, lin: null, known: false }; }
      throw e;
    }
  }
  /**
   * Bit 0 of a Thumb function's address, as the linker sets it (R_ARM_ABS32, R_ARM_REL32, MOVW/MOVT, ADR) when
   * GNU as leaves a relocation: always for `fn + k`; for a difference `fn - x` only when x is global or fn was
   * made a function by `.type fn, %function` before the expression (tc-arm.c arm_optimize_expr); otherwise GNU
   * as works the difference out itself, without bit 0.
   */
  private thumbBit(v: Val<Label>, asOf: number): bigint {
    if (!v.lin) return v.n;
    const terms = [...v.lin];
    const pos = terms.filter(([, c]) => c > 0n);
    const neg = terms.filter(([, c]) => c < 0n);
    if (pos.length !== 1 || pos[0]![1] !== 1n || pos[0]![0].sym?.type !== 'function') return v.n;
    const fn = pos[0]![0].sym!;
    if (neg.length && !(fn.funcAt !== undefined && fn.funcAt <= asOf) && !neg.some(([l]) => l.sym && l.sym.global && !l.sym.hidden)) return v.n;
    return v.n | 1n;
  }

  // ---------------------------------------------------------------- reading lines
  private nextLine(): Line | null {
    while (this.frames.length) {
      const f = this.frames[this.frames.length - 1]!;
      if (f.i < f.lines.length) {
        this.curFrame = f;
        if (++this.linesRead > 2_000_000) {
          this.error(null, 0, 'too many lines after macro and .rept expansion (more than 2,000,000): is a macro recursive?');
          this.frames.length = 0;
          return null;
        }
        const raw = f.lines[f.i++]!;
        if (f.kind === 'file') return this.fileLine(raw);
        return raw as Line;
      }
      this.frames.pop();
    }
    return null;
  }
  private fileLine(raw: SrcLine): Line {
    const rec: ListRec = { line: raw.line, source: raw.text, section: this.cur.name, items: [] };
    this.recs.push(rec);
    this.lastRec = rec;
    for (const p of raw.problems) this.error({ line: raw.line, text: raw.text }, p.col - 1, p.message);
    return { ...raw, list: rec };
  }
  private locOf(l: Line): Loc { return { line: l.line, text: l.note ? l.code.replace(/\s+$/, '') : l.text, note: l.note }; }

  run(): AsmResult {
    const cpu = (this.opts.cpu ?? 'cortex-m4').toLowerCase();
    const a = CPU_ARCH[cpu];
    if (a) this.arch = a;
    else this.error(null, 0, `unknown cpu '${this.opts.cpu}' (known: ${Object.keys(CPU_ARCH).join(', ')})`);
    this.cur = this.section('.text');
    this.frames.push({ kind: 'file', lines: splitSource(this.source), i: 0 });
    let l: Line | null;
    while (!this.stopped && (l = this.nextLine())) this.processLine(l);
    // drain the file listing when .end stopped reading
    const file = this.frames.find((f) => f.kind === 'file') ?? null;
    if (file) while (file.i < file.lines.length) this.fileLine(file.lines[file.i++] as SrcLine);
    for (const c of this.conds) this.error(c.loc, c.col, 'unterminated .if: missing .endif');
    if (inIT(this.its) && this.itLoc) {
      this.warn(this.itLoc.loc, this.itLoc.col, 'IT block is not complete at the end of the file');
    }
    // literal pools at the end of their sections, listed on the line that last left the section (the last line
    // for the section open at the end), as GNU as does
    const endRec = this.lastRec ?? (() => { const r: ListRec = { line: 0, source: '', section: '.text', items: [] }; this.recs.push(r); return r; })();
    const saved = this.cur;
    for (const s of this.sections.values()) {
      const rec = s === saved ? endRec : s.leftAt ?? endRec;
      if (s.pool && s.pool.entries.length) { this.cur = s; this.placePool(rec); }
      // GNU as pads the end of a code section to its alignment, at most a word
      const pad = Math.min(s.gasAlign, 4);
      if (s.code && pad > 1) { this.cur = s; const a = s.align; this.pushAlign(pad === 4 ? 2 : 1, null, 0, rec); s.align = a; }
    }
    this.cur = saved;
    this.finish();
    return this.result();
  }

  // ---------------------------------------------------------------- conditionals
  private active(): boolean { return this.conds.length === 0 || this.conds[this.conds.length - 1]!.active; }

  private condDirective(name: string, st: Statement, loc: Loc): boolean {
    const args = st.args;
    const col = st.argsCol;
    const top = this.conds[this.conds.length - 1];
    const evalCond = (): boolean => {
      switch (name) {
        case '.if': case '.ifne': case '.elseif': return (this.constExpr(args, col, loc) ?? 0n) !== 0n;
        case '.ifeq': return (this.constExpr(args, col, loc) ?? 1n) === 0n;
        case '.ifgt': return (this.constExpr(args, col, loc) ?? 0n) > 0n;
        case '.ifge': return (this.constExpr(args, col, loc) ?? -1n) >= 0n;
        case '.iflt': return (this.constExpr(args, col, loc) ?? 0n) < 0n;
        case '.ifle': return (this.constExpr(args, col, loc) ?? 1n) <= 0n;
        case '.ifdef': case '.ifndef': case '.ifnotdef': {
          const s = args.trim();
          if (!isIdent(s)) { this.error(loc, col, `${name} needs a symbol name`); return false; }
          const v = this.pick(this.syms.get(s), this.defCounter, 'b');
          return name === '.ifdef' ? !!v : !v;
        }
        case '.ifb': return args.trim() === '';
        case '.ifnb': return args.trim() !== '';
        case '.ifc': case '.ifnc': case '.ifeqs': case '.ifnes': {
          const parts = splitArgs(args, col);
          if (parts.length !== 2) { this.error(loc, col, `${name} needs two strings separated by a comma`); return false; }
          const unq = (s: string) => (/^".*"$/.test(s) ? s.slice(1, -1) : s);
          const eq = unq(parts[0]!.text) === unq(parts[1]!.text);
          return name === '.ifc' || name === '.ifeqs' ? eq : !eq;
        }
      }
      return false;
    };
    if (name.startsWith('.if')) {
      const parent = this.active();
      const v = parent ? evalCond() : false;
      this.conds.push({ active: parent && v, taken: v, parent, sawElse: false, loc, col: st.opCol });
      return true;
    }
    if (name === '.elseif') {
      if (!top) { this.error(loc, st.opCol, '.elseif without .if'); return true; }
      if (top.sawElse) { this.error(loc, st.opCol, '.elseif after .else'); return true; }
      if (top.parent && !top.taken) { const v = evalCond(); top.active = v; top.taken = v; } else top.active = false;
      return true;
    }
    if (name === '.else') {
      if (!top) { this.error(loc, st.opCol, '.else without .if'); return true; }
      if (top.sawElse) { this.error(loc, st.opCol, 'a second .else for the same .if'); return true; }
      top.sawElse = true;
      top.active = top.parent && !top.taken;
      top.taken = true;
      return true;
    }
    if (name === '.endif') {
      if (!top) { this.error(loc, st.opCol, '.endif without .if'); return true; }
      this.conds.pop();
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- statements
  private processLine(l: Line) {
    const loc = this.locOf(l);
    this.curList = l.list;
    const pieces = splitStatements(l.code);
    for (let k = 0; k < pieces.length; k++) {
      const piece = pieces[k]!;
      const st = parseStatement(piece.text, piece.col);
      const op = st.op?.toLowerCase();
      if (op && COND_DIRECTIVES.has(op) && this.condDirective(op, st, loc)) continue;
      if (!this.active()) continue;
      const frames = this.frames.length;
      const consumed = this.statement(st, l, loc);
      if (this.stopped) return;
      if (consumed === 'rest') {
        // a macro call: the statements after it on the line run after its expansion
        const next = pieces[k + 1];
        if (next && this.frames.length > frames && this.frames[this.frames.length - 1]!.kind === 'macro') {
          const code = l.code.slice(0, next.col).replace(/[^\t]/g, ' ') + l.code.slice(next.col);
          this.frames.splice(frames, 0, { kind: 'rept', lines: [{ ...l, code, problems: [] }], i: 0 });
        }
        return;
      }
    }
  }

  private statement(st: Statement, l: Line, loc: Loc): 'rest' | void {
    for (const lab of st.labels) this.defineLabel(lab.name, lab.col, loc);
    if (st.assign) {
      this.setSymbol(st.assign.name, st.assign.expr, st.assign.col, st.assign.exprCol, loc, 'set');
      return;
    }
    if (!st.op) return;
    if (!/^[A-Za-z_.$]/.test(st.op)) { this.error(loc, st.opCol, `expected a label, instruction or directive, found '${st.op}'`); return; }
    const op = st.op.toLowerCase();
    const req = /^\.req\s+(\S+)$/i.exec(st.args);
    if (req) {
      const r = this.aliases.get(req[1]!.toLowerCase()) ?? req[1]!;
      if (parseRegName(r) === undefined) this.error(loc, st.argsCol + 5, `.req needs a register, found '${req[1]}'`);
      else this.aliases.set(op, r);
      return;
    }
    const macro = this.macros.get(op);
    if (macro) { this.expandMacro(macro, st, l, loc); return 'rest'; }
    if (op.startsWith('.') && !/^\.inst(\.[nw])?$/.test(op)) return this.directive(op, st, l, loc);
    this.instruction(st, l, loc);
  }

  // ---------------------------------------------------------------- instructions
  private itSlot(): ItSlot {
    return inIT(this.its) ? { inIT: true, cond: itCond(this.its), last: lastInIT(this.its) } : { inIT: false, cond: 14, last: false };
  }

  private instruction(st: Statement, l: Line, loc: Loc) {
    const mn = st.op!;
    if (this.cur.kind === 'bss') { this.error(loc, st.opCol, `instructions are not allowed in the .bss section '${this.cur.name}'`); return; }
    if (/^\.inst/i.test(mn)) { this.instDirective(mn.toLowerCase(), st, l, loc); return; }
    if (this.aliases.size) st = { ...st, args: this.unalias(st.args) };
    const lit = LDR_LIT_RE.exec(mn);
    const m = lit ? /^\s*([A-Za-z][A-Za-z0-9]*)\s*,\s*=/.exec(st.args) : null;
    if (lit && m) { this.ldrLiteral(mn, lit[1] ?? '', lit[2]?.slice(1).toLowerCase(), m, st, l, loc); return; }
    this.addInsn(mn, st.args, st.opCol, st.argsCol, l, loc);
  }

  /** Replace register aliases in operand text (the replacement is padded to keep the columns when it is shorter). */
  private unalias(text: string): string {
    return text.replace(/(^|[^A-Za-z0-9_.$'])([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_.$])/g, (m, pre: string, name: string) => {
      const r = this.aliases.get(name.toLowerCase());
      return r === undefined ? m : pre + r + ' '.repeat(Math.max(0, name.length - r.length));
    });
  }

  private addInsn(mn: string, ops: string, opCol: number, opsCol: number, l: Line, loc: Loc, extra: { errCol?: number; lit?: { col: number; label: string }; relaxLabel?: string } = {}) {
    const sec = this.cur;
    const slot = this.itSlot();
    const ctx = this.ctx();
    const address = this.provBase(sec) + sec.pOff;
    const arch = this.arch;
    const width = /\.([wn])$/i.exec(mn)?.[1]?.toLowerCase();
    const probe = encodeInstruction(mn, ops, { address, evaluate: () => ({ value: 0, known: false }), it: slot, arch });
    let relax: Relax | null = null;
    let size: number;
    if (probe.ok) {
      let nonConst = false;
      const real = encodeInstruction(mn, ops, {
        address, it: slot, arch,
        evaluate: (text) => {
          const node = this.parse(text);
          if (node instanceof ExprError) { nonConst = true; return { value: 0, known: false }; }
          try {
            const v = evalExpr(node, this.resolver(ctx, this.parseLabelVal, true));
            const c = this.constOf(v);
            if (c === undefined) nonConst = true;
            return { value: Number(v.n), known: v.known };
          } catch { nonConst = true; return { value: 0, known: false }; }
        },
      });
      size = real.ok ? real.size : probe.size;
      if (!width && probe.size === 2 && arch !== 'v6m') {
        const kinds = entryKinds(probe.entry);
        const base = mn.toLowerCase();
        const target = (text: string): Node | null => {
          const n = this.parse(text.trim());
          return n instanceof ExprError ? null : n;
        };
        const afterComma = (s: string) => s.slice(s.indexOf(',') + 1);
        if (kinds.has('b8') || kinds.has('b11')) {
          const node = target(ops);
          if (node) relax = { t: 'branch', bits: kinds.has('b8') ? 8 : 11, node };
        } else if (/^adr/.test(base) && kinds.has('adr8')) {
          const node = target(afterComma(ops));
          if (node) relax = { t: 'adr', node };
        } else if (kinds.has('lit8') && !ops.includes('[')) {
          const node = extra.relaxLabel ? ({ k: 'sym', name: extra.relaxLabel, pos: 0 } as Node) : target(afterComma(ops));
          if (node) relax = { t: 'adr', node };
        } else if (RELAX_IMM.has(probe.entry.def.id)) {
          relax = { t: 'fixed', size: nonConst || !real.ok ? 4 : real.size };
        }
      }
    } else {
      size = width === 'w' ? 4 : 2;
    }
    const item: InsnItem = {
      k: 'insn', mn, ops, opCol, opsCol, it: slot, arch, ctx, loc, relax, frozen: false, list: l.list,
      adr: /^adr/i.test(mn), size: relax ? 2 : size, lit: extra.lit, errCol: extra.errCol,
    };
    sec.gasAlign = Math.max(sec.gasAlign, 2);
    this.push(item, l.list, relax !== null);
    // IT state: advance through the block; an IT instruction opens one
    if (slot.inIT) this.its = itAdvance(this.its);
    if (probe.ok && probe.itBlock && !slot.inIT) {
      this.its = ((probe.itBlock.firstcond << 4) | probe.itBlock.mask) & 0xff;
      this.itLoc = { loc, col: opCol };
    }
  }

  private ldrLiteral(mn: string, cond: string, width: string | undefined, m: RegExpExecArray, st: Statement, l: Line, loc: Loc) {
    const rt = m[1]!;
    const eqIdx = st.args.indexOf('=', m[0].length - 1);
    const exprText = st.args.slice(eqIdx + 1);
    const exprCol = st.argsCol + eqIdx + 1 + (exprText.length - exprText.trimStart().length);
    const r = parseRegName(rt);
    if (r === undefined) { this.error(loc, st.argsCol, `expected a register before '=', found '${rt}'`); return; }
    if (!exprText.trim()) { this.error(loc, exprCol, "expected an expression after '='"); return; }
    const ev = this.evalNow(exprText.trim(), exprCol, loc);
    if (!ev) return;
    const c = this.constOf(ev.val);
    if (c !== undefined && (c >= 1n << 32n || c < -(1n << 31n))) {
      this.warn(loc, exprCol, `value 0x${BigInt.asUintN(64, c).toString(16)} truncated to 0x${u32(c).toString(16)}`);
    }
    if (c !== undefined && this.arch !== 'v6m' && r !== 13 && r !== 15 && width !== 'n') {
      const v = u32(c);
      let alt: [string, string] | undefined;
      if (encodeThumbImm(v) !== undefined) alt = [`mov${cond}.w`, `${rt}, #${v}`];
      else if (encodeThumbImm(~v >>> 0) !== undefined) alt = [`mvn${cond}.w`, `${rt}, #${~v >>> 0}`];
      else if (v <= 0xffff) alt = [`movw${cond}`, `${rt}, #${v}`];
      if (alt) { this.addInsn(alt[0], alt[1], st.opCol, st.argsCol, l, loc, { errCol: exprCol }); return; }
    }
    if (this.cur.kind === 'bss') { this.error(loc, st.opCol, 'instructions are not allowed in a .bss section'); return; }
    // a literal pool entry
    const s = this.cur;
    if (!s.pool) s.pool = { id: this.poolId++, entries: [] };
    const text = exprText.trim();
    const key = c !== undefined ? `c:${u32(c)}` : /(^|[^A-Za-z0-9_.$])(\.|[0-9]+[bf])(?![A-Za-z0-9_.$])/.test(text) ? undefined : `x:${text.replace(/\s+/g, '')}`;
    let entry = key ? s.pool.entries.find((e) => e.key === key) : undefined;
    if (!entry) {
      entry = { node: ev.node, ctx: this.ctx(), loc, col: exprCol, key, label: `$lit$${s.pool.id}$${s.pool.entries.length}` };
      s.pool.entries.push(entry);
    }
    this.addInsn(mn, `${rt}, ${entry.label}`, st.opCol, st.argsCol, l, loc, { errCol: exprCol, lit: { col: exprCol, label: entry.label }, relaxLabel: entry.label });
  }

  private placePool(list: ListRec) {
    const s = this.cur;
    const pool = s.pool;
    if (!pool || !pool.entries.length) return;
    this.pushAlign(2, 0, 0, list);
    const idx = s.items.length;
    pool.entries.forEach((e, k) => {
      const info = this.getSym(e.label);
      info.versions.push({ def: ++this.defCounter, loc: e.loc, label: { sec: s, idx, off: 4 * k, frag: s.frag, pOff: s.pOff + 4 * k } });
    });
    this.push({ k: 'pool', entries: pool.entries, size: 4 * pool.entries.length, list }, list);
    s.pool = null;
  }

  private instDirective(op: string, st: Statement, l: Line, loc: Loc) {
    const parts = splitArgs(st.args, st.argsCol);
    if (!parts.length) { this.error(loc, st.argsCol, `${op} needs a value`); return; }
    for (const p of parts) {
      const c = this.constExpr(p.text, p.col, loc, `the ${op} value`);
      if (c === undefined) continue;
      if (c < 0n || c > 0xffffffffn) { this.error(loc, p.col, `${op} value 0x${BigInt.asUintN(64, c).toString(16)} does not fit in 32 bits`); continue; }
      const v = Number(c);
      let size: 2 | 4;
      if (op === '.inst.n') {
        if (v > 0xffff) { this.error(loc, p.col, `.inst.n value 0x${v.toString(16)} does not fit in 16 bits: use .inst.w`); continue; }
        size = 2;
      } else if (op === '.inst.w') size = 4;
      else if (v > 0xffff) size = 4;
      else if ((v & 0xf800) >= 0xe800) {
        this.error(loc, p.col, `cannot tell the size of the Thumb instruction 0x${v.toString(16)} (a 32-bit prefix): use .inst.n or .inst.w`);
        continue;
      } else size = 2;
      const bytes = size === 2 ? [v & 0xff, (v >>> 8) & 0xff] : [(v >>> 16) & 0xff, (v >>> 24) & 0xff, v & 0xff, (v >>> 8) & 0xff];
      this.pushFixed(bytes, l.list);
      this.cur.gasAlign = Math.max(this.cur.gasAlign, 2);
      if (inIT(this.its)) this.its = itAdvance(this.its);
    }
  }

  // ---------------------------------------------------------------- symbols: .set / .equ / =
  private setSymbol(name: string, exprText: string, col: number, exprCol: number, loc: Loc, how: 'set' | 'equiv') {
    if (!isIdent(name) || name === '.') { this.error(loc, col, `'${name}' is not a symbol name`); return; }
    const info = this.getSym(name);
    const lab = info.versions.find((v) => v.label);
    if (lab) { this.error(loc, col, `symbol '${name}' is already defined as a label at line ${lab.loc.line}`); return; }
    if (how === 'equiv' && info.versions.length) { this.error(loc, col, `symbol '${name}' is already defined at line ${info.versions[0]!.loc.line} (.equiv does not redefine)`); return; }
    if (!exprText.trim()) { this.error(loc, exprCol, `expected an expression for '${name}'`); return; }
    const ctx = this.ctx();
    const r = this.evalNow(exprText, exprCol, loc, ctx);
    if (!r) return;
    const c = this.constOf(r.val);
    const v: SymVersion = { def: ++this.defCounter, loc };
    if (c !== undefined && r.val.lin!.size === 0) v.value = c;
    else v.lazy = { node: r.node, ctx, col: exprCol };
    info.versions.push(v);
  }

  // ---------------------------------------------------------------- directives
  private directive(op: string, st: Statement, l: Line, loc: Loc): 'rest' | void {
    const args = st.args;
    const col = st.argsCol;
    const list = l.list;
    const parts = () => splitArgs(args, col);
    const noArgs = () => { if (args.trim()) this.warn(loc, col, `${op} takes no arguments; '${args.trim()}' ignored`); };
    switch (op) {
      // ---- sections
      case '.text': case '.data': case '.bss':
        this.switchTo(this.section(op));
        return;
      case '.section': case '.pushsection': {
        const ps = parts();
        if (!ps.length || !ps[0]!.text) { this.error(loc, col, `${op} needs a section name`); return; }
        let name = ps[0]!.text;
        if (/^".*"$/.test(name)) name = name.slice(1, -1);
        if (!/^[A-Za-z_.$][A-Za-z0-9_.$-]*$/.test(name)) { this.error(loc, ps[0]!.col, `bad section name '${name}'`); return; }
        const flags = ps[1]?.text.replace(/"/g, '');
        const type = ps[2]?.text;
        if (op === '.pushsection') this.sectionStack.push(this.cur);
        this.switchTo(this.section(name, flags, type));
        return;
      }
      case '.popsection': {
        const s = this.sectionStack.pop();
        if (!s) { this.error(loc, st.opCol, '.popsection without .pushsection'); return; }
        this.switchTo(s);
        return;
      }
      case '.previous':
        if (this.prevSection) this.switchTo(this.prevSection);
        return;

      // ---- data
      case '.word': case '.long': case '.int': case '.4byte':
        return this.data(4, st, list, loc);
      case '.short': case '.hword': case '.2byte':
        return this.data(2, st, list, loc);
      case '.byte':
        return this.data(1, st, list, loc);
      case '.quad': case '.8byte':
        return this.data(8, st, list, loc);
      case '.float': case '.single': case '.double':
        return this.floats(op === '.double' ? 8 : 4, st, list, loc);
      case '.ascii': case '.asciz': case '.string':
        return this.strings(op !== '.ascii', st, list, loc);
      case '.space': case '.skip': case '.zero': {
        const ps = parts();
        if (!ps.length) { this.error(loc, col, `${op} needs a size`); return; }
        if (ps.length > (op === '.zero' ? 1 : 2)) { this.error(loc, ps[op === '.zero' ? 1 : 2]!.col, `too many arguments for ${op}`); return; }
        const n = this.constExpr(ps[0]!.text, ps[0]!.col, loc, 'the size');
        const fill = ps[1] ? this.constExpr(ps[1].text, ps[1].col, loc, 'the fill value') : 0n;
        if (n === undefined || fill === undefined) return;
        if (n < 0n) { this.error(loc, ps[0]!.col, `${op} size ${n} is negative`); return; }
        if (n > 1n << 28n) { this.error(loc, ps[0]!.col, `${op} size ${n} is too big`); return; }
        if (this.cur.kind === 'bss' && (fill & 0xffn) !== 0n) { this.error(loc, ps[1]!.col, 'a .bss section holds only zeros'); return; }
        this.pushFixed(new Uint8Array(Number(n)).fill(Number(fill & 0xffn)), list);
        return;
      }
      case '.fill': {
        const ps = parts();
        if (!ps.length || ps.length > 3) { this.error(loc, col, '.fill takes repeat[, size[, value]]'); return; }
        const rep = this.constExpr(ps[0]!.text, ps[0]!.col, loc, 'the repeat count');
        const size = ps[1] && ps[1].text ? this.constExpr(ps[1].text, ps[1].col, loc, 'the size') : 1n;
        const value = ps[2] ? this.constExpr(ps[2].text, ps[2].col, loc, 'the value') : 0n;
        if (rep === undefined || size === undefined || value === undefined) return;
        if (rep < 0n || rep > 1n << 26n) { this.error(loc, ps[0]!.col, `.fill repeat count ${rep} out of range`); return; }
        if (size < 0n || size > 8n) { this.error(loc, ps[1]!.col, `.fill size ${size} out of range 0-8`); return; }
        if (this.cur.kind === 'bss' && value !== 0n) { this.error(loc, ps[2]!.col, 'a .bss section holds only zeros'); return; }
        const sz = Number(size);
        const out = new Uint8Array(Number(rep) * sz);
        const v = BigInt.asUintN(32, value);
        for (let i = 0; i < out.length; i++) { const b = i % sz; out[i] = b < 4 ? Number((v >> BigInt(8 * b)) & 0xffn) : 0; }
        this.pushFixed(out, list);
        return;
      }

      case '.org': {
        const ps = parts();
        if (!ps.length || ps.length > 2) { this.error(loc, col, '.org takes an offset and an optional fill byte'); return; }
        const t = this.constExpr(ps[0]!.text, ps[0]!.col, loc, 'the .org offset');
        const fill = ps[1] ? this.constExpr(ps[1].text, ps[1].col, loc, 'the fill value') : 0n;
        if (t === undefined || fill === undefined) return;
        if (t < 0n || t > 1n << 28n) { this.error(loc, ps[0]!.col, `.org offset ${t} out of range`); return; }
        if (this.cur.kind === 'bss' && (fill & 0xffn) !== 0n) { this.error(loc, ps[1]!.col, 'a .bss section holds only zeros'); return; }
        const item: OrgItem = { k: 'org', target: Number(t), fill: Number(fill & 0xffn), loc, col: ps[0]!.col, size: 0, list };
        item.size = Math.max(0, item.target - this.cur.pOff);
        this.push(item, list, true);
        return;
      }

      // ---- alignment
      case '.align': case '.p2align': case '.balign': {
        const ps = parts();
        let pow: number;
        if (!ps.length || !ps[0]!.text) {
          if (op !== '.align') { this.error(loc, col, `${op} needs an alignment`); return; }
          pow = 2;
        } else {
          const v = this.constExpr(ps[0]!.text, ps[0]!.col, loc, 'the alignment');
          if (v === undefined) return;
          if (op === '.balign') {
            if (v < 1n || (v & (v - 1n)) !== 0n || v > 1n << 28n) { this.error(loc, ps[0]!.col, `.balign ${v}: the alignment must be a power of 2`); return; }
            pow = Number(v).toString(2).length - 1;
          } else {
            if (v < 0n || v > 28n) { this.error(loc, ps[0]!.col, `alignment ${v} out of range 0-28 (a power of 2)`); return; }
            pow = Number(v);
          }
        }
        let fill: number | null = this.cur.code ? null : 0;
        if (ps[1] && ps[1].text) {
          const f = this.constExpr(ps[1].text, ps[1].col, loc, 'the fill value');
          if (f === undefined) return;
          fill = Number(f & 0xffn);
          if (this.cur.kind === 'bss' && fill !== 0) { this.error(loc, ps[1].col, 'a .bss section holds only zeros'); return; }
        }
        let max = 0;
        if (ps[2] && ps[2].text) {
          const m = this.constExpr(ps[2].text, ps[2].col, loc, 'the maximum');
          if (m === undefined) return;
          max = Number(m);
        }
        if (ps.length > 3) { this.error(loc, ps[3]!.col, `too many arguments for ${op}`); return; }
        this.pushAlign(pow, fill, max, list);
        return;
      }

      // ---- symbols
      case '.equ': case '.set': case '.equiv': case '.eqv': {
        const ps = parts();
        if (ps.length < 2) { this.error(loc, col, `${op} needs a symbol and an expression: ${op} name, expr`); return; }
        const exprText = args.slice(ps[1]!.col - col);
        this.setSymbol(ps[0]!.text, exprText.trim(), ps[0]!.col, ps[1]!.col, loc, op === '.equiv' ? 'equiv' : 'set');
        return;
      }
      case '.global': case '.globl': case '.weak': case '.local': case '.hidden': case '.protected': case '.internal': {
        const ps = parts();
        if (!ps.length) { this.error(loc, col, `${op} needs a symbol name`); return; }
        for (const p of ps) {
          if (!isIdent(p.text)) { this.error(loc, p.col, `'${p.text}' is not a symbol name`); continue; }
          const s = this.getSym(p.text);
          if (op === '.global' || op === '.globl' || op === '.weak') s.global = true;
          if (op === '.weak') s.weak = true;
          if (op === '.hidden' || op === '.protected' || op === '.internal') s.hidden = true;
          if (op === '.local') s.global = false;
        }
        return;
      }
      case '.type': {
        const ps = parts();
        if (ps.length !== 2 || !isIdent(ps[0]!.text)) { this.error(loc, col, '.type needs a symbol and a type: .type name, %function'); return; }
        const t = ps[1]!.text.replace(/^[%@#]/, '').replace(/^"(.*)"$/, '$1').toLowerCase();
        const s = this.getSym(ps[0]!.text);
        if (t === 'function' || t === 'stt_func') { s.type = 'function'; s.funcAt ??= ++this.defCounter; }
        else if (t === 'object' || t === 'stt_object') s.type = 'object';
        else if (['notype', 'stt_notype', 'tls_object', 'common', 'gnu_unique_object', 'gnu_indirect_function'].includes(t)) { /* accepted, no effect */ }
        else this.error(loc, ps[1]!.col, `unknown symbol type '${ps[1]!.text}' (expected %function or %object)`);
        return;
      }
      case '.size': {
        const ps = parts();
        if (ps.length !== 2 || !isIdent(ps[0]!.text)) { this.error(loc, col, '.size needs a symbol and an expression: .size name, expr'); return; }
        const node = this.parse(ps[1]!.text);
        if (node instanceof ExprError) { this.error(loc, ps[1]!.col + node.pos, node.message); return; }
        this.getSym(ps[0]!.text).size = { node, ctx: this.ctx(), loc, col: ps[1]!.col, nameCol: ps[0]!.col };
        return;
      }
      case '.thumb_func':
        noArgs();
        this.thumbFuncNext = true;
        return;
      case '.comm': case '.lcomm': {
        const ps = parts();
        if (ps.length < 2 || !isIdent(ps[0]!.text)) { this.error(loc, col, `${op} needs a symbol and a size: ${op} name, size[, align]`); return; }
        const size = this.constExpr(ps[1]!.text, ps[1]!.col, loc, 'the size');
        const al = ps[2] ? this.constExpr(ps[2].text, ps[2].col, loc, 'the alignment') : 4n;
        if (size === undefined || al === undefined) return;
        if (al < 1n || (al & (al - 1n)) !== 0n) { this.error(loc, ps[2]!.col, 'the alignment must be a power of 2'); return; }
        const saved = this.cur;
        this.cur = this.section('.bss');
        this.pushAlign(Number(al).toString(2).length - 1, 0, 0, list);
        this.defineLabel(ps[0]!.text, ps[0]!.col, loc);
        const s = this.getSym(ps[0]!.text);
        if (op === '.comm') s.global = true;
        s.type ??= 'object';
        this.pushFixed(new Uint8Array(Number(size)), list);
        this.cur = saved;
        return;
      }

      // ---- mode and target
      case '.thumb': case '.force_thumb':
        noArgs();
        return;
      case '.code': {
        const v = args.trim();
        if (v === '16') return;
        if (v === '32') { this.error(loc, col, '.code 32 (ARM state) is not supported: this assembler is Thumb-only (use .code 16 / .thumb)'); return; }
        this.error(loc, col, `.code needs 16 (Thumb) or 32 (ARM), found '${v}'`);
        return;
      }
      case '.arm':
        this.error(loc, st.opCol, '.arm is not supported: this assembler is Thumb-only (ARMv6-M/ARMv7-M have no ARM state)');
        return;
      case '.syntax': {
        const v = args.trim().toLowerCase();
        if (v === 'unified') return;
        if (v === 'divided') { this.error(loc, col, '.syntax divided is not supported: only unified syntax'); return; }
        this.error(loc, col, `.syntax needs 'unified', found '${args.trim()}'`);
        return;
      }
      case '.cpu': case '.arch': {
        const v = args.trim().toLowerCase();
        const a = op === '.cpu' ? CPU_ARCH[v] : ARCH_NAMES[v];
        if (!a) {
          const known = Object.keys(op === '.cpu' ? CPU_ARCH : ARCH_NAMES).join(', ');
          this.error(loc, col, `unknown ${op === '.cpu' ? 'cpu' : 'architecture'} '${args.trim()}' (known: ${known})`);
          return;
        }
        this.arch = a;
        return;
      }
      case '.fpu': case '.eabi_attribute': case '.file': case '.ident': case '.arch_extension': case '.object_arch':
      case '.loc': case '.addrsig': case '.addrsig_sym': case '.personality': case '.personalityindex': case '.fnstart':
      case '.fnend': case '.cantunwind': case '.save': case '.setfp': case '.pad': case '.vsave': case '.movsp':
      case '.handlerdata': case '.unwind_raw': case '.tlsdescseq':
        return;
      case '.ltorg': case '.pool':
        noArgs();
        this.placePool(list);
        return;

      // ---- macros, repetition
      case '.macro': return this.defineMacro(st, l, loc);
      case '.endm': this.error(loc, st.opCol, '.endm without .macro'); return;
      case '.exitm': {
        const idx = this.frames.map((f) => f.kind).lastIndexOf('macro');
        if (idx < 0) { this.error(loc, st.opCol, '.exitm outside a macro'); return; }
        this.frames.length = idx;
        return 'rest';
      }
      case '.unreq': {
        const n = args.trim().toLowerCase();
        if (!this.aliases.delete(n)) this.error(loc, col, `'${args.trim()}' is not a register alias`);
        return;
      }
      case '.purgem': {
        const n = args.trim().toLowerCase();
        if (!this.macros.delete(n)) this.error(loc, col, `no macro named '${args.trim()}'`);
        return;
      }
      case '.rept': case '.irp': case '.irpc': return this.repeat(op, st, l, loc);
      case '.endr': this.error(loc, st.opCol, '.endr without .rept, .irp or .irpc'); return;

      // ---- messages, end
      case '.error': case '.err': case '.warning': case '.print': {
        let msg = args.trim();
        if (/^"/.test(msg)) {
          const s = readString(msg, 0);
          msg = 'error' in s ? msg : String.fromCharCode(...s.bytes);
        }
        if (op === '.warning') this.warn(loc, st.opCol, msg || '.warning directive');
        else if (op === '.print') { /* nothing to print to */ }
        else this.error(loc, st.opCol, msg || '.err directive');
        return;
      }
      case '.end':
        this.stopped = true;
        return 'rest';
      case '.include': case '.incbin':
        this.error(loc, st.opCol, `${op} is not supported (the assembler reads a single source text)`);
        return;
    }
    if (op.startsWith('.cfi_')) return;
    this.error(loc, st.opCol, `unknown directive '${st.op}'`);
  }

  private data(width: 1 | 2 | 4 | 8, st: Statement, list: ListRec, loc: Loc) {
    const ps = splitArgs(st.args, st.argsCol);
    if (!ps.length) { this.error(loc, st.argsCol, `${st.op} needs at least one value`); return; }
    for (const p of ps) {
      if (!p.text) { this.error(loc, p.col, 'missing value between commas'); continue; }
      const ctx = this.ctx();
      const r = this.evalNow(p.text, p.col, loc, ctx);
      if (!r) continue;
      const c = this.constOf(r.val);
      if (this.cur.kind === 'bss' && c !== 0n) { this.error(loc, p.col, `a .bss section holds only zeros: use .space (value '${p.text}')`); continue; }
      if (c !== undefined && (r.val.lin!.size === 0)) {
        this.pushFixed(this.dataBytes(c, width, loc, p.col), list);
      } else {
        this.push({ k: 'data', node: r.node, ctx, loc, col: p.col, size: width, list }, list);
      }
    }
  }
  private dataBytes(v: bigint, width: number, loc: Loc, col: number): Uint8Array {
    const bits = BigInt(8 * width);
    if (width < 8 && (v >= 1n << bits || v < -(1n << (bits - 1n)))) {
      this.warn(loc, col, `value 0x${BigInt.asUintN(64, v).toString(16)} truncated to 0x${BigInt.asUintN(Number(bits), v).toString(16)}`);
    }
    const u = BigInt.asUintN(Number(bits), v);
    const out = new Uint8Array(width);
    for (let i = 0; i < width; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
    return out;
  }
  private floats(width: 4 | 8, st: Statement, list: ListRec, loc: Loc) {
    const ps = splitArgs(st.args, st.argsCol);
    if (!ps.length) { this.error(loc, st.argsCol, `${st.op} needs at least one value`); return; }
    for (const p of ps) {
      const t = p.text.replace(/^0[fFdDeE]/, '');
      const v = Number(t);
      if (!t || Number.isNaN(v) && !/^[-+]?nan$/i.test(t)) { this.error(loc, p.col, `bad floating-point number '${p.text}'`); continue; }
      const b = new Uint8Array(width);
      const dv = new DataView(b.buffer);
      if (width === 4) dv.setFloat32(0, v, true); else dv.setFloat64(0, v, true);
      if (this.cur.kind === 'bss' && b.some((x) => x)) { this.error(loc, p.col, 'a .bss section holds only zeros'); continue; }
      this.pushFixed(b, list);
    }
  }
  private strings(zero: boolean, st: Statement, list: ListRec, loc: Loc) {
    const text = st.args;
    let i = 0;
    let any = false;
    while (i < text.length) {
      const c = text[i]!;
      if (c === ' ' || c === '\t' || c === ',') { i++; continue; }
      if (c !== '"') { this.error(loc, st.argsCol + i, `expected a string in double quotes, found '${text.slice(i).split(/[\s,]/)[0]}'`); return; }
      const s = readString(text, i);
      if ('error' in s) { this.error(loc, st.argsCol + i, s.error); return; }
      if (zero) s.bytes.push(0);
      if (this.cur.kind === 'bss' && s.bytes.some((x) => x)) { this.error(loc, st.argsCol + i, 'a .bss section holds only zeros'); return; }
      this.pushFixed(s.bytes, list);
      any = true;
      i = s.next;
    }
    if (!any) this.error(loc, st.argsCol, `${st.op} needs a string`);
  }

  // ---------------------------------------------------------------- macros and repetition
  /** Lines of a block up to its end directive (nesting counted); null when the file ends first. */
  private collect(start: RegExp, end: RegExp): { body: SrcLine[]; endList: ListRec | null } | null {
    const f = this.curFrame!;
    const body: SrcLine[] = [];
    let depth = 0;
    while (f.i < f.lines.length) {
      const raw = f.lines[f.i++]!;
      let endList: ListRec | null = null;
      if (f.kind === 'file') endList = this.fileLine(raw as SrcLine).list;
      else endList = (raw as Line).list ?? null;
      const first = parseStatement(splitStatements(raw.code)[0]!.text, 0);
      const op = first.op?.toLowerCase() ?? '';
      if (start.test(op)) depth++;
      else if (end.test(op)) {
        if (depth === 0) return { body, endList };
        depth--;
      }
      body.push(raw);
    }
    return null;
  }

  private defineMacro(st: Statement, l: Line, loc: Loc) {
    const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,?\s*(.*)$/.exec(st.args.trim());
    const blk = this.collect(/^\.macro$/, /^\.endm$/);
    if (!blk) { this.error(loc, st.opCol, "unterminated .macro: missing '.endm'"); return; }
    if (!m) { this.error(loc, st.argsCol, '.macro needs a name'); return; }
    const name = m[1]!.toLowerCase();
    const params: Macro['params'] = [];
    const spec = m[2]!.replace(/\s*=\s*/g, '=').trim();
    if (spec) {
      for (const p of spec.split(/[\s,]+/)) {
        const pm = /^([A-Za-z_.$][A-Za-z0-9_.$]*)(?::(req|vararg))?(?:=(.*))?$/.exec(p);
        if (!pm) { this.error(loc, st.argsCol + st.args.indexOf(p), `bad macro parameter '${p}'`); return; }
        params.push({ name: pm[1]!, def: pm[3], req: pm[2] === 'req', vararg: pm[2] === 'vararg' });
      }
    }
    if (this.macros.has(name)) this.warn(loc, st.argsCol, `macro '${m[1]}' redefined`);
    this.macros.set(name, { name: m[1]!, params, body: blk.body, line: l.line });
  }

  private expandMacro(mac: Macro, st: Statement, l: Line, loc: Loc) {
    if (this.frames.filter((f) => f.kind === 'macro').length > 100) {
      this.error(loc, st.opCol, `macro '${mac.name}' nested more than 100 deep: is it recursive?`);
      return;
    }
    // arguments: split at commas; a single piece with blanks is split at blanks
    let raw = splitArgs(st.args, st.argsCol);
    if (raw.length === 1 && mac.params.length > 1 && /\s/.test(raw[0]!.text) && !/["'(]/.test(raw[0]!.text)) {
      const out: { text: string; col: number }[] = [];
      const re = /\S+/g;
      let mm: RegExpExecArray | null;
      while ((mm = re.exec(raw[0]!.text))) out.push({ text: mm[0], col: raw[0]!.col + mm.index });
      raw = out;
    }
    // a quoted argument is passed without its quotes (GNU as)
    raw = raw.map((a) => (/^"(?:[^"\\]|\\.)*"$/.test(a.text) ? { ...a, text: a.text.slice(1, -1) } : a));
    const values = new Map<string, string>();
    let pos = 0;
    for (let k = 0; k < raw.length; k++) {
      const a = raw[k]!;
      const kw = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(.*)$/.exec(a.text);
      if (kw && mac.params.some((p) => p.name === kw[1])) { values.set(kw[1]!, kw[2]!.trim()); continue; }
      const p = mac.params[pos];
      if (!p) { this.error(loc, a.col, `too many arguments for macro '${mac.name}' (it takes ${mac.params.length})`); return; }
      if (p.vararg) { values.set(p.name, raw.slice(k).map((x) => x.text).join(', ')); break; }
      values.set(p.name, a.text);
      pos++;
    }
    for (const p of mac.params) {
      if (!values.has(p.name) || values.get(p.name) === '') {
        if (p.req) { this.error(loc, st.argsCol, `macro '${mac.name}' needs a value for parameter '${p.name}'`); return; }
        values.set(p.name, p.def ?? '');
      }
    }
    const counter = String(this.macroCounter++);
    const note = `in macro '${mac.name}' called at line ${l.line}`;
    const lines: Line[] = mac.body.map((b) => {
      const code = substitute(b.code, values, counter);
      return { line: b.line, text: code, code, problems: [], list: l.list, note: l.note ?? note };
    });
    this.frames.push({ kind: 'macro', lines, i: 0 });
  }

  private repeat(op: string, st: Statement, l: Line, loc: Loc) {
    const blk = this.collect(/^\.(rept|irp|irpc)$/, /^\.endr$/);
    if (!blk) { this.error(loc, st.opCol, `unterminated ${op}: missing '.endr'`); return; }
    const list = this.curFrame!.kind === 'file' ? blk.endList ?? l.list : l.list;
    const mk = (b: SrcLine, code: string): Line => ({ line: b.line, text: l.note ? code : b.text, code, problems: [], list, note: l.note });
    const lines: Line[] = [];
    if (op === '.rept') {
      const n = this.constExpr(st.args, st.argsCol, loc, 'the repeat count');
      if (n === undefined) return;
      if (n < 0n || n > 1_000_000n) { this.error(loc, st.argsCol, `.rept count ${n} out of range 0-1000000`); return; }
      for (let k = 0n; k < n; k++) for (const b of blk.body) lines.push(mk(b, b.code));
    } else {
      const ps = splitArgs(st.args, st.argsCol);
      if (!ps.length || !isIdent(ps[0]!.text)) { this.error(loc, st.argsCol, `${op} needs a parameter name: ${op} name, values...`); return; }
      const name = ps[0]!.text;
      let vals: string[];
      if (op === '.irp') vals = ps.length > 1 ? ps.slice(1).map((p) => p.text) : [''];
      else {
        const s = ps.slice(1).map((p) => p.text).join(',');
        vals = s.length ? [...s.replace(/^"(.*)"$/, '$1')] : [''];
      }
      for (const v of vals) {
        const m = new Map([[name, v]]);
        for (const b of blk.body) lines.push(mk(b, substitute(b.code, m, String(this.macroCounter))));
      }
    }
    if (lines.length) this.frames.push({ kind: 'rept', lines, i: 0 });
  }

  // ---------------------------------------------------------------- relaxation, layout, emission
  private relaxSection(sec: Section) {
    const items = sec.items;
    const n = items.length;
    for (const it of items) if (it.k === 'insn' && it.relax && !it.frozen) it.size = 2;
    const offs = new Array<number>(n + 1);
    let a = 0;
    for (let i = 0; i < n; i++) {
      const it = items[i]!;
      offs[i] = a;
      if (it.k === 'align') it.size = alignPad(it, a);
      else if (it.k === 'org') it.size = Math.max(0, it.target - a);
      a += it.size;
    }
    offs[n] = a;
    for (let pass = 0; pass < 100000; pass++) {
      const prev = offs.slice();
      let stretch = 0;
      let changed = false;
      for (let i = 0; i < n; i++) {
        const it = items[i]!;
        const was = prev[i]!;
        const addr = was + stretch;
        offs[i] = addr;
        let growth = 0;
        if (it.k === 'org') {
          const ns = Math.max(0, it.target - addr);
          growth = ns - it.size;
          it.size = ns;
        } else if (it.k === 'align') {
          const ns = alignPad(it, addr);
          growth = ns - alignPad(it, was);
          it.size = ns;
        } else if (it.k === 'insn' && it.relax && !it.frozen) {
          const ns = this.relaxSize(it, it.relax, sec, i, addr, stretch, offs, prev);
          growth = ns - it.size;
          it.size = ns;
          if (stretch <= 0 && ns > 2) it.frozen = true;
        }
        if (growth) { stretch += growth; changed = true; }
      }
      offs[n] = prev[n]! + stretch;
      if (!changed) break;
    }
    // offsets from the final sizes
    a = 0;
    for (let i = 0; i < n; i++) { offs[i] = a; a += items[i]!.size; }
    offs[n] = a;
    sec.offs = offs;
    sec.size = a;
  }

  /** The size GNU as gives a relaxable instruction in one pass (tc-arm.c relax_branch / relax_adr). */
  private relaxSize(it: InsnItem, r: Relax, sec: Section, i: number, addr: number, stretch: number, offs: number[], prev: number[]): 2 | 4 {
    if (r.t === 'fixed') return r.size;
    const labelVal = (l: Label): bigint => {
      if (l.sec !== sec) return 0n;
      const j = l.idx;
      if (j <= i) return BigInt(offs[j]! + l.off);
      let s = stretch;
      if (s !== 0) {
        for (const k of sec.aligns) {
          if (k <= i) continue;
          if (k >= j) break;
          const al = 2 ** (sec.items[k] as AlignItem).pow;
          s = s < 0 ? -((-s) & ~(al - 1)) : s & ~(al - 1);
          if (s === 0) break;
        }
      }
      return BigInt(prev[j]! + l.off + s);
    };
    let v: Val<Label>;
    try { v = evalExpr(r.node, this.resolver(it.ctx, labelVal, false)); } catch { return 4; }
    if (!v.known || !v.lin || v.lin.size !== 1) return 4;
    const [[label, coef]] = [...v.lin];
    if (coef !== 1n || label!.sec !== sec) return 4;
    const target = Number(v.n);
    if (r.t === 'branch') {
      // GNU as: a global symbol might be preempted at link time, so the branch keeps a relocation (32 bits)
      const sym = label!.sym;
      if (sym && (sym.weak || (sym.global && !sym.hidden))) return 4;
      const off = target - (addr + 4);
      const limit = 2 ** r.bits;
      return off >= limit || off < -limit ? 4 : 2;
    }
    if (label!.sym?.type === 'function') return 4;
    if (target & 3) return 4;
    const off = target - ((addr + 4) & ~3);
    return off < 0 || off > 1020 ? 4 : 2;
  }

  private layout() {
    const secs = [...this.sections.values()].sort((a, b) => a.group - b.group || a.order - b.order);
    let cursor = this.opts.base ?? 0;
    for (const s of secs) {
      const fixed = this.opts.sectionAddresses?.[s.name];
      s.base = fixed !== undefined ? fixed >>> 0 : alignUp(cursor, s.align);
      cursor = s.base + s.size;
    }
  }

  private finish() {
    const errMark = this.errors.length;
    const warnMark = this.warnings.length;
    const seenMark = new Set(this.seen);
    for (let round = 0; round < 64; round++) {
      for (const s of this.sections.values()) this.relaxSection(s);
      this.layout();
      this.errors.length = errMark;
      this.warnings.length = warnMark;
      this.seen = new Set(seenMark);
      let grew = false;
      for (const s of this.sections.values()) {
        s.items.forEach((it, i) => { if (this.emit(s, it, i)) grew = true; });
      }
      if (!grew) break;
      if (round === 63) this.error(null, 0, 'internal: instruction sizes did not settle after 64 layouts');
    }
    // symbol sizes and equates with undefined parts are reported with the symbols
  }

  /** Produce an item's bytes; true when an instruction needs more room than it was given. */
  private emit(sec: Section, it: Item, i: number): boolean {
    const addr = sec.base + sec.offs[i]!;
    switch (it.k) {
      case 'fixed': it.bytes = it.data; return false;
      case 'align': it.bytes = alignBytes(it, addr); return false;
      case 'org':
        if (sec.offs[i]! > it.target) this.error(it.loc, it.col, `.org 0x${it.target.toString(16)} would move the location backwards (it is already 0x${sec.offs[i]!.toString(16)} in ${sec.name})`);
        it.bytes = new Uint8Array(it.size).fill(it.fill);
        return false;
      case 'data': {
        const v = this.evalFinal(it.node, it.ctx, it.loc, it.col);
        // only a word gets bit 0 (R_ARM_ABS32 is (S + A) | T; R_ARM_ABS16 and R_ARM_ABS8 are S + A)
        it.bytes = this.dataBytes(it.size === 4 ? this.thumbBit(v, it.ctx.asOf) : v.n, it.size, it.loc, it.col);
        return false;
      }
      case 'pool': {
        const out = new Uint8Array(it.size);
        it.entries.forEach((e, k) => {
          const v = this.evalFinal(e.node, e.ctx, e.loc, e.col);
          out.set(this.dataBytes(this.thumbBit(v, e.ctx.asOf), 4, e.loc, e.col), 4 * k);
        });
        it.bytes = out;
        return false;
      }
      case 'insn': return this.emitInsn(it, addr);
    }
  }

  private emitInsn(it: InsnItem, addr: number): boolean {
    const pending: { col: number; msg: string }[] = [];
    const evaluate = (text: string, col: number) => {
      const base = it.errCol ?? it.opsCol + col;
      const node = this.parse(text);
      if (node instanceof ExprError) { pending.push({ col: it.errCol ?? base + node.pos, msg: node.message }); return { value: 0, known: false }; }
      try {
        const v = evalExpr(node, this.resolver(it.ctx, this.finalLabelVal, false, (p, m) => pending.push({ col: it.errCol ?? base + p, msg: m })));
        return { value: Number(it.adr ? this.thumbBit(v, it.ctx.asOf) : v.n), known: v.known };
      } catch (e) {
        if (e instanceof ExprError) pending.push({ col: it.errCol ?? base + e.pos, msg: e.message });
        return { value: 0, known: false };
      }
    };
    const ctx = { address: addr, evaluate, it: it.it, arch: it.arch };
    let r: EncodedInstr | InstrError = encodeInstruction(it.mn, it.ops, it.size === 4 ? { ...ctx, minSize: 4 } : ctx);
    if (!r.ok && it.size === 4) {
      const narrow = encodeInstruction(it.mn, it.ops, ctx);
      if (narrow.ok && narrow.size === 4) r = narrow;
    }
    if (addr & 1) this.error(it.loc, it.opCol, `misaligned instruction at 0x${(addr >>> 0).toString(16)}: Thumb instructions must be halfword aligned (add .balign 2 before it)`);
    if (!r.ok) {
      this.reportInsnError(it, r, addr);
      it.bytes = new Uint8Array(it.size);
      return false;
    }
    for (const p of pending) this.error(it.loc, p.col, p.msg);
    if (r.size > it.size) {
      it.size = r.size;
      it.frozen = true;
      if (it.relax) it.relax = { t: 'fixed', size: 4 };
      it.bytes = r.bytes;
      return true;
    }
    it.bytes = r.size === it.size ? r.bytes : padInsn(r.bytes, it.size);
    return false;
  }

  private reportInsnError(it: InsnItem, r: InstrError, addr: number) {
    const col = r.col < 0 ? it.opCol : it.errCol ?? it.opsCol + r.col;
    let msg = r.message;
    if (it.lit && /out of range/.test(msg)) {
      const info = this.syms.get(it.lit.label);
      const l = info?.versions[0]?.label;
      const target = l ? l.sec.base + l.sec.offs[l.idx]! + l.off : 0;
      const off = target - ((addr + 4) & ~3);
      msg = `literal pool out of range: the literal is at 0x${target.toString(16)}, ${off} bytes from the ldr at 0x${addr.toString(16)} ` +
        `(limit ${it.size === 2 ? '1020 for a 16-bit ldr' : '4095'}): add a .ltorg closer to it`;
    }
    this.error(it.loc, col, msg);
  }

  // ---------------------------------------------------------------- result
  private result(): AsmResult {
    const secs = [...this.sections.values()].sort((a, b) => a.group - b.group || a.order - b.order);
    const used = secs.filter((s) => s.size > 0 || ['.text', '.data', '.bss'].includes(s.name) ||
      [...this.syms.values()].some((y) => y.versions.some((v) => v.label?.sec === s)));
    const sections: AsmSection[] = used.map((s) => {
      const bytes = new Uint8Array(s.size);
      if (s.kind !== 'bss') s.items.forEach((it, i) => { if (it.bytes) bytes.set(it.bytes.subarray(0, it.size), s.offs[i]!); });
      return { name: s.name, address: s.base >>> 0, bytes, kind: s.kind };
    });
    const symbols: AsmSymbol[] = [];
    for (const info of this.syms.values()) {
      if (INTERNAL.test(info.name) || !info.versions.length || /^\.L/.test(info.name)) continue;
      const v = info.versions[info.versions.length - 1]!;
      let value: number;
      let section: string | null = null;
      if (v.label) { value = Number(this.finalLabelVal(v.label)); section = v.label.sec.name; }
      else if (v.value !== undefined) value = u32(v.value);
      else {
        const val = this.evalFinal(v.lazy!.node, v.lazy!.ctx, v.loc, v.lazy!.col);
        value = u32(val.n);
        if (val.lin && val.lin.size === 1) {
          const [[l, c]] = [...val.lin];
          if (c === 1n) section = l!.sec.name;
        }
      }
      const sym: AsmSymbol = { name: info.name, value: value >>> 0, section, global: info.global, thumb: info.type === 'function' };
      if (info.type) sym.type = info.type;
      if (info.size) sym.size = u32(this.evalFinal(info.size.node, info.size.ctx, info.size.loc, info.size.col).n);
      symbols.push(sym);
    }
    for (const info of this.syms.values()) {
      if (info.size && !info.versions.length) this.error(info.size.loc, info.size.nameCol, `.size of undefined symbol '${info.name}'`);
    }
    const find = (n: string) => symbols.find((s) => s.name === n && s.section !== null);
    const text = sections.find((s) => s.name === '.text');
    const entry = find('_start')?.value ?? find('main')?.value ?? text?.address ?? sections[0]?.address;
    // listing
    const listing: ListingLine[] = [];
    for (const rec of this.recs) {
      let cur: ListingLine | null = null;
      let end = 0;
      let first = true;
      const flush = () => { if (cur) { listing.push(cur); first = false; } cur = null; };
      for (const { sec, item, idx } of rec.items) {
        const bytes = sec.kind === 'bss' ? new Uint8Array(item.size) : (item.bytes ?? new Uint8Array(item.size)).subarray(0, item.size);
        if (!bytes.length) continue;
        const addr = (sec.base + sec.offs[idx]!) >>> 0;
        const c = cur as ListingLine | null;
        if (c && c.section === sec.name && end === addr) {
          const merged = new Uint8Array(c.bytes.length + bytes.length);
          merged.set(c.bytes); merged.set(bytes, c.bytes.length);
          c.bytes = merged;
        } else {
          flush();
          cur = { line: rec.line, address: addr, bytes: Uint8Array.from(bytes), source: first ? rec.source : '', section: sec.name };
        }
        end = addr + bytes.length;
      }
      flush();
      if (first) listing.push({ line: rec.line, address: null, bytes: new Uint8Array(0), source: rec.source, section: rec.section });
    }
    const sortDiag = (a: AsmDiagnostic, b: AsmDiagnostic) => a.line - b.line || a.column - b.column;
    this.errors.sort(sortDiag);
    this.warnings.sort(sortDiag);
    return { ok: this.errors.length === 0, errors: this.errors, warnings: this.warnings, sections, symbols, entry, listing };
  }
}

// ------------------------------------------------------------------ helpers
function alignUp(v: number, a: number): number { return Math.ceil(v / a) * a; }

/** Padding an alignment item needs at section offset `at` (GNU as relax_align, with the maximum skip). */
function alignPad(it: AlignItem, at: number): number {
  const a = 2 ** it.pow;
  const pad = (a - (at % a)) % a;
  return it.max && pad > it.max ? 0 : pad;
}

/**
 * Padding bytes: the fill byte, or in code sections NOPs as GNU as writes them (arm_handle_align): a zero byte
 * to reach a halfword, then a 16-bit NOP if needed to reach a word, then 32-bit NOP.W (ARMv6-M: MOV r8, r8).
 */
function alignBytes(it: AlignItem, addr: number): Uint8Array {
  const out = new Uint8Array(it.size);
  if (it.fill !== null) { out.fill(it.fill); return out; }
  let i = 0;
  if (addr & 1 && i < out.length) out[i++] = 0;
  if (it.v6m) {
    while (i + 1 < out.length) { out[i++] = 0xc0; out[i++] = 0x46; }
    return out;
  }
  if ((addr + i) & 2 && i + 1 < out.length) { out[i++] = 0x00; out[i++] = 0xbf; }
  while (i + 3 < out.length) { out.set([0xaf, 0xf3, 0x00, 0x80], i); i += 4; }
  while (i + 1 < out.length) { out[i++] = 0x00; out[i++] = 0xbf; }
  return out;
}

function padInsn(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

/** Replace `\name` by macro argument values, `\@` by the expansion counter, and drop `\()`. */
function substitute(code: string, values: Map<string, string>, counter: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (c === '\\') {
      if (code[i + 1] === '@') { out += counter; i += 2; continue; }
      if (code[i + 1] === '(' && code[i + 2] === ')') { i += 3; continue; }
      const m = /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(code.slice(i + 1));
      if (m && values.has(m[0])) { out += values.get(m[0]); i += 1 + m[0].length; continue; }
      // a parameter followed by name characters GNU as would read as part of the name: try the longest prefix
      if (m) {
        let k = m[0].length;
        while (k > 0 && !values.has(m[0].slice(0, k))) k--;
        if (k > 0 && /[.$]/.test(m[0][k]!)) { out += values.get(m[0].slice(0, k)); i += 1 + k; continue; }
      }
    }
    out += c;
    i++;
  }
  return out;
}

/** Assemble a source text. Never throws for bad input: problems are in `errors` and `warnings`. */
export function assemble(source: string, options: AsmOptions = {}): AsmResult {
  return new Assembler(source, options).run();
}
