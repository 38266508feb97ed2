"""SLEEF's 1-ULP log, exp and expm1 (xlog_u1, xexp, xexpm1 and the float xlogf_u1, xexpf, xexpm1f), FMA form.

torch's CPU Tensor.log() / exp() / expm1() call these (Sleef_logd4_u10, ... on AVX2; the d8/f16 AVX-512 ones compute
the same values), even on a 0-dim tensor. Python's math module calls glibc, which is correctly rounded nearly
everywhere where SLEEF is not: they differ by 1 ULP on a few percent of arguments (docs/dpm-scalars.md), which is
why CogVideoXDPMScheduler.step needs this. Every fused multiply-add is computed exactly (fractions) and rounded once;
every other operation is the same IEEE operation, in the same order, as in SLEEF. float32 runs on numpy float32
scalars. Special values (NaN, 0, +-inf, the overflow and underflow cut-offs) are SLEEF's final selects.

Ported from SLEEF 3.6.1 (src/libm/sleefsimddp.c, sleefsimdsp.c, src/common/dd.h, df.h, commonfuncs.h, estrin.h;
the same in 3.5.1). Copyright Naoki Shibata and contributors 2010 - 2024. Distributed under the Boost Software
License, Version 1.0 (http://www.boost.org/LICENSE_1_0.txt): permission is hereby granted, free of charge, to any
person or organization obtaining a copy of the software and accompanying documentation covered by this license to
use, reproduce, display, distribute, execute, and transmit the Software, and to prepare derivative works of the
Software, subject to including this notice. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
"""

import fractions
import math
import struct

import numpy as np

F = np.float32
_L2U = .69314718055966295651160180568695068359375
_L2L = .28235290563031577122588448175013436025525412068e-12
_R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931


def _f32c(text):
    """A C float literal: the decimal rounded once to float32 (np.float32(float(text)) would round twice)."""
    exact = fractions.Fraction(text)
    c = F(float(exact))
    best = None
    for cand in (np.nextafter(c, F(-np.inf)), c, np.nextafter(c, F(np.inf))):
        err = abs(fractions.Fraction(float(cand)) - exact)
        even = (int(np.array(cand, dtype=np.float32).view(np.uint32)) & 1) == 0
        if best is None or err < best[0] or (err == best[0] and even):
            best = (err, cand)
    return F(best[1])


_L2Uf = _f32c("0.693145751953125")
_L2Lf = _f32c("1.428606765330187045e-06")
_R_LN2f = _f32c("1.442695040888963407359924681001892137426645954152985934135449406931")


# ---------------------------------------------------------------- one rounding of an exact a * b + c

def _round32(exact):
    c = F(float(exact))
    best = None
    for cand in (np.nextafter(c, F(-np.inf)), c, np.nextafter(c, F(np.inf))):
        if not np.isfinite(cand):
            continue
        err = abs(fractions.Fraction(float(cand)) - exact)
        even = (int(np.array(cand, dtype=np.float32).view(np.uint32)) & 1) == 0
        if best is None or err < best[0] or (err == best[0] and even):
            best = (err, cand)
    return F(best[1])


def fma(a, b, c):
    """fma for two Python floats (float64) or numpy float32 scalars (float32); finite operands."""
    single = isinstance(a, np.float32)
    product = fractions.Fraction(float(a)) * fractions.Fraction(float(b))
    exact = product + fractions.Fraction(float(c))
    if exact == 0:
        # IEEE: an exact zero sum is +0 unless both addends are -0 (or +-0 products of a zero)
        z = float(a) * float(b) + float(c)
        return F(z) if single else z
    return _round32(exact) if single else float(exact)


# ---------------------------------------------------------------- bits

def _bits64(d):
    return struct.unpack("<Q", struct.pack("<d", d))[0]


def _from64(b):
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


def _bits32(f):
    return int(np.array(f, dtype=np.float32).view(np.uint32))


