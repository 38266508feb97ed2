using CogDdim.Config;
using CogDdim.Scheduling;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>
/// diffusers' <c>CogVideoXDPMScheduler</c> (what CogVideoX-5B is run with) on torch tensors: the same tensor ops in
/// the same order as diffusers' step, with its 0-dim scalars in the table's dtype on the tensors' device. The
/// schedule, set_timesteps, add_noise and get_velocity are the wrapped <see cref="TorchScheduler"/>'s (the two
/// classes share them). The scalars come from <see cref="DpmCoefficients{T}"/> on the host: torch's CPU log, exp
/// and expm1 are SLEEF's (ported in <see cref="SleefMath"/>), and this libtorch's own may not be.
/// </summary>
/// <remarks>
/// Noise: pass the draw that enters prev_sample, or a <see cref="Generator"/> (null: torch's default one) from which
/// the step draws with <c>torch.randn(sample.shape, generator, dtype=sample.dtype)</c> as diffusers' randn_tensor
/// does, once on a first-order step and twice on a second-order one (the first draw discarded). The stateful
/// overloads keep the previous pred_original_sample and timestep, as the pipeline's loop passes them.
/// Every public method runs in its own dispose scope under <c>no_grad</c>; returned tensors belong to the caller.
/// </remarks>
public sealed class TorchDpmScheduler : IDisposable
{
    private readonly TorchScheduler _ddim;
    private readonly Dictionary<(long, long?), (DpmCoefficients<double> C, Tensor[] Scalars)> _scalars = [];
    private Tensor? _history;
    private long? _lastTimestep;
    private bool _disposed;

    /// <summary>Builds the schedule for <paramref name="config"/>.</summary>
    public TorchDpmScheduler(SchedulerConfig config, TorchSchedulerOptions? options = null)
        : this(DpmConstruction.Build(() => new TorchScheduler(config, options)))
    {
    }

    /// <summary>Uses the given tables (a fixture's recorded schedule); the scheduler owns them from here on.</summary>
    public TorchDpmScheduler(SchedulerConfig config, TorchSchedule tables, TorchSchedulerOptions? options = null)
        : this(DpmConstruction.Build(() => new TorchScheduler(config, tables, options)))
    {
    }

    private TorchDpmScheduler(TorchScheduler ddim)
    {
        _ddim = ddim;
    }

    /// <summary>The config the schedule was built from.</summary>
    public SchedulerConfig Config => _ddim.Config;

    /// <summary>The device, semantics profile and mode.</summary>
    public TorchSchedulerOptions Options => _ddim.Options;

    /// <summary>The device the step runs on.</summary>
    public Device Device => _ddim.Device;

    /// <summary>The schedule, on the CPU, in the dtypes diffusers keeps it.</summary>
    public TorchSchedule Schedule => _ddim.Schedule;

    /// <summary>diffusers' <c>order</c>: 1.</summary>
    public int Order => 1;

    /// <summary>diffusers' <c>init_noise_sigma</c>: 1.0.</summary>
    public double InitNoiseSigma => 1.0;

    /// <summary>diffusers' <c>len(scheduler)</c>: num_train_timesteps.</summary>
    public int Length => Config.NumTrainTimesteps;

    /// <summary>Null until <c>SetTimesteps</c> succeeds.</summary>
    public int? NumInferenceSteps => _ddim.NumInferenceSteps;

    /// <summary>The timesteps of the loop, in order.</summary>
    public IReadOnlyList<long> Timesteps => _ddim.Timesteps;

    /// <summary>The timestep the stateful step will pass as timestep_back, or null on a first step.</summary>
    public long? TimestepBack => _history is null ? null : _lastTimestep;

    /// <summary>diffusers' <c>set_timesteps</c>; also forgets the stateful step's history.</summary>
    public void SetTimesteps(int numInferenceSteps)
    {
        _ddim.SetTimesteps(numInferenceSteps);
        ResetHistory();
    }

    /// <summary>Forgets the previous pred_original_sample and timestep.</summary>
    public void ResetHistory()
    {
        _history?.Dispose();
        _history = null;
        _lastTimestep = null;
    }

