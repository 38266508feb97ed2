using CogDdim.Semantics;
using CogDdim.Tensors;
using CogDdim.Torch;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary>
/// FastFused is not bit-exact, but it computes the same step: against the fixtures, every float64 and float32 step
/// result is within a few units of rounding of the tensor's largest value (the ULP counts near zero, where results
/// cancel, are what docs/torch-backend.md reports).
/// </summary>
public sealed class TorchFastModeTests
{
    [Theory]
    [InlineData("cogvideox-5b")]
    [InlineData("defaults")]
    [InlineData("cosine-epsilon-leading-offset")]
    [InlineData("linear-sample-linspace")]
    public void Fast_steps_stay_within_rounding_of_the_exact_ones(string name)
    {
        var suite = TorchTestData.Suite(TorchTestData.Torch26, name);
        var backend = new TorchBackend(mode: TorchStepMode.FastFused);
        var checkedCases = 0;
        foreach (var c in suite.Steps.Where(c => c.Error is null && c.Sample.DType is DType.Float64 or DType.Float32 && c.ModelOutput.DType == c.Sample.DType))
        {
            using var scheduler = backend.Create(suite.Config, SemanticsProfile.Torch2Cpu);
            scheduler.SetTimesteps(c.NumInferenceSteps);
            var result = scheduler.Step(c.ModelOutput, c.Timestep, c.Sample);
            AssertClose(c.PrevSample!, result.PrevSample, $"{name} step t={c.Timestep} prev_sample");
            AssertClose(c.PredOriginalSample!, result.PredOriginalSample, $"{name} step t={c.Timestep} pred_original_sample");
            checkedCases++;
        }

        Assert.True(checkedCases > 0);
    }

    /// <summary>|fast − exact| ≤ 16 · eps(dtype) · (max |exact| + max |inputs' scale|), element by element.</summary>
    private static void AssertClose(HostTensor expected, HostTensor actual, string what)
    {
        Assert.Equal(expected.DType, actual.DType);
        var epsilon = expected.DType == DType.Float64 ? Math.Pow(2, -52) : Math.Pow(2, -23);
        var scale = Enumerable.Range(0, expected.Length).Select(i => Math.Abs(expected.GetDouble(i))).DefaultIfEmpty(0).Max();
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(expected.GetDouble(i) - actual.GetDouble(i));
            Assert.True(difference <= 16 * epsilon * Math.Max(scale, 1),
                $"{what}[{i}]: exact {expected.GetDouble(i)}, fast {actual.GetDouble(i)}, {difference / epsilon:F1} eps apart");
        }
    }
}
