#!/usr/bin/env node
// A port of diffusers' CogVideoXDDIMScheduler in plain JavaScript (Node 20, no packages) that speaks
// cogddim-candidate/1. Written from docs/reference-semantics.md, docs/fixture-format.md and
// docs/candidate-protocol.md only.
//
//     cogddim conform --candidate "node examples/node/cogddim-port.mjs"
//
// JavaScript has float64 only. float32 is Math.fround (one rounding of the exact result, which is what a float32
// operation gives for + - * / and sqrt); float16 and bfloat16 are rounded by hand from float32 bits, round to
// nearest even; fused multiply-add, which JavaScript lacks, is computed exactly with BigInt.
// Tensors hold their values as Float64Array whatever the dtype: float16/bfloat16/float32 values are exact there.

import { createInterface } from "node:readline";
import * as sleef from "./sleef-u10.mjs";

const PROTOCOL = "cogddim-candidate/1";
const DTYPES = ["float64", "float32", "float16", "bfloat16"];
const CALLS = ["schedule", "set_timesteps", "step", "add_noise", "get_velocity", "dpm_step"];

// ------------------------------------------------------------------ rounding to the four dtypes

const scratch = new DataView(new ArrayBuffer(8));

function float32Bits(x) {
  scratch.setFloat32(0, x, true);
  return scratch.getUint32(0, true);
}

function fromFloat32Bits(bits) {
  scratch.setUint32(0, bits >>> 0, true);
  return scratch.getFloat32(0, true);
}

/** float32 value -> float16 bits, round to nearest even (subnormals, overflow to infinity, NaN kept NaN). */
function float16BitsOf(x) {
  const f = float32Bits(x);
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  let mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1))) half++;
    return sign | half;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // a carry into the exponent is the right answer
  return sign | h;
}

