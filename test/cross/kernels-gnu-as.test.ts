/**
 * Cross test of the generated layer images against GNU binutils: the firmware text of each layer (scalar kernels:
 * the pointwise and direct paths, depthwise, fully connected, padding tests on and off, looped reductions, double and
 * single rounding with per-channel and uniform shifts, activation clamps) must be accepted by GNU as
 * (arm-none-eabi-as -mcpu=cortex-m4 -mthumb), and, linked at the addresses our assembler laid it out at
 * (arm-none-eabi-ld with a script: .text at the boot image address, .rodata after it, .input at the SRAM base), give
 * the same bytes for the code section (objcopy -O binary -j .text) and for the constants (-j .rodata).
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GNU_AS, haveTools, tool, runProcess } from './tools.js';
import { buildLayerImage } from '../../src/kernels/index.js';
import { getBoard } from '../../src/board/boards.js';
import { withRealisticQuant, randomLayerData, type LayerGeometry } from '../../src/nn/tensor.js';
import type { LayerSpec } from '../../src/nn/spec.js';

const LD = tool('arm-none-eabi-ld');
const OBJCOPY = tool('arm-none-eabi-objcopy');
const OBJDUMP = tool('arm-none-eabi-objdump');

const LAYERS: [string, LayerGeometry, string][] = [
  ['pointwise 16 -> 24, relu', { kind: 'pointwise', input: { h: 4, w: 4, c: 16 }, outChannels: 24, activation: 'relu' }, 'stm32f411re'],
  ['pointwise 35 -> 5 (looped), stride 2, single rounding', { kind: 'pointwise', input: { h: 4, w: 4, c: 35 }, stride: 2, outChannels: 5, rounding: 'single' }, 'stm32h743'],
  ['conv 3x3 SAME stride 2, relu6', { kind: 'conv2d', input: { h: 8, w: 8, c: 3 }, kernel: 3, stride: 2, outChannels: 8, padding: 'same', activation: 'relu6' }, 'stm32f746g-disco'],
  ['conv 3x3 VALID 20 channels, single rounding', { kind: 'conv2d', input: { h: 5, w: 5, c: 20 }, kernel: 3, outChannels: 3, rounding: 'single' }, 'mps2-an386'],
  ['conv 1x5 dilation 2 explicit padding', { kind: 'conv2d', input: { h: 4, w: 12, c: 2 }, kernel: { h: 1, w: 5 }, dilation: 2, outChannels: 3, padding: { top: 1, bottom: 0, left: 3, right: 2 } }, 'stm32f411re'],
  ['depthwise 3x3 multiplier 2', { kind: 'depthwise', input: { h: 7, w: 7, c: 3 }, kernel: 3, stride: 2, depthMultiplier: 2, padding: 'same' }, 'stm32h743'],
  ['fully connected 40 -> 10', { kind: 'fully_connected', input: { h: 1, w: 1, c: 40 }, outChannels: 10 }, 'stm32f411re'],
];

/** [name, geometry, board, quantisation seed, data seed] */
const SIMD: [string, LayerGeometry, string, number, number][] = [
  ['pointwise 16 -> 24', { kind: 'pointwise', input: { h: 4, w: 4, c: 16 }, outChannels: 24, activation: 'relu6' }, 'stm32h743', 200, 7],
  ['pointwise 16 -> 8, unrolled', { kind: 'pointwise', input: { h: 4, w: 4, c: 16 }, outChannels: 8 }, 'mps2-an386', 201, 7],
  ['pointwise 3x3x7 -> 5, relu', { kind: 'pointwise', input: { h: 3, w: 3, c: 7 }, outChannels: 5, activation: 'relu' }, 'stm32f411re', 1, 1],
  ['pointwise 2x2x8 -> 5, single rounding (general requantisation)', { kind: 'pointwise', input: { h: 2, w: 2, c: 8 }, outChannels: 5, rounding: 'single' }, 'stm32f411re', 7, 1],
  ['pointwise 4x4x16 -> 6', { kind: 'pointwise', input: { h: 4, w: 4, c: 16 }, outChannels: 6 }, 'stm32f411re', 3, 1],
  ['depthwise 3x3 stride 2', { kind: 'depthwise', input: { h: 7, w: 7, c: 6 }, kernel: 3, stride: 2, padding: 'same', activation: 'relu6' }, 'stm32f411re', 202, 7],
  ['depthwise 3x3 5x6x7 SAME, relu (fast requantisation)', { kind: 'depthwise', input: { h: 5, w: 6, c: 7 }, kernel: 3, padding: 'same', activation: 'relu' }, 'stm32f411re', 1, 1],
  ['depthwise 3x3 4x5x6 SAME stride 2, single rounding (general)', { kind: 'depthwise', input: { h: 4, w: 5, c: 6 }, kernel: 3, padding: 'same', stride: 2, rounding: 'single' }, 'stm32f411re', 2, 1],
  ['depthwise 3x3 3x24x96 SAME (three row registers)', { kind: 'depthwise', input: { h: 3, w: 24, c: 96 }, kernel: 3, padding: 'same' }, 'stm32f411re', 3, 1],
  ['conv 3x3 stride 2, 3 -> 8 (the first layer)', { kind: 'conv2d', input: { h: 8, w: 8, c: 3 }, kernel: 3, stride: 2, outChannels: 8, padding: 'same', activation: 'relu6' }, 'stm32f746g-disco', 203, 7],
  ['conv 3x3 dilation 2, 5 -> 6 (a segment per tap)', { kind: 'conv2d', input: { h: 9, w: 9, c: 5 }, kernel: 3, dilation: 2, outChannels: 6, padding: 'same' }, 'stm32f411re', 204, 7],
  ['depthwise 3x3 dilation 2', { kind: 'depthwise', input: { h: 7, w: 8, c: 8 }, kernel: 3, dilation: 2, padding: 'symmetric', activation: 'relu' }, 'stm32f411re', 205, 7],
];

