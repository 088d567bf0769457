/**
 * Branches, IT blocks, CBZ/CBNZ, TBB/TBH (ARMv7-M ARM A7.7.12, A7.7.18-A7.7.21, A7.7.38, A7.7.182).
 * Expected values are worked out from the manual: branch target = instruction address + 4 + offset, BL's LR =
 * next instruction address | 1, BLX's LR = address + 2 | 1, the ConditionPassed table of A7.3.1, ITSTATE
 * advance of A7.3.3.
 */
import { describe, it, expect } from 'vitest';
import { encodeInstruction } from '../../src/asm/instr.js';
import { createMachine, type Machine } from '../../src/machine.js';

// ------------------------------------------------------------------ a small label-aware assembler for the tests
/**
 * Assemble `src` (one instruction, `label:`, `.byte e, ...`, `.hword e, ...`, `.word e, ...` or `.align 2` per
 * line) at `base`. Expressions may use labels, numbers, + - * / and parentheses. Sizes only grow between passes.
 */
function asm(src: string, base = 0): { bytes: Uint8Array; labels: Record<string, number> } {
  const lines = src.split('\n').map((l) => l.replace(/@.*$/, '').trim()).filter((l) => l);
  const minSize = new Map<number, 2 | 4>();
  let labels: Record<string, number> = {};
  for (let pass = 0; pass < 6; pass++) {
    const out: number[] = [];
    const newLabels: Record<string, number> = {};
    let it: { cond: number; mask: number } | null = null;
    let known = true;
    const evaluate = (text: string) => {
      let unknown = false;
      const e = text.replace(/0x[0-9a-f]+|\d+|[A-Za-z_.][A-Za-z0-9_.]*/gi, (w) => {
        if (/^(0x[0-9a-f]+|\d+)$/i.test(w)) return w;
        const v = labels[w];
        if (v === undefined) { unknown = true; return '0'; }
        return String(v);
      });
      if (!/^[-+*/() 0-9xa-fA-F]*$/.test(e)) throw new Error(`bad expression ${text}`);
      if (unknown) known = false;
      return { value: Number(Function(`return (${e});`)()), known: !unknown };
    };
    lines.forEach((line, li) => {
      const addr = base + out.length;
      const lm = /^([A-Za-z_.][A-Za-z0-9_.]*):$/.exec(line);
      if (lm) { newLabels[lm[1]!] = addr; labels[lm[1]!] ??= addr; return; }
      const dm = /^\.(byte|hword|word|align)\s+(.*)$/.exec(line);
      if (dm) {
        if (dm[1] === 'align') { while ((base + out.length) % (1 << Number(dm[2]))) out.push(0); return; }
        const n = dm[1] === 'byte' ? 1 : dm[1] === 'hword' ? 2 : 4;
        for (const x of dm[2]!.split(',')) {
          const v = evaluate(x).value;
          for (let k = 0; k < n; k++) out.push((v >>> (8 * k)) & 0xff);
        }
        return;
      }
      const sp = line.search(/\s/);
      const mn = sp < 0 ? line : line.slice(0, sp);
      const ops = sp < 0 ? '' : line.slice(sp + 1);
      const slot = it ? { inIT: true, cond: it.cond, last: (it.mask & 7) === 0 } : { inIT: false, cond: 14, last: false };
      const r = encodeInstruction(mn, ops, { address: addr, it: slot, evaluate, minSize: minSize.get(li) });
      if (!r.ok) {
        if (!known) { for (let k = 0; k < (minSize.get(li) ?? 2); k++) out.push(0); return; }
        throw new Error(`cannot encode '${line}': ${r.message}`);
      }
      if (r.size > (minSize.get(li) ?? 2)) minSize.set(li, r.size);
      out.push(...r.bytes);
      if (r.itBlock) it = { cond: r.itBlock.firstcond, mask: r.itBlock.mask };
      else if (it) {
        const st = ((it.cond << 4) | it.mask) & 0xff;
        const next = (st & 7) === 0 ? 0 : (st & 0xe0) | ((st << 1) & 0x1f);
        it = next & 15 ? { cond: next >>> 4, mask: next & 15 } : null;
      }
    });
    const stable = JSON.stringify(newLabels) === JSON.stringify(labels);
    labels = newLabels;
    if (stable && known && pass > 0) return { bytes: new Uint8Array(out), labels };
  }
  throw new Error('assembly did not converge');
}

