#!/usr/bin/env python3
"""A port of diffusers' CogVideoXDDIMScheduler in Python + numpy that speaks cogddim-candidate/1.

Written from docs/reference-semantics.md, docs/fixture-format.md and docs/candidate-protocol.md only: no torch,
no diffusers. Run it under the harness:

    cogddim conform --candidate "python3 examples/python-numpy/cogddim_port.py"

Every value is held as a numpy array of float64 (float64 tensors) or float32 (float32, float16 and bfloat16
tensors: float16/bfloat16 values are exact in float32, and torch computes them in float32 and rounds once).

--mutant NAME makes it deliberately wrong, to show what the harness catches (see MUTANTS).
--dtypes LIST (e.g. float64,float32) makes its hello offer only those dtypes: the harness skips the other cases.
--calls LIST (e.g. schedule,randn) makes its hello offer only those calls (randn_state: the state bytes after each draw).
COGDDIM_RANDN_MUTANT=NAME breaks one rule of its generator (cogddim_randn.py, MUTANTS there).
"""

import base64
import fractions
import json
import math
import sys

import numpy as np

PROTOCOL = "cogddim-candidate/1"
DTYPES = ["float64", "float32", "float16", "bfloat16"]
CALLS = ["schedule", "set_timesteps", "step", "add_noise", "get_velocity", "dpm_step", "randn", "randn_state"]

# Each mutant breaks one named rule of docs/reference-semantics.md (the rule in brackets) and nothing else.
MUTANTS = {
    "ulp-nudge": "[output-rounding] every prev_sample element one ULP up (a wrong final rounding)",
    "fma-step": "[step-unfused] prev = fma(a_t, sample, b_t * x0) in float32/float64, where torch rounds the product and the sum",
    "scalar-opmath": "[scalar-policy] every scalar meets a float16/bfloat16 tensor as float32 (CUDA's opmath), whatever the semantics say",
    "prev-next-timestep": "[prev-t] prev_t is the next timestep of set_timesteps, not t - T // N",
    "linspace-unfused": "[linspace-torch2] linspace multiplies and adds with two roundings, whatever the semantics say",
    "final-alpha-first": "[final-alpha] step uses alphas_cumprod[0] when prev_t < 0, even with set_alpha_to_one",
    "roots-float32": "[betas-scaled-linear] the scaled_linear roots come from a float32 linspace (then widened and squared in float64)",
    "linear-float64": "[betas-linear] the linear betas come from a float64 linspace rounded to float32",
    "cosine-float32": "[betas-cosine] squaredcos_cap_v2's alpha_bar computed in float32 instead of Python doubles",
    "trained-float64": "[betas-trained] trained betas kept as float64 (a float64 table)",
    "linspace-one-sided": "[linspace-torch2] every element is fma(step, i, start), also in the second half",
    "linspace-no-tail": "[linspace-torch113] the last N mod (2 x lanes) elements are computed block-wise too, not with the scalar formula",
    "linspace-one-step": "[linspace-one] torch.linspace(start, end, 1) gives [end]",
    "alphas-float32": "[alphas] 1 - betas computed in float32 for a float64 table",
    "cumprod-feedback": "[cumprod-float32] the float32 cumprod feeds the rounded product back (a plain float32 cumprod)",
    "cumprod-log": "[cumprod-float64] the float64 cumprod as exp(cumsum(log(alphas)))",
    "shift-float64": "[snr-shift] the SNR shift of a float32 table computed in float64 and rounded once",
    "shift-constant-in-dtype": "[snr-shift-constant] 1 - snr_shift_scale computed in the table's dtype from the rounded scale",
    "rescale-before-shift": "[shift-before-rescale] the zero-SNR rescale runs before the SNR shift",
    "rescale-float64": "[zero-snr-rescale] the zero-SNR rescale of a float32 table computed in float64 and rounded once",
    "rescale-betas": "[rescale-keeps-betas] betas and alphas recomputed from the rescaled alphas_cumprod",
    "final-alpha-table-dtype": "[final-alpha] final_alpha_cumprod 1.0 in the table's dtype, not float32",
    "no-step-limit": "[too-many-steps] set_timesteps(N > num_train_timesteps) does not raise",
    "timesteps-half-up": "[spacing-linspace] linspace spacing rounds halves up, not to even",
    "linspace-last-always": "[linspace-n1] numpy's linspace sets the last element to T - 1 even for N = 1",
    "leading-no-offset": "[spacing-leading] leading spacing ignores steps_offset",
    "zero-steps-value-error": "[zero-steps] set_timesteps(0) raises ValueError under every spacing",
    "trailing-int-ratio": "[spacing-trailing] trailing spacing uses the integer ratio T // N",
    "arange-plain": "[trailing-arange] numpy's arange element i as start + i * step (not start + i * ((start + step) - start))",
    "arange-length-n": "[trailing-arange] trailing spacing always gives N timesteps (numpy's arange length ignored)",
    "spacing-at-construction": "[unknown-spacing] an unknown timestep_spacing raises at construction",
    "initial-timesteps-ascending": "[schedule-attributes] schedule.timesteps before set_timesteps in ascending order",
    "prediction-type-first": "[step-check-order] step checks prediction_type before it indexes alphas_cumprod",
    "no-set-timesteps-check": "[step-before-set-timesteps] step without set_timesteps runs as if N = num_train_timesteps",
    "timestep-wraps": "[timestep-index] a timestep past the table wraps around instead of raising IndexError",
    "negative-t-raises": "[timestep-index] a negative timestep raises IndexError instead of indexing from the end",
    "prediction-type-at-construction": "[prediction-type-at-step] an unknown prediction_type raises at construction",
    "x0-reciprocal": "[step-formula] epsilon's x0 multiplies by 1 / sqrt(a) instead of dividing by sqrt(a)",
    "float32-scalar-opmath": "[scalar-policy-float32] a float32 0-dim scalar meets a float16/bfloat16 tensor as float32 in every form",
    "float32-scalar-cast": "[scalar-policy-float32] a float32 0-dim scalar is rounded to the float16/bfloat16 tensor's dtype in every form",
    "tensor-times-scalar": "[step-op-forms] step's multiplications take the tensor*scalar form's policy",
    "direct-half": "[through-float32] float64 rounded straight to float16/bfloat16, not through float32",
    "no-promotion": "[promotion] a bfloat16/float16 tensor meeting a float32 one gives the reduced dtype",
    "bf16-ties-away": "[reduced-rounding] float32 -> bfloat16 rounds ties away from zero",
    "f16-ties-away": "[reduced-rounding] float32 -> float16 rounds ties away from zero",
    "f16-flush-subnormals": "[reduced-rounding] float16 results below 2^-14 flush to zero",
    "noise-scalars-table-dtype": "[noise-scalars] add_noise/get_velocity take sqrt in the table's dtype, then convert",
    "noise-fused": "[noise-formula] add_noise/get_velocity fuse sa * x + sb * y (one rounding) in float32/float64",
}
MUTANT = None
OFFERED_DTYPES = DTYPES


