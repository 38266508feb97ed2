using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>A way to compute the scheduler: the reference loops, SIMD, TorchSharp, generated code, a foreign port…</summary>
public interface ISchedulerBackend
{
    /// <summary>The name used on the command line (<c>--backend NAME</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Builds a scheduler for a config, following a semantics profile. Fails as diffusers' constructor fails
    /// (an unknown beta_schedule is a <see cref="NotSupportedException"/>).
    /// </summary>
    IScheduler Create(SchedulerConfig config, SemanticsProfile profile);
}

/// <summary>The schedule tensors, in the dtypes diffusers keeps them.</summary>
public sealed record ScheduleTables(HostTensor Betas, HostTensor Alphas, HostTensor AlphasCumprod, HostTensor FinalAlphaCumprod);

/// <summary>What <c>step</c> returns: both tensors in the dtype torch's promotion gives.</summary>
public sealed record StepResult(HostTensor PrevSample, HostTensor PredOriginalSample);

/// <summary>
/// One scheduler instance with diffusers' surface, over host tensors. Errors are .NET exceptions that classify as
/// diffusers' do, one .NET type per Python class (<see cref="ErrorClasses"/>): ValueError → <see cref="ArgumentException"/>,
/// IndexError → <see cref="ArgumentOutOfRangeException"/>, NotImplementedError → <see cref="NotSupportedException"/>.
/// One rule for every backend's <see cref="IDisposable.Dispose"/>: it may be called more than once, and every call
/// after it (<c>SetTimesteps</c>, <c>Step</c>, <c>AddNoise</c>, <c>GetVelocity</c>, <c>ScaleModelInput</c>) throws
/// <see cref="ObjectDisposedException"/>.
/// </summary>
public interface IScheduler : IDisposable
{
    SchedulerConfig Config { get; }

    /// <summary>diffusers' <c>order</c>: 1.</summary>
    int Order { get; }

    /// <summary>diffusers' <c>init_noise_sigma</c>: 1.0.</summary>
    double InitNoiseSigma { get; }

    /// <summary>diffusers' <c>len(scheduler)</c>: num_train_timesteps.</summary>
    int Length { get; }

    /// <summary>Null until <see cref="SetTimesteps"/> succeeds.</summary>
    int? NumInferenceSteps { get; }

    IReadOnlyList<long> Timesteps { get; }

    ScheduleTables Tables { get; }

    void SetTimesteps(int numInferenceSteps);

    StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample);

    HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps);

    HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps);

    /// <summary>Returns the sample unchanged, as diffusers does.</summary>
    HostTensor ScaleModelInput(HostTensor sample, long? timestep = null);
}
