/**
 * Boards as data: the types of a board description (boards/*.json, documented field by field in boards/README.md)
 * and the validator that turns parsed JSON into a Board or a list of precise errors.
 *
 * Every error reads `file: $.json.path: what was expected, got what was there`. The validator never throws, whatever
 * it is given (it is fuzzed with random mutations); it collects every error it can find instead of stopping at the
 * first, and checks the cross-field rules (overlaps, references, tables) only on the parts that parsed.
 *
 * Numbers in JSON:
 * - addresses (`base`, alias `base`, peripheral `base`, `bootAddress`): a JSON integer, or a hex string "0x08000000"
 *   (1 to 8 hex digits, either case). Decimal strings are not addresses.
 * - sizes (`size`, `sramBudget`): a positive JSON integer, a hex string "0x4000", or a decimal string with an optional
 *   K (x1024) or M (x1048576) suffix: "16K", "4M", "320K", "1024". At most 4 GiB.
 * - clocks (`clockHz`, `busClockHz`, `maxHz`): JSON integers in Hz (no suffixes: "M" would be ambiguous).
 */

export type CoreName = 'cortex-m4' | 'cortex-m7';
export type RegionKind = 'flash' | 'ram' | 'tcm' | 'peripheral';
export type Access = 'r' | 'rx' | 'rw' | 'rwx';
export type PeripheralKind = 'scs' | 'cmsdk-uart' | 'stm32f4-usart' | 'stm32f7-usart' | 'stm32h7-usart'
  | 'stm32f4-flash' | 'stm32f7-flash' | 'stm32h7-flash';

export const CORES: readonly CoreName[] = ['cortex-m4', 'cortex-m7'];
export const REGION_KINDS: readonly RegionKind[] = ['flash', 'ram', 'tcm', 'peripheral'];
export const ACCESS: readonly Access[] = ['r', 'rx', 'rw', 'rwx'];
/** Register-block size of each peripheral kind, in bytes: a peripheral must fit inside a 'peripheral' region. */
export const PERIPHERAL_SIZE: Readonly<Record<PeripheralKind, number>> = {
  'scs': 0x1000,            // System Control Space 0xE000E000-0xE000EFFF (ARMv7-M ARM B3.2)
  'cmsdk-uart': 0x1000,     // CMSDK APB UART: one 4 KB APB slot
  'stm32f4-usart': 0x400,   // SR/DR layout (RM0383, RM0402)
  'stm32f7-usart': 0x400,   // ISR/TDR layout (RM0385, RM0410)
  'stm32h7-usart': 0x400,   // ISR/TDR layout with FIFO (RM0433)
  'stm32f4-flash': 0x400,   // flash interface registers 0x40023C00-0x40023FFF, FLASH_ACR at +0 (RM0383, RM0402)
  'stm32f7-flash': 0x400,   // flash interface registers 0x40023C00-0x40023FFF, FLASH_ACR at +0 (RM0385, RM0410)
  'stm32h7-flash': 0x1000,  // flash interface registers 0x52002000-0x52002FFF, FLASH_ACR at +0 (RM0433)
};
export const PERIPHERAL_KINDS = Object.keys(PERIPHERAL_SIZE) as PeripheralKind[];
/** Kinds that can carry a program's stdout. */
export const UART_KINDS: readonly PeripheralKind[] = ['cmsdk-uart', 'stm32f4-usart', 'stm32f7-usart', 'stm32h7-usart'];
export const WRITE_POLICIES = ['write-back', 'write-through'] as const;
export const REPLACEMENTS = ['lru', 'fifo', 'round-robin', 'random'] as const;
/** Widths of a flash read (a flash line), in bits. */
export const FLASH_LINE_BITS = [64, 128, 256] as const;
/** Largest wait-state count accepted (the STM32 FLASH_ACR LATENCY field is 4 bits). */
export const MAX_WAIT_STATES = 15;
export const SCS_BASE = 0xe000e000;
export const SCS_SIZE = 0x1000;

export interface BoardRegion {
  name: string;
  description?: string;
  /** byte address of the first byte */
  base: number;
  /** bytes; a multiple of 4 */
  size: number;
  kind: RegionKind;
  access: Access;
  /** extra wait states per access in bus clocks, or 'flash': the board's flash table at the bus clock; default 0 */
  waitStates?: number | 'flash';
  /** other addresses where the same memory appears (same size) */
  aliases?: { base: number }[];
}

