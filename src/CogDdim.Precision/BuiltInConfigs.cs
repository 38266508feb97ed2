using CogDdim.Config;

namespace CogDdim.Precision;

/// <summary>The shipped scheduler configs of the CogVideoX models (the same values as the fixtures' <c>config</c>).</summary>
public static class BuiltInConfigs
{
    /// <summary>CogVideoX-2b: v_prediction, trailing spacing, zero terminal SNR, SNR shift 3.0; runs in float16.</summary>
    public static SchedulerConfig CogVideoX2b { get; } = new()
    {
        NumTrainTimesteps = 1000,
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        BetaSchedule = BetaSchedule.ScaledLinear,
        ClipSample = false,
        SetAlphaToOne = true,
        StepsOffset = 0,
        PredictionType = PredictionType.VPrediction,
        ClipSampleRange = 1.0,
        SampleMaxValue = 1.0,
        TimestepSpacing = TimestepSpacing.Trailing,
        RescaleBetasZeroSnr = true,
        SnrShiftScale = 3.0,
    };

    /// <summary>CogVideoX-5b: the same with no SNR shift (1.0); runs in bfloat16.</summary>
    public static SchedulerConfig CogVideoX5b { get; } = CogVideoX2b with { SnrShiftScale = 1.0 };

    public static IReadOnlyDictionary<string, SchedulerConfig> ByName { get; } = new Dictionary<string, SchedulerConfig>(StringComparer.Ordinal)
    {
        ["cogvideox-2b"] = CogVideoX2b,
        ["cogvideox-5b"] = CogVideoX5b,
    };
}