/** A machine with `src` loaded at `base` and registers set. */
function load(src: string, regs: Record<string, number> = {}, base = 0x1000): { m: Machine; L: Record<string, number> } {
  const { bytes, labels } = asm(src, base);
  const m = createMachine({ regions: [{ name: 'ram', base: 0, size: 0x200000 }] });
  m.load(bytes, base);
  m.setReg('sp', 0x100000);
  for (const [k, v] of Object.entries(regs)) m.setReg(k, v);
  return { m, L: labels };
}
function setFlags(m: Machine, nzcv: number): void {
  m.state.n = (nzcv >>> 3) & 1; m.state.z = (nzcv >>> 2) & 1; m.state.c = (nzcv >>> 1) & 1; m.state.v = nzcv & 1;
}

const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le'];
/** ConditionPassed (A7.3.1), written out from the manual's table. */
function holds(cond: string, nzcv: number): boolean {
  const n = (nzcv >>> 3) & 1, z = (nzcv >>> 2) & 1, c = (nzcv >>> 1) & 1, v = nzcv & 1;
  switch (cond) {
    case 'eq': return z === 1;
    case 'ne': return z === 0;
    case 'cs': return c === 1;
    case 'cc': return c === 0;
    case 'mi': return n === 1;
    case 'pl': return n === 0;
    case 'vs': return v === 1;
    case 'vc': return v === 0;
    case 'hi': return c === 1 && z === 0;
    case 'ls': return c === 0 || z === 1;
    case 'ge': return n === v;
    case 'lt': return n !== v;
    case 'gt': return z === 0 && n === v;
    case 'le': return z === 1 || n !== v;
    default: return true;
  }
}
const inv = (c: string) => CONDS[CONDS.indexOf(c) ^ 1]!;

