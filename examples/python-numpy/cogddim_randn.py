"""torch's CPU generator for the python-numpy example port (the cogddim-candidate/1 call `randn`).

Written from docs/randn.md (no torch, no torch source): `torch.randn(shape, generator=torch.Generator().manual_seed(s),
dtype=d)` on the CPU, to the bit, in float64, float32, float16 and bfloat16:

  * the engine: MT19937 with torch's bookkeeping (`left` starts at 1, `next` at 0; a draw decrements `left` and
    twists when it reaches 0), the twist and the tempering vectorised with numpy;
  * the 16-wide path (a contiguous tensor of 16 or more elements): one uniform per element, Box-Muller per block of
    16 (lane j: radius from 1 - u[j], angle from u[j + 8]; cos to j, sin to j + 8), a tail block from 16 fresh
    uniforms. float32 uses the Cephes log/sincos polynomials with fused multiply-adds (emulated exactly: the product
    is exact in float64, the sum is rounded to odd, then to float32), float64 glibc's log/cos/sin (Python's math),
    float16/bfloat16 glibc's logf/cosf/sinf (through ctypes) with the dtype roundings that `randn_semantics` names;
  * the serial path (fewer than 16 elements, or `layout: "strided"`): normal_distribution<double> with its cached
    sample, `log1p(-u2)` or `log(1 - u2)` as `serial_log` says, cast to the dtype (float16/bfloat16 through float32);
  * the 5056-byte state of `g.get_state()` (the port lists `randn_state`).

What it cannot do it answers Unsupported (the harness counts those cases as skipped): the `libm` float32 kernel.

COGDDIM_RANDN_MUTANT=NAME breaks one rule on purpose (see MUTANTS), to show what the harness reports.
"""

import base64
import ctypes
import ctypes.util
import hashlib
import math
import os
import struct

import numpy as np

MUTANTS = {
    "box-muller-swap": "the 16-wide path writes sin to lane j and cos to lane j + 8",
    "serial-below-8": "the switch to the 16-wide path is at 8 elements, not 16",
    "no-cache": "the serial path drops r sin(theta) instead of caching it for the next element",
}
MUTANT = os.environ.get("COGDDIM_RANDN_MUTANT") or None
if MUTANT is not None and MUTANT not in MUTANTS:
    raise SystemExit(f"unknown COGDDIM_RANDN_MUTANT {MUTANT!r}; known: {', '.join(MUTANTS)}")

STATE_SIZE = 5056
N, M = 624, 397
MATRIX_A, UPPER, LOWER = np.uint32(0x9908B0DF), np.uint32(0x80000000), np.uint32(0x7FFFFFFF)
TWO_PI = 2.0 * math.pi


class Unsupported(Exception):
    """A dtype or kernel this port does not draw: the reply's error type is Unsupported."""


# ---------------------------------------------------------------- the engine

