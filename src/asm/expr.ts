/**
 * Integer expressions as GNU as reads them: numbers (decimal, 0x hex, 0b binary, leading-0 octal), character
 * constants ('c or 'c'), symbols, `.` (the location counter), numeric local label references (1b, 1f), unary
 * - + ~ ! and the ARM prefixes :lower16: / :upper16:, and the infix operators with the precedence GNU as 2.40
 * really applies (gas/expr.c op_rank; the manual's "Infix Operators" puts + - and the comparisons, and && and
 * ||, on one level each, but `1 == 1 + 2` is 0 and `1 || 0 && 0` is 1 in GNU as):
 *
 *   tightest  * / % << >>
 *             | & ^ !          (binary ! is "or not")
 *             + -
 *             == <> != < > <= >=   (true is -1, false 0)
 *             &&               (1 or 0)
 *   loosest   ||               (1 or 0)
 *
 * Arithmetic is 64-bit two's complement (GNU as uses the host's 64-bit offsetT); >> is an unsigned shift.
 * Values also carry a linear form over labels (label -> coefficient), which says whether a value is a plain
 * number, an address (one label with coefficient 1) or a difference of addresses.
 */

export class ExprError extends Error {
  constructor(message: string, readonly pos: number) { super(message); }
}

export type Node =
  | { k: 'num'; v: bigint; pos: number }
  | { k: 'sym'; name: string; pos: number }
  | { k: 'local'; n: string; dir: 'b' | 'f'; pos: number; text: string }
  | { k: 'dot'; pos: number }
  | { k: 'un'; op: '-' | '+' | '~' | '!' | 'lo16' | 'hi16'; a: Node; pos: number }
  | { k: 'bin'; op: string; a: Node; b: Node; pos: number };

/** A value: number, its linear form over labels (null: not linear in labels), and whether every symbol was known. */
export interface Val<L = unknown> {
  n: bigint;
  lin: Map<L, bigint> | null;
  known: boolean;
}

export interface Resolver<L> {
  sym(name: string, pos: number): Val<L>;
  local(n: string, dir: 'b' | 'f', pos: number, text: string): Val<L>;
  dot(pos: number): Val<L>;
  /** the value an absolute reference gets (a linker sets bit 0 of a Thumb function's address); default v.n */
  address?(v: Val<L>): bigint;
}

const wrap = (v: bigint) => BigInt.asIntN(64, v);
const U64 = (v: bigint) => BigInt.asUintN(64, v);

// ------------------------------------------------------------------ tokens
type Tok =
  | { t: 'num'; v: bigint; pos: number }
  | { t: 'id'; s: string; pos: number }
  | { t: 'local'; n: string; dir: 'b' | 'f'; pos: number; text: string }
  | { t: 'op'; s: string; pos: number }
  | { t: 'end'; pos: number };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '<>', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')'];

