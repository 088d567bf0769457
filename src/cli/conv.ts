/**
 * `mcusim conv`: generate the kernel of one int8 layer, run it on a simulated board, check it against the TFLM-exact
 * reference, and print cycles, MACs, MAC/cycle, time, code, weights and SRAM (issue 5, point 3).
 */
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import type { LayerSpec, LayerKind } from '../nn/spec.js';
import { LayerSpecError, layerErrors } from '../nn/spec.js';
import { randomLayerData, withRealisticQuant, type LayerGeometry } from '../nn/tensor.js';
import type { Activation } from '../nn/quant.js';
import type { Padding } from '../nn/padding.js';
import { runKernel, KERNEL_VARIANTS, type KernelVariant } from '../kernels/index.js';
import type { Board } from '../board/schema.js';

/** A user mistake: printed as `mcusim: message`, exit code 1 (the CLI's UsageError is made by `fail`). */
type Fail = (message: string) => never;

function dims(v: string, n: 2 | 3, what: string): number[] {
  const parts = v.toLowerCase().split('x');
  const ok = parts.length === n && parts.every((p) => /^\d+$/.test(p) && Number(p) > 0);
  if (!ok) throw new InvalidArgumentError(`'${v}' is not ${n === 3 ? 'HxWxC (three positive whole numbers, like 56x56x16)' : 'KHxKW (like 3x3 or 1x5)'} for ${what}`);
  return parts.map(Number);
}
const int = (min: number, max: number, what: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`'${v}' is not a whole number from ${min} to ${max} (${what})`);
  return n;
};
function choice<T extends string>(options: readonly T[], what: string) {
  return (v: string): T => {
    if (!(options as readonly string[]).includes(v)) throw new InvalidArgumentError(`'${v}' is not one of ${options.join(', ')} (${what})`);
    return v as T;
  };
}

interface ConvOptions {
  input: number[]; kernel: number[]; outChannels?: number; stride: number; dilation: number; padding: Padding;
  depthwise?: boolean; depthMultiplier: number; variant: KernelVariant; board: string; seed: number;
  inputZeroPoint?: number; outputZeroPoint?: number; activation: Activation; emit?: string; json?: boolean; data?: string;
  caches: 'on' | 'off'; weights: 'int8' | 'int16';
}

