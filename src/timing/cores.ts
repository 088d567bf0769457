/**
 * Core timing as data: the types of a core description (boards/cores/*.json, documented field by field in
 * boards/cores/README.md), its validator, and the shipped cores (imported, so the core needs no file system).
 *
 * A core file gives a base cost for every timing class of src/isa/types.ts and the core's pipeline parameters, each
 * number with the `source` it comes from (a quoted line of shared/reference/cortex-m-timing.md) and, when the reference
 * has no number, an `assumed` string saying why the value was chosen.
 *
 * Every error reads `file: $.json.path: expected ..., got ...`. The validator never throws (it is fuzzed with random
 * mutations) and reports every error it finds; unknown keys are errors everywhere.
 *
 * The pipeline models (src/timing/m4.ts, src/timing/m7.ts) and the memory system (src/mem/memsys.ts) read their
 * numbers from here.
 */
import type { TimingClass } from '../isa/types.js';
import { show } from '../board/schema.js';
import cortexM4Json from '../../boards/cores/cortex-m4.json' with { type: 'json' };
import cortexM7Json from '../../boards/cores/cortex-m7.json' with { type: 'json' };

export type CoreName = 'cortex-m4' | 'cortex-m7';
export const CORE_NAMES: readonly CoreName[] = ['cortex-m4', 'cortex-m7'];

/** Every timing class, in the order of src/isa/types.ts (checked against the type below). */
export const TIMING_CLASSES = [
  'alu', 'mul', 'mac', 'mull', 'div', 'dsp',
  'ld', 'st', 'st_reg', 'ldrd', 'strd', 'ldm', 'stm', 'ldex', 'stex', 'pld',
  'b', 'bcc', 'bl', 'bx', 'cbz', 'tb', 'it',
  'sys', 'nop', 'wfx', 'barrier', 'svc', 'bkpt', 'udf',
] as const satisfies readonly TimingClass[];
type MissingClass = Exclude<TimingClass, (typeof TIMING_CLASSES)[number]>;
const everyClassListed: [MissingClass] extends [never] ? true : MissingClass = true;
void everyClassListed;

/** Costs that a run-time rule adds to `cycles` (the number then is the minimum). */
export const DYNAMIC = ['divide', 'wait', 'barrier'] as const;
export type Dynamic = (typeof DYNAMIC)[number];

/** The base cost of one timing class. */
export interface ClassCost {
  /** cycles of the instruction, not counting a taken branch's refill, registers, or dynamic costs */
  cycles: number;
  /** upper bound when the reference gives a range ("1 or 2", "2..12") */
  max?: number;
  /** LDM/STM: add ceil(N / registersPerCycle) for N registers in the list (M4 1 -> 1+N, M7 2 -> ceil(N/2)) */
  registersPerCycle?: number;
  /** a taken branch / PC write adds the pipeline's refill (M4 P) or, on a mispredict, the M7 penalty */
  refill?: boolean;
  /** a run-time rule adds to cycles: pipeline divide formula, wait for event/interrupt, barrier drain */
  dynamic?: Dynamic;
  /** where the number comes from: the reference's row, quoted */
  source: string;
  /** present when the reference gives no number: why this value */
  assumed?: string;
}

/** One pipeline / exception / cache parameter. */
export interface Sourced<T> { value: T; source: string; assumed?: string }

type Kind =
  | { readonly t: 'int'; readonly min: number; readonly max: number }
  | { readonly t: 'bool' }
  | { readonly t: 'classes' }
  | { readonly t: 'strings' }
  | { readonly t: 'ints'; readonly min: number; readonly max: number }
  | { readonly t: 'enum'; readonly of: readonly string[] };
type Spec = Readonly<Record<string, Kind>>;
type KindType<K> =
  K extends { t: 'int' } ? number :
  K extends { t: 'bool' } ? boolean :
  K extends { t: 'classes' } ? TimingClass[] :
  K extends { t: 'ints' } ? number[] :
  K extends { t: 'enum'; of: readonly (infer E)[] } ? E :
  string[];