def _from32(b):
    return np.array(b & 0xFFFFFFFF, dtype=np.uint32).view(np.float32)[()]


def _pow2i(q):
    return _from64(((((q + 0x3FF) << 20) & 0xFFFFFFFF)) << 32)


def _ldexp2(d, e):
    return d * _pow2i(e >> 1) * _pow2i(e - (e >> 1))


def _ldexp3(d, q):
    return _from64(_bits64(d) + ((((q << 20) & 0xFFFFFFFF)) << 32))


def _ilogb2k(d):
    return ((_bits64(d) >> 52) & 0x7FF) - 0x3FF


def _pow2if(q):
    return _from32(((q + 0x7F) << 23) & 0xFFFFFFFF)


def _ldexp2f(d, e):
    return d * _pow2if(e >> 1) * _pow2if(e - (e >> 1))


def _ldexp3f(d, q):
    return _from32(_bits32(d) + ((q << 23) & 0xFFFFFFFF))


def _ilogb2kf(d):
    return ((_bits32(d) >> 23) & 0xFF) - 0x7F


# estrin.h with MLA = fma
def _poly2(x, c1, c0):
    return fma(x, c1, c0)


def _poly3(x, x2, c2, c1, c0):
    return fma(x2, c2, fma(x, c1, c0))


def _poly4(x, x2, c3, c2, c1, c0):
    return fma(x2, fma(x, c3, c2), fma(x, c1, c0))


def _poly7(x, x2, x4, c6, c5, c4, c3, c2, c1, c0):
    return fma(x4, _poly3(x, x2, c6, c5, c4), _poly4(x, x2, c3, c2, c1, c0))


def _poly8(x, x2, x4, c7, c6, c5, c4, c3, c2, c1, c0):
    return fma(x4, _poly4(x, x2, c7, c6, c5, c4), _poly4(x, x2, c3, c2, c1, c0))


def _poly10(x, x2, x4, x8, c9, c8, c7, c6, c5, c4, c3, c2, c1, c0):
    return fma(x8, _poly2(x, c9, c8), _poly8(x, x2, x4, c7, c6, c5, c4, c3, c2, c1, c0))


# ---------------------------------------------------------------- double-double / float-float (dd.h, df.h with FMA)
# The same code serves both: operands are Python floats or numpy float32 scalars, never mixed.

def _add2(x, y):                      # ddadd2_vd2_vd_vd
    s = x + y
    v = s - x
    return (s, (x - (s - v)) + (y - v))


def _add2_dd_d(x, y):                 # ddadd2_vd2_vd2_vd
    s = x[0] + y
    v = s - x[0]
    w = (x[0] - (s - v)) + (y - v)
    return (s, w + x[1])


def _add2_dd_dd(x, y):                # ddadd2_vd2_vd2_vd2
    s = x[0] + y[0]
    v = s - x[0]
    t = (x[0] - (s - v)) + (y[0] - v)
    return (s, t + (x[1] + y[1]))


def _add_dd_d(x, y):                  # ddadd_vd2_vd2_vd
    s = x[0] + y
    return (s, ((x[0] - s) + y) + x[1])


def _add_d_dd(x, y):                  # ddadd_vd2_vd_vd2
    s = x + y[0]
    return (s, ((x - s) + y[0]) + y[1])


def _add_dd_dd(x, y):                 # ddadd_vd2_vd2_vd2
    s = x[0] + y[0]
    return (s, (((x[0] - s) + y[0]) + x[1]) + y[1])


def _div(n, d, one):                  # dddiv_vd2_vd2_vd2
    t = one / d[0]
    s = n[0] * t
    u = fma(t, n[0], -s)
    v = fma(-d[1], t, fma(-d[0], t, one))
    return (s, fma(s, v, fma(n[1], t, u)))


def _mul_dd_d(x, y):                  # ddmul_vd2_vd2_vd
    s = x[0] * y
    return (s, fma(x[1], y, fma(x[0], y, -s)))


