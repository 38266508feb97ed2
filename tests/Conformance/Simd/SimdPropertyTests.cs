using System.Numerics;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Simd;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CogDdim.Conformance.Simd;

/// <summary>
/// The simd loops equal the reference loops bit for bit on random lengths 0..4096 (so every vector width and every
/// tail length is reached) and on values that include NaN, ±∞, ±0 and subnormals, for every dtype combination,
/// prediction type, semantics profile and table type.
/// </summary>
public sealed class SimdPropertyTests
{
    private const int Runs = 60;

    [Property(MaxTest = Runs)]
    public Property Step_float64() => StepProperty<double, double>();

    [Property(MaxTest = Runs)]
    public Property Step_float32() => StepProperty<float, float>();

    [Property(MaxTest = Runs)]
    public Property Step_float16() => StepProperty<Half, Half>();

    [Property(MaxTest = Runs)]
    public Property Step_bfloat16() => StepProperty<BFloat16, BFloat16>();

    [Property(MaxTest = Runs)]
    public Property Step_float16_sample_float32_model() => StepProperty<Half, float>();

    [Property(MaxTest = Runs)]
    public Property Step_bfloat16_sample_float32_model() => StepProperty<BFloat16, float>();

    [Property(MaxTest = Runs)]
    public Property Step_float32_sample_float64_model() => StepProperty<float, double>();

    [Property(MaxTest = Runs)]
    public Property Step_float16_sample_float64_model() => StepProperty<Half, double>();

    [Property(MaxTest = Runs)]
    public Property Step_bfloat16_sample_float64_model() => StepProperty<BFloat16, double>();

    [Property(MaxTest = Runs)]
    public Property Step_float16_ordinary_values() => StepProperty<Half, Half>(ordinary: true);

    [Property(MaxTest = Runs)]
    public Property Step_bfloat16_ordinary_values() => StepProperty<BFloat16, BFloat16>(ordinary: true);

    [Property(MaxTest = Runs)]
    public Property Step_bfloat16_sample_float32_model_ordinary_values() => StepProperty<BFloat16, float>(ordinary: true);

    [Property(MaxTest = Runs)]
    public Property Noise_float16_ordinary_values() => NoiseProperty<Half>(ordinary: true);

    [Property(MaxTest = Runs)]
    public Property Noise_bfloat16_ordinary_values() => NoiseProperty<BFloat16>(ordinary: true);

    [Property(MaxTest = Runs)]
    public Property Noise_float64() => NoiseProperty<double>();

    [Property(MaxTest = Runs)]
    public Property Noise_float32() => NoiseProperty<float>();

    [Property(MaxTest = Runs)]
    public Property Noise_float16() => NoiseProperty<Half>();

    [Property(MaxTest = Runs)]
    public Property Noise_bfloat16() => NoiseProperty<BFloat16>();

    /// <summary>A random case: its length is what FsCheck shrinks; the seed fixes the values.</summary>
    [Fact]
    public void Pure_float16_tries_the_split_recipes_first_only_when_no_factor_is_near_zero()
    {
        // CogVideoX-5b's step 25 of 50 (t=499): sqrt(a), sqrt(1-a), a_t, b_t; its first step has sqrt(a) = 0 and b_t
        // about 0.0093, where nearly every group of the split recipes would flag.
        Assert.True(SimdScalars.SplitPays([0.4923f, 0.8704f, 0.9816f, 0.0363f]));
        Assert.False(SimdScalars.SplitPays([0f, 1f, 1f, 0.0093f]));
        Assert.False(SimdScalars.SplitPays([0.9f, 0.4f, 0.9f, 1f / 64]));
        Assert.True(SimdScalars.SplitPays([0.9f, 0.4f, 0.9f, 1f / 32]));
        Assert.False(SimdScalars.SplitPays([0.9f, float.NaN]));
    }

    /// <summary>A random case; <see cref="ZeroSnr"/> is CogVideoX's config (zero-SNR rescale, trailing spacing), whose
    /// first step has sqrt(alpha) = 0 and whose last has a_t = 0.</summary>
    public sealed record Case(int Length, int Seed, PredictionType Prediction, int Profile, BetaSchedule Schedule, int StepIndex, int Threads, bool ZeroSnr)
    {
        public SemanticsProfile SemanticsProfile => SemanticsProfile.Named[Profile];

        public SchedulerConfig Config => ZeroSnr
            ? new() { BetaSchedule = Schedule, PredictionType = Prediction, RescaleBetasZeroSnr = true, TimestepSpacing = TimestepSpacing.Trailing }
            : new() { BetaSchedule = Schedule, PredictionType = Prediction };

        public override string ToString() =>
            $"length {Length}, seed {Seed}, {Prediction}, {SemanticsProfile.Name}, {Schedule}, step {StepIndex}, threads {Threads}{(ZeroSnr ? ", zero-SNR trailing" : "")}";
    }

