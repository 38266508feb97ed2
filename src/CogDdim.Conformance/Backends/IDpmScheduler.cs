using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>The scheduler classes a fixture's <c>reference.class</c> names.</summary>
public static class SchedulerClasses
{
    /// <summary><c>CogVideoXDDIMScheduler</c>, as <c>reference.class</c> names it.</summary>
    public const string Ddim = "CogVideoXDDIMScheduler";
    /// <summary><c>CogVideoXDPMScheduler</c>, as <c>reference.class</c> names it.</summary>
    public const string Dpm = "CogVideoXDPMScheduler";

    /// <summary>An empty class (older files) is DDIM.</summary>
    public static bool IsDdim(string? name) => string.IsNullOrEmpty(name) || name == Ddim;

    /// <summary>Whether a <c>reference.class</c> value names the DPM scheduler.</summary>
    public static bool IsDpm(string? name) => name == Dpm;
}

/// <summary>
/// A backend that can also build <c>CogVideoXDPMScheduler</c>s (additive to <see cref="ISchedulerBackend"/>: a
/// backend without it runs DDIM suites only, and the conformance runner skips, with the reason, the DPM cases).
/// </summary>
public interface IDpmSchedulerBackend : ISchedulerBackend
{
    /// <summary>Builds a DPM scheduler for a config; fails as diffusers' constructor fails.</summary>
    IDpmScheduler CreateDpm(SchedulerConfig config, SemanticsProfile profile);
}

/// <summary>
/// One <c>CogVideoXDPMScheduler</c> over host tensors. The shared surface (tables, set_timesteps, add_noise,
/// get_velocity) is <see cref="IScheduler"/>'s; DDIM's <see cref="IScheduler.Step"/> does not exist in this class
/// and throws <see cref="NotSupportedException"/>.
/// </summary>
public interface IDpmScheduler : IScheduler
{
    /// <summary>
    /// diffusers' <c>step(model_output, old_pred_original_sample, timestep, timestep_back, sample, eta=0.0,
    /// generator=g, return_dict=False)</c> with the generator's draws replaced by <paramref name="noise"/>: the draw
    /// that enters prev_sample (diffusers' second draw on a second-order step; the first is discarded). Both results
    /// in the dtype torch's promotion gives; <paramref name="oldPredOriginalSample"/> must have that dtype.
    /// </summary>
    StepResult DpmStep(HostTensor modelOutput, HostTensor? oldPredOriginalSample, long timestep, long? timestepBack, HostTensor sample, HostTensor noise);
}