def _mul_dd_dd(x, y):                 # ddmul_vd2_vd2_vd2
    s = x[0] * y[0]
    return (s, fma(x[0], y[1], fma(x[1], y[0], fma(x[0], y[0], -s))))


def _squ(x):                          # ddsqu_vd2_vd2
    s = x[0] * x[0]
    return (s, fma(x[0] + x[0], x[1], fma(x[0], x[0], -s)))


# ---------------------------------------------------------------- float64

def log(d):
    """SLEEF xlog_u1 of a Python float."""
    d = float(d)
    if math.isnan(d) or d < 0:
        return math.nan
    if d == 0:
        return -math.inf
    if d == math.inf:
        return math.inf
    o = d < 2.2250738585072014e-308
    if o:
        d = d * (float(1 << 32) * float(1 << 32))
    e = _ilogb2k(d * (1.0 / 0.75))
    m = _ldexp3(d, -e)
    if o:
        e -= 64
    x = _div(_add2(-1.0, m), _add2(1.0, m), 1.0)
    x2 = x[0] * x[0]
    x4 = x2 * x2
    x8 = x4 * x4
    t = _poly7(x2, x4, x8,
               0.1532076988502701353e+0, 0.1525629051003428716e+0, 0.1818605932937785996e+0, 0.2222214519839380009e+0,
               0.2857142932794299317e+0, 0.3999999999635251990e+0, 0.6666666666667333541e+0)
    s = _mul_dd_d((0.693147180559945286226764, 2.319046813846299558417771e-17), float(e))
    s = _add_dd_dd(s, (x[0] * 2, x[1] * 2))
    s = _add_dd_d(s, x2 * x[0] * t)
    return s[0] + s[1]


def exp(d):
    """SLEEF xexp of a Python float."""
    d = float(d)
    if math.isnan(d):
        return math.nan
    if d > 709.78271114955742909217217426:
        return math.inf
    if d < -1000:
        return 0.0
    u = float(round(d * _R_LN2))
    q = int(u)
    s = fma(u, -_L2U, d)
    s = fma(u, -_L2L, s)
    s2 = s * s
    s4 = s2 * s2
    s8 = s4 * s4
    u = _poly10(s, s2, s4, s8,
                +0.2081276378237164457e-8, +0.2511210703042288022e-7, +0.2755762628169491192e-6,
                +0.2755723402025388239e-5, +0.2480158687479686264e-4, +0.1984126989855865850e-3,
                +0.1388888888914497797e-2, +0.8333333333314938210e-2, +0.4166666666666602598e-1,
                +0.1666666666666669072e+0)
    u = fma(u, s, 0.5)
    u = fma(u, s, 1.0)
    u = fma(u, s, 1.0)
    return _ldexp2(u, q)


def _expk2(d):
    u = (d[0] + d[1]) * _R_LN2
    dq = float(round(u))
    q = int(dq)
    s = _add2_dd_d(d, dq * -_L2U)
    s = _add2_dd_d(s, dq * -_L2L)
    s2 = _squ(s)
    s4 = _squ(s2)
    s8 = s4[0] * s4[0]
    u = _poly10(s[0], s2[0], s4[0], s8,
                +0.1602472219709932072e-9, +0.2092255183563157007e-8, +0.2505230023782644465e-7,
                +0.2755724800902135303e-6, +0.2755731892386044373e-5, +0.2480158735605815065e-4,
                +0.1984126984148071858e-3, +0.1388888888886763255e-2, +0.8333333333333347095e-2,
                +0.4166666666666669905e-1)
    t = _add_d_dd(0.5, _mul_dd_d(s, +0.1666666666666666574e+0))
    t = _add_d_dd(1.0, _mul_dd_dd(t, s))
    t = _add_d_dd(1.0, _mul_dd_dd(t, s))
    t = _add_dd_dd(t, _mul_dd_d(s4, u))
    return (_ldexp2(t[0], q), _ldexp2(t[1], q))