function float16FromBits(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** float32 value -> bfloat16 bits as torch rounds: round to nearest even on the upper 16 bits; NaN -> 0x7FC0. */
function bfloat16BitsOf(x) {
  if (Number.isNaN(x)) return 0x7fc0;
  const u = float32Bits(x);
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

const bfloat16FromBits = (b) => fromFloat32Bits(b << 16);

/** Rounds a float64 value to `dtype`; float64 -> float16/bfloat16 goes through float32 (two roundings), as torch. */
function roundTo(x, dtype) {
  switch (dtype) {
    case "float64": return x;
    case "float32": return Math.fround(x);
    case "float16": return float16FromBits(float16BitsOf(Math.fround(x)));
    case "bfloat16": return bfloat16FromBits(bfloat16BitsOf(Math.fround(x)));
    default: throw new PortError("TypeError", `unknown dtype ${dtype}`);
  }
}

/** The dtype an element-wise op computes in: float64, or float32 for float32/float16/bfloat16 (torch's opmath). */
const computeIn = (dtype) => (dtype === "float64" ? "float64" : "float32");

function promote(a, b) {
  if (a === b) return a;
  if (a === "float64" || b === "float64") return "float64";
  return "float32";
}

// ------------------------------------------------------------------ exact fused multiply-add with BigInt

/** A finite double as m * 2^e with BigInt m. */
function decompose(x) {
  scratch.setFloat64(0, x, true);
  const hi = scratch.getUint32(4, true);
  const lo = scratch.getUint32(0, true);
  const negative = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e;
  if (exp === 0) e = -1074;
  else { m |= 1n << 52n; e = exp - 1075; }
  return { m: negative ? -m : m, e };
}

const bitLength = (n) => (n === 0n ? 0 : n.toString(2).length);

/** m * 2^e rounded once to float64 or float32, ties to even (finite results only: enough for linspace). */
function roundExact(m, e, dtype) {
  if (m === 0n) return 0;
  const negative = m < 0n;
  let a = negative ? -m : m;
  const precision = dtype === "float64" ? 53 : 24;
  const minLsb = dtype === "float64" ? -1074 : -149;
  const shift = Math.max(bitLength(a) - precision, minLsb - e);
  if (shift > 0) {
    const s = BigInt(shift);
    let q = a >> s;
    const rem = a - (q << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    a = q;
    e += shift;
  }
  const value = Number(a) * 2 ** e;
  return negative ? -value : value;
}

function fma(a, b, c, dtype) {
  const x = decompose(a), y = decompose(b), z = decompose(c);
  const pe = x.e + y.e;
  const e = Math.min(pe, z.e);
  const sum = ((x.m * y.m) << BigInt(pe - e)) + (z.m << BigInt(z.e - e));
  return roundExact(sum, e, dtype);
}

// ------------------------------------------------------------------ torch.linspace on the CPU

function linspace(start, end, n, dtype, rounding) {
  const r = (v) => roundTo(v, dtype);
  start = r(start); end = r(end);
  if (n === 1) return Float64Array.of(start);
  const step = r(r(end - start) / (n - 1));
  const half = Math.floor(n / 2);
  const fused = (i) => (i < half ? fma(step, i, start, dtype) : fma(-step, n - 1 - i, end, dtype));
  const unfused = (i) => (i < half ? r(r(step * i) + start) : r(r(-step * (n - 1 - i)) + end));
  const out = new Float64Array(n);
  if (rounding === "fused") for (let i = 0; i < n; i++) out[i] = fused(i);
  else if (rounding === "unfused") for (let i = 0; i < n; i++) out[i] = unfused(i);
  else if (rounding === "vectorized-256") {
    const lanes = dtype === "float64" ? 4 : 8;
    const vectorized = n - (n % (2 * lanes));
    for (let block = 0; block < vectorized; block += lanes) {
      const base = fused(block);
      for (let j = 0; j < lanes; j++) out[block + j] = r(base + r(j * step));
    }
    for (let i = vectorized; i < n; i++) out[i] = fused(i);
  } else throw new PortError("NotImplementedError", `linspace rounding ${rounding} cannot be emulated`);
  return out;
}

// ------------------------------------------------------------------ tensors in the fixture encoding

class PortError extends Error {
  constructor(type, message) { super(message); this.type = type; }
}

const SIZES = { float64: 8, float32: 4, float16: 2, bfloat16: 2, int64: 8 };

function decode(t) {
  const bytes = Buffer.from(t.data, "base64");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * SIZES[t.dtype]) throw new PortError("TypeError", `tensor bytes do not match ${t.dtype}${JSON.stringify(t.shape)}`);
  const values = t.dtype === "int64" ? new Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (t.dtype) {
      case "float64": values[i] = view.getFloat64(8 * i, true); break;
      case "float32": values[i] = view.getFloat32(4 * i, true); break;
      case "float16": values[i] = float16FromBits(view.getUint16(2 * i, true)); break;
      case "bfloat16": values[i] = bfloat16FromBits(view.getUint16(2 * i, true)); break;
      case "int64": values[i] = Number(view.getBigInt64(8 * i, true)); break;
    }
  }
  return { dtype: t.dtype, shape: t.shape, values };
}

function encode(t) {
  const count = t.values.length;
  const bytes = Buffer.alloc(count * SIZES[t.dtype]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    const v = t.values[i];
    switch (t.dtype) {
      case "float64": view.setFloat64(8 * i, v, true); break;
      case "float32": view.setFloat32(4 * i, v, true); break;
      case "float16": view.setUint16(2 * i, float16BitsOf(v), true); break;
      case "bfloat16": view.setUint16(2 * i, bfloat16BitsOf(v), true); break;
      case "int64": view.setBigInt64(8 * i, BigInt(v), true); break;
    }
  }
  return { dtype: t.dtype, shape: t.shape, data: bytes.toString("base64") };
}

const tensor = (dtype, shape, values) => ({ dtype, shape, values });

// ------------------------------------------------------------------ torch arithmetic: 0-dim scalars and tensors

/** A 0-dim tensor of dtype float64 or float32. */
const scalar = (dtype, value) => ({ dtype, value: roundTo(value, dtype) });

function scalarOp(a, b, op) {
  const dtype = promote(a.dtype, b.dtype); // 0-dim tensors promote among themselves
  return scalar(dtype, op(a.value, b.value));
}

const oneMinus = (a) => scalar(a.dtype, 1 - a.value);
const sqrtOf = (a) => scalar(a.dtype, Math.sqrt(a.value));

/** The scalar as an op with a tensor of `dtype` sees it, under the suite's scalar policy for the written form. */
function scalarAgainst(s, dtype, form, semantics) {
  if (dtype === "float64") return s.value;
  if (dtype === "float32") return Math.fround(s.value);
  const policy = semantics.scalar_policy?.[dtype]?.[form] ?? "cast";
  return policy === "cast" ? roundTo(Math.fround(s.value), dtype) : Math.fround(s.value);
}

function elementwise(dtype, shape, n, f) {
  const c = computeIn(dtype);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = roundTo(roundTo(f(i), c), dtype);
  return tensor(dtype, shape, out);
}

function scalarTimes(s, t, semantics) {
  const v = scalarAgainst(s, t.dtype, "scalar*tensor", semantics);
  return elementwise(t.dtype, t.shape, t.values.length, (i) => v * t.values[i]);
}

function tensorDiv(t, s, semantics) {
  const v = scalarAgainst(s, t.dtype, "tensor/scalar", semantics);
  return elementwise(t.dtype, t.shape, t.values.length, (i) => t.values[i] / v);
}

/** Tensor-tensor ops broadcast a [B, 1, …] tensor over [B, …] (add_noise); otherwise shapes are equal. */
function tensorOp(a, b, op) {
  const dtype = promote(a.dtype, b.dtype);
  const big = a.values.length >= b.values.length ? a : b;
  const n = big.values.length;
  const ia = a.values.length === n ? (i) => i : (i) => Math.floor(i / (n / a.values.length));
  const ib = b.values.length === n ? (i) => i : (i) => Math.floor(i / (n / b.values.length));
  return elementwise(dtype, big.shape, n, (i) => op(a.values[ia(i)], b.values[ib(i)]));
}

const add = (x, y) => x + y;
const sub = (x, y) => x - y;
const mul = (x, y) => x * y;

// ------------------------------------------------------------------ the scheduler

function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

class Scheduler {
  constructor(config, semantics) {
    this.config = config;
    this.semantics = semantics;
    const T = config.num_train_timesteps;
    const rounding = semantics.linspace_rounding ?? {};
    let betas;
    if (config.trained_betas !== null && config.trained_betas !== undefined) {
      this.table = "float32";
      betas = Float64Array.from(config.trained_betas, Math.fround);
    } else if (config.beta_schedule === "linear") {
      this.table = "float32";
      betas = linspace(config.beta_start, config.beta_end, T, "float32", rounding.float32 ?? "fused");
    } else if (config.beta_schedule === "scaled_linear") {
      this.table = "float64";
      if (config.beta_start < 0 || config.beta_end < 0) {
        // Python's (-x) ** 0.5 is complex, and diffusers' torch.linspace raises on it.
        throw new PortError("RuntimeError", "torch.linspace(): inferred dtype c10::complex<float> can't be safely cast to passed dtype Double");
      }
      const roots = linspace(Math.sqrt(config.beta_start), Math.sqrt(config.beta_end), T, "float64", rounding.float64 ?? "fused");
      betas = roots.map((x) => x * x);
    } else if (config.beta_schedule === "squaredcos_cap_v2") {
      this.table = "float32";
      const alphaBar = (t) => { const c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2); return c * c; };
      betas = new Float64Array(T);
      for (let i = 0; i < T; i++) betas[i] = Math.fround(Math.min(1 - alphaBar((i + 1) / T) / alphaBar(i / T), 0.999));
    } else {
      throw new PortError("NotImplementedError", `${config.beta_schedule} is not implemented for ${config.__scheduler_class ?? "CogVideoXDDIMScheduler"}`);
    }
    const r = (v) => roundTo(v, this.table);
    const alphas = betas.map((b) => r(1 - b));
    const ac = new Float64Array(T);
    let acc = 1; // float32 cumprod accumulates in float64 and rounds each running product; float64 is plain
    for (let i = 0; i < T; i++) { acc *= alphas[i]; ac[i] = r(acc); }
    const shift = config.snr_shift_scale;
    const s0 = r(shift), s1 = r(1 - shift);
    for (let i = 0; i < T; i++) ac[i] = r(ac[i] / r(s0 + r(s1 * ac[i])));
    if (config.rescale_betas_zero_snr) {
      const s = ac.map((v) => r(Math.sqrt(v)));
      const first = s[0], last = s[T - 1];
      const scale = r(first / r(first - last));
      for (let i = 0; i < T; i++) { const v = r(r(s[i] - last) * scale); ac[i] = r(v * v); }
    }
    this.betas = betas; this.alphas = alphas; this.alphasCumprod = ac; this.T = T;
    this.final = config.set_alpha_to_one ? scalar("float32", 1) : scalar(this.table, ac[0]);
  }

  timesteps(n) {
    const T = this.T;
    if (n > T) throw new PortError("ValueError", `num_inference_steps: ${n} cannot be larger than num_train_timesteps: ${T}`);
    const spacing = this.config.timestep_spacing;
    let ts;
    if (spacing === "linspace") {
      // numpy: i * ((T - 1) / (N - 1)), the last element set to T - 1; rounded half to even; reversed
      const step = (T - 1) / (n - 1);
      ts = Array.from({ length: n }, (_, i) => (n > 1 && i === n - 1 ? T - 1 : roundHalfEven(i * step))).reverse();
      if (n === 1) ts = [0];
    } else if (spacing === "leading") {
      if (n === 0) throw new PortError("ZeroDivisionError", "integer division or modulo by zero");
      const ratio = Math.floor(T / n);
      ts = Array.from({ length: n }, (_, i) => i * ratio + this.config.steps_offset).reverse();
    } else if (spacing === "trailing") {
      if (n === 0) throw new PortError("ZeroDivisionError", "float division by zero");
      // numpy's float arange: length ceil((stop - start) / step), element i = start + i * ((start + step) - start)
      const step = -(T / n);
      const delta = (T + step) - T;
      const length = Math.ceil((0 - T) / step);
      ts = Array.from({ length }, (_, i) => roundHalfEven(i === 0 ? T : T + i * delta) - 1);
    } else {
      throw new PortError("ValueError", `${spacing} is not supported. Please make sure to choose one of 'leading' or 'trailing'.`);
    }
    return ts;
  }

  alphaAt(t) {
    const n = this.alphasCumprod.length;
    if (t >= n || t < -n) throw new PortError("IndexError", `index ${t} is out of bounds for dimension 0 with size ${n}`);
    return scalar(this.table, this.alphasCumprod[t < 0 ? t + n : t]);
  }

  step(n, t, modelOutput, sample) {
    if (n === null || n === undefined) throw new PortError("ValueError", "Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler");
    if (n === 0) throw new PortError("ZeroDivisionError", "integer division or modulo by zero");
    const prevT = t - Math.floor(this.T / n);
    const a = this.alphaAt(t);
    const ap = prevT >= 0 ? this.alphaAt(prevT) : this.final;
    const beta = oneMinus(a);
    const sem = this.semantics;
    let x0;
    switch (this.config.prediction_type) {
      case "epsilon": x0 = tensorDiv(tensorOp(sample, scalarTimes(sqrtOf(beta), modelOutput, sem), sub), sqrtOf(a), sem); break;
      case "sample": x0 = modelOutput; break;
      case "v_prediction": x0 = tensorOp(scalarTimes(sqrtOf(a), sample, sem), scalarTimes(sqrtOf(beta), modelOutput, sem), sub); break;
      default: throw new PortError("ValueError", `prediction_type given as ${this.config.prediction_type} must be one of epsilon, sample, or v_prediction`);
    }
    const at = sqrtOf(scalarOp(oneMinus(ap), oneMinus(a), (x, y) => x / y));
    const bt = scalarOp(sqrtOf(ap), scalarOp(sqrtOf(a), at, mul), sub);
    const prev = tensorOp(scalarTimes(at, sample, sem), scalarTimes(bt, x0, sem), add);
    return [prev, x0];
  }

  noiseScalars(timesteps, dtype, shape) {
    const n = this.alphasCumprod.length;
    const sa = [], sb = [];
    for (const t of timesteps) {
      if (t >= n || t < -n) throw new PortError("IndexError", `index ${t} is out of bounds for dimension 0 with size ${n}`);
      const c = computeIn(dtype);
      const a = roundTo(this.alphasCumprod[t < 0 ? t + n : t], dtype); // alphas_cumprod.to(sample dtype)
      sa.push(roundTo(roundTo(Math.sqrt(a), c), dtype));
      sb.push(roundTo(roundTo(Math.sqrt(roundTo(roundTo(1 - a, c), dtype)), c), dtype));
    }
    const s = [timesteps.length, ...shape.slice(1).map(() => 1)];
    return [tensor(dtype, s, Float64Array.from(sa)), tensor(dtype, s, Float64Array.from(sb))];
  }

  addNoise(original, noise, timesteps) {
    const [sa, sb] = this.noiseScalars(timesteps.values, original.dtype, original.shape);
    return tensorOp(tensorOp(sa, original, mul), tensorOp(sb, noise, mul), add);
  }

  getVelocity(sample, noise, timesteps) {
    const [sa, sb] = this.noiseScalars(timesteps.values, sample.dtype, sample.shape);
    return tensorOp(tensorOp(sa, noise, mul), tensorOp(sb, sample, mul), sub);
  }
}