class Generator:
    def __init__(self, seed):
        seed = int(seed)
        if not 0 <= seed < 2 ** 64:
            raise ValueError(f"seed {seed} is not an unsigned 64-bit integer")
        self.initial_seed = seed
        words = [seed & 0xFFFFFFFF]
        for j in range(1, N):
            p = words[-1]
            words.append((1812433253 * (p ^ (p >> 30)) + j) & 0xFFFFFFFF)
        self.state = np.array(words, dtype=np.uint32)
        self.left, self.next = 1, 0
        self.normal = None        # the cached double sample (normal_y)
        self.float_normal = None  # next_float_normal_sample: carried in the state, never drawn by randn

    def _twist(self):
        s = self.state

        def part(i0, i1, mixed_with):
            y = (s[i0:i1] & UPPER) | (s[i0 + 1:i1 + 1] & LOWER)
            return mixed_with ^ (y >> np.uint32(1)) ^ np.where((y & np.uint32(1)) != 0, MATRIX_A, np.uint32(0))

        s[0:227] = part(0, 227, s[397:624])
        s[227:454] = part(227, 454, s[0:227])
        s[454:623] = part(454, 623, s[227:396])
        y = (s[623] & UPPER) | (s[0] & LOWER)
        s[623] = s[396] ^ (y >> np.uint32(1)) ^ (MATRIX_A if y & np.uint32(1) else np.uint32(0))

    @staticmethod
    def _temper(y):
        y = y ^ (y >> np.uint32(11))
        y = y ^ ((y << np.uint32(7)) & np.uint32(0x9D2C5680))
        y = y ^ ((y << np.uint32(15)) & np.uint32(0xEFC60000))
        return y ^ (y >> np.uint32(18))

    def words(self, n):
        """The next n outputs of random(), in torch's order, as uint32."""
        out = []
        while n > 0:
            if self.left == 1:  # this draw twists: left -> 0 -> 624, next -> 0, then reads word 0
                self._twist()
                self.left, self.next = N, 0
                out.append(self.state[0:1].copy())
                self.next = 1
                n -= 1
                continue
            k = min(n, self.left - 1)
            out.append(self.state[self.next:self.next + k].copy())
            self.next += k
            self.left -= k
            n -= k
        return self._temper(np.concatenate(out)) if out else np.zeros(0, dtype=np.uint32)

    # ------------------------------------------------------------ state bytes

    def get_state(self):
        b = bytearray(STATE_SIZE)
        struct.pack_into("<QiiQ", b, 0, self.initial_seed, self.left, 1, self.next)
        b[24:24 + 8 * N] = self.state.astype("<u8").tobytes()
        if self.normal is not None:
            struct.pack_into("<d", b, 5024, self.normal)
            struct.pack_into("<i", b, 5040, 1)
        if self.float_normal is not None:
            struct.pack_into("<f", b, 5048, self.float_normal)
            b[5052] = 1
        return bytes(b)

    @classmethod
    def from_state(cls, b):
        if len(b) != STATE_SIZE:
            raise ValueError(f"a generator state has {STATE_SIZE} bytes, not {len(b)}")
        seed, left, seeded, nxt = struct.unpack_from("<QiiQ", b, 0)
        if not seeded or not 1 <= left <= N or nxt > N or (left > 1 and nxt + left - 1 > N):
            raise ValueError(f"Invalid mt19937 state (seeded {seeded}, left {left}, next {nxt})")
        g = cls.__new__(cls)
        g.initial_seed, g.left, g.next = seed, left, nxt
        g.state = (np.frombuffer(b[24:24 + 8 * N], dtype="<u8") & 0xFFFFFFFF).astype(np.uint32)
        g.normal = struct.unpack_from("<d", b, 5024)[0] if struct.unpack_from("<i", b, 5040)[0] else None
        g.float_normal = struct.unpack_from("<f", b, 5048)[0] if b[5052] else None
        return g

    # ------------------------------------------------------------ uniforms

    def uniform53(self, n):
        w = self.words(2 * n).astype(np.uint64)
        return ((w[0::2] << np.uint64(32)) | w[1::2]) & np.uint64((1 << 53) - 1)

    def next_normal(self, log1p):
        """One normal_distribution<double>(0, 1) sample (the serial path), with the cached sample."""
        if self.normal is not None:
            v, self.normal = self.normal, None
            return v * 1.0 + 0.0
        k = self.uniform53(2)
        u1, u2 = float(k[0]) * 2.0 ** -53, float(k[1]) * 2.0 ** -53
        r = math.sqrt(-2.0 * (math.log1p(-u2) if log1p else math.log(1.0 - u2)))
        theta = 2.0 * math.pi * u1
        self.normal = None if MUTANT == "no-cache" else r * math.sin(theta)
        return r * math.cos(theta) * 1.0 + 0.0


# ---------------------------------------------------------------- roundings

def bf16(v32):
    bits = np.ascontiguousarray(v32, dtype=np.float32).view(np.uint32).astype(np.uint64)
    return (((bits + 0x7FFF + ((bits >> np.uint64(16)) & np.uint64(1))) >> np.uint64(16)) << np.uint64(16)).astype(np.uint32).view(np.float32)


def f16(v32):
    return np.asarray(v32, dtype=np.float32).astype(np.float16).astype(np.float32)


ROUND = {"float16": f16, "bfloat16": bf16}
DIGITS = {"float16": 11, "bfloat16": 8}


def fma32(a, b, c):
    """fmaf(a, b, c) elementwise, exactly: a*b is exact in float64; the sum is rounded to odd, then to float32."""
    p = np.asarray(a, dtype=np.float32).astype(np.float64) * np.asarray(b, dtype=np.float32).astype(np.float64)
    c = np.broadcast_to(np.asarray(c, dtype=np.float32).astype(np.float64), p.shape)
    s = p + c
    bb = s - p
    e = (p - (s - bb)) + (c - bb)
    even = (s.view(np.uint64) & np.uint64(1)) == 0
    odd = np.nextafter(s, np.where(e > 0, np.inf, -np.inf))
    return np.where((e != 0) & even, odd, s).astype(np.float32)


F = np.float32


