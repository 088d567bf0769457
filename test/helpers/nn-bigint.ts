/**
 * An independent, deliberately plain formulation of TFLM's int8 arithmetic and reference ops, written from
 * ../shared/reference/int8-semantics.md and the tflite-micro sources it cites, with BigInt for every 64-bit step and
 * an int32 wrap after every accumulation step. Used only by tests to check src/nn; it imports nothing from src/nn
 * but types.
 */
import type { LayerSpec } from '../../src/nn/spec.js';

const MIN = -2147483648;
const MAX = 2147483647;
const i32 = (v: bigint): bigint => BigInt.asIntN(32, v);

/** SaturatingRoundingDoublingHighMul, literally: (int32)((ab + nudge) / 2^31), C (truncating) division. */
export function srdhm(a: number, b: number): number {
  if (a === MIN && b === MIN) return MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number(i32((ab + nudge) / (1n << 31n))); // BigInt division truncates toward zero, as C's does
}

/** RoundingDivideByPOT, literally. */
export function rdbpot(x: number, e: number): number {
  const X = BigInt(x);
  const mask = (1n << BigInt(e)) - 1n;
  const rem = X & mask;
  const thr = (mask >> 1n) + (X < 0n ? 1n : 0n);
  return Number(i32((X >> BigInt(e)) + (rem > thr ? 1n : 0n)));
}

/** Double rounding: RDBPOT(SRDHM(x * (1 << left), M), right); the left shift wraps as int32. */
export function mbqmDouble(x: number, m: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = Number(i32(BigInt(x) * (1n << BigInt(left))));
  return rdbpot(srdhm(shifted, m), right);
}

/** Single rounding: total = 31 - shift; (x * M + (1 << (total - 1))) >> total, int64 then int32. */
export function mbqmSingle(x: number, m: number, shift: number): number {
  const total = BigInt(31 - shift);
  const round = 1n << (total - 1n);
  return Number(i32((BigInt(x) * BigInt(m) + round) >> total));
}

export function mbqm(x: number, m: number, shift: number, rounding: 'double' | 'single' = 'double'): number {
  return rounding === 'single' ? mbqmSingle(x, m, shift) : mbqmDouble(x, m, shift);
}

/** std::round: to nearest, halves away from zero (fraction compared exactly, no +0.5 rounding pitfall) */
function stdRound(v: number): number {
  const a = Math.abs(v);
  const f = Math.floor(a);
  const r = a - f >= 0.5 ? f + 1 : f;
  return v < 0 ? -r : r;
}

/** frexp by halving/doubling (exact for every finite double). */
export function frexpLoop(d: number): [number, number] {
  if (d === 0) return [d, 0]; // C: frexp(-0.0) is -0.0
  let q = Math.abs(d), e = 0;
  while (q >= 1) { q /= 2; e++; }
  while (q < 0.5) { q *= 2; e--; }
  return [d < 0 ? -q : q, e];
}

/** QuantizeMultiplier (quantization_util.cc) */
export function quantizeMultiplierRef(d: number, rounding: 'double' | 'single' = 'double'): { multiplier: number; shift: number } {
  if (d === 0) return { multiplier: 0, shift: 0 };
  const [q, e] = frexpLoop(d);
  let shift = e;
  let qFixed = stdRound(q * 2147483648);
  if (qFixed === 2147483648) { qFixed /= 2; shift += 1; }
  if (shift < -31) { shift = 0; qFixed = 0; }
  if (rounding === 'single' && shift > 30) { shift = 30; qFixed = MAX; }
  return { multiplier: qFixed, shift };
}

/** CalculateActivationRangeQuantized for int8; null where TFLM would fail */
export function activationRangeRef(act: string, scale: number, zp: number): [number, number] | null {
  const quant = (f: number): number | null => {
    const tmp = stdRound(Math.fround(f / Math.fround(scale)));
    if (!(tmp >= MIN && tmp < 2147483648)) return null;
    return zp + tmp;
  };
  if (act === 'relu' || act === 'relu6') {
    const q0 = quant(0);
    if (q0 === null) return null;
    const lo = Math.max(-128, q0);
    if (act === 'relu') return [lo, 127];
    const q6 = quant(6);
    return q6 === null ? null : [lo, Math.min(127, q6)];
  }
  return [-128, 127];
}

