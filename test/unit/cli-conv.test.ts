/**
 * `mcusim conv`: one layer generated, run on a board and checked against the reference; the JSON the issue lists; the
 * errors (a layer too large for the board, a bad shape, a missing parameter) as messages, never stack traces.
 */
import { describe, it, expect, afterEach, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cli } from '../helpers/cli.js';

const temps: string[] = [];
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'mcusim-conv-')); temps.push(d); return d; };
afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });
afterEach(() => { process.exitCode = 0; });

describe('mcusim conv', () => {
  it('--json prints cycles, MACs, MAC/cycle, bit-exactness, SRAM high-water, code and weight sizes', async () => {
    const r = await cli('conv', '--input', '12x12x16', '--kernel', '1x1', '--out-channels', '24', '--stride', '1', '--padding', 'same',
      '--variant', 'scalar', '--board', 'stm32f746g-disco', '--seed', '1', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ board: 'stm32f746g-disco', bitExact: true, mismatches: 0 });
    expect(j.macs).toBe(12 * 12 * 16 * 24);
    expect(j.macsPerCycle).toBeCloseTo(j.macs / j.cycles, 12);
    expect(j.seconds).toBeCloseTo(j.cycles / 216e6, 12);
    // input 12x12x16 and output 12x12x24 bytes lie in the SRAM below the high-water mark, with the stack
    expect(j.sramHighWater).toBeGreaterThanOrEqual(12 * 12 * 16 + 12 * 12 * 24);
    expect(j.weightBytes).toBeGreaterThanOrEqual(24 * 16 + 24 * 4 * 3); // weights, then int32 bias, multiplier, shift per channel
    expect(j.codeBytes).toBeGreaterThan(0);
    // the same seed gives the same figures
    expect((await cli('conv', '--input', '12x12x16', '--kernel', '1x1', '--out-channels', '24', '--board', 'stm32f746g-disco', '--seed', '1', '--json')).out).toBe(r.out);
  });
  it('--weights: int8 in flash (the default) or pre-widened int16, about twice the bytes; both bit-exact', async () => {
    const run = async (...extra: string[]) => JSON.parse((await cli('conv', '--input', '8x8x96', '--kernel', '1x1', '--out-channels', '24', '--variant', 'simd',
      '--board', 'mps2-an386', '--json', ...extra)).out);
    const i8 = await run(), i16 = await run('--weights', 'int16');
    expect([i8.bitExact, i16.bitExact]).toEqual([true, true]);
    // 24 x 96 weights + 12 bytes a channel (bias, multiplier, T) with int8; the weights twice over with int16
    expect(i8.weightBytes).toBe(24 * 96 + 24 * 12);
    expect(i16.weightBytes).toBeGreaterThan(2 * 24 * 96);
    expect((await cli('conv', '--input', '8x8x96', '--kernel', '1x1', '--out-channels', '24', '--weights', 'int4')).err).toMatch(/'int4' is not one of int8, int16 \(--weights\)/);
  });
  it('depthwise, strides, activations and zero points; --emit writes the assembly GNU-style', async () => {
    const s = join(tempDir(), 'k.s');
    const r = await cli('conv', '--input', '9x9x5', '--kernel', '3x3', '--depthwise', '--depth-multiplier', '2', '--stride', '2', '--padding', 'symmetric',
      '--activation', 'relu6', '--input-zero-point', '-128', '--output-zero-point', '-128', '--board', 'stm32f411re', '--emit', s, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ bitExact: true, macs: 5 * 5 * 10 * 9 });
    expect(readFileSync(s, 'utf8')).toMatch(/\.syntax unified/);
  });
  it('the table', async () => {
    const r = await cli('conv', '--input', '8x8x8', '--kernel', '3x3', '--out-channels', '8', '--board', 'stm32h743');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/bit-exact +│ yes/);
    expect(r.out).toMatch(/MAC\/cycle +│ \d\.\d{3}/);
    expect(r.out).toMatch(/time +│ [\d.]+ ms at 480 MHz/);
  });
  it('data from a file', async () => {
    const f = join(tempDir(), 'd.json');
    // a 1x1x2 input, 1x1 conv to 1 channel with weights [1, -1]
    writeFileSync(f, JSON.stringify({ input: [10, 3], weights: [1, -1] }));
    const r = await cli('conv', '--input', '1x1x2', '--out-channels', '1', '--data', f, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ bitExact: true, macs: 2 });
  });
  it('errors: a layer too large for the board, bad shapes, missing parameters, bad data', async () => {
    const cases: [string[], RegExp][] = [
      [['--input', '200x200x16', '--out-channels', '96', '--board', 'stm32f411re'], /layer does not fit: needs 4,480,256 bytes of SRAM for input \(640,000\), output \(3,840,000\) and stack \(256\); stm32f411re has 131,072/],
      [['--input', '8x8', '--out-channels', '9'], /'8x8' is not HxWxC/],
      // the example layer: 50,176 + 301,056 bytes of activations, more than any one SRAM of the F746
      [['--input', '56x56x16', '--kernel', '1x1', '--out-channels', '96', '--stride', '1', '--padding', 'same', '--variant', 'simd', '--board', 'stm32f746g-disco', '--seed', '1'],
        /needs 351,488 bytes of SRAM for input \(50,176\), output \(301,056\) and stack \(256\); stm32f746g-disco has 245,760 \(sram1\), 344,064 in all its RAM regions/],
      [['--input', '4x4x3', '--kernel', '7x7', '--out-channels', '2', '--padding', 'valid'], /kernel: kernel 7x7 is larger than the padded input 4x4/],
      [['--input', '4x4x3', '--kernel', '3x3'], /--out-channels: required/],
      [['--input', '4x4x3', '--out-channels', '2', '--board', 'nope'], /unknown board 'nope'/],
      [['--input', '4x4x3', '--out-channels', '2', '--stride', '0'], /'0' is not a whole number from 1 to 64 \(--stride\)/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli('conv', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/at .*\.(js|ts):\d+/);
    }
    const f = join(tempDir(), 'bad.json');
    writeFileSync(f, '{"input":[1,2,300]}');
    const r = await cli('conv', '--input', '1x1x3', '--out-channels', '2', '--data', f);
    expect(r.err).toMatch(/input\[2\]: expected an integer from -128 to 127, got 300/);
  });
});
