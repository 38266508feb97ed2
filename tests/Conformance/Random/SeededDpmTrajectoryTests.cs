using System.Numerics;
using CogDdim.Fixtures;
using CogDdim.Numerics;
using CogDdim.Rng;
using CogDdim.Scheduling;
using CogDdim.Tensors;

namespace CogDdim.Conformance.RngTests;

/// <summary>
/// diffusers' CogVideoX-5b DPM loop from a seed, with nothing recorded but the model outputs: the starting latents are
/// the generator's first draw, and every step's noise is drawn by the span DPM scheduler itself from the same
/// generator (<see cref="TorchNoiseSource"/>: mt19937 and torch's sampling in managed code; no TorchSharp call), once on
/// a first-order step and twice on a second-order one. Every latent, draw and prev_sample must equal diffusers'
/// recording bit for bit, on both torch builds.
/// </summary>
public sealed class SeededDpmTrajectoryTests
{
    public static TheoryData<string, int> Trajectories()
    {
        var data = new TheoryData<string, int>();
        foreach (var set in new[] { "torch-2.6-cpu", "torch-1.13-cpu" })
        {
            var suite = TestFixtures.Load($"{set}/dpm-cogvideox-5b");
            for (var i = 0; i < suite.DpmTrajectories.Length; i++)
            {
                if (suite.DpmTrajectories[i].Error is null)
                {
                    data.Add(set, i);
                }
            }
        }

        return data;
    }

    [Fact]
    public void Both_sets_have_seeded_five_b_trajectories_of_fifty_steps()
    {
        var trajectories = Trajectories();
        Assert.True(trajectories.Count() >= 12, $"only {trajectories.Count()} trajectories");
        foreach (var set in new[] { "torch-2.6-cpu", "torch-1.13-cpu" })
        {
            Assert.Contains(TestFixtures.Load($"{set}/dpm-cogvideox-5b").DpmTrajectories, c => c.NumInferenceSteps == 50 && c.ModelOutputs.Length == 50);
        }
    }

    [Theory]
    [MemberData(nameof(Trajectories))]
    public void A_seeded_loop_reproduces_diffusers_bit_for_bit(string set, int index)
    {
        var suite = TestFixtures.Load($"{set}/dpm-cogvideox-5b");
        var c = suite.DpmTrajectories[index];
        switch ((c.DType, c.ModelDType ?? c.DType))
        {
            case (DType.Float64, DType.Float64): Run<double, double>(suite, c); break;
            case (DType.Float32, DType.Float32): Run<float, float>(suite, c); break;
            case (DType.Float16, DType.Float16): Run<Half, Half>(suite, c); break;
            case (DType.BFloat16, DType.BFloat16): Run<BFloat16, BFloat16>(suite, c); break;
            case (DType.Float16, DType.Float32): Run<Half, float>(suite, c); break;
            case (DType.BFloat16, DType.Float32): Run<BFloat16, float>(suite, c); break;
            default: Assert.Fail($"no case for {c.DType}/{c.ModelDType}"); break;
        }
    }

    private static void Run<TLatent, TModel>(FixtureSuite suite, DpmTrajectoryCase c)
        where TLatent : unmanaged, IFloatingPointIeee754<TLatent>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        var profile = suite.Reference.Semantics;
        var generator = new TorchGenerator(unchecked((ulong)c.GeneratorSeed));
        var latents = new TLatent[c.Latents.Length];
        generator.Randn<TLatent>(latents, profile.Randn);          // prepare_latents: the first draw (× init_noise_sigma 1.0)
        AssertBits("latents", c.Latents.Span<TLatent>(), latents);

        var scheduler = SpanScheduler.CreateDpm(suite.Config, profile);
        scheduler.SetTimesteps(c.NumInferenceSteps);
        var recording = new RecordingSource(new TorchNoiseSource(generator, profile.Randn));
        var prev = new TModel[latents.Length];
        var x0 = new TModel[latents.Length];
        var sample = latents;
        for (var i = 0; i < c.ModelOutputs.Length; i++)
        {
            var t = scheduler.Timesteps[i];
            Assert.Equal(c.Timesteps[i], t);
            recording.Draws.Clear();
            scheduler.Step<TLatent, TModel>(c.ModelOutputs[i].Span<TModel>(), t, sample, recording, prev, x0);
            Assert.Equal(c.Noises[i].Length, recording.Draws.Count);
            for (var k = 0; k < recording.Draws.Count; k++)
            {
                AssertBits($"noises[{i}][{k}]", c.Noises[i][k].Span<TLatent>(), (TLatent[])recording.Draws[k]);
            }

            AssertBits($"prev_samples[{i}]", c.PrevSamples[i].Span<TModel>(), prev);
            AssertBits($"pred_original_samples[{i}]", c.PredOriginalSamples[i].Span<TModel>(), x0);
            var next = new TLatent[latents.Length];
            for (var j = 0; j < next.Length; j++)
            {
                next[j] = TorchArithmetic.Convert<TModel, TLatent>(prev[j]);   // latents.to(dtype), or a copy
            }

            sample = next;
        }
    }

    private static void AssertBits<T>(string what, ReadOnlySpan<T> expected, ReadOnlySpan<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual.Slice(i, 1))))
            {
                Assert.Fail($"{what}[{i}]: diffusers {expected[i]}, ours {actual[i]}");
            }
        }
    }

    /// <summary>Passes each draw through and keeps a copy, so the test can compare them with diffusers' recording.</summary>
    private sealed class RecordingSource(INoiseSource inner) : INoiseSource
    {
        public List<Array> Draws { get; } = [];

        public void FillStandardNormal<T>(Span<T> destination)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            inner.FillStandardNormal(destination);
            Draws.Add(destination.ToArray());
        }
    }
}