/** Geometry from the reference text: output size and the pad before, per axis. */
export function axisRef(padding: LayerSpec['padding'], axis: 'h' | 'w', n: number, k: number, s: number, d: number): { out: number; before: number } {
  const keff = (k - 1) * d + 1;
  const p = padding ?? 'valid';
  if (p === 'same') {
    const out = Math.floor((n + s - 1) / s);
    const total = Math.max(0, (out - 1) * s + keff - n);
    return { out, before: Math.floor(total / 2) };
  }
  if (p === 'valid') return { out: Math.trunc((n + s - keff) / s), before: 0 };
  if (p === 'symmetric') {
    const pad = Math.floor(keff / 2);
    return { out: Math.floor((n + 2 * pad - keff) / s) + 1, before: pad };
  }
  const before = axis === 'h' ? p.top : p.left;
  const after = axis === 'h' ? p.bottom : p.right;
  return { out: Math.floor((n + before + after - keff) / s) + 1, before };
}

const hw = (v: number | { h: number; w: number } | undefined, dflt: number) =>
  v === undefined ? { h: dflt, w: dflt } : typeof v === 'number' ? { h: v, w: v } : v;

/** Everything the reference ops need, derived from the spec by the reference rules. */
export function geometryRef(spec: LayerSpec) {
  const kind = spec.kind;
  const windowed = kind === 'conv2d' || kind === 'pointwise' || kind === 'depthwise' || kind === 'avgpool' || kind === 'maxpool';
  const k = windowed ? hw(spec.kernel, 1) : { h: 1, w: 1 };
  const s = windowed ? hw(spec.stride, 1) : { h: 1, w: 1 };
  const d = windowed ? hw(spec.dilation, 1) : { h: 1, w: 1 };
  const pad = windowed ? spec.padding : 'valid';
  const y = axisRef(pad, 'h', spec.input.h, k.h, s.h, d.h);
  const x = axisRef(pad, 'w', spec.input.w, k.w, s.w, d.w);
  const dm = spec.depthMultiplier ?? 1;
  const outC = kind === 'depthwise' ? spec.input.c * dm : kind === 'conv2d' || kind === 'pointwise' || kind === 'fully_connected' ? spec.outChannels! : spec.input.c;
  return { k, s, d, outH: y.out, outW: x.out, padTop: y.before, padLeft: x.before, outC, dm };
}

/** Per-channel multipliers: (double)in * (double)w[c] / (double)out with float32 scales. */
export function multipliersRef(spec: LayerSpec, outC: number): { m: number[]; sh: number[] } {
  const m: number[] = [], sh: number[] = [];
  const ws = spec.weightScales!;
  for (let c = 0; c < outC; c++) {
    const w = Math.fround(ws.length === 1 ? ws[0]! : ws[c]!);
    const eff = (Math.fround(spec.inputScale) * w) / Math.fround(spec.outputScale);
    const q = quantizeMultiplierRef(eff, spec.rounding ?? 'double');
    m.push(q.multiplier);
    sh.push(q.shift);
  }
  return { m, sh };
}

/** QuantizeMultiplierSmallerThanOneExp; null where TFLM's checks fail */
function smallerThanOne(real: number, rounding: 'double' | 'single'): { multiplier: number; shift: number } | null {
  if (!(real < 1 && real > 0)) return null;
  const q = quantizeMultiplierRef(real, rounding);
  return q.shift <= 0 ? q : null;
}

