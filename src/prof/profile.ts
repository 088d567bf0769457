/**
 * Per-function profiler (issue 4, point 7): cycles and calls per function, inclusive and exclusive, from a stream of
 * block events the run loop sends, and the call-path tree behind them as collapsed stacks or a speedscope file.
 *
 * Events. In profile mode the run loop calls `block(pc, sp, lr, now, via, from?)` once before every translated block
 * it executes (pc = the block's start, now = the cycle count then, monotonic) and `finish(now)` at the end. The
 * cycles between two events are the previous block's: they go to the call stack as it stood after the earlier event.
 * So exclusive[f] is exactly the cycles of the blocks whose pc lies in f (after every event the top frame is the
 * function of pc, see "resync" below), and the sum of exclusive over all functions is `finish`'s now minus the first
 * event's now.
 *
 * Shadow call stack, frames { fn, returnAddress, sp, enteredAt, exception }:
 * - 'call' (the previous block ended with a taken BL/BLX): push fn(pc) with returnAddress = lr with bit 0 cleared and
 *   sp = the SP at entry (= the caller's SP at the BL). calls[fn(pc)] += 1.
 * - 'other': a return is a block whose pc equals a frame's returnAddress with sp >= that frame's sp; the topmost such
 *   frame is popped with every frame above it (a longjmp-like unwind skips frames). The search never looks through an
 *   exception frame: code below it runs on another stack (PSP/MSP), its SPs are not comparable, and it resumes only by
 *   an exception return. Recursion through one call site is told apart by SP (a deeper frame has a lower SP).
 *   Else, a pc at the entry address of a function other than the top frame's is a tail call: the top frame's function
 *   is replaced (its return address and SP kept) and calls[new] += 1. A jump to the entry of the function already on
 *   top (a loop back to its start) is no call.
 * - resync: after any event, if the top frame's function is still not fn(pc) (a return whose call was not seen, a
 *   jump into the middle of another function or into code with no symbol), the top frame's function is replaced by
 *   fn(pc) without counting a call. This keeps the flat (exclusive) profile exact whatever the stack heuristics miss.
 * - 'exception' (pc = the handler, `from` = the interrupted pc): push fn(pc) as an exception frame; calls[handler]
 *   += 1. The interrupted functions stay below it, so they get the handler's cycles as inclusive (flame graphs show
 *   the handler on top of what it interrupted).
 * - 'exception-return' (pc = where the interrupted code resumes, sp = its restored SP): pop the topmost exception
 *   frame and everything above it, then handle pc as 'other' (so a return or tail call the interrupted code made
 *   just before the exception, whose first block had not run yet, is resolved now, with the thread's SP).
 * - 'tail-chain' (an extension for the run loop: a handler's return goes straight into another pending exception
 *   without running the interrupted code): pop the topmost exception frame like an exception return, then push the
 *   new handler like 'exception'. Without it a tail chain reported as 'exception' nests the second handler above the
 *   first (wrong inclusive for the first, right exclusive for both).
 * - empty stack (the first event): push fn(pc) as the root frame (for a first 'call', fn(lr) as root and the callee
 *   above it; for a first 'exception', fn(from)); a root frame counts one call and has no return address.
 * - depth limit (`maxDepth`, default 1024): a call that would exceed it replaces the top frame instead (as a tail
 *   call), so firmware that calls without returning (BL used as a long jump, a scheduler) cannot grow the stack
 *   without bound. Exception frames are exempt (their nesting is bounded by the priority levels).
 *
 * Inclusive: the cycles during which the function is anywhere on the stack, counted once however many times it is
 * there (recursion), kept as one open interval per function while its count of frames on the stack is above zero.
 *
 * Symbols: `{ name, address, size }` from the ELF's function symbols. Bit 0 of the address is cleared (a Thumb
 * st_value). A function covers [address, address + size), cut at the next symbol's address; size 0 extends to the
 * next symbol (the last one, to the top of the address space). Several symbols at one address (the weak aliases of
 * a startup file's Default_Handler) are one function named by the first non-weak one, else the one with a size,
 * else the first given. Two functions with the same name at different addresses get `@0xADDRESS` appended so every
 * name is unique (flame-graph tools merge frames by name). An address in no function belongs to the one
 * pseudo-function `(no symbol)` (address null in the rows): all unknown code is grouped, whatever its region.
 *
 * Cycles decide nothing here; the profiler only reads them. Everything is deterministic (Map iteration is insertion
 * order). No Node module: this is core.
 */