// ------------------------------------------------------------------ CogVideoXDPMScheduler.step (the dpm_step call)
// DPM-Solver++(2M), SDE form, from docs/fixture-format.md ("The step"): 0-dim scalars in the table's dtype with
// torch's log/exp/expm1 (SLEEF's u10 functions, sleef-u10.mjs), IEEE infinities as torch follows them, element ops
// rounded as DDIM's. The harness passes the draw that enters prev_sample (the second on a second-order step).

const unary = (a, f64, f32) => scalar(a.dtype, a.dtype === "float64" ? f64(a.value) : f32(a.value));
const lambOf = (a) => unary(sqrtOf(scalarOp(a, oneMinus(a), (x, y) => x / y)), sleef.log, sleef.logf);
const timesInt = (a, k) => scalar(a.dtype, k * a.value);

function dpmStep(s, args) {
  const n = args.num_inference_steps;
  if (n === null || n === undefined) throw new PortError("ValueError", "Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler");
  if (n === 0) throw new PortError("ZeroDivisionError", "integer division or modulo by zero");
  const t = args.timestep;
  const back = args.timestep_back ?? null;
  const prevT = t - Math.floor(s.T / n);
  const a = s.alphaAt(t);
  const ap = prevT >= 0 ? s.alphaAt(prevT) : s.final;
  const ab = back !== null ? s.alphaAt(back) : null;
  const modelOutput = decode(args.model_output), sample = decode(args.sample), noise = decode(args.noise);
  const old = args.old_pred_original_sample ? decode(args.old_pred_original_sample) : null;
  const beta = oneMinus(a);
  const sem = s.semantics;
  let x0;
  switch (s.config.prediction_type) {
    case "epsilon": x0 = tensorDiv(tensorOp(sample, scalarTimes(sqrtOf(beta), modelOutput, sem), sub), sqrtOf(a), sem); break;
    case "sample": x0 = modelOutput; break;
    case "v_prediction": x0 = tensorOp(scalarTimes(sqrtOf(a), sample, sem), scalarTimes(sqrtOf(beta), modelOutput, sem), sub); break;
    default: throw new PortError("ValueError", `prediction_type given as ${s.config.prediction_type} must be one of epsilon, sample, or v_prediction`);
  }
  const lamb = lambOf(a), lambNext = lambOf(ap);
  const h = scalarOp(lambNext, lamb, sub);
  const r = ab !== null ? scalarOp(scalarOp(lamb, lambOf(ab), sub), h, (x, y) => x / y) : null;
  const mult1 = scalarOp(sqrtOf(scalarOp(oneMinus(ap), oneMinus(a), (x, y) => x / y)), unary(scalar(h.dtype, -h.value), sleef.exp, sleef.expf), mul);
  const mult2 = scalarOp(unary(timesInt(h, -2), sleef.expm1, sleef.expm1f), sqrtOf(ap), mul);
  const multNoise = scalarOp(sqrtOf(oneMinus(ap)), sqrtOf(oneMinus(unary(timesInt(h, -2), sleef.exp, sleef.expf))), mul);
  const prevFrom = (d) => tensorOp(tensorOp(scalarTimes(mult1, sample, sem), scalarTimes(mult2, d, sem), sub), scalarTimes(multNoise, noise, sem), add);
  if (old === null || prevT < 0) return [prevFrom(x0), x0];
  if (r === null) throw new PortError("IndexError", "list index out of range"); // mult[2] of [mult1, mult2]
  const mult4 = scalar(r.dtype, 1 / timesInt(r, 2).value);
  const mult3 = scalar(r.dtype, 1 + mult4.value);
  const d = tensorOp(scalarTimes(mult3, x0, sem), scalarTimes(mult4, old, sem), sub);
  return [prevFrom(d), x0];
}