    private static Arbitrary<Case> Cases() =>
        (from length in Gen.Choose(0, 4096)
         from seed in Gen.Choose(0, int.MaxValue)
         from prediction in Gen.Elements(PredictionType.Epsilon, PredictionType.Sample, PredictionType.VPrediction)
         from profile in Gen.Choose(0, SemanticsProfile.Named.Count - 1)
         from schedule in Gen.Elements(BetaSchedule.ScaledLinear, BetaSchedule.Linear, BetaSchedule.SquaredCosCapV2)
         from step in Gen.Choose(0, 49)
         from threads in Gen.Elements(1, 2)
         from zeroSnr in Gen.Elements(false, true)
         from edge in Gen.Elements(false, false, true)
         select new Case(length, seed, prediction, profile, schedule, edge ? (step % 2 == 0 ? 0 : 49) : step, threads, zeroSnr)).ToArbitrary();

    /// <summary>With <paramref name="ordinary"/>, the inputs are <see cref="SimdTestData.Ordinary"/> values (a share of
    /// small ones that the seed picks), else <see cref="SimdTestData.Values"/>.</summary>
    private static Property StepProperty<TSample, TModel>(bool ordinary = false)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel> =>
        Prop.ForAll(Cases(), c =>
        {
            var difference = c.Config.HasFloat64Table ? StepDifference<double, TSample, TModel>(c, ordinary) : StepDifference<float, TSample, TModel>(c, ordinary);
            return difference is null ? true.ToProperty() : false.Label(difference);
        });

    private static Property NoiseProperty<T>(bool ordinary = false)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Prop.ForAll(Cases(), c =>
        {
            var difference = c.Config.HasFloat64Table ? NoiseDifference<double, T>(c, ordinary) : NoiseDifference<float, T>(c, ordinary);
            return difference is null ? true.ToProperty() : false.Label(difference);
        });

    private static T[] Inputs<T>(Random random, int length, bool ordinary)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ordinary ? SimdTestData.Ordinary<T>(random, length, SmallShares[random.Next(SmallShares.Length)]) : SimdTestData.Values<T>(random, length);

    /// <summary>No small values (every register of the fast recipes), one in a thousand, one in sixty-four, one in
    /// eight (most groups of four registers then go to the finite recipes).</summary>
    private static readonly double[] SmallShares = [0, 1e-3, 1.0 / 64, 1.0 / 8];

    private static string? StepDifference<TTable, TSample, TModel>(Case c, bool ordinary)
        where TTable : unmanaged, IFloatingPointIeee754<TTable>
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        var random = new Random(c.Seed);
        var sample = Inputs<TSample>(random, c.Length, ordinary);
        var modelOutput = Inputs<TModel>(random, c.Length, ordinary);
        var reference = new ReferenceScheduler<TTable>(c.Config, c.SemanticsProfile);
        var simd = new SimdScheduler<TTable>(c.Config, c.SemanticsProfile) { MaxThreads = c.Threads };
        reference.SetTimesteps(50);
        simd.SetTimesteps(50);
        var timestep = reference.Timesteps[c.StepIndex];
        var expectedPrev = new TModel[c.Length];
        var expectedOriginal = new TModel[c.Length];
        var actualPrev = new TModel[c.Length];
        var actualOriginal = new TModel[c.Length];
        reference.Step<TSample, TModel>(modelOutput, timestep, sample, expectedPrev, expectedOriginal);
        simd.Step<TSample, TModel>(modelOutput, timestep, sample, actualPrev, actualOriginal);
        return SimdTestData.FirstDifference<TModel>($"prev_sample (t={timestep})", expectedPrev, actualPrev)
            ?? SimdTestData.FirstDifference<TModel>($"pred_original_sample (t={timestep})", expectedOriginal, actualOriginal);
    }

    private static string? NoiseDifference<TTable, T>(Case c, bool ordinary)
        where TTable : unmanaged, IFloatingPointIeee754<TTable>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(c.Seed);
        var items = 1 + random.Next(4);
        var length = c.Length / items * items;
        var input = Inputs<T>(random, length, ordinary);
        var noise = Inputs<T>(random, length, ordinary);
        var timesteps = Enumerable.Range(0, items).Select(_ => (long)random.Next(-1000, 1000)).ToArray();
        var reference = new ReferenceScheduler<TTable>(c.Config, c.SemanticsProfile);
        var simd = new SimdScheduler<TTable>(c.Config, c.SemanticsProfile) { MaxThreads = c.Threads };
        var expected = new T[length];
        var actual = new T[length];
        reference.AddNoise<T>(input, noise, timesteps, expected);
        simd.AddNoise<T>(input, noise, timesteps, actual);
        var difference = SimdTestData.FirstDifference<T>($"add_noise (t=[{string.Join(",", timesteps)}])", expected, actual);
        reference.GetVelocity<T>(input, noise, timesteps, expected);
        simd.GetVelocity<T>(input, noise, timesteps, actual);
        return difference ?? SimdTestData.FirstDifference<T>($"get_velocity (t=[{string.Join(",", timesteps)}])", expected, actual);
    }
}
