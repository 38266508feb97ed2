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
/// <param name="Betas">diffusers' <c>betas</c>.</param>
/// <param name="Alphas">diffusers' <c>alphas</c>.</param>
/// <param name="AlphasCumprod">diffusers' <c>alphas_cumprod</c>.</param>
/// <param name="FinalAlphaCumprod">diffusers' <c>final_alpha_cumprod</c>, a 0-dim tensor.</param>
public sealed record ScheduleTables(HostTensor Betas, HostTensor Alphas, HostTensor AlphasCumprod, HostTensor FinalAlphaCumprod);

/// <summary>What <c>step</c> returns: both tensors in the dtype torch's promotion gives.</summary>
/// <param name="PrevSample">diffusers' <c>prev_sample</c>: the sample at the previous timestep.</param>
/// <param name="PredOriginalSample">diffusers' <c>pred_original_sample</c>: the predicted denoised sample x0.</param>
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
    /// <summary>The full effective config the scheduler was built from (the suite's <c>config</c>).</summary>
    SchedulerConfig Config { get; }

    /// <summary>diffusers' <c>order</c>: 1.</summary>
    int Order { get; }

    /// <summary>diffusers' <c>init_noise_sigma</c>: 1.0.</summary>
    double InitNoiseSigma { get; }

    /// <summary>diffusers' <c>len(scheduler)</c>: num_train_timesteps.</summary>
    int Length { get; }

    /// <summary>Null until <see cref="SetTimesteps"/> succeeds.</summary>
    int? NumInferenceSteps { get; }

    /// <summary>diffusers' <c>timesteps</c>: <c>num_train_timesteps - 1</c> down to 0 before <see cref="SetTimesteps"/>, then the inference timesteps.</summary>
    IReadOnlyList<long> Timesteps { get; }

    /// <summary>diffusers' <c>betas</c>, <c>alphas</c>, <c>alphas_cumprod</c> and <c>final_alpha_cumprod</c>, as the fixture's <c>schedule</c> records them.</summary>
    ScheduleTables Tables { get; }

    /// <summary>diffusers' <c>set_timesteps(num_inference_steps)</c>: computes <see cref="Timesteps"/> by the config's <c>timestep_spacing</c>.</summary>
    /// <param name="numInferenceSteps">The number of denoising steps; more than <c>num_train_timesteps</c> is a <c>ValueError</c>.</param>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>diffusers' <c>step(model_output, timestep, sample)</c>: one DDIM step (eta 0), bit for bit.</summary>
    /// <param name="modelOutput">diffusers' <c>model_output</c>: the sample's dtype or a wider one (float32 over a bf16 sample, as the CogVideoX pipeline does).</param>
    /// <param name="timestep">The current timestep, one of <see cref="Timesteps"/> or any other integer diffusers accepts.</param>
    /// <param name="sample">diffusers' <c>sample</c>: the current latents.</param>
    /// <returns><c>prev_sample</c> and <c>pred_original_sample</c>, in the model output's dtype.</returns>
    StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample);

    /// <summary>diffusers' <c>add_noise(original_samples, noise, timesteps)</c>.</summary>
    /// <param name="originalSamples">diffusers' <c>original_samples</c>.</param>
    /// <param name="noise">The noise, same dtype and shape.</param>
    /// <param name="timesteps">int64: one per batch item, or one for all.</param>
    /// <returns><c>noisy_samples</c>, in the input's dtype.</returns>
    HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps);

    /// <summary>diffusers' <c>get_velocity(sample, noise, timesteps)</c>.</summary>
    /// <param name="sample">diffusers' <c>sample</c>.</param>
    /// <param name="noise">The noise, same dtype and shape.</param>
    /// <param name="timesteps">int64: one per batch item, or one for all.</param>
    /// <returns><c>velocity</c>, in the input's dtype.</returns>
    HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps);

    /// <summary>Returns the sample unchanged, as diffusers does.</summary>
    HostTensor ScaleModelInput(HostTensor sample, long? timestep = null);
}
