using System.Numerics;
using CogDdim.Config;
using CogDdim.Semantics;

namespace CogDdim;

/// <summary>
/// diffusers' <c>CogVideoXDDIMScheduler</c> over spans: the runtime's fast <see cref="SimdScheduler{TTable}"/> and
/// every source-generated scheduler implement it, with the same names and argument order as diffusers (and as
/// <c>CogDdim.Torch.TorchScheduler</c> over tensors), so that moving between them changes one line.
/// </summary>
/// <remarks>
/// Element types are <see cref="double"/>, <see cref="float"/>, <see cref="Half"/> and
/// <see cref="Numerics.BFloat16"/>. Results are bit for bit diffusers' under the scheduler's <see cref="Profile"/>.
/// Output spans may be the input spans themselves (in place) but must not overlap them otherwise.
/// </remarks>
public interface ISpanScheduler
{
    /// <summary>The config the schedule was built from.</summary>
    SchedulerConfig Config { get; }

    /// <summary>How the torch build being reproduced rounds (torch 2.x CPU unless chosen otherwise).</summary>
    SemanticsProfile Profile { get; }

    /// <summary>diffusers' <c>order</c>: 1.</summary>
    int Order { get; }

    /// <summary>diffusers' <c>init_noise_sigma</c>: 1.0.</summary>
    double InitNoiseSigma { get; }

    /// <summary>diffusers' <c>len(scheduler)</c>: num_train_timesteps.</summary>
    int Length { get; }

    /// <summary>Null until <see cref="SetTimesteps"/> succeeds.</summary>
    int? NumInferenceSteps { get; }

    /// <summary>The timesteps of the loop, in order (num_train_timesteps - 1 down to 0 before <see cref="SetTimesteps"/>).</summary>
    IReadOnlyList<long> Timesteps { get; }

    /// <summary>diffusers' <c>set_timesteps(num_inference_steps)</c>.</summary>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>
    /// <c>step(model_output, timestep, sample)</c> as the CogVideoX pipeline calls it: the model output's dtype is the
    /// sample's or a wider one (float32 with bfloat16 latents), and both results have the model output's dtype.
    /// </summary>
    void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>;

    /// <summary><c>step</c> with sample and model output of one dtype.</summary>
    void Step<T>(ReadOnlySpan<T> modelOutput, long timestep, ReadOnlySpan<T> sample, Span<T> prevSample, Span<T> predOriginalSample)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Step<T, T>(modelOutput, timestep, sample, prevSample, predOriginalSample);

    /// <summary>
    /// <c>add_noise</c>: <c>sqrt(ac[t]) * original + sqrt(1 - ac[t]) * noise</c>; the samples are split into
    /// <c>timesteps.Length</c> equal batch items (one timestep each), or one timestep serves all.
    /// </summary>
    void AddNoise<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary><c>get_velocity</c>: <c>sqrt(ac[t]) * noise - sqrt(1 - ac[t]) * sample</c>, split as in <see cref="AddNoise{T}"/>.</summary>
    void GetVelocity<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>diffusers' <c>scale_model_input</c>: the sample, unchanged.</summary>
    ReadOnlySpan<T> ScaleModelInput<T>(ReadOnlySpan<T> sample, long? timestep = null)
        where T : unmanaged, IFloatingPointIeee754<T> => sample;
}