// ------------------------------------------------------------------ tests
describe('B', () => {
  it('B T1 (16-bit conditional): taken and not taken for every condition and flag state', () => {
    for (const c of CONDS) {
      for (let nzcv = 0; nzcv < 16; nzcv++) {
        const { m, L } = load(`
          b${c} skip
          mov.w r0, #1
          skip:
          mov.w r1, #2
          bkpt #0`, { r0: 0, r1: 0 });
        expect(m.reg('pc')).toBe(0x1000);
        setFlags(m, nzcv);
        const res = m.run();
        expect(res.reason).toBe('bkpt');
        const taken = holds(c, nzcv);
        expect(m.reg('r0'), `${c} nzcv=${nzcv}`).toBe(taken ? 0 : 1);
        expect(m.reg('r1')).toBe(2);
        expect(res.instructions).toBe(taken ? 2 : 3);
        expect(res.pc).toBe(L.skip! + 4);
        // the flags are not changed by a branch
        expect([m.state.n, m.state.z, m.state.c, m.state.v]).toEqual([(nzcv >> 3) & 1, (nzcv >> 2) & 1, (nzcv >> 1) & 1, nzcv & 1]);
      }
    }
  });

  it('B T1 reaches -256..+254 and its encoding is the 16-bit one', () => {
    const { m } = load('beq 0x1004', {});
    expect(m.read16(0x1000)).toBe(0xd000); // offset 0: target = 0x1000 + 4
    const back = asm('beq 0xf04', 0x1000).bytes; // offset -256
    expect(back.length).toBe(2);
    expect(back[1]! << 8 | back[0]!).toBe(0xd080);
  });

  it('B T3 (32-bit conditional) taken forward and backward over long distances, and not taken', () => {
    for (const [c, nzcv, taken] of [['eq', 4, true], ['eq', 0, false], ['lt', 8, true], ['lt', 9, false]] as const) {
      // forward 0x40000 bytes
      const m = createMachine({ regions: [{ name: 'ram', base: 0, size: 0x200000 }] });
      m.load(asm(`b${c}.w 0x41004`, 0x1000).bytes, 0x1000);
      m.load(asm('mov.w r1, #7\nbkpt #1', 0x41004).bytes, 0x41004);
      m.load(asm('mov.w r1, #9\nbkpt #2', 0x1004).bytes, 0x1004);
      m.pc = 0x1000;
      setFlags(m, nzcv);
      const res = m.run();
      expect(res.reason).toBe('bkpt');
      expect(m.reg('r1')).toBe(taken ? 7 : 9);
      expect(res.imm).toBe(taken ? 1 : 2);
    }
    // backward: B T3 at 0x90000 to 0x10000 (offset -0x80004)
    const m = createMachine({ regions: [{ name: 'ram', base: 0, size: 0x200000 }] });
    m.load(asm('bne.w 0x10000', 0x90000).bytes, 0x90000);
    m.load(asm('mov.w r2, #5\nbkpt #0', 0x10000).bytes, 0x10000);
    m.pc = 0x90000;
    setFlags(m, 0);
    expect(m.run().pc).toBe(0x10004);
    expect(m.reg('r2')).toBe(5);
  });

  it('B T2 and B T4 (unconditional) forward and backward, the maximum B T4 range', () => {
    const { m } = load(`
      b fwd
      mov.w r0, #1
      back:
      mov.w r2, #3
      bkpt #0
      fwd:
      mov.w r1, #2
      b.w back`, { r0: 0 });
    expect(m.run().reason).toBe('bkpt');
    expect([m.reg('r0'), m.reg('r1'), m.reg('r2')]).toEqual([0, 2, 3]);
    // B T4 over +16 MB - 2: 0x100000 + 4 + 0xfffffe = 0x1100002
    const big = createMachine({ regions: [{ name: 'lo', base: 0x100000, size: 0x1000 }, { name: 'hi', base: 0x1100000, size: 0x1000 }] });
    big.load(asm('b.w 0x1100002', 0x100000).bytes, 0x100000);
    big.load(asm('bkpt #9', 0x1100002).bytes, 0x1100002);
    big.pc = 0x100000;
    const res = big.run();
    expect(res.reason).toBe('bkpt');
    expect(res.pc).toBe(0x1100002);
  });

  it('b . is a halt', () => {
    const { m } = load('mov.w r0, #1\nhere:\nb here');
    const res = m.run();
    expect(res.reason).toBe('halt');
    expect(res.pc).toBe(0x1004);
  });

  it('beq . falls through when the condition fails and spins (to the instruction limit) when it holds', () => {
    const { m } = load('here:\nbeq here\nbkpt #1');
    setFlags(m, 0);
    expect(m.run()).toMatchObject({ reason: 'bkpt', imm: 1, instructions: 1 });
    const s = load('here:\nbeq here\nbkpt #1').m;
    setFlags(s, 0b0100);
    expect(s.run({ maxInstructions: 1000 })).toMatchObject({ reason: 'limit', instructions: 1000, pc: 0x1000 });
    // inside an IT block: it eq; b . (the branch is its own block once taken)
    const t = load('it eq\nhere:\nbeq here\nbkpt #2').m;
    setFlags(t, 0);
    expect(t.run()).toMatchObject({ reason: 'bkpt', imm: 2 });
    const u = load('it eq\nhere:\nbeq here\nbkpt #2').m;
    setFlags(u, 0b0100);
    expect(u.run()).toMatchObject({ reason: 'halt', pc: 0x1002 });
  });
});