# ---------------------------------------------------------------- rounding to the four dtypes

def f32(x):
    return np.asarray(x, dtype=np.float32)


def bf16_round(values32):
    """float32 -> bfloat16 with round-to-nearest-even on the bits, as torch does; NaN stays NaN."""
    bits = np.ascontiguousarray(values32, dtype=np.float32).view(np.uint32).astype(np.uint64)
    if MUTANT == "bf16-ties-away":
        rounded = ((bits + 0x8000) >> 16) << 16
    else:
        rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    out = (rounded & 0xFFFFFFFF).astype(np.uint32).view(np.float32)
    return np.where(np.isnan(values32), np.float32(np.nan), out).astype(np.float32)


def round_to(values, dtype):
    """Rounds float64/float32 values to `dtype`; float64 -> float16/bfloat16 goes through float32 (two roundings)."""
    if dtype == "float64":
        return np.asarray(values, dtype=np.float64)
    if MUTANT == "direct-half" and np.asarray(values).dtype == np.float64 and dtype in ("float16", "bfloat16"):
        return direct_half(np.asarray(values, dtype=np.float64), dtype)
    v32 = np.asarray(values, dtype=np.float32)
    if dtype == "float32":
        return v32
    if dtype == "float16":
        if MUTANT == "f16-ties-away":
            return f16_ties_away(v32)
        out = v32.astype(np.float16).astype(np.float32)
        if MUTANT == "f16-flush-subnormals":
            out = np.where(np.abs(out) < np.float32(2.0 ** -14), np.float32(0) * out, out).astype(np.float32)
        return out
    if dtype == "bfloat16":
        return bf16_round(v32)
    raise ValueError("unknown dtype " + dtype)


