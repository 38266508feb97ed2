using System.Numerics;
using CogDdim.Numerics;
using CogDdim.Precision;

namespace CogDdim.Conformance.Precision;

/// <summary>The oracle's number type against exact rational arithmetic, on random cases from a fixed seed.</summary>
public class DoubleDoubleTests
{
    private const int Cases = 2000;

    /// <summary>A random normalized double-double: hi with a random exponent in [-40, 40], lo any value within half an ulp.</summary>
    private static DoubleDouble RandomValue(Random random, int exponentRange = 40)
    {
        var hi = (random.NextDouble() + 0.5) * Math.ScaleB(1.0, random.Next(-exponentRange, exponentRange + 1)) * (random.Next(2) == 0 ? 1 : -1);
        var halfUlp = Math.ScaleB(1.0, Math.ILogB(hi) - 53);
        var lo = (random.NextDouble() * 2 - 1) * halfUlp;
        var sum = hi + lo;
        return new DoubleDouble(sum, lo - (sum - hi));
    }

    public static TheoryData<string> Operations => new() { "+", "-", "*", "/" };

    [Theory]
    [MemberData(nameof(Operations))]
    public void Arithmetic_stays_within_the_stated_error_bound(string operation)
    {
        var random = new Random(20260701 + operation[0]);
        var worst = 0.0;
        for (var i = 0; i < Cases; i++)
        {
            var a = RandomValue(random);
            var b = RandomValue(random);
            var (actual, exact) = operation switch
            {
                "+" => (a + b, Rational.Of(a) + Rational.Of(b)),
                "-" => (a - b, Rational.Of(a) - Rational.Of(b)),
                "*" => (a * b, Rational.Of(a) * Rational.Of(b)),
                _ => (a / b, Rational.Of(a) / Rational.Of(b)),
            };
            if (exact.Sign == 0)
            {
                Assert.Equal(0.0, actual.Hi);
                continue;
            }

            worst = Math.Max(worst, Rational.RelativeError(Rational.Of(actual), exact));
            AssertNormalized(actual);
        }

        Assert.InRange(worst, 0, DoubleDouble.ErrorBound);
        // The bound is not vacuous: the operation does round (far below double's 2^-53).
        Assert.InRange(worst, 1e-36, 1e-30);
    }

    [Fact]
    public void Sums_that_cancel_keep_the_low_part()
    {
        var random = new Random(7);
        for (var i = 0; i < Cases; i++)
        {
            var a = RandomValue(random);
            var b = -a + new DoubleDouble(Math.ScaleB(a.Hi, -60), 0);
            var exact = Rational.Of(a) + Rational.Of(b);
            Assert.InRange(Rational.RelativeError(Rational.Of(a + b), exact), 0, DoubleDouble.ErrorBound);
        }
    }

    [Fact]
    public void Sqrt_squared_gives_back_the_argument_within_twice_the_bound()
    {
        var random = new Random(11);
        var worst = 0.0;
        for (var i = 0; i < Cases; i++)
        {
            var a = DoubleDouble.Abs(RandomValue(random));
            var root = Rational.Of(DoubleDouble.Sqrt(a));
            // sqrt(a)(1 + d) squared is a(1 + 2d + d²): the relative error of the square is twice the root's.
            worst = Math.Max(worst, Rational.RelativeError(root * root, Rational.Of(a)) / 2);
        }

        Assert.InRange(worst, 1e-36, DoubleDouble.ErrorBound);
        Assert.Equal(new DoubleDouble(3, 0), DoubleDouble.Sqrt(new DoubleDouble(9, 0)));
        Assert.Equal(0.0, DoubleDouble.Sqrt(DoubleDouble.Zero).Hi);
        Assert.True(DoubleDouble.IsNaN(DoubleDouble.Sqrt(new DoubleDouble(-1, 0))));
    }

