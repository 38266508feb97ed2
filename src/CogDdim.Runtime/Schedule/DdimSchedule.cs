using System.Numerics;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Scheduling;

/// <summary>
/// What diffusers' <c>CogVideoXDDIMScheduler.__init__</c> and <c>set_timesteps</c> compute, and the scalars of each
/// <c>step</c>, generic over the table's type <typeparamref name="TTable"/> (double for scaled_linear, float otherwise;
/// a wider type makes it an oracle): betas, alphas, alphas_cumprod (SNR shift, zero-terminal-SNR rescale),
/// final_alpha_cumprod, the inference timesteps and <see cref="Coefficients"/>. Every scheduler (the fast span
/// scheduler, the scalar reference, TorchSharp, generated code) takes its schedule from here: one implementation.
/// </summary>
public sealed class DdimSchedule<TTable>
    where TTable : IFloatingPointIeee754<TTable>
{
    private long[] _timesteps;

    /// <summary>Computes the tables of <c>__init__</c> for <paramref name="config"/> under <paramref name="profile"/>'s rounding.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="profile">How the torch build being reproduced rounds.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TTable"/> has a torch dtype other than the one diffusers' tables have for this config (double for scaled_linear, float otherwise).</exception>
    /// <exception cref="NotSupportedException">The beta_schedule is one diffusers does not implement (a deferred invalid value) and no trained_betas are given.</exception>
    public DdimSchedule(SchedulerConfig config, SemanticsProfile profile)
        : this(config, profile, Build(config, profile))
    {
    }

    private DdimSchedule(SchedulerConfig config, SemanticsProfile profile, (TTable[] Betas, TTable[] Alphas, TTable[] AlphasCumprod) tables)
    {
        Config = config;
        Profile = profile;
        Betas = tables.Betas;
        Alphas = tables.Alphas;
        AlphasCumprod = tables.AlphasCumprod;
        FinalAlphaCumprod = config.SetAlphaToOne ? TTable.One : AlphasCumprod[0];
        _timesteps = new long[config.NumTrainTimesteps];
        for (var i = 0; i < _timesteps.Length; i++)
        {
            _timesteps[i] = config.NumTrainTimesteps - 1 - i;
        }
    }

    /// <summary>
    /// The schedule of <paramref name="config"/> from tables computed ahead of time (the source generator computes them
    /// while compiling, with the same <c>TableMath</c> this class runs): betas and alphas_cumprod as diffusers keeps
    /// them (after the SNR shift and any zero-terminal-SNR rescale); alphas and final_alpha_cumprod follow from them
    /// and the config. The tables are copied.
    /// </summary>
    /// <exception cref="NotSupportedException">the config's beta_schedule is one diffusers cannot build (as its constructor).</exception>
    /// <exception cref="ArgumentException">a table's length is not num_train_timesteps, or <typeparamref name="TTable"/> is not the dtype diffusers keeps for this config.</exception>
    public static DdimSchedule<TTable> FromTables(SchedulerConfig config, SemanticsProfile profile, ReadOnlySpan<TTable> betas, ReadOnlySpan<TTable> alphasCumprod)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        CheckConstructible(config);
        CheckTableType(config);
        if (betas.Length != config.NumTrainTimesteps || alphasCumprod.Length != config.NumTrainTimesteps)
        {
            throw new ArgumentException(
                $"the tables have {betas.Length} betas and {alphasCumprod.Length} alphas_cumprod values; num_train_timesteps is {config.NumTrainTimesteps}", nameof(betas));
        }

        return new DdimSchedule<TTable>(config, profile, (betas.ToArray(), ScheduleMath<TTable>.Alphas(betas), alphasCumprod.ToArray()));
    }

    private static (TTable[] Betas, TTable[] Alphas, TTable[] AlphasCumprod) Build(SchedulerConfig config, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        CheckTableType(config);
        var betas = ScheduleMath<TTable>.Betas(config, profile);
        var alphas = ScheduleMath<TTable>.Alphas(betas);
        return (betas, alphas, ScheduleMath<TTable>.AlphasCumprod(alphas, config, profile));
    }

    private static void CheckConstructible(SchedulerConfig config)
    {
        if (config.DeferredInvalidValues.TryGetValue(ConfigKeys.BetaSchedule, out var raw) && config.TrainedBetas is null)
        {
            throw new NotSupportedException($"{raw} is not implemented for CogVideoXDDIMScheduler");
        }
    }

    /// <summary>The config the schedule was built from.</summary>
    public SchedulerConfig Config { get; }

    /// <summary>How the torch build being reproduced rounds.</summary>
    public SemanticsProfile Profile { get; }

    /// <summary>diffusers' <c>betas</c>, num_train_timesteps values (trained_betas, or from beta_schedule).</summary>
    public TTable[] Betas { get; }

    /// <summary>diffusers' <c>alphas</c>: <c>1 - betas</c>.</summary>
    public TTable[] Alphas { get; }

    /// <summary>diffusers' <c>alphas_cumprod</c>: <c>cumprod(alphas)</c>, SNR-shifted by snr_shift_scale, rescaled to zero terminal SNR when rescale_betas_zero_snr.</summary>
    public TTable[] AlphasCumprod { get; }

    /// <summary>1.0 when set_alpha_to_one, else alphas_cumprod[0].</summary>
    public TTable FinalAlphaCumprod { get; }

    /// <summary>diffusers keeps a set_alpha_to_one final value as a float32 0-dim tensor (<c>torch.tensor(1.0)</c>).</summary>
    public DType? FinalAlphaCumprodDType => Config.SetAlphaToOne ? DType.Float32 : DTypes.Of<TTable>();

    /// <summary>diffusers' <c>order</c>: 1.</summary>
    public int Order => 1;

    /// <summary>diffusers' <c>init_noise_sigma</c>: 1.0.</summary>
    public double InitNoiseSigma => 1.0;

    /// <summary>diffusers' <c>len(scheduler)</c>: num_train_timesteps.</summary>
    public int Length => Config.NumTrainTimesteps;

    /// <summary>Null until <see cref="SetTimesteps"/> succeeds.</summary>
    public int? NumInferenceSteps { get; private set; }

    /// <summary>Before <see cref="SetTimesteps"/>: num_train_timesteps - 1 down to 0, as diffusers' <c>__init__</c> sets them.</summary>
    public IReadOnlyList<long> Timesteps => _timesteps;

    /// <summary>diffusers' <c>set_timesteps(num_inference_steps)</c>: sets <see cref="Timesteps"/> and <see cref="NumInferenceSteps"/>.</summary>
    /// <param name="numInferenceSteps">The number of denoising steps, 1 to num_train_timesteps.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numInferenceSteps"/> is below 1 or above num_train_timesteps.</exception>
    /// <exception cref="ArgumentException">The config's timestep_spacing is a deferred invalid value.</exception>
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
            // diffusers raises a ValueError here, and a ValueError is an ArgumentException (CogDdim.Backends.ErrorClasses).
            throw new ArgumentException(
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
                $"this config's schedule is {expected.Name()} in diffusers, not {tableType.Value.Name()}; use a {(expected == DType.Float64 ? "double" : "float")} table (SpanScheduler.Create picks it for you)",
                nameof(config));
        }
    }
}

