/**
 * Cross test against llvm-mc: random valid encodings of every table entry -> our disassembler's text ->
 * `llvm-mc -show-encoding` (thumbv7em-none-eabi, cortex-m4) must give the original bytes back, and so must our
 * encoder. PC-relative operands go to llvm-mc as immediate offsets (see samples.ts); known differences: known.ts.
 */
import { describe } from 'vitest';
import { LLVM_MC, haveTool, llvmAssemble } from './tools.js';
import { crossSuite } from './check.js';

describe('llvm-mc re-encodes our disassembly of every entry', () => {
  if (!haveTool(LLVM_MC)) return;
  crossSuite('llvm', (samples) => llvmAssemble(samples.map((s) => s.llvm)));
});
