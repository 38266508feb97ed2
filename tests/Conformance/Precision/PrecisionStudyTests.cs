using CogDdim.Config;
using CogDdim.Fixtures;
using CogDdim.Precision;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Conformance.Precision;

/// <summary>The study on the small shape: deterministic, fp64 close to the oracle, and orderings that must hold.</summary>
public class PrecisionStudyTests
{
    /// <summary>A config without the zero-terminal-SNR rescale, whose near-zero table entries are ill-conditioned.</summary>
    private static readonly SchedulerConfig WellConditioned = BuiltInConfigs.CogVideoX5b with { RescaleBetasZeroSnr = false };

    private static readonly Lazy<StudyResult> CogVideoX5bSmall = new(() => PrecisionStudy.Run(SmallPlan("cogvideox-5b", BuiltInConfigs.CogVideoX5b)));

    private static StudyPlan SmallPlan(string name, SchedulerConfig config, int steps = 50) =>
        new() { ConfigName = name, Config = config, Steps = steps, Shape = StudyPlan.SmallShape, Parallelism = 2 };

    private static VariantResult Find(StudyResult result, DType dtype, SemanticsProfile profile, OpOrder order = OpOrder.Diffusers, PipelineMode mode = PipelineMode.Pure) =>
        result.Variants.Single(v => v.Variant == new Variant(dtype, profile, order, mode));

    [Fact]
    public void The_study_on_a_small_shape_is_deterministic()
    {
        var plan = SmallPlan("cogvideox-2b", BuiltInConfigs.CogVideoX2b, steps: 10) with { Parallelism = 1 };
        var first = PrecisionReport.Csv(PrecisionStudy.Run(plan));
        var second = PrecisionReport.Csv(PrecisionStudy.Run(plan with { Parallelism = 2 }));
        Assert.Equal(first, second);
        // 12 float64/float32 variants (2 table profiles each), 24 float16/bfloat16 ones, 10 steps each, plus the spreads.
        Assert.StartsWith("kind,variant,dtype,model_dtype,profile,order,mode,reference,step,timestep,max_ulp,p99_ulp,median_ulp,mean_ulp,rel_l2\n", first);
        Assert.Equal(32 * 10, first.Split('\n').Count(l => l.StartsWith("oracle,", StringComparison.Ordinal)));
    }

    [Fact]
    public void Numbers_do_not_depend_on_the_thread_count()
    {
        // 20,480 elements: two chunks of different sizes, so chunked sums and the parallel loops are exercised.
        var plan = SmallPlan("cogvideox-5b", BuiltInConfigs.CogVideoX5b, steps: 3) with
        {
            Shape = [1, 1, 4, 64, 80],
            Dtypes = [DType.BFloat16, DType.Float64],
            Profiles = [SemanticsProfile.Torch2Cpu],
            Orders = [OpOrder.Diffusers],
        };
        Assert.Equal(PrecisionReport.Csv(PrecisionStudy.Run(plan with { Parallelism = 1 })), PrecisionReport.Csv(PrecisionStudy.Run(plan with { Parallelism = 3 })));
    }

    [Fact]
    public void The_plan_expands_only_distinct_variants()
    {
        var variants = SmallPlan("cogvideox-5b", BuiltInConfigs.CogVideoX5b).Variants();
        Assert.Equal(32, variants.Count);
        Assert.DoesNotContain(variants, v => v.Mode == PipelineMode.Pipeline && !v.Dtype.IsReduced());
        Assert.DoesNotContain(variants, v => v.Profile == SemanticsProfile.Opmath && !v.Dtype.IsReduced());
        Assert.All(variants.Where(v => v.Mode == PipelineMode.Pipeline), v => Assert.Equal(DType.Float32, v.ModelDtype));
    }

