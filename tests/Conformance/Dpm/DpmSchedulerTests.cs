using System.Numerics;
using System.Runtime.InteropServices;
using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Fixtures;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;
using Xunit.Abstractions;

namespace CogDdim.Conformance.Dpm;

/// <summary>
/// CogVideoXDPMScheduler beyond the runner's replay: the 0-dim scalars (SLEEF's log/exp/expm1) against every recorded
/// <c>dpm_scalars</c> value, diffusers' draw order through an <see cref="INoiseSource"/> replaying every recorded draw
/// (the discarded first draw of a second-order step included), the stateful loop, and DPM files never run as DDIM.
/// </summary>
public sealed class DpmSchedulerTests(ITestOutputHelper output)
{
    public static TheoryData<string> DpmSuites()
    {
        var data = new TheoryData<string>();
        foreach (var id in TestFixtures.SuiteIds.Where(id => id.Split('/')[1].StartsWith("dpm-", StringComparison.Ordinal)))
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void Every_dpm_file_names_the_dpm_class_and_no_ddim_file_does()
    {
        foreach (var id in TestFixtures.SuiteIds)
        {
            var suite = TestFixtures.Load(id);
            Assert.Equal(id.Split('/')[1].StartsWith("dpm-", StringComparison.Ordinal), suite.IsDpm);
            if (suite.IsDpm)
            {
                Assert.Empty(suite.Steps);
                Assert.Empty(suite.Trajectories);
            }
        }
    }

    [Theory]
    [MemberData(nameof(DpmSuites))]
    public void The_scalars_are_diffusers_own_bits(string suiteId)
    {
        var suite = TestFixtures.Load(suiteId);
        if (suite.ConstructError is not null)
        {
            return;
        }

        var (checkedValues, glibcDiffers) = suite.Config.HasFloat64Table ? Check<double>(suite) : Check<float>(suite);
        output.WriteLine($"{suiteId}: {checkedValues} recorded scalars equal; glibc (Math.Log/Exp, MathF) would differ on {glibcDiffers} of the log/exp/expm1 results");
        // With an invalid prediction_type every call raises before get_variables: nothing to recompute.
        Assert.True(checkedValues > 0 || suite.DpmScalars.IsEmpty || suite.Config.DeferredInvalidValues.ContainsKey(ConfigKeys.PredictionType));
    }

    private static (int Checked, int GlibcDiffers) Check<T>(FixtureSuite suite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var schedule = new DdimSchedule<T>(suite.Config, suite.Reference.Semantics);
        int count = 0, glibc = 0;
        foreach (var entry in suite.DpmScalars)
        {
            schedule.SetTimesteps(entry.NumInferenceSteps);
            DpmCoefficients<T> c;
            try
            {
                c = DpmCoefficients<T>.Compute(schedule, entry.Timestep, entry.TimestepBack);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                continue; // a call that raised records only what it computed before
            }

            Assert.Equal(entry.PrevTimestep, c.PrevTimestep);
            var mine = new Dictionary<string, T>
            {
                ["alpha_prod_t"] = c.AlphaProd, ["alpha_prod_t_prev"] = c.AlphaProdPrev, ["alpha_prod_t_back"] = c.AlphaProdBack,
                ["beta_prod_t"] = T.One - c.AlphaProd, ["lamb"] = c.Lamb, ["lamb_next"] = c.LambNext, ["lamb_previous"] = c.LambPrevious,
                ["h"] = c.H, ["h_last"] = c.HLast, ["r"] = c.R, ["mult1"] = c.Mult1, ["mult2"] = c.Mult2, ["mult3"] = c.Mult3,
                ["mult4"] = c.Mult4, ["mult_noise"] = c.MultNoise,
            };
            foreach (var (name, recorded) in entry.Values)
            {
                Assert.True(mine.ContainsKey(name), $"unknown scalar {name}");
                var expected = recorded.GetDouble(0);
                var actual = double.CreateTruncating(mine[name]);
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual) || (double.IsNaN(expected) && double.IsNaN(actual)),
                    $"N={entry.NumInferenceSteps} t={entry.Timestep} back={entry.TimestepBack}: {name} is {actual:R}, diffusers {expected:R}");
                count++;
            }

            glibc += GlibcDifferences(c);
        }

