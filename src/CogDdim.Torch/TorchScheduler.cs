using CogDdim.Config;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>What <see cref="TorchScheduler.Step(TorchSharp.torch.Tensor, long, TorchSharp.torch.Tensor)"/> returns; the caller owns both tensors (dispose this, or them).</summary>
public sealed record TorchStepOutput(Tensor PrevSample, Tensor PredOriginalSample) : IDisposable
{
    /// <summary>Disposes <see cref="PrevSample"/> and <see cref="PredOriginalSample"/>.</summary>
    public void Dispose()
    {
        PrevSample.Dispose();
        PredOriginalSample.Dispose();
    }
}

/// <summary>
/// diffusers' <c>CogVideoXDDIMScheduler</c> on torch tensors: the same tensor ops in the same order, with the step's
/// 0-dim scalars in the table's dtype on the tensors' device. The schedule is built once on the CPU (where diffusers
/// builds it) and its tables are cached per device and dtype, so a step makes no host round-trip and rebuilds nothing.
/// Every public method runs in its own dispose scope under <c>no_grad</c>; returned tensors belong to the caller.
/// Not thread-safe (neither is diffusers' scheduler): use one per thread.
/// </summary>
public sealed class TorchScheduler : IDisposable
{
    private readonly TorchSchedule _schedule;
    private readonly ScalarArithmetic _arithmetic;
    private readonly Dictionary<(string Device, ScalarType DType, string Table), Tensor> _cache = [];
    private readonly Dictionary<(int Index, int? PrevIndex), (Tensor SqrtAlpha, Tensor SqrtBeta, Tensor At, Tensor Bt)> _stepScalars = [];
    private readonly double[] _hostAlphasCumprod;
    private readonly double _hostFinalAlphaCumprod;
    private long[] _timesteps;
    private bool _disposed;

    /// <summary>Builds the schedule for <paramref name="config"/> (see <see cref="TorchSchedule.Build"/>).</summary>
    public TorchScheduler(SchedulerConfig config, TorchSchedulerOptions? options = null)
        : this(config, options ?? new TorchSchedulerOptions(), null)
    {
    }

    /// <summary>
    /// Uses the given tables instead of building them: a fixture's recorded schedule, whose step-level quantities then
    /// follow from that build's own tables.
    /// </summary>
    /// <remarks>The scheduler owns <paramref name="tables"/> from here on and disposes them with itself.</remarks>
    public TorchScheduler(SchedulerConfig config, TorchSchedule tables, TorchSchedulerOptions? options = null)
        : this(config, options ?? new TorchSchedulerOptions(), tables ?? throw new ArgumentNullException(nameof(tables)))
    {
    }

    private TorchScheduler(SchedulerConfig config, TorchSchedulerOptions options, TorchSchedule? tables)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        TorchDevices.EnsureUsable(options.Device);
        Config = config;
        Options = options;
        _schedule = tables is null
            ? TorchSchedule.Build(config, options.Profile ?? SemanticsProfile.Torch2Cpu)
            : tables;
        if (_schedule.AlphasCumprod.shape[0] != config.NumTrainTimesteps)
        {
            var length = _schedule.AlphasCumprod.shape[0];
            _schedule.Dispose();
            throw new ArgumentException($"the tables hold {length} timesteps but num_train_timesteps is {config.NumTrainTimesteps}", nameof(tables));
        }

        _arithmetic = new ScalarArithmetic(options.Profile, options.Device);
        using (NewDisposeScope())
        {
            // Exact: float32 widens to float64 without rounding.
            _hostAlphasCumprod = _schedule.AlphasCumprod.to_type(ScalarType.Float64).data<double>().ToArray();
            _hostFinalAlphaCumprod = _schedule.FinalAlphaCumprod.to_type(ScalarType.Float64).item<double>();
        }