def direct_half(values64, dtype):
    """The direct-half mutant: float64 rounded once to float16/bfloat16 (x / quantum rounded half to even: exact)."""
    bits, emin = (10, -14) if dtype == "float16" else (7, -126)
    x = np.asarray(values64, dtype=np.float64)
    with np.errstate(all="ignore"):
        e = np.maximum(np.floor(np.log2(np.abs(np.where(x == 0, 1.0, x)))), emin)
        q = np.exp2(e - bits)
        r = np.where(np.isfinite(x) & (x != 0), np.rint(x / q) * q, x)
    return r.astype(np.float32)


def f16_ties_away(v32):
    """The f16-ties-away mutant: float32 -> float16 with ties rounded away from zero."""
    r = v32.astype(np.float16)
    back = r.astype(np.float32)
    other = np.nextafter(r, np.where(v32 > back, np.float16(np.inf), np.float16(-np.inf)).astype(np.float16)).astype(np.float32)
    tie = (back != v32) & np.isfinite(other) & ((v32 - back) == (other - v32))
    away = np.where(np.abs(other) > np.abs(back), other, back)
    return np.where(tie, away, back).astype(np.float32)


def compute_dtype(dtype):
    return np.float64 if dtype == "float64" else np.float32


def promote(a, b):
    if a == b:
        return a
    if "float64" in (a, b):
        return "float64"
    if MUTANT == "no-promotion":
        return a if a in ("float16", "bfloat16") else b
    return "float32"


# ---------------------------------------------------------------- tensors in the fixture encoding

class T:
    """A tensor: dtype name and values (float64 array for float64, float32 for the others, int64 for int64)."""

    def __init__(self, dtype, values):
        self.dtype = dtype
        self.values = values


def decode(obj):
    dtype, shape = obj["dtype"], tuple(obj["shape"])
    raw = base64.b64decode(obj["data"])
    if dtype == "float64":
        v = np.frombuffer(raw, dtype="<f8").astype(np.float64)
    elif dtype == "float32":
        v = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    elif dtype == "float16":
        v = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    elif dtype == "bfloat16":
        v = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    elif dtype == "int64":
        v = np.frombuffer(raw, dtype="<i8").astype(np.int64)
    else:
        raise TypeError("unknown dtype " + str(dtype))
    return T(dtype, v.reshape(shape))


