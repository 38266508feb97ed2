using System.Numerics;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Simd;

/// <summary>
/// diffusers' <c>CogVideoXDDIMScheduler</c> with fused, vectorized element loops: one pass over memory per
/// <c>step</c>, <c>add_noise</c> and <c>get_velocity</c>, bit for bit the reference's results. The schedule, the
/// timesteps and the per-step scalars come from the <see cref="ReferenceScheduler{TTable}"/> it wraps; only the
/// element loops are new. After the first call nothing is allocated per step.
/// </summary>
/// <remarks>
/// Element types: double, float, <see cref="Half"/> and <see cref="BFloat16"/>. float64 model outputs with a
/// narrower sample run the reference's scalar loop (on the calling thread); every other combination is vectorized.
/// Output spans may be the input spans themselves (in place) but must not overlap them otherwise.
/// </remarks>
public sealed unsafe class SimdScheduler<TTable>
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
{
    public SimdScheduler(SchedulerConfig config, SemanticsProfile profile)
        : this(new ReferenceScheduler<TTable>(config, profile))
    {
    }

    public SimdScheduler(ReferenceScheduler<TTable> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        Schedule = schedule;
    }

    /// <summary>The tables, timesteps and per-step scalars.</summary>
    public ReferenceScheduler<TTable> Schedule { get; }

    public SchedulerConfig Config => Schedule.Config;

    public SemanticsProfile Profile => Schedule.Profile;

    public IReadOnlyList<long> Timesteps => Schedule.Timesteps;

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
        CheckPromotion<TSample, TModel>();
        CheckLengths(sample.Length, modelOutput.Length, prevSample.Length, predOriginalSample.Length);
        if (typeof(TModel) == typeof(double) && typeof(TSample) != typeof(double))
        {
            Schedule.Step(modelOutput, timestep, sample, prevSample, predOriginalSample);
            return;
        }

        var c = Schedule.Coefficients(timestep);
        fixed (TSample* s = sample)
        fixed (TModel* m = modelOutput)
        fixed (TModel* prev = prevSample)
        fixed (TModel* x0 = predOriginalSample)
        {
            if (typeof(TModel) == typeof(double))
            {
                var job = new StepJob<double> { Sample = s, ModelOutput = m, PrevSample = prev, PredOriginalSample = x0, Scalars = SimdScalars.ForDoubleLanes(c) };
                ParallelChunks.Run(DoubleStepChunk(Config.PredictionType), &job, sample.Length, MaxThreads);
            }
            else
            {
                var job = new StepJob<float> { Sample = s, ModelOutput = m, PrevSample = prev, PredOriginalSample = x0, Scalars = SimdScalars.ForFloatLanes<TTable, TSample, TModel>(c, Profile) };
                ParallelChunks.Run(FloatStepChunk<TSample, TModel>(Config.PredictionType), &job, sample.Length, MaxThreads);
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
        CheckLengths(input.Length, noise.Length, output.Length, output.Length);
        var itemLength = ItemLength(input.Length, timesteps.Length);
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
                    var job = new NoiseJob<double> { Input = x + offset, Noise = e + offset, Output = y + offset, SqrtAlpha = double.CreateTruncating(sqrtAlpha), SqrtOneMinusAlpha = double.CreateTruncating(sqrtOneMinusAlpha) };
                    ParallelChunks.Run(&DoubleNoise<TOp>.Chunk, &job, itemLength, MaxThreads);
                }
                else
                {
                    var job = new NoiseJob<float> { Input = x + offset, Noise = e + offset, Output = y + offset, SqrtAlpha = float.CreateTruncating(sqrtAlpha), SqrtOneMinusAlpha = float.CreateTruncating(sqrtOneMinusAlpha) };
                    ParallelChunks.Run(&FloatNoise<T, TOp>.Chunk, &job, itemLength, MaxThreads);
                }
            }
        }
    }

    private static delegate*<void*, int, int, void> FloatStepChunk<TSample, TModel>(PredictionType prediction)
        where TSample : unmanaged
        where TModel : unmanaged => prediction switch
        {
            PredictionType.Epsilon => &FloatStep<TSample, TModel, EpsilonPrediction>.Chunk,
            PredictionType.Sample => &FloatStep<TSample, TModel, SamplePrediction>.Chunk,
            PredictionType.VPrediction => &FloatStep<TSample, TModel, VPrediction>.Chunk,
            _ => throw UnknownPrediction(prediction),
        };

    private static delegate*<void*, int, int, void> DoubleStepChunk(PredictionType prediction) => prediction switch
    {
        PredictionType.Epsilon => &DoubleStep<EpsilonPrediction>.Chunk,
        PredictionType.Sample => &DoubleStep<SamplePrediction>.Chunk,
        PredictionType.VPrediction => &DoubleStep<VPrediction>.Chunk,
        _ => throw UnknownPrediction(prediction),
    };

    private static ArgumentException UnknownPrediction(PredictionType prediction) =>
        new($"prediction_type given as {prediction} must be one of `epsilon`, `sample`, or `v_prediction`");

    private static void CheckElementType<T>(string name)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float) && typeof(T) != typeof(Half) && typeof(T) != typeof(BFloat16))
        {
            throw new NotSupportedException($"{name}: element type {typeof(T).Name} is not supported by the simd backend (double, float, Half, BFloat16)");
        }
    }

    private static void CheckPromotion<TSample, TModel>()
    {
        var sampleType = DTypes.Of<TSample>()!.Value;
        var modelType = DTypes.Of<TModel>()!.Value;
        if (DTypes.Promote(sampleType, modelType) != modelType)
        {
            throw new NotSupportedException(
                $"a {sampleType.Name()} sample with a {modelType.Name()} model output promotes to {DTypes.Promote(sampleType, modelType).Name()}; " +
                "the model output's dtype must be the sample's or a wider one");
        }
    }

    private static void CheckLengths(int sample, int modelOutput, int first, int second)
    {
        if (modelOutput != sample)
        {
            throw new ArgumentException($"the model output has {modelOutput} elements but the sample has {sample}; they must match");
        }

        if (first != sample || second != sample)
        {
            throw new ArgumentException($"the output spans have {first} and {second} elements but the sample has {sample}; they must match");
        }
    }

    private static int ItemLength(int length, int timestepCount)
    {
        if (timestepCount == 0)
        {
            throw new ArgumentException("timesteps is empty; give one timestep per batch item, or one for all", "timesteps");
        }

        if (length % timestepCount != 0)
        {
            throw new ArgumentException(
                $"{timestepCount} timesteps do not divide the {length} elements of the samples into equal batch items", "timesteps");
        }

        return length / timestepCount;
    }
}