/// <summary>The argument checks every span scheduler makes, with one wording.</summary>
public static class SpanArguments
{
    /// <summary>The model output and both outputs must have the sample's length.</summary>
    public static void CheckStepLengths(int sample, int modelOutput, int prevSample, int predOriginalSample)
    {
        if (modelOutput != sample)
        {
            throw new ArgumentException($"the model output has {modelOutput} elements but the sample has {sample}; they must match");
        }

        if (prevSample != sample || predOriginalSample != sample)
        {
            throw new ArgumentException($"the output spans have {prevSample} and {predOriginalSample} elements but the sample has {sample}; they must match");
        }
    }

    /// <summary>The noise and the output must have the input's length.</summary>
    public static void CheckNoiseLengths(int input, int noise, int output)
    {
        if (noise != input)
        {
            throw new ArgumentException($"the noise has {noise} elements but the samples have {input}; they must match");
        }

        if (output != input)
        {
            throw new ArgumentException($"the output span has {output} elements but the samples have {input}; they must match");
        }
    }

    /// <summary>The length of one batch item when <paramref name="timestepCount"/> timesteps split the samples.</summary>
    public static int ItemLength(int length, int timestepCount)
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

    /// <summary>torch's promotion of the sample with the model output must give the model output's dtype.</summary>
    public static void CheckPromotion<TSample, TModel>()
    {
        if (DTypes.Of<TSample>() is { } sampleType && DTypes.Of<TModel>() is { } modelType
            && DTypes.Promote(sampleType, modelType) != modelType)
        {
            throw new NotSupportedException(
                $"a {sampleType.Name()} sample with a {modelType.Name()} model output promotes to {DTypes.Promote(sampleType, modelType).Name()}; " +
                "the model output's dtype must be the sample's or a wider one");
        }
    }
}