    [Fact]
    public void Float64_stays_within_a_few_ulp_of_the_oracle_on_a_well_conditioned_schedule()
    {
        var result = PrecisionStudy.Run(SmallPlan("well-conditioned", WellConditioned) with
        {
            Dtypes = [DType.Float64],
            Profiles = [SemanticsProfile.Torch2Cpu],
        });
        foreach (var v in result.Variants)
        {
            // The bulk of the elements within a few ULP (the table's own cumprod drift is ~7 ULP), and the whole
            // tensor within a few epsilons.
            Assert.All(v.Steps, e => Assert.InRange(e.MedianUlp, 0, 8));
            Assert.All(v.Steps, e => Assert.InRange(e.RelativeL2, 0, 8 * Math.ScaleB(1.0, -52)));
            Assert.True(v.Final.MedianUlp > 0, "float64 cannot be exact after 50 steps");
        }
    }

    [Fact]
    public void Float64_on_cogvideox_stays_within_a_few_ulp_although_its_table_is_hundreds_of_ulp_off()
    {
        var result = CogVideoX5bSmall.Value;
        var table = result.Tables.Single(t => t.Profile == SemanticsProfile.Torch2Cpu.Name);
        Assert.Equal(DType.Float64, table.TableDtype);
        // The zero-SNR rescale squares a difference of nearly equal roots: the last entries lose hundreds of ULP.
        Assert.InRange(table.MaxUlp, 16, 4096);
        var float64 = Find(result, DType.Float64, SemanticsProfile.Torch2Cpu);
        Assert.All(float64.Steps, e => Assert.InRange(e.RelativeL2, 0, 8 * Math.ScaleB(1.0, -52)));
        Assert.All(float64.Steps, e => Assert.InRange(e.MedianUlp, 0, 8));
    }

    [Fact]
    public void Narrower_dtypes_are_not_more_accurate()
    {
        var result = CogVideoX5bSmall.Value;
        foreach (var profile in new[] { SemanticsProfile.Torch2Cpu, SemanticsProfile.Torch113Cpu })
        {
            var l2 = new[] { DType.Float64, DType.Float32, DType.Float16, DType.BFloat16 }
                .Select(d => Find(result, d, profile).Final.RelativeL2).ToArray();
            for (var i = 1; i < l2.Length; i++)
            {
                Assert.True(l2[i] > l2[i - 1], $"{profile.Name}: relative L2 {l2[i]} of the narrower dtype is not above {l2[i - 1]}");
            }

            // bfloat16 (8 bits) against float16 (11 bits): about 2^3 times the error.
            Assert.InRange(l2[3] / l2[2], 3, 30);
            // float32 against float16: about 2^13.
            Assert.InRange(l2[2] / l2[1], 1000, 100_000);
        }
    }

    [Fact]
    public void Every_reduced_run_goes_over_budget_and_float32_later_than_bfloat16()
    {
        var result = CogVideoX5bSmall.Value;
        var bf16 = PrecisionReport.FirstOverBudget(Find(result, DType.BFloat16, SemanticsProfile.Torch2Cpu));
        var fp32 = PrecisionReport.FirstOverBudget(Find(result, DType.Float32, SemanticsProfile.Torch2Cpu));
        Assert.NotNull(bf16);
        Assert.True(fp32 is null || fp32 >= bf16, $"float32 over budget at {fp32}, bfloat16 at {bf16}");
    }

    [Fact]
    public void Torch_builds_agree_on_float16_and_bfloat16_v_prediction_and_differ_in_float64()
    {
        // v_prediction's step has only scalar*tensor ops, where torch 2.x and 1.13 both round the scalar to the
        // tensor's dtype; the builds' float64 tables differ in the last bits (linspace), which float32 and narrower
        // scalars round away.
        var result = CogVideoX5bSmall.Value;
        foreach (var spread in result.Spreads.Where(s => s.Variant.Profile == SemanticsProfile.Torch113Cpu))
        {
            if (spread.Variant.Dtype == DType.Float64)
            {
                Assert.True(spread.Steps.Max(e => e.MaxUlp) > 0, spread.Name);
            }
            else
            {
                Assert.All(spread.Steps, e => Assert.Equal(0, e.MaxUlp));
            }
        }

        // CUDA's opmath rule (the scalar stays float32) does change float16 and bfloat16 results.
        Assert.Contains(result.Spreads, s => s.Variant.Profile == SemanticsProfile.Opmath && s.Final.MaxUlp > 0);
    }

