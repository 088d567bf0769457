/**
 * The execution engine: translates basic blocks of decoded Thumb instructions into JavaScript functions
 * (DESIGN.md decision 2) and runs them.
 *
 * A block starts at (pc, ITSTATE) and runs until an instruction that leaves it (a branch or PC write, an
 * exception-causing or state-changing instruction), an undecodable or unfetchable instruction, or MAX_BLOCK
 * instructions. IT blocks are resolved at translation time: each instruction's condition is known statically
 * from the ITSTATE the block started with. A block whose last instruction branches back to its own start runs as
 * a loop inside the function, bounded by the caller's instruction budget. Writes to pages that hold translated code
 * drop the cache.
 */
import { decode, is32, operandValue, type Decoded } from '../isa/table.js';
import { CpuState, itAdvance, inIT, lastInIT, itCond } from '../cpu/state.js';
import { CpuFault, Trap, undefinedInstruction } from '../cpu/exceptions.js';
import type { Bus } from '../mem/flat.js';
import { newFetchMemo, type FetchTiming } from '../mem/timing.js';
import type { FetchCheck } from '../sys/mpu.js';
import type { PipelineModel, PriceInput } from '../timing/pipeline.js';
import { NSTALL, STALL } from '../timing/clock.js';
import { condExpr, type GenCtx } from './gen.js';
import { GENERATORS } from '../cpu/index.js';
import { rt } from './runtime.js';

const MAX_BLOCK = 48;
const STORES = new Set(['st', 'st_reg', 'strd', 'stm', 'stex']);
/** instructions that trap (BKPT, SVC, UDF, WFI/WFE): the block ends after them, so it does not fetch code that never runs */
const TRAPS = new Set(['svc', 'bkpt', 'udf', 'wfx']);

interface BlockInfo {
  start: number;
  /** per instruction index: address, ITSTATE before it, instructions and cycles before it (in this pass) */
  addrs: number[];
  its: number[];
  before: number[];
  cyclesBefore: number[];
  /** static stall cycles by cause before each instruction (null where there are none) */
  stallsBefore: (number[] | null)[];
}

export interface Block {
  fn: (s: CpuState, m: Bus, budget: number) => void;
  /** instructions in one pass through the block */
  n: number;
  info: BlockInfo;
  /** the block is `b .`: a branch to itself with nothing else (a halt idiom) */
  selfLoop: boolean;
  /** static cycles of one pass (without taken-branch refills and run-time costs) */
  cycles: number;
  /** the pipeline state the block was translated for */
  entryState: number;
  /** the block ends with a BL or BLX (the profiler's call detection) */
  endsWithCall: boolean;
  /** size in bytes of the block's last instruction */
  lastSize: number;
  source: string;
  /**
   * The blocks looked up right after this one, most recent first (Engine.block's successor memo): the key (PC,
   * ITSTATE, pipeline state) and the block; null: none yet
   */
  s1: Block | null; s1pc: number; s1its: number; s1ps: number;
  s2: Block | null; s2pc: number; s2its: number; s2ps: number;
}

/** Undo the block's partial pass when an instruction throws: PC, ITSTATE and counters as at that instruction. */
function unwind(s: CpuState, info: BlockInfo): void {
  const ip = s.ip;
  s.pc = info.addrs[ip]!;
  s.itstate = info.its[ip]!;
  s.icount += info.before[ip]!;
  s.cycles += info.cyclesBefore[ip]!;
  const st = info.stallsBefore[ip];
  if (st) for (let i = 0; i < st.length; i++) s.stall[i] += st[i]!;
  s.ip = 0;
}

/** The code-window facts the engine asks the bus for at translation time. */
export interface CodeBus extends Bus {
  /** the fetch timing of the window holding address a (null: fetches cost nothing extra) */
  fetchTimingAt?(a: number): FetchTiming | null;
}

export class Engine {
  /** translations by entry pipeline state: [state 0 (after a branch) | others keyed state -> map] */
  private cache = new Map<number, Block>();
  private singles = new Map<number, Block>();
  private byState = new Map<number, Map<number, Block>>();
  /** the MPU's instruction-fetch check while the MPU is enabled (null otherwise); a change ends the successor memo */
  get fetchCheck(): FetchCheck | null { return this.check; }
  set fetchCheck(c: FetchCheck | null) { this.check = c; this.prev = null; }
  private check: FetchCheck | null = null;
  /** the pipeline model's runtime object, reached from blocks as `tm` */
  readonly tm: unknown;

  constructor(readonly s: CpuState, readonly bus: CodeBus, readonly model: PipelineModel) {
    bus.onCodeWrite = () => this.invalidate();
    this.tm = model.runtime({ clock: s, fetch16: (a) => bus.fetch16(a) });
  }