describe('BL, BX, BLX', () => {
  it('BL sets LR to the next instruction | 1 and BX LR returns', () => {
    const { m, L } = load(`
      bl func
      mov.w r0, #7
      bkpt #0
      func:
      mov.w r3, lr
      mov.w r1, #3
      bx lr`);
    const res = m.run();
    expect(res.reason).toBe('bkpt');
    expect(m.reg('r3')).toBe((0x1000 + 4) | 1); // BL at 0x1000 is 4 bytes
    expect([m.reg('r0'), m.reg('r1')]).toEqual([7, 3]);
    expect(res.pc).toBe(L.func! - 2);
    expect(m.state.t).toBe(1);
  });

  it('BL over a long distance backward', () => {
    const m = createMachine({ regions: [{ name: 'ram', base: 0, size: 0x200000 }] });
    m.load(asm('bl 0x100', 0x180000).bytes, 0x180000);
    m.load(asm('bkpt #1', 0x100).bytes, 0x100);
    m.pc = 0x180000;
    const res = m.run();
    expect(res.pc).toBe(0x100);
    expect(m.reg('lr')).toBe(0x180005);
  });

  it('BLX (register) sets LR to address + 2 | 1 and reads the target before writing LR', () => {
    const { m, L } = load(`
      blx r4
      bkpt #1
      f:
      mov.w r5, lr
      blx lr
      bkpt #2`);
    m.setReg('r4', L.f! | 1);
    const res = m.run();
    // blx r4 at 0x1000: LR = 0x1003; f: mov r5, lr; blx lr -> back to 0x1002 with LR = (f+4+2)|1
    expect(m.reg('r5')).toBe(0x1003);
    expect(res.reason).toBe('bkpt');
    expect(res.imm).toBe(1);
    expect(m.reg('lr')).toBe((L.f! + 4 + 2) | 1);
  });

  it('BX to an address with bit 0 clear faults INVSTATE on the next instruction', () => {
    const { m } = load('mov.w r0, #0x2000\nbx r0', {});
    m.write16(0x2000, 0xbf00); // nop there
    const res = m.run();
    expect(res.reason).toBe('fault');
    expect(res.fault?.kind).toBe('UsageFault');
    expect(res.fault?.reason).toBe('INVSTATE');
    expect(res.pc).toBe(0x2000);
    expect(res.instructions).toBe(2); // mov and bx executed, the nop not
    expect(m.state.t).toBe(0);
  });

  it('BLX to an even address also faults INVSTATE after setting LR; BX PC does too', () => {
    const { m } = load('blx r2', { r2: 0x3000 });
    m.write16(0x3000, 0xbf00);
    const res = m.run();
    expect(res.fault?.reason).toBe('INVSTATE');
    expect(m.reg('lr')).toBe(0x1003);
    const b = load('nop\nnop\nbx pc\nnop\nnop').m; // bx pc at 0x1004: PC reads 0x1008, bit 0 clear
    const r2 = b.run();
    expect(r2.fault?.reason).toBe('INVSTATE');
    expect(r2.pc).toBe(0x1008);
  });

  it('BX in Handler mode branches like in Thread mode (EXC_RETURN arrives with the exception model)', () => {
    const { m } = load('bx r1', { r1: 0x1101 });
    m.write16(0x1100, 0xbe05);
    m.state.ipsr = 11;
    expect(m.run().imm).toBe(5);
  });
});

describe('CBZ, CBNZ', () => {
  it('branch on zero / non-zero, never change the flags', () => {
    for (const [mn, val, taken] of [['cbz', 0, true], ['cbz', 5, false], ['cbnz', 0, false], ['cbnz', 0x80000000, true]] as const) {
      const { m } = load(`
        ${mn} r3, over
        mov.w r0, #1
        over:
        bkpt #0`, { r3: val, r0: 0 });
      setFlags(m, 0b1010);
      const res = m.run();
      expect(m.reg('r0'), `${mn} ${val}`).toBe(taken ? 0 : 1);
      expect(res.instructions).toBe(taken ? 1 : 2);
      expect([m.state.n, m.state.z, m.state.c, m.state.v]).toEqual([1, 0, 1, 0]);
    }
  });

  it('reaches forward 126 bytes at most', () => {
    const b = asm('cbz r0, 0x1082', 0x1000).bytes; // 0x1000 + 4 + 126
    expect(b[1]! << 8 | b[0]!).toBe(0xb3f8); // i=1 imm5=11111 Rn=0
    expect(() => asm('cbz r0, 0x1084', 0x1000)).toThrow(/out of range/);
    expect(() => asm('cbz r0, 0xffe', 0x1000)).toThrow(/out of range/);
    const m = createMachine();
    m.load(b, 0x1000);
    m.write16(0x1082, 0xbe07);
    m.setReg('r0', 0);
    expect(m.run().pc).toBe(0x1082);
  });
});

