using System.Text.Json;
using CogDdim.Cli;

namespace CogDdim.Conformance.Harness;

/// <summary><c>cogddim conform --candidate</c> end to end: output, closing line, formats and exit codes.</summary>
public sealed class ConformCommandTests
{
    private static (int Code, string Out) Conform(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = ConformCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString());
    }

    private static string Suite(string name) => Path.Combine(HarnessFixtures.SetPath(HarnessFixtures.Primary), name + ".json");

    [Fact]
    public void A_conforming_port_prints_one_line_per_suite_and_ends_with_the_counts()
    {
        var (code, output) = Conform(Suite("trained-betas-v-trailing"), Suite("bad-beta-schedule"), "--candidate", HarnessFixtures.PortCommand());

        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(0, code);
        Assert.StartsWith("ok   torch-2.6-cpu/trained-betas-v-trailing [candidate, torch2-cpu]: 83 cases, 0 failed", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("ok   torch-2.6-cpu/bad-beta-schedule [candidate, torch2-cpu]: 1 cases, 0 failed", lines[1], StringComparison.Ordinal);
        Assert.Equal("84 passed, 0 failed", lines[^1]);
    }

    [Fact]
    public void A_failing_port_exits_1_and_the_json_report_names_the_candidate()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = ConformCommand.Run([Suite("trained-betas-v-trailing"), "--candidate", HarnessFixtures.PortCommand("ulp-nudge"), "--format", "json"], stdout, stderr);

        Assert.Equal(1, code);
        // The report owns stdout; the closing line goes to stderr.
        var closing = stderr.ToString().TrimEnd().Split('\n')[^1];
        Assert.Matches(@"^\d+ passed, [1-9]\d* failed$", closing);
        using var json = JsonDocument.Parse(stdout.ToString());
        var candidate = json.RootElement.GetProperty("candidate");
        Assert.Equal("python-numpy example (mutant ulp-nudge)", candidate.GetProperty("name").GetString());
        Assert.Equal("output-rounding", json.RootElement.GetProperty("hints")[0].GetProperty("code").GetString());
        SchemaCheck.Validate(json.RootElement, HarnessFixtures.RepoRoot);
    }

    [Fact]
    public void An_expected_failures_manifest_makes_the_run_pass_and_repro_files_reproduce_the_worst_cases()
    {
        var dir = Directory.CreateTempSubdirectory("cogddim-harness-");
        try
        {
            var manifest = Path.Combine(dir.FullName, "expected.json");
            File.WriteAllText(manifest, """
                {"format": "cogddim-expected-failures/1", "entries": [
                  {"case": "step*", "reason": "nudged on purpose"},
                  {"case": "trajectory*", "reason": "nudged on purpose"}
                ]}
                """);
            var repro = Path.Combine(dir.FullName, "repro");
            var (code, output) = Conform(Suite("trained-betas-v-trailing"), "--candidate", HarnessFixtures.PortCommand("ulp-nudge"),
                "--expected-failures", manifest, "--repro", repro, "--format", "junit", "--output", Path.Combine(dir.FullName, "junit.xml"));

            Assert.Equal(0, code);
            Assert.Contains("expected failures, 0 unexpected passes, 0 unused entries", output, StringComparison.Ordinal);
            Assert.EndsWith(" passed, 0 failed", output.TrimEnd(), StringComparison.Ordinal);
            System.Xml.Linq.XDocument.Load(Path.Combine(dir.FullName, "junit.xml"));
            Assert.NotEmpty(Directory.GetFiles(repro, "*.jsonl"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--tolerance", "close")]
    [InlineData("--call-timeout", "-1")]
    [InlineData("--candidate", "'unterminated")]
    public void Bad_options_are_usage_errors(string option, string value) =>
        Assert.Throws<UsageException>(() => Conform(Suite("bad-beta-schedule"), option, value));

    [Fact]
    public void Cases_in_dtypes_the_port_does_not_offer_are_skipped_not_failed()
    {
        var (code, output) = Conform(Suite("trained-betas-v-trailing"), "--candidate", HarnessFixtures.PortCommand() + " --dtypes float64,float32");

        Assert.Equal(0, code);
        var fixture = HarnessFixtures.Suite(HarnessFixtures.Primary, "trained-betas-v-trailing");
        static bool Reduced(Tensors.DType d) => d is Tensors.DType.Float16 or Tensors.DType.BFloat16;
        var skipped = fixture.Steps.Count(s => Reduced(s.Sample.DType))
            + fixture.Trajectories.Count(t => Reduced(t.DType))
            + fixture.AddNoise.Count(n => Reduced(n.Input.DType)) + fixture.GetVelocity.Count(n => Reduced(n.Input.DType));
        Assert.Contains($"83 cases, 0 failed, {skipped} skipped", output, StringComparison.Ordinal);
        Assert.Contains($"{skipped} cases skipped (not supported by the candidate)", output, StringComparison.Ordinal);
        Assert.EndsWith($"{83 - skipped} passed, 0 failed", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_backend_options_of_other_backends_are_still_accepted()
    {
        var (code, output) = Conform(Suite("trained-betas-v-trailing"), "--backend", "reference", "--device", "cpu", "--fast");

        Assert.Equal(0, code);
        Assert.Equal("83 passed, 0 failed", output.TrimEnd().Split('\n')[^1]);
    }
}
