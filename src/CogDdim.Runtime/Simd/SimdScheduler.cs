using System.Numerics;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Simd;
using CogDdim.Tensors;

namespace CogDdim;

/// <summary>
/// diffusers' <c>CogVideoXDDIMScheduler</c> with fused, vectorized element loops: one pass over memory per
/// <c>step</c>, <c>add_noise</c> and <c>get_velocity</c>, bit for bit diffusers' results. The schedule, the
/// timesteps and the per-step scalars come from the <see cref="DdimSchedule{TTable}"/> it wraps; only the element
/// loops are its own. After the first call nothing is allocated per step. <see cref="SpanScheduler.Create"/> picks
/// <typeparamref name="TTable"/> from the config.
/// </summary>
/// <remarks>
/// Element types: double, float, <see cref="Half"/> and <see cref="BFloat16"/>. float64 model outputs with a
/// narrower sample run the scalar <see cref="DdimStepFormula"/> (on the calling thread); every other combination is
/// vectorized.
/// Output spans may be the input spans themselves (in place) but must not overlap them otherwise.
/// </remarks>
public sealed unsafe class SimdScheduler<TTable> : ISpanScheduler
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
{
    /// <summary>diffusers' <c>CogVideoXDDIMScheduler(**config)</c>, rounding as <paramref name="profile"/>'s torch build does.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="profile">How the torch build being reproduced rounds.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TTable"/> is not the table dtype diffusers uses for <paramref name="config"/> (see <see cref="DdimSchedule{TTable}"/>).</exception>
    /// <exception cref="NotSupportedException">The config's beta_schedule is not implemented in diffusers.</exception>
    public SimdScheduler(SchedulerConfig config, SemanticsProfile profile)
        : this(new DdimSchedule<TTable>(config, profile))
    {
    }

    /// <summary>A scheduler over an existing schedule (shared, not copied: <see cref="SetTimesteps"/> sets its timesteps).</summary>
    /// <param name="schedule">The tables and timesteps.</param>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    public SimdScheduler(DdimSchedule<TTable> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    /// <summary>The tables, timesteps and per-step scalars.</summary>
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
    public IReadOnlyList<long> Timesteps => Schedule.Timesteps;

    /// <inheritdoc/>
    public int? NumInferenceSteps => Schedule.NumInferenceSteps;

    /// <summary>
    /// At most this many threads per call (default: every logical processor); a thread is only used for at least
    /// <see cref="MinimumElementsPerThread"/> elements. 1 keeps every call on the calling thread.
    /// </summary>
    public int MaxThreads
    {
        get;
        set => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxThreads), value, "MaxThreads must be at least 1");
    } = Environment.ProcessorCount;

    /// <summary>Elements per thread below which a call stays on one thread.</summary>
    public static int MinimumElementsPerThread => ParallelChunks.MinimumElementsPerThread;

    /// <inheritdoc cref="DdimSchedule{TTable}.SetTimesteps"/>
    public void SetTimesteps(int numInferenceSteps) => Schedule.SetTimesteps(numInferenceSteps);

    /// <summary><c>step</c> with sample and model output of one dtype.</summary>
    public void Step<T>(ReadOnlySpan<T> modelOutput, long timestep, ReadOnlySpan<T> sample, Span<T> prevSample, Span<T> predOriginalSample)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Step<T, T>(modelOutput, timestep, sample, prevSample, predOriginalSample);

    /// <summary>
    /// <c>step</c> as the CogVideoX pipeline calls it: a model output at least as wide as the sample (float32 with
    /// bfloat16 latents); both results in the model output's dtype.
    /// </summary>
    public void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        CheckElementType<TSample>("sample");
        CheckElementType<TModel>("model_output");
        SpanArguments.CheckPromotion<TSample, TModel>();
        SpanArguments.CheckStepLengths(sample.Length, modelOutput.Length, prevSample.Length, predOriginalSample.Length);
        var c = Schedule.Coefficients(timestep);
        if (typeof(TModel) == typeof(double) && typeof(TSample) != typeof(double))
        {
            for (var i = 0; i < sample.Length; i++)
            {
                (prevSample[i], predOriginalSample[i]) = DdimStepFormula.Element(Config.PredictionType, c, Profile, sample[i], modelOutput[i]);
            }

            return;
        }

        fixed (TSample* s = sample)
        fixed (TModel* m = modelOutput)
        fixed (TModel* prev = prevSample)
        fixed (TModel* x0 = predOriginalSample)
        {
            if (typeof(TModel) == typeof(double))
            {
                var job = new ElementJob<double> { First = s, Second = m, Output = prev, SecondOutput = x0, Scalars = SimdScalars.ForDoubleLanes(c) };
                ParallelChunks.Run(StepBody<TSample, TModel, double>(Config.PredictionType), &job, sample.Length, MaxThreads);
            }
            else
            {
                var scalars = SimdScalars.ForFloatLanes<TTable, TSample, TModel>(c, Profile);
                ReadOnlySpan<float> factors = [scalars.SqrtAlphaSample, scalars.SqrtBetaModel, scalars.AtSample, scalars.BtModel];
                var paths = Config.PredictionType == PredictionType.Epsilon
                    ? SimdScalars.PathsFor<TSample>(factors, [scalars.SqrtAlphaModelDivisor])
                    : SimdScalars.PathsFor<TSample>(factors, []);
                var job = new ElementJob<float> { First = s, Second = m, Output = prev, SecondOutput = x0, Scalars = scalars, Paths = paths };
                ParallelChunks.Run(StepBody<TSample, TModel, float>(Config.PredictionType), &job, sample.Length, MaxThreads);
            }
        }
    }

    /// <summary>
    /// <c>add_noise</c>: <c>sqrt(ac[t]) * original + sqrt(1 - ac[t]) * noise</c>; the samples are split into
    /// <c>timesteps.Length</c> equal batch items (one timestep each), or one timestep serves all.
    /// </summary>
    public void AddNoise<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Noise<T, AddNoiseOp>(originalSamples, noise, timesteps, noisySamples);

    /// <summary><c>get_velocity</c>: <c>sqrt(ac[t]) * noise - sqrt(1 - ac[t]) * sample</c>, split as in <see cref="AddNoise{T}"/>.</summary>
    public void GetVelocity<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Noise<T, VelocityOp>(sample, noise, timesteps, velocity);

    private void Noise<T, TOp>(ReadOnlySpan<T> input, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : INoiseOp
    {
        CheckElementType<T>("samples");
        SpanArguments.CheckNoiseLengths(input.Length, noise.Length, output.Length);
        var itemLength = SpanArguments.ItemLength(input.Length, timesteps.Length);
        fixed (T* x = input)
        fixed (T* e = noise)
        fixed (T* y = output)
        {
            for (var b = 0; b < timesteps.Length; b++)
            {
                var (sqrtAlpha, sqrtOneMinusAlpha) = Schedule.NoiseScalars<T>(timesteps[b]);
                var offset = b * itemLength;
                if (typeof(T) == typeof(double))
                {
                    var job = new ElementJob<double> { First = x + offset, Second = e + offset, Output = y + offset, Scalars = NoiseScalars(double.CreateTruncating(sqrtAlpha), double.CreateTruncating(sqrtOneMinusAlpha)) };
                    ParallelChunks.Run(Driver<ElementKernel<NoiseElements<TOp>, T, T, double>, double>.Body, &job, itemLength, MaxThreads);
                }
                else
                {
                    var alpha = float.CreateTruncating(sqrtAlpha);
                    var oneMinus = float.CreateTruncating(sqrtOneMinusAlpha);
                    var job = new ElementJob<float> { First = x + offset, Second = e + offset, Output = y + offset, Scalars = NoiseScalars(alpha, oneMinus), Paths = SimdScalars.PathsFor<T>([alpha, oneMinus], []) };
                    ParallelChunks.Run(Driver<ElementKernel<NoiseElements<TOp>, T, T, float>, float>.Body, &job, itemLength, MaxThreads);
                }
            }
        }
    }

    private static delegate*<void*, int, int, void> StepBody<TSample, TModel, TC>(PredictionType prediction)
        where TC : unmanaged, IBinaryFloatingPointIeee754<TC> => prediction switch
        {
            PredictionType.Epsilon => Driver<ElementKernel<DdimStepElements<EpsilonPrediction>, TSample, TModel, TC>, TC>.Body,
            PredictionType.Sample => Driver<ElementKernel<DdimStepElements<SamplePrediction>, TSample, TModel, TC>, TC>.Body,
            PredictionType.VPrediction => Driver<ElementKernel<DdimStepElements<VPrediction>, TSample, TModel, TC>, TC>.Body,
            _ => throw UnknownPrediction(prediction),
        };

    /// <summary>The noise ops' sqrt(alpha) and sqrt(1 - alpha) where <see cref="NoiseElements{TOp}"/> reads them.</summary>
    private static StepScalars<TC> NoiseScalars<TC>(TC sqrtAlpha, TC sqrtOneMinusAlpha)
        where TC : unmanaged => new(sqrtAlpha, sqrtOneMinusAlpha, default, default, default);

    private static ArgumentException UnknownPrediction(PredictionType prediction) => DdimStepFormula.UnknownPrediction(prediction);

    private static void CheckElementType<T>(string name)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float) && typeof(T) != typeof(Half) && typeof(T) != typeof(BFloat16))
        {
            throw new NotSupportedException($"{name}: element type {typeof(T).Name} is not supported by the simd backend (double, float, Half, BFloat16)");
        }
    }
}