export type Params<S extends Spec> = { [K in keyof S]: Sourced<KindType<S[K]>> };

const cyc = (max = 64) => ({ t: 'int', min: 0, max }) as const;
const BOOL = { t: 'bool' } as const;
const CLASSES = { t: 'classes' } as const;

/** Cortex-M4 pipeline parameters (names follow the reference's rules). */
export const M4_PIPELINE = {
  refillMin: cyc(3),
  refillMax: cyc(3),
  refill: cyc(3),
  refillWide32OddHalfword: cyc(3),
  itFolding: BOOL,
  itFoldedCycles: cyc(1),
  itFoldsOnlyAfter16Bit: BOOL,
  neighbouringLoadsPipeline: BOOL,
  pipelinedAccessCycles: cyc(2),
  loadThenStorePipelines: BOOL,
  noPipelineWhenAddressUsesLoadResult: BOOL,
  noPipelineAfterRegisterOffsetStore: BOOL,
  multipleAccessesDoNotPipeline: BOOL,
  pipelineOnlySameMemoryBlock: BOOL,
  storeThenLoadPenalty: cyc(4),
  wide32LoadOnOddHalfwordMayNotPipeline: BOOL,
  literalLoadPenalty: cyc(4),
  storeBufferDepth: { t: 'int', min: 0, max: 16 },
  storesStallOnlyWhenBufferFull: BOOL,
  unalignedHalfwordOddByte: cyc(8),
  unalignedWordHalfword: cyc(8),
  unalignedWordOddByte: cyc(8),
  divideZero: cyc(),
  divideShort: cyc(),
  divideBase: cyc(),
  divideBitsPerCycle: { t: 'int', min: 1, max: 32 },
  divideMin: cyc(),
  divideMax: cyc(),
  ldmStmBase: cyc(8),
  ldmStmPerRegister: cyc(8),
} as const satisfies Spec;

/** Cortex-M7 pipeline parameters. */
export const M7_PIPELINE = {
  issueWidth: { t: 'int', min: 1, max: 4 },
  aluPipes: { t: 'int', min: 1, max: 4 },
  loadPipes: { t: 'int', min: 1, max: 4 },
  storePipes: { t: 'int', min: 1, max: 4 },
  macPipes: { t: 'int', min: 1, max: 4 },
  branchPipes: { t: 'int', min: 1, max: 4 },
  fpPipes: { t: 'int', min: 1, max: 4 },
  singleIssueClasses: CLASSES,
  slot0OnlyClasses: CLASSES,
  slot0OnlyMnemonics: { t: 'strings' },
  twoSlot0OnlyPair: BOOL,
  mulNoPairClasses: CLASSES,
  mulLatency: cyc(8),
  macChainCycles: cyc(8),
  loadUseLatencyWord: cyc(8),
  loadUseLatencySubword: cyc(8),
  loadsPairOnlyDifferentBanks: BOOL,
  storesPair: BOOL,
  loadStorePair: BOOL,
  ldmStmRegistersPerCycle: { t: 'int', min: 1, max: 4 },
  mispredictPenalty: cyc(),
  mispredictPenaltyFlagsEarly: cyc(),
  flagsEarlyDistance: cyc(16),
  mispredictPenaltyLlvm: cyc(),
  btacEntries: { t: 'int', min: 0, max: 4096 },
  staticPrediction: { t: 'enum', of: ['backward-taken', 'never-taken', 'always-taken'] },
  notTakenBranchPairs: BOOL,
  divideLatency: cyc(),
  unalignedLoadPenaltyMin: cyc(16),
  unalignedLoadPenaltyMax: cyc(16),
} as const satisfies Spec;

/** Exception entry / return / tail-chain cycles, without and with lazy FP stacking. */
export const EXCEPTIONS = {
  entry: cyc(),
  return: cyc(),
  tailChain: cyc(),
  entryFp: cyc(),
  returnFp: cyc(),
} as const satisfies Spec;

