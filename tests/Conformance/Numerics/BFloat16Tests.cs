using System.Globalization;
using System.Numerics;
using System.Text;
using CogDdim.Numerics;
using FsCheck;
using FsCheck.Xunit;

namespace CogDdim.Conformance.Numerics;

public sealed class BFloat16Tests
{
    // Independent bit-level reference: round the float's bits to their top 16, nearest, ties to even.
    private static ushort ReferenceRound(uint floatBits) =>
        (ushort)((floatBits + 0x7FFFu + ((floatBits >> 16) & 1u)) >> 16);

    private static bool IsFloatNaN(uint floatBits) => (floatBits & 0x7FFF_FFFFu) > 0x7F80_0000u;

    private static float FloatFromBf16Bits(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    // Checks `result` against the exact reference rounding of the float `exact` (bits-identical, NaN stays NaN).
    private static void AssertRoundedFromFloat(float exact, BFloat16 result)
    {
        uint bits = BitConverter.SingleToUInt32Bits(exact);

        if (IsFloatNaN(bits))
        {
            Assert.True(BFloat16.IsNaN(result));
        }
        else
        {
            Assert.Equal(ReferenceRound(bits), result.ToBits());
        }
    }

    //
    // float -> bfloat16
    //

    [Property(MaxTest = 2000)]
    public void FloatConversionMatchesBitLevelRoundToNearestEven(DoNotSize<uint> raw)
    {
        uint bits = raw.Item;
        BFloat16 result = (BFloat16)BitConverter.UInt32BitsToSingle(bits);

        if (IsFloatNaN(bits))
        {
            Assert.True(BFloat16.IsNaN(result));
            Assert.Equal(bits >> 31, (uint)result.ToBits() >> 15);
        }
        else
        {
            Assert.Equal(ReferenceRound(bits), result.ToBits());
        }
    }

    [Fact]
    public void FloatConversionIsExactAroundEveryHalfwayPoint()
    {
        // For every possible top half, the low halves that decide rounding: exact, just below / at / just above
        // the half-way point, and the largest.
        ReadOnlySpan<uint> lowHalves = [0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF];

        for (uint high = 0; high <= 0xFFFF; high++)
        {
            foreach (uint low in lowHalves)
            {
                uint bits = (high << 16) | low;
                BFloat16 result = (BFloat16)BitConverter.UInt32BitsToSingle(bits);

                if (IsFloatNaN(bits))
                {
                    Assert.True(BFloat16.IsNaN(result));
                }
                else if (ReferenceRound(bits) != result.ToBits())
                {
                    Assert.Fail($"float bits 0x{bits:X8}: expected 0x{ReferenceRound(bits):X4}, got 0x{result.ToBits():X4}");
                }
            }
        }
    }

    [Fact]
    public void FloatConversionValuesFromTheFormat()
    {
        Assert.Equal(0x3F80, ((BFloat16)1.0f).ToBits());

        // 1 + 2^-8 is exactly half-way between 1 and 1 + 2^-7: ties go to the even significand, 1.0.
        Assert.Equal(0x3F80, ((BFloat16)(1.0f + MathF.ScaleB(1.0f, -8))).ToBits());

        // 1 + 3 * 2^-9 is past the half-way point, so it rounds up to 1 + 2^-7.
        Assert.Equal(0x3F81, ((BFloat16)(1.0f + (3.0f * MathF.ScaleB(1.0f, -9)))).ToBits());

        // 1 + 3 * 2^-8 is half-way between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up to even.
        Assert.Equal(0x3F82, ((BFloat16)(1.0f + (3.0f * MathF.ScaleB(1.0f, -8)))).ToBits());

        Assert.Equal(3.3895314e38f, (float)BFloat16.FromBits(0x7F7F));
        Assert.Equal(0x7F80, ((BFloat16)float.MaxValue).ToBits());
        Assert.Equal(0xFF80, ((BFloat16)float.MinValue).ToBits());
        Assert.Equal(MathF.ScaleB(1.0f, -133), (float)BFloat16.FromBits(0x0001));
        Assert.Equal(9.18355e-41f, (float)BFloat16.Epsilon);
        Assert.Equal(0x8000, ((BFloat16)(-0.0f)).ToBits());
        Assert.Equal(0x7F80, ((BFloat16)float.PositiveInfinity).ToBits());
        Assert.Equal(0xFF80, ((BFloat16)float.NegativeInfinity).ToBits());
    }

    [Fact]
    public void NaNConversionStaysNaN()
    {
        Assert.Equal(BFloat16.NaN.ToBits(), ((BFloat16)float.NaN).ToBits());

        // Payloads that would round into the exponent (and become infinity) or truncate to zero stay NaNs.
        foreach (uint bits in new uint[] { 0x7FFF_FFFF, 0x7F80_0001, 0x7F80_8000, 0xFF80_0001, 0x7FBF_FFFF })
        {
            BFloat16 result = (BFloat16)BitConverter.UInt32BitsToSingle(bits);
            Assert.True(BFloat16.IsNaN(result), $"0x{bits:X8}");
            Assert.Equal(bits >> 31, (uint)result.ToBits() >> 15);
        }

        Assert.True(BFloat16.IsNaN((BFloat16)double.NaN));
        Assert.True(BFloat16.IsNaN((BFloat16)BitConverter.UInt64BitsToDouble(0x7FF0_0000_0000_0001)));
        Assert.True(BFloat16.IsNegative((BFloat16)BitConverter.UInt64BitsToDouble(0xFFF0_0000_0000_0001)));
    }

    //
    // double -> bfloat16
    //

    // Correct rounding judged with exact double arithmetic: the result must be at least as close to d as both
    // of its bfloat16 neighbours (which bracket d), and on a tie its significand must be even.
    private static void AssertCorrectlyRoundedFromDouble(double d, BFloat16 result)
    {
        if (double.IsNaN(d))
        {
            Assert.True(BFloat16.IsNaN(result));
            return;
        }

        // Largest finite value plus half an ulp: from here on (inclusive, the tie goes to the even infinity).
        double overflowThreshold = Math.ScaleB(1.0, 128) - Math.ScaleB(1.0, 119);

        if (Math.Abs(d) >= overflowThreshold)
        {
            Assert.Equal(d > 0 ? 0x7F80 : 0xFF80, result.ToBits());
            return;
        }

        Assert.True(BFloat16.IsFinite(result), $"{d:R} gave 0x{result.ToBits():X4}");

        double candidate = (double)result;
        double below = (double)BFloat16.BitDecrement(result);
        double above = (double)BFloat16.BitIncrement(result);

        Assert.True(below <= d && d <= above, $"{d:R} not bracketed by the neighbours of 0x{result.ToBits():X4}");

        double distance = Math.Abs(d - candidate);
        double distanceBelow = Math.Abs(d - below);
        double distanceAbove = Math.Abs(d - above);

        Assert.True(distance <= distanceBelow && distance <= distanceAbove, $"{d:R} -> 0x{result.ToBits():X4} is not nearest");

        if (distance == distanceBelow || distance == distanceAbove)
        {
            Assert.True((result.ToBits() & 1) == 0, $"{d:R} is a tie but 0x{result.ToBits():X4} is odd");
        }

        if (candidate == 0)
        {
            Assert.Equal(double.IsNegative(d), BFloat16.IsNegative(result));
        }
    }

    private static double MakeDouble(ulong raw, int selector)
    {
        ulong sign = raw & 0x8000_0000_0000_0000ul;
        ulong mantissa = raw & 0x000F_FFFF_FFFF_FFFFul;

        switch ((selector & int.MaxValue) % 4)
        {
            case 0:
                return BitConverter.UInt64BitsToDouble(raw);
            case 1:
            {
                // Exponents spanning bfloat16's whole range, from below its subnormals to past overflow.
                ulong biasedExponent = (ulong)(1023 - 140 + (int)((raw >> 52) % 272));
                return BitConverter.UInt64BitsToDouble(sign | (biasedExponent << 52) | mantissa);
            }
            case 2:
            {
                // A few double ulps either side of a bfloat16 half-way point (the float pattern 0x____8000).
                uint high = (uint)(raw >> 48) & 0xFFFFu;

                if ((high & 0x7F80u) == 0x7F80u)
                {
                    high &= 0xBFFFu;
                }

                double midpoint = BitConverter.UInt32BitsToSingle((high << 16) | 0x8000u);
                long offset = (long)(raw & 0xF) - 8;
                return BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(midpoint) + offset);
            }
            default:
            {
                // bfloat16's subnormal range and just around it.
                ulong biasedExponent = (ulong)(1023 - 136 + (int)((raw >> 52) % 12));
                return BitConverter.UInt64BitsToDouble(sign | (biasedExponent << 52) | mantissa);
            }
        }
    }