/** uniform shifts: one weight scale for all channels (so every shift is equal), including a left shift */
const UNIFORM: [string, LayerSpec, string][] = [
  ['uniform right shift', {
    kind: 'conv2d', input: { h: 3, w: 3, c: 2 }, kernel: 3, padding: 'same', outChannels: 4, inputZeroPoint: 3, inputScale: 0.05,
    outputZeroPoint: -7, outputScale: 0.1, weightScales: [0.003],
  }, 'stm32f411re'],
  ['uniform left shift, single rounding', {
    kind: 'pointwise', input: { h: 2, w: 2, c: 3 }, outChannels: 2, inputZeroPoint: 0, inputScale: 1,
    outputZeroPoint: 0, outputScale: 1, weightScales: [5.5], rounding: 'single',
  }, 'stm32f411re'],
];

function ldScript(text: number, input: number): string {
  return `SECTIONS {
  .text 0x${text.toString(16)} : { *(.text) }
  .rodata : { *(.rodata) }
  .input 0x${input.toString(16)} : { *(.input) }
}
`;
}

describe('generated layer images: GNU as gives the same bytes', () => {
  if (!haveTools(GNU_AS, LD, OBJCOPY, OBJDUMP)) return;
  const cases: [string, LayerSpec, string, 'scalar' | 'simd', number][] = [
    ...LAYERS.map(([n, g, b], i): [string, LayerSpec, string, 'scalar', number] => [n, withRealisticQuant(g, 100 + i), b, 'scalar', 7]),
    ...UNIFORM.map(([n, sp, b]): [string, LayerSpec, string, 'scalar', number] => [n, sp, b, 'scalar', 7]),
    // the DSP-SIMD kernels: pointwise in its compact and unrolled (mps2, zero wait states) schedules and both
    // requantisations, depthwise 3x3, and the im2col convolution (the 3x3 stride-2 first layer), dilated ones too
    ...SIMD.map(([n, g, b, q, ds]): [string, LayerSpec, string, 'simd', number] => [`simd ${n}`, withRealisticQuant(g, q), b, 'simd', ds]),
  ];
  for (const [name, spec, boardName, variant, dataSeed] of cases) {
    it(`${name} (${boardName})`, async () => {
      const board = getBoard(boardName);
      const d = randomLayerData(spec, dataSeed);
      const img = buildLayerImage(spec, { input: d.input, weights: d.weights! }, { board, variant });
      if (variant === 'simd') expect(img.kernelKind, img.fallbackReason ?? '').toBe('simd');
      const dir = mkdtempSync(join(tmpdir(), 'mcusim-kernels-'));
      try {
        writeFileSync(join(dir, 'layer.s'), img.text);
        writeFileSync(join(dir, 'layer.ld'), ldScript(img.layout.imageBase, img.layout.input.address));
        const as = await runProcess(GNU_AS.path!, ['-mcpu=cortex-m4', '-mthumb', join(dir, 'layer.s'), '-o', join(dir, 'layer.o')]);
        expect(as.code, `GNU as rejected the image:\n${as.stderr.slice(0, 3000)}`).toBe(0);
        const ld = await runProcess(LD.path!, ['-T', join(dir, 'layer.ld'), join(dir, 'layer.o'), '-o', join(dir, 'layer.elf')]);
        expect(ld.code, `ld failed:\n${ld.stderr.slice(0, 3000)}`).toBe(0);
        for (const sec of ['.text', '.rodata']) {
          const bin = join(dir, `${sec.slice(1)}.bin`);
          const oc = await runProcess(OBJCOPY.path!, ['-O', 'binary', '-j', sec, join(dir, 'layer.elf'), bin]);
          expect(oc.code, oc.stderr).toBe(0);
          const theirs = Array.from(readFileSync(bin));
          const ours = img.asm.sections.find((s) => s.name === sec)!;
          expect(theirs.length, sec).toBeGreaterThan(0);
          // the same bytes (compared as hex lines of 16 bytes for a readable difference)
          const lines = (b: number[]) => Array.from({ length: Math.ceil(b.length / 16) }, (_, i) =>
            `${(i * 16).toString(16).padStart(5, '0')}: ${b.slice(i * 16, i * 16 + 16).map((x) => x.toString(16).padStart(2, '0')).join(' ')}`);
          expect(lines(Array.from(ours.bytes)), sec).toEqual(lines(theirs));
        }
        // and the GNU-linked .rodata starts where ours does (the .text literals hold its addresses: equal bytes
        // above already imply it; this names the cause when they differ)
        const hdr = await runProcess(OBJDUMP.path!, ['-h', join(dir, 'layer.elf')]);
        const m = /\.rodata\s+\S+\s+([0-9a-f]{8})/.exec(hdr.stdout);
        expect(m && Number.parseInt(m[1]!, 16)).toBe(img.asm.sections.find((s) => s.name === '.rodata')!.address);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
