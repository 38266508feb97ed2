using CogDdim.Tensors;

namespace CogDdim.Numerics;

/// <summary>How two floating-point values of one dtype relate, judged by their bits.</summary>
public enum UlpRelation
{
    /// <summary>Same bits, or both NaN.</summary>
    Identical,

    /// <summary>+0 against −0: 0 ULP apart, but different bits.</summary>
    ZeroSignMismatch,

    /// <summary>Both numbers (finite or infinite), some ULP apart.</summary>
    Apart,

    /// <summary>A NaN against a number: no finite distance.</summary>
    ClassMismatch,
}

/// <summary>
/// The ordinal ULP distance of <c>docs/fixture-format.md</c>: bits of width w map to
/// <c>b &amp; sign ? -(b &amp; (sign-1)) : b</c>, the two ordinals are subtracted and the absolute value taken.
/// </summary>
public static class Ulp
{
    /// <summary>The dtype's width in bits: 64, 32 or 16.</summary>
    /// <param name="dtype">The dtype.</param>
    public static int Width(DType dtype) => dtype.Size() * 8;

    /// <summary>Whether bits of a 64- or 32-bit float are a NaN; 16 bits are ambiguous (float16 or bfloat16) and throw.</summary>
    /// <param name="bits">The value's bits.</param>
    /// <param name="width">64 or 32.</param>
    public static bool IsNaN(ulong bits, int width) => width switch
    {
        64 => (bits & 0x7FFF_FFFF_FFFF_FFFFUL) > 0x7FF0_0000_0000_0000UL,
        32 => (bits & 0x7FFF_FFFFUL) > 0x7F80_0000UL,
        16 => throw new ArgumentException("16-bit width is ambiguous: use IsNaN(bits, dtype)", nameof(width)),
        _ => throw new ArgumentOutOfRangeException(nameof(width)),
    };

    /// <summary>Whether bits of the dtype are a NaN, any sign or payload; false for int64.</summary>
    /// <param name="bits">The value's bits.</param>
    /// <param name="dtype">The dtype the bits belong to.</param>
    public static bool IsNaN(ulong bits, DType dtype) => dtype switch
    {
        DType.Float64 => IsNaN(bits, 64),
        DType.Float32 => IsNaN(bits, 32),
        DType.Float16 => (bits & 0x7FFF) > 0x7C00,
        DType.BFloat16 => (bits & 0x7FFF) > 0x7F80,
        _ => false,
    };

    /// <summary>The ordinal of a value's bits: monotonic in the value, −0 and +0 both 0.</summary>
    public static Int128 Ordinal(ulong bits, int width)
    {
        var sign = 1UL << (width - 1);
        var magnitude = bits & (sign - 1);
        return (bits & sign) != 0 ? -(Int128)magnitude : magnitude;
    }

    /// <summary>The ULP distance between two values' bits of the given width (NaNs are not numbers here).</summary>
    public static ulong Distance(ulong a, ulong b, int width)
    {
        var d = Ordinal(a, width) - Ordinal(b, width);
        return (ulong)Int128.Abs(d);
    }

    /// <summary>
    /// Relates a recorded value to a computed one by the fixture format's rules: both NaN is identical, NaN against a
    /// number a class mismatch, +0 against −0 a zero-sign mismatch, anything else some ULP apart.
    /// </summary>
    /// <param name="expected">The recorded value's bits.</param>
    /// <param name="actual">The computed value's bits.</param>
    /// <param name="dtype">Their dtype.</param>
    /// <param name="distance">The ordinal ULP distance; 0 unless the relation is <see cref="UlpRelation.Apart"/>.</param>
    public static UlpRelation Compare(ulong expected, ulong actual, DType dtype, out ulong distance)
    {
        distance = 0;
        var expectedNaN = IsNaN(expected, dtype);
        var actualNaN = IsNaN(actual, dtype);
        if (expectedNaN || actualNaN)
        {
            return expectedNaN && actualNaN ? UlpRelation.Identical : UlpRelation.ClassMismatch;
        }

        if (expected == actual)
        {
            return UlpRelation.Identical;
        }

        distance = Distance(expected, actual, Width(dtype));
        return distance == 0 ? UlpRelation.ZeroSignMismatch : UlpRelation.Apart;
    }

    /// <summary>The ordinal ULP distance between two float64 values (NaNs are not numbers here).</summary>
    /// <param name="a">One value.</param>
    /// <param name="b">The other.</param>
    public static ulong Distance(double a, double b) =>
        Distance(BitConverter.DoubleToUInt64Bits(a), BitConverter.DoubleToUInt64Bits(b), 64);

    /// <summary>The ordinal ULP distance between two float32 values (NaNs are not numbers here).</summary>
    /// <param name="a">One value.</param>
    /// <param name="b">The other.</param>
    public static ulong Distance(float a, float b) =>
        Distance(BitConverter.SingleToUInt32Bits(a), BitConverter.SingleToUInt32Bits(b), 32);

    /// <summary>The ordinal ULP distance between two float16 values (NaNs are not numbers here).</summary>
    /// <param name="a">One value.</param>
    /// <param name="b">The other.</param>
    public static ulong Distance(Half a, Half b) =>
        Distance(BitConverter.HalfToUInt16Bits(a), BitConverter.HalfToUInt16Bits(b), 16);

    /// <summary>The ordinal ULP distance between two bfloat16 values (NaNs are not numbers here).</summary>
    /// <param name="a">One value.</param>
    /// <param name="b">The other.</param>
    public static ulong Distance(BFloat16 a, BFloat16 b) => Distance(a.ToBits(), b.ToBits(), 16);
}
