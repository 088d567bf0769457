import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FlatBus } from '../../src/mem/flat.js';
import { RegionUsage, UsageTracker, type PhaseSink, type UsageReport } from '../../src/mem/usage.js';
import { SimCtl, MCUSIM_BASE, MCUSIM_ID, MAX_NAME_BYTES } from '../../src/sys/simctl.js';
import { createMachine, type Machine } from '../../src/machine.js';
import { encodeLines } from '../helpers/run.js';

const RAM = 0x20000000;

/** a bus with one 4 KB RAM (and optionally an alias of it at 0x30000000) plus a read-only flash, tracked */
function tracked(opts: { alias?: boolean; size?: number } = {}): { bus: FlatBus; t: UsageTracker } {
  const bus = new FlatBus([
    { name: 'flash', base: 0x08000000, size: 0x1000, writable: false },
    { name: 'sram', base: RAM, size: opts.size ?? 0x1000, aliases: opts.alias ? [0x30000000] : [] },
  ]);
  const t = new UsageTracker();
  t.trackAll(bus.regions);
  return { bus, t };
}

describe('RegionUsage: bytes touched, lowest, highest', () => {
  it('counts distinct bytes of overlapping 1/2/4-byte writes (w32 0x100, w8 0x102, w16 0x103: 5 bytes)', () => {
    const { bus, t } = tracked();
    bus.w32(RAM + 0x100, 1); bus.w8(RAM + 0x102, 2); bus.w16(RAM + 0x103, 3);
    const r = t.report().regions;
    expect(r).toEqual([{ name: 'sram', base: RAM, size: 0x1000, lowest: RAM + 0x100, highest: RAM + 0x104, bytesTouched: 5, highWater: 0x105 }]);
  });
  it('handles writes across a 32-byte bitmap word and writes longer than a word', () => {
    const u = new RegionUsage('m', 0x1000, 256);
    u.write(0x1000 + 30, 4); // bytes 30..33: two bitmap words
    u.write(0x1000 + 31, 2); // 31, 32: already counted
    expect(u.runFigures()).toEqual({ lo: 30, hi: 33, bytes: 4 });
    u.write(0x1000 + 100, 40); // 100..139
    expect(u.runFigures()).toEqual({ lo: 30, hi: 139, bytes: 44 });
    u.write(0x1000 + 224, 32); // one whole word: 224..255
    expect(u.runFigures()).toEqual({ lo: 30, hi: 255, bytes: 76 });
  });
  it('nothing written: lowest/highest null, highWater 0', () => {
    const { t } = tracked();
    expect(t.report().regions[0]).toMatchObject({ lowest: null, highest: null, bytesTouched: 0, highWater: 0 });
  });
  it('does not track read-only memory; loader writes do not count', () => {
    const { bus, t } = tracked();
    expect(t.usages.map((u) => u.name)).toEqual(['sram']);
    expect(t.track(bus.regions[0]!)).toBeNull();
    expect(bus.regions[0]!.use).toBeNull();
    bus.load(RAM + 0x40, new Uint8Array(16));
    expect(t.report().regions[0]!.bytesTouched).toBe(0);
  });
  it('an alias and its memory share one tracker, addresses in the main window', () => {
    const { bus, t } = tracked({ alias: true });
    const [main, alias] = [bus.windows[1]!, bus.windows[2]!];
    expect(alias.isAlias).toBe(true);
    expect(t.track(alias)).toBe(t.usages[0]);
    expect(alias.use).toBe(main.use);
    bus.w32(RAM + 0x10, 1);            // 0x10..0x13
    bus.w16(0x30000012, 2);            // the same bytes 0x12, 0x13 through the alias
    bus.w8(0x30000100, 3);             // 0x100
    expect(t.report().regions[0]).toMatchObject({ lowest: RAM + 0x10, highest: RAM + 0x100, bytesTouched: 5, highWater: 0x101 });
  });
  it('property: bytesTouched, lowest and highest equal those of the set of written byte addresses', () => {
    const write = fc.tuple(fc.constantFrom(1, 2, 4), fc.integer({ min: 0, max: 255 }));
    fc.assert(fc.property(fc.array(write, { maxLength: 60 }), (ws) => {
      const u = new RegionUsage('m', 0x4000, 260);
      const set = new Set<number>();
      for (const [n, o] of ws) {
        u.write(0x4000 + o, n);
        for (let i = 0; i < n; i++) set.add(o + i);
      }
      const xs = [...set];
      expect(u.runFigures()).toEqual({ lo: xs.length ? Math.min(...xs) : -1, hi: xs.length ? Math.max(...xs) : -1, bytes: set.size });
    }));
  });
});