describe('TBB, TBH', () => {
  const tbbProg = `
    tbb [pc, r0]
    table:
    .byte (c0 - table) / 2, (c1 - table) / 2, (c2 - table) / 2, (c3 - table) / 2
    c0:
    mov.w r1, #10
    bkpt #0
    c1:
    mov.w r1, #11
    bkpt #1
    c2:
    mov.w r1, #12
    bkpt #2
    c3:
    mov.w r1, #13
    bkpt #3`;
  it('TBB with the table after the instruction (Rn = PC)', () => {
    for (let i = 0; i < 4; i++) {
      const { m } = load(tbbProg, { r0: i });
      const res = m.run();
      expect(res.imm).toBe(i);
      expect(m.reg('r1')).toBe(10 + i);
      expect(res.instructions).toBe(2);
    }
  });
  it('TBH with the table in data memory: PC + 2 * halfword', () => {
    for (let i = 0; i < 3; i++) {
      const { m, L } = load(`
        tbh [r2, r0, lsl #1]
        c0:
        bkpt #0
        c1:
        bkpt #1
        c2:
        bkpt #2`, { r0: i, r2: 0x8000 });
      const base = 0x1000 + 4;
      [L.c0!, L.c1!, L.c2!].forEach((a, k) => m.write16(0x8000 + 2 * k, (a - base) / 2));
      expect(m.run().imm).toBe(i);
    }
    // a large forward offset: halfword 0x4000 -> PC + 0x8000
    const { m } = load('tbh [r2, r0, lsl #1]', { r0: 0, r2: 0x8000 });
    m.write16(0x8000, 0x4000);
    m.write16(0x1004 + 0x8000, 0xbe06);
    expect(m.run().pc).toBe(0x9004);
  });
  it('TBH on an odd table address works, and faults UNALIGNED when CCR.UNALIGN_TRP is set', () => {
    const { m } = load('tbh [r2, r0, lsl #1]', { r0: 1, r2: 0x8001 });
    m.write16(0x8003, 2);
    m.write16(0x1008, 0xbe04);
    expect(m.run().imm).toBe(4);
    const t = load('tbh [r2, r0, lsl #1]', { r0: 1, r2: 0x8001 }).m;
    t.state.unalignTrap = 1;
    const res = t.run();
    expect(res.fault?.reason).toBe('UNALIGNED');
    expect(res.pc).toBe(0x1000);
  });
});

