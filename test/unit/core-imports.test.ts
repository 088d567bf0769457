import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from 'node:module';

/** The core must run in a browser: no Node built-ins and no `process` outside src/cli (and src/gdb later). */
const ROOT = join(import.meta.dirname, '../../src');
const NODE_ONLY = new Set(['cli', 'gdb']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return NODE_ONLY.has(n) && dir === ROOT ? [] : files(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('core stays browser-safe', () => {
  it('imports no Node built-in and uses no process global', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const offenders: string[] = [];
    for (const f of [...files(ROOT), ...files(join(ROOT, '../isa'))]) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
        const spec = m[1] ?? m[2]!;
        if (builtins.has(spec)) offenders.push(`${f}: imports ${spec}`);
      }
      if (/\bprocess\./.test(src)) offenders.push(`${f}: uses process`);
    }
    expect(offenders).toEqual([]);
  });
});
