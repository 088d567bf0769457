/**
 * The ARMv7-M PMSA MPU (DDI 0403E B3.5). Addresses and values are the manual's: MPU_TYPE 0xE000ED90 (DREGION
 * bits 15:8), MPU_CTRL 0xE000ED94 (ENABLE bit 0, HFNMIENA bit 1, PRIVDEFENA bit 2), MPU_RNR 0xE000ED98, MPU_RBAR
 * 0xE000ED9C (ADDR 31:5, VALID bit 4, REGION 3:0), MPU_RASR 0xE000EDA0 (XN bit 28, AP 26:24, TEX 21:19, S 18, C 17,
 * B 16, SRD 15:8, SIZE 5:1 with region size 2^(SIZE+1), ENABLE bit 0), aliases 0xE000EDA4-0xE000EDB8; AP 001
 * privileged RW only, 011 full access, 110 read-only. CFSR 0xE000ED28 (MMFSR: IACCVIOL bit 0, DACCVIOL bit 1,
 * MMARVALID bit 7), HFSR 0xE000ED2C (FORCED bit 30), MMFAR 0xE000ED34, SHCSR 0xE000ED24 (MEMFAULTENA bit 16).
 */
import { describe, it, expect } from 'vitest';
import { vectorProgram, boot, readLog, sym } from '../helpers/vectors.js';

const IACCVIOL = 1 << 0, DACCVIOL = 1 << 1, MMARVALID = 1 << 7, HFSR_FORCED = 1 << 30;
const AP_PRIV_RW = 0b001, AP_FULL = 0b011, AP_RO = 0b110;

/** an MPU_RASR value: size in bytes (a power of two >= 32) */
function rasr(bytes: number, ap: number, o: { xn?: boolean; srd?: number; tex?: number; s?: boolean; c?: boolean; b?: boolean } = {}): number {
  const size = Math.log2(bytes) - 1;
  return ((o.xn ? 1 << 28 : 0) | (ap << 24) | ((o.tex ?? 0) << 19) | (o.s ? 1 << 18 : 0) | (o.c ? 1 << 17 : 0) |
    (o.b ? 1 << 16 : 0) | ((o.srd ?? 0) << 8) | (size << 1) | 1) >>> 0;
}
/** program region n through MPU_RBAR (VALID + REGION) and MPU_RASR */
const region = (n: number, base: number, r: number) => `
      ldr   r0, =0xe000ed9c
      ldr   r1, =${(base | 0x10 | n) >>> 0}
      ldr   r2, =${r}
      str   r1, [r0]
      str   r2, [r0, #4]`;
const mpuOn = (ctrl: number) => `
      ldr   r0, =0xe000ed94
      movs  r1, #${ctrl}
      str   r1, [r0]
      dsb
      isb`;
const memFaultEnable = `ldr r0, =0xe000ed24\n ldr r1, =${1 << 16}\n str r1, [r0]`;
const unprivileged = 'movs r0, #1\n msr control, r0\n isb';
/** code RO for everyone (fetch allowed), SRAM 0x20000000-0x20003FFF full access */
const baseRegions = region(0, 0, rasr(0x400000, AP_RO, { c: true })) + region(1, 0x20000000, rasr(0x4000, AP_FULL, { s: true, c: true, b: true }));

