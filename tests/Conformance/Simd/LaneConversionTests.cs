using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CogDdim.Numerics;
using CogDdim.Simd;

namespace CogDdim.Conformance.Simd;

/// <summary>
/// The float16/bfloat16 recipes of every lane width agree bit for bit with .NET's <c>(float)Half</c>,
/// <c>(Half)float</c> and this project's <c>(BFloat16)float</c>: every float16 pattern, every rounding boundary
/// (each midpoint between neighbours and the floats on either side), NaN payloads, ∞, subnormals, and a stride
/// through all 2^32 float patterns. The Vector512/256 types also run (in software) where the CPU lacks them.
/// </summary>
public sealed class LaneConversionTests
{
    public static TheoryData<string> Widths() => ["128", "256", "512", "scalar"];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Half_widening_matches_every_float16_pattern(string width)
    {
        var bits = new ushort[65536];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = (ushort)i;
        }

        var widened = new float[bits.Length];
        ForWidth(width, new LoadHalfOp(bits, widened));
        for (var i = 0; i < bits.Length; i++)
        {
            var expected = (float)BitConverter.UInt16BitsToHalf(bits[i]);
            if (!(Same(expected, widened[i])))
            {
                Assert.Fail($"float16 0x{i:X4}: (float)Half gives {Hex(expected)}, {width}-bit lanes {Hex(widened[i])}");
            }

        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Half_narrowing_and_rounding_match_at_every_boundary(string width)
    {
        var inputs = Candidates(HalfNeighbours());
        var narrowed = new ushort[inputs.Length];
        var rounded = new float[inputs.Length];
        ForWidth(width, new StoreHalfOp(inputs, narrowed));
        ForWidth(width, new RoundHalfOp(inputs, rounded));
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (Half)inputs[i];
            if (!(BitConverter.HalfToUInt16Bits(expected) == narrowed[i]))
            {
                Assert.Fail($"float {Hex(inputs[i])}: (Half)float gives 0x{BitConverter.HalfToUInt16Bits(expected):X4}, {width}-bit lanes 0x{narrowed[i]:X4}");
            }

            if (!(Same((float)expected, rounded[i])))
            {
                Assert.Fail($"float {Hex(inputs[i])}: (float)(Half)x gives {Hex((float)expected)}, {width}-bit lanes {Hex(rounded[i])}");
            }

        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void BFloat16_conversions_match_at_every_boundary(string width)
    {
        var inputs = Candidates(BFloat16Neighbours());
        var narrowed = new ushort[inputs.Length];
        var rounded = new float[inputs.Length];
        var widened = new float[inputs.Length];
        ForWidth(width, new StoreBFloat16Op(inputs, narrowed));
        ForWidth(width, new RoundBFloat16Op(inputs, rounded));
        ForWidth(width, new LoadBFloat16Op(narrowed, widened));
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (BFloat16)inputs[i];
            if (!(expected.ToBits() == narrowed[i]))
            {
                Assert.Fail($"float {Hex(inputs[i])}: (BFloat16)float gives 0x{expected.ToBits():X4}, {width}-bit lanes 0x{narrowed[i]:X4}");
            }

            if (!(Same((float)expected, rounded[i])))
            {
                Assert.Fail($"float {Hex(inputs[i])}: (float)(BFloat16)x gives {Hex((float)expected)}, {width}-bit lanes {Hex(rounded[i])}");
            }

            if (!(Same((float)expected, widened[i])))
            {
                Assert.Fail($"bfloat16 0x{narrowed[i]:X4}: (float) gives {Hex((float)expected)}, {width}-bit lanes {Hex(widened[i])}");
            }

        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Fast_half_recipes_are_exact_where_they_raise_no_flag(string width)
    {
        // Widening: every float16 pattern; unflagged lanes must equal (float)Half, and every normal one must pass.
        var bits = new ushort[65536];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = (ushort)i;
        }

        var widened = new float[bits.Length];
        var widenFlags = new bool[bits.Length];
        ForWidth(width, new CheckedOp(bits, widened, widenFlags, Recipe.LoadHalf));
        for (var i = 0; i < bits.Length; i++)
        {
            var expected = (float)BitConverter.UInt16BitsToHalf(bits[i]);
            var normal = (i & 0x7C00) != 0 && (i & 0x7C00) != 0x7C00;
            Assert.True(widenFlags[i] || Same(expected, widened[i]), $"float16 0x{i:X4}: fast widening gives {Hex(widened[i])}, (float)Half {Hex(expected)}");
            Assert.True(!normal || !widenFlags[i] || width == "scalar", $"float16 0x{i:X4} is normal but flagged");
        }

        // Rounding and the narrowing of rounded values: every boundary; unflagged lanes exact, normal results unflagged.
        var inputs = Candidates(HalfNeighbours());
        var rounded = new float[inputs.Length];
        var roundFlags = new bool[inputs.Length];
        var narrowed = new ushort[inputs.Length];
        ForWidth(width, new CheckedOp(inputs, rounded, roundFlags, Recipe.RoundToHalf));
        ForWidth(width, new StoreRoundedOp(rounded, narrowed, Half: true));
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (Half)inputs[i];
            var magnitude = Math.Abs(inputs[i]);
            Assert.True(roundFlags[i] || Same((float)expected, rounded[i]), $"float {Hex(inputs[i])}: fast rounding gives {Hex(rounded[i])}, (float)(Half)x {Hex((float)expected)}");
            Assert.True(width == "scalar" || roundFlags[i] == !(magnitude >= 6.1035156E-05f && magnitude < 65520f), $"float {Hex(inputs[i])}: flag {roundFlags[i]}");
            Assert.True(roundFlags[i] || BitConverter.HalfToUInt16Bits(expected) == narrowed[i], $"float {Hex(inputs[i])}: narrowing the rounded value gives 0x{narrowed[i]:X4}, (Half)x 0x{BitConverter.HalfToUInt16Bits(expected):X4}");
        }
    }

    [Theory]
    [InlineData("128")]
    [InlineData("256")]
    [InlineData("512")]
    public void Scaled_half_form_is_exact_for_every_float16_pattern(string width)
    {
        // The pure float16 kernels hold x * 2^-112: loading must give exactly that for every finite pattern (subnormals
        // included), put ∞ and NaN at 2^-96 and above (where the kernels' input bound catches them), and storing the
        // loaded value must give the pattern back.
        var bits = new ushort[65536];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = (ushort)i;
        }

        var scaled = new float[bits.Length];
        var back = new ushort[bits.Length];
        var pairLow = new ushort[bits.Length];
        var pairHigh = new ushort[bits.Length];
        var reversed = bits.Reverse().ToArray();
        ForWidth(width, new ScaledRoundTripOp(bits, scaled, back));
        ForWidth(width, new ScaledPairOp(bits, reversed, pairLow, pairHigh));
        for (var i = 0; i < bits.Length; i++)
        {
            var mirror = bits.Length - 1 - i;
            if (Half.IsFinite(BitConverter.UInt16BitsToHalf((ushort)i)))
            {
                Assert.True(pairLow[i] == i, $"float16 0x{i:X4}: the pair store's first register gives 0x{pairLow[i]:X4}");
            }

            if (Half.IsFinite(BitConverter.UInt16BitsToHalf((ushort)mirror)))
            {
                Assert.True(pairHigh[i] == mirror, $"float16 0x{mirror:X4}: the pair store's second register gives 0x{pairHigh[i]:X4}");
            }
        }

        for (var i = 0; i < bits.Length; i++)
        {
            var half = BitConverter.UInt16BitsToHalf((ushort)i);
            if (Half.IsFinite(half))
            {
                var expected = (float)half * HalfBits.TwoPowMinus112;
                Assert.True(Same(expected, scaled[i]), $"float16 0x{i:X4}: scaled form {Hex(scaled[i])}, expected {Hex(expected)}");
                Assert.True(back[i] == i, $"float16 0x{i:X4}: stored back as 0x{back[i]:X4}");
            }
            else
            {
                Assert.True(Math.Abs(scaled[i]) >= MathF.ScaleB(1f, -96), $"float16 0x{i:X4} (not finite) loads as {Hex(scaled[i])}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Finite_half_rounding_matches_every_boundary_below_65520(string width)
    {
        var inputs = Candidates(HalfNeighbours()).Where(x => float.IsFinite(x) && Math.Abs(x) < 65520f).ToArray();
        var rounded = new float[inputs.Length];
        ForWidth(width, new UnaryOp(inputs, rounded, Unary.RoundToHalfFinite));
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (float)(Half)inputs[i];
            if (!Same(expected, rounded[i]))
            {
                Assert.Fail($"float {Hex(inputs[i])}: (float)(Half)x gives {Hex(expected)}, finite recipe of {width}-bit lanes {Hex(rounded[i])}");
            }
        }
    }

    [Theory]
    [InlineData("128")]
    [InlineData("256")]
    [InlineData("512")]
    public void Split_rounding_of_the_scaled_form_is_exact_for_normal_results_and_flags_the_rest(string width)
    {
        // Veltkamp's split on x * 2^-112 must give (Half)x * 2^-112 wherever a product leaves no flag; a subnormal or
        // zero result must leave a magnitude below 2^-126 in the flags; a normal input must not (values just below 2^-14
        // that round up to it may be flagged: they then take the finite recipes).
        var inputs = Candidates(HalfNeighbours()).Where(x => float.IsFinite(x) && Math.Abs(x) < 65520f).ToArray();
        var scaled = inputs.Select(x => x * HalfBits.TwoPowMinus112).ToArray();
        var rounded = new float[inputs.Length];
        var flagged = new bool[inputs.Length];
        ForWidth(width, new SplitOp(scaled, rounded, flagged));
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (Half)inputs[i];
            var normalResult = Math.Abs((float)expected) >= 6.1035156E-05f;
            Assert.True(normalResult || flagged[i], $"float {Hex(inputs[i])}: (Half)x = {Hex((float)expected)} is not normal but was not flagged");
            Assert.True(Math.Abs(inputs[i]) < 6.1035156E-05f || !flagged[i], $"float {Hex(inputs[i])} is normal but was flagged");
            if (!flagged[i])
            {
                var want = (float)expected * HalfBits.TwoPowMinus112;
                Assert.True(Same(want, rounded[i]), $"float {Hex(inputs[i])}: split of the scaled form gives {Hex(rounded[i])}, expected {Hex(want)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Finite_products_round_once_in_float_then_to_float16(string width)
    {
        // k * 1 = 2^-25 + 2^-45 lies just above the midpoint between 0 and float16's smallest subnormal, so torch's
        // float product, rounded to float16, is 2^-24. The same product in the scaled form (times 2^-112) would round
        // first to float's 2^-149 grid, onto the midpoint 2^-137, and then to 0 (ties to even): that is why the finite
        // recipes work on the values. The other inputs put products on every side of float16's subnormal range.
        var k = MathF.ScaleB(1f + MathF.ScaleB(1f, -20), -25);
        float[] inputs = [1f, -1f, 3f, 0.5f, 1.5f, MathF.ScaleB(1f, 10), -MathF.ScaleB(1f, 11) + 1, 0f, -0f, 0.75f, -2.5f, 1023f, 1024f, 2049f, 65504f, -65504f];
        var products = new float[inputs.Length];
        ForWidth(width, new FiniteProductOp(k, inputs, products));
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (float)(Half)(k * inputs[i]);
            Assert.True(Same(expected, products[i]), $"{Hex(k)} * {Hex(inputs[i])}: (float)(Half)(k * x) gives {Hex(expected)}, {width}-bit lanes {Hex(products[i])}");
        }

        Assert.Equal(MathF.ScaleB(1f, -24), products[0]);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Max_magnitude_is_the_larger_absolute_value_with_the_sign_cleared(string width)
    {
        // The pure float16 kernels bound their inputs with it (vrangeps where AVX-512DQ is there, unsigned bits
        // otherwise); the inputs are never NaN (the scaled form loads NaN as a large finite value).
        var values = Candidates(HalfNeighbours()).Where(x => !float.IsNaN(x)).ToArray();
        var random = new Random(12);
        var right = values.Select(_ => values[random.Next(values.Length)]).ToArray();
        var larger = new float[values.Length];
        ForWidth(width, new MaxMagnitudeOp(values, right, larger));
        for (var i = 0; i < values.Length; i++)
        {
            var expected = Math.Max(Math.Abs(values[i]), Math.Abs(right[i]));
            Assert.True(Same(expected, larger[i]), $"max magnitude of {Hex(values[i])} and {Hex(right[i])}: {width}-bit lanes {Hex(larger[i])}, expected {Hex(expected)}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Fast_bfloat16_recipes_are_exact_on_non_NaN_values(string width)
    {
        var inputs = Candidates(BFloat16Neighbours()).Where(x => !float.IsNaN(x)).ToArray();
        var rounded = new float[inputs.Length];
        var narrowed = new ushort[inputs.Length];
        var widened = new float[inputs.Length];
        var flags = new bool[inputs.Length];
        ForWidth(width, new CheckedOp(inputs, rounded, new bool[inputs.Length], Recipe.RoundToBFloat16));
        ForWidth(width, new StoreRoundedOp(rounded, narrowed, Half: false));
        ForWidth(width, new CheckedOp(narrowed, widened, flags, Recipe.LoadBFloat16));
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = (BFloat16)inputs[i];
            Assert.True(Same((float)expected, rounded[i]), $"float {Hex(inputs[i])}: fast bfloat16 rounding gives {Hex(rounded[i])}, (float)(BFloat16)x {Hex((float)expected)}");
            Assert.True(expected.ToBits() == narrowed[i], $"float {Hex(inputs[i])}: narrowing gives 0x{narrowed[i]:X4}, (BFloat16)x 0x{expected.ToBits():X4}");
            Assert.True(Same((float)expected, widened[i]), $"bfloat16 0x{narrowed[i]:X4}: widening gives {Hex(widened[i])}");
            Assert.True(width == "scalar" || flags[i] == !(Math.Abs((float)expected) < 4294967296f), $"bfloat16 0x{narrowed[i]:X4}: flag {flags[i]}");
        }
    }

    private static bool Same(float expected, float actual) => BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(actual);

    private static string Hex(float value) => $"0x{BitConverter.SingleToUInt32Bits(value):X8}";

    /// <summary>Each positive value, its upper neighbour's midpoint, and the floats one ulp either side of it.</summary>
    private static IEnumerable<uint> HalfNeighbours()
    {
        for (var h = 0; h < 0x7C00; h++)
        {
            var low = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            var high = (float)BitConverter.UInt16BitsToHalf((ushort)(h + 1));
            var middle = BitConverter.SingleToUInt32Bits((low / 2) + (high / 2));
            yield return BitConverter.SingleToUInt32Bits(low);
            yield return middle - 1;
            yield return middle;
            yield return middle + 1;
        }
    }

    private static IEnumerable<uint> BFloat16Neighbours()
    {
        for (uint b = 0; b < 0x7F80; b++)
        {
            var low = b << 16;
            yield return low;
            yield return low + 0x7FFF;
            yield return low + 0x8000;
            yield return low + 0x8001;
        }
    }

    /// <summary>The boundary values with both signs, the special patterns, and every 9973rd float pattern.</summary>
    private static float[] Candidates(IEnumerable<uint> boundaries)
    {
        var bits = new List<uint>(boundaries);
        bits.AddRange([0x7F80_0000, 0x7F80_0001, 0x7FC0_0000, 0x7FC0_0001, 0x7FA0_2000, 0x7F80_2000, 0x7FFF_FFFF, 0x7F81_2345,
            0x4780_0000, 0x477F_F000, 0x477F_EFFF, 0x477F_E000, 0x3880_0000, 0x387F_FFFF, 0x3300_0000, 0x3300_0001, 0x32FF_FFFF,
            0x0000_0001, 0x007F_FFFF, 0x0080_0000, 0x7F7F_FFFF, 0x7F7F_8000, 0x7F7F_7FFF]);
        for (ulong b = 0; b <= uint.MaxValue; b += 9973)
        {
            bits.Add((uint)b);
        }

        var count = bits.Count;
        for (var i = 0; i < count; i++)
        {
            bits.Add(bits[i] ^ 0x8000_0000);
        }

        return bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
    }

    private static void ForWidth<TOp>(string width, TOp op)
        where TOp : ILaneOp
    {
        switch (width)
        {
            case "128": Run<Lanes128<float>, Vector128<float>, TOp>(op); break;
            case "256": Run<Lanes256<float>, Vector256<float>, TOp>(op); break;
            case "512": Run<Lanes512<float>, Vector512<float>, TOp>(op); break;
            default: Run<ScalarLanes<float>, float, TOp>(op); break;
        }
    }

    /// <summary>Whole registers, then the last register again over the final elements (overlapping is harmless).</summary>
    private static void Run<TL, TVec, TOp>(TOp op)
        where TL : ILanes<TVec, float>
        where TVec : struct
        where TOp : ILaneOp
    {
        var count = op.Length;
        for (var i = 0; i < count; i += TL.Count)
        {
            op.Apply<TL, TVec>(Math.Min(i, count - TL.Count));
        }
    }

    private interface ILaneOp
    {
        int Length { get; }

        void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct;
    }

    private readonly record struct LoadHalfOp(ushort[] Source, float[] Destination) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.Store(TL.LoadHalf(ref Source[index]), ref Destination[index]);
    }

    private readonly record struct StoreHalfOp(float[] Source, ushort[] Destination) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.StoreHalf(TL.Load(ref Source[index]), ref Destination[index]);
    }

    private readonly record struct RoundHalfOp(float[] Source, float[] Destination) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.Store(TL.RoundToHalf(TL.Load(ref Source[index])), ref Destination[index]);
    }

    private readonly record struct LoadBFloat16Op(ushort[] Source, float[] Destination) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.Store(TL.LoadBFloat16(ref Source[index]), ref Destination[index]);
    }

    private readonly record struct StoreBFloat16Op(float[] Source, ushort[] Destination) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.StoreBFloat16(TL.Load(ref Source[index]), ref Destination[index]);
    }

    private readonly record struct RoundBFloat16Op(float[] Source, float[] Destination) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.Store(TL.RoundToBFloat16(TL.Load(ref Source[index])), ref Destination[index]);
    }

    /// <summary><see cref="ILanes{TVec, T}.StoreHalfScaledPair"/> of a register of each source: the first half of
    /// the output goes to <paramref name="Low"/>, the second to <paramref name="High"/>.</summary>
    private readonly record struct ScaledPairOp(ushort[] First, ushort[] Second, ushort[] Low, ushort[] High) : ILaneOp
    {
        public int Length => First.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct
        {
            Span<ushort> both = stackalloc ushort[2 * TL.Count];
            TL.StoreHalfScaledPair(TL.LoadHalfScaled(ref First[index]), TL.LoadHalfScaled(ref Second[index]), ref both[0]);
            both[..TL.Count].CopyTo(Low.AsSpan(index));
            both[TL.Count..].CopyTo(High.AsSpan(index));
        }
    }

    /// <summary><c>scalar * x</c> in the finite arithmetic (<see cref="HalfFiniteArithmetic{TL, TVec, TC}"/>), per lane.</summary>
    private readonly record struct FiniteProductOp(float Scalar, float[] Source, float[] Destination) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct
        {
            TVec unused = default;
            TL.Store(HalfFiniteArithmetic<TL, TVec, float>.MultiplyModel(TL.Broadcast(Scalar), TL.Load(ref Source[index]), ref unused), ref Destination[index]);
        }
    }

    /// <summary>Per lane, <see cref="ILanes{TVec, T}.MaxMagnitude"/> of the two sources.</summary>
    private readonly record struct MaxMagnitudeOp(float[] Left, float[] Right, float[] Destination) : ILaneOp
    {
        public int Length => Left.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.Store(TL.MaxMagnitude(TL.Load(ref Left[index]), TL.Load(ref Right[index])), ref Destination[index]);
    }

    private readonly record struct ScaledRoundTripOp(ushort[] Source, float[] Scaled, ushort[] Back) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct
        {
            var value = TL.LoadHalfScaled(ref Source[index]);
            TL.Store(value, ref Scaled[index]);
            Span<ushort> both = stackalloc ushort[2 * TL.Count];
            TL.StoreHalfScaledPair(value, value, ref both[0]);
            both[..TL.Count].CopyTo(Back.AsSpan(index));
        }
    }

