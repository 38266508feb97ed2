using System.Collections.Immutable;

namespace CogDdim.Config;

/// <summary>
/// The 14 arguments of diffusers' <c>CogVideoXDDIMScheduler.__init__</c>, with its defaults.
/// <see cref="ClipSample"/>, <see cref="ClipSampleRange"/> and <see cref="SampleMaxValue"/> are kept because configs
/// carry them; diffusers' step ignores them, and so do we.
/// </summary>
/// <remarks>
/// The properties, equality, <see cref="ConfigKeys"/>, the enums and <see cref="ConfigNames"/> are generated at build
/// time from <c>schemas/cogvideox-ddim.schema.json</c> (SchedulerConfig.g.cs); this part holds what the schema does
/// not describe.
/// </remarks>
public sealed partial record SchedulerConfig
{
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
}