  /** Drop every translation (after a write to code): blocks are translated again, and marked again, on use. */
  invalidate(): void {
    this.prev = null; // the old blocks (and their successor memos) are never reached again
    this.cache.clear();
    this.singles.clear();
    this.byState.clear();
    this.bus.clearCodeMarks();
    this.s.codeChanged = 1;
  }

  /** the block of the last lookup (not single, MPU off), whose successor memo the next lookup checks first */
  private prev: Block | null = null;

  /**
   * The block for the current (pc, ITSTATE) and pipeline state, translating it on first use. The block looked up
   * before remembers its last two successors: most lookups are answered there, without hashing the key (a number
   * beyond 2^31 once the pipeline state is in it).
   */
  block(pc: number, itstate: number, single: boolean, ps = 0): Block {
    const p = this.prev;
    if (p !== null && !single) {
      if (p.s1pc === pc && p.s1ps === ps && p.s1its === itstate) return (this.prev = p.s1!);
      if (p.s2pc === pc && p.s2ps === ps && p.s2its === itstate) return (this.prev = p.s2!);
    }
    const b = this.lookup(pc, itstate, single, ps);
    if (single || this.fetchCheck !== null) { this.prev = null; return b; }
    if (p !== null) {
      p.s2 = p.s1; p.s2pc = p.s1pc; p.s2its = p.s1its; p.s2ps = p.s1ps;
      p.s1 = b; p.s1pc = pc; p.s1its = itstate; p.s1ps = ps;
    }
    this.prev = b;
    return b;
  }

  private lookup(pc: number, itstate: number, single: boolean, ps: number): Block {
    let map: Map<number, Block>;
    let key = pc + itstate * 0x100000000;
    if (this.fetchCheck === null && !single && ps < 0x2000) {
      // one map for the common case: PC (32 bits), ITSTATE (8), pipeline state (13) make a key below 2^53
      map = this.cache;
      key += ps * 0x10000000000;
    } else {
      if (this.fetchCheck !== null) key += this.fetchCheck.key() * 0x10000000000; // fetch rights depend on privilege
      const k2 = single ? -1 - ps : ps;
      let m = this.byState.get(k2);
      if (!m) { m = new Map(); this.byState.set(k2, m); }
      map = m;
    }
    let b = map.get(key);
    if (!b) { b = this.translate(pc, itstate, single, ps); map.set(key, b); }
    return b;
  }

  /** Decode the instruction at `a`: undefined when it cannot be fetched. */
  fetchDecode(a: number): Decoded | undefined {
    const hw1 = this.bus.fetch16(a);
    if (hw1 === undefined) return undefined;
    if (!is32(hw1)) return decode(hw1, 0);
    const hw2 = this.bus.fetch16(a + 2);
    if (hw2 === undefined) return undefined;
    return decode(hw1, hw2);
  }