// ------------------------------------------------------------------ the protocol loop

const schedulers = new Map();

function schedulerFor(request) {
  // scheduler_class: sent for CogVideoXDPMScheduler suites, so that errors name the class diffusers' name.
  const schedulerClass = request.scheduler_class ?? "CogVideoXDDIMScheduler";
  const key = JSON.stringify([request.config, request.semantics, schedulerClass]);
  if (!schedulers.has(key)) {
    try { schedulers.set(key, new Scheduler({ ...request.config, __scheduler_class: schedulerClass }, request.semantics)); } catch (e) { schedulers.set(key, e); }
  }
  const found = schedulers.get(key);
  if (found instanceof Error) throw found;
  return found;
}

const int64 = (values) => encode(tensor("int64", [values.length], values));

function handle(request) {
  const args = request.args ?? {};
  switch (request.call) {
    case "hello":
      return { protocol: PROTOCOL, name: "node example", version: "1", dtypes: DTYPES, calls: CALLS };
    case "schedule": {
      const s = schedulerFor(request);
      const T = s.T;
      return {
        betas: encode(tensor(s.table, [T], s.betas)),
        alphas: encode(tensor(s.table, [T], s.alphas)),
        alphas_cumprod: encode(tensor(s.table, [T], s.alphasCumprod)),
        final_alpha_cumprod: encode(tensor(s.final.dtype, [], Float64Array.of(s.final.value))),
        init_noise_sigma: 1.0,
        order: 1,
        len: T,
        timesteps: int64(Array.from({ length: T }, (_, i) => T - 1 - i)),
      };
    }
    case "set_timesteps":
      return { timesteps: int64(schedulerFor(request).timesteps(args.num_inference_steps)) };
    case "step": {
      const [prev, x0] = schedulerFor(request).step(args.num_inference_steps, args.timestep, decode(args.model_output), decode(args.sample));
      return { prev_sample: encode(prev), pred_original_sample: encode(x0) };
    }
    case "dpm_step": {
      const [prev, x0] = dpmStep(schedulerFor(request), args);
      return { prev_sample: encode(prev), pred_original_sample: encode(x0) };
    }
    case "add_noise":
      return { noisy_samples: encode(schedulerFor(request).addNoise(decode(args.original_samples), decode(args.noise), decode(args.timesteps))) };
    case "get_velocity":
      return { velocity: encode(schedulerFor(request).getVelocity(decode(args.sample), decode(args.noise), decode(args.timesteps))) };
    default:
      throw new PortError("Unsupported", `unknown call ${request.call}`);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  if (request.call === "shutdown") {
    process.stdout.write(JSON.stringify({ id: request.id, ok: true, result: {} }) + "\n");
    break;
  }
  let reply;
  try {
    reply = { id: request.id, ok: true, result: handle(request) };
  } catch (e) {
    if (!(e instanceof PortError)) throw e;
    reply = { id: request.id, ok: false, error: { type: e.type, message: e.message } };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