export interface FlashTable {
  /** ascending: the first entry whose maxHz >= the bus clock gives the wait states */
  waitStateTable: { maxHz: number; waitStates: number }[];
  /** bits the flash reads at once (one flash line: a read inside the line last read costs no wait states); default 128 */
  lineBits?: (typeof FLASH_LINE_BITS)[number];
}

export interface ArtCache { lines: number; lineBits: number }
export interface Accelerator {
  kind: 'art';
  /** prefetch enabled (as ST's HAL start-up code leaves it) */
  prefetch: boolean;
  icache: ArtCache;
  dcache?: ArtCache;
}

export interface CacheGeometry { sizeKB: number; ways: number; lineBytes: number }
export interface Caches {
  icache?: CacheGeometry;
  dcache?: CacheGeometry & { writePolicy: (typeof WRITE_POLICIES)[number] };
  /** replacement policy (not published by Arm: a model parameter); default 'lru' */
  replacement?: (typeof REPLACEMENTS)[number];
}

export interface BoardPeripheral { name: string; kind: PeripheralKind; base: number; description?: string }

export interface Board {
  name: string;
  description: string;
  core: CoreName;
  /** core clock in Hz */
  clockHz: number;
  /** bus (HCLK/AXI) clock in Hz that flash wait states are counted in; default clockHz */
  busClockHz?: number;
  /** where the vector table is read at reset; default 0 */
  bootAddress?: number;
  regions: BoardRegion[];
  flash?: FlashTable;
  accelerator?: Accelerator;
  caches?: Caches;
  peripherals: BoardPeripheral[];
  /** name of the UART peripheral that carries stdout */
  stdout?: string;
  /** bytes of SRAM a model may use (the MCUNet "does it fit" budget) */
  sramBudget?: number;
  /** where the numbers come from */
  sources?: string[];
}

export interface ValidationResult { board?: Board; errors: string[] }

// ---------------------------------------------------------------------------------------------------------------

/** A value as it appears in an error message; never throws (BigInt, cycles, symbols...). */
export function show(v: unknown): string {
  try {
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
    if (v === null) return 'null';
    if (Array.isArray(v)) return `an array of ${v.length}`;
    if (typeof v === 'object') return 'an object';
    if (typeof v === 'boolean') return String(v);
    return `a ${typeof v}`;
  } catch {
    return 'an unprintable value';
  }
}

