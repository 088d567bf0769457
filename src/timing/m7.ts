/**
 * The Cortex-M7 pipeline model (approximate, documented): dual issue by the pairing rules of
 * reference/cortex-m-timing.md ("Cortex-M7"), result latencies, and a BTAC branch predictor, with every number read
 * from boards/cores/cortex-m7.json (src/timing/cores.ts).
 *
 * ## Issue (static, per instruction at translation time: `price`)
 * The model follows the cycle T in which the last instruction issued. An instruction either pairs with the previous
 * one (issues in slot 1 of cycle T, cost 0) or issues in slot 0 of a later cycle (cost 1 + its stall + the extra
 * cycles of a multi-cycle instruction). It pairs when all of these hold (json parameters in brackets):
 * - the previous instruction issued alone in slot 0 of T and may have a partner: not single-issue
 *   [singleIssueClasses], not multi-cycle, a branch only when it falls through [notTakenBranchPairs]
 *   ("A not-taken branch pairs with the next instruction");
 * - the new one is not single-issue, not multi-cycle, and not slot-0-only [slot0OnlyClasses, slot0OnlyMnemonics]
 *   ("Slot-0-only (older instruction of a pair) ...; two of them never pair": that follows, whatever
 *   [twoSlot0OnlyPair] says);
 * - MUL/MAC never pair with each other or with the classes of [mulNoPairClasses] ("MUL/MAC do not pair with each
 *   other or with stores"); two stores never [storesPair]; a load and a store may [loadStorePair]; one branch per
 *   cycle [branchPipes], one MAC [macPipes], two ALU ops [aluPipes], two loads only on different banks
 *   [loadsPairOnlyDifferentBanks], decided statically: both loads use the same base register and immediate offsets
 *   (a literal load: its address) that are multiples of 4 and differ in bit 2 (even / odd word). Anything else (a
 *   register offset, an offset not a multiple of 4, different base registers, an older load that writes its base
 *   back) is taken as a possible bank conflict: the loads do not pair;
 * - ASSUMED (the reference gives no rule): the new instruction does not read a register or the flags the older
 *   one writes, nor write a register it writes (an in-order pair cannot forward a result within its own cycle, as in
 *   the Cortex-A8 TRM's "data source hazard"). Two exceptions, measured by jnk0le on an STM32H743 (the reference's
 *   source for the M7): "movw + movt pair can dual issue with mutual dependency"; and a branch, whose flags or
 *   register are needed only when it resolves (priced by the mispredict penalty below), pairs as the younger;
 * - a register the new instruction reads is ready in T (see latencies).
 * Latencies (cycles from issue until a consumer may issue): ALU results 1; word loads [loadUseLatencyWord] 1
 * ("word load result usable by the next cycle's ALU op"); byte/halfword loads [loadUseLatencySubword] 2 ("one cycle
 * later"); MUL/MAC [mulLatency] 2, but [macChainCycles] 1 when the consumer is a multiply-accumulate reading it as its
 * accumulator ("an accumulator chain issues one per cycle"). A consumer too early waits: STALL.loadUse for loads,
 * STALL.pipeline for multiplies. DSP multiplies (SMLA<x><y>, SMLAD, SMLAW, SMMLA, SMLAL<x><y>, SMLALD ... and their
 * non-accumulating forms) count as MAC-unit instructions for the MUL/MAC rules and latencies (ASSUMED from jnk0le's
 * measurements, which list them with the multiplies); they stay slot-0-only (class dsp) as the json says.
 * LDM/STM/PUSH/POP take ceil(N / [ldmStmRegistersPerCycle]) cycles, TBB/TBH the class's 2 (multi-cycle: they never
 * pair). A divide issues in 1 cycle here; `divide()` adds [divideLatency] - 1 at run time (STALL.divide).
 * Pairing conflicts are not stalls (the instruction issues in the next cycle): they show in CPI, not in a stall
 * counter.
 *
 * ## Branches (run time: `taken`, `notTaken`, the runtime object `tm`)
 * A BTAC of [btacEntries] entries, direct-mapped on (address / 2) mod entries, tag = the branch's address, target
 * stored. Every taken branch writes its entry (address, target); a fall-through that hits its entry removes it (the
 * BTAC holds taken branches). Prediction: a BTAC hit predicts taken to the stored target; a miss falls back to the
 * static rule [staticPrediction] ("backward-taken": conditional direct branches with a target at or below their
 * address taken, forward not taken). ASSUMED: an unconditional direct branch (B, BL outside an IT block) is always
 * predicted taken (the decoder knows it is unconditional); an indirect one (BX, BLX, POP {pc}, LDR pc, MOV/ADD pc,
 * TBB/TBH) is predicted by the BTAC only, so a miss or a different target costs the penalty. There is no return
 * stack (the reference has none). A correct prediction costs nothing beyond the issue slot; a mispredict costs
 * [mispredictPenalty] (8), or [mispredictPenaltyFlagsEarly] (6) when the branch reads the flags (B<c>, or any branch
 * inside an IT block) and they were set at least [flagsEarlyDistance] (3) cycles before it ("6 with flag
 * forwarding when flags are set >= 3 cycles before the branch"); STALL.branch. The flags' age is known statically
 * from the state; at a block entry after a taken branch (state 0) it is taken as "long ago" (the refill drained the
 * pipeline).
 *
 * ## The state (CpuState.ps): what the next instruction's cost depends on
 * `rec + R * (slot + 49 * prof)`, with A = max(flagsEarlyDistance, 1) and R = A + 1:
 * - rec (0..A): how recently the flags were set: A - cycles since, capped (0: A cycles ago or more, or never);
 * - slot (0..48): one register whose result is not ready yet: 0 none, else 1 + reg * 3 + kind, kind 0 ready in the
 *   next cycle (so it blocks only a partner in the same cycle), 1 a byte/halfword load ready in two, 2 a multiply
 *   ready in two (one for an accumulator); when several are pending the latest-ready is kept, on a tie the youngest
 *   if it is a load's or multiply's result, else the older one;
 * - prof (0..40): 0 no partner possible; else the pairing profile of the instruction alone in slot 0 of the current
 *   cycle: 1 ALU, 2 slot-0-only, 3 MUL/MAC, 4 slot-0-only MAC (DSP multiply), 5 store, 6 branch (falling through),
 *   7 MOVW, 8 load with an unknown bank, 9 + base * 2 + bank a load with a static bank.
 * 0 is the empty pipeline. R * 49 * 41 values (8,036 with the json's distance 3), far fewer reached: a state with no
 * partner never holds a kind-0 register (canonical; `isState`). Latencies above 2 are taken as 2 (the slot holds two
 * cycles).
 *
 * Not modelled: the early/late ALU split jnk0le measured (shifted operands needing their input a cycle earlier,
 * forwarding within a pair from an early ALU op), dual issue with a taken branch's target, the store buffer (memory
 * timing), floating point.
 */
