using CogDdim.Cli;

namespace CogDdim.Conformance.Cli;

public sealed class ConformCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Conform_on_one_set_passes_and_ends_with_the_closing_line()
    {
        var (exit, output, _) = Run("conform", Path.Combine(TestFixtures.FixturesFolder, "diffusers-0.37.0", "torch-1.13-cpu"));
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(0, exit);
        // 26 scheduler suites and the set's randn file (491 draws through TorchGenerator), then the closing line.
        Assert.Equal(28, lines.Length);
        Assert.Equal("6028 passed, 0 failed", lines[^1]);
        Assert.StartsWith("ok   torch-1.13-cpu/randn [reference, torch113-cpu]: 491 cases, 0 failed; worst ULP float64 0, float32 0, float16 0, bfloat16 0", lines[^2], StringComparison.Ordinal);
        Assert.StartsWith("ok   torch-1.13-cpu/cogvideox-5b [reference, torch113-cpu]: 389 cases, 0 failed; worst ULP float64 0", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_case_exits_1_and_is_listed()
    {
        var (exit, output, _) = Run("conform", TestFixtures.PathOf("torch-2.6-cpu/cogvideox-2b"), "--profile", "torch113-cpu");
        Assert.Equal(1, exit);
        Assert.Contains("FAIL torch-2.6-cpu/cogvideox-2b step[", output, StringComparison.Ordinal);
        Assert.Matches(@"\n\d+ passed, [1-9]\d* failed\n$", output.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("conform", "--format", "yaml")]
    [InlineData("conform", "--backend", "nonesuch")]
    [InlineData("conform", "--profile", "torch3")]
    [InlineData("conform", "--bogus")]
    [InlineData("frobnicate")]
    public void Bad_usage_exits_2_with_a_message(params string[] args)
    {
        var (exit, _, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("cogddim: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_fixture_exits_2_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cogddim-broken-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"format\": \"cogddim-fixture/1\", \"name\": ");
        try
        {
            var (exit, _, error) = Run("conform", path);
            Assert.Equal(2, exit);
            Assert.Contains(path, error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_path_exits_2()
    {
        var (exit, _, error) = Run("conform", "/nonexistent/fixtures");
        Assert.Equal(2, exit);
        Assert.Contains("no such file or folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_carries_every_suite_and_the_totals()
    {
        var (exit, output, err) = Run("conform", TestFixtures.PathOf("torch-2.6-cpu/trained-betas-v-trailing"), "--format", "json");
        Assert.Equal(0, exit);
        // The report owns stdout (`> report.json` is valid JSON); the closing line goes to stderr.
        var json = System.Text.Json.JsonDocument.Parse(output).RootElement;
        Assert.Equal("reference", json.GetProperty("backend").GetString());
        Assert.Equal(83, json.GetProperty("passed").GetInt32());
        Assert.EndsWith("83 passed, 0 failed", err.TrimEnd(), StringComparison.Ordinal);
    }
}