export function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function sub(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function oneOf(xs: readonly string[]): string {
  const q = xs.map((x) => JSON.stringify(x));
  if (q.length === 1) return q[0]!;
  if (q.length === 2) return `${q[0]} or ${q[1]}`;
  return `one of ${q.join(', ')}`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

const ADDRESS_TEXT = 'an address (a number or a hex string like "0x08000000")';
const SIZE_TEXT = 'a size (a number, a hex string like "0x4000", or a string like "16K" or "4M")';
const GB4 = 2 ** 32;

type Shape = Record<string, { required: boolean; expected: string }>;

class Checker {
  readonly errors: string[] = [];
  constructor(readonly file: string) {}

  err(path: string, msg: string): void { this.errors.push(`${this.file}: ${path}: ${msg}`); }

  /** An object with exactly the keys of `shape` (required ones present, no others); undefined if not an object. */
  object(v: unknown, path: string, shape: Shape, what: string): Record<string, unknown> | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.err(path, `expected ${what}, got ${show(v)}`);
      return undefined;
    }
    const o = v as Record<string, unknown>;
    const known = Object.keys(shape);
    for (const k of Object.keys(o)) {
      if (Object.prototype.hasOwnProperty.call(shape, k)) continue;
      const near = known.filter((x) => distance(k.toLowerCase(), x.toLowerCase()) <= 2);
      const hint = near.length ? ` (did you mean ${oneOf(near)}?)` : '';
      this.err(sub(path, k), `unknown key${hint}; expected ${oneOf(known).replace(/^one of /, '')}`);
    }
    for (const [k, s] of Object.entries(shape)) {
      if (s.required && !Object.prototype.hasOwnProperty.call(o, k)) this.err(sub(path, k), `missing; expected ${s.expected}`);
    }
    return o;
  }

  has(o: Record<string, unknown>, k: string): boolean { return Object.prototype.hasOwnProperty.call(o, k); }

  string(v: unknown, path: string, pattern?: { re: RegExp; text: string }): string | undefined {
    if (typeof v !== 'string' || v.length === 0) { this.err(path, `expected a non-empty string, got ${show(v)}`); return undefined; }
    if (pattern && !pattern.re.test(v)) { this.err(path, `expected ${pattern.text}, got ${show(v)}`); return undefined; }
    return v;
  }

  enumOf<T extends string>(v: unknown, path: string, xs: readonly T[]): T | undefined {
    if (typeof v === 'string' && (xs as readonly string[]).includes(v)) return v as T;
    this.err(path, `expected ${oneOf(xs)}, got ${show(v)}`);
    return undefined;
  }

  bool(v: unknown, path: string): boolean | undefined {
    if (typeof v === 'boolean') return v;
    this.err(path, `expected true or false, got ${show(v)}`);
    return undefined;
  }

  int(v: unknown, path: string, min: number, max: number, what: string): number | undefined {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.err(path, `expected ${what}, got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  address(v: unknown, path: string): number | undefined {
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0 && v < GB4) return v;
      this.err(path, `expected an address from 0 to 0xffffffff, got ${show(v)}`);
      return undefined;
    }
    if (typeof v === 'string' && /^0x[0-9a-f]{1,8}$/i.test(v)) return parseInt(v.slice(2), 16);
    this.err(path, `expected ${ADDRESS_TEXT}, got ${show(v)}`);
    return undefined;
  }

  size(v: unknown, path: string, multipleOf4: boolean): number | undefined {
    let n: number;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) { this.err(path, `expected a whole number of bytes, got ${show(v)}`); return undefined; }
      n = v;
    } else if (typeof v === 'string' && /^0x[0-9a-f]{1,9}$/i.test(v)) {
      n = parseInt(v.slice(2), 16);
    } else if (typeof v === 'string' && /^[0-9]{1,10}[KM]?$/.test(v)) {
      const unit = v.endsWith('K') ? 1024 : v.endsWith('M') ? 1024 * 1024 : 1;
      n = parseInt(unit === 1 ? v : v.slice(0, -1), 10) * unit;
    } else {
      this.err(path, `expected ${SIZE_TEXT}, got ${show(v)}`);
      return undefined;
    }
    if (n <= 0) { this.err(path, `expected a positive size, got ${show(v)}`); return undefined; }
    if (n > GB4) { this.err(path, `expected a size of at most 4 GB (0x100000000), got ${show(v)}`); return undefined; }
    if (multipleOf4 && n % 4 !== 0) { this.err(path, `expected a multiple of 4, got ${show(v)}`); return undefined; }
    return n;
  }

  hz(v: unknown, path: string): number | undefined {
    return this.int(v, path, 1, 1e10, 'a positive whole number of Hz');
  }

  array(v: unknown, path: string, what: string, nonEmpty: boolean): unknown[] | undefined {
    if (!Array.isArray(v)) { this.err(path, `expected ${what}, got ${show(v)}`); return undefined; }
    if (nonEmpty && v.length === 0) { this.err(path, `expected ${what}, got an empty array`); return undefined; }
    return v;
  }
}

const NAME = { re: /^[a-z0-9][a-z0-9-]*$/, text: 'a name of lower-case letters, digits and dashes' };
const REGION_NAME = { re: /^[A-Za-z0-9][A-Za-z0-9_-]*$/, text: 'a name of letters, digits, _ and -' };

const BOARD_SHAPE: Shape = {
  name: { required: true, expected: 'the board name (lower-case letters, digits and dashes)' },
  description: { required: true, expected: 'a one-line description' },
  core: { required: true, expected: oneOf(CORES) },
  clockHz: { required: true, expected: 'the core clock in Hz' },
  busClockHz: { required: false, expected: '' },
  bootAddress: { required: false, expected: '' },
  regions: { required: true, expected: 'an array of memory regions' },
  flash: { required: false, expected: '' },
  accelerator: { required: false, expected: '' },
  caches: { required: false, expected: '' },
  peripherals: { required: true, expected: 'an array of peripherals' },
  stdout: { required: false, expected: '' },
  sramBudget: { required: false, expected: '' },
  sources: { required: false, expected: '' },
};
const REGION_SHAPE: Shape = {
  name: { required: true, expected: 'a region name' },
  description: { required: false, expected: '' },
  base: { required: true, expected: ADDRESS_TEXT },
  size: { required: true, expected: SIZE_TEXT },
  kind: { required: true, expected: oneOf(REGION_KINDS) },
  access: { required: true, expected: oneOf(ACCESS) },
  waitStates: { required: false, expected: '' },
  aliases: { required: false, expected: '' },
};
const ALIAS_SHAPE: Shape = { base: { required: true, expected: ADDRESS_TEXT } };
const PERIPHERAL_SHAPE: Shape = {
  name: { required: true, expected: 'a peripheral name' },
  kind: { required: true, expected: oneOf(PERIPHERAL_KINDS) },
  base: { required: true, expected: ADDRESS_TEXT },
  description: { required: false, expected: '' },
};
const FLASH_SHAPE: Shape = {
  waitStateTable: { required: true, expected: 'an array of { maxHz, waitStates }' },
  lineBits: { required: false, expected: '' },
};
const WS_ROW_SHAPE: Shape = {
  maxHz: { required: true, expected: 'the highest bus clock in Hz for this many wait states' },
  waitStates: { required: true, expected: 'a number of wait states' },
};
const ACCEL_SHAPE: Shape = {
  kind: { required: true, expected: '"art"' },
  prefetch: { required: true, expected: 'true or false' },
  icache: { required: true, expected: 'an object { lines, lineBits }' },
  dcache: { required: false, expected: '' },
};
const ART_CACHE_SHAPE: Shape = {
  lines: { required: true, expected: 'a number of lines (a power of 2)' },
  lineBits: { required: true, expected: '64, 128 or 256' },
};
const CACHES_SHAPE: Shape = {
  icache: { required: false, expected: '' },
  dcache: { required: false, expected: '' },
  replacement: { required: false, expected: '' },
};
const CACHE_SHAPE: Shape = {
  sizeKB: { required: true, expected: '4, 8, 16, 32 or 64' },
  ways: { required: true, expected: 'a number of ways (a power of 2)' },
  lineBytes: { required: true, expected: 'the line size in bytes (a power of 2)' },
};
const DCACHE_SHAPE: Shape = { ...CACHE_SHAPE, writePolicy: { required: true, expected: oneOf(WRITE_POLICIES) } };

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

interface Span { start: number; end: number; label: string; path: string }

function checkOverlaps(c: Checker, spans: Span[]): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  let widest: Span | undefined;
  for (const s of sorted) {
    if (widest && s.start < widest.end) {
      c.err(s.path, `${s.label} [${hex(s.start)}, ${hex(s.end)}) overlaps ${widest.label} [${hex(widest.start)}, ${hex(widest.end)}) at ${widest.path}`);
    }
    if (!widest || s.end > widest.end) widest = s;
  }
}

/**
 * Validate a parsed board description. `file` prefixes every error (the JSON file's path as the user wrote it).
 * Returns the board (numbers parsed, optional fields left out when absent) only when there are no errors.
 */
export function validateBoard(json: unknown, file: string): ValidationResult {
  const c = new Checker(file);
  try {
    return validate(c, json);
  } catch (e) {
    // not expected: the checks above are written not to throw; keep the promise anyway
    c.err('$', `internal error while validating: ${e instanceof Error ? e.message : show(e)}`);
    return { errors: c.errors };
  }
}

function validate(c: Checker, json: unknown): ValidationResult {
  const o = c.object(json, '$', BOARD_SHAPE, 'a board description (a JSON object)');
  if (!o) return { errors: c.errors };

  const name = c.has(o, 'name') ? c.string(o.name, '$.name', NAME) : undefined;
  const description = c.has(o, 'description') ? c.string(o.description, '$.description') : undefined;
  const core = c.has(o, 'core') ? c.enumOf(o.core, '$.core', CORES) : undefined;
  const clockHz = c.has(o, 'clockHz') ? c.hz(o.clockHz, '$.clockHz') : undefined;
  let busClockHz: number | undefined;
  if (c.has(o, 'busClockHz')) {
    busClockHz = c.hz(o.busClockHz, '$.busClockHz');
    if (busClockHz !== undefined && clockHz !== undefined && busClockHz > clockHz) {
      c.err('$.busClockHz', `expected at most the core clock (${clockHz} Hz), got ${busClockHz}`);
    }
  }
  const bootAddress = c.has(o, 'bootAddress') ? c.address(o.bootAddress, '$.bootAddress') : undefined;

  // flash table first: regions refer to it
  let flash: FlashTable | undefined;
  if (c.has(o, 'flash')) flash = parseFlash(c, o.flash, busClockHz ?? clockHz, c.has(o, 'busClockHz') ? '$.busClockHz' : '$.clockHz');

  const regions: BoardRegion[] = [];
  let regionsOk = false;
  if (c.has(o, 'regions')) {
    const arr = c.array(o.regions, '$.regions', 'a non-empty array of memory regions', true);
    if (arr) {
      regionsOk = true;
      const spans: Span[] = [];
      const names = new Map<string, string>();
      arr.forEach((rv, i) => {
        const r = parseRegion(c, rv, `$.regions[${i}]`, c.has(o, 'flash'), spans);
        if (!r) { regionsOk = false; return; }
        const first = names.get(r.name);
        if (first !== undefined) c.err(`$.regions[${i}].name`, `duplicate region name ${show(r.name)}, first used at ${first}`);
        else names.set(r.name, `$.regions[${i}].name`);
        regions.push(r);
      });
      checkOverlaps(c, spans);
      if (regionsOk) {
        if (!regions.some((r) => r.access.includes('x'))) c.err('$.regions', 'expected at least one executable region (access "rx" or "rwx"), got none');
        const scs = regions.some((r) => r.kind === 'peripheral' && r.base <= SCS_BASE && r.base + r.size >= SCS_BASE + SCS_SIZE);
        if (!scs) c.err('$.regions', `expected a 'peripheral' region covering the System Control Space [${hex(SCS_BASE)}, ${hex(SCS_BASE + SCS_SIZE)}) (SysTick, NVIC, SCB), got none`);
      }
    }
  }

  if (bootAddress !== undefined && regionsOk) {
    const inExec = regions.some((r) => r.access.includes('x') && [r.base, ...(r.aliases ?? []).map((a) => a.base)]
      .some((b) => bootAddress >= b && bootAddress + 8 <= b + r.size));
    if (!inExec) c.err('$.bootAddress', `expected an address inside an executable region or alias (room for the initial SP and reset vector), got ${hex(bootAddress)}`);
  }

  const peripherals: BoardPeripheral[] = [];
  if (c.has(o, 'peripherals')) {
    const arr = c.array(o.peripherals, '$.peripherals', 'an array of peripherals', false);
    if (arr) {
      const names = new Map<string, string>();
      const spans: Span[] = [];
      arr.forEach((pv, i) => {
        const path = `$.peripherals[${i}]`;
        const p = c.object(pv, path, PERIPHERAL_SHAPE, 'a peripheral object { name, kind, base }');
        if (!p) return;
        const pname = c.has(p, 'name') ? c.string(p.name, `${path}.name`, REGION_NAME) : undefined;
        const kind = c.has(p, 'kind') ? c.enumOf(p.kind, `${path}.kind`, PERIPHERAL_KINDS) : undefined;
        const base = c.has(p, 'base') ? c.address(p.base, `${path}.base`) : undefined;
        const pdesc = c.has(p, 'description') ? c.string(p.description, `${path}.description`) : undefined;
        if (pname !== undefined) {
          const first = names.get(pname);
          if (first !== undefined) c.err(`${path}.name`, `duplicate peripheral name ${show(pname)}, first used at ${first}`);
          else names.set(pname, `${path}.name`);
        }
        if (kind === undefined || base === undefined || pname === undefined) return;
        const end = base + PERIPHERAL_SIZE[kind];
        spans.push({ start: base, end, label: `peripheral ${show(pname)}`, path });
        if (regionsOk && !regions.some((r) => r.kind === 'peripheral' && base >= r.base && end <= r.base + r.size)) {
          c.err(`${path}.base`, `expected the ${kind} block [${hex(base)}, ${hex(end)}) inside a 'peripheral' region, got none that holds it`);
        }
        peripherals.push({ name: pname, kind, base, ...(pdesc !== undefined ? { description: pdesc } : {}) });
      });
      checkOverlaps(c, spans);
    }
  }

  let stdout: string | undefined;
  if (c.has(o, 'stdout')) {
    stdout = c.string(o.stdout, '$.stdout');
    if (stdout !== undefined) {
      const p = peripherals.find((q) => q.name === stdout);
      if (!p) c.err('$.stdout', `expected the name of a UART in $.peripherals, got ${show(stdout)}`);
      else if (!UART_KINDS.includes(p.kind)) c.err('$.stdout', `expected a UART peripheral, got ${show(stdout)} of kind ${show(p.kind)}`);
    }
  }

  let accelerator: Accelerator | undefined;
  if (c.has(o, 'accelerator')) accelerator = parseAccelerator(c, o.accelerator);

  let caches: Caches | undefined;
  if (c.has(o, 'caches')) {
    caches = parseCaches(c, o.caches);
    if (core === 'cortex-m4') c.err('$.caches', 'expected no L1 caches on a cortex-m4 (only the Cortex-M7 has them), got a caches object');
  }

  let sramBudget: number | undefined;
  if (c.has(o, 'sramBudget')) {
    sramBudget = c.size(o.sramBudget, '$.sramBudget', false);
    if (sramBudget !== undefined && regionsOk) {
      const total = regions.filter((r) => r.kind === 'ram' || r.kind === 'tcm').reduce((s, r) => s + r.size, 0);
      if (sramBudget > total) c.err('$.sramBudget', `expected at most the board's RAM and TCM (${total} bytes), got ${show(o.sramBudget)}`);
    }
  }

  let sources: string[] | undefined;
  if (c.has(o, 'sources')) {
    const arr = c.array(o.sources, '$.sources', 'an array of strings', false);
    if (arr) {
      sources = [];
      arr.forEach((s, i) => { const t = c.string(s, `$.sources[${i}]`); if (t !== undefined) sources!.push(t); });
    }
  }

  if (c.errors.length) return { errors: c.errors };
  const board: Board = {
    name: name!, description: description!, core: core!, clockHz: clockHz!,
    ...(busClockHz !== undefined ? { busClockHz } : {}),
    ...(bootAddress !== undefined ? { bootAddress } : {}),
    regions,
    ...(flash ? { flash } : {}),
    ...(accelerator ? { accelerator } : {}),
    ...(caches ? { caches } : {}),
    peripherals,
    ...(stdout !== undefined ? { stdout } : {}),
    ...(sramBudget !== undefined ? { sramBudget } : {}),
    ...(sources ? { sources } : {}),
  };
  return { board, errors: [] };
}

