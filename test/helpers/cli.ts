/** Running the mcusim command in-process for tests. */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Run the CLI in-process; capture stdout, stderr and the exit code. */
export async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '', err = '';
  const text = (s: string | Uint8Array) => (typeof s === 'string' ? s : new TextDecoder().decode(s));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += text(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += text(s); return true; });
  process.exitCode = 0;
  try { await main(['node', 'mcusim', ...args]); } finally { o.mockRestore(); e.mockRestore(); }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}