        _timesteps = new long[config.NumTrainTimesteps];
        for (var i = 0; i < _timesteps.Length; i++)
        {
            _timesteps[i] = config.NumTrainTimesteps - 1 - i;
        }
    }

    /// <summary>The config the schedule was built from.</summary>
    public SchedulerConfig Config { get; }

    /// <summary>The device, semantics profile and step mode the scheduler was created with.</summary>
    public TorchSchedulerOptions Options { get; }

    /// <summary>Where the step scalars and cached tables live and where the tensors passed in must be (<see cref="TorchSchedulerOptions.Device"/>).</summary>
    public Device Device => Options.Device;

    /// <summary>The schedule, on the CPU, in the dtypes diffusers keeps it.</summary>
    public TorchSchedule Schedule => _schedule;

    /// <summary>diffusers' <c>order</c>.</summary>
    public int Order => 1;

    /// <summary>diffusers' <c>init_noise_sigma</c>.</summary>
    public double InitNoiseSigma => 1.0;

    /// <summary>diffusers' <c>len(scheduler)</c>.</summary>
    public int Length => Config.NumTrainTimesteps;

    /// <summary>Null until <see cref="SetTimesteps"/> succeeds.</summary>
    public int? NumInferenceSteps { get; private set; }

    /// <summary>The timesteps of the loop, in order (num_train_timesteps - 1 down to 0 before <see cref="SetTimesteps"/>).</summary>
    public IReadOnlyList<long> Timesteps => _timesteps;

    /// <summary>diffusers' <c>set_timesteps</c> (numpy int64/float64 arithmetic, so computed on the host).</summary>
    public void SetTimesteps(int numInferenceSteps)
    {
        ThrowIfDisposed();
        _timesteps = InferenceTimesteps.Compute(Config, numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
    }

    /// <summary>
    /// diffusers' <c>step</c>. <paramref name="modelOutput"/> has the sample's dtype or a wider one (float32 with
    /// bfloat16 latents, as the CogVideoX pipeline calls it); both results have the model output's dtype.
    /// For <c>prediction_type="sample"</c>, <see cref="TorchStepOutput.PredOriginalSample"/> shares the model output's
    /// storage, as diffusers returns the model output itself.
    /// </summary>
    public TorchStepOutput Step(Tensor modelOutput, long timestep, Tensor sample)
    {
        var (index, prevIndex) = StepIndices(modelOutput, timestep, sample);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shape = sample.shape;
        var (prev, x0) = StepTensors(modelOutput, index, prevIndex, sample);
        return new TorchStepOutput(prev.reshape(shape).MoveToOuterDisposeScope(), x0.reshape(shape).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// diffusers' <c>step</c> into caller-provided tensors (the <c>out=</c> idiom; the same argument order as the
    /// span schedulers' <c>Step</c>): the same values, bit for bit, as <see cref="Step(Tensor, long, Tensor)"/>,
    /// written into <paramref name="prevSample"/> and <paramref name="predOriginalSample"/>, which must have the
    /// sample's shape, the model output's dtype and the scheduler's device. The step's temporaries are freed before it
    /// returns and nothing it allocates outlives it, so a loop that reuses the same two tensors does not grow the
    /// process (see docs/torch-backend.md, "Long-running processes"). <paramref name="prevSample"/> may be
    /// <paramref name="sample"/> itself (an in-place update of the latents) when the dtypes agree.
    /// </summary>
    public void Step(Tensor modelOutput, long timestep, Tensor sample, Tensor prevSample, Tensor predOriginalSample)
    {
        var (index, prevIndex) = StepIndices(modelOutput, timestep, sample);
        TorchTensorChecks.StepOutputs(modelOutput, sample, prevSample, predOriginalSample, Device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shape = sample.shape;
        var (prev, x0) = StepTensors(modelOutput, index, prevIndex, sample);
        // Both results are computed before either output is written, so prevSample may alias the sample.
        predOriginalSample.copy_(x0.reshape(shape));
        prevSample.copy_(prev.reshape(shape));
    }

    /// <summary>The checks of <c>step</c> and the table indices of the timestep and the previous one.</summary>
    private (int Index, int? PrevIndex) StepIndices(Tensor modelOutput, long timestep, Tensor sample)
    {
        ThrowIfDisposed();
        TorchTensorChecks.StepInputs(modelOutput, sample, Device);
        if (NumInferenceSteps is not { } n)
        {
            // diffusers raises a ValueError here, and a ValueError is an ArgumentException (CogDdim.Backends.ErrorClasses).
            throw new ArgumentException(
                "Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler");
        }

        var prevTimestep = timestep - (Config.NumTrainTimesteps / n);
        var index = TableIndex(timestep, nameof(timestep));
        int? prevIndex = prevTimestep >= 0 ? TableIndex(prevTimestep, "prev_timestep") : null;
        if (Config.DeferredInvalidValues.TryGetValue(ConfigKeys.PredictionType, out var raw))
        {
            throw new ArgumentException($"prediction_type given as {raw} must be one of `epsilon`, `sample`, or `v_prediction`");
        }

        return (index, prevIndex);
    }

    private (Tensor Prev, Tensor X0) StepTensors(Tensor modelOutput, int index, int? prevIndex, Tensor sample) =>
        Options.Mode == TorchStepMode.FastFused
            ? FastFusedStep(AtLeastOneDim(modelOutput), index, prevIndex, AtLeastOneDim(sample))
            : ExactStep(AtLeastOneDim(modelOutput), index, prevIndex, AtLeastOneDim(sample));

    /// <summary>
    /// diffusers' <c>add_noise</c>: <c>sqrt(ac[t]) * original + sqrt(1 - ac[t]) * noise</c> in the samples' dtype,
    /// one timestep per batch item (first dimension) or one for all.
    /// </summary>
    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        ThrowIfDisposed();
        foreach (var t in TorchTensorChecks.NoiseInputs(originalSamples, noise, timesteps, "original_samples", Device))
        {
            TableIndex(t, nameof(timesteps));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shape = originalSamples.shape;
        originalSamples = AtLeastOneDim(originalSamples);
        var (sqrtAlpha, sqrtOneMinusAlpha) = NoiseScalars(originalSamples, timesteps);
        return sqrtAlpha.mul(originalSamples).add(sqrtOneMinusAlpha.mul(AtLeastOneDim(noise))).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>diffusers' <c>get_velocity</c>: <c>sqrt(ac[t]) * noise - sqrt(1 - ac[t]) * sample</c>, as <see cref="AddNoise"/>.</summary>
    public Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps)
    {
        ThrowIfDisposed();
        foreach (var t in TorchTensorChecks.NoiseInputs(sample, noise, timesteps, nameof(sample), Device))
        {
            TableIndex(t, nameof(timesteps));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shape = sample.shape;
        sample = AtLeastOneDim(sample);
        var (sqrtAlpha, sqrtOneMinusAlpha) = NoiseScalars(sample, timesteps);
        return sqrtAlpha.mul(AtLeastOneDim(noise)).sub(sqrtOneMinusAlpha.mul(sample)).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>Returns the sample itself, as diffusers does.</summary>
    public Tensor ScaleModelInput(Tensor sample, long? timestep = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(sample);
        return sample;
    }

    /// <summary>Python indexing of the table: a negative index counts from the end; anything else outside fails.</summary>
    public int TableIndex(long timestep, string name)
    {
        var length = _hostAlphasCumprod.Length;
        if (timestep >= length || timestep < -length)
        {
            throw new ArgumentOutOfRangeException(name, timestep,
                $"timestep {timestep} is outside the table of {length} training timesteps (valid: {-length} to {length - 1}; negative values count from the end, as in Python)");
        }

        return (int)(timestep < 0 ? timestep + length : timestep);
    }

    /// <summary>
    /// diffusers' step, op for op on the tensors; the 0-dim scalars (in the table's dtype, on the device) come from
    /// <see cref="StepScalars"/>.
    /// </summary>
    private (Tensor Prev, Tensor X0) ExactStep(Tensor modelOutput, int index, int? prevIndex, Tensor sample)
    {
        var c = StepScalars(index, prevIndex);
        var x0 = ExactOriginalSample(modelOutput, sample, c.SqrtAlpha, c.SqrtBeta);

        // a_t * sample + b_t * pred_original_sample
        var prev = _arithmetic.Multiply(c.At, sample).add(_arithmetic.Multiply(c.Bt, x0));
        return (prev, x0);
    }

    /// <summary>pred_original_sample from the prediction type (DDIM's and DPM's step share it), op for op.</summary>
    internal Tensor ExactOriginalSample(Tensor modelOutput, Tensor sample, Tensor sqrtAlpha, Tensor sqrtBeta)
    {
        var c = (SqrtAlpha: sqrtAlpha, SqrtBeta: sqrtBeta);
        return Config.PredictionType switch
        {
            // (sample - beta_prod_t ** 0.5 * model_output) / alpha_prod_t ** 0.5
            PredictionType.Epsilon => _arithmetic.Divide(sample.sub(_arithmetic.Multiply(c.SqrtBeta, modelOutput)), c.SqrtAlpha),
            PredictionType.Sample => modelOutput.alias(),
            // alpha_prod_t ** 0.5 * sample - beta_prod_t ** 0.5 * model_output
            PredictionType.VPrediction => _arithmetic.Multiply(c.SqrtAlpha, sample).sub(_arithmetic.Multiply(c.SqrtBeta, modelOutput)),
            _ => throw new ArgumentException($"prediction_type given as {Config.PredictionType} must be one of `epsilon`, `sample`, or `v_prediction`"),
        };
    }

    /// <summary>How 0-dim scalars meet tensors under the profile.</summary>
    internal ScalarArithmetic Arithmetic => _arithmetic;

    /// <summary>alphas_cumprod[index] on the host (float32 tables widened exactly).</summary>
    internal double HostAlphaCumprod(int index) => _hostAlphasCumprod[index];

    /// <summary>final_alpha_cumprod on the host.</summary>
    internal double HostFinalAlphaCumprod => _hostFinalAlphaCumprod;

    internal void ThrowIfDisposedInternal() => ThrowIfDisposed();

    internal static Tensor AtLeastOneDimInternal(Tensor x) => AtLeastOneDim(x);

    /// <summary>
    /// The step's 0-dim scalars <c>alpha_prod_t ** 0.5</c>, <c>beta_prod_t ** 0.5</c>, <c>a_t</c> and <c>b_t</c> as
    /// tensors in the table's dtype on the device, made once per (timestep, previous timestep) and kept. Their values
    /// are what diffusers' 0-dim ops compute in that dtype with IEEE arithmetic (<see cref="StepCoefficients{T}"/>);
    /// they are worked out on the host because this libtorch's sqrt is not IEEE (see <see cref="IeeeSqrt"/>).
    /// </summary>
    private (Tensor SqrtAlpha, Tensor SqrtBeta, Tensor At, Tensor Bt) StepScalars(int index, int? prevIndex)
    {
        if (!_stepScalars.TryGetValue((index, prevIndex), out var scalars))
        {
            if (_stepScalars.Count >= MaxCachedStepScalars)
            {
                // Bounded: a loop over one schedule needs one entry per step; random timesteps must not grow it.
                ClearStepScalars();
            }

            var c = HostCoefficients(index, prevIndex);
            var dtype = _schedule.TableType;
            scalars = (Scalar(c.SqrtAlpha), Scalar(c.SqrtBeta), Scalar(c.At), Scalar(c.Bt));
            _stepScalars[(index, prevIndex)] = scalars;

            Tensor Scalar(double value) => tensor(value, ScalarType.Float64).to_type(dtype).to(Device).DetachFromDisposeScope();
        }

        return scalars;
    }

    /// <summary>
    /// <see cref="TorchStepMode.FastFused"/>: host scalars (in the table's precision, as the exact path computes
    /// them) and fused multiply-adds: <c>x0 = (sample + (-sqrt(b)) · m) / sqrt(a)</c>,
    /// <c>prev = b_t · x0 + a_t · sample</c>.
    /// </summary>
    private (Tensor Prev, Tensor X0) FastFusedStep(Tensor modelOutput, int index, int? prevIndex, Tensor sample)
    {
        var c = HostCoefficients(index, prevIndex);
        using var minusSqrtBeta = (-c.SqrtBeta).ToScalar();
        using var sqrtAlpha = c.SqrtAlpha.ToScalar();
        using var at = c.At.ToScalar();
        using var bt = c.Bt.ToScalar();
        var x0 = Config.PredictionType switch
        {
            PredictionType.Epsilon => sample.add(modelOutput, minusSqrtBeta).div_(sqrtAlpha),
            PredictionType.Sample => modelOutput.alias(),
            PredictionType.VPrediction => sample.mul(sqrtAlpha).add(modelOutput, minusSqrtBeta),
            _ => throw new ArgumentException($"prediction_type given as {Config.PredictionType} must be one of `epsilon`, `sample`, or `v_prediction`"),
        };

        // x0 has the model output's dtype, at least as wide as the sample's, so the sum can go into it in place.
        var prev = x0.mul(bt).add_(sample, at);
        return (prev, x0);
    }

    /// <summary>The step's scalars in the table's precision (float64 or float32), as the 0-dim ops compute them.</summary>
    private (double SqrtAlpha, double SqrtBeta, double At, double Bt) HostCoefficients(int index, int? prevIndex)
    {
        var alphaProd = _hostAlphasCumprod[index];
        var alphaProdPrev = prevIndex is { } p ? _hostAlphasCumprod[p] : _hostFinalAlphaCumprod;
        if (_schedule.TableType == ScalarType.Float64)
        {
            var c = StepCoefficients<double>.Compute(0, 0, alphaProd, alphaProdPrev);
            return (c.SqrtAlphaProd, c.SqrtBetaProd, c.At, c.Bt);
        }

        var f = StepCoefficients<float>.Compute(0, 0, (float)alphaProd, (float)alphaProdPrev);
        return (f.SqrtAlphaProd, f.SqrtBetaProd, f.At, f.Bt);
    }

    /// <summary><c>alphas_cumprod.to(dtype)[timesteps] ** 0.5</c> and <c>(1 - …) ** 0.5</c>, shaped to broadcast over the sample.</summary>
    private (Tensor SqrtAlpha, Tensor SqrtOneMinusAlpha) NoiseScalars(Tensor sample, Tensor timesteps)
    {
        var alphasCumprod = Table(Device, sample.dtype, "alphas_cumprod", () => _schedule.AlphasCumprod);
        var selected = alphasCumprod[timesteps.to(Device)];
        var sqrtAlpha = IeeeSqrt.Of(selected).flatten();
        var sqrtOneMinusAlpha = IeeeSqrt.Of(OneMinus(selected)).flatten();
        while (sqrtAlpha.dim() < sample.dim())
        {
            sqrtAlpha = sqrtAlpha.unsqueeze(-1);
            sqrtOneMinusAlpha = sqrtOneMinusAlpha.unsqueeze(-1);
        }

        return (sqrtAlpha, sqrtOneMinusAlpha);
    }

    /// <summary>A table on a device in a dtype, made once (<c>.to(device).to(dtype)</c>, as diffusers' add_noise does) and kept.</summary>
    private Tensor Table(Device device, ScalarType dtype, string name, Func<Tensor> source)
    {
        var key = (TorchDevices.Describe(device), dtype, name);
        if (!_cache.TryGetValue(key, out var table))
        {
            using var scope = NewDisposeScope();
            table = source().to(device).to_type(dtype).clone().DetachFromDisposeScope();
            _cache[key] = table;
        }

        return table;
    }

    /// <summary>
    /// A 0-dim sample is computed as one element of shape [1] and handed back 0-dim. torch promotes 0-dim operands
    /// among themselves by category (a float32 0-dim scalar times a 0-dim bfloat16 sample would give float32), which
    /// no latent ever meets; the reference semantics, and so this backend, give every sample the arithmetic of a
    /// tensor of dimension 1 or more.
    /// </summary>
    private static Tensor AtLeastOneDim(Tensor x) => x.dim() == 0 ? x.reshape(1) : x;

    /// <summary><c>1 - x</c> (Python's int 1 on the left: <c>torch.rsub</c>).</summary>
    private static Tensor OneMinus(Tensor x)
    {
        using var one = 1.ToScalar();
        return x.neg().add_(one);
    }

    /// <summary>The most (timestep, previous timestep) pairs whose step scalars are kept (four 0-dim tensors each).</summary>
    public const int MaxCachedStepScalars = 1024;

    /// <summary>How many (timestep, previous timestep) pairs have their step scalars cached now (at most <see cref="MaxCachedStepScalars"/>).</summary>
    public int CachedStepScalars => _stepScalars.Count;

    private void ClearStepScalars()
    {
        foreach (var (sqrtAlpha, sqrtBeta, at, bt) in _stepScalars.Values)
        {
            sqrtAlpha.Dispose();
            sqrtBeta.Dispose();
            at.Dispose();
            bt.Dispose();
        }

        _stepScalars.Clear();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Disposes the schedule (given tables included) and every cached table and step scalar; later method calls (<see cref="SetTimesteps"/>, <c>Step</c>, …) throw <see cref="ObjectDisposedException"/>. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var table in _cache.Values)
        {
            table.Dispose();
        }

        ClearStepScalars();
        _cache.Clear();
        _schedule.Dispose();
    }
}