    [Property(MaxTest = 4000)]
    public void DoubleConversionIsCorrectlyRounded(DoNotSize<ulong> raw, int selector)
    {
        double d = MakeDouble(raw.Item, selector);
        AssertCorrectlyRoundedFromDouble(d, (BFloat16)d);
    }

    [Fact]
    public void DoubleConversionRoundsOnce()
    {
        // Just above a half-way point: through float this would first round to the half-way point and then
        // tie to even (down); rounding once goes up.
        double aboveTie = 1.0 + Math.ScaleB(1.0, -8) + Math.ScaleB(1.0, -52);
        Assert.Equal(0x3F80, ((BFloat16)(float)aboveTie).ToBits());
        Assert.Equal(0x3F81, ((BFloat16)aboveTie).ToBits());

        Assert.Equal(0x3F80, ((BFloat16)(1.0 + Math.ScaleB(1.0, -8))).ToBits());
        Assert.Equal(0x3F81, ((BFloat16)(1.0 + (3 * Math.ScaleB(1.0, -9)))).ToBits());

        // Subnormals: 2^-134 is half the smallest subnormal and ties to zero; anything above goes to 2^-133;
        // 3 * 2^-134 ties between 2^-133 (odd) and 2^-132 (even).
        Assert.Equal(0x0000, ((BFloat16)Math.ScaleB(1.0, -134)).ToBits());
        Assert.Equal(0x8000, ((BFloat16)(-Math.ScaleB(1.0, -134))).ToBits());
        Assert.Equal(0x0001, ((BFloat16)BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(Math.ScaleB(1.0, -134)) + 1)).ToBits());
        Assert.Equal(0x0002, ((BFloat16)(3 * Math.ScaleB(1.0, -134))).ToBits());
        Assert.Equal(0x0001, ((BFloat16)Math.ScaleB(1.0, -133)).ToBits());
        Assert.Equal(0x0080, ((BFloat16)Math.ScaleB(1.0, -126)).ToBits());
        Assert.Equal(0x0080, ((BFloat16)(Math.ScaleB(1.0, -126) - Math.ScaleB(1.0, -135))).ToBits());
        Assert.Equal(0x0000, ((BFloat16)double.Epsilon).ToBits());

