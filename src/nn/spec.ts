/**
 * The layer description shared by the reference ops, the kernel generators and the networks; its validator; and the
 * resolved plan (output shape, pads, per-channel multipliers, activation range) every consumer computes from.
 *
 * Conventions (reference/int8-semantics.md): batch 1; activations NHWC int8 with a per-tensor scale and zero point;
 * conv / pointwise / fully-connected weights OHWI ([outC, kh, kw, inC]; fully connected [outC, 1, 1, inC]),
 * depthwise weights 1HWC ([1, kh, kw, inC * depthMultiplier]); weights symmetric (zero point 0) with one scale per
 * output channel (or one for all); bias int32 with scale inputScale * weightScale[c]. Scales are float32 in a .tflite
 * file and are used as float32 (Math.fround) wherever TFLM computes with them.
 *
 * Per kind:
 * - conv2d: kernel, outChannels, weightScales required; stride, dilation, padding, bias, activation, rounding.
 * - pointwise: a conv2d with a 1x1 kernel (kernel may be given, must be 1x1).
 * - depthwise: kernel, weightScales required; depthMultiplier (default 1); outChannels, if given, = c * multiplier.
 * - fully_connected: outChannels, weightScales required. Each of the h*w input pixels is one row (batch) of c
 *   features; the output is h x w x outChannels. A classifier over a whole feature map is an input of 1x1x(h*w*c).
 * - add: input2ZeroPoint and input2Scale required; both inputs h x w x c; TFLM's ADD requantisation.
 * - avgpool, maxpool: kernel required; stride, padding; the output zero point and scale equal the input's
 *   (tflite-micro pooling_common.cc); avgpool rejects windows that cover no input pixel (TFLM returns an error).
 * Defaults: stride 1, dilation 1, padding 'valid', activation 'none', rounding 'double'.
 * The int32 accumulators wrap (as on the target); TFLM assumes at most 2^16 products per output, where they cannot.
 */
import { computePadding, effectiveKernel, type ExplicitPadding, type Padding, type PaddingResult } from './padding.js';
import {
  activationRange, activationRangeOk, addParams, channelMultipliers, f32, quantizeMultiplier,
  INT32_MAX, INT32_MIN, type Activation, type AddParams, type Rounding,
} from './quant.js';

export type LayerKind = 'conv2d' | 'depthwise' | 'pointwise' | 'fully_connected' | 'add' | 'avgpool' | 'maxpool';
export const LAYER_KINDS: readonly LayerKind[] = ['conv2d', 'depthwise', 'pointwise', 'fully_connected', 'add', 'avgpool', 'maxpool'];
export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'relu6'];
export const ROUNDINGS: readonly Rounding[] = ['double', 'single'];

/** Height and width. A plain number means the same for both. */
export interface Hw {
  h: number;
  w: number;
}
export interface Hwc {
  h: number;
  w: number;
  c: number;
}

export interface LayerSpec {
  kind: LayerKind;
  /** a label for reports; no effect */
  name?: string;
  input: Hwc;
  kernel?: number | Hw;
  stride?: number | Hw;
  dilation?: number | Hw;
  padding?: Padding;
  /** conv2d, pointwise, fully_connected; depthwise: optional, = input.c * depthMultiplier */
  outChannels?: number;
  depthMultiplier?: number;
  inputZeroPoint: number;
  inputScale: number;
  /** add: the second input's quantisation */
  input2ZeroPoint?: number;
  input2Scale?: number;
  outputZeroPoint: number;
  outputScale: number;
  /** one per output channel, or one for all */
  weightScales?: ArrayLike<number>;
  /** int32, one per output channel */
  bias?: ArrayLike<number>;
  activation?: Activation;
  rounding?: Rounding;
}

/** Largest height, width, channel count or kernel side accepted. */
export const MAX_DIM = 65536;
/** Largest element count of any tensor of a layer (input, output, weights): 2^27. */
export const MAX_ELEMENTS = 2 ** 27;

/** One problem with a spec: the parameter (a path like `stride.h`, `weightScales[3]`) and what is wrong. */
export interface SpecIssue {
  param: string;
  message: string;
}
export const formatIssue = (i: SpecIssue): string => `${i.param}: ${i.message}`;

/** Thrown by planLayer and the ops for a spec validateLayer rejects; `issues` lists every problem. */
export class LayerSpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(`invalid layer spec: ${issues.map(formatIssue).join('; ')}`);
    this.name = 'LayerSpecError';
  }
}