describe('IT blocks', () => {
  it('ITTEE / ITETE execute exactly the slots whose condition passes, for every condition and flag state', () => {
    for (const c of CONDS) {
      for (const letters of ['tee', 'ete', 'ttt', 'eee', 'e', '']) {
        const slots = [c, ...[...letters].map((x) => (x === 't' ? c : inv(c)))];
        const body = slots.map((s, k) => `mov${s} r${k + 1}, #${k + 1}`).join('\n');
        for (let nzcv = 0; nzcv < 16; nzcv++) {
          const { m } = load(`it${letters} ${c}\n${body}\nbkpt #0`, { r1: 0, r2: 0, r3: 0, r4: 0 });
          setFlags(m, nzcv);
          const res = m.run();
          expect(res.reason).toBe('bkpt');
          slots.forEach((s, k) => expect(m.reg(k + 1), `it${letters} ${c} slot ${k} nzcv ${nzcv}`).toBe(holds(s, nzcv) ? k + 1 : 0));
          expect(res.instructions).toBe(1 + slots.length); // skipped slots still count as executed instructions
          expect(m.state.itstate).toBe(0);
        }
      }
    }
  });

  it('16-bit data processing inside an IT block does not set the flags; a flag change inside steers later slots', () => {
    const { m } = load(`
      itt eq
      addeq r0, r1
      cmpeq r0, #5
      ite eq
      moveq r2, #1
      movne r2, #2
      bkpt #0`, { r0: 2, r1: 3 });
    setFlags(m, 0b0100);
    m.run();
    expect(m.reg('r0')).toBe(5);
    expect(m.reg('r2')).toBe(1); // cmp set Z (5 == 5)
    const n = load(`
      itt eq
      addeq r0, r1
      cmpeq r0, #4
      ite eq
      moveq r2, #1
      movne r2, #2
      bkpt #0`, { r0: 2, r1: 3 }).m;
    setFlags(n, 0b0100);
    n.run();
    expect(n.reg('r2')).toBe(2); // cmp cleared Z: the ITE takes its else slot
  });

  it('a branch as the last instruction of an IT block: taken and not taken', () => {
    for (const [nzcv, taken] of [[0b0100, true], [0, false]] as const) {
      for (const b of ['beq', 'beq.w', 'bleq']) {
        const { m } = load(`
          it eq
          ${b} far
          mov.w r0, #1
          bkpt #0
          far:
          mov.w r0, #2
          bkpt #1`, { r0: 0 });
        setFlags(m, nzcv);
        m.run();
        expect(m.reg('r0'), `${b} ${nzcv}`).toBe(taken ? 2 : 1);
        if (b === 'bleq') expect(m.reg('lr')).toBe(taken ? 0x1007 : 0);
      }
    }
  });

  it('BX, BLX, TBB, TBH as the last instruction of an IT block: taken and not taken', () => {
    // The IT is at 0x1000, the branch at 0x1002; TBB/TBH (32-bit) add to PC = 0x1006.
    const src = (ins: string) => `
      it ne
      ${ins}
      mov.w r0, #1
      bkpt #0
      far:
      mov.w r0, #2
      bkpt #1
      tbl:
      .byte (far - 0x1006) / 2, 0
      tblh:
      .hword (far - 0x1006) / 2`;
    for (const [nzcv, taken] of [[0, true], [0b0100, false]] as const) {
      for (const ins of ['bxne r3', 'blxne r3', 'tbbne [r4, r5]', 'tbhne [r6, r5, lsl #1]']) {
        const { m, L } = load(src(ins), { r0: 0, r5: 0 });
        m.setReg('r3', L.far! | 1);
        m.setReg('r4', L.tbl!);
        m.setReg('r6', L.tblh!);
        setFlags(m, nzcv);
        const res = m.run();
        expect(m.reg('r0'), `${ins} nzcv ${nzcv}`).toBe(taken ? 2 : 1);
        expect(res.imm).toBe(taken ? 1 : 0);
        if (ins.startsWith('blx')) expect(m.reg('lr')).toBe(taken ? 0x1005 : 0);
      }
    }
  });

  it('IT state is carried across single steps: step() gives the same result and ITSTATE sequence as run()', () => {
    const src = `
      ittet ne
      movne r1, #1
      addne r2, r2, #2
      moveq r3, #3
      addne r4, r4, #4
      mov.w r5, #5
      bkpt #0`;
    for (const nzcv of [0, 0b0100]) {
      const a = load(src).m;
      setFlags(a, nzcv);
      const ra = a.run();
      const b = load(src).m;
      setFlags(b, nzcv);
      const seen: number[] = [];
      let rb;
      let count = 0;
      for (;;) {
        rb = b.step();
        if (rb.reason !== 'limit') break;
        count += rb.instructions;
        seen.push(b.state.itstate);
      }
      expect(b.regs).toEqual(a.regs);
      expect(count).toBe(ra.instructions);
      // IT NE, TET: firstcond 0001, mask 1011 (A7.7.38): ITSTATE 0x1b, then IT[4:0] shifts left (A7.3.3)
      expect(seen.slice(0, 5)).toEqual([0x1b, 0x16, 0x0c, 0x18, 0]);
      expect(b.regs.slice(1, 6)).toEqual(nzcv ? [0, 0, 3, 0, 5] : [1, 2, 0, 4, 5]);
    }
  });

  it('IT AL runs every slot; an instruction that must be last or outside an IT block faults UNDEFINSTR', () => {
    const { m } = load('itt al\nmov r0, #1\nmov r1, #2\nbkpt #0');
    m.run();
    expect([m.reg('r0'), m.reg('r1')]).toEqual([1, 2]);
    // itt eq; b (16-bit, first slot of two): UNPREDICTABLE, raw bytes since the assembler refuses it
    const bad = createMachine();
    bad.load(new Uint8Array([0x04, 0xbf, 0x00, 0xe0, 0x00, 0xbf]), 0x100); // itt eq; b .+4; nop
    setFlags(bad, 0b0100);
    const res = bad.run();
    expect(res.fault?.reason).toBe('UNDEFINSTR');
    expect(res.pc).toBe(0x102);
    // cbz inside an IT block
    const bad2 = createMachine();
    bad2.load(new Uint8Array([0x08, 0xbf, 0x00, 0xb1]), 0x100); // it eq; cbz r0, .+4
    expect(bad2.run().fault?.message).toMatch(/CBZ_T1 inside an IT block/);
  });

  it('the assembler refuses IT rule violations', () => {
    expect(() => asm('itt eq\nbeq 0x2000\nnopeq')).toThrow(/IT block/);
    expect(() => asm('itt eq\nbxeq lr\nnopeq')).toThrow(/last instruction of an IT block/);
    expect(() => asm('it eq\ncbzeq r0, 0x40')).toThrow(/not allowed in an IT block/);
    expect(() => asm('it eq\nit eq\nnop')).toThrow();
    expect(() => asm('ite al\nnop\nnop')).toThrow(/else/);
    expect(() => asm('beq 0x10\n', 0)).not.toThrow();
  });
});