def cephes_log(x):
    x = np.asarray(x, dtype=np.float32)
    invalid = x <= 0
    x = np.maximum(x, np.array([0x00800000], dtype=np.uint32).view(np.float32)[0])
    bits = x.view(np.uint32)
    exponent = ((bits >> np.uint32(23)).astype(np.int32) - 0x7F).astype(np.float32) + F(1)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)
    small = m < F(0.707106781186547524)
    t = np.where(small, m, F(0))
    m = m - F(1)
    exponent = exponent - np.where(small, F(1), F(0))
    m = m + t
    z = m * m
    y = fma32(F(7.0376836292E-2), m, F(-1.1514610310E-1))
    for p in (1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1,
              -2.4999993993E-1, 3.3333331174E-1):
        y = fma32(y, m, F(p))
    y = y * m
    y = fma32(y, z, exponent * F(-2.12194440e-4))
    y = fma32(-z, F(0.5), y)
    r = fma32(exponent, F(0.693359375), m + y)
    return np.where(invalid, np.array([0xFFFFFFFF], dtype=np.uint32).view(np.float32)[0], r)


def cephes_sincos(x):
    x = np.asarray(x, dtype=np.float32)
    sign_sin = x.view(np.uint32) & np.uint32(0x80000000)
    x = np.abs(x)
    j = ((x * F(1.27323954473516)).astype(np.int32) + 1) & ~1
    y = j.astype(np.float32)
    swap_sin = ((j & 4) << 29).astype(np.uint32)
    poly = (j & 2) == 0
    x = fma32(y, F(-0.78515625), x)
    x = fma32(y, F(-2.4187564849853515625e-4), x)
    x = fma32(y, F(-3.77489497744594108e-8), x)
    sign_cos = ((~(j - 2) & 4) << 29).astype(np.uint32)
    sign_sin = sign_sin ^ swap_sin
    z = x * x
    c = fma32(F(2.443315711809948E-005), z, F(-1.388731625493765E-003))
    c = fma32(c, z, F(4.166664568298827E-002))
    c = c * z
    c = fma32(c, z, -(z * F(0.5)))
    c = c + F(1)
    s = fma32(F(-1.9515295891E-4), z, F(8.3321608736E-3))
    s = fma32(s, z, F(-1.6666654611E-1))
    s = s * z
    s = fma32(s, x, x)
    sin_v = (np.where(poly, s, c) + F(0)).astype(np.float32)
    cos_v = (np.where(poly, c, s) + F(0)).astype(np.float32)
    return (sin_v.view(np.uint32) ^ sign_sin).view(np.float32), (cos_v.view(np.uint32) ^ sign_cos).view(np.float32)


# ---------------------------------------------------------------- libm's float functions (float16/bfloat16)

_libm = None


def libm():
    global _libm
    if _libm is None:
        lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        for name in ("logf", "cosf", "sinf"):
            getattr(lib, name).restype = ctypes.c_float
            getattr(lib, name).argtypes = [ctypes.c_float]
        _libm = lib
    return _libm


_tables = {}


def reduced_tables(dtype, kernel):
    """Radius by the numerator of u1's uniform, cos and sin by the angle uniform's (2^11 or 2^8 entries each)."""
    key = (dtype, kernel)
    if key not in _tables:
        if kernel not in ("reduced-steps", "float-math"):
            raise Unsupported(f"{dtype} kernel {kernel!r}")
        m, r = libm(), ROUND[dtype]
        size = 1 << DIGITS[dtype]
        radius, cos, sin = [], [], []
        for k in range(size):
            u = float(F(k) * F(1.0 / size))
            u1 = float(F(1) - F(u))
            theta = float(r(F(TWO_PI * u)))
            log = F(m.logf(u1))
            if kernel == "reduced-steps":
                radius.append(r(np.sqrt(F(-2) * r(log))))
                cos.append(r(F(m.cosf(theta))))
                sin.append(r(F(m.sinf(theta))))
            else:
                radius.append(r(np.sqrt(F(-2) * log)))
                cos.append(F(m.cosf(theta)))
                sin.append(F(m.sinf(theta)))
        _tables[key] = tuple(np.array(t, dtype=np.float32).reshape(-1) for t in (radius, cos, sin))
    return _tables[key]


# ---------------------------------------------------------------- the 16-wide path

def _pairs(u):
    """u of 16 k elements -> (lane j values, lane j + 8 values), each of shape (k, 8)."""
    b = u.reshape(-1, 16)
    return b[:, :8], b[:, 8:]


def _store(cos_part, sin_part):
    if MUTANT == "box-muller-swap":
        cos_part, sin_part = sin_part, cos_part
    return np.concatenate([cos_part, sin_part], axis=1).reshape(-1)


