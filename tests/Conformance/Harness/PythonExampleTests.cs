using CogDdim.Harness;

namespace CogDdim.Conformance.Harness;

/// <summary>
/// The Python + numpy example port (examples/python-numpy), run through the harness as a child process: exact on
/// both committed sets, and each deliberate mutant caught with the hint that names its cause.
/// Needs python3 with numpy (Debian: apt-get install -y python3-numpy).
/// </summary>
public sealed class PythonExampleTests
{
    [Theory]
    [InlineData(HarnessFixtures.Primary)]
    [InlineData(HarnessFixtures.Second)]
    public void The_python_example_reproduces_every_case_of_a_committed_set_bit_for_bit(string set)
    {
        var suites = HarnessFixtures.Set(set);
        var report = HarnessFixtures.Run(HarnessFixtures.Options(HarnessFixtures.PortCommand()), suites);

        Assert.Empty(report.Run.Incidents);
        Assert.Equal(26, report.Suites.Count);
        Assert.Equal(5537, report.Suites.Sum(s => s.Cases.Count));
        Assert.Equal("5537 passed, 0 failed", report.ClosingLine);
        Assert.Equal(0, report.Skipped);
        Assert.Empty(report.Hints);
        Assert.Equal("python-numpy example", report.Run.Handshake!.Name);
    }

    [Theory]
    [InlineData("ulp-nudge", "trained-betas-v-trailing", DiagnosisHints.OutputRounding)]
    [InlineData("fma-step", "trained-betas-v-trailing", DiagnosisHints.Fma)]
    [InlineData("scalar-opmath", "trained-betas-v-trailing", DiagnosisHints.ScalarPolicy)]
    [InlineData("prev-next-timestep", "linear-sample-linspace", DiagnosisHints.PrevTimestep)]
    [InlineData("linspace-unfused", "defaults", DiagnosisHints.Linspace)]
    [InlineData("final-alpha-first", "cogvideox-5b", DiagnosisHints.FinalAlpha)]
    public void Each_mutant_is_caught_in_both_sets_and_the_hint_names_its_cause(string mutant, string suite, string hint)
    {
        var suites = new[] { HarnessFixtures.Suite(HarnessFixtures.Primary, suite), HarnessFixtures.Suite(HarnessFixtures.Second, suite) };
        var report = HarnessFixtures.Run(HarnessFixtures.Options(HarnessFixtures.PortCommand(mutant)), suites);

        Assert.Empty(report.Run.Incidents);
        Assert.All(report.Suites, s => Assert.True(s.Result.Failed > 0, $"{mutant} not caught in {s.Result.Name}"));
        Assert.Equal(hint, Assert.Single(report.Hints).Code);
    }

    [Fact]
    public void The_one_ulp_nudge_shows_as_a_histogram_with_every_difference_in_the_1_ulp_bucket()
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options(HarnessFixtures.PortCommand("ulp-nudge")),
            [HarnessFixtures.Suite(HarnessFixtures.Primary, "trained-betas-v-trailing")]);

        var group = report.Suites[0].Groups.Single(g => g.Key == "step/prev_sample" && g.DType == "bfloat16");
        Assert.Equal(group.Cases, group.FailedCases);
        Assert.Equal(1UL, group.WorstUlp);
        Assert.Equal(group.Elements - group.Histogram.Buckets[0], group.Histogram.Buckets[1]);
        var pred = report.Suites[0].Groups.Single(g => g.Key == "step/pred_original_sample" && g.DType == "bfloat16");
        Assert.Equal(0, pred.FailedCases);
        // The worst case names its inputs and carries the one request that reproduces it.
        var worst = group.Worst!;
        Assert.Contains(worst.Inputs, i => i.Name.StartsWith("sample[", StringComparison.Ordinal) && i.Bits!.StartsWith("0x", StringComparison.Ordinal));
        Assert.Contains("\"call\":\"step\"", worst.Request, StringComparison.Ordinal);
    }
}