/** Cortex-M7 L1 caches and TCM (the line fill; geometry per board is in the board file). */
export const M7_CACHES = {
  lineBytes: { t: 'int', min: 4, max: 1024 },
  sizesKB: { t: 'ints', min: 0, max: 64 },
  icacheWays: { t: 'int', min: 1, max: 64 },
  dcacheWays: { t: 'int', min: 1, max: 64 },
  readAllocate: BOOL,
  criticalWordFirst: BOOL,
  nonBlockingLinefill: BOOL,
  lineFillBeatBytes: { t: 'int', min: 1, max: 64 },
  replacement: { t: 'enum', of: ['lru', 'round-robin', 'random'] },
  itcmWidthBits: { t: 'int', min: 8, max: 128 },
  dtcmBanks: { t: 'int', min: 1, max: 8 },
  dtcmBankWidthBits: { t: 'int', min: 8, max: 128 },
  tcmWaitStates: cyc(15),
  /** bus (AXI) clocks between the beats of a line fill after the first (src/mem/l1.ts, src/mem/memsys.ts) */
  fillBeatCycles: cyc(16),
  /** bus (AXI) clocks until the first data of an SRAM read: a line fill's critical beat, an uncached load */
  sramLatency: cyc(),
  /** core cycles a store stalls when it goes to memory (write-through, non-cacheable, D-cache off) */
  memoryWriteCycles: cyc(16),
  /** core cycles a dirty line's write-back stalls (an eviction or a clean, through the eviction buffer) */
  writeBackCycles: cyc(),
} as const satisfies Spec;

interface CoreTimingBase {
  description: string;
  /** the reference the sources quote */
  reference: string;
  costs: Record<TimingClass, ClassCost>;
  exceptions: Params<typeof EXCEPTIONS>;
}
export interface M4CoreTiming extends CoreTimingBase { core: 'cortex-m4'; pipeline: Params<typeof M4_PIPELINE> }
export interface M7CoreTiming extends CoreTimingBase {
  core: 'cortex-m7';
  pipeline: Params<typeof M7_PIPELINE>;
  caches: Params<typeof M7_CACHES>;
}
export type CoreTiming = M4CoreTiming | M7CoreTiming;

export interface CoreValidationResult { core?: CoreTiming; errors: string[] }

// ---------------------------------------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function sub(path: string, key: string): string {
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
function oneOf(xs: readonly string[]): string {
  const q = xs.map((x) => JSON.stringify(x));
  if (q.length === 1) return q[0]!;
  if (q.length === 2) return `${q[0]} or ${q[1]}`;
  return `one of ${q.join(', ')}`;
}
const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

class Checker {
  readonly errors: string[] = [];
  constructor(readonly file: string) {}
  err(path: string, msg: string): void { this.errors.push(`${this.file}: ${path}: ${msg}`); }

  /** An object with the keys `required` and possibly `optional`, and no others. */
  object(v: unknown, path: string, required: readonly string[], optional: readonly string[], what: string): Record<string, unknown> | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) { this.err(path, `expected ${what}, got ${show(v)}`); return undefined; }
    const o = v as Record<string, unknown>;
    const known = [...required, ...optional];
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) this.err(sub(path, k), `unknown key; expected ${oneOf(known).replace(/^one of /, '')}`);
    }
    for (const k of required) if (!own(o, k)) this.err(sub(path, k), 'missing');
    return o;
  }
  string(v: unknown, path: string): string | undefined {
    if (typeof v === 'string' && v.trim().length > 0) return v;
    this.err(path, `expected a non-empty string, got ${show(v)}`);
    return undefined;
  }
  int(v: unknown, path: string, min: number, max: number): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.err(path, `expected a whole number from ${min} to ${max}, got ${show(v)}`);
    return undefined;
  }
  bool(v: unknown, path: string): boolean | undefined {
    if (typeof v === 'boolean') return v;
    this.err(path, `expected true or false, got ${show(v)}`);
    return undefined;
  }
  enumOf<T extends string>(v: unknown, path: string, xs: readonly T[]): T | undefined {
    if (typeof v === 'string' && (xs as readonly string[]).includes(v)) return v as T;
    this.err(path, `expected ${oneOf(xs)}, got ${show(v)}`);
    return undefined;
  }
  array(v: unknown, path: string, what: string): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    this.err(path, `expected ${what}, got ${show(v)}`);
    return undefined;
  }

  /** `source` (required) and `assumed` (optional) of a cost or parameter object already checked for keys. */
  provenance(o: Record<string, unknown>, path: string): { source?: string; assumed?: string; ok: boolean } {
    const n0 = this.errors.length;
    const source = own(o, 'source') ? this.string(o.source, `${path}.source`) : undefined;
    const assumed = own(o, 'assumed') ? this.string(o.assumed, `${path}.assumed`) : undefined;
    return { source, assumed, ok: this.errors.length === n0 && source !== undefined };
  }
}