        return (count, glibc);
    }

    /// <summary>How many of the step's log/exp/expm1 results glibc (what .NET's Math/MathF call) would round otherwise.</summary>
    private static int GlibcDifferences<T>(in DpmCoefficients<T> c)
        where T : IFloatingPointIeee754<T>
    {
        var one = T.One;
        var two = one + one;
        var pairs = new List<(T Sleef, T Glibc)>
        {
            (SleefMath.Log(T.Sqrt(c.AlphaProd / (one - c.AlphaProd))), Glibc(T.Sqrt(c.AlphaProd / (one - c.AlphaProd)), 0)),
            (SleefMath.Log(T.Sqrt(c.AlphaProdPrev / (one - c.AlphaProdPrev))), Glibc(T.Sqrt(c.AlphaProdPrev / (one - c.AlphaProdPrev)), 0)),
            (SleefMath.Exp(-c.H), Glibc(-c.H, 1)),
            (SleefMath.Exp(-two * c.H), Glibc(-two * c.H, 1)),
            (SleefMath.ExpM1(-two * c.H), Glibc(-two * c.H, 2)),
        };
        return pairs.Count(p => !p.Sleef.Equals(p.Glibc) && !(T.IsNaN(p.Sleef) && T.IsNaN(p.Glibc)));

        static T Glibc(T x, int op)
        {
            if (typeof(T) == typeof(double))
            {
                var d = double.CreateTruncating(x);
                return T.CreateTruncating(op switch { 0 => Math.Log(d), 1 => Math.Exp(d), _ => LibM.expm1(d) });
            }

            var f = float.CreateTruncating(x);
            return T.CreateTruncating(op switch { 0 => MathF.Log(f), 1 => MathF.Exp(f), _ => LibM.expm1f(f) });
        }
    }

    [Theory]
    [MemberData(nameof(DpmSuites))]
    public void A_seeded_step_draws_as_diffusers_draws(string suiteId)
    {
        var suite = TestFixtures.Load(suiteId);
        if (suite.ConstructError is not null)
        {
            return;
        }

        foreach (var c in suite.DpmSteps)
        {
            var scheduler = ReferenceScheduler(suite);
            scheduler.SetTimesteps(c.NumInferenceSteps);
            var noise = new RecordedNoise([.. c.Noise.Select(n => n.Data)]);
            StepResult? result = null;
            Exception? error = null;
            try
            {
                result = SeededStep(scheduler, c, noise);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                error = e;
            }

            var label = $"{suiteId} N={c.NumInferenceSteps} t={c.Timestep} back={c.TimestepBack} {c.Variant}";
            Assert.True(c.Noise.Length == noise.Drawn, $"{label}: {noise.Drawn} draws, diffusers made {c.Noise.Length}");
            if (c.Error is { } expected)
            {
                Assert.True(error is not null && ErrorClasses.Matches(expected.Type, error), $"{label}: expected {expected.Type}, got {error?.GetType().Name ?? "success"}");
                continue;
            }

            Assert.Null(error);
            Assert.True(TensorComparer.Compare("prev_sample", c.PrevSample!, result!.PrevSample, Tolerance.Exact).Passed, label);
            Assert.True(TensorComparer.Compare("pred_original_sample", c.PredOriginalSample!, result.PredOriginalSample, Tolerance.Exact).Passed, label);
        }
    }

    [Theory]
    [MemberData(nameof(DpmSuites))]
    public void The_stateful_loop_is_the_pipeline_loop(string suiteId)
    {
        var suite = TestFixtures.Load(suiteId);
        foreach (var c in suite.DpmTrajectories.Where(t => t.Error is null))
        {
            foreach (var simd in new[] { false, true })
            {
                IDpmSpanScheduler scheduler = simd
                    ? SpanScheduler.CreateDpm(suite.Config, suite.Reference.Semantics)
                    : suite.Config.HasFloat64Table
                        ? new ReferenceDpmScheduler<double>(suite.Config, suite.Reference.Semantics)
                        : new ReferenceDpmScheduler<float>(suite.Config, suite.Reference.Semantics);
                scheduler.SetTimesteps(c.NumInferenceSteps);
                var noise = new RecordedNoise([.. c.Noises.SelectMany(d => d).Select(n => n.Data)]);
                var sample = c.Latents;
                for (var i = 0; i < c.Timesteps.Length; i++)
                {
                    Assert.Equal(i == 0 ? null : c.Timesteps[i - 1], scheduler.TimestepBack);
                    Assert.Equal(c.Noises[i].Length, scheduler.NoiseDraws(c.Timesteps[i]));
                    var result = StatefulStep(scheduler, c.ModelOutputs[i], c.Timesteps[i], sample, noise);
                    var label = $"{suiteId} {c.DType.Name()} step {i} ({(simd ? "simd" : "reference")})";
                    Assert.True(TensorComparer.Compare("prev_sample", c.PrevSamples[i], result.PrevSample, Tolerance.Exact).Passed, label);
                    Assert.True(TensorComparer.Compare("pred_original_sample", c.PredOriginalSamples[i], result.PredOriginalSample, Tolerance.Exact).Passed, label);
                    sample = c.CastBack ? result.PrevSample.To(c.DType) : result.PrevSample;
                }

                Assert.Equal(noise.Drawn, c.Noises.Sum(d => d.Length));
            }
        }
    }

    [Fact]
    public void A_backend_without_dpm_skips_dpm_cases_and_says_why()
    {
        var suite = TestFixtures.Load("torch-2.6-cpu/dpm-defaults");
        var result = new ConformanceRunner(new DdimOnly()).Run(suite);
        Assert.Equal(0, result.Passed);
        Assert.Equal(0, result.Failed);
        Assert.All(result.Cases, c => Assert.Contains("has no CogVideoXDPMScheduler", c.SkipReason, StringComparison.Ordinal));
    }

    [Fact]
    public void Zero_terminal_snr_follows_ieee_infinities()
    {
        var suite = TestFixtures.Load("torch-2.6-cpu/dpm-zero-snr-epsilon");
        var schedule = new DdimSchedule<double>(suite.Config, suite.Reference.Semantics);
        schedule.SetTimesteps(50);
        var first = DpmCoefficients<double>.Compute(schedule, 999, null);
        Assert.Equal(double.NegativeInfinity, first.Lamb);
        Assert.Equal(double.PositiveInfinity, first.H);
        Assert.Equal(0.0, first.Mult1);
        var second = DpmCoefficients<double>.Compute(schedule, 979, 999);
        Assert.Equal(double.PositiveInfinity, second.R);
        Assert.Equal(1.0, second.Mult3);
        Assert.Equal(0.0, second.Mult4);
    }

    [Fact]
    public void SleefMath_matches_the_installed_libsleef_where_there_is_one()
    {
        if (!NativeLibrary.TryLoad("libsleef.so.3", out var handle))
        {
            output.WriteLine("no libsleef.so.3 here; the fixtures' dpm_scalars are the check");
            return;
        }

        try
        {
            var rng = new Random(20261202);
            var mismatches = 0;
            for (var i = 0; i < 200_000; i++)
            {
                var x = (i % 3) switch
                {
                    0 => Math.Exp((rng.NextDouble() * 60) - 30),
                    1 => -rng.NextDouble() * 50,
                    _ => BitConverter.UInt64BitsToDouble((ulong)rng.NextInt64()),
                };
                var f = (float)x;
                mismatches += Differ(SleefMath.Log(x), LibSleef.Sleef_logd1_u10purecfma(x)) + Differ(SleefMath.Exp(x), LibSleef.Sleef_expd1_u10purecfma(x))
                    + Differ(SleefMath.ExpM1(x), LibSleef.Sleef_expm1d1_u10purecfma(x))
                    + Differ(SleefMath.Log(f), LibSleef.Sleef_logf1_u10purecfma(f)) + Differ(SleefMath.Exp(f), LibSleef.Sleef_expf1_u10purecfma(f))
                    + Differ(SleefMath.ExpM1(f), LibSleef.Sleef_expm1f1_u10purecfma(f));
            }

            Assert.Equal(0, mismatches);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }

        static int Differ<T>(T a, T b)
            where T : IFloatingPointIeee754<T> => a.Equals(b) || (T.IsNaN(a) && T.IsNaN(b)) ? 0 : 1;
    }

    private static DpmSpanSchedulerBase<double> ReferenceDouble(FixtureSuite suite) => new ReferenceDpmScheduler<double>(suite.Config, suite.Reference.Semantics);

    private static IDpmSpanScheduler ReferenceScheduler(FixtureSuite suite) =>
        suite.Config.HasFloat64Table
            ? ReferenceDouble(suite)
            : (IDpmSpanScheduler)new ReferenceDpmScheduler<float>(suite.Config, suite.Reference.Semantics);

    private static StepResult SeededStep(IDpmSpanScheduler scheduler, DpmStepCase c, INoiseSource noise) =>
        Dispatch(c.Sample.DType, c.ModelOutput.DType, new SeededCall(scheduler, c, noise));

    private static StepResult StatefulStep(IDpmSpanScheduler scheduler, HostTensor modelOutput, long timestep, HostTensor sample, INoiseSource noise) =>
        Dispatch(sample.DType, modelOutput.DType, new StatefulCall(scheduler, modelOutput, timestep, sample, noise));

    private interface ITypedCall
    {
        StepResult Run<TSample, TModel>()
            where TSample : unmanaged, IFloatingPointIeee754<TSample>
            where TModel : unmanaged, IFloatingPointIeee754<TModel>;
    }

    private static StepResult Dispatch<TCall>(DType sample, DType model, TCall call)
        where TCall : ITypedCall => (sample, model) switch
        {
            (DType.Float64, DType.Float64) => call.Run<double, double>(),
            (DType.Float32, DType.Float32) => call.Run<float, float>(),
            (DType.Float16, DType.Float16) => call.Run<Half, Half>(),
            (DType.BFloat16, DType.BFloat16) => call.Run<BFloat16, BFloat16>(),
            (DType.Float16, DType.Float32) => call.Run<Half, float>(),
            (DType.BFloat16, DType.Float32) => call.Run<BFloat16, float>(),
            _ => throw new NotSupportedException($"{sample}/{model}"),
        };

    private readonly struct SeededCall(IDpmSpanScheduler scheduler, DpmStepCase c, INoiseSource noise) : ITypedCall
    {
        public StepResult Run<TSample, TModel>()
            where TSample : unmanaged, IFloatingPointIeee754<TSample>
            where TModel : unmanaged, IFloatingPointIeee754<TModel>
        {
            var s = scheduler;
            var prev = HostTensor.Zeros(c.ModelOutput.DType, c.Sample.ShapeArray());
            var x0 = HostTensor.Zeros(c.ModelOutput.DType, c.Sample.ShapeArray());
            s.Step<TSample, TModel>(c.ModelOutput.Span<TModel>(), c.OldPredOriginalSample is { } old ? old.Span<TModel>() : default, c.Timestep, c.TimestepBack,
                c.Sample.Span<TSample>(), noise, prev.As<TModel>(), x0.As<TModel>());
            return new StepResult(prev, x0);
        }
    }

    private readonly struct StatefulCall(IDpmSpanScheduler scheduler, HostTensor modelOutput, long timestep, HostTensor sample, INoiseSource noise) : ITypedCall
    {
        public StepResult Run<TSample, TModel>()
            where TSample : unmanaged, IFloatingPointIeee754<TSample>
            where TModel : unmanaged, IFloatingPointIeee754<TModel>
        {
            var prev = HostTensor.Zeros(modelOutput.DType, sample.ShapeArray());
            var x0 = HostTensor.Zeros(modelOutput.DType, sample.ShapeArray());
            scheduler.Step<TSample, TModel>(modelOutput.Span<TModel>(), timestep, sample.Span<TSample>(), noise, prev.As<TModel>(), x0.As<TModel>());
            return new StepResult(prev, x0);
        }
    }

    private sealed class DdimOnly : ISchedulerBackend
    {
        public string Name => "ddim-only";

        public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) => ReferenceBackend.CreateScheduler(config, profile);
    }

    private static class LibM
    {
        [DllImport("libm.so.6")]
        public static extern double expm1(double x);

        [DllImport("libm.so.6")]
        public static extern float expm1f(float x);
    }

    private static class LibSleef
    {
        [DllImport("libsleef.so.3")]
        public static extern double Sleef_logd1_u10purecfma(double x);

        [DllImport("libsleef.so.3")]
        public static extern double Sleef_expd1_u10purecfma(double x);

        [DllImport("libsleef.so.3")]
        public static extern double Sleef_expm1d1_u10purecfma(double x);

        [DllImport("libsleef.so.3")]
        public static extern float Sleef_logf1_u10purecfma(float x);

        [DllImport("libsleef.so.3")]
        public static extern float Sleef_expf1_u10purecfma(float x);

        [DllImport("libsleef.so.3")]
        public static extern float Sleef_expm1f1_u10purecfma(float x);
    }
}