function parseRegion(c: Checker, v: unknown, path: string, haveFlash: boolean, spans: Span[]): BoardRegion | undefined {
  const r = c.object(v, path, REGION_SHAPE, 'a region object { name, base, size, kind, access }');
  if (!r) return undefined;
  const n0 = c.errors.length;
  const name = c.has(r, 'name') ? c.string(r.name, `${path}.name`, REGION_NAME) : undefined;
  const description = c.has(r, 'description') ? c.string(r.description, `${path}.description`) : undefined;
  const base = c.has(r, 'base') ? c.address(r.base, `${path}.base`) : undefined;
  const size = c.has(r, 'size') ? c.size(r.size, `${path}.size`, true) : undefined;
  const kind = c.has(r, 'kind') ? c.enumOf(r.kind, `${path}.kind`, REGION_KINDS) : undefined;
  const access = c.has(r, 'access') ? c.enumOf(r.access, `${path}.access`, ACCESS) : undefined;
  const label = `region ${name !== undefined ? show(name) : path}`;

  if (base !== undefined && base % 4 !== 0) c.err(`${path}.base`, `expected a multiple of 4, got ${show(r.base)}`);
  if (base !== undefined && size !== undefined) {
    if (base + size > GB4) c.err(`${path}.size`, `expected the region to end by 0x100000000 (4 GB), got ${show(r.size)} from ${hex(base)}, ending at 0x${(base + size).toString(16)}`);
    else spans.push({ start: base, end: base + size, label, path });
  }
  if (kind === 'peripheral' && access?.includes('x')) c.err(`${path}.access`, `expected "rw" or "r" for a peripheral region (the peripheral space is execute-never), got ${show(access)}`);
  if (kind === 'flash' && access?.includes('w')) c.err(`${path}.access`, `expected "rx" or "r" for flash (it is written through its controller, not by stores), got ${show(access)}`);

  let waitStates: number | 'flash' | undefined;
  if (c.has(r, 'waitStates')) {
    const w = r.waitStates;
    if (w === 'flash') {
      if (kind !== undefined && kind !== 'flash') c.err(`${path}.waitStates`, `expected a number for a ${kind} region ("flash" is for flash regions), got "flash"`);
      else if (!haveFlash) c.err(`${path}.waitStates`, 'expected a number: "flash" needs a $.flash.waitStateTable, and the board has none');
      waitStates = 'flash';
    } else {
      waitStates = c.int(w, `${path}.waitStates`, 0, MAX_WAIT_STATES, `a whole number of wait states from 0 to ${MAX_WAIT_STATES}, or "flash"`);
    }
  }

  let aliases: { base: number }[] | undefined;
  if (c.has(r, 'aliases')) {
    const arr = c.array(r.aliases, `${path}.aliases`, 'an array of { base }', false);
    if (arr) {
      aliases = [];
      arr.forEach((av, j) => {
        const ap = `${path}.aliases[${j}]`;
        const a = c.object(av, ap, ALIAS_SHAPE, 'an alias object { base }');
        if (!a || !c.has(a, 'base')) return;
        const ab = c.address(a.base, `${ap}.base`);
        if (ab === undefined) return;
        if (ab % 4 !== 0) { c.err(`${ap}.base`, `expected a multiple of 4, got ${show(a.base)}`); return; }
        aliases!.push({ base: ab });
        if (size === undefined) return;
        if (ab + size > GB4) c.err(`${ap}.base`, `expected the alias to end by 0x100000000 (4 GB), got ${show(a.base)} + ${label}'s size, ending at 0x${(ab + size).toString(16)}`);
        else spans.push({ start: ab, end: ab + size, label: `alias of ${label}`, path: ap });
      });
    }
  }

  if (c.errors.length !== n0 || name === undefined || base === undefined || size === undefined || kind === undefined || access === undefined) return undefined;
  return {
    name, ...(description !== undefined ? { description } : {}), base, size, kind, access,
    ...(waitStates !== undefined ? { waitStates } : {}),
    ...(aliases ? { aliases } : {}),
  };
}