const COMMON_REQUIRED = ['kind', 'input', 'inputZeroPoint', 'inputScale', 'outputZeroPoint', 'outputScale'];
const COMMON_OPTIONAL = ['name', 'activation'];
const CONV_OPTIONAL = ['stride', 'dilation', 'padding', 'bias', 'rounding'];
/** Which fields each kind takes, beyond the common ones. */
const KIND_FIELDS: Record<LayerKind, { required: string[]; optional: string[] }> = {
  conv2d: { required: ['kernel', 'outChannels', 'weightScales'], optional: CONV_OPTIONAL },
  pointwise: { required: ['outChannels', 'weightScales'], optional: ['kernel', ...CONV_OPTIONAL] },
  depthwise: { required: ['kernel', 'weightScales'], optional: ['depthMultiplier', 'outChannels', ...CONV_OPTIONAL] },
  fully_connected: { required: ['outChannels', 'weightScales'], optional: ['bias', 'rounding'] },
  add: { required: ['input2ZeroPoint', 'input2Scale'], optional: ['rounding'] },
  avgpool: { required: ['kernel'], optional: ['stride', 'padding', 'dilation'] },
  maxpool: { required: ['kernel'], optional: ['stride', 'padding', 'dilation'] },
};
const ALL_FIELDS = new Set([...COMMON_REQUIRED, ...COMMON_OPTIONAL, ...Object.values(KIND_FIELDS).flatMap((f) => [...f.required, ...f.optional])]);

/** A short, never-throwing description of any value for messages. */
function show(v: unknown): string {
  try {
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === undefined || v === null) return String(v);
    if (typeof v === 'symbol') return v.toString();
    if (typeof v === 'function') return 'a function';
    if (Array.isArray(v)) return `an array of ${v.length}`;
    if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
    const s = JSON.stringify(v);
    return s === undefined ? 'an object' : s.length > 60 ? `${s.slice(0, 60)}...` : s;
  } catch {
    return 'an unprintable value';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** An array or typed array of numbers, else null. */
function numberList(v: unknown): ArrayLike<unknown> | null {
  if (Array.isArray(v)) return v;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array)) {
    return v as unknown as ArrayLike<number>;
  }
  return null;
}

/** Collects issues while reading a spec. */
class Checker {
  readonly issues: SpecIssue[] = [];
  add(param: string, message: string): void {
    this.issues.push({ param, message });
  }
  /** a positive integer <= MAX_DIM, else null (and an issue) */
  dim(v: unknown, param: string): number | null {
    if (!isInt(v) || v < 1) { this.add(param, `expected a positive integer, got ${show(v)}`); return null; }
    if (v > MAX_DIM) { this.add(param, `expected at most ${MAX_DIM}, got ${v}`); return null; }
    return v;
  }
  /** a number or {h, w} of positive integers */
  hw(v: unknown, param: string, dflt: number): Hw | null {
    if (v === undefined) return { h: dflt, w: dflt };
    if (typeof v === 'number') {
      const d = this.dim(v, param);
      return d === null ? null : { h: d, w: d };
    }
    if (!isObject(v)) { this.add(param, `expected a positive integer or {h, w}, got ${show(v)}`); return null; }
    for (const k of Object.keys(v)) if (k !== 'h' && k !== 'w') this.add(`${param}.${k}`, 'not a field (expected h and w)');
    const h = this.dim(v.h, `${param}.h`), w = this.dim(v.w, `${param}.w`);
    return h === null || w === null ? null : { h, w };
  }
  zeroPoint(v: unknown, param: string): number | null {
    if (!isInt(v) || v < -128 || v > 127) { this.add(param, `expected an integer in [-128, 127], got ${show(v)}`); return null; }
    return v;
  }
  /** a positive finite number that stays positive and finite as a float32 */
  scale(v: unknown, param: string): number | null {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      this.add(param, `expected a positive finite number, got ${show(v)}`);
      return null;
    }
    const f = f32(v);
    if (f === 0 || !Number.isFinite(f)) { this.add(param, `${v} is ${f} as a float32 (scales are float32)`); return null; }
    return v;
  }
  oneOf<T extends string>(v: unknown, param: string, options: readonly T[], dflt: T): T | null {
    if (v === undefined) return dflt;
    if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
    this.add(param, `expected one of ${options.join(', ')}, got ${show(v)}`);
    return null;
  }
}

const dims = (a: Hw) => `${a.h}x${a.w}`;

