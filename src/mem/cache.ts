/**
 * A generic set-associative cache of tags (no data: the simulator's memory is always coherent, the cache only decides
 * what an access costs): lines of `lineBytes` bytes, `sets` sets, `ways` ways, dirty bits, a replacement policy, and
 * counters. Used by the ST ART accelerator (src/mem/art.ts, fully associative: one set) and the Cortex-M7 L1 caches
 * (src/mem/l1.ts).
 *
 * Layout: entry `set * ways + way` of `tag` holds the line address (address >>> log2(lineBytes)) cached there, or -1
 * when the entry is invalid. The set of an address is its line address modulo `sets` (the low line-address bits).
 *
 * Replacement (the Cortex-M7's policy is not published: reference/cortex-m-timing.md "Replacement policy not
 * published: make it a parameter (LRU default)"): on a miss an invalid way of the set is filled first (every policy);
 * when all ways are valid the victim is
 * - 'lru': the way used least recently (every hit and fill counts as a use),
 * - 'fifo': the way filled longest ago (hits do not count),
 * - 'round-robin': a per-set pointer that advances by one way after each eviction,
 * - 'random': a way from a seeded xorshift32 generator (deterministic: the same seed gives the same run).
 *
 * Counters: hits + misses = accesses (reads and writes that looked the cache up); fills (lines allocated); evictions
 * (valid lines replaced); writeBacks (dirty lines written back: evicted dirty, or cleaned by a maintenance operation).
 *
 * Fast path: typed arrays only, no allocation per access. A cache with more than 8 ways (the ART's fully associative
 * caches: one set of 64 ways) also keeps a hash index from line address to entry (open addressing, linear probing,
 * backward-shift deletion), so a lookup does not scan the set.
 *
 * Mirrors (`mirror(base, size)`): for a bus window, an array from the window's line index to the entry holding that
 * line plus one (0: not cached), kept exact by every fill, eviction and invalidation. The bus looks a data access up
 * there and, on a hit, calls `hitEntry` / `writeEntry`, which count the hit, stamp the entry and mark it dirty as a hit
 * through readLine / write does, without the set scan and the calls in between (src/mem/flat.ts). They stamp even the
 * most recent line (readLine skips that: it is the newest of its set already, so a new stamp changes no victim) and
 * forget which line is the most recent: less to do per access, the same victims.
 * `hold` is a line the owner wants every access of to take the slow path (the L1 D-cache's line being filled).
 */

import type { FetchMemo } from './timing.js';

/** sets wider than this get the hash index */
const INDEXED_WAYS = 8;

export type Replacement = 'lru' | 'fifo' | 'round-robin' | 'random';
export const REPLACEMENT_POLICIES: readonly Replacement[] = ['lru', 'fifo', 'round-robin', 'random'];

export interface CacheConfig {
  /** name in statistics ("L1 D-cache") */
  name: string;
  /** bytes per line: a power of 2, at least 4 */
  lineBytes: number;
  /** number of sets: a power of 2 */
  sets: number;
  /** ways per set: 1 (direct mapped) or more */
  ways: number;
  /** default 'lru' */
  replacement?: Replacement;
  /** seed of the 'random' policy's generator; default 1 */
  seed?: number;
}

/** The counters of one cache. */
export interface CacheCounters {
  name: string;
  accesses: number;
  hits: number;
  misses: number;
  fills: number;
  evictions: number;
  writeBacks: number;
}

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