def transform(dtype, raw, semantics):
    """One or more blocks of 16 from their raw draws: uint32 words (uint64 53-bit numerators for float64)."""
    if dtype == "float32":
        if semantics.get("float32") != "avx2-cephes":
            raise Unsupported(f"float32 kernel {semantics.get('float32')!r} (this port has the avx2-cephes one only)")
        u = (raw & np.uint32(0xFFFFFF)).astype(np.float32) * F(2.0 ** -24)
        a, b = _pairs(u)
        radius = np.sqrt(F(-2) * cephes_log(F(1) - a))
        sin, cos = cephes_sincos(F(6.28318548) * b)
        return _store(radius * cos + F(0), radius * sin + F(0)).astype(np.float32)
    if dtype == "float64":
        u = raw.astype(np.float64) * 2.0 ** -53
        a, b = _pairs(u)
        radius = np.array([math.sqrt(-2.0 * math.log(1.0 - v)) for v in a.reshape(-1).tolist()]).reshape(a.shape)
        thetas = [TWO_PI * v for v in b.reshape(-1).tolist()]
        cos = np.array([math.cos(t) for t in thetas]).reshape(b.shape)
        sin = np.array([math.sin(t) for t in thetas]).reshape(b.shape)
        return _store(radius * cos + 0.0, radius * sin + 0.0)
    radius_t, cos_t, sin_t = reduced_tables(dtype, semantics.get(dtype))
    mask = np.uint32((1 << DIGITS[dtype]) - 1)
    a, b = _pairs(raw & mask)
    radius, cos, sin = radius_t[a], cos_t[b], sin_t[b]
    r = ROUND[dtype]
    return _store(r(radius * cos) + F(0), r(radius * sin) + F(0)).astype(np.float32)


def fill16(g, n, dtype, semantics):
    draw = (lambda k: g.uniform53(k)) if dtype == "float64" else (lambda k: g.words(k))
    if n < 16:  # only the serial-below-8 mutant gets here: one block of 16, cut to n
        return transform(dtype, draw(16), semantics)[:n]
    raw = draw(n)
    full = n - n % 16
    out = np.zeros(n, dtype=np.float64 if dtype == "float64" else np.float32)
    if full:
        out[:full] = transform(dtype, raw[:full], semantics)
    if n % 16:
        out[n - 16:] = transform(dtype, draw(16), semantics)
    return out


def serial(g, n, dtype, semantics):
    log = semantics.get("serial_log")
    if log not in ("log1p", "log-one-minus"):
        raise Unsupported(f"serial_log {log!r}")
    values = [g.next_normal(log == "log1p") for _ in range(n)]
    if dtype == "float64":
        return np.array(values, dtype=np.float64)
    v32 = np.array(values, dtype=np.float64).astype(np.float32)
    return v32 if dtype == "float32" else ROUND[dtype](v32)


def randn(g, shape, dtype, layout, semantics):
    if dtype not in ("float64", "float32", "float16", "bfloat16"):
        raise Unsupported(f"randn of dtype {dtype!r}")
    for d in shape:
        if not isinstance(d, int) or d < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {d}: {list(shape)}")
    n = math.prod(shape)
    threshold = 8 if MUTANT == "serial-below-8" else 16
    if layout == "strided" or n < threshold:
        values = serial(g, n, dtype, semantics)
    elif layout == "contiguous":
        values = fill16(g, n, dtype, semantics)
    else:
        raise ValueError(f"layout {layout!r}: expected contiguous or strided")
    return values


# ---------------------------------------------------------------- the call

def raw_bytes(values, dtype):
    if dtype == "float64":
        return np.asarray(values, dtype="<f8").tobytes()
    if dtype == "float32":
        return np.asarray(values, dtype="<f4").tobytes()
    if dtype == "float16":
        return np.asarray(values, dtype=np.float32).astype("<f2").tobytes()
    return (np.asarray(values, dtype=np.float32).view(np.uint32) >> np.uint32(16)).astype("<u2").tobytes()


WIDTH = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2}


def encode(raw, dtype, shape, digest, edge=1024):
    if digest and len(raw) > 2 * edge * WIDTH[dtype]:
        w = edge * WIDTH[dtype]
        return {"dtype": dtype, "shape": list(shape), "sha256": hashlib.sha256(raw).hexdigest(), "edge": edge,
                "head": base64.b64encode(raw[:w]).decode("ascii"), "tail": base64.b64encode(raw[-w:]).decode("ascii")}
    return {"dtype": dtype, "shape": list(shape), "data": base64.b64encode(raw).decode("ascii")}


def call(args, semantics):
    """The `randn` call: {seed | state, draws, digest} -> {outputs, states}."""
    if args.get("state") is not None:
        g = Generator.from_state(base64.b64decode(args["state"]))
    else:
        g = Generator(args["seed"])
    digest = bool(args.get("digest"))
    outputs, states = [], []
    for d in args["draws"]:
        shape, dtype = list(d["shape"]), d["dtype"]
        values = randn(g, shape, dtype, d.get("layout", "contiguous"), semantics)
        outputs.append(encode(raw_bytes(values, dtype), dtype, shape, digest))
        states.append(base64.b64encode(g.get_state()).decode("ascii"))
    return {"outputs": outputs, "states": states}