    /// <summary>
    /// diffusers' <c>step(model_output, old_pred_original_sample, timestep, timestep_back, sample)</c> with the draw
    /// that enters prev_sample given as <paramref name="noise"/> (sample's shape and dtype).
    /// </summary>
    public TorchStepOutput Step(Tensor modelOutput, Tensor? oldPredOriginalSample, long timestep, long? timestepBack, Tensor sample, Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        return StepCore(modelOutput, oldPredOriginalSample, timestep, timestepBack, sample, _ => noise);
    }

    /// <summary>The stateless step drawing as diffusers draws, from <paramref name="generator"/> (null: the default generator).</summary>
    public TorchStepOutput Step(Tensor modelOutput, Tensor? oldPredOriginalSample, long timestep, long? timestepBack, Tensor sample, Generator? generator) =>
        StepCore(modelOutput, oldPredOriginalSample, timestep, timestepBack, sample, s => randn(s.shape, dtype: s.dtype, device: s.device, generator: generator));

    /// <summary>The stateful step with the draw that counts given.</summary>
    public TorchStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Tensor noise) =>
        Remember(timestep, Step(modelOutput, _history, timestep, TimestepBack, sample, noise));

    /// <summary>The stateful step drawing from <paramref name="generator"/>: the pipeline's loop, seeded.</summary>
    public TorchStepOutput Step(Tensor modelOutput, long timestep, Tensor sample, Generator? generator) =>
        Remember(timestep, Step(modelOutput, _history, timestep, TimestepBack, sample, generator));

    /// <summary>diffusers' <c>add_noise</c>.</summary>
    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) => _ddim.AddNoise(originalSamples, noise, timesteps);

    /// <summary>diffusers' <c>get_velocity</c>.</summary>
    public Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps) => _ddim.GetVelocity(sample, noise, timesteps);

    /// <summary>Returns the sample itself, as diffusers does.</summary>
    public Tensor ScaleModelInput(Tensor sample, long? timestep = null) => _ddim.ScaleModelInput(sample, timestep);

    /// <summary>The step's scalars, as <see cref="DpmCoefficients{T}"/> computes them in the table's dtype (widened to double).</summary>
    public DpmCoefficients<double> Coefficients(long timestep, long? timestepBack)
    {
        _ddim.ThrowIfDisposedInternal();
        if (NumInferenceSteps is not { } n)
        {
            // diffusers raises a ValueError here, and a ValueError is an ArgumentException (CogDdim.Backends.ErrorClasses).
            throw new ArgumentException(
                "Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler");
        }

        var prevTimestep = timestep - (Config.NumTrainTimesteps / n);
        var a = _ddim.HostAlphaCumprod(_ddim.TableIndex(timestep, nameof(timestep)));
        var ap = prevTimestep >= 0 ? _ddim.HostAlphaCumprod(_ddim.TableIndex(prevTimestep, "prev_timestep")) : _ddim.HostFinalAlphaCumprod;
        var ab = timestepBack is { } back ? _ddim.HostAlphaCumprod(_ddim.TableIndex(back, "timestep_back")) : 0;
        if (Config.DeferredInvalidValues.TryGetValue(ConfigKeys.PredictionType, out var raw))
        {
            throw new ArgumentException($"prediction_type given as {raw} must be one of `epsilon`, `sample`, or `v_prediction`");
        }

        if (Schedule.TableType == ScalarType.Float64)
        {
            return DpmCoefficients<double>.FromAlphas(timestep, prevTimestep, timestepBack, a, ap, ab);
        }

        var f = DpmCoefficients<float>.FromAlphas(timestep, prevTimestep, timestepBack, (float)a, (float)ap, (float)ab);
        return new DpmCoefficients<double>(f.Timestep, f.PrevTimestep, f.TimestepBack, f.AlphaProd, f.AlphaProdPrev, f.AlphaProdBack,
            f.SqrtAlphaProd, f.SqrtBetaProd, f.Lamb, f.LambNext, f.LambPrevious, f.H, f.HLast, f.R, f.Mult1, f.Mult2, f.Mult3, f.Mult4, f.MultNoise);
    }

    private TorchStepOutput StepCore(Tensor modelOutput, Tensor? old, long timestep, long? timestepBack, Tensor sample, Func<Tensor, Tensor> draw)
    {
        _ddim.ThrowIfDisposedInternal();
        TorchTensorChecks.StepInputs(modelOutput, sample, Device);
        if (old is not null && (old.dtype != torch.promote_types(sample.dtype, modelOutput.dtype) || !old.shape.SequenceEqual(sample.shape)))
        {
            throw new NotSupportedException(
                $"old_pred_original_sample is {old.dtype}{TorchTensorChecks.ShapeText(old)}; expected the dtype and shape of a previous step's pred_original_sample");
        }

        var (c, k) = Scalars(timestep, timestepBack);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shape = sample.shape;
        var s = TorchScheduler.AtLeastOneDimInternal(sample);
        var m = TorchScheduler.AtLeastOneDimInternal(modelOutput);
        var arithmetic = _ddim.Arithmetic;
        var x0 = _ddim.ExactOriginalSample(m, s, k[0], k[1]);

        var noise = draw(sample);                           // diffusers' first randn_tensor: always drawn
        var second = c.IsSecondOrder(old is not null);      // IndexError after the first draw, as in diffusers
        if (second)
        {
            noise = draw(sample);                           // the second draw replaces the first
        }

        if (noise.dtype != sample.dtype || !noise.shape.SequenceEqual(sample.shape) || noise.device.type != Device.type)
        {
            throw new ArgumentException($"noise is {noise.dtype}{TorchTensorChecks.ShapeText(noise)}; randn_tensor draws in the sample's shape and dtype, on its device", nameof(noise));
        }

        var n = TorchScheduler.AtLeastOneDimInternal(noise);
        var denoised = x0;
        if (second)
        {
            // mult[2] * pred_original_sample - mult[3] * old_pred_original_sample
            denoised = arithmetic.Multiply(k[4], x0).sub(arithmetic.Multiply(k[5], TorchScheduler.AtLeastOneDimInternal(old!)));
        }

        // mult[0] * sample - mult[1] * denoised + mult_noise * noise
        var prev = arithmetic.Multiply(k[2], s).sub(arithmetic.Multiply(k[3], denoised)).add(arithmetic.Multiply(k[6], n));
        return new TorchStepOutput(prev.reshape(shape).MoveToOuterDisposeScope(), x0.reshape(shape).MoveToOuterDisposeScope());
    }

    /// <summary>sqrt(a), sqrt(1 - a), mult1 … mult4, mult_noise as 0-dim tensors in the table's dtype on the device, made once per key.</summary>
    private (DpmCoefficients<double> C, Tensor[] Scalars) Scalars(long timestep, long? timestepBack)
    {
        if (!_scalars.TryGetValue((timestep, timestepBack), out var entry))
        {
            var c = Coefficients(timestep, timestepBack);
            var dtype = Schedule.TableType;
            using var scope = NewDisposeScope();
            var tensors = new[] { c.SqrtAlphaProd, c.SqrtBetaProd, c.Mult1, c.Mult2, c.Mult3, c.Mult4, c.MultNoise }
                .Select(v => tensor(v, ScalarType.Float64).to_type(dtype).to(Device).DetachFromDisposeScope())
                .ToArray();
            entry = (c, tensors);
            _scalars[(timestep, timestepBack)] = entry;
        }

        return entry;
    }

    private TorchStepOutput Remember(long timestep, TorchStepOutput output)
    {
        _history?.Dispose();
        using (NewDisposeScope())
        {
            _history = output.PredOriginalSample.clone().DetachFromDisposeScope();
        }

        _lastTimestep = timestep;
        return output;
    }

    /// <summary>Frees the cached tables and step scalars; every later call throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ResetHistory();
        foreach (var (_, tensors) in _scalars.Values)
        {
            foreach (var t in tensors)
            {
                t.Dispose();
            }
        }

        _scalars.Clear();
        _ddim.Dispose();
    }
}
