using CogDdim.Harness;
using CogDdim.Tensors;

namespace CogDdim.Conformance.Harness;

public sealed class CoverageTests
{
    [Fact]
    public void Each_config_value_counts_the_value_cases_of_its_suites_per_dtype()
    {
        var linear = HarnessFixtures.Suite(HarnessFixtures.Primary, "linear-sample-linspace");
        var matrix = CoverageMatrix.Build([linear]);

        var row = matrix.Rows.Single(r => r.Key == "prediction_type" && r.Value == "sample");
        var float32 = linear.Steps.Count(s => s.Sample.DType == DType.Float32 && s.ModelOutput.DType == DType.Float32)
            + linear.Trajectories.Count(t => t.DType == DType.Float32 && t.ModelDType is null or DType.Float32)
            + linear.AddNoise.Count(n => n.Input.DType == DType.Float32) + linear.GetVelocity.Count(n => n.Input.DType == DType.Float32);
        Assert.Equal(float32, row.Counts[CoverageMatrix.DTypeColumns.ToList().IndexOf("float32")]);
        Assert.Equal(["linear-sample-linspace"], row.Suites);
        Assert.Contains("prediction_type=epsilon: no suite", matrix.Missing);
        Assert.Contains("timestep_spacing=trailing: no suite", matrix.Missing);
        Assert.DoesNotContain(matrix.Missing, m => m.StartsWith("timestep_spacing=linspace", StringComparison.Ordinal));
    }

    [Fact]
    public void The_committed_primary_set_covers_every_known_value_with_every_dtype()
    {
        var matrix = CoverageMatrix.Build(HarnessFixtures.Set(HarnessFixtures.Primary));

        // torch 1.13's linspace tail is caught in the torch-1.13 set only.
        Assert.Equal(["semantics=torch113-cpu: no suite", "rule linspace-torch113: no case catches its violation with hint linspace (mutants linspace-no-tail)"], matrix.Missing);
        Assert.Contains("beta_schedule=squaredcos_cap_v2", matrix.ToText(), StringComparison.Ordinal);
    }
}
