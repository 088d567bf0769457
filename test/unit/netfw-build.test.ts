/**
 * The network firmware builder (src/netfw/build.ts): the image's layout and manifest, kernel sharing between patches,
 * buffers passed through the argument block, the Cortex-M4's unrolled SIMD schedule where the input is word aligned
 * (and the compact one where it is not), memory options, networks that do not fit (run on the enlarged board, with
 * the numbers) or cannot be built (precise errors).
 */
import { describe, it, expect } from 'vitest';
import { getBoard } from '../../src/board/boards.js';
import type { Board } from '../../src/board/schema.js';
import { fillRealisticQuant, networkWeights, randomInput, resolveNetwork, runNetworkReference, type LayerDraft, type Network } from '../../src/net/network.js';
import { mobilenetv2Network } from '../../src/net/mobilenetv2.js';
import { planPatches } from '../../src/net/patch.js';
import { planWholeLayer } from '../../src/net/memplan.js';
import { ARG_BLOCK_BYTES, buildNetworkFirmware, runNetwork, enlargeBoard } from '../../src/netfw/index.js';

function net(input: { h: number; w: number; c: number }, layers: LayerDraft[], seed = 1): Network {
  return resolveNetwork(fillRealisticQuant({ input: { ...input, scale: 0.02, zeroPoint: -5 }, seed, layers }, seed));
}
const data = (n: Network) => ({ w: networkWeights(n), x: randomInput(n, 2) });

describe('image layout and manifest', () => {
  const n = mobilenetv2Network({ width: 0.35, resolution: 32, classes: 8, anyResolution: true });
  const { w, x } = data(n);
  const board = getBoard('stm32f746g-disco');

  it('whole mode: buffers at the planner\'s offsets, units in flash, one phase per step', () => {
    const fw = buildNetworkFirmware(n, w, x, 'whole', 'scalar', board);
    const m = fw.manifest;
    const plan = planWholeLayer(n);
    expect(m.arena.region).toBe('sram1');
    expect(m.argBlock).toBe(0x20010000);
    expect(m.arena.base).toBe(0x20010000 + ARG_BLOCK_BYTES);
    expect(m.arena.size).toBe(plan.extent);
    expect(m.arena.plannedPeak).toBe(plan.peak);
    expect(m.buffers.map((b) => b.address - m.arena.base)).toEqual(plan.buffers.map((b) => b.offset));
    expect(m.stack.top).toBe(0x20010000 + 240 * 1024);
    // the image: vectors at the boot address (the ITCM-bus flash alias), then the input, units, runner
    expect(m.flash.base).toBe(0x08000000); // the main window of the flash the board boots from (through its alias at 0x00200000)
    expect(m.input.address).toBe(0x08000000 + 64);
    let prev = m.input.address + m.input.bytes;
    for (const u of m.units) {
      expect(u.address).toBeGreaterThanOrEqual(prev);
      expect(u.codeAddress % 8).toBe(0);
      expect(u.end).toBeGreaterThan(u.codeAddress);
      prev = u.end;
    }
    expect(m.flash.total).toBeGreaterThanOrEqual(m.flash.vectors + m.flash.code + m.flash.constants + m.flash.input + m.flash.runner);
    expect(m.flash.total).toBeLessThan(m.flash.vectors + m.flash.code + m.flash.constants + m.flash.input + m.flash.runner + 16 * m.units.length + 64);
    for (const s of fw.sections) expect(s.address + s.bytes.length).toBeLessThanOrEqual(m.flash.base + m.flash.total);
    // every layer has its kernel; a fused step's unit serves both layers
    for (const l of m.layers) expect(l.units.length, l.name).toBeGreaterThanOrEqual(1);
    const fused = m.units.find((u) => u.kernel === 'pointwise+add')!;
    expect(fused.layers.length).toBe(2);
    expect(m.phases[0]!.name).toBe('input');
    expect(m.phases.slice(1).map((p) => p.name)).toEqual(fw.schedule.steps.map((s) => s.name));
    expect(m.phases.find((p) => p.name === 'b3.proj+b3.add')!.layers.map((i) => n.layers[i]!.name)).toEqual(['b3.proj', 'b3.add']);
    expect(m.macs).toBe(n.macs);
    expect(fw.text).toContain('@ ---- unit 0: stem');
    expect(fw.text).toMatch(/runner:/);
    expect(m.units.every((u) => u.argMode !== 'block')).toBe(true);
  });

  it('patch mode: kernels shared by the patches of one geometry; per-row calls through the argument block', () => {
    const plan = planPatches(n, 2, 4); // stage: stem and block 1 (its projection is the stage's last layer)
    const fw = buildNetworkFirmware(n, w, x, { patch: plan }, 'scalar', board);
    const m = fw.manifest;
    expect(m.mode).toBe('patch');
    expect(m.arena.plannedPeak).toBe(plan.memory.peak);
    const stageUnits = m.units.filter((u) => u.layers.every((i) => plan.stage.includes(i)));
    const calls = stageUnits.reduce((k, u) => k + u.calls, 0);
    expect(stageUnits.length).toBeLessThan(calls);
    expect(stageUnits.length).toBeLessThanOrEqual(9 * plan.stage.length); // corner, edge and interior geometries at most
    const proj = stageUnits.filter((u) => u.layers[0] === plan.stageOutput);
    expect(proj.every((u) => u.argMode === 'block' && u.name.includes(' row '))).toBe(true);
    expect(proj[0]!.text).toContain('netfw_input_ptr');
    expect(proj[0]!.text).not.toMatch(/=\s*(input|output)\s*$/m);
    expect(m.phases.filter((p) => p.patch === 5).map((p) => p.name)).toEqual(['p5/input', 'p5/stem', 'p5/b1.dw', 'p5/b1.proj']);
    const r = runNetwork(n, w, x, { patch: plan }, 'scalar', board, { timing: false });
    expect(r.bitExact).toBe(true);
    expect(r.arenaHighWater).toBe(plan.memory.peak);
  });
});

