using System.Numerics;
using CogDdim.Precision;

namespace CogDdim.Conformance.Precision;

/// <summary>An exact rational number (BigInteger numerator and positive denominator), for checking double-double.</summary>
internal readonly record struct Rational
{
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero)
        {
            throw new DivideByZeroException();
        }

        if (denominator.Sign < 0)
        {
            (numerator, denominator) = (-numerator, -denominator);
        }

        var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        (Numerator, Denominator) = gcd.IsOne || gcd.IsZero ? (numerator, denominator) : (numerator / gcd, denominator / gcd);
    }

    public BigInteger Numerator { get; }

    public BigInteger Denominator { get; }

    public int Sign => Numerator.Sign;

    /// <summary>The exact value of a finite double: its significand times a power of two.</summary>
    public static Rational Of(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("only finite doubles are rationals", nameof(value));
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        var power = exponent - 1075;
        var numerator = new BigInteger(value < 0 ? -mantissa : mantissa);
        return power >= 0 ? new Rational(numerator << power, 1) : new Rational(numerator, BigInteger.One << -power);
    }

    public static Rational Of(DoubleDouble value) => Of(value.Hi) + Of(value.Lo);

    public static Rational operator +(Rational a, Rational b) => new((a.Numerator * b.Denominator) + (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    public static Rational operator -(Rational a, Rational b) => new((a.Numerator * b.Denominator) - (b.Numerator * a.Denominator), a.Denominator * b.Denominator);

    public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public static Rational operator /(Rational a, Rational b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

    public static bool operator <(Rational a, Rational b) => (a - b).Sign < 0;

    public static bool operator >(Rational a, Rational b) => (a - b).Sign > 0;

    public static bool operator <=(Rational a, Rational b) => (a - b).Sign <= 0;

    public static bool operator >=(Rational a, Rational b) => (a - b).Sign >= 0;

    public Rational Abs() => new(BigInteger.Abs(Numerator), Denominator);

    /// <summary>|actual − exact| / |exact| as a double (exact ≠ 0).</summary>
    public static double RelativeError(Rational actual, Rational exact)
    {
        var ratio = (actual - exact).Abs() / exact.Abs();
        return ToDouble(ratio);
    }

    /// <summary>An approximation good to a few ULP, enough to compare error ratios with bounds.</summary>
    public static double ToDouble(Rational value)
    {
        if (value.Numerator.IsZero)
        {
            return 0;
        }

        // Scale so the quotient has about 64 significant bits, then divide as integers.
        var shift = (int)(value.Denominator.GetBitLength() - BigInteger.Abs(value.Numerator).GetBitLength()) + 64;
        var scaled = shift >= 0 ? (value.Numerator << shift) / value.Denominator : value.Numerator / (value.Denominator << -shift);
        return Math.ScaleB((double)scaled, -shift);
    }
}