export class SetAssocCache {
  readonly name: string;
  readonly lineBytes: number;
  readonly sets: number;
  readonly ways: number;
  readonly replacement: Replacement;
  /** log2(lineBytes) */
  readonly lineShift: number;
  /** sets - 1 */
  readonly setMask: number;
  /** line address per entry (set * ways + way); -1: invalid */
  readonly tag: Int32Array;
  /** 1 when the entry's line is dirty */
  readonly dirty: Uint8Array;
  /** 'lru': time of last use; 'fifo': time of fill */
  private readonly stamp: Float64Array;
  /** 'round-robin': next victim way per set */
  private readonly next: Uint32Array;
  private readonly lru: boolean;
  private readonly seed: number;
  /** the replacement clock: every use takes the next value ('lru' stamps); lazy passes take n at once */
  time = 0;
  /**
   * Lazy passes (FetchMemo.lp / lt): memos whose block passed again with all its lines still at the memo's entries.
   * Such a pass is all hits; it only takes n values of `time` (fm.lt: the last one) and counts itself in fm.lp. The
   * stamps and hit counts are brought up to date by flushLazy(), which the owner calls before anything else uses the
   * cache (its settle()); counters() and the methods that change contents flush too.
   */
  readonly pend: FetchMemo[] = [];
  /**
   * the line of the last access that hit or filled, and its entry (-1: none): a hit on it needs no lookup and no
   * replacement update (it is the most recent of its set); any change of contents forgets it
   */
  private mru = -1;
  private mruEntry = 0;
  /** counts changes of what the cache holds (fills, invalidations): equal versions, the same lines in the same entries */
  contentVersion = 0;
  /** the entry of the last readLine that hit or filled */
  lastEntry = -1;
  private rng: number;
  /** the mirrors of bus windows (see the file header) */
  private readonly mirrors: { line0: number; lines: number; map: Int32Array }[] = [];
  /** a line whose accesses must not take a mirror's fast path (-1: none) */
  hold = -1;
  /** hash index (ways > INDEXED_WAYS): slot -> entry, -1 empty; null: lookups scan the set */
  private readonly hidx: Int32Array | null;
  private readonly hmask: number;
  private readonly hshift: number;

  hits = 0;
  misses = 0;
  fills = 0;
  evictions = 0;
  writeBacks = 0;
  /** set by allocate(): the line address replaced (-1: an invalid way was used) and whether it was dirty */
  victim = -1;
  victimDirty = false;

  constructor(cfg: CacheConfig) {
    if (!isPow2(cfg.lineBytes) || cfg.lineBytes < 4) throw new RangeError(`cache ${cfg.name}: line size ${cfg.lineBytes} must be a power of 2 of at least 4 bytes`);
    if (!isPow2(cfg.sets)) throw new RangeError(`cache ${cfg.name}: ${cfg.sets} sets must be a power of 2`);
    if (!Number.isInteger(cfg.ways) || cfg.ways < 1 || cfg.ways > 0xffff) throw new RangeError(`cache ${cfg.name}: ${cfg.ways} ways must be a whole number from 1 to 65535`);
    this.name = cfg.name;
    this.lineBytes = cfg.lineBytes;
    this.sets = cfg.sets;
    this.ways = cfg.ways;
    this.replacement = cfg.replacement ?? 'lru';
    if (!REPLACEMENT_POLICIES.includes(this.replacement)) throw new RangeError(`cache ${cfg.name}: unknown replacement policy ${String(this.replacement)}`);
    this.lineShift = Math.log2(cfg.lineBytes);
    this.setMask = cfg.sets - 1;
    const n = cfg.sets * cfg.ways;
    this.tag = new Int32Array(n).fill(-1);
    this.dirty = new Uint8Array(n);
    this.stamp = new Float64Array(n);
    this.next = new Uint32Array(cfg.sets);
    this.lru = this.replacement === 'lru';
    this.seed = (cfg.seed ?? 1) >>> 0 || 1; // xorshift32 needs a non-zero state
    this.rng = this.seed;
    if (cfg.ways > INDEXED_WAYS) {
      let bits = 2;
      while ((1 << bits) < 4 * n) bits++;
      this.hidx = new Int32Array(1 << bits).fill(-1);
      this.hmask = (1 << bits) - 1;
      this.hshift = 32 - bits;
    } else {
      this.hidx = null; this.hmask = 0; this.hshift = 0;
    }
  }

  // ------------------------------------------------------------------ hash index (wide sets)