/** What validation resolved: enough for planLayer to build the plan without checking again. */
interface Resolved {
  kind: LayerKind;
  inH: number; inW: number; inC: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  padding: Padding;
  pad: PaddingResult;
  outC: number;
  depthMultiplier: number;
  activation: Activation;
  rounding: Rounding;
}

function check(spec: unknown, c: Checker): Resolved | null {
  if (!isObject(spec)) { c.add('spec', `expected an object, got ${show(spec)}`); return null; }
  let kind: LayerKind | null = null;
  if (spec.kind === undefined) c.add('kind', `required: one of ${LAYER_KINDS.join(', ')}`);
  else kind = c.oneOf(spec.kind, 'kind', LAYER_KINDS, 'conv2d');
  const fields = kind ? KIND_FIELDS[kind] : null;

  // which fields are there, missing, unknown or not for this kind
  for (const k of Object.keys(spec)) {
    if (!ALL_FIELDS.has(k)) c.add(k, 'not a layer parameter');
    else if (fields && !COMMON_REQUIRED.includes(k) && !COMMON_OPTIONAL.includes(k) && !fields.required.includes(k) && !fields.optional.includes(k)) {
      if (spec[k] !== undefined) c.add(k, `not a parameter of ${kind} layers`);
    }
  }
  for (const k of [...COMMON_REQUIRED.slice(1), ...(fields?.required ?? [])]) {
    if (spec[k] === undefined) c.add(k, `required${kind ? ` for ${kind} layers` : ''}`);
  }
  if (spec.name !== undefined && typeof spec.name !== 'string') c.add('name', `expected a string, got ${show(spec.name)}`);

  // input shape
  let inH: number | null = null, inW: number | null = null, inC: number | null = null;
  if (spec.input !== undefined) {
    if (!isObject(spec.input)) c.add('input', `expected {h, w, c}, got ${show(spec.input)}`);
    else {
      for (const k of Object.keys(spec.input)) if (k !== 'h' && k !== 'w' && k !== 'c') c.add(`input.${k}`, 'not a field (expected h, w and c)');
      inH = c.dim(spec.input.h, 'input.h');
      inW = c.dim(spec.input.w, 'input.w');
      inC = c.dim(spec.input.c, 'input.c');
    }
  }
  const izp = spec.inputZeroPoint === undefined ? null : c.zeroPoint(spec.inputZeroPoint, 'inputZeroPoint');
  const ozp = spec.outputZeroPoint === undefined ? null : c.zeroPoint(spec.outputZeroPoint, 'outputZeroPoint');
  const is = spec.inputScale === undefined ? null : c.scale(spec.inputScale, 'inputScale');
  const os = spec.outputScale === undefined ? null : c.scale(spec.outputScale, 'outputScale');
  const activation = c.oneOf(spec.activation, 'activation', ACTIVATIONS, 'none');
  const rounding = c.oneOf(spec.rounding, 'rounding', ROUNDINGS, 'double');
  if (!kind) return null;

  const conv = kind === 'conv2d' || kind === 'pointwise' || kind === 'depthwise';
  const pool = kind === 'avgpool' || kind === 'maxpool';
  const windowed = conv || pool;

  // geometry
  // kernel: required for conv2d, depthwise and pools (reported above when missing); 1x1 for the others
  let kernel: Hw | null = { h: 1, w: 1 };
  if (windowed && spec.kernel !== undefined) kernel = c.hw(spec.kernel, 'kernel', 1);
  else if (windowed && kind !== 'pointwise') kernel = null;
  const stride = windowed ? c.hw(spec.stride, 'stride', 1) : { h: 1, w: 1 };
  const dilation = windowed ? c.hw(spec.dilation, 'dilation', 1) : { h: 1, w: 1 };
  if (kind === 'pointwise' && kernel && (kernel.h !== 1 || kernel.w !== 1)) c.add('kernel', `pointwise layers have a 1x1 kernel, got ${dims(kernel)}`);
  if (pool && dilation && (dilation.h !== 1 || dilation.w !== 1)) c.add('dilation', `${kind} layers have no dilation, got ${dims(dilation)}`);
  let padding: Padding | null = 'valid';
  if (windowed && spec.padding !== undefined) {
    const p = spec.padding;
    if (p === 'same' || p === 'valid' || p === 'symmetric') padding = p;
    else if (isObject(p)) {
      const sides = ['top', 'bottom', 'left', 'right'] as const;
      for (const k of Object.keys(p)) if (!(sides as readonly string[]).includes(k)) c.add(`padding.${k}`, 'not a field (expected top, bottom, left and right)');
      const out: Partial<ExplicitPadding> = {};
      for (const s of sides) {
        const v = p[s];
        if (!isInt(v) || v < 0 || v > MAX_DIM) c.add(`padding.${s}`, `expected an integer in [0, ${MAX_DIM}], got ${show(v)}`);
        else out[s] = v;
      }
      padding = Object.keys(out).length === 4 ? (out as ExplicitPadding) : null;
    } else {
      c.add('padding', `expected same, valid, symmetric or {top, bottom, left, right}, got ${show(p)}`);
      padding = null;
    }
  }

  // channels
  let outC: number | null = null;
  let depthMultiplier = 1;
  if (kind === 'depthwise') {
    const dm = spec.depthMultiplier === undefined ? 1 : c.dim(spec.depthMultiplier, 'depthMultiplier');
    if (dm !== null) depthMultiplier = dm;
    if (dm !== null && inC !== null) {
      outC = inC * dm;
      if (spec.outChannels !== undefined && spec.outChannels !== outC) {
        c.add('outChannels', `expected input.c * depthMultiplier = ${inC} * ${dm} = ${outC}, got ${show(spec.outChannels)}`);
      }
    }
  } else if (kind === 'conv2d' || kind === 'pointwise' || kind === 'fully_connected') {
    if (spec.outChannels !== undefined) outC = c.dim(spec.outChannels, 'outChannels');
  } else {
    outC = inC;
  }

  // weights' scales and bias
  const weighted = conv || kind === 'fully_connected';
  let weightScales: ArrayLike<unknown> | null = null;
  if (weighted && spec.weightScales !== undefined) {
    const ws = numberList(spec.weightScales);
    if (!ws) c.add('weightScales', `expected an array of numbers, got ${show(spec.weightScales)}`);
    else if (ws.length === 0) c.add('weightScales', `expected 1 value or one per output channel, got none`);
    else if (outC !== null && ws.length !== 1 && ws.length !== outC) {
      c.add('weightScales', outC === 1
        ? `expected 1 value (one output channel), got ${ws.length}`
        : `expected 1 value or ${outC} (one per output channel), got ${ws.length}`);
    } else {
      let ok = true;
      for (let i = 0; i < ws.length; i++) if (c.scale(ws[i], `weightScales[${i}]`) === null) ok = false;
      if (ok) weightScales = ws;
    }
  }
  if (weighted && spec.bias !== undefined) {
    const b = numberList(spec.bias);
    if (!b) c.add('bias', `expected an array of int32 values, got ${show(spec.bias)}`);
    else if (outC !== null && b.length !== outC) c.add('bias', `expected ${outC} values (one per output channel), got ${b.length}`);
    else {
      for (let i = 0; i < b.length; i++) {
        const v = b[i];
        if (!isInt(v) || v < INT32_MIN || v > INT32_MAX) c.add(`bias[${i}]`, `expected an int32, got ${show(v)}`);
      }
    }
  }

  // the output, and whether the kernel fits the padded input
  let pad: PaddingResult | null = null;
  if (inH !== null && inW !== null && kernel && stride && dilation && padding) {
    pad = computePadding(padding, inH, inW, kernel.h, kernel.w, stride.h, stride.w, dilation.h, dilation.w);
    if (pad.outH < 1 || pad.outW < 1) {
      const eff = { h: effectiveKernel(kernel.h, dilation.h), w: effectiveKernel(kernel.w, dilation.w) };
      const padded = { h: inH + pad.top + pad.bottom, w: inW + pad.left + pad.right };
      const dil = dilation.h === 1 && dilation.w === 1 ? '' : ` with dilation ${dilation.h === dilation.w ? dilation.h : dims(dilation)}`;
      c.add('kernel', `kernel ${dims(kernel)}${dil} is larger than the padded input ${dims(padded)}${dil ? ` (it spans ${dims(eff)})` : ''}`);
      pad = null;
    }
  }
  if (pad && kind === 'avgpool' && kernel && stride && inH !== null && inW !== null) {
    // TFLM's AveragePool returns an error when a window holds no input pixel: check the first and last window per axis
    const axes = [
      ['top', 'bottom', 'height', pad.top, pad.outH, stride.h, kernel.h, inH],
      ['left', 'right', 'width', pad.left, pad.outW, stride.w, kernel.w, inW],
    ] as const;
    for (const [first, last, side, before, out, s, k, n] of axes) {
      if (before > k - 1) c.add(`padding.${first}`, `the first avgpool window covers no input pixel (pad ${before} >= kernel ${side} ${k})`);
      else if ((out - 1) * s - before > n - 1) c.add(`padding.${last}`, `the last avgpool window covers no input pixel (it starts at ${(out - 1) * s - before}, past the input ${side} ${n})`);
    }
  }
  if (pad && inH !== null && inW !== null && inC !== null && outC !== null && kernel) {
    const sizes: [string, number, string][] = [
      ['input', inH * inW * inC, `${inH}x${inW}x${inC}`],
      ['output', pad.outH * pad.outW * outC, `${pad.outH}x${pad.outW}x${outC}`],
    ];
    if (kind === 'depthwise') sizes.push(['weights', kernel.h * kernel.w * outC, `1x${dims(kernel)}x${outC}`]);
    else if (weighted) sizes.push(['weights', outC * kernel.h * kernel.w * inC, `${outC}x${dims(kernel)}x${inC}`]);
    for (const [param, n, shape] of sizes) if (n > MAX_ELEMENTS) c.add(param, `${shape} = ${n} values is more than the ${MAX_ELEMENTS} supported`);
  }

  // quantisation that TFLM derives and checks
  if (pool && izp !== null && ozp !== null && izp !== ozp) c.add('outputZeroPoint', `must equal inputZeroPoint (${izp}) for ${kind} layers, got ${ozp}`);
  if (pool && is !== null && os !== null && Math.abs(f32(is) - f32(os)) > 1e-6) {
    c.add('outputScale', `must equal inputScale (${is}) within 1e-6 for ${kind} layers, got ${os}`);
  }
  if (weightScales && is !== null && os !== null && rounding === 'double') {
    for (let i = 0; i < weightScales.length; i++) {
      const real = (f32(is) * f32(weightScales[i] as number)) / f32(os);
      const q = quantizeMultiplier(real, rounding);
      if (q.shift > 30) {
        c.add(`weightScales[${i}]`, `inputScale * weightScale / outputScale = ${real} needs a left shift of ${q.shift}, more than 30`);
      }
    }
  }
  if (kind === 'add' && is !== null && os !== null && izp !== null && ozp !== null && rounding) {
    const zp2 = spec.input2ZeroPoint === undefined ? null : c.zeroPoint(spec.input2ZeroPoint, 'input2ZeroPoint');
    const s2 = spec.input2Scale === undefined ? null : c.scale(spec.input2Scale, 'input2Scale');
    if (zp2 !== null && s2 !== null) {
      const p = addParams({ scale: is, zeroPoint: izp }, { scale: s2, zeroPoint: zp2 }, { scale: os, zeroPoint: ozp }, rounding);
      if (typeof p === 'string') c.add('outputScale', p);
    }
  } else if (kind === 'add') {
    if (spec.input2ZeroPoint !== undefined) c.zeroPoint(spec.input2ZeroPoint, 'input2ZeroPoint');
    if (spec.input2Scale !== undefined) c.scale(spec.input2Scale, 'input2Scale');
  }
  if (activation && os !== null && ozp !== null && !activationRangeOk(activation, os, ozp)) {
    c.add('activation', `${activation} with outputScale ${os}: 6 / scale does not fit an int32`);
  }

  if (c.issues.length || inH === null || inW === null || inC === null || outC === null || !kernel || !stride || !dilation || !padding || !pad || !activation || !rounding) {
    return null;
  }
  return {
    kind, inH, inW, inC, outC, depthMultiplier, activation, rounding, padding, pad,
    kh: kernel.h, kw: kernel.w, sh: stride.h, sw: stride.w, dh: dilation.h, dw: dilation.w,
  };
}