function parseFlash(c: Checker, v: unknown, busHz: number | undefined, clockPath: string): FlashTable | undefined {
  const f = c.object(v, '$.flash', FLASH_SHAPE, 'an object { waitStateTable, lineBits? }');
  if (!f) return undefined;
  let lineBits: FlashTable['lineBits'];
  if (c.has(f, 'lineBits')) {
    if ((FLASH_LINE_BITS as readonly unknown[]).includes(f.lineBits)) lineBits = f.lineBits as FlashTable['lineBits'];
    else c.err('$.flash.lineBits', `expected 64, 128 or 256, got ${show(f.lineBits)}`);
  }
  if (!c.has(f, 'waitStateTable')) return undefined;
  const arr = c.array(f.waitStateTable, '$.flash.waitStateTable', 'a non-empty array of { maxHz, waitStates }', true);
  if (!arr) return undefined;
  const n0 = c.errors.length;
  const rows: { maxHz: number; waitStates: number }[] = [];
  arr.forEach((rv, i) => {
    const p = `$.flash.waitStateTable[${i}]`;
    const r = c.object(rv, p, WS_ROW_SHAPE, 'an object { maxHz, waitStates }');
    if (!r) return;
    const maxHz = c.has(r, 'maxHz') ? c.hz(r.maxHz, `${p}.maxHz`) : undefined;
    const ws = c.has(r, 'waitStates') ? c.int(r.waitStates, `${p}.waitStates`, 0, MAX_WAIT_STATES, `a whole number of wait states from 0 to ${MAX_WAIT_STATES}`) : undefined;
    if (maxHz === undefined || ws === undefined) return;
    const prev = rows[rows.length - 1];
    if (prev && maxHz <= prev.maxHz) c.err(`${p}.maxHz`, `expected more than the previous row's ${prev.maxHz} Hz (rows ascend), got ${maxHz}`);
    if (prev && ws <= prev.waitStates) c.err(`${p}.waitStates`, `expected more than the previous row's ${prev.waitStates} (rows ascend), got ${ws}`);
    rows.push({ maxHz, waitStates: ws });
  });
  if (c.errors.length !== n0) return undefined;
  const last = rows[rows.length - 1]!;
  if (busHz !== undefined && busHz > last.maxHz) {
    c.err(clockPath, `expected a clock the flash table covers (at most ${last.maxHz} Hz, $.flash.waitStateTable[${rows.length - 1}]), got ${busHz}`);
  }
  return { waitStateTable: rows, ...(lineBits !== undefined ? { lineBits } : {}) };
}

