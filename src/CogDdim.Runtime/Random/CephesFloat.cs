using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Rng;

/// <summary>
/// The single-precision log and sin/cos that torch's x86 CPU kernels use in <c>normal_</c> for float32 (the Cephes
/// polynomials of Pommier's <c>sse_mathfun</c>, as ported to AVX by Garberoglio), step for step, including the
/// fused multiply-adds that GCC contracts these vector expressions into when it compiles torch's AVX2 and AVX-512
/// kernels. Scalar and 8-/16-lane forms give the same bits.
/// </summary>
/// <remarks>
/// Valid for the Box-Muller inputs only (log: (0, 1]; sincos: [0, 2π)); log of x ≤ 0 gives the all-ones NaN, as
/// torch's. Which operations are fused was fixed by experiment against torch 1.13 and 2.6 (see
/// <c>docs/reference-semantics.md</c>, "randn").
/// </remarks>
internal static class CephesFloat
{
    public const float TwoPi = 6.28318548f; // (float)(2.0f * c10::pi<double>)

    private const float SqrtHalf = 0.707106781186547524f;
    private const float LogP0 = 7.0376836292E-2f;
    private const float LogP1 = -1.1514610310E-1f;
    private const float LogP2 = 1.1676998740E-1f;
    private const float LogP3 = -1.2420140846E-1f;
    private const float LogP4 = 1.4249322787E-1f;
    private const float LogP5 = -1.6668057665E-1f;
    private const float LogP6 = 2.0000714765E-1f;
    private const float LogP7 = -2.4999993993E-1f;
    private const float LogP8 = 3.3333331174E-1f;
    private const float LogQ1 = -2.12194440e-4f;
    private const float LogQ2 = 0.693359375f;

    private const float MinusDp1 = -0.78515625f;
    private const float MinusDp2 = -2.4187564849853515625e-4f;
    private const float MinusDp3 = -3.77489497744594108e-8f;
    private const float SinP0 = -1.9515295891E-4f;
    private const float SinP1 = 8.3321608736E-3f;
    private const float SinP2 = -1.6666654611E-1f;
    private const float CosP0 = 2.443315711809948E-005f;
    private const float CosP1 = -1.388731625493765E-003f;
    private const float CosP2 = 4.166664568298827E-002f;
    private const float FourOverPi = 1.27323954473516f;

    private const uint MinNormalBits = 0x00800000;
    private const uint ExponentMask = 0x7F800000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    public static float Log(float x)
    {
        var invalid = x <= 0f;
        x = x > BitConverter.UInt32BitsToSingle(MinNormalBits) ? x : BitConverter.UInt32BitsToSingle(MinNormalBits);
        var bits = BitConverter.SingleToUInt32Bits(x);
        var exponent = (float)((int)(bits >> 23) - 0x7F) + 1f;
        var m = BitConverter.UInt32BitsToSingle((bits & ~ExponentMask) | BitConverter.SingleToUInt32Bits(0.5f));
        var small = m < SqrtHalf;
        var t = small ? m : 0f;
        m -= 1f;
        exponent -= small ? 1f : 0f;
        m += t;

        var z = m * m;
        var y = Fma(LogP0, m, LogP1);
        y = Fma(y, m, LogP2);
        y = Fma(y, m, LogP3);
        y = Fma(y, m, LogP4);
        y = Fma(y, m, LogP5);
        y = Fma(y, m, LogP6);
        y = Fma(y, m, LogP7);
        y = Fma(y, m, LogP8);
        y *= m;
        y = Fma(y, z, exponent * LogQ1);
        y = Fma(-z, 0.5f, y);
        var r = Fma(exponent, LogQ2, m + y);
        return invalid ? BitConverter.UInt32BitsToSingle(0xFFFFFFFF) : r;
    }

