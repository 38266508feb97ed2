using CogDdim.Backends;
using CogDdim.Generated;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Generators.Tests;

/// <summary>
/// Configs and a profile no committed fixture covers (the test configs under opmath): every generated variant agrees
/// bit for bit with the reference backend on tables, timesteps, step in every dtype pairing, add_noise and get_velocity.
/// </summary>
public sealed class ReferenceAgreementTests
{
    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var v in GeneratedSchedulers.All.Where(v => v.Name.StartsWith("CogDdim.Generators.Tests.Opmath.", StringComparison.Ordinal)))
        {
            data.Add(v.Name);
        }

        return data;
    }

    [Fact]
    public void EveryTestConfigHasAnOpmathVariant() => Assert.Equal(4, Variants().Count);

    [Theory]
    [MemberData(nameof(Variants))]
    public void GeneratedVariant_AgreesWithTheReferenceBitForBit(string name)
    {
        var variant = GeneratedSchedulers.All.Single(v => v.Name == name);
        Assert.Same(SemanticsProfile.Opmath, variant.Profile);
        using var generated = variant.Create();
        using var reference = ReferenceBackend.CreateScheduler(variant.Config, SemanticsProfile.Opmath);
        AssertBits(reference.Tables.Betas, generated.Tables.Betas);
        AssertBits(reference.Tables.Alphas, generated.Tables.Alphas);
        AssertBits(reference.Tables.AlphasCumprod, generated.Tables.AlphasCumprod);
        AssertBits(reference.Tables.FinalAlphaCumprod, generated.Tables.FinalAlphaCumprod);

        var random = new Random(11);
        var t = variant.Config.NumTrainTimesteps;
        foreach (var n in new[] { 1, 2, 7, Math.Min(50, t), t }.Distinct())
        {
            generated.SetTimesteps(n);
            reference.SetTimesteps(n);
            Assert.Equal(reference.Timesteps, generated.Timesteps);
            foreach (var timestep in generated.Timesteps.Take(3).Concat(generated.Timesteps.TakeLast(2)))
            {
                foreach (var (sampleType, modelType) in new[]
                         {
                             (DType.Float64, DType.Float64), (DType.Float32, DType.Float32), (DType.Float16, DType.Float16),
                             (DType.BFloat16, DType.BFloat16), (DType.Float16, DType.Float32), (DType.BFloat16, DType.Float32),
                         })
                {
                    var sample = RandomTensor(random, sampleType, 2, 33);
                    var modelOutput = RandomTensor(random, modelType, 2, 33);
                    var expected = reference.Step(modelOutput, timestep, sample);
                    var actual = generated.Step(modelOutput, timestep, sample);
                    AssertBits(expected.PrevSample, actual.PrevSample);
                    AssertBits(expected.PredOriginalSample, actual.PredOriginalSample);
                }
            }
        }

        foreach (var dtype in DTypes.FloatingPoint)
        {
            var original = RandomTensor(random, dtype, 3, 17);
            var noise = RandomTensor(random, dtype, 3, 17);
            var timesteps = HostTensor.Create(new long[] { 0, t / 2, t - 1 }, 3);
            AssertBits(reference.AddNoise(original, noise, timesteps), generated.AddNoise(original, noise, timesteps));
            AssertBits(reference.GetVelocity(original, noise, timesteps), generated.GetVelocity(original, noise, timesteps));
        }
    }

    private static HostTensor RandomTensor(Random random, DType dtype, params int[] shape)
    {
        var values = new double[HostTensor.ElementCount(shape)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (random.NextDouble() * 6) - 3;
        }

        return HostTensor.Create(values, shape).To(dtype);
    }

    private static void AssertBits(HostTensor expected, HostTensor actual)
    {
        Assert.Equal(expected.DType, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected.GetBits(i), actual.GetBits(i));
        }
    }
}