import { operandValue, type Decoded } from '../isa/table.js';
import type { TimingClass } from '../isa/types.js';
import { STALL, type Clock, type StallCause } from './clock.js';
import { CORTEX_M7_TIMING, type M7CoreTiming } from './cores.js';
import type { ExceptionCycles, PipelineModel, PriceInput, Priced, TimingEnv } from './pipeline.js';
import { FLAGS, PC_BIT, regsRead, regsWritten, registerList } from './regs.js';

// ------------------------------------------------------------------ state encoding

/** pending kinds: ready next cycle; byte/halfword load ready in two; multiply ready in two (accumulator in one) */
const K_NEXT = 0, K_LOAD2 = 1, K_MUL2 = 2;
const SLOTS = 49;
/** pairing profiles of the instruction alone in slot 0 */
const P_CLOSED = 0, P_ALU = 1, P_SLOT0 = 2, P_MUL = 3, P_SLOT0MUL = 4, P_STORE = 5, P_BRANCH = 6, P_MOVW = 7, P_LOAD = 8;
const PROFILES = 9 + 32;
const PROFILE_NAMES = ['closed', 'alu', 'slot0', 'mul', 'slot0-mul', 'store', 'branch', 'movw', 'load'];

/** One decoded state. */
export interface M7State {
  /** cycles since the flags were set, 0..flagsEarlyDistance (the distance itself: that long ago or more) */
  flagsAge: number;
  /** pairing profile of the instruction alone in slot 0 of the current cycle (0: no partner possible) */
  prof: number;
  /** the register not ready yet (-1: none) and its kind (K_NEXT, K_LOAD2, K_MUL2) */
  reg: number;
  kind: number;
}