    public static void SinCos(float x, out float sin, out float cos)
    {
        var signSin = BitConverter.SingleToUInt32Bits(x) & 0x80000000;
        x = MathF.Abs(x);
        var j = ((int)(x * FourOverPi) + 1) & ~1;
        var y = (float)j;
        var swapSin = (uint)(j & 4) << 29;
        var polyMask = (j & 2) == 0;
        x = Fma(y, MinusDp1, x);
        x = Fma(y, MinusDp2, x);
        x = Fma(y, MinusDp3, x);
        var signCos = (uint)(~(j - 2) & 4) << 29;
        signSin ^= swapSin;

        var z = x * x;
        var c = Fma(CosP0, z, CosP1);
        c = Fma(c, z, CosP2);
        c *= z;
        c = Fma(c, z, -(z * 0.5f));
        c += 1f;

        var s = Fma(SinP0, z, SinP1);
        s = Fma(s, z, SinP2);
        s *= z;
        s = Fma(s, x, x);

        // polyMask set: sin takes the sine polynomial and cos the cosine one; else they swap.
        // (torch selects by masking and adding +0, which turns a -0 into +0.)
        var sinValue = (polyMask ? s : c) + 0f;
        var cosValue = (polyMask ? c : s) + 0f;
        sin = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(sinValue) ^ signSin);
        cos = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(cosValue) ^ signCos);
    }

    public static Vector256<float> Log(Vector256<float> x)
    {
        var invalid = Vector256.LessThanOrEqual(x, Vector256<float>.Zero);
        x = Vector256.Max(x, Vector256.Create(MinNormalBits).AsSingle());
        var bits = x.AsUInt32();
        var exponent = Vector256.ConvertToSingle(Vector256.ShiftRightLogical(bits, 23).AsInt32() - Vector256.Create(0x7F)) + Vector256<float>.One;
        var m = ((bits & Vector256.Create(~ExponentMask)) | Vector256.Create(0.5f).AsUInt32()).AsSingle();
        var small = Vector256.LessThan(m, Vector256.Create(SqrtHalf));
        var t = m & small;
        m -= Vector256<float>.One;
        exponent -= Vector256<float>.One & small;
        m += t;

        var z = m * m;
        var y = Vector256.FusedMultiplyAdd(Vector256.Create(LogP0), m, Vector256.Create(LogP1));
        y = Vector256.FusedMultiplyAdd(y, m, Vector256.Create(LogP2));
        y = Vector256.FusedMultiplyAdd(y, m, Vector256.Create(LogP3));
        y = Vector256.FusedMultiplyAdd(y, m, Vector256.Create(LogP4));
        y = Vector256.FusedMultiplyAdd(y, m, Vector256.Create(LogP5));
        y = Vector256.FusedMultiplyAdd(y, m, Vector256.Create(LogP6));
        y = Vector256.FusedMultiplyAdd(y, m, Vector256.Create(LogP7));
        y = Vector256.FusedMultiplyAdd(y, m, Vector256.Create(LogP8));
        y *= m;
        y = Vector256.FusedMultiplyAdd(y, z, exponent * Vector256.Create(LogQ1));
        y = Vector256.FusedMultiplyAdd(-z, Vector256.Create(0.5f), y);
        var r = Vector256.FusedMultiplyAdd(exponent, Vector256.Create(LogQ2), m + y);
        return r | invalid;
    }

    public static void SinCos(Vector256<float> x, out Vector256<float> sin, out Vector256<float> cos)
    {
        var signSin = x.AsUInt32() & Vector256.Create(0x80000000u);
        x = Vector256.Abs(x);
        var j = (Vector256.ConvertToInt32(x * Vector256.Create(FourOverPi)) + Vector256<int>.One) & Vector256.Create(~1);
        var y = Vector256.ConvertToSingle(j);
        var swapSin = Vector256.ShiftLeft(j & Vector256.Create(4), 29).AsUInt32();
        var polyMask = Vector256.Equals(j & Vector256.Create(2), Vector256<int>.Zero).AsSingle();
        x = Vector256.FusedMultiplyAdd(y, Vector256.Create(MinusDp1), x);
        x = Vector256.FusedMultiplyAdd(y, Vector256.Create(MinusDp2), x);
        x = Vector256.FusedMultiplyAdd(y, Vector256.Create(MinusDp3), x);
        var signCos = Vector256.ShiftLeft(~(j - Vector256.Create(2)) & Vector256.Create(4), 29).AsUInt32();
        signSin ^= swapSin;

        var z = x * x;
        var c = Vector256.FusedMultiplyAdd(Vector256.Create(CosP0), z, Vector256.Create(CosP1));
        c = Vector256.FusedMultiplyAdd(c, z, Vector256.Create(CosP2));
        c *= z;
        c = Vector256.FusedMultiplyAdd(c, z, -(z * Vector256.Create(0.5f)));
        c += Vector256<float>.One;

        var s = Vector256.FusedMultiplyAdd(Vector256.Create(SinP0), z, Vector256.Create(SinP1));
        s = Vector256.FusedMultiplyAdd(s, z, Vector256.Create(SinP2));
        s *= z;
        s = Vector256.FusedMultiplyAdd(s, x, x);

        var sinValue = Vector256.ConditionalSelect(polyMask, s, c) + Vector256<float>.Zero;
        var cosValue = Vector256.ConditionalSelect(polyMask, c, s) + Vector256<float>.Zero;
        sin = (sinValue.AsUInt32() ^ signSin).AsSingle();
        cos = (cosValue.AsUInt32() ^ signCos).AsSingle();
    }
}