describe('watch windows', () => {
  it('highest offset and bytes inside; writes outside do not count; straddling writes count their inside bytes', () => {
    const { bus, t } = tracked();
    t.watch('arena', RAM + 0x100, RAM + 0x200);
    t.watch('inner', RAM + 0x140, RAM + 0x160); // overlaps arena
    t.watch('idle', RAM + 0x800, RAM + 0x900);
    bus.w32(RAM + 0xf0, 1);   // outside every window
    bus.w8(RAM + 0x150, 2);   // arena offset 0x50, inner offset 0x10
    bus.w32(RAM + 0x1fe, 3);  // 0x1fe, 0x1ff inside arena; 0x200, 0x201 outside
    bus.w16(RAM + 0xff, 4);   // 0xff outside, 0x100 inside
    bus.w32(RAM + 0x200, 5);  // just past the end
    const r = t.report();
    expect(r.watches).toEqual([
      { name: 'arena', region: 'sram', start: RAM + 0x100, end: RAM + 0x200, size: 0x100, highestOffset: 0xff, bytesTouched: 4 },
      { name: 'inner', region: 'sram', start: RAM + 0x140, end: RAM + 0x160, size: 0x20, highestOffset: 0x10, bytesTouched: 1 },
      { name: 'idle', region: 'sram', start: RAM + 0x800, end: RAM + 0x900, size: 0x100, highestOffset: -1, bytesTouched: 0 },
    ]);
  });
  it('a window inside one bitmap word, and one given through an alias', () => {
    const { bus, t } = tracked({ alias: true });
    t.watch('tiny', RAM + 0x43, RAM + 0x46);          // bytes 0x43, 0x44, 0x45
    t.watch('via-alias', 0x30000400, 0x30000410);
    bus.w32(RAM + 0x40, 0);                            // 0x43 inside
    bus.w16(RAM + 0x45, 0);                            // 0x45 inside, 0x46 outside
    bus.w8(RAM + 0x408, 0);
    const w = t.report().watches;
    expect(w[0]).toMatchObject({ highestOffset: 2, bytesTouched: 2 });
    expect(w[1]).toMatchObject({ start: RAM + 0x400, end: RAM + 0x410, highestOffset: 8, bytesTouched: 1 });
  });
  it('rejects empty, duplicate, outside and boundary-crossing windows', () => {
    const { t } = tracked();
    expect(() => t.watch('e', RAM + 0x10, RAM + 0x10)).toThrow(/empty/);
    expect(() => t.watch('x', RAM + 0xf00, RAM + 0x1100)).toThrow(/crosses the boundary of sram/);
    expect(() => t.watch('y', RAM - 0x10, RAM + 0x10)).toThrow(/crosses the boundary of sram/);
    expect(() => t.watch('z', 0x40000000, 0x40000010)).toThrow(/not inside a tracked RAM region/);
    expect(() => t.watch('f', 0x08000000, 0x08000010)).toThrow(/not inside a tracked RAM region/); // flash: not tracked
    t.watch('a', RAM, RAM + 0x1000); // the whole memory is fine
    expect(() => t.watch('a', RAM, RAM + 4)).toThrow(/exists/);
  });
  it('property: a random window reports the bytes of the written set inside it and the highest one', () => {
    const write = fc.tuple(fc.constantFrom(1, 2, 4), fc.integer({ min: 0, max: 252 }));
    fc.assert(fc.property(fc.array(write, { maxLength: 40 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 256 }),
      (ws, s, len) => {
        const e = Math.min(256, s + len);
        const bus = new FlatBus([{ name: 'm', base: RAM, size: 256 }]);
        const t = new UsageTracker();
        t.trackAll(bus.regions);
        t.watch('w', RAM + s, RAM + e);
        const set = new Set<number>();
        for (const [n, o] of ws) {
          if (n === 1) bus.w8(RAM + o, 0); else if (n === 2) bus.w16(RAM + o, 0); else bus.w32(RAM + o, 0);
          for (let i = 0; i < n; i++) if (o + i >= s && o + i < e) set.add(o + i);
        }
        const w = t.report().watches[0]!;
        expect(w.bytesTouched).toBe(set.size);
        expect(w.highestOffset).toBe(set.size ? Math.max(...set) - s : -1);
      }));
  });
});

