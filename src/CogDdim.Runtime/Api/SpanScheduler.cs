using CogDdim.Config;
using CogDdim.Semantics;

namespace CogDdim;

/// <summary>
/// Builds the fast span scheduler for a config, with the schedule table type diffusers uses for it (float64 for
/// scaled_linear betas, float32 otherwise), so that no caller has to know that rule.
/// </summary>
public static class SpanScheduler
{
    /// <summary>
    /// The scheduler for <paramref name="config"/>, reproducing <paramref name="profile"/> (default: torch 2.x on the CPU,
    /// <see cref="SemanticsProfile.Torch2Cpu"/>; <see cref="SemanticsProfile.Opmath"/> for CUDA's rounding).
    /// </summary>
    public static ISpanScheduler Create(SchedulerConfig config, SemanticsProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        profile ??= SemanticsProfile.Torch2Cpu;
        return config.HasFloat64Table
            ? new SimdScheduler<double>(config, profile)
            : new SimdScheduler<float>(config, profile);
    }

    /// <summary>
    /// Reads a model's <c>scheduler_config.json</c> strictly (a wrong type or value is a <see cref="ConfigException"/>
    /// naming the key; unknown keys are ignored as diffusers ignores them) and builds its scheduler.
    /// </summary>
    public static ISpanScheduler FromConfigFile(string path, SemanticsProfile? profile = null) =>
        Create(SchedulerConfigReader.ReadFile(path).Config, profile);
}