def encode(t):
    v = np.asarray(t.values)  # not ascontiguousarray: that turns a 0-dim tensor into shape [1]
    if t.dtype == "float64":
        raw = v.astype("<f8").tobytes()
    elif t.dtype == "float32":
        raw = v.astype("<f4").tobytes()
    elif t.dtype == "float16":
        raw = v.astype("<f2").tobytes()
    elif t.dtype == "bfloat16":
        raw = (v.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
    else:
        raw = v.astype("<i8").tobytes()
    return {"dtype": t.dtype, "shape": list(v.shape), "data": base64.b64encode(raw).decode("ascii")}


# ---------------------------------------------------------------- torch's arithmetic between tensors and 0-dim scalars

class Scalar:
    """A 0-dim tensor: a Python float holding a value of `dtype` (float64 or float32)."""

    def __init__(self, dtype, value):
        self.dtype = dtype
        self.value = float(value) if dtype == "float64" else float(np.float32(value))


def scalar_op(a, b, op):
    """0-dim tensors promote among themselves (float32 op float64 -> float64)."""
    dtype = promote(a.dtype, b.dtype)
    if dtype == "float64":
        return Scalar(dtype, op(np.float64(a.value), np.float64(b.value)))
    return Scalar(dtype, op(np.float32(a.value), np.float32(b.value)))


def scalar_rsub(one, a):  # 1 - a, with a Python number 1
    return Scalar(a.dtype, (np.float64(one) if a.dtype == "float64" else np.float32(one)) - (np.float64(a.value) if a.dtype == "float64" else np.float32(a.value)))


def scalar_sqrt(a):
    return Scalar(a.dtype, np.sqrt(np.float64(a.value)) if a.dtype == "float64" else np.sqrt(np.float32(a.value)))


class Policy:
    def __init__(self, semantics):
        self.scalar = semantics.get("scalar_policy", {})

    def of(self, dtype, form):
        if MUTANT == "scalar-opmath":
            return "opmath"
        return self.scalar.get(dtype, {}).get(form, "cast")


def scalar_meets(s, t, form, policy):
    """The scalar value as the op sees it, and the numpy dtype the op runs in."""
    if t.dtype == "float64":
        return np.float64(s.value), np.float64
    if t.dtype == "float32":
        return np.float32(s.value), np.float32
    if MUTANT == "float32-scalar-opmath" and s.dtype == "float32":
        return np.float32(s.value), np.float32
    if MUTANT == "float32-scalar-cast" and s.dtype == "float32":
        return np.float32(round_to(np.float32(s.value), t.dtype)), np.float32
    if MUTANT == "direct-half" and s.dtype == "float64" and policy.of(t.dtype, form) == "cast":
        return np.float32(round_to(np.float64(s.value), t.dtype)), np.float32
    if policy.of(t.dtype, form) == "cast":
        return np.float32(round_to(np.float32(s.value), t.dtype)), np.float32
    return np.float32(s.value), np.float32


def scalar_times(s, t, policy):
    value, _ = scalar_meets(s, t, "tensor*scalar" if MUTANT == "tensor-times-scalar" else "scalar*tensor", policy)
    return T(t.dtype, round_to(value * t.values, t.dtype))


def tensor_div(t, s, policy):
    value, _ = scalar_meets(s, t, "tensor/scalar", policy)
    return T(t.dtype, round_to(t.values / value, t.dtype))


def tensor_op(a, b, op):
    dtype = promote(a.dtype, b.dtype)
    c = compute_dtype(dtype)
    return T(dtype, round_to(op(a.values.astype(c), b.values.astype(c)), dtype))


# ---------------------------------------------------------------- exact fused multiply-add (Python 3.11 has no math.fma)

def round_fraction(exact, dtype):
    """The float32 or float64 nearest to the rational `exact`, ties to even: one correct rounding.

    float(Fraction) is correctly rounded to float64; for float32 that result is only a candidate (rounding twice can
    be off by one), so the float32 neighbours are compared exactly.
    """
    guess = float(exact)
    if dtype == "float64":
        return guess
    c = np.float32(guess)
    best = None
    for cand in (np.nextafter(c, np.float32(-np.inf)), c, np.nextafter(c, np.float32(np.inf))):
        if not np.isfinite(cand):
            continue
        err = abs(fractions.Fraction(float(cand)) - exact)
        even = (int(np.array(cand, dtype=np.float32).view(np.uint32)) & 1) == 0
        if best is None or err < best[0] or (err == best[0] and even):
            best = (err, cand)
    return float(best[1])


def fma(a, b, c, dtype):
    """a * b + c with one rounding to `dtype`, computed exactly with fractions."""
    return round_fraction(fractions.Fraction(a) * fractions.Fraction(b) + fractions.Fraction(c), dtype)


def rounded(x, dtype):
    return float(np.float64(x)) if dtype == "float64" else float(np.float32(x))


def mul(a, b, dtype):
    return rounded(np.float64(a) * np.float64(b), dtype) if dtype == "float64" else float(np.float32(a) * np.float32(b))


def add(a, b, dtype):
    return rounded(np.float64(a) + np.float64(b), dtype) if dtype == "float64" else float(np.float32(a) + np.float32(b))


# ---------------------------------------------------------------- torch.linspace on the CPU

def linspace(start, end, n, dtype, rounding):
    if MUTANT == "linspace-unfused":
        rounding = "unfused"
    c = compute_dtype(dtype)
    start, end = float(c(start)), float(c(end))
    if n == 1:
        return np.array([end if MUTANT == "linspace-one-step" else start], dtype=c)
    step = float(c((c(end) - c(start)) / c(n - 1)))
    half = n // 2

    def fused(i):
        if MUTANT == "linspace-one-sided":
            return fma(step, i, start, dtype)
        return fma(step, i, start, dtype) if i < half else fma(-step, n - 1 - i, end, dtype)

    def unfused(i):
        return add(mul(step, i, dtype), start, dtype) if i < half else add(mul(-step, n - 1 - i, dtype), end, dtype)

    if rounding == "fused":
        return np.array([fused(i) for i in range(n)], dtype=c)
    if rounding == "unfused":
        return np.array([unfused(i) for i in range(n)], dtype=c)
    if rounding == "vectorized-256":
        lanes = 4 if dtype == "float64" else 8
        vectorized = n - n % (2 * lanes)
        if MUTANT == "linspace-no-tail":
            vectorized = n
        out = []
        for block in range(0, vectorized, lanes):
            base = fused(block)
            out.extend(add(base, mul(j, step, dtype), dtype) for j in range(min(lanes, vectorized - block)))
        out.extend(fused(i) for i in range(vectorized, n))
        return np.array(out, dtype=c)
    raise NotImplementedError("linspace rounding " + str(rounding) + " cannot be emulated")


# ---------------------------------------------------------------- the schedule

class Scheduler:
    def __init__(self, config, semantics):
        self.config = config
        self.policy = Policy(semantics)
        linspace_rounding = semantics.get("linspace_rounding", {})
        T_ = config["num_train_timesteps"]
        schedule = config["beta_schedule"]
        if config.get("trained_betas") is not None:
            self.table = "float64" if MUTANT == "trained-float64" else "float32"
            betas = np.array(config["trained_betas"], dtype=np.float64).astype(compute_dtype(self.table))
        elif schedule == "linear":
            self.table = "float32"
            if MUTANT == "linear-float64":
                betas = linspace(config["beta_start"], config["beta_end"], T_, "float64", linspace_rounding.get("float64", "fused")).astype(np.float32)
            else:
                betas = linspace(config["beta_start"], config["beta_end"], T_, "float32", linspace_rounding.get("float32", "fused"))
        elif schedule == "scaled_linear":
            self.table = "float64"
            if config["beta_start"] < 0 or config["beta_end"] < 0:
                # Python's (-x) ** 0.5 is complex, and diffusers' torch.linspace raises on it.
                raise RuntimeError("torch.linspace(): inferred dtype c10::complex<float> can't be safely cast to passed dtype Double")
            if MUTANT == "roots-float32":
                roots = linspace(config["beta_start"] ** 0.5, config["beta_end"] ** 0.5, T_, "float32", linspace_rounding.get("float32", "fused")).astype(np.float64)
            else:
                roots = linspace(config["beta_start"] ** 0.5, config["beta_end"] ** 0.5, T_, "float64", linspace_rounding.get("float64", "fused"))
            betas = roots * roots
        elif schedule == "squaredcos_cap_v2":
            self.table = "float32"

            def alpha_bar(t):
                if MUTANT == "cosine-float32":
                    return np.float32(np.cos(np.float32((t + 0.008) / 1.008 * math.pi / 2))) ** 2
                return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2

            betas = np.array([min(1 - alpha_bar((i + 1) / T_) / alpha_bar(i / T_), 0.999) for i in range(T_)], dtype=np.float64).astype(np.float32)
        else:
            raise NotImplementedError(f"{schedule} is not implemented for {config.get('__scheduler_class', 'CogVideoXDDIMScheduler')}")
        spacing = config["timestep_spacing"]
        if MUTANT == "spacing-at-construction" and spacing not in ("linspace", "leading", "trailing"):
            raise ValueError(f"{spacing} is not supported. Please make sure to choose one of 'leading' or 'trailing'.")
        if MUTANT == "prediction-type-at-construction" and config["prediction_type"] not in ("epsilon", "sample", "v_prediction"):
            raise ValueError(f"prediction_type given as {config['prediction_type']} must be one of `epsilon`, `sample`, or `v_prediction`")

        c = compute_dtype(self.table)
        if MUTANT == "alphas-float32" and self.table == "float64":
            alphas = (np.float32(1.0) - betas.astype(np.float32)).astype(np.float64)
        else:
            alphas = (c(1.0) - betas).astype(c)
        if self.table == "float32":
            if MUTANT == "cumprod-feedback":
                ac = np.cumprod(alphas, dtype=np.float32)
            else:
                # torch's float32 cumprod accumulates in float64; only each output is rounded to float32.
                ac = np.cumprod(alphas.astype(np.float64)).astype(np.float32)
        elif MUTANT == "cumprod-log":
            ac = np.exp(np.cumsum(np.log(alphas)))
        else:
            ac = np.cumprod(alphas)

        def shift_snr(ac):
            shift = config["snr_shift_scale"]
            if MUTANT == "shift-float64" and self.table == "float32":
                a64 = ac.astype(np.float64)
                return (a64 / (shift + (1 - shift) * a64)).astype(c)
            one_minus = (c(1) - c(shift)) if MUTANT == "shift-constant-in-dtype" else c(1 - shift)
            return (ac / (c(shift) + one_minus * ac)).astype(c)

        def rescale(ac):
            if MUTANT == "rescale-float64" and self.table == "float32":
                s = np.sqrt(ac.astype(np.float64))
                s0, sT = s[0], s[-1]
                s = (s - sT) * (s0 / (s0 - sT))
                return (s * s).astype(c)
            s = np.sqrt(ac)
            s0, sT = s[0], s[-1]
            s = (s - sT).astype(c)
            s = (s * c(s0 / (s0 - sT))).astype(c)
            return (s * s).astype(c)

        if MUTANT == "rescale-before-shift":
            if config["rescale_betas_zero_snr"]:
                ac = rescale(ac)
            ac = shift_snr(ac)
        else:
            ac = shift_snr(ac)
            if config["rescale_betas_zero_snr"]:
                ac = rescale(ac)
        if MUTANT == "rescale-betas" and config["rescale_betas_zero_snr"]:
            previous = np.concatenate([np.ones(1, dtype=c), ac[:-1]]).astype(c)
            alphas = (ac / previous).astype(c)
            betas = (c(1.0) - alphas).astype(c)
        self.betas, self.alphas, self.alphas_cumprod = betas, alphas, ac
        if config["set_alpha_to_one"]:
            self.final = Scalar(self.table if MUTANT == "final-alpha-table-dtype" else "float32", 1.0)
        else:
            self.final = Scalar(self.table, ac[0])
        self.T = T_

    def timesteps(self, n):
        T_ = self.T
        if n > T_ and MUTANT != "no-step-limit":
            raise ValueError(f"`num_inference_steps`: {n} cannot be larger than `self.config.train_timesteps`: {T_}")
        if n == 0 and MUTANT == "zero-steps-value-error":
            raise ValueError("num_inference_steps must be positive")
        spacing = self.config["timestep_spacing"]
        if spacing == "linspace":
            grid = np.linspace(0, T_ - 1, n)
            if MUTANT == "linspace-last-always" and n >= 1:
                grid[-1] = T_ - 1
            ts = (np.floor(grid + 0.5) if MUTANT == "timesteps-half-up" else grid.round())[::-1].copy().astype(np.int64)
        elif spacing == "leading":
            ratio = T_ // n
            ts = (np.arange(0, n) * ratio).round()[::-1].copy().astype(np.int64)
            if MUTANT != "leading-no-offset":
                ts += self.config["steps_offset"]
        elif spacing == "trailing":
            ratio = (T_ // n) if MUTANT == "trailing-int-ratio" else T_ / n
            grid = np.arange(T_, 0, -ratio)
            if MUTANT == "arange-plain":
                grid = np.array([T_ - i * ratio for i in range(len(grid))], dtype=np.float64)
            if MUTANT == "arange-length-n":
                grid = np.array([T_ - i * ratio for i in range(n)], dtype=np.float64)
            ts = np.round(grid).astype(np.int64)
            ts -= 1
        else:
            raise ValueError(f"{spacing} is not supported. Please make sure to choose one of 'leading' or 'trailing'.")
        return ts

    def alpha_at(self, t):
        n = len(self.alphas_cumprod)
        if MUTANT == "timestep-wraps":
            t = t % n
        if MUTANT == "negative-t-raises" and t < 0:
            raise IndexError(f"index {t} is out of bounds for dimension 0 with size {n}")
        if t >= n or t < -n:
            raise IndexError(f"index {t} is out of bounds for dimension 0 with size {n}")
        return Scalar(self.table, self.alphas_cumprod[t])

    def step(self, n, t, model_output, sample):
        if n is None and MUTANT == "no-set-timesteps-check":
            n = self.T
        if n is None:
            raise ValueError("Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler")
        kind = self.config["prediction_type"]
        if MUTANT == "prediction-type-first" and kind not in ("epsilon", "sample", "v_prediction"):
            raise ValueError(f"prediction_type given as {kind} must be one of `epsilon`, `sample`, or `v_prediction`")
        prev_t = t - self.T // n
        if MUTANT == "prev-next-timestep":
            ts = list(self.timesteps(n))
            prev_t = ts[ts.index(t) + 1] if t in ts and ts.index(t) + 1 < len(ts) else -1
        a = self.alpha_at(t)
        ap = self.alpha_at(prev_t) if prev_t >= 0 else self.final
        if MUTANT == "final-alpha-first" and prev_t < 0:
            ap = Scalar(self.table, self.alphas_cumprod[0])
        beta = scalar_rsub(1, a)
        p = self.policy
        if kind == "epsilon" and MUTANT == "x0-reciprocal":
            x0 = scalar_times(scalar_op(Scalar(a.dtype, 1.0), scalar_sqrt(a), np.divide), tensor_op(sample, scalar_times(scalar_sqrt(beta), model_output, p), np.subtract), p)
        elif kind == "epsilon":
            x0 = tensor_div(tensor_op(sample, scalar_times(scalar_sqrt(beta), model_output, p), np.subtract), scalar_sqrt(a), p)
        elif kind == "sample":
            x0 = model_output
        elif kind == "v_prediction":
            x0 = tensor_op(scalar_times(scalar_sqrt(a), sample, p), scalar_times(scalar_sqrt(beta), model_output, p), np.subtract)
        else:
            raise ValueError(f"prediction_type given as {kind} must be one of `epsilon`, `sample`, or `v_prediction`")
        a_t = scalar_sqrt(scalar_op(scalar_rsub(1, ap), scalar_rsub(1, a), np.divide))
        b_t = scalar_op(scalar_sqrt(ap), scalar_op(scalar_sqrt(a), a_t, np.multiply), np.subtract)
        first = scalar_times(a_t, sample, p)
        second = scalar_times(b_t, x0, p)
        prev = tensor_op(first, second, np.add)
        if MUTANT == "fma-step" and prev.dtype in ("float32", "float64") and sample.dtype == prev.dtype and x0.dtype == prev.dtype:
            prev = T(prev.dtype, fused_prev(a_t, sample, second, prev.dtype))
        if MUTANT == "ulp-nudge":
            prev = T(prev.dtype, nudge_up(prev.values, prev.dtype))
        return prev, x0

    def noise_scalars(self, timesteps, dtype, rank):
        ac = round_to(self.alphas_cumprod, dtype)
        n = len(ac)
        for t in timesteps:
            if t >= n or t < -n:
                raise IndexError(f"index {t} is out of bounds for dimension 0 with size {n}")
        picked = ac[timesteps]
        c = compute_dtype(dtype)
        sa = round_to(np.sqrt(picked.astype(c)), dtype)
        sb = round_to(np.sqrt(round_to(c(1) - picked.astype(c), dtype)), dtype)
        if MUTANT == "noise-scalars-table-dtype":
            table = self.alphas_cumprod[timesteps]
            sa = round_to(np.sqrt(table), dtype)
            sb = round_to(np.sqrt(1 - table), dtype)
        shape = (len(timesteps),) + (1,) * max(rank - 1, 0)
        return T(dtype, sa.reshape(shape)), T(dtype, sb.reshape(shape))

    def add_noise(self, original, noise, timesteps):
        sa, sb = self.noise_scalars(timesteps.values.reshape(-1), original.dtype, original.values.ndim)
        if MUTANT == "noise-fused" and original.dtype in ("float32", "float64"):
            return noise_fused(sa, original, tensor_op(sb, noise, np.multiply))
        return tensor_op(tensor_op(sa, original, np.multiply), tensor_op(sb, noise, np.multiply), np.add)

    def get_velocity(self, sample, noise, timesteps):
        sa, sb = self.noise_scalars(timesteps.values.reshape(-1), sample.dtype, sample.values.ndim)
        if MUTANT == "noise-fused" and sample.dtype in ("float32", "float64"):
            return noise_fused(sa, noise, T(sample.dtype, -tensor_op(sb, sample, np.multiply).values))
        return tensor_op(tensor_op(sa, noise, np.multiply), tensor_op(sb, sample, np.multiply), np.subtract)


def fused_prev(a_t, sample, second, dtype):
    """The fma-step mutant: a_t * sample + (b_t * x0) with one rounding, element by element."""
    c = compute_dtype(dtype)
    a = float(c(a_t.value))
    return np.array([fma(a, float(s), float(y), dtype) for s, y in zip(sample.values.reshape(-1), second.values.reshape(-1))], dtype=c).reshape(sample.values.shape)


def noise_fused(sa, x, second):
    """The noise-fused mutant: sa * x + second with one rounding, element by element."""
    c = compute_dtype(x.dtype)
    a = np.broadcast_to(sa.values, x.values.shape).reshape(-1)
    out = [fma(float(p), float(q), float(r), x.dtype) for p, q, r in zip(a, x.values.reshape(-1), second.values.reshape(-1))]
    return T(x.dtype, np.array(out, dtype=c).reshape(x.values.shape))


def nudge_up(values, dtype):
    if dtype == "float64":
        return np.nextafter(values, np.inf)
    if dtype == "float32":
        return np.nextafter(values, np.float32(np.inf)).astype(np.float32)
    if dtype == "float16":
        return np.nextafter(values.astype(np.float16), np.float16(np.inf)).astype(np.float32)
    bits = values.astype(np.float32).view(np.uint32) >> 16
    bits = np.where(values >= 0, bits + 1, bits - 1).astype(np.uint32)
    return (bits << 16).view(np.float32)


# ---------------------------------------------------------------- the protocol loop

class UnsupportedCall(Exception):
    """A call this port does not know: answered with the error type Unsupported."""


_schedulers = {}


def scheduler_for(request):
    # scheduler_class: sent for CogVideoXDPMScheduler suites, so that errors name the class diffusers' name.
    scheduler_class = request.get("scheduler_class", "CogVideoXDDIMScheduler")
    key = json.dumps([request["config"], request["semantics"], scheduler_class], sort_keys=True)
    if key not in _schedulers:
        try:
            _schedulers[key] = Scheduler(dict(request["config"], __scheduler_class=scheduler_class), request["semantics"])
        except (NotImplementedError, ValueError, RuntimeError) as e:
            _schedulers[key] = e
    found = _schedulers[key]
    if isinstance(found, Exception):
        raise found
    return found


def handle(request):
    call = request.get("call")
    if call == "hello":
        name = "python-numpy example" + (f" (mutant {MUTANT})" if MUTANT else "")
        return {"protocol": PROTOCOL, "name": name, "version": "1", "dtypes": OFFERED_DTYPES, "calls": CALLS}
    if call == "randn":  # torch's CPU generator (cogddim_randn.py): no scheduler involved
        import cogddim_randn
        try:
            return cogddim_randn.call(request["args"], request["randn_semantics"])
        except cogddim_randn.Unsupported as e:
            raise UnsupportedCall(str(e)) from None
    s = scheduler_for(request)
    args = request.get("args", {})
    if call == "schedule":
        return {
            "betas": encode(T(s.table, s.betas)),
            "alphas": encode(T(s.table, s.alphas)),
            "alphas_cumprod": encode(T(s.table, s.alphas_cumprod)),
            "final_alpha_cumprod": encode(T(s.final.dtype, np.array(s.final.value, dtype=compute_dtype(s.final.dtype)))),
            "init_noise_sigma": 1.0,
            "order": 1,
            "len": s.T,
            "timesteps": encode(T("int64", np.arange(0, s.T)[::-1 if MUTANT != "initial-timesteps-ascending" else 1].copy().astype(np.int64))),
        }
    if call == "set_timesteps":
        return {"timesteps": encode(T("int64", s.timesteps(args["num_inference_steps"])))}
    if call == "step":
        prev, x0 = s.step(args["num_inference_steps"], args["timestep"], decode(args["model_output"]), decode(args["sample"]))
        return {"prev_sample": encode(prev), "pred_original_sample": encode(x0)}
    if call == "dpm_step":  # CogVideoXDPMScheduler (cogddim_dpm.py)
        import cogddim_dpm
        prev, x0 = cogddim_dpm.dpm_step(sys.modules[__name__], s, args)
        return {"prev_sample": encode(prev), "pred_original_sample": encode(x0)}
    if call == "add_noise":
        return {"noisy_samples": encode(s.add_noise(decode(args["original_samples"]), decode(args["noise"]), decode(args["timesteps"])))}
    if call == "get_velocity":
        return {"velocity": encode(s.get_velocity(decode(args["sample"]), decode(args["noise"]), decode(args["timesteps"])))}
    raise UnsupportedCall(f"unknown call {call!r}")


def main(argv):
    global MUTANT, OFFERED_DTYPES, CALLS
    if "--calls" in argv:
        CALLS = argv[argv.index("--calls") + 1].split(",")
    if "--dtypes" in argv:
        OFFERED_DTYPES = argv[argv.index("--dtypes") + 1].split(",")
    if "--mutant" in argv:
        MUTANT = argv[argv.index("--mutant") + 1]
        if MUTANT not in MUTANTS:
            sys.exit(f"unknown mutant {MUTANT!r}; known: {', '.join(MUTANTS)}")
    np.seterr(all="ignore")  # 0/0 and x/0 are part of the semantics (zero terminal SNR), as in torch
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        reply = {"id": request.get("id")}
        if request.get("call") == "shutdown":
            reply.update(ok=True, result={})
            print(json.dumps(reply), flush=True)
            return
        try:
            reply.update(ok=True, result=handle(request))
        except (ValueError, IndexError, NotImplementedError, ZeroDivisionError, TypeError, RuntimeError) as e:
            reply.update(ok=False, error={"type": type(e).__name__, "message": str(e)})
        except UnsupportedCall as e:
            reply.update(ok=False, error={"type": "Unsupported", "message": str(e)})
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
