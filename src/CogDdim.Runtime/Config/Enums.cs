namespace CogDdim.Config;

/// <summary>Where the betas come from (<c>beta_schedule</c>); <c>trained_betas</c>, when given, overrides it.</summary>
public enum BetaSchedule
{
    /// <summary><c>linear</c>: float32 linspace from beta_start to beta_end.</summary>
    Linear,

    /// <summary><c>scaled_linear</c>: float64 linspace of the square roots, squared; the whole table stays float64.</summary>
    ScaledLinear,

    /// <summary><c>squaredcos_cap_v2</c>: the Glide cosine schedule, computed in doubles, rounded to float32.</summary>
    SquaredCosCapV2,
}

/// <summary>What the model predicts (<c>prediction_type</c>).</summary>
public enum PredictionType
{
    /// <summary><c>epsilon</c>: the noise.</summary>
    Epsilon,

    /// <summary><c>sample</c>: the denoised sample itself.</summary>
    Sample,

    /// <summary><c>v_prediction</c>: the velocity of Imagen Video §2.4.</summary>
    VPrediction,
}

/// <summary>How <c>set_timesteps</c> spreads the inference timesteps (<c>timestep_spacing</c>).</summary>
public enum TimestepSpacing
{
    /// <summary><c>linspace</c>: rounded numpy linspace over [0, T − 1].</summary>
    Linspace,

    /// <summary><c>leading</c>: multiples of T // N, plus steps_offset.</summary>
    Leading,

    /// <summary><c>trailing</c>: rounded arange from T down by T / N, minus one.</summary>
    Trailing,
}

public static class ConfigNames
{
    public static string Name(this BetaSchedule value) => value switch
    {
        BetaSchedule.Linear => "linear",
        BetaSchedule.ScaledLinear => "scaled_linear",
        BetaSchedule.SquaredCosCapV2 => "squaredcos_cap_v2",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    public static string Name(this PredictionType value) => value switch
    {
        PredictionType.Epsilon => "epsilon",
        PredictionType.Sample => "sample",
        PredictionType.VPrediction => "v_prediction",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    public static string Name(this TimestepSpacing value) => value switch
    {
        TimestepSpacing.Linspace => "linspace",
        TimestepSpacing.Leading => "leading",
        TimestepSpacing.Trailing => "trailing",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    public static readonly IReadOnlyList<string> BetaSchedules = ["linear", "scaled_linear", "squaredcos_cap_v2"];
    public static readonly IReadOnlyList<string> PredictionTypes = ["epsilon", "sample", "v_prediction"];
    public static readonly IReadOnlyList<string> TimestepSpacings = ["linspace", "leading", "trailing"];

    public static bool TryParseBetaSchedule(string s, out BetaSchedule value) =>
        TryParse(s, BetaSchedules, out value);

    public static bool TryParsePredictionType(string s, out PredictionType value) =>
        TryParse(s, PredictionTypes, out value);

    public static bool TryParseTimestepSpacing(string s, out TimestepSpacing value) =>
        TryParse(s, TimestepSpacings, out value);

    private static bool TryParse<TEnum>(string s, IReadOnlyList<string> names, out TEnum value)
        where TEnum : struct, Enum
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], s, StringComparison.Ordinal))
            {
                value = (TEnum)(object)i;
                return true;
            }
        }

        value = default;
        return false;
    }
}