/** add_common.cc CalculateOpDataAdd (int8); null where TFLM's checks fail */
export function addParamsRef(spec: LayerSpec) {
  const rounding = spec.rounding ?? 'double';
  const s1 = Math.fround(spec.inputScale), s2 = Math.fround(spec.input2Scale!), so = Math.fround(spec.outputScale);
  const twiceMax = 2 * Math.max(s1, s2);
  const q1 = smallerThanOne(s1 / twiceMax, rounding);
  const q2 = smallerThanOne(s2 / twiceMax, rounding);
  const qo = smallerThanOne(twiceMax / ((1 << 20) * so), rounding);
  if (!q1 || !q2 || !qo) return null;
  return { q1, q2, qo, off1: -spec.inputZeroPoint, off2: -spec.input2ZeroPoint!, offOut: spec.outputZeroPoint };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Can TFLM (in this project's domain: shifts up to 30 with double rounding) run a structurally well-formed spec?
 * Written from the reference rules, independently of src/nn's validator.
 */
export function feasibleRef(spec: LayerSpec): boolean {
  const g = geometryRef(spec);
  if (g.outH < 1 || g.outW < 1) return false;
  const rounding = spec.rounding ?? 'double';
  if (!activationRangeRef(spec.activation ?? 'none', spec.outputScale, spec.outputZeroPoint)) return false;
  if (spec.kind === 'avgpool' || spec.kind === 'maxpool') {
    if (spec.inputZeroPoint !== spec.outputZeroPoint) return false;
    if (Math.abs(Math.fround(spec.inputScale) - Math.fround(spec.outputScale)) > 1e-6) return false;
    if ((g.d.h !== 1 || g.d.w !== 1)) return false;
    if (spec.kind === 'avgpool') {
      // every window must hold an input pixel: try them all
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++) {
          let n = 0;
          for (let ky = 0; ky < g.k.h; ky++) {
            for (let kx = 0; kx < g.k.w; kx++) {
              const iy = oy * g.s.h - g.padTop + ky, ix = ox * g.s.w - g.padLeft + kx;
              if (iy >= 0 && iy < spec.input.h && ix >= 0 && ix < spec.input.w) n++;
            }
          }
          if (n === 0) return false;
        }
      }
    }
  }
  if (spec.kind === 'add' && !addParamsRef(spec)) return false;
  if (spec.weightScales && rounding === 'double') {
    const { sh } = multipliersRef(spec, g.outC);
    if (sh.some((s) => s > 30)) return false;
  }
  return true;
}

function actOf(spec: LayerSpec): [number, number] {
  const r = activationRangeRef(spec.activation ?? 'none', spec.outputScale, spec.outputZeroPoint);
  if (!r) throw new Error('activation range overflows');
  return r;
}

/** ConvPerChannel (also pointwise) and DepthwiseConvPerChannel, TFLM's loop order and bounds checks. */
export function convRef(spec: LayerSpec, input: Int8Array, filter: Int8Array): Int8Array {
  const g = geometryRef(spec);
  const { h: H, w: W, c: C } = spec.input;
  const depthwise = spec.kind === 'depthwise';
  const { m, sh } = multipliersRef(spec, g.outC);
  const [lo, hi] = actOf(spec);
  const rounding = spec.rounding ?? 'double';
  const out = new Int8Array(g.outH * g.outW * g.outC);
  const inOff = BigInt(-spec.inputZeroPoint);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      for (let oc = 0; oc < g.outC; oc++) {
        let acc = 0n;
        const ic0 = depthwise ? Math.floor(oc / g.dm) : 0;
        for (let fy = 0; fy < g.k.h; fy++) {
          for (let fx = 0; fx < g.k.w; fx++) {
            const iy = oy * g.s.h - g.padTop + g.d.h * fy;
            const ix = ox * g.s.w - g.padLeft + g.d.w * fx;
            if (!(ix >= 0 && ix < W && iy >= 0 && iy < H)) continue;
            if (depthwise) {
              const xv = BigInt(input[(iy * W + ix) * C + ic0]!);
              const wv = BigInt(filter[(fy * g.k.w + fx) * g.outC + oc]!);
              acc = i32(acc + wv * (xv + inOff));
            } else {
              for (let ic = 0; ic < C; ic++) {
                const xv = BigInt(input[(iy * W + ix) * C + ic]!);
                const wv = BigInt(filter[((oc * g.k.h + fy) * g.k.w + fx) * C + ic]!);
                acc = i32(acc + wv * (xv + inOff));
              }
            }
          }
        }
        if (spec.bias) acc = i32(acc + BigInt(spec.bias[oc]!));
        let v = BigInt(mbqm(Number(acc), m[oc]!, sh[oc]!, rounding));
        v = i32(v + BigInt(spec.outputZeroPoint));
        out[(oy * g.outW + ox) * g.outC + oc] = clamp(Number(v), lo, hi);
      }
    }
  }
  return out;
}

