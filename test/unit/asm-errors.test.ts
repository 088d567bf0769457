/**
 * Assembler diagnostics: every error class with its line, column and message (test/fixtures/asm/errors.s and
 * small inline sources), the text form of a diagnostic, and that bad input never throws.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { assemble, formatDiagnostic, formatListing, type AsmResult } from '../../src/asm/assembler.js';

const errorsOf = (r: AsmResult) => r.errors.map((e) => [e.line, e.column, e.message] as const);

describe('test/fixtures/asm/errors.s', () => {
  const src = readFileSync(join(__dirname, '../fixtures/asm/errors.s'), 'utf8');
  const r = assemble(src, { fileName: 'errors.s' });
  const lines = src.split('\n');
  /** [line, column, message or pattern]; the comment on each line of the file names the class */
  const expected: [number, number, string | RegExp][] = [
    [7, 2, "unknown instruction 'frobnicate'"],
    [8, 8, /^expected ','.*\(expected 'mov.*<Rd>/],                        // bad operands, with the expected forms
    [9, 11, 'immediate 0x12345 is not a valid Thumb-2 modified immediate constant'],
    [10, 16, /4096 out of range/],                                          // the column of the offending operand
    [11, 7, /register not allowed|sp not allowed/],
    [12, 4, "undefined symbol 'nowhere'"],
    [13, 11, "undefined symbol 'missing'"],
    [15, 1, "duplicate label: symbol 'start' is already defined at line 6"],
    [16, 2, "unknown directive '.frobnicate'"],
    [17, 11, 'expression ends too early'],
    [18, 10, 'division by zero'],
    [19, 9, 'alignment 40 out of range 0-28 (a power of 2)'],
    [20, 2, '.arm is not supported: this assembler is Thumb-only (ARMv6-M/ARMv7-M have no ARM state)'],
    [21, 7, /^unknown cpu 'cortex-a9' \(known: cortex-m0, /],
    [22, 10, /out of range/],                                                 // cbz cannot branch backwards
    [24, 2, /'cbzeq' is not allowed in an IT block/],
    [25, 2, "conditional instruction 'addeq' outside an IT block"],
    [27, 2, 'condition does not match the IT block'],
    [28, 11, 'literal pool out of range: the literal is at 0x1038, 4112 bytes from the ldr at 0x26 (limit 4095): add a .ltorg closer to it'],
    [33, 15, /not word aligned/],                                             // misaligned literal
    [34, 4, 'target 0x102f is not halfword aligned for this instruction'],   // misaligned branch target
    [35, 8, 'cannot tell the size of the Thumb instruction 0xe800 (a 32-bit prefix): use .inst.n or .inst.w'],
    [36, 8, "the repeat count must be a constant known here: 'nowhere2' is not defined before this line"],
    [38, 2, '.endm without .macro'],
    [39, 9, 'unterminated string: missing closing "'],
    [41, 2, "unterminated .rept: missing '.endr' (in macro 'bad_rept' called at line 44)"],
    [46, 2, "unterminated .macro: missing '.endm'"],
  ];
  it('reports every error, each once, in line order', () => {
    expect(r.ok).toBe(false);
    expect(errorsOf(r).map(([l, c]) => [l, c])).toEqual(expected.map(([l, c]) => [l, c]));
  });
  for (const [line, col, msg] of expected) {
    it(`line ${line}: ${lines[line - 1]!.split('@')[1]?.trim()}`, () => {
      const e = r.errors.find((x) => x.line === line);
      expect(e).toBeDefined();
      expect(e!.column).toBe(col);
      if (typeof msg === 'string') expect(e!.message).toBe(msg);
      else expect(e!.message).toMatch(msg);
      expect(e!.file).toBe('errors.s');
      expect(e!.severity).toBe('error');
      if (!e!.message.includes('in macro')) expect(e!.sourceLine).toBe(lines[line - 1]);
    });
  }
  it('assembles the good lines around the errors', () => {
    // fwd: bx lr is assembled after all those errors
    const fwd = r.symbols.find((s) => s.name === 'fwd')!;
    const t = r.sections.find((s) => s.name === '.text')!;
    const at = fwd.value - t.address;
    expect(Array.from(t.bytes.subarray(at, at + 2))).toEqual([0x70, 0x47]);
    expect(() => formatListing(r)).not.toThrow();
  });
});

describe('more error classes', () => {
  it('symbols, conditionals, macros, modes, .bss and comments', () => {
    const r = assemble([
      '\t.equ\ta, 1',
      '\t.equiv\ta, 2',
      'lab:\tnop',
      '\t.set\tlab, 3',
      '\t.else',
      '\t.endif',
      '\t.exitm',
      '\t.macro\tneed x:req, y',
      '\t.byte\t\\x, \\y',
      '\t.endm',
      '\tneed',
      '\tneed 1, 2, 3',
      '\t.code\t32',
      '\t.syntax\tdivided',
      '\t.bss',
      '\t.word\t1',
      '\tnop',
      '\t.space\t4, 1',
      '\t.text',
      '\t.inst.n\t0x12345',
      '\t/* never closed',
      '\tnop',
    ].join('\n'));
    expect(errorsOf(r)).toEqual([
      [2, 9, "symbol 'a' is already defined at line 1 (.equiv does not redefine)"],
      [4, 7, "symbol 'lab' is already defined as a label at line 3"],
      [5, 2, '.else without .if'],
      [6, 2, '.endif without .if'],
      [7, 2, '.exitm outside a macro'],
      [11, 6, "macro 'need' needs a value for parameter 'x'"],
      [12, 13, "too many arguments for macro 'need' (it takes 2)"],
      [13, 8, '.code 32 (ARM state) is not supported: this assembler is Thumb-only (use .code 16 / .thumb)'],
      [14, 10, '.syntax divided is not supported: only unified syntax'],
      [16, 8, "a .bss section holds only zeros: use .space (value '1')"],
      [17, 2, "instructions are not allowed in the .bss section '.bss'"],
      [18, 12, 'a .bss section holds only zeros'],
      [20, 10, '.inst.n value 0x12345 does not fit in 16 bits: use .inst.w'],
      [21, 2, "unterminated comment: missing '*/'"],
    ]);
  });
  it('expressions, local labels, directive arguments, architecture', () => {
    const r = assemble([
      '\tb\t1f',
      '\t.equ\tself, self + 1',
      '\t.space\t-1',
      '\t.balign\t3',
      '\tldr\tr0, =',
      '\t.type\tx, %foo',
      '\t.size\tnosuch, 4',
      '\t.cpu\tcortex-m0',
      '\tsdiv\tr0, r1, r2',
      '\t.word\t08',
      '\t.word\t(1',
      '\t.rept\tlater',
      '\t.endr',
      '\t.equ\tlater, 2',
      '\t.if\t1',
      '\tnop',
    ].join('\n'));
    expect(errorsOf(r)).toEqual([
      [1, 4, "undefined local label '1f' (no label '1:' after this line)"],
      [2, 13, "symbol 'self' is defined in terms of itself"],
      [3, 9, '.space size -1 is negative'],
      [4, 10, '.balign 3: the alignment must be a power of 2'],
      [5, 11, "expected an expression after '='"],
      [6, 11, "unknown symbol type '%foo' (expected %function or %object)"],
      [7, 8, ".size of undefined symbol 'nosuch'"],
      [9, 2, expect.stringMatching(/^'sdiv' .*needs ARMv7-M; the selected processor is v6m$/)],
      [10, 8, "bad octal number '08'"],
      [11, 10, "expected ')'"],
      [12, 8, "the repeat count must be a constant known here: 'later' is not defined before this line"],
      [15, 2, 'unterminated .if: missing .endif'],
    ]);
  });
  it('an unknown cpu in the options is reported without a line', () => {
    const r = assemble('\tnop\n', { cpu: 'cortex-a9', fileName: 'x.s' });
    expect(r.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [0, 0, 'unknown cpu \'cortex-a9\' (known: cortex-m0, cortex-m0plus, cortex-m0+, cortex-m1, cortex-m3, cortex-m4, cortex-m7)'],
    ]);
    expect(formatDiagnostic(r.errors[0]!)).toBe("x.s: error: unknown cpu 'cortex-a9' (known: cortex-m0, cortex-m0plus, cortex-m0+, cortex-m1, cortex-m3, cortex-m4, cortex-m7)");
  });
  it('errors inside a macro name the macro and its call', () => {
    const r = assemble('\t.macro m r\n\tmovs \\r, #1\n\t.endm\n\tm r0\n\tm q7\n');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 2, sourceLine: '\tmovs q7, #1' });
    expect(r.errors[0]!.message).toMatch(/\(in macro 'm' called at line 5\)$/);
  });
  it('.error and .warning directives', () => {
    const r = assemble('\t.warning "careful"\n\t.error "stop here"\n');
    expect(r.warnings.map((w) => [w.line, w.column, w.message])).toEqual([[1, 2, 'careful']]);
    expect(errorsOf(r)).toEqual([[2, 2, 'stop here']]);
  });
});