function parseValue(c: Checker, v: unknown, path: string, k: Kind): unknown {
  switch (k.t) {
    case 'int': return c.int(v, path, k.min, k.max);
    case 'bool': return c.bool(v, path);
    case 'enum': return c.enumOf(v, path, k.of);
    case 'classes': case 'strings': case 'ints': {
      const what = k.t === 'classes' ? 'an array of timing classes' : k.t === 'ints' ? 'an array of whole numbers' : 'an array of non-empty strings';
      const arr = c.array(v, path, what);
      if (!arr) return undefined;
      const n0 = c.errors.length;
      const out = arr.map((x, i) => {
        const p = `${path}[${i}]`;
        if (k.t === 'classes') return c.enumOf(x, p, TIMING_CLASSES);
        if (k.t === 'ints') return c.int(x, p, k.min, k.max);
        return c.string(x, p);
      });
      const seen = new Set<unknown>();
      out.forEach((x, i) => {
        if (x === undefined) return;
        if (seen.has(x)) c.err(`${path}[${i}]`, `expected no repeats, got ${show(x)} twice`);
        seen.add(x);
      });
      return c.errors.length === n0 ? out : undefined;
    }
  }
}

function parseParams<S extends Spec>(c: Checker, v: unknown, path: string, spec: S): Params<S> | undefined {
  const names = Object.keys(spec);
  const n0 = c.errors.length;
  const o = c.object(v, path, names, [], `an object of parameters { ${names.slice(0, 3).join(', ')}, ... }`);
  if (!o) return undefined;
  const out: Record<string, Sourced<unknown>> = {};
  for (const name of names) {
    if (!own(o, name)) continue;
    const p = sub(path, name);
    const po = c.object(o[name], p, ['value', 'source'], ['assumed'], 'an object { value, source, assumed? }');
    if (!po) continue;
    const value = own(po, 'value') ? parseValue(c, po.value, `${p}.value`, spec[name]!) : undefined;
    const prov = c.provenance(po, p);
    if (value !== undefined && prov.ok) out[name] = { value, source: prov.source!, ...(prov.assumed ? { assumed: prov.assumed } : {}) };
  }
  return c.errors.length === n0 ? (out as Params<S>) : undefined;
}

const COST_KEYS = ['cycles', 'source'] as const;
const COST_OPTIONAL = ['max', 'registersPerCycle', 'refill', 'dynamic', 'assumed'] as const;

