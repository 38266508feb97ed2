using CogDdim.Cli;

namespace CogDdim.Conformance.Precision;

public class PrecisionCommandTests
{
    [Fact]
    public void A_small_run_prints_the_summary_and_writes_the_report()
    {
        var directory = Path.Combine(Path.GetTempPath(), "cogddim-precision-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var stdout = new StringWriter();
            var status = PrecisionCommand.Run(
                ["--config", "cogvideox-2b", "--small", "--steps", "2", "--dtypes", "float16", "--profiles", "torch2-cpu,torch113-cpu",
                 "--orders", "diffusers", "--modes", "pure", "--no-plots", "--out", directory],
                stdout, TextWriter.Null);
            Assert.Equal(0, status);
            var text = stdout.ToString();
            Assert.Contains("precision: cogvideox-2b, 2 steps, shape [1, 2, 4, 16, 16] (2,048 elements), 2 variants + oracle", text);
            Assert.Contains("float16/torch113-cpu/diffusers/pure", text);
            Assert.Contains("torch113-cpu vs torch2-cpu (float16/diffusers/pure)", text);
            Assert.DoesNotContain("\r[", text);
            Assert.Equal(["precision.csv", "precision.json", "report.md"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--dtypes float8", "--dtypes: unknown value 'float8'; expected one of float64, float32, float16, bfloat16")]
    [InlineData("--config nope", "--config nope: neither a built-in config (cogvideox-2b, cogvideox-5b) nor an existing file")]
    [InlineData("--small --shape 1,2", "--small and --shape cannot both be given")]
    [InlineData("--shape 1,x", "--shape 1,x: dimension 1 ('x') is not a positive integer")]
    [InlineData("--steps 1001", "--steps 1001: more than the config's 1000 training timesteps")]
    [InlineData("--dtypes float32 --modes pipeline", "the requested dtypes, profiles, orders and modes leave no variant to run (pipeline mode needs float16 or bfloat16)")]
    [InlineData("--budget-ulp -1", "--budget-ulp -1: expected a positive number")]
    public void Bad_usage_says_what_and_where(string args, string message)
    {
        var error = Assert.Throws<UsageException>(() => PrecisionCommand.Run(args.Split(' '), TextWriter.Null, TextWriter.Null));
        Assert.Equal(message, error.Message);
    }
}
