using System.Collections.Immutable;
using CogDdim.Config;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CogDdim.Conformance.Reference;

/// <summary>A config diffusers runs without failing, drawn over every option.</summary>
public sealed record ValidConfig(SchedulerConfig Config)
{
    public override string ToString() => SchedulerConfigWriter.ToJson(Config).ReplaceLineEndings(" ");
}

public static class ReferenceArbitraries
{
    public static Gen<double> Between(double low, double high) =>
        Gen.Choose(0, 1_000_000).Select(i => low + ((high - low) * i / 1_000_000.0));

    public static Arbitrary<ValidConfig> ValidConfigs() =>
        (from trainTimesteps in Gen.Choose(2, 2000)
         from betaStart in Between(1e-5, 2e-3)
         from betaSpan in Between(1e-4, 3e-2)
         from schedule in Gen.Elements(BetaSchedule.Linear, BetaSchedule.ScaledLinear, BetaSchedule.SquaredCosCapV2)
         from prediction in Gen.Elements(PredictionType.Epsilon, PredictionType.Sample, PredictionType.VPrediction)
         from spacing in Gen.Elements(TimestepSpacing.Linspace, TimestepSpacing.Leading, TimestepSpacing.Trailing)
         from setAlphaToOne in Gen.Elements(true, false)
         from rescale in Gen.Elements(true, false)
         from snrShift in Between(0.25, 6.0)
         select new ValidConfig(new SchedulerConfig
         {
             NumTrainTimesteps = trainTimesteps,
             BetaStart = betaStart,
             BetaEnd = betaStart + betaSpan,
             BetaSchedule = schedule,
             PredictionType = prediction,
             TimestepSpacing = spacing,
             SetAlphaToOne = setAlphaToOne,
             RescaleBetasZeroSnr = rescale,
             SnrShiftScale = snrShift,
         })).ToArbitrary();

    public static Arbitrary<SemanticsProfile> Profiles() => Gen.Elements(SemanticsProfile.Named.ToArray()).ToArbitrary();
}

[Properties(Arbitrary = [typeof(ReferenceArbitraries)], MaxTest = 60)]
public sealed class ReferenceProperties
{
    private static double[] AlphasCumprod(SchedulerConfig config, SemanticsProfile profile) =>
        config.HasFloat64Table
            ? new ReferenceScheduler<double>(config, profile).AlphasCumprod
            : [.. new ReferenceScheduler<float>(config, profile).AlphasCumprod.Select(x => (double)x)];

    [Property]
    public void Alphas_cumprod_is_strictly_decreasing_within_zero_and_one(ValidConfig valid, SemanticsProfile profile)
    {
        var ac = AlphasCumprod(valid.Config, profile);
        Assert.All(ac, a => Assert.InRange(a, 0.0, 1.0));
        for (var i = 1; i < ac.Length; i++)
        {
            Assert.True(ac[i] < ac[i - 1], $"alphas_cumprod[{i}] = {ac[i]:R} is not below [{i - 1}] = {ac[i - 1]:R}");
        }

        if (valid.Config.RescaleBetasZeroSnr)
        {
            Assert.Equal(0.0, ac[^1]);
        }
    }

    [Property]
    public void Timesteps_are_strictly_decreasing_and_inside_the_table_where_diffusers_keeps_them_there(ValidConfig valid, PositiveInt steps)
    {
        var config = valid.Config;
        var n = 1 + ((steps.Get - 1) % config.NumTrainTimesteps);
        var timesteps = InferenceTimesteps.Compute(config, n);

        for (var i = 1; i < timesteps.Length; i++)
        {
            Assert.True(timesteps[i] < timesteps[i - 1], $"N={n}: timesteps[{i}] = {timesteps[i]} after {timesteps[i - 1]}");
        }

        // leading (offset 0) and linspace always stay inside; trailing does when T / N is a whole number.
        var keptInside = config.TimestepSpacing != TimestepSpacing.Trailing || config.NumTrainTimesteps % n == 0;
        if (keptInside)
        {
            Assert.Equal(n, timesteps.Length);
            Assert.All(timesteps, t => Assert.InRange(t, 0L, config.NumTrainTimesteps - 1));
        }
        else
        {
            Assert.InRange(timesteps.Length, n, n + 1);
        }
    }

    [Property]
    public void Sample_prediction_returns_the_model_output_as_pred_original_sample_bit_for_bit(ValidConfig valid, SemanticsProfile profile, NormalFloat[] values)
    {
        var config = valid.Config with { PredictionType = PredictionType.Sample };
        var scheduler = new ReferenceScheduler<double>(config with { BetaSchedule = BetaSchedule.ScaledLinear, TrainedBetas = null }, profile);
        scheduler.SetTimesteps(Math.Min(10, config.NumTrainTimesteps));
        var modelOutput = values.Select(v => (float)v.Get).ToArray();
        var sample = modelOutput.Reverse().ToArray();
        var x0 = new float[modelOutput.Length];
        scheduler.Step<float>(modelOutput, scheduler.Timesteps[0], sample, new float[modelOutput.Length], x0);

        Assert.Equal(modelOutput.Select(BitConverter.SingleToUInt32Bits), x0.Select(BitConverter.SingleToUInt32Bits));
    }

    [Property]
    public void Add_noise_then_step_with_the_true_noise_recovers_x0_in_double(ValidConfig valid, NormalFloat[] x0Values, int seed)
    {
        var config = valid.Config with
        {
            PredictionType = PredictionType.Epsilon,
            RescaleBetasZeroSnr = false,
            BetaSchedule = BetaSchedule.ScaledLinear,
            TrainedBetas = null,
        };
        var scheduler = new ReferenceScheduler<double>(config, SemanticsProfile.Torch2Cpu);
        scheduler.SetTimesteps(Math.Min(20, config.NumTrainTimesteps));
        var random = new Random(seed);
        var x0 = x0Values.Select(v => Math.Clamp(v.Get, -1e3, 1e3)).ToArray();
        var noise = x0.Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var t = scheduler.Timesteps[random.Next(scheduler.Timesteps.Count)];
        var noisy = new double[x0.Length];
        scheduler.AddNoise<double>(x0, noise, [t], noisy);

        var recovered = new double[x0.Length];
        scheduler.Step<double>(noise, t, noisy, new double[x0.Length], recovered);

        var sqrtAlpha = Math.Sqrt(scheduler.AlphasCumprod[(int)t]);
        for (var i = 0; i < x0.Length; i++)
        {
            var bound = 1e-13 * (1 + Math.Abs(x0[i]) + Math.Abs(noise[i])) / sqrtAlpha;
            Assert.True(Math.Abs(recovered[i] - x0[i]) <= bound, $"t={t}: x0 {x0[i]:R} recovered as {recovered[i]:R} (bound {bound:E2})");
        }
    }
}