/** a handler logging CFSR, HFSR, MMFAR and the stacked PC, clearing the status, then resuming `skip` bytes on (or at the stacked LR) */
const handler = (name: string, skip: number | 'lr') => `
      .thumb_func
    ${name}:
      ldr   r1, =0xe000ed28
      ldr   r0, [r1]
      log   r0
      str   r0, [r1]
      ldr   r0, [r1, #4]
      log   r0
      str   r0, [r1, #4]
      ldr   r0, [r1, #12]         @ MMFAR
      log   r0
      ldr   r0, [sp, #24]
      log   r0
      ${skip === 'lr' ? 'ldr r0, [sp, #20]\n bic r0, r0, #1' : `adds r0, #${skip}`}
      str   r0, [sp, #24]
      bx    lr
`;

function program(body: string, mmResume: number | 'lr' = 2): string {
  const vectors = ['0', 'hf', 'mm'];
  for (let n = 5; n < 20; n++) vectors.push('0');
  return vectorProgram(vectors, body, { tail: handler('mm', mmResume) + handler('hf', 4) });
}
const log = readLog;

describe('MPU registers', () => {
  it('MPU_TYPE has DREGION = 8; RBAR with VALID selects the region; RASR keeps its defined bits; aliases', () => {
    const m = boot(program('bkpt #0'));
    expect(m.read32(0xe000ed90)).toBe(8 << 8);
    m.write32(0xe000ed9c, 0x20002000 | 0x10 | 5);
    expect(m.read32(0xe000ed98)).toBe(5);                          // RNR updated
    m.write32(0xe000eda0, 0xffffffff);
    expect(m.read32(0xe000eda0)).toBe(0x173fff3f);                  // reserved bits read as zero
    expect(m.read32(0xe000ed9c)).toBe(0x20002000 | 5);              // VALID reads 0, REGION = RNR
    m.write32(0xe000ed98, 2);
    m.write32(0xe000eda4, 0x00001000);                              // RBAR_A1, VALID 0: region RNR
    m.write32(0xe000edb8, rasr(256, AP_FULL));                      // RASR_A3
    expect(m.read32(0xe000ed9c)).toBe(0x1000 | 2);
    expect(m.read32(0xe000eda8)).toBe(rasr(256, AP_FULL));
    m.write32(0xe000ed94, 7);
    expect(m.read32(0xe000ed94)).toBe(7);
    expect(m.scs!.mpu.region(0x1080)).toBe(2);
    expect(m.scs!.mpu.region(0x1100)).toBe(-1);
  });
});

describe('MPU faults', () => {
  it('an unprivileged store to a privileged-only region is MemManage DACCVIOL with MMFAR', () => {
    const src = program(`
      ${memFaultEnable}
      ${baseRegions}
      ${region(2, 0x20002000, rasr(256, AP_PRIV_RW))}
      ${mpuOn(1)}
      ldr   r4, =0x20002010
      movs  r5, #7
      str   r5, [r4]              @ privileged: allowed
      ${unprivileged}
      movs  r5, #9
    bad:
      str   r5, [r4]              @ unprivileged: DACCVIOL
      ldr   r6, [r4]              @ a read faults too
      bkpt  #0
    `);
    const m = boot(src);
    expect(m.run().reason).toBe('bkpt');
    const bad = sym(src, 'bad');
    expect(log(m)).toEqual([DACCVIOL | MMARVALID, 0, 0x20002010, bad, DACCVIOL | MMARVALID, 0, 0x20002010, bad + 2]);
    expect(m.read32(0x20002010)).toBe(7);
  });

  it('privileged accesses with PRIVDEFENA use the default map outside the regions; unprivileged ones fault there', () => {
    const src = program(`
      ${memFaultEnable}
      ${region(0, 0, rasr(0x400000, AP_RO))}
      ${region(2, 0x20002000, rasr(256, AP_PRIV_RW))}
      ${mpuOn(5)}
      ldr   r4, =0x20000800
      movs  r5, #42
      str   r5, [r4]              @ no region: background map
      ldr   r6, [r4]
      bkpt  #0
    `);
    const m = boot(src);
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r6')).toBe(42);
    expect(log(m)).toEqual([]);
    // without PRIVDEFENA the same access has no region: DACCVIOL, escalated (the handler's log stores fault too: stop)
    expect(m.scs!.mpu.deny(0x20000800, 1, true)).toBe('');
    m.scs!.mpu.ctrl = 1;
    expect(m.scs!.mpu.deny(0x20000800, 1, true)).toMatch(/no MPU region/);
    expect(m.scs!.mpu.deny(0xe000ed28, 0, false)).toBe('');        // the PPB is never checked
  });

  it('an instruction fetch from an XN region is MemManage IACCVIOL (no MMFAR)', () => {
    const src = program(`
      ${memFaultEnable}
      ldr   r0, =xnfunc
      bic   r0, r0, #0xff
      adds  r0, #0x12             @ VALID, region 2
      ldr   r1, =0xe000ed9c
      ldr   r2, =${rasr(256, AP_FULL, { xn: true })}
      str   r0, [r1]
      str   r2, [r1, #4]
      ${mpuOn(5)}
      movs  r5, #1
      bl    xnfunc
      movs  r5, #2
      bkpt  #0
      .balign 256
      .thumb_func
    xnfunc:
      movs  r5, #3
      bx    lr
      .balign 256                 @ the handlers and literals after this are outside the XN region
    `, 'lr');
    const m = boot(src);
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r5')).toBe(2);
    expect(log(m)).toEqual([IACCVIOL, 0, 0, sym(src, 'xnfunc') & ~1]);
  });

  it('a disabled subregion lets the access through to the region below', () => {
    const src = program(`
      ${memFaultEnable}
      ${baseRegions}
      ${region(2, 0x20002000, rasr(256, AP_PRIV_RW, { srd: 0b00000010 }))}
      ${mpuOn(1)}
      ${unprivileged}
      ldr   r4, =0x20002020
      movs  r5, #5
      str   r5, [r4]              @ subregion 1 (0x20..0x3f) disabled: region 1, full access
      ldr   r4, =0x20002040
    bad:
      str   r5, [r4]              @ subregion 2: region 2, privileged only
      bkpt  #0
    `);
    const m = boot(src);
    expect(m.run().reason).toBe('bkpt');
    expect(m.read32(0x20002020)).toBe(5);
    expect(m.read32(0x20002040)).toBe(0);
    expect(log(m)).toEqual([DACCVIOL | MMARVALID, 0, 0x20002040, sym(src, 'bad')]);
  });

  it('overlapping regions: the highest region number wins', () => {
    const src = program(`
      ${memFaultEnable}
      ${baseRegions}
      ${region(4, 0x20002000, rasr(256, AP_PRIV_RW))}
      ${region(5, 0x20002000, rasr(32, AP_FULL))}
      ${mpuOn(1)}
      ${unprivileged}
      ldr   r4, =0x20002000
      movs  r5, #6
      str   r5, [r4]              @ region 5 (full access) beats region 4
      str   r5, [r4, #28]
    bad:
      str   r5, [r4, #32]         @ only regions 4 and 1: region 4 (privileged only) beats region 1
      bkpt  #0
    `);
    const m = boot(src);
    expect(m.run().reason).toBe('bkpt');
    expect([m.read32(0x20002000), m.read32(0x2000201c), m.read32(0x20002020)]).toEqual([6, 6, 0]);
    expect(log(m)).toEqual([DACCVIOL | MMARVALID, 0, 0x20002020, sym(src, 'bad')]);
  });

  it('with MemManage disabled the fault escalates to HardFault (HFSR.FORCED); HardFault runs with the MPU off (HFNMIENA 0)', () => {
    const src = program(`
      ${region(0, 0, rasr(0x400000, AP_RO))}
      ${region(1, 0x20000000, rasr(0x1000, AP_FULL))}
      ${mpuOn(1)}
      ldr   r4, =0x20003000
    bad:
      ldr.w r6, [r4]              @ privileged, no region, PRIVDEFENA 0: DACCVIOL
      movs  r5, #1
      bkpt  #0
    `);
    const m = boot(src);
    expect(m.run().reason).toBe('bkpt');
    expect(m.reg('r5')).toBe(1);
    expect(log(m)).toEqual([DACCVIOL | MMARVALID, HFSR_FORCED, 0x20003000, sym(src, 'bad')]);
  });

  it('exception stacking is checked: an unprivileged frame write denied by the MPU stops with MSTKERR', () => {
    const src = program(`
      ${region(0, 0, rasr(0x400000, AP_RO))}
      ${region(1, 0x20000000, rasr(0x1000, 0b010))}   @ AP 010: unprivileged read-only (the stack)
      ${mpuOn(1)}
      ${unprivileged}
      ldr   r4, =0x20000800
      str   r0, [r4]              @ DACCVIOL; taking it stacks onto the same read-only memory
      bkpt  #0
    `);
    const m = boot(src);
    const r = m.run();
    expect(r.reason).toBe('fault');
    expect(r.fault).toMatchObject({ kind: 'MemManage', reason: 'MSTKERR' });
    expect(r.fault!.status!.cfsr).toBe(DACCVIOL | MMARVALID | (1 << 4)); // MMFSR.MSTKERR bit 4
  });

  it('the MPU off: no checks (bus hook and fetch hook removed)', () => {
    const m = boot(program('bkpt #0'));
    expect(m.bus.check).toBeNull();
    expect(m.engine.fetchCheck).toBeNull();
    m.write32(0xe000ed94, 1);
    expect(m.bus.check).not.toBeNull();
    m.write32(0xe000ed94, 0);
    expect(m.bus.check).toBeNull();
  });
});
