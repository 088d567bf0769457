/**
 * `mcusim model`: the planners' figures for whole-layer and patch-based inference (--plan-only), the search, the JSON
 * the issue lists, the HTML page, and the errors (bad options, an invalid network file with file:line:column) as
 * messages, never stack traces. Expected figures are the reference's (reference/patch-inference.md), worked out there
 * from the paper's rules, not taken from the code.
 */
import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cli } from '../helpers/cli.js';

const temps: string[] = [];
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'mcusim-model-')); temps.push(d); return d; };
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });
afterEach(() => { process.exitCode = 0; });

describe('mcusim model --plan-only', () => {
  it('MobileNetV2 1.0/224, 4x4 patches at split 5: the paper\'s 1372 kB vs 172 kB, input patches 75..7, in JSON', async () => {
    const r = await cli('model', 'mobilenetv2', '--width', '1.0', '--resolution', '224', '--split', '5', '--patches', '4', '--plan-only', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.whole.plannedPeak).toBe(1404928);
    expect(j.patch.plannedPeak).toBe(176400);
    expect(j.patch.inputPatch).toEqual([75, 37, 35, 17, 15, 7]);
    // nothing was simulated: the measured fields are there, and null
    for (const k of ['measuredPeak', 'cycles', 'latencyMs', 'bitExact']) expect(j.whole[k]).toBeNull();
    expect(j.patch.cycleOverhead).toBeNull();
    // the paper's count of the patch stage (16 x the 75x75 patch) gives +42% in the stage, the reference's recount +12.7% overall
    expect(j.patch.stageMacOverheadUniform).toBeCloseTo(0.42, 2);
    expect(j.patch.macOverheadUniform).toBeCloseTo(0.127, 3);
    expect(j.whole.macs).toBe(j.whole.layers.reduce((n: number, l: { macs: number }) => n + l.macs, 0));
    // 1.4 MB does not fit the F746's SRAM (the board's budget: 320 kB of DTCM + SRAM1 + SRAM2, as MCUNet counts it)
    expect(j.whole.fits).toBe(false);
    expect(j.whole.fitNote).toMatch(/SRAM 1373\.0 kB > 320\.0 kB \(SRAM budget\)/);
    expect(j.sram).toEqual({ name: 'SRAM budget', size: 320 * 1024 });
  });

  it('without --no-inplace the depthwise layers run in place: 1,505,280 B otherwise', async () => {
    const r = await cli('model', 'mobilenetv2', '--split', '5', '--patches', '4', '--plan-only', '--no-inplace', '--json');
    expect(JSON.parse(r.out).whole.plannedPeak).toBe(1505280);
  });

  it('--search prints the Pareto front and picks a configuration that fits the board', async () => {
    const r = await cli('model', 'mobilenetv2', '--width', '0.35', '--resolution', '144', '--board', 'stm32f412', '--search', '--plan-only');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Pareto front/);
    expect(r.out).toMatch(/least MACs within the board SRAM/);
    const j = JSON.parse((await cli('model', 'mobilenetv2', '--width', '0.35', '--resolution', '144', '--board', 'stm32f412', '--search', '--plan-only', '--json')).out);
    // whole-layer 0.35/144 is the reference's analytic 283.5 kB, over the F412's 256 kB; the chosen patch plan fits
    expect(j.whole.plannedPeak).toBe(290304);
    expect(j.whole.fitsSram).toBe(false);
    expect(j.patch.fitsSram).toBe(true);
  });

  it('--report writes a self-contained HTML page with both modes', async () => {
    const f = join(tempDir(), 'r.html');
    const r = await cli('model', 'mbv2-rd', '--split', '4', '--patches', '4', '--plan-only', '--report', f);
    expect(r.code).toBe(0);
    const html = readFileSync(f, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toMatch(/<svg/);
    expect(html).toMatch(/patch-based \(split 4, 4x4\)/);
    expect(html).not.toMatch(/<script|src=|href=/); // nothing to fetch
  });

  it('--paper --plan-only: the paper\'s figures beside the planners\' for MobileNetV2 and MbV2-RD', async () => {
    const r = await cli('model', '--paper', '--plan-only', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.mbv2.paper).toMatchObject({ wholeKB: 1372, patchKB: 172, stage: 0.42, overall: 0.10 });
    expect(j.mbv2.planned.whole.plannedPeak).toBe(1404928);
    expect(j.mbv2.planned.patch.plannedPeak).toBe(176400);
    // MbV2-RD's 63x63 input patch (the paper's Table 1) and its patch stage of split 4
    expect(j.rd.planned.patch.inputPatch[0]).toBe(63);
    expect(j.rd.planned.patch.split).toBe(4);
    expect(j.rd.planned.patch.stageMacOverheadUniform).toBeCloseTo(0.18, 1);
    expect(j.mbv2.measured).toEqual({});
    const t = await cli('model', '--paper', '--plan-only');
    expect(t.out).toMatch(/reduction\s+│ 8\.0x\s+│ 7\.96x/);
    expect((await cli('model', 'mobilenetv2', '--paper')).err).toMatch(/--paper runs its own networks/);
    expect((await cli('model')).err).toMatch(/a network is required/);
  });

  it('user mistakes are one-line messages naming the option', async () => {
    const bad = async (...args: string[]) => { const r = await cli('model', ...args); expect(r.code).not.toBe(0); expect(r.err).not.toMatch(/\n\s+at /); return r.err; };
    expect(await bad('mobilenetv2', '--width', '0.6', '--plan-only')).toMatch(/'0.6' is not one of 0.35, 0.5, 0.75, 1, 1.4 \(--width\)/);
    expect(await bad('mobilenetv2', '--resolution', '300', '--plan-only')).toMatch(/--resolution/);
    expect(await bad('mobilenetv2', '--split', '30', '--patches', '2', '--plan-only')).toMatch(/split: expected an integer in \[1, 18\]/);
    expect(await bad('mobilenetv2', '--search', '--split', '3', '--plan-only')).toMatch(/not both/);
    const f = join(tempDir(), 'n.json');
    writeFileSync(f, '{"format": "mcusim-network/1",\n "input": {"h": 8, "w": 8, "c": 3, "scale": 0.1, "zeroPoint": 0},\n "layers": [{"name": "a", "op": "conv2d", "kernel": 3, "outChannels": 4, "weightScales": [0.1], "output": {"scale": 0.1, "zeroPoint": 0}, "stride": 0}]}');
    expect(await bad(f, '--plan-only')).toMatch(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: layers\\[0\\]\\.stride`));
    expect(await bad(join(tempDir(), 'missing.json'), '--plan-only')).toMatch(/cannot read .*missing\.json: ENOENT/);
  });
});

describe('mcusim model: both modes simulated', () => {
  // A small network in a file: stem conv, an inverted residual block with its residual add, global pool, classifier.
  const small = {
    format: 'mcusim-network/1', name: 'tiny', seed: 3, input: { h: 16, w: 16, c: 3, scale: 0.02, zeroPoint: -5 },
    layers: [
      { name: 'stem', op: 'conv2d', block: 0, kernel: 3, stride: 2, padding: 'same', outChannels: 8, activation: 'relu6', output: { scale: 0.03, zeroPoint: -128 }, weightScales: 0.01 },
      { name: 'b1.exp', op: 'pointwise', block: 1, outChannels: 16, activation: 'relu6', output: { scale: 0.03, zeroPoint: -128 }, weightScales: 0.02 },
      { name: 'b1.dw', op: 'depthwise', block: 1, kernel: 3, padding: 'same', activation: 'relu6', output: { scale: 0.04, zeroPoint: -128 }, weightScales: 0.03 },
      { name: 'b1.proj', op: 'pointwise', block: 1, outChannels: 8, output: { scale: 0.05, zeroPoint: 3 }, weightScales: 0.02 },
      { name: 'b1.add', op: 'add', block: 1, inputs: ['stem', 'b1.proj'], output: { scale: 0.06, zeroPoint: 1 } },
      { name: 'pool', op: 'avgpool', block: 2, kernel: 8 },
      { name: 'fc', op: 'fully_connected', block: 2, outChannels: 10, output: { scale: 0.1, zeroPoint: 0 }, weightScales: 0.01 },
    ],
  };
  /** The small network at 96x96 with a 16-channel stem and an `exp`-channel expansion, run scalar in 4x4 patches. */
  const runWider = async (exp: number, board: string) => {
    const f = join(tempDir(), `wide-${exp}.json`);
    const wider: Record<string, object> = { stem: { outChannels: 16 }, 'b1.exp': { outChannels: exp }, 'b1.proj': { outChannels: 16 }, pool: { kernel: 48 } };
    writeFileSync(f, JSON.stringify({ ...small, input: { ...small.input, h: 96, w: 96 }, layers: small.layers.map((l) => ({ ...l, ...wider[l.name] })) }));
    const r = await cli('model', f, '--board', board, '--split', '2', '--patches', '4', '--json', '--no-progress', '--variant', 'scalar');
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out);
  };
  it('a network file on stm32h743: bit-exact both ways, arena high-water = planned peak, patch overheads', async () => {
    const f = join(tempDir(), 'tiny.json');
    writeFileSync(f, JSON.stringify(small, null, 1));
    const r = await cli('model', f, '--board', 'stm32h743', '--split', '2', '--patches', '2', '--json', '--no-progress');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    for (const m of [j.whole, j.patch]) {
      expect(m.bitExact).toBe(true);
      expect(m.arenaHighWater).toBe(m.plannedPeak);
      expect(m.measuredPeak).toBe(m.arenaHighWater + m.stackBytes);
      expect(m.macsPerCycle).toBeCloseTo(m.macs / m.cycles, 12);
      expect(m.latencyMs).toBeCloseTo(m.cycles / 480e6 * 1e3, 9);
      expect(m.fits).toBe(true);
      // the per-layer cycles add up to at most the whole run (the input copies are phases of their own)
      expect(m.layers.reduce((n: number, l: { cycles: number }) => n + l.cycles, 0)).toBeLessThanOrEqual(m.cycles);
    }
    // stage = stem + block 1 at 8x8 in 2x2 patches of 4x4: the stem's 3x3 stride-2 windows overlap by one row and column
    expect(j.patch.macs).toBeGreaterThan(j.whole.macs);
    expect(j.patch.cycleOverhead).toBeCloseTo(j.patch.cycles / j.whole.cycles - 1, 12);
    // 4 output rows of block 1 need 6 rows at its 3x3 depthwise's input, which the stem makes from (6 - 1) * 2 + 3 rows
    expect(j.patch.inputPatch[0]).toBe(13);
  });

  it('a network too big for the board runs on an enlarged copy and says by how much it is over', async () => {
    const j = await runWider(64, 'stm32f411re');
    // whole-layer: the expansion reads the 48x48x16 stem output and writes 48x48x64: 184,320 bytes > 128 kB
    expect(j.whole.fitsSram).toBe(false);
    expect(j.whole.fitNote).toMatch(/^SRAM [\d.]+ kB > 128\.0 kB \(SRAM budget; ran on an enlarged copy\)/);
    expect(j.whole.bitExact).toBe(true);
    expect(j.patch.fitsSram).toBe(true);
  });

  it('an arena beyond the F746\'s SRAM1 but within its 320 kB budget fits (simulated in an enlarged SRAM1)', async () => {
    const j = await runWider(96, 'stm32f746g-disco');
    // the in-place depthwise holds 48x48x96, the block input 48x48x16 (for the residual) and one channel of temporary:
    // 260,352 bytes, over SRAM1's 240 kB, under the 320 kB budget
    expect(j.whole.plannedPeak).toBe(48 * 48 * 96 + 48 * 48 * 16 + 48 * 48);
    expect(j.whole.fits).toBe(true);
    expect(j.whole.fitNote).toMatch(/within the SRAM budget of 320\.0 kB, beyond sram1's 240\.0 kB: simulated in an enlarged sram1/);
  });
});