describe('kernel choices', () => {
  it('Cortex-M4, simd, schedule auto: the unrolled pointwise schedule for word-aligned inputs, the compact one otherwise', () => {
    // the peak is b's step, 100 + 125 = 225 bytes; a's output (5x5x4) goes at the top, offset 125: not word aligned
    const n = net({ h: 5, w: 5, c: 3 }, [
      { name: 'a', op: 'pointwise', outChannels: 4 },
      { name: 'b', op: 'pointwise', outChannels: 5, activation: 'relu' },
      { name: 'c', op: 'pointwise', outChannels: 4 },
    ]);
    const { w, x } = data(n);
    const r = runNetwork(n, w, x, 'whole', 'simd', 'mps2-an386', { schedule: 'auto' });
    expect(r.bitExact).toBe(true);
    const m = r.firmware.manifest;
    const inOffset = (layer: number) => m.buffers.find((b) => b.tensors.includes(n.layers[layer]!.inputs[0]!))!.offset;
    expect(inOffset(1) % 4).not.toBe(0);
    for (const u of m.units) {
      const aligned = (m.arena.base + inOffset(u.layers[0]!)) % 4 === 0;
      expect(u.kernel).toBe('simd');
      expect(u.schedule, n.layers[u.layers[0]!]!.name).toMatch(aligned ? /^unrolled/ : /^compact/);
    }
  });

  it('memory options: whole mode without in-place depthwise or fusion; the input read from flash', () => {
    const n = mobilenetv2Network({ width: 0.35, resolution: 24, classes: 4, anyResolution: true });
    const { w, x } = data(n);
    const expected = runNetworkReference(n, w, x).output;
    for (const memory of [{ inPlaceDepthwise: false, fuseResidual: false }, { inputInArena: false }]) {
      const r = runNetwork(n, w, x, 'whole', 'scalar', 'mps2-an386', { memory, expected, timing: false });
      expect(r.bitExact).toBe(true);
      expect(r.arenaHighWater).toBe(planWholeLayer(n, memory).peak);
      const kinds = r.firmware.manifest.units.map((u) => u.kernel);
      if (memory.inPlaceDepthwise === false) expect(kinds).not.toContain('inplace-depthwise');
      if (memory.fuseResidual === false) { expect(kinds).not.toContain('pointwise+add'); expect(kinds).toContain('add'); }
      if (memory.inputInArena === false) expect(r.firmware.manifest.phases[0]!.name).not.toBe('input');
    }
    // patch mode finds the options its plan was made with
    const plan = planPatches(n, 3, 2, { inPlaceDepthwise: false });
    const r = runNetwork(n, w, x, { patch: plan }, 'scalar', 'mps2-an386', { expected, timing: false });
    expect(r.bitExact).toBe(true);
    expect(r.firmware.manifest.units.map((u) => u.kernel)).not.toContain('inplace-depthwise');
    expect(r.arenaHighWater).toBe(plan.memory.peak);
  });
});