/**
 * Every problem with a layer spec, each naming its parameter (`stride: expected a positive integer, got 0`,
 * `kernel: kernel 5x5 with dilation 3 is larger than the padded input 7x7 ...`). Empty when the ops can run it.
 * Never throws, whatever it is given.
 */
export function validateLayer(spec: unknown): SpecIssue[] {
  const c = new Checker();
  try {
    check(spec, c);
  } catch (e) {
    c.add('spec', `could not be read (${e instanceof Error ? e.message : show(e)})`);
  }
  return c.issues;
}

/** validateLayer's issues as `param: message` strings. */
export function layerErrors(spec: unknown): string[] {
  return validateLayer(spec).map(formatIssue);
}

/** A spec resolved into the numbers the ops and kernel generators use. */
export interface LayerPlan {
  spec: LayerSpec;
  kind: LayerKind;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  depthMultiplier: number;
  padding: Padding;
  /** pads before (top, left) and after (bottom, right) the input */
  pad: ExplicitPadding;
  inputZeroPoint: number;
  outputZeroPoint: number;
  /** -inputZeroPoint, added to every input value */
  inputOffset: number;
  /** outputZeroPoint, added after requantisation */
  outputOffset: number;
  /** per output channel (conv, depthwise, pointwise, fully connected); empty for the others */
  multipliers: Int32Array;
  shifts: Int32Array;
  /** int32 per output channel, or null (no bias) */
  bias: Int32Array | null;
  activation: Activation;
  actMin: number;
  actMax: number;
  rounding: Rounding;
  /** add only */
  add: AddParams | null;
  inputShape: [number, number, number, number];
  outputShape: [number, number, number, number];
  /** OHWI (conv, pointwise, fully connected) or 1HWC (depthwise); null without weights */
  weightShape: [number, number, number, number] | null;
  weightLayout: 'OHWI' | '1HWC' | null;
  /** multiply-accumulates, counting every kernel tap (padding too), the usual convention; 0 for add and pools */
  macs: number;
}