/** DSP-extension multiplies (class dsp): the MAC unit's, ASSUMED (jnk0le lists them with the multiplies) */
const DSP_MULTIPLY = new Set(['dsp_smlaxy', 'dsp_smlad', 'dsp_smlawy', 'dsp_smmla', 'dsp_smlalxy', 'dsp_smlald']);
const MUL_CLASSES = new Set<TimingClass>(['mul', 'mac', 'mull']);
const LOAD_CLASSES = new Set<TimingClass>(['ld', 'pld']);
const STORE_CLASSES = new Set<TimingClass>(['st', 'st_reg', 'strd', 'stm', 'stex']);
/** classes whose operands are needed when the branch resolves, not at issue */
const BRANCH_CLASSES = new Set<TimingClass>(['b', 'bcc', 'bl', 'bx', 'cbz', 'tb']);
const DIRECT_BRANCHES = new Set<TimingClass>(['b', 'bcc', 'bl', 'cbz']);
const SUBWORD_LOAD = /^ldrs?[bh]t?$/;

/** What the model needs to know about one instruction. */
interface Info {
  /** cannot pair at all (single-issue class, undecodable) */
  single: boolean;
  /** issue cycles (LDM ceil(N/2), TBB/TBH 2, others 1); more than 1: never pairs */
  occ: number;
  slot0: boolean;
  mulUnit: boolean;
  /** does not pair with a MUL/MAC */
  mnp: boolean;
  load: boolean;
  store: boolean;
  /** a branch class, or a PC write: one per cycle */
  branch: boolean;
  /** a branch class: its operands are needed at resolution, not at issue */
  resolvesLate: boolean;
  movw: boolean;
  movt: boolean;
  reads: number;
  writes: number;
  /** accumulator registers of a multiply-accumulate */
  acc: number;
  /** registers written, the primary result first, with their latency; sure: a load's or a multiply's result */
  dests: { r: number; lat: number; mul: boolean; sure: boolean }[];
  /** a load's static bank key (base * 2 + bank), -1 unknown; for the instruction as the older of a pair */
  bankOlder: number;
  /** the same as the younger of a pair (its own writeback does not change its own address) */
  bankYounger: number;
  setsFlags: boolean;
  /** SDIV/UDIV (its latency is added at run time) */
  divide: boolean;
}

export interface M7Model extends PipelineModel {
  /** the number of state values (states are 0 .. stateCount - 1, not all reachable) */
  readonly stateCount: number;
  /** does `price` accept this state (a canonical encoding)? */
  isState(state: number): boolean;
  decodeState(state: number): M7State;
  encodeState(st: M7State): number;
  /** a readable form of a state, for traces: `open alu, r3 ready +1, flags 1 ago` */
  describeState(state: number): string;
  /** the mispredict penalty priced for the branch `x` (after `price(x, ...)`) */
  penaltyOf(x: PriceInput): number;
  runtime(env: TimingEnv): M7Branches;
}

/** counters of the branch predictor */
export interface BranchCounters {
  /** branches seen (taken and not taken) */
  branches: number;
  taken: number;
  /** BTAC lookups that hit (the tag matched) */
  btacHits: number;
  mispredicts: number;
  /** cycles added by mispredicts (also in the clock's STALL.branch) */
  penaltyCycles: number;
}

/**
 * The run-time side: the BTAC in typed arrays, updated by every branch. Generated code calls
 * `tm.t(index, address, target, staticTaken, penalty)` when a branch is taken and `tm.n(index, address, staticTaken,
 * penalty)` when it falls through; index -1: no BTAC. Addresses and targets are unsigned 32-bit numbers with bit 0
 * clear; a tag of 1 is an empty entry. The two commonest outcomes are handled in the generated code itself and only
 * counted (`fastTaken`, `fastNotTaken`): a taken branch the BTAC predicts with the right target, and a not-taken one
 * the BTAC does not know and the static rule predicts not taken; neither changes the BTAC or costs a cycle.
 */
