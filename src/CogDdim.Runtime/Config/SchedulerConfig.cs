using System.Collections.Immutable;

namespace CogDdim.Config;

/// <summary>
/// The 14 arguments of diffusers' <c>CogVideoXDDIMScheduler.__init__</c>, with its defaults.
/// <see cref="ClipSample"/>, <see cref="ClipSampleRange"/> and <see cref="SampleMaxValue"/> are kept because configs
/// carry them; diffusers' step ignores them, and so do we.
/// </summary>
public sealed record SchedulerConfig
{
    public const int MaxTrainTimesteps = 1_000_000;

    public int NumTrainTimesteps { get; init; } = 1000;

    public double BetaStart { get; init; } = 0.00085;

    public double BetaEnd { get; init; } = 0.0120;

    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.ScaledLinear;

    /// <summary>Betas given directly (rounded to float32); when set, beta_start, beta_end and beta_schedule are unused.</summary>
    public ImmutableArray<double>? TrainedBetas { get; init; }

    public bool ClipSample { get; init; } = true;

    public bool SetAlphaToOne { get; init; } = true;

    public int StepsOffset { get; init; }

    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    public double ClipSampleRange { get; init; } = 1.0;

    public double SampleMaxValue { get; init; } = 1.0;

    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Leading;

    public bool RescaleBetasZeroSnr { get; init; }

    public double SnrShiftScale { get; init; } = 3.0;

    /// <summary>
    /// Values diffusers accepts when it builds the scheduler but rejects at a later call (a <c>prediction_type</c> of
    /// "flow" fails in <c>step</c>, a <c>timestep_spacing</c> of "uniform" in <c>set_timesteps</c>, an unknown
    /// <c>beta_schedule</c> in the constructor). Only <see cref="ConfigStrictness.DiffusersCompatible"/> loading keeps
    /// them, keyed by config key; the scheduler then fails where diffusers fails. Empty for a valid config.
    /// </summary>
    public ImmutableSortedDictionary<string, string> DeferredInvalidValues { get; init; } =
        ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>True when <see cref="BetaSchedule"/> (not trained betas) decides the table and it is float64.</summary>
    public bool HasFloat64Table => TrainedBetas is null && BetaSchedule == BetaSchedule.ScaledLinear
                                   && !DeferredInvalidValues.ContainsKey(ConfigKeys.BetaSchedule);

    public bool Equals(SchedulerConfig? other) =>
        other is not null
        && NumTrainTimesteps == other.NumTrainTimesteps
        && BetaStart.Equals(other.BetaStart)
        && BetaEnd.Equals(other.BetaEnd)
        && BetaSchedule == other.BetaSchedule
        && (TrainedBetas is null
            ? other.TrainedBetas is null
            : other.TrainedBetas is not null && TrainedBetas.Value.SequenceEqual(other.TrainedBetas.Value))
        && ClipSample == other.ClipSample
        && SetAlphaToOne == other.SetAlphaToOne
        && StepsOffset == other.StepsOffset
        && PredictionType == other.PredictionType
        && ClipSampleRange.Equals(other.ClipSampleRange)
        && SampleMaxValue.Equals(other.SampleMaxValue)
        && TimestepSpacing == other.TimestepSpacing
        && RescaleBetasZeroSnr == other.RescaleBetasZeroSnr
        && SnrShiftScale.Equals(other.SnrShiftScale)
        && DeferredInvalidValues.SequenceEqual(other.DeferredInvalidValues);

    public override int GetHashCode() =>
        HashCode.Combine(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, PredictionType, TimestepSpacing, SnrShiftScale, StepsOffset);
}

/// <summary>The JSON keys of a diffusers scheduler config.</summary>
public static class ConfigKeys
{
    public const string NumTrainTimesteps = "num_train_timesteps";
    public const string BetaStart = "beta_start";
    public const string BetaEnd = "beta_end";
    public const string BetaSchedule = "beta_schedule";
    public const string TrainedBetas = "trained_betas";
    public const string ClipSample = "clip_sample";
    public const string SetAlphaToOne = "set_alpha_to_one";
    public const string StepsOffset = "steps_offset";
    public const string PredictionType = "prediction_type";
    public const string ClipSampleRange = "clip_sample_range";
    public const string SampleMaxValue = "sample_max_value";
    public const string TimestepSpacing = "timestep_spacing";
    public const string RescaleBetasZeroSnr = "rescale_betas_zero_snr";
    public const string SnrShiftScale = "snr_shift_scale";
    public const string ClassName = "_class_name";
    public const string DiffusersVersion = "_diffusers_version";

    public static readonly IReadOnlyList<string> All =
    [
        NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas, ClipSample, SetAlphaToOne, StepsOffset,
        PredictionType, ClipSampleRange, SampleMaxValue, TimestepSpacing, RescaleBetasZeroSnr, SnrShiftScale,
    ];
}
