/**
 * The generic set-associative cache (src/mem/cache.ts): replacement policies on hand-worked sequences, dirty lines and
 * write-backs, maintenance by address and by set/way, and the laws every cache obeys (property tests).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SetAssocCache, REPLACEMENT_POLICIES, type Replacement } from '../../src/mem/cache.js';

const LINE = 32;
/** A cache of `sets` x `ways` 32-byte lines. */
const mk = (sets: number, ways: number, replacement: Replacement = 'lru', seed?: number) =>
  new SetAssocCache({ name: 't', lineBytes: LINE, sets, ways, replacement, seed });
/** The address of line `k` of set `s` in a cache of `sets` sets: every k maps to the same set. */
const addr = (sets: number, s: number, k: number) => (k * sets + s) * LINE;
/** 'h' / 'm' per read of the line letters A=0, B=1... of set 0 (one-set caches) */
const trace = (c: SetAssocCache, seq: string) => [...seq].map((ch) => (c.read(addr(c.sets, 0, ch.charCodeAt(0) - 65)) ? 'h' : 'm')).join('');

describe('construction', () => {
  it('geometry', () => {
    const c = new SetAssocCache({ name: 'L1 D', lineBytes: 32, sets: 32, ways: 4 });
    expect([c.sizeBytes, c.lineShift, c.setMask, c.replacement]).toEqual([4096, 5, 31, 'lru']);
    expect(c.setOf(0x20000000 + 33 * 32)).toBe(1); // line 33 of a 32-set cache is in set 1
    expect(c.lineOf(0x20000040)).toBe(0x20000040 / 32);
  });
  it('rejects bad geometry', () => {
    expect(() => new SetAssocCache({ name: 'x', lineBytes: 24, sets: 4, ways: 2 })).toThrow(/power of 2/);
    expect(() => new SetAssocCache({ name: 'x', lineBytes: 2, sets: 4, ways: 2 })).toThrow(/at least 4/);
    expect(() => new SetAssocCache({ name: 'x', lineBytes: 32, sets: 3, ways: 2 })).toThrow(/sets/);
    expect(() => new SetAssocCache({ name: 'x', lineBytes: 32, sets: 4, ways: 0 })).toThrow(/ways/);
  });
});

describe('replacement policies (one set of 2 ways, lines A, B, C...)', () => {
  // Each row: the reads, then h/m worked out by hand.
  const rows: [Replacement, string, string, string][] = [
    // LRU: A m, B m, A h (A most recent), C m evicts B (least recent), B m evicts A (A used at 3, C at 4), A m evicts C
    ['lru', 'ABACBA', 'mmhmmm', 'hit refreshes A, so C evicts B'],
    // FIFO: A m, B m, A h (no effect on order), C m evicts A (filled first), B h, A m evicts B (filled before C)
    ['fifo', 'ABACBA', 'mmhmhm', 'hits do not count: C evicts A'],
    // round-robin: A, B fill the invalid ways 0, 1 (pointer stays 0); C evicts way 0 (A), D way 1 (B), E way 0 (C);
    // then D hits (way 1), C misses (evicted by E) and evicts way 1 (D)
    ['round-robin', 'ABCDEDCD', 'mmmmmhmm', 'the pointer walks the ways'],
  ];
  for (const [policy, seq, want, why] of rows) {
    it(`${policy}: ${seq} -> ${want} (${why})`, () => {
      const c = mk(1, 2, policy);
      expect(trace(c, seq)).toBe(want);
      expect(c.hits + c.misses).toBe(seq.length);
    });
  }
  it('lru on 4 ways: the least recently used of the set is the victim', () => {
    const c = mk(1, 4);
    // A B C D fill; A, B hit (C is now the oldest); E evicts C; C misses and evicts D (then the oldest)
    expect(trace(c, 'ABCDABECD')).toBe('mmmmhhmmm');
  });
  it('random: deterministic for a seed, victims inside the set, different seeds may differ', () => {
    const seq = 'ABCDEFGHABCDEFGHACEGBDFH'.repeat(4);
    const a = trace(mk(1, 4, 'random', 7), seq), b = trace(mk(1, 4, 'random', 7), seq);
    expect(a).toBe(b);
    const c = mk(4, 2, 'random', 3);
    for (let i = 0; i < 200; i++) c.read(addr(4, i % 4, (i * 7) % 11));
    for (let s = 0; s < 4; s++) for (let w = 0; w < 2; w++) {
      const t = c.tag[s * 2 + w]!;
      if (t !== -1) expect(t & 3).toBe(s); // a line sits only in its own set
    }
    expect(new Set(Array.from({ length: 6 }, (_, k) => trace(mk(1, 4, 'random', k + 1), seq))).size).toBeGreaterThan(1);
  });
  it('reset restores the generator: the same run twice gives the same trace', () => {
    const c = mk(1, 4, 'random', 11);
    const seq = 'ABCDEFGHIJ'.repeat(5);
    const first = trace(c, seq);
    c.reset();
    expect(trace(c, seq)).toBe(first);
  });
});