export class M7Branches {
  readonly tag: Uint32Array;
  readonly dest: Uint32Array;
  /** taken branches predicted by a BTAC hit with the right target (counted by generated code) */
  fastTaken = 0;
  /** not-taken branches missing the BTAC, statically predicted not taken (counted by generated code) */
  fastNotTaken = 0;
  /** the other outcomes, counted by t() and n() */
  private branches = 0;
  private taken = 0;
  private btacHits = 0;
  private mispredicts = 0;
  private penaltyCycles = 0;

  constructor(readonly clock: Clock, entries: number) {
    this.tag = new Uint32Array(entries).fill(1);
    this.dest = new Uint32Array(entries);
  }

  get counters(): BranchCounters {
    const ft = this.fastTaken, fn = this.fastNotTaken;
    return {
      branches: this.branches + ft + fn, taken: this.taken + ft, btacHits: this.btacHits + ft,
      mispredicts: this.mispredicts, penaltyCycles: this.penaltyCycles,
    };
  }

  private miss(pen: number): void {
    this.mispredicts++;
    this.penaltyCycles += pen;
    this.clock.cycles += pen;
    this.clock.stall[STALL.branch] += pen;
  }

  /** a taken branch at `a` to `tg`; `st`: the static rule predicts taken (1) on a BTAC miss */
  t(i: number, a: number, tg: number, st: number, pen: number): void {
    this.branches++; this.taken++;
    tg >>>= 0;
    if (i < 0) { if (st === 0) this.miss(pen); return; }
    if (this.tag[i] === a) {
      this.btacHits++;
      if (this.dest[i] !== tg) { this.miss(pen); this.dest[i] = tg; }
      return;
    }
    if (st === 0) this.miss(pen);
    this.tag[i] = a;
    this.dest[i] = tg;
  }

  /** a branch at `a` that fell through */
  n(i: number, a: number, st: number, pen: number): void {
    this.branches++;
    if (i >= 0 && this.tag[i] === a) {
      this.btacHits++;
      this.miss(pen);
      this.tag[i] = 1;
      return;
    }
    if (st !== 0) this.miss(pen);
  }

  /** forget every entry (a new program) */
  reset(): void {
    this.tag.fill(1);
    this.dest.fill(0);
  }
}

const hex = (a: number) => '0x' + (a >>> 0).toString(16);

