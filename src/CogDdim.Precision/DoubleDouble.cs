using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace CogDdim.Precision;

/// <summary>
/// A double-double number: the unevaluated sum <c>Hi + Lo</c> of two doubles with <c>|Lo| ≤ ulp(Hi) / 2</c>, about
/// 106 bits of significand. It exists to run <c>ReferenceScheduler&lt;DoubleDouble&gt;</c> as the precision studies'
/// oracle, so it implements <see cref="IFloatingPointIeee754{TSelf}"/>; what the reference backend calls is exact
/// to a few units of 2^-106 (relative): <c>+ − × ÷</c>, <see cref="Sqrt"/>, <see cref="FusedMultiplyAdd"/>,
/// comparisons and conversions. Transcendental functions, parsing and the bit-level members are not needed there
/// and throw <see cref="NotSupportedException"/>.
/// </summary>
/// <remarks>
/// The algorithms are the classic error-free transformations (Knuth's TwoSum, TwoProd with a fused multiply-add)
/// and the double-word operators of Joldes, Muller and Popescu, "Tight and rigorous error bounds for basic building
/// blocks of double-word arithmetic" (ACM TOMS 2017): <see cref="op_Addition"/> is their AccurateDWPlusDW
/// (relative error ≤ 3u², u = 2^-53), <see cref="op_Multiply"/> is DWTimesDW3 (≤ 4u²), <see cref="op_Division"/>
/// takes three quotient digits (≤ 4u² in practice), and <see cref="Sqrt"/> one Newton step from the double
/// square root. <see cref="ErrorBound"/> states the bound the tests check against exact rational arithmetic.
/// Overflow, infinities and NaN follow <c>Hi</c>; values near double's underflow threshold lose the extra bits.
/// </remarks>
public readonly struct DoubleDouble : IFloatingPointIeee754<DoubleDouble>, IMinMaxValue<DoubleDouble>
{
    /// <summary>
    /// The relative error every arithmetic operator and <see cref="Sqrt"/> stays within: 2^-104 (4u², u = 2^-53),
    /// for results well inside double's exponent range.
    /// </summary>
    public const double ErrorBound = 4.930380657631324e-32;

    public DoubleDouble(double hi, double lo)
    {
        Hi = hi;
        Lo = lo;
    }

    /// <summary>The double nearest to the value.</summary>
    public double Hi { get; }

    /// <summary>What <see cref="Hi"/> leaves out: <c>|Lo| ≤ ulp(Hi) / 2</c>.</summary>
    public double Lo { get; }

    public static implicit operator DoubleDouble(double value) => new(value, 0);

    public static implicit operator DoubleDouble(int value) => new(value, 0);

    public static implicit operator DoubleDouble(long value)
    {
        var hi = (double)value;
        // value - (long)hi is exact in a long and fits a double (|.| ≤ 2^10); (long)hi cannot overflow except at 2^63.
        var lo = hi >= 9.2233720368547758E18 ? (double)(value - long.MaxValue) - 1 : (double)(value - (long)hi);
        return Normalize(hi, lo);
    }

    /// <summary>The double nearest to the value (round to nearest, ties to even).</summary>
    public static explicit operator double(DoubleDouble value) => value.Hi;

    /// <summary>The float nearest to the value, rounded once (through a round-to-odd double).</summary>
    public static explicit operator float(DoubleDouble value) => (float)value.RoundToOddDouble();

    //
    // Error-free transformations
    //

    /// <summary>Knuth's TwoSum: <c>s + e = a + b</c> exactly, <c>s = fl(a + b)</c>.</summary>
    private static (double S, double E) TwoSum(double a, double b)
    {
        var s = a + b;
        var bb = s - a;
        var e = (a - (s - bb)) + (b - bb);
        return (s, e);
    }

    /// <summary>Dekker's FastTwoSum, for <c>|a| ≥ |b|</c>.</summary>
    private static (double S, double E) FastTwoSum(double a, double b)
    {
        var s = a + b;
        var e = b - (s - a);
        return (s, e);
    }

    /// <summary><c>p + e = a × b</c> exactly, using one fused multiply-add.</summary>
    private static (double P, double E) TwoProd(double a, double b)
    {
        var p = a * b;
        var e = Math.FusedMultiplyAdd(a, b, -p);
        return (p, e);
    }

    private static DoubleDouble Normalize(double hi, double lo)
    {
        if (!double.IsFinite(hi))
        {
            return new DoubleDouble(hi, 0);
        }

        var (s, e) = FastTwoSum(hi, lo);
        return new DoubleDouble(s, e);
    }

    //
    // Arithmetic
    //

    /// <summary>AccurateDWPlusDW: relative error ≤ 3u² / (1 − 4u).</summary>
    public static DoubleDouble operator +(DoubleDouble left, DoubleDouble right)
    {
        var (sh, sl) = TwoSum(left.Hi, right.Hi);
        var (th, tl) = TwoSum(left.Lo, right.Lo);
        sl += th;
        (sh, sl) = FastTwoSum(sh, sl);
        sl += tl;
        return Normalize(sh, sl);
    }

    public static DoubleDouble operator -(DoubleDouble left, DoubleDouble right) => left + (-right);

    public static DoubleDouble operator -(DoubleDouble value) => new(-value.Hi, -value.Lo);

    public static DoubleDouble operator +(DoubleDouble value) => value;

    /// <summary>DWTimesDW3: relative error ≤ 4u².</summary>
    public static DoubleDouble operator *(DoubleDouble left, DoubleDouble right)
    {
        var (ch, cl) = TwoProd(left.Hi, right.Hi);
        var tl = left.Lo * right.Lo;
        tl = Math.FusedMultiplyAdd(left.Hi, right.Lo, tl);
        tl = Math.FusedMultiplyAdd(left.Lo, right.Hi, tl);
        cl += tl;
        return Normalize(ch, cl);
    }

    /// <summary>Long division with three double quotient digits; each remainder is formed with the accurate product.</summary>
    public static DoubleDouble operator /(DoubleDouble left, DoubleDouble right)
    {
        var q1 = left.Hi / right.Hi;
        if (!double.IsFinite(q1) || q1 == 0)
        {
            return new DoubleDouble(q1, 0);
        }

        var remainder = left - (right * q1);
        var q2 = remainder.Hi / right.Hi;
        remainder -= right * q2;
        var q3 = remainder.Hi / right.Hi;
        var (hi, lo) = FastTwoSum(q1, q2);
        return new DoubleDouble(hi, lo) + q3;
    }

    /// <summary>The remainder of truncated division, as <c>%</c> on doubles.</summary>
    public static DoubleDouble operator %(DoubleDouble left, DoubleDouble right) => left - (Truncate(left / right) * right);

    public static DoubleDouble operator ++(DoubleDouble value) => value + One;

    public static DoubleDouble operator --(DoubleDouble value) => value - One;

    /// <summary>
    /// One Newton step from the double square root s: <c>s + (x − s²) / (2s)</c>, with <c>s²</c> formed exactly.
    /// </summary>
    public static DoubleDouble Sqrt(DoubleDouble x)
    {
        if (x.Hi <= 0 || !double.IsFinite(x.Hi))
        {
            return new DoubleDouble(Math.Sqrt(x.Hi), 0);
        }

        var s = Math.Sqrt(x.Hi);
        var (p, e) = TwoProd(s, s);
        var residual = ((x.Hi - p) - e + x.Lo) / (2 * s);
        return Normalize(s, residual);
    }

    /// <summary><c>left × right + addend</c> with two double-double roundings (not one), well within <see cref="ErrorBound"/> × 2.</summary>
    public static DoubleDouble FusedMultiplyAdd(DoubleDouble left, DoubleDouble right, DoubleDouble addend) => (left * right) + addend;

    public static DoubleDouble Abs(DoubleDouble value) => value.Hi < 0 || (value.Hi == 0 && double.IsNegative(value.Hi)) ? -value : value;

    public static DoubleDouble Truncate(DoubleDouble x) => x.Hi >= 0 ? Floor(x) : Ceiling(x);

    public static DoubleDouble Floor(DoubleDouble x)
    {
        var hi = Math.Floor(x.Hi);
        return hi != x.Hi ? new DoubleDouble(hi, 0) : Normalize(hi, Math.Floor(x.Lo));
    }

    public static DoubleDouble Ceiling(DoubleDouble x)
    {
        var hi = Math.Ceiling(x.Hi);
        return hi != x.Hi ? new DoubleDouble(hi, 0) : Normalize(hi, Math.Ceiling(x.Lo));
    }

    public static DoubleDouble Round(DoubleDouble x) => Round(x, MidpointRounding.ToEven);

    public static DoubleDouble Round(DoubleDouble x, MidpointRounding mode)
    {
        var floor = Floor(x);
        var fraction = x - floor;
        var half = new DoubleDouble(0.5, 0);
        var up = fraction > half || (fraction == half && mode switch
        {
            MidpointRounding.ToEven => IsOddInteger(floor),
            MidpointRounding.AwayFromZero => x.Hi > 0,
            MidpointRounding.ToZero => x.Hi < 0,
            MidpointRounding.ToNegativeInfinity => false,
            MidpointRounding.ToPositiveInfinity => true,
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        });
        return mode switch
        {
            MidpointRounding.ToZero => Truncate(x),
            MidpointRounding.ToNegativeInfinity => floor,
            MidpointRounding.ToPositiveInfinity => Ceiling(x),
            _ => up ? floor + One : floor,
        };
    }

    public static DoubleDouble Round(DoubleDouble x, int digits) => throw Unsupported(nameof(Round) + " to digits");

    public static DoubleDouble Round(DoubleDouble x, int digits, MidpointRounding mode) => throw Unsupported(nameof(Round) + " to digits");

    public static DoubleDouble ScaleB(DoubleDouble x, int n) => new(Math.ScaleB(x.Hi, n), Math.ScaleB(x.Lo, n));

    public static int ILogB(DoubleDouble x) => Math.ILogB(x.Hi);

    //
    // Comparison (by value: Hi first, then Lo, which is valid for normalized pairs)
    //

    public static bool operator ==(DoubleDouble left, DoubleDouble right) => left.Hi == right.Hi && left.Lo == right.Lo;

    public static bool operator !=(DoubleDouble left, DoubleDouble right) => !(left == right);

    public static bool operator <(DoubleDouble left, DoubleDouble right) => left.Hi < right.Hi || (left.Hi == right.Hi && left.Lo < right.Lo);

    public static bool operator >(DoubleDouble left, DoubleDouble right) => right < left;

    public static bool operator <=(DoubleDouble left, DoubleDouble right) => left.Hi < right.Hi || (left.Hi == right.Hi && left.Lo <= right.Lo);

    public static bool operator >=(DoubleDouble left, DoubleDouble right) => right <= left;

    public int CompareTo(DoubleDouble other)
    {
        var byHi = Hi.CompareTo(other.Hi);
        return byHi != 0 ? byHi : Lo.CompareTo(other.Lo);
    }

    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        DoubleDouble other => CompareTo(other),
        _ => throw new ArgumentException($"cannot compare a DoubleDouble with {obj.GetType().Name}", nameof(obj)),
    };

    public bool Equals(DoubleDouble other) => (Hi.Equals(other.Hi) && Lo.Equals(other.Lo)) || (IsNaN(this) && IsNaN(other));

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is DoubleDouble other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Hi, Lo);

    public static DoubleDouble Max(DoubleDouble x, DoubleDouble y) => IsNaN(x) || x > y ? x : y;

    public static DoubleDouble Min(DoubleDouble x, DoubleDouble y) => IsNaN(x) || x < y ? x : y;

    public static DoubleDouble MaxNumber(DoubleDouble x, DoubleDouble y) => IsNaN(y) || x > y ? x : y;

    public static DoubleDouble MinNumber(DoubleDouble x, DoubleDouble y) => IsNaN(y) || x < y ? x : y;

    public static DoubleDouble MaxMagnitude(DoubleDouble x, DoubleDouble y) => IsNaN(x) || Abs(x) > Abs(y) ? x : y;

    public static DoubleDouble MaxMagnitudeNumber(DoubleDouble x, DoubleDouble y) => IsNaN(y) || Abs(x) > Abs(y) ? x : y;

    public static DoubleDouble MinMagnitude(DoubleDouble x, DoubleDouble y) => IsNaN(x) || Abs(x) < Abs(y) ? x : y;

    public static DoubleDouble MinMagnitudeNumber(DoubleDouble x, DoubleDouble y) => IsNaN(y) || Abs(x) < Abs(y) ? x : y;

    //
    // Constants and classification
    //

    public static DoubleDouble Zero => new(0, 0);

    public static DoubleDouble One => new(1, 0);

    public static DoubleDouble NegativeOne => new(-1, 0);

    public static DoubleDouble AdditiveIdentity => Zero;

    public static DoubleDouble MultiplicativeIdentity => One;

    public static int Radix => 2;

    /// <summary>The smallest positive value, as for double (the extra bits vanish there).</summary>
    public static DoubleDouble Epsilon => new(double.Epsilon, 0);

    public static DoubleDouble NaN => new(double.NaN, 0);

    public static DoubleDouble PositiveInfinity => new(double.PositiveInfinity, 0);

    public static DoubleDouble NegativeInfinity => new(double.NegativeInfinity, 0);

    public static DoubleDouble NegativeZero => new(-0.0, 0);

    public static DoubleDouble MaxValue => new(double.MaxValue, Math.ScaleB(double.MaxValue, -54));

    public static DoubleDouble MinValue => -MaxValue;

    /// <summary>e to 106 bits.</summary>
    public static DoubleDouble E => new(2.718281828459045, 1.4456468917292502e-16);

    /// <summary>π to 106 bits.</summary>
    public static DoubleDouble Pi => new(3.141592653589793, 1.2246467991473532e-16);

    /// <summary>2π to 106 bits.</summary>
    public static DoubleDouble Tau => new(6.283185307179586, 2.4492935982947064e-16);

    public static bool IsNaN(DoubleDouble value) => double.IsNaN(value.Hi);

    public static bool IsFinite(DoubleDouble value) => double.IsFinite(value.Hi);

    public static bool IsInfinity(DoubleDouble value) => double.IsInfinity(value.Hi);

    public static bool IsPositiveInfinity(DoubleDouble value) => double.IsPositiveInfinity(value.Hi);

    public static bool IsNegativeInfinity(DoubleDouble value) => double.IsNegativeInfinity(value.Hi);

    public static bool IsNegative(DoubleDouble value) => double.IsNegative(value.Hi);

    public static bool IsPositive(DoubleDouble value) => double.IsPositive(value.Hi);

    public static bool IsZero(DoubleDouble value) => value.Hi == 0;

    public static bool IsNormal(DoubleDouble value) => double.IsNormal(value.Hi);

    public static bool IsSubnormal(DoubleDouble value) => double.IsSubnormal(value.Hi);

    public static bool IsInteger(DoubleDouble value) => IsFinite(value) && value == Floor(value);

    public static bool IsEvenInteger(DoubleDouble value) => IsInteger(value) && IsInteger(value * new DoubleDouble(0.5, 0));

    public static bool IsOddInteger(DoubleDouble value) => IsInteger(value) && !IsEvenInteger(value);

    public static bool IsCanonical(DoubleDouble value) => true;

    public static bool IsComplexNumber(DoubleDouble value) => false;

    public static bool IsImaginaryNumber(DoubleDouble value) => false;

    public static bool IsRealNumber(DoubleDouble value) => !IsNaN(value);

    //
    // Conversions through INumberBase
    //

    public static bool TryConvertFromChecked<TOther>(TOther value, out DoubleDouble result)
        where TOther : INumberBase<TOther> => TryConvertFrom(value, out result);

    public static bool TryConvertFromSaturating<TOther>(TOther value, out DoubleDouble result)
        where TOther : INumberBase<TOther> => TryConvertFrom(value, out result);

    public static bool TryConvertFromTruncating<TOther>(TOther value, out DoubleDouble result)
        where TOther : INumberBase<TOther> => TryConvertFrom(value, out result);

    public static bool TryConvertToChecked<TOther>(DoubleDouble value, [MaybeNullWhen(false)] out TOther result)
        where TOther : INumberBase<TOther> => TryConvertTo(value, out result);

    public static bool TryConvertToSaturating<TOther>(DoubleDouble value, [MaybeNullWhen(false)] out TOther result)
        where TOther : INumberBase<TOther> => TryConvertTo(value, out result);

    public static bool TryConvertToTruncating<TOther>(DoubleDouble value, [MaybeNullWhen(false)] out TOther result)
        where TOther : INumberBase<TOther> => TryConvertTo(value, out result);

    /// <summary>
    /// Integers up to 64 bits are exact; every other number type goes through its exact or rounded double value
    /// (all of double, float, Half and bfloat16 are exact).
    /// </summary>
    private static bool TryConvertFrom<TOther>(TOther value, out DoubleDouble result)
        where TOther : INumberBase<TOther>
    {
        switch (value)
        {
            case long l:
                result = l;
                return true;
            case ulong ul:
                result = (DoubleDouble)(long)(ul >> 1) * 2 + (double)(ul & 1);
                return true;
            case int i:
                result = i;
                return true;
        }

        if (TOther.IsComplexNumber(value))
        {
            result = default;
            return false;
        }

        result = double.CreateTruncating(value);
        return true;
    }

    /// <summary>
    /// To double: <see cref="Hi"/>. To integers: truncated toward zero. To any other floating type (float, Half,
    /// bfloat16): through the double of <c>Hi + Lo</c> rounded to odd, which rounds once for every target with at
    /// most 51 significand bits.
    /// </summary>
    private static bool TryConvertTo<TOther>(DoubleDouble value, [MaybeNullWhen(false)] out TOther result)
        where TOther : INumberBase<TOther>
    {
        if (typeof(TOther) == typeof(double))
        {
            result = TOther.CreateTruncating(value.Hi);
            return true;
        }

        if (typeof(TOther) == typeof(long) || typeof(TOther) == typeof(int))
        {
            result = TOther.CreateSaturating(TruncateToLong(value));
            return true;
        }

        result = TOther.CreateTruncating(value.RoundToOddDouble());
        return true;
    }

    private static long TruncateToLong(DoubleDouble value)
    {
        if (!IsFinite(value))
        {
            return IsNaN(value) ? 0 : value.Hi > 0 ? long.MaxValue : long.MinValue;
        }

        var t = Truncate(value);
        return (long)t.Hi + (long)t.Lo;
    }

    /// <summary><c>Hi + Lo</c> rounded to a double by truncation, with the last bit set when inexact (round to odd).</summary>
    public double RoundToOddDouble()
    {
        if (Lo == 0 || !double.IsFinite(Hi))
        {
            return Hi;
        }

        // Hi + Lo lies strictly between Hi and its neighbour toward Lo: truncation is Hi or the neighbour toward zero.
        var truncated = Math.Sign(Lo) == Math.Sign(Hi) ? Hi : Math.BitDecrement(Math.Abs(Hi)) * Math.Sign(Hi);
        var bits = BitConverter.DoubleToInt64Bits(truncated);
        return BitConverter.Int64BitsToDouble(bits | 1);
    }

    //
    // Text
    //

    /// <summary>Both parts, round-trippable: <c>"hi + lo"</c>.</summary>
    public override string ToString() => ToString(null, CultureInfo.InvariantCulture);

    public string ToString(string? format, IFormatProvider? formatProvider) =>
        Lo == 0
            ? Hi.ToString(format ?? "R", formatProvider)
            : $"{Hi.ToString(format ?? "R", formatProvider)} + {Lo.ToString(format ?? "R", formatProvider)}";

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var text = ToString(format.IsEmpty ? null : format.ToString(), provider);
        if (text.Length > destination.Length)
        {
            charsWritten = 0;
            return false;
        }

        text.CopyTo(destination);
        charsWritten = text.Length;
        return true;
    }

    /// <summary>Parses a double (the extra bits of longer decimal text are not read).</summary>
    public static DoubleDouble Parse(string s, IFormatProvider? provider) => double.Parse(s, provider);

    public static DoubleDouble Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => double.Parse(s, provider);

    public static DoubleDouble Parse(string s, NumberStyles style, IFormatProvider? provider) => double.Parse(s, style, provider);

    public static DoubleDouble Parse(ReadOnlySpan<char> s, NumberStyles style, IFormatProvider? provider) => double.Parse(s, style, provider);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out DoubleDouble result) =>
        TryParse(s.AsSpan(), NumberStyles.Float, provider, out result);

    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out DoubleDouble result) =>
        TryParse(s, NumberStyles.Float, provider, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, NumberStyles style, IFormatProvider? provider, out DoubleDouble result) =>
        TryParse(s.AsSpan(), style, provider, out result);

    public static bool TryParse(ReadOnlySpan<char> s, NumberStyles style, IFormatProvider? provider, out DoubleDouble result)
    {
        var ok = double.TryParse(s, style, provider, out var d);
        result = d;
        return ok;
    }

    //
    // Not needed by the reference backend: no double-double accurate versions exist here.
    //

    private static NotSupportedException Unsupported(string member) =>
        new($"DoubleDouble.{member} is not implemented: the oracle type supports + - * /, Sqrt, FusedMultiplyAdd, rounding, comparisons and conversions only");

    public static DoubleDouble Atan2(DoubleDouble y, DoubleDouble x) => throw Unsupported(nameof(Atan2));

    public static DoubleDouble Atan2Pi(DoubleDouble y, DoubleDouble x) => throw Unsupported(nameof(Atan2Pi));

    public static DoubleDouble BitDecrement(DoubleDouble x) => throw Unsupported(nameof(BitDecrement));

    public static DoubleDouble BitIncrement(DoubleDouble x) => throw Unsupported(nameof(BitIncrement));

    public static DoubleDouble Ieee754Remainder(DoubleDouble left, DoubleDouble right) => throw Unsupported(nameof(Ieee754Remainder));

    public static DoubleDouble Exp(DoubleDouble x) => throw Unsupported(nameof(Exp));

    public static DoubleDouble Exp2(DoubleDouble x) => throw Unsupported(nameof(Exp2));

    public static DoubleDouble Exp10(DoubleDouble x) => throw Unsupported(nameof(Exp10));

    public static DoubleDouble Acosh(DoubleDouble x) => throw Unsupported(nameof(Acosh));

    public static DoubleDouble Asinh(DoubleDouble x) => throw Unsupported(nameof(Asinh));

    public static DoubleDouble Atanh(DoubleDouble x) => throw Unsupported(nameof(Atanh));

    public static DoubleDouble Cosh(DoubleDouble x) => throw Unsupported(nameof(Cosh));

    public static DoubleDouble Sinh(DoubleDouble x) => throw Unsupported(nameof(Sinh));

    public static DoubleDouble Tanh(DoubleDouble x) => throw Unsupported(nameof(Tanh));

    public static DoubleDouble Log(DoubleDouble x) => throw Unsupported(nameof(Log));

    public static DoubleDouble Log(DoubleDouble x, DoubleDouble newBase) => throw Unsupported(nameof(Log));

    public static DoubleDouble Log2(DoubleDouble x) => throw Unsupported(nameof(Log2));

    public static DoubleDouble Log10(DoubleDouble x) => throw Unsupported(nameof(Log10));

    public static DoubleDouble Pow(DoubleDouble x, DoubleDouble y) => throw Unsupported(nameof(Pow));

    public static DoubleDouble Cbrt(DoubleDouble x) => throw Unsupported(nameof(Cbrt));

    public static DoubleDouble Hypot(DoubleDouble x, DoubleDouble y) => throw Unsupported(nameof(Hypot));

    public static DoubleDouble RootN(DoubleDouble x, int n) => throw Unsupported(nameof(RootN));

    public static DoubleDouble Acos(DoubleDouble x) => throw Unsupported(nameof(Acos));

    public static DoubleDouble AcosPi(DoubleDouble x) => throw Unsupported(nameof(AcosPi));

    public static DoubleDouble Asin(DoubleDouble x) => throw Unsupported(nameof(Asin));

    public static DoubleDouble AsinPi(DoubleDouble x) => throw Unsupported(nameof(AsinPi));

    public static DoubleDouble Atan(DoubleDouble x) => throw Unsupported(nameof(Atan));

    public static DoubleDouble AtanPi(DoubleDouble x) => throw Unsupported(nameof(AtanPi));

    public static DoubleDouble Cos(DoubleDouble x) => throw Unsupported(nameof(Cos));

    public static DoubleDouble CosPi(DoubleDouble x) => throw Unsupported(nameof(CosPi));

    public static DoubleDouble Sin(DoubleDouble x) => throw Unsupported(nameof(Sin));

    public static (DoubleDouble Sin, DoubleDouble Cos) SinCos(DoubleDouble x) => throw Unsupported(nameof(SinCos));

    public static (DoubleDouble SinPi, DoubleDouble CosPi) SinCosPi(DoubleDouble x) => throw Unsupported(nameof(SinCosPi));

    public static DoubleDouble SinPi(DoubleDouble x) => throw Unsupported(nameof(SinPi));

    public static DoubleDouble Tan(DoubleDouble x) => throw Unsupported(nameof(Tan));

    public static DoubleDouble TanPi(DoubleDouble x) => throw Unsupported(nameof(TanPi));

    public int GetExponentByteCount() => throw Unsupported(nameof(GetExponentByteCount));

    public int GetExponentShortestBitLength() => throw Unsupported(nameof(GetExponentShortestBitLength));

    public int GetSignificandBitLength() => throw Unsupported(nameof(GetSignificandBitLength));

    public int GetSignificandByteCount() => throw Unsupported(nameof(GetSignificandByteCount));

    public bool TryWriteExponentBigEndian(Span<byte> destination, out int bytesWritten) => throw Unsupported(nameof(TryWriteExponentBigEndian));

    public bool TryWriteExponentLittleEndian(Span<byte> destination, out int bytesWritten) => throw Unsupported(nameof(TryWriteExponentLittleEndian));

    public bool TryWriteSignificandBigEndian(Span<byte> destination, out int bytesWritten) => throw Unsupported(nameof(TryWriteSignificandBigEndian));

    public bool TryWriteSignificandLittleEndian(Span<byte> destination, out int bytesWritten) => throw Unsupported(nameof(TryWriteSignificandLittleEndian));
}