describe('formatDiagnostic', () => {
  it('file:line:column: severity: message, the source line and a caret that keeps the tabs', () => {
    const r = assemble('start:\n\tmovs\tr0, #0x12345\n', { fileName: 'prog.s' });
    expect(formatDiagnostic(r.errors[0]!)).toBe(
      'prog.s:2:12: error: immediate 0x12345 is not a valid Thumb-2 modified immediate constant\n' +
      '\tmovs\tr0, #0x12345\n' +
      '\t    \t     ^');
  });
});

describe('bad input never throws', () => {
  const TOKENS = ['.macro', '.endm', '.rept', '.endr', '.irp', '.if', '.else', '.endif', '.ltorg', '.word', '.byte', '.align',
    '.space', '.equ', '.set', '.section', '.text', '.data', '.bss', '.thumb_func', '.type', '.global', '.inst', '.exitm', '\\@',
    'x', '1:', '1f', '1b', 'L:', 'L', '=', ',', '#', '[', ']', '{', '}', '(', ')', '"', "'", '@', '/*', '*/', ';', '+', '-',
    '<<', '~', '0x10', '99999999999999999999999', '08', 'r0', 'sp', 'pc', 'ldr', 'b', 'bl', 'it', 'eq', 'moveq', 'adds', 'cbz',
    'push', 'nop', '.', ':lower16:', '\n', '\n', '\t', ' ', 'lsl', '.cpu', 'cortex-m0', '.arm', '.end', '.err'];
  it('random token soup gives diagnostics, not exceptions', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (toks) => {
      const r = assemble(toks.join(' '));
      formatListing(r);
      for (const d of [...r.errors, ...r.warnings]) {
        expect(d.line).toBeGreaterThanOrEqual(0);
        formatDiagnostic(d);
      }
    }), { numRuns: 500 });
  });
  it('arbitrary text gives diagnostics, not exceptions', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => { assemble(s); }), { numRuns: 500 });
  });
  it('a recursive macro and a huge .rept stop with an error', () => {
    const r = assemble('\t.macro m\n\tm\n\t.endm\n\tm\n');
    expect(r.errors[0]!.message).toMatch(/nested more than 100 deep/);
    const r2 = assemble('\t.rept 2000000\n\t.rept 2\n\tnop\n\t.endr\n\t.endr\n');
    expect(r2.errors.some((e) => /too many lines/.test(e.message) || /out of range/.test(e.message))).toBe(true);
  });
});