/** The Cortex-M7 model with the numbers of a parsed core file (default: boards/cores/cortex-m7.json). */
export function cortexM7Model(core: M7CoreTiming = CORTEX_M7_TIMING): M7Model {
  const p = core.pipeline;
  const D = p.flagsEarlyDistance.value;
  /** the oldest flags age the state tells apart (at least 1: "set in this cycle" must be distinguishable) */
  const A = Math.max(D, 1);
  const R = A + 1;
  const stateCount = R * SLOTS * PROFILES;
  const dual = p.issueWidth.value >= 2;
  const single = new Set<TimingClass>(p.singleIssueClasses.value);
  const slot0Classes = new Set<TimingClass>(p.slot0OnlyClasses.value);
  const slot0Mnemonics = new Set(p.slot0OnlyMnemonics.value.map((m) => m.toUpperCase()));
  const mulNoPair = new Set<TimingClass>(p.mulNoPairClasses.value);
  const latWord = p.loadUseLatencyWord.value, latSub = p.loadUseLatencySubword.value;
  const latMul = p.mulLatency.value, latChain = p.macChainCycles.value;
  const rpc = p.ldmStmRegistersPerCycle.value;
  const penLate = p.mispredictPenalty.value, penEarly = p.mispredictPenaltyFlagsEarly.value;
  const btac = p.btacEntries.value;
  const divExtra = Math.max(0, p.divideLatency.value - 1);
  const anyIn = (xs: TimingClass[]) => xs.some((c) => mulNoPair.has(c));
  /** does a profile's older instruction refuse a MUL/MAC partner */
  const profMnp: boolean[] = [
    false, anyIn(['alu', 'nop', 'it']), anyIn(['dsp', 'alu']), true, true, anyIn(['st', 'st_reg']),
    anyIn(['b', 'bcc', 'bl', 'bx', 'cbz', 'tb']), anyIn(['alu']), anyIn(['ld', 'pld']),
  ];
  /** the mispredict penalty priced for each branch (price runs before taken/notTaken for the same input) */
  const penalties = new WeakMap<PriceInput, number>();
  const penaltyByAddr = new Map<number, number>();

  // ---------------------------------------------------------------- states
  const encodeState = (st: M7State): number => {
    const age = Math.min(Math.max(st.flagsAge, 0), A);
    const slot = st.reg < 0 ? 0 : 1 + st.reg * 3 + st.kind;
    return (A - age) + R * (slot + SLOTS * st.prof);
  };
  const decodeState = (state: number): M7State => {
    if (!Number.isInteger(state) || state < 0 || state >= stateCount) throw new RangeError(`cortex-m7: no pipeline state ${state}`);
    const rec = state % R;
    const rest = (state - rec) / R;
    const slot = rest % SLOTS;
    const prof = (rest - slot) / SLOTS;
    return { flagsAge: A - rec, prof, reg: slot === 0 ? -1 : Math.floor((slot - 1) / 3), kind: slot === 0 ? 0 : (slot - 1) % 3 };
  };
  const isState = (state: number): boolean => {
    if (!Number.isInteger(state) || state < 0 || state >= stateCount) return false;
    const st = decodeState(state);
    return !(st.prof === P_CLOSED && st.reg >= 0 && st.kind === K_NEXT);
  };
  const describeState = (state: number): string => {
    const st = decodeState(state);
    const prof = st.prof === P_CLOSED ? 'no partner'
      : st.prof < P_LOAD ? `open ${PROFILE_NAMES[st.prof]}`
        : st.prof === P_LOAD ? 'open load (bank unknown)'
          : `open load r${(st.prof - P_LOAD - 1) >> 1} bank ${(st.prof - P_LOAD - 1) & 1}`;
    const reg = st.reg < 0 ? '' : `, r${st.reg} ready +${st.kind === K_NEXT ? 1 : 2}${st.kind === K_LOAD2 ? ' (load)' : st.kind === K_MUL2 ? ' (multiply)' : ''}`;
    const flags = st.flagsAge >= A ? '' : `, flags ${st.flagsAge} ago`;
    return prof + reg + flags;
  };

  // ---------------------------------------------------------------- instruction facts
  /** the bank key of a single load: base * 2 + bit 2 of the offset, when the offset is a multiple of 4 */
  const bankKey = (d: Decoded, addr: number, older: boolean): number => {
    const f = d.f;
    if (f.Rm !== undefined || f.Rn === undefined) return -1; // register offset
    const post = f.P === 0 && f.W === 1;
    if (older && f.W === 1) return -1; // its writeback changes the base for the next load
    let off = post || f.imm === undefined ? 0 : operandValue(d.entry!, f, 'imm', addr);
    if (f.Rn === 15) off = ((addr + 4) & ~3) + off; // literal: Align(PC, 4) +/- imm
    if ((off & 3) !== 0) return -1;
    return f.Rn * 2 + ((off >>> 2) & 1);
  };

  const analyze = (x: PriceInput): Info => {
    const d = x.d, e = d.entry;
    if (!e) {
      return { single: true, occ: 1, slot0: false, mulUnit: false, mnp: false, load: false, store: false, branch: false, resolvesLate: false,
        movw: false, movt: false, reads: 0, writes: 0, acc: 0, dests: [], bankOlder: -1, bankYounger: -1, setsFlags: false, divide: false };
    }
    const cls = e.def.timing, exec = e.def.exec, f = d.f;
    const mnemonic = e.def.id.split('_')[0]!.toUpperCase();
    const mulUnit = MUL_CLASSES.has(cls) || DSP_MULTIPLY.has(exec);
    const reads = regsRead(d, x.conditional);
    const writes = regsWritten(d, x.conditional);
    const cost = core.costs[cls];
    let occ: number;
    if (cls === 'div') occ = 1; // the divider's latency is added at run time (divide())
    else if (cost.registersPerCycle !== undefined) {
      let n = 0;
      for (let m = registerList(d); m; m &= m - 1) n++;
      occ = cost.cycles + Math.ceil(n / (cls === 'ldm' || cls === 'stm' ? rpc : cost.registersPerCycle));
    } else occ = cost.cycles;
    occ = Math.max(1, occ);
    const load = LOAD_CLASSES.has(cls);
    // accumulators: Ra of the 32-bit MACs, RdLo/RdHi of the accumulating long ones
    let acc = 0;
    if (mulUnit) {
      if (f.Ra !== undefined) acc |= 1 << f.Ra;
      if (f.RdLo !== undefined && (reads & (1 << f.RdLo))) acc |= (1 << f.RdLo) | (1 << f.RdHi!);
    }
    // results and their latencies: the primary result first (a load's Rt, a long multiply's RdLo, Rd)
    const lat = load ? (SUBWORD_LOAD.test(exec) ? latSub : latWord) : mulUnit ? latMul : 1;
    const dests: Info['dests'] = [];
    const regs = writes & 0x7fff;
    const primary = [load ? f.Rt : undefined, f.RdLo, f.Rd, f.Rdn, f.Rdm].find((r) => r !== undefined && (regs >>> r) & 1);
    if (primary !== undefined) dests.push({ r: primary, lat, mul: mulUnit, sure: load || mulUnit });
    for (let m = regs; m; m &= m - 1) {
      const r = 31 - Math.clz32(m & -m);
      if (r === primary) continue;
      // a long multiply's other half has the multiply's latency; a writeback is an address-unit result (1)
      const longHalf = mulUnit && r === f.RdHi;
      dests.push({ r, lat: longHalf ? latMul : 1, mul: longHalf, sure: longHalf });
    }
    const branch = BRANCH_CLASSES.has(cls) || (writes & PC_BIT) !== 0;
    return {
      single: single.has(cls),
      occ,
      slot0: slot0Classes.has(cls) || slot0Mnemonics.has(mnemonic),
      mulUnit,
      mnp: mulUnit || mulNoPair.has(cls),
      load,
      store: STORE_CLASSES.has(cls),
      branch,
      resolvesLate: BRANCH_CLASSES.has(cls),
      movw: e.def.id === 'MOVW_T3',
      movt: e.def.id === 'MOVT_T1',
      reads, writes, acc, dests,
      bankOlder: load ? bankKey(d, x.addr, true) : -1,
      bankYounger: load ? bankKey(d, x.addr, false) : -1,
      setsFlags: (writes & FLAGS) !== 0,
      divide: cls === 'div',
    };
  };

  /** the pairing profile an instruction leaves when it issues alone in slot 0 */
  const profileOf = (I: Info): number => {
    if (!dual || I.single || I.occ > 1) return P_CLOSED;
    if (I.branch) return p.notTakenBranchPairs.value ? P_BRANCH : P_CLOSED;
    if (I.load) return I.bankOlder < 0 ? P_LOAD : P_LOAD + 1 + I.bankOlder;
    if (I.mulUnit) return I.slot0 ? P_SLOT0MUL : P_MUL;
    if (I.store) return P_STORE;
    if (I.movw) return P_MOVW;
    return I.slot0 ? P_SLOT0 : P_ALU;
  };

  /** can I issue in slot 1 beside the instruction of profile `prof` (state `st`)? */
  const pairs = (st: M7State, I: Info): boolean => {
    const prof = st.prof;
    if (prof === P_CLOSED || I.single || I.occ > 1 || I.slot0) return false;
    const xMul = prof === P_MUL || prof === P_SLOT0MUL;
    const xLoad = prof >= P_LOAD, xStore = prof === P_STORE, xBranch = prof === P_BRANCH;
    const xMnp = profMnp[Math.min(prof, P_LOAD)]!;
    // resources
    if ((xMul && I.mnp) || (I.mulUnit && xMnp)) return false;
    if (xMul && I.mulUnit && p.macPipes.value < 2) return false;
    if (xStore && I.store && (!p.storesPair.value || p.storePipes.value < 2)) return false;
    if (((xLoad && I.store) || (xStore && I.load)) && !p.loadStorePair.value) return false;
    if (xLoad && I.load) {
      if (p.loadPipes.value < 2) return false;
      if (p.loadsPairOnlyDifferentBanks.value) {
        const xKey = prof - P_LOAD - 1;
        if (xKey < 0 || I.bankYounger < 0 || (xKey >> 1) !== (I.bankYounger >> 1) || (xKey & 1) === (I.bankYounger & 1)) return false;
      }
    }
    if (xBranch && I.branch && p.branchPipes.value < 2) return false;
    const xAlu = prof === P_ALU || prof === P_SLOT0 || prof === P_MOVW;
    const iAlu = !I.load && !I.store && !I.mulUnit && !I.branch;
    if (xAlu && iAlu && p.aluPipes.value < 2) return false;
    // dependencies on the older instruction's results (and anything else not ready in this cycle)
    if (!I.resolvesLate) {
      if (st.reg >= 0 && ((I.reads | I.writes) >>> st.reg) & 1) {
        const movPair = prof === P_MOVW && I.movt && st.kind === K_NEXT;
        if (!movPair) return false;
      }
      if ((I.reads & FLAGS) !== 0 && st.flagsAge === 0) return false;
    } else if (st.reg >= 0 && (I.writes >>> st.reg) & 1) return false;
    return true;
  };

  /** cycles I waits, issuing in the cycle after the state's, for a register not ready: [cycles, cause] */
  const waitFor = (st: M7State, I: Info): [number, StallCause] => {
    if (st.reg < 0 || I.resolvesLate || st.kind === K_NEXT || ((I.reads >>> st.reg) & 1) === 0) return [0, 'pipeline'];
    if (st.kind === K_LOAD2) return [1, 'loadUse'];
    // a multiply's result: an accumulator chain takes it a cycle earlier
    const ready = I.mulUnit && ((I.acc >>> st.reg) & 1) ? Math.min(latChain, 2) : 2;
    return [Math.max(0, ready - 1), 'pipeline'];
  };

  const kindOf = (lat: number, mul: boolean): number => (lat >= 2 ? (mul ? K_MUL2 : K_LOAD2) : K_NEXT);

  return {
    name: 'cortex-m7',
    exceptions: {
      entry: core.exceptions.entry.value, return: core.exceptions.return.value, tailChain: core.exceptions.tailChain.value,
    } satisfies ExceptionCycles,
    // "Unaligned loads +3..4": the lower bound for a halfword on an odd byte and a word on a halfword, the upper for a
    // word on an odd byte (an approximation: jnk0le measured +3 as the older op of a pair and +4 as the younger,
    // whatever the misalignment; the bus cannot tell which). The reference names loads only: stores should not pay it.
    unaligned: [p.unalignedLoadPenaltyMin.value, p.unalignedLoadPenaltyMin.value, p.unalignedLoadPenaltyMax.value],
    // reference/cortex-m-timing.md names unaligned *loads* only; stores go through the store buffer
    unalignedStores: [0, 0, 0],
    stateCount,
    isState,
    decodeState,
    encodeState,
    describeState,

    price(x: PriceInput, state: number): Priced {
      const st = decodeState(state);
      const I = analyze(x);
      let cycles: number, adv: number, ageAtIssue: number;
      let stall = 0, cause: StallCause = 'pipeline';
      const paired = dual && pairs(st, I);
      if (paired) {
        cycles = 0; adv = 0; ageAtIssue = st.flagsAge;
      } else {
        [stall, cause] = waitFor(st, I);
        cycles = 1 + stall + (I.occ - 1);
        adv = cycles;
        ageAtIssue = Math.min(A, st.flagsAge + 1 + stall);
      }
      // a branch: the penalty its mispredict will cost (flags forwarded when set long enough before it)
      if (I.branch) {
        const pen = (I.reads & FLAGS) !== 0 && ageAtIssue >= D ? penEarly : penLate;
        penalties.set(x, pen);
        penaltyByAddr.set(x.addr >>> 0, pen);
      }
      // the register left pending: the old one, aged, or one of I's results; the latest-ready wins, then the youngest
      let reg = -1, kind = 0, ready = 0;
      if (st.reg >= 0) {
        const r0 = (st.kind === K_NEXT ? 1 : 2) - adv;
        if (r0 > 0) { reg = st.reg; ready = r0; kind = r0 >= 2 ? st.kind : K_NEXT; }
      }
      if (I.occ === 1 && !I.resolvesLate) {
        for (const dst of I.dests) {
          const r = Math.min(dst.lat, 2);
          if (r <= 0 || dst.r === 15) continue;
          // on a tie with the old one (an aged load or multiply result, sure to block a partner) the new result wins
          // only when it is a load's or a multiply's too: an add/sub/mov result may be forwarded within a pair
          // on silicon (jnk0le: "result of early alu can be forwarded to late alu in 0 cycles")
          if (r > ready || (r === ready && dst.sure)) { reg = dst.r; ready = r; kind = kindOf(r, dst.mul); break; }
        }
      }
      const prof = paired ? P_CLOSED : profileOf(I);
      if (prof === P_CLOSED && kind === K_NEXT) reg = -1;
      // (a divide's run-time cycles count towards the flags' age: it holds the pipeline)
      const flagsAge = I.setsFlags ? (paired ? 0 : I.occ - 1) : st.flagsAge + adv + (I.divide ? divExtra : 0);
      const out: Priced = { cycles, state: encodeState({ flagsAge, prof, reg: reg < 0 ? -1 : reg, kind: reg < 0 ? 0 : kind }) };
      if (stall > 0) out.stalls = { [cause]: stall };
      return out;
    },

    penaltyOf,

    taken(x: PriceInput, target: string, known: number | undefined, loop = false): string {
      const e = x.d.entry!;
      const cls = e.def.timing;
      const a = x.addr >>> 0;
      const i = btac > 0 ? (a >>> 1) % btac : -1;
      const pen = penaltyOf(x);
      const direct = DIRECT_BRANCHES.has(cls);
      const tgt = direct ? (known ?? directTarget(x)) : undefined;
      const st = direct ? staticTaken(x, tgt!) : 0;
      const call = `tm.t(${i},${hex(a)},${tgt !== undefined ? hex(tgt) : target},${st},${pen});`;
      if (i < 0) return call;
      // the BTAC predicts it, target included: only counted (M7Branches.fastTaken); on a loop's back edge taken at the
      // end of the previous pass too, the BTAC holds it (t() leaves the entry at this address and target)
      const fast = `if(tm.tag[${i}]===${hex(a)}&&tm.dest[${i}]===${tgt !== undefined ? hex(tgt) : `(${target})>>>0`})tm.fastTaken++;else ${call}`;
      return loop ? `if(iter!==0)tm.fastTaken++;else ${fast}` : fast;
    },

    notTaken(x: PriceInput, known: number | undefined): string {
      const e = x.d.entry!;
      const a = x.addr >>> 0;
      const i = btac > 0 ? (a >>> 1) % btac : -1;
      const direct = DIRECT_BRANCHES.has(e.def.timing);
      const st = direct ? staticTaken(x, known ?? directTarget(x)) : 0;
      const call = `tm.n(${i},${hex(a)},${st},${penaltyOf(x)});`;
      if (i < 0 || st !== 0) return call;
      // not in the BTAC and statically not taken: predicted right, only counted (M7Branches.fastNotTaken)
      return `if(tm.tag[${i}]!==${hex(a)})tm.fastNotTaken++;else ${call}`;
    },

    divide(): string {
      return divExtra > 0 ? `s.cycles+=${divExtra};s.stall[${STALL.divide}]+=${divExtra};` : '';
    },

    runtime(env: TimingEnv): M7Branches {
      return new M7Branches(env.clock, btac);
    },
  };

  /** the mispredict penalty priced for the branch `x` (by `price`, which the engine runs first) */
  function penaltyOf(x: PriceInput): number {
    return penalties.get(x) ?? penaltyByAddr.get(x.addr >>> 0) ?? penLate;
  }

  /** the target of a direct branch (B, B<c>, BL, CBZ), bit 0 clear */
  function directTarget(x: PriceInput): number {
    return (operandValue(x.d.entry!, x.d.f, 'label', x.addr) & ~1) >>> 0;
  }

  /** does the static rule predict this direct branch taken? */
  function staticTaken(x: PriceInput, target: number): number {
    const cls = x.d.entry!.def.timing;
    const conditional = cls === 'bcc' || cls === 'cbz' || x.conditional;
    if (!conditional) return 1;
    switch (p.staticPrediction.value) {
      case 'always-taken': return 1;
      case 'never-taken': return 0;
      default: return (target >>> 0) <= (x.addr >>> 0) ? 1 : 0;
    }
  }
}