function parseArtCache(c: Checker, v: unknown, path: string): ArtCache | undefined {
  const a = c.object(v, path, ART_CACHE_SHAPE, 'an object { lines, lineBits }');
  if (!a) return undefined;
  const lines = c.has(a, 'lines') ? c.int(a.lines, `${path}.lines`, 1, 4096, 'a number of lines from 1 to 4096') : undefined;
  if (lines !== undefined && !isPow2(lines)) c.err(`${path}.lines`, `expected a power of 2, got ${lines}`);
  let lineBits: number | undefined;
  if (c.has(a, 'lineBits')) {
    if (a.lineBits === 64 || a.lineBits === 128 || a.lineBits === 256) lineBits = a.lineBits;
    else c.err(`${path}.lineBits`, `expected 64, 128 or 256, got ${show(a.lineBits)}`);
  }
  return lines !== undefined && isPow2(lines) && lineBits !== undefined ? { lines, lineBits } : undefined;
}

function parseAccelerator(c: Checker, v: unknown): Accelerator | undefined {
  const a = c.object(v, '$.accelerator', ACCEL_SHAPE, 'an object { kind, prefetch, icache, dcache }');
  if (!a) return undefined;
  const kind = c.has(a, 'kind') ? c.enumOf(a.kind, '$.accelerator.kind', ['art'] as const) : undefined;
  const prefetch = c.has(a, 'prefetch') ? c.bool(a.prefetch, '$.accelerator.prefetch') : undefined;
  const icache = c.has(a, 'icache') ? parseArtCache(c, a.icache, '$.accelerator.icache') : undefined;
  const dcache = c.has(a, 'dcache') ? parseArtCache(c, a.dcache, '$.accelerator.dcache') : undefined;
  if (kind === undefined || prefetch === undefined || icache === undefined) return undefined;
  return { kind, prefetch, icache, ...(dcache ? { dcache } : {}) };
}