export interface FunctionSymbol {
  name: string;
  /** start address; a set bit 0 (Thumb st_value) is cleared */
  address: number;
  /** bytes; 0: the function extends to the next symbol */
  size: number;
  /** a weak symbol: among symbols at the same address a non-weak name is preferred */
  weak?: boolean;
}

/** How control reached a block. 'tail-chain' is an extension to the four kinds of the brief (see the file header). */
export type Via = 'call' | 'exception' | 'exception-return' | 'tail-chain' | 'other';

export interface ProfileRow {
  name: string;
  /** the function's start address; null for the `(no symbol)` pseudo-function */
  address: number | null;
  calls: number;
  inclusive: number;
  exclusive: number;
}

/** One frame of the shadow stack, bottom first (for reports and tests). */
export interface StackFrame {
  name: string;
  /** -1 for a root or exception frame */
  returnAddress: number;
  sp: number;
  enteredAt: number;
  exception: boolean;
}

export interface ProfilerOptions {
  /** the deepest shadow stack kept (calls beyond replace the top frame); default 1024 */
  maxDepth?: number;
}

/** The speedscope file format (https://www.speedscope.app/file-format-schema.json), the sampled-profile subset. */
export interface SpeedscopeFrame { name: string }
export interface SpeedscopeSampledProfile {
  type: 'sampled';
  name: string;
  unit: 'none';
  startValue: number;
  endValue: number;
  /** each sample a stack of indices into shared.frames, outermost first */
  samples: number[][];
  /** the cycles of each sample, same length as samples */
  weights: number[];
}
export interface SpeedscopeFile {
  $schema: 'https://www.speedscope.app/file-format-schema.json';
  shared: { frames: SpeedscopeFrame[] };
  profiles: SpeedscopeSampledProfile[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

export const NO_SYMBOL = '(no symbol)';
export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';
const ADDRESS_SPACE = 2 ** 32;
const NO_RETURN = -1;

const hex8 = (a: number) => '0x' + a.toString(16).padStart(8, '0');

/** The order of `functions()`: exclusive descending, then inclusive descending, then address (no symbol last), name. */
export function compareRows(a: ProfileRow, b: ProfileRow): number {
  return b.exclusive - a.exclusive || b.inclusive - a.inclusive ||
    (a.address ?? ADDRESS_SPACE) - (b.address ?? ADDRESS_SPACE) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** A node of the call-path tree: one per distinct stack (root first); self = cycles with exactly this stack. */
class PathNode {
  readonly children = new Map<number, PathNode>();
  self = 0;
  constructor(readonly fn: number, readonly parent: PathNode | null) {}
  child(fn: number): PathNode {
    let c = this.children.get(fn);
    if (!c) { c = new PathNode(fn, this); this.children.set(fn, c); }
    return c;
  }
}

export class Profiler {
  // ---- functions: ids 0..n-1 in address order, id n is (no symbol)
  private readonly names: string[];
  private readonly starts: number[];
  private readonly ends: number[];
  private readonly noSym: number;
  /** last lookup: [cLo, cHi) -> cFn (a function or a gap of no symbol) */
  private cLo = 0;
  private cHi = 0;
  private cFn = 0;

  // ---- per function
  private readonly calls: Float64Array;
  private readonly excl: Float64Array;
  private readonly incl: Float64Array;
  private readonly incStart: Float64Array;
  private readonly active: Int32Array;
  private readonly touched: Uint8Array;

  // ---- shadow stack, as parallel arrays (no allocation per call)
  private readonly maxDepth: number;
  private depth = 0;
  private sFn: Int32Array;
  private sRet: Float64Array;
  private sSp: Float64Array;
  private sAt: Float64Array;
  private sExc: Uint8Array;
  private sNode: PathNode[] = [];
  /** how many non-exception frames have each return address: a pc in it may be a return below the top */
  private readonly retCount = new Map<number, number>();

  private readonly tree = new PathNode(-1, null);
  private started = false;
  private first = 0;
  private last = 0;

  constructor(symbols: readonly FunctionSymbol[], options: ProfilerOptions = {}) {
    const maxDepth = options.maxDepth ?? 1024;
    if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new RangeError(`maxDepth must be a positive integer, not ${maxDepth}`);
    this.maxDepth = maxDepth;

    const syms = symbols.map((s, k) => {
      if (!Number.isInteger(s.address) || s.address < 0 || s.address >= ADDRESS_SPACE) throw new RangeError(`symbol '${s.name}': address ${s.address} is not a 32-bit address`);
      if (!Number.isInteger(s.size) || s.size < 0) throw new RangeError(`symbol '${s.name}': size ${s.size} is not a byte count`);
      return { name: s.name, address: (s.address & ~1) >>> 0, size: s.size, weak: s.weak === true, k };
    });
    // by address; at one address the preferred name first: non-weak, then sized, then input order
    syms.sort((a, b) => a.address - b.address || Number(a.weak) - Number(b.weak) || Number(b.size > 0) - Number(a.size > 0) || a.k - b.k);
    const fns = syms.filter((s, i) => i === 0 || syms[i - 1]!.address !== s.address);
    const n = fns.length;
    this.starts = fns.map((s) => s.address);
    this.ends = fns.map((s, i) => {
      const next = i + 1 < n ? fns[i + 1]!.address : ADDRESS_SPACE;
      return s.size > 0 ? Math.min(s.address + s.size, next) : next;
    });
    const base = fns.map((s) => s.name === '' ? `(unnamed ${hex8(s.address)})` : s.name);
    const count = new Map<string, number>();
    for (const b of base) count.set(b, (count.get(b) ?? 0) + 1);
    this.names = base.map((b, i) => (count.get(b)! > 1 || b === NO_SYMBOL ? `${b}@${hex8(fns[i]!.address)}` : b));
    this.names.push(NO_SYMBOL);
    this.noSym = n;
    this.cFn = n;

    this.calls = new Float64Array(n + 1);
    this.excl = new Float64Array(n + 1);
    this.incl = new Float64Array(n + 1);
    this.incStart = new Float64Array(n + 1);
    this.active = new Int32Array(n + 1);
    this.touched = new Uint8Array(n + 1);

    const cap = Math.min(maxDepth, 64) + 8;
    this.sFn = new Int32Array(cap);
    this.sRet = new Float64Array(cap);
    this.sSp = new Float64Array(cap);
    this.sAt = new Float64Array(cap);
    this.sExc = new Uint8Array(cap);
  }

  // ---------------------------------------------------------------------------------------------------- symbols

  /** The function id holding an address (the last hit's range is cached; else a binary search). */
  private fnAt(a: number): number {
    if (a >= this.cLo && a < this.cHi) return this.cFn;
    const st = this.starts;
    let lo = 0, hi = st.length - 1, i = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (st[mid]! <= a) { i = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (i >= 0 && a < this.ends[i]!) {
      this.cLo = st[i]!; this.cHi = this.ends[i]!; this.cFn = i;
    } else {
      this.cLo = i >= 0 ? this.ends[i]! : 0; this.cHi = i + 1 < st.length ? st[i + 1]! : ADDRESS_SPACE; this.cFn = this.noSym;
    }
    return this.cFn;
  }

  /** The function an address belongs to: its (unique) name and start, or `(no symbol)` with address null. */
  symbolAt(address: number): { name: string; address: number | null } {
    const f = this.fnAt(address >>> 0);
    return { name: this.names[f]!, address: f === this.noSym ? null : this.starts[f]! };
  }

  // ---------------------------------------------------------------------------------------------------- events

  /**
   * One executed block: its start pc, SP and LR at its start, the cycle count then, and how control arrived (see
   * the file header). `from` is the interrupted pc for 'exception' and 'tail-chain'. Throws a RangeError if `now` is
   * below the previous event's (cycles are monotonic; a reset of the counter needs a new Profiler).
   */
  block(pc: number, sp: number, lr: number, now: number, via: Via, from?: number): void {
    if (this.started) this.advance(now);
    else { this.started = true; this.first = this.last = now; }
    pc = (pc & ~1) >>> 0;
    sp >>>= 0;
    switch (via) {
      case 'call': {
        const ret = (lr & ~1) >>> 0;
        if (this.depth === 0) this.pushRoot(ret, sp, now);
        const fn = this.fnAt(pc);
        this.calls[fn]! += 1;
        if (this.depth >= this.maxDepth) this.replaceTop(fn, now);
        else this.push(fn, ret, sp, 0, now);
        break;
      }
      case 'tail-chain':
        this.popException(now);
        this.exception(pc, sp, now, from);
        break;
      case 'exception':
        this.exception(pc, sp, now, from);
        break;
      case 'exception-return':
        this.popException(now);
        this.other(pc, sp, now);
        break;
      default:
        this.other(pc, sp, now);
    }
  }

  /** The end of the run: the last block's cycles up to `now`. Results may be read before or after; calling it again
   *  (or sending more blocks and finishing again) continues the same profile. */
  finish(now: number): void {
    if (this.started) this.advance(now);
  }

  /** Cycles from the first event to the last (finish included). */
  get totalCycles(): number {
    return this.last - this.first;
  }

  private advance(now: number): void {
    const delta = now - this.last;
    if (!(delta >= 0)) throw new RangeError(`profiler: cycle count went from ${this.last} back to ${now}`);
    if (delta > 0 && this.depth > 0) {
      const t = this.depth - 1;
      this.excl[this.sFn[t]!]! += delta;
      this.sNode[t]!.self += delta;
    }
    this.last = now;
  }

  private exception(pc: number, sp: number, now: number, from: number | undefined): void {
    if (this.depth === 0 && from !== undefined) this.pushRoot((from & ~1) >>> 0, sp, now);
    const fn = this.fnAt(pc);
    this.calls[fn]! += 1;
    this.push(fn, NO_RETURN, sp, 1, now);
  }

  private other(pc: number, sp: number, now: number): void {
    if (this.depth === 0) { this.pushRoot(pc, sp, now); return; }
    const fn = this.fnAt(pc);
    let popped = false;
    const t = this.depth - 1;
    if (!this.sExc[t]) {
      if (this.sRet[t] === pc && sp >= this.sSp[t]!) {
        this.popTo(t, now);
        popped = true;
      } else if (this.retCount.has(pc)) {
        for (let i = t - 1; i >= 0 && !this.sExc[i]; i--) {
          if (this.sRet[i] === pc && sp >= this.sSp[i]!) { this.popTo(i, now); popped = true; break; }
        }
      }
    }
    // a root frame has no return address, so the stack is not empty here
    if (this.sFn[this.depth - 1] !== fn) {
      if (!popped && fn !== this.noSym && this.starts[fn] === pc) this.calls[fn]! += 1; // tail call
      this.replaceTop(fn, now);
    }
  }

  // ---------------------------------------------------------------------------------------------------- stack

  private pushRoot(pc: number, sp: number, now: number): void {
    const fn = this.fnAt(pc);
    this.calls[fn]! += 1;
    this.push(fn, NO_RETURN, sp, 0, now);
  }

  private push(fn: number, ret: number, sp: number, exc: number, now: number): void {
    const d = this.depth;
    if (d === this.sFn.length) this.grow();
    this.sFn[d] = fn;
    this.sRet[d] = ret;
    this.sSp[d] = sp;
    this.sAt[d] = now;
    this.sExc[d] = exc;
    this.sNode[d] = (d > 0 ? this.sNode[d - 1]! : this.tree).child(fn);
    this.depth = d + 1;
    this.enter(fn, now);
    if (ret !== NO_RETURN) this.retCount.set(ret, (this.retCount.get(ret) ?? 0) + 1);
  }

  /** Pop frames until `d` remain. */
  private popTo(d: number, now: number): void {
    while (this.depth > d) {
      const i = --this.depth;
      this.leave(this.sFn[i]!, now);
      const ret = this.sRet[i]!;
      if (ret !== NO_RETURN) {
        const c = this.retCount.get(ret)! - 1;
        if (c === 0) this.retCount.delete(ret); else this.retCount.set(ret, c);
      }
    }
    this.sNode.length = this.depth;
  }

  /** Pop the topmost exception frame and every frame above it; nothing if there is none. */
  private popException(now: number): void {
    for (let i = this.depth - 1; i >= 0; i--) {
      if (this.sExc[i]) { this.popTo(i, now); return; }
    }
  }

  private replaceTop(fn: number, now: number): void {
    const t = this.depth - 1;
    const old = this.sFn[t]!;
    if (old === fn) return;
    this.leave(old, now);
    this.enter(fn, now);
    this.sFn[t] = fn;
    this.sNode[t] = (t > 0 ? this.sNode[t - 1]! : this.tree).child(fn);
  }

  private enter(fn: number, now: number): void {
    if (this.active[fn]!++ === 0) this.incStart[fn] = now;
    this.touched[fn] = 1;
  }

  private leave(fn: number, now: number): void {
    if (--this.active[fn]! === 0) this.incl[fn]! += now - this.incStart[fn]!;
  }

  private grow(): void {
    const cap = this.sFn.length * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T, b: T): T => { b.set(a); return b; };
    this.sFn = g(this.sFn, new Int32Array(cap));
    this.sRet = g(this.sRet, new Float64Array(cap));
    this.sSp = g(this.sSp, new Float64Array(cap));
    this.sAt = g(this.sAt, new Float64Array(cap));
    this.sExc = g(this.sExc, new Uint8Array(cap));
  }

  // ---------------------------------------------------------------------------------------------------- results

  /** The shadow stack now, bottom first. */
  stack(): StackFrame[] {
    const out: StackFrame[] = [];
    for (let i = 0; i < this.depth; i++) {
      out.push({ name: this.names[this.sFn[i]!]!, returnAddress: this.sRet[i]!, sp: this.sSp[i]!, enteredAt: this.sAt[i]!, exception: this.sExc[i] === 1 });
    }
    return out;
  }

  /** One row per function that ran, sorted by `compareRows` (exclusive cycles descending). */
  functions(): ProfileRow[] {
    const rows: ProfileRow[] = [];
    for (let f = 0; f < this.names.length; f++) {
      if (!this.touched[f]) continue;
      const open = this.active[f]! > 0 ? this.last - this.incStart[f]! : 0;
      rows.push({
        name: this.names[f]!,
        address: f === this.noSym ? null : this.starts[f]!,
        calls: this.calls[f]!,
        inclusive: this.incl[f]! + open,
        exclusive: this.excl[f]!,
      });
    }
    return rows.sort(compareRows);
  }

  /** Every distinct stack with its cycles, depth first, children in the order they were first entered. */
  private paths(): { fns: number[]; cycles: number }[] {
    const out: { fns: number[]; cycles: number }[] = [];
    const walk: { node: PathNode; fns: number[] }[] = [];
    const kids = (node: PathNode, fns: number[]) => [...node.children.values()].reverse().map((c) => ({ node: c, fns: [...fns, c.fn] }));
    walk.push(...kids(this.tree, []));
    while (walk.length) {
      const { node, fns } = walk.pop()!;
      if (node.self > 0) out.push({ fns, cycles: node.self });
      walk.push(...kids(node, fns));
    }
    return out;
  }

  /** A frame name safe in the collapsed format (';' separates frames, a line is one stack). */
  private frameName(f: number): string {
    return this.names[f]!.replace(/[;\r\n]/g, '_');
  }

  /**
   * The collapsed-stack ("folded") format flamegraph.pl and speedscope read: one line per distinct stack with
   * cycles, `root;caller;callee cycles`, depth first (children in the order first entered), ending with a newline.
   */
  collapsed(): string {
    return this.paths().map((p) => `${p.fns.map((f) => this.frameName(f)).join(';')} ${p.cycles}\n`).join('');
  }

  /**
   * A speedscope file: one sampled profile whose samples are the distinct stacks (as in `collapsed`) weighted by
   * their cycles, unit 'none' (cycles), startValue/endValue the first and last event's cycle counts.
   */
  speedscope(name: string): SpeedscopeFile {
    const index = new Map<number, number>();
    const frames: SpeedscopeFrame[] = [];
    const samples: number[][] = [];
    const weights: number[] = [];
    for (const p of this.paths()) {
      samples.push(p.fns.map((f) => {
        let i = index.get(f);
        if (i === undefined) { i = frames.length; index.set(f, i); frames.push({ name: this.names[f]! }); }
        return i;
      }));
      weights.push(p.cycles);
    }
    return {
      $schema: SPEEDSCOPE_SCHEMA,
      shared: { frames },
      profiles: [{ type: 'sampled', name, unit: 'none', startValue: this.first, endValue: this.last, samples, weights }],
      name,
      activeProfileIndex: 0,
      exporter: 'mcusim',
    };
  }
}