describe('phases', () => {
  it('records each phase and combines them (min/max/union) for the run', () => {
    const { bus, t } = tracked();
    t.watch('w', RAM, RAM + 4);
    bus.w32(RAM, 1);                       // (start): 0..3
    t.mark('A', 100, 10);
    bus.w32(RAM + 0x10, 1);                // A: 0x10..0x13
    bus.w8(RAM + 2, 1);                    // A: byte 2 again
    t.mark('B', 250, 40);
    bus.w16(RAM + 0x800, 1);               // B: 0x800, 0x801
    t.end(300, 50);                        // (unmarked) from here: no writes, 20 instructions
    t.finish(400, 70);
    t.finish(400, 70);                     // an empty unmarked phase: dropped
    const r = t.report();
    const reg = (lowest: number | null, highest: number | null, bytesTouched: number) => [{ name: 'sram', lowest, highest, bytesTouched }];
    expect(r.phases).toEqual([
      { name: '(start)', marked: false, startCycle: 0, endCycle: 100, cycles: 100, startInstructions: 0, endInstructions: 10, instructions: 10,
        regions: reg(RAM, RAM + 3, 4), watches: [{ name: 'w', highestOffset: 3, bytesTouched: 4 }], stack: null },
      { name: 'A', marked: true, startCycle: 100, endCycle: 250, cycles: 150, startInstructions: 10, endInstructions: 40, instructions: 30,
        regions: reg(RAM + 2, RAM + 0x13, 5), watches: [{ name: 'w', highestOffset: 2, bytesTouched: 1 }], stack: null },
      { name: 'B', marked: true, startCycle: 250, endCycle: 300, cycles: 50, startInstructions: 40, endInstructions: 50, instructions: 10,
        regions: reg(RAM + 0x800, RAM + 0x801, 2), watches: [{ name: 'w', highestOffset: -1, bytesTouched: 0 }], stack: null },
      { name: '(unmarked)', marked: false, startCycle: 300, endCycle: 400, cycles: 100, startInstructions: 50, endInstructions: 70, instructions: 20,
        regions: reg(null, null, 0), watches: [{ name: 'w', highestOffset: -1, bytesTouched: 0 }], stack: null },
    ]);
    // the run: bytes 0..3, 0x10..0x13, 0x800..0x801 = 10 (the phases sum to 11: byte 2 twice)
    expect(r.regions[0]).toEqual({ name: 'sram', base: RAM, size: 0x1000, lowest: RAM, highest: RAM + 0x801, bytesTouched: 10, highWater: 0x802 });
    expect(r.watches[0]).toMatchObject({ highestOffset: 3, bytesTouched: 4 });
  });
  it('drops an empty "(start)" phase; keeps an empty marked one', () => {
    const { t } = tracked();
    t.mark('first', 0, 0);
    t.mark('second', 0, 0);
    t.finish(5, 1);
    expect(t.report().phases.map((p) => [p.name, p.cycles, p.instructions])).toEqual([['first', 0, 0], ['second', 5, 1]]);
  });
  it('whole-run figures include the open phase; reset forgets writes and phases', () => {
    const { bus, t } = tracked();
    t.mark('A', 0, 0);                     // (start) is empty: dropped
    bus.w32(RAM + 8, 0);
    expect(t.phase).toBe('A');
    const r = t.report();
    expect(r.phases.length).toBe(0);
    expect(r.regions[0]).toMatchObject({ bytesTouched: 4, lowest: RAM + 8 });
    t.reset();
    expect(t.phase).toBe('(start)');
    expect(t.report().regions[0]).toMatchObject({ bytesTouched: 0, lowest: null });
    bus.w8(RAM + 1, 0);
    t.finish(3, 3);
    expect(t.report().phases.map((p) => [p.name, p.regions[0]!.bytesTouched])).toEqual([['(start)', 1]]);
  });
  it('property: marks anywhere do not change the run figures; phases combine to them exactly', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('w' as const), n: fc.constantFrom(1, 2, 4), o: fc.integer({ min: 0, max: 508 }) }),
      fc.record({ k: fc.constantFrom('mark' as const, 'end' as const), n: fc.constant(0), o: fc.constant(0) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 112 }), (ops, ws, wl) => {
      const mk = () => {
        const bus = new FlatBus([{ name: 'a', base: RAM, size: 512 }, { name: 'b', base: 0x10000000, size: 512 }]);
        const t = new UsageTracker();
        t.trackAll(bus.regions);
        t.watch('w', RAM + ws, RAM + ws + wl);
        return { bus, t };
      };
      const one = mk(), many = mk();
      const phaseSets: Set<number>[] = [new Set()];
      let now = 0, marks = 0;
      for (const x of ops) {
        now++;
        if (x.k === 'w') {
          for (const { bus } of [one, many]) {
            const base = x.o & 1 ? 0x10000000 : RAM; // both memories
            if (x.n === 1) bus.w8(base + x.o, 0); else if (x.n === 2) bus.w16(base + x.o, 0); else bus.w32(base + x.o, 0);
          }
          if (!(x.o & 1)) for (let i = 0; i < x.n; i++) phaseSets[phaseSets.length - 1]!.add(x.o + i);
        } else {
          if (x.k === 'mark') many.t.mark(`p${marks++}`, now, now); else many.t.end(now, now);
          phaseSets.push(new Set());
        }
      }
      one.t.finish(now + 1, now + 1); many.t.finish(now + 1, now + 1);
      const a: UsageReport = one.t.report(), b: UsageReport = many.t.report();
      expect(b.regions).toEqual(a.regions);
      expect(b.watches).toEqual(a.watches);
      // the single phase covering everything has the run's figures
      expect(a.phases.length).toBe(1);
      expect(a.phases[0]!.regions.map((r) => r.bytesTouched)).toEqual(a.regions.map((r) => r.bytesTouched));
      expect(a.phases[0]!.regions.map((r) => [r.lowest, r.highest])).toEqual(a.regions.map((r) => [r.lowest, r.highest]));
      // combination over phases: min, max, union (>= each, <= sum); cycles and instructions add up
      for (let i = 0; i < b.regions.length; i++) {
        const ps = b.phases.map((p) => p.regions[i]!);
        const los = ps.map((p) => p.lowest).filter((v): v is number => v !== null);
        const his = ps.map((p) => p.highest).filter((v): v is number => v !== null);
        expect(los.length ? Math.min(...los) : null).toBe(b.regions[i]!.lowest);
        expect(his.length ? Math.max(...his) : null).toBe(b.regions[i]!.highest);
        const sum = ps.reduce((s, p) => s + p.bytesTouched, 0);
        expect(sum).toBeGreaterThanOrEqual(b.regions[i]!.bytesTouched);
        for (const p of ps) expect(p.bytesTouched).toBeLessThanOrEqual(b.regions[i]!.bytesTouched);
      }
      expect(b.phases.reduce((s, p) => s + p.cycles, 0)).toBe(now + 1);
      expect(b.phases.reduce((s, p) => s + p.instructions, 0)).toBe(now + 1);
      // each phase's bytes in memory a are exactly the bytes written in it (every phase here lasts >= 1 cycle: none dropped)
      expect(b.phases.map((p) => p.regions[0]!.bytesTouched)).toEqual(phaseSets.map((s) => s.size));
      const ww = b.phases.map((p) => p.watches[0]!.bytesTouched).reduce((s, v) => s + v, 0);
      expect(ww).toBeGreaterThanOrEqual(b.watches[0]!.bytesTouched);
    }));
  });
});

