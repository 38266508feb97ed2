using CogDdim.Numerics;
using CogDdim.Tensors;
using FsCheck;
using FsCheck.Xunit;

namespace CogDdim.Conformance.Numerics;

public sealed class UlpTests
{
    [Property(MaxTest = 2000)]
    public void Distance_is_symmetric(ulong a, ulong b)
    {
        Assert.Equal(Ulp.Distance(a, b, 64), Ulp.Distance(b, a, 64));
        Assert.Equal(Ulp.Distance(a & 0xFFFF, b & 0xFFFF, 16), Ulp.Distance(b & 0xFFFF, a & 0xFFFF, 16));
    }

    [Property(MaxTest = 2000)]
    public void Neighbouring_floats_are_one_ulp_apart(NormalFloat value)
    {
        var d = value.Get;
        Assert.Equal(1UL, Ulp.Distance(d, double.BitIncrement(d)));
        var f = (float)d;
        if (float.IsFinite(f) && f != float.MaxValue)
        {
            Assert.Equal(1UL, Ulp.Distance(f, float.BitIncrement(f)));
        }
    }

    [Fact]
    public void Plus_and_minus_zero_are_zero_apart_but_not_identical()
    {
        Assert.Equal(0UL, Ulp.Distance(0.0, -0.0));
        Assert.Equal(UlpRelation.ZeroSignMismatch, Ulp.Compare(0x0000, 0x8000, DType.Float16, out var d));
        Assert.Equal(0UL, d);
    }

    [Fact]
    public void The_distance_crosses_zero_by_counting_both_sides()
    {
        // The smallest positive and negative subnormals straddle ±0: 1 + 1 steps apart.
        Assert.Equal(2UL, Ulp.Distance(double.Epsilon, -double.Epsilon));
        Assert.Equal(2UL, Ulp.Distance(0x0001, 0x8001, 16));
    }

    [Fact]
    public void Infinities_are_one_ulp_beyond_the_largest_finite_value()
    {
        Assert.Equal(1UL, Ulp.Distance(float.MaxValue, float.PositiveInfinity));
        Assert.Equal(1UL, Ulp.Distance(BFloat16.MaxValue, BFloat16.PositiveInfinity));
    }

    [Theory]
    [InlineData(DType.Float16, 0x7E00UL, 0x7C01UL, UlpRelation.Identical)]
    [InlineData(DType.Float16, 0x7E00UL, 0x3C00UL, UlpRelation.ClassMismatch)]
    [InlineData(DType.BFloat16, 0x7FC0UL, 0xFFC1UL, UlpRelation.Identical)]
    [InlineData(DType.BFloat16, 0x7F80UL, 0x7FC0UL, UlpRelation.ClassMismatch)]
    [InlineData(DType.Float32, 0x7FC00000UL, 0x7F800001UL, UlpRelation.Identical)]
    [InlineData(DType.Float64, 0x7FF8000000000000UL, 0x3FF0000000000000UL, UlpRelation.ClassMismatch)]
    public void NaNs_match_each_other_and_never_a_number(DType dtype, ulong expected, ulong actual, UlpRelation relation) =>
        Assert.Equal(relation, Ulp.Compare(expected, actual, dtype, out _));

    [Fact]
    public void Half_distance_is_measured_in_half_ulps()
    {
        Assert.Equal(1024UL, Ulp.Distance((Half)1.0f, (Half)2.0f));
        Assert.Equal(128UL, Ulp.Distance((BFloat16)1.0f, (BFloat16)2.0f));
    }
}
