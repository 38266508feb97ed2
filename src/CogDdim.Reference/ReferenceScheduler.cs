using System.Numerics;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Reference;

/// <summary>
/// diffusers' <c>CogVideoXDDIMScheduler</c> as plain scalar loops, generic over the schedule table's type
/// <typeparamref name="TTable"/> (double for scaled_linear, float otherwise; a wider type makes it an oracle) and over
/// the sample types of each call. Every rounding point of diffusers + torch is kept; see docs/reference-semantics.md.
/// </summary>
public sealed class ReferenceScheduler<TTable>
    where TTable : IFloatingPointIeee754<TTable>
{
    private long[] _timesteps;

    public ReferenceScheduler(SchedulerConfig config, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        Config = config;
        Profile = profile;
        CheckTableType(config);

        Betas = ScheduleMath<TTable>.Betas(config, profile);
        Alphas = ScheduleMath<TTable>.Alphas(Betas);
        var alphasCumprod = ScheduleMath<TTable>.Cumprod(Alphas, profile);
        alphasCumprod = ScheduleMath<TTable>.SnrShift(alphasCumprod, config.SnrShiftScale);
        if (config.RescaleBetasZeroSnr)
        {
            alphasCumprod = ScheduleMath<TTable>.RescaleZeroTerminalSnr(alphasCumprod);
        }

        AlphasCumprod = alphasCumprod;
        FinalAlphaCumprod = config.SetAlphaToOne ? TTable.One : AlphasCumprod[0];
        _timesteps = new long[config.NumTrainTimesteps];
        for (var i = 0; i < _timesteps.Length; i++)
        {
            _timesteps[i] = config.NumTrainTimesteps - 1 - i;
        }
    }

    public SchedulerConfig Config { get; }

    public SemanticsProfile Profile { get; }

    public TTable[] Betas { get; }

    public TTable[] Alphas { get; }

    public TTable[] AlphasCumprod { get; }

    /// <summary>1.0 when set_alpha_to_one, else alphas_cumprod[0].</summary>
    public TTable FinalAlphaCumprod { get; }

    /// <summary>diffusers keeps a set_alpha_to_one final value as a float32 0-dim tensor (<c>torch.tensor(1.0)</c>).</summary>
    public DType? FinalAlphaCumprodDType => Config.SetAlphaToOne ? DType.Float32 : DTypes.Of<TTable>();

    public int Order => 1;

    public double InitNoiseSigma => 1.0;

    public int Length => Config.NumTrainTimesteps;

    public int? NumInferenceSteps { get; private set; }

    public IReadOnlyList<long> Timesteps => _timesteps;

    public void SetTimesteps(int numInferenceSteps)
    {
        _timesteps = InferenceTimesteps.Compute(Config, numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
    }

    /// <summary>The scalars of <c>step(…, timestep, …)</c>, with diffusers' checks in diffusers' order.</summary>
    public StepCoefficients<TTable> Coefficients(long timestep)
    {
        if (NumInferenceSteps is not { } n)
        {
            throw new InvalidOperationException(
                "Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler");
        }

        var prevTimestep = timestep - (Config.NumTrainTimesteps / n);
        var alphaProd = AlphasCumprod[TableIndex(timestep, nameof(timestep))];
        var alphaProdPrev = prevTimestep >= 0 ? AlphasCumprod[TableIndex(prevTimestep, "prev_timestep")] : FinalAlphaCumprod;
        if (Config.DeferredInvalidValues.TryGetValue(ConfigKeys.PredictionType, out var raw))
        {
            throw new ArgumentException($"prediction_type given as {raw} must be one of `epsilon`, `sample`, or `v_prediction`");
        }

        return StepCoefficients<TTable>.Compute(timestep, prevTimestep, alphaProd, alphaProdPrev);
    }

    /// <summary><c>step</c> with sample and model output of one dtype.</summary>
    /// <param name="eta">Accepted and ignored, as diffusers' CogVideoXDDIMScheduler ignores it (and
    /// <c>use_clipped_model_output</c>, <c>generator</c>, <c>variance_noise</c>): its step adds no noise.</param>
    /// <param name="useClippedModelOutput">Accepted and ignored, as in diffusers.</param>
    public void Step<T>(ReadOnlySpan<T> modelOutput, long timestep, ReadOnlySpan<T> sample, Span<T> prevSample, Span<T> predOriginalSample, double eta = 0.0, bool useClippedModelOutput = false)
        where T : IFloatingPointIeee754<T> =>
        Step<T, T>(modelOutput, timestep, sample, prevSample, predOriginalSample, eta, useClippedModelOutput);

    /// <summary>
    /// <c>step</c> as the CogVideoX pipeline calls it: a model output of a dtype at least as wide as the sample's
    /// (float32 with bfloat16 latents). Both results have the model output's dtype, which is torch's promotion.
    /// </summary>
    /// <param name="eta">Accepted and ignored, as in diffusers.</param>
    /// <param name="useClippedModelOutput">Accepted and ignored, as in diffusers.</param>
    public void Step<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample, double eta = 0.0, bool useClippedModelOutput = false)
        where TSample : IFloatingPointIeee754<TSample>
        where TModel : IFloatingPointIeee754<TModel>
    {
        _ = (eta, useClippedModelOutput);
        CheckPromotion<TSample, TModel>();
        CheckLengths(sample.Length, modelOutput.Length, prevSample.Length, predOriginalSample.Length);
        var c = Coefficients(timestep);
        var profile = Profile;
        var prediction = Config.PredictionType;
        for (var i = 0; i < sample.Length; i++)
        {
            var s = sample[i];
            var m = modelOutput[i];
            TModel x0;
            switch (prediction)
            {
                case PredictionType.Epsilon:
                    // (sample - sqrt(beta) * model_output) / sqrt(a)
                    var noiseTerm = TorchArithmetic.ScalarTimesTensor(c.SqrtBetaProd, m, profile);
                    var difference = TorchArithmetic.Widen<TSample, TModel>(s) - noiseTerm;
                    x0 = TorchArithmetic.TensorDivScalar(difference, c.SqrtAlphaProd, profile);
                    break;
                case PredictionType.Sample:
                    x0 = m;
                    break;
                case PredictionType.VPrediction:
                    // sqrt(a) * sample - sqrt(beta) * model_output
                    var sampleTerm = TorchArithmetic.ScalarTimesTensor(c.SqrtAlphaProd, s, profile);
                    var velocityTerm = TorchArithmetic.ScalarTimesTensor(c.SqrtBetaProd, m, profile);
                    x0 = TorchArithmetic.Widen<TSample, TModel>(sampleTerm) - velocityTerm;
                    break;
                default:
                    throw new ArgumentException($"prediction_type given as {prediction} must be one of `epsilon`, `sample`, or `v_prediction`");
            }

            // a_t * sample + b_t * pred_original_sample
            var carried = TorchArithmetic.ScalarTimesTensor(c.At, s, profile);
            var predicted = TorchArithmetic.ScalarTimesTensor(c.Bt, x0, profile);
            prevSample[i] = TorchArithmetic.Widen<TSample, TModel>(carried) + predicted;
            predOriginalSample[i] = x0;
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
        CheckLengths(originalSamples.Length, noise.Length, noisySamples.Length, noisySamples.Length);
        var itemLength = ItemLength(originalSamples.Length, timesteps.Length);
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
        CheckLengths(sample.Length, noise.Length, velocity.Length, velocity.Length);
        var itemLength = ItemLength(sample.Length, timesteps.Length);
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
        where T : IFloatingPointIeee754<T>
    {
        var alpha = TorchArithmetic.Convert<TTable, T>(AlphasCumprod[TableIndex(timestep, "timesteps")]);
        return (T.Sqrt(alpha), T.Sqrt(T.One - alpha));
    }

    /// <summary>Python indexing of the table: a negative index counts from the end; anything else outside is an IndexError.</summary>
    public int TableIndex(long timestep, string name)
    {
        var length = AlphasCumprod.Length;
        if (timestep >= length || timestep < -length)
        {
            throw new ArgumentOutOfRangeException(name, timestep,
                $"timestep {timestep} is outside the table of {length} training timesteps (valid: {-length} to {length - 1}; negative values count from the end, as in Python)");
        }

        return (int)(timestep < 0 ? timestep + length : timestep);
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

    private static void CheckPromotion<TSample, TModel>()
    {
        if (DTypes.Of<TSample>() is { } sampleType && DTypes.Of<TModel>() is { } modelType
            && DTypes.Promote(sampleType, modelType) != modelType)
        {
            throw new NotSupportedException(
                $"a {sampleType.Name()} sample with a {modelType.Name()} model output promotes to {DTypes.Promote(sampleType, modelType).Name()}; " +
                "the model output's dtype must be the sample's or a wider one");
        }
    }

    private static void CheckTableType(SchedulerConfig config)
    {
        var tableType = DTypes.Of<TTable>();
        if (tableType is null || config.DeferredInvalidValues.ContainsKey(ConfigKeys.BetaSchedule))
        {
            return;
        }

        var expected = config.HasFloat64Table ? DType.Float64 : DType.Float32;
        if (tableType != expected)
        {
            throw new ArgumentException(
                $"this config's schedule is {expected.Name()} in diffusers, not {tableType.Value.Name()}; use ReferenceScheduler<{(expected == DType.Float64 ? "double" : "float")}>",
                nameof(config));
        }
    }
}
