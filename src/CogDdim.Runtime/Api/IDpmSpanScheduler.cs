using System.Numerics;
using CogDdim.Config;
using CogDdim.Semantics;

namespace CogDdim;

/// <summary>
/// diffusers' <c>CogVideoXDPMScheduler</c> (DPM-Solver++(2M), SDE form; recommended for CogVideoX-5B) over spans,
/// with the same members as <see cref="ISpanScheduler"/> except <c>step</c>. Its step takes noise: either the
/// caller's (the draw that enters prev_sample) or an <see cref="INoiseSource"/> the scheduler draws from as
/// diffusers does (once on a first-order step, twice on a second-order one, the first draw discarded).
/// </summary>
/// <remarks>
/// Two forms of step. Stateless, diffusers' own signature: <c>step(model_output, old_pred_original_sample, timestep,
/// timestep_back, sample)</c>, an empty <c>oldPredOriginalSample</c> meaning None. Stateful, the pipeline's loop
/// without the bookkeeping: <c>Step(modelOutput, timestep, sample, noise, …)</c> remembers the previous call's
/// pred_original_sample and timestep and passes them as old_pred_original_sample and timestep_back, exactly as
/// <c>CogVideoXPipeline</c> does; <see cref="SetTimesteps"/> and <see cref="ResetHistory"/> forget them.
/// Element types as in <see cref="ISpanScheduler"/>; the noise has the sample's type, the old x0 the model output's.
/// diffusers' <c>eta</c>, <c>use_clipped_model_output</c> and <c>variance_noise</c> are ignored by its DPM step,
/// so they are not parameters here; it returns a tuple (return_dict is False by default in this class).
/// </remarks>
public interface IDpmSpanScheduler
{
    /// <summary>The config the schedule was built from.</summary>
    SchedulerConfig Config { get; }

    /// <summary>How the torch build being reproduced rounds.</summary>
    SemanticsProfile Profile { get; }

    /// <summary>diffusers' <c>order</c>: 1.</summary>
    int Order { get; }

    /// <summary>diffusers' <c>init_noise_sigma</c>: 1.0.</summary>
    double InitNoiseSigma { get; }

    /// <summary>diffusers' <c>len(scheduler)</c>: num_train_timesteps.</summary>
    int Length { get; }

    /// <summary>Null until <see cref="SetTimesteps"/> succeeds.</summary>
    int? NumInferenceSteps { get; }

    /// <summary>The timesteps of the loop, in order.</summary>
    IReadOnlyList<long> Timesteps { get; }

    /// <summary>diffusers' <c>set_timesteps(num_inference_steps)</c>; also forgets the stateful step's history.</summary>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>The timestep the stateful step will pass as timestep_back (the previous call's), or null.</summary>
    long? TimestepBack { get; }

    /// <summary>Forgets the previous pred_original_sample and timestep: the next stateful step is a first step.</summary>
    void ResetHistory();

    /// <summary>How many noise draws diffusers makes in the next stateful step at <paramref name="timestep"/> (1 or 2; the last one counts).</summary>
    int NoiseDraws(long timestep);

    /// <summary>
    /// diffusers' <c>step(model_output, old_pred_original_sample, timestep, timestep_back, sample)</c> with the noise
    /// given: <paramref name="noise"/> is the draw that enters prev_sample (on a second-order step, diffusers' second
    /// draw). An empty <paramref name="oldPredOriginalSample"/> is None.
    /// </summary>
    void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TModel> oldPredOriginalSample, long timestep, long? timestepBack,
        ReadOnlySpan<TSample> sample, ReadOnlySpan<TSample> noise, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>;

    /// <summary>The stateless step drawing its noise from <paramref name="generator"/> as diffusers draws it.</summary>
    void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TModel> oldPredOriginalSample, long timestep, long? timestepBack,
        ReadOnlySpan<TSample> sample, INoiseSource generator, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>;

    /// <summary>The stateful step with the noise given (the draw that counts; see <see cref="NoiseDraws"/>).</summary>
    void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, ReadOnlySpan<TSample> noise,
        Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>;

    /// <summary>The stateful step drawing from <paramref name="generator"/> as diffusers does: the pipeline's loop, seeded.</summary>
    void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, INoiseSource generator,
        Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>;

    /// <summary><c>add_noise</c>, as in <see cref="ISpanScheduler.AddNoise{T}"/>.</summary>
    void AddNoise<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary><c>get_velocity</c>, as in <see cref="ISpanScheduler.GetVelocity{T}"/>.</summary>
    void GetVelocity<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>diffusers' <c>scale_model_input</c>: the sample, unchanged.</summary>
    ReadOnlySpan<T> ScaleModelInput<T>(ReadOnlySpan<T> sample, long? timestep = null)
        where T : unmanaged, IFloatingPointIeee754<T> => sample;
}