    private enum Unary
    {
        RoundToHalfFinite,
    }

    private readonly record struct UnaryOp(float[] Source, float[] Destination, Unary Op) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct => TL.Store(TL.RoundToHalfFinite(TL.Load(ref Source[index])), ref Destination[index]);
    }

    /// <summary>A product with 1 in the split arithmetic, one lane per register (each lane's flag on its own).</summary>
    private readonly record struct SplitOp(float[] Source, float[] Destination, bool[] Flagged) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct
        {
            Span<float> lane = stackalloc float[TL.Count];
            for (var l = 0; l < TL.Count; l++)
            {
                lane.Fill(Source[index + l]);
                var smallest = TL.Broadcast(float.PositiveInfinity);
                var value = HalfSplitArithmetic<TL, TVec, float>.MultiplyModel(TL.Broadcast(1f), TL.Load(ref lane[0]), ref smallest);
                TL.Store(value, ref lane[0]);
                Destination[index + l] = lane[0];
                Flagged[index + l] = TL.Below(smallest, HalfBits.SmallestNormalSingle);
            }
        }
    }

    private enum Recipe
    {
        LoadHalf,
        RoundToHalf,
        LoadBFloat16,
        RoundToBFloat16,
    }

    /// <summary>One fast recipe over whole registers; a lane counts as flagged when its register's flags reach the limit
    /// with that lane alone (each lane is run in a register of copies of itself).</summary>
    private readonly record struct CheckedOp(Array Source, float[] Destination, bool[] Flagged, Recipe Recipe) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct
        {
            var count = TL.Count;
            Span<float> lane = stackalloc float[count];
            Span<ushort> bits = stackalloc ushort[count];
            for (var l = 0; l < count; l++)
            {
                var at = index + l;
                TVec flags = default;
                if (Source is ushort[] patterns)
                {
                    bits.Fill(patterns[at]);
                }
                else
                {
                    lane.Fill(((float[])Source)[at]);
                }

                var value = Recipe switch
                {
                    Recipe.LoadHalf => TL.LoadHalfChecked(ref bits[0], ref flags),
                    Recipe.RoundToHalf => TL.RoundToHalfChecked(TL.Load(ref lane[0]), ref flags),
                    Recipe.LoadBFloat16 => TL.LoadBFloat16Checked(ref bits[0], ref flags),
                    _ => TL.RoundToBFloat16Finite(TL.Load(ref lane[0])),
                };
                TL.Store(value, ref lane[0]);
                Destination[at] = lane[0];
                Flagged[at] = TL.Flagged(flags, Recipe is Recipe.LoadHalf or Recipe.RoundToHalf ? HalfBits.HalfFlagLimit : HalfBits.BFloat16FlagLimit);
            }
        }
    }

    private readonly record struct StoreRoundedOp(float[] Source, ushort[] Destination, bool Half) : ILaneOp
    {
        public int Length => Source.Length;

        public void Apply<TL, TVec>(int index)
            where TL : ILanes<TVec, float>
            where TVec : struct
        {
            if (Half)
            {
                TL.StoreHalfRounded(TL.Load(ref Source[index]), ref Destination[index]);
            }
            else
            {
                TL.StoreBFloat16Rounded(TL.Load(ref Source[index]), ref Destination[index]);
            }
        }
    }
}