        // Overflow threshold: MaxValue + half an ulp ties to the even "significand" of infinity.
        double threshold = Math.ScaleB(1.0, 128) - Math.ScaleB(1.0, 119);
        Assert.Equal(0x7F80, ((BFloat16)threshold).ToBits());
        Assert.Equal(0x7F7F, ((BFloat16)BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(threshold) - 1)).ToBits());
        Assert.Equal(0xFF80, ((BFloat16)double.MinValue).ToBits());
        Assert.Equal(0x7F80, ((BFloat16)double.PositiveInfinity).ToBits());
        Assert.Equal(0xFF80, ((BFloat16)double.NegativeInfinity).ToBits());
    }

    [Fact]
    public void DoubleAndFloatRoundTripsAreExact()
    {
        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            BFloat16 value = BFloat16.FromBits((ushort)bits);

            if (BFloat16.IsNaN(value))
            {
                continue;
            }

            Assert.Equal(FloatFromBf16Bits((ushort)bits), (float)value);
            Assert.Equal(bits, ((BFloat16)(float)value).ToBits());
            Assert.Equal(bits, ((BFloat16)(double)value).ToBits());
        }
    }

    //
    // Integer and other conversions
    //

    private static void AssertCorrectlyRoundedFromInteger(BigInteger exact, BFloat16 result)
    {
        // From 2^128 - 2^119 up, integers round to infinity.
        BigInteger threshold = (BigInteger.One << 128) - (BigInteger.One << 119);

        if (BigInteger.Abs(exact) >= threshold)
        {
            Assert.True(BFloat16.IsInfinity(result));
            Assert.Equal(exact.Sign < 0, BFloat16.IsNegative(result));
            return;
        }

        // Neighbours of values this large are integers, so BigInteger distances are exact.
        BigInteger candidate = new((double)result);
        BigInteger distance = BigInteger.Abs(exact - candidate);

        if (distance.IsZero)
        {
            return;
        }
        BFloat16 previous = BFloat16.BitDecrement(result);
        BigInteger distanceBelow = BFloat16.IsFinite(previous) ? BigInteger.Abs(exact - new BigInteger((double)previous)) : distance + 1;
        BFloat16 next = BFloat16.BitIncrement(result);
        BigInteger distanceAbove = BFloat16.IsFinite(next) ? BigInteger.Abs(exact - new BigInteger((double)next)) : distance + 1;

        Assert.True(distance <= distanceBelow && distance <= distanceAbove, $"{exact} -> 0x{result.ToBits():X4}");

        if (distance == distanceBelow || distance == distanceAbove)
        {
            Assert.True((result.ToBits() & 1) == 0, $"{exact} is a tie but 0x{result.ToBits():X4} is odd");
        }
    }

    [Property(MaxTest = 2000)]
    public void IntegerConversionsAreCorrectlyRounded(DoNotSize<long> signed, DoNotSize<ulong> unsigned, DoNotSize<int> small)
    {
        AssertCorrectlyRoundedFromInteger(signed.Item, (BFloat16)signed.Item);
        AssertCorrectlyRoundedFromInteger(unsigned.Item, (BFloat16)unsigned.Item);
        AssertCorrectlyRoundedFromInteger(small.Item, (BFloat16)small.Item);
        AssertCorrectlyRoundedFromInteger(small.Item, BFloat16.CreateTruncating(small.Item));

        Int128 wide = ((Int128)signed.Item << 64) | unsigned.Item;
        AssertCorrectlyRoundedFromInteger((BigInteger)wide, (BFloat16)wide);

        UInt128 wideUnsigned = ((UInt128)unsigned.Item << 64) | (ulong)signed.Item;
        AssertCorrectlyRoundedFromInteger((BigInteger)wideUnsigned, (BFloat16)wideUnsigned);
    }

    [Fact]
    public void IntegerConversionValues()
    {
        // 2^24 + 2^16 + 1 is just past a half-way point; int -> float -> bfloat16 would tie down to 2^24.
        const int justAboveTie = (1 << 24) + (1 << 16) + 1;
        Assert.Equal((float)((1 << 24) + (1 << 17)), (float)(BFloat16)justAboveTie);
        Assert.Equal(0x4B80, ((BFloat16)(1 << 24)).ToBits());

        BFloat16 fromByte = (byte)255;
        BFloat16 fromSbyte = (sbyte)-128;
        Assert.Equal(255.0f, (float)fromByte);
        Assert.Equal(-128.0f, (float)fromSbyte);

        Assert.Equal(0x7F80, ((BFloat16)UInt128.MaxValue).ToBits());
        Assert.Equal(0xFF00, ((BFloat16)Int128.MinValue).ToBits());
        Assert.Equal(0x7F00, ((BFloat16)Int128.MaxValue).ToBits());
        Assert.Equal(0xDF00, ((BFloat16)long.MinValue).ToBits());
        Assert.Equal(0x5F80, ((BFloat16)ulong.MaxValue).ToBits());
        Assert.Equal(0x0000, ((BFloat16)0L).ToBits());
        Assert.Equal(0x4780, ((BFloat16)(char)65535).ToBits());
        Assert.Equal(0x7F80, BFloat16.CreateChecked(BigInteger.Pow(10, 40)).ToBits());
        Assert.Equal(0xFF80, BFloat16.CreateChecked(-BigInteger.Pow(10, 40)).ToBits());
        Assert.Equal(0x4B80, BFloat16.CreateChecked(new BigInteger(1 << 24)).ToBits());

        BFloat16 big = (BFloat16)1e10f;
        Assert.Equal(int.MaxValue, (int)big);
        Assert.Equal(-3, (int)(BFloat16)(-3.75f));
        Assert.Equal(200, (byte)(BFloat16)200.0f);
        Assert.Throws<OverflowException>(() => checked((int)big));
    }

    [Fact]
    public void GenericConversions()
    {
        var value = (BFloat16)2.5f;

        Assert.Equal(2.5f, float.CreateTruncating(value));
        Assert.Equal(2.5f, float.CreateSaturating(value));
        Assert.Equal(2.5f, float.CreateChecked(value));
        Assert.Equal(2.5, double.CreateChecked(value));
        Assert.Equal(2.5, double.CreateTruncating(value));
        Assert.Equal((Half)2.5f, Half.CreateChecked(value));
        Assert.Equal(2.5m, decimal.CreateChecked(value));
        Assert.Equal(2, int.CreateTruncating(value));
        Assert.Equal(2, int.CreateChecked(value));
        Assert.Equal(2L, long.CreateSaturating(value));
        Assert.Equal((UInt128)2, UInt128.CreateTruncating(value));
        Assert.Equal(new BigInteger(2), BigInteger.CreateChecked(value));

        Assert.Equal(value, BFloat16.CreateTruncating(2.5));
        Assert.Equal(value, BFloat16.CreateTruncating(2.5f));
        Assert.Equal(value, BFloat16.CreateChecked(2.5));
        Assert.Equal(value, BFloat16.CreateSaturating(2.5f));
        Assert.Equal(value, BFloat16.CreateChecked((Half)2.5f));
        Assert.Equal(value, BFloat16.CreateChecked(2.5m));
        Assert.Equal(value, BFloat16.CreateChecked(value));
        Assert.Equal(0x3FC0, BFloat16.CreateTruncating(1.5f).ToBits());
        Assert.Equal(0x3FC0, BFloat16.CreateTruncating(1.5d).ToBits());
        Assert.Equal(0x3FC0, BFloat16.CreateSaturating(1.5d).ToBits());
        Assert.Equal(0x3FC0, BFloat16.CreateChecked(1.5f).ToBits());
        Assert.Equal(0x4040, BFloat16.CreateChecked(3).ToBits());
        Assert.Equal(0x4040, BFloat16.CreateSaturating((nint)3).ToBits());
        Assert.Equal(0x4040, BFloat16.CreateTruncating((UInt128)3).ToBits());
        Assert.Equal(0x4040, BFloat16.CreateTruncating('\u0003').ToBits());

        // Single rounding through the generic path too.
        double aboveTie = 1.0 + Math.ScaleB(1.0, -8) + Math.ScaleB(1.0, -52);
        Assert.Equal(0x3F81, BFloat16.CreateTruncating(aboveTie).ToBits());

        // Saturation and checking at the edges.
        Assert.Equal(int.MaxValue, int.CreateSaturating(BFloat16.MaxValue));
        Assert.Equal(int.MinValue, int.CreateSaturating(BFloat16.NegativeInfinity));
        Assert.Equal(0, int.CreateSaturating(BFloat16.NaN));
        Assert.Equal(byte.MaxValue, byte.CreateSaturating((BFloat16)300.0f));
        Assert.Equal(0, ushort.CreateSaturating((BFloat16)(-5.0f)));
        Assert.Equal(decimal.MaxValue, decimal.CreateSaturating(BFloat16.MaxValue));
        Assert.Throws<OverflowException>(() => int.CreateChecked(BFloat16.NaN));
        Assert.Throws<OverflowException>(() => byte.CreateChecked((BFloat16)300.0f));
        Assert.Equal(float.PositiveInfinity, float.CreateChecked(BFloat16.PositiveInfinity));
        Assert.True(double.IsNaN(double.CreateTruncating(BFloat16.NaN)));

        Assert.Equal(7, BFloat16.ConvertToInteger<int>((BFloat16)7.75f));
        Assert.Equal(byte.MaxValue, BFloat16.ConvertToInteger<byte>(BFloat16.PositiveInfinity));
    }

    [Fact]
    public void HalfConversions()
    {
        // 1 + 2^-7 is exact in both formats; 1 + 2^-10 only in Half.
        Assert.Equal((Half)1.0078125f, (Half)(BFloat16)1.0078125f);
        Assert.Equal(0x3F80, ((BFloat16)(Half)1.0009765625f).ToBits());
        Assert.True(Half.IsPositiveInfinity((Half)BFloat16.MaxValue));
        // 65504 = 0x477FE000 as a float: past the half-way point, so it rounds up to 65536.
        Assert.Equal(0x4780, ((BFloat16)Half.MaxValue).ToBits());
        Assert.Equal((Half)0.5f, (Half)(BFloat16)0.5f);
    }

    //
    // Arithmetic: float computation, one rounding
    //

    [Property(MaxTest = 2000)]
    public void ArithmeticRoundsTheFloatResultOnce(DoNotSize<ushort> leftBits, DoNotSize<ushort> rightBits)
    {
        BFloat16 a = BFloat16.FromBits(leftBits.Item);
        BFloat16 b = BFloat16.FromBits(rightBits.Item);
        float fa = FloatFromBf16Bits(leftBits.Item);
        float fb = FloatFromBf16Bits(rightBits.Item);

        AssertRoundedFromFloat(fa + fb, a + b);
        AssertRoundedFromFloat(fa - fb, a - b);
        AssertRoundedFromFloat(fa * fb, a * b);
        AssertRoundedFromFloat(fa / fb, a / b);
        AssertRoundedFromFloat(fa % fb, a % b);
        AssertRoundedFromFloat(fa + 1.0f, ++a);
        AssertRoundedFromFloat(fb - 1.0f, --b);
        Assert.Equal(a + b, (BFloat16)((float)a + (float)b));
    }

    [Property(MaxTest = 2000)]
    public void MathFunctionsGoThroughFloat(DoNotSize<ushort> bits, DoNotSize<ushort> otherBits)
    {
        BFloat16 x = BFloat16.FromBits(bits.Item);
        BFloat16 y = BFloat16.FromBits(otherBits.Item);
        float fx = FloatFromBf16Bits(bits.Item);
        float fy = FloatFromBf16Bits(otherBits.Item);

        AssertRoundedFromFloat(MathF.Sqrt(fx), BFloat16.Sqrt(x));
        AssertRoundedFromFloat(MathF.Exp(fx), BFloat16.Exp(x));
        AssertRoundedFromFloat(MathF.Log(fx), BFloat16.Log(x));
        AssertRoundedFromFloat(MathF.Sin(fx), BFloat16.Sin(x));
        AssertRoundedFromFloat(MathF.Cos(fx), BFloat16.Cos(x));
        AssertRoundedFromFloat(MathF.Tanh(fx), BFloat16.Tanh(x));
        AssertRoundedFromFloat(MathF.Pow(fx, fy), BFloat16.Pow(x, y));
        AssertRoundedFromFloat(MathF.Atan2(fy, fx), BFloat16.Atan2(y, x));
        AssertRoundedFromFloat(MathF.Floor(fx), BFloat16.Floor(x));
        AssertRoundedFromFloat(MathF.Round(fx), BFloat16.Round(x));
    }

    [Fact]
    public void SqrtValues()
    {
        Assert.Equal(2.0f, (float)BFloat16.Sqrt((BFloat16)4.0f));

        // sqrt(2) = 1.41421356 -> float 0x3FB504F3 -> bfloat16 0x3FB5 (1.4140625).
        Assert.Equal(0x3FB5, BFloat16.Sqrt((BFloat16)2.0f).ToBits());
        Assert.True(BFloat16.IsNaN(BFloat16.Sqrt(BFloat16.NegativeOne)));
        Assert.Equal(0x8000, BFloat16.Sqrt(BFloat16.NegativeZero).ToBits());
    }

    [Fact]
    public void SignOperationsAreBitwise()
    {
        BFloat16 x = (BFloat16)1.5f;

        Assert.Equal(0xBFC0, (-x).ToBits());
        Assert.Equal(0xBFC0, BFloat16.Negate(x).ToBits());
        Assert.Equal(0x8000, (-BFloat16.Zero).ToBits());
        Assert.Equal(0x7FC0, (-BFloat16.NaN).ToBits());
        Assert.Equal(0x3FC0, BFloat16.Abs(-x).ToBits());
        Assert.Equal(0x7FC0, BFloat16.Abs(BFloat16.NaN).ToBits());
        Assert.Equal(0xBFC0, BFloat16.CopySign(x, BFloat16.NegativeZero).ToBits());
        Assert.Equal(0x3FC0, BFloat16.CopySign(-x, BFloat16.One).ToBits());
        Assert.Equal(x, +x);
    }

    //
    // Fused multiply-add: exact reference with scaled integers
    //

    // Every finite bfloat16 is a multiple of 2^-133, so scaling by 2^133 (or 2^266 for products) gives integers.
    private static BigInteger Scaled(BFloat16 value, int log2Scale) => new(Math.ScaleB((double)value, log2Scale));

    private static void AssertCorrectFusedMultiplyAdd(BFloat16 a, BFloat16 b, BFloat16 c)
    {
        BFloat16 result = BFloat16.FusedMultiplyAdd(a, b, c);
        BigInteger exact = (Scaled(a, 133) * Scaled(b, 133)) + Scaled(c, 266);
        BigInteger threshold = ((BigInteger.One << 128) - (BigInteger.One << 119)) << 266;

        if (BigInteger.Abs(exact) >= threshold)
        {
            Assert.True(BFloat16.IsInfinity(result));
            Assert.Equal(exact.Sign < 0, BFloat16.IsNegative(result));
            return;
        }

        BigInteger distance = BigInteger.Abs(exact - Scaled(result, 266));
        BFloat16 previous = BFloat16.BitDecrement(result);
        BigInteger distanceBelow = BFloat16.IsFinite(previous) ? BigInteger.Abs(exact - Scaled(previous, 266)) : distance + 1;
        BFloat16 next = BFloat16.BitIncrement(result);
        BigInteger distanceAbove = BFloat16.IsFinite(next) ? BigInteger.Abs(exact - Scaled(next, 266)) : distance + 1;

        Assert.True(distance <= distanceBelow && distance <= distanceAbove, $"fma(0x{a.ToBits():X4}, 0x{b.ToBits():X4}, 0x{c.ToBits():X4}) = 0x{result.ToBits():X4}");

        if (distance == distanceBelow || distance == distanceAbove)
        {
            Assert.True((result.ToBits() & 1) == 0);
        }
    }

    [Property(MaxTest = 2000)]
    public void FusedMultiplyAddIsCorrectlyRounded(DoNotSize<ushort> aBits, DoNotSize<ushort> bBits, DoNotSize<ushort> cBits, int cShift)
    {
        BFloat16 a = BFloat16.FromBits(aBits.Item);
        BFloat16 b = BFloat16.FromBits(bBits.Item);

        // Half the time pick an addend near the product so that cancellation and ties actually occur.
        BFloat16 c = (cShift & 1) == 0
            ? BFloat16.FromBits(cBits.Item)
            : (BFloat16)Math.ScaleB((double)a * (double)b * (((cBits.Item & 0xFF) - 128) / 128.0), -(cShift & 0x3F) / 2);

        if (!BFloat16.IsFinite(a) || !BFloat16.IsFinite(b) || !BFloat16.IsFinite(c))
        {
            return;
        }

        AssertCorrectFusedMultiplyAdd(a, b, c);
    }

    [Fact]
    public void FusedMultiplyAddDoesNotRoundTwice()
    {
        // 7 * 37 = 259 lies half-way between 258 and 260; the tiny addend decides the direction. Rounding the
        // double sum 259 - 2^-100 = 259 and then tying to even would give 260.
        var seven = (BFloat16)7.0f;
        var thirtySeven = (BFloat16)37.0f;
        var tiny = (BFloat16)Math.ScaleB(1.0, -100);

        Assert.Equal(258.0f, (float)BFloat16.FusedMultiplyAdd(seven, thirtySeven, -tiny));
        Assert.Equal(260.0f, (float)BFloat16.FusedMultiplyAdd(seven, thirtySeven, tiny));
        Assert.Equal(260.0f, (float)BFloat16.FusedMultiplyAdd(seven, thirtySeven, BFloat16.Zero));
        AssertCorrectFusedMultiplyAdd(seven, thirtySeven, -tiny);
        Assert.True(BFloat16.IsNaN(BFloat16.FusedMultiplyAdd(BFloat16.PositiveInfinity, BFloat16.Zero, BFloat16.One)));
        Assert.True(BFloat16.IsPositiveInfinity(BFloat16.FusedMultiplyAdd(BFloat16.MaxValue, (BFloat16)2.0f, BFloat16.Zero)));
        Assert.Equal(BFloat16.MaxValue, BFloat16.FusedMultiplyAdd(BFloat16.MaxValue, (BFloat16)2.0f, BFloat16.MinValue));
        Assert.True(BFloat16.IsNegative(BFloat16.FusedMultiplyAdd(BFloat16.NegativeZero, BFloat16.One, BFloat16.NegativeZero)));
    }

    //
    // Equality, ordering, hashing
    //

    [Fact]
    public void ZerosAndNaNs()
    {
        BFloat16 positiveZero = BFloat16.Zero;
        BFloat16 negativeZero = BFloat16.NegativeZero;

        Assert.True(positiveZero == negativeZero);
        Assert.NotEqual(positiveZero.ToBits(), negativeZero.ToBits());
        Assert.True(positiveZero.Equals(negativeZero));
        Assert.Equal(positiveZero.GetHashCode(), negativeZero.GetHashCode());
        Assert.Equal(0, positiveZero.CompareTo(negativeZero));

        BFloat16 nan = BFloat16.NaN;
        BFloat16 otherNaN = BFloat16.FromBits(0x7FC1);

#pragma warning disable CS1718 // comparing a variable to itself is the point
        Assert.False(nan == nan);
        Assert.True(nan != nan);
        Assert.False(nan < nan || nan > nan || nan <= nan || nan >= nan);
#pragma warning restore CS1718
        Assert.True(nan.Equals(nan));
        Assert.True(nan.Equals(otherNaN));
        Assert.True(Equals(nan, otherNaN));
        Assert.Equal(nan.GetHashCode(), otherNaN.GetHashCode());
        Assert.Equal(0, nan.CompareTo(otherNaN));
        Assert.Equal(-1, nan.CompareTo(BFloat16.NegativeInfinity));
        Assert.Equal(1, BFloat16.NegativeInfinity.CompareTo(nan));
        Assert.Equal(1, BFloat16.One.CompareTo(null));
        Assert.Throws<ArgumentException>(() => BFloat16.One.CompareTo(1.0f));
        Assert.False(BFloat16.One.Equals(1.0f));

        var set = new HashSet<BFloat16> { nan, otherNaN, positiveZero, negativeZero, BFloat16.One };
        Assert.Equal(3, set.Count);
    }

    [Fact]
    public void SortingPutsNaNFirst()
    {
        BFloat16[] values = [BFloat16.One, BFloat16.NaN, BFloat16.NegativeInfinity, BFloat16.Zero, BFloat16.NegativeOne, BFloat16.PositiveInfinity];
        Array.Sort(values);

        Assert.True(BFloat16.IsNaN(values[0]));
        Assert.Equal([BFloat16.NegativeInfinity, BFloat16.NegativeOne, BFloat16.Zero, BFloat16.One, BFloat16.PositiveInfinity], values[1..]);
    }

    [Fact]
    public void MinMax()
    {
        BFloat16 one = BFloat16.One;
        BFloat16 two = (BFloat16)2.0f;

        Assert.Equal(two, BFloat16.Max(one, two));
        Assert.Equal(one, BFloat16.Min(one, two));
        Assert.True(BFloat16.IsNaN(BFloat16.Max(one, BFloat16.NaN)));
        Assert.Equal(one, BFloat16.MaxNumber(one, BFloat16.NaN));
        Assert.Equal(one, BFloat16.MinNumber(BFloat16.NaN, one));
        Assert.Equal(0x0000, BFloat16.Max(BFloat16.NegativeZero, BFloat16.Zero).ToBits());
        Assert.Equal(0x8000, BFloat16.Min(BFloat16.Zero, BFloat16.NegativeZero).ToBits());
        Assert.Equal(-two, BFloat16.MaxMagnitude(one, -two));
        Assert.Equal(one, BFloat16.MinMagnitude(one, -two));
        Assert.Equal(one, BFloat16.MaxMagnitudeNumber(BFloat16.NaN, one));
        Assert.Equal(0x0000, BFloat16.MaxMagnitudeNumber(BFloat16.NegativeZero, BFloat16.Zero).ToBits());
        Assert.Equal(0x8000, BFloat16.MinMagnitudeNumber(BFloat16.Zero, BFloat16.NegativeZero).ToBits());
        Assert.Equal(two, BFloat16.Clamp((BFloat16)5.0f, one, two));
        Assert.Equal(-1, BFloat16.Sign((BFloat16)(-3.0f)));
        Assert.Equal(0, BFloat16.Sign(BFloat16.NegativeZero));
    }

    //
    // Constants and classification
    //

    [Fact]
    public void Constants()
    {
        Assert.Equal(0x0001, BFloat16.Epsilon.ToBits());
        Assert.Equal(0x7F7F, BFloat16.MaxValue.ToBits());
        Assert.Equal(0xFF7F, BFloat16.MinValue.ToBits());
        Assert.Equal(0x7F80, BFloat16.PositiveInfinity.ToBits());
        Assert.Equal(0xFF80, BFloat16.NegativeInfinity.ToBits());
        Assert.Equal(0x8000, BFloat16.NegativeZero.ToBits());
        Assert.Equal(0x0000, BFloat16.Zero.ToBits());
        Assert.Equal(0x3F80, BFloat16.One.ToBits());
        Assert.Equal(0xBF80, BFloat16.NegativeOne.ToBits());
        Assert.Equal(((BFloat16)Math.E).ToBits(), BFloat16.E.ToBits());
        Assert.Equal(((BFloat16)MathF.E).ToBits(), BFloat16.E.ToBits());
        Assert.Equal(((BFloat16)Math.PI).ToBits(), BFloat16.Pi.ToBits());
        Assert.Equal(((BFloat16)Math.Tau).ToBits(), BFloat16.Tau.ToBits());
        Assert.Equal(2, BFloat16.Radix);
        Assert.Equal(BFloat16.Zero, BFloat16.AdditiveIdentity);
        Assert.Equal(BFloat16.One, BFloat16.MultiplicativeIdentity);
        Assert.Equal(0xFFFF, AllBitsSet<BFloat16>().ToBits());
    }

    private static T AllBitsSet<T>() where T : IBinaryNumber<T> => T.AllBitsSet;

    [Fact]
    public void Classification()
    {
        BFloat16 subnormal = BFloat16.FromBits(0x0040);

        Assert.True(BFloat16.IsNaN(BFloat16.FromBits(0x7F81)));
        Assert.False(BFloat16.IsNaN(BFloat16.PositiveInfinity));
        Assert.True(BFloat16.IsInfinity(BFloat16.NegativeInfinity));
        Assert.True(BFloat16.IsNegativeInfinity(BFloat16.NegativeInfinity));
        Assert.True(BFloat16.IsPositiveInfinity(BFloat16.PositiveInfinity));
        Assert.True(BFloat16.IsFinite(BFloat16.MaxValue));
        Assert.False(BFloat16.IsFinite(BFloat16.NaN));
        Assert.True(BFloat16.IsNegative(BFloat16.NegativeZero));
        Assert.True(BFloat16.IsPositive(BFloat16.Zero));
        Assert.True(BFloat16.IsNormal(BFloat16.One));
        Assert.False(BFloat16.IsNormal(subnormal));
        Assert.True(BFloat16.IsSubnormal(subnormal));
        Assert.False(BFloat16.IsSubnormal(BFloat16.Zero));
        Assert.True(BFloat16.IsZero(BFloat16.NegativeZero));
        Assert.True(BFloat16.IsInteger((BFloat16)256.0f));
        Assert.False(BFloat16.IsInteger((BFloat16)1.5f));
        Assert.False(BFloat16.IsInteger(BFloat16.PositiveInfinity));
        Assert.True(BFloat16.IsEvenInteger((BFloat16)(-4.0f)));
        Assert.True(BFloat16.IsOddInteger((BFloat16)3.0f));
        Assert.True(BFloat16.IsEvenInteger(BFloat16.MaxValue));
        Assert.True(BFloat16.IsPow2((BFloat16)0.25f));
        Assert.True(BFloat16.IsPow2(subnormal));
        Assert.True(BFloat16.IsPow2(BFloat16.Epsilon));
        Assert.False(BFloat16.IsPow2(BFloat16.FromBits(0x0041)));
        Assert.False(BFloat16.IsPow2((BFloat16)3.0f));
        Assert.False(BFloat16.IsPow2(BFloat16.NegativeOne));
        Assert.False(BFloat16.IsPow2(BFloat16.PositiveInfinity));
        Assert.True(BFloat16.IsRealNumber(BFloat16.One));
        Assert.False(BFloat16.IsRealNumber(BFloat16.NaN));
        Assert.True(BFloat16.IsCanonical(BFloat16.One));
        Assert.False(BFloat16.IsComplexNumber(BFloat16.One));
        Assert.False(BFloat16.IsImaginaryNumber(BFloat16.One));
    }

    [Fact]
    public void ClassificationAgreesWithFloatForEveryValue()
    {
        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            BFloat16 value = BFloat16.FromBits((ushort)bits);
            float f = FloatFromBf16Bits((ushort)bits);

            Assert.Equal(float.IsNaN(f), BFloat16.IsNaN(value));
            Assert.Equal(float.IsFinite(f), BFloat16.IsFinite(value));
            Assert.Equal(float.IsInfinity(f), BFloat16.IsInfinity(value));
            Assert.Equal(float.IsNegative(f), BFloat16.IsNegative(value));
            Assert.Equal(float.IsNormal(f), BFloat16.IsNormal(value));
            Assert.Equal(float.IsSubnormal(f), BFloat16.IsSubnormal(value));
            Assert.Equal(float.IsPow2(f), BFloat16.IsPow2(value));
            Assert.Equal(MathF.ILogB(f), BFloat16.ILogB(value));
        }
    }

    [Fact]
    public void BitIncrementAndDecrement()
    {
        Assert.Equal(0x3F81, BFloat16.BitIncrement(BFloat16.One).ToBits());
        Assert.Equal(0x3F7F, BFloat16.BitDecrement(BFloat16.One).ToBits());
        Assert.Equal(0xBF7F, BFloat16.BitIncrement(BFloat16.NegativeOne).ToBits());
        Assert.Equal(0xBF81, BFloat16.BitDecrement(BFloat16.NegativeOne).ToBits());
        Assert.Equal(0x0001, BFloat16.BitIncrement(BFloat16.Zero).ToBits());
        Assert.Equal(0x0001, BFloat16.BitIncrement(BFloat16.NegativeZero).ToBits());
        Assert.Equal(0x8001, BFloat16.BitDecrement(BFloat16.Zero).ToBits());
        Assert.Equal(0x8001, BFloat16.BitDecrement(BFloat16.NegativeZero).ToBits());
        Assert.Equal(0x8000, BFloat16.BitIncrement(BFloat16.FromBits(0x8001)).ToBits());
        Assert.Equal(0x7F80, BFloat16.BitIncrement(BFloat16.MaxValue).ToBits());
        Assert.Equal(0x7F7F, BFloat16.BitDecrement(BFloat16.PositiveInfinity).ToBits());
        Assert.Equal(0xFF7F, BFloat16.BitIncrement(BFloat16.NegativeInfinity).ToBits());
        Assert.Equal(0x7F80, BFloat16.BitIncrement(BFloat16.PositiveInfinity).ToBits());
        Assert.Equal(0xFF80, BFloat16.BitDecrement(BFloat16.NegativeInfinity).ToBits());
        Assert.True(BFloat16.IsNaN(BFloat16.BitIncrement(BFloat16.NaN)));

        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            BFloat16 value = BFloat16.FromBits((ushort)bits);
            float f = FloatFromBf16Bits((ushort)bits);

            if (BFloat16.IsFinite(value))
            {
                Assert.True((float)BFloat16.BitIncrement(value) > f || (f == 0 && BFloat16.BitIncrement(value) == BFloat16.Epsilon));
                Assert.True((float)BFloat16.BitDecrement(value) < f);
            }
        }
    }

    [Fact]
    public void Ieee754Extras()
    {
        Assert.Equal(0, BFloat16.ILogB(BFloat16.One));
        Assert.Equal(-133, BFloat16.ILogB(BFloat16.Epsilon));
        Assert.Equal(127, BFloat16.ILogB(BFloat16.MaxValue));
        Assert.Equal(8.0f, (float)BFloat16.ScaleB(BFloat16.One, 3));
        Assert.Equal(0x0001, BFloat16.ScaleB(BFloat16.One, -133).ToBits());
        Assert.Equal(0x0000, BFloat16.ScaleB(BFloat16.One, -134).ToBits());
        Assert.Equal(0x0003, BFloat16.ScaleB((BFloat16)1.5f, -132).ToBits());
        Assert.Equal(0x0002, BFloat16.ScaleB((BFloat16)1.5f, -133).ToBits());
        Assert.Equal(0x7F80, BFloat16.ScaleB(BFloat16.One, 128).ToBits());
        Assert.Equal(-1.0f, (float)BFloat16.Ieee754Remainder((BFloat16)5.0f, (BFloat16)3.0f));
        Assert.Equal(2.0f, (float)((BFloat16)5.0f % (BFloat16)3.0f));
        Assert.Equal(2.0f, (float)BFloat16.Truncate((BFloat16)2.75f));
        Assert.Equal(2.0f, (float)BFloat16.Floor((BFloat16)2.75f));
        Assert.Equal(3.0f, (float)BFloat16.Ceiling((BFloat16)2.25f));
        Assert.Equal(2.0f, (float)BFloat16.Round((BFloat16)2.5f));
        Assert.Equal(3.0f, (float)BFloat16.Round((BFloat16)2.5f, MidpointRounding.AwayFromZero));
        Assert.Equal(((BFloat16)1.2f).ToBits(), BFloat16.Round((BFloat16)1.25f, 1, MidpointRounding.ToEven).ToBits());
        Assert.Equal(((BFloat16)1.3f).ToBits(), BFloat16.Round((BFloat16)1.25f, 1, MidpointRounding.AwayFromZero).ToBits());
        Assert.Equal(((BFloat16)1.2f).ToBits(), BFloat16.Round((BFloat16)1.25f, 1).ToBits());
        Assert.Equal(0.5f, (float)BFloat16.ReciprocalEstimate((BFloat16)2.0f));
        Assert.Equal(0.5f, (float)BFloat16.ReciprocalSqrtEstimate((BFloat16)4.0f));
        Assert.Equal(1.5f, (float)BFloat16.Lerp(BFloat16.One, (BFloat16)2.0f, (BFloat16)0.5f));
        Assert.Equal(0x3F80, BFloat16.MultiplyAddEstimate(BFloat16.One, BFloat16.One, BFloat16.Zero).ToBits());
    }

    [Fact]
    public void ExponentAndSignificandViaGenericMath()
    {
        IFloatingPoint<BFloat16> one = BFloat16.One;
        IFloatingPoint<BFloat16> subnormal = BFloat16.FromBits(0x0003);
        Span<byte> buffer = stackalloc byte[4];

        Assert.Equal(1, one.GetExponentByteCount());
        Assert.Equal(1, one.GetSignificandByteCount());
        Assert.Equal(8, one.GetSignificandBitLength());
        Assert.Equal(0, one.GetExponentShortestBitLength());
        Assert.Equal(1, ((IFloatingPoint<BFloat16>)(BFloat16)2.0f).GetExponentShortestBitLength());
        Assert.Equal(2, ((IFloatingPoint<BFloat16>)(BFloat16)4.0f).GetExponentShortestBitLength());
        Assert.Equal(8, ((IFloatingPoint<BFloat16>)BFloat16.Epsilon).GetExponentShortestBitLength());

        Assert.True(one.TryWriteExponentBigEndian(buffer, out int written));
        Assert.Equal(1, written);
        Assert.Equal(0, buffer[0]);
        Assert.True(one.TryWriteSignificandLittleEndian(buffer, out written));
        Assert.Equal(1, written);
        Assert.Equal(0x80, buffer[0]);

        Assert.True(subnormal.TryWriteExponentLittleEndian(buffer, out _));
        Assert.Equal(unchecked((byte)-127), buffer[0]);
        Assert.True(subnormal.TryWriteSignificandBigEndian(buffer, out _));
        Assert.Equal(0x03, buffer[0]);
        Assert.False(one.TryWriteSignificandBigEndian([], out written));
        Assert.Equal(0, written);
    }

    //
    // Formatting and parsing
    //

    [Property(MaxTest = 2000)]
    public void ToStringRoundTripsThroughParse(DoNotSize<ushort> bits)
    {
        BFloat16 value = BFloat16.FromBits(bits.Item);

        if (BFloat16.IsNaN(value))
        {
            Assert.True(BFloat16.IsNaN(BFloat16.Parse(value.ToString())));
            return;
        }

        Assert.Equal(bits.Item, BFloat16.Parse(value.ToString()).ToBits());
        Assert.Equal(bits.Item, BFloat16.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).ToBits());
        Assert.Equal(bits.Item, BFloat16.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture).ToBits());
    }

    [Fact]
    public void EveryValueRoundTripsThroughItsShortestString()
    {
        Span<char> chars = stackalloc char[64];
        Span<byte> utf8 = stackalloc byte[64];

        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            BFloat16 value = BFloat16.FromBits((ushort)bits);

            if (BFloat16.IsNaN(value))
            {
                continue;
            }

            string text = value.ToString(CultureInfo.InvariantCulture);
            Assert.True(BFloat16.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out BFloat16 parsed));
            Assert.Equal(bits, parsed.ToBits());

            Assert.True(value.TryFormat(chars, out int charsWritten, default, CultureInfo.InvariantCulture));
            Assert.Equal(text, chars[..charsWritten].ToString());

            Assert.True(value.TryFormat(utf8, out int bytesWritten, default, CultureInfo.InvariantCulture));
            Assert.Equal(text, Encoding.UTF8.GetString(utf8[..bytesWritten]));
            Assert.Equal(bits, BFloat16.Parse(utf8[..bytesWritten], CultureInfo.InvariantCulture).ToBits());
        }
    }

    [Fact]
    public void FormattingValues()
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;

        // 0.1 is not a bfloat16 (the nearest is 0.10009765625) but it is the shortest string that rounds to it.
        Assert.Equal("0.1", ((BFloat16)0.1f).ToString(invariant));
        Assert.Equal("0.100097656", ((float)(BFloat16)0.1f).ToString(invariant));
        Assert.Equal("1", BFloat16.One.ToString(invariant));
        Assert.Equal("-0", BFloat16.NegativeZero.ToString(invariant));
        Assert.Equal("3.39E+38", BFloat16.MaxValue.ToString(invariant));
        Assert.Equal("3.39e+38", BFloat16.MaxValue.ToString("g", invariant));
        Assert.Equal("9E-41", BFloat16.Epsilon.ToString(invariant));
        Assert.Equal("3.14", BFloat16.Pi.ToString(invariant));
        Assert.Equal("3.140625", BFloat16.Pi.ToString("F6", invariant));
        Assert.Equal("3.14E+000", BFloat16.Pi.ToString("E2", invariant));
        Assert.Equal(float.PositiveInfinity.ToString(invariant), BFloat16.PositiveInfinity.ToString(invariant));
        Assert.Equal(float.NaN.ToString(invariant), BFloat16.NaN.ToString(invariant));
        var comma = new NumberFormatInfo { NumberDecimalSeparator = "," };
        Assert.Equal("0,1", ((BFloat16)0.1f).ToString(comma));
        Assert.Equal(0x3DCD, BFloat16.Parse("0,1", comma).ToBits());

        Span<char> tooSmall = stackalloc char[2];
        Assert.False(BFloat16.Pi.TryFormat(tooSmall, out int written, default, invariant));
        Assert.Equal(0, written);

        Span<byte> utf8 = stackalloc byte[16];
        Assert.True(BFloat16.Pi.TryFormat(utf8, out int bytesWritten, "F2", invariant));
        Assert.Equal("3.14", Encoding.UTF8.GetString(utf8[..bytesWritten]));
        Assert.False(BFloat16.Pi.TryFormat(utf8[..2], out bytesWritten, default, invariant));
        Assert.Equal(0, bytesWritten);
    }

    [Fact]
    public void ParsingValues()
    {
        CultureInfo invariant = CultureInfo.InvariantCulture;

        Assert.Equal(0x3F80, BFloat16.Parse("1", invariant).ToBits());
        Assert.Equal(0x7F7F, BFloat16.Parse("3.3895314e38", invariant).ToBits());
        Assert.Equal(0x7F80, BFloat16.Parse("1e39", invariant).ToBits());
        Assert.Equal(0x8000, BFloat16.Parse("-0", invariant).ToBits());
        Assert.Equal(0x0001, BFloat16.Parse("9.18355e-41", invariant).ToBits());
        Assert.Equal(0x3DCD, BFloat16.Parse("0.1", invariant).ToBits());
        Assert.Equal(0x447A, BFloat16.Parse("1,000", invariant).ToBits());
        Assert.Equal(0x447A, BFloat16.Parse(" 1000 ".AsSpan(), invariant).ToBits());
        Assert.Equal(0x447A, BFloat16.Parse("1000"u8, NumberStyles.Integer, invariant).ToBits());
        Assert.True(BFloat16.IsNaN(BFloat16.Parse("NaN", invariant)));
        Assert.True(BFloat16.IsPositiveInfinity(BFloat16.Parse("Infinity", invariant)));

        // "1.00390625" is exactly half-way between 1 and 1.0078125 and ties to even; one more digit breaks the tie.
        Assert.Equal(0x3F80, BFloat16.Parse("1.00390625", invariant).ToBits());
        Assert.Equal(0x3F81, BFloat16.Parse("1.003906250001", invariant).ToBits());

        Assert.True(BFloat16.TryParse("2.5", invariant, out BFloat16 parsed));
        Assert.Equal(0x4020, parsed.ToBits());
        Assert.True(BFloat16.TryParse("2.5".AsSpan(), NumberStyles.Float, invariant, out parsed));
        Assert.Equal(0x4020, parsed.ToBits());
        Assert.True(BFloat16.TryParse("2.5"u8, out parsed));
        Assert.Equal(0x4020, parsed.ToBits());
        Assert.False(BFloat16.TryParse("abc", out parsed));
        Assert.Equal(0, parsed.ToBits());
        Assert.False(BFloat16.TryParse((string?)null, out _));
        Assert.Throws<FormatException>(() => BFloat16.Parse("abc", invariant));
        Assert.Throws<ArgumentNullException>(() => BFloat16.Parse((string)null!, invariant));
    }

    //
    // Generic math
    //

    private static T SumSq<T>(T[] xs)
        where T : IFloatingPointIeee754<T>
    {
        T sum = T.Zero;

        foreach (T x in xs)
        {
            sum += x * x;
        }

        return sum;
    }

    private static T Hypotenuse<T>(T a, T b)
        where T : IRootFunctions<T>, IMultiplyOperators<T, T, T>, IAdditionOperators<T, T, T> => T.Sqrt((a * a) + (b * b));

    private static T ParseGeneric<T>(string s)
        where T : INumberBase<T> => T.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Property(MaxTest = 500)]
    public void GenericSumOfSquaresMatchesManual(DoNotSize<ushort>[] raw)
    {
        BFloat16[] xs = [.. raw.Select(r => BFloat16.FromBits(r.Item))];
        BFloat16 manual = BFloat16.Zero;

        foreach (BFloat16 x in xs)
        {
            manual = (BFloat16)((float)manual + (float)(BFloat16)((float)x * (float)x));
        }

        BFloat16 generic = SumSq(xs);
        Assert.True(generic.ToBits() == manual.ToBits() || (BFloat16.IsNaN(generic) && BFloat16.IsNaN(manual)));
    }

    [Fact]
    public void GenericMathUsage()
    {
        BFloat16[] xs = [(BFloat16)1.0f, (BFloat16)2.0f, (BFloat16)3.0f];

        Assert.Equal((BFloat16)14.0f, SumSq(xs));
        Assert.Equal((BFloat16)5.0f, Hypotenuse((BFloat16)3.0f, (BFloat16)4.0f));
        Assert.Equal(0x3FC0, ParseGeneric<BFloat16>("1.5").ToBits());
        Assert.Equal(BFloat16.One, BFloat16.CreateChecked(SumSq([1.0f])));
        Assert.Equal(BFloat16.Pi, Pi<BFloat16>());
        Assert.Equal((BFloat16)2.0f, Increment((BFloat16)1.0f));
        Assert.Equal(0x3F80, ((BFloat16)0.0f + BFloat16.One).ToBits());
    }

    private static T Pi<T>() where T : IFloatingPointConstants<T> => T.Pi;

    private static T Increment<T>(T value) where T : IIncrementOperators<T> => ++value;
}