describe('stack', () => {
  /** a fake core: SP moves, spMin follows it, resetSpMin sets it to the current SP (the contract in usage.ts) */
  function core(initial: number) {
    const c = { sp: initial, spMin: 0xffffffff };
    return {
      c,
      setSp(v: number) { c.sp = v; if (v < c.spMin) c.spMin = v; },
      spMin: () => c.spMin,
      reset: () => { c.spMin = c.sp; },
    };
  }
  it('finds the stack region from the initial SP and reports the lowest SP per phase and for the run', () => {
    const { t } = tracked();
    const k = core(RAM + 0x1000);
    expect(t.stackFrom(RAM + 0x1000, k.spMin, k.reset)).toBe('sram'); // the end of sram: the bytes below it
    k.setSp(RAM + 0xff0);
    k.setSp(RAM + 0xf00);
    k.setSp(RAM + 0xff0);
    t.mark('A', 10, 10);                     // (start): lowest 0xf00
    expect(k.c.spMin).toBe(RAM + 0xff0);     // reset to the current SP
    k.setSp(RAM + 0xfc0);
    k.setSp(RAM + 0xff0);
    t.finish(20, 20);                        // A: lowest 0xfc0
    const r = t.report();
    expect(r.phases.map((p) => p.stack)).toEqual([
      { lowestSp: RAM + 0xf00, bytesUsed: 0x100 },
      { lowestSp: RAM + 0xfc0, bytesUsed: 0x40 },
    ]);
    expect(r.stack).toEqual({ region: 'sram', initialSp: RAM + 0x1000, lowestSp: RAM + 0xf00, bytesUsed: 0x100 });
  });
  it('no SP seen: lowestSp null, 0 bytes; an initial SP outside tracked memory has no region', () => {
    const { t } = tracked();
    expect(t.stackFrom(0x10000000, () => 0xffffffff, () => {})).toBeNull();
    t.finish(1, 1);
    const r = t.report();
    expect(r.stack).toEqual({ region: null, initialSp: 0x10000000, lowestSp: null, bytesUsed: 0 });
    expect(r.phases[0]!.stack).toEqual({ lowestSp: null, bytesUsed: 0 });
  });
  it('the open phase counts in the run figure', () => {
    const { t } = tracked();
    const k = core(RAM + 0x800);
    expect(t.stackFrom(RAM + 0x800, k.spMin, k.reset)).toBe('sram');
    k.setSp(RAM + 0x7f8);
    expect(t.report().stack).toMatchObject({ lowestSp: RAM + 0x7f8, bytesUsed: 8 });
  });
});

