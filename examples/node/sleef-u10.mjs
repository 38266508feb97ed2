// SLEEF's 1-ULP log, exp and expm1 (xlog_u1, xexp, xexpm1 and the float xlogf_u1, xexpf, xexpm1f), FMA form, in
// plain JavaScript: what torch's CPU Tensor.log() / exp() / expm1() compute (Sleef_logd4_u10, ... on AVX2; the
// AVX-512 ones compute the same values), even on a 0-dim tensor. Math.log / Math.exp are not these functions (and
// not the same across engines), and glibc differs from SLEEF by 1 ULP on a few percent of arguments
// (docs/dpm-scalars.md). Fused multiply-adds are computed exactly with BigInt and rounded once; every other
// operation is the same IEEE operation in the same order as SLEEF; float32 rounds every result with Math.fround.
//
// Ported from SLEEF 3.6.1 (src/libm/sleefsimddp.c, sleefsimdsp.c, src/common/dd.h, df.h, commonfuncs.h, estrin.h;
// the same in 3.5.1). Copyright Naoki Shibata and contributors 2010 - 2024. Distributed under the Boost Software
// License, Version 1.0 (http://www.boost.org/LICENSE_1_0.txt): permission is hereby granted, free of charge, to use,
// reproduce, display, distribute, execute, and transmit the Software, and to prepare derivative works of it, subject
// to including this notice. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.

const view = new DataView(new ArrayBuffer(8));

function decompose(x) {
  view.setFloat64(0, x, true);
  const hi = view.getUint32(4, true);
  const lo = view.getUint32(0, true);
  const negative = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e;
  if (exp === 0) e = -1074;
  else { m |= 1n << 52n; e = exp - 1075; }
  return { m: negative ? -m : m, e };
}

const bitLength = (n) => (n === 0n ? 0 : n.toString(2).length);

function roundExact(m, e, precision, minLsb) {
  const negative = m < 0n;
  let a = negative ? -m : m;
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
  // a has at most `precision` bits and e >= minLsb, so Number(a) * 2^e is exact (or overflows to infinity)
  const value = Number(a) * 2 ** e;
  return negative ? -value : value;
}

/** a * b + c rounded once to float64 (single = false) or float32 (single = true); finite operands. */
export function fma(a, b, c, single) {
  const x = decompose(a), y = decompose(b), z = decompose(c);
  const pe = x.e + y.e;
  const e = Math.min(pe, z.e);
  const sum = ((x.m * y.m) << BigInt(pe - e)) + (z.m << BigInt(z.e - e));
  if (sum === 0n) return single ? Math.fround(a * b + c) : a * b + c; // IEEE's sign of an exact zero
  return single ? Math.fround(roundExact(sum, e, 24, -149)) : roundExact(sum, e, 53, -1074);
}