function parseCache(c: Checker, v: unknown, path: string, data: boolean): (CacheGeometry & { writePolicy?: (typeof WRITE_POLICIES)[number] }) | undefined {
  const o = c.object(v, path, data ? DCACHE_SHAPE : CACHE_SHAPE, data ? 'an object { sizeKB, ways, lineBytes, writePolicy }' : 'an object { sizeKB, ways, lineBytes }');
  if (!o) return undefined;
  const n0 = c.errors.length;
  let sizeKB: number | undefined;
  if (c.has(o, 'sizeKB')) {
    if ([4, 8, 16, 32, 64].includes(o.sizeKB as number)) sizeKB = o.sizeKB as number;
    else c.err(`${path}.sizeKB`, `expected 4, 8, 16, 32 or 64 (the Cortex-M7 cache sizes), got ${show(o.sizeKB)}`);
  }
  const ways = c.has(o, 'ways') ? c.int(o.ways, `${path}.ways`, 1, 64, 'a number of ways from 1 to 64') : undefined;
  if (ways !== undefined && !isPow2(ways)) c.err(`${path}.ways`, `expected a power of 2, got ${ways}`);
  const lineBytes = c.has(o, 'lineBytes') ? c.int(o.lineBytes, `${path}.lineBytes`, 4, 1024, 'a line size from 4 to 1024 bytes') : undefined;
  if (lineBytes !== undefined && !isPow2(lineBytes)) c.err(`${path}.lineBytes`, `expected a power of 2, got ${lineBytes}`);
  const writePolicy = data && c.has(o, 'writePolicy') ? c.enumOf(o.writePolicy, `${path}.writePolicy`, WRITE_POLICIES) : undefined;
  if (c.errors.length !== n0 || sizeKB === undefined || ways === undefined || lineBytes === undefined) return undefined;
  if (sizeKB * 1024 < ways * lineBytes) { c.err(`${path}.ways`, `expected ways x lineBytes (${ways * lineBytes}) to fit in ${sizeKB} KB, got ${ways}`); return undefined; }
  if (data && writePolicy === undefined) return undefined;
  return { sizeKB, ways, lineBytes, ...(writePolicy ? { writePolicy } : {}) };
}