describe('simulator control device', () => {
  function fake() {
    const calls: string[] = [];
    const sink: PhaseSink = {
      mark: (name, now, n) => { calls.push(`mark ${name} @${now}/${n}`); },
      end: (now, n) => { calls.push(`end @${now}/${n}`); },
    };
    const mem = new Uint8Array(0x400);
    const readByte = (a: number): number => {
      if (a < RAM || a >= RAM + mem.length) throw new Error('bus error');
      return mem[a - RAM]!;
    };
    const clock = { now: 7, insts: 3 };
    const dev = new SimCtl(sink, () => clock.now, () => clock.insts, readByte);
    const put = (a: number, s: string | number[]) => { mem.set(typeof s === 'string' ? new TextEncoder().encode(s) : s, a - RAM); };
    return { calls, dev, put, clock };
  }
  it('ID reads "MCUS" at 0xC in any size; other registers and offsets read 0', () => {
    const { dev } = fake();
    expect(dev.base).toBe(0xe00f0000);
    expect(MCUSIM_BASE).toBe(0xe00f0000);
    expect(dev.size).toBe(0x1000);
    expect(dev.read(0xc, 4)).toBe(0x4d435553);
    expect(MCUSIM_ID).toBe(0x4d435553);
    expect(dev.read(0xc, 1)).toBe(0x53);  // 'S', the low byte
    expect(dev.read(0xf, 1)).toBe(0x4d);  // 'M'
    expect(dev.read(0xe, 2)).toBe(0x4d43);
    for (const o of [0, 4, 8, 0x10, 0xffc]) expect(dev.read(o, 4)).toBe(0);
  });
  it('MARK starts a phase named by the number; END ends it; other writes are ignored', () => {
    const { dev, calls, clock } = fake();
    dev.write(0, 4, 3);
    clock.now = 50; clock.insts = 20;
    dev.write(0, 4, 0xffffffff);
    dev.write(0, 1, 5);          // not a word write: ignored
    dev.write(0, 2, 5);
    dev.write(0x10, 4, 1);       // reserved: ignored
    dev.write(0xc, 4, 1);        // ID is read-only
    dev.write(8, 4, 0);          // END
    dev.write(0xa, 1, 0);        // any write to END
    expect(calls).toEqual(['mark 3 @7/3', 'mark 4294967295 @50/20', 'end @50/20', 'end @50/20']);
  });
  it('MARK_NAME reads a NUL-terminated name from memory; bad names become "(bad name at ...)"', () => {
    const { dev, calls, put } = fake();
    put(RAM + 0x100, 'layer 3\0');
    put(RAM + 0x140, [0x63, 0x61, 0x66, 0xc3, 0xa9, 0]);      // "café" in UTF-8
    put(RAM + 0x180, 'x'.repeat(MAX_NAME_BYTES - 1) + '\0');  // the longest name: 63 bytes + NUL
    put(RAM + 0x200, 'y'.repeat(MAX_NAME_BYTES) + '\0');      // no NUL within 64 bytes
    put(RAM + 0x3fe, 'ab');                                    // runs off the end of memory
    put(RAM + 0x300, [0]);
    for (const a of [0x100, 0x140, 0x180, 0x200, 0x3fe, 0x300]) dev.write(4, 4, RAM + a);
    dev.write(4, 4, 0x40000000);
    expect(calls).toEqual([
      'mark layer 3 @7/3',
      'mark café @7/3',
      `mark ${'x'.repeat(63)} @7/3`,
      'mark (bad name at 0x20000200: no NUL within 64 bytes) @7/3',
      'mark (bad name at 0x200003fe: unreadable byte at 0x20000400) @7/3',
      'mark (bad name at 0x20000300: empty) @7/3',
      'mark (bad name at 0x40000000: unreadable byte at 0x40000000) @7/3',
    ]);
  });
  it('a readByte that returns undefined is an unreadable byte, not an error', () => {
    const calls: string[] = [];
    const dev = new SimCtl({ mark: (n) => { calls.push(n); }, end: () => {} }, () => 0, () => 0, () => undefined);
    expect(() => dev.write(4, 4, 0x1234)).not.toThrow();
    expect(calls).toEqual(['(bad name at 0x00001234: unreadable byte at 0x00001234)']);
  });
  it('a machine tracks usage and has the marker block: the phases of a program run on it', () => {
    const m: Machine = createMachine();
    const t = m.usage!;
    const lines = [
      'movw r1, #0', 'movt r1, #0x2000',      // r1 = 0x20000000
      'movw r2, #0', 'movt r2, #0xe00f',     // r2 = MCUSIM_BASE (0xE00F0000)
      'movs r0, #1',
      'str r0, [r1]',                         // (start): 0x20000000..03
      'movs r3, #7',
      'str r3, [r2]',                         // MARK 7
      'strb r0, [r1, #16]',                   // "7": 0x20000010
      'str r0, [r2, #8]',                     // END
      'strh r0, [r1, #32]',                   // (unmarked): 0x20000020..21
    ];
    m.load(encodeLines(lines), 0);
    m.run({ maxInstructions: lines.length });
    t.finish(m.state.cycles, m.state.icount);
    const r = t.report();
    const sram = r.regions.find((x) => x.name === 'sram')!;
    expect(sram).toMatchObject({ lowest: RAM, highest: RAM + 0x21, bytesTouched: 7, highWater: 0x22 });
    expect(r.phases.map((p) => [p.name, p.regions.find((x) => x.name === 'sram')!.bytesTouched])).toEqual([
      ['(start)', 4], ['7', 1], ['(unmarked)', 2],
    ]);
    expect(r.phases[1]!.regions.find((x) => x.name === 'sram')).toMatchObject({ lowest: RAM + 0x10, highest: RAM + 0x10 });
  });
});