/** FullyConnectedPerChannel over the h*w rows. */
export function fullyConnectedRef(spec: LayerSpec, input: Int8Array, filter: Int8Array): Int8Array {
  const rows = spec.input.h * spec.input.w, depth = spec.input.c, outC = spec.outChannels!;
  const { m, sh } = multipliersRef(spec, outC);
  const [lo, hi] = actOf(spec);
  const out = new Int8Array(rows * outC);
  for (let b = 0; b < rows; b++) {
    for (let oc = 0; oc < outC; oc++) {
      let acc = 0n;
      for (let d = 0; d < depth; d++) {
        acc = i32(acc + BigInt(filter[oc * depth + d]!) * BigInt(input[b * depth + d]! - spec.inputZeroPoint));
      }
      if (spec.bias) acc = i32(acc + BigInt(spec.bias[oc]!));
      const v = i32(BigInt(mbqm(Number(acc), m[oc]!, sh[oc]!, spec.rounding ?? 'double')) + BigInt(spec.outputZeroPoint));
      out[oc + outC * b] = clamp(Number(v), lo, hi);
    }
  }
  return out;
}

/** AddFunc */
export function addRef(spec: LayerSpec, a: Int8Array, b: Int8Array): Int8Array {
  const p = addParamsRef(spec);
  if (!p) throw new Error('add parameters out of range');
  const [lo, hi] = actOf(spec);
  const r = spec.rounding ?? 'double';
  const out = new Int8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v1 = Number(i32(BigInt(p.off1 + a[i]!) * (1n << 20n)));
    const v2 = Number(i32(BigInt(p.off2 + b[i]!) * (1n << 20n)));
    const s1 = mbqm(v1, p.q1.multiplier, p.q1.shift, r);
    const s2 = mbqm(v2, p.q2.multiplier, p.q2.shift, r);
    const raw = Number(i32(BigInt(s1) + BigInt(s2)));
    const o = Number(i32(BigInt(mbqm(raw, p.qo.multiplier, p.qo.shift, r)) + BigInt(p.offOut)));
    out[i] = clamp(o, lo, hi);
  }
  return out;
}

/** AveragePool / MaxPool (reference_integer_ops pooling.h) */
export function poolRef(spec: LayerSpec, input: Int8Array): Int8Array {
  const g = geometryRef(spec);
  const { h: H, w: W, c: C } = spec.input;
  const [lo, hi] = actOf(spec);
  const out = new Int8Array(g.outH * g.outW * C);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      for (let c = 0; c < C; c++) {
        const y0 = oy * g.s.h - g.padTop, x0 = ox * g.s.w - g.padLeft;
        const fys = Math.max(0, -y0), fye = Math.min(g.k.h, H - y0);
        const fxs = Math.max(0, -x0), fxe = Math.min(g.k.w, W - x0);
        let acc = 0n, count = 0n, mx = -128;
        for (let fy = fys; fy < fye; fy++) {
          for (let fx = fxs; fx < fxe; fx++) {
            const v = input[((y0 + fy) * W + x0 + fx) * C + c]!;
            acc += BigInt(v);
            count++;
            mx = Math.max(mx, v);
          }
        }
        let v: number;
        if (spec.kind === 'avgpool') {
          if (count === 0n) throw new Error('empty average-pool window');
          v = Number(acc > 0n ? (acc + count / 2n) / count : (acc - count / 2n) / count);
        } else {
          v = mx;
        }
        out[(oy * g.outW + ox) * C + c] = clamp(v, lo, hi);
      }
    }
  }
  return out;
}

/** Any layer. */
export function runRef(spec: LayerSpec, input: Int8Array, other?: Int8Array | null): Int8Array {
  switch (spec.kind) {
    case 'conv2d': case 'pointwise': case 'depthwise': return convRef(spec, input, other!);
    case 'fully_connected': return fullyConnectedRef(spec, input, other!);
    case 'add': return addRef(spec, input, other!);
    default: return poolRef(spec, input);
  }
}
