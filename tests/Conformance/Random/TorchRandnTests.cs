using System.Security.Cryptography;
using CogDdim.Rng;
using CogDdim.Tensors;
using CogDdim.Torch;
using TorchSharp;
using Xunit.Abstractions;

namespace CogDdim.Conformance.RngTests;

/// <summary>
/// The torch backend draws with libtorch's own <c>torch.Generator</c> (TorchSharp-cpu: libtorch 2.10): the same bits
/// as the recorded draws, and its state bytes interchangeable with <see cref="TorchGenerator"/>'s.
/// </summary>
public sealed class TorchRandnTests(ITestOutputHelper output)
{
    private static byte[] TorchRandn(ulong seed, IReadOnlyList<int> shape, DType dtype)
    {
        var generator = new torch.Generator(seed, torch.CPU);
        using var t = TorchRandnOf(generator, shape, dtype);
        return t.bytes.ToArray();
    }

    private static torch.Tensor TorchRandnOf(torch.Generator generator, IReadOnlyList<int> shape, DType dtype) =>
        CogDdim.Torch.TorchRandn.Randn(generator, shape.Select(d => (long)d).ToArray(), dtype.ToScalarType());

    private static string Sha(torch.Generator generator)
    {
        using var state = generator.get_state();
        return Convert.ToHexStringLower(SHA256.HashData(state.bytes));
    }

    [Theory]
    [InlineData("float64")]
    [InlineData("float32")]
    [InlineData("float16")]
    [InlineData("bfloat16")]
    public void Torch_randn_reproduces_every_draw_of_the_torch_2_6_set(string dtypeName)
    {
        var dtype = DTypes.Parse(dtypeName);
        var draws = RandnSets.Load("torch-2.6-cpu").Draws.Where(d => d.DType == dtype).ToList();
        foreach (var draw in draws)
        {
            var actual = TorchRandn(draw.Seed, draw.Shape, dtype);
            Assert.True(draw.Output.Mismatch(actual) is null, $"{draw}: {draw.Output.Mismatch(actual)}");
        }

        output.WriteLine($"torch-2.6-cpu {dtypeName}: {draws.Count} draws through torch.Generator, 0 ULP");
    }

    /// <summary>
    /// libtorch 2.10 follows torch 2.x's randn rules, so on the torch-1.13 set it reproduces exactly the draws whose
    /// bits the 1.13 rules do not change (everything but float16 of 16+ elements and the serial float64 values where
    /// <c>log(1 - u)</c> and <c>log1p(-u)</c> round apart), and those it must miss are exactly the ones it misses.
    /// </summary>
    [Fact]
    public void On_the_torch_1_13_set_torch_randn_misses_exactly_the_draws_whose_rules_changed()
    {
        var draws = RandnSets.Load("torch-1.13-cpu").Draws.ToList();
        var reproduced = 0;
        foreach (var draw in draws)
        {
            var actual = TorchRandn(draw.Seed, draw.Shape, draw.DType);
            var torch2Rules = RandnDraws.Randn(new TorchGenerator(draw.Seed), draw.Shape.AsSpan(), draw.DType, RandnSemantics.Torch2Cpu);
            Assert.Equal(torch2Rules, actual);
            var matches = draw.Output.Mismatch(actual) is null;
            reproduced += matches ? 1 : 0;
        }

        output.WriteLine($"torch-1.13-cpu: torch.Generator reproduces {reproduced} of {draws.Count} draws; the rest follow the 1.13 rules");
        Assert.InRange(reproduced, 1, draws.Count - 1);
    }

    [Theory]
    [MemberData(nameof(RandnDraws.Sets), MemberType = typeof(RandnDraws))]
    public void Torch_generator_sequences_match_draw_by_draw_and_state_by_state(string set)
    {
        foreach (var sequence in RandnSets.Load(set).Sequences)
        {
            var generator = new torch.Generator(sequence.Seed, torch.CPU);
            foreach (var call in sequence.Calls)
            {
                using var t = TorchRandnOf(generator, call.Shape, call.DType);
                if (set == "torch-2.6-cpu")
                {
                    Assert.Null(call.Output.Mismatch(t.bytes));
                }

                Assert.Equal(call.StateSha256, Sha(generator)); // the stream position is the same on both builds
            }
        }
    }

    [Fact]
    public void State_bytes_pass_both_ways()
    {
        var ours = new TorchGenerator(77);
        ours.RandnArray<double>([5]); // leaves a cached normal sample
        ours.RandnArray<float>([1000]);
        using var theirs = ours.ToTorch();
        using (var state = theirs.get_state())
        {
            Assert.Equal(ours.GetState(), state.bytes.ToArray());
        }

        foreach (var (shape, dtype) in new (int[] Shape, DType DType)[] { ([3], DType.Float64), ([17], DType.Float16), ([1], DType.Float32), ([640], DType.BFloat16) })
        {
            using var t = TorchRandnOf(theirs, shape, dtype);
            Assert.Equal(RandnDraws.Randn(ours, shape, dtype, RandnSemantics.Torch2Cpu), t.bytes.ToArray());
        }

        var back = theirs.ToRng();
        Assert.Equal(ours.GetState(), back.GetState());
    }

    [Theory]
    [MemberData(nameof(RandnDraws.Sets), MemberType = typeof(RandnDraws))]
    public void Torch_prepare_latents_matches_randn_tensor(string set)
    {
        foreach (var c in RandnSets.Load(set).RandnTensor)
        {
            var generators = c.Seeds.Select(s => new torch.Generator(s, torch.CPU)).ToList();
            using var latents = CogDdim.Torch.TorchRandn.PrepareLatents(c.Options, generators, c.DType.ToScalarType(), c.InitNoiseSigma);
            Assert.Equal(c.Shape.Select(d => (long)d), latents.shape);
            var mismatch = c.Latents.Mismatch(latents.bytes);
            if (set == "torch-1.13-cpu" && c.DType == DType.Float16)
            {
                Assert.NotNull(mismatch); // torch 1.13's float16 rule; libtorch 2.10 has 2.x's
                continue;
            }

            Assert.True(mismatch is null, $"{set} {c.Name}: {mismatch}");
            foreach (var g in generators)
            {
                g.Dispose();
            }
        }
    }

    /// <summary>Sizes around the kernels' 1024-element chunks, with and without a partial block, against libtorch.</summary>
    [Theory]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(1040)]
    [InlineData(2047)]
    [InlineData(4099)]
    [InlineData(20007)]
    public void Chunk_boundaries_and_tails_match_torch_randn(int n)
    {
        foreach (var dtype in DTypes.FloatingPoint)
        {
            var ours = new TorchGenerator(31);
            var expected = TorchRandn(31, [n], dtype);
            Assert.Equal(expected, RandnDraws.Randn(ours, [n], dtype, RandnSemantics.Torch2Cpu));
        }
    }
}
