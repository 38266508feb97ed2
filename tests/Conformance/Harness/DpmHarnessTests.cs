using CogDdim.Harness;

namespace CogDdim.Conformance.Harness;

/// <summary>The DPM side of the harness: the example ports through dpm_step, and the dpm-libm hint on a port that uses glibc.</summary>
public sealed class DpmHarnessTests
{
    private static IReadOnlyList<Fixtures.FixtureSuite> DpmSuites(string set) =>
        HarnessFixtures.Set(set).Where(s => s.IsDpm).ToList();

    [Theory]
    [InlineData(HarnessFixtures.Primary)]
    [InlineData(HarnessFixtures.Second)]
    public void Both_example_ports_pass_the_dpm_suites(string set)
    {
        var suites = DpmSuites(set);
        Assert.Equal(11, suites.Count);
        var node = Path.Combine(HarnessFixtures.RepoRoot, "examples", "node", "cogddim-port.mjs");
        foreach (var command in new[] { HarnessFixtures.PortCommand(), $"node {HarnessFixtures.Quote(node)}" })
        {
            var report = HarnessFixtures.Run(HarnessFixtures.Options(command), suites);
            Assert.Empty(report.Run.Incidents);
            Assert.Equal(0, report.Skipped);
            Assert.Equal("3877 passed, 0 failed", report.ClosingLine);
            Assert.Contains("dpm_step", report.Run.Handshake!.Calls);
        }
    }

    [Fact]
    public void A_port_with_glibc_log_exp_expm1_fails_a_few_dpm_steps_and_the_hint_says_sleef()
    {
        var suites = new[] { HarnessFixtures.Suite(HarnessFixtures.Primary, "dpm-cogvideox-5b"), HarnessFixtures.Suite(HarnessFixtures.Primary, "dpm-defaults") };
        var report = HarnessFixtures.Run(HarnessFixtures.Options("env COGDDIM_DPM_MUTANT=glibc-libm " + HarnessFixtures.PortCommand()), suites);
        Assert.True(report.Failed > 0);
        Assert.Contains(report.Hints, h => h.Code == DpmDiagnosisHints.Libm);
    }
}