function parseCost(c: Checker, v: unknown, path: string): ClassCost | undefined {
  const n0 = c.errors.length;
  const o = c.object(v, path, COST_KEYS, COST_OPTIONAL, 'an object { cycles, source, ... }');
  if (!o) return undefined;
  const cycles = own(o, 'cycles') ? c.int(o.cycles, `${path}.cycles`, 0, 64) : undefined;
  let max: number | undefined;
  if (own(o, 'max')) {
    max = c.int(o.max, `${path}.max`, 0, 64);
    if (max !== undefined && cycles !== undefined && max <= cycles) c.err(`${path}.max`, `expected more than cycles (${cycles}), got ${max}`);
  }
  const registersPerCycle = own(o, 'registersPerCycle') ? c.int(o.registersPerCycle, `${path}.registersPerCycle`, 1, 4) : undefined;
  const refill = own(o, 'refill') ? c.bool(o.refill, `${path}.refill`) : undefined;
  const dynamic = own(o, 'dynamic') ? c.enumOf(o.dynamic, `${path}.dynamic`, DYNAMIC) : undefined;
  const prov = c.provenance(o, path);
  if (c.errors.length !== n0 || cycles === undefined || !prov.ok) return undefined;
  return {
    cycles,
    ...(max !== undefined ? { max } : {}),
    ...(registersPerCycle !== undefined ? { registersPerCycle } : {}),
    ...(refill !== undefined ? { refill } : {}),
    ...(dynamic !== undefined ? { dynamic } : {}),
    source: prov.source!,
    ...(prov.assumed !== undefined ? { assumed: prov.assumed } : {}),
  };
}

function parseCosts(c: Checker, v: unknown): Record<TimingClass, ClassCost> | undefined {
  const n0 = c.errors.length;
  const o = c.object(v, '$.costs', TIMING_CLASSES, [], 'an object with a cost for every timing class');
  if (!o) return undefined;
  const out: Partial<Record<TimingClass, ClassCost>> = {};
  for (const cls of TIMING_CLASSES) {
    if (!own(o, cls)) continue;
    const cost = parseCost(c, o[cls], `$.costs.${cls}`);
    if (cost) out[cls] = cost;
  }
  return c.errors.length === n0 ? (out as Record<TimingClass, ClassCost>) : undefined;
}

function validate(c: Checker, json: unknown): CoreTiming | undefined {
  const o = c.object(json, '$', ['core', 'description', 'reference', 'costs', 'pipeline', 'exceptions'], ['caches'], 'a core timing object { core, description, reference, costs, pipeline, exceptions }');
  if (!o) return undefined;
  const core = own(o, 'core') ? c.enumOf(o.core, '$.core', CORE_NAMES) : undefined;
  const description = own(o, 'description') ? c.string(o.description, '$.description') : undefined;
  const reference = own(o, 'reference') ? c.string(o.reference, '$.reference') : undefined;
  const costs = own(o, 'costs') ? parseCosts(c, o.costs) : undefined;
  const exceptions = own(o, 'exceptions') ? parseParams(c, o.exceptions, '$.exceptions', EXCEPTIONS) : undefined;
  if (core === undefined) return undefined;
  const hasCaches = own(o, 'caches');
  if (core === 'cortex-m4') {
    if (hasCaches) c.err('$.caches', 'unexpected on a cortex-m4 (it has no L1 caches); remove it');
    const pipeline = own(o, 'pipeline') ? parseParams(c, o.pipeline, '$.pipeline', M4_PIPELINE) : undefined;
    if (pipeline) crossM4(c, pipeline);
    if (c.errors.length || !description || !reference || !costs || !exceptions || !pipeline) return undefined;
    return { core, description, reference, costs, pipeline, exceptions };
  }
  if (!hasCaches) c.err('$.caches', 'missing; expected the cache and TCM parameters of a cortex-m7');
  const pipeline = own(o, 'pipeline') ? parseParams(c, o.pipeline, '$.pipeline', M7_PIPELINE) : undefined;
  const caches = hasCaches ? parseParams(c, o.caches, '$.caches', M7_CACHES) : undefined;
  if (pipeline) crossM7(c, pipeline);
  if (c.errors.length || !description || !reference || !costs || !exceptions || !pipeline || !caches) return undefined;
  return { core, description, reference, costs, pipeline, exceptions, caches };
}

function ordered(c: Checker, path: string, lo: number, hi: number, loName: string): void {
  if (hi < lo) c.err(`${path}.value`, `expected at least ${loName} (${lo}), got ${hi}`);
}

