using System.Numerics;
using CogDdim.Config;
using CogDdim.Scheduling;
using CogDdim.Semantics;

namespace CogDdim.Reference;

/// <summary>
/// diffusers' <c>CogVideoXDPMScheduler</c> as plain scalar loops: the schedule is the runtime's
/// <see cref="DdimSchedule{TTable}"/>, the scalars <see cref="DpmCoefficients{T}"/>, the element
/// <see cref="DpmStepFormula"/>; the argument checks, draw order and stateful history are
/// <see cref="DpmSpanSchedulerBase{TTable}"/>'s. The oracle of the conformance tools and the precision study
/// (with a wider <typeparamref name="TTable"/> it computes log/exp/expm1 with that type's own functions).
/// </summary>
public sealed class ReferenceDpmScheduler<TTable> : DpmSpanSchedulerBase<TTable>
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
{
    private readonly ReferenceScheduler<TTable> _ddim;

    /// <summary>The scalar DPM reference for <paramref name="config"/>, reproducing <paramref name="profile"/>.</summary>
    public ReferenceDpmScheduler(SchedulerConfig config, SemanticsProfile profile)
        : this(DpmConstruction.Build(() => new DdimSchedule<TTable>(config, profile)))
    {
    }

    /// <summary>The scalar DPM reference over a schedule built elsewhere.</summary>
    public ReferenceDpmScheduler(DdimSchedule<TTable> schedule)
        : base(schedule)
    {
        _ddim = new ReferenceScheduler<TTable>(schedule);
    }

    /// <summary>diffusers' <c>betas</c>.</summary>
    public TTable[] Betas => Schedule.Betas;

    /// <summary>diffusers' <c>alphas</c> (1 - betas).</summary>
    public TTable[] Alphas => Schedule.Alphas;

    /// <summary>diffusers' <c>alphas_cumprod</c>, after the SNR shift and any zero-terminal-SNR rescale.</summary>
    public TTable[] AlphasCumprod => Schedule.AlphasCumprod;

    /// <summary>1.0 when set_alpha_to_one, else alphas_cumprod[0].</summary>
    public TTable FinalAlphaCumprod => Schedule.FinalAlphaCumprod;

    /// <inheritdoc/>
    public override void AddNoise<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples) =>
        _ddim.AddNoise(originalSamples, noise, timesteps, noisySamples);

    /// <inheritdoc/>
    public override void GetVelocity<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity) =>
        _ddim.GetVelocity(sample, noise, timesteps, velocity);

    /// <inheritdoc/>
    protected override void StepElements<TSample, TModel>(in DpmCoefficients<TTable> c, bool secondOrder, ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TModel> old,
        ReadOnlySpan<TSample> sample, ReadOnlySpan<TSample> noise, Span<TModel> prevSample, Span<TModel> predOriginalSample)
    {
        var prediction = Config.PredictionType;
        var profile = Profile;
        for (var i = 0; i < sample.Length; i++)
        {
            (prevSample[i], predOriginalSample[i]) = DpmStepFormula.Element(prediction, c, secondOrder, profile, sample[i], modelOutput[i], secondOrder ? old[i] : TModel.Zero, noise[i]);
        }
    }
}
