using CogDdim.Cli;
using CogDdim.Simd;

namespace CogDdim.Conformance.Simd;

/// <summary><c>cogddim conform --backend simd</c>, <c>cogddim backends</c> and the argument checks of <c>cogddim bench</c>.</summary>
public sealed class SimdCliTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Conform_with_the_simd_backend_passes_every_case_of_a_set()
    {
        var (exit, output, _) = Run("conform", "--backend", "simd", Path.Combine(TestFixtures.FixturesFolder, "diffusers-0.37.0", "torch-2.6-cpu"));
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(0, exit);
        Assert.Equal("6028 passed, 0 failed", lines[^1]);
        Assert.StartsWith("ok   torch-2.6-cpu/randn [simd, torch2-cpu]: 491 cases, 0 failed", lines[^2], StringComparison.Ordinal);
        Assert.StartsWith("ok   torch-2.6-cpu/cogvideox-5b [simd, torch2-cpu]: 389 cases, 0 failed; worst ULP float64 0", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public void The_simd_backend_is_listed()
    {
        var (exit, output, _) = Run("backends");
        Assert.Equal(0, exit);
        Assert.Contains("simd", output.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("bench", "--dtype", "float8")]
    [InlineData("bench", "--backend", "numpy")]
    [InlineData("bench", "--threads", "0")]
    [InlineData("bench", "--iterations", "many")]
    [InlineData("bench", "--shape", "2b")]
    [InlineData("bench", "--step", "50")]
    [InlineData("bench", "--step", "-1")]
    [InlineData("bench", "--step", "last")]
    public void Bench_rejects_bad_arguments_with_exit_2(params string[] args)
    {
        var (exit, _, error) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains($"--{args[1].TrimStart('-')}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_widths_prints_the_active_vector_widths()
    {
        var (exit, output, _) = Run("bench", "--widths");
        Assert.Equal(0, exit);
        Assert.Equal(VectorWidths.Describe(), output.TrimEnd());
        // The CLI inherits this process's knobs: on a CPU with AVX-512 and no knob set, it says 512 yes.
        if (VectorWidthTests.ExpectVector512)
        {
            Assert.StartsWith("vector widths: 512 yes, 256 yes, 128 yes (widest 512)", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bench_step_picks_the_timestep_it_times()
    {
        var (exit, output, _) = Run("bench", "--shape", "5b", "--dtype", "float16", "--backend", "simd", "--iterations", "1", "--step", "0");
        Assert.Equal(0, exit);
        Assert.Contains("1,123,200 elements; step 0 of 50, t=999", output, StringComparison.Ordinal);
        Assert.Contains("\nfloat16           simd ", output.Replace("\r", string.Empty), StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_help_names_the_shapes_and_the_baseline()
    {
        var (exit, output, _) = Run("bench", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("[1, 13, 16, 60, 90]", output, StringComparison.Ordinal);
        Assert.Contains("[1, 21, 16, 96, 170]", output, StringComparison.Ordinal);
        Assert.Contains("copy-triad", output, StringComparison.Ordinal);
    }
}
