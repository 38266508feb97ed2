using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text.Unicode;

namespace CogDdim.Numerics;

/// <summary>
/// The bfloat16 ("brain float") format: 1 sign bit, 8 exponent bits and 7 stored significand bits, i.e. the
/// upper 16 bits of an IEEE 754 binary32 value. It has the range of <see cref="float"/> and 8 bits of precision.
/// </summary>
/// <remarks>
/// Every arithmetic operator and math function widens its operands to <see cref="float"/> (which is exact),
/// computes the <see cref="float"/> result and rounds it to bfloat16 once, round-to-nearest-even. This is
/// the same scheme <see cref="Half"/> uses and, more importantly for this project, the same one torch's CPU
/// bfloat16 kernels use, so element-wise results are bit-identical to torch.
/// Conversions from <see cref="double"/>, from integers and from text round directly to bfloat16 (one rounding),
/// so they never suffer from the double rounding that a detour through <see cref="float"/> would introduce.
/// </remarks>
public readonly struct BFloat16
    : IBinaryFloatingPointIeee754<BFloat16>,
      IMinMaxValue<BFloat16>
{
    private const ushort SignMask = 0x8000;
    private const ushort MagnitudeMask = 0x7FFF;
    private const ushort BiasedExponentMask = 0x7F80;
    private const int BiasedExponentShift = 7;
    private const ushort TrailingSignificandMask = 0x007F;
    private const byte MaxBiasedExponent = 0xFF;
    private const int ExponentBias = 127;
    private const int SignificandLength = 8;

    private const ushort PositiveZeroBits = 0x0000;
    private const ushort NegativeZeroBits = 0x8000;
    private const ushort EpsilonBits = 0x0001;
    private const ushort PositiveInfinityBits = 0x7F80;
    private const ushort NegativeInfinityBits = 0xFF80;
    private const ushort QuietBit = 0x0040;

    // float.NaN is the negative quiet NaN (0xFFC00000); converting it keeps that sign and payload.
    private const ushort NaNBits = 0xFFC0;
    private const ushort MaxValueBits = 0x7F7F;
    private const ushort MinValueBits = 0xFF7F;
    private const ushort OneBits = 0x3F80;
    private const ushort NegativeOneBits = 0xBF80;

    // The bfloat16 values nearest to e, pi and tau (2.71875, 3.140625, 6.28125).
    private const ushort EBits = 0x402E;
    private const ushort PiBits = 0x4049;
    private const ushort TauBits = 0x40C9;

    private const NumberStyles DefaultParseStyle = NumberStyles.Float | NumberStyles.AllowThousands;

    // Comfortably longer than any "G9" rendering of a float under any sane NumberFormatInfo.
    private const int ShortestBufferLength = 128;

    private static readonly string[] s_upperPrecisionFormats = ["G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "G9"];
    private static readonly string[] s_lowerPrecisionFormats = ["g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9"];

    private readonly ushort _value;

    private BFloat16(ushort bits) => _value = bits;

    /// <summary>Reinterprets raw bfloat16 bits as a value.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Returns the raw bfloat16 bits of this value.</summary>
    public ushort ToBits() => _value;

    //
    // Constants
    //

    /// <summary>The smallest positive (subnormal) value, 2^-133.</summary>
    public static BFloat16 Epsilon => new(EpsilonBits);

    /// <summary>Positive infinity.</summary>
    public static BFloat16 PositiveInfinity => new(PositiveInfinityBits);

    /// <summary>Negative infinity.</summary>
    public static BFloat16 NegativeInfinity => new(NegativeInfinityBits);

    /// <summary>Not a number; the same bits that <c>(BFloat16)float.NaN</c> produces.</summary>
    public static BFloat16 NaN => new(NaNBits);

    /// <summary>The largest finite value, (2 - 2^-7) * 2^127 ≈ 3.3895314e38.</summary>
    public static BFloat16 MaxValue => new(MaxValueBits);

    /// <summary>The most negative finite value.</summary>
    public static BFloat16 MinValue => new(MinValueBits);

    /// <summary>Negative zero.</summary>
    public static BFloat16 NegativeZero => new(NegativeZeroBits);

    /// <summary>Positive zero.</summary>
    public static BFloat16 Zero => new(PositiveZeroBits);

    /// <summary>One.</summary>
    public static BFloat16 One => new(OneBits);

    /// <summary>Minus one.</summary>
    public static BFloat16 NegativeOne => new(NegativeOneBits);

    /// <summary>The bfloat16 value nearest to e.</summary>
    public static BFloat16 E => new(EBits);

    /// <summary>The bfloat16 value nearest to pi.</summary>
    public static BFloat16 Pi => new(PiBits);

    /// <summary>The bfloat16 value nearest to tau (2 pi).</summary>
    public static BFloat16 Tau => new(TauBits);

    /// <inheritdoc cref="INumberBase{TSelf}.Radix" />
    public static int Radix => 2;

    /// <inheritdoc cref="IAdditiveIdentity{TSelf, TResult}.AdditiveIdentity" />
    public static BFloat16 AdditiveIdentity => new(PositiveZeroBits);

    /// <inheritdoc cref="IMultiplicativeIdentity{TSelf, TResult}.MultiplicativeIdentity" />
    public static BFloat16 MultiplicativeIdentity => new(OneBits);

    static BFloat16 IBinaryNumber<BFloat16>.AllBitsSet => new(0xFFFF);

    //
    // Bit-field helpers
    //

    private byte BiasedExponent => (byte)((_value & BiasedExponentMask) >> BiasedExponentShift);

    // Mirrors float: the raw field minus the bias (so subnormals report -127, infinities and NaNs wrap to -128).
    private sbyte Exponent => (sbyte)(BiasedExponent - ExponentBias);

    private byte Significand =>
        (byte)((_value & TrailingSignificandMask) | (BiasedExponent != 0 ? 1 << BiasedExponentShift : 0));

    //
    // Conversions to and from float and double
    //

    /// <summary>Widens to <see cref="float"/>; exact, since bfloat16 is the top half of a float.</summary>
    public static explicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value._value << 16);

    /// <summary>Widens to <see cref="double"/>; exact.</summary>
    public static explicit operator double(BFloat16 value) => (float)value;

    /// <summary>Rounds a <see cref="float"/> to the nearest bfloat16, ties to even; overflow gives infinity.</summary>
    public static explicit operator BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);

        if ((bits & 0x7FFF_FFFFu) > 0x7F80_0000u)
        {
            // Rounding could carry a NaN's payload into the exponent and produce infinity, or truncate it to a
            // zero payload (also infinity), so keep the sign and top payload bits and force the quiet bit.
            return new BFloat16((ushort)((bits >> 16) | QuietBit));
        }

        // Adding 0x7FFF plus the lowest kept bit rounds half-way cases to even; a carry out of the significand
        // correctly bumps the exponent (up to infinity). The sum cannot wrap because the largest non-NaN
        // pattern is 0xFF800000.
        uint rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
        return new BFloat16((ushort)(rounded >> 16));
    }

    /// <summary>
    /// Rounds a <see cref="double"/> to the nearest bfloat16, ties to even, in a single rounding step
    /// (going through <see cref="float"/> would round twice and can be off by one ulp at half-way cases).
    /// </summary>
    public static explicit operator BFloat16(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        ushort sign = (ushort)((bits >> 48) & SignMask);
        ulong magnitude = bits & 0x7FFF_FFFF_FFFF_FFFFul;

        if (magnitude >= 0x7FF0_0000_0000_0000ul)
        {
            if (magnitude == 0x7FF0_0000_0000_0000ul)
            {
                return new BFloat16((ushort)(sign | PositiveInfinityBits));
            }

            return new BFloat16((ushort)(sign | PositiveInfinityBits | QuietBit | (ushort)((magnitude >> 45) & TrailingSignificandMask)));
        }

        int exponent = (int)(magnitude >> 52) - 1023;

        if (exponent >= 128)
        {
            return new BFloat16((ushort)(sign | PositiveInfinityBits));
        }

        if (exponent < -134)
        {
            // Below half the smallest subnormal (2^-134), which includes every subnormal double.
            return new BFloat16(sign);
        }

        ulong significand = (magnitude & 0x000F_FFFF_FFFF_FFFFul) | (1ul << 52);

        // Normal results keep 8 significant bits; subnormal ones are quantised to 2^-133, which keeps fewer.
        int shift = exponent >= -126 ? 52 - 7 : 52 - 7 + (-126 - exponent);
        ulong kept = ShiftRightRoundToEven(significand, shift);

        // For normal results `kept` includes the implicit bit, so the exponent field is written one lower and
        // the implicit bit adds it back; a rounding carry to 2^8 then moves to the next binade (or infinity).
        uint result = exponent >= -126 ? ((uint)(exponent + ExponentBias - 1) << BiasedExponentShift) + (uint)kept : (uint)kept;
        return new BFloat16((ushort)(sign | result));
    }

    /// <summary>Converts to <see cref="Half"/> (one rounding, from the exact float value).</summary>
    public static explicit operator Half(BFloat16 value) => (Half)(float)value;

    /// <summary>Converts from <see cref="Half"/> (the float widening is exact, so this rounds once).</summary>
    public static explicit operator BFloat16(Half value) => (BFloat16)(float)value;

    /// <summary>
    /// Converts from <see cref="decimal"/>. Goes through <see cref="double"/>, so a value within half a double ulp of a
    /// bfloat16 half-way point may round twice; decimal inputs are not used for bit-exact work.
    /// </summary>
    public static explicit operator BFloat16(decimal value) => (BFloat16)(double)value;

    /// <summary>Converts to <see cref="decimal"/> the way <see cref="double"/> does; overflows throw.</summary>
    public static explicit operator decimal(BFloat16 value) => (decimal)(double)value;

    //
    // Conversions from integers (the ones up to 32 bits are exact in double; wider ones round from their bits)
    //

    /// <summary>Exact: every byte fits in bfloat16's 8-bit significand.</summary>
    public static implicit operator BFloat16(byte value) => (BFloat16)(float)value;

    /// <summary>Exact: every sbyte fits in bfloat16's 8-bit significand.</summary>
    public static implicit operator BFloat16(sbyte value) => (BFloat16)(float)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(char value) => (BFloat16)(double)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(short value) => (BFloat16)(double)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(ushort value) => (BFloat16)(double)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(int value) => (BFloat16)(double)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(uint value) => (BFloat16)(double)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(long value) => RoundFromInteger(value < 0, value < 0 ? (UInt128)(-(Int128)value) : (UInt128)value);

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(ulong value) => RoundFromInteger(false, value);

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(nint value) => (BFloat16)(long)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(nuint value) => (BFloat16)(ulong)value;

    /// <summary>Rounds to nearest, ties to even.</summary>
    public static explicit operator BFloat16(Int128 value) =>
        RoundFromInteger(Int128.IsNegative(value), Int128.IsNegative(value) ? (UInt128)(-value) : (UInt128)value);

    /// <summary>Rounds to nearest, ties to even; values from 2^128 - 2^119 up round to infinity.</summary>
    public static explicit operator BFloat16(UInt128 value) => RoundFromInteger(false, value);

    //
    // Conversions to integers (through the exact float value, so they behave exactly like float's)
    //

    /// <summary>Converts like <c>(byte)(float)value</c>.</summary>
    public static explicit operator byte(BFloat16 value) => (byte)(float)value;

    /// <summary>Converts like <c>(byte)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked byte(BFloat16 value) => checked((byte)(float)value);

    /// <summary>Converts like <c>(sbyte)(float)value</c>.</summary>
    public static explicit operator sbyte(BFloat16 value) => (sbyte)(float)value;

    /// <summary>Converts like <c>(sbyte)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked sbyte(BFloat16 value) => checked((sbyte)(float)value);

    /// <summary>Converts like <c>(char)(float)value</c>.</summary>
    public static explicit operator char(BFloat16 value) => (char)(float)value;

    /// <summary>Converts like <c>(char)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked char(BFloat16 value) => checked((char)(float)value);

    /// <summary>Converts like <c>(short)(float)value</c>.</summary>
    public static explicit operator short(BFloat16 value) => (short)(float)value;

    /// <summary>Converts like <c>(short)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked short(BFloat16 value) => checked((short)(float)value);

    /// <summary>Converts like <c>(ushort)(float)value</c>.</summary>
    public static explicit operator ushort(BFloat16 value) => (ushort)(float)value;

    /// <summary>Converts like <c>(ushort)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked ushort(BFloat16 value) => checked((ushort)(float)value);

    /// <summary>Converts like <c>(int)(float)value</c>.</summary>
    public static explicit operator int(BFloat16 value) => (int)(float)value;

    /// <summary>Converts like <c>(int)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked int(BFloat16 value) => checked((int)(float)value);

    /// <summary>Converts like <c>(uint)(float)value</c>.</summary>
    public static explicit operator uint(BFloat16 value) => (uint)(float)value;

    /// <summary>Converts like <c>(uint)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked uint(BFloat16 value) => checked((uint)(float)value);

    /// <summary>Converts like <c>(long)(float)value</c>.</summary>
    public static explicit operator long(BFloat16 value) => (long)(float)value;

    /// <summary>Converts like <c>(long)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked long(BFloat16 value) => checked((long)(float)value);

    /// <summary>Converts like <c>(ulong)(float)value</c>.</summary>
    public static explicit operator ulong(BFloat16 value) => (ulong)(float)value;

    /// <summary>Converts like <c>(ulong)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked ulong(BFloat16 value) => checked((ulong)(float)value);

    /// <summary>Converts like <c>(nint)(float)value</c>.</summary>
    public static explicit operator nint(BFloat16 value) => (nint)(float)value;

    /// <summary>Converts like <c>(nint)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked nint(BFloat16 value) => checked((nint)(float)value);

    /// <summary>Converts like <c>(nuint)(float)value</c>.</summary>
    public static explicit operator nuint(BFloat16 value) => (nuint)(float)value;

    /// <summary>Converts like <c>(nuint)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked nuint(BFloat16 value) => checked((nuint)(float)value);

    /// <summary>Converts like <c>(Int128)(float)value</c>.</summary>
    public static explicit operator Int128(BFloat16 value) => (Int128)(float)value;

    /// <summary>Converts like <c>(Int128)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked Int128(BFloat16 value) => checked((Int128)(float)value);

    /// <summary>Converts like <c>(UInt128)(float)value</c>.</summary>
    public static explicit operator UInt128(BFloat16 value) => (UInt128)(float)value;

    /// <summary>Converts like <c>(UInt128)(float)value</c>, throwing on overflow.</summary>
    public static explicit operator checked UInt128(BFloat16 value) => checked((UInt128)(float)value);

    private static ulong ShiftRightRoundToEven(ulong value, int shift)
    {
        ulong kept = value >> shift;
        ulong remainder = value & ((1ul << shift) - 1);
        ulong half = 1ul << (shift - 1);

        if (remainder > half || (remainder == half && (kept & 1) != 0))
        {
            kept++;
        }

        return kept;
    }

    private static BFloat16 RoundFromInteger(bool negative, UInt128 magnitude)
    {
        ushort sign = negative ? SignMask : PositiveZeroBits;
        int bitLength = 128 - (int)UInt128.LeadingZeroCount(magnitude);

        if (bitLength <= SignificandLength)
        {
            // Fits the significand exactly (this includes zero, which is always +0 for integers).
            BFloat16 exact = (BFloat16)(float)(uint)magnitude;
            return new BFloat16((ushort)(exact._value | sign));
        }

        int shift = bitLength - SignificandLength;
        UInt128 kept = magnitude >> shift;
        UInt128 remainder = magnitude & ((UInt128.One << shift) - 1);
        UInt128 half = UInt128.One << (shift - 1);

        if (remainder > half || (remainder == half && (kept & 1) != 0))
        {
            kept++;
        }

        // As in the double conversion: `kept` carries the implicit bit; a carry to 2^8 lands in the next
        // binade, and for UInt128 values that round up to 2^128 that is exactly the infinity pattern.
        uint result = ((uint)(bitLength - 1 + ExponentBias - 1) << BiasedExponentShift) + (uint)kept;
        return new BFloat16((ushort)(sign | result));
    }

    //
    // Arithmetic operators
    //

    /// <inheritdoc cref="IAdditionOperators{TSelf, TOther, TResult}.op_Addition(TSelf, TOther)" />
    public static BFloat16 operator +(BFloat16 left, BFloat16 right) => (BFloat16)((float)left + (float)right);

    /// <inheritdoc cref="ISubtractionOperators{TSelf, TOther, TResult}.op_Subtraction(TSelf, TOther)" />
    public static BFloat16 operator -(BFloat16 left, BFloat16 right) => (BFloat16)((float)left - (float)right);

    /// <inheritdoc cref="IMultiplyOperators{TSelf, TOther, TResult}.op_Multiply(TSelf, TOther)" />
    public static BFloat16 operator *(BFloat16 left, BFloat16 right) => (BFloat16)((float)left * (float)right);

    /// <inheritdoc cref="IDivisionOperators{TSelf, TOther, TResult}.op_Division(TSelf, TOther)" />
    public static BFloat16 operator /(BFloat16 left, BFloat16 right) => (BFloat16)((float)left / (float)right);

    /// <inheritdoc cref="IModulusOperators{TSelf, TOther, TResult}.op_Modulus(TSelf, TOther)" />
    public static BFloat16 operator %(BFloat16 left, BFloat16 right) => (BFloat16)((float)left % (float)right);

    /// <inheritdoc cref="IUnaryPlusOperators{TSelf, TResult}.op_UnaryPlus(TSelf)" />
    public static BFloat16 operator +(BFloat16 value) => value;

    /// <summary>Flips the sign bit (NaNs included), like float negation and torch's neg.</summary>
    public static BFloat16 operator -(BFloat16 value) => new((ushort)(value._value ^ SignMask));

    /// <inheritdoc cref="IIncrementOperators{TSelf}.op_Increment(TSelf)" />
    public static BFloat16 operator ++(BFloat16 value) => (BFloat16)((float)value + 1.0f);

    /// <inheritdoc cref="IDecrementOperators{TSelf}.op_Decrement(TSelf)" />
    public static BFloat16 operator --(BFloat16 value) => (BFloat16)((float)value - 1.0f);

    static BFloat16 IBitwiseOperators<BFloat16, BFloat16, BFloat16>.operator &(BFloat16 left, BFloat16 right) =>
        new((ushort)(left._value & right._value));

    static BFloat16 IBitwiseOperators<BFloat16, BFloat16, BFloat16>.operator |(BFloat16 left, BFloat16 right) =>
        new((ushort)(left._value | right._value));

    static BFloat16 IBitwiseOperators<BFloat16, BFloat16, BFloat16>.operator ^(BFloat16 left, BFloat16 right) =>
        new((ushort)(left._value ^ right._value));

    static BFloat16 IBitwiseOperators<BFloat16, BFloat16, BFloat16>.operator ~(BFloat16 value) =>
        new((ushort)~value._value);

    //
    // Comparison and equality
    //

    /// <inheritdoc cref="IEqualityOperators{TSelf, TOther, TResult}.op_Equality(TSelf, TOther)" />
    public static bool operator ==(BFloat16 left, BFloat16 right) => (float)left == (float)right;

    /// <inheritdoc cref="IEqualityOperators{TSelf, TOther, TResult}.op_Inequality(TSelf, TOther)" />
    public static bool operator !=(BFloat16 left, BFloat16 right) => (float)left != (float)right;

    /// <inheritdoc cref="IComparisonOperators{TSelf, TOther, TResult}.op_LessThan(TSelf, TOther)" />
    public static bool operator <(BFloat16 left, BFloat16 right) => (float)left < (float)right;

    /// <inheritdoc cref="IComparisonOperators{TSelf, TOther, TResult}.op_GreaterThan(TSelf, TOther)" />
    public static bool operator >(BFloat16 left, BFloat16 right) => (float)left > (float)right;

    /// <inheritdoc cref="IComparisonOperators{TSelf, TOther, TResult}.op_LessThanOrEqual(TSelf, TOther)" />
    public static bool operator <=(BFloat16 left, BFloat16 right) => (float)left <= (float)right;

    /// <inheritdoc cref="IComparisonOperators{TSelf, TOther, TResult}.op_GreaterThanOrEqual(TSelf, TOther)" />
    public static bool operator >=(BFloat16 left, BFloat16 right) => (float)left >= (float)right;

    /// <summary>
    /// Value equality as <see cref="Half"/> defines it: unlike <c>==</c>, NaN equals NaN (so values work as
    /// dictionary keys); +0 and -0 are equal.
    /// </summary>
    public bool Equals(BFloat16 other) => this == other || (IsNaN(this) && IsNaN(other));

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        // Every NaN and both zeros are Equal to each other, so they must share a hash.
        if (IsNaN(this))
        {
            return PositiveInfinityBits;
        }

        return IsZero(this) ? 0 : _value;
    }

    /// <summary>Orders like <see cref="Half.CompareTo(Half)"/>: NaN sorts below everything, -0 equals +0.</summary>
    public int CompareTo(BFloat16 other)
    {
        if (this < other)
        {
            return -1;
        }

        if (this > other)
        {
            return 1;
        }

        if (this == other)
        {
            return 0;
        }

        if (IsNaN(this))
        {
            return IsNaN(other) ? 0 : -1;
        }

        return 1;
    }

    /// <inheritdoc />
    public int CompareTo(object? obj)
    {
        if (obj is BFloat16 other)
        {
            return CompareTo(other);
        }

        if (obj is null)
        {
            return 1;
        }

        throw new ArgumentException("Object must be of type BFloat16.", nameof(obj));
    }

    //
    // Classification (all by bits)
    //

    /// <inheritdoc cref="INumberBase{TSelf}.IsNaN(TSelf)" />
    public static bool IsNaN(BFloat16 value) => (value._value & MagnitudeMask) > PositiveInfinityBits;

    /// <inheritdoc cref="INumberBase{TSelf}.IsFinite(TSelf)" />
    public static bool IsFinite(BFloat16 value) => (value._value & MagnitudeMask) < PositiveInfinityBits;

    /// <inheritdoc cref="INumberBase{TSelf}.IsInfinity(TSelf)" />
    public static bool IsInfinity(BFloat16 value) => (value._value & MagnitudeMask) == PositiveInfinityBits;

    /// <inheritdoc cref="INumberBase{TSelf}.IsPositiveInfinity(TSelf)" />
    public static bool IsPositiveInfinity(BFloat16 value) => value._value == PositiveInfinityBits;

    /// <inheritdoc cref="INumberBase{TSelf}.IsNegativeInfinity(TSelf)" />
    public static bool IsNegativeInfinity(BFloat16 value) => value._value == NegativeInfinityBits;

    /// <summary>True when the sign bit is set (including -0 and negative NaNs).</summary>
    public static bool IsNegative(BFloat16 value) => (short)value._value < 0;

    /// <summary>True when the sign bit is clear (including +0 and positive NaNs).</summary>
    public static bool IsPositive(BFloat16 value) => (short)value._value >= 0;

    /// <inheritdoc cref="INumberBase{TSelf}.IsNormal(TSelf)" />
    public static bool IsNormal(BFloat16 value)
    {
        byte biasedExponent = value.BiasedExponent;
        return biasedExponent != 0 && biasedExponent != MaxBiasedExponent;
    }

    /// <inheritdoc cref="INumberBase{TSelf}.IsSubnormal(TSelf)" />
    public static bool IsSubnormal(BFloat16 value) =>
        (value._value & BiasedExponentMask) == 0 && (value._value & TrailingSignificandMask) != 0;

    /// <inheritdoc cref="INumberBase{TSelf}.IsZero(TSelf)" />
    public static bool IsZero(BFloat16 value) => (value._value & MagnitudeMask) == 0;

    /// <inheritdoc cref="INumberBase{TSelf}.IsInteger(TSelf)" />
    public static bool IsInteger(BFloat16 value) => float.IsInteger((float)value);

    /// <inheritdoc cref="INumberBase{TSelf}.IsEvenInteger(TSelf)" />
    public static bool IsEvenInteger(BFloat16 value) => float.IsEvenInteger((float)value);

    /// <inheritdoc cref="INumberBase{TSelf}.IsOddInteger(TSelf)" />
    public static bool IsOddInteger(BFloat16 value) => float.IsOddInteger((float)value);

    /// <inheritdoc cref="INumberBase{TSelf}.IsRealNumber(TSelf)" />
    public static bool IsRealNumber(BFloat16 value) => !IsNaN(value);

    /// <inheritdoc cref="INumberBase{TSelf}.IsCanonical(TSelf)" />
    public static bool IsCanonical(BFloat16 value) => true;

    /// <inheritdoc cref="INumberBase{TSelf}.IsComplexNumber(TSelf)" />
    public static bool IsComplexNumber(BFloat16 value) => false;

    /// <inheritdoc cref="INumberBase{TSelf}.IsImaginaryNumber(TSelf)" />
    public static bool IsImaginaryNumber(BFloat16 value) => false;

    /// <inheritdoc cref="IBinaryNumber{TSelf}.IsPow2(TSelf)" />
    public static bool IsPow2(BFloat16 value)
    {
        if ((short)value._value <= 0)
        {
            return false;
        }

        byte biasedExponent = value.BiasedExponent;
        int trailingSignificand = value._value & TrailingSignificandMask;

        if (biasedExponent == 0)
        {
            return BitOperations.PopCount((uint)trailingSignificand) == 1;
        }

        return biasedExponent != MaxBiasedExponent && trailingSignificand == 0;
    }

    //
    // Sign, magnitude, min and max
    //

    /// <summary>Clears the sign bit.</summary>
    public static BFloat16 Abs(BFloat16 value) => new((ushort)(value._value & MagnitudeMask));

    /// <summary>Returns <paramref name="value"/> with the sign bit of <paramref name="sign"/>.</summary>
    public static BFloat16 CopySign(BFloat16 value, BFloat16 sign) =>
        new((ushort)((value._value & MagnitudeMask) | (sign._value & SignMask)));

    /// <summary>Flips the sign bit; the same as unary minus.</summary>
    public static BFloat16 Negate(BFloat16 value) => -value;

    /// <inheritdoc cref="INumber{TSelf}.Sign(TSelf)" />
    public static int Sign(BFloat16 value) => MathF.Sign((float)value);

    /// <inheritdoc cref="INumber{TSelf}.Clamp(TSelf, TSelf, TSelf)" />
    public static BFloat16 Clamp(BFloat16 value, BFloat16 min, BFloat16 max) =>
        (BFloat16)Math.Clamp((float)value, (float)min, (float)max);

    /// <inheritdoc cref="INumber{TSelf}.Max(TSelf, TSelf)" />
    public static BFloat16 Max(BFloat16 x, BFloat16 y) => (BFloat16)MathF.Max((float)x, (float)y);

    /// <inheritdoc cref="INumber{TSelf}.Min(TSelf, TSelf)" />
    public static BFloat16 Min(BFloat16 x, BFloat16 y) => (BFloat16)MathF.Min((float)x, (float)y);

    /// <inheritdoc cref="INumber{TSelf}.MaxNumber(TSelf, TSelf)" />
    public static BFloat16 MaxNumber(BFloat16 x, BFloat16 y) => (BFloat16)float.MaxNumber((float)x, (float)y);

    /// <inheritdoc cref="INumber{TSelf}.MinNumber(TSelf, TSelf)" />
    public static BFloat16 MinNumber(BFloat16 x, BFloat16 y) => (BFloat16)float.MinNumber((float)x, (float)y);

    /// <inheritdoc cref="INumberBase{TSelf}.MaxMagnitude(TSelf, TSelf)" />
    public static BFloat16 MaxMagnitude(BFloat16 x, BFloat16 y) => (BFloat16)MathF.MaxMagnitude((float)x, (float)y);

    /// <inheritdoc cref="INumberBase{TSelf}.MinMagnitude(TSelf, TSelf)" />
    public static BFloat16 MinMagnitude(BFloat16 x, BFloat16 y) => (BFloat16)MathF.MinMagnitude((float)x, (float)y);

    /// <inheritdoc cref="INumberBase{TSelf}.MaxMagnitudeNumber(TSelf, TSelf)" />
    public static BFloat16 MaxMagnitudeNumber(BFloat16 x, BFloat16 y)
    {
        // IEEE 754:2019 maximumMagnitudeNumber: a NaN loses to a number, and +0 beats -0 on a magnitude tie.
        BFloat16 ax = Abs(x);
        BFloat16 ay = Abs(y);

        if (ax > ay || IsNaN(ay))
        {
            return x;
        }

        if (ax == ay)
        {
            return IsNegative(x) ? y : x;
        }

        return y;
    }

    /// <inheritdoc cref="INumberBase{TSelf}.MinMagnitudeNumber(TSelf, TSelf)" />
    public static BFloat16 MinMagnitudeNumber(BFloat16 x, BFloat16 y)
    {
        // IEEE 754:2019 minimumMagnitudeNumber: a NaN loses to a number, and -0 beats +0 on a magnitude tie.
        BFloat16 ax = Abs(x);
        BFloat16 ay = Abs(y);

        if (ax < ay || IsNaN(ay))
        {
            return x;
        }

        if (ax == ay)
        {
            return IsNegative(x) ? x : y;
        }

        return y;
    }

    //
    // IEEE 754 operations
    //

    /// <summary>The next value towards positive infinity (by bits).</summary>
    public static BFloat16 BitIncrement(BFloat16 x)
    {
        ushort bits = x._value;

        if ((bits & BiasedExponentMask) == BiasedExponentMask)
        {
            // NaN stays NaN, +inf stays +inf, -inf steps to MinValue.
            return bits == NegativeInfinityBits ? MinValue : x;
        }

        if (bits == NegativeZeroBits)
        {
            return Epsilon;
        }

        // A larger value has a larger magnitude when positive and a smaller one when negative.
        return new BFloat16((ushort)((short)bits < 0 ? bits - 1 : bits + 1));
    }

    /// <summary>The next value towards negative infinity (by bits).</summary>
    public static BFloat16 BitDecrement(BFloat16 x)
    {
        ushort bits = x._value;

        if ((bits & BiasedExponentMask) == BiasedExponentMask)
        {
            // NaN stays NaN, -inf stays -inf, +inf steps to MaxValue.
            return bits == PositiveInfinityBits ? MaxValue : x;
        }

        if (bits == PositiveZeroBits)
        {
            return -Epsilon;
        }

        return new BFloat16((ushort)((short)bits < 0 ? bits + 1 : bits - 1));
    }

    /// <summary>
    /// Computes <c>(left * right) + addend</c> with a single rounding to bfloat16.
    /// </summary>
    public static BFloat16 FusedMultiplyAdd(BFloat16 left, BFloat16 right, BFloat16 addend)
    {
        // The product of two 8-bit significands has at most 16 bits and bfloat16's exponent range squared stays
        // far inside double's, so the double product is exact. The sum can round, and rounding it to double and
        // then to bfloat16 could land exactly on a bfloat16 half-way point that the exact sum is not on. TwoSum
        // recovers the sum's exact rounding error; when it is non-zero we replace the double result by its
        // round-to-odd neighbour. Round-to-odd at 53 bits followed by round-to-nearest-even at 8 bits equals a
        // single round-to-nearest-even of the exact value (53 >= 8 + 2), so the final result is correctly rounded.
        double product = (double)left * (double)right;
        double c = (double)addend;
        double sum = product + c;

        if (double.IsFinite(sum))
        {
            double virtualAddend = sum - product;
            double error = (product - (sum - virtualAddend)) + (c - virtualAddend);
            ulong sumBits = BitConverter.DoubleToUInt64Bits(sum);

            if (error != 0 && (sumBits & 1) == 0)
            {
                // The exact sum lies strictly between `sum` and its neighbour in the direction of `error`;
                // stepping the magnitude towards it lands on the odd one of the two.
                bool awayFromZero = (error > 0) == (sum > 0);
                sum = BitConverter.UInt64BitsToDouble(awayFromZero ? sumBits + 1 : sumBits - 1);
            }
        }

        return (BFloat16)sum;
    }

    /// <summary>
    /// The same as <see cref="FusedMultiplyAdd"/>: the hardware-dependent float estimate would make results
    /// differ between machines, which a bit-exact port cannot afford.
    /// </summary>
    public static BFloat16 MultiplyAddEstimate(BFloat16 left, BFloat16 right, BFloat16 addend) =>
        FusedMultiplyAdd(left, right, addend);

    /// <inheritdoc cref="IFloatingPointIeee754{TSelf}.Ieee754Remainder(TSelf, TSelf)" />
    public static BFloat16 Ieee754Remainder(BFloat16 left, BFloat16 right) =>
        (BFloat16)MathF.IEEERemainder((float)left, (float)right);

    /// <inheritdoc cref="IFloatingPointIeee754{TSelf}.ILogB(TSelf)" />
    public static int ILogB(BFloat16 x) => MathF.ILogB((float)x);

    /// <summary>Computes <c>x * 2^n</c> with one rounding.</summary>
    public static BFloat16 ScaleB(BFloat16 x, int n)
    {
        // Scaling in double is exact for every result that can survive rounding to bfloat16 (double's range
        // dwarfs bfloat16's), so the only rounding is the final correctly rounded double-to-bfloat16 one;
        // a float ScaleB would round subnormal results once more before that.
        return (BFloat16)Math.ScaleB((double)x, n);
    }

    /// <summary>
    /// Computes 1/x exactly rounded. Deliberately not a hardware estimate, so results are the same everywhere.
    /// </summary>
    public static BFloat16 ReciprocalEstimate(BFloat16 x) => (BFloat16)(1.0f / (float)x);

    /// <summary>
    /// Computes 1/sqrt(x) through float. Deliberately not a hardware estimate, so results are the same everywhere.
    /// </summary>
    public static BFloat16 ReciprocalSqrtEstimate(BFloat16 x) => (BFloat16)(1.0f / MathF.Sqrt((float)x));

    /// <inheritdoc cref="IFloatingPointIeee754{TSelf}.Lerp(TSelf, TSelf, TSelf)" />
    public static BFloat16 Lerp(BFloat16 value1, BFloat16 value2, BFloat16 amount) =>
        (BFloat16)float.Lerp((float)value1, (float)value2, (float)amount);

    //
    // Rounding to integral values
    //

    /// <inheritdoc cref="IFloatingPoint{TSelf}.Ceiling(TSelf)" />
    public static BFloat16 Ceiling(BFloat16 x) => (BFloat16)MathF.Ceiling((float)x);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.Floor(TSelf)" />
    public static BFloat16 Floor(BFloat16 x) => (BFloat16)MathF.Floor((float)x);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.Truncate(TSelf)" />
    public static BFloat16 Truncate(BFloat16 x) => (BFloat16)MathF.Truncate((float)x);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.Round(TSelf)" />
    public static BFloat16 Round(BFloat16 x) => (BFloat16)MathF.Round((float)x);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.Round(TSelf, int)" />
    public static BFloat16 Round(BFloat16 x, int digits) => (BFloat16)MathF.Round((float)x, digits);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.Round(TSelf, MidpointRounding)" />
    public static BFloat16 Round(BFloat16 x, MidpointRounding mode) => (BFloat16)MathF.Round((float)x, mode);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.Round(TSelf, int, MidpointRounding)" />
    public static BFloat16 Round(BFloat16 x, int digits, MidpointRounding mode) => (BFloat16)MathF.Round((float)x, digits, mode);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.ConvertToInteger{TInteger}(TSelf)" />
    public static TInteger ConvertToInteger<TInteger>(BFloat16 value)
        where TInteger : IBinaryInteger<TInteger> => TInteger.CreateSaturating(value);

    /// <inheritdoc cref="IFloatingPoint{TSelf}.ConvertToIntegerNative{TInteger}(TSelf)" />
    public static TInteger ConvertToIntegerNative<TInteger>(BFloat16 value)
        where TInteger : IBinaryInteger<TInteger> => TInteger.CreateSaturating(value);

    //
    // Exponent and significand (the exponent field is float's, 8 bits)
    //

    int IFloatingPoint<BFloat16>.GetExponentByteCount() => sizeof(sbyte);

    int IFloatingPoint<BFloat16>.GetExponentShortestBitLength()
    {
        sbyte exponent = Exponent;

        if (exponent >= 0)
        {
            return (sizeof(sbyte) * 8) - sbyte.LeadingZeroCount(exponent);
        }

        return (sizeof(sbyte) * 8) + 1 - sbyte.LeadingZeroCount((sbyte)~exponent);
    }

    int IFloatingPoint<BFloat16>.GetSignificandByteCount() => sizeof(byte);

    int IFloatingPoint<BFloat16>.GetSignificandBitLength() => SignificandLength;

    bool IFloatingPoint<BFloat16>.TryWriteExponentBigEndian(Span<byte> destination, out int bytesWritten) =>
        TryWriteByte(destination, (byte)Exponent, out bytesWritten);

    bool IFloatingPoint<BFloat16>.TryWriteExponentLittleEndian(Span<byte> destination, out int bytesWritten) =>
        TryWriteByte(destination, (byte)Exponent, out bytesWritten);

    bool IFloatingPoint<BFloat16>.TryWriteSignificandBigEndian(Span<byte> destination, out int bytesWritten) =>
        TryWriteByte(destination, Significand, out bytesWritten);

    bool IFloatingPoint<BFloat16>.TryWriteSignificandLittleEndian(Span<byte> destination, out int bytesWritten) =>
        TryWriteByte(destination, Significand, out bytesWritten);

    // Both fields fit in one byte, so big- and little-endian layouts coincide.
    private static bool TryWriteByte(Span<byte> destination, byte value, out int bytesWritten)
    {
        if (destination.IsEmpty)
        {
            bytesWritten = 0;
            return false;
        }

        destination[0] = value;
        bytesWritten = sizeof(byte);
        return true;
    }

    //
    // Math functions (all through float, one rounding of the float result)
    //

    /// <inheritdoc cref="IRootFunctions{TSelf}.Sqrt(TSelf)" />
    public static BFloat16 Sqrt(BFloat16 x) => (BFloat16)MathF.Sqrt((float)x);

    /// <inheritdoc cref="IRootFunctions{TSelf}.Cbrt(TSelf)" />
    public static BFloat16 Cbrt(BFloat16 x) => (BFloat16)MathF.Cbrt((float)x);

    /// <inheritdoc cref="IRootFunctions{TSelf}.Hypot(TSelf, TSelf)" />
    public static BFloat16 Hypot(BFloat16 x, BFloat16 y) => (BFloat16)float.Hypot((float)x, (float)y);

    /// <inheritdoc cref="IRootFunctions{TSelf}.RootN(TSelf, int)" />
    public static BFloat16 RootN(BFloat16 x, int n) => (BFloat16)float.RootN((float)x, n);

    /// <inheritdoc cref="IPowerFunctions{TSelf}.Pow(TSelf, TSelf)" />
    public static BFloat16 Pow(BFloat16 x, BFloat16 y) => (BFloat16)MathF.Pow((float)x, (float)y);

    /// <inheritdoc cref="IExponentialFunctions{TSelf}.Exp(TSelf)" />
    public static BFloat16 Exp(BFloat16 x) => (BFloat16)MathF.Exp((float)x);

    /// <inheritdoc cref="IExponentialFunctions{TSelf}.ExpM1(TSelf)" />
    public static BFloat16 ExpM1(BFloat16 x) => (BFloat16)float.ExpM1((float)x);

    /// <inheritdoc cref="IExponentialFunctions{TSelf}.Exp2(TSelf)" />
    public static BFloat16 Exp2(BFloat16 x) => (BFloat16)float.Exp2((float)x);

    /// <inheritdoc cref="IExponentialFunctions{TSelf}.Exp2M1(TSelf)" />
    public static BFloat16 Exp2M1(BFloat16 x) => (BFloat16)float.Exp2M1((float)x);

    /// <inheritdoc cref="IExponentialFunctions{TSelf}.Exp10(TSelf)" />
    public static BFloat16 Exp10(BFloat16 x) => (BFloat16)float.Exp10((float)x);

    /// <inheritdoc cref="IExponentialFunctions{TSelf}.Exp10M1(TSelf)" />
    public static BFloat16 Exp10M1(BFloat16 x) => (BFloat16)float.Exp10M1((float)x);

    /// <inheritdoc cref="ILogarithmicFunctions{TSelf}.Log(TSelf)" />
    public static BFloat16 Log(BFloat16 x) => (BFloat16)MathF.Log((float)x);

    /// <inheritdoc cref="ILogarithmicFunctions{TSelf}.Log(TSelf, TSelf)" />
    public static BFloat16 Log(BFloat16 x, BFloat16 newBase) => (BFloat16)MathF.Log((float)x, (float)newBase);

    /// <inheritdoc cref="ILogarithmicFunctions{TSelf}.LogP1(TSelf)" />
    public static BFloat16 LogP1(BFloat16 x) => (BFloat16)float.LogP1((float)x);

    /// <inheritdoc cref="ILogarithmicFunctions{TSelf}.Log2(TSelf)" />
    public static BFloat16 Log2(BFloat16 x) => (BFloat16)MathF.Log2((float)x);

    /// <inheritdoc cref="ILogarithmicFunctions{TSelf}.Log2P1(TSelf)" />
    public static BFloat16 Log2P1(BFloat16 x) => (BFloat16)float.Log2P1((float)x);

    /// <inheritdoc cref="ILogarithmicFunctions{TSelf}.Log10(TSelf)" />
    public static BFloat16 Log10(BFloat16 x) => (BFloat16)MathF.Log10((float)x);

    /// <inheritdoc cref="ILogarithmicFunctions{TSelf}.Log10P1(TSelf)" />
    public static BFloat16 Log10P1(BFloat16 x) => (BFloat16)float.Log10P1((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.Sin(TSelf)" />
    public static BFloat16 Sin(BFloat16 x) => (BFloat16)MathF.Sin((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.Cos(TSelf)" />
    public static BFloat16 Cos(BFloat16 x) => (BFloat16)MathF.Cos((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.Tan(TSelf)" />
    public static BFloat16 Tan(BFloat16 x) => (BFloat16)MathF.Tan((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.SinCos(TSelf)" />
    public static (BFloat16 Sin, BFloat16 Cos) SinCos(BFloat16 x)
    {
        (float sin, float cos) = MathF.SinCos((float)x);
        return ((BFloat16)sin, (BFloat16)cos);
    }

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.SinPi(TSelf)" />
    public static BFloat16 SinPi(BFloat16 x) => (BFloat16)float.SinPi((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.CosPi(TSelf)" />
    public static BFloat16 CosPi(BFloat16 x) => (BFloat16)float.CosPi((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.TanPi(TSelf)" />
    public static BFloat16 TanPi(BFloat16 x) => (BFloat16)float.TanPi((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.SinCosPi(TSelf)" />
    public static (BFloat16 SinPi, BFloat16 CosPi) SinCosPi(BFloat16 x)
    {
        (float sinPi, float cosPi) = float.SinCosPi((float)x);
        return ((BFloat16)sinPi, (BFloat16)cosPi);
    }

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.Asin(TSelf)" />
    public static BFloat16 Asin(BFloat16 x) => (BFloat16)MathF.Asin((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.Acos(TSelf)" />
    public static BFloat16 Acos(BFloat16 x) => (BFloat16)MathF.Acos((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.Atan(TSelf)" />
    public static BFloat16 Atan(BFloat16 x) => (BFloat16)MathF.Atan((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.AsinPi(TSelf)" />
    public static BFloat16 AsinPi(BFloat16 x) => (BFloat16)float.AsinPi((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.AcosPi(TSelf)" />
    public static BFloat16 AcosPi(BFloat16 x) => (BFloat16)float.AcosPi((float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.AtanPi(TSelf)" />
    public static BFloat16 AtanPi(BFloat16 x) => (BFloat16)float.AtanPi((float)x);

    /// <inheritdoc cref="IFloatingPointIeee754{TSelf}.Atan2(TSelf, TSelf)" />
    public static BFloat16 Atan2(BFloat16 y, BFloat16 x) => (BFloat16)MathF.Atan2((float)y, (float)x);

    /// <inheritdoc cref="IFloatingPointIeee754{TSelf}.Atan2Pi(TSelf, TSelf)" />
    public static BFloat16 Atan2Pi(BFloat16 y, BFloat16 x) => (BFloat16)float.Atan2Pi((float)y, (float)x);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.DegreesToRadians(TSelf)" />
    public static BFloat16 DegreesToRadians(BFloat16 degrees) => (BFloat16)float.DegreesToRadians((float)degrees);

    /// <inheritdoc cref="ITrigonometricFunctions{TSelf}.RadiansToDegrees(TSelf)" />
    public static BFloat16 RadiansToDegrees(BFloat16 radians) => (BFloat16)float.RadiansToDegrees((float)radians);

    /// <inheritdoc cref="IHyperbolicFunctions{TSelf}.Sinh(TSelf)" />
    public static BFloat16 Sinh(BFloat16 x) => (BFloat16)MathF.Sinh((float)x);

    /// <inheritdoc cref="IHyperbolicFunctions{TSelf}.Cosh(TSelf)" />
    public static BFloat16 Cosh(BFloat16 x) => (BFloat16)MathF.Cosh((float)x);

    /// <inheritdoc cref="IHyperbolicFunctions{TSelf}.Tanh(TSelf)" />
    public static BFloat16 Tanh(BFloat16 x) => (BFloat16)MathF.Tanh((float)x);

    /// <inheritdoc cref="IHyperbolicFunctions{TSelf}.Asinh(TSelf)" />
    public static BFloat16 Asinh(BFloat16 x) => (BFloat16)MathF.Asinh((float)x);

    /// <inheritdoc cref="IHyperbolicFunctions{TSelf}.Acosh(TSelf)" />
    public static BFloat16 Acosh(BFloat16 x) => (BFloat16)MathF.Acosh((float)x);

    /// <inheritdoc cref="IHyperbolicFunctions{TSelf}.Atanh(TSelf)" />
    public static BFloat16 Atanh(BFloat16 x) => (BFloat16)MathF.Atanh((float)x);

    //
    // Generic conversions
    //

    /// <inheritdoc cref="INumberBase{TSelf}.CreateChecked{TOther}(TOther)" />
    public static BFloat16 CreateChecked<TOther>(TOther value)
        where TOther : INumberBase<TOther>
    {
        if (typeof(TOther) == typeof(BFloat16))
        {
            return (BFloat16)(object)value;
        }

        if (TryConvertFrom(value, out BFloat16 result) || TOther.TryConvertToChecked(value, out result))
        {
            return result;
        }

        throw new NotSupportedException($"Conversion from {typeof(TOther)} to BFloat16 is not supported.");
    }

    /// <inheritdoc cref="INumberBase{TSelf}.CreateSaturating{TOther}(TOther)" />
    public static BFloat16 CreateSaturating<TOther>(TOther value)
        where TOther : INumberBase<TOther>
    {
        if (typeof(TOther) == typeof(BFloat16))
        {
            return (BFloat16)(object)value;
        }

        if (TryConvertFrom(value, out BFloat16 result) || TOther.TryConvertToSaturating(value, out result))
        {
            return result;
        }

        throw new NotSupportedException($"Conversion from {typeof(TOther)} to BFloat16 is not supported.");
    }

    /// <inheritdoc cref="INumberBase{TSelf}.CreateTruncating{TOther}(TOther)" />
    public static BFloat16 CreateTruncating<TOther>(TOther value)
        where TOther : INumberBase<TOther>
    {
        if (typeof(TOther) == typeof(BFloat16))
        {
            return (BFloat16)(object)value;
        }

        if (TryConvertFrom(value, out BFloat16 result) || TOther.TryConvertToTruncating(value, out result))
        {
            return result;
        }

        throw new NotSupportedException($"Conversion from {typeof(TOther)} to BFloat16 is not supported.");
    }

    // Converting into a floating-point type never fails: out-of-range values become infinities, so the checked,
    // saturating and truncating flavours coincide (as they do for Half).
    static bool INumberBase<BFloat16>.TryConvertFromChecked<TOther>(TOther value, out BFloat16 result) =>
        TryConvertFrom(value, out result);

    static bool INumberBase<BFloat16>.TryConvertFromSaturating<TOther>(TOther value, out BFloat16 result) =>
        TryConvertFrom(value, out result);

    static bool INumberBase<BFloat16>.TryConvertFromTruncating<TOther>(TOther value, out BFloat16 result) =>
        TryConvertFrom(value, out result);

    // The built-in types know nothing of BFloat16, so unlike Half this handles every one of them rather than
    // splitting the work with their TryConvertTo methods.
    private static bool TryConvertFrom<TOther>(TOther value, out BFloat16 result)
        where TOther : INumberBase<TOther>
    {
        if (typeof(TOther) == typeof(BFloat16))
        {
            result = (BFloat16)(object)value;
        }
        else if (typeof(TOther) == typeof(float))
        {
            result = (BFloat16)(float)(object)value;
        }
        else if (typeof(TOther) == typeof(double))
        {
            result = (BFloat16)(double)(object)value;
        }
        else if (typeof(TOther) == typeof(Half))
        {
            result = (BFloat16)(Half)(object)value;
        }
        else if (typeof(TOther) == typeof(decimal))
        {
            result = (BFloat16)(decimal)(object)value;
        }
        else if (typeof(TOther) == typeof(byte))
        {
            result = (byte)(object)value;
        }
        else if (typeof(TOther) == typeof(sbyte))
        {
            result = (sbyte)(object)value;
        }
        else if (typeof(TOther) == typeof(char))
        {
            result = (BFloat16)(char)(object)value;
        }
        else if (typeof(TOther) == typeof(short))
        {
            result = (BFloat16)(short)(object)value;
        }
        else if (typeof(TOther) == typeof(ushort))
        {
            result = (BFloat16)(ushort)(object)value;
        }
        else if (typeof(TOther) == typeof(int))
        {
            result = (BFloat16)(int)(object)value;
        }
        else if (typeof(TOther) == typeof(uint))
        {
            result = (BFloat16)(uint)(object)value;
        }
        else if (typeof(TOther) == typeof(long))
        {
            result = (BFloat16)(long)(object)value;
        }
        else if (typeof(TOther) == typeof(ulong))
        {
            result = (BFloat16)(ulong)(object)value;
        }
        else if (typeof(TOther) == typeof(nint))
        {
            result = (BFloat16)(nint)(object)value;
        }
        else if (typeof(TOther) == typeof(nuint))
        {
            result = (BFloat16)(nuint)(object)value;
        }
        else if (typeof(TOther) == typeof(Int128))
        {
            result = (BFloat16)(Int128)(object)value;
        }
        else if (typeof(TOther) == typeof(UInt128))
        {
            result = (BFloat16)(UInt128)(object)value;
        }
        else if (typeof(TOther) == typeof(BigInteger))
        {
            BigInteger actualValue = (BigInteger)(object)value;
            BigInteger magnitude = BigInteger.Abs(actualValue);

            // Anything from 2^128 up is beyond even the round-up-to-infinity threshold of UInt128.
            result = magnitude > (BigInteger)UInt128.MaxValue
                ? (actualValue.Sign < 0 ? NegativeInfinity : PositiveInfinity)
                : RoundFromInteger(actualValue.Sign < 0, (UInt128)magnitude);
        }
        else
        {
            result = default;
            return false;
        }

        return true;
    }

    static bool INumberBase<BFloat16>.TryConvertToChecked<TOther>(BFloat16 value, [MaybeNullWhen(false)] out TOther result)
    {
        if (IsKnownNumberType<TOther>())
        {
            result = TOther.CreateChecked((double)value);
            return true;
        }

        result = default;
        return false;
    }

    static bool INumberBase<BFloat16>.TryConvertToSaturating<TOther>(BFloat16 value, [MaybeNullWhen(false)] out TOther result)
    {
        if (IsKnownNumberType<TOther>())
        {
            result = TOther.CreateSaturating((double)value);
            return true;
        }

        result = default;
        return false;
    }

    static bool INumberBase<BFloat16>.TryConvertToTruncating<TOther>(BFloat16 value, [MaybeNullWhen(false)] out TOther result)
    {
        if (IsKnownNumberType<TOther>())
        {
            result = TOther.CreateTruncating((double)value);
            return true;
        }

        result = default;
        return false;
    }

    // The double widening is exact, so handing the double to the target type's own conversion gives exactly
    // what converting the bfloat16 value would (a single rounding for Half, saturation/overflow for integers,
    // double's 15-digit behaviour for decimal). Limited to the built-in types, which all accept a double.
    private static bool IsKnownNumberType<TOther>() =>
        typeof(TOther) == typeof(double)
        || typeof(TOther) == typeof(float)
        || typeof(TOther) == typeof(Half)
        || typeof(TOther) == typeof(decimal)
        || typeof(TOther) == typeof(byte)
        || typeof(TOther) == typeof(sbyte)
        || typeof(TOther) == typeof(char)
        || typeof(TOther) == typeof(short)
        || typeof(TOther) == typeof(ushort)
        || typeof(TOther) == typeof(int)
        || typeof(TOther) == typeof(uint)
        || typeof(TOther) == typeof(long)
        || typeof(TOther) == typeof(ulong)
        || typeof(TOther) == typeof(nint)
        || typeof(TOther) == typeof(nuint)
        || typeof(TOther) == typeof(Int128)
        || typeof(TOther) == typeof(UInt128)
        || typeof(TOther) == typeof(BigInteger)
        || typeof(TOther) == typeof(Complex);

    //
    // Formatting
    //

    /// <summary>
    /// The shortest "G" rendering of the value that parses back to the same bfloat16 (e.g. "0.1" rather than the
    /// float rendering "0.10009766"), using the current culture.
    /// </summary>
    public override string ToString() => FormatShortest('G', null);

    /// <summary>As <see cref="ToString()"/>, with the given culture.</summary>
    public string ToString(IFormatProvider? provider) => FormatShortest('G', provider);

    /// <summary>Formats like <see cref="float"/>; null, "", "G"/"g" and "R"/"r" give the shortest round-trippable form.</summary>
    public string ToString([StringSyntax(StringSyntaxAttribute.NumericFormat)] string? format) => ToString(format, null);

    /// <summary>Formats like <see cref="float"/>; null, "", "G"/"g" and "R"/"r" give the shortest round-trippable form.</summary>
    public string ToString([StringSyntax(StringSyntaxAttribute.NumericFormat)] string? format, IFormatProvider? provider)
    {
        if (IsShortestFormat(format, out char formatChar))
        {
            return FormatShortest(formatChar, provider);
        }

        return ((float)this).ToString(format, provider);
    }

    /// <inheritdoc cref="ISpanFormattable.TryFormat(Span{char}, out int, ReadOnlySpan{char}, IFormatProvider?)" />
    public bool TryFormat(
        Span<char> destination,
        out int charsWritten,
        [StringSyntax(StringSyntaxAttribute.NumericFormat)] ReadOnlySpan<char> format = default,
        IFormatProvider? provider = null)
    {
        if (!IsShortestFormat(format, out char formatChar))
        {
            return ((float)this).TryFormat(destination, out charsWritten, format, provider);
        }

        Span<char> buffer = stackalloc char[ShortestBufferLength];

        if (TryFormatShortest(buffer, out int written, formatChar, provider))
        {
            return TryCopy(buffer[..written], destination, out charsWritten);
        }

        return TryCopy(FormatShortest(formatChar, provider), destination, out charsWritten);
    }

    /// <inheritdoc cref="IUtf8SpanFormattable.TryFormat(Span{byte}, out int, ReadOnlySpan{char}, IFormatProvider?)" />
    public bool TryFormat(
        Span<byte> utf8Destination,
        out int bytesWritten,
        [StringSyntax(StringSyntaxAttribute.NumericFormat)] ReadOnlySpan<char> format = default,
        IFormatProvider? provider = null)
    {
        if (!IsShortestFormat(format, out char formatChar))
        {
            return ((float)this).TryFormat(utf8Destination, out bytesWritten, format, provider);
        }

        Span<char> buffer = stackalloc char[ShortestBufferLength];
        ReadOnlySpan<char> text = TryFormatShortest(buffer, out int written, formatChar, provider)
            ? buffer[..written]
            : FormatShortest(formatChar, provider);

        if (Utf8.FromUtf16(text, utf8Destination, out _, out bytesWritten) == System.Buffers.OperationStatus.Done)
        {
            return true;
        }

        bytesWritten = 0;
        return false;
    }

    private static bool TryCopy(ReadOnlySpan<char> source, Span<char> destination, out int charsWritten)
    {
        if (source.TryCopyTo(destination))
        {
            charsWritten = source.Length;
            return true;
        }

        charsWritten = 0;
        return false;
    }

    private static bool IsShortestFormat(ReadOnlySpan<char> format, out char formatChar)
    {
        formatChar = 'G';

        if (format.IsEmpty)
        {
            return true;
        }

        if (format.Length != 1)
        {
            return false;
        }

        switch (format[0])
        {
            case 'G':
            case 'R':
                return true;
            case 'g':
            case 'r':
                formatChar = 'g';
                return true;
            default:
                return false;
        }
    }

    private string FormatShortest(char formatChar, IFormatProvider? provider)
    {
        Span<char> buffer = stackalloc char[ShortestBufferLength];

        if (TryFormatShortest(buffer, out int written, formatChar, provider))
        {
            return new string(buffer[..written]);
        }

        // Only reachable with a NumberFormatInfo whose symbols are absurdly long; float's own shortest form
        // round-trips the float, hence the bfloat16.
        return ((float)this).ToString(formatChar == 'g' ? "r" : "R", provider);
    }

    private bool TryFormatShortest(Span<char> destination, out int charsWritten, char formatChar, IFormatProvider? provider)
    {
        float value = (float)this;

        if (!float.IsFinite(value))
        {
            return value.TryFormat(destination, out charsWritten, default, provider);
        }

        string[] formats = formatChar == 'g' ? s_lowerPrecisionFormats : s_upperPrecisionFormats;

        // Nine significant digits identify every float, and bfloat16 values are floats, so the loop always
        // finds a rendering; "parses back" is judged by this type's own parser so ToString/Parse round-trip.
        foreach (string format in formats)
        {
            if (!value.TryFormat(destination, out charsWritten, format, provider))
            {
                return false;
            }

            if (double.TryParse(destination[..charsWritten], DefaultParseStyle, provider, out double parsed)
                && ((BFloat16)parsed)._value == _value)
            {
                return true;
            }
        }

        return value.TryFormat(destination, out charsWritten, formatChar == 'g' ? "r" : "R", provider);
    }

    //
    // Parsing (as double, then one correctly rounded double-to-bfloat16 step)
    //
    // A decimal string lying within half a double ulp of a bfloat16 half-way point (but not on it) can still be
    // rounded twice; that needs ~17+ significant digits aimed at a half-way point and never arises from
    // strings this type produces.
    //

    /// <summary>Parses a number in the current culture.</summary>
    public static BFloat16 Parse(string s) => Parse(s, DefaultParseStyle, null);

    /// <summary>Parses a number with the given styles in the current culture.</summary>
    public static BFloat16 Parse(string s, NumberStyles style) => Parse(s, style, null);

    /// <inheritdoc cref="IParsable{TSelf}.Parse(string, IFormatProvider?)" />
    public static BFloat16 Parse(string s, IFormatProvider? provider) => Parse(s, DefaultParseStyle, provider);

    /// <inheritdoc cref="INumberBase{TSelf}.Parse(string, NumberStyles, IFormatProvider?)" />
    public static BFloat16 Parse(string s, NumberStyles style, IFormatProvider? provider) =>
        (BFloat16)double.Parse(s, style, provider);

    /// <inheritdoc cref="ISpanParsable{TSelf}.Parse(ReadOnlySpan{char}, IFormatProvider?)" />
    public static BFloat16 Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s, DefaultParseStyle, provider);

    /// <inheritdoc cref="INumberBase{TSelf}.Parse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?)" />
    public static BFloat16 Parse(ReadOnlySpan<char> s, NumberStyles style = DefaultParseStyle, IFormatProvider? provider = null) =>
        (BFloat16)double.Parse(s, style, provider);

    /// <inheritdoc cref="IUtf8SpanParsable{TSelf}.Parse(ReadOnlySpan{byte}, IFormatProvider?)" />
    public static BFloat16 Parse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider) => Parse(utf8Text, DefaultParseStyle, provider);

    /// <inheritdoc cref="INumberBase{TSelf}.Parse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider?)" />
    public static BFloat16 Parse(ReadOnlySpan<byte> utf8Text, NumberStyles style = DefaultParseStyle, IFormatProvider? provider = null) =>
        (BFloat16)double.Parse(utf8Text, style, provider);

    /// <summary>Tries to parse a number in the current culture.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out BFloat16 result) => TryParse(s, DefaultParseStyle, null, out result);

    /// <summary>Tries to parse a number in the current culture.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out BFloat16 result) => TryParse(s, DefaultParseStyle, null, out result);

    /// <summary>Tries to parse a UTF-8 number in the current culture.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, out BFloat16 result) => TryParse(utf8Text, DefaultParseStyle, null, out result);

    /// <inheritdoc cref="IParsable{TSelf}.TryParse(string?, IFormatProvider?, out TSelf)" />
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out BFloat16 result) =>
        TryParse(s, DefaultParseStyle, provider, out result);

    /// <inheritdoc cref="ISpanParsable{TSelf}.TryParse(ReadOnlySpan{char}, IFormatProvider?, out TSelf)" />
    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out BFloat16 result) =>
        TryParse(s, DefaultParseStyle, provider, out result);

    /// <inheritdoc cref="IUtf8SpanParsable{TSelf}.TryParse(ReadOnlySpan{byte}, IFormatProvider?, out TSelf)" />
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, IFormatProvider? provider, out BFloat16 result) =>
        TryParse(utf8Text, DefaultParseStyle, provider, out result);

    /// <inheritdoc cref="INumberBase{TSelf}.TryParse(string?, NumberStyles, IFormatProvider?, out TSelf)" />
    public static bool TryParse([NotNullWhen(true)] string? s, NumberStyles style, IFormatProvider? provider, out BFloat16 result)
    {
        bool parsed = double.TryParse(s, style, provider, out double value);
        result = (BFloat16)value;
        return parsed;
    }

    /// <inheritdoc cref="INumberBase{TSelf}.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out TSelf)" />
    public static bool TryParse(ReadOnlySpan<char> s, NumberStyles style, IFormatProvider? provider, out BFloat16 result)
    {
        bool parsed = double.TryParse(s, style, provider, out double value);
        result = (BFloat16)value;
        return parsed;
    }

    /// <inheritdoc cref="INumberBase{TSelf}.TryParse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider?, out TSelf)" />
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, NumberStyles style, IFormatProvider? provider, out BFloat16 result)
    {
        bool parsed = double.TryParse(utf8Text, style, provider, out double value);
        result = (BFloat16)value;
        return parsed;
    }
}
