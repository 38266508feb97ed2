using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Precision;
using CogDdim.Tensors;

namespace CogDdim.Conformance.Precision;

public class StudyPartsTests
{
    [Fact]
    public void Nearest_rank_percentile_matches_sorting()
    {
        var random = new Random(5);
        foreach (var length in new[] { 1, 2, 3, 10, 99, 100, 101, 1000, 4097 })
        {
            var values = Enumerable.Range(0, length).Select(_ => (float)Math.Round(random.NextDouble() * 50)).ToArray();
            var sorted = values.OrderBy(v => v).ToArray();
            foreach (var fraction in new[] { 0.0, 0.5, 0.99, 1.0 })
            {
                var rank = Math.Clamp((int)Math.Ceiling(fraction * length) - 1, 0, length - 1);
                Assert.Equal(sorted[rank], Percentile.NearestRank(values.ToArray(), fraction));
            }
        }
    }

    [Theory]
    [InlineData(DType.Float64, 1.0, 2.220446049250313e-16)]
    [InlineData(DType.Float32, 1.0, 1.1920928955078125e-07)]
    [InlineData(DType.Float16, 1.0, 0.0009765625)]
    [InlineData(DType.BFloat16, 1.0, 0.0078125)]
    [InlineData(DType.BFloat16, -3.0, 0.015625)]
    [InlineData(DType.Float16, 1e-6, 5.960464477539063e-08)]
    [InlineData(DType.Float32, 0.0, 1.401298464324817e-45)]
    public void Ulp_is_the_spacing_of_the_dtype_at_the_value(DType dtype, double value, double expected) =>
        Assert.Equal(expected, ErrorMeter.UlpAt(dtype, value));

    [Fact]
    public void Starting_latents_are_exact_in_every_dtype_and_look_standard_normal()
    {
        var latents = StartingLatents.Create(100_000, 7);
        Assert.All(latents, v =>
        {
            Assert.Equal(v, (double)(BFloat16)v);
            Assert.Equal(v, (double)(Half)v);
        });
        var mean = latents.Average();
        var variance = latents.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        Assert.Equal(latents, StartingLatents.Create(100_000, 7));
        Assert.NotEqual(latents, StartingLatents.Create(100_000, 8));
    }

    [Theory]
    [InlineData(PredictionType.Epsilon)]
    [InlineData(PredictionType.Sample)]
    [InlineData(PredictionType.VPrediction)]
    public void The_stand_in_model_predicts_the_posterior_mean_of_gaussian_data(PredictionType prediction)
    {
        // Independently of the folded coefficients: x0_hat = mu + k (x - sqrt(a) mu), then the prediction type's formula.
        const double s2 = StandInModel.DataVariance;
        foreach (var alpha in new[] { 0.0, 1e-4, 0.3, 0.9, 0.999 })
        {
            var (p, q) = StandInModel.Coefficients(prediction, alpha);
            foreach (var (x, mu) in new[] { (1.3, -0.4), (-0.2, 0.9) })
            {
                var k = Math.Sqrt(alpha) * s2 / ((alpha * s2) + 1 - alpha);
                var x0 = mu + (k * (x - (Math.Sqrt(alpha) * mu)));
                var epsilon = (x - (Math.Sqrt(alpha) * x0)) / Math.Sqrt(1 - alpha);
                var expected = prediction switch
                {
                    PredictionType.Epsilon => epsilon,
                    PredictionType.Sample => x0,
                    _ => (Math.Sqrt(alpha) * epsilon) - (Math.Sqrt(1 - alpha) * x0),
                };
                var actual = ((double)p * x) + ((double)q * mu);
                Assert.Equal(expected, actual, 1e-12);
            }
        }
    }

    [Fact]
    public void Fused_coefficients_give_the_same_step_in_double_double()
    {
        // c1*sample + c2*model_output is diffusers' step rearranged: at 106 bits both orders agree to far below a double ULP.
        var config = BuiltInConfigs.CogVideoX5b;
        var variant = new Variant(DType.Float64, CogDdim.Semantics.SemanticsProfile.Torch2Cpu, OpOrder.Fused, PipelineMode.Pure);
        var trajectory = new VariantTrajectory<double, double, double>(variant, config, 50, [0.5], new StandInModel(config.PredictionType, [.. new double[1000].Select(_ => (DoubleDouble)0.5)], [], 1, 1), 1);
        foreach (var t in trajectory.Scheduler.Timesteps)
        {
            var c = trajectory.Scheduler.Coefficients(t);
            var (c1, c2) = trajectory.FusedCoefficients(c);
            var (sample, model) = (0.8, -1.1);
            var x0 = (c.SqrtAlphaProd * sample) - (c.SqrtBetaProd * model);
            var diffusers = (c.At * sample) + (c.Bt * x0);
            Assert.Equal(diffusers, (c1 * sample) + (c2 * model), 1e-14);
        }
    }
}

public class PrecisionReportTests
{
    [Fact]
    public void The_report_writes_csv_json_plots_and_markdown_that_embeds_them()
    {
        var plan = new StudyPlan
        {
            ConfigName = "cogvideox-2b",
            Config = BuiltInConfigs.CogVideoX2b,
            Steps = 3,
            Shape = StudyPlan.SmallShape,
            Dtypes = [DType.BFloat16],
            Orders = [OpOrder.Diffusers],
            Modes = [PipelineMode.Pure],
            Profiles = [CogDdim.Semantics.SemanticsProfile.Torch2Cpu, CogDdim.Semantics.SemanticsProfile.Opmath],
        };
        var result = PrecisionStudy.Run(plan);
        var directory = Path.Combine(Path.GetTempPath(), "cogddim-precision-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = PrecisionReport.WriteAll(result, directory).Select(Path.GetFileName).ToList();
            Assert.Equal(
                ["precision.csv", "precision.json", "error-bfloat16-torch2-cpu.png", "error-bfloat16-torch2-cpu.svg", "error-bfloat16-opmath.png",
                 "error-bfloat16-opmath.svg", "spread-bfloat16.png", "spread-bfloat16.svg", "report.md"],
                written);
            var png = File.ReadAllBytes(Path.Combine(directory, "spread-bfloat16.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(directory, "spread-bfloat16.svg")));
            var markdown = File.ReadAllText(Path.Combine(directory, "report.md"));
            Assert.Contains("](spread-bfloat16.png)", markdown);
            Assert.Contains("| bfloat16/opmath/diffusers/pure |", markdown);
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "precision.json")));
            Assert.Equal(2, json.RootElement.GetProperty("variants").GetArrayLength());
            Assert.Equal(3, json.RootElement.GetProperty("spreads")[0].GetProperty("steps").GetArrayLength());
            Assert.Equal(1 + (2 * 3) + 3, File.ReadAllLines(Path.Combine(directory, "precision.csv")).Length);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