describe('loops', () => {
  it('a counted SUBS/BNE loop gives the exact instruction and cycle counts', () => {
    for (const n of [1, 2, 7, 1000, 100000]) {
      const { m } = load(`
        movw r0, #${n & 0xffff}
        movt r0, #${n >>> 16}
        loop:
        subs r0, #1
        bne loop
        bkpt #0`);
      const res = m.run();
      expect(res.reason).toBe('bkpt');
      expect(res.instructions).toBe(2 + 2 * n);
      // TRM base costs: 1 each, a taken branch 1 + P with P = 1; the last BNE falls through
      expect(res.cycles).toBe(2 + 2 * n + (n - 1));
      expect(m.reg('r0')).toBe(0);
    }
  });

  it('an instruction budget that ends inside the loop stops at exactly that count, and resuming finishes it', () => {
    const src = `
      mov.w r0, #50
      mov.w r1, #0
      loop:
      adds r1, #3
      subs r0, #1
      bne loop
      bkpt #0`;
    for (const cut of [1, 2, 3, 4, 5, 10, 77, 149]) {
      const { m } = load(src);
      const r1 = m.run({ maxInstructions: cut });
      expect(r1.reason).toBe('limit');
      expect(r1.instructions).toBe(cut);
      const r2 = m.run();
      expect(r2.reason).toBe('bkpt');
      expect(r1.instructions + r2.instructions).toBe(2 + 3 * 50);
      expect(m.reg('r1')).toBe(150);
    }
    // single steps all the way
    const { m } = load(src);
    let total = 0;
    for (;;) { const r = m.step(); if (r.reason !== 'limit') break; total += r.instructions; }
    expect(total).toBe(152);
    expect(m.reg('r1')).toBe(150);
  });

  it('a loop whose count comes from a CBNZ exit and a backward B', () => {
    const { m } = load(`
      mov.w r0, #10
      mov.w r1, #0
      top:
      cbz r0, out
      add.w r1, r1, r0
      sub.w r0, r0, #1
      b top
      out:
      bkpt #0`);
    const res = m.run();
    expect(m.reg('r1')).toBe(55);
    expect(res.instructions).toBe(2 + 4 * 10 + 1);
  });

  it('a trap in a later pass of a tight loop reports the PC and count of that pass', () => {
    // Each pass's WFE consumes the event the previous pass's SEV set; after three passes no SEV runs and the
    // fourth WFE stops the machine.
    const { m, L } = load(`
      sev
      loop:
      wfe
      subs r0, #1
      it ne
      sevne
      b loop`, { r0: 3 });
    const res = m.run();
    expect(res.reason).toBe('wfe');
    expect(res.pc).toBe(L.loop! + 2); // the machine steps past the WFE that stopped it
    expect(res.instructions).toBe(1 + 3 * 5 + 1);
    expect(m.reg('r0')).toBe(0);
    expect(m.state.event).toBe(0);
  });
});
