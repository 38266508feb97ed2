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

    /// <summary>
    /// The fast <c>CogVideoXDPMScheduler</c> for <paramref name="config"/> (what CogVideoX-5B is run with:
    /// <c>CogVideoXDPMScheduler.from_config(pipe.scheduler.config, timestep_spacing="trailing")</c>), with the table
    /// type diffusers uses for it.
    /// </summary>
    public static IDpmSpanScheduler CreateDpm(SchedulerConfig config, SemanticsProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        profile ??= SemanticsProfile.Torch2Cpu;
        return config.HasFloat64Table
            ? new SimdDpmScheduler<double>(config, profile)
            : new SimdDpmScheduler<float>(config, profile);
    }

    /// <summary>Reads a model's <c>scheduler_config.json</c> strictly and builds its DPM scheduler.</summary>
    public static IDpmSpanScheduler DpmFromConfigFile(string path, SemanticsProfile? profile = null) =>
        CreateDpm(SchedulerConfigReader.ReadFile(path).Config, profile);
}