/** Register `conv` on the program; `boardOf` resolves a board name or file, `fail` reports a user mistake. */
export function addConvCommand(program: Command, boardOf: (name: string) => Board, fail: Fail): void {
  program.command('conv').description('generate one int8 layer\'s kernel, run it on a board, check it against the reference, report cycles and memory')
    .requiredOption('--input <HxWxC>', 'input shape, like 56x56x16', (v) => dims(v, 3, '--input'))
    .option('--kernel <KHxKW>', 'kernel, like 3x3, 1x1, 1x5', (v) => dims(v, 2, '--kernel'), [1, 1])
    .option('--out-channels <n>', 'output channels (convolution)', int(1, 65536, '--out-channels'))
    .option('--stride <n>', 'stride', int(1, 64, '--stride'), 1)
    .option('--dilation <n>', 'dilation', int(1, 64, '--dilation'), 1)
    .option('--padding <style>', 'same, valid, or symmetric (PyTorch-style k/2 on both sides)', choice(['same', 'valid', 'symmetric'] as const, '--padding'), 'same')
    .option('--depthwise', 'a depthwise convolution (output channels = input channels x --depth-multiplier)')
    .option('--depth-multiplier <n>', 'depthwise channel multiplier', int(1, 64, '--depth-multiplier'), 1)
    .option('--variant <name>', `kernel variant: ${KERNEL_VARIANTS.join(', ')}`, choice(KERNEL_VARIANTS, '--variant'), 'scalar')
    .option('--board <name>', 'the board to run on', 'stm32f746g-disco')
    .option('--seed <n>', 'seed of the random weights, data and quantisation', int(0, 2 ** 31 - 1, '--seed'), 1)
    .option('--input-zero-point <n>', 'input zero point (default: drawn from the seed)', int(-128, 127, '--input-zero-point'))
    .option('--output-zero-point <n>', 'output zero point (default: drawn from the seed)', int(-128, 127, '--output-zero-point'))
    .option('--activation <a>', 'none, relu, relu6', choice(['none', 'relu', 'relu6'] as const, '--activation'), 'none')
    .option('--data <file.json>', 'input and weights from a file: { "input": [...], "weights": [...] } (int8 values, NHWC and OHWI/1HWC)')
    .option('--caches <on|off>', 'Cortex-M7 L1 caches during the layer', choice(['on', 'off'] as const, '--caches'), 'on')
    .option('--weights <format>', 'simd weights in flash: int8 (widened in the loop) or int16 (pre-widened: twice the flash; the unrolled Cortex-M4 schedule)', choice(['int8', 'int16'] as const, '--weights'), 'int8')
    .option('--emit <file.s>', 'write the generated assembly (the whole firmware) to a file')
    .option('--json', 'print one JSON object instead of the table')
    .action((o: ConvOptions) => {
      const board = boardOf(o.board);
      const [h, w, c] = o.input as [number, number, number];
      const [kh, kw] = o.kernel as [number, number];
      const kind: LayerKind = o.depthwise ? 'depthwise' : 'conv2d';
      if (!o.depthwise && o.outChannels === undefined) fail('--out-channels: required for a convolution (or give --depthwise)');
      const geometry: LayerGeometry = {
        kind, input: { h, w, c }, kernel: { h: kh, w: kw }, stride: o.stride, dilation: o.dilation, padding: o.padding,
        activation: o.activation,
        ...(o.depthwise ? { depthMultiplier: o.depthMultiplier } : { outChannels: o.outChannels }),
        ...(o.inputZeroPoint !== undefined ? { inputZeroPoint: o.inputZeroPoint } : {}),
        ...(o.outputZeroPoint !== undefined ? { outputZeroPoint: o.outputZeroPoint } : {}),
      } as LayerGeometry;
      let spec: LayerSpec;
      try { spec = withRealisticQuant(geometry, o.seed); } catch (e) { return fail(specMessage(e)); }
      const problems = layerErrors(spec);
      if (problems.length) fail(`this layer cannot run:\n  ${problems.join('\n  ')}`);
      let data: { input: Int8Array; weights: Int8Array | null };
      if (o.data) data = readData(o.data, fail);
      else { const d = randomLayerData(spec, o.seed); data = { input: d.input.data, weights: d.weights?.data ?? null }; }
      let r;
      try {
        r = runKernel(spec, data, { variant: o.variant, board, cachesOn: o.caches === 'on', weights: o.weights });
      } catch (e) {
        const m = (e as Error).message ?? String(e);
        if (/^kernel generator bug/.test(m)) throw e; // ours, not the user's: the CLI reports it as an internal error
        return fail(specMessage(e));
      }
      if (o.emit) {
        try { writeFileSync(o.emit, r.assembly); } catch (e) { fail(`cannot write ${o.emit}: ${(e as NodeJS.ErrnoException).code}`); }
      }
      const out = {
        layer: `${kind} ${h}x${w}x${c} ${kh}x${kw} stride ${o.stride}${o.dilation > 1 ? ` dilation ${o.dilation}` : ''} ${o.padding} -> ${r.plan.outH}x${r.plan.outW}x${r.plan.outC}`,
        board: board.name, variant: o.variant, kernel: (r as { kernel?: string }).kernel ?? o.variant,
        cycles: r.cycles, instructions: r.instructions, macs: r.macs, macsPerCycle: r.macsPerCycle,
        clockHz: r.clockHz, seconds: r.seconds, bitExact: r.bitExact, mismatches: r.mismatches,
        codeBytes: r.codeBytes, weightBytes: r.weightBytes, flashBytes: r.flashBytes, sramHighWater: r.sramHighWater, stackBytes: r.stackBytes,
      };
      if (o.json) process.stdout.write(JSON.stringify(out) + '\n');
      else {
        const t = new Table({ style: { head: [], border: [], compact: true } });
        const n = (x: number) => Math.round(x).toLocaleString('en-US');
        t.push(
          ['layer', out.layer], ['board', `${board.name} (${board.core}, ${board.clockHz / 1e6} MHz)`], ['kernel', `${out.kernel}${out.kernel !== o.variant ? ` (asked for ${o.variant})` : ''}`],
          ['bit-exact', r.bitExact ? 'yes: equals the TFLM-exact reference' : `NO: ${r.mismatches} outputs differ`],
          ['cycles', n(r.cycles)], ['MACs', n(r.macs)], ['MAC/cycle', r.macsPerCycle.toFixed(3)],
          ['time', `${(r.seconds * 1e3).toPrecision(4)} ms at ${board.clockHz / 1e6} MHz`],
          ['code', `${n(r.codeBytes)} bytes`], ['weights', `${n(r.weightBytes)} bytes (weights, bias, multipliers, shifts)`],
          ['SRAM high-water', `${n(r.sramHighWater)} bytes (input, output, stack)`],
        );
        process.stdout.write(t.toString() + '\n');
      }
      if (!r.bitExact) process.exitCode = 4;
    });
}

function specMessage(e: unknown): string {
  if (e instanceof LayerSpecError) return `this layer cannot run:\n  ${e.issues.map((i) => `${i.param}: ${i.message}`).join('\n  ')}`;
  return (e as Error).message ?? String(e);
}

function readData(file: string, fail: Fail): { input: Int8Array; weights: Int8Array | null } {
  let j: unknown;
  try { j = JSON.parse(readFileSync(file, 'utf8')); } catch (e) {
    return fail(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const arr = (k: string): Int8Array | null => {
    const v = (j as Record<string, unknown>)?.[k];
    if (v === undefined) return null;
    if (!Array.isArray(v)) return fail(`${file}: ${k}: expected an array of int8 values`);
    const bad = v.findIndex((x) => !Number.isInteger(x) || x < -128 || x > 127);
    if (bad >= 0) return fail(`${file}: ${k}[${bad}]: expected an integer from -128 to 127, got ${JSON.stringify(v[bad])}`);
    return Int8Array.from(v as number[]);
  };
  const input = arr('input');
  if (!input) return fail(`${file}: input: missing`);
  return { input, weights: arr('weights') };
}
