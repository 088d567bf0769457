/**
 * Source text to lines and statements, as GNU as for ARM reads them: `@` starts a comment, `#` as the first
 * non-blank character makes the line a comment, `/* ... *\/` comments may span lines, `;` separates statements,
 * and labels (`name:` or numeric `1:`) stand at the start of a statement. Comments are blanked out with spaces so
 * that columns stay those of the source line.
 */
import { readEscape } from './expr.js';

/**
 * If text[i] opens a string or a character constant, the index just past it (a string may run off the end:
 * then n + 1 or more); else -1.
 */
export function skipQuoted(text: string, i: number): number {
  const n = text.length;
  if (text[i] === '"') {
    let j = i + 1;
    while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (text[i] === "'") {
    // character constant: 'c, 'c' or '\n
    let j = i + 1;
    if (text[j] === '\\') j = readEscape(text, j + 1).next; else j += 1;
    if (text[j] === "'") j++;
    return j;
  }
  return -1;
}

export interface SrcLine {
  /** 1-based line number in the file */
  line: number;
  /** the line as written (shown in diagnostics and the listing) */
  text: string;
  /** the line with comments replaced by spaces */
  code: string;
  /** lexical problems found on this line (unterminated string or comment) */
  problems: { col: number; message: string }[];
}

/** Split a file into lines and blank out comments. */
export function splitSource(source: string): SrcLine[] {
  const texts = source.split(/\r\n|\n|\r/);
  if (texts.length > 1 && texts[texts.length - 1] === '') texts.pop();
  const out: SrcLine[] = [];
  let inBlock: { line: number; col: number } | null = null;
  for (let li = 0; li < texts.length; li++) {
    const text = texts[li]!;
    const code = text.split('');
    const problems: SrcLine['problems'] = [];
    let i = 0;
    const n = text.length;
    const blank = (from: number, to: number) => { for (let k = from; k < to; k++) if (code[k] !== '\t') code[k] = ' '; };
    if (!inBlock) {
      const first = /^\s*#/.exec(text);
      if (first) { blank(0, n); out.push({ line: li + 1, text, code: code.join(''), problems }); continue; }
    }
    while (i < n) {
      if (inBlock) {
        const end = text.indexOf('*/', i);
        if (end < 0) { blank(i, n); i = n; break; }
        blank(i, end + 2);
        i = end + 2;
        inBlock = null;
        continue;
      }
      const c = text[i]!;
      const q = skipQuoted(text, i);
      if (q >= 0) {
        if (c === '"' && q > n) { problems.push({ col: i + 1, message: 'unterminated string: missing closing "' }); i = n; break; }
        i = q;
        continue;
      }
      if (c === '@' && text[i - 1] !== '\\') { blank(i, n); break; } // `\@` is the macro counter
      if (c === '/' && text[i + 1] === '*') {
        inBlock = { line: li + 1, col: i + 1 };
        const end = text.indexOf('*/', i + 2);
        if (end < 0) { blank(i, n); i = n; break; }
        blank(i, end + 2);
        i = end + 2;
        inBlock = null;
        continue;
      }
      i++;
    }
    out.push({ line: li + 1, text, code: code.join(''), problems });
  }
  if (inBlock) {
    const l = out.find((x) => x.line === inBlock!.line);
    l?.problems.push({ col: inBlock.col, message: "unterminated comment: missing '*/'" });
  }
  return out;
}

/** Split a comment-free line at `;` (outside strings and character constants). Columns are 0-based. */
export function splitStatements(code: string): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  let start = 0;
  let i = 0;
  const n = code.length;
  while (i < n) {
    const c = code[i]!;
    const q = skipQuoted(code, i);
    if (q >= 0) { i = q; continue; }
    if (c === ';') { out.push({ text: code.slice(start, i), col: start }); start = i + 1; }
    i++;
  }
  out.push({ text: code.slice(start), col: start });
  return out;
}

export interface Statement {
  labels: { name: string; col: number }[];
  /** `sym = expr` / `sym == expr` */
  assign?: { name: string; col: number; expr: string; exprCol: number };
  /** mnemonic or directive as written, and its 0-based column */
  op?: string;
  opCol: number;
  /** the text after the mnemonic (trailing blanks removed) and its 0-based column */
  args: string;
  argsCol: number;
}

const IDENT = /^[A-Za-z_.$][A-Za-z0-9_.$]*/;

/** Parse one statement; `col` is the 0-based column of text[0] in the line. */
export function parseStatement(text: string, col: number): Statement {
  const st: Statement = { labels: [], opCol: 0, args: '', argsCol: 0 };
  let i = 0;
  const n = text.length;
  const skip = () => { while (i < n && (text[i] === ' ' || text[i] === '\t')) i++; };
  for (;;) {
    skip();
    const rest = text.slice(i);
    const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)[ \t]*:(?!:)/.exec(rest);
    if (!m) break;
    // `name: ` is a label; but not `name :lower16:` (never at statement start anyway)
    st.labels.push({ name: m[1]!, col: col + i });
    i += m[0].length;
  }
  skip();
  if (i >= n) return st;
  const rest = text.slice(i);
  const asg = /^([A-Za-z_.$][A-Za-z0-9_.$]*)[ \t]*==?(?!=)/.exec(rest);
  if (asg) {
    const exprStart = i + asg[0].length;
    st.assign = { name: asg[1]!, col: col + i, expr: text.slice(exprStart).trim(), exprCol: col + exprStart + (text.slice(exprStart).length - text.slice(exprStart).trimStart().length) };
    return st;
  }
  const id = IDENT.exec(rest);
  if (!id) {
    st.op = rest.trim();
    st.opCol = col + i;
    st.argsCol = col + n;
    return st;
  }
  st.op = id[0];
  st.opCol = col + i;
  i += id[0].length;
  skip();
  st.args = text.slice(i).replace(/[ \t]+$/, '');
  st.argsCol = col + i;
  return st;
}

/** Split directive arguments at top-level commas (outside strings, character constants, parentheses, brackets). */
export function splitArgs(text: string, col: number): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  if (!text.trim()) return out;
  let depth = 0;
  let start = 0;
  let i = 0;
  const n = text.length;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), col: col + start + lead });
  };
  while (i < n) {
    const c = text[i]!;
    const q = skipQuoted(text, i);
    if (q >= 0) { i = q; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth <= 0) { push(i); start = i + 1; }
    i++;
  }
  push(n);
  return out;
}

/**
 * Read a string literal at text[i] (which must be `"`): the bytes and the index after the closing quote.
 * Returns an error when the string is not terminated.
 */
export function readString(text: string, i: number): { bytes: number[]; next: number } | { error: string } {
  const bytes: number[] = [];
  let j = i + 1;
  while (j < text.length && text[j] !== '"') {
    if (text[j] === '\\') {
      const e = readEscape(text, j + 1);
      bytes.push(e.v);
      j = e.next;
    } else {
      const code = text.codePointAt(j)!;
      if (code < 0x80) bytes.push(code);
      else for (const b of new TextEncoder().encode(String.fromCodePoint(code))) bytes.push(b);
      j += code > 0xffff ? 2 : 1;
    }
  }
  if (j >= text.length) return { error: 'unterminated string: missing closing "' };
  return { bytes, next: j + 1 };
}
