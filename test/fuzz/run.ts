/**
 * `npm run fuzz`: the long robustness run. Random images of random sizes, many seeds; prints a summary of how
 * the runs ended. Exits non-zero at the first JavaScript exception, printing the seed that reproduces it.
 */
import { randomBytes, runImage } from './images.js';
import { decode } from '../../src/isa/table.js';
import { disassemble } from '../../src/disasm/disasm.js';

// Millions of random 32-bit words: each decodes to an instruction or UNDEFINED/UNPREDICTABLE, never an exception.
const words = Number(process.env.FUZZ_WORDS ?? 5_000_000);
{
  const t = Date.now();
  let x = 0x2545f491, undef = 0;
  for (let i = 0; i < words; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const d = decode(x >>> 16, x & 0xffff);
    if (!d.entry) undef++;
    // print one in a thousand through the disassembler too (it re-assembles its own text)
    if ((i & 1023) === 0) disassemble(new Uint8Array([(x >>> 16) & 0xff, (x >>> 24) & 0xff, x & 0xff, (x >>> 8) & 0xff]));
  }
  console.log(`fuzz: ${words} random words decoded (${undef} undefined or unpredictable), ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

const images = Number(process.env.FUZZ_IMAGES ?? 20000);
const budget = Number(process.env.FUZZ_BUDGET ?? 5000);
const counts = new Map<string, number>();
const t0 = Date.now();
for (let seed = 1; seed <= images; seed++) {
  const bytes = randomBytes(seed * 2654435761, 64 + (seed % 4096));
  try {
    for (const r of runImage(bytes, budget)) counts.set(r, (counts.get(r) ?? 0) + 1);
  } catch (e) {
    console.error(`seed ${seed}: JavaScript exception: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
}
console.log(`fuzz: ${images} images, up to ${budget} instructions each, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log([...counts].map(([k, v]) => `${k}: ${v}`).join(', '));
