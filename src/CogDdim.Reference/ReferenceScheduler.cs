using System.Numerics;
using CogDdim.Config;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Reference;

/// <summary>
/// diffusers' <c>CogVideoXDDIMScheduler</c> as plain scalar loops, generic over the schedule table's type
/// <typeparamref name="TTable"/> (double for scaled_linear, float otherwise; a wider type makes it an oracle) and over
/// the sample types of each call. The schedule is the runtime's <see cref="DdimSchedule{TTable}"/>, the step element
/// <see cref="DdimStepFormula"/>; every rounding point of diffusers + torch is kept (docs/reference-semantics.md).
/// This is the oracle the conformance tools and the precision study use; apps use the fast span scheduler.
/// </summary>
public sealed class ReferenceScheduler<TTable>
    where TTable : IFloatingPointIeee754<TTable>
{
    /// <summary>diffusers' <c>CogVideoXDDIMScheduler(**config)</c>, rounding as <paramref name="profile"/>'s torch build does.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="profile">How the torch build being reproduced rounds.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TTable"/> has a torch dtype other than diffusers' table dtype for <paramref name="config"/> (see <see cref="DdimSchedule{TTable}"/>).</exception>
    /// <exception cref="NotSupportedException">The config's beta_schedule is not implemented in diffusers.</exception>
    public ReferenceScheduler(SchedulerConfig config, SemanticsProfile profile)
        : this(new DdimSchedule<TTable>(config, profile))
    {
    }

    /// <summary>A scheduler over an existing schedule (shared, not copied: <see cref="SetTimesteps"/> sets its timesteps).</summary>
    /// <param name="schedule">The tables and timesteps.</param>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    public ReferenceScheduler(DdimSchedule<TTable> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    /// <summary>The tables, timesteps and per-step scalars.</summary>
    public DdimSchedule<TTable> Schedule { get; }

    /// <inheritdoc cref="DdimSchedule{TTable}.Config"/>
    public SchedulerConfig Config => Schedule.Config;

    /// <inheritdoc cref="DdimSchedule{TTable}.Profile"/>
    public SemanticsProfile Profile => Schedule.Profile;

    /// <inheritdoc cref="DdimSchedule{TTable}.Betas"/>
    public TTable[] Betas => Schedule.Betas;

    /// <inheritdoc cref="DdimSchedule{TTable}.Alphas"/>
    public TTable[] Alphas => Schedule.Alphas;

    /// <inheritdoc cref="DdimSchedule{TTable}.AlphasCumprod"/>
    public TTable[] AlphasCumprod => Schedule.AlphasCumprod;

    /// <summary>1.0 when set_alpha_to_one, else alphas_cumprod[0].</summary>
    public TTable FinalAlphaCumprod => Schedule.FinalAlphaCumprod;

    /// <summary>diffusers keeps a set_alpha_to_one final value as a float32 0-dim tensor (<c>torch.tensor(1.0)</c>).</summary>
    public DType? FinalAlphaCumprodDType => Schedule.FinalAlphaCumprodDType;

    /// <inheritdoc cref="DdimSchedule{TTable}.Order"/>
    public int Order => Schedule.Order;

    /// <inheritdoc cref="DdimSchedule{TTable}.InitNoiseSigma"/>
    public double InitNoiseSigma => Schedule.InitNoiseSigma;

    /// <inheritdoc cref="DdimSchedule{TTable}.Length"/>
    public int Length => Schedule.Length;

    /// <inheritdoc cref="DdimSchedule{TTable}.NumInferenceSteps"/>
    public int? NumInferenceSteps => Schedule.NumInferenceSteps;

    /// <inheritdoc cref="DdimSchedule{TTable}.Timesteps"/>
    public IReadOnlyList<long> Timesteps => Schedule.Timesteps;

    /// <inheritdoc cref="DdimSchedule{TTable}.SetTimesteps"/>
    public void SetTimesteps(int numInferenceSteps) => Schedule.SetTimesteps(numInferenceSteps);

    /// <summary>The scalars of <c>step(…, timestep, …)</c>, with diffusers' checks in diffusers' order.</summary>
    public StepCoefficients<TTable> Coefficients(long timestep) => Schedule.Coefficients(timestep);

    /// <summary><c>step</c> with sample and model output of one dtype.</summary>
    /// <remarks><c>eta</c> and <c>useClippedModelOutput</c> are accepted and ignored, as diffusers' CogVideoXDDIMScheduler
    /// ignores them (and <c>generator</c>, <c>variance_noise</c>): its step adds no noise.</remarks>
    public void Step<T>(ReadOnlySpan<T> modelOutput, long timestep, ReadOnlySpan<T> sample, Span<T> prevSample, Span<T> predOriginalSample, double eta = 0.0, bool useClippedModelOutput = false)
        where T : IFloatingPointIeee754<T> =>
        Step<T, T>(modelOutput, timestep, sample, prevSample, predOriginalSample, eta, useClippedModelOutput);

    /// <summary>
    /// <c>step</c> as the CogVideoX pipeline calls it: a model output of a dtype at least as wide as the sample's
    /// (float32 with bfloat16 latents). Both results have the model output's dtype, which is torch's promotion.
    /// </summary>
    /// <remarks><c>eta</c> and <c>useClippedModelOutput</c> are accepted and ignored, as in diffusers.</remarks>
    public void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample, double eta = 0.0, bool useClippedModelOutput = false)
        where TSample : IFloatingPointIeee754<TSample>
        where TModel : IFloatingPointIeee754<TModel>
    {
        _ = (eta, useClippedModelOutput);
        SpanArguments.CheckPromotion<TSample, TModel>();
        SpanArguments.CheckStepLengths(sample.Length, modelOutput.Length, prevSample.Length, predOriginalSample.Length);
        var c = Coefficients(timestep);
        var profile = Profile;
        var prediction = Config.PredictionType;
        for (var i = 0; i < sample.Length; i++)
        {
            (prevSample[i], predOriginalSample[i]) = DdimStepFormula.Element(prediction, c, profile, sample[i], modelOutput[i]);
        }
    }

    /// <summary>
    /// <c>add_noise</c>: <c>sqrt(ac[t]) * original + sqrt(1 - ac[t]) * noise</c> in the samples' dtype. The samples
    /// are split along their first dimension into <c>timesteps.Length</c> equal items (one timestep each), or one
    /// timestep serves all.
    /// </summary>
    public void AddNoise<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples)
        where T : IFloatingPointIeee754<T>
    {
        SpanArguments.CheckNoiseLengths(originalSamples.Length, noise.Length, noisySamples.Length);
        var itemLength = SpanArguments.ItemLength(originalSamples.Length, timesteps.Length);
        for (var b = 0; b < timesteps.Length; b++)
        {
            var (sqrtAlpha, sqrtOneMinusAlpha) = NoiseScalars<T>(timesteps[b]);
            for (var i = b * itemLength; i < (b + 1) * itemLength; i++)
            {
                noisySamples[i] = (sqrtAlpha * originalSamples[i]) + (sqrtOneMinusAlpha * noise[i]);
            }
        }
    }

    /// <summary><c>get_velocity</c>: <c>sqrt(ac[t]) * noise - sqrt(1 - ac[t]) * sample</c>, split as in <see cref="AddNoise{T}"/>.</summary>
    public void GetVelocity<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity)
        where T : IFloatingPointIeee754<T>
    {
        SpanArguments.CheckNoiseLengths(sample.Length, noise.Length, velocity.Length);
        var itemLength = SpanArguments.ItemLength(sample.Length, timesteps.Length);
        for (var b = 0; b < timesteps.Length; b++)
        {
            var (sqrtAlpha, sqrtOneMinusAlpha) = NoiseScalars<T>(timesteps[b]);
            for (var i = b * itemLength; i < (b + 1) * itemLength; i++)
            {
                velocity[i] = (sqrtAlpha * noise[i]) - (sqrtOneMinusAlpha * sample[i]);
            }
        }
    }

    /// <summary>
    /// <c>alphas_cumprod.to(dtype)[t] ** 0.5</c> and <c>(1 - alphas_cumprod.to(dtype)[t]) ** 0.5</c>, in the samples' dtype.
    /// </summary>
    public (T SqrtAlpha, T SqrtOneMinusAlpha) NoiseScalars<T>(long timestep)
        where T : IFloatingPointIeee754<T> => Schedule.NoiseScalars<T>(timestep);

    /// <summary>Python indexing of the table: a negative index counts from the end; anything else outside is an IndexError.</summary>
    public int TableIndex(long timestep, string name) => Schedule.TableIndex(timestep, name);
}