    [Fact]
    public void Conversions_to_narrower_types_round_once_to_nearest()
    {
        var random = new Random(13);
        for (var i = 0; i < Cases; i++)
        {
            var value = RandomValue(random, 10);
            var exact = Rational.Of(value);
            AssertNearest(exact, (double)float.CreateTruncating(value), x => (double)MathF.BitDecrement((float)x), x => (double)MathF.BitIncrement((float)x));
            AssertNearest(exact, (double)Half.CreateTruncating(value), x => (double)Half.BitDecrement((Half)x), x => (double)Half.BitIncrement((Half)x));
            AssertNearest(exact, (double)BFloat16.CreateTruncating(value), x => (double)BFloat16.BitDecrement((BFloat16)x), x => (double)BFloat16.BitIncrement((BFloat16)x));
            Assert.Equal(value.Hi, double.CreateTruncating(value));
        }
    }

    [Fact]
    public void A_value_just_above_a_float_midpoint_rounds_up_although_its_high_part_is_the_midpoint()
    {
        // 1 + 2^-24 is halfway between the floats 1 and 1 + 2^-23; a tiny positive low part must break the tie upward.
        var midpoint = 1 + Math.ScaleB(1.0, -24);
        Assert.Equal(1 + Math.ScaleB(1.0, -23), (double)(float)new DoubleDouble(midpoint, Math.ScaleB(1.0, -80)));
        Assert.Equal(1.0, (double)(float)new DoubleDouble(midpoint, -Math.ScaleB(1.0, -80)));
        Assert.Equal(1.0, (double)(float)new DoubleDouble(midpoint, 0));
    }

    [Fact]
    public void Integers_convert_exactly_both_ways()
    {
        var random = new Random(17);
        for (var i = 0; i < Cases; i++)
        {
            var value = random.NextInt64(long.MinValue, long.MaxValue);
            var dd = Create<DoubleDouble, long>(value);
            Assert.Equal(Rational.Of(dd), new Rational(value, 1));
            Assert.Equal(value, long.CreateTruncating(dd));
        }

        Assert.Equal(1000, int.CreateTruncating(Create<DoubleDouble, int>(1000)));
        Assert.Equal(-2L, long.CreateTruncating(new DoubleDouble(-2.5, 0)));
        Assert.Equal(2L, long.CreateTruncating(new DoubleDouble(3, -1e-20)));
    }

    [Fact]
    public void Comparisons_agree_with_exact_order()
    {
        var random = new Random(19);
        for (var i = 0; i < Cases; i++)
        {
            var a = RandomValue(random, 2);
            var b = i % 3 == 0 ? new DoubleDouble(a.Hi, random.Next(3) - 1 == 0 ? a.Lo : -a.Lo) : RandomValue(random, 2);
            var exact = (Rational.Of(a) - Rational.Of(b)).Sign;
            Assert.Equal(exact < 0, a < b);
            Assert.Equal(exact > 0, a > b);
            Assert.Equal(exact == 0, a == b);
            Assert.Equal(exact, Math.Sign(a.CompareTo(b)));
        }
    }

    [Fact]
    public void Members_the_reference_does_not_need_say_so()
    {
        var error = Assert.Throws<NotSupportedException>(() => DoubleDouble.Exp(DoubleDouble.One));
        Assert.Contains("Exp", error.Message);
        Assert.Equal(DoubleDouble.One, DoubleDouble.FusedMultiplyAdd(new DoubleDouble(0.5, 0), new DoubleDouble(4, 0), DoubleDouble.NegativeOne));
    }

    private static TTo Create<TTo, TFrom>(TFrom value)
        where TTo : INumberBase<TTo>
        where TFrom : INumberBase<TFrom> => TTo.CreateTruncating(value);

    private static void AssertNearest(Rational exact, double rounded, Func<double, double> below, Func<double, double> above)
    {
        var error = (Rational.Of(rounded) - exact).Abs();
        Assert.True(error <= (Rational.Of(below(rounded)) - exact).Abs(), $"{rounded} is not the nearest: its lower neighbour is nearer");
        Assert.True(error <= (Rational.Of(above(rounded)) - exact).Abs(), $"{rounded} is not the nearest: its upper neighbour is nearer");
    }

    private static void AssertNormalized(DoubleDouble value)
    {
        var halfUlp = Math.ScaleB(1.0, Math.ILogB(value.Hi) - 53);
        Assert.True(Math.Abs(value.Lo) <= halfUlp, $"{value} is not normalized");
    }
}
