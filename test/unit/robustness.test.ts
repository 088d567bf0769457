import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { randomBytes, runImage } from '../fuzz/images.js';

describe('random byte images', () => {
  it('end in architectural results or faults, never a JavaScript exception', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 512 }), (bytes) => {
      const seen = runImage(bytes, 2000);
      expect(seen.length).toBeGreaterThan(0);
    }), { numRuns: 300 });
  });
  it('deterministic: the same image gives the same stops, registers and cycles', () => {
    const bytes = randomBytes(12345, 2048);
    expect(runImage(bytes, 5000)).toEqual(runImage(bytes, 5000));
  });
});