    [Fact]
    public void Torch_builds_differ_in_float16_where_a_step_divides_by_a_scalar()
    {
        // epsilon divides by sqrt(alpha_prod): torch 2.x keeps that scalar in float32 (opmath), torch 1.13 rounds it to float16.
        var plan = SmallPlan("epsilon", BuiltInConfigs.CogVideoX5b with { PredictionType = PredictionType.Epsilon, RescaleBetasZeroSnr = false }, steps: 10) with
        {
            Dtypes = [DType.Float16],
            Orders = [OpOrder.Diffusers],
            Modes = [PipelineMode.Pure],
            Profiles = [SemanticsProfile.Torch2Cpu, SemanticsProfile.Torch113Cpu],
        };
        var spread = Assert.Single(PrecisionStudy.Run(plan).Spreads);
        Assert.True(spread.Final.MaxUlp > 0);
    }

    [Fact]
    public void The_built_in_configs_are_the_fixtures_configs()
    {
        var fixtures = FindFixtures();
        foreach (var (name, config) in BuiltInConfigs.ByName)
        {
            foreach (var set in new[] { "torch-2.6-cpu", "torch-1.13-cpu" })
            {
                var suite = FixtureReader.ReadFile(Path.Combine(fixtures, "diffusers-0.37.0", set, name + ".json"));
                Assert.Equal(suite.Config, config);
            }
        }
    }

    [Fact]
    public void The_oracle_table_is_within_the_fixtures_float64_table_by_the_reported_ulp()
    {
        var fixtures = FindFixtures();
        var suite = FixtureReader.ReadFile(Path.Combine(fixtures, "diffusers-0.37.0", "torch-2.6-cpu", "cogvideox-2b.json"));
        var recorded = suite.Schedule!.AlphasCumprod.As<double>();
        var oracle = new ReferenceScheduler<DoubleDouble>(BuiltInConfigs.CogVideoX2b, SemanticsProfile.Torch2Cpu).AlphasCumprod;
        var reference = new ReferenceScheduler<double>(BuiltInConfigs.CogVideoX2b, SemanticsProfile.Torch2Cpu).AlphasCumprod;
        Assert.Equal(recorded, reference);
        var worst = recorded.Select((r, i) => Math.Abs(((DoubleDouble)r - oracle[i]).Hi) / ErrorMeter.UlpAt(DType.Float64, oracle[i].Hi)).Max();
        var reported = PrecisionStudy.Run(SmallPlan("cogvideox-2b", BuiltInConfigs.CogVideoX2b, steps: 1) with { Dtypes = [DType.Float64] })
            .Tables.Single(t => t.Profile == SemanticsProfile.Torch2Cpu.Name).MaxUlp;
        Assert.Equal(worst, reported);
        // float64's cumprod drifts by a random walk of roundings (tens of ULP after 1000 products); the rescale's
        // tail, a square of nearly equal roots, loses more. Both stay far below a float32 ULP (2^29 float64 ULP).
        double UlpsAt(int i) => Math.Abs(((DoubleDouble)recorded[i] - oracle[i]).Hi) / ErrorMeter.UlpAt(DType.Float64, oracle[i].Hi);
        Assert.All(Enumerable.Range(0, 100), i => Assert.InRange(UlpsAt(i), 0, 16));
        Assert.All(Enumerable.Range(0, 1000), i => Assert.InRange(UlpsAt(i), 0, 1024));
        Assert.InRange(worst, 16, 1024);
    }

    private static string FindFixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CogDdim.sln")))
            {
                return Path.Combine(dir.FullName, "fixtures");
            }
        }

        throw new DirectoryNotFoundException("no CogDdim.sln above the test binaries");
    }
}
