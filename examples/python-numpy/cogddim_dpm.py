"""CogVideoXDPMScheduler.step for the python-numpy example port (the cogddim-candidate/1 call dpm_step).

diffusers' DPM-Solver++(2M) step in SDE form, written from docs/fixture-format.md ("The step"): the 0-dim scalars in
the table's dtype with torch's log/exp/expm1 (SLEEF's u10 functions, sleef_u10.py: glibc's differ by 1 ULP on a few
percent of arguments), IEEE infinities as torch follows them (zero terminal SNR: lamb = -inf, h = +inf, mult1 = 0,
then r = +inf), and the element ops with the same roundings as DDIM's step. The harness passes the noise draw that
enters prev_sample (diffusers' second draw on a second-order step: the first is drawn and discarded).
"""

import math
import os

import numpy as np

import sleef_u10

# COGDDIM_DPM_MUTANT=glibc-libm: the scalars with Python's math.log/exp/expm1 (glibc) instead of SLEEF's, to show
# what the harness (and its dpm-libm hint) says about a port that uses its language's libm.
_GLIBC = os.environ.get("COGDDIM_DPM_MUTANT") == "glibc-libm"


def _scalar_unary(m, a, f64, f32):
    return m.Scalar(a.dtype, f64(float(a.value)) if a.dtype == "float64" else f32(np.float32(a.value)))


def _glibc(f):
    def safe(x):
        x = float(x)
        if f is math.log:
            return -math.inf if x == 0 else (math.inf if x == math.inf else math.log(x))
        try:
            return f(x)
        except OverflowError:
            return math.inf
    return safe


def _log(m, a):
    if _GLIBC:  # float32 through double: correctly rounded nearly always, like glibc's logf
        return _scalar_unary(m, a, _glibc(math.log), lambda x: np.float32(_glibc(math.log)(x)))
    return _scalar_unary(m, a, sleef_u10.log, sleef_u10.logf)


def _exp(m, a):
    if _GLIBC:
        return _scalar_unary(m, a, _glibc(math.exp), lambda x: np.float32(_glibc(math.exp)(x)))
    return _scalar_unary(m, a, sleef_u10.exp, sleef_u10.expf)


def _expm1(m, a):
    if _GLIBC:
        return _scalar_unary(m, a, _glibc(math.expm1), lambda x: np.float32(_glibc(math.expm1)(x)))
    return _scalar_unary(m, a, sleef_u10.expm1, sleef_u10.expm1f)


def _times_int(m, a, k):  # k * a for a Python int k: a's dtype
    return m.Scalar(a.dtype, (np.float64(k) * np.float64(a.value)) if a.dtype == "float64" else (np.float32(k) * np.float32(a.value)))


def _neg(m, a):
    return m.Scalar(a.dtype, -a.value)


def _int_div(m, k, a):  # k / a for a Python int k
    return m.Scalar(a.dtype, (np.float64(k) / np.float64(a.value)) if a.dtype == "float64" else (np.float32(k) / np.float32(a.value)))


def _int_add(m, k, a):  # k + a
    return m.Scalar(a.dtype, (np.float64(k) + np.float64(a.value)) if a.dtype == "float64" else (np.float32(k) + np.float32(a.value)))


def _lamb(m, a):
    # ((a / (1 - a)) ** 0.5).log()
    return _log(m, m.scalar_sqrt(m.scalar_op(a, m.scalar_rsub(1, a), np.divide)))


def dpm_step(m, s, args):
    """m: the port module (its tensor and scalar helpers); s: its Scheduler; args: the request's args."""
    n = args["num_inference_steps"]
    t = args["timestep"]
    back = args.get("timestep_back")
    if n is None:
        raise ValueError("Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler")
    prev_t = t - s.T // n
    a = s.alpha_at(t)
    ap = s.alpha_at(prev_t) if prev_t >= 0 else s.final
    ab = s.alpha_at(back) if back is not None else None
    model_output = m.decode(args["model_output"])
    sample = m.decode(args["sample"])
    old = m.decode(args["old_pred_original_sample"]) if args.get("old_pred_original_sample") is not None else None
    noise = m.decode(args["noise"])
    beta = m.scalar_rsub(1, a)
    p = s.policy
    kind = s.config["prediction_type"]
    if kind == "epsilon":
        x0 = m.tensor_div(m.tensor_op(sample, m.scalar_times(m.scalar_sqrt(beta), model_output, p), np.subtract), m.scalar_sqrt(a), p)
    elif kind == "sample":
        x0 = model_output
    elif kind == "v_prediction":
        x0 = m.tensor_op(m.scalar_times(m.scalar_sqrt(a), sample, p), m.scalar_times(m.scalar_sqrt(beta), model_output, p), np.subtract)
    else:
        raise ValueError(f"prediction_type given as {kind} must be one of `epsilon`, `sample`, or `v_prediction`")

    # get_variables
    lamb = _lamb(m, a)
    lamb_next = _lamb(m, ap)
    h = m.scalar_op(lamb_next, lamb, np.subtract)
    r = None
    if ab is not None:
        lamb_previous = _lamb(m, ab)
        h_last = m.scalar_op(lamb, lamb_previous, np.subtract)
        r = m.scalar_op(h_last, h, np.divide)

    # get_mult
    mult1 = m.scalar_op(m.scalar_sqrt(m.scalar_op(m.scalar_rsub(1, ap), m.scalar_rsub(1, a), np.divide)), _exp(m, _neg(m, h)), np.multiply)
    mult2 = m.scalar_op(_expm1(m, _times_int(m, h, -2)), m.scalar_sqrt(ap), np.multiply)
    mult_noise = m.scalar_op(m.scalar_sqrt(m.scalar_rsub(1, ap)), m.scalar_sqrt(m.scalar_rsub(1, _exp(m, _times_int(m, h, -2)))), np.multiply)

    def prev_from(denoised):
        first = m.tensor_op(m.scalar_times(mult1, sample, p), m.scalar_times(mult2, denoised, p), np.subtract)
        return m.tensor_op(first, m.scalar_times(mult_noise, noise, p), np.add)

    if old is None or prev_t < 0:
        return prev_from(x0), x0
    if r is None:
        raise IndexError("list index out of range")  # mult[2] of [mult1, mult2]: old given without timestep_back
    mult4 = _int_div(m, 1, _times_int(m, r, 2))
    mult3 = _int_add(m, 1, mult4)
    denoised = m.tensor_op(m.scalar_times(mult3, x0, p), m.scalar_times(mult4, old, p), np.subtract)
    return prev_from(denoised), x0
