using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using CogDdim.Numerics;
using CogDdim.Rng;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Conformance.RngTests;

/// <summary>The generator's own contract: the engine, bulk draws, state round trips, errors.</summary>
public sealed class TorchGeneratorTests
{
    [Fact]
    public void Mt19937_gives_the_standards_10000th_value() // [rand.predef]: mt19937 default-seeded, 10000th output
    {
        var engine = new Mt19937(5489);
        uint value = 0;
        for (var i = 0; i < 10000; i++)
        {
            value = engine.NextUInt32();
        }

        Assert.Equal(4123659995u, value);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 623)]
    [InlineData(5, 624)]
    [InlineData(623, 2)]
    [InlineData(624, 1)]
    [InlineData(3, 5000)]
    public void Bulk_draws_are_the_same_stream_and_leave_the_same_bookkeeping(int skip, int count)
    {
        var one = new Mt19937(42);
        var bulk = new Mt19937(42);
        for (var i = 0; i < skip; i++)
        {
            one.NextUInt32();
            bulk.NextUInt32();
        }

        var expected = new uint[count];
        for (var i = 0; i < count; i++)
        {
            expected[i] = one.NextUInt32();
        }

        var actual = new uint[count];
        bulk.Fill(actual);
        Assert.Equal(expected, actual);
        Assert.Equal((one.Left, one.Next), (bulk.Left, bulk.Next));
        Assert.Equal(one.State.ToArray(), bulk.State.ToArray());
    }

    [Fact]
    public void A_fresh_generator_has_torchs_default_seed_and_state_layout()
    {
        var generator = new TorchGenerator();
        Assert.Equal(67280421310721UL, generator.InitialSeed);
        var state = generator.GetState();
        Assert.Equal(5056, state.Length);
        Assert.Equal(67280421310721UL, BinaryPrimitives.ReadUInt64LittleEndian(state));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(8))); // left
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(state.AsSpan(12))); // seeded
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(state.AsSpan(16))); // next
        Assert.Equal(67280421310721UL & 0xFFFFFFFF, BinaryPrimitives.ReadUInt64LittleEndian(state.AsSpan(24))); // state[0]
    }

    [Fact]
    public void Seeds_keep_64_bits_but_only_the_low_32_enter_the_stream()
    {
        var wide = new TorchGenerator((1UL << 32) + 42);
        var narrow = new TorchGenerator(42);
        Assert.Equal((1UL << 32) + 42, wide.InitialSeed);
        Assert.Equal(narrow.NextUInt64(), wide.NextUInt64());
        Assert.Equal(new TorchGenerator(ulong.MaxValue).NextUInt32(), new TorchGenerator().ManualSeed(-1L).NextUInt32());
    }

    [Fact]
    public void Manual_seed_drops_the_cached_normal_sample()
    {
        var generator = new TorchGenerator(3);
        generator.RandnArray<double>([1]);
        Assert.NotNull(generator.NextDoubleNormalSample);
        generator.ManualSeed(3);
        Assert.Null(generator.NextDoubleNormalSample);
        Assert.Equal(new TorchGenerator(3).GetState(), generator.GetState());
    }

    [Fact]
    public void The_serial_path_returns_the_cached_sine_next()
    {
        var pair = new TorchGenerator(11).RandnArray<double>([2]);
        var generator = new TorchGenerator(11);
        var first = generator.RandnArray<double>([1]);
        var second = generator.RandnArray<double>([1]);
        Assert.Equal(pair, new[] { first[0], second[0] });
        Assert.Null(generator.NextDoubleNormalSample);
    }

    [Fact]
    public void The_16_wide_path_neither_reads_nor_writes_the_cache()
    {
        var generator = new TorchGenerator(5);
        generator.RandnArray<float>([3]);
        var cached = generator.NextDoubleNormalSample;
        Assert.NotNull(cached);
        generator.RandnArray<float>([16]);
        Assert.Equal(cached, generator.NextDoubleNormalSample);
    }

    [Theory]
    [InlineData("float64")]
    [InlineData("float32")]
    [InlineData("float16")]
    [InlineData("bfloat16")]
    public void A_checkpoint_mid_stream_restores_the_same_continuation(string dtypeName)
    {
        var dtype = DTypes.Parse(dtypeName);
        foreach (var semantics in RandnSemantics.Named)
        {
            var generator = new TorchGenerator(2025);
            RandnDraws.Randn(generator, [7], dtype, semantics); // odd count: leaves a cached sample
            RandnDraws.Randn(generator, [700], dtype, semantics); // crosses a twist
            var checkpoint = generator.GetState();
            var clone = generator.Clone();
            var continuation = Continue(generator, dtype, semantics);

            var restored = new TorchGenerator(1);
            restored.SetState(checkpoint);
            Assert.Equal(checkpoint, restored.GetState());
            Assert.Equal(continuation, Continue(restored, dtype, semantics));
            Assert.Equal(continuation, Continue(clone, dtype, semantics));
        }

        static byte[][] Continue(TorchGenerator g, DType dtype, RandnSemantics s) =>
            [RandnDraws.Randn(g, [5], dtype, s), RandnDraws.Randn(g, [33], dtype, s), RandnDraws.Randn(g, [1], dtype, s), g.GetState()];
    }

    [Fact]
    public void The_legacy_state_layout_is_accepted()
    {
        var generator = new TorchGenerator(8);
        generator.RandnArray<double>([3]);
        var legacy = generator.GetState().AsSpan(0, TorchGenerator.LegacyStateSize).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(legacy.AsSpan(5040), 0); // legacy cache off
        var restored = new TorchGenerator();
        restored.SetState(legacy);
        Assert.Null(restored.NextDoubleNormalSample);
        Assert.Equal(generator.NextUInt64(), restored.NextUInt64());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5055)]
    [InlineData(5057)]
    public void A_state_of_the_wrong_size_is_rejected(int size)
    {
        var generator = new TorchGenerator(1);
        var before = generator.GetState();
        Assert.Throws<ArgumentException>(() => generator.SetState(new byte[size]));
        Assert.Equal(before, generator.GetState());
    }

    [Theory]
    [InlineData(8, 0)] // left 0
    [InlineData(8, 625)] // left > 624
    [InlineData(12, 0)] // not seeded
    [InlineData(16, 625)] // next > 624
    [InlineData(16, 600)] // next + left - 1 past the state (left 624 from a draw after a twist)
    public void An_invalid_engine_state_is_rejected_and_leaves_the_generator_as_it_was(int offset, int value)
    {
        var generator = new TorchGenerator(1);
        generator.NextUInt32();
        var state = generator.GetState();
        var before = state.ToArray();
        if (offset == 16)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(state.AsSpan(offset), (ulong)value);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(state.AsSpan(offset), value);
        }

        Assert.ThrowsAny<ArgumentException>(() => generator.SetState(state));
        Assert.Equal(before, generator.GetState());
    }

    [Fact]
    public void Bad_shapes_and_types_fail_like_torch()
    {
        var generator = new TorchGenerator(1);
        var error = Assert.Throws<ArgumentException>(() => generator.RandnArray<float>([2, -1]));
        Assert.Contains("negative dimension -1", error.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => generator.RandnArray<int>([3]));
        Assert.Throws<NotSupportedException>(() => generator.RandnSerial<long>(new long[2]));
        Assert.Throws<OverflowException>(() => generator.RandnArray<float>([int.MaxValue, int.MaxValue, 4]));
    }

    [Fact]
    public void Empty_and_zero_dim_shapes()
    {
        var generator = new TorchGenerator(4);
        var before = generator.GetState();
        Assert.Empty(generator.RandnArray<float>([3, 0]));
        Assert.Equal(before, generator.GetState());
        Assert.Single(generator.RandnArray<float>([])); // a 0-dim tensor holds one value
    }

    [Fact]
    public void The_vector_and_scalar_cephes_functions_agree()
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return;
        }

        var random = new Random(17);
        for (var i = 0; i < 20000; i++)
        {
            var u = new float[8];
            for (var j = 0; j < 8; j++)
            {
                u[j] = (random.Next(1 << 24) + 1) * (1f / (1 << 24)); // (0, 1], as 1 - uniform
            }

            var log = CephesFloat.Log(Vector256.Create(u));
            var theta = Vector256.Create(u) * CephesFloat.TwoPi;
            CephesFloat.SinCos(theta, out var sin, out var cos);
            for (var j = 0; j < 8; j++)
            {
                Assert.Equal(BitConverter.SingleToUInt32Bits(CephesFloat.Log(u[j])), BitConverter.SingleToUInt32Bits(log[j]));
                CephesFloat.SinCos(theta[j], out var s, out var c);
                Assert.Equal(BitConverter.SingleToUInt32Bits(s), BitConverter.SingleToUInt32Bits(sin[j]));
                Assert.Equal(BitConverter.SingleToUInt32Bits(c), BitConverter.SingleToUInt32Bits(cos[j]));
            }
        }
    }

    [Fact]
    public void Latent_shapes_follow_prepare_latents()
    {
        Assert.Equal([1, 13, 16, 60, 90], new CogVideoXLatentOptions().Shape().ToArray());
        Assert.Equal([2, 22, 16, 96, 170], new CogVideoXLatentOptions { BatchSize = 2, NumFrames = 81, Height = 768, Width = 1360, PatchSizeT = 2 }.Shape().ToArray());
        Assert.Throws<DivideByZeroException>(() => new CogVideoXLatentOptions { VaeScaleFactorSpatial = 0 }.Shape());
    }

    [Fact]
    public void Prepare_latents_checks_its_generators()
    {
        var options = new CogVideoXLatentOptions { BatchSize = 2, Height = 16, Width = 16 };
        var error = Assert.Throws<ArgumentException>(() => CogVideoXLatents.Prepare<float>(options, [new TorchGenerator(), new TorchGenerator(), new TorchGenerator()]));
        Assert.Contains("list of generators of length 3", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => CogVideoXLatents.Prepare<float>(options, (TorchGenerator)null!));
        Assert.Throws<ArgumentNullException>(() => CogVideoXLatents.Prepare<float>(options, (IReadOnlyList<TorchGenerator>)null!));
        Assert.Throws<ArgumentNullException>(() => CogVideoXLatents.Prepare<float>(options, [new TorchGenerator(), null!]));
        Assert.Throws<ArgumentException>(() => CogVideoXLatents.RandnTensor<float>([2, 3], []));
        Assert.Throws<NotSupportedException>(() => CogVideoXLatents.Prepare<int>(options, new TorchGenerator()));
    }

    [Fact]
    public void Init_noise_sigma_scales_as_a_python_float_times_the_tensor()
    {
        var options = new CogVideoXLatentOptions { Height = 16, Width = 16 };
        var one = CogVideoXLatents.Prepare<BFloat16>(options, new TorchGenerator(9)).Data;
        var two = CogVideoXLatents.Prepare<BFloat16>(options, new TorchGenerator(9), 2.0, SemanticsProfile.Torch2Cpu).Data;
        Assert.Equal(new TorchGenerator(9).RandnArray<BFloat16>(options.Shape().AsSpan()), one);
        Assert.Equal(one.Select(x => (BFloat16)((float)x * 2f)), two);
    }
}

/// <summary>The reduced kernels' bit-arithmetic rounding against .NET's conversions.</summary>
public sealed class ReducedRoundingTests
{
    [Fact]
    public void Bit_rounding_matches_the_conversions_over_the_box_muller_range()
    {
        var random = new Random(23);
        var half = default(NormalKernels.HalfOps);
        var bf = default(NormalKernels.BFloat16Ops);
        for (var i = 0; i < 300_000; i++)
        {
            // Every float with |x| < 65504: random bits below the largest finite float16, either sign.
            var bits = (uint)random.NextInt64(0, 0x477FE000) | (i % 2 == 0 ? 0u : 0x80000000u);
            var x = BitConverter.UInt32BitsToSingle(bits);
            Assert.Equal(BitConverter.SingleToUInt32Bits((float)(Half)x), BitConverter.SingleToUInt32Bits(half.Round(x)));
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)x), half.Bits(half.Round(x)));
            Assert.Equal(BitConverter.SingleToUInt32Bits((float)(BFloat16)x), BitConverter.SingleToUInt32Bits(bf.Round(x)));
            Assert.Equal(((BFloat16)x).ToBits(), bf.Bits(bf.Round(x)));
        }
    }
}
