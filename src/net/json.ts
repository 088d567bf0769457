/**
 * A strict JSON parser (RFC 8259) that remembers where every value starts, so a validator can point at the
 * offending value by line and column. No dependency; browser-safe.
 *
 * API:
 * - parseJsonWithPositions(text) -> { value, at(path) } where `path` is the validator's path syntax
 *   (`layers[7].stride`, `input.h`, `layers[2].weights[13]`; '' is the root). `at` gives { line, column } (both
 *   1-based) of the value at that path, or of its nearest enclosing value when the path does not exist (a missing
 *   field points at its object).
 * - JsonSyntaxError: thrown for text that is not JSON; `line`, `column` and the message say where and why.
 * Duplicate keys are a syntax error here (JSON.parse would keep the last one silently).
 */

export interface JsonPosition {
  line: number;
  column: number;
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${line}:${column}: ${message}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface ParsedJson {
  value: unknown;
  /** position of the value at `path`, or of its nearest existing ancestor */
  at(path: string): JsonPosition;
}

/** Join a parent path and an object key. */
export const keyPath = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);
/** Join a parent path and an array index. */
export const indexPath = (parent: string, i: number): string => `${parent}[${i}]`;

/** Parse JSON text, recording the character offset where every value starts. */
export function parseJsonWithPositions(text: string): ParsedJson {
  // line starts, for offset -> line:column
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const posOf = (offset: number): JsonPosition => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };

  /** offsets of object members (by full path) and of array elements (by the array's path) */
  const members = new Map<string, number>();
  const elements = new Map<string, number[]>();
  let i = 0;
  const fail = (msg: string, at = i): never => {
    const p = posOf(Math.min(at, text.length));
    throw new JsonSyntaxError(msg, p.line, p.column);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const describe = (at: number) => (at >= text.length ? 'end of input' : JSON.stringify(text[at]));

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let run = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 34) { out += text.slice(run, i); i++; return out; }
      if (c < 32) fail('control character in a string (escape it)');
      if (c === 92) {
        out += text.slice(run, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) { out += simple[e]; i += 2; }
        else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape (expected 4 hex digits)');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else fail(`bad escape \\${e ?? ''}`);
        run = i;
      } else i++;
    }
  };

  const NUM = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const parseValue = (path: string, depth: number): unknown => {
    if (depth > 512) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a key string, found ${describe(i)}`);
        const keyAt = i;
        const key = parseString();
        ws();
        if (text[i] !== ':') fail(`expected ':' after key ${JSON.stringify(key)}, found ${describe(i)}`);
        i++;
        ws();
        const p = keyPath(path, key);
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        members.set(p, i);
        const v = parseValue(p, depth + 1);
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        fail(`expected ',' or '}' in an object, found ${describe(i)}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      const offs: number[] = [];
      elements.set(path, offs);
      ws();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        ws();
        offs.push(i);
        arr.push(parseValue(indexPath(path, arr.length), depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        fail(`expected ',' or ']' in an array, found ${describe(i)}`);
      }
    }
    if (c === '"') return parseString();
    if (c === 't' && text.startsWith('true', i)) { i += 4; return true; }
    if (c === 'f' && text.startsWith('false', i)) { i += 5; return false; }
    if (c === 'n' && text.startsWith('null', i)) { i += 4; return null; }
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (m && m[0].length > 0 && m[0] !== '-') {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail(`expected a value, found ${describe(i)}`);
  };

  const value = parseValue('', 0);
  ws();
  if (i < text.length) fail(`unexpected ${describe(i)} after the value`);

  const at = (path: string): JsonPosition => {
    let p = path;
    for (;;) {
      if (p === '') return posOf(firstNonWs(text));
      const m = /^(.*)\[(\d+)\]$/.exec(p);
      if (m) {
        const offs = elements.get(m[1]!);
        const k = Number(m[2]);
        if (offs && k < offs.length) return posOf(offs[k]!);
        p = m[1]!;
        continue;
      }
      const o = members.get(p);
      if (o !== undefined) return posOf(o);
      const dot = p.lastIndexOf('.');
      const br = p.lastIndexOf('[');
      const cut = Math.max(dot, br);
      p = cut < 0 ? '' : p.slice(0, cut);
    }
  };
  return { value, at };
}

function firstNonWs(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index : 0;
}