  private slot(line: number): number { return Math.imul(line, 0x9e3779b1) >>> this.hshift; }
  /**
   * a direct-mapped memo in front of the index: line -> the entry it was last found in; checked against tag[], so a
   * stale slot only costs the index lookup
   */
  private readonly memo = new Int32Array(1024).fill(-1);
  /** the entry holding `line` through the index, or -1 */
  private hfind(line: number): number {
    const k = line & 1023, e0 = this.memo[k]!;
    if (e0 >= 0 && this.tag[e0] === line) return e0;
    const e = this.hfindSlow(line);
    if (e >= 0) this.memo[k] = e;
    return e;
  }
  private hfindSlow(line: number): number {
    const h = this.hidx!, tag = this.tag, m = this.hmask;
    for (let j = this.slot(line); ; j = (j + 1) & m) {
      const e = h[j]!;
      if (e === -1) return -1;
      if (tag[e] === line) return e;
    }
  }
  private hinsert(line: number, e: number): void {
    const h = this.hidx!, m = this.hmask;
    let j = this.slot(line);
    while (h[j] !== -1) j = (j + 1) & m;
    h[j] = e;
  }
  /** remove `line` (still in tag[]) from the index: backward-shift deletion keeps every probe chain intact */
  private hremove(line: number): void {
    const h = this.hidx!, tag = this.tag, m = this.hmask;
    let i = this.slot(line);
    while (h[i] !== -1 && tag[h[i]!] !== line) i = (i + 1) & m;
    if (h[i] === -1) return;
    h[i] = -1;
    for (let j = (i + 1) & m; h[j] !== -1; j = (j + 1) & m) {
      const k = this.slot(tag[h[j]!]!); // the entry's home slot
      // leave it when its home lies cyclically in (i, j]; otherwise it may move into the hole at i
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!stays) { h[i] = h[j]!; h[j] = -1; i = j; }
    }
  }
  /** make entry i invalid */
  private drop(i: number): void {
    this.flushLazy();
    this.mru = -1; this.contentVersion++;
    if (this.tag[i] !== -1) {
      if (this.hidx !== null) this.hremove(this.tag[i]!);
      if (this.mirrors.length !== 0) this.setMirror(this.tag[i]!, 0);
    }
    this.tag[i] = -1;
    this.dirty[i] = 0;
  }

  /** bytes of data the cache holds */
  get sizeBytes(): number { return this.lineBytes * this.sets * this.ways; }
  get accesses(): number { return this.hits + this.misses; }

  /** the line address of a byte address */
  lineOf(a: number): number { return (a >>> 0) >>> this.lineShift; }
  /** the set of a byte address */
  setOf(a: number): number { return ((a >>> 0) >>> this.lineShift) & this.setMask; }

  /** The entry (set * ways + way) holding address a, or -1. No side effects, no counters. */
  find(a: number): number {
    const line = (a >>> 0) >>> this.lineShift;
    if (this.hidx !== null) return this.hfind(line);
    const base = (line & this.setMask) * this.ways;
    const tag = this.tag;
    for (let i = base, e = base + this.ways; i < e; i++) if (tag[i] === line) return i;
    return -1;
  }

  /**
   * Apply the lazy passes: each memo's line k was last used at stamp lt - n + 1 + k unless something used it later
   * (the larger stamp wins: LRU keeps only the last use), and every pass hit its n lines. The most recent line is then
   * no longer known (mru = -1).
   */
  flushLazy(): void {
    const p = this.pend;
    if (p.length === 0) return;
    const stamp = this.stamp, lru = this.lru;
    for (let j = 0; j < p.length; j++) {
      const m = p[j]!, n = m.n, t0 = m.lt - n + 1, e = m.e;
      if (lru) for (let k = 0; k < n; k++) { const i = e[k]!; if (stamp[i]! < t0 + k) stamp[i] = t0 + k; }
      this.hits += m.lp * n;
      m.lp = 0;
    }
    p.length = 0;
    this.mru = -1;
  }

  /** A read (or instruction fetch) of address a: true on a hit; a miss allocates the line (a fill). */
  read(a: number): boolean { return this.readLine((a >>> 0) >>> this.lineShift); }

  /** read() by line address (address >>> lineShift) */
  readLine(line: number): boolean {
    if (this.pend.length !== 0) this.flushLazy();
    // the line accessed last is the most recent of its set already: a hit there changes no replacement state
    if (line === this.mru) { this.hits++; this.lastEntry = this.mruEntry; return true; }
    const base = (line & this.setMask) * this.ways;
    const i = this.hidx !== null ? this.hfind(line) : this.scan(line, base);
    if (i >= 0) {
      this.hits++;
      if (this.lru) this.stamp[i] = ++this.time;
      this.mru = line; this.mruEntry = i;
      this.lastEntry = i;
      return true;
    }
    this.misses++;
    this.lastEntry = this.fill(line, base);
    return false;
  }

  /**
   * A read hit on entry i, known to hold `line` (the caller checked contentVersion): exactly what readLine does on a
   * hit, without the lookup.
   */
  touch(i: number, line: number): void {
    if (this.pend.length !== 0) this.flushLazy();
    this.hits++;
    if (line === this.mru) return;
    if (this.lru) this.stamp[i] = ++this.time;
    this.mru = line; this.mruEntry = i;
  }
  /**
   * A read hit on entry e, found through a mirror: counted and stamped as readLine does on a hit (the same LRU order;
   * the most recent line is then unknown, so readLine's shortcut for it waits until it is set again).
   */
  hitEntry(e: number): void {
    this.hits++;
    if (this.lru) this.stamp[e] = ++this.time;
    this.mru = -1;
  }
  /** A write-back write hit on entry e, found through a mirror: counted, stamped and marked dirty as write() does on a hit. */
  writeEntry(e: number): void {
    this.hitEntry(e);
    this.dirty[e] = 1;
  }

  /**
   * The mirror of the bus window [base, base + size) (base and size multiples of the line size): index = (address -
   * base) >>> lineShift, value = entry + 1 of the line, 0 when it is not cached. Kept until clearMirrors().
   */
  mirror(base: number, size: number): Int32Array {
    const line0 = (base >>> 0) >>> this.lineShift, lines = Math.ceil(size / this.lineBytes);
    const map = new Int32Array(lines);
    for (let i = 0; i < this.tag.length; i++) {
      const k = this.tag[i]! - line0;
      if (this.tag[i] !== -1 && k >= 0 && k < lines) map[k] = i + 1;
    }
    this.mirrors.push({ line0, lines, map });
    return map;
  }
  clearMirrors(): void { this.mirrors.length = 0; }
  private setMirror(line: number, v: number): void {
    for (const m of this.mirrors) {
      const k = line - m.line0;
      if (k >= 0 && k < m.lines) m.map[k] = v;
    }
  }

  /** the line entry i holds (-1: invalid) */
  lineAt(i: number): number { return this.tag[i]!; }

  private scan(line: number, base: number): number {
    const tag = this.tag;
    for (let i = base, e = base + this.ways; i < e; i++) if (tag[i] === line) return i;
    return -1;
  }

  /**
   * A write of address a: true on a hit. A hit marks the line dirty when `markDirty` (write-back); a miss allocates
   * the line when `allocate` (write-allocate), dirty when `markDirty`.
   */
  write(a: number, allocate: boolean, markDirty: boolean): boolean {
    if (this.pend.length !== 0) this.flushLazy();
    const line = (a >>> 0) >>> this.lineShift;
    if (line === this.mru) {
      this.hits++;
      if (markDirty) this.dirty[this.mruEntry] = 1;
      return true;
    }
    const base = (line & this.setMask) * this.ways;
    const i = this.hidx !== null ? this.hfind(line) : this.scan(line, base);
    if (i >= 0) {
      this.hits++;
      if (this.lru) this.stamp[i] = ++this.time;
      if (markDirty) this.dirty[i] = 1;
      this.mru = line; this.mruEntry = i;
      return true;
    }
    this.misses++;
    if (allocate) {
      const i = this.fill(line, base);
      if (markDirty) this.dirty[i] = 1;
    } else {
      this.victim = -1; this.victimDirty = false;
    }
    return false;
  }

  /** Allocate the line of address a without counting an access (a prefetch into the cache); returns the entry. */
  allocate(a: number): number {
    const line = (a >>> 0) >>> this.lineShift;
    const hit = this.find(a);
    if (hit >= 0) { this.victim = -1; this.victimDirty = false; return hit; }
    return this.fill(line, (line & this.setMask) * this.ways);
  }

  /** Fill `line` into the set starting at entry `base`: pick the victim, count, record it in victim/victimDirty. */
  private fill(line: number, base: number): number {
    const ways = this.ways, tag = this.tag;
    let v = -1;
    for (let i = base, e = base + ways; i < e; i++) if (tag[i] === -1) { v = i; break; }
    if (v < 0) {
      switch (this.replacement) {
        case 'lru': case 'fifo': {
          const st = this.stamp;
          v = base;
          for (let i = base + 1, e = base + ways; i < e; i++) if (st[i]! < st[v]!) v = i;
          break;
        }
        case 'round-robin': {
          const set = base / ways;
          v = base + this.next[set]!;
          this.next[set] = (this.next[set]! + 1) % ways;
          break;
        }
        case 'random': {
          // xorshift32 (Marsaglia): deterministic for a seed
          let x = this.rng;
          x ^= x << 13; x >>>= 0;
          x ^= x >>> 17;
          x ^= x << 5; x >>>= 0;
          this.rng = x;
          v = base + (x % ways);
          break;
        }
      }
      this.evictions++;
      this.victim = tag[v]!;
      this.victimDirty = this.dirty[v] === 1;
      if (this.victimDirty) this.writeBacks++;
      if (this.hidx !== null) this.hremove(tag[v]!);
      if (this.mirrors.length !== 0) this.setMirror(tag[v]!, 0);
    } else {
      this.victim = -1;
      this.victimDirty = false;
    }
    tag[v] = line;
    if (this.hidx !== null) this.hinsert(line, v);
    if (this.mirrors.length !== 0) this.setMirror(line, v + 1);
    this.dirty[v] = 0;
    this.stamp[v] = ++this.time;
    this.fills++;
    this.mru = line; this.mruEntry = v; this.contentVersion++;
    return v;
  }

  /** Invalidate every line (dirty data is discarded, as ICIALLU / a set-way invalidate of every line does). */
  invalidateAll(): void {
    this.flushLazy();
    this.mru = -1; this.contentVersion++;
    this.tag.fill(-1);
    this.dirty.fill(0);
    this.hidx?.fill(-1);
    for (const m of this.mirrors) m.map.fill(0);
  }

  /** Invalidate the line holding address a (dirty data discarded); true if it was present. */
  invalidateLine(a: number): boolean {
    const i = this.find(a);
    if (i < 0) return false;
    this.drop(i);
    return true;
  }

  /** Clean the line holding address a: true when it was dirty (a write-back, counted). */
  cleanLine(a: number): boolean {
    const i = this.find(a);
    return i >= 0 && this.cleanEntry(i);
  }

  /** Clean then invalidate the line holding address a: true when it was dirty (a write-back). */
  cleanInvalidateLine(a: number): boolean {
    const i = this.find(a);
    if (i < 0) return false;
    const wb = this.cleanEntry(i);
    this.drop(i);
    return wb;
  }

  private entry(set: number, way: number): number {
    if (!Number.isInteger(set) || set < 0 || set >= this.sets || !Number.isInteger(way) || way < 0 || way >= this.ways) return -1;
    return set * this.ways + way;
  }
  private cleanEntry(i: number): boolean {
    if (this.tag[i] === -1 || this.dirty[i] === 0) return false;
    this.dirty[i] = 0;
    this.writeBacks++;
    return true;
  }

  /** Invalidate the line at (set, way); out-of-range operands do nothing. */
  invalidateSetWay(set: number, way: number): void {
    const i = this.entry(set, way);
    if (i >= 0) this.drop(i);
  }
  /** Clean the line at (set, way): true when it was dirty (a write-back). */
  cleanSetWay(set: number, way: number): boolean {
    const i = this.entry(set, way);
    return i >= 0 && this.cleanEntry(i);
  }
  /** Clean and invalidate the line at (set, way): true when it was dirty (a write-back). */
  cleanInvalidateSetWay(set: number, way: number): boolean {
    const i = this.entry(set, way);
    if (i < 0) return false;
    const wb = this.cleanEntry(i);
    this.drop(i);
    return wb;
  }

  /** Clean every dirty line; returns how many were written back. */
  cleanAll(): number {
    let n = 0;
    for (let i = 0; i < this.tag.length; i++) if (this.cleanEntry(i)) n++;
    return n;
  }

  /** Lines currently valid. */
  validLines(): number {
    let n = 0;
    for (let i = 0; i < this.tag.length; i++) if (this.tag[i] !== -1) n++;
    return n;
  }
  /** Lines currently dirty. */
  dirtyLines(): number {
    let n = 0;
    for (let i = 0; i < this.tag.length; i++) if (this.tag[i] !== -1 && this.dirty[i] === 1) n++;
    return n;
  }

  resetCounters(): void {
    this.flushLazy();
    this.hits = 0; this.misses = 0; this.fills = 0; this.evictions = 0; this.writeBacks = 0;
  }

  /** Back to the state after construction: every line invalid, counters zero, replacement state and generator reset. */
  reset(): void {
    this.invalidateAll();
    this.stamp.fill(0);
    this.next.fill(0);
    this.time = 0;
    this.rng = this.seed;
    this.victim = -1;
    this.victimDirty = false;
    this.resetCounters();
  }

  counters(): CacheCounters {
    this.flushLazy();
    return {
      name: this.name, accesses: this.accesses, hits: this.hits, misses: this.misses,
      fills: this.fills, evictions: this.evictions, writeBacks: this.writeBacks,
    };
  }
}