/** Resolve a spec (throws LayerSpecError with every issue if it is invalid). */
export function planLayer(spec: LayerSpec): LayerPlan {
  const c = new Checker();
  let r: Resolved | null = null;
  try {
    r = check(spec, c);
  } catch (e) {
    c.add('spec', `could not be read (${e instanceof Error ? e.message : show(e)})`);
  }
  if (!r) throw new LayerSpecError(c.issues.length ? c.issues : [{ param: 'spec', message: 'invalid' }]);
  const { kind, inH, inW, inC, outC, pad } = r;
  const rounding = r.rounding;
  const weighted = kind !== 'add' && kind !== 'avgpool' && kind !== 'maxpool';
  const { multipliers, shifts } = weighted
    ? channelMultipliers(spec.inputScale, spec.weightScales!, spec.outputScale, outC, rounding)
    : { multipliers: new Int32Array(0), shifts: new Int32Array(0) };
  const bias = weighted && spec.bias !== undefined ? Int32Array.from(spec.bias as ArrayLike<number>) : null;
  const act = activationRange(r.activation, spec.outputScale, spec.outputZeroPoint);
  let add: AddParams | null = null;
  if (kind === 'add') {
    const p = addParams(
      { scale: spec.inputScale, zeroPoint: spec.inputZeroPoint },
      { scale: spec.input2Scale!, zeroPoint: spec.input2ZeroPoint! },
      { scale: spec.outputScale, zeroPoint: spec.outputZeroPoint },
      rounding,
    );
    if (typeof p === 'string') throw new LayerSpecError([{ param: 'outputScale', message: p }]);
    add = p;
  }
  const weightShape: [number, number, number, number] | null =
    kind === 'depthwise' ? [1, r.kh, r.kw, outC] : weighted ? [outC, r.kh, r.kw, inC] : null;
  const outH = pad.outH, outW = pad.outW;
  const macs = kind === 'depthwise' ? outH * outW * outC * r.kh * r.kw : weighted ? outH * outW * outC * r.kh * r.kw * inC : 0;
  return {
    spec, kind, inH, inW, inC, outH, outW, outC,
    kh: r.kh, kw: r.kw, sh: r.sh, sw: r.sw, dh: r.dh, dw: r.dw,
    depthMultiplier: r.depthMultiplier,
    padding: r.padding,
    pad: { top: pad.top, bottom: pad.bottom, left: pad.left, right: pad.right },
    inputZeroPoint: spec.inputZeroPoint,
    outputZeroPoint: spec.outputZeroPoint,
    inputOffset: -spec.inputZeroPoint,
    outputOffset: spec.outputZeroPoint,
    multipliers, shifts, bias,
    activation: r.activation, actMin: act.min, actMax: act.max,
    rounding, add,
    inputShape: [1, inH, inW, inC],
    outputShape: [1, outH, outW, outC],
    weightShape,
    weightLayout: kind === 'depthwise' ? '1HWC' : weighted ? 'OHWI' : null,
    macs,
  };
}

/** The output shape [1, h, w, c] of a valid spec (throws LayerSpecError otherwise). */
export function outputShape(spec: LayerSpec): [number, number, number, number] {
  return planLayer(spec).outputShape;
}