function crossM4(c: Checker, p: Params<typeof M4_PIPELINE>): void {
  ordered(c, '$.pipeline.refillMax', p.refillMin.value, p.refillMax.value, 'refillMin');
  for (const k of ['refill', 'refillWide32OddHalfword'] as const) {
    const v = p[k].value;
    if (v < p.refillMin.value || v > p.refillMax.value) c.err(`$.pipeline.${k}.value`, `expected a refill from refillMin (${p.refillMin.value}) to refillMax (${p.refillMax.value}), got ${v}`);
  }
  ordered(c, '$.pipeline.divideMax', p.divideMin.value, p.divideMax.value, 'divideMin');
}

function crossM7(c: Checker, p: Params<typeof M7_PIPELINE>): void {
  ordered(c, '$.pipeline.unalignedLoadPenaltyMax', p.unalignedLoadPenaltyMin.value, p.unalignedLoadPenaltyMax.value, 'unalignedLoadPenaltyMin');
  const single = new Set(p.singleIssueClasses.value);
  p.slot0OnlyClasses.value.forEach((cls, i) => {
    if (single.has(cls)) c.err(`$.pipeline.slot0OnlyClasses.value[${i}]`, `expected a class that is not single-issue (it is in singleIssueClasses), got ${show(cls)}`);
  });
}

/** Validate parsed JSON as a core timing description; never throws. */
export function validateCore(json: unknown, file: string): CoreValidationResult {
  const c = new Checker(file);
  let core: CoreTiming | undefined;
  try {
    core = validate(c, json);
  } catch (e) {
    // a value no JSON parser produces (a throwing getter, a revoked proxy): report, never throw
    let msg = 'unknown';
    try { msg = e instanceof Error ? e.message : show(e); } catch { /* keep 'unknown' */ }
    c.err('$', `internal error while validating: ${msg}`);
    core = undefined;
  }
  if (c.errors.length) return { errors: c.errors };
  if (!core) return { errors: [`${file}: $: expected a core timing object, got an incomplete one`] };
  return { core, errors: [] };
}

/** Parse JSON text and validate it; a syntax error is `file: invalid JSON: ...`. */
export function parseCore(text: string, file: string): CoreValidationResult {
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) {
    return { errors: [`${file}: invalid JSON: ${e instanceof Error ? e.message : show(e)}`] };
  }
  return validateCore(json, file);
}

// ---------------------------------------------------------------------------------------------------------------

/** [file name as in the repository, parsed JSON] of every shipped core. */
export const CORE_FILES: readonly (readonly [string, unknown])[] = [
  ['boards/cores/cortex-m4.json', cortexM4Json],
  ['boards/cores/cortex-m7.json', cortexM7Json],
];

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function load(): Readonly<Record<CoreName, CoreTiming>> {
  const out: Partial<Record<CoreName, CoreTiming>> = {};
  for (const [file, json] of CORE_FILES) {
    const { core, errors } = validateCore(json, file);
    if (!core) throw new Error(`invalid shipped core:\n${errors.join('\n')}`);
    if (out[core.core]) throw new Error(`${file}: core ${core.core} is described twice`);
    const expected = file.replace(/^.*\//, '').replace(/\.json$/, '');
    if (core.core !== expected) throw new Error(`${file}: holds core ${core.core}, expected ${expected}`);
    out[core.core] = deepFreeze(core);
  }
  for (const n of CORE_NAMES) if (!out[n]) throw new Error(`no shipped timing for core ${n}`);
  return Object.freeze(out as Record<CoreName, CoreTiming>);
}

/** The shipped core timings, validated and frozen. */
export const CORE_TIMINGS: Readonly<Record<CoreName, CoreTiming>> = load();
export const CORTEX_M4_TIMING = CORE_TIMINGS['cortex-m4'] as M4CoreTiming;
export const CORTEX_M7_TIMING = CORE_TIMINGS['cortex-m7'] as M7CoreTiming;
