using System.Globalization;
using System.Numerics;
using CogDdim.Config;
using CogDdim.Semantics;

namespace CogDdim.Scheduling;

/// <summary>A schedule table entry that is not finite, and the config key whose value made it so.</summary>
/// <param name="Key">The config key to look at.</param>
/// <param name="Table">betas, alphas or alphas_cumprod.</param>
/// <param name="Index">The first non-finite entry.</param>
/// <param name="Value">Its value (NaN or an infinity).</param>
/// <param name="Reason">Why that key gives it.</param>
public sealed record NonFiniteTableEntry(string Key, string Table, int Index, double Value, string Reason)
{
    /// <summary>The warning text: what is non-finite, where, and why.</summary>
    public string Message => string.Create(CultureInfo.InvariantCulture,
        $"gives a schedule that is not finite: {Table}[{Index}] is {Value} ({Reason}); diffusers accepts the config, and its steps compute NaN");
}

/// <summary>Config checks that diffusers makes (or fails) while it builds the schedule, shared by every backend.</summary>
public static class ScheduleChecks
{
    /// <summary>torch's message for a linspace bound that Python's <c>** 0.5</c> made complex.</summary>
    public const string ComplexLinspaceMessage =
        "torch.linspace(): inferred dtype c10::complex<float> can't be safely cast to passed dtype Double";

    /// <summary>
    /// Throws where diffusers' <c>__init__</c> raises although each value is of the right type: a negative
    /// <c>beta_start</c> or <c>beta_end</c> with <c>scaled_linear</c> (Python's <c>(-0.1) ** 0.5</c> is complex, and
    /// <c>torch.linspace</c> raises RuntimeError). The exception is an <see cref="InvalidOperationException"/>.
    /// </summary>
    public static void ThrowIfConstructionFails(SchedulerConfig config)
    {
        if (ComplexLinspaceKey(config) is { } key)
        {
            throw new InvalidOperationException(
                $"{ComplexLinspaceMessage} ({key} is negative, so {key} ** 0.5 is a complex number in Python)");
        }
    }

    /// <summary>The key whose negative value makes scaled_linear's square root complex, or null.</summary>
    public static string? ComplexLinspaceKey(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.TrainedBetas is not null || config.BetaSchedule != BetaSchedule.ScaledLinear
            || config.DeferredInvalidValues.ContainsKey(ConfigKeys.BetaSchedule))
        {
            return null;
        }

        return config.BetaStart < 0 ? ConfigKeys.BetaStart : config.BetaEnd < 0 ? ConfigKeys.BetaEnd : null;
    }

    /// <summary>
    /// The first non-finite entry of betas, alphas or alphas_cumprod that diffusers would build for
    /// <paramref name="config"/>, or null when all are finite (or the config fails at construction anyway).
    /// </summary>
    public static NonFiniteTableEntry? FirstNonFinite(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (ComplexLinspaceKey(config) is not null || (config.DeferredInvalidValues.ContainsKey(ConfigKeys.BetaSchedule) && config.TrainedBetas is null)
            || (config.TrainedBetas is { } t && t.Length != config.NumTrainTimesteps))
        {
            return null;
        }

        return config.HasFloat64Table ? Check<double>(config) : Check<float>(config);
    }

    private static NonFiniteTableEntry? Check<T>(SchedulerConfig config)
        where T : IFloatingPointIeee754<T>
    {
        var profile = SemanticsProfile.Torch2Cpu;
        var betasKey = config.TrainedBetas is not null ? ConfigKeys.TrainedBetas
            : config.BetaSchedule == BetaSchedule.SquaredCosCapV2 ? ConfigKeys.BetaSchedule
            : config.BetaEnd is < 0 or > 1 || config.BetaStart is >= 0 and <= 1 ? ConfigKeys.BetaEnd
            : ConfigKeys.BetaStart;
        var betas = ScheduleMath<T>.Betas(config, profile);
        if (First(betas, "betas", betasKey, "a beta is not a finite number") is { } b)
        {
            return b;
        }

        var alphas = ScheduleMath<T>.Alphas(betas);
        if (First(alphas, "alphas", betasKey, "1 - beta is not finite") is { } a)
        {
            return a;
        }

        var raw = ScheduleMath<T>.Cumprod(alphas, profile);
        if (First(raw, "alphas_cumprod", betasKey, "the product of the alphas overflows") is { } c)
        {
            return c;
        }

        // Betas outside [0, 1] make the product leave [0, 1]; the shift and the rescale then divide by zero or take
        // square roots of negatives: that is the betas' doing, not the later keys'.
        var leavesUnitRange = raw.Any(v => v < T.Zero || v > T.One);
        var shifted = ScheduleMath<T>.SnrShift(raw, config.SnrShiftScale);
        if (First(shifted, "alphas_cumprod", leavesUnitRange ? betasKey : ConfigKeys.SnrShiftScale,
                leavesUnitRange ? "betas outside [0, 1] take alphas_cumprod outside [0, 1], where the SNR shift divides by zero"
                : "the SNR shift ac / (s + (1 - s) * ac) divides zero by zero") is { } s)
        {
            return s;
        }

        if (!config.RescaleBetasZeroSnr)
        {
            return null;
        }

        var rescaled = ScheduleMath<T>.RescaleZeroTerminalSnr(shifted);
        return First(rescaled, "alphas_cumprod", leavesUnitRange ? betasKey : ConfigKeys.RescaleBetasZeroSnr,
            leavesUnitRange ? "betas outside [0, 1] make alphas_cumprod negative, and the zero-SNR rescale takes its square root"
            : config.NumTrainTimesteps == 1 ? "the zero-SNR rescale divides by sqrt(ac[0]) - sqrt(ac[-1]), which is 0 with one training timestep"
            : "the zero-SNR rescale divides by sqrt(ac[0]) - sqrt(ac[-1]), which is 0 or not finite here");
    }

    private static NonFiniteTableEntry? First<T>(T[] values, string table, string key, string reason)
        where T : IFloatingPointIeee754<T>
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                return new NonFiniteTableEntry(key, table, i, double.CreateTruncating(values[i]), reason);
            }
        }

        return null;
    }
}