describe('writes, dirty lines, write-backs', () => {
  it('a write hit marks the line dirty; evicting it counts a write-back and reports the victim', () => {
    const c = mk(1, 2);
    expect(c.read(addr(1, 0, 0))).toBe(false); // A
    expect(c.write(addr(1, 0, 0) + 4, true, true)).toBe(true); // A dirty
    c.read(addr(1, 0, 1)); // B
    c.read(addr(1, 0, 1)); // B again: A is the LRU
    expect(c.read(addr(1, 0, 2))).toBe(false); // C evicts A
    expect([c.victim, c.victimDirty, c.evictions, c.writeBacks]).toEqual([addr(1, 0, 0) / LINE, true, 1, 1]);
    c.read(addr(1, 0, 3)); // D evicts B (clean)
    expect([c.victimDirty, c.evictions, c.writeBacks]).toEqual([false, 2, 1]);
  });
  it('write miss: allocates only with write-allocate', () => {
    const c = mk(2, 2);
    expect(c.write(0x100, false, false)).toBe(false);
    expect(c.find(0x100)).toBe(-1);
    expect(c.write(0x100, true, true)).toBe(false);
    expect(c.find(0x100)).toBeGreaterThanOrEqual(0);
    expect([c.hits, c.misses, c.fills, c.dirtyLines()]).toEqual([0, 2, 1, 1]);
  });
  it('clean writes back a dirty line once; invalidate discards it without a write-back', () => {
    const c = mk(4, 2);
    c.write(0x40, true, true); c.write(0x80, true, true);
    expect(c.cleanLine(0x44)).toBe(true);
    expect(c.cleanLine(0x44)).toBe(false); // clean now
    expect(c.find(0x40)).toBeGreaterThanOrEqual(0); // still valid
    expect(c.invalidateLine(0x80)).toBe(true);
    expect([c.writeBacks, c.validLines()]).toEqual([1, 1]);
    c.write(0x40, true, true);
    expect(c.cleanInvalidateLine(0x40)).toBe(true);
    expect([c.writeBacks, c.validLines()]).toEqual([2, 0]);
  });
  it('set/way operations hit exactly the named entry', () => {
    const c = mk(4, 2);
    // set 1: lines 1 (way 0) and 5 (way 1), both written
    c.write(addr(4, 1, 0), true, true); c.write(addr(4, 1, 1), true, true);
    expect(c.tag[1 * 2 + 0]).toBe(1);
    expect(c.tag[1 * 2 + 1]).toBe(5);
    expect(c.cleanSetWay(1, 1)).toBe(true); // line 5 written back, stays valid
    expect(c.tag[3]).toBe(5);
    c.invalidateSetWay(1, 0); // line 1 dropped, no write-back
    expect([c.tag[2], c.writeBacks]).toEqual([-1, 1]);
    expect(c.cleanInvalidateSetWay(1, 1)).toBe(false); // already clean
    expect(c.tag[3]).toBe(-1);
    // out-of-range operands do nothing
    c.invalidateSetWay(4, 0); c.invalidateSetWay(0, 2);
    expect(c.cleanSetWay(-1, 0)).toBe(false);
  });
  it('cleanAll writes back every dirty line', () => {
    const c = mk(8, 2);
    for (let i = 0; i < 10; i++) c.write(i * LINE, true, i % 2 === 0);
    expect(c.cleanAll()).toBe(5);
    expect(c.dirtyLines()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// laws

const policy = fc.constantFrom(...REPLACEMENT_POLICIES);
const geometry = fc.record({ setsLog: fc.integer({ min: 0, max: 4 }), ways: fc.integer({ min: 1, max: 8 }), policy, seed: fc.integer({ min: 1, max: 1000 }) });

describe('laws', () => {
  it('hits + misses = accesses; fills <= misses; evictions <= fills; write-backs <= writes + ...', () => {
    fc.assert(fc.property(geometry, fc.array(fc.tuple(fc.nat(63), fc.constantFrom('r', 'w', 'W', 'i', 'c')), { maxLength: 300 }), (g, ops) => {
      const c = mk(1 << g.setsLog, g.ways, g.policy, g.seed);
      let accesses = 0, dirtying = 0;
      for (const [line, op] of ops) {
        const a = line * LINE + (line % 4) * 4;
        if (op === 'r') { c.read(a); accesses++; }
        else if (op === 'w') { c.write(a, false, false); accesses++; }
        else if (op === 'W') { c.write(a, true, true); accesses++; dirtying++; }
        else if (op === 'i') c.invalidateLine(a);
        else c.cleanLine(a);
      }
      expect(c.hits + c.misses).toBe(accesses);
      expect(c.accesses).toBe(accesses);
      expect(c.hits).toBeLessThanOrEqual(accesses);
      expect(c.fills).toBeLessThanOrEqual(c.misses);
      expect(c.evictions).toBeLessThanOrEqual(c.fills);
      expect(c.writeBacks).toBeLessThanOrEqual(dirtying); // only written lines are ever dirty, each write-back cleans one
      expect(c.validLines()).toBeLessThanOrEqual(c.sets * c.ways);
    }));
  });

  it('a cyclic pattern of at most W lines per set hits every access after the first pass (every policy)', () => {
    fc.assert(fc.property(geometry, fc.integer({ min: 2, max: 5 }), fc.nat(), (g, passes, pick) => {
      const sets = 1 << g.setsLog;
      const c = mk(sets, g.ways, g.policy, g.seed);
      // up to W lines in each set
      const lines: number[] = [];
      for (let s = 0; s < sets; s++) { const k = (pick >>> s) % (g.ways + 1); for (let j = 0; j < k; j++) lines.push(addr(sets, s, j)); }
      for (let p = 0; p < passes; p++) {
        const before = c.misses;
        for (const a of lines) c.read(a);
        expect(c.misses - before).toBe(p === 0 ? lines.length : 0);
      }
      expect(c.hits).toBe(lines.length * (passes - 1));
    }));
  });

  it('LRU, FIFO and round-robin miss every access of a cyclic pattern of W+1 lines in one set', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom<Replacement>('lru', 'fifo', 'round-robin'), fc.integer({ min: 2, max: 5 }), fc.nat(15), (setsLog, ways, pol, passes, s0) => {
      const sets = 1 << setsLog, s = s0 % sets;
      const c = mk(sets, ways, pol);
      for (let p = 0; p < passes; p++) for (let k = 0; k <= ways; k++) expect(c.read(addr(sets, s, k))).toBe(false);
      expect([c.hits, c.misses]).toEqual([0, (ways + 1) * passes]);
    }));
  });

  it('LRU agrees with a reference model (a recency list per set), narrow sets and wide hash-indexed ones alike', () => {
    const ops = fc.array(fc.tuple(fc.constantFrom('r', 'r', 'r', 'w', 'i', 'I'), fc.nat(200)), { maxLength: 400 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), fc.constantFrom(1, 2, 4, 9, 16, 64), ops, (setsLog, ways, list) => {
      const sets = 1 << setsLog;
      const c = mk(sets, ways);
      const ref: number[][] = Array.from({ length: sets }, () => []);
      for (const [op, line] of list) {
        const set = ref[line % sets]!;
        const at = set.indexOf(line);
        if (op === 'i') { c.invalidateLine(line * LINE); if (at >= 0) set.splice(at, 1); continue; }
        if (op === 'I') { c.invalidateAll(); for (const x of ref) x.length = 0; continue; }
        const hit = op === 'r' ? c.read(line * LINE) : c.write(line * LINE, true, true);
        expect(hit).toBe(at >= 0);
        if (at >= 0) set.splice(at, 1);
        else if (set.length === ways) set.shift(); // the least recently used
        set.push(line);
      }
      // same contents
      for (let l = 0; l <= 200; l++) expect(c.find(l * LINE) >= 0).toBe(ref[l % sets]!.includes(l));
      expect(c.validLines()).toBe(ref.reduce((n, x) => n + x.length, 0));
    }));
  });

  it('after invalidate-all every access misses', () => {
    fc.assert(fc.property(geometry, fc.array(fc.nat(255), { minLength: 1, maxLength: 100 }), (g, lines) => {
      const c = mk(1 << g.setsLog, g.ways, g.policy, g.seed);
      for (const l of lines) c.write(l * LINE, true, true);
      c.invalidateAll();
      c.resetCounters();
      expect(c.validLines()).toBe(0);
      const seen = new Set<number>();
      for (const l of lines) {
        const hit = c.read(l * LINE);
        if (!seen.has(l)) expect(hit).toBe(false); // the first access of each line after the invalidate misses
        seen.add(l);
      }
      expect(c.writeBacks).toBe(0); // invalidate discards dirty lines; reads evict only clean ones
    }));
  });
});
