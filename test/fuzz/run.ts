/**
 * `npm run fuzz`: the long robustness run. Random images of random sizes, many seeds; prints a summary of how
 * the runs ended. Exits non-zero at the first JavaScript exception, printing the seed that reproduces it.
 */
import { randomBytes, runImage } from './images.js';

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