function parseCaches(c: Checker, v: unknown): Caches | undefined {
  const o = c.object(v, '$.caches', CACHES_SHAPE, 'an object { icache, dcache, replacement }');
  if (!o) return undefined;
  const icache = c.has(o, 'icache') ? parseCache(c, o.icache, '$.caches.icache', false) : undefined;
  const dcache = c.has(o, 'dcache') ? parseCache(c, o.dcache, '$.caches.dcache', true) : undefined;
  const replacement = c.has(o, 'replacement') ? c.enumOf(o.replacement, '$.caches.replacement', REPLACEMENTS) : undefined;
  return {
    ...(icache ? { icache } : {}),
    ...(dcache ? { dcache: dcache as Caches['dcache'] & object } : {}),
    ...(replacement ? { replacement } : {}),
  };
}

/** Parse JSON text and validate it; a syntax error is reported as `file: invalid JSON: ...`. */
export function parseBoard(text: string, file: string): ValidationResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { errors: [`${file}: invalid JSON: ${e instanceof Error ? e.message : show(e)}`] };
  }
  return validateBoard(json, file);
}

/**
 * Flash wait states at a bus clock (default: the board's busClockHz, else clockHz): the first table row whose maxHz
 * is at least the clock. 0 for a board without a flash table. RangeError above the table.
 */
export function flashWaitStates(board: Board, busHz: number = board.busClockHz ?? board.clockHz): number {
  const t = board.flash?.waitStateTable;
  if (!t) return 0;
  const row = t.find((r) => busHz <= r.maxHz);
  if (!row) throw new RangeError(`board ${board.name}: ${busHz} Hz is above its flash wait-state table (at most ${t[t.length - 1]!.maxHz} Hz)`);
  return row.waitStates;
}