def expm1(a):
    """SLEEF xexpm1 of a Python float."""
    a = float(a)
    if math.isnan(a):
        return math.nan
    if a > 709.782712893383996732223:
        return math.inf
    if a < -36.736800569677101399113302437:
        return -1.0
    if a == 0:
        return a  # keeps -0
    d = _add2_dd_d(_expk2((a, 0.0)), -1.0)
    return d[0] + d[1]


# ---------------------------------------------------------------- float32

def logf(d):
    """SLEEF xlogf_u1 of a float32."""
    d = F(d)
    if np.isnan(d) or d < 0:
        return F(np.nan)
    if d == 0:
        return F(-np.inf)
    if d == np.inf:
        return F(np.inf)
    o = d < F(1.17549435e-38)
    if o:
        d = d * (F(1 << 32) * F(1 << 32))
    e = _ilogb2kf(d * (F(1.0) / F(0.75)))
    m = _ldexp3f(d, -e)
    if o:
        e -= 64
    s = _mul_dd_d((_f32c("0.69314718246459960938"), _f32c("-1.904654323148236017e-09")), F(e))
    x = _div(_add2(F(-1), m), _add2(F(1), m), F(1))
    x2 = x[0] * x[0]
    t = _f32c("+0.3027294874e+0")
    t = fma(t, x2, _f32c("+0.3996108174e+0"))
    t = fma(t, x2, _f32c("+0.6666694880e+0"))
    s = _add_dd_dd(s, (x[0] * F(2), x[1] * F(2)))
    s = _add_dd_d(s, x2 * x[0] * t)
    return s[0] + s[1]


def expf(d):
    """SLEEF xexpf of a float32."""
    d = F(d)
    if np.isnan(d):
        return F(np.nan)
    if d < F(-104):
        return F(0)
    if F(100) < d:
        return F(np.inf)
    q = int(round(float(d * _R_LN2f)))
    s = fma(F(q), -_L2Uf, d)
    s = fma(F(q), -_L2Lf, s)
    u = _f32c("0.000198527617612853646278381")
    u = fma(u, s, _f32c("0.00139304355252534151077271"))
    u = fma(u, s, _f32c("0.00833336077630519866943359"))
    u = fma(u, s, _f32c("0.0416664853692054748535156"))
    u = fma(u, s, _f32c("0.166666671633720397949219"))
    u = fma(u, s, F(0.5))
    u = F(1) + fma(s * s, u, s)
    return _ldexp2f(u, q)


def _expk2f(d):
    u = (d[0] + d[1]) * _R_LN2f
    q = int(round(float(u)))
    s = _add2_dd_d(d, F(q) * -_L2Uf)
    s = _add2_dd_d(s, F(q) * -_L2Lf)
    u = _f32c("+0.1980960224e-3")
    u = fma(u, s[0], _f32c("+0.1394256484e-2"))
    u = fma(u, s[0], _f32c("+0.8333456703e-2"))
    u = fma(u, s[0], _f32c("+0.4166637361e-1"))
    t = _add2_dd_d(_mul_dd_d(s, u), _f32c("+0.166666659414234244790680580464e+0"))
    t = _add2_dd_d(_mul_dd_dd(s, t), F(0.5))
    t = _add2_dd_dd(s, _mul_dd_dd(_squ(s), t))
    t = _add_d_dd(F(1), t)
    return (_ldexp2f(t[0], q), _ldexp2f(t[1], q))


def expm1f(a):
    """SLEEF xexpm1f of a float32."""
    a = F(a)
    if np.isnan(a):
        return F(np.nan)
    if a > _f32c("88.72283172607421875"):
        return F(np.inf)
    if a < _f32c("-16.635532333438687426013570"):
        return F(-1)
    if a == 0:
        return a
    d = _add2_dd_d(_expk2f((a, F(0))), F(-1.0))
    return d[0] + d[1]