function rint(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// ------------------------------------------------------------------ bits

function pow2i(q) {
  view.setUint32(0, 0, true);
  view.setUint32(4, ((q + 0x3ff) << 20) >>> 0, true);
  return view.getFloat64(0, true);
}

const ldexp2 = (d, e) => d * pow2i(e >> 1) * pow2i(e - (e >> 1));

function ldexp3(d, q) {
  view.setFloat64(0, d, true);
  view.setUint32(4, (view.getUint32(4, true) + (q << 20)) >>> 0, true);
  return view.getFloat64(0, true);
}

function ilogb2k(d) {
  view.setFloat64(0, d, true);
  return ((view.getUint32(4, true) >>> 20) & 0x7ff) - 0x3ff;
}

function float32Bits(x) {
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
}

function fromFloat32Bits(b) {
  view.setUint32(0, b >>> 0, true);
  return view.getFloat32(0, true);
}

const pow2if = (q) => fromFloat32Bits(((q + 0x7f) << 23) >>> 0);
const ldexp2f = (d, e) => Math.fround(Math.fround(d * pow2if(e >> 1)) * pow2if(e - (e >> 1)));
const ldexp3f = (d, q) => fromFloat32Bits((float32Bits(d) + (q << 23)) >>> 0);
const ilogb2kf = (d) => ((float32Bits(d) >>> 23) & 0xff) - 0x7f;

// ------------------------------------------------------------------ double-double / float-float with FMA (dd.h, df.h)

function arithmetic(single) {
  const R = single ? Math.fround : (x) => x;
  const f = (a, b, c) => fma(a, b, c, single);
  return {
    R, f,
    add2: (x, y) => { const s = R(x + y), v = R(s - x); return [s, R(R(x - R(s - v)) + R(y - v))]; },
    add2DD: (x, y) => { const s = R(x[0] + y), v = R(s - x[0]); const w = R(R(x[0] - R(s - v)) + R(y - v)); return [s, R(w + x[1])]; },
    add2DDDD: (x, y) => { const s = R(x[0] + y[0]), v = R(s - x[0]); const t = R(R(x[0] - R(s - v)) + R(y[0] - v)); return [s, R(t + R(x[1] + y[1]))]; },
    addDD: (x, y) => { const s = R(x[0] + y); return [s, R(R(R(x[0] - s) + y) + x[1])]; },
    addD_DD: (x, y) => { const s = R(x + y[0]); return [s, R(R(R(x - s) + y[0]) + y[1])]; },
    addDDDD: (x, y) => { const s = R(x[0] + y[0]); return [s, R(R(R(R(x[0] - s) + y[0]) + x[1]) + y[1])]; },
    div: (n, d) => {
      const t = R(1 / d[0]), s = R(n[0] * t);
      const u = f(t, n[0], -s);
      const v = f(-d[1], t, f(-d[0], t, 1));
      return [s, f(s, v, f(n[1], t, u))];
    },
    mulD: (x, y) => { const s = R(x[0] * y); return [s, f(x[1], y, f(x[0], y, -s))]; },
    mulDD: (x, y) => { const s = R(x[0] * y[0]); return [s, f(x[0], y[1], f(x[1], y[0], f(x[0], y[0], -s)))]; },
    squ: (x) => { const s = R(x[0] * x[0]); return [s, f(R(x[0] + x[0]), x[1], f(x[0], x[0], -s))]; },
  };
}

const D = arithmetic(false);
const S = arithmetic(true);

// estrin.h, MLA = fma (float64)
const p2 = (x, c1, c0) => D.f(x, c1, c0);
const p3 = (x, x2, c2, c1, c0) => D.f(x2, c2, D.f(x, c1, c0));
const p4 = (x, x2, c3, c2, c1, c0) => D.f(x2, D.f(x, c3, c2), D.f(x, c1, c0));
const p7 = (x, x2, x4, c6, c5, c4, c3, c2, c1, c0) => D.f(x4, p3(x, x2, c6, c5, c4), p4(x, x2, c3, c2, c1, c0));
const p8 = (x, x2, x4, c7, c6, c5, c4, c3, c2, c1, c0) => D.f(x4, p4(x, x2, c7, c6, c5, c4), p4(x, x2, c3, c2, c1, c0));
const p10 = (x, x2, x4, x8, c9, c8, c7, c6, c5, c4, c3, c2, c1, c0) => D.f(x8, p2(x, c9, c8), p8(x, x2, x4, c7, c6, c5, c4, c3, c2, c1, c0));

const L2U = 0.69314718055966295651160180568695068359375;
const L2L = 0.28235290563031577122588448175013436025525412068e-12;
const R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931;
const fr = Math.fround;
const L2Uf = fr(0.693145751953125);
const L2Lf = fr(1.428606765330187045e-06);
const R_LN2f = fr(1.442695040888963407359924681001892137426645954152985934135449406931);

// ------------------------------------------------------------------ float64

export function log(d) {
  if (Number.isNaN(d) || d < 0) return NaN;
  if (d === 0) return -Infinity;
  if (d === Infinity) return Infinity;
  const o = d < 2.2250738585072014e-308;
  if (o) d = d * (2 ** 32 * 2 ** 32);
  let e = ilogb2k(d * (1.0 / 0.75));
  const m = ldexp3(d, -e);
  if (o) e -= 64;
  const x = D.div(D.add2(-1, m), D.add2(1, m));
  const x2 = x[0] * x[0], x4 = x2 * x2, x8 = x4 * x4;
  const t = p7(x2, x4, x8, 0.1532076988502701353e+0, 0.1525629051003428716e+0, 0.1818605932937785996e+0, 0.2222214519839380009e+0,
    0.2857142932794299317e+0, 0.3999999999635251990e+0, 0.6666666666667333541e+0);
  let s = D.mulD([0.693147180559945286226764, 2.319046813846299558417771e-17], e);
  s = D.addDDDD(s, [x[0] * 2, x[1] * 2]);
  s = D.addDD(s, x2 * x[0] * t);
  return s[0] + s[1];
}

export function exp(d) {
  if (Number.isNaN(d)) return NaN;
  if (d > 709.78271114955742909217217426) return Infinity;
  if (d < -1000) return 0;
  let u = rint(d * R_LN2);
  const q = u;
  let s = D.f(u, -L2U, d);
  s = D.f(u, -L2L, s);
  const s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
  u = p10(s, s2, s4, s8, +0.2081276378237164457e-8, +0.2511210703042288022e-7, +0.2755762628169491192e-6, +0.2755723402025388239e-5,
    +0.2480158687479686264e-4, +0.1984126989855865850e-3, +0.1388888888914497797e-2, +0.8333333333314938210e-2,
    +0.4166666666666602598e-1, +0.1666666666666669072e+0);
  u = D.f(u, s, 0.5);
  u = D.f(u, s, 1);
  u = D.f(u, s, 1);
  return ldexp2(u, q);
}

function expk2(d) {
  const dq = rint((d[0] + d[1]) * R_LN2);
  const q = dq;
  let s = D.add2DD(d, dq * -L2U);
  s = D.add2DD(s, dq * -L2L);
  const s2 = D.squ(s), s4 = D.squ(s2);
  const s8 = s4[0] * s4[0];
  const u = p10(s[0], s2[0], s4[0], s8, +0.1602472219709932072e-9, +0.2092255183563157007e-8, +0.2505230023782644465e-7,
    +0.2755724800902135303e-6, +0.2755731892386044373e-5, +0.2480158735605815065e-4, +0.1984126984148071858e-3,
    +0.1388888888886763255e-2, +0.8333333333333347095e-2, +0.4166666666666669905e-1);
  let t = D.addD_DD(0.5, D.mulD(s, +0.1666666666666666574e+0));
  t = D.addD_DD(1.0, D.mulDD(t, s));
  t = D.addD_DD(1.0, D.mulDD(t, s));
  t = D.addDDDD(t, D.mulD(s4, u));
  return [ldexp2(t[0], q), ldexp2(t[1], q)];
}

export function expm1(a) {
  if (Number.isNaN(a)) return NaN;
  if (a > 709.782712893383996732223) return Infinity;
  if (a < -36.736800569677101399113302437) return -1;
  if (a === 0) return a; // keeps -0
  const d = D.add2DD(expk2([a, 0]), -1.0);
  return d[0] + d[1];
}

// ------------------------------------------------------------------ float32 (arguments and results are float32 values)

export function logf(d) {
  d = fr(d);
  if (Number.isNaN(d) || d < 0) return NaN;
  if (d === 0) return -Infinity;
  if (d === Infinity) return Infinity;
  const o = d < fr(1.17549435e-38);
  if (o) d = fr(d * fr(fr(2 ** 32) * fr(2 ** 32)));
  let e = ilogb2kf(fr(d * fr(fr(1.0) / fr(0.75))));
  const m = ldexp3f(d, -e);
  if (o) e -= 64;
  let s = S.mulD([fr(0.69314718246459960938), fr(-1.904654323148236017e-09)], fr(e));
  const x = S.div(S.add2(-1, m), S.add2(1, m));
  const x2 = fr(x[0] * x[0]);
  let t = fr(+0.3027294874e+0);
  t = S.f(t, x2, fr(+0.3996108174e+0));
  t = S.f(t, x2, fr(+0.6666694880e+0));
  s = S.addDDDD(s, [fr(x[0] * 2), fr(x[1] * 2)]);
  s = S.addDD(s, fr(fr(x2 * x[0]) * t));
  return fr(s[0] + s[1]);
}

export function expf(d) {
  d = fr(d);
  if (Number.isNaN(d)) return NaN;
  if (d < -104) return 0;
  if (100 < d) return Infinity;
  const q = rint(fr(d * R_LN2f));
  let s = S.f(q, -L2Uf, d);
  s = S.f(q, -L2Lf, s);
  let u = fr(0.000198527617612853646278381);
  u = S.f(u, s, fr(0.00139304355252534151077271));
  u = S.f(u, s, fr(0.00833336077630519866943359));
  u = S.f(u, s, fr(0.0416664853692054748535156));
  u = S.f(u, s, fr(0.166666671633720397949219));
  u = S.f(u, s, 0.5);
  u = fr(1 + S.f(fr(s * s), u, s));
  return ldexp2f(u, q);
}

function expk2f(d) {
  const q = rint(fr(fr(d[0] + d[1]) * R_LN2f));
  let s = S.add2DD(d, fr(q * -L2Uf));
  s = S.add2DD(s, fr(q * -L2Lf));
  let u = fr(+0.1980960224e-3);
  u = S.f(u, s[0], fr(+0.1394256484e-2));
  u = S.f(u, s[0], fr(+0.8333456703e-2));
  u = S.f(u, s[0], fr(+0.4166637361e-1));
  let t = S.add2DD(S.mulD(s, u), fr(+0.166666659414234244790680580464e+0));
  t = S.add2DD(S.mulDD(s, t), 0.5);
  t = S.add2DDDD(s, S.mulDD(S.squ(s), t));
  t = S.addD_DD(1, t);
  return [ldexp2f(t[0], q), ldexp2f(t[1], q)];
}

export function expm1f(a) {
  a = fr(a);
  if (Number.isNaN(a)) return NaN;
  if (a > fr(88.72283172607421875)) return Infinity;
  if (a < fr(-16.635532333438687426013570)) return -1;
  if (a === 0) return a;
  const d = S.add2DD(expk2f([a, 0]), -1.0);
  return fr(d[0] + d[1]);
}
