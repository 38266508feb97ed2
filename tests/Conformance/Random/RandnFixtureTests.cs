using CogDdim.Numerics;
using CogDdim.Rng;
using CogDdim.Semantics;
using CogDdim.Tensors;
using Xunit.Abstractions;

namespace CogDdim.Conformance.RngTests;

/// <summary>Every recorded torch.randn draw of both sets, reproduced by <see cref="TorchGenerator"/> at 0 ULP.</summary>
public sealed class RandnFixtureTests(ITestOutputHelper output)
{
    private static SemanticsProfile ProfileOf(string set) => set == "torch-1.13-cpu" ? SemanticsProfile.Torch113Cpu : SemanticsProfile.Torch2Cpu;

    [Theory]
    [MemberData(nameof(RandnDraws.Sets), MemberType = typeof(RandnDraws))]
    public void The_named_profile_carries_the_rules_the_set_recorded(string set)
    {
        var recorded = RandnSets.Load(set).Semantics;
        var named = ProfileOf(set).Randn;
        Assert.Equal(recorded with { Name = named.Name }, named);
    }

    [Theory]
    [MemberData(nameof(RandnDraws.SetsAndDTypes), MemberType = typeof(RandnDraws))]
    public void Every_draw_is_bit_exact(string set, string dtypeName)
    {
        var dtype = DTypes.Parse(dtypeName);
        var fixture = RandnSets.Load(set);
        var semantics = ProfileOf(set).Randn;
        var draws = fixture.Draws.Where(d => d.DType == dtype).ToList();
        Assert.NotEmpty(draws);
        foreach (var draw in draws)
        {
            var actual = RandnDraws.Randn(new TorchGenerator(draw.Seed), draw.Shape.AsSpan(), dtype, semantics);
            Assert.True(draw.Output.Mismatch(actual) is null, $"{set} {draw}: {draw.Output.Mismatch(actual)}");
        }

        output.WriteLine($"{set} {dtypeName}: {draws.Count} draws, {draws.Sum(d => d.Output.Count)} elements, 0 ULP");
    }

    [Theory]
    [MemberData(nameof(RandnDraws.Sets), MemberType = typeof(RandnDraws))]
    public void Strided_draws_take_the_serial_path(string set)
    {
        var fixture = RandnSets.Load(set);
        var semantics = ProfileOf(set).Randn;
        Assert.NotEmpty(fixture.Strided);
        foreach (var s in fixture.Strided)
        {
            var generator = new TorchGenerator(s.Seed);
            var actual = RandnDraws.Serial(generator, s.N, s.DType, semantics);
            Assert.True(s.Output.Mismatch(actual) is null, $"{set} strided {s.DType.Name()} n {s.N}: {s.Output.Mismatch(actual)}");
            Assert.Equal(s.StateSha256, RandnDraws.StateSha256(generator));
        }
    }

    [Theory]
    [MemberData(nameof(RandnDraws.Sets), MemberType = typeof(RandnDraws))]
    public void Successive_draws_and_the_state_after_each_match(string set)
    {
        var fixture = RandnSets.Load(set);
        var semantics = ProfileOf(set).Randn;
        Assert.NotEmpty(fixture.Sequences);
        foreach (var sequence in fixture.Sequences)
        {
            var generator = new TorchGenerator(sequence.Seed);
            for (var i = 0; i < sequence.Calls.Length; i++)
            {
                var call = sequence.Calls[i];
                var actual = RandnDraws.Randn(generator, call.Shape.AsSpan(), call.DType, semantics);
                Assert.True(call.Output.Mismatch(actual) is null, $"{set} seed {sequence.Seed} call {i}: {call.Output.Mismatch(actual)}");
                Assert.Equal(call.StateSha256, RandnDraws.StateSha256(generator));
                if (i + 1 == sequence.CheckpointAfter)
                {
                    Assert.Equal(sequence.CheckpointState.ToArray(), generator.GetState());
                }
            }

            output.WriteLine($"{set} seed {sequence.Seed}: {sequence.Calls.Length} successive draws, state after each matches");
        }
    }

    [Theory]
    [MemberData(nameof(RandnDraws.Sets), MemberType = typeof(RandnDraws))]
    public void Torchs_checkpoint_bytes_restore_the_stream(string set)
    {
        var fixture = RandnSets.Load(set);
        var semantics = ProfileOf(set).Randn;
        foreach (var sequence in fixture.Sequences)
        {
            var generator = new TorchGenerator(999);
            generator.SetState(sequence.CheckpointState.AsSpan());
            foreach (var call in sequence.Calls.Skip(sequence.CheckpointAfter))
            {
                var actual = RandnDraws.Randn(generator, call.Shape.AsSpan(), call.DType, semantics);
                Assert.Null(call.Output.Mismatch(actual));
                Assert.Equal(call.StateSha256, RandnDraws.StateSha256(generator));
            }
        }
    }

    [Theory]
    [MemberData(nameof(RandnDraws.Sets), MemberType = typeof(RandnDraws))]
    public void Prepare_latents_gives_randn_tensor_times_init_noise_sigma(string set)
    {
        var fixture = RandnSets.Load(set);
        var profile = ProfileOf(set);
        Assert.NotEmpty(fixture.RandnTensor);
        foreach (var c in fixture.RandnTensor)
        {
            Assert.Equal(c.Shape, c.Options.Shape().ToArray());
            var generators = c.Seeds.Select(s => new TorchGenerator(s)).ToList();
            var actual = c.DType switch
            {
                DType.Float64 => RandnDraws.Bytes(CogVideoXLatents.Prepare<double>(c.Options, generators, c.InitNoiseSigma, profile).Data),
                DType.Float32 => RandnDraws.Bytes(CogVideoXLatents.Prepare<float>(c.Options, generators, c.InitNoiseSigma, profile).Data),
                DType.Float16 => RandnDraws.Bytes(CogVideoXLatents.Prepare<Half>(c.Options, generators, c.InitNoiseSigma, profile).Data),
                _ => RandnDraws.Bytes(CogVideoXLatents.Prepare<BFloat16>(c.Options, generators, c.InitNoiseSigma, profile).Data),
            };
            Assert.True(c.Latents.Mismatch(actual) is null, $"{set} {c.Name}: {c.Latents.Mismatch(actual)}");
        }
    }

    /// <summary>
    /// The two builds differ exactly where their rules do: replaying the torch-1.13 set with torch 2.x's rules
    /// reproduces every draw that the 2.6 set records with the same bits, and none of the others.
    /// </summary>
    [Fact]
    public void The_sets_differ_only_where_the_rules_differ()
    {
        var old = RandnSets.Load("torch-1.13-cpu");
        var current = RandnSets.Load("torch-2.6-cpu");
        var differing = 0;
        for (var i = 0; i < old.Draws.Length; i++)
        {
            var draw = old.Draws[i];
            var withTorch2Rules = RandnDraws.Randn(new TorchGenerator(draw.Seed), draw.Shape.AsSpan(), draw.DType, RandnSemantics.Torch2Cpu);
            var recorded26 = current.Draws[i].Output;
            var same = draw.Output.Data is { } bytes ? recorded26.Mismatch(bytes.ToBytes()) is null : draw.Output.Sha256 == recorded26.Sha256;
            Assert.Equal(same, draw.Output.Mismatch(withTorch2Rules) is null);
            differing += same ? 0 : 1;
        }

        output.WriteLine($"{differing} of {old.Draws.Length} draws differ between torch 1.13 and 2.6");
        Assert.True(differing > 0);
    }
}
