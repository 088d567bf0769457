/**
 * Building programs for QEMU's mps2 boards (and mcusim's default machine) in tests: the linker script and the
 * vector table are the ones of programs/examples/hello, so the tests build exactly what the example documents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '../../programs/examples/hello');
/** linker script: code at 0, data at 0x20000000, no separate load addresses */
export const MPS2_LD = readFileSync(join(DIR, 'mps2.ld'), 'utf8');
/** vector table: SP, reset, and 14 system vectors pointing at a loop */
export const MPS2_VECTORS = readFileSync(join(DIR, 'vectors.s'), 'utf8');
