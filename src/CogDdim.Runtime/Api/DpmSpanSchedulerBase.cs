using System.Numerics;
using CogDdim.Config;
using CogDdim.Scheduling;
using CogDdim.Semantics;

namespace CogDdim;

/// <summary>
/// What every span implementation of <see cref="IDpmSpanScheduler"/> shares, written once: the argument checks, the
/// DPM scalars (<see cref="DpmCoefficients{T}"/>), diffusers' draw order (noise drawn before the IndexError of an
/// old x0 without timestep_back; a second draw on a second-order step) and the stateful step's history. A
/// subclass supplies the element loop and add_noise/get_velocity.
/// </summary>
public abstract class DpmSpanSchedulerBase<TTable> : IDpmSpanScheduler
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
{
    private Array? _history;
    private long? _lastTimestep;
    private Array? _noiseBuffer;

    /// <summary>A DPM span scheduler over <paramref name="schedule"/> (the tables and timesteps it shares with DDIM).</summary>
    protected DpmSpanSchedulerBase(DdimSchedule<TTable> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    /// <summary>The tables and timesteps (shared with DDIM: diffusers' two classes build them alike).</summary>
    public DdimSchedule<TTable> Schedule { get; }

    /// <inheritdoc/>
    public SchedulerConfig Config => Schedule.Config;

    /// <inheritdoc/>
    public SemanticsProfile Profile => Schedule.Profile;

    /// <inheritdoc/>
    public int Order => Schedule.Order;

    /// <inheritdoc/>
    public double InitNoiseSigma => Schedule.InitNoiseSigma;

    /// <inheritdoc/>
    public int Length => Schedule.Length;

    /// <inheritdoc/>
    public int? NumInferenceSteps => Schedule.NumInferenceSteps;

    /// <inheritdoc/>
    public IReadOnlyList<long> Timesteps => Schedule.Timesteps;

    /// <summary>The timestep of the previous stateful step (diffusers' timestep_back), or null before the first.</summary>
    public long? TimestepBack => _history is null ? null : _lastTimestep;

    /// <inheritdoc/>
    public void SetTimesteps(int numInferenceSteps)
    {
        Schedule.SetTimesteps(numInferenceSteps);
        ResetHistory();
    }

    /// <summary>Forgets the previous pred_original_sample and timestep, so the next stateful step is first-order (a new video).</summary>
    public void ResetHistory()
    {
        _history = null;
        _lastTimestep = null;
    }

    /// <summary>The scalars of <c>step(…, timestep, timestep_back, …)</c>, with diffusers' checks in its order.</summary>
    public DpmCoefficients<TTable> Coefficients(long timestep, long? timestepBack) => DpmCoefficients<TTable>.Compute(Schedule, timestep, timestepBack);

    /// <summary>How many times diffusers' step at <paramref name="timestep"/> calls randn_tensor from here (1 on a first-order step, 2 on a second-order one).</summary>
    public int NoiseDraws(long timestep) => Coefficients(timestep, TimestepBack).NoiseDraws(_history is not null);

    /// <inheritdoc/>
    public void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TModel> oldPredOriginalSample, long timestep, long? timestepBack,
        ReadOnlySpan<TSample> sample, ReadOnlySpan<TSample> noise, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        var hasOld = CheckArguments(modelOutput, oldPredOriginalSample, sample, prevSample, predOriginalSample);
        SpanArguments.CheckNoiseLengths(sample.Length, noise.Length, sample.Length);
        var c = Coefficients(timestep, timestepBack);
        var second = c.IsSecondOrder(hasOld);
        StepElements(c, second, modelOutput, oldPredOriginalSample, sample, noise, prevSample, predOriginalSample);
    }

    /// <inheritdoc/>
    public void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TModel> oldPredOriginalSample, long timestep, long? timestepBack,
        ReadOnlySpan<TSample> sample, INoiseSource generator, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        ArgumentNullException.ThrowIfNull(generator);
        var hasOld = CheckArguments(modelOutput, oldPredOriginalSample, sample, prevSample, predOriginalSample);
        var c = Coefficients(timestep, timestepBack);
        var noise = NoiseBuffer<TSample>(sample.Length);
        generator.FillStandardNormal(noise);        // diffusers' first randn_tensor: always drawn
        var second = c.IsSecondOrder(hasOld);       // IndexError here, after the first draw, as in diffusers
        if (second)
        {
            generator.FillStandardNormal(noise);    // the second draw replaces the first
        }

        StepElements(c, second, modelOutput, oldPredOriginalSample, sample, noise, prevSample, predOriginalSample);
    }

    /// <inheritdoc/>
    public void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, ReadOnlySpan<TSample> noise,
        Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        var old = History<TModel>();
        Step(modelOutput, old, timestep, TimestepBack, sample, noise, prevSample, predOriginalSample);
        Remember(timestep, predOriginalSample);
    }

    /// <inheritdoc/>
    public void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, INoiseSource generator,
        Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        var old = History<TModel>();
        Step(modelOutput, old, timestep, TimestepBack, sample, generator, prevSample, predOriginalSample);
        Remember(timestep, predOriginalSample);
    }

    /// <inheritdoc/>
    public abstract void AddNoise<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <inheritdoc/>
    public abstract void GetVelocity<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// The element loop: prev_sample and pred_original_sample from the checked arguments; <paramref name="old"/> is
    /// read only when <paramref name="secondOrder"/>, <paramref name="noise"/> is the draw that counts.
    /// </summary>
    protected abstract void StepElements<TSample, TModel>(in DpmCoefficients<TTable> c, bool secondOrder, ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TModel> old,
        ReadOnlySpan<TSample> sample, ReadOnlySpan<TSample> noise, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>;

    private static bool CheckArguments<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TModel> old, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample)
    {
        SpanArguments.CheckPromotion<TSample, TModel>();
        SpanArguments.CheckStepLengths(sample.Length, modelOutput.Length, prevSample.Length, predOriginalSample.Length);
        if (old.IsEmpty)
        {
            return false;
        }

        if (old.Length != sample.Length)
        {
            throw new ArgumentException($"old_pred_original_sample has {old.Length} elements but the sample has {sample.Length}; they must match (or be empty for None)");
        }

        return true;
    }

    private ReadOnlySpan<TModel> History<TModel>()
    {
        if (_history is null)
        {
            return default;
        }

        return _history is TModel[] old
            ? old
            : throw new NotSupportedException(
                $"the previous step's pred_original_sample is {_history.GetType().GetElementType()!.Name}, this step's model output {typeof(TModel).Name}: keep one model dtype through the loop, or call ResetHistory");
    }

    private void Remember<TModel>(long timestep, ReadOnlySpan<TModel> predOriginalSample)
    {
        if (_history is not TModel[] buffer || buffer.Length != predOriginalSample.Length)
        {
            buffer = new TModel[predOriginalSample.Length];
        }

        predOriginalSample.CopyTo(buffer);
        _history = buffer;
        _lastTimestep = timestep;
    }

    private Span<T> NoiseBuffer<T>(int length)
    {
        if (_noiseBuffer is not T[] buffer || buffer.Length != length)
        {
            buffer = new T[length];
            _noiseBuffer = buffer;
        }

        return buffer;
    }
}
