using System.Numerics;
using CogDdim.Config;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Simd;

namespace CogDdim;

/// <summary>
/// diffusers' <c>CogVideoXDPMScheduler</c> with fused, vectorized element loops, bit for bit diffusers' results: one
/// pass over memory per step. The schedule and timesteps are the <see cref="DdimSchedule{TTable}"/> it wraps, the
/// step's scalars <see cref="DpmCoefficients{T}"/>; add_noise and get_velocity are <see cref="SimdScheduler{TTable}"/>'s.
/// <see cref="SpanScheduler.CreateDpm"/> picks <typeparamref name="TTable"/> from the config.
/// </summary>
/// <remarks>
/// float64 model outputs with a narrower sample run the scalar <see cref="DpmStepFormula"/>; every other pairing is
/// vectorized. Output spans may be the input spans themselves (in place) but must not overlap them otherwise.
/// </remarks>
public sealed unsafe class SimdDpmScheduler<TTable> : DpmSpanSchedulerBase<TTable>
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
{
    private readonly SimdScheduler<TTable> _ddim;

    /// <summary>The vectorized DPM scheduler for <paramref name="config"/>, reproducing <paramref name="profile"/>.</summary>
    public SimdDpmScheduler(SchedulerConfig config, SemanticsProfile profile)
        : this(DpmConstruction.Build(() => new DdimSchedule<TTable>(config, profile)))
    {
    }

    /// <summary>The vectorized DPM scheduler over a schedule built elsewhere (a generated class's compile-time tables).</summary>
    public SimdDpmScheduler(DdimSchedule<TTable> schedule)
        : base(schedule)
    {
        _ddim = new SimdScheduler<TTable>(schedule);
    }

    /// <summary>At most this many threads per call (default: every logical processor); see <see cref="SimdScheduler{TTable}.MaxThreads"/>.</summary>
    public int MaxThreads
    {
        get => _ddim.MaxThreads;
        set => _ddim.MaxThreads = value;
    }

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
        CheckElementType<TSample>("sample");
        CheckElementType<TModel>("model_output");
        var prediction = Config.PredictionType;
        if (typeof(TModel) == typeof(double) && typeof(TSample) != typeof(double))
        {
            for (var i = 0; i < sample.Length; i++)
            {
                (prevSample[i], predOriginalSample[i]) = DpmStepFormula.Element(prediction, c, secondOrder, Profile, sample[i], modelOutput[i], secondOrder ? old[i] : TModel.Zero, noise[i]);
            }

            return;
        }

        var ddim = new StepCoefficients<TTable>(c.Timestep, c.PrevTimestep, c.AlphaProd, c.AlphaProdPrev, c.SqrtAlphaProd, c.SqrtBetaProd, TTable.Zero, TTable.Zero);
        fixed (TSample* s = sample)
        fixed (TModel* m = modelOutput)
        fixed (TModel* o = old)
        fixed (TSample* e = noise)
        fixed (TModel* prev = prevSample)
        fixed (TModel* x0 = predOriginalSample)
        {
            if (typeof(TModel) == typeof(double))
            {
                var job = new DpmJob<double>
                {
                    Sample = s, ModelOutput = m, Old = o, Noise = e, PrevSample = prev, PredOriginalSample = x0,
                    Original = SimdScalars.ForDoubleLanes(ddim),
                    Dpm = new DpmScalars<double>(double.CreateTruncating(c.Mult1), double.CreateTruncating(c.Mult2), double.CreateTruncating(c.Mult3), double.CreateTruncating(c.Mult4), double.CreateTruncating(c.MultNoise)),
                };
                ParallelChunks.Run(Body<double, double, double>(prediction, secondOrder), &job, sample.Length, MaxThreads);
            }
            else
            {
                var p = Profile;
                var job = new DpmJob<float>
                {
                    Sample = s, ModelOutput = m, Old = o, Noise = e, PrevSample = prev, PredOriginalSample = x0,
                    Original = SimdScalars.ForFloatLanes<TTable, TSample, TModel>(ddim, p),
                    Dpm = new DpmScalars<float>(
                        SimdScalars.FloatOperand<TTable, TSample>(c.Mult1, ScalarForm.ScalarTimesTensor, p),
                        SimdScalars.FloatOperand<TTable, TModel>(c.Mult2, ScalarForm.ScalarTimesTensor, p),
                        SimdScalars.FloatOperand<TTable, TModel>(c.Mult3, ScalarForm.ScalarTimesTensor, p),
                        SimdScalars.FloatOperand<TTable, TModel>(c.Mult4, ScalarForm.ScalarTimesTensor, p),
                        SimdScalars.FloatOperand<TTable, TSample>(c.MultNoise, ScalarForm.ScalarTimesTensor, p)),
                };
                ParallelChunks.Run(Body<TSample, TModel, float>(prediction, secondOrder), &job, sample.Length, MaxThreads);
            }
        }
    }

    private static delegate*<void*, int, int, void> Body<TSample, TModel, TC>(PredictionType prediction, bool secondOrder)
        where TSample : unmanaged
        where TModel : unmanaged
        where TC : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<TC> => (prediction, secondOrder) switch
        {
            (PredictionType.Epsilon, false) => Driver<DpmStepKernel<TSample, TModel, EpsilonPrediction, DpmFirstOrder, TC>, TC>.Body,
            (PredictionType.Epsilon, true) => Driver<DpmStepKernel<TSample, TModel, EpsilonPrediction, DpmSecondOrder, TC>, TC>.Body,
            (PredictionType.Sample, false) => Driver<DpmStepKernel<TSample, TModel, SamplePrediction, DpmFirstOrder, TC>, TC>.Body,
            (PredictionType.Sample, true) => Driver<DpmStepKernel<TSample, TModel, SamplePrediction, DpmSecondOrder, TC>, TC>.Body,
            (PredictionType.VPrediction, false) => Driver<DpmStepKernel<TSample, TModel, VPrediction, DpmFirstOrder, TC>, TC>.Body,
            (PredictionType.VPrediction, true) => Driver<DpmStepKernel<TSample, TModel, VPrediction, DpmSecondOrder, TC>, TC>.Body,
            _ => throw DdimStepFormula.UnknownPrediction(prediction),
        };

    private static void CheckElementType<T>(string name)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float) && typeof(T) != typeof(Half) && typeof(T) != typeof(Numerics.BFloat16))
        {
            throw new NotSupportedException($"{name}: element type {typeof(T).Name} is not supported by the simd backend (double, float, Half, BFloat16)");
        }
    }
}