/** Parse an escape sequence at text[i] (after the backslash); returns the value and the next index. */
export function readEscape(text: string, i: number): { v: number; next: number } {
  const c = text[i];
  if (c === undefined) return { v: 92, next: i };
  switch (c) {
    case 'n': return { v: 10, next: i + 1 };
    case 't': return { v: 9, next: i + 1 };
    case 'r': return { v: 13, next: i + 1 };
    case 'b': return { v: 8, next: i + 1 };
    case 'f': return { v: 12, next: i + 1 };
    case 'v': return { v: 11, next: i + 1 };
    case 'a': return { v: 7, next: i + 1 };
    case 'e': return { v: 27, next: i + 1 };
    case 'x': case 'X': {
      let j = i + 1, v = 0;
      while (j < text.length && /[0-9a-fA-F]/.test(text[j]!)) { v = (v * 16 + parseInt(text[j]!, 16)) & 0xff; j++; }
      return { v, next: j };
    }
    default:
      if (/[0-7]/.test(c)) {
        let j = i, v = 0;
        while (j < text.length && j < i + 3 && /[0-7]/.test(text[j]!)) { v = v * 8 + Number(text[j]); j++; }
        return { v: v & 0xff, next: j };
      }
      return { v: c.charCodeAt(0), next: i + 1 };
  }
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') { i++; continue; }
    const start = i;
    if (/[0-9]/.test(c)) {
      // numeric local label reference: digits followed by b or f, not followed by an identifier character
      const loc = /^([0-9]+)([bf])(?![A-Za-z0-9_.$])/.exec(text.slice(i));
      if (loc) {
        toks.push({ t: 'local', n: String(Number(loc[1])), dir: loc[2] as 'b' | 'f', pos: start, text: loc[0] });
        i += loc[0].length;
        continue;
      }
      const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)/.exec(text.slice(i))!;
      const s = m[0];
      let v: bigint;
      if (/^0[xX]/.test(s)) v = BigInt(s);
      else if (/^0[bB]/.test(s)) v = BigInt('0b' + s.slice(2));
      else if (s.length > 1 && s[0] === '0') {
        if (/[89]/.test(s)) throw new ExprError(`bad octal number '${s}'`, start);
        v = BigInt('0o' + s.slice(1));
      } else v = BigInt(s);
      i += s.length;
      if (i < n && /[A-Za-z0-9_$]/.test(text[i]!)) {
        const bad = /^[A-Za-z0-9_$.]*/.exec(text.slice(start))![0];
        throw new ExprError(`bad number '${bad}'`, start);
      }
      if (v >= 1n << 64n) throw new ExprError(`number '${s}' does not fit in 64 bits`, start);
      toks.push({ t: 'num', v: wrap(v), pos: start });
      continue;
    }
    if (c === "'") {
      // 'c or 'c' ; escapes allowed
      if (i + 1 >= n) throw new ExprError('character constant has no character', start);
      let v: number, j: number;
      if (text[i + 1] === '\\') { const e = readEscape(text, i + 2); v = e.v; j = e.next; }
      else { v = text.charCodeAt(i + 1); j = i + 2; }
      if (text[j] === "'") j++;
      toks.push({ t: 'num', v: BigInt(v), pos: start });
      i = j;
      continue;
    }
    if (c === ':') {
      const m = /^:(lower16|upper16):/i.exec(text.slice(i));
      if (m) { toks.push({ t: 'op', s: m[1]!.toLowerCase() === 'lower16' ? 'lo16' : 'hi16', pos: start }); i += m[0].length; continue; }
      throw new ExprError(`unexpected ':'`, start);
    }
    if (/[A-Za-z_.$]/.test(c)) {
      const m = /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(text.slice(i))!;
      toks.push({ t: 'id', s: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (c === '"') throw new ExprError('a string is not allowed in an expression', start);
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected character '${c}' in expression`, start);
    toks.push({ t: 'op', s: op, pos: start });
    i += op.length;
  }
  toks.push({ t: 'end', pos: n });
  return toks;
}

// ------------------------------------------------------------------ parser
/** Binary operators from the loosest to the tightest binding (gas/expr.c op_rank, checked against GNU as 2.40). */
const LEVELS: string[][] = [
  ['||'],
  ['&&'],
  ['==', '<>', '!=', '<', '>', '<=', '>='],
  ['+', '-'],
  ['|', '&', '^', '!'],
  ['*', '/', '%', '<<', '>>'],
];

/** Parse an expression; throws ExprError with a 0-based position in `text`. */
export function parseExpr(text: string): Node {
  const toks = tokenize(text);
  let p = 0;
  const peek = () => toks[p]!;
  const level = (l: number): Node => {
    if (l === LEVELS.length) return unary();
    let a = level(l + 1);
    for (;;) {
      const t = peek();
      if (t.t === 'op' && LEVELS[l]!.includes(t.s)) {
        p++;
        const b = level(l + 1);
        a = { k: 'bin', op: t.s, a, b, pos: t.pos };
      } else return a;
    }
  };
  const unary = (): Node => {
    const t = peek();
    if (t.t === 'op' && (t.s === '-' || t.s === '+' || t.s === '~' || t.s === '!' || t.s === 'lo16' || t.s === 'hi16')) {
      p++;
      return { k: 'un', op: t.s as '-', a: unary(), pos: t.pos };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = peek();
    p++;
    switch (t.t) {
      case 'num': return { k: 'num', v: t.v, pos: t.pos };
      case 'local': return { k: 'local', n: t.n, dir: t.dir, pos: t.pos, text: t.text };
      case 'id': return t.s === '.' ? { k: 'dot', pos: t.pos } : { k: 'sym', name: t.s, pos: t.pos };
      case 'op':
        if (t.s === '(') {
          const e = level(0);
          const c = peek();
          if (c.t !== 'op' || c.s !== ')') throw new ExprError(`expected ')'`, c.pos);
          p++;
          return e;
        }
        throw new ExprError(`unexpected '${t.s}' in expression`, t.pos);
      case 'end': throw new ExprError(p === 1 ? 'expected an expression' : 'expression ends too early', t.pos);
    }
  };
  const e = level(0);
  const t = peek();
  if (t.t !== 'end') throw new ExprError(`unexpected ${t.t === 'op' ? `'${t.s}'` : t.t === 'id' ? `'${t.s}'` : 'text'} after the expression`, t.pos);
  return e;
}

// ------------------------------------------------------------------ evaluation
function linAdd<L>(a: Map<L, bigint> | null, b: Map<L, bigint> | null, sign: bigint): Map<L, bigint> | null {
  if (!a || !b) return null;
  const m = new Map(a);
  for (const [k, v] of b) {
    const s = (m.get(k) ?? 0n) + sign * v;
    if (s === 0n) m.delete(k); else m.set(k, s);
  }
  return m;
}
function linScale<L>(a: Map<L, bigint> | null, k: bigint): Map<L, bigint> | null {
  if (!a) return null;
  if (k === 0n) return new Map();
  const m = new Map<L, bigint>();
  for (const [key, v] of a) m.set(key, v * k);
  return m;
}
const isPlain = <L>(v: Val<L>) => v.lin !== null && v.lin.size === 0;

export function evalExpr<L>(node: Node, r: Resolver<L>): Val<L> {
  switch (node.k) {
    case 'num': return { n: node.v, lin: new Map(), known: true };
    case 'sym': return r.sym(node.name, node.pos);
    case 'local': return r.local(node.n, node.dir, node.pos, node.text);
    case 'dot': return r.dot(node.pos);
    case 'un': {
      const a = evalExpr(node.a, r);
      switch (node.op) {
        case '+': return a;
        case '-': return { n: wrap(-a.n), lin: linScale(a.lin, -1n), known: a.known };
        case '~': return { n: wrap(~a.n), lin: isPlain(a) ? new Map() : null, known: a.known };
        case '!': return { n: a.n === 0n ? 1n : 0n, lin: isPlain(a) ? new Map() : null, known: a.known };
        case 'lo16': return { n: (r.address ? r.address(a) : a.n) & 0xffffn, lin: isPlain(a) ? new Map() : null, known: a.known };
        case 'hi16': return { n: (U64(r.address ? r.address(a) : a.n) >> 16n) & 0xffffn, lin: isPlain(a) ? new Map() : null, known: a.known };
      }
      break;
    }
    case 'bin': {
      const a = evalExpr(node.a, r);
      const b = evalExpr(node.b, r);
      const known = a.known && b.known;
      const plain = isPlain(a) && isPlain(b);
      const res = (n: bigint, lin: Map<L, bigint> | null = plain ? new Map() : null): Val<L> => ({ n: wrap(n), lin, known });
      switch (node.op) {
        case '+': return res(a.n + b.n, linAdd(a.lin, b.lin, 1n));
        case '-': return res(a.n - b.n, linAdd(a.lin, b.lin, -1n));
        case '*': return res(a.n * b.n, isPlain(a) ? linScale(b.lin, a.n) : isPlain(b) ? linScale(a.lin, b.n) : null);
        case '/': case '%':
          if (b.n === 0n) {
            if (!known) return res(0n);
            throw new ExprError('division by zero', node.pos);
          }
          return res(node.op === '/' ? a.n / b.n : a.n % b.n);
        case '<<': return res(U64(b.n) >= 64n ? 0n : a.n << U64(b.n));
        case '>>': return res(U64(b.n) >= 64n ? 0n : U64(a.n) >> U64(b.n));
        case '&': return res(a.n & b.n);
        case '|': return res(a.n | b.n);
        case '^': return res(a.n ^ b.n);
        case '!': return res(a.n | ~b.n);
        case '==': return res(a.n === b.n ? -1n : 0n);
        case '!=': case '<>': return res(a.n !== b.n ? -1n : 0n);
        case '<': return res(a.n < b.n ? -1n : 0n);
        case '>': return res(a.n > b.n ? -1n : 0n);
        case '<=': return res(a.n <= b.n ? -1n : 0n);
        case '>=': return res(a.n >= b.n ? -1n : 0n);
        case '&&': return res(a.n !== 0n && b.n !== 0n ? 1n : 0n);
        case '||': return res(a.n !== 0n || b.n !== 0n ? 1n : 0n);
      }
    }
  }
  throw new ExprError('bad expression', node.pos);
}
