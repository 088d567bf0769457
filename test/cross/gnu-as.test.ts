/**
 * Cross test against GNU as (arm-none-eabi-as -mcpu=cortex-m4 -mthumb): random valid encodings of every table
 * entry -> our disassembler's text -> GNU as must give the original bytes back (read per source line from its
 * listing), and so must our encoder. PC-relative operands go to GNU as as `.+offset` expressions with the
 * instruction placed at the same address mod 4 (see samples.ts); known differences: known.ts.
 */
import { describe } from 'vitest';
import { GNU_AS, haveTool, gnuAssemble } from './tools.js';
import { crossSuite } from './check.js';

describe('GNU as re-encodes our disassembly of every entry', () => {
  if (!haveTool(GNU_AS)) return;
  crossSuite('gnu', (samples) => gnuAssemble(samples.map((s) => ({ lines: s.gnu, align: s.aligned ? (s.address - 2 * s.at) & 3 : undefined }))));
});
