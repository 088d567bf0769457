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
import type { FetchCheck } from '../sys/mpu.js';
import type { CycleModel } from '../timing/model.js';
import { condExpr, type GenCtx } from './gen.js';
import { GENERATORS } from '../cpu/index.js';
import { rt } from './runtime.js';

const MAX_BLOCK = 48;
const STORES = new Set(['st', 'st_reg', 'strd', 'stm', 'stex']);

interface BlockInfo {
  start: number;
  /** per instruction index: address, ITSTATE before it, instructions and cycles before it (in this pass) */
  addrs: number[];
  its: number[];
  before: number[];
  cyclesBefore: number[];
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
  source: string;
}

/** Undo the block's partial pass when an instruction throws: PC, ITSTATE and counters as at that instruction. */
function unwind(s: CpuState, info: BlockInfo, ip: number): void {
  s.pc = info.addrs[ip]!;
  s.itstate = info.its[ip]!;
  s.icount += info.before[ip]!;
  s.cycles += info.cyclesBefore[ip]!;
}

export class Engine {
  private cache = new Map<number, Block>();
  private singles = new Map<number, Block>();
  /** the MPU's instruction-fetch check while the MPU is enabled (null otherwise) */
  fetchCheck: FetchCheck | null = null;

  constructor(readonly s: CpuState, readonly bus: Bus, readonly model: CycleModel) {
    bus.onCodeWrite = () => this.invalidate();
  }

  /** Drop every translation (after a write to code): blocks are translated again, and marked again, on use. */
  invalidate(): void {
    this.cache.clear();
    this.singles.clear();
    this.bus.clearCodeMarks();
    this.s.codeChanged = 1;
  }

  /** The block for the current (pc, ITSTATE), translating it on first use. */
  block(pc: number, itstate: number, single: boolean): Block {
    let key = pc + itstate * 0x100000000;
    if (this.fetchCheck !== null) key += this.fetchCheck.key() * 0x10000000000; // fetch rights depend on privilege
    const map = single ? this.singles : this.cache;
    let b = map.get(key);
    if (!b) { b = this.translate(pc, itstate, single); map.set(key, b); }
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

  translate(start: number, itstate0: number, single: boolean): Block {
    const info: BlockInfo = { start, addrs: [], its: [], before: [], cyclesBefore: [] };
    const parts: string[] = [];
    let a = start >>> 0;
    let its = itstate0;
    let cyc = 0;
    let tmpN = 0;
    let ended = false;
    let loops = false;
    let selfLoop = false;
    for (let k = 0; k < (single ? 1 : MAX_BLOCK) && !ended; k++) {
      const d = this.fetchDecode(a);
      // the MPU (when enabled) checks each halfword fetched: a denied one is MemManage IACCVIOL
      const mpuDenied = this.fetchCheck === null || d === undefined ? undefined
        : this.fetchCheck.check(a) ?? (d.size === 4 ? this.fetchCheck.check(a + 2) : undefined);
      const why = d === undefined ? 'fetch' : mpuDenied ? 'mpu' : !d.entry ? 'undef' : this.itViolation(d, its);
      if (why) {
        if (k > 0) break; // end the block before it; the next block starts there and faults
        info.addrs.push(a); info.its.push(its); info.before.push(0); info.cyclesBefore.push(0);
        const fault = why === 'fetch' ? `rt.ibuserr(${a})` : why === 'mpu' ? `rt.iaccviol(${mpuDenied!.address! >>> 0},${JSON.stringify(mpuDenied!.message)})` : `rt.undef(${JSON.stringify(why === 'undef' ? d!.undef ?? 'UNDEFINED' : why)})`;
        parts.push(`throw ${fault};`);
        ended = true;
        break;
      }
      const dd = d!;
      const entry = dd.entry!;
      this.bus.markCode(a);
      const cost = this.model.cost(dd);
      const inBlock = inIT(its);
      const condCode = inBlock ? itCond(its) : 14;
      const itsAfter = entry.def.exec === 'it' ? ((dd.f.firstcond! << 4) | dd.f.mask!) : itAdvance(its);
      const myIndex = k;
      const cycAfter = cyc + cost;
      const addrAfter = a + dd.size;
      let endHere = false;
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
          const P = this.model.taken(dd);
          const done = `s.icount+=${myIndex + 1};s.cycles+=${cycAfter + P};`;
          const t = `tg${tmpN++}`;
          if (how === 'branch' && /^\d+$/.test(target) && Number(target) === start && itstate0 === 0 && !single) {
            loops = true;
            if (myIndex === 0 && condCode === 14 && dd.f.cond === undefined) selfLoop = true; // not B<c> (its own cond field)
            return `{${done}if(++iter<maxIter)continue;s.pc=${start};s.itstate=0;return;}`;
          }
          if (how === 'branch') return `{const ${t}=(${target})&-2;${done}s.pc=${t}>>>0;s.itstate=0;return;}`;
          // BXWritePC / LoadWritePC: a value 0xFxxxxxxx is also noted in s.excRet; with the exception model on, the
          // machine turns it into an exception return when the core is in Handler mode (B1.5.8), else ignores it
          return `{const ${t}=${target};${done}s.t=${t}&1;s.pc=(${t}&-2)>>>0;s.itstate=0;if((${t}>>>28)===15)s.excRet=${t}>>>0;return;}`;
        },
        wr: (n, expr, how = 'branch') => {
          if (n === 15) return g.branch(expr, how);
          if (n === 13) return `r[13]=(${expr})&-4;`;
          return `r[${n}]=${expr};`;
        },
        endBlock: () => { endHere = true; },
        cycles: (expr) => `s.cycles+=${expr};`,
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
      info.addrs.push(a); info.its.push(its); info.before.push(k); info.cyclesBefore.push(cyc);
      // BKPT executes unconditionally inside an IT block too (A7.7.17)
      if (condCode !== 14 && entry.def.exec !== 'it' && entry.def.exec !== 'bkpt') code = `if(${condExpr(condCode)}){${code}}`;
      parts.push((k > 0 ? `ip=${k};` : '') + code);
      if (STORES.has(entry.def.timing)) {
        // a store that hit translated code (self-modifying code, a loader): leave, so the next block is fresh
        parts.push(`if(s.codeChanged!==0){s.pc=${(addrAfter >>> 0)};s.itstate=${itsAfter};s.icount+=${k + 1};s.cycles+=${cycAfter};return;}`);
      }
      cyc = cycAfter;
      its = itsAfter;
      a = addrAfter >>> 0;
      if (endHere) {
        // the exit when the instruction did not leave (condition failed, or it only ends the block);
        // after an unconditional branch this is dead code, which is harmless
        ended = true;
        parts.push(`s.pc=${a};s.itstate=${its};s.icount+=${k + 1};s.cycles+=${cyc};return;`);
      }
      if (((a >>> 12) !== (start >>> 12)) && !ended) break;
    }
    const n = info.addrs.length;
    if (!ended) parts.push(`s.pc=${a};s.itstate=${its};s.icount+=${n};s.cycles+=${cyc};return;`);
    let body = parts.join('\n');
    if (loops) body = `let iter=0;const maxIter=Math.floor(budget/${n});for(;;){ip=0;\n${body}\n}`; // ip: each pass starts at 0
    const source = `return function blk_${start.toString(16)}(s,m,budget){const r=s.r;let ip=0;try{\n${body}\n}catch(e){unwind(s,info,ip);throw e;}};`;
    const fn = new Function('rt', 'info', 'unwind', source)(rt, info, unwind) as Block['fn'];
    return { fn, n, info, selfLoop, cycles: cyc, source };
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