describe('networks that do not fit, and errors', () => {
  it('SRAM over: runs on the enlarged board and says which memory and by how much', () => {
    // 100x100x8 in, 100x100x16 out: 240,000 bytes of arena on a 128 kB STM32F411
    const n = net({ h: 100, w: 100, c: 8 }, [{ name: 'pw', op: 'pointwise', outChannels: 16 }]);
    const { w, x } = data(n);
    const r = runNetwork(n, w, x, 'whole', 'scalar', 'stm32f411re', { timing: false });
    expect(r.bitExact).toBe(true);
    expect(r.fits).toBe(false);
    expect(r.enlarged).toBe(true);
    expect(r.board).toBe('stm32f411re');
    expect(r.arenaHighWater).toBe(240000);
    const need = ARG_BLOCK_BYTES + 240000 + r.firmware.manifest.stack.reserve;
    expect(r.issues).toEqual([expect.objectContaining({ memory: 'sram', region: 'sram', need, have: 131072, over: need - 131072 })]);
    expect(r.issues[0]!.message).toMatch(/^SRAM: .* need [\d,]+ bytes; stm32f411re's sram has 131,072: [\d,]+ bytes over$/);
    expect(r.firmware.board.regions.find((x) => x.name === 'sram')!.size).toBe(256 * 1024);
  });

  it('flash over: a large classifier on a 512 kB flash', () => {
    const n = net({ h: 1, w: 1, c: 1024 }, [{ name: 'fc', op: 'fully_connected', outChannels: 600 }]);
    const { w, x } = data(n);
    const r = runNetwork(n, w, x, 'whole', 'scalar', 'stm32f411re', { timing: false });
    expect(r.bitExact).toBe(true);
    expect(r.fits).toBe(false);
    expect(r.issues.map((i) => i.memory)).toEqual(['flash']);
    expect(r.issues[0]!.over).toBe(r.flash - 512 * 1024);
    expect(r.flash).toBeGreaterThan(1024 * 600);
  });

  it('too big even for an enlarged board: an Error with the numbers', () => {
    const f411 = getBoard('stm32f411re');
    const tight: Board = { ...f411, regions: [...f411.regions, { name: 'wall', base: 0x20020000, size: 0x1000, kind: 'peripheral', access: 'rw' }] };
    const n = net({ h: 100, w: 100, c: 8 }, [{ name: 'pw', op: 'pointwise', outChannels: 16 }]);
    const { w, x } = data(n);
    expect(() => buildNetworkFirmware(n, w, x, 'whole', 'scalar', tight)).toThrow(/network too big even for an enlarged stm32f411re: sram would need 262,144 bytes from 0x20000000, which runs into wall at 0x20020000/);
    expect(enlargeBoard(f411, 1000, 1000)).toBe(f411);
  });

  it('a residual add after a layer the fused kernel does not take, and bad arguments', () => {
    const n = net({ h: 6, w: 6, c: 4 }, [
      { name: 'x', op: 'pointwise', outChannels: 8 },
      { name: 'e', op: 'pointwise', outChannels: 8 },
      { name: 'k', op: 'conv2d', kernel: 3, padding: 'same', outChannels: 8 },
      { name: 'add', op: 'add', inputs: ['k', 'x'] },
    ]);
    const { w, x } = data(n);
    const b = getBoard('mps2-an386');
    expect(() => buildNetworkFirmware(n, w, x, 'whole', 'scalar', b)).toThrow(/^layer k \+ add: fused residual: the layer before the add must be a 1x1 convolution with stride 1 and no padding, got conv2d 3x3 stride 1x1/);
    // without fusion it runs (the add kernel)
    expect(runNetwork(n, w, x, 'whole', 'scalar', b, { memory: { fuseResidual: false }, timing: false }).bitExact).toBe(true);
    expect(() => buildNetworkFirmware(n, w, x, 'whole', 'dsp' as never, b)).toThrow(/^variant: expected scalar or simd, got dsp/);
    expect(() => buildNetworkFirmware(n, w, x.subarray(1), 'whole', 'scalar', b)).toThrow(/^input: expected 144 values \(6x6x4\), got 143/);
    expect(() => buildNetworkFirmware(n, w.slice(1), x, 'whole', 'scalar', b)).toThrow(/^weights: expected 4 entries/);
    const other = mobilenetv2Network({ width: 0.35, resolution: 24, classes: 4, anyResolution: true });
    expect(() => buildNetworkFirmware(n, w, x, { patch: planPatches(other, 2, 2) }, 'scalar', b)).toThrow(/another network/);
    const o = data(other);
    expect(() => buildNetworkFirmware(other, o.w, o.x, { patch: planPatches(other, 2, 2) }, 'scalar', b, { memory: { inPlaceDepthwise: false } }))
      .toThrow(/^memory: the patch plan's placement is not the one these memory options give/);
  });
});

describe('constant tables', () => {
  it('patch mode places each table once, however many patch geometries specialise its layer\'s kernel', () => {
    const n = mobilenetv2Network({ width: 0.35, resolution: 32, classes: 4, anyResolution: true });
    const { w, x } = data(n);
    const whole = runNetwork(n, w, x, 'whole', 'simd', 'stm32h743', { timing: false });
    const patch = runNetwork(n, w, x, { patch: planPatches(n, 3, 2) }, 'simd', 'stm32h743', { timing: false });
    expect(patch.bitExact).toBe(true);
    // more kernel units in patch mode (border patches have their own), the same tables
    expect(patch.firmware.manifest.units.length).toBeGreaterThan(whole.firmware.manifest.units.length);
    const tables = patch.firmware.sections.filter((s) => / [a-z_]+$/.test(s.name) && !s.name.endsWith('.text') && s.name !== 'network input');
    const seen = new Set<string>();
    for (const t of tables) {
      const key = Array.from(t.bytes).join(',');
      expect(seen.has(key), t.name).toBe(false);
      seen.add(key);
    }
    expect(patch.flashConstants).toBe(whole.flashConstants);
  });
});