  translate(start: number, itstate0: number, single: boolean, ps0 = 0): Block {
    const info: BlockInfo = { start, addrs: [], its: [], before: [], cyclesBefore: [], stallsBefore: [] };
    const parts: string[] = [];
    const model = this.model;
    const ft = this.bus.fetchTimingAt?.(start) ?? null;
    const fetch16 = (x: number) => this.bus.fetch16(x);
    let a = start >>> 0;
    let its = itstate0;
    let ps = ps0;
    let cyc = 0;
    const stalls = new Array<number>(NSTALL).fill(0);
    let tmpN = 0;
    let ended = false;
    let loops = false;
    let selfLoop = false;
    let endsWithCall = false;
    /** statements closing a pass at the current point: counters, stalls, pipeline state */
    const close = (k: number, cycles: string | number, state: number, st: readonly number[]): string => {
      let c = `s.icount+=${k};s.cycles+=${cycles};s.ps=${state};s.ip=0;`;
      st.forEach((v, i) => { if (v !== 0) c += `s.stall[${i}]+=${v};`; });
      return c;
    };
    for (let k = 0; k < (single ? 1 : MAX_BLOCK) && !ended; k++) {
      const d = this.fetchDecode(a);
      // the MPU (when enabled) checks each halfword fetched: a denied one is MemManage IACCVIOL
      const mpuDenied = this.fetchCheck === null || d === undefined ? undefined
        : this.fetchCheck.check(a) ?? (d.size === 4 ? this.fetchCheck.check(a + 2) : undefined);
      const why = d === undefined ? 'fetch' : mpuDenied ? 'mpu' : !d.entry ? 'undef' : this.itViolation(d, its);
      if (why) {
        if (k > 0) break; // end the block before it; the next block starts there and faults
        info.addrs.push(a); info.its.push(its); info.before.push(0); info.cyclesBefore.push(0); info.stallsBefore.push(null);
        const fault = why === 'fetch' ? `rt.ibuserr(${a})` : why === 'mpu' ? `rt.iaccviol(${mpuDenied!.address! >>> 0},${JSON.stringify(mpuDenied!.message)})` : `rt.undef(${JSON.stringify(why === 'undef' ? d!.undef ?? 'UNDEFINED' : why)})`;
        parts.push(`throw ${fault};`);
        ended = true;
        break;
      }
      const dd = d!;
      const entry = dd.entry!;
      this.bus.markCode(a);
      const inBlock = inIT(its);
      const px: PriceInput = { d: dd, addr: a, conditional: inBlock, slowCode: ft !== null, fetch16 };
      const priced = model.price(px, ps);
      const cost = priced.cycles;
      const condCode = inBlock ? itCond(its) : 14;
      const itsAfter = entry.def.exec === 'it' ? ((dd.f.firstcond! << 4) | dd.f.mask!) : itAdvance(its);
      const myIndex = k;
      const cycAfter = cyc + cost;
      const stallsAfter = stalls.slice();
      for (const [cause, n] of Object.entries(priced.stalls ?? {})) stallsAfter[STALL[cause as keyof typeof STALL]] += n!;
      const addrAfter = a + dd.size;
      let endHere = TRAPS.has(entry.def.timing);
      let knownTarget: number | undefined;
      const g: GenCtx = {
        d: dd, entry, f: dd.f, addr: a, size: dd.size,
        setflags: entry.templates[0]!.itS ? !inBlock : !!dd.f.S,
        inIT: inBlock,
        pc: (a + 4) >>> 0,
        pcAligned: ((a + 4) & ~3) >>> 0,
        r: (n) => (n === 15 ? String((a + 4) | 0) : `r[${n}]`),
        tmp: (hint = 't') => `${hint}${tmpN++}`,
        val: (name) => operandValue(entry, dd.f, name, a),
        branch: (target, how) => {
          endHere = true;
          const t = `tg${tmpN++}`;
          const known = /^\d+$/.test(target) ? Number(target) >>> 0 : undefined;
          knownTarget = known;
          // a loop inside the function only when the block was translated for the state a taken branch leaves (0)
          const loopBack = how === 'branch' && known === start && itstate0 === 0 && ps0 === 0 && !single;
          const refill = model.taken(px, t, known === undefined ? undefined : (known & ~1) >>> 0, loopBack);
          const done = close(myIndex + 1, cycAfter, 0, stallsAfter);
          if (loopBack) {
            loops = true;
            if (myIndex === 0 && condCode === 14 && dd.f.cond === undefined) selfLoop = true; // not B<c> (its own cond field)
            return `{const ${t}=${start};${refill}${done}if(++iter<maxIter)continue;s.pc=${start};s.itstate=0;return;}`;
          }
          if (how === 'branch') return `{const ${t}=(${target})&-2;${refill}${done}s.pc=${t}>>>0;s.itstate=0;return;}`;
          // BXWritePC / LoadWritePC: a value 0xFxxxxxxx is also noted in s.excRet; with the exception model on, the
          // machine turns it into an exception return when the core is in Handler mode (B1.5.8), else ignores it.
          // The refill is priced for the target with bit 0 clear.
          const t2 = `tb${tmpN++}`;
          return `{const ${t2}=${target};const ${t}=(${t2}&-2)>>>0;${refill}${done}s.t=${t2}&1;s.pc=${t};s.itstate=0;if((${t2}>>>28)===15)s.excRet=${t2}>>>0;return;}`;
        },
        wr: (n, expr, how = 'branch') => {
          if (n === 15) return g.branch(expr, how);
          if (n === 13) return `r[13]=(${expr})&-4;if((r[13]>>>0)<s.spMin)s.spMin=r[13]>>>0;`;
          return `r[${n}]=${expr};`;
        },
        endBlock: () => { endHere = true; },
        cycles: (expr) => `s.cycles+=${expr};`,
        divide: (n, dv, signed) => model.divide(n, dv, signed),
      };
      const gen = GENERATORS[entry.def.exec];
      let code: string;
      try {
        if (!gen) throw new Error(`no semantics for ${entry.def.exec}`);
        code = gen(g);
      } catch (err) {
        // A bug in one instruction's semantics must not stop code that never reaches it: end the block before it.
        // When it is the first instruction of a block, it is about to run: report the bug.
        if (k > 0) break;
        throw new Error(`internal error translating ${entry.def.id} at 0x${a.toString(16)}: ${(err as Error).message}`);
      }
      if (priced.pipelinedPenalty !== undefined) {
        // priced as pipelined with the previous access: not when the two hit different blocks of the memory map
        const pb = `pb${tmpN++}`, n = priced.pipelinedPenalty;
        code = `const ${pb}=m.lastRegion.blk;${code}if(m.lastRegion.blk!==${pb}){s.cycles+=${n};s.stall[${STALL.memory}]+=${n};}`;
      }
      info.addrs.push(a); info.its.push(its); info.before.push(k); info.cyclesBefore.push(cyc);
      info.stallsBefore.push(stalls.some((x) => x !== 0) ? stalls.slice() : null);
      // BKPT executes unconditionally inside an IT block too (A7.7.17)
      if (condCode !== 14 && entry.def.exec !== 'it' && entry.def.exec !== 'bkpt') code = `if(${condExpr(condCode)}){${code}}`;
      else if (priced.pipelinedPenalty !== undefined) code = `{${code}}`;
      // s.ip (the index unwind() and s.now() read) only before code that can throw or reach the bus: plain register
      // arithmetic cannot, and the next instruction that can sets it; nor can the pipeline model's run-time statements
      // (`tm.`: they neither throw nor read the time, PipelineModel)
      const mayThrow = /\bm\.|\brt\.|\bthrow\b/.test(code);
      parts.push((k > 0 && mayThrow ? `s.ip=${k};` : '') + code);
      if (STORES.has(entry.def.timing)) {
        // a store that hit translated code (self-modifying code, a loader): leave, so the next block is fresh
        parts.push(`if(s.codeChanged!==0){s.pc=${(addrAfter >>> 0)};s.itstate=${itsAfter};${close(k + 1, cycAfter, priced.state, stallsAfter)}return;}`);
      }
      cyc = cycAfter;
      its = itsAfter;
      ps = priced.state;
      for (let i = 0; i < NSTALL; i++) stalls[i] = stallsAfter[i]!;
      a = addrAfter >>> 0;
      if (endHere) {
        // the exit when the instruction did not leave (condition failed, or it only ends the block);
        // after an unconditional branch this is dead code, which is harmless
        ended = true;
        const conditional = condCode !== 14 || dd.f.cond !== undefined || entry.def.timing === 'cbz';
        const nt = conditional ? model.notTaken(px, knownTarget === undefined ? undefined : (knownTarget & ~1) >>> 0) : '';
        parts.push(`${nt}s.pc=${a};s.itstate=${its};${close(k + 1, cyc, ps, stalls)}return;`);
        const t = entry.def.timing;
        endsWithCall = t === 'bl' || (t === 'bx' && entry.def.exec === 'blx');
      }
      if (((a >>> 12) !== (start >>> 12)) && !ended) break;
    }
    const n = info.addrs.length;
    if (!ended) parts.push(`s.pc=${a};s.itstate=${its};${close(n, cyc, ps, stalls)}return;`);
    let body = parts.join('\n');
    // fetch timing: each pass fetches the block's bytes [start, a), through the model's shortcuts when it has them
    // (FetchTiming.prologue: passes that repeat a remembered one)
    if (ft !== null) {
      const call = `ft.fetch(${start},${a},${cyc},fm);`;
      body = `${ft.prologue ? ft.prologue(start, a, cyc, call) : call}\n${body}`;
    }
    if (loops) body = `let iter=0;const maxIter=Math.floor(budget/${n});for(;;){s.ip=0;\n${body}\n}`;
    const source = `return function blk_${start.toString(16)}(s,m,budget){const r=s.r;try{\n${body}\n}catch(e){unwind(s,info);throw e;}};`;
    const fn = new Function('rt', 'info', 'unwind', 'tm', 'ft', 'fm', source)(rt, info, unwind, this.tm, ft, newFetchMemo()) as Block['fn'];
    return {
      fn, n, info, selfLoop, cycles: cyc, entryState: ps0, endsWithCall, lastSize: n ? (a - info.addrs[n - 1]!) >>> 0 : 0, source,
      s1: null, s1pc: -1, s1its: 0, s1ps: 0, s2: null, s2pc: -1, s2its: 0, s2ps: 0,
    };
  }

  /** An IT-block rule the instruction breaks at this ITSTATE (executing it is UNPREDICTABLE: we fault). */
  private itViolation(d: Decoded, its: number): string | false {
    const rule = d.entry!.def.it ?? 'any';
    if (!inIT(its)) return false;
    if (rule === 'outside') return `UNPREDICTABLE ${d.entry!.def.id} inside an IT block`;
    if (rule === 'last' && !lastInIT(its)) return `UNPREDICTABLE ${d.entry!.def.id} inside an IT block but not last`;
    return false;
  }
}

export { CpuFault, Trap, undefinedInstruction };
